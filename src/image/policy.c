/* containers-policy.json(5): strict parsing, scope lookup and evaluation for docker images
 * (see policy.h). */
#include "image/policy.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "util/fileio.h"
#include "util/json-check.h"
#include "util/log.h"
#include "util/strv.h"

/* Longest refusal message built from the reasons of every signature. */
#define POLICY_REASONS_MAX 4096

static const char *const requirement_names[] = {
        [POLICY_REQUIREMENT_INSECURE_ACCEPT_ANYTHING] = "insecureAcceptAnything",
        [POLICY_REQUIREMENT_REJECT] = "reject",
        [POLICY_REQUIREMENT_SIGNED_BY] = "signedBy",
        [POLICY_REQUIREMENT_SIGSTORE_SIGNED] = "sigstoreSigned",
        [POLICY_REQUIREMENT_SIGNED_BASE_LAYER] = "signedBaseLayer",
};

static const char *const key_type_names[] = {
        [POLICY_KEY_TYPE_GPG_KEYS] = "GPGKeys",
        [POLICY_KEY_TYPE_SIGNED_BY_GPG_KEYS] = "signedByGPGKeys",
        [POLICY_KEY_TYPE_X509_CERTIFICATES] = "X509Certificates",
        [POLICY_KEY_TYPE_SIGNED_BY_X509_CAS] = "signedByX509CAs",
};

const char *policy_requirement_type_to_string(PolicyRequirementType t) {
        return (size_t) t < ELEMENTSOF(requirement_names) ? requirement_names[t] : NULL;
}

/* ---- freeing ---- */

static void requirement_done(PolicyRequirement *r) {
        strv_free(r->key_paths);
        free(r->key_data);
        signature_identity_rule_done(&r->identity);
        *r = (PolicyRequirement){};
}

static void requirements_done(PolicyRequirements *l) {
        for (size_t i = 0; i < l->n; i++)
                requirement_done(&l->items[i]);
        free(l->items);
        *l = (PolicyRequirements){};
}

static void transport_done(PolicyTransport *t) {
        for (size_t i = 0; i < t->n_scopes; i++) {
                free(t->scopes[i].name);
                requirements_done(&t->scopes[i].requirements);
        }
        free(t->scopes);
        free(t->name);
        *t = (PolicyTransport){};
}

void policy_free(SignaturePolicy *p) {
        if (!p)
                return;
        requirements_done(&p->default_requirements);
        for (size_t i = 0; i < p->n_transports; i++)
                transport_done(&p->transports[i]);
        free(p->transports);
        free(p->origin);
        free(p);
}

/* ---- JSON helpers: every message is "<file>: <where>: <what>" ---- */

typedef struct Ctx {
        const char *file;
        CrioError *err;
        size_t n_scopes; /* all transports so far */
} Ctx;

static int bad(Ctx *c, const char *where, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(Ctx *c, const char *where, const char *fmt, ...) {
        if (!c->err || c->err->msg)
                return -EINVAL; /* the first message stays */
        va_list ap;
        va_start(ap, fmt);
        crio_error_setv(c->err, EINVAL, fmt, ap);
        va_end(ap);
        crio_error_prefix(c->err, "%s: %s: ", c->file, where);
        return -EINVAL;
}

static int oom(Ctx *c) {
        return crio_error_set(c->err, ENOMEM, "%s: out of memory", c->file);
}

static const char *node_type_name(JsonNode *n) {
        if (!n || JSON_NODE_HOLDS_NULL(n))
                return "null";
        if (JSON_NODE_HOLDS_OBJECT(n))
                return "an object";
        if (JSON_NODE_HOLDS_ARRAY(n))
                return "an array";
        GType t = json_node_get_value_type(n);
        if (t == G_TYPE_STRING)
                return "a string";
        if (t == G_TYPE_BOOLEAN)
                return "a boolean";
        return "a number";
}

static bool node_is_string(JsonNode *n) {
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

/* Every member of o is in fields (NULL-terminated). */
static int known_fields(Ctx *c, const char *where, JsonObject *o, const char *const *fields) {
        JsonObjectIter it;
        const char *name;
        JsonNode *node;
        json_object_iter_init(&it, o);
        while (json_object_iter_next(&it, &name, &node)) {
                bool known = false;
                for (size_t i = 0; fields[i] && !known; i++)
                        known = strcmp(fields[i], name) == 0;
                if (!known)
                        return bad(c, where, "unknown field \"%.100s\"", name);
        }
        return 0;
}

/* A string member: absent gives 0 (*ret NULL), present 1. */
static int get_string(Ctx *c, const char *where, JsonObject *o, const char *name, bool required, const char **ret) {
        JsonNode *n = json_object_get_member(o, name);
        *ret = NULL;
        if (!n) {
                if (required)
                        return bad(c, where, "field \"%s\" is missing", name);
                return 0;
        }
        if (!node_is_string(n))
                return bad(c, where, "\"%s\" must be a string, not %s", name, node_type_name(n));
        *ret = json_node_get_string(n);
        return 1;
}

static int dup_string(Ctx *c, const char *s, char **ret) {
        char *d = strdup(s);
        if (!d)
                return oom(c);
        *ret = d;
        return 0;
}

/* An array of strings, at most max entries; NULL-terminated copy in *ret. */
static int get_string_array(Ctx *c, const char *where, JsonObject *o, const char *name, size_t max, char ***ret) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_ARRAY(n))
                return bad(c, where, "\"%s\" must be an array of strings, not %s", name, node_type_name(n));
        JsonArray *a = json_node_get_array(n);
        guint len = json_array_get_length(a);
        if (len > max)
                return crio_error_set(c->err, E2BIG, "%s: %s: \"%s\" has more than %zu entries", c->file, where, name, max);
        _cleanup_strv_free_ char **v = calloc(len + 1, sizeof(char *));
        if (!v)
                return oom(c);
        for (guint i = 0; i < len; i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (!node_is_string(e))
                        return bad(c, where, "\"%s\"[%u] must be a string, not %s", name, i, node_type_name(e));
                if (!(v[i] = strdup(json_node_get_string(e))))
                        return oom(c);
        }
        *ret = TAKE_PTR(v);
        return 0;
}

