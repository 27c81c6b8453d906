/* Pod sysctls as CRI requests and crio.conf's default_sysctls give them: "key=value", the
 * key dotted ("net.ipv4.ip_forward") or slashed ("net/ipv4/conf/eth0.1/rp_filter"). Only
 * sysctls of a network or IPC namespace are accepted (net.*, kernel.shm*, kernel.msg*,
 * kernel.sem*, fs.mqueue.*). crio checks a pod's sysctls with this parser before it starts
 * crio-pinns, which parses them again with it and writes them. */
#pragma once

#include "util/error.h"

/* Limits (the sysctls come from a CRI request) */
#define SYSCTL_MAX 256        /* sysctls of one pod */
#define SYSCTL_KEY_MAX 256    /* bytes in a key */
#define SYSCTL_VALUE_MAX 4096 /* bytes in a value */

typedef struct Sysctl {
        char *path;         /* below /proc/sys: "net/ipv4/ip_forward" (owned) */
        const char *key;    /* as given, for messages */
        const char *value;  /* as given */
        int clone_flag;     /* the namespace it lives in: CLONE_NEWNET or CLONE_NEWIPC */
} Sysctl;

/* Parses "key=value" into ret (ret->path owned; key and value point into arg, which must
 * outlive ret; arg's '=' is overwritten with a NUL). -EINVAL naming what is wrong: not
 * key=value, too long, an empty value or one with control characters, a malformed key, or a
 * key of no namespace a pod has. ret is untouched on failure. */
int sysctl_parse(char *arg, Sysctl *ret, CrioError *err);
