/* The container's user: CRI run_as_user / run_as_username / run_as_group /
 * supplemental_groups and the image's User, resolved against the container's own
 * /etc/passwd and /etc/group.
 *
 * The files are opened relative to a directory fd of the rootfs, one component at a time
 * with O_NOFOLLOW: a symlinked /etc, /etc/passwd or /etc/group is never followed (it is
 * treated as absent, and a lookup by name then fails saying so). They are untrusted input:
 * at most OCI_USER_FILE_MAX bytes and OCI_USER_LINES_MAX lines (else -EFBIG); blank lines,
 * comments and malformed lines are skipped. Unlike runc's libcontainer/user, which reads a
 * non-numeric uid or gid as 0, such a line is skipped (it must not make someone root).
 *
 * User strings (the image's User, or what the CRI fields make of it):
 *   "name" | "uid" | "name:group" | "uid:gid" | "name:gid" | "uid:group" | "" (root)
 * A user that matches a passwd entry by name or by number (first matching line wins) takes
 * that entry's uid, gid and home; a number with no entry is fine (gid 0, home "/"); an
 * unknown name is an error naming it. Without an explicit group, the supplementary groups
 * are the /etc/group entries listing the user's name; with one, the user's gid is that group. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

#define OCI_USER_FILE_MAX (4u * 1024u * 1024u)
#define OCI_USER_LINES_MAX 65536u
/* Ids above this are refused, as runc does (2^31 - 1). */
#define OCI_USER_ID_MAX INT32_MAX
#define OCI_USER_GROUPS_MAX 65536u

/* What the CRI's LinuxContainerSecurityContext and the image config say. */
typedef struct OciUserRequest {
        bool has_run_as_user;
        int64_t run_as_user;
        const char *run_as_username; /* NULL or "" = unset */
        bool has_run_as_group;
        int64_t run_as_group;
        const int64_t *supplemental_groups;
        size_t n_supplemental_groups;
        const char *image_user; /* ImageConfig.user; NULL or "" = root */
} OciUserRequest;

typedef struct OciUser {
        uid_t uid;
        gid_t gid;
        char *home;          /* "/" when the user has no passwd entry */
        gid_t *additional_gids; /* no duplicates */
        size_t n_additional_gids;
} OciUser;

/* Frees the members of u and zeroes it. */
void oci_user_clear(OciUser *u);

/* Resolves a user string (see above) in the rootfs. *ret is filled only on success
 * (caller clears it with oci_user_clear). */
int oci_user_lookup(int rootfs_fd, const char *user, OciUser *ret, CrioError *err);

/* The CRI rule: run_as_user if set, else run_as_username if set, else the image's User;
 * run_as_group, if set, replaces any group part. The supplemental_groups are appended to the
 * groups found in /etc/group. */
int oci_user_resolve(int rootfs_fd, const OciUserRequest *req, OciUser *ret, CrioError *err);
