/* Simple signing: payload parsing, identity rules, manifest digests and gpgme verification
 * (see signature.h). */
#include "image/signature.h"

#include <errno.h>
#include <fcntl.h>
#include <gpgme.h>
#include <json-glib/json-glib.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/reference.h"
#include "util/json-check.h"
#include "util/log.h"
#include "util/rmrf.h"
#include "util/strv.h"

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* ================================================================================== */
/* json-glib helpers                                                                  */
/* ================================================================================== */

static void gfreep(void *p) {
        g_free(*(void **) p);
}

static void parser_unrefp(JsonParser **p) {
        if (*p)
                g_object_unref(*p);
}

/* Loads data (already checked) into a tree; the root must be an object. */
static int json_load_object(const char *what, const char *data, size_t len, JsonParser **ret_parser, JsonObject **ret_root,
                            CrioError *err) {
        _cleanup_(parser_unrefp) JsonParser *parser = json_parser_new_immutable();
        GError *gerr = NULL;
        if (!parser)
                return crio_error_set(err, ENOMEM, "%s: out of memory", what);
        if (!json_parser_load_from_data(parser, data, (gssize) len, &gerr)) {
                int r = crio_error_set(err, EINVAL, "%s is not valid JSON: %s", what, gerr ? gerr->message : "parse error");
                g_clear_error(&gerr);
                return r;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return crio_error_set(err, EINVAL, "%s is not a JSON object", what);
        *ret_root = json_node_get_object(root);
        *ret_parser = TAKE_PTR(parser);
        return 0;
}

static bool node_is_string(JsonNode *n) {
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

static bool node_is_number(JsonNode *n) {
        if (!n || !JSON_NODE_HOLDS_VALUE(n))
                return false;
        GType t = json_node_get_value_type(n);
        return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

/* Every member of o is one of fields (NULL-terminated), and each of them is present. */
static int exact_fields(JsonObject *o, const char *ctx, const char *const *fields, CrioError *err) {
        JsonObjectIter it;
        const char *name;
        JsonNode *node;
        json_object_iter_init(&it, o);
        while (json_object_iter_next(&it, &name, &node)) {
                bool known = false;
                for (size_t i = 0; fields[i]; i++)
                        if (strcmp(fields[i], name) == 0)
                                known = true;
                if (!known)
                        return crio_error_set(err, EINVAL, "%s: unknown field \"%s\"", ctx, name);
        }
        for (size_t i = 0; fields[i]; i++)
                if (!json_object_has_member(o, fields[i]))
                        return crio_error_set(err, EINVAL, "%s: field \"%s\" is missing", ctx, fields[i]);
        return 0;
}

static int member_object(JsonObject *o, const char *ctx, const char *name, JsonObject **ret, CrioError *err) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                return crio_error_set(err, EINVAL, "%s: \"%s\" must be an object", ctx, name);
        *ret = json_node_get_object(n);
        return 0;
}

static int member_string(JsonObject *o, const char *ctx, const char *name, const char **ret, CrioError *err) {
        JsonNode *n = json_object_get_member(o, name);
        if (!node_is_string(n))
                return crio_error_set(err, EINVAL, "%s: \"%s\" must be a string", ctx, name);
        *ret = json_node_get_string(n);
        return 0;
}

/* ================================================================================== */
/* Payload                                                                            */
/* ================================================================================== */

void signature_payload_free(SignaturePayload *p) {
        if (!p)
                return;
        free(p->manifest_digest);
        free(p->docker_reference);
        free(p->creator);
        free(p);
}

static int payload_optional(JsonObject *o, SignaturePayload *p, CrioError *err) {
        JsonNode *n;
        if ((n = json_object_get_member(o, "creator"))) {
                if (!node_is_string(n))
                        return crio_error_set(err, EINVAL, "signature payload: optional.creator must be a string");
                p->creator = strdup(json_node_get_string(n));
                if (!p->creator)
                        return crio_error_set(err, ENOMEM, "signature payload: out of memory");
        }
        if ((n = json_object_get_member(o, "timestamp"))) {
                if (!node_is_number(n))
                        return crio_error_set(err, EINVAL, "signature payload: optional.timestamp must be a number");
                if (json_node_get_value_type(n) == G_TYPE_INT64)
                        p->timestamp = json_node_get_int(n);
                else {
                        double d = json_node_get_double(n);
                        /* 2^63 is exactly representable; anything at or above it does not fit */
                        if (!isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0 || (double) (int64_t) d != d)
                                return crio_error_set(err, EINVAL, "signature payload: optional.timestamp is not an integer");
                        p->timestamp = (int64_t) d;
                }
                p->has_timestamp = true;
        }
        return 0;
}

int signature_payload_parse(const char *data, size_t len, SignaturePayload **ret, CrioError *err) {
        static const char *const top_fields[] = { "critical", "optional", NULL };
        static const char *const critical_fields[] = { "type", "image", "identity", NULL };
        static const char *const image_fields[] = { "docker-manifest-digest", NULL };
        static const char *const identity_fields[] = { "docker-reference", NULL };
        _cleanup_(parser_unrefp) JsonParser *parser = NULL;
        JsonObject *root, *critical, *optional, *image, *identity;
        const char *type, *digest, *ref;
        int r;

        if (len > SIGNATURE_PAYLOAD_MAX_SIZE)
                return crio_error_set(err, EFBIG, "signature payload is %zu bytes, more than the limit of %u", len,
                                      SIGNATURE_PAYLOAD_MAX_SIZE);
        if ((r = json_check_strict("signature payload", data, len, SIGNATURE_JSON_MAX_DEPTH, err)) < 0 ||
            (r = json_load_object("signature payload", data, len, &parser, &root, err)) < 0)
                return r;
        if ((r = exact_fields(root, "signature payload", top_fields, err)) < 0 ||
            (r = member_object(root, "signature payload", "critical", &critical, err)) < 0 ||
            (r = member_object(root, "signature payload", "optional", &optional, err)) < 0 ||
            (r = exact_fields(critical, "signature payload: critical", critical_fields, err)) < 0 ||
            (r = member_string(critical, "signature payload: critical", "type", &type, err)) < 0)
                return r;
        if (strcmp(type, SIGNATURE_TYPE_ATOMIC) != 0)
                return crio_error_set(err, EINVAL, "signature payload: unrecognized signature type \"%.80s\"", type);
        if ((r = member_object(critical, "signature payload: critical", "image", &image, err)) < 0 ||
            (r = exact_fields(image, "signature payload: critical.image", image_fields, err)) < 0 ||
            (r = member_string(image, "signature payload: critical.image", "docker-manifest-digest", &digest, err)) < 0 ||
            (r = member_object(critical, "signature payload: critical", "identity", &identity, err)) < 0 ||
            (r = exact_fields(identity, "signature payload: critical.identity", identity_fields, err)) < 0 ||
            (r = member_string(identity, "signature payload: critical.identity", "docker-reference", &ref, err)) < 0)
                return r;
        if ((r = image_digest_validate(digest, err)) < 0)
                return crio_error_prefix(err, "signature payload: docker-manifest-digest: ");

        _cleanup_signature_payload_ SignaturePayload *p = calloc(1, sizeof *p);
        if (!p || !(p->manifest_digest = strdup(digest)) || !(p->docker_reference = strdup(ref)))
                return crio_error_set(err, ENOMEM, "signature payload: out of memory");
        if ((r = payload_optional(optional, p, err)) < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

/* ================================================================================== */
/* Identities                                                                         */
/* ================================================================================== */

static const char *const identity_names[] = {
        [SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT] = "matchRepoDigestOrExact",
        [SIGNATURE_IDENTITY_MATCH_EXACT] = "matchExact",
        [SIGNATURE_IDENTITY_MATCH_REPOSITORY] = "matchRepository",
        [SIGNATURE_IDENTITY_EXACT_REFERENCE] = "exactReference",
        [SIGNATURE_IDENTITY_EXACT_REPOSITORY] = "exactRepository",
        [SIGNATURE_IDENTITY_REMAP_IDENTITY] = "remapIdentity",
};

const char *signature_identity_type_to_string(SignatureIdentityType t) {
        if ((size_t) t >= ELEMENTSOF(identity_names))
                return NULL;
        return identity_names[t];
}

int signature_identity_type_from_string(const char *s, SignatureIdentityType *ret) {
        for (size_t i = 0; s && i < ELEMENTSOF(identity_names); i++)
                if (strcmp(identity_names[i], s) == 0) {
                        *ret = (SignatureIdentityType) i;
                        return 0;
                }
        return -EINVAL;
}

void signature_identity_rule_done(SignatureIdentityRule *rule) {
        if (!rule)
                return;
        free(rule->reference);
        free(rule->prefix);
        free(rule->signed_prefix);
        *rule = (SignatureIdentityRule){};
}

/* A reference as containers/image's ParseNormalizedNamed reads it: no transport prefix, and
 * whether it had neither tag nor digest (our parser adds ":latest" then). */
static int docker_ref_parse(const char *s, ImageReference **ret, bool *ret_name_only) {
        if (!s || !*s || strncmp(s, IMAGE_REFERENCE_TRANSPORT_PREFIX, strlen(IMAGE_REFERENCE_TRANSPORT_PREFIX)) == 0)
                return -EINVAL;
        const char *slash = strrchr(s, '/');
        bool name_only = !strchr(s, '@') && !strchr(slash ? slash : s, ':');
        int r = image_reference_parse(s, ret, NULL);
        if (r < 0)
                return r;
        *ret_name_only = name_only;
        return 0;
}

static bool domain_component_ok(const char *s, size_t n) {
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c);
                if (!alnum && !(c == '-' && i > 0 && i < n - 1))
                        return false;
        }
        return true;
}

/* containers/image's DomainRegexp, anchored: component ("." component)* (":" digits)? */
static bool docker_domain_ok(const char *s, size_t n) {
        const char *colon = memchr(s, ':', n);
        size_t host = colon ? (size_t) (colon - s) : n;
        if (colon) {
                size_t pl = n - host - 1;
                if (pl == 0)
                        return false;
                for (size_t i = host + 1; i < n; i++)
                        if (!is_digit(s[i]))
                                return false;
        }
        size_t start = 0;
        for (size_t i = 0; i <= host; i++)
                if (i == host || s[i] == '.') {
                        if (!domain_component_ok(s + start, i - start))
                                return false;
                        start = i + 1;
                }
        return true;
}

/* [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)* */
static bool path_component_ok(const char *s, size_t n) {
        size_t i = 0;
        for (;;) {
                size_t st = i;
                while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i])))
                        i++;
                if (i == st)
                        return false;
                if (i == n)
                        return true;
                if (s[i] == '.')
                        i++;
                else if (s[i] == '_')
                        i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
                else if (s[i] == '-')
                        while (i < n && s[i] == '-')
                                i++;
                else
                        return false;
        }
}

