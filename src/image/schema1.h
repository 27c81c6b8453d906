/* Docker schema 1 images, read-only, as containers/image pulls them:
 *
 *   - the digest of a signed ("prettyjws") manifest is that of its payload, the manifest
 *     with the JWS signatures cut out (libtrust's formatLength / formatTail), which is what
 *     registries and `skopeo inspect` report;
 *   - an image config is synthesised from the manifest's history once the layers' diff IDs
 *     are known, byte for byte as containers/image's Schema1.ToSchema2Config writes it (Go's
 *     encoding/json: members sorted, values compacted, HTML characters escaped), so that
 *     its sha256, the image ID, is the one podman and skopeo give the same image.
 *
 * Not reproduced: the re-encoding containers/image applies to images built by Docker
 * before 1.8.3, and docker's fixManifestLayers (dropping repeated history entries). */
#pragma once

#include <stddef.h>

#include "image/manifest.h"
#include "util/error.h"

/* The synthesised config is refused past this many bytes (-EFBIG). */
#define SCHEMA1_CONFIG_MAX_SIZE IMAGE_CONFIG_MAX_SIZE

/* The digest ("sha256:…", caller frees) containers/image gives the schema 1 manifest data:
 * that of the JWS payload if the manifest has "signatures", else of data itself. -EINVAL if
 * the signatures are malformed or disagree on the payload. */
int schema1_manifest_digest(const char *data, size_t len, char **ret_digest, CrioError *err);

/* The image config for schema 1 manifest m (m->v1_compat required) whose non-throwaway
 * layers have the uncompressed digests diff_ids (NULL-terminated, base first). *ret_config
 * (caller frees, NUL-terminated beyond *ret_len) holds the JSON. -EINVAL for a history that
 * does not convert (malformed v1Compatibility, a bad "created" time, a diff ID count that
 * does not match the layers), -EFBIG past SCHEMA1_CONFIG_MAX_SIZE. */
int schema1_config_synthesize(const ImageManifest *m, char *const *diff_ids, char **ret_config, size_t *ret_len,
                              CrioError *err);
