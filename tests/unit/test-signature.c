/* Simple signing: payload validation, identity rules, manifest digests, and real signatures
 * made by skopeo standalone-sign and gpg with throw-away keys, verified directly and through
 * policy.json signedBy (keyPath, keyPaths, keyData).
 *
 * main() makes the keys once in a temporary GNUPGHOME (gpg and skopeo spawned with an explicit
 * environment), stops the gpg-agent that signing started, then runs the tests; tests that
 * need the fixtures skip when gpg or skopeo is missing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test.h"
#include "test-tmp.h"
#include "image/policy.h"
#include "image/signature.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json-check.h"
#include "util/sha256.h"
#include "util/strv.h"

#define GPG "/usr/bin/gpg"
#define GPGCONF "/usr/bin/gpgconf"
#define SKOPEO "/usr/bin/skopeo"

#define REF "docker.io/library/busybox:latest"
#define D1 "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"
#define D2 "sha256:1111111111111111111111111111111111111111111111111111111111111111"

static const char manifest1[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
        "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1 "\",\"size\":2},\"layers\":[]}";
static const char manifest2[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
        "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D2 "\",\"size\":2},\"layers\":[]}";

/* ---- fixtures ---- */

static struct {
        bool ready;
        char why[256];
        char home[128];  /* GNUPGHOME with the secret keys */
        char fpr_a[64], fpr_b[64], fpr_c[64], sub_c[64];
} fx;

static char fx_path_buf[32][300];
static int fx_path_next;

/* base/name, in a rotating buffer */
static const char *fx_path(const char *name) {
        char *p = fx_path_buf[fx_path_next++ % 32];
        snprintf(p, 300, "%s/%s", test_tmp_base, name);
        return p;
}

/* Runs argv with an explicit environment; stdout to out (or /dev/null), stderr appended to
 * base/spawn.log, stdin /dev/null. Returns the exit status, or -1. */
