/* RuntimeService/PodSandboxStats: one pod by ID (or unique prefix): the sums over its
 * containers and each container's stats. See cri/stats-convert.h. */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "cri/stats-convert.h"
#include "runtime/state.h"

int cri_rpc_pod_sandbox_stats(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__PodSandboxStatsRequest *r = (const Runtime__V1__PodSandboxStatsRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "PodSandboxStats: no pod runtime in this service");
        if (!r->pod_sandbox_id || !r->pod_sandbox_id[0])
                return crio_error_set(err, EINVAL, "PodSandboxStats: pod_sandbox_id is empty");
        Rt *rt = svc->rt;
        CriPodStatsJob job = { 0 };
        pthread_mutex_lock(&rt->lock);
        RtSandbox *s = NULL;
        int k = rt_find_sandbox_locked(rt, r->pod_sandbox_id, &s, err);
        if (k >= 0)
                k = cri_pod_stats_prepare_locked(rt, s, &job, err);
        pthread_mutex_unlock(&rt->lock);
        if (k >= 0)
                k = cri_pod_stats_collect(svc, &job, err);
        Runtime__V1__PodSandboxStatsResponse *resp = NULL;
        if (k >= 0 && !(resp = malloc(sizeof *resp)))
                k = crio_error_set(err, ENOMEM, "out of memory");
        if (k < 0) {
                cri_pod_stats_job_clear(&job);
                return k;
        }
        runtime__v1__pod_sandbox_stats_response__init(resp);
        resp->stats = cri_pod_stats_take(&job);
        cri_pod_stats_job_clear(&job);
        *ret_resp = &resp->base;
        return 0;
}
