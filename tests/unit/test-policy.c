/* policy.json: strict parsing, every requirement and identity type, scope precedence, and
 * evaluation of the requirements that need no signature (signatures: test-signature.c). */
#include <errno.h>

#include "test.h"
#include "test-tmp.h"
#include "image/policy.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/strv.h"

static SignaturePolicy *parse_ok(const char *text) {
        SignaturePolicy *p = NULL;
        CrioError err = {};
        if (policy_parse(text, strlen(text), "policy.json", &p, &err) < 0)
                test_fail(__FILE__, __LINE__, "policy_parse: %s\n%s", err.msg, text);
        ASSERT_TRUE(p != NULL);
        return p;
}

static char *parse_bad(const char *text) {
        SignaturePolicy *p = NULL;
        CrioError err = {};
        int r = policy_parse(text, strlen(text), "bad.json", &p, &err);
        if (r >= 0)
                test_fail(__FILE__, __LINE__, "accepted:\n%s", text);
        ASSERT_TRUE(p == NULL);
        ASSERT_TRUE(err.msg != NULL);
        ASSERT_TRUE(strncmp(err.msg, "bad.json", 8) == 0);
        /* the message is copied so that the error can be freed (no leak under ASAN) */
        static char msg[2048];
        snprintf(msg, sizeof msg, "%s", err.msg);
        crio_error_clear(&err);
        return msg;
}

static const PolicyTransport *transport(const SignaturePolicy *p, const char *name) {
        for (size_t i = 0; i < p->n_transports; i++)
                if (strcmp(p->transports[i].name, name) == 0)
                        return &p->transports[i];
        return NULL;
}

static const PolicyScope *scope(const PolicyTransport *t, const char *name) {
        for (size_t i = 0; t && i < t->n_scopes; i++)
                if (strcmp(t->scopes[i].name, name) == 0)
                        return &t->scopes[i];
        return NULL;
}

#define KEY_B64 "bWFkZSB1cCBrZXk=" /* "made up key" */

static const char full[] =
        "{\n"
        "  \"default\": [{\"type\": \"reject\"}],\n"
        "  \"transports\": {\n"
        "    \"docker\": {\n"
        "      \"docker.io/library/busybox\": [{\"type\": \"insecureAcceptAnything\"}],\n"
        "      \"registry.example.com/official\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/etc/pki/official.gpg\"}],\n"
        "      \"registry.example.com/vendor/product\": [\n"
        "        {\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPaths\": [\"/a.gpg\", \"/b.gpg\"],\n"
        "         \"signedIdentity\": {\"type\": \"exactRepository\", \"dockerRepository\": \"vendor.example/product/repository\"}},\n"
        "        {\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyData\": \"" KEY_B64 "\",\n"
        "         \"signedIdentity\": {\"type\": \"matchExact\"}}\n"
        "      ],\n"
        "      \"private-mirror:5000/vendor-mirror\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/v.gpg\",\n"
        "         \"signedIdentity\": {\"type\": \"remapIdentity\", \"prefix\": \"private-mirror:5000/vendor-mirror\", \"signedPrefix\": \"vendor.example.com\"}}],\n"
        "      \"quay.io/exact\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/q.gpg\",\n"
        "         \"signedIdentity\": {\"type\": \"exactReference\", \"dockerReference\": \"quay.io/upstream/x:1.0\"}}],\n"
        "      \"quay.io/repo\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/q.gpg\", \"signedIdentity\": {\"type\": \"matchRepository\"}}],\n"
        "      \"quay.io/rdoe\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/q.gpg\", \"signedIdentity\": {\"type\": \"matchRepoDigestOrExact\"}}],\n"
        "      \"quay.io/x509\": [{\"type\": \"signedBy\", \"keyType\": \"X509Certificates\", \"keyPath\": \"/q.pem\"}],\n"
        "      \"*.temporary-project.example.com\": [{\"type\": \"insecureAcceptAnything\"}],\n"
        "      \"hostname:5000/myns/sigstore\": [{\"type\": \"sigstoreSigned\", \"keyPath\": \"/path/to/sigstore-pubkey.pub\",\n"
        "         \"signedIdentity\": {\"type\": \"matchRepository\"}}],\n"
        "      \"hostname:5000/myns/fulcio\": [{\"type\": \"sigstoreSigned\", \"fulcio\": {\"caPath\": \"/ca.pem\", \"oidcIssuer\": \"https://x\",\n"
        "         \"subjectEmail\": \"a@b\"}, \"rekorPublicKeyPath\": \"/rekor.pub\"}],\n"
        "      \"hostname:5000/myns/pki\": [{\"type\": \"sigstoreSigned\", \"pki\": {\"caRootsPath\": \"/r.pem\", \"subjectHostname\": \"h\"}}],\n"
        "      \"hostname:5000/myns/base\": [{\"type\": \"signedBaseLayer\", \"baseLayerIdentity\": {\"type\": \"matchRepository\"}}],\n"
        "      \"\": [{\"type\": \"insecureAcceptAnything\"}]\n"
        "    },\n"
        "    \"docker-daemon\": {\"\": [{\"type\": \"insecureAcceptAnything\"}], \"docker.io/x\": [{\"type\": \"reject\"}]},\n"
        "    \"dir\": {\"\": [{\"type\": \"insecureAcceptAnything\"}], \"/srv/images\": [{\"type\": \"reject\"}]},\n"
        "    \"atomic\": {\"hostname:5000/myns/official:tag\": [{\"type\": \"reject\"}]},\n"
        "    \"some-future-transport\": {\"anything goes\": [{\"type\": \"reject\"}]}\n"
        "  }\n"
        "}\n";

