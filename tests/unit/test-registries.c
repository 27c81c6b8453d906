/* registries.conf v2: files and drop-ins, matching, mirrors, blocking, short names, errors. */
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>

#include "test.h"
#include "test-tmp.h"
#include "image/registries.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"


static RegistriesConf *parse_ok(const char *text) {
        RegistriesConf *c = NULL;
        CrioError err = {};
        if (registries_parse(text, strlen(text), "test.conf", &c, &err) < 0)
                test_fail(__FILE__, __LINE__, "registries_parse: %s", err.msg);
        return c;
}

static char *parse_bad(const char *text) {
        RegistriesConf *c = NULL;
        CrioError err = {};
        int r = registries_parse(text, strlen(text), "bad.conf", &c, &err);
        if (r >= 0)
                test_fail(__FILE__, __LINE__, "accepted:\n%s", text);
        ASSERT_TRUE(c == NULL);
        ASSERT_TRUE(err.msg != NULL);
        return err.msg;
}

static const char realistic[] =
        "# Fedora-like registries.conf\n"
        "unqualified-search-registries = [\"registry.fedoraproject.org\", \"registry.access.redhat.com\", \"docker.io\"]\n"
        "short-name-mode = \"enforcing\"\n"
        "\n"
        "[aliases]\n"
        "  \"fedora\" = \"registry.fedoraproject.org/fedora\"\n"
        "  \"ubi8\" = \"registry.access.redhat.com/ubi8\"\n"
        "\n"
        "[[registry]]\n"
        "prefix = \"example.com/foo\"\n"
        "location = \"internal.example.com/bar/\"\n"
        "insecure = true\n"
        "\n"
        "[[registry]]\n"
        "location = \"docker.io\"\n"
        "\n"
        "[[registry.mirror]]\n"
        "location = \"mirror-1.local/dockerhub\"\n"
        "[[registry.mirror]]\n"
        "location = \"mirror-2.local\"\n"
        "insecure = true\n"
        "pull-from-mirror = \"digest-only\"\n"
        "[[registry.mirror]]\n"
        "location = \"mirror-3.local\"\n"
        "pull-from-mirror = \"tag-only\"\n"
        "\n"
        "[[registry]]\n"
        "location = \"blocked.io\"\n"
        "blocked = true\n"
        "\n"
        "[[registry]]\n"
        "prefix = \"*.wild.example\"\n"
        "location = \"wild-mirror.local\"\n"
        "\n"
        "[[registry]]\n"
        "prefix = \"*.onlyprefix.example\"\n"
        "insecure = true\n"
        "\n"
        "[[registry]]\n"
        "location = \"quay.io\"\n"
        "mirror-by-digest-only = true\n"
        "[[registry.mirror]]\n"
        "location = \"quay-mirror.local\"\n";

TEST(parses_realistic_file) {
        _cleanup_registries_conf_ RegistriesConf *c = parse_ok(realistic);
        ASSERT_EQ_INT(strv_length(c->unqualified_search_registries), 3);
        ASSERT_EQ_STR(c->unqualified_search_registries[2], "docker.io");
        ASSERT_EQ_INT(c->short_name_mode, SHORT_NAME_MODE_ENFORCING);
        ASSERT_EQ_INT(c->n_aliases, 2);
        ASSERT_EQ_INT(c->n_registries, 6);
        /* sorted by prefix */
        ASSERT_EQ_STR(c->registries[0].prefix, "*.onlyprefix.example");
        ASSERT_EQ_STR(c->registries[0].location, "");
        ASSERT_EQ_STR(c->registries[3].prefix, "docker.io");
        ASSERT_EQ_INT(c->registries[3].n_mirrors, 3);
        ASSERT_EQ_INT(c->registries[3].mirrors[1].pull_from_mirror, PULL_FROM_MIRROR_DIGEST_ONLY);
        ASSERT_TRUE(c->registries[3].mirrors[1].insecure);
        ASSERT_EQ_STR(c->registries[4].prefix, "example.com/foo");
        ASSERT_EQ_STR(c->registries[4].location, "internal.example.com/bar"); /* trailing '/' dropped */
        ASSERT_EQ_STR(c->registries[4].origin, "test.conf:9");
}

