/* The option table: every option of crio.conf, once. Loading, flags, validation, printing
 * and reload are all driven by it (see config-internal.h). Adding an option means adding a
 * field to CrioConfig and a row here (and a paragraph to contrib/crio.conf). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config-internal.h"
#include "util/cleanup.h"
#include "util/device-entry.h"

#define OFF(field) offsetof(CrioConfig, field)
#define HOFF(field) offsetof(CrioRuntimeHandler, field)

/* ---- checks ---- */

static const char *check_port_string(const char *s, int64_t i) {
        (void) i;
        const char *expected = "a port number from 0 to 65535, as a string";
        if (!s[0] || strlen(s) > 5)
                return expected;
        long v = 0;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return expected;
                v = v * 10 + (*p - '0');
        }
        return v <= 65535 ? NULL : expected;
}

static const char *check_log_size_max(const char *s, int64_t i) {
        (void) s;
        /* conmon reads the log in 8 KiB buffers: a smaller limit cannot be honoured. */
        return i == -1 || i >= 8192 ? NULL : "-1 (no limit) or at least 8192";
}

static const char *check_duration(const char *s, int64_t i) {
        (void) i;
        int64_t ns;
        return config_parse_duration(s, &ns) >= 0 ? NULL : "a duration such as \"4h\", \"30m\" or \"1h30m\", or \"\"";
}

/* "NAME=value", NAME non-empty. */
static const char *check_assignment(const char *s, int64_t i) {
        (void) i;
        const char *eq = strchr(s, '=');
        return eq && eq != s ? NULL : "\"NAME=value\"";
}