TEST(parses_every_requirement_type) {
        _cleanup_policy_ SignaturePolicy *p = parse_ok(full);
        ASSERT_EQ_STR(p->origin, "policy.json");
        ASSERT_EQ_INT(p->default_requirements.n, 1);
        ASSERT_EQ_INT(p->default_requirements.items[0].type, POLICY_REQUIREMENT_REJECT);
        ASSERT_EQ_INT(p->n_transports, 5);
        ASSERT_EQ_STR(p->transports[0].name, "docker"); /* file order */
        ASSERT_EQ_STR(p->transports[4].name, "some-future-transport");
        const PolicyTransport *d = transport(p, "docker");
        ASSERT_EQ_INT(d->n_scopes, 14);
        ASSERT_EQ_STR(d->scopes[0].name, ""); /* sorted */

        const PolicyRequirement *r = &scope(d, "registry.example.com/official")->requirements.items[0];
        ASSERT_EQ_INT(r->type, POLICY_REQUIREMENT_SIGNED_BY);
        ASSERT_EQ_INT(r->key_type, POLICY_KEY_TYPE_GPG_KEYS);
        ASSERT_EQ_INT(r->key_source, POLICY_KEY_SOURCE_PATH);
        ASSERT_EQ_INT(strv_length(r->key_paths), 1);
        ASSERT_EQ_STR(r->key_paths[0], "/etc/pki/official.gpg");
        ASSERT_EQ_INT(r->identity.type, SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT); /* the default */

        const PolicyRequirements *vp = &scope(d, "registry.example.com/vendor/product")->requirements;
        ASSERT_EQ_INT(vp->n, 2);
        ASSERT_EQ_INT(vp->items[0].key_source, POLICY_KEY_SOURCE_PATHS);
        ASSERT_EQ_INT(strv_length(vp->items[0].key_paths), 2);
        ASSERT_EQ_INT(vp->items[0].identity.type, SIGNATURE_IDENTITY_EXACT_REPOSITORY);
        ASSERT_EQ_STR(vp->items[0].identity.reference, "vendor.example/product/repository");
        ASSERT_EQ_INT(vp->items[1].key_source, POLICY_KEY_SOURCE_DATA);
        ASSERT_EQ_INT(vp->items[1].key_data_len, 11);
        ASSERT_TRUE(memcmp(vp->items[1].key_data, "made up key", 11) == 0);
        ASSERT_EQ_INT(vp->items[1].identity.type, SIGNATURE_IDENTITY_MATCH_EXACT);

        r = &scope(d, "private-mirror:5000/vendor-mirror")->requirements.items[0];
        ASSERT_EQ_INT(r->identity.type, SIGNATURE_IDENTITY_REMAP_IDENTITY);
        ASSERT_EQ_STR(r->identity.prefix, "private-mirror:5000/vendor-mirror");
        ASSERT_EQ_STR(r->identity.signed_prefix, "vendor.example.com");
        r = &scope(d, "quay.io/exact")->requirements.items[0];
        ASSERT_EQ_INT(r->identity.type, SIGNATURE_IDENTITY_EXACT_REFERENCE);
        ASSERT_EQ_STR(r->identity.reference, "quay.io/upstream/x:1.0");
        ASSERT_EQ_INT(scope(d, "quay.io/repo")->requirements.items[0].identity.type, SIGNATURE_IDENTITY_MATCH_REPOSITORY);
        ASSERT_EQ_INT(scope(d, "quay.io/x509")->requirements.items[0].key_type, POLICY_KEY_TYPE_X509_CERTIFICATES);

        r = &scope(d, "hostname:5000/myns/sigstore")->requirements.items[0];
        ASSERT_EQ_INT(r->type, POLICY_REQUIREMENT_SIGSTORE_SIGNED);
        ASSERT_EQ_INT(r->key_source, POLICY_KEY_SOURCE_PATH);
        ASSERT_EQ_INT(r->identity.type, SIGNATURE_IDENTITY_MATCH_REPOSITORY);
        ASSERT_EQ_INT(scope(d, "hostname:5000/myns/fulcio")->requirements.items[0].key_source, POLICY_KEY_SOURCE_FULCIO);
        ASSERT_EQ_INT(scope(d, "hostname:5000/myns/pki")->requirements.items[0].key_source, POLICY_KEY_SOURCE_PKI);
        ASSERT_EQ_INT(scope(d, "hostname:5000/myns/base")->requirements.items[0].type, POLICY_REQUIREMENT_SIGNED_BASE_LAYER);

        ASSERT_EQ_INT(transport(p, "docker-daemon")->n_scopes, 2);
        ASSERT_TRUE(scope(transport(p, "dir"), "/srv/images") != NULL);
        ASSERT_TRUE(scope(transport(p, "some-future-transport"), "anything goes") != NULL);
}

