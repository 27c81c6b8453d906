/* OOM notification: see oom.h. */
#include "oom.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP2_MAGIC 0x63677270

/* Whether the comma-separated list [s, end) holds name. */
static bool list_has(const char *s, const char *end, const char *name) {
        size_t n = strlen(name);
        while (s < end) {
                const char *comma = memchr(s, ',', (size_t) (end - s));
                const char *e = comma ? comma : end;
                if ((size_t) (e - s) == n && memcmp(s, name, n) == 0)
                        return true;
                s = e + 1;
        }
        return false;
}

int oom_cgroup_paths(const char *text, char **ret_v1, char **ret_v2) {
        _cleanup_free_ char *v1 = NULL, *v2 = NULL;
        for (const char *line = text; *line;) {
                const char *nl = strchr(line, '\n');
                const char *end = nl ? nl : line + strlen(line);
                /* hierarchy-id:controllers:path */
                const char *c1 = memchr(line, ':', (size_t) (end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;
                if (c2 && c2 + 1 < end && c2[1] == '/') {
                        char **slot = NULL;
                        if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1)
                                slot = &v2;
                        else if (list_has(c1 + 1, c2, "memory"))
                                slot = &v1;
                        if (slot && !*slot && !(*slot = strndup(c2 + 1, (size_t) (end - c2 - 1))))
                                return -ENOMEM;
                }
                line = nl ? nl + 1 : end;
        }
        char *a = v1 ? TAKE_PTR(v1) : strdup(""), *b = v2 ? TAKE_PTR(v2) : strdup("");
        if (!a || !b) {
                free(a), free(b);
                return -ENOMEM;
        }
        *ret_v1 = a;
        *ret_v2 = b;
        return 0;
}

int oom_kill_count(const char *text, uint64_t *ret) {
        for (const char *line = text; *line;) {
                const char *nl = strchr(line, '\n');
                if (strncmp(line, "oom_kill ", 9) == 0) {
                        char *end = NULL;
                        errno = 0;
                        unsigned long long v = strtoull(line + 9, &end, 10);
                        if (errno || end == line + 9 || (*end != '\n' && *end != '\0'))
                                return -EINVAL;
                        *ret = v;
                        return 0;
                }
                line = nl ? nl + 1 : line + strlen(line);
        }
        return -EINVAL;
}

static int read_count(const char *path, uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        int r = read_file(path, OOM_COUNTER_FILE_MAX, &text, NULL, NULL);
        if (r < 0)
                return r;
        return oom_kill_count(text, ret);
}

static int open_v1(OomWatch *w, const char *dir, CrioError *err) {
        _cleanup_free_ char *control = NULL;
        if (asprintf(&control, "%s/cgroup.event_control", dir) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        w->control_fd = open(w->counter_path, O_RDONLY | O_CLOEXEC);
        if (w->control_fd < 0)
                return crio_error_set_errno(err, errno, "opening %s", w->counter_path);
        w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->fd < 0)
                return crio_error_set_errno(err, errno, "eventfd");
        _cleanup_close_ int cfd = open(control, O_WRONLY | O_CLOEXEC);
        if (cfd < 0)
                return crio_error_set_errno(err, errno, "opening %s", control);
        char line[64];
        int n = snprintf(line, sizeof line, "%d %d", w->fd, w->control_fd);
        if (write(cfd, line, (size_t) n) != n)
                return crio_error_set_errno(err, errno, "registering for OOM events in %s", control);
        return 0;
}

static int open_v2(OomWatch *w, CrioError *err) {
        w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (w->fd < 0)
                return crio_error_set_errno(err, errno, "inotify_init1");
        if (inotify_add_watch(w->fd, w->counter_path, IN_MODIFY) < 0)
                return crio_error_set_errno(err, errno, "watching %s", w->counter_path);
        return 0;
}

int oom_watch_open_dir(OomKind kind, const char *dir, OomWatch *ret, CrioError *err) {
        OomWatch w = OOM_WATCH_INIT;
        w.kind = kind;
        if (asprintf(&w.counter_path, "%s/%s", dir, kind == OOM_V1 ? "memory.oom_control" : "memory.events") < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        /* a kernel without the counter still has the v1 event */
        if (read_count(w.counter_path, &w.base) < 0 && kind == OOM_V2) {
                int r = crio_error_set(err, EINVAL, "%s has no oom_kill counter", w.counter_path);
                oom_watch_close(&w);
                return r;
        }
        int r = kind == OOM_V1 ? open_v1(&w, dir, err) : open_v2(&w, err);
        if (r < 0) {
                oom_watch_close(&w);
                return r;
        }
        *ret = w;
        return 0;
}

static bool is_cgroup2(const char *path) {
        struct statfs sf;
        return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_MAGIC;
}

int oom_watch_open(pid_t pid, OomWatch *ret, CrioError *err) {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/%d/cgroup", (int) pid);
        _cleanup_free_ char *text = NULL, *v1 = NULL, *v2 = NULL, *dir = NULL;
        int r = read_file(proc, OOM_PROC_CGROUP_MAX, &text, NULL, err);
        if (r < 0)
                return r;
        if (oom_cgroup_paths(text, &v1, &v2) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        OomKind kind = OOM_NONE;
        if (*v1) {
                kind = OOM_V1;
                if (asprintf(&dir, CGROUP_ROOT "/memory%s", v1) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        } else if (*v2) {
                const char *root = is_cgroup2(CGROUP_ROOT) ? CGROUP_ROOT : CGROUP_ROOT "/unified";
                _cleanup_free_ char *events = NULL;
                if (asprintf(&dir, "%s%s", root, v2) < 0 || asprintf(&events, "%s/memory.events", dir) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                if (access(events, F_OK) == 0)
                        kind = OOM_V2;
        }
        if (kind == OOM_NONE) {
                log_debug("container %d has no memory cgroup: OOM not watched", (int) pid);
                *ret = (OomWatch) OOM_WATCH_INIT;
                return 0;
        }
        log_debug("watching %s for OOM (cgroup v%d)", dir, kind == OOM_V1 ? 1 : 2);
        return oom_watch_open_dir(kind, dir, ret, err);
}

bool oom_watch_read(OomWatch *w) {
        if (w->kind == OOM_V1) {
                uint64_t n = 0;
                if (read(w->fd, &n, sizeof n) == (ssize_t) sizeof n && n > 0)
                        w->fired = true;
        } else if (w->kind == OOM_V2) {
                char buf[1024] __attribute__((aligned(__alignof__(struct inotify_event))));
                while (read(w->fd, buf, sizeof buf) > 0)
                        ;
                uint64_t n;
                if (read_count(w->counter_path, &n) == 0 && n > w->base)
                        w->fired = true;
        }
        return w->fired;
}

bool oom_watch_check(OomWatch *w) {
        if (w->kind == OOM_NONE || w->fired)
                return w->fired;
        oom_watch_read(w);
        uint64_t n;
        if (!w->fired && read_count(w->counter_path, &n) == 0 && n > w->base)
                w->fired = true;
        return w->fired;
}

void oom_watch_close(OomWatch *w) {
        if (w->fd >= 0)
                close(w->fd);
        if (w->control_fd >= 0)
                close(w->control_fd);
        free(w->counter_path);
        *w = (OomWatch) OOM_WATCH_INIT;
}
