/* JSON -> protobuf-c message, the way protojson parses: the rules and limits are in pbjson.h. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbjson.h"
#include "util/cleanup.h"
#include "util/json-check.h"

/* ================================================================================== */

typedef struct ParseCtx {
        char path[256]; /* where we are, for messages: "envs[1].value" */
        size_t len;
        unsigned depth;
        CrioError *err;
} ParseCtx;

static size_t path_push(ParseCtx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t path_push(ParseCtx *c, const char *fmt, ...) {
        size_t old = c->len;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(c->path + c->len, sizeof c->path - c->len, fmt, ap);
        va_end(ap);
        if (n > 0)
                c->len = c->len + (size_t) n >= sizeof c->path ? sizeof c->path - 1 : c->len + (size_t) n;
        return old;
}

static void path_pop(ParseCtx *c, size_t old) {
        c->len = old;
        c->path[old] = '\0';
}

static int perr(ParseCtx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(ParseCtx *c, int code, const char *fmt, ...) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (c->len == 0)
                return crio_error_set(c->err, code, "%s", msg);
        return crio_error_set(c->err, code, "%s: %s", c->path, msg);
}

static const char *node_kind(JsonNode *n) {
        switch (json_node_get_node_type(n)) {
        case JSON_NODE_OBJECT:
                return "an object";
        case JSON_NODE_ARRAY:
                return "an array";
        case JSON_NODE_NULL:
                return "null";
        default:
                break;
        }
        GType t = json_node_get_value_type(n);
        if (t == G_TYPE_STRING)
                return "a string";
        if (t == G_TYPE_BOOLEAN)
                return "a boolean";
        return "a number";
}

static bool node_is(JsonNode *n, GType t) {
        return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == t;
}

/* A decimal integer string, whole (no spaces, no '+'). */
static int parse_i64_text(const char *s, int64_t *ret) {
        if (!s[0] || !(s[0] == '-' || isdigit((unsigned char) s[0])))
                return -EINVAL;
        char *end = NULL;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end || end == s)
                return errno == ERANGE ? -ERANGE : -EINVAL;
        *ret = v;
        return 0;
}

static int parse_u64_text(const char *s, uint64_t *ret) {
        if (!isdigit((unsigned char) s[0]))
                return -EINVAL;
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || *end)
                return errno == ERANGE ? -ERANGE : -EINVAL;
        *ret = v;
        return 0;
}

