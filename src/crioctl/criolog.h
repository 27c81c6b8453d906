/* The CRI container log format, read back (crioctl logs).
 *
 * A log file is a sequence of records, one per line:
 *     <RFC 3339 time> <stream> <tag> <text>\n
 * stream is "stdout" or "stderr"; tag is "F" (the text ends a line) or "P" (a partial line,
 * continued by the next record of the same stream), optionally followed by ":"-separated
 * extra tags. The reader joins the partial records of a stream into whole lines.
 *
 * Limits: a record line longer than CRIOLOG_MAX_RECORD bytes is malformed (skipped up to
 * its newline); a joined line that grows past CRIOLOG_MAX_LINE bytes is handed out in
 * pieces of that size (all but the last without a newline). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define CRIOLOG_MAX_RECORD (1024u * 1024u)
#define CRIOLOG_MAX_LINE (1024u * 1024u)

typedef enum CriLogStream { CRI_LOG_STDOUT = 1, CRI_LOG_STDERR = 2 } CriLogStream;

typedef struct CriLogRecord {
        const char *time; /* points into the line */
        size_t time_len;
        int64_t time_ns; /* since the epoch */
        CriLogStream stream;
        bool partial;
        const char *text; /* points into the line */
        size_t text_len;
} CriLogRecord;

/* Parses one record line of len bytes (without its '\n'). -EINVAL with the reason. */
int criolog_parse_record(const char *line, size_t len, CriLogRecord *ret, CrioError *err);

/* "2016-10-06T00:17:09.669794202Z", "...+01:00": nanoseconds since the epoch. A time
 * without a zone ("2013-01-02T13:23:37") is local time when local_if_no_zone, else -EINVAL. */
int criolog_parse_time(const char *s, size_t len, bool local_if_no_zone, int64_t *ret_ns);

/* crioctl logs --since: an RFC 3339 time (zone optional: local) or a duration before now
 * ("42m", "1h30m", "10s", "500ms"). now_ns is the current time. */
int criolog_parse_since(const char *s, int64_t now_ns, int64_t *ret_ns);

/* One whole line out of the reader. text is not NUL-terminated; newline is false only for a
 * line cut at CRIOLOG_MAX_LINE or still partial at criolog_reader_flush(). time is the first
 * record's. */
typedef struct CriLogLine {
        CriLogStream stream;
        const char *time;
        size_t time_len;
        int64_t time_ns;
        const char *text;
        size_t len;
        bool newline;
} CriLogLine;

/* Called for each line; a negative return stops the feed and is returned by it. */
typedef int (*CriLogLineFn)(const CriLogLine *line, void *userdata);

typedef struct CriLogReader CriLogReader;

/* Returns NULL when out of memory. Free with criolog_reader_free (accepts NULL). */
CriLogReader *criolog_reader_new(void);
void criolog_reader_free(CriLogReader *r);
/* Feeds len bytes of the file (any split); calls fn for each completed line, in order. */
int criolog_reader_feed(CriLogReader *r, const char *data, size_t len, CriLogLineFn fn, void *userdata);
/* At the end of the log: hands out what is pending (partial lines, without a newline) and
 * drops an unterminated record (one still being written). */
int criolog_reader_flush(CriLogReader *r, CriLogLineFn fn, void *userdata);
/* Records that were malformed so far (skipped), and the last reason (owned by r, or NULL). */
size_t criolog_reader_malformed(const CriLogReader *r, const char **ret_last_reason);
