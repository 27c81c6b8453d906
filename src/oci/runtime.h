/* Front ends for the OCI runtime's commands (runc, crun) and for conmon.
 *
 * Each command runs the runtime binary with "--root <root>" when a state root is set and
 * waits for it (OCI_RUNTIME_TIMEOUT_MS at most); a failure carries the runtime's own
 * message. A container the runtime does not know is -ENOENT. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

#define OCI_RUNTIME_TIMEOUT_MS (120 * 1000)
/* How long conmon may take to report the result of "create". */
#define OCI_CONMON_CREATE_TIMEOUT_MS (240 * 1000)

typedef struct OciRuntime {
        const char *name; /* the handler's name, for messages */
        const char *path; /* the executable */
        const char *root; /* state root (--root); NULL or "": the runtime's default */
        bool systemd_cgroup; /* create with --systemd-cgroup (cgroupsPath "slice:prefix:name") */
} OciRuntime;

int oci_runtime_start(const OciRuntime *rt, const char *id, CrioError *err);
/* all: signal every process of the container (runc kill --all). */
int oci_runtime_kill(const OciRuntime *rt, const char *id, int sig, bool all, CrioError *err);
/* A container the runtime does not know counts as deleted (0). */
int oci_runtime_delete(const OciRuntime *rt, const char *id, bool force, CrioError *err);
/* The runtime's status ("created", "running", "stopped", "paused") and the init pid (0 if
 * none). -ENOENT if the runtime does not know the container. *ret_status is malloc'd. */
int oci_runtime_state(const OciRuntime *rt, const char *id, char **ret_status, pid_t *ret_pid, CrioError *err);
/* runc update --resources FILE (a runtime-spec linux.resources object). */
int oci_runtime_update(const OciRuntime *rt, const char *id, const char *resources_file, CrioError *err);

typedef struct OciConmonOptions {
        const char *conmon;            /* conmon executable */
        const OciRuntime *runtime;
        const char *id;
        const char *bundle;
        const char *log_path;
        int64_t log_size_max;          /* <= 0: none */
        const char *exit_dir;
        const char *pidfile;           /* conmon's own pid */
        const char *container_pidfile;
        const char *attach_socket;     /* NULL: none */
        bool terminal, stdin_open, stdin_once;
        const char *log_level;         /* NULL: conmon's default */
        char *const *env;              /* conmon's environment (conmon_env); NULL: PATH only */
} OciConmonOptions;

/* Starts conmon, which runs "<runtime> create" and detaches; returns once conmon reported
 * the container's pid (or fails with the runtime's message). *ret_conmon_pid is read from
 * the pid file (0 if unreadable). */
int oci_conmon_create(const OciConmonOptions *o, pid_t *ret_pid, pid_t *ret_conmon_pid, CrioError *err);
