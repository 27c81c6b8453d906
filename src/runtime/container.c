/* Containers: create (storage, bundle, conmon), start, stop, remove. See lifecycle.h. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/events.h"
#include "runtime/cgroup.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/rmrf.h"
#include "util/strv.h"

static bool relative_path_ok(const char *p) {
        if (!p || !p[0] || p[0] == '/')
                return false;
        for (const char *c = p; *c;) {
                const char *e = strchrnul(c, '/');
                if ((e - c == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c = *e ? e + 1 : e;
        }
        return true;
}

static int log_path_for(const RtSandbox *s, const RtContainerConfig *cfg, const char *id, char **ret, CrioError *err) {
        if (cfg->log_path && cfg->log_path[0] && !relative_path_ok(cfg->log_path))
                return crio_error_set(err, EINVAL, "log_path %s must be relative, without \"..\"", cfg->log_path);
        int k;
        if (s->log_dir && s->log_dir[0] && cfg->log_path && cfg->log_path[0])
                k = asprintf(ret, "%s/%s", s->log_dir, cfg->log_path);
        else if (s->log_dir && s->log_dir[0])
                k = asprintf(ret, "%s/%s.log", s->log_dir, id);
        else
                k = asprintf(ret, "%s/%s/%s.log", cfg->default_log_dir, s->id, id);
        return k < 0 ? crio_error_set(err, ENOMEM, "out of memory") : 0;
}

static int copy_mounts(RtContainer *c, const RtMount *m, size_t n) {
        if (n == 0)
                return 0;
        c->mounts = calloc(n, sizeof(RtMount));
        if (!c->mounts)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                c->mounts[i] = m[i];
                c->mounts[i].container_path = strdup(m[i].container_path);
                c->mounts[i].host_path = strdup(m[i].host_path);
                c->n_mounts++;
                if (!c->mounts[i].container_path || !c->mounts[i].host_path)
                        return -ENOMEM;
        }
        return 0;
}

/* Undoes a partial create: runtime state, storage, bundle. */
static void undo_create(Rt *rt, RtContainer *c, bool mounted) {
        _cleanup_(crio_error_clear) CrioError e = { 0 };
        OciRuntime ort = rt_container_runtime(c);
        if (oci_runtime_delete(&ort, c->id, true, &e) < 0)
                log_debug("undoing %s: %s", c->id, e.msg);
        crio_error_clear(&e);
        if (c->has_layer) {
                if (mounted)
                        (void) store_container_unmount(rt->store, c->id, true, NULL);
                if (store_container_delete(rt->store, c->id, &e) < 0)
                        log_debug("undoing %s: %s", c->id, e.msg);
        }
        rt_conmon_cgroup_remove(c);
        (void) rm_rf(c->bundle, NULL);
        _cleanup_free_ char *exit_file = NULL;
        if (asprintf(&exit_file, "%s/%s", rt->o.exits_dir, c->id) >= 0)
                (void) unlink(exit_file);
}

/* The part of create shared with the infra container (sandbox.c): bundle, spec, conmon.
 * c has id, name, bundle, log_path and the runtime set; rootfs exists. */
