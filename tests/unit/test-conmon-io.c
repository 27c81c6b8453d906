/* conmon's I/O pieces without a container: the attach socket (packets, input, half-close,
 * several clients, long paths, a client that stops reading), the stdin queue (stdin once),
 * the console socket (an fd passed as a runtime passes the pty master; resize), the OOM
 * watch (cgroup lines, counters, a v2 watch on a plain memory.events file) and base64.
 * conmon links only src/util, so its sources are included here directly. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>

#include "test.h"
#include "test-tmp.h"
#include "util/strv.h"

#include "../../conmon/attach.c"
#include "../../conmon/base64.c"
#include "../../conmon/console.c"
#include "../../conmon/oom.c"
#include "../../conmon/stdin.c"

/* --- attach */

typedef struct Inputs {
        char data[256];
        size_t len;
        int ends;
} Inputs;

static void on_input(const char *buf, size_t len, void *userdata) {
        Inputs *in = userdata;
        ASSERT_TRUE(in->len + len < sizeof in->data);
        memcpy(in->data + in->len, buf, len);
        in->len += len;
}

static void on_input_end(void *userdata) {
        ((Inputs *) userdata)->ends++;
}

static const AttachHandlers handlers = { on_input, on_input_end };

/* One poll round (up to timeout_ms) of the server. */
static void serve(AttachServer *s, Inputs *in, int timeout_ms) {
        struct pollfd p[1 + ATTACH_CLIENTS_MAX];
        size_t n = attach_pollfds(s, p, true);
        ASSERT_TRUE(poll(p, n, timeout_ms) >= 0);
        attach_dispatch(s, p, n, &handlers, in);
}

