/* The monitor: see monitor.h.
 *
 * One thread, one poll loop over: the container's stdout and stderr pipes (read ends) or its
 * terminal, the control FIFO, a signalfd for SIGCHLD, the console socket (during create),
 * the attach socket and its clients, the container's stdin (while input waits for it) and
 * the OOM watch. conmon is the child subreaper, so the container's init (left behind by
 * `<runtime> create`) becomes its child and is waited for directly. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "console.h"
#include "ctl.h"
#include "log.h"
#include "oom.h"
#include "runtime.h"
#include "stdin.h"
#include "sync.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

#define READ_CHUNK 8192
#define EARLY_MAX 32              /* children reaped before the container's pid is known */
#define CAPTURE_MAX (2 * SYNC_MESSAGE_MAX)
#define CONTAINER_PID_FILE_MAX 64

typedef struct Monitor {
        const ConmonOptions *o;
        CtrLog *log;
        CtlReader ctl;
        int out_fd, err_fd; /* read ends; -1 after end-of-file */
        int master_fd;      /* the terminal; -1 without one (or after it hung up) */
        int sig_fd;
        ConsoleSocket console;
        CrioError console_err; /* why the terminal did not come */
        AttachServer attach;
        CtrStdin in;
        OomWatch oom;
        bool oom_written;
        pid_t runtime_pid;
        int runtime_status;
        bool runtime_done;
        pid_t container_pid;
        int container_status;
        bool container_done;
        struct {
                pid_t pid;
                int status;
        } early[EARLY_MAX];
        size_t n_early;
        char capture[CAPTURE_MAX]; /* the runtime's stderr during create */
        size_t capture_len;
} Monitor;

#define MONITOR_INIT(opts)                                                                          \
        {                                                                                           \
                .o = (opts), .ctl = CTL_READER_INIT, .out_fd = -1, .err_fd = -1, .master_fd = -1,  \
                .sig_fd = -1, .console = CONSOLE_SOCKET_INIT, .attach = ATTACH_SERVER_INIT,         \
                .in = CTR_STDIN_INIT, .oom = OOM_WATCH_INIT,                                        \
        }

static void monitor_close(Monitor *m) {
        ctr_log_free(m->log);
        m->log = NULL;
        ctl_close(&m->ctl);
        console_socket_close(&m->console);
        crio_error_clear(&m->console_err);
        attach_close(&m->attach);
        ctr_stdin_close(&m->in);
        oom_watch_close(&m->oom);
        closep(&m->out_fd), m->out_fd = -1;
        closep(&m->err_fd), m->err_fd = -1;
        closep(&m->master_fd), m->master_fd = -1;
        closep(&m->sig_fd), m->sig_fd = -1;
}

