/* conmon's pieces that need no process: the CRI log writer, the control-line parser and the
 * sync-pipe JSON. conmon links only src/util, so its sources are included here directly. */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <sys/stat.h>

#include "test.h"
#include "test-tmp.h"
#include "util/fileio.h"
#include "util/strv.h"

#include "../../conmon/ctl.c"
#include "../../conmon/log.c"
#include "../../conmon/sync.c"

#define TIME_RE "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}[+-][0-9]{2}:[0-9]{2}"

static char *slurp(const char *path) {
        char *buf = NULL;
        size_t len = 0;
        CrioError err = {};
        if (read_file(path, 1 << 20, &buf, &len, &err) < 0)
                test_fail(__FILE__, __LINE__, "%s", err.msg);
        return buf;
}

/* Checks every line of text against the CRI record pattern; returns the line count. */
static int check_records(const char *text) {
        regex_t re;
        ASSERT_EQ_INT(regcomp(&re, "^" TIME_RE " (stdout|stderr) [PF] ", REG_EXTENDED | REG_NOSUB), 0);
        int n = 0;
        for (const char *p = text; *p;) {
                const char *nl = strchr(p, '\n');
                ASSERT_TRUE(nl != NULL);
                char line[512];
                snprintf(line, sizeof line, "%.*s", (int) (nl - p), p);
                if (regexec(&re, line, 0, NULL, 0) != 0)
                        test_fail(__FILE__, __LINE__, "bad record \"%s\"", line);
                n++;
                p = nl + 1;
        }
        regfree(&re);
        return n;
}

/* The records of text without their timestamps, joined by '|'. */
static char *strip_times(const char *text) {
        char *out = calloc(1, strlen(text) + 1);
        size_t o = 0;
        for (const char *p = text; *p;) {
                const char *sp = strchr(p, ' ');
                const char *nl = strchr(p, '\n');
                ASSERT_TRUE(sp && nl && sp < nl);
                if (o)
                        out[o++] = '|';
                memcpy(out + o, sp + 1, (size_t) (nl - sp - 1));
                o += (size_t) (nl - sp - 1);
                p = nl + 1;
        }
        return out;
}

static CtrLog *open_log(const char *path, int64_t max) {
        CtrLog *log = NULL;
        CrioError err = {};
        if (ctr_log_open(path, max, &log, &err) < 0)
                test_fail(__FILE__, __LINE__, "%s", err.msg);
        return log;
}

static void put_log(CtrLog *log, CtrLogStream s, const char *text) {
        CrioError err = {};
        if (ctr_log_write(log, s, text, strlen(text), &err) < 0)
                test_fail(__FILE__, __LINE__, "%s", err.msg);
}

TEST(time_format_with_offsets) {
        struct timespec ts = { .tv_sec = 1795848791, .tv_nsec = 46092967 };
        char buf[CTR_LOG_TIME_MAX];
        setenv("TZ", "UTC0", 1);
        tzset();
        ASSERT_EQ_INT(ctr_log_format_time(&ts, buf), 35);
        ASSERT_EQ_STR(buf, "2026-11-28T06:53:11.046092967+00:00");
        setenv("TZ", "IST-5:30", 1);
        tzset();
        ctr_log_format_time(&ts, buf);
        ASSERT_EQ_STR(buf, "2026-11-28T12:23:11.046092967+05:30");
        setenv("TZ", "EST5", 1);
        tzset();
        ts.tv_nsec = 7;
        ctr_log_format_time(&ts, buf);
        ASSERT_EQ_STR(buf, "2026-11-28T01:53:11.000000007-05:00");
}

TEST(lines_full_partial_and_empty) {
        const char *dir = test_tmp_dir();
        char path[256];
        snprintf(path, sizeof path, "%s/ctr.log", dir);
        _cleanup_(ctr_log_freep) CtrLog *log = open_log(path, -1);
        put_log(log, CTR_LOG_STDOUT, "hello\n");
        put_log(log, CTR_LOG_STDERR, "oops\n");
        put_log(log, CTR_LOG_STDOUT, "a\nb");
        put_log(log, CTR_LOG_STDOUT, "c\n");
        put_log(log, CTR_LOG_STDOUT, "\n\n");
        put_log(log, CTR_LOG_STDOUT, "");
        put_log(log, CTR_LOG_STDERR, "tab\there\r\n");
        _cleanup_free_ char *text = slurp(path);
        ASSERT_EQ_INT(check_records(text), 8);
        _cleanup_free_ char *s = strip_times(text);
        ASSERT_EQ_STR(s, "stdout F hello|stderr F oops|stdout F a|stdout P b|stdout F c|stdout F |stdout F |stderr F tab\there\r");
        ASSERT_EQ_INT(ctr_log_size(log), strlen(text));
        struct stat st;
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ_INT(st.st_mode & 0777, 0640);
}

