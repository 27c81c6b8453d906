/* Tests for WWW-Authenticate parsing, token-service URLs and responses, and credentials. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/auth.h"
#include "image/challenge.h"
#include "test.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/rmrf.h"
#include "util/strv.h"

/* ---- challenges ---- */

static int parse(const char *h, AuthChallenge **c, size_t *n, CrioError *err) {
        *c = NULL;
        *n = 0;
        return auth_challenges_parse(h, c, n, err);
}

static void expect_parse_error(const char *h, int code, const char *msg) {
        CrioError err = {};
        AuthChallenge *c = NULL;
        size_t n = 0;
        ASSERT_EQ_INT(parse(h, &c, &n, &err), -code);
        ASSERT_CONTAINS(err.msg, msg);
        ASSERT_TRUE(c == NULL);
        crio_error_clear(&err);
}

TEST(challenge_bearer) {
        CrioError err = {};
        AuthChallenge *c;
        size_t n;
        ASSERT_OK(parse("Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
                        "scope=\"repository:library/busybox:pull\"", &c, &n, &err));
        ASSERT_EQ_INT(n, 1);
        ASSERT_EQ_STR(c[0].scheme, "bearer");
        ASSERT_EQ_INT(c[0].n_params, 3);
        ASSERT_EQ_STR(auth_challenge_param(&c[0], "realm"), "https://auth.example/token");
        ASSERT_EQ_STR(auth_challenge_param(&c[0], "SERVICE"), "registry.example");
        ASSERT_EQ_STR(auth_challenge_param(&c[0], "scope"), "repository:library/busybox:pull");
        ASSERT_TRUE(auth_challenge_param(&c[0], "error") == NULL);
        ASSERT_TRUE(auth_challenges_find(c, n, "BEARER") == &c[0]);
        ASSERT_TRUE(auth_challenges_find(c, n, "basic") == NULL);
        auth_challenges_free(c, n);
}

TEST(challenge_multiple_and_tokens) {
        CrioError err = {};
        AuthChallenge *c;
        size_t n;
        ASSERT_OK(parse("BASIC realm=\"Registry Realm\", bEaReR realm=\"https://a/t\" , service=reg,, Negotiate",
                        &c, &n, &err));
        ASSERT_EQ_INT(n, 3);
        ASSERT_EQ_STR(c[0].scheme, "basic");
        ASSERT_EQ_STR(auth_challenge_param(&c[0], "realm"), "Registry Realm");
        ASSERT_EQ_STR(c[1].scheme, "bearer");
        ASSERT_EQ_STR(auth_challenge_param(&c[1], "realm"), "https://a/t");
        ASSERT_EQ_STR(auth_challenge_param(&c[1], "service"), "reg");
        ASSERT_EQ_STR(c[2].scheme, "negotiate");
        ASSERT_EQ_INT(c[2].n_params, 0);
        auth_challenges_free(c, n);

        ASSERT_OK(parse("Basic, Bearer realm=\"y\"", &c, &n, &err));
        ASSERT_EQ_INT(n, 2);
        ASSERT_EQ_INT(c[0].n_params, 0);
        ASSERT_EQ_STR(auth_challenge_param(&c[1], "realm"), "y");
        auth_challenges_free(c, n);
}

TEST(challenge_escapes_and_ows) {
        CrioError err = {};
        AuthChallenge *c;
        size_t n;
        ASSERT_OK(parse("Bearer  realm = \"a\\\"b\\\\c,d\" ,\terror=\"insufficient_scope\"", &c, &n, &err));
        ASSERT_EQ_INT(n, 1);
        ASSERT_EQ_STR(auth_challenge_param(&c[0], "realm"), "a\"b\\c,d");
        ASSERT_EQ_STR(auth_challenge_param(&c[0], "error"), "insufficient_scope");
        auth_challenges_free(c, n);
        ASSERT_OK(parse("Bearer realm=\"\"", &c, &n, &err));
        ASSERT_EQ_STR(auth_challenge_param(&c[0], "realm"), "");
        auth_challenges_free(c, n);
}

