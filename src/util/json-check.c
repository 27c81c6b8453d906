/* The strict JSON check (json-check.h): one RFC 8259 value, scanned before json-glib reads it. */
#include "util/json-check.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

typedef struct JsonKey {
        char *s;
        size_t len;
        const char *at; /* where the key starts in the input */
} JsonKey;

typedef struct JsonScan {
        const char *what;
        const char *start, *p, *end;
        unsigned max_depth;
        unsigned flags;
        CrioError *err;
} JsonScan;

static int scan_fail(JsonScan *s, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int scan_fail(JsonScan *s, const char *at, const char *fmt, ...) {
        unsigned line = 1, col = 1;
        for (const char *q = s->start; q < at && q < s->end; q++) {
                if (*q == '\n') {
                        line++;
                        col = 1;
                } else
                        col++;
        }
        if (!s->err || s->err->msg)
                return -EINVAL; /* the first message stays */
        va_list ap;
        va_start(ap, fmt);
        crio_error_setv(s->err, EINVAL, fmt, ap);
        va_end(ap);
        crio_error_prefix(s->err, "%s: line %u column %u: ", s->what, line, col);
        return -EINVAL;
}

static void scan_ws(JsonScan *s) {
        while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
                s->p++;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end) {
        unsigned char c = p[0];
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2;
        else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                if (c == 0xe0)
                        lo = 0xa0;
                else if (c == 0xed)
                        hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                if (c == 0xf0)
                        lo = 0x90;
                else if (c == 0xf4)
                        hi = 0x8f;
        } else
                return 0;
        if ((size_t) (end - p) < n)
                return 0;
        if (p[1] < lo || p[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if (p[i] < 0x80 || p[i] > 0xbf)
                        return 0;
        return n;
}

static int hex4(const char *p, const char *end, unsigned *ret) {
        unsigned v = 0;
        if (end - p < 4)
                return -1;
        for (int i = 0; i < 4; i++) {
                char c = p[i];
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (unsigned) (c - 'A' + 10);
                else
                        return -1;
        }
        *ret = v;
        return 0;
}

static size_t utf8_put(char *out, unsigned cp) {
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char) (0xc0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char) (0xe0 | (cp >> 12));
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char) (0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char) (0xf0 | (cp >> 18));
        out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char) (0x80 | (cp & 0x3f));
        return 4;
}

