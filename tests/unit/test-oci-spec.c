/* The OCI runtime spec builder: defaults, setters and their validation, the JSON it writes,
 * and (as root, with runc) a bundle from busybox-static that runc really runs. */
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <time.h>

#include "test.h"
#include "test-tmp.h"
#include "test-spec-json.h"
#include "oci/apparmor.h"
#include "oci/runtime-path.h"
#include "oci/spec.h"
#include "oci/user.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strv.h"

#define V(...) ((char *[]){ __VA_ARGS__, NULL })

TEST(defaults_match_crio) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        JsonNode *t = to_tree(s);
        ASSERT_EQ_STR(qs(t, "$.ociVersion"), "1.0.2");
        ASSERT_EQ_STR(qs(t, "$.process.cwd"), "/");
        ASSERT_EQ_INT(qi(t, "$.process.user.uid"), 0);
        ASSERT_EQ_INT(qi(t, "$.process.user.gid"), 0);
        ASSERT_TRUE(!qhas(t, "$.process.user.additionalGids"));
        ASSERT_EQ_STR(qs(t, "$.process.env[0]"), "PATH=" OCI_DEFAULT_PATH);
        ASSERT_EQ_INT(qlen(t, "$.process.capabilities.bounding"), 9);
        ASSERT_EQ_INT(qlen(t, "$.process.capabilities.effective"), 9);
        ASSERT_EQ_INT(qlen(t, "$.process.capabilities.permitted"), 9);
        ASSERT_EQ_INT(qlen(t, "$.process.capabilities.inheritable"), 0);
        ASSERT_EQ_INT(qlen(t, "$.process.capabilities.ambient"), 0);
        ASSERT_TRUE(qcontains(t, "$.process.capabilities.bounding", "CAP_NET_BIND_SERVICE"));
        ASSERT_TRUE(!qcontains(t, "$.process.capabilities.bounding", "CAP_NET_RAW"));
        ASSERT_TRUE(!qhas(t, "$.process.oomScoreAdj"));
        ASSERT_TRUE(!qhas(t, "$.process.rlimits"));
        ASSERT_EQ_STR(qs(t, "$.root.path"), "rootfs");
        ASSERT_TRUE(!qhas(t, "$.hostname"));
        /* mounts, parents first */
        ASSERT_EQ_INT(qlen(t, "$.mounts"), 7);
        ASSERT_EQ_STR(qs(t, "$.mounts[0].destination"), "/proc");
        ASSERT_EQ_STR(qs(t, "$.mounts[1].destination"), "/dev");
        ASSERT_EQ_STR(qs(t, "$.mounts[2].destination"), "/sys");
        ASSERT_EQ_STR(qs(t, "$.mounts[2].type"), "sysfs");
        ASSERT_TRUE(qcontains(t, "$.mounts[2].options", "ro"));
        ASSERT_EQ_STR(qs(t, "$.mounts[6].destination"), "/sys/fs/cgroup");
        ASSERT_TRUE(qcontains(t, "$.mounts[6].options", "ro"));
        ASSERT_EQ_STR(qs(t, "$.mounts[3].destination"), "/dev/pts");
        ASSERT_TRUE(qcontains(t, "$.mounts[3].options", "newinstance"));
        ASSERT_EQ_STR(qs(t, "$.mounts[4].destination"), "/dev/shm");
        ASSERT_EQ_STR(qs(t, "$.mounts[5].destination"), "/dev/mqueue");
        /* linux */
        ASSERT_EQ_INT(qlen(t, "$.linux.namespaces"), 5);
        ASSERT_EQ_STR(qs(t, "$.linux.namespaces[0].type"), "pid");
        ASSERT_EQ_STR(qs(t, "$.linux.namespaces[4].type"), "mount");
        ASSERT_TRUE(!qhas(t, "$.linux.namespaces[0].path"));
        ASSERT_TRUE(qcontains(t, "$.linux.maskedPaths", "/proc/kcore"));
        ASSERT_TRUE(qcontains(t, "$.linux.maskedPaths", "/sys/firmware"));
        ASSERT_TRUE(qcontains(t, "$.linux.readonlyPaths", "/proc/sys"));
        ASSERT_TRUE(qcontains(t, "$.linux.readonlyPaths", "/proc/sysrq-trigger"));
        ASSERT_EQ_INT(json_node_get_boolean(q(t, "$.linux.resources.devices[0].allow")), 0);
        ASSERT_EQ_STR(qs(t, "$.linux.resources.devices[0].access"), "rwm");
        ASSERT_TRUE(!qhas(t, "$.linux.resources.devices[0].major"));
        ASSERT_EQ_INT(qi(t, "$.linux.resources.devices[3].major"), 1);
        ASSERT_EQ_INT(qi(t, "$.linux.resources.devices[3].minor"), 3);
        ASSERT_TRUE(!qhas(t, "$.linux.resources.memory"));
        ASSERT_TRUE(!qhas(t, "$.linux.resources.cpu"));
        ASSERT_TRUE(!qhas(t, "$.linux.resources.pids"));
        ASSERT_TRUE(!qhas(t, "$.linux.cgroupsPath"));
        ASSERT_TRUE(!qhas(t, "$.linux.sysctl"));
        ASSERT_TRUE(!qhas(t, "$.linux.seccomp"));
        json_node_unref(t);
}

