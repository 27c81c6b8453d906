/* Seccomp profiles, first half: the profile format, parsed strictly (see seccomp.h), and the
 * built-in copy of contrib/seccomp.json. */
#include "seccomp.h"
#include "seccomp-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/strv.h"

/* contrib/seccomp.json, embedded at build time (the Makefile makes this object depend on it).
 * The path is relative to the top of the tree, where make runs the compiler. */
__asm__(".pushsection .rodata.crio_seccomp_builtin,\"a\",%progbits\n"
        ".global crio_seccomp_builtin_start\n"
        ".hidden crio_seccomp_builtin_start\n"
        "crio_seccomp_builtin_start:\n"
        ".incbin \"contrib/seccomp.json\"\n"
        ".global crio_seccomp_builtin_end\n"
        ".hidden crio_seccomp_builtin_end\n"
        "crio_seccomp_builtin_end:\n"
        ".byte 0\n"
        ".popsection\n");
extern const char crio_seccomp_builtin_start[], crio_seccomp_builtin_end[];

/* --- names (runtime-spec 1.2 / libseccomp) --- */

static const char *const action_names[] = {
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY",
};
static const char *const op_names[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};
static const char *const flag_names[] = {
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};
static const char *const arch_names[] = {
        "SCMP_ARCH_X86",        "SCMP_ARCH_X86_64",  "SCMP_ARCH_X32",      "SCMP_ARCH_ARM",     "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS",       "SCMP_ARCH_MIPS64",  "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
        "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",    "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
        "SCMP_ARCH_S390X",      "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K",       "SCMP_ARCH_SH",      "SCMP_ARCH_SHEB",
};

static int lookup(const char *const *table, size_t n, const char *name) {
        for (size_t i = 0; name && i < n; i++)
                if (strcmp(table[i], name) == 0)
                        return (int) i;
        return -1;
}

void oci_seccomp_profile_free(OciSeccompProfile *p) {
        if (!p)
                return;
        free(p->architectures);
        free(p->arch_map);
        free(p->listener_path);
        free(p->listener_metadata);
        for (size_t i = 0; i < p->n_groups; i++) {
                strv_free(p->groups[i].names);
                strv_free(p->groups[i].includes.arches);
                strv_free(p->groups[i].excludes.arches);
        }
        free(p->groups);
        free(p);
}

size_t oci_seccomp_profile_n_groups(const OciSeccompProfile *p) {
        return p ? p->n_groups : 0;
}

/* --- reading the JSON --- */

/* Refuses NUL bytes, nesting deeper than OCI_SECCOMP_MAX_DEPTH (json-glib recurses) and
 * integers json-glib would wrap around (beyond 64-bit signed), before json-glib runs. */
static int precheck(const char *data, size_t len, CrioError *err) {
        if (len > OCI_SECCOMP_MAX_FILE_SIZE)
                return crio_error_set(err, EFBIG, "%zu bytes, more than the limit of %u", len, OCI_SECCOMP_MAX_FILE_SIZE);
        if (len == 0)
                return crio_error_set(err, EINVAL, "the profile is empty");
        if (memchr(data, '\0', len))
                return crio_error_set(err, EINVAL, "the profile contains a NUL byte");
        unsigned depth = 0;
        for (size_t i = 0; i < len; i++) {
                char c = data[i];
                if (c == '"') {
                        for (i++; i < len && data[i] != '"'; i++)
                                if (data[i] == '\\') {
                                        if (len - i > 5 && strncasecmp(data + i + 1, "u0000", 5) == 0)
                                                return crio_error_set(err, EINVAL, "the profile contains an escaped NUL");
                                        i++;
                                }
                } else if (c == '[' || c == '{') {
                        if (++depth > OCI_SECCOMP_MAX_DEPTH)
                                return crio_error_set(err, EINVAL, "the profile is nested more than %u levels deep",
                                                      OCI_SECCOMP_MAX_DEPTH);
                } else if ((c == ']' || c == '}') && depth > 0)
                        depth--;
                else if (c == '-' || (c >= '0' && c <= '9')) {
                        size_t start = i + (c == '-'), end = start;
                        while (end < len && data[end] >= '0' && data[end] <= '9')
                                end++;
                        size_t digits = end - start;
                        while (digits > 1 && data[start] == '0')
                                start++, digits--;
                        if (digits > 19 || (digits == 19 && memcmp(data + start, "9223372036854775807", 19) > 0))
                                return crio_error_set(err, ERANGE, "number at byte %zu is out of range (at most %s)", i,
                                                      "9223372036854775807");
                        i = end - 1;
                }
        }
        return 0;
}

