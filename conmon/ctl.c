/* The control FIFO: see ctl.h. */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

/* One decimal integer (optional '-') at *p, at most 10 digits; advances *p. */
static int parse_int(const char **p, const char *end, int *ret) {
        const char *s = *p;
        bool neg = false;
        if (s < end && *s == '-') {
                neg = true;
                s++;
        }
        long long v = 0;
        int digits = 0;
        for (; s < end && *s >= '0' && *s <= '9'; s++) {
                if (++digits > 10)
                        return -EINVAL;
                v = v * 10 + (*s - '0');
        }
        if (digits == 0)
                return -EINVAL;
        if (neg)
                v = -v;
        if (v < INT_MIN || v > INT_MAX)
                return -EINVAL;
        *ret = (int) v;
        *p = s;
        return 0;
}

int ctl_parse_line(const char *line, size_t len, CtlMessage *ret) {
        const char *p = line, *end = line + len;
        int v[3];
        for (int i = 0; i < 3; i++) {
                if (i > 0) {
                        if (p >= end || *p != ' ')
                                return -EINVAL;
                        while (p < end && *p == ' ')
                                p++;
                }
                if (parse_int(&p, end, &v[i]) < 0)
                        return -EINVAL;
        }
        while (p < end && (*p == ' ' || *p == '\r'))
                p++;
        if (p != end || v[0] <= 0)
                return -EINVAL;
        *ret = (CtlMessage){ .type = v[0], .a = v[1], .b = v[2] };
        return 0;
}

int ctl_open(const char *path, CtlReader *ret, CrioError *err) {
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISFIFO(st.st_mode))
                unlink(path);
        if (mkfifo(path, 0600) < 0)
                return crio_error_set_errno(err, errno, "creating control FIFO %s", path);
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "opening control FIFO %s", path);
        int keep = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (keep < 0) {
                int r = crio_error_set_errno(err, errno, "opening control FIFO %s for writing", path);
                close(fd);
                return r;
        }
        *ret = (CtlReader){ .fd = fd, .keep_fd = keep };
        return 0;
}

void ctl_feed(CtlReader *r, const char *data, size_t len, ctl_handler handler, void *userdata) {
        for (size_t i = 0; i < len; i++) {
                char c = data[i];
                if (c != '\n') {
                        if (r->skipping)
                                continue;
                        if (r->len == sizeof r->buf) {
                                log_debug("control line longer than %d bytes: skipped", CTL_LINE_MAX);
                                r->skipping = true;
                                r->len = 0;
                                continue;
                        }
                        r->buf[r->len++] = c;
                        continue;
                }
                if (!r->skipping) {
                        CtlMessage m;
                        if (ctl_parse_line(r->buf, r->len, &m) == 0)
                                handler(&m, userdata);
                        else
                                log_debug("malformed control line \"%.*s\": skipped", (int) r->len, r->buf);
                }
                r->skipping = false;
                r->len = 0;
        }
}

int ctl_read(CtlReader *r, ctl_handler handler, void *userdata, CrioError *err) {
        for (;;) {
                char buf[512];
                ssize_t n = read(r->fd, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return crio_error_set_errno(err, errno, "reading the control FIFO");
                }
                if (n == 0)
                        return 0;
                ctl_feed(r, buf, (size_t) n, handler, userdata);
        }
}

void ctl_close(CtlReader *r) {
        if (r->fd >= 0)
                close(r->fd);
        if (r->keep_fd >= 0)
                close(r->keep_fd);
        r->fd = r->keep_fd = -1;
}
