/* Pod sandbox and container lifecycles (sandbox.c, container.c), restore at start-up
 * (restore.c) and exits (exits.c).
 *
 * The CRI layer translates a request into an Rt*Config and a callback that builds the OCI
 * spec once the root filesystem exists; these functions do everything else: IDs and names,
 * namespaces, storage, the bundle, conmon, the runtime's start/kill/delete, records, and the
 * undoing of every step when a later one fails. None holds rt->lock across a child process
 * or a wait. Errors: -ENOENT (no such pod/container), -EEXIST (name taken), -EBUSY (wrong
 * state: FAILED_PRECONDITION), -EINVAL (bad request), others from the runtime. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "network/cni.h"
#include "oci/runtime.h"
#include "oci/spec.h"
#include "runtime/state.h"

/* Seconds to wait for a container that got SIGKILL (it cannot refuse, but the kernel may
 * take a moment to free a large one). */
#define RT_KILL_WAIT_S 10

typedef struct RtSandboxConfig {
        const char *name, *uid, *namespace_;
        uint32_t attempt;
        char *const *labels, *const *annotations; /* pairs */
        const char *hostname;
        const char *log_dir;
        const char *cgroup_parent;
        int ns_network, ns_pid, ns_ipc; /* RtNsMode */
        const char *ns_target_id;
        const char *runtime_handler;
        OciRuntime runtime;
        char *const *dns_servers, *const *dns_searches, *const *dns_options;
        char *const *sysctls;          /* "key=value" applied in the pinned namespaces */
        const char *pause_image_id;    /* NULL or "": the built-in pause binary */
        const char *pause_image;       /* the image's name, for the record */
        /* CNI (pods with a network namespace of their own) */
        const CniPortMapping *ports;
        size_t n_ports;
        uint64_t ingress_rate, egress_rate;
        const char *pod_cidr;
        /* SELinux labels of the pod (NULL: none), from selinux_pod_labels: the caller reserved
         * the level; it is released when the pod is removed (or by the caller, when
         * rt_sandbox_run fails). The infra container, /dev/shm and the pod's files get them
         * unless the pod shares the host's PID or IPC namespace (as CRI-O). */
        const char *process_label, *mount_label;
} RtSandboxConfig;

/* Builds the infra container's spec: s is the new pod (namespaces pinned), rootfs its root.
 * The runtime sets the root path afterwards. */
typedef int (*RtInfraSpecFn)(void *data, const RtSandbox *s, const char *rootfs, OciSpec **ret, CrioError *err);

int rt_sandbox_run(Rt *rt, const RtSandboxConfig *cfg, RtInfraSpecFn fn, void *data, char **ret_id, CrioError *err);
/* Stops every container of the pod (no grace: the kubelet stopped them before) and the infra
 * container, and tears its network down (CNI DEL, once); idempotent; a pod that does not
 * exist is fine (0). */
int rt_sandbox_stop(Rt *rt, const char *id, CrioError *err);
/* Stops, removes every container, unpins the namespaces, deletes the records; idempotent. */
int rt_sandbox_remove(Rt *rt, const char *id, CrioError *err);

typedef struct RtContainerConfig {
        const char *sandbox_id;
        const char *name;
        uint32_t attempt;
        const char *image;    /* as the request named it */
        const char *image_id; /* store image ID */
        const char *image_ref;
        char *const *labels, *const *annotations;
        const char *log_path;        /* relative to the pod's log_directory */
        const char *default_log_dir; /* crio's log_dir, when the pod names no log directory */
        bool terminal, stdin_open, stdin_once;
        int stop_signal;             /* 0: SIGTERM */
        const RtMount *mounts;
        size_t n_mounts;
        const char *mount_label;     /* SELinux label of the root file system (NULL: none) */
} RtContainerConfig;

/* Builds a container's spec: s is its pod (read-only here), c the new record (id, name,
 * log_path set), rootfs the mounted root filesystem. */
typedef int (*RtContainerSpecFn)(void *data, const RtSandbox *s, const RtContainer *c, const char *rootfs,
                                 OciSpec **ret, CrioError *err);

int rt_container_create(Rt *rt, const RtContainerConfig *cfg, const OciRuntime *runtime, RtContainerSpecFn fn,
                        void *data, char **ret_id, CrioError *err);
int rt_container_start(Rt *rt, const char *id, CrioError *err);
/* Sends the stop signal, waits up to timeout_s (0: none), then SIGKILL. A container that is
 * not running is fine. */
int rt_container_stop(Rt *rt, const char *id, int64_t timeout_s, CrioError *err);
int rt_container_remove(Rt *rt, const char *id, CrioError *err);

/* "<runtime> update" with resources (a runtime-spec linux.resources JSON object); the record
 * keeps it for ContainerStatus. The container must be created or running. */
int rt_container_update(Rt *rt, const char *id, const char *resources, CrioError *err);
/* Asks conmon to reopen the log (control FIFO "2 0 0") and returns once the log file exists
 * again. The container must be running. */
int rt_container_reopen_log(Rt *rt, const char *id, CrioError *err);

/* ExecSync: argv run in the running container (its user, env, cwd, capabilities) through
 * conmon's exec-sync mode; output kept up to RT_EXEC_OUTPUT_MAX bytes per stream. timeout_s 0:
 * none; when it passes, -ETIMEDOUT. */
#define RT_EXEC_OUTPUT_MAX (16u * 1024u * 1024u)
typedef struct RtExecResult {
        int exit_code;
        char *out, *err; /* malloc'd */
        size_t out_len, err_len;
} RtExecResult;
int rt_container_exec_sync(Rt *rt, const char *id, char *const *argv, int64_t timeout_s, RtExecResult *ret,
                           CrioError *err);

/* Internal to src/runtime. */
/* Finds a container (ID or prefix, not infra), takes a reference and marks it busy; -EBUSY
 * unless it is in a wanted state. rt_container_end undoes both. */
typedef enum RtWant { RT_WANT_ANY, RT_WANT_LIVE /* created or running */, RT_WANT_RUNNING } RtWant;
int rt_container_begin(Rt *rt, const char *id, RtWant want, RtContainer **ret, CrioError *err);
void rt_container_end(Rt *rt, RtContainer *c);
int rt_stop_container_ref(Rt *rt, RtContainer *c, int64_t timeout_s, CrioError *err);
int rt_remove_container_ref(Rt *rt, RtContainer *c, CrioError *err);
int rt_read_exit_file(Rt *rt, const char *id, int *ret_code, int64_t *ret_mtime);
bool rt_container_set_exited_locked(Rt *rt, RtContainer *c, int code, int64_t finished_at, bool oom);
/* Reads the exit file of id, if there is one, into the record: 1 if exited. */
int rt_container_check_exit(Rt *rt, const char *id);
void rt_check_all_exits(Rt *rt);
/* conmon-cgroup.c: puts c's conmon (conmon_pid) where conmon_cgroup says, for the pod's
 * cgroup manager; removes its cgroupfs cgroup once the container is gone (a failure is
 * logged: a cgroup still busy after the retries is left behind). */
int rt_conmon_cgroup_join(Rt *rt, const RtSandbox *s, RtContainer *c, CrioError *err);
void rt_conmon_cgroup_remove(RtContainer *c);
/* The OciRuntime of a record. */
static inline OciRuntime rt_container_runtime(const RtContainer *c) {
        return (OciRuntime){ .name = c->runtime_handler, .path = c->runtime_path, .root = c->runtime_root };
}
