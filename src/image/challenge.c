/* WWW-Authenticate parsing (see challenge.h). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/challenge.h"
#include "util/cleanup.h"

/* RFC 7230 tchar. */
static bool is_tchar(char c) {
        if (isalnum((unsigned char) c) && (unsigned char) c < 0x80)
                return true;
        return c && strchr("!#$%&'*+-.^_`|~", c);
}

static bool is_ows(char c) {
        return c == ' ' || c == '\t';
}

typedef struct Parser {
        const char *s;
        size_t pos;
} Parser;

static void skip_ows(Parser *p) {
        while (is_ows(p->s[p->pos]))
                p->pos++;
}

static size_t token_len(const Parser *p) {
        size_t i = p->pos;
        while (is_tchar(p->s[i]))
                i++;
        return i - p->pos;
}

static void challenge_clear(AuthChallenge *c) {
        for (size_t i = 0; i < c->n_params; i++) {
                free(c->params[i].name);
                free(c->params[i].value);
        }
        free(c->params);
        free(c->scheme);
        *c = (AuthChallenge){};
}

void auth_challenges_free(AuthChallenge *c, size_t n) {
        if (!c)
                return;
        for (size_t i = 0; i < n; i++)
                challenge_clear(&c[i]);
        free(c);
}

const char *auth_challenge_param(const AuthChallenge *c, const char *name) {
        if (!c || !name)
                return NULL;
        for (size_t i = 0; i < c->n_params; i++)
                if (strcasecmp(c->params[i].name, name) == 0)
                        return c->params[i].value;
        return NULL;
}

const AuthChallenge *auth_challenges_find(const AuthChallenge *c, size_t n, const char *scheme) {
        if (!c || !scheme)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (strcasecmp(c[i].scheme, scheme) == 0)
                        return &c[i];
        return NULL;
}

/* Reads a quoted-string at p->pos (which is '"'), unescaping into *ret. */
static int parse_quoted(Parser *p, char **ret, CrioError *err) {
        size_t start = p->pos;
        p->pos++;
        _cleanup_free_ char *v = malloc(strlen(p->s + p->pos) + 1);
        if (!v)
                return crio_error_set(err, ENOMEM, "out of memory");
        size_t n = 0;
        for (;;) {
                unsigned char c = (unsigned char) p->s[p->pos];
                if (c == '\0')
                        return crio_error_set(err, EINVAL, "unterminated quoted-string at offset %zu", start);
                if (c == '"') {
                        p->pos++;
                        break;
                }
                if (c == '\\') {
                        p->pos++;
                        c = (unsigned char) p->s[p->pos];
                        if (c == '\0')
                                return crio_error_set(err, EINVAL, "unterminated quoted-string at offset %zu", start);
                }
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                        return crio_error_set(err, EINVAL, "control character 0x%02x in quoted-string at offset %zu", c, p->pos);
                v[n++] = (char) c;
                p->pos++;
        }
        v[n] = '\0';
        *ret = TAKE_PTR(v);
        return 0;
}

/* Parses the auth-params of c, starting after its scheme. Stops at the end or before the
 * next challenge's scheme. */
