/* "Simple signing" image signatures, containers-signature(5), verified the way containers/image
 * (and so CRI-O) verifies them for a policy.json "signedBy" requirement.
 *
 * A signature is an OpenPGP signed message (binary, not detached; gpg --sign) whose plaintext
 * is a JSON document:
 *
 *   {"critical": {"type": "atomic container signature",
 *                 "image": {"docker-manifest-digest": "sha256:..."},
 *                 "identity": {"docker-reference": "docker.io/library/busybox:latest"}},
 *    "optional": {"creator": "...", "timestamp": 1700000000}}
 *
 * Verification, in this order (each failure refuses the signature with -EACCES and a message
 * saying why):
 *   1. the OpenPGP message verifies (gpgme, protocol OpenPGP) with exactly one good signature,
 *      in a private temporary GNUPGHOME holding only the keys of the requirement; the signing
 *      key (or, for a subkey, its primary key) must be one of the keys imported there;
 *   2. the payload is strictly valid: exactly "critical" and "optional" at the top, exactly
 *      "type", "image" and "identity" in critical, exactly one field in each of image and
 *      identity, no duplicated keys anywhere, "optional" may hold other fields (ignored) but
 *      "creator" must be a string and "timestamp" an integer; at most
 *      SIGNATURE_PAYLOAD_MAX_SIZE bytes;
 *   3. docker-manifest-digest equals the digest of the manifest (signature_manifest_digest:
 *      sha256 of the bytes; for a signed Docker schema 1 manifest, of the bytes with the JWS
 *      signatures removed, as libtrust and containers/image compute it);
 *   4. docker-reference satisfies the requirement's signedIdentity rule for the reference the
 *      image was pulled as (signature_identity_matches).
 *
 * gpgme: gpgme_check_version runs once (pthread_once); it makes the process ignore SIGPIPE, as
 * gpgme requires. Each verifier has its own gpgme context and GNUPGHOME (removed by
 * signature_verifier_free), so verifiers may be used in different threads at once (one
 * verifier by one thread at a time). gpg is told not to start gpg-agent or dirmngr; root's
 * keyring is never read or written. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/sha256.h"

/* Largest signature blob accepted (containers/image MaxSignatureBodySize). */
#define SIGNATURE_MAX_SIZE (4u * 1024u * 1024u)
/* Largest signed payload (a real one is about 300 bytes); a larger plaintext, e.g. a
 * compression bomb, is refused while gpg writes it. */
#define SIGNATURE_PAYLOAD_MAX_SIZE (64u * 1024u)
/* Most key blobs (keyring files) one verifier imports. */
#define SIGNATURE_MAX_KEY_BLOBS 64
/* Largest key blob. */
#define SIGNATURE_KEY_BLOB_MAX_SIZE (1024u * 1024u)
/* Deepest JSON nesting accepted by json_check_strict callers here. */
#define SIGNATURE_JSON_MAX_DEPTH 32

#define SIGNATURE_TYPE_ATOMIC "atomic container signature"

/* ---- the signed payload ---- */

typedef struct SignaturePayload {
        char *manifest_digest;  /* critical.image.docker-manifest-digest, a valid digest */
        char *docker_reference; /* critical.identity.docker-reference, as signed (unparsed) */
        char *creator;          /* optional.creator, or NULL */
        bool has_timestamp;
        int64_t timestamp;      /* optional.timestamp (seconds) if has_timestamp */
} SignaturePayload;

/* Parses and strictly validates a payload of len bytes (need not be NUL-terminated). *ret is
 * the caller's (signature_payload_free). -EINVAL with a message for anything invalid, -EFBIG
 * above SIGNATURE_PAYLOAD_MAX_SIZE. */
