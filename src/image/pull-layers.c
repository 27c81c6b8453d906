/* The layers of one pull: parallel download + extraction, in-order commit, sharing with
 * concurrent pulls (see pull.h). */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "image/pull-internal.h"
#include "storage/chainid.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"

/* ---- what concurrent pulls share ---- */

struct PullShared {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        GHashTable *busy; /* layer IDs some pull is fetching now */
};

PullShared *pull_shared_new(void) {
        PullShared *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->cond, NULL);
        p->busy = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
        return p;
}

void pull_shared_free(PullShared *p) {
        if (!p)
                return;
        g_hash_table_destroy(p->busy);
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->lock);
        free(p);
}

static bool cancelled(const volatile int *a, const volatile int *b) {
        return (a && *a) || (b && *b);
}

/* Waits until no other pull fetches id, then marks it as ours. -ECANCELED if cancelled. */
static int shared_acquire(PullShared *p, const char *id, const volatile int *c1, const volatile int *c2) {
        if (!p)
                return 0;
        char *key = strdup(id);
        if (!key)
                return -ENOMEM;
        pthread_mutex_lock(&p->lock);
        bool waited = false;
        while (g_hash_table_contains(p->busy, id) && !cancelled(c1, c2)) {
                if (!waited)
                        log_debug("pull: layer %.12s is being fetched by another pull: waiting for it", id);
                waited = true;
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += 1;
                pthread_cond_timedwait(&p->cond, &p->lock, &until);
        }
        int r = 0;
        if (cancelled(c1, c2)) {
                free(key);
                r = -ECANCELED;
        } else
                g_hash_table_add(p->busy, key);
        pthread_mutex_unlock(&p->lock);
        return r;
}

static void shared_release(PullShared *p, const char *id) {
        if (!p)
                return;
        pthread_mutex_lock(&p->lock);
        g_hash_table_remove(p->busy, id);
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
}

/* ---- one pull's layers ---- */

typedef struct LayerJob {
        size_t index;
        const ImageDescriptor *desc;
        const char *diff_id;
        char id[STORE_ID_LEN + 1];
        char parent[STORE_ID_LEN + 1]; /* "" for the base layer */
        bool held;                     /* holds the shared mark on id */
        bool created;                  /* this pull added it */
} LayerJob;

typedef struct LayerRun {
        const PullTarget *t;
        LayerJob *jobs;
        size_t n;
        uint64_t max_diff_size;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        size_t next;      /* next job to start */
        size_t committed; /* jobs [0, committed) are in the store */
        int error;        /* first failure; stops the others */
        CrioError err;
        volatile int stop; /* set with error: transfers of the other jobs end early */
} LayerRun;

static void run_fail(LayerRun *run, int r, CrioError *e) {
        pthread_mutex_lock(&run->lock);
        if (!run->error) {
                run->error = r;
                crio_error_move(&run->err, e);
                run->stop = 1;
        }
        pthread_cond_broadcast(&run->cond);
        pthread_mutex_unlock(&run->lock);
        crio_error_clear(e);
}

/* The download side of one layer: the blob into a pipe. */
typedef struct BlobWriter {
        const PullTarget *t;
        RegistryClientOptions client;
        const ImageDescriptor *desc;
        int fd;
        int r;
        CrioError err;
} BlobWriter;

static void *blob_writer_main(void *userdata) {
        BlobWriter *w = userdata;
        /* A reader that gives up closes the pipe: EPIPE, not a process-killing SIGPIPE. */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        _cleanup_registry_client_ RegistryClient *c = NULL;
        w->r = w->t->parent ? registry_client_new_from(w->t->parent, w->client.cancel2, &c, &w->err)
                            : registry_client_new(&w->client, &c, &w->err);
        if (w->r >= 0)
                w->r = registry_get_blob_to_fd(c, w->t->repo, w->desc->digest, w->desc->size, false, w->fd, &w->err);
        close(w->fd);
        w->fd = -1;
        return NULL;
}

