/* The daemon loop: start the CRI server, then wait for signals on a signalfd.
 *   SIGTERM, SIGINT  stop accepting, finish calls in flight, remove the socket, return.
 *   SIGHUP           reload the configuration; apply what can change at run time. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "crio.h"
#include "cri/server.h"
#include "cri/service.h"
#include "network/cni.h"
#include "oci/apparmor.h"
#include "oci/selinux.h"
#include "oci/host-devices.h"
#include "runtime/state.h"
#include "runtime/systemd-scope.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/version.h"

/* How long calls in flight may run on after SIGTERM before they are cancelled. */
#define SHUTDOWN_GRACE_MS 10000

int crio_load_config(const CrioFlags *flags, CrioConfig **ret, char ***warnings, CrioError *err) {
        CrioConfig *cfg = NULL;
        const char *file = flags->config_file ? flags->config_file : CRIO_DEFAULT_CONFIG_FILE;
        const char *dir = flags->config_dir ? flags->config_dir : CRIO_DEFAULT_CONFIG_DIR;
        int r = config_load(file, flags->config_file != NULL, dir, &cfg, warnings, err);
        if (r < 0)
                return r;
        r = crio_flags_apply(flags, cfg, err);
        if (r >= 0)
                r = config_validate(cfg, err);
        if (r < 0) {
                config_free(cfg);
                return r;
        }
        *ret = cfg;
        return 0;
}

static void apply_log_level(const char *level) {
        LogLevel l;
        if (log_level_from_string(level, &l) >= 0)
                log_set_level(l);
}

static void reload(const CrioFlags *flags, CriService *svc) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_strv_free_ char **warnings = NULL, **changed = NULL, **ignored = NULL;
        CrioConfig *fresh = NULL;
        log_info("SIGHUP: reloading the configuration");
        int r = crio_load_config(flags, &fresh, &warnings, &err);
        for (char **w = warnings; w && *w; w++)
                log_warn("%s", *w);
        if (r < 0) {
                log_error("reload failed, keeping the running configuration: %s", err.msg);
                return;
        }
        pthread_mutex_lock(&svc->lock);
        r = config_reload(svc->config, fresh, &changed, &ignored, &err);
        _cleanup_free_ char *level = r >= 0 ? strdup(svc->config->log_level) : NULL;
        pthread_mutex_unlock(&svc->lock);
        config_free(fresh);
        if (r < 0) {
                log_error("reload failed: %s", err.msg);
                return;
        }
        if (level)
                apply_log_level(level);
        for (char **c = changed; c && *c; c++)
                log_info("reloaded %s", *c);
        for (char **c = ignored; c && *c; c++)
                log_warn("not reloaded: %s", *c);
        if (!changed && !ignored)
                log_info("reload: nothing changed");
}

/* A helper program (crio-untar, crio-pinns, pause): beside the crio binary (a build tree),
 * else installed under LIBEXECDIR/crio. */
static char *find_helper(const char *name) {
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
                exe[n] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        char *p = NULL;
                        if (asprintf(&p, "%s/%s", exe, name) >= 0) {
                                if (access(p, X_OK) == 0)
                                        return p;
                                free(p);
                        }
                }
        }
        char *p = NULL;
        return asprintf(&p, "%s/crio/%s", CRIO_LIBEXECDIR, name) < 0 ? NULL : p;
}

/* cgroup_manager and conmon_cgroup agree, and systemd answers when it is the manager. */
static int check_cgroup_manager(const CrioConfig *cfg, CgroupManager *ret, CrioError *err) {
        CgroupManager m;
        int r = cgroup_manager_from_string(cfg->cgroup_manager, &m, err);
        if (r < 0 || (r = cgroup_conmon_check(m, cfg->conmon_cgroup, err)) < 0)
                return crio_error_prefix(err, "[crio.runtime] ");
        if (m == CGROUP_MANAGER_SYSTEMD) {
                _cleanup_free_ char *version = NULL;
                r = systemd_version(&version, err);
                if (r < 0)
                        return crio_error_prefix(err, "cgroup_manager = \"systemd\": ");
                log_info("cgroup manager systemd (systemd %s)", version);
        }
        *ret = m;
        return 0;
}

