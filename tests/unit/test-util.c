#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "test.h"
#include "test-tmp.h"
#include "util/cleanup.h"
#include "util/device-entry.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json-check.h"
#include "util/log.h"
#include "util/strv.h"

TEST(error_keeps_first_message) {
        CrioError err = {};
        ASSERT_EQ_INT(crio_error_set(&err, EINVAL, "first %d", 1), -EINVAL);
        ASSERT_EQ_INT(crio_error_set(&err, ENOENT, "second"), -ENOENT);
        ASSERT_EQ_STR(err.msg, "first 1");
        ASSERT_EQ_INT(err.code, EINVAL);
        ASSERT_EQ_INT(crio_error_prefix(&err, "loading %s: ", "x"), -EINVAL);
        ASSERT_EQ_STR(err.msg, "loading x: first 1");
        crio_error_clear(&err);
        ASSERT_TRUE(err.msg == NULL);
        ASSERT_EQ_INT(crio_error_set_errno(&err, ENOENT, "opening %s", "/nope"), -ENOENT);
        ASSERT_EQ_STR(err.msg, "opening /nope: No such file or directory");
        crio_error_clear(&err);
        ASSERT_EQ_INT(crio_error_set(NULL, EPERM, "ignored"), -EPERM);
}

/* json_check's flags: duplicated keys only with JSON_CHECK_UNIQUE_KEYS, numbers json-glib
 * would wrap or make infinite only with JSON_CHECK_NUMBER_RANGE. */
TEST(json_check_flags) {
        static const struct {
                const char *text;
                unsigned refused_with; /* the flags that refuse it (0: always accepted) */
        } cases[] = {
                { "{\"a\":1,\"a\":2}", JSON_CHECK_UNIQUE_KEYS },
                { "[9223372036854775807,-9223372036854775808,0,-0,1.5e308,-1.5e308,1e-999]", 0 },
                { "[9223372036854775808]", JSON_CHECK_NUMBER_RANGE },
                { "[-9223372036854775809]", JSON_CHECK_NUMBER_RANGE },
                { "[100000000000000000000]", JSON_CHECK_NUMBER_RANGE },
                { "[1e309]", JSON_CHECK_NUMBER_RANGE },
                { "[-1.8e308]", JSON_CHECK_NUMBER_RANGE },
                { "1e400", JSON_CHECK_NUMBER_RANGE },
        };
        static const unsigned flags[] = { 0, JSON_CHECK_UNIQUE_KEYS, JSON_CHECK_NUMBER_RANGE };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                for (size_t f = 0; f < ELEMENTSOF(flags); f++) {
                        _cleanup_(crio_error_clear) CrioError err = {};
                        int r = json_check("t", cases[i].text, strlen(cases[i].text), 8, flags[f], &err);
                        if ((r < 0) != ((cases[i].refused_with & flags[f]) != 0))
                                test_fail(__FILE__, __LINE__, "%s with flags %u: %d %s", cases[i].text, flags[f], r,
                                          err.msg ? err.msg : "");
                }
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(json_check("doc", "[1,\n 1e999]", 11, 8, JSON_CHECK_NUMBER_RANGE, &err), -EINVAL);
        ASSERT_EQ_STR(err.msg, "doc: line 2 column 2: number out of range (beyond a double)");
}

TEST(strv_basics) {
        _cleanup_strv_free_ char **v = NULL;
        ASSERT_OK(strv_push(&v, "a"));
        ASSERT_OK(strv_push(&v, "b"));
        ASSERT_EQ_INT(strv_length(v), 2);
        ASSERT_TRUE(strv_contains(v, "b"));
        ASSERT_TRUE(!strv_contains(v, "c"));
        _cleanup_strv_free_ char **c = strv_copy(v);
        ASSERT_TRUE(strv_equal(v, c));
        ASSERT_TRUE(str_startswith("crio.conf", "crio"));
        ASSERT_TRUE(str_endswith("crio.conf", ".conf"));
        ASSERT_TRUE(!str_endswith("f", ".conf"));
}