static int connect_to(const char *path) {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(fd >= 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int dir = -1;
        if (strlen(path) < sizeof sa.sun_path)
                snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        else {
                const char *slash = strrchr(path, '/');
                char d[512];
                snprintf(d, sizeof d, "%.*s", (int) (slash - path), path);
                dir = open(d, O_PATH | O_CLOEXEC);
                ASSERT_TRUE(dir >= 0);
                snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", dir, slash + 1);
        }
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                test_fail(__FILE__, __LINE__, "connect %s: %s", path, strerror(errno));
        return fd;
}

/* Receives one packet into buf (NUL-terminated); returns its length, 0 at end-of-file. */
static ssize_t recv_packet(int fd, char *buf, size_t size) {
        struct pollfd p = { fd, POLLIN, 0 };
        ASSERT_EQ_INT(poll(&p, 1, 2000), 1);
        ssize_t n = recv(fd, buf, size - 1, 0);
        ASSERT_TRUE(n >= 0);
        buf[n] = '\0';
        return n;
}

TEST(attach_packets_input_and_clients) {
        const char *dir = test_tmp_dir();
        char path[256];
        snprintf(path, sizeof path, "%s/new-dir/attach", dir);
        AttachServer s = ATTACH_SERVER_INIT;
        CrioError err = {};
        ASSERT_OK(attach_listen(path, &s, &err));
        struct stat st;
        ASSERT_OK(stat(path, &st));
        ASSERT_TRUE(S_ISSOCK(st.st_mode));
        ASSERT_EQ_INT(st.st_mode & 0777, 0600);

        Inputs in = {};
        int a = connect_to(path), b = connect_to(path);
        serve(&s, &in, 2000);
        if (s.n_clients < 2)
                serve(&s, &in, 2000);
        ASSERT_EQ_INT(s.n_clients, 2);

        attach_broadcast(&s, ATTACH_STDOUT, "out", 3);
        attach_broadcast(&s, ATTACH_STDERR, "err", 3);
        char buf[64];
        for (int i = 0; i < 2; i++) {
                int fd = i ? b : a;
                ASSERT_EQ_INT(recv_packet(fd, buf, sizeof buf), 4);
                ASSERT_EQ_STR(buf, "\001out");
                ASSERT_EQ_INT(recv_packet(fd, buf, sizeof buf), 4);
                ASSERT_EQ_STR(buf, "\002err");
        }

        /* input, in order; a half-close ends a's input once, and a still gets output */
        ASSERT_EQ_INT(send(a, "hello ", 6, 0), 6);
        ASSERT_EQ_INT(send(a, "world", 5, 0), 5);
        ASSERT_OK(shutdown(a, SHUT_WR));
        for (int i = 0; i < 5 && in.ends == 0; i++)
                serve(&s, &in, 500);
        ASSERT_EQ_INT(in.len, 11);
        ASSERT_TRUE(memcmp(in.data, "hello world", 11) == 0);
        ASSERT_EQ_INT(in.ends, 1);
        attach_broadcast(&s, ATTACH_STDOUT, "more", 4);
        ASSERT_EQ_INT(recv_packet(a, buf, sizeof buf), 5);
        ASSERT_EQ_STR(buf, "\001more");

        /* b sends and closes at once: its input still arrives, then it is dropped */
        ASSERT_EQ_INT(send(b, "bye", 3, 0), 3);
        close(b);
        for (int i = 0; i < 5 && s.n_clients > 1; i++)
                serve(&s, &in, 500);
        ASSERT_EQ_INT(s.n_clients, 1);
        ASSERT_EQ_INT(in.len, 14);
        ASSERT_TRUE(memcmp(in.data + 11, "bye", 3) == 0);
        ASSERT_EQ_INT(in.ends, 2);

        /* closing the server ends the clients' streams and removes the socket */
        attach_close(&s);
        ASSERT_EQ_INT(recv_packet(a, buf, sizeof buf), 0);
        close(a);
        ASSERT_TRUE(stat(path, &st) < 0 && errno == ENOENT);
}

TEST(attach_long_path_stale_socket_and_non_socket) {
        const char *dir = test_tmp_dir();
        char path[512];
        int n = snprintf(path, sizeof path, "%s/", dir);
        memset(path + n, 'x', 150);
        path[n + 150] = '\0';
        ASSERT_OK(mkdir(path, 0700));
        strcat(path, "/attach");
        ASSERT_TRUE(strlen(path) > 108);
        AttachServer s = ATTACH_SERVER_INIT;
        CrioError err = {};
        ASSERT_OK(attach_listen(path, &s, &err));
        Inputs in = {};
        int a = connect_to(path);
        serve(&s, &in, 2000);
        ASSERT_EQ_INT(s.n_clients, 1);
        close(a);
        /* a socket left behind (a killed conmon) is replaced */
        close(s.fd);
        s.fd = -1;
        attach_close(&s);
        struct stat st;
        ASSERT_OK(stat(path, &st));
        AttachServer s2 = ATTACH_SERVER_INIT;
        ASSERT_OK(attach_listen(path, &s2, &err));
        a = connect_to(path);
        serve(&s2, &in, 2000);
        ASSERT_EQ_INT(s2.n_clients, 1);
        close(a);
        attach_close(&s2);
        /* a file that is not a socket is never removed */
        snprintf(path, sizeof path, "%s/plain", dir);
        test_tmp_write("plain", "keep me");
        ASSERT_EQ_INT(attach_listen(path, &s2, &err), -EEXIST);
        ASSERT_CONTAINS(err.msg, "is not a socket");
        crio_error_clear(&err);
        ASSERT_OK(stat(path, &st));
        ASSERT_TRUE(S_ISREG(st.st_mode));
}

TEST(attach_client_that_stops_reading_is_dropped) {
        const char *dir = test_tmp_dir();
        char path[256];
        snprintf(path, sizeof path, "%s/attach", dir);
        AttachServer s = ATTACH_SERVER_INIT;
        CrioError err = {};
        ASSERT_OK(attach_listen(path, &s, &err));
        Inputs in = {};
        int a = connect_to(path);
        serve(&s, &in, 2000);
        ASSERT_EQ_INT(s.n_clients, 1);
        /* far more than the send buffer, never read: the server must not block */
        static char chunk[8192];
        for (int i = 0; i < 4 * ATTACH_SNDBUF / (int) sizeof chunk; i++)
                attach_broadcast(&s, ATTACH_STDOUT, chunk, sizeof chunk);
        for (int i = 0; i < 5 && s.n_clients > 0; i++)
                serve(&s, &in, 500);
        ASSERT_EQ_INT(s.n_clients, 0);
        ASSERT_EQ_INT(in.ends, 1);
        close(a);
        attach_close(&s);
}

/* --- stdin */

static size_t drain(int fd, char *buf, size_t size) {
        size_t got = 0;
        ssize_t n;
        while (got < size && (n = read(fd, buf + got, size - got)) > 0)
                got += (size_t) n;
        return got;
}

TEST(stdin_queues_what_the_pipe_cannot_take_and_closes_after_it) {
        int p[2];
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        ASSERT_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
        ASSERT_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
        int cap = fcntl(p[1], F_GETPIPE_SZ);
        ASSERT_TRUE(cap > 0);
        CtrStdin in = { .fd = p[1], .once = true };
        size_t total = (size_t) cap + 5000;
        char *data = malloc(total), *back = malloc(total + 1);
        for (size_t i = 0; i < total; i++)
                data[i] = (char) ('a' + i % 26);
        ctr_stdin_write(&in, data, total);
        ASSERT_TRUE(ctr_stdin_blocked(&in));
        ASSERT_EQ_INT(in.pending_len, 5000);
        /* the first input end only marks it: queued bytes go first */
        ctr_stdin_input_end(&in);
        ASSERT_TRUE(in.fd >= 0);
        ctr_stdin_write(&in, "dropped", 7);
        size_t got = drain(p[0], back, total + 1);
        ctr_stdin_flush(&in);
        ASSERT_EQ_INT(in.fd, -1);
        got += drain(p[0], back + got, total + 1 - got);
        ASSERT_EQ_INT(got, total);
        ASSERT_TRUE(memcmp(back, data, total) == 0);
        /* and then end-of-file */
        ASSERT_OK(fcntl(p[0], F_SETFL, 0));
        ASSERT_EQ_INT(read(p[0], back, 1), 0);
        close(p[0]);
        free(data);
        free(back);
}

TEST(stdin_without_once_stays_open_and_a_gone_reader_stops_it) {
        int p[2];
        ASSERT_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
        CtrStdin in = { .fd = p[1] };
        ctr_stdin_write(&in, "x", 1);
        ctr_stdin_input_end(&in);
        ASSERT_TRUE(in.fd >= 0);
        close(p[0]);
        ctr_stdin_write(&in, "y", 1); /* EPIPE (SIGPIPE ignored as in conmon) */
        ASSERT_EQ_INT(in.fd, -1);
        ctr_stdin_write(&in, "z", 1);
        ctr_stdin_close(&in);
}

TEST(stdin_once_on_a_terminal_sends_eof) {
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                test_skip("no pty");
        ASSERT_OK(grantpt(master));
        ASSERT_OK(unlockpt(master));
        int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        ASSERT_TRUE(slave >= 0);
        struct termios t;
        ASSERT_OK(tcgetattr(slave, &t));
        t.c_lflag |= ICANON;
        t.c_lflag &= ~(tcflag_t) ECHO;
        ASSERT_OK(tcsetattr(slave, TCSANOW, &t));
        CtrStdin in = { .fd = fcntl(master, F_DUPFD_CLOEXEC, 3), .tty = true, .once = true };
        ctr_stdin_write(&in, "line\n", 5);
        ctr_stdin_input_end(&in);
        ASSERT_EQ_INT(in.fd, -1);
        char buf[16];
        ASSERT_EQ_INT(read(slave, buf, sizeof buf), 5);
        /* canonical mode: ^D on an empty line is a read of 0 bytes */
        ASSERT_EQ_INT(read(slave, buf, sizeof buf), 0);
        close(slave);
        close(master);
}

/* --- console socket */

static int connect_to_stream(const char *path) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(fd >= 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                test_fail(__FILE__, __LINE__, "connect %s: %s", path, strerror(errno));
        return fd;
}

/* What a runtime does: connects and sends fd with a name. */
static void send_fd(const char *path, int fd) {
        int c = connect_to_stream(path);
        char name[] = "/dev/pts/x";
        struct iovec iov = { name, sizeof name };
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control = {};
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                              .msg_controllen = sizeof control.buf };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof fd);
        ASSERT_TRUE(sendmsg(c, &msg, 0) > 0);
        close(c);
}

