/* linux.resources and linux.devices: device nodes and rules, hugepage limits, unified, the
 * resources document runc update reads; host devices from a node or a directory (mknod, as
 * root); and the CRI's resources as cri_spec_set_linux_resources applies them on this host. */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "test.h"
#include "test-tmp.h"
#include "test-spec-json.h"
#include "api.pb-c.h"
#include "cri/ctr-spec.h"
#include "oci/host-devices.h"
#include "oci/spec.h"
#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/error.h"

#define DEFAULT_RULES 12 /* oci_spec_new's device rules */

/* The spec's JSON text, for "unchanged" checks. */
static char *text_of(const OciSpec *s) {
        char *t = oci_spec_to_json(s);
        ASSERT_TRUE(t != NULL);
        return t;
}

TEST(device_nodes_replace_by_path_and_refuse_bad_input) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        JsonNode *t = to_tree(s);
        ASSERT_TRUE(!qhas(t, "$.linux.devices"));
        json_node_unref(t);
        OciDevice d = { "/dev/mynull", 'c', 1, 3, 0666, 0, 5 };
        ASSERT_OK(oci_spec_add_device(s, &d, &err));
        OciDevice d2 = { "/dev/sdx", 'b', 8, 16, 0660, 0, 6 };
        ASSERT_OK(oci_spec_add_device(s, &d2, &err));
        d.minor = 5; /* same path: replaced in place */
        ASSERT_OK(oci_spec_add_device(s, &d, &err));
        t = to_tree(s);
        ASSERT_EQ_INT(qlen(t, "$.linux.devices"), 2);
        ASSERT_EQ_STR(qs(t, "$.linux.devices[0].path"), "/dev/mynull");
        ASSERT_EQ_STR(qs(t, "$.linux.devices[0].type"), "c");
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].major"), 1);
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].minor"), 5);
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].fileMode"), 0666);
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].uid"), 0);
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].gid"), 5);
        ASSERT_EQ_STR(qs(t, "$.linux.devices[1].type"), "b");
        /* a node is not a rule */
        ASSERT_EQ_INT(qlen(t, "$.linux.resources.devices"), DEFAULT_RULES);
        json_node_unref(t);

        _cleanup_free_ char *before = text_of(s);
        const OciDevice bad[] = {
                { "dev/x", 'c', 1, 3, 0666, 0, 0 },   { "/dev/../x", 'c', 1, 3, 0666, 0, 0 },
                { "/dev/x", 'p', 1, 3, 0666, 0, 0 },  { "/dev/x", 'c', -1, 3, 0666, 0, 0 },
                { "/dev/x", 'c', 1, 3, 010000, 0, 0 }, { NULL, 'c', 1, 3, 0666, 0, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                crio_error_clear(&err);
                ASSERT_EQ_INT(oci_spec_add_device(s, &bad[i], &err), -EINVAL);
                ASSERT_TRUE(err.msg != NULL);
        }
        _cleanup_free_ char *after = text_of(s);
        ASSERT_EQ_STR(after, before);
}

TEST(hugepage_limits_and_unified) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        JsonNode *t = to_tree(s);
        ASSERT_TRUE(!qhas(t, "$.linux.resources.hugepageLimits"));
        ASSERT_TRUE(!qhas(t, "$.linux.resources.unified"));
        json_node_unref(t);
        ASSERT_OK(oci_spec_add_hugepage_limit(s, "2MB", 4 << 20, &err));
        ASSERT_OK(oci_spec_add_hugepage_limit(s, "1GB", 0, &err));
        ASSERT_OK(oci_spec_add_hugepage_limit(s, "2MB", 8 << 20, &err)); /* replaced */
        ASSERT_OK(oci_spec_set_unified(s, "memory.high", "max", &err));
        ASSERT_OK(oci_spec_set_unified(s, "io.max", "8:16 rbps=2097152", &err));
        ASSERT_OK(oci_spec_set_unified(s, "memory.high", "1073741824", &err)); /* replaced */
        t = to_tree(s);
        ASSERT_EQ_INT(qlen(t, "$.linux.resources.hugepageLimits"), 2);
        ASSERT_EQ_STR(qs(t, "$.linux.resources.hugepageLimits[0].pageSize"), "2MB");
        ASSERT_EQ_INT(qi(t, "$.linux.resources.hugepageLimits[0].limit"), 8 << 20);
        ASSERT_EQ_STR(qs(t, "$.linux.resources.hugepageLimits[1].pageSize"), "1GB");
        ASSERT_EQ_INT(qi(t, "$.linux.resources.hugepageLimits[1].limit"), 0);
        ASSERT_EQ_STR(qs(t, "$.linux.resources.unified['memory.high']"), "1073741824");
        ASSERT_EQ_STR(qs(t, "$.linux.resources.unified['io.max']"), "8:16 rbps=2097152");
        json_node_unref(t);

        _cleanup_free_ char *before = text_of(s);
        const char *bad_sizes[] = { "2mb", "02MB", "2M", "MB", "", "2MBx", "-2MB", "12345678901MB", NULL };
        for (size_t i = 0; i < ELEMENTSOF(bad_sizes); i++) {
                crio_error_clear(&err);
                ASSERT_EQ_INT(oci_spec_add_hugepage_limit(s, bad_sizes[i], 1, &err), -EINVAL);
        }
        crio_error_clear(&err);
        ASSERT_EQ_INT(oci_spec_add_hugepage_limit(s, "2MB", (uint64_t) INT64_MAX + 1, &err), -EINVAL);
        const char *bad_keys[] = { "high", "a/b.c", ".high", "memory high", "", NULL };
        for (size_t i = 0; i < ELEMENTSOF(bad_keys); i++) {
                crio_error_clear(&err);
                ASSERT_EQ_INT(oci_spec_set_unified(s, bad_keys[i], "1", &err), -EINVAL);
        }
        crio_error_clear(&err);
        ASSERT_EQ_INT(oci_spec_set_unified(s, "memory.max", NULL, &err), -EINVAL);
        _cleanup_free_ char *after = text_of(s);
        ASSERT_EQ_STR(after, before);
}

