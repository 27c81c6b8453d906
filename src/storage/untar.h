/* The layer extraction engine: an image layer (tar, or gzip/zstd-compressed tar) applied to
 * an empty directory, with OCI whiteouts turned into overlay whiteouts.
 *
 * libarchive resolves names against the process cwd and sets the umask, both process-wide,
 * so this runs in its own single-threaded process: the crio-untar helper that layer_apply()
 * spawns (or the fuzz target). It is not for use inside the daemon.
 *
 * Safety: every entry name and hardlink target is normalised and checked here (no absolute
 * paths, no ".." components, no path through a symlink the layer created, no directory
 * replaced by a non-directory, no ".wh." directory), then libarchive's SECURE_* checks
 * apply; whiteouts are made with openat(O_NOFOLLOW) walks from the layer root. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* Named limits on untrusted input. */
#define UNTAR_MAX_ENTRIES 1000000u   /* tar headers in one layer */
#define UNTAR_MAX_NAME_LEN 4095u     /* bytes in an entry name or hardlink target */
#define UNTAR_MAX_XATTRS 128u        /* extended attributes on one entry */
#define UNTAR_MAX_XATTR_NAME 255u    /* bytes in an xattr name (XATTR_NAME_MAX) */
#define UNTAR_MAX_XATTR_VALUE 65536u /* bytes in an xattr value (XATTR_SIZE_MAX) */
#define UNTAR_REPORT_MAX 16384u      /* bytes in the helper's result record */

#define UNTAR_DIGEST_LEN (sizeof("sha256:") - 1 + 64)

/* Reads up to size bytes of the (possibly compressed) layer. Returns the count, 0 at the
 * end, or a negative errno. */
typedef ssize_t (*UntarReadFn)(void *userdata, void *buf, size_t size);

typedef struct UntarOptions {
        /* chroot into the target while extracting, so that no name can resolve outside it
         * (needs CAP_SYS_CHROOT; chdir only when not permitted). The root is restored after. */
        bool try_chroot;
        uint64_t max_diff_size; /* uncompressed bytes; 0: no limit */
        uint64_t max_entries;   /* 0: UNTAR_MAX_ENTRIES */
} UntarOptions;

typedef struct UntarResult {
        char diff_digest[UNTAR_DIGEST_LEN + 1]; /* "sha256:<hex>" of the uncompressed tar stream */
        uint64_t diff_size;                     /* its length in bytes */
        uint64_t entries;                       /* tar headers read */
} UntarResult;

/* Extracts the layer read through read_fn into target_dir (which should be empty).
 * Detects gzip (1f 8b) and zstd (28 b5 2f fd) by their magic, else reads plain tar.
 * The whole input is read, also past the end-of-archive blocks, and hashed.
 * The cwd, root and umask are restored before returning.
 * On failure the target holds whatever was extracted so far (the caller removes it). */
int untar_extract(UntarReadFn read_fn, void *userdata, const char *target_dir, const UntarOptions *opts,
                  UntarResult *ret, CrioError *err);

/* Normalises an entry name: "./a//b/" -> "a/b", "./" -> ".". Fails on an absolute name,
 * a ".." component or a name over UNTAR_MAX_NAME_LEN, with a message that does not repeat
 * the name. *ret is malloc'd (caller frees). */
int untar_normalize_name(const char *name, char **ret, CrioError *err);

/* The helper's result record, one line on its stdout:
 *   "ok sha256:<hex> <diff_size> <entries>\n"  or  "error <errno> <message>\n".
 * untar_report_format() returns a malloc'd line (caller frees) for the outcome r/res/e.
 * untar_report_parse() returns 0 and fills *ret for an "ok" record; for an "error" record it
 * returns the negative errno with the helper's message in err; -EPROTO if malformed. */
int untar_report_format(int r, const UntarResult *res, const CrioError *e, char **ret);
int untar_report_parse(const char *buf, size_t len, UntarResult *ret, CrioError *err);
