/* Running the OCI runtime: see runtime.h. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* runtime [args] <fixed...> [opts] cid */
static int build_argv(const RuntimeCommand *rc, const char *const *fixed, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        int r = strv_push(&argv, rc->runtime);
        for (char **a = rc->runtime_args; r >= 0 && a && *a; a++)
                r = strv_push(&argv, *a);
        for (const char *const *f = fixed; r >= 0 && *f; f++)
                r = strv_push(&argv, *f);
        for (char **a = rc->runtime_opts; r >= 0 && a && *a; a++)
                r = strv_push(&argv, *a);
        if (r >= 0)
                r = strv_push(&argv, rc->cid);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(argv);
        return 0;
}

int runtime_create_argv(const RuntimeCommand *rc, char ***ret) {
        const char *fixed[] = { "create", "--bundle", rc->bundle, "--pid-file", rc->pid_file,
                                rc->console_socket ? "--console-socket" : NULL, rc->console_socket, NULL };
        return build_argv(rc, fixed, ret);
}

int runtime_exec_argv(const RuntimeCommand *rc, char ***ret) {
        const char *fixed[] = { "exec", "--process", rc->process_file, "--pid-file", rc->pid_file, NULL };
        return build_argv(rc, fixed, ret);
}

static int build_env(char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        const char *path = getenv("PATH");
        char *s = NULL;
        if (asprintf(&s, "PATH=%s", path && *path ? path : DEFAULT_PATH) < 0 || strv_consume(&env, s) < 0)
                return -ENOMEM;
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (xdg && (asprintf(&s, "XDG_RUNTIME_DIR=%s", xdg) < 0 || strv_consume(&env, s) < 0))
                return -ENOMEM;
        *ret = TAKE_PTR(env);
        return 0;
}

/* In the child: only async-signal-safe calls from here to exec. */
static _Noreturn void exec_child(char **argv, char **envp, int in_fd, int out_fd, int err_fd) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        /* dup2 clears close-on-exec on the copies; an fd already in place keeps it, so
         * move those out of the way first */
        if ((in_fd == STDIN_FILENO && (in_fd = fcntl(in_fd, F_DUPFD_CLOEXEC, 3)) < 0) ||
            (out_fd <= STDOUT_FILENO && (out_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 3)) < 0) ||
            (err_fd <= STDERR_FILENO && (err_fd = fcntl(err_fd, F_DUPFD_CLOEXEC, 3)) < 0))
                _exit(127);
        if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
                _exit(127);
        execvpe(argv[0], argv, envp);
        const char *why = strerror(errno);
        /* the message reaches crio through the stderr pipe */
        dprintf(STDERR_FILENO, "conmon: executing runtime %s: %s\n", argv[0], why);
        _exit(127);
}

int runtime_spawn(char **argv, int stdin_fd, int stdout_fd, int stderr_fd, pid_t *ret_pid, CrioError *err) {
        _cleanup_strv_free_ char **envp = NULL;
        if (build_env(&envp) < 0)
                return crio_error_set(err, ENOMEM, "running %s: out of memory", argv[0]);
        _cleanup_close_ int null_fd = -1;
        if (stdin_fd < 0) {
                null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (null_fd < 0)
                        return crio_error_set_errno(err, errno, "opening /dev/null");
                stdin_fd = null_fd;
        }
        pid_t pid = fork();
        if (pid < 0)
                return crio_error_set_errno(err, errno, "forking for %s", argv[0]);
        if (pid == 0)
                exec_child(argv, envp, stdin_fd, stdout_fd, stderr_fd);
        *ret_pid = pid;
        return 0;
}
