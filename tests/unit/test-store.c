/* The containers/storage-compatible store, against real skopeo and podman.
 *
 * Tests that mount or use the store need root; each runs in its own temporary store inside a
 * private mount namespace (so that mounts left by podman die with the test), and the fixture
 * images come from tests/lib/make-oci-images.py (busybox-static based OCI layouts). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <zlib.h>

#include "storage/chainid.h"
#include "storage/lockfile.h"
#include "storage/store.h"
#include "test.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/rmrf.h"
#include "util/strv.h"

/* ---- sandbox and helpers ---- */

static char root[256], graph[300], run[300];
static JsonObject *fixtures; /* make-oci-images.py's summary */

static void need_root(void) {
        if (geteuid() != 0)
                test_skip("needs root");
}

#define CHECK(call)                                                                                     \
        do {                                                                                            \
                CrioError _e = {};                                                                      \
                int _r = (call);                                                                        \
                if (_r < 0)                                                                             \
                        test_fail(__FILE__, __LINE__, "%s: %d: %s", #call, _r, _e.msg ? _e.msg : "?");  \
        } while (0)
#define E (&_e)

/* Runs body in a child inside a private mount namespace with a fresh store root. */
static void sandbox(void (*body)(void)) {
        need_root();
        snprintf(root, sizeof(root), "/var/tmp/crio-store-test-XXXXXX");
        ASSERT_TRUE(mkdtemp(root) != NULL);
        snprintf(graph, sizeof(graph), "%s/root", root);
        snprintf(run, sizeof(run), "%s/runroot", root);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        test_skip("no private mount namespace");
                body();
                fflush(stdout);
                exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (getenv("CRIO_TEST_KEEP")) /* for debugging: leave the store for inspection */
                printf("# kept %s\n", root);
        else
                (void) rm_rf(root, NULL);
        if (WIFEXITED(status) && WEXITSTATUS(status) == TEST_SKIP_CODE)
                test_skip("skipped in the sandbox");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                test_fail(__FILE__, __LINE__, "sandboxed test failed (status %d)", status);
}

static const char *helper(void) {
        static char path[4096];
        const char *b = getenv("CRIO_BUILDDIR");
        snprintf(path, sizeof(path), "%s/crio-untar", b ? b : "build");
        if (access(path, X_OK) < 0)
                test_skip("crio-untar helper not built");
        return path;
}

static Store *open_store(void) {
        StoreOptions o = { .graph_root = graph, .run_root = run, .driver_name = "overlay", .untar_helper = helper() };
        Store *s = NULL;
        CHECK(store_open(&o, &s, E));
        return s;
}

/* Runs argv; returns the exit status, stdout in *out (may be NULL). */
static int run_cmd(char **argv, char **out) {
        gchar *o = NULL, *e = NULL;
        gint status = -1;
        GError *g = NULL;
        if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &o, &e, &status, &g)) {
                printf("# %s: %s\n", argv[0], g->message);
                g_error_free(g);
                return -1;
        }
        if (status != 0)
                printf("# %s failed: %s\n", argv[0], e ? e : "");
        if (out)
                *out = strdup(o ? o : "");
        g_free(o);
        g_free(e);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* podman on our store; args appended after the global options. */
static int podman(char **out, const char *a1, const char *a2, const char *a3, const char *a4, const char *a5) {
        if (access("/usr/bin/podman", X_OK) < 0)
                test_skip("podman not installed");
        char tmp[400];
        snprintf(tmp, sizeof(tmp), "%s/podman-tmp", root);
        char *argv[32] = { "podman", "--root", graph, "--runroot", run, "--storage-driver", "overlay", "--tmpdir", tmp,
                           "--cgroup-manager", "cgroupfs", "--events-backend", "file" };
        int n = 13;
        const char *extra[] = { a1, a2, a3, a4, a5 };
        for (size_t i = 0; i < ELEMENTSOF(extra) && extra[i]; i++)
                argv[n++] = (char *) extra[i];
        return run_cmd(argv, out);
}

static void skopeo_copy(const char *image, const char *name) {
        if (access("/usr/bin/skopeo", X_OK) < 0)
                test_skip("skopeo not installed");
        char src[512], dst[1024];
        snprintf(src, sizeof(src), "oci:%s/oci/%s:1", root, image);
        snprintf(dst, sizeof(dst), "containers-storage:[overlay@%s+%s]%s", graph, run, name);
        char *argv[] = { "skopeo", "copy", "--quiet", src, dst, NULL };
        ASSERT_EQ_INT(run_cmd(argv, NULL), 0);
}

static void make_fixtures(void) {
        char dir[400];
        snprintf(dir, sizeof(dir), "%s/oci", root);
        const char *src = getenv("CRIO_SRCDIR");
        char script[4096];
        snprintf(script, sizeof(script), "%s/tests/lib/make-oci-images.py", src ? src : ".");
        if (access(script, R_OK) < 0 || access("/bin/busybox", R_OK) < 0)
                test_skip("make-oci-images.py or busybox-static missing");
        char *argv[] = { "/usr/bin/python3", script, dir, NULL };
        _cleanup_free_ char *out = NULL;
        ASSERT_EQ_INT(run_cmd(argv, &out), 0);
        JsonParser *p = json_parser_new();
        ASSERT_TRUE(json_parser_load_from_data(p, out, -1, NULL));
        fixtures = json_object_ref(json_node_get_object(json_parser_get_root(p)));
        g_object_unref(p);
}

