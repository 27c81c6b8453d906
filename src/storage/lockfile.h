/* Lock files shared with containers/storage (the Go library under podman, skopeo, buildah
 * and CRI-O), with its exact protocol (pkg/lockfile in containers/storage 1.43–1.45):
 *
 *   - the lock is an fcntl(F_SETLKW) record lock over the whole file, F_RDLCK for readers and
 *     F_WRLCK for writers, taken on an fd opened O_RDWR|O_CREAT (mode 0644) and released by
 *     closing that fd;
 *   - inside one process a pthread rwlock gives the same reader/writer exclusion between
 *     threads (fcntl locks belong to the process), and the fd is opened by the first holder
 *     and closed by the last one;
 *   - a writer that changed the data the lock protects "touches" the lock: it writes a new
 *     64-byte last-writer token at offset 0 (little-endian u64 time in ns, u64 counter, u32
 *     pid, 44 random bytes). A reader compares the token with the one it saw last, and
 *     reloads the data when they differ.
 *
 * fcntl locks are per process and closing ANY fd of the file drops them, so a lock file must
 * only ever be opened through this module: lockfile_get() returns one shared object per
 * path per process. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

#define LOCKFILE_TOKEN_SIZE 64

typedef struct LockFile LockFile;

/* Returns the process-wide lock object for path (created on first use, the file and its
 * directory too, as containers/storage does). Caller releases it with lockfile_unref(). */
int lockfile_get(const char *path, LockFile **ret, CrioError *err);
/* Drops a reference. Accepts NULL. The lock must not be held by the caller. */
void lockfile_unref(LockFile *l);

const char *lockfile_path(const LockFile *l);

/* Takes the lock for reading (shared) or writing (exclusive), waiting as long as needed.
 * Not recursive: a thread must not take a lock it already holds. */
int lockfile_lock(LockFile *l, bool write, CrioError *err);
void lockfile_unlock(LockFile *l);

/* With the write lock held: records a new last-writer token in the file and copies it to
 * ret_token (may be NULL), so the caller knows its own write when it sees it. */
int lockfile_touch(LockFile *l, uint8_t ret_token[LOCKFILE_TOKEN_SIZE], CrioError *err);

/* With the lock held: reads the token, sets *ret_modified when it differs from last_seen
 * (or the file holds no full token), and stores it into last_seen. */
int lockfile_modified(LockFile *l, uint8_t last_seen[LOCKFILE_TOKEN_SIZE], bool *ret_modified, CrioError *err);

/* Fills token with a fresh token (as containers/storage's newLastWriterID does). */
void lockfile_new_token(uint8_t token[LOCKFILE_TOKEN_SIZE]);