/* Standard base64 with padding, as Go's encoding/json decodes []byte (CR and LF ignored). */
static int decode_base64(Ctx *c, const char *where, const char *name, const char *s, unsigned char **ret, size_t *ret_len) {
        size_t n = strlen(s), m = 0;
        _cleanup_free_ char *clean = malloc(n + 1);
        if (!clean)
                return oom(c);
        for (size_t i = 0; i < n; i++)
                if (s[i] != '\r' && s[i] != '\n')
                        clean[m++] = s[i];
        clean[m] = '\0';
        bool ok = m % 4 == 0;
        for (size_t i = 0; ok && i < m; i++) {
                char ch = clean[i];
                bool alpha = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
                if (ch == '=')
                        ok = i >= m - 2 && (i == m - 1 || clean[m - 1] == '=');
                else
                        ok = alpha;
        }
        if (!ok)
                return bad(c, where, "\"%s\" is not valid base64", name);
        gsize out_len = 0;
        guchar *g = m ? g_base64_decode(clean, &out_len) : NULL;
        unsigned char *out = malloc(out_len ? out_len : 1);
        if (!out || (m && !g)) {
                g_free(g);
                free(out);
                return oom(c);
        }
        if (out_len)
                memcpy(out, g, out_len);
        g_free(g);
        *ret = out;
        *ret_len = out_len;
        return 0;
}

/* ---- signedIdentity ---- */

static int parse_identity(Ctx *c, const char *where, JsonNode *n, SignatureIdentityRule *rule) {
        static const char *const only_type[] = { "type", NULL };
        static const char *const exact_ref[] = { "type", "dockerReference", NULL };
        static const char *const exact_repo[] = { "type", "dockerRepository", NULL };
        static const char *const remap[] = { "type", "prefix", "signedPrefix", NULL };
        const char *type = NULL, *s = NULL;
        int r;

        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                return bad(c, where, "must be an object, not %s", node_type_name(n));
        JsonObject *o = json_node_get_object(n);
        if ((r = get_string(c, where, o, "type", true, &type)) < 0)
                return r;
        SignatureIdentityType t;
        if (signature_identity_type_from_string(type, &t) < 0)
                return bad(c, where, "unknown signedIdentity type \"%.100s\"", type);
        signature_identity_rule_done(rule);
        rule->type = t;
        switch (t) {
        case SIGNATURE_IDENTITY_EXACT_REFERENCE:
                if ((r = known_fields(c, where, o, exact_ref)) < 0 || (r = get_string(c, where, o, "dockerReference", true, &s)) < 0 ||
                    (r = dup_string(c, s, &rule->reference)) < 0)
                        return r;
                break;
        case SIGNATURE_IDENTITY_EXACT_REPOSITORY:
                if ((r = known_fields(c, where, o, exact_repo)) < 0 || (r = get_string(c, where, o, "dockerRepository", true, &s)) < 0 ||
                    (r = dup_string(c, s, &rule->reference)) < 0)
                        return r;
                break;
        case SIGNATURE_IDENTITY_REMAP_IDENTITY:
                if ((r = known_fields(c, where, o, remap)) < 0 || (r = get_string(c, where, o, "prefix", true, &s)) < 0 ||
                    (r = dup_string(c, s, &rule->prefix)) < 0 || (r = get_string(c, where, o, "signedPrefix", true, &s)) < 0 ||
                    (r = dup_string(c, s, &rule->signed_prefix)) < 0)
                        return r;
                break;
        default:
                if ((r = known_fields(c, where, o, only_type)) < 0)
                        return r;
                break;
        }
        _cleanup_(crio_error_clear) CrioError e = {};
        if (signature_identity_rule_validate(rule, &e) < 0)
                return bad(c, where, "%s", e.msg ? e.msg : "invalid signedIdentity");
        return 0;
}

/* ---- requirements ---- */

