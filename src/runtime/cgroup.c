/* Cgroup paths, modes, process cgroups, removal and pod parents (cgroupfs). See cgroup.h. */
#include "runtime/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

/* rmdir of a cgroup whose last task just exited can fail with EBUSY for a moment. */
#define CGROUP_RMDIR_TRIES 5
#define CGROUP_RMDIR_FIRST_DELAY_MS 10
#define CGROUP_CPUSET_VALUE_MAX 4096

int cgroup_manager_from_string(const char *s, CgroupManager *ret, CrioError *err) {
        if (s && strcmp(s, "cgroupfs") == 0)
                *ret = CGROUP_MANAGER_CGROUPFS;
        else if (s && strcmp(s, "systemd") == 0)
                *ret = CGROUP_MANAGER_SYSTEMD;
        else
                return crio_error_set(err, EINVAL, "unknown cgroup manager \"%s\" (cgroupfs or systemd)", s ? s : "");
        return 0;
}

int cgroup_mode_detect(CgroupMode *ret, CrioError *err) {
        struct statfs fs;
        if (statfs(CGROUP_ROOT, &fs) < 0)
                return crio_error_set_errno(err, errno, "statfs %s", CGROUP_ROOT);
        if ((unsigned long) fs.f_type == CGROUP2_SUPER_MAGIC) {
                *ret = CGROUP_MODE_UNIFIED;
                return 0;
        }
        if ((unsigned long) fs.f_type == CGROUP_SUPER_MAGIC) {
                *ret = CGROUP_MODE_LEGACY;
                return 0;
        }
        if ((unsigned long) fs.f_type != TMPFS_MAGIC)
                return crio_error_set(err, ENOMEDIUM, "%s is neither a cgroup file system nor a tmpfs of them",
                                      CGROUP_ROOT);
        if (statfs(CGROUP_ROOT "/unified", &fs) == 0 && (unsigned long) fs.f_type == CGROUP2_SUPER_MAGIC)
                *ret = CGROUP_MODE_HYBRID;
        else
                *ret = CGROUP_MODE_LEGACY;
        return 0;
}

const char *cgroup_mode_to_string(CgroupMode mode) {
        switch (mode) {
        case CGROUP_MODE_LEGACY:
                return "v1";
        case CGROUP_MODE_HYBRID:
                return "hybrid";
        case CGROUP_MODE_UNIFIED:
                return "v2";
        }
        return "unknown";
}

/* Whether word is one of the items of list, separated by any of seps. */
static bool list_has(const char *list, const char *word, const char *seps) {
        size_t n = strlen(word);
        for (const char *c = list;;) {
                size_t len = strcspn(c, seps);
                if (len == n && strncmp(c, word, n) == 0)
                        return true;
                if (!c[len])
                        return false;
                c += len + 1;
        }
}

bool cgroup_has_controller(CgroupMode mode, const char *controller) {
        if (!controller || !controller[0] || strchr(controller, '/') || strlen(controller) > 64)
                return false;
        if (mode == CGROUP_MODE_UNIFIED) {
                _cleanup_free_ char *list = NULL;
                if (read_file(CGROUP_ROOT "/cgroup.controllers", 4096, &list, NULL, NULL) < 0)
                        return false;
                return list_has(list, controller, " \n");
        }
        char path[sizeof(CGROUP_ROOT) + 80];
        snprintf(path, sizeof path, "%s/%s", CGROUP_ROOT, controller);
        struct statfs fs;
        return statfs(path, &fs) == 0 && (unsigned long) fs.f_type == CGROUP_SUPER_MAGIC;
}