TEST(challenge_malformed) {
        expect_parse_error("", EINVAL, "no challenge");
        expect_parse_error(" , ", EINVAL, "no challenge");
        expect_parse_error("Bearer realm=\"https://x", EINVAL, "unterminated quoted-string at offset 13");
        expect_parse_error("Bearer realm=\"x\\", EINVAL, "unterminated quoted-string");
        expect_parse_error("Bearer realm=", EINVAL, "auth-param \"realm\" has no value");
        expect_parse_error("Bearer realm=\"a\" service=\"b\"", EINVAL, "unexpected character 0x73 at offset 17 after auth-param \"realm\"");
        expect_parse_error("Bearer realm=\"a\",REALM=\"b\"", EINVAL, "duplicate auth-param \"REALM\" in bearer challenge");
        expect_parse_error("Negotiate abc==", EINVAL, "token68 is not supported");
        expect_parse_error("Bearer realm=\"a\001b\"", EINVAL, "control character 0x01 in quoted-string");
        expect_parse_error("\"Bearer\"", EINVAL, "expected an auth scheme");
        expect_parse_error("Bearer/x realm=a", EINVAL, "after auth scheme \"bearer\"");
        expect_parse_error("Bearer =a", EINVAL, "expected an auth-param name");
        expect_parse_error(NULL, EINVAL, "no WWW-Authenticate header");
}

TEST(challenge_limits) {
        char buf[2048] = "Bearer ";
        for (int i = 0; i < AUTH_CHALLENGE_MAX_PARAMS; i++)
                sprintf(buf + strlen(buf), "%sp%d=v", i ? "," : "", i);
        CrioError err = {};
        AuthChallenge *c;
        size_t n;
        ASSERT_OK(parse(buf, &c, &n, &err));
        ASSERT_EQ_INT(c[0].n_params, AUTH_CHALLENGE_MAX_PARAMS);
        auth_challenges_free(c, n);
        strcat(buf, ",extra=v");
        expect_parse_error(buf, E2BIG, "more than 32 auth-params");

        _cleanup_free_ char *big = malloc(AUTH_CHALLENGE_MAX_HEADER + 2);
        memset(big, 'a', AUTH_CHALLENGE_MAX_HEADER + 1);
        big[AUTH_CHALLENGE_MAX_HEADER + 1] = '\0';
        expect_parse_error(big, E2BIG, "longer than 8192 bytes");
        big[AUTH_CHALLENGE_MAX_HEADER] = '\0';
        ASSERT_OK(parse(big, &c, &n, &err)); /* one long scheme, exactly at the limit */
        auth_challenges_free(c, n);
}

/* ---- token URL ---- */

static char *token_url(const char *header, const char *scope) {
        CrioError err = {};
        AuthChallenge *c;
        size_t n;
        ASSERT_OK(parse(header, &c, &n, &err));
        char *u = auth_token_url(&c[0], scope);
        auth_challenges_free(c, n);
        return u;
}

TEST(token_url) {
        _cleanup_free_ char *a = token_url("Bearer realm=\"https://auth.example/token\",service=\"registry.example\"",
                                           "repository:library/busybox:pull");
        ASSERT_EQ_STR(a, "https://auth.example/token?service=registry.example&scope=repository%3Alibrary%2Fbusybox%3Apull");
        _cleanup_free_ char *b = token_url("Bearer realm=\"https://a/t?x=1\",service=\"my reg&co\"", "repository:a/b:pull,push");
        ASSERT_EQ_STR(b, "https://a/t?x=1&service=my%20reg%26co&scope=repository%3Aa%2Fb%3Apull%2Cpush");
        _cleanup_free_ char *c = token_url("Bearer realm=\"http://a/t?\"", NULL);
        ASSERT_EQ_STR(c, "http://a/t?");
        _cleanup_free_ char *d = token_url("Bearer realm=\"https://a/t?x=1&\"", "s");
        ASSERT_EQ_STR(d, "https://a/t?x=1&scope=s");
        ASSERT_TRUE(token_url("Bearer service=x", "s") == NULL);
        ASSERT_TRUE(token_url("Bearer realm=\"ftp://a/t\"", "s") == NULL);
        ASSERT_TRUE(token_url("Bearer realm=\"https://a/t#frag\"", "s") == NULL);
        ASSERT_TRUE(token_url("Bearer realm=\"https://a/ t\"", "s") == NULL);
}

/* ---- token response ---- */

