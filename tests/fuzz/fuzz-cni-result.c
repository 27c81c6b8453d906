/* Fuzz target: any bytes as a CNI plugin's output (an ADD result or an error object) or as a
 * result cache entry are accepted or refused with a message, never a crash, a hang or a leak.
 * An accepted result gives at most CNI_RESULT_MAX_IPS valid addresses, IPv4 before IPv6, each
 * once, and the result printed again parses to the same addresses. */
#include <arpa/inet.h>
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "network/cni-cache.h"
#include "network/cni-result.h"
#include "util/strv.h"

static void check_ips(char **ips) {
        size_t n = strv_length(ips);
        if (n > CNI_RESULT_MAX_IPS)
                abort();
        bool seen_v6 = false;
        for (size_t i = 0; i < n; i++) {
                unsigned char bin[16];
                bool v4 = inet_pton(AF_INET, ips[i], bin) == 1, v6 = inet_pton(AF_INET6, ips[i], bin) == 1;
                if (v4 == v6 || (v4 && seen_v6))
                        abort(); /* not an address, or IPv4 after IPv6 */
                seen_v6 |= v6;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(ips[i], ips[j]) == 0)
                                abort();
        }
}

static void fuzz_result(const char *data, size_t size) {
        CrioError err = {};
        JsonNode *result = (JsonNode *) 0x1;
        char **ips = (char **) 0x1;
        if (cni_result_parse(data, size, &result, &ips, &err) < 0) {
                if (!err.msg || result != (JsonNode *) 0x1 || ips != (char **) 0x1)
                        abort(); /* every failure says why and leaves the outputs alone */
                crio_error_clear(&err);
                return;
        }
        if (err.msg || !result || !JSON_NODE_HOLDS_OBJECT(result) || !ips)
                abort();
        check_ips(ips);
        char *again = json_to_string(result, FALSE);
        char **ips2 = NULL;
        if (cni_result_parse(again, strlen(again), NULL, &ips2, &err) < 0 || !strv_equal(ips, ips2))
                abort();
        g_free(again);
        strv_free(ips2);
        strv_free(ips);
        json_node_unref(result);
}

static void fuzz_cache_entry(const char *data, size_t size) {
        CrioError err = {};
        CniAttachment *a = NULL;
        if (cni_cache_parse(data, size, &a, &err) < 0) {
                if (!err.msg || a)
                        abort();
                crio_error_clear(&err);
                return;
        }
        if (!cni_name_valid(a->container_id) || !cni_name_valid(a->network_name) || !a->config ||
            strlen(a->config) > a->config_len || strv_length(a->cni_args) % 2 != 0 || !a->capability_args)
                abort();
        cni_attachment_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > CNI_CACHE_MAX_SIZE + 16)
                return 0;
        const char *text = (const char *) data;
        fuzz_result(text, size);
        char *m = cni_error_message(text, size);
        if (m && !strstr(m, " (code "))
                abort();
        free(m);
        fuzz_cache_entry(text, size);
        return 0;
}
