/* Layer application: the crio-untar helper driven through layer_apply(), with tar data made
 * here by libarchive's writer (plain, gzip, zstd), digests checked against GChecksum and
 * sha256sum, hostile layers checked to leave nothing outside a sandbox, and an overlay mount
 * checked to honour the whiteouts we write. Needs root (ownership, devices, trusted.*). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <zlib.h>
#include <zstd.h>

#include "storage/layer-apply.h"
#include "storage/untar.h"
#include "test.h"
#include "util/cleanup.h"
#include "util/rmrf.h"

#define MTIME 1234567890

/* ---- building layers ---------------------------------------------------------------------- */

typedef struct Ent {
        const char *name;
        mode_t mode; /* type and permissions; 0 means S_IFREG|0644 */
        const char *data; /* contents, or the symlink target */
        const char *hardlink;
        uid_t uid;
        gid_t gid;
        time_t mtime;
        dev_t rdev;
        const char *xattr[3][2];
        const void *bin_xattr_value;
        const char *bin_xattr_name;
        size_t bin_xattr_size;
        bool sparse; /* 8 MiB with 4 KiB of 'a' at 0 and 4 KiB of 'b' at 4 MiB */
} Ent;

#define SPARSE_SIZE (8u << 20)

static la_ssize_t mem_write(struct archive *a, void *ud, const void *buf, size_t n) {
        (void) a;
        g_byte_array_append(ud, buf, (guint) n);
        return (la_ssize_t) n;
}

static struct archive *tar_new(GByteArray *out) {
        struct archive *a = archive_write_new();
        ASSERT_TRUE(a);
        ASSERT_EQ_INT(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        ASSERT_EQ_INT(archive_write_open(a, out, NULL, mem_write, NULL), ARCHIVE_OK);
        return a;
}

static void tar_add(struct archive *a, const Ent *x) {
        struct archive_entry *e = archive_entry_new();
        mode_t mode = x->mode ? x->mode : (S_IFREG | 0644);
        archive_entry_copy_pathname(e, x->name);
        archive_entry_set_mode(e, mode);
        archive_entry_set_uid(e, x->uid);
        archive_entry_set_gid(e, x->gid);
        archive_entry_set_mtime(e, x->mtime ? x->mtime : MTIME, 0);
        if (x->hardlink)
                archive_entry_copy_hardlink(e, x->hardlink);
        if (S_ISLNK(mode))
                archive_entry_copy_symlink(e, x->data);
        if (S_ISCHR(mode) || S_ISBLK(mode))
                archive_entry_set_rdev(e, x->rdev);
        for (int i = 0; i < 3 && x->xattr[i][0]; i++)
                archive_entry_xattr_add_entry(e, x->xattr[i][0], x->xattr[i][1], strlen(x->xattr[i][1]));
        if (x->bin_xattr_name)
                archive_entry_xattr_add_entry(e, x->bin_xattr_name, x->bin_xattr_value, x->bin_xattr_size);
        _cleanup_free_ char *sparse = NULL;
        size_t size = 0;
        const char *data = NULL;
        if (x->sparse) {
                sparse = calloc(1, SPARSE_SIZE);
                memset(sparse, 'a', 4096);
                memset(sparse + SPARSE_SIZE / 2, 'b', 4096);
                archive_entry_set_size(e, SPARSE_SIZE); /* before the map: it is checked against the size */
                archive_entry_sparse_add_entry(e, 0, 4096);
                archive_entry_sparse_add_entry(e, SPARSE_SIZE / 2, 4096);
                size = SPARSE_SIZE;
                data = sparse;
        } else if (S_ISREG(mode) && !x->hardlink && x->data) {
                size = strlen(x->data);
                data = x->data;
        }
        archive_entry_set_size(e, (la_int64_t) size);
        if (archive_write_header(a, e) < ARCHIVE_WARN)
                test_fail(__FILE__, __LINE__, "writing %s: %s", x->name, archive_error_string(a));
        if (size)
                ASSERT_EQ_INT(archive_write_data(a, data, size), (long long) size);
        archive_entry_free(e);
}

/* A plain tar of the entries. */
static GByteArray *make_tar(const Ent *ents, size_t n) {
        GByteArray *out = g_byte_array_new();
        struct archive *a = tar_new(out);
        for (size_t i = 0; i < n; i++)
                tar_add(a, &ents[i]);
        ASSERT_EQ_INT(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        return out;
}
#define MAKE_TAR(...) make_tar((const Ent[]){ __VA_ARGS__ }, sizeof((const Ent[]){ __VA_ARGS__ }) / sizeof(Ent))

static GByteArray *gzip_bytes(const GByteArray *in) {
        z_stream z = {};
        ASSERT_EQ_INT(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
        GByteArray *out = g_byte_array_sized_new(in->len / 2 + 64);
        g_byte_array_set_size(out, (guint) deflateBound(&z, in->len));
        z.next_in = in->data;
        z.avail_in = in->len;
        z.next_out = out->data;
        z.avail_out = out->len;
        ASSERT_EQ_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
        g_byte_array_set_size(out, (guint) z.total_out);
        deflateEnd(&z);
        return out;
}

static GByteArray *zstd_bytes(const GByteArray *in) {
        GByteArray *out = g_byte_array_new();
        g_byte_array_set_size(out, (guint) ZSTD_compressBound(in->len));
        size_t n = ZSTD_compress(out->data, out->len, in->data, in->len, 3);
        ASSERT_TRUE(!ZSTD_isError(n));
        g_byte_array_set_size(out, (guint) n);
        return out;
}

static char *sha256_of(const GByteArray *b) {
        GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
        g_checksum_update(c, b->data, b->len);
        char *s = g_strconcat("sha256:", g_checksum_get_string(c), NULL);
        g_checksum_free(c);
        return s;
}

/* ---- running layer_apply ------------------------------------------------------------------ */

static const char *helper_path(void) {
        static char path[4096];
        const char *dir = getenv("CRIO_BUILDDIR");
        snprintf(path, sizeof(path), "%s/crio-untar", dir && *dir ? dir : "build");
        return path;
}

static void require_root_and_helper(void) {
        if (geteuid() != 0)
                test_skip("needs root (ownership, device nodes, trusted.* xattrs)");
        if (access(helper_path(), X_OK) < 0)
                test_skip("crio-untar is not built (make build/crio-untar)");
}

/* A sandbox: SANDBOX/a/b/root is the target, so that "../../x" would land in the sandbox. */
typedef struct Sandbox {
        char dir[64];
        char *target;
} Sandbox;

static void sandbox_new(Sandbox *s) {
        strcpy(s->dir, "/tmp/crio-test-layer.XXXXXX");
        ASSERT_TRUE(mkdtemp(s->dir) != NULL);
        s->target = g_strconcat(s->dir, "/a/b/root", NULL);
        _cleanup_free_ char *a = g_strconcat(s->dir, "/a", NULL), *b = g_strconcat(s->dir, "/a/b", NULL);
        ASSERT_OK(mkdir(a, 0755));
        ASSERT_OK(mkdir(b, 0755));
        ASSERT_OK(mkdir(s->target, 0755));
}

static void sandbox_done(Sandbox *s) {
        CrioError err = {};
        if (rm_rf(s->dir, &err) < 0)
                test_fail(__FILE__, __LINE__, "cleaning the sandbox: %s", err.msg);
        free(s->target);
}

static int count_entries(const char *dir) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        ASSERT_TRUE(d);
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        n++;
        return n;
}

/* Nothing but a/b/root exists in the sandbox. */
static void assert_sandbox_clean(const Sandbox *s) {
        _cleanup_free_ char *a = g_strconcat(s->dir, "/a", NULL), *b = g_strconcat(s->dir, "/a/b", NULL);
        ASSERT_EQ_INT(count_entries(s->dir), 1);
        ASSERT_EQ_INT(count_entries(a), 1);
        ASSERT_EQ_INT(count_entries(b), 1);
        struct stat st;
        ASSERT_OK(lstat(s->target, &st));
        ASSERT_TRUE(S_ISDIR(st.st_mode));
}

/* Feeds data through a pipe written by a child process, as a download would. */
static int apply_bytes(const GByteArray *data, const char *target, const LayerApplyOptions *o, LayerApplyResult *res,
                       CrioError *err) {
        int p[2];
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                signal(SIGPIPE, SIG_IGN);
                size_t off = 0;
                while (off < data->len) {
                        ssize_t n = write(p[1], data->data + off, data->len - off);
                        if (n <= 0)
                                _exit(0);
                        off += (size_t) n;
                }
                _exit(0);
        }
        close(p[1]);
        LayerApplyOptions def = { .helper_path = helper_path() };
        if (!o)
                o = &def;
        int r = layer_apply(p[0], target, o, res, err);
        close(p[0]);
        waitpid(pid, NULL, 0);
        return r;
}

static void assert_no_whiteout_files(const char *dir) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        ASSERT_TRUE(d);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (strncmp(de->d_name, ".wh.", 4) == 0)
                        test_fail(__FILE__, __LINE__, "%s/%s exists", dir, de->d_name);
                if (de->d_type == DT_DIR) {
                        _cleanup_free_ char *sub = g_strconcat(dir, "/", de->d_name, NULL);
                        assert_no_whiteout_files(sub);
                }
        }
}

