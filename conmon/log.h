/* The CRI container log file, as the kubelet reads it.
 *
 * One record per line:  <time> <stream> <tag> <text>\n
 *   time    RFC 3339 with nanoseconds and the local offset: 2026-11-28T06:53:11.046092967+00:00
 *   stream  "stdout" or "stderr"
 *   tag     F for a full line (its '\n' ended it), P for a partial one (the chunk ended first)
 *   text    the bytes of the line, without the '\n'; an empty line keeps the space before it.
 *
 * Each chunk read from a pipe is written on its own, as conmon does: a chunk ending without
 * '\n' gives a P record and the rest of that line comes as the next record(s).
 *
 * With a size limit, a record that would take the file past it first replaces the file with
 * an empty one (written to "<path>.tmp", renamed over <path>), as conmon does; a single
 * record larger than the limit is cut into P pieces that fit. Self-contained (util only), so
 * that tests can include it. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/cleanup.h"
#include "util/error.h"

typedef enum CtrLogStream {
        CTR_LOG_STDOUT,
        CTR_LOG_STDERR,
} CtrLogStream;

/* "2026-11-28T06:53:11.046092967+00:00" is 35 characters; room for 5-digit years. */
#define CTR_LOG_TIME_MAX 48

typedef struct CtrLog CtrLog;

/* Opens path for appending (created 0640 if missing); size_max <= 0 means no limit. The
 * bytes already in the file count against the limit. *ret is freed with ctr_log_free. */
int ctr_log_open(const char *path, int64_t size_max, CtrLog **ret, CrioError *err);
/* Writes one chunk of a stream as records (see above). On error, records before the failing
 * one are in the file. */
int ctr_log_write(CtrLog *log, CtrLogStream stream, const char *buf, size_t len, CrioError *err);
/* Opens path again (log rotation, ReopenContainerLog): a file moved or removed away is
 * recreated empty; a file still there is appended to. On failure the old file stays in use. */
int ctr_log_reopen(CtrLog *log, CrioError *err);
/* fsyncs the file. */
int ctr_log_sync(CtrLog *log, CrioError *err);
/* Bytes in the current file as counted against the limit. */
uint64_t ctr_log_size(const CtrLog *log);
/* Closes and frees; accepts NULL. */
void ctr_log_free(CtrLog *log);
DEFINE_TRIVIAL_CLEANUP_FUNC(CtrLog *, ctr_log_free);

/* Formats ts in local time (call tzset() once first) into buf; returns the length. */
size_t ctr_log_format_time(const struct timespec *ts, char buf[static CTR_LOG_TIME_MAX]);
