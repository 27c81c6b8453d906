/* Reading an OciSpec's JSON in unit tests: the document as a tree, and JSONPath queries
 * (the first match) as strings, numbers, lengths. */
#pragma once

#include <json-glib/json-glib.h>

#include "test.h"
#include "oci/spec.h"
#include "util/cleanup.h"
#include "util/error.h"

static inline OciSpec *new_spec(void) {
        OciSpec *s = NULL;
        CrioError err = {};
        if (oci_spec_new(&s, &err) < 0)
                test_fail(__FILE__, __LINE__, "oci_spec_new: %s", err.msg);
        return s;
}

/* The spec as a parsed JSON tree (caller unrefs). */
static inline JsonNode *to_tree(const OciSpec *s) {
        _cleanup_free_ char *text = oci_spec_to_json(s);
        ASSERT_TRUE(text != NULL);
        JsonParser *p = json_parser_new();
        GError *gerr = NULL;
        if (!json_parser_load_from_data(p, text, -1, &gerr))
                test_fail(__FILE__, __LINE__, "invalid JSON: %s\n%s", gerr->message, text);
        JsonNode *root = json_node_copy(json_parser_get_root(p));
        g_object_unref(p);
        return root;
}

/* The first match of a JSONPath expression, or NULL. The returned node lives as long as the
 * last query's result (kept in a static). */
static inline JsonNode *q(JsonNode *root, const char *path) {
        static JsonNode *last;
        if (last)
                json_node_unref(last);
        GError *gerr = NULL;
        last = json_path_query(path, root, &gerr);
        if (!last)
                test_fail(__FILE__, __LINE__, "bad path %s: %s", path, gerr->message);
        JsonArray *a = json_node_get_array(last);
        return json_array_get_length(a) > 0 ? json_array_get_element(a, 0) : NULL;
}

static inline const char *qs(JsonNode *root, const char *path) {
        JsonNode *n = q(root, path);
        return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_string(n) : NULL;
}

static inline int64_t qi(JsonNode *root, const char *path) {
        JsonNode *n = q(root, path);
        if (!n || !JSON_NODE_HOLDS_VALUE(n))
                test_fail(__FILE__, __LINE__, "%s: no number", path);
        return json_node_get_int(n);
}

static inline size_t qlen(JsonNode *root, const char *path) {
        JsonNode *n = q(root, path);
        return n && JSON_NODE_HOLDS_ARRAY(n) ? json_array_get_length(json_node_get_array(n)) : (size_t) -1;
}

static inline bool qhas(JsonNode *root, const char *path) {
        return q(root, path) != NULL;
}

/* True if the array at path holds the string s. */
static inline bool qcontains(JsonNode *root, const char *path, const char *s) {
        JsonNode *n = q(root, path);
        if (!n || !JSON_NODE_HOLDS_ARRAY(n))
                return false;
        JsonArray *a = json_node_get_array(n);
        for (guint i = 0; i < json_array_get_length(a); i++)
                if (strcmp(json_array_get_string_element(a, i), s) == 0)
                        return true;
        return false;
}
