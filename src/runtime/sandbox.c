/* Pod sandboxes: pinned namespaces, /dev/shm, hostname and resolv.conf, the infra container;
 * stop and remove. See lifecycle.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network/cni.h"
#include "oci/selinux.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/rmrf.h"
#include "util/spawn.h"
#include "util/strv.h"

#define RESOLV_MAX (64u * 1024u)
#define PINNS_TIMEOUT_MS (30 * 1000)
#define SHM_OPTIONS "mode=1777,size=65536k"

int rt_container_launch(Rt *rt, RtContainer *c, const RtSandbox *s, const char *rootfs, RtContainerSpecFn fn,
                        void *data, CrioError *err);

static int run_pinns(Rt *rt, char **argv, CrioError *err) {
        _cleanup_(spawn_result_clear) SpawnResult res = { 0 };
        SpawnOptions o = { .argv = argv, .stdin_fd = -1, .timeout_ms = PINNS_TIMEOUT_MS };
        int r = spawn_run(&o, &res, err);
        if (r < 0)
                return r;
        if (res.status != 0)
                return crio_error_set(err, EIO, "%s failed: %s", rt->o.pinns, spawn_result_message(&res));
        return 0;
}

/* Runs crio-pinns --remove while any of the pod's pin files is left (the stop unpins, so
 * the remove after it usually has nothing to do). */
static void unpin(Rt *rt, const RtSandbox *s) {
        const char *pins[] = { s->netns_path, s->ipcns_path, s->utsns_path };
        bool left = false;
        for (size_t i = 0; i < ELEMENTSOF(pins); i++)
                left = left || (pins[i] && access(pins[i], F_OK) == 0);
        if (!left)
                return;
        char *argv[] = { (char *) rt->o.pinns, "--remove", "--dir", (char *) rt->o.namespaces_dir, "--name", (char *) s->id,
                         NULL };
        _cleanup_(crio_error_clear) CrioError e = { 0 };
        if (run_pinns(rt, argv, &e) < 0)
                log_debug("unpinning the namespaces of %s: %s", s->id, e.msg);
}