/* A signed integer in [min, max] from a number, an integral double or a decimal string. */
static int node_i64(ParseCtx *c, JsonNode *n, int64_t min, int64_t max, int64_t *ret) {
        int64_t v;
        if (node_is(n, G_TYPE_INT64))
                v = json_node_get_int(n);
        else if (node_is(n, G_TYPE_DOUBLE)) {
                double d = json_node_get_double(n);
                if (!isfinite(d) || floor(d) != d || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
                        return perr(c, EINVAL, "%g is not an integer in range", d);
                v = (int64_t) d;
        } else if (node_is(n, G_TYPE_STRING)) {
                int r = parse_i64_text(json_node_get_string(n), &v);
                if (r < 0)
                        return perr(c, EINVAL, "\"%.64s\" is not %s", json_node_get_string(n),
                                    r == -ERANGE ? "in range" : "a decimal integer");
        } else
                return perr(c, EINVAL, "expected an integer, got %s", node_kind(n));
        if (v < min || v > max)
                return perr(c, EINVAL, "%" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]", v, min, max);
        *ret = v;
        return 0;
}

static int node_u64(ParseCtx *c, JsonNode *n, uint64_t max, uint64_t *ret) {
        uint64_t v;
        if (node_is(n, G_TYPE_INT64)) {
                int64_t i = json_node_get_int(n);
                if (i < 0)
                        return perr(c, EINVAL, "%" PRId64 " is negative", i);
                v = (uint64_t) i;
        } else if (node_is(n, G_TYPE_DOUBLE)) {
                double d = json_node_get_double(n);
                if (!isfinite(d) || floor(d) != d || d < 0 || d >= 18446744073709551616.0)
                        return perr(c, EINVAL, "%g is not an unsigned integer in range", d);
                v = (uint64_t) d;
        } else if (node_is(n, G_TYPE_STRING)) {
                int r = parse_u64_text(json_node_get_string(n), &v);
                if (r < 0)
                        return perr(c, EINVAL, "\"%.64s\" is not %s", json_node_get_string(n),
                                    r == -ERANGE ? "in range" : "an unsigned decimal integer");
        } else
                return perr(c, EINVAL, "expected an unsigned integer, got %s", node_kind(n));
        if (v > max)
                return perr(c, EINVAL, "%" PRIu64 " is out of range (at most %" PRIu64 ")", v, max);
        *ret = v;
        return 0;
}

static int node_double(ParseCtx *c, JsonNode *n, double *ret) {
        if (node_is(n, G_TYPE_INT64))
                *ret = (double) json_node_get_int(n);
        else if (node_is(n, G_TYPE_DOUBLE))
                *ret = json_node_get_double(n);
        else if (node_is(n, G_TYPE_STRING)) {
                const char *s = json_node_get_string(n);
                char *end = NULL;
                if (strcmp(s, "NaN") == 0)
                        *ret = NAN;
                else if (strcmp(s, "Infinity") == 0)
                        *ret = INFINITY;
                else if (strcmp(s, "-Infinity") == 0)
                        *ret = -INFINITY;
                else if (!s[0] || isspace((unsigned char) s[0]) || (*ret = g_ascii_strtod(s, &end), *end) ||
                         !isfinite(*ret))
                        return perr(c, EINVAL, "\"%.64s\" is not a number", s);
        } else
                return perr(c, EINVAL, "expected a number, got %s", node_kind(n));
        return 0;
}

static int b64_value(int ch) {
        if (ch >= 'A' && ch <= 'Z')
                return ch - 'A';
        if (ch >= 'a' && ch <= 'z')
                return ch - 'a' + 26;
        if (ch >= '0' && ch <= '9')
                return ch - '0' + 52;
        if (ch == '+' || ch == '-')
                return 62;
        if (ch == '/' || ch == '_')
                return 63;
        return -1;
}

/* Strict base64 (standard or URL alphabet, padding optional but exact when present). */
static int base64_decode_strict(const char *s, ProtobufCBinaryData *ret) {
        size_t len = strlen(s);
        if (len % 4 == 0 && len >= 2 && s[len - 1] == '=')
                len -= s[len - 2] == '=' ? 2 : 1;
        if (len % 4 == 1)
                return -EINVAL;
        uint8_t *out = malloc(len / 4 * 3 + 3);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        uint32_t acc = 0;
        unsigned bits = 0;
        for (size_t i = 0; i < len; i++) {
                int v = b64_value((unsigned char) s[i]);
                if (v < 0) {
                        free(out);
                        return -EINVAL;
                }
                acc = (acc << 6) | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (uint8_t) (acc >> bits);
                }
        }
        if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) { /* non-zero trailing bits */
                free(out);
                return -EINVAL;
        }
        ret->data = out;
        ret->len = o;
        return 0;
}


static int parse_message(ParseCtx *c, JsonNode *node, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **ret);

