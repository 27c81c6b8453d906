/* The monitor: see monitor.h.
 *
 * One thread, one poll loop over: the container's stdout and stderr pipes (read ends), the
 * control FIFO, and a signalfd for SIGCHLD. conmon is the child subreaper, so the container's
 * init (left behind by `<runtime> create`) becomes its child and is waited for directly.
 * Seams: a terminal (console socket, resize), the attach socket, OOM notification and exec
 * mode each add an fd to this loop. */
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

#include "ctl.h"
#include "log.h"
#include "runtime.h"
#include "sync.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"

#define READ_CHUNK 8192
#define EARLY_MAX 32              /* children reaped before the container's pid is known */
#define CAPTURE_MAX (2 * SYNC_MESSAGE_MAX)
#define CONTAINER_PID_FILE_MAX 64

typedef struct Monitor {
        const ConmonOptions *o;
        CtrLog *log;
        CtlReader ctl;
        int out_fd, err_fd; /* read ends; -1 after end-of-file */
        int sig_fd;
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

static void monitor_close(Monitor *m) {
        ctr_log_free(m->log);
        m->log = NULL;
        ctl_close(&m->ctl);
        closep(&m->out_fd);
        closep(&m->err_fd);
        closep(&m->sig_fd);
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
}

/* Reads what a pipe has (everything up to EAGAIN); closes it at end-of-file. */
static void read_pipe(Monitor *m, int *fd, CtrLogStream stream) {
        char buf[READ_CHUNK];
        while (*fd >= 0) {
                ssize_t n = read(*fd, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                log_error("reading the container's %s: %m", stream == CTR_LOG_STDOUT ? "stdout" : "stderr");
                        if (errno != EAGAIN)
                                closep(fd), *fd = -1;
                        return;
                }
                if (n == 0) {
                        closep(fd);
                        *fd = -1;
                        return;
                }
                on_output(m, stream, buf, (size_t) n);
        }
}

static void on_ctl(const CtlMessage *c, void *userdata) {
        Monitor *m = userdata;
        switch (c->type) {
        case CTL_REOPEN_LOG: {
                _cleanup_(crio_error_clear) CrioError e = {};
                if (ctr_log_reopen(m->log, &e) < 0)
                        log_error("%s", e.msg);
                else
                        log_debug("reopened the container log");
                break;
        }
        case CTL_RESIZE:
                log_debug("resize %dx%d ignored: no terminal", c->a, c->b);
                break;
        default:
                log_debug("unknown control message type %d ignored", c->type);
        }
}

/* One round of the loop: waits and dispatches. */
static int poll_once(Monitor *m, CrioError *err) {
        struct pollfd p[] = {
                { .fd = m->sig_fd, .events = POLLIN },
                { .fd = m->out_fd, .events = POLLIN },
                { .fd = m->err_fd, .events = POLLIN },
                { .fd = m->ctl.fd, .events = POLLIN },
        };
        if (poll(p, ELEMENTSOF(p), -1) < 0) {
                if (errno == EINTR)
                        return 0;
                return crio_error_set_errno(err, errno, "poll");
        }
        if (p[1].revents)
                read_pipe(m, &m->out_fd, CTR_LOG_STDOUT);
        if (p[2].revents)
                read_pipe(m, &m->err_fd, CTR_LOG_STDERR);
        if (p[3].revents) {
                _cleanup_(crio_error_clear) CrioError e = {};
                if (ctl_read(&m->ctl, on_ctl, m, &e) < 0)
                        log_error("%s", e.msg);
        }
        if (p[0].revents)
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

static int setup(Monitor *m, int out_w[static 1], int err_w[static 1], CrioError *err) {
        const ConmonOptions *o = m->o;
        int r = ctr_log_open(o->log_path, o->log_size_max, &m->log, err);
        if (r < 0)
                return r;
        r = ctl_open(o->ctl_path, &m->ctl, err);
        if (r < 0)
                return r;
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0)
                return crio_error_set_errno(err, errno, "blocking SIGCHLD");
        m->sig_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
        if (m->sig_fd < 0)
                return crio_error_set_errno(err, errno, "signalfd");
        int po[2], pe[2];
        if (pipe2(po, O_CLOEXEC) < 0)
                return crio_error_set_errno(err, errno, "creating the stdout pipe");
        if (pipe2(pe, O_CLOEXEC) < 0) {
                close(po[0]), close(po[1]);
                return crio_error_set_errno(err, errno, "creating the stderr pipe");
        }
        m->out_fd = po[0];
        m->err_fd = pe[0];
        *out_w = po[1];
        *err_w = pe[1];
        if (fcntl(m->out_fd, F_SETFL, O_NONBLOCK) < 0 || fcntl(m->err_fd, F_SETFL, O_NONBLOCK) < 0)
                return crio_error_set_errno(err, errno, "making the pipes non-blocking");
        return 0;
}

/* Runs create and waits for it. Returns 0 with m->container_pid set, or the error to report. */
static int create_container(Monitor *m, CrioError *err) {
        const ConmonOptions *o = m->o;
        _cleanup_close_ int out_w = -1, err_w = -1;
        int r = setup(m, &out_w, &err_w, err);
        if (r < 0)
                return r;
        RuntimeCreate rc = {
                .runtime = o->runtime,
                .runtime_args = o->runtime_args,
                .runtime_opts = o->runtime_opts,
                .bundle = o->bundle,
                .pid_file = o->container_pid_file,
                .cid = o->cid,
        };
        r = runtime_spawn_create(&rc, out_w, err_w, &m->runtime_pid, err);
        if (r < 0)
                return r;
        /* only the runtime (and then the container) holds the write ends now */
        closep(&out_w), out_w = -1;
        closep(&err_w), err_w = -1;

        while (!m->runtime_done) {
                r = poll_once(m, err);
                if (r < 0)
                        return r;
        }
        read_pipe(m, &m->out_fd, CTR_LOG_STDOUT);
        read_pipe(m, &m->err_fd, CTR_LOG_STDERR);

        if (!WIFEXITED(m->runtime_status) || WEXITSTATUS(m->runtime_status) != 0) {
                const char *how = WIFSIGNALED(m->runtime_status) ? "was killed by signal" : "exited with status";
                int code = WIFSIGNALED(m->runtime_status) ? WTERMSIG(m->runtime_status) : WEXITSTATUS(m->runtime_status);
                size_t n = m->capture_len;
                while (n > 0 && strchr(" \t\r\n", m->capture[n - 1]))
                        n--;
                if (n > 0)
                        return crio_error_set(err, EIO, "%.*s", (int) n, m->capture);
                return crio_error_set(err, EIO, "%s create %s %d", o->runtime, how, code);
        }
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
        Monitor m = { .o = o, .ctl = CTL_READER_INIT, .out_fd = -1, .err_fd = -1, .sig_fd = -1 };
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
        read_pipe(&m, &m.out_fd, CTR_LOG_STDOUT);
        read_pipe(&m, &m.err_fd, CTR_LOG_STDERR);
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