/* Downloads and extracts job into a staged layer. */
static int stage_layer(LayerRun *run, LayerJob *j, StoreStagedLayer **ret, CrioError *err) {
        const PullTarget *t = run->t;
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return crio_error_set_errno(err, errno, "creating a pipe");
        BlobWriter w = { .t = t, .client = t->client, .desc = j->desc, .fd = fds[1] };
        w.client.cancel2 = &run->stop; /* and client.cancel stays the daemon's */
        pthread_t th;
        int e = pthread_create(&th, NULL, blob_writer_main, &w);
        if (e != 0) {
                close(fds[0]);
                close(fds[1]);
                return crio_error_set_errno(err, e, "starting a download thread");
        }
        StoreLayerCreateOptions so = { .expected_diff_digest = j->diff_id,
                                       .expected_compressed_digest = j->desc->digest,
                                       .expected_compressed_size = j->desc->size,
                                       .max_diff_size = run->max_diff_size };
        _cleanup_(crio_error_clear) CrioError serr = {};
        StoreStagedLayer *staged = NULL;
        int r = store_layer_stage(t->o->store, fds[0], &so, &staged, &serr);
        close(fds[0]); /* a writer still writing gets EPIPE */
        pthread_join(th, NULL);
        if (w.r < 0 && !(r < 0 && w.err.code == EPIPE)) {
                /* The download's failure explains any failure of the extraction, unless it is
                 * only that the extraction stopped reading (a blob that is not what it claims). */
                store_staged_layer_free(staged);
                r = w.r;
                crio_error_move(err, &w.err);
        } else if (r < 0)
                crio_error_move(err, &serr);
        else
                *ret = staged;
        crio_error_clear(&w.err);
        return r < 0 ? crio_error_prefix(err, "layer %s: ", j->desc->digest) : 0;
}

/* Waits until every layer below j is in the store. Returns false if the run failed. */
static bool wait_turn(LayerRun *run, LayerJob *j) {
        pthread_mutex_lock(&run->lock);
        while (!run->error && run->committed < j->index)
                pthread_cond_wait(&run->cond, &run->lock);
        bool ok = !run->error;
        pthread_mutex_unlock(&run->lock);
        return ok;
}

static void mark_committed(LayerRun *run) {
        pthread_mutex_lock(&run->lock);
        run->committed++;
        pthread_cond_broadcast(&run->cond);
        pthread_mutex_unlock(&run->lock);
}

static int layer_present(Store *s, const char *id) {
        _cleanup_(crio_error_clear) CrioError e = {};
        StoreLayer *l = NULL;
        int r = store_layer_get(s, id, &l, &e);
        bool ok = r >= 0 && !l->incomplete;
        store_layer_free(l);
        return ok;
}

/* A layer whose diff ID is not known beforehand (schema 1): always fetched and staged, then
 * recorded under the ID its parent and its diff digest give. Not shared with concurrent pulls:
 * without the diff ID there is no layer ID to wait for, and two pulls committing the same
 * layer end with one record (the second commit finds it identical). */
static int process_unknown_job(LayerRun *run, LayerJob *j, CrioError *err) {
        Store *s = run->t->o->store;
        _cleanup_(store_staged_layer_freep) StoreStagedLayer *staged = NULL;
        log_debug("pull: fetching layer %s (diff ID unknown)", j->desc->digest);
        int r = stage_layer(run, j, &staged, err);
        if (r < 0)
                return r;
        if (!wait_turn(run, j))
                return 0;
        const char *parent = j->index > 0 ? run->jobs[j->index - 1].id : NULL;
        StoreLayer *l = NULL;
        r = store_layer_commit(s, staged, NULL, parent, NULL, &l, err);
        if (r >= 0 && strlen(l->id) == STORE_ID_LEN)
                memcpy(j->id, l->id, sizeof(j->id));
        else if (r >= 0)
                r = crio_error_set(err, EIO, "layer %s: unexpected layer ID %.80s", j->desc->digest, l->id);
        store_layer_free(l);
        if (r < 0)
                return crio_error_prefix(err, "layer %s: ", j->desc->digest);
        j->created = r == 0;
        mark_committed(run);
        return 0;
}

static int process_job(LayerRun *run, LayerJob *j, CrioError *err) {
        const PullTarget *t = run->t;
        Store *s = t->o->store;
        if (!j->diff_id)
                return process_unknown_job(run, j, err);
        int r = shared_acquire(t->o->shared, j->id, t->o->cancel, &run->stop);
        if (r < 0)
                return r == -ECANCELED ? crio_error_set(err, ECANCELED, "pull cancelled") : crio_error_set_errno(err, -r, "waiting for a layer");
        j->held = true;
        _cleanup_(store_staged_layer_freep) StoreStagedLayer *staged = NULL;
        if (layer_present(s, j->id))
                log_debug("pull: layer %.12s (%s) already present", j->id, j->desc->digest);
        else {
                log_debug("pull: fetching layer %s (%" PRId64 " bytes)", j->desc->digest, j->desc->size);
                if ((r = stage_layer(run, j, &staged, err)) < 0)
                        return r;
        }
        if (!wait_turn(run, j))
                return 0; /* another job failed: its error is the run's */
        if (staged) {
                StoreLayer *l = NULL;
                r = store_layer_commit(s, staged, j->id, j->parent[0] ? j->parent : NULL, NULL, &l, err);
                store_layer_free(l);
                if (r < 0)
                        return crio_error_prefix(err, "layer %s: ", j->desc->digest);
                j->created = r == 0;
        }
        shared_release(t->o->shared, j->id);
        j->held = false;
        mark_committed(run);
        return 0;
}

