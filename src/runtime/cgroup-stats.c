/* Resource usage from cgroup files, v1 and v2. See cgroup-stats.h. */
#include "runtime/cgroup-stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"

/* v1 memory.limit_in_bytes reads as PAGE_COUNTER_MAX pages (rounded) when unlimited. */
#define CGROUP_V1_UNLIMITED_MIN 0x7FFFFFFFFFFFF000ULL

static int parse_u64(const char *s, const char *end, uint64_t *ret) {
        if (s == end || end - s > 20)
                return -EINVAL;
        uint64_t v = 0;
        for (const char *p = s; p < end; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                uint64_t d = (uint64_t) (*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -EINVAL;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

int cgroup_stats_kv(const char *text, const char *key, uint64_t *ret) {
        size_t klen = strlen(key);
        for (const char *line = text; *line;) {
                const char *nl = strchrnul(line, '\n');
                if ((size_t) (nl - line) > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ')
                        return parse_u64(line + klen + 1, nl, ret);
                line = *nl ? nl + 1 : nl;
        }
        return -ENOENT;
}

typedef struct Reader {
        const char *root;
        CgroupMode mode;
        const char *path;
        CrioError *err;
} Reader;

/* The directory of path for controller: v2 (unified) at root; v1 at root/<controller>; in
 * hybrid mode v1 if that is mounted, else the v2 hierarchy at root/unified. NULL (no error)
 * when the cgroup does not exist there. */
static char *controller_dir(const Reader *rd, const char *controller, bool *v2) {
        char *d = NULL;
        struct stat st;
        if (rd->mode == CGROUP_MODE_UNIFIED) {
                *v2 = true;
                if (asprintf(&d, "%s%s", rd->root, rd->path) < 0)
                        return NULL;
        } else {
                char *m = NULL;
                if (asprintf(&m, "%s/%s", rd->root, controller) < 0)
                        return NULL;
                bool v1_there = stat(m, &st) == 0 && S_ISDIR(st.st_mode);
                free(m);
                if (!v1_there && rd->mode != CGROUP_MODE_HYBRID)
                        return NULL;
                *v2 = !v1_there;
                if (asprintf(&d, "%s/%s%s", rd->root, v1_there ? controller : "unified", rd->path) < 0)
                        return NULL;
        }
        if (stat(d, &st) < 0 || !S_ISDIR(st.st_mode)) {
                free(d);
                return NULL;
        }
        return d;
}

/* Reads dir/file; -ENOENT quietly (no message) when it is absent. */
static int read_in(const Reader *rd, const char *dir, const char *file, char **ret) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return crio_error_set(rd->err, ENOMEM, "out of memory");
        if (access(p, F_OK) < 0 && errno == ENOENT)
                return -ENOENT;
        return read_file(p, CGROUP_STATS_FILE_MAX, ret, NULL, rd->err);
}

/* A file holding one number (or "max" in v2, read as 0 = unlimited). */
static int read_number(const Reader *rd, const char *dir, const char *file, uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        int r = read_in(rd, dir, file, &text);
        if (r < 0)
                return r;
        size_t len = strcspn(text, "\n");
        if (len == 3 && strncmp(text, "max", 3) == 0) {
                *ret = 0;
                return 0;
        }
        if (parse_u64(text, text + len, ret) < 0)
                return crio_error_set(rd->err, EINVAL, "%s/%s: not a number: \"%.32s\"", dir, file, text);
        return 0;
}

/* key from a "key value" file; absent key or file leave *ret alone (0 returned). */
static int read_key(const Reader *rd, const char *dir, const char *file, const char *text, const char *key,
                    uint64_t *ret) {
        if (!text)
                return 0;
        int r = cgroup_stats_kv(text, key, ret);
        if (r == -EINVAL)
                return crio_error_set(rd->err, EINVAL, "%s/%s: %s is not a number", dir, file, key);
        return 0;
}

static int read_cpu(const Reader *rd, CgroupStats *s) {
        bool v2 = false;
        _cleanup_free_ char *dir = controller_dir(rd, "cpuacct", &v2);
        if (!dir)
                return 0;
        if (!v2) {
                int r = read_number(rd, dir, "cpuacct.usage", &s->cpu_usage_ns);
                if (r == -ENOENT)
                        return 0;
                if (r < 0)
                        return r;
        } else {
                _cleanup_free_ char *text = NULL;
                int r = read_in(rd, dir, "cpu.stat", &text);
                if (r == -ENOENT)
                        return 0;
                if (r < 0)
                        return r;
                uint64_t usec = 0;
                r = cgroup_stats_kv(text, "usage_usec", &usec);
                if (r == -ENOENT)
                        return 0;
                if (r < 0 || usec > UINT64_MAX / 1000)
                        return crio_error_set(rd->err, EINVAL, "%s/cpu.stat: bad usage_usec", dir);
                s->cpu_usage_ns = usec * 1000;
        }
        s->has_cpu = true;
        return 0;
}

static int read_memory(const Reader *rd, CgroupStats *s) {
        bool v2 = false;
        _cleanup_free_ char *dir = controller_dir(rd, "memory", &v2);
        if (!dir)
                return 0;
        int r = read_number(rd, dir, v2 ? "memory.current" : "memory.usage_in_bytes", &s->memory_usage_bytes);
        if (r == -ENOENT) /* a v2 cgroup without the memory controller enabled */
                return 0;
        if (r < 0)
                return r;
        _cleanup_free_ char *stat = NULL, *events = NULL;
        r = read_in(rd, dir, "memory.stat", &stat);
        if (r < 0 && r != -ENOENT)
                return r;
        uint64_t inactive = 0;
        if ((r = read_key(rd, dir, "memory.stat", stat, v2 ? "inactive_file" : "total_inactive_file", &inactive)) < 0 ||
            (r = read_key(rd, dir, "memory.stat", stat, v2 ? "anon" : "total_rss", &s->memory_rss_bytes)) < 0 ||
            (r = read_key(rd, dir, "memory.stat", stat, v2 ? "pgfault" : "total_pgfault", &s->memory_page_faults)) < 0 ||
            (r = read_key(rd, dir, "memory.stat", stat, v2 ? "pgmajfault" : "total_pgmajfault",
                          &s->memory_major_page_faults)) < 0)
                return r;
        s->memory_working_set_bytes = s->memory_usage_bytes > inactive ? s->memory_usage_bytes - inactive : 0;

        uint64_t limit = 0;
        r = read_number(rd, dir, v2 ? "memory.max" : "memory.limit_in_bytes", &limit);
        if (r < 0 && r != -ENOENT)
                return r;
        s->memory_limit_bytes = (!v2 && limit >= CGROUP_V1_UNLIMITED_MIN) ? 0 : limit;

        const char *file = v2 ? "memory.events" : "memory.oom_control";
        r = read_in(rd, dir, file, &events);
        if (r < 0 && r != -ENOENT)
                return r;
        if ((r = read_key(rd, dir, file, events, "oom_kill", &s->memory_oom_kills)) < 0)
                return r;
        s->has_memory = true;
        return 0;
}

static int read_pids(const Reader *rd, CgroupStats *s) {
        bool v2 = false;
        _cleanup_free_ char *dir = controller_dir(rd, "pids", &v2);
        if (!dir)
                return 0;
        int r = read_number(rd, dir, "pids.current", &s->pids_current);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        s->has_pids = true;
        return 0;
}

int cgroup_stats_read_at(const char *root, CgroupMode mode, const char *path, CgroupStats *ret, CrioError *err) {
        int r = cgroup_path_check(path, err);
        if (r < 0)
                return r;
        if (strcmp(path, "/") == 0)
                path = "";
        Reader rd = { .root = root, .mode = mode, .path = path, .err = err };
        CgroupStats s = {};
        if ((r = read_cpu(&rd, &s)) < 0 || (r = read_memory(&rd, &s)) < 0 || (r = read_pids(&rd, &s)) < 0)
                return crio_error_prefix(err, "stats of cgroup %s: ", *path ? path : "/");
        if (!s.has_cpu && !s.has_memory && !s.has_pids)
                return crio_error_set(err, ENOENT, "no cgroup %s (cpu, memory, pids) under %s", *path ? path : "/",
                                      root);
        *ret = s;
        return 0;
}

int cgroup_stats_read(const char *path, CgroupStats *ret, CrioError *err) {
        CgroupMode mode;
        int r = cgroup_mode_detect(&mode, err);
        if (r < 0)
                return r;
        return cgroup_stats_read_at(CGROUP_ROOT, mode, path, ret, err);
}