int rt_container_launch(Rt *rt, RtContainer *c, const RtSandbox *s, const char *rootfs, RtContainerSpecFn fn,
                        void *data, CrioError *err) {
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        int r = fn(data, s, c, rootfs, &spec, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *config = NULL, *pidfile = NULL, *cpidfile = NULL, *logdir = NULL;
        if (asprintf(&config, "%s/config.json", c->bundle) < 0 || asprintf(&pidfile, "%s/conmon.pid", c->bundle) < 0 ||
            asprintf(&cpidfile, "%s/pidfile", c->bundle) < 0 || !(logdir = strdup(c->log_path)))
                return crio_error_set(err, ENOMEM, "out of memory");
        r = oci_spec_write(spec, config, err);
        if (r < 0)
                return r;
        free(c->resources);
        c->resources = oci_spec_resources_json(spec);
        char *slash = strrchr(logdir, '/');
        if (slash && slash != logdir) {
                *slash = '\0';
                r = mkdir_p(logdir, 0755, err);
                if (r < 0)
                        return r;
        }
        OciRuntime ort = rt_container_runtime(c);
        ort.systemd_cgroup = cgroup_parent_manager(s->cgroup_parent) == CGROUP_MANAGER_SYSTEMD;
        OciConmonOptions co = {
                .conmon = rt->o.conmon,
                .runtime = &ort,
                .id = c->id,
                .bundle = c->bundle,
                .log_path = c->log_path,
                .log_size_max = rt->o.log_size_max,
                .exit_dir = rt->o.exits_dir,
                .pidfile = pidfile,
                .container_pidfile = cpidfile,
                .terminal = c->terminal,
                .stdin_open = c->stdin_open,
                .stdin_once = c->stdin_once,
                .log_level = rt->o.log_level,
                .env = rt->o.conmon_env,
        };
        r = oci_conmon_create(&co, &c->pid, &c->conmon_pid, err);
        if (r < 0)
                return r;
        return rt_conmon_cgroup_join(rt, s, c, err);
}

int rt_container_create(Rt *rt, const RtContainerConfig *cfg, const OciRuntime *runtime, RtContainerSpecFn fn,
                        void *data, char **ret_id, CrioError *err) {
        if (!cfg->name || !cfg->name[0])
                return crio_error_set(err, EINVAL, "CreateContainer: the container has no name (metadata.name)");
        if (!cfg->image_id || !cfg->image_id[0])
                return crio_error_set(err, EINVAL, "CreateContainer: no image");
        _cleanup_(rt_sandbox_unrefp) RtSandbox *s = NULL;
        _cleanup_(rt_container_unrefp) RtContainer *c = rt_container_new();
        if (!c)
                return crio_error_set(err, ENOMEM, "out of memory");
        char id[RT_ID_LEN + 1];

        pthread_mutex_lock(&rt->lock);
        int r = rt_find_sandbox_locked(rt, cfg->sandbox_id, &s, err);
        if (r >= 0 && s->state != RT_POD_READY)
                r = crio_error_set(err, EBUSY, "pod sandbox %s is not ready (it was stopped)", s->id);
        if (r >= 0)
                rt_sandbox_ref(s);
        else
                s = NULL;
        if (r >= 0)
                r = rt_new_id_locked(rt, id) < 0 ? crio_error_set(err, EIO, "no random ID") : 0;
        if (r >= 0 && asprintf(&c->name, "k8s_%s_%s_%s_%s_%u", cfg->name, s->meta_name, s->meta_namespace, s->meta_uid,
                               cfg->attempt) < 0)
                r = crio_error_set(err, ENOMEM, "out of memory");
        if (r >= 0)
                r = rt_name_reserve_locked(rt, c->name, id, err);
        pthread_mutex_unlock(&rt->lock);
        if (r < 0)
                return r;

        c->id = strdup(id);
        c->sandbox_id = strdup(s->id);
        c->meta_name = strdup(cfg->name);
        c->attempt = cfg->attempt;
        c->image = strdup(cfg->image ? cfg->image : "");
        c->image_id = strdup(cfg->image_id);
        c->image_ref = strdup(cfg->image_ref ? cfg->image_ref : cfg->image_id);
        c->labels = strv_copy(cfg->labels);
        c->annotations = strv_copy(cfg->annotations);
        c->runtime_handler = strdup(runtime->name ? runtime->name : "");
        c->runtime_path = strdup(runtime->path);
        c->runtime_root = strdup(runtime->root ? runtime->root : "");
        c->terminal = cfg->terminal;
        c->stdin_open = cfg->stdin_open;
        c->stdin_once = cfg->stdin_once;
        c->stop_signal = cfg->stop_signal > 0 ? cfg->stop_signal : SIGTERM;
        c->state = RT_CTR_CREATED;
        bool mounted = false;
        _cleanup_free_ char *rootfs = NULL;
        if (!c->id || !c->sandbox_id || !c->meta_name || !c->image || !c->image_id || !c->image_ref || !c->labels ||
            !c->annotations || !c->runtime_handler || !c->runtime_path || !c->runtime_root ||
            copy_mounts(c, cfg->mounts, cfg->n_mounts) < 0 || asprintf(&c->bundle, "%s/%s", rt->ctrs_dir, id) < 0) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto release;
        }
        r = log_path_for(s, cfg, id, &c->log_path, err);
        if (r < 0)
                goto release;
        if (mkdir(c->bundle, 0700) < 0) {
                r = crio_error_set_errno(err, errno, "creating %s", c->bundle);
                goto release;
        }
        char *const names[] = { c->name, NULL };
        StoreContainerCreateOptions so = { .id = id, .names = names, .image = cfg->image_id };
        StoreContainer *sc = NULL;
        r = store_container_create(rt->store, &so, &sc, err);
        if (r < 0)
                goto undo;
        store_container_free(sc);
        c->has_layer = true;
        r = store_container_mount(rt->store, id, cfg->mount_label, &rootfs, err);
        if (r < 0)
                goto undo;
        mounted = true;
        r = rt_container_launch(rt, c, s, rootfs, fn, data, err);
        if (r < 0)
                goto undo;
        c->created_at = rt_now();

        pthread_mutex_lock(&rt->lock);
        rt_add_container_locked(rt, c);
        pthread_mutex_unlock(&rt->lock);
        r = rt_container_save(rt, c, err);
        if (r < 0) {
                pthread_mutex_lock(&rt->lock);
                rt_remove_container_locked(rt, c);
                pthread_mutex_unlock(&rt->lock);
                goto undo;
        }
        rt_events_emit(rt->events, c->id, c->sandbox_id, RT_EVENT_CREATED);
        log_info("created container %s (%s)", c->id, c->name);
        if (!(*ret_id = strdup(id)))
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
undo:
        undo_create(rt, c, mounted);
release:
        pthread_mutex_lock(&rt->lock);
        rt_name_release_locked(rt, c->name, id);
        pthread_mutex_unlock(&rt->lock);
        return r;
}

