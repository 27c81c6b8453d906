/* One logical registry request (see registry-internal.h):
 *
 *   registry_request_run     retries with backoff; resume of content-addressed bodies
 *     attempt                the 401 dance: cached auth, challenge, one authenticated retry
 *       follow               redirects (ours, not curl's: Authorization only to the origin it
 *                            was meant for) and the https -> http fallback of insecure registries
 *         registry_exchange  one HTTP exchange (registry-transport.c)
 *
 * Why our own redirects: curl (since 7.58/7.83) drops a custom Authorization header when a
 * followed redirect changes host, port or scheme, but that depends on the version and on
 * CURLOPT_UNRESTRICTED_AUTH; deciding per hop here keeps the rule visible and testable, lets
 * a downgrade from https to http be refused, and keeps the signed query of a blob-storage
 * URL out of our messages. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "image/registry-internal.h"
#include "util/cleanup.h"
#include "util/log.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static bool status_ok(long s) {
        return s >= 200 && s < 300;
}

/* ---- redirects and the insecure http fallback ---- */

typedef struct Origin {
        char *scheme, *host, *port;
} Origin;

static void origin_clear(Origin *o) {
        curl_free(o->scheme);
        curl_free(o->host);
        curl_free(o->port);
        *o = (Origin){};
}

static int origin_of(const char *url, Origin *ret) {
        CURLU *u = curl_url();
        if (!u)
                return -ENOMEM;
        Origin o = {};
        int r = 0;
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_SCHEME, &o.scheme, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_HOST, &o.host, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PORT, &o.port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
                origin_clear(&o);
                r = -EINVAL;
        }
        curl_url_cleanup(u);
        *ret = o;
        return r;
}

static bool same_origin(const char *a, const char *b) {
        Origin x = {}, y = {};
        bool same = origin_of(a, &x) == 0 && origin_of(b, &y) == 0 && strcasecmp(x.scheme, y.scheme) == 0 &&
                    strcasecmp(x.host, y.host) == 0 && strcmp(x.port, y.port) == 0;
        origin_clear(&x);
        origin_clear(&y);
        return same;
}

