/* Identifiers and names as containers/storage and containers/image derive them.
 *
 * Layer IDs of image layers are NOT the OCI ChainIDs. containers/image (storage_dest.go,
 * 5.23 as in Debian 12's skopeo 1.9 / podman 4.3) names the layer for the diff ID D of
 * layer n, on top of the layer stored as P:
 *     n == 0:  hex(D)
 *     n  > 0:  hex(sha256(P + "+" + hex(D)))      (P is the parent's 64-hex ID, no "sha256:")
 * and a store that already holds a layer with that ID reuses it. We derive the same IDs so
 * that crio and skopeo/podman share layers. (The OCI ChainID would be
 * sha256("sha256:<chain(n-1)> sha256:<diff(n)>"): different strings, different IDs.) */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/error.h"

#define STORE_ID_LEN 64                         /* hex digits in a layer, image or container ID */
#define STORE_LINK_ID_LEN 26                    /* overlay/l/<link> names */
#define STORE_DIGEST_LEN (sizeof("sha256:") - 1 + 64)
#define STORE_TIME_LEN 40                       /* room for an RFC 3339 time with nanoseconds */

/* True for exactly 64 lowercase hex digits. */
bool store_id_valid(const char *id);
/* True for "sha256:" and 64 lowercase hex digits (the only algorithm we accept). */
bool store_digest_valid(const char *digest);

/* The layer ID containers/image gives the layer with diff ID diff_digest ("sha256:<hex>")
 * on top of the layer parent_id (NULL or "" for a base layer). */
int store_layer_id_for(const char *parent_id, const char *diff_digest, char ret[STORE_ID_LEN + 1], CrioError *err);

/* The OCI image spec's ChainID of the chain whose ChainID so far is parent_chain ("sha256:…",
 * NULL for the first layer), extended by diff_digest. For reference and comparisons only. */
int store_oci_chain_id(const char *parent_chain, const char *diff_digest, char ret[STORE_DIGEST_LEN + 1], CrioError *err);

/* "sha256:<hex>" of a buffer. */
void store_sha256_digest(const void *data, size_t len, char ret[STORE_DIGEST_LEN + 1]);

/* A random 64-hex ID (as stringid.GenerateRandomID: never all digits in its first 12). */
void store_random_id(char ret[STORE_ID_LEN + 1]);
/* A random 26-character link name from the base32 alphabet (overlay driver's generateID). */
void store_random_link_id(char ret[STORE_LINK_ID_LEN + 1]);

/* The file name containers/storage stores a big-data item under (makeBigDataBaseName): the
 * key itself if it is made of [.0-9a-z] only, else "=" + standard base64 of the key. Returns
 * a malloc'd name, or NULL for an invalid key ("", ".", "..") or on ENOMEM. */
char *store_big_data_file_name(const char *key);

/* Formats t as Go's time.RFC3339Nano in UTC ("2026-11-28T10:05:27.23815009Z"). */
void store_format_time(const struct timespec *t, char ret[STORE_TIME_LEN]);
/* The current time in that format. */
void store_now(char ret[STORE_TIME_LEN]);
