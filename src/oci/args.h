/* A container's process arguments and environment from the CRI request and the image config.
 *
 * Arguments follow Kubernetes (and CRI-O):
 *   command set      -> command + args (args may be empty); the image's Entrypoint and Cmd
 *                       are both ignored
 *   only args set    -> image Entrypoint + args (the image's Cmd is ignored)
 *   neither          -> image Entrypoint + image Cmd
 * "Set" means a non-empty array (the CRI cannot tell empty from absent). An empty result is
 * an error.
 *
 * Environment: the image's Env in order, then each CRI entry replacing the entry with the same
 * key in place (or appended); PATH=OCI_DEFAULT_PATH put first when neither has PATH. */
#pragma once

#include <stdbool.h>

#include "util/error.h"

/* Each of command, args, image_entrypoint, image_cmd may be NULL. *ret is a new
 * NULL-terminated array (caller frees with strv_free). -EINVAL if the result is empty. */
int oci_args_resolve(char *const *command, char *const *args, char *const *image_entrypoint,
                     char *const *image_cmd, char ***ret, CrioError *err);

/* Merges as above. cri_env holds "KEY=VALUE" strings; an entry whose key is empty is refused
 * (-EINVAL). home, when not NULL, sets HOME if neither list has it (CRI-O does so from the
 * user's passwd entry). *ret: new array (caller frees). */
int oci_env_merge(char *const *image_env, char *const *cri_env, const char *home, char ***ret, CrioError *err);

/* Sets "KEY=VALUE" in *env: replaces the entry with the same key in place, or appends.
 * An entry without '=' is its own key. 0 or -ENOMEM (*env unchanged on failure). */
int oci_env_set(char ***env, const char *entry);
/* Index of the entry with key (key may end at '=': "PATH=..." looks up PATH), or -1. */
int oci_env_find(char *const *env, const char *key);
