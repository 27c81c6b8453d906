/* See cni-attach.h: the arguments of a pod's attachment, and a plugin's environment and stdin. */
#include "network/cni-attach.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define BANDWIDTH_BURST INT32_MAX /* what ocicni gives as burst for a rate */

void cni_attachment_free(CniAttachment *a) {
        if (!a)
                return;
        free(a->container_id);
        free(a->netns);
        strv_free(a->cni_args);
        if (a->capability_args)
                json_object_unref(a->capability_args);
        free(a->network_name);
        free(a->config);
        if (a->result)
                json_node_unref(a->result);
        free(a);
}

int cni_attachment_new(const char *container_id, const char *netns, CniAttachment **ret, CrioError *err) {
        _cleanup_(cni_attachment_freep) CniAttachment *a = calloc(1, sizeof *a);
        if (!a || !(a->container_id = strdup(container_id)) || (netns && netns[0] && !(a->netns = strdup(netns))) ||
            !(a->cni_args = calloc(1, sizeof(char *))))
                return crio_error_set(err, ENOMEM, "out of memory");
        a->capability_args = json_object_new();
        *ret = TAKE_PTR(a);
        return 0;
}

static JsonNode *int_node(int64_t v) {
        JsonNode *n = json_node_new(JSON_NODE_VALUE);
        json_node_set_int(n, v);
        return n;
}

static JsonNode *str_node(const char *s) {
        JsonNode *n = json_node_new(JSON_NODE_VALUE);
        json_node_set_string(n, s ? s : "");
        return n;
}

static JsonNode *object_node(JsonObject *o) {
        JsonNode *n = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(n, o);
        return n;
}

static JsonNode *array_node(JsonArray *a) {
        JsonNode *n = json_node_new(JSON_NODE_ARRAY);
        json_node_take_array(n, a);
        return n;
}

static JsonNode *port_mappings(const CniPortMapping *ports, size_t n) {
        JsonArray *a = json_array_sized_new((guint) n);
        for (size_t i = 0; i < n; i++) {
                JsonObject *o = json_object_new();
                char proto[16] = "";
                const char *p = ports[i].protocol ? ports[i].protocol : "";
                for (size_t j = 0; p[j] && j + 1 < sizeof proto; j++)
                        proto[j] = (char) tolower((unsigned char) p[j]);
                json_object_set_member(o, "hostPort", int_node(ports[i].host_port));
                json_object_set_member(o, "containerPort", int_node(ports[i].container_port));
                json_object_set_member(o, "protocol", str_node(proto));
                json_object_set_member(o, "hostIP", str_node(ports[i].host_ip));
                json_array_add_element(a, object_node(o));
        }
        return array_node(a);
}

static JsonNode *bandwidth(uint64_t ingress, uint64_t egress) {
        JsonObject *o = json_object_new();
        if (ingress > 0) {
                json_object_set_member(o, "ingressRate", int_node(ingress > INT64_MAX ? INT64_MAX : (int64_t) ingress));
                json_object_set_member(o, "ingressBurst", int_node(BANDWIDTH_BURST));
        }
        if (egress > 0) {
                json_object_set_member(o, "egressRate", int_node(egress > INT64_MAX ? INT64_MAX : (int64_t) egress));
                json_object_set_member(o, "egressBurst", int_node(BANDWIDTH_BURST));
        }
        return object_node(o);
}

/* [[{"subnet": cidr}]]: one range set with one range. */
static JsonNode *ip_ranges(const char *cidr) {
        JsonObject *range = json_object_new();
        json_object_set_member(range, "subnet", str_node(cidr));
        JsonArray *set = json_array_new(), *sets = json_array_new();
        json_array_add_element(set, object_node(range));
        json_array_add_element(sets, array_node(set));
        return array_node(sets);
}

