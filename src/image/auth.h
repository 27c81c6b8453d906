/* Registry authentication: token-service requests and responses, credentials from
 * auth files (containers-auth.json(5), docker config.json, legacy .dockercfg) and from
 * a CRI PullImageRequest. */
#pragma once

#include <stdint.h>

#include "image/challenge.h"
#include "util/error.h"

#define AUTH_FILE_MAX_SIZE (1u << 20)           /* bytes in one auth file */
#define AUTH_TOKEN_RESPONSE_MAX_SIZE (1u << 20) /* bytes in a token-service response */
#define AUTH_TOKEN_DEFAULT_EXPIRES_IN 60        /* seconds; also the minimum honoured */

typedef struct AuthCredentials {
        char *username;       /* NULL when not set */
        char *password;
        char *identity_token; /* OAuth2 refresh token for the token service */
        char *registry_token; /* a bearer token to send as is */
} AuthCredentials;

/* Frees the members and resets c. Accepts NULL. */
void auth_credentials_clear(AuthCredentials *c);
/* Copies every member of from into *to (overwritten). -ENOMEM leaves *to empty. */
int auth_credentials_copy(const AuthCredentials *from, AuthCredentials *to);

/* Builds the token-service URL for a Bearer challenge: its realm with "service" (when the
 * challenge has one) and "scope" (when scope is non-empty) query parameters appended,
 * URL-encoded. Returns a string the caller frees, or NULL if the challenge has no
 * http(s) realm or on allocation failure. */
char *auth_token_url(const AuthChallenge *c, const char *scope);

/* Parses a token-service JSON response: "token" (or "access_token"), "expires_in"
 * (default and minimum AUTH_TOKEN_DEFAULT_EXPIRES_IN). *ret_token is the caller's to free.
 * -EINVAL on malformed input, -E2BIG past AUTH_TOKEN_RESPONSE_MAX_SIZE. */
int auth_token_response_parse(const char *json, size_t len, char **ret_token, int64_t *ret_expires_in, CrioError *err);

/* Returns the default auth-file search list, first wins (free with strv_free; NULL on ENOMEM):
 * $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json (root without
 * XDG_RUNTIME_DIR: /run/containers/0/auth.json), ${XDG_CONFIG_HOME:-$HOME/.config}/containers/auth.json,
 * $HOME/.docker/config.json, $HOME/.dockercfg. */
char **auth_default_files(void);

/* Looks up credentials for key, "host[:port]" or "host[:port]/namespace/repo", in the
 * NULL-terminated auth_files: the first file with a matching entry wins; within a file
 * the most specific key wins ("host/ns/repo", then "host/ns", then "host"). Keys with
 * an http(s):// scheme (docker's legacy form) match on their host; "index.docker.io"
 * matches "docker.io". Missing files are skipped. -ENOENT when nothing matches; -EINVAL
 * on a malformed file or entry (the message names the file and key). */
int auth_lookup(const char *const *auth_files, const char *registry_host, AuthCredentials *ret, CrioError *err);

/* Credentials from a CRI AuthConfig (any argument may be NULL or ""). auth, when given, is
 * base64("user:pass") and overrides username/password. -ENOENT if nothing is set,
 * -EINVAL on a malformed auth. */
int auth_from_cri(const char *username, const char *password, const char *auth, const char *identity_token,
                  const char *registry_token, AuthCredentials *ret, CrioError *err);

/* Returns "Basic base64(username:password)" (caller frees), or NULL if c has no username
 * or on allocation failure. */
char *auth_basic_header(const AuthCredentials *c);
