/* See cni-result.h. */
#include "network/cni-result.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"

#define ADDRESS_TEXT_MAX 64 /* "ffff:...:255.255.255.255/128" fits */

static void parser_unrefp(JsonParser **p) {
        if (*p)
                g_object_unref(*p);
}

int cni_json_precheck(const char *what, const char *data, size_t len, unsigned max_depth, CrioError *err) {
        if (len == 0)
                return crio_error_set(err, EINVAL, "%s is empty", what);
        if (memchr(data, '\0', len))
                return crio_error_set(err, EINVAL, "%s contains a NUL byte", what);
        unsigned depth = 0;
        bool in_string = false;
        for (size_t i = 0; i < len; i++) {
                char c = data[i];
                if (in_string) {
                        if (c == '\\')
                                i++; /* the escaped character cannot end the string */
                        else if (c == '"')
                                in_string = false;
                        continue;
                }
                switch (c) {
                case '"':
                        in_string = true;
                        break;
                case '[':
                case '{':
                        if (++depth > max_depth)
                                return crio_error_set(err, EINVAL, "%s is nested more than %u levels deep", what,
                                                      max_depth);
                        break;
                case ']':
                case '}':
                        if (depth > 0)
                                depth--;
                        break;
                }
        }
        return 0;
}

int cni_json_parse_object(const char *what, const char *data, size_t len, size_t max_size, unsigned max_depth,
                          JsonNode **ret, CrioError *err) {
        if (len > max_size)
                return crio_error_set(err, EFBIG, "%s is larger than %zu bytes", what, max_size);
        int r = cni_json_precheck(what, data, len, max_depth, err);
        if (r < 0)
                return r;
        _cleanup_(parser_unrefp) JsonParser *p = json_parser_new_immutable();
        g_autoptr(GError) gerr = NULL;
        if (!json_parser_load_from_data(p, data, (gssize) len, &gerr))
                return crio_error_set(err, EINVAL, "%s is not valid JSON: %s", what, gerr ? gerr->message : "?");
        JsonNode *root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return crio_error_set(err, EINVAL, "%s is not a JSON object", what);
        *ret = json_node_ref(root);
        return 0;
}

/* The member, NULL when absent or null. */
static JsonNode *member(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && !JSON_NODE_HOLDS_NULL(n) ? n : NULL;
}

static bool is_type(JsonNode *n, GType t) {
        return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == t;
}

int cni_json_get_string(JsonObject *o, const char *what, const char *name, size_t max, const char **ret,
                        CrioError *err) {
        JsonNode *n = member(o, name);
        if (!n) {
                *ret = NULL;
                return 0;
        }
        if (!is_type(n, G_TYPE_STRING))
                return crio_error_set(err, EINVAL, "%s: \"%s\" is not a string", what, name);
        const char *s = json_node_get_string(n);
        if (strlen(s) > max)
                return crio_error_set(err, EINVAL, "%s: \"%s\" is longer than %zu bytes", what, name, max);
        *ret = s;
        return 0;
}

/* The array member name of o (NULL when absent), at most max elements. */
static int get_array(JsonObject *o, const char *what, const char *name, size_t max, JsonArray **ret, CrioError *err) {
        JsonNode *n = member(o, name);
        *ret = NULL;
        if (!n)
                return 0;
        if (!JSON_NODE_HOLDS_ARRAY(n))
                return crio_error_set(err, EINVAL, "%s: \"%s\" is not an array", what, name);
        JsonArray *a = json_node_get_array(n);
        if (json_array_get_length(a) > max)
                return crio_error_set(err, EINVAL, "%s: more than %zu \"%s\"", what, max, name);
        *ret = a;
        return 0;
}

static bool known_version(const char *v) {
        static const char *const versions[] = { "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" };
        for (size_t i = 0; i < ELEMENTSOF(versions); i++)
                if (strcmp(v, versions[i]) == 0)
                        return true;
        return false;
}

