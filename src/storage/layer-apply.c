#include "layer-apply.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/untar.h"
#include "util/cleanup.h"
#include "util/sha256.h"

#ifndef CRIO_LIBEXECDIR
#define CRIO_LIBEXECDIR "/usr/local/libexec"
#endif
#define DEFAULT_HELPER CRIO_LIBEXECDIR "/crio/crio-untar"
#define STREAM_BUF_SIZE (128u * 1024u)

extern char **environ;

/* Kills and reaps a child still owned at scope exit. */
static void child_killp(pid_t *pid) {
        if (*pid > 0) {
                kill(*pid, SIGKILL);
                while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
}
#define _cleanup_child_ _cleanup_(child_killp)

static int close_fd(int fd) {
        if (fd >= 0)
                close(fd);
        return -1;
}



void layer_apply_result_done(LayerApplyResult *r) {
        if (!r)
                return;
        free(r->compressed_digest);
        free(r->diff_digest);
        *r = (LayerApplyResult){};
}

static bool digest_valid(const char *d) {
        return strlen(d) == UNTAR_DIGEST_LEN && strncmp(d, "sha256:", 7) == 0 &&
               strspn(d + 7, "0123456789abcdef") == 64;
}

/* The helper's environment: a fixed PATH, plus the sanitizer settings of a test build. */
static void child_environment(const char **envp, size_t n) {
        static const char *const pass[] = { "ASAN_OPTIONS=", "LSAN_OPTIONS=", "UBSAN_OPTIONS=" };
        size_t k = 0;
        envp[k++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (char **e = environ; e && *e && k + 1 < n; e++)
                for (size_t i = 0; i < ELEMENTSOF(pass); i++)
                        if (strncmp(*e, pass[i], strlen(pass[i])) == 0)
                                envp[k++] = *e;
        envp[k] = NULL;
}

/* Starts the helper with the input socket as stdin, the result pipe as stdout, stderr
 * shared (for a crash report) and no other fd, default signal handling and an empty mask. */
static int spawn_helper(const char *helper, const char *target, uint64_t max_diff_size, int in_fd, int out_fd,
                        pid_t *ret, CrioError *err) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        int r = posix_spawn_file_actions_init(&fa);
        if (r != 0)
                return crio_error_set_errno(err, r, "starting %s", helper);
        r = posix_spawnattr_init(&attr);
        if (r != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return crio_error_set_errno(err, r, "starting %s", helper);
        }
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        char size_arg[64];
        snprintf(size_arg, sizeof(size_arg), "--max-diff-size=%" PRIu64, max_diff_size);
        char *argv[5], **a = argv;
        *a++ = (char *) helper;
        if (max_diff_size)
                *a++ = size_arg;
        *a++ = (char *) "--";
        *a++ = (char *) target;
        *a = NULL;
        const char *envp[8];
        child_environment(envp, ELEMENTSOF(envp));

        pid_t pid = 0;
        if ((r = posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO)) == 0 &&
            (r = posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO)) == 0 &&
            (r = posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1)) == 0 &&
            (r = posix_spawnattr_setsigmask(&attr, &none)) == 0 && (r = posix_spawnattr_setsigdefault(&attr, &all)) == 0 &&
            (r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0)
                r = posix_spawn(&pid, helper, &fa, &attr, argv, (char *const *) envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                return crio_error_set_errno(err, r, "starting %s", helper);
        *ret = pid;
        return 0;
}

static int send_all(int fd, const uint8_t *p, size_t len) {
        while (len > 0) {
                ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

/* Copies input_fd to the helper, hashing it, until the input ends or the helper stops
 * early (its result pipe becomes readable: it failed). */
static int stream_input(int input_fd, int sock, int result_fd, Sha256 *sha, uint64_t *size, CrioError *err) {
        _cleanup_free_ uint8_t *buf = malloc(STREAM_BUF_SIZE);
        if (!buf)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (;;) {
                struct pollfd p[2] = { { .fd = input_fd, .events = POLLIN }, { .fd = result_fd, .events = POLLIN } };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return crio_error_set_errno(err, errno, "waiting for layer input");
                }
                if (p[1].revents)
                        return 0;
                if (!p[0].revents)
                        continue;
                ssize_t n = read(input_fd, buf, STREAM_BUF_SIZE);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0)
                        return crio_error_set_errno(err, errno, "reading layer input");
                if (n == 0)
                        return 0;
                sha256_update(sha, buf, (size_t) n);
                *size += (uint64_t) n;
                int r = send_all(sock, buf, (size_t) n);
                if (r == -EPIPE || r == -ECONNRESET)
                        return 0; /* the helper is gone: its result says why */
                if (r < 0)
                        return crio_error_set_errno(err, -r, "passing layer data to the helper");
        }
}

