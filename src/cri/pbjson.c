#include "pbjson.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cri_json_name(const char *n) {
        char *out = malloc(strlen(n) + 1);
        if (!out)
                return NULL;
        char *o = out;
        bool up = false;
        for (; *n; n++) {
                if (*n == '_') {
                        up = true;
                        continue;
                }
                *o++ = up ? (char) toupper((unsigned char) *n) : *n;
                up = false;
        }
        *o = '\0';
        return out;
}

bool cri_pb_is_map_entry(const ProtobufCMessageDescriptor *d) {
        size_t l = strlen(d->name);
        return l > 5 && strcmp(d->name + l - 5, "Entry") == 0 && d->n_fields == 2 &&
               strcmp(d->fields[0].name, "key") == 0 && strcmp(d->fields[1].name, "value") == 0;
}

static JsonNode *scalar_to_json(const ProtobufCFieldDescriptor *f, const void *p, bool text_bytes) {
        JsonNode *n = json_node_new(JSON_NODE_VALUE);
        char buf[32];
        switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32:
                json_node_set_int(n, *(const int32_t *) p);
                break;
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32:
                json_node_set_int(n, *(const uint32_t *) p);
                break;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
                snprintf(buf, sizeof buf, "%" PRId64, *(const int64_t *) p);
                json_node_set_string(n, buf);
                break;
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
                snprintf(buf, sizeof buf, "%" PRIu64, *(const uint64_t *) p);
                json_node_set_string(n, buf);
                break;
        case PROTOBUF_C_TYPE_FLOAT:
                json_node_set_double(n, *(const float *) p);
                break;
        case PROTOBUF_C_TYPE_DOUBLE:
                json_node_set_double(n, *(const double *) p);
                break;
        case PROTOBUF_C_TYPE_BOOL:
                json_node_set_boolean(n, *(const protobuf_c_boolean *) p);
                break;
        case PROTOBUF_C_TYPE_ENUM: {
                const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *) p);
                if (v)
                        json_node_set_string(n, v->name + cri_pb_enum_prefix_len(f->descriptor, v->name));
                else
                        json_node_set_int(n, *(const int *) p);
                break;
        }
        case PROTOBUF_C_TYPE_STRING: {
                const char *s = *(char *const *) p;
                json_node_set_string(n, s ? s : "");
                break;
        }
        case PROTOBUF_C_TYPE_BYTES: {
                const ProtobufCBinaryData *b = p;
                if (text_bytes && b->len < (size_t) G_MAXSSIZE && !memchr(b->data, 0, b->len) &&
                    g_utf8_validate((const char *) b->data, (gssize) b->len, NULL)) {
                        /* KeyValue.value as crictl writes it (see pbjson.h) */
                        g_autofree gchar *t = g_strndup((const char *) b->data, b->len);
                        json_node_set_string(n, t);
                        break;
                }
                gchar *e = g_base64_encode(b->data, b->len);
                json_node_set_string(n, e);
                g_free(e);
                break;
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
                json_node_unref(n);
                const ProtobufCMessage *sub = *(ProtobufCMessage *const *) p;
                return sub ? cri_message_to_json(sub) : json_node_new(JSON_NODE_NULL);
        }
        }
        return n;
}

size_t cri_pb_type_size(ProtobufCType t) {
        switch (t) {
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_DOUBLE:
                return 8;
        case PROTOBUF_C_TYPE_BOOL:
                return sizeof(protobuf_c_boolean);
        case PROTOBUF_C_TYPE_ENUM:
                return sizeof(int);
        case PROTOBUF_C_TYPE_STRING:
        case PROTOBUF_C_TYPE_MESSAGE:
                return sizeof(void *);
        case PROTOBUF_C_TYPE_BYTES:
                return sizeof(ProtobufCBinaryData);
        default:
                return 4;
        }
}

size_t cri_pb_enum_prefix_len(const ProtobufCEnumDescriptor *ed, const char *value_name) {
        size_t n = strlen(ed->short_name);
        if (strlen(value_name) <= n + 1 || value_name[n] != '_')
                return 0;
        for (size_t i = 0; i < n; i++)
                if (value_name[i] != toupper((unsigned char) ed->short_name[i]))
                        return 0;
        return n + 1;
}

bool cri_pb_bytes_as_text(const ProtobufCMessageDescriptor *owner, const ProtobufCFieldDescriptor *f) {
        return f->type == PROTOBUF_C_TYPE_BYTES && strcmp(owner->short_name, "KeyValue") == 0 &&
               strcmp(f->name, "value") == 0;
}

JsonNode *cri_message_to_json(const ProtobufCMessage *m) {
        const ProtobufCMessageDescriptor *d = m->descriptor;
        JsonObject *o = json_object_new();
        const char *base = (const char *) m;
        for (unsigned i = 0; i < d->n_fields; i++) {
                const ProtobufCFieldDescriptor *f = &d->fields[i];
                bool text_bytes = cri_pb_bytes_as_text(d, f);
                char *name = cri_json_name(f->name);
                if (!name)
                        continue;
                if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
                        uint32_t which = *(const uint32_t *) (base + f->quantifier_offset);
                        if (which != f->id) {
                                free(name);
                                continue;
                        }
                }
                if (f->label == PROTOBUF_C_LABEL_REPEATED) {
                        size_t n = *(const size_t *) (base + f->quantifier_offset);
                        const char *arr = *(char *const *) (base + f->offset);
                        size_t sz = cri_pb_type_size(f->type);
                        if (f->type == PROTOBUF_C_TYPE_MESSAGE && cri_pb_is_map_entry(f->descriptor)) {
                                JsonObject *mo = json_object_new();
                                for (size_t k = 0; k < n; k++) {
                                        const ProtobufCMessage *e = ((ProtobufCMessage *const *) arr)[k];
                                        const ProtobufCMessageDescriptor *ed = e->descriptor;
                                        const char *key = *(char *const *) ((const char *) e + ed->fields[0].offset);
                                        char keybuf[32];
                                        if (ed->fields[0].type != PROTOBUF_C_TYPE_STRING) {
                                                JsonNode *kn = scalar_to_json(&ed->fields[0],
                                                                              (const char *) e + ed->fields[0].offset, false);
                                                if (JSON_NODE_HOLDS_VALUE(kn) && json_node_get_value_type(kn) == G_TYPE_INT64)
                                                        snprintf(keybuf, sizeof keybuf, "%" G_GINT64_FORMAT,
                                                                 json_node_get_int(kn));
                                                else
                                                        snprintf(keybuf, sizeof keybuf, "%s",
                                                                 json_node_get_string(kn) ? json_node_get_string(kn) : "");
                                                json_node_unref(kn);
                                                key = keybuf;
                                        }
                                        json_object_set_member(mo, key ? key : "",
                                                               scalar_to_json(&ed->fields[1],
                                                                              (const char *) e + ed->fields[1].offset, false));
                                }
                                json_object_set_object_member(o, name, mo);
                        } else {
                                JsonArray *a = json_array_new();
                                for (size_t k = 0; k < n; k++)
                                        json_array_add_element(a, scalar_to_json(f, arr + k * sz, text_bytes));
                                json_object_set_array_member(o, name, a);
                        }
                } else
                        json_object_set_member(o, name, scalar_to_json(f, base + f->offset, text_bytes));
                free(name);
        }
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(node, o);
        return node;
}