/* containers/image validateIdentityRemappingPrefix: a host[:port], or a name whose first
 * component is a host[:port] followed by repository path components. */
static bool remap_prefix_ok(const char *s) {
        size_t n = strlen(s);
        const char *slash = memchr(s, '/', n);
        if (!slash)
                return docker_domain_ok(s, n);
        if (!docker_domain_ok(s, (size_t) (slash - s)))
                return false;
        const char *p = slash + 1;
        for (;;) {
                const char *next = strchr(p, '/');
                size_t l = next ? (size_t) (next - p) : strlen(p);
                if (!path_component_ok(p, l))
                        return false;
                if (!next)
                        return true;
                p = next + 1;
        }
}

int signature_identity_rule_validate(const SignatureIdentityRule *rule, CrioError *err) {
        _cleanup_image_reference_ ImageReference *ref = NULL;
        bool name_only = false;
        switch (rule->type) {
        case SIGNATURE_IDENTITY_EXACT_REFERENCE:
                if (!rule->reference || docker_ref_parse(rule->reference, &ref, &name_only) < 0)
                        return crio_error_set(err, EINVAL, "invalid dockerReference \"%.300s\"", rule->reference ? rule->reference : "");
                if (name_only)
                        return crio_error_set(err, EINVAL, "dockerReference \"%.300s\" contains neither a tag nor a digest", rule->reference);
                return 0;
        case SIGNATURE_IDENTITY_EXACT_REPOSITORY:
                if (!rule->reference || docker_ref_parse(rule->reference, &ref, &name_only) < 0)
                        return crio_error_set(err, EINVAL, "invalid dockerRepository \"%.300s\"", rule->reference ? rule->reference : "");
                return 0;
        case SIGNATURE_IDENTITY_REMAP_IDENTITY:
                if (!rule->prefix || !remap_prefix_ok(rule->prefix))
                        return crio_error_set(err, EINVAL, "remapIdentity prefix \"%.300s\" is not valid", rule->prefix ? rule->prefix : "");
                if (!rule->signed_prefix || !remap_prefix_ok(rule->signed_prefix))
                        return crio_error_set(err, EINVAL, "remapIdentity signedPrefix \"%.300s\" is not valid",
                                              rule->signed_prefix ? rule->signed_prefix : "");
                return 0;
        default:
                if ((size_t) rule->type >= ELEMENTSOF(identity_names))
                        return crio_error_set(err, EINVAL, "unknown signedIdentity type %d", (int) rule->type);
                return 0;
        }
}