static const char *check_capability(const char *s, int64_t i) {
        (void) i;
        if (!s[0])
                return "a capability name such as \"CHOWN\"";
        for (const char *p = s; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
                        return "a capability name such as \"CHOWN\"";
        return NULL;
}

static bool parse_rlimit_value(const char *s, size_t n, int64_t *ret) {
        if (n == 0 || n > 20)
                return false;
        char buf[24];
        memcpy(buf, s, n);
        buf[n] = '\0';
        char *end = NULL;
        errno = 0;
        long long v = strtoll(buf, &end, 10);
        if (errno != 0 || *end != '\0' || v < -1)
                return false;
        *ret = v;
        return true;
}

/* "nofile=1024:2048" (soft:hard) or "nofile=1024" (both); -1 is unlimited. */
static const char *check_ulimit(const char *s, int64_t i) {
        (void) i;
        static const char *const names[] = { "core",  "cpu",    "data",   "fsize",      "locks", "memlock",
                                             "msgqueue", "nice", "nofile", "nproc",  "rss",   "rtprio",
                                             "rttime", "sigpending", "stack", NULL };
        const char *expected = "\"NAME=SOFT:HARD\" such as \"nofile=1024:2048\", NAME one of core, cpu, data, fsize, "
                               "locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack";
        const char *eq = strchr(s, '=');
        if (!eq)
                return expected;
        bool known = false;
        for (const char *const *n = names; *n; n++)
                if (strlen(*n) == (size_t) (eq - s) && strncmp(*n, s, (size_t) (eq - s)) == 0)
                        known = true;
        if (!known)
                return expected;
        const char *v = eq + 1, *colon = strchr(v, ':');
        int64_t soft, hard;
        if (!parse_rlimit_value(v, colon ? (size_t) (colon - v) : strlen(v), &soft))
                return expected;
        if (!colon)
                return NULL;
        if (!parse_rlimit_value(colon + 1, strlen(colon + 1), &hard))
                return expected;
        if (hard != -1 && (soft == -1 || soft > hard))
                return "a soft limit no larger than the hard limit";
        return NULL;
}

/* "host[:container][:mode]" or "host:mode" (util/device-entry.h) */
static const char *check_device(const char *s, int64_t i) {
        (void) i;
        if (device_entry_parse(s, NULL, NULL) < 0)
                return "\"/dev/host[:/dev/container][:MODE]\" with MODE letters of r, w, m (each once)";
        return NULL;
}

/* "/host/path:/container/path" */
static const char *check_mount(const char *s, int64_t i) {
        (void) i;
        const char *c = strchr(s, ':');
        return s[0] == '/' && c && c[1] == '/' && !strchr(c + 1, ':') ? NULL : "\"/host/path:/container/path\"";
}

static const char *check_not_empty(const char *s, int64_t i) {
        (void) i;
        return s[0] ? NULL : "a non-empty string";
}

/* ---- Go-style durations ---- */

int config_parse_duration(const char *s, int64_t *ret_nsec) {
        static const struct {
                const char *unit;
                int64_t ns;
        } units[] = {
                { "ns", 1 },
                { "us", 1000 },
                { "\xc2\xb5s", 1000 }, /* U+00B5 micro sign */
                { "\xce\xbcs", 1000 }, /* U+03BC Greek mu */
                { "ms", 1000000 },
                { "s", INT64_C(1000000000) },
                { "m", INT64_C(60000000000) },
                { "h", INT64_C(3600000000000) },
        };
        if (!s[0]) {
                *ret_nsec = 0;
                return 0;
        }
        const char *p = s;
        if (*p == '+')
                p++;
        if (strcmp(p, "0") == 0) {
                *ret_nsec = 0;
                return 0;
        }
        if (!*p)
                return -EINVAL;
        int64_t total = 0;
        while (*p) {
                int64_t whole = 0, frac = 0, scale = 1;
                bool digits = false;
                for (; *p >= '0' && *p <= '9'; p++) {
                        if (whole > (INT64_MAX - 9) / 10)
                                return -ERANGE;
                        whole = whole * 10 + (*p - '0');
                        digits = true;
                }
                if (*p == '.') {
                        p++;
                        for (; *p >= '0' && *p <= '9'; p++) {
                                digits = true;
                                if (scale < INT64_C(1000000000000000000) / 10) {
                                        frac = frac * 10 + (*p - '0');
                                        scale *= 10;
                                }
                        }
                }
                if (!digits)
                        return -EINVAL;
                size_t best = 0;
                int64_t unit = 0;
                for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                        size_t n = strlen(units[i].unit);
                        if (strncmp(p, units[i].unit, n) == 0 && n > best) {
                                best = n;
                                unit = units[i].ns;
                        }
                }
                if (!best)
                        return -EINVAL;
                p += best;
                if (whole > INT64_MAX / unit)
                        return -ERANGE;
                int64_t v = whole * unit;
                /* frac/scale of a unit, without overflow: unit <= 3.6e12, scale <= 1e17 */
                long double f = (long double) frac * (long double) unit / (long double) scale;
                if ((long double) (INT64_MAX - v) < f)
                        return -ERANGE;
                v += (int64_t) f;
                if (total > INT64_MAX - v)
                        return -ERANGE;
                total += v;
        }
        *ret_nsec = total;
        return 0;
}

/* ---- defaults ---- */

static const char *default_cgroup_manager(void) {
        /* Like sd_booted(): the machine runs systemd if /run/systemd/system is a directory. */
        struct stat st;
        if (lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode))
                return "systemd";
        return "cgroupfs";
}

static const char *const def_conmon_env[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        NULL,
};
static const char *const def_capabilities[] = { "CHOWN",  "DAC_OVERRIDE", "FSETID",           "FOWNER", "SETGID",
                                                "SETUID", "SETPCAP",      "NET_BIND_SERVICE", "KILL",   NULL };
static const char *const def_hooks_dir[] = { "/usr/share/containers/oci/hooks.d", NULL };
static const char *const def_plugin_dirs[] = { "/opt/cni/bin/", "/usr/lib/cni/", NULL };

static const char *const choices_storage_driver[] = { "overlay", "ostree", NULL };
static const char *const choices_cgroup_manager[] = { "systemd", "cgroupfs", NULL };
static const char *const choices_log_level[] = { "trace", "debug", "info", "warn", "error", "fatal", "panic", NULL };
static const char *const choices_image_volumes[] = { "mkdir", "bind", "ignore", NULL };
static const char *const choices_runtime_type[] = { "oci", "vm", "pod", NULL };

