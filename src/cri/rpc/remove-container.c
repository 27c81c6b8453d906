/* RuntimeService/RemoveContainer: kills a running container, then deletes its runtime state,
 * storage and records. A container already gone is fine. */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"

int cri_rpc_remove_container(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__RemoveContainerRequest *r = (const Runtime__V1__RemoveContainerRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "RemoveContainer: no pod runtime in this service");
        if (!r->container_id || !r->container_id[0])
                return crio_error_set(err, EINVAL, "RemoveContainer: container_id is empty");
        int k = rt_container_remove(svc->rt, r->container_id, err);
        if (k < 0)
                return crio_error_prefix(err, "RemoveContainer: ");
        Runtime__V1__RemoveContainerResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__remove_container_response__init(resp);
        *ret_resp = &resp->base;
        return 0;
}
