/* Seccomp profiles: the shipped default profile, parsing and its limits, hostile input,
 * expansion for capabilities, architectures and kernels, CRI-O's choice of profile, and (as
 * root, with runc) a container that the default profile really stops from unsharing. */
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <time.h>

#include "test.h"
#include "test-tmp.h"
#include "oci/runtime-path.h"
#include "oci/seccomp.h"
#include "oci/spec.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strv.h"

#define V(...) ((char *[]){ __VA_ARGS__, NULL })
#define CAP(n) (UINT64_C(1) << (n))
#define CAP_SYS_ADMIN 21

static uint64_t caps_of(char *const *names) {
        uint64_t m = 0;
        for (size_t i = 0; names[i]; i++) {
                int c = oci_cap_from_name(names[i]);
                ASSERT_TRUE(c >= 0);
                m |= CAP(c);
        }
        return m;
}
#define DEFAULT_CAPS caps_of(V(OCI_SPEC_DEFAULT_CAPS))

static void json_node_unrefp(JsonNode **n) {
        if (*n)
                json_node_unref(*n);
}

static OciSeccompProfile *builtin(void) {
        OciSeccompProfile *p = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        if (oci_seccomp_profile_builtin(&p, &err) < 0)
                test_fail(__FILE__, __LINE__, "builtin: %s", err.msg);
        return p;
}

static OciSeccompProfile *parse_ok(const char *text) {
        OciSeccompProfile *p = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        if (oci_seccomp_profile_parse(text, strlen(text), &p, &err) < 0)
                test_fail(__FILE__, __LINE__, "parse: %s\n%s", err.msg, text);
        return p;
}

/* Parses text expecting failure with code and a message containing needle. */
#define ASSERT_PARSE_FAILS(text, code, needle)                                                        \
        do {                                                                                          \
                const char *_t = (text);                                                              \
                OciSeccompProfile *_p = (OciSeccompProfile *) 0x1;                                    \
                CrioError _e = {};                                                                    \
                int _r = oci_seccomp_profile_parse(_t, strlen(_t), &_p, &_e);                         \
                if (_r != -(code) || !_e.msg || !strstr(_e.msg, (needle)) || _p != (OciSeccompProfile *) 0x1) \
                        test_fail(__FILE__, __LINE__, "parse gave %d \"%s\", expected %d with \"%s\"", _r, \
                                  _e.msg ? _e.msg : "(null)", -(code), (needle));                     \
                crio_error_clear(&_e);                                                                \
        } while (0)

static JsonNode *to_oci(const OciSeccompProfile *p, uint64_t caps, const char *arch) {
        JsonNode *n = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        if (oci_seccomp_profile_to_oci(p, caps, arch, &n, &err) < 0)
                test_fail(__FILE__, __LINE__, "to_oci: %s", err.msg);
        ASSERT_TRUE(n && JSON_NODE_HOLDS_OBJECT(n));
        return n;
}

static JsonArray *rules(JsonNode *sec) {
        JsonObject *o = json_node_get_object(sec);
        ASSERT_TRUE(json_object_has_member(o, "syscalls"));
        return json_object_get_array_member(o, "syscalls");
}

/* The nth rule (0-based) whose names hold name, or NULL. */
static JsonObject *rule_for(JsonNode *sec, const char *name, int nth) {
        JsonArray *a = rules(sec);
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonObject *r = json_array_get_object_element(a, i);
                JsonArray *names = json_object_get_array_member(r, "names");
                for (guint j = 0; j < json_array_get_length(names); j++)
                        if (strcmp(json_array_get_string_element(names, j), name) == 0 && nth-- == 0)
                                return r;
        }
        return NULL;
}

/* True if some rule allows name without conditions. */
static bool allowed(JsonNode *sec, const char *name) {
        JsonObject *r;
        for (int i = 0; (r = rule_for(sec, name, i)); i++)
                if (strcmp(json_object_get_string_member(r, "action"), "SCMP_ACT_ALLOW") == 0 &&
                    !json_object_has_member(r, "args"))
                        return true;
        return false;
}

static char *arches_of(JsonNode *sec) {
        JsonObject *o = json_node_get_object(sec);
        if (!json_object_has_member(o, "architectures"))
                return strdup("");
        JsonArray *a = json_object_get_array_member(o, "architectures");
        char *s = strdup("");
        for (guint i = 0; i < json_array_get_length(a); i++) {
                char *n = NULL;
                ASSERT_TRUE(asprintf(&n, "%s%s%s", s, i ? "," : "", json_array_get_string_element(a, i)) > 0);
                free(s);
                s = n;
        }
        return s;
}

/* --- the shipped profile --- */

TEST(builtin_is_the_shipped_file) {
        size_t len = 0;
        const char *json = oci_seccomp_builtin_json(&len);
        ASSERT_TRUE(json && len > 1000 && json[len] == '\0' && strlen(json) == len);
        _cleanup_free_ char *file = NULL;
        size_t flen = 0;
        _cleanup_(crio_error_clear) CrioError err = {};
        if (read_file("contrib/seccomp.json", 1 << 20, &file, &flen, &err) < 0)
                test_skip("contrib/seccomp.json not found (tests run from the top of the tree)");
        ASSERT_EQ_INT(flen, len);
        ASSERT_TRUE(memcmp(file, json, len) == 0);
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = NULL;
        ASSERT_OK(oci_seccomp_profile_load("contrib/seccomp.json", &p, &err));
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *b = builtin();
        ASSERT_EQ_INT(oci_seccomp_profile_n_groups(p), oci_seccomp_profile_n_groups(b));
}

