/* The CRI log format read back: records, partial lines joined per stream (see criolog.h). */
#include "criolog.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cleanup.h"

static int digits(const char *s, size_t n, int *ret) {
        int v = 0;
        for (size_t i = 0; i < n; i++) {
                if (!isdigit((unsigned char) s[i]))
                        return -EINVAL;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return 0;
}

int criolog_parse_time(const char *s, size_t len, bool local_if_no_zone, int64_t *ret_ns) {
        int Y, M, D, h, m, sec;
        if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
            digits(s, 4, &Y) < 0 || digits(s + 5, 2, &M) < 0 || digits(s + 8, 2, &D) < 0 || digits(s + 11, 2, &h) < 0 ||
            digits(s + 14, 2, &m) < 0 || digits(s + 17, 2, &sec) < 0)
                return -EINVAL;
        if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
                return -EINVAL;
        size_t i = 19;
        int64_t frac = 0;
        if (i < len && s[i] == '.') {
                size_t start = ++i;
                int64_t scale = 100000000;
                while (i < len && isdigit((unsigned char) s[i])) {
                        frac += (s[i] - '0') * scale;
                        scale /= 10;
                        i++;
                }
                if (i == start || i - start > 9)
                        return -EINVAL;
        }
        struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sec };
        time_t t;
        if (i == len) {
                if (!local_if_no_zone)
                        return -EINVAL;
                tm.tm_isdst = -1;
                t = mktime(&tm);
        } else {
                long off = 0;
                if (len - i == 1 && (s[i] == 'Z' || s[i] == 'z'))
                        off = 0;
                else if (len - i == 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
                        int oh, om;
                        if (digits(s + i + 1, 2, &oh) < 0 || digits(s + i + 4, 2, &om) < 0 || oh > 23 || om > 59)
                                return -EINVAL;
                        off = (oh * 3600L + om * 60L) * (s[i] == '-' ? -1 : 1);
                } else
                        return -EINVAL;
                t = timegm(&tm) - off;
        }
        *ret_ns = (int64_t) t * 1000000000 + frac;
        return 0;
}

int criolog_parse_since(const char *s, int64_t now_ns, int64_t *ret_ns) {
        if (criolog_parse_time(s, strlen(s), true, ret_ns) >= 0)
                return 0;
        /* a duration: one or more <number><unit>, units h, m, s, ms */
        int64_t total = 0;
        const char *p = s;
        if (!*p)
                return -EINVAL;
        while (*p) {
                char *end = NULL;
                errno = 0;
                double v = strtod(p, &end);
                if (errno || end == p || v < 0)
                        return -EINVAL;
                double unit;
                if (strncmp(end, "ms", 2) == 0) {
                        unit = 1e6;
                        end += 2;
                } else if (*end == 'h') {
                        unit = 3600e9;
                        end++;
                } else if (*end == 'm') {
                        unit = 60e9;
                        end++;
                } else if (*end == 's') {
                        unit = 1e9;
                        end++;
                } else
                        return -EINVAL;
                if (v * unit > 1e18)
                        return -ERANGE;
                total += (int64_t) (v * unit);
                p = end;
        }
        *ret_ns = now_ns - total;
        return 0;
}

int criolog_parse_record(const char *line, size_t len, CriLogRecord *ret, CrioError *err) {
        const char *end = line + len;
        const char *sp1 = memchr(line, ' ', len);
        if (!sp1)
                return crio_error_set(err, EINVAL, "no space after the timestamp");
        CriLogRecord r = { .time = line, .time_len = (size_t) (sp1 - line) };
        if (criolog_parse_time(r.time, r.time_len, false, &r.time_ns) < 0)
                return crio_error_set(err, EINVAL, "bad timestamp \"%.*s\"", (int) (r.time_len > 40 ? 40 : r.time_len),
                                      r.time);
        const char *st = sp1 + 1;
        const char *sp2 = memchr(st, ' ', (size_t) (end - st));
        if (!sp2)
                return crio_error_set(err, EINVAL, "no tag after the stream");
        if (sp2 - st == 6 && memcmp(st, "stdout", 6) == 0)
                r.stream = CRI_LOG_STDOUT;
        else if (sp2 - st == 6 && memcmp(st, "stderr", 6) == 0)
                r.stream = CRI_LOG_STDERR;
        else
                return crio_error_set(err, EINVAL, "unknown stream \"%.*s\"", (int) (sp2 - st > 16 ? 16 : sp2 - st), st);
        const char *tag = sp2 + 1;
        const char *sp3 = memchr(tag, ' ', (size_t) (end - tag));
        const char *tag_end = sp3 ? sp3 : end;
        /* the first tag decides; others (":"-separated) are ignored */
        const char *colon = memchr(tag, ':', (size_t) (tag_end - tag));
        size_t first = (size_t) ((colon ? colon : tag_end) - tag);
        if (first != 1 || (tag[0] != 'P' && tag[0] != 'F'))
                return crio_error_set(err, EINVAL, "unknown tag \"%.*s\"", (int) (first > 16 ? 16 : first), tag);
        r.partial = tag[0] == 'P';
        r.text = sp3 ? sp3 + 1 : end;
        r.text_len = (size_t) (end - r.text);
        *ret = r;
        return 0;
}

typedef struct Pending {
        char *text; /* joined partial records of one stream */
        size_t len, cap;
        char time[64];
        size_t time_len;
        int64_t time_ns;
        bool active;
} Pending;