/* One value of field f (of message owner) from n into dst, a slot of f's type. */
static int parse_value(ParseCtx *c, const ProtobufCMessageDescriptor *owner, const ProtobufCFieldDescriptor *f,
                       JsonNode *n, void *dst) {
        int64_t i;
        uint64_t u;
        double d;
        int r;
        switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32:
                if ((r = node_i64(c, n, INT32_MIN, INT32_MAX, &i)) < 0)
                        return r;
                *(int32_t *) dst = (int32_t) i;
                return 0;
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32:
                if ((r = node_u64(c, n, UINT32_MAX, &u)) < 0)
                        return r;
                *(uint32_t *) dst = (uint32_t) u;
                return 0;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
                if ((r = node_i64(c, n, INT64_MIN, INT64_MAX, &i)) < 0)
                        return r;
                *(int64_t *) dst = i;
                return 0;
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
                if ((r = node_u64(c, n, UINT64_MAX, &u)) < 0)
                        return r;
                *(uint64_t *) dst = u;
                return 0;
        case PROTOBUF_C_TYPE_FLOAT:
                if ((r = node_double(c, n, &d)) < 0)
                        return r;
                if (isfinite(d) && fabs(d) > FLT_MAX)
                        return perr(c, EINVAL, "%g is out of range for a float", d);
                *(float *) dst = (float) d;
                return 0;
        case PROTOBUF_C_TYPE_DOUBLE:
                if ((r = node_double(c, n, &d)) < 0)
                        return r;
                *(double *) dst = d;
                return 0;
        case PROTOBUF_C_TYPE_BOOL:
                if (!node_is(n, G_TYPE_BOOLEAN))
                        return perr(c, EINVAL, "expected true or false, got %s", node_kind(n));
                *(protobuf_c_boolean *) dst = json_node_get_boolean(n);
                return 0;
        case PROTOBUF_C_TYPE_ENUM: {
                const ProtobufCEnumDescriptor *ed = f->descriptor;
                if (node_is(n, G_TYPE_STRING)) {
                        const char *name = json_node_get_string(n);
                        const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(ed, name);
                        if (!v) { /* upstream's name of a value we prefix ("SIGTERM" for SIGNAL_SIGTERM) */
                                g_autofree gchar *up = g_ascii_strup(ed->short_name, -1);
                                g_autofree gchar *full = g_strconcat(up, "_", name, NULL);
                                v = protobuf_c_enum_descriptor_get_value_by_name(ed, full);
                                if (v && cri_pb_enum_prefix_len(ed, v->name) == 0)
                                        v = NULL;
                        }
                        if (!v)
                                return perr(c, EINVAL, "\"%.64s\" is not a value of %s", json_node_get_string(n),
                                            ed->short_name);
                        *(int *) dst = v->value;
                        return 0;
                }
                if (!node_is(n, G_TYPE_INT64) && !node_is(n, G_TYPE_DOUBLE))
                        return perr(c, EINVAL, "expected a %s name or number, got %s", ed->short_name, node_kind(n));
                if ((r = node_i64(c, n, INT32_MIN, INT32_MAX, &i)) < 0)
                        return r;
                *(int *) dst = (int) i;
                return 0;
        }
        case PROTOBUF_C_TYPE_STRING: {
                if (!node_is(n, G_TYPE_STRING))
                        return perr(c, EINVAL, "expected a string, got %s", node_kind(n));
                char *s = strdup(json_node_get_string(n));
                if (!s)
                        return perr(c, ENOMEM, "out of memory");
                *(char **) dst = s;
                return 0;
        }
        case PROTOBUF_C_TYPE_BYTES: {
                if (!node_is(n, G_TYPE_STRING))
                        return perr(c, EINVAL, "expected a %s string, got %s",
                                    cri_pb_bytes_as_text(owner, f) ? "text" : "base64", node_kind(n));
                const char *s = json_node_get_string(n);
                ProtobufCBinaryData b = {};
                if (cri_pb_bytes_as_text(owner, f)) {
                        b.len = strlen(s);
                        b.data = malloc(b.len + 1);
                        if (!b.data)
                                return perr(c, ENOMEM, "out of memory");
                        memcpy(b.data, s, b.len + 1);
                } else if ((r = base64_decode_strict(s, &b)) < 0)
                        return r == -ENOMEM ? perr(c, ENOMEM, "out of memory")
                                            : perr(c, EINVAL, "\"%.32s%s\" is not base64", s, strlen(s) > 32 ? "..." : "");
                *(ProtobufCBinaryData *) dst = b;
                return 0;
        }
        case PROTOBUF_C_TYPE_MESSAGE:
                return parse_message(c, n, f->descriptor, (ProtobufCMessage **) dst);
        }
        return perr(c, EINVAL, "field type %d is not supported", (int) f->type);
}

