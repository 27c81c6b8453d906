/* A tiny unit-test harness that prints TAP, read by tests/run.
 *
 *   TEST(parses_integers) { ASSERT_EQ_INT(x, 3); }
 *   int main(void) { return test_main(); }
 *
 * Tests register themselves through a constructor; each runs in a forked child so that a
 * crash fails one test, not the binary. A test may call test_skip("why") (skip, TAP "# SKIP"),
 * e.g. when a privilege is missing. ASSERT_* fail the current test with file:line. */
#pragma once

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef void (*test_fn)(void);
struct test_case {
        const char *name;
        test_fn fn;
};

#define TEST_MAX 512
static struct test_case test_cases[TEST_MAX];
static int test_count;

#define TEST(name)                                                                       \
        static void test_##name(void);                                                   \
        __attribute__((constructor)) static void test_register_##name(void) {            \
                if (test_count < TEST_MAX)                                               \
                        test_cases[test_count++] = (struct test_case){ #name, test_##name }; \
        }                                                                                \
        static void test_##name(void)

#define TEST_SKIP_CODE 77

static inline void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4), noreturn));
static inline void test_fail(const char *file, int line, const char *fmt, ...) {
        va_list ap;
        fprintf(stdout, "# %s:%d: ", file, line);
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
        fflush(stdout);
        _exit(1);
}

static inline void test_skip(const char *why) {
        fprintf(stdout, "# skip: %s\n", why);
        fflush(stdout);
        _exit(TEST_SKIP_CODE);
}

#define ASSERT_TRUE(c)                                                                    \
        do {                                                                              \
                if (!(c))                                                                 \
                        test_fail(__FILE__, __LINE__, "assertion failed: %s", #c);        \
        } while (0)
#define ASSERT_EQ_INT(a, b)                                                               \
        do {                                                                              \
                long long _a = (long long) (a), _b = (long long) (b);                     \
                if (_a != _b)                                                             \
                        test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, _a, #b, _b); \
        } while (0)
#define ASSERT_EQ_STR(a, b)                                                               \
        do {                                                                              \
                const char *_a = (a), *_b = (b);                                          \
                if (!_a || !_b || strcmp(_a, _b) != 0)                                    \
                        test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b ? _b : "(null)"); \
        } while (0)
#define ASSERT_CONTAINS(hay, needle)                                                      \
        do {                                                                              \
                const char *_h = (hay), *_n = (needle);                                   \
                if (!_h || !strstr(_h, _n))                                               \
                        test_fail(__FILE__, __LINE__, "%s == \"%s\" does not contain \"%s\"", #hay, _h ? _h : "(null)", _n); \
        } while (0)
#define ASSERT_OK(r)                                                                      \
        do {                                                                              \
                int _r = (r);                                                             \
                if (_r < 0)                                                               \
                        test_fail(__FILE__, __LINE__, "%s failed: %d (%s)", #r, _r, strerror(-_r)); \
        } while (0)

static inline int test_main(void) {
        int failed = 0;
        printf("1..%d\n", test_count);
        for (int i = 0; i < test_count; i++) {
                fflush(stdout);
                pid_t pid = fork();
                if (pid == 0) {
                        test_cases[i].fn();
                        fflush(stdout);
                        exit(0); /* not _exit: LeakSanitizer checks at exit */
                }
                int status = 0;
                waitpid(pid, &status, 0);
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                        printf("ok %d - %s\n", i + 1, test_cases[i].name);
                else if (WIFEXITED(status) && WEXITSTATUS(status) == TEST_SKIP_CODE)
                        printf("ok %d - %s # SKIP\n", i + 1, test_cases[i].name);
                else {
                        failed++;
                        if (WIFSIGNALED(status))
                                printf("# killed by signal %d\n", WTERMSIG(status));
                        printf("not ok %d - %s\n", i + 1, test_cases[i].name);
                }
        }
        return failed ? 1 : 0;
}
