/* The monitor: runs `<runtime> create`, reports to crio, then copies the container's output
 * to the log (and to attach clients) until the container exits, feeds its stdin from attach
 * clients, notices OOM kills, and records the exit code. */
#pragma once

#include "options.h"
#include "util/error.h"

/* Runs the container's whole life in this (already detached) process. Errors before the
 * report on the sync pipe are reported there (and returned); returns 0 once the container
 * has exited and its exit file is written. */
int monitor_run(const ConmonOptions *o, CrioError *err);
