/* The attach socket: see attach.h. */
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/log.h"

#define ATTACH_BACKLOG 16

/* The directory of path (its last component created if missing) and the name in it. */
static int open_parent(const char *path, int *ret_fd, char **ret_name, CrioError *err) {
        _cleanup_free_ char *d = strdup(path), *b = strdup(path);
        if (!d || !b)
                return crio_error_set(err, ENOMEM, "out of memory");
        const char *dir = dirname(d), *base = basename(b);
        if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(base, "/") == 0)
                return crio_error_set(err, EINVAL, "invalid attach socket path %s", path);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return crio_error_set_errno(err, errno, "creating %s", dir);
        int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "opening %s", dir);
        char *name = strdup(base);
        if (!name) {
                close(fd);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret_fd = fd;
        *ret_name = name;
        return 0;
}

int attach_listen(const char *path, AttachServer *ret, CrioError *err) {
        AttachServer s = ATTACH_SERVER_INIT;
        int r = open_parent(path, &s.dir_fd, &s.name, err);
        if (r < 0)
                return r;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int n = strlen(path) < sizeof sa.sun_path
                        ? snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path)
                        : snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", s.dir_fd, s.name);
        struct stat st;
        if (n < 0 || (size_t) n >= sizeof sa.sun_path)
                r = crio_error_set(err, ENAMETOOLONG, "attach socket name %s is too long", s.name);
        else if (fstatat(s.dir_fd, s.name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                /* a socket left by an earlier conmon goes; anything else stays */
                if (!S_ISSOCK(st.st_mode))
                        r = crio_error_set(err, EEXIST, "%s exists and is not a socket", path);
                else if (unlinkat(s.dir_fd, s.name, 0) < 0)
                        r = crio_error_set_errno(err, errno, "removing the stale socket %s", path);
        }
        if (r >= 0 && (s.fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
                r = crio_error_set_errno(err, errno, "creating the attach socket");
        if (r >= 0 && bind(s.fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                r = crio_error_set_errno(err, errno, "binding the attach socket %s", path);
        else if (r >= 0 && fchmodat(s.dir_fd, s.name, 0600, 0) < 0)
                r = crio_error_set_errno(err, errno, "chmod %s", path);
        else if (r >= 0 && listen(s.fd, ATTACH_BACKLOG) < 0)
                r = crio_error_set_errno(err, errno, "listening on the attach socket %s", path);
        if (r < 0) {
                if (s.fd >= 0)
                        unlinkat(s.dir_fd, s.name, 0);
                attach_close(&s);
                return r;
        }
        *ret = s;
        return 0;
}

void attach_close(AttachServer *s) {
        for (size_t i = 0; i < s->n_clients; i++)
                if (s->clients[i].fd >= 0)
                        close(s->clients[i].fd);
        s->n_clients = 0;
        if (s->fd >= 0) {
                close(s->fd);
                unlinkat(s->dir_fd, s->name, 0);
        }
        if (s->dir_fd >= 0)
                close(s->dir_fd);
        free(s->name);
        *s = (AttachServer) ATTACH_SERVER_INIT;
}

/* Drops the clients marked gone (fd -1), keeping the order. */
static void compact(AttachServer *s) {
        size_t j = 0;
        for (size_t i = 0; i < s->n_clients; i++)
                if (s->clients[i].fd >= 0)
                        s->clients[j++] = s->clients[i];
        s->n_clients = j;
}

static void drop(AttachClient *c, const AttachHandlers *h, void *userdata, const char *why) {
        log_debug("attach client %d gone: %s", c->fd, why);
        close(c->fd);
        c->fd = -1;
        if (c->input_open)
                h->input_end(userdata);
        c->input_open = false;
}

void attach_broadcast(AttachServer *s, AttachStream stream, const char *buf, size_t len) {
        unsigned char tag = (unsigned char) stream;
        for (size_t i = 0; i < s->n_clients; i++) {
                AttachClient *c = &s->clients[i];
                struct iovec iov[2] = { { &tag, 1 }, { (void *) buf, len } };
                struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
                ssize_t n;
                do
                        n = sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
                while (n < 0 && errno == EINTR);
                if (n >= 0)
                        continue;
                /* input_end comes from the next dispatch: the client is still polled */
                if (errno == EAGAIN || errno == ENOBUFS) {
                        log_debug("attach client %d does not keep up: disconnected", c->fd);
                        shutdown(c->fd, SHUT_RDWR);
                } else if (errno != EPIPE && errno != ECONNRESET)
                        log_debug("sending to attach client %d: %m", c->fd);
        }
}

static void accept_clients(AttachServer *s) {
        for (;;) {
                int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (fd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno != EAGAIN)
                                log_debug("accepting an attach client: %m");
                        return;
                }
                if (s->n_clients == ATTACH_CLIENTS_MAX) {
                        log_debug("attach client refused: %d clients already", ATTACH_CLIENTS_MAX);
                        close(fd);
                        continue;
                }
                int size = ATTACH_SNDBUF;
                if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) < 0)
                        log_debug("attach client: SO_SNDBUF: %m");
                s->clients[s->n_clients++] = (AttachClient){ .fd = fd, .input_open = true };
                log_debug("attach client %d connected", fd);
        }
}

size_t attach_pollfds(const AttachServer *s, struct pollfd *p, bool want_input) {
        if (s->fd < 0)
                return 0;
        p[0] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
        for (size_t i = 0; i < s->n_clients; i++) {
                const AttachClient *c = &s->clients[i];
                /* with no events, POLLHUP and POLLERR still say when it goes */
                p[1 + i] = (struct pollfd){ .fd = c->fd, .events = c->input_open && want_input ? POLLIN : 0 };
        }
        return 1 + s->n_clients;
}

static AttachClient *find(AttachServer *s, int fd) {
        for (size_t i = 0; i < s->n_clients; i++)
                if (s->clients[i].fd == fd)
                        return &s->clients[i];
        return NULL;
}

/* Reads one packet of a client's input: 1 when there was one, 0 at its end, -1 when there
 * is nothing now (or the client failed: it goes at the next round). */
static int read_client(AttachClient *c, const AttachHandlers *h, void *userdata) {
        char buf[ATTACH_INPUT_MAX];
        ssize_t n;
        bool reset = false;
        for (;;) {
                n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                /* a client that closed with output unread reports ECONNRESET once; what it
                 * sent before is still queued behind that */
                if (n < 0 && errno == ECONNRESET && !reset) {
                        reset = true;
                        continue;
                }
                break;
        }
        if (n < 0) {
                if (errno != EAGAIN)
                        shutdown(c->fd, SHUT_RDWR);
                return -1;
        }
        if (n == 0) {
                log_debug("attach client %d ended its input", c->fd);
                c->input_open = false;
                h->input_end(userdata);
                return 0;
        }
        h->input(buf, (size_t) n, userdata);
        return 1;
}

void attach_dispatch(AttachServer *s, const struct pollfd *p, size_t n, const AttachHandlers *h, void *userdata) {
        if (n == 0)
                return;
        for (size_t i = 1; i < n; i++) {
                if (!p[i].revents)
                        continue;
                AttachClient *c = find(s, p[i].fd);
                if (!c)
                        continue;
                if (p[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
                        /* what it sent before it went still counts (the input handler
                         * queues it if stdin is full) */
                        while (c->input_open && !(p[i].revents & POLLNVAL) && read_client(c, h, userdata) > 0)
                                ;
                        drop(c, h, userdata, p[i].revents & POLLHUP ? "hung up" : "socket error");
                } else if ((p[i].revents & POLLIN) && c->input_open)
                        read_client(c, h, userdata);
        }
        compact(s);
        if (p[0].revents & POLLIN)
                accept_clients(s);
}
