/* Private to the registry client (registry.c, registry-*.c); other modules use registry.h.
 *
 *   registry.c            the client object and the public calls (validation, digests, sizes)
 *   registry-request.c    one logical request: redirects, the http fallback of insecure
 *                         registries, the 401 round, retries and resume, status mapping
 *   registry-transport.c  one HTTP exchange: curl options, headers, body delivery, stalls
 *   registry-auth.c       401 challenges, the token service, the token cache
 *   registry-tls.c        certs.d: CA bundle and client certificate
 *   registry-response.c   bounded parsers of response pieces (error bodies, Content-Range)
 *
 * Retry policy (decided here, see registry.h): transient failures are retried up to
 * max_retries times with REGISTRY_RETRY_BASE_MS doubling (capped at REGISTRY_RETRY_MAX_MS).
 * A timeout (a stall: no byte for stall_timeout seconds; or curl's connect timeout) is
 * retried at most REGISTRY_TIMEOUT_RETRIES (1) time within one request, so a request that
 * keeps stalling fails after about 2 * stall_timeout, not (max_retries + 1) * stall_timeout.
 * A stalled blob resumes where it stopped, so the one retry is worth it on a stuck
 * connection. */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/registry.h"
#include "util/sha256.h"

#define REGISTRY_HEADER_VALUE_MAX 1024  /* bytes kept of one response header value (longer: dropped) */
#define REGISTRY_ERROR_MESSAGE_MAX 512  /* bytes of a registry's error message quoted in our messages */
#define REGISTRY_ERROR_MESSAGES_MAX 3   /* entries of an "errors" array quoted */
#define REGISTRY_RETRY_MAX_MS 30000     /* the backoff stops doubling here */
#define REGISTRY_TIMEOUT_RETRIES 1      /* timeouts retried within one request */
#define REGISTRY_TOKEN_CACHE_MAX 16     /* scopes with a cached token per client */
#define REGISTRY_TOKEN_EXPIRY_MARGIN 5  /* seconds before expiry a token is not used any more */
#define REGISTRY_CA_FILE_MAX (4u << 20) /* bytes in the system CA bundle or one certs.d file */
#define REGISTRY_CERTS_DIR_MAX 256      /* entries in one certs.d/<host> directory */
#define REGISTRY_SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

typedef enum RegistryScheme {
        REGISTRY_SCHEME_UNKNOWN, /* insecure and not probed yet: https first, then http */
        REGISTRY_SCHEME_HTTPS,
        REGISTRY_SCHEME_HTTP,
} RegistryScheme;

typedef struct RegistryToken {
        char *scope;
        char *token;     /* secret: never logged */
        uint64_t expires; /* CLOCK_MONOTONIC, usec */
        uint64_t used;    /* for eviction */
} RegistryToken;

struct RegistryClient {
        char *registry; /* "host[:port]" as given (certs.d, messages); "" for a plain-URL client */
        char *endpoint; /* "host[:port]" connected to (docker.io -> registry-1.docker.io) */
        bool insecure;
        RegistryScheme scheme;
        char *ca_blob; /* system bundle + certs.d *.crt (PEM); NULL: curl's default CAs */
        size_t ca_blob_len;
        char *client_cert, *client_key; /* paths, or NULL */
        AuthCredentials creds;
        char *user_agent;
        unsigned max_retries;
        unsigned stall_timeout;
        const volatile int *cancel;
        const volatile int *cancel2;
        CURL *curl;
        char errbuf[CURL_ERROR_SIZE];

        /* auth state */
        RegistryToken tokens[REGISTRY_TOKEN_CACHE_MAX];
        size_t n_tokens;
        uint64_t token_clock;
        char *basic;       /* "Basic ..." once the registry asked for Basic (secret) */
        bool bearer_token; /* the registry asked for Bearer and creds has a registry_token */
};