static int parse_signed_by(Ctx *c, const char *where, JsonObject *o, PolicyRequirement *req) {
        static const char *const fields[] = { "type", "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity", NULL };
        const char *kt = NULL, *s = NULL;
        int r;
        if ((r = known_fields(c, where, o, fields)) < 0 || (r = get_string(c, where, o, "keyType", true, &kt)) < 0)
                return r;
        size_t i;
        for (i = 0; i < ELEMENTSOF(key_type_names); i++)
                if (strcmp(kt, key_type_names[i]) == 0)
                        break;
        if (i == ELEMENTSOF(key_type_names))
                return bad(c, where, "unrecognized keyType \"%.100s\"", kt);
        req->key_type = (PolicyKeyType) i;

        bool has_path = json_object_has_member(o, "keyPath"), has_paths = json_object_has_member(o, "keyPaths"),
             has_data = json_object_has_member(o, "keyData");
        if (has_path + has_paths + has_data != 1)
                return bad(c, where, "exactly one of keyPath, keyPaths and keyData must be specified, %s present",
                           (has_path + has_paths + has_data) ? "more than one" : "none of them");
        if (has_path) {
                if ((r = get_string(c, where, o, "keyPath", true, &s)) < 0)
                        return r;
                if (!*s)
                        return bad(c, where, "\"keyPath\" is empty");
                req->key_source = POLICY_KEY_SOURCE_PATH;
                if (!(req->key_paths = calloc(2, sizeof(char *))) || !(req->key_paths[0] = strdup(s)))
                        return oom(c);
        } else if (has_paths) {
                req->key_source = POLICY_KEY_SOURCE_PATHS;
                if ((r = get_string_array(c, where, o, "keyPaths", POLICY_MAX_KEYS, &req->key_paths)) < 0)
                        return r;
        } else {
                req->key_source = POLICY_KEY_SOURCE_DATA;
                if ((r = get_string(c, where, o, "keyData", true, &s)) < 0 ||
                    (r = decode_base64(c, where, "keyData", s, &req->key_data, &req->key_data_len)) < 0)
                        return r;
        }
        JsonNode *si = json_object_get_member(o, "signedIdentity");
        if (si) {
                _cleanup_free_ char *w = NULL;
                if (asprintf(&w, "%s.signedIdentity", where) < 0)
                        return oom(c);
                return parse_identity(c, w, si, &req->identity);
        }
        return 0;
}

/* An object of string fields, all in fields. */
static int string_object(Ctx *c, const char *where, JsonObject *o, const char *name, const char *const *fields) {
        _cleanup_free_ char *w = NULL;
        JsonNode *n = json_object_get_member(o, name);
        if (asprintf(&w, "%s.%s", where, name) < 0)
                return oom(c);
        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                return bad(c, w, "must be an object, not %s", node_type_name(n));
        JsonObject *sub = json_node_get_object(n);
        int r = known_fields(c, w, sub, fields);
        if (r < 0)
                return r;
        for (size_t i = 0; fields[i]; i++) {
                const char *s;
                if ((r = get_string(c, w, sub, fields[i], false, &s)) < 0)
                        return r;
        }
        return 0;
}