static JsonObject *fx(const char *image) {
        return json_object_get_object_member(fixtures, image);
}
static const char *fx_str(const char *image, const char *member) {
        return json_object_get_string_member(fx(image), member);
}
static const char *fx_at(const char *image, const char *member, guint i) {
        return json_array_get_string_element(json_object_get_array_member(fx(image), member), i);
}
static gint64 fx_int_at(const char *image, const char *member, guint i) {
        return json_array_get_int_element(json_object_get_array_member(fx(image), member), i);
}
static guint fx_layers(const char *image) {
        return json_array_get_length(json_object_get_array_member(fx(image), "diff_ids"));
}

static char *read_blob(const char *image, const char *digest, size_t *len) {
        char p[1024];
        snprintf(p, sizeof(p), "%s/oci/%s/blobs/sha256/%s", root, image, digest + 7);
        char *data = NULL;
        CHECK(read_file(p, 64 << 20, &data, len, E));
        return data;
}

/* Imports a fixture OCI image into our store (layers with layer_apply, then the image). */
static StoreImage *import_image(Store *s, const char *image, char *const *names) {
        _cleanup_free_ char *parent = NULL;
        for (guint i = 0; i < fx_layers(image); i++) {
                char p[1024];
                snprintf(p, sizeof(p), "%s/oci/%s/blobs/sha256/%s", root, image, fx_at(image, "layer_digests", i) + 7);
                _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);
                StoreLayerCreateOptions lo = { .parent = parent, .expected_diff_digest = fx_at(image, "diff_ids", i) };
                StoreLayer *l = NULL;
                CHECK(store_layer_create(s, fd, &lo, &l, E));
                free(parent);
                parent = strdup(l->id);
                store_layer_free(l);
        }
        size_t ml = 0, cl = 0;
        _cleanup_free_ char *m = read_blob(image, fx_str(image, "manifest_digest"), &ml);
        _cleanup_free_ char *c = read_blob(image, fx_str(image, "config_digest"), &cl);
        StoreImageCreateOptions io = { .id = fx_str(image, "id"), .names = names, .top_layer = parent,
                                       .created = "2023-11-14T22:13:20Z", .manifest = m, .manifest_len = ml,
                                       .config = c, .config_len = cl };
        StoreImage *img = NULL;
        CHECK(store_image_create(s, &io, &img, E));
        return img;
}

/* The JSON lines of a layer's tar-split record up to the end-of-archive segment (the
 * trailing padding is split by read sizes, which differ between implementations). */
static char **tar_split_lines(const char *graph_root, const char *layer) {
        char p[1024], buf[65536];
        snprintf(p, sizeof(p), "%s/overlay-layers/%s.tar-split.gz", graph_root, layer);
        gzFile f = gzopen(p, "rb");
        ASSERT_TRUE(f != NULL);
        char **v = NULL;
        int after_file = -1;
        while (gzgets(f, buf, sizeof(buf)) && after_file != 0) {
                ASSERT_OK(strv_push(&v, buf));
                if (strstr(buf, "{\"type\":1,"))
                        after_file = 1;
                else if (after_file == 1)
                        after_file = 0;
        }
        gzclose(f);
        return v;
}

static bool exists(const char *fmt, const char *a) {
        char p[2048];
        snprintf(p, sizeof(p), fmt, graph, a);
        struct stat st;
        return lstat(p, &st) == 0;
}

/* ---- pure functions (no root) ---- */

TEST(layer_ids_as_containers_image_derives_them) {
        CrioError e = {};
        char id[STORE_ID_LEN + 1], chain[STORE_DIGEST_LEN + 1];
        const char *d0 = "sha256:28c1b67380fdd704a560c186c287485a8b0fb5d3254b3e39099f5d9674ba9130";
        const char *d1 = "sha256:aed53876d16d2660fade076e1ab280748c1356d0800ffb57b1cc81f693d458fe";
        ASSERT_OK(store_layer_id_for(NULL, d0, id, &e));
        ASSERT_EQ_STR(id, d0 + 7);
        /* Observed in a store written by skopeo 1.9. */
        ASSERT_OK(store_layer_id_for(id, d1, id, &e));
        ASSERT_EQ_STR(id, "3f104bc030ec2717c12413dc136ed6eaeff0e624efadf6a6c7535bed1a16ad78");
        ASSERT_OK(store_oci_chain_id(d0, d1, chain, &e));
        ASSERT_TRUE(strcmp(chain + 7, id) != 0); /* the OCI ChainID is a different thing */
        ASSERT_EQ_INT(store_layer_id_for(NULL, "md5:abc", id, &e), -EINVAL);
        crio_error_clear(&e);
}

