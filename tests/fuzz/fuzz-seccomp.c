/* Fuzz target: any bytes as a seccomp profile are accepted or refused with a message, never a
 * crash, a hang or a leak. An accepted profile converts, for several capability sets and
 * architectures, into a linux.seccomp object of the runtime-spec's shape, and that object is
 * itself a profile that converts to exactly the same JSON (no condition is left in it). */
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/seccomp.h"

static char *to_text(JsonNode *n) {
        JsonGenerator *g = json_generator_new();
        json_generator_set_root(g, n);
        char *text = json_generator_to_data(g, NULL);
        g_object_unref(g);
        return text;
}

static void check_shape(JsonNode *n) {
        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                abort();
        JsonObject *o = json_node_get_object(n);
        if (!json_object_has_member(o, "defaultAction") || !json_object_has_member(o, "syscalls"))
                abort();
        JsonArray *rules = json_object_get_array_member(o, "syscalls");
        for (guint i = 0; i < json_array_get_length(rules); i++) {
                JsonObject *r = json_array_get_object_element(rules, i);
                JsonArray *names = json_object_get_array_member(r, "names");
                if (!names || json_array_get_length(names) == 0 || json_array_get_length(names) > OCI_SECCOMP_MAX_NAMES ||
                    !json_object_has_member(r, "action") || json_object_has_member(r, "includes") ||
                    json_object_has_member(r, "excludes"))
                        abort();
                if (json_object_has_member(r, "args")) {
                        JsonArray *args = json_object_get_array_member(r, "args");
                        if (json_array_get_length(args) > OCI_SECCOMP_MAX_ARGS)
                                abort();
                        for (guint j = 0; j < json_array_get_length(args); j++) {
                                JsonObject *a = json_array_get_object_element(args, j);
                                gint64 idx = json_object_get_int_member(a, "index");
                                if (idx < 0 || idx >= (gint64) OCI_SECCOMP_MAX_ARGS ||
                                    json_object_get_int_member(a, "value") < 0 ||
                                    json_object_get_int_member(a, "valueTwo") < 0)
                                        abort();
                        }
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > OCI_SECCOMP_MAX_FILE_SIZE + 16)
                return 0;
        OciSeccompProfile *p = NULL;
        CrioError err = {};
        int r = oci_seccomp_profile_parse((const char *) data, size, &p, &err);
        if (r < 0) {
                if (!err.msg || p)
                        abort(); /* every failure says why and leaves the output alone */
                crio_error_clear(&err);
                return 0;
        }
        if (!p || err.msg || oci_seccomp_profile_n_groups(p) > OCI_SECCOMP_MAX_GROUPS)
                abort();
        static const struct {
                uint64_t caps;
                const char *arch;
        } cases[] = {
                { 0, "x86_64" },
                { UINT64_C(1) << 21, "aarch64" },
                { OCI_CAP_ALL_MASK, "s390x" },
                { 0x5fb, "armv7l" },
                { UINT64_MAX, "unknown-arch" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                JsonNode *n = NULL;
                if (oci_seccomp_profile_to_oci(p, cases[i].caps, cases[i].arch, &n, &err) < 0)
                        abort(); /* a parsed profile always converts */
                check_shape(n);
                /* the output is a profile without conditions: it converts to itself */
                char *text = to_text(n);
                OciSeccompProfile *again = NULL;
                JsonNode *n2 = NULL;
                if (oci_seccomp_profile_parse(text, strlen(text), &again, &err) < 0 ||
                    oci_seccomp_profile_to_oci(again, 0, "x86_64", &n2, &err) < 0)
                        abort();
                char *text2 = to_text(n2);
                if (strcmp(text, text2) != 0)
                        abort();
                g_free(text);
                g_free(text2);
                json_node_unref(n);
                json_node_unref(n2);
                oci_seccomp_profile_free(again);
        }
        oci_seccomp_profile_free(p);
        return 0;
}
