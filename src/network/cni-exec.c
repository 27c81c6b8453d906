/* See cni.h: cni_add, cni_del and cni_check, running a network's plugins one at a time. No
 * lock is held here: the network is a reference taken from the Cni, immutable, and every
 * call builds its own JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "network/cni-attach.h"
#include "network/cni-cache.h"
#include "network/cni-private.h"
#include "network/cni-result.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/strv.h"

static void spawn_result_clearp(SpawnResult *r) {
        spawn_result_clear(r);
}

/* A memfd (CLOEXEC) holding data, read from its start. */
static int stdin_fd(const char *data, size_t len, CrioError *err) {
        _cleanup_close_ int fd = memfd_create("cni-stdin", MFD_CLOEXEC);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "memfd_create");
        for (size_t done = 0; done < len;) {
                ssize_t n = write(fd, data + done, len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return crio_error_set_errno(err, errno, "writing a plugin's stdin");
                done += (size_t) n;
        }
        if (lseek(fd, 0, SEEK_SET) < 0)
                return crio_error_set_errno(err, errno, "writing a plugin's stdin");
        return TAKE_FD(fd);
}

/* The error of a plugin that exited with a non-zero status. */
static int plugin_failed(const char *type, const char *command, SpawnResult *res, CrioError *err) {
        _cleanup_free_ char *m = cni_error_message(res->out, res->out_len);
        if (m)
                return crio_error_set(err, EIO, "plugin %s (%s) failed: %s", type, command, m);
        const char *text = spawn_result_message(res);
        if (!text[0])
                return crio_error_set(err, EIO, "plugin %s (%s) failed with status %d", type, command, res->status);
        int len = (int) strnlen(text, CNI_ERROR_MAX_MESSAGE);
        return crio_error_set(err, EIO, "plugin %s (%s) failed with status %d: %.*s", type, command, res->status, len,
                              text);
}

/* Runs one plugin of net for command (ADD, DEL, CHECK) with prev as prevResult (may be
 * NULL). With ret_result (ADD), *ret_result is the plugin's result. */
static int run_plugin(Cni *c, const char *command, const CniNetwork *net, const CniPlugin *p, const CniAttachment *a,
                      JsonNode *prev, JsonNode **ret_result, CrioError *err) {
        _cleanup_free_ char *path = NULL, *input = NULL;
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_(spawn_result_clearp) SpawnResult res = { 0 };
        _cleanup_(crio_error_clear) CrioError e = {};
        size_t len = 0;
        int r = cni_plugin_find(c->plugin_dirs, p->type, &path);
        if (r < 0) {
                g_autofree char *dirs = g_strjoinv(":", c->plugin_dirs ? c->plugin_dirs : (char *[]){ NULL });
                return crio_error_set(err, -r, "plugin %s (%s): not found in %s", p->type, command, dirs);
        }
        if ((r = cni_plugin_stdin(net, p, a, prev, &input, &len, err)) < 0)
                return r;
        _cleanup_close_ int fd = stdin_fd(input, len, err);
        if (fd < 0)
                return fd;
        if (!(env = cni_plugin_env(command, a, c->plugin_dirs)))
                return crio_error_set(err, ENOMEM, "out of memory");
        int64_t timeout = c->timeout_ms > 0 ? c->timeout_ms : CNI_DEFAULT_TIMEOUT_MS;
        SpawnOptions o = { .argv = (char *[]){ path, NULL }, .envp = env, .stdin_fd = fd, .timeout_ms = timeout,
                           .capture_max = CNI_MAX_RESULT_SIZE + 1 };
        log_debug("CNI: %s of pod %s: plugin %s of network %s", command, a->container_id, p->type, net->name);
        r = spawn_run(&o, &res, &e);
        if (r == -ETIMEDOUT)
                return crio_error_set(err, ETIMEDOUT,
                                      "plugin %s (%s) did not finish within %" PRId64 " ms and was killed", p->type,
                                      command, timeout);
        if (r < 0)
                return crio_error_set(err, -r, "plugin %s (%s): %s", p->type, command, e.msg ? e.msg : strerror(-r));
        if (res.err_len > 0)
                log_debug("CNI: plugin %s (%s) said on stderr: %.*s", p->type, command, CNI_ERROR_MAX_MESSAGE, res.err);
        if (res.status != 0)
                return plugin_failed(p->type, command, &res, err);
        if (!ret_result)
                return 0;
        if (res.out_len > CNI_MAX_RESULT_SIZE)
                return crio_error_set(err, EPROTO, "plugin %s (%s) printed more than %u bytes", p->type, command,
                                      CNI_MAX_RESULT_SIZE);
        if (cni_result_parse(res.out, res.out_len, ret_result, NULL, &e) < 0)
                return crio_error_set(err, EPROTO, "plugin %s (%s) gave an invalid result: %s", p->type, command,
                                      e.msg);
        return 0;
}