int cni_attachment_from_pod(const CniPod *pod, CniAttachment **ret, CrioError *err) {
        _cleanup_(cni_attachment_freep) CniAttachment *a = NULL;
        int r = cni_attachment_new(pod->id, pod->netns, &a, err);
        if (r < 0)
                return r;
        const char *args[] = { "IgnoreUnknown", "1", "K8S_POD_NAMESPACE", pod->namespace_, "K8S_POD_NAME", pod->name,
                               "K8S_POD_INFRA_CONTAINER_ID", pod->id, "K8S_POD_UID", pod->uid };
        for (size_t i = 0; i < ELEMENTSOF(args); i++)
                if (strv_push(&a->cni_args, args[i] ? args[i] : "") < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        JsonObject *caps = a->capability_args;
        if (pod->n_ports > 0)
                json_object_set_member(caps, "portMappings", port_mappings(pod->ports, pod->n_ports));
        if (pod->ingress_rate > 0 || pod->egress_rate > 0)
                json_object_set_member(caps, "bandwidth", bandwidth(pod->ingress_rate, pod->egress_rate));
        if (pod->ip_range && pod->ip_range[0])
                json_object_set_member(caps, "ipRanges", ip_ranges(pod->ip_range));
        if (pod->cgroup_parent && pod->cgroup_parent[0])
                json_object_set_member(caps, "cgroupPath", str_node(pod->cgroup_parent));
        *ret = TAKE_PTR(a);
        return 0;
}

/* "NAME=" followed by the strings of v joined with sep; pairs: "k=v" items. */
static char *env_join(const char *name, char *const *v, char sep, bool pairs) {
        GString *s = g_string_new(name);
        g_string_append_c(s, '=');
        for (size_t i = 0; v && v[i]; i++) {
                if (i > 0)
                        g_string_append_c(s, pairs && i % 2 == 1 ? '=' : sep);
                g_string_append(s, v[i]);
        }
        return g_string_free(s, FALSE);
}

char **cni_plugin_env(const char *command, const CniAttachment *a, char *const *plugin_dirs) {
        const char *path = getenv("PATH");
        _cleanup_strv_free_ char **env = calloc(1, sizeof(char *));
        if (!env)
                return NULL;
        /* glib's allocations abort rather than fail */
        char *items[] = {
                g_strdup_printf("CNI_COMMAND=%s", command),
                g_strdup_printf("CNI_CONTAINERID=%s", a->container_id),
                g_strdup_printf("CNI_NETNS=%s", a->netns ? a->netns : ""),
                g_strdup_printf("CNI_IFNAME=%s", CNI_IFNAME),
                env_join("CNI_PATH", plugin_dirs, ':', false),
                env_join("CNI_ARGS", a->cni_args, ';', true),
                g_strdup_printf("PATH=%s", path && path[0] ? path : DEFAULT_PATH),
        };
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(items); i++)
                if (r < 0)
                        free(items[i]);
                else
                        r = strv_consume(&env, items[i]);
        return r < 0 ? NULL : TAKE_PTR(env);
}

/* A copy made with getters only: a network's objects are shared between threads, and
 * json-glib's reference counts are not atomic, so they are never referenced from a call. */
static JsonNode *deep_copy(JsonNode *n) {
        switch (JSON_NODE_TYPE(n)) {
        case JSON_NODE_OBJECT: {
                JsonObject *src = json_node_get_object(n), *dst = json_object_new();
                GList *names = json_object_get_members(src);
                for (GList *l = names; l; l = l->next)
                        json_object_set_member(dst, l->data, deep_copy(json_object_get_member(src, l->data)));
                g_list_free(names);
                return object_node(dst);
        }
        case JSON_NODE_ARRAY: {
                JsonArray *src = json_node_get_array(n);
                guint len = json_array_get_length(src);
                JsonArray *dst = json_array_sized_new(len);
                for (guint i = 0; i < len; i++)
                        json_array_add_element(dst, deep_copy(json_array_get_element(src, i)));
                return array_node(dst);
        }
        case JSON_NODE_VALUE: {
                JsonNode *c = json_node_new(JSON_NODE_VALUE);
                GValue v = G_VALUE_INIT;
                json_node_get_value(n, &v);
                json_node_set_value(c, &v);
                g_value_unset(&v);
                return c;
        }
        case JSON_NODE_NULL:
        default:
                return json_node_new(JSON_NODE_NULL);
        }
}

int cni_plugin_stdin(const CniNetwork *net, const CniPlugin *plugin, const CniAttachment *a, JsonNode *prev_result,
                     char **ret, size_t *ret_len, CrioError *err) {
        JsonObject *rc = json_object_new();
        for (char **cap = plugin->caps; cap && *cap; cap++) {
                JsonNode *v = json_object_get_member(a->capability_args, *cap);
                if (v)
                        json_object_set_member(rc, *cap, deep_copy(v));
        }
        bool inject_rc = json_object_get_size(rc) > 0;
        JsonObject *o = json_object_new();
        json_object_set_member(o, "cniVersion", str_node(net->cni_version));
        json_object_set_member(o, "name", str_node(net->name));
        GList *names = json_object_get_members(plugin->conf);
        for (GList *l = names; l; l = l->next) {
                const char *name = l->data;
                if (strcmp(name, "cniVersion") == 0 || strcmp(name, "name") == 0 ||
                    (prev_result && strcmp(name, "prevResult") == 0) ||
                    (inject_rc && strcmp(name, "runtimeConfig") == 0))
                        continue;
                json_object_set_member(o, name, deep_copy(json_object_get_member(plugin->conf, name)));
        }
        g_list_free(names);
        if (prev_result)
                json_object_set_member(o, "prevResult", deep_copy(prev_result));
        if (inject_rc)
                json_object_set_member(o, "runtimeConfig", object_node(rc));
        else
                json_object_unref(rc);
        g_autoptr(JsonNode) root = object_node(o);
        g_autoptr(JsonGenerator) g = json_generator_new();
        json_generator_set_root(g, root);
        gsize len = 0;
        char *text = json_generator_to_data(g, &len);
        if (!text)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = text;
        *ret_len = len;
        return 0;
}