static int run(const char *out, char *const argv[]) {
        char gnupghome[200], home[200];
        snprintf(gnupghome, sizeof gnupghome, "GNUPGHOME=%s", fx.home);
        snprintf(home, sizeof home, "HOME=%s", test_tmp_base);
        char *envp[] = { gnupghome, home, "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&fa, 2, fx_path("spawn.log"), O_WRONLY | O_CREAT | O_APPEND, 0600);
        pid_t pid;
        int r = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return -1;
        int status = 0;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

#define RUN(out, ...) run(out, (char *const[]){ __VA_ARGS__, NULL })

static bool fx_fail(const char *what) {
        snprintf(fx.why, sizeof fx.why, "fixture: %s failed (see %s)", what, fx_path("spawn.log"));
        return false;
}

/* The fingerprints of uid's key: primary into fpr, first subkey into sub (may be NULL). */
static bool fingerprints(const char *uid, char *fpr, char *sub) {
        const char *out = fx_path("list.txt");
        if (RUN(out, GPG, "--batch", "--with-colons", "--list-keys", (char *) uid) != 0)
                return fx_fail("gpg --list-keys");
        _cleanup_free_ char *text = NULL;
        if (read_file(out, 1 << 20, &text, NULL, NULL) < 0)
                return fx_fail("reading the key list");
        int n = 0;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
                if (strncmp(line, "fpr:::::::::", 12) == 0) {
                        char *f = line + 12, *end = strchr(f, ':');
                        if (end)
                                *end = '\0';
                        if (n == 0)
                                snprintf(fpr, 64, "%s", f);
                        else if (n == 1 && sub)
                                snprintf(sub, 64, "%s", f);
                        n++;
                }
        return n > 0 && (!sub || n > 1) ? true : fx_fail("finding a fingerprint");
}

static bool write_text(const char *name, const char *text) {
        FILE *f = fopen(fx_path(name), "we");
        if (!f)
                return fx_fail("writing a file");
        fputs(text, f);
        fclose(f);
        return true;
}

static bool sign_skopeo(const char *manifest_name, const char *ref, const char *fpr, const char *out) {
        if (RUN(NULL, SKOPEO, "standalone-sign", (char *) fx_path(manifest_name), (char *) ref, (char *) fpr, "-o", (char *) fx_path(out)) != 0)
                return fx_fail("skopeo standalone-sign");
        return true;
}

static bool sign_gpg(const char *in, const char *fpr, const char *out) {
        char u[80];
        snprintf(u, sizeof u, "%s!", fpr);
        if (RUN(NULL, GPG, "--batch", "--yes", "-u", u, "--output", (char *) fx_path(out), "--sign", (char *) fx_path(in)) != 0)
                return fx_fail("gpg --sign");
        return true;
}

static bool make_fixtures(void) {
        if (access(GPG, X_OK) != 0 || access(SKOPEO, X_OK) != 0 || access(GPGCONF, X_OK) != 0) {
                snprintf(fx.why, sizeof fx.why, "gpg, gpgconf or skopeo is not installed");
                return false;
        }
        snprintf(fx.home, sizeof fx.home, "%s/gnupg", test_tmp_base);
        if (mkdir(fx.home, 0700) < 0)
                return fx_fail("mkdir GNUPGHOME");
        if (RUN(NULL, GPG, "--batch", "--passphrase", "", "--quick-gen-key", "key A <a@crio.invalid>", "ed25519", "sign", "never") != 0 ||
            RUN(NULL, GPG, "--batch", "--passphrase", "", "--quick-gen-key", "key B <b@crio.invalid>", "ed25519", "sign", "never") != 0 ||
            RUN(NULL, GPG, "--batch", "--passphrase", "", "--quick-gen-key", "key C <c@crio.invalid>", "ed25519", "cert", "never") != 0)
                return fx_fail("gpg --quick-gen-key");
        if (!fingerprints("a@crio.invalid", fx.fpr_a, NULL) || !fingerprints("b@crio.invalid", fx.fpr_b, NULL) ||
            !fingerprints("c@crio.invalid", fx.fpr_c, NULL))
                return false;
        /* C signs with a subkey only */
        if (RUN(NULL, GPG, "--batch", "--passphrase", "", "--quick-add-key", fx.fpr_c, "ed25519", "sign", "never") != 0)
                return fx_fail("gpg --quick-add-key");
        if (!fingerprints("c@crio.invalid", fx.fpr_c, fx.sub_c))
                return false;
        if (RUN(NULL, GPG, "--batch", "--yes", "--output", (char *) fx_path("a.gpg"), "--export", fx.fpr_a) != 0 ||
            RUN(NULL, GPG, "--batch", "--yes", "--armor", "--output", (char *) fx_path("a.asc"), "--export", fx.fpr_a) != 0 ||
            RUN(NULL, GPG, "--batch", "--yes", "--output", (char *) fx_path("b.gpg"), "--export", fx.fpr_b) != 0 ||
            RUN(NULL, GPG, "--batch", "--yes", "--output", (char *) fx_path("c.gpg"), "--export", fx.fpr_c) != 0)
                return fx_fail("gpg --export");
        if (!write_text("m1.json", manifest1) || !write_text("m2.json", manifest2) || !write_text("junk.txt", "this is not JSON\n"))
                return false;
        char d1[SHA256_DIGEST_LEN + 1], payload[1024];
        sha256_digest(manifest1, strlen(manifest1), d1);
        snprintf(payload, sizeof payload,
                 "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"%s\"},"
                 "\"identity\":{\"docker-reference\":\"" REF "\"},\"extra\":1},\"optional\":{}}", d1);
        if (!write_text("payload-extra.json", payload))
                return false;
        snprintf(payload, sizeof payload,
                 "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"%s\"},"
                 "\"identity\":{\"docker-reference\":\"" REF "\"}},\"optional\":{}}", d1);
        if (!write_text("payload-good.json", payload))
                return false;
        char ua[80], ub[80];
        snprintf(ua, sizeof ua, "%s!", fx.fpr_a);
        snprintf(ub, sizeof ub, "%s!", fx.fpr_b);
        if (!sign_skopeo("m1.json", REF, fx.fpr_a, "sig-a") || !sign_skopeo("m1.json", REF, fx.fpr_b, "sig-b") ||
            !sign_skopeo("m2.json", REF, fx.fpr_a, "sig-a-m2") || !sign_skopeo("m1.json", "docker.io/library/busybox:1.36", fx.fpr_a, "sig-a-136") ||
            !sign_skopeo("m1.json", "quay.io/mirror/busybox:latest", fx.fpr_a, "sig-a-quay") ||
            !sign_skopeo("m1.json", REF, fx.fpr_c, "sig-c") || !sign_gpg("junk.txt", fx.fpr_a, "sig-junk") ||
            !sign_gpg("payload-extra.json", fx.fpr_a, "sig-extra") || !sign_gpg("payload-good.json", fx.fpr_a, "sig-gpg-good"))
                return false;
        if (RUN(NULL, GPG, "--batch", "--yes", "-u", ua, "-u", ub, "--output", (char *) fx_path("sig-two"), "--sign",
                (char *) fx_path("payload-good.json")) != 0)
                return fx_fail("gpg --sign with two keys");
        /* check that C's signature really is by the subkey */
        if (RUN(fx_path("status.txt"), GPG, "--batch", "--status-fd", "1", "--verify", (char *) fx_path("sig-c")) != 0)
                return fx_fail("gpg --verify");
        _cleanup_free_ char *status = NULL;
        if (read_file(fx_path("status.txt"), 1 << 20, &status, NULL, NULL) < 0)
                return fx_fail("reading gpg --verify status");
        char want[128];
        snprintf(want, sizeof want, "VALIDSIG %s ", fx.sub_c);
        if (!strstr(status, want))
                return fx_fail("signing with C's subkey");
        return true;
}

static void stop_agents(void) {
        if (fx.home[0]) {
                RUN(NULL, GPGCONF, "--kill", "all");
                RUN(NULL, GPGCONF, "--remove-socketdir");
        }
}

static void need_fixtures(void) {
        if (!fx.ready)
                test_skip(fx.why);
}

static char *slurp(const char *name, size_t *len) {
        char *d = NULL;
        CrioError err = {};
        if (read_file(fx_path(name), 1 << 20, &d, len, &err) < 0)
                test_fail(__FILE__, __LINE__, "%s", err.msg);
        return d;
}

/* ---- payloads ---- */

static const char good_payload[] =
        "{\"critical\":{\"identity\":{\"docker-reference\":\"" REF "\"},\"image\":{\"docker-manifest-digest\":\"" D1 "\"},"
        "\"type\":\"atomic container signature\"},\"optional\":{\"creator\":\"atomic 5.23.1\",\"timestamp\":1700000000,\"other\":[1,{}]}}";

TEST(payload_parse_valid) {
        SignaturePayload *p = NULL;
        CrioError err = {};
        ASSERT_OK(signature_payload_parse(good_payload, strlen(good_payload), &p, &err));
        ASSERT_EQ_STR(p->manifest_digest, D1);
        ASSERT_EQ_STR(p->docker_reference, REF);
        ASSERT_EQ_STR(p->creator, "atomic 5.23.1");
        ASSERT_TRUE(p->has_timestamp);
        ASSERT_EQ_INT(p->timestamp, 1700000000);
        signature_payload_free(p);
        const char *minimal = "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"" D1
                              "\"},\"identity\":{\"docker-reference\":\"x\"}},\"optional\":{\"timestamp\":1e3}}";
        ASSERT_OK(signature_payload_parse(minimal, strlen(minimal), &p, &err));
        ASSERT_TRUE(p->creator == NULL);
        ASSERT_EQ_INT(p->timestamp, 1000);
        signature_payload_free(p);
}

static char *payload_bad(const char *text) {
        SignaturePayload *p = NULL;
        CrioError err = {};
        if (signature_payload_parse(text, strlen(text), &p, &err) >= 0)
                test_fail(__FILE__, __LINE__, "accepted: %s", text);
        ASSERT_TRUE(p == NULL);
        ASSERT_TRUE(err.msg != NULL);
        /* the message is copied so that the error can be freed (no leak under ASAN) */
        static char msg[2048];
        snprintf(msg, sizeof msg, "%s", err.msg);
        crio_error_clear(&err);
        return msg;
}

#define CRIT_OK "\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"" D1 "\"},\"identity\":{\"docker-reference\":\"x\"}"

TEST(payload_parse_errors) {
        ASSERT_CONTAINS(payload_bad("{\"critical\":{" CRIT_OK "}}"), "field \"optional\" is missing");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{" CRIT_OK "},\"optional\":{},\"x\":1}"), "unknown field \"x\"");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{" CRIT_OK ",\"extra\":1},\"optional\":{}}"), "critical: unknown field \"extra\"");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{" CRIT_OK "},\"optional\":null}"), "\"optional\" must be an object");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"" D1
                                    "\"}},\"optional\":{}}"),
                        "field \"identity\" is missing");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{\"docker-manifest-digest\":\"" D1
                                    "\"},\"identity\":{\"docker-reference\":\"x\"}},\"optional\":{}}"),
                        "unrecognized signature type");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"sha256:abc\"},"
                                    "\"identity\":{\"docker-reference\":\"x\"}},\"optional\":{}}"),
                        "docker-manifest-digest");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"" D1
                                    "\",\"size\":1},\"identity\":{\"docker-reference\":\"x\"}},\"optional\":{}}"),
                        "critical.image: unknown field \"size\"");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"" D1
                                    "\"},\"identity\":{\"docker-reference\":1}},\"optional\":{}}"),
                        "\"docker-reference\" must be a string");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{" CRIT_OK ",\"type\":\"atomic container signature\"},\"optional\":{}}"), "duplicate key \"type\"");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{" CRIT_OK "},\"optional\":{\"timestamp\":1.5}}"), "timestamp is not an integer");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{" CRIT_OK "},\"optional\":{\"timestamp\":1e300}}"), "timestamp is not an integer");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{" CRIT_OK "},\"optional\":{\"timestamp\":\"1\"}}"), "timestamp must be a number");
        ASSERT_CONTAINS(payload_bad("{\"critical\":{" CRIT_OK "},\"optional\":{\"creator\":7}}"), "creator must be a string");
        ASSERT_CONTAINS(payload_bad("[1,2]"), "is not a JSON object");
        ASSERT_CONTAINS(payload_bad("this is not JSON\n"), "invalid value");
        ASSERT_CONTAINS(payload_bad(""), "empty document");
        char big[SIGNATURE_PAYLOAD_MAX_SIZE + 2];
        memset(big, ' ', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        SignaturePayload *p = NULL;
        CrioError err = {};
        ASSERT_EQ_INT(signature_payload_parse(big, sizeof big - 1, &p, &err), -EFBIG);
        crio_error_clear(&err);
}

