/* registries.d: parsing, errors with file:line, merging files, lookaside lookup and URLs. */
#include <errno.h>
#include <sys/stat.h>

#include "test.h"
#include "test-tmp.h"
#include "image/registries-d.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"

#define D "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"

static RegistriesD *parse_ok(const char *text) {
        RegistriesD *c = NULL;
        CrioError err = {};
        if (registries_d_parse(text, strlen(text), "test.yaml", &c, &err) < 0)
                test_fail(__FILE__, __LINE__, "registries_d_parse: %s", err.msg);
        ASSERT_TRUE(c != NULL);
        return c;
}

static char *parse_bad(const char *text) {
        RegistriesD *c = NULL;
        CrioError err = {};
        int r = registries_d_parse(text, strlen(text), "bad.yaml", &c, &err);
        if (r >= 0)
                test_fail(__FILE__, __LINE__, "accepted:\n%s", text);
        ASSERT_TRUE(c == NULL);
        ASSERT_TRUE(err.msg != NULL);
        /* the message is copied so that the error can be freed (no leak under ASAN) */
        static char msg[2048];
        snprintf(msg, sizeof msg, "%s", err.msg);
        crio_error_clear(&err);
        return msg;
}

static char *base_of(const RegistriesD *c, const char *ref, bool write) {
        char *b = NULL;
        CrioError err = {};
        if (registries_d_lookaside_base(c, ref, write, &b, &err) < 0)
                test_fail(__FILE__, __LINE__, "lookaside_base %s: %s", ref, err.msg);
        return b;
}

static const char example[] =
        "# lookaside for the example registries\n"
        "default-docker:\n"
        "  lookaside: https://default.example/sigs\n"
        "  lookaside-staging: file:///mnt/staging\n"
        "docker:\n"
        "  registry.example.com:\n"
        "    lookaside: https://registry-lookaside.example.com\n"
        "  registry.example.com/team:\n"
        "    lookaside: https://team.example.com/lookaside\n"
        "    lookaside-staging: file:///mnt/team-staging\n"
        "    use-sigstore-attachments: yes\n"
        "  registry.example.com/team/app:mybranch:\n"
        "    sigstore: http://localhost:4242/old-name\n"
        "  registry.example.com/team/nolookaside:\n"
        "    use-sigstore-attachments: false\n"
        "  \"*.wild.example\":\n"
        "    lookaside: https://wild.example/sigs\n"
        "  localhost:5000:\n"
        "    lookaside: file:///srv/local-sigs\n"
        "    unknown-key: [ignored, {as: containers/image does}]\n"
        "  empty.example:\n";

TEST(parses_example) {
        _cleanup_registries_d_ RegistriesD *c = parse_ok(example);
        ASSERT_TRUE(c->default_docker != NULL);
        ASSERT_EQ_STR(c->default_docker->lookaside, "https://default.example/sigs");
        ASSERT_EQ_STR(c->default_docker->origin, "test.yaml:2");
        ASSERT_EQ_INT(c->n_docker, 7);
        /* sorted by name */
        ASSERT_EQ_STR(c->docker[0].name, "*.wild.example");
        ASSERT_EQ_STR(c->docker[1].name, "empty.example");
        ASSERT_TRUE(c->docker[1].section.lookaside == NULL);
        ASSERT_EQ_STR(c->docker[3].name, "registry.example.com");
        ASSERT_EQ_STR(c->docker[4].name, "registry.example.com/team");
        ASSERT_EQ_INT(c->docker[4].section.use_sigstore_attachments, 1);
        ASSERT_EQ_STR(c->docker[4].section.lookaside_staging, "file:///mnt/team-staging");
        ASSERT_EQ_STR(c->docker[5].section.sigstore, "http://localhost:4242/old-name");
        ASSERT_EQ_INT(c->docker[5].section.use_sigstore_attachments, -1);
        ASSERT_EQ_INT(c->docker[6].section.use_sigstore_attachments, 0);
}

