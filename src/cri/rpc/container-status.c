/* RuntimeService/ContainerStatus: one container by ID (or unique prefix); with verbose,
 * info["info"] holds its pid, bundle, runtime and the OCI spec. */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/pod-convert.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/fileio.h"

#define SPEC_MAX (4u * 1024u * 1024u)

static char *verbose_info(const RtContainer *c, const char *spec) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "pid");
        json_builder_add_int_value(b, c->state == RT_CTR_RUNNING ? c->pid : 0);
        json_builder_set_member_name(b, "sandboxID");
        json_builder_add_string_value(b, c->sandbox_id);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, c->name);
        json_builder_set_member_name(b, "bundle");
        json_builder_add_string_value(b, c->bundle);
        json_builder_set_member_name(b, "runtimeHandler");
        json_builder_add_string_value(b, c->runtime_handler);
        json_builder_set_member_name(b, "runtimePath");
        json_builder_add_string_value(b, c->runtime_path);
        json_builder_set_member_name(b, "oomKilled");
        json_builder_add_boolean_value(b, c->oom);
        if (spec) {
                g_autoptr(JsonParser) p = json_parser_new();
                if (json_parser_load_from_data(p, spec, -1, NULL)) {
                        json_builder_set_member_name(b, "runtimeSpec");
                        json_builder_add_value(b, json_node_copy(json_parser_get_root(p)));
                }
        }
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        gchar *t = json_to_string(root, FALSE);
        char *out = t ? strdup(t) : NULL;
        g_free(t);
        return out;
}

int cri_rpc_container_status(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__ContainerStatusRequest *r = (const Runtime__V1__ContainerStatusRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "ContainerStatus: no pod runtime in this service");
        if (!r->container_id || !r->container_id[0])
                return crio_error_set(err, EINVAL, "ContainerStatus: container_id is empty");
        Rt *rt = svc->rt;
        _cleanup_(rt_container_unrefp) RtContainer *c = NULL;
        pthread_mutex_lock(&rt->lock);
        int k = rt_find_container_locked(rt, r->container_id, false, &c, err);
        if (k >= 0)
                rt_container_ref(c);
        else
                c = NULL;
        pthread_mutex_unlock(&rt->lock);
        if (k < 0)
                return k;
        _cleanup_free_ char *spec = NULL;
        if (r->verbose) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/config.json", c->bundle) >= 0)
                        (void) read_file(path, SPEC_MAX, &spec, NULL, NULL);
        }
        Runtime__V1__ContainerStatusResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__container_status_response__init(resp);
        pthread_mutex_lock(&rt->lock);
        resp->status = cri_container_status_new(c);
        if (resp->status && r->verbose) {
                Runtime__V1__ContainerStatusResponse__InfoEntry *e = malloc(sizeof *e);
                resp->info = calloc(1, sizeof(void *));
                if (e && resp->info) {
                        runtime__v1__container_status_response__info_entry__init(e);
                        resp->info[resp->n_info++] = e;
                        e->key = strdup("info");
                        e->value = verbose_info(c, spec);
                        if (!e->key || !e->value)
                                k = -ENOMEM;
                } else {
                        free(e);
                        k = -ENOMEM;
                }
        }
        pthread_mutex_unlock(&rt->lock);
        if (!resp->status || k < 0) {
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret_resp = &resp->base;
        return 0;
}
