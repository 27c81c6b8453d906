/* Fuzz target: any bytes as a crictl config file (PodSandboxConfig, ContainerConfig) and as
 * a few other CRI messages, read by cri_message_from_json_data. A refusal says why and
 * leaves the output alone; an accepted message passes protobuf_c_message_check, packs and
 * unpacks to the same bytes, and survives cri_message_to_json -> cri_message_from_json
 * unchanged on the wire. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/pbjson.h"
#include "util/cleanup.h"

static const ProtobufCMessageDescriptor *const descs[] = {
        &runtime__v1__pod_sandbox_config__descriptor,
        &runtime__v1__container_config__descriptor,
        &runtime__v1__linux_container_resources__descriptor,
        &runtime__v1__exec_sync_response__descriptor,
        &runtime__v1__container_stats__descriptor,
};

static uint8_t *pack(const ProtobufCMessage *m, size_t *ret_len) {
        size_t n = protobuf_c_message_get_packed_size(m);
        uint8_t *b = malloc(n ? n : 1);
        if (!b)
                abort();
        if (protobuf_c_message_pack(m, b) != n)
                abort();
        *ret_len = n;
        return b;
}

static void check(ProtobufCMessage *m) {
        if (!protobuf_c_message_check(m))
                abort();
        size_t n1, n2;
        _cleanup_free_ uint8_t *b1 = pack(m, &n1);
        ProtobufCMessage *u = protobuf_c_message_unpack(m->descriptor, NULL, n1, b1);
        if (!u)
                abort();
        _cleanup_free_ uint8_t *b2 = pack(u, &n2);
        if (n1 != n2 || memcmp(b1, b2, n1) != 0)
                abort();
        protobuf_c_message_free_unpacked(u, NULL);

        JsonNode *j = cri_message_to_json(m);
        CrioError err = {};
        ProtobufCMessage *back = NULL;
        if (cri_message_from_json(j, m->descriptor, &back, &err) < 0) {
                /* only a KeyValue.value that is not UTF-8 text is printed in a form (base64)
                 * that does not read back as the same bytes; our parser never makes one */
                abort();
        }
        json_node_unref(j);
        _cleanup_free_ uint8_t *b3 = pack(back, &n2);
        if (n1 != n2 || memcmp(b1, b3, n1) != 0)
                abort();
        protobuf_c_message_free_unpacked(back, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > CRI_JSON_MAX_SIZE + 16)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(descs); i++) {
                CrioError err = {};
                ProtobufCMessage *m = NULL;
                int r = cri_message_from_json_data((const char *) data, size, descs[i], &m, &err);
                if (r < 0 && (!err.msg || m))
                        abort();
                if (r >= 0) {
                        if (!m || err.msg)
                                abort();
                        check(m);
                        protobuf_c_message_free_unpacked(m, NULL);
                }
                crio_error_clear(&err);
        }
        return 0;
}
