/* RuntimeService/StopContainer: the stop signal (the image's STOPSIGNAL or SIGTERM), then
 * SIGKILL once timeout seconds have passed. A container already stopped is fine. */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"

int cri_rpc_stop_container(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__StopContainerRequest *r = (const Runtime__V1__StopContainerRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "StopContainer: no pod runtime in this service");
        if (!r->container_id || !r->container_id[0])
                return crio_error_set(err, EINVAL, "StopContainer: container_id is empty");
        if (r->timeout < 0)
                return crio_error_set(err, EINVAL, "StopContainer: timeout %lld is negative", (long long) r->timeout);
        int k = rt_container_stop(svc->rt, r->container_id, r->timeout, err);
        if (k < 0)
                return crio_error_prefix(err, "StopContainer: ");
        Runtime__V1__StopContainerResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__stop_container_response__init(resp);
        *ret_resp = &resp->base;
        return 0;
}
