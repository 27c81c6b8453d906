/* The configuration model: CRI-O's crio.conf.
 *
 * Sources, later wins: built-in defaults, the main file (/etc/crio/crio.conf or --config),
 * the drop-in directory (every .conf file of /etc/crio/crio.conf.d in lexical order, or --config-dir),
 * then command-line flags (config_set_option). Every option is described once, in a table
 * (config-options.c), which drives loading, validation of types and ranges, printing as TOML
 * (crio config), the JSON for Status(verbose) and the SIGHUP reload.
 *
 * Unknown keys are warnings ("FILE:LINE: unknown option crio.foo"); a wrong type or a value
 * out of range is an error naming FILE:LINE and the key. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/cleanup.h"
#include "../util/error.h"

#define CRIO_DEFAULT_CONFIG_FILE CRIO_SYSCONFDIR "/crio/crio.conf"
#define CRIO_DEFAULT_CONFIG_DIR CRIO_SYSCONFDIR "/crio/crio.conf.d"
#define CONFIG_MAX_FILE_SIZE (4u * 1024u * 1024u)

/* [crio.runtime.runtimes.<name>] */
typedef struct CrioRuntimeHandler {
        char *name;
        char *runtime_path; /* "" = look up <name> in PATH */
        char *runtime_type; /* "oci" | "vm" | "pod" */
        char *runtime_root;
        char **allowed_annotations;
} CrioRuntimeHandler;

typedef struct CrioConfig {
        /* [crio] */
        char *root;
        char *runroot;
        char *storage_driver;
        char **storage_option;
        char *log_dir;
        char *version_file;
        char *state_dir;

        /* [crio.api] */
        char *listen;
        char *stream_address;
        char *stream_port;
        bool stream_enable_tls;
        char *stream_tls_cert;
        char *stream_tls_key;
        char *stream_tls_ca;
        char *stream_idle_timeout;
        int64_t grpc_max_send_msg_size;
        int64_t grpc_max_recv_msg_size;

        /* [crio.runtime] */
        char *default_runtime;
        CrioRuntimeHandler *runtimes; /* sorted by name */
        size_t n_runtimes;
        char *conmon;
        char *conmon_cgroup;
        char **conmon_env;
        char *cgroup_manager; /* "systemd" | "cgroupfs" */
        bool selinux;
        bool hostnetwork_disable_selinux;
        char *seccomp_profile;
        char *apparmor_profile;
        char **default_capabilities;
        char **default_sysctls;
        char **default_ulimits;
        char **default_mounts;
        int64_t pids_limit;
        int64_t log_size_max;
        bool log_to_journald;
        char *container_exits_dir;
        char *container_attach_socket_dir;
        char *namespaces_dir;
        int64_t ctr_stop_timeout;
        bool read_only;
        char *log_level;
        bool drop_infra_ctr;
        char **hooks_dir;
        char **additional_devices;

        /* [crio.image] */
        char *default_transport;
        char *global_auth_file;
        char *pause_image;
        char *pause_image_auth_file;
        char *pause_command;
        char *signature_policy;
        char *image_volumes; /* "mkdir" | "bind" | "ignore" */
        char **insecure_registries;
        char **registries;
        char **pinned_images;
        char *signature_policy_dir;
        char *registries_conf;
        char *registries_conf_dir;
        char *registries_d_dir;
        char *certs_dir;
        char *pull_progress_timeout;
        int64_t max_parallel_downloads;
        int64_t max_layer_size;

        /* [crio.network] */
        char *cni_default_network;
        char *network_dir;
        char **plugin_dirs;
        char *cni_cache_dir;
        char *cni_plugin_timeout;

        /* [crio.metrics] */
        bool enable_metrics;
        int64_t metrics_port;
} CrioConfig;

/* A fresh configuration holding the built-in defaults (caller frees with config_free). */
int config_new_default(CrioConfig **ret, CrioError *err);
void config_free(CrioConfig *cfg);
DEFINE_TRIVIAL_CLEANUP_FUNC(CrioConfig *, config_free)
CrioConfig *config_dup(const CrioConfig *cfg); /* NULL on ENOMEM */

/* Applies one TOML file on top of cfg. Warnings (unknown keys) are appended to *warnings as
 * "FILE:LINE: ..." strings. On error cfg and *warnings are left unchanged (the file is applied
 * to a scratch copy that is swapped in only when all of it is good). */
int config_apply_file(CrioConfig *cfg, const char *path, char ***warnings, CrioError *err);
/* The same for a document in memory; name stands for the file in messages. */
int config_apply_data(CrioConfig *cfg, const char *name, const char *data, size_t len, char ***warnings,
                      CrioError *err);
/* Applies every *.conf in dir in lexical order (strcmp), all or nothing. A missing dir is not an
 * error; hidden files, non-regular files and other names are skipped. */
int config_apply_dir(CrioConfig *cfg, const char *dir, char ***warnings, CrioError *err);

/* Defaults + file + drop-in dir. A missing file is fine when !file_required (the default
 * path); a missing --config file is an error. Then config_validate. */
int config_load(const char *file, bool file_required, const char *dir, CrioConfig **ret, char ***warnings,
                CrioError *err);

/* Sets one option from a string, as a command-line flag does: key is "crio.api.listen" style
 * (section.key). Strings are taken as is, booleans "true"/"false", integers in decimal;
 * a string-array option takes values separated by commas. */
int config_set_option(CrioConfig *cfg, const char *key, const char *value, CrioError *err);
/* Cross-option checks (default_runtime in runtimes, enum values, ranges). */
int config_validate(const CrioConfig *cfg, CrioError *err);

/* The whole configuration as commented TOML that config_apply_file reads back unchanged. */
int config_to_toml(const CrioConfig *cfg, char **ret, CrioError *err);
/* The whole configuration as a JSON object (keys as in TOML, nested by section). */
int config_to_json(const CrioConfig *cfg, char **ret, CrioError *err);

/* SIGHUP: copies into live the options of fresh that may change at run time, appending
 * "crio.runtime.log_level: info -> debug" to *changed, and names in *ignored the options that
 * differ but need a restart. */
int config_reload(CrioConfig *live, const CrioConfig *fresh, char ***changed, char ***ignored, CrioError *err);

const CrioRuntimeHandler *config_find_runtime(const CrioConfig *cfg, const char *name);

/* True if a and b hold the same values for every option and the same runtime handlers. */
bool config_equal(const CrioConfig *a, const CrioConfig *b);

/* Parses a Go-style duration as stream_idle_timeout takes it ("4h", "1h30m", "1.5s", "300ms";
 * "" and "0" are 0) into nanoseconds. Negative durations are refused. -EINVAL or -ERANGE. */
int config_parse_duration(const char *s, int64_t *ret_nsec);