TEST(default_profile_for_default_caps_on_x86_64) {
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = builtin();
        _cleanup_(json_node_unrefp) JsonNode *sec = to_oci(p, DEFAULT_CAPS, "x86_64");
        JsonObject *o = json_node_get_object(sec);
        ASSERT_EQ_STR(json_object_get_string_member(o, "defaultAction"), "SCMP_ACT_ERRNO");
        ASSERT_EQ_INT(json_object_get_int_member(o, "defaultErrnoRet"), EPERM);
        _cleanup_free_ char *arches = arches_of(sec);
        ASSERT_EQ_STR(arches, "SCMP_ARCH_X86_64,SCMP_ARCH_X86,SCMP_ARCH_X32");
        const char *ok[] = { "read", "write", "openat", "execve", "exit_group", "futex", "arch_prctl", "modify_ldt",
                             "ptrace", "process_vm_readv", "setuid", "capset", "chown" };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (!allowed(sec, ok[i]))
                        test_fail(__FILE__, __LINE__, "%s is not allowed", ok[i]);
        const char *refused[] = { "mount", "umount2", "unshare", "setns", "keyctl", "add_key", "request_key",
                                  "reboot", "swapon", "swapoff", "kexec_load", "kexec_file_load", "bpf",
                                  "perf_event_open", "init_module", "delete_module", "settimeofday", "chroot",
                                  "pivot_root", "open_by_handle_at", "userfaultfd", "fsopen", "move_mount",
                                  "sethostname", "acct", "iopl", "kcmp", "clone" };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++)
                if (allowed(sec, refused[i]))
                        test_fail(__FILE__, __LINE__, "%s is allowed", refused[i]);
        /* keyctl & co. appear nowhere: the default action (EPERM) refuses them */
        ASSERT_TRUE(!rule_for(sec, "keyctl", 0) && !rule_for(sec, "mount", 0) && !rule_for(sec, "unshare", 0));
        ASSERT_TRUE(!rule_for(sec, "s390_runtime_instr", 0) && !rule_for(sec, "cacheflush", 0));
        /* clone: only without CLONE_NEW* flags in the first argument */
        JsonObject *clone = rule_for(sec, "clone", 0);
        ASSERT_TRUE(clone && !rule_for(sec, "clone", 1));
        JsonArray *args = json_object_get_array_member(clone, "args");
        ASSERT_EQ_INT(json_array_get_length(args), 1);
        JsonObject *a = json_array_get_object_element(args, 0);
        ASSERT_EQ_INT(json_object_get_int_member(a, "index"), 0);
        ASSERT_EQ_INT(json_object_get_int_member(a, "value"), 0x7E020000);
        ASSERT_EQ_INT(json_object_get_int_member(a, "valueTwo"), 0);
        ASSERT_EQ_STR(json_object_get_string_member(a, "op"), "SCMP_CMP_MASKED_EQ");
        /* clone3: ENOSYS, so that libc falls back to clone */
        JsonObject *clone3 = rule_for(sec, "clone3", 0);
        ASSERT_TRUE(clone3 && !rule_for(sec, "clone3", 1));
        ASSERT_EQ_STR(json_object_get_string_member(clone3, "action"), "SCMP_ACT_ERRNO");
        ASSERT_EQ_INT(json_object_get_int_member(clone3, "errnoRet"), ENOSYS);
        /* socket: everything but AF_ALG (38) and AF_VSOCK (40) */
        ASSERT_TRUE(rule_for(sec, "socket", 2) && !rule_for(sec, "socket", 3));
}

TEST(capabilities_select_groups) {
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = builtin();
        _cleanup_(json_node_unrefp) JsonNode *admin = to_oci(p, DEFAULT_CAPS | CAP(CAP_SYS_ADMIN), "x86_64");
        const char *names[] = { "mount", "umount2", "unshare", "setns", "clone", "clone3", "sethostname", "fsopen" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (!allowed(admin, names[i]))
                        test_fail(__FILE__, __LINE__, "%s not allowed with CAP_SYS_ADMIN", names[i]);
        /* the restricted clone and the clone3 ENOSYS rules are for containers without it */
        ASSERT_TRUE(!rule_for(admin, "clone", 1) && !rule_for(admin, "clone3", 1));
        ASSERT_TRUE(!allowed(admin, "reboot") && !allowed(admin, "init_module") && !allowed(admin, "keyctl"));

        static const struct {
                const char *cap, *names[3];
        } groups[] = {
                { "CAP_SYS_BOOT", { "reboot" } },
                { "CAP_SYS_MODULE", { "init_module", "finit_module", "delete_module" } },
                { "CAP_SYS_PTRACE", { "kcmp", "pidfd_getfd", "process_madvise" } },
                { "CAP_SYS_TIME", { "settimeofday", "clock_settime", "stime" } },
                { "CAP_SYS_CHROOT", { "chroot" } },
                { "CAP_SYS_PACCT", { "acct" } },
                { "CAP_SYS_RAWIO", { "iopl", "ioperm" } },
                { "CAP_SYS_NICE", { "mbind", "set_mempolicy" } },
                { "CAP_SYSLOG", { "syslog" } },
                { "CAP_BPF", { "bpf" } },
                { "CAP_PERFMON", { "perf_event_open" } },
                { "CAP_DAC_READ_SEARCH", { "open_by_handle_at" } },
                { "CAP_SYS_TTY_CONFIG", { "vhangup" } },
        };
        for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
                uint64_t cap = CAP(oci_cap_from_name(groups[g].cap));
                _cleanup_(json_node_unrefp) JsonNode *with = to_oci(p, DEFAULT_CAPS | cap, "x86_64");
                _cleanup_(json_node_unrefp) JsonNode *without = to_oci(p, DEFAULT_CAPS & ~cap, "x86_64");
                for (size_t i = 0; i < 3 && groups[g].names[i]; i++)
                        if (!allowed(with, groups[g].names[i]) || allowed(without, groups[g].names[i]))
                                test_fail(__FILE__, __LINE__, "%s and %s", groups[g].cap, groups[g].names[i]);
        }
        /* every capability: everything a group allows, nothing is left conditional on a cap */
        _cleanup_(json_node_unrefp) JsonNode *all = to_oci(p, OCI_CAP_ALL_MASK, "x86_64");
        ASSERT_TRUE(allowed(all, "reboot") && allowed(all, "mount") && !allowed(all, "keyctl"));
}