TEST(capability_names) {
        ASSERT_EQ_INT(oci_cap_from_name("CAP_CHOWN"), 0);
        ASSERT_EQ_INT(oci_cap_from_name("chown"), 0);
        ASSERT_EQ_INT(oci_cap_from_name("cap_net_raw"), 13);
        ASSERT_EQ_INT(oci_cap_from_name("Net_Admin"), 12);
        ASSERT_EQ_INT(oci_cap_from_name("CHECKPOINT_RESTORE"), 40);
        ASSERT_EQ_INT(oci_cap_from_name("BPF"), 39);
        ASSERT_EQ_INT(oci_cap_from_name("CAP_"), -EINVAL);
        ASSERT_EQ_INT(oci_cap_from_name("CAP_CAP_CHOWN"), -EINVAL);
        ASSERT_EQ_INT(oci_cap_from_name("ALL"), -EINVAL);
        ASSERT_EQ_INT(oci_cap_from_name("CHOWN "), -EINVAL);
        ASSERT_EQ_INT(oci_cap_from_name(""), -EINVAL);
        ASSERT_EQ_STR(oci_cap_to_name(24), "CAP_SYS_RESOURCE");
        ASSERT_TRUE(oci_cap_to_name(41) == NULL);
        ASSERT_TRUE(oci_cap_to_name(-1) == NULL);
        for (int i = 0; i <= OCI_CAP_LAST; i++)
                ASSERT_EQ_INT(oci_cap_from_name(oci_cap_to_name(i)), i);
}

TEST(capability_add_drop_and_all) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_cap_drop(s, "all", &err));
        ASSERT_EQ_INT(oci_spec_get_caps(s), 0);
        ASSERT_OK(oci_spec_cap_add(s, "sys_admin", &err));
        ASSERT_OK(oci_spec_cap_add(s, "CAP_SYS_ADMIN", &err));
        ASSERT_EQ_INT(oci_spec_get_caps(s), UINT64_C(1) << 21);
        ASSERT_OK(oci_spec_cap_add(s, "All", &err));
        ASSERT_EQ_INT(oci_spec_get_caps(s), OCI_CAP_ALL_MASK);
        ASSERT_OK(oci_spec_cap_drop(s, "Cap_Chown", &err));
        ASSERT_EQ_INT(oci_spec_get_caps(s), OCI_CAP_ALL_MASK & ~UINT64_C(1));
        ASSERT_EQ_INT(oci_spec_cap_add(s, "CAP_FLY", &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "CAP_FLY");
        ASSERT_EQ_INT(oci_spec_get_caps(s), OCI_CAP_ALL_MASK & ~UINT64_C(1));
        JsonNode *t = to_tree(s);
        ASSERT_EQ_INT(qlen(t, "$.process.capabilities.bounding"), OCI_CAP_LAST);
        ASSERT_EQ_STR(qs(t, "$.process.capabilities.effective[0]"), "CAP_DAC_OVERRIDE");
        ASSERT_TRUE(qcontains(t, "$.process.capabilities.permitted", "CAP_CHECKPOINT_RESTORE"));
        json_node_unref(t);
}

TEST(capability_crio_rule) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        char **defaults = V("CHOWN", "KILL");
        ASSERT_OK(oci_spec_apply_capabilities(s, defaults, V("net_raw"), V("CAP_KILL"), &err));
        ASSERT_EQ_INT(oci_spec_get_caps(s), (UINT64_C(1) << 0) | (UINT64_C(1) << 13));
        /* drop ALL then add one: just that one */
        ASSERT_OK(oci_spec_apply_capabilities(s, defaults, V("SYS_TIME"), V("ALL"), &err));
        ASSERT_EQ_INT(oci_spec_get_caps(s), UINT64_C(1) << 25);
        /* add ALL, drop one */
        ASSERT_OK(oci_spec_apply_capabilities(s, defaults, V("all"), V("MKNOD"), &err));
        ASSERT_EQ_INT(oci_spec_get_caps(s), OCI_CAP_ALL_MASK & ~(UINT64_C(1) << 27));
        /* both ALL: nothing */
        ASSERT_OK(oci_spec_apply_capabilities(s, defaults, V("ALL"), V("ALL"), &err));
        ASSERT_EQ_INT(oci_spec_get_caps(s), 0);
        /* an unknown name leaves the spec as it was */
        ASSERT_OK(oci_spec_apply_capabilities(s, defaults, NULL, NULL, &err));
        uint64_t before = oci_spec_get_caps(s);
        ASSERT_EQ_INT(oci_spec_apply_capabilities(s, defaults, V("CHOWN"), V("NOPE"), &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "NOPE");
        ASSERT_CONTAINS(err.msg, "drop");
        ASSERT_EQ_INT(oci_spec_get_caps(s), before);
}