/* Every additional_devices entry names a device node (or a directory of them) of this host,
 * as CRI-O checks when it starts: tried on a throw-away spec. */
static int check_additional_devices(const CrioConfig *cfg, CrioError *err) {
        for (char **d = cfg->additional_devices; d && *d; d++) {
                _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
                int r = oci_spec_new(&spec, err);
                if (r < 0 || (r = oci_spec_add_config_device(spec, *d, err)) < 0)
                        return crio_error_prefix(err, "[crio.runtime] ");
        }
        return 0;
}

/* Where the kernel has AppArmor, as CRI-O: the configured profile is installed (crio-default)
 * or must be loaded, and containers get profiles (svc->apparmor). */
static int open_apparmor(CriService *svc, CrioError *err) {
        if (!apparmor_enabled())
                return 0;
        const char *profile = svc->config->apparmor_profile;
        int r = apparmor_prepare(profile, err);
        if (r < 0)
                return crio_error_prefix(err, "[crio.runtime] ");
        svc->apparmor = true;
        log_info("AppArmor: containers run under \"%s\" unless they ask for another profile",
                 profile[0] ? profile : APPARMOR_DEFAULT_PROFILE);
        return 0;
}

/* crio.conf's selinux, where the kernel has SELinux: the policy's container labels must be
 * valid in the loaded policy, and pods and containers get labels (svc->selinux). */
static int open_selinux(CriService *svc, CrioError *err) {
        if (!svc->config->selinux)
                return 0;
        if (!selinux_host_enabled()) {
                log_info("selinux = true, but SELinux is not enabled on this host: containers get no labels");
                return 0;
        }
        int r = selinux_init(err);
        if (r < 0)
                return crio_error_prefix(err, "[crio.runtime] selinux: ");
        svc->selinux = true;
        log_info("SELinux: pods and containers get labels, each pod a level of its own");
        return 0;
}

static int open_runtime(const CrioConfig *cfg, Store *store, Rt **ret, CrioError *err) {
        _cleanup_free_ char *pinns = find_helper("crio-pinns"), *pause = find_helper("pause");
        if (!pinns || !pause)
                return crio_error_set(err, ENOMEM, "out of memory");
        CgroupManager manager = CGROUP_MANAGER_CGROUPFS;
        int r = check_cgroup_manager(cfg, &manager, err);
        if (r < 0 || (r = check_additional_devices(cfg, err)) < 0)
                return r;
        RtOptions o = {
                .state_dir = cfg->state_dir,
                .exits_dir = cfg->container_exits_dir,
                .attach_dir = cfg->container_attach_socket_dir,
                .namespaces_dir = cfg->namespaces_dir,
                .conmon = cfg->conmon,
                .conmon_env = cfg->conmon_env,
                .pinns = pinns,
                .pause = pause,
                .log_size_max = cfg->log_size_max,
                .log_level = cfg->log_level,
                .cgroup_manager = manager,
                .conmon_cgroup = cfg->conmon_cgroup,
        };
        r = rt_new(&o, store, ret, err);
        if (r < 0)
                return crio_error_prefix(err, "restoring pods and containers from %s: ", cfg->state_dir);
        return 0;
}

static int open_network(const CrioConfig *cfg, Cni **ret, CrioError *err) {
        int64_t timeout_ns = 0;
        if (config_parse_duration(cfg->cni_plugin_timeout, &timeout_ns) < 0)
                return crio_error_set(err, EINVAL, "cni_plugin_timeout \"%s\" is not a duration", cfg->cni_plugin_timeout);
        CniOptions o = {
                .network_dir = cfg->network_dir,
                .plugin_dirs = cfg->plugin_dirs,
                .default_network = cfg->cni_default_network,
                .cache_dir = cfg->cni_cache_dir,
                .timeout_ms = timeout_ns / 1000000,
        };
        int r = cni_new(&o, ret, err);
        if (r < 0)
                return crio_error_prefix(err, "CNI: ");
        return 0;
}

