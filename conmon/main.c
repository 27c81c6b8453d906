/* conmon: the per-container monitor. Parses the command line, detaches, and hands over to
 * the monitor (monitor.c). See README.md for the contract with crio. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "detach.h"
#include "exec-sync.h"
#include "monitor.h"
#include "sync.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/version.h"

#define CID_MAX 256

enum {
        OPT_CID = 0x100,
        OPT_RUNTIME,
        OPT_BUNDLE,
        OPT_LOG_PATH,
        OPT_EXIT_DIR,
        OPT_PIDFILE,
        OPT_CONTAINER_PIDFILE,
        OPT_LOG_SIZE_MAX,
        OPT_SYNC_PIPE_FD,
        OPT_RUNTIME_ARG,
        OPT_RUNTIME_OPT,
        OPT_LOG_LEVEL,
        OPT_CTL_PATH,
        OPT_CONMON_LOG,
        OPT_TERMINAL,
        OPT_STDIN,
        OPT_STDIN_ONCE,
        OPT_LEAVE_STDIN_OPEN,
        OPT_ATTACH_SOCKET,
        OPT_EXEC_SYNC,
        OPT_EXEC_PROCESS_SPEC,
        OPT_TIMEOUT,
        OPT_EXEC_OUTPUT_MAX,
        OPT_HELP,
        OPT_VERSION,
};

static const struct option options[] = {
        { "cid", required_argument, NULL, OPT_CID },
        { "runtime", required_argument, NULL, OPT_RUNTIME },
        { "bundle", required_argument, NULL, OPT_BUNDLE },
        { "log-path", required_argument, NULL, OPT_LOG_PATH },
        { "exit-dir", required_argument, NULL, OPT_EXIT_DIR },
        { "pidfile", required_argument, NULL, OPT_PIDFILE },
        { "container-pidfile", required_argument, NULL, OPT_CONTAINER_PIDFILE },
        { "log-size-max", required_argument, NULL, OPT_LOG_SIZE_MAX },
        { "sync-pipe-fd", required_argument, NULL, OPT_SYNC_PIPE_FD },
        { "runtime-arg", required_argument, NULL, OPT_RUNTIME_ARG },
        { "runtime-opt", required_argument, NULL, OPT_RUNTIME_OPT },
        { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
        { "ctl-path", required_argument, NULL, OPT_CTL_PATH },
        { "conmon-log", required_argument, NULL, OPT_CONMON_LOG },
        { "terminal", no_argument, NULL, OPT_TERMINAL },
        { "stdin", no_argument, NULL, OPT_STDIN },
        { "stdin-once", no_argument, NULL, OPT_STDIN_ONCE },
        { "leave-stdin-open", no_argument, NULL, OPT_LEAVE_STDIN_OPEN },
        { "attach-socket", required_argument, NULL, OPT_ATTACH_SOCKET },
        { "exec-sync", no_argument, NULL, OPT_EXEC_SYNC },
        { "exec-process-spec", required_argument, NULL, OPT_EXEC_PROCESS_SPEC },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "exec-output-max", required_argument, NULL, OPT_EXEC_OUTPUT_MAX },
        { "help", no_argument, NULL, OPT_HELP },
        { "version", no_argument, NULL, OPT_VERSION },
        {},
};

static void usage(FILE *f) {
        fputs("usage: conmon --cid ID --runtime PATH --bundle DIR --log-path FILE --exit-dir DIR\n"
              "              --pidfile FILE --container-pidfile FILE [--log-size-max BYTES]\n"
              "              [--sync-pipe-fd N] [--runtime-arg ARG]... [--runtime-opt ARG]...\n"
              "              [--ctl-path FIFO] [--conmon-log FILE] [--log-level LEVEL]\n"
              "              [--terminal] [--stdin [--stdin-once | --leave-stdin-open]] [--attach-socket PATH]\n"
              "       conmon --exec-sync --cid ID --runtime PATH [--runtime-arg ARG]... [--runtime-opt ARG]...\n"
              "              --exec-process-spec FILE [--timeout SECS] [--exec-output-max BYTES] [--log-level LEVEL]\n",
              f);
}

static void options_done(ConmonOptions *o) {
        free(o->cid);
        free(o->runtime);
        free(o->bundle);
        free(o->log_path);
        free(o->exit_dir);
        free(o->pid_file);
        free(o->container_pid_file);
        free(o->ctl_path);
        free(o->conmon_log);
        free(o->attach_socket);
        free(o->exec_process_spec);
        strv_free(o->runtime_args);
        strv_free(o->runtime_opts);
}

/* An absolute copy of path (conmon moves to "/" after detaching). */
static int absolute(const char *opt, const char *path, char **ret, CrioError *err) {
        if (!*path)
                return crio_error_set(err, EINVAL, "--%s: empty path", opt);
        char *s = NULL;
        if (path[0] == '/')
                s = strdup(path);
        else {
                char cwd[PATH_MAX];
                if (!getcwd(cwd, sizeof cwd))
                        return crio_error_set_errno(err, errno, "--%s %s: current directory", opt, path);
                if (asprintf(&s, "%s/%s", cwd, path) < 0)
                        s = NULL;
        }
        if (!s)
                return crio_error_set(err, ENOMEM, "out of memory");
        free(*ret);
        *ret = s;
        return 0;
}

