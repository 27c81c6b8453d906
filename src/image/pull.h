/* Pulling an image from a registry into the store, as containers/image does for CRI-O.
 *
 *   name ──registries.conf──> candidates (short names: one per search registry, or an alias)
 *        ──for each candidate──> sources (mirrors in order, then the registry itself; blocked
 *        registries refused)
 *        ──for each source──> manifest (an index: the entry for the node's platform), the
 *        signature policy on the top-level manifest, the config, then the layers:
 *
 * Layers are downloaded and applied in parallel (at most max_parallel at once), each blob
 * streamed from libcurl through a pipe into the layer applier (which hashes it, decompresses
 * it and extracts it in the crio-untar helper): nothing is held whole in memory. The blob
 * digest and size and the uncompressed digest (the config's diff ID) are checked before a
 * layer is recorded; layers are recorded in order, base first. Layers already in the store
 * are skipped; a layer another pull is fetching right now is waited for, not fetched twice.
 * The image is recorded last (ID = the config digest, names and manifests as
 * containers/image records them): a pull that fails records no image and removes the layers
 * it added.
 *
 * Errors: -ENOENT (no such image at any source), -EACCES (blocked registry, refused
 * credentials, signature policy), -EBADMSG (digest/size mismatch, malformed data), -EINVAL
 * (a bad name), -ETIMEDOUT (a stalled transfer), -ECANCELED, -EIO. The message names the
 * image and, when several sources were tried, what each said. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "image/auth.h"
#include "storage/store.h"
#include "util/error.h"

#define PULL_DEFAULT_PARALLEL 6
#define PULL_SIGNATURE_MAX_SIZE (4u * 1024u * 1024u) /* bytes in one signature */
#define PULL_MAX_SIGNATURES 64                         /* signatures read per image */

/* What concurrent pulls share: the layers being fetched right now. */
typedef struct PullShared PullShared;
PullShared *pull_shared_new(void); /* NULL on ENOMEM */
void pull_shared_free(PullShared *p);

typedef struct PullOptions {
        Store *store;                       /* required */
        PullShared *shared;                 /* NULL: nothing shared with other pulls */
        const char *registries_conf;        /* NULL or "": registries_default_path() */
        const char *registries_conf_dir;    /* NULL: none */
        char *const *search_registries;     /* crio.conf "registries": searched after registries.conf's */
        char *const *insecure_registries;   /* crio.conf "insecure_registries": "host[:port][/path]" */
        const char *policy_path;            /* the policy.json to apply; required */
        const char *registries_d_dir;       /* lookaside configuration; NULL: none */
        const char *certs_dir;              /* NULL: REGISTRY_DEFAULT_CERTS_DIR */
        const AuthCredentials *creds;       /* from the request; NULL: look in auth_files */
        char *const *auth_files;            /* NULL-terminated; NULL: none */
        unsigned max_parallel;              /* 0: PULL_DEFAULT_PARALLEL */
        unsigned stall_timeout;             /* seconds; 0: no limit */
        unsigned max_retries;               /* transient HTTP failures retried per request */
        uint64_t max_layer_size;            /* uncompressed bytes per layer; 0: free space of the store */
        const char *os, *arch, *variant;    /* NULL: the node's */
        const volatile int *cancel;         /* optional */
} PullOptions;

/* Pulls name ("busybox", "quay.io/x/y:1", "x@sha256:…", with or without "docker://") and
 * returns the image ID (64 hex, caller frees) in *ret_id. */
int image_pull(const char *name, const PullOptions *o, char **ret_id, CrioError *err);
