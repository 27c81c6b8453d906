/* The CRI container log file: see log.h. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/cleanup.h"

#define CTR_LOG_MODE 0640

struct CtrLog {
        char *path;
        int fd;
        uint64_t size_max; /* 0: no limit */
        uint64_t written;  /* bytes in the current file */
};

static const char *const stream_names[] = {
        [CTR_LOG_STDOUT] = "stdout",
        [CTR_LOG_STDERR] = "stderr",
};

size_t ctr_log_format_time(const struct timespec *ts, char buf[static CTR_LOG_TIME_MAX]) {
        struct tm tm;
        time_t sec = ts->tv_sec;
        if (!localtime_r(&sec, &tm))
                gmtime_r(&sec, &tm);
        long off = tm.tm_gmtoff;
        char sign = '+';
        if (off < 0) {
                sign = '-';
                off = -off;
        }
        int n = snprintf(buf, CTR_LOG_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld%c%02ld:%02ld",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                         (long) ts->tv_nsec, sign, off / 3600, (off % 3600) / 60);
        if (n < 0)
                n = 0;
        return (size_t) n < CTR_LOG_TIME_MAX ? (size_t) n : CTR_LOG_TIME_MAX - 1;
}

/* Writes all of iov, resuming after short writes. Returns 0 or a negative errno. */
static int writev_all(int fd, struct iovec *iov, int n) {
        while (n > 0) {
                ssize_t w = writev(fd, iov, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                size_t left = (size_t) w;
                while (n > 0 && left >= iov->iov_len) {
                        left -= iov->iov_len;
                        iov++;
                        n--;
                }
                if (n > 0) {
                        iov->iov_base = (char *) iov->iov_base + left;
                        iov->iov_len -= left;
                }
        }
        return 0;
}

static int open_append(const char *path, uint64_t *ret_size, CrioError *err) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, CTR_LOG_MODE);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "opening container log %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0) {
                int r = crio_error_set_errno(err, errno, "stat container log %s", path);
                close(fd);
                return r;
        }
        *ret_size = (uint64_t) st.st_size;
        return fd;
}

int ctr_log_open(const char *path, int64_t size_max, CtrLog **ret, CrioError *err) {
        _cleanup_(ctr_log_freep) CtrLog *log = calloc(1, sizeof *log);
        if (!log)
                return crio_error_set(err, ENOMEM, "opening container log %s: out of memory", path);
        log->fd = -1;
        log->path = strdup(path);
        if (!log->path)
                return crio_error_set(err, ENOMEM, "opening container log %s: out of memory", path);
        log->size_max = size_max > 0 ? (uint64_t) size_max : 0;
        int fd = open_append(path, &log->written, err);
        if (fd < 0)
                return fd;
        log->fd = fd;
        *ret = TAKE_PTR(log);
        return 0;
}

int ctr_log_reopen(CtrLog *log, CrioError *err) {
        uint64_t size = 0;
        int fd = open_append(log->path, &size, err);
        if (fd < 0)
                return fd;
        fsync(log->fd);
        close(log->fd);
        log->fd = fd;
        log->written = size;
        return 0;
}

/* Replaces the file with an empty one (the size limit was reached). */
static int rotate(CtrLog *log, CrioError *err) {
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp", log->path) < 0)
                return crio_error_set(err, ENOMEM, "truncating container log %s: out of memory", log->path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, CTR_LOG_MODE);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "truncating container log: creating %s", tmp);
        if (rename(tmp, log->path) < 0) {
                int r = crio_error_set_errno(err, errno, "truncating container log: renaming %s", tmp);
                unlink(tmp);
                close(fd);
                return r;
        }
        fsync(log->fd);
        close(log->fd);
        log->fd = fd;
        log->written = 0;
        return 0;
}

static int write_record(CtrLog *log, const char *time, size_t time_len, CtrLogStream stream, char tag,
                        const char *text, size_t len, CrioError *err) {
        char head[CTR_LOG_TIME_MAX + 16];
        int hl = snprintf(head, sizeof head, "%.*s %s %c ", (int) time_len, time, stream_names[stream], tag);
        if (hl < 0 || (size_t) hl >= sizeof head)
                return crio_error_set(err, EINVAL, "formatting a log record");
        uint64_t rec = (uint64_t) hl + len + 1;
        if (log->size_max > 0 && log->written > 0 && log->written + rec > log->size_max) {
                int r = rotate(log, err);
                if (r < 0)
                        return r;
        }
        struct iovec iov[3] = {
                { head, (size_t) hl },
                { (void *) text, len },
                { "\n", 1 },
        };
        int r = writev_all(log->fd, iov, 3);
        if (r < 0)
                return crio_error_set_errno(err, -r, "writing container log %s", log->path);
        log->written += rec;
        return 0;
}

/* Writes one line, cut into P pieces when a record of it would not fit the limit. */
static int write_line(CtrLog *log, const char *time, size_t time_len, CtrLogStream stream, char tag,
                      const char *text, size_t len, CrioError *err) {
        if (log->size_max > 0) {
                /* head is time + " stdout P " */
                uint64_t overhead = time_len + strlen(stream_names[stream]) + 4 + 1;
                uint64_t room = log->size_max > overhead ? log->size_max - overhead : 1;
                while (len > room) {
                        int r = write_record(log, time, time_len, stream, 'P', text, (size_t) room, err);
                        if (r < 0)
                                return r;
                        text += room;
                        len -= (size_t) room;
                }
        }
        return write_record(log, time, time_len, stream, tag, text, len, err);
}

int ctr_log_write(CtrLog *log, CtrLogStream stream, const char *buf, size_t len, CrioError *err) {
        if ((unsigned) stream >= ELEMENTSOF(stream_names))
                return crio_error_set(err, EINVAL, "unknown log stream %d", (int) stream);
        if (len == 0)
                return 0;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        char time[CTR_LOG_TIME_MAX];
        size_t tl = ctr_log_format_time(&ts, time);

        while (len > 0) {
                const char *nl = memchr(buf, '\n', len);
                size_t line = nl ? (size_t) (nl - buf) : len;
                int r = write_line(log, time, tl, stream, nl ? 'F' : 'P', buf, line, err);
                if (r < 0)
                        return r;
                size_t used = nl ? line + 1 : line;
                buf += used;
                len -= used;
        }
        return 0;
}

int ctr_log_sync(CtrLog *log, CrioError *err) {
        if (fsync(log->fd) < 0 && errno != EINVAL)
                return crio_error_set_errno(err, errno, "syncing container log %s", log->path);
        return 0;
}

uint64_t ctr_log_size(const CtrLog *log) {
        return log->written;
}

void ctr_log_free(CtrLog *log) {
        if (!log)
                return;
        if (log->fd >= 0)
                close(log->fd);
        free(log->path);
        free(log);
}