/* A string at s->p ('"'). With ret, its decoded bytes (caller frees). */
static int scan_string(JsonScan *s, char **ret, size_t *ret_len) {
        const char *open = s->p++;
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        if (ret) {
                /* decoded text is never longer than the raw text */
                const char *q = s->p;
                while (q < s->end && *q != '"')
                        q += (*q == '\\' && q + 1 < s->end) ? 2 : 1;
                buf = malloc((size_t) (q - s->p) + 1);
                if (!buf)
                        return crio_error_set(s->err, ENOMEM, "%s: out of memory", s->what);
        }
        for (;;) {
                if (s->p >= s->end)
                        return scan_fail(s, open, "unterminated string");
                unsigned char c = (unsigned char) *s->p;
                if (c == '"') {
                        s->p++;
                        break;
                }
                if (c < 0x20)
                        return scan_fail(s, s->p, "control character 0x%02x in a string", c);
                if (c == '\\') {
                        const char *esc = s->p;
                        if (s->p + 1 >= s->end)
                                return scan_fail(s, esc, "unterminated string");
                        char e = s->p[1];
                        s->p += 2;
                        char out;
                        switch (e) {
                        case '"': out = '"'; break;
                        case '\\': out = '\\'; break;
                        case '/': out = '/'; break;
                        case 'b': out = '\b'; break;
                        case 'f': out = '\f'; break;
                        case 'n': out = '\n'; break;
                        case 'r': out = '\r'; break;
                        case 't': out = '\t'; break;
                        case 'u': {
                                unsigned cp, lo;
                                if (hex4(s->p, s->end, &cp) < 0)
                                        return scan_fail(s, esc, "invalid \\u escape");
                                s->p += 4;
                                if (cp == 0)
                                        return scan_fail(s, esc, "\\u0000 (NUL) in a string");
                                if (cp >= 0xdc00 && cp <= 0xdfff)
                                        return scan_fail(s, esc, "unpaired surrogate in \\u escape");
                                if (cp >= 0xd800 && cp <= 0xdbff) {
                                        if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
                                            hex4(s->p + 2, s->end, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
                                                return scan_fail(s, esc, "unpaired surrogate in \\u escape");
                                        s->p += 6;
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                }
                                if (buf)
                                        n += utf8_put(buf + n, cp);
                                continue;
                        }
                        default:
                                return scan_fail(s, esc, "invalid escape \\%c", (e >= 0x20 && e < 0x7f) ? e : '?');
                        }
                        if (buf)
                                buf[n++] = out;
                        continue;
                }
                size_t k = utf8_seq((const unsigned char *) s->p, (const unsigned char *) s->end);
                if (k == 0)
                        return scan_fail(s, s->p, "invalid UTF-8");
                if (buf)
                        memcpy(buf + n, s->p, k);
                n += buf ? k : 0;
                s->p += k;
        }
        if (ret) {
                buf[n] = '\0';
                *ret = TAKE_PTR(buf);
                *ret_len = n;
        }
        return 0;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Whether the number at [at, at + n) fits what json-glib makes of it: an int64_t for an
 * integer, a finite double otherwise. */
static int check_range(JsonScan *s, const char *at, size_t n, bool integer) {
        if (integer) {
                bool neg = *at == '-';
                size_t digits = n - neg;
                const char *max = neg ? "9223372036854775808" : "9223372036854775807";
                if (digits > 19 || (digits == 19 && memcmp(at + neg, max, 19) > 0))
                        return scan_fail(s, at, "integer out of range (64 bits)");
                return 0;
        }
        _cleanup_free_ char *copy = strndup(at, n);
        if (!copy)
                return crio_error_set(s->err, ENOMEM, "%s: out of memory", s->what);
        if (isinf(strtod(copy, NULL)))
                return scan_fail(s, at, "number out of range (beyond a double)");
        return 0;
}

static int scan_number(JsonScan *s) {
        const char *at = s->p;
        bool integer = true;
        if (s->p < s->end && *s->p == '-')
                s->p++;
        if (s->p >= s->end || !is_digit(*s->p))
                return scan_fail(s, at, "invalid number");
        if (*s->p == '0')
                s->p++;
        else
                while (s->p < s->end && is_digit(*s->p))
                        s->p++;
        if (s->p < s->end && *s->p == '.') {
                s->p++;
                integer = false;
                if (s->p >= s->end || !is_digit(*s->p))
                        return scan_fail(s, at, "invalid number");
                while (s->p < s->end && is_digit(*s->p))
                        s->p++;
        }
        if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
                s->p++;
                integer = false;
                if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
                        s->p++;
                if (s->p >= s->end || !is_digit(*s->p))
                        return scan_fail(s, at, "invalid number");
                while (s->p < s->end && is_digit(*s->p))
                        s->p++;
        }
        if (s->p < s->end && (is_digit(*s->p) || *s->p == '.' || (*s->p >= 'a' && *s->p <= 'z') || (*s->p >= 'A' && *s->p <= 'Z')))
                return scan_fail(s, at, "invalid number");
        if (s->flags & JSON_CHECK_NUMBER_RANGE)
                return check_range(s, at, (size_t) (s->p - at), integer);
        return 0;
}

static int cmp_key(const void *a, const void *b) {
        const JsonKey *x = a, *y = b;
        size_t n = x->len < y->len ? x->len : y->len;
        int c = memcmp(x->s, y->s, n);
        if (c)
                return c;
        if (x->len != y->len)
                return x->len < y->len ? -1 : 1;
        return x->at < y->at ? -1 : (x->at > y->at);
}

static void keys_free(JsonKey *k, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(k[i].s);
        free(k);
}

static int scan_value(JsonScan *s, unsigned depth);

static int scan_object(JsonScan *s, unsigned depth) {
        JsonKey *keys = NULL;
        size_t n = 0, cap = 0;
        int r = 0;
        s->p++; /* '{' */
        scan_ws(s);
        if (s->p < s->end && *s->p == '}') {
                s->p++;
                return 0;
        }
        for (;;) {
                if (s->p >= s->end || *s->p != '"') {
                        r = scan_fail(s, s->p, "expected a string key");
                        goto out;
                }
                const char *at = s->p;
                char *k = NULL;
                size_t kl = 0;
                if ((r = scan_string(s, (s->flags & JSON_CHECK_UNIQUE_KEYS) ? &k : NULL, &kl)) < 0)
                        goto out;
                if (s->flags & JSON_CHECK_UNIQUE_KEYS) {
                        if (n == cap) {
                                size_t nc = cap ? cap * 2 : 8;
                                JsonKey *nk = realloc(keys, nc * sizeof *nk);
                                if (!nk) {
                                        free(k);
                                        r = crio_error_set(s->err, ENOMEM, "%s: out of memory", s->what);
                                        goto out;
                                }
                                keys = nk;
                                cap = nc;
                        }
                        keys[n++] = (JsonKey){ k, kl, at };
                }
                scan_ws(s);
                if (s->p >= s->end || *s->p != ':') {
                        r = scan_fail(s, s->p, "expected ':' after an object key");
                        goto out;
                }
                s->p++;
                scan_ws(s);
                if ((r = scan_value(s, depth)) < 0)
                        goto out;
                scan_ws(s);
                if (s->p < s->end && *s->p == ',') {
                        s->p++;
                        scan_ws(s);
                        continue;
                }
                if (s->p < s->end && *s->p == '}') {
                        s->p++;
                        break;
                }
                r = scan_fail(s, s->p, "expected ',' or '}' in an object");
                goto out;
        }
        if (n > 1) {
                qsort(keys, n, sizeof *keys, cmp_key);
                for (size_t i = 1; i < n; i++)
                        if (keys[i].len == keys[i - 1].len && memcmp(keys[i].s, keys[i - 1].s, keys[i].len) == 0) {
                                r = scan_fail(s, keys[i].at, "duplicate key \"%.*s\"", (int) (keys[i].len > 80 ? 80 : keys[i].len),
                                              keys[i].s);
                                goto out;
                        }
        }
out:
        keys_free(keys, n);
        return r;
}

static int scan_array(JsonScan *s, unsigned depth) {
        s->p++; /* '[' */
        scan_ws(s);
        if (s->p < s->end && *s->p == ']') {
                s->p++;
                return 0;
        }
        for (;;) {
                int r = scan_value(s, depth);
                if (r < 0)
                        return r;
                scan_ws(s);
                if (s->p < s->end && *s->p == ',') {
                        s->p++;
                        scan_ws(s);
                        continue;
                }
                if (s->p < s->end && *s->p == ']') {
                        s->p++;
                        return 0;
                }
                return scan_fail(s, s->p, "expected ',' or ']' in an array");
        }
}

static int scan_literal(JsonScan *s, const char *lit) {
        size_t n = strlen(lit);
        if ((size_t) (s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
                return scan_fail(s, s->p, "invalid value");
        s->p += n;
        if (s->p < s->end && ((*s->p >= 'a' && *s->p <= 'z') || (*s->p >= 'A' && *s->p <= 'Z') || is_digit(*s->p)))
                return scan_fail(s, s->p - n, "invalid value");
        return 0;
}

static int scan_value(JsonScan *s, unsigned depth) {
        if (s->p >= s->end)
                return scan_fail(s, s->p, "unexpected end of document");
        switch (*s->p) {
        case '{':
        case '[':
                if (depth + 1 > s->max_depth)
                        return scan_fail(s, s->p, "nested more than %u levels deep", s->max_depth);
                return *s->p == '{' ? scan_object(s, depth + 1) : scan_array(s, depth + 1);
        case '"':
                return scan_string(s, NULL, NULL);
        case 't':
                return scan_literal(s, "true");
        case 'f':
                return scan_literal(s, "false");
        case 'n':
                return scan_literal(s, "null");
        default:
                if (*s->p == '-' || is_digit(*s->p))
                        return scan_number(s);
                return scan_fail(s, s->p, "invalid value");
        }
}

int json_check(const char *what, const char *data, size_t len, unsigned max_depth, unsigned flags, CrioError *err) {
        JsonScan s = { .what = what, .start = data, .p = data, .end = data + len, .max_depth = max_depth,
                       .flags = flags, .err = err };
        if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
                return scan_fail(&s, data, "byte order mark at the start");
        scan_ws(&s);
        if (s.p >= s.end)
                return crio_error_set(err, EINVAL, "%s: empty document", what);
        int r = scan_value(&s, 0);
        if (r < 0)
                return r;
        scan_ws(&s);
        if (s.p < s.end)
                return scan_fail(&s, s.p, "unexpected data after the document");
        return 0;
}

int json_check_strict(const char *what, const char *data, size_t len, unsigned max_depth, CrioError *err) {
        return json_check(what, data, len, max_depth, JSON_CHECK_UNIQUE_KEYS, err);
}
