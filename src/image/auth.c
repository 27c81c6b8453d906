/* Registry authentication helpers (see auth.h). */
#include <errno.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "image/auth.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

static void parser_unrefp(JsonParser **p) {
        if (*p)
                g_object_unref(*p);
}

void auth_credentials_clear(AuthCredentials *c) {
        if (!c)
                return;
        free(c->username);
        if (c->password)
                explicit_bzero(c->password, strlen(c->password));
        free(c->password);
        free(c->identity_token);
        free(c->registry_token);
        *c = (AuthCredentials){};
}

static void auth_credentials_clearp(AuthCredentials *c) {
        auth_credentials_clear(c);
}

/* ---- token service ---- */

static bool url_unreserved(unsigned char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '_' || c == '~';
}

static void append_query(GString *s, const char *name, const char *value) {
        char last = s->len ? s->str[s->len - 1] : '\0';
        if (last != '?' && last != '&')
                g_string_append_c(s, strchr(s->str, '?') ? '&' : '?');
        g_string_append(s, name);
        g_string_append_c(s, '=');
        for (const unsigned char *p = (const unsigned char *) value; *p; p++) {
                if (url_unreserved(*p))
                        g_string_append_c(s, (char) *p);
                else
                        g_string_append_printf(s, "%%%02X", *p);
        }
}

char *auth_token_url(const AuthChallenge *c, const char *scope) {
        const char *realm = auth_challenge_param(c, "realm");
        if (!realm || !(g_ascii_strncasecmp(realm, "https://", 8) == 0 || g_ascii_strncasecmp(realm, "http://", 7) == 0))
                return NULL;
        for (const char *p = realm; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f || *p == '#')
                        return NULL; /* no spaces, controls or fragment in a URL we request */
        GString *s = g_string_new(realm);
        const char *service = auth_challenge_param(c, "service");
        if (service && *service)
                append_query(s, "service", service);
        if (scope && *scope)
                append_query(s, "scope", scope);
        char *g = g_string_free(s, FALSE);
        char *out = strdup(g);
        g_free(g);
        return out;
}

int auth_token_response_parse(const char *json, size_t len, char **ret_token, int64_t *ret_expires_in, CrioError *err) {
        if (len > AUTH_TOKEN_RESPONSE_MAX_SIZE)
                return crio_error_set(err, E2BIG, "token response is %zu bytes, more than the limit of %u", len,
                                      AUTH_TOKEN_RESPONSE_MAX_SIZE);
        _cleanup_(parser_unrefp) JsonParser *parser = json_parser_new_immutable();
        GError *gerr = NULL;
        if (!json_parser_load_from_data(parser, len && json ? json : "", (gssize) (json ? len : 0), &gerr)) {
                int r = crio_error_set(err, EINVAL, "parsing token response: %s", gerr ? gerr->message : "invalid JSON");
                g_clear_error(&gerr);
                return r;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return crio_error_set(err, EINVAL, "token response is not a JSON object");
        JsonObject *o = json_node_get_object(root);

        const char *token = NULL;
        static const char *const fields[] = { "token", "access_token" };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                JsonNode *n = json_object_get_member(o, fields[i]);
                if (!n || JSON_NODE_HOLDS_NULL(n))
                        continue;
                if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                        return crio_error_set(err, EINVAL, "token response field \"%s\" is not a string", fields[i]);
                const char *t = json_node_get_string(n);
                if (t && *t) {
                        token = t;
                        break;
                }
        }
        if (!token)
                return crio_error_set(err, EINVAL, "token response has no \"token\" or \"access_token\"");

        int64_t expires_in = AUTH_TOKEN_DEFAULT_EXPIRES_IN;
        JsonNode *e = json_object_get_member(o, "expires_in");
        if (e && !JSON_NODE_HOLDS_NULL(e)) {
                if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_INT64)
                        return crio_error_set(err, EINVAL, "token response field \"expires_in\" is not an integer");
                expires_in = json_node_get_int(e);
                if (expires_in < AUTH_TOKEN_DEFAULT_EXPIRES_IN)
                        expires_in = AUTH_TOKEN_DEFAULT_EXPIRES_IN;
        }
        char *t = strdup(token);
        if (!t)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_token = t;
        if (ret_expires_in)
                *ret_expires_in = expires_in;
        return 0;
}