static void *worker_main(void *userdata) {
        LayerRun *run = userdata;
        for (;;) {
                pthread_mutex_lock(&run->lock);
                LayerJob *j = !run->error && run->next < run->n ? &run->jobs[run->next++] : NULL;
                pthread_mutex_unlock(&run->lock);
                if (!j)
                        break;
                CrioError e = {};
                int r = process_job(run, j, &e);
                if (j->held) {
                        shared_release(run->t->o->shared, j->id);
                        j->held = false;
                }
                if (r < 0)
                        run_fail(run, r, &e);
                crio_error_clear(&e);
        }
        return NULL;
}

void pull_remove_layers(Store *s, char **ids) {
        size_t n = strv_length(ids);
        while (n-- > 0) {
                _cleanup_(crio_error_clear) CrioError e = {};
                if (store_layer_delete(s, ids[n], &e) < 0 && e.code != EBUSY && e.code != ENOENT)
                        log_warn("pull: removing layer %s of a failed pull: %s", ids[n], e.msg);
        }
}

static uint64_t free_space(Store *s) {
        struct statvfs sv;
        if (statvfs(store_graph_root(s), &sv) < 0)
                return 0;
        return (uint64_t) sv.f_bavail * sv.f_frsize;
}

/* diff_ids NULL: not known beforehand (schema 1), see process_unknown_job; the staging still
 * checks each blob's digest, and the diff digests end up in the layer records. */
int pull_layers(const PullTarget *t, const ImageManifest *m, char *const *diff_ids, char **ret_top, char ***ret_created,
                CrioError *err) {
        const PullOptions *o = t->o;
        size_t n = m->n_layers;
        if (diff_ids && strv_length((char **) diff_ids) != n)
                return crio_error_set(err, EBADMSG, "the manifest has %zu layers but the image config lists %zu diff IDs", n,
                                      strv_length((char **) diff_ids));
        _cleanup_free_ LayerJob *jobs = calloc(n ? n : 1, sizeof(LayerJob));
        if (!jobs)
                return crio_error_set(err, ENOMEM, "out of memory");
        int r;
        for (size_t i = 0; i < n; i++) {
                LayerJob *j = &jobs[i];
                j->index = i;
                j->desc = &m->layers[i];
                if (!diff_ids)
                        continue;
                j->diff_id = diff_ids[i];
                if (i > 0)
                        memcpy(j->parent, jobs[i - 1].id, sizeof(j->parent));
                if ((r = store_layer_id_for(i > 0 ? j->parent : NULL, diff_ids[i], j->id, err)) < 0)
                        return crio_error_prefix(err, "image config: ");
        }

        LayerRun run = { .t = t, .jobs = jobs, .n = n };
        run.max_diff_size = o->max_layer_size ? o->max_layer_size : free_space(o->store);
        pthread_mutex_init(&run.lock, NULL);
        pthread_cond_init(&run.cond, NULL);
        unsigned workers = o->max_parallel ? o->max_parallel : PULL_DEFAULT_PARALLEL;
        if (workers > n)
                workers = (unsigned) n;
        pthread_t threads[64];
        if (workers > ELEMENTSOF(threads))
                workers = ELEMENTSOF(threads);
        unsigned started = 0;
        for (; started < workers; started++)
                if (pthread_create(&threads[started], NULL, worker_main, &run) != 0)
                        break;
        if (started == 0 && n > 0)
                worker_main(&run); /* no thread to spare: do it here */
        for (unsigned i = 0; i < started; i++)
                pthread_join(threads[i], NULL);

        _cleanup_strv_free_ char **created = calloc(n + 1, sizeof(char *));
        size_t k = 0;
        for (size_t i = 0; created && i < n; i++)
                if (jobs[i].created && !(created[k++] = strdup(jobs[i].id)))
                        run.error = run.error ? run.error : -ENOMEM;
        if (!created && !run.error)
                run.error = -ENOMEM;
        if (!run.error && cancelled(o->cancel, NULL))
                run.error = crio_error_set(&run.err, ECANCELED, "pull cancelled");
        pthread_mutex_destroy(&run.lock);
        pthread_cond_destroy(&run.cond);
        if (run.error) {
                if (created)
                        pull_remove_layers(o->store, created);
                r = run.error;
                if (run.err.msg)
                        crio_error_move(err, &run.err);
                else
                        crio_error_set_errno(err, -r, "pulling layers");
                crio_error_clear(&run.err);
                return r;
        }
        char *top = NULL;
        if (n > 0 && !(top = strdup(jobs[n - 1].id)))
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_top = top;
        *ret_created = TAKE_PTR(created);
        return 0;
}