bool cni_version_at_least(const char *version, unsigned major, unsigned minor, unsigned patch) {
        unsigned v[3] = { 0, 0, 0 };
        const char *p = version;
        if (!p)
                return false;
        for (int i = 0; i < 3; i++) {
                if (*p < '0' || *p > '9')
                        return false;
                unsigned long n = 0;
                while (*p >= '0' && *p <= '9' && n < 100000)
                        n = n * 10 + (unsigned) (*p++ - '0');
                v[i] = (unsigned) n;
                if (i < 2 && *p++ != '.')
                        return false;
        }
        if (*p)
                return false;
        if (v[0] != major)
                return v[0] > major;
        if (v[1] != minor)
                return v[1] > minor;
        return v[2] >= patch;
}

bool cni_name_valid(const char *s) {
        if (!s || !s[0] || strlen(s) > 255)
                return false;
        for (const char *c = s; *c; c++) {
                bool alnum = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
                if (!alnum && (c == s || (*c != '_' && *c != '.' && *c != '-')))
                        return false;
        }
        return true;
}

/* Parses "10.0.0.5/16" (prefix optional when !need_prefix) into canonical text without the
 * prefix; returns the family (AF_INET, AF_INET6) or 0 when invalid. */
static int parse_address(const char *text, bool need_prefix, char ret[static INET6_ADDRSTRLEN]) {
        char buf[ADDRESS_TEXT_MAX + 1];
        size_t len = strlen(text);
        if (len == 0 || len > ADDRESS_TEXT_MAX)
                return 0;
        memcpy(buf, text, len + 1);
        char *slash = strchr(buf, '/');
        if (slash)
                *slash = '\0';
        else if (need_prefix)
                return 0;
        unsigned char bin[16];
        int family = strchr(buf, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(family, buf, bin) != 1)
                return 0;
        if (slash) {
                const char *p = slash + 1;
                unsigned prefix = 0;
                if (!*p || strlen(p) > 3)
                        return 0;
                for (; *p; p++) {
                        if (*p < '0' || *p > '9')
                                return 0;
                        prefix = prefix * 10 + (unsigned) (*p - '0');
                }
                if (prefix > (family == AF_INET ? 32u : 128u))
                        return 0;
        }
        if (!inet_ntop(family, bin, ret, INET6_ADDRSTRLEN))
                return 0;
        return family;
}

/* One address of the result, with how much it is preferred (2: on the sandbox's CNI_IFNAME,
 * 1: on another interface inside the sandbox, 0: anywhere else or unknown). */
typedef struct Found {
        char text[INET6_ADDRSTRLEN];
        int family, rank;
} Found;

typedef struct Iface {
        const char *name;
        bool in_sandbox;
} Iface;

static int check_interfaces(JsonObject *o, Iface *ifaces, size_t *ret_n, CrioError *err) {
        JsonArray *a = NULL;
        int r = get_array(o, "result", "interfaces", CNI_RESULT_MAX_INTERFACES, &a, err);
        if (r < 0)
                return r;
        size_t n = a ? json_array_get_length(a) : 0;
        for (size_t i = 0; i < n; i++) {
                JsonNode *e = json_array_get_element(a, (guint) i);
                char what[48];
                snprintf(what, sizeof what, "result: interfaces[%zu]", i);
                if (!JSON_NODE_HOLDS_OBJECT(e))
                        return crio_error_set(err, EINVAL, "%s is not an object", what);
                JsonObject *io = json_node_get_object(e);
                const char *name = NULL, *mac = NULL, *sandbox = NULL;
                if ((r = cni_json_get_string(io, what, "name", CNI_RESULT_MAX_NAME, &name, err)) < 0 ||
                    (r = cni_json_get_string(io, what, "mac", CNI_RESULT_MAX_NAME, &mac, err)) < 0 ||
                    (r = cni_json_get_string(io, what, "sandbox", CNI_RESULT_MAX_PATH, &sandbox, err)) < 0)
                        return r;
                if (!name || !name[0])
                        return crio_error_set(err, EINVAL, "%s has no name", what);
                ifaces[i] = (Iface){ name, sandbox && sandbox[0] };
        }
        *ret_n = n;
        return 0;
}

