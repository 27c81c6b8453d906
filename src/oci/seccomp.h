/* Seccomp profiles: the Docker/CRI-O profile format (contrib/seccomp.json) and its expansion
 * into the runtime-spec's linux.seccomp for one container.
 *
 *   _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = NULL;
 *   r = oci_seccomp_profile_load("/etc/crio/seccomp.json", &p, &err);
 *   r = oci_seccomp_profile_to_oci(p, oci_spec_get_caps(spec), NULL, &node, &err);
 *   r = oci_spec_set_seccomp(spec, node, &err);  json_node_unref(node);
 * or, for a CRI container, all of it at once (after its capabilities are final):
 *   r = oci_seccomp_apply(spec, &(OciSeccompRequest){ ... }, &err);
 *
 * The profile format (as moby's profiles/seccomp reads it): defaultAction, defaultErrnoRet,
 * either archMap ([{architecture, subArchitectures}]) or architectures, flags, listenerPath,
 * listenerMetadata, and syscalls: groups of {names (or the old single name), action,
 * errnoRet, args [{index, value, valueTwo, op}], comment, includes and excludes
 * {caps, arches, minKernel}}. Conversion keeps a group when the container's bounding set
 * holds every capability of includes.caps and none of excludes.caps, the architecture is
 * in includes.arches (if given) and not in excludes.arches, and the running kernel is at
 * least includes.minKernel (and below excludes.minKernel). Architecture names in filters
 * are libseccomp's: "amd64", "x86", "x32", "arm64", "arm", "ppc64le", "s390x", "riscv64"...
 *
 * The profile is untrusted input, parsed strictly with named limits (below): unknown
 * actions, operators, architectures and flags are refused with the name in the message,
 * wrong types are refused naming the field ("syscalls[3].args[0].op"). Unknown members are
 * ignored, as Docker and CRI-O ignore them. Capability names a filter cannot know (newer
 * than OCI_CAP_LAST) never match: a group including one is dropped, excluding one is kept.
 * Integers must be exact: arg values above INT64_MAX (2^63-1) are refused, since json-glib
 * reads 64-bit signed integers only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"
#include "util/cleanup.h"
#include "util/error.h"

typedef struct _JsonNode JsonNode;

/* Limits on a profile. */
#define OCI_SECCOMP_MAX_FILE_SIZE (1024u * 1024u) /* bytes of JSON */
#define OCI_SECCOMP_MAX_GROUPS 1024u              /* entries of "syscalls" */
#define OCI_SECCOMP_MAX_NAMES 1024u               /* names in one group */
#define OCI_SECCOMP_MAX_NAME_LEN 64u              /* bytes of one syscall name */
#define OCI_SECCOMP_MAX_ARGS 6u                   /* args of one rule (syscalls have 6) */
#define OCI_SECCOMP_MAX_LIST 64u                  /* archMap, architectures, flags, caps, arches */
#define OCI_SECCOMP_MAX_STRING 4096u              /* listenerPath, listenerMetadata, comment */
#define OCI_SECCOMP_MAX_DEPTH 8u                  /* JSON nesting (the format needs 5) */
#define OCI_SECCOMP_MAX_ERRNO 4095u               /* defaultErrnoRet, errnoRet */

/* The profile shipped as contrib/seccomp.json, installed to $(SYSCONFDIR)/crio/seccomp.json. */
#define OCI_SECCOMP_INSTALLED_PROFILE CRIO_SYSCONFDIR "/crio/seccomp.json"

typedef struct OciSeccompProfile OciSeccompProfile;

/* Parses a profile (len bytes; need not be NUL-terminated). Caller frees *ret. */
int oci_seccomp_profile_parse(const char *data, size_t len, OciSeccompProfile **ret, CrioError *err);
/* Reads and parses the file at path (at most OCI_SECCOMP_MAX_FILE_SIZE bytes). -ENOENT if it
 * does not exist; errors name the path. Caller frees *ret. */
int oci_seccomp_profile_load(const char *path, OciSeccompProfile **ret, CrioError *err);
/* The default profile compiled into the binary: contrib/seccomp.json as it was at build
 * time (embedded with .incbin), so crio works without the installed file. */
