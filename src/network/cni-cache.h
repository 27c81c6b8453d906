/* The ADD result cache, in libcni's format so that either can read the other's:
 *
 *   <cache_dir>/results/<network>-<container id>-<ifname>     (directory 0700, file 0600)
 *   {"kind": "cniCacheV1", "containerId": ..., "config": <base64 of the list's JSON>,
 *    "ifName": "eth0", "networkName": ..., "netns": ..., "cniArgs": [["K8S_POD_NAME", ...], ...],
 *    "capabilityArgs": {...}, "result": {...}}
 *
 * Entries are written atomically (temporary file, fsync, rename). A pod's entries are found by
 * its ID whatever the network is called now: the directory is scanned for names ending in
 * "-<id>-eth0", and each candidate's own containerId, networkName and ifName must give its
 * name back (so pod "b" never takes "net-a-b-eth0", which is pod "a-b" of network "net"). */
#pragma once

#include "network/cni-attach.h"
#include "network/cni-result.h"

#define CNI_CACHE_MAX_SIZE (4u << 20)                  /* an entry (config + result + arguments) */
#define CNI_CACHE_MAX_DEPTH (CNI_RESULT_MAX_DEPTH + 2) /* JSON nesting of an entry */
#define CNI_CACHE_MAX_ENTRIES 16                       /* entries of one pod (one per network) */
#define CNI_CACHE_KIND "cniCacheV1"

/* Writes the entry of attachment a to net with result. */
int cni_cache_write(const char *cache_dir, const CniNetwork *net, const CniAttachment *a, JsonNode *result,
                    CrioError *err);

/* Parses an entry's text: an attachment with network_name, config and result filled, and
 * netns as recorded. EINVAL naming the problem. */
int cni_cache_parse(const char *data, size_t len, CniAttachment **ret, CrioError *err);

/* Reads and parses the entry at path, checking that its name is its own; -ENOENT when it is
 * another pod's than id (a pod whose ID ends in "-<id>"). */
int cni_cache_load(const char *path, const char *id, CniAttachment **ret, CrioError *err);

/* The paths of pod id's entries, sorted (NULL-terminated, strv_free; empty when none or when
 * there is no cache directory). */
int cni_cache_find(const char *cache_dir, const char *id, char ***ret_paths, CrioError *err);

/* Removes the entry at path; a missing one is not an error. */
int cni_cache_remove(const char *path, CrioError *err);
