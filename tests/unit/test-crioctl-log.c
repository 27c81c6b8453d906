/* crioctl's pieces that need no runtime: the CRI log reader behind `crioctl logs`
 * (src/crioctl/criolog.c: records, partial lines joined per stream, limits, times) and the
 * crictl-style formatting of tables, durations, sizes and times (src/crioctl/table.c).
 * crioctl's sources are not in libcrio, so they are included here directly. */
#include <errno.h>
#include <time.h>

#include "test.h"

#include "../../src/crioctl/criolog.c"
#include "../../src/crioctl/table.c"

/* Collects lines as "<stream>|<time>|<text>|<newline>\n". */
typedef struct Collect {
        char buf[8192];
        size_t len;
        int stop_after; /* 0: never */
        int count;
} Collect;

static int collect(const CriLogLine *l, void *userdata) {
        Collect *c = userdata;
        c->len += (size_t) snprintf(c->buf + c->len, sizeof c->buf - c->len, "%s|%.*s|%.*s|%d\n",
                                    l->stream == CRI_LOG_STDOUT ? "out" : "err", (int) l->time_len, l->time, (int) l->len,
                                    l->text, l->newline);
        if (++c->count == c->stop_after)
                return -ECANCELED;
        return 0;
}

static const char *feed_all(Collect *c, const char *data, size_t chunk) {
        CriLogReader *r = criolog_reader_new();
        ASSERT_TRUE(r != NULL);
        size_t len = strlen(data);
        for (size_t off = 0; off < len; off += chunk)
                ASSERT_EQ_INT(criolog_reader_feed(r, data + off, len - off < chunk ? len - off : chunk, collect, c), 0);
        ASSERT_EQ_INT(criolog_reader_flush(r, collect, c), 0);
        criolog_reader_free(r);
        return c->buf;
}

#define T1 "2026-11-28T06:53:11.046092967+00:00"
#define T2 "2026-11-28T06:53:12.5Z"
#define T3 "2026-11-28T07:53:13.000000001+01:00"

static const char sample_log[] = T1 " stdout F hello\n" T1 " stderr P err-\n" T2 " stdout P par\n" T2
                                 " stdout P ti\n" T2 " stderr F or\n" T3 " stdout F al\n" T3 " stdout F \n" T3
                                 " stdout F with  two  spaces\n";
static const char sample_want[] = "out|" T1 "|hello|1\n"
                                  "err|" T1 "|err-or|1\n"
                                  "out|" T2 "|partial|1\n"
                                  "out|" T3 "||1\n"
                                  "out|" T3 "|with  two  spaces|1\n";

TEST(records_are_read_and_partials_joined_per_stream) {
        Collect c = {};
        ASSERT_EQ_STR(feed_all(&c, sample_log, 1 << 20), sample_want);
}

TEST(any_split_of_the_input_gives_the_same_lines) {
        for (size_t chunk = 1; chunk < 40; chunk++) {
                Collect c = {};
                ASSERT_EQ_STR(feed_all(&c, sample_log, chunk), sample_want);
        }
}

