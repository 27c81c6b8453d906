/* SELinux labels for pods and containers (selinux.h). */
#include "oci/selinux.h"

#include <errno.h>
#include <ftw.h>
#include <glib.h>
#include <pthread.h>
#include <selinux/context.h>
#include <selinux/selinux.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/cleanup.h"
#include "util/fileio.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *levels;            /* level -> users (GUINT_TO_POINTER) */
static char *default_process, *default_file;

bool selinux_host_enabled(void) {
        return is_selinux_enabled() > 0;
}

/* The value of key in lxc_contexts' text: `key = "value"` lines, '#' and ';' comments. */
static char *contexts_value(const char *text, const char *key) {
        _cleanup_free_ char *copy = strdup(text);
        char *save = NULL;
        for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
                line += strspn(line, " \t");
                if (*line == '#' || *line == ';')
                        continue;
                size_t klen = strcspn(line, " \t=");
                if (klen != strlen(key) || strncmp(line, key, klen) != 0)
                        continue;
                char *v = line + klen;
                v += strspn(v, " \t");
                if (*v != '=')
                        continue;
                v++;
                v += strspn(v, " \t\"");
                size_t n = strcspn(v, "\" \t\r");
                return n ? strndup(v, n) : NULL;
        }
        return NULL;
}

static int check_label(const char *label, const char *what, CrioError *err) {
        if (security_check_context(label) < 0)
                return crio_error_set(err, EINVAL, "SELinux label \"%s\" (%s) is not valid in the loaded policy", label, what);
        return 0;
}

int selinux_init(CrioError *err) {
        const char *path = selinux_lxc_contexts_path();
        if (!path)
                return crio_error_set(err, ENOENT, "SELinux: the policy names no container contexts file");
        _cleanup_free_ char *text = NULL;
        int r = read_file(path, SELINUX_CONTEXTS_MAX, &text, NULL, err);
        if (r < 0)
                return crio_error_prefix(err, "SELinux container contexts: ");
        _cleanup_free_ char *process = contexts_value(text, "process"), *file = contexts_value(text, "file");
        if (!process || !file)
                return crio_error_set(err, ENOENT, "SELinux: %s has no %s label", path, process ? "file" : "process");
        if ((r = check_label(process, path, err)) < 0 || (r = check_label(file, path, err)) < 0)
                return r;
        pthread_mutex_lock(&lock);
        free(default_process);
        free(default_file);
        default_process = TAKE_PTR(process);
        default_file = TAKE_PTR(file);
        pthread_mutex_unlock(&lock);
        return 0;
}

static bool part_ok(const char *s, bool level) {
        for (const char *p = s; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '_' && *p != '.' && *p != '-' && !(level && (*p == ':' || *p == ',')))
                        return false;
        return true;
}

int selinux_label_with(const char *label, const SelinuxOptions *o, char **ret, CrioError *err) {
        const struct {
                const char *name, *value;
                int (*set)(context_t, const char *);
        } parts[] = {
                { "user", o ? o->user : NULL, context_user_set },
                { "role", o ? o->role : NULL, context_role_set },
                { "type", o ? o->type : NULL, context_type_set },
                { "level", o ? o->level : NULL, context_range_set },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
                const char *v = parts[i].value;
                if (!v || !v[0])
                        continue;
                if (strlen(v) > SELINUX_PART_MAX)
                        return crio_error_set(err, EINVAL, "SELinux %s is longer than %d bytes", parts[i].name, SELINUX_PART_MAX);
                if (!part_ok(v, i == 3))
                        return crio_error_set(err, EINVAL, "SELinux %s \"%s\" has characters a label cannot have", parts[i].name, v);
        }
        /* context_new takes "user:role:type" with an optional range after a third colon. */
        size_t colons = 0;
        for (const char *p = label; *p; p++)
                colons += *p == ':';
        context_t c = colons >= 2 ? context_new(label) : NULL;
        if (!c)
                return crio_error_set(err, EINVAL, "\"%s\" is not an SELinux label (user:role:type[:level])", label);
        for (size_t i = 0; i < G_N_ELEMENTS(parts); i++)
                if (parts[i].value && parts[i].value[0] && parts[i].set(c, parts[i].value) != 0) {
                        context_free(c);
                        return crio_error_set(err, EINVAL, "SELinux %s \"%s\" cannot be set", parts[i].name, parts[i].value);
                }
        const char *s = context_str(c);
        char *out = s ? strdup(s) : NULL;
        context_free(c);
        if (!out)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = out;
        return 0;
}

