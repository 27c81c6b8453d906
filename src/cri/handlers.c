/* The one place that says which RPC has a handler. Each handler lives in
 * src/cri/rpc/<rpc-name>.c; an RPC missing here answers UNIMPLEMENTED. */
#include <stdbool.h>
#include <string.h>

#include "cri/rpc/rpc.h"
#include "cri/service.h"

#define RUNTIME "/runtime.v1.RuntimeService/"
#define IMAGE "/runtime.v1.ImageService/"

static const struct {
        const char *path;
        CriHandler handler;
        bool slow; /* may block for long (network, children): runs off the queue workers */
} handlers[] = {
        { RUNTIME "Version", cri_rpc_version },
        { RUNTIME "Status", cri_rpc_status },
        { IMAGE "ListImages", cri_rpc_list_images },
        { IMAGE "ImageStatus", cri_rpc_image_status },
        { IMAGE "RemoveImage", cri_rpc_remove_image },
        { IMAGE "ImageFsInfo", cri_rpc_image_fs_info },
        { IMAGE "PullImage", cri_rpc_pull_image, true },
};

CriHandler cri_handler_lookup(const char *path) {
        return cri_handler_lookup_full(path, NULL);
}

CriHandler cri_handler_lookup_full(const char *path, bool *ret_slow) {
        for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
                if (strcmp(handlers[i].path, path) == 0) {
                        if (ret_slow)
                                *ret_slow = handlers[i].slow;
                        return handlers[i].handler;
                }
        if (ret_slow)
                *ret_slow = false;
        return NULL;
}
