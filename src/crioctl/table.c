/* Tables and values as crictl prints them: columns padded like Go's tabwriter (minimum
 * width 20, 3 spaces of padding, the last column unpadded), Docker's human durations and
 * sizes, 13-character IDs, RFC 3339 times. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crioctl.h"
#include "util/cleanup.h"
#include "util/strv.h"

#define TABLE_MIN_WIDTH 20
#define TABLE_PADDING 3

struct Table {
        char ***rows;
        size_t n_rows;
        size_t n_cols;
};

Table *table_new(void) {
        return calloc(1, sizeof(Table));
}

void table_free(Table *t) {
        if (!t)
                return;
        for (size_t i = 0; i < t->n_rows; i++)
                strv_free(t->rows[i]);
        free(t->rows);
        free(t);
}

void table_add_rowv(Table *t, const char *const *cells) {
        size_t n = 0;
        while (cells[n])
                n++;
        char **row = calloc(n + 1, sizeof *row);
        char ***rows = realloc(t->rows, (t->n_rows + 1) * sizeof *rows);
        if (!row || !rows) {
                free(row);
                if (rows)
                        t->rows = rows;
                return;
        }
        t->rows = rows;
        for (size_t i = 0; i < n; i++)
                row[i] = strdup(cells[i]);
        t->rows[t->n_rows++] = row;
        if (n > t->n_cols)
                t->n_cols = n;
}

void table_add_row(Table *t, const char *first, ...) {
        size_t n = 0;
        va_list ap;
        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                n++;
        va_end(ap);
        _cleanup_free_ const char **cells = calloc(n + 1, sizeof *cells);
        if (!cells)
                return;
        size_t i = 0;
        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                cells[i++] = s;
        va_end(ap);
        table_add_rowv(t, cells);
}

void table_print(const Table *t) {
        if (!t || t->n_rows == 0)
                return;
        _cleanup_free_ size_t *w = calloc(t->n_cols, sizeof *w);
        if (!w)
                return;
        for (size_t i = 0; i < t->n_rows; i++)
                for (size_t c = 0; t->rows[i][c]; c++) {
                        size_t l = strlen(t->rows[i][c]) + TABLE_PADDING;
                        if (l > w[c])
                                w[c] = l;
                }
        for (size_t c = 0; c < t->n_cols; c++)
                if (w[c] < TABLE_MIN_WIDTH)
                        w[c] = TABLE_MIN_WIDTH;
        for (size_t i = 0; i < t->n_rows; i++) {
                for (size_t c = 0; t->rows[i][c]; c++) {
                        const char *s = t->rows[i][c] ? t->rows[i][c] : "";
                        if (t->rows[i][c + 1])
                                printf("%-*s", (int) w[c], s);
                        else
                                fputs(s, stdout);
                }
                putchar('\n');
        }
}

void format_human_duration(int64_t ns, char *buf, size_t len) {
        int64_t s = ns / 1000000000;
        int64_t m = s / 60;
        int64_t h = (ns + 1800 * (int64_t) 1000000000) / ((int64_t) 3600 * 1000000000); /* rounded */
        if (s < 1)
                snprintf(buf, len, "Less than a second");
        else if (s == 1)
                snprintf(buf, len, "1 second");
        else if (s < 60)
                snprintf(buf, len, "%lld seconds", (long long) s);
        else if (m == 1)
                snprintf(buf, len, "About a minute");
        else if (m < 60)
                snprintf(buf, len, "%lld minutes", (long long) m);
        else if (h == 1)
                snprintf(buf, len, "About an hour");
        else if (h < 48)
                snprintf(buf, len, "%lld hours", (long long) h);
        else if (h < 24 * 7 * 2)
                snprintf(buf, len, "%lld days", (long long) (h / 24));
        else if (h < 24 * 30 * 2)
                snprintf(buf, len, "%lld weeks", (long long) (h / 24 / 7));
        else if (h < 24 * 365 * 2)
                snprintf(buf, len, "%lld months", (long long) (h / 24 / 30));
        else
                snprintf(buf, len, "%lld years", (long long) (s / 3600 / 24 / 365));
}

void format_created_ago(int64_t created_ns, char *buf, size_t len) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t n = (int64_t) now.tv_sec * 1000000000 + now.tv_nsec;
        char d[64];
        format_human_duration(n > created_ns ? n - created_ns : 0, d, sizeof d);
        snprintf(buf, len, "%s ago", d);
}

void format_human_size(double n, char *buf, size_t len) {
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
        size_t u = 0;
        while (n >= 1000.0 && u + 1 < sizeof units / sizeof units[0]) {
                n /= 1000.0;
                u++;
        }
        snprintf(buf, len, "%.4g%s", n, units[u]);
}

const char *format_id(const char *id, bool no_trunc, char buf[static 14]) {
        if (!id)
                return "";
        if (no_trunc || strlen(id) <= 13)
                return id;
        memcpy(buf, id, 13);
        buf[13] = '\0';
        return buf;
}

void format_time_rfc3339(int64_t ns, char *buf, size_t len) {
        if (ns == INT64_MIN) { /* Go's zero time */
                snprintf(buf, len, "0001-01-01T00:00:00Z");
                return;
        }
        time_t s = (time_t) (ns / 1000000000);
        long frac = (long) (ns % 1000000000);
        if (frac < 0) {
                frac += 1000000000;
                s--;
        }
        struct tm tm;
        localtime_r(&s, &tm);
        char date[32], fr[16] = "", zone[40];
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
        if (frac) {
                snprintf(fr, sizeof fr, ".%09ld", frac);
                for (size_t l = strlen(fr); fr[l - 1] == '0'; l--)
                        fr[l - 1] = '\0';
        }
        long off = tm.tm_gmtoff;
        if (off == 0)
                snprintf(zone, sizeof zone, "Z");
        else
                snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', (int) (labs(off) / 3600 % 100), (int) (labs(off) % 3600 / 60));
        snprintf(buf, len, "%s%s%s", date, fr, zone);
}

int label_selector_new(char **labels, const ProtobufCMessageDescriptor *entry_desc, void ***ret, size_t *ret_n) {
        size_t n = strv_length(labels);
        ProtobufCMessage **v = calloc(n + 1, sizeof *v);
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char *eq = strchr(labels[i], '=');
                if (!eq || strchr(eq + 1, '=')) {
                        fprintf(stderr, "crioctl: incorrectly specified label: %s (KEY=VALUE)\n", labels[i]);
                        label_selector_free((void **) v, i);
                        return -EINVAL;
                }
                v[i] = calloc(1, entry_desc->sizeof_message);
                if (!v[i]) {
                        label_selector_free((void **) v, i);
                        return -ENOMEM;
                }
                protobuf_c_message_init(entry_desc, v[i]);
                /* key and value point into labels[i] (not owned) */
                *eq = '\0';
                *(char **) ((char *) v[i] + entry_desc->fields[0].offset) = labels[i];
                *(char **) ((char *) v[i] + entry_desc->fields[1].offset) = eq + 1;
        }
        *ret = (void **) v;
        *ret_n = n;
        return 0;
}

void label_selector_free(void **v, size_t n) {
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

const char *map_lookup(void *const *entries, size_t n, const char *key) {
        /* every string map entry has the same layout: base, key, value */
        for (size_t i = 0; i < n; i++) {
                const Runtime__V1__PodSandbox__LabelsEntry *e = entries[i];
                if (e->key && strcmp(e->key, key) == 0)
                        return e->value;
        }
        return NULL;
}
