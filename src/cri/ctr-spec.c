/* See ctr-spec.h: process (args, env, cwd, user, terminal), mounts, namespaces, cgroups,
 * resources, security. */
#include "cri/ctr-spec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cri/spec-common.h"
#include "oci/args.h"
#include "oci/host-devices.h"
#include "oci/apparmor.h"
#include "oci/selinux.h"
#include "oci/seccomp.h"
#include "oci/user.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

#define VOLUME_DEPTH_MAX 64

void cri_ctr_spec_input_clear(CriCtrSpecInput *in) {
        strv_free(in->default_capabilities);
        strv_free(in->default_ulimits);
        strv_free(in->default_mounts);
        free(in->image_volumes);
        free(in->seccomp_profile);
        free(in->apparmor_profile);
        free(in->process_label);
        free(in->mount_label);
        free(in->relabel_label);
        strv_free(in->additional_devices);
        *in = (CriCtrSpecInput){ 0 };
}

int cri_signal_parse(const char *s) {
        if (!s || !s[0])
                return -EINVAL;
        char *end = NULL;
        long n = strtol(s, &end, 10);
        if (*end == '\0')
                return n > 0 && n < NSIG ? (int) n : -EINVAL;
        const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
        for (int i = 1; i < NSIG; i++) {
                const char *abbrev = sigabbrev_np(i);
                if (abbrev && strcasecmp(abbrev, name) == 0)
                        return i;
        }
        return -EINVAL;
}

/* NULL-terminated copy of a protobuf repeated string field. */
static char **strv_from(char **v, size_t n) {
        char **out = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; out && i < n; i++)
                if (!(out[i] = strdup(v[i]))) {
                        strv_free(out);
                        return NULL;
                }
        return out;
}

