/* CNI network configuration: a .conflist, or a .conf (one plugin) made into a list of one, as
 * libcni reads them (the CNI specification, section "Configuration format"). See cni-private.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network/cni-private.h"
#include "util/cleanup.h"
#include "util/json-check.h"
#include "util/strv.h"

#define CNI_MAX_DEPTH 32        /* JSON nesting (real configurations need about 6) */
#define CNI_MAX_NAME_LEN 128    /* a network name (it becomes part of a cache file name) */
#define CNI_MAX_TYPE_LEN 128    /* a plugin type (a file name in a plugin directory) */
#define CNI_MAX_CAPS 32         /* capabilities enabled in one plugin */
#define CNI_MAX_VERSIONS 16     /* entries of "cniVersions" */
#define CNI_SHOWN_LEN 64        /* bytes of an offending value quoted in a message */

/* The versions we speak, oldest first. 0.1.0 and 0.2.0 results have no interfaces list, and
 * 1.1.0 adds verbs (STATUS, GC) we do not run. */
static const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0" };
#define CNI_VERSIONS_TEXT "0.3.0, 0.3.1, 0.4.0, 1.0.0"

typedef struct Parse {
        const char *where; /* the file, in front of every message */
        CrioError *err;
        char shown[CNI_SHOWN_LEN + 4];
} Parse;

static int fail(Parse *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(Parse *P, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&m, fmt, ap);
        va_end(ap);
        return crio_error_set(P->err, EINVAL, "%s: %s", P->where, n >= 0 ? m : "invalid configuration");
}

/* s for a message: printable ASCII only, at most CNI_SHOWN_LEN bytes (one value at a time). */
static const char *shown(Parse *P, const char *s) {
        size_t i = 0;
        for (; s[i] && i < CNI_SHOWN_LEN; i++)
                P->shown[i] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\') ? s[i] : '?';
        strcpy(P->shown + i, s[i] ? "..." : "");
        return P->shown;
}

