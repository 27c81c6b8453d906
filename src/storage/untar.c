#include "untar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "util/cleanup.h"
#include "util/rmrf.h"
#include "util/sha256.h"

#define IN_BUF_SIZE (128u * 1024u)
#define OUT_BUF_SIZE (128u * 1024u)
#define QUOTE_MAX 200u /* bytes of an untrusted name repeated in a message */

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"
#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"

/* libarchive's checks on top of ours. No ACLs or file flags; numeric ids only (no lookup). */
#define EXTRACT_FLAGS                                                                              \
        (ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |                       \
         ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |    \
         ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK)

static int close_fd(int fd) {
        if (fd >= 0)
                close(fd);
        return -1;
}

/* libarchive's OK and WARN go on; RETRY (a damaged header), FAILED and FATAL do not. */
static bool archive_good(int r) {
        return r == ARCHIVE_OK || r == ARCHIVE_WARN;
}

/* A C-style quoted copy of an untrusted string for messages (control bytes escaped, long
 * names cut); NULL when out of memory, which Q() turns into a placeholder. */
static char *quote(const char *s) {
        size_t n = strlen(s);
        bool cut = n > QUOTE_MAX;
        if (cut)
                n = QUOTE_MAX;
        char *q = malloc(n * 4 + 8);
        if (!q)
                return NULL;
        char *p = q;
        *p++ = '"';
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c == '"' || c == '\\') {
                        *p++ = '\\';
                        *p++ = (char) c;
                } else if (c < 0x20 || c == 0x7f)
                        p += sprintf(p, "\\x%02x", c);
                else
                        *p++ = (char) c;
        }
        if (cut)
                p = stpcpy(p, "...");
        stpcpy(p, "\"");
        return q;
}
#define Q(q) ((q) ? (q) : "\"?\"")

/* ---- The input: decompression and the diff digest ---------------------------------------- */

typedef enum Compression {
        COMPRESSION_NONE,
        COMPRESSION_GZIP,
        COMPRESSION_ZSTD,
} Compression;

typedef struct Source {
        UntarReadFn read_fn;
        void *userdata;
        uint8_t *in;
        size_t in_pos, in_len;
        bool in_eof;
        Compression compression;
        z_stream z;
        bool z_ready, z_member_end;
        ZSTD_DStream *zstd;
        bool zstd_frame_end;
        uint8_t *out;
        Sha256 *sha;
        uint64_t size, max_size;
        bool done;
        int r;         /* first failure; later reads repeat it */
        CrioError err; /* its message */
} Source;

