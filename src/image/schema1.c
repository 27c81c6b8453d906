/* Docker schema 1: manifest digests and image configs synthesised from the history (see
 * schema1.h). The config is written with a small scanner over the v1Compatibility text,
 * not through json-glib, because Go keeps each member's value as it came (compacted), and
 * only a raw view of the text can give back those bytes. manifest.c has already checked
 * every v1Compatibility string to be a JSON object (bounded size and depth, no NUL). */
#include <errno.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/schema1.h"
#include "util/cleanup.h"
#include "util/sha256.h"
#include "util/strv.h"

static const char hexdigits[] = "0123456789abcdef";

static void gstring_freep(GString **s) {
        if (*s)
                g_string_free(*s, TRUE);
}

/* ---- the manifest digest: libtrust's pretty-signature payload ---- */

/* libtrust's joseBase64UrlDecode: blanks and newlines dropped, padding optional. NULL if
 * malformed; caller frees. */
static unsigned char *base64url_decode(const char *s, size_t *ret_len) {
        size_t n = strlen(s);
        _cleanup_free_ char *c = malloc(n + 1);
        if (!c)
                return NULL;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (s[i] != ' ' && s[i] != '\n')
                        c[k++] = s[i];
        if (k % 4 == 0 && k > 0 && c[k - 1] == '=')
                k -= c[k - 2] == '=' ? 2 : 1;
        if (k % 4 == 1)
                return NULL;
        unsigned char *out = malloc(k / 4 * 3 + 3);
        if (!out)
                return NULL;
        size_t o = 0;
        uint32_t acc = 0;
        unsigned bits = 0;
        for (size_t i = 0; i < k; i++) {
                char ch = c[i];
                int v = ch >= 'A' && ch <= 'Z' ? ch - 'A' : ch >= 'a' && ch <= 'z' ? ch - 'a' + 26
                      : ch >= '0' && ch <= '9' ? ch - '0' + 52 : ch == '-' ? 62 : ch == '_' ? 63 : -1;
                if (v < 0) {
                        free(out);
                        return NULL;
                }
                acc = acc << 6 | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (unsigned char) (acc >> bits);
                        acc &= (1u << bits) - 1;
                }
        }
        *ret_len = o;
        return out;
}

static void parser_unrefp(JsonParser **p) {
        if (*p)
                g_object_unref(*p);
}

/* One signature's protected header: its formatLength and decoded formatTail. */
static int read_protected(JsonNode *sig, size_t i, int64_t *ret_length, unsigned char **ret_tail, size_t *ret_tail_len,
                          CrioError *err) {
        if (!JSON_NODE_HOLDS_OBJECT(sig))
                return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%zu] is not an object", i);
        JsonNode *p = json_object_get_member(json_node_get_object(sig), "protected");
        if (!p || !JSON_NODE_HOLDS_VALUE(p) || json_node_get_value_type(p) != G_TYPE_STRING)
                return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%zu].protected is not a string", i);
        size_t hlen = 0;
        _cleanup_free_ unsigned char *header = base64url_decode(json_node_get_string(p), &hlen);
        if (!header)
                return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%zu].protected is not base64url", i);
        _cleanup_(parser_unrefp) JsonParser *parser = json_parser_new_immutable();
        JsonNode *root = NULL;
        if (hlen == 0 || memchr(header, '\0', hlen) ||
            !json_parser_load_from_data(parser, (const char *) header, (gssize) hlen, NULL) ||
            !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
                return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%zu].protected is not a JSON object", i);
        JsonObject *h = json_node_get_object(root);
        JsonNode *fl = json_object_get_member(h, "formatLength"), *ft = json_object_get_member(h, "formatTail");
        int64_t length = -1;
        if (fl && JSON_NODE_HOLDS_VALUE(fl) && json_node_get_value_type(fl) == G_TYPE_INT64)
                length = json_node_get_int(fl);
        else if (fl && JSON_NODE_HOLDS_VALUE(fl) && json_node_get_value_type(fl) == G_TYPE_DOUBLE &&
                 json_node_get_double(fl) >= 0 && json_node_get_double(fl) < (double) IMAGE_MANIFEST_MAX_SIZE)
                length = (int64_t) json_node_get_double(fl); /* Go's int(float64) */
        if (length < 0)
                return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%zu]: no valid formatLength", i);
        if (!ft || !JSON_NODE_HOLDS_VALUE(ft) || json_node_get_value_type(ft) != G_TYPE_STRING)
                return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%zu]: no formatTail", i);
        unsigned char *tail = base64url_decode(json_node_get_string(ft), ret_tail_len);
        if (!tail)
                return crio_error_set(err, EINVAL, "schema 1 manifest: signatures[%zu]: formatTail is not base64url", i);
        *ret_length = length;
        *ret_tail = tail;
        return 0;
}