/* Exit code as conmon records it: the status, or 128 + the signal. */
static int exit_code_of(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

static void reap(Monitor *m) {
        for (;;) {
                int status;
                pid_t pid = waitpid(-1, &status, WNOHANG);
                if (pid <= 0)
                        return;
                if (pid == m->runtime_pid && !m->runtime_done) {
                        m->runtime_done = true;
                        m->runtime_status = status;
                } else if (m->container_pid > 0 && pid == m->container_pid) {
                        m->container_done = true;
                        m->container_status = status;
                        log_debug("container process %d exited: %d", pid, exit_code_of(status));
                } else if (m->container_pid == 0 && m->n_early < EARLY_MAX) {
                        m->early[m->n_early].pid = pid;
                        m->early[m->n_early].status = status;
                        m->n_early++;
                }
        }
}

static void read_signals(Monitor *m) {
        struct signalfd_siginfo si[8];
        while (read(m->sig_fd, si, sizeof si) > 0)
                ;
        reap(m);
}

static void on_output(Monitor *m, CtrLogStream stream, const char *buf, size_t len) {
        if (!m->runtime_done || m->container_pid == 0) {
                /* still in create: what the runtime says on stderr may be its error */
                if (stream == CTR_LOG_STDERR && m->capture_len < CAPTURE_MAX) {
                        size_t n = len < CAPTURE_MAX - m->capture_len ? len : CAPTURE_MAX - m->capture_len;
                        memcpy(m->capture + m->capture_len, buf, n);
                        m->capture_len += n;
                        buf += n;
                        len -= n;
                }
                if (len == 0)
                        return;
        }
        _cleanup_(crio_error_clear) CrioError e = {};
        if (ctr_log_write(m->log, stream, buf, len, &e) < 0)
                log_error("%s", e.msg);
        attach_broadcast(&m->attach, stream == CTR_LOG_STDOUT ? ATTACH_STDOUT : ATTACH_STDERR, buf, len);
}

/* Reads what a pipe or the terminal has (everything up to EAGAIN); closes it at its end
 * (end-of-file; EIO for a terminal whose other side is closed everywhere). */
static void read_output(Monitor *m, int *fd, CtrLogStream stream) {
        char buf[READ_CHUNK];
        while (*fd >= 0) {
                ssize_t n = read(*fd, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return;
                        if (!(errno == EIO && fd == &m->master_fd))
                                log_error("reading the container's %s: %m",
                                          fd == &m->master_fd ? "terminal" : stream == CTR_LOG_STDOUT ? "stdout" : "stderr");
                        closep(fd), *fd = -1;
                        return;
                }
                if (n == 0) {
                        closep(fd), *fd = -1;
                        return;
                }
                on_output(m, stream, buf, (size_t) n);
        }
}

static void write_oom_file(Monitor *m) {
        if (m->oom_written)
                return;
        m->oom_written = true;
        _cleanup_free_ char *path = NULL;
        _cleanup_(crio_error_clear) CrioError e = {};
        if (asprintf(&path, "%s/oom", m->o->bundle) < 0 || write_file_atomic(path, "", 0, 0644, &e) < 0)
                log_error("writing the OOM file: %s", e.msg ? e.msg : "out of memory");
        else
                log_debug("container %s was OOM-killed: %s written", m->o->cid, path);
}

static void on_ctl(const CtlMessage *c, void *userdata) {
        Monitor *m = userdata;
        _cleanup_(crio_error_clear) CrioError e = {};
        switch (c->type) {
        case CTL_REOPEN_LOG:
                if (ctr_log_reopen(m->log, &e) < 0)
                        log_error("%s", e.msg);
                else
                        log_debug("reopened the container log");
                break;
        case CTL_RESIZE:
                if (m->master_fd < 0)
                        log_debug("resize %dx%d ignored: no terminal", c->a, c->b);
                else if (console_resize(m->master_fd, c->a, c->b, &e) < 0)
                        log_debug("%s", e.msg);
                break;
        default:
                log_debug("unknown control message type %d ignored", c->type);
        }
}

static void on_attach_input(const char *buf, size_t len, void *userdata) {
        Monitor *m = userdata;
        ctr_stdin_write(&m->in, buf, len);
}

static void on_attach_input_end(void *userdata) {
        Monitor *m = userdata;
        ctr_stdin_input_end(&m->in);
}

static const AttachHandlers attach_handlers = {
        .input = on_attach_input,
        .input_end = on_attach_input_end,
};

static void on_console(Monitor *m) {
        int r = console_socket_receive(&m->console, &m->master_fd, &m->console_err);
        if (r == -EAGAIN)
                return;
        if (r >= 0)
                log_debug("received the terminal from the runtime");
        /* one connection only */
        console_socket_close(&m->console);
}

enum { P_SIG, P_OUT, P_ERR, P_MASTER, P_STDIN, P_CTL, P_CONSOLE, P_OOM, P_ATTACH };

/* One round of the loop: waits and dispatches. */
static int poll_once(Monitor *m, CrioError *err) {
        struct pollfd p[P_ATTACH + 1 + ATTACH_CLIENTS_MAX] = {
                [P_SIG] = { .fd = m->sig_fd, .events = POLLIN },
                [P_OUT] = { .fd = m->out_fd, .events = POLLIN },
                [P_ERR] = { .fd = m->err_fd, .events = POLLIN },
                [P_MASTER] = { .fd = m->master_fd, .events = POLLIN },
                [P_STDIN] = { .fd = ctr_stdin_blocked(&m->in) ? m->in.fd : -1, .events = POLLOUT },
                [P_CTL] = { .fd = m->ctl.fd, .events = POLLIN },
                [P_CONSOLE] = { .fd = m->console.fd, .events = POLLIN },
                [P_OOM] = { .fd = m->oom.fd, .events = POLLIN },
        };
        size_t n_attach = attach_pollfds(&m->attach, p + P_ATTACH, !ctr_stdin_blocked(&m->in));
        if (poll(p, P_ATTACH + n_attach, -1) < 0) {
                if (errno == EINTR)
                        return 0;
                return crio_error_set_errno(err, errno, "poll");
        }
        if (p[P_OUT].revents)
                read_output(m, &m->out_fd, CTR_LOG_STDOUT);
        if (p[P_ERR].revents)
                read_output(m, &m->err_fd, CTR_LOG_STDERR);
        if (p[P_MASTER].revents)
                read_output(m, &m->master_fd, CTR_LOG_STDOUT);
        if (p[P_STDIN].revents)
                ctr_stdin_flush(&m->in);
        if (p[P_CTL].revents) {
                _cleanup_(crio_error_clear) CrioError e = {};
                if (ctl_read(&m->ctl, on_ctl, m, &e) < 0)
                        log_error("%s", e.msg);
        }
        if (p[P_CONSOLE].revents)
                on_console(m);
        if (p[P_OOM].revents && oom_watch_read(&m->oom))
                write_oom_file(m);
        attach_dispatch(&m->attach, p + P_ATTACH, n_attach, &attach_handlers, m);
        if (p[P_SIG].revents)
                read_signals(m);
        return 0;
}

static int read_container_pid(const char *path, pid_t *ret, CrioError *err) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = read_file(path, CONTAINER_PID_FILE_MAX, &buf, &len, err);
        if (r < 0)
                return r;
        char *end = NULL;
        errno = 0;
        long v = strtol(buf, &end, 10);
        while (end && (*end == '\n' || *end == ' '))
                end++;
        if (errno != 0 || end == buf || *end != '\0' || v <= 0 || v > 4194304)
                return crio_error_set(err, EINVAL, "container pid file %s does not hold a pid", path);
        *ret = (pid_t) v;
        return 0;
}

