/* The byte level of the TOML reader: the UTF-8 and control character check, error positions,
 * strings, numbers, booleans, dates and times. See toml.c for the structure. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "toml-internal.h"

/* ---- errors ---------------------------------------------------------------------------- */

static void position_of(const TomlParser *P, const char *at, unsigned *ret_line, unsigned *ret_col) {
        unsigned line = 1, col = 1;
        const char *ls = P->start, *q = P->start;
        if (at > P->end)
                at = P->end;
        while (q < at) {
                const char *nl = memchr(q, '\n', (size_t) (at - q));
                if (!nl)
                        break;
                line++;
                q = ls = nl + 1;
        }
        for (q = ls; q < at; q++)
                if (((unsigned char) *q & 0xC0) != 0x80)
                        col++;
        *ret_line = line;
        *ret_col = col;
}

int toml_fail_at(TomlParser *P, const char *at, int code, const char *fmt, ...) {
        unsigned line, col;
        position_of(P, at, &line, &col);
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0)
                return crio_error_set(P->err, ENOMEM, "line %u, column %u: out of memory", line, col);
        return crio_error_set(P->err, code, "line %u, column %u: %s", line, col, msg);
}

int toml_oom(TomlParser *P) {
        return crio_error_set(P->err, ENOMEM, "out of memory");
}

