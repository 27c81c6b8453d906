/* The Cni object: its options, loading network_dir into the default network, status, and the
 * inotify watch that reloads when the configuration or the plugins change. See cni.h. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "network/cni-private.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

#define CNI_DEBOUNCE_MS 100      /* a burst of events ends after this much quiet ... */
#define CNI_DEBOUNCE_MAX_MS 1000 /* ... or this long after its first event */
#define CNI_WATCH_READS 64       /* inotify reads before looking at the stop fd again */

/* Events that matter in a directory watched for itself (plugins: also chmod +x), and in the
 * nearest existing parent of one that does not exist yet. */
#define WATCH_SELF_MASK (IN_DELETE_SELF | IN_MOVE_SELF)
#define WATCH_DIR_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | WATCH_SELF_MASK)
#define WATCH_PLUGIN_MASK (WATCH_DIR_MASK | IN_ATTRIB)
#define WATCH_PARENT_MASK (IN_CREATE | IN_MOVED_TO | WATCH_SELF_MASK)

static char *const default_plugin_dirs[] = { "/opt/cni/bin", "/usr/lib/cni", NULL };

/* One scan of a directory at a time, so that an older scan never replaces a newer one. */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- loading ---- */

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool is_config_name(const char *name) {
        return str_endswith(name, ".conf") || str_endswith(name, ".conflist") || str_endswith(name, ".json");
}

/* The configuration files of dir, sorted (strcmp); a missing directory has none. */
static int list_files(const char *dir, char ***ret) {
        _cleanup_strv_free_ char **files = NULL;
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d) {
                if (errno != ENOENT)
                        log_debug("CNI: cannot read %s: %s", dir, strerror(errno));
                *ret = NULL;
                return 0;
        }
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (!is_config_name(de->d_name))
                        continue;
                if (n == CNI_MAX_FILES) {
                        log_debug("CNI: more than %d configuration files in %s, the rest are ignored", CNI_MAX_FILES, dir);
                        break;
                }
                if (strv_push(&files, de->d_name) < 0)
                        return -ENOMEM;
                n++;
        }
        if (n > 1)
                qsort(files, n, sizeof(char *), cmp_str);
        *ret = TAKE_PTR(files);
        return 0;
}

/* 1 and *ret when path holds a network whose plugins are all installed; 0 and *why (NULL for
 * a directory, skipped without a word) when not; -ENOMEM. */
static int load_file(Cni *c, const char *path, const char *dirs_text, CniNetwork **ret, char **why) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        struct stat st;
        int r;
        if (stat(path, &st) < 0)
                r = crio_error_set_errno(&err, errno, "%s", path);
        else if (S_ISDIR(st.st_mode))
                return 0;
        else if (!S_ISREG(st.st_mode)) /* a FIFO would block the reader */
                r = crio_error_set(&err, EINVAL, "%s: not a regular file", path);
        else
                r = read_file(path, CNI_MAX_CONFIG_SIZE, &buf, &len, &err);
        _cleanup_(cni_network_unrefp) CniNetwork *n = NULL;
        if (r >= 0)
                r = cni_network_parse(path, buf, len, str_endswith(path, ".conflist"), &n, &err);
        for (size_t i = 0; r >= 0 && i < n->n_plugins; i++) {
                _cleanup_free_ char *exe = NULL;
                r = cni_plugin_find(c->plugin_dirs, n->plugins[i].type, &exe);
                if (r == -ENOENT)
                        crio_error_set(&err, ENOENT, "%s: plugin \"%s\" not found in the plugin directories (%s)", path,
                                       n->plugins[i].type, dirs_text);
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                *why = err.msg ? TAKE_PTR(err.msg) : strdup(path);
                return *why ? 0 : -ENOMEM;
        }
        *ret = TAKE_PTR(n);
        return 1;
}

