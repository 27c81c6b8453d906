/* WWW-Authenticate header parsing (RFC 7235 section 4.1), as a registry client needs it.
 *
 *   WWW-Authenticate: Bearer realm="https://auth.example/token",service="registry.example"
 *
 * One header may carry several comma-separated challenges. Schemes are case-insensitive
 * and returned lower-cased ("bearer", "basic"). Each auth-param value is a token or a
 * quoted-string (backslash escapes removed). token68 credentials are not supported: a
 * registry never sends them. Parameter names are compared case-insensitively. */
#pragma once

#include <stddef.h>

#include "util/error.h"

/* Bounds on untrusted input. */
#define AUTH_CHALLENGE_MAX_HEADER 8192 /* bytes in one header value */
#define AUTH_CHALLENGE_MAX_PARAMS 32   /* auth-params in one challenge */

typedef struct AuthParam {
        char *name;  /* as sent; compare with strcasecmp */
        char *value; /* unquoted */
} AuthParam;

typedef struct AuthChallenge {
        char *scheme; /* lower-cased, e.g. "bearer" */
        AuthParam *params;
        size_t n_params;
} AuthChallenge;

/* Parses one header value into *ret (an array of *n challenges; free with
 * auth_challenges_free). Fails with -EINVAL on a syntax error (the message names the
 * offset), -E2BIG past a named limit. */
int auth_challenges_parse(const char *header, AuthChallenge **ret, size_t *n, CrioError *err);
/* Frees an array from auth_challenges_parse. Accepts NULL. */
void auth_challenges_free(AuthChallenge *c, size_t n);

/* Returns the value of parameter name (case-insensitive) or NULL. Borrowed from c. */
const char *auth_challenge_param(const AuthChallenge *c, const char *name);
/* Returns the first challenge with the given scheme (case-insensitive) or NULL. */
const AuthChallenge *auth_challenges_find(const AuthChallenge *c, size_t n, const char *scheme);
