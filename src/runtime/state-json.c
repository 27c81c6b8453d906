/* The on-disk records of pods and containers (state.json), table-driven: each field once. */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/strv.h"

#define RT_RECORD_MAX_DEPTH 8

typedef enum { F_STR, F_STRV, F_I64, F_INT, F_U32, F_BOOL } FieldType;

typedef struct Field {
        const char *name;
        FieldType type;
        size_t offset;
} Field;

#define C(n, t) { #n, t, offsetof(RtContainer, n) }
static const Field container_fields[] = {
        C(id, F_STR),          C(name, F_STR),        C(sandbox_id, F_STR),      C(infra, F_BOOL),
        C(meta_name, F_STR),   C(attempt, F_U32),     C(image, F_STR),           C(image_id, F_STR),
        C(image_ref, F_STR),   C(labels, F_STRV),     C(annotations, F_STRV),    C(log_path, F_STR),
        C(runtime_handler, F_STR), C(runtime_path, F_STR), C(runtime_root, F_STR), C(bundle, F_STR),
        C(has_layer, F_BOOL),  C(terminal, F_BOOL),   C(stdin_open, F_BOOL),     C(stdin_once, F_BOOL),
        C(stop_signal, F_INT), C(resources, F_STR),   C(created_at, F_I64),      C(started_at, F_I64),
        C(finished_at, F_I64), C(state, F_INT),       C(exit_code, F_INT),       C(oom, F_BOOL),
        C(reason, F_STR),      C(message, F_STR),     C(pid, F_INT),             C(conmon_pid, F_INT),
        C(conmon_cgroup, F_STR),
};
#undef C
#define S(n, t) { #n, t, offsetof(RtSandbox, n) }
static const Field sandbox_fields[] = {
        S(id, F_STR),            S(name, F_STR),         S(meta_name, F_STR),     S(meta_uid, F_STR),
        S(meta_namespace, F_STR), S(attempt, F_U32),     S(labels, F_STRV),       S(annotations, F_STRV),
        S(runtime_handler, F_STR), S(hostname, F_STR),   S(log_dir, F_STR),       S(cgroup_parent, F_STR),
        S(dir, F_STR),           S(netns_path, F_STR),   S(ipcns_path, F_STR),    S(utsns_path, F_STR),
        S(shm_path, F_STR),      S(resolv_path, F_STR),  S(hostname_path, F_STR), S(hosts_path, F_STR),
        S(ns_network, F_INT),    S(ns_pid, F_INT),       S(ns_ipc, F_INT),        S(ns_target_id, F_STR),
        S(ips, F_STRV),          S(created_at, F_I64),   S(state, F_INT),         S(network_stopped, F_BOOL),
};
#undef S

static void fields_free(void *rec, const Field *f, size_t n) {
        for (size_t i = 0; i < n; i++) {
                void *p = (char *) rec + f[i].offset;
                if (f[i].type == F_STR) {
                        free(*(char **) p);
                        *(char **) p = NULL;
                } else if (f[i].type == F_STRV) {
                        strv_free(*(char ***) p);
                        *(char ***) p = NULL;
                }
        }
}

static void fields_to_json(JsonBuilder *b, const void *rec, const Field *f, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const void *p = (const char *) rec + f[i].offset;
                switch (f[i].type) {
                case F_STR:
                        if (!*(char *const *) p)
                                continue;
                        json_builder_set_member_name(b, f[i].name);
                        json_builder_add_string_value(b, *(char *const *) p);
                        break;
                case F_STRV:
                        json_builder_set_member_name(b, f[i].name);
                        json_builder_begin_array(b);
                        for (char *const *s = *(char **const *) p; s && *s; s++)
                                json_builder_add_string_value(b, *s);
                        json_builder_end_array(b);
                        break;
                case F_I64:
                        json_builder_set_member_name(b, f[i].name);
                        json_builder_add_int_value(b, *(const int64_t *) p);
                        break;
                case F_INT:
                        json_builder_set_member_name(b, f[i].name);
                        json_builder_add_int_value(b, *(const int *) p);
                        break;
                case F_U32:
                        json_builder_set_member_name(b, f[i].name);
                        json_builder_add_int_value(b, *(const uint32_t *) p);
                        break;
                case F_BOOL:
                        json_builder_set_member_name(b, f[i].name);
                        json_builder_add_boolean_value(b, *(const bool *) p);
                        break;
                }
        }
}

