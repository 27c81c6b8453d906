/* STAND-IN, TO BE DELETED AT MERGE.
 *
 * Minimal versions of what cni-config.c and cni.c (written on another branch) provide, so
 * that cni-exec.c, cni-cache.c and their tests link and run before those land:
 *   cni_network_parse, cni_network_ref, cni_network_unref, cni_plugin_find (cni-config.c)
 *   cni_current_network (cni.c)
 * The real ones replace this whole file; nothing else refers to it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network/cni-private.h"
#include "network/cni-result.h"
#include "util/cleanup.h"
#include "util/strv.h"

CniNetwork *cni_network_ref(CniNetwork *n) {
        if (n)
                __atomic_add_fetch(&n->refs, 1, __ATOMIC_SEQ_CST);
        return n;
}

void cni_network_unref(CniNetwork *n) {
        if (!n || __atomic_sub_fetch(&n->refs, 1, __ATOMIC_SEQ_CST) > 0)
                return;
        for (size_t i = 0; i < n->n_plugins; i++) {
                free(n->plugins[i].type);
                if (n->plugins[i].conf)
                        json_object_unref(n->plugins[i].conf);
                strv_free(n->plugins[i].caps);
        }
        free(n->plugins);
        if (n->list)
                json_object_unref(n->list);
        free(n->name);
        free(n->cni_version);
        free(n->file);
        free(n->bytes);
        free(n);
}

static int parse_plugin(JsonNode *node, CniPlugin *p, CrioError *err) {
        if (!JSON_NODE_HOLDS_OBJECT(node))
                return crio_error_set(err, EINVAL, "a plugin is not an object");
        JsonObject *o = json_node_get_object(node);
        const char *type = NULL;
        if (cni_json_get_string(o, "plugin", "type", 255, &type, err) < 0)
                return -EINVAL;
        if (!type || !type[0] || strchr(type, '/') || strcmp(type, ".") == 0 || strcmp(type, "..") == 0)
                return crio_error_set(err, EINVAL, "invalid plugin type");
        p->type = strdup(type);
        p->conf = json_object_ref(o);
        p->caps = calloc(1, sizeof(char *));
        JsonNode *caps = json_object_get_member(o, "capabilities");
        if (caps && JSON_NODE_HOLDS_OBJECT(caps)) {
                JsonObject *co = json_node_get_object(caps);
                GList *names = json_object_get_members(co);
                for (GList *l = names; l; l = l->next) {
                        JsonNode *v = json_object_get_member(co, l->data);
                        if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_BOOLEAN &&
                            json_node_get_boolean(v))
                                strv_push(&p->caps, l->data);
                }
                g_list_free(names);
        }
        return p->type && p->caps ? 0 : crio_error_set(err, ENOMEM, "out of memory");
}

int cni_network_parse(const char *file, const char *data, size_t len, bool is_list, CniNetwork **ret, CrioError *err) {
        g_autoptr(JsonNode) root = NULL;
        int r = cni_json_parse_object(file, data, len, CNI_MAX_CONFIG_SIZE, 64, &root, err);
        if (r < 0)
                return r;
        JsonObject *o = json_node_get_object(root);
        if (!is_list && str_endswith(file, ".json") && json_object_has_member(o, "plugins"))
                is_list = true;
        const char *name = NULL, *version = NULL;
        if (cni_json_get_string(o, file, "name", 255, &name, err) < 0 ||
            cni_json_get_string(o, file, "cniVersion", 64, &version, err) < 0)
                return -EINVAL;
        if (!name || !version)
                return crio_error_set(err, EINVAL, "%s: no name or cniVersion", file);
        CniNetwork *n = calloc(1, sizeof *n);
        if (!n)
                return crio_error_set(err, ENOMEM, "out of memory");
        n->refs = 1;
        n->name = strdup(name);
        n->cni_version = strdup(version);
        n->file = strdup(file);
        JsonArray *plugins = NULL;
        g_autoptr(JsonNode) list_node = NULL;
        if (is_list) {
                JsonNode *pl = json_object_get_member(o, "plugins");
                plugins = pl && JSON_NODE_HOLDS_ARRAY(pl) ? json_node_get_array(pl) : NULL;
                n->disable_check = json_object_get_boolean_member_with_default(o, "disableCheck", FALSE);
                list_node = json_node_ref(root);
                n->bytes = g_strndup(data, len);
                n->len = len;
        } else {
                /* {"cniVersion", "name", "plugins": [conf]} */
                JsonArray *a = json_array_new();
                json_array_add_element(a, json_node_copy(root));
                JsonObject *lo = json_object_new();
                json_object_set_string_member(lo, "cniVersion", version);
                json_object_set_string_member(lo, "name", name);
                json_object_set_array_member(lo, "plugins", a);
                list_node = json_node_new(JSON_NODE_OBJECT);
                json_node_take_object(list_node, lo);
                plugins = a;
                n->bytes = json_to_string(list_node, FALSE);
                n->len = strlen(n->bytes);
        }
        n->list = json_object_ref(json_node_get_object(list_node));
        guint count = plugins ? json_array_get_length(plugins) : 0;
        if (count == 0 || count > CNI_MAX_PLUGINS) {
                cni_network_unref(n);
                return crio_error_set(err, EINVAL, "%s: no plugins, or too many", file);
        }
        n->plugins = calloc(count, sizeof(CniPlugin));
        for (guint i = 0; n->plugins && i < count; i++, n->n_plugins++)
                if (parse_plugin(json_array_get_element(plugins, i), &n->plugins[i], err) < 0) {
                        n->n_plugins++;
                        cni_network_unref(n);
                        return crio_error_prefix(err, "%s: ", file);
                }
        *ret = n;
        return 0;
}

int cni_plugin_find(char *const *plugin_dirs, const char *type, char **ret) {
        for (char *const *d = plugin_dirs; d && *d; d++) {
                _cleanup_free_ char *p = NULL;
                struct stat st;
                if (asprintf(&p, "%s/%s", *d, type) < 0)
                        return -ENOMEM;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
                        *ret = TAKE_PTR(p);
                        return 0;
                }
        }
        return -ENOENT;
}

CniNetwork *cni_current_network(Cni *c) {
        pthread_mutex_lock(&c->lock);
        CniNetwork *n = cni_network_ref(c->network);
        pthread_mutex_unlock(&c->lock);
        return n;
}