int cgroup_path_check(const char *path, CrioError *err) {
        if (!path || path[0] != '/')
                return crio_error_set(err, EINVAL, "cgroup path \"%s\" is not absolute", path ? path : "");
        size_t len = strlen(path);
        if (len > CGROUP_PATH_MAX)
                return crio_error_set(err, EINVAL, "cgroup path \"%.64s...\" is longer than %d bytes", path,
                                      CGROUP_PATH_MAX);
        for (const char *p = path; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return crio_error_set(err, EINVAL, "cgroup path \"%s\" holds a control character", path);
        for (const char *c = path + 1; *c;) {
                const char *end = strchrnul(c, '/');
                size_t n = (size_t) (end - c);
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return crio_error_set(err, EINVAL, "cgroup path \"%s\" holds a \".\" or \"..\" component", path);
                c = *end ? end + 1 : end;
        }
        return 0;
}

/* "a//b/" -> "/a/b"; "" -> "/". *ret owned. */
static int normalize(const char *in, char **ret, CrioError *err) {
        size_t len = strlen(in);
        if (len > CGROUP_PATH_MAX)
                return crio_error_set(err, EINVAL, "cgroup path \"%.64s...\" is longer than %d bytes", in,
                                      CGROUP_PATH_MAX);
        _cleanup_free_ char *out = malloc(len + 2);
        if (!out)
                return crio_error_set(err, ENOMEM, "out of memory");
        size_t o = 0;
        for (const char *p = in; *p; p++) {
                if (*p == '/' && (o == 0 || out[o - 1] == '/'))
                        continue;
                if (o == 0)
                        out[o++] = '/';
                out[o++] = *p;
        }
        if (o > 1 && out[o - 1] == '/')
                o--;
        if (o == 0)
                out[o++] = '/';
        out[o] = '\0';
        int r = cgroup_path_check(out, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

int cgroup_parent_normalize(CgroupManager m, const char *cgroup_parent, char **ret, CrioError *err) {
        if (m == CGROUP_MANAGER_SYSTEMD)
                return cgroup_systemd_parent_normalize(cgroup_parent, ret, err);
        if (!cgroup_parent || !*cgroup_parent)
                cgroup_parent = CGROUP_DEFAULT_PARENT;
        _cleanup_free_ char *p = NULL;
        int r = normalize(cgroup_parent, &p, err);
        if (r < 0)
                return crio_error_prefix(err, "cgroup_parent: ");
        const char *last = strrchr(p, '/') + 1;
        if (str_endswith(last, ".slice"))
                return crio_error_set(err, EINVAL,
                                      "cgroup_parent \"%s\" is a systemd slice, but crio's cgroup_manager is cgroupfs "
                                      "(the kubelet's cgroup driver must match)",
                                      cgroup_parent);
        *ret = TAKE_PTR(p);
        return 0;
}

int cgroup_id_check(const char *id, CrioError *err) {
        size_t idlen = id ? strlen(id) : 0;
        if (idlen == 0 || idlen > CGROUP_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
                return crio_error_set(err, EINVAL, "invalid container id \"%.*s\" for a cgroup path", CGROUP_ID_MAX,
                                      id ? id : "");
        for (const char *p = id; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                      *p == '-' || *p == '.'))
                        return crio_error_set(err, EINVAL, "invalid container id \"%s\" for a cgroup path", id);
        return 0;
}

CgroupManager cgroup_parent_manager(const char *parent) {
        if (parent && !strchr(parent, '/') && str_endswith(parent, ".slice"))
                return CGROUP_MANAGER_SYSTEMD;
        return CGROUP_MANAGER_CGROUPFS;
}

/* "<parent>/<prefix><id><suffix>" with parent a cgroup path ("/" adds nothing). */
static int join_dir(const char *parent, const char *prefix, const char *id, const char *suffix, char **ret,
                    CrioError *err) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s%s%s", strcmp(parent, "/") == 0 ? "" : parent, prefix, id, suffix) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (strlen(path) > CGROUP_PATH_MAX)
                return crio_error_set(err, EINVAL, "cgroup path of container %s is longer than %d bytes", id,
                                      CGROUP_PATH_MAX);
        *ret = TAKE_PTR(path);
        return 0;
}

int cgroup_container_path(CgroupManager m, const char *cgroup_parent, const char *id, char **ret, CrioError *err) {
        int r = cgroup_id_check(id, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *parent = NULL, *path = NULL;
        r = cgroup_parent_normalize(m, cgroup_parent, &parent, err);
        if (r < 0)
                return r;
        if (m == CGROUP_MANAGER_CGROUPFS)
                return join_dir(parent, CGROUP_CONTAINER_PREFIX, id, "", ret, err);
        if (asprintf(&path, "%s:" CGROUP_SYSTEMD_SCOPE_PREFIX ":%s", parent, id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = TAKE_PTR(path);
        return 0;
}

int cgroup_container_dir(const char *parent, const char *id, char **ret, CrioError *err) {
        /* Under cgroupfs the directory is the cgroupsPath itself. */
        if (cgroup_parent_manager(parent) == CGROUP_MANAGER_CGROUPFS)
                return cgroup_container_path(CGROUP_MANAGER_CGROUPFS, parent, id, ret, err);
        int r = cgroup_id_check(id, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *norm = NULL, *dir = NULL;
        r = cgroup_parent_normalize(CGROUP_MANAGER_SYSTEMD, parent, &norm, err);
        if (r < 0)
                return r;
        r = cgroup_systemd_slice_expand(norm, &dir, err);
        if (r < 0)
                return r;
        return join_dir(dir, CGROUP_SYSTEMD_SCOPE_PREFIX "-", id, ".scope", ret, err);
}

/* ---- /proc/<pid>/cgroup ------------------------------------------------------------------ */

void cgroup_proc_list_clear(CgroupProcList *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++) {
                free(l->entries[i].controllers);
                free(l->entries[i].path);
        }
        free(l->entries);
        *l = (CgroupProcList){};
}

int cgroup_proc_parse(const char *text, CgroupProcList *ret, CrioError *err) {
        _cleanup_(cgroup_proc_list_clear) CgroupProcList l = {};
        unsigned lineno = 0;
        for (const char *line = text; *line;) {
                const char *nl = strchrnul(line, '\n');
                lineno++;
                if (nl == line) { /* blank line */
                        line = *nl ? nl + 1 : nl;
                        continue;
                }
                if (l.n >= CGROUP_PROC_ENTRIES_MAX)
                        return crio_error_set(err, E2BIG, "cgroup list: more than %d entries", CGROUP_PROC_ENTRIES_MAX);
                const char *c1 = memchr(line, ':', (size_t) (nl - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (nl - c1 - 1)) : NULL;
                if (!c1 || !c2 || c1 == line || c2 + 1 == nl || c2[1] != '/')
                        return crio_error_set(err, EINVAL, "cgroup list: line %u is malformed", lineno);
                unsigned long id = 0;
                for (const char *p = line; p < c1; p++) {
                        if (*p < '0' || *p > '9' || id > 1000000)
                                return crio_error_set(err, EINVAL, "cgroup list: line %u has a bad hierarchy id", lineno);
                        id = id * 10 + (unsigned long) (*p - '0');
                }
                CgroupProcEntry *n = realloc(l.entries, (l.n + 1) * sizeof *n);
                if (!n)
                        return crio_error_set(err, ENOMEM, "out of memory");
                l.entries = n;
                CgroupProcEntry *e = &l.entries[l.n];
                *e = (CgroupProcEntry){ .hierarchy_id = (unsigned) id };
                e->controllers = strndup(c1 + 1, (size_t) (c2 - c1 - 1));
                e->path = strndup(c2 + 1, (size_t) (nl - c2 - 1));
                l.n++;
                if (!e->controllers || !e->path)
                        return crio_error_set(err, ENOMEM, "out of memory");
                line = *nl ? nl + 1 : nl;
        }
        *ret = l;
        l = (CgroupProcList){};
        return 0;
}

int cgroup_proc_read(pid_t pid, CgroupProcList *ret, CrioError *err) {
        char p[64];
        if (pid == 0)
                snprintf(p, sizeof p, "/proc/self/cgroup");
        else
                snprintf(p, sizeof p, "/proc/%d/cgroup", (int) pid);
        _cleanup_free_ char *text = NULL;
        int r = read_file(p, CGROUP_PROC_FILE_MAX, &text, NULL, err);
        if (r < 0)
                return r;
        r = cgroup_proc_parse(text, ret, err);
        return r < 0 ? crio_error_prefix(err, "%s: ", p) : 0;
}

const char *cgroup_proc_list_find(const CgroupProcList *l, const char *controller) {
        for (size_t i = 0; i < l->n; i++) {
                const CgroupProcEntry *e = &l->entries[i];
                if (!*controller ? (e->hierarchy_id == 0 && !*e->controllers)
                                 : (*e->controllers && list_has(e->controllers, controller, ",")))
                        return e->path;
        }
        return NULL;
}

int cgroup_pid_path(pid_t pid, const char *controller, char **ret, CrioError *err) {
        _cleanup_(cgroup_proc_list_clear) CgroupProcList l = {};
        int r = cgroup_proc_read(pid, &l, err);
        if (r < 0)
                return r;
        const char *p = cgroup_proc_list_find(&l, controller);
        if (!p)
                return crio_error_set(err, ENOENT, "process %d is in no %s%s hierarchy", (int) pid,
                                      *controller ? controller : "cgroup v2", *controller ? " cgroup" : "");
        char *d = strdup(p);
        if (!d)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = d;
        return 0;
}

/* ---- hierarchies: removal and creation ---------------------------------------------------- */

typedef struct Hierarchy {
        char mount[sizeof(CGROUP_ROOT) + 1 + sizeof(((struct dirent *) 0)->d_name)];
        bool v1;
} Hierarchy;

/* Every cgroup mount: /sys/fs/cgroup itself (v2 only), or its subdirectories that are cgroup
 * mounts (co-mount symlinks such as cpu -> cpu,cpuacct skipped). */
static int hierarchies(Hierarchy *h, size_t *n, CrioError *err) {
        CgroupMode mode;
        int r = cgroup_mode_detect(&mode, err);
        if (r < 0)
                return r;
        *n = 0;
        if (mode == CGROUP_MODE_UNIFIED) {
                snprintf(h[0].mount, sizeof h[0].mount, "%s", CGROUP_ROOT);
                h[0].v1 = false;
                *n = 1;
                return 0;
        }
        _cleanup_closedir_ DIR *d = opendir(CGROUP_ROOT);
        if (!d)
                return crio_error_set_errno(err, errno, "opening %s", CGROUP_ROOT);
        struct dirent *de;
        while ((de = readdir(d)) && *n < CGROUP_HIERARCHIES_MAX) {
                if (de->d_name[0] == '.' || de->d_type != DT_DIR || strlen(de->d_name) > 200)
                        continue;
                Hierarchy *x = &h[*n];
                snprintf(x->mount, sizeof x->mount, "%s/%s", CGROUP_ROOT, de->d_name);
                struct statfs fs;
                if (statfs(x->mount, &fs) < 0)
                        continue;
                if ((unsigned long) fs.f_type == CGROUP_SUPER_MAGIC)
                        x->v1 = true;
                else if ((unsigned long) fs.f_type == CGROUP2_SUPER_MAGIC)
                        x->v1 = false;
                else
                        continue;
                (*n)++;
        }
        return 0;
}

static void sleep_ms(long ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int rmdir_cgroup(const char *dir, CrioError *err) {
        long delay = CGROUP_RMDIR_FIRST_DELAY_MS;
        for (int t = 1;; t++) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || t == CGROUP_RMDIR_TRIES)
                        break;
                sleep_ms(delay);
                delay *= 2;
        }
        if (errno == EBUSY)
                return crio_error_set(err, EBUSY, "removing cgroup %s: it still holds processes or cgroups", dir);
        return crio_error_set_errno(err, errno, "removing cgroup %s", dir);
}

/* Removes dir and the cgroups below it, deepest first. */
static int remove_tree(const char *dir, int depth, CrioError *err) {
        if (depth > CGROUP_REMOVE_DEPTH_MAX)
                return crio_error_set(err, ELOOP, "removing cgroup %s: nested deeper than %d", dir,
                                      CGROUP_REMOVE_DEPTH_MAX);
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return crio_error_set_errno(err, errno, "opening cgroup %s", dir);
        }
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                int q = remove_tree(sub, depth + 1, err);
                if (q < 0 && r == 0)
                        r = q;
        }
        if (r < 0)
                return r;
        return rmdir_cgroup(dir, err);
}

/* Removes <mount><path> (and what is below it when recursive) in every hierarchy; the first
 * error is returned, the other hierarchies are still tried. */
static int each_hierarchy(const char *path, bool recursive, CrioError *err) {
        Hierarchy h[CGROUP_HIERARCHIES_MAX];
        size_t n = 0;
        int r = hierarchies(h, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "%s%s", h[i].mount, path) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                int q = recursive ? remove_tree(dir, 0, err) : rmdir_cgroup(dir, err);
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

int cgroup_remove(const char *path, CrioError *err) {
        int r = cgroup_path_check(path, err);
        if (r < 0)
                return r;
        if (strspn(path, "/") == strlen(path))
                return crio_error_set(err, EINVAL, "refusing to remove the root cgroup");
        return each_hierarchy(path, true, err);
}

int cgroup_pod_parent_remove(const char *parent, CrioError *err) {
        _cleanup_free_ char *p = NULL;
        int r = normalize(parent ? parent : "", &p, err);
        if (r < 0)
                return r;
        if (strcmp(p, "/") == 0 || strcmp(p, CGROUP_DEFAULT_PARENT) == 0)
                return 0;
        return each_hierarchy(p, false, err);
}

/* A v1 cpuset cgroup starts with empty cpus and mems, and no task can join it until they are
 * set: copy the parent's. */
static int cpuset_inherit(const char *dir, const char *file, CrioError *err) {
        _cleanup_free_ char *mine = NULL, *up = NULL, *parent_dir = strdup(dir), *val = NULL;
        if (!parent_dir)
                return crio_error_set(err, ENOMEM, "out of memory");
        *strrchr(parent_dir, '/') = '\0';
        if (asprintf(&mine, "%s/%s", dir, file) < 0 || asprintf(&up, "%s/%s", parent_dir, file) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_free_ char *cur = NULL;
        int r = read_file(mine, CGROUP_CPUSET_VALUE_MAX, &cur, NULL, err);
        if (r < 0)
                return r;
        if (strspn(cur, " \n") != strlen(cur))
                return 0;
        r = read_file(up, CGROUP_CPUSET_VALUE_MAX, &val, NULL, err);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = open(mine, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "opening %s", mine);
        size_t len = strlen(val);
        if (len && write(fd, val, len) != (ssize_t) len)
                return crio_error_set_errno(err, errno, "writing %s", mine);
        return 0;
}

static int mkdir_cgroup(const Hierarchy *h, const char *path, CrioError *err) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s%s", h->mount, path) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        bool cpuset = false;
        if (h->v1) {
                _cleanup_free_ char *probe = NULL;
                if (asprintf(&probe, "%s/cpuset.cpus", h->mount) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                cpuset = access(probe, F_OK) == 0;
        }
        /* Component by component, so that each new cpuset directory is filled in. */
        size_t base = strlen(h->mount);
        for (char *p = dir + base + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                *p = '\0';
                bool made = mkdir(dir, 0755) == 0;
                if (!made && errno != EEXIST)
                        return crio_error_set_errno(err, errno, "creating cgroup %s", dir);
                if (made && cpuset) {
                        int r = cpuset_inherit(dir, "cpuset.cpus", err);
                        if (r >= 0)
                                r = cpuset_inherit(dir, "cpuset.mems", err);
                        if (r < 0)
                                return r;
                }
                *p = saved;
                if (!saved)
                        break;
        }
        return 0;
}

int cgroup_create(const char *path, CrioError *err) {
        _cleanup_free_ char *p = NULL;
        int r = normalize(path ? path : "", &p, err);
        if (r < 0)
                return r;
        if (strcmp(p, "/") == 0)
                return 0;
        Hierarchy h[CGROUP_HIERARCHIES_MAX];
        size_t n = 0;
        r = hierarchies(h, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = mkdir_cgroup(&h[i], p, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_attach(const char *path, pid_t pid, CrioError *err) {
        int r = cgroup_path_check(path, err);
        if (r < 0)
                return r;
        Hierarchy h[CGROUP_HIERARCHIES_MAX];
        size_t n = 0;
        r = hierarchies(h, &n, err);
        if (r < 0)
                return r;
        char text[32];
        int len = snprintf(text, sizeof text, "%d", (int) pid);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *file = NULL;
                if (asprintf(&file, "%s%s/cgroup.procs", h[i].mount, strcmp(path, "/") == 0 ? "" : path) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                _cleanup_close_ int fd = open(file, O_WRONLY | O_CLOEXEC);
                int q = 0;
                if (fd < 0)
                        q = crio_error_set_errno(err, errno, "opening %s", file);
                else if (write(fd, text, (size_t) len) != len)
                        q = crio_error_set_errno(err, errno, "moving process %d into %s", (int) pid, file);
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

int cgroup_conmon_dir(const char *parent, const char *id, char **ret, CrioError *err) {
        int r = cgroup_id_check(id, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *norm = NULL;
        r = cgroup_parent_normalize(CGROUP_MANAGER_CGROUPFS, parent, &norm, err);
        if (r < 0)
                return r;
        return join_dir(norm, CGROUP_CONMON_PREFIX, id, "", ret, err);
}
