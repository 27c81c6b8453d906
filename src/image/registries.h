/* containers-registries.conf(5), version 2, read the way containers/image's
 * pkg/sysregistriesv2 reads it.
 *
 *   unqualified-search-registries = ["registry.fedoraproject.org", "docker.io"]
 *   short-name-mode = "enforcing"            # "enforcing", "permissive" (default), "disabled"
 *   [aliases]
 *   "fedora" = "registry.fedoraproject.org/fedora"
 *   [[registry]]
 *   prefix = "example.com/foo"               # defaults to location; "*.example.com" wildcards
 *   location = "internal.example.com/bar"
 *   insecure = false
 *   blocked = false
 *   mirror-by-digest-only = false
 *   [[registry.mirror]]
 *   location = "mirror.example.com/bar"
 *   insecure = true
 *   pull-from-mirror = "all"                 # "all", "digest-only", "tag-only"
 *
 * Loading: the main file (missing is fine: an empty configuration), then every "*.conf" in
 * the drop-in directory in lexical order. A later file replaces registries with the same
 * prefix, replaces unqualified-search-registries and short-name-mode if it sets them, and
 * merges aliases key by key (an alias set to "" removes it). After merging, registries are
 * ordered by prefix. Within one file, a later [[registry]] with a prefix already seen is
 * ignored (the first one wins, as in containers/image).
 *
 * The v1 format ([registries.search] and friends) is rejected. Unknown keys are ignored, as
 * containers/image does. Errors name the file and line: "/etc/containers/registries.conf:7:
 * invalid location "https://x": URI schemes are not supported".
 *
 * Limits (untrusted input): REGISTRIES_CONF_MAX_SIZE bytes per file, REGISTRIES_MAX_ENTRIES
 * registries, mirrors per registry, search registries and aliases. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/cleanup.h"
#include "util/error.h"

#define REGISTRIES_DEFAULT_PATH "/etc/containers/registries.conf"
#define REGISTRIES_DEFAULT_DROPIN_DIR "/etc/containers/registries.conf.d"
#define REGISTRIES_ENV "CONTAINERS_REGISTRIES_CONF"
#define REGISTRIES_CONF_MAX_SIZE (4u * 1024u * 1024u)
#define REGISTRIES_MAX_ENTRIES 4096

typedef enum ShortNameMode {
        SHORT_NAME_MODE_PERMISSIVE, /* containers/image's default */
        SHORT_NAME_MODE_ENFORCING,
        SHORT_NAME_MODE_DISABLED,
} ShortNameMode;

typedef enum PullFromMirror {
        PULL_FROM_MIRROR_ALL, /* also "" (unset) */
        PULL_FROM_MIRROR_DIGEST_ONLY,
        PULL_FROM_MIRROR_TAG_ONLY,
} PullFromMirror;

typedef struct RegistryMirror {
        char *location; /* never empty; trailing '/' removed */
        bool insecure;
        PullFromMirror pull_from_mirror;
} RegistryMirror;

typedef struct RegistryEntry {
        char *prefix;   /* never NULL; "example.com/foo" or "*.example.com" */
        char *location; /* never NULL; "" only with a wildcard prefix */
        bool insecure;
        bool blocked;
        bool mirror_by_digest_only;
        RegistryMirror *mirrors;
        size_t n_mirrors;
        char *origin; /* "file:line" of its [[registry]] header */
} RegistryEntry;

typedef struct RegistryAlias {
        char *name;  /* "fedora" */
        char *value; /* "registry.fedoraproject.org/fedora" */
        char *origin;
} RegistryAlias;

typedef struct RegistriesConf {
        RegistryEntry *registries; /* sorted by prefix, unique prefixes */
        size_t n_registries;
        char **unqualified_search_registries; /* NULL-terminated, never NULL */
        ShortNameMode short_name_mode;
        RegistryAlias *aliases; /* sorted by name */
        size_t n_aliases;
} RegistriesConf;

typedef struct PullSource {
        char *reference; /* the reference rewritten to the endpoint's location */
        bool insecure;
} PullSource;

/* $CONTAINERS_REGISTRIES_CONF if set and not empty, else REGISTRIES_DEFAULT_PATH. Borrowed. */
const char *registries_default_path(void);

/* Loads path (a missing file counts as empty) and then dropin_dir's "*.conf" files in
 * lexical order (dropin_dir may be NULL or missing). On success *ret is owned by the caller
 * (registries_conf_free). On failure returns -EINVAL (bad content, err names file:line),
 * -EFBIG, -E2BIG, -ENOMEM or an errno from reading, and leaves *ret untouched. */
int registries_load(const char *path, const char *dropin_dir, RegistriesConf **ret, CrioError *err);

/* Parses one file's content (need not be NUL-terminated); name is used in messages. The
 * result is what registries_load would give for that file alone. */
int registries_parse(const char *data, size_t len, const char *name, RegistriesConf **ret, CrioError *err);

/* Frees c and everything in it. Accepts NULL. */
void registries_conf_free(RegistriesConf *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(RegistriesConf *, registries_conf_free)
#define _cleanup_registries_conf_ _cleanup_(registries_conf_freep)

/* The registry whose prefix is the longest match for ref (a normalised reference string such
 * as "docker.io/library/busybox:latest"): a prefix matches when equal to ref or followed in
 * ref by '/', ':' or '@'; "*.example.com" matches any subdomain of example.com in the
 * domain. Returns 1 and *ret (borrowed from c) on a match, 0 (and *ret = NULL) without one. */
int registries_find(const RegistriesConf *c, const char *ref, const RegistryEntry **ret);

/* The ordered sources to pull normalised_ref from: the matching registry's usable mirrors
 * (mirror-by-digest-only and pull-from-mirror against by_digest), then its location; just
 * the reference itself when no registry matches. *ret (n entries) is owned by the caller
 * (pull_sources_free). Fails with -EACCES "registry X is blocked ..." for a blocked one. */
int registries_pull_sources(const RegistriesConf *c, const char *normalised_ref, bool by_digest,
                            PullSource **ret, size_t *n, CrioError *err);
void pull_sources_free(PullSource *s, size_t n);

/* Candidates for name, normalised ("docker.io/library/busybox:latest"): a name with a
 * registry is returned alone (only normalised); a short name with an alias resolves to the alias (with
 * the name's tag or digest), as containers/image does; otherwise one candidate per
 * unqualified-search registry in order. *ret_candidates is a NULL-terminated array the
 * caller frees with strv_free. Fails with -EINVAL for an invalid name and -ENOENT for a
 * short name without an alias when there are no unqualified-search registries. The
 * short-name-mode is only recorded; acting on it (prompting, enforcing) is the caller's. */
int registries_resolve_short_name(const RegistriesConf *c, const char *name, char ***ret_candidates,
                                  CrioError *err);

const char *short_name_mode_to_string(ShortNameMode m);

/* Whether name (without "docker://") starts with a registry: a first component
 * with "." or ":", or "localhost", as containers/image tells them apart. */
bool registries_name_has_registry(const char *name);