/* The level of a label: what follows its third colon (NULL if none). */
static const char *level_of(const char *label) {
        const char *p = label;
        for (int i = 0; p && i < 3; i++)
                if ((p = strchr(p, ':')))
                        p++;
        return p && *p ? p : NULL;
}

/* One user more (delta 1) or less (-1) of level; at zero users it leaves the table. */
static void level_count_locked(const char *level, int delta) {
        if (!levels && !(levels = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL)))
                return;
        unsigned n = GPOINTER_TO_UINT(g_hash_table_lookup(levels, level));
        if (delta < 0 && n <= 1) {
                g_hash_table_remove(levels, level);
                return;
        }
        char *k = strdup(level);
        if (k)
                g_hash_table_replace(levels, k, GUINT_TO_POINTER(delta < 0 ? n - 1 : n + 1));
}

static void level_count(const char *level, int delta) {
        pthread_mutex_lock(&lock);
        level_count_locked(level, delta);
        pthread_mutex_unlock(&lock);
}

/* level_count for the level of label (a label without one has none to count). */
static void label_count(const char *label, int delta) {
        const char *level = label ? level_of(label) : NULL;
        if (level)
                level_count(level, delta);
}

char *selinux_level_new(unsigned categories) {
        char buf[64];
        pthread_mutex_lock(&lock);
        unsigned long pairs = (unsigned long) categories * (categories - 1) / 2;
        if (categories < 2 || (levels && g_hash_table_size(levels) >= pairs)) {
                pthread_mutex_unlock(&lock);
                return NULL;
        }
        for (;;) {
                uint32_t r[2];
                if (getrandom(r, sizeof r, 0) != (ssize_t) sizeof r)
                        r[0] = (uint32_t) g_random_int(), r[1] = (uint32_t) g_random_int();
                unsigned c1 = r[0] % categories, c2 = r[1] % categories;
                if (c1 == c2)
                        continue;
                if (c1 > c2) {
                        unsigned t = c1;
                        c1 = c2;
                        c2 = t;
                }
                snprintf(buf, sizeof buf, "s0:c%u,c%u", c1, c2);
                if (!levels || !g_hash_table_contains(levels, buf))
                        break;
        }
        level_count_locked(buf, 1);
        pthread_mutex_unlock(&lock);
        return strdup(buf);
}

void selinux_level_reserve(const char *label) {
        label_count(label, 1);
}

void selinux_level_release(const char *label) {
        label_count(label, -1);
}

unsigned selinux_level_users(const char *label) {
        const char *level = label ? level_of(label) : NULL;
        pthread_mutex_lock(&lock);
        unsigned n = level && levels ? GPOINTER_TO_UINT(g_hash_table_lookup(levels, level)) : 0;
        pthread_mutex_unlock(&lock);
        return n;
}

static int defaults(char **ret_process, char **ret_file, CrioError *err) {
        pthread_mutex_lock(&lock);
        char *p = default_process ? strdup(default_process) : NULL, *f = default_file ? strdup(default_file) : NULL;
        bool set = default_process != NULL;
        pthread_mutex_unlock(&lock);
        if (!p || !f) {
                free(p);
                free(f);
                return set ? crio_error_set(err, ENOMEM, "out of memory")
                           : crio_error_set(err, ENOENT, "SELinux: the container contexts were not read");
        }
        *ret_process = p;
        *ret_file = f;
        return 0;
}

/* The process label with o applied; the mount label with o's user and level. */
static int labels_for(const char *process, const char *file, const SelinuxOptions *o, char **ret_process,
                      char **ret_mount, CrioError *err) {
        _cleanup_free_ char *p = NULL, *m = NULL;
        SelinuxOptions fo = { .user = o->user, .level = o->level };
        int r = selinux_label_with(process, o, &p, err);
        if (r < 0 || (r = selinux_label_with(file, &fo, &m, err)) < 0)
                return r;
        if ((r = check_label(p, "process", err)) < 0 || (r = check_label(m, "mount", err)) < 0)
                return r;
        *ret_process = TAKE_PTR(p);
        *ret_mount = TAKE_PTR(m);
        return 0;
}

