/* Fuzz target: any bytes as a pod's or a container's record under state_dir (state.json, read
 * back by restore.c) are accepted or refused with a message, never a crash, a hang or a leak.
 * An accepted record is written again, and what is written parses to a record that is
 * written the same way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/state.h"

static void check_container(const char *data, size_t size) {
        CrioError err = {};
        RtContainer *c = (RtContainer *) 0x1;
        if (rt_container_from_json(data, size, &c, &err) < 0) {
                if (!err.msg || c != (RtContainer *) 0x1)
                        abort(); /* every failure says why and leaves the output alone */
                crio_error_clear(&err);
                return;
        }
        if (err.msg || !c || c->refs != 1 || strlen(c->id) != RT_ID_LEN || !c->name || !c->sandbox_id ||
            (c->n_mounts > 0 && !c->mounts))
                abort();
        char *json = rt_container_to_json(c);
        RtContainer *again = NULL;
        if (!json || rt_container_from_json(json, strlen(json), &again, &err) < 0)
                abort();
        char *json2 = rt_container_to_json(again);
        if (!json2 || strcmp(json, json2) != 0)
                abort();
        free(json);
        free(json2);
        rt_container_unref(again);
        rt_container_unref(c);
}

static void check_sandbox(const char *data, size_t size) {
        CrioError err = {};
        RtSandbox *s = (RtSandbox *) 0x1;
        if (rt_sandbox_from_json(data, size, &s, &err) < 0) {
                if (!err.msg || s != (RtSandbox *) 0x1)
                        abort();
                crio_error_clear(&err);
                return;
        }
        if (err.msg || !s || s->refs != 1 || strlen(s->id) != RT_ID_LEN || !s->name || !s->dir)
                abort();
        char *json = rt_sandbox_to_json(s);
        RtSandbox *again = NULL;
        if (!json || rt_sandbox_from_json(json, strlen(json), &again, &err) < 0)
                abort();
        char *json2 = rt_sandbox_to_json(again);
        if (!json2 || strcmp(json, json2) != 0)
                abort();
        free(json);
        free(json2);
        rt_sandbox_unref(again);
        rt_sandbox_unref(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > RT_RECORD_MAX_SIZE + 16)
                return 0;
        check_container((const char *) data, size);
        check_sandbox((const char *) data, size);
        return 0;
}
