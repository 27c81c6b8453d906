/* See stats-convert.h. */
#include "cri/stats-convert.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "cri/convert.h"
#include "cri/spec-common.h"
#include "runtime/cgroup-stats.h"
#include "runtime/cgroup.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/log.h"

static Runtime__V1__UInt64Value *u64(uint64_t v, bool *oom) {
        Runtime__V1__UInt64Value *m = cri_msg_new(&runtime__v1__uint64_value__descriptor, oom);
        if (m)
                m->value = v;
        return m;
}

static void map_pairs(char *const *pairs, const ProtobufCMessageDescriptor *d, void *field, size_t *n, bool *oom) {
        void **v = NULL;
        if (cri_pairs_to_map(pairs, d, &v, n) < 0)
                *oom = true;
        *(void ***) field = v;
}

/* ---- usage_nano_cores: the previous sample per container or pod ---- */

typedef struct Sample {
        int64_t at_ns;
        uint64_t cpu_ns;
} Sample;

static pthread_mutex_t samples_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *samples; /* key (g_strdup) -> Sample (g_new) */
static int64_t samples_pruned_at;

uint64_t cri_stats_nano_cores(const char *key, int64_t now_ns, uint64_t cpu_ns) {
        uint64_t cores = 0;
        pthread_mutex_lock(&samples_lock);
        if (!samples)
                samples = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        if (now_ns - samples_pruned_at > 60 * INT64_C(1000000000)) {
                GHashTableIter it;
                gpointer k, v;
                g_hash_table_iter_init(&it, samples);
                while (g_hash_table_iter_next(&it, &k, &v))
                        if (now_ns - ((Sample *) v)->at_ns > CRI_STATS_SAMPLE_TTL_S * INT64_C(1000000000))
                                g_hash_table_iter_remove(&it);
                samples_pruned_at = now_ns;
        }
        Sample *prev = g_hash_table_lookup(samples, key);
        if (prev) {
                if (now_ns > prev->at_ns && cpu_ns >= prev->cpu_ns)
                        cores = (uint64_t) ((double) (cpu_ns - prev->cpu_ns) * 1e9 / (double) (now_ns - prev->at_ns));
                if (now_ns > prev->at_ns) {
                        prev->at_ns = now_ns;
                        prev->cpu_ns = cpu_ns;
                }
        } else {
                Sample *s = g_new(Sample, 1);
                s->at_ns = now_ns;
                s->cpu_ns = cpu_ns;
                g_hash_table_insert(samples, g_strdup(key), s);
        }
        pthread_mutex_unlock(&samples_lock);
        return cores;
}

/* ---- writable layer usage ---- */

typedef struct Walk {
        uint64_t bytes, inodes, entries;
        dev_t dev;
        GHashTable *links; /* inode numbers of hard-linked files already counted */
        bool truncated;
} Walk;

static void walk_count(Walk *w, const struct stat *st) {
        if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
                if (g_hash_table_contains(w->links, GSIZE_TO_POINTER((gsize) st->st_ino)))
                        return;
                g_hash_table_add(w->links, GSIZE_TO_POINTER((gsize) st->st_ino));
        }
        w->bytes += (uint64_t) st->st_blocks * 512u;
        w->inodes++;
}

/* Counts the entries of the directory fd (taken). */
static void walk_dir(Walk *w, int fd, unsigned depth) {
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        struct dirent *e;
        while (!w->truncated && (e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (++w->entries > CRI_STATS_WALK_MAX) {
                        w->truncated = true;
                        break;
                }
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue; /* removed meanwhile */
                if (st.st_dev != w->dev)
                        continue; /* a mount point: not the layer's */
                walk_count(w, &st);
                if (S_ISDIR(st.st_mode) && depth < CRI_STATS_WALK_DEPTH) {
                        int cfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (cfd >= 0)
                                walk_dir(w, cfd, depth + 1);
                }
        }
}

int cri_stats_dir_usage(int dirfd, const char *path, uint64_t *ret_bytes, uint64_t *ret_inodes, CrioError *err) {
        struct stat st;
        if (fstat(dirfd, &st) < 0)
                return crio_error_set_errno(err, errno, "stat %s", path);
        if (!S_ISDIR(st.st_mode))
                return crio_error_set(err, ENOTDIR, "%s is not a directory", path);
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "opening %s", path);
        Walk w = { .dev = st.st_dev, .links = g_hash_table_new(g_direct_hash, g_direct_equal) };
        walk_count(&w, &st);
        walk_dir(&w, fd, 0);
        g_hash_table_unref(w.links);
        if (w.truncated)
                log_debug("stats: stopped counting %s after %u entries", path, CRI_STATS_WALK_MAX);
        *ret_bytes = w.bytes;
        *ret_inodes = w.inodes;
        return 0;
}