static int make_pipe(int *ret_r, int *ret_w, const char *what, CrioError *err) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return crio_error_set_errno(err, errno, "creating the %s pipe", what);
        *ret_r = p[0];
        *ret_w = p[1];
        return 0;
}

/* Everything the runtime's create needs; the ends the runtime gets are returned. */
static int setup(Monitor *m, int *in_r, int *out_w, int *err_w, CrioError *err) {
        const ConmonOptions *o = m->o;
        int r = ctr_log_open(o->log_path, o->log_size_max, &m->log, err);
        if (r < 0)
                return r;
        r = ctl_open(o->ctl_path, &m->ctl, err);
        if (r < 0)
                return r;
        if (o->attach_socket && (r = attach_listen(o->attach_socket, &m->attach, err)) < 0)
                return r;
        if (o->terminal && (r = console_socket_open(o->bundle, &m->console, err)) < 0)
                return r;
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0)
                return crio_error_set_errno(err, errno, "blocking SIGCHLD");
        m->sig_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
        if (m->sig_fd < 0)
                return crio_error_set_errno(err, errno, "signalfd");
        if ((r = make_pipe(&m->out_fd, out_w, "stdout", err)) < 0 || (r = make_pipe(&m->err_fd, err_w, "stderr", err)) < 0)
                return r;
        if (fcntl(m->out_fd, F_SETFL, O_NONBLOCK) < 0 || fcntl(m->err_fd, F_SETFL, O_NONBLOCK) < 0)
                return crio_error_set_errno(err, errno, "making the pipes non-blocking");
        if (o->stdin_open && !o->terminal) {
                if ((r = make_pipe(in_r, &m->in.fd, "stdin", err)) < 0)
                        return r;
                if (fcntl(m->in.fd, F_SETFL, O_NONBLOCK) < 0)
                        return crio_error_set_errno(err, errno, "making the stdin pipe non-blocking");
                m->in.once = o->stdin_once;
        }
        return 0;
}

/* The runtime's stderr, or how it ended, as the error of create. */
static int create_failed(Monitor *m, CrioError *err) {
        int st = m->runtime_status;
        const char *how = WIFSIGNALED(st) ? "was killed by signal" : "exited with status";
        int code = WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st);
        size_t n = m->capture_len;
        while (n > 0 && strchr(" \t\r\n", m->capture[n - 1]))
                n--;
        if (n > 0)
                return crio_error_set(err, EIO, "%.*s", (int) n, m->capture);
        return crio_error_set(err, EIO, "%s create %s %d", m->o->runtime, how, code);
}

/* After create: the terminal must have come. */
static int take_terminal(Monitor *m, CrioError *err) {
        if (m->master_fd < 0 && m->console.fd >= 0) {
                int r = console_socket_receive(&m->console, &m->master_fd, err);
                if (r == -EAGAIN)
                        r = crio_error_set(err, EIO, "%s create did not send the terminal to the console socket", m->o->runtime);
                if (r < 0)
                        return r;
        }
        console_socket_close(&m->console);
        if (m->master_fd < 0) {
                if (m->console_err.msg)
                        return crio_error_set(err, m->console_err.code, "%s", m->console_err.msg);
                return crio_error_set(err, EIO, "no terminal from %s create", m->o->runtime);
        }
        if (m->o->stdin_open) {
                m->in.fd = fcntl(m->master_fd, F_DUPFD_CLOEXEC, 3);
                if (m->in.fd < 0)
                        return crio_error_set_errno(err, errno, "duplicating the terminal");
                m->in.tty = true;
                m->in.once = m->o->stdin_once;
        }
        return 0;
}

