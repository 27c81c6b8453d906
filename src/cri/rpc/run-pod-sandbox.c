/* RuntimeService/RunPodSandbox: a pod with pinned namespaces and its infra container (our
 * static pause binary by default, or pause_image running pause_command; pause_image is
 * pulled first when the store does not have it). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/convert.h"
#include "cri/image-pull.h"
#include "cri/pod-network.h"
#include "cri/rpc/rpc.h"
#include "cri/spec-common.h"
#include "image/local.h"
#include "oci/selinux.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/sysctl.h"

#define INFRA_OOM_SCORE_ADJ (-998)

typedef struct InfraCtx {
        const Runtime__V1__PodSandboxConfig *pc;
        const char *pause_binary; /* bind-mounted at /pause; NULL with a pause image */
        char **pause_command;
} InfraCtx;

/* Namespaced sysctls a pod may set, and which namespace each needs. */
/* One "key=value" of the pod (or default_sysctls), as crio-pinns will take it: a sysctl of a
 * namespace the pod has its own of. */
static int sysctl_check(const char *kv, bool own_net, bool own_ipc, CrioError *err) {
        _cleanup_free_ char *arg = strdup(kv);
        if (!arg)
                return crio_error_set(err, ENOMEM, "out of memory");
        Sysctl s = { 0 };
        int r = sysctl_parse(arg, &s, err);
        if (r < 0)
                return r;
        free(s.path);
        if (s.clone_flag == CLONE_NEWNET && !own_net)
                return crio_error_set(err, EINVAL, "sysctl %s needs the pod's own network namespace (hostNetwork is set)",
                                      s.key);
        if (s.clone_flag == CLONE_NEWIPC && !own_ipc)
                return crio_error_set(err, EINVAL, "sysctl %s needs the pod's own IPC namespace (hostIPC is set)", s.key);
        return 0;
}

static int infra_spec(void *data, const RtSandbox *s, const char *rootfs, OciSpec **ret, CrioError *err) {
        InfraCtx *x = data;
        const Runtime__V1__LinuxPodSandboxConfig *lc = x->pc->linux;
        const Runtime__V1__LinuxSandboxSecurityContext *sc = lc ? lc->security_context : NULL;
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        _cleanup_free_ char *cg = NULL;
        int r = oci_spec_new(&spec, err);
        if (r < 0)
                return r;
        if ((r = oci_spec_set_args(spec, x->pause_command, err)) < 0 || (r = oci_spec_set_root(spec, rootfs, true, err)) < 0)
                return r;
        if (x->pause_binary) {
                char *const ro[] = { "rbind", "ro", "nosuid", "nodev", NULL };
                if ((r = oci_spec_add_mount(spec, "/pause", "bind", x->pause_binary, ro, err)) < 0)
                        return r;
        }
        if ((r = cri_spec_join_pod_namespaces(spec, s, err)) < 0)
                return r;
        if (s->ns_pid == RT_NS_NODE)
                oci_spec_remove_namespace(spec, OCI_NS_PID);
        if (s->shm_path) {
                char *const o[] = { "rbind", "rw", NULL };
                r = oci_spec_add_mount(spec, "/dev/shm", "bind", s->shm_path, o, err);
        } else {
                char *const o[] = { "rbind", "rw", NULL };
                r = oci_spec_add_mount(spec, "/dev/shm", "bind", "/dev/shm", o, err);
        }
        if (r < 0)
                return r;
        if ((r = cri_cgroups_path(s->cgroup_parent, s->id, &cg, err)) < 0 || (r = oci_spec_set_cgroups_path(spec, cg, err)) < 0)
                return r;
        if ((r = oci_spec_set_oom_score_adj(spec, cri_oom_score_adj_clamp(INFRA_OOM_SCORE_ADJ), err)) < 0)
                return r;
        if (sc && sc->privileged && (r = cri_spec_make_privileged(spec, err)) < 0)
                return r;
        /* SELinux: the pod's labels, unless it shares the host's PID or IPC namespace. */
        if (!rt_sandbox_unlabelled(s) &&
            (r = oci_spec_set_selinux_labels(spec, s->process_label, s->mount_label, err)) < 0)
                return r;
        oci_spec_set_no_new_privileges(spec, true);
        if ((r = cri_spec_annotate(spec, s, NULL, err)) < 0)
                return r;
        *ret = TAKE_PTR(spec);
        return 0;
}

/* The store's ID of the pause image; pulled first when the store does not have it (with
 * pause_image_auth_file when set), as CRI-O does. */
