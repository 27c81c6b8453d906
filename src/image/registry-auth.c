/* The registry's 401 dance (see registry.h): the first request goes out anonymous (or with
 * what an earlier challenge taught us), a 401's WWW-Authenticate says how to authenticate:
 *
 *   Bearer  registry_token: sent as the bearer token as is;
 *           identity_token: POST grant_type=refresh_token to the realm (OAuth2, as Docker's
 *             and containers/image's clients do, client_id=crio);
 *           username/password: GET the token URL with Basic credentials;
 *           nothing: GET the token URL anonymously (public repositories).
 *           Tokens are cached per scope until REGISTRY_TOKEN_EXPIRY_MARGIN before they expire.
 *   Basic   the username and password, sent from then on with every request.
 *
 * Tokens, passwords and refresh tokens are never logged and never put in a message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/registry-internal.h"
#include "util/cleanup.h"
#include "util/log.h"

static bool set(const char *s) {
        return s && *s;
}

bool registry_creds_present(const AuthCredentials *cr) {
        return cr && (set(cr->username) || set(cr->identity_token) || set(cr->registry_token));
}

static void secret_free(char *s) {
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
}

static void secret_freep(char **s) {
        secret_free(*s);
}
#define _cleanup_secret_ _cleanup_(secret_freep)

static void token_clear(RegistryToken *t) {
        free(t->scope);
        secret_free(t->token);
        *t = (RegistryToken){};
}

void registry_auth_clear(RegistryClient *c) {
        for (size_t i = 0; i < c->n_tokens; i++)
                token_clear(&c->tokens[i]);
        c->n_tokens = 0;
        secret_free(c->basic);
        c->basic = NULL;
        c->bearer_token = false;
}

static char *bearer(const char *token) {
        char *s = NULL;
        if (asprintf(&s, "Bearer %s", token) < 0)
                return NULL;
        return s;
}

char *registry_auth_cached(RegistryClient *c, const char *scope) {
        if (c->basic)
                return strdup(c->basic);
        if (c->bearer_token)
                return bearer(c->creds.registry_token);
        uint64_t now = registry_now_usec();
        for (size_t i = 0; i < c->n_tokens; i++)
                if (strcmp(c->tokens[i].scope, scope) == 0 && c->tokens[i].expires > now) {
                        c->tokens[i].used = ++c->token_clock;
                        return bearer(c->tokens[i].token);
                }
        return NULL;
}

void registry_auth_forget(RegistryClient *c, const char *scope) {
        secret_free(c->basic);
        c->basic = NULL;
        c->bearer_token = false;
        for (size_t i = 0; i < c->n_tokens; i++)
                if (strcmp(c->tokens[i].scope, scope) == 0) {
                        token_clear(&c->tokens[i]);
                        c->tokens[i] = c->tokens[--c->n_tokens];
                        c->tokens[c->n_tokens] = (RegistryToken){};
                        return;
                }
}

static int cache_token(RegistryClient *c, const char *scope, char *token, int64_t expires_in) {
        char *s = strdup(scope);
        if (!s) {
                secret_free(token);
                return -ENOMEM;
        }
        RegistryToken *t;
        if (c->n_tokens < REGISTRY_TOKEN_CACHE_MAX)
                t = &c->tokens[c->n_tokens++];
        else {
                t = &c->tokens[0]; /* evict the least recently used */
                for (size_t i = 1; i < c->n_tokens; i++)
                        if (c->tokens[i].used < t->used)
                                t = &c->tokens[i];
                token_clear(t);
        }
        int64_t valid = expires_in > REGISTRY_TOKEN_EXPIRY_MARGIN ? expires_in - REGISTRY_TOKEN_EXPIRY_MARGIN : 0;
        *t = (RegistryToken){ .scope = s, .token = token, .expires = registry_now_usec() + (uint64_t) valid * 1000000u,
                              .used = ++c->token_clock };
        return 0;
}

/* "name=value" URL-encoded, appended to a form body. */
static int form_add(CURL *curl, char **form, const char *name, const char *value) {
        char *v = curl_easy_escape(curl, value ? value : "", 0);
        if (!v)
                return -ENOMEM;
        char *n = NULL;
        int r = asprintf(&n, "%s%s%s=%s", *form ? *form : "", *form ? "&" : "", name, v);
        explicit_bzero(v, strlen(v));
        curl_free(v);
        if (r < 0)
                return -ENOMEM;
        secret_free(*form);
        *form = n;
        return 0;
}

