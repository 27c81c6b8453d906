/* Noticing that the kernel's OOM killer acted in the container's memory cgroup.
 *
 * The cgroup is read from /proc/<pid>/cgroup of the container's init:
 *   cgroup v1 ("N:memory:/path", or memory among a comma list): /sys/fs/cgroup/memory/path;
 *     an eventfd registered through cgroup.event_control for memory.oom_control fires on
 *     OOM; the "oom_kill" line of memory.oom_control counts kills.
 *   cgroup v2 (no v1 memory line, "0::/path"): /sys/fs/cgroup/path when /sys/fs/cgroup is
 *     cgroup2, else /sys/fs/cgroup/unified/path, if memory.events is there; inotify
 *     (IN_MODIFY) on memory.events, whose "oom_kill" line counts kills.
 * A kill counter above its value when the watch started, or a v1 event, means OOM. A
 * container without a memory cgroup is not watched (oom never fires). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

#define OOM_PROC_CGROUP_MAX (64 * 1024) /* /proc/<pid>/cgroup read at most */
#define OOM_COUNTER_FILE_MAX 4096       /* memory.events, memory.oom_control */

typedef enum OomKind {
        OOM_NONE,
        OOM_V1,
        OOM_V2,
} OomKind;

typedef struct OomWatch {
        OomKind kind;
        int fd;             /* poll for POLLIN: eventfd (v1) or inotify (v2); -1 for none */
        int control_fd;     /* v1: memory.oom_control, held while the event is registered */
        char *counter_path; /* memory.oom_control (v1) or memory.events (v2) */
        uint64_t base;      /* oom_kill when the watch started */
        bool fired;
} OomWatch;

#define OOM_WATCH_INIT { .fd = -1, .control_fd = -1 }

/* From the text of /proc/<pid>/cgroup: the v1 memory cgroup and the v2 cgroup ("" when the
 * line is absent; both caller-freed). */
int oom_cgroup_paths(const char *text, char **ret_v1, char **ret_v2);
/* The value of the "oom_kill" line of a counter file's text (-EINVAL without one). */
int oom_kill_count(const char *text, uint64_t *ret);

/* Watches the memory cgroup of pid (kind OOM_NONE when it has none). */
int oom_watch_open(pid_t pid, OomWatch *ret, CrioError *err);
/* Watches the cgroup directory dir (tests use v2 on a plain directory). */
int oom_watch_open_dir(OomKind kind, const char *dir, OomWatch *ret, CrioError *err);
/* After POLLIN on fd: reads the event; true if an OOM happened (now or before). */
bool oom_watch_read(OomWatch *w);
/* At the end: true if an OOM happened since the watch started (reads the counter again:
 * a v2 notification can come late). */
bool oom_watch_check(OomWatch *w);
void oom_watch_close(OomWatch *w);