static int parse_sigstore_signed(Ctx *c, const char *where, JsonObject *o, PolicyRequirement *req) {
        static const char *const fields[] = { "type", "keyPath", "keyPaths", "keyData", "keyDatas", "fulcio", "pki",
                                              "rekorPublicKeyPath", "rekorPublicKeyPaths", "rekorPublicKeyData",
                                              "rekorPublicKeyDatas", "signedIdentity", NULL };
        static const char *const fulcio[] = { "caPath", "caData", "oidcIssuer", "subjectEmail", NULL };
        static const char *const pki[] = { "caRootsPath", "caRootsData", "caIntermediatesPath", "caIntermediatesData",
                                           "subjectEmail", "subjectHostname", NULL };
        static const char *const keys[] = { "keyPath", "keyPaths", "keyData", "keyDatas", "fulcio", "pki" };
        static const char *const rekor[] = { "rekorPublicKeyPath", "rekorPublicKeyPaths", "rekorPublicKeyData", "rekorPublicKeyDatas" };
        const char *s;
        int r;
        if ((r = known_fields(c, where, o, fields)) < 0)
                return r;
        unsigned n_keys = 0, n_rekor = 0;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (json_object_has_member(o, keys[i])) {
                        n_keys++;
                        req->key_source = (PolicyKeySource) (POLICY_KEY_SOURCE_PATH + i);
                }
        for (size_t i = 0; i < ELEMENTSOF(rekor); i++)
                n_rekor += json_object_has_member(o, rekor[i]);
        if (n_keys != 1)
                return bad(c, where, "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio and pki must be specified");
        if (n_rekor > 1)
                return bad(c, where, "at most one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas can be used");
        if (req->key_source == POLICY_KEY_SOURCE_FULCIO && n_rekor == 0)
                return bad(c, where, "a rekorPublicKey field must be specified with fulcio");
        if (req->key_source == POLICY_KEY_SOURCE_PKI && n_rekor > 0)
                return bad(c, where, "rekorPublicKey fields are not supported with pki");

        switch (req->key_source) {
        case POLICY_KEY_SOURCE_PATH:
                if ((r = get_string(c, where, o, "keyPath", true, &s)) < 0)
                        return r;
                if (!*s)
                        return bad(c, where, "\"keyPath\" is empty");
                if (!(req->key_paths = calloc(2, sizeof(char *))) || !(req->key_paths[0] = strdup(s)))
                        return oom(c);
                break;
        case POLICY_KEY_SOURCE_PATHS:
                if ((r = get_string_array(c, where, o, "keyPaths", POLICY_MAX_KEYS, &req->key_paths)) < 0)
                        return r;
                if (!req->key_paths[0])
                        return bad(c, where, "\"keyPaths\" contains no entries");
                break;
        case POLICY_KEY_SOURCE_DATA:
                if ((r = get_string(c, where, o, "keyData", true, &s)) < 0 ||
                    (r = decode_base64(c, where, "keyData", s, &req->key_data, &req->key_data_len)) < 0)
                        return r;
                break;
        case POLICY_KEY_SOURCE_DATAS: {
                _cleanup_strv_free_ char **v = NULL;
                if ((r = get_string_array(c, where, o, "keyDatas", POLICY_MAX_KEYS, &v)) < 0)
                        return r;
                if (!v[0])
                        return bad(c, where, "\"keyDatas\" contains no entries");
                for (char **e = v; *e; e++) {
                        _cleanup_free_ unsigned char *d = NULL;
                        size_t dl = 0;
                        if ((r = decode_base64(c, where, "keyDatas", *e, &d, &dl)) < 0)
                                return r;
                }
                break;
        }
        case POLICY_KEY_SOURCE_FULCIO:
                if ((r = string_object(c, where, o, "fulcio", fulcio)) < 0)
                        return r;
                break;
        default:
                if ((r = string_object(c, where, o, "pki", pki)) < 0)
                        return r;
                break;
        }
        for (size_t i = 0; i < ELEMENTSOF(rekor); i++) {
                if (!json_object_has_member(o, rekor[i]))
                        continue;
                if (i % 2 == 0) {
                        if ((r = get_string(c, where, o, rekor[i], true, &s)) < 0)
                                return r;
                } else {
                        _cleanup_strv_free_ char **v = NULL;
                        if ((r = get_string_array(c, where, o, rekor[i], POLICY_MAX_KEYS, &v)) < 0)
                                return r;
                        if (!v[0])
                                return bad(c, where, "\"%s\" contains no entries", rekor[i]);
                }
        }
        JsonNode *si = json_object_get_member(o, "signedIdentity");
        if (si) {
                _cleanup_free_ char *w = NULL;
                if (asprintf(&w, "%s.signedIdentity", where) < 0)
                        return oom(c);
                return parse_identity(c, w, si, &req->identity);
        }
        return 0;
}

static int parse_requirement(Ctx *c, const char *where, JsonNode *n, PolicyRequirement *req) {
        static const char *const only_type[] = { "type", NULL };
        static const char *const base_layer[] = { "type", "baseLayerIdentity", NULL };
        const char *type = NULL;
        int r;
        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                return bad(c, where, "a requirement must be an object, not %s", node_type_name(n));
        JsonObject *o = json_node_get_object(n);
        if ((r = get_string(c, where, o, "type", true, &type)) < 0)
                return r;
        size_t i;
        for (i = 0; i < ELEMENTSOF(requirement_names); i++)
                if (strcmp(type, requirement_names[i]) == 0)
                        break;
        if (i == ELEMENTSOF(requirement_names))
                return bad(c, where, "unknown policy requirement type \"%.100s\"", type);
        req->type = (PolicyRequirementType) i;
        switch (req->type) {
        case POLICY_REQUIREMENT_INSECURE_ACCEPT_ANYTHING:
        case POLICY_REQUIREMENT_REJECT:
                return known_fields(c, where, o, only_type);
        case POLICY_REQUIREMENT_SIGNED_BY:
                return parse_signed_by(c, where, o, req);
        case POLICY_REQUIREMENT_SIGSTORE_SIGNED:
                return parse_sigstore_signed(c, where, o, req);
        case POLICY_REQUIREMENT_SIGNED_BASE_LAYER: {
                if ((r = known_fields(c, where, o, base_layer)) < 0)
                        return r;
                JsonNode *bl = json_object_get_member(o, "baseLayerIdentity");
                if (!bl)
                        return bad(c, where, "field \"baseLayerIdentity\" is missing");
                _cleanup_free_ char *w = NULL;
                if (asprintf(&w, "%s.baseLayerIdentity", where) < 0)
                        return oom(c);
                return parse_identity(c, w, bl, &req->identity);
        }
        }
        return 0;
}

