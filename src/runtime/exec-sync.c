/* ExecSync: a command run in a running container through conmon's exec-sync mode, with the
 * container's own process settings (user, env, cwd, capabilities) and new arguments. */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/spawn.h"

#define SPEC_MAX (4u * 1024u * 1024u)
/* conmon answers with base64 of up to RT_EXEC_OUTPUT_MAX bytes of each stream. */
#define ANSWER_MAX ((RT_EXEC_OUTPUT_MAX / 3 + 1) * 4 * 2 + 4096)

/* The container's "process" with args replaced and no terminal, as a JSON document. */
static int process_spec(const char *bundle, char *const *argv, char **ret, CrioError *err) {
        _cleanup_free_ char *path = NULL, *doc = NULL;
        if (asprintf(&path, "%s/config.json", bundle) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        int r = read_file(path, SPEC_MAX, &doc, NULL, err);
        if (r < 0)
                return r;
        g_autoptr(JsonParser) p = json_parser_new();
        if (!json_parser_load_from_data(p, doc, -1, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
                return crio_error_set(err, EIO, "%s is not a JSON object", path);
        JsonObject *process = json_object_get_object_member(json_node_get_object(json_parser_get_root(p)), "process");
        if (!process)
                return crio_error_set(err, EIO, "%s has no process", path);
        JsonArray *args = json_array_new();
        for (char *const *a = argv; *a; a++)
                json_array_add_string_element(args, *a);
        json_object_set_array_member(process, "args", args);
        json_object_set_boolean_member(process, "terminal", FALSE);
        json_object_remove_member(process, "consoleSize");
        g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
        json_node_set_object(node, process);
        gchar *t = json_to_string(node, FALSE);
        *ret = t ? strdup(t) : NULL;
        g_free(t);
        return *ret ? 0 : crio_error_set(err, ENOMEM, "out of memory");
}

static int decode(JsonObject *o, const char *key, char **ret, size_t *ret_len, CrioError *err) {
        const char *b64 = json_object_get_string_member_with_default(o, key, "");
        gsize n = 0;
        guchar *d = g_base64_decode(b64, &n);
        char *out = malloc(n + 1);
        if (!out) {
                g_free(d);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        if (n)
                memcpy(out, d, n);
        out[n] = '\0';
        g_free(d);
        *ret = out;
        *ret_len = n;
        return 0;
}

int rt_container_exec_sync(Rt *rt, const char *id, char *const *argv, int64_t timeout_s, RtExecResult *ret,
                           CrioError *err) {
        if (!argv || !argv[0] || !argv[0][0])
                return crio_error_set(err, EINVAL, "no command to run (cmd is empty)");
        if (timeout_s < 0)
                return crio_error_set(err, EINVAL, "timeout %lld is negative", (long long) timeout_s);
        _cleanup_(rt_container_unrefp) RtContainer *c = NULL;
        pthread_mutex_lock(&rt->lock);
        int r = rt_find_container_locked(rt, id, false, &c, err);
        if (r >= 0 && c->state != RT_CTR_RUNNING)
                r = crio_error_set(err, EBUSY, "container %s is not running", c->id);
        if (r >= 0)
                rt_container_ref(c);
        else
                c = NULL;
        pthread_mutex_unlock(&rt->lock);
        if (r < 0)
                return r;
        _cleanup_free_ char *spec = NULL, *spec_path = NULL;
        unsigned char rnd[8];
        if (getrandom(rnd, sizeof rnd, 0) != (ssize_t) sizeof rnd)
                return crio_error_set_errno(err, errno, "getrandom");
        if ((r = process_spec(c->bundle, argv, &spec, err)) < 0)
                return r;
        if (asprintf(&spec_path, "%s/exec-%02x%02x%02x%02x%02x%02x%02x%02x.json", c->bundle, rnd[0], rnd[1], rnd[2],
                     rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = write_file_replace(spec_path, spec, strlen(spec), 0600, err)) < 0)
                return r;
        char timeout[32];
        snprintf(timeout, sizeof timeout, "%lld", (long long) timeout_s);
        const char *args[20];
        size_t n = 0;
        args[n++] = rt->o.conmon;
        args[n++] = "--exec-sync";
        args[n++] = "--cid", args[n++] = c->id;
        args[n++] = "--runtime", args[n++] = c->runtime_path;
        if (c->runtime_root && c->runtime_root[0])
                args[n++] = "--runtime-arg", args[n++] = "--root", args[n++] = "--runtime-arg", args[n++] = c->runtime_root;
        args[n++] = "--exec-process-spec", args[n++] = spec_path;
        args[n++] = "--timeout", args[n++] = timeout;
        args[n] = NULL;
        _cleanup_(spawn_result_clear) SpawnResult res = { 0 };
        /* conmon enforces the timeout; this one only guards against conmon itself hanging */
        SpawnOptions so = { .argv = (char *const *) args, .envp = rt->o.conmon_env, .stdin_fd = -1,
                            .timeout_ms = timeout_s > 0 ? (timeout_s + 30) * 1000 : 0, .capture_max = ANSWER_MAX };
        r = spawn_run(&so, &res, err);
        (void) unlink(spec_path);
        if (r < 0)
                return r;
        if (res.status != 0)
                return crio_error_set(err, EIO, "exec in container %s failed: %s", c->id, spawn_result_message(&res));
        g_autoptr(JsonParser) p = json_parser_new();
        if (!json_parser_load_from_data(p, res.out, (gssize) res.out_len, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
                return crio_error_set(err, EIO, "exec in container %s: conmon's answer is not JSON", c->id);
        JsonObject *o = json_node_get_object(json_parser_get_root(p));
        if (json_object_get_boolean_member_with_default(o, "timed_out", FALSE))
                return crio_error_set(err, ETIMEDOUT, "command \"%s\" in container %s timed out after %lld s", argv[0],
                                      c->id, (long long) timeout_s);
        RtExecResult out = { .exit_code = (int) json_object_get_int_member_with_default(o, "exit_code", -1) };
        if ((r = decode(o, "stdout", &out.out, &out.out_len, err)) < 0)
                return r;
        if ((r = decode(o, "stderr", &out.err, &out.err_len, err)) < 0) {
                free(out.out);
                return r;
        }
        *ret = out;
        return 0;
}