#define STR(sec, k, field, fl, def, d) \
        { .section = sec, .key = k, .type = CONFIG_STRING, .offset = OFF(field), .flags = fl, .def_str = def, .doc = d }
#define STRV(sec, k, field, fl, def, d) \
        { .section = sec, .key = k, .type = CONFIG_STRV, .offset = OFF(field), .flags = fl, .def_strv = def, .doc = d }
#define BOOL(sec, k, field, fl, def, d) \
        { .section = sec, .key = k, .type = CONFIG_BOOL, .offset = OFF(field), .flags = fl, .def_bool = def, .doc = d }
#define INT(sec, k, field, fl, lo, hi, def, d)                                                             \
        { .section = sec, .key = k, .type = CONFIG_INT, .offset = OFF(field), .flags = fl, .min = lo, .max = hi, \
          .def_int = def, .doc = d }

enum { R = CONFIG_RELOADABLE, P = CONFIG_PATH, E = CONFIG_EMPTY_OK };

const ConfigOption config_options[] = {
        /* [crio] */
        STR("crio", "root", root, P, "/var/lib/containers/storage",
            "Storage root: images, layers and container root filesystems."),
        STR("crio", "runroot", runroot, P, "/var/run/containers/storage", "Storage run-time state (on tmpfs)."),
        { .section = "crio", .key = "storage_driver", .type = CONFIG_STRING, .offset = OFF(storage_driver),
          .choices = choices_storage_driver, .def_str = "overlay", .doc = "Storage driver: overlay or ostree." },
        STRV("crio", "storage_option", storage_option, 0, NULL, "Options passed to the storage driver."),
        STR("crio", "log_dir", log_dir, P, "/var/log/crio/pods",
            "Default directory for container logs when the kubelet names none."),
        STR("crio", "version_file", version_file, P | E, "/var/run/crio/version",
            "File crio writes its version to at start-up (\"\": none)."),
        STR("crio", "state_dir", state_dir, P, "/var/lib/crio",
            "Daemon state: pod and container records, bundles (config.json), conmon pid files."),

        /* [crio.api] */
        STR("crio.api", "listen", listen, P, "/var/run/crio/crio.sock", "The CRI unix socket."),
        { .section = "crio.api", .key = "stream_address", .type = CONFIG_STRING, .offset = OFF(stream_address),
          .check = check_not_empty, .def_str = "127.0.0.1", .doc = "IP address the streaming server listens on." },
        { .section = "crio.api", .key = "stream_port", .type = CONFIG_STRING, .offset = OFF(stream_port),
          .check = check_port_string, .def_str = "0",
          .doc = "Port of the streaming server, a string (\"0\": pick a free port)." },
        BOOL("crio.api", "stream_enable_tls", stream_enable_tls, 0, false, "Serve streams over TLS."),
        STR("crio.api", "stream_tls_cert", stream_tls_cert, P | E, "", "x509 certificate for streams over TLS."),
        STR("crio.api", "stream_tls_key", stream_tls_key, P | E, "", "Private key for streams over TLS."),
        STR("crio.api", "stream_tls_ca", stream_tls_ca, P | E, "",
            "CA for client certificates of streams over TLS (\"\": no client certificates)."),
        { .section = "crio.api", .key = "stream_idle_timeout", .type = CONFIG_STRING,
          .offset = OFF(stream_idle_timeout), .flags = R, .check = check_duration, .def_str = "",
          .doc = "Close streams idle this long, e.g. \"4h\" (\"\": never)." },
        INT("crio.api", "grpc_max_send_msg_size", grpc_max_send_msg_size, 0, 1, INT32_MAX, 16777216,
            "Largest gRPC message crio sends, in bytes."),
        INT("crio.api", "grpc_max_recv_msg_size", grpc_max_recv_msg_size, 0, 1, INT32_MAX, 16777216,
            "Largest gRPC message crio accepts, in bytes."),

        /* [crio.runtime] */
        { .section = "crio.runtime", .key = "default_runtime", .type = CONFIG_STRING, .offset = OFF(default_runtime),
          .flags = R, .check = check_not_empty, .def_str = "runc",
          .doc = "Runtime handler for pods that name none; one of [crio.runtime.runtimes.*]." },
        STR("crio.runtime", "conmon", conmon, P, CRIO_LIBEXECDIR "/crio/conmon", "Path of the container monitor."),
        { .section = "crio.runtime", .key = "conmon_cgroup", .type = CONFIG_STRING, .offset = OFF(conmon_cgroup),
          .check = check_not_empty, .def_str = "pod",
          .doc = "Cgroup for conmon: \"pod\" (the pod's cgroup) or a cgroup path / systemd slice." },
        { .section = "crio.runtime", .key = "conmon_env", .type = CONFIG_STRV, .offset = OFF(conmon_env), .flags = R,
          .check = check_assignment, .def_strv = def_conmon_env, .doc = "Environment of conmon, as NAME=value." },
        { .section = "crio.runtime", .key = "cgroup_manager", .type = CONFIG_STRING, .offset = OFF(cgroup_manager),
          .choices = choices_cgroup_manager, .def_fn = default_cgroup_manager,
          .doc = "systemd or cgroupfs (default: systemd when booted with systemd); must match the kubelet." },
        BOOL("crio.runtime", "selinux", selinux, 0, false, "Label containers with SELinux."),
        BOOL("crio.runtime", "hostnetwork_disable_selinux", hostnetwork_disable_selinux, 0, true,
             "Containers in the host's network namespace get no SELinux process label."),
        STR("crio.runtime", "seccomp_profile", seccomp_profile, R | P | E, "",
            "Seccomp profile (JSON file) for RuntimeDefault (\"\": the built-in profile)."),
        STR("crio.runtime", "apparmor_profile", apparmor_profile, R, "crio-default",
            "AppArmor profile for RuntimeDefault."),
        { .section = "crio.runtime", .key = "default_capabilities", .type = CONFIG_STRV,
          .offset = OFF(default_capabilities), .flags = R, .check = check_capability, .def_strv = def_capabilities,
          .doc = "Capabilities of every container, before the pod's add/drop." },
        { .section = "crio.runtime", .key = "default_sysctls", .type = CONFIG_STRV, .offset = OFF(default_sysctls),
          .flags = R, .check = check_assignment, .doc = "Sysctls of every pod, as \"name=value\"." },
        { .section = "crio.runtime", .key = "default_ulimits", .type = CONFIG_STRV, .offset = OFF(default_ulimits),
          .flags = R, .check = check_ulimit, .doc = "Rlimits of every container, as \"nofile=1024:2048\"." },
        { .section = "crio.runtime", .key = "default_mounts", .type = CONFIG_STRV, .offset = OFF(default_mounts),
          .check = check_mount, .doc = "Bind mounts of every container, as \"/host/path:/container/path\"." },
        INT("crio.runtime", "pids_limit", pids_limit, 0, -1, INT64_MAX, 0,
            "Pids limit of each container (0 or -1: no limit from crio)."),
        { .section = "crio.runtime", .key = "log_size_max", .type = CONFIG_INT, .offset = OFF(log_size_max),
          .check = check_log_size_max, .def_int = -1,
          .doc = "Largest container log file in bytes (-1: no limit; else at least 8192)." },
        BOOL("crio.runtime", "log_to_journald", log_to_journald, 0, false, "Also send container output to journald."),
        STR("crio.runtime", "container_exits_dir", container_exits_dir, P, "/var/run/crio/exits",
            "Where conmon writes container exit codes."),
        STR("crio.runtime", "container_attach_socket_dir", container_attach_socket_dir, P, "/var/run/crio",
            "Where conmon keeps attach sockets."),
        STR("crio.runtime", "namespaces_dir", namespaces_dir, P, "/var/run", "Where pod namespaces are pinned."),
        INT("crio.runtime", "ctr_stop_timeout", ctr_stop_timeout, R, 0, INT64_MAX, 30,
            "Seconds a stopping container gets at least before it is killed."),
        BOOL("crio.runtime", "read_only", read_only, 0, false, "Run every container with a read-only root filesystem."),
        { .section = "crio.runtime", .key = "log_level", .type = CONFIG_STRING, .offset = OFF(log_level), .flags = R,
          .choices = choices_log_level, .def_str = "info",
          .doc = "Log level: trace, debug, info, warn, error, fatal or panic." },
        BOOL("crio.runtime", "drop_infra_ctr", drop_infra_ctr, 0, true,
             "Run no infra container when a pod needs none."),
        STRV("crio.runtime", "hooks_dir", hooks_dir, P, def_hooks_dir, "Directories of OCI hook definitions."),
        { .section = "crio.runtime", .key = "additional_devices", .type = CONFIG_STRV,
          .offset = OFF(additional_devices), .check = check_device,
          .doc = "Devices added to every container, as \"/dev/host:/dev/ctr:rwm\"." },

        /* [crio.image] */
        STR("crio.image", "default_transport", default_transport, 0, "docker://",
            "Transport of image names that carry none."),
        STR("crio.image", "global_auth_file", global_auth_file, P | E, "",
            "Registry credentials (auth.json format) used for every pull."),
        STR("crio.image", "pause_image", pause_image, R, "",
            "Infra container image (\"\": crio's own static pause binary, nothing to pull)."),
        STR("crio.image", "pause_image_auth_file", pause_image_auth_file, R | P | E, "",
            "Credentials for pulling pause_image."),
        STR("crio.image", "pause_command", pause_command, R, "/pause", "Command of the infra container."),
        STR("crio.image", "signature_policy", signature_policy, R | P | E, "",
            "Signature policy file (\"\": /etc/containers/policy.json)."),
        { .section = "crio.image", .key = "image_volumes", .type = CONFIG_STRING, .offset = OFF(image_volumes),
          .choices = choices_image_volumes, .def_str = "mkdir", .doc = "Image VOLUMEs: mkdir, bind or ignore." },
        STRV("crio.image", "insecure_registries", insecure_registries, R, NULL,
             "Registries reached without TLS verification."),
        STRV("crio.image", "registries", registries, R, NULL, "Registries searched for short image names."),
        STRV("crio.image", "pinned_images", pinned_images, R, NULL, "Images the kubelet must never remove."),
        STR("crio.image", "signature_policy_dir", signature_policy_dir, R | P, "/etc/crio/policies",
            "Per-namespace policies: <dir>/<pod namespace>.json, used instead of signature_policy when present."),
        STR("crio.image", "registries_conf", registries_conf, R | P | E, "",
            "registries.conf (\"\": $CONTAINERS_REGISTRIES_CONF or /etc/containers/registries.conf)."),
        STR("crio.image", "registries_conf_dir", registries_conf_dir, R | P, "/etc/containers/registries.conf.d",
            "Drop-in directory of registries.conf."),
        STR("crio.image", "registries_d_dir", registries_d_dir, R | P, "/etc/containers/registries.d",
            "Signature lookaside configuration (containers-registries.d)."),
        STR("crio.image", "certs_dir", certs_dir, R | P, "/etc/containers/certs.d",
            "Registry TLS material: <dir>/<host[:port]>/*.crt, *.cert, *.key."),
        { .section = "crio.image", .key = "pull_progress_timeout", .type = CONFIG_STRING, .offset = OFF(pull_progress_timeout),
          .flags = R, .check = check_duration, .def_str = "1m",
          .doc = "A pull whose transfer makes no progress for this long fails (\"0s\": never)." },
        INT("crio.image", "max_parallel_downloads", max_parallel_downloads, R, 1, 64, 6,
            "Layers of one pull downloaded and applied at the same time."),
        INT("crio.image", "max_layer_size", max_layer_size, R, 0, INT64_MAX, 0,
            "Largest uncompressed layer accepted, in bytes (0: the free space of the storage root)."),

        /* [crio.network] */
        STR("crio.network", "cni_default_network", cni_default_network, 0, "",
            "CNI network of pods (\"\": the first usable configuration in network_dir)."),
        STR("crio.network", "network_dir", network_dir, P, "/etc/cni/net.d/", "Directory of CNI configurations."),
        STRV("crio.network", "plugin_dirs", plugin_dirs, P, def_plugin_dirs, "Directories of CNI plugin binaries."),
        STR("crio.network", "cni_cache_dir", cni_cache_dir, P, "/var/lib/cni",
            "CNI result cache (as libcni's: <dir>/results), so that a pod's network is torn down with the arguments it was set up with."),
        { .section = "crio.network", .key = "cni_plugin_timeout", .type = CONFIG_STRING, .offset = OFF(cni_plugin_timeout),
          .check = check_duration, .def_str = "1m", .doc = "A CNI plugin call that takes longer is killed and fails." },

        /* [crio.metrics] */
        BOOL("crio.metrics", "enable_metrics", enable_metrics, 0, false, "Serve metrics."),
        INT("crio.metrics", "metrics_port", metrics_port, 0, 1, 65535, 9090, "Port of the metrics server."),
};
const size_t config_n_options = ELEMENTSOF(config_options);

