/* Running the OCI runtime.
 *
 *   <runtime> [runtime_args...] create --bundle B --pid-file P [--console-socket S] [runtime_opts...] <cid>
 *   <runtime> [runtime_args...] exec --process F --pid-file P [runtime_opts...] <cid>
 *
 * The child gets the stdio fds given (-1 for stdin: /dev/null; the runtime hands its stdio
 * to the container on create), the default signal mask and dispositions, and an explicit
 * environment: PATH (conmon's, or a default) and XDG_RUNTIME_DIR if conmon has one. */
#pragma once

#include <sys/types.h>

#include "util/error.h"

typedef struct RuntimeCommand {
        const char *runtime;
        char **runtime_args; /* global options, before the command (e.g. --root DIR) */
        char **runtime_opts; /* options of the command itself */
        const char *cid;
        const char *pid_file;
        const char *bundle;         /* create */
        const char *console_socket; /* create; NULL: none */
        const char *process_file;   /* exec */
} RuntimeCommand;

/* The argv of `create` or `exec` (caller frees with strv_free). */
int runtime_create_argv(const RuntimeCommand *rc, char ***ret);
int runtime_exec_argv(const RuntimeCommand *rc, char ***ret);

/* Forks and executes argv; *ret_pid is the child to wait for. An exec failure shows as
 * "conmon: executing runtime ...: <why>" on stderr_fd and exit status 127. */
int runtime_spawn(char **argv, int stdin_fd, int stdout_fd, int stderr_fd, pid_t *ret_pid, CrioError *err);
