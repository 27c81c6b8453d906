/* Running a helper program (an OCI runtime, conmon, crio-pinns) and waiting for it.
 *
 * The child gets only what is asked for: stdin from stdin_fd (or /dev/null), stdout and
 * stderr on pipes read by the caller (kept up to capture_max bytes each, the rest read and
 * dropped), the fds of keep_fds as 3, 4, ... in order, every other fd closed, signals reset
 * and the environment envp (or just PATH when envp is NULL). It is started with posix_spawn:
 * no code of ours runs between fork and exec (gRPC's threads make that unsafe).
 *
 * spawn_run returns 0 once the child has exited (its status is in the result, whatever it
 * is); -ETIMEDOUT when timeout_ms passed first (the child is then killed with SIGKILL and
 * reaped); other negative errnos when it could not be started. The pipes are read until the
 * child exits, then drained without waiting: a grandchild that keeps them open (a daemon the
 * child started) does not hold up the caller. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

typedef struct SpawnOptions {
        char *const *argv;      /* argv[0] is the path of the program */
        char *const *envp;      /* NULL: "PATH=/usr/local/sbin:...:/bin" only */
        int stdin_fd;           /* -1: /dev/null */
        const int *keep_fds;    /* become fds 3, 4, ... in the child */
        size_t n_keep_fds;
        int64_t timeout_ms;     /* <= 0: no timeout */
        size_t capture_max;     /* 0: SPAWN_CAPTURE_DEFAULT */
} SpawnOptions;

#define SPAWN_CAPTURE_DEFAULT (64u * 1024u)

typedef struct SpawnResult {
        int status;     /* exit code, or 128 + signal number */
        char *out;      /* NUL-terminated, possibly truncated; never NULL after success */
        size_t out_len;
        char *err;
        size_t err_len;
} SpawnResult;

void spawn_result_clear(SpawnResult *r);

int spawn_run(const SpawnOptions *o, SpawnResult *ret, CrioError *err);

/* The child's stderr (or stdout when stderr is empty) with surrounding whitespace trimmed,
 * for error messages; points into r (valid until spawn_result_clear). */
const char *spawn_result_message(SpawnResult *r);