int signature_payload_parse(const char *data, size_t len, SignaturePayload **ret, CrioError *err);
void signature_payload_free(SignaturePayload *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(SignaturePayload *, signature_payload_free)
#define _cleanup_signature_payload_ _cleanup_(signature_payload_freep)

/* ---- identities (policy.json "signedIdentity") ---- */

typedef enum SignatureIdentityType {
        SIGNATURE_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT, /* the default */
        SIGNATURE_IDENTITY_MATCH_EXACT,
        SIGNATURE_IDENTITY_MATCH_REPOSITORY,
        SIGNATURE_IDENTITY_EXACT_REFERENCE,  /* reference = dockerReference */
        SIGNATURE_IDENTITY_EXACT_REPOSITORY, /* reference = dockerRepository */
        SIGNATURE_IDENTITY_REMAP_IDENTITY,   /* prefix, signed_prefix */
} SignatureIdentityType;

typedef struct SignatureIdentityRule {
        SignatureIdentityType type;
        char *reference;     /* exactReference / exactRepository; else NULL */
        char *prefix;        /* remapIdentity; else NULL */
        char *signed_prefix; /* remapIdentity; else NULL */
} SignatureIdentityRule;

/* "matchRepoDigestOrExact", "matchExact", ... as policy.json spells them; NULL if unknown. */
const char *signature_identity_type_to_string(SignatureIdentityType t);
/* Looks up a policy.json name; -EINVAL if unknown. */
int signature_identity_type_from_string(const char *s, SignatureIdentityType *ret);

/* Checks the fields a rule of its type needs, as containers/image does when it reads
 * policy.json: exactReference a valid reference with a tag or digest, exactRepository a valid
 * reference, remapIdentity prefixes a host[:port], a namespace or a repository. -EINVAL with
 * a message naming the value. */
int signature_identity_rule_validate(const SignatureIdentityRule *rule, CrioError *err);

/* Frees the strings of rule (not rule itself) and resets it to matchRepoDigestOrExact. */
void signature_identity_rule_done(SignatureIdentityRule *rule);

/* Whether signed_reference (the identity in a signature) is accepted under rule for
 * image_reference (the normalised reference the image was pulled as, with a tag or a digest).
 * Returns 1 if accepted; -EACCES if not, with err saying why; -EINVAL for a rule that is not
 * valid (see signature_identity_rule_validate); -ENOMEM. An unparsable reference is "not
 * accepted", as in containers/image. */
int signature_identity_matches(const SignatureIdentityRule *rule, const char *image_reference,
                               const char *signed_reference, CrioError *err);

/* ---- manifests ---- */

/* The digest a signature names for manifest: "sha256:<hex>" of the bytes, or for a signed
 * Docker schema 1 manifest (schemaVersion 1 with "signatures"), of the bytes with the JWS
 * signatures removed (libtrust's formatLength/formatTail). -EINVAL if a schema 1 manifest's
 * signatures are malformed. */
int signature_manifest_digest(const char *manifest, size_t len, char out[SHA256_DIGEST_LEN + 1], CrioError *err);

/* ---- verification ---- */

typedef struct SignatureKeyBlob {
        const void *data; /* a binary or ASCII-armored keyring with one or more public keys */
        size_t len;
        const char *origin; /* for messages: "keyPath /etc/pki/x.gpg", "keyData" */
} SignatureKeyBlob;

typedef struct SignatureVerifier SignatureVerifier;

/* Makes a private GNUPGHOME (mkdtemp under $TMPDIR or /tmp) and imports keys into it. At most
 * SIGNATURE_MAX_KEY_BLOBS blobs of at most SIGNATURE_KEY_BLOB_MAX_SIZE each. *ret is the
 * caller's (signature_verifier_free). -EACCES if no public key could be imported (a message
 * names the blobs and gpg's answer); -EIO if gpg cannot be run; other errnos from the system. */
int signature_verifier_new(const SignatureKeyBlob *keys, size_t n_keys, SignatureVerifier **ret, CrioError *err);
/* Removes the GNUPGHOME and frees v. Accepts NULL. */
void signature_verifier_free(SignatureVerifier *v);
DEFINE_TRIVIAL_CLEANUP_FUNC(SignatureVerifier *, signature_verifier_free)
#define _cleanup_signature_verifier_ _cleanup_(signature_verifier_freep)

/* The primary-key fingerprints imported (uppercase hex), NULL-terminated; borrowed. */
char *const *signature_verifier_fingerprints(const SignatureVerifier *v);

/* Step 1 only: verifies the OpenPGP message sig and returns its plaintext (*ret_payload,
 * NUL-terminated, caller frees) and the accepted primary-key fingerprint (*ret_fingerprint,
 * may be NULL if not wanted). -EACCES when the signature is refused. */
int signature_verifier_verify(SignatureVerifier *v, const void *sig, size_t sig_len, char **ret_payload,
                              size_t *ret_payload_len, char **ret_fingerprint, CrioError *err);

typedef struct SignatureExpectation {
        const char *manifest_digest;           /* signature_manifest_digest() of the manifest */
        const char *image_reference;           /* normalised, with a tag or a digest */
        const SignatureIdentityRule *identity; /* NULL: matchRepoDigestOrExact */
} SignatureExpectation;

/* Steps 1 to 4. Returns 0 if the signature is accepted (*ret_payload, if not NULL, gets the
 * parsed payload); -EACCES with the reason if it is refused; other negative errnos for
 * failures to check at all. */
int signature_verify_simple_signing(SignatureVerifier *v, const void *sig, size_t sig_len, const SignatureExpectation *e,
                                    SignaturePayload **ret_payload, CrioError *err);