/* ---- credentials ---- */

/* Strict standard base64 (padded) of "user:pass". */
static int decode_user_pass(const char *b64, char **ret_user, char **ret_pass, CrioError *err) {
        size_t len = strlen(b64);
        if (len == 0 || len % 4 != 0)
                return crio_error_set(err, EINVAL, "auth is not valid base64: length %zu is not a multiple of 4", len);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) b64[i];
                if (c == '=' && i >= len - 2 && (i == len - 1 || b64[len - 1] == '='))
                        continue;
                if (!g_ascii_isalnum(c) && c != '+' && c != '/')
                        return crio_error_set(err, EINVAL, "auth is not valid base64: bad character at offset %zu", i);
        }
        gsize n = 0;
        guchar *raw = g_base64_decode(b64, &n);
        if (!raw)
                return crio_error_set(err, EINVAL, "auth is not valid base64");
        int r = 0;
        if (memchr(raw, '\0', n))
                r = crio_error_set(err, EINVAL, "decoded auth contains a NUL byte");
        char *colon = r < 0 ? NULL : memchr(raw, ':', n);
        if (r == 0 && !colon)
                r = crio_error_set(err, EINVAL, "decoded auth is not \"username:password\" (no ':')");
        if (r == 0 && colon == (char *) raw)
                r = crio_error_set(err, EINVAL, "decoded auth has an empty username");
        if (r == 0) {
                char *u = strndup((char *) raw, (size_t) (colon - (char *) raw));
                char *p = strndup(colon + 1, n - (size_t) (colon + 1 - (char *) raw));
                if (!u || !p) {
                        free(u);
                        free(p);
                        r = crio_error_set(err, ENOMEM, "out of memory");
                } else {
                        *ret_user = u;
                        *ret_pass = p;
                }
        }
        explicit_bzero(raw, n);
        g_free(raw);
        return r;
}

static int dup_nonempty(const char *s, char **ret, CrioError *err) {
        if (!s || !*s)
                return 0;
        char *d = strdup(s);
        if (!d)
                return crio_error_set(err, ENOMEM, "out of memory");
        free(*ret);
        *ret = d;
        return 1;
}

/* what names the source in messages ("PullImageRequest", "auth file x, key y"). */
static int credentials_build(const char *what, const char *username, const char *password, const char *auth,
                             const char *identity_token, const char *registry_token, AuthCredentials *ret, CrioError *err) {
        _cleanup_(auth_credentials_clearp) AuthCredentials c = {};
        int r;
        if (auth && *auth) {
                r = decode_user_pass(auth, &c.username, &c.password, err);
                if (r < 0) {
                        crio_error_prefix(err, "%s: ", what);
                        return r;
                }
        } else if (username && *username) {
                if ((r = dup_nonempty(username, &c.username, err)) < 0 || (r = dup_nonempty(password, &c.password, err)) < 0)
                        return r;
                if (!c.password && !(c.password = strdup("")))
                        return crio_error_set(err, ENOMEM, "out of memory");
        } else if (password && *password)
                return crio_error_set(err, EINVAL, "%s: password given without a username", what);
        if ((r = dup_nonempty(identity_token, &c.identity_token, err)) < 0 ||
            (r = dup_nonempty(registry_token, &c.registry_token, err)) < 0)
                return r;
        if (!c.username && !c.identity_token && !c.registry_token)
                return crio_error_set(err, ENOENT, "%s: no credentials", what);
        *ret = c;
        c = (AuthCredentials){};
        return 0;
}

int auth_from_cri(const char *username, const char *password, const char *auth, const char *identity_token,
                  const char *registry_token, AuthCredentials *ret, CrioError *err) {
        return credentials_build("PullImageRequest", username, password, auth, identity_token, registry_token, ret, err);
}

