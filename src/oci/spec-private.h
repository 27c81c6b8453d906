/* The inside of the OCI spec builder, shared by its two files: spec.c (process, root,
 * mounts, annotations, namespaces, paths, the JSON document) and spec-resources.c
 * (linux.resources and linux.devices). Only src/oci/spec*.c include this. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/spec.h"

#define OCI_PATH_MAX 4096

typedef struct OciMount {
        char *destination;
        char *type;
        char *source;
        char **options;
} OciMount;

typedef struct OciRlimit {
        char *type; /* "RLIMIT_NOFILE" */
        uint64_t soft, hard;
} OciRlimit;

/* linux.resources.devices[] */
typedef struct OciDeviceRule {
        bool allow;
        char type;
        int64_t major, minor; /* -1 = any */
        char access[4];
} OciDeviceRule;

/* linux.devices[] */
typedef struct OciDeviceNode {
        char *path;
        char type;
        int64_t major, minor;
        uint32_t file_mode, uid, gid;
} OciDeviceNode;

/* linux.resources.hugepageLimits[] */
typedef struct OciHugepageLimit {
        char *page_size; /* "2MB" */
        uint64_t limit;
} OciHugepageLimit;

struct OciSpec {
        bool terminal;
        char **args;
        char **env;
        char *cwd;
        uid_t uid;
        gid_t gid;
        gid_t *gids;
        size_t n_gids;
        uint64_t caps;
        OciRlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        char *apparmor_profile; /* NULL: none in the spec */
        char *selinux_label;    /* process.selinuxLabel; NULL: none */
        char *mount_label;      /* linux.mountLabel; NULL: none */
        bool has_oom_score_adj;
        int oom_score_adj;

        char *root_path;
        bool root_readonly;
        char *hostname;
        OciMount *mounts;
        size_t n_mounts;
        char **annotation_keys, **annotation_values;

        bool ns_on[_OCI_NS_MAX];
        char *ns_path[_OCI_NS_MAX];
        char **masked_paths;
        char **readonly_paths;
        OciDeviceNode *device_nodes;
        size_t n_device_nodes;

        bool has_cpu_shares, has_cpu_quota;
        uint64_t cpu_shares, cpu_period;
        int64_t cpu_quota;
        char *cpus, *mems;
        int64_t memory_limit, memory_swap; /* 0 = unset */
        int64_t pids_limit;                /* 0 = unset */
        OciDeviceRule *device_rules;
        size_t n_device_rules;
        OciHugepageLimit *hugepages;
        size_t n_hugepages;
        char **unified_keys, **unified_values;
        char *cgroups_path;
        char **sysctl_keys, **sysctl_values;
        JsonNode *seccomp; /* linux.seccomp, or NULL */
};

/* spec.c */
/* Absolute, shorter than OCI_PATH_MAX, no newline, no ".." component. */
bool oci_path_is_absolute_clean(const char *p);
/* Sets keys[i] = value for key, appending if absent (parallel NULL-terminated arrays);
 * -ENOMEM leaves both as they were. */
int oci_kv_set(char ***keys, char ***values, const char *key, const char *value);
void oci_json_add_int(JsonBuilder *b, const char *member, int64_t v);
void oci_json_add_str(JsonBuilder *b, const char *member, const char *v);
void oci_json_add_kv_object(JsonBuilder *b, const char *member, char *const *keys, char *const *values);

/* spec-resources.c */
/* The defaults of oci_spec_new for what spec-resources.c keeps (device rules, an empty
 * unified map); -ENOMEM. */
int oci_spec_resources_init(OciSpec *s);
/* Frees what spec-resources.c keeps (for oci_spec_free). */
void oci_spec_resources_free(OciSpec *s);
/* The linux.resources object (a value: the caller has set the member name, if any). */
void oci_spec_build_resources(JsonBuilder *b, const OciSpec *s);
/* The "devices" member of linux (device nodes), when there is any. */
void oci_spec_build_device_nodes(JsonBuilder *b, const OciSpec *s);
