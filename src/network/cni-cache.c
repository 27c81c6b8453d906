/* See cni-cache.h. */
#include "network/cni-cache.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

static int results_dir(const char *cache_dir, char **ret, CrioError *err) {
        if (asprintf(ret, "%s/results", cache_dir) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* <network>-<id>-<ifname>, the name libcni gives an entry. */
static int entry_name(const char *network, const char *id, const char *ifname, char **ret, CrioError *err) {
        if (!cni_name_valid(network))
                return crio_error_set(err, EINVAL, "invalid network name \"%s\" for the CNI cache", network);
        if (!cni_name_valid(id))
                return crio_error_set(err, EINVAL, "invalid container ID \"%s\" for the CNI cache", id);
        if (asprintf(ret, "%s-%s-%s", network, id, ifname) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (strlen(*ret) > NAME_MAX) {
                free(*ret);
                *ret = NULL;
                return crio_error_set(err, ENAMETOOLONG, "CNI cache entry name for network %s and pod %s is too long",
                                      network, id);
        }
        return 0;
}

int cni_cache_write(const char *cache_dir, const CniNetwork *net, const CniAttachment *a, JsonNode *result,
                    CrioError *err) {
        _cleanup_free_ char *dir = NULL, *name = NULL, *path = NULL;
        int r = entry_name(net->name, a->container_id, CNI_IFNAME, &name, err);
        if (r < 0 || (r = results_dir(cache_dir, &dir, err)) < 0)
                return r;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *config = g_base64_encode((const guchar *) net->bytes, net->len);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, CNI_CACHE_KIND);
        json_builder_set_member_name(b, "containerId");
        json_builder_add_string_value(b, a->container_id);
        json_builder_set_member_name(b, "config");
        json_builder_add_string_value(b, config);
        json_builder_set_member_name(b, "ifName");
        json_builder_add_string_value(b, CNI_IFNAME);
        json_builder_set_member_name(b, "networkName");
        json_builder_add_string_value(b, net->name);
        if (a->netns) {
                json_builder_set_member_name(b, "netns");
                json_builder_add_string_value(b, a->netns);
        }
        if (a->cni_args[0]) {
                json_builder_set_member_name(b, "cniArgs");
                json_builder_begin_array(b);
                for (size_t i = 0; a->cni_args[i] && a->cni_args[i + 1]; i += 2) {
                        json_builder_begin_array(b);
                        json_builder_add_string_value(b, a->cni_args[i]);
                        json_builder_add_string_value(b, a->cni_args[i + 1]);
                        json_builder_end_array(b);
                }
                json_builder_end_array(b);
        }
        if (json_object_get_size(a->capability_args) > 0) {
                JsonNode *caps = json_node_new(JSON_NODE_OBJECT);
                json_node_set_object(caps, a->capability_args);
                json_builder_set_member_name(b, "capabilityArgs");
                json_builder_add_value(b, caps);
        }
        if (result) {
                json_builder_set_member_name(b, "result");
                json_builder_add_value(b, json_node_copy(result));
        }
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autoptr(JsonGenerator) g = json_generator_new();
        json_generator_set_root(g, root);
        gsize len = 0;
        g_autofree char *text = json_generator_to_data(g, &len);
        if ((r = mkdir_p(dir, 0700, err)) < 0 || (r = write_file_atomic(path, text, len, 0600, err)) < 0)
                crio_error_prefix(err, "caching the CNI result of pod %s: ", a->container_id);
        return r;
}

/* Decodes standard, padded base64 (what Go writes for []byte), refusing anything else. */
static int base64_decode_strict(const char *s, char **ret, size_t *ret_len) {
        size_t len = strlen(s);
        if (len % 4 != 0)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                          c == '/' || (c == '=' && (i == len - 1 || (i == len - 2 && s[len - 1] == '=')));
                if (!ok)
                        return -EINVAL;
        }
        gsize n = 0;
        guchar *bin = g_base64_decode(len ? s : "", &n);
        char *text = malloc(n + 1);
        if (!text) {
                g_free(bin);
                return -ENOMEM;
        }
        memcpy(text, bin, n);
        text[n] = '\0';
        g_free(bin);
        *ret = text;
        *ret_len = n;
        return 0;
}

static int parse_args(JsonObject *o, CniAttachment *a, CrioError *err) {
        JsonNode *n = json_object_get_member(o, "cniArgs");
        if (!n || JSON_NODE_HOLDS_NULL(n))
                return 0;
        JsonArray *pairs = JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
        if (!pairs || json_array_get_length(pairs) > CNI_MAX_ARGS)
                return crio_error_set(err, EINVAL, "cache entry: \"cniArgs\" is not an array of at most %d pairs",
                                      CNI_MAX_ARGS);
        for (guint i = 0; i < json_array_get_length(pairs); i++) {
                JsonNode *e = json_array_get_element(pairs, i);
                JsonArray *pair = JSON_NODE_HOLDS_ARRAY(e) ? json_node_get_array(e) : NULL;
                if (!pair || json_array_get_length(pair) != 2)
                        return crio_error_set(err, EINVAL, "cache entry: cniArgs[%u] is not a pair", i);
                for (guint j = 0; j < 2; j++) {
                        JsonNode *s = json_array_get_element(pair, j);
                        if (!JSON_NODE_HOLDS_VALUE(s) || json_node_get_value_type(s) != G_TYPE_STRING ||
                            strlen(json_node_get_string(s)) > CNI_RESULT_MAX_PATH)
                                return crio_error_set(err, EINVAL, "cache entry: cniArgs[%u] is not a pair of strings",
                                                      i);
                        if (strv_push(&a->cni_args, json_node_get_string(s)) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                }
        }
        return 0;
}

static int parse_fields(JsonObject *o, const char **ret_id, CniAttachment *a, CrioError *err) {
        const char *kind = NULL, *id = NULL, *ifname = NULL, *network = NULL, *config = NULL, *netns = NULL;
        int r;
        if ((r = cni_json_get_string(o, "cache entry", "kind", CNI_RESULT_MAX_NAME, &kind, err)) < 0 ||
            (r = cni_json_get_string(o, "cache entry", "containerId", NAME_MAX, &id, err)) < 0 ||
            (r = cni_json_get_string(o, "cache entry", "ifName", CNI_RESULT_MAX_NAME, &ifname, err)) < 0 ||
            (r = cni_json_get_string(o, "cache entry", "networkName", NAME_MAX, &network, err)) < 0 ||
            (r = cni_json_get_string(o, "cache entry", "config", CNI_MAX_CONFIG_SIZE / 3 * 4 + 4, &config, err)) < 0 ||
            (r = cni_json_get_string(o, "cache entry", "netns", CNI_RESULT_MAX_PATH, &netns, err)) < 0)
                return r;
        if (!kind || strcmp(kind, CNI_CACHE_KIND) != 0)
                return crio_error_set(err, EINVAL, "cache entry: kind is not \"%s\"", CNI_CACHE_KIND);
        if (!cni_name_valid(id) || !cni_name_valid(network))
                return crio_error_set(err, EINVAL, "cache entry: invalid or missing containerId or networkName");
        if (!ifname || strcmp(ifname, CNI_IFNAME) != 0)
                return crio_error_set(err, EINVAL, "cache entry: ifName is not \"%s\"", CNI_IFNAME);
        if (!config)
                return crio_error_set(err, EINVAL, "cache entry: no config");
        if ((r = base64_decode_strict(config, &a->config, &a->config_len)) < 0)
                return r == -ENOMEM ? crio_error_set(err, ENOMEM, "out of memory")
                                    : crio_error_set(err, EINVAL, "cache entry: config is not base64");
        if (!(a->network_name = strdup(network)) || (netns && netns[0] && !(a->netns = strdup(netns))))
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_id = id;
        return 0;
}

int cni_cache_parse(const char *data, size_t len, CniAttachment **ret, CrioError *err) {
        g_autoptr(JsonNode) root = NULL;
        _cleanup_(cni_attachment_freep) CniAttachment *a = NULL;
        int r = cni_json_parse_object("cache entry", data, len, CNI_CACHE_MAX_SIZE, CNI_CACHE_MAX_DEPTH, &root, err);
        if (r < 0)
                return r;
        JsonObject *o = json_node_get_object(root);
        const char *id = NULL;
        if ((r = cni_attachment_new("", NULL, &a, err)) < 0 || (r = parse_fields(o, &id, a, err)) < 0 ||
            (r = parse_args(o, a, err)) < 0)
                return r;
        free(a->container_id);
        if (!(a->container_id = strdup(id)))
                return crio_error_set(err, ENOMEM, "out of memory");
        JsonNode *caps = json_object_get_member(o, "capabilityArgs");
        if (caps && !JSON_NODE_HOLDS_NULL(caps)) {
                if (!JSON_NODE_HOLDS_OBJECT(caps))
                        return crio_error_set(err, EINVAL, "cache entry: capabilityArgs is not an object");
                json_object_unref(a->capability_args);
                a->capability_args = json_object_ref(json_node_get_object(caps));
        }
        JsonNode *result = json_object_get_member(o, "result");
        if (result && !JSON_NODE_HOLDS_NULL(result)) {
                if ((r = cni_result_ips(result, NULL, err)) < 0) {
                        crio_error_prefix(err, "cache entry: ");
                        return r;
                }
                a->result = json_node_copy(result);
        }
        *ret = TAKE_PTR(a);
        return 0;
}

int cni_cache_load(const char *path, const char *id, CniAttachment **ret, CrioError *err) {
        _cleanup_free_ char *data = NULL, *name = NULL;
        _cleanup_(cni_attachment_freep) CniAttachment *a = NULL;
        size_t len = 0;
        int r = read_file(path, CNI_CACHE_MAX_SIZE, &data, &len, err);
        if (r < 0)
                return r;
        if ((r = cni_cache_parse(data, len, &a, err)) < 0 ||
            (r = entry_name(a->network_name, a->container_id, CNI_IFNAME, &name, err)) < 0) {
                crio_error_prefix(err, "%s: ", path);
                return r;
        }
        const char *base = strrchr(path, '/');
        if (strcmp(base ? base + 1 : path, name) != 0)
                return crio_error_set(err, EINVAL, "%s: the entry is for network %s and pod %s", path, a->network_name,
                                      a->container_id);
        if (strcmp(a->container_id, id) != 0)
                return crio_error_set(err, ENOENT, "%s: the entry is pod %s's, not %s's", path, a->container_id, id);
        *ret = TAKE_PTR(a);
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int cni_cache_find(const char *cache_dir, const char *id, char ***ret_paths, CrioError *err) {
        if (!cni_name_valid(id))
                return crio_error_set(err, EINVAL, "invalid container ID \"%s\"", id);
        _cleanup_free_ char *dir = NULL, *suffix = NULL;
        _cleanup_strv_free_ char **paths = calloc(1, sizeof(char *));
        int r = results_dir(cache_dir, &dir, err);
        if (r < 0)
                return r;
        if (!paths || asprintf(&suffix, "-%s-%s", id, CNI_IFNAME) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d && errno != ENOENT)
                return crio_error_set_errno(err, errno, "opening %s", dir);
        size_t n = 0, slen = strlen(suffix);
        for (struct dirent *de; d && n < CNI_CACHE_MAX_ENTRIES && (de = readdir(d));) {
                size_t len = strlen(de->d_name);
                if (de->d_name[0] == '.' || len <= slen || strcmp(de->d_name + len - slen, suffix) != 0)
                        continue;
                if (strv_consume(&paths, g_strdup_printf("%s/%s", dir, de->d_name)) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                n++;
        }
        qsort(paths, n, sizeof(char *), cmp_str);
        *ret_paths = TAKE_PTR(paths);
        return 0;
}

int cni_cache_remove(const char *path, CrioError *err) {
        if (unlink(path) < 0 && errno != ENOENT)
                return crio_error_set_errno(err, errno, "removing %s", path);
        return 0;
}
