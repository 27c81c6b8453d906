/* The registry client's object and public calls (registry.h): validation of what goes into
 * URLs, sizes and digests. Requests are run by registry-request.c over registry-transport.c;
 * authentication is in registry-auth.c, certs.d in registry-tls.c. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/manifest.h"
#include "image/registry-internal.h"
#include "image/schema1.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/version.h"

#define REGISTRY_REPO_MAX 255 /* bytes in a repository path (docker/distribution's name limit) */
#define REGISTRY_TAG_MAX 128

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init(void) {
        global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- validation of what goes into URLs ---- */

static bool is_lower_alnum(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/* "host[:port]": a DNS name or an IPv4 address, or "[v6]", with an optional port. */
static bool registry_host_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 255)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                      *p == '-' || *p == ':' || *p == '[' || *p == ']'))
                        return false;
        return s[0] != '.' && s[0] != ':';
}

/* path-component ("/" path-component)*, each [a-z0-9]+ ([._-]+ [a-z0-9]+)* (a little looser
 * than docker/distribution on separators; nothing that could leave the path). */
static bool repo_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > REGISTRY_REPO_MAX)
                return false;
        bool start = true;
        for (const char *p = s; *p; p++) {
                if (is_lower_alnum(*p)) {
                        start = false;
                        continue;
                }
                if (start)
                        return false; /* a component starts with [a-z0-9] */
                if (*p == '/')
                        start = true;
                else if (*p != '.' && *p != '_' && *p != '-')
                        return false;
                else if (!(is_lower_alnum(p[1]) || p[1] == '.' || p[1] == '_' || p[1] == '-'))
                        return false; /* a separator is followed by more of the component */
        }
        return !start;
}

static bool tag_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > REGISTRY_TAG_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char ch = s[i];
                bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                          (i > 0 && (ch == '.' || ch == '-'));
                if (!ok)
                        return false;
        }
        return true;
}

