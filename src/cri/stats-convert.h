/* ContainerStats and PodSandboxStats messages, shared by the four stats RPCs.
 *
 * Building one takes two steps so that rt->lock is never held while files are read:
 *   1. *_prepare_locked (rt->lock held): copies what the stats need (attributes, the cgroup
 *      path, whether a read-write layer exists) into a job;
 *   2. *_collect (no lock held): reads the cgroup files and walks the read-write layer,
 *      filling the job's message.
 *
 * What is reported:
 *   cpu      usage_core_nano_seconds from the cgroup; usage_nano_cores from the previous
 *            sample of the same container (or pod) taken by any stats call (0 on the first);
 *   memory   working set, usage, rss, page faults, major page faults; available_bytes when
 *            the cgroup has a memory limit;
 *   writable_layer  bytes allocated (st_blocks * 512) and inodes under the container's
 *            read-write layer (<graph_root>/overlay/<layer>/diff), hard links counted once,
 *            symlinks not followed, other mounts not entered, at most CRI_STATS_WALK_MAX
 *            entries; fs_id.mountpoint is the store's graph root.
 * A container whose cgroup is gone (it exited) has no cpu and no memory (absent, not zero:
 * its usage is unknown, not nothing); its writable layer is still reported. A pod's cpu,
 * memory and process count are the sums over its containers, infra container included, whose
 * cgroups exist (each container has a cgroup of its own, "<parent>/crio-<id>"); a pod with
 * none has no cpu or memory. Its network usage is left out (CNI statistics are not read yet);
 * linux.containers lists its containers that have not exited (not the infra container). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "api.pb-c.h"
#include "cri/service.h"
#include "runtime/state.h"

#define CRI_STATS_WALK_MAX 1000000u /* entries looked at in one read-write layer */
#define CRI_STATS_WALK_DEPTH 256u   /* directories deeper are counted, not entered */

typedef struct CriCtrStatsJob {
        Runtime__V1__ContainerStats *msg; /* owned; attributes filled by prepare */
        char *id;
        char *cgroup;  /* cgroup path, "<parent>/crio-<id>" */
        bool has_layer;
        bool exited;
        bool infra;
        int64_t created_at;
} CriCtrStatsJob;

typedef struct CriPodStatsJob {
        Runtime__V1__PodSandboxStats *msg; /* owned; attributes filled by prepare */
        char *id;
        CriCtrStatsJob *ctrs; /* every container of the pod, infra included */
        size_t n_ctrs;
        int64_t created_at;
} CriPodStatsJob;

/* Step 1 for container c of pod s (s may be NULL: the default cgroup parent). With rt->lock
 * held. 0, or -ENOMEM / the cgroup path's error; *ret is left cleared on failure. */
int cri_ctr_stats_prepare_locked(const RtContainer *c, const RtSandbox *s, CriCtrStatsJob *ret, CrioError *err);
/* Step 2. Fills job->msg's cpu, memory and writable_layer. A cgroup or layer that cannot be
 * read leaves those parts out (logged at debug level); only -ENOMEM fails. */
int cri_ctr_stats_collect(CriService *svc, CriCtrStatsJob *job, CrioError *err);
/* Hands the message over (the caller frees it with protobuf_c_message_free_unpacked). */
Runtime__V1__ContainerStats *cri_ctr_stats_take(CriCtrStatsJob *job);
void cri_ctr_stats_job_clear(CriCtrStatsJob *job);

/* Pods: prepare with rt->lock held (collects the pod's containers from rt), collect without. */
int cri_pod_stats_prepare_locked(Rt *rt, const RtSandbox *s, CriPodStatsJob *ret, CrioError *err);
int cri_pod_stats_collect(CriService *svc, CriPodStatsJob *job, CrioError *err);
Runtime__V1__PodSandboxStats *cri_pod_stats_take(CriPodStatsJob *job);
void cri_pod_stats_job_clear(CriPodStatsJob *job);

/* ListContainerStatsResponse and ListPodSandboxStatsResponse share this layout (checked in
 * stats-convert.c): a new one of type d with room for n stats, or NULL on ENOMEM. */
typedef struct CriStatsList {
        ProtobufCMessage base;
        size_t n_stats;
        void **stats;
} CriStatsList;
CriStatsList *cri_stats_list_new(const ProtobufCMessageDescriptor *d, size_t n);

/* Job arrays (what the List RPCs build): clears every job and frees the array. */
void cri_ctr_stats_jobs_free(CriCtrStatsJob *jobs, size_t n);
void cri_pod_stats_jobs_free(CriPodStatsJob *jobs, size_t n);

/* usage_nano_cores from the previous sample kept under key (then replaced by this one):
 * 0 on the first sample, after a counter reset, or when no time passed. Samples not
 * refreshed for CRI_STATS_SAMPLE_TTL_S are dropped. Exposed for tests. */
#define CRI_STATS_SAMPLE_TTL_S 600
uint64_t cri_stats_nano_cores(const char *key, int64_t now_ns, uint64_t cpu_ns);

/* Bytes allocated and inodes under the directory dirfd (not closed), as described above.
 * -errno naming path when the directory itself cannot be read. */
int cri_stats_dir_usage(int dirfd, const char *path, uint64_t *ret_bytes, uint64_t *ret_inodes, CrioError *err);
