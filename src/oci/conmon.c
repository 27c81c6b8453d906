/* See runtime.h: starting conmon and reading its sync-pipe report (conmon/README.md). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci/runtime.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/spawn.h"
#include "util/strv.h"

#define SYNC_LINE_MAX (16u * 1024u)

static int64_t mono_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the report until EOF or the deadline. */
static int read_sync(int fd, int64_t timeout_ms, char **ret, CrioError *err) {
        _cleanup_free_ char *buf = malloc(SYNC_LINE_MAX + 1);
        if (!buf)
                return crio_error_set(err, ENOMEM, "out of memory");
        size_t len = 0;
        int64_t deadline = mono_ms() + timeout_ms;
        for (;;) {
                int64_t left = deadline - mono_ms();
                if (left <= 0)
                        return crio_error_set(err, ETIMEDOUT, "conmon did not report within %" PRId64 " ms", timeout_ms);
                struct pollfd p = { fd, POLLIN, 0 };
                int n = poll(&p, 1, (int) (left > 60000 ? 60000 : left));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return crio_error_set_errno(err, errno, "waiting for conmon");
                if (n == 0)
                        continue;
                ssize_t k = read(fd, buf + len, SYNC_LINE_MAX - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return crio_error_set_errno(err, errno, "reading conmon's report");
                if (k == 0 || len + (size_t) k >= SYNC_LINE_MAX)
                        break;
                len += (size_t) k;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

static int parse_sync(const char *line, pid_t *ret_pid, CrioError *err) {
        g_autoptr(JsonParser) p = json_parser_new();
        if (!line[0])
                return crio_error_set(err, EIO, "conmon exited without reporting a result");
        if (!json_parser_load_from_data(p, line, -1, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
                return crio_error_set(err, EIO, "conmon's report is not a JSON object: %.200s", line);
        JsonObject *o = json_node_get_object(json_parser_get_root(p));
        int64_t pid = json_object_get_int_member_with_default(o, "pid", -1);
        if (pid <= 0) {
                const char *m = json_object_get_string_member_with_default(o, "message", "no message");
                return crio_error_set(err, EIO, "%s", m);
        }
        *ret_pid = (pid_t) pid;
        return 0;
}

int oci_conmon_create(const OciConmonOptions *o, pid_t *ret_pid, pid_t *ret_conmon_pid, CrioError *err) {
        char size[32];
        snprintf(size, sizeof size, "%" PRId64, o->log_size_max > 0 ? o->log_size_max : -1);
        const char *argv[64];
        size_t n = 0;
        argv[n++] = o->conmon;
        argv[n++] = "--cid", argv[n++] = o->id;
        argv[n++] = "--runtime", argv[n++] = o->runtime->path;
        if (o->runtime->root && o->runtime->root[0])
                argv[n++] = "--runtime-arg", argv[n++] = "--root", argv[n++] = "--runtime-arg", argv[n++] = o->runtime->root;
        if (o->runtime->systemd_cgroup)
                argv[n++] = "--runtime-arg", argv[n++] = "--systemd-cgroup";
        argv[n++] = "--bundle", argv[n++] = o->bundle;
        argv[n++] = "--log-path", argv[n++] = o->log_path;
        argv[n++] = "--log-size-max", argv[n++] = size;
        argv[n++] = "--exit-dir", argv[n++] = o->exit_dir;
        argv[n++] = "--pidfile", argv[n++] = o->pidfile;
        argv[n++] = "--container-pidfile", argv[n++] = o->container_pidfile;
        argv[n++] = "--sync-pipe-fd", argv[n++] = "3";
        if (o->attach_socket)
                argv[n++] = "--attach-socket", argv[n++] = o->attach_socket;
        if (o->terminal)
                argv[n++] = "--terminal";
        if (o->stdin_open)
                argv[n++] = "--stdin";
        if (o->stdin_open && o->stdin_once)
                argv[n++] = "--stdin-once";
        if (o->log_level)
                argv[n++] = "--log-level", argv[n++] = o->log_level;
        argv[n] = NULL;

        int sync[2];
        if (pipe2(sync, O_CLOEXEC) < 0)
                return crio_error_set_errno(err, errno, "conmon for %s: pipe", o->id);
        _cleanup_close_ int sync_r = sync[0];
        _cleanup_(spawn_result_clear) SpawnResult res = { 0 };
        SpawnOptions so = { .argv = (char *const *) argv, .envp = o->env, .stdin_fd = -1, .keep_fds = &sync[1],
                            .n_keep_fds = 1, .timeout_ms = OCI_CONMON_CREATE_TIMEOUT_MS };
        int r = spawn_run(&so, &res, err);
        close(sync[1]);
        if (r < 0)
                return crio_error_prefix(err, "starting conmon for %s: ", o->id);
        if (res.status != 0)
                return crio_error_set(err, EIO, "conmon for %s failed (status %d): %s", o->id, res.status,
                                      spawn_result_message(&res));
        _cleanup_free_ char *line = NULL;
        r = read_sync(sync_r, OCI_CONMON_CREATE_TIMEOUT_MS, &line, err);
        if (r < 0)
                return r;
        pid_t pid = 0;
        r = parse_sync(line, &pid, err);
        if (r < 0)
                return crio_error_prefix(err, "creating container %s: ", o->id);
        pid_t cpid = 0;
        _cleanup_free_ char *pidtxt = NULL;
        if (read_file(o->pidfile, 64, &pidtxt, NULL, NULL) >= 0)
                cpid = (pid_t) strtol(pidtxt, NULL, 10);
        *ret_pid = pid;
        if (ret_conmon_pid)
                *ret_conmon_pid = cpid;
        return 0;
}