static int oom_identity(CrioError *err) {
        return crio_error_set(err, ENOMEM, "matching a signature identity: out of memory");
}

/* Name() and String() of a parsed reference, compared. */
static int names_equal(const ImageReference *a, const ImageReference *b) {
        return strcmp(a->domain, b->domain) == 0 && strcmp(a->path, b->path) == 0;
}
static int strings_equal(const ImageReference *a, const ImageReference *b) {
        return names_equal(a, b) && streq_null(a->tag, b->tag) && streq_null(a->digest, b->digest) &&
               (a->tag != NULL) == (b->tag != NULL) && (a->digest != NULL) == (b->digest != NULL);
}

/* matchRepoDigestOrExact for parsed values: a tagged image needs the exact reference, a
 * digested one the same repository. */
static bool repo_digest_or_exact(const ImageReference *intended, const ImageReference *sig, bool sig_name_only) {
        if (sig_name_only)
                return false;
        if (intended->tag)
                return strings_equal(intended, sig);
        if (intended->digest)
                return names_equal(intended, sig);
        return false;
}

/* remapIdentity: intended with prefix replaced by signed_prefix when its name matches prefix.
 * *ret is NULL when the rewritten text is not a canonical reference (no match then). */
static int remap(const SignatureIdentityRule *rule, const char *image_reference, const ImageReference *intended,
                 ImageReference **ret, CrioError *err) {
        _cleanup_free_ char *name = image_reference_name(intended);
        _cleanup_free_ char *full = image_reference_string(intended);
        if (!name || !full)
                return oom_identity(err);
        size_t pl = strlen(rule->prefix), nl = strlen(name);
        bool match = nl == pl ? strcmp(name, rule->prefix) == 0
                              : nl > pl && strncmp(name, rule->prefix, pl) == 0 && name[pl] == '/';
        if (!match)
                return image_reference_parse(image_reference, ret, NULL) < 0 ? oom_identity(err) : 0;
        _cleanup_free_ char *rewritten = NULL;
        if (asprintf(&rewritten, "%s%s", rule->signed_prefix, full + pl) < 0)
                return oom_identity(err);
        _cleanup_image_reference_ ImageReference *r = NULL;
        bool name_only = false;
        if (docker_ref_parse(rewritten, &r, &name_only) < 0) {
                *ret = NULL;
                return 0;
        }
        _cleanup_free_ char *canon = image_reference_string(r);
        if (!canon)
                return oom_identity(err);
        if (name_only || strcmp(canon, rewritten) != 0) { /* ParseNamed: must already be canonical */
                *ret = NULL;
                return 0;
        }
        *ret = TAKE_PTR(r);
        return 0;
}