static size_t utf8_len(unsigned char c) {
        return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Describes the character at at for a message: "'x'", "end of line", "end of document". */
const char *toml_describe(const TomlParser *P, const char *at, char buf[static 16]) {
        if (at >= P->end)
                return "end of document";
        unsigned char c = (unsigned char) *at;
        if (c == '\n' || c == '\r')
                return "end of line";
        if (c == '\t')
                return "a tab";
        if (c < 0x80) {
                snprintf(buf, 16, "'%c'", c);
                return buf;
        }
        /* Not quoted: it may be invisible (a stray byte order mark) or look like ASCII. */
        uint32_t cp = c & (0x7F >> utf8_len(c));
        for (size_t i = 1; i < utf8_len(c) && at + i < P->end; i++)
                cp = (cp << 6) | ((unsigned char) at[i] & 0x3F);
        snprintf(buf, 16, "U+%04X", (unsigned) cp);
        return buf;
}

/* ---- buffers and values ---------------------------------------------------------------- */

int toml_buf_reserve(TomlBuf *b, size_t extra) {
        if (b->data && b->cap - b->len > extra)
                return 0;
        size_t cap = b->cap ? b->cap : 64;
        while (cap - b->len <= extra) {
                if (cap > SIZE_MAX / 2)
                        return -ENOMEM;
                cap *= 2;
        }
        char *d = realloc(b->data, cap);
        if (!d)
                return -ENOMEM;
        b->data = d;
        b->cap = cap;
        return 0;
}

int toml_buf_append(TomlBuf *b, const char *s, size_t n) {
        if (toml_buf_reserve(b, n) < 0)
                return -ENOMEM;
        if (n)
                memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = 0;
        return 0;
}

int toml_buf_putc(TomlBuf *b, char c) {
        return toml_buf_append(b, &c, 1);
}

void toml_buf_done(TomlBuf *b) {
        free(b->data);
        *b = (TomlBuf){};
}

TomlValue *toml_value_new(TomlType type, unsigned line) {
        TomlValue *v = calloc(1, sizeof *v);
        if (v) {
                v->type = type;
                v->line = line;
        }
        return v;
}

/* ---- the pre-pass: UTF-8 and control characters ---------------------------------------- */

int toml_check_text(TomlParser *P) {
        const unsigned char *s = (const unsigned char *) P->start, *e = (const unsigned char *) P->end;
        while (s < e) {
                unsigned char c = *s;
                if (c >= 0x20 && c < 0x7F) {
                        s++;
                        continue;
                }
                if (c == '\t' || c == '\n') {
                        s++;
                        continue;
                }
                if (c == '\r') {
                        if (s + 1 < e && s[1] == '\n') {
                                s += 2;
                                continue;
                        }
                        return toml_fail_at(P, (const char *) s, EINVAL, "carriage return not followed by a line feed");
                }
                if (c < 0x80)
                        return toml_fail_at(P, (const char *) s, EINVAL, "control character U+%04X is not allowed", c);

                /* The well-formed sequences of Unicode table 3-7: no overlongs, no surrogates,
                 * nothing past U+10FFFF. */
                unsigned char lo = 0x80, hi = 0xBF;
                size_t n;
                if (c >= 0xC2 && c <= 0xDF)
                        n = 2;
                else if (c >= 0xE0 && c <= 0xEF) {
                        n = 3;
                        if (c == 0xE0)
                                lo = 0xA0;
                        else if (c == 0xED)
                                hi = 0x9F;
                } else if (c >= 0xF0 && c <= 0xF4) {
                        n = 4;
                        if (c == 0xF0)
                                lo = 0x90;
                        else if (c == 0xF4)
                                hi = 0x8F;
                } else if (c == 0xC0 || c == 0xC1)
                        return toml_fail_at(P, (const char *) s, EINVAL, "invalid UTF-8: overlong encoding (byte 0x%02X)", c);
                else if (c >= 0xF5)
                        return toml_fail_at(P, (const char *) s, EINVAL, "invalid UTF-8: byte 0x%02X never appears in UTF-8", c);
                else
                        return toml_fail_at(P, (const char *) s, EINVAL, "invalid UTF-8: unexpected continuation byte 0x%02X", c);
                for (size_t i = 1; i < n; i++) {
                        if (s + i >= e)
                                return toml_fail_at(P, (const char *) s, EINVAL, "invalid UTF-8: sequence cut short by the end of the document");
                        unsigned char lim_lo = i == 1 ? lo : 0x80, lim_hi = i == 1 ? hi : 0xBF;
                        if (s[i] < lim_lo || s[i] > lim_hi) {
                                const char *why = s[i] < 0x80 || s[i] > 0xBF ? "incomplete sequence"
                                                  : c == 0xED                ? "encoded surrogate"
                                                  : c == 0xF4                ? "code point beyond U+10FFFF"
                                                                             : "overlong encoding";
                                return toml_fail_at(P, (const char *) s, EINVAL, "invalid UTF-8: %s (bytes 0x%02X 0x%02X)", why, c, s[i]);
                        }
                }
                s += n;
        }
        return 0;
}

/* ---- lexing helpers -------------------------------------------------------------------- */

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Characters that may continue a number, date or keyword: what follows one of these must
 * not be one of them. */
static bool is_value_char(char c) {
        return is_bare(c) || c == '.' || c == '+' || c == ':';
}

/* The run of value characters at s, for "invalid value 'xyz'" messages. */
static int token_len(const TomlParser *P, const char *s) {
        const char *e = s;
        while (e < P->end && is_value_char(*e) && e - s < 40)
                e++;
        return (int) (e - s);
}
/* ---- strings --------------------------------------------------------------------------- */

static int utf8_put(TomlBuf *b, uint32_t cp) {
        char s[4];
        size_t n;
        if (cp < 0x80) {
                s[0] = (char) cp;
                n = 1;
        } else if (cp < 0x800) {
                s[0] = (char) (0xC0 | (cp >> 6));
                s[1] = (char) (0x80 | (cp & 0x3F));
                n = 2;
        } else if (cp < 0x10000) {
                s[0] = (char) (0xE0 | (cp >> 12));
                s[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
                s[2] = (char) (0x80 | (cp & 0x3F));
                n = 3;
        } else {
                s[0] = (char) (0xF0 | (cp >> 18));
                s[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
                s[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
                s[3] = (char) (0x80 | (cp & 0x3F));
                n = 4;
        }
        return toml_buf_append(b, s, n);
}

/* An escape sequence at P->p (the backslash), appended to b. */
static int parse_escape(TomlParser *P, TomlBuf *b) {
        const char *at = P->p;
        if (P->end - at < 2)
                return toml_fail_at(P, at, EINVAL, "unterminated string");
        char c = at[1], out;
        switch (c) {
        case 'b': out = '\b'; break;
        case 't': out = '\t'; break;
        case 'n': out = '\n'; break;
        case 'f': out = '\f'; break;
        case 'r': out = '\r'; break;
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case 'u':
        case 'U': {
                int digits = c == 'u' ? 4 : 8;
                uint32_t cp = 0;
                for (int i = 0; i < digits; i++) {
                        int h = at + 2 + i < P->end ? hex_value(at[2 + i]) : -1;
                        if (h < 0)
                                return toml_fail_at(P, at, EINVAL, "\\%c escape needs %d hexadecimal digits", c, digits);
                        cp = (cp << 4) | (uint32_t) h;
                }
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        return toml_fail_at(P, at, EINVAL, "escape \\%c%.*s is not a Unicode scalar value", c, digits, at + 2);
                P->p = at + 2 + digits;
                return utf8_put(b, cp) < 0 ? toml_oom(P) : 0;
        }
        default:
                if (c == '\n' || c == '\r')
                        return toml_fail_at(P, at, EINVAL, "a backslash at the end of a line is only allowed in multi-line strings");
                return toml_fail_at(P, at, EINVAL, "invalid escape sequence '\\%.*s'", (int) utf8_len((unsigned char) c), at + 1);
        }
        P->p = at + 2;
        return toml_buf_putc(b, out) < 0 ? toml_oom(P) : 0;
}

/* A single-line basic string "..." or literal string '...' at P->p. */
int toml_parse_line_string(TomlParser *P, TomlBuf *b) {
        const char *open = P->p;
        char quote = *P->p++;
        for (;;) {
                const char *s = P->p;
                while (P->p < P->end && *P->p != quote && *P->p != '\n' && *P->p != '\r' && !(quote == '"' && *P->p == '\\'))
                        P->p++;
                if (toml_buf_append(b, s, (size_t) (P->p - s)) < 0)
                        return toml_oom(P);
                if (at_end(P) || at_newline(P))
                        return toml_fail_at(P, open, EINVAL, "unterminated string (a %s string ends on the line it starts)",
                                       quote == '"' ? "basic" : "literal");
                if (*P->p == quote) {
                        P->p++;
                        return 0;
                }
                int r = parse_escape(P, b);
                if (r < 0)
                        return r;
        }
}

/* A multi-line string """...""" or '''...''' at P->p. */
static int parse_multiline_string(TomlParser *P, TomlBuf *b) {
        const char *open = P->p;
        char quote = *P->p;
        P->p += 3;
        if (at_newline(P))
                eat_newline(P); /* a newline right after the delimiter is trimmed */
        for (;;) {
                const char *s = P->p;
                while (P->p < P->end && *P->p != quote && *P->p != '\n' && *P->p != '\r' && !(quote == '"' && *P->p == '\\'))
                        P->p++;
                if (toml_buf_append(b, s, (size_t) (P->p - s)) < 0)
                        return toml_oom(P);
                if (at_end(P))
                        return toml_fail_at(P, open, EINVAL, "unterminated multi-line string");
                if (at_newline(P)) {
                        eat_newline(P); /* CRLF is read as LF */
                        if (toml_buf_putc(b, '\n') < 0)
                                return toml_oom(P);
                        continue;
                }
                if (*P->p == quote) {
                        size_t k = 0;
                        while (P->p + k < P->end && P->p[k] == quote)
                                k++;
                        if (k >= 3) {
                                /* The string ends at the first three; up to two more quotes
                                 * belong to the content. */
                                if (k > 5)
                                        return toml_fail_at(P, P->p + 5, EINVAL, "too many quotes at the end of a multi-line string");
                                if (toml_buf_append(b, P->p, k - 3) < 0)
                                        return toml_oom(P);
                                P->p += k;
                                return 0;
                        }
                        if (toml_buf_append(b, P->p, k) < 0)
                                return toml_oom(P);
                        P->p += k;
                        continue;
                }
                /* A backslash in a basic string. */
                const char *q = P->p + 1;
                if (q < P->end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) {
                        /* Line-ending backslash: drop whitespace and newlines up to the next
                         * non-blank character. */
                        while (q < P->end && (*q == ' ' || *q == '\t'))
                                q++;
                        if (q >= P->end)
                                return toml_fail_at(P, open, EINVAL, "unterminated multi-line string");
                        if (*q != '\n' && *q != '\r')
                                return toml_fail_at(P, P->p, EINVAL, "a line-ending backslash may only be followed by whitespace on its line");
                        P->p = q;
                        for (;;) {
                                skip_ws(P);
                                if (!at_newline(P))
                                        break;
                                eat_newline(P);
                        }
                        continue;
                }
                int r = parse_escape(P, b);
                if (r < 0)
                        return r;
        }
}

static int parse_string_value(TomlParser *P, TomlValue **ret) {
        _cleanup_(toml_buf_done) TomlBuf b = {};
        unsigned line = P->line;
        int r = starts(P, "\"\"\"") || starts(P, "'''") ? parse_multiline_string(P, &b) : toml_parse_line_string(P, &b);
        if (r < 0)
                return r;
        if (!b.data && toml_buf_reserve(&b, 0) < 0)
                return toml_oom(P);
        b.data[b.len] = 0;
        TomlValue *v = toml_value_new(TOML_STRING, line);
        if (!v)
                return toml_oom(P);
        v->u.string.len = b.len;
        v->u.string.data = TAKE_PTR(b.data);
        *ret = v;
        return 0;
}

/* ---- numbers --------------------------------------------------------------------------- */

static int digit_in_base(char c, int base) {
        int d = hex_value(c);
        return d >= 0 && d < base ? d : -1;
}

/* Scans digits of base at *q, single underscores allowed between digits. Returns the
 * number of digits; *q is left after the last digit. */
static size_t scan_digits(const TomlParser *P, const char **q, int base) {
        size_t n = 0;
        const char *s = *q;
        while (s < P->end && digit_in_base(*s, base) >= 0) {
                n++;
                s++;
                if (s + 1 < P->end && *s == '_' && digit_in_base(s[1], base) >= 0)
                        s++;
        }
        *q = s;
        return n;
}

static int fail_token(TomlParser *P, const char *at, const char *what) {
        return toml_fail_at(P, at, EINVAL, "invalid %s '%.*s'", what, token_len(P, at), at);
}

/* After a number, date or keyword: the next character must end the value. */
static int check_value_end(TomlParser *P, const char *start, const char *what) {
        if (!at_end(P) && is_value_char(*P->p))
                return fail_token(P, start, what);
        return 0;
}

static int parse_float_text(TomlParser *P, const char *s, const char *e, double *ret) {
        _cleanup_free_ char *text = malloc((size_t) (e - s) + 1);
        if (!text)
                return toml_oom(P);
        size_t n = 0;
        for (const char *c = s; c < e; c++)
                if (*c != '_')
                        text[n++] = *c;
        text[n] = 0;
        if (!P->c_locale) {
                P->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t) 0);
                if (!P->c_locale)
                        return toml_oom(P);
        }
        char *end = NULL;
        double d = strtod_l(text, &end, P->c_locale); /* out of range gives ±inf or 0, like tomllib */
        if (!end || *end)
                return fail_token(P, s, "float");
        *ret = d;
        return 0;
}

static int parse_number(TomlParser *P, TomlValue **ret) {
        const char *s = P->p, *q = s;
        unsigned line = P->line;
        _cleanup_toml_value_ TomlValue *v = NULL;

        if (P->end - q >= 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'o' || q[1] == 'b')) {
                int base = q[1] == 'x' ? 16 : q[1] == 'o' ? 8 : 2;
                q += 2;
                uint64_t u = 0;
                bool overflow = false;
                const char *d = q;
                if (scan_digits(P, &q, base) == 0)
                        return toml_fail_at(P, s, EINVAL, "'0%c' must be followed by %s digits", s[1],
                                       base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary");
                for (; d < q; d++) {
                        if (*d == '_')
                                continue;
                        uint64_t digit = (uint64_t) digit_in_base(*d, base);
                        if (u > ((uint64_t) INT64_MAX - digit) / (uint64_t) base)
                                overflow = true;
                        else
                                u = u * (uint64_t) base + digit;
                }
                P->p = q;
                int r = check_value_end(P, s, "integer");
                if (r < 0)
                        return r;
                if (overflow)
                        return toml_fail_at(P, s, EINVAL, "integer '%.*s' does not fit in 64 bits", (int) (q - s), s);
                v = toml_value_new(TOML_INTEGER, line);
                if (!v)
                        return toml_oom(P);
                v->u.integer = (int64_t) u;
                *ret = TAKE_PTR(v);
                return 0;
        }

        bool negative = false, is_float = false;
        if (*q == '+' || *q == '-')
                negative = *q++ == '-';
        const char *int_start = q;
        if (q >= P->end || !is_digit(*q))
                return fail_token(P, s, "number");
        if (*q == '0') {
                q++;
                if (q < P->end && (is_digit(*q) || *q == '_'))
                        return toml_fail_at(P, s, EINVAL, "leading zeros are not allowed in '%.*s'", token_len(P, s), s);
        } else
                scan_digits(P, &q, 10);
        const char *int_end = q;
        if (q < P->end && *q == '.') {
                q++;
                if (scan_digits(P, &q, 10) == 0)
                        return toml_fail_at(P, s, EINVAL, "a digit must follow the '.' in '%.*s'", token_len(P, s), s);
                is_float = true;
        }
        if (q < P->end && (*q == 'e' || *q == 'E')) {
                q++;
                if (q < P->end && (*q == '+' || *q == '-'))
                        q++;
                if (scan_digits(P, &q, 10) == 0)
                        return toml_fail_at(P, s, EINVAL, "a digit must follow the exponent mark in '%.*s'", token_len(P, s), s);
                is_float = true;
        }
        P->p = q;
        int r = check_value_end(P, s, is_float ? "float" : "integer");
        if (r < 0)
                return r;

        v = toml_value_new(is_float ? TOML_FLOAT : TOML_INTEGER, line);
        if (!v)
                return toml_oom(P);
        if (is_float) {
                r = parse_float_text(P, s, q, &v->u.floating);
                if (r < 0)
                        return r;
        } else {
                uint64_t u = 0, limit = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
                for (const char *d = int_start; d < int_end; d++) {
                        if (*d == '_')
                                continue;
                        uint64_t digit = (uint64_t) (*d - '0');
                        if (u > (limit - digit) / 10)
                                return toml_fail_at(P, s, EINVAL, "integer '%.*s' does not fit in 64 bits", (int) (q - s), s);
                        u = u * 10 + digit;
                }
                v->u.integer = negative ? (int64_t) (0 - u) : (int64_t) u;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

/* ---- dates and times ------------------------------------------------------------------- */

static int two_digits(const char *s) {
        return (s[0] - '0') * 10 + (s[1] - '0');
}

static bool digits_at(const TomlParser *P, const char *s, size_t n) {
        if ((size_t) (P->end - s) < n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_digit(s[i]))
                        return false;
        return true;
}

static int days_in_month(int year, int month) {
        static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return month == 2 && leap ? 29 : days[month - 1];
}

/* HH:MM:SS[.fraction] at s; returns the end, or NULL with *why set. */
static const char *scan_time(const TomlParser *P, const char *s, const char **why) {
        if (!digits_at(P, s, 2) || P->end - s < 8 || s[2] != ':' || !digits_at(P, s + 3, 2) || s[5] != ':' || !digits_at(P, s + 6, 2)) {
                *why = "expected a time as HH:MM:SS";
                return NULL;
        }
        if (two_digits(s) > 23) {
                *why = "hour out of range";
                return NULL;
        }
        if (two_digits(s + 3) > 59) {
                *why = "minute out of range";
                return NULL;
        }
        if (two_digits(s + 6) > 59) {
                *why = "second out of range";
                return NULL;
        }
        s += 8;
        if (s < P->end && *s == '.') {
                if (!digits_at(P, s + 1, 1)) {
                        *why = "a digit must follow the '.' of the seconds";
                        return NULL;
                }
                s++;
                while (s < P->end && is_digit(*s))
                        s++;
        }
        return s;
}

/* A date-time, date or time at P->p (which starts with 4 digits and '-', or 2 digits and ':'). */
static int parse_datetime(TomlParser *P, TomlValue **ret) {
        const char *s = P->p, *q, *why = NULL;
        TomlDatetimeKind kind;
        if (digits_at(P, s, 2) && P->end - s > 2 && s[2] == ':') {
                q = scan_time(P, s, &why);
                kind = TOML_LOCAL_TIME;
        } else {
                q = s + 10;
                if (P->end - s < 10 || !digits_at(P, s, 4) || s[4] != '-' || !digits_at(P, s + 5, 2) || s[7] != '-' || !digits_at(P, s + 8, 2))
                        why = "expected a date as YYYY-MM-DD";
                else {
                        int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + two_digits(s + 2);
                        int month = two_digits(s + 5), day = two_digits(s + 8);
                        if (year < 1)
                                why = "year 0000 is out of range";
                        else if (month < 1 || month > 12)
                                why = "month out of range";
                        else if (day < 1 || day > days_in_month(year, month))
                                why = "day out of range for the month";
                }
                kind = TOML_LOCAL_DATE;
                /* A time follows after 'T' (or 't'), or after a space if a digit comes next. */
                if (!why && q < P->end && (*q == 'T' || *q == 't' || (*q == ' ' && digits_at(P, q + 1, 1)))) {
                        q = scan_time(P, q + 1, &why);
                        kind = TOML_LOCAL_DATETIME;
                        if (q && q < P->end && (*q == 'Z' || *q == 'z')) {
                                q++;
                                kind = TOML_OFFSET_DATETIME;
                        } else if (q && q < P->end && (*q == '+' || *q == '-')) {
                                if (!digits_at(P, q + 1, 2) || P->end - q < 6 || q[3] != ':' || !digits_at(P, q + 4, 2))
                                        why = "expected a time offset as +HH:MM or -HH:MM";
                                else if (two_digits(q + 1) > 23 || two_digits(q + 4) > 59)
                                        why = "time offset out of range";
                                q += 6;
                                kind = TOML_OFFSET_DATETIME;
                        }
                }
        }
        if (!q || why)
                return toml_fail_at(P, s, EINVAL, "invalid date-time '%.*s': %s", token_len(P, s), s, why);
        P->p = q;
        int r = check_value_end(P, s, "date-time");
        if (r < 0)
                return r;

        _cleanup_toml_value_ TomlValue *v = toml_value_new(TOML_DATETIME, P->line);
        char *text = strndup(s, (size_t) (q - s));
        if (!v || !text) {
                free(text);
                return toml_oom(P);
        }
        if (kind != TOML_LOCAL_TIME && strlen(text) > 10)
                text[10] = 'T';
        size_t n = strlen(text);
        if (n > 0 && text[n - 1] == 'z')
                text[n - 1] = 'Z';
        v->u.datetime.text = text;
        v->u.datetime.kind = kind;
        *ret = TAKE_PTR(v);
        return 0;
}

/* ---- booleans, inf and nan, and which scalar is which ------------------------------------ */

static int parse_keyword(TomlParser *P, TomlValue **ret) {
        const char *s = P->p;
        bool sign = *s == '+' || *s == '-';
        const char *w = sign ? s + 1 : s;
        P->p = w;
        TomlValue *v;
        if (!sign && (starts(P, "true") || starts(P, "false"))) {
                bool b = *w == 't';
                P->p += b ? 4 : 5;
                v = toml_value_new(TOML_BOOLEAN, P->line);
                if (v)
                        v->u.boolean = b;
        } else if (starts(P, "inf") || starts(P, "nan")) {
                bool inf = *w == 'i';
                P->p += 3;
                v = toml_value_new(TOML_FLOAT, P->line);
                if (v)
                        v->u.floating = *s == '-' ? (inf ? -INFINITY : -NAN) : (inf ? INFINITY : NAN);
        } else {
                P->p = s;
                return fail_token(P, s, "value");
        }
        if (!v)
                return toml_oom(P);
        int r = check_value_end(P, s, "value");
        if (r < 0) {
                toml_value_free(v);
                return r;
        }
        *ret = v;
        return 0;
}

int toml_parse_scalar(TomlParser *P, TomlValue **ret) {
        const char *s = P->p;
        if (at_end(P) || at_newline(P))
                return toml_fail_at(P, s, EINVAL, "expected a value, found %s", DESCRIBE(P, s));
        switch (*s) {
        case '"':
        case '\'':
                return parse_string_value(P, ret);
        case 't':
        case 'f':
        case 'i':
        case 'n':
                return parse_keyword(P, ret);
        case '+':
        case '-':
                if (P->end - s > 1 && (s[1] == 'i' || s[1] == 'n'))
                        return parse_keyword(P, ret);
                return parse_number(P, ret);
        default:
                if (!is_digit(*s))
                        return toml_fail_at(P, s, EINVAL, "expected a value, found %s", DESCRIBE(P, s));
                if ((digits_at(P, s, 4) && P->end - s > 4 && s[4] == '-') || (digits_at(P, s, 2) && P->end - s > 2 && s[2] == ':'))
                        return parse_datetime(P, ret);
                return parse_number(P, ret);
        }
}
