/* Cgroups of pods and containers, managed through cgroupfs (runc makes a container's cgroup
 * from the cgroupsPath we give it; crio names the paths, finds processes' cgroups, and
 * removes what is left once a container is gone).
 *
 * Paths. A "cgroup path" here is relative to the root of a hierarchy and absolute in form:
 * "/kubepods/burstable/pod<UID>/crio-<id>", the same string in every hierarchy (v1
 * /sys/fs/cgroup/<controller>/..., v2 /sys/fs/cgroup/...). It is what runc's cgroupsPath
 * holds for the cgroupfs driver and what /proc/<pid>/cgroup shows (outside cgroup
 * namespaces).
 *
 * Naming (cgroupfs manager), as CRI-O does:
 *   pod cgroup_parent ""         -> parent CGROUP_DEFAULT_PARENT ("/crio")
 *   pod cgroup_parent "/a/b"     -> parent "/a/b"   ("a//b/" and "a/b" are read as "/a/b")
 *   container (infra or not)     -> "<parent>/crio-<container id>"
 * A parent whose last component ends in ".slice" is the systemd driver's syntax: with the
 * cgroupfs manager it is -EINVAL naming it (the kubelet and crio disagree on the driver).
 *
 * Naming (systemd manager, cgroup-systemd.c), as CRI-O does:
 *   pod cgroup_parent ""         -> parent CGROUP_SYSTEMD_DEFAULT_SLICE ("system.slice")
 *   pod cgroup_parent "x-y.slice" or ".../x-y.slice" -> parent "x-y.slice" (its last component)
 *   container (infra or not)     -> runc's cgroupsPath "<slice>:crio:<id>", which runc and
 *                                   crun turn into the scope unit "crio-<id>.scope" in that
 *                                   slice, at "/x.slice/x-y.slice/crio-<id>.scope" in every
 *                                   hierarchy
 *   conmon                       -> the scope "crio-conmon-<id>.scope" in the pod's slice
 *                                   (conmon_cgroup "pod") or in the slice conmon_cgroup names
 * A parent that is not a slice is -EINVAL naming it. A normalized parent tells its manager
 * (cgroup_parent_is_slice), so records written under one manager are read correctly after a
 * restart with the other.
 *
 * Errors follow util/error.h: negative errno, err filled, outputs untouched on failure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_DEFAULT_PARENT "/crio"
#define CGROUP_CONTAINER_PREFIX "crio-"
#define CGROUP_CONMON_PREFIX "crio-conmon-"
#define CGROUP_SYSTEMD_DEFAULT_SLICE "system.slice"
#define CGROUP_SYSTEMD_SCOPE_PREFIX "crio" /* runc: "<slice>:crio:<id>" -> crio-<id>.scope */

/* Limits on what we accept or read. */
#define CGROUP_PATH_MAX 2048            /* bytes in a cgroup path (parent + "/crio-" + id) */
#define CGROUP_ID_MAX 128               /* bytes in a container id used in a path */
#define CGROUP_PROC_FILE_MAX (64u * 1024u) /* /proc/<pid>/cgroup */
#define CGROUP_PROC_ENTRIES_MAX 64      /* lines in it */
#define CGROUP_HIERARCHIES_MAX 64       /* mounts under /sys/fs/cgroup considered */
#define CGROUP_REMOVE_DEPTH_MAX 16      /* nested cgroups below a container's that are removed */
#define CGROUP_UNIT_NAME_MAX 255        /* bytes in a systemd unit name (systemd's UNIT_NAME_MAX - 1) */

typedef enum CgroupManager {
        CGROUP_MANAGER_CGROUPFS = 0,
        CGROUP_MANAGER_SYSTEMD = 1,
} CgroupManager;

/* "cgroupfs" or "systemd" (crio.conf cgroup_manager); anything else is -EINVAL. */
int cgroup_manager_from_string(const char *s, CgroupManager *ret, CrioError *err);

typedef enum CgroupMode {
        CGROUP_MODE_LEGACY = 1,  /* v1 controllers only */
        CGROUP_MODE_HYBRID = 2,  /* v1 controllers, plus a v2 hierarchy at /sys/fs/cgroup/unified */
        CGROUP_MODE_UNIFIED = 3, /* v2 only, mounted at /sys/fs/cgroup */
} CgroupMode;

/* From the file system types of /sys/fs/cgroup and /sys/fs/cgroup/unified (statfs).
 * -ENOMEDIUM when /sys/fs/cgroup holds no cgroup file system at all. */
int cgroup_mode_detect(CgroupMode *ret, CrioError *err);
/* "v1", "hybrid", "v2" (static strings). */
const char *cgroup_mode_to_string(CgroupMode mode);
/* Whether runc's cgroupfs driver can set limits of controller ("hugetlb", "pids"...) for
 * containers in this mode: v2, listed in /sys/fs/cgroup/cgroup.controllers; v1 and hybrid
 * (runc uses the v1 hierarchies there), a v1 hierarchy mounted at /sys/fs/cgroup/<controller>. */
bool cgroup_has_controller(CgroupMode mode, const char *controller);

/* Checks a cgroup path: starts with '/', at most CGROUP_PATH_MAX bytes, no "." or ".."
 * component, no control characters. "/" itself passes (callers that must not touch the root
 * say so). */
int cgroup_path_check(const char *path, CrioError *err);

/* The pod's parent cgroup for a CRI cgroup_parent (NULL or "" for the default), normalized:
 * cgroupfs, a path (leading '/', no repeated or trailing '/'); systemd, a slice name.
 * *ret is the caller's to free. */
