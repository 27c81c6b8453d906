/* JSON record files and member helpers (json-glib keeps member order and unknown members,
 * so records written by containers/storage survive our rewrites unchanged). */
#include <errno.h>
#include <string.h>

#include "store-internal.h"
#include "util/fileio.h"

int store_json_load(const char *path, JsonArray **ret, CrioError *err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_file(path, STORE_JSON_MAX, &data, &len, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                *ret = json_array_new();
                return 0;
        }
        if (r < 0)
                return r;
        if (strspn(data, " \t\r\n") == len) { /* empty: as containers/storage, no records */
                *ret = json_array_new();
                return 0;
        }
        JsonParser *p = json_parser_new();
        GError *gerr = NULL;
        if (!json_parser_load_from_data(p, data, (gssize) len, &gerr)) {
                r = crio_error_set(err, EBADMSG, "parsing %s: %s", path, gerr ? gerr->message : "invalid JSON");
                g_clear_error(&gerr);
                g_object_unref(p);
                return r;
        }
        JsonNode *root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_ARRAY(root)) {
                g_object_unref(p);
                return crio_error_set(err, EBADMSG, "parsing %s: not a JSON array", path);
        }
        JsonArray *a = json_node_dup_array(root);
        g_object_unref(p);
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *n = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(n) || !jobj_str(json_node_get_object(n), "id")) {
                        json_array_unref(a);
                        return crio_error_set(err, EBADMSG, "parsing %s: record %u has no \"id\"", path, i);
                }
        }
        *ret = a;
        return 0;
}

char *store_json_to_data(JsonNode *root, size_t *ret_len) {
        JsonGenerator *g = json_generator_new();
        json_generator_set_root(g, root);
        gsize len = 0;
        gchar *s = json_generator_to_data(g, &len);
        g_object_unref(g);
        if (ret_len)
                *ret_len = len;
        return s; /* g_malloc'd, and glib's allocator is malloc: free() is fine */
}

int store_json_save(const char *path, JsonArray *a, CrioError *err) {
        JsonNode *root = json_node_alloc();
        json_node_init_array(root, a);
        size_t len = 0;
        char *data = store_json_to_data(root, &len);
        json_node_unref(root);
        if (!data)
                return crio_error_set(err, ENOMEM, "writing %s: out of memory", path);
        int r = write_file_atomic(path, data, len, 0600, err);
        g_free(data);
        return r;
}

static JsonNode *member_value(JsonObject *o, const char *member, GType type) {
        JsonNode *n = json_object_get_member(o, member);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != type)
                return NULL;
        return n;
}

const char *jobj_str(JsonObject *o, const char *member) {
        JsonNode *n = member_value(o, member, G_TYPE_STRING);
        return n ? json_node_get_string(n) : NULL;
}

int64_t jobj_int(JsonObject *o, const char *member) {
        JsonNode *n = member_value(o, member, G_TYPE_INT64);
        return n ? json_node_get_int(n) : -1;
}

static JsonArray *member_array(JsonObject *o, const char *member) {
        JsonNode *n = json_object_get_member(o, member);
        return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

char **jobj_strv(JsonObject *o, const char *member) {
        JsonArray *a = member_array(o, member);
        guint n = a ? json_array_get_length(a) : 0;
        char **v = calloc(n + 1, sizeof(char *));
        if (!v)
                return NULL;
        size_t k = 0;
        for (guint i = 0; i < n; i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
                        continue;
                if (!(v[k++] = strdup(json_node_get_string(e)))) {
                        strv_free(v);
                        return NULL;
                }
        }
        return v;
}

bool jobj_strv_contains(JsonObject *o, const char *member, const char *s) {
        JsonArray *a = member_array(o, member);
        for (guint i = 0; a && i < json_array_get_length(a); i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING &&
                    strcmp(json_node_get_string(e), s) == 0)
                        return true;
        }
        return false;
}

void jobj_set_str(JsonObject *o, const char *member, const char *s) {
        if (!s || !*s) {
                if (json_object_has_member(o, member))
                        json_object_remove_member(o, member);
                return;
        }
        json_object_set_string_member(o, member, s);
}

void jobj_set_int(JsonObject *o, const char *member, int64_t v) {
        json_object_set_int_member(o, member, v);
}

bool jobj_strv_add(JsonObject *o, const char *member, const char *s, bool front) {
        JsonArray *old = member_array(o, member);
        if (old && jobj_strv_contains(o, member, s) && !front)
                return false;
        JsonArray *a = json_array_new();
        if (front)
                json_array_add_string_element(a, s);
        for (guint i = 0; old && i < json_array_get_length(old); i++) {
                JsonNode *e = json_array_get_element(old, i);
                if (front && JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING &&
                    strcmp(json_node_get_string(e), s) == 0)
                        continue; /* moved to the front */
                json_array_add_element(a, json_node_copy(e));
        }
        if (!front)
                json_array_add_string_element(a, s);
        json_object_set_array_member(o, member, a);
        return true;
}

bool jobj_strv_remove(JsonObject *o, const char *member, const char *s) {
        JsonArray *old = member_array(o, member);
        if (!old || !jobj_strv_contains(o, member, s))
                return false;
        JsonArray *a = json_array_new();
        for (guint i = 0; i < json_array_get_length(old); i++) {
                JsonNode *e = json_array_get_element(old, i);
                if (JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING &&
                    strcmp(json_node_get_string(e), s) == 0)
                        continue;
                json_array_add_element(a, json_node_copy(e));
        }
        if (json_array_get_length(a) == 0) {
                json_array_unref(a);
                json_object_remove_member(o, member);
        } else
                json_object_set_array_member(o, member, a);
        return true;
}

static JsonObject *member_object(JsonObject *o, const char *member, bool create) {
        JsonNode *n = json_object_get_member(o, member);
        if (n && JSON_NODE_HOLDS_OBJECT(n))
                return json_node_get_object(n);
        if (!create)
                return NULL;
        JsonObject *m = json_object_new();
        json_object_set_object_member(o, member, m);
        return m;
}

bool jobj_flag(JsonObject *o, const char *flag) {
        JsonObject *f = member_object(o, "flags", false);
        JsonNode *n = f ? member_value(f, flag, G_TYPE_BOOLEAN) : NULL;
        return n && json_node_get_boolean(n);
}

void jobj_set_flag(JsonObject *o, const char *flag, bool on) {
        JsonObject *f = member_object(o, "flags", on);
        if (!f)
                return;
        if (on)
                json_object_set_boolean_member(f, flag, TRUE);
        else {
                if (json_object_has_member(f, flag))
                        json_object_remove_member(f, flag);
                if (json_object_get_size(f) == 0) /* an empty map is omitted */
                        json_object_remove_member(o, "flags");
        }
}

void jobj_map_set_int(JsonObject *o, const char *member, const char *key, int64_t v) {
        json_object_set_int_member(member_object(o, member, true), key, v);
}

void jobj_map_set_str(JsonObject *o, const char *member, const char *key, const char *v) {
        json_object_set_string_member(member_object(o, member, true), key, v);
}

int64_t jobj_map_int(JsonObject *o, const char *member, const char *key) {
        JsonObject *m = member_object(o, member, false);
        return m ? jobj_int(m, key) : -1;
}

const char *jobj_map_str(JsonObject *o, const char *member, const char *key) {
        JsonObject *m = member_object(o, member, false);
        return m ? jobj_str(m, key) : NULL;
}