/* Runs create and waits for it. Returns 0 with m->container_pid set, or the error to report. */
static int create_container(Monitor *m, CrioError *err) {
        const ConmonOptions *o = m->o;
        _cleanup_close_ int in_r = -1, out_w = -1, err_w = -1;
        int r = setup(m, &in_r, &out_w, &err_w, err);
        if (r < 0)
                return r;
        RuntimeCommand rc = {
                .runtime = o->runtime,
                .runtime_args = o->runtime_args,
                .runtime_opts = o->runtime_opts,
                .bundle = o->bundle,
                .pid_file = o->container_pid_file,
                .cid = o->cid,
                .console_socket = m->console.path,
        };
        _cleanup_strv_free_ char **argv = NULL;
        if (runtime_create_argv(&rc, &argv) < 0)
                return crio_error_set(err, ENOMEM, "running %s create: out of memory", o->runtime);
        r = runtime_spawn(argv, in_r, out_w, err_w, &m->runtime_pid, err);
        if (r < 0)
                return r;
        /* only the runtime (and then the container) holds these ends now */
        closep(&in_r), in_r = -1;
        closep(&out_w), out_w = -1;
        closep(&err_w), err_w = -1;

        while (!m->runtime_done) {
                r = poll_once(m, err);
                if (r < 0)
                        return r;
        }
        read_output(m, &m->out_fd, CTR_LOG_STDOUT);
        read_output(m, &m->err_fd, CTR_LOG_STDERR);
        if (!WIFEXITED(m->runtime_status) || WEXITSTATUS(m->runtime_status) != 0)
                return create_failed(m, err);
        if (o->terminal && (r = take_terminal(m, err)) < 0)
                return r;
        pid_t pid = 0;
        r = read_container_pid(o->container_pid_file, &pid, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_early; i++)
                if (m->early[i].pid == pid) {
                        m->container_done = true;
                        m->container_status = m->early[i].status;
                }
        siginfo_t si = {};
        if (!m->container_done && waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
                return crio_error_set_errno(err, errno, "container process %d is not conmon's child", pid);
        m->container_pid = pid;
        /* what the runtime said on stderr while all went well belongs to the log */
        if (m->capture_len > 0) {
                _cleanup_(crio_error_clear) CrioError e = {};
                if (ctr_log_write(m->log, CTR_LOG_STDERR, m->capture, m->capture_len, &e) < 0)
                        log_error("%s", e.msg);
                m->capture_len = 0;
        }
        _cleanup_(crio_error_clear) CrioError e = {};
        if (!m->container_done && oom_watch_open(pid, &m->oom, &e) < 0)
                log_error("OOM kills will not be noticed: %s", e.msg);
        return 0;
}

static int write_exit_file(const ConmonOptions *o, int code, CrioError *err) {
        _cleanup_free_ char *path = NULL;
        char buf[16];
        int n = snprintf(buf, sizeof buf, "%d", code);
        if (asprintf(&path, "%s/%s", o->exit_dir, o->cid) < 0)
                return crio_error_set(err, ENOMEM, "writing the exit file: out of memory");
        return write_file_atomic(path, buf, (size_t) n, 0644, err);
}

int monitor_run(const ConmonOptions *o, CrioError *err) {
        Monitor m = MONITOR_INIT(o);
        int r = create_container(&m, err);
        if (r < 0) {
                if (o->sync_fd >= 0) {
                        _cleanup_(crio_error_clear) CrioError e = {};
                        if (sync_report(o->sync_fd, -1, err->msg ? err->msg : "conmon failed", &e) < 0)
                                log_error("%s", e.msg);
                }
                monitor_close(&m);
                if (o->ctl_path)
                        unlink(o->ctl_path);
                return r;
        }
        if (o->sync_fd >= 0) {
                _cleanup_(crio_error_clear) CrioError e = {};
                if (sync_report(o->sync_fd, m.container_pid, NULL, &e) < 0)
                        log_error("%s", e.msg);
                close(o->sync_fd);
        }
        log_debug("container %s created, pid %d", o->cid, m.container_pid);

        while (!m.container_done) {
                r = poll_once(&m, err);
                if (r < 0)
                        break;
        }
        /* what the container wrote before it went */
        read_output(&m, &m.out_fd, CTR_LOG_STDOUT);
        read_output(&m, &m.err_fd, CTR_LOG_STDERR);
        read_output(&m, &m.master_fd, CTR_LOG_STDOUT);
        if (oom_watch_check(&m.oom))
                write_oom_file(&m);
        _cleanup_(crio_error_clear) CrioError e = {};
        if (ctr_log_sync(m.log, &e) < 0)
                log_error("%s", e.msg);
        monitor_close(&m);
        unlink(o->ctl_path);
        if (r < 0)
                return r;
        int code = exit_code_of(m.container_status);
        log_debug("container %s exited with %d", o->cid, code);
        return write_exit_file(o, code, err);
}
