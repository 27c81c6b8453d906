/* Cgroups (src/runtime/cgroup.c, cgroup-stats.c): path naming, /proc/<pid>/cgroup parsing,
 * stats from fake v1/v2/hybrid trees, and on real v1 cgroups (root only, else skipped): a
 * busy child's cpu and memory seen growing, removal refused while it lives (other hierarchies
 * cleaned), then everything removed. */
#include <errno.h>
#include <glib.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cgroup-stats.h"
#include "runtime/cgroup.h"
#include "test-tmp.h"
#include "util/cleanup.h"
#include "util/fileio.h"

/* Top cgroup of this run, "/crio-test-<pid>": main removes it whatever happened. */
static char test_top[64];

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect_path(const char *parent, const char *id, const char *want) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *p = NULL;
        int r = cgroup_container_path(CGROUP_MANAGER_CGROUPFS, parent, id, &p, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "cgroup_container_path(%s, %s): %s", parent, id, err.msg);
        ASSERT_EQ_STR(p, want);
}

static void expect_path_error(const char *parent, const char *id, int code, const char *msg_part) {
        _cleanup_(crio_error_clear) CrioError err = {};
        char *p = NULL;
        ASSERT_EQ_INT(cgroup_container_path(CGROUP_MANAGER_CGROUPFS, parent, id, &p, &err), -code);
        ASSERT_TRUE(p == NULL);
        ASSERT_CONTAINS(err.msg, msg_part);
}

TEST(container_paths) {
        expect_path("/kubepods/burstable/pod1234", ID64, "/kubepods/burstable/pod1234/crio-" ID64);
        expect_path("", "abc", "/crio/crio-abc");
        expect_path(NULL, "abc", "/crio/crio-abc");
        expect_path("kubepods//besteffort/podX/", "abc", "/kubepods/besteffort/podX/crio-abc");
        expect_path("/", "abc", "/crio-abc");
        expect_path("/a.slice.d/x", "abc", "/a.slice.d/x/crio-abc");
        expect_path_error("/kubepods.slice/kubepods-burstable.slice", "abc", EINVAL, "kubepods-burstable.slice");
        expect_path_error("/kubepods.slice/kubepods-burstable.slice", "abc", EINVAL, "systemd slice");
        expect_path_error("/kubepods/../etc", "abc", EINVAL, "\"..\"");
        expect_path_error("/kubepods/./x", "abc", EINVAL, "\"..\"");
        expect_path_error("/kube\npods", "abc", EINVAL, "control character");
        expect_path_error("/kubepods", "a/b", EINVAL, "invalid container id");
        expect_path_error("/kubepods", "", EINVAL, "invalid container id");
        expect_path_error("/kubepods", "..", EINVAL, "invalid container id");
        char longid[CGROUP_ID_MAX + 2];
        memset(longid, 'a', sizeof longid - 1);
        longid[sizeof longid - 1] = '\0';
        expect_path_error("/kubepods", longid, EINVAL, "invalid container id");
        char longparent[CGROUP_PATH_MAX + 2];
        memset(longparent, 'p', sizeof longparent - 1);
        longparent[0] = '/';
        longparent[sizeof longparent - 1] = '\0';
        expect_path_error(longparent, "abc", EINVAL, "longer than");
}

static void expect_systemd(const char *parent, const char *want_path, const char *want_dir) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *norm = NULL, *p = NULL, *d = NULL;
        if (cgroup_parent_normalize(CGROUP_MANAGER_SYSTEMD, parent, &norm, &err) < 0)
                test_fail(__FILE__, __LINE__, "normalize(%s): %s", parent, err.msg);
        ASSERT_EQ_INT(cgroup_parent_manager(norm), CGROUP_MANAGER_SYSTEMD);
        ASSERT_OK(cgroup_container_path(CGROUP_MANAGER_SYSTEMD, parent, "abc", &p, &err));
        ASSERT_EQ_STR(p, want_path);
        ASSERT_OK(cgroup_container_dir(norm, "abc", &d, &err));
        ASSERT_EQ_STR(d, want_dir);
}

