/* A container's resource usage, read from its cgroup (v1 or v2), for ContainerStats and
 * PodSandboxStats.
 *
 *   v1 (and hybrid)                              v2
 *   cpu   cpuacct.usage                          cpu.stat usage_usec * 1000
 *   mem   memory.usage_in_bytes                  memory.current
 *   ws    usage - memory.stat total_inactive_file   current - memory.stat inactive_file
 *   rss   memory.stat total_rss                  memory.stat anon
 *   faults memory.stat total_pgfault / total_pgmajfault   memory.stat pgfault / pgmajfault
 *   limit memory.limit_in_bytes                  memory.max
 *   ooms  memory.oom_control oom_kill            memory.events oom_kill
 *   pids  pids.current                           pids.current
 *
 * In hybrid mode a controller is read from its v1 mount, or from the v2 hierarchy when it is
 * bound there instead. Each file is read whole with a limit (CGROUP_STATS_FILE_MAX). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "runtime/cgroup.h"
#include "util/error.h"

#define CGROUP_STATS_FILE_MAX (64u * 1024u)

typedef struct CgroupStats {
        bool has_cpu;                   /* the fields below were found */
        uint64_t cpu_usage_ns;          /* cumulative, all CPUs */

        bool has_memory;
        uint64_t memory_usage_bytes;
        uint64_t memory_working_set_bytes; /* usage minus inactive file pages, not below 0 */
        uint64_t memory_rss_bytes;
        uint64_t memory_page_faults;
        uint64_t memory_major_page_faults;
        uint64_t memory_limit_bytes;    /* 0: no limit set on this cgroup */
        uint64_t memory_oom_kills;      /* 0 also when the kernel does not count them */

        bool has_pids;
        uint64_t pids_current;
} CgroupStats;

/* Reads the stats of the cgroup at path (a cgroup path: "/kubepods/pod1/crio-<id>", see
 * cgroup.h) under /sys/fs/cgroup, detecting the mode. A controller whose directory is absent
 * leaves its has_ flag false; when none of cpu, memory and pids has the cgroup, -ENOENT
 * naming path (the container is gone). */
int cgroup_stats_read(const char *path, CgroupStats *ret, CrioError *err);
/* The same under root (a mount point of cgroup file systems laid out as /sys/fs/cgroup is)
 * in the given mode: for tests on a copy of the files. */
int cgroup_stats_read_at(const char *root, CgroupMode mode, const char *path, CgroupStats *ret, CrioError *err);

/* The value of key in "key value" lines (memory.stat, cpu.stat, memory.events,
 * memory.oom_control): 0 and *ret set, or -ENOENT when key is absent, -EINVAL when its value
 * is not a decimal number. */
int cgroup_stats_kv(const char *text, const char *key, uint64_t *ret);
