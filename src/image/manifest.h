/* Registry manifests, manifest lists / indexes and image configs: bounded parsing for the
 * pull pipeline, and platform selection from an index.
 *
 * Accepted documents (mediaType from the body if it has one, else from the Content-Type;
 * when both name a manifest type they must agree):
 *
 *   application/vnd.docker.distribution.manifest.v2+json       Docker schema 2 manifest
 *   application/vnd.docker.distribution.manifest.list.v2+json  Docker manifest list
 *   application/vnd.oci.image.manifest.v1+json                 OCI manifest
 *   application/vnd.oci.image.index.v1+json                    OCI index
 *   application/vnd.docker.distribution.manifest.v1+json       Docker schema 1 (read-only:
 *   application/vnd.docker.distribution.manifest.v1+prettyjws  layer digests only, no config)
 *
 * A body without mediaType and without a manifest Content-Type is recognised by shape, as
 * containers/image's GuessMIMEType does ("manifests" = index, "config" = manifest,
 * schemaVersion 1 = schema 1). Schema 1 signatures are not verified.
 *
 * Validation: schemaVersion 2 (1 for schema 1); every digest "sha256:" + 64 lowercase hex
 * (sha384/sha512 are rejected as unsupported); sizes are integers >= 0; layer media types
 * from a known list; config media type Docker or OCI image config; the named limits below;
 * JSON nesting at most IMAGE_JSON_MAX_DEPTH. All failures return -EINVAL (-EFBIG for a
 * document over the size limit, -E2BIG for too many layers/entries) with a message. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/cleanup.h"
#include "util/error.h"

#define IMAGE_MANIFEST_MAX_SIZE (4u * 1024u * 1024u)
#define IMAGE_MANIFEST_MAX_LAYERS 1000
#define IMAGE_INDEX_MAX_ENTRIES 1000
#define IMAGE_CONFIG_MAX_SIZE (4u * 1024u * 1024u)
#define IMAGE_JSON_MAX_DEPTH 64

#define IMAGE_MEDIA_TYPE_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMAGE_MEDIA_TYPE_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define IMAGE_MEDIA_TYPE_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define IMAGE_MEDIA_TYPE_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define IMAGE_MEDIA_TYPE_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define IMAGE_MEDIA_TYPE_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define IMAGE_MEDIA_TYPE_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"

typedef enum ImageManifestKind {
        IMAGE_MANIFEST_KIND_MANIFEST,
        IMAGE_MANIFEST_KIND_INDEX,
} ImageManifestKind;

typedef struct ImagePlatform {
        char *os;           /* NULL if the entry has no platform */
        char *architecture;
        char *variant;      /* NULL if absent */
        char *os_version;   /* NULL if absent */
        char **features;    /* NULL if absent */
} ImagePlatform;

typedef struct ImageDescriptor {
        char *media_type;
        char *digest;       /* "sha256:<64 hex>" */
        int64_t size;       /* -1 if unknown (schema 1 layers) */
        char **urls;        /* NULL if absent */
        ImagePlatform platform; /* index entries only */
} ImageDescriptor;

typedef struct ImageManifest {
        ImageManifestKind kind;
        char *media_type;   /* the detected document type (one of the IMAGE_MEDIA_TYPE_* above) */
        int schema_version;
        /* kind == MANIFEST: config (all NULL for schema 1) and layers, base layer first. */
        ImageDescriptor config;
        ImageDescriptor *layers;
        size_t n_layers;
        /* Schema 1 only (NULL otherwise): the top-level "architecture" (NULL if absent) and
         * every history[].v1Compatibility string, base first, throwaway entries included (NULL
         * if the manifest has no history). For image/schema1.h. */
        char *schema1_architecture;
        char **v1_compat;
        /* kind == INDEX: the entries in document order. */
        ImageDescriptor *entries;
        size_t n_entries;
} ImageManifest;

typedef struct ImageConfig {
        char *created;      /* NULL if absent */
        char *os;
        char *architecture;
        char *variant;      /* NULL if absent */
        char **diff_ids;    /* never NULL; base layer first */
        char *user;         /* the rest: NULL if absent */
        char **env;
        char **entrypoint;
        char **cmd;
        char *working_dir;
        char **label_keys;  /* parallel arrays, same length */
        char **label_values;
        char **volumes;     /* the keys of config.Volumes */
        char *stop_signal;
        char **exposed_ports; /* the keys of config.ExposedPorts, e.g. "80/tcp" */
} ImageConfig;

/* Parses a manifest or index of len bytes (need not be NUL-terminated). content_type is the
 * HTTP Content-Type (parameters allowed) or NULL. Caller frees *ret with image_manifest_free. */
int image_manifest_parse(const char *data, size_t len, const char *content_type, ImageManifest **ret, CrioError *err);
void image_manifest_free(ImageManifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageManifest *, image_manifest_free);

/* True for the manifest (not index) media types we can pull, schema 1 included. */
bool image_media_type_is_manifest(const char *media_type);
bool image_media_type_is_index(const char *media_type);

/* Chooses the entry of an index for os/arch/variant (NULL = the host's, see
 * image_platform_host). Architectures are normalised (x86_64 -> amd64, aarch64 -> arm64);
 * arm64 defaults to variant v8, arm to v7. An entry whose variant matches exactly is
 * preferred; otherwise the first one without a variant. Only manifest entries are
 * considered. *ret points into index (not owned). -ENOENT with the available platforms
 * if none fits; -EINVAL if index is not an index. */
int image_index_select(const ImageManifest *index, const char *os, const char *arch, const char *variant,
                       const ImageDescriptor **ret, CrioError *err);

/* The host platform from uname(2), normalised as above: *os "linux", *arch e.g. "amd64",
 * *variant e.g. "v8" or NULL. Caller frees each; a NULL output means out of memory. */
void image_platform_host(char **os, char **arch, char **variant);

/* The normalised name of an architecture ("x86_64" -> "amd64", as above). Returns arch itself
 * or a static string. */
const char *image_architecture_normalize(const char *arch);

/* Parses an OCI / Docker image config. Caller frees *ret with image_config_free. */
int image_config_parse(const char *data, size_t len, ImageConfig **ret, CrioError *err);
void image_config_free(ImageConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageConfig *, image_config_free);

/* The media types for the Accept header of a manifest GET, preferred first, NULL-terminated.
 * Static storage. */
const char *const *image_manifest_accept_types(void);