int cgroup_parent_normalize(CgroupManager m, const char *cgroup_parent, char **ret, CrioError *err);
/* The manager a normalized parent belongs to: a slice name (no '/', ends in ".slice") is
 * systemd's; anything else ("" too: records of earlier versions) is cgroupfs's. */
CgroupManager cgroup_parent_manager(const char *parent);
/* runc's cgroupsPath for container id (the infra container's too) in a pod with that
 * cgroup_parent: "<parent>/crio-<id>" (cgroupfs) or "<slice>:crio:<id>" (systemd). id:
 * 1..CGROUP_ID_MAX of [A-Za-z0-9_.-], not "." or "..". *ret is the caller's to free. */
int cgroup_container_path(CgroupManager m, const char *cgroup_parent, const char *id, char **ret, CrioError *err);
/* Where that container's cgroup is in each hierarchy (a cgroup path, as above), the
 * manager taken from the normalized parent (cgroup_parent_manager): "<parent>/crio-<id>",
 * or "<expanded slice>/crio-<id>.scope". *ret is the caller's to free. */
int cgroup_container_dir(const char *parent, const char *id, char **ret, CrioError *err);

/* conmon_cgroup of crio.conf for manager m: cgroupfs takes "pod" (or "": the same) only;
 * systemd "pod", "" or a slice (cgroup_systemd_slice_check). -EINVAL naming it. */
int cgroup_conmon_check(CgroupManager m, const char *conmon_cgroup, CrioError *err);

/* ---- systemd (cgroup-systemd.c) ---- */

/* Checks a slice unit name as systemd does: "<prefix>.slice", the prefix of [A-Za-z0-9:_.\\-]
 * with no leading, trailing or doubled '-' ("-.slice", the root slice, passes), at most
 * CGROUP_UNIT_NAME_MAX bytes. -EINVAL naming it. */
int cgroup_systemd_slice_check(const char *slice, CrioError *err);
/* The cgroup path of a slice: "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice",
 * "-.slice" -> "/". *ret is the caller's to free. */
int cgroup_systemd_slice_expand(const char *slice, char **ret, CrioError *err);
/* The systemd parent for a CRI cgroup_parent (see cgroup_parent_normalize). */
int cgroup_systemd_parent_normalize(const char *cgroup_parent, char **ret, CrioError *err);
/* Checks a container id for use in a cgroup or unit name (see cgroup_container_path). */
int cgroup_id_check(const char *id, CrioError *err);

/* One line of /proc/<pid>/cgroup: "4:memory:/a/b", "1:cpu,cpuacct:/x", "0::/y". */
typedef struct CgroupProcEntry {
        unsigned hierarchy_id;
        char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; "" for v2 */
        char *path;
} CgroupProcEntry;

typedef struct CgroupProcList {
        CgroupProcEntry *entries;
        size_t n;
} CgroupProcList;

/* Frees the entries and resets l. Accepts an empty list. */
void cgroup_proc_list_clear(CgroupProcList *l);
/* Parses the text of /proc/<pid>/cgroup (at most CGROUP_PROC_ENTRIES_MAX lines: -E2BIG past
 * that; a malformed line is -EINVAL naming its number). */
int cgroup_proc_parse(const char *text, CgroupProcList *ret, CrioError *err);
/* Reads and parses /proc/<pid>/cgroup (pid 0: this process). -ENOENT when pid is gone. */
int cgroup_proc_read(pid_t pid, CgroupProcList *ret, CrioError *err);
/* The path of the entry for controller ("memory", "cpuacct", "name=systemd"), or with
 * controller "" the v2 entry ("0::..."); NULL when absent. Points into l. */
const char *cgroup_proc_list_find(const CgroupProcList *l, const char *controller);
/* Both of the above: pid's cgroup path for controller; -ENOENT (message naming both) when
 * the process is gone or not in that hierarchy. *ret is the caller's to free. */
int cgroup_pid_path(pid_t pid, const char *controller, char **ret, CrioError *err);

/* Removes the cgroup at path in every hierarchy (each v1 controller mount under
 * /sys/fs/cgroup and the v2 one), nested cgroups below it first; for a container once it is
 * gone (runc delete normally does this; a crashed runc or conmon may leave them). Absent
 * directories are fine. A cgroup that still holds processes is -EBUSY naming the directory
 * (after a few short retries: the kernel frees a cgroup a moment after its last task
 * exits); the other hierarchies are still cleaned. path "/" is -EINVAL. */
int cgroup_remove(const char *path, CrioError *err);

/* Makes the cgroup at path in every hierarchy (mkdir -p; v1 cpuset directories get the
 * parent's cpus and mems, without which no task could join them). runc makes a container's
 * cgroup itself: this is for conmon's (conmon_cgroup "pod" under cgroupfs). "/" is a no-op. */
int cgroup_create(const char *path, CrioError *err);
/* Moves pid into the cgroup at path in every hierarchy (cgroup.procs). The first failure
 * is returned naming the file; the other hierarchies are still tried. */
int cgroup_attach(const char *path, pid_t pid, CrioError *err);
/* conmon's cgroup for container id under cgroupfs: "<parent>/crio-conmon-<id>", parent
 * normalized as cgroup_parent_normalize does. *ret is the caller's to free. */
int cgroup_conmon_dir(const char *parent, const char *id, char **ret, CrioError *err);
/* Removes the pod's parent cgroup (its last component only) in every hierarchy, if empty:
 * for RemovePodSandbox. Absent is fine; one still holding a cgroup or a task is -EBUSY
 * naming it. The shared default parent (CGROUP_DEFAULT_PARENT) and "/" are left alone
 * (returns 0): other pods' containers come and go under them. */
int cgroup_pod_parent_remove(const char *parent, CrioError *err);
