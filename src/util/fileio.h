/* Whole-file reads and durable writes. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Reads at most max_size bytes of path into a NUL-terminated buffer (caller frees *ret).
 * A file larger than max_size fails with -EFBIG. path "-" or "/dev/stdin" reads stdin. */
int read_file(const char *path, size_t max_size, char **ret, size_t *ret_len, CrioError *err);
/* Writes data to path atomically: temp file in the same directory, fsync, rename, fsync dir. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, CrioError *err);
/* The same without the fsyncs: readers never see a partial file, but the file may be lost or
 * empty after a power failure. For files that mean nothing once the machine restarts (a
 * bundle's config.json, a pid file, a pod's resolv.conf): each fsync costs milliseconds on
 * the container start path. */
int write_file_replace(const char *path, const void *data, size_t len, mode_t mode, CrioError *err);
/* mkdir -p with mode for the created components. */
int mkdir_p(const char *path, mode_t mode, CrioError *err);