int selinux_pod_labels(const SelinuxOptions *o, char **ret_process, char **ret_mount, CrioError *err) {
        _cleanup_free_ char *process = NULL, *file = NULL, *level = NULL;
        int r = defaults(&process, &file, err);
        if (r < 0)
                return r;
        SelinuxOptions opts = *o;
        bool fresh = false; /* a level of its own, reserved by selinux_level_new */
        if (!(opts.level && opts.level[0]) && level_of(process)) {
                if (!(level = selinux_level_new(SELINUX_CATEGORIES)))
                        return crio_error_set(err, ENOSPC, "SELinux: every level is in use");
                opts.level = level;
                fresh = true;
        }
        _cleanup_free_ char *p = NULL, *m = NULL;
        r = labels_for(process, file, &opts, &p, &m, err);
        if (r < 0) {
                if (fresh) /* give the fresh level back */
                        level_count(level, -1);
                return r;
        }
        if (!fresh)
                selinux_level_reserve(p);
        *ret_process = TAKE_PTR(p);
        *ret_mount = TAKE_PTR(m);
        return 0;
}

int selinux_container_labels(const char *pod_process, const SelinuxOptions *o, char **ret_process, char **ret_mount,
                             CrioError *err) {
        _cleanup_free_ char *process = NULL, *file = NULL;
        int r = defaults(&process, &file, err);
        if (r < 0)
                return r;
        /* The pod's parts (go-selinux's DupSecOpt), then the container's. */
        context_t c = context_new(pod_process);
        if (!c)
                return crio_error_set(err, EINVAL, "the pod's SELinux label \"%s\" is not a label", pod_process);
        SelinuxOptions opts = {
                .user = o->user && o->user[0] ? o->user : context_user_get(c),
                .role = o->role && o->role[0] ? o->role : context_role_get(c),
                .type = o->type && o->type[0] ? o->type : context_type_get(c),
                .level = o->level && o->level[0] ? o->level : context_range_get(c),
        };
        r = labels_for(process, file, &opts, ret_process, ret_mount, err);
        context_free(c);
        return r;
}

static const char *const protected_paths[] = {
        "/",     "/bin",  "/boot", "/dev", "/etc",  "/etc/passwd", "/etc/pki", "/etc/shadow", "/home", "/lib",
        "/lib64", "/media", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var",
        "/var/lib", "/var/log",
};

/* nftw takes no context: one relabel walk at a time (volumes asking for a relabel are few). */
static const char *relabel_label;
static int relabel_errno;
static const char *relabel_failed;
static pthread_mutex_t relabel_lock = PTHREAD_MUTEX_INITIALIZER;

static int set_one(const char *path, const char *label) {
        if (lsetfilecon(path, label) == 0)
                return 0;
        int e = errno;
        if (e == ENOENT || e == ENOTSUP)
                return 0;
        char *cur = NULL;
        if (lgetfilecon(path, &cur) >= 0 && cur && strcmp(cur, label) == 0) {
                freecon(cur);
                return 0;
        }
        freecon(cur);
        return -e;
}

static int relabel_walk(const char *path, const struct stat *st, int flag, struct FTW *f) {
        (void) st;
        (void) flag;
        (void) f;
        int r = set_one(path, relabel_label);
        if (r < 0) {
                relabel_errno = -r;
                relabel_failed = strdup(path);
                return 1;
        }
        return 0;
}

int selinux_relabel(const char *path, const char *label, bool recurse, CrioError *err) {
        _cleanup_free_ char *clean = strdup(path);
        if (!clean)
                return crio_error_set(err, ENOMEM, "out of memory");
        size_t n = strlen(clean);
        while (n > 1 && clean[n - 1] == '/')
                clean[--n] = '\0';
        for (size_t i = 0; i < G_N_ELEMENTS(protected_paths); i++)
                if (strcmp(clean, protected_paths[i]) == 0)
                        return crio_error_set(err, EINVAL, "SELinux relabeling of %s is not allowed", clean);
        if (!recurse) {
                int r = set_one(clean, label);
                return r < 0 ? crio_error_set_errno(err, -r, "SELinux relabeling of %s", clean) : 0;
        }
        pthread_mutex_lock(&relabel_lock);
        relabel_label = label;
        relabel_errno = 0;
        relabel_failed = NULL;
        int w = nftw(clean, relabel_walk, 64, FTW_PHYS | FTW_MOUNT | FTW_DEPTH);
        int e = w < 0 ? errno : relabel_errno;
        char *failed = (char *) relabel_failed;
        pthread_mutex_unlock(&relabel_lock);
        _cleanup_free_ char *f = failed;
        if (w < 0 && e == ENOENT)
                return 0;
        if (w != 0)
                return crio_error_set_errno(err, e, "SELinux relabeling of %s", f ? f : clean);
        return 0;
}

char *selinux_context_option(const char *label) {
        char *s = NULL;
        return asprintf(&s, "context=\"%s\"", label) < 0 ? NULL : s;
}