int signature_identity_matches(const SignatureIdentityRule *rule, const char *image_reference, const char *signed_reference,
                               CrioError *err) {
        static const SignatureIdentityRule fallback = { .type = SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT };
        _cleanup_image_reference_ ImageReference *intended = NULL, *sig = NULL, *fixed = NULL;
        bool intended_name_only = false, sig_name_only = false, fixed_name_only = false;
        bool ok = false;
        int r;

        if (!rule)
                rule = &fallback;
        const char *rule_name = signature_identity_type_to_string(rule->type);
        if (!rule_name)
                return crio_error_set(err, EINVAL, "unknown signedIdentity type %d", (int) rule->type);
        if (docker_ref_parse(signed_reference, &sig, &sig_name_only) < 0)
                return crio_error_set(err, EACCES, "the signature names an invalid reference \"%.300s\"",
                                      signed_reference ? signed_reference : "");

        switch (rule->type) {
        case SIGNATURE_IDENTITY_EXACT_REFERENCE:
        case SIGNATURE_IDENTITY_EXACT_REPOSITORY:
                if (docker_ref_parse(rule->reference, &fixed, &fixed_name_only) < 0)
                        return crio_error_set(err, EINVAL, "signedIdentity %s: invalid reference \"%.300s\"", rule_name,
                                              rule->reference ? rule->reference : "");
                if (rule->type == SIGNATURE_IDENTITY_EXACT_REFERENCE)
                        ok = !fixed_name_only && !sig_name_only && strings_equal(fixed, sig);
                else
                        ok = names_equal(fixed, sig);
                if (!ok)
                        return crio_error_set(err, EACCES, "signature identity \"%.300s\" does not match %s \"%s\"", signed_reference,
                                              rule_name, rule->reference);
                return 1;
        default:
                break;
        }

        if (docker_ref_parse(image_reference, &intended, &intended_name_only) < 0 || intended_name_only)
                return crio_error_set(err, EACCES, "signature identity \"%.300s\" cannot be matched against \"%.300s\", not a reference with a tag or digest",
                                      signed_reference, image_reference ? image_reference : "");
        switch (rule->type) {
        case SIGNATURE_IDENTITY_MATCH_EXACT:
                ok = !sig_name_only && strings_equal(intended, sig);
                break;
        case SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT:
                ok = repo_digest_or_exact(intended, sig, sig_name_only);
                break;
        case SIGNATURE_IDENTITY_MATCH_REPOSITORY:
                ok = names_equal(intended, sig);
                break;
        case SIGNATURE_IDENTITY_REMAP_IDENTITY: {
                _cleanup_image_reference_ ImageReference *mapped = NULL;
                if (!rule->prefix || !rule->signed_prefix)
                        return crio_error_set(err, EINVAL, "signedIdentity remapIdentity without prefix and signedPrefix");
                if ((r = remap(rule, image_reference, intended, &mapped, err)) < 0)
                        return r;
                ok = mapped && repo_digest_or_exact(mapped, sig, sig_name_only);
                break;
        }
        default:
                break;
        }
        if (!ok)
                return crio_error_set(err, EACCES, "signature identity \"%.300s\" does not match \"%.300s\" (signedIdentity %s)",
                                      signed_reference, image_reference, rule_name);
        return 1;
}

/* ================================================================================== */
/* Manifest digests                                                                   */
/* ================================================================================== */