static int source_fail(Source *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int source_fail(Source *s, int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        crio_error_setv(&s->err, code, fmt, ap);
        va_end(ap);
        if (s->r == 0)
                s->r = -code;
        return s->r;
}

/* Reads until at least want bytes are buffered or the input ends. */
static int source_fill(Source *s, size_t want) {
        if (s->in_pos > 0 && s->in_pos < s->in_len)
                memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
        s->in_len -= s->in_pos;
        s->in_pos = 0;
        while (s->in_len < want && !s->in_eof) {
                ssize_t n = s->read_fn(s->userdata, s->in + s->in_len, IN_BUF_SIZE - s->in_len);
                if (n == -EINTR || n == -EAGAIN)
                        continue;
                if (n < 0)
                        return source_fail(s, (int) -n, "reading layer data: %s", strerror((int) -n));
                if (n == 0)
                        s->in_eof = true;
                s->in_len += (size_t) n;
        }
        return 0;
}

static size_t source_avail(const Source *s) {
        return s->in_len - s->in_pos;
}

static int source_init(Source *s, UntarReadFn read_fn, void *userdata, uint64_t max_size) {
        *s = (Source){ .read_fn = read_fn, .userdata = userdata, .max_size = max_size };
        s->in = malloc(IN_BUF_SIZE);
        s->sha = sha256_new();
        if (!s->in || !s->sha)
                return source_fail(s, ENOMEM, "out of memory");
        int r = source_fill(s, 4);
        if (r < 0)
                return r;
        static const uint8_t gzip_magic[] = { 0x1f, 0x8b }, zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
        if (source_avail(s) >= 2 && memcmp(s->in, gzip_magic, 2) == 0)
                s->compression = COMPRESSION_GZIP;
        else if (source_avail(s) >= 4 && memcmp(s->in, zstd_magic, 4) == 0)
                s->compression = COMPRESSION_ZSTD;
        if (s->compression != COMPRESSION_NONE && !(s->out = malloc(OUT_BUF_SIZE)))
                return source_fail(s, ENOMEM, "out of memory");
        if (s->compression == COMPRESSION_GZIP) {
                if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
                        return source_fail(s, ENOMEM, "initialising gzip decompression");
                s->z_ready = true;
        } else if (s->compression == COMPRESSION_ZSTD) {
                if (!(s->zstd = ZSTD_createDStream()))
                        return source_fail(s, ENOMEM, "initialising zstd decompression");
        }
        return 0;
}

static void source_done(Source *s) {
        if (s->z_ready)
                inflateEnd(&s->z);
        ZSTD_freeDStream(s->zstd);
        sha256_free(s->sha);
        free(s->in);
        free(s->out);
        crio_error_clear(&s->err);
}

static ssize_t plain_next(Source *s, const void **ret) {
        if (source_avail(s) == 0) {
                int r = source_fill(s, 1);
                if (r < 0)
                        return r;
                if (source_avail(s) == 0)
                        return 0;
        }
        size_t n = source_avail(s);
        *ret = s->in + s->in_pos;
        s->in_pos = s->in_len;
        return (ssize_t) n;
}

/* gzip, with concatenated members as gzip(1) and Go's reader allow; trailing bytes that do
 * not start another member are an error. */
static ssize_t gzip_next(Source *s, const void **ret) {
        for (;;) {
                int r;
                if (source_avail(s) == 0) {
                        if ((r = source_fill(s, 1)) < 0)
                                return r;
                        if (source_avail(s) == 0) {
                                if (s->z_member_end)
                                        return 0;
                                return source_fail(s, EBADMSG, "gzip data is truncated");
                        }
                }
                if (s->z_member_end) {
                        inflateReset(&s->z);
                        s->z_member_end = false;
                }
                s->z.next_in = s->in + s->in_pos;
                s->z.avail_in = (uInt) source_avail(s);
                s->z.next_out = s->out;
                s->z.avail_out = OUT_BUF_SIZE;
                int zr = inflate(&s->z, Z_NO_FLUSH);
                s->in_pos = s->in_len - s->z.avail_in;
                size_t produced = OUT_BUF_SIZE - s->z.avail_out;
                if (zr == Z_STREAM_END)
                        s->z_member_end = true;
                else if (zr == Z_MEM_ERROR)
                        return source_fail(s, ENOMEM, "gzip decompression: out of memory");
                else if (zr != Z_OK && zr != Z_BUF_ERROR)
                        return source_fail(s, EBADMSG, "gzip data is corrupt: %s", s->z.msg ? s->z.msg : "error");
                if (produced > 0) {
                        *ret = s->out;
                        return (ssize_t) produced;
                }
        }
}

static ssize_t zstd_next(Source *s, const void **ret) {
        for (;;) {
                ZSTD_inBuffer in = { s->in + s->in_pos, source_avail(s), 0 };
                ZSTD_outBuffer out = { s->out, OUT_BUF_SIZE, 0 };
                size_t zr = ZSTD_decompressStream(s->zstd, &out, &in);
                s->in_pos += in.pos;
                if (ZSTD_isError(zr))
                        return source_fail(s, EBADMSG, "zstd data is corrupt: %s", ZSTD_getErrorName(zr));
                if (in.pos > 0 || out.pos > 0)
                        s->zstd_frame_end = zr == 0; /* with no input at a frame's end it asks for more */
                if (out.pos > 0) {
                        *ret = s->out;
                        return (ssize_t) out.pos;
                }
                if (source_avail(s) > 0) {
                        if (in.pos == 0)
                                return source_fail(s, EBADMSG, "zstd data is corrupt: no progress");
                        continue;
                }
                if (s->in_eof)
                        return s->zstd_frame_end ? 0 : source_fail(s, EBADMSG, "zstd data is truncated");
                int r = source_fill(s, 1);
                if (r < 0)
                        return r;
        }
}

/* The next chunk of the uncompressed tar stream, hashed and counted; 0 at the end. */
static ssize_t source_next(Source *s, const void **ret) {
        if (s->r < 0)
                return s->r;
        if (s->done)
                return 0;
        const void *p = NULL;
        ssize_t n;
        switch (s->compression) {
        case COMPRESSION_GZIP:
                n = gzip_next(s, &p);
                break;
        case COMPRESSION_ZSTD:
                n = zstd_next(s, &p);
                break;
        default:
                n = plain_next(s, &p);
                break;
        }
        if (n <= 0) {
                s->done = n == 0;
                return n;
        }
        if (s->max_size > 0 && s->size + (uint64_t) n > s->max_size)
                return source_fail(s, EFBIG, "uncompressed layer is larger than %" PRIu64 " bytes", s->max_size);
        sha256_update(s->sha, p, (size_t) n);
        s->size += (uint64_t) n;
        *ret = p;
        return n;
}

static la_ssize_t archive_read_cb(struct archive *a, void *userdata, const void **buf) {
        Source *s = userdata;
        ssize_t n = source_next(s, buf);
        if (n < 0) {
                archive_set_error(a, s->err.code ? s->err.code : EIO, "%s", s->err.msg ? s->err.msg : "read error");
                return -1;
        }
        return n;
}

/* ---- Names -------------------------------------------------------------------------------- */

int untar_normalize_name(const char *name, char **ret, CrioError *err) {
        size_t len = strlen(name);
        if (len == 0)
                return crio_error_set(err, EINVAL, "empty name");
        if (len > UNTAR_MAX_NAME_LEN)
                return crio_error_set(err, ENAMETOOLONG, "name is longer than %u bytes", UNTAR_MAX_NAME_LEN);
        if (name[0] == '/')
                return crio_error_set(err, EPERM, "path escapes the layer (absolute path)");
        _cleanup_free_ char *out = malloc(len + 2);
        if (!out)
                return crio_error_set(err, ENOMEM, "out of memory");
        char *o = out;
        for (const char *p = name; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return crio_error_set(err, EPERM, "path escapes the layer");
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (o != out)
                                *o++ = '/';
                        memcpy(o, p, n);
                        o += n;
                }
                p += n;
                p += strspn(p, "/");
        }
        if (o == out)
                *o++ = '.';
        *o = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

typedef enum EntryKind {
        ENTRY_PLAIN,
        ENTRY_WHITEOUT,      /* dir/.wh.name */
        ENTRY_OPAQUE,        /* dir/.wh..wh..opq */
        ENTRY_WHITEOUT_META, /* dir/.wh..wh.*: other aufs metadata, ignored */
} EntryKind;

/* Classifies a normalised name; ".wh." is allowed only in the last component. */
static int classify(const char *norm, EntryKind *ret, CrioError *err) {
        const char *base = strrchr(norm, '/');
        base = base ? base + 1 : norm;
        for (const char *p = norm; p < base; p += strcspn(p, "/") + 1)
                if (strncmp(p, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0)
                        return crio_error_set(err, EINVAL, "a whiteout name cannot be a directory");
        if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) != 0) {
                *ret = ENTRY_PLAIN;
                return 0;
        }
        if (strcmp(base, WHITEOUT_OPAQUE) == 0)
                *ret = ENTRY_OPAQUE;
        else if (strncmp(base, WHITEOUT_META_PREFIX, strlen(WHITEOUT_META_PREFIX)) == 0)
                *ret = ENTRY_WHITEOUT_META;
        else {
                const char *target = base + strlen(WHITEOUT_PREFIX);
                if (!*target || strcmp(target, ".") == 0 || strcmp(target, "..") == 0)
                        return crio_error_set(err, EINVAL, "invalid whiteout (it names no file)");
                *ret = ENTRY_WHITEOUT;
        }
        return 0;
}