TEST(minimal_and_load) {
        _cleanup_policy_ SignaturePolicy *p = parse_ok("{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}");
        ASSERT_EQ_INT(p->n_transports, 0);
        test_tmp_dir();
        const char *path = test_tmp_write("policy.json", full);
        SignaturePolicy *q = NULL;
        CrioError err = {};
        ASSERT_OK(policy_load(path, &q, &err));
        ASSERT_EQ_STR(q->origin, path);
        policy_free(q);
        ASSERT_EQ_INT(policy_load("/nonexistent/policy.json", &q, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "/nonexistent/policy.json");
        crio_error_clear(&err);
}

TEST(parse_errors) {
        /* JSON syntax, strictly */
        ASSERT_CONTAINS(parse_bad(""), "bad.json: empty document");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}] /* c */}"), "bad.json: line 1 column 34: expected ',' or '}'");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{'type': \"reject\"}]}"), "expected a string key");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}],}"), "expected a string key");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}]} x"), "unexpected data after the document");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\", \"type\": \"insecureAcceptAnything\"}]}"),
                        "line 1 column 33: duplicate key \"type\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\", \"\\u0074ype\": \"reject\"}]}"), "duplicate key \"type\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"rej\\u0000ect\"}]}"), "NUL");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"re\\qject\"}]}"), "invalid escape \\q");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"\xff\"}]}"), "invalid UTF-8");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"\\ud800\"}]}"), "unpaired surrogate");
        ASSERT_CONTAINS(parse_bad("{\"default\": 0x10}"), "invalid number");
        ASSERT_CONTAINS(parse_bad("{\"default\": 01}"), "invalid number");
        ASSERT_CONTAINS(parse_bad("{\n\"default\":\n [{\"type\": \"reject\"}]\n\n  ,\"x\": tru}"), "line 5 column 9: invalid value");
        /* structure */
        ASSERT_CONTAINS(parse_bad("[]"), "the policy must be a JSON object");
        ASSERT_CONTAINS(parse_bad("{}"), "bad.json: top level: the \"default\" policy is missing");
        ASSERT_CONTAINS(parse_bad("{\"default\": []}"), "bad.json: default: the list of requirements must not be empty");
        ASSERT_CONTAINS(parse_bad("{\"default\": null}"), "default: must be an array of requirements, not null");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"defaults\": 1}"), "top level: unknown field \"defaults\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": []}"), "transports: must be an object");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"a.io\": []}}}"),
                        "transports[\"docker\"][\"a.io\"]: the list of requirements must not be empty");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": []}}"),
                        "transports[\"docker\"]: must be an object of scopes, not an array");
        /* requirements */
        ASSERT_CONTAINS(parse_bad("{\"default\": [\"reject\"]}"), "default[0]: a requirement must be an object, not a string");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{}]}"), "default[0]: field \"type\" is missing");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": 1}]}"), "default[0]: \"type\" must be a string, not a number");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"accept\"}]}"), "unknown policy requirement type \"accept\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\", \"keyPath\": \"/x\"}]}"), "default[0]: unknown field \"keyPath\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"insecureAcceptAnything\"}, {\"type\": \"signedBy\", \"keyPath\": \"/x\"}]}"),
                        "default[1]: field \"keyType\" is missing");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"PGP\", \"keyPath\": \"/x\"}]}"),
                        "unrecognized keyType \"PGP\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\"}]}"),
                        "exactly one of keyPath, keyPaths and keyData must be specified, none of them present");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"keyData\": \"\"}]}"),
                        "more than one present");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"\"}]}"),
                        "\"keyPath\" is empty");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPaths\": \"/x\"}]}"),
                        "\"keyPaths\" must be an array of strings, not a string");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPaths\": [\"/x\", 1]}]}"),
                        "\"keyPaths\"[1] must be a string, not a number");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyData\": \"not base64!\"}]}"),
                        "\"keyData\" is not valid base64");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyData\": \"YQ\"}]}"),
                        "\"keyData\" is not valid base64"); /* padding is required */
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"keyPat\": \"/y\"}]}"),
                        "default[0]: unknown field \"keyPat\"");
        /* identities */
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"signedIdentity\": \"matchExact\"}]}"),
                        "default[0].signedIdentity: must be an object, not a string");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"signedIdentity\": {\"type\": \"matchAll\"}}]}"),
                        "unknown signedIdentity type \"matchAll\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"signedIdentity\": {\"type\": \"matchExact\", \"dockerReference\": \"a/b:1\"}}]}"),
                        "unknown field \"dockerReference\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"signedIdentity\": {\"type\": \"exactReference\", \"dockerReference\": \"quay.io/a/b\"}}]}"),
                        "dockerReference \"quay.io/a/b\" contains neither a tag nor a digest");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"signedIdentity\": {\"type\": \"exactReference\"}}]}"),
                        "field \"dockerReference\" is missing");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"signedIdentity\": {\"type\": \"exactRepository\", \"dockerRepository\": \"Quay.io/UPPER\"}}]}"),
                        "invalid dockerRepository \"Quay.io/UPPER\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"signedIdentity\": {\"type\": \"remapIdentity\", \"prefix\": \"example.com/x:tag\", \"signedPrefix\": \"a.io\"}}]}"),
                        "remapIdentity prefix \"example.com/x:tag\" is not valid");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/x\", \"signedIdentity\": {\"type\": \"remapIdentity\", \"prefix\": \"a.io\", \"signedPrefix\": \"-bad-\"}}]}"),
                        "remapIdentity signedPrefix \"-bad-\" is not valid");
        /* sigstoreSigned and signedBaseLayer */
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"sigstoreSigned\"}]}"),
                        "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio and pki must be specified");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"sigstoreSigned\", \"fulcio\": {\"caPath\": \"/c\"}}]}"),
                        "a rekorPublicKey field must be specified with fulcio");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"sigstoreSigned\", \"keyPath\": \"/k\", \"rekorPublicKeyPath\": \"/r\", \"rekorPublicKeyData\": \"\"}]}"),
                        "at most one of rekorPublicKeyPath");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"sigstoreSigned\", \"keyPaths\": []}]}"), "\"keyPaths\" contains no entries");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"sigstoreSigned\", \"pki\": {\"caRootsPath\": \"/c\", \"bogus\": 1}}]}"),
                        "default[0].pki: unknown field \"bogus\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"signedBaseLayer\"}]}"), "field \"baseLayerIdentity\" is missing");
        /* scopes of the transports containers/image validates */
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"dir\": {\"relative/path\": [{\"type\": \"reject\"}]}}}"),
                        "must be an absolute path in canonical form");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"oci\": {\"/a//b\": [{\"type\": \"reject\"}]}}}"),
                        "canonical form");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"sif\": {\"/\": [{\"type\": \"reject\"}]}}}"),
                        "invalid scope \"/\"");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"oci-archive\": {\"/a/../b\": [{\"type\": \"reject\"}]}}}"),
                        "canonical form");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"tarball\": {\"x\": [{\"type\": \"reject\"}]}}}"),
                        "tarball does not support any scope");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker-daemon\": {\"sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa\": [{\"type\": \"reject\"}]}}}"),
                        "can not use the digest");
        ASSERT_CONTAINS(parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"atomic\": {\"h/ns/s:t/x\": [{\"type\": \"reject\"}]}}}"),
                        "invalid scope name");
}