int schema1_manifest_digest(const char *data, size_t len, char **ret_digest, CrioError *err) {
        if (len > IMAGE_MANIFEST_MAX_SIZE)
                return crio_error_set(err, EFBIG, "schema 1 manifest is %zu bytes, more than the limit of %u", len,
                                      IMAGE_MANIFEST_MAX_SIZE);
        _cleanup_(parser_unrefp) JsonParser *parser = json_parser_new_immutable();
        JsonNode *root = NULL;
        if (len == 0 || memchr(data, '\0', len) || !json_parser_load_from_data(parser, data, (gssize) len, NULL) ||
            !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
                return crio_error_set(err, EINVAL, "schema 1 manifest is not a JSON object");
        JsonNode *sigs = json_object_get_member(json_node_get_object(root), "signatures");
        const char *payload = data;
        size_t payload_len = len;
        _cleanup_free_ char *buf = NULL;
        if (sigs && !JSON_NODE_HOLDS_NULL(sigs)) {
                if (!JSON_NODE_HOLDS_ARRAY(sigs))
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures is not an array");
                JsonArray *a = json_node_get_array(sigs);
                size_t n = json_array_get_length(a);
                if (n == 0)
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signatures is empty");
                int64_t length = -1;
                _cleanup_free_ unsigned char *tail = NULL;
                size_t tail_len = 0;
                for (size_t i = 0; i < n; i++) {
                        int64_t l = 0;
                        _cleanup_free_ unsigned char *t = NULL;
                        size_t tl = 0;
                        int r = read_protected(json_array_get_element(a, (guint) i), i, &l, &t, &tl, err);
                        if (r < 0)
                                return r;
                        if (i == 0) {
                                length = l;
                                tail = TAKE_PTR(t);
                                tail_len = tl;
                        } else if (l != length || tl != tail_len || memcmp(t, tail, tl) != 0)
                                return crio_error_set(err, EINVAL, "schema 1 manifest: signatures disagree on the payload");
                }
                if ((uint64_t) length > len)
                        return crio_error_set(err, EINVAL, "schema 1 manifest: signature formatLength %" PRId64
                                                           " is past the end of the manifest (%zu bytes)", length, len);
                if (!(buf = malloc((size_t) length + tail_len + 1)))
                        return crio_error_set(err, ENOMEM, "out of memory");
                memcpy(buf, data, (size_t) length);
                memcpy(buf + length, tail, tail_len);
                payload = buf;
                payload_len = (size_t) length + tail_len;
        }
        char d[SHA256_DIGEST_LEN + 1];
        sha256_digest(payload, payload_len, d);
        if (!(*ret_digest = strdup(d)))
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* ---- a raw view of JSON text ---- */

typedef struct Member {
        char *key;        /* decoded */
        const char *val;  /* the value's text, as written */
        size_t val_len;
} Member;

static void members_free(GArray **a) {
        if (!*a)
                return;
        for (guint i = 0; i < (*a)->len; i++)
                free(g_array_index(*a, Member, i).key);
        g_array_free(*a, TRUE);
}

static size_t skip_blanks(const char *s, size_t n, size_t i) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
                i++;
        return i;
}

/* The index just past the value starting at s[i]; 0 if there is none. */
static size_t value_end(const char *s, size_t n, size_t i) {
        if (i >= n)
                return 0;
        if (s[i] == '"' || s[i] == '{' || s[i] == '[') {
                bool in_string = false;
                size_t depth = 0;
                for (; i < n; i++) {
                        char c = s[i];
                        if (in_string) {
                                if (c == '\\')
                                        i++;
                                else if (c == '"') {
                                        in_string = false;
                                        if (depth == 0)
                                                return i + 1;
                                }
                        } else if (c == '"')
                                in_string = true;
                        else if (c == '{' || c == '[')
                                depth++;
                        else if ((c == '}' || c == ']') && depth > 0 && --depth == 0)
                                return i + 1;
                }
                return 0;
        }
        size_t j = i;
        while (j < n && s[j] != ',' && s[j] != '}' && s[j] != ']' && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' &&
               s[j] != '\r')
                j++;
        return j;
}

static int hex4(const char *s, unsigned *ret) {
        unsigned v = 0;
        for (int k = 0; k < 4; k++) {
                char c = s[k];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0)
                        return -EINVAL;
                v = v << 4 | (unsigned) d;
        }
        *ret = v;
        return 0;
}