TEST(big_data_file_names_and_times) {
        _cleanup_free_ char *a = store_big_data_file_name("manifest");
        _cleanup_free_ char *b = store_big_data_file_name(
                "manifest-sha256:9d5e8d33bd38afb909a7503b42592db2b0a51979ba68ecc17f67e4e5f64aace9");
        ASSERT_EQ_STR(a, "manifest");
        ASSERT_EQ_STR(b, "=bWFuaWZlc3Qtc2hhMjU2OjlkNWU4ZDMzYmQzOGFmYjkwOWE3NTAzYjQyNTkyZGIyYjBhNTE5NzliYTY4ZWNjMTdmNjdlNGU1ZjY0YWFjZTk=");
        ASSERT_TRUE(store_big_data_file_name("..") == NULL);
        char t[STORE_TIME_LEN];
        store_format_time(&(struct timespec){ 1700000000, 238150000 }, t);
        ASSERT_EQ_STR(t, "2023-11-14T22:13:20.23815Z");
        store_format_time(&(struct timespec){ 1700000000, 0 }, t);
        ASSERT_EQ_STR(t, "2023-11-14T22:13:20Z");
        char l[STORE_LINK_ID_LEN + 1];
        store_random_link_id(l);
        ASSERT_EQ_INT(strlen(l), 26);
        ASSERT_EQ_INT(strspn(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 26);
}

TEST(unsupported_driver_and_options_are_clear_errors) {
        CrioError e = {};
        Store *s = NULL;
        StoreOptions o = { .graph_root = "/nonexistent/g", .run_root = "/nonexistent/r", .driver_name = "vfs" };
        ASSERT_EQ_INT(store_open(&o, &s, &e), -EINVAL);
        ASSERT_CONTAINS(e.msg, "\"vfs\" is not supported");
        crio_error_clear(&e);
        char *bad[] = { "overlay.frobnicate=1", NULL };
        o.driver_name = "overlay2";
        o.driver_options = bad;
        ASSERT_EQ_INT(store_open(&o, &s, &e), -EINVAL);
        ASSERT_CONTAINS(e.msg, "overlay.frobnicate");
        crio_error_clear(&e);
        char *fuse[] = { "overlay.mount_program=/usr/bin/fuse-overlayfs", NULL };
        o.driver_options = fuse;
        ASSERT_EQ_INT(store_open(&o, &s, &e), -ENOTSUP);
        crio_error_clear(&e);
}

TEST(lock_file_token_and_exclusion) {
        char dir[] = "/tmp/crio-lock-XXXXXX", path[64];
        ASSERT_TRUE(mkdtemp(dir) != NULL);
        snprintf(path, sizeof(path), "%s/sub/x.lock", dir);
        CrioError e = {};
        LockFile *l = NULL;
        ASSERT_OK(lockfile_get(path, &l, &e)); /* creates the directory and the file */
        uint8_t seen[LOCKFILE_TOKEN_SIZE] = {}, mine[LOCKFILE_TOKEN_SIZE];
        bool mod = false;
        int p[2];
        ASSERT_OK(pipe(p));
        pid_t pid = fork();
        if (pid == 0) { /* another process writes and holds the lock for a while */
                ASSERT_OK(lockfile_lock(l, true, &e));
                ASSERT_OK(lockfile_touch(l, NULL, &e));
                ASSERT_EQ_INT(write(p[1], "x", 1), 1);
                usleep(300000);
                lockfile_unlock(l);
                _exit(0);
        }
        char c;
        ASSERT_EQ_INT(read(p[0], &c, 1), 1);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ASSERT_OK(lockfile_lock(l, false, &e)); /* waits for the writer */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ASSERT_TRUE((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 > 150);
        ASSERT_OK(lockfile_modified(l, seen, &mod, &e));
        ASSERT_TRUE(mod);
        uint32_t who = (uint32_t) seen[16] | (uint32_t) seen[17] << 8 | (uint32_t) seen[18] << 16 | (uint32_t) seen[19] << 24;
        ASSERT_EQ_INT(who, pid); /* the token names the writer's pid at bytes 16..19 */
        ASSERT_OK(lockfile_modified(l, seen, &mod, &e));
        ASSERT_TRUE(!mod);
        lockfile_unlock(l);
        ASSERT_OK(lockfile_lock(l, true, &e));
        ASSERT_OK(lockfile_touch(l, mine, &e));
        ASSERT_OK(lockfile_modified(l, seen, &mod, &e));
        ASSERT_TRUE(mod && memcmp(seen, mine, sizeof(mine)) == 0);
        lockfile_unlock(l);
        waitpid(pid, NULL, 0);
        struct stat st;
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ_INT(st.st_size, LOCKFILE_TOKEN_SIZE);
        lockfile_unref(l);
        (void) rm_rf(dir, NULL);
}

/* ---- the store against podman and skopeo ---- */

static void body_layout(void) {
        Store *s = open_store();
        static const char *const files[] = { "%s/storage.lock%s", "%s/userns.lock%s", "%s/overlay/l%s",
                                             "%s/overlay/.has-mount-program%s", "%s/overlay-layers/layers.lock%s", "%s/overlay-images/images.lock%s",
                                             "%s/overlay-containers/containers.lock%s", "%s/mounts%s", "%s/tmp%s" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (!exists(files[i], ""))
                        test_fail(__FILE__, __LINE__, "missing %s", files[i]);
        _cleanup_free_ char *out = NULL;
        ASSERT_EQ_INT(podman(&out, "images", "-q", NULL, NULL, NULL), 0);
        ASSERT_EQ_STR(out, "");
        store_close(s);
        s = open_store(); /* reopening what podman touched */
        uint64_t bytes = 0, inodes = 0;
        CHECK(store_usage(s, &bytes, &inodes, E));
        ASSERT_TRUE(bytes > 0 && inodes > 5);
        store_close(s);
}
TEST(open_creates_a_layout_podman_accepts) {
        sandbox(body_layout);
}

static void body_skopeo(void) {
        make_fixtures();
        skopeo_copy("layered", "docker.io/library/test:1");
        skopeo_copy("sibling", "docker.io/library/sib:1");
        Store *s = open_store();
        StoreImage *img = NULL;
        CHECK(store_image_get(s, "docker.io/library/test:1", &img, E));
        ASSERT_EQ_STR(img->id, fx_str("layered", "id"));
        ASSERT_EQ_STR(img->names[0], "docker.io/library/test:1");
        ASSERT_EQ_STR(img->digest, fx_str("layered", "manifest_digest"));
        /* The layer chain, with the IDs we derive and the sizes and digests skopeo recorded. */
        char want[STORE_ID_LEN + 1] = "";
        uint64_t total = 0;
        for (guint i = 0; i < fx_layers("layered"); i++)
                CHECK(store_layer_id_for(i ? want : NULL, fx_at("layered", "diff_ids", i), want, E));
        ASSERT_EQ_STR(img->top_layer, want);
        char curbuf[STORE_ID_LEN + 1];
        const char *cur = img->top_layer;
        for (guint i = fx_layers("layered"); i-- > 0;) {
                StoreLayer *l = NULL;
                CHECK(store_layer_get(s, cur, &l, E));
                ASSERT_EQ_STR(l->diff_digest, fx_at("layered", "diff_ids", i));
                ASSERT_EQ_STR(l->compressed_digest, fx_at("layered", "layer_digests", i));
                ASSERT_EQ_INT(l->diff_size, fx_int_at("layered", "diff_sizes", i));
                ASSERT_EQ_INT(l->compressed_size, fx_int_at("layered", "layer_sizes", i));
                total += (uint64_t) l->diff_size;
                cur = l->parent ? strcpy(curbuf, l->parent) : NULL;
                store_layer_free(l);
        }
        ASSERT_TRUE(cur == NULL);
        for (size_t i = 0; img->big_data_names[i]; i++)
                total += (uint64_t) img->big_data_sizes[i];
        uint64_t size = 0;
        CHECK(store_image_size(s, img->id, &size, E));
        ASSERT_EQ_INT(size, total);
        _cleanup_free_ char *manifest = NULL;
        size_t ml = 0;
        CHECK(store_image_big_data(s, img->id, "manifest", &manifest, &ml, E));
        ASSERT_EQ_INT(ml, json_object_get_int_member(fx("layered"), "manifest_size"));
        StoreImage *by_digest = NULL, *by_prefix = NULL;
        CHECK(store_image_get(s, fx_str("layered", "manifest_digest"), &by_digest, E));
        char prefix[13];
        snprintf(prefix, sizeof(prefix), "%s", img->id);
        CHECK(store_image_get(s, prefix, &by_prefix, E));
        ASSERT_EQ_STR(by_digest->id, img->id);
        ASSERT_EQ_STR(by_prefix->id, img->id);
        /* The base layer is shared: 3 + 1 layers in all. */
        StoreLayer **layers = NULL;
        CHECK(store_layers(s, &layers, E));
        ASSERT_EQ_INT(strv_length((char **) layers), 4);
        store_layer_list_free(layers);
        /* Our tar-split records match skopeo's for the same layers. */
        snprintf(graph, sizeof(graph), "%s/root2", root);
        snprintf(run, sizeof(run), "%s/runroot2", root);
        Store *ours = open_store();
        StoreImage *mine = import_image(ours, "layered", NULL);
        ASSERT_EQ_STR(mine->top_layer, img->top_layer);
        cur = mine->top_layer;
        for (guint i = 0; i < fx_layers("layered"); i++) {
                char other[400];
                snprintf(other, sizeof(other), "%s/root", root);
                _cleanup_strv_free_ char **a = tar_split_lines(graph, cur), **b = tar_split_lines(other, cur);
                ASSERT_TRUE(strv_length(a) > 2);
                ASSERT_TRUE(strv_equal(a, b));
                StoreLayer *l = NULL;
                CHECK(store_layer_get(ours, cur, &l, E));
                cur = l->parent ? strcpy(curbuf, l->parent) : NULL;
                store_layer_free(l);
        }
        store_image_free(mine);
        store_close(ours);
        store_image_free(img);
        store_image_free(by_digest);
        store_image_free(by_prefix);
        store_close(s);
}
TEST(images_written_by_skopeo_are_listed) {
        sandbox(body_skopeo);
}

static void podman_run(const char *image) {
        struct rlimit nofile, nproc;
        getrlimit(RLIMIT_NOFILE, &nofile);
        getrlimit(RLIMIT_NPROC, &nproc);
        /* podman raises RLIMIT_NOFILE/NPROC to 1048576 by default, which fails without
         * CAP_SYS_RESOURCE here (crun: setrlimit: Operation not permitted): ask for ours. */
        char u1[64], u2[64], cmd[1024];
        snprintf(u1, sizeof(u1), "nofile=%llu:%llu", (unsigned long long) nofile.rlim_max, (unsigned long long) nofile.rlim_max);
        rlim_t np = nproc.rlim_cur < 4096 ? nproc.rlim_cur : 4096;
        snprintf(u2, sizeof(u2), "nproc=%llu:%llu", (unsigned long long) np, (unsigned long long) np);
        char tmp[400];
        snprintf(tmp, sizeof(tmp), "%s/podman-tmp", root);
        snprintf(cmd, sizeof(cmd), "%s", image);
        char *argv[] = { "podman", "--root", graph, "--runroot", run, "--storage-driver", "overlay", "--tmpdir", tmp,
                         "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime", "runc", "run", "--rm",
                         "--net=none", "--ulimit", u1, "--ulimit", u2, cmd, "/bin/busybox", "cat", "/etc/group", NULL };
        _cleanup_free_ char *out = NULL;
        ASSERT_EQ_INT(run_cmd(argv, &out), 0);
        ASSERT_CONTAINS(out, "nogroup");
}

static void body_podman(void) {
        make_fixtures();
        Store *s = open_store();
        char *names[] = { "localhost/crio-test:1", NULL };
        StoreImage *img = import_image(s, "busybox", names);
        ASSERT_EQ_STR(img->digest, fx_str("busybox", "manifest_digest"));
        /* The same layer again is found, not stored twice. */
        StoreLayer *l = NULL;
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY);
        StoreLayerCreateOptions again = { .id = img->top_layer };
        CrioError e = {};
        ASSERT_EQ_INT(store_layer_create(s, fd, &again, &l, &e), 1);
        store_layer_free(l);
        _cleanup_free_ char *out = NULL;
        ASSERT_EQ_INT(podman(&out, "images", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}} {{.Digest}}", NULL), 0);
        char want[512];
        snprintf(want, sizeof(want), "sha256:%s localhost/crio-test:1 %s", img->id, img->digest);
        ASSERT_CONTAINS(out, want);
        podman_run("localhost/crio-test:1");
        /* Copying out of the store reproduces the layer exactly (thanks to the tar-split). */
        char src[1024], dst[512];
        snprintf(src, sizeof(src), "containers-storage:[overlay@%s+%s]localhost/crio-test:1", graph, run);
        snprintf(dst, sizeof(dst), "oci:%s/out:1", root);
        char *argv[] = { "skopeo", "copy", "--quiet", src, dst, NULL };
        ASSERT_EQ_INT(run_cmd(argv, NULL), 0);
        /* The exported layer (recompressed by skopeo) holds exactly the original tar. */
        char blobs[512];
        snprintf(blobs, sizeof(blobs), "%s/out/blobs/sha256", root);
        _cleanup_closedir_ DIR *d = opendir(blobs);
        ASSERT_TRUE(d != NULL);
        bool found = false;
        for (struct dirent *de; (de = readdir(d));) {
                char p[1024], buf[65536];
                snprintf(p, sizeof(p), "%s/%s", blobs, de->d_name);
                gzFile f = de->d_name[0] != '.' ? gzopen(p, "rb") : NULL;
                GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
                for (int n; f && (n = gzread(f, buf, sizeof(buf))) > 0;)
                        g_checksum_update(c, (guchar *) buf, n);
                if (f)
                        gzclose(f);
                found |= strcmp(g_checksum_get_string(c), fx_at("busybox", "diff_ids", 0) + 7) == 0;
                g_checksum_free(c);
        }
        ASSERT_TRUE(found);
        store_image_free(img);
        store_close(s);
}
TEST(images_written_by_us_run_in_podman) {
        sandbox(body_podman);
}

static void body_mount(void) {
        make_fixtures();
        Store *s = open_store();
        char *names[] = { "localhost/layered:1", NULL };
        StoreImage *img = import_image(s, "layered", names);
        StoreContainerCreateOptions co = { .names = (char *[]){ "c1", NULL }, .image = "localhost/layered:1",
                                           .metadata = "{\"pod\":false}" };
        StoreContainer *c = NULL;
        CHECK(store_container_create(s, &co, &c, E));
        ASSERT_EQ_STR(c->image, img->id);
        _cleanup_free_ char *mp = NULL, *mp2 = NULL, *path = NULL;
        CHECK(store_container_mount(s, "c1", NULL, &mp, E));
        CHECK(store_container_mount(s, c->id, NULL, &mp2, E));
        ASSERT_EQ_STR(mp, mp2);
        int count = 0;
        CHECK(store_layer_mount_count(s, c->layer, &count, E));
        ASSERT_EQ_INT(count, 2);
        static const char *const present[] = { "bin/busybox", "data/keep", "opq/c", "etc/passwd" };
        static const char *const absent[] = { "data/gone", "opq/a", "opq/b" };
        struct stat st;
        for (size_t i = 0; i < ELEMENTSOF(present) + ELEMENTSOF(absent); i++) {
                bool want = i < ELEMENTSOF(present);
                free(path);
                ASSERT_TRUE(asprintf(&path, "%s/%s", mp, want ? present[i] : absent[i - ELEMENTSOF(present)]) > 0);
                if ((lstat(path, &st) == 0) != want)
                        test_fail(__FILE__, __LINE__, "%s should %sexist", path, want ? "" : "not ");
        }
        free(path);
        ASSERT_TRUE(asprintf(&path, "%s/written", mp) > 0);
        CHECK(write_file_atomic(path, "x", 1, 0644, E));
        /* podman sees the mount count and the container's layer. */
        _cleanup_free_ char *mj = NULL;
        char mpath[400];
        snprintf(mpath, sizeof(mpath), "%s/overlay-layers/mountpoints.json", run);
        CHECK(read_file(mpath, 1 << 20, &mj, NULL, E));
        ASSERT_CONTAINS(mj, "\"count\":2");
        CrioError e = {};
        ASSERT_EQ_INT(store_image_delete(s, img->id, &e), -EBUSY);
        crio_error_clear(&e);
        ASSERT_EQ_INT(store_container_unmount(s, "c1", false, &e), 1);
        ASSERT_EQ_INT(store_container_unmount(s, "c1", false, &e), 0);
        ASSERT_TRUE(lstat(mp, &st) < 0); /* merged is removed at the last unmount */
        /* Shutdown refuses while something is mounted, unless forced. */
        free(mp);
        mp = NULL;
        CHECK(store_container_mount(s, "c1", NULL, &mp, E));
        ASSERT_EQ_INT(store_shutdown(s, false, &e), -EBUSY);
        crio_error_clear(&e);
        CHECK(store_shutdown(s, true, E));
        CHECK(store_layer_mount_count(s, c->layer, &count, E));
        ASSERT_EQ_INT(count, 0);
        ASSERT_TRUE(lstat(mp, &st) < 0);
        _cleanup_free_ char *ud = NULL;
        CHECK(store_container_dir(s, "c1", true, &ud, E));
        ASSERT_TRUE(stat(ud, &st) == 0);
        CHECK(store_container_delete(s, "c1", E));
        ASSERT_TRUE(!exists("%s/overlay/%s", c->layer));
        CHECK(store_image_delete(s, img->id, E));
        StoreLayer **layers = NULL;
        CHECK(store_layers(s, &layers, E));
        ASSERT_TRUE(layers[0] == NULL);
        store_layer_list_free(layers);
        _cleanup_free_ char *out = NULL;
        ASSERT_EQ_INT(podman(&out, "images", "-q", NULL, NULL, NULL), 0);
        ASSERT_EQ_STR(out, "");
        store_container_free(c);
        store_image_free(img);
        store_close(s);
}
TEST(container_layer_mount_shows_whiteouts_applied) {
        sandbox(body_mount);
}

/* A tiny uncompressed tar holding one file. */
static size_t make_tar(char *buf, size_t size, const char *name, const char *content) {
        memset(buf, 0, size);
        size_t len = strlen(content);
        char *h = buf;
        snprintf(h, 100, "%s", name);
        snprintf(h + 100, 8, "%07o", 0644);
        snprintf(h + 108, 8, "%07o", 0);
        snprintf(h + 116, 8, "%07o", 0);
        snprintf(h + 124, 12, "%011o", (unsigned) len & 07777777u);
        snprintf(h + 136, 12, "%011o", 1700000000);
        h[156] = '0';
        memcpy(h + 257, "ustar", 6);
        memcpy(h + 263, "00", 2);
        memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (int i = 0; i < 512; i++)
                sum += (unsigned char) h[i];
        snprintf(h + 148, 8, "%06o", sum);
        memcpy(buf + 512, content, len);
        return 512 + ((len + 511) / 512) * 512 + 1024;
}

typedef struct Writer {
        Store *s;
        const char *base; /* base layer ID */
        int n, which;
} Writer;

static void *writer(void *arg) {
        Writer *w = arg;
        char tar[4096], name[64], cfg[1024], man[2048], tarpath[512], diff[STORE_DIGEST_LEN + 1],
                cdig[STORE_DIGEST_LEN + 1];
        for (int i = 0; i < w->n; i++) {
                snprintf(name, sizeof(name), "w%d-%d", w->which, i);
                size_t tl = make_tar(tar, sizeof(tar), name, name);
                store_sha256_digest(tar, tl, diff);
                snprintf(tarpath, sizeof(tarpath), "%s/%s.tar", root, name);
                CHECK(write_file_atomic(tarpath, tar, tl, 0600, E));
                _cleanup_close_ int fd = open(tarpath, O_RDONLY | O_CLOEXEC);
                StoreLayerCreateOptions lo = { .parent = w->base, .expected_diff_digest = diff };
                StoreLayer *l = NULL;
                CHECK(store_layer_create(w->s, fd, &lo, &l, E));
                int cl = snprintf(cfg, sizeof(cfg),
                                  "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
                                  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]}}",
                                  fx_at("busybox", "diff_ids", 0), diff);
                store_sha256_digest(cfg, (size_t) cl, cdig);
                int ml = snprintf(man, sizeof(man),
                                  "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                                  "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%d},"
                                  "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\",\"size\":%" G_GINT64_FORMAT "},"
                                  "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":%zu}]}",
                                  cdig, cl, fx_at("busybox", "layer_digests", 0), fx_int_at("busybox", "layer_sizes", 0), diff, tl);
                char tag[96];
                snprintf(tag, sizeof(tag), "localhost/%s:1", name);
                StoreImageCreateOptions io = { .id = cdig + 7, .names = (char *[]){ tag, NULL }, .top_layer = l->id,
                                               .manifest = man, .manifest_len = (size_t) ml, .config = cfg,
                                               .config_len = (size_t) cl };
                StoreImage *img = NULL;
                CHECK(store_image_create(w->s, &io, &img, E));
                store_image_free(img);
                store_layer_free(l);
        }
        return NULL;
}

