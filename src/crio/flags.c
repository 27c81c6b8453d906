#include "flags.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"

typedef enum FlagKind { FLAG_VALUE, FLAG_BOOL, FLAG_LIST } FlagKind;

typedef struct Flag {
        const char *name;
        char short_name;
        FlagKind kind;
        const char *key; /* configuration key; NULL for the special flags */
        const char *help;
} Flag;

enum { SPECIAL_CONFIG = 1, SPECIAL_CONFIG_DIR, SPECIAL_RUNTIME, SPECIAL_VERSION, SPECIAL_HELP };

static const Flag flags[] = {
        { "config", 'c', FLAG_VALUE, NULL, "main configuration file (default " CRIO_DEFAULT_CONFIG_FILE ")" },
        { "config-dir", 'd', FLAG_VALUE, NULL, "drop-in directory (default " CRIO_DEFAULT_CONFIG_DIR ")" },
        { "root", 'r', FLAG_VALUE, "crio.root", "storage root directory" },
        { "runroot", 0, FLAG_VALUE, "crio.runroot", "storage state directory" },
        { "storage-driver", 's', FLAG_VALUE, "crio.storage_driver", "storage driver (overlay, ostree)" },
        { "storage-opt", 0, FLAG_LIST, "crio.storage_option", "storage driver option (repeatable)" },
        { "log-dir", 0, FLAG_VALUE, "crio.log_dir", "default directory for container logs" },
        { "version-file", 0, FLAG_VALUE, "crio.version_file", "file recording the running version" },
        { "listen", 0, FLAG_VALUE, "crio.api.listen", "path of the CRI socket" },
        { "stream-address", 0, FLAG_VALUE, "crio.api.stream_address", "bind address of the streaming server" },
        { "stream-port", 0, FLAG_VALUE, "crio.api.stream_port", "port of the streaming server" },
        { "stream-enable-tls", 0, FLAG_BOOL, "crio.api.stream_enable_tls", "serve streams over TLS" },
        { "stream-tls-cert", 0, FLAG_VALUE, "crio.api.stream_tls_cert", "TLS certificate for streams" },
        { "stream-tls-key", 0, FLAG_VALUE, "crio.api.stream_tls_key", "TLS key for streams" },
        { "stream-tls-ca", 0, FLAG_VALUE, "crio.api.stream_tls_ca", "TLS CA for stream clients" },
        { "stream-idle-timeout", 0, FLAG_VALUE, "crio.api.stream_idle_timeout", "idle timeout of streams" },
        { "grpc-max-send-msg-size", 0, FLAG_VALUE, "crio.api.grpc_max_send_msg_size", "largest gRPC message sent" },
        { "grpc-max-recv-msg-size", 0, FLAG_VALUE, "crio.api.grpc_max_recv_msg_size", "largest gRPC message accepted" },
        { "default-runtime", 0, FLAG_VALUE, "crio.runtime.default_runtime", "default runtime handler" },
        { "runtime", 0, FLAG_VALUE, NULL, "OCI runtime binary of the default handler" },
        { "conmon", 0, FLAG_VALUE, "crio.runtime.conmon", "path of conmon" },
        { "conmon-cgroup", 0, FLAG_VALUE, "crio.runtime.conmon_cgroup", "cgroup for conmon" },
        { "conmon-env", 0, FLAG_LIST, "crio.runtime.conmon_env", "environment for conmon (repeatable)" },
        { "cgroup-manager", 0, FLAG_VALUE, "crio.runtime.cgroup_manager", "cgroupfs or systemd" },
        { "selinux", 0, FLAG_BOOL, "crio.runtime.selinux", "enable SELinux labels" },
        { "hostnetwork-disable-selinux", 0, FLAG_BOOL, "crio.runtime.hostnetwork_disable_selinux",
          "no SELinux process label for host-network containers" },
        { "seccomp-profile", 0, FLAG_VALUE, "crio.runtime.seccomp_profile", "default seccomp profile (JSON file)" },
        { "apparmor-profile", 0, FLAG_VALUE, "crio.runtime.apparmor_profile", "default AppArmor profile" },
        { "default-capabilities", 0, FLAG_LIST, "crio.runtime.default_capabilities", "default capabilities" },
        { "default-sysctls", 0, FLAG_LIST, "crio.runtime.default_sysctls", "default sysctls" },
        { "default-ulimits", 0, FLAG_LIST, "crio.runtime.default_ulimits", "default ulimits" },
        { "default-mounts", 0, FLAG_LIST, "crio.runtime.default_mounts", "default bind mounts" },
        { "pids-limit", 0, FLAG_VALUE, "crio.runtime.pids_limit", "default pids limit" },
        { "log-size-max", 0, FLAG_VALUE, "crio.runtime.log_size_max", "largest container log (bytes, -1 unlimited)" },
        { "log-journald", 0, FLAG_BOOL, "crio.runtime.log_to_journald", "also log containers to journald" },
        { "container-exits-dir", 0, FLAG_VALUE, "crio.runtime.container_exits_dir", "where conmon records exit codes" },
        { "container-attach-socket-dir", 0, FLAG_VALUE, "crio.runtime.container_attach_socket_dir", "attach sockets" },
        { "namespaces-dir", 0, FLAG_VALUE, "crio.runtime.namespaces_dir", "where namespaces are pinned" },
        { "ctr-stop-timeout", 0, FLAG_VALUE, "crio.runtime.ctr_stop_timeout", "seconds to wait for a stopping container" },
        { "read-only", 0, FLAG_BOOL, "crio.runtime.read_only", "run all containers read-only" },
        { "log-level", 'l', FLAG_VALUE, "crio.runtime.log_level", "trace, debug, info, warn, error, fatal, panic" },
        { "drop-infra-ctr", 0, FLAG_BOOL, "crio.runtime.drop_infra_ctr", "no infra container when not needed" },
        { "hooks-dir", 0, FLAG_LIST, "crio.runtime.hooks_dir", "OCI hooks directory (repeatable)" },
        { "additional-devices", 0, FLAG_LIST, "crio.runtime.additional_devices", "devices added to every container" },
        { "default-transport", 0, FLAG_VALUE, "crio.image.default_transport", "image transport prefix" },
        { "global-auth-file", 0, FLAG_VALUE, "crio.image.global_auth_file", "registry credentials file" },
        { "pause-image", 0, FLAG_VALUE, "crio.image.pause_image", "infra container image" },
        { "pause-image-auth-file", 0, FLAG_VALUE, "crio.image.pause_image_auth_file", "credentials for it" },
        { "pause-command", 0, FLAG_VALUE, "crio.image.pause_command", "command of the infra container" },
        { "signature-policy", 0, FLAG_VALUE, "crio.image.signature_policy", "signature policy file" },
        { "signature-policy-dir", 0, FLAG_VALUE, "crio.image.signature_policy_dir", "per-namespace policy files" },
        { "registries-conf", 0, FLAG_VALUE, "crio.image.registries_conf", "registries.conf path" },
        { "registries-conf-dir", 0, FLAG_VALUE, "crio.image.registries_conf_dir", "registries.conf drop-in directory" },
        { "image-volumes", 0, FLAG_VALUE, "crio.image.image_volumes", "mkdir, bind or ignore" },
        { "insecure-registry", 0, FLAG_LIST, "crio.image.insecure_registries", "registry without TLS (repeatable)" },
        { "registry", 0, FLAG_LIST, "crio.image.registries", "registry for short names (repeatable)" },
        { "pinned-images", 0, FLAG_LIST, "crio.image.pinned_images", "images never removed" },
        { "cni-default-network", 0, FLAG_VALUE, "crio.network.cni_default_network", "default CNI network name" },
        { "cni-config-dir", 0, FLAG_VALUE, "crio.network.network_dir", "CNI configuration directory" },
        { "cni-plugin-dir", 0, FLAG_LIST, "crio.network.plugin_dirs", "CNI plugin directory (repeatable)" },
        { "enable-metrics", 0, FLAG_BOOL, "crio.metrics.enable_metrics", "serve metrics" },
        { "metrics-port", 0, FLAG_VALUE, "crio.metrics.metrics_port", "metrics port" },
        { "version", 'v', FLAG_BOOL, NULL, "print the version and exit" },
        { "help", 'h', FLAG_BOOL, NULL, "print this help" },
};

