/* Running the OCI runtime's `create`.
 *
 *   <runtime> [runtime_args...] create --bundle <bundle> --pid-file <pidfile> [runtime_opts...] <cid>
 *
 * The child gets stdin from /dev/null, stdout and stderr on the fds given (the container's
 * pipes: the runtime hands its stdio to the container), the default signal mask and
 * dispositions, and an explicit environment: PATH (conmon's, or a default) and
 * XDG_RUNTIME_DIR if conmon has one. Seams: a console socket (tty) and `exec` go here. */
#pragma once

#include <signal.h>
#include <sys/types.h>

#include "util/error.h"

typedef struct RuntimeCreate {
        const char *runtime;
        char **runtime_args; /* global options, before "create" (e.g. --root DIR) */
        char **runtime_opts; /* options of "create" itself */
        const char *bundle;
        const char *pid_file;
        const char *cid;
} RuntimeCreate;

/* Forks and executes the runtime; *ret_pid is the child to wait for. An exec failure shows
 * as a message on stderr_fd and exit status 127. */
int runtime_spawn_create(const RuntimeCreate *rc, int stdout_fd, int stderr_fd, pid_t *ret_pid, CrioError *err);
