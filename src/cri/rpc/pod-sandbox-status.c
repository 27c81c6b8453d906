/* RuntimeService/PodSandboxStatus: one pod by ID (or unique prefix); with verbose, info["info"]
 * holds the infra container's pid, the pinned namespaces and the runtime handler as JSON. */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/pod-convert.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"

static char *verbose_info(Rt *rt, const RtSandbox *s) {
        RtContainer *infra = g_hash_table_lookup(rt->containers, s->id);
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "pid");
        json_builder_add_int_value(b, infra && infra->state == RT_CTR_RUNNING ? infra->pid : 0);
        json_builder_set_member_name(b, "runtimeHandler");
        json_builder_add_string_value(b, s->runtime_handler);
        json_builder_set_member_name(b, "netns");
        json_builder_add_string_value(b, s->netns_path ? s->netns_path : "");
        json_builder_set_member_name(b, "ipcns");
        json_builder_add_string_value(b, s->ipcns_path ? s->ipcns_path : "");
        json_builder_set_member_name(b, "utsns");
        json_builder_add_string_value(b, s->utsns_path ? s->utsns_path : "");
        json_builder_set_member_name(b, "shm");
        json_builder_add_string_value(b, s->shm_path ? s->shm_path : "");
        json_builder_set_member_name(b, "hostname");
        json_builder_add_string_value(b, s->hostname ? s->hostname : "");
        json_builder_set_member_name(b, "cgroupParent");
        json_builder_add_string_value(b, s->cgroup_parent ? s->cgroup_parent : "");
        json_builder_set_member_name(b, "image");
        json_builder_add_string_value(b, infra && infra->image ? infra->image : "");
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, s->name);
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        gchar *t = json_to_string(root, FALSE);
        char *out = t ? strdup(t) : NULL;
        g_free(t);
        return out;
}

int cri_rpc_pod_sandbox_status(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                               CrioError *err) {
        const Runtime__V1__PodSandboxStatusRequest *r = (const Runtime__V1__PodSandboxStatusRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "PodSandboxStatus: no pod runtime in this service");
        if (!r->pod_sandbox_id || !r->pod_sandbox_id[0])
                return crio_error_set(err, EINVAL, "PodSandboxStatus: pod_sandbox_id is empty");
        Runtime__V1__PodSandboxStatusResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__pod_sandbox_status_response__init(resp);
        Rt *rt = svc->rt;
        pthread_mutex_lock(&rt->lock);
        RtSandbox *s = NULL;
        int k = rt_find_sandbox_locked(rt, r->pod_sandbox_id, &s, err);
        if (k >= 0) {
                resp->status = cri_pod_status_new(s);
                resp->timestamp = rt_now();
                if (!resp->status)
                        k = crio_error_set(err, ENOMEM, "out of memory");
        }
        if (k >= 0 && r->verbose) {
                Runtime__V1__PodSandboxStatusResponse__InfoEntry *e = malloc(sizeof *e);
                resp->info = calloc(1, sizeof(void *));
                if (e)
                        runtime__v1__pod_sandbox_status_response__info_entry__init(e);
                if (e && resp->info) {
                        resp->info[resp->n_info++] = e;
                        e->key = strdup("info");
                        e->value = verbose_info(rt, s);
                } else
                        free(e);
                if (!e || !resp->info || !e->key || !e->value)
                        k = crio_error_set(err, ENOMEM, "out of memory");
        }
        pthread_mutex_unlock(&rt->lock);
        if (k < 0) {
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return k;
        }
        *ret_resp = &resp->base;
        return 0;
}
