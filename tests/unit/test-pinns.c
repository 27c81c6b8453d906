/* crio-pinns, run as crio runs it (spawn_run): namespaces pinned to nsfs mounts, sysctls set
 * inside them and not on the host, refusals and failures that leave nothing behind, and
 * idempotent removal. Needs root; skips (77) without it or without build/crio-pinns. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "test-tmp.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/spawn.h"

static const char *pinns_path(void) {
        static char path[4096];
        const char *dir = getenv("CRIO_BUILDDIR");
        snprintf(path, sizeof(path), "%s/crio-pinns", dir && *dir ? dir : "build");
        return path;
}

static void require_root_and_pinns(void) {
        if (geteuid() != 0)
                test_skip("needs root (unshare, mount)");
        if (access(pinns_path(), X_OK) < 0)
                test_skip("crio-pinns is not built (make build/crio-pinns)");
}

/* Runs crio-pinns with args (NULL-terminated); returns its status, its stderr in *msg. */
static int pinns(char **msg, ...) {
        char *argv[32] = { (char *) pinns_path() };
        size_t n = 1;
        va_list ap;
        va_start(ap, msg);
        for (char *a; (a = va_arg(ap, char *)) && n < ELEMENTSOF(argv) - 1;)
                argv[n++] = a;
        va_end(ap);
        _cleanup_(spawn_result_clear) SpawnResult res = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        SpawnOptions o = { .argv = argv, .stdin_fd = -1, .timeout_ms = 10000 };
        int r = spawn_run(&o, &res, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "spawn_run: %s", err.msg);
        if (msg)
                *msg = strdup(res.err ? res.err : "");
        return res.status;
}

/* How many mounts have a mount point under prefix (from /proc/self/mountinfo), and whether
 * the one exactly at path is an nsfs mount. */
static int mounts_under(const char *prefix) {
        _cleanup_free_ char *mi = NULL;
        ASSERT_OK(read_file("/proc/self/mountinfo", 4u << 20, &mi, NULL, NULL));
        int n = 0;
        for (char *line = strtok(mi, "\n"); line; line = strtok(NULL, "\n")) {
                char mp[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strncmp(mp, prefix, strlen(prefix)) == 0)
                        n++;
        }
        return n;
}

static bool is_nsfs_mount(const char *path) {
        _cleanup_free_ char *mi = NULL;
        ASSERT_OK(read_file("/proc/self/mountinfo", 4u << 20, &mi, NULL, NULL));
        for (char *line = strtok(mi, "\n"); line; line = strtok(NULL, "\n")) {
                char mp[4096], fstype[64];
                const char *sep = strstr(line, " - ");
                if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, path) == 0 &&
                    sscanf(sep + 3, "%63s", fstype) == 1 && strcmp(fstype, "nsfs") == 0)
                        return true;
        }
        return false;
}

static char *read_trimmed(const char *path) {
        char *s = NULL;
        ASSERT_OK(read_file(path, 4096, &s, NULL, NULL));
        s[strcspn(s, "\n")] = '\0';
        return s;
}

static bool exists(const char *p) {
        struct stat st;
        return lstat(p, &st) == 0;
}

/* Enters the namespace pinned at path (type flag) in a child and writes what is seen there:
 * the network interfaces (net) or the value of a /proc/sys file. */