static int parse_int64(const char *opt, const char *s, int64_t min, int64_t *ret, CrioError *err) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min)
                return crio_error_set(err, EINVAL, "--%s: invalid number \"%s\"", opt, s);
        *ret = v;
        return 0;
}

/* The options each mode needs, and those it refuses. */
static int check_mode(ConmonOptions *o, bool leave_stdin_open, CrioError *err) {
        struct {
                const char *name;
                const char *value;
        } container[] = {
                { "cid", o->cid }, { "runtime", o->runtime }, { "bundle", o->bundle },
                { "log-path", o->log_path }, { "exit-dir", o->exit_dir }, { "pidfile", o->pid_file },
                { "container-pidfile", o->container_pid_file },
        }, exec_sync[] = {
                { "cid", o->cid }, { "runtime", o->runtime }, { "exec-process-spec", o->exec_process_spec },
        };
        size_t n = o->exec_sync ? ELEMENTSOF(exec_sync) : ELEMENTSOF(container);
        for (size_t i = 0; i < n; i++) {
                const char *name = o->exec_sync ? exec_sync[i].name : container[i].name;
                const char *value = o->exec_sync ? exec_sync[i].value : container[i].value;
                if (!value || !*value)
                        return crio_error_set(err, EINVAL, "--%s is required", name);
        }
        if (o->exec_sync) {
                if (o->terminal || o->stdin_open || o->attach_socket || o->sync_fd >= 0 || o->bundle)
                        return crio_error_set(err, EINVAL, "--exec-sync takes no --terminal, --stdin, --attach-socket, "
                                                           "--sync-pipe-fd or --bundle");
                return 0;
        }
        if (o->exec_process_spec || o->timeout > 0)
                return crio_error_set(err, EINVAL, "--exec-process-spec and --timeout need --exec-sync");
        if ((o->stdin_once || leave_stdin_open) && !o->stdin_open)
                return crio_error_set(err, EINVAL, "--stdin-once and --leave-stdin-open need --stdin");
        if (o->stdin_once && leave_stdin_open)
                return crio_error_set(err, EINVAL, "--stdin-once and --leave-stdin-open contradict each other");
        return 0;
}