/* ADD through the plugins in order, each result the next one's prevResult. */
static int add_list(Cni *c, const CniNetwork *net, const CniAttachment *a, JsonNode **ret_result, CrioError *err) {
        g_autoptr(JsonNode) prev = NULL;
        for (size_t i = 0; i < net->n_plugins; i++) {
                JsonNode *result = NULL;
                int r = run_plugin(c, "ADD", net, &net->plugins[i], a, prev, &result, err);
                if (r < 0)
                        return r;
                g_clear_pointer(&prev, json_node_unref);
                prev = result;
        }
        *ret_result = TAKE_PTR(prev);
        return 0;
}

/* DEL through the plugins in reverse order, every one even when one fails: the first error. */
static int del_list(Cni *c, const CniNetwork *net, const CniAttachment *a, JsonNode *prev, CrioError *err) {
        int first = 0;
        for (size_t i = net->n_plugins; i-- > 0;) {
                _cleanup_(crio_error_clear) CrioError e = {};
                int r = run_plugin(c, "DEL", net, &net->plugins[i], a, prev, NULL, &e);
                if (r < 0) {
                        log_debug("CNI: DEL of pod %s: %s", a->container_id, e.msg ? e.msg : strerror(-r));
                        if (first == 0) {
                                first = r;
                                crio_error_move(err, &e);
                        }
                }
        }
        return first;
}

/* The prevResult DEL and CHECK give: the cached result, from specification 0.4.0 on. */
static JsonNode *cached_prev(const CniNetwork *net, const CniAttachment *a) {
        return cni_version_at_least(net->cni_version, 0, 4, 0) ? a->result : NULL;
}

static int check_pod(const CniPod *pod, bool need_netns, CrioError *err) {
        if (!pod || !cni_name_valid(pod->id))
                return crio_error_set(err, EINVAL, "invalid pod ID \"%s\" for CNI", pod && pod->id ? pod->id : "");
        if (need_netns && (!pod->netns || !pod->netns[0]))
                return crio_error_set(err, EINVAL, "pod %s has no network namespace", pod->id);
        return 0;
}