struct CriLogReader {
        char *raw; /* the current unterminated record line */
        size_t raw_len, raw_cap;
        bool skipping; /* inside a record past CRIOLOG_MAX_RECORD */
        Pending pending[3];
        size_t malformed;
        char *last_reason;
};

CriLogReader *criolog_reader_new(void) {
        return calloc(1, sizeof(CriLogReader));
}

void criolog_reader_free(CriLogReader *r) {
        if (!r)
                return;
        free(r->raw);
        for (size_t i = 0; i < 3; i++)
                free(r->pending[i].text);
        free(r->last_reason);
        free(r);
}

size_t criolog_reader_malformed(const CriLogReader *r, const char **ret_last_reason) {
        if (ret_last_reason)
                *ret_last_reason = r->last_reason;
        return r->malformed;
}

static void note_malformed(CriLogReader *r, const char *why) {
        r->malformed++;
        free(r->last_reason);
        r->last_reason = strdup(why);
}

static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n) {
        if (*len + n > *cap) {
                size_t c = *cap ? *cap : 256;
                while (c < *len + n)
                        c *= 2;
                char *b = realloc(*buf, c);
                if (!b)
                        return -ENOMEM;
                *buf = b;
                *cap = c;
        }
        memcpy(*buf + *len, data, n);
        *len += n;
        return 0;
}

/* Hands out the pending line of a stream and resets it. */
static int emit_pending(Pending *p, CriLogStream s, bool newline, CriLogLineFn fn, void *userdata) {
        CriLogLine l = { .stream = s, .time = p->time, .time_len = p->time_len, .time_ns = p->time_ns,
                         .text = p->text ? p->text : "", .len = p->len, .newline = newline };
        p->len = 0;
        p->active = false;
        return fn(&l, userdata);
}

static int handle_record(CriLogReader *r, const char *line, size_t len, CriLogLineFn fn, void *userdata) {
        _cleanup_(crio_error_clear) CrioError err = {};
        CriLogRecord rec;
        if (len == 0)
                return 0; /* an empty line is not a record; skip it quietly */
        if (criolog_parse_record(line, len, &rec, &err) < 0) {
                note_malformed(r, err.msg);
                return 0;
        }
        Pending *p = &r->pending[rec.stream];
        if (!p->active && !rec.partial) { /* the common case: a whole line in one record */
                CriLogLine l = { .stream = rec.stream, .time = rec.time, .time_len = rec.time_len,
                                 .time_ns = rec.time_ns, .text = rec.text, .len = rec.text_len, .newline = true };
                return fn(&l, userdata);
        }
        if (!p->active) {
                p->active = true;
                p->time_len = rec.time_len < sizeof p->time ? rec.time_len : sizeof p->time - 1;
                memcpy(p->time, rec.time, p->time_len);
                p->time_ns = rec.time_ns;
        }
        const char *t = rec.text;
        size_t n = rec.text_len;
        while (p->len + n > CRIOLOG_MAX_LINE) { /* cut an overlong line into pieces */
                size_t take = CRIOLOG_MAX_LINE - p->len;
                if (append(&p->text, &p->len, &p->cap, t, take) < 0)
                        return -ENOMEM;
                t += take;
                n -= take;
                int k = emit_pending(p, rec.stream, false, fn, userdata);
                if (k < 0)
                        return k;
                p->active = true; /* the rest continues under the same time */
        }
        if (append(&p->text, &p->len, &p->cap, t, n) < 0)
                return -ENOMEM;
        if (!rec.partial)
                return emit_pending(p, rec.stream, true, fn, userdata);
        return 0;
}

int criolog_reader_feed(CriLogReader *r, const char *data, size_t len, CriLogLineFn fn, void *userdata) {
        while (len > 0) {
                const char *nl = memchr(data, '\n', len);
                size_t n = nl ? (size_t) (nl - data) : len;
                if (r->skipping) {
                        if (nl)
                                r->skipping = false;
                } else if (r->raw_len + n > CRIOLOG_MAX_RECORD) {
                        note_malformed(r, "record longer than the limit");
                        r->raw_len = 0;
                        r->skipping = nl == NULL;
                } else if (nl && r->raw_len == 0) { /* a whole record in data: no copy */
                        int k = handle_record(r, data, n, fn, userdata);
                        if (k < 0)
                                return k;
                } else {
                        if (append(&r->raw, &r->raw_len, &r->raw_cap, data, n) < 0)
                                return -ENOMEM;
                        if (nl) {
                                size_t l = r->raw_len;
                                r->raw_len = 0;
                                int k = handle_record(r, r->raw, l, fn, userdata);
                                if (k < 0)
                                        return k;
                        }
                }
                if (!nl)
                        break;
                data = nl + 1;
                len -= n + 1;
        }
        return 0;
}

int criolog_reader_flush(CriLogReader *r, CriLogLineFn fn, void *userdata) {
        r->raw_len = 0; /* a record still being written: not a line yet */
        r->skipping = false;
        /* in file order would need more bookkeeping; stdout before stderr is good enough here */
        for (int s = CRI_LOG_STDOUT; s <= CRI_LOG_STDERR; s++)
                if (r->pending[s].active) {
                        int k = emit_pending(&r->pending[s], (CriLogStream) s, false, fn, userdata);
                        if (k < 0)
                                return k;
                }
        return 0;
}
