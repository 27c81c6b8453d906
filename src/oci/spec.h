/* The OCI runtime spec builder: a container's config.json (runtime-spec 1.0.2).
 *
 *   _cleanup_(oci_spec_freep) OciSpec *s = NULL;
 *   r = oci_spec_new(&s, &err);                     CRI-O's defaults (see below)
 *   r = oci_spec_set_args(s, argv, &err);
 *   r = oci_spec_add_env(s, "FOO=bar", &err);       replaces an earlier FOO
 *   r = oci_spec_cap_add(s, "net_raw", &err);        "CAP_NET_RAW", "NET_RAW", "ALL"...
 *   r = oci_spec_set_root(s, "rootfs", false, &err);
 *   r = oci_spec_write(s, "/bundle/config.json", &err);
 *
 * Defaults of oci_spec_new, as CRI-O (and runc's `spec`) set them:
 *   process: no terminal, uid/gid 0, cwd "/", env PATH=OCI_DEFAULT_PATH, the capabilities
 *     OCI_SPEC_DEFAULT_CAPS in bounding/effective/permitted (inheritable and ambient empty),
 *     no rlimits, noNewPrivileges false, no oomScoreAdj;
 *   root "rootfs" read-write; no hostname;
 *   mounts /proc, /dev (tmpfs), /dev/pts, /dev/shm, /dev/mqueue, /sys (ro), /sys/fs/cgroup (ro);
 *   linux: new pid, network, ipc, uts and mount namespaces; CRI-O's masked and read-only
 *     paths; no device nodes beyond runc's own; device rules: deny all, then mknod of any
 *     char/block device and rwm on /dev/null,
 *     zero, full, random, urandom, tty, console, ptmx and /dev/pts/ (char 136:*);
 *     no cpu/memory/pids/hugepage limits, no unified, no cgroupsPath, no sysctls, no seccomp.
 *
 * Every setter validates its input and leaves the spec unchanged when it fails. The spec
 * owns copies of every string passed in. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/cleanup.h"
#include "util/error.h"

#define OCI_SPEC_VERSION "1.0.2"

/* Highest capability number this builder knows (CAP_CHECKPOINT_RESTORE, Linux 5.9). */
#define OCI_CAP_LAST 40
#define OCI_CAP_ALL_MASK ((UINT64_C(1) << (OCI_CAP_LAST + 1)) - 1)
/* CRI-O's default_capabilities. */
#define OCI_SPEC_DEFAULT_CAPS                                                                    \
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "SETGID", "SETUID", "SETPCAP", "NET_BIND_SERVICE", \
                "KILL"

typedef struct OciSpec OciSpec;

typedef enum OciNamespace {
        OCI_NS_PID,
        OCI_NS_NETWORK,
        OCI_NS_IPC,
        OCI_NS_UTS,
        OCI_NS_MOUNT,
        OCI_NS_USER,
        OCI_NS_CGROUP,
        _OCI_NS_MAX,
} OciNamespace;

/* "pid", "network", ... (the spec's names). */
const char *oci_namespace_to_string(OciNamespace ns);
int oci_namespace_from_string(const char *s, OciNamespace *ret);

/* Capability numbers <-> names. Accepts "CAP_CHOWN", "chown", "Cap_Chown": any case, with or
 * without the CAP_ prefix (as CRI-O does). Returns the number, or -EINVAL ("ALL" is not a
 * capability here). oci_cap_to_name gives "CAP_CHOWN" (NULL past OCI_CAP_LAST). */
int oci_cap_from_name(const char *name);
const char *oci_cap_to_name(int cap);

/* A spec holding the defaults above. Caller frees with oci_spec_free. */
int oci_spec_new(OciSpec **ret, CrioError *err);
void oci_spec_free(OciSpec *spec);
DEFINE_TRIVIAL_CLEANUP_FUNC(OciSpec *, oci_spec_free);

