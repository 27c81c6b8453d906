/* Image reference parsing and normalisation. The cases follow docker/distribution's
 * reference_test.go and normalize_test.go, with containers/image's choices where the two
 * differ (an uppercase first component is a path, not a domain). */
#include <errno.h>

#include "image/reference.h"
#include "test.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"

#define H64 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define D64 "sha256:" H64
#define BB_HEX "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"
#define ID_HEX "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"
#define H96 H64 "ffffffffffffffffffffffffffffffff"
#define H128 H64 H64

typedef struct ValidCase {
        const char *input;
        const char *domain, *path, *tag, *digest; /* tag/digest NULL when absent */
        const char *familiar;                     /* NULL: not checked */
} ValidCase;

static const ValidCase valid_cases[] = {
        /* familiar names on Docker Hub */
        { "busybox", "docker.io", "library/busybox", "latest", NULL, "busybox:latest" },
        { "busybox:1.36", "docker.io", "library/busybox", "1.36", NULL, "busybox:1.36" },
        { "user/app", "docker.io", "user/app", "latest", NULL, "user/app:latest" },
        { "docker.io/busybox", "docker.io", "library/busybox", "latest", NULL, "busybox:latest" },
        { "docker.io/library/busybox", "docker.io", "library/busybox", "latest", NULL, "busybox:latest" },
        { "index.docker.io/busybox", "docker.io", "library/busybox", "latest", NULL, "busybox:latest" },
        { "index.docker.io/user/app:v1", "docker.io", "user/app", "v1", NULL, "user/app:v1" },
        { "index.docker.io/library/debian", "docker.io", "library/debian", "latest", NULL, "debian:latest" },
        { "docker.io/library/foo/bar", "docker.io", "library/foo/bar", "latest", NULL, "library/foo/bar:latest" },
        { "library/foo/bar", "docker.io", "library/foo/bar", "latest", NULL, "library/foo/bar:latest" },
        { "store/foo/bar", "docker.io", "store/foo/bar", "latest", NULL, "store/foo/bar:latest" },
        { "other/library", "docker.io", "other/library", "latest", NULL, "other/library:latest" },
        { "ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "latest", NULL, "ubuntu-12.04-base:latest" },
        { "docker.io/library", "docker.io", "library/library", "latest", NULL, "library:latest" },
        /* the transport prefix */
        { "docker://busybox", "docker.io", "library/busybox", "latest", NULL, "busybox:latest" },
        { "docker://quay.io/a/b:1", "quay.io", "a/b", "1", NULL, "quay.io/a/b:1" },
        /* other registries, ports, localhost */
        { "localhost/x", "localhost", "x", "latest", NULL, "localhost/x:latest" },
        { "localhost:5000/x", "localhost:5000", "x", "latest", NULL, "localhost:5000/x:latest" },
        { "localhost:5000/a/b:t", "localhost:5000", "a/b", "t", NULL, "localhost:5000/a/b:t" },
        { "registry.example/x/y:1.0", "registry.example", "x/y", "1.0", NULL, "registry.example/x/y:1.0" },
        { "test.com/repo:tag", "test.com", "repo", "tag", NULL, NULL },
        { "test:5000/repo", "test:5000", "repo", "latest", NULL, NULL },
        { "test:5000/repo:tag", "test:5000", "repo", "tag", NULL, NULL },
        { "test-com:8080/foo", "test-com:8080", "foo", "latest", NULL, NULL },
        { "test:5000/repo@" D64, "test:5000", "repo", NULL, D64, "test:5000/repo@" D64 },
        { "test:5000/repo:tag@" D64, "test:5000", "repo", "tag", D64, "test:5000/repo:tag@" D64 },
        { "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", "latest", NULL, NULL },
        { "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", NULL, NULL },
        { "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com", NULL, NULL },
        { "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", NULL, NULL },
        { "xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", "latest", NULL, NULL },
        { "xn--7o8h.com/myimage:xn--7o8h.com@sha512:" H128, "xn--7o8h.com", "myimage", "xn--7o8h.com", "sha512:" H128, NULL },
        { "example.com:8000/private/moonbase", "example.com:8000", "private/moonbase", "latest", NULL,
          "example.com:8000/private/moonbase:latest" },
        { "127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", "latest", NULL,
          "127.0.0.1:5000/library/debian:latest" },
        { "192.168.1.1/repo", "192.168.1.1", "repo", "latest", NULL, NULL },
        { "192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", NULL, NULL },
        { "192.168.0.1:8/debian", "192.168.0.1:8", "debian", "latest", NULL, NULL },
        { "example.com:99999999/x", "example.com:99999999", "x", "latest", NULL, NULL }, /* [0-9]+ */
        { "a.b.c.d.e/x", "a.b.c.d.e", "x", "latest", NULL, NULL },
        { "a-----b.c/x", "a-----b.c", "x", "latest", NULL, NULL },
        { "1.2/x", "1.2", "x", "latest", NULL, NULL },
        /* domains keep their case; the grammar allows uppercase there */
        { "Foo.com/bar", "Foo.com", "bar", "latest", NULL, "Foo.com/bar:latest" },
        { "FOO.COM:5000/bar", "FOO.COM:5000", "bar", "latest", NULL, NULL },
        { "LOCALHOST:5000/bar", "LOCALHOST:5000", "bar", "latest", NULL, NULL },
        /* IPv6 */
        { "[::1]:5000/x", "[::1]:5000", "x", "latest", NULL, "[::1]:5000/x:latest" },
        { "[2001:db8::1]/repo", "[2001:db8::1]", "repo", "latest", NULL, NULL },
        { "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", NULL, NULL },
        { "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", "latest", NULL, NULL },
        { "[2001:db8::1]:5000/repo@" D64, "[2001:db8::1]:5000", "repo", NULL, D64, NULL },
        { "[2001:db8::1]:5000/repo:tag@" D64, "[2001:db8::1]:5000", "repo", "tag", D64, NULL },
        { "[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", "latest", NULL, NULL },
        { "[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker", "latest", NULL, NULL },
        { "[FC00::ABCD]/x", "[FC00::ABCD]", "x", "latest", NULL, NULL },
        /* a first component without "." or ":" is a path */
        { "foo/bar", "docker.io", "foo/bar", "latest", NULL, "foo/bar:latest" },
        { "test_com/foo", "docker.io", "test_com/foo", "latest", NULL, NULL },
        { "docker/migrator", "docker.io", "docker/migrator", "latest", NULL, NULL },
        { "localhostx/y", "docker.io", "localhostx/y", "latest", NULL, NULL },
        { "foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", NULL, "foo/foo_bar.com:8080" },
        /* without a "/", a ":" starts the tag, so hosts become names */
        { "test_com", "docker.io", "library/test_com", "latest", NULL, NULL },
        { "test.com:tag", "docker.io", "library/test.com", "tag", NULL, NULL },
        { "test.com:5000", "docker.io", "library/test.com", "5000", NULL, "test.com:5000" },
        { "foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", NULL, NULL },
        { "192.168.1.1", "docker.io", "library/192.168.1.1", "latest", NULL, NULL },
        { "192.168.1.1:5000", "docker.io", "library/192.168.1.1", "5000", NULL, NULL },
        { "localhost", "docker.io", "library/localhost", "latest", NULL, "localhost:latest" },
        { "localhost:5000", "docker.io", "library/localhost", "5000", NULL, NULL },
        /* separators and deep paths */
        { "a/b/c/d", "docker.io", "a/b/c/d", "latest", NULL, "a/b/c/d:latest" },
        { "example.com/a/b/c/d/e/f/g", "example.com", "a/b/c/d/e/f/g", "latest", NULL, NULL },
        { "a_b/c__d/e-f/g--h/i.j", "docker.io", "a_b/c__d/e-f/g--h/i.j", "latest", NULL, NULL },
        { "docker-rules/docker", "docker.io", "docker-rules/docker", "latest", NULL, NULL },
        { "docker---rules/docker", "docker.io", "docker---rules/docker", "latest", NULL, NULL },
        { "dock__er/docker", "docker.io", "dock__er/docker", "latest", NULL, NULL },
        { "d/docker", "docker.io", "d/docker", "latest", NULL, NULL },
        { "jess/t", "docker.io", "jess/t", "latest", NULL, NULL },
        { "a.b_c__d-e--f0", "docker.io", "library/a.b_c__d-e--f0", "latest", NULL, NULL },
        { "0", "docker.io", "library/0", "latest", NULL, "0:latest" },
        /* tags */
        { "lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", NULL, "lowercase:Uppercase" },
        { "x:_tag", "docker.io", "library/x", "_tag", NULL, NULL },
        { "x:9", "docker.io", "library/x", "9", NULL, NULL },
        { "x:a.-_B", "docker.io", "library/x", "a.-_B", NULL, NULL },
        /* digests; no default tag next to one */
        { "x@" D64, "docker.io", "library/x", NULL, D64, "x@" D64 },
        { "x:tag@" D64, "docker.io", "library/x", "tag", D64, "x:tag@" D64 },
        { "busybox:latest@sha256:" BB_HEX, "docker.io", "library/busybox", "latest", "sha256:" BB_HEX,
          "busybox:latest@sha256:" BB_HEX },
        { "user/app@sha384:" H96, "docker.io", "user/app", NULL, "sha384:" H96, "user/app@sha384:" H96 },
        { "docker://x@sha512:" H128, "docker.io", "library/x", NULL, "sha512:" H128, NULL },
        /* hex names: only a bare 64-hex string is refused */
        { "docker.io/" ID_HEX, "docker.io", "library/" ID_HEX, "latest", NULL, ID_HEX ":latest" },
        { ID_HEX ":tag", "docker.io", "library/" ID_HEX, "tag", NULL, ID_HEX ":tag" },
        { ID_HEX "@" D64, "docker.io", "library/" ID_HEX, NULL, D64, NULL },
        { "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3", "docker.io",
          "library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3", "latest", NULL, NULL },
        { "1A3F5E7D9C1B3A5F7E9D1C3B5A7F9E1D3C5B7A9F1E3D5D7C9B1A3F5E7D9C1B3A.io/x", "1A3F5E7D9C1B3A5F7E9D1C3B5A7F9E1D3C5B7A9F1E3D5D7C9B1A3F5E7D9C1B3A.io",
          "x", "latest", NULL, NULL },
        { "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io",
          "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "latest", NULL, NULL },
        { "dbcc1", "docker.io", "library/dbcc1", "latest", NULL, "dbcc1:latest" },
        /* familiar forms that keep docker.io so that they read back the same */
        { "docker.io/foo.com/bar", "docker.io", "foo.com/bar", "latest", NULL, "docker.io/foo.com/bar:latest" },
        { "docker.io/localhost/x", "docker.io", "localhost/x", "latest", NULL, "docker.io/localhost/x:latest" },
        { "foo.com/bar", "foo.com", "bar", "latest", NULL, "foo.com/bar:latest" },
};

static void check_valid(const ValidCase *c) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_image_reference_ ImageReference *r = NULL;
        int rc = image_reference_parse(c->input, &r, &err);
        if (rc < 0)
                test_fail(__FILE__, __LINE__, "parsing \"%s\" failed: %s", c->input, err.msg);
        ASSERT_TRUE(err.msg == NULL);
        if (strcmp(r->domain, c->domain) != 0 || strcmp(r->path, c->path) != 0 || !streq_null(r->tag, c->tag) ||
            !streq_null(r->digest, c->digest) || (!r->tag) != (!c->tag) || (!r->digest) != (!c->digest))
                test_fail(__FILE__, __LINE__, "\"%s\": got domain=%s path=%s tag=%s digest=%s", c->input, r->domain,
                          r->path, r->tag ? r->tag : "(null)", r->digest ? r->digest : "(null)");

        /* the full string is what we expect and reads back as itself */
        _cleanup_free_ char *expect = NULL, *s = NULL, *name = NULL, *fam = NULL;
        ASSERT_TRUE(asprintf(&expect, "%s/%s%s%s%s%s", c->domain, c->path, c->tag ? ":" : "", c->tag ? c->tag : "",
                             c->digest ? "@" : "", c->digest ? c->digest : "") > 0);
        s = image_reference_string(r);
        ASSERT_EQ_STR(s, expect);
        _cleanup_image_reference_ ImageReference *back = NULL;
        if (image_reference_parse(s, &back, &err) < 0)
                test_fail(__FILE__, __LINE__, "re-parsing \"%s\" failed: %s", s, err.msg);
        _cleanup_free_ char *s2 = image_reference_string(back);
        ASSERT_EQ_STR(s2, s);

        name = image_reference_name(r);
        _cleanup_free_ char *expect_name = NULL;
        ASSERT_TRUE(asprintf(&expect_name, "%s/%s", c->domain, c->path) > 0);
        ASSERT_EQ_STR(name, expect_name);

        /* the familiar form is what Docker prints and reads back as the same reference */
        fam = image_reference_familiar(r);
        ASSERT_TRUE(fam != NULL);
        if (c->familiar)
                if (strcmp(fam, c->familiar) != 0)
                        test_fail(__FILE__, __LINE__, "\"%s\": familiar \"%s\", expected \"%s\"", c->input, fam, c->familiar);
        _cleanup_image_reference_ ImageReference *fback = NULL;
        if (image_reference_parse(fam, &fback, &err) < 0)
                test_fail(__FILE__, __LINE__, "re-parsing familiar \"%s\" failed: %s", fam, err.msg);
        _cleanup_free_ char *s3 = image_reference_string(fback);
        ASSERT_EQ_STR(s3, s);
}

TEST(valid_references) {
        for (size_t i = 0; i < ELEMENTSOF(valid_cases); i++)
                check_valid(&valid_cases[i]);
}

typedef struct InvalidCase {
        const char *input;
        const char *problem; /* the message must contain this */
} InvalidCase;

static const InvalidCase invalid_cases[] = {
        { "", "repository name must have at least one component" },
        { "docker://", "repository name must have at least one component" },
        { ":justtag", "repository name must have at least one component" },
        { "@" D64, "repository name must have at least one component" },
        { ":", "repository name must have at least one component" },
        /* case */
        { "Busybox", "repository name must be lowercase" },
        { "Uppercase:tag", "repository name must be lowercase" },
        { "test:5000/Uppercase/lowercase:tag", "repository name must be lowercase" },
        { "docker/Docker", "repository name must be lowercase" },
        { "docker.io/docker/Docker", "repository name must be lowercase" },
        { "localhost/Foo", "repository name must be lowercase" },
        /* containers/image: an uppercase first component is a path, not a domain */
        { "Foo/bar", "repository name must be lowercase" },
        { "Docker/docker", "repository name must be lowercase" },
        { "DOCKER/docker", "repository name must be lowercase" },
        /* image IDs */
        { ID_HEX, "ambiguous with an image ID" },
        { "docker://" ID_HEX, "ambiguous with an image ID" },
        { H64, "ambiguous with an image ID" },
        /* tags */
        { "x:", "empty tag" },
        { "x:-tag", "invalid tag format" },
        { "x:.tag", "invalid tag format" },
        { "x:t$g", "invalid tag format" },
        { "busybox:latest:extra", "invalid tag format" },
        { "x:tag:", "invalid tag format" },
        { "[2001:db8::1]:tag", "invalid" },
        /* digests */
        { "x@", "empty digest" },
        { "x@sha256:12", "invalid digest length" },
        { "repo@sha256:ffffffffffffffffffffffffffffffffff", "invalid digest length" },
        { "x@sha256:" H64 "f", "invalid digest length" },
        { "x@sha512:" H64, "invalid digest length" },
        { "validname@invaliddigest:" H64, "unsupported digest algorithm \"invaliddigest\"" },
        { "x@md5:ffffffffffffffffffffffffffffffff", "unsupported digest algorithm \"md5\"" },
        { "x@SHA256:" H64, "unsupported digest algorithm \"SHA256\"" },
        { "x@sha256+b64:" H64, "unsupported digest algorithm" },
        { "x@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "hex must be lowercase" },
        { "x@sha256:fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffg", "not hexadecimal" },
        { "x@sha256", "missing \":\"" },
        { "x@sha256:", "empty hex" },
        { "x@1sha:ff", "malformed algorithm" },
        { "x@sha256+:ff", "malformed algorithm" },
        { "x@:" H64, "malformed algorithm" },
        { "x@" D64 "@" D64, "not hexadecimal" },
        { "x@" D64 ":tag", "not hexadecimal" },
        { "x:t@g", "invalid digest format" },
        /* path components */
        { "aa/asdf$$^/aa", "invalid repository name component \"asdf$$^\"" },
        { "-docker", "invalid repository name component \"-docker\"" },
        { "-docker/docker", "invalid repository name component" },
        { "docker-/docker", "invalid repository name component" },
        { "-docker-/docker", "invalid repository name component" },
        { "____/____", "invalid repository name component" },
        { "_docker/_docker", "invalid repository name component" },
        /* (a "." in the first of several components makes it a domain) */
        { "dock..er/docker", "invalid domain \"dock..er\"" },
        { "dock_.er/docker", "invalid domain" },
        { "docker/dock..er", "invalid repository name component \"dock..er\"" },
        { "docker/dock_.er", "invalid repository name component" },
        { "docker/dock-.er", "invalid repository name component" },
        { "docker/dock.-er", "invalid repository name component" },
        { "dock_.er", "invalid repository name component" },
        { "dock___er/docker", "invalid repository name component" },
        { "dock._er", "invalid repository name component" },
        { "docker.", "invalid repository name component" },
        { "x y", "invalid repository name component" },
        { "docker///docker", "empty repository name component" },
        { "docker.io/docker///docker", "empty repository name component" },
        { "docker/", "empty repository name component" },
        { "localhost/", "empty repository name component" },
        { "docker.io/", "empty repository name component" },
        { "example.com/x/", "empty repository name component" },
        /* domains */
        { "https://github.com/docker/docker", "invalid domain \"https:\"" },
        { "-docker.io/docker/docker", "invalid domain \"-docker.io\"" },
        { "docker-.io/x", "invalid domain" },
        { "example..com/x", "invalid domain" },
        { ".example.com/x", "invalid domain" },
        { "example.com./x", "invalid domain" },
        { "exa_mple.com/x", "invalid domain" },
        { "a.b_c/x", "invalid domain" }, /* Go would read this as a domainless path */
        { "example.com:/x", "invalid domain" },
        { "example.com:5a/x", "invalid domain" },
        { "example.com:5000:1/x", "invalid domain" },
        { ":5000/x", "invalid domain" },
        { "fc00::1:5000/debian", "invalid domain" },
        { "[fe80::1%eth0]:5000/debian", "invalid domain" },
        { "[fe80::1%@invalidzone]:5000/repo", "invalid" },
        { "[2001:db8:3:4::192.0.2.33]:5000/debian", "invalid domain" },
        { "[]:5000/x", "invalid domain" },
        { "[::1/x", "invalid domain" },
        { "[::1]x/y", "invalid domain" },
        { "[::1]:/y", "invalid domain" },
        { "[fc00::1]", "invalid" },
        { "[fc00::1]:5000", "invalid" },
        { "[2001:db8::1]", "invalid" },
        { "docker://docker://busybox", "invalid domain \"docker:\"" },
        { "localhost:/x", "invalid domain" },
        /* names too long: counted after normalisation */
        { "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
          "repository name must not be more than 255 characters" },
};

TEST(invalid_references) {
        for (size_t i = 0; i < ELEMENTSOF(invalid_cases); i++) {
                const InvalidCase *c = &invalid_cases[i];
                _cleanup_(crio_error_clear) CrioError err = {};
                ImageReference *r = (ImageReference *) 0x1; /* must stay untouched */
                int rc = image_reference_parse(c->input, &r, &err);
                if (rc != -EINVAL)
                        test_fail(__FILE__, __LINE__, "\"%s\": expected -EINVAL, got %d", c->input, rc);
                ASSERT_TRUE(r == (ImageReference *) 0x1);
                ASSERT_EQ_INT(err.code, EINVAL);
                if (!err.msg || !strstr(err.msg, c->problem))
                        test_fail(__FILE__, __LINE__, "\"%s\": message \"%s\" lacks \"%s\"", c->input,
                                  err.msg ? err.msg : "(null)", c->problem);
                ASSERT_TRUE(str_startswith(err.msg, "invalid reference \""));
        }
}

static void expect_message(const char *input, const char *message) {
        _cleanup_(crio_error_clear) CrioError err = {};
        ImageReference *r = NULL;
        ASSERT_EQ_INT(image_reference_parse(input, &r, &err), -EINVAL);
        ASSERT_TRUE(r == NULL);
        ASSERT_EQ_STR(err.msg, message);
}

TEST(error_messages_name_problem_and_input) {
        expect_message("Busybox", "invalid reference \"Busybox\": repository name must be lowercase");
        expect_message("x:", "invalid reference \"x:\": empty tag");
        expect_message("x@sha256:12", "invalid reference \"x@sha256:12\": invalid digest length");
        expect_message(ID_HEX, "invalid reference \"" ID_HEX "\": a 64-character hexadecimal string is "
                               "ambiguous with an image ID and cannot be a repository name");
        expect_message("", "invalid reference \"\": repository name must have at least one component");
        /* control characters, quotes and backslashes are escaped in the message */
        expect_message("bus\nbox", "invalid reference \"bus\\x0abox\": invalid repository name component \"bus\\x0abox\"");
        expect_message("a\"b", "invalid reference \"a\\\"b\": invalid repository name component \"a\\\"b\"");
        expect_message("\xff", "invalid reference \"\\xff\": invalid repository name component \"\\xff\"");

        _cleanup_(crio_error_clear) CrioError err = {};
        ImageReference *r = NULL;
        ASSERT_EQ_INT(image_reference_parse(NULL, &r, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "invalid reference");
        /* a NULL err is allowed */
        ASSERT_EQ_INT(image_reference_parse("Busybox", &r, NULL), -EINVAL);
        ASSERT_TRUE(r == NULL);
}

static char *repeat(const char *unit, size_t times, const char *prefix, const char *suffix) {
        size_t u = strlen(unit), p = strlen(prefix), s = strlen(suffix);
        char *b = malloc(p + u * times + s + 1);
        if (!b)
                abort();
        memcpy(b, prefix, p);
        for (size_t i = 0; i < times; i++)
                memcpy(b + p + i * u, unit, u);
        memcpy(b + p + u * times, suffix, s + 1);
        return b;
}

static void expect_valid_name_len(const char *input, size_t name_len) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_image_reference_ ImageReference *r = NULL;
        if (image_reference_parse(input, &r, &err) < 0)
                test_fail(__FILE__, __LINE__, "parsing a %zu-byte input failed: %s", strlen(input), err.msg);
        _cleanup_free_ char *name = image_reference_name(r);
        ASSERT_EQ_INT(strlen(name), name_len);
}

static void expect_invalid(const char *input, const char *problem) {
        _cleanup_(crio_error_clear) CrioError err = {};
        ImageReference *r = NULL;
        ASSERT_EQ_INT(image_reference_parse(input, &r, &err), -EINVAL);
        ASSERT_TRUE(r == NULL);
        ASSERT_CONTAINS(err.msg, problem);
}

TEST(length_limits) {
        /* the whole normalised name "domain/path" counts, at most 255 */
        _cleanup_free_ char *a = repeat("x", 250, "a.io/", ""); /* 4 + 1 + 250 */
        expect_valid_name_len(a, 255);
        _cleanup_free_ char *b = repeat("x", 251, "a.io/", "");
        expect_invalid(b, "repository name must not be more than 255 characters");
        _cleanup_free_ char *c = repeat("x", 237, "", ":tag"); /* docker.io/library/ + 237 */
        expect_valid_name_len(c, 255);
        _cleanup_free_ char *d = repeat("x", 238, "", "");
        expect_invalid(d, "repository name must not be more than 255 characters");
        _cleanup_free_ char *e = repeat("x", 243, "docker.io/a/", ""); /* 10 + 2 + 243 */
        expect_valid_name_len(e, 255);
        _cleanup_free_ char *f = repeat("x", 244, "docker.io/a/", "");
        expect_invalid(f, "more than 255 characters");
        /* distribution's cases: a/a/.../a with 128 and 127 "a/" */
        _cleanup_free_ char *g = repeat("a/", 128, "", "a:tag");
        expect_invalid(g, "more than 255 characters");
        _cleanup_free_ char *h = repeat("a/", 127, "", "a:tag-puts-this-over-max");
        expect_invalid(h, "more than 255 characters"); /* 255 before docker.io/ is added */
        _cleanup_free_ char *i = repeat("a/", 122, "", "a:tag"); /* docker.io/ + 245 */
        expect_valid_name_len(i, 255);
        _cleanup_free_ char *deep = repeat("/a", 120, "example.com", ""); /* 11 + 240 */
        expect_valid_name_len(deep, 251);

        /* tags: 1 to 128 characters */
        _cleanup_free_ char *t128 = repeat("t", 128, "x:", "");
        expect_valid_name_len(t128, strlen("docker.io/library/x"));
        _cleanup_free_ char *t129 = repeat("t", 129, "x:", "");
        expect_invalid(t129, "tag must not be more than 128 characters");
        _cleanup_free_ char *t128d = repeat("t", 128, "x:", "@" D64);
        expect_valid_name_len(t128d, strlen("docker.io/library/x"));

        /* the longest valid reference fits the input limit; longer input is refused early */
        _cleanup_free_ char *longest = NULL, *path = repeat("x", 244, "", ""), *tag = repeat("t", 128, "", "");
        ASSERT_TRUE(asprintf(&longest, "docker://example.io/%s:%s@sha512:%s", path, tag, H128) > 0); /* 11 + 244 */
        ASSERT_TRUE(strlen(longest) < IMAGE_REFERENCE_INPUT_MAX);
        expect_valid_name_len(longest, 255);
        _cleanup_free_ char *huge = repeat("a", IMAGE_REFERENCE_INPUT_MAX + 1, "", "");
        expect_invalid(huge, "longer than 1024 bytes");
        {
                _cleanup_(crio_error_clear) CrioError e2 = {};
                ImageReference *r2 = NULL;
                ASSERT_EQ_INT(image_reference_parse(huge, &r2, &e2), -EINVAL);
                ASSERT_TRUE(strlen(e2.msg) < 300); /* the input is quoted, but not all of it */
                ASSERT_CONTAINS(e2.msg, "...");
        }
}

TEST(normalised_strings) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_image_reference_ ImageReference *r = NULL;
        ASSERT_OK(image_reference_parse("busybox", &r, &err));
        _cleanup_free_ char *s = image_reference_string(r), *n = image_reference_name(r), *f = image_reference_familiar(r);
        ASSERT_EQ_STR(s, "docker.io/library/busybox:latest");
        ASSERT_EQ_STR(n, "docker.io/library/busybox");
        ASSERT_EQ_STR(f, "busybox:latest");

        _cleanup_free_ char *wd = image_reference_with_digest(r, "sha256:" BB_HEX);
        ASSERT_EQ_STR(wd, "docker.io/library/busybox@sha256:" BB_HEX);

        /* a reference with both keeps both; with_digest drops the tag and replaces the digest */
        _cleanup_image_reference_ ImageReference *both = NULL;
        ASSERT_OK(image_reference_parse("quay.io/a/b:v1@" D64, &both, &err));
        _cleanup_free_ char *bs = image_reference_string(both), *bf = image_reference_familiar(both);
        ASSERT_EQ_STR(bs, "quay.io/a/b:v1@" D64);
        ASSERT_EQ_STR(bf, "quay.io/a/b:v1@" D64);
        _cleanup_free_ char *bwd = image_reference_with_digest(both, "sha256:" BB_HEX);
        ASSERT_EQ_STR(bwd, "quay.io/a/b@sha256:" BB_HEX);

        errno = 0;
        ASSERT_TRUE(image_reference_with_digest(r, "sha256:12") == NULL);
        ASSERT_EQ_INT(errno, EINVAL);
        ASSERT_TRUE(image_reference_with_digest(r, NULL) == NULL);
        ASSERT_TRUE(image_reference_with_digest(NULL, D64) == NULL);
        ASSERT_TRUE(image_reference_string(NULL) == NULL);
        ASSERT_TRUE(image_reference_name(NULL) == NULL);
        ASSERT_TRUE(image_reference_familiar(NULL) == NULL);
        image_reference_free(NULL);
}

TEST(familiar_of_hand_built_references) {
        /* structs built by callers need not carry a tag; the familiar form still reads back */
        ImageReference r = { .domain = (char *) "docker.io", .path = (char *) "library/" ID_HEX };
        _cleanup_free_ char *f = image_reference_familiar(&r);
        ASSERT_EQ_STR(f, "docker.io/library/" ID_HEX);
        ImageReference r2 = { .domain = (char *) "docker.io", .path = (char *) "library/busybox" };
        _cleanup_free_ char *f2 = image_reference_familiar(&r2), *s2 = image_reference_string(&r2);
        ASSERT_EQ_STR(f2, "busybox");
        ASSERT_EQ_STR(s2, "docker.io/library/busybox");
}

TEST(digest_validate) {
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(image_digest_validate(D64, &err));
        ASSERT_OK(image_digest_validate("sha256:" BB_HEX, &err));
        ASSERT_OK(image_digest_validate("sha384:" H96, &err));
        ASSERT_OK(image_digest_validate("sha512:" H128, &err));
        ASSERT_TRUE(err.msg == NULL);

        static const struct {
                const char *digest, *problem;
        } bad[] = {
                { "", "empty digest" },
                { "sha256", "missing \":\"" },
                { "sha256:", "empty hex" },
                { ":" H64, "malformed algorithm" },
                { "sha256:12", "invalid digest length" },
                { "sha256:" H64 "ff", "invalid digest length" },
                { "sha384:" H64, "invalid digest length" },
                { "sha256:" H64 "x", "not hexadecimal" },
                { "sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "hex must be lowercase" },
                { "md5:ffffffffffffffffffffffffffffffff", "unsupported digest algorithm \"md5\"" },
                { "SHA256:" H64, "unsupported digest algorithm \"SHA256\"" },
                { "sha-256:" H64, "malformed algorithm" }, /* components start with a letter */
                { "sha-b256:" H64, "unsupported digest algorithm \"sha-b256\"" },
                { "sha256-:" H64, "malformed algorithm" },
                { "sha256:" H64 "\n", "not hexadecimal" },
                { H64, "missing \":\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                crio_error_clear(&err);
                ASSERT_EQ_INT(image_digest_validate(bad[i].digest, &err), -EINVAL);
                if (!strstr(err.msg, bad[i].problem))
                        test_fail(__FILE__, __LINE__, "\"%s\": message \"%s\" lacks \"%s\"", bad[i].digest, err.msg,
                                  bad[i].problem);
                ASSERT_TRUE(str_startswith(err.msg, "invalid digest \""));
        }
        crio_error_clear(&err);
        ASSERT_EQ_INT(image_digest_validate("sha256:12", &err), -EINVAL);
        ASSERT_EQ_STR(err.msg, "invalid digest \"sha256:12\": invalid digest length");
        crio_error_clear(&err);
        ASSERT_EQ_INT(image_digest_validate(NULL, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "invalid digest");
        ASSERT_EQ_INT(image_digest_validate("x", NULL), -EINVAL);
}

TEST(image_ids) {
        ASSERT_TRUE(image_id_like(ID_HEX));
        ASSERT_TRUE(image_id_like("sha256:" ID_HEX));
        ASSERT_TRUE(!image_id_like(NULL));
        ASSERT_TRUE(!image_id_like(""));
        ASSERT_TRUE(!image_id_like("sha256:"));
        ASSERT_TRUE(!image_id_like("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3")); /* 63 */
        ASSERT_TRUE(!image_id_like(ID_HEX "a"));                                                      /* 65 */
        ASSERT_TRUE(!image_id_like("1A3F5E7D9C1B3A5F7E9D1C3B5A7F9E1D3C5B7A9F1E3D5D7C9B1A3F5E7D9C1B3A"));
        ASSERT_TRUE(!image_id_like("sha512:" ID_HEX));
        ASSERT_TRUE(!image_id_like("SHA256:" ID_HEX));
        ASSERT_TRUE(!image_id_like("busybox"));
        ASSERT_TRUE(!image_id_like("sha256:sha256:" ID_HEX));

        ASSERT_TRUE(image_id_prefix_like("abc"));
        ASSERT_TRUE(image_id_prefix_like("1a3f5e7d"));
        ASSERT_TRUE(image_id_prefix_like(ID_HEX));
        ASSERT_TRUE(!image_id_prefix_like("ab"));
        ASSERT_TRUE(!image_id_prefix_like(""));
        ASSERT_TRUE(!image_id_prefix_like(NULL));
        ASSERT_TRUE(!image_id_prefix_like(ID_HEX "a"));
        ASSERT_TRUE(!image_id_prefix_like("xyz"));
        ASSERT_TRUE(!image_id_prefix_like("ABC"));
        ASSERT_TRUE(!image_id_prefix_like("abc:latest"));
        ASSERT_TRUE(!image_id_prefix_like("sha256:abc"));
        /* a short hex prefix is also a fine name: the caller decides which lookup wins */
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_image_reference_ ImageReference *r = NULL;
        ASSERT_OK(image_reference_parse("abc", &r, &err));
}

TEST(cleanup_helper_frees) {
        _cleanup_(crio_error_clear) CrioError err = {};
        for (int i = 0; i < 100; i++) {
                _cleanup_image_reference_ ImageReference *r = NULL;
                ASSERT_OK(image_reference_parse("docker://registry.example:5000/a/b:c@" D64, &r, &err));
                ASSERT_EQ_STR(r->domain, "registry.example:5000");
        }
}

int main(void) {
        return test_main();
}