static int token_parse(const char *json, char **t, int64_t *e, CrioError *err) {
        return auth_token_response_parse(json, strlen(json), t, e, err);
}

TEST(token_response) {
        CrioError err = {};
        char *t = NULL;
        int64_t e = 0;
        ASSERT_OK(token_parse("{\"token\":\"abc\",\"expires_in\":300,\"issued_at\":\"2026-01-01T00:00:00Z\"}", &t, &e, &err));
        ASSERT_EQ_STR(t, "abc");
        ASSERT_EQ_INT(e, 300);
        free(t);
        ASSERT_OK(token_parse("{\"access_token\":\"xyz\"}", &t, &e, &err));
        ASSERT_EQ_STR(t, "xyz");
        ASSERT_EQ_INT(e, 60);
        free(t);
        ASSERT_OK(token_parse("{\"token\":\"\",\"access_token\":\"xyz\",\"expires_in\":10}", &t, &e, &err));
        ASSERT_EQ_STR(t, "xyz");
        ASSERT_EQ_INT(e, 60);
        free(t);
}

static void expect_token_error(const char *json, int code, const char *msg) {
        CrioError err = {};
        char *t = (char *) "untouched";
        int64_t e = -1;
        ASSERT_EQ_INT(token_parse(json, &t, &e, &err), -code);
        ASSERT_CONTAINS(err.msg, msg);
        ASSERT_EQ_STR(t, "untouched");
        ASSERT_EQ_INT(e, -1);
        crio_error_clear(&err);
}

TEST(token_response_malformed) {
        expect_token_error("", EINVAL, "not a JSON object");
        expect_token_error("{\"token\":", EINVAL, "parsing token response");
        expect_token_error("[]", EINVAL, "not a JSON object");
        expect_token_error("{}", EINVAL, "no \"token\" or \"access_token\"");
        expect_token_error("{\"token\":1}", EINVAL, "field \"token\" is not a string");
        expect_token_error("{\"token\":\"a\",\"expires_in\":\"300\"}", EINVAL, "\"expires_in\" is not an integer");
        CrioError err = {};
        char *t = NULL;
        ASSERT_EQ_INT(auth_token_response_parse("{}", AUTH_TOKEN_RESPONSE_MAX_SIZE + 1, &t, NULL, &err), -E2BIG);
        ASSERT_CONTAINS(err.msg, "more than the limit");
        crio_error_clear(&err);
}

/* ---- credentials from CRI and Basic ---- */

TEST(from_cri) {
        CrioError err = {};
        _cleanup_(auth_credentials_clear) AuthCredentials c = {};
        /* "user:pa:ss" */
        ASSERT_OK(auth_from_cri("ignored", "ignored", "dXNlcjpwYTpzcw==", NULL, "", &c, &err));
        ASSERT_EQ_STR(c.username, "user");
        ASSERT_EQ_STR(c.password, "pa:ss");
        ASSERT_TRUE(c.identity_token == NULL && c.registry_token == NULL);
        _cleanup_free_ char *h = auth_basic_header(&c);
        ASSERT_EQ_STR(h, "Basic dXNlcjpwYTpzcw==");
        auth_credentials_clear(&c);

        ASSERT_OK(auth_from_cri("u", NULL, NULL, "idt", "rt", &c, &err));
        ASSERT_EQ_STR(c.username, "u");
        ASSERT_EQ_STR(c.password, "");
        ASSERT_EQ_STR(c.identity_token, "idt");
        ASSERT_EQ_STR(c.registry_token, "rt");
        auth_credentials_clear(&c);

        ASSERT_OK(auth_from_cri(NULL, NULL, NULL, NULL, "rt", &c, &err));
        ASSERT_TRUE(c.username == NULL);
        ASSERT_TRUE(auth_basic_header(&c) == NULL);
        ASSERT_TRUE(auth_basic_header(NULL) == NULL);
}

static void expect_cri_error(const char *user, const char *pass, const char *auth, int code, const char *msg) {
        CrioError err = {};
        AuthCredentials c = {};
        ASSERT_EQ_INT(auth_from_cri(user, pass, auth, NULL, NULL, &c, &err), -code);
        ASSERT_CONTAINS(err.msg, msg);
        ASSERT_TRUE(c.username == NULL);
        crio_error_clear(&err);
}

