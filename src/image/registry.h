/* A Docker Registry HTTP API v2 / OCI distribution client on libcurl, as the pull pipeline
 * needs it: manifests, blobs (in memory or streamed to a file descriptor), plain GETs for
 * signature lookaside servers.
 *
 * One RegistryClient talks to one registry host ("host[:port]") with one set of credentials.
 * It is not shared between threads: each pull thread makes its own (they are cheap), or one
 * per layer download. Tokens are cached per scope inside a client.
 *
 * Transport:
 *   - https with the system CAs plus every "*.crt" in <certs_dir>/<host[:port]>/ (containers
 *     certs.d layout); a client certificate from "<name>.cert" + "<name>.key" there.
 *   - insecure: TLS without verification, and plain http when https fails to connect, as
 *     containers/image does for registries marked insecure. Never http otherwise.
 *   - "docker.io" is reached at registry-1.docker.io.
 *   - Redirects (blob storage) followed, at most REGISTRY_MAX_REDIRECTS; Authorization is not
 *     sent to another host.
 *   - Transient failures (connect errors, 5xx, 429, a reset mid-body) retried with exponential
 *     backoff (REGISTRY_RETRY_BASE_MS, doubling) up to max_retries times; a streamed blob
 *     resumes with a Range request from the bytes already delivered.
 *   - A transfer that moves no byte for stall_timeout seconds fails with -ETIMEDOUT. A timeout
 *     is retried at most once per call (a blob resumes), so a call that keeps stalling fails
 *     after about 2 * stall_timeout whatever max_retries is.
 *   - Auth: on 401, the WWW-Authenticate challenge (challenge.h): Bearer -> token service
 *     (auth.h: anonymous, basic-auth with username/password, OAuth2 refresh with
 *     identity_token; a registry_token is sent as the bearer token directly), Basic -> the
 *     credentials. The scope is "repository:<repo>:pull".
 *
 * Errors (err names the URL or the registry and the HTTP status where there is one):
 *   -ENOENT     404 for the manifest or blob (MANIFEST_UNKNOWN, BLOB_UNKNOWN, NAME_UNKNOWN)
 *   -EACCES     401/403 after authenticating (bad or missing credentials)
 *   -EFBIG      a body larger than the caller's limit
 *   -EBADMSG    digest or size mismatch, malformed response
 *   -ETIMEDOUT  stalled transfer
 *   -ECANCELED  *cancel became non-zero
 *   -EIO        other HTTP or transport failures (after retries)
 *   -EPIPE      writing to out_fd failed (the reader went away)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/auth.h"
#include "util/cleanup.h"
#include "util/error.h"

#define REGISTRY_DEFAULT_CERTS_DIR "/etc/containers/certs.d"
#define REGISTRY_MAX_REDIRECTS 10
#define REGISTRY_RETRY_BASE_MS 200
#define REGISTRY_DEFAULT_RETRIES 3
#define REGISTRY_DEFAULT_STALL_TIMEOUT 60 /* seconds */
#define REGISTRY_CONNECT_TIMEOUT 30       /* seconds */
#define REGISTRY_ERROR_BODY_MAX 4096      /* bytes of an error body kept for messages */

typedef struct RegistryClient RegistryClient;

typedef struct RegistryClientOptions {
        const char *registry;         /* "host[:port]", as in a normalised reference; required */
        bool insecure;                /* skip TLS verification, allow plain http */
        const char *certs_dir;        /* NULL: REGISTRY_DEFAULT_CERTS_DIR */
        const AuthCredentials *creds; /* NULL: anonymous; copied */
        const char *user_agent;       /* NULL: "crio/<version>" */
        unsigned max_retries;         /* 0: none */
        unsigned stall_timeout;       /* seconds without progress; 0: REGISTRY_DEFAULT_STALL_TIMEOUT */
        const volatile int *cancel;   /* optional: a transfer stops with -ECANCELED once *cancel != 0 */
        const volatile int *cancel2;  /* optional: a second such flag (e.g. the daemon's and the pull's) */
} RegistryClientOptions;

int registry_client_new(const RegistryClientOptions *o, RegistryClient **ret, CrioError *err);
/* A client for the same registry that starts with what parent has learned: the scheme that
 * works, its TLS material, cached tokens. parent is only read (several threads may make
 * clients from one idle parent at once). cancel2 replaces the parent's second cancel flag. */
int registry_client_new_from(const RegistryClient *parent, const volatile int *cancel2, RegistryClient **ret,
                             CrioError *err);
void registry_client_free(RegistryClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(RegistryClient *, registry_client_free)
#define _cleanup_registry_client_ _cleanup_(registry_client_freep)

/* GET /v2/<repo>/manifests/<reference> (a tag or "sha256:…") with the Accept list of
 * image_manifest_accept_types(). Returns the body (at most max_size bytes, else -EFBIG; the
 * buffer is NUL-terminated beyond *ret_len), the Content-Type (NULL if none) and the
 * Docker-Content-Digest header (NULL if none). When reference is a digest, the body's sha256
 * must equal it (-EBADMSG otherwise). Caller frees the strings. */
int registry_get_manifest(RegistryClient *c, const char *repo, const char *reference, size_t max_size,
                          char **ret_body, size_t *ret_len, char **ret_content_type, char **ret_digest,
                          CrioError *err);

/* GET /v2/<repo>/blobs/<digest> into memory: at most max_size bytes (-EFBIG), sha256 checked
 * against digest, and the length against expected_size unless it is -1 (-EBADMSG). */
int registry_get_blob(RegistryClient *c, const char *repo, const char *digest, int64_t expected_size,
                      size_t max_size, char **ret_body, size_t *ret_len, CrioError *err);

/* Streams a blob to out_fd (a pipe or file; blocking writes), never holding it whole in
 * memory. Fails with -EBADMSG as soon as more than expected_size bytes arrive, and at the end
 * if fewer did (expected_size -1: unchecked). The digest is checked only when verify_digest
 * (the pull checks it from the layer applier's own hash instead, to hash once). */
int registry_get_blob_to_fd(RegistryClient *c, const char *repo, const char *digest, int64_t expected_size,
                            bool verify_digest, int out_fd, CrioError *err);

/* A plain GET of an absolute http(s) URL (no registry auth), e.g. a signature on a lookaside
 * server, at most max_size bytes. -ENOENT on 404. Uses c's TLS settings when c is not NULL. */
int registry_http_get(RegistryClient *c, const char *url, size_t max_size, char **ret_body, size_t *ret_len,
                      CrioError *err);
