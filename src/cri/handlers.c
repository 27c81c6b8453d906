/* The one place that says which RPC has a handler. Each handler lives in
 * src/cri/rpc/<rpc-name>.c; an RPC missing here answers UNIMPLEMENTED. */
#include <string.h>

#include "cri/rpc/rpc.h"
#include "cri/service.h"

#define RUNTIME "/runtime.v1.RuntimeService/"
#define IMAGE "/runtime.v1.ImageService/"

static const struct {
        const char *path;
        CriHandler handler;
} handlers[] = {
        { RUNTIME "Version", cri_rpc_version },
        { RUNTIME "Status", cri_rpc_status },
        { IMAGE "ListImages", cri_rpc_list_images },
        { IMAGE "ImageStatus", cri_rpc_image_status },
        { IMAGE "RemoveImage", cri_rpc_remove_image },
        { IMAGE "ImageFsInfo", cri_rpc_image_fs_info },
};

CriHandler cri_handler_lookup(const char *path) {
        for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
                if (strcmp(handlers[i].path, path) == 0)
                        return handlers[i].handler;
        return NULL;
}