static int set_process(OciSpec *spec, const CriCtrSpecInput *in, int rootfs_fd, CrioError *err) {
        const Runtime__V1__ContainerConfig *cc = in->cc;
        const ImageConfig *img = in->image;
        _cleanup_strv_free_ char **cmd = strv_from(cc->command, cc->n_command), **args = strv_from(cc->args, cc->n_args);
        _cleanup_strv_free_ char **argv = NULL, **env = NULL, **cri_env = NULL;
        if (!cmd || !args)
                return crio_error_set(err, ENOMEM, "out of memory");
        int r = oci_args_resolve(cmd, args, img ? img->entrypoint : NULL, img ? img->cmd : NULL, &argv, err);
        if (r < 0)
                return r;
        if ((r = oci_spec_set_args(spec, argv, err)) < 0)
                return r;
        for (size_t i = 0; i < cc->n_envs; i++) {
                const Runtime__V1__KeyValue *kv = cc->envs[i];
                if (memchr(kv->value.data, '\0', kv->value.len))
                        return crio_error_set(err, EINVAL, "environment variable %s holds a NUL byte", kv->key);
                _cleanup_free_ char *e = NULL;
                if (asprintf(&e, "%s=%.*s", kv->key, (int) kv->value.len, kv->value.data ? (const char *) kv->value.data : "") < 0 ||
                    strv_consume(&cri_env, TAKE_PTR(e)) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        const Runtime__V1__LinuxContainerSecurityContext *sc = cc->linux ? cc->linux->security_context : NULL;
        OciUserRequest ureq = { .image_user = img ? img->user : NULL };
        if (sc) {
                ureq.has_run_as_user = sc->run_as_user != NULL;
                ureq.run_as_user = sc->run_as_user ? sc->run_as_user->value : 0;
                ureq.run_as_username = sc->run_as_username;
                ureq.has_run_as_group = sc->run_as_group != NULL;
                ureq.run_as_group = sc->run_as_group ? sc->run_as_group->value : 0;
                ureq.supplemental_groups = sc->supplemental_groups;
                ureq.n_supplemental_groups = sc->n_supplemental_groups;
        }
        OciUser u = { 0 };
        r = oci_user_resolve(rootfs_fd, &ureq, &u, err);
        if (r < 0)
                return r;
        r = oci_spec_set_user(spec, u.uid, u.gid, u.additional_gids, u.n_additional_gids, err);
        if (r >= 0)
                r = oci_env_merge(img ? img->env : NULL, cri_env, u.home, &env, err);
        oci_user_clear(&u);
        if (r < 0 || (r = oci_spec_set_env(spec, env, err)) < 0)
                return r;
        const char *cwd = cc->working_dir && cc->working_dir[0] ? cc->working_dir
                          : img && img->working_dir && img->working_dir[0] ? img->working_dir
                                                                           : "/";
        if ((r = oci_spec_set_cwd(spec, cwd, err)) < 0)
                return r;
        oci_spec_set_terminal(spec, cc->tty);
        for (char **u2 = in->default_ulimits; u2 && *u2; u2++) {
                /* "nofile=1024:2048" (checked when the configuration was loaded) */
                _cleanup_free_ char *type = strndup(*u2, strcspn(*u2, "="));
                const char *v = strchr(*u2, '=');
                if (!type || !v)
                        continue;
                uint64_t soft = strtoull(v + 1, NULL, 10), hard = soft;
                const char *colon = strchr(v, ':');
                if (colon)
                        hard = strtoull(colon + 1, NULL, 10);
                if ((r = oci_spec_add_rlimit(spec, type, soft, hard, err)) < 0)
                        return r;
        }
        return 0;
}

static int bind(OciSpec *spec, const char *dst, const char *src, bool ro, const char *propagation, CrioError *err) {
        char *const opts[] = { "rbind", ro ? "ro" : "rw", (char *) propagation, NULL };
        return oci_spec_add_mount(spec, dst, "bind", src, opts, err);
}

static bool has_mount(const Runtime__V1__ContainerConfig *cc, const char *dst) {
        for (size_t i = 0; i < cc->n_mounts; i++)
                if (cc->mounts[i]->container_path && strcmp(cc->mounts[i]->container_path, dst) == 0)
                        return true;
        return false;
}

/* mkdir -p of an image volume inside the rootfs, never following a symlink. */
static int mkdir_in_rootfs(int rootfs_fd, const char *path, CrioError *err) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int dir = fcntl(rootfs_fd, F_DUPFD_CLOEXEC, 3);
        int depth = 0;
        char *save = NULL;
        for (char *c = strtok_r(p, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0 || ++depth > VOLUME_DEPTH_MAX)
                        return crio_error_set(err, EINVAL, "image volume %s is not a plain path", path);
                if (mkdirat(dir, c, 0755) < 0 && errno != EEXIST)
                        return crio_error_set_errno(err, errno, "creating image volume %s", path);
                int next = openat(dir, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return crio_error_set_errno(err, errno, "image volume %s", path);
                close(dir);
                dir = next;
        }
        return 0;
}

static int set_mounts(OciSpec *spec, const CriCtrSpecInput *in, const RtSandbox *s, const RtContainer *c, int rootfs_fd,
                      CrioError *err) {
        const Runtime__V1__ContainerConfig *cc = in->cc;
        int r;
        if (s->shm_path)
                r = bind(spec, "/dev/shm", s->shm_path, false, NULL, err);
        else
                r = bind(spec, "/dev/shm", "/dev/shm", false, NULL, err);
        if (r < 0)
                return r;
        if (!has_mount(cc, "/etc/resolv.conf") && s->resolv_path && (r = bind(spec, "/etc/resolv.conf", s->resolv_path, false, NULL, err)) < 0)
                return r;
        if (!has_mount(cc, "/etc/hostname") && s->hostname_path && (r = bind(spec, "/etc/hostname", s->hostname_path, false, NULL, err)) < 0)
                return r;
        for (char **m = in->default_mounts; m && *m; m++) {
                _cleanup_free_ char *src = strndup(*m, strcspn(*m, ":"));
                const char *dst = strchr(*m, ':');
                if (!src || !dst)
                        continue;
                if (access(src, F_OK) == 0 && !has_mount(cc, dst + 1) && (r = bind(spec, dst + 1, src, false, NULL, err)) < 0)
                        return r;
        }
        if (in->image && in->image_volumes && strcmp(in->image_volumes, "ignore") != 0)
                for (char **v = in->image->volumes; v && *v; v++) {
                        if (has_mount(cc, *v))
                                continue;
                        if (strcmp(in->image_volumes, "bind") == 0) {
                                _cleanup_free_ char *host = NULL;
                                if (asprintf(&host, "%s/volumes/%zu", c->bundle, (size_t) (v - in->image->volumes)) < 0)
                                        return crio_error_set(err, ENOMEM, "out of memory");
                                if ((r = mkdir_p(host, 0755, err)) < 0 ||
                                    (in->relabel_label && (r = selinux_relabel(host, in->relabel_label, false, err)) < 0) ||
                                    (r = bind(spec, *v, host, false, NULL, err)) < 0)
                                        return r;
                        } else if ((r = mkdir_in_rootfs(rootfs_fd, *v, err)) < 0)
                                return r;
                }
        for (size_t i = 0; i < cc->n_mounts; i++) {
                const Runtime__V1__Mount *m = cc->mounts[i];
                if (!m->container_path || m->container_path[0] != '/')
                        return crio_error_set(err, EINVAL, "mount container_path \"%s\" is not absolute",
                                              m->container_path ? m->container_path : "");
                if (!m->host_path || m->host_path[0] != '/')
                        return crio_error_set(err, EINVAL, "mount host_path \"%s\" is not absolute",
                                              m->host_path ? m->host_path : "");
                struct stat st;
                if (stat(m->host_path, &st) < 0) {
                        if (errno != ENOENT)
                                return crio_error_set_errno(err, errno, "mount host_path %s", m->host_path);
                        /* As CRI-O: a missing source is created as a directory. */
                        if ((r = mkdir_p(m->host_path, 0755, err)) < 0)
                                return r;
                }
                /* As CRI-O: the volume and everything in it get the container's label (private:
                 * its level too); system directories are refused. */
                if (m->selinux_relabel && in->relabel_label &&
                    (r = selinux_relabel(m->host_path, in->relabel_label, true, err)) < 0)
                        return crio_error_prefix(err, "mount %s: ", m->container_path);
                const char *prop = m->propagation == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL ? "rshared"
                                   : m->propagation == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER
                                           ? "rslave"
                                           : "rprivate";
                if ((r = bind(spec, m->container_path, m->host_path, m->readonly, prop, err)) < 0)
                        return r;
        }
        return 0;
}

static int set_namespaces(OciSpec *spec, const CriCtrSpecInput *in, const RtSandbox *s, CrioError *err) {
        int r = cri_spec_join_pod_namespaces(spec, s, err);
        if (r < 0)
                return r;
        const Runtime__V1__LinuxContainerSecurityContext *sc = in->cc->linux ? in->cc->linux->security_context : NULL;
        int pid = sc && sc->namespace_options ? (int) sc->namespace_options->pid : (int) s->ns_pid;
        if (pid == RT_NS_NODE) {
                oci_spec_remove_namespace(spec, OCI_NS_PID);
        } else if (pid == RT_NS_POD || pid == RT_NS_TARGET) {
                if (in->pid_ns_pid <= 0)
                        return crio_error_set(err, EBUSY, "the container's PID namespace has no running process to join");
                char path[64];
                snprintf(path, sizeof path, "/proc/%d/ns/pid", (int) in->pid_ns_pid);
                r = oci_spec_set_namespace(spec, OCI_NS_PID, path, err);
        }
        return r;
}

static int set_resources(OciSpec *spec, const CriCtrSpecInput *in, const RtSandbox *s, const RtContainer *c,
                         CrioError *err) {
        _cleanup_free_ char *cg = NULL;
        int r = cri_cgroups_path(s->cgroup_parent, c->id, &cg, err);
        if (r < 0 || (r = oci_spec_set_cgroups_path(spec, cg, err)) < 0)
                return r;
        if (in->pids_limit > 0 && (r = oci_spec_set_pids_limit(spec, in->pids_limit, err)) < 0)
                return r;
        return cri_spec_set_linux_resources(spec, in->cc->linux ? in->cc->linux->resources : NULL, err);
}

static int set_security(OciSpec *spec, const CriCtrSpecInput *in, CrioError *err) {
        const Runtime__V1__LinuxContainerSecurityContext *sc = in->cc->linux ? in->cc->linux->security_context : NULL;
        int r;
        if (sc && sc->privileged)
                return cri_spec_make_privileged(spec, err);
        _cleanup_strv_free_ char **add = NULL, **drop = NULL;
        if (sc && sc->capabilities) {
                add = strv_from(sc->capabilities->add_capabilities, sc->capabilities->n_add_capabilities);
                drop = strv_from(sc->capabilities->drop_capabilities, sc->capabilities->n_drop_capabilities);
                if (!add || !drop)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        if ((r = oci_spec_apply_capabilities(spec, in->default_capabilities, add, drop, err)) < 0)
                return r;
        if (!sc)
                return 0;
        oci_spec_set_no_new_privileges(spec, sc->no_new_privs);
        if (sc->n_masked_paths) {
                oci_spec_clear_masked_paths(spec);
                for (size_t i = 0; i < sc->n_masked_paths; i++)
                        if ((r = oci_spec_add_masked_path(spec, sc->masked_paths[i], err)) < 0)
                                return r;
        }
        if (sc->n_readonly_paths) {
                oci_spec_clear_readonly_paths(spec);
                for (size_t i = 0; i < sc->n_readonly_paths; i++)
                        if ((r = oci_spec_add_readonly_path(spec, sc->readonly_paths[i], err)) < 0)
                                return r;
        }
        return 0;
}

/* Devices, after set_security (a privileged container's "allow all" rule stays first): a
 * privileged container gets the host's device nodes, then every container the configured
 * additional_devices, then the CRI's (a later one replaces an earlier one at the same path).
 * An empty container_path is the host_path. */
static int set_devices(OciSpec *spec, const CriCtrSpecInput *in, CrioError *err) {
        const Runtime__V1__ContainerConfig *cc = in->cc;
        const Runtime__V1__LinuxContainerSecurityContext *sc = cc->linux ? cc->linux->security_context : NULL;
        int r;
        if (sc && sc->privileged && (r = oci_spec_add_privileged_devices(spec, HOST_DEVICES_DEV, err)) < 0)
                return r;
        for (char **d = in->additional_devices; d && *d; d++)
                if ((r = oci_spec_add_config_device(spec, *d, err)) < 0)
                        return r;
        for (size_t i = 0; i < cc->n_devices; i++) {
                const Runtime__V1__Device *d = cc->devices[i];
                const char *ctr = d->container_path && d->container_path[0] ? d->container_path : d->host_path;
                if ((r = oci_spec_add_host_devices(spec, d->host_path, ctr, d->permissions, err)) < 0)
                        return r;
        }
        return 0;
}

/* Seccomp, once the capabilities are final. An absent profile is RuntimeDefault, as CRI-O
 * does by default (seccomp_use_default_when_empty). */
static int set_seccomp(OciSpec *spec, const CriCtrSpecInput *in, CrioError *err) {
        const Runtime__V1__LinuxContainerSecurityContext *sc = in->cc->linux ? in->cc->linux->security_context : NULL;
        OciSeccompRequest req = { .default_profile = in->seccomp_profile };
        if (sc && sc->seccomp) {
                req.has_profile = true;
                req.type = (OciSeccompProfileType) sc->seccomp->profile_type;
                req.localhost_ref = sc->seccomp->localhost_ref;
        } else if (sc && sc->seccomp_profile_path && sc->seccomp_profile_path[0]) {
                req.profile_path = sc->seccomp_profile_path;
        } else {
                req.has_profile = true;
                req.type = OCI_SECCOMP_RUNTIME_DEFAULT;
        }
        req.privileged = sc && sc->privileged;
        return oci_seccomp_apply(spec, &req, NULL, err);
}

/* process.apparmorProfile where the host has AppArmor, for containers that are not
 * privileged (as CRI-O); the profile must be loaded (crio-default is loaded again if not). */
static int set_apparmor(OciSpec *spec, const CriCtrSpecInput *in, CrioError *err) {
        const Runtime__V1__LinuxContainerSecurityContext *sc = in->cc->linux ? in->cc->linux->security_context : NULL;
        if (!in->apparmor || (sc && sc->privileged))
                return 0;
        AppArmorRequest req = { .deprecated = sc ? sc->apparmor_profile : NULL };
        if (sc && sc->apparmor) {
                req.has_profile = true;
                req.type = (AppArmorType) sc->apparmor->profile_type;
                req.localhost_ref = sc->apparmor->localhost_ref;
        }
        _cleanup_free_ char *profile = NULL;
        int r = apparmor_profile_select(&req, in->apparmor_profile, &profile, err);
        if (r < 0 || (r = apparmor_ensure(profile, err)) < 0)
                return r;
        return oci_spec_set_apparmor_profile(spec, profile, err);
}

int cri_ctr_spec_build(void *data, const RtSandbox *s, const RtContainer *c, const char *rootfs, OciSpec **ret,
                       CrioError *err) {
        CriCtrSpecInput *in = data;
        const Runtime__V1__LinuxContainerSecurityContext *sc = in->cc->linux ? in->cc->linux->security_context : NULL;
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        _cleanup_close_ int rootfs_fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfs_fd < 0)
                return crio_error_set_errno(err, errno, "opening the root filesystem %s", rootfs);
        int r = oci_spec_new(&spec, err);
        if (r < 0 || (r = oci_spec_set_root(spec, rootfs, sc && sc->readonly_rootfs, err)) < 0 ||
            (r = set_process(spec, in, rootfs_fd, err)) < 0 || (r = set_security(spec, in, err)) < 0 ||
            (r = set_devices(spec, in, err)) < 0 ||
            (r = set_seccomp(spec, in, err)) < 0 || (r = set_apparmor(spec, in, err)) < 0 ||
            (r = oci_spec_set_selinux_labels(spec, in->process_label, in->mount_label, err)) < 0 ||
            (r = set_mounts(spec, in, s, c, rootfs_fd, err)) < 0 || (r = set_namespaces(spec, in, s, err)) < 0 ||
            (r = set_resources(spec, in, s, c, err)) < 0 || (r = cri_spec_annotate(spec, s, c, err)) < 0)
                return r;
        *ret = TAKE_PTR(spec);
        return 0;
}