static int fetch_token(RegistryClient *c, const AuthChallenge *ch, const char *scope, char **ret, bool *ret_with_creds,
                       CrioError *err) {
        _cleanup_free_ char *url = auth_token_url(ch, scope);
        if (!url)
                return crio_error_set(err, EBADMSG, "registry %s: Bearer challenge without a usable http(s) realm",
                                      c->registry);
        if (strncasecmp(url, "http://", 7) == 0 && !c->insecure)
                return crio_error_set(err, EIO, "registry %s: refusing the plain http token service %s of a secure registry",
                                      c->registry, url);
        _cleanup_secret_ char *basic = NULL, *form = NULL;
        _cleanup_(registry_request_done) RegistryRequest t = {
                .fd = -1, .max_size = AUTH_TOKEN_RESPONSE_MAX_SIZE, .expected_size = -1, .token_request = true, .url = url,
        };
        bool with_creds = false;
        if (set(c->creds.identity_token)) {
                /* OAuth2 refresh-token grant, posted to the realm itself */
                const char *service = auth_challenge_param(ch, "service");
                if (form_add(c->curl, &form, "grant_type", "refresh_token") < 0 ||
                    form_add(c->curl, &form, "refresh_token", c->creds.identity_token) < 0 ||
                    (set(service) && form_add(c->curl, &form, "service", service) < 0) ||
                    form_add(c->curl, &form, "scope", scope) < 0 || form_add(c->curl, &form, "client_id", "crio") < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                t.method = "POST";
                t.url = auth_challenge_param(ch, "realm");
                t.post_fields = form;
                with_creds = true;
        } else if (set(c->creds.username)) {
                if (!(basic = auth_basic_header(&c->creds)))
                        return crio_error_set(err, ENOMEM, "out of memory");
                t.authorization = basic;
                with_creds = true;
        }
        t.with_credentials = with_creds;
        log_debug("registry %s: fetching a token for %s (%s)", c->registry, scope,
                  set(c->creds.identity_token) ? "identity token" : with_creds ? "username and password" : "anonymous");
        int r = registry_request_run(c, &t, err);
        if (r < 0)
                return r;
        _cleanup_(crio_error_clear) CrioError e = {};
        char *token = NULL;
        int64_t expires_in = 0;
        r = auth_token_response_parse(t.body ? t.body : "", (size_t) t.delivered, &token, &expires_in, &e);
        if (r < 0)
                return crio_error_set(err, EBADMSG, "registry %s: token service %s: %s", c->registry,
                                      t.message_url ? t.message_url : url,
                                      e.msg ? e.msg : "malformed response");
        char *h = bearer(token);
        if (!h || cache_token(c, scope, token, expires_in) < 0) {
                secret_free(h);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret = h;
        *ret_with_creds = with_creds;
        return 0;
}

int registry_auth_challenge(RegistryClient *c, const RegistryRequest *q, char **ret_authorization,
                            bool *ret_with_credentials, CrioError *err) {
        const char *method = q->method ? q->method : "GET";
        const char *url = q->message_url ? q->message_url : "";
        if (q->www_authenticate_too_long)
                return crio_error_set(err, EBADMSG, "%s %s: 401 with a WWW-Authenticate longer than %d bytes", method, url,
                                      AUTH_CHALLENGE_MAX_HEADER);
        if (!q->www_authenticate)
                return crio_error_set(err, EACCES, "registry %s: %s %s: 401 without a WWW-Authenticate challenge",
                                      c->registry, method, url);
        _cleanup_(crio_error_clear) CrioError e = {};
        AuthChallenge *ch = NULL;
        size_t n = 0;
        int r = auth_challenges_parse(q->www_authenticate, &ch, &n, &e);
        if (r < 0)
                return crio_error_set(err, EBADMSG, "%s %s: malformed WWW-Authenticate: %s", method, url,
                                      e.msg ? e.msg : "parse error");
        const AuthChallenge *b = auth_challenges_find(ch, n, "bearer");
        const AuthChallenge *basic = auth_challenges_find(ch, n, "basic");
        char *h = NULL;
        bool with_creds = false;
        if (b && set(c->creds.registry_token)) {
                h = bearer(c->creds.registry_token);
                c->bearer_token = true;
                with_creds = true;
        } else if (b) {
                r = fetch_token(c, b, q->scope, &h, &with_creds, err);
                if (r < 0) {
                        auth_challenges_free(ch, n);
                        return r;
                }
        } else if (basic) {
                if (!set(c->creds.username)) {
                        auth_challenges_free(ch, n);
                        return crio_error_set(err, EACCES,
                                              "registry %s: access denied (basic authentication needs a username and "
                                              "password, none given): %s %s: 401",
                                              c->registry, method, url);
                }
                h = auth_basic_header(&c->creds);
                if (h && !(c->basic = strdup(h))) {
                        secret_free(h);
                        h = NULL;
                }
                with_creds = true;
        } else {
                int rr = crio_error_set(err, EACCES, "registry %s: %s %s: 401 with no supported challenge (scheme \"%s\")",
                                        c->registry, method, url, n > 0 ? ch[0].scheme : "");
                auth_challenges_free(ch, n);
                return rr;
        }
        auth_challenges_free(ch, n);
        if (!h)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_authorization = h;
        *ret_with_credentials = with_creds;
        return 0;
}
