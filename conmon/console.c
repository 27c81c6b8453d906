/* The terminal: see console.h. */
#include "console.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"

#define CONSOLE_NAME "console.sock"
#define CONSOLE_RECV_TIMEOUT_S 10 /* the runtime sends right after connecting */
#define CONSOLE_NAME_MAX 256      /* the runtime sends the pty's name along: ignored */

int console_socket_open(const char *bundle, ConsoleSocket *ret, CrioError *err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *path = NULL, *dir = NULL;
        if (asprintf(&path, "%s/" CONSOLE_NAME, bundle) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (strlen(path) >= sizeof sa.sun_path) {
                dir = strdup("/tmp/conmon-console-XXXXXX");
                if (!dir)
                        return crio_error_set(err, ENOMEM, "out of memory");
                if (!mkdtemp(dir))
                        return crio_error_set_errno(err, errno, "creating a directory for the console socket");
                free(path);
                if (asprintf(&path, "%s/" CONSOLE_NAME, dir) < 0) {
                        rmdir(dir);
                        return crio_error_set(err, ENOMEM, "out of memory");
                }
        }
        memcpy(sa.sun_path, path, strlen(path) + 1);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int r = 0;
        if (fd < 0)
                r = crio_error_set_errno(err, errno, "creating the console socket");
        struct stat st;
        if (r >= 0 && lstat(path, &st) == 0) {
                /* a socket left by an earlier conmon goes; anything else stays */
                if (!S_ISSOCK(st.st_mode))
                        r = crio_error_set(err, EEXIST, "%s exists and is not a socket", path);
                else if (unlink(path) < 0)
                        r = crio_error_set_errno(err, errno, "removing a stale %s", path);
        }
        bool bound = false;
        if (r >= 0 && bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                r = crio_error_set_errno(err, errno, "binding the console socket %s", path);
        else if (r >= 0)
                bound = true;
        if (r >= 0 && chmod(path, 0600) < 0)
                r = crio_error_set_errno(err, errno, "chmod %s", path);
        if (r >= 0 && listen(fd, 1) < 0)
                r = crio_error_set_errno(err, errno, "listening on the console socket %s", path);
        if (r < 0) {
                if (bound)
                        unlink(path);
                if (dir)
                        rmdir(dir);
                return r;
        }
        *ret = (ConsoleSocket){ .fd = TAKE_FD(fd), .path = TAKE_PTR(path), .dir = TAKE_PTR(dir) };
        return 0;
}

int console_socket_receive(ConsoleSocket *s, int *ret_master, CrioError *err) {
        _cleanup_close_ int conn = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return -EAGAIN;
                return crio_error_set_errno(err, errno, "accepting on the console socket");
        }
        struct timeval tv = { .tv_sec = CONSOLE_RECV_TIMEOUT_S };
        (void) setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char name[CONSOLE_NAME_MAX];
        struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control = {};
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                              .msg_controllen = sizeof control.buf };
        ssize_t n;
        do
                n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return crio_error_set_errno(err, errno, "receiving the terminal from the runtime");
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
                return crio_error_set(err, EIO, "the runtime sent no terminal on the console socket%s",
                                      msg.msg_flags & MSG_CTRUNC ? " (more than one fd)" : "");
        int master;
        memcpy(&master, CMSG_DATA(c), sizeof master);
        if (!isatty(master)) {
                close(master);
                return crio_error_set(err, EIO, "the runtime sent an fd that is not a terminal");
        }
        int fl = fcntl(master, F_GETFL);
        if (fl < 0 || fcntl(master, F_SETFL, fl | O_NONBLOCK) < 0) {
                int r = crio_error_set_errno(err, errno, "making the terminal non-blocking");
                close(master);
                return r;
        }
        *ret_master = master;
        return 0;
}

void console_socket_close(ConsoleSocket *s) {
        if (s->fd >= 0)
                close(s->fd);
        s->fd = -1;
        if (s->path)
                unlink(s->path);
        if (s->dir)
                rmdir(s->dir);
        free(s->path);
        free(s->dir);
        s->path = s->dir = NULL;
}

int console_resize(int master, int rows, int cols, CrioError *err) {
        if (rows < 0 || cols < 0 || rows > 0xffff || cols > 0xffff)
                return crio_error_set(err, EINVAL, "invalid terminal size %dx%d", rows, cols);
        struct winsize ws = { .ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols };
        if (ioctl(master, TIOCSWINSZ, &ws) < 0)
                return crio_error_set_errno(err, errno, "resizing the terminal to %dx%d", rows, cols);
        return 0;
}
