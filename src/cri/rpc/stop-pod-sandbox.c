/* RuntimeService/StopPodSandbox: every container of the pod and its infra container stop;
 * the pod becomes NOTREADY. Idempotent: a pod already stopped, or gone, is fine. */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"

int cri_rpc_stop_pod_sandbox(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__StopPodSandboxRequest *r = (const Runtime__V1__StopPodSandboxRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "StopPodSandbox: no pod runtime in this service");
        if (!r->pod_sandbox_id || !r->pod_sandbox_id[0])
                return crio_error_set(err, EINVAL, "StopPodSandbox: pod_sandbox_id is empty");
        int k = rt_sandbox_stop(svc->rt, r->pod_sandbox_id, err);
        if (k < 0)
                return k;
        Runtime__V1__StopPodSandboxResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__stop_pod_sandbox_response__init(resp);
        *ret_resp = &resp->base;
        return 0;
}
