/* Seccomp profiles, second half: the runtime-spec linux.seccomp for one container, and
 * which profile a CRI container gets (see seccomp.h). */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "seccomp-private.h"
#include "seccomp.h"
#include "util/strv.h"

#define BIG_ENDIAN_HOST (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
/* uname machine (or a libseccomp name) -> libseccomp name (used in filters) and archMap key. */
static const struct {
        const char *machine, *native, *scmp;
} machines[] = {
        { "x86_64", "amd64", "SCMP_ARCH_X86_64" },
        { "amd64", "amd64", "SCMP_ARCH_X86_64" },
        { "x32", "x32", "SCMP_ARCH_X32" },
        { "i386", "x86", "SCMP_ARCH_X86" },
        { "i486", "x86", "SCMP_ARCH_X86" },
        { "i586", "x86", "SCMP_ARCH_X86" },
        { "i686", "x86", "SCMP_ARCH_X86" },
        { "x86", "x86", "SCMP_ARCH_X86" },
        { "aarch64", "arm64", "SCMP_ARCH_AARCH64" },
        { "arm64", "arm64", "SCMP_ARCH_AARCH64" },
        { "arm", "arm", "SCMP_ARCH_ARM" }, /* also armv7l, armv6l...: matched by prefix */
        { "ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE" },
        { "ppc64", "ppc64", "SCMP_ARCH_PPC64" },
        { "ppc", "ppc", "SCMP_ARCH_PPC" },
        { "s390x", "s390x", "SCMP_ARCH_S390X" },
        { "s390", "s390", "SCMP_ARCH_S390" },
        { "riscv64", "riscv64", "SCMP_ARCH_RISCV64" },
        { "loongarch64", "loong64", "SCMP_ARCH_LOONGARCH64" },
        { "loong64", "loong64", "SCMP_ARCH_LOONGARCH64" },
        { "mips64", BIG_ENDIAN_HOST ? "mips64" : "mipsel64", BIG_ENDIAN_HOST ? "SCMP_ARCH_MIPS64" : "SCMP_ARCH_MIPSEL64" },
        { "mips", BIG_ENDIAN_HOST ? "mips" : "mipsel", BIG_ENDIAN_HOST ? "SCMP_ARCH_MIPS" : "SCMP_ARCH_MIPSEL" },
};

static int running_kernel(unsigned *ret_kernel, unsigned *ret_major, CrioError *err) {
        struct utsname u;
        if (uname(&u) < 0)
                return crio_error_set_errno(err, errno, "uname");
        if (sscanf(u.release, "%u.%u", ret_kernel, ret_major) != 2)
                return crio_error_set(err, EINVAL, "cannot read the kernel version from \"%s\"", u.release);
        return 0;
}

static bool kernel_at_least(unsigned kernel, unsigned major, const Filter *f) {
        return kernel > f->kernel || (kernel == f->kernel && major >= f->major);
}

static bool group_applies(const Group *g, uint64_t caps, const char *native, unsigned kernel, unsigned major) {
        const Filter *ex = &g->excludes, *in = &g->includes;
        if (ex->present && ((ex->arches && strv_contains(ex->arches, native)) || (caps & ex->caps) != 0 ||
                            (ex->has_kernel && kernel_at_least(kernel, major, ex))))
                return false;
        if (in->present && ((in->arches && !strv_contains(in->arches, native)) || in->unknown_cap ||
                            (caps & in->caps) != in->caps || (in->has_kernel && !kernel_at_least(kernel, major, in))))
                return false;
        return true;
}

static void add_member_string(JsonBuilder *b, const char *name, const char *value) {
        json_builder_set_member_name(b, name);
        json_builder_add_string_value(b, value);
}

static void add_member_int(JsonBuilder *b, const char *name, int64_t value) {
        json_builder_set_member_name(b, name);
        json_builder_add_int_value(b, value);
}

