/* RuntimeService/CreateContainer: storage, spec (cri/ctr-spec.c), conmon and "create" for a
 * container of a ready pod. The image must be in the store. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/convert.h"
#include "cri/ctr-spec.h"
#include "cri/rpc/rpc.h"
#include "image/local.h"
#include "oci/selinux.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* The repo digest the kubelet shows as imageRef, else the ID. */
static char *image_ref_of(const StoreImage *img) {
        _cleanup_strv_free_ char **tags = NULL, **digests = NULL;
        if (image_local_repo_names(img, &tags, &digests) >= 0 && digests && digests[0])
                return strdup(digests[0]);
        return strdup(img->id);
}

static int load_image(CriService *svc, const char *name, StoreImage **ret_img, ImageConfig **ret_cfg, CrioError *err) {
        int r = image_local_find(svc->store, name, ret_img, err);
        if (r == -ENOENT)
                return crio_error_set(err, ENOENT, "image %s is not in the store (pull it first)", name);
        if (r < 0)
                return r;
        _cleanup_free_ char *config = NULL;
        r = image_local_config(svc->store, *ret_img, &config, err);
        if (r < 0 || !config)
                return r < 0 ? r : 0;
        return image_config_parse(config, strlen(config), ret_cfg, err);
}

/* The pid whose PID namespace the container joins: the infra container's (POD) or the
 * target container's (TARGET). 0 when it needs none. */
static int pid_ns_target(Rt *rt, const RtSandbox *s, const Runtime__V1__ContainerConfig *cc, pid_t *ret, CrioError *err) {
        const Runtime__V1__LinuxContainerSecurityContext *sc = cc->linux ? cc->linux->security_context : NULL;
        const Runtime__V1__NamespaceOption *o = sc ? sc->namespace_options : NULL;
        int mode = o ? (int) o->pid : s->ns_pid;
        *ret = 0;
        if (mode != RT_NS_POD && mode != RT_NS_TARGET)
                return 0;
        const char *target = mode == RT_NS_TARGET ? o->target_id : s->id;
        if (!target || !target[0])
                return crio_error_set(err, EINVAL, "PID namespace mode TARGET needs a target_id");
        RtContainer *t = NULL;
        int r = rt_find_container_locked(rt, target, true, &t, err);
        if (r < 0)
                return crio_error_prefix(err, "PID namespace target: ");
        if (t->state != RT_CTR_RUNNING)
                return crio_error_set(err, EBUSY, "PID namespace target %s is not running", t->id);
        *ret = t->pid;
        return 0;
}

/* The pod's namespace modes, for the container's SELinux labels. */
typedef struct PodNs {
        int network, pid, ipc;
} PodNs;

/* SELinux, as CRI-O: the container's labels from its pod's and its own options. Its root
 * file system and relabelled volumes get its mount label; the spec gets no process label
 * for a privileged container, nor for one in the host's network namespace with
 * hostnetwork_disable_selinux, and no labels at all with the host's PID or IPC namespace;
 * volumes are not relabelled for a super-privileged (spc_t) container. */
static int container_labels(const char *pod_process, const Runtime__V1__ContainerConfig *cc, PodNs pod,
                            bool hostnet_disable, CriCtrSpecInput *in, char **ret_rootfs_label, CrioError *err) {
        const Runtime__V1__LinuxContainerSecurityContext *sc = cc->linux ? cc->linux->security_context : NULL;
        const Runtime__V1__SELinuxOption *so = sc ? sc->selinux_options : NULL;
        SelinuxOptions opts = { 0 };
        if (so)
                opts = (SelinuxOptions){ .user = so->user, .role = so->role, .type = so->type, .level = so->level };
        _cleanup_free_ char *process = NULL, *mount = NULL;
        int r = selinux_container_labels(pod_process, &opts, &process, &mount, err);
        if (r < 0)
                return r;
        const Runtime__V1__NamespaceOption *ns = sc ? sc->namespace_options : NULL;
        bool host_ns = (ns ? (int) ns->pid : pod.pid) == RT_NS_NODE || (ns ? (int) ns->ipc : pod.ipc) == RT_NS_NODE;
        bool host_net = (ns ? (int) ns->network : pod.network) == RT_NS_NODE;
        bool spc = so && so->type && so->type[0] ? strcmp(so->type, "spc_t") == 0 : strstr(pod_process, ":spc_t:") != NULL;
        if (!(*ret_rootfs_label = strdup(mount)) || (!spc && !(in->relabel_label = strdup(mount))))
                return crio_error_set(err, ENOMEM, "out of memory");
        if (!host_ns) {
                if (!(sc && sc->privileged) && !(host_net && hostnet_disable))
                        in->process_label = TAKE_PTR(process);
                in->mount_label = TAKE_PTR(mount);
        }
        return 0;
}