/* Finds a container, takes a reference and marks it busy (lifecycle.h). */
int rt_container_begin(Rt *rt, const char *id, RtWant want, RtContainer **ret, CrioError *err) {
        pthread_mutex_lock(&rt->lock);
        RtContainer *c = NULL;
        int r = rt_find_container_locked(rt, id, false, &c, err);
        if (r < 0) {
                pthread_mutex_unlock(&rt->lock);
                return r;
        }
        rt_container_ref(c);
        r = rt_op_begin_locked(rt, &c->busy, &c->removed, "container", c->id, err);
        if (r >= 0 && ((want == RT_WANT_LIVE && c->state == RT_CTR_EXITED) ||
                       (want == RT_WANT_RUNNING && c->state != RT_CTR_RUNNING))) {
                r = crio_error_set(err, EBUSY, "container %s is not %s", c->id,
                                   want == RT_WANT_RUNNING ? "running" : "created or running");
                c->busy = false;
                pthread_cond_broadcast(&rt->changed);
        }
        pthread_mutex_unlock(&rt->lock);
        if (r < 0) {
                rt_container_unref(c);
                return r;
        }
        *ret = c;
        return 0;
}

void rt_container_end(Rt *rt, RtContainer *c) {
        rt_op_end(rt, &c->busy);
        rt_container_unref(c);
}