static int parse_params(Parser *p, AuthChallenge *c, CrioError *err) {
        for (bool first = true;; first = false) {
                bool comma = false;
                while (p->s[p->pos] == ',' || is_ows(p->s[p->pos]))
                        comma |= p->s[p->pos++] == ',';
                if (p->s[p->pos] == '\0')
                        return 0;

                size_t name_start = p->pos;
                size_t len = token_len(p);
                if (len == 0)
                        return crio_error_set(err, EINVAL, "unexpected character 0x%02x at offset %zu, expected an auth-param name",
                                              (unsigned char) p->s[p->pos], p->pos);
                Parser look = { p->s, p->pos + len };
                skip_ows(&look);
                if (p->s[look.pos] != '=') {
                        /* After a comma, a token not followed by '=' is the next challenge's
                         * scheme; right after the scheme it would be a token68. */
                        if (first && !comma)
                                return crio_error_set(err, EINVAL, "expected name=value auth-param at offset %zu, got \"%.*s\" (token68 is not supported)",
                                                      name_start, (int) len, p->s + name_start);
                        return 0;
                }
                /* RFC 7235: "realm=" could also begin a token68; we treat it as an auth-param. */
                p->pos = look.pos + 1;
                skip_ows(p);

                _cleanup_free_ char *name = strndup(p->s + name_start, len);
                _cleanup_free_ char *value = NULL;
                if (!name)
                        return crio_error_set(err, ENOMEM, "out of memory");
                if (p->s[p->pos] == '"') {
                        int r = parse_quoted(p, &value, err);
                        if (r < 0)
                                return r;
                } else {
                        size_t vlen = token_len(p);
                        if (vlen == 0 && p->s[p->pos] == '=')
                                return crio_error_set(err, EINVAL, "expected name=value auth-param at offset %zu, got \"%s=\" (token68 is not supported)",
                                                      name_start, name);
                        if (vlen == 0)
                                return crio_error_set(err, EINVAL, "auth-param \"%s\" has no value at offset %zu", name, p->pos);
                        value = strndup(p->s + p->pos, vlen);
                        if (!value)
                                return crio_error_set(err, ENOMEM, "out of memory");
                        p->pos += vlen;
                }
                if (auth_challenge_param(c, name))
                        return crio_error_set(err, EINVAL, "duplicate auth-param \"%s\" in %s challenge", name, c->scheme);
                if (c->n_params >= AUTH_CHALLENGE_MAX_PARAMS)
                        return crio_error_set(err, E2BIG, "%s challenge has more than %d auth-params", c->scheme, AUTH_CHALLENGE_MAX_PARAMS);
                AuthParam *np = realloc(c->params, (c->n_params + 1) * sizeof(AuthParam));
                if (!np)
                        return crio_error_set(err, ENOMEM, "out of memory");
                c->params = np;
                c->params[c->n_params++] = (AuthParam){ TAKE_PTR(name), TAKE_PTR(value) };

                skip_ows(p);
                if (p->s[p->pos] == '\0')
                        return 0;
                if (p->s[p->pos] != ',')
                        return crio_error_set(err, EINVAL, "unexpected character 0x%02x at offset %zu after auth-param \"%s\"",
                                              (unsigned char) p->s[p->pos], p->pos, c->params[c->n_params - 1].name);
        }
}

int auth_challenges_parse(const char *header, AuthChallenge **ret, size_t *n, CrioError *err) {
        if (!header)
                return crio_error_set(err, EINVAL, "no WWW-Authenticate header");
        size_t hlen = strnlen(header, AUTH_CHALLENGE_MAX_HEADER + 1);
        if (hlen > AUTH_CHALLENGE_MAX_HEADER)
                return crio_error_set(err, E2BIG, "WWW-Authenticate header longer than %d bytes", AUTH_CHALLENGE_MAX_HEADER);

        Parser p = { header, 0 };
        AuthChallenge *list = NULL;
        size_t count = 0;
        int r = 0;
        for (;;) {
                while (p.s[p.pos] == ',' || is_ows(p.s[p.pos]))
                        p.pos++;
                if (p.s[p.pos] == '\0')
                        break;
                size_t len = token_len(&p);
                if (len == 0) {
                        r = crio_error_set(err, EINVAL, "unexpected character 0x%02x at offset %zu, expected an auth scheme",
                                           (unsigned char) p.s[p.pos], p.pos);
                        goto fail;
                }
                AuthChallenge *nl = realloc(list, (count + 1) * sizeof(AuthChallenge));
                if (!nl) {
                        r = crio_error_set(err, ENOMEM, "out of memory");
                        goto fail;
                }
                list = nl;
                AuthChallenge *c = &list[count++];
                *c = (AuthChallenge){};
                c->scheme = strndup(p.s + p.pos, len);
                if (!c->scheme) {
                        r = crio_error_set(err, ENOMEM, "out of memory");
                        goto fail;
                }
                for (char *q = c->scheme; *q; q++)
                        *q = (char) tolower((unsigned char) *q);
                p.pos += len;
                if (p.s[p.pos] != '\0' && p.s[p.pos] != ',' && !is_ows(p.s[p.pos])) {
                        r = crio_error_set(err, EINVAL, "unexpected character 0x%02x at offset %zu after auth scheme \"%s\"",
                                           (unsigned char) p.s[p.pos], p.pos, c->scheme);
                        goto fail;
                }
                r = parse_params(&p, c, err);
                if (r < 0)
                        goto fail;
        }
        if (count == 0) {
                r = crio_error_set(err, EINVAL, "WWW-Authenticate header has no challenge");
                goto fail;
        }
        *ret = list;
        *n = count;
        return 0;
fail:
        auth_challenges_free(list, count);
        return r;
}