int oci_seccomp_profile_builtin(OciSeccompProfile **ret, CrioError *err);
/* The embedded JSON text (NUL-terminated; *ret_len without the NUL). */
const char *oci_seccomp_builtin_json(size_t *ret_len);
void oci_seccomp_profile_free(OciSeccompProfile *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(OciSeccompProfile *, oci_seccomp_profile_free);

/* Number of syscall groups in the profile. */
size_t oci_seccomp_profile_n_groups(const OciSeccompProfile *p);

/* The runtime-spec linux.seccomp object for a container whose bounding capability set is
 * caps_mask (bit n = capability n, as oci_spec_get_caps) on architecture arch (a uname
 * machine such as "x86_64", "aarch64", "armv7l", "ppc64le", "s390x", or a libseccomp name
 * such as "amd64"; NULL = this machine): {defaultAction, defaultErrnoRet, architectures,
 * flags, listenerPath, listenerMetadata, syscalls [{names, action, errnoRet, args}]}.
 * An architecture the profile's archMap does not list gives no "architectures" (the
 * runtime then filters the native one only). Caller unrefs *ret_linux_seccomp. */
int oci_seccomp_profile_to_oci(const OciSeccompProfile *p, uint64_t caps_mask, const char *arch,
                               JsonNode **ret_linux_seccomp, CrioError *err);

/* --- which profile a CRI container gets --- */

/* The CRI's SecurityProfile.ProfileType, same numbers. */
typedef enum OciSeccompProfileType {
        OCI_SECCOMP_RUNTIME_DEFAULT = 0,
        OCI_SECCOMP_UNCONFINED = 1,
        OCI_SECCOMP_LOCALHOST = 2,
} OciSeccompProfileType;

typedef struct OciSeccompRequest {
        /* LinuxContainerSecurityContext.seccomp: has_profile false when the message is absent. */
        bool has_profile;
        OciSeccompProfileType type;
        const char *localhost_ref; /* for Localhost: an absolute path */
        /* The deprecated seccomp_profile_path, read only when has_profile is false:
         * "runtime/default" or "docker/default", "unconfined" or "", "localhost/<abs path>". */
        const char *profile_path;
        bool privileged;
        /* For privileged containers: a profile file (absolute), NULL or "" = none. */
        const char *privileged_profile;
        /* crio.runtime.seccomp_profile: the RuntimeDefault file; NULL or "" = the installed
         * OCI_SECCOMP_INSTALLED_PROFILE if it exists, else the built-in copy. */
        const char *default_profile;
        /* Where the installed profile is looked for; NULL = OCI_SECCOMP_INSTALLED_PROFILE
         * (for tests). */
        const char *installed_profile;
} OciSeccompRequest;

/* CRI-O's rule:
 *   privileged: privileged_profile if set (as a Localhost profile), else no seccomp (Kubernetes
 *     runs privileged containers unconfined; a profile in the request is ignored);
 *   has_profile: RuntimeDefault -> default_profile (see above); Unconfined -> no seccomp;
 *     Localhost -> the file at localhost_ref, which must be absolute and exist (-EINVAL);
 *   else profile_path as above; an absent profile is unconfined.
 * *ret_profile is NULL for no seccomp. *ret_ref (optional, caller frees) names the choice
 * for the container's status: "unconfined", "runtime/default" or "localhost/<path>".
 * An unknown type or a malformed profile_path is -EINVAL. */
int oci_seccomp_select(const OciSeccompRequest *req, OciSeccompProfile **ret_profile, char **ret_ref,
                       CrioError *err);

/* oci_seccomp_select, then oci_seccomp_profile_to_oci with the spec's capabilities (call it
 * after they are final) for this machine, then oci_spec_set_seccomp (NULL when unconfined).
 * ret_ref as for oci_seccomp_select (may be NULL). The spec is unchanged on failure. */
int oci_seccomp_apply(OciSpec *spec, const OciSeccompRequest *req, char **ret_ref, CrioError *err);