TEST(existing_bytes_count_and_append) {
        test_tmp_dir();
        const char *path = test_tmp_write("ctr.log", "old\n");
        _cleanup_(ctr_log_freep) CtrLog *log = open_log(path, -1);
        ASSERT_EQ_INT(ctr_log_size(log), 4);
        put_log(log, CTR_LOG_STDOUT, "new\n");
        _cleanup_free_ char *text = slurp(path);
        ASSERT_TRUE(str_startswith(text, "old\n"));
        ASSERT_CONTAINS(text, " stdout F new\n");
}

TEST(size_limit_starts_a_new_file) {
        const char *dir = test_tmp_dir();
        char path[256];
        snprintf(path, sizeof path, "%s/ctr.log", dir);
        /* a record of a 10-byte line is 35 + 10 + 10 + 1 = 56 bytes: 3 fit in 200, not 4 */
        _cleanup_(ctr_log_freep) CtrLog *log = open_log(path, 200);
        for (int i = 0; i < 3; i++)
                put_log(log, CTR_LOG_STDOUT, "0123456789\n");
        ASSERT_EQ_INT(ctr_log_size(log), 168);
        put_log(log, CTR_LOG_STDOUT, "abcdefghij\n");
        ASSERT_EQ_INT(ctr_log_size(log), 56);
        _cleanup_free_ char *text = slurp(path);
        _cleanup_free_ char *s = strip_times(text);
        ASSERT_EQ_STR(s, "stdout F abcdefghij");
        char tmp[300];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        ASSERT_TRUE(access(tmp, F_OK) < 0);
}

TEST(size_limit_cuts_a_record_too_big_for_it) {
        const char *dir = test_tmp_dir();
        char path[256];
        snprintf(path, sizeof path, "%s/ctr.log", dir);
        /* room for 100 - 46 = 54 bytes of text per record */
        _cleanup_(ctr_log_freep) CtrLog *log = open_log(path, 100);
        char line[200];
        memset(line, 'x', 120);
        line[120] = '\n';
        line[121] = '\0';
        put_log(log, CTR_LOG_STDOUT, line);
        /* pieces of 54, 54 and 12 bytes, each in a file of its own (two do not fit in 100) */
        _cleanup_free_ char *text = slurp(path);
        ASSERT_EQ_INT(check_records(text), 1);
        _cleanup_free_ char *s = strip_times(text);
        ASSERT_EQ_STR(s, "stdout F xxxxxxxxxxxx");
        struct stat st;
        ASSERT_OK(stat(path, &st));
        ASSERT_TRUE(st.st_size <= 100);
}

TEST(reopen_recreates_a_moved_file) {
        const char *dir = test_tmp_dir();
        char path[256], moved[300];
        snprintf(path, sizeof path, "%s/ctr.log", dir);
        snprintf(moved, sizeof moved, "%s.1", path);
        _cleanup_(ctr_log_freep) CtrLog *log = open_log(path, -1);
        put_log(log, CTR_LOG_STDOUT, "before\n");
        ASSERT_OK(rename(path, moved));
        put_log(log, CTR_LOG_STDOUT, "still old\n");
        CrioError err = {};
        ASSERT_OK(ctr_log_reopen(log, &err));
        ASSERT_EQ_INT(ctr_log_size(log), 0);
        put_log(log, CTR_LOG_STDOUT, "after\n");
        _cleanup_free_ char *old = slurp(moved), *cur = slurp(path);
        _cleanup_free_ char *so = strip_times(old), *sc = strip_times(cur);
        ASSERT_EQ_STR(so, "stdout F before|stdout F still old");
        ASSERT_EQ_STR(sc, "stdout F after");
        /* reopening a file that is still there appends */
        ASSERT_OK(ctr_log_reopen(log, &err));
        put_log(log, CTR_LOG_STDERR, "again\n");
        free(cur);
        cur = slurp(path);
        free(sc);
        sc = strip_times(cur);
        ASSERT_EQ_STR(sc, "stdout F after|stderr F again");
}

