/* The on-disk records of pods and containers (state.json), table-driven: each field once.
 * A record is checked (util/json-check.h: RT_RECORD_MAX_SIZE, RT_RECORD_MAX_DEPTH, integers
 * that fit) before json-glib reads it; lists hold at most RT_RECORD_MAX_LIST entries. */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/json-check.h"
#include "util/strv.h"

/* F_PAIRS: a list of strings, "key", "value", ... (an even number of them). */
typedef enum { F_STR, F_STRV, F_PAIRS, F_I64, F_INT, F_U32, F_BOOL } FieldType;

typedef struct Field {
        const char *name;
        FieldType type;
        size_t offset;
} Field;

#define C(n, t) { #n, t, offsetof(RtContainer, n) }
static const Field container_fields[] = {
        C(id, F_STR),          C(name, F_STR),        C(sandbox_id, F_STR),      C(infra, F_BOOL),
        C(meta_name, F_STR),   C(attempt, F_U32),     C(image, F_STR),           C(image_id, F_STR),
        C(image_ref, F_STR),   C(labels, F_PAIRS),    C(annotations, F_PAIRS),   C(log_path, F_STR),
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
        S(meta_namespace, F_STR), S(attempt, F_U32),     S(labels, F_PAIRS),      S(annotations, F_PAIRS),
        S(runtime_handler, F_STR), S(hostname, F_STR),   S(log_dir, F_STR),       S(cgroup_parent, F_STR),
        S(dir, F_STR),           S(netns_path, F_STR),   S(ipcns_path, F_STR),    S(utsns_path, F_STR),
        S(shm_path, F_STR),      S(resolv_path, F_STR),  S(hostname_path, F_STR), S(hosts_path, F_STR),
        S(ns_network, F_INT),    S(ns_pid, F_INT),       S(ns_ipc, F_INT),        S(ns_target_id, F_STR),
        S(ips, F_STRV),          S(created_at, F_I64),   S(state, F_INT),         S(network_stopped, F_BOOL),
        S(process_label, F_STR), S(mount_label, F_STR),
};
#undef S
#define M(n, t) { #n, t, offsetof(RtMount, n) }
static const Field mount_fields[] = {
        M(container_path, F_STR), M(host_path, F_STR), M(readonly, F_BOOL), M(selinux_relabel, F_BOOL),
        M(propagation, F_INT),
};
#undef M

static void fields_free(void *rec, const Field *f, size_t n) {
        for (size_t i = 0; i < n; i++) {
                void *p = (char *) rec + f[i].offset;
                if (f[i].type == F_STR) {
                        free(*(char **) p);
                        *(char **) p = NULL;
                } else if (f[i].type == F_STRV || f[i].type == F_PAIRS) {
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
                case F_PAIRS:
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

static int list_from_json(void *p, const Field *f, JsonNode *v, CrioError *err) {
        if (!JSON_NODE_HOLDS_ARRAY(v))
                return crio_error_set(err, EINVAL, "record field %s is not an array", f->name);
        JsonArray *a = json_node_get_array(v);
        guint n = json_array_get_length(a);
        if (n > RT_RECORD_MAX_LIST)
                return crio_error_set(err, E2BIG, "record field %s has more than %u entries", f->name, RT_RECORD_MAX_LIST);
        if (f->type == F_PAIRS && n % 2 != 0)
                return crio_error_set(err, EINVAL, "record field %s has a key without a value", f->name);
        _cleanup_strv_free_ char **out = calloc(n + 1, sizeof(char *));
        if (!out)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (guint i = 0; i < n; i++) {
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

static int field_from_json(void *rec, const Field *f, JsonNode *v, CrioError *err) {
        void *p = (char *) rec + f->offset;
        if (f->type == F_STRV || f->type == F_PAIRS)
                return list_from_json(p, f, v, err);
        GType want = f->type == F_STR ? G_TYPE_STRING : f->type == F_BOOL ? G_TYPE_BOOLEAN : G_TYPE_INT64;
        if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != want)
                return crio_error_set(err, EINVAL, "record field %s has the wrong type", f->name);
        int64_t i = want == G_TYPE_INT64 ? json_node_get_int(v) : 0;
        if ((f->type == F_INT && (i < INT_MIN || i > INT_MAX)) || (f->type == F_U32 && (i < 0 || i > UINT32_MAX)))
                return crio_error_set(err, ERANGE, "record field %s is out of range (%" PRId64 ")", f->name, i);
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
                *(int64_t *) p = i;
                break;
        case F_INT:
                *(int *) p = (int) i;
                break;
        case F_U32:
                *(uint32_t *) p = (uint32_t) i;
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
                json_builder_begin_object(b);
                fields_to_json(b, &c->mounts[i], mount_fields, G_N_ELEMENTS(mount_fields));
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
        if (len > RT_RECORD_MAX_SIZE)
                return crio_error_set(err, E2BIG, "record is larger than %u bytes", RT_RECORD_MAX_SIZE);
        int r = json_check("record", data, len, RT_RECORD_MAX_DEPTH, JSON_CHECK_NUMBER_RANGE, err);
        if (r < 0)
                return r;
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

static int mounts_from_json(RtContainer *c, JsonNode *v, CrioError *err) {
        if (!v || JSON_NODE_HOLDS_NULL(v))
                return 0;
        if (!JSON_NODE_HOLDS_ARRAY(v))
                return crio_error_set(err, EINVAL, "record field mounts is not an array");
        JsonArray *a = json_node_get_array(v);
        guint n = json_array_get_length(a);
        if (n > RT_RECORD_MAX_LIST)
                return crio_error_set(err, E2BIG, "record field mounts has more than %u entries", RT_RECORD_MAX_LIST);
        c->mounts = calloc(n ? n : 1, sizeof(RtMount));
        if (!c->mounts)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (guint i = 0; i < n; i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(e))
                        return crio_error_set(err, EINVAL, "record mount %u is not an object", i);
                RtMount *m = &c->mounts[c->n_mounts++];
                int r = fields_from_json(m, mount_fields, G_N_ELEMENTS(mount_fields), json_node_get_object(e), err);
                if (r < 0)
                        return crio_error_prefix(err, "record mount %u: ", i);
                if ((!m->container_path && !(m->container_path = strdup(""))) || (!m->host_path && !(m->host_path = strdup(""))))
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
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
        if (r >= 0)
                r = mounts_from_json(c, json_object_get_member(o, "mounts"), err);
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

static bool ns_mode_valid(int mode) {
        return mode >= RT_NS_POD && mode <= RT_NS_TARGET;
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
        if (r >= 0 && (s->state < RT_POD_READY || s->state > RT_POD_NOTREADY))
                r = crio_error_set(err, EINVAL, "pod record has state %d", s->state);
        if (r >= 0 && !(ns_mode_valid(s->ns_network) && ns_mode_valid(s->ns_pid) && ns_mode_valid(s->ns_ipc)))
                r = crio_error_set(err, EINVAL, "pod record has an unknown namespace mode");
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
