/* SELinux labels for pods and containers, by CRI-O's rules (go-selinux's InitLabels):
 *
 * - The default labels are the policy's container contexts (the "process" and "file" keys
 *   of <policy root>/contexts/lxc_contexts, e.g. container_t and container_file_t); crio
 *   checks them against the loaded policy at start.
 * - A pod gets the default process label with a level of its own, "s0:cX,cY" (two random
 *   categories below SELINUX_CATEGORIES, unique among the pods), then the pod's
 *   SELinuxOptions (user, role, type, level) replace those parts. Its mount label is the
 *   default file label with the pod's user and level.
 * - A container starts from its pod's process label and its own SELinuxOptions replace
 *   parts of it; its mount label is the file label with that user and level.
 *
 * Where SELinux is off, or crio.conf's selinux is false, nothing here is called. The set of
 * levels in use lives in this module (guarded by its own mutex, held for memory work only). */
#pragma once

#include <stdbool.h>

#include "util/error.h"

/* Categories a pod's level is drawn from (c0 to c1023, as go-selinux). */
#define SELINUX_CATEGORIES 1024
/* Bytes in one part of a label a request gives (user, role, type, level). */
#define SELINUX_PART_MAX 255
/* Bytes of lxc_contexts read, at most. */
#define SELINUX_CONTEXTS_MAX (64u * 1024u)

typedef struct SelinuxOptions {
        const char *user, *role, *type, *level; /* NULL or "": keep that part */
} SelinuxOptions;

/* The kernel has SELinux enabled with a policy loaded (libselinux's is_selinux_enabled). */
bool selinux_host_enabled(void);

/* Reads the default container labels from the policy's lxc_contexts and checks them in the
 * loaded policy: -ENOENT if the file or a key is missing, -EINVAL naming a label the policy
 * does not know (Debian's own policy, say, has no container_t). Called once at start. */
int selinux_init(CrioError *err);

/* The pod's labels (see above); its level is reserved until selinux_level_release. Both
 * labels are checked in the loaded policy: -EINVAL naming a malformed option or a label
 * the policy refuses. The caller frees both. */
int selinux_pod_labels(const SelinuxOptions *o, char **ret_process, char **ret_mount, CrioError *err);

/* A container's labels from its pod's process label and its own options (checked as above). */
int selinux_container_labels(const char *pod_process, const SelinuxOptions *o, char **ret_process, char **ret_mount,
                             CrioError *err);

/* Pure label arithmetic, no policy needed (unit tests): label with the given parts
 * replaced; -EINVAL naming a part that is too long or has characters a label part cannot
 * have, or a label that is not "user:role:type[:level]". */
int selinux_label_with(const char *label, const SelinuxOptions *o, char **ret, CrioError *err);

/* A fresh level "s0:cX,cY" with X < Y < categories not in use, reserved; NULL when all are
 * taken or out of memory. */
char *selinux_level_new(unsigned categories);
/* Counts one more user of label's level (a restored pod, a pod naming its level). */
void selinux_level_reserve(const char *label);
/* One user less of label's level; at zero it may be handed out again. NULL is fine. */
void selinux_level_release(const char *label);
/* Users of the level of label (tests). */
unsigned selinux_level_users(const char *label);

/* Labels path (and, with recurse, everything below it without following symbolic links or
 * crossing into other file systems) with label, as CRI-O relabels a volume: -EINVAL for a
 * system directory ("/", "/usr", "/etc", "/var/lib", ... as go-selinux refuses them);
 * a file system without labels (ENOTSUP) is left as it is. */
int selinux_relabel(const char *path, const char *label, bool recurse, CrioError *err);

/* The mount option that labels a whole file system: context="<label>". Caller frees. */
char *selinux_context_option(const char *label);
