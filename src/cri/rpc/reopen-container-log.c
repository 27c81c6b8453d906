/* RuntimeService/ReopenContainerLog: conmon reopens the log file (the kubelet rotated it);
 * the call returns once the new file exists. */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"

int cri_rpc_reopen_container_log(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                                 CrioError *err) {
        const Runtime__V1__ReopenContainerLogRequest *r = (const Runtime__V1__ReopenContainerLogRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "ReopenContainerLog: no pod runtime in this service");
        if (!r->container_id || !r->container_id[0])
                return crio_error_set(err, EINVAL, "ReopenContainerLog: container_id is empty");
        int k = rt_container_reopen_log(svc->rt, r->container_id, err);
        if (k < 0)
                return crio_error_prefix(err, "ReopenContainerLog: ");
        Runtime__V1__ReopenContainerLogResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__reopen_container_log_response__init(resp);
        *ret_resp = &resp->base;
        return 0;
}
