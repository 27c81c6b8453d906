/* Container users: the CRI fields and the image's User against a rootfs's /etc/passwd and
 * /etc/group, including hostile files (symlinks out of the rootfs, huge files, bad lines). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "test.h"
#include "test-tmp.h"
#include "oci/user.h"
#include "util/cleanup.h"
#include "util/error.h"

static const char passwd_text[] =
        "root:x:0:0:root:/root:/bin/sh\n"
        "# a comment\n"
        "\n"
        "   \n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
        "bob:x:1001:1001::/home/bob:/bin/sh\n"
        "nohome:x:1002:1002\n"
        "  spaced:x:1003:1003::/home/spaced:/bin/sh  \r\n"
        "evil:x:abc:def:uid is not a number:/:/bin/sh\n"
        "neg:x:-1:0::/:/bin/sh\n"
        "huge:x:4294967296:0::/:/bin/sh\n"
        "short:x\n"
        ":x:1234:1234:no name:/:/bin/sh\n"
        "1500:x:1600:1600:numeric name:/n:/bin/sh\n"
        "alice:x:2000:2000:second alice, ignored:/other:/bin/sh\n";

static const char group_text[] =
        "root:x:0:\n"
        "wheel:x:10:alice, bob\n"
        "users:x:100:alice\n"
        "alice:x:1000:\n"
        "bob:x:1001:\n"
        "staff:x:50:carol,alice\n"
        "broken:x:notanumber:alice\n"
        "dups:x:100:alice\n"
        "empties:x:60:,,\n"
        "nomembers:x:70\n";

/* Makes <tmp>/rootfs/etc with the given files (NULL = absent); returns an fd of rootfs. */
static int make_rootfs(const char *passwd, const char *group) {
        const char *d = test_tmp_dir();
        char p[512];
        snprintf(p, sizeof p, "%s/rootfs", d);
        mkdir(p, 0755);
        snprintf(p, sizeof p, "%s/rootfs/etc", d);
        mkdir(p, 0755);
        if (passwd)
                test_tmp_write("rootfs/etc/passwd", passwd);
        if (group)
                test_tmp_write("rootfs/etc/group", group);
        snprintf(p, sizeof p, "%s/rootfs", d);
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                test_fail(__FILE__, __LINE__, "open %s: %s", p, strerror(errno));
        return fd;
}

static void write_rootfs_file(const char *name, const char *text) {
        char rel[256];
        snprintf(rel, sizeof rel, "rootfs/%s", name);
        /* test_tmp_write makes one directory level only: rootfs/etc exists already */
        char p[512];
        snprintf(p, sizeof p, "%s/%s", test_tmp_current, rel);
        FILE *f = fopen(p, "we");
        if (!f)
                test_fail(__FILE__, __LINE__, "fopen %s: %s", p, strerror(errno));
        fputs(text, f);
        fclose(f);
}

static OciUser lookup_ok(int fd, const char *user) {
        OciUser u = {};
        CrioError err = {};
        if (oci_user_lookup(fd, user, &u, &err) < 0)
                test_fail(__FILE__, __LINE__, "oci_user_lookup(%s): %s", user, err.msg);
        return u;
}

static bool has_gid(const OciUser *u, gid_t g) {
        for (size_t i = 0; i < u->n_additional_gids; i++)
                if (u->additional_gids[i] == g)
                        return true;
        return false;
}

TEST(name_gives_uid_gid_home_and_member_groups) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        _cleanup_(oci_user_clear) OciUser u = lookup_ok(fd, "alice");
        ASSERT_EQ_INT(u.uid, 1000);
        ASSERT_EQ_INT(u.gid, 1000);
        ASSERT_EQ_STR(u.home, "/home/alice");
        /* wheel (with spaces), users, staff; "dups" repeats gid 100; "broken" skipped */
        ASSERT_EQ_INT(u.n_additional_gids, 3);
        ASSERT_EQ_INT(u.additional_gids[0], 10);
        ASSERT_EQ_INT(u.additional_gids[1], 100);
        ASSERT_EQ_INT(u.additional_gids[2], 50);
}

TEST(uid_in_passwd_takes_the_entry) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        _cleanup_(oci_user_clear) OciUser u = lookup_ok(fd, "1001");
        ASSERT_EQ_INT(u.uid, 1001);
        ASSERT_EQ_INT(u.gid, 1001);
        ASSERT_EQ_STR(u.home, "/home/bob");
        ASSERT_EQ_INT(u.n_additional_gids, 1); /* wheel */
        ASSERT_EQ_INT(u.additional_gids[0], 10);
}