/* The container's read-write layer: 0 and the usage, or a negative errno (logged). */
static int layer_usage(CriService *svc, const char *id, uint64_t *ret_bytes, uint64_t *ret_inodes) {
        CrioError err = { 0 };
        StoreContainer *sc = NULL;
        int r = store_container_get(svc->store, id, &sc, &err);
        if (r < 0) {
                log_debug("stats: no store container %s: %s", id, err.msg);
                crio_error_clear(&err);
                return r;
        }
        _cleanup_free_ char *path = NULL;
        if (!sc->layer || !sc->layer[0] || strspn(sc->layer, "0123456789abcdef") != strlen(sc->layer))
                r = -EINVAL;
        else if (asprintf(&path, "%s/overlay/%s/diff", store_graph_root(svc->store), sc->layer) < 0)
                r = -ENOMEM;
        store_container_free(sc);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                log_debug("stats: opening %s: %s", path, strerror(-r));
                return r;
        }
        r = cri_stats_dir_usage(fd, path, ret_bytes, ret_inodes, &err);
        if (r < 0) {
                log_debug("stats: %s", err.msg);
                crio_error_clear(&err);
        }
        return r;
}

/* ---- containers ---- */

int cri_ctr_stats_prepare_locked(const RtContainer *c, const RtSandbox *s, CriCtrStatsJob *ret, CrioError *err) {
        CriCtrStatsJob j = { 0 };
        bool oom = false;
        int r = cgroup_container_dir(s ? s->cgroup_parent : NULL, c->id, &j.cgroup, err);
        if (r < 0)
                return r;
        j.id = cri_strdup_oom(c->id, &oom);
        j.has_layer = c->has_layer;
        j.exited = c->state == RT_CTR_EXITED;
        j.infra = c->infra;
        j.created_at = c->created_at;
        j.msg = cri_msg_new(&runtime__v1__container_stats__descriptor, &oom);
        if (j.msg) {
                Runtime__V1__ContainerAttributes *a = cri_msg_new(&runtime__v1__container_attributes__descriptor, &oom);
                j.msg->attributes = a;
                if (a) {
                        a->id = cri_strdup_oom(c->id, &oom);
                        a->metadata = cri_msg_new(&runtime__v1__container_metadata__descriptor, &oom);
                        if (a->metadata) {
                                a->metadata->name = cri_strdup_oom(c->meta_name, &oom);
                                a->metadata->attempt = c->attempt;
                        }
                        map_pairs(c->labels, &runtime__v1__container_attributes__labels_entry__descriptor, &a->labels,
                                  &a->n_labels, &oom);
                        map_pairs(c->annotations, &runtime__v1__container_attributes__annotations_entry__descriptor,
                                  &a->annotations, &a->n_annotations, &oom);
                }
        }
        if (oom) {
                cri_ctr_stats_job_clear(&j);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret = j;
        return 0;
}

static void fill_cpu_mem(Runtime__V1__CpuUsage **ret_cpu, Runtime__V1__MemoryUsage **ret_mem, const CgroupStats *st,
                         const char *key, int64_t now, bool *oom) {
        if (st->has_cpu) {
                Runtime__V1__CpuUsage *cpu = cri_msg_new(&runtime__v1__cpu_usage__descriptor, oom);
                *ret_cpu = cpu;
                if (cpu) {
                        cpu->timestamp = now;
                        cpu->usage_core_nano_seconds = u64(st->cpu_usage_ns, oom);
                        cpu->usage_nano_cores = u64(cri_stats_nano_cores(key, now, st->cpu_usage_ns), oom);
                }
        }
        if (st->has_memory) {
                Runtime__V1__MemoryUsage *m = cri_msg_new(&runtime__v1__memory_usage__descriptor, oom);
                *ret_mem = m;
                if (m) {
                        m->timestamp = now;
                        m->working_set_bytes = u64(st->memory_working_set_bytes, oom);
                        m->usage_bytes = u64(st->memory_usage_bytes, oom);
                        m->rss_bytes = u64(st->memory_rss_bytes, oom);
                        m->page_faults = u64(st->memory_page_faults, oom);
                        m->major_page_faults = u64(st->memory_major_page_faults, oom);
                        if (st->memory_limit_bytes) {
                                uint64_t ws = st->memory_working_set_bytes;
                                m->available_bytes = u64(st->memory_limit_bytes > ws ? st->memory_limit_bytes - ws : 0, oom);
                        }
                }
        }
}

/* Reads the cgroup (unless the container exited) into *ret_cg (has_ flags false when it could
 * not) and fills the message; the layer too if with_layer. */
static int collect_ctr(CriService *svc, CriCtrStatsJob *job, bool with_layer, CgroupStats *ret_cg, CrioError *err) {
        CgroupStats st = { 0 };
        int64_t now = rt_now();
        bool oom = false;
        if (!job->exited) {
                CrioError e = { 0 };
                if (cgroup_stats_read(job->cgroup, &st, &e) < 0) {
                        log_debug("stats: container %s: %s", job->id, e.msg);
                        crio_error_clear(&e);
                        st = (CgroupStats) { 0 };
                }
        }
        fill_cpu_mem(&job->msg->cpu, &job->msg->memory, &st, job->id, now, &oom);
        uint64_t bytes, inodes;
        if (with_layer && job->has_layer && svc->store && layer_usage(svc, job->id, &bytes, &inodes) >= 0) {
                Runtime__V1__FilesystemUsage *fs = cri_msg_new(&runtime__v1__filesystem_usage__descriptor, &oom);
                job->msg->writable_layer = fs;
                if (fs) {
                        fs->timestamp = now;
                        fs->fs_id = cri_msg_new(&runtime__v1__filesystem_identifier__descriptor, &oom);
                        if (fs->fs_id)
                                fs->fs_id->mountpoint = cri_strdup_oom(store_graph_root(svc->store), &oom);
                        fs->used_bytes = u64(bytes, &oom);
                        fs->inodes_used = u64(inodes, &oom);
                }
        }
        if (oom)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (ret_cg)
                *ret_cg = st;
        return 0;
}

int cri_ctr_stats_collect(CriService *svc, CriCtrStatsJob *job, CrioError *err) {
        return collect_ctr(svc, job, true, NULL, err);
}

Runtime__V1__ContainerStats *cri_ctr_stats_take(CriCtrStatsJob *job) {
        return TAKE_PTR(job->msg);
}

void cri_ctr_stats_job_clear(CriCtrStatsJob *job) {
        if (job->msg)
                protobuf_c_message_free_unpacked(&job->msg->base, NULL);
        free(job->id);
        free(job->cgroup);
        *job = (CriCtrStatsJob) { 0 };
}

void cri_ctr_stats_jobs_free(CriCtrStatsJob *jobs, size_t n) {
        for (size_t i = 0; jobs && i < n; i++)
                cri_ctr_stats_job_clear(&jobs[i]);
        free(jobs);
}

/* ---- pods ---- */

int cri_pod_stats_prepare_locked(Rt *rt, const RtSandbox *s, CriPodStatsJob *ret, CrioError *err) {
        CriPodStatsJob j = { 0 };
        bool oom = false;
        j.id = cri_strdup_oom(s->id, &oom);
        j.created_at = s->created_at;
        j.msg = cri_msg_new(&runtime__v1__pod_sandbox_stats__descriptor, &oom);
        if (j.msg) {
                Runtime__V1__PodSandboxAttributes *a = cri_msg_new(&runtime__v1__pod_sandbox_attributes__descriptor, &oom);
                j.msg->attributes = a;
                if (a) {
                        a->id = cri_strdup_oom(s->id, &oom);
                        a->metadata = cri_msg_new(&runtime__v1__pod_sandbox_metadata__descriptor, &oom);
                        if (a->metadata) {
                                a->metadata->name = cri_strdup_oom(s->meta_name, &oom);
                                a->metadata->uid = cri_strdup_oom(s->meta_uid, &oom);
                                a->metadata->namespace_ = cri_strdup_oom(s->meta_namespace, &oom);
                                a->metadata->attempt = s->attempt;
                        }
                        map_pairs(s->labels, &runtime__v1__pod_sandbox_attributes__labels_entry__descriptor, &a->labels,
                                  &a->n_labels, &oom);
                        map_pairs(s->annotations, &runtime__v1__pod_sandbox_attributes__annotations_entry__descriptor,
                                  &a->annotations, &a->n_annotations, &oom);
                }
        }
        j.ctrs = calloc(g_hash_table_size(rt->containers) + 1, sizeof *j.ctrs);
        if (!j.ctrs)
                oom = true;
        int r = 0;
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, rt->containers);
        while (!oom && r >= 0 && g_hash_table_iter_next(&it, &k, &v)) {
                const RtContainer *c = v;
                if (c->state == RT_CTR_EXITED || !c->sandbox_id || strcmp(c->sandbox_id, s->id) != 0)
                        continue;
                r = cri_ctr_stats_prepare_locked(c, s, &j.ctrs[j.n_ctrs], err);
                if (r >= 0)
                        j.n_ctrs++;
        }
        if (oom && r >= 0)
                r = crio_error_set(err, ENOMEM, "out of memory");
        if (r < 0) {
                cri_pod_stats_job_clear(&j);
                return r;
        }
        *ret = j;
        return 0;
}