TEST(parse_limits) {
        /* too many requirements in one list */
        char buf[8192] = "{\"default\": [";
        for (int i = 0; i <= POLICY_MAX_REQUIREMENTS; i++)
                strcat(buf, i ? ",{\"type\":\"reject\"}" : "{\"type\":\"reject\"}");
        strcat(buf, "]}");
        SignaturePolicy *p = NULL;
        CrioError err = {};
        ASSERT_EQ_INT(policy_parse(buf, strlen(buf), "big.json", &p, &err), -E2BIG);
        ASSERT_CONTAINS(err.msg, "more than 64 requirements");
        crio_error_clear(&err);
        /* too many scopes */
        size_t cap = (POLICY_MAX_SCOPES + 2) * 48 + 128;
        _cleanup_free_ char *many = malloc(cap);
        size_t o = (size_t) snprintf(many, cap, "{\"default\": [{\"type\":\"reject\"}], \"transports\": {\"docker\": {");
        for (int i = 0; i <= POLICY_MAX_SCOPES; i++)
                o += (size_t) snprintf(many + o, cap - o, "%s\"r%d.io\": [{\"type\":\"reject\"}]", i ? "," : "", i);
        o += (size_t) snprintf(many + o, cap - o, "}}}");
        ASSERT_EQ_INT(policy_parse(many, o, "many.json", &p, &err), -E2BIG);
        ASSERT_CONTAINS(err.msg, "more than 4096 scopes");
        crio_error_clear(&err);
        /* nesting */
        char deep[256] = "{\"default\": ";
        for (int i = 0; i < 40; i++)
                strcat(deep, "[");
        ASSERT_EQ_INT(policy_parse(deep, strlen(deep), "deep.json", &p, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "nested more than 16 levels deep");
        crio_error_clear(&err);
        /* size */
        _cleanup_free_ char *huge = malloc(POLICY_MAX_SIZE + 1);
        memset(huge, ' ', POLICY_MAX_SIZE + 1);
        ASSERT_EQ_INT(policy_parse(huge, POLICY_MAX_SIZE + 1, "huge.json", &p, &err), -EFBIG);
        crio_error_clear(&err);
}

TEST(scope_candidates_order) {
        _cleanup_strv_free_ char **c = NULL;
        CrioError err = {};
        ASSERT_OK(policy_docker_scope_candidates("a.b.example.com:5000/ns/sub/repo:1", &c, &err));
        const char *want[] = { "a.b.example.com:5000/ns/sub/repo:1", "a.b.example.com:5000/ns/sub/repo", "a.b.example.com:5000/ns/sub",
                               "a.b.example.com:5000/ns", "a.b.example.com:5000", "*.b.example.com", "*.example.com", "*.com" };
        ASSERT_EQ_INT(strv_length(c), ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                ASSERT_EQ_STR(c[i], want[i]);
        strv_free(c);
        c = NULL;
        ASSERT_OK(policy_docker_scope_candidates("busybox@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", &c, &err));
        ASSERT_EQ_STR(c[0], "docker.io/library/busybox@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa");
        ASSERT_EQ_STR(c[1], "docker.io/library/busybox");
        ASSERT_EQ_STR(c[2], "docker.io/library");
        ASSERT_EQ_STR(c[3], "docker.io");
        ASSERT_EQ_STR(c[4], "*.io");
        ASSERT_TRUE(c[5] == NULL);
        strv_free(c);
        c = NULL;
        ASSERT_OK(policy_docker_scope_candidates("localhost:5000/x:1", &c, &err));
        ASSERT_EQ_INT(strv_length(c), 3); /* no dot in the host: no wildcard */
        ASSERT_EQ_INT(policy_docker_scope_candidates(
                              "quay.io/a/b:1@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", &c, &err),
                      -EINVAL);
        ASSERT_CONTAINS(err.msg, "both a tag and a digest");
        crio_error_clear(&err);
}

static const char *lookup(const SignaturePolicy *p, const char *ref) {
        const PolicyRequirements *r = NULL;
        const char *s = NULL;
        CrioError err = {};
        if (policy_docker_requirements(p, ref, &r, &s, &err) < 0)
                test_fail(__FILE__, __LINE__, "lookup %s: %s", ref, err.msg);
        ASSERT_TRUE(r != NULL);
        if (!s)
                ASSERT_TRUE(r == &p->default_requirements);
        return s ? s : "(global default)";
}

TEST(scope_precedence) {
        _cleanup_policy_ SignaturePolicy *p = parse_ok(
                "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {"
                "\"r.example.com/ns/app:1.0\": [{\"type\": \"reject\"}],"
                "\"r.example.com/ns/app\": [{\"type\": \"reject\"}],"
                "\"r.example.com/ns\": [{\"type\": \"reject\"}],"
                "\"r.example.com\": [{\"type\": \"reject\"}],"
                "\"*.example.com\": [{\"type\": \"reject\"}],"
                "\"*.com\": [{\"type\": \"reject\"}],"
                "\"docker.io/library/busybox@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa\": [{\"type\": \"reject\"}],"
                "\"*.org\": [{\"type\": \"reject\"}],"
                "\"mirror.org:5000\": [{\"type\": \"reject\"}],"
                "\"\": [{\"type\": \"insecureAcceptAnything\"}]}}}");
        ASSERT_EQ_STR(lookup(p, "r.example.com/ns/app:1.0"), "r.example.com/ns/app:1.0");
        ASSERT_EQ_STR(lookup(p, "r.example.com/ns/app:2.0"), "r.example.com/ns/app");
        ASSERT_EQ_STR(lookup(p, "r.example.com/ns/app@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"),
                      "r.example.com/ns/app");
        ASSERT_EQ_STR(lookup(p, "r.example.com/ns/other:1"), "r.example.com/ns");
        ASSERT_EQ_STR(lookup(p, "r.example.com/ns2/app:1"), "r.example.com");
        ASSERT_EQ_STR(lookup(p, "r.example.com:5000/ns/app:1.0"), "*.example.com"); /* the port is part of the host scopes */
        ASSERT_EQ_STR(lookup(p, "q.r.example.com/x:1"), "*.example.com");
        ASSERT_EQ_STR(lookup(p, "other.com/x:1"), "*.com");
        ASSERT_EQ_STR(lookup(p, "mirror.org:5000/x:1"), "mirror.org:5000");
        ASSERT_EQ_STR(lookup(p, "mirror.org/x:1"), "*.org");
        /* "r.example.com/ns" is not a prefix of "r.example.com/nsx" */
        ASSERT_EQ_STR(lookup(p, "r.example.com/nsx/app:1"), "r.example.com");
        ASSERT_EQ_STR(lookup(p, "busybox@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"),
                      "docker.io/library/busybox@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa");
        ASSERT_EQ_STR(lookup(p, "busybox:latest"), ""); /* the transport default */
        _cleanup_policy_ SignaturePolicy *q = parse_ok("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"a.io\": [{\"type\": \"reject\"}]},"
                                                        "\"docker-daemon\": {\"\": [{\"type\": \"insecureAcceptAnything\"}]}}}");
        ASSERT_EQ_STR(lookup(q, "b.io/x:1"), "(global default)");
}

typedef struct FetchCount {
        int calls;
} FetchCount;

static int count_fetch(void *userdata, const char *digest, size_t index, char **ret, size_t *ret_len, CrioError *err) {
        (void) digest, (void) index, (void) ret, (void) ret_len, (void) err;
        ((FetchCount *) userdata)->calls++;
        return 0;
}

static int check(const SignaturePolicy *p, const char *ref, const char *manifest, FetchCount *fc, CrioError *err) {
        PolicyImage img = { .docker_reference = ref, .manifest = manifest, .manifest_len = strlen(manifest) };
        return policy_check_docker_image(p, &img, count_fetch, fc, err);
}

#define MANIFEST "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{},\"layers\":[]}"

TEST(evaluation_without_signatures) {
        _cleanup_policy_ SignaturePolicy *p = parse_ok(
                "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {"
                "\"docker.io/library/busybox\": [{\"type\": \"insecureAcceptAnything\"}],"
                "\"quay.io/x\": [{\"type\": \"insecureAcceptAnything\"}, {\"type\": \"reject\"}],"
                "\"quay.io/sig\": [{\"type\": \"sigstoreSigned\", \"keyPath\": \"/k.pub\"}],"
                "\"quay.io/base\": [{\"type\": \"signedBaseLayer\", \"baseLayerIdentity\": {\"type\": \"matchExact\"}}],"
                "\"quay.io/x509\": [{\"type\": \"signedBy\", \"keyType\": \"X509Certificates\", \"keyPath\": \"/k.pem\"}],"
                "\"quay.io/nokey\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/nonexistent/key.gpg\"}],"
                "\"quay.io/junkkey\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyData\": \"" KEY_B64 "\"}],"
                "\"quay.io/nokeys\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPaths\": []}],"
                "\"\": [{\"type\": \"insecureAcceptAnything\"}]}}}");
        FetchCount fc = {};
        CrioError err = {};

        ASSERT_OK(check(p, "docker.io/library/busybox:latest", MANIFEST, &fc, &err));
        ASSERT_OK(check(p, "quay.io/any/thing:1", MANIFEST, &fc, &err)); /* transport default */

        ASSERT_EQ_INT(check(p, "quay.io/x:1", MANIFEST, &fc, &err), -EACCES);
        ASSERT_EQ_STR(err.msg, "image quay.io/x:1 rejected by policy.json: requirement \"reject\" for scope \"quay.io/x\"");
        crio_error_clear(&err);

        ASSERT_EQ_INT(check(p, "quay.io/sig:1", MANIFEST, &fc, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "requirement \"sigstoreSigned\" for scope \"quay.io/sig\" is not supported");
        crio_error_clear(&err);
        ASSERT_EQ_INT(check(p, "quay.io/base:1", MANIFEST, &fc, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "requirement \"signedBaseLayer\"");
        crio_error_clear(&err);
        ASSERT_EQ_INT(check(p, "quay.io/x509:1", MANIFEST, &fc, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "keyType \"X509Certificates\" for scope \"quay.io/x509\" is not supported");
        crio_error_clear(&err);

        /* a key file that cannot be read is an error, not a refusal */
        ASSERT_EQ_INT(check(p, "quay.io/nokey:1", MANIFEST, &fc, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "requirement signedBy keyPath /nonexistent/key.gpg for scope \"quay.io/nokey\"");
        ASSERT_CONTAINS(err.msg, "/nonexistent/key.gpg");
        crio_error_clear(&err);

        ASSERT_EQ_INT(fc.calls, 0); /* no signature was fetched for any of these */

        /* global default */
        _cleanup_policy_ SignaturePolicy *q = parse_ok("{\"default\": [{\"type\": \"reject\"}]}");
        ASSERT_EQ_INT(check(q, "docker.io/library/busybox:latest", MANIFEST, &fc, &err), -EACCES);
        ASSERT_EQ_STR(err.msg, "image docker.io/library/busybox:latest rejected by policy.json: requirement \"reject\" for the global default");
        crio_error_clear(&err);
}

TEST(evaluation_signed_by_without_usable_keys) {
        if (access("/usr/bin/gpg", X_OK) != 0)
                test_skip("gpg is not installed");
        _cleanup_policy_ SignaturePolicy *p = parse_ok(
                "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {"
                "\"quay.io/junkkey\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyData\": \"" KEY_B64 "\"}],"
                "\"quay.io/nokeys\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPaths\": []}]}}}");
        FetchCount fc = {};
        CrioError err = {};
        ASSERT_EQ_INT(check(p, "quay.io/junkkey:1", MANIFEST, &fc, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "no public key could be imported from keyData");
        crio_error_clear(&err);
        ASSERT_EQ_INT(check(p, "quay.io/nokeys:1", MANIFEST, &fc, &err), -EACCES);
        ASSERT_CONTAINS(err.msg, "no public key could be imported");
        crio_error_clear(&err);
        ASSERT_EQ_INT(fc.calls, 0);
}

TEST(evaluation_reference_checks) {
        _cleanup_policy_ SignaturePolicy *p = parse_ok("{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}");
        FetchCount fc = {};
        CrioError err = {};
        char digest[SHA256_DIGEST_LEN + 1], ref[256];
        sha256_digest(MANIFEST, strlen(MANIFEST), digest);
        snprintf(ref, sizeof ref, "quay.io/a/b@%s", digest);
        ASSERT_OK(check(p, ref, MANIFEST, &fc, &err));
        /* the manifest must be the one the digest reference names */
        ASSERT_EQ_INT(check(p, "quay.io/a/b@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", MANIFEST, &fc, &err),
                      -EINVAL);
        ASSERT_CONTAINS(err.msg, "does not match the digest in the reference");
        crio_error_clear(&err);
        snprintf(ref, sizeof ref, "quay.io/a/b:1@%s", digest);
        ASSERT_EQ_INT(check(p, ref, MANIFEST, &fc, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "both a tag and a digest");
        crio_error_clear(&err);
        ASSERT_EQ_INT(check(p, "Not/A/Reference", MANIFEST, &fc, &err), -EINVAL);
        crio_error_clear(&err);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-policy-XXXXXX");
}