TEST(lookaside_most_specific_scope) {
        _cleanup_registries_d_ RegistriesD *c = parse_ok(example);
        struct {
                const char *ref;
                bool write;
                const char *want;
        } cases[] = {
                /* the repository's namespace */
                { "registry.example.com/team/app:1", false, "https://team.example.com/lookaside/team/app" },
                { "registry.example.com/team/app:1", true, "file:///mnt/team-staging/team/app" },
                /* the full reference with its tag comes first; the old key name "sigstore" works */
                { "registry.example.com/team/app:mybranch", false, "http://localhost:4242/old-name/team/app" },
                /* old name for reading; no staging there: writing uses it too */
                { "registry.example.com/team/app:mybranch", true, "http://localhost:4242/old-name/team/app" },
                /* a scope without a lookaside falls through to its parents */
                { "registry.example.com/team/nolookaside:1", false, "https://team.example.com/lookaside/team/nolookaside" },
                /* the host */
                { "registry.example.com/other/x@" D, false, "https://registry-lookaside.example.com/other/x" },
                /* a host with a port */
                { "localhost:5000/a/b:1", false, "file:///srv/local-sigs/a/b" },
                /* the wildcard, after the host */
                { "r.wild.example/ns/img:1", false, "https://wild.example/sigs/ns/img" },
                { "a.b.wild.example:5000/img:1", false, "https://wild.example/sigs/img" },
                /* default-docker, for reading and for writing */
                { "docker.io/library/busybox:latest", false, "https://default.example/sigs/library/busybox" },
                { "docker.io/library/busybox:latest", true, "file:///mnt/staging/library/busybox" },
                /* an empty section: falls to default-docker */
                { "empty.example/x:1", false, "https://default.example/sigs/x" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *b = base_of(c, cases[i].ref, cases[i].write);
                if (strcmp(b, cases[i].want) != 0)
                        test_fail(__FILE__, __LINE__, "%s (write %d): %s, expected %s", cases[i].ref, cases[i].write, b, cases[i].want);
        }
        ASSERT_TRUE(registries_d_use_sigstore_attachments(c, "registry.example.com/team/app:1"));
        ASSERT_TRUE(!registries_d_use_sigstore_attachments(c, "registry.example.com/team/nolookaside:1"));
        ASSERT_TRUE(!registries_d_use_sigstore_attachments(c, "docker.io/library/busybox:latest"));
}

TEST(lookaside_builtin_default) {
        _cleanup_free_ char *b = base_of(NULL, "quay.io/a/b:1", false);
        ASSERT_EQ_STR(b, "file:///var/lib/containers/sigstore/a/b");
        _cleanup_registries_d_ RegistriesD *c = parse_ok("docker:\n  quay.io/other:\n    lookaside: https://x\n");
        _cleanup_free_ char *b2 = base_of(c, "quay.io/a/b:1", false);
        ASSERT_EQ_STR(b2, "file:///var/lib/containers/sigstore/a/b");
}

TEST(signature_url) {
        _cleanup_free_ char *u = NULL;
        CrioError err = {};
        ASSERT_OK(registries_d_signature_url("https://team.example.com/lookaside/team/app", D, 0, &u, &err));
        ASSERT_EQ_STR(u, "https://team.example.com/lookaside/team/app@sha256=86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa/signature-1");
        free(u);
        u = NULL;
        ASSERT_OK(registries_d_signature_url("file:///var/lib/containers/sigstore/library/busybox", D, 9, &u, &err));
        ASSERT_TRUE(str_endswith(u, "/signature-10"));
        ASSERT_EQ_INT(registries_d_signature_url("https://x/y", "sha256:../../etc", 0, &u, &err), -EINVAL);
        crio_error_clear(&err);
        _cleanup_free_ char *u2 = NULL;
        ASSERT_EQ_INT(registries_d_lookaside_base(NULL, "not a reference", false, &u2, &err), -EINVAL);
        crio_error_clear(&err);
}

TEST(empty_and_null_documents) {
        const char *const texts[] = { "", "# only a comment\n", "---\n", "~\n", "default-docker:\ndocker:\n", "docker: {}\n" };
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                _cleanup_registries_d_ RegistriesD *c = parse_ok(texts[i]);
                ASSERT_TRUE(c->default_docker == NULL);
                ASSERT_EQ_INT(c->n_docker, 0);
        }
}