#define N_FLAGS (sizeof flags / sizeof flags[0])

void crio_flags_usage(const char *prog) {
        printf("Usage: %s [FLAGS] [config|version]\n\n"
               "crio serves the Kubernetes CRI on a unix socket.\n\n"
               "Commands:\n"
               "  (none)    run the daemon\n"
               "  config    print the effective configuration as TOML\n"
               "  version   print version information\n\n"
               "Flags (each overrides the configuration files):\n",
               prog);
        for (size_t i = 0; i < N_FLAGS; i++) {
                char left[64];
                snprintf(left, sizeof left, "%s%c%s--%s%s", flags[i].short_name ? "-" : "",
                         flags[i].short_name ? flags[i].short_name : ' ', flags[i].short_name ? ", " : "  ",
                         flags[i].name, flags[i].kind == FLAG_BOOL ? "[=BOOL]" : " VALUE");
                printf("  %-44s %s\n", left, flags[i].help);
        }
}

void crio_flags_done(CrioFlags *f) {
        free(f->config_file);
        free(f->config_dir);
        strv_free(f->overrides);
        free(f->runtime_path);
        memset(f, 0, sizeof *f);
}

/* Sets key=value, or for list flags appends ",value" to an existing key=... entry. */
static int add_override(CrioFlags *f, const Flag *fl, const char *value) {
        size_t klen = strlen(fl->key);
        if (fl->kind == FLAG_LIST)
                for (char **o = f->overrides; o && *o; o++)
                        if (strncmp(*o, fl->key, klen) == 0 && (*o)[klen] == '=') {
                                char *n = NULL;
                                if (asprintf(&n, "%s,%s", *o, value) < 0)
                                        return -ENOMEM;
                                free(*o);
                                *o = n;
                                return 0;
                        }
        char *kv = NULL;
        if (asprintf(&kv, "%s=%s", fl->key, value) < 0)
                return -ENOMEM;
        return strv_consume(&f->overrides, kv);
}