/* JOSE base64url without padding (libtrust joseBase64UrlDecode). *ret is NUL-terminated. */
static int base64url_decode(const char *in, guchar **ret, gsize *ret_len) {
        size_t n = strlen(in);
        if (n % 4 == 1)
                return -EINVAL;
        _cleanup_free_ char *s = malloc(n + 3);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char c = in[i];
                if (c == '-')
                        c = '+';
                else if (c == '_')
                        c = '/';
                else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c)))
                        return -EINVAL;
                s[i] = c;
        }
        size_t m = n;
        while (m % 4)
                s[m++] = '=';
        s[m] = '\0';
        gsize out_len = 0;
        guchar *out = g_base64_decode(s, &out_len);
        if (!out && m > 0)
                return -ENOMEM;
        guchar *z = g_realloc(out, out_len + 1);
        z[out_len] = 0;
        *ret = z;
        *ret_len = out_len;
        return 0;
}

/* libtrust ParsePrettySignature: the signed payload is the first formatLength bytes followed
 * by formatTail, both in every signature's protected header. */
static int schema1_payload(JsonObject *root, const char *manifest, size_t len, char **ret, size_t *ret_len, CrioError *err) {
        JsonNode *sigs = json_object_get_member(root, "signatures");
        if (!sigs || !JSON_NODE_HOLDS_ARRAY(sigs))
                return crio_error_set(err, EINVAL, "schema 1 manifest: \"signatures\" is not an array");
        JsonArray *a = json_node_get_array(sigs);
        guint n = json_array_get_length(a);
        if (n == 0)
                return crio_error_set(err, EINVAL, "schema 1 manifest: \"signatures\" is empty");
        int64_t format_len = -1;
        _cleanup_(gfreep) guchar *tail = NULL;
        gsize tail_len = 0;
        for (guint i = 0; i < n; i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (!e || !JSON_NODE_HOLDS_OBJECT(e))
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%u] is not an object", i);
                JsonNode *prot = json_object_get_member(json_node_get_object(e), "protected");
                if (!node_is_string(prot))
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%u].protected is not a string", i);
                _cleanup_(gfreep) guchar *hdr = NULL;
                gsize hdr_len = 0;
                int r = base64url_decode(json_node_get_string(prot), &hdr, &hdr_len);
                if (r < 0)
                        return crio_error_set(err, -r, "schema 1 manifest: signatures[%u].protected is not base64url", i);
                _cleanup_(parser_unrefp) JsonParser *hp = NULL;
                JsonObject *h;
                _cleanup_(crio_error_clear) CrioError e2 = {};
                if (json_check("protected header", (const char *) hdr, hdr_len, SIGNATURE_JSON_MAX_DEPTH, 0, &e2) < 0 ||
                    json_load_object("protected header", (const char *) hdr, hdr_len, &hp, &h, &e2) < 0)
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%u].protected: %s", i, e2.msg ? e2.msg : "invalid");
                JsonNode *fl = json_object_get_member(h, "formatLength");
                JsonNode *ft = json_object_get_member(h, "formatTail");
                if (!node_is_number(fl))
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%u]: missing formatLength", i);
                if (!node_is_string(ft))
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%u]: missing formatTail", i);
                double d = json_node_get_value_type(fl) == G_TYPE_INT64 ? (double) json_node_get_int(fl) : json_node_get_double(fl);
                if (!isfinite(d) || d < 0 || d > (double) len || (double) (int64_t) d != d)
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%u]: invalid formatLength", i);
                _cleanup_(gfreep) guchar *t = NULL;
                gsize tl = 0;
                if (base64url_decode(json_node_get_string(ft), &t, &tl) < 0)
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%u]: formatTail is not base64url", i);
                if (format_len < 0) {
                        format_len = (int64_t) d;
                        tail = TAKE_PTR(t);
                        tail_len = tl;
                } else if (format_len != (int64_t) d || tail_len != tl || memcmp(tail, t, tl) != 0)
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures disagree on the signed payload");
        }
        char *out = malloc((size_t) format_len + tail_len + 1);
        if (!out)
                return crio_error_set(err, ENOMEM, "schema 1 manifest: out of memory");
        memcpy(out, manifest, (size_t) format_len);
        memcpy(out + format_len, tail, tail_len);
        out[format_len + tail_len] = '\0';
        *ret = out;
        *ret_len = (size_t) format_len + tail_len;
        return 0;
}

/* containers/image GuessMIMEType's test for a signed schema 1 manifest: a known mediaType
 * wins; otherwise schemaVersion 1 with a non-null "signatures". */
static bool is_schema1_signed(JsonObject *root) {
        static const char *const known[] = {
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.index.v1+json",
        };
        JsonNode *mt = json_object_get_member(root, "mediaType");
        if (mt && !JSON_NODE_HOLDS_NULL(mt)) {
                if (!node_is_string(mt))
                        return false; /* Go's decoder fails: not recognised */
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        if (strcmp(json_node_get_string(mt), known[i]) == 0)
                                return false;
        }
        JsonNode *sv = json_object_get_member(root, "schemaVersion");
        if (!sv || !JSON_NODE_HOLDS_VALUE(sv) || json_node_get_value_type(sv) != G_TYPE_INT64 || json_node_get_int(sv) != 1)
                return false;
        JsonNode *sigs = json_object_get_member(root, "signatures");
        return sigs && !JSON_NODE_HOLDS_NULL(sigs);
}