/* One element of "ips" (0.3.0 and later). */
static int check_ip(JsonObject *io, const char *what, const Iface *ifaces, size_t n_ifaces, Found *ret,
                    CrioError *err) {
        const char *address = NULL, *gateway = NULL, *version = NULL;
        int r;
        if ((r = cni_json_get_string(io, what, "address", ADDRESS_TEXT_MAX, &address, err)) < 0 ||
            (r = cni_json_get_string(io, what, "gateway", ADDRESS_TEXT_MAX, &gateway, err)) < 0 ||
            (r = cni_json_get_string(io, what, "version", 1, &version, err)) < 0)
                return r;
        if (!address)
                return crio_error_set(err, EINVAL, "%s has no address", what);
        Found f = { .rank = 0 };
        f.family = parse_address(address, true, f.text);
        if (!f.family)
                return crio_error_set(err, EINVAL, "%s: invalid address \"%s\"", what, address);
        char gw[INET6_ADDRSTRLEN];
        if (gateway && parse_address(gateway, false, gw) != f.family)
                return crio_error_set(err, EINVAL, "%s: invalid gateway \"%s\" for %s", what, gateway, address);
        if (version && strcmp(version, f.family == AF_INET ? "4" : "6") != 0)
                return crio_error_set(err, EINVAL, "%s: version \"%s\" does not match %s", what, version, address);
        JsonNode *idx = member(io, "interface");
        if (idx) {
                if (!is_type(idx, G_TYPE_INT64))
                        return crio_error_set(err, EINVAL, "%s: \"interface\" is not an integer", what);
                gint64 i = json_node_get_int(idx);
                if (i < 0 || (uint64_t) i >= n_ifaces)
                        return crio_error_set(err, EINVAL, "%s: interface %" PRId64 " is not in \"interfaces\"", what,
                                              (int64_t) i);
                if (ifaces[i].in_sandbox)
                        f.rank = strcmp(ifaces[i].name, CNI_IFNAME) == 0 ? 2 : 1;
        }
        *ret = f;
        return 0;
}

/* "ip4" or "ip6" of a 0.1.0/0.2.0 result. */
static int check_legacy_ip(JsonObject *o, const char *name, int family, Found *found, size_t *n, CrioError *err) {
        JsonNode *n4 = member(o, name);
        if (!n4)
                return 0;
        if (!JSON_NODE_HOLDS_OBJECT(n4))
                return crio_error_set(err, EINVAL, "result: \"%s\" is not an object", name);
        char what[16];
        snprintf(what, sizeof what, "result: %s", name);
        const char *ip = NULL;
        int r = cni_json_get_string(json_node_get_object(n4), what, "ip", ADDRESS_TEXT_MAX, &ip, err);
        if (r < 0)
                return r;
        Found f = { .rank = 0 };
        if (!ip || parse_address(ip, true, f.text) != family)
                return crio_error_set(err, EINVAL, "%s: invalid or missing \"ip\"", what);
        f.family = family;
        found[(*n)++] = f;
        return 0;
}

/* Puts the best-ranked addresses in *ret: IPv4 first, each once. */
static int collect(const Found *found, size_t n, char ***ret) {
        int best = 0;
        for (size_t i = 0; i < n; i++)
                if (found[i].rank > best)
                        best = found[i].rank;
        _cleanup_strv_free_ char **ips = calloc(1, sizeof(char *));
        if (!ips)
                return -ENOMEM;
        static const int families[] = { AF_INET, AF_INET6 };
        for (size_t f = 0; f < ELEMENTSOF(families); f++)
                for (size_t i = 0; i < n; i++)
                        if (found[i].rank == best && found[i].family == families[f] &&
                            !strv_contains(ips, found[i].text) && strv_push(&ips, found[i].text) < 0)
                                return -ENOMEM;
        *ret = TAKE_PTR(ips);
        return 0;
}