TEST(atomic_write_and_read_back) {
        const char *dir = test_tmp_dir();
        _cleanup_free_ char *p = NULL, *sub = NULL;
        ASSERT_TRUE(asprintf(&sub, "%s/a/b/c", dir) > 0);
        CrioError err = {};
        ASSERT_OK(mkdir_p(sub, 0755, &err));
        ASSERT_TRUE(asprintf(&p, "%s/file", sub) > 0);
        ASSERT_OK(write_file_atomic(p, "hello", 5, 0640, &err));
        struct stat st;
        ASSERT_OK(stat(p, &st));
        ASSERT_EQ_INT(st.st_mode & 0777, 0640);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        ASSERT_OK(read_file(p, 100, &buf, &len, &err));
        ASSERT_EQ_INT(len, 5);
        ASSERT_EQ_STR(buf, "hello");
        free(buf);
        buf = NULL;
        ASSERT_EQ_INT(read_file(p, 3, &buf, &len, &err), -EFBIG);
        ASSERT_CONTAINS(err.msg, "larger than 3 bytes");
        crio_error_clear(&err);
        ASSERT_EQ_INT(read_file("/nonexistent/x", 3, &buf, &len, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "/nonexistent/x");
        crio_error_clear(&err);
        ASSERT_EQ_INT(mkdir_p(p, 0755, &err), -ENOTDIR);
        crio_error_clear(&err);
}

TEST(write_file_replace_swaps_whole_files_and_leaves_no_temporary) {
        const char *dir = test_tmp_dir();
        _cleanup_free_ char *p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/replaced", dir) > 0);
        CrioError err = {};
        ASSERT_OK(write_file_replace(p, "first", 5, 0600, &err));
        ASSERT_OK(write_file_replace(p, "second!", 7, 0644, &err));
        struct stat st;
        ASSERT_OK(stat(p, &st));
        ASSERT_EQ_INT(st.st_mode & 0777, 0644);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        ASSERT_OK(read_file(p, 100, &buf, &len, &err));
        ASSERT_EQ_STR(buf, "second!");
        /* only the file itself in the directory: the temporary was renamed */
        _cleanup_closedir_ DIR *d = opendir(dir);
        ASSERT_TRUE(d != NULL);
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                if (strncmp(de->d_name, "replaced", 8) == 0)
                        n++;
        ASSERT_EQ_INT(n, 1);
        /* a directory that does not exist: an error naming the file */
        _cleanup_free_ char *bad = NULL;
        ASSERT_TRUE(asprintf(&bad, "%s/no/such/file", dir) > 0);
        ASSERT_TRUE(write_file_replace(bad, "x", 1, 0600, &err) < 0);
        ASSERT_CONTAINS(err.msg, "no/such/file");
        crio_error_clear(&err);
}

/* additional_devices entries as CRI-O (podman's ParseDevice plus its /dev/ rule) reads them */
TEST(device_entry_forms) {
        static const struct {
                const char *entry, *host, *ctr, *mode;
        } good[] = {
                { "/dev/fuse", "/dev/fuse", "/dev/fuse", "rwm" },
                { "/dev/fuse:rw", "/dev/fuse", "/dev/fuse", "rw" },
                { "/dev/sdc:/dev/xvdc", "/dev/sdc", "/dev/xvdc", "rwm" },
                { "/dev/sdc:/dev/xvdc:r", "/dev/sdc", "/dev/xvdc", "r" },
                { "/dev/null:/dev/qifoo:mwr", "/dev/null", "/dev/qifoo", "mwr" },
                { "/srv/nodes:/dev/extra:rw", "/srv/nodes", "/dev/extra", "rw" },
        };
        for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
                _cleanup_(crio_error_clear) CrioError err = {};
                _cleanup_(device_entry_done) DeviceEntry d = { 0 };
                ASSERT_OK(device_entry_parse(good[i].entry, &d, &err));
                ASSERT_EQ_STR(d.host, good[i].host);
                ASSERT_EQ_STR(d.container, good[i].ctr);
                ASSERT_EQ_STR(d.mode, good[i].mode);
        }
        static const struct {
                const char *entry, *why;
        } bad[] = {
                { "", "host path must be absolute" },
                { "dev/fuse", "host path must be absolute" },
                { "/dev/fuse:", "neither a path nor a mode" },
                { "/dev/fuse:rwx", "neither a path nor a mode" },
                { "/dev/fuse:rr", "neither a path nor a mode" },
                { "/dev/null:/dev/x:rwr", "invalid mode \"rwr\"" },
                { "/dev/null:/dev/x:", "invalid mode" },
                { "/dev/null:rw:rw", "second of three fields must be a path" },
                { "/dev/null:/dev/x:r:w", "more than three fields" },
                { "/dev/null:/tmp/null", "container path \"/tmp/null\" is not below /dev/" },
                { "/dev/null:/dev/", "is not below /dev/" },
                { "/tmp/null", "container path \"/tmp/null\" is not below /dev/" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                _cleanup_(crio_error_clear) CrioError err = {};
                DeviceEntry d = { (char *) "untouched" };
                ASSERT_EQ_INT(device_entry_parse(bad[i].entry, &d, &err), -EINVAL);
                ASSERT_CONTAINS(err.msg, bad[i].why);
                ASSERT_EQ_STR(d.host, "untouched");
                ASSERT_EQ_INT(device_entry_parse(bad[i].entry, NULL, NULL), -EINVAL);
        }
}

TEST(log_levels) {
        LogLevel l;
        ASSERT_OK(log_level_from_string("warn", &l));
        ASSERT_EQ_INT(l, LOG_LEVEL_WARN);
        ASSERT_OK(log_level_from_string("TRACE", &l));
        ASSERT_EQ_INT(l, LOG_LEVEL_TRACE);
        ASSERT_EQ_INT(log_level_from_string("loud", &l), -EINVAL);
        ASSERT_EQ_STR(log_level_to_string(LOG_LEVEL_ERROR), "error");
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-util-XXXXXX");
}