static bool sha256_digest_valid(const char *s) {
        if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != SHA256_DIGEST_LEN)
                return false;
        for (const char *p = s + 7; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

/* ---- the client ---- */


static int client_alloc(const RegistryClientOptions *o, RegistryClient **ret, CrioError *err) {
        pthread_once(&global_once, global_init);
        if (global_result != CURLE_OK)
                return crio_error_set(err, EIO, "initialising libcurl: %s", curl_easy_strerror(global_result));
        _cleanup_(registry_client_freep) RegistryClient *c = calloc(1, sizeof(*c));
        if (!c)
                return crio_error_set(err, ENOMEM, "out of memory");
        const char *reg = o->registry ? o->registry : "";
        c->registry = strdup(reg);
        c->endpoint = strdup(strcmp(reg, "docker.io") == 0 ? "registry-1.docker.io" : reg);
        if (o->user_agent)
                c->user_agent = strdup(o->user_agent);
        else if (asprintf(&c->user_agent, "crio/%s", CRIO_VERSION) < 0)
                c->user_agent = NULL;
        if (!c->registry || !c->endpoint || !c->user_agent || (o->creds && auth_credentials_copy(o->creds, &c->creds) < 0))
                return crio_error_set(err, ENOMEM, "out of memory");
        c->insecure = o->insecure;
        c->scheme = o->insecure ? REGISTRY_SCHEME_UNKNOWN : REGISTRY_SCHEME_HTTPS;
        c->max_retries = o->max_retries;
        c->stall_timeout = o->stall_timeout ? o->stall_timeout : REGISTRY_DEFAULT_STALL_TIMEOUT;
        c->cancel = o->cancel;
        c->cancel2 = o->cancel2;
        if (!(c->curl = curl_easy_init()))
                return crio_error_set(err, ENOMEM, "creating a curl handle: out of memory");
        *ret = TAKE_PTR(c);
        return 0;
}

int registry_client_new(const RegistryClientOptions *o, RegistryClient **ret, CrioError *err) {
        if (!o || !o->registry || !registry_host_valid(o->registry))
                return crio_error_set(err, EINVAL, "invalid registry host \"%s\"", o && o->registry ? o->registry : "");
        _cleanup_(registry_client_freep) RegistryClient *c = NULL;
        int r = client_alloc(o, &c, err);
        if (r < 0)
                return r;
        r = registry_tls_load(c, o->certs_dir ? o->certs_dir : REGISTRY_DEFAULT_CERTS_DIR, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

static char *dup_or_null(const char *s, bool *fail) {
        char *d = s ? strdup(s) : NULL;
        if (s && !d)
                *fail = true;
        return d;
}

int registry_client_new_from(const RegistryClient *parent, const volatile int *cancel2, RegistryClient **ret,
                             CrioError *err) {
        RegistryClientOptions o = { .registry = parent->registry,
                                    .insecure = parent->insecure,
                                    .creds = &parent->creds,
                                    .user_agent = parent->user_agent,
                                    .max_retries = parent->max_retries,
                                    .stall_timeout = parent->stall_timeout,
                                    .cancel = parent->cancel,
                                    .cancel2 = cancel2 };
        _cleanup_(registry_client_freep) RegistryClient *c = NULL;
        int r = client_alloc(&o, &c, err);
        if (r < 0)
                return r;
        bool fail = false;
        c->scheme = parent->scheme; /* what the parent learned (https, or http for an insecure one) */
        if (parent->ca_blob) {
                if ((c->ca_blob = malloc(parent->ca_blob_len ? parent->ca_blob_len : 1))) {
                        memcpy(c->ca_blob, parent->ca_blob, parent->ca_blob_len);
                        c->ca_blob_len = parent->ca_blob_len;
                } else
                        fail = true;
        }
        c->client_cert = dup_or_null(parent->client_cert, &fail);
        c->client_key = dup_or_null(parent->client_key, &fail);
        for (size_t i = 0; i < parent->n_tokens && !fail; i++) {
                RegistryToken *t = &c->tokens[c->n_tokens++];
                *t = parent->tokens[i];
                t->scope = dup_or_null(parent->tokens[i].scope, &fail);
                t->token = dup_or_null(parent->tokens[i].token, &fail);
        }
        c->token_clock = parent->token_clock;
        c->basic = dup_or_null(parent->basic, &fail);
        c->bearer_token = parent->bearer_token;
        if (fail)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = TAKE_PTR(c);
        return 0;
}

void registry_client_free(RegistryClient *c) {
        if (!c)
                return;
        registry_auth_clear(c);
        if (c->curl)
                curl_easy_cleanup(c->curl);
        auth_credentials_clear(&c->creds);
        free(c->registry);
        free(c->endpoint);
        free(c->ca_blob);
        free(c->client_cert);
        free(c->client_key);
        free(c->user_agent);
        free(c);
}

/* ---- calls ---- */

static char *accept_list(void) {
        const char *const *t = image_manifest_accept_types();
        size_t n = 1;
        for (size_t i = 0; t[i]; i++)
                n += strlen(t[i]) + 2;
        char *s = malloc(n);
        if (!s)
                return NULL;
        s[0] = '\0';
        for (size_t i = 0; t[i]; i++) {
                if (i)
                        strcat(s, ", ");
                strcat(s, t[i]);
        }
        return s;
}

static char *scope_for(const char *repo) {
        char *s = NULL;
        if (asprintf(&s, "repository:%s:pull", repo) < 0)
                return NULL;
        return s;
}

/* A signed schema 1 manifest is named by the digest of its payload without the signatures. */
static bool schema1_digest_matches(const char *body, size_t len, const char *digest) {
        if (!body || !memmem(body, len, "\"signatures\"", 12))
                return false;
        _cleanup_free_ char *d = NULL;
        return schema1_manifest_digest(body, len, &d, NULL) >= 0 && strcmp(d, digest) == 0;
}

int registry_get_manifest(RegistryClient *c, const char *repo, const char *reference, size_t max_size,
                          char **ret_body, size_t *ret_len, char **ret_content_type, char **ret_digest,
                          CrioError *err) {
        if (!repo || !repo_valid(repo))
                return crio_error_set(err, EINVAL, "invalid repository name \"%s\"", repo ? repo : "");
        bool by_digest = reference && strchr(reference, ':');
        if (!reference || (by_digest ? !sha256_digest_valid(reference) : !tag_valid(reference)))
                return crio_error_set(err, EINVAL, "invalid manifest reference \"%s\" (a tag or a sha256 digest)",
                                      reference ? reference : "");
        _cleanup_free_ char *path = NULL, *scope = scope_for(repo), *accept = accept_list();
        if (asprintf(&path, "/v2/%s/manifests/%s", repo, reference) < 0 || !scope || !accept)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_(registry_request_done) RegistryRequest q = {
                .path = path, .scope = scope, .accept = accept, .fd = -1, .max_size = max_size, .expected_size = -1,
        };
        int r = registry_request_run(c, &q, err);
        if (r < 0)
                return r;
        if (by_digest && !sha256_matches(q.body ? q.body : "", (size_t) q.delivered, reference) &&
            !schema1_digest_matches(q.body, (size_t) q.delivered, reference)) {
                char got[SHA256_DIGEST_LEN + 1];
                sha256_digest(q.body ? q.body : "", (size_t) q.delivered, got);
                return crio_error_set(err, EBADMSG, "GET %s: manifest digest is %s, expected %s", q.message_url, got,
                                      reference);
        }
        _cleanup_free_ char *body = q.body ? TAKE_PTR(q.body) : strdup("");
        _cleanup_free_ char *ct = q.content_type ? strdup(q.content_type) : NULL;
        _cleanup_free_ char *dg = q.docker_digest ? strdup(q.docker_digest) : NULL;
        if (!body || (q.content_type && !ct) || (q.docker_digest && !dg))
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_body = TAKE_PTR(body);
        if (ret_len)
                *ret_len = (size_t) q.delivered;
        if (ret_content_type)
                *ret_content_type = TAKE_PTR(ct);
        if (ret_digest)
                *ret_digest = TAKE_PTR(dg);
        return 0;
}

/* A blob GET into q (memory or fd), its size and digest checked. */
static int get_blob(RegistryClient *c, const char *repo, const char *digest, int64_t expected_size, bool verify,
                    RegistryRequest *q, CrioError *err) {
        if (!repo || !repo_valid(repo))
                return crio_error_set(err, EINVAL, "invalid repository name \"%s\"", repo ? repo : "");
        if (!digest || !sha256_digest_valid(digest))
                return crio_error_set(err, EINVAL, "invalid blob digest \"%s\" (sha256 only)", digest ? digest : "");
        if (expected_size < -1)
                return crio_error_set(err, EINVAL, "invalid blob size %" PRId64, expected_size);
        _cleanup_free_ char *path = NULL, *scope = scope_for(repo);
        if (asprintf(&path, "/v2/%s/blobs/%s", repo, digest) < 0 || !scope)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_(sha256_freep) Sha256 *h = verify ? sha256_new() : NULL;
        if (verify && !h)
                return crio_error_set(err, ENOMEM, "out of memory");
        q->path = path;
        q->scope = scope;
        q->resumable = true;
        q->expected_size = expected_size;
        q->hash = h;
        int r = registry_request_run(c, q, err);
        q->path = q->scope = NULL;
        q->hash = NULL;
        if (r < 0)
                return r;
        if (expected_size >= 0 && q->delivered != (uint64_t) expected_size)
                return crio_error_set(err, EBADMSG, "GET %s: blob ended after %" PRIu64 " of %" PRId64 " bytes",
                                      q->message_url, q->delivered, expected_size);
        if (verify) {
                char got[SHA256_DIGEST_LEN + 1];
                sha256_finish(h, got);
                if (strcmp(got, digest) != 0)
                        return crio_error_set(err, EBADMSG, "GET %s: blob digest is %s, expected %s", q->message_url, got,
                                              digest);
        }
        return 0;
}

int registry_get_blob(RegistryClient *c, const char *repo, const char *digest, int64_t expected_size,
                      size_t max_size, char **ret_body, size_t *ret_len, CrioError *err) {
        if (expected_size > 0 && (uint64_t) expected_size > max_size)
                return crio_error_set(err, EFBIG, "blob %s is %" PRId64 " bytes, larger than the limit of %zu",
                                      digest ? digest : "", expected_size, max_size);
        _cleanup_(registry_request_done) RegistryRequest q = { .fd = -1, .max_size = max_size };
        int r = get_blob(c, repo, digest, expected_size, true, &q, err);
        if (r < 0)
                return r;
        char *body = q.body ? TAKE_PTR(q.body) : strdup("");
        if (!body)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_body = body;
        if (ret_len)
                *ret_len = (size_t) q.delivered;
        return 0;
}

int registry_get_blob_to_fd(RegistryClient *c, const char *repo, const char *digest, int64_t expected_size,
                            bool verify_digest, int out_fd, CrioError *err) {
        if (out_fd < 0)
                return crio_error_set(err, EBADF, "streaming blob %s: no output file descriptor", digest ? digest : "");
        /* A reader that went away must be -EPIPE, not a SIGPIPE for the whole process: block it
         * in this thread for the transfer and take one we caused off the pending set. */
        sigset_t pipe_set, old, pending;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        sigpending(&pending);
        bool was_pending = sigismember(&pending, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_set, &old);

        _cleanup_(registry_request_done) RegistryRequest q = { .fd = out_fd };
        int r = get_blob(c, repo, digest, expected_size, verify_digest, &q, err);

        sigpending(&pending);
        if (!was_pending && sigismember(&pending, SIGPIPE)) {
                struct timespec zero = {};
                (void) sigtimedwait(&pipe_set, NULL, &zero);
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return r;
}

int registry_http_get(RegistryClient *c, const char *url, size_t max_size, char **ret_body, size_t *ret_len,
                      CrioError *err) {
        if (!url || !(strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0))
                return crio_error_set(err, EINVAL, "not an http(s) URL: \"%s\"", url ? url : "");
        for (const char *p = url; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f)
                        return crio_error_set(err, EINVAL, "URL with a space or control character");
        _cleanup_(registry_client_freep) RegistryClient *plain = NULL;
        if (!c) {
                int r = client_alloc(&(RegistryClientOptions){}, &plain, err);
                if (r < 0)
                        return r;
                plain->max_retries = REGISTRY_DEFAULT_RETRIES;
                c = plain;
        }
        _cleanup_(registry_request_done) RegistryRequest q = { .url = url, .fd = -1, .max_size = max_size,
                                                               .expected_size = -1 };
        int r = registry_request_run(c, &q, err);
        if (r < 0)
                return r;
        char *body = q.body ? TAKE_PTR(q.body) : strdup("");
        if (!body)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_body = body;
        if (ret_len)
                *ret_len = (size_t) q.delivered;
        return 0;
}