/* Decodes the JSON string s[0..n) (quotes included) as Go does (a lone surrogate becomes
 * U+FFFD). -EINVAL if malformed or if it holds a NUL. */
static int decode_string(const char *s, size_t n, char **ret) {
        if (n < 2 || s[0] != '"' || s[n - 1] != '"')
                return -EINVAL;
        _cleanup_(gstring_freep) GString *o = g_string_sized_new(n);
        for (size_t i = 1; i < n - 1; i++) {
                if (s[i] != '\\') {
                        g_string_append_c(o, s[i]);
                        continue;
                }
                if (++i >= n - 1)
                        return -EINVAL;
                unsigned cp;
                switch (s[i]) {
                case '"': case '\\': case '/':
                        g_string_append_c(o, s[i]);
                        break;
                case 'b': g_string_append_c(o, '\b'); break;
                case 'f': g_string_append_c(o, '\f'); break;
                case 'n': g_string_append_c(o, '\n'); break;
                case 'r': g_string_append_c(o, '\r'); break;
                case 't': g_string_append_c(o, '\t'); break;
                case 'u':
                        if (i + 4 >= n - 1 || hex4(s + i + 1, &cp) < 0)
                                return -EINVAL;
                        i += 4;
                        if (cp >= 0xd800 && cp < 0xdc00) {
                                unsigned lo;
                                if (i + 6 < n - 1 && s[i + 1] == '\\' && s[i + 2] == 'u' && hex4(s + i + 3, &lo) == 0 &&
                                    lo >= 0xdc00 && lo < 0xe000) {
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                        i += 6;
                                } else
                                        cp = 0xfffd;
                        } else if (cp >= 0xdc00 && cp < 0xe000)
                                cp = 0xfffd;
                        if (cp == 0)
                                return -EINVAL;
                        g_string_append_unichar(o, cp);
                        break;
                default:
                        return -EINVAL;
                }
        }
        *ret = g_strdup(o->str);
        return 0;
}

/* The members of the object s[0..n) in document order; a key repeated replaces the earlier
 * member's value (Go's map semantics) when dedup is set. */