TEST(resources_json_is_the_specs_linux_resources) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_set_cpu_shares(s, 512, &err));
        ASSERT_OK(oci_spec_set_memory(s, 64 << 20, 0, &err));
        ASSERT_OK(oci_spec_add_hugepage_limit(s, "2MB", 2 << 20, &err));
        ASSERT_OK(oci_spec_set_unified(s, "memory.high", "max", &err));
        ASSERT_OK(oci_spec_add_device_rule(s, true, 'c', 1, 3, "r", &err));
        _cleanup_free_ char *json = oci_spec_resources_json(s);
        ASSERT_TRUE(json != NULL);
        ASSERT_TRUE(strchr(json, '\n') == NULL); /* compact */
        JsonParser *p = json_parser_new();
        ASSERT_TRUE(json_parser_load_from_data(p, json, -1, NULL));
        JsonNode *t = to_tree(s);
        ASSERT_TRUE(json_node_equal(json_parser_get_root(p), q(t, "$.linux.resources")));
        ASSERT_EQ_INT(qi(json_parser_get_root(p), "$.hugepageLimits[0].limit"), 2 << 20);
        json_node_unref(t);
        g_object_unref(p);
}

static void need_root(void) {
        if (geteuid() != 0)
                test_skip("mknod needs root");
}

static void mknod_or_fail(const char *path, dev_t dev) {
        if (mknod(path, S_IFCHR | 0640, dev) < 0)
                test_fail(__FILE__, __LINE__, "mknod %s: %s", path, strerror(errno));
}

TEST(host_device_node_gets_a_node_and_a_rule) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_add_host_devices(s, "/dev/null", "/dev/mynull", "wr", &err));
        ASSERT_OK(oci_spec_add_host_devices(s, "/dev/zero", "/dev/myzero", "", &err));
        JsonNode *t = to_tree(s);
        ASSERT_EQ_INT(qlen(t, "$.linux.devices"), 2);
        ASSERT_EQ_STR(qs(t, "$.linux.devices[0].path"), "/dev/mynull");
        ASSERT_EQ_STR(qs(t, "$.linux.devices[0].type"), "c");
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].major"), 1);
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].minor"), 3);
        struct stat st;
        ASSERT_TRUE(stat("/dev/null", &st) == 0);
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].fileMode"), st.st_mode & 07777);
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].uid"), st.st_uid);
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].gid"), st.st_gid);
        ASSERT_EQ_INT(qlen(t, "$.linux.resources.devices"), DEFAULT_RULES + 2);
        ASSERT_TRUE(json_node_get_boolean(q(t, "$.linux.resources.devices[12].allow")));
        ASSERT_EQ_INT(qi(t, "$.linux.resources.devices[12].minor"), 3);
        ASSERT_EQ_STR(qs(t, "$.linux.resources.devices[12].access"), "rw");
        ASSERT_EQ_STR(qs(t, "$.linux.resources.devices[13].access"), "rwm"); /* "" */
        json_node_unref(t);
}

TEST(host_device_directory_adds_every_node_below_it) {
        need_root();
        const char *d = test_tmp_dir();
        char p[512];
        snprintf(p, sizeof p, "%s/a", d);
        mknod_or_fail(p, makedev(1, 3));
        snprintf(p, sizeof p, "%s/sub", d);
        ASSERT_TRUE(mkdir(p, 0755) == 0);
        snprintf(p, sizeof p, "%s/sub/b", d);
        mknod_or_fail(p, makedev(1, 5));
        snprintf(p, sizeof p, "%s/link", d);
        ASSERT_TRUE(symlink("/dev/zero", p) == 0); /* skipped */
        test_tmp_write("f", "not a device");        /* skipped */
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_add_host_devices(s, d, "/dev/dd/", "r", &err));
        JsonNode *t = to_tree(s);
        ASSERT_EQ_INT(qlen(t, "$.linux.devices"), 2);
        ASSERT_EQ_STR(qs(t, "$.linux.devices[0].path"), "/dev/dd/a");
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].minor"), 3);
        ASSERT_EQ_INT(qi(t, "$.linux.devices[0].fileMode"), 0640);
        ASSERT_EQ_STR(qs(t, "$.linux.devices[1].path"), "/dev/dd/sub/b");
        ASSERT_EQ_INT(qi(t, "$.linux.devices[1].minor"), 5);
        ASSERT_EQ_INT(qlen(t, "$.linux.resources.devices"), DEFAULT_RULES + 2);
        ASSERT_EQ_STR(qs(t, "$.linux.resources.devices[13].access"), "r");
        json_node_unref(t);
}