int rt_container_start(Rt *rt, const char *id, CrioError *err) {
        RtContainer *c = NULL;
        int r = rt_container_begin(rt, id, RT_WANT_ANY, &c, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&rt->lock);
        RtCtrState st = c->state;
        c->starting = st == RT_CTR_CREATED;
        pthread_mutex_unlock(&rt->lock);
        if (st != RT_CTR_CREATED) {
                r = crio_error_set(err, EBUSY, "container %s is not in the created state (it is %s)", c->id,
                                   st == RT_CTR_RUNNING ? "running" : "exited");
                goto out;
        }
        OciRuntime ort = rt_container_runtime(c);
        r = oci_runtime_start(&ort, c->id, err);
        if (r < 0) {
                /* As CRI-O: a container that failed to start is exited, with the reason. */
                pthread_mutex_lock(&rt->lock);
                c->starting = false;
                if (rt_container_set_exited_locked(rt, c, 128, rt_now(), false)) {
                        free(c->message);
                        c->message = strdup(err && err->msg ? err->msg : "start failed");
                }
                pthread_mutex_unlock(&rt->lock);
                (void) rt_container_save(rt, c, NULL);
                goto out;
        }
        /* Under the lock, so that STARTED always precedes the exit watcher's STOPPED; when
         * the exit came first, the watcher emitted both (c->starting). */
        pthread_mutex_lock(&rt->lock);
        c->starting = false;
        if (c->state == RT_CTR_CREATED) {
                c->state = RT_CTR_RUNNING;
                c->started_at = rt_now();
                if (!c->infra)
                        rt_events_emit(rt->events, c->id, c->sandbox_id, RT_EVENT_STARTED);
        }
        pthread_mutex_unlock(&rt->lock);
        r = rt_container_save(rt, c, err);
        log_info("started container %s", c->id);
out:
        rt_container_end(rt, c);
        return r;
}

/* Waits until c has exited or timeout_s passed: 1 if exited. */
static int wait_exited(Rt *rt, RtContainer *c, int64_t timeout_s) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += timeout_s;
        /* The exit watcher normally wakes us; reading the file ourselves too costs nothing and
         * does not depend on inotify. */
        for (;;) {
                (void) rt_container_check_exit(rt, c->id);
                pthread_mutex_lock(&rt->lock);
                bool done = c->state == RT_CTR_EXITED;
                struct timespec now, step;
                clock_gettime(CLOCK_MONOTONIC, &now);
                bool late = now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec);
                if (!done && !late) {
                        step = now;
                        step.tv_nsec += 200000000L;
                        if (step.tv_nsec >= 1000000000L) {
                                step.tv_sec++;
                                step.tv_nsec -= 1000000000L;
                        }
                        if (step.tv_sec > until.tv_sec || (step.tv_sec == until.tv_sec && step.tv_nsec > until.tv_nsec))
                                step = until;
                        pthread_cond_timedwait(&rt->changed, &rt->lock, &step);
                        done = c->state == RT_CTR_EXITED;
                }
                pthread_mutex_unlock(&rt->lock);
                if (done)
                        return 1;
                if (late)
                        return 0;
        }
}

/* The container's process is gone when the runtime says so or kill(pid, 0) fails; conmon
 * then writes the exit file. A container whose conmon died too never gets one: record it. */
static void settle_lost(Rt *rt, RtContainer *c) {
        pthread_mutex_lock(&rt->lock);
        pid_t pid = c->pid, cpid = c->conmon_pid;
        pthread_mutex_unlock(&rt->lock);
        if ((pid > 0 && kill(pid, 0) == 0) || (cpid > 0 && kill(cpid, 0) == 0))
                return;
        if (rt_container_check_exit(rt, c->id) > 0)
                return;
        pthread_mutex_lock(&rt->lock);
        bool changed = rt_container_set_exited_locked(rt, c, 255, rt_now(), false);
        if (changed) {
                free(c->message);
                c->message = strdup("the container and its conmon are gone; no exit code was recorded");
        }
        pthread_mutex_unlock(&rt->lock);
        if (changed)
                (void) rt_container_save(rt, c, NULL);
}