/* Formats a field path for messages ("syscalls[3].args[0].op"); cut if it ever gets long. */
__attribute__((format(printf, 3, 4))) static void fmt_where(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, size, fmt, ap);
        va_end(ap);
}

/* The member, or NULL if absent or null (Go's encoding/json treats both alike). */
static JsonNode *member(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && !JSON_NODE_HOLDS_NULL(n) ? n : NULL;
}

static bool node_is_string(JsonNode *n) {
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

static int get_string(JsonNode *n, const char *where, size_t max, const char **ret, CrioError *err) {
        if (!node_is_string(n))
                return crio_error_set(err, EINVAL, "%s: not a string", where);
        const char *s = json_node_get_string(n);
        if (strlen(s) > max)
                return crio_error_set(err, EINVAL, "%s: longer than %zu bytes", where, max);
        *ret = s;
        return 0;
}

static int get_uint(JsonNode *n, const char *where, int64_t max, int64_t *ret, CrioError *err) {
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return crio_error_set(err, EINVAL, "%s: not an integer", where);
        int64_t v = json_node_get_int(n);
        if (v < 0 || v > max)
                return crio_error_set(err, EINVAL, "%s: %" G_GINT64_FORMAT " out of range 0..%" G_GINT64_FORMAT, where, v,
                                      max);
        *ret = v;
        return 0;
}

static int get_array(JsonNode *n, const char *where, size_t max, JsonArray **ret, CrioError *err) {
        if (!n || !JSON_NODE_HOLDS_ARRAY(n))
                return crio_error_set(err, EINVAL, "%s: not an array", where);
        JsonArray *a = json_node_get_array(n);
        if (json_array_get_length(a) > max)
                return crio_error_set(err, E2BIG, "%s: %u entries, more than the limit of %zu", where,
                                      json_array_get_length(a), max);
        *ret = a;
        return 0;
}

static int get_object(JsonNode *n, const char *where, JsonObject **ret, CrioError *err) {
        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                return crio_error_set(err, EINVAL, "%s: not an object", where);
        *ret = json_node_get_object(n);
        return 0;
}

/* A string naming one of table's entries (*ret points into the table); unknown names are
 * refused with the name. */
static int get_enum(JsonNode *n, const char *where, const char *what, const char *const *table, size_t n_table,
                    const char **ret, CrioError *err) {
        const char *s;
        int r = get_string(n, where, 64, &s, err);
        if (r < 0)
                return r;
        int i = lookup(table, n_table, s);
        if (i < 0)
                return crio_error_set(err, EINVAL, "%s: unknown %s \"%s\"", where, what, s);
        *ret = table[i];
        return 0;
}

/* A list of enum names into out[] (at most OCI_SECCOMP_MAX_LIST). */
static int get_enum_list(JsonNode *n, const char *where, const char *what, const char *const *table, size_t n_table,
                         const char **out, size_t *ret_n, CrioError *err) {
        JsonArray *a = NULL;
        int r = get_array(n, where, OCI_SECCOMP_MAX_LIST, &a, err);
        for (guint i = 0; r >= 0 && i < json_array_get_length(a); i++) {
                char w[96];
                fmt_where(w, sizeof w, "%s[%u]", where, i);
                r = get_enum(json_array_get_element(a, i), w, what, table, n_table, &out[i], err);
        }
        if (r >= 0)
                *ret_n = json_array_get_length(a);
        return r;
}

/* A syscall or architecture name: [a-z0-9_], 1..max_len bytes. */
static int get_name(JsonNode *n, const char *where, size_t max_len, const char **ret, CrioError *err) {
        const char *s;
        int r = get_string(n, where, max_len, &s, err);
        if (r < 0)
                return r;
        if (!*s || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s))
                return crio_error_set(err, EINVAL, "%s: invalid name \"%s\"", where, s);
        *ret = s;
        return 0;
}