static char *path_in(const char *dir, const char *rel) {
        return g_strconcat(dir, "/", rel, NULL);
}

static void write_in(const char *dir, const char *rel, const char *data) {
        _cleanup_free_ char *p = path_in(dir, rel);
        ASSERT_TRUE(g_file_set_contents(p, data, -1, NULL));
}

static void assert_file(const char *dir, const char *rel, const char *content) {
        _cleanup_free_ char *p = path_in(dir, rel), *buf = NULL;
        gsize len = 0;
        ASSERT_TRUE(g_file_get_contents(p, &buf, &len, NULL));
        ASSERT_EQ_STR(buf, content);
}

static void lstat_in(const char *dir, const char *rel, struct stat *st) {
        _cleanup_free_ char *p = path_in(dir, rel);
        if (lstat(p, st) < 0)
                test_fail(__FILE__, __LINE__, "lstat %s: %s", p, strerror(errno));
}

static bool exists_in(const char *dir, const char *rel) {
        _cleanup_free_ char *p = path_in(dir, rel);
        struct stat st;
        return lstat(p, &st) == 0;
}

/* ---- the full layer ----------------------------------------------------------------------- */

/* security.capability v2: cap_net_bind_service in the permitted and effective sets. */
static const uint8_t CAP_NET_BIND[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00 };

static GByteArray *full_layer(void) {
        return MAKE_TAR(
                { .name = "./", .mode = S_IFDIR | 0755, .mtime = 1111111111 },
                { .name = "etc/", .mode = S_IFDIR | 0755 },
                { .name = "etc/hello", .data = "hello\n", .uid = 1000, .gid = 1000 },
                { .name = "./etc//link", .mode = S_IFLNK | 0777, .data = "hello" },
                { .name = "abs-link", .mode = S_IFLNK | 0777, .data = "/etc/passwd" },
                { .name = "etc/hard", .hardlink = "./etc/hello" },
                { .name = "bin/su", .mode = S_IFREG | 04755, .data = "#!/bin/true\n" },
                { .name = "bin/sgid", .mode = S_IFREG | 02711, .data = "x", .gid = 42 },
                { .name = "bin/ping", .mode = S_IFREG | 0755, .data = "ping",
                  .bin_xattr_name = "security.capability", .bin_xattr_value = CAP_NET_BIND, .bin_xattr_size = 20 },
                { .name = "dev/null", .mode = S_IFCHR | 0666, .rdev = makedev(1, 3) },
                { .name = "dev/loop9", .mode = S_IFBLK | 0660, .rdev = makedev(7, 9), .gid = 6 },
                { .name = "fifo", .mode = S_IFIFO | 0600 },
                { .name = "xattrs", .data = "x",
                  .xattr = { { "user.foo", "bar" }, { "trusted.crio", "baz" }, { "security.selinux", "dropped" } } },
                { .name = "sparse", .sparse = true },
                { .name = "private/", .mode = S_IFDIR | 0700, .mtime = 1000000000 },
                { .name = "private/f", .data = "secret", .mode = S_IFREG | 0600 },
                { .name = "sticky/", .mode = S_IFDIR | 01777 },
                { .name = "etc/gone", .data = "also in the layer before its whiteout" },
                { .name = "etc/.wh.gone" },
                { .name = "etc/.wh.never-there", .uid = 1000, .mode = S_IFREG | 0777 },
                { .name = "opq/", .mode = S_IFDIR | 0750 },
                { .name = "opq/.wh..wh..opq" },
                { .name = "opq/keep", .data = "kept" },
                { .name = ".wh..wh.plnk" },
                { .name = "new/sub/.wh.x" },
                { .name = "new-opq/.wh..wh..opq" }, );
}