static void expect_systemd_error(const char *parent, const char *msg_part) {
        _cleanup_(crio_error_clear) CrioError err = {};
        char *p = NULL;
        ASSERT_EQ_INT(cgroup_container_path(CGROUP_MANAGER_SYSTEMD, parent, "abc", &p, &err), -EINVAL);
        ASSERT_TRUE(p == NULL);
        ASSERT_CONTAINS(err.msg, msg_part);
}

/* The systemd manager's names, as runc's systemd driver and CRI-O build them. */
TEST(systemd_paths) {
        expect_systemd("kubepods-besteffort-pod12.slice", "kubepods-besteffort-pod12.slice:crio:abc",
                       "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/crio-abc.scope");
        expect_systemd("", "system.slice:crio:abc", "/system.slice/crio-abc.scope");
        expect_systemd(NULL, "system.slice:crio:abc", "/system.slice/crio-abc.scope");
        expect_systemd("/kubepods.slice/kubepods-burstable.slice", "kubepods-burstable.slice:crio:abc",
                       "/kubepods.slice/kubepods-burstable.slice/crio-abc.scope");
        expect_systemd("-.slice", "-.slice:crio:abc", "/crio-abc.scope");
        expect_systemd("a_b:c\\x2d.slice", "a_b:c\\x2d.slice:crio:abc", "/a_b:c\\x2d.slice/crio-abc.scope");
        expect_systemd_error("/kubepods/burstable", "needs a slice");
        expect_systemd_error("/kubepods/burstable", "\"burstable\" is not a systemd slice");
        expect_systemd_error(".slice", "not a systemd slice");
        expect_systemd_error("-a.slice", "'-' may not start");
        expect_systemd_error("a-.slice", "'-' may not start");
        expect_systemd_error("a--b.slice", "'-' may not start");
        expect_systemd_error("a b.slice", "character systemd refuses");
        expect_systemd_error("a\n.slice", "character systemd refuses");
        char longslice[CGROUP_UNIT_NAME_MAX + 8];
        memset(longslice, 'a', sizeof longslice);
        strcpy(longslice + sizeof longslice - 7, ".slice");
        expect_systemd_error(longslice, "longer than");
        /* Many short components expand past CGROUP_PATH_MAX. */
        char deep[CGROUP_UNIT_NAME_MAX + 1];
        size_t o = 0;
        while (o + 2 + 6 < CGROUP_UNIT_NAME_MAX)
                deep[o++] = 'a', deep[o++] = '-';
        deep[o++] = 'a';
        strcpy(deep + o, ".slice");
        expect_systemd_error(deep, "expands to more than");

        /* A normalized parent tells its manager; "" (records of earlier versions) is cgroupfs. */
        ASSERT_EQ_INT(cgroup_parent_manager(""), CGROUP_MANAGER_CGROUPFS);
        ASSERT_EQ_INT(cgroup_parent_manager(NULL), CGROUP_MANAGER_CGROUPFS);
        ASSERT_EQ_INT(cgroup_parent_manager("/crio"), CGROUP_MANAGER_CGROUPFS);
        ASSERT_EQ_INT(cgroup_parent_manager("/a.slice/x"), CGROUP_MANAGER_CGROUPFS);
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *d = NULL, *cm = NULL;
        ASSERT_OK(cgroup_container_dir("", "abc", &d, &err));
        ASSERT_EQ_STR(d, "/crio/crio-abc");
        ASSERT_OK(cgroup_conmon_dir("/kubepods/podX", "abc", &cm, &err));
        ASSERT_EQ_STR(cm, "/kubepods/podX/crio-conmon-abc");
}