int rt_stop_container_ref(Rt *rt, RtContainer *c, int64_t timeout_s, CrioError *err) {
        (void) rt_container_check_exit(rt, c->id);
        pthread_mutex_lock(&rt->lock);
        bool exited = c->state == RT_CTR_EXITED;
        int sig = c->stop_signal > 0 ? c->stop_signal : SIGTERM;
        pthread_mutex_unlock(&rt->lock);
        if (exited)
                return 0;
        OciRuntime ort = rt_container_runtime(c);
        _cleanup_(crio_error_clear) CrioError kerr = { 0 };
        if (timeout_s > 0) {
                if (oci_runtime_kill(&ort, c->id, sig, false, &kerr) < 0)
                        log_debug("stopping %s with signal %d: %s", c->id, sig, kerr.msg);
                crio_error_clear(&kerr);
                if (wait_exited(rt, c, timeout_s))
                        return 0;
                log_info("container %s did not stop within %" PRId64 " s: killing it", c->id, timeout_s);
        }
        if (oci_runtime_kill(&ort, c->id, SIGKILL, false, &kerr) < 0)
                log_debug("killing %s: %s", c->id, kerr.msg);
        if (wait_exited(rt, c, RT_KILL_WAIT_S))
                return 0;
        settle_lost(rt, c);
        if (wait_exited(rt, c, 0))
                return 0;
        return crio_error_set(err, ETIMEDOUT, "container %s did not exit %d s after SIGKILL", c->id, RT_KILL_WAIT_S);
}

int rt_container_stop(Rt *rt, const char *id, int64_t timeout_s, CrioError *err) {
        RtContainer *c = NULL;
        int r = rt_container_begin(rt, id, RT_WANT_ANY, &c, err);
        if (r < 0)
                return r;
        r = rt_stop_container_ref(rt, c, timeout_s, err);
        if (r >= 0)
                log_info("stopped container %s", c->id);
        rt_container_end(rt, c);
        return r;
}

int rt_remove_container_ref(Rt *rt, RtContainer *c, CrioError *err) {
        int r = rt_stop_container_ref(rt, c, 0, err);
        if (r < 0)
                return r;
        OciRuntime ort = rt_container_runtime(c);
        r = oci_runtime_delete(&ort, c->id, true, err);
        if (r < 0)
                return r;
        if (c->has_layer) {
                (void) store_container_unmount(rt->store, c->id, true, NULL);
                r = store_container_delete(rt->store, c->id, err);
                if (r < 0 && r != -ENOENT)
                        return r;
                crio_error_clear(err);
        }
        /* The record goes first: a crash after this leaves only files that restore removes. */
        _cleanup_free_ char *record = NULL, *exit_file = NULL;
        if (asprintf(&record, "%s/state.json", c->bundle) < 0 || asprintf(&exit_file, "%s/%s", rt->o.exits_dir, c->id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        pthread_mutex_lock(&rt->persist_lock);
        pthread_mutex_lock(&rt->lock);
        rt_remove_container_locked(rt, c);
        pthread_mutex_unlock(&rt->lock);
        (void) unlink(record);
        pthread_mutex_unlock(&rt->persist_lock);
        (void) unlink(exit_file);
        (void) rm_rf(c->bundle, NULL);
        rt_conmon_cgroup_remove(c);
        if (!c->infra)
                rt_events_emit(rt->events, c->id, c->sandbox_id, RT_EVENT_DELETED);
        log_info("removed container %s", c->id);
        return 0;
}

int rt_container_remove(Rt *rt, const char *id, CrioError *err) {
        RtContainer *c = NULL;
        int r = rt_container_begin(rt, id, RT_WANT_ANY, &c, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                return 0; /* already gone: RemoveContainer is idempotent */
        }
        if (r < 0)
                return r;
        r = rt_remove_container_ref(rt, c, err);
        rt_container_end(rt, c);
        return r;
}