TEST(reopen_failure_keeps_the_old_file) {
        const char *dir = test_tmp_dir();
        char sub[256], path[300];
        snprintf(sub, sizeof sub, "%s/d", dir);
        ASSERT_OK(mkdir(sub, 0755));
        snprintf(path, sizeof path, "%s/ctr.log", sub);
        _cleanup_(ctr_log_freep) CtrLog *log = open_log(path, -1);
        ASSERT_OK(unlink(path));
        ASSERT_OK(rmdir(sub));
        CrioError err = {};
        ASSERT_EQ_INT(ctr_log_reopen(log, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "opening container log");
        crio_error_clear(&err);
        put_log(log, CTR_LOG_STDOUT, "into the unlinked file\n");
}

static void collect(const CtlMessage *m, void *userdata) {
        char *out = userdata;
        size_t n = strlen(out);
        snprintf(out + n, 256 - n, "%s%d,%d,%d", n ? "|" : "", m->type, m->a, m->b);
}

TEST(control_lines) {
        CtlMessage m = {};
        ASSERT_OK(ctl_parse_line("2 0 0", 5, &m));
        ASSERT_EQ_INT(m.type, CTL_REOPEN_LOG);
        ASSERT_OK(ctl_parse_line("1 24 80", 7, &m));
        ASSERT_EQ_INT(m.type, CTL_RESIZE);
        ASSERT_EQ_INT(m.a, 24);
        ASSERT_EQ_INT(m.b, 80);
        const char *bad[] = { "", "2", "2 0", "x 0 0", "2 0 0 0", "2 0 0x", "0 0 0", "-2 0 0",
                              "99999999999 0 0", "2147483648 0 0", " 2 0 0", "2\t0 0", "2 - 0" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                m = (CtlMessage){ .type = 42 };
                if (ctl_parse_line(bad[i], strlen(bad[i]), &m) != -EINVAL)
                        test_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
                ASSERT_EQ_INT(m.type, 42);
        }
        ASSERT_OK(ctl_parse_line("2 0 0\r", 6, &m));

        /* lines split across reads, bad lines and over-long lines skipped whole */
        CtlReader r = CTL_READER_INIT;
        char out[256] = "";
        ctl_feed(&r, "2 0", 3, collect, out);
        ctl_feed(&r, " 0\nnonsense\n1 -1 7\n", 19, collect, out);
        char longline[200];
        memset(longline, '2', sizeof longline);
        ctl_feed(&r, longline, sizeof longline, collect, out);
        ctl_feed(&r, " 0 0\n2 1 1\n", 11, collect, out);
        ASSERT_EQ_STR(out, "2,0,0|1,-1,7|2,1,1");
}

TEST(control_fifo_reads) {
        const char *dir = test_tmp_dir();
        char path[256];
        snprintf(path, sizeof path, "%s/ctl", dir);
        CtlReader r = CTL_READER_INIT;
        CrioError err = {};
        ASSERT_OK(ctl_open(path, &r, &err));
        int w = open(path, O_WRONLY | O_CLOEXEC);
        ASSERT_TRUE(w >= 0);
        ASSERT_EQ_INT(write(w, "2 0 0\n", 6), 6);
        close(w);
        char out[256] = "";
        ASSERT_OK(ctl_read(&r, collect, out, &err));
        ASSERT_EQ_STR(out, "2,0,0");
        /* no writer left but ours: no end-of-file, just nothing to read */
        ASSERT_OK(ctl_read(&r, collect, out, &err));
        ctl_close(&r);
        /* a stale FIFO is replaced */
        ASSERT_OK(ctl_open(path, &r, &err));
        ctl_close(&r);
}

TEST(sync_report_json) {
        _cleanup_free_ char *ok = NULL, *bad = NULL, *esc = NULL;
        ASSERT_OK(sync_format(4242, NULL, &ok, NULL));
        ASSERT_EQ_STR(ok, "{\"pid\": 4242}\n");
        ASSERT_OK(sync_format(-1, "  \ntime=\"x\" level=error msg=\"a\\b\"\n\x01\t\xc3\xa9\xff\n\n", &bad, NULL));
        ASSERT_EQ_STR(bad, "{\"pid\": -1, \"message\": \"time=\\\"x\\\" level=error msg=\\\"a\\\\b\\\"\\n\\u0001\\t\xc3\xa9\\ufffd\"}\n");
        /* surrogates, overlong forms and truncated sequences are not UTF-8 */
        char buf[64];
        ASSERT_EQ_INT(json_escape(buf, sizeof buf, "\xed\xa0\x80|\xc0\xaf|\xe2\x82", 9), 6 * 7 + 2);
        ASSERT_EQ_STR(buf, "\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd");
        /* a short buffer gets a truncated, terminated string and the size it needed */
        ASSERT_EQ_INT(json_escape(buf, 4, "\"\"\"", 3), 6);
        ASSERT_EQ_STR(buf, "\\\"\\");
        /* the message is cut to SYNC_MESSAGE_MAX on a character boundary */
        size_t n = SYNC_MESSAGE_MAX + 10;
        char *big = malloc(n + 1);
        memset(big, 'a', n);
        memcpy(big + SYNC_MESSAGE_MAX - 1, "\xc3\xa9", 2);
        big[n] = '\0';
        ASSERT_OK(sync_format(-1, big, &esc, NULL));
        free(big);
        ASSERT_EQ_INT(strlen(esc), strlen("{\"pid\": -1, \"message\": \"\"}\n") + SYNC_MESSAGE_MAX - 1);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-conmon-log-XXXXXX");
}
