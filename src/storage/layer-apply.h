/* Layer application: an image layer (tar, gzip or zstd) extracted into an empty directory in
 * the containers/storage overlay format (whiteouts as 0/0 character devices, opaque
 * directories marked trusted.overlay.opaque=y), with its digests.
 *
 * The extraction runs in the crio-untar helper (see untar.h for why and for the checks);
 * this side streams the input to it, hashes the bytes as received and collects the result.
 * Safe to call from any daemon thread. */
#pragma once

#include <stdint.h>

#include "util/error.h"

typedef struct LayerApplyOptions {
        const char *helper_path;          /* the crio-untar program; NULL: CRIO_LIBEXECDIR "/crio/crio-untar" */
        const char *expected_diff_digest; /* "sha256:<hex>" the uncompressed stream must have, or NULL */
        uint64_t max_diff_size;           /* uncompressed bytes; 0: no limit */
} LayerApplyOptions;

typedef struct LayerApplyResult {
        char *compressed_digest; /* "sha256:<hex>" of the bytes read from input_fd */
        uint64_t compressed_size;
        char *diff_digest; /* "sha256:<hex>" of the uncompressed tar (containers/storage's UncompressedDigest) */
        uint64_t diff_size;
} LayerApplyResult;

/* Frees the strings of *r and zeroes it. Accepts NULL and a zeroed result. */
void layer_apply_result_done(LayerApplyResult *r);

/* Reads input_fd to its end and applies the layer to target_dir, which should be a fresh
 * empty directory. Fills *ret (caller frees with layer_apply_result_done) on success.
 * On failure (an escaping or corrupt entry, bad compression, a digest mismatch, a helper
 * crash) err names the cause, e.g. 'layer entry "../x": path escapes the layer', and
 * target_dir may hold part of the layer: remove it with rm_rf() (util/rmrf.h).
 * input_fd is not closed; it may be blocking or not. */
int layer_apply(int input_fd, const char *target_dir, const LayerApplyOptions *opts, LayerApplyResult *ret,
                CrioError *err);