/* ---- Extraction --------------------------------------------------------------------------- */

typedef enum PathKind {
        KIND_DIR = 1,
        KIND_SYMLINK = 2,
} PathKind;

typedef struct Extract {
        struct archive *in, *out;
        Source src;
        int root_fd;
        GHashTable *kinds; /* normalised path -> PathKind, for directories and symlinks made so far */
        uint64_t entries, max_entries;
        bool root_times_set;
        struct timespec root_times[2];
} Extract;

static PathKind kind_of(Extract *x, const char *path) {
        return (PathKind) GPOINTER_TO_INT(g_hash_table_lookup(x->kinds, path));
}

static void set_kind(Extract *x, const char *path, int kind) {
        if (kind == 0)
                g_hash_table_remove(x->kinds, path);
        else
                g_hash_table_insert(x->kinds, g_strdup(path), GINT_TO_POINTER(kind));
}

/* Fails if a proper prefix of path is a symlink the layer made. path is restored on return. */
static int check_prefixes(Extract *x, char *path, CrioError *err) {
        if (g_hash_table_size(x->kinds) == 0)
                return 0;
        for (char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
                *p = '\0';
                bool link = kind_of(x, path) == KIND_SYMLINK;
                _cleanup_free_ char *q = link ? quote(path) : NULL;
                *p = '/';
                if (link)
                        return crio_error_set(err, EPERM, "path goes through the symlink %s made earlier in the layer", Q(q));
        }
        return 0;
}

