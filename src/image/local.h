/* Images in the local store as the CRI sees them: finding one by what a client calls it,
 * its repo tags and digests, its user, and whether it is pinned. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "storage/store.h"
#include "util/error.h"

/* Finds the image a client names: a full ID (with or without "sha256:"), a reference
 * (normalised: "busybox" finds "docker.io/library/busybox:latest"; "name@sha256:…" finds the
 * image with that manifest digest), or a unique ID prefix of at least IMAGE_ID_PREFIX_MIN hex
 * digits. -ENOENT when there is none; -EINVAL naming the problem for a malformed name;
 * -ENOTUNIQ for an ambiguous prefix. *ret is the caller's (store_image_free). */
int image_local_find(Store *s, const char *name, StoreImage **ret, CrioError *err);

/* The image's names split as CRI-O reports them: tags ("repo:tag") and digests
 * ("repo@sha256:…": names that carry a digest, plus every tagged repository with the image's
 * manifest digest). Both arrays are the caller's (strv_free), never NULL on success. */
int image_local_repo_names(const StoreImage *img, char ***ret_tags, char ***ret_digests);

/* Whether any name of img matches one of the pinned_images patterns: exact ("docker.io/x:1"
 * or its familiar form), a prefix glob (docker.io/library/ then a star), or a keyword (a word between two stars: any name containing it). */
bool image_local_pinned(const StoreImage *img, char *const *patterns);

/* The image config's user: a numeric user sets *ret_uid (and *ret_has_uid), a name sets
 * *ret_username; "uid:gid" and "name:group" keep the user part. With no config or no user,
 * *ret_has_uid is true and *ret_uid 0 is NOT assumed: both stay unset (has_uid false,
 * username NULL). */
int image_local_user(Store *s, const StoreImage *img, bool *ret_has_uid, int64_t *ret_uid, char **ret_username,
                     CrioError *err);

/* The image config (JSON text) or NULL if the image has none; the caller frees. */
int image_local_config(Store *s, const StoreImage *img, char **ret, CrioError *err);
