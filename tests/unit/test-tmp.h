/* Temporary files for unit tests: one base directory per test binary (made in main before
 * test_main, removed after), one directory per test below it, and files written into it.
 *
 *   int main(void) { return test_tmp_run("/tmp/crio-test-config-XXXXXX"); }
 *   TEST(x) { test_tmp_dir(); const char *p = test_tmp_write("a/b.conf", "text"); ... } */
#pragma once

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"

static char test_tmp_base[64];
static char test_tmp_current[96];

static int test_tmp_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

/* Makes this test's directory and returns it. */
static inline const char *test_tmp_dir(void) {
        snprintf(test_tmp_current, sizeof test_tmp_current, "%s/t-XXXXXX", test_tmp_base);
        if (!mkdtemp(test_tmp_current))
                test_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
        return test_tmp_current;
}

/* Writes text to <test dir>/name, creating one level of directory for "d/name"; returns the
 * path (a rotating static buffer: up to 8 live at once). */
static inline const char *test_tmp_write(const char *name, const char *text) {
        static char paths[8][256];
        static int next;
        char *p = paths[next++ % 8];
        const char *slash = strchr(name, '/');
        if (slash) {
                char d[256];
                snprintf(d, sizeof d, "%s/%.*s", test_tmp_current, (int) (slash - name), name);
                mkdir(d, 0755);
        }
        snprintf(p, 256, "%s/%s", test_tmp_current, name);
        FILE *f = fopen(p, "we");
        if (!f)
                test_fail(__FILE__, __LINE__, "fopen %s: %s", p, strerror(errno));
        fputs(text, f);
        fclose(f);
        return p;
}

/* Makes the base directory from template (ending in XXXXXX), runs the tests, removes it. */
static inline int test_tmp_run(const char *template) {
        snprintf(test_tmp_base, sizeof test_tmp_base, "%s", template);
        if (!mkdtemp(test_tmp_base)) {
                perror("mkdtemp");
                return 1;
        }
        int r = test_main();
        nftw(test_tmp_base, test_tmp_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return r;
}