/* --- process --- */
/* args: at least one string, the first non-empty. Replaces the previous args. */
int oci_spec_set_args(OciSpec *spec, char *const *args, CrioError *err);
/* Replaces the whole environment ("KEY=VALUE" strings; later duplicates of a key win). */
int oci_spec_set_env(OciSpec *spec, char *const *env, CrioError *err);
/* Sets one "KEY=VALUE": replaces the entry with the same KEY in place, else appends. */
int oci_spec_add_env(OciSpec *spec, const char *entry, CrioError *err);
/* Value of KEY in the environment (pointer into spec), or NULL. */
const char *oci_spec_get_env(const OciSpec *spec, const char *key);
/* cwd must be absolute. */
int oci_spec_set_cwd(OciSpec *spec, const char *cwd, CrioError *err);
void oci_spec_set_terminal(OciSpec *spec, bool terminal);
/* uid, gid and the supplementary groups (additionalGids, duplicates dropped, order kept). */
int oci_spec_set_user(OciSpec *spec, uid_t uid, gid_t gid, const gid_t *additional_gids, size_t n_additional_gids,
                      CrioError *err);

/* Capabilities: one set used for bounding, effective and permitted. name as for
 * oci_cap_from_name; "ALL" (any case) adds or drops every capability. -EINVAL names an
 * unknown capability. */
int oci_spec_cap_add(OciSpec *spec, const char *name, CrioError *err);
int oci_spec_cap_drop(OciSpec *spec, const char *name, CrioError *err);
/* The bit mask (bit n = capability n) and its replacement. */
uint64_t oci_spec_get_caps(const OciSpec *spec);
void oci_spec_set_caps(OciSpec *spec, uint64_t mask);
/* CRI-O's rule for a container: add "ALL" if add has it; drop everything if drop has "ALL",
 * else add defaults; then each named add, then each named drop. All or nothing. */
int oci_spec_apply_capabilities(OciSpec *spec, char *const *defaults, char *const *add, char *const *drop,
                                CrioError *err);

/* type "RLIMIT_NOFILE" or "nofile" (any case); soft <= hard. Replaces a limit of the same type. */
int oci_spec_add_rlimit(OciSpec *spec, const char *type, uint64_t soft, uint64_t hard, CrioError *err);
void oci_spec_set_no_new_privileges(OciSpec *spec, bool on);
/* process.apparmorProfile (NULL: none, the runtime leaves the profile as it is). */
int oci_spec_set_apparmor_profile(OciSpec *spec, const char *profile, CrioError *err);
/* process.selinuxLabel and linux.mountLabel (NULL: none; the runtime's mounts get no label). */
int oci_spec_set_selinux_labels(OciSpec *spec, const char *process_label, const char *mount_label, CrioError *err);
/* -1000..1000. */
int oci_spec_set_oom_score_adj(OciSpec *spec, int adj, CrioError *err);
void oci_spec_clear_oom_score_adj(OciSpec *spec);

/* --- root, hostname, mounts, annotations --- */
int oci_spec_set_root(OciSpec *spec, const char *path, bool readonly, CrioError *err);
/* NULL or "" removes the hostname. At most 64 bytes, no '/' or whitespace. */
int oci_spec_set_hostname(OciSpec *spec, const char *hostname, CrioError *err);
/* destination absolute, without ".." components; options may be NULL. A mount with the same
 * destination is replaced in place. The output lists mounts parents first (stable sort by
 * path depth, as CRI-O orders them). */
int oci_spec_add_mount(OciSpec *spec, const char *destination, const char *type, const char *source,
                       char *const *options, CrioError *err);
/* Returns true if a mount at destination was removed. */
bool oci_spec_remove_mount(OciSpec *spec, const char *destination);
int oci_spec_set_annotation(OciSpec *spec, const char *key, const char *value, CrioError *err);

/* --- linux --- */
/* Joins the namespace at path (absolute), or creates a new one when path is NULL. */
int oci_spec_set_namespace(OciSpec *spec, OciNamespace ns, const char *path, CrioError *err);
/* The container shares the runtime's namespace of this type (host network, host pid...). */
void oci_spec_remove_namespace(OciSpec *spec, OciNamespace ns);
/* Absolute paths; adding one already present is a no-op. Clear removes all of one list. */
int oci_spec_add_masked_path(OciSpec *spec, const char *path, CrioError *err);
int oci_spec_add_readonly_path(OciSpec *spec, const char *path, CrioError *err);
void oci_spec_clear_masked_paths(OciSpec *spec);
void oci_spec_clear_readonly_paths(OciSpec *spec);