static int read_report(int fd, char *buf, size_t size, size_t *ret_len) {
        size_t len = 0;
        for (;;) {
                ssize_t n = read(fd, buf + len, size - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0 || (len += (size_t) n) == size)
                        break;
        }
        *ret_len = len;
        return 0;
}

/* Turns the helper's exit status and result record into the outcome. */
static int helper_outcome(const char *helper, int status, const char *report, size_t len, UntarResult *ret,
                          CrioError *err) {
        _cleanup_(crio_error_clear) CrioError child_err = {};
        int r = len > 0 ? untar_report_parse(report, len, ret, &child_err)
                        : crio_error_set(&child_err, EPROTO, "%s gave no result", helper);
        if (r < 0 && r != -EPROTO) {
                crio_error_move(err, &child_err);
                return r;
        }
        if (WIFSIGNALED(status))
                return crio_error_set(err, EIO, "%s was killed by signal %d (%s)", helper, WTERMSIG(status),
                                      strsignal(WTERMSIG(status)));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return crio_error_set(err, EIO, "%s exited with status %d%s", helper, WEXITSTATUS(status),
                                      r == 0 ? " after reporting success" : "");
        if (r < 0) {
                crio_error_move(err, &child_err);
                return r;
        }
        return 0;
}

int layer_apply(int input_fd, const char *target_dir, const LayerApplyOptions *opts, LayerApplyResult *ret,
                CrioError *err) {
        static const LayerApplyOptions defaults = {};
        if (!opts)
                opts = &defaults;
        const char *helper = opts->helper_path ? opts->helper_path : DEFAULT_HELPER;
        if (opts->expected_diff_digest && !digest_valid(opts->expected_diff_digest))
                return crio_error_set(err, EINVAL, "invalid expected layer digest \"%s\" (want sha256:<64 hex>)",
                                      opts->expected_diff_digest);

        int sv[2], pfd[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return crio_error_set_errno(err, errno, "creating the layer data socket");
        _cleanup_close_ int sock = sv[0], child_in = sv[1];
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return crio_error_set_errno(err, errno, "creating the result pipe");
        _cleanup_close_ int result_fd = pfd[0], child_out = pfd[1];
        _cleanup_(sha256_freep) Sha256 *sha = sha256_new();
        if (!sha)
                return crio_error_set(err, ENOMEM, "out of memory");

        _cleanup_child_ pid_t pid = 0;
        int r = spawn_helper(helper, target_dir, opts->max_diff_size, child_in, child_out, &pid, err);
        if (r < 0)
                return r;
        child_in = close_fd(child_in);
        child_out = close_fd(child_out);

        uint64_t compressed_size = 0;
        int stream_r = stream_input(input_fd, sock, result_fd, sha, &compressed_size, err);
        sock = close_fd(sock); /* end of input for the helper */

        char report[UNTAR_REPORT_MAX];
        size_t report_len = 0;
        r = read_report(result_fd, report, sizeof(report), &report_len);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR)
                        return crio_error_set_errno(err, errno, "waiting for %s", helper);
        }
        pid = 0;
        if (stream_r < 0)
                return crio_error_prefix(err, "applying layer to %s: ", target_dir);
        if (r < 0)
                return crio_error_set_errno(err, -r, "applying layer to %s: reading the result of %s", target_dir, helper);

        UntarResult res = {};
        r = helper_outcome(helper, status, report, report_len, &res, err);
        if (r < 0)
                return crio_error_prefix(err, "applying layer to %s: ", target_dir);
        if (opts->expected_diff_digest && strcmp(opts->expected_diff_digest, res.diff_digest) != 0)
                return crio_error_set(err, EBADMSG, "applying layer to %s: uncompressed layer digest %s does not match the expected %s",
                                      target_dir, res.diff_digest, opts->expected_diff_digest);

        LayerApplyResult out = { .compressed_size = compressed_size, .diff_size = res.diff_size };
        char cdigest[SHA256_DIGEST_LEN + 1];
        sha256_finish(sha, cdigest);
        if (!(out.compressed_digest = strdup(cdigest)))
                return crio_error_set(err, ENOMEM, "out of memory");
        if (!(out.diff_digest = strdup(res.diff_digest))) {
                layer_apply_result_done(&out);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret = out;
        return 0;
}