/* ---- identities ---- */

typedef struct IdCase {
        SignatureIdentityType type;
        const char *reference, *prefix, *signed_prefix;
        const char *image, *signed_ref;
        int want; /* 1 or -EACCES */
} IdCase;

#define DIG "@" D1

TEST(identity_rules) {
        const IdCase cases[] = {
                /* matchExact */
                { SIGNATURE_IDENTITY_MATCH_EXACT, NULL, NULL, NULL, REF, REF, 1 },
                { SIGNATURE_IDENTITY_MATCH_EXACT, NULL, NULL, NULL, REF, "busybox:latest", 1 }, /* normalised */
                { SIGNATURE_IDENTITY_MATCH_EXACT, NULL, NULL, NULL, REF, "docker.io/library/busybox", -EACCES }, /* no default tag */
                { SIGNATURE_IDENTITY_MATCH_EXACT, NULL, NULL, NULL, REF, "docker.io/library/busybox:1", -EACCES },
                { SIGNATURE_IDENTITY_MATCH_EXACT, NULL, NULL, NULL, "docker.io/library/busybox" DIG, "docker.io/library/busybox:latest", -EACCES },
                { SIGNATURE_IDENTITY_MATCH_EXACT, NULL, NULL, NULL, "docker.io/library/busybox" DIG, "docker.io/library/busybox" DIG, 1 },
                { SIGNATURE_IDENTITY_MATCH_EXACT, NULL, NULL, NULL, REF, "docker://docker.io/library/busybox:latest", -EACCES },
                { SIGNATURE_IDENTITY_MATCH_EXACT, NULL, NULL, NULL, REF, "", -EACCES },
                /* matchRepoDigestOrExact: a tag needs the exact reference, a digest the repository */
                { SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT, NULL, NULL, NULL, REF, REF, 1 },
                { SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT, NULL, NULL, NULL, REF, "docker.io/library/busybox:1.36", -EACCES },
                { SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT, NULL, NULL, NULL, "docker.io/library/busybox" DIG, "docker.io/library/busybox:1.36", 1 },
                { SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT, NULL, NULL, NULL, "docker.io/library/busybox" DIG, "docker.io/library/busybox", -EACCES },
                { SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT, NULL, NULL, NULL, "docker.io/library/busybox" DIG, "docker.io/library/other:1", -EACCES },
                /* matchRepository */
                { SIGNATURE_IDENTITY_MATCH_REPOSITORY, NULL, NULL, NULL, REF, "docker.io/library/busybox:1.36", 1 },
                { SIGNATURE_IDENTITY_MATCH_REPOSITORY, NULL, NULL, NULL, REF, "docker.io/library/busybox", 1 },
                { SIGNATURE_IDENTITY_MATCH_REPOSITORY, NULL, NULL, NULL, REF, "quay.io/library/busybox:latest", -EACCES },
                /* exactReference: the image's own name does not matter */
                { SIGNATURE_IDENTITY_EXACT_REFERENCE, "quay.io/up/x:1.0", NULL, NULL, "mirror.local/x:7", "quay.io/up/x:1.0", 1 },
                { SIGNATURE_IDENTITY_EXACT_REFERENCE, "quay.io/up/x:1.0", NULL, NULL, "mirror.local/x:7", "quay.io/up/x:1.1", -EACCES },
                { SIGNATURE_IDENTITY_EXACT_REFERENCE, "quay.io/up/x:1.0", NULL, NULL, "mirror.local/x:7", "quay.io/up/x", -EACCES },
                /* exactRepository */
                { SIGNATURE_IDENTITY_EXACT_REPOSITORY, "quay.io/up/x", NULL, NULL, "mirror.local/x:7", "quay.io/up/x:anything", 1 },
                { SIGNATURE_IDENTITY_EXACT_REPOSITORY, "quay.io/up/x:tag-ignored", NULL, NULL, "mirror.local/x:7", "quay.io/up/x" DIG, 1 },
                { SIGNATURE_IDENTITY_EXACT_REPOSITORY, "quay.io/up/x", NULL, NULL, "mirror.local/x:7", "quay.io/up/y:1", -EACCES },
                /* remapIdentity */
                { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "private-mirror:5000/vendor-mirror", "vendor.example.com",
                  "private-mirror:5000/vendor-mirror/producta/image1:latest", "vendor.example.com/producta/image1:latest", 1 },
                { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "private-mirror:5000/vendor-mirror", "vendor.example.com",
                  "private-mirror:5000/vendor-mirror/producta/image1:latest", "vendor.example.com/producta/image1:other", -EACCES },
                { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "private-mirror:5000/vendor-mirror", "vendor.example.com",
                  "private-mirror:5000/vendor-mirror/producta/image1" DIG, "vendor.example.com/producta/image1:any", 1 },
                /* no match of the prefix: the identity is used unchanged */
                { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "private-mirror:5000/vendor-mirror", "vendor.example.com",
                  "private-mirror:5000/vendor-mirrorx/a:1", "private-mirror:5000/vendor-mirrorx/a:1", 1 },
                { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "private-mirror:5000/vendor-mirror", "vendor.example.com",
                  "private-mirror:5000/vendor-mirrorx/a:1", "vendor.example.comx/a:1", -EACCES },
                /* a remapped result that is not canonical does not match (docker.io/busybox) */
                { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "mirror.local", "docker.io", "mirror.local/busybox:1", "docker.io/busybox:1", -EACCES },
                { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "mirror.local", "docker.io", "mirror.local/library/busybox:1", "busybox:1", 1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const IdCase *c = &cases[i];
                SignatureIdentityRule rule = { c->type, (char *) c->reference, (char *) c->prefix, (char *) c->signed_prefix };
                CrioError err = {};
                int r = signature_identity_matches(&rule, c->image, c->signed_ref, &err);
                if (r != c->want)
                        test_fail(__FILE__, __LINE__, "case %zu (%s, image %s, signed %s): %d, expected %d (%s)", i,
                                  signature_identity_type_to_string(c->type), c->image, c->signed_ref, r, c->want, err.msg ? err.msg : "");
                if (r < 0 && (!err.msg || (!strstr(err.msg, "does not match") && !strstr(err.msg, "invalid reference"))))
                        test_fail(__FILE__, __LINE__, "case %zu: message %s", i, err.msg ? err.msg : "(none)");
                crio_error_clear(&err);
        }
        /* NULL rule: matchRepoDigestOrExact */
        ASSERT_EQ_INT(signature_identity_matches(NULL, REF, REF, NULL), 1);
}

TEST(identity_rule_validation) {
        const struct {
                SignatureIdentityRule rule;
                bool ok;
        } cases[] = {
                { { SIGNATURE_IDENTITY_MATCH_EXACT }, true },
                { { SIGNATURE_IDENTITY_EXACT_REFERENCE, "quay.io/a/b:1" }, true },
                { { SIGNATURE_IDENTITY_EXACT_REFERENCE, "quay.io/a/b" DIG }, true },
                { { SIGNATURE_IDENTITY_EXACT_REFERENCE, "quay.io/a/b" }, false },
                { { SIGNATURE_IDENTITY_EXACT_REFERENCE, NULL }, false },
                { { SIGNATURE_IDENTITY_EXACT_REPOSITORY, "quay.io/a/b" }, true },
                { { SIGNATURE_IDENTITY_EXACT_REPOSITORY, "UPPER/case" }, false },
                { { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "example.com", "example.com:5000/ns" }, true },
                { { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "busybox", "ns/busybox" }, true }, /* as containers/image */
                { { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "example.com/Ns", "a.io" }, false },
                { { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "example.com/ns@sha256:00", "a.io" }, false },
                { { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "example.com:", "a.io" }, false },
                { { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "example.com/", "a.io" }, false },
                { { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "", "a.io" }, false },
                { { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "a.io", NULL }, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                CrioError err = {};
                int r = signature_identity_rule_validate(&cases[i].rule, &err);
                if ((r == 0) != cases[i].ok)
                        test_fail(__FILE__, __LINE__, "case %zu: %d (%s)", i, r, err.msg ? err.msg : "");
                crio_error_clear(&err);
        }
        SignatureIdentityType t;
        ASSERT_OK(signature_identity_type_from_string("remapIdentity", &t));
        ASSERT_EQ_INT(t, SIGNATURE_IDENTITY_REMAP_IDENTITY);
        ASSERT_EQ_INT(signature_identity_type_from_string("remapidentity", &t), -EINVAL);
}

/* ---- manifest digests ---- */

static char *b64url(const char *s) {
        gchar *b = g_base64_encode((const guchar *) s, strlen(s));
        char *out = strdup(b);
        g_free(b);
        for (char *p = out; *p; p++)
                if (*p == '+')
                        *p = '-';
                else if (*p == '/')
                        *p = '_';
        char *eq = strchr(out, '=');
        if (eq)
                *eq = '\0';
        return out;
}

/* A signed schema 1 manifest built the way libtrust formats one: the payload with its final
 * "\n}" replaced by the signatures. */
static char *schema1_signed(const char *payload, int n_sigs, long format_len_delta) {
        size_t fl = strlen(payload) - 2;
        char prot[256];
        _cleanup_free_ char *tail = b64url("\n}");
        snprintf(prot, sizeof prot, "{\"formatLength\":%ld,\"formatTail\":\"%s\",\"time\":\"2016-01-01T00:00:00Z\"}", (long) fl + format_len_delta,
                 tail);
        _cleanup_free_ char *p64 = b64url(prot);
        char *out = NULL;
        char sig[512];
        snprintf(sig, sizeof sig, "{\"header\":{\"jwk\":{},\"alg\":\"ES256\"},\"signature\":\"abc\",\"protected\":\"%s\"}", p64);
        ASSERT_TRUE(asprintf(&out, "%.*s,\n   \"signatures\": [%s%s%s]\n}", (int) fl, payload, sig, n_sigs > 1 ? "," : "",
                             n_sigs > 1 ? sig : "") > 0);
        return out;
}

TEST(manifest_digests) {
        char d[SHA256_DIGEST_LEN + 1], want[SHA256_DIGEST_LEN + 1];
        CrioError err = {};
        ASSERT_OK(signature_manifest_digest(manifest1, strlen(manifest1), d, &err));
        sha256_digest(manifest1, strlen(manifest1), want);
        ASSERT_EQ_STR(d, want);
        ASSERT_OK(signature_manifest_digest("not json", 8, d, &err)); /* hashed as it is */

        const char *payload = "{\n   \"schemaVersion\": 1,\n   \"name\": \"library/busybox\",\n   \"tag\": \"latest\",\n   \"fsLayers\": []\n}";
        sha256_digest(payload, strlen(payload), want);
        _cleanup_free_ char *m = schema1_signed(payload, 2, 0);
        ASSERT_OK(signature_manifest_digest(m, strlen(m), d, &err));
        ASSERT_EQ_STR(d, want); /* the JWS signatures are not part of the digest */
        /* unsigned schema 1, and a known mediaType: plain digest */
        ASSERT_OK(signature_manifest_digest(payload, strlen(payload), d, &err));
        ASSERT_EQ_STR(d, want);
        _cleanup_free_ char *typed = NULL;
        ASSERT_TRUE(asprintf(&typed, "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"schemaVersion\":1,\"signatures\":[1]}") > 0);
        ASSERT_OK(signature_manifest_digest(typed, strlen(typed), d, &err));
        sha256_digest(typed, strlen(typed), want);
        ASSERT_EQ_STR(d, want);
        /* malformed JWS */
        _cleanup_free_ char *bad = schema1_signed(payload, 1, 100000);
        ASSERT_EQ_INT(signature_manifest_digest(bad, strlen(bad), d, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "invalid formatLength");
        crio_error_clear(&err);
        const char *junk = "{\"schemaVersion\":1,\"signatures\":[{\"protected\":\"!!\"}]}";
        ASSERT_EQ_INT(signature_manifest_digest(junk, strlen(junk), d, &err), -EINVAL);
        crio_error_clear(&err);
        const char *empty = "{\"schemaVersion\":1,\"signatures\":[]}";
        ASSERT_EQ_INT(signature_manifest_digest(empty, strlen(empty), d, &err), -EINVAL);
        crio_error_clear(&err);
}

TEST(json_strict_check) {
        CrioError err = {};
        const char *ok[] = { "{}", " [1, -0.5e+3, true, false, null, \"a\\u00e9\\ud83d\\ude00\\n\"] ", "\"\xc3\xa9\"", "0" };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (json_check_strict("t", ok[i], strlen(ok[i]), 8, &err) < 0)
                        test_fail(__FILE__, __LINE__, "%s: %s", ok[i], err.msg);
        const char *bad[] = { "{\"a\":1,\"a\":2}", "{\"a\":1} // x", "[1,]", "[01]", "[.5]", "[+1]", "[1.]", "[NaN]", "['a']",
                              "[\"\t\"]", "[\"\\x41\"]", "[\"\\udc00\"]", "[\"\xed\xa0\x80\"]", "[\"\xc0\xaf\"]", "\xef\xbb\xbf{}",
                              "[[[[[[[[[1]]]]]]]]]", "{\"a\" 1}", "[truex]", "[\"\\u0000\"]", "" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (json_check_strict("t", bad[i], strlen(bad[i]), 8, &err) != -EINVAL)
                        test_fail(__FILE__, __LINE__, "accepted %s", bad[i]);
                crio_error_clear(&err);
        }
}

/* ---- real signatures ---- */

static SignatureVerifier *verifier_for(const char *key_file) {
        size_t len = 0;
        _cleanup_free_ char *k = slurp(key_file, &len);
        SignatureKeyBlob blob = { k, len, key_file };
        SignatureVerifier *v = NULL;
        CrioError err = {};
        if (signature_verifier_new(&blob, 1, &v, &err) < 0)
                test_fail(__FILE__, __LINE__, "verifier for %s: %s", key_file, err.msg);
        return v;
}

static int verify(SignatureVerifier *v, const char *sig_file, const char *manifest, const SignatureIdentityRule *rule, CrioError *err) {
        size_t len = 0;
        _cleanup_free_ char *sig = slurp(sig_file, &len);
        char d[SHA256_DIGEST_LEN + 1];
        ASSERT_OK(signature_manifest_digest(manifest, strlen(manifest), d, err));
        SignatureExpectation e = { .manifest_digest = d, .image_reference = REF, .identity = rule };
        return signature_verify_simple_signing(v, sig, len, &e, NULL, err);
}

static bool tmp_is_empty(void) {
        _cleanup_closedir_ DIR *d = opendir(fx_path("tmp"));
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (de->d_name[0] != '.')
                        return false;
        return true;
}

TEST(verify_valid_signature) {
        need_fixtures();
        _cleanup_signature_verifier_ SignatureVerifier *v = verifier_for("a.gpg");
        ASSERT_EQ_INT(strv_length(signature_verifier_fingerprints(v)), 1);
        ASSERT_EQ_STR(signature_verifier_fingerprints(v)[0], fx.fpr_a);
        size_t len = 0;
        _cleanup_free_ char *sig = slurp("sig-a", &len);
        char d[SHA256_DIGEST_LEN + 1];
        CrioError err = {};
        sha256_digest(manifest1, strlen(manifest1), d);
        SignatureExpectation e = { .manifest_digest = d, .image_reference = REF };
        SignaturePayload *p = NULL;
        ASSERT_OK(signature_verify_simple_signing(v, sig, len, &e, &p, &err));
        ASSERT_EQ_STR(p->manifest_digest, d);
        ASSERT_EQ_STR(p->docker_reference, REF);
        ASSERT_TRUE(p->creator && strncmp(p->creator, "atomic ", 7) == 0);
        ASSERT_TRUE(p->has_timestamp);
        signature_payload_free(p);
        /* step 1 alone */
        _cleanup_free_ char *plain = NULL, *fpr = NULL;
        size_t plen = 0;
        ASSERT_OK(signature_verifier_verify(v, sig, len, &plain, &plen, &fpr, &err));
        ASSERT_EQ_STR(fpr, fx.fpr_a);
        ASSERT_CONTAINS(plain, "\"docker-reference\":\"" REF "\"");
        /* a payload made by gpg directly */
        ASSERT_OK(verify(v, "sig-gpg-good", manifest1, NULL, &err));
        /* an armored keyring works too */
        _cleanup_signature_verifier_ SignatureVerifier *va = verifier_for("a.asc");
        ASSERT_OK(verify(va, "sig-a", manifest1, NULL, &err));
}

TEST(verify_refusals) {
        need_fixtures();
        _cleanup_signature_verifier_ SignatureVerifier *v = verifier_for("a.gpg");
        SignatureIdentityRule exact = { SIGNATURE_IDENTITY_MATCH_EXACT }, repo = { SIGNATURE_IDENTITY_MATCH_REPOSITORY };
        CrioError err = {};

        /* by another key */
        ASSERT_EQ_INT(verify(v, "sig-b", manifest1, NULL, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "invalid signature by key");
        ASSERT_CONTAINS(err.msg, "No public key");
        crio_error_clear(&err);
        /* for another manifest */
        ASSERT_EQ_INT(verify(v, "sig-a-m2", manifest1, NULL, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "but the manifest is sha256:");
        crio_error_clear(&err);
        /* for another identity: refused by matchExact and the default, accepted by matchRepository */
        ASSERT_EQ_INT(verify(v, "sig-a-136", manifest1, &exact, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "signature identity \"docker.io/library/busybox:1.36\" does not match \"" REF "\" (signedIdentity matchExact)");
        crio_error_clear(&err);
        ASSERT_EQ_INT(verify(v, "sig-a-136", manifest1, NULL, &err), -EACCES);
        crio_error_clear(&err);
        ASSERT_OK(verify(v, "sig-a-136", manifest1, &repo, &err));
        ASSERT_EQ_INT(verify(v, "sig-a-quay", manifest1, &repo, &err), -EACCES);
        crio_error_clear(&err);
        /* a signed message that is not a signature payload */
        ASSERT_EQ_INT(verify(v, "sig-junk", manifest1, NULL, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "but not a valid signature: signature payload: line 1 column 1: invalid value");
        crio_error_clear(&err);
        ASSERT_EQ_INT(verify(v, "sig-extra", manifest1, NULL, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "critical: unknown field \"extra\"");
        crio_error_clear(&err);
        /* two signatures in one message */
        ASSERT_EQ_INT(verify(v, "sig-two", manifest1, NULL, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "expected exactly one");
        crio_error_clear(&err);
        /* not a signature at all */
        ASSERT_EQ_INT(verify(v, "m1.json", manifest1, NULL, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "not a valid OpenPGP signed message");
        crio_error_clear(&err);
        ASSERT_EQ_INT(signature_verify_simple_signing(v, "", 0, &(SignatureExpectation){ .manifest_digest = D1, .image_reference = REF }, NULL, &err),
                      -EACCES);
        crio_error_clear(&err);
        /* corrupted: every byte position of the tail flipped in turn must be refused */
        size_t len = 0;
        _cleanup_free_ char *sig = slurp("sig-a", &len);
        char d[SHA256_DIGEST_LEN + 1];
        sha256_digest(manifest1, strlen(manifest1), d);
        SignatureExpectation e = { .manifest_digest = d, .image_reference = REF };
        for (size_t pos = len / 2; pos < len; pos += len / 7 + 1) {
                sig[pos] ^= 0x5a;
                ASSERT_EQ_INT(signature_verify_simple_signing(v, sig, len, &e, NULL, &err), -EACCES);
                crio_error_clear(&err);
                sig[pos] ^= 0x5a;
        }
        /* truncated */
        ASSERT_EQ_INT(signature_verify_simple_signing(v, sig, len - 10, &e, NULL, &err), -EACCES);
        crio_error_clear(&err);
        ASSERT_OK(signature_verify_simple_signing(v, sig, len, &e, NULL, &err));
}

TEST(verify_subkey_signature) {
        need_fixtures();
        _cleanup_signature_verifier_ SignatureVerifier *v = verifier_for("c.gpg");
        size_t len = 0;
        _cleanup_free_ char *sig = slurp("sig-c", &len), *plain = NULL, *fpr = NULL;
        CrioError err = {};
        ASSERT_OK(signature_verifier_verify(v, sig, len, &plain, NULL, &fpr, &err));
        ASSERT_EQ_STR(fpr, fx.fpr_c); /* accepted as its primary key */
        ASSERT_OK(verify(v, "sig-c", manifest1, NULL, &err));
        /* and C's key does not accept A's signature */
        ASSERT_EQ_INT(verify(v, "sig-a", manifest1, NULL, &err), -EACCES);
        crio_error_clear(&err);
}

TEST(verifier_keys) {
        need_fixtures();
        SignatureVerifier *v = NULL;
        CrioError err = {};
        SignatureKeyBlob junk = { "not a key", 9, "keyPath /junk.gpg" };
        ASSERT_EQ_INT(signature_verifier_new(&junk, 1, &v, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "keyPath /junk.gpg");
        crio_error_clear(&err);
        ASSERT_EQ_INT(signature_verifier_new(NULL, 0, &v, &err), -EACCES);
        crio_error_clear(&err);
        /* two blobs: both keys */
        size_t la = 0, lb = 0;
        _cleanup_free_ char *a = slurp("a.gpg", &la), *b = slurp("b.gpg", &lb);
        SignatureKeyBlob two[] = { { b, lb, "b" }, { a, la, "a" }, { a, la, "a again" } };
        ASSERT_OK(signature_verifier_new(two, 3, &v, &err));
        ASSERT_EQ_INT(strv_length(signature_verifier_fingerprints(v)), 2);
        ASSERT_OK(verify(v, "sig-a", manifest1, NULL, &err));
        ASSERT_OK(verify(v, "sig-b", manifest1, NULL, &err));
        ASSERT_EQ_INT(verify(v, "sig-c", manifest1, NULL, &err), -EACCES);
        crio_error_clear(&err);
        signature_verifier_free(v);
        /* every private GNUPGHOME is gone */
        ASSERT_TRUE(tmp_is_empty());
}

/* ---- policy.json signedBy, end to end ---- */

typedef struct Sigs {
        const char *files[4];
        int fetches;
        int fail_at; /* -1: never */
        char digest[SHA256_DIGEST_LEN + 1];
} Sigs;

static int fetch(void *userdata, const char *digest, size_t index, char **ret, size_t *ret_len, CrioError *err) {
        Sigs *s = userdata;
        s->fetches++;
        snprintf(s->digest, sizeof s->digest, "%s", digest);
        if ((int) index == s->fail_at)
                return crio_error_set(err, EIO, "lookaside server said 500");
        if (index >= ELEMENTSOF(s->files) || !s->files[index])
                return 0;
        *ret = slurp(s->files[index], ret_len);
        return 1;
}

static SignaturePolicy *policy_with(const char *scope_json) {
        _cleanup_free_ char *text = NULL;
        ASSERT_TRUE(asprintf(&text, "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {%s}}}", scope_json) > 0);
        SignaturePolicy *p = NULL;
        CrioError err = {};
        if (policy_parse(text, strlen(text), "policy.json", &p, &err) < 0)
                test_fail(__FILE__, __LINE__, "%s\n%s", err.msg, text);
        return p;
}

static int check(const SignaturePolicy *p, const char *ref, Sigs *s, CrioError *err) {
        PolicyImage img = { .docker_reference = ref, .manifest = manifest1, .manifest_len = strlen(manifest1) };
        return policy_check_docker_image(p, &img, fetch, s, err);
}

TEST(policy_signed_by_key_sources) {
        need_fixtures();
        size_t la = 0;
        _cleanup_free_ char *a = slurp("a.gpg", &la);
        gchar *a64 = g_base64_encode((const guchar *) a, la);
        _cleanup_free_ char *scopes = NULL;
        ASSERT_TRUE(asprintf(&scopes,
                             "\"docker.io/library/busybox:latest\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"%s\"}],"
                             "\"docker.io/library\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPaths\": [\"%s\", \"%s\"]}],"
                             "\"docker.io/library/busybox:1.36\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyData\": \"%s\"}]",
                             fx_path("a.gpg"), fx_path("b.gpg"), fx_path("c.gpg"), a64) > 0);
        g_free(a64);
        _cleanup_policy_ SignaturePolicy *p = policy_with(scopes);
        CrioError err = {};
        char want[SHA256_DIGEST_LEN + 1];
        sha256_digest(manifest1, strlen(manifest1), want);

        /* keyPath */
        Sigs s = { .files = { "sig-a" }, .fail_at = -1 };
        ASSERT_OK(check(p, REF, &s, &err));
        ASSERT_EQ_STR(s.digest, want); /* the fetcher is told the manifest digest */
        ASSERT_EQ_INT(s.fetches, 2);   /* signature 1, then "no more" */

        /* keyData: A's key inline accepts A's signature for busybox:1.36, refuses C's */
        Sigs s136 = { .files = { "sig-a-136" }, .fail_at = -1 };
        ASSERT_OK(check(p, "docker.io/library/busybox:1.36", &s136, &err));
        Sigs sc = { .files = { "sig-c" }, .fail_at = -1 };
        ASSERT_EQ_INT(check(p, "docker.io/library/busybox:1.36", &sc, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "no signature of docker.io/library/busybox:1.36 was accepted by signedBy keyData (policy.json, scope "
                                 "\"docker.io/library/busybox:1.36\"): signature 1: ");
        crio_error_clear(&err);

        /* keyPaths (B and C), by digest: "docker.io/library"; A's signature is refused */
        char digest_ref[200];
        snprintf(digest_ref, sizeof digest_ref, "docker.io/library/busybox@%s", want);
        Sigs sa = { .files = { "sig-a" }, .fail_at = -1 };
        ASSERT_EQ_INT(check(p, digest_ref, &sa, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "accepted by signedBy keyPaths ");
        ASSERT_CONTAINS(err.msg, "b.gpg, ");
        ASSERT_CONTAINS(err.msg, "scope \"docker.io/library\"");
        crio_error_clear(&err);
        /* C's subkey signature is accepted after two refused ones; so is B's alone */
        Sigs sjc = { .files = { "sig-junk", "sig-a", "sig-c" }, .fail_at = -1 };
        ASSERT_OK(check(p, digest_ref, &sjc, &err));
        Sigs sb = { .files = { "sig-b" }, .fail_at = -1 };
        ASSERT_OK(check(p, digest_ref, &sb, &err));
        /* by tag, B's signature for :latest does not match :other */
        Sigs sb2 = { .files = { "sig-b" }, .fail_at = -1 };
        ASSERT_EQ_INT(check(p, "docker.io/library/busybox:other", &sb2, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "does not match \"docker.io/library/busybox:other\"");
        crio_error_clear(&err);
}

TEST(policy_signed_by_refusals) {
        need_fixtures();
        _cleanup_free_ char *scopes = NULL;
        ASSERT_TRUE(asprintf(&scopes,
                             "\"docker.io/library/busybox\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"%s\"},"
                             "  {\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"%s\", \"signedIdentity\": {\"type\": \"matchRepository\"}}],"
                             "\"quay.io/mirror\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"%s\","
                             "  \"signedIdentity\": {\"type\": \"remapIdentity\", \"prefix\": \"quay.io/mirror\", \"signedPrefix\": \"docker.io/library\"}}],"
                             "\"quay.io/then-reject\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"%s\","
                             "  \"signedIdentity\": {\"type\": \"exactRepository\", \"dockerRepository\": \"docker.io/library/busybox\"}},"
                             "  {\"type\": \"reject\"}],"
                             "\"quay.io/exact\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"%s\","
                             "  \"signedIdentity\": {\"type\": \"exactReference\", \"dockerReference\": \"" REF "\"}}]",
                             fx_path("a.gpg"), fx_path("b.gpg"), fx_path("a.gpg"), fx_path("a.gpg"), fx_path("a.gpg")) > 0);
        _cleanup_policy_ SignaturePolicy *p = policy_with(scopes);
        CrioError err = {};

        /* no signatures */
        Sigs none = { .fail_at = -1 };
        ASSERT_EQ_INT(check(p, REF, &none, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "image " REF " rejected by policy.json: requirement signedBy keyPath ");
        ASSERT_CONTAINS(err.msg, "needs a signature, and the image has none");
        crio_error_clear(&err);

        /* both requirements must accept: A's signature satisfies the first, B's the second;
         * the signatures are fetched once for both */
        Sigs both = { .files = { "sig-a", "sig-b" }, .fail_at = -1 };
        ASSERT_OK(check(p, REF, &both, &err));
        ASSERT_EQ_INT(both.fetches, 3);
        Sigs only_a = { .files = { "sig-a" }, .fail_at = -1 };
        ASSERT_EQ_INT(check(p, REF, &only_a, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "b.gpg (policy.json, scope \"docker.io/library/busybox\"): signature 1: ");
        crio_error_clear(&err);

        /* every failing signature is explained */
        Sigs bad = { .files = { "sig-junk", "sig-a-m2", "sig-b" }, .fail_at = -1 };
        ASSERT_EQ_INT(check(p, REF, &bad, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "signature 1: signed by ");
        ASSERT_CONTAINS(err.msg, "; signature 2: signed by ");
        ASSERT_CONTAINS(err.msg, "but the manifest is");
        ASSERT_CONTAINS(err.msg, "; signature 3: invalid signature by key");
        crio_error_clear(&err);

        /* a fetch error is an error, not a refusal */
        Sigs broken = { .files = { "sig-a" }, .fail_at = 1 };
        ASSERT_EQ_INT(check(p, REF, &broken, &err), -EIO);
        ASSERT_CONTAINS(err.msg, "fetching signature 2 of " REF ": lookaside server said 500");
        crio_error_clear(&err);

        /* remapIdentity: quay.io/mirror/busybox:latest is signed as docker.io/library/busybox:latest */
        Sigs remap = { .files = { "sig-a" }, .fail_at = -1 };
        ASSERT_OK(check(p, "quay.io/mirror/busybox:latest", &remap, &err));
        Sigs remap_bad = { .files = { "sig-a-quay" }, .fail_at = -1 };
        ASSERT_EQ_INT(check(p, "quay.io/mirror/busybox:latest", &remap_bad, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "(signedIdentity remapIdentity)");
        crio_error_clear(&err);

        /* exactReference */
        Sigs ex = { .files = { "sig-a" }, .fail_at = -1 };
        ASSERT_OK(check(p, "quay.io/exact/anything:7", &ex, &err));

        /* a later reject still refuses */
        Sigs tr = { .files = { "sig-a" }, .fail_at = -1 };
        ASSERT_EQ_INT(check(p, "quay.io/then-reject/busybox:1", &tr, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "requirement \"reject\" for scope \"quay.io/then-reject\"");
        crio_error_clear(&err);
        ASSERT_TRUE(tmp_is_empty());
}

int main(void) {
        snprintf(test_tmp_base, sizeof test_tmp_base, "/tmp/crio-test-sig-XXXXXX");
        if (!mkdtemp(test_tmp_base)) {
                perror("mkdtemp");
                return 1;
        }
        /* the verifiers' private GNUPGHOMEs go below the base, so that tests can see them removed */
        mkdir(fx_path("tmp"), 0700);
        setenv("TMPDIR", fx_path("tmp"), 1);
        fx.ready = make_fixtures();
        stop_agents();
        if (!fx.ready)
                printf("# %s\n", fx.why);
        int r = test_main();
        stop_agents();
        nftw(test_tmp_base, test_tmp_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return r;
}
