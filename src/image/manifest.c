/* Bounded parsing of registry manifests, indexes and image configs (see manifest.h). */
#include <errno.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "image/manifest.h"
#include "util/strv.h"

static const char *const accept_types[] = {
        IMAGE_MEDIA_TYPE_OCI_INDEX,
        IMAGE_MEDIA_TYPE_DOCKER_LIST,
        IMAGE_MEDIA_TYPE_OCI_MANIFEST,
        IMAGE_MEDIA_TYPE_DOCKER_MANIFEST,
        IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
        IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1,
        NULL,
};

static const char *const layer_types[] = {
        IMAGE_MEDIA_TYPE_DOCKER_LAYER,
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
        NULL,
};

const char *const *image_manifest_accept_types(void) {
        return accept_types;
}

static bool in_list(const char *const *list, const char *s) {
        for (size_t i = 0; list[i]; i++)
                if (strcmp(list[i], s) == 0)
                        return true;
        return false;
}

bool image_media_type_is_manifest(const char *t) {
        return t && (strcmp(t, IMAGE_MEDIA_TYPE_DOCKER_MANIFEST) == 0 || strcmp(t, IMAGE_MEDIA_TYPE_OCI_MANIFEST) == 0 ||
                     strcmp(t, IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1) == 0 ||
                     strcmp(t, IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED) == 0);
}

bool image_media_type_is_index(const char *t) {
        return t && (strcmp(t, IMAGE_MEDIA_TYPE_DOCKER_LIST) == 0 || strcmp(t, IMAGE_MEDIA_TYPE_OCI_INDEX) == 0);
}

static bool is_schema1(const char *t) {
        return strcmp(t, IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1) == 0 || strcmp(t, IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED) == 0;
}

/* ---- freeing ---- */

static void platform_clear(ImagePlatform *p) {
        free(p->os);
        free(p->architecture);
        free(p->variant);
        free(p->os_version);
        strv_free(p->features);
        *p = (ImagePlatform){};
}

static void descriptor_clear(ImageDescriptor *d) {
        free(d->media_type);
        free(d->digest);
        strv_free(d->urls);
        platform_clear(&d->platform);
        *d = (ImageDescriptor){};
}

