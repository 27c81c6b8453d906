/* RuntimeService/ListContainerStats: the stats of every container that has not exited (as
 * CRI-O does; not the pods' infra containers), or of those matching the filter (ID or prefix,
 * pod ID or prefix, labels), oldest first. See cri/stats-convert.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/convert.h"
#include "cri/rpc/rpc.h"
#include "cri/stats-convert.h"
#include "runtime/state.h"
#include "util/cleanup.h"

static bool matches(const RtContainer *c, const Runtime__V1__ContainerStatsFilter *f) {
        if (c->infra || c->state == RT_CTR_EXITED)
                return false;
        if (!f)
                return true;
        if (f->id && f->id[0] && strncmp(c->id, f->id, strlen(f->id)) != 0)
                return false;
        if (f->pod_sandbox_id && f->pod_sandbox_id[0] &&
            strncmp(c->sandbox_id, f->pod_sandbox_id, strlen(f->pod_sandbox_id)) != 0)
                return false;
        return cri_labels_match(c->labels, (void *const *) f->label_selector, f->n_label_selector);
}

static int by_created(const void *a, const void *b) {
        const CriCtrStatsJob *x = a, *y = b;
        return x->created_at < y->created_at ? -1 : x->created_at > y->created_at;
}

int cri_rpc_list_container_stats(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                                 CrioError *err) {
        const Runtime__V1__ListContainerStatsRequest *r = (const Runtime__V1__ListContainerStatsRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "ListContainerStats: no pod runtime in this service");
        Rt *rt = svc->rt;
        CriCtrStatsJob *jobs = NULL;
        size_t n = 0;
        int k = 0;
        pthread_mutex_lock(&rt->lock);
        jobs = calloc(g_hash_table_size(rt->containers) + 1, sizeof *jobs);
        if (!jobs)
                k = crio_error_set(err, ENOMEM, "out of memory");
        GHashTableIter it;
        gpointer key, v;
        g_hash_table_iter_init(&it, rt->containers);
        while (k >= 0 && g_hash_table_iter_next(&it, &key, &v)) {
                const RtContainer *c = v;
                if (!matches(c, r->filter))
                        continue;
                k = cri_ctr_stats_prepare_locked(c, c->sandbox_id ? g_hash_table_lookup(rt->sandboxes, c->sandbox_id) : NULL, &jobs[n], err);
                if (k >= 0)
                        n++;
        }
        pthread_mutex_unlock(&rt->lock);
        if (k >= 0)
                qsort(jobs, n, sizeof *jobs, by_created);
        for (size_t i = 0; k >= 0 && i < n; i++)
                k = cri_ctr_stats_collect(svc, &jobs[i], err);
        CriStatsList *resp = NULL;
        if (k >= 0 && !(resp = cri_stats_list_new(&runtime__v1__list_container_stats_response__descriptor, n)))
                k = crio_error_set(err, ENOMEM, "out of memory");
        if (k < 0) {
                cri_ctr_stats_jobs_free(jobs, n);
                return k;
        }
        for (size_t i = 0; i < n; i++)
                resp->stats[resp->n_stats++] = cri_ctr_stats_take(&jobs[i]);
        cri_ctr_stats_jobs_free(jobs, n);
        *ret_resp = &resp->base;
        return 0;
}