static bool is_redirect(long s) {
        return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

static char *registry_url(const RegistryClient *c, const char *scheme, const char *path) {
        char *u = NULL;
        if (asprintf(&u, "%s://%s%s", scheme, c->endpoint, path) < 0)
                return NULL;
        return u;
}

/* The exchange of the first hop, with the fallback to plain http for an insecure registry
 * whose https does not answer. */
static int first_hop(RegistryClient *c, RegistryRequest *q, const char *method, char **url, const char *authorization,
                     RegistryFailure *f, CrioError *err) {
        int r = registry_exchange(c, q, method, *url, *url, authorization, f, err);
        if (!q->path || c->scheme != REGISTRY_SCHEME_UNKNOWN)
                return r;
        if (r >= 0) {
                c->scheme = REGISTRY_SCHEME_HTTPS;
                return r;
        }
        if (!f->no_response)
                return r;
        _cleanup_free_ char *http = registry_url(c, "http", q->path);
        if (!http)
                return r;
        log_debug("registry %s: https failed (%s); insecure: trying plain http", c->registry,
                  err && err->msg ? err->msg : "");
        _cleanup_(crio_error_clear) CrioError e2 = {};
        RegistryFailure f2;
        int r2 = registry_exchange(c, q, method, http, http, authorization, &f2, &e2);
        if (r2 >= 0 || !f2.no_response) {
                /* http answered: this registry speaks plain http */
                c->scheme = REGISTRY_SCHEME_HTTP;
                free(*url);
                *url = TAKE_PTR(http);
                crio_error_clear(err);
                *f = f2;
                if (r2 < 0)
                        crio_error_move(err, &e2);
                return r2;
        }
        if (err && err->msg && e2.msg) {
                _cleanup_free_ char *m = NULL;
                if (asprintf(&m, "%s (plain http: %s)", err->msg, e2.msg) >= 0) {
                        free(err->msg);
                        err->msg = TAKE_PTR(m);
                }
        }
        return r;
}

static int follow(RegistryClient *c, RegistryRequest *q, const char *authorization, RegistryFailure *f, CrioError *err) {
        _cleanup_free_ char *first = NULL;
        if (q->path)
                first = registry_url(c, c->scheme == REGISTRY_SCHEME_HTTP ? "http" : "https", q->path);
        else
                first = strdup(q->url);
        if (!first)
                return crio_error_set(err, ENOMEM, "out of memory");
        const char *method = q->method ? q->method : "GET";

        int r = first_hop(c, q, method, &first, authorization, f, err);
        free(q->message_url);
        q->message_url = strdup(first);
        if (r < 0)
                return r;
        _cleanup_free_ char *url = NULL;
        for (unsigned hops = 0; is_redirect(q->status); hops++) {
                char *loc = NULL;
                if (curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || !loc)
                        break; /* no Location: the 3xx is the answer */
                if (hops >= REGISTRY_MAX_REDIRECTS)
                        return crio_error_set(err, EIO, "%s %s: more than %d redirects", method, first,
                                              REGISTRY_MAX_REDIRECTS);
                _cleanup_free_ char *next = strdup(loc), *shown = registry_url_strip_query(loc);
                if (!next || !shown)
                        return crio_error_set(err, ENOMEM, "out of memory");
                bool https = strncasecmp(next, "https://", 8) == 0;
                if (!https && strncasecmp(next, "http://", 7) != 0)
                        return crio_error_set(err, EIO, "%s %s: redirected to an unsupported URL %s", method, first,
                                              shown);
                if (!https && strncasecmp(first, "https://", 8) == 0 && !c->insecure)
                        return crio_error_set(err, EIO, "%s %s: refusing a redirect from https to plain http (%s)",
                                              method, first, shown);
                if (q->status == 303 || (strcmp(method, "POST") == 0 && (q->status == 301 || q->status == 302)))
                        method = "GET";
                free(url);
                url = TAKE_PTR(next);
                free(q->message_url);
                if (asprintf(&q->message_url, "%s (redirected to %s)", first, shown) < 0)
                        q->message_url = NULL;
                /* Authorization only where it was meant to go: the first URL's origin */
                bool send = authorization && same_origin(url, first);
                r = registry_exchange(c, q, method, url, q->message_url ? q->message_url : shown,
                                      send ? authorization : NULL, f, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- status mapping ---- */

static char *describe_status(const RegistryRequest *q) {
        _cleanup_free_ char *m = registry_error_message(q->error_body, q->error_len);
        char *s = NULL;
        if (asprintf(&s, "%ld%s%s", q->status, m || q->reason[0] ? " " : "", m ? m : q->reason) < 0)
                return NULL;
        return s;
}

int registry_status_error(RegistryClient *c, const RegistryRequest *q, bool sent_credentials, CrioError *err) {
        _cleanup_free_ char *st = describe_status(q);
        const char *method = q->method ? q->method : "GET";
        const char *url = q->message_url ? q->message_url : (q->url ? q->url : "");
        const char *status = st ? st : "error";
        long s = q->status;
        if ((s == 401 || s == 403 || (s == 400 && q->token_request && sent_credentials)) && (q->scope || q->token_request)) {
                if (sent_credentials)
                        return crio_error_set(err, EACCES, "registry %s refused the credentials: %s %s: %s", c->registry,
                                              method, url, status);
                return crio_error_set(err, EACCES, "registry %s: access denied (%s): %s %s: %s", c->registry,
                                      registry_creds_present(&c->creds) ? "credentials not usable here"
                                                                        : "no credentials given",
                                      method, url, status);
        }
        if (s == 401 || s == 403)
                return crio_error_set(err, EACCES, "%s %s: %s", method, url, status);
        if (s == 404)
                return crio_error_set(err, ENOENT, "%s %s: %s", method, url, status);
        return crio_error_set(err, EIO, "%s %s: %s", method, url, status);
}

static bool status_transient(long s) {
        return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

/* One attempt: the request, and once more with authentication after a 401. */
static int attempt(RegistryClient *c, RegistryRequest *q, RegistryFailure *f, CrioError *err) {
        _cleanup_free_ char *authz = NULL;
        bool with_creds = false;
        if (q->scope) {
                authz = registry_auth_cached(c, q->scope);
                with_creds = authz && registry_creds_present(&c->creds);
        } else if (q->authorization) {
                if (!(authz = strdup(q->authorization)))
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        if (!q->scope)
                with_creds = q->with_credentials;
        for (unsigned round = 0;; round++) {
                int r = follow(c, q, authz, f, err);
                if (authz)
                        explicit_bzero(authz, strlen(authz));
                if (r < 0)
                        return r;
                if (q->status == 401 && q->scope && round == 0) {
                        registry_auth_forget(c, q->scope);
                        free(authz);
                        authz = NULL;
                        r = registry_auth_challenge(c, q, &authz, &with_creds, err);
                        if (r < 0) {
                                *f = (RegistryFailure){}; /* the token service had its own retries */
                                return r;
                        }
                        continue;
                }
                break;
        }
        if (status_ok(q->status))
                return 0;
        f->transient = status_transient(q->status);
        return registry_status_error(c, q, with_creds, err);
}

static int sleep_ms(RegistryClient *c, unsigned ms) {
        uint64_t until = registry_now_usec() + (uint64_t) ms * 1000u;
        for (;;) {
                if (registry_cancelled(c))
                        return -ECANCELED;
                uint64_t now = registry_now_usec();
                if (now >= until)
                        return 0;
                uint64_t left = MIN(until - now, (uint64_t) 50000u);
                struct timespec ts = { .tv_sec = 0, .tv_nsec = (long) left * 1000 };
                nanosleep(&ts, NULL);
        }
}

int registry_request_run(RegistryClient *c, RegistryRequest *q, CrioError *err) {
        unsigned retries = 0, timeouts = 0;
        for (;;) {
                const char *method = q->method ? q->method : "GET";
                if (registry_cancelled(c))
                        return crio_error_set(err, ECANCELED, "%s %s%s: canceled", method, q->path ? c->endpoint : "",
                                              q->path ? q->path : q->url);
                _cleanup_(crio_error_clear) CrioError e = {};
                RegistryFailure f = {};
                int r = attempt(c, q, &f, &e);
                if (r >= 0)
                        return 0;
                if (f.transient && q->resumable && q->expected_size >= 0 && q->delivered == (uint64_t) q->expected_size &&
                    q->status != 0 && status_ok(q->status)) {
                        /* every expected byte arrived before the connection failed; the caller
                         * checks the digest */
                        log_debug("registry: %s; all %" PRIu64 " bytes arrived, not retrying", e.msg, q->delivered);
                        return 0;
                }
                if (r == -ETIMEDOUT)
                        timeouts++;
                bool again = f.transient && retries < c->max_retries &&
                             (r != -ETIMEDOUT || timeouts <= REGISTRY_TIMEOUT_RETRIES);
                if (!again) {
                        if (retries == 0 || !e.msg) {
                                crio_error_move(err, &e);
                                return r;
                        }
                        return crio_error_set(err, -r, "%s (after %u %s)", e.msg, retries,
                                              retries == 1 ? "retry" : "retries");
                }
                if (!q->resumable) {
                        q->delivered = 0; /* a manifest by tag may have changed: start over */
                        if (q->body)
                                q->body[0] = '\0';
                }
                unsigned shift = MIN(retries, 16u);
                unsigned ms = (unsigned) MIN((uint64_t) REGISTRY_RETRY_BASE_MS << shift, (uint64_t) REGISTRY_RETRY_MAX_MS);
                log_debug("registry: %s; retry %u of %u in %u ms", e.msg ? e.msg : "failed", retries + 1, c->max_retries,
                          ms);
                if (sleep_ms(c, ms) < 0)
                        return crio_error_set(err, ECANCELED, "%s (canceled while waiting to retry)", e.msg ? e.msg : "");
                retries++;
        }
}