/* Opens the directory rel (normalised) under the layer root without following symlinks,
 * creating missing components (0755, like containers/storage). */
static int open_layer_dir(Extract *x, const char *rel, int *ret, CrioError *err) {
        _cleanup_close_ int cur = fcntl(x->root_fd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return crio_error_set_errno(err, errno, "dup");
        if (strcmp(rel, ".") != 0) {
                _cleanup_free_ char *copy = strdup(rel);
                if (!copy)
                        return crio_error_set(err, ENOMEM, "out of memory");
                char *save = NULL;
                for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                        int fd = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                        if (fd < 0 && errno == ENOENT) {
                                if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
                                        return crio_error_set_errno(err, errno, "creating directory");
                                fd = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                        }
                        if (fd < 0) {
                                _cleanup_free_ char *q = quote(c);
                                if (errno == ELOOP || errno == ENOTDIR)
                                        return crio_error_set(err, ENOTDIR, "parent %s is not a directory", Q(q));
                                return crio_error_set_errno(err, errno, "opening parent %s", Q(q));
                        }
                        close(cur);
                        cur = fd;
                }
        }
        set_kind(x, rel, KIND_DIR);
        *ret = TAKE_FD(cur);
        return 0;
}

/* "dir/.wh.name" -> a 0/0 character device "dir/name"; "dir/.wh..wh..opq" -> dir opaque. */
static int apply_whiteout(Extract *x, const char *norm, EntryKind kind, CrioError *err) {
        _cleanup_free_ char *parent = strdup(norm);
        if (!parent)
                return crio_error_set(err, ENOMEM, "out of memory");
        char *slash = strrchr(parent, '/');
        const char *base = norm + (slash ? (size_t) (slash - parent) + 1 : 0);
        if (slash)
                *slash = '\0';
        else
                strcpy(parent, ".");
        _cleanup_close_ int dfd = -1;
        int r = open_layer_dir(x, parent, &dfd, err);
        if (r < 0)
                return r;
        if (kind == ENTRY_OPAQUE) {
                if (fsetxattr(dfd, OVERLAY_OPAQUE_XATTR, "y", 1, 0) < 0)
                        return crio_error_set_errno(err, errno, "setting " OVERLAY_OPAQUE_XATTR);
                return 0;
        }
        const char *target = base + strlen(WHITEOUT_PREFIX);
        _cleanup_free_ char *path = strcmp(parent, ".") == 0 ? g_strdup(target) : g_strconcat(parent, "/", target, NULL);
        if (kind_of(x, path) == KIND_DIR)
                return crio_error_set(err, EEXIST, "whiteout replaces a directory made earlier in the layer");
        struct stat st;
        if (fstatat(dfd, target, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                /* The layer also has the file it whites out: the whiteout wins, as it came later. */
                r = rm_rf_at(dfd, target, err);
                if (r < 0)
                        return r;
        }
        if (mknodat(dfd, target, S_IFCHR | 0, makedev(0, 0)) < 0)
                return crio_error_set_errno(err, errno, "creating the whiteout device");
        set_kind(x, path, 0);
        return 0;
}

/* Keeps user.*, trusted.* and security.capability; drops other security.* and system.*
 * (ACLs are off); refuses the overlay driver's own attributes and oversized ones. */
static int filter_xattrs(struct archive_entry *e, CrioError *err) {
        int n = archive_entry_xattr_reset(e);
        if (n <= 0)
                return 0;
        if ((unsigned) n > UNTAR_MAX_XATTRS)
                return crio_error_set(err, E2BIG, "more than %u extended attributes", UNTAR_MAX_XATTRS);
        struct Xattr {
                const char *name;
                const void *value;
                size_t size;
        } keep[UNTAR_MAX_XATTRS];
        size_t n_keep = 0;
        bool dropped = false;
        const char *name;
        const void *value;
        size_t size;
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                _cleanup_free_ char *q = quote(name);
                if (strlen(name) > UNTAR_MAX_XATTR_NAME)
                        return crio_error_set(err, ENAMETOOLONG, "extended attribute name %s is longer than %u bytes",
                                              Q(q), UNTAR_MAX_XATTR_NAME);
                if (size > UNTAR_MAX_XATTR_VALUE)
                        return crio_error_set(err, E2BIG, "extended attribute %s is larger than %u bytes", Q(q),
                                              UNTAR_MAX_XATTR_VALUE);
                if (g_str_has_prefix(name, "trusted.overlay.") || g_str_has_prefix(name, "user.overlay."))
                        return crio_error_set(err, EPERM, "extended attribute %s is reserved for the overlay driver", Q(q));
                if ((g_str_has_prefix(name, "user.") || g_str_has_prefix(name, "trusted.") ||
                     strcmp(name, "security.capability") == 0) && n_keep < UNTAR_MAX_XATTRS)
                        keep[n_keep++] = (struct Xattr){ name, value, size };
                else
                        dropped = true;
        }
        if (!dropped)
                return 0;
        /* The kept pointers belong to e: copy them before clearing. */
        GPtrArray *copies = g_ptr_array_new_with_free_func(g_free);
        for (size_t i = 0; i < n_keep; i++) {
                g_ptr_array_add(copies, g_strdup(keep[i].name));
                g_ptr_array_add(copies, g_memdup2(keep[i].value, keep[i].size));
        }
        archive_entry_xattr_clear(e);
        for (size_t i = 0; i < n_keep; i++)
                archive_entry_xattr_add_entry(e, copies->pdata[2 * i], copies->pdata[2 * i + 1], keep[i].size);
        g_ptr_array_unref(copies);
        return 0;
}

