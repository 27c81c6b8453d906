/* The container's stdin: see stdin.h. */
#include "stdin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/log.h"

static void drop_pending(CtrStdin *in) {
        free(in->pending);
        in->pending = NULL;
        in->pending_len = 0;
}

void ctr_stdin_close(CtrStdin *in) {
        drop_pending(in);
        if (in->fd >= 0)
                close(in->fd);
        in->fd = -1;
}

/* Writes what it can; returns the bytes written, or -1 when stdin is gone. */
static ssize_t write_some(CtrStdin *in, const char *buf, size_t len) {
        size_t done = 0;
        while (done < len) {
                ssize_t n = write(in->fd, buf + done, len - done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                break;
                        log_debug("writing the container's stdin: %m: input dropped from now on");
                        ctr_stdin_close(in);
                        return -1;
                }
                done += (size_t) n;
        }
        return (ssize_t) done;
}

void ctr_stdin_write(CtrStdin *in, const char *buf, size_t len) {
        if (in->fd < 0 || in->closing || len == 0)
                return;
        if (!in->pending) {
                ssize_t n = write_some(in, buf, len);
                if (n < 0)
                        return;
                buf += n;
                len -= (size_t) n;
                if (len == 0)
                        return;
        }
        char *p = realloc(in->pending, in->pending_len + len);
        if (!p) {
                log_error("out of memory queuing %zu bytes for the container's stdin: dropped", len);
                return;
        }
        memcpy(p + in->pending_len, buf, len);
        in->pending = p;
        in->pending_len += len;
}

/* With closing set and nothing queued: end-of-file for the container. */
static void finish(CtrStdin *in) {
        if (!in->closing || in->pending || in->fd < 0)
                return;
        if (in->tty) {
                struct termios t;
                char eof = 4;
                if (tcgetattr(in->fd, &t) == 0 && t.c_cc[VEOF] != _POSIX_VDISABLE)
                        eof = (char) t.c_cc[VEOF];
                if (write(in->fd, &eof, 1) < 0)
                        log_debug("writing EOF to the terminal: %m");
        }
        log_debug("closed the container's stdin");
        ctr_stdin_close(in);
}

void ctr_stdin_flush(CtrStdin *in) {
        if (in->fd < 0 || !in->pending)
                return;
        ssize_t n = write_some(in, in->pending, in->pending_len);
        if (n <= 0)
                return;
        if ((size_t) n < in->pending_len) {
                memmove(in->pending, in->pending + n, in->pending_len - (size_t) n);
                in->pending_len -= (size_t) n;
                return;
        }
        drop_pending(in);
        finish(in);
}

bool ctr_stdin_blocked(const CtrStdin *in) {
        return in->fd >= 0 && in->pending != NULL;
}

void ctr_stdin_input_end(CtrStdin *in) {
        if (!in->once || in->fd < 0 || in->closing)
                return;
        log_debug("attach input ended: closing the container's stdin (stdin once)");
        in->closing = true;
        finish(in);
}