int signature_manifest_digest(const char *manifest, size_t len, char out[SHA256_DIGEST_LEN + 1], CrioError *err) {
        _cleanup_(parser_unrefp) JsonParser *parser = NULL;
        JsonObject *root = NULL;
        char d[SHA256_DIGEST_LEN + 1];

        /* Only a well-formed JSON object can be a signed schema 1 manifest; anything else is
         * hashed as it is (containers/image: GuessMIMEType fails, no stripping). */
        if (len > 0 && json_check("manifest", manifest, len, 64, 0, NULL) == 0 &&
            json_load_object("manifest", manifest, len, &parser, &root, NULL) == 0 && is_schema1_signed(root)) {
                _cleanup_free_ char *payload = NULL;
                size_t plen = 0;
                int r = schema1_payload(root, manifest, len, &payload, &plen, err);
                if (r < 0)
                        return r;
                sha256_digest(payload, plen, d);
        } else
                sha256_digest(manifest, len, d);
        if (!d[0])
                return crio_error_set(err, ENOMEM, "hashing the manifest: out of memory");
        memcpy(out, d, sizeof d);
        return 0;
}

/* ================================================================================== */
/* gpgme                                                                              */
/* ================================================================================== */

struct SignatureVerifier {
        gpgme_ctx_t ctx;
        char *home;
        char **fingerprints; /* NULL-terminated */
        char *origins;       /* "keyPath /a, keyPath /b" for messages */
};

static pthread_once_t gpgme_once = PTHREAD_ONCE_INIT;
static gpgme_error_t gpgme_engine_status;

static void gpgme_init_once(void) {
        gpgme_check_version(NULL); /* also sets SIGPIPE to SIG_IGN */
        gpgme_engine_status = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
}

/* A negative errno for a gpgme error: the system error it wraps, else fallback. */
static int gpg_errno(gpgme_error_t e, int fallback) {
        int n = gpgme_err_code_to_errno(gpgme_err_code(e));
        return n > 0 ? n : fallback;
}

char *const *signature_verifier_fingerprints(const SignatureVerifier *v) {
        return v ? v->fingerprints : NULL;
}

void signature_verifier_free(SignatureVerifier *v) {
        if (!v)
                return;
        if (v->ctx)
                gpgme_release(v->ctx);
        if (v->home) {
                _cleanup_(crio_error_clear) CrioError e = {};
                if (rm_rf(v->home, &e) < 0)
                        log_debug("removing temporary GNUPGHOME: %s", e.msg ? e.msg : v->home);
        }
        free(v->home);
        strv_free(v->fingerprints);
        free(v->origins);
        free(v);
}