/* A read failure: the source's message (bad compression, input error) or libarchive's. */
static int read_failure(Extract *x, const char *what, CrioError *err) {
        if (x->src.r < 0)
                return crio_error_set(err, x->src.err.code, "%s: %s", what, x->src.err.msg ? x->src.err.msg : "read error");
        int code = archive_errno(x->in);
        return crio_error_set(err, code > 0 ? code : EBADMSG, "%s: %s", what,
                              archive_error_string(x->in) ? archive_error_string(x->in) : "invalid tar data");
}

static int copy_data(Extract *x, CrioError *err) {
        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t offset;
                int r = archive_read_data_block(x->in, &buf, &size, &offset);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (!archive_good(r))
                        return read_failure(x, "reading data", err);
                if (!archive_good(archive_write_data_block(x->out, buf, size, offset)))
                        return crio_error_set(err, archive_errno(x->out) > 0 ? archive_errno(x->out) : EIO,
                                              "writing data: %s", archive_error_string(x->out));
        }
}

/* Checks a hardlink target like a name, rewrites it normalised, returns its kind. */
static int check_hardlink(Extract *x, struct archive_entry *e, const char *hl, PathKind *ret, CrioError *err) {
        _cleanup_free_ char *norm = NULL;
        int r = untar_normalize_name(hl, &norm, err);
        if (r < 0)
                return crio_error_prefix(err, "hardlink target: ");
        EntryKind kind;
        if ((r = classify(norm, &kind, err)) < 0)
                return crio_error_prefix(err, "hardlink target: ");
        if (kind != ENTRY_PLAIN || strcmp(norm, ".") == 0)
                return crio_error_set(err, EINVAL, "hardlink target is a whiteout or the layer root");
        if ((r = check_prefixes(x, norm, err)) < 0)
                return crio_error_prefix(err, "hardlink target: ");
        *ret = kind_of(x, norm);
        archive_entry_copy_hardlink(e, norm);
        return 0;
}