static int object_members(const char *s, size_t n, bool dedup, GArray **ret) {
        GArray *a = g_array_new(FALSE, TRUE, sizeof(Member));
        _cleanup_(members_free) GArray *guard = a;
        size_t i = skip_blanks(s, n, 0);
        if (i >= n || s[i] != '{')
                return -EINVAL;
        i = skip_blanks(s, n, i + 1);
        if (i < n && s[i] == '}')
                goto done;
        for (;;) {
                size_t ke = value_end(s, n, i);
                if (ke == 0 || s[i] != '"')
                        return -EINVAL;
                _cleanup_free_ char *key = NULL;
                if (decode_string(s + i, ke - i, &key) < 0)
                        return -EINVAL;
                i = skip_blanks(s, n, ke);
                if (i >= n || s[i] != ':')
                        return -EINVAL;
                i = skip_blanks(s, n, i + 1);
                size_t ve = value_end(s, n, i);
                if (ve == 0 || ve == i)
                        return -EINVAL;
                Member m = { .key = TAKE_PTR(key), .val = s + i, .val_len = ve - i };
                bool replaced = false;
                for (guint k = 0; dedup && k < a->len && !replaced; k++) {
                        Member *e = &g_array_index(a, Member, k);
                        if (strcmp(e->key, m.key) == 0) {
                                free(e->key);
                                *e = m;
                                replaced = true;
                        }
                }
                if (!replaced)
                        g_array_append_val(a, m);
                i = skip_blanks(s, n, ve);
                if (i < n && s[i] == ',') {
                        i = skip_blanks(s, n, i + 1);
                        continue;
                }
                if (i < n && s[i] == '}')
                        break;
                return -EINVAL;
        }
done:
        *ret = TAKE_PTR(guard);
        return 0;
}

static bool is_null(const Member *m) {
        return m->val_len == 4 && memcmp(m->val, "null", 4) == 0;
}

static bool is_string(const Member *m) {
        return m->val[0] == '"';
}

/* ---- Go's encoding/json output ---- */

/* A Go string as json.Marshal writes it: HTML characters, U+2028/U+2029 and control
 * characters escaped (\b and \f short, as Go 1.22 and later write them), invalid UTF-8 as
 * \ufffd. */
static void go_string(GString *o, const char *s) {
        g_string_append_c(o, '"');
        size_t n = strlen(s);
        for (size_t i = 0; i < n;) {
                unsigned char b = (unsigned char) s[i];
                if (b < 0x80) {
                        i++;
                        if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
                                g_string_append_c(o, (char) b);
                                continue;
                        }
                        g_string_append_c(o, '\\');
                        switch (b) {
                        case '"': case '\\': g_string_append_c(o, (char) b); break;
                        case '\b': g_string_append_c(o, 'b'); break;
                        case '\f': g_string_append_c(o, 'f'); break;
                        case '\n': g_string_append_c(o, 'n'); break;
                        case '\r': g_string_append_c(o, 'r'); break;
                        case '\t': g_string_append_c(o, 't'); break;
                        default:
                                g_string_append(o, "u00");
                                g_string_append_c(o, hexdigits[b >> 4]);
                                g_string_append_c(o, hexdigits[b & 15]);
                        }
                        continue;
                }
                gunichar c = g_utf8_get_char_validated(s + i, (gssize) (n - i));
                if (c == (gunichar) -1 || c == (gunichar) -2) {
                        g_string_append(o, "\\ufffd");
                        i++;
                        continue;
                }
                size_t len = (size_t) (g_utf8_next_char(s + i) - (s + i));
                if (c == 0x2028 || c == 0x2029)
                        g_string_append_printf(o, "\\u%04x", (unsigned) c);
                else
                        g_string_append_len(o, s + i, (gssize) len);
                i += len;
        }
        g_string_append_c(o, '"');
}

/* A json.RawMessage as json.Marshal writes it: compacted, HTML characters and U+2028/U+2029
 * in strings escaped, everything else as written. */
