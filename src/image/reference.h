/* Image references: parsing and normalisation the way containers/image (the library CRI-O
 * uses) and docker/distribution's "normalized named" references do it.
 *
 *   busybox                     -> docker.io/library/busybox:latest
 *   user/app:1.0                -> docker.io/user/app:1.0
 *   index.docker.io/busybox     -> docker.io/library/busybox:latest
 *   localhost:5000/x@sha256:... -> localhost:5000/x@sha256:...   (no default tag with a digest)
 *   docker://quay.io/a/b        -> quay.io/a/b:latest            (the transport prefix is dropped)
 *
 * Grammar (docker/distribution reference, hand-scanned, no regex):
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [ domain "/" ] path
 *   domain           := host [ ":" port ]
 *   host             := domain-name | "[" [a-fA-F0-9:]+ "]"        ; IPv6, no zone
 *   domain-name      := component ( "." component )*
 *   component        := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   port             := [0-9]+
 *   path             := path-component ( "/" path-component )*
 *   path-component   := [a-z0-9]+ ( separator [a-z0-9]+ )*
 *   separator        := "." | "_" | "__" | "-"+
 *   tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest           := algorithm ":" hex
 *   algorithm        := [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )*
 *
 * Normalisation (containers/image docker/reference SplitDockerDomain): the text before the
 * first "/" is the domain only if it contains "." or ":" or is exactly "localhost";
 * otherwise the whole name is a path on docker.io. "index.docker.io" becomes "docker.io"; a
 * one-component path on docker.io gets "library/" in front. Unlike Docker's newer
 * distribution/reference, an uppercase first component ("Foo/bar") is NOT taken for a domain:
 * it is a path and is rejected as not lowercase, as containers/image (and so CRI-O) does.
 * A domain keeps its case ("Foo.com/bar" has domain "Foo.com").
 *
 * Limits: the normalised name "domain/path" is at most IMAGE_REFERENCE_NAME_MAX characters;
 * a tag at most IMAGE_REFERENCE_TAG_MAX; the input at most IMAGE_REFERENCE_INPUT_MAX bytes
 * (longer than any valid reference). Digests: sha256 (64 hex), sha384 (96), sha512 (128),
 * lowercase hex only; other algorithms are rejected as unsupported.
 *
 * A string of exactly 64 lowercase hex characters is rejected as a name: Docker treats it as
 * ambiguous with an image ID ("docker.io/<64 hex>" is a fine name). Callers that accept image
 * IDs should test image_id_like() / image_id_prefix_like() before parsing. */
#pragma once

#include <stdbool.h>

#include "util/cleanup.h"
#include "util/error.h"

#define IMAGE_REFERENCE_DEFAULT_DOMAIN "docker.io"
#define IMAGE_REFERENCE_LEGACY_DOMAIN "index.docker.io"
#define IMAGE_REFERENCE_OFFICIAL_PREFIX "library/"
#define IMAGE_REFERENCE_DEFAULT_TAG "latest"
#define IMAGE_REFERENCE_TRANSPORT_PREFIX "docker://"

/* Longest normalised name "domain/path" (docker/distribution NameTotalLengthMax). */
#define IMAGE_REFERENCE_NAME_MAX 255
/* Longest tag. */
#define IMAGE_REFERENCE_TAG_MAX 128
/* Longest input accepted at all; any valid reference is shorter (255 + 1 + 128 + 1 + 135 + 9). */
#define IMAGE_REFERENCE_INPUT_MAX 1024
/* Length of a full image ID (the hex of a sha256 digest). */
#define IMAGE_ID_LENGTH 64
/* Shortest hex prefix image_id_prefix_like() accepts (CRI-O's minimumTruncatedIDLength). */
#define IMAGE_ID_PREFIX_MIN 3

/* A parsed, normalised reference. All strings are owned by the struct and freed by
 * image_reference_free(). domain and path are never NULL; at least one of tag and digest
 * is set (tag "latest" is added when the input had neither). */
typedef struct ImageReference {
        char *domain; /* "docker.io", "localhost:5000", "[::1]:5000"; case as given */
        char *path;   /* "library/busybox" */
        char *tag;    /* "latest", or NULL when the input had a digest and no tag */
        char *digest; /* "sha256:<64 hex>", or NULL */
} ImageReference;

/* Parses and normalises s (an optional "docker://" prefix is dropped). On success *ret is a
 * new reference the caller frees with image_reference_free(). On failure returns -EINVAL (or
 * -ENOMEM) with err saying why, e.g.
 *   invalid reference "Busybox": repository name must be lowercase
 * and leaves *ret untouched. */
int image_reference_parse(const char *s, ImageReference **ret, CrioError *err);

/* Frees r and its strings. Accepts NULL. */
void image_reference_free(ImageReference *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageReference *, image_reference_free)
#define _cleanup_image_reference_ _cleanup_(image_reference_freep)

/* The functions below return a new string the caller frees, or NULL on allocation failure
 * (errno ENOMEM) or a NULL reference (errno EINVAL). */

/* The full normalised reference: "docker.io/library/busybox:latest",
 * "docker.io/library/busybox@sha256:...", or "...:tag@sha256:..." when both are set. */
char *image_reference_string(const ImageReference *r);
/* The name alone: "docker.io/library/busybox". */
char *image_reference_name(const ImageReference *r);
/* Docker's short form: "busybox:latest", "user/app@sha256:...", "quay.io/a/b:1". The
 * "docker.io/" (and a lone "library/") is dropped only when the result still parses back to
 * the same reference: "docker.io/foo.com/x" and "docker.io/localhost/x" keep their domain,
 * where Docker would print a string that reads back as another registry. */
char *image_reference_familiar(const ImageReference *r);
/* "domain/path@digest", the form containers/storage records as a repo digest. The tag of r,
 * if any, is dropped. Returns NULL with errno EINVAL if digest is not valid (see
 * image_digest_validate). */
char *image_reference_with_digest(const ImageReference *r, const char *digest);

/* Checks that digest is "algorithm:hex" with a supported algorithm (sha256, sha384, sha512)
 * and the right number of lowercase hex digits. Returns 0 or -EINVAL with err set, e.g.
 *   invalid digest "sha256:12": invalid digest length */
int image_digest_validate(const char *digest, CrioError *err);

/* True if s is a full image ID: 64 lowercase hex characters, optionally preceded by
 * "sha256:". */
bool image_id_like(const char *s);
/* True if s could be a (possibly truncated) image ID: IMAGE_ID_PREFIX_MIN to 64 lowercase hex
 * characters, no "sha256:" prefix. Short ones ("abc", "cafe") are also valid repository
 * names, so a caller looks the prefix up among stored image IDs first and falls back to
 * parsing s as a reference, as CRI-O does. */
bool image_id_prefix_like(const char *s);