/* A list of at most max names (see get_name). */
static int get_name_list(JsonNode *n, const char *where, size_t max, size_t max_len, char ***ret, CrioError *err) {
        JsonArray *a = NULL;
        int r = get_array(n, where, max, &a, err);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **v = calloc(json_array_get_length(a) + 1, sizeof(char *));
        if (!v)
                return crio_error_set(err, ENOMEM, "%s: out of memory", where);
        for (guint i = 0; i < json_array_get_length(a); i++) {
                char w[96];
                const char *s;
                fmt_where(w, sizeof w, "%s[%u]", where, i);
                if ((r = get_name(json_array_get_element(a, i), w, max_len, &s, err)) < 0)
                        return r;
                if (!(v[i] = strdup(s)))
                        return crio_error_set(err, ENOMEM, "%s: out of memory", where);
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int parse_kernel(const char *s, unsigned *ret_kernel, unsigned *ret_major) {
        unsigned k = 0, m = 0;
        int used = 0;
        if (sscanf(s, "%3u.%3u%n", &k, &m, &used) != 2 || (size_t) used != strlen(s) || !(s[0] >= '0' && s[0] <= '9') ||
            k > 255 || m > 255 || (k == 0 && m == 0))
                return -EINVAL;
        *ret_kernel = k;
        *ret_major = m;
        return 0;
}

static int parse_filter(JsonNode *n, const char *where, Filter *f, CrioError *err) {
        JsonObject *o = NULL;
        JsonNode *m;
        char w[96];
        int r = get_object(n, where, &o, err);
        if (r < 0)
                return r;
        f->present = true;
        if ((m = member(o, "caps"))) {
                JsonArray *a = NULL;
                fmt_where(w, sizeof w, "%s.caps", where);
                if ((r = get_array(m, w, OCI_SECCOMP_MAX_LIST, &a, err)) < 0)
                        return r;
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        const char *s;
                        fmt_where(w, sizeof w, "%s.caps[%u]", where, i);
                        if ((r = get_string(json_array_get_element(a, i), w, 64, &s, err)) < 0)
                                return r;
                        int c = oci_cap_from_name(s);
                        if (c < 0)
                                f->unknown_cap = true;
                        else
                                f->caps |= UINT64_C(1) << c;
                }
        }
        if ((m = member(o, "arches"))) {
                fmt_where(w, sizeof w, "%s.arches", where);
                if ((r = get_name_list(m, w, OCI_SECCOMP_MAX_LIST, 32, &f->arches, err)) < 0)
                        return r;
        }
        if ((m = member(o, "minKernel"))) {
                const char *s;
                fmt_where(w, sizeof w, "%s.minKernel", where);
                if ((r = get_string(m, w, 16, &s, err)) < 0)
                        return r;
                if (*s) { /* "" means no condition, as in moby */
                        if (parse_kernel(s, &f->kernel, &f->major) < 0)
                                return crio_error_set(err, EINVAL, "%s: invalid kernel version \"%s\", expected \"<kernel>.<major>\"",
                                                      w, s);
                        f->has_kernel = true;
                }
        }
        return 0;
}

static int parse_arg(JsonNode *n, const char *where, Arg *a, CrioError *err) {
        JsonObject *o = NULL;
        JsonNode *m;
        int64_t index = 0;
        char w[96];
        int r = get_object(n, where, &o, err);
        if (r < 0)
                return r;
        /* index, value and valueTwo default to 0, as in Go; op is required */
        fmt_where(w, sizeof w, "%s.index", where);
        if ((m = member(o, "index")) && (r = get_uint(m, w, OCI_SECCOMP_MAX_ARGS - 1, &index, err)) < 0)
                return r;
        a->index = (uint32_t) index;
        fmt_where(w, sizeof w, "%s.value", where);
        if ((m = member(o, "value")) && (r = get_uint(m, w, INT64_MAX, &a->value, err)) < 0)
                return r;
        fmt_where(w, sizeof w, "%s.valueTwo", where);
        if ((m = member(o, "valueTwo")) && (r = get_uint(m, w, INT64_MAX, &a->value_two, err)) < 0)
                return r;
        fmt_where(w, sizeof w, "%s.op", where);
        return get_enum(member(o, "op"), w, "operator", op_names, ELEMENTSOF(op_names), &a->op, err);
}

static int parse_group(JsonNode *n, const char *where, Group *g, CrioError *err) {
        JsonObject *o = NULL;
        JsonNode *m, *name = NULL;
        const char *s;
        char w[96];
        int r = get_object(n, where, &o, err);
        if (r < 0)
                return r;
        if ((m = member(o, "names"))) {
                fmt_where(w, sizeof w, "%s.names", where);
                if ((r = get_name_list(m, w, OCI_SECCOMP_MAX_NAMES, OCI_SECCOMP_MAX_NAME_LEN, &g->names, err)) < 0)
                        return r;
        }
        if ((name = member(o, "name"))) { /* the old single-name form */
                fmt_where(w, sizeof w, "%s.name", where);
                if (g->names && g->names[0])
                        return crio_error_set(err, EINVAL, "%s: both \"name\" and \"names\" are given", where);
                if ((r = get_name(name, w, OCI_SECCOMP_MAX_NAME_LEN, &s, err)) < 0)
                        return r;
                strv_free(g->names);
                g->names = NULL;
                if (strv_push(&g->names, s) < 0)
                        return crio_error_set(err, ENOMEM, "%s: out of memory", where);
        }
        if (strv_length(g->names) == 0)
                return crio_error_set(err, EINVAL, "%s: no syscall names", where);
        fmt_where(w, sizeof w, "%s.action", where);
        if ((r = get_enum(member(o, "action"), w, "action", action_names, ELEMENTSOF(action_names), &g->action, err)) < 0)
                return r;
        if ((m = member(o, "errnoRet"))) {
                int64_t v;
                fmt_where(w, sizeof w, "%s.errnoRet", where);
                if ((r = get_uint(m, w, OCI_SECCOMP_MAX_ERRNO, &v, err)) < 0)
                        return r;
                g->has_errno = true;
                g->errno_ret = (uint32_t) v;
        }
        if ((m = member(o, "args"))) {
                JsonArray *a = NULL;
                fmt_where(w, sizeof w, "%s.args", where);
                if ((r = get_array(m, w, OCI_SECCOMP_MAX_ARGS, &a, err)) < 0)
                        return r;
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        fmt_where(w, sizeof w, "%s.args[%u]", where, i);
                        if ((r = parse_arg(json_array_get_element(a, i), w, &g->args[i], err)) < 0)
                                return r;
                }
                g->n_args = json_array_get_length(a);
        }
        if ((m = member(o, "comment"))) {
                fmt_where(w, sizeof w, "%s.comment", where);
                if ((r = get_string(m, w, OCI_SECCOMP_MAX_STRING, &s, err)) < 0)
                        return r;
        }
        fmt_where(w, sizeof w, "%s.includes", where);
        if ((m = member(o, "includes")) && (r = parse_filter(m, w, &g->includes, err)) < 0)
                return r;
        fmt_where(w, sizeof w, "%s.excludes", where);
        if ((m = member(o, "excludes")) && (r = parse_filter(m, w, &g->excludes, err)) < 0)
                return r;
        return 0;
}