TEST(numeric_user_without_entry_is_fine) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        _cleanup_(oci_user_clear) OciUser u = lookup_ok(fd, "4242");
        ASSERT_EQ_INT(u.uid, 4242);
        ASSERT_EQ_INT(u.gid, 0);
        ASSERT_EQ_STR(u.home, "/");
        ASSERT_EQ_INT(u.n_additional_gids, 0);
        _cleanup_(oci_user_clear) OciUser v = lookup_ok(fd, "4242:4343");
        ASSERT_EQ_INT(v.uid, 4242);
        ASSERT_EQ_INT(v.gid, 4343);
}

TEST(empty_user_is_root) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        _cleanup_(oci_user_clear) OciUser u = lookup_ok(fd, "");
        ASSERT_EQ_INT(u.uid, 0);
        ASSERT_EQ_INT(u.gid, 0);
        ASSERT_EQ_STR(u.home, "/root");
        _cleanup_(oci_user_clear) OciUser v = lookup_ok(fd, NULL);
        ASSERT_EQ_INT(v.uid, 0);
        _cleanup_(oci_user_clear) OciUser w = lookup_ok(fd, ":wheel");
        ASSERT_EQ_INT(w.uid, 0);
        ASSERT_EQ_INT(w.gid, 10);
}

TEST(explicit_group_by_name_or_number) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        _cleanup_(oci_user_clear) OciUser u = lookup_ok(fd, "alice:staff");
        ASSERT_EQ_INT(u.uid, 1000);
        ASSERT_EQ_INT(u.gid, 50);
        ASSERT_EQ_INT(u.n_additional_gids, 0); /* an explicit group: no membership search */
        _cleanup_(oci_user_clear) OciUser v = lookup_ok(fd, "alice:777");
        ASSERT_EQ_INT(v.gid, 777);
        _cleanup_(oci_user_clear) OciUser w = lookup_ok(fd, "alice:");
        ASSERT_EQ_INT(w.gid, 1000);
        ASSERT_EQ_INT(w.n_additional_gids, 3);
}

TEST(unknown_names_are_errors_naming_them) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        OciUser u = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "mallory", &u, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "mallory");
        ASSERT_TRUE(u.home == NULL);
        _cleanup_(crio_error_clear) CrioError err2 = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "alice:nogroup", &u, &err2), -ENOENT);
        ASSERT_CONTAINS(err2.msg, "nogroup");
        ASSERT_TRUE(u.home == NULL);
}

TEST(malformed_lines_are_skipped) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        OciUser u = {};
        /* a non-numeric uid must not read as 0 (root) */
        _cleanup_(crio_error_clear) CrioError e1 = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "evil", &u, &e1), -ENOENT);
        _cleanup_(crio_error_clear) CrioError e2 = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "neg", &u, &e2), -ENOENT);
        _cleanup_(crio_error_clear) CrioError e3 = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "huge", &u, &e3), -ENOENT);
        _cleanup_(crio_error_clear) CrioError e4 = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "short", &u, &e4), -ENOENT);
        /* the empty-name line does not make uid 1234 known, but a number is fine anyway */
        _cleanup_(oci_user_clear) OciUser n = lookup_ok(fd, "1234");
        ASSERT_EQ_INT(n.gid, 0);
        /* trimmed lines still count; a short line without home gets "/" */
        _cleanup_(oci_user_clear) OciUser s = lookup_ok(fd, "spaced");
        ASSERT_EQ_INT(s.uid, 1003);
        ASSERT_EQ_STR(s.home, "/home/spaced");
        _cleanup_(oci_user_clear) OciUser h = lookup_ok(fd, "nohome");
        ASSERT_EQ_STR(h.home, "/");
        /* first match wins */
        _cleanup_(oci_user_clear) OciUser a = lookup_ok(fd, "alice");
        ASSERT_EQ_INT(a.uid, 1000);
        /* a numeric string matches a name first when that line comes first... here the
         * name "1500" is the only match (uid 1600) */
        _cleanup_(oci_user_clear) OciUser num = lookup_ok(fd, "1500");
        ASSERT_EQ_INT(num.uid, 1600);
}

