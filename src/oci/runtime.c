/* See runtime.h: runc/crun start, kill, delete, state, update. */
#include "runtime.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/spawn.h"

#define ARGV_MAX 16

/* Runs "<path> [--root R] args..." and fills *res. Returns 0 if it ran (any status). */
static int run(const OciRuntime *rt, const char *const *args, int64_t timeout_ms, SpawnResult *res, CrioError *err) {
        const char *argv[ARGV_MAX];
        size_t n = 0;
        argv[n++] = rt->path;
        if (rt->root && rt->root[0]) {
                argv[n++] = "--root";
                argv[n++] = rt->root;
        }
        for (size_t i = 0; args[i] && n < ARGV_MAX - 1; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        SpawnOptions o = { .argv = (char *const *) argv, .stdin_fd = -1, .timeout_ms = timeout_ms };
        int r = spawn_run(&o, res, err);
        if (r < 0)
                return crio_error_prefix(err, "%s %s: ", rt->name, args[0]);
        return 0;
}

static bool says_absent(const char *msg) {
        return strstr(msg, "does not exist") || strstr(msg, "not found") || strstr(msg, "No such file");
}

/* Runs a command that must succeed; -ENOENT when the runtime says the container is absent. */
static int run_ok(const OciRuntime *rt, const char *id, const char *const *args, CrioError *err) {
        _cleanup_(spawn_result_clear) SpawnResult res = { 0 };
        int r = run(rt, args, OCI_RUNTIME_TIMEOUT_MS, &res, err);
        if (r < 0)
                return r;
        if (res.status == 0)
                return 0;
        const char *msg = spawn_result_message(&res);
        return crio_error_set(err, says_absent(msg) ? ENOENT : EIO, "%s %s %s failed (status %d): %s", rt->name,
                              args[0], id, res.status, msg);
}

int oci_runtime_start(const OciRuntime *rt, const char *id, CrioError *err) {
        const char *args[] = { "start", id, NULL };
        return run_ok(rt, id, args, err);
}

int oci_runtime_kill(const OciRuntime *rt, const char *id, int sig, bool all, CrioError *err) {
        char s[16];
        snprintf(s, sizeof s, "%d", sig);
        const char *args[] = { "kill", all ? "--all" : id, all ? id : s, all ? s : NULL, NULL };
        return run_ok(rt, id, args, err);
}

int oci_runtime_delete(const OciRuntime *rt, const char *id, bool force, CrioError *err) {
        const char *args[] = { "delete", force ? "--force" : id, force ? id : NULL, NULL };
        int r = run_ok(rt, id, args, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                return 0;
        }
        return r;
}

int oci_runtime_update(const OciRuntime *rt, const char *id, const char *resources_file, CrioError *err) {
        const char *args[] = { "update", "--resources", resources_file, id, NULL };
        return run_ok(rt, id, args, err);
}

int oci_runtime_state(const OciRuntime *rt, const char *id, char **ret_status, pid_t *ret_pid, CrioError *err) {
        const char *args[] = { "state", id, NULL };
        _cleanup_(spawn_result_clear) SpawnResult res = { 0 };
        int r = run(rt, args, OCI_RUNTIME_TIMEOUT_MS, &res, err);
        if (r < 0)
                return r;
        if (res.status != 0) {
                const char *msg = spawn_result_message(&res);
                return crio_error_set(err, says_absent(msg) ? ENOENT : EIO, "%s state %s failed: %s", rt->name, id, msg);
        }
        g_autoptr(JsonParser) p = json_parser_new();
        if (!json_parser_load_from_data(p, res.out, (gssize) res.out_len, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
                return crio_error_set(err, EIO, "%s state %s: output is not a JSON object", rt->name, id);
        JsonObject *o = json_node_get_object(json_parser_get_root(p));
        const char *status = json_object_get_string_member_with_default(o, "status", NULL);
        if (!status)
                return crio_error_set(err, EIO, "%s state %s: no status in the output", rt->name, id);
        char *s = strdup(status);
        if (!s)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_status = s;
        if (ret_pid)
                *ret_pid = (pid_t) json_object_get_int_member_with_default(o, "pid", 0);
        return 0;
}