static int extract_plain(Extract *x, struct archive_entry *e, const char *norm, CrioError *err) {
        mode_t type = archive_entry_filetype(e);
        const char *hl = archive_entry_hardlink(e);
        PathKind kind = 0;
        int r;
        if (hl) {
                if ((r = check_hardlink(x, e, hl, &kind, err)) < 0)
                        return r;
                /* Like Go's archive/tar users: a hardlink's data, if any, is not written
                 * (libarchive would open the target for writing, and it may be a fifo). */
                archive_entry_set_size(e, 0);
        } else {
                switch (type) {
                case AE_IFDIR:
                        kind = KIND_DIR;
                        break;
                case AE_IFLNK:
                        kind = KIND_SYMLINK;
                        break;
                case AE_IFREG:
                        break;
                case AE_IFCHR:
                case AE_IFBLK:
                case AE_IFIFO:
                        archive_entry_set_size(e, 0);
                        break;
                default:
                        return crio_error_set(err, EINVAL, "unsupported entry type 0%o", (unsigned) type);
                }
        }
        if (strcmp(norm, ".") == 0) {
                if (hl || type != AE_IFDIR)
                        return crio_error_set(err, EINVAL, "the layer root must be a directory");
                if (archive_entry_mtime_is_set(e)) {
                        x->root_times_set = true;
                        x->root_times[0] = (struct timespec){ .tv_nsec = UTIME_OMIT };
                        if (archive_entry_atime_is_set(e))
                                x->root_times[0] = (struct timespec){ archive_entry_atime(e), archive_entry_atime_nsec(e) };
                        x->root_times[1] = (struct timespec){ archive_entry_mtime(e), archive_entry_mtime_nsec(e) };
                }
        }
        if (kind != KIND_DIR && kind_of(x, norm) == KIND_DIR)
                return crio_error_set(err, EEXIST, "replaces a directory made earlier in the layer");
        if ((r = filter_xattrs(e, err)) < 0)
                return r;

        archive_entry_copy_pathname(e, norm);
        r = archive_write_header(x->out, e);
        if (!archive_good(r))
                return crio_error_set(err, archive_errno(x->out) > 0 ? archive_errno(x->out) : EIO, "%s",
                                      archive_error_string(x->out));
        if (!hl && type == AE_IFREG && (r = copy_data(x, err)) < 0)
                return r;
        if (!archive_good(archive_write_finish_entry(x->out)))
                return crio_error_set(err, archive_errno(x->out) > 0 ? archive_errno(x->out) : EIO, "%s",
                                      archive_error_string(x->out));
        if (strcmp(norm, ".") != 0)
                set_kind(x, norm, kind);
        return 0;
}

static int extract_entry(Extract *x, struct archive_entry *e, CrioError *err) {
        const char *raw = archive_entry_pathname(e);
        if (!raw)
                return crio_error_set(err, EINVAL, "layer entry %" PRIu64 " has no name", x->entries);
        _cleanup_free_ char *q = quote(raw);
        _cleanup_(crio_error_clear) CrioError why = {};
        _cleanup_free_ char *norm = NULL;
        EntryKind kind = ENTRY_PLAIN;
        int r = untar_normalize_name(raw, &norm, &why);
        if (r >= 0)
                r = classify(norm, &kind, &why);
        if (r >= 0)
                r = check_prefixes(x, norm, &why);
        if (r >= 0) {
                switch (kind) {
                case ENTRY_WHITEOUT_META:
                        break;
                case ENTRY_WHITEOUT:
                case ENTRY_OPAQUE:
                        r = apply_whiteout(x, norm, kind, &why);
                        break;
                default:
                        r = extract_plain(x, e, norm, &why);
                        break;
                }
        }
        if (r < 0)
                return crio_error_set(err, why.code ? why.code : -r, "layer entry %s: %s", Q(q), why.msg ? why.msg : strerror(-r));
        return 0;
}

