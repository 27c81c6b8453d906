/* RuntimeService/UpdateRuntimeConfig: the kubelet hands over the node's pod CIDR. crio keeps
 * it (Status(verbose) shows it); CNI plugins with host-local IPAM read their own ranges, so
 * nothing else changes. A malformed CIDR is INVALID_ARGUMENT. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "util/cleanup.h"
#include "util/log.h"

/* "10.85.0.0/16", "fd00::/64", or several separated by commas. */
static bool cidr_valid(const char *s) {
        _cleanup_free_ char *copy = strdup(s);
        if (!copy)
                return false;
        char *save = NULL;
        for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
                char *slash = strchr(c, '/');
                if (!slash)
                        return false;
                *slash = '\0';
                char *end = NULL;
                long bits = strtol(slash + 1, &end, 10);
                unsigned char buf[16];
                bool v4 = inet_pton(AF_INET, c, buf) == 1, v6 = !v4 && inet_pton(AF_INET6, c, buf) == 1;
                if ((!v4 && !v6) || *end || end == slash + 1 || bits < 0 || bits > (v4 ? 32 : 128))
                        return false;
        }
        return true;
}

int cri_rpc_update_runtime_config(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                                  CrioError *err) {
        const Runtime__V1__UpdateRuntimeConfigRequest *r = (const Runtime__V1__UpdateRuntimeConfigRequest *) req;
        const char *cidr = r->runtime_config && r->runtime_config->network_config
                                   ? r->runtime_config->network_config->pod_cidr
                                   : NULL;
        if (cidr && cidr[0]) {
                if (!cidr_valid(cidr))
                        return crio_error_set(err, EINVAL, "UpdateRuntimeConfig: pod_cidr \"%s\" is not a CIDR", cidr);
                char *copy = strdup(cidr);
                if (!copy)
                        return crio_error_set(err, ENOMEM, "out of memory");
                pthread_mutex_lock(&svc->lock);
                free(svc->pod_cidr);
                svc->pod_cidr = copy;
                pthread_mutex_unlock(&svc->lock);
                log_info("pod CIDR from the kubelet: %s", cidr);
        }
        Runtime__V1__UpdateRuntimeConfigResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__update_runtime_config_response__init(resp);
        *ret_resp = &resp->base;
        return 0;
}