static bool node_is_string(JsonNode *n) {
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

static bool node_is_bool(JsonNode *n) {
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_BOOLEAN;
}

/* The string member name of o: 0 and *ret (NULL when absent), or -EINVAL when not a string. */
static int get_string(Parse *P, JsonObject *o, const char *ctx, const char *name, const char **ret) {
        JsonNode *n = json_object_get_member(o, name);
        if (n && !node_is_string(n))
                return fail(P, "%s\"%s\" is not a string", ctx, name);
        *ret = n ? json_node_get_string(n) : NULL;
        return 0;
}

/* A network name as libcni accepts it: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ */
static bool name_is_valid(const char *s) {
        for (size_t i = 0; s[i]; i++) {
                char c = s[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
                        return false;
        }
        return s[0] != '\0';
}

static int parse_name(Parse *P, JsonObject *o, const char **ret) {
        const char *name;
        int r = get_string(P, o, "", "name", &name);
        if (r < 0)
                return r;
        if (!name || !name[0])
                return fail(P, "no network name");
        if (strlen(name) > CNI_MAX_NAME_LEN)
                return fail(P, "network name longer than %d bytes", CNI_MAX_NAME_LEN);
        if (!name_is_valid(name))
                return fail(P, "invalid network name \"%s\": a letter or digit, then letters, digits, '_', '.' or '-'",
                            shown(P, name));
        *ret = name;
        return 0;
}

static int version_index(const char *v) {
        for (size_t i = 0; i < ELEMENTSOF(cni_versions); i++)
                if (strcmp(v, cni_versions[i]) == 0)
                        return (int) i;
        return -1;
}

/* "cniVersion", or the newest version we speak among "cniVersion" and "cniVersions" (the
 * latter from specification 1.1: the versions the configuration is good for). */
static int parse_version(Parse *P, JsonObject *o, const char **ret) {
        const char *v;
        int r = get_string(P, o, "", "cniVersion", &v);
        if (r < 0)
                return r;
        int best = v ? version_index(v) : -1;
        JsonNode *vs = json_object_get_member(o, "cniVersions");
        if (vs) {
                JsonArray *a = JSON_NODE_HOLDS_ARRAY(vs) ? json_node_get_array(vs) : NULL;
                if (!a || json_array_get_length(a) > CNI_MAX_VERSIONS)
                        return fail(P, "\"cniVersions\" is not an array of at most %d strings", CNI_MAX_VERSIONS);
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        JsonNode *e = json_array_get_element(a, i);
                        if (!node_is_string(e))
                                return fail(P, "\"cniVersions\" is not an array of at most %d strings", CNI_MAX_VERSIONS);
                        int k = version_index(json_node_get_string(e));
                        best = k > best ? k : best;
                }
        }
        if (best >= 0) {
                *ret = cni_versions[best];
                return 0;
        }
        if (vs)
                return fail(P, "none of the CNI versions in \"cniVersion\" and \"cniVersions\" is supported (supported: %s)",
                            CNI_VERSIONS_TEXT);
        if (!v)
                return fail(P, "no \"cniVersion\" (it would mean 0.1.0; supported: %s)", CNI_VERSIONS_TEXT);
        return fail(P, "CNI version \"%s\" is not supported (supported: %s)", shown(P, v), CNI_VERSIONS_TEXT);
}

/* "disableCheck": true/false, or the strings "true"/"false" in any case (as libcni reads it). */
static int parse_disable_check(Parse *P, JsonObject *o, bool *ret) {
        JsonNode *n = json_object_get_member(o, "disableCheck");
        if (!n)
                return 0;
        if (node_is_bool(n)) {
                *ret = json_node_get_boolean(n);
                return 0;
        }
        const char *s = node_is_string(n) ? json_node_get_string(n) : NULL;
        if (s && (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0)) {
                *ret = strcasecmp(s, "true") == 0;
                return 0;
        }
        return fail(P, "\"disableCheck\" is not true or false");
}

static bool type_is_valid(const char *type) {
        return type && type[0] && !strchr(type, '/') && strcmp(type, ".") != 0 && strcmp(type, "..") != 0;
}

static int parse_caps(Parse *P, JsonObject *p, const char *ctx, char ***ret) {
        JsonNode *n = json_object_get_member(p, "capabilities");
        if (!n)
                return 0;
        if (!JSON_NODE_HOLDS_OBJECT(n))
                return fail(P, "%s\"capabilities\" is not an object", ctx);
        JsonObjectIter it;
        const char *name;
        JsonNode *value;
        size_t count = 0;
        json_object_iter_init(&it, json_node_get_object(n));
        while (json_object_iter_next(&it, &name, &value)) {
                if (!node_is_bool(value))
                        return fail(P, "%scapability \"%s\" is not true or false", ctx, shown(P, name));
                if (!json_node_get_boolean(value))
                        continue;
                if (++count > CNI_MAX_CAPS)
                        return fail(P, "%smore than %d capabilities", ctx, CNI_MAX_CAPS);
                if (strv_push(ret, name) < 0)
                        return crio_error_set(P->err, ENOMEM, "%s: out of memory", P->where);
        }
        return 0;
}

static void gfreep(char **p) {
        g_free(*p);
}

static void nodep(JsonNode **n) {
        if (*n)
                json_node_unref(*n);
}

/* Whether every number in n is written back as valid JSON: json-glib 1.6 writes a double
 * whose shortest form has no '.' with ".0" after it, e.g. 1e20 as 1e+20.0, so such a number
 * could not be passed on to a plugin (depth: bounded by json_check). */
static int check_numbers(Parse *P, JsonNode *n, const char *ctx) {
        int r = 0;
        if (JSON_NODE_HOLDS_OBJECT(n)) {
                JsonObjectIter it;
                JsonNode *m;
                json_object_iter_init(&it, json_node_get_object(n));
                while (r >= 0 && json_object_iter_next(&it, NULL, &m))
                        r = check_numbers(P, m, ctx);
        } else if (JSON_NODE_HOLDS_ARRAY(n)) {
                JsonArray *a = json_node_get_array(n);
                for (guint i = 0; r >= 0 && i < json_array_get_length(a); i++)
                        r = check_numbers(P, json_array_get_element(a, i), ctx);
        } else if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_DOUBLE) {
                _cleanup_(gfreep) char *text = json_to_string(n, false);
                if (!text || json_check("", text, strlen(text), 1, JSON_CHECK_NUMBER_RANGE, NULL) < 0)
                        r = fail(P, "%sthe number %.17g cannot be passed on to a plugin as valid JSON", ctx, json_node_get_double(n));
        }
        return r;
}

static int parse_plugin(Parse *P, JsonObject *p, const char *ctx, CniPlugin *ret) {
        const char *type;
        int r = get_string(P, p, ctx, "type", &type);
        if (r < 0)
                return r;
        if (!type || !type[0])
                return fail(P, "%sno plugin \"type\"", ctx);
        if (strlen(type) > CNI_MAX_TYPE_LEN || !type_is_valid(type))
                return fail(P, "%splugin type \"%s\" is not a file name", ctx, shown(P, type));
        _cleanup_(nodep) JsonNode *node = json_node_init_object(json_node_alloc(), p);
        if ((r = check_numbers(P, node, ctx)) < 0 || (r = parse_caps(P, p, ctx, &ret->caps)) < 0)
                return r;
        if (!(ret->type = strdup(type)))
                return crio_error_set(P->err, ENOMEM, "%s: out of memory", P->where);
        ret->conf = json_object_ref(p);
        return 0;
}

