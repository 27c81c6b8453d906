/* The monitor: runs `<runtime> create`, reports to crio, then copies the container's output
 * to the log until the container exits, and records its exit code. */
#pragma once

#include <stdint.h>

#include "util/error.h"

typedef struct ConmonOptions {
        char *cid;
        char *runtime;
        char *bundle;
        char *log_path;
        char *exit_dir;
        char *pid_file;           /* conmon's own pid */
        char *container_pid_file; /* the runtime writes the container's pid here */
        char *ctl_path;           /* default <bundle>/ctl */
        char *conmon_log;         /* conmon's own messages after start-up; NULL: discarded */
        char **runtime_args;
        char **runtime_opts;
        int64_t log_size_max;     /* <= 0: no limit */
        int sync_fd;              /* -1: none */
} ConmonOptions;

/* Runs the container's whole life in this (already detached) process. Errors before the
 * report on the sync pipe are reported there (and returned); returns 0 once the container
 * has exited and its exit file is written. */
int monitor_run(const ConmonOptions *o, CrioError *err);
