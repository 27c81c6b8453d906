/* containers-registries.d(5): where the signatures of docker images are kept ("lookaside"
 * storage), read the way containers/image's docker/registries_d.go reads it.
 *
 *   # /etc/containers/registries.d/example.yaml
 *   default-docker:
 *     lookaside: file:///var/lib/containers/sigstore
 *   docker:
 *     registry.example.com:
 *       lookaside: https://lookaside.example.com
 *     registry.example.com/team/app:
 *       lookaside: https://team.example.com/sigs
 *       lookaside-staging: file:///mnt/staging
 *       use-sigstore-attachments: true
 *
 * Every "*.yaml" file of the directory is read (lexical order; symlinks to files are
 * followed; a missing directory is an empty configuration) and the files are merged: a
 * "docker" scope defined in two files, or "default-docker" in two files, is an error, as in
 * containers/image. Section keys: lookaside, lookaside-staging and their old names sigstore,
 * sigstore-staging (strings), use-sigstore-attachments (a boolean, YAML 1.1 yes/no/on/off
 * accepted as yaml.v3 does). Unknown keys are ignored, as containers/image does; a key twice
 * in one mapping, a value of the wrong kind, YAML aliases and more than one document are
 * errors naming the file and line: "/etc/containers/registries.d/x.yaml:4: lookaside must be a
 * string".
 *
 * Lookup (containers/image signatureTopLevel): the scopes of the reference, most specific
 * first (policy_docker_scope_candidates: the reference, its repository, namespaces, host,
 * "*.domain" wildcards); the first of them that is configured and sets a lookaside URL wins;
 * else default-docker's; else the built-in REGISTRIES_D_DEFAULT_LOOKASIDE. For writing,
 * lookaside-staging (then sigstore-staging) is preferred within a section.
 *
 * Limits: REGISTRIES_D_MAX_FILE_SIZE bytes per file, REGISTRIES_D_MAX_FILES files,
 * REGISTRIES_D_MAX_SCOPES scopes in all, YAML nesting REGISTRIES_D_MAX_DEPTH, URLs of at most
 * REGISTRIES_D_MAX_URL bytes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/cleanup.h"
#include "util/error.h"

#define REGISTRIES_D_DEFAULT_DIR "/etc/containers/registries.d"
/* containers/image's default lookaside for root. */
#define REGISTRIES_D_DEFAULT_LOOKASIDE "file:///var/lib/containers/sigstore"
#define REGISTRIES_D_MAX_FILE_SIZE (1024u * 1024u)
#define REGISTRIES_D_MAX_FILES 1024
#define REGISTRIES_D_MAX_SCOPES 4096
#define REGISTRIES_D_MAX_DEPTH 32
#define REGISTRIES_D_MAX_URL 4096

typedef struct RegistriesDSection {
        char *lookaside;         /* NULL when unset or empty */
        char *lookaside_staging;
        char *sigstore;          /* old name of lookaside */
        char *sigstore_staging;  /* old name of lookaside-staging */
        int use_sigstore_attachments; /* -1 unset, 0 false, 1 true */
        char *origin;            /* "file:line" of the section */
} RegistriesDSection;

typedef struct RegistriesDScope {
        char *name; /* "registry.example.com/team", as written */
        RegistriesDSection section;
} RegistriesDScope;

typedef struct RegistriesD {
        RegistriesDSection *default_docker; /* NULL if no file has default-docker */
        RegistriesDScope *docker;           /* sorted by name, unique */
        size_t n_docker;
} RegistriesD;

/* Reads every "*.yaml" file of dir (NULL: REGISTRIES_D_DEFAULT_DIR) and merges them. *ret is
 * the caller's (registries_d_free). -EINVAL with file:line for bad content or a conflict,
 * -EFBIG, -E2BIG, and errnos from reading. */
int registries_d_load(const char *dir, RegistriesD **ret, CrioError *err);

/* Parses one file's content (need not be NUL-terminated); name is used in messages. */
int registries_d_parse(const char *data, size_t len, const char *name, RegistriesD **ret, CrioError *err);

void registries_d_free(RegistriesD *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(RegistriesD *, registries_d_free)
#define _cleanup_registries_d_ _cleanup_(registries_d_freep)

/* The lookaside storage base for reference (normalised, with a tag or a digest; the
 * reference actually pulled from, i.e. a mirror's when pulling from a mirror, as
 * containers/image does): the configured top-level URL (see above) + "/" + the repository
 * path without the host, e.g. "https://lookaside.example.com/team/app". write picks the
 * staging URL. c may be NULL (built-in default). *ret is the caller's. -EINVAL for an invalid
 * reference or a configured URL with a query or fragment. */
int registries_d_lookaside_base(const RegistriesD *c, const char *reference, bool write, char **ret, CrioError *err);

/* The URL of signature number index (0-based) of the manifest with manifest_digest under
 * base (from registries_d_lookaside_base): base + "@" + algorithm + "=" + hex +
 * "/signature-" + (index + 1), e.g. ".../team/app@sha256=0123...cdef/signature-1"
 * (containers/image lookasideStorageURL). -EINVAL for an invalid digest. */
int registries_d_signature_url(const char *base, const char *manifest_digest, size_t index, char **ret, CrioError *err);

/* use-sigstore-attachments for reference: the first scope (same order as the lookaside
 * lookup) that sets it, else default-docker's, else false. */
bool registries_d_use_sigstore_attachments(const RegistriesD *c, const char *reference);
