/* One HTTP exchange on libcurl's easy interface (see registry-internal.h): the handle's
 * options (TLS, timeouts, no redirects followed by curl: registry-request.c does that), the
 * request headers, and the callbacks that capture the response headers, deliver the body
 * (resume offsets, size limits, digest feeding), and stop a stalled or cancelled transfer.
 *
 * Stalls: CURLOPT_LOW_SPEED_LIMIT=1/LOW_SPEED_TIME=stall_timeout is set, but curl averages
 * the speed over a window of several seconds, so after a burst of data it notices a stall
 * late; the progress callback also stops a transfer that moved no byte (header or body, up
 * or down) for stall_timeout seconds. Either way the result is -ETIMEDOUT. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "image/registry-internal.h"
#include "util/cleanup.h"
#include "util/log.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

typedef struct Exchange {
        RegistryClient *c;
        RegistryRequest *q;
        const char *method;
        const char *url; /* for messages */
        bool sent_range;
        bool body_started;
        uint64_t skip;          /* bytes of this response already delivered before */
        CrioError stop;         /* why a callback stopped the transfer */
        bool error_body_full;   /* a non-2xx body reached REGISTRY_ERROR_BODY_MAX: stopped on purpose */
        uint64_t last_activity; /* usec */
        curl_off_t last_dl, last_ul;
} Exchange;

uint64_t registry_now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

bool registry_cancelled(const RegistryClient *c) {
        return (c->cancel && *c->cancel) || (c->cancel2 && *c->cancel2);
}

static bool status_ok(long s) {
        return s >= 200 && s < 300;
}

void registry_request_done(RegistryRequest *q) {
        if (!q)
                return;
        free(q->body);
        free(q->message_url);
        free(q->content_type);
        free(q->docker_digest);
        free(q->content_range);
        free(q->www_authenticate);
        free(q->error_body);
        q->body = q->message_url = q->content_type = q->docker_digest = q->content_range = NULL;
        q->www_authenticate = q->error_body = NULL;
        q->body_alloc = q->error_len = 0;
}

static void response_reset(RegistryRequest *q) {
        q->status = 0;
        q->reason[0] = '\0';
        free(q->content_type);
        free(q->docker_digest);
        free(q->content_range);
        free(q->www_authenticate);
        free(q->error_body);
        q->content_type = q->docker_digest = q->content_range = q->www_authenticate = q->error_body = NULL;
        q->www_authenticate_too_long = false;
        q->error_len = 0;
}

/* ---- callbacks ---- */

static size_t stop_with(Exchange *x, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static size_t stop_with(Exchange *x, int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        crio_error_setv(&x->stop, code, fmt, ap);
        va_end(ap);
        return 0; /* as a write/header callback result: abort the transfer */
}

static void set_header(char **field, const char *v, size_t len) {
        free(*field);
        *field = len <= REGISTRY_HEADER_VALUE_MAX ? registry_sanitize(v, len, len) : NULL;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *userdata) {
        Exchange *x = userdata;
        RegistryRequest *q = x->q;
        size_t n = size * nitems, len = n;
        x->last_activity = registry_now_usec();
        while (len && (buf[len - 1] == '\r' || buf[len - 1] == '\n'))
                len--;
        if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
                /* a new response (an interim 1xx comes before the final one) */
                response_reset(q);
                const char *p = memchr(buf, ' ', len), *end = buf + len;
                if (p && end - p >= 4) {
                        long code = 0;
                        for (int i = 1; i <= 3; i++)
                                code = code * 10 + (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : 0);
                        q->status = code;
                        p += 4;
                        while (p < end && *p == ' ')
                                p++;
                        _cleanup_free_ char *reason = registry_sanitize(p, (size_t) (end - p), sizeof(q->reason) - 1);
                        if (reason)
                                strcpy(q->reason, reason);
                }
                return n;
        }
        const char *colon = memchr(buf, ':', len);
        if (!colon)
                return n;
        size_t name_len = (size_t) (colon - buf);
        const char *v = colon + 1, *end = buf + len;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
        size_t vlen = (size_t) (end - v);
#define IS(h) (name_len == sizeof(h) - 1 && strncasecmp(buf, h, name_len) == 0)
        if (IS("Content-Type"))
                set_header(&q->content_type, v, vlen);
        else if (IS("Docker-Content-Digest"))
                set_header(&q->docker_digest, v, vlen);
        else if (IS("Content-Range"))
                set_header(&q->content_range, v, vlen);
        else if (IS("WWW-Authenticate")) {
                /* several headers are one comma-separated list (RFC 7230 3.2.2) */
                size_t have = q->www_authenticate ? strlen(q->www_authenticate) : 0;
                if (have + 2 + vlen > AUTH_CHALLENGE_MAX_HEADER) {
                        q->www_authenticate_too_long = true;
                        return n;
                }
                char *s = realloc(q->www_authenticate, have + 2 + vlen + 1);
                if (!s)
                        return stop_with(x, ENOMEM, "out of memory");
                if (have) {
                        memcpy(s + have, ", ", 2);
                        have += 2;
                }
                memcpy(s + have, v, vlen);
                s[have + vlen] = '\0';
                q->www_authenticate = s;
        }
#undef IS
        return n;
}