static void add_architectures(JsonBuilder *b, const OciSeccompProfile *p, const char *scmp) {
        const ArchEntry *e = NULL;
        for (size_t i = 0; scmp && i < p->n_arch_map && !e; i++)
                if (strcmp(p->arch_map[i].arch, scmp) == 0)
                        e = &p->arch_map[i];
        if (!e && p->n_architectures == 0)
                return;
        json_builder_set_member_name(b, "architectures");
        json_builder_begin_array(b);
        if (e) {
                json_builder_add_string_value(b, e->arch);
                for (size_t i = 0; i < e->n_sub; i++)
                        json_builder_add_string_value(b, e->sub[i]);
        } else
                for (size_t i = 0; i < p->n_architectures; i++)
                        json_builder_add_string_value(b, p->architectures[i]);
        json_builder_end_array(b);
}

static void add_group(JsonBuilder *b, const Group *g) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "names");
        json_builder_begin_array(b);
        for (size_t i = 0; g->names[i]; i++)
                json_builder_add_string_value(b, g->names[i]);
        json_builder_end_array(b);
        add_member_string(b, "action", g->action);
        if (g->has_errno)
                add_member_int(b, "errnoRet", g->errno_ret);
        if (g->n_args > 0) {
                json_builder_set_member_name(b, "args");
                json_builder_begin_array(b);
                for (size_t i = 0; i < g->n_args; i++) {
                        json_builder_begin_object(b);
                        add_member_int(b, "index", g->args[i].index);
                        add_member_int(b, "value", g->args[i].value);
                        add_member_int(b, "valueTwo", g->args[i].value_two);
                        add_member_string(b, "op", g->args[i].op);
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
        }
        json_builder_end_object(b);
}

int oci_seccomp_profile_to_oci(const OciSeccompProfile *p, uint64_t caps, const char *arch, JsonNode **ret,
                               CrioError *err) {
        struct utsname u;
        if (!arch) {
                if (uname(&u) < 0)
                        return crio_error_set_errno(err, errno, "uname");
                arch = u.machine;
        }
        const char *native = arch, *scmp = NULL;
        for (size_t i = 0; i < ELEMENTSOF(machines) && !scmp; i++)
                if (strcmp(arch, machines[i].machine) == 0 ||
                    (strcmp(machines[i].machine, "arm") == 0 && strncmp(arch, "armv", 4) == 0)) {
                        native = machines[i].native;
                        scmp = machines[i].scmp;
                }
        unsigned kernel = 0, major = 0;
        int r = running_kernel(&kernel, &major, err);
        if (r < 0)
                return r;

        JsonBuilder *b = json_builder_new();
        json_builder_begin_object(b);
        add_member_string(b, "defaultAction", p->default_action);
        if (p->has_default_errno)
                add_member_int(b, "defaultErrnoRet", p->default_errno);
        add_architectures(b, p, scmp);
        if (p->n_flags > 0) {
                json_builder_set_member_name(b, "flags");
                json_builder_begin_array(b);
                for (size_t i = 0; i < p->n_flags; i++)
                        json_builder_add_string_value(b, p->flags[i]);
                json_builder_end_array(b);
        }
        if (p->listener_path)
                add_member_string(b, "listenerPath", p->listener_path);
        if (p->listener_metadata)
                add_member_string(b, "listenerMetadata", p->listener_metadata);
        json_builder_set_member_name(b, "syscalls");
        json_builder_begin_array(b);
        for (size_t i = 0; i < p->n_groups; i++)
                if (group_applies(&p->groups[i], caps, native, kernel, major))
                        add_group(b, &p->groups[i]);
        json_builder_end_array(b);
        json_builder_end_object(b);
        *ret = json_builder_get_root(b);
        g_object_unref(b);
        return 0;
}

/* --- which profile a container gets --- */

