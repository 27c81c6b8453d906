/* RuntimeService/Version: who we are. */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "util/version.h"

int cri_rpc_version(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        (void) svc;
        (void) req;
        Runtime__V1__VersionResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__version_response__init(resp);
        resp->version = cri_strdup(CRI_KUBELET_API_VERSION);
        resp->runtime_name = cri_strdup(CRIO_RUNTIME_NAME);
        resp->runtime_version = cri_strdup(CRIO_VERSION);
        resp->runtime_api_version = cri_strdup(CRI_API_VERSION);
        if (!resp->version || !resp->runtime_name || !resp->runtime_version || !resp->runtime_api_version) {
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret_resp = &resp->base;
        return 0;
}