static int pause_image_find(CriService *svc, const char *name, char **ret_id, CrioError *err) {
        StoreImage *img = NULL;
        int k = image_local_find(svc->store, name, &img, err);
        if (k >= 0) {
                char *id = strdup(img->id);
                store_image_free(img);
                if (!id)
                        return crio_error_set(err, ENOMEM, "out of memory");
                *ret_id = id;
                return 0;
        }
        if (k != -ENOENT)
                return crio_error_prefix(err, "pause_image %s: ", name);
        crio_error_clear(err);
        pthread_mutex_lock(&svc->lock);
        _cleanup_(config_freep) CrioConfig *cfg = config_dup(svc->config);
        pthread_mutex_unlock(&svc->lock);
        if (!cfg)
                return crio_error_set(err, ENOMEM, "out of memory");
        log_debug("pause_image %s is not in the store: pulling it", name);
        CriPullRequest pr = { .name = name, .auth_file = cfg->pause_image_auth_file };
        k = cri_image_pull(svc, cfg, &pr, ret_id, err);
        return k < 0 ? crio_error_prefix(err, "pulling pause_image %s: ", name) : 0;
}

static int ns_mode(const Runtime__V1__NamespaceOption *o, int which) {
        if (!o)
                return RT_NS_POD;
        int m = which == 0 ? o->network : which == 1 ? o->pid : o->ipc;
        return m;
}