TEST(host_devices_refuse_what_is_not_a_device) {
        const char *d = test_tmp_dir();
        const char *file = test_tmp_write("file", "x");
        char empty[512];
        snprintf(empty, sizeof empty, "%s/empty", d);
        ASSERT_TRUE(mkdir(empty, 0755) == 0);
        const struct {
                const char *host, *ctr, *perm, *says;
        } cases[] = {
                { "/nonexistent/dev", "/dev/x", "rw", "/nonexistent/dev" },
                { file, "/dev/x", "rw", "neither a device node nor a directory" },
                { empty, "/dev/x", "rw", "directory without device nodes" },
                { "/dev/null", "/dev/x", "rx", "\"rx\"" },
                { "/dev/null", "/dev/x", "rr", "\"rr\"" },
                { "/dev/null", "dev/x", "rw", "container_path \"dev/x\"" },
                { "/dev/null", "/", "rw", "container_path \"/\"" },
                { "/dev/null", "/dev/../x", "rw", "/dev/../x" },
                { "dev/null", "/dev/x", "rw", "host_path \"dev/null\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
                _cleanup_(crio_error_clear) CrioError err = {};
                ASSERT_EQ_INT(oci_spec_add_host_devices(s, cases[i].host, cases[i].ctr, cases[i].perm, &err), -EINVAL);
                ASSERT_CONTAINS(err.msg, cases[i].says);
        }
}

/* A LinuxContainerResources with one hugepage limit or one unified entry. */
static int apply(const char *page_size, const char *unified_key, OciSpec *s, CrioError *err) {
        Runtime__V1__LinuxContainerResources res = RUNTIME__V1__LINUX_CONTAINER_RESOURCES__INIT;
        Runtime__V1__HugepageLimit h = RUNTIME__V1__HUGEPAGE_LIMIT__INIT;
        Runtime__V1__LinuxContainerResources__UnifiedEntry u = RUNTIME__V1__LINUX_CONTAINER_RESOURCES__UNIFIED_ENTRY__INIT;
        Runtime__V1__HugepageLimit *hp[] = { &h };
        Runtime__V1__LinuxContainerResources__UnifiedEntry *up[] = { &u };
        if (page_size) {
                h.page_size = (char *) page_size;
                h.limit = 2 << 20;
                res.n_hugepage_limits = 1;
                res.hugepage_limits = hp;
        }
        if (unified_key) {
                u.key = (char *) unified_key;
                u.value = (char *) "max";
                res.n_unified = 1;
                res.unified = up;
        }
        return cri_spec_set_linux_resources(s, &res, err);
}

TEST(cri_hugepage_sizes_must_be_the_hosts) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(apply("3MB", NULL, s, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "hugepage size 3MB is not offered by this host");
        crio_error_clear(&err);
        ASSERT_EQ_INT(apply("2mb", NULL, s, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "\"2mb\"");
        if (access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) < 0)
                test_skip("no 2MB hugepages on this host");
        crio_error_clear(&err);
        ASSERT_OK(apply("2MB", NULL, s, &err));
        CgroupMode mode;
        ASSERT_OK(cgroup_mode_detect(&mode, &err));
        JsonNode *t = to_tree(s);
        /* left out when runc has no hugetlb controller to write to */
        ASSERT_EQ_INT(qhas(t, "$.linux.resources.hugepageLimits[0]"), cgroup_has_controller(mode, "hugetlb"));
        json_node_unref(t);
}

TEST(cri_unified_needs_cgroup_v2) {
        _cleanup_(oci_spec_freep) OciSpec *s = new_spec();
        _cleanup_(crio_error_clear) CrioError err = {};
        CgroupMode mode;
        ASSERT_OK(cgroup_mode_detect(&mode, &err));
        int r = apply(NULL, "memory.high", s, &err);
        JsonNode *t = to_tree(s);
        if (mode == CGROUP_MODE_UNIFIED) {
                ASSERT_OK(r);
                ASSERT_EQ_STR(qs(t, "$.linux.resources.unified['memory.high']"), "max");
        } else {
                ASSERT_EQ_INT(r, -EINVAL);
                ASSERT_CONTAINS(err.msg, "\"memory.high\" needs cgroup v2");
                ASSERT_TRUE(!qhas(t, "$.linux.resources.unified"));
        }
        json_node_unref(t);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-oci-resources-XXXXXX");
}