static void body_concurrent(void) {
        make_fixtures();
        Store *s = open_store();
        StoreImage *base = import_image(s, "busybox", (char *[]){ "localhost/base:1", NULL });
        Writer w1 = { s, base->top_layer, 6, 1 }, w2 = { s, base->top_layer, 6, 2 };
        /* skopeo writes the same store from another process meanwhile. */
        char src[512], dst[1024];
        snprintf(src, sizeof(src), "oci:%s/oci/layered:1", root);
        snprintf(dst, sizeof(dst), "containers-storage:[overlay@%s+%s]docker.io/library/concurrent:1", graph, run);
        char *argv[] = { "skopeo", "copy", "--quiet", src, dst, NULL };
        GPid pid;
        ASSERT_TRUE(g_spawn_async(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL));
        pthread_t t1, t2;
        pthread_create(&t1, NULL, writer, &w1);
        pthread_create(&t2, NULL, writer, &w2);
        pthread_join(t1, NULL);
        pthread_join(t2, NULL);
        int status = 0;
        /* Report whether skopeo was still writing when our threads were done. */
        printf("# skopeo %s when our writers finished\n", waitpid(pid, &status, WNOHANG) == 0 ? "still running" : "done");
        if (!WIFEXITED(status))
                waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        store_close(s);
        s = open_store();
        StoreImage **imgs = NULL;
        CHECK(store_images(s, &imgs, E));
        ASSERT_EQ_INT(strv_length((char **) imgs), 1 + 12 + 1);
        store_image_list_free(imgs);
        _cleanup_free_ char *out = NULL;
        ASSERT_EQ_INT(podman(&out, "images", "-q", "--no-trunc", NULL, NULL), 0);
        int lines = 0;
        for (char *p = out; *p; p++)
                lines += *p == '\n';
        ASSERT_EQ_INT(lines, 14);
        store_image_free(base);
        store_close(s);
}
TEST(concurrent_writers_lose_no_image) {
        sandbox(body_concurrent);
}

