/* The sync pipe: conmon's one report to crio about `<runtime> create`.
 *
 * conmon writes exactly one line, a JSON object, then closes the pipe:
 *
 *   {"pid": 4242}\n                                   created; the container's init pid
 *   {"pid": -1, "message": "<text>"}\n               failed; text is the runtime's stderr
 *                                                     (trimmed) or conmon's own error
 *
 * The text is escaped as JSON requires (quote, backslash, controls as \n \t \uXXXX); bytes
 * that are not valid UTF-8 become U+FFFD. The fd is given by --sync-pipe-fd (inherited).
 * (exec-sync mode answers on stdout instead: exec-sync.h.) */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Most message bytes reported (longer runtime errors are cut at a character boundary). */
#define SYNC_MESSAGE_MAX 4096

/* Appends text JSON-escaped (no quotes) to a buffer of size; returns the bytes the whole
 * escape needs (like snprintf: the output is complete when that is < size). At most
 * 6 bytes per input byte. Always NUL-terminates when size > 0. */
size_t json_escape(char *buf, size_t size, const char *text, size_t len);

/* Formats the report line into a new string (caller frees). message NULL for success. */
int sync_format(pid_t pid, const char *message, char **ret, CrioError *err);
/* Writes the report to fd. */
int sync_report(int fd, pid_t pid, const char *message, CrioError *err);
