#include "cni-ready.h"

#include <dirent.h>
#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool plugin_exists(const char *type, char *const *plugin_dirs) {
        if (!type || !type[0] || strchr(type, '/') || strcmp(type, ".") == 0 || strcmp(type, "..") == 0)
                return false;
        for (char *const *d = plugin_dirs; d && *d; d++) {
                _cleanup_free_ char *p = NULL;
                struct stat st;
                if (asprintf(&p, "%s/%s", *d, type) < 0)
                        return false;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
                        return true;
        }
        return false;
}

/* Checks one file; returns true if usable, else sets *why. */
static bool check_file(const char *path, bool is_list, char *const *plugin_dirs, char **ret_name, char **why) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        if (read_file(path, CNI_MAX_CONFIG_SIZE, &buf, &len, &err) < 0) {
                *why = TAKE_PTR(err.msg);
                return false;
        }
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GError) gerr = NULL;
        if (!json_parser_load_from_data(parser, buf, (gssize) len, &gerr)) {
                asprintf(why, "%s: invalid JSON: %s", path, gerr->message);
                return false;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
                asprintf(why, "%s: not a JSON object", path);
                return false;
        }
        JsonObject *o = json_node_get_object(root);
        const char *name = json_object_has_member(o, "name") ? json_object_get_string_member(o, "name") : NULL;
        if (!name || !name[0]) {
                asprintf(why, "%s: no network name", path);
                return false;
        }
        JsonArray *plugins = NULL;
        if (is_list) {
                JsonNode *pn = json_object_get_member(o, "plugins");
                if (!pn || !JSON_NODE_HOLDS_ARRAY(pn) || json_array_get_length(json_node_get_array(pn)) == 0) {
                        asprintf(why, "%s: no plugins", path);
                        return false;
                }
                plugins = json_node_get_array(pn);
        }
        guint n = plugins ? json_array_get_length(plugins) : 1;
        for (guint i = 0; i < n; i++) {
                JsonObject *p = o;
                if (plugins) {
                        JsonNode *e = json_array_get_element(plugins, i);
                        if (!JSON_NODE_HOLDS_OBJECT(e)) {
                                asprintf(why, "%s: plugin %u is not an object", path, i);
                                return false;
                        }
                        p = json_node_get_object(e);
                }
                JsonNode *tn = json_object_get_member(p, "type");
                const char *type = tn && JSON_NODE_HOLDS_VALUE(tn) && json_node_get_value_type(tn) == G_TYPE_STRING
                                           ? json_node_get_string(tn)
                                           : NULL;
                if (!type) {
                        asprintf(why, "%s: a plugin has no type", path);
                        return false;
                }
                if (!plugin_exists(type, plugin_dirs)) {
                        asprintf(why, "%s: plugin \"%s\" not found in the plugin directories", path, type);
                        return false;
                }
        }
        *ret_name = strdup(name);
        return *ret_name != NULL;
}

int cni_network_ready(const char *dir, char *const *plugin_dirs, const char *default_network, char **ret_network,
                      char **ret_message) {
        _cleanup_strv_free_ char **files = NULL;
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (d) {
                struct dirent *de;
                while ((de = readdir(d)))
                        if (str_endswith(de->d_name, ".conf") || str_endswith(de->d_name, ".conflist") ||
                            str_endswith(de->d_name, ".json"))
                                if (strv_push(&files, de->d_name) < 0)
                                        return -ENOMEM;
        }
        size_t n = strv_length(files);
        if (n > 1)
                qsort(files, n, sizeof(char *), cmp_str);

        _cleanup_free_ char *last_why = NULL;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL, *name = NULL, *why = NULL;
                if (asprintf(&path, "%s%s%s", dir, str_endswith(dir, "/") ? "" : "/", files[i]) < 0)
                        return -ENOMEM;
                if (!check_file(path, str_endswith(files[i], ".conflist"), plugin_dirs, &name, &why)) {
                        free(last_why);
                        last_why = TAKE_PTR(why);
                        continue;
                }
                if (default_network && default_network[0] && strcmp(name, default_network) != 0)
                        continue;
                if (ret_network)
                        *ret_network = TAKE_PTR(name);
                return 1;
        }
        if (ret_message) {
                if (default_network && default_network[0])
                        asprintf(ret_message, "no usable CNI configuration for network \"%s\" in %s%s%s", default_network,
                                 dir, last_why ? ": " : "", last_why ? last_why : "");
                else if (last_why)
                        asprintf(ret_message, "no usable CNI configuration in %s: %s", dir, last_why);
                else
                        asprintf(ret_message, "no CNI configuration file in %s", dir);
        }
        return 0;
}