TEST(architectures_select_groups) {
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = builtin();
        static const struct {
                const char *machine, *arches, *has, *lacks;
        } cases[] = {
                { "x86_64", "SCMP_ARCH_X86_64,SCMP_ARCH_X86,SCMP_ARCH_X32", "arch_prctl", "cacheflush" },
                { "amd64", "SCMP_ARCH_X86_64,SCMP_ARCH_X86,SCMP_ARCH_X32", "modify_ldt", "set_tls" },
                { "aarch64", "SCMP_ARCH_AARCH64,SCMP_ARCH_ARM", "cacheflush", "arch_prctl" },
                { "armv7l", "", "arm_fadvise64_64", "modify_ldt" }, /* arm has no archMap entry */
                { "i686", "", "modify_ldt", "arch_prctl" },
                { "s390x", "SCMP_ARCH_S390X,SCMP_ARCH_S390", "s390_runtime_instr", "arch_prctl" },
                { "ppc64le", "SCMP_ARCH_PPC64LE", "swapcontext", "modify_ldt" },
                { "riscv64", "SCMP_ARCH_RISCV64", "riscv_flush_icache", "arch_prctl" },
                { "sparc64", "", "read", "arch_prctl" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(json_node_unrefp) JsonNode *sec = to_oci(p, DEFAULT_CAPS, cases[i].machine);
                _cleanup_free_ char *arches = arches_of(sec);
                if (strcmp(arches, cases[i].arches) != 0 || !allowed(sec, cases[i].has) || rule_for(sec, cases[i].lacks, 0))
                        test_fail(__FILE__, __LINE__, "%s: architectures %s", cases[i].machine, arches);
        }
        /* s390 passes clone's flags second */
        _cleanup_(json_node_unrefp) JsonNode *s390 = to_oci(p, DEFAULT_CAPS, "s390x");
        JsonObject *clone = rule_for(s390, "clone", 0);
        ASSERT_TRUE(clone && !rule_for(s390, "clone", 1));
        JsonObject *a = json_array_get_object_element(json_object_get_array_member(clone, "args"), 0);
        ASSERT_EQ_INT(json_object_get_int_member(a, "index"), 1);
        /* NULL: this machine, like its uname */
        _cleanup_(json_node_unrefp) JsonNode *here = to_oci(p, DEFAULT_CAPS, NULL);
        ASSERT_TRUE(allowed(here, "read"));
}

TEST(kernel_versions_and_explicit_architectures) {
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = parse_ok(
                "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
                " \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"], \"listenerPath\": \"/run/l.sock\", \"listenerMetadata\": \"m\","
                " \"syscalls\": ["
                "  {\"names\": [\"old_ok\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"1.0\"}},"
                "  {\"names\": [\"future\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"255.255\"}},"
                "  {\"names\": [\"gone\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"minKernel\": \"2.6\"}},"
                "  {\"names\": [\"kept\"], \"action\": \"SCMP_ACT_LOG\", \"excludes\": {\"minKernel\": \"255.0\"}},"
                "  {\"name\": \"single\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13, \"comment\": \"old form\","
                "   \"args\": [{\"index\": 2, \"value\": 9223372036854775807, \"op\": \"SCMP_CMP_GE\"}]},"
                "  {\"names\": [\"newcap\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_FROM_THE_FUTURE\"]}},"
                "  {\"names\": [\"notnewcap\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"caps\": [\"CAP_FROM_THE_FUTURE\"]},"
                "   \"includes\": null, \"unknownMember\": [1, 2]}"
                " ], \"someFutureField\": {\"x\": 1}}");
        _cleanup_(json_node_unrefp) JsonNode *sec = to_oci(p, 0, "aarch64");
        JsonObject *o = json_node_get_object(sec);
        ASSERT_EQ_STR(json_object_get_string_member(o, "defaultAction"), "SCMP_ACT_KILL_PROCESS");
        ASSERT_TRUE(!json_object_has_member(o, "defaultErrnoRet"));
        _cleanup_free_ char *arches = arches_of(sec); /* the explicit list, whatever the machine */
        ASSERT_EQ_STR(arches, "SCMP_ARCH_X86_64");
        ASSERT_EQ_STR(json_array_get_string_element(json_object_get_array_member(o, "flags"), 0), "SECCOMP_FILTER_FLAG_LOG");
        ASSERT_EQ_STR(json_object_get_string_member(o, "listenerPath"), "/run/l.sock");
        ASSERT_EQ_STR(json_object_get_string_member(o, "listenerMetadata"), "m");
        ASSERT_TRUE(allowed(sec, "old_ok") && !rule_for(sec, "future", 0) && !rule_for(sec, "gone", 0));
        ASSERT_TRUE(rule_for(sec, "kept", 0) && !rule_for(sec, "newcap", 0) && allowed(sec, "notnewcap"));
        JsonObject *single = rule_for(sec, "single", 0);
        ASSERT_TRUE(single != NULL);
        ASSERT_EQ_INT(json_object_get_int_member(single, "errnoRet"), 13);
        JsonObject *a = json_array_get_object_element(json_object_get_array_member(single, "args"), 0);
        ASSERT_EQ_INT(json_object_get_int_member(a, "index"), 2);
        ASSERT_EQ_INT(json_object_get_int_member(a, "value"), INT64_MAX);
        ASSERT_EQ_INT(json_object_get_int_member(a, "valueTwo"), 0);
        ASSERT_EQ_STR(json_object_get_string_member(a, "op"), "SCMP_CMP_GE");
        ASSERT_EQ_INT(json_array_get_length(rules(sec)), 4);
}