static int parse_plugins(Parse *P, JsonObject *list, CniNetwork *n) {
        JsonNode *pn = json_object_get_member(list, "plugins");
        if (!pn)
                return fail(P, "no \"plugins\"");
        if (!JSON_NODE_HOLDS_ARRAY(pn))
                return fail(P, "\"plugins\" is not an array");
        JsonArray *a = json_node_get_array(pn);
        guint count = json_array_get_length(a);
        if (count == 0)
                return fail(P, "no plugins in \"plugins\"");
        if (count > CNI_MAX_PLUGINS)
                return fail(P, "more than %d plugins", CNI_MAX_PLUGINS);
        if (!(n->plugins = calloc(count, sizeof *n->plugins)))
                return crio_error_set(P->err, ENOMEM, "%s: out of memory", P->where);
        for (guint i = 0; i < count; i++) {
                char ctx[32];
                snprintf(ctx, sizeof ctx, "plugins[%u]: ", i);
                JsonNode *e = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(e))
                        return fail(P, "%snot an object", ctx);
                n->n_plugins++; /* counted first: unref frees what was filled */
                int r = parse_plugin(P, json_node_get_object(e), ctx, &n->plugins[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A .conf's single plugin made into the list form libcni makes of it: cniVersion and name on
 * the list, the plugin object as it is. The bytes hold the file's own text for the plugin (its
 * numbers as written); name and version need no escaping (checked characters, our own text). */
static int conf_to_list(Parse *P, JsonObject *plugin, const char *data, size_t len, CniNetwork *n) {
        JsonArray *plugins = json_array_sized_new(1);
        json_array_add_object_element(plugins, json_object_ref(plugin));
        n->list = json_object_new();
        json_object_set_string_member(n->list, "cniVersion", n->cni_version);
        json_object_set_string_member(n->list, "name", n->name);
        json_object_set_array_member(n->list, "plugins", plugins);
        json_object_seal(n->list);

        while (len > 0 && strchr(" \t\r\n", data[len - 1]))
                len--;
        while (len > 0 && strchr(" \t\r\n", data[0]))
                data++, len--;
        int k = asprintf(&n->bytes, "{\"cniVersion\":\"%s\",\"name\":\"%s\",\"plugins\":[%.*s]}", n->cni_version, n->name,
                         (int) len, data);
        if (k < 0) {
                n->bytes = NULL;
                return crio_error_set(P->err, ENOMEM, "%s: out of memory", P->where);
        }
        n->len = (size_t) k;
        if (!(n->plugins = calloc(1, sizeof *n->plugins)))
                return crio_error_set(P->err, ENOMEM, "%s: out of memory", P->where);
        n->n_plugins = 1;
        return parse_plugin(P, plugin, "", &n->plugins[0]);
}

static void parser_unrefp(JsonParser **p) {
        if (*p)
                g_object_unref(*p);
}

int cni_network_parse(const char *file, const char *data, size_t len, bool is_list, CniNetwork **ret, CrioError *err) {
        Parse P = { .where = file && file[0] ? file : "CNI configuration", .err = err };
        int r;
        if (len > CNI_MAX_CONFIG_SIZE)
                return fail(&P, "larger than %u bytes", CNI_MAX_CONFIG_SIZE);
        if ((r = json_check(P.where, data, len, CNI_MAX_DEPTH, JSON_CHECK_NUMBER_RANGE, err)) < 0)
                return r;
        _cleanup_(parser_unrefp) JsonParser *parser = json_parser_new_immutable();
        if (!json_parser_load_from_data(parser, data, (gssize) len, NULL))
                return fail(&P, "not valid JSON");
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return fail(&P, "not a JSON object");
        JsonObject *o = json_node_get_object(root);
        const char *name = NULL, *version = NULL;
        if ((r = parse_name(&P, o, &name)) < 0 || (r = parse_version(&P, o, &version)) < 0)
                return r;

        _cleanup_(cni_network_unrefp) CniNetwork *n = calloc(1, sizeof *n);
        if (!n)
                return crio_error_set(err, ENOMEM, "%s: out of memory", P.where);
        n->refs = 1;
        if (!(n->name = strdup(name)) || !(n->cni_version = strdup(version)) || !(n->file = strdup(file ? file : "")))
                return crio_error_set(err, ENOMEM, "%s: out of memory", P.where);
        if (is_list || json_object_has_member(o, "plugins")) {
                n->list = json_object_ref(o);
                if (!(n->bytes = strndup(data, len)))
                        return crio_error_set(err, ENOMEM, "%s: out of memory", P.where);
                n->len = len;
                r = parse_disable_check(&P, o, &n->disable_check);
                if (r >= 0)
                        r = parse_plugins(&P, o, n);
        } else
                r = conf_to_list(&P, o, data, len, n);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(n);
        return 0;
}

CniNetwork *cni_network_ref(CniNetwork *n) {
        if (n)
                __atomic_add_fetch(&n->refs, 1, __ATOMIC_RELAXED);
        return n;
}

void cni_network_unref(CniNetwork *n) {
        if (!n || __atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) > 0)
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

int cni_plugin_find(char *const *plugin_dirs, const char *type, char **ret) {
        if (!type_is_valid(type))
                return -ENOENT;
        for (char *const *d = plugin_dirs; d && *d; d++) {
                _cleanup_free_ char *p = NULL;
                struct stat st;
                if (asprintf(&p, "%s%s%s", *d, str_endswith(*d, "/") ? "" : "/", type) < 0)
                        return -ENOMEM;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
                        *ret = TAKE_PTR(p);
                        return 0;
                }
        }
        return -ENOENT;
}