static int receive(ConsoleSocket *c, int *master, CrioError *err) {
        struct pollfd p = { c->fd, POLLIN, 0 };
        ASSERT_EQ_INT(poll(&p, 1, 2000), 1);
        return console_socket_receive(c, master, err);
}

TEST(console_socket_receives_the_pty_master_and_resizes_it) {
        const char *dir = test_tmp_dir();
        ConsoleSocket c = CONSOLE_SOCKET_INIT;
        CrioError err = {};
        ASSERT_OK(console_socket_open(dir, &c, &err));
        char want[256];
        snprintf(want, sizeof want, "%s/console.sock", dir);
        ASSERT_EQ_STR(c.path, want);
        ASSERT_TRUE(c.dir == NULL);
        int master = -1;
        ASSERT_EQ_INT(console_socket_receive(&c, &master, &err), -EAGAIN);
        int pt = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (pt < 0)
                test_skip("no pty");
        send_fd(c.path, pt);
        ASSERT_OK(receive(&c, &master, &err));
        ASSERT_TRUE(master >= 0 && master != pt);
        ASSERT_TRUE(isatty(master));
        ASSERT_TRUE(fcntl(master, F_GETFD) & FD_CLOEXEC);
        ASSERT_TRUE(fcntl(master, F_GETFL) & O_NONBLOCK);
        ASSERT_OK(console_resize(master, 30, 100, &err));
        struct winsize ws;
        ASSERT_OK(ioctl(pt, TIOCGWINSZ, &ws));
        ASSERT_EQ_INT(ws.ws_row, 30);
        ASSERT_EQ_INT(ws.ws_col, 100);
        ASSERT_EQ_INT(console_resize(master, 70000, 1, &err), -EINVAL);
        crio_error_clear(&err);
        console_socket_close(&c);
        ASSERT_TRUE(access(want, F_OK) < 0);
        close(master);
        close(pt);
}

