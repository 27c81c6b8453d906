/* See spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

#define SPAWN_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void spawn_result_clear(SpawnResult *r) {
        if (!r)
                return;
        free(r->out);
        free(r->err);
        *r = (SpawnResult){ 0 };
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct Capture {
        int fd;
        char *buf;
        size_t len, max;
} Capture;

/* Reads what is there; returns 1 at EOF, 0 if more may come, -errno on error. */
static int capture_read(Capture *c) {
        char tmp[8192];
        for (;;) {
                ssize_t n = read(c->fd, tmp, sizeof tmp);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN ? 0 : -errno;
                if (n == 0)
                        return 1;
                size_t keep = c->len < c->max ? c->max - c->len : 0;
                if ((size_t) n < keep)
                        keep = (size_t) n;
                if (keep > 0) {
                        memcpy(c->buf + c->len, tmp, keep);
                        c->len += keep;
                }
        }
}

static int start_child(const SpawnOptions *o, int out_w, int err_w, pid_t *ret_pid) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        int r = posix_spawn_file_actions_init(&fa);
        if (r)
                return -r;
        r = posix_spawnattr_init(&attr);
        if (r) {
                posix_spawn_file_actions_destroy(&fa);
                return -r;
        }
        if (o->stdin_fd >= 0)
                r = posix_spawn_file_actions_adddup2(&fa, o->stdin_fd, STDIN_FILENO);
        else
                r = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (!r)
                r = posix_spawn_file_actions_adddup2(&fa, out_w, STDOUT_FILENO);
        if (!r)
                r = posix_spawn_file_actions_adddup2(&fa, err_w, STDERR_FILENO);
        /* keep_fds may sit at 3.. already: dup them above the range first, then down. */
        for (size_t i = 0; !r && i < o->n_keep_fds; i++)
                r = posix_spawn_file_actions_adddup2(&fa, o->keep_fds[i], (int) (100 + i));
        for (size_t i = 0; !r && i < o->n_keep_fds; i++)
                r = posix_spawn_file_actions_adddup2(&fa, (int) (100 + i), (int) (3 + i));
        if (!r)
                r = posix_spawn_file_actions_addclosefrom_np(&fa, (int) (3 + o->n_keep_fds));
        if (!r)
                r = posix_spawnattr_setsigmask(&attr, &none);
        if (!r)
                r = posix_spawnattr_setsigdefault(&attr, &all);
        if (!r)
                r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        if (!r) {
                static char *const default_env[] = { SPAWN_DEFAULT_PATH, NULL };
                r = posix_spawn(ret_pid, o->argv[0], &fa, &attr, o->argv, o->envp ? o->envp : default_env);
        }
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        return -r;
}

static int status_code(int st) {
        if (WIFEXITED(st))
                return WEXITSTATUS(st);
        if (WIFSIGNALED(st))
                return 128 + WTERMSIG(st);
        return 255;
}

int spawn_run(const SpawnOptions *o, SpawnResult *ret, CrioError *err) {
        if (!o || !o->argv || !o->argv[0] || o->n_keep_fds > 64)
                return crio_error_set(err, EINVAL, "spawn: bad arguments");
        const char *name = o->argv[0];
        size_t max = o->capture_max ? o->capture_max : SPAWN_CAPTURE_DEFAULT;
        int out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 };
        if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0) {
                int e = errno;
                safe_close(out_p[0]);
                safe_close(out_p[1]);
                return crio_error_set_errno(err, e, "running %s: pipe", name);
        }
        Capture cap[2] = { { out_p[0], calloc(1, max + 1), 0, max }, { err_p[0], calloc(1, max + 1), 0, max } };
        pid_t pid = -1;
        int pidfd = -1, r = 0;
        if (!cap[0].buf || !cap[1].buf) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        r = start_child(o, out_p[1], err_p[1], &pid);
        out_p[1] = safe_close(out_p[1]);
        err_p[1] = safe_close(err_p[1]);
        if (r < 0) {
                r = crio_error_set_errno(err, -r, "cannot run %s", name);
                goto out;
        }
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                r = crio_error_set_errno(err, errno, "running %s: pidfd_open", name);
                kill(pid, SIGKILL);
                goto reap;
        }
        fcntl(out_p[0], F_SETFL, O_NONBLOCK);
        fcntl(err_p[0], F_SETFL, O_NONBLOCK);
        int64_t deadline = o->timeout_ms > 0 ? now_ms() + o->timeout_ms : 0;
        bool open_fd[2] = { true, true };
        for (;;) {
                struct pollfd p[3] = { { pidfd, POLLIN, 0 }, { open_fd[0] ? cap[0].fd : -1, POLLIN, 0 },
                                       { open_fd[1] ? cap[1].fd : -1, POLLIN, 0 } };
                int wait_ms = -1;
                if (deadline) {
                        int64_t left = deadline - now_ms();
                        if (left <= 0) {
                                kill(pid, SIGKILL);
                                r = crio_error_set(err, ETIMEDOUT, "%s did not finish within %" PRId64 " ms", name,
                                                   o->timeout_ms);
                                goto reap;
                        }
                        wait_ms = left > 1000000 ? 1000000 : (int) left;
                }
                int n = poll(p, 3, wait_ms);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = crio_error_set_errno(err, errno, "running %s: poll", name);
                        kill(pid, SIGKILL);
                        goto reap;
                }
                for (int i = 0; i < 2; i++)
                        if (open_fd[i] && p[i + 1].revents && capture_read(&cap[i]) != 0)
                                open_fd[i] = false;
                if (p[0].revents)
                        break; /* exited: drain below without waiting */
        }
        for (int i = 0; i < 2; i++)
                if (open_fd[i])
                        (void) capture_read(&cap[i]);
reap:;
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        if (r >= 0) {
                ret->status = status_code(st);
                ret->out = cap[0].buf;
                ret->out_len = cap[0].len;
                ret->err = cap[1].buf;
                ret->err_len = cap[1].len;
                cap[0].buf = cap[1].buf = NULL;
        }
out:
        safe_close(pidfd);
        safe_close(out_p[0]);
        safe_close(out_p[1]);
        safe_close(err_p[0]);
        safe_close(err_p[1]);
        free(cap[0].buf);
        free(cap[1].buf);
        return r;
}

static char *trim(char *s, size_t len) {
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
                s[--len] = '\0';
        while (*s == ' ' || *s == '\n' || *s == '\t')
                s++;
        return s;
}

const char *spawn_result_message(SpawnResult *r) {
        if (r->err && r->err_len) {
                char *m = trim(r->err, r->err_len);
                if (*m)
                        return m;
        }
        if (r->out && r->out_len)
                return trim(r->out, r->out_len);
        return "";
}