static void body_incomplete(void) {
        make_fixtures();
        Store *s = open_store();
        StoreImage *img = import_image(s, "busybox", (char *[]){ "localhost/base:1", NULL });
        _cleanup_free_ char *top = strdup(img->top_layer);
        store_image_free(img);
        store_close(s);
        /* A writer killed after recording the layer and while filling its directory. */
        const char *id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        char p[1024], *json = NULL;
        size_t len = 0;
        snprintf(p, sizeof(p), "%s/overlay-layers/layers.json", graph);
        CHECK(read_file(p, 1 << 20, &json, &len, E));
        ASSERT_TRUE(len > 2 && json[len - 1] == ']');
        json[len - 1] = '\0';
        _cleanup_free_ char *njson = NULL;
        ASSERT_TRUE(asprintf(&njson, "%s,{\"id\":\"%s\",\"parent\":\"%s\",\"created\":\"2026-01-01T00:00:00Z\","
                                     "\"flags\":{\"incomplete\":true}}]", json, id, top) > 0);
        free(json);
        CHECK(write_file_atomic(p, njson, strlen(njson), 0600, E));
        snprintf(p, sizeof(p), "%s/overlay/%s/diff/half", graph, id);
        CHECK(mkdir_p(p, 0755, E));
        snprintf(p, sizeof(p), "%s/overlay/%s/link", graph, id);
        CHECK(write_file_atomic(p, "AAAAAAAAAAAAAAAAAAAAAAAAAA", 26, 0644, E));
        snprintf(p, sizeof(p), "%s/overlay/l/AAAAAAAAAAAAAAAAAAAAAAAAAA", graph);
        ASSERT_OK(symlink("../0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/diff", p));
        /* And one killed while extracting (our staging directory, its lock released). */
        snprintf(p, sizeof(p), "%s/overlay/crio-staging-dead01/diff/bin", graph);
        CHECK(mkdir_p(p, 0755, E));
        snprintf(p, sizeof(p), "%s/overlay/crio-staging-dead01/lock", graph);
        CHECK(write_file_atomic(p, "", 0, 0600, E));

        s = open_store();
        StoreLayer *l = NULL;
        CrioError e = {};
        ASSERT_EQ_INT(store_layer_get(s, id, &l, &e), -ENOENT);
        crio_error_clear(&e);
        ASSERT_TRUE(!exists("%s/overlay/%s", id));
        ASSERT_TRUE(!exists("%s/overlay/l/%s", "AAAAAAAAAAAAAAAAAAAAAAAAAA"));
        ASSERT_TRUE(!exists("%s/overlay/%s", "crio-staging-dead01"));
        CHECK(store_layer_get(s, top, &l, E));
        store_layer_free(l);
        store_close(s);
        _cleanup_free_ char *out = NULL;
        ASSERT_EQ_INT(podman(&out, "images", "--format", "{{.Repository}}", NULL, NULL), 0);
        ASSERT_CONTAINS(out, "localhost/base");
        podman_run("localhost/base:1");
}
TEST(incomplete_layers_are_cleaned_up_on_open) {
        sandbox(body_incomplete);
}

