/* exec-sync mode: runs `<runtime> exec --process FILE --pid-file FILE.pid ID` in the
 * foreground with pipes, keeps at most exec_output_max bytes of stdout and of stderr (the
 * rest is read and dropped), kills the process at the timeout, and prints one JSON line on
 * stdout:
 *
 *   {"exit_code": 0, "timed_out": false, "stdout": "<base64>", "stderr": "<base64>", "truncated": false}
 *
 * The runtime writes the process's pid to FILE.pid (removed at the end): with no pid file,
 * a runtime that failed did not run the process, and that is an error (the runtime's
 * stderr, trimmed, is the message) rather than an answer. */
#pragma once

#include "options.h"
#include "util/error.h"

/* Returns 0 once the answer is printed, or an error (nothing printed on stdout). */
int exec_sync_run(const ConmonOptions *o, CrioError *err);