static void go_compact(GString *o, const char *s, size_t n) {
        bool in_string = false;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (!in_string) {
                        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                                continue;
                        if (c == '"')
                                in_string = true;
                } else if (c == '\\') {
                        g_string_append_c(o, (char) c);
                        if (i + 1 < n)
                                g_string_append_c(o, s[++i]);
                        continue;
                } else if (c == '"')
                        in_string = false;
                if (c == '<' || c == '>' || c == '&') {
                        g_string_append(o, "\\u00");
                        g_string_append_c(o, hexdigits[c >> 4]);
                        g_string_append_c(o, hexdigits[c & 15]);
                        continue;
                }
                if (c == 0xe2 && i + 2 < n && (unsigned char) s[i + 1] == 0x80 && ((unsigned char) s[i + 2] & 0xfe) == 0xa8) {
                        g_string_append(o, (unsigned char) s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
                        i += 2;
                        continue;
                }
                g_string_append_c(o, (char) c);
        }
}

static bool leap(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int digits(const char *s, int n) {
        int v = 0;
        for (int k = 0; k < n; k++) {
                if (s[k] < '0' || s[k] > '9')
                        return -1;
                v = v * 10 + (s[k] - '0');
        }
        return v;
}

/* A "created" value through Go's time.Time: RFC 3339 in (strictly, as time.Time's
 * UnmarshalJSON), RFC3339Nano out (fraction without trailing zeros, "Z" for offset 0). */
static int go_time(const char *s, char out[48]) {
        size_t n = strlen(s);
        if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
                return -EINVAL;
        int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2), mi = digits(s + 14, 2),
            se = digits(s + 17, 2);
        static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)) || h < 0 || h > 23 ||
            mi < 0 || mi > 59 || se < 0 || se > 59)
                return -EINVAL;
        size_t i = 19;
        char frac[10] = "";
        if ((s[i] == '.' || s[i] == ',') && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
                size_t k = 0;
                for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
                        if (k < 9)
                                frac[k++] = s[i];
                frac[k] = '\0';
                while (k > 0 && frac[k - 1] == '0')
                        frac[--k] = '\0';
        }
        const char *zone;
        if (strcmp(s + i, "Z") == 0)
                zone = "Z";
        else {
                const char *z = s + i;
                if (strlen(z) != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':')
                        return -EINVAL;
                int zh = digits(z + 1, 2), zm = digits(z + 4, 2);
                if (zh < 0 || zh > 23 || zm < 0 || zm > 59)
                        return -EINVAL;
                zone = zh == 0 && zm == 0 ? "Z" : z;
        }
        snprintf(out, 48, "%.19s%s%s%s", s, *frac ? "." : "", frac, zone);
        return 0;
}

/* ---- the history ---- */

typedef struct Compat {
        char *created; /* Go's formatting of it; "0001-01-01T00:00:00Z" if absent */
        char *created_by;
        char *author;
        char *comment;
        bool throwaway;
} Compat;

static void compat_clear(Compat *c) {
        free(c->created);
        free(c->created_by);
        free(c->author);
        free(c->comment);
        *c = (Compat){};
}

/* A string member into *ret (null leaves it as it is, as Go does). */
static int member_string(const Member *m, char **ret) {
        if (is_null(m))
                return 0;
        if (!is_string(m))
                return -EINVAL;
        char *s = NULL;
        if (decode_string(m->val, m->val_len, &s) < 0)
                return -EINVAL;
        free(*ret);
        *ret = s;
        return 0;
}