TEST(conmon_cgroup_check) {
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(cgroup_conmon_check(CGROUP_MANAGER_CGROUPFS, "pod", &err));
        ASSERT_OK(cgroup_conmon_check(CGROUP_MANAGER_CGROUPFS, "", &err));
        ASSERT_OK(cgroup_conmon_check(CGROUP_MANAGER_SYSTEMD, "pod", &err));
        ASSERT_OK(cgroup_conmon_check(CGROUP_MANAGER_SYSTEMD, "system.slice", &err));
        ASSERT_EQ_INT(cgroup_conmon_check(CGROUP_MANAGER_CGROUPFS, "system.slice", &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "only \"pod\"");
        crio_error_clear(&err);
        ASSERT_EQ_INT(cgroup_conmon_check(CGROUP_MANAGER_SYSTEMD, "/conmon", &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "conmon_cgroup: \"/conmon\" is not a systemd slice");
}

TEST(parent_and_manager) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *a = NULL, *b = NULL;
        ASSERT_OK(cgroup_parent_normalize(CGROUP_MANAGER_CGROUPFS, "", &a, &err));
        ASSERT_EQ_STR(a, CGROUP_DEFAULT_PARENT);
        ASSERT_OK(cgroup_parent_normalize(CGROUP_MANAGER_CGROUPFS, "kubepods/podX/", &b, &err));
        ASSERT_EQ_STR(b, "/kubepods/podX");
        CgroupManager m = CGROUP_MANAGER_SYSTEMD;
        ASSERT_OK(cgroup_manager_from_string("cgroupfs", &m, &err));
        ASSERT_EQ_INT(m, CGROUP_MANAGER_CGROUPFS);
        ASSERT_OK(cgroup_manager_from_string("systemd", &m, &err));
        ASSERT_EQ_INT(m, CGROUP_MANAGER_SYSTEMD);
        ASSERT_EQ_INT(cgroup_manager_from_string("cgroupfs2", &m, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "cgroupfs2");
        crio_error_clear(&err);
        ASSERT_OK(cgroup_path_check("/", &err));
        ASSERT_EQ_INT(cgroup_path_check("relative", &err), -EINVAL);
        crio_error_clear(&err);
        ASSERT_EQ_INT(cgroup_path_check("/a/..", &err), -EINVAL);
        ASSERT_OK(cgroup_path_check("/a/..b/.c", &err));
}

TEST(proc_cgroup_parse) {
        const char *text = "12:pids:/p\n"
                           "4:memory:/process_api/x\n"
                           "3:cpu,cpuacct:/c:with:colons\n"
                           "1:name=systemd:/s\n"
                           "0::/unified/path\n";
        _cleanup_(cgroup_proc_list_clear) CgroupProcList l = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(cgroup_proc_parse(text, &l, &err));
        ASSERT_EQ_INT(l.n, 5);
        ASSERT_EQ_INT(l.entries[0].hierarchy_id, 12);
        ASSERT_EQ_STR(cgroup_proc_list_find(&l, "memory"), "/process_api/x");
        ASSERT_EQ_STR(cgroup_proc_list_find(&l, "cpuacct"), "/c:with:colons");
        ASSERT_EQ_STR(cgroup_proc_list_find(&l, "cpu"), "/c:with:colons");
        ASSERT_EQ_STR(cgroup_proc_list_find(&l, "name=systemd"), "/s");
        ASSERT_EQ_STR(cgroup_proc_list_find(&l, ""), "/unified/path");
        ASSERT_TRUE(cgroup_proc_list_find(&l, "cpuset") == NULL);
        ASSERT_TRUE(cgroup_proc_list_find(&l, "cpu,") == NULL);

        const char *bad[] = { "x:memory:/a\n", "4:memory\n", "4:memory:relative\n", ":memory:/a\n", "4:memory:\n",
                              "99999999999:memory:/a\n" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                CgroupProcList b = {};
                crio_error_clear(&err);
                ASSERT_EQ_INT(cgroup_proc_parse(bad[i], &b, &err), -EINVAL);
                ASSERT_CONTAINS(err.msg, "line 1");
                ASSERT_EQ_INT(b.n, 0);
        }
        GString *many = g_string_new(NULL);
        for (int i = 0; i <= CGROUP_PROC_ENTRIES_MAX; i++)
                g_string_append_printf(many, "%d:c%d:/x\n", i + 1, i);
        CgroupProcList b = {};
        crio_error_clear(&err);
        ASSERT_EQ_INT(cgroup_proc_parse(many->str, &b, &err), -E2BIG);
        g_string_free(many, TRUE);
}

TEST(own_cgroup_and_mode) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *mem = NULL, *text = NULL;
        if (cgroup_pid_path(0, "memory", &mem, &err) < 0)
                test_skip("no memory cgroup v1 hierarchy here");
        ASSERT_OK(read_file("/proc/self/cgroup", 65536, &text, NULL, &err));
        char want[512];
        snprintf(want, sizeof want, ":memory:%s\n", mem);
        ASSERT_CONTAINS(text, want);
        char *none = NULL;
        ASSERT_EQ_INT(cgroup_pid_path(0, "no-such-controller", &none, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "no-such-controller");

        CgroupMode mode = 0;
        ASSERT_OK(cgroup_mode_detect(&mode, &err));
        struct statfs root, uni;
        ASSERT_TRUE(statfs(CGROUP_ROOT, &root) == 0);
        if ((unsigned long) root.f_type == CGROUP2_SUPER_MAGIC)
                ASSERT_EQ_INT(mode, CGROUP_MODE_UNIFIED);
        else if (statfs(CGROUP_ROOT "/unified", &uni) == 0 && (unsigned long) uni.f_type == CGROUP2_SUPER_MAGIC)
                ASSERT_EQ_INT(mode, CGROUP_MODE_HYBRID);
        else
                ASSERT_EQ_INT(mode, CGROUP_MODE_LEGACY);
        ASSERT_EQ_STR(cgroup_mode_to_string(CGROUP_MODE_HYBRID), "hybrid");
}

TEST(stats_kv) {
        uint64_t v = 7;
        ASSERT_OK(cgroup_stats_kv("cache 1\nrss 22\ntotal_rss 333\n", "rss", &v));
        ASSERT_EQ_INT(v, 22);
        ASSERT_OK(cgroup_stats_kv("cache 1\nrss 22\ntotal_rss 333", "total_rss", &v));
        ASSERT_EQ_INT(v, 333);
        ASSERT_EQ_INT(cgroup_stats_kv("rss_huge 5\n", "rss", &v), -ENOENT);
        ASSERT_EQ_INT(cgroup_stats_kv("rss -5\n", "rss", &v), -EINVAL);
        ASSERT_EQ_INT(cgroup_stats_kv("rss 99999999999999999999999\n", "rss", &v), -EINVAL);
        ASSERT_EQ_INT(cgroup_stats_kv("rss 18446744073709551616\n", "rss", &v), -EINVAL);
        ASSERT_OK(cgroup_stats_kv("rss 18446744073709551615\n", "rss", &v));
        ASSERT_TRUE(v == UINT64_MAX);
}

/* Writes text to base/rel, making the directories on the way. */
static void put(const char *base, const char *rel, const char *text) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", base, rel);
        *strrchr(p, '/') = '\0';
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(mkdir_p(p, 0755, &err));
        snprintf(p, sizeof p, "%s/%s", base, rel);
        FILE *f = fopen(p, "we");
        ASSERT_TRUE(f != NULL);
        fputs(text, f);
        fclose(f);
}

static void read_stats(const char *base, CgroupMode mode, const char *path, CgroupStats *s) {
        _cleanup_(crio_error_clear) CrioError err = {};
        int r = cgroup_stats_read_at(base, mode, path, s, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "cgroup_stats_read_at(%s): %s", path, err.msg);
}

TEST(stats_from_fake_v1) {
        const char *base = test_tmp_dir();
        put(base, "cpuacct/pod/c/cpuacct.usage", "123456789\n");
        put(base, "memory/pod/c/memory.usage_in_bytes", "10000000\n");
        put(base, "memory/pod/c/memory.stat", "cache 1\nrss 2\ninactive_file 3\ntotal_cache 4000\n"
                                              "total_rss 5000000\ntotal_inactive_file 2500000\n"
                                              "total_pgfault 777\ntotal_pgmajfault 7\n");
        put(base, "memory/pod/c/memory.limit_in_bytes", "9223372036854771712\n");
        put(base, "memory/pod/c/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        put(base, "pids/pod/c/pids.current", "4\n");
        CgroupStats s = {};
        read_stats(base, CGROUP_MODE_LEGACY, "/pod/c", &s);
        ASSERT_TRUE(s.has_cpu && s.has_memory && s.has_pids);
        ASSERT_EQ_INT(s.cpu_usage_ns, 123456789);
        ASSERT_EQ_INT(s.memory_usage_bytes, 10000000);
        ASSERT_EQ_INT(s.memory_working_set_bytes, 7500000);
        ASSERT_EQ_INT(s.memory_rss_bytes, 5000000);
        ASSERT_EQ_INT(s.memory_page_faults, 777);
        ASSERT_EQ_INT(s.memory_major_page_faults, 7);
        ASSERT_EQ_INT(s.memory_limit_bytes, 0); /* the v1 "unlimited" value */
        ASSERT_EQ_INT(s.memory_oom_kills, 3);
        ASSERT_EQ_INT(s.pids_current, 4);

        put(base, "memory/pod/c/memory.limit_in_bytes", "536870912\n");
        put(base, "memory/pod/c/memory.stat", "total_inactive_file 20000000\n");
        read_stats(base, CGROUP_MODE_LEGACY, "/pod/c", &s);
        ASSERT_EQ_INT(s.memory_limit_bytes, 536870912);
        ASSERT_EQ_INT(s.memory_working_set_bytes, 0); /* never below 0 */
        ASSERT_EQ_INT(s.memory_oom_kills, 3);

        _cleanup_(crio_error_clear) CrioError err = {};
        CgroupStats untouched = { .pids_current = 42 };
        put(base, "pids/pod/c/pids.current", "lots\n");
        ASSERT_EQ_INT(cgroup_stats_read_at(base, CGROUP_MODE_LEGACY, "/pod/c", &untouched, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "pids.current");
        ASSERT_EQ_INT(untouched.pids_current, 42);
        crio_error_clear(&err);
        ASSERT_EQ_INT(cgroup_stats_read_at(base, CGROUP_MODE_LEGACY, "/pod/gone", &s, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "/pod/gone");
        crio_error_clear(&err);
        ASSERT_EQ_INT(cgroup_stats_read_at(base, CGROUP_MODE_LEGACY, "/pod/../pod/c", &s, &err), -EINVAL);

        /* A file past the size limit is refused, not read whole. */
        char *big = malloc(CGROUP_STATS_FILE_MAX + 100);
        memset(big, 'x', CGROUP_STATS_FILE_MAX + 99);
        big[CGROUP_STATS_FILE_MAX + 99] = '\0';
        put(base, "pids/pod/c/pids.current", "1\n");
        put(base, "memory/pod/c/memory.stat", big);
        free(big);
        crio_error_clear(&err);
        ASSERT_EQ_INT(cgroup_stats_read_at(base, CGROUP_MODE_LEGACY, "/pod/c", &s, &err), -EFBIG);
}

TEST(stats_from_fake_v2) {
        const char *base = test_tmp_dir();
        put(base, "pod/c/cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
        put(base, "pod/c/memory.current", "8192000\n");
        put(base, "pod/c/memory.stat", "anon 4096000\nfile 4096000\ninactive_file 1000000\n"
                                       "pgfault 55\npgmajfault 5\n");
        put(base, "pod/c/memory.max", "max\n");
        put(base, "pod/c/memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
        put(base, "pod/c/pids.current", "2\n");
        CgroupStats s = {};
        read_stats(base, CGROUP_MODE_UNIFIED, "/pod/c", &s);
        ASSERT_TRUE(s.has_cpu && s.has_memory && s.has_pids);
        ASSERT_EQ_INT(s.cpu_usage_ns, 2500000);
        ASSERT_EQ_INT(s.memory_usage_bytes, 8192000);
        ASSERT_EQ_INT(s.memory_working_set_bytes, 7192000);
        ASSERT_EQ_INT(s.memory_rss_bytes, 4096000);
        ASSERT_EQ_INT(s.memory_page_faults, 55);
        ASSERT_EQ_INT(s.memory_major_page_faults, 5);
        ASSERT_EQ_INT(s.memory_limit_bytes, 0);
        ASSERT_EQ_INT(s.memory_oom_kills, 1);
        ASSERT_EQ_INT(s.pids_current, 2);
        put(base, "pod/c/memory.max", "268435456\n");
        read_stats(base, CGROUP_MODE_UNIFIED, "/pod/c", &s);
        ASSERT_EQ_INT(s.memory_limit_bytes, 268435456);

        /* Without the memory and pids controllers enabled: cpu only. */
        put(base, "pod/d/cpu.stat", "usage_usec 1\n");
        read_stats(base, CGROUP_MODE_UNIFIED, "/pod/d", &s);
        ASSERT_TRUE(s.has_cpu && !s.has_memory && !s.has_pids);
        ASSERT_EQ_INT(s.cpu_usage_ns, 1000);
}

TEST(stats_from_fake_hybrid) {
        const char *base = test_tmp_dir();
        /* cpuacct and memory on v1, pids bound to the v2 hierarchy. */
        put(base, "cpuacct/c/cpuacct.usage", "5\n");
        put(base, "memory/c/memory.usage_in_bytes", "4096\n");
        put(base, "unified/c/pids.current", "3\n");
        put(base, "unified/c/cpu.stat", "usage_usec 999999\n");
        CgroupStats s = {};
        read_stats(base, CGROUP_MODE_HYBRID, "/c", &s);
        ASSERT_TRUE(s.has_cpu && s.has_memory && s.has_pids);
        ASSERT_EQ_INT(s.cpu_usage_ns, 5); /* from v1, not the v2 cpu.stat */
        ASSERT_EQ_INT(s.memory_usage_bytes, 4096);
        ASSERT_EQ_INT(s.memory_working_set_bytes, 4096); /* no memory.stat: nothing inactive */
        ASSERT_EQ_INT(s.pids_current, 3);
        /* The same tree read as v1 only: no pids. */
        read_stats(base, CGROUP_MODE_LEGACY, "/c", &s);
        ASSERT_TRUE(s.has_cpu && s.has_memory && !s.has_pids);
}

/* ---- real cgroups ------------------------------------------------------------------------ */

static bool cg_exists(const char *hierarchy, const char *path) {
        char p[1024];
        snprintf(p, sizeof p, CGROUP_ROOT "/%s%s", hierarchy, path);
        struct stat st;
        return stat(p, &st) == 0;
}

static void cg_write(const char *hierarchy, const char *path, const char *file, const char *value) {
        char p[1024];
        snprintf(p, sizeof p, CGROUP_ROOT "/%s%s/%s", hierarchy, path, file);
        int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t) strlen(value))
                test_fail(__FILE__, __LINE__, "writing %s to %s: %s", value, p, strerror(errno));
        close(fd);
}

static void require_v1_root(void) {
        if (geteuid() != 0)
                test_skip("needs root (creating cgroups)");
        CgroupMode mode;
        if (cgroup_mode_detect(&mode, NULL) < 0 || mode == CGROUP_MODE_UNIFIED)
                test_skip("needs cgroup v1 controllers");
        const char *need[] = { "cpu", "cpuacct", "memory", "pids" };
        for (size_t i = 0; i < ELEMENTSOF(need); i++)
                if (!cg_exists(need[i], ""))
                        test_skip("a v1 controller is missing (cpu, cpuacct, memory, pids)");
        /* Can we make a cgroup at all (a container may forbid it)? */
        char probe[128];
        snprintf(probe, sizeof probe, CGROUP_ROOT "/memory%s-probe", test_top);
        if (mkdir(probe, 0755) < 0)
                test_skip("cannot create a memory cgroup here");
        rmdir(probe);
}

/* A child that joins cpu, cpuacct, memory and pids at path, touches mb MiB and spins; it dies
 * with its parent (the test process). Returns once it has joined. */
static pid_t busy_child(const char *path, int mb) {
        int fds[2];
        ASSERT_TRUE(pipe2(fds, O_CLOEXEC) == 0);
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                char self[32];
                snprintf(self, sizeof self, "%d", (int) getpid());
                const char *hs[] = { "cpu", "cpuacct", "memory", "pids" };
                for (size_t i = 0; i < ELEMENTSOF(hs); i++)
                        cg_write(hs[i], path, "cgroup.procs", self);
                size_t n = (size_t) mb << 20;
                volatile char *m = malloc(n);
                for (size_t i = 0; i < n; i += 4096)
                        m[i] = 1;
                if (write(fds[1], "x", 1) != 1)
                        _exit(1);
                time_t end = time(NULL) + 60;
                while (time(NULL) < end)
                        ;
                _exit(0);
        }
        close(fds[1]);
        char c;
        ASSERT_EQ_INT(read(fds[0], &c, 1), 1);
        close(fds[0]);
        return pid;
}

TEST(real_v1_stats_and_removal) {
        require_v1_root();
        _cleanup_(crio_error_clear) CrioError err = {};
        char parent[128];
        snprintf(parent, sizeof parent, "%s/pod1", test_top);
        ASSERT_OK(cgroup_create(parent, &err));
        ASSERT_TRUE(cg_exists("memory", parent) && cg_exists("cpu", parent) && cg_exists("pids", parent) &&
                    cg_exists("blkio", parent));
        _cleanup_free_ char *path = NULL;
        ASSERT_OK(cgroup_container_path(CGROUP_MANAGER_CGROUPFS, parent, ID64, &path, &err));
        ASSERT_OK(cgroup_create(path, &err)); /* what runc would make */
        cg_write("memory", path, "memory.limit_in_bytes", "536870912");

        pid_t child = busy_child(path, 32);
        _cleanup_free_ char *seen = NULL;
        ASSERT_OK(cgroup_pid_path(child, "memory", &seen, &err));
        ASSERT_EQ_STR(seen, path);

        CgroupStats a = {}, b = {};
        int r = cgroup_stats_read(path, &a, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "%s", err.msg);
        usleep(300 * 1000);
        ASSERT_OK(cgroup_stats_read(path, &b, &err));
        ASSERT_TRUE(a.has_cpu && a.has_memory && a.has_pids);
        ASSERT_TRUE(a.cpu_usage_ns > 0);
        ASSERT_TRUE(b.cpu_usage_ns > a.cpu_usage_ns + 50 * 1000 * 1000ull); /* 300 ms of spinning */
        ASSERT_TRUE(b.memory_usage_bytes >= (32ull << 20));
        ASSERT_TRUE(b.memory_working_set_bytes > 0 && b.memory_working_set_bytes <= b.memory_usage_bytes);
        ASSERT_TRUE(b.memory_rss_bytes >= (30ull << 20));
        ASSERT_TRUE(b.memory_page_faults >= 8000); /* 32 MiB of 4 KiB pages touched */
        ASSERT_EQ_INT(b.memory_limit_bytes, 536870912);
        ASSERT_EQ_INT(b.memory_oom_kills, 0);
        ASSERT_EQ_INT(b.pids_current, 1);

        /* Removal while it runs: refused where it lives, done everywhere else. */
        crio_error_clear(&err);
        ASSERT_EQ_INT(cgroup_remove(path, &err), -EBUSY);
        ASSERT_CONTAINS(err.msg, path);
        ASSERT_TRUE(cg_exists("memory", path) && !cg_exists("blkio", path));
        /* The pod parent still holds the container's cgroup. */
        crio_error_clear(&err);
        ASSERT_EQ_INT(cgroup_pod_parent_remove(parent, &err), -EBUSY);
        ASSERT_CONTAINS(err.msg, parent);

        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        crio_error_clear(&err);
        r = cgroup_remove(path, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "%s", err.msg);
        const char *hs[] = { "cpu", "cpuacct", "memory", "pids", "blkio", "systemd", "unified" };
        for (size_t i = 0; i < ELEMENTSOF(hs); i++)
                ASSERT_TRUE(!cg_exists(hs[i], path));
        ASSERT_OK(cgroup_remove(path, &err)); /* again: nothing there is fine */
        ASSERT_EQ_INT(cgroup_stats_read(path, &b, &err), -ENOENT);

        ASSERT_OK(cgroup_pod_parent_remove(parent, &err));
        ASSERT_TRUE(!cg_exists("memory", parent) && !cg_exists("cpu", parent));
        ASSERT_OK(cgroup_pod_parent_remove(parent, &err));
}

TEST(real_v1_nested_and_cpuset) {
        require_v1_root();
        _cleanup_(crio_error_clear) CrioError err = {};
        char path[128], nested[160];
        snprintf(path, sizeof path, "%s/pod2/crio-abc", test_top);
        snprintf(nested, sizeof nested, "%s/sub/subsub", path);
        ASSERT_OK(cgroup_create(nested, &err));
        if (cg_exists("cpuset", "")) {
                /* New cpuset cgroups got cpus and mems: a task could join them. */
                _cleanup_free_ char *root_cpus = NULL, *cpus = NULL, *mems = NULL;
                char p[512];
                ASSERT_OK(read_file(CGROUP_ROOT "/cpuset/cpuset.cpus", 4096, &root_cpus, NULL, &err));
                snprintf(p, sizeof p, CGROUP_ROOT "/cpuset%s/cpuset.cpus", nested);
                ASSERT_OK(read_file(p, 4096, &cpus, NULL, &err));
                ASSERT_EQ_STR(cpus, root_cpus);
                snprintf(p, sizeof p, CGROUP_ROOT "/cpuset%s/cpuset.mems", nested);
                ASSERT_OK(read_file(p, 4096, &mems, NULL, &err));
                ASSERT_TRUE(strlen(mems) > 1);
        }
        /* A container that made cgroups of its own: removed deepest first. */
        ASSERT_OK(cgroup_remove(path, &err));
        ASSERT_TRUE(!cg_exists("memory", nested) && !cg_exists("memory", path) && !cg_exists("cpuset", path));
        char pod[128];
        snprintf(pod, sizeof pod, "%s/pod2", test_top);
        ASSERT_TRUE(cg_exists("memory", pod));

        crio_error_clear(&err);
        ASSERT_EQ_INT(cgroup_remove("/", &err), -EINVAL);
        ASSERT_OK(cgroup_pod_parent_remove("", &err));             /* the default parent: left alone */
        ASSERT_OK(cgroup_pod_parent_remove(CGROUP_DEFAULT_PARENT, &err));
        ASSERT_OK(cgroup_pod_parent_remove(pod, &err));
        ASSERT_TRUE(!cg_exists("memory", pod));
}

int main(void) {
        snprintf(test_top, sizeof test_top, "/crio-test-%d", (int) getpid());
        int r = test_tmp_run("/tmp/crio-test-cgroup-XXXXXX");
        /* Whatever a failed test left behind. */
        if (geteuid() == 0)
                cgroup_remove(test_top, NULL);
        return r;
}