static void body_names(void) {
        make_fixtures();
        Store *s = open_store();
        StoreImage *a = import_image(s, "busybox", (char *[]){ "localhost/x:1", "localhost/x:latest", NULL });
        StoreImage *b = import_image(s, "sibling", (char *[]){ "localhost/x:latest", NULL });
        StoreImage *a2 = NULL;
        CHECK(store_image_get(s, a->id, &a2, E));
        ASSERT_TRUE(strv_contains(a2->names, "localhost/x:1") && !strv_contains(a2->names, "localhost/x:latest"));
        ASSERT_TRUE(strv_contains(a2->names_history, "localhost/x:latest"));
        CHECK(store_image_remove_names(s, a->id, (char *[]){ "localhost/x:1", NULL }, E));
        CrioError e = {};
        StoreImage *none = NULL;
        ASSERT_EQ_INT(store_image_get(s, "localhost/x:1", &none, &e), -ENOENT);
        crio_error_clear(&e);
        /* Deleting the sibling keeps the shared base layer, deletes its own. */
        CHECK(store_image_delete(s, b->id, E));
        StoreLayer **layers = NULL;
        CHECK(store_layers(s, &layers, E));
        ASSERT_EQ_INT(strv_length((char **) layers), 1);
        ASSERT_EQ_STR(layers[0]->id, a->top_layer);
        store_layer_list_free(layers);
        ASSERT_EQ_INT(store_layer_delete(s, a->top_layer, &e), -EBUSY);
        crio_error_clear(&e);
        /* A hostile layer is refused and leaves nothing behind. */
        char tar[2048], p[512];
        size_t tl = make_tar(tar, sizeof(tar), "../escaped", "x");
        snprintf(p, sizeof(p), "%s/bad.tar", root);
        CHECK(write_file_atomic(p, tar, tl, 0600, E));
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
        StoreLayer *bad = NULL;
        ASSERT_TRUE(store_layer_create(s, fd, &(StoreLayerCreateOptions){ .parent = a->top_layer }, &bad, &e) < 0);
        printf("# refused: %s\n", e.msg);
        crio_error_clear(&e);
        CHECK(store_layers(s, &layers, E));
        ASSERT_EQ_INT(strv_length((char **) layers), 1);
        store_layer_list_free(layers);
        _cleanup_closedir_ DIR *d = opendir(graph);
        for (struct dirent *de; d && (de = readdir(d));)
                ASSERT_TRUE(strcmp(de->d_name, "escaped") != 0);
        snprintf(p, sizeof(p), "%s/overlay", graph);
        _cleanup_closedir_ DIR *h = opendir(p);
        for (struct dirent *de; h && (de = readdir(h));)
                ASSERT_TRUE(!str_startswith(de->d_name, "crio-staging-"));
        store_image_free(a);
        store_image_free(a2);
        store_image_free(b);
        store_close(s);
}
TEST(names_move_between_images_and_shared_layers_stay) {
        sandbox(body_names);
}