/* container_config.Cmd joined with " " into *ret. */
static int read_container_config(const Member *m, char **ret) {
        if (is_null(m))
                return 0;
        _cleanup_(members_free) GArray *a = NULL;
        if (m->val[0] != '{' || object_members(m->val, m->val_len, false, &a) < 0)
                return -EINVAL;
        for (guint k = 0; k < a->len; k++) {
                Member *e = &g_array_index(a, Member, k);
                if (g_ascii_strcasecmp(e->key, "Cmd") != 0)
                        continue;
                if (is_null(e)) {
                        g_free(*ret);
                        *ret = g_strdup("");
                        continue;
                }
                if (e->val[0] != '[')
                        return -EINVAL;
                _cleanup_(gstring_freep) GString *joined = g_string_new("");
                size_t i = skip_blanks(e->val, e->val_len, 1), count = 0;
                while (i < e->val_len && e->val[i] != ']') {
                        size_t end = value_end(e->val, e->val_len, i);
                        if (end == 0)
                                return -EINVAL;
                        Member item = { .val = e->val + i, .val_len = end - i };
                        _cleanup_free_ char *s = NULL;
                        if (member_string(&item, &s) < 0)
                                return -EINVAL;
                        if (count++ > 0)
                                g_string_append_c(joined, ' ');
                        g_string_append(joined, s ? s : "");
                        i = skip_blanks(e->val, e->val_len, end);
                        if (i < e->val_len && e->val[i] == ',')
                                i = skip_blanks(e->val, e->val_len, i + 1);
                }
                g_free(*ret);
                *ret = g_strdup(joined->str);
        }
        return 0;
}

/* The fields of one v1Compatibility that the history takes, matched as Go matches struct
 * fields (case-insensitively, the last occurrence winning). */
static int read_compat(const char *v1, Compat *c, char field[64]) {
        _cleanup_(members_free) GArray *a = NULL;
        if (object_members(v1, strlen(v1), false, &a) < 0) {
                snprintf(field, 64, "JSON");
                return -EINVAL;
        }
        for (guint k = 0; k < a->len; k++) {
                Member *m = &g_array_index(a, Member, k);
                int r = 0;
                snprintf(field, 64, "%s", m->key);
                if (g_ascii_strcasecmp(m->key, "created") == 0) {
                        _cleanup_free_ char *raw = NULL;
                        char t[48];
                        if ((r = member_string(m, &raw)) < 0)
                                return r;
                        if (raw) {
                                if (go_time(raw, t) < 0)
                                        return -EINVAL;
                                free(c->created);
                                c->created = strdup(t);
                        }
                } else if (g_ascii_strcasecmp(m->key, "author") == 0)
                        r = member_string(m, &c->author);
                else if (g_ascii_strcasecmp(m->key, "comment") == 0)
                        r = member_string(m, &c->comment);
                else if (g_ascii_strcasecmp(m->key, "id") == 0 || g_ascii_strcasecmp(m->key, "parent") == 0) {
                        _cleanup_free_ char *ignored = NULL;
                        r = member_string(m, &ignored);
                } else if (g_ascii_strcasecmp(m->key, "throwaway") == 0) {
                        if (m->val_len == 4 && memcmp(m->val, "true", 4) == 0)
                                c->throwaway = true;
                        else if (m->val_len == 5 && memcmp(m->val, "false", 5) == 0)
                                c->throwaway = false;
                        else if (!is_null(m))
                                r = -EINVAL;
                } else if (g_ascii_strcasecmp(m->key, "container_config") == 0)
                        r = read_container_config(m, &c->created_by);
                if (r < 0)
                        return r;
        }
        if (!c->created && !(c->created = strdup("0001-01-01T00:00:00Z")))
                return -ENOMEM;
        return 0;
}

/* One entry as Go writes containers/image's Schema2History (fields in its order). */
static void history_entry(GString *o, const Compat *c) {
        g_string_append(o, "{\"created\":\"");
        g_string_append(o, c->created);
        g_string_append_c(o, '"');
        if (c->author && *c->author) {
                g_string_append(o, ",\"author\":");
                go_string(o, c->author);
        }
        if (c->created_by && *c->created_by) {
                g_string_append(o, ",\"created_by\":");
                go_string(o, c->created_by);
        }
        if (c->comment && *c->comment) {
                g_string_append(o, ",\"comment\":");
                go_string(o, c->comment);
        }
        if (c->throwaway)
                g_string_append(o, ",\"empty_layer\":true");
        g_string_append_c(o, '}');
}