TEST(process_setters) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_set_args(s, V("/bin/sh", "-c", "echo hi"), &err));
        ASSERT_OK(oci_spec_add_env(s, "A=1", &err));
        ASSERT_OK(oci_spec_add_env(s, "B=2", &err));
        ASSERT_OK(oci_spec_add_env(s, "A=3", &err));
        ASSERT_OK(oci_spec_add_env(s, "PATH=/bin", &err));
        ASSERT_EQ_STR(oci_spec_get_env(s, "A"), "3");
        ASSERT_TRUE(oci_spec_get_env(s, "C") == NULL);
        ASSERT_OK(oci_spec_set_cwd(s, "/work", &err));
        const gid_t gids[] = { 5, 6, 5, 7 };
        ASSERT_OK(oci_spec_set_user(s, 1000, 2000, gids, 4, &err));
        ASSERT_OK(oci_spec_add_rlimit(s, "nofile", 1024, 4096, &err));
        ASSERT_OK(oci_spec_add_rlimit(s, "RLIMIT_NPROC", 10, 20, &err));
        ASSERT_OK(oci_spec_add_rlimit(s, "rlimit_nofile", 2048, 2048, &err));
        ASSERT_OK(oci_spec_add_rlimit(s, "core", UINT64_MAX, UINT64_MAX, &err));
        oci_spec_set_no_new_privileges(s, true);
        oci_spec_set_terminal(s, true);
        ASSERT_OK(oci_spec_set_oom_score_adj(s, 500, &err));
        JsonNode *t = to_tree(s);
        ASSERT_EQ_INT(qlen(t, "$.process.args"), 3);
        ASSERT_EQ_STR(qs(t, "$.process.args[2]"), "echo hi");
        ASSERT_EQ_INT(qlen(t, "$.process.env"), 3);
        ASSERT_EQ_STR(qs(t, "$.process.env[0]"), "PATH=/bin");
        ASSERT_EQ_STR(qs(t, "$.process.env[1]"), "A=3");
        ASSERT_EQ_STR(qs(t, "$.process.cwd"), "/work");
        ASSERT_EQ_INT(qi(t, "$.process.user.uid"), 1000);
        ASSERT_EQ_INT(qi(t, "$.process.user.gid"), 2000);
        ASSERT_EQ_INT(qlen(t, "$.process.user.additionalGids"), 3);
        ASSERT_EQ_INT(qi(t, "$.process.user.additionalGids[2]"), 7);
        ASSERT_EQ_INT(qlen(t, "$.process.rlimits"), 3);
        ASSERT_EQ_STR(qs(t, "$.process.rlimits[0].type"), "RLIMIT_NOFILE");
        ASSERT_EQ_INT(qi(t, "$.process.rlimits[0].soft"), 2048);
        ASSERT_EQ_STR(qs(t, "$.process.rlimits[2].type"), "RLIMIT_CORE");
        ASSERT_TRUE(json_node_get_boolean(q(t, "$.process.noNewPrivileges")));
        ASSERT_TRUE(json_node_get_boolean(q(t, "$.process.terminal")));
        ASSERT_EQ_INT(qi(t, "$.process.oomScoreAdj"), 500);
        json_node_unref(t);
        oci_spec_clear_oom_score_adj(s);
        t = to_tree(s);
        ASSERT_TRUE(!qhas(t, "$.process.oomScoreAdj"));
        json_node_unref(t);
}

TEST(rlimit_infinity_round_trips_as_unsigned) {
        /* json-glib writes int64: RLIM_INFINITY must come out as 18446744073709551615 or -1;
         * runc (Go, uint64) reads only the former. Check the text. */
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_add_rlimit(s, "core", UINT64_MAX, UINT64_MAX, &err));
        _cleanup_free_ char *text = oci_spec_to_json(s);
        ASSERT_CONTAINS(text, "18446744073709551615");
}

