/* crictl's config files (pod-config.json, container-config.json) and the inspect output
 * shape shared by inspect and inspectp. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cri/pbjson.h"
#include "crioctl.h"
#include "util/cleanup.h"
#include "util/fileio.h"

static int load(const char *path, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **ret) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_file(path, CRI_JSON_MAX_SIZE, &data, &len, &err);
        if (r == -ENOENT) {
                fprintf(stderr, "crioctl: config at %s not found\n", path);
                return r;
        }
        if (r >= 0)
                r = cri_message_from_json_data(data, len, desc, ret, &err);
        if (r < 0)
                fprintf(stderr, "crioctl: %s: %s\n", path, err.msg ? err.msg : strerror(-r));
        return r;
}

static int random_uuid(char **ret) {
        _cleanup_(crio_error_clear) CrioError err = {};
        char *s = NULL;
        size_t len = 0;
        int r = read_file("/proc/sys/kernel/random/uuid", 64, &s, &len, &err);
        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = '\0';
        *ret = s;
        return 0;
}

int crioctl_load_pod_config(const char *path, Runtime__V1__PodSandboxConfig **ret) {
        ProtobufCMessage *m = NULL;
        int r = load(path, &runtime__v1__pod_sandbox_config__descriptor, &m);
        if (r < 0)
                return r;
        Runtime__V1__PodSandboxConfig *p = (Runtime__V1__PodSandboxConfig *) m;
        const char *problem = NULL;
        if (!p->metadata)
                problem = "metadata is not set";
        else if (!p->metadata->name[0] || !p->metadata->namespace_[0])
                problem = "name or namespace is not in metadata";
        else if (!p->metadata->uid[0]) {
                char *uid = NULL;
                if (random_uuid(&uid) < 0)
                        problem = "cannot make a uid for the pod";
                else
                        p->metadata->uid = uid; /* the empty default is not freed */
        }
        if (problem) {
                fprintf(stderr, "crioctl: %s: %s\n", path, problem);
                protobuf_c_message_free_unpacked(m, NULL);
                return -EINVAL;
        }
        *ret = p;
        return 0;
}

int crioctl_load_container_config(const char *path, Runtime__V1__ContainerConfig **ret) {
        ProtobufCMessage *m = NULL;
        int r = load(path, &runtime__v1__container_config__descriptor, &m);
        if (r < 0)
                return r;
        Runtime__V1__ContainerConfig *c = (Runtime__V1__ContainerConfig *) m;
        const char *problem = NULL;
        if (!c->metadata)
                problem = "metadata is not set";
        else if (!c->metadata->name[0])
                problem = "name is not in metadata";
        else if (!c->image)
                problem = "image is not set";
        else if (!c->image->image[0])
                problem = "image field is not set in image";
        if (problem) {
                fprintf(stderr, "crioctl: %s: %s\n", path, problem);
                protobuf_c_message_free_unpacked(m, NULL);
                return -EINVAL;
        }
        *ret = c;
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* A CRI info value as crictl shows it: a value starting with '{' is a JSON object, anything
 * else a string with its surrounding double quotes removed. */
static JsonNode *info_value(const char *v) {
        JsonNode *n = v[0] == '{' ? json_from_string(v, NULL) : NULL;
        if (n && JSON_NODE_HOLDS_OBJECT(n))
                return n;
        if (n)
                json_node_unref(n);
        const char *b = v, *e = v + strlen(v);
        while (b < e && *b == '"')
                b++;
        while (e > b && e[-1] == '"')
                e--;
        g_autofree gchar *t = g_strndup(b, (gsize) (e - b));
        n = json_node_new(JSON_NODE_VALUE);
        json_node_set_string(n, t);
        return n;
}

JsonNode *crioctl_status_json(JsonNode *status, void *const *info_entries, size_t n_info) {
        /* crictl puts "status" and the info keys in one object, keys sorted (a Go map) */
        _cleanup_free_ const char **keys = calloc(n_info + 1, sizeof *keys);
        JsonObject *o = json_object_new();
        size_t n = 0;
        if (keys) {
                keys[n++] = "status";
                for (size_t i = 0; i < n_info; i++) {
                        const char *k = ((Runtime__V1__PodSandboxStatusResponse__InfoEntry *) info_entries[i])->key;
                        if (strcmp(k, "status") != 0)
                                keys[n++] = k;
                }
                qsort(keys, n, sizeof *keys, cmp_str);
        }
        for (size_t i = 0; i < n; i++) {
                if (strcmp(keys[i], "status") == 0)
                        json_object_set_member(o, "status", json_node_ref(status));
                else if (!json_object_has_member(o, keys[i]))
                        json_object_set_member(o, keys[i], info_value(map_lookup(info_entries, n_info, keys[i])));
        }
        json_node_unref(status);
        JsonNode *root = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(root, o);
        return root;
}
