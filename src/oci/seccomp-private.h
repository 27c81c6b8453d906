/* The parsed seccomp profile, shared by seccomp.c (parsing) and seccomp-oci.c (conversion
 * and selection). Not a public header. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "seccomp.h"

typedef struct Filter {
        bool present;
        uint64_t caps;    /* includes: all needed; excludes: any one excludes */
        bool unknown_cap; /* a name we cannot know: never held */
        char **arches;    /* NULL = no condition */
        bool has_kernel;
        unsigned kernel, major;
} Filter;

typedef struct Arg {
        uint32_t index;
        int64_t value, value_two; /* >= 0 */
        const char *op; /* "SCMP_CMP_..." (static) */
} Arg;

typedef struct Group {
        char **names;
        const char *action; /* "SCMP_ACT_..." (static) */
        bool has_errno;
        uint32_t errno_ret;
        Arg args[OCI_SECCOMP_MAX_ARGS];
        size_t n_args;
        Filter includes, excludes;
} Group;

typedef struct ArchEntry {
        const char *arch; /* "SCMP_ARCH_..." (static), as every name below */
        const char *sub[OCI_SECCOMP_MAX_LIST];
        size_t n_sub;
} ArchEntry;

struct OciSeccompProfile {
        const char *default_action;
        bool has_default_errno;
        uint32_t default_errno;
        const char **architectures; /* explicit list (instead of archMap) */
        size_t n_architectures;
        ArchEntry *arch_map;
        size_t n_arch_map;
        const char *flags[OCI_SECCOMP_MAX_LIST];
        size_t n_flags;
        char *listener_path, *listener_metadata;
        Group *groups;
        size_t n_groups;
};