static int field_from_json(void *rec, const Field *f, JsonNode *v, CrioError *err) {
        void *p = (char *) rec + f->offset;
        GType want = f->type == F_STR ? G_TYPE_STRING : f->type == F_BOOL ? G_TYPE_BOOLEAN : G_TYPE_INT64;
        if (f->type == F_STRV) {
                if (!JSON_NODE_HOLDS_ARRAY(v))
                        return crio_error_set(err, EINVAL, "record field %s is not an array", f->name);
                JsonArray *a = json_node_get_array(v);
                _cleanup_strv_free_ char **out = calloc(json_array_get_length(a) + 1, sizeof(char *));
                if (!out)
                        return crio_error_set(err, ENOMEM, "out of memory");
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        JsonNode *e = json_array_get_element(a, i);
                        if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
                                return crio_error_set(err, EINVAL, "record field %s holds a non-string", f->name);
                        if (!(out[i] = strdup(json_node_get_string(e))))
                                return crio_error_set(err, ENOMEM, "out of memory");
                }
                strv_free(*(char ***) p);
                *(char ***) p = TAKE_PTR(out);
                return 0;
        }
        if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != want)
                return crio_error_set(err, EINVAL, "record field %s has the wrong type", f->name);
        switch (f->type) {
        case F_STR: {
                char *s = strdup(json_node_get_string(v));
                if (!s)
                        return crio_error_set(err, ENOMEM, "out of memory");
                free(*(char **) p);
                *(char **) p = s;
                break;
        }
        case F_I64:
                *(int64_t *) p = json_node_get_int(v);
                break;
        case F_INT:
                *(int *) p = (int) json_node_get_int(v);
                break;
        case F_U32:
                *(uint32_t *) p = (uint32_t) json_node_get_int(v);
                break;
        case F_BOOL:
                *(bool *) p = json_node_get_boolean(v);
                break;
        default:
                break;
        }
        return 0;
}

static int fields_from_json(void *rec, const Field *f, size_t n, JsonObject *o, CrioError *err) {
        for (size_t i = 0; i < n; i++) {
                JsonNode *v = json_object_get_member(o, f[i].name);
                if (!v || JSON_NODE_HOLDS_NULL(v))
                        continue;
                int r = field_from_json(rec, &f[i], v, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static char *builder_finish(JsonBuilder *b) {
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autoptr(JsonGenerator) g = json_generator_new();
        json_generator_set_root(g, root);
        gchar *s = json_generator_to_data(g, NULL);
        char *out = s ? strdup(s) : NULL;
        g_free(s);
        return out;
}

char *rt_container_to_json(const RtContainer *c) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        fields_to_json(b, c, container_fields, G_N_ELEMENTS(container_fields));
        json_builder_set_member_name(b, "mounts");
        json_builder_begin_array(b);
        for (size_t i = 0; i < c->n_mounts; i++) {
                const RtMount *m = &c->mounts[i];
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "container_path");
                json_builder_add_string_value(b, m->container_path);
                json_builder_set_member_name(b, "host_path");
                json_builder_add_string_value(b, m->host_path);
                json_builder_set_member_name(b, "readonly");
                json_builder_add_boolean_value(b, m->readonly);
                json_builder_set_member_name(b, "selinux_relabel");
                json_builder_add_boolean_value(b, m->selinux_relabel);
                json_builder_set_member_name(b, "propagation");
                json_builder_add_int_value(b, m->propagation);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        return builder_finish(b);
}

char *rt_sandbox_to_json(const RtSandbox *s) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        fields_to_json(b, s, sandbox_fields, G_N_ELEMENTS(sandbox_fields));
        return builder_finish(b);
}

static int parse_object(const char *data, size_t len, JsonParser **ret_parser, JsonObject **ret, CrioError *err) {
        JsonParser *p = json_parser_new();
        GError *ge = NULL;
        if (!json_parser_load_from_data(p, data, (gssize) len, &ge)) {
                crio_error_set(err, EINVAL, "record is not valid JSON: %s", ge ? ge->message : "?");
                g_clear_error(&ge);
                g_object_unref(p);
                return -EINVAL;
        }
        JsonNode *root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
                g_object_unref(p);
                return crio_error_set(err, EINVAL, "record is not a JSON object");
        }
        *ret_parser = p;
        *ret = json_node_get_object(root);
        return 0;
}