static int parse_requirements(Ctx *c, const char *where, JsonNode *n, PolicyRequirements *ret) {
        if (!n || !JSON_NODE_HOLDS_ARRAY(n))
                return bad(c, where, "must be an array of requirements, not %s", node_type_name(n));
        JsonArray *a = json_node_get_array(n);
        guint len = json_array_get_length(a);
        if (len == 0)
                return bad(c, where, "the list of requirements must not be empty");
        if (len > POLICY_MAX_REQUIREMENTS)
                return crio_error_set(c->err, E2BIG, "%s: %s: more than %d requirements", c->file, where, POLICY_MAX_REQUIREMENTS);
        PolicyRequirements l = { .items = calloc(len, sizeof(PolicyRequirement)) };
        if (!l.items)
                return oom(c);
        for (guint i = 0; i < len; i++) {
                _cleanup_free_ char *w = NULL;
                int r;
                if (asprintf(&w, "%s[%u]", where, i) < 0)
                        r = oom(c);
                else
                        r = parse_requirement(c, w, json_array_get_element(a, i), &l.items[i]);
                l.n++;
                if (r < 0) {
                        requirements_done(&l);
                        return r;
                }
        }
        *ret = l;
        return 0;
}

/* ---- scopes ---- */

/* filepath.Clean(s) == s for an absolute path: no "//", no "." or ".." component, no
 * trailing '/'. */
static bool canonical_absolute_path(const char *s) {
        if (s[0] != '/')
                return false;
        size_t n = strlen(s);
        if (n > 1 && s[n - 1] == '/')
                return false;
        for (const char *p = s; *p;) {
                const char *q = strchr(p + 1, '/');
                size_t l = q ? (size_t) (q - p - 1) : strlen(p + 1);
                const char *comp = p + 1;
                if (n > 1 && (l == 0 || (l == 1 && comp[0] == '.') || (l == 2 && comp[0] == '.' && comp[1] == '.')))
                        return false;
                if (!q)
                        break;
                p = q;
        }
        return true;
}

/* atomic: ^[^/]*(/[^:/]*(/[^:/]*(:[^:/]*)?)?)?$ */
static bool atomic_scope_ok(const char *s) {
        const char *p = strchr(s, '/');
        if (!p)
                return true;
        p++;
        p += strcspn(p, ":/");
        if (!*p)
                return true;
        if (*p != '/')
                return false;
        p++;
        p += strcspn(p, ":/");
        if (!*p)
                return true;
        if (*p != ':')
                return false;
        p++;
        return p[strcspn(p, ":/")] == '\0';
}

/* containers/image's ValidatePolicyConfigurationScope for the transports it knows. */
static int validate_scope(Ctx *c, const char *where, const char *transport, const char *scope) {
        if (!*scope)
                return 0;
        if (strcmp(transport, "dir") == 0 || strcmp(transport, "oci") == 0 || strcmp(transport, "oci-archive") == 0 ||
            strcmp(transport, "sif") == 0) {
                if (strcmp(scope, "/") == 0)
                        return bad(c, where, "invalid scope \"/\": use the default scope \"\"");
                if (!canonical_absolute_path(scope))
                        return bad(c, where, "invalid scope \"%.200s\": must be an absolute path in canonical form", scope);
        } else if (strcmp(transport, "docker-archive") == 0 || strcmp(transport, "tarball") == 0) {
                return bad(c, where, "%s does not support any scope except the default \"\"", transport);
        } else if (strcmp(transport, "docker-daemon") == 0) {
                if (image_digest_validate(scope, NULL) == 0)
                        return bad(c, where, "docker-daemon can not use the digest %.200s as a scope", scope);
        } else if (strcmp(transport, "atomic") == 0) {
                if (!atomic_scope_ok(scope))
                        return bad(c, where, "invalid scope name \"%.200s\"", scope);
        }
        return 0;
}

static int cmp_scope(const void *a, const void *b) {
        return strcmp(((const PolicyScope *) a)->name, ((const PolicyScope *) b)->name);
}

static int parse_transport(Ctx *c, const char *name, JsonNode *n, PolicyTransport *t) {
        _cleanup_free_ char *where = NULL;
        int r;
        if (asprintf(&where, "transports[\"%.100s\"]", name) < 0)
                return oom(c);
        if (!(t->name = strdup(name)))
                return oom(c);
        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                return bad(c, where, "must be an object of scopes, not %s", node_type_name(n));
        JsonObject *o = json_node_get_object(n);
        guint len = json_object_get_size(o);
        if (c->n_scopes + len > POLICY_MAX_SCOPES)
                return crio_error_set(c->err, E2BIG, "%s: more than %d scopes", c->file, POLICY_MAX_SCOPES);
        c->n_scopes += len;
        if (len > 0 && !(t->scopes = calloc(len, sizeof *t->scopes)))
                return oom(c);
        JsonObjectIter it;
        const char *scope;
        JsonNode *v;
        json_object_iter_init(&it, o);
        while (json_object_iter_next(&it, &scope, &v)) {
                _cleanup_free_ char *w = NULL;
                if (asprintf(&w, "%s[\"%.200s\"]", where, scope) < 0)
                        return oom(c);
                if ((r = validate_scope(c, w, name, scope)) < 0)
                        return r;
                PolicyScope *s = &t->scopes[t->n_scopes];
                if (!(s->name = strdup(scope)))
                        return oom(c);
                t->n_scopes++;
                if ((r = parse_requirements(c, w, v, &s->requirements)) < 0)
                        return r;
        }
        if (t->n_scopes > 1)
                qsort(t->scopes, t->n_scopes, sizeof *t->scopes, cmp_scope);
        return 0;
}

