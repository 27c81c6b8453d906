/* RuntimeService/StartContainer: "<runtime> start" of a created container. */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"

int cri_rpc_start_container(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__StartContainerRequest *r = (const Runtime__V1__StartContainerRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "StartContainer: no pod runtime in this service");
        if (!r->container_id || !r->container_id[0])
                return crio_error_set(err, EINVAL, "StartContainer: container_id is empty");
        int k = rt_container_start(svc->rt, r->container_id, err);
        if (k < 0)
                return crio_error_prefix(err, "StartContainer: ");
        Runtime__V1__StartContainerResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__start_container_response__init(resp);
        *ret_resp = &resp->base;
        return 0;
}