TEST(symlinked_passwd_outside_rootfs_is_not_read) {
        /* the host's /etc/passwd knows "root" as uid 0; put a fake host file in place of
         * it instead, via a symlink that points outside the rootfs */
        _cleanup_close_ int fd = make_rootfs(NULL, NULL);
        const char *outside = test_tmp_write("host-passwd", "hostonly:x:4321:4321::/h:/bin/sh\n");
        char link[512];
        snprintf(link, sizeof link, "%s/rootfs/etc/passwd", test_tmp_current);
        ASSERT_TRUE(symlink(outside, link) == 0);
        OciUser u = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "hostonly", &u, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "symlink");
        /* the real host file, by absolute symlink, too */
        unlink(link);
        ASSERT_TRUE(symlink("/etc/passwd", link) == 0);
        _cleanup_(crio_error_clear) CrioError err2 = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "root", &u, &err2), -ENOENT);
        /* numeric users still work */
        _cleanup_(oci_user_clear) OciUser n = lookup_ok(fd, "0");
        ASSERT_EQ_STR(n.home, "/");
}

TEST(symlinked_etc_is_not_followed) {
        const char *d = test_tmp_dir();
        test_tmp_write("hostetc/passwd", "hostonly:x:4321:4321::/h:/bin/sh\n");
        char p[512], t[512];
        snprintf(p, sizeof p, "%s/rootfs", d);
        mkdir(p, 0755);
        snprintf(t, sizeof t, "%s/hostetc", d);
        snprintf(p, sizeof p, "%s/rootfs/etc", d);
        ASSERT_TRUE(symlink(t, p) == 0);
        snprintf(p, sizeof p, "%s/rootfs", d);
        _cleanup_close_ int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        OciUser u = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "hostonly", &u, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "symlink");
}

TEST(symlinked_group_is_not_read) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, NULL);
        const char *outside = test_tmp_write("host-group", "hostgroup:x:999:alice\n");
        char link[512];
        snprintf(link, sizeof link, "%s/rootfs/etc/group", test_tmp_current);
        ASSERT_TRUE(symlink(outside, link) == 0);
        _cleanup_(oci_user_clear) OciUser u = lookup_ok(fd, "alice");
        ASSERT_EQ_INT(u.n_additional_gids, 0);
        OciUser v = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "alice:hostgroup", &v, &err), -ENOENT);
}

TEST(fifo_passwd_is_not_opened_for_reading) {
        _cleanup_close_ int fd = make_rootfs(NULL, NULL);
        char p[512];
        snprintf(p, sizeof p, "%s/rootfs/etc/passwd", test_tmp_current);
        ASSERT_TRUE(mkfifo(p, 0644) == 0);
        OciUser u = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "alice", &u, &err), -ENOENT); /* does not hang */
        ASSERT_CONTAINS(err.msg, "not a regular file");
}

TEST(huge_passwd_is_rejected) {
        _cleanup_close_ int fd = make_rootfs(NULL, group_text);
        char p[512];
        snprintf(p, sizeof p, "%s/rootfs/etc/passwd", test_tmp_current);
        int w = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_TRUE(w >= 0);
        ASSERT_TRUE(ftruncate(w, OCI_USER_FILE_MAX + 1) == 0); /* sparse */
        close(w);
        OciUser u = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "1000", &u, &err), -EFBIG);
        ASSERT_CONTAINS(err.msg, "/etc/passwd");
}

TEST(too_many_lines_rejected) {
        _cleanup_close_ int fd = make_rootfs(NULL, NULL);
        size_t n = OCI_USER_LINES_MAX + 1;
        char *text = malloc(n + 1);
        memset(text, '\n', n);
        text[n] = '\0';
        write_rootfs_file("etc/passwd", text);
        free(text);
        OciUser u = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "nobody", &u, &err), -EFBIG);
        ASSERT_CONTAINS(err.msg, "lines");
}

TEST(missing_files) {
        _cleanup_close_ int fd = make_rootfs(NULL, NULL);
        _cleanup_(oci_user_clear) OciUser u = lookup_ok(fd, "65534:65534");
        ASSERT_EQ_INT(u.uid, 65534);
        ASSERT_EQ_INT(u.gid, 65534);
        OciUser v = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_user_lookup(fd, "alice", &v, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "missing");
}

TEST(no_trailing_newline_and_nul_bytes) {
        _cleanup_close_ int fd = make_rootfs("alice:x:1000:1000::/home/alice:/bin/sh", NULL);
        _cleanup_(oci_user_clear) OciUser u = lookup_ok(fd, "alice");
        ASSERT_EQ_INT(u.uid, 1000);
        char p[512];
        snprintf(p, sizeof p, "%s/rootfs/etc/group", test_tmp_current);
        FILE *f = fopen(p, "we");
        fwrite("g1:x:5:al\0ice\ng2:x:6:alice\n", 1, 27, f);
        fclose(f);
        _cleanup_(oci_user_clear) OciUser v = lookup_ok(fd, "alice");
        ASSERT_EQ_INT(v.n_additional_gids, 1);
        ASSERT_EQ_INT(v.additional_gids[0], 6);
}

