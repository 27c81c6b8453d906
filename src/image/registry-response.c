/* Bounded parsers of untrusted response pieces for the registry client: error bodies and
 * Content-Range (see registry-internal.h). */
#include <errno.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/registry-internal.h"
#include "util/cleanup.h"

char *registry_sanitize(const char *s, size_t len, size_t max) {
        if (len > max)
                len = max;
        char *out = malloc(len + 1);
        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                unsigned char ch = (unsigned char) s[i];
                out[i] = ch >= 0x20 && ch < 0x7f ? (char) ch : (ch == '\n' || ch == '\t' ? ' ' : '?');
        }
        out[len] = '\0';
        return out;
}

char *registry_url_strip_query(const char *url) {
        return strndup(url, strcspn(url, "?#"));
}

static void parser_unrefp(JsonParser **p) {
        if (*p)
                g_object_unref(*p);
}

static const char *member_string(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        const char *s = json_node_get_string(n);
        return s && *s ? s : NULL;
}

/* Appends "; " + s to msg, bounded by REGISTRY_ERROR_MESSAGE_MAX. */
static void append_message(GString *msg, const char *s) {
        if (!s || msg->len >= REGISTRY_ERROR_MESSAGE_MAX)
                return;
        if (msg->len)
                g_string_append(msg, "; ");
        g_string_append(msg, s);
}

char *registry_error_message(const char *body, size_t len) {
        if (!body || len == 0)
                return NULL;
        if (len > REGISTRY_ERROR_BODY_MAX)
                len = REGISTRY_ERROR_BODY_MAX;
        _cleanup_(parser_unrefp) JsonParser *p = json_parser_new_immutable();
        if (!json_parser_load_from_data(p, body, (gssize) len, NULL))
                return NULL;
        JsonNode *root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return NULL;
        JsonObject *o = json_node_get_object(root);
        GString *msg = g_string_new(NULL);

        /* distribution: {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]} */
        JsonNode *errors = json_object_get_member(o, "errors");
        if (errors && JSON_NODE_HOLDS_ARRAY(errors)) {
                JsonArray *a = json_node_get_array(errors);
                guint n = json_array_get_length(a);
                for (guint i = 0; i < n && i < REGISTRY_ERROR_MESSAGES_MAX; i++) {
                        JsonNode *e = json_array_get_element(a, i);
                        if (!e || !JSON_NODE_HOLDS_OBJECT(e))
                                continue;
                        JsonObject *eo = json_node_get_object(e);
                        const char *m = member_string(eo, "message");
                        append_message(msg, m ? m : member_string(eo, "code"));
                }
        }
        /* OAuth2 (RFC 6749 5.2): {"error": "invalid_grant", "error_description": "..."} */
        if (msg->len == 0) {
                const char *d = member_string(o, "error_description");
                append_message(msg, d ? d : member_string(o, "error"));
        }
        /* Docker Hub's token service: {"details": "..."}; others: {"message": "..."} */
        if (msg->len == 0)
                append_message(msg, member_string(o, "details"));
        if (msg->len == 0)
                append_message(msg, member_string(o, "message"));

        char *out = msg->len ? registry_sanitize(msg->str, msg->len, REGISTRY_ERROR_MESSAGE_MAX) : NULL;
        g_string_free(msg, TRUE);
        return out;
}

/* Parses 1 to 19 decimal digits at *p (no sign, no overflow of int64). */
static int parse_u63(const char **p, uint64_t *ret) {
        const char *s = *p;
        uint64_t v = 0;
        size_t n = 0;
        while (s[n] >= '0' && s[n] <= '9') {
                if (n == 18)
                        return -EINVAL; /* 19 digits could pass INT64_MAX */
                v = v * 10 + (uint64_t) (s[n] - '0');
                n++;
        }
        if (n == 0)
                return -EINVAL;
        *p = s + n;
        *ret = v;
        return 0;
}

int registry_content_range_parse(const char *value, uint64_t *ret_first, uint64_t *ret_last, int64_t *ret_total) {
        if (!value || strnlen(value, REGISTRY_HEADER_VALUE_MAX + 1) > REGISTRY_HEADER_VALUE_MAX)
                return -EINVAL;
        const char *p = value;
        if (g_ascii_strncasecmp(p, "bytes", 5) != 0)
                return -EINVAL;
        p += 5;
        if (*p != ' ')
                return -EINVAL;
        while (*p == ' ')
                p++;
        uint64_t first, last, total = 0;
        bool total_known = false;
        if (parse_u63(&p, &first) < 0 || *p++ != '-' || parse_u63(&p, &last) < 0 || *p++ != '/')
                return -EINVAL;
        if (*p == '*')
                p++;
        else {
                if (parse_u63(&p, &total) < 0)
                        return -EINVAL;
                total_known = true;
        }
        if (*p != '\0' || last < first || (total_known && last >= total))
                return -EINVAL;
        *ret_first = first;
        *ret_last = last;
        *ret_total = total_known ? (int64_t) total : -1;
        return 0;
}
