/* exec-sync mode: see exec-sync.h.
 *
 * One poll loop over the two pipes and a signalfd for SIGCHLD, with the deadline as its
 * timeout. At the deadline the process (its pid from the pid file) is sent SIGKILL, and its
 * process group too when it leads one of its own; a runtime that wrote no pid yet is killed
 * itself. After the runtime exits, output still open (a background child holding a pipe) is
 * read for at most EXEC_DRAIN_MS. */
#include "exec-sync.h"

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
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "runtime.h"
#include "sync.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

#define READ_CHUNK 8192
#define EXEC_DRAIN_MS 2000      /* output still open after the runtime exited */
#define EXEC_KILL_GRACE_MS 5000 /* after the kill, before the runtime itself is killed */
#define EXEC_PID_FILE_MAX 64

typedef struct Capture {
        int fd; /* read end; -1 after end-of-file */
        char *buf;
        size_t len, cap, max;
        bool truncated;
} Capture;

static void capture_done(Capture *c) {
        closep(&c->fd);
        free(c->buf);
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void keep(Capture *c, const char *data, size_t n) {
        size_t room = c->max - c->len;
        if (n > room) {
                c->truncated = true;
                n = room;
        }
        if (n == 0)
                return;
        if (c->len + n > c->cap) {
                size_t cap = c->cap ? c->cap : READ_CHUNK;
                while (cap < c->len + n)
                        cap *= 2;
                if (cap > c->max)
                        cap = c->max;
                char *b = realloc(c->buf, cap);
                if (!b) {
                        c->truncated = true;
                        return;
                }
                c->buf = b;
                c->cap = cap;
        }
        memcpy(c->buf + c->len, data, n);
        c->len += n;
}

static void capture_read(Capture *c) {
        char chunk[READ_CHUNK];
        while (c->fd >= 0) {
                ssize_t n = read(c->fd, chunk, sizeof chunk);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0) {
                        closep(&c->fd), c->fd = -1;
                        return;
                }
                keep(c, chunk, (size_t) n);
        }
}

static int read_pid(const char *path, pid_t *ret) {
        _cleanup_free_ char *buf = NULL;
        if (read_file(path, EXEC_PID_FILE_MAX, &buf, NULL, NULL) < 0)
                return -ENOENT;
        char *end = NULL;
        long v = strtol(buf, &end, 10);
        if (end == buf || v <= 1 || v > 4194304)
                return -EINVAL;
        *ret = (pid_t) v;
        return 0;
}

static void kill_exec(const char *pid_file, pid_t runtime_pid) {
        pid_t pid;
        if (read_pid(pid_file, &pid) < 0) {
                log_debug("timeout before the process started: killing the runtime %d", runtime_pid);
                kill(runtime_pid, SIGKILL);
                return;
        }
        log_debug("timeout: killing process %d", pid);
        pid_t pgid = getpgid(pid);
        kill(pid, SIGKILL);
        if (pgid == pid && pgid != getpgrp())
                kill(-pgid, SIGKILL);
}

static int print_answer(int code, bool timed_out, const Capture *out, const Capture *errc, CrioError *err) {
        _cleanup_free_ char *b_out = malloc(base64_size(out->len)), *b_err = malloc(base64_size(errc->len));
        if (!b_out || !b_err)
                return crio_error_set(err, ENOMEM, "encoding the output: out of memory");
        base64_encode((const unsigned char *) out->buf, out->len, b_out);
        base64_encode((const unsigned char *) errc->buf, errc->len, b_err);
        printf("{\"exit_code\": %d, \"timed_out\": %s, \"stdout\": \"%s\", \"stderr\": \"%s\", \"truncated\": %s}\n",
               code, timed_out ? "true" : "false", b_out, b_err, out->truncated || errc->truncated ? "true" : "false");
        if (fflush(stdout) != 0 || ferror(stdout))
                return crio_error_set_errno(err, errno, "writing the answer");
        return 0;
}

typedef struct ExecRun {
        Capture out, err;
        int sig_fd;
        pid_t runtime_pid;
        int status;
        bool done, timed_out;
} ExecRun;