static char *look_inside(const char *path, int flag, const char *proc_file) {
        int fds[2];
        ASSERT_TRUE(pipe2(fds, O_CLOEXEC) == 0);
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, flag) < 0)
                        _exit(3);
                FILE *f = fdopen(fds[1], "w");
                if (!proc_file) {
                        struct if_nameindex *ifs = if_nameindex();
                        for (struct if_nameindex *i = ifs; i && i->if_name; i++)
                                fprintf(f, "%s ", i->if_name);
                } else {
                        char *v = read_trimmed(proc_file);
                        fputs(v, f);
                }
                fclose(f);
                _exit(0);
        }
        close(fds[1]);
        char buf[4096];
        size_t len = 0;
        ssize_t n;
        while ((n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
                len += (size_t) n;
        close(fds[0]);
        buf[len] = '\0';
        int status = 0;
        waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return strdup(buf);
}

TEST(pins_net_ipc_uts_with_sysctls) {
        require_root_and_pinns();
        const char *dir = test_tmp_dir();
        _cleanup_free_ char *host_fwd = read_trimmed("/proc/sys/net/ipv4/ip_forward");
        _cleanup_free_ char *host_shmmni = read_trimmed("/proc/sys/kernel/shmmni");
        const char *fwd = strcmp(host_fwd, "1") == 0 ? "net.ipv4.ip_forward=0" : "net.ipv4.ip_forward=1";
        _cleanup_free_ char *msg = NULL;
        ASSERT_EQ_INT(pinns(&msg, "--dir", dir, "--name", "pod1", "--net", "--ipc", "--uts", "--sysctl", (char *) fwd,
                            "--sysctl", "net.ipv4.ping_group_range=0 2147483647", "--sysctl", "kernel.shmmni=1234",
                            NULL),
                      0);
        ASSERT_EQ_STR(msg, "");

        const char *types[] = { "net", "ipc", "uts" };
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                char p[512], self[64];
                snprintf(p, sizeof p, "%s/%sns/pod1", dir, types[i]);
                snprintf(self, sizeof self, "/proc/self/ns/%s", types[i]);
                ASSERT_TRUE(is_nsfs_mount(p));
                struct statfs sf;
                ASSERT_TRUE(statfs(p, &sf) == 0);
                ASSERT_EQ_INT(sf.f_type, NSFS_MAGIC);
                struct stat pinned, mine;
                ASSERT_TRUE(stat(p, &pinned) == 0 && stat(self, &mine) == 0);
                ASSERT_TRUE(pinned.st_ino != mine.st_ino); /* a new namespace, not ours */
        }
        ASSERT_EQ_INT(mounts_under(dir), 3);

        char netns[512], ipcns[512];
        snprintf(netns, sizeof netns, "%s/netns/pod1", dir);
        snprintf(ipcns, sizeof ipcns, "%s/ipcns/pod1", dir);
        _cleanup_free_ char *ifs = look_inside(netns, CLONE_NEWNET, NULL);
        ASSERT_EQ_STR(ifs, "lo ");
        _cleanup_free_ char *in_fwd = look_inside(netns, CLONE_NEWNET, "/proc/sys/net/ipv4/ip_forward");
        ASSERT_EQ_STR(in_fwd, strchr(fwd, '=') + 1);
        ASSERT_TRUE(strcmp(in_fwd, host_fwd) != 0);
        _cleanup_free_ char *in_pgr = look_inside(netns, CLONE_NEWNET, "/proc/sys/net/ipv4/ping_group_range");
        ASSERT_EQ_STR(in_pgr, "0\t2147483647");
        _cleanup_free_ char *in_shm = look_inside(ipcns, CLONE_NEWIPC, "/proc/sys/kernel/shmmni");
        ASSERT_EQ_STR(in_shm, "1234");
        /* The host is untouched. */
        _cleanup_free_ char *host_fwd2 = read_trimmed("/proc/sys/net/ipv4/ip_forward");
        _cleanup_free_ char *host_shmmni2 = read_trimmed("/proc/sys/kernel/shmmni");
        ASSERT_EQ_STR(host_fwd2, host_fwd);
        ASSERT_EQ_STR(host_shmmni2, host_shmmni);

        /* Removal: no mount, no file; twice is fine. */
        ASSERT_EQ_INT(pinns(NULL, "--remove", "--dir", dir, "--name", "pod1", NULL), 0);
        ASSERT_EQ_INT(mounts_under(dir), 0);
        ASSERT_TRUE(!exists(netns) && !exists(ipcns));
        ASSERT_EQ_INT(pinns(NULL, "--remove", "--dir", dir, "--name", "pod1", NULL), 0);
}

TEST(remove_only_the_types_given) {
        require_root_and_pinns();
        const char *dir = test_tmp_dir();
        ASSERT_EQ_INT(pinns(NULL, "--dir", dir, "--name", "p", "--net", "--uts", NULL), 0);
        ASSERT_EQ_INT(mounts_under(dir), 2);
        char netns[512], utsns[512];
        snprintf(netns, sizeof netns, "%s/netns/p", dir);
        snprintf(utsns, sizeof utsns, "%s/utsns/p", dir);
        ASSERT_EQ_INT(pinns(NULL, "--remove", "--dir", dir, "--name", "p", "--uts", NULL), 0);
        ASSERT_TRUE(is_nsfs_mount(netns) && !exists(utsns));
        ASSERT_EQ_INT(pinns(NULL, "--remove", "--dir", dir, "--name", "p", NULL), 0);
        ASSERT_EQ_INT(mounts_under(dir), 0);
        ASSERT_TRUE(!exists(netns));
}

TEST(refused_sysctl_leaves_nothing) {
        require_root_and_pinns();
        const char *dir = test_tmp_dir();
        _cleanup_free_ char *host = read_trimmed("/proc/sys/vm/swappiness");
        _cleanup_free_ char *msg = NULL;
        ASSERT_EQ_INT(pinns(&msg, "--dir", dir, "--name", "p", "--net", "--ipc", "--sysctl", "vm.swappiness=7", NULL), 1);
        ASSERT_CONTAINS(msg, "vm.swappiness is not namespaced");
        ASSERT_EQ_INT(mounts_under(dir), 0);
        char p[512];
        snprintf(p, sizeof p, "%s/netns", dir);
        ASSERT_TRUE(!exists(p));
        _cleanup_free_ char *after = read_trimmed("/proc/sys/vm/swappiness");
        ASSERT_EQ_STR(after, host);
}

