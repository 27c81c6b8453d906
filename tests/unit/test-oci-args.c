/* Command/args against the image's Entrypoint/Cmd (Kubernetes' rules) and environment merging. */
#include <errno.h>

#include "test.h"
#include "oci/args.h"
#include "oci/runtime-path.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"

#define V(...) ((char *[]){ __VA_ARGS__, NULL })

static char **resolve_ok(char **command, char **args, char **ep, char **cmd) {
        char **out = NULL;
        CrioError err = {};
        if (oci_args_resolve(command, args, ep, cmd, &out, &err) < 0)
                test_fail(__FILE__, __LINE__, "oci_args_resolve: %s", err.msg);
        return out;
}

static void assert_strv(char **got, char **want) {
        if (!strv_equal(got, want)) {
                printf("# got:");
                for (size_t i = 0; got && got[i]; i++)
                        printf(" [%s]", got[i]);
                printf("\n");
                test_fail(__FILE__, __LINE__, "arrays differ");
        }
}

TEST(command_and_args_replace_the_image) {
        _cleanup_strv_free_ char **a = resolve_ok(V("/bin/app"), V("-v", "x"), V("/entry"), V("cmd"));
        assert_strv(a, V("/bin/app", "-v", "x"));
}

TEST(command_without_args_drops_image_cmd) {
        _cleanup_strv_free_ char **a = resolve_ok(V("/bin/app"), NULL, V("/entry"), V("cmd"));
        assert_strv(a, V("/bin/app"));
        _cleanup_strv_free_ char **b = resolve_ok(V("/bin/app"), (char *[]){ NULL }, V("/entry"), V("cmd"));
        assert_strv(b, V("/bin/app"));
}

TEST(args_only_keep_the_image_entrypoint) {
        _cleanup_strv_free_ char **a = resolve_ok(NULL, V("a", "b"), V("/entry", "--flag"), V("cmd"));
        assert_strv(a, V("/entry", "--flag", "a", "b"));
        /* no entrypoint: args alone */
        _cleanup_strv_free_ char **b = resolve_ok(NULL, V("/bin/sh", "-c", "true"), NULL, V("cmd"));
        assert_strv(b, V("/bin/sh", "-c", "true"));
}

TEST(neither_uses_entrypoint_and_cmd) {
        _cleanup_strv_free_ char **a = resolve_ok(NULL, NULL, V("/entry"), V("c1", "c2"));
        assert_strv(a, V("/entry", "c1", "c2"));
        _cleanup_strv_free_ char **b = resolve_ok(NULL, NULL, NULL, V("/bin/sh"));
        assert_strv(b, V("/bin/sh"));
        _cleanup_strv_free_ char **c = resolve_ok((char *[]){ NULL }, (char *[]){ NULL }, V("/entry"), NULL);
        assert_strv(c, V("/entry"));
}

TEST(empty_result_is_an_error) {
        char **out = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_args_resolve(NULL, NULL, NULL, NULL, &out, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "no command");
        ASSERT_TRUE(out == NULL);
        _cleanup_(crio_error_clear) CrioError err2 = {};
        ASSERT_EQ_INT(oci_args_resolve(NULL, NULL, (char *[]){ NULL }, (char *[]){ NULL }, &out, &err2), -EINVAL);
        _cleanup_(crio_error_clear) CrioError err3 = {};
        ASSERT_EQ_INT(oci_args_resolve(V(""), NULL, NULL, NULL, &out, &err3), -EINVAL);
        ASSERT_TRUE(out == NULL);
}

static char **merge_ok(char **image, char **cri, const char *home) {
        char **out = NULL;
        CrioError err = {};
        if (oci_env_merge(image, cri, home, &out, &err) < 0)
                test_fail(__FILE__, __LINE__, "oci_env_merge: %s", err.msg);
        return out;
}

TEST(env_cri_overrides_image_in_place) {
        _cleanup_strv_free_ char **e =
                merge_ok(V("PATH=/usr/bin", "A=1", "B=2"), V("B=cri", "C=3", "A=cri=with=equals"), NULL);
        assert_strv(e, V("PATH=/usr/bin", "A=cri=with=equals", "B=cri", "C=3"));
}

TEST(env_default_path_first_when_missing) {
        _cleanup_strv_free_ char **e = merge_ok(V("A=1"), V("B=2"), NULL);
        assert_strv(e, V("PATH=" OCI_DEFAULT_PATH, "A=1", "B=2"));
        _cleanup_strv_free_ char **f = merge_ok(NULL, NULL, NULL);
        assert_strv(f, V("PATH=" OCI_DEFAULT_PATH));
        /* PATH from the CRI counts */
        _cleanup_strv_free_ char **g = merge_ok(NULL, V("PATH=/x"), NULL);
        assert_strv(g, V("PATH=/x"));
}

TEST(env_image_duplicates_last_wins_and_empty_values_kept) {
        _cleanup_strv_free_ char **e = merge_ok(V("PATH=/a", "X=1", "X=2", "EMPTY="), NULL, NULL);
        assert_strv(e, V("PATH=/a", "X=2", "EMPTY="));
}

TEST(env_home_added_only_when_missing) {
        _cleanup_strv_free_ char **e = merge_ok(V("PATH=/a"), NULL, "/home/u");
        assert_strv(e, V("PATH=/a", "HOME=/home/u"));
        _cleanup_strv_free_ char **f = merge_ok(V("PATH=/a", "HOME=/img"), NULL, "/home/u");
        assert_strv(f, V("PATH=/a", "HOME=/img"));
        _cleanup_strv_free_ char **g = merge_ok(V("PATH=/a"), V("HOME=/cri"), "/home/u");
        assert_strv(g, V("PATH=/a", "HOME=/cri"));
}

TEST(env_empty_key_refused) {
        char **out = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_env_merge(NULL, V("=x"), NULL, &out, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "empty name");
        ASSERT_TRUE(out == NULL);
}

TEST(env_set_and_find) {
        _cleanup_strv_free_ char **e = NULL;
        ASSERT_OK(oci_env_set(&e, "A=1"));
        ASSERT_OK(oci_env_set(&e, "AB=2"));
        ASSERT_OK(oci_env_set(&e, "A=3"));
        ASSERT_OK(oci_env_set(&e, "NOVALUE"));
        assert_strv(e, V("A=3", "AB=2", "NOVALUE"));
        ASSERT_EQ_INT(oci_env_find(e, "AB"), 1);
        ASSERT_EQ_INT(oci_env_find(e, "AB=whatever"), 1);
        ASSERT_EQ_INT(oci_env_find(e, "B"), -1);
        ASSERT_EQ_INT(oci_env_find(e, "NOVALUE"), 2);
}

int main(void) {
        return test_main();
}