/* --- refused input --- */

TEST(unknown_names_are_refused_by_name) {
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_SOMETIMES\"}", EINVAL, "unknown action \"SCMP_ACT_SOMETIMES\"");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"ALLOW\"}]}",
                           EINVAL, "syscalls[0].action: unknown action \"ALLOW\"");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\","
                           " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ROUGHLY\"}]}]}",
                           EINVAL, "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ROUGHLY\"");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [{\"architecture\": \"SCMP_ARCH_Z80\"}]}",
                           EINVAL, "unknown architecture \"SCMP_ARCH_Z80\"");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\", \"x86\"]}",
                           EINVAL, "architectures[1]: unknown architecture \"x86\"");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"flags\": [\"SECCOMP_FILTER_FLAG_FAST\"]}", EINVAL,
                           "unknown flag \"SECCOMP_FILTER_FLAG_FAST\"");
}

#define G(group) "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" group "]}"

TEST(malformed_profiles_are_refused) {
        ASSERT_PARSE_FAILS("", EINVAL, "the profile is empty");
        ASSERT_PARSE_FAILS(" ", EINVAL, "not a JSON object");
        ASSERT_PARSE_FAILS("[]", EINVAL, "not a JSON object");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\"", EINVAL, "not valid JSON");
        ASSERT_PARSE_FAILS("{}", EINVAL, "defaultAction: not a string");
        ASSERT_PARSE_FAILS("{\"defaultAction\": 1}", EINVAL, "defaultAction: not a string");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4096}", EINVAL,
                           "defaultErrnoRet: 4096 out of range");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}", EINVAL, "out of range");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1.5}", EINVAL, "not an integer");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"],"
                           " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\"}]}", EINVAL, "both");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": {}}", EINVAL, "syscalls: not an array");
        ASSERT_PARSE_FAILS(G("1"), EINVAL, "syscalls[0]: not an object");
        ASSERT_PARSE_FAILS(G("{\"action\": \"SCMP_ACT_ALLOW\"}"), EINVAL, "syscalls[0]: no syscall names");
        ASSERT_PARSE_FAILS(G("{\"names\": [], \"action\": \"SCMP_ACT_ALLOW\"}"), EINVAL, "no syscall names");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"name\": \"write\", \"action\": \"SCMP_ACT_ALLOW\"}"), EINVAL,
                           "both \"name\" and \"names\"");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\", 3], \"action\": \"SCMP_ACT_ALLOW\"}"), EINVAL,
                           "syscalls[0].names[1]: not a string");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"Read\"], \"action\": \"SCMP_ACT_ALLOW\"}"), EINVAL, "invalid name \"Read\"");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"\"], \"action\": \"SCMP_ACT_ALLOW\"}"), EINVAL, "invalid name");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"a b\"], \"action\": \"SCMP_ACT_ALLOW\"}"), EINVAL, "invalid name");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"]}"), EINVAL, "syscalls[0].action: not a string");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 70000}"), EINVAL,
                           "syscalls[0].errnoRet");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 6, \"op\": \"SCMP_CMP_EQ\"}]}"),
                           EINVAL, "syscalls[0].args[0].index: 6 out of range 0..5");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0}]}"), EINVAL,
                           "syscalls[0].args[0].op: not a string");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"value\": -5, \"op\": \"SCMP_CMP_EQ\"}]}"),
                           EINVAL, "args[0].value: -5 out of range");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"value\": \"1\", \"op\": \"SCMP_CMP_EQ\"}]}"),
                           EINVAL, "args[0].value: not an integer");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"4\"}}"),
                           EINVAL, "syscalls[0].includes.minKernel: invalid kernel version \"4\"");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"4.8.1\"}}"),
                           EINVAL, "invalid kernel version");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"0.0\"}}"),
                           EINVAL, "invalid kernel version");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"caps\": \"CAP_SYS_ADMIN\"}}"),
                           EINVAL, "syscalls[0].excludes.caps: not an array");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"arches\": [\"AMD64\"]}}"),
                           EINVAL, "syscalls[0].excludes.arches[0]: invalid name \"AMD64\"");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": []}"), EINVAL,
                           "syscalls[0].includes: not an object");
}

TEST(hostile_json_is_refused) {
        /* NUL bytes, raw or escaped (json-glib would cut the string there) */
        const char nul[] = "{\"defaultAction\": \"SCMP_ACT_ERRNO\"\0}";
        OciSeccompProfile *p = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_seccomp_profile_parse(nul, sizeof nul - 1, &p, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "NUL byte");
        ASSERT_TRUE(p == NULL);
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\\u0000x\"], \"action\": \"SCMP_ACT_ALLOW\"}"), EINVAL, "escaped NUL");
        /* integers json-glib would wrap around */
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"value\": 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"}]}"),
                           ERANGE, "out of range");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"value\": 9223372036854775808, \"op\": \"SCMP_CMP_EQ\"}]}"),
                           ERANGE, "out of range");
        ASSERT_PARSE_FAILS("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"x\": -99999999999999999999}", ERANGE, "out of range");
        /* nesting */
        char deep[256] = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"x\": ";
        for (int i = 0; i < 20; i++)
                strcat(deep, "[");
        for (int i = 0; i < 20; i++)
                strcat(deep, "]");
        strcat(deep, "}");
        ASSERT_PARSE_FAILS(deep, EINVAL, "nested more than 8 levels");
        /* brackets inside strings are not nesting */
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *ok = parse_ok(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"x\": \"[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{\\\"\"}");
        ASSERT_EQ_INT(oci_seccomp_profile_n_groups(ok), 0);
}