TEST(sysctl_of_a_namespace_not_made_is_refused) {
        require_root_and_pinns();
        const char *dir = test_tmp_dir();
        _cleanup_free_ char *msg = NULL;
        ASSERT_EQ_INT(pinns(&msg, "--dir", dir, "--name", "p", "--ipc", "--sysctl", "net.ipv4.ip_forward=1", NULL), 1);
        ASSERT_CONTAINS(msg, "needs its namespace made here (--net)");
        free(msg);
        ASSERT_EQ_INT(pinns(&msg, "--dir", dir, "--name", "p", "--net", "--sysctl", "kernel.msgmax=9000", NULL), 1);
        ASSERT_CONTAINS(msg, "(--ipc)");
        ASSERT_EQ_INT(mounts_under(dir), 0);
}

TEST(failing_sysctl_undoes_the_pins) {
        require_root_and_pinns();
        const char *dir = test_tmp_dir();
        _cleanup_free_ char *msg = NULL;
        /* Valid in form, but no such knob: fails after the files and namespaces exist. */
        ASSERT_EQ_INT(pinns(&msg, "--dir", dir, "--name", "p", "--net", "--ipc", "--uts", "--sysctl",
                            "net.ipv4.no_such_knob=1", NULL),
                      1);
        ASSERT_CONTAINS(msg, "net.ipv4.no_such_knob");
        ASSERT_EQ_INT(mounts_under(dir), 0);
        const char *types[] = { "net", "ipc", "uts" };
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                char p[512];
                snprintf(p, sizeof p, "%s/%sns/p", dir, types[i]);
                ASSERT_TRUE(!exists(p));
        }
}

TEST(name_in_use_is_not_reused_nor_removed) {
        require_root_and_pinns();
        const char *dir = test_tmp_dir();
        const char *theirs = test_tmp_write("ipcns/p", "someone else's");
        _cleanup_free_ char *msg = NULL;
        ASSERT_EQ_INT(pinns(&msg, "--dir", dir, "--name", "p", "--net", "--ipc", NULL), 1);
        ASSERT_CONTAINS(msg, "ipcns/p");
        ASSERT_EQ_INT(mounts_under(dir), 0);
        char p[512];
        snprintf(p, sizeof p, "%s/netns/p", dir);
        ASSERT_TRUE(!exists(p));
        _cleanup_free_ char *text = read_trimmed(theirs);
        ASSERT_EQ_STR(text, "someone else's");
}

TEST(malformed_arguments) {
        require_root_and_pinns();
        const char *dir = test_tmp_dir();
        _cleanup_free_ char *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL, *m5 = NULL, *m6 = NULL;
        ASSERT_EQ_INT(pinns(&m1, "--dir", dir, "--net", NULL), 2);
        ASSERT_CONTAINS(m1, "--dir and --name are required");
        ASSERT_EQ_INT(pinns(&m2, "--dir", dir, "--name", "../x", "--net", NULL), 1);
        ASSERT_CONTAINS(m2, "invalid --name");
        ASSERT_EQ_INT(pinns(&m3, "--dir", dir, "--name", "p", "--net", "--sysctl", "net/../kernel/x=1", NULL), 1);
        ASSERT_CONTAINS(m3, "malformed");
        ASSERT_EQ_INT(pinns(&m4, "--dir", dir, "--name", "p", "--net", "--sysctl", "net.ipv4.ip_forward", NULL), 1);
        ASSERT_CONTAINS(m4, "not key=value");
        ASSERT_EQ_INT(pinns(&m5, "--dir", dir, "--name", "p", NULL), 1);
        ASSERT_CONTAINS(m5, "no namespace asked for");
        ASSERT_EQ_INT(pinns(&m6, "--dir", dir, "--name", "p", "--net", "--sysctl", NULL), 2);
        ASSERT_CONTAINS(m6, "--sysctl needs a value");
        ASSERT_EQ_INT(mounts_under(dir), 0);
}

TEST(slashed_sysctl_key_with_dotted_interface) {
        require_root_and_pinns();
        const char *dir = test_tmp_dir();
        /* "net/ipv4/conf/lo/forwarding": slashes separate, so a dotted interface name would
         * pass through whole; lo exists in every new network namespace. */
        ASSERT_EQ_INT(pinns(NULL, "--dir", dir, "--name", "p", "--net", "--sysctl", "net/ipv4/conf/lo/forwarding=1", NULL),
                      0);
        char netns[512];
        snprintf(netns, sizeof netns, "%s/netns/p", dir);
        _cleanup_free_ char *v = look_inside(netns, CLONE_NEWNET, "/proc/sys/net/ipv4/conf/lo/forwarding");
        ASSERT_EQ_STR(v, "1");
        ASSERT_EQ_INT(pinns(NULL, "--remove", "--dir", dir, "--name", "p", NULL), 0);
        ASSERT_EQ_INT(mounts_under(dir), 0);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-pinns-XXXXXX");
}
