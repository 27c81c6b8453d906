/* RuntimeService/ContainerStats: one container by ID (or unique prefix); see
 * cri/stats-convert.h for what is reported (an exited container: its writable layer only). */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "cri/stats-convert.h"
#include "runtime/state.h"

int cri_rpc_container_stats(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__ContainerStatsRequest *r = (const Runtime__V1__ContainerStatsRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "ContainerStats: no pod runtime in this service");
        if (!r->container_id || !r->container_id[0])
                return crio_error_set(err, EINVAL, "ContainerStats: container_id is empty");
        Rt *rt = svc->rt;
        CriCtrStatsJob job = { 0 };
        pthread_mutex_lock(&rt->lock);
        RtContainer *c = NULL;
        int k = rt_find_container_locked(rt, r->container_id, false, &c, err);
        if (k >= 0)
                k = cri_ctr_stats_prepare_locked(c, c->sandbox_id ? g_hash_table_lookup(rt->sandboxes, c->sandbox_id) : NULL, &job, err);
        pthread_mutex_unlock(&rt->lock);
        if (k >= 0)
                k = cri_ctr_stats_collect(svc, &job, err);
        Runtime__V1__ContainerStatsResponse *resp = NULL;
        if (k >= 0 && !(resp = malloc(sizeof *resp)))
                k = crio_error_set(err, ENOMEM, "out of memory");
        if (k < 0) {
                cri_ctr_stats_job_clear(&job);
                return k;
        }
        runtime__v1__container_stats_response__init(resp);
        resp->stats = cri_ctr_stats_take(&job);
        cri_ctr_stats_job_clear(&job);
        *ret_resp = &resp->base;
        return 0;
}