TEST(from_cri_malformed) {
        expect_cri_error(NULL, NULL, NULL, ENOENT, "PullImageRequest: no credentials");
        expect_cri_error("", "", "", ENOENT, "no credentials");
        expect_cri_error(NULL, "p", NULL, EINVAL, "password given without a username");
        expect_cri_error(NULL, NULL, "abc", EINVAL, "PullImageRequest: auth is not valid base64: length 3");
        expect_cri_error(NULL, NULL, "ab!d", EINVAL, "bad character at offset 2");
        expect_cri_error(NULL, NULL, "a=bc", EINVAL, "bad character at offset 1");
        expect_cri_error(NULL, NULL, "dXNlcg==", EINVAL, "no ':'");             /* "user" */
        expect_cri_error(NULL, NULL, "OnBhc3M=", EINVAL, "empty username");      /* ":pass" */
        expect_cri_error(NULL, NULL, "dQA6cA==", EINVAL, "NUL byte");           /* "u\0:p" */
}

/* ---- auth files ---- */

static char tmpdir[64];

static const char *write_tmp(const char *name, const char *content) {
        static char path[256];
        if (!tmpdir[0]) {
                strcpy(tmpdir, "/tmp/test-auth-XXXXXX");
                ASSERT_TRUE(mkdtemp(tmpdir));
        }
        snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
        CrioError err = {};
        ASSERT_OK(write_file_atomic(path, content, strlen(content), 0600, &err));
        return path;
}

static void cleanup_tmp(void) {
        CrioError err = {};
        ASSERT_OK(rm_rf(tmpdir, &err));
}