TEST(malformed_records_are_skipped_and_counted) {
        const char *log = "garbage\n" T1 " stdout F ok\n" T1 " stdin F no\n" T1 " stdout X no\n"
                          "2026-13-01T00:00:00Z stdout F no\n" T1 " stdout\n" T1 "stdout F no\n"
                          "2026-11-28T06:53:11 stdout F nozone\n" T1 " stdout F:x:y tagged\n\n";
        CriLogReader *r = criolog_reader_new();
        Collect c = {};
        ASSERT_EQ_INT(criolog_reader_feed(r, log, strlen(log), collect, &c), 0);
        ASSERT_EQ_STR(c.buf, "out|" T1 "|ok|1\nout|" T1 "|tagged|1\n");
        const char *why = NULL;
        ASSERT_EQ_INT(criolog_reader_malformed(r, &why), 7);
        ASSERT_CONTAINS(why, "timestamp");
        criolog_reader_free(r);
        /* the reasons, one by one */
        CrioError err = {};
        CriLogRecord rec;
        const struct {
                const char *line, *why;
        } bad[] = {
                { T1 " stdin F x", "unknown stream \"stdin\"" }, { T1 " stdout X x", "unknown tag \"X\"" },
                { T1 " stdout PF x", "unknown tag \"PF\"" },    { T1 " stdout", "no tag after the stream" },
                { "nospace", "no space after the timestamp" },  { "2026-11-28T06:53:11.1234567890Z stdout F x", "bad timestamp" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_EQ_INT(criolog_parse_record(bad[i].line, strlen(bad[i].line), &rec, &err), -EINVAL);
                ASSERT_CONTAINS(err.msg, bad[i].why);
                crio_error_clear(&err);
        }
        /* a record with nothing after its tag is an empty line */
        ASSERT_EQ_INT(criolog_parse_record(T1 " stderr F", strlen(T1 " stderr F"), &rec, &err), 0);
        ASSERT_EQ_INT(rec.text_len, 0);
        ASSERT_EQ_INT(rec.stream, CRI_LOG_STDERR);
        ASSERT_TRUE(!rec.partial);
}

TEST(pending_partials_are_flushed_without_a_newline_and_an_unterminated_record_dropped) {
        const char *log = T1 " stdout P abc\n" T1 " stderr P def\n" T1 " stdout F still being writ";
        Collect c = {};
        CriLogReader *r = criolog_reader_new();
        ASSERT_EQ_INT(criolog_reader_feed(r, log, strlen(log), collect, &c), 0);
        ASSERT_EQ_INT(c.count, 0);
        ASSERT_EQ_INT(criolog_reader_flush(r, collect, &c), 0);
        ASSERT_EQ_STR(c.buf, "out|" T1 "|abc|0\nerr|" T1 "|def|0\n");
        ASSERT_EQ_INT(criolog_reader_malformed(r, NULL), 0);
        criolog_reader_free(r);
}

TEST(limits_overlong_records_and_lines) {
        /* a record past CRIOLOG_MAX_RECORD is skipped up to its newline, in any split */
        size_t big = CRIOLOG_MAX_RECORD + 10;
        char *log = malloc(big + 200);
        int n = snprintf(log, 200, T1 " stdout F ");
        memset(log + n, 'x', big);
        strcpy(log + n + big, "\n" T1 " stdout F after\n");
        for (size_t chunk = 4096; chunk <= 2 * big; chunk *= 16) {
                Collect c = {};
                CriLogReader *r = criolog_reader_new();
                size_t len = strlen(log);
                for (size_t off = 0; off < len; off += chunk)
                        ASSERT_EQ_INT(criolog_reader_feed(r, log + off, len - off < chunk ? len - off : chunk, collect, &c), 0);
                ASSERT_EQ_STR(c.buf, "out|" T1 "|after|1\n");
                ASSERT_EQ_INT(criolog_reader_malformed(r, NULL), 1);
                criolog_reader_free(r);
        }
        free(log);
        /* partial records joined past CRIOLOG_MAX_LINE come out in pieces */
        CriLogReader *r = criolog_reader_new();
        size_t piece = 100000, count = CRIOLOG_MAX_LINE / piece + 2;
        char *rec = malloc(piece + 100);
        n = snprintf(rec, 100, T1 " stdout P ");
        memset(rec + n, 'y', piece);
        strcpy(rec + n + piece, "\n");
        size_t cut = 0;
        for (size_t i = 0; i < count; i++) {
                Collect c = {};
                ASSERT_EQ_INT(criolog_reader_feed(r, rec, strlen(rec), collect, &c), 0);
                if (c.count) { /* one piece of exactly CRIOLOG_MAX_LINE, without a newline */
                        ASSERT_EQ_INT(c.count, 1);
                        ASSERT_EQ_INT(c.len, strlen("out|" T1 "||0\n") + CRIOLOG_MAX_LINE);
                        cut++;
                }
        }
        ASSERT_EQ_INT(cut, 1);
        Collect c = {};
        ASSERT_EQ_INT(criolog_reader_feed(r, T1 " stdout F end\n", strlen(T1 " stdout F end\n"), collect, &c), 0);
        ASSERT_EQ_INT(c.count, 1);
        ASSERT_EQ_INT(c.len, strlen("out|" T1 "||1\n") + count * piece - CRIOLOG_MAX_LINE + 3);
        criolog_reader_free(r);
        free(rec);
}

TEST(a_callback_error_stops_the_feed) {
        Collect c = { .stop_after = 2 };
        CriLogReader *r = criolog_reader_new();
        ASSERT_EQ_INT(criolog_reader_feed(r, sample_log, strlen(sample_log), collect, &c), -ECANCELED);
        ASSERT_EQ_INT(c.count, 2);
        criolog_reader_free(r);
}

TEST(times_and_since) {
        int64_t ns;
        ASSERT_EQ_INT(criolog_parse_time("1970-01-01T00:00:01Z", 20, false, &ns), 0);
        ASSERT_EQ_INT(ns, 1000000000);
        ASSERT_EQ_INT(criolog_parse_time(T1, strlen(T1), false, &ns), 0);
        int64_t t1 = ns;
        ASSERT_EQ_INT(t1 % 1000000000, 46092967);
        ASSERT_EQ_INT(criolog_parse_time(T3, strlen(T3), false, &ns), 0);
        ASSERT_EQ_INT(ns - t1, 2 * (int64_t) 1000000000 - 46092966); /* 07:53+01:00 is 06:53Z */
        ASSERT_EQ_INT(criolog_parse_time("2026-11-28T06:53:11-00:30", 25, false, &ns), 0);
        ASSERT_EQ_INT(ns, t1 - 46092967 + 1800 * (int64_t) 1000000000);
        const char *bad[] = { "2026-11-28", "2026-11-28T06:53:11", "2026-11-28T06:53:11.Z", "2026-11-28T06:53:11+0100",
                              "2026-11-28 06:53:11Z", "2026-00-28T06:53:11Z", "2026-11-28T24:00:00Z", "x026-11-28T06:53:11Z" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (criolog_parse_time(bad[i], strlen(bad[i]), false, &ns) != -EINVAL)
                        test_fail(__FILE__, __LINE__, "\"%s\" was accepted", bad[i]);
        int64_t now = 1800000000LL * 1000000000;
        ASSERT_EQ_INT(criolog_parse_since("42m", now, &ns), 0);
        ASSERT_EQ_INT(now - ns, 42LL * 60 * 1000000000);
        ASSERT_EQ_INT(criolog_parse_since("1h30m10s", now, &ns), 0);
        ASSERT_EQ_INT(now - ns, 5410LL * 1000000000);
        ASSERT_EQ_INT(criolog_parse_since("500ms", now, &ns), 0);
        ASSERT_EQ_INT(now - ns, 500000000);
        ASSERT_EQ_INT(criolog_parse_since("1970-01-01T00:00:02Z", now, &ns), 0);
        ASSERT_EQ_INT(ns, 2000000000);
        setenv("TZ", "UTC", 1);
        tzset();
        ASSERT_EQ_INT(criolog_parse_since("1970-01-01T00:01:00", now, &ns), 0); /* no zone: local */
        ASSERT_EQ_INT(ns, 60LL * 1000000000);
        const char *bad_since[] = { "", "m", "10", "10x", "-5m", "1h-5m" };
        for (size_t i = 0; i < ELEMENTSOF(bad_since); i++)
                if (criolog_parse_since(bad_since[i], now, &ns) >= 0)
                        test_fail(__FILE__, __LINE__, "--since \"%s\" was accepted", bad_since[i]);
}

TEST(crictl_formats_durations_sizes_ids_and_times) {
        char b[64];
        const int64_t S = 1000000000;
        const struct {
                int64_t ns;
                const char *want;
        } d[] = {
                { 0, "Less than a second" }, { S, "1 second" }, { 59 * S, "59 seconds" }, { 60 * S, "About a minute" },
                { 119 * S, "About a minute" }, { 120 * S, "2 minutes" }, { 3599 * S, "59 minutes" },
                { 3600 * S, "About an hour" }, { 5399 * S, "About an hour" }, { 5400 * S, "2 hours" },
                { 47 * 3600 * S, "47 hours" }, { 48 * 3600 * S, "2 days" }, { 14 * 24 * 3600 * S, "2 weeks" },
                { 60 * 24 * 3600 * S, "2 months" }, { 800 * 24 * 3600 * S, "2 years" },
        };
        for (size_t i = 0; i < ELEMENTSOF(d); i++) {
                format_human_duration(d[i].ns, b, sizeof b);
                ASSERT_EQ_STR(b, d[i].want);
        }
        format_human_size(0, b, sizeof b);
        ASSERT_EQ_STR(b, "0B");
        format_human_size(999, b, sizeof b);
        ASSERT_EQ_STR(b, "999B");
        format_human_size(1234567, b, sizeof b);
        ASSERT_EQ_STR(b, "1.235MB");
        format_human_size(4096, b, sizeof b);
        ASSERT_EQ_STR(b, "4.096kB");
        char idb[14];
        ASSERT_EQ_STR(format_id("0123456789abcdef", false, idb), "0123456789abc");
        ASSERT_EQ_STR(format_id("0123456789abcdef", true, idb), "0123456789abcdef");
        ASSERT_EQ_STR(format_id("short", false, idb), "short");
        setenv("TZ", "UTC", 1);
        tzset();
        format_time_rfc3339(1764312791046092967LL, b, sizeof b);
        ASSERT_EQ_STR(b, "2025-11-28T06:53:11.046092967Z");
        format_time_rfc3339(1764312791500000000LL, b, sizeof b);
        ASSERT_EQ_STR(b, "2025-11-28T06:53:11.5Z"); /* trailing zeros trimmed, as Go's RFC3339Nano */
        format_time_rfc3339(0, b, sizeof b);
        ASSERT_EQ_STR(b, "1970-01-01T00:00:00Z");
        format_time_rfc3339(INT64_MIN, b, sizeof b);
        ASSERT_EQ_STR(b, "0001-01-01T00:00:00Z");
        setenv("TZ", "CET-1", 1);
        tzset();
        format_time_rfc3339(0, b, sizeof b);
        ASSERT_EQ_STR(b, "1970-01-01T01:00:00+01:00");
}

TEST(tables_are_aligned_like_tabwriter) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        FILE *saved = stdout;
        stdout = f;
        Table *t = table_new();
        table_add_row(t, "POD ID", "NAME", "STATE", NULL);
        table_add_row(t, "abc", "a-name-longer-than-twenty", "Ready", NULL);
        table_print(t);
        table_free(t);
        fflush(f);
        stdout = saved;
        fclose(f);
        ASSERT_EQ_STR(out, "POD ID              NAME                        STATE\n"
                           "abc                 a-name-longer-than-twenty   Ready\n");
        free(out);
}

int main(void) {
        return test_main();
}