static void check_full_layer(const char *t) {
        struct stat st;
        lstat_in(t, ".", &st);
        ASSERT_EQ_INT(st.st_mode & 07777, 0755);
        ASSERT_EQ_INT(st.st_mtim.tv_sec, 1111111111);

        assert_file(t, "etc/hello", "hello\n");
        lstat_in(t, "etc/hello", &st);
        ASSERT_EQ_INT(st.st_uid, 1000);
        ASSERT_EQ_INT(st.st_gid, 1000);
        ASSERT_EQ_INT(st.st_mode & 07777, 0644);
        ASSERT_EQ_INT(st.st_mtim.tv_sec, MTIME);
        ASSERT_EQ_INT(st.st_nlink, 2);
        struct stat hard;
        lstat_in(t, "etc/hard", &hard);
        ASSERT_EQ_INT(hard.st_ino, st.st_ino);

        char buf[64] = "";
        _cleanup_free_ char *lp = path_in(t, "etc/link"), *ap = path_in(t, "abs-link");
        ASSERT_EQ_INT(readlink(lp, buf, sizeof(buf) - 1), 5);
        ASSERT_EQ_STR(buf, "hello");
        memset(buf, 0, sizeof(buf));
        ASSERT_EQ_INT(readlink(ap, buf, sizeof(buf) - 1), 11);
        ASSERT_EQ_STR(buf, "/etc/passwd");
        lstat_in(t, "etc/link", &st);
        ASSERT_EQ_INT(st.st_mtim.tv_sec, MTIME);

        lstat_in(t, "bin/su", &st);
        ASSERT_EQ_INT(st.st_mode & 07777, 04755);
        lstat_in(t, "bin/sgid", &st);
        ASSERT_EQ_INT(st.st_mode & 07777, 02711);
        ASSERT_EQ_INT(st.st_gid, 42);
        _cleanup_free_ char *ping = path_in(t, "bin/ping");
        uint8_t cap[64];
        ASSERT_EQ_INT(lgetxattr(ping, "security.capability", cap, sizeof(cap)), 20);
        ASSERT_TRUE(memcmp(cap, CAP_NET_BIND, 20) == 0);

        lstat_in(t, "dev/null", &st);
        ASSERT_TRUE(S_ISCHR(st.st_mode));
        ASSERT_EQ_INT(major(st.st_rdev), 1);
        ASSERT_EQ_INT(minor(st.st_rdev), 3);
        ASSERT_EQ_INT(st.st_mode & 07777, 0666);
        lstat_in(t, "dev/loop9", &st);
        ASSERT_TRUE(S_ISBLK(st.st_mode));
        ASSERT_EQ_INT(st.st_rdev, makedev(7, 9));
        ASSERT_EQ_INT(st.st_gid, 6);
        lstat_in(t, "fifo", &st);
        ASSERT_TRUE(S_ISFIFO(st.st_mode));
        ASSERT_EQ_INT(st.st_mode & 07777, 0600);

        _cleanup_free_ char *xp = path_in(t, "xattrs");
        char v[16] = "";
        ASSERT_EQ_INT(lgetxattr(xp, "user.foo", v, sizeof(v)), 3);
        ASSERT_EQ_STR(v, "bar");
        memset(v, 0, sizeof(v));
        ASSERT_EQ_INT(lgetxattr(xp, "trusted.crio", v, sizeof(v)), 3);
        ASSERT_EQ_STR(v, "baz");
        ASSERT_TRUE(lgetxattr(xp, "security.selinux", v, sizeof(v)) < 0 || strcmp(v, "dropped") != 0);

        lstat_in(t, "sparse", &st);
        ASSERT_EQ_INT(st.st_size, SPARSE_SIZE);
        ASSERT_TRUE((long long) st.st_blocks * 512 < 1024 * 1024); /* holes stayed holes */
        _cleanup_free_ char *sp = path_in(t, "sparse");
        _cleanup_close_ int sfd = open(sp, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(sfd >= 0);
        char c = 0;
        ASSERT_EQ_INT(pread(sfd, &c, 1, 4095), 1);
        ASSERT_EQ_INT(c, 'a');
        ASSERT_EQ_INT(pread(sfd, &c, 1, 4096), 1);
        ASSERT_EQ_INT(c, 0);
        ASSERT_EQ_INT(pread(sfd, &c, 1, SPARSE_SIZE / 2 + 10), 1);
        ASSERT_EQ_INT(c, 'b');

        lstat_in(t, "private", &st);
        ASSERT_EQ_INT(st.st_mode & 07777, 0700);
        ASSERT_EQ_INT(st.st_mtim.tv_sec, 1000000000); /* set after its file was written */
        lstat_in(t, "sticky", &st);
        ASSERT_EQ_INT(st.st_mode & 07777, 01777);
        lstat_in(t, "bin", &st); /* made implicitly */
        ASSERT_EQ_INT(st.st_mode & 07777, 0755);

        /* Whiteouts: 0/0 character devices, whatever the whiteout entry's owner and mode. */
        const char *wh[] = { "etc/gone", "etc/never-there", "new/sub/x" };
        for (size_t i = 0; i < ELEMENTSOF(wh); i++) {
                lstat_in(t, wh[i], &st);
                ASSERT_TRUE(S_ISCHR(st.st_mode));
                ASSERT_EQ_INT(st.st_rdev, makedev(0, 0));
                ASSERT_EQ_INT(st.st_uid, 0);
                ASSERT_EQ_INT(st.st_mode & 07777, 0);
        }
        _cleanup_free_ char *op = path_in(t, "opq"), *nop = path_in(t, "new-opq");
        memset(v, 0, sizeof(v));
        ASSERT_EQ_INT(lgetxattr(op, "trusted.overlay.opaque", v, sizeof(v)), 1);
        ASSERT_EQ_STR(v, "y");
        memset(v, 0, sizeof(v));
        ASSERT_EQ_INT(lgetxattr(nop, "trusted.overlay.opaque", v, sizeof(v)), 1);
        lstat_in(t, "opq", &st);
        ASSERT_EQ_INT(st.st_mode & 07777, 0750);
        assert_file(t, "opq/keep", "kept");
        ASSERT_TRUE(!exists_in(t, ".wh..wh.plnk"));
        assert_no_whiteout_files(t);
}

static void apply_full(GByteArray *(*compress)(const GByteArray *)) {
        require_root_and_helper();
        g_autoptr(GByteArray) tar = full_layer();
        g_autoptr(GByteArray) input = compress ? compress(tar) : g_byte_array_ref(tar);
        _cleanup_free_ char *diff = sha256_of(tar), *compressed = sha256_of(input);
        Sandbox s;
        sandbox_new(&s);
        LayerApplyOptions o = { .helper_path = helper_path(), .expected_diff_digest = diff };
        LayerApplyResult res = {};
        CrioError err = {};
        int r = apply_bytes(input, s.target, &o, &res, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "layer_apply: %s", err.msg);
        ASSERT_EQ_STR(res.diff_digest, diff);
        ASSERT_EQ_INT(res.diff_size, tar->len);
        ASSERT_EQ_STR(res.compressed_digest, compressed);
        ASSERT_EQ_INT(res.compressed_size, input->len);
        check_full_layer(s.target);
        assert_sandbox_clean(&s);
        layer_apply_result_done(&res);
        sandbox_done(&s);
}

TEST(plain_layer) {
        apply_full(NULL);
}

TEST(gzip_layer) {
        apply_full(gzip_bytes);
}

TEST(zstd_layer) {
        apply_full(zstd_bytes);
}

/* Sparse files as GNU tar writes them: old GNU headers and pax (GNU.sparse 1.0). */
TEST(gnu_tar_sparse_formats) {
        require_root_and_helper();
        char src[] = "/tmp/crio-test-sparse.XXXXXX";
        ASSERT_TRUE(mkdtemp(src));
        _cleanup_free_ char *f = path_in(src, "holes");
        _cleanup_close_ int fd = open(f, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(ftruncate(fd, 64 << 20));
        ASSERT_EQ_INT(pwrite(fd, "start", 5, 0), 5);
        ASSERT_EQ_INT(pwrite(fd, "middle", 6, 32 << 20), 6);
        ASSERT_EQ_INT(pwrite(fd, "end", 3, (64 << 20) - 3), 3);
        const char *formats[] = { "gnu", "posix" };
        for (size_t i = 0; i < ELEMENTSOF(formats); i++) {
                _cleanup_free_ char *cmd = g_strdup_printf("tar -C %s --format=%s -S -cf - holes", src, formats[i]);
                FILE *p = popen(cmd, "r");
                ASSERT_TRUE(p);
                g_autoptr(GByteArray) tar = g_byte_array_new();
                char buf[65536];
                size_t n;
                while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
                        g_byte_array_append(tar, (const guint8 *) buf, (guint) n);
                ASSERT_EQ_INT(pclose(p), 0);
                ASSERT_TRUE(tar->len < (1 << 20));
                Sandbox s;
                sandbox_new(&s);
                LayerApplyResult res = {};
                CrioError err = {};
                if (apply_bytes(tar, s.target, NULL, &res, &err) < 0)
                        test_fail(__FILE__, __LINE__, "%s: %s", formats[i], err.msg);
                struct stat st;
                lstat_in(s.target, "holes", &st);
                ASSERT_EQ_INT(st.st_size, 64 << 20);
                ASSERT_TRUE((long long) st.st_blocks * 512 < (1 << 20));
                _cleanup_free_ char *cmp = g_strdup_printf("cmp -s %s/holes %s/holes", src, s.target);
                ASSERT_EQ_INT(system(cmp), 0);
                layer_apply_result_done(&res);
                sandbox_done(&s);
        }
        CrioError err = {};
        ASSERT_OK(rm_rf(src, &err));
}

/* The digests agree with sha256sum(1) run on the same bytes. */
TEST(digests_match_sha256sum) {
        require_root_and_helper();
        g_autoptr(GByteArray) tar = MAKE_TAR({ .name = "f", .data = "data" });
        g_autoptr(GByteArray) gz = gzip_bytes(tar);
        char tmp[] = "/tmp/crio-test-layer-gz.XXXXXX";
        _cleanup_close_ int fd = mkstemp(tmp);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ_INT(write(fd, gz->data, gz->len), gz->len);
        ASSERT_OK(lseek(fd, 0, SEEK_SET));
        _cleanup_free_ char *cmd = g_strdup_printf("sha256sum < %s; gzip -dc < %s | sha256sum", tmp, tmp);
        FILE *f = popen(cmd, "r");
        char gz_sum[128] = "", tar_sum[128] = "";
        ASSERT_TRUE(f && fgets(gz_sum, sizeof(gz_sum), f) && fgets(tar_sum, sizeof(tar_sum), f));
        pclose(f);
        gz_sum[64] = tar_sum[64] = '\0';

        Sandbox s;
        sandbox_new(&s);
        LayerApplyOptions o = { .helper_path = helper_path() };
        LayerApplyResult res = {};
        CrioError err = {};
        ASSERT_OK(layer_apply(fd, s.target, &o, &res, &err)); /* a regular file as input */
        unlink(tmp);
        ASSERT_EQ_STR(res.compressed_digest + 7, gz_sum);
        ASSERT_EQ_STR(res.diff_digest + 7, tar_sum);
        assert_file(s.target, "f", "data");
        layer_apply_result_done(&res);
        sandbox_done(&s);
}

/* Concatenated gzip members, data after the end-of-archive blocks, empty layers. */
TEST(stream_shapes) {
        require_root_and_helper();
        g_autoptr(GByteArray) tar = MAKE_TAR({ .name = "f", .data = "data" });
        g_autoptr(GByteArray) padded = g_byte_array_new();
        g_byte_array_append(padded, tar->data, tar->len);
        g_byte_array_append(padded, (const guint8 *) "trailing", 8);
        g_autoptr(GByteArray) half1 = g_byte_array_new(), half2 = g_byte_array_new();
        g_byte_array_append(half1, padded->data, 700);
        g_byte_array_append(half2, padded->data + 700, padded->len - 700);
        g_autoptr(GByteArray) gz1 = gzip_bytes(half1), gz2 = gzip_bytes(half2);
        g_autoptr(GByteArray) multi = g_byte_array_new();
        g_byte_array_append(multi, gz1->data, gz1->len);
        g_byte_array_append(multi, gz2->data, gz2->len);
        g_autoptr(GByteArray) empty = g_byte_array_new(), zeros = g_byte_array_new();
        g_byte_array_set_size(zeros, 1024);
        memset(zeros->data, 0, 1024);
        g_autoptr(GByteArray) zeros_gz = gzip_bytes(zeros);

        struct {
                GByteArray *in, *uncompressed;
                bool has_f;
        } cases[] = { { multi, padded, true }, { empty, empty, false }, { zeros, zeros, false }, { zeros_gz, zeros, false } };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Sandbox s;
                sandbox_new(&s);
                LayerApplyResult res = {};
                CrioError err = {};
                if (apply_bytes(cases[i].in, s.target, NULL, &res, &err) < 0)
                        test_fail(__FILE__, __LINE__, "case %zu: %s", i, err.msg);
                _cleanup_free_ char *want = sha256_of(cases[i].uncompressed);
                ASSERT_EQ_STR(res.diff_digest, want);
                ASSERT_EQ_INT(res.diff_size, cases[i].uncompressed->len);
                ASSERT_EQ_INT(exists_in(s.target, "f"), cases[i].has_f);
                layer_apply_result_done(&res);
                sandbox_done(&s);
        }
}

/* ---- hostile layers ----------------------------------------------------------------------- */

static void expect_rejected_in(const GByteArray *input, const LayerApplyOptions *o, const char *msg_part,
                               void (*prepare)(const char *target)) {
        Sandbox s;
        sandbox_new(&s);
        if (prepare)
                prepare(s.target);
        struct stat passwd_before, passwd_after;
        ASSERT_OK(stat("/etc/passwd", &passwd_before));
        LayerApplyResult res = {};
        CrioError err = {};
        int r = apply_bytes(input, s.target, o, &res, &err);
        if (r >= 0)
                test_fail(__FILE__, __LINE__, "accepted; expected an error containing \"%s\"", msg_part);
        printf("# rejected: %s\n", err.msg);
        ASSERT_CONTAINS(err.msg, msg_part);
        ASSERT_TRUE(res.diff_digest == NULL);
        assert_sandbox_clean(&s);
        ASSERT_OK(stat("/etc/passwd", &passwd_after));
        ASSERT_EQ_INT(passwd_after.st_nlink, passwd_before.st_nlink);
        ASSERT_EQ_INT(passwd_after.st_mtim.tv_sec, passwd_before.st_mtim.tv_sec);
        assert_no_whiteout_files(s.target);
        crio_error_clear(&err);
        sandbox_done(&s);
}

static void expect_rejected(const GByteArray *input, const LayerApplyOptions *o, const char *msg_part) {
        expect_rejected_in(input, o, msg_part, NULL);
}

#define ESCAPE_NAME "/tmp/crio-test-layer-escaped"

typedef struct MemReader {
        const GByteArray *b;
        size_t off;
} MemReader;

static ssize_t mem_read(void *ud, void *buf, size_t size) {
        MemReader *m = ud;
        size_t n = MIN(size, m->b->len - m->off);
        memcpy(buf, m->b->data + m->off, n);
        m->off += n;
        return (ssize_t) n;
}

/* A symlink the layer did not make (our bookkeeping does not know it) pointing out of the
 * target: libarchive (SECURE_SYMLINKS with UNLINK) replaces it with a directory, the whiteout
 * walk (O_NOFOLLOW) refuses it, and a hardlink through it cannot reach the file outside. */
TEST(symlinks_already_there_lead_nowhere) {
        require_root_and_helper();
        struct {
                GByteArray *tar;
                const char *error; /* NULL: accepted */
        } cases[] = {
                { MAKE_TAR({ .name = "pre/x", .data = "x" }), NULL },
                { MAKE_TAR({ .name = "pre/.wh.x" }), "layer entry \"pre/.wh.x\": parent \"pre\" is not a directory" },
                { MAKE_TAR({ .name = "pre/.wh..wh..opq" }), "parent \"pre\" is not a directory" },
                { MAKE_TAR({ .name = "h", .hardlink = "pre/victim" }), "layer entry \"h\"" },
        };
        /* Through the helper (chrooted), then in this process without chroot (as the fuzz
         * target and a helper without CAP_SYS_CHROOT run it). */
        for (size_t i = 0; i < 2 * ELEMENTSOF(cases); i++) {
                bool in_process = i >= ELEMENTSOF(cases);
                const GByteArray *tar = cases[i % ELEMENTSOF(cases)].tar;
                const char *error = cases[i % ELEMENTSOF(cases)].error;
                Sandbox s;
                sandbox_new(&s);
                _cleanup_free_ char *pre = path_in(s.target, "pre"), *victim = path_in(s.dir, "victim");
                write_in(s.dir, "victim", "v");
                ASSERT_OK(symlink(s.dir, pre));
                LayerApplyResult res = {};
                CrioError err = {};
                int r;
                if (in_process) {
                        MemReader m = { tar, 0 };
                        UntarResult ur;
                        r = untar_extract(mem_read, &m, s.target, &(UntarOptions){}, &ur, &err);
                } else
                        r = apply_bytes(tar, s.target, NULL, &res, &err);
                if (error) {
                        ASSERT_TRUE(r < 0);
                        printf("# rejected: %s\n", err.msg);
                        ASSERT_CONTAINS(err.msg, error);
                } else {
                        ASSERT_OK(r);
                        struct stat st;
                        lstat_in(s.target, "pre", &st);
                        ASSERT_TRUE(S_ISDIR(st.st_mode));
                        assert_file(s.target, "pre/x", "x");
                }
                ASSERT_EQ_INT(count_entries(s.dir), 2); /* a, victim */
                _cleanup_free_ char *a = path_in(s.dir, "a");
                ASSERT_EQ_INT(count_entries(a), 1);
                struct stat vst;
                ASSERT_OK(lstat(victim, &vst));
                ASSERT_EQ_INT(vst.st_nlink, 1);
                assert_file(s.dir, "victim", "v");
                layer_apply_result_done(&res);
                crio_error_clear(&err);
                sandbox_done(&s);
        }
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                g_byte_array_unref(cases[i].tar);
}

TEST(rejects_escapes) {
        require_root_and_helper();
        unlink(ESCAPE_NAME);
        struct {
                GByteArray *tar;
                const char *msg;
        } cases[] = {
                { MAKE_TAR({ .name = "../x", .data = "x" }), "layer entry \"../x\": path escapes the layer" },
                { MAKE_TAR({ .name = "../../x", .data = "x" }), "path escapes the layer" },
                { MAKE_TAR({ .name = ESCAPE_NAME, .data = "x" }), "escapes the layer (absolute path)" },
                { MAKE_TAR({ .name = "a/../../x", .data = "x" }), "path escapes the layer" },
                { MAKE_TAR({ .name = "ok", .data = "fine" }, { .name = "a/b/../../../x", .data = "x" }),
                  "layer entry \"a/b/../../../x\"" },
                { MAKE_TAR({ .name = "l", .mode = S_IFLNK | 0777, .data = "/" },
                           { .name = "l" ESCAPE_NAME, .data = "x" }),
                  "goes through the symlink \"l\"" },
                { MAKE_TAR({ .name = "l", .mode = S_IFLNK | 0777, .data = ".." }, { .name = "l/x", .data = "x" }),
                  "goes through the symlink \"l\"" },
                { MAKE_TAR({ .name = "d/", .mode = S_IFDIR | 0755 }, { .name = "d/l", .mode = S_IFLNK | 0777, .data = "../.." },
                           { .name = "d/l/b/x", .data = "x" }),
                  "goes through the symlink \"d/l\"" },
                { MAKE_TAR({ .name = "l", .mode = S_IFLNK | 0777, .data = "/" }, { .name = "m", .hardlink = "l" },
                           { .name = "m" ESCAPE_NAME, .data = "x" }),
                  "goes through the symlink \"m\"" },
                { MAKE_TAR({ .name = "l", .mode = S_IFLNK | 0777, .data = "/etc" }, { .name = "h", .hardlink = "l/passwd" }),
                  "hardlink target: path goes through the symlink \"l\"" },
                { MAKE_TAR({ .name = "h", .hardlink = "../../etc/passwd" }), "hardlink target: path escapes the layer" },
                { MAKE_TAR({ .name = "h", .hardlink = "/etc/passwd" }), "hardlink target: path escapes the layer" },
                { MAKE_TAR({ .name = "h", .hardlink = "missing" }), "layer entry \"h\"" },
                { MAKE_TAR({ .name = "h", .hardlink = "d/.wh.f" }), "hardlink target is a whiteout" },
                { MAKE_TAR({ .name = ".wh.../x" }), "a whiteout name cannot be a directory" },
                { MAKE_TAR({ .name = ".wh..." }), "invalid whiteout" },
                { MAKE_TAR({ .name = "d/.wh.." }), "invalid whiteout" },
                { MAKE_TAR({ .name = "d/.wh./x" }), "a whiteout name cannot be a directory" },
                { MAKE_TAR({ .name = ".wh.d/", .mode = S_IFDIR | 0755 }, { .name = ".wh.d/f", .data = "x" }),
                  "a whiteout name cannot be a directory" },
                { MAKE_TAR({ .name = "l", .mode = S_IFLNK | 0777, .data = "/tmp" }, { .name = "l/.wh.x" }),
                  "goes through the symlink \"l\"" },
                { MAKE_TAR({ .name = "l", .mode = S_IFLNK | 0777, .data = "/tmp" }, { .name = "l/.wh..wh..opq" }),
                  "goes through the symlink \"l\"" },
                { MAKE_TAR({ .name = "d/", .mode = S_IFDIR | 0700 }, { .name = "d", .mode = S_IFLNK | 0777, .data = "/etc" }),
                  "replaces a directory" },
                { MAKE_TAR({ .name = "d/", .mode = S_IFDIR | 0700 }, { .name = ".wh.d" }), "whiteout replaces a directory" },
                { MAKE_TAR({ .name = "./", .mode = S_IFLNK | 0777, .data = "/" }), "the layer root must be a directory" },
                { MAKE_TAR({ .name = "f", .data = "x", .xattr = { { "trusted.overlay.opaque", "y" } } }),
                  "reserved for the overlay driver" },
                { MAKE_TAR({ .name = "f", .data = "x", .xattr = { { "user.overlay.redirect", "/x" } } }),
                  "reserved for the overlay driver" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                printf("# case %zu\n", i);
                expect_rejected(cases[i].tar, NULL, cases[i].msg);
                g_byte_array_unref(cases[i].tar);
                struct stat st;
                ASSERT_TRUE(lstat(ESCAPE_NAME, &st) < 0 && errno == ENOENT);
        }
}

TEST(rejects_long_names_and_big_xattrs) {
        require_root_and_helper();
        _cleanup_free_ char *long_name = g_strnfill(UNTAR_MAX_NAME_LEN + 1, 'n');
        g_autoptr(GByteArray) t1 = MAKE_TAR({ .name = long_name, .data = "x" });
        expect_rejected(t1, NULL, "name is longer than 4095 bytes");
        _cleanup_free_ char *big = g_strnfill(UNTAR_MAX_XATTR_VALUE + 1, 'v');
        g_autoptr(GByteArray) t2 = MAKE_TAR({ .name = "f", .data = "x", .xattr = { { "user.big", big } } });
        expect_rejected(t2, NULL, "extended attribute \"user.big\" is larger than 65536 bytes");
}

TEST(rejects_corrupt_data) {
        require_root_and_helper();
        g_autoptr(GByteArray) tar = MAKE_TAR({ .name = "a", .data = "aaaa" }, { .name = "b", .data = "bbbb" });
        g_autoptr(GByteArray) big = g_byte_array_new();
        struct archive *a = tar_new(big);
        _cleanup_free_ char *payload = g_strnfill(100000, 'p');
        tar_add(a, &(Ent){ .name = "big", .data = payload });
        archive_write_close(a);
        archive_write_free(a);

        g_autoptr(GByteArray) gz = gzip_bytes(big);
        gz->data[gz->len / 2] ^= 0x55;
        gz->data[gz->len / 2 + 1] ^= 0x55;
        expect_rejected(gz, NULL, "gzip data is corrupt");

        g_autoptr(GByteArray) gz_short = gzip_bytes(big);
        g_byte_array_set_size(gz_short, gz_short->len - 20);
        expect_rejected(gz_short, NULL, "gzip data is truncated");

        g_autoptr(GByteArray) gz_trailing = gzip_bytes(tar);
        g_byte_array_append(gz_trailing, (const guint8 *) "garbage!", 8);
        expect_rejected(gz_trailing, NULL, "gzip data is corrupt");

        g_autoptr(GByteArray) zs = zstd_bytes(big);
        g_byte_array_set_size(zs, zs->len - 10);
        expect_rejected(zs, NULL, "zstd data is truncated");

        g_autoptr(GByteArray) zs_bad = zstd_bytes(big);
        memset(zs_bad->data + 6, 0xff, 16);
        expect_rejected(zs_bad, NULL, "zstd data is corrupt");

        g_autoptr(GByteArray) cut = g_byte_array_new();
        g_byte_array_append(cut, big->data, 512 + 50000); /* header and half the data */
        expect_rejected(cut, NULL, "layer entry \"big\": reading data: Truncated tar archive");

        g_autoptr(GByteArray) bad_header = g_byte_array_new();
        g_byte_array_append(bad_header, tar->data, tar->len);
        bad_header->data[1024 + 100] ^= 0x7; /* the second header's mode: checksum mismatch */
        expect_rejected(bad_header, NULL, "reading layer (after 1 entries)");

        g_autoptr(GByteArray) not_tar = g_byte_array_new();
        g_byte_array_append(not_tar, (const guint8 *) "this is not a tar file at all\n", 30);
        expect_rejected(not_tar, NULL, "reading layer");
}

TEST(rejects_wrong_digest_and_limits) {
        require_root_and_helper();
        g_autoptr(GByteArray) tar = MAKE_TAR({ .name = "f", .data = "data" });
        LayerApplyOptions o = { .helper_path = helper_path(),
                                .expected_diff_digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000" };
        expect_rejected(tar, &o, "does not match the expected sha256:0000");
        o = (LayerApplyOptions){ .helper_path = helper_path(), .max_diff_size = 1000 };
        expect_rejected(tar, &o, "uncompressed layer is larger than 1000 bytes");

        Sandbox s;
        sandbox_new(&s);
        CrioError err = {};
        LayerApplyResult res = {};
        o = (LayerApplyOptions){ .helper_path = helper_path(), .expected_diff_digest = "md5:abc" };
        ASSERT_EQ_INT(apply_bytes(tar, s.target, &o, &res, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "invalid expected layer digest");
        crio_error_clear(&err);
        o = (LayerApplyOptions){ .helper_path = "/nonexistent/crio-untar" };
        ASSERT_EQ_INT(apply_bytes(tar, s.target, &o, &res, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "starting /nonexistent/crio-untar");
        crio_error_clear(&err);
        sandbox_done(&s);
}

TEST(entry_limit) {
        require_root_and_helper();
        g_autoptr(GByteArray) tar = MAKE_TAR({ .name = "a" }, { .name = "b" }, { .name = "c" });
        Sandbox s;
        sandbox_new(&s);
        MemReader m = { tar, 0 };
        UntarResult ur;
        CrioError err = {};
        ASSERT_EQ_INT(untar_extract(mem_read, &m, s.target, &(UntarOptions){ .max_entries = 2 }, &ur, &err), -E2BIG);
        ASSERT_EQ_STR(err.msg, "layer has more than 2 entries");
        crio_error_clear(&err);
        m.off = 0;
        char cwd_before[4096], cwd_after[4096];
        ASSERT_TRUE(getcwd(cwd_before, sizeof(cwd_before)));
        umask(077);
        ASSERT_OK(untar_extract(mem_read, &m, s.target, &(UntarOptions){ .max_entries = 3, .try_chroot = true }, &ur, &err));
        ASSERT_EQ_INT(ur.entries, 3);
        ASSERT_TRUE(exists_in(s.target, "c"));
        /* the chroot was left, the cwd and umask restored */
        ASSERT_TRUE(getcwd(cwd_after, sizeof(cwd_after)));
        ASSERT_EQ_STR(cwd_after, cwd_before);
        ASSERT_OK(access("/etc/passwd", R_OK));
        ASSERT_EQ_INT(umask(0), 077);
        sandbox_done(&s);
}

/* A fifo hardlinked by an entry that carries data must not hang the helper. */
TEST(hardlink_to_fifo_with_data) {
        require_root_and_helper();
        g_autoptr(GByteArray) out = g_byte_array_new();
        struct archive *a = archive_write_new();
        archive_write_set_format_ustar(a);
        archive_write_open(a, out, NULL, mem_write, NULL);
        tar_add(a, &(Ent){ .name = "p", .mode = S_IFIFO | 0644 });
        struct archive_entry *e = archive_entry_new();
        archive_entry_copy_pathname(e, "q");
        archive_entry_set_mode(e, S_IFREG | 0644);
        archive_entry_copy_hardlink(e, "p");
        archive_entry_set_size(e, 5);
        ASSERT_TRUE(archive_write_header(a, e) >= ARCHIVE_WARN);
        archive_write_data(a, "hello", 5);
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
        Sandbox s;
        sandbox_new(&s);
        LayerApplyResult res = {};
        CrioError err = {};
        alarm(20);
        int r = apply_bytes(out, s.target, NULL, &res, &err);
        alarm(0);
        if (r < 0)
                printf("# %s\n", err.msg);
        struct stat st;
        if (r >= 0) {
                lstat_in(s.target, "q", &st);
                ASSERT_TRUE(S_ISFIFO(st.st_mode));
        }
        layer_apply_result_done(&res);
        crio_error_clear(&err);
        sandbox_done(&s);
}

/* ---- overlay ------------------------------------------------------------------------------ */

TEST(overlay_honours_whiteouts) {
        require_root_and_helper();
        ASSERT_OK(unshare(CLONE_NEWNS));
        ASSERT_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        Sandbox s;
        sandbox_new(&s);
        _cleanup_free_ char *lower = path_in(s.target, "lower"), *upper = path_in(s.target, "upper"),
                            *merged = path_in(s.target, "merged");
        ASSERT_OK(mkdir(lower, 0755));
        ASSERT_OK(mkdir(upper, 0755));
        ASSERT_OK(mkdir(merged, 0755));
        g_autoptr(GByteArray) l1 = MAKE_TAR({ .name = "d/f1", .data = "1" }, { .name = "d/f2", .data = "2" },
                                            { .name = "o/g1", .data = "1" }, { .name = "o/g2", .data = "2" },
                                            { .name = "x", .data = "x" }, { .name = "keep", .data = "k" });
        g_autoptr(GByteArray) l2 = MAKE_TAR({ .name = "d/.wh.f1" }, { .name = "o/", .mode = S_IFDIR | 0755 },
                                            { .name = "o/.wh..wh..opq" }, { .name = "o/new", .data = "n" },
                                            { .name = ".wh.x" });
        LayerApplyResult res = {};
        CrioError err = {};
        ASSERT_OK(apply_bytes(l1, lower, NULL, &res, &err));
        layer_apply_result_done(&res);
        ASSERT_OK(apply_bytes(l2, upper, NULL, &res, &err));
        layer_apply_result_done(&res);

        _cleanup_free_ char *opts = g_strdup_printf("lowerdir=%s:%s", upper, lower);
        if (mount("overlay", merged, "overlay", MS_RDONLY, opts) < 0)
                test_fail(__FILE__, __LINE__, "mount overlay %s: %s", opts, strerror(errno));
        ASSERT_TRUE(!exists_in(merged, "d/f1"));
        assert_file(merged, "d/f2", "2");
        ASSERT_TRUE(!exists_in(merged, "o/g1"));
        ASSERT_TRUE(!exists_in(merged, "o/g2"));
        assert_file(merged, "o/new", "n");
        ASSERT_TRUE(!exists_in(merged, "x"));
        assert_file(merged, "keep", "k");
        ASSERT_EQ_INT(count_entries(merged), 3); /* d, o, keep */
        ASSERT_OK(umount(merged));
        sandbox_done(&s);
}

/* ---- rm_rf -------------------------------------------------------------------------------- */


TEST(rm_rf_keeps_symlink_targets_and_mounts) {
        if (geteuid() != 0)
                test_skip("needs root (mounts)");
        ASSERT_OK(unshare(CLONE_NEWNS));
        ASSERT_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        char dir[] = "/tmp/crio-test-rmrf.XXXXXX";
        ASSERT_TRUE(mkdtemp(dir));
        _cleanup_free_ char *outside = path_in(dir, "outside"), *tree = path_in(dir, "tree"), *mnt = path_in(dir, "tree/mnt");
        ASSERT_OK(mkdir(outside, 0755));
        write_in(outside, "precious", "p");
        ASSERT_OK(mkdir(tree, 0755));
        _cleanup_free_ char *l1 = path_in(tree, "link-dir"), *l2 = path_in(tree, "link-file");
        ASSERT_OK(symlink(outside, l1));
        _cleanup_free_ char *precious = path_in(outside, "precious");
        ASSERT_OK(symlink(precious, l2));
        ASSERT_OK(mkdir(mnt, 0755));
        ASSERT_OK(mount("tmpfs", mnt, "tmpfs", 0, "size=1m"));
        write_in(mnt, "in-mount", "m");
        _cleanup_free_ char *ro = path_in(tree, "ro");
        ASSERT_OK(mkdir(ro, 0755));
        write_in(ro, "f", "x");
        ASSERT_OK(chmod(ro, 0));

        CrioError err = {};
        ASSERT_EQ_INT(rm_rf(tree, &err), -EBUSY);
        ASSERT_CONTAINS(err.msg, "tree/mnt: it is a mount point");
        crio_error_clear(&err);
        assert_file(outside, "precious", "p");
        assert_file(mnt, "in-mount", "m");
        ASSERT_TRUE(!exists_in(tree, "ro"));
        ASSERT_TRUE(!exists_in(tree, "link-dir"));
        ASSERT_EQ_INT(count_entries(tree), 1);
        ASSERT_OK(umount(mnt));
        ASSERT_OK(rm_rf(tree, &err));
        ASSERT_TRUE(!exists_in(dir, "tree"));
        ASSERT_OK(rm_rf(tree, &err)); /* already gone */
        ASSERT_EQ_INT(rm_rf_at(AT_FDCWD, "..", &err), -EINVAL);
        crio_error_clear(&err);
        ASSERT_OK(rm_rf(dir, &err));
}

/* Deep trees need one fd at a time; read-only directories are opened up by their owner. */
TEST(rm_rf_deep_and_read_only_as_user) {
        char dir[] = "/tmp/crio-test-rmrf.XXXXXX";
        ASSERT_TRUE(mkdtemp(dir));
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        for (int i = 0; i < 1500; i++) {
                ASSERT_OK(mkdirat(fd, "d", 0755));
                if (i % 100 == 0) {
                        int f = openat(fd, "file", O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
                        ASSERT_TRUE(f >= 0);
                        close(f);
                }
                int n = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                ASSERT_TRUE(n >= 0);
                if (i % 7 == 0)
                        ASSERT_OK(fchmod(fd, 0500));
                close(fd);
                fd = n;
        }
        ASSERT_OK(fchmod(fd, 0));
        if (geteuid() == 0) {
                ASSERT_OK(chown(dir, 65534, 65534));
                _cleanup_free_ char *cmd = g_strdup_printf("chown -R 65534:65534 %s", dir);
                ASSERT_EQ_INT(system(cmd), 0);
                ASSERT_OK(setresgid(65534, 65534, 65534));
                ASSERT_OK(setresuid(65534, 65534, 65534));
        }
        struct rlimit rl = { 32, 32 };
        ASSERT_OK(setrlimit(RLIMIT_NOFILE, &rl));
        CrioError err = {};
        int r = rm_rf(dir, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "rm_rf: %s", err.msg);
        struct stat st;
        ASSERT_TRUE(lstat(dir, &st) < 0 && errno == ENOENT);
}

/* ---- pieces that need no privileges ------------------------------------------------------- */

TEST(normalize_names) {
        struct {
                const char *in, *out;
        } ok[] = { { "a", "a" }, { "./a//b/", "a/b" }, { "./", "." }, { ".", "." }, { "a/./b", "a/b" }, { ".wh.x", ".wh.x" } };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                _cleanup_free_ char *n = NULL;
                ASSERT_OK(untar_normalize_name(ok[i].in, &n, NULL));
                ASSERT_EQ_STR(n, ok[i].out);
        }
        const char *bad[] = { "", "/", "/a", "..", "a/..", "a/../b", "../a", "./../a" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *n = NULL;
                CrioError err = {};
                ASSERT_TRUE(untar_normalize_name(bad[i], &n, &err) < 0);
                ASSERT_TRUE(n == NULL && err.msg);
                crio_error_clear(&err);
        }
}

TEST(report_round_trip) {
        UntarResult res = { .diff_size = 12345, .entries = 7 };
        strcpy(res.diff_digest, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        _cleanup_free_ char *line = NULL;
        ASSERT_OK(untar_report_format(0, &res, NULL, &line));
        UntarResult back = {};
        CrioError err = {};
        ASSERT_OK(untar_report_parse(line, strlen(line), &back, &err));
        ASSERT_EQ_STR(back.diff_digest, res.diff_digest);
        ASSERT_EQ_INT(back.diff_size, 12345);
        ASSERT_EQ_INT(back.entries, 7);

        CrioError e = { .code = EPERM, .msg = (char *) "layer entry \"a\nb\": bad" };
        _cleanup_free_ char *eline = NULL;
        ASSERT_OK(untar_report_format(-EPERM, NULL, &e, &eline));
        ASSERT_EQ_STR(eline, "error 1 layer entry \"a?b\": bad\n");
        ASSERT_EQ_INT(untar_report_parse(eline, strlen(eline), &back, &err), -EPERM);
        ASSERT_EQ_STR(err.msg, "layer entry \"a?b\": bad");
        crio_error_clear(&err);

        const char *bad[] = { "", "ok\n", "ok sha256:00 1 2\n", "error 0 x\n", "error x\n", "hello\n", "ok x 1 2",
                              "ok sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 1\n",
                              "ok sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 1 99999999999999999999999\n" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_EQ_INT(untar_report_parse(bad[i], strlen(bad[i]), &back, &err), -EPROTO);
                crio_error_clear(&err);
        }
}

int main(void) {
        return test_main();
}