static bool valid_id(const char *id) {
        if (!id || strlen(id) != RT_ID_LEN)
                return false;
        for (const char *c = id; *c; c++)
                if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
                        return false;
        return true;
}

int rt_container_from_json(const char *data, size_t len, RtContainer **ret, CrioError *err) {
        g_autoptr(JsonParser) p = NULL;
        JsonObject *o = NULL;
        int r = parse_object(data, len, &p, &o, err);
        if (r < 0)
                return r;
        RtContainer *c = rt_container_new();
        if (!c)
                return crio_error_set(err, ENOMEM, "out of memory");
        r = fields_from_json(c, container_fields, G_N_ELEMENTS(container_fields), o, err);
        JsonNode *mn = json_object_get_member(o, "mounts");
        if (r >= 0 && mn && JSON_NODE_HOLDS_ARRAY(mn)) {
                JsonArray *a = json_node_get_array(mn);
                guint n = json_array_get_length(a);
                c->mounts = calloc(n ? n : 1, sizeof(RtMount));
                if (!c->mounts)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                for (guint i = 0; r >= 0 && i < n; i++) {
                        JsonNode *e = json_array_get_element(a, i);
                        if (!JSON_NODE_HOLDS_OBJECT(e)) {
                                r = crio_error_set(err, EINVAL, "record mount %u is not an object", i);
                                break;
                        }
                        JsonObject *m = json_node_get_object(e);
                        RtMount *d = &c->mounts[c->n_mounts++];
                        d->container_path = strdup(json_object_get_string_member_with_default(m, "container_path", ""));
                        d->host_path = strdup(json_object_get_string_member_with_default(m, "host_path", ""));
                        d->readonly = json_object_get_boolean_member_with_default(m, "readonly", false);
                        d->selinux_relabel = json_object_get_boolean_member_with_default(m, "selinux_relabel", false);
                        d->propagation = (int) json_object_get_int_member_with_default(m, "propagation", 0);
                        if (!d->container_path || !d->host_path)
                                r = crio_error_set(err, ENOMEM, "out of memory");
                }
        }
        if (r >= 0 && (!valid_id(c->id) || !c->name || !c->sandbox_id || !c->bundle || !c->runtime_path))
                r = crio_error_set(err, EINVAL, "container record lacks its id, name, pod, bundle or runtime");
        if (r >= 0 && (c->state < RT_CTR_CREATED || c->state > RT_CTR_UNKNOWN))
                r = crio_error_set(err, EINVAL, "container record has state %d", c->state);
        if (r < 0) {
                rt_container_unref(c);
                return r;
        }
        *ret = c;
        return 0;
}

int rt_sandbox_from_json(const char *data, size_t len, RtSandbox **ret, CrioError *err) {
        g_autoptr(JsonParser) p = NULL;
        JsonObject *o = NULL;
        int r = parse_object(data, len, &p, &o, err);
        if (r < 0)
                return r;
        RtSandbox *s = rt_sandbox_new();
        if (!s)
                return crio_error_set(err, ENOMEM, "out of memory");
        r = fields_from_json(s, sandbox_fields, G_N_ELEMENTS(sandbox_fields), o, err);
        if (r >= 0 && (!valid_id(s->id) || !s->name || !s->dir))
                r = crio_error_set(err, EINVAL, "pod record lacks its id, name or directory");
        if (r < 0) {
                rt_sandbox_unref(s);
                return r;
        }
        *ret = s;
        return 0;
}

void rt_container_free_fields(RtContainer *c) {
        fields_free(c, container_fields, G_N_ELEMENTS(container_fields));
        for (size_t i = 0; i < c->n_mounts; i++) {
                free(c->mounts[i].container_path);
                free(c->mounts[i].host_path);
        }
        free(c->mounts);
        c->mounts = NULL;
        c->n_mounts = 0;
}

void rt_sandbox_free_fields(RtSandbox *s) {
        fields_free(s, sandbox_fields, G_N_ELEMENTS(sandbox_fields));
}