static int parse_arch_map(JsonNode *n, OciSeccompProfile *p, CrioError *err) {
        JsonArray *a = NULL;
        int r = get_array(n, "archMap", OCI_SECCOMP_MAX_LIST, &a, err);
        if (r < 0)
                return r;
        if (json_array_get_length(a) > 0 && !(p->arch_map = calloc(json_array_get_length(a), sizeof(ArchEntry))))
                return crio_error_set(err, ENOMEM, "archMap: out of memory");
        for (guint i = 0; i < json_array_get_length(a); i++) {
                ArchEntry *e = &p->arch_map[p->n_arch_map++];
                JsonObject *o = NULL;
                JsonNode *m;
                char w[64];
                fmt_where(w, sizeof w, "archMap[%u]", i);
                if ((r = get_object(json_array_get_element(a, i), w, &o, err)) < 0)
                        return r;
                fmt_where(w, sizeof w, "archMap[%u].architecture", i);
                if ((r = get_enum(member(o, "architecture"), w, "architecture", arch_names, ELEMENTSOF(arch_names),
                                  &e->arch, err)) < 0)
                        return r;
                fmt_where(w, sizeof w, "archMap[%u].subArchitectures", i);
                if ((m = member(o, "subArchitectures")) &&
                    (r = get_enum_list(m, w, "architecture", arch_names, ELEMENTSOF(arch_names), e->sub, &e->n_sub, err)) < 0)
                        return r;
        }
        return 0;
}

