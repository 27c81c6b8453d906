/* Noticing container exits: conmon writes <exits_dir>/<id> (renamed into place) when a
 * container ends; an inotify watch on exits_dir turns that into the EXITED state, with the
 * exit code, the finish time (the file's mtime) and OOM (<bundle>/oom, written by conmon). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/events.h"
#include "runtime/lifecycle.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/log.h"

int rt_exit_watch_start(Rt *rt, CrioError *err);
void rt_exit_watch_stop(Rt *rt);

/* Reads <exits_dir>/<id>: 1 with the code and mtime, 0 if there is no file yet. */
int rt_read_exit_file(Rt *rt, const char *id, int *ret_code, int64_t *ret_mtime) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", rt->o.exits_dir, id) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        char buf[32];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        char *end = NULL;
        long v = strtol(buf, &end, 10);
        *ret_code = (end == buf || v < 0 || v > 255) ? 255 : (int) v;
        *ret_mtime = (int64_t) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        return 1;
}

/* Applies an exit to c (rt->lock held): state, code, reason. Returns true if it changed. */
bool rt_container_set_exited_locked(Rt *rt, RtContainer *c, int code, int64_t finished_at, bool oom) {
        (void) rt;
        if (c->state == RT_CTR_EXITED)
                return false;
        c->state = RT_CTR_EXITED;
        c->exit_code = code;
        c->finished_at = finished_at ? finished_at : rt_now();
        if (c->started_at == 0 || c->started_at > c->finished_at)
                c->started_at = c->finished_at;
        c->oom = oom;
        free(c->reason);
        c->reason = strdup(oom ? "OOMKilled" : code == 0 ? "Completed" : "Error");
        pthread_cond_broadcast(&rt->changed);
        return true;
}

int rt_container_check_exit(Rt *rt, const char *id) {
        int code = 0;
        int64_t mtime = 0;
        int r = rt_read_exit_file(rt, id, &code, &mtime);
        if (r <= 0)
                return r;
        pthread_mutex_lock(&rt->lock);
        RtContainer *c = g_hash_table_lookup(rt->containers, id);
        _cleanup_free_ char *oom_path = NULL;
        bool changed = false;
        if (c && c->state != RT_CTR_EXITED && asprintf(&oom_path, "%s/oom", c->bundle) >= 0) {
                bool oom = access(oom_path, F_OK) == 0;
                /* A container that ends while StartContainer is still finishing: STARTED
                 * first, then STOPPED, both under the lock that orders them. */
                bool was_starting = c->starting && c->state == RT_CTR_CREATED;
                changed = rt_container_set_exited_locked(rt, c, code, mtime, oom);
                if (changed && !c->infra) {
                        if (was_starting)
                                rt_events_emit(rt->events, c->id, c->sandbox_id, RT_EVENT_STARTED);
                        rt_events_emit(rt->events, c->id, c->sandbox_id, RT_EVENT_STOPPED);
                }
                rt_container_ref(c);
        } else {
                c = NULL;
        }
        pthread_mutex_unlock(&rt->lock);
        if (!c)
                return 0;
        _cleanup_(rt_container_unrefp) RtContainer *held = c;
        if (changed) {
                _cleanup_(crio_error_clear) CrioError err = { 0 };
                if (rt_container_save(rt, held, &err) < 0)
                        log_debug("recording the exit of %s: %s", id, err.msg);
                log_debug("container %s exited with %d", id, code);
        }
        return 1;
}

static void *watch_thread(void *arg) {
        Rt *rt = arg;
        char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)] __attribute__((aligned(__alignof__(struct inotify_event))));
        for (;;) {
                struct pollfd p[2] = { { rt->exit_watch_fd, POLLIN, 0 }, { rt->exit_stop_fd, POLLIN, 0 } };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[1].revents)
                        break;
                ssize_t n = read(rt->exit_watch_fd, buf, sizeof buf);
                if (n <= 0)
                        continue;
                for (char *q = buf; q < buf + n;) {
                        struct inotify_event *e = (struct inotify_event *) q;
                        q += sizeof *e + e->len;
                        if (e->mask & IN_Q_OVERFLOW) {
                                rt_check_all_exits(rt);
                                continue;
                        }
                        if (e->len == 0 || strlen(e->name) != RT_ID_LEN)
                                continue; /* temporary files (<id>.tmp-XXXXXX) and strangers */
                        (void) rt_container_check_exit(rt, e->name);
                }
        }
        return NULL;
}

void rt_check_all_exits(Rt *rt) {
        pthread_mutex_lock(&rt->lock);
        guint n = 0;
        gpointer *keys = g_hash_table_get_keys_as_array(rt->containers, &n);
        char **ids = calloc(n + 1, sizeof(char *));
        for (guint i = 0; ids && i < n; i++)
                ids[i] = strdup(keys[i]);
        g_free(keys);
        pthread_mutex_unlock(&rt->lock);
        for (guint i = 0; ids && i < n; i++) {
                if (ids[i])
                        (void) rt_container_check_exit(rt, ids[i]);
                free(ids[i]);
        }
        free(ids);
}

int rt_exit_watch_start(Rt *rt, CrioError *err) {
        rt->exit_watch_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (rt->exit_watch_fd < 0)
                return crio_error_set_errno(err, errno, "inotify");
        if (inotify_add_watch(rt->exit_watch_fd, rt->o.exits_dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
                return crio_error_set_errno(err, errno, "watching %s", rt->o.exits_dir);
        rt->exit_stop_fd = eventfd(0, EFD_CLOEXEC);
        if (rt->exit_stop_fd < 0)
                return crio_error_set_errno(err, errno, "eventfd");
        int r = pthread_create(&rt->exit_thread, NULL, watch_thread, rt);
        if (r)
                return crio_error_set_errno(err, r, "starting the exit watcher");
        rt->exit_thread_running = true;
        return 0;
}

void rt_exit_watch_stop(Rt *rt) {
        if (rt->exit_thread_running) {
                uint64_t one = 1;
                if (write(rt->exit_stop_fd, &one, sizeof one) < 0) {
                        /* cannot happen for an eventfd below its maximum */
                }
                pthread_join(rt->exit_thread, NULL);
                rt->exit_thread_running = false;
        }
        rt->exit_watch_fd = safe_close(rt->exit_watch_fd);
        rt->exit_stop_fd = safe_close(rt->exit_stop_fd);
}