TEST(lookup_most_specific) {
        _cleanup_free_ char *f = strdup(write_tmp("auth.json",
                "{\"auths\": {"
                "\"quay.io\": {\"auth\": \"aG9zdDpwMQ==\"},"                      /* host:p1 */
                "\"quay.io/ns\": {\"auth\": \"bnM6cDI=\"},"                       /* ns:p2 */
                "\"quay.io/ns/repo\": {\"username\": \"repo\", \"password\": \"p3\"},"
                "\"https://index.docker.io/v1/\": {\"auth\": \"ZGg6cDQ=\"},"      /* dh:p4 */
                "\"http://legacy.example:5000/v1/\": {\"identitytoken\": \"tok\"},"
                "\"empty.example\": {}}}"));
        const char *const files[] = { "/nonexistent/auth.json", f, NULL };
        CrioError err = {};
        _cleanup_(auth_credentials_clear) AuthCredentials c = {};
        ASSERT_OK(auth_lookup(files, "quay.io/ns/repo", &c, &err));
        ASSERT_EQ_STR(c.username, "repo");
        ASSERT_EQ_STR(c.password, "p3");
        auth_credentials_clear(&c);
        ASSERT_OK(auth_lookup(files, "quay.io/ns/other", &c, &err));
        ASSERT_EQ_STR(c.username, "ns");
        auth_credentials_clear(&c);
        ASSERT_OK(auth_lookup(files, "quay.io/nsx/repo", &c, &err));
        ASSERT_EQ_STR(c.username, "host");
        auth_credentials_clear(&c);
        ASSERT_OK(auth_lookup(files, "quay.io", &c, &err));
        ASSERT_EQ_STR(c.password, "p1");
        auth_credentials_clear(&c);
        ASSERT_OK(auth_lookup(files, "docker.io/library/busybox", &c, &err));
        ASSERT_EQ_STR(c.username, "dh");
        auth_credentials_clear(&c);
        ASSERT_OK(auth_lookup(files, "legacy.example:5000", &c, &err));
        ASSERT_EQ_STR(c.identity_token, "tok");
        ASSERT_TRUE(c.username == NULL);
        auth_credentials_clear(&c);

        ASSERT_EQ_INT(auth_lookup(files, "empty.example", &c, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "no credentials for empty.example in 2 auth files");
        crio_error_clear(&err);
        ASSERT_EQ_INT(auth_lookup(files, "legacy.example", &c, &err), -ENOENT);
        crio_error_clear(&err);
        ASSERT_EQ_INT(auth_lookup(files, "", &c, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "invalid registry");
        crio_error_clear(&err);
        cleanup_tmp();
}

TEST(lookup_first_file_wins_and_legacy) {
        _cleanup_free_ char *a = strdup(write_tmp("a.json", "{\"auths\": {\"r.example\": {\"auth\": \"YTph\"}}}")); /* a:a */
        _cleanup_free_ char *b = strdup(write_tmp("b.json", "{\"auths\": {\"r.example/ns\": {\"auth\": \"Yjpi\"}}}"));
        _cleanup_free_ char *l = strdup(write_tmp(".dockercfg", "{\"https://old.example\": {\"auth\": \"bDps\"}}"));
        const char *const files[] = { a, b, l, NULL };
        CrioError err = {};
        _cleanup_(auth_credentials_clear) AuthCredentials c = {};
        ASSERT_OK(auth_lookup(files, "r.example/ns/x", &c, &err));
        ASSERT_EQ_STR(c.username, "a"); /* first file with a match wins */
        auth_credentials_clear(&c);
        ASSERT_OK(auth_lookup(files, "old.example", &c, &err));
        ASSERT_EQ_STR(c.username, "l");
        auth_credentials_clear(&c);
        cleanup_tmp();
}

static void expect_lookup_error(const char *content, int code, const char *msg) {
        const char *p = write_tmp("bad.json", content);
        const char *const files[] = { p, NULL };
        CrioError err = {};
        AuthCredentials c = {};
        ASSERT_EQ_INT(auth_lookup(files, "r.example", &c, &err), -code);
        ASSERT_CONTAINS(err.msg, msg);
        ASSERT_CONTAINS(err.msg, "bad.json");
        ASSERT_TRUE(c.username == NULL);
        crio_error_clear(&err);
}

TEST(lookup_malformed) {
        expect_lookup_error("{\"auths\": ", EINVAL, "parsing auth file");
        expect_lookup_error("[]", EINVAL, "is not a JSON object");
        expect_lookup_error("{\"auths\": []}", EINVAL, "\"auths\" is not a JSON object");
        expect_lookup_error("{\"auths\": {\"r.example\": 3}}", EINVAL, "key \"r.example\": entry is not a JSON object");
        expect_lookup_error("{\"auths\": {\"r.example\": {\"auth\": 3}}}", EINVAL, "field \"auth\" is not a string");
        expect_lookup_error("{\"auths\": {\"r.example\": {\"auth\": \"%%%%\"}}}", EINVAL, "key \"r.example\": auth is not valid base64");
        expect_lookup_error("{\"auths\": {\"r.example\": {\"auth\": \"dXNlcg==\"}}}", EINVAL, "no ':'");
        cleanup_tmp();
}

TEST(default_files) {
        setenv("REGISTRY_AUTH_FILE", "/etc/my-auth.json", 1);
        setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
        unsetenv("XDG_CONFIG_HOME");
        setenv("HOME", "/home/u", 1);
        _cleanup_strv_free_ char **v = auth_default_files();
        ASSERT_TRUE(v != NULL);
        ASSERT_EQ_STR(v[0], "/etc/my-auth.json");
        ASSERT_EQ_STR(v[1], "/run/user/1000/containers/auth.json");
        size_t i = 2;
        if (getuid() == 0)
                ASSERT_EQ_STR(v[i++], "/run/containers/0/auth.json");
        ASSERT_EQ_STR(v[i++], "/home/u/.config/containers/auth.json");
        ASSERT_EQ_STR(v[i++], "/home/u/.docker/config.json");
        ASSERT_EQ_STR(v[i++], "/home/u/.dockercfg");
        ASSERT_TRUE(v[i] == NULL);

        unsetenv("REGISTRY_AUTH_FILE");
        unsetenv("XDG_RUNTIME_DIR");
        unsetenv("HOME");
        _cleanup_strv_free_ char **w = auth_default_files();
        ASSERT_TRUE(w != NULL);
        char expect[64];
        snprintf(expect, sizeof(expect), "/run/containers/%u/auth.json", (unsigned) getuid());
        ASSERT_EQ_STR(w[0], expect);
        ASSERT_TRUE(w[1] == NULL); /* root: the same path is not listed twice */
}

int main(void) {
        return test_main();
}
