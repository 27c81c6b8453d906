/* Fuzz target: any bytes as a CNI configuration (.conflist, and .conf/.json) are accepted or
 * refused with a message naming the file, never a crash, a hang or a leak. An accepted network
 * keeps its limits (a valid name, a version we speak, 1..CNI_MAX_PLUGINS plugins with plain
 * file names as types), its bytes are the list form, which parses again as a list to the same
 * network, and every plugin object serialises to JSON that passes the same checks. */
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "network/cni-private.h"
#include "util/json-check.h"
#include "util/strv.h"

static const char *const versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0" };

static void check_network(const CniNetwork *n) {
        if (!n || n->refs != 1 || !n->name || !n->name[0] || strlen(n->name) > 128 || !n->list || !n->bytes ||
            strlen(n->bytes) != n->len || n->n_plugins < 1 || n->n_plugins > CNI_MAX_PLUGINS)
                abort();
        if (strspn(n->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(n->name) ||
            strchr("_.-", n->name[0]))
                abort();
        bool known = false;
        for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
                known = known || strcmp(n->cni_version, versions[i]) == 0;
        if (!known)
                abort();
        for (size_t i = 0; i < n->n_plugins; i++) {
                const CniPlugin *p = &n->plugins[i];
                if (!p->type || !p->type[0] || strchr(p->type, '/') || strcmp(p->type, ".") == 0 ||
                    strcmp(p->type, "..") == 0 || !p->conf)
                        abort();
                JsonNode *node = json_node_init_object(json_node_alloc(), p->conf);
                char *text = json_to_string(node, false);
                if (json_check("plugin", text, strlen(text), 64, JSON_CHECK_NUMBER_RANGE, NULL) < 0)
                        abort();
                g_free(text);
                json_node_unref(node);
        }
}

static void same_network(const CniNetwork *a, const CniNetwork *b) {
        if (strcmp(a->name, b->name) != 0 || strcmp(a->cni_version, b->cni_version) != 0 || a->n_plugins != b->n_plugins)
                abort();
        for (size_t i = 0; i < a->n_plugins; i++)
                if (strcmp(a->plugins[i].type, b->plugins[i].type) != 0 || !strv_equal(a->plugins[i].caps, b->plugins[i].caps))
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > CNI_MAX_CONFIG_SIZE + 16)
                return 0;
        for (int is_list = 0; is_list < 2; is_list++) {
                CniNetwork *n = NULL, *again = NULL;
                CrioError err = {};
                int r = cni_network_parse("fuzz.conf", (const char *) data, size, is_list, &n, &err);
                if (r < 0) {
                        if (!err.msg || n || strncmp(err.msg, "fuzz.conf: ", 11) != 0)
                                abort(); /* every failure names the file and leaves the output alone */
                        crio_error_clear(&err);
                        continue;
                }
                if (err.msg)
                        abort();
                check_network(n);
                if (cni_network_parse("", n->bytes, n->len, true, &again, &err) < 0)
                        abort(); /* the list form always parses as a list */
                check_network(again);
                same_network(n, again);
                if (again->disable_check != n->disable_check)
                        abort();
                if (cni_network_ref(n) != n || n->refs != 2)
                        abort();
                cni_network_unref(n);
                cni_network_unref(n);
                cni_network_unref(again);
        }
        return 0;
}
