/* RuntimeService/RemovePodSandbox: stops the pod, removes its containers, unpins its
 * namespaces and deletes its records. Idempotent: a pod already gone is fine. */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"

int cri_rpc_remove_pod_sandbox(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__RemovePodSandboxRequest *r = (const Runtime__V1__RemovePodSandboxRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "RemovePodSandbox: no pod runtime in this service");
        if (!r->pod_sandbox_id || !r->pod_sandbox_id[0])
                return crio_error_set(err, EINVAL, "RemovePodSandbox: pod_sandbox_id is empty");
        int k = rt_sandbox_remove(svc->rt, r->pod_sandbox_id, err);
        if (k < 0)
                return k;
        Runtime__V1__RemovePodSandboxResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__remove_pod_sandbox_response__init(resp);
        *ret_resp = &resp->base;
        return 0;
}