const ConfigOption config_handler_options[] = {
        { .section = "crio.runtime.runtimes", .key = "runtime_path", .type = CONFIG_STRING,
          .offset = HOFF(runtime_path), .flags = R | P | E, .def_str = "",
          .doc = "The OCI runtime binary (\"\": the handler's name, looked up in PATH)." },
        { .section = "crio.runtime.runtimes", .key = "runtime_type", .type = CONFIG_STRING,
          .offset = HOFF(runtime_type), .flags = R, .choices = choices_runtime_type, .def_str = "oci",
          .doc = "oci, vm or pod." },
        { .section = "crio.runtime.runtimes", .key = "runtime_root", .type = CONFIG_STRING,
          .offset = HOFF(runtime_root), .flags = R | P | E, .def_str = "",
          .doc = "State directory of the runtime, its --root (\"\": the runtime's default)." },
        { .section = "crio.runtime.runtimes", .key = "allowed_annotations", .type = CONFIG_STRV,
          .offset = HOFF(allowed_annotations), .flags = R,
          .doc = "Annotations that pods using this handler may set." },
};
const size_t config_n_handler_options = ELEMENTSOF(config_handler_options);

const ConfigSection config_sections[] = {
        { "crio", "Storage and the daemon's own files." },
        { "crio.api", "The CRI socket and the streaming server (exec, attach, port-forward)." },
        { "crio.runtime", "Containers and the OCI runtimes that run them." },
        { "crio.image", "Images and registries." },
        { "crio.network", "Pod networking through CNI." },
        { "crio.metrics", "Metrics." },
};
const size_t config_n_sections = ELEMENTSOF(config_sections);