TEST(console_socket_refuses_a_non_terminal_and_falls_back_to_tmp) {
        const char *dir = test_tmp_dir();
        char bundle[512];
        int n = snprintf(bundle, sizeof bundle, "%s/", dir);
        memset(bundle + n, 'b', 120);
        bundle[n + 120] = '\0';
        ASSERT_OK(mkdir(bundle, 0700));
        ConsoleSocket c = CONSOLE_SOCKET_INIT;
        CrioError err = {};
        ASSERT_OK(console_socket_open(bundle, &c, &err));
        ASSERT_TRUE(c.dir != NULL);
        ASSERT_TRUE(str_startswith(c.path, "/tmp/conmon-console-"));
        char *made = strdup(c.dir);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        send_fd(c.path, null);
        int master = -1;
        ASSERT_EQ_INT(receive(&c, &master, &err), -EIO);
        ASSERT_CONTAINS(err.msg, "not a terminal");
        crio_error_clear(&err);
        console_socket_close(&c);
        ASSERT_TRUE(access(made, F_OK) < 0);
        free(made);
        close(null);
}

/* --- OOM */

TEST(oom_cgroup_lines) {
        char *v1 = NULL, *v2 = NULL;
        ASSERT_OK(oom_cgroup_paths("12:pids:/a\n4:memory:/process_api/x/ctr\n0::/ctr\n", &v1, &v2));
        ASSERT_EQ_STR(v1, "/process_api/x/ctr");
        ASSERT_EQ_STR(v2, "/ctr");
        free(v1), free(v2);
        ASSERT_OK(oom_cgroup_paths("3:cpu,memory,blkio:/m\n", &v1, &v2));
        ASSERT_EQ_STR(v1, "/m");
        ASSERT_EQ_STR(v2, "");
        free(v1), free(v2);
        /* not a controller name match, malformed lines, no trailing newline */
        ASSERT_OK(oom_cgroup_paths("3:memoryx:/no\n5:memory\nbroken\n0::/unified", &v1, &v2));
        ASSERT_EQ_STR(v1, "");
        ASSERT_EQ_STR(v2, "/unified");
        free(v1), free(v2);
        ASSERT_OK(oom_cgroup_paths("", &v1, &v2));
        ASSERT_EQ_STR(v1, "");
        free(v1), free(v2);
}

TEST(oom_kill_counter) {
        uint64_t n = 0;
        ASSERT_OK(oom_kill_count("low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\noom_group_kill 0\n", &n));
        ASSERT_EQ_INT(n, 1);
        ASSERT_OK(oom_kill_count("oom_kill_disable 0\nunder_oom 0\noom_kill 17", &n));
        ASSERT_EQ_INT(n, 17);
        ASSERT_EQ_INT(oom_kill_count("oom_kill_disable 0\nunder_oom 0\n", &n), -EINVAL);
        ASSERT_EQ_INT(oom_kill_count("oom_kill x\n", &n), -EINVAL);
        ASSERT_EQ_INT(oom_kill_count("oom_kill 1x\n", &n), -EINVAL);
}