static int write_all(int fd, const char *p, size_t n, CrioError *err) {
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                                (void) poll(&pfd, 1, 1000);
                                continue;
                        }
                        return crio_error_set_errno(err, errno, "writing the blob to its output");
                }
                p += w;
                n -= (size_t) w;
        }
        return 0;
}

/* The first bytes of a 2xx body: where does it start relative to what we have? */
static int body_start(Exchange *x) {
        RegistryRequest *q = x->q;
        uint64_t have = q->delivered;
        if (x->sent_range && q->status == 206) {
                uint64_t first = 0, last = 0;
                int64_t total = -1;
                if (registry_content_range_parse(q->content_range, &first, &last, &total) < 0)
                        return crio_error_set(&x->stop, EBADMSG, "%s %s: 206 with a malformed Content-Range \"%s\"",
                                              x->method, x->url, q->content_range ? q->content_range : "");
                if (first > have)
                        return crio_error_set(&x->stop, EBADMSG,
                                              "%s %s: asked for bytes from %" PRIu64 ", got a range from %" PRIu64,
                                              x->method, x->url, have, first);
                x->skip = have - first;
        } else if (x->sent_range)
                x->skip = have; /* the server ignored the Range: the whole body again */
        else if (q->status == 206)
                return crio_error_set(&x->stop, EBADMSG, "%s %s: 206 Partial Content without a Range request",
                                      x->method, x->url);

        curl_off_t cl = -1;
        if (curl_easy_getinfo(x->c->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl >= 0) {
                uint64_t total = have + ((uint64_t) cl > x->skip ? (uint64_t) cl - x->skip : 0);
                if (q->expected_size >= 0 && total > (uint64_t) q->expected_size)
                        return crio_error_set(&x->stop, EBADMSG,
                                              "%s %s: Content-Length %" PRId64 " is more than the expected size %" PRId64,
                                              x->method, x->url, (int64_t) cl, q->expected_size);
                if (q->fd < 0 && total > q->max_size)
                        return crio_error_set(&x->stop, EFBIG,
                                              "%s %s: Content-Length %" PRId64 " is larger than the limit of %zu bytes",
                                              x->method, x->url, (int64_t) cl, q->max_size);
        }
        return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
        Exchange *x = userdata;
        RegistryRequest *q = x->q;
        size_t n = size * nmemb;
        x->last_activity = registry_now_usec();
        if (n == 0)
                return 0;
        if (!status_ok(q->status)) {
                /* an error or redirect body: keep its start for the message */
                if (!q->error_body && !(q->error_body = malloc(REGISTRY_ERROR_BODY_MAX + 1)))
                        return stop_with(x, ENOMEM, "out of memory");
                size_t k = MIN(n, REGISTRY_ERROR_BODY_MAX - q->error_len);
                memcpy(q->error_body + q->error_len, data, k);
                q->error_len += k;
                q->error_body[q->error_len] = '\0';
                if (k < n) {
                        x->error_body_full = true;
                        return 0; /* enough to say what went wrong */
                }
                return n;
        }
        if (!x->body_started) {
                x->body_started = true;
                if (body_start(x) < 0)
                        return 0;
        }
        const char *p = data;
        size_t len = n;
        if (x->skip) {
                size_t s = (size_t) MIN((uint64_t) len, x->skip);
                p += s;
                len -= s;
                x->skip -= s;
        }
        if (len == 0)
                return n;
        if (q->expected_size >= 0 && q->delivered + len > (uint64_t) q->expected_size)
                return stop_with(x, EBADMSG, "%s %s: more than the expected %" PRId64 " bytes", x->method, x->url,
                                 q->expected_size);
        if (q->fd >= 0) {
                if (write_all(q->fd, p, len, &x->stop) < 0) {
                        crio_error_prefix(&x->stop, "%s %s: ", x->method, x->url);
                        return 0;
                }
        } else {
                if (q->delivered + len > q->max_size)
                        return stop_with(x, EFBIG, "%s %s: larger than the limit of %zu bytes", x->method, x->url,
                                         q->max_size);
                size_t need = (size_t) q->delivered + len + 1;
                if (need > q->body_alloc) {
                        size_t a = q->body_alloc ? q->body_alloc : 16384;
                        while (a < need)
                                a *= 2;
                        char *nb = realloc(q->body, a);
                        if (!nb)
                                return stop_with(x, ENOMEM, "%s %s: out of memory", x->method, x->url);
                        q->body = nb;
                        q->body_alloc = a;
                }
                memcpy(q->body + q->delivered, p, len);
                q->body[q->delivered + len] = '\0';
        }
        if (q->hash)
                sha256_update(q->hash, p, len);
        q->delivered += len;
        return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
        Exchange *x = userdata;
        (void) dltotal;
        (void) ultotal;
        if (registry_cancelled(x->c)) {
                crio_error_set(&x->stop, ECANCELED, "%s %s: canceled", x->method, x->url);
                return 1;
        }
        uint64_t now = registry_now_usec();
        if (dlnow != x->last_dl || ulnow != x->last_ul) {
                x->last_dl = dlnow;
                x->last_ul = ulnow;
                x->last_activity = now;
        }
        if (now - x->last_activity >= (uint64_t) x->c->stall_timeout * 1000000u) {
                crio_error_set(&x->stop, ETIMEDOUT, "%s %s: timed out: no data received for %u seconds", x->method,
                               x->url, x->c->stall_timeout);
                return 1;
        }
        return 0;
}

/* ---- one exchange ---- */

static bool curl_transient(CURLcode res) {
        switch (res) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_GOT_NOTHING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_HTTP3:
                return true;
        default:
                return false;
        }
}