static int parse_options(int argc, char **argv, ConmonOptions *o, CrioError *err) {
        int c, r = 0;
        int64_t v;
        bool leave_stdin_open = false;
        while (r >= 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
                switch (c) {
                case OPT_CID:
                        free(o->cid);
                        o->cid = strdup(optarg);
                        break;
                case OPT_RUNTIME:
                        free(o->runtime);
                        o->runtime = strdup(optarg);
                        break;
                case OPT_BUNDLE: r = absolute("bundle", optarg, &o->bundle, err); break;
                case OPT_LOG_PATH: r = absolute("log-path", optarg, &o->log_path, err); break;
                case OPT_EXIT_DIR: r = absolute("exit-dir", optarg, &o->exit_dir, err); break;
                case OPT_PIDFILE: r = absolute("pidfile", optarg, &o->pid_file, err); break;
                case OPT_CONTAINER_PIDFILE: r = absolute("container-pidfile", optarg, &o->container_pid_file, err); break;
                case OPT_CTL_PATH: r = absolute("ctl-path", optarg, &o->ctl_path, err); break;
                case OPT_CONMON_LOG: r = absolute("conmon-log", optarg, &o->conmon_log, err); break;
                case OPT_ATTACH_SOCKET: r = absolute("attach-socket", optarg, &o->attach_socket, err); break;
                case OPT_EXEC_PROCESS_SPEC: r = absolute("exec-process-spec", optarg, &o->exec_process_spec, err); break;
                case OPT_TERMINAL: o->terminal = true; break;
                case OPT_STDIN: o->stdin_open = true; break;
                case OPT_STDIN_ONCE: o->stdin_once = true; break;
                case OPT_LEAVE_STDIN_OPEN: leave_stdin_open = true; break;
                case OPT_EXEC_SYNC: o->exec_sync = true; break;
                case OPT_TIMEOUT:
                        r = parse_int64("timeout", optarg, 0, &o->timeout, err);
                        if (r >= 0 && o->timeout > EXEC_TIMEOUT_MAX)
                                r = crio_error_set(err, EINVAL, "--timeout: more than %d seconds", EXEC_TIMEOUT_MAX);
                        break;
                case OPT_EXEC_OUTPUT_MAX:
                        r = parse_int64("exec-output-max", optarg, 0, &o->exec_output_max, err);
                        break;
                case OPT_LOG_SIZE_MAX:
                        r = parse_int64("log-size-max", optarg, -1, &o->log_size_max, err);
                        break;
                case OPT_SYNC_PIPE_FD:
                        r = parse_int64("sync-pipe-fd", optarg, 3, &v, err); /* not stdio: that is replaced */
                        if (r >= 0 && v > INT_MAX)
                                r = crio_error_set(err, EINVAL, "--sync-pipe-fd: invalid fd \"%s\"", optarg);
                        if (r >= 0 && fcntl((int) v, F_GETFD) < 0)
                                r = crio_error_set_errno(err, errno, "--sync-pipe-fd %s", optarg);
                        if (r >= 0)
                                o->sync_fd = (int) v;
                        break;
                case OPT_RUNTIME_ARG: r = strv_push(&o->runtime_args, optarg); break;
                case OPT_RUNTIME_OPT: r = strv_push(&o->runtime_opts, optarg); break;
                case OPT_LOG_LEVEL: {
                        LogLevel l;
                        r = log_level_from_string(optarg, &l);
                        if (r < 0)
                                r = crio_error_set(err, EINVAL, "--log-level: unknown level \"%s\"", optarg);
                        else
                                log_set_level(l);
                        break;
                }
                case OPT_HELP:
                        usage(stdout);
                        exit(EXIT_SUCCESS);
                case OPT_VERSION:
                        printf("conmon (crio) version %s\n", CRIO_VERSION);
                        exit(EXIT_SUCCESS);
                default:
                        return crio_error_set(err, EINVAL, "invalid arguments (see --help)");
                }
        }
        if (r < 0)
                return crio_error_set(err, -r, "parsing arguments: %s", strerror(-r));
        if (optind < argc)
                return crio_error_set(err, EINVAL, "unexpected argument \"%s\"", argv[optind]);
        r = check_mode(o, leave_stdin_open, err);
        if (r < 0)
                return r;
        /* the id names the exit file: one plain path component */
        if (strlen(o->cid) > CID_MAX || strchr(o->cid, '/') || streq_null(o->cid, ".") || streq_null(o->cid, ".."))
                return crio_error_set(err, EINVAL, "invalid container id \"%s\"", o->cid);
        if (!o->exec_sync && !o->ctl_path && asprintf(&o->ctl_path, "%s/ctl", o->bundle) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* After start-up conmon's own messages go to --conmon-log, or nowhere. */
static int redirect_stdio(const char *conmon_log, CrioError *err) {
        _cleanup_close_ int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0)
                return crio_error_set_errno(err, errno, "opening /dev/null");
        _cleanup_close_ int log_fd = -1;
        if (conmon_log) {
                log_fd = open(conmon_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
                if (log_fd < 0)
                        return crio_error_set_errno(err, errno, "opening %s", conmon_log);
        }
        if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(null_fd, STDOUT_FILENO) < 0 ||
            dup2(log_fd >= 0 ? log_fd : null_fd, STDERR_FILENO) < 0)
                return crio_error_set_errno(err, errno, "redirecting stdio");
        log_open();
        return 0;
}

/* Before the report on the sync pipe, a failure goes there as well. */
static int fail(const ConmonOptions *o, CrioError *err) {
        log_error("%s", err->msg);
        if (o->sync_fd >= 0)
                sync_report(o->sync_fd, -1, err->msg, NULL);
        return EXIT_FAILURE;
}

int main(int argc, char **argv) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_(options_done) ConmonOptions o = { .sync_fd = -1, .log_size_max = -1,
                                                    .exec_output_max = EXEC_OUTPUT_MAX_DEFAULT };
        log_open();
        if (parse_options(argc, argv, &o, &err) < 0) {
                log_error("%s", err.msg);
                usage(stderr);
                return EXIT_FAILURE;
        }
        /* nothing inherited beyond stdio and the sync pipe stays open (a caller waiting for
         * its pipes to close must not wait for the container), and that reaches no child */
        if (o.sync_fd < 0)
                close_range(3, ~0U, 0);
        else {
                if (o.sync_fd > 3)
                        close_range(3, (unsigned) o.sync_fd - 1, 0);
                close_range((unsigned) o.sync_fd + 1, ~0U, 0);
                fcntl(o.sync_fd, F_SETFD, FD_CLOEXEC);
        }
        signal(SIGPIPE, SIG_IGN);
        tzset();

        if (o.exec_sync) {
                /* in the foreground: the answer goes to stdout */
                if (exec_sync_run(&o, &err) < 0) {
                        log_error("%s", err.msg);
                        return EXIT_FAILURE;
                }
                return EXIT_SUCCESS;
        }

        int ready = detach(&err);
        if (ready < 0)
                return fail(&o, &err);
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%d", (int) getpid());
        if (write_file_replace(o.pid_file, pid, (size_t) n, 0644, &err) < 0)
                return fail(&o, &err);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
                crio_error_set_errno(&err, errno, "becoming a child subreaper");
                return fail(&o, &err);
        }
        if (chdir("/") < 0) {
                crio_error_set_errno(&err, errno, "changing to /");
                return fail(&o, &err);
        }
        if (redirect_stdio(o.conmon_log, &err) < 0)
                return fail(&o, &err);
        detach_ready(ready);

        if (monitor_run(&o, &err) < 0) {
                log_error("%s", err.msg);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
