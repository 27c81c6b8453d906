/* One attachment of a pod to a network: what libcni calls the RuntimeConf (container ID,
 * netns, CNI_ARGS, capability arguments), and what a plugin gets from it: its environment and
 * its stdin (cni-args.c). The cache (cni-cache.h) stores and gives back the same thing. */
#pragma once

#include <json-glib/json-glib.h>
#include <stddef.h>

#include "network/cni-private.h"
#include "util/cleanup.h"

#define CNI_MAX_ARGS 32 /* CNI_ARGS pairs */

typedef struct CniAttachment {
        char *container_id;
        char *netns;               /* NULL: none (CNI_NETNS empty) */
        char **cni_args;           /* key, value, key, value, ..., NULL: the CNI_ARGS pairs */
        JsonObject *capability_args; /* never NULL, possibly empty: portMappings, bandwidth, ... */
        /* from a cache entry only (else NULL): */
        char *network_name;
        char *config; /* the network's list-form JSON */
        size_t config_len;
        JsonNode *result; /* the cached ADD result; NULL when the entry has none */
} CniAttachment;

void cni_attachment_free(CniAttachment *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(CniAttachment *, cni_attachment_free);

/* An empty attachment of container_id (netns may be NULL). */
int cni_attachment_new(const char *container_id, const char *netns, CniAttachment **ret, CrioError *err);

/* The attachment of pod as ocicni makes it: CNI_ARGS IgnoreUnknown=1, K8S_POD_NAMESPACE,
 * K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID, K8S_POD_UID; the capability arguments
 * portMappings, bandwidth (bursts math.MaxInt32 when a rate is set), ipRanges and cgroupPath
 * for those the pod has. */
int cni_attachment_from_pod(const CniPod *pod, CniAttachment **ret, CrioError *err);

/* The environment of one plugin call (NULL-terminated, strv_free): CNI_COMMAND,
 * CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH (plugin_dirs joined with ':'), CNI_ARGS
 * and PATH (the caller's, or a default). NULL on ENOMEM. */
char **cni_plugin_env(const char *command, const CniAttachment *a, char *const *plugin_dirs);

/* The stdin of one plugin call: plugin's configuration with the list's cniVersion and name,
 * prev_result as "prevResult" (when not NULL) and "runtimeConfig" holding the capability
 * arguments the plugin declares. *ret is
 * malloc'd (free). */
int cni_plugin_stdin(const CniNetwork *net, const CniPlugin *plugin, const CniAttachment *a, JsonNode *prev_result,
                     char **ret, size_t *ret_len, CrioError *err);