/* The default network of network_dir (*ret, NULL when none), or why there is none (*ret_message). */
static int load_dir(Cni *c, CniNetwork **ret, char **ret_message) {
        _cleanup_strv_free_ char **files = NULL;
        _cleanup_free_ char *dirs_text = NULL, *last_why = NULL;
        if (list_files(c->network_dir, &files) < 0)
                return -ENOMEM;
        for (char **d = c->plugin_dirs; *d; d++) {
                char *t = NULL;
                if (asprintf(&t, "%s%s%s", dirs_text ? dirs_text : "", dirs_text ? ", " : "", *d) < 0)
                        return -ENOMEM;
                free(dirs_text);
                dirs_text = t;
        }
        const char *dir = c->network_dir, *sep = str_endswith(dir, "/") ? "" : "/";
        for (char **f = files; f && *f; f++) {
                _cleanup_free_ char *path = NULL, *why = NULL;
                _cleanup_(cni_network_unrefp) CniNetwork *n = NULL;
                if (asprintf(&path, "%s%s%s", dir, sep, *f) < 0)
                        return -ENOMEM;
                int r = load_file(c, path, dirs_text ? dirs_text : "", &n, &why);
                if (r < 0)
                        return r;
                if (r == 0 && why) {
                        log_debug("CNI: skipping %s", why);
                        free(last_why);
                        last_why = TAKE_PTR(why);
                }
                if (r == 0 || (c->default_network && strcmp(n->name, c->default_network) != 0))
                        continue;
                *ret = TAKE_PTR(n);
                *ret_message = NULL;
                return 0;
        }
        int r;
        if (c->default_network)
                r = asprintf(ret_message, "no usable CNI configuration for network \"%s\" in %s%s%s", c->default_network, dir,
                             last_why ? ": " : "", last_why ? last_why : "");
        else if (last_why)
                r = asprintf(ret_message, "no usable CNI configuration in %s: %s", dir, last_why);
        else
                r = asprintf(ret_message, "no CNI configuration file in %s", dir);
        *ret = NULL;
        return r < 0 ? -ENOMEM : 0;
}

void cni_reload(Cni *c) {
        pthread_mutex_lock(&reload_lock);
        CniNetwork *n = NULL, *old;
        _cleanup_free_ char *old_message = NULL;
        char *message = NULL;
        if (load_dir(c, &n, &message) < 0) {
                log_debug("CNI: out of memory loading %s; the configuration is unchanged", c->network_dir);
                pthread_mutex_unlock(&reload_lock);
                return;
        }
        pthread_mutex_lock(&c->lock);
        old = c->network;
        old_message = c->message;
        c->network = n;
        c->message = message;
        pthread_mutex_unlock(&c->lock);

        if (n && (!old || strcmp(old->name, n->name) != 0 || strcmp(old->file, n->file) != 0))
                log_info("CNI: default network \"%s\" from %s", n->name, n->file);
        else if (!n && (old || !streq_null(old_message, message)))
                log_info("CNI: no default network: %s", message);
        else
                log_debug("CNI: reloaded %s", c->network_dir);
        cni_network_unref(old);
        pthread_mutex_unlock(&reload_lock);
}

CniNetwork *cni_current_network(Cni *c) {
        pthread_mutex_lock(&c->lock);
        CniNetwork *n = cni_network_ref(c->network);
        pthread_mutex_unlock(&c->lock);
        return n;
}

int cni_status(Cni *c, char **ret_network, char **ret_message) {
        _cleanup_free_ char *name = NULL, *message = NULL;
        pthread_mutex_lock(&c->lock);
        int r = c->network ? 1 : 0;
        if (r == 1 && ret_network)
                name = strdup(c->network->name);
        else if (r == 0 && ret_message)
                message = strdup(c->message ? c->message : "no CNI configuration loaded");
        pthread_mutex_unlock(&c->lock);
        if ((r == 1 && ret_network && !name) || (r == 0 && ret_message && !message))
                return -ENOMEM;
        if (ret_network)
                *ret_network = TAKE_PTR(name);
        if (ret_message)
                *ret_message = TAKE_PTR(message);
        return r;
}

/* ---- the watch ---- */

/* One directory we want events from: the target itself, or the nearest existing parent of a
 * target that does not exist yet, with child the name in it that leads to the target. */
