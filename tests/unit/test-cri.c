/* The CRI layer's pure pieces: errno <-> gRPC status, protobuf -> JSON, handlers table,
 * the socket file checks. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "api.pb-c.h"
#include "cri/pbjson.h"
#include "cri/service.h"
#include "cri/socket.h"
#include "cri/status.h"
#include "test.h"
#include "test-tmp.h"
#include "util/cleanup.h"

TEST(status_mapping_round_trips) {
        ASSERT_EQ_INT(cri_status_from_errno(-EINVAL), GRPC_STATUS_INVALID_ARGUMENT);
        ASSERT_EQ_INT(cri_status_from_errno(-ENOENT), GRPC_STATUS_NOT_FOUND);
        ASSERT_EQ_INT(cri_status_from_errno(-EEXIST), GRPC_STATUS_ALREADY_EXISTS);
        ASSERT_EQ_INT(cri_status_from_errno(-ENOSYS), GRPC_STATUS_UNIMPLEMENTED);
        ASSERT_EQ_INT(cri_status_from_errno(-EIO), GRPC_STATUS_UNKNOWN);
        grpc_status_code codes[] = { GRPC_STATUS_INVALID_ARGUMENT, GRPC_STATUS_NOT_FOUND, GRPC_STATUS_ALREADY_EXISTS,
                                     GRPC_STATUS_UNIMPLEMENTED, GRPC_STATUS_DEADLINE_EXCEEDED, GRPC_STATUS_CANCELLED };
        for (size_t i = 0; i < ELEMENTSOF(codes); i++)
                ASSERT_EQ_INT(cri_status_from_errno(cri_errno_from_status(codes[i])), codes[i]);
        ASSERT_EQ_STR(cri_status_name(GRPC_STATUS_UNIMPLEMENTED), "UNIMPLEMENTED");
        ASSERT_EQ_STR(cri_status_go_name(GRPC_STATUS_NOT_FOUND), "NotFound");
}

TEST(json_names_are_lower_camel_case) {
        _cleanup_free_ char *a = cri_json_name("runtime_api_version");
        _cleanup_free_ char *b = cri_json_name("version");
        ASSERT_EQ_STR(a, "runtimeApiVersion");
        ASSERT_EQ_STR(b, "version");
}

TEST(message_to_json_covers_maps_enums_int64_and_nulls) {
        Runtime__V1__PodSandbox ps = RUNTIME__V1__POD_SANDBOX__INIT;
        ps.id = (char *) "abc";
        ps.state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
        ps.created_at = 1234567890123456789LL;
        Runtime__V1__PodSandbox__LabelsEntry e1 = RUNTIME__V1__POD_SANDBOX__LABELS_ENTRY__INIT;
        e1.key = (char *) "app";
        e1.value = (char *) "web";
        Runtime__V1__PodSandbox__LabelsEntry *labels[] = { &e1 };
        ps.labels = labels;
        ps.n_labels = 1;

        JsonNode *n = cri_message_to_json(&ps.base);
        g_autoptr(JsonGenerator) gen = json_generator_new();
        json_generator_set_root(gen, n);
        g_autofree gchar *s = json_generator_to_data(gen, NULL);
        json_node_unref(n);
        ASSERT_CONTAINS(s, "\"id\":\"abc\"");
        ASSERT_CONTAINS(s, "\"state\":\"SANDBOX_NOTREADY\"");
        ASSERT_CONTAINS(s, "\"createdAt\":\"1234567890123456789\"");
        ASSERT_CONTAINS(s, "\"labels\":{\"app\":\"web\"}");
        ASSERT_CONTAINS(s, "\"metadata\":null");
        ASSERT_CONTAINS(s, "\"runtimeHandler\":\"\"");
}

TEST(handlers_table_names_implemented_rpcs_only) {
        ASSERT_TRUE(cri_handler_lookup("/runtime.v1.RuntimeService/Version") != NULL);
        ASSERT_TRUE(cri_handler_lookup("/runtime.v1.RuntimeService/Status") != NULL);
        ASSERT_TRUE(cri_handler_lookup("/runtime.v1.ImageService/ImageStatus") != NULL);
        ASSERT_TRUE(cri_handler_lookup("/runtime.v1.RuntimeService/RunPodSandbox") != NULL);
        ASSERT_TRUE(cri_handler_lookup("/runtime.v1.RuntimeService/Attach") == NULL);
        ASSERT_TRUE(cri_handler_lookup("/runtime.v1.RuntimeService/Nope") == NULL);
        /* every handler named in the table is a real method of the services */
        const ProtobufCServiceDescriptor *sds[] = { &runtime__v1__runtime_service__descriptor,
                                                    &runtime__v1__image_service__descriptor };
        size_t found = 0;
        for (size_t s = 0; s < ELEMENTSOF(sds); s++)
                for (unsigned i = 0; i < sds[s]->n_methods; i++) {
                        char path[256];
                        snprintf(path, sizeof path, "/%s/%s", sds[s]->name, sds[s]->methods[i].name);
                        if (cri_handler_lookup(path))
                                found++;
                }
        /* exactly these have handlers (the rest answer UNIMPLEMENTED) */
        static const char *const implemented[] = {
                "RuntimeService/Version", "RuntimeService/Status", "ImageService/ListImages",
                "ImageService/ImageStatus", "ImageService/RemoveImage", "ImageService/ImageFsInfo",
                "ImageService/PullImage", "RuntimeService/RunPodSandbox", "RuntimeService/StopPodSandbox",
                "RuntimeService/RemovePodSandbox", "RuntimeService/PodSandboxStatus", "RuntimeService/ListPodSandbox",
                "RuntimeService/CreateContainer", "RuntimeService/StartContainer", "RuntimeService/StopContainer",
                "RuntimeService/RemoveContainer", "RuntimeService/ContainerStatus", "RuntimeService/ListContainers",
                "RuntimeService/UpdateContainerResources", "RuntimeService/ReopenContainerLog",
                "RuntimeService/ExecSync", "RuntimeService/UpdateRuntimeConfig",
                "RuntimeService/ContainerStats", "RuntimeService/ListContainerStats",
                "RuntimeService/PodSandboxStats", "RuntimeService/ListPodSandboxStats",
        };
        /* the one server stream has a streaming handler, not a unary one */
        ASSERT_TRUE(cri_stream_handler_lookup("/runtime.v1.RuntimeService/GetContainerEvents") != NULL);
        ASSERT_TRUE(cri_stream_handler_lookup("/runtime.v1.RuntimeService/Version") == NULL);
        for (size_t i = 0; i < ELEMENTSOF(implemented); i++) {
                char path[256];
                snprintf(path, sizeof path, "/runtime.v1.%s", implemented[i]);
                if (!cri_handler_lookup(path))
                        fprintf(stderr, "no handler: %s\n", path);
                ASSERT_TRUE(cri_handler_lookup(path) != NULL);
        }
        ASSERT_EQ_INT(found, ELEMENTSOF(implemented));
        /* slow handlers run off the queue workers; fast ones inline */
        bool slow = false;
        ASSERT_TRUE(cri_handler_lookup_full("/runtime.v1.ImageService/PullImage", &slow) != NULL && slow);
        ASSERT_TRUE(cri_handler_lookup_full("/runtime.v1.RuntimeService/Version", &slow) != NULL && !slow);
        ASSERT_EQ_INT(runtime__v1__runtime_service__descriptor.n_methods + runtime__v1__image_service__descriptor.n_methods,
                      43);
}

TEST(socket_prepare_refuses_live_and_replaces_stale) {
        const char *dir = test_tmp_dir();
        char path[128];
        snprintf(path, sizeof path, "%s/sub/crio.sock", dir);
        CrioError err = {};
        ASSERT_OK(cri_socket_prepare(path, &err)); /* creates sub/ */
        struct stat st;
        ASSERT_OK(stat(dir, &st));

        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_OK(bind(fd, (struct sockaddr *) &sa, sizeof sa));
        ASSERT_OK(listen(fd, 1));
        ASSERT_EQ_INT(cri_socket_prepare(path, &err), -EADDRINUSE);
        ASSERT_CONTAINS(err.msg, "in use");
        crio_error_clear(&err);
        close(fd); /* the socket file stays: stale */
        ASSERT_OK(lstat(path, &st));
        ASSERT_OK(cri_socket_prepare(path, &err));
        ASSERT_TRUE(lstat(path, &st) < 0 && errno == ENOENT);

        ASSERT_EQ_INT(cri_socket_prepare("relative.sock", &err), -EINVAL);
        crio_error_clear(&err);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-cri-XXXXXX");
}