/* Runs the loop until the runtime has exited and its output is read. */
static int run_loop(ExecRun *x, const ConmonOptions *o, const char *pid_file, CrioError *err) {
        int64_t deadline = o->timeout > 0 ? now_ms() + o->timeout * 1000 : -1;
        int64_t kill_at = -1, drain_until = -1;
        for (;;) {
                int64_t now = now_ms();
                int wait = -1;
                if (!x->done && deadline >= 0 && !x->timed_out) {
                        if (now >= deadline) {
                                x->timed_out = true;
                                kill_exec(pid_file, x->runtime_pid);
                                kill_at = now + EXEC_KILL_GRACE_MS;
                        } else
                                wait = (int) (deadline - now);
                }
                if (!x->done && kill_at >= 0) {
                        if (now >= kill_at) {
                                kill(x->runtime_pid, SIGKILL);
                                kill_at = -1;
                        } else
                                wait = (int) (kill_at - now);
                }
                if (x->done) {
                        if (x->out.fd < 0 && x->err.fd < 0)
                                return 0;
                        if (drain_until < 0)
                                drain_until = now + EXEC_DRAIN_MS;
                        if (now >= drain_until) {
                                log_debug("output still open %d ms after the runtime exited: not waiting", EXEC_DRAIN_MS);
                                return 0;
                        }
                        wait = (int) (drain_until - now);
                }
                if (wait > 60000)
                        wait = 60000; /* a long timeout is waited for in rounds */
                struct pollfd p[] = {
                        { .fd = x->sig_fd, .events = POLLIN },
                        { .fd = x->out.fd, .events = POLLIN },
                        { .fd = x->err.fd, .events = POLLIN },
                };
                if (poll(p, ELEMENTSOF(p), wait) < 0 && errno != EINTR)
                        return crio_error_set_errno(err, errno, "poll");
                if (p[1].revents)
                        capture_read(&x->out);
                if (p[2].revents)
                        capture_read(&x->err);
                if (p[0].revents) {
                        struct signalfd_siginfo si[8];
                        while (read(x->sig_fd, si, sizeof si) > 0)
                                ;
                        int st;
                        pid_t pid;
                        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
                                if (pid == x->runtime_pid) {
                                        x->done = true;
                                        x->status = st;
                                }
                }
        }
}

static int open_pipe(Capture *c, int *ret_w, int64_t max, CrioError *err) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return crio_error_set_errno(err, errno, "creating a pipe");
        c->fd = p[0];
        c->max = (size_t) max;
        *ret_w = p[1];
        if (fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0)
                return crio_error_set_errno(err, errno, "making a pipe non-blocking");
        return 0;
}

static int exec_sync(ExecRun *x, const ConmonOptions *o, const char *pid_file, CrioError *err) {
        if (access(o->exec_process_spec, R_OK) < 0)
                return crio_error_set_errno(err, errno, "process spec %s", o->exec_process_spec);
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0)
                return crio_error_set_errno(err, errno, "blocking SIGCHLD");
        x->sig_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
        if (x->sig_fd < 0)
                return crio_error_set_errno(err, errno, "signalfd");
        _cleanup_close_ int out_w = -1, err_w = -1;
        int r;
        if ((r = open_pipe(&x->out, &out_w, o->exec_output_max, err)) < 0 ||
            (r = open_pipe(&x->err, &err_w, o->exec_output_max, err)) < 0)
                return r;
        RuntimeCommand rc = {
                .runtime = o->runtime,
                .runtime_args = o->runtime_args,
                .runtime_opts = o->runtime_opts,
                .cid = o->cid,
                .pid_file = pid_file,
                .process_file = o->exec_process_spec,
        };
        _cleanup_strv_free_ char **argv = NULL;
        if (runtime_exec_argv(&rc, &argv) < 0)
                return crio_error_set(err, ENOMEM, "running %s exec: out of memory", o->runtime);
        r = runtime_spawn(argv, -1, out_w, err_w, &x->runtime_pid, err);
        if (r < 0)
                return r;
        closep(&out_w), out_w = -1;
        closep(&err_w), err_w = -1;
        return run_loop(x, o, pid_file, err);
}

int exec_sync_run(const ConmonOptions *o, CrioError *err) {
        _cleanup_free_ char *pid_file = NULL;
        if (asprintf(&pid_file, "%s.pid", o->exec_process_spec) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        unlink(pid_file);
        ExecRun x = { .out.fd = -1, .err.fd = -1, .sig_fd = -1 };
        int r = exec_sync(&x, o, pid_file, err);
        bool started = access(pid_file, F_OK) == 0;
        unlink(pid_file);
        int code = WIFEXITED(x.status) ? WEXITSTATUS(x.status) : WIFSIGNALED(x.status) ? 128 + WTERMSIG(x.status) : 255;
        if (r >= 0 && !started && !x.timed_out && code != 0) {
                /* the process never ran: the runtime's complaint is the error */
                const char *t = x.err.buf ? x.err.buf : "";
                size_t n = x.err.len;
                while (n > 0 && strchr(" \t\r\n", *t))
                        t++, n--;
                while (n > 0 && strchr(" \t\r\n", t[n - 1]))
                        n--;
                if (n > SYNC_MESSAGE_MAX)
                        n = SYNC_MESSAGE_MAX;
                r = n > 0 ? crio_error_set(err, EIO, "%s exec failed: %.*s", o->runtime, (int) n, t)
                          : crio_error_set(err, EIO, "%s exec exited with status %d", o->runtime, code);
        }
        if (r >= 0)
                r = print_answer(code, x.timed_out, &x.out, &x.err, err);
        capture_done(&x.out);
        capture_done(&x.err);
        closep(&x.sig_fd);
        return r;
}
