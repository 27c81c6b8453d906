/* RuntimeService/UpdateContainerResources: new cpu/memory limits through "<runtime> update". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/ctr-spec.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"

/* linux.resources of a scratch spec holding just these resources (the same builder as
 * CreateContainer's). */
static int resources_json(const Runtime__V1__LinuxContainerResources *res, char **ret, CrioError *err) {
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        int r = oci_spec_new(&spec, err);
        if (r < 0 || (r = cri_spec_set_linux_resources(spec, res, err)) < 0)
                return r;
        char *json = oci_spec_resources_json(spec);
        if (!json)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = json;
        return 0;
}

int cri_rpc_update_container_resources(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                                       CrioError *err) {
        const Runtime__V1__UpdateContainerResourcesRequest *r = (const Runtime__V1__UpdateContainerResourcesRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "UpdateContainerResources: no pod runtime in this service");
        if (!r->container_id || !r->container_id[0])
                return crio_error_set(err, EINVAL, "UpdateContainerResources: container_id is empty");
        if (!r->linux)
                return crio_error_set(err, EINVAL, "UpdateContainerResources: no linux resources given");
        _cleanup_free_ char *json = NULL;
        int k = resources_json(r->linux, &json, err);
        if (k >= 0)
                k = rt_container_update(svc->rt, r->container_id, json, err);
        if (k < 0)
                return crio_error_prefix(err, "UpdateContainerResources: ");
        Runtime__V1__UpdateContainerResourcesResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__update_container_resources_response__init(resp);
        *ret_resp = &resp->base;
        return 0;
}