static int load_localhost(const char *path, const char *what, OciSeccompProfile **ret, CrioError *err) {
        if (!path || path[0] != '/')
                return crio_error_set(err, EINVAL, "%s seccomp profile \"%s\" is not an absolute path", what,
                                      path ? path : "");
        CrioError e = {};
        int r = oci_seccomp_profile_load(path, ret, &e);
        if (r < 0) {
                /* e.msg reads "seccomp profile <path>: why" */
                r = crio_error_set(err, r == -ENOMEM ? ENOMEM : EINVAL, "%s %s", what, e.msg ? e.msg : strerror(-r));
                crio_error_clear(&e);
        }
        return r;
}

static int load_default(const OciSeccompRequest *req, OciSeccompProfile **ret, CrioError *err) {
        if (req->default_profile && req->default_profile[0])
                return oci_seccomp_profile_load(req->default_profile, ret, err);
        const char *installed = req->installed_profile ? req->installed_profile : OCI_SECCOMP_INSTALLED_PROFILE;
        CrioError e = {};
        int r = oci_seccomp_profile_load(installed, ret, &e);
        if (r == -ENOENT) {
                crio_error_clear(&e);
                return oci_seccomp_profile_builtin(ret, err);
        }
        if (r < 0)
                crio_error_move(err, &e);
        return r;
}

static int set_ref(char **ret_ref, const char *prefix, const char *path, CrioError *err) {
        if (!ret_ref)
                return 0;
        char *s = NULL;
        if (asprintf(&s, "%s%s", prefix, path ? path : "") < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_ref = s;
        return 0;
}

int oci_seccomp_select(const OciSeccompRequest *req, OciSeccompProfile **ret_profile, char **ret_ref, CrioError *err) {
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = NULL;
        const char *prefix = "unconfined", *path = NULL;
        int r = 0;
        OciSeccompProfileType type = req->type;
        const char *localhost = req->localhost_ref;
        if (req->privileged) {
                type = OCI_SECCOMP_UNCONFINED;
                if (req->privileged_profile && req->privileged_profile[0])
                        type = OCI_SECCOMP_LOCALHOST, localhost = req->privileged_profile;
        } else if (!req->has_profile) {
                const char *s = req->profile_path ? req->profile_path : "";
                if (strcmp(s, "runtime/default") == 0 || strcmp(s, "docker/default") == 0)
                        type = OCI_SECCOMP_RUNTIME_DEFAULT;
                else if (strcmp(s, "unconfined") == 0 || s[0] == '\0')
                        type = OCI_SECCOMP_UNCONFINED;
                else if (strncmp(s, "localhost/", 10) == 0)
                        type = OCI_SECCOMP_LOCALHOST, localhost = s + 10;
                else
                        return crio_error_set(err, EINVAL, "unknown seccomp profile \"%.256s\"", s);
        }
        switch (type) {
        case OCI_SECCOMP_UNCONFINED:
                break;
        case OCI_SECCOMP_RUNTIME_DEFAULT:
                r = load_default(req, &p, err);
                prefix = "runtime/default";
                break;
        case OCI_SECCOMP_LOCALHOST:
                r = load_localhost(localhost, req->privileged ? "privileged" : "localhost", &p, err);
                prefix = "localhost/", path = localhost;
                break;
        default:
                return crio_error_set(err, EINVAL, "unknown seccomp profile type %d", (int) type);
        }
        if (r < 0 || (r = set_ref(ret_ref, prefix, path, err)) < 0)
                return r;
        *ret_profile = TAKE_PTR(p);
        return 0;
}

int oci_seccomp_apply(OciSpec *spec, const OciSeccompRequest *req, char **ret_ref, CrioError *err) {
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = NULL;
        _cleanup_free_ char *ref = NULL;
        JsonNode *node = NULL;
        int r = oci_seccomp_select(req, &p, &ref, err);
        if (r < 0)
                return r;
        if (p && (r = oci_seccomp_profile_to_oci(p, oci_spec_get_caps(spec), NULL, &node, err)) < 0)
                return r;
        r = oci_spec_set_seccomp(spec, node, err);
        if (node)
                json_node_unref(node);
        if (r < 0)
                return r;
        if (ret_ref)
                *ret_ref = TAKE_PTR(ref);
        return 0;
}