int cni_result_ips(JsonNode *result, char ***ret_ips, CrioError *err) {
        if (!result || !JSON_NODE_HOLDS_OBJECT(result))
                return crio_error_set(err, EINVAL, "result is not a JSON object");
        JsonObject *o = json_node_get_object(result);
        const char *version = NULL;
        int r = cni_json_get_string(o, "result", "cniVersion", CNI_RESULT_MAX_NAME, &version, err);
        if (r < 0)
                return r;
        if (!version)
                return crio_error_set(err, EINVAL, "result has no cniVersion");
        if (!known_version(version))
                return crio_error_set(err, EINVAL, "result has unsupported cniVersion \"%s\"", version);
        Found found[CNI_RESULT_MAX_IPS];
        size_t n = 0;
        if (!cni_version_at_least(version, 0, 3, 0)) {
                if ((r = check_legacy_ip(o, "ip4", AF_INET, found, &n, err)) < 0 ||
                    (r = check_legacy_ip(o, "ip6", AF_INET6, found, &n, err)) < 0)
                        return r;
        } else {
                Iface ifaces[CNI_RESULT_MAX_INTERFACES];
                size_t n_ifaces = 0;
                JsonArray *ips = NULL, *routes = NULL;
                if ((r = check_interfaces(o, ifaces, &n_ifaces, err)) < 0 ||
                    (r = get_array(o, "result", "ips", CNI_RESULT_MAX_IPS, &ips, err)) < 0 ||
                    (r = get_array(o, "result", "routes", CNI_RESULT_MAX_ROUTES, &routes, err)) < 0)
                        return r;
                for (guint i = 0; ips && i < json_array_get_length(ips); i++) {
                        JsonNode *e = json_array_get_element(ips, i);
                        char what[32];
                        snprintf(what, sizeof what, "result: ips[%u]", i);
                        if (!JSON_NODE_HOLDS_OBJECT(e))
                                return crio_error_set(err, EINVAL, "%s is not an object", what);
                        if ((r = check_ip(json_node_get_object(e), what, ifaces, n_ifaces, &found[n++], err)) < 0)
                                return r;
                }
        }
        JsonNode *dns = member(o, "dns");
        if (dns && !JSON_NODE_HOLDS_OBJECT(dns))
                return crio_error_set(err, EINVAL, "result: \"dns\" is not an object");
        if (!ret_ips)
                return 0;
        if (collect(found, n, ret_ips) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

int cni_result_parse(const char *data, size_t len, JsonNode **ret_result, char ***ret_ips, CrioError *err) {
        g_autoptr(JsonNode) root = NULL;
        _cleanup_strv_free_ char **ips = NULL;
        int r = cni_json_parse_object("result", data, len, CNI_MAX_RESULT_SIZE, CNI_RESULT_MAX_DEPTH, &root, err);
        if (r < 0)
                return r;
        r = cni_result_ips(root, ret_ips ? &ips : NULL, err);
        if (r < 0)
                return r;
        if (ret_result)
                *ret_result = TAKE_PTR(root);
        if (ret_ips)
                *ret_ips = TAKE_PTR(ips);
        return 0;
}

/* At most CNI_ERROR_MAX_MESSAGE bytes of s, cut at a character boundary. */
static int cut_len(const char *s) {
        size_t n = strlen(s);
        if (n <= CNI_ERROR_MAX_MESSAGE)
                return (int) n;
        n = CNI_ERROR_MAX_MESSAGE;
        while (n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80)
                n--;
        return (int) n;
}

char *cni_error_message(const char *data, size_t len) {
        g_autoptr(JsonNode) root = NULL;
        if (cni_json_parse_object("error", data, len, CNI_MAX_RESULT_SIZE, CNI_RESULT_MAX_DEPTH, &root, NULL) < 0)
                return NULL;
        JsonObject *o = json_node_get_object(root);
        JsonNode *code = member(o, "code");
        const char *msg = NULL, *details = NULL;
        if (!code || !is_type(code, G_TYPE_INT64) ||
            cni_json_get_string(o, "error", "msg", CNI_MAX_RESULT_SIZE, &msg, NULL) < 0 ||
            cni_json_get_string(o, "error", "details", CNI_MAX_RESULT_SIZE, &details, NULL) < 0)
                return NULL;
        if (!msg || !msg[0])
                msg = "(no message)";
        char *m = NULL;
        int r;
        if (details && details[0])
                r = asprintf(&m, "%.*s: %.*s (code %" PRId64 ")", cut_len(msg), msg, cut_len(details), details,
                             (int64_t) json_node_get_int(code));
        else
                r = asprintf(&m, "%.*s (code %" PRId64 ")", cut_len(msg), msg, (int64_t) json_node_get_int(code));
        return r < 0 ? NULL : m;
}
