/* crio-pinns internals: the namespace types it pins and the sysctls it may set. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* Limits on the command line (it comes from a CRI request through crio). */
#define PINNS_SYSCTL_MAX 256          /* --sysctl options */
#define PINNS_SYSCTL_KEY_MAX 256      /* bytes in a key */
#define PINNS_SYSCTL_VALUE_MAX 4096   /* bytes in a value */

typedef struct PinnsNs {
        const char *name;    /* "net": /proc/thread-self/ns/net and DIR/netns/NAME */
        int clone_flag;      /* CLONE_NEWNET */
} PinnsNs;

extern const PinnsNs pinns_types[];
extern const size_t pinns_n_types;

typedef struct PinnsSysctl {
        char *path;          /* below /proc/sys: "net/ipv4/ip_forward" (owned) */
        const char *key;     /* as given, for messages */
        const char *value;   /* as given */
        int clone_flag;      /* the namespace it lives in */
} PinnsSysctl;

/* Parses "key=value" (key dotted "net.ipv4.ip_forward" or slashed "net/ipv4/conf/eth0.1/x")
 * into ret (ret->path owned; key and value point into arg, which arg must outlive). Only
 * sysctls of a network or IPC namespace are accepted: net.*, kernel.shm*, kernel.msg*,
 * kernel.sem*, fs.mqueue.*; -EINVAL names anything else. */
int pinns_sysctl_parse(char *arg, PinnsSysctl *ret, CrioError *err);
/* Writes the value to /proc/sys/<path> (in the calling thread's namespaces). */
int pinns_sysctl_apply(const PinnsSysctl *s, CrioError *err);
