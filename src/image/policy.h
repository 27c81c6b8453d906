/* The image signature policy, containers-policy.json(5), read and applied to pulls the way
 * containers/image (and so CRI-O) does it.
 *
 *   {
 *     "default": [{"type": "reject"}],
 *     "transports": {
 *       "docker": {
 *         "docker.io/library/busybox": [{"type": "insecureAcceptAnything"}],
 *         "registry.example.com/team": [{"type": "signedBy", "keyType": "GPGKeys",
 *                                        "keyPath": "/etc/pki/team.gpg"}],
 *         "*.example.org": [{"type": "reject"}],
 *         "": [{"type": "insecureAcceptAnything"}]
 *       },
 *       "docker-daemon": {"": [{"type": "insecureAcceptAnything"}]}
 *     }
 *   }
 *
 * Parsing is strict, as containers/image's: the JSON must be strictly valid (json_check_strict:
 * no comments, duplicated keys or bad escapes); unknown fields, wrong types, a missing
 * "default", an empty requirement list, an unknown requirement or identity type, signedBy
 * without exactly one of keyPath/keyPaths/keyData are errors. Scopes of the transports
 * containers/image validates are checked the same way (dir, oci, oci-archive, sif: absolute
 * canonical paths other than "/"; docker-archive and tarball: only ""; docker-daemon: not a
 * digest; atomic: host[/namespace[/stream[:tag]]]); other transports' scopes, "docker" ones
 * included, are kept as written. Errors say which file and which element: "policy.json:
 * transports.docker["docker.io/x"][0]: unknown field "keyPat"".
 *
 * Requirement types: insecureAcceptAnything, reject, signedBy (keyType "GPGKeys"; the other
 * keyType values are parsed and refused when evaluated, as containers/image does),
 * sigstoreSigned and signedBaseLayer (parsed and validated; evaluated as refused: not
 * supported). signedIdentity rules are signature.h's SignatureIdentityRule.
 *
 * Lookup for a docker image (containers/image requirementsForImageRef): in
 * transports["docker"], the first scope present among policy_docker_scope_candidates() of
 * the reference, then the transport default "", then the global "default". Only that one
 * list applies; every requirement in it must accept the image.
 *
 * Limits: POLICY_MAX_SIZE bytes, POLICY_MAX_TRANSPORTS transports, POLICY_MAX_SCOPES scopes in
 * all, POLICY_MAX_REQUIREMENTS per list, POLICY_MAX_KEYS keyPaths entries, key files of at
 * most POLICY_KEY_FILE_MAX_SIZE bytes, POLICY_MAX_SIGNATURES signatures per image. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "image/signature.h"
#include "util/cleanup.h"
#include "util/error.h"

#define POLICY_DEFAULT_PATH "/etc/containers/policy.json"
#define POLICY_MAX_SIZE (4u * 1024u * 1024u)
#define POLICY_MAX_TRANSPORTS 64
#define POLICY_MAX_SCOPES 4096
#define POLICY_MAX_REQUIREMENTS 64
#define POLICY_MAX_KEYS SIGNATURE_MAX_KEY_BLOBS
#define POLICY_KEY_FILE_MAX_SIZE SIGNATURE_KEY_BLOB_MAX_SIZE
/* Signatures read for one image (containers/image maxLookasideSignatures). */
#define POLICY_MAX_SIGNATURES 128
#define POLICY_JSON_MAX_DEPTH 16

typedef enum PolicyRequirementType {
        POLICY_REQUIREMENT_INSECURE_ACCEPT_ANYTHING,
        POLICY_REQUIREMENT_REJECT,
        POLICY_REQUIREMENT_SIGNED_BY,
        POLICY_REQUIREMENT_SIGSTORE_SIGNED,
        POLICY_REQUIREMENT_SIGNED_BASE_LAYER,
} PolicyRequirementType;

typedef enum PolicyKeyType {
        POLICY_KEY_TYPE_GPG_KEYS, /* "GPGKeys": the only one evaluated */
        POLICY_KEY_TYPE_SIGNED_BY_GPG_KEYS,
        POLICY_KEY_TYPE_X509_CERTIFICATES,
        POLICY_KEY_TYPE_SIGNED_BY_X509_CAS,
} PolicyKeyType;

typedef enum PolicyKeySource {
        POLICY_KEY_SOURCE_NONE,
        POLICY_KEY_SOURCE_PATH,  /* keyPath: key_paths has one entry */
        POLICY_KEY_SOURCE_PATHS, /* keyPaths */
        POLICY_KEY_SOURCE_DATA,  /* keyData: key_data */
        POLICY_KEY_SOURCE_DATAS, /* sigstoreSigned keyDatas (not kept) */
        POLICY_KEY_SOURCE_FULCIO, /* sigstoreSigned fulcio (not kept) */
        POLICY_KEY_SOURCE_PKI,   /* sigstoreSigned pki (not kept) */
} PolicyKeySource;

