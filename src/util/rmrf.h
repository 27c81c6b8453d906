/* Recursive removal that never follows symlinks and never crosses a mount point.
 *
 * Meant for trees crio made itself (an extracted layer, a failed extraction's temp dir):
 * read-only directories are made writable before they are emptied; immutable or
 * append-only files are not handled. Only one directory fd is open at a time, so
 * the depth of the tree is not limited by RLIMIT_NOFILE. */
#pragma once

#include "error.h"

/* Removes name (a file, symlink, device or directory tree) inside dirfd (or AT_FDCWD).
 * A symlink is removed, not followed. A directory on another mount (a mount point)
 * is not entered: the rest is removed and the call fails with -EBUSY naming it.
 * Returns 0 if name does not exist. name must not be "", "." or "..". */
int rm_rf_at(int dirfd, const char *name, CrioError *err);

/* rm_rf_at(AT_FDCWD, path, err): the components before the last one are followed as usual. */
int rm_rf(const char *path, CrioError *err);