char *auth_basic_header(const AuthCredentials *c) {
        if (!c || !c->username)
                return NULL;
        _cleanup_free_ char *plain = NULL;
        if (asprintf(&plain, "%s:%s", c->username, c->password ? c->password : "") < 0)
                return NULL;
        gchar *b64 = g_base64_encode((const guchar *) plain, strlen(plain));
        explicit_bzero(plain, strlen(plain));
        char *out = NULL;
        if (asprintf(&out, "Basic %s", b64) < 0)
                out = NULL;
        g_free(b64);
        return out;
}

static int push_unique(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int push_unique(char ***v, const char *fmt, ...) {
        char *path = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&path, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (strv_contains(*v, path)) {
                free(path);
                return 0;
        }
        return strv_consume(v, path);
}

char **auth_default_files(void) {
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return NULL;
        const char *s, *home = getenv("HOME");
        int r = 0;
        if ((s = getenv("REGISTRY_AUTH_FILE")) && *s)
                r = push_unique(&v, "%s", s);
        if (r >= 0 && (s = getenv("XDG_RUNTIME_DIR")) && *s)
                r = push_unique(&v, "%s/containers/auth.json", s);
        else if (r >= 0)
                r = push_unique(&v, "/run/containers/%u/auth.json", (unsigned) getuid());
        if (r >= 0 && getuid() == 0)
                r = push_unique(&v, "/run/containers/0/auth.json");
        if (r >= 0 && (s = getenv("XDG_CONFIG_HOME")) && *s)
                r = push_unique(&v, "%s/containers/auth.json", s);
        else if (r >= 0 && home && *home)
                r = push_unique(&v, "%s/.config/containers/auth.json", home);
        if (r >= 0 && home && *home) {
                r = push_unique(&v, "%s/.docker/config.json", home);
                if (r >= 0)
                        r = push_unique(&v, "%s/.dockercfg", home);
        }
        if (r < 0)
                return NULL;
        return TAKE_PTR(v);
}

/* Normalizes an auths key: "https://host/v1/" (docker's legacy form) becomes "host";
 * "index.docker.io" becomes "docker.io". */
static char *normalize_key(const char *key) {
        const char *rest = key;
        size_t len;
        if (g_ascii_strncasecmp(key, "https://", 8) == 0 || g_ascii_strncasecmp(key, "http://", 7) == 0) {
                rest = strstr(key, "://") + 3;
                len = strcspn(rest, "/");
        } else {
                len = strlen(rest);
                while (len > 0 && rest[len - 1] == '/')
                        len--;
        }
        size_t host_len = strcspn(rest, "/");
        if (host_len > len)
                host_len = len;
        if (host_len == strlen("index.docker.io") && strncmp(rest, "index.docker.io", host_len) == 0) {
                char *out = NULL;
                if (asprintf(&out, "docker.io%.*s", (int) (len - host_len), rest + host_len) < 0)
                        return NULL;
                return out;
        }
        return strndup(rest, len);
}

/* Reads one auths entry into ret. Returns 1 if it holds credentials, 0 if empty. */
static int parse_entry(const char *what, JsonNode *node, AuthCredentials *ret, CrioError *err) {
        if (!JSON_NODE_HOLDS_OBJECT(node))
                return crio_error_set(err, EINVAL, "%s: entry is not a JSON object", what);
        JsonObject *o = json_node_get_object(node);
        static const char *const fields[] = { "auth", "username", "password", "identitytoken", "registrytoken" };
        const char *val[ELEMENTSOF(fields)] = {};
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                JsonNode *n = json_object_get_member(o, fields[i]);
                if (!n || JSON_NODE_HOLDS_NULL(n))
                        continue;
                if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                        return crio_error_set(err, EINVAL, "%s: field \"%s\" is not a string", what, fields[i]);
                val[i] = json_node_get_string(n);
        }
        _cleanup_(auth_credentials_clearp) AuthCredentials c = {};
        int r = credentials_build(what, val[1], val[2], val[0], val[3], val[4], &c, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        *ret = c;
        c = (AuthCredentials){};
        return 1;
}

/* Searches one file. Returns 1 and fills ret on a match, 0 if none. */
static int lookup_file(const char *path, char *const *candidates, AuthCredentials *ret, CrioError *err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_file(path, AUTH_FILE_MAX_SIZE, &data, &len, err);
        if (r == -ENOENT || r == -ENOTDIR) {
                crio_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        _cleanup_(parser_unrefp) JsonParser *parser = json_parser_new_immutable();
        GError *gerr = NULL;
        if (!json_parser_load_from_data(parser, data, (gssize) len, &gerr)) {
                r = crio_error_set(err, EINVAL, "parsing auth file %s: %s", path, gerr ? gerr->message : "invalid JSON");
                g_clear_error(&gerr);
                return r;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return crio_error_set(err, EINVAL, "auth file %s is not a JSON object", path);
        JsonObject *auths = NULL;
        JsonNode *a = json_object_get_member(json_node_get_object(root), "auths");
        if (a && !JSON_NODE_HOLDS_NULL(a)) {
                if (!JSON_NODE_HOLDS_OBJECT(a))
                        return crio_error_set(err, EINVAL, "auth file %s: \"auths\" is not a JSON object", path);
                auths = json_node_get_object(a);
        } else if (str_endswith(path, "/.dockercfg") || strcmp(path, ".dockercfg") == 0)
                auths = json_node_get_object(root); /* legacy: the map itself */
        if (!auths)
                return 0;

        GList *members = json_object_get_members(auths);
        r = 0;
        for (size_t ci = 0; candidates[ci] && r == 0; ci++) {
                const char *match = NULL;
                if (json_object_has_member(auths, candidates[ci]))
                        match = candidates[ci];
                for (GList *l = members; l && !match; l = l->next) {
                        _cleanup_free_ char *norm = normalize_key(l->data);
                        if (!norm) {
                                r = crio_error_set(err, ENOMEM, "out of memory");
                                break;
                        }
                        if (strcmp(norm, candidates[ci]) == 0)
                                match = l->data;
                }
                if (!match)
                        continue;
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "auth file %s, key \"%s\"", path, match) < 0) {
                        r = crio_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                r = parse_entry(what, json_object_get_member(auths, match), ret, err);
        }
        g_list_free(members);
        return r;
}

int auth_lookup(const char *const *auth_files, const char *registry_host, AuthCredentials *ret, CrioError *err) {
        if (!registry_host || !*registry_host || registry_host[0] == '/')
                return crio_error_set(err, EINVAL, "invalid registry \"%s\" for credential lookup", registry_host ? registry_host : "");
        _cleanup_free_ char *key = normalize_key(registry_host);
        if (!key)
                return crio_error_set(err, ENOMEM, "out of memory");
        /* Most specific first: host/ns/repo, host/ns, host. */
        _cleanup_strv_free_ char **candidates = NULL;
        for (;;) {
                if (strv_push(&candidates, key) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                char *slash = strrchr(key, '/');
                if (!slash)
                        break;
                *slash = '\0';
        }
        size_t n = 0;
        for (; auth_files && auth_files[n]; n++) {
                AuthCredentials c = {};
                int r = lookup_file(auth_files[n], candidates, &c, err);
                if (r < 0)
                        return r;
                if (r > 0) {
                        *ret = c;
                        return 0;
                }
        }
        return crio_error_set(err, ENOENT, "no credentials for %s in %zu auth file%s", registry_host, n, n == 1 ? "" : "s");
}

int auth_credentials_copy(const AuthCredentials *from, AuthCredentials *to) {
        *to = (AuthCredentials){};
        if ((from->username && !(to->username = strdup(from->username))) ||
            (from->password && !(to->password = strdup(from->password))) ||
            (from->identity_token && !(to->identity_token = strdup(from->identity_token))) ||
            (from->registry_token && !(to->registry_token = strdup(from->registry_token)))) {
                auth_credentials_clear(to);
                return -ENOMEM;
        }
        return 0;
}