static int parse_root(JsonObject *o, OciSeccompProfile *p, CrioError *err) {
        JsonNode *m;
        const char *s;
        int r;
        if ((r = get_enum(member(o, "defaultAction"), "defaultAction", "action", action_names, ELEMENTSOF(action_names),
                          &p->default_action, err)) < 0)
                return r;
        if ((m = member(o, "defaultErrnoRet"))) {
                int64_t v;
                if ((r = get_uint(m, "defaultErrnoRet", OCI_SECCOMP_MAX_ERRNO, &v, err)) < 0)
                        return r;
                p->has_default_errno = true;
                p->default_errno = (uint32_t) v;
        }
        if ((m = member(o, "architectures"))) {
                const char *tmp[OCI_SECCOMP_MAX_LIST];
                if ((r = get_enum_list(m, "architectures", "architecture", arch_names, ELEMENTSOF(arch_names), tmp,
                                       &p->n_architectures, err)) < 0)
                        return r;
                if (p->n_architectures > 0 && !(p->architectures = malloc(p->n_architectures * sizeof(char *))))
                        return crio_error_set(err, ENOMEM, "architectures: out of memory");
                if (p->n_architectures > 0)
                        memcpy(p->architectures, tmp, p->n_architectures * sizeof(char *));
        }
        if ((m = member(o, "archMap")) && (r = parse_arch_map(m, p, err)) < 0)
                return r;
        if (p->n_architectures > 0 && p->n_arch_map > 0)
                return crio_error_set(err, EINVAL, "both \"architectures\" and \"archMap\" are given");
        if ((m = member(o, "flags")) &&
            (r = get_enum_list(m, "flags", "flag", flag_names, ELEMENTSOF(flag_names), p->flags, &p->n_flags, err)) < 0)
                return r;
        if ((m = member(o, "listenerPath"))) {
                if ((r = get_string(m, "listenerPath", OCI_SECCOMP_MAX_STRING, &s, err)) < 0)
                        return r;
                if (*s && !(p->listener_path = strdup(s)))
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        if ((m = member(o, "listenerMetadata"))) {
                if ((r = get_string(m, "listenerMetadata", OCI_SECCOMP_MAX_STRING, &s, err)) < 0)
                        return r;
                if (*s && !(p->listener_metadata = strdup(s)))
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        if ((m = member(o, "syscalls"))) {
                JsonArray *a = NULL;
                if ((r = get_array(m, "syscalls", OCI_SECCOMP_MAX_GROUPS, &a, err)) < 0)
                        return r;
                if (json_array_get_length(a) > 0 && !(p->groups = calloc(json_array_get_length(a), sizeof(Group))))
                        return crio_error_set(err, ENOMEM, "syscalls: out of memory");
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        char w[32];
                        fmt_where(w, sizeof w, "syscalls[%u]", i);
                        p->n_groups++; /* counted first: the free function cleans what was filled */
                        if ((r = parse_group(json_array_get_element(a, i), w, &p->groups[i], err)) < 0)
                                return r;
                }
        }
        return 0;
}

static void parser_unrefp(JsonParser **p) {
        if (*p)
                g_object_unref(*p);
}

int oci_seccomp_profile_parse(const char *data, size_t len, OciSeccompProfile **ret, CrioError *err) {
        int r = precheck(data, len, err);
        if (r < 0)
                return r;
        _cleanup_(parser_unrefp) JsonParser *parser = json_parser_new_immutable();
        GError *gerr = NULL;
        if (!json_parser_load_from_data(parser, len ? data : "", (gssize) len, &gerr)) {
                r = crio_error_set(err, EINVAL, "not valid JSON: %s", gerr ? gerr->message : "parse error");
                g_clear_error(&gerr);
                return r;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return crio_error_set(err, EINVAL, "not a JSON object");
        _cleanup_(oci_seccomp_profile_freep) OciSeccompProfile *p = calloc(1, sizeof *p);
        if (!p)
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = parse_root(json_node_get_object(root), p, err)) < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

int oci_seccomp_profile_load(const char *path, OciSeccompProfile **ret, CrioError *err) {
        /* O_NONBLOCK: a FIFO in place of the file must not block the caller. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "seccomp profile %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return crio_error_set_errno(err, errno, "seccomp profile %s", path);
        if (!S_ISREG(st.st_mode))
                return crio_error_set(err, EINVAL, "seccomp profile %s: not a regular file", path);
        if (st.st_size > (off_t) OCI_SECCOMP_MAX_FILE_SIZE)
                return crio_error_set(err, EFBIG, "seccomp profile %s: larger than %u bytes", path, OCI_SECCOMP_MAX_FILE_SIZE);
        _cleanup_free_ char *buf = malloc(OCI_SECCOMP_MAX_FILE_SIZE + 1);
        if (!buf)
                return crio_error_set(err, ENOMEM, "seccomp profile %s: out of memory", path);
        size_t len = 0;
        for (;;) {
                ssize_t n = read(fd, buf + len, OCI_SECCOMP_MAX_FILE_SIZE + 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return crio_error_set_errno(err, errno, "reading seccomp profile %s", path);
                if (n == 0)
                        break;
                if ((len += (size_t) n) > OCI_SECCOMP_MAX_FILE_SIZE)
                        return crio_error_set(err, EFBIG, "seccomp profile %s: larger than %u bytes", path,
                                              OCI_SECCOMP_MAX_FILE_SIZE);
        }
        int r = oci_seccomp_profile_parse(buf, len, ret, err);
        if (r < 0)
                crio_error_prefix(err, "seccomp profile %s: ", path);
        return r;
}

const char *oci_seccomp_builtin_json(size_t *ret_len) {
        if (ret_len)
                *ret_len = (size_t) (crio_seccomp_builtin_end - crio_seccomp_builtin_start);
        return crio_seccomp_builtin_start;
}

int oci_seccomp_profile_builtin(OciSeccompProfile **ret, CrioError *err) {
        size_t len;
        const char *data = oci_seccomp_builtin_json(&len);
        int r = oci_seccomp_profile_parse(data, len, ret, err);
        if (r < 0)
                crio_error_prefix(err, "built-in seccomp profile: ");
        return r;
}