/* A map: n is an object; entries become key/value messages of f's entry type. */
static int parse_map(ParseCtx *c, const ProtobufCFieldDescriptor *f, JsonNode *n, void *base) {
        if (!JSON_NODE_HOLDS_OBJECT(n))
                return perr(c, EINVAL, "expected an object (a map), got %s", node_kind(n));
        JsonObject *o = json_node_get_object(n);
        guint count = json_object_get_size(o);
        if (count > CRI_JSON_MAX_REPEATED)
                return perr(c, E2BIG, "%u entries, more than the %u allowed", count, CRI_JSON_MAX_REPEATED);
        const ProtobufCMessageDescriptor *ed = f->descriptor;
        ProtobufCMessage **arr = calloc(count ? count : 1, sizeof *arr);
        if (!arr)
                return perr(c, ENOMEM, "out of memory");
        *(ProtobufCMessage ***) ((char *) base + f->offset) = arr;
        size_t *np = (size_t *) ((char *) base + f->quantifier_offset);
        g_autoptr(GList) members = json_object_get_members(o); /* in document order */
        for (GList *l = members; l; l = l->next) {
                const char *key = l->data;
                JsonNode *v = json_object_get_member(o, key);
                size_t old = path_push(c, "[\"%.40s\"]", key);
                ProtobufCMessage *e = calloc(1, ed->sizeof_message);
                if (!e)
                        return perr(c, ENOMEM, "out of memory");
                protobuf_c_message_init(ed, e);
                const ProtobufCFieldDescriptor *kf = &ed->fields[0], *vf = &ed->fields[1];
                int r = 0;
                if (kf->type == PROTOBUF_C_TYPE_STRING) {
                        char *k = strdup(key);
                        if (!k)
                                r = perr(c, ENOMEM, "out of memory");
                        else
                                *(char **) ((char *) e + kf->offset) = k;
                } else if (kf->type == PROTOBUF_C_TYPE_BOOL) {
                        if (strcmp(key, "true") != 0 && strcmp(key, "false") != 0)
                                r = perr(c, EINVAL, "a bool map key must be \"true\" or \"false\"");
                        else
                                *(protobuf_c_boolean *) ((char *) e + kf->offset) = strcmp(key, "true") == 0;
                } else {
                        JsonNode *kn = json_node_new(JSON_NODE_VALUE);
                        json_node_set_string(kn, key);
                        r = parse_value(c, ed, kf, kn, (char *) e + kf->offset);
                        json_node_unref(kn);
                }
                if (r >= 0 && JSON_NODE_HOLDS_NULL(v))
                        r = perr(c, EINVAL, "a map value cannot be null");
                if (r >= 0)
                        r = parse_value(c, ed, vf, v, (char *) e + vf->offset);
                if (r < 0) {
                        protobuf_c_message_free_unpacked(e, NULL);
                        return r;
                }
                arr[(*np)++] = e;
                path_pop(c, old);
        }
        return 0;
}

static bool is_pointer_type(ProtobufCType t) {
        return t == PROTOBUF_C_TYPE_STRING || t == PROTOBUF_C_TYPE_MESSAGE;
}

static int parse_repeated(ParseCtx *c, const ProtobufCMessageDescriptor *owner, const ProtobufCFieldDescriptor *f,
                          JsonNode *n, void *base) {
        if (!JSON_NODE_HOLDS_ARRAY(n))
                return perr(c, EINVAL, "expected an array, got %s", node_kind(n));
        JsonArray *a = json_node_get_array(n);
        guint count = json_array_get_length(a);
        if (count > CRI_JSON_MAX_REPEATED)
                return perr(c, E2BIG, "%u elements, more than the %u allowed", count, CRI_JSON_MAX_REPEATED);
        size_t sz = cri_pb_type_size(f->type);
        char *arr = calloc(count ? count : 1, sz);
        if (!arr)
                return perr(c, ENOMEM, "out of memory");
        *(char **) ((char *) base + f->offset) = arr;
        size_t *np = (size_t *) ((char *) base + f->quantifier_offset);
        for (guint i = 0; i < count; i++) {
                size_t old = path_push(c, "[%u]", i);
                JsonNode *e = json_array_get_element(a, i);
                if (JSON_NODE_HOLDS_NULL(e))
                        return perr(c, EINVAL, "an array element cannot be null");
                int r = parse_value(c, owner, f, e, arr + i * sz);
                if (r < 0)
                        return r;
                (*np)++;
                path_pop(c, old);
        }
        return 0;
}

/* The field of d named key: its proto name or its lowerCamelCase JSON name. */
static const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *d, const char *key) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, key);
        if (f)
                return f;
        for (unsigned i = 0; i < d->n_fields; i++) {
                char *jn = cri_json_name(d->fields[i].name);
                bool match = jn && strcmp(jn, key) == 0;
                free(jn);
                if (match)
                        return &d->fields[i];
        }
        return NULL;
}

