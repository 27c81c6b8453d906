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
        CriStreamHandler stream; /* server-streaming RPCs (handler NULL) */
} handlers[] = {
        { RUNTIME "Version", cri_rpc_version },
        { RUNTIME "Status", cri_rpc_status },
        { IMAGE "ListImages", cri_rpc_list_images },
        { IMAGE "ImageStatus", cri_rpc_image_status },
        { IMAGE "RemoveImage", cri_rpc_remove_image },
        { IMAGE "ImageFsInfo", cri_rpc_image_fs_info },
        { IMAGE "PullImage", cri_rpc_pull_image, true },
        { RUNTIME "RunPodSandbox", cri_rpc_run_pod_sandbox, true },
        { RUNTIME "StopPodSandbox", cri_rpc_stop_pod_sandbox, true },
        { RUNTIME "RemovePodSandbox", cri_rpc_remove_pod_sandbox, true },
        { RUNTIME "PodSandboxStatus", cri_rpc_pod_sandbox_status },
        { RUNTIME "ListPodSandbox", cri_rpc_list_pod_sandbox },
        { RUNTIME "CreateContainer", cri_rpc_create_container, true },
        { RUNTIME "StartContainer", cri_rpc_start_container, true },
        { RUNTIME "StopContainer", cri_rpc_stop_container, true },
        { RUNTIME "RemoveContainer", cri_rpc_remove_container, true },
        { RUNTIME "ContainerStatus", cri_rpc_container_status },
        { RUNTIME "ListContainers", cri_rpc_list_containers },
        { RUNTIME "GetContainerEvents", .stream = cri_rpc_get_container_events },
        { RUNTIME "UpdateContainerResources", cri_rpc_update_container_resources, true },
        { RUNTIME "ReopenContainerLog", cri_rpc_reopen_container_log, true },
        { RUNTIME "ExecSync", cri_rpc_exec_sync, true },
        { RUNTIME "UpdateRuntimeConfig", cri_rpc_update_runtime_config },
        /* slow: they walk containers' read-write layers (up to CRI_STATS_WALK_MAX entries each) */
        { RUNTIME "ContainerStats", cri_rpc_container_stats, true },
        { RUNTIME "ListContainerStats", cri_rpc_list_container_stats, true },
        { RUNTIME "PodSandboxStats", cri_rpc_pod_sandbox_stats, true },
        { RUNTIME "ListPodSandboxStats", cri_rpc_list_pod_sandbox_stats, true },
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

CriStreamHandler cri_stream_handler_lookup(const char *path) {
        for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
                if (strcmp(handlers[i].path, path) == 0)
                        return handlers[i].stream;
        return NULL;
}