static int open_store(const CrioConfig *cfg, Store **ret, CrioError *err) {
        _cleanup_free_ char *helper = find_helper("crio-untar");
        if (!helper)
                return crio_error_set(err, ENOMEM, "out of memory");
        StoreOptions o = {
                .graph_root = cfg->root,
                .run_root = cfg->runroot,
                .driver_name = cfg->storage_driver,
                .driver_options = cfg->storage_option,
                .untar_helper = helper,
        };
        int r = store_open(&o, ret, err);
        if (r < 0)
                return crio_error_prefix(err, "opening the storage at %s: ", cfg->root);
        return 0;
}

static int write_version_file(const char *path, CrioError *err) {
        if (!path || !path[0])
                return 0;
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return crio_error_set(err, ENOMEM, "out of memory");
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                int r = mkdir_p(dir, 0755, err);
                if (r < 0)
                        return r;
        }
        return write_file_atomic(path, CRIO_VERSION "\n", strlen(CRIO_VERSION "\n"), 0644, err);
}

int crio_daemon_run(const CrioFlags *flags, CrioConfig *cfg, CrioError *err) {
        apply_log_level(cfg->log_level);

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        /* block before any thread exists, so every thread (ours and gRPC's) inherits it */
        if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0) {
                config_free(cfg);
                return crio_error_set(err, EINVAL, "blocking signals failed");
        }
        signal(SIGPIPE, SIG_IGN);
        _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sfd < 0) {
                config_free(cfg);
                return crio_error_set_errno(err, errno, "signalfd");
        }

        /* before anything is read: a second crio must not restore the first one's records */
        _cleanup_close_ int lock_fd = -1;
        int r = crio_instance_lock(cfg->state_dir, &lock_fd, err);
        if (r >= 0)
                r = write_version_file(cfg->version_file, err);
        if (r < 0) {
                config_free(cfg);
                return r;
        }

        Store *store = NULL;
        r = open_store(cfg, &store, err);
        if (r < 0) {
                config_free(cfg);
                return r;
        }
        log_info("storage: %s driver at %s (run root %s)", store_driver_name(store), cfg->root, cfg->runroot);

        CriService svc = {};
        r = cri_service_init(&svc, cfg, store, err);
        if (r < 0) {
                store_close(store);
                config_free(cfg);
                return r;
        }
        r = open_apparmor(&svc, err);
        if (r >= 0)
                r = open_selinux(&svc, err);
        if (r >= 0)
                r = open_network(svc.config, &svc.cni, err);
        if (r >= 0 && (r = open_runtime(svc.config, svc.store, &svc.rt, err)) >= 0)
                svc.rt->cni = svc.cni;
        if (r < 0) {
                (void) store_shutdown(svc.store, false, NULL);
                cri_service_done(&svc);
                return r;
        }
        CriServerOptions opts = {
                .socket_path = cfg->listen,
                .max_recv_msg_size = cfg->grpc_max_recv_msg_size,
                .max_send_msg_size = cfg->grpc_max_send_msg_size,
        };
        CriServer *srv = NULL;
        r = cri_server_start(&opts, &svc, &srv, err);
        if (r < 0) {
                (void) store_shutdown(svc.store, false, NULL);
                cri_service_done(&svc);
                return r;
        }
        log_info("crio %s serving the CRI on %s", CRIO_VERSION, cfg->listen);
        sd_notify(0, "READY=1\nSTATUS=serving the CRI");

        for (;;) {
                struct signalfd_siginfo si;
                ssize_t n = read(sfd, &si, sizeof si);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n != (ssize_t) sizeof si) {
                        log_error("reading signals failed: %s", n < 0 ? strerror(errno) : "short read");
                        break;
                }
                if (si.ssi_signo == SIGHUP) {
                        reload(flags, &svc);
                        continue;
                }
                log_info("received %s: shutting down", strsignal((int) si.ssi_signo));
                break;
        }
        sd_notify(0, "STOPPING=1");
        cri_server_stop(srv, SHUTDOWN_GRACE_MS);
        _cleanup_(crio_error_clear) CrioError serr = {};
        /* unmounts nothing in use: containers keep running across a restart */
        if (store_shutdown(svc.store, false, &serr) < 0 && serr.code != EBUSY)
                log_warn("storage shutdown: %s", serr.msg);
        cri_service_done(&svc);
        log_info("crio stopped");
        return 0;
}