int crio_flags_parse(int argc, char **argv, CrioFlags *ret, CrioError *err) {
        struct option longopts[N_FLAGS + 1];
        char shortopts[3 * N_FLAGS + 2];
        size_t sp = 0;
        shortopts[sp++] = ':';
        for (size_t i = 0; i < N_FLAGS; i++) {
                longopts[i] = (struct option){ flags[i].name,
                                               flags[i].kind == FLAG_BOOL ? optional_argument : required_argument, NULL,
                                               (int) (256 + i) };
                if (flags[i].short_name) {
                        shortopts[sp++] = flags[i].short_name;
                        if (flags[i].kind != FLAG_BOOL)
                                shortopts[sp++] = ':';
                }
        }
        longopts[N_FLAGS] = (struct option){ 0 };
        shortopts[sp] = '\0';

        CrioFlags f = {};
        optind = 0;
        opterr = 0;
        int c, r = 0;
        while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
                if (c == '?' || c == ':') {
                        r = crio_error_set(err, EINVAL, "%s: %s", c == '?' ? "unknown flag" : "flag needs a value",
                                           argv[optind - 1]);
                        break;
                }
                size_t i = 0;
                if (c >= 256)
                        i = (size_t) c - 256;
                else
                        while (i < N_FLAGS && flags[i].short_name != c)
                                i++;
                const Flag *fl = &flags[i];
                const char *val = optarg;
                if (fl->kind == FLAG_BOOL && !val)
                        val = "true";
                if (strcmp(fl->name, "config") == 0) {
                        free(f.config_file);
                        f.config_file = strdup(val);
                } else if (strcmp(fl->name, "config-dir") == 0) {
                        free(f.config_dir);
                        f.config_dir = strdup(val);
                } else if (strcmp(fl->name, "runtime") == 0) {
                        free(f.runtime_path);
                        f.runtime_path = strdup(val);
                } else if (strcmp(fl->name, "version") == 0)
                        f.show_version = strcmp(val, "false") != 0;
                else if (strcmp(fl->name, "help") == 0)
                        f.show_help = true;
                else if (add_override(&f, fl, val) < 0)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                if (r < 0)
                        break;
        }
        if (r >= 0 && optind < argc) {
                if (strcmp(argv[optind], "config") == 0)
                        f.command = "config";
                else if (strcmp(argv[optind], "version") == 0)
                        f.command = "version";
                else
                        r = crio_error_set(err, EINVAL, "unknown command \"%s\" (commands: config, version)", argv[optind]);
                if (r >= 0 && optind + 1 < argc)
                        r = crio_error_set(err, EINVAL, "unexpected argument \"%s\"", argv[optind + 1]);
        }
        if (r < 0) {
                crio_flags_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}

int crio_flags_apply(const CrioFlags *f, CrioConfig *cfg, CrioError *err) {
        for (char **o = f->overrides; o && *o; o++) {
                _cleanup_free_ char *key = strdup(*o);
                if (!key)
                        return crio_error_set(err, ENOMEM, "out of memory");
                char *eq = strchr(key, '=');
                *eq = '\0';
                int r = config_set_option(cfg, key, eq + 1, err);
                if (r < 0)
                        return crio_error_prefix(err, "command line: ");
        }
        if (f->runtime_path) {
                _cleanup_free_ char *key = NULL;
                if (asprintf(&key, "crio.runtime.runtimes.%s.runtime_path", cfg->default_runtime) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                int r = config_set_option(cfg, key, f->runtime_path, err);
                if (r < 0)
                        return crio_error_prefix(err, "command line: --runtime: ");
        }
        return 0;
}
