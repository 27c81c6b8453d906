/* Pod networking through CNI plugins (the CNI specification 0.3.x, 0.4.0, 1.0.0), as CRI-O
 * does it through libcni/ocicni.
 *
 * A Cni object loads network_dir (*.conf, *.conflist, *.json in lexical order; a .conf is one
 * plugin, made into a list of one), keeps the default network (default_network by name, or the
 * first valid file) and watches the directory with inotify: a file that appears, changes or
 * goes away is picked up without a restart. Invalid files are skipped with a logged reason.
 *
 * cni_add runs ADD through the network's plugins in order (prevResult chained), cni_del runs
 * DEL in reverse order, cni_check CHECK. Each plugin call has a timeout; a plugin's JSON error
 * object ({"code", "msg", "details"}) is passed up in the error message verbatim. ADD results
 * are cached like libcni's (cache_dir/results/<network>-<pod id>-eth0, kind "cniCacheV1"), so
 * DEL after a crio restart uses the configuration and arguments of the ADD, even when the
 * configuration files changed since. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define CNI_MAX_CONFIG_SIZE (1u << 20)     /* a configuration file */
#define CNI_MAX_RESULT_SIZE (1u << 20)     /* a plugin's stdout */
#define CNI_MAX_FILES 1024                 /* files considered in network_dir */
#define CNI_MAX_PLUGINS 64                 /* plugins in one list */
#define CNI_DEFAULT_TIMEOUT_MS (60 * 1000) /* one plugin call */
#define CNI_IFNAME "eth0"

typedef struct Cni Cni;

typedef struct CniOptions {
        const char *network_dir;     /* /etc/cni/net.d */
        char *const *plugin_dirs;    /* searched in order; CNI_PATH is these joined with ':' */
        const char *default_network; /* NULL or "": the first valid file */
        const char *cache_dir;       /* /var/lib/cni */
        int64_t timeout_ms;          /* per plugin call; <= 0: CNI_DEFAULT_TIMEOUT_MS */
} CniOptions;

typedef struct CniPortMapping {
        int32_t host_port, container_port;
        const char *protocol; /* "tcp", "udp", "sctp" (lower case, as the portmap plugin wants) */
        const char *host_ip;  /* NULL or "": any */
} CniPortMapping;

typedef struct CniPod {
        const char *id; /* the pod sandbox ID: CNI_CONTAINERID and K8S_POD_INFRA_CONTAINER_ID */
        const char *name, *namespace_, *uid;
        const char *netns; /* path of the pinned network namespace: CNI_NETNS */
        const CniPortMapping *ports;
        size_t n_ports;
        /* the "bandwidth" capability, bits per second; 0: none (from the pod's
         * kubernetes.io/ingress-bandwidth and egress-bandwidth annotations) */
        uint64_t ingress_rate, egress_rate;
        const char *ip_range;      /* "ipRanges" capability: the pod CIDR, NULL or "": none */
        const char *cgroup_parent; /* "cgroupPath" capability; NULL or "": none */
} CniPod;

/* Loads the configuration and starts watching network_dir (a missing directory is watched
 * for from its parent, and is not an error). */
int cni_new(const CniOptions *o, Cni **ret, CrioError *err);
void cni_free(Cni *c);

/* 1 when a usable network exists (*ret_network its name), 0 when not (*ret_message says why,
 * naming the directory and the last file's problem, e.g. a plugin not found), -ENOMEM.
 * Outputs are malloc'd; either may be NULL. */
int cni_status(Cni *c, char **ret_network, char **ret_message);

/* ADD of pod to the default network. On success *ret_ips holds the pod's addresses, IPv4
 * first, without prefix length (NULL-terminated, strv_free). On failure DEL has been run so
 * that nothing is left, and err says which plugin failed and how. -ENETDOWN: no network. */
int cni_add(Cni *c, const CniPod *pod, char ***ret_ips, CrioError *err);

/* DEL of pod: with the cached ADD (configuration, arguments, result) when there is one, else
 * with the current default network. Removes the cache entry. Deleting a pod that was never
 * added, or twice, succeeds. pod->netns may be NULL when the namespace is gone (plugins are
 * still called, as the specification asks, with an empty CNI_NETNS). */
int cni_del(Cni *c, const CniPod *pod, CrioError *err);

/* CHECK of pod against its cached ADD (cniVersion >= 0.4.0; older versions succeed). */
int cni_check(Cni *c, const CniPod *pod, CrioError *err);