static int extract_all(Extract *x, CrioError *err) {
        x->in = archive_read_new();
        x->out = archive_write_disk_new();
        if (!x->in || !x->out)
                return crio_error_set(err, ENOMEM, "out of memory");
        archive_read_support_format_tar(x->in);
        archive_read_support_format_empty(x->in);
        if (archive_read_open(x->in, &x->src, NULL, archive_read_cb, NULL) != ARCHIVE_OK)
                return read_failure(x, "reading layer", err);
        archive_write_disk_set_options(x->out, EXTRACT_FLAGS);

        for (;;) {
                struct archive_entry *e;
                int r = archive_read_next_header(x->in, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (!archive_good(r)) {
                        _cleanup_free_ char *what = g_strdup_printf("reading layer (after %" PRIu64 " entries)", x->entries);
                        return read_failure(x, what, err);
                }
                if (++x->entries > x->max_entries)
                        return crio_error_set(err, E2BIG, "layer has more than %" PRIu64 " entries", x->max_entries);
                if ((r = extract_entry(x, e, err)) < 0)
                        return r;
        }
        if (archive_write_close(x->out) != ARCHIVE_OK)
                return crio_error_set(err, archive_errno(x->out) > 0 ? archive_errno(x->out) : EIO,
                                      "finishing layer: %s", archive_error_string(x->out));
        if (x->root_times_set && futimens(x->root_fd, x->root_times) < 0)
                return crio_error_set_errno(err, errno, "setting the layer root's times");

        /* The diff digest covers the whole stream, also what follows the end-of-archive blocks. */
        const void *p;
        ssize_t n;
        while ((n = source_next(&x->src, &p)) > 0)
                ;
        if (n < 0)
                return read_failure(x, "reading layer", err);
        return 0;
}

static int extract_in_cwd(UntarReadFn read_fn, void *userdata, int root_fd, const UntarOptions *opts,
                          UntarResult *ret, CrioError *err) {
        Extract x = {
                .root_fd = root_fd,
                .max_entries = opts->max_entries ? opts->max_entries : UNTAR_MAX_ENTRIES,
                .kinds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        };
        int r = source_init(&x.src, read_fn, userdata, opts->max_diff_size);
        if (r < 0)
                crio_error_set(err, x.src.err.code, "reading layer: %s", x.src.err.msg ? x.src.err.msg : "error");
        else
                r = extract_all(&x, err);
        if (r >= 0) {
                UntarResult res = { .diff_size = x.src.size, .entries = x.entries };
                sha256_finish(x.src.sha, res.diff_digest);
                *ret = res;
        }
        if (x.in)
                archive_read_free(x.in);
        if (x.out)
                archive_write_free(x.out); /* closes too: runs pending fixups */
        source_done(&x.src);
        g_hash_table_unref(x.kinds);
        return r;
}

int untar_extract(UntarReadFn read_fn, void *userdata, const char *target_dir, const UntarOptions *opts,
                  UntarResult *ret, CrioError *err) {
        static const UntarOptions defaults = {};
        if (!opts)
                opts = &defaults;
        _cleanup_close_ int root_fd = open(target_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
        if (root_fd < 0)
                return crio_error_set_errno(err, errno, "opening layer target %s", target_dir);
        _cleanup_close_ int old_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (old_cwd < 0)
                return crio_error_set_errno(err, errno, "opening the working directory");
        if (fchdir(root_fd) < 0)
                return crio_error_set_errno(err, errno, "entering %s", target_dir);
        _cleanup_close_ int old_root = -1;
        if (opts->try_chroot) {
                old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (old_root < 0)
                        return crio_error_set_errno(err, errno, "opening /");
                if (chroot(".") < 0) {
                        if (errno != EPERM)
                                return crio_error_set_errno(err, errno, "chroot into %s", target_dir);
                        old_root = close_fd(old_root);
                }
        }
        /* With ARCHIVE_EXTRACT_PERM entries keep their exact modes; the umask only shapes the
         * parents created implicitly (0755, as containers/storage makes them). */
        mode_t old_umask = umask(022);
        int r = extract_in_cwd(read_fn, userdata, root_fd, opts, ret, err);
        umask(old_umask);
        /* Leave the chroot (it confined name resolution during extraction; the process needs
         * its root back, e.g. for LeakSanitizer's /proc reads at exit). */
        if (old_root >= 0 && (fchdir(old_root) < 0 || chroot(".") < 0))
                return crio_error_set_errno(err, errno, "leaving the chroot");
        if (fchdir(old_cwd) < 0 && r >= 0)
                return crio_error_set_errno(err, errno, "returning to the working directory");
        return r;
}

/* ---- The helper's result record ----------------------------------------------------------- */

int untar_report_format(int r, const UntarResult *res, const CrioError *e, char **ret) {
        char *line = NULL;
        int n;
        if (r >= 0)
                n = asprintf(&line, "ok %s %" PRIu64 " %" PRIu64 "\n", res->diff_digest, res->diff_size, res->entries);
        else {
                const char *msg = e && e->msg ? e->msg : strerror(-r);
                size_t len = strnlen(msg, UNTAR_REPORT_MAX - 64);
                _cleanup_free_ char *clean = strndup(msg, len);
                if (!clean)
                        return -ENOMEM;
                for (char *p = clean; *p; p++)
                        if ((unsigned char) *p < 0x20 || *p == 0x7f)
                                *p = '?';
                n = asprintf(&line, "error %d %s\n", -r, clean);
        }
        if (n < 0)
                return -ENOMEM;
        *ret = line;
        return 0;
}

static bool parse_u64(const char *s, const char *end, uint64_t *ret) {
        uint64_t v = 0;
        if (s == end || end - s > 20)
                return false;
        for (const char *p = s; p < end; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                uint64_t d = (uint64_t) (*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}

int untar_report_parse(const char *buf, size_t len, UntarResult *ret, CrioError *err) {
        if (len == 0 || len > UNTAR_REPORT_MAX || buf[len - 1] != '\n' || memchr(buf, '\n', len) != buf + len - 1 ||
            memchr(buf, '\0', len))
                return crio_error_set(err, EPROTO, "malformed result from crio-untar");
        _cleanup_free_ char *line = strndup(buf, len - 1);
        if (!line)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (strncmp(line, "error ", 6) == 0) {
                char *msg = strchr(line + 6, ' ');
                uint64_t code;
                if (!msg || !parse_u64(line + 6, msg, &code) || code == 0 || code > 4095)
                        return crio_error_set(err, EPROTO, "malformed error from crio-untar");
                return crio_error_set(err, (int) code, "%s", msg + 1);
        }
        if (strncmp(line, "ok ", 3) != 0)
                return crio_error_set(err, EPROTO, "malformed result from crio-untar");
        const char *digest = line + 3;
        char *sp1 = strchr(digest, ' ');
        char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        UntarResult res = {};
        if (!sp1 || !sp2 || (size_t) (sp1 - digest) != UNTAR_DIGEST_LEN || strncmp(digest, "sha256:", 7) != 0 ||
            strspn(digest + 7, "0123456789abcdef") != 64 || !parse_u64(sp1 + 1, sp2, &res.diff_size) ||
            !parse_u64(sp2 + 1, sp2 + 1 + strlen(sp2 + 1), &res.entries))
                return crio_error_set(err, EPROTO, "malformed result from crio-untar");
        memcpy(res.diff_digest, digest, UNTAR_DIGEST_LEN);
        res.diff_digest[UNTAR_DIGEST_LEN] = '\0';
        *ret = res;
        return 0;
}