int cri_rpc_run_pod_sandbox(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__RunPodSandboxRequest *r = (const Runtime__V1__RunPodSandboxRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "RunPodSandbox: no pod runtime in this service");
        const Runtime__V1__PodSandboxConfig *pc = r->config;
        if (!pc || !pc->metadata)
                return crio_error_set(err, EINVAL, "RunPodSandbox: config.metadata is missing");
        const Runtime__V1__LinuxPodSandboxConfig *lc = pc->linux;
        const Runtime__V1__LinuxSandboxSecurityContext *sc = lc ? lc->security_context : NULL;
        const Runtime__V1__NamespaceOption *nso = sc ? sc->namespace_options : NULL;
        int net = ns_mode(nso, 0), pid = ns_mode(nso, 1), ipc = ns_mode(nso, 2);
        if (net != RT_NS_POD && net != RT_NS_NODE)
                return crio_error_set(err, EINVAL, "RunPodSandbox: network namespace mode %d is not POD or NODE", net);
        if (ipc != RT_NS_POD && ipc != RT_NS_NODE)
                return crio_error_set(err, EINVAL, "RunPodSandbox: IPC namespace mode %d is not POD or NODE", ipc);
        if (pid < RT_NS_POD || pid > RT_NS_TARGET)
                return crio_error_set(err, EINVAL, "RunPodSandbox: PID namespace mode %d is unknown", pid);

        _cleanup_(cri_runtime_choice_clear) CriRuntimeChoice rc = { 0 };
        int k = cri_runtime_choose(svc, r->runtime_handler, &rc, err);
        if (k < 0)
                return k;

        /* What the configuration says, copied under its lock. */
        _cleanup_free_ char *pause_image = NULL, *pause_command = NULL;
        _cleanup_strv_free_ char **sysctls = NULL;
        pthread_mutex_lock(&svc->lock);
        pause_image = strdup(svc->config->pause_image ? svc->config->pause_image : "");
        pause_command = strdup(svc->config->pause_command ? svc->config->pause_command : "/pause");
        sysctls = strv_copy(svc->config->default_sysctls);
        pthread_mutex_unlock(&svc->lock);
        if (!pause_image || !pause_command || !sysctls)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; lc && i < lc->n_sysctls; i++) {
                _cleanup_free_ char *kv = NULL;
                if (asprintf(&kv, "%s=%s", lc->sysctls[i]->key, lc->sysctls[i]->value) < 0 || strv_consume(&sysctls, TAKE_PTR(kv)) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        if (strv_length(sysctls) > SYSCTL_MAX)
                return crio_error_set(err, EINVAL, "RunPodSandbox: %zu sysctls (with default_sysctls), more than %d",
                                      strv_length(sysctls), SYSCTL_MAX);
        for (char **s = sysctls; *s; s++)
                if ((k = sysctl_check(*s, net != RT_NS_NODE, ipc != RT_NS_NODE, err)) < 0)
                        return crio_error_prefix(err, "RunPodSandbox: ");

        _cleanup_free_ char *pause_image_id = NULL;
        if (pause_image[0] && (k = pause_image_find(svc, pause_image, &pause_image_id, err)) < 0)
                return crio_error_prefix(err, "RunPodSandbox: ");
        _cleanup_strv_free_ char **labels = cri_map_to_pairs((void *const *) pc->labels, pc->n_labels);
        _cleanup_strv_free_ char **annotations = cri_map_to_pairs((void *const *) pc->annotations, pc->n_annotations);
        _cleanup_strv_free_ char **cmd = strv_copy((char *const[]){ pause_command, NULL });
        if (!labels || !annotations || !cmd)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_free_ char *cgroup_parent = NULL;
        if ((k = cgroup_parent_normalize(svc->rt->o.cgroup_manager, lc ? lc->cgroup_parent : NULL, &cgroup_parent, err)) < 0)
                return crio_error_prefix(err, "RunPodSandbox: ");
        _cleanup_(cri_pod_network_clear) CriPodNetwork pn = { 0 };
        if (net != RT_NS_NODE && cri_pod_network_from_config(svc, pc, &pn, err) < 0)
                return crio_error_prefix(err, "RunPodSandbox: ");
        const Runtime__V1__DNSConfig *dns = pc->dns_config;
        RtSandboxConfig cfg = {
                .name = pc->metadata->name,
                .uid = pc->metadata->uid,
                .namespace_ = pc->metadata->namespace_,
                .attempt = pc->metadata->attempt,
                .labels = labels,
                .annotations = annotations,
                .hostname = pc->hostname,
                .log_dir = pc->log_directory,
                .cgroup_parent = cgroup_parent,
                .ns_network = net,
                .ns_pid = pid,
                .ns_ipc = ipc,
                .ns_target_id = nso ? nso->target_id : NULL,
                .runtime_handler = rc.name,
                .runtime = rc.rt,
                .dns_servers = dns && dns->n_servers ? dns->servers : NULL,
                .dns_searches = dns && dns->n_searches ? dns->searches : NULL,
                .dns_options = dns && dns->n_options ? dns->options : NULL,
                .sysctls = sysctls[0] ? sysctls : NULL,
                .pause_image_id = pause_image_id,
                .pause_image = pause_image,
                .ports = pn.ports,
                .n_ports = pn.n_ports,
                .ingress_rate = pn.ingress_rate,
                .egress_rate = pn.egress_rate,
                .pod_cidr = pn.pod_cidr,
        };
        /* The CRI's repeated strings are not NULL-terminated: copy the DNS lists. */
        _cleanup_strv_free_ char **servers = NULL, **searches = NULL, **options = NULL;
        if (dns) {
                for (size_t i = 0; i < dns->n_servers; i++)
                        if (strv_push(&servers, dns->servers[i]) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; i < dns->n_searches; i++)
                        if (strv_push(&searches, dns->searches[i]) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; i < dns->n_options; i++)
                        if (strv_push(&options, dns->options[i]) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                cfg.dns_servers = servers;
                cfg.dns_searches = searches;
                cfg.dns_options = options;
        }
        InfraCtx x = { .pc = pc, .pause_binary = pause_image_id ? NULL : svc->rt->o.pause, .pause_command = cmd };
        if (!pause_image_id) {
                free(cmd[0]);
                if (!(cmd[0] = strdup("/pause")))
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        /* SELinux labels of the pod: a level of its own unless its options name one. */
        _cleanup_free_ char *process_label = NULL, *mount_label = NULL;
        if (svc->selinux) {
                const Runtime__V1__SELinuxOption *so = sc ? sc->selinux_options : NULL;
                SelinuxOptions opts = { 0 };
                if (so)
                        opts = (SelinuxOptions){ .user = so->user, .role = so->role, .type = so->type, .level = so->level };
                if ((k = selinux_pod_labels(&opts, &process_label, &mount_label, err)) < 0)
                        return crio_error_prefix(err, "RunPodSandbox: ");
                cfg.process_label = process_label;
                cfg.mount_label = mount_label;
        }
        _cleanup_free_ char *id = NULL;
        k = rt_sandbox_run(svc->rt, &cfg, infra_spec, &x, &id, err);
        if (k < 0) {
                selinux_level_release(process_label);
                return k;
        }
        Runtime__V1__RunPodSandboxResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__run_pod_sandbox_response__init(resp);
        resp->pod_sandbox_id = TAKE_PTR(id);
        *ret_resp = &resp->base;
        return 0;
}
