/* RuntimeService/ListPodSandboxStats: the stats of every pod (ready or not; a pod without
 * running containers has no cpu or memory), or of those matching the filter (ID or prefix,
 * labels), oldest first. See cri/stats-convert.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/convert.h"
#include "cri/rpc/rpc.h"
#include "cri/stats-convert.h"
#include "runtime/state.h"
#include "util/cleanup.h"

static bool matches(const RtSandbox *s, const Runtime__V1__PodSandboxStatsFilter *f) {
        if (!f)
                return true;
        if (f->id && f->id[0] && strncmp(s->id, f->id, strlen(f->id)) != 0)
                return false;
        return cri_labels_match(s->labels, (void *const *) f->label_selector, f->n_label_selector);
}

static int by_created(const void *a, const void *b) {
        const CriPodStatsJob *x = a, *y = b;
        return x->created_at < y->created_at ? -1 : x->created_at > y->created_at;
}

int cri_rpc_list_pod_sandbox_stats(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                                   CrioError *err) {
        const Runtime__V1__ListPodSandboxStatsRequest *r = (const Runtime__V1__ListPodSandboxStatsRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "ListPodSandboxStats: no pod runtime in this service");
        Rt *rt = svc->rt;
        CriPodStatsJob *jobs = NULL;
        size_t n = 0;
        int k = 0;
        pthread_mutex_lock(&rt->lock);
        jobs = calloc(g_hash_table_size(rt->sandboxes) + 1, sizeof *jobs);
        if (!jobs)
                k = crio_error_set(err, ENOMEM, "out of memory");
        GHashTableIter it;
        gpointer key, v;
        g_hash_table_iter_init(&it, rt->sandboxes);
        while (k >= 0 && g_hash_table_iter_next(&it, &key, &v)) {
                if (!matches(v, r->filter))
                        continue;
                k = cri_pod_stats_prepare_locked(rt, v, &jobs[n], err);
                if (k >= 0)
                        n++;
        }
        pthread_mutex_unlock(&rt->lock);
        if (k >= 0)
                qsort(jobs, n, sizeof *jobs, by_created);
        for (size_t i = 0; k >= 0 && i < n; i++)
                k = cri_pod_stats_collect(svc, &jobs[i], err);
        CriStatsList *resp = NULL;
        if (k >= 0 && !(resp = cri_stats_list_new(&runtime__v1__list_pod_sandbox_stats_response__descriptor, n)))
                k = crio_error_set(err, ENOMEM, "out of memory");
        if (k < 0) {
                cri_pod_stats_jobs_free(jobs, n);
                return k;
        }
        for (size_t i = 0; i < n; i++)
                resp->stats[resp->n_stats++] = cri_pod_stats_take(&jobs[i]);
        cri_pod_stats_jobs_free(jobs, n);
        *ret_resp = &resp->base;
        return 0;
}