static int make_home(SignatureVerifier *v, CrioError *err) {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || tmp[0] != '/' || strlen(tmp) > 64)
                tmp = "/tmp";
        if (asprintf(&v->home, "%s/crio-gpg-XXXXXX", tmp) < 0) {
                v->home = NULL;
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        if (!mkdtemp(v->home)) {
                int e = errno;
                free(v->home);
                v->home = NULL;
                return crio_error_set_errno(err, e, "creating a temporary GNUPGHOME in %s", tmp);
        }
        /* gpg must not start gpg-agent or dirmngr: verification needs neither, and nothing may
         * be left running. */
        _cleanup_free_ char *conf = NULL;
        if (asprintf(&conf, "%s/gpg.conf", v->home) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        static const char text[] = "no-autostart\nno-auto-key-retrieve\n";
        if (fd < 0 || write(fd, text, sizeof text - 1) != (ssize_t) (sizeof text - 1))
                return crio_error_set_errno(err, errno ? errno : EIO, "writing %s", conf);
        return 0;
}

static int add_fingerprint(SignatureVerifier *v, const char *fpr, CrioError *err) {
        _cleanup_free_ char *up = strdup(fpr);
        if (!up)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (char *p = up; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char) (*p - 'a' + 'A');
        if (strv_contains(v->fingerprints, up))
                return 0;
        if (strv_consume(&v->fingerprints, TAKE_PTR(up)) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

static void gpgme_data_releasep(gpgme_data_t *d) {
        if (*d)
                gpgme_data_release(*d);
}

int signature_verifier_new(const SignatureKeyBlob *keys, size_t n_keys, SignatureVerifier **ret, CrioError *err) {
        _cleanup_signature_verifier_ SignatureVerifier *v = NULL;
        gpgme_error_t ge;
        int r;

        if (n_keys > SIGNATURE_MAX_KEY_BLOBS)
                return crio_error_set(err, E2BIG, "more than %d key files or blobs", SIGNATURE_MAX_KEY_BLOBS);
        for (size_t i = 0; i < n_keys; i++)
                if (keys[i].len > SIGNATURE_KEY_BLOB_MAX_SIZE)
                        return crio_error_set(err, EFBIG, "%s: keyring larger than %u bytes", keys[i].origin ? keys[i].origin : "key",
                                              SIGNATURE_KEY_BLOB_MAX_SIZE);

        pthread_once(&gpgme_once, gpgme_init_once);
        if (gpgme_engine_status)
                return crio_error_set(err, EIO, "gpg (the OpenPGP engine of gpgme) is not usable: %s", gpgme_strerror(gpgme_engine_status));

        v = calloc(1, sizeof *v);
        if (!v || !(v->fingerprints = calloc(1, sizeof(char *))))
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = make_home(v, err)) < 0)
                return r;
        if ((ge = gpgme_new(&v->ctx)) || (ge = gpgme_set_protocol(v->ctx, GPGME_PROTOCOL_OpenPGP)) ||
            (ge = gpgme_ctx_set_engine_info(v->ctx, GPGME_PROTOCOL_OpenPGP, NULL, v->home)))
                return crio_error_set(err, gpg_errno(ge, EIO), "setting up gpgme: %s", gpgme_strerror(ge));
        gpgme_set_armor(v->ctx, 0);
        gpgme_set_textmode(v->ctx, 0);
        gpgme_set_offline(v->ctx, 1);

        size_t olen = 0;
        for (size_t i = 0; i < n_keys; i++)
                olen += strlen(keys[i].origin ? keys[i].origin : "key") + 2;
        v->origins = calloc(1, olen + 1);
        if (!v->origins)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n_keys; i++) {
                if (i)
                        strcat(v->origins, ", ");
                strcat(v->origins, keys[i].origin ? keys[i].origin : "key");
        }

        for (size_t i = 0; i < n_keys; i++) {
                _cleanup_(gpgme_data_releasep) gpgme_data_t d = NULL;
                const char *origin = keys[i].origin ? keys[i].origin : "key";
                if (keys[i].len == 0)
                        continue;
                if ((ge = gpgme_data_new_from_mem(&d, keys[i].data, keys[i].len, 0)))
                        return crio_error_set(err, gpg_errno(ge, ENOMEM), "%s: %s", origin, gpgme_strerror(ge));
                ge = gpgme_op_import(v->ctx, d);
                if (ge) {
                        int e = gpg_errno(ge, EACCES);
                        return crio_error_set(err, e, "importing the public keys of %s: %s", origin, gpgme_strerror(ge));
                }
                gpgme_import_result_t res = gpgme_op_import_result(v->ctx);
                for (gpgme_import_status_t s = res ? res->imports : NULL; s; s = s->next)
                        if (s->result == 0 && s->fpr && (r = add_fingerprint(v, s->fpr, err)) < 0)
                                return r;
        }
        if (!v->fingerprints[0])
                return crio_error_set(err, EACCES, "no public key could be imported from %s", n_keys ? v->origins : "(no keys)");
        *ret = TAKE_PTR(v);
        return 0;
}

/* Output data for gpgme that refuses to grow past max. */
typedef struct BoundedBuffer {
        char *data;
        size_t len, cap, max;
        bool too_big;
} BoundedBuffer;

static ssize_t bounded_write(void *handle, const void *buf, size_t n) {
        BoundedBuffer *b = handle;
        if (n > b->max - b->len) {
                b->too_big = true;
                errno = EFBIG;
                return -1;
        }
        if (b->len + n + 1 > b->cap) {
                size_t nc = b->cap ? b->cap : 1024;
                while (nc < b->len + n + 1)
                        nc *= 2;
                char *nd = realloc(b->data, nc);
                if (!nd) {
                        errno = ENOMEM;
                        return -1;
                }
                b->data = nd;
                b->cap = nc;
        }
        memcpy(b->data + b->len, buf, n);
        b->len += n;
        b->data[b->len] = '\0';
        return (ssize_t) n;
}

static bool has_fingerprint(const SignatureVerifier *v, const char *fpr) {
        for (char *const *f = v->fingerprints; f && *f; f++)
                if (strcasecmp(*f, fpr) == 0)
                        return true;
        return false;
}