/* One logical request: a GET (or the token service's POST) with redirects, auth and retries. */
typedef struct RegistryRequest {
        /* what to ask */
        const char *method;        /* "GET" (NULL) or "POST" */
        const char *path;          /* on the registry, "/v2/..."; or NULL and url */
        const char *url;           /* an absolute http(s) URL */
        const char *scope;         /* registry auth scope; NULL: no registry auth */
        const char *accept;        /* Accept value or NULL */
        const char *authorization; /* a fixed Authorization (the token service's Basic); secret */
        const char *post_fields;   /* form body of a POST; secret (never logged) */
        bool token_request;        /* a 401/403/400 means the token service refused the credentials */
        bool with_credentials;     /* (token request) it carries credentials: Basic or a refresh token */
        bool resumable;            /* content-addressed: a retry resumes with a Range request */

        /* where the body goes */
        int fd;                 /* >= 0: written there (blocking); < 0: kept in memory */
        size_t max_size;        /* memory: the limit (-EFBIG beyond) */
        int64_t expected_size;  /* -1: unchecked; else -EBADMSG as soon as more bytes arrive */
        Sha256 *hash;           /* optional: fed the delivered bytes, in order */

        /* results */
        char *body; /* memory: NUL-terminated, delivered bytes */
        size_t body_alloc;
        uint64_t delivered;  /* bytes of the body delivered so far (over all attempts) */
        char *message_url;   /* URL named in messages: the registry URL (+ redirect target, no query) */

        /* the last response */
        long status;
        char reason[64];
        char *content_type;
        char *docker_digest;
        char *content_range;
        char *www_authenticate;
        bool www_authenticate_too_long;
        char *error_body; /* first REGISTRY_ERROR_BODY_MAX bytes of a non-2xx body */
        size_t error_len;
} RegistryRequest;

/* Frees q's results and last-response fields (not the inputs). */
void registry_request_done(RegistryRequest *q);

/* registry-transport.c */
uint64_t registry_now_usec(void);
bool registry_cancelled(const RegistryClient *c);

/* The kind of a failed exchange, for the layers above. */
typedef struct RegistryFailure {
        bool transient;   /* worth a retry */
        bool no_response; /* the transport failed before any HTTP response (the http fallback) */
} RegistryFailure;

/* One HTTP exchange of q with url (no redirect followed). msg_url names it in messages;
 * authorization (or NULL) is sent as is. 0 when a response arrived (q->status and headers
 * set, a 2xx body delivered, a non-2xx body's start in q->error_body); else the error, *f
 * saying what kind. */
int registry_exchange(RegistryClient *c, RegistryRequest *q, const char *method, const char *url, const char *msg_url,
                      const char *authorization, RegistryFailure *f, CrioError *err);

/* registry-request.c */
/* Runs q: 0 when the final response is 2xx with the body delivered; else a negative errno
 * as registry.h lists, err naming the URL and status. */
int registry_request_run(RegistryClient *c, RegistryRequest *q, CrioError *err);

/* Sets err for a non-2xx final response of q and returns its errno. */
int registry_status_error(RegistryClient *c, const RegistryRequest *q, bool sent_credentials, CrioError *err);

/* registry-auth.c */
/* The Authorization value for scope from earlier challenges (caller frees; NULL: none). */
char *registry_auth_cached(RegistryClient *c, const char *scope);
/* Drops what registry_auth_cached would return for scope. */
void registry_auth_forget(RegistryClient *c, const char *scope);
/* Answers the 401 of q (its WWW-Authenticate): fetches a token or picks the credentials.
 * *ret_authorization is the value to send (caller frees), *ret_with_credentials whether it
 * carries the client's credentials (as opposed to an anonymous token). */
int registry_auth_challenge(RegistryClient *c, const RegistryRequest *q, char **ret_authorization,
                            bool *ret_with_credentials, CrioError *err);
bool registry_creds_present(const AuthCredentials *creds);
void registry_auth_clear(RegistryClient *c);

/* registry-tls.c */
/* Loads <certs_dir>/<c->registry>/: CA certificates and a client certificate. */
int registry_tls_load(RegistryClient *c, const char *certs_dir, CrioError *err);

/* registry-response.c */
/* A readable message from an error body (registry "errors" array, OAuth2 "error" /
 * "error_description", or "details" / "message"), at most REGISTRY_ERROR_MESSAGE_MAX bytes,
 * control characters replaced; only the first REGISTRY_ERROR_BODY_MAX bytes of body are
 * read. NULL when there is none (or out of memory). Caller frees. */
char *registry_error_message(const char *body, size_t len);
/* Parses a Content-Range value "bytes FIRST-LAST/TOTAL" (TOTAL may be "*": *ret_total -1).
 * -EINVAL when malformed or longer than REGISTRY_HEADER_VALUE_MAX. */
int registry_content_range_parse(const char *value, uint64_t *ret_first, uint64_t *ret_last, int64_t *ret_total);
/* Copies s, replacing bytes outside printable ASCII with '?', cut at max bytes. */
char *registry_sanitize(const char *s, size_t len, size_t max);
/* The URL without its query and fragment (for messages: a redirect target's query may be a
 * signature). Caller frees; NULL on ENOMEM. */
char *registry_url_strip_query(const char *url);