const char *const config_unsupported_sections[] = {
        "crio.tracing", "crio.stats", "crio.nri", "crio.runtime.workloads", NULL,
};

/* ---- lookups ---- */

const ConfigOption *config_option_find(const char *section, const char *key) {
        for (size_t i = 0; i < config_n_options; i++)
                if (strcmp(config_options[i].section, section) == 0 && strcmp(config_options[i].key, key) == 0)
                        return &config_options[i];
        return NULL;
}

const ConfigOption *config_option_find_name(const char *name) {
        for (size_t i = 0; i < config_n_options; i++) {
                const ConfigOption *o = &config_options[i];
                size_t n = strlen(o->section);
                if (strncmp(name, o->section, n) == 0 && name[n] == '.' && strcmp(name + n + 1, o->key) == 0)
                        return o;
        }
        return NULL;
}

const ConfigOption *config_handler_option_find(const char *key) {
        for (size_t i = 0; i < config_n_handler_options; i++)
                if (strcmp(config_handler_options[i].key, key) == 0)
                        return &config_handler_options[i];
        return NULL;
}

bool config_section_known(const char *name) {
        for (size_t i = 0; i < config_n_sections; i++)
                if (strcmp(config_sections[i].name, name) == 0)
                        return true;
        return false;
}

bool config_section_unsupported(const char *name) {
        for (const char *const *s = config_unsupported_sections; *s; s++)
                if (strcmp(*s, name) == 0)
                        return true;
        return false;
}