static void slist_freep(struct curl_slist **l) {
        curl_slist_free_all(*l);
}

static int add_header(struct curl_slist **l, const char *name, const char *value) {
        _cleanup_free_ char *h = NULL;
        if (asprintf(&h, "%s: %s", name, value) < 0)
                return -ENOMEM;
        struct curl_slist *n = curl_slist_append(*l, h);
        if (h[0] && strcasecmp(name, "Authorization") == 0)
                explicit_bzero(h, strlen(h));
        if (!n)
                return -ENOMEM;
        *l = n;
        return 0;
}

static void setup_tls(RegistryClient *c) {
        CURL *h = c->curl;
        if (c->ca_blob) {
                struct curl_blob b = { .data = c->ca_blob, .len = c->ca_blob_len, .flags = CURL_BLOB_NOCOPY };
                curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
        }
        if (c->insecure) {
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (c->client_cert) {
                curl_easy_setopt(h, CURLOPT_SSLCERT, c->client_cert);
                curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
                curl_easy_setopt(h, CURLOPT_SSLKEY, c->client_key);
                curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
        }
}

int registry_exchange(RegistryClient *c, RegistryRequest *q, const char *method, const char *url, const char *msg_url,
                      const char *authorization, RegistryFailure *f, CrioError *err) {
        CURL *h = c->curl;
        Exchange x = { .c = c, .q = q, .method = method, .url = msg_url, .last_activity = registry_now_usec() };
        *f = (RegistryFailure){};
        response_reset(q);

        _cleanup_(slist_freep) struct curl_slist *hdrs = NULL;
        if (q->accept && add_header(&hdrs, "Accept", q->accept) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (authorization && add_header(&hdrs, "Authorization", authorization) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (q->resumable && q->delivered > 0) {
                char range[64];
                snprintf(range, sizeof(range), "bytes=%" PRIu64 "-", q->delivered);
                if (add_header(&hdrs, "Range", range) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                x.sent_range = true;
        }
        bool post = strcmp(method, "POST") == 0;
        if (post && add_header(&hdrs, "Expect", "") < 0) /* no 100-continue round trip */
                return crio_error_set(err, ENOMEM, "out of memory");

        curl_easy_reset(h);
        c->errbuf[0] = '\0';
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
        curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
        curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long) REGISTRY_CONNECT_TIMEOUT);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long) c->stall_timeout);
        curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
        if (post) {
                curl_easy_setopt(h, CURLOPT_POST, 1L);
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->post_fields ? q->post_fields : "");
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long) (q->post_fields ? strlen(q->post_fields) : 0));
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        setup_tls(c);

        CURLcode res = curl_easy_perform(h);
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        /* nothing of ours (the header list, the blob) stays referenced by the handle */
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        log_debug("registry: %s %s -> %ld%s%s", method, msg_url, code, res != CURLE_OK ? ": " : "",
                  res != CURLE_OK ? curl_easy_strerror(res) : "");

        if (x.stop.code) {
                f->transient = x.stop.code == ETIMEDOUT;
                int r = -x.stop.code;
                crio_error_move(err, &x.stop);
                return r;
        }
        if (res == CURLE_WRITE_ERROR && x.error_body_full)
                res = CURLE_OK;
        if (res != CURLE_OK) {
                f->transient = curl_transient(res);
                f->no_response = code == 0;
                int e = res == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT : EIO;
                return crio_error_set(err, e, "%s %s: %s", method, msg_url,
                                      c->errbuf[0] ? c->errbuf : curl_easy_strerror(res));
        }
        q->status = code;
        return 0;
}