typedef struct Watch {
        const char *target;
        uint32_t mask;
        int wd;
        char *child;
} Watch;

typedef struct WatchCtx {
        Cni *c;
        size_t n;
        Watch w[];
} WatchCtx;

static void watch_ctx_free(WatchCtx *x) {
        for (size_t i = 0; x && i < x->n; i++)
                free(x->w[i].child);
        free(x);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(WatchCtx *, watch_ctx_free)

static void strip_slashes(char *p) {
        for (size_t l = strlen(p); l > 1 && p[l - 1] == '/'; l--)
                p[l - 1] = '\0';
}

/* Watches w->target, or its nearest existing parent. */
static void watch_add(int fd, Watch *w) {
        _cleanup_free_ char *dir = strdup(w->target);
        const char *path = dir, *child = NULL;
        free(w->child);
        w->child = NULL;
        w->wd = -1;
        if (!dir)
                return;
        strip_slashes(dir);
        for (;;) {
                w->wd = inotify_add_watch(fd, path, (child ? WATCH_PARENT_MASK : w->mask) | IN_ONLYDIR | IN_MASK_ADD);
                if (w->wd >= 0)
                        break;
                char *slash = strrchr(dir, '/');
                if ((errno != ENOENT && errno != ENOTDIR) || path != dir || (slash && slash == dir && !slash[1])) {
                        log_debug("CNI: cannot watch %s for %s: %s", path, w->target, strerror(errno));
                        return;
                }
                if (!slash) { /* a relative name: its parent is "." */
                        child = dir;
                        path = ".";
                        continue;
                }
                child = slash + 1;
                slash[slash == dir] = '\0'; /* "/x" leaves "/" */
                strip_slashes(dir);
        }
        if (child && !(w->child = strdup(child))) {
                inotify_rm_watch(fd, w->wd);
                w->wd = -1;
        }
}

/* A new inotify fd with every target watched (dropping the old fd drops its watches without
 * IN_IGNORED events); on failure the old one stays. */
static void watch_reset(WatchCtx *x) {
        int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd < 0) {
                log_debug("CNI: inotify_init1: %s", strerror(errno));
                return;
        }
        for (size_t i = 0; i < x->n; i++)
                watch_add(fd, &x->w[i]);
        safe_close(x->c->inotify_fd);
        x->c->inotify_fd = fd;
}

static bool event_matters(const WatchCtx *x, const struct inotify_event *ev) {
        if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_UNMOUNT | WATCH_SELF_MASK))
                return true;
        for (size_t i = 0; i < x->n; i++)
                if (x->w[i].wd == ev->wd && (!x->w[i].child || (ev->len && strcmp(ev->name, x->w[i].child) == 0)))
                        return true;
        return false;
}

/* Reads the pending events: whether one of them matters. */
static bool watch_drain(WatchCtx *x) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool matters = false;
        for (int i = 0; i < CNI_WATCH_READS; i++) {
                ssize_t k = read(x->c->inotify_fd, buf, sizeof buf);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        break;
                if (k <= 0) /* cannot happen; a fresh fd is the cure */
                        return true;
                for (char *p = buf; p < buf + k;) {
                        const struct inotify_event *ev = (const struct inotify_event *) p;
                        matters = matters || event_matters(x, ev);
                        p += sizeof *ev + ev->len;
                }
        }
        return matters;
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *watch_main(void *arg) {
        _cleanup_(watch_ctx_freep) WatchCtx *x = arg;
        Cni *c = x->c;
        int64_t first = 0, last = 0, due = 0;
        bool pending = false;
        for (;;) {
                int timeout = -1;
                if (pending) {
                        int64_t left = due - now_ms();
                        timeout = left > 0 ? (int) left : 0;
                }
                struct pollfd p[2] = { { .fd = c->stop_fd, .events = POLLIN }, { .fd = c->inotify_fd, .events = POLLIN } };
                int k = poll(p, 2, timeout);
                if (k < 0 && errno != EINTR) {
                        log_debug("CNI: poll: %s; no longer watching %s", strerror(errno), c->network_dir);
                        break;
                }
                if (k > 0 && p[0].revents)
                        break;
                if (k > 0 && p[1].revents && watch_drain(x)) {
                        last = now_ms();
                        first = pending ? first : last;
                        due = last + CNI_DEBOUNCE_MS < first + CNI_DEBOUNCE_MAX_MS ? last + CNI_DEBOUNCE_MS
                                                                                  : first + CNI_DEBOUNCE_MAX_MS;
                        pending = true;
                }
                if (pending && now_ms() >= due) {
                        /* watch first, then read: a change in between is seen by the read */
                        watch_reset(x);
                        cni_reload(c);
                        pending = false;
                }
        }
        return NULL;
}