TEST(errors_name_file_and_line) {
        ASSERT_CONTAINS(parse_bad("docker:\n  a.example:\n    lookaside: [x]\n"), "bad.yaml:3: lookaside must be a string");
        ASSERT_CONTAINS(parse_bad("docker:\n  a.example:\n    use-sigstore-attachments: maybe\n"),
                        "bad.yaml:3: use-sigstore-attachments must be a boolean");
        ASSERT_CONTAINS(parse_bad("docker:\n  a.example:\n    use-sigstore-attachments: \"true\"\n"), "must be a boolean");
        ASSERT_CONTAINS(parse_bad("docker:\n  a.example:\n    lookaside: x\n    lookaside: y\n"),
                        "bad.yaml:4: mapping key \"lookaside\" already defined at line 3");
        ASSERT_CONTAINS(parse_bad("docker:\n  a.example:\n    lookaside: x\n  a.example:\n    lookaside: y\n"),
                        "docker scope \"a.example\" defined twice (bad.yaml:2 and bad.yaml:4)");
        ASSERT_CONTAINS(parse_bad("docker: [a, b]\n"), "bad.yaml:1: docker must be a mapping of scopes, not a sequence");
        ASSERT_CONTAINS(parse_bad("docker:\n  a.example: just-a-string\n"), "bad.yaml:2: a configuration section must be a mapping");
        ASSERT_CONTAINS(parse_bad("- a\n- b\n"), "bad.yaml:1: the configuration must be a mapping, not a sequence");
        ASSERT_CONTAINS(parse_bad("docker:\n  a.example:\n    lookaside: \"unterminated\n"), "bad.yaml:");
        ASSERT_CONTAINS(parse_bad("docker:\n  a.example:\n\tlookaside: x\n"), "YAML syntax error");
        ASSERT_CONTAINS(parse_bad("docker:\n  a.example: &x\n    lookaside: y\n  b.example: *x\n"),
                        "bad.yaml:4: YAML aliases are not supported");
        ASSERT_CONTAINS(parse_bad("docker: {}\n---\ndocker: {}\n"), "more than one YAML document");
        ASSERT_CONTAINS(parse_bad("default-docker: {}\ndefault-docker: {}\n"), "mapping key \"default-docker\" already defined");
        ASSERT_CONTAINS(parse_bad("docker:\n  ? [complex]\n  : {}\n"), "mapping keys must be scalars");
        /* nesting in ignored keys is bounded */
        char deep[400] = "x: ";
        for (int i = 0; i < 60; i++)
                strcat(deep, "[");
        ASSERT_CONTAINS(parse_bad(deep), "bad.yaml:1:");
        /* NUL bytes */
        RegistriesD *c = NULL;
        CrioError err = {};
        ASSERT_EQ_INT(registries_d_parse("docker:\0", 8, "nul.yaml", &c, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "NUL");
        crio_error_clear(&err);
}

TEST(limits) {
        /* a file over the size limit */
        size_t big = REGISTRIES_D_MAX_FILE_SIZE + 1;
        _cleanup_free_ char *text = malloc(big);
        memset(text, '#', big);
        RegistriesD *c = NULL;
        CrioError err = {};
        ASSERT_EQ_INT(registries_d_parse(text, big, "big.yaml", &c, &err), -EFBIG);
        crio_error_clear(&err);
        /* too many scopes */
        size_t cap = (REGISTRIES_D_MAX_SCOPES + 2) * 32 + 16;
        _cleanup_free_ char *many = malloc(cap);
        size_t o = (size_t) snprintf(many, cap, "docker:\n");
        for (int i = 0; i <= REGISTRIES_D_MAX_SCOPES; i++)
                o += (size_t) snprintf(many + o, cap - o, "  r%d.example: {}\n", i);
        ASSERT_EQ_INT(registries_d_parse(many, o, "many.yaml", &c, &err), -E2BIG);
        ASSERT_CONTAINS(err.msg, "more than 4096 docker scopes");
        crio_error_clear(&err);
        /* a long URL */
        _cleanup_free_ char *longurl = malloc(REGISTRIES_D_MAX_URL + 64);
        o = (size_t) snprintf(longurl, 64, "default-docker:\n  lookaside: ");
        memset(longurl + o, 'a', REGISTRIES_D_MAX_URL + 1);
        longurl[o + REGISTRIES_D_MAX_URL + 1] = '\0';
        ASSERT_CONTAINS(parse_bad(longurl), "longer than 4096 bytes");
}

TEST(load_merges_files) {
        const char *dir = test_tmp_dir();
        char d[256];
        snprintf(d, sizeof d, "%s/registries.d", dir);
        test_tmp_write("registries.d/a.yaml", "docker:\n  quay.io:\n    lookaside: https://quay-sigs\n");
        test_tmp_write("registries.d/b.yaml", "default-docker:\n  lookaside: https://all-sigs\ndocker:\n  ghcr.io/x:\n    lookaside: https://x-sigs\n");
        test_tmp_write("registries.d/c.yml", "this: [is not read\n");
        test_tmp_write("registries.d/notes.txt", "nor this: [\n");
        RegistriesD *c = NULL;
        CrioError err = {};
        ASSERT_OK(registries_d_load(d, &c, &err));
        ASSERT_EQ_INT(c->n_docker, 2);
        _cleanup_free_ char *b1 = base_of(c, "quay.io/a/b:1", false), *b2 = base_of(c, "ghcr.io/x/y:2", false),
                            *b3 = base_of(c, "docker.io/library/busybox:latest", false);
        ASSERT_EQ_STR(b1, "https://quay-sigs/a/b");
        ASSERT_EQ_STR(b2, "https://x-sigs/x/y");
        ASSERT_EQ_STR(b3, "https://all-sigs/library/busybox");
        ASSERT_TRUE(strstr(c->docker[0].section.origin, "registries.d/b.yaml:4") != NULL);
        registries_d_free(c);
        c = NULL;

        /* a scope in two files */
        test_tmp_write("registries.d/z.yaml", "docker:\n  quay.io:\n    lookaside: https://other\n");
        ASSERT_EQ_INT(registries_d_load(d, &c, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "\"docker\" scope \"quay.io\" defined both in ");
        ASSERT_CONTAINS(err.msg, "a.yaml:2 and ");
        ASSERT_CONTAINS(err.msg, "z.yaml:2");
        ASSERT_TRUE(c == NULL);
        crio_error_clear(&err);

        /* default-docker in two files */
        test_tmp_write("registries.d/z.yaml", "default-docker:\n  lookaside: https://other\n");
        ASSERT_EQ_INT(registries_d_load(d, &c, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "\"default-docker\" defined both in ");
        crio_error_clear(&err);

        /* a syntax error names the file */
        test_tmp_write("registries.d/z.yaml", "docker:\n  x: [\n");
        ASSERT_EQ_INT(registries_d_load(d, &c, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "registries.d/z.yaml:");
        crio_error_clear(&err);
}

TEST(load_missing_directory_is_empty) {
        RegistriesD *c = NULL;
        CrioError err = {};
        ASSERT_OK(registries_d_load("/nonexistent/registries.d", &c, &err));
        ASSERT_EQ_INT(c->n_docker, 0);
        ASSERT_TRUE(c->default_docker == NULL);
        registries_d_free(c);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-regd-XXXXXX");
}