/* Builds a profile of n_groups groups of n_names names each. */
static char *big_profile(size_t n_groups, size_t n_names) {
        size_t cap = 64 + n_groups * (64 + n_names * 8);
        char *s = malloc(cap), *e = s;
        ASSERT_TRUE(s != NULL);
        e += sprintf(e, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [");
        for (size_t g = 0; g < n_groups; g++) {
                e += sprintf(e, "%s{\"action\": \"SCMP_ACT_ALLOW\", \"names\": [", g ? "," : "");
                for (size_t i = 0; i < n_names; i++)
                        e += sprintf(e, "%s\"s%zu\"", i ? "," : "", i);
                e += sprintf(e, "]}");
        }
        sprintf(e, "]}");
        return s;
}

TEST(limits) {
        _cleanup_free_ char *groups_ok = big_profile(OCI_SECCOMP_MAX_GROUPS, 1);
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = parse_ok(groups_ok);
        ASSERT_EQ_INT(oci_seccomp_profile_n_groups(p), OCI_SECCOMP_MAX_GROUPS);
        _cleanup_free_ char *groups_bad = big_profile(OCI_SECCOMP_MAX_GROUPS + 1, 1);
        ASSERT_PARSE_FAILS(groups_bad, E2BIG, "syscalls: 1025 entries, more than the limit of 1024");
        _cleanup_free_ char *names_ok = big_profile(1, OCI_SECCOMP_MAX_NAMES);
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p2 = parse_ok(names_ok);
        _cleanup_free_ char *names_bad = big_profile(1, OCI_SECCOMP_MAX_NAMES + 1);
        ASSERT_PARSE_FAILS(names_bad, E2BIG, "syscalls[0].names: 1025 entries");
        ASSERT_PARSE_FAILS(G("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
                             "{\"op\": \"SCMP_CMP_EQ\"}, {\"op\": \"SCMP_CMP_EQ\"}, {\"op\": \"SCMP_CMP_EQ\"},"
                             "{\"op\": \"SCMP_CMP_EQ\"}, {\"op\": \"SCMP_CMP_EQ\"}, {\"op\": \"SCMP_CMP_EQ\"},"
                             "{\"op\": \"SCMP_CMP_EQ\"}]}"),
                           E2BIG, "syscalls[0].args: 7 entries, more than the limit of 6");
        char longname[OCI_SECCOMP_MAX_NAME_LEN + 2];
        memset(longname, 'a', sizeof longname - 1);
        longname[sizeof longname - 1] = '\0';
        char text[256];
        snprintf(text, sizeof text, G("{\"names\": [\"%s\"], \"action\": \"SCMP_ACT_ALLOW\"}"), longname);
        ASSERT_PARSE_FAILS(text, EINVAL, "longer than 64 bytes");
        /* the file size: parse and load */
        size_t big = OCI_SECCOMP_MAX_FILE_SIZE + 1;
        _cleanup_free_ char *pad = malloc(big + 1);
        ASSERT_TRUE(pad != NULL);
        memset(pad, ' ', big);
        memcpy(pad, "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}", 35);
        pad[big] = '\0';
        ASSERT_PARSE_FAILS(pad, EFBIG, "more than the limit");
        test_tmp_dir();
        const char *path = test_tmp_write("big.json", pad);
        OciSeccompProfile *out = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(oci_seccomp_profile_load(path, &out, &err), -EFBIG);
        ASSERT_CONTAINS(err.msg, path);
        pad[big - 1] = '\0'; /* exactly the limit is fine */
        path = test_tmp_write("limit.json", pad);
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p3 = NULL;
        crio_error_clear(&err);
        ASSERT_OK(oci_seccomp_profile_load(path, &p3, &err));
}

TEST(truncated_and_mutated_default_profile_never_crashes) {
        size_t len = 0;
        const char *json = oci_seccomp_builtin_json(&len);
        _cleanup_free_ char *buf = malloc(len + 1);
        ASSERT_TRUE(buf != NULL);
        unsigned seed = 12345;
        for (size_t cut = 0; cut < len; cut += 7) {
                OciSeccompProfile *p = NULL;
                CrioError err = {};
                int r = oci_seccomp_profile_parse(json, cut, &p, &err);
                ASSERT_TRUE(r < 0 && err.msg && !p);
                crio_error_clear(&err);
                /* one byte flipped */
                memcpy(buf, json, len);
                seed = seed * 1103515245 + 12345;
                buf[(seed >> 8) % len] = (char) ("{}[]\",:0-9aZ\\ "[(seed >> 20) % 15]);
                r = oci_seccomp_profile_parse(buf, len, &p, &err);
                ASSERT_TRUE(r < 0 ? (err.msg && !p) : (p && !err.msg));
                if (p) {
                        JsonNode *n = to_oci(p, (uint64_t) seed * 2654435761u, (seed & 1) ? "x86_64" : "s390x");
                        json_node_unref(n);
                }
                oci_seccomp_profile_free(p);
                crio_error_clear(&err);
        }
}

/* --- loading and choosing --- */

TEST(load_refuses_what_is_not_a_regular_file) {
        const char *d = test_tmp_dir();
        OciSeccompProfile *p = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        char path[256];
        snprintf(path, sizeof path, "%s/missing.json", d);
        ASSERT_EQ_INT(oci_seccomp_profile_load(path, &p, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, path);
        crio_error_clear(&err);
        ASSERT_EQ_INT(oci_seccomp_profile_load(d, &p, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "not a regular file");
        crio_error_clear(&err);
        snprintf(path, sizeof path, "%s/fifo", d);
        ASSERT_TRUE(mkfifo(path, 0600) == 0);
        ASSERT_EQ_INT(oci_seccomp_profile_load(path, &p, &err), -EINVAL); /* and does not block */
        crio_error_clear(&err);
        const char *bad = test_tmp_write("bad.json", "{\"defaultAction\": \"SCMP_ACT_NOPE\"}");
        ASSERT_EQ_INT(oci_seccomp_profile_load(bad, &p, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, bad);
        ASSERT_CONTAINS(err.msg, "unknown action \"SCMP_ACT_NOPE\"");
        ASSERT_TRUE(p == NULL);
}

#define CUSTOM "{\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"
#define INSTALLED "{\"defaultAction\": \"SCMP_ACT_TRAP\"}"

/* Runs oci_seccomp_select; returns the profile's default action ("" if unconfined), static. */
static const char *choose(const OciSeccompRequest *req, int expect_r, const char *expect_ref) {
        static char action[64];
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = NULL;
        _cleanup_free_ char *ref = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        int r = oci_seccomp_select(req, &p, &ref, &err);
        if (r != expect_r)
                test_fail(__FILE__, __LINE__, "select gave %d (%s), expected %d", r, err.msg ? err.msg : "", expect_r);
        if (r < 0) {
                ASSERT_TRUE(err.msg && !p && !ref);
                printf("# refused: %s\n", err.msg);
                return "";
        }
        ASSERT_EQ_STR(ref, expect_ref);
        action[0] = '\0';
        if (p) {
                _cleanup_(json_node_unrefp) JsonNode *n = to_oci(p, 0, "x86_64");
                snprintf(action, sizeof action, "%s", json_object_get_string_member(json_node_get_object(n), "defaultAction"));
        }
        return action;
}

TEST(cri_o_rule_for_choosing_the_profile) {
        test_tmp_dir();
        char custom[256], installed[256], missing[256], relative[] = "profiles/x.json";
        snprintf(custom, sizeof custom, "%s", test_tmp_write("custom.json", CUSTOM));
        snprintf(installed, sizeof installed, "%s", test_tmp_write("installed.json", INSTALLED));
        snprintf(missing, sizeof missing, "%s/nothing.json", test_tmp_current);
        const char *broken = test_tmp_write("broken.json", "{");
        char ref[300];

        /* RuntimeDefault: the configured file, else the installed one, else the built-in copy */
        OciSeccompRequest rd = { .has_profile = true, .type = OCI_SECCOMP_RUNTIME_DEFAULT, .installed_profile = missing };
        ASSERT_EQ_STR(choose(&rd, 0, "runtime/default"), "SCMP_ACT_ERRNO");
        rd.installed_profile = installed;
        ASSERT_EQ_STR(choose(&rd, 0, "runtime/default"), "SCMP_ACT_TRAP");
        rd.default_profile = custom;
        ASSERT_EQ_STR(choose(&rd, 0, "runtime/default"), "SCMP_ACT_LOG");
        rd.default_profile = missing; /* a configured file must exist */
        choose(&rd, -ENOENT, NULL);
        rd.default_profile = "";
        rd.installed_profile = broken; /* a broken installed file is an error, not a fallback */
        choose(&rd, -EINVAL, NULL);

        /* Unconfined, and no profile at all */
        OciSeccompRequest un = { .has_profile = true, .type = OCI_SECCOMP_UNCONFINED, .default_profile = custom };
        ASSERT_EQ_STR(choose(&un, 0, "unconfined"), "");
        OciSeccompRequest none = { .default_profile = custom };
        ASSERT_EQ_STR(choose(&none, 0, "unconfined"), "");

        /* Localhost: absolute, existing, valid */
        OciSeccompRequest lh = { .has_profile = true, .type = OCI_SECCOMP_LOCALHOST, .localhost_ref = custom };
        snprintf(ref, sizeof ref, "localhost/%s", custom);
        ASSERT_EQ_STR(choose(&lh, 0, ref), "SCMP_ACT_LOG");
        lh.localhost_ref = relative;
        choose(&lh, -EINVAL, NULL);
        lh.localhost_ref = "";
        choose(&lh, -EINVAL, NULL);
        lh.localhost_ref = NULL;
        choose(&lh, -EINVAL, NULL);
        lh.localhost_ref = missing;
        choose(&lh, -EINVAL, NULL);
        lh.localhost_ref = broken;
        choose(&lh, -EINVAL, NULL);
        lh.localhost_ref = test_tmp_current; /* a directory */
        choose(&lh, -EINVAL, NULL);

        /* an unknown type */
        OciSeccompRequest odd = { .has_profile = true, .type = (OciSeccompProfileType) 7 };
        choose(&odd, -EINVAL, NULL);

        /* the deprecated seccomp_profile_path when the field is absent */
        OciSeccompRequest old = { .installed_profile = installed };
        old.profile_path = "runtime/default";
        ASSERT_EQ_STR(choose(&old, 0, "runtime/default"), "SCMP_ACT_TRAP");
        old.profile_path = "docker/default";
        ASSERT_EQ_STR(choose(&old, 0, "runtime/default"), "SCMP_ACT_TRAP");
        old.profile_path = "unconfined";
        ASSERT_EQ_STR(choose(&old, 0, "unconfined"), "");
        old.profile_path = "";
        ASSERT_EQ_STR(choose(&old, 0, "unconfined"), "");
        snprintf(ref, sizeof ref, "localhost/%s", custom);
        old.profile_path = ref;
        ASSERT_EQ_STR(choose(&old, 0, ref), "SCMP_ACT_LOG");
        old.profile_path = "localhost/relative.json";
        choose(&old, -EINVAL, NULL);
        old.profile_path = "strict/please";
        choose(&old, -EINVAL, NULL);
        /* the field wins over the deprecated path */
        OciSeccompRequest both = { .has_profile = true, .type = OCI_SECCOMP_UNCONFINED, .profile_path = "runtime/default" };
        ASSERT_EQ_STR(choose(&both, 0, "unconfined"), "");

        /* privileged: unconfined whatever was asked, unless crio has a profile for privileged containers */
        OciSeccompRequest priv = { .has_profile = true, .type = OCI_SECCOMP_LOCALHOST, .localhost_ref = custom,
                                   .privileged = true };
        ASSERT_EQ_STR(choose(&priv, 0, "unconfined"), "");
        priv.type = OCI_SECCOMP_RUNTIME_DEFAULT;
        ASSERT_EQ_STR(choose(&priv, 0, "unconfined"), "");
        priv.privileged_profile = installed;
        snprintf(ref, sizeof ref, "localhost/%s", installed);
        ASSERT_EQ_STR(choose(&priv, 0, ref), "SCMP_ACT_TRAP");
        priv.privileged_profile = missing;
        choose(&priv, -EINVAL, NULL);
}

/* The spec as a parsed tree (caller unrefs). */
static JsonNode *spec_tree(const OciSpec *s) {
        _cleanup_free_ char *text = oci_spec_to_json(s);
        ASSERT_TRUE(text != NULL);
        JsonParser *p = json_parser_new();
        ASSERT_TRUE(json_parser_load_from_data(p, text, -1, NULL));
        JsonNode *root = json_node_copy(json_parser_get_root(p));
        g_object_unref(p);
        return root;
}

static JsonObject *linux_of(JsonNode *tree) {
        return json_object_get_object_member(json_node_get_object(tree), "linux");
}

TEST(apply_puts_it_in_the_spec) {
        _cleanup_(oci_spec_freep) OciSpec *s = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_new(&s, &err));
        _cleanup_free_ char *ref = NULL;
        OciSeccompRequest rd = { .has_profile = true, .type = OCI_SECCOMP_RUNTIME_DEFAULT, .installed_profile = "/nonexistent/x" };
        ASSERT_OK(oci_seccomp_apply(s, &rd, &ref, &err));
        ASSERT_EQ_STR(ref, "runtime/default");
        _cleanup_(json_node_unrefp) JsonNode *t = spec_tree(s);
        JsonObject *sec = json_object_get_object_member(linux_of(t), "seccomp");
        ASSERT_TRUE(sec != NULL);
        ASSERT_EQ_STR(json_object_get_string_member(sec, "defaultAction"), "SCMP_ACT_ERRNO");
        ASSERT_TRUE(json_array_get_length(json_object_get_array_member(sec, "syscalls")) > 10);
        /* masked paths etc. are still there */
        ASSERT_TRUE(json_object_has_member(linux_of(t), "maskedPaths"));

        /* a failure leaves the spec alone */
        OciSeccompRequest bad = { .has_profile = true, .type = OCI_SECCOMP_LOCALHOST, .localhost_ref = "rel" };
        crio_error_clear(&err);
        ASSERT_EQ_INT(oci_seccomp_apply(s, &bad, NULL, &err), -EINVAL);
        _cleanup_(json_node_unrefp) JsonNode *t2 = spec_tree(s);
        ASSERT_TRUE(json_object_has_member(linux_of(t2), "seccomp"));

        /* unconfined removes it */
        OciSeccompRequest un = { .has_profile = true, .type = OCI_SECCOMP_UNCONFINED };
        crio_error_clear(&err);
        ASSERT_OK(oci_seccomp_apply(s, &un, NULL, &err));
        _cleanup_(json_node_unrefp) JsonNode *t3 = spec_tree(s);
        ASSERT_TRUE(!json_object_has_member(linux_of(t3), "seccomp"));

        /* oci_spec_set_seccomp takes objects only, and its own reference */
        JsonNode *arr = json_node_new(JSON_NODE_ARRAY);
        json_node_take_array(arr, json_array_new());
        crio_error_clear(&err);
        ASSERT_EQ_INT(oci_spec_set_seccomp(s, arr, &err), -EINVAL);
        json_node_unref(arr);
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = parse_ok(CUSTOM);
        JsonNode *n = to_oci(p, 0, "x86_64");
        ASSERT_OK(oci_spec_set_seccomp(s, n, &err));
        json_node_unref(n);
        _cleanup_(json_node_unrefp) JsonNode *t4 = spec_tree(s);
        sec = json_object_get_object_member(linux_of(t4), "seccomp");
        ASSERT_EQ_STR(json_object_get_string_member(sec, "defaultAction"), "SCMP_ACT_LOG");
}

/* --- end to end: runc applies the default profile --- */

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

/* Runs argv with stdin /dev/null and stdout+stderr appended to out_path; at most timeout_s.
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
                if (waitpid(pid, &status, WNOHANG) == pid)
                        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                struct timespec ts = { 0, 50 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return -1;
}

/* A bundle with a busybox rootfs below the test's directory; returns its path (static). */
static const char *make_bundle(void) {
        static char bundle[256];
        snprintf(bundle, sizeof bundle, "%s", test_tmp_dir());
        char p[512];
        const char *dirs[] = { "/rootfs", "/rootfs/bin", "/rootfs/proc", "/rootfs/sys", "/rootfs/dev", "/rootfs/tmp" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(p, sizeof p, "%s%s", bundle, dirs[i]);
                ASSERT_TRUE(mkdir(p, 0755) == 0);
        }
        snprintf(p, sizeof p, "%s/rootfs/bin/busybox", bundle);
        copy_file("/bin/busybox", p, 0755);
        snprintf(p, sizeof p, "%s/rootfs/bin/sh", bundle);
        ASSERT_TRUE(symlink("busybox", p) == 0);
        return bundle;
}

/* Runs the container (runc run, foreground) and returns its output (caller frees). */
static char *run_container(const char *runc, const char *bundle, const OciSpec *s, const char *name) {
        char cfg[320], out[320], state[320], del_out[320], id[96];
        snprintf(id, sizeof id, "crio-seccomp-%s-%d-%ld", name, (int) getpid(), (long) time(NULL));
        snprintf(cfg, sizeof cfg, "%s/config.json", bundle);
        snprintf(out, sizeof out, "%s/%s.out", bundle, name);
        snprintf(state, sizeof state, "%s/runc-state", bundle);
        snprintf(del_out, sizeof del_out, "%s/%s.delete", bundle, name);
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_write(s, cfg, &err));
        char *run[] = { (char *) runc, "--root", state, "run", "--bundle", (char *) bundle, id, NULL };
        int rc = run_cmd(run, out, 60);
        char *del[] = { (char *) runc, "--root", state, "delete", "-f", id, NULL };
        run_cmd(del, del_out, 30);
        char *text = NULL;
        ASSERT_OK(read_file(out, 1 << 20, &text, NULL, &err));
        printf("# %s (runc exit %d):\n", name, rc);
        for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
                nl = strchr(line, '\n');
                printf("#   %.*s\n", nl ? (int) (nl - line) : (int) strlen(line), line);
        }
        if (rc != 0)
                test_fail(__FILE__, __LINE__, "runc run exited with %d", rc);
        return text;
}

/* unshare(CLONE_NEWUSER) needs no capability: only seccomp can refuse it. */
#define UNSHARE_SCRIPT                                                                                    \
        "grep '^Seccomp:' /proc/self/status; "                                                            \
        "if /bin/busybox unshare -U /bin/busybox true; then echo UNSHARE-OK; else echo UNSHARE-REFUSED; fi; " \
        "if /bin/busybox unshare -m /bin/busybox true; then echo NEWNS-OK; else echo NEWNS-REFUSED; fi"

static OciSpec *unshare_spec(void) {
        OciSpec *s = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(oci_spec_new(&s, &err));
        ASSERT_OK(oci_spec_set_args(s, V("/bin/busybox", "sh", "-c", UNSHARE_SCRIPT), &err));
        ASSERT_OK(oci_spec_set_root(s, "rootfs", true, &err));
        return s;
}

TEST(runc_enforces_the_default_profile) {
        if (geteuid() != 0)
                test_skip("needs root for runc");
        _cleanup_free_ char *runc = NULL;
        if (find_executable("runc", NULL, &runc) < 0)
                test_skip("runc not installed");
        if (access("/bin/busybox", X_OK) < 0)
                test_skip("busybox-static not installed");
        const char *bundle = make_bundle();
        _cleanup_(crio_error_clear) CrioError err = {};
        OciSeccompRequest rd = { .has_profile = true, .type = OCI_SECCOMP_RUNTIME_DEFAULT, .installed_profile = "/nonexistent/x" };

        /* without seccomp: a user namespace needs no capability; a mount namespace does */
        _cleanup_(oci_spec_freep) OciSpec *plain = unshare_spec();
        _cleanup_free_ char *t1 = run_container(runc, bundle, plain, "none");
        ASSERT_CONTAINS(t1, "Seccomp:\t0\n");
        ASSERT_CONTAINS(t1, "UNSHARE-OK\n");
        ASSERT_CONTAINS(t1, "NEWNS-REFUSED\n");

        /* the default profile: unshare is refused with EPERM */
        _cleanup_(oci_spec_freep) OciSpec *confined = unshare_spec();
        ASSERT_OK(oci_seccomp_apply(confined, &rd, NULL, &err));
        _cleanup_free_ char *t2 = run_container(runc, bundle, confined, "default");
        ASSERT_CONTAINS(t2, "Seccomp:\t2\n");
        ASSERT_CONTAINS(t2, "Operation not permitted");
        ASSERT_CONTAINS(t2, "UNSHARE-REFUSED\n");

        /* with CAP_SYS_ADMIN the same profile lets both through */
        _cleanup_(oci_spec_freep) OciSpec *admin = unshare_spec();
        ASSERT_OK(oci_spec_cap_add(admin, "SYS_ADMIN", &err));
        ASSERT_OK(oci_seccomp_apply(admin, &rd, NULL, &err));
        _cleanup_free_ char *t3 = run_container(runc, bundle, admin, "admin");
        ASSERT_CONTAINS(t3, "Seccomp:\t2\n");
        ASSERT_CONTAINS(t3, "UNSHARE-OK\n");
        ASSERT_CONTAINS(t3, "NEWNS-OK\n");
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-oci-seccomp-XXXXXX");
}