int policy_parse(const char *data, size_t len, const char *name, SignaturePolicy **ret, CrioError *err) {
        static const char *const top[] = { "default", "transports", NULL };
        _cleanup_policy_ SignaturePolicy *p = NULL;
        JsonParser *parser = NULL;
        Ctx c = { .file = name ? name : "policy.json", .err = err };
        int r;

        if (len > POLICY_MAX_SIZE)
                return crio_error_set(err, EFBIG, "%s: larger than %u bytes", c.file, POLICY_MAX_SIZE);
        if ((r = json_check_strict(c.file, data, len, POLICY_JSON_MAX_DEPTH, err)) < 0)
                return r;
        if (!(p = calloc(1, sizeof *p)) || !(p->origin = strdup(c.file)))
                return oom(&c);
        parser = json_parser_new_immutable();
        GError *gerr = NULL;
        if (!parser)
                return oom(&c);
        if (!json_parser_load_from_data(parser, data, (gssize) len, &gerr)) {
                r = crio_error_set(err, EINVAL, "%s: not valid JSON: %s", c.file, gerr ? gerr->message : "parse error");
                g_clear_error(&gerr);
                g_object_unref(parser);
                return r;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
                g_object_unref(parser);
                return crio_error_set(err, EINVAL, "%s: the policy must be a JSON object", c.file);
        }
        JsonObject *o = json_node_get_object(root);
        r = known_fields(&c, "top level", o, top);
        if (r >= 0 && !json_object_has_member(o, "default"))
                r = bad(&c, "top level", "the \"default\" policy is missing");
        if (r >= 0)
                r = parse_requirements(&c, "default", json_object_get_member(o, "default"), &p->default_requirements);
        JsonNode *tn = json_object_get_member(o, "transports");
        if (r >= 0 && tn) {
                if (!JSON_NODE_HOLDS_OBJECT(tn))
                        r = bad(&c, "transports", "must be an object, not %s", node_type_name(tn));
                else {
                        JsonObject *to = json_node_get_object(tn);
                        guint n = json_object_get_size(to);
                        if (n > POLICY_MAX_TRANSPORTS)
                                r = crio_error_set(err, E2BIG, "%s: more than %d transports", c.file, POLICY_MAX_TRANSPORTS);
                        else if (n > 0 && !(p->transports = calloc(n, sizeof *p->transports)))
                                r = oom(&c);
                        GList *names = r >= 0 ? json_object_get_members(to) : NULL; /* file order */
                        for (GList *l = names; l && r >= 0; l = l->next) {
                                const char *tname = l->data;
                                r = parse_transport(&c, tname, json_object_get_member(to, tname), &p->transports[p->n_transports]);
                                p->n_transports++;
                        }
                        g_list_free(names);
                }
        }
        g_object_unref(parser);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

int policy_load(const char *path, SignaturePolicy **ret, CrioError *err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_file(path, POLICY_MAX_SIZE, &data, &len, err);
        if (r < 0)
                return r;
        return policy_parse(data, len, path, ret, err);
}

/* ---- lookup ---- */

int policy_docker_scope_candidates(const char *reference, char ***ret, CrioError *err) {
        _cleanup_image_reference_ ImageReference *ref = NULL;
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        _cleanup_free_ char *name = NULL, *full = NULL;
        int r;
        if (!v)
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = image_reference_parse(reference, &ref, err)) < 0)
                return r;
        if (ref->tag && ref->digest)
                return crio_error_set(err, EINVAL, "reference %s has both a tag and a digest, which policy.json lookups do not support",
                                      reference);
        if (!(full = image_reference_string(ref)) || !(name = image_reference_name(ref)) || strv_push(&v, full) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (;;) {
                if (strv_push(&v, name) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                char *slash = strrchr(name, '/');
                if (!slash)
                        break;
                *slash = '\0';
        }
        /* name is now the host[:port]; wildcards use the host without its port */
        char *colon = strchr(name, ':');
        if (colon)
                *colon = '\0';
        for (char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
                _cleanup_free_ char *w = NULL;
                if (asprintf(&w, "*.%s", dot + 1) < 0 || strv_consume(&v, TAKE_PTR(w)) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static const PolicyScope *find_scope(const PolicyTransport *t, const char *name) {
        PolicyScope key = { .name = (char *) name };
        return t->n_scopes ? bsearch(&key, t->scopes, t->n_scopes, sizeof *t->scopes, cmp_scope) : NULL;
}

int policy_docker_requirements(const SignaturePolicy *p, const char *reference, const PolicyRequirements **ret,
                               const char **ret_scope, CrioError *err) {
        _cleanup_strv_free_ char **cand = NULL;
        int r = policy_docker_scope_candidates(reference, &cand, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_transports; i++) {
                const PolicyTransport *t = &p->transports[i];
                if (strcmp(t->name, "docker") != 0)
                        continue;
                for (char **c = cand; *c; c++) {
                        const PolicyScope *s = find_scope(t, *c);
                        if (s) {
                                *ret = &s->requirements;
                                *ret_scope = s->name;
                                return 0;
                        }
                }
                const PolicyScope *s = find_scope(t, "");
                if (s) {
                        *ret = &s->requirements;
                        *ret_scope = s->name;
                        return 0;
                }
        }
        *ret = &p->default_requirements;
        *ret_scope = NULL;
        return 0;
}

/* ---- evaluation ---- */

typedef struct SignatureCache {
        PolicySignatureFetch fetch;
        void *userdata;
        const char *manifest_digest;
        bool loaded;
        char **sigs;
        size_t *lens;
        size_t n;
} SignatureCache;

static void cache_done(SignatureCache *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->sigs[i]);
        free(c->sigs);
        free(c->lens);
}

static int cache_load(SignatureCache *c, const char *image, CrioError *err) {
        if (c->loaded)
                return 0;
        if (!c->fetch)
                return crio_error_set(err, EINVAL, "no way to fetch the signatures of %s", image);
        c->sigs = calloc(POLICY_MAX_SIGNATURES, sizeof(char *));
        c->lens = calloc(POLICY_MAX_SIGNATURES, sizeof(size_t));
        if (!c->sigs || !c->lens)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0;; i++) {
                char *sig = NULL;
                size_t len = 0;
                int r = c->fetch(c->userdata, c->manifest_digest, i, &sig, &len, err);
                if (r < 0) {
                        free(sig);
                        if (!err || !err->msg)
                                return crio_error_set(err, -r, "fetching signature %zu of %s", i + 1, image);
                        return crio_error_prefix(err, "fetching signature %zu of %s: ", i + 1, image);
                }
                if (r == 0) {
                        free(sig);
                        break;
                }
                if (i >= POLICY_MAX_SIGNATURES) {
                        free(sig);
                        return crio_error_set(err, E2BIG, "%s has more than %d signatures", image, POLICY_MAX_SIGNATURES);
                }
                c->sigs[i] = sig ? sig : strdup("");
                c->lens[i] = sig ? len : 0;
                c->n++;
                if (!c->sigs[i])
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        c->loaded = true;
        return 0;
}

/* "the scope "x"", "the default of transport docker", "the global default". */
static char *scope_text(const char *scope) {
        char *s = NULL;
        if (!scope)
                return strdup("the global default");
        if (!*scope)
                return strdup("the default of transport \"docker\"");
        if (asprintf(&s, "scope \"%s\"", scope) < 0)
                return NULL;
        return s;
}

/* "signedBy keyPath /etc/pki/x.gpg", "signedBy keyPaths /a, /b", "signedBy keyData". */
static char *describe_keys(const PolicyRequirement *req) {
        const char *type = policy_requirement_type_to_string(req->type);
        char *s = NULL;
        if (req->key_source == POLICY_KEY_SOURCE_PATH || req->key_source == POLICY_KEY_SOURCE_PATHS) {
                size_t n = strlen(type) + 16;
                for (char **k = req->key_paths; k && *k; k++)
                        n += strlen(*k) + 2;
                s = malloc(n);
                if (!s)
                        return NULL;
                snprintf(s, n, "%s %s ", type, req->key_source == POLICY_KEY_SOURCE_PATH ? "keyPath" : "keyPaths");
                for (char **k = req->key_paths; k && *k; k++) {
                        if (k != req->key_paths)
                                strcat(s, ", ");
                        strcat(s, *k);
                }
                return s;
        }
        if (asprintf(&s, "%s keyData", type) < 0)
                return NULL;
        return s;
}

static int eval_signed_by(const SignaturePolicy *p, const PolicyRequirement *req, const char *image, const char *scope,
                          SignatureCache *cache, CrioError *err) {
        _cleanup_free_ char *what = describe_keys(req), *where = scope_text(scope), *reasons = NULL;
        _cleanup_signature_verifier_ SignatureVerifier *v = NULL;
        SignatureKeyBlob blobs[POLICY_MAX_KEYS];
        char *files[POLICY_MAX_KEYS] = {};
        size_t n_blobs = 0;
        int r = 0;

        if (!what || !where)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (req->key_type != POLICY_KEY_TYPE_GPG_KEYS)
                return crio_error_set(err, EACCES, "image %s rejected by %s: requirement \"signedBy\" with keyType \"%s\" for %s is not supported",
                                      image, p->origin, key_type_names[req->key_type], where);
        if (req->key_source == POLICY_KEY_SOURCE_DATA) {
                blobs[n_blobs++] = (SignatureKeyBlob){ req->key_data, req->key_data_len, "keyData" };
        } else {
                for (char **k = req->key_paths; k && *k && n_blobs < POLICY_MAX_KEYS; k++) {
                        size_t len = 0;
                        if ((r = read_file(*k, POLICY_KEY_FILE_MAX_SIZE, &files[n_blobs], &len, err)) < 0) {
                                crio_error_prefix(err, "%s, requirement %s for %s: ", p->origin, what, where);
                                goto out;
                        }
                        blobs[n_blobs] = (SignatureKeyBlob){ files[n_blobs], len, *k };
                        n_blobs++;
                }
        }
        if ((r = signature_verifier_new(blobs, n_blobs, &v, err)) < 0) {
                crio_error_prefix(err, "image %s: %s, requirement %s for %s: ", image, p->origin, what, where);
                goto out;
        }
        if ((r = cache_load(cache, image, err)) < 0)
                goto out;
        if (cache->n == 0) {
                r = crio_error_set(err, EACCES, "image %s rejected by %s: requirement %s for %s needs a signature, and the image has none",
                                   image, p->origin, what, where);
                goto out;
        }

        reasons = calloc(1, POLICY_REASONS_MAX);
        if (!reasons) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        SignatureExpectation e = { .manifest_digest = cache->manifest_digest, .image_reference = image, .identity = &req->identity };
        for (size_t i = 0; i < cache->n; i++) {
                _cleanup_(crio_error_clear) CrioError why = {};
                r = signature_verify_simple_signing(v, cache->sigs[i], cache->lens[i], &e, NULL, &why);
                if (r == 0) {
                        log_debug("%s: signature %zu accepted by %s for %s", image, i + 1, what, where);
                        goto out;
                }
                if (r != -EACCES) {
                        crio_error_move(err, &why);
                        if (!err || !err->msg)
                                crio_error_set(err, -r, "verifying signature %zu of %s", i + 1, image);
                        else
                                crio_error_prefix(err, "verifying signature %zu of %s: ", i + 1, image);
                        goto out;
                }
                size_t used = strlen(reasons);
                if (used + 64 < POLICY_REASONS_MAX)
                        snprintf(reasons + used, POLICY_REASONS_MAX - used, "%ssignature %zu: %s", i ? "; " : "", i + 1,
                                 why.msg ? why.msg : "refused");
                else if (!str_endswith(reasons, "..."))
                        strcat(reasons, "; ...");
        }
        r = crio_error_set(err, EACCES, "no signature of %s was accepted by %s (%s, %s): %s", image, what, p->origin, where, reasons);
out:
        for (size_t i = 0; i < POLICY_MAX_KEYS; i++)
                free(files[i]);
        return r;
}

int policy_check_docker_image(const SignaturePolicy *p, const PolicyImage *img, PolicySignatureFetch fetch, void *userdata,
                              CrioError *err) {
        const PolicyRequirements *reqs = NULL;
        const char *scope = NULL;
        char digest[SHA256_DIGEST_LEN + 1];
        int r;

        if (!p || !img || !img->docker_reference || (!img->manifest && img->manifest_len))
                return crio_error_set(err, EINVAL, "policy check: missing policy, reference or manifest");
        const char *image = img->docker_reference;
        if ((r = policy_docker_requirements(p, image, &reqs, &scope, err)) < 0)
                return r;
        if ((r = signature_manifest_digest(img->manifest ? img->manifest : "", img->manifest_len, digest, err)) < 0)
                return crio_error_prefix(err, "image %s: ", image);

        /* As containers/image does before any policy: a digest reference names this manifest. */
        _cleanup_image_reference_ ImageReference *ref = NULL;
        if ((r = image_reference_parse(image, &ref, err)) < 0)
                return r;
        if (ref->digest && strcmp(ref->digest, digest) != 0)
                return crio_error_set(err, EINVAL, "image %s: the manifest (digest %s) does not match the digest in the reference", image,
                                      digest);

        _cleanup_free_ char *where = scope_text(scope);
        if (!where)
                return crio_error_set(err, ENOMEM, "out of memory");
        log_debug("%s: using %s of %s (%zu requirements)", image, where, p->origin, reqs->n);

        SignatureCache cache = { .fetch = fetch, .userdata = userdata, .manifest_digest = digest };
        for (size_t i = 0; i < reqs->n && r >= 0; i++) {
                const PolicyRequirement *req = &reqs->items[i];
                const char *name = policy_requirement_type_to_string(req->type);
                switch (req->type) {
                case POLICY_REQUIREMENT_INSECURE_ACCEPT_ANYTHING:
                        break;
                case POLICY_REQUIREMENT_REJECT:
                        r = crio_error_set(err, EACCES, "image %s rejected by %s: requirement \"reject\" for %s", image, p->origin, where);
                        break;
                case POLICY_REQUIREMENT_SIGNED_BY:
                        r = eval_signed_by(p, req, image, scope, &cache, err);
                        break;
                default:
                        r = crio_error_set(err, EACCES, "image %s rejected by %s: requirement \"%s\" for %s is not supported", image,
                                           p->origin, name, where);
                        break;
                }
        }
        cache_done(&cache);
        return r < 0 ? r : 0;
}