TEST(find_longest_prefix_at_boundary) {
        _cleanup_registries_conf_ RegistriesConf *c = parse_ok(
                "[[registry]]\nlocation = \"example.com\"\n"
                "[[registry]]\nprefix = \"example.com/foo\"\nlocation = \"a.local/foo\"\n"
                "[[registry]]\nprefix = \"example.com/foo/bar\"\nlocation = \"b.local/x\"\n"
                "[[registry]]\nprefix = \"*.sub.example\"\nlocation = \"w.local\"\n");
        const RegistryEntry *e = NULL;
        ASSERT_EQ_INT(registries_find(c, "example.com/foo/bar/baz:1", &e), 1);
        ASSERT_EQ_STR(e->prefix, "example.com/foo/bar");
        ASSERT_EQ_INT(registries_find(c, "example.com/foobar:1", &e), 1);
        ASSERT_EQ_STR(e->prefix, "example.com"); /* "foo" does not match "foobar" */
        ASSERT_EQ_INT(registries_find(c, "example.com/foo@sha256:00", &e), 1);
        ASSERT_EQ_STR(e->prefix, "example.com/foo");
        ASSERT_EQ_INT(registries_find(c, "example.com/foo", &e), 1);
        ASSERT_EQ_STR(e->prefix, "example.com/foo");
        ASSERT_EQ_INT(registries_find(c, "example.community/x:1", &e), 0);
        ASSERT_TRUE(e == NULL);
        ASSERT_EQ_INT(registries_find(c, "a.b.sub.example/x:1", &e), 1);
        ASSERT_EQ_STR(e->prefix, "*.sub.example");
        ASSERT_EQ_INT(registries_find(c, "sub.example/x:1", &e), 0);       /* a subdomain only */
        ASSERT_EQ_INT(registries_find(c, "other.io/a.sub.example:1", &e), 0); /* in the domain only */
        ASSERT_EQ_INT(registries_find(c, "a.sub.example.org/x:1", &e), 0);
}

static void expect_sources(const RegistriesConf *c, const char *ref, bool digest, const char *const *want, const bool *insecure,
                           size_t n_want) {
        PullSource *s = NULL;
        size_t n = 0;
        CrioError err = {};
        if (registries_pull_sources(c, ref, digest, &s, &n, &err) < 0)
                test_fail(__FILE__, __LINE__, "pull_sources %s: %s", ref, err.msg);
        ASSERT_EQ_INT(n, n_want);
        for (size_t i = 0; i < n; i++) {
                ASSERT_EQ_STR(s[i].reference, want[i]);
                ASSERT_EQ_INT(s[i].insecure, insecure[i]);
        }
        pull_sources_free(s, n);
}

#define D "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"

TEST(pull_sources_mirrors) {
        _cleanup_registries_conf_ RegistriesConf *c = parse_ok(realistic);
        expect_sources(c, "docker.io/library/busybox:latest", false,
                       (const char *[]){ "mirror-1.local/dockerhub/library/busybox:latest", "mirror-3.local/library/busybox:latest",
                                         "docker.io/library/busybox:latest" },
                       (const bool[]){ false, false, false }, 3);
        expect_sources(c, "docker.io/library/busybox@" D, true,
                       (const char *[]){ "mirror-1.local/dockerhub/library/busybox@" D, "mirror-2.local/library/busybox@" D,
                                         "docker.io/library/busybox@" D },
                       (const bool[]){ false, true, false }, 3);
        /* mirror-by-digest-only */
        expect_sources(c, "quay.io/a/b:1", false, (const char *[]){ "quay.io/a/b:1" }, (const bool[]){ false }, 1);
        expect_sources(c, "quay.io/a/b@" D, true, (const char *[]){ "quay-mirror.local/a/b@" D, "quay.io/a/b@" D },
                       (const bool[]){ false, false }, 2);
        /* location rewrite and insecure */
        expect_sources(c, "example.com/foo/app:2", false, (const char *[]){ "internal.example.com/bar/app:2" }, (const bool[]){ true }, 1);
        /* wildcard prefixes: with a location the matched domain is replaced; without, kept */
        expect_sources(c, "r.wild.example/ns/img:1", false, (const char *[]){ "wild-mirror.local/ns/img:1" }, (const bool[]){ false }, 1);
        expect_sources(c, "r.onlyprefix.example/img:1", false, (const char *[]){ "r.onlyprefix.example/img:1" },
                       (const bool[]){ true }, 1);
        /* no match: the reference itself */
        expect_sources(c, "ghcr.io/x/y:1", false, (const char *[]){ "ghcr.io/x/y:1" }, (const bool[]){ false }, 1);
}