static void write_events(const char *dir, int oom, int kills) {
        char path[256], text[128];
        snprintf(path, sizeof path, "%s/memory.events", dir);
        int n = snprintf(text, sizeof text, "low 0\nhigh 0\nmax 0\noom %d\noom_kill %d\n", oom, kills);
        /* in place, as the kernel changes it (a rename would not be IN_MODIFY) */
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ_INT(write(fd, text, (size_t) n), n);
        close(fd);
}

static bool readable(int fd, int timeout_ms) {
        struct pollfd p = { fd, POLLIN, 0 };
        return poll(&p, 1, timeout_ms) == 1;
}

TEST(oom_v2_watch_on_memory_events) {
        const char *dir = test_tmp_dir();
        write_events(dir, 0, 2);
        OomWatch w = OOM_WATCH_INIT;
        CrioError err = {};
        ASSERT_OK(oom_watch_open_dir(OOM_V2, dir, &w, &err));
        ASSERT_EQ_INT(w.base, 2);
        ASSERT_TRUE(!readable(w.fd, 0));
        /* an OOM without a kill is not a kill */
        write_events(dir, 1, 2);
        ASSERT_TRUE(readable(w.fd, 2000));
        ASSERT_TRUE(!oom_watch_read(&w));
        write_events(dir, 2, 3);
        ASSERT_TRUE(readable(w.fd, 2000));
        ASSERT_TRUE(oom_watch_read(&w));
        ASSERT_TRUE(oom_watch_check(&w));
        oom_watch_close(&w);

        /* the final check reads the counter even when no event was read */
        ASSERT_OK(oom_watch_open_dir(OOM_V2, dir, &w, &err));
        ASSERT_TRUE(!oom_watch_check(&w));
        write_events(dir, 2, 4);
        ASSERT_TRUE(oom_watch_check(&w));
        oom_watch_close(&w);

        /* a file without the counter is refused */
        test_tmp_write("memory.events", "low 0\n");
        char d[256];
        snprintf(d, sizeof d, "%s", test_tmp_current);
        ASSERT_EQ_INT(oom_watch_open_dir(OOM_V2, d, &w, &err), -EINVAL);
        crio_error_clear(&err);
}

TEST(oom_watch_of_this_process) {
        /* whatever this machine has, opening the watch of a live process works, and a
         * process with no memory cgroup is simply not watched */
        OomWatch w = OOM_WATCH_INIT;
        CrioError err = {};
        int r = oom_watch_open(getpid(), &w, &err);
        if (r < 0) {
                /* v1 registration needs write access to cgroup.event_control */
                if (err.code == EACCES || err.code == EPERM || err.code == EROFS) {
                        crio_error_clear(&err);
                        test_skip("cannot register cgroup events here");
                }
                test_fail(__FILE__, __LINE__, "%s", err.msg);
        }
        if (w.kind != OOM_NONE) {
                ASSERT_TRUE(w.fd >= 0);
                ASSERT_TRUE(!oom_watch_check(&w));
        }
        oom_watch_close(&w);
        ASSERT_TRUE(oom_watch_open(-1, &w, &err) < 0);
        crio_error_clear(&err);
}

/* --- base64 */

TEST(base64_rfc4648_vectors) {
        const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
        const char *out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
        char buf[16];
        for (size_t i = 0; i < ELEMENTSOF(in); i++) {
                ASSERT_TRUE(base64_size(strlen(in[i])) <= sizeof buf);
                ASSERT_EQ_INT(base64_encode((const unsigned char *) in[i], strlen(in[i]), buf), strlen(out[i]));
                ASSERT_EQ_STR(buf, out[i]);
                ASSERT_EQ_INT(base64_size(strlen(in[i])), strlen(out[i]) + 1);
        }
        unsigned char bin[] = { 0x00, 0xff, 0xfe, 0x3e, 0x3f };
        base64_encode(bin, sizeof bin, buf);
        ASSERT_EQ_STR(buf, "AP/+Pj8=");
}

int main(void) {
        signal(SIGPIPE, SIG_IGN);
        return test_tmp_run("/tmp/crio-test-conmon-io-XXXXXX");
}