static int replace_netns(CniAttachment *a, const char *netns, CrioError *err) {
        free(a->netns);
        a->netns = NULL;
        if (netns && netns[0] && !(a->netns = strdup(netns)))
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

int cni_add(Cni *c, const CniPod *pod, char ***ret_ips, CrioError *err) {
        _cleanup_(cni_network_unrefp) CniNetwork *net = NULL;
        _cleanup_(cni_attachment_freep) CniAttachment *a = NULL;
        _cleanup_strv_free_ char **ips = NULL;
        g_autoptr(JsonNode) result = NULL;
        int r = check_pod(pod, true, err);
        if (r < 0)
                return r;
        if (!(net = cni_current_network(c))) {
                pthread_mutex_lock(&c->lock);
                _cleanup_free_ char *why = strdup_or_null(c->message);
                pthread_mutex_unlock(&c->lock);
                return crio_error_set(err, ENETDOWN, "no CNI network for pod %s%s%s", pod->id, why ? ": " : "",
                                      why ? why : "");
        }
        if ((r = cni_attachment_from_pod(pod, &a, err)) < 0)
                return r;
        if ((r = add_list(c, net, a, &result, err)) >= 0 && (r = cni_result_ips(result, &ips, err)) >= 0)
                r = cni_cache_write(c->cache_dir, net, a, result, err);
        if (r < 0) {
                /* leave nothing behind: DEL of every plugin, errors only logged */
                (void) del_list(c, net, a, NULL, NULL);
                _cleanup_strv_free_ char **stale = NULL;
                if (cni_cache_find(c->cache_dir, pod->id, &stale, NULL) >= 0)
                        for (size_t i = 0; stale[i]; i++) {
                                _cleanup_(cni_attachment_freep) CniAttachment *old = NULL;
                                if (cni_cache_load(stale[i], pod->id, &old, NULL) >= 0 &&
                                    strcmp(old->network_name, net->name) == 0)
                                        (void) cni_cache_remove(stale[i], NULL);
                        }
                return r;
        }
        *ret_ips = TAKE_PTR(ips);
        return 0;
}

/* One cache entry of a pod: its network rebuilt from the cached list (*ret_net) and its
 * attachment with the pod's netns now; 0 when usable, -ENOENT when the entry is another
 * pod's, another negative errno when it cannot be used. */
static int load_entry(const char *path, const CniPod *pod, CniNetwork **ret_net, CniAttachment **ret, CrioError *err) {
        _cleanup_(cni_attachment_freep) CniAttachment *a = NULL;
        _cleanup_(cni_network_unrefp) CniNetwork *net = NULL;
        int r = cni_cache_load(path, pod->id, &a, err);
        if (r < 0)
                return r;
        /* libcni caches a single .conf as it is, crio the list form: tell them apart */
        g_autoptr(JsonNode) config = NULL;
        bool is_list = cni_json_parse_object("cached config", a->config, a->config_len, CNI_MAX_CONFIG_SIZE,
                                             CNI_CACHE_MAX_DEPTH, &config, NULL) >= 0 &&
                       json_object_has_member(json_node_get_object(config), "plugins");
        if ((r = cni_network_parse("", a->config, a->config_len, is_list, &net, err)) < 0) {
                crio_error_prefix(err, "%s: ", path);
                return r;
        }
        if ((r = replace_netns(a, pod->netns, err)) < 0)
                return r;
        *ret_net = TAKE_PTR(net);
        *ret = TAKE_PTR(a);
        return 0;
}

/* DEL with the current default network (none: nothing to do). */
static int del_current(Cni *c, const CniPod *pod, CrioError *err) {
        _cleanup_(cni_network_unrefp) CniNetwork *net = cni_current_network(c);
        _cleanup_(cni_attachment_freep) CniAttachment *a = NULL;
        if (!net) {
                log_debug("CNI: DEL of pod %s: no cached result and no network, nothing to do", pod->id);
                return 0;
        }
        int r = cni_attachment_from_pod(pod, &a, err);
        return r < 0 ? r : del_list(c, net, a, NULL, err);
}

int cni_del(Cni *c, const CniPod *pod, CrioError *err) {
        _cleanup_strv_free_ char **paths = NULL, **stale = NULL;
        int r = check_pod(pod, false, err);
        if (r < 0 || (r = cni_cache_find(c->cache_dir, pod->id, &paths, err)) < 0)
                return r;
        int first = 0;
        size_t used = 0;
        for (size_t i = 0; paths[i]; i++) {
                _cleanup_(cni_network_unrefp) CniNetwork *net = NULL;
                _cleanup_(cni_attachment_freep) CniAttachment *a = NULL;
                _cleanup_(crio_error_clear) CrioError e = {};
                r = load_entry(paths[i], pod, &net, &a, &e);
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        /* unusable: DEL with the current network instead, then drop it */
                        log_debug("CNI: DEL of pod %s: cannot use %s", pod->id, e.msg ? e.msg : strerror(-r));
                        if (strv_push(&stale, paths[i]) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                        continue;
                }
                used++;
                r = del_list(c, net, a, cached_prev(net, a), first < 0 ? NULL : err);
                if (r >= 0)
                        r = cni_cache_remove(paths[i], first < 0 ? NULL : err);
                if (r < 0 && first == 0)
                        first = r;
        }
        if (used == 0)
                first = del_current(c, pod, err);
        for (size_t i = 0; first == 0 && stale && stale[i]; i++)
                first = cni_cache_remove(stale[i], err);
        return first;
}

int cni_check(Cni *c, const CniPod *pod, CrioError *err) {
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_(cni_network_unrefp) CniNetwork *net = NULL;
        _cleanup_(cni_attachment_freep) CniAttachment *a = NULL;
        int r = check_pod(pod, true, err);
        if (r < 0 || (r = cni_cache_find(c->cache_dir, pod->id, &paths, err)) < 0)
                return r;
        for (size_t i = 0; paths[i] && !net; i++) {
                _cleanup_(crio_error_clear) CrioError e = {};
                r = load_entry(paths[i], pod, &net, &a, &e);
                if (r < 0 && r != -ENOENT)
                        return crio_error_set(err, -r, "CHECK of pod %s: %s", pod->id, e.msg ? e.msg : strerror(-r));
        }
        if (!net)
                return crio_error_set(err, ENOENT, "CHECK of pod %s: no cached CNI result", pod->id);
        if (!cni_version_at_least(net->cni_version, 0, 4, 0) || net->disable_check) {
                log_debug("CNI: CHECK of pod %s skipped (network %s, cniVersion %s%s)", pod->id, net->name,
                          net->cni_version, net->disable_check ? ", disableCheck" : "");
                return 0;
        }
        for (size_t i = 0; i < net->n_plugins; i++)
                if ((r = run_plugin(c, "CHECK", net, &net->plugins[i], a, cached_prev(net, a), NULL, err)) < 0)
                        return r;
        return 0;
}