/* Stage layers out of order (as a parallel pull does), commit them base first: the same IDs
 * and records as store_layer_create; digest and size checks; a tar without a root entry
 * takes its parent's root mode at commit. */
static void body_staged(void) {
        make_fixtures();
        Store *s = open_store();
        guint n = fx_layers("layered");
        StoreStagedLayer *staged[8] = {};
        ASSERT_TRUE(n >= 3 && n <= 8);
        for (guint k = n; k-- > 0;) {
                char p[1024];
                snprintf(p, sizeof(p), "%s/oci/layered/blobs/sha256/%s", root, fx_at("layered", "layer_digests", k) + 7);
                _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);
                struct stat st;
                ASSERT_TRUE(fstat(fd, &st) == 0);
                StoreLayerCreateOptions so = { .expected_diff_digest = fx_at("layered", "diff_ids", k),
                                               .expected_compressed_digest = fx_at("layered", "layer_digests", k),
                                               .expected_compressed_size = st.st_size };
                CHECK(store_layer_stage(s, fd, &so, &staged[k], E));
                ASSERT_EQ_STR(store_staged_layer_diff_digest(staged[k]), fx_at("layered", "diff_ids", k));
                ASSERT_EQ_STR(store_staged_layer_compressed_digest(staged[k]), fx_at("layered", "layer_digests", k));
        }
        char parent[STORE_ID_LEN + 1] = "";
        for (guint k = 0; k < n; k++) {
                char id[STORE_ID_LEN + 1];
                CHECK(store_layer_id_for(k ? parent : NULL, fx_at("layered", "diff_ids", k), id, E));
                StoreLayer *l = NULL;
                CrioError e = {};
                if (k + 1 < n) { /* committing before the parent is there fails, and can be retried */
                        char child[STORE_ID_LEN + 1];
                        CHECK(store_layer_id_for(id, fx_at("layered", "diff_ids", k + 1), child, E));
                        ASSERT_EQ_INT(store_layer_commit(s, staged[k + 1], child, id, NULL, &l, &e), -ENOENT);
                        crio_error_clear(&e);
                }
                ASSERT_EQ_INT(store_layer_commit(s, staged[k], id, k ? parent : NULL, NULL, &l, &e), 0);
                ASSERT_EQ_STR(l->id, id);
                ASSERT_EQ_STR(l->diff_digest, fx_at("layered", "diff_ids", k));
                ASSERT_EQ_STR(l->compressed_digest, fx_at("layered", "layer_digests", k));
                store_layer_free(l);
                store_staged_layer_free(staged[k]);
                memcpy(parent, id, sizeof(parent));
        }
        /* A wrong blob digest or size is refused at staging; nothing stays behind. */
        char tar[2048], p[512];
        size_t tl = make_tar(tar, sizeof(tar), "noroot", "x");
        snprintf(p, sizeof(p), "%s/noroot.tar", root);
        CHECK(write_file_atomic(p, tar, tl, 0600, E));
        char right[STORE_DIGEST_LEN + 1];
        store_sha256_digest(tar, tl, right);
        const char *wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        for (int c = 0; c < 2; c++) {
                _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
                StoreLayerCreateOptions so = { .expected_compressed_digest = c == 0 ? wrong : right,
                                               .expected_compressed_size = c == 0 ? (int64_t) tl : (int64_t) tl + 1 };
                StoreStagedLayer *bad = NULL;
                CrioError e = {};
                ASSERT_EQ_INT(store_layer_stage(s, fd, &so, &bad, &e), -EBADMSG);
                printf("# refused: %s\n", e.msg);
                crio_error_clear(&e);
        }
        /* No root entry: the parent's root mode (chmod it to something unusual first). */
        char pdiff[1024];
        snprintf(pdiff, sizeof(pdiff), "%s/overlay/%s/diff", graph, parent);
        ASSERT_TRUE(chmod(pdiff, 0751) == 0);
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
        StoreStagedLayer *nr = NULL;
        CHECK(store_layer_stage(s, fd, &(StoreLayerCreateOptions){}, &nr, E));
        StoreLayer *l = NULL;
        CHECK(store_layer_commit(s, nr, NULL, parent, NULL, &l, E));
        char ldiff[1024];
        snprintf(ldiff, sizeof(ldiff), "%s/overlay/%s/diff", graph, l->id);
        struct stat st;
        ASSERT_TRUE(stat(ldiff, &st) == 0);
        ASSERT_EQ_INT(st.st_mode & 07777, 0751);
        store_layer_free(l);
        store_staged_layer_free(nr);
        snprintf(p, sizeof(p), "%s/overlay", graph);
        _cleanup_closedir_ DIR *h = opendir(p);
        for (struct dirent *de; h && (de = readdir(h));)
                ASSERT_TRUE(!str_startswith(de->d_name, "crio-staging-"));
        store_close(s);
}
TEST(staged_layers_commit_in_order) {
        sandbox(body_staged);
}

int main(void) {
        return test_main();
}