static int pin(Rt *rt, RtSandbox *s, const RtSandboxConfig *cfg, CrioError *err) {
        bool net = cfg->ns_network != RT_NS_NODE, ipc = cfg->ns_ipc != RT_NS_NODE;
        _cleanup_strv_free_ char **argv = NULL;
        if (strv_push(&argv, rt->o.pinns) < 0 || strv_push(&argv, "--dir") < 0 ||
            strv_push(&argv, rt->o.namespaces_dir) < 0 || strv_push(&argv, "--name") < 0 || strv_push(&argv, s->id) < 0 ||
            (net && (strv_push(&argv, "--net") < 0 || strv_push(&argv, "--uts") < 0)) ||
            (ipc && strv_push(&argv, "--ipc") < 0))
                return crio_error_set(err, ENOMEM, "out of memory");
        for (char *const *k = cfg->sysctls; k && *k; k++)
                if (strv_push(&argv, "--sysctl") < 0 || strv_push(&argv, *k) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        if (!net && !ipc && !cfg->sysctls)
                return 0;
        if (!net && !ipc)
                return crio_error_set(err, EINVAL, "sysctls need a namespace of the pod's own (host network and IPC)");
        int r = run_pinns(rt, argv, err);
        if (r < 0)
                return crio_error_prefix(err, "pinning the namespaces of pod %s: ", s->id);
        if ((net && (asprintf(&s->netns_path, "%s/netns/%s", rt->o.namespaces_dir, s->id) < 0 ||
                     asprintf(&s->utsns_path, "%s/utsns/%s", rt->o.namespaces_dir, s->id) < 0)) ||
            (ipc && asprintf(&s->ipcns_path, "%s/ipcns/%s", rt->o.namespaces_dir, s->id) < 0))
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

static int write_resolv(RtSandbox *s, const RtSandboxConfig *cfg, CrioError *err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (strv_length(cfg->dns_servers) || strv_length(cfg->dns_searches) || strv_length(cfg->dns_options)) {
                GString *g = g_string_new(NULL);
                if (strv_length(cfg->dns_searches)) {
                        g_string_append(g, "search");
                        for (char *const *p = cfg->dns_searches; *p; p++)
                                g_string_append_printf(g, " %s", *p);
                        g_string_append_c(g, '\n');
                }
                for (char *const *p = cfg->dns_servers; p && *p; p++)
                        g_string_append_printf(g, "nameserver %s\n", *p);
                if (strv_length(cfg->dns_options)) {
                        g_string_append(g, "options");
                        for (char *const *p = cfg->dns_options; *p; p++)
                                g_string_append_printf(g, " %s", *p);
                        g_string_append_c(g, '\n');
                }
                len = g->len;
                gchar *txt = g_string_free(g, FALSE);
                data = strdup(txt);
                g_free(txt);
                if (!data)
                        return crio_error_set(err, ENOMEM, "out of memory");
        } else if (read_file("/etc/resolv.conf", RESOLV_MAX, &data, &len, NULL) < 0) {
                data = strdup("");
                len = 0;
        }
        for (size_t i = 0; data && i < len; i++)
                if (data[i] == '\0')
                        return crio_error_set(err, EINVAL, "DNS configuration holds a NUL byte");
        if (asprintf(&s->resolv_path, "%s/resolv.conf", s->dir) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return write_file_replace(s->resolv_path, data ? data : "", len, 0644, err);
}

static int write_hostname(RtSandbox *s, const RtSandboxConfig *cfg, CrioError *err) {
        char host[256] = "";
        const char *h = cfg->hostname;
        if (!h || !h[0]) {
                if (gethostname(host, sizeof host - 1) < 0)
                        return crio_error_set_errno(err, errno, "gethostname");
                h = host;
        }
        if (strlen(h) > 253 || strpbrk(h, "/ \t\n"))
                return crio_error_set(err, EINVAL, "hostname \"%s\" is not valid", h);
        _cleanup_free_ char *line = NULL;
        if (!(s->hostname = strdup(h)) || asprintf(&s->hostname_path, "%s/hostname", s->dir) < 0 ||
            asprintf(&line, "%s\n", h) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return write_file_replace(s->hostname_path, line, strlen(line), 0644, err);
}

/* The SELinux mount label the pod's /dev/shm and files get (rt_sandbox_unlabelled). */
static const char *pod_mount_label(const RtSandbox *s) {
        return rt_sandbox_unlabelled(s) ? NULL : s->mount_label;
}

/* The pod's files bind-mounted into its containers, labelled so that they can read them. */
static int label_pod_files(RtSandbox *s, CrioError *err) {
        const char *label = pod_mount_label(s);
        int r = 0;
        if (label && s->hostname_path)
                r = selinux_relabel(s->hostname_path, label, false, err);
        if (r >= 0 && label && s->resolv_path)
                r = selinux_relabel(s->resolv_path, label, false, err);
        return r;
}

static int mount_shm(RtSandbox *s, CrioError *err) {
        if (asprintf(&s->shm_path, "%s/shm", s->dir) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (mkdir(s->shm_path, 0700) < 0 && errno != EEXIST)
                return crio_error_set_errno(err, errno, "creating %s", s->shm_path);
        const char *label = pod_mount_label(s);
        _cleanup_free_ char *context = label ? selinux_context_option(label) : NULL, *opts = NULL;
        if ((label && !context) || asprintf(&opts, "%s%s%s", SHM_OPTIONS, context ? "," : "", context ? context : "") < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (mount("shm", s->shm_path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
                return crio_error_set_errno(err, errno, "mounting the pod's /dev/shm at %s", s->shm_path);
        return 0;
}

static void unmount_shm(RtSandbox *s) {
        if (s->shm_path && umount2(s->shm_path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                log_debug("unmounting %s: %m", s->shm_path);
}

static CniPod cni_pod_of(const RtSandbox *s) {
        return (CniPod){ .id = s->id,
                         .name = s->meta_name,
                         .namespace_ = s->meta_namespace,
                         .uid = s->meta_uid,
                         .netns = s->netns_path,
                         .cgroup_parent = s->cgroup_parent };
}

/* CNI ADD for a pod with a network namespace of its own: its addresses into s->ips. */
static int network_up(Rt *rt, RtSandbox *s, const RtSandboxConfig *cfg, CrioError *err) {
        if (!rt->cni || !s->netns_path)
                return 0;
        CniPod p = cni_pod_of(s);
        p.ports = cfg->ports;
        p.n_ports = cfg->n_ports;
        p.ingress_rate = cfg->ingress_rate;
        p.egress_rate = cfg->egress_rate;
        p.ip_range = cfg->pod_cidr;
        char **ips = NULL;
        int r = cni_add(rt->cni, &p, &ips, err);
        if (r < 0)
                return crio_error_prefix(err, "setting up the network of pod %s: ", s->name);
        strv_free(s->ips);
        s->ips = ips;
        log_info("pod %s: network up, %s", s->id, ips[0] ? ips[0] : "no address");
        return 0;
}

/* CNI DEL (with what the ADD used, from the CNI cache). */
static int network_down(Rt *rt, RtSandbox *s, CrioError *err) {
        if (!rt->cni || !s->netns_path)
                return 0;
        CniPod p = cni_pod_of(s);
        int r = cni_del(rt->cni, &p, err);
        if (r < 0)
                return crio_error_prefix(err, "tearing down the network of pod %s: ", s->id);
        return 0;
}

typedef struct InfraFn {
        RtInfraSpecFn fn;
        void *data;
} InfraFn;

static int infra_trampoline(void *data, const RtSandbox *s, const RtContainer *c, const char *rootfs, OciSpec **ret,
                            CrioError *err) {
        (void) c;
        InfraFn *f = data;
        return f->fn(f->data, s, rootfs, ret, err);
}

static void undo_sandbox(Rt *rt, RtSandbox *s, RtContainer *ic, bool infra_mounted, bool net_up) {
        _cleanup_(crio_error_clear) CrioError e = { 0 };
        if (net_up && network_down(rt, s, &e) < 0) {
                log_warn("undoing pod %s: %s", s->id, e.msg);
                crio_error_clear(&e);
        }
        if (ic && ic->bundle) {
                OciRuntime ort = rt_container_runtime(ic);
                if (oci_runtime_delete(&ort, ic->id, true, &e) < 0)
                        log_debug("undoing pod %s: %s", s->id, e.msg);
                if (ic->has_layer) {
                        if (infra_mounted)
                                (void) store_container_unmount(rt->store, ic->id, true, NULL);
                        (void) store_container_delete(rt->store, ic->id, NULL);
                }
                (void) rm_rf(ic->bundle, NULL);
                _cleanup_free_ char *exit_file = NULL;
                if (asprintf(&exit_file, "%s/%s", rt->o.exits_dir, ic->id) >= 0)
                        (void) unlink(exit_file);
        }
        unmount_shm(s);
        unpin(rt, s);
        (void) rm_rf(s->dir, NULL);
}

static int setup_infra(Rt *rt, RtSandbox *s, RtContainer *ic, const RtSandboxConfig *cfg, CrioError *err) {
        if (asprintf(&ic->name, "k8s_POD_%s_%s_%s_%u", s->meta_name, s->meta_namespace, s->meta_uid, s->attempt) < 0 ||
            asprintf(&ic->bundle, "%s/%s", rt->ctrs_dir, s->id) < 0 || asprintf(&ic->log_path, "%s/infra.log", ic->bundle) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        ic->id = strdup(s->id);
        ic->sandbox_id = strdup(s->id);
        ic->infra = true;
        ic->meta_name = strdup("POD");
        ic->attempt = s->attempt;
        ic->image = strdup(cfg->pause_image && cfg->pause_image_id && cfg->pause_image_id[0] ? cfg->pause_image : "");
        ic->image_id = strdup(cfg->pause_image_id ? cfg->pause_image_id : "");
        ic->image_ref = strdup(ic->image_id ? ic->image_id : "");
        ic->labels = strv_copy(cfg->labels);
        ic->annotations = strv_copy(cfg->annotations);
        ic->runtime_handler = strdup(cfg->runtime.name ? cfg->runtime.name : "");
        ic->runtime_path = strdup(cfg->runtime.path);
        ic->runtime_root = strdup(cfg->runtime.root ? cfg->runtime.root : "");
        ic->stop_signal = SIGKILL;
        if (!ic->id || !ic->sandbox_id || !ic->meta_name || !ic->image || !ic->image_id || !ic->image_ref || !ic->labels ||
            !ic->annotations || !ic->runtime_handler || !ic->runtime_path || !ic->runtime_root)
                return crio_error_set(err, ENOMEM, "out of memory");
        pthread_mutex_lock(&rt->lock);
        int r = rt_name_reserve_locked(rt, ic->name, ic->id, err);
        pthread_mutex_unlock(&rt->lock);
        if (r < 0)
                return r;
        if (mkdir(ic->bundle, 0700) < 0)
                return crio_error_set_errno(err, errno, "creating %s", ic->bundle);
        return 0;
}

int rt_sandbox_run(Rt *rt, const RtSandboxConfig *cfg, RtInfraSpecFn fn, void *data, char **ret_id, CrioError *err) {
        if (!cfg->name || !cfg->name[0] || !cfg->namespace_ || !cfg->namespace_[0] || !cfg->uid || !cfg->uid[0])
                return crio_error_set(err, EINVAL, "RunPodSandbox: metadata needs a name, a namespace and a uid");
        for (const char *const *p = (const char *const[]){ cfg->name, cfg->namespace_, cfg->uid, NULL }; *p; p++)
                if (strchr(*p, '/') || strlen(*p) > 253)
                        return crio_error_set(err, EINVAL, "RunPodSandbox: metadata value \"%s\" is not valid", *p);
        _cleanup_(rt_sandbox_unrefp) RtSandbox *s = rt_sandbox_new();
        _cleanup_(rt_container_unrefp) RtContainer *ic = rt_container_new();
        if (!s || !ic)
                return crio_error_set(err, ENOMEM, "out of memory");
        char id[RT_ID_LEN + 1];
        pthread_mutex_lock(&rt->lock);
        int r = rt_new_id_locked(rt, id) < 0 ? crio_error_set(err, EIO, "no random ID") : 0;
        if (r >= 0 && asprintf(&s->name, "k8s_%s_%s_%s_%u", cfg->name, cfg->namespace_, cfg->uid, cfg->attempt) < 0)
                r = crio_error_set(err, ENOMEM, "out of memory");
        if (r >= 0)
                r = rt_name_reserve_locked(rt, s->name, id, err);
        pthread_mutex_unlock(&rt->lock);
        if (r < 0)
                return r;
        bool mounted = false, dir_made = false, net_up = false;
        _cleanup_free_ char *rootfs = NULL;
        s->id = strdup(id);
        s->meta_name = strdup(cfg->name);
        s->meta_uid = strdup(cfg->uid);
        s->meta_namespace = strdup(cfg->namespace_);
        s->attempt = cfg->attempt;
        s->labels = strv_copy(cfg->labels);
        s->annotations = strv_copy(cfg->annotations);
        s->runtime_handler = strdup(cfg->runtime_handler ? cfg->runtime_handler : "");
        s->log_dir = strdup(cfg->log_dir ? cfg->log_dir : "");
        s->cgroup_parent = strdup(cfg->cgroup_parent ? cfg->cgroup_parent : "");
        s->ns_network = cfg->ns_network;
        s->ns_pid = cfg->ns_pid;
        s->ns_ipc = cfg->ns_ipc;
        s->ns_target_id = cfg->ns_target_id && cfg->ns_target_id[0] ? strdup(cfg->ns_target_id) : NULL;
        s->ips = calloc(1, sizeof(char *));
        if ((cfg->process_label && !(s->process_label = strdup(cfg->process_label))) ||
            (cfg->mount_label && !(s->mount_label = strdup(cfg->mount_label)))) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto fail;
        }
        if (!s->id || !s->meta_name || !s->meta_uid || !s->meta_namespace || !s->labels || !s->annotations ||
            !s->runtime_handler || !s->log_dir || !s->cgroup_parent || !s->ips ||
            asprintf(&s->dir, "%s/%s", rt->pods_dir, id) < 0) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto fail;
        }
        if (mkdir(s->dir, 0700) < 0) {
                r = crio_error_set_errno(err, errno, "creating %s", s->dir);
                goto fail;
        }
        dir_made = true;
        if ((r = write_hostname(s, cfg, err)) < 0 || (r = write_resolv(s, cfg, err)) < 0 ||
            (r = label_pod_files(s, err)) < 0 || (r = pin(rt, s, cfg, err)) < 0)
                goto fail;
        if ((r = network_up(rt, s, cfg, err)) < 0)
                goto fail;
        net_up = true;
        if (cfg->ns_ipc != RT_NS_NODE && (r = mount_shm(s, err)) < 0)
                goto fail;
        if ((r = setup_infra(rt, s, ic, cfg, err)) < 0)
                goto fail;
        if (cfg->pause_image_id && cfg->pause_image_id[0]) {
                char *const names[] = { ic->name, NULL };
                StoreContainerCreateOptions so = { .id = id, .names = names, .image = cfg->pause_image_id };
                StoreContainer *sc = NULL;
                if ((r = store_container_create(rt->store, &so, &sc, err)) < 0)
                        goto fail;
                store_container_free(sc);
                ic->has_layer = true;
                if ((r = store_container_mount(rt->store, id, s->mount_label, &rootfs, err)) < 0)
                        goto fail;
                mounted = true;
        } else {
                if (asprintf(&rootfs, "%s/rootfs", ic->bundle) < 0) {
                        r = crio_error_set(err, ENOMEM, "out of memory");
                        goto fail;
                }
                if (mkdir(rootfs, 0755) < 0) {
                        r = crio_error_set_errno(err, errno, "creating %s", rootfs);
                        goto fail;
                }
                if (s->mount_label && (r = selinux_relabel(rootfs, s->mount_label, false, err)) < 0)
                        goto fail;
        }
        InfraFn tramp = { fn, data };
        if ((r = rt_container_launch(rt, ic, s, rootfs, infra_trampoline, &tramp, err)) < 0)
                goto fail;
        OciRuntime ort = rt_container_runtime(ic);
        if ((r = oci_runtime_start(&ort, id, err)) < 0)
                goto fail;
        ic->created_at = ic->started_at = s->created_at = rt_now();
        ic->state = RT_CTR_RUNNING;
        s->state = RT_POD_READY;
        pthread_mutex_lock(&rt->lock);
        rt_add_sandbox_locked(rt, s);
        rt_add_container_locked(rt, ic);
        pthread_mutex_unlock(&rt->lock);
        if ((r = rt_container_save(rt, ic, err)) < 0 || (r = rt_sandbox_save(rt, s, err)) < 0) {
                pthread_mutex_lock(&rt->lock);
                rt_remove_container_locked(rt, ic);
                rt_remove_sandbox_locked(rt, s);
                pthread_mutex_unlock(&rt->lock);
                undo_sandbox(rt, s, ic, mounted, net_up);
                return r;
        }
        log_info("pod sandbox %s (%s) is ready", id, s->name);
        if (!(*ret_id = strdup(id)))
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
fail:
        if (dir_made)
                undo_sandbox(rt, s, ic, mounted, net_up);
        pthread_mutex_lock(&rt->lock);
        rt_name_release_locked(rt, s->name, id);
        if (ic->name)
                rt_name_release_locked(rt, ic->name, id);
        pthread_mutex_unlock(&rt->lock);
        return r;
}

/* References to the pod's containers (infra last), with rt->lock held. */
static RtContainer **pod_containers_locked(Rt *rt, const char *id) {
        GPtrArray *a = g_ptr_array_new();
        RtContainer *infra = NULL;
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, rt->containers);
        while (g_hash_table_iter_next(&it, &k, &v)) {
                RtContainer *c = v;
                if (strcmp(c->sandbox_id, id) != 0)
                        continue;
                if (c->infra)
                        infra = c;
                else
                        g_ptr_array_add(a, rt_container_ref(c));
        }
        if (infra)
                g_ptr_array_add(a, rt_container_ref(infra));
        g_ptr_array_add(a, NULL);
        return (RtContainer **) g_ptr_array_free(a, FALSE);
}

static void containers_unref(RtContainer **v) {
        for (RtContainer **c = v; c && *c; c++)
                rt_container_unref(*c);
        g_free(v);
}

/* Runs op on each container of the pod, each marked busy for it. */
static int for_each_container(Rt *rt, RtSandbox *s, bool remove, CrioError *err) {
        pthread_mutex_lock(&rt->lock);
        RtContainer **v = pod_containers_locked(rt, s->id);
        pthread_mutex_unlock(&rt->lock);
        int r = 0;
        for (RtContainer **c = v; r >= 0 && *c; c++) {
                pthread_mutex_lock(&rt->lock);
                int k = rt_op_begin_locked(rt, &(*c)->busy, &(*c)->removed, "container", (*c)->id, NULL);
                pthread_mutex_unlock(&rt->lock);
                if (k < 0)
                        continue; /* removed meanwhile */
                r = remove ? rt_remove_container_ref(rt, *c, err) : rt_stop_container_ref(rt, *c, 0, err);
                rt_op_end(rt, &(*c)->busy);
        }
        containers_unref(v);
        return r;
}

static int begin_sandbox(Rt *rt, const char *id, RtSandbox **ret, CrioError *err) {
        pthread_mutex_lock(&rt->lock);
        RtSandbox *s = NULL;
        int r = rt_find_sandbox_locked(rt, id, &s, err);
        if (r >= 0) {
                rt_sandbox_ref(s);
                r = rt_op_begin_locked(rt, &s->busy, &s->removed, "pod sandbox", s->id, err);
                if (r < 0)
                        rt_sandbox_unref(s);
        }
        pthread_mutex_unlock(&rt->lock);
        if (r >= 0)
                *ret = s;
        return r;
}

static int stop_locked_op(Rt *rt, RtSandbox *s, CrioError *err) {
        int r = for_each_container(rt, s, false, err);
        if (r < 0)
                return r;
        unmount_shm(s);
        /* DEL once: a failed DEL is tried again by the next stop or the remove */
        pthread_mutex_lock(&rt->lock);
        bool need_del = !s->network_stopped;
        bool changed = s->state != RT_POD_NOTREADY || need_del;
        pthread_mutex_unlock(&rt->lock);
        int nr = need_del ? network_down(rt, s, err) : 0;
        /* As CRI-O: a stopped pod's namespaces go (the remove does it too); kept while a DEL
         * is owed, which needs the network namespace. */
        if (changed && nr >= 0)
                unpin(rt, s);
        pthread_mutex_lock(&rt->lock);
        s->state = RT_POD_NOTREADY;
        if (nr >= 0)
                s->network_stopped = true;
        pthread_mutex_unlock(&rt->lock);
        if (changed) {
                log_info("stopped pod sandbox %s", s->id);
                r = rt_sandbox_save(rt, s, nr < 0 ? NULL : err);
        }
        return nr < 0 ? nr : r;
}

int rt_sandbox_stop(Rt *rt, const char *id, CrioError *err) {
        RtSandbox *s = NULL;
        int r = begin_sandbox(rt, id, &s, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        r = stop_locked_op(rt, s, err);
        rt_op_end(rt, &s->busy);
        rt_sandbox_unref(s);
        return r;
}

int rt_sandbox_remove(Rt *rt, const char *id, CrioError *err) {
        RtSandbox *s = NULL;
        int r = begin_sandbox(rt, id, &s, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        r = stop_locked_op(rt, s, err);
        if (r >= 0)
                r = for_each_container(rt, s, true, err);
        if (r >= 0) {
                unpin(rt, s);
                _cleanup_free_ char *record = NULL;
                if (asprintf(&record, "%s/state.json", s->dir) < 0) {
                        r = crio_error_set(err, ENOMEM, "out of memory");
                } else {
                        pthread_mutex_lock(&rt->persist_lock);
                        pthread_mutex_lock(&rt->lock);
                        rt_remove_sandbox_locked(rt, s);
                        pthread_mutex_unlock(&rt->lock);
                        (void) unlink(record);
                        pthread_mutex_unlock(&rt->persist_lock);
                        (void) rm_rf(s->dir, NULL);
                        selinux_level_release(s->process_label);
                        log_info("removed pod sandbox %s", s->id);
                }
        }
        rt_op_end(rt, &s->busy);
        rt_sandbox_unref(s);
        return r;
}
