/* Running the OCI runtime's `create`: see runtime.h. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int build_argv(const RuntimeCreate *rc, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        int r = strv_push(&argv, rc->runtime);
        for (char **a = rc->runtime_args; r >= 0 && a && *a; a++)
                r = strv_push(&argv, *a);
        const char *fixed[] = { "create", "--bundle", rc->bundle, "--pid-file", rc->pid_file };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fixed); i++)
                r = strv_push(&argv, fixed[i]);
        for (char **a = rc->runtime_opts; r >= 0 && a && *a; a++)
                r = strv_push(&argv, *a);
        if (r >= 0)
                r = strv_push(&argv, rc->cid);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(argv);
        return 0;
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
static _Noreturn void exec_child(char **argv, char **envp, int null_fd, int out_fd, int err_fd) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
                _exit(127);
        execvpe(argv[0], argv, envp);
        const char *why = strerror(errno);
        /* the message reaches crio through the stderr pipe */
        dprintf(STDERR_FILENO, "conmon: executing runtime %s: %s\n", argv[0], why);
        _exit(127);
}

int runtime_spawn_create(const RuntimeCreate *rc, int stdout_fd, int stderr_fd, pid_t *ret_pid, CrioError *err) {
        _cleanup_strv_free_ char **argv = NULL, **envp = NULL;
        if (build_argv(rc, &argv) < 0 || build_env(&envp) < 0)
                return crio_error_set(err, ENOMEM, "running %s create: out of memory", rc->runtime);
        _cleanup_close_ int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null_fd < 0)
                return crio_error_set_errno(err, errno, "opening /dev/null");
        pid_t pid = fork();
        if (pid < 0)
                return crio_error_set_errno(err, errno, "forking for %s create", rc->runtime);
        if (pid == 0)
                exec_child(argv, envp, null_fd, stdout_fd, stderr_fd);
        *ret_pid = pid;
        return 0;
}
