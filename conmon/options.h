/* conmon's command line, as parsed by main.c (see README.md for each option). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define EXEC_OUTPUT_MAX_DEFAULT (16 * 1024 * 1024)
#define EXEC_TIMEOUT_MAX 1000000000 /* seconds (31 years): keeps the deadline in range */

typedef struct ConmonOptions {
        char *cid;
        char *runtime;
        char **runtime_args;      /* global runtime options, before the command */
        char **runtime_opts;      /* options of `create` / `exec` themselves */

        /* container mode */
        char *bundle;
        char *log_path;
        char *exit_dir;
        char *pid_file;           /* conmon's own pid */
        char *container_pid_file; /* the runtime writes the container's pid here */
        char *ctl_path;           /* default <bundle>/ctl */
        char *conmon_log;         /* conmon's own messages after start-up; NULL: discarded */
        char *attach_socket;      /* NULL: no attach socket */
        int64_t log_size_max;     /* <= 0: no limit */
        int sync_fd;              /* -1: none */
        bool terminal;            /* a pty through the runtime's console socket */
        bool stdin_open;          /* keep the container's stdin open for attach clients */
        bool stdin_once;          /* close it when the first attach client's input ends */

        /* exec-sync mode */
        bool exec_sync;
        char *exec_process_spec;
        int64_t timeout;          /* seconds; 0: none */
        int64_t exec_output_max;  /* bytes kept per stream */
} ConmonOptions;
