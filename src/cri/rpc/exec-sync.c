/* RuntimeService/ExecSync: runs a command in a running container and returns its output
 * and exit code (conmon's exec-sync mode; output capped at 16 MiB per stream). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/strv.h"

int cri_rpc_exec_sync(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__ExecSyncRequest *r = (const Runtime__V1__ExecSyncRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "ExecSync: no pod runtime in this service");
        if (!r->container_id || !r->container_id[0])
                return crio_error_set(err, EINVAL, "ExecSync: container_id is empty");
        _cleanup_strv_free_ char **argv = calloc(r->n_cmd + 1, sizeof(char *));
        if (!argv)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < r->n_cmd; i++)
                if (!(argv[i] = strdup(r->cmd[i])))
                        return crio_error_set(err, ENOMEM, "out of memory");
        RtExecResult res = { 0 };
        int k = rt_container_exec_sync(svc->rt, r->container_id, argv, r->timeout, &res, err);
        if (k < 0)
                return crio_error_prefix(err, "ExecSync: ");
        Runtime__V1__ExecSyncResponse *resp = malloc(sizeof *resp);
        if (!resp) {
                free(res.out);
                free(res.err);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        runtime__v1__exec_sync_response__init(resp);
        resp->stdout.data = (uint8_t *) res.out;
        resp->stdout.len = res.out_len;
        resp->stderr.data = (uint8_t *) res.err;
        resp->stderr.len = res.err_len;
        resp->exit_code = res.exit_code;
        *ret_resp = &resp->base;
        return 0;
}