int signature_verifier_verify(SignatureVerifier *v, const void *sig, size_t sig_len, char **ret_payload, size_t *ret_payload_len,
                              char **ret_fingerprint, CrioError *err) {
        _cleanup_(gpgme_data_releasep) gpgme_data_t in = NULL, out = NULL;
        _cleanup_free_ char *accepted = NULL;
        BoundedBuffer buf = { .max = SIGNATURE_PAYLOAD_MAX_SIZE };
        struct gpgme_data_cbs cbs = { .write = bounded_write };
        gpgme_error_t ge;
        int r = 0;

        if (sig_len == 0)
                return crio_error_set(err, EACCES, "the signature is empty");
        if (sig_len > SIGNATURE_MAX_SIZE)
                return crio_error_set(err, EACCES, "the signature is %zu bytes, more than the limit of %u", sig_len, SIGNATURE_MAX_SIZE);
        if ((ge = gpgme_data_new_from_mem(&in, sig, sig_len, 0)) || (ge = gpgme_data_new_from_cbs(&out, &cbs, &buf)))
                return crio_error_set(err, gpg_errno(ge, ENOMEM), "gpgme: %s", gpgme_strerror(ge));

        ge = gpgme_op_verify(v->ctx, in, NULL, out);
        if (buf.too_big) {
                r = crio_error_set(err, EACCES, "the signed payload is larger than %u bytes", SIGNATURE_PAYLOAD_MAX_SIZE);
                goto out;
        }
        if (ge) {
                int e = gpg_errno(ge, EACCES);
                r = crio_error_set(err, e == EFBIG ? EACCES : e, "not a valid OpenPGP signed message: %s", gpgme_strerror(ge));
                goto out;
        }
        gpgme_verify_result_t res = gpgme_op_verify_result(v->ctx);
        unsigned count = 0;
        for (gpgme_signature_t s = res ? res->signatures : NULL; s; s = s->next)
                count++;
        if (count != 1) {
                r = crio_error_set(err, EACCES, "the message has %u signatures, expected exactly one", count);
                goto out;
        }
        gpgme_signature_t s = res->signatures;
        const char *fpr = s->fpr ? s->fpr : "(unknown)";
        if (gpgme_err_code(s->status) != GPG_ERR_NO_ERROR) {
                r = crio_error_set(err, EACCES, "invalid signature by key %s: %s", fpr, gpgme_strerror(s->status));
                goto out;
        }
        if (s->validity == GPGME_VALIDITY_NEVER || gpgme_err_code(s->validity_reason) != GPG_ERR_NO_ERROR || s->wrong_key_usage) {
                r = crio_error_set(err, EACCES, "invalid signature by key %s: %s", fpr,
                                   s->wrong_key_usage ? "wrong key usage"
                                   : s->validity_reason ? gpgme_strerror(s->validity_reason) : "validity never");
                goto out;
        }
        if (s->fpr && has_fingerprint(v, s->fpr))
                accepted = strdup(s->fpr);
        else if (s->fpr) {
                /* a subkey signed: accept it by its primary key, as containers/image does */
                gpgme_key_t key = NULL;
                ge = gpgme_get_key(v->ctx, s->fpr, &key, 0);
                const char *primary = (!ge && key && key->subkeys) ? key->subkeys->fpr : NULL;
                if (primary && has_fingerprint(v, primary))
                        accepted = strdup(primary);
                else
                        r = crio_error_set(err, EACCES, "signed by key %s%s%s, which is not one of the keys of %s", fpr,
                                           primary ? " of " : "", primary ? primary : "", v->origins);
                if (key)
                        gpgme_key_unref(key);
                if (r < 0)
                        goto out;
        } else {
                r = crio_error_set(err, EACCES, "the signature names no key fingerprint");
                goto out;
        }
        if (!accepted) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        if (!buf.data) {
                buf.data = strdup("");
                if (!buf.data) {
                        r = crio_error_set(err, ENOMEM, "out of memory");
                        goto out;
                }
        }
        *ret_payload = TAKE_PTR(buf.data);
        if (ret_payload_len)
                *ret_payload_len = buf.len;
        if (ret_fingerprint)
                *ret_fingerprint = TAKE_PTR(accepted);
out:
        free(buf.data);
        return r;
}

int signature_verify_simple_signing(SignatureVerifier *v, const void *sig, size_t sig_len, const SignatureExpectation *e,
                                    SignaturePayload **ret_payload, CrioError *err) {
        _cleanup_free_ char *plain = NULL, *fpr = NULL;
        _cleanup_signature_payload_ SignaturePayload *p = NULL;
        size_t plen = 0;
        int r;

        if ((r = signature_verifier_verify(v, sig, sig_len, &plain, &plen, &fpr, err)) < 0)
                return r;
        if ((r = signature_payload_parse(plain, plen, &p, err)) < 0) {
                if (r == -ENOMEM)
                        return r;
                crio_error_prefix(err, "signed by %s, but not a valid signature: ", fpr);
                if (err)
                        err->code = EACCES;
                return -EACCES;
        }
        if (!e->manifest_digest || strcmp(p->manifest_digest, e->manifest_digest) != 0)
                return crio_error_set(err, EACCES, "signed by %s for manifest digest %s, but the manifest is %s", fpr, p->manifest_digest,
                                      e->manifest_digest ? e->manifest_digest : "(unknown)");
        r = signature_identity_matches(e->identity, e->image_reference, p->docker_reference, err);
        if (r == -EACCES)
                return crio_error_prefix(err, "signed by %s: ", fpr);
        if (r < 0)
                return r;
        if (ret_payload)
                *ret_payload = TAKE_PTR(p);
        return 0;
}