static int watch_start(Cni *c, CrioError *err) {
        size_t n = 1 + strv_length(c->plugin_dirs);
        _cleanup_(watch_ctx_freep) WatchCtx *x = calloc(1, sizeof *x + n * sizeof(Watch));
        if (!x)
                return crio_error_set(err, ENOMEM, "CNI: out of memory");
        x->c = c;
        x->n = n;
        x->w[0] = (Watch){ .target = c->network_dir, .mask = WATCH_DIR_MASK, .wd = -1 };
        for (size_t i = 1; i < n; i++)
                x->w[i] = (Watch){ .target = c->plugin_dirs[i - 1], .mask = WATCH_PLUGIN_MASK, .wd = -1 };
        c->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (c->stop_fd < 0)
                return crio_error_set_errno(err, errno, "CNI: eventfd");
        watch_reset(x);
        if (c->inotify_fd < 0)
                return crio_error_set_errno(err, errno, "CNI: watching %s: inotify_init1", c->network_dir);
        int r = pthread_create(&c->watch_thread, NULL, watch_main, x);
        if (r != 0)
                return crio_error_set_errno(err, r, "CNI: starting the watch of %s", c->network_dir);
        TAKE_PTR(x);
        c->watching = true;
        return 0;
}

/* ---- the object ---- */

static char *strdup_or(const char *s, const char *dflt) {
        return strdup(s && s[0] ? s : dflt);
}

int cni_new(const CniOptions *o, Cni **ret, CrioError *err) {
        static const CniOptions none = {};
        if (!o)
                o = &none;
        Cni *c = calloc(1, sizeof *c);
        if (!c)
                return crio_error_set(err, ENOMEM, "CNI: out of memory");
        pthread_mutex_init(&c->lock, NULL);
        c->inotify_fd = c->stop_fd = -1;
        c->network_dir = strdup_or(o->network_dir, "/etc/cni/net.d");
        c->plugin_dirs = strv_copy(strv_length(o->plugin_dirs) ? o->plugin_dirs : default_plugin_dirs);
        c->cache_dir = strdup_or(o->cache_dir, "/var/lib/cni");
        c->default_network = o->default_network && o->default_network[0] ? strdup(o->default_network) : NULL;
        c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : CNI_DEFAULT_TIMEOUT_MS;
        int r = 0;
        if (!c->network_dir || !c->plugin_dirs || !c->cache_dir || (o->default_network && o->default_network[0] && !c->default_network))
                r = crio_error_set(err, ENOMEM, "CNI: out of memory");
        else {
                /* watched before it is read: a file written in between is not missed */
                r = watch_start(c, err);
                if (r >= 0)
                        cni_reload(c);
        }
        if (r < 0) {
                cni_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

void cni_free(Cni *c) {
        if (!c)
                return;
        if (c->watching) {
                uint64_t one = 1;
                if (write(c->stop_fd, &one, sizeof one) != sizeof one)
                        log_debug("CNI: stopping the watch: %s", strerror(errno));
                pthread_join(c->watch_thread, NULL);
        }
        safe_close(c->inotify_fd);
        safe_close(c->stop_fd);
        cni_network_unref(c->network);
        free(c->message);
        free(c->network_dir);
        strv_free(c->plugin_dirs);
        free(c->default_network);
        free(c->cache_dir);
        pthread_mutex_destroy(&c->lock);
        free(c);
}
