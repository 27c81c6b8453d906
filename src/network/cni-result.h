/* What a CNI plugin prints: an ADD result (the specification's Result, versions 0.1.0 to
 * 1.1.0) or, on failure, an error object. Both are untrusted input: bounded by the limits
 * below, refused before json-glib sees them when too deep, and fuzzed
 * (tests/fuzz/fuzz-cni-result.c). */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "network/cni.h"

#define CNI_RESULT_MAX_DEPTH 32        /* JSON nesting of a result (the specification's needs 4) */
#define CNI_RESULT_MAX_INTERFACES 64   /* "interfaces" */
#define CNI_RESULT_MAX_IPS 64          /* "ips" */
#define CNI_RESULT_MAX_ROUTES 1024     /* "routes" */
#define CNI_RESULT_MAX_NAME 64         /* an interface's name, a MAC address */
#define CNI_RESULT_MAX_PATH 4096       /* an interface's "sandbox" */
#define CNI_ERROR_MAX_MESSAGE 4096     /* of a plugin's msg, details or output kept in an error */

/* Checks JSON text before json-glib (which recurses) sees it: no NUL byte, objects and arrays
 * nested at most max_depth deep. EINVAL naming the problem, what in front. */
int cni_json_precheck(const char *what, const char *data, size_t len, unsigned max_depth, CrioError *err);

/* Parses JSON text of at most max_size bytes that must be an object: *ret (json_node_unref). */
int cni_json_parse_object(const char *what, const char *data, size_t len, size_t max_size, unsigned max_depth,
                          JsonNode **ret, CrioError *err);

/* The string member name of o, NULL when absent or null; -EINVAL when another type or longer
 * than max bytes. */
int cni_json_get_string(JsonObject *o, const char *what, const char *name, size_t max, const char **ret,
                        CrioError *err);

/* Parses a plugin's ADD result (at most CNI_MAX_RESULT_SIZE bytes). On success *ret_result is
 * the result object (json_node_unref) and *ret_ips the pod's addresses as cni_result_ips gives
 * them; either may be NULL. EINVAL naming the problem otherwise, outputs untouched. */
int cni_result_parse(const char *data, size_t len, JsonNode **ret_result, char ***ret_ips, CrioError *err);

/* Checks a parsed result and gives the pod's addresses (ret_ips may be NULL): without prefix
 * length, in canonical form, IPv4 first then IPv6, each once. When interface indices are
 * given, addresses on the sandbox's CNI_IFNAME are preferred, then those on any interface
 * inside the sandbox, then all of them. strv_free. */
int cni_result_ips(JsonNode *result, char ***ret_ips, CrioError *err);

/* The message of a failed plugin's stdout when it is a CNI error object ({"code", "msg",
 * "details"}): "<msg>: <details> (code N)", without ": <details>" when there are none. NULL
 * when the output is not an error object (or on ENOMEM). malloc'd. */
char *cni_error_message(const char *data, size_t len);

/* Whether version ("0.4.0") is at least major.minor.patch; false when unparsable. */
bool cni_version_at_least(const char *version, unsigned major, unsigned minor, unsigned patch);

/* Whether s can be a container ID or network name in a cache file name: as libcni requires,
 * [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 1024 bytes. */
bool cni_name_valid(const char *s);