/* ---- the config ---- */

static gint member_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(((const Member *) a)->key, ((const Member *) b)->key);
}

/* Members of the top v1Compatibility that the config does not carry over. */
static const char *const dropped[] = { "id", "parent", "parent_id", "layer_id", "throwaway", "Size",
                                       "rootfs", "history", NULL };

int schema1_config_synthesize(const ImageManifest *m, char *const *diff_ids, char **ret_config, size_t *ret_len,
                              CrioError *err) {
        size_t n = strv_length(m->v1_compat);
        if (n == 0)
                return crio_error_set(err, EINVAL, "schema 1 manifest has no history to make an image config from");

        _cleanup_(gstring_freep) GString *history = g_string_new("[");
        size_t layers = 0;
        for (size_t i = 0; i < n; i++) {
                Compat c = {};
                char field[64] = "";
                int r = read_compat(m->v1_compat[i], &c, field);
                if (r == 0 && i > 0)
                        g_string_append_c(history, ',');
                if (r == 0)
                        history_entry(history, &c);
                layers += !c.throwaway;
                compat_clear(&c);
                if (r == -ENOMEM)
                        return crio_error_set(err, ENOMEM, "out of memory");
                if (r < 0)
                        return crio_error_set(err, EINVAL, "schema 1 manifest: history[%zu].v1Compatibility: "
                                                           "invalid %s", n - 1 - i, field);
        }
        g_string_append_c(history, ']');
        if (layers != strv_length((char **) diff_ids))
                return crio_error_set(err, EINVAL, "schema 1 manifest: %zu layers in the history but %zu diff IDs", layers,
                                      strv_length((char **) diff_ids));

        _cleanup_(gstring_freep) GString *rootfs = g_string_new("{\"type\":\"layers\"");
        for (size_t i = 0; diff_ids && diff_ids[i]; i++) {
                g_string_append(rootfs, i == 0 ? ",\"diff_ids\":[" : ",");
                go_string(rootfs, diff_ids[i]);
        }
        g_string_append(rootfs, diff_ids && diff_ids[0] ? "]}" : "}");

        const char *top = m->v1_compat[n - 1];
        _cleanup_(members_free) GArray *a = NULL;
        if (object_members(top, strlen(top), true, &a) < 0)
                return crio_error_set(err, EINVAL, "schema 1 manifest: the top v1Compatibility is not a JSON object");
        for (guint k = a->len; k-- > 0;)
                if (strv_contains((char **) dropped, g_array_index(a, Member, k).key)) {
                        free(g_array_index(a, Member, k).key);
                        g_array_remove_index(a, k);
                }
        Member extra[] = { { .key = g_strdup("rootfs"), .val = rootfs->str, .val_len = rootfs->len },
                           { .key = g_strdup("history"), .val = history->str, .val_len = history->len } };
        g_array_append_vals(a, extra, 2);
        g_array_sort(a, member_cmp);

        _cleanup_(gstring_freep) GString *o = g_string_new("{");
        for (guint k = 0; k < a->len; k++) {
                const Member *e = &g_array_index(a, Member, k);
                if (k > 0)
                        g_string_append_c(o, ',');
                go_string(o, e->key);
                g_string_append_c(o, ':');
                go_compact(o, e->val, e->val_len);
                if (o->len > SCHEMA1_CONFIG_MAX_SIZE)
                        break;
        }
        g_string_append_c(o, '}');
        if (o->len > SCHEMA1_CONFIG_MAX_SIZE)
                return crio_error_set(err, EFBIG, "the image config made from the schema 1 history is more than %u bytes",
                                      SCHEMA1_CONFIG_MAX_SIZE);
        char *config = malloc(o->len + 1);
        if (!config)
                return crio_error_set(err, ENOMEM, "out of memory");
        memcpy(config, o->str, o->len + 1);
        *ret_len = o->len;
        *ret_config = config;
        return 0;
}