/* --- the CRI fields --- */

static OciUser resolve_ok(int fd, const OciUserRequest *req) {
        OciUser u = {};
        CrioError err = {};
        if (oci_user_resolve(fd, req, &u, &err) < 0)
                test_fail(__FILE__, __LINE__, "oci_user_resolve: %s", err.msg);
        return u;
}

TEST(cri_run_as_user_wins_over_image_user) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        OciUserRequest req = { .has_run_as_user = true, .run_as_user = 1001, .run_as_username = "alice",
                               .image_user = "daemon:wheel" };
        _cleanup_(oci_user_clear) OciUser u = resolve_ok(fd, &req);
        ASSERT_EQ_INT(u.uid, 1001);
        ASSERT_EQ_INT(u.gid, 1001);
        ASSERT_EQ_STR(u.home, "/home/bob");
}

TEST(cri_username_then_image_user) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        OciUserRequest req = { .run_as_username = "alice", .image_user = "daemon" };
        _cleanup_(oci_user_clear) OciUser u = resolve_ok(fd, &req);
        ASSERT_EQ_INT(u.uid, 1000);
        OciUserRequest img = { .run_as_username = "", .image_user = "bob:staff" };
        _cleanup_(oci_user_clear) OciUser v = resolve_ok(fd, &img);
        ASSERT_EQ_INT(v.uid, 1001);
        ASSERT_EQ_INT(v.gid, 50);
        OciUserRequest none = {};
        _cleanup_(oci_user_clear) OciUser w = resolve_ok(fd, &none);
        ASSERT_EQ_INT(w.uid, 0);
        ASSERT_EQ_STR(w.home, "/root");
}

TEST(cri_run_as_group_replaces_group_part) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        OciUserRequest req = { .has_run_as_group = true, .run_as_group = 3000, .image_user = "bob:staff" };
        _cleanup_(oci_user_clear) OciUser u = resolve_ok(fd, &req);
        ASSERT_EQ_INT(u.uid, 1001);
        ASSERT_EQ_INT(u.gid, 3000);
        OciUserRequest req2 = { .has_run_as_user = true, .run_as_user = 5000, .has_run_as_group = true,
                                .run_as_group = 10 };
        _cleanup_(oci_user_clear) OciUser v = resolve_ok(fd, &req2);
        ASSERT_EQ_INT(v.uid, 5000);
        ASSERT_EQ_INT(v.gid, 10);
}

TEST(cri_supplemental_groups_appended_without_duplicates) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        const int64_t extra[] = { 100, 4000, 4000, 0 };
        OciUserRequest req = { .run_as_username = "alice", .supplemental_groups = extra, .n_supplemental_groups = 4 };
        _cleanup_(oci_user_clear) OciUser u = resolve_ok(fd, &req);
        ASSERT_EQ_INT(u.n_additional_gids, 5); /* 10, 100, 50 from /etc/group, then 4000, 0 */
        ASSERT_TRUE(has_gid(&u, 4000));
        ASSERT_TRUE(has_gid(&u, 0));
        ASSERT_EQ_INT(u.additional_gids[3], 4000);
}

TEST(cri_out_of_range_ids_refused) {
        _cleanup_close_ int fd = make_rootfs(passwd_text, group_text);
        OciUser u = {};
        OciUserRequest a = { .has_run_as_user = true, .run_as_user = -1 };
        _cleanup_(crio_error_clear) CrioError e1 = {};
        ASSERT_EQ_INT(oci_user_resolve(fd, &a, &u, &e1), -EINVAL);
        OciUserRequest b = { .has_run_as_group = true, .run_as_group = (int64_t) 1 << 32 };
        _cleanup_(crio_error_clear) CrioError e2 = {};
        ASSERT_EQ_INT(oci_user_resolve(fd, &b, &u, &e2), -EINVAL);
        const int64_t bad[] = { -5 };
        OciUserRequest c = { .supplemental_groups = bad, .n_supplemental_groups = 1 };
        _cleanup_(crio_error_clear) CrioError e3 = {};
        ASSERT_EQ_INT(oci_user_resolve(fd, &c, &u, &e3), -EINVAL);
        OciUserRequest d = { .run_as_username = "alice:wheel" };
        _cleanup_(crio_error_clear) CrioError e4 = {};
        ASSERT_EQ_INT(oci_user_resolve(fd, &d, &u, &e4), -EINVAL);
        ASSERT_TRUE(u.home == NULL);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-oci-user-XXXXXX");
}
