/* crio-pinns internals: the namespace types it pins and the sysctls it may set. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "util/sysctl.h"

/* The limits on its --sysctl options are util/sysctl.h's (SYSCTL_MAX and the key and value
 * sizes): crio checks a pod's sysctls against them before it runs crio-pinns. */

typedef struct PinnsNs {
        const char *name;    /* "net": /proc/thread-self/ns/net and DIR/netns/NAME */
        int clone_flag;      /* CLONE_NEWNET */
} PinnsNs;

extern const PinnsNs pinns_types[];
extern const size_t pinns_n_types;

/* Writes the value to /proc/sys/<path> (in the calling thread's namespaces). */
int pinns_sysctl_apply(const Sysctl *s, CrioError *err);