typedef struct PolicyRequirement {
        PolicyRequirementType type;
        PolicyKeyType key_type;        /* signedBy */
        PolicyKeySource key_source;    /* signedBy, sigstoreSigned */
        char **key_paths;              /* NULL-terminated, for PATH and PATHS; else NULL */
        unsigned char *key_data;       /* decoded keyData (signedBy and sigstoreSigned) */
        size_t key_data_len;
        SignatureIdentityRule identity; /* signedIdentity (default matchRepoDigestOrExact);
                                         * signedBaseLayer: baseLayerIdentity */
} PolicyRequirement;

typedef struct PolicyRequirements {
        PolicyRequirement *items; /* n >= 1 */
        size_t n;
} PolicyRequirements;

typedef struct PolicyScope {
        char *name; /* "" is the transport's default */
        PolicyRequirements requirements;
} PolicyScope;

typedef struct PolicyTransport {
        char *name; /* "docker", "docker-daemon", ... (unknown names are kept too) */
        PolicyScope *scopes; /* sorted by name, unique */
        size_t n_scopes;
} PolicyTransport;

typedef struct SignaturePolicy {
        char *origin; /* the file name given to policy_parse / policy_load */
        PolicyRequirements default_requirements;
        PolicyTransport *transports; /* in file order */
        size_t n_transports;
} SignaturePolicy;

/* Reads and parses path (at most POLICY_MAX_SIZE bytes). *ret is the caller's (policy_free).
 * -EINVAL with "path: what is wrong" for bad content; -ENOENT and other errnos from reading. */
int policy_load(const char *path, SignaturePolicy **ret, CrioError *err);
/* Parses len bytes of data (need not be NUL-terminated); name is used in messages. */
int policy_parse(const char *data, size_t len, const char *name, SignaturePolicy **ret, CrioError *err);
/* Frees p. Accepts NULL. */
void policy_free(SignaturePolicy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(SignaturePolicy *, policy_free)
#define _cleanup_policy_ _cleanup_(policy_freep)

const char *policy_requirement_type_to_string(PolicyRequirementType t);

/* The scopes containers/image (docker/policyconfiguration) searches for a docker reference,
 * most specific first: the reference itself ("host/ns/repo:tag" or "host/ns/repo@digest"),
 * the repository "host/ns/repo", each parent namespace "host/ns", the host[:port] "host",
 * then for each parent domain of the host without its port, "*.domain" ("*.example.com",
 * "*.com"). The transport default "" is not included. reference must have a tag or a digest,
 * not both (-EINVAL, as containers/image refuses such docker references). *ret is a
 * NULL-terminated array the caller frees with strv_free. Also used for registries.d. */
int policy_docker_scope_candidates(const char *reference, char ***ret, CrioError *err);

/* The requirement list for a docker image. *ret and *ret_scope are borrowed from p:
 * *ret_scope is the matched scope name, "" for the transport default, or NULL for the global
 * default. -EINVAL for an invalid reference. */
int policy_docker_requirements(const SignaturePolicy *p, const char *reference, const PolicyRequirements **ret,
                               const char **ret_scope, CrioError *err);

/* Fetches signature number index (0, 1, ...) of the image whose manifest has
 * manifest_digest (signature_manifest_digest(), what the lookaside URL names). Returns 1 with
 * *ret_sig (malloc'd, the caller's) and *ret_len; 0 when there are no more signatures; a
 * negative errno (err set) when they cannot be read. Called only when a signedBy requirement
 * is evaluated, at most once per index and check. */
typedef int (*PolicySignatureFetch)(void *userdata, const char *manifest_digest, size_t index, char **ret_sig, size_t *ret_len,
                                    CrioError *err);

typedef struct PolicyImage {
        /* Normalised, as the user asked for it, with a tag or a digest:
         * "docker.io/library/busybox:latest" or "...@sha256:...". */
        const char *docker_reference;
        /* The top-level manifest (the one a signature signs: for a multi-platform image, the
         * index or list), as received. */
        const char *manifest;
        size_t manifest_len;
} PolicyImage;

/* Applies p to a docker image. Returns 0 if every requirement of its list accepts it;
 * -EACCES if one refuses it, with a message naming it, e.g.
 *   image docker.io/x:1 rejected by policy.json: requirement "reject" for scope "docker.io/x"
 *   no signature of docker.io/x:1 was accepted by signedBy keyPath /etc/pki/foo.gpg
 *     (policy.json, scope "docker.io/x"): signature 1: ...; signature 2: ...
 * -EINVAL for a reference with both a tag and a digest or a manifest that does not match the
 * reference's digest; other negative errnos when the check could not be made (a key file
 * missing, gpg not runnable, fetch failing). */
int policy_check_docker_image(const SignaturePolicy *p, const PolicyImage *img, PolicySignatureFetch fetch, void *userdata,
                              CrioError *err);
