/* Fuzz target: any bytes as a signed "simple signing" payload are accepted or rejected with a
 * message, never crash or leak; an accepted payload's identity goes through every
 * signedIdentity rule. The same bytes as a manifest get a digest (exercising the schema 1 JWS
 * stripping) or a message. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/signature.h"
#include "util/cleanup.h"
#include "util/json-check.h"

static const SignatureIdentityRule rules[] = {
        { SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT },
        { SIGNATURE_IDENTITY_MATCH_EXACT },
        { SIGNATURE_IDENTITY_MATCH_REPOSITORY },
        { SIGNATURE_IDENTITY_EXACT_REFERENCE, "docker.io/library/busybox:latest" },
        { SIGNATURE_IDENTITY_EXACT_REPOSITORY, "docker.io/library/busybox" },
        { SIGNATURE_IDENTITY_REMAP_IDENTITY, NULL, "mirror.local/ns", "docker.io/library" },
};
static const char *const images[] = {
        "docker.io/library/busybox:latest",
        "mirror.local/ns/busybox@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 128 * 1024)
                return 0;
        const char *text = (const char *) data;
        SignaturePayload *p = NULL;
        CrioError err = {};
        char d[SHA256_DIGEST_LEN + 1];

        int r = signature_payload_parse(text, size, &p, &err);
        if (r < 0) {
                if (!err.msg || p)
                        abort();
                crio_error_clear(&err);
        } else {
                if (!p || err.msg || !p->manifest_digest || !p->docker_reference)
                        abort();
                /* accepted payloads are strictly valid JSON */
                if (json_check_strict("payload", text, size, SIGNATURE_JSON_MAX_DEPTH, NULL) < 0)
                        abort();
                for (size_t i = 0; i < ELEMENTSOF(rules); i++)
                        for (size_t j = 0; j < ELEMENTSOF(images); j++) {
                                r = signature_identity_matches(&rules[i], images[j], p->docker_reference, &err);
                                if (r != 1 && (r != -EACCES || !err.msg))
                                        abort();
                                crio_error_clear(&err);
                        }
                signature_payload_free(p);
        }

        r = signature_manifest_digest(text, size, d, &err);
        if (r < 0) {
                if (!err.msg)
                        abort();
                crio_error_clear(&err);
        } else if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != SHA256_DIGEST_LEN)
                abort();
        return 0;
}
