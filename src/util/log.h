/* Leveled logging to stderr, one line per message, journald-friendly.
 *
 * Lines look like CRI-O's:  time="2026-11-28T09:00:00.123456789Z" level=info msg="..."
 * When stderr is connected to the journal (JOURNAL_STREAM names it), each line starts
 * with a "<N>" syslog priority prefix instead, so journald records the right level.
 *
 * Library code (layers 1-4) logs at debug/trace only; it returns errors instead. */
#pragma once

#include <stdbool.h>

typedef enum LogLevel {
        LOG_LEVEL_PANIC,
        LOG_LEVEL_FATAL,
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARN,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
        LOG_LEVEL_TRACE,
        _LOG_LEVEL_MAX,
} LogLevel;

void log_set_level(LogLevel level);
LogLevel log_get_level(void);
/* Parses "trace", "debug", "info", "warn"/"warning", "error", "fatal", "panic". Returns -EINVAL if unknown. */
int log_level_from_string(const char *s, LogLevel *ret);
const char *log_level_to_string(LogLevel level);
/* Re-checks whether stderr is the journal (call once at start-up). */
void log_open(void);

void log_write(LogLevel level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_trace(...) log_write(LOG_LEVEL_TRACE, __VA_ARGS__)
#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