TEST(pull_sources_blocked) {
        _cleanup_registries_conf_ RegistriesConf *c = parse_ok(realistic);
        PullSource *s = NULL;
        size_t n = 7;
        CrioError err = {};
        ASSERT_EQ_INT(registries_pull_sources(c, "blocked.io/x/y:1", false, &s, &n, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "registry blocked.io is blocked");
        ASSERT_CONTAINS(err.msg, "test.conf:27");
        ASSERT_TRUE(s == NULL);
        ASSERT_EQ_INT(n, 7);
        crio_error_clear(&err);
}

static void expect_candidates(const RegistriesConf *c, const char *name, const char *const *want, size_t n_want) {
        _cleanup_strv_free_ char **got = NULL;
        CrioError err = {};
        if (registries_resolve_short_name(c, name, &got, &err) < 0)
                test_fail(__FILE__, __LINE__, "resolve %s: %s", name, err.msg);
        ASSERT_EQ_INT(strv_length(got), n_want);
        for (size_t i = 0; i < n_want; i++)
                ASSERT_EQ_STR(got[i], want[i]);
}

TEST(short_names) {
        _cleanup_registries_conf_ RegistriesConf *c = parse_ok(realistic);
        expect_candidates(c, "busybox",
                          (const char *[]){ "registry.fedoraproject.org/busybox:latest", "registry.access.redhat.com/busybox:latest",
                                            "docker.io/library/busybox:latest" },
                          3);
        expect_candidates(c, "fedora:38", (const char *[]){ "registry.fedoraproject.org/fedora:38" }, 1);
        expect_candidates(c, "fedora", (const char *[]){ "registry.fedoraproject.org/fedora:latest" }, 1);
        expect_candidates(c, "ubi8@" D, (const char *[]){ "registry.access.redhat.com/ubi8@" D }, 1);
        expect_candidates(c, "quay.io/a/b", (const char *[]){ "quay.io/a/b:latest" }, 1);
        expect_candidates(c, "localhost/a:1", (const char *[]){ "localhost/a:1" }, 1);

        _cleanup_registries_conf_ RegistriesConf *empty = parse_ok("");
        char **got = NULL;
        CrioError err = {};
        ASSERT_EQ_INT(registries_resolve_short_name(empty, "busybox", &got, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "no unqualified-search registries");
        crio_error_clear(&err);
        ASSERT_EQ_INT(registries_resolve_short_name(c, "Bad Name", &got, &err), -EINVAL);
        ASSERT_TRUE(got == NULL);
        crio_error_clear(&err);
}

TEST(dropins_merge_in_order) {
        test_tmp_dir();
        const char *main_path = test_tmp_write("registries.conf",
                                          "unqualified-search-registries = [\"a.io\"]\n"
                                          "[aliases]\nx = \"a.io/x\"\ny = \"a.io/y\"\n"
                                          "[[registry]]\nlocation = \"a.io\"\ninsecure = true\n"
                                          "[[registry]]\nlocation = \"b.io\"\n");
        test_tmp_write("d/20-second.conf",
                  "unqualified-search-registries = [\"c.io\", \"d.io\"]\n"
                  "[aliases]\ny = \"\"\n"
                  "[[registry]]\nlocation = \"a.io\"\nblocked = true\n");
        test_tmp_write("d/10-first.conf",
                  "unqualified-search-registries = [\"b.io\"]\nshort-name-mode = \"disabled\"\n"
                  "[aliases]\nz = \"z.io/z\"\nx = \"b.io/x\"\n"
                  "[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocation = \"m.io\"\n");
        test_tmp_write("d/30-ignored.txt", "this is not toml [");
        test_tmp_write("d/40-no-search.conf", "[[registry]]\nlocation = \"e.io\"\n");
        char dir[128];
        snprintf(dir, sizeof dir, "%s/d", test_tmp_current);

        _cleanup_registries_conf_ RegistriesConf *c = NULL;
        CrioError err = {};
        if (registries_load(main_path, dir, &c, &err) < 0)
                test_fail(__FILE__, __LINE__, "load: %s", err.msg);
        ASSERT_EQ_INT(strv_length(c->unqualified_search_registries), 2);
        ASSERT_EQ_STR(c->unqualified_search_registries[0], "c.io");
        ASSERT_EQ_INT(c->short_name_mode, SHORT_NAME_MODE_DISABLED);
        ASSERT_EQ_INT(c->n_aliases, 2); /* x (from 10-first), z; y removed */
        ASSERT_EQ_STR(c->aliases[0].name, "x");
        ASSERT_EQ_STR(c->aliases[0].value, "b.io/x");
        ASSERT_EQ_STR(c->aliases[1].name, "z");
        ASSERT_EQ_INT(c->n_registries, 3);
        ASSERT_EQ_STR(c->registries[0].prefix, "a.io");
        ASSERT_TRUE(c->registries[0].blocked);    /* replaced whole by 20-second */
        ASSERT_TRUE(!c->registries[0].insecure);
        ASSERT_EQ_INT(c->registries[0].n_mirrors, 0);
        ASSERT_CONTAINS(c->registries[0].origin, "20-second.conf:4");
        ASSERT_EQ_STR(c->registries[2].prefix, "e.io");
}

TEST(missing_files_are_empty) {
        test_tmp_dir();
        char p[128], d[128];
        snprintf(p, sizeof p, "%s/none.conf", test_tmp_current);
        snprintf(d, sizeof d, "%s/none.d", test_tmp_current);
        _cleanup_registries_conf_ RegistriesConf *c = NULL;
        CrioError err = {};
        ASSERT_OK(registries_load(p, d, &c, &err));
        ASSERT_EQ_INT(c->n_registries, 0);
        ASSERT_TRUE(c->unqualified_search_registries && !c->unqualified_search_registries[0]);
}

TEST(bad_dropin_names_file_and_line) {
        test_tmp_dir();
        const char *main_path = test_tmp_write("registries.conf", "[[registry]]\nlocation = \"a.io\"\n");
        test_tmp_write("d/01.conf", "\n\n[[registry]]\nlocation = \"https://x.io\"\n");
        char dir[128];
        snprintf(dir, sizeof dir, "%s/d", test_tmp_current);
        RegistriesConf *c = NULL;
        CrioError err = {};
        ASSERT_EQ_INT(registries_load(main_path, dir, &c, &err), -EINVAL);
        ASSERT_TRUE(c == NULL);
        ASSERT_CONTAINS(err.msg, "/d/01.conf:3: invalid location \"https://x.io\": URI schemes are not supported");
        crio_error_clear(&err);
}

TEST(default_path_honours_env) {
        unsetenv(REGISTRIES_ENV);
        ASSERT_EQ_STR(registries_default_path(), "/etc/containers/registries.conf");
        setenv(REGISTRIES_ENV, "/x/r.conf", 1);
        ASSERT_EQ_STR(registries_default_path(), "/x/r.conf");
}

TEST(first_prefix_in_a_file_wins) {
        _cleanup_registries_conf_ RegistriesConf *c = parse_ok("[[registry]]\nprefix = \"p.io\"\nlocation = \"one.io\"\n"
                                                              "[[registry]]\nprefix = \"p.io\"\nlocation = \"two.io\"\n");
        ASSERT_EQ_INT(c->n_registries, 1);
        ASSERT_EQ_STR(c->registries[0].location, "one.io");
}

TEST(errors_name_file_and_line) {
        _cleanup_free_ char *m1 = parse_bad("[registries.search]\nregistries = [\"docker.io\"]\n");
        ASSERT_CONTAINS(m1, "bad.conf:1: registries.conf v1 format is not supported");
        _cleanup_free_ char *m2 = parse_bad("\n[[registry]]\ninsecure = true\n");
        ASSERT_CONTAINS(m2, "bad.conf:2: invalid condition: both location and prefix are unset");
        _cleanup_free_ char *m3 = parse_bad("[[registry]]\nprefix = \"a.io/x\"\n");
        ASSERT_CONTAINS(m3, "bad.conf:1: invalid condition: location is unset");
        _cleanup_free_ char *m4 = parse_bad("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocation = \"m.io\"\npull-from-mirror = \"some\"\n");
        ASSERT_CONTAINS(m4, "bad.conf:3: unsupported pull-from-mirror value \"some\"");
        _cleanup_free_ char *m5 = parse_bad("[[registry]]\nlocation = \"a.io\"\nmirror-by-digest-only = true\n"
                                            "[[registry.mirror]]\nlocation = \"m.io\"\npull-from-mirror = \"all\"\n");
        ASSERT_CONTAINS(m5, "cannot set mirror usage mirror-by-digest-only");
        _cleanup_free_ char *m6 = parse_bad("short-name-mode = \"strict\"\n");
        ASSERT_CONTAINS(m6, "bad.conf:1: invalid short name mode \"strict\"");
        _cleanup_free_ char *m7 = parse_bad("unqualified-search-registries = [\"docker.io\",\n \"not a domain\"]\n");
        ASSERT_CONTAINS(m7, "bad.conf:2: invalid unqualified-search-registries entry \"not a domain\"");
        _cleanup_free_ char *m8 = parse_bad("[aliases]\n\"quay.io/x\" = \"quay.io/x\"\n");
        ASSERT_CONTAINS(m8, "bad.conf:2: invalid short name \"quay.io/x\": must not contain registry");
        _cleanup_free_ char *m9 = parse_bad("[aliases]\nx = \"x\"\n");
        ASSERT_CONTAINS(m9, "must contain registry and repository");
        _cleanup_free_ char *m10 = parse_bad("[aliases]\nx = \"a.io/x:1\"\n");
        ASSERT_CONTAINS(m10, "must not contain tag");
        _cleanup_free_ char *m11 = parse_bad("[[registry]]\nlocation = \"a.io\"\ninsecure = \"yes\"\n");
        ASSERT_CONTAINS(m11, "bad.conf:3: insecure must be a boolean, not string");
        _cleanup_free_ char *m12 = parse_bad("[[registry]]\nlocation = \"a.io\"\npull-from-mirror = \"all\"\n");
        ASSERT_CONTAINS(m12, "pull-from-mirror is not supported by the primary registry");
        _cleanup_free_ char *m13 = parse_bad("[[registry]]\nlocation = \"a.io\"\n[[registry]]\nprefix = \"a.io/x\"\nlocation = \"a.io\"\ninsecure = true\n");
        ASSERT_CONTAINS(m13, "bad.conf:3: registry 'a.io' is defined multiple times with conflicting 'insecure' setting");
        _cleanup_free_ char *m14 = parse_bad("x = [\n");
        ASSERT_CONTAINS(m14, "bad.conf: line");
        _cleanup_free_ char *m15 = parse_bad("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\ninsecure = true\n");
        ASSERT_CONTAINS(m15, "bad.conf:3: invalid condition: mirror location is unset");
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-regs-XXXXXX");
}