static int parse_fields(ParseCtx *c, JsonObject *o, const ProtobufCMessageDescriptor *desc, ProtobufCMessage *m,
                        bool *seen) {
        g_autoptr(GList) members = json_object_get_members(o); /* in document order */
        for (GList *l = members; l; l = l->next) {
                const char *key = l->data;
                JsonNode *v = json_object_get_member(o, key);
                const ProtobufCFieldDescriptor *f = find_field(desc, key);
                if (!f)
                        return perr(c, EINVAL, "unknown field \"%.64s\" in %s", key, desc->short_name);
                size_t idx = (size_t) (f - desc->fields);
                if (seen[idx])
                        return perr(c, EINVAL, "field \"%s\" of %s is given twice (as \"%.64s\" and another name)",
                                    f->name, desc->short_name, key);
                seen[idx] = true;
                if (JSON_NODE_HOLDS_NULL(v))
                        continue; /* null: not set */
                size_t old = path_push(c, "%s%s", c->len ? "." : "", key);
                int r;
                if (f->label == PROTOBUF_C_LABEL_REPEATED) {
                        if (f->type == PROTOBUF_C_TYPE_MESSAGE && cri_pb_is_map_entry(f->descriptor))
                                r = parse_map(c, f, v, m);
                        else
                                r = parse_repeated(c, desc, f, v, m);
                } else {
                        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
                                uint32_t *which = (uint32_t *) ((char *) m + f->quantifier_offset);
                                if (*which != 0)
                                        return perr(c, EINVAL, "a second member of the same oneof");
                                /* set before parsing, so that a failure frees what was stored */
                                *which = f->id;
                        } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
                                   !is_pointer_type(f->type))
                                *(protobuf_c_boolean *) ((char *) m + f->quantifier_offset) = 1;
                        r = parse_value(c, desc, f, v, (char *) m + f->offset);
                }
                if (r < 0)
                        return r;
                path_pop(c, old);
        }
        return 0;
}

static int parse_message(ParseCtx *c, JsonNode *node, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **ret) {
        if (!node || !JSON_NODE_HOLDS_OBJECT(node))
                return perr(c, EINVAL, "expected an object (%s), got %s", desc->short_name, node ? node_kind(node) : "nothing");
        if (c->depth >= CRI_JSON_MAX_DEPTH)
                return perr(c, E2BIG, "messages nested more than %u deep", CRI_JSON_MAX_DEPTH);
        ProtobufCMessage *m = calloc(1, desc->sizeof_message);
        bool *seen = calloc(desc->n_fields ? desc->n_fields : 1, sizeof *seen);
        if (!m || !seen) {
                free(m);
                free(seen);
                return perr(c, ENOMEM, "out of memory");
        }
        protobuf_c_message_init(desc, m);
        c->depth++;
        int r = parse_fields(c, json_node_get_object(node), desc, m, seen);
        c->depth--;
        free(seen);
        if (r < 0) {
                protobuf_c_message_free_unpacked(m, NULL);
                return r;
        }
        *ret = m;
        return 0;
}

int cri_message_from_json(JsonNode *node, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **ret,
                          CrioError *err) {
        ParseCtx c = { .err = err };
        ProtobufCMessage *m = NULL;
        int r = parse_message(&c, node, desc, &m);
        if (r < 0)
                return r;
        *ret = m;
        return 0;
}

static void parser_unrefp(JsonParser **p) {
        if (*p)
                g_object_unref(*p);
}

int cri_message_from_json_data(const char *data, size_t len, const ProtobufCMessageDescriptor *desc,
                               ProtobufCMessage **ret, CrioError *err) {
        if (len > CRI_JSON_MAX_SIZE)
                return crio_error_set(err, EFBIG, "%zu bytes of JSON, more than the %u allowed", len, CRI_JSON_MAX_SIZE);
        int r = json_check_strict("JSON", data, len, CRI_JSON_MAX_DEPTH, err);
        if (r < 0)
                return r;
        _cleanup_(parser_unrefp) JsonParser *p = json_parser_new_immutable();
        GError *gerr = NULL;
        if (!json_parser_load_from_data(p, data, (gssize) len, &gerr)) {
                r = crio_error_set(err, EINVAL, "JSON: %s", gerr ? gerr->message : "unreadable");
                g_clear_error(&gerr);
                return r;
        }
        return cri_message_from_json(json_parser_get_root(p), desc, ret, err);
}