TEST(setters_refuse_bad_input_and_keep_state) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError e = {};
        ASSERT_EQ_INT(oci_spec_set_args(s, V(""), &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_args(s, (char *[]){ NULL }, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_env(s, "=x", &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_cwd(s, "relative", &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_rlimit(s, "bogus", 1, 1, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_rlimit(s, "nofile", 10, 5, &e), -EINVAL);
        ASSERT_CONTAINS(e.msg, "soft");
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_oom_score_adj(s, 1001, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_hostname(s, "a/b", &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_hostname(s, "has space", &e), -EINVAL);
        crio_error_clear(&e);
        char longname[80];
        memset(longname, 'a', sizeof longname - 1);
        longname[sizeof longname - 1] = '\0';
        ASSERT_EQ_INT(oci_spec_set_hostname(s, longname, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_mount(s, "relative", "bind", "/x", NULL, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_mount(s, "/a/../etc", "bind", "/x", NULL, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_mount(s, "/a/..", "bind", "/x", NULL, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_OK(oci_spec_add_mount(s, "/a/..b", "bind", "/x", NULL, &e)); /* a name, not a climb */
        ASSERT_EQ_INT(oci_spec_set_namespace(s, OCI_NS_NETWORK, "netns", &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_masked_path(s, "proc/x", &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_cpu_shares(s, 1, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_cpu_quota(s, 0, 100000, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_cpu_quota(s, 50000, 10, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_cpuset(s, "0-3;rm", NULL, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_memory(s, 0, 0, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_memory(s, 1 << 20, 1 << 19, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_pids_limit(s, 0, &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_device_rule(s, true, 'x', 1, 1, "rwm", &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_device_rule(s, true, 'c', 1, 1, "rwx", &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_set_cgroups_path(s, "/a/../../b", &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_sysctl(s, "../../etc/x", "1", &e), -EINVAL);
        crio_error_clear(&e);
        ASSERT_EQ_INT(oci_spec_add_sysctl(s, "net.ipv4.ip_forward", "1\n2", &e), -EINVAL);
        crio_error_clear(&e);
        /* nothing above changed the defaults */
        JsonNode *t = to_tree(s);
        ASSERT_EQ_INT(qlen(t, "$.process.args"), 0);
        ASSERT_EQ_STR(qs(t, "$.process.cwd"), "/");
        ASSERT_TRUE(!qhas(t, "$.process.rlimits"));
        ASSERT_TRUE(!qhas(t, "$.hostname"));
        ASSERT_EQ_INT(qlen(t, "$.mounts"), 8);
        ASSERT_TRUE(!qhas(t, "$.linux.resources.cpu"));
        ASSERT_TRUE(!qhas(t, "$.linux.sysctl"));
        json_node_unref(t);
}

TEST(mounts_replace_by_destination_and_sort_by_depth) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_add_mount(s, "/data/sub", "bind", "/host/sub", V("rbind", "ro"), &err));
        ASSERT_OK(oci_spec_add_mount(s, "/data", "bind", "/host/data", V("rbind"), &err));
        ASSERT_OK(oci_spec_add_mount(s, "/dev/shm", "bind", "/run/pod/shm", V("rbind"), &err));
        ASSERT_TRUE(oci_spec_remove_mount(s, "/dev/mqueue"));
        ASSERT_TRUE(!oci_spec_remove_mount(s, "/nothing"));
        JsonNode *t = to_tree(s);
        ASSERT_EQ_INT(qlen(t, "$.mounts"), 8);
        /* depth 1: /proc /dev /sys /data; depth 2: /dev/pts /dev/shm /data/sub; depth 3 */
        ASSERT_EQ_STR(qs(t, "$.mounts[3].destination"), "/data");
        ASSERT_EQ_STR(qs(t, "$.mounts[5].destination"), "/dev/shm");
        ASSERT_EQ_STR(qs(t, "$.mounts[5].source"), "/run/pod/shm");
        ASSERT_EQ_STR(qs(t, "$.mounts[6].destination"), "/data/sub");
        ASSERT_TRUE(qcontains(t, "$.mounts[6].options", "ro"));
        ASSERT_EQ_STR(qs(t, "$.mounts[7].destination"), "/sys/fs/cgroup");
        json_node_unref(t);
}

/* CRI-O's rules for the AppArmor profile of a container (where the host has AppArmor) */
TEST(apparmor_profile_selection) {
        static const struct {
                AppArmorRequest req;
                const char *def, *want;
        } good[] = {
                { { 0 }, "", "crio-default" },
                { { 0 }, "my-default", "my-default" },
                { { .deprecated = "runtime/default" }, NULL, "crio-default" },
                { { .deprecated = "unconfined" }, NULL, "unconfined" },
                { { .deprecated = "localhost/p1" }, NULL, "p1" },
                { { .has_profile = true, .type = APPARMOR_RUNTIME_DEFAULT, .deprecated = "localhost/x" }, "d", "d" },
                { { .has_profile = true, .type = APPARMOR_TYPE_UNCONFINED }, NULL, "unconfined" },
                { { .has_profile = true, .type = APPARMOR_LOCALHOST, .localhost_ref = "p2" }, NULL, "p2" },
                { { .has_profile = true, .type = APPARMOR_LOCALHOST, .localhost_ref = "localhost/p3" }, NULL, "p3" },
        };
        for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
                _cleanup_(crio_error_clear) CrioError err = {};
                _cleanup_free_ char *p = NULL;
                ASSERT_OK(apparmor_profile_select(&good[i].req, good[i].def, &p, &err));
                ASSERT_EQ_STR(p, good[i].want);
        }
        static const struct {
                AppArmorRequest req;
                const char *why;
        } bad[] = {
                { { .has_profile = true, .type = APPARMOR_LOCALHOST }, "empty localhost AppArmor profile" },
                { { .has_profile = true, .type = APPARMOR_LOCALHOST, .localhost_ref = "localhost/" }, "empty localhost" },
                { { .has_profile = true, .type = APPARMOR_LOCALHOST, .localhost_ref = "a b" }, "space or control" },
                { { .has_profile = true, .type = (AppArmorType) 7 }, "type 7" },
                { { .deprecated = "docker-default" }, "not runtime/default, unconfined or localhost/<name>" },
                { { .deprecated = "localhost/" }, "empty localhost" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                _cleanup_(crio_error_clear) CrioError err = {};
                char *p = (char *) "untouched";
                ASSERT_EQ_INT(apparmor_profile_select(&bad[i].req, NULL, &p, &err), -EINVAL);
                ASSERT_CONTAINS(err.msg, bad[i].why);
                ASSERT_EQ_STR(p, "untouched");
        }
        _cleanup_free_ char *text = apparmor_default_profile_text();
        ASSERT_CONTAINS(text, "profile crio-default flags=(attach_disconnected,mediate_deleted) {");
        ASSERT_CONTAINS(text, "deny mount,");
}

TEST(linux_setters) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_set_namespace(s, OCI_NS_NETWORK, "/var/run/netns/pod1", &err));
        ASSERT_OK(oci_spec_set_namespace(s, OCI_NS_IPC, "/proc/1234/ns/ipc", &err));
        oci_spec_remove_namespace(s, OCI_NS_PID);
        ASSERT_OK(oci_spec_set_namespace(s, OCI_NS_CGROUP, NULL, &err));
        ASSERT_OK(oci_spec_add_masked_path(s, "/proc/extra", &err));
        ASSERT_OK(oci_spec_add_masked_path(s, "/proc/kcore", &err)); /* no duplicate */
        oci_spec_clear_readonly_paths(s);
        ASSERT_OK(oci_spec_add_readonly_path(s, "/proc/bus", &err));
        ASSERT_OK(oci_spec_set_cpu_shares(s, 512, &err));
        ASSERT_OK(oci_spec_set_cpu_quota(s, 50000, 100000, &err));
        ASSERT_OK(oci_spec_set_cpuset(s, "0-1", "0", &err));
        ASSERT_OK(oci_spec_set_memory(s, 64 << 20, 128 << 20, &err));
        ASSERT_OK(oci_spec_set_pids_limit(s, 1024, &err));
        ASSERT_OK(oci_spec_add_device_rule(s, true, 'c', 10, 200, "rwm", &err));
        ASSERT_OK(oci_spec_set_cgroups_path(s, "/crio-abc", &err));
        ASSERT_OK(oci_spec_add_sysctl(s, "net.ipv4.ip_forward", "1", &err));
        ASSERT_OK(oci_spec_add_sysctl(s, "kernel.shm_rmid_forced", "1", &err));
        ASSERT_OK(oci_spec_add_sysctl(s, "net.ipv4.ip_forward", "0", &err));
        ASSERT_OK(oci_spec_set_hostname(s, "pod-a", &err));
        ASSERT_OK(oci_spec_set_root(s, "/var/lib/x/merged", true, &err));
        ASSERT_OK(oci_spec_set_annotation(s, "io.kubernetes.pod.name", "a", &err));
        ASSERT_OK(oci_spec_set_selinux_labels(s, "u:r:container_t:s0:c1,c2", "u:object_r:container_file_t:s0:c1,c2", &err));
        JsonNode *t = to_tree(s);
        ASSERT_EQ_INT(qlen(t, "$.linux.namespaces"), 5);
        ASSERT_EQ_STR(qs(t, "$.linux.namespaces[0].type"), "network");
        ASSERT_EQ_STR(qs(t, "$.linux.namespaces[0].path"), "/var/run/netns/pod1");
        ASSERT_EQ_STR(qs(t, "$.linux.namespaces[1].path"), "/proc/1234/ns/ipc");
        ASSERT_EQ_STR(qs(t, "$.linux.namespaces[4].type"), "cgroup");
        ASSERT_EQ_INT(qlen(t, "$.linux.maskedPaths"), 11);
        ASSERT_EQ_INT(qlen(t, "$.linux.readonlyPaths"), 1);
        ASSERT_EQ_INT(qi(t, "$.linux.resources.cpu.shares"), 512);
        ASSERT_EQ_INT(qi(t, "$.linux.resources.cpu.quota"), 50000);
        ASSERT_EQ_INT(qi(t, "$.linux.resources.cpu.period"), 100000);
        ASSERT_EQ_STR(qs(t, "$.linux.resources.cpu.cpus"), "0-1");
        ASSERT_EQ_STR(qs(t, "$.linux.resources.cpu.mems"), "0");
        ASSERT_EQ_INT(qi(t, "$.linux.resources.memory.limit"), 64 << 20);
        ASSERT_EQ_INT(qi(t, "$.linux.resources.memory.swap"), 128 << 20);
        ASSERT_EQ_INT(qi(t, "$.linux.resources.pids.limit"), 1024);
        ASSERT_EQ_INT(qi(t, "$.linux.resources.devices[12].major"), 10);
        ASSERT_EQ_STR(qs(t, "$.linux.cgroupsPath"), "/crio-abc");
        ASSERT_EQ_STR(qs(t, "$.linux.sysctl['net.ipv4.ip_forward']"), "0");
        ASSERT_EQ_STR(qs(t, "$.linux.sysctl['kernel.shm_rmid_forced']"), "1");
        ASSERT_EQ_STR(qs(t, "$.hostname"), "pod-a");
        ASSERT_EQ_STR(qs(t, "$.root.path"), "/var/lib/x/merged");
        ASSERT_TRUE(json_node_get_boolean(q(t, "$.root.readonly")));
        ASSERT_EQ_STR(qs(t, "$.annotations['io.kubernetes.pod.name']"), "a");
        ASSERT_EQ_STR(qs(t, "$.process.selinuxLabel"), "u:r:container_t:s0:c1,c2");
        ASSERT_EQ_STR(qs(t, "$.linux.mountLabel"), "u:object_r:container_file_t:s0:c1,c2");
        json_node_unref(t);
        oci_spec_clear_device_rules(s);
        ASSERT_OK(oci_spec_set_cgroups_path(s, NULL, &err));
        ASSERT_OK(oci_spec_set_selinux_labels(s, NULL, NULL, &err));
        t = to_tree(s);
        ASSERT_TRUE(!qhas(t, "$.process.selinuxLabel") && !qhas(t, "$.linux.mountLabel"));
        ASSERT_EQ_INT(qlen(t, "$.linux.resources.devices"), 0);
        ASSERT_TRUE(!qhas(t, "$.linux.cgroupsPath"));
        json_node_unref(t);
}

TEST(write_is_atomic_and_needs_args) {
        const char *d = test_tmp_dir();
        char path[512];
        snprintf(path, sizeof path, "%s/config.json", d);
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_spec_write(s, path, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "args");
        ASSERT_TRUE(access(path, F_OK) < 0);
        ASSERT_OK(oci_spec_set_args(s, V("/bin/true"), &err));
        ASSERT_OK(oci_spec_write(s, path, &err));
        struct stat st;
        ASSERT_TRUE(stat(path, &st) == 0);
        ASSERT_EQ_INT(st.st_mode & 0777, 0600);
        _cleanup_free_ char *data = NULL;
        ASSERT_OK(read_file(path, 1 << 20, &data, NULL, &err));
        _cleanup_free_ char *text = oci_spec_to_json(s);
        ASSERT_EQ_STR(data, text);
        /* nothing else left in the directory (no temp files) */
        _cleanup_closedir_ DIR *dir = opendir(d);
        int n = 0;
        for (struct dirent *de; (de = readdir(dir));)
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        n++;
        ASSERT_EQ_INT(n, 1);
}

/* --- end to end: runc runs what we wrote --- */

static void copy_file(const char *from, const char *to, mode_t mode) {
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (in < 0 || out < 0)
                test_fail(__FILE__, __LINE__, "copy %s -> %s: %s", from, to, strerror(errno));
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof buf)) > 0)
                if (write(out, buf, (size_t) n) != n)
                        test_fail(__FILE__, __LINE__, "write %s: %s", to, strerror(errno));
        ASSERT_TRUE(n == 0);
}

/* Runs argv with stdin /dev/null and stdout+stderr to out_path; waits at most timeout_s.
 * Returns the exit status (or -1 on a timeout, after killing it). */
static int run_cmd(char *const *argv, const char *out_path, int timeout_s) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        posix_spawnattr_init(&attr);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        char *env[] = { "PATH=" OCI_DEFAULT_PATH, NULL };
        pid_t pid = 0;
        int r = posix_spawn(&pid, argv[0], &fa, &attr, argv, env);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                test_fail(__FILE__, __LINE__, "spawn %s: %s", argv[0], strerror(r));
        int status = 0;
        for (int i = 0; i < timeout_s * 20; i++) {
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid)
                        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                struct timespec ts = { 0, 50 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return -1;
}

/* Removes any cgroup directory named rel left in any hierarchy; returns how many it found. */
static int cgroup_leftovers(const char *rel) {
        int found = 0;
        _cleanup_closedir_ DIR *d = opendir("/sys/fs/cgroup");
        if (!d)
                return 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                char p[512];
                snprintf(p, sizeof p, "/sys/fs/cgroup/%s%s", de->d_name, rel);
                struct stat st;
                if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                        printf("# leftover cgroup %s\n", p);
                        rmdir(p);
                        found++;
                }
        }
        return found;
}

/* Makes a bundle directory below the test's tmp dir with a busybox rootfs and a passwd/group;
 * returns its path (static). */
static const char *make_bundle(void) {
        static char bundle[256];
        const char *d = test_tmp_dir();
        snprintf(bundle, sizeof bundle, "%s", d);
        char p[512], rootfs[300];
        snprintf(rootfs, sizeof rootfs, "%s/rootfs", d);
        const char *dirs[] = { "", "/bin", "/etc", "/proc", "/sys", "/dev", "/tmp" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(p, sizeof p, "%s%s", rootfs, dirs[i]);
                ASSERT_TRUE(mkdir(p, 0755) == 0);
        }
        snprintf(p, sizeof p, "%s/bin/busybox", rootfs);
        copy_file("/bin/busybox", p, 0755);
        const char *applets[] = { "sh", "id", "cat", "grep", "hostname" };
        for (size_t i = 0; i < ELEMENTSOF(applets); i++) {
                snprintf(p, sizeof p, "%s/bin/%s", rootfs, applets[i]);
                ASSERT_TRUE(symlink("busybox", p) == 0);
        }
        test_tmp_write("rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                                            "tester:x:1234:1234:Tester:/home/tester:/bin/sh\n");
        snprintf(p, sizeof p, "%s/etc/group", rootfs);
        FILE *g = fopen(p, "we");
        ASSERT_TRUE(g != NULL);
        fputs("root:x:0:\ntester:x:1234:\nextra:x:2345:tester\nother:x:3456:\n", g);
        fclose(g);
        return bundle;
}

/* Writes s into bundle/config.json, runs it with `runc run` (foreground, output to a file),
 * deletes the container and any cgroup left at cgpath, and returns the output (caller frees).
 * Fails the test (after cleaning up) if runc fails or leaves a cgroup behind. */
static char *run_bundle(const char *runc, const char *bundle, const OciSpec *s, const char *id, const char *cgpath) {
        char cfg[320], out[320], state[320], del_out[320];
        snprintf(cfg, sizeof cfg, "%s/config.json", bundle);
        snprintf(out, sizeof out, "%s/%s.out", bundle, id);
        snprintf(state, sizeof state, "%s/runc-state", bundle);
        snprintf(del_out, sizeof del_out, "%s/%s.delete", bundle, id);
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_write(s, cfg, &err));
        char *run[] = { (char *) runc, "--root", state, "run", "--bundle", (char *) bundle, (char *) id, NULL };
        int rc = run_cmd(run, out, 60);
        /* clean up before asserting: run removes the container, delete -f in case it did not */
        char *del[] = { (char *) runc, "--root", state, "delete", "-f", (char *) id, NULL };
        run_cmd(del, del_out, 30);
        int leftovers = cgroup_leftovers(cgpath);
        char *text = NULL;
        ASSERT_OK(read_file(out, 1 << 20, &text, NULL, &err));
        printf("# %s output:\n", id);
        for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
                nl = strchr(line, '\n');
                printf("#   %.*s\n", nl ? (int) (nl - line) : (int) strlen(line), line);
        }
        if (rc != 0) {
                free(text);
                test_fail(__FILE__, __LINE__, "runc run exited with %d", rc);
        }
        ASSERT_EQ_INT(leftovers, 0);
        return text;
}

static const char *e2e_prereqs(char **ret_runc) {
        if (geteuid() != 0)
                return "needs root for runc";
        if (find_executable("runc", NULL, ret_runc) < 0)
                return "runc not installed";
        if (access("/bin/busybox", X_OK) < 0)
                return "busybox-static not installed";
        return NULL;
}

/* The container's script: identity, capabilities, hostname, limits, env, cgroup, cwd. */
#define E2E_SCRIPT                                                                                       \
        "id; cat /proc/self/status | grep Cap; hostname; ulimit -n; echo FOO=$FOO; echo HOME=$HOME; "   \
        "cat /sys/fs/cgroup/pids/pids.max; pwd"

static OciSpec *e2e_spec(const char *cgpath) {
        OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_set_args(s, V("/bin/busybox", "sh", "-c", E2E_SCRIPT), &err));
        ASSERT_OK(oci_spec_add_env(s, "FOO=bar baz", &err));
        ASSERT_OK(oci_spec_set_cwd(s, "/tmp", &err));
        /* capabilities this machine grants (it lacks CAP_SYS_RESOURCE) */
        ASSERT_OK(oci_spec_apply_capabilities(s, V(OCI_SPEC_DEFAULT_CAPS), V("net_raw", "CAP_SYS_CHROOT"),
                                              V("KILL", "setpcap"), &err));
        /* chown, dac_override, fowner, fsetid, setgid, setuid, net_bind_service, net_raw, sys_chroot */
        ASSERT_EQ_INT(oci_spec_get_caps(s), 0xdbULL | (1ULL << 10) | (1ULL << 13) | (1ULL << 18));
        ASSERT_OK(oci_spec_add_rlimit(s, "nofile", 777, 888, &err));
        ASSERT_OK(oci_spec_add_rlimit(s, "core", UINT64_MAX, UINT64_MAX, &err)); /* RLIM_INFINITY */
        oci_spec_set_no_new_privileges(s, true);
        ASSERT_OK(oci_spec_set_root(s, "rootfs", true, &err));
        ASSERT_OK(oci_spec_set_hostname(s, "crio-e2e-host", &err));
        ASSERT_OK(oci_spec_set_cgroups_path(s, cgpath, &err));
        ASSERT_OK(oci_spec_set_pids_limit(s, 77, &err));
        return s;
}

static void assert_common_output(const char *text, const OciSpec *s) {
        char capline[64];
        snprintf(capline, sizeof capline, "CapBnd:\t%016" PRIx64 "\n", oci_spec_get_caps(s));
        ASSERT_CONTAINS(text, capline);
        ASSERT_CONTAINS(text, "CapInh:\t0000000000000000\n");
        ASSERT_CONTAINS(text, "CapAmb:\t0000000000000000\n");
        ASSERT_CONTAINS(text, "\ncrio-e2e-host\n");
        ASSERT_CONTAINS(text, "\n777\n");
        ASSERT_CONTAINS(text, "FOO=bar baz\n");
        ASSERT_CONTAINS(text, "\n77\n"); /* pids.max from linux.resources.pids */
        ASSERT_CONTAINS(text, "\n/tmp\n");
}

TEST(runc_runs_the_generated_bundle_as_root) {
        _cleanup_free_ char *runc = NULL;
        const char *why = e2e_prereqs(&runc);
        if (why)
                test_skip(why);
        const char *bundle = make_bundle();
        char id[64], cgpath[96];
        snprintf(id, sizeof id, "crio-oci-spec-root-%d-%ld", (int) getpid(), (long) time(NULL));
        snprintf(cgpath, sizeof cgpath, "/crio-test-%d-%ld-root", (int) getpid(), (long) time(NULL));
        _cleanup_(oci_spec_freep) OciSpec *s = e2e_spec(cgpath);
        _cleanup_free_ char *text = run_bundle(runc, bundle, s, id, cgpath);
        ASSERT_CONTAINS(text, "uid=0(root) gid=0(root)");
        /* root keeps its permitted/effective sets across execve: exactly the chosen ones */
        char capline[64];
        snprintf(capline, sizeof capline, "CapEff:\t%016" PRIx64 "\n", oci_spec_get_caps(s));
        ASSERT_CONTAINS(text, capline);
        snprintf(capline, sizeof capline, "CapPrm:\t%016" PRIx64 "\n", oci_spec_get_caps(s));
        ASSERT_CONTAINS(text, capline);
        assert_common_output(text, s);
}

TEST(runc_runs_the_generated_bundle_as_resolved_user) {
        _cleanup_free_ char *runc = NULL;
        const char *why = e2e_prereqs(&runc);
        if (why)
                test_skip(why);
        const char *bundle = make_bundle();
        char rootfs[320];
        snprintf(rootfs, sizeof rootfs, "%s/rootfs", bundle);
        _cleanup_close_ int rfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(rfd >= 0);
        const int64_t extra[] = { 3456 };
        OciUserRequest req = { .image_user = "tester", .supplemental_groups = extra, .n_supplemental_groups = 1 };
        _cleanup_(oci_user_clear) OciUser user = {};
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_user_resolve(rfd, &req, &user, &err));

        char id[64], cgpath[96];
        snprintf(id, sizeof id, "crio-oci-spec-user-%d-%ld", (int) getpid(), (long) time(NULL));
        snprintf(cgpath, sizeof cgpath, "/crio-test-%d-%ld-user", (int) getpid(), (long) time(NULL));
        _cleanup_(oci_spec_freep) OciSpec *s = e2e_spec(cgpath);
        ASSERT_OK(oci_spec_set_user(s, user.uid, user.gid, user.additional_gids, user.n_additional_gids, &err));
        ASSERT_OK(oci_spec_add_env(s, "HOME=/home/tester", &err));
        _cleanup_free_ char *text = run_bundle(runc, bundle, s, id, cgpath);
        ASSERT_CONTAINS(text, "uid=1234(tester) gid=1234(tester) groups=2345(extra),3456(other)\n");
        ASSERT_CONTAINS(text, "HOME=/home/tester\n");
        /* a non-root uid loses permitted/effective at execve (ambient is empty, as in CRI-O);
         * the bounding set is what the spec says */
        ASSERT_CONTAINS(text, "CapEff:\t0000000000000000\n");
        assert_common_output(text, s);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-oci-spec-XXXXXX");
}