void image_manifest_free(ImageManifest *m) {
        if (!m)
                return;
        free(m->media_type);
        descriptor_clear(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                descriptor_clear(&m->layers[i]);
        free(m->layers);
        for (size_t i = 0; i < m->n_entries; i++)
                descriptor_clear(&m->entries[i]);
        free(m->entries);
        free(m->schema1_architecture);
        strv_free(m->v1_compat);
        free(m);
}

void image_config_free(ImageConfig *c) {
        if (!c)
                return;
        free(c->created);
        free(c->os);
        free(c->architecture);
        free(c->variant);
        strv_free(c->diff_ids);
        free(c->user);
        strv_free(c->env);
        strv_free(c->entrypoint);
        strv_free(c->cmd);
        free(c->working_dir);
        strv_free(c->label_keys);
        strv_free(c->label_values);
        strv_free(c->volumes);
        free(c->stop_signal);
        strv_free(c->exposed_ports);
        free(c);
}

/* ---- JSON helpers: each names the field ("layers[2].digest") in its message ---- */

static void parser_unrefp(JsonParser **p) {
        if (*p)
                g_object_unref(*p);
}

/* Rejects NUL bytes and nesting deeper than IMAGE_JSON_MAX_DEPTH before json-glib (whose
 * parser recurses) sees the document. */
static int json_precheck(const char *what, const char *data, size_t len, size_t max, CrioError *err) {
        if (len > max)
                return crio_error_set(err, EFBIG, "%s is %zu bytes, more than the limit of %zu", what, len, max);
        if (len == 0)
                return crio_error_set(err, EINVAL, "%s is empty", what);
        if (memchr(data, '\0', len))
                return crio_error_set(err, EINVAL, "%s contains a NUL byte", what);
        bool in_string = false;
        unsigned depth = 0;
        for (size_t i = 0; i < len; i++) {
                char c = data[i];
                if (in_string) {
                        if (c == '\\') {
                                /* json-glib would cut the string there: "sha256:<hex>\u0000junk" */
                                if (len - i > 5 && strncasecmp(data + i + 1, "u0000", 5) == 0)
                                        return crio_error_set(err, EINVAL, "%s contains an escaped NUL character", what);
                                i++;
                        }
                        else if (c == '"')
                                in_string = false;
                } else if (c == '"')
                        in_string = true;
                else if (c == '[' || c == '{') {
                        if (++depth > IMAGE_JSON_MAX_DEPTH)
                                return crio_error_set(err, EINVAL, "%s is nested more than %d levels deep", what,
                                                      IMAGE_JSON_MAX_DEPTH);
                } else if ((c == ']' || c == '}') && depth > 0)
                        depth--;
        }
        return 0;
}

static int json_load(const char *what, const char *data, size_t len, size_t max, JsonParser **ret_parser,
                     JsonObject **ret_root, CrioError *err) {
        int r = json_precheck(what, data, len, max, err);
        if (r < 0)
                return r;
        _cleanup_(parser_unrefp) JsonParser *parser = json_parser_new_immutable();
        GError *gerr = NULL;
        if (!json_parser_load_from_data(parser, len ? data : "", (gssize) len, &gerr)) {
                r = crio_error_set(err, EINVAL, "%s is not valid JSON: %s", what, gerr ? gerr->message : "parse error");
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

/* The member, or NULL if absent or JSON null. */
static JsonNode *member(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || JSON_NODE_HOLDS_NULL(n))
                return NULL;
        return n;
}

static bool node_is_string(JsonNode *n) {
        return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

/* Reads a string member; absent is an error only if required (*ret stays NULL otherwise). */
static int get_string(JsonObject *o, const char *ctx, const char *name, bool required, char **ret, CrioError *err) {
        JsonNode *n = member(o, name);
        if (!n) {
                if (required)
                        return crio_error_set(err, EINVAL, "%s%s is missing", ctx, name);
                return 0;
        }
        if (!node_is_string(n))
                return crio_error_set(err, EINVAL, "%s%s is not a string", ctx, name);
        char *s = strdup(json_node_get_string(n));
        if (!s)
                return crio_error_set(err, ENOMEM, "%s%s: out of memory", ctx, name);
        free(*ret);
        *ret = s;
        return 0;
}

static int get_int(JsonObject *o, const char *ctx, const char *name, bool required, int64_t *ret, CrioError *err) {
        JsonNode *n = member(o, name);
        if (!n) {
                if (required)
                        return crio_error_set(err, EINVAL, "%s%s is missing", ctx, name);
                return 0;
        }
        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return crio_error_set(err, EINVAL, "%s%s is not an integer", ctx, name);
        *ret = json_node_get_int(n);
        return 0;
}

/* An array of strings; absent or null gives NULL. */
static int get_strv(JsonObject *o, const char *ctx, const char *name, char ***ret, CrioError *err) {
        JsonNode *n = member(o, name);
        if (!n)
                return 0;
        if (!JSON_NODE_HOLDS_ARRAY(n))
                return crio_error_set(err, EINVAL, "%s%s is not an array", ctx, name);
        JsonArray *a = json_node_get_array(n);
        guint len = json_array_get_length(a);
        _cleanup_strv_free_ char **v = calloc(len + 1, sizeof(char *));
        if (!v)
                return crio_error_set(err, ENOMEM, "%s%s: out of memory", ctx, name);
        for (guint i = 0; i < len; i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (!node_is_string(e))
                        return crio_error_set(err, EINVAL, "%s%s[%u] is not a string", ctx, name, i);
                v[i] = strdup(json_node_get_string(e));
                if (!v[i])
                        return crio_error_set(err, ENOMEM, "%s%s: out of memory", ctx, name);
        }
        strv_free(*ret);
        *ret = TAKE_PTR(v);
        return 0;
}

/* The keys of an object member ({"80/tcp": {}}); absent or null gives NULL. With
 * ret_values, the members must be strings and their values are returned too. */
static int get_keys(JsonObject *o, const char *ctx, const char *name, char ***ret_keys, char ***ret_values,
                    CrioError *err) {
        JsonNode *n = member(o, name);
        if (!n)
                return 0;
        if (!JSON_NODE_HOLDS_OBJECT(n))
                return crio_error_set(err, EINVAL, "%s%s is not an object", ctx, name);
        JsonObject *obj = json_node_get_object(n);
        guint len = json_object_get_size(obj);
        _cleanup_strv_free_ char **keys = calloc(len + 1, sizeof(char *));
        _cleanup_strv_free_ char **values = calloc(len + 1, sizeof(char *));
        if (!keys || !values)
                return crio_error_set(err, ENOMEM, "%s%s: out of memory", ctx, name);
        JsonObjectIter it;
        const char *key;
        JsonNode *val;
        size_t i = 0;
        json_object_iter_init(&it, obj);
        while (i < len && json_object_iter_next(&it, &key, &val)) {
                if (ret_values) {
                        if (!node_is_string(val))
                                return crio_error_set(err, EINVAL, "%s%s[\"%s\"] is not a string", ctx, name, key);
                        values[i] = strdup(json_node_get_string(val));
                        if (!values[i])
                                return crio_error_set(err, ENOMEM, "%s%s: out of memory", ctx, name);
                }
                keys[i] = strdup(key);
                if (!keys[i])
                        return crio_error_set(err, ENOMEM, "%s%s: out of memory", ctx, name);
                i++;
        }
        strv_free(*ret_keys);
        *ret_keys = TAKE_PTR(keys);
        if (ret_values) {
                strv_free(*ret_values);
                *ret_values = TAKE_PTR(values);
        }
        return 0;
}

static int get_object(JsonObject *o, const char *ctx, const char *name, bool required, JsonObject **ret,
                      CrioError *err) {
        JsonNode *n = member(o, name);
        if (!n) {
                if (required)
                        return crio_error_set(err, EINVAL, "%s%s is missing", ctx, name);
                *ret = NULL;
                return 0;
        }
        if (!JSON_NODE_HOLDS_OBJECT(n))
                return crio_error_set(err, EINVAL, "%s%s is not an object", ctx, name);
        *ret = json_node_get_object(n);
        return 0;
}

static int get_array(JsonObject *o, const char *ctx, const char *name, JsonArray **ret, CrioError *err) {
        JsonNode *n = member(o, name);
        if (!n)
                return crio_error_set(err, EINVAL, "%s%s is missing", ctx, name);
        if (!JSON_NODE_HOLDS_ARRAY(n))
                return crio_error_set(err, EINVAL, "%s%s is not an array", ctx, name);
        *ret = json_node_get_array(n);
        return 0;
}

static int element_object(JsonArray *a, guint i, const char *ctx, JsonObject **ret, CrioError *err) {
        JsonNode *n = json_array_get_element(a, i);
        if (!JSON_NODE_HOLDS_OBJECT(n))
                return crio_error_set(err, EINVAL, "%s is not an object", ctx);
        *ret = json_node_get_object(n);
        return 0;
}

/* "sha256:" + 64 lowercase hex; sha384/sha512 are valid OCI digests that we do not support. */
static int check_digest(const char *ctx, const char *d, CrioError *err) {
        const char *colon = strchr(d, ':');
        if (!colon)
                return crio_error_set(err, EINVAL, "%s: invalid digest \"%.80s\": no algorithm", ctx, d);
        size_t alg_len = (size_t) (colon - d);
        if (alg_len != 6 || strncmp(d, "sha256", 6) != 0) {
                if ((alg_len == 6 && (strncmp(d, "sha384", 6) == 0 || strncmp(d, "sha512", 6) == 0)))
                        return crio_error_set(err, EINVAL, "%s: unsupported digest algorithm %.6s in \"%.160s\" (only sha256)",
                                              ctx, d, d);
                return crio_error_set(err, EINVAL, "%s: invalid digest \"%.80s\": unknown algorithm", ctx, d);
        }
        const char *hex = colon + 1;
        size_t n = strlen(hex);
        if (n != 64)
                return crio_error_set(err, EINVAL, "%s: invalid digest \"%.80s\": %zu hex characters, expected 64", ctx, d, n);
        for (size_t i = 0; i < n; i++)
                if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
                        return crio_error_set(err, EINVAL, "%s: invalid digest \"%.80s\": not lowercase hex", ctx, d);
        return 0;
}

typedef enum DescriptorKind {
        DESC_CONFIG,
        DESC_LAYER,
        DESC_ENTRY,
} DescriptorKind;

static int parse_platform(JsonObject *o, const char *ctx, ImagePlatform *p, CrioError *err) {
        JsonObject *po = NULL;
        int r = get_object(o, ctx, "platform", false, &po, err);
        if (r < 0 || !po)
                return r;
        char sub[96];
        snprintf(sub, sizeof sub, "%splatform.", ctx);
        if ((r = get_string(po, sub, "os", true, &p->os, err)) < 0 ||
            (r = get_string(po, sub, "architecture", true, &p->architecture, err)) < 0 ||
            (r = get_string(po, sub, "variant", false, &p->variant, err)) < 0 ||
            (r = get_string(po, sub, "os.version", false, &p->os_version, err)) < 0 ||
            (r = get_strv(po, sub, "features", &p->features, err)) < 0)
                return r;
        return 0;
}

/* Fills d from o; on failure d is partly filled and the caller clears it. ctx ends in ".". */
static int parse_descriptor(JsonObject *o, const char *ctx, DescriptorKind kind, ImageDescriptor *d, CrioError *err) {
        int r;
        if ((r = get_string(o, ctx, "mediaType", true, &d->media_type, err)) < 0 ||
            (r = get_string(o, ctx, "digest", true, &d->digest, err)) < 0 ||
            (r = get_int(o, ctx, "size", true, &d->size, err)) < 0 ||
            (r = get_strv(o, ctx, "urls", &d->urls, err)) < 0)
                return r;
        char dctx[128];
        snprintf(dctx, sizeof dctx, "%sdigest", ctx);
        r = check_digest(dctx, d->digest, err);
        if (r < 0)
                return r;
        if (d->size < 0)
                return crio_error_set(err, EINVAL, "%ssize is negative (%" PRId64 ")", ctx, d->size);
        switch (kind) {
        case DESC_CONFIG:
                if (strcmp(d->media_type, IMAGE_MEDIA_TYPE_DOCKER_CONFIG) != 0 &&
                    strcmp(d->media_type, IMAGE_MEDIA_TYPE_OCI_CONFIG) != 0)
                        return crio_error_set(err, EINVAL, "%smediaType: unsupported config media type \"%.200s\"", ctx,
                                              d->media_type);
                break;
        case DESC_LAYER:
                if (!in_list(layer_types, d->media_type))
                        return crio_error_set(err, EINVAL, "%smediaType: unsupported layer media type \"%.200s\"", ctx,
                                              d->media_type);
                break;
        case DESC_ENTRY:
                /* Unknown entry types (attestations, artifacts) are kept and skipped by selection. */
                return parse_platform(o, ctx, &d->platform, err);
        }
        return 0;
}

/* Strips parameters and blanks from a Content-Type into buf; returns buf or NULL if empty. */
static const char *content_type_base(const char *ct, char *buf, size_t size) {
        if (!ct)
                return NULL;
        while (*ct == ' ' || *ct == '\t')
                ct++;
        size_t n = strcspn(ct, "; \t");
        if (n == 0 || n >= size)
                return n == 0 ? NULL : ct; /* too long: not a type we know, caller treats as unknown */
        memcpy(buf, ct, n);
        buf[n] = '\0';
        return buf;
}

static bool known_manifest_type(const char *t) {
        return in_list(accept_types, t);
}

static int parse_v2_manifest(JsonObject *root, ImageManifest *m, CrioError *err) {
        JsonObject *co = NULL;
        int r = get_object(root, "manifest: ", "config", true, &co, err);
        if (r < 0)
                return r;
        r = parse_descriptor(co, "manifest: config.", DESC_CONFIG, &m->config, err);
        if (r < 0)
                return r;
        JsonArray *layers = NULL;
        r = get_array(root, "manifest: ", "layers", &layers, err);
        if (r < 0)
                return r;
        guint n = json_array_get_length(layers);
        if (n > IMAGE_MANIFEST_MAX_LAYERS)
                return crio_error_set(err, E2BIG, "manifest has %u layers, more than the limit of %d", n,
                                      IMAGE_MANIFEST_MAX_LAYERS);
        m->layers = calloc(n ? n : 1, sizeof(ImageDescriptor));
        if (!m->layers)
                return crio_error_set(err, ENOMEM, "manifest: out of memory");
        for (guint i = 0; i < n; i++) {
                char ctx[64];
                JsonObject *lo = NULL;
                snprintf(ctx, sizeof ctx, "manifest: layers[%u]", i);
                r = element_object(layers, i, ctx, &lo, err);
                if (r < 0)
                        return r;
                m->n_layers = i + 1;
                strcat(ctx, ".");
                r = parse_descriptor(lo, ctx, DESC_LAYER, &m->layers[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_index(JsonObject *root, ImageManifest *m, CrioError *err) {
        JsonArray *entries = NULL;
        int r = get_array(root, "manifest list: ", "manifests", &entries, err);
        if (r < 0)
                return r;
        guint n = json_array_get_length(entries);
        if (n > IMAGE_INDEX_MAX_ENTRIES)
                return crio_error_set(err, E2BIG, "manifest list has %u entries, more than the limit of %d", n,
                                      IMAGE_INDEX_MAX_ENTRIES);
        m->entries = calloc(n ? n : 1, sizeof(ImageDescriptor));
        if (!m->entries)
                return crio_error_set(err, ENOMEM, "manifest list: out of memory");
        for (guint i = 0; i < n; i++) {
                char ctx[64];
                JsonObject *eo = NULL;
                snprintf(ctx, sizeof ctx, "manifest list: manifests[%u]", i);
                r = element_object(entries, i, ctx, &eo, err);
                if (r < 0)
                        return r;
                m->n_entries = i + 1;
                strcat(ctx, ".");
                r = parse_descriptor(eo, ctx, DESC_ENTRY, &m->entries[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Schema 1: fsLayers (top layer first) with history[i].v1Compatibility saying whether layer i
 * is a "throwaway" (empty) one. Layers come out base first, empty ones dropped. */
static int parse_schema1(JsonObject *root, ImageManifest *m, CrioError *err) {
        JsonArray *fs = NULL, *history = NULL;
        int r = get_array(root, "schema 1 manifest: ", "fsLayers", &fs, err);
        if (r < 0)
                return r;
        guint n = json_array_get_length(fs);
        if (n == 0)
                return crio_error_set(err, EINVAL, "schema 1 manifest: fsLayers is empty");
        if (n > IMAGE_MANIFEST_MAX_LAYERS)
                return crio_error_set(err, E2BIG, "schema 1 manifest has %u layers, more than the limit of %d", n,
                                      IMAGE_MANIFEST_MAX_LAYERS);
        if (member(root, "history")) {
                r = get_array(root, "schema 1 manifest: ", "history", &history, err);
                if (r < 0)
                        return r;
                if (json_array_get_length(history) != n)
                        return crio_error_set(err, EINVAL, "schema 1 manifest: %u fsLayers but %u history entries", n,
                                              json_array_get_length(history));
        }
        r = get_string(root, "schema 1 manifest: ", "architecture", false, &m->schema1_architecture, err);
        if (r < 0)
                return r;
        m->layers = calloc(n, sizeof(ImageDescriptor));
        m->v1_compat = history ? calloc(n + 1, sizeof(char *)) : NULL;
        if (!m->layers || (history && !m->v1_compat))
                return crio_error_set(err, ENOMEM, "schema 1 manifest: out of memory");
        for (guint k = 0; k < n; k++) {
                guint i = n - 1 - k; /* base first */
                char ctx[64];
                JsonObject *lo = NULL;
                snprintf(ctx, sizeof ctx, "schema 1 manifest: fsLayers[%u]", i);
                r = element_object(fs, i, ctx, &lo, err);
                if (r < 0)
                        return r;
                strcat(ctx, ".");
                _cleanup_free_ char *digest = NULL;
                r = get_string(lo, ctx, "blobSum", true, &digest, err);
                if (r < 0)
                        return r;
                snprintf(ctx, sizeof ctx, "schema 1 manifest: fsLayers[%u].blobSum", i);
                r = check_digest(ctx, digest, err);
                if (r < 0)
                        return r;
                if (history) {
                        JsonObject *ho = NULL;
                        _cleanup_free_ char *compat = NULL;
                        snprintf(ctx, sizeof ctx, "schema 1 manifest: history[%u]", i);
                        r = element_object(history, i, ctx, &ho, err);
                        if (r < 0)
                                return r;
                        strcat(ctx, ".");
                        r = get_string(ho, ctx, "v1Compatibility", true, &compat, err);
                        if (r < 0)
                                return r;
                        _cleanup_(parser_unrefp) JsonParser *p = NULL;
                        JsonObject *co = NULL;
                        r = json_load("schema 1 manifest: v1Compatibility", compat, strlen(compat),
                                      IMAGE_MANIFEST_MAX_SIZE, &p, &co, err);
                        if (r < 0)
                                return r;
                        m->v1_compat[k] = TAKE_PTR(compat);
                        JsonNode *t = member(co, "throwaway");
                        if (t && JSON_NODE_HOLDS_VALUE(t) && json_node_get_value_type(t) == G_TYPE_BOOLEAN &&
                            json_node_get_boolean(t))
                                continue;
                }
                ImageDescriptor *d = &m->layers[m->n_layers++];
                d->digest = TAKE_PTR(digest);
                d->media_type = strdup(IMAGE_MEDIA_TYPE_DOCKER_LAYER);
                d->size = -1;
                if (!d->media_type)
                        return crio_error_set(err, ENOMEM, "schema 1 manifest: out of memory");
        }
        return 0;
}

int image_manifest_parse(const char *data, size_t len, const char *content_type, ImageManifest **ret, CrioError *err) {
        _cleanup_(parser_unrefp) JsonParser *parser = NULL;
        JsonObject *root = NULL;
        int r = json_load("manifest", data, len, IMAGE_MANIFEST_MAX_SIZE, &parser, &root, err);
        if (r < 0)
                return r;

        char ctbuf[128];
        const char *ct = content_type_base(content_type, ctbuf, sizeof ctbuf);
        if (ct && ct != ctbuf)
                return crio_error_set(err, EINVAL, "unsupported manifest content type \"%.100s...\"", ct);
        if (ct && !known_manifest_type(ct)) {
                /* Generic types (application/json, text/plain, octet-stream) leave the body to decide. */
                if (str_startswith(ct, "application/vnd."))
                        return crio_error_set(err, EINVAL, "unsupported manifest content type \"%s\"", ct);
                ct = NULL;
        }

        _cleanup_free_ char *body_type = NULL;
        r = get_string(root, "manifest: ", "mediaType", false, &body_type, err);
        if (r < 0)
                return r;
        if (body_type && !known_manifest_type(body_type))
                return crio_error_set(err, EINVAL, "unsupported manifest media type \"%.200s\"", body_type);
        if (body_type && ct && strcmp(body_type, ct) != 0 && !(is_schema1(body_type) && is_schema1(ct)))
                return crio_error_set(err, EINVAL, "manifest mediaType \"%s\" does not match its Content-Type \"%.200s\"",
                                      body_type, ct);

        int64_t schema_version = -1;
        r = get_int(root, "manifest: ", "schemaVersion", true, &schema_version, err);
        if (r < 0)
                return r;

        const char *type = body_type ? body_type : ct;
        if (!type) {
                /* Guess by shape, as containers/image does for an unlabelled body. */
                if (schema_version == 1)
                        type = IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1;
                else if (json_object_has_member(root, "manifests"))
                        type = IMAGE_MEDIA_TYPE_OCI_INDEX;
                else if (json_object_has_member(root, "config") || json_object_has_member(root, "layers"))
                        type = IMAGE_MEDIA_TYPE_OCI_MANIFEST;
                else
                        return crio_error_set(err, EINVAL, "manifest has no mediaType and is not recognisable as a manifest or index");
        }

        int64_t want_version = is_schema1(type) ? 1 : 2;
        if (schema_version != want_version)
                return crio_error_set(err, EINVAL, "manifest: unsupported schemaVersion %" PRId64 " for %s (expected %" PRId64 ")",
                                      schema_version, type, want_version);

        _cleanup_(image_manifest_freep) ImageManifest *m = calloc(1, sizeof(ImageManifest));
        if (!m)
                return crio_error_set(err, ENOMEM, "manifest: out of memory");
        m->media_type = strdup(type);
        if (!m->media_type)
                return crio_error_set(err, ENOMEM, "manifest: out of memory");
        m->schema_version = (int) schema_version;

        if (image_media_type_is_index(type)) {
                m->kind = IMAGE_MANIFEST_KIND_INDEX;
                if (json_object_has_member(root, "config") || json_object_has_member(root, "layers"))
                        return crio_error_set(err, EINVAL, "manifest list (%s) has config or layers", type);
                r = parse_index(root, m, err);
        } else if (is_schema1(type)) {
                m->kind = IMAGE_MANIFEST_KIND_MANIFEST;
                r = parse_schema1(root, m, err);
        } else {
                m->kind = IMAGE_MANIFEST_KIND_MANIFEST;
                if (json_object_has_member(root, "manifests"))
                        return crio_error_set(err, EINVAL, "manifest (%s) has a manifests list", type);
                r = parse_v2_manifest(root, m, err);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

/* ---- platforms ---- */

static const char *normalize_arch(const char *arch) {
        if (strcmp(arch, "x86_64") == 0 || strcmp(arch, "x86-64") == 0)
                return "amd64";
        if (strcmp(arch, "aarch64") == 0)
                return "arm64";
        if (strcmp(arch, "i386") == 0 || strcmp(arch, "i686") == 0)
                return "386";
        if (strcmp(arch, "armhf") == 0 || strcmp(arch, "armel") == 0 || str_startswith(arch, "armv"))
                return "arm";
        return arch;
}

/* The normalised variant for an (already normalised) arch: "8" -> "v8", arm64 default v8,
 * arm default v7 (armel: v6). Returns "" for none. */
static const char *normalize_variant(const char *raw_arch, const char *arch, const char *variant) {
        if (variant && *variant) {
                if (strcmp(arch, "arm64") == 0 && strcmp(variant, "8") == 0)
                        return "v8";
                if (strcmp(arch, "arm") == 0) {
                        if (strcmp(variant, "7") == 0)
                                return "v7";
                        if (strcmp(variant, "6") == 0)
                                return "v6";
                        if (strcmp(variant, "5") == 0)
                                return "v5";
                }
                return variant;
        }
        if (strcmp(arch, "arm64") == 0)
                return "v8";
        if (strcmp(arch, "arm") == 0) {
                if (strcmp(raw_arch, "armel") == 0 || strcmp(raw_arch, "armv6l") == 0)
                        return "v6";
                if (strcmp(raw_arch, "armv5l") == 0 || strcmp(raw_arch, "armv5tel") == 0)
                        return "v5";
                return "v7";
        }
        return "";
}

const char *image_architecture_normalize(const char *arch) {
        return normalize_arch(arch);
}

void image_platform_host(char **os, char **arch, char **variant) {
        struct utsname u;
        const char *raw = "unknown";
        if (uname(&u) == 0)
                raw = u.machine;
        const char *a = normalize_arch(raw);
        const char *v = normalize_variant(raw, a, NULL);
        *os = strdup("linux");
        *arch = strdup(a);
        *variant = *v ? strdup(v) : NULL;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s) {
        size_t n = strlen(s);
        if (*len + n + 1 > *cap) {
                size_t ncap = (*len + n + 1) * 2;
                char *b = realloc(*buf, ncap);
                if (!b)
                        return -ENOMEM;
                *buf = b;
                *cap = ncap;
        }
        memcpy(*buf + *len, s, n + 1);
        *len += n;
        return 0;
}

int image_index_select(const ImageManifest *index, const char *os, const char *arch, const char *variant,
                       const ImageDescriptor **ret, CrioError *err) {
        if (!index || index->kind != IMAGE_MANIFEST_KIND_INDEX)
                return crio_error_set(err, EINVAL, "platform selection needs a manifest list, not a single manifest");
        _cleanup_free_ char *host_os = NULL, *host_arch = NULL, *host_variant = NULL;
        if (!os || !arch) {
                image_platform_host(&host_os, &host_arch, &host_variant);
                if (!host_os || !host_arch)
                        return crio_error_set(err, ENOMEM, "platform selection: out of memory");
                if (!os)
                        os = host_os;
                if (!arch) {
                        arch = host_arch;
                        if (!variant)
                                variant = host_variant;
                }
        }
        const char *want_arch = normalize_arch(arch);
        const char *want_variant = normalize_variant(arch, want_arch, variant);

        const ImageDescriptor *exact = NULL, *plain = NULL;
        for (size_t i = 0; i < index->n_entries && !exact; i++) {
                const ImageDescriptor *e = &index->entries[i];
                const ImagePlatform *p = &e->platform;
                if (!p->os || !p->architecture || !image_media_type_is_manifest(e->media_type))
                        continue;
                if (strcmp(p->os, os) != 0)
                        continue;
                const char *ea = normalize_arch(p->architecture);
                if (strcmp(ea, want_arch) != 0)
                        continue;
                if (strcmp(normalize_variant(p->architecture, ea, p->variant), want_variant) == 0)
                        exact = e;
                else if (!plain && (!p->variant || !*p->variant))
                        plain = e;
        }
        if (exact || plain) {
                *ret = exact ? exact : plain;
                return 0;
        }

        /* "no image for linux/amd64 in the manifest list (available: linux/arm64/v8, ...)" */
        _cleanup_free_ char *avail = NULL;
        size_t len = 0, cap = 0;
        bool oom = false;
        size_t shown = 0;
        for (size_t i = 0; i < index->n_entries && !oom; i++) {
                const ImagePlatform *p = &index->entries[i].platform;
                if (!p->os || !p->architecture)
                        continue;
                if (shown == 16) {
                        oom = append(&avail, &len, &cap, ", ...") < 0;
                        break;
                }
                char one[256];
                snprintf(one, sizeof one, "%s%.60s/%.60s%s%.60s", shown ? ", " : "", p->os, p->architecture,
                         p->variant && *p->variant ? "/" : "", p->variant && *p->variant ? p->variant : "");
                oom = append(&avail, &len, &cap, one) < 0;
                shown++;
        }
        if (oom)
                return crio_error_set(err, ENOMEM, "platform selection: out of memory");
        return crio_error_set(err, ENOENT, "no image for %s/%s%s%s in the manifest list (available: %s)", os, want_arch,
                              *want_variant ? "/" : "", want_variant, avail ? avail : "none");
}

/* ---- image config ---- */

int image_config_parse(const char *data, size_t len, ImageConfig **ret, CrioError *err) {
        _cleanup_(parser_unrefp) JsonParser *parser = NULL;
        JsonObject *root = NULL;
        int r = json_load("image config", data, len, IMAGE_CONFIG_MAX_SIZE, &parser, &root, err);
        if (r < 0)
                return r;
        _cleanup_(image_config_freep) ImageConfig *c = calloc(1, sizeof(ImageConfig));
        if (!c)
                return crio_error_set(err, ENOMEM, "image config: out of memory");

        const char *ctx = "image config: ";
        if ((r = get_string(root, ctx, "created", false, &c->created, err)) < 0 ||
            (r = get_string(root, ctx, "os", true, &c->os, err)) < 0 ||
            (r = get_string(root, ctx, "architecture", true, &c->architecture, err)) < 0 ||
            (r = get_string(root, ctx, "variant", false, &c->variant, err)) < 0)
                return r;

        JsonObject *rootfs = NULL;
        r = get_object(root, ctx, "rootfs", true, &rootfs, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *type = NULL;
        r = get_string(rootfs, "image config: rootfs.", "type", true, &type, err);
        if (r < 0)
                return r;
        if (strcmp(type, "layers") != 0)
                return crio_error_set(err, EINVAL, "image config: rootfs.type is \"%.100s\", expected \"layers\"", type);
        if (!member(rootfs, "diff_ids"))
                return crio_error_set(err, EINVAL, "image config: rootfs.diff_ids is missing");
        r = get_strv(rootfs, "image config: rootfs.", "diff_ids", &c->diff_ids, err);
        if (r < 0)
                return r;
        size_t n = strv_length(c->diff_ids);
        if (n > IMAGE_MANIFEST_MAX_LAYERS)
                return crio_error_set(err, E2BIG, "image config has %zu diff_ids, more than the limit of %d", n,
                                      IMAGE_MANIFEST_MAX_LAYERS);
        for (size_t i = 0; i < n; i++) {
                char dctx[64];
                snprintf(dctx, sizeof dctx, "image config: rootfs.diff_ids[%zu]", i);
                r = check_digest(dctx, c->diff_ids[i], err);
                if (r < 0)
                        return r;
        }

        JsonObject *cfg = NULL;
        r = get_object(root, ctx, "config", false, &cfg, err);
        if (r < 0)
                return r;
        if (cfg) {
                ctx = "image config: config.";
                if ((r = get_string(cfg, ctx, "User", false, &c->user, err)) < 0 ||
                    (r = get_strv(cfg, ctx, "Env", &c->env, err)) < 0 ||
                    (r = get_strv(cfg, ctx, "Entrypoint", &c->entrypoint, err)) < 0 ||
                    (r = get_strv(cfg, ctx, "Cmd", &c->cmd, err)) < 0 ||
                    (r = get_string(cfg, ctx, "WorkingDir", false, &c->working_dir, err)) < 0 ||
                    (r = get_keys(cfg, ctx, "Labels", &c->label_keys, &c->label_values, err)) < 0 ||
                    (r = get_keys(cfg, ctx, "Volumes", &c->volumes, NULL, err)) < 0 ||
                    (r = get_string(cfg, ctx, "StopSignal", false, &c->stop_signal, err)) < 0 ||
                    (r = get_keys(cfg, ctx, "ExposedPorts", &c->exposed_ports, NULL, err)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}