static int by_ctr_created(const void *a, const void *b) {
        const CriCtrStatsJob *x = a, *y = b;
        return x->created_at < y->created_at ? -1 : x->created_at > y->created_at;
}

int cri_pod_stats_collect(CriService *svc, CriPodStatsJob *job, CrioError *err) {
        CgroupStats sum = { 0 };
        bool oom = false;
        size_t listed = 0;
        qsort(job->ctrs, job->n_ctrs, sizeof *job->ctrs, by_ctr_created);
        for (size_t i = 0; i < job->n_ctrs; i++) {
                CgroupStats st;
                int r = collect_ctr(svc, &job->ctrs[i], !job->ctrs[i].infra, &st, err);
                if (r < 0)
                        return r;
                sum.has_cpu |= st.has_cpu;
                sum.cpu_usage_ns += st.cpu_usage_ns;
                sum.has_memory |= st.has_memory;
                sum.memory_usage_bytes += st.memory_usage_bytes;
                sum.memory_working_set_bytes += st.memory_working_set_bytes;
                sum.memory_rss_bytes += st.memory_rss_bytes;
                sum.memory_page_faults += st.memory_page_faults;
                sum.memory_major_page_faults += st.memory_major_page_faults;
                sum.has_pids |= st.has_pids;
                sum.pids_current += st.pids_current;
                if (!job->ctrs[i].infra)
                        listed++;
        }
        int64_t now = rt_now();
        Runtime__V1__LinuxPodSandboxStats *l = cri_msg_new(&runtime__v1__linux_pod_sandbox_stats__descriptor, &oom);
        job->msg->linux = l;
        if (l) {
                _cleanup_free_ char *key = NULL;
                if (asprintf(&key, "pod/%s", job->id) < 0)
                        oom = true;
                else
                        fill_cpu_mem(&l->cpu, &l->memory, &sum, key, now, &oom);
                if (sum.has_pids && (l->process = cri_msg_new(&runtime__v1__process_usage__descriptor, &oom))) {
                        l->process->timestamp = now;
                        l->process->process_count = u64(sum.pids_current, &oom);
                }
                if (listed && !(l->containers = calloc(listed, sizeof(void *))))
                        oom = true;
                for (size_t i = 0; l->containers && i < job->n_ctrs; i++)
                        if (!job->ctrs[i].infra)
                                l->containers[l->n_containers++] = cri_ctr_stats_take(&job->ctrs[i]);
        }
        if (oom)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

Runtime__V1__PodSandboxStats *cri_pod_stats_take(CriPodStatsJob *job) {
        return TAKE_PTR(job->msg);
}

void cri_pod_stats_job_clear(CriPodStatsJob *job) {
        if (job->msg)
                protobuf_c_message_free_unpacked(&job->msg->base, NULL);
        free(job->id);
        cri_ctr_stats_jobs_free(job->ctrs, job->n_ctrs);
        *job = (CriPodStatsJob) { 0 };
}

void cri_pod_stats_jobs_free(CriPodStatsJob *jobs, size_t n) {
        for (size_t i = 0; jobs && i < n; i++)
                cri_pod_stats_job_clear(&jobs[i]);
        free(jobs);
}

_Static_assert(offsetof(Runtime__V1__ListContainerStatsResponse, n_stats) == offsetof(CriStatsList, n_stats) &&
                       offsetof(Runtime__V1__ListContainerStatsResponse, stats) == offsetof(CriStatsList, stats) &&
                       offsetof(Runtime__V1__ListPodSandboxStatsResponse, n_stats) == offsetof(CriStatsList, n_stats) &&
                       offsetof(Runtime__V1__ListPodSandboxStatsResponse, stats) == offsetof(CriStatsList, stats),
               "the List*Stats responses are CriStatsLists");

CriStatsList *cri_stats_list_new(const ProtobufCMessageDescriptor *d, size_t n) {
        bool oom = false;
        CriStatsList *l = cri_msg_new(d, &oom);
        if (l && n && !(l->stats = calloc(n, sizeof(void *)))) {
                free(l);
                return NULL;
        }
        return l;
}
