/* Pieces of the pull pipeline (pull.h) shared by pull.c, pull-layers.c and pull-policy.c. */
#pragma once

#include "image/manifest.h"
#include "image/pull.h"
#include "image/reference.h"
#include "image/registry.h"

/* One pull from one source: where the bytes come from. */
typedef struct PullTarget {
        const PullOptions *o;
        const ImageReference *logical; /* the name asked for, normalised (what the image is called) */
        const char *source_ref;        /* the reference at the source (a mirror's, or the registry's) */
        const char *repo;              /* repository path at the source ("library/busybox") */
        RegistryClientOptions client;  /* host, TLS, credentials for the source */
        const RegistryClient *parent;  /* the source's client, idle while layers download: each
                                        * download's client starts from what it learned */
} PullTarget;

/* Fetches and records the layers of manifest m whose uncompressed digests are diff_ids (same
 * count), base first; diff_ids NULL (Docker schema 1) means they are learnt from the layers
 * themselves, each layer's ID then derived when it is recorded. On success *ret_top is the top layer's ID (NULL without layers) and
 * *ret_created the NULL-terminated IDs this call added (for removal if the pull fails later);
 * both the caller's. On failure the layers this call added are removed. */
int pull_layers(const PullTarget *t, const ImageManifest *m, char *const *diff_ids, char **ret_top,
                char ***ret_created, CrioError *err);

/* Removes layers a failed pull added, newest first; errors are logged. */
void pull_remove_layers(Store *s, char **ids);

/* Applies the signature policy at o->policy_path to the top-level manifest pulled for the
 * logical reference. 0 if accepted; -EACCES naming the requirement that refused it. */
int pull_check_policy(const PullTarget *t, const char *manifest, size_t manifest_len, const char *manifest_digest,
                      CrioError *err);