int cri_rpc_create_container(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__CreateContainerRequest *r = (const Runtime__V1__CreateContainerRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "CreateContainer: no pod runtime in this service");
        const Runtime__V1__ContainerConfig *cc = r->config;
        if (!r->pod_sandbox_id || !r->pod_sandbox_id[0])
                return crio_error_set(err, EINVAL, "CreateContainer: pod_sandbox_id is empty");
        if (!cc || !cc->metadata || !cc->metadata->name || !cc->metadata->name[0])
                return crio_error_set(err, EINVAL, "CreateContainer: config.metadata.name is missing");
        if (strchr(cc->metadata->name, '/') || strlen(cc->metadata->name) > 253)
                return crio_error_set(err, EINVAL, "CreateContainer: container name \"%s\" is not valid", cc->metadata->name);
        if (!cc->image || !cc->image->image || !cc->image->image[0])
                return crio_error_set(err, EINVAL, "CreateContainer: config.image.image is empty");
        for (size_t i = 0; i < cc->n_envs; i++)
                if (!cc->envs[i]->key || !cc->envs[i]->key[0] || strchr(cc->envs[i]->key, '='))
                        return crio_error_set(err, EINVAL, "CreateContainer: environment variable name \"%s\" is not valid",
                                              cc->envs[i]->key ? cc->envs[i]->key : "");
        Rt *rt = svc->rt;

        /* The pod's runtime handler and PID namespace target. */
        _cleanup_free_ char *handler = NULL, *pod_process_label = NULL, *rootfs_label = NULL;
        _cleanup_(cri_ctr_spec_input_clear) CriCtrSpecInput in = { .cc = cc };
        PodNs pod_ns = { RT_NS_POD, RT_NS_POD, RT_NS_POD };
        pthread_mutex_lock(&rt->lock);
        RtSandbox *s = NULL;
        int k = rt_find_sandbox_locked(rt, r->pod_sandbox_id, &s, err);
        if (k >= 0 && (!(handler = strdup(s->runtime_handler)) ||
                       (s->process_label && !(pod_process_label = strdup(s->process_label)))))
                k = crio_error_set(err, ENOMEM, "out of memory");
        if (k >= 0)
                pod_ns = (PodNs){ s->ns_network, s->ns_pid, s->ns_ipc };
        if (k >= 0)
                k = pid_ns_target(rt, s, cc, &in.pid_ns_pid, err);
        pthread_mutex_unlock(&rt->lock);
        if (k < 0)
                return crio_error_prefix(err, "CreateContainer: ");

        _cleanup_(cri_runtime_choice_clear) CriRuntimeChoice rc = { 0 };
        if ((k = cri_runtime_choose(svc, handler, &rc, err)) < 0)
                return k;

        pthread_mutex_lock(&svc->lock);
        const CrioConfig *cfg = svc->config;
        in.default_capabilities = strv_copy(cfg->default_capabilities);
        in.default_ulimits = strv_copy(cfg->default_ulimits);
        in.default_mounts = strv_copy(cfg->default_mounts);
        in.image_volumes = strdup(cfg->image_volumes ? cfg->image_volumes : "mkdir");
        in.seccomp_profile = strdup(cfg->seccomp_profile ? cfg->seccomp_profile : "");
        in.pids_limit = cfg->pids_limit;
        in.additional_devices = strv_copy(cfg->additional_devices);
        in.apparmor = svc->apparmor;
        in.apparmor_profile = strdup(cfg->apparmor_profile ? cfg->apparmor_profile : "");
        _cleanup_free_ char *log_dir = strdup(cfg->log_dir);
        bool selinux = svc->selinux, hostnet_disable = cfg->hostnetwork_disable_selinux;
        pthread_mutex_unlock(&svc->lock);
        if (!in.default_capabilities || !in.default_ulimits || !in.default_mounts || !in.image_volumes ||
            !in.seccomp_profile || !in.additional_devices || !in.apparmor_profile || !log_dir)
                return crio_error_set(err, ENOMEM, "out of memory");

        if (selinux && pod_process_label &&
            (k = container_labels(pod_process_label, cc, pod_ns, hostnet_disable, &in, &rootfs_label, err)) < 0)
                return crio_error_prefix(err, "CreateContainer: ");

        StoreImage *img = NULL;
        _cleanup_(image_config_freep) ImageConfig *icfg = NULL;
        k = load_image(svc, cc->image->image, &img, &icfg, err);
        if (k < 0) {
                store_image_free(img);
                return crio_error_prefix(err, "CreateContainer: ");
        }
        in.image = icfg;
        _cleanup_free_ char *image_id = strdup(img->id), *image_ref = image_ref_of(img);
        store_image_free(img);
        int stop_signal = SIGTERM;
        if (icfg && icfg->stop_signal && icfg->stop_signal[0]) {
                stop_signal = cri_signal_parse(icfg->stop_signal);
                if (stop_signal < 0)
                        return crio_error_set(err, EINVAL, "CreateContainer: the image's StopSignal \"%s\" is not a signal",
                                              icfg->stop_signal);
        }
        _cleanup_strv_free_ char **labels = cri_map_to_pairs((void *const *) cc->labels, cc->n_labels);
        _cleanup_strv_free_ char **annotations = cri_map_to_pairs((void *const *) cc->annotations, cc->n_annotations);
        RtMount *mounts = calloc(cc->n_mounts + 1, sizeof(RtMount));
        if (!image_id || !image_ref || !labels || !annotations || !mounts) {
                free(mounts);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < cc->n_mounts; i++)
                mounts[i] = (RtMount){ .container_path = cc->mounts[i]->container_path,
                                       .host_path = cc->mounts[i]->host_path,
                                       .readonly = cc->mounts[i]->readonly,
                                       .selinux_relabel = cc->mounts[i]->selinux_relabel,
                                       .propagation = cc->mounts[i]->propagation };
        RtContainerConfig rcfg = {
                .sandbox_id = r->pod_sandbox_id,
                .name = cc->metadata->name,
                .attempt = cc->metadata->attempt,
                .image = cc->image->image,
                .image_id = image_id,
                .image_ref = image_ref,
                .labels = labels,
                .annotations = annotations,
                .log_path = cc->log_path,
                .default_log_dir = log_dir,
                .terminal = cc->tty,
                .stdin_open = cc->stdin,
                .stdin_once = cc->stdin_once,
                .stop_signal = stop_signal,
                .mounts = mounts,
                .n_mounts = cc->n_mounts,
                .mount_label = rootfs_label,
        };
        _cleanup_free_ char *id = NULL;
        k = rt_container_create(rt, &rcfg, &rc.rt, cri_ctr_spec_build, &in, &id, err);
        free(mounts);
        if (k < 0)
                return crio_error_prefix(err, "CreateContainer: ");
        Runtime__V1__CreateContainerResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__create_container_response__init(resp);
        resp->container_id = TAKE_PTR(id);
        *ret_resp = &resp->base;
        return 0;
}
