/* RuntimeService/Status: RuntimeReady and NetworkReady, honestly; with verbose, the
 * effective configuration as JSON under info["config"] and the pod CIDR the kubelet gave
 * (UpdateRuntimeConfig) under info["podCIDR"]. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "network/cni.h"
#include "oci/runtime-path.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* What the handler needs from the configuration, copied under the lock. */
typedef struct StatusInputs {
        CrioRuntimeHandler runtime; /* borrowed strings from copies below */
        char *runtime_name, *runtime_path;
        struct Cni *cni; /* borrowed; NULL: networking never ready */
        char **handler_names;
        char *config_json;
        char *pod_cidr; /* from UpdateRuntimeConfig, NULL until given */
} StatusInputs;

static void status_inputs_done(StatusInputs *in) {
        free(in->runtime_name);
        free(in->runtime_path);
        strv_free(in->handler_names);
        free(in->config_json);
        free(in->pod_cidr);
}

static int status_inputs_get(CriService *svc, bool verbose, StatusInputs *in, CrioError *err) {
        int r = 0;
        pthread_mutex_lock(&svc->lock);
        const CrioConfig *c = svc->config;
        const CrioRuntimeHandler *h = config_find_runtime(c, c->default_runtime);
        in->runtime_name = strdup(c->default_runtime);
        in->runtime_path = strdup(h && h->runtime_path ? h->runtime_path : "");
        in->cni = svc->cni;
        for (size_t i = 0; i < c->n_runtimes && r >= 0; i++)
                r = strv_push(&in->handler_names, c->runtimes[i].name);
        if (verbose && r >= 0)
                r = config_to_json(c, &in->config_json, err);
        if (verbose && r >= 0 && svc->pod_cidr && !(in->pod_cidr = strdup(svc->pod_cidr)))
                r = crio_error_set(err, ENOMEM, "out of memory");
        pthread_mutex_unlock(&svc->lock);
        if (r < 0)
                return r;
        if (!in->runtime_name || !in->runtime_path)
                return crio_error_set(err, ENOMEM, "out of memory");
        in->runtime.name = in->runtime_name;
        in->runtime.runtime_path = in->runtime_path;
        return 0;
}

static Runtime__V1__RuntimeCondition *condition_new(const char *type, bool ok, const char *reason, const char *message) {
        Runtime__V1__RuntimeCondition *c = malloc(sizeof *c);
        if (!c)
                return NULL;
        runtime__v1__runtime_condition__init(c);
        c->type = cri_strdup(type);
        c->status = ok;
        c->reason = cri_strdup(ok ? "" : reason);
        c->message = cri_strdup(ok ? "" : message);
        if (!c->type || !c->reason || !c->message) {
                protobuf_c_message_free_unpacked(&c->base, NULL);
                return NULL;
        }
        return c;
}

static int build_response(const StatusInputs *in, bool verbose, Runtime__V1__StatusResponse *resp) {
        /* RuntimeReady: the default handler's runtime binary can be found */
        _cleanup_(crio_error_clear) CrioError rt_err = {};
        _cleanup_free_ char *rt_path = NULL;
        bool runtime_ok = oci_runtime_find(&in->runtime, NULL, &rt_path, &rt_err) >= 0;

        /* NetworkReady: a usable CNI configuration exists (network_dir is watched) */
        _cleanup_free_ char *net_msg = NULL;
        int net = in->cni ? cni_status(in->cni, NULL, &net_msg) : 0;
        if (net < 0)
                return net;
        if (!in->cni && !(net_msg = strdup("no CNI support in this service")))
                return -ENOMEM;

        resp->status = malloc(sizeof *resp->status);
        if (!resp->status)
                return -ENOMEM;
        runtime__v1__runtime_status__init(resp->status);
        resp->status->conditions = calloc(2, sizeof(Runtime__V1__RuntimeCondition *));
        if (!resp->status->conditions)
                return -ENOMEM;
        resp->status->conditions[0] = condition_new("RuntimeReady", runtime_ok, "RuntimeNotReady",
                                                    rt_err.msg ? rt_err.msg : "");
        if (!resp->status->conditions[0])
                return -ENOMEM;
        resp->status->n_conditions = 1;
        resp->status->conditions[1] = condition_new("NetworkReady", net > 0, "NetworkPluginNotReady",
                                                    net_msg ? net_msg : "");
        if (!resp->status->conditions[1])
                return -ENOMEM;
        resp->status->n_conditions = 2;

        size_t nh = strv_length(in->handler_names);
        resp->runtime_handlers = calloc(nh ? nh : 1, sizeof(Runtime__V1__RuntimeHandler *));
        if (!resp->runtime_handlers)
                return -ENOMEM;
        for (size_t i = 0; i < nh; i++) {
                Runtime__V1__RuntimeHandler *h = malloc(sizeof *h);
                if (!h)
                        return -ENOMEM;
                runtime__v1__runtime_handler__init(h);
                resp->runtime_handlers[resp->n_runtime_handlers++] = h;
                h->name = cri_strdup(in->handler_names[i]);
                h->features = malloc(sizeof *h->features);
                if (!h->name || !h->features)
                        return -ENOMEM;
                /* neither recursive read-only mounts nor user namespaces are supported yet */
                runtime__v1__runtime_handler_features__init(h->features);
        }
        resp->features = malloc(sizeof *resp->features);
        if (!resp->features)
                return -ENOMEM;
        runtime__v1__runtime_features__init(resp->features);

        if (verbose && in->config_json) {
                resp->info = calloc(2, sizeof(Runtime__V1__StatusResponse__InfoEntry *));
                if (!resp->info)
                        return -ENOMEM;
                Runtime__V1__StatusResponse__InfoEntry *e = malloc(sizeof *e);
                if (!e)
                        return -ENOMEM;
                runtime__v1__status_response__info_entry__init(e);
                resp->info[resp->n_info++] = e;
                e->key = cri_strdup("config");
                e->value = cri_strdup(in->config_json);
                if (!e->key || !e->value)
                        return -ENOMEM;
                if (in->pod_cidr) {
                        Runtime__V1__StatusResponse__InfoEntry *c = malloc(sizeof *c);
                        if (!c)
                                return -ENOMEM;
                        runtime__v1__status_response__info_entry__init(c);
                        resp->info[resp->n_info++] = c;
                        c->key = cri_strdup("podCIDR");
                        c->value = cri_strdup(in->pod_cidr);
                        if (!c->key || !c->value)
                                return -ENOMEM;
                }
        }
        return 0;
}

int cri_rpc_status(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__StatusRequest *r = (const Runtime__V1__StatusRequest *) req;
        StatusInputs in = {};
        int k = status_inputs_get(svc, r->verbose, &in, err);
        if (k < 0) {
                status_inputs_done(&in);
                return k;
        }
        Runtime__V1__StatusResponse *resp = malloc(sizeof *resp);
        if (!resp) {
                status_inputs_done(&in);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        runtime__v1__status_response__init(resp);
        k = build_response(&in, r->verbose, resp);
        status_inputs_done(&in);
        if (k < 0) {
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return crio_error_set(err, -k, "building the status response: %s", strerror(-k));
        }
        *ret_resp = &resp->base;
        return 0;
}
