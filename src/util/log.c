#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static _Atomic int current_level = LOG_LEVEL_INFO;
static bool to_journal;

static const char *const level_names[_LOG_LEVEL_MAX] = {
        [LOG_LEVEL_PANIC] = "panic", [LOG_LEVEL_FATAL] = "fatal", [LOG_LEVEL_ERROR] = "error",
        [LOG_LEVEL_WARN] = "warning", [LOG_LEVEL_INFO] = "info", [LOG_LEVEL_DEBUG] = "debug",
        [LOG_LEVEL_TRACE] = "trace",
};
/* syslog priorities for the journal prefix */
static const int level_prio[_LOG_LEVEL_MAX] = { 0, 2, 3, 4, 6, 7, 7 };

void log_set_level(LogLevel level) {
        atomic_store(&current_level, (int) level);
}

LogLevel log_get_level(void) {
        return (LogLevel) atomic_load(&current_level);
}

int log_level_from_string(const char *s, LogLevel *ret) {
        if (!s)
                return -EINVAL;
        for (int i = 0; i < _LOG_LEVEL_MAX; i++)
                if (strcasecmp(s, level_names[i]) == 0) {
                        *ret = (LogLevel) i;
                        return 0;
                }
        if (strcasecmp(s, "warn") == 0) {
                *ret = LOG_LEVEL_WARN;
                return 0;
        }
        return -EINVAL;
}

const char *log_level_to_string(LogLevel level) {
        if ((int) level < 0 || level >= _LOG_LEVEL_MAX)
                return "unknown";
        return level == LOG_LEVEL_WARN ? "warn" : level_names[level];
}

void log_open(void) {
        const char *e = getenv("JOURNAL_STREAM");
        struct stat st;
        unsigned long long dev, ino;
        to_journal = false;
        if (e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0)
                to_journal = (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

/* Appends s to buf quoted as logfmt does: backslash and quote escaped, controls as \n \t \xNN. */
static size_t quote(char *buf, size_t size, size_t pos, const char *s) {
        for (; *s && pos + 5 < size; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '"' || c == '\\') {
                        buf[pos++] = '\\';
                        buf[pos++] = (char) c;
                } else if (c == '\n') {
                        buf[pos++] = '\\';
                        buf[pos++] = 'n';
                } else if (c == '\t') {
                        buf[pos++] = '\\';
                        buf[pos++] = 't';
                } else if (c < 0x20 || c == 0x7f)
                        pos += (size_t) snprintf(buf + pos, size - pos, "\\x%02x", c);
                else
                        buf[pos++] = (char) c;
        }
        return pos;
}

void log_write(LogLevel level, const char *fmt, ...) {
        if ((int) level > atomic_load(&current_level) || (int) level < 0 || level >= _LOG_LEVEL_MAX)
                return;

        int saved = errno;
        char msg[4096], line[8192 + 128];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);

        size_t pos = 0;
        if (to_journal)
                pos += (size_t) snprintf(line, sizeof line, "<%d>", level_prio[level]);
        else {
                struct timespec ts;
                struct tm tm;
                clock_gettime(CLOCK_REALTIME, &ts);
                gmtime_r(&ts.tv_sec, &tm);
                pos += strftime(line, sizeof line, "time=\"%Y-%m-%dT%H:%M:%S", &tm);
                pos += (size_t) snprintf(line + pos, sizeof line - pos, ".%09ldZ\" ", ts.tv_nsec);
        }
        pos += (size_t) snprintf(line + pos, sizeof line - pos, "level=%s msg=\"", level_names[level]);
        pos = quote(line, sizeof line - 2, pos, msg);
        line[pos++] = '"';
        line[pos++] = '\n';
        /* one write per line, so concurrent threads do not interleave */
        ssize_t w = write(STDERR_FILENO, line, pos);
        (void) w;
        errno = saved;
}