/* Resources. Zero/negative where the spec allows no such value is refused with -EINVAL.
 * cpus/mems: cpuset lists ("0-3,5"); NULL leaves them unset. */
int oci_spec_set_cpu_shares(OciSpec *spec, uint64_t shares, CrioError *err);
int oci_spec_set_cpu_quota(OciSpec *spec, int64_t quota, uint64_t period, CrioError *err);
int oci_spec_set_cpuset(OciSpec *spec, const char *cpus, const char *mems, CrioError *err);
/* limit in bytes (> 0); swap is memory+swap (>= limit, or -1 for unlimited, or 0 for unset). */
int oci_spec_set_memory(OciSpec *spec, int64_t limit, int64_t swap, CrioError *err);
/* > 0, or -1 for unlimited. */
int oci_spec_set_pids_limit(OciSpec *spec, int64_t limit, CrioError *err);
/* type 'a', 'c' or 'b'; major/minor -1 = any; access a non-empty subset of "rwm". Appended. */
int oci_spec_add_device_rule(OciSpec *spec, bool allow, char type, int64_t major, int64_t minor, const char *access,
                             CrioError *err);
void oci_spec_clear_device_rules(OciSpec *spec);
/* A device node runc makes in the container (linux.devices); the cgroup rule that lets the
 * container use it is a separate oci_spec_add_device_rule. path absolute and clean; type 'c',
 * 'b' or 'u'; file_mode permission bits only (07777). One with the same path is replaced. */
typedef struct OciDevice {
        const char *path;
        char type;
        int64_t major, minor;
        uint32_t file_mode, uid, gid;
} OciDevice;
int oci_spec_add_device(OciSpec *spec, const OciDevice *device, CrioError *err);
/* linux.resources.hugepageLimits: page_size as runc names hugetlb files ("2MB", "1GB",
 * "64KB"); limit in bytes (at most INT64_MAX). Replaces the limit of the same size. Whether
 * the host has that size is the caller's to check. */
int oci_spec_add_hugepage_limit(OciSpec *spec, const char *page_size, uint64_t limit, CrioError *err);
/* linux.resources.unified (cgroup v2 only): key a cgroup file name ("memory.high": a '.', no
 * '/', no whitespace), value at most 4096 bytes. Replaces the same key. */
int oci_spec_set_unified(OciSpec *spec, const char *key, const char *value, CrioError *err);
/* "/crio-<id>" (cgroupfs) or "slice:prefix:name" (systemd); NULL or "" unsets it. */
int oci_spec_set_cgroups_path(OciSpec *spec, const char *path, CrioError *err);
/* key "net.ipv4.ip_forward" style; replaces the same key. */
int oci_spec_add_sysctl(OciSpec *spec, const char *key, const char *value, CrioError *err);

/* --- output --- */
/* The JSON document (pretty-printed), malloc'd (caller frees); NULL on ENOMEM. */
char *oci_spec_to_json(const OciSpec *spec);
/* linux.resources alone, compact: what "runc update --resources" reads and what the
 * container's record keeps. malloc'd (caller frees); NULL on ENOMEM. */
char *oci_spec_resources_json(const OciSpec *spec);
/* Checks the spec is complete (args set, root path set) and writes it to path atomically
 * (temp file, rename; mode 0600: the environment may hold secrets). Not fsynced: a bundle
 * means nothing after the machine restarts. */
int oci_spec_write(const OciSpec *spec, const char *path, CrioError *err);

/* --- seccomp --- */
typedef struct _JsonNode JsonNode;
/* Sets linux.seccomp to the object seccomp (see oci/seccomp.h, oci_seccomp_profile_to_oci):
 * the spec takes its own reference, the caller keeps (and unrefs) its own. NULL removes it. */
int oci_spec_set_seccomp(OciSpec *spec, JsonNode *seccomp, CrioError *err);
