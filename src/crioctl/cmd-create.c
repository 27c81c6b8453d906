/* crioctl create [--no-pull] POD-ID CONTAINER_CONFIG.json POD_CONFIG.json: create a
 * container (CreateContainer) and print its ID. The image is pulled first when it is not in
 * the store (ImageStatus, then PullImage with the pod config), unless --no-pull. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "crioctl.h"

static const char usage[] = "      --no-pull   do not pull the image when it is missing\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_create = {
        .name = "create",
        .summary = "Create a new container",
        .usage = usage,
        .run = run,
};

/* Pulls image unless the store has it. */
static int ensure_image(CrioctlContext *ctx, Runtime__V1__ImageSpec *image, Runtime__V1__PodSandboxConfig *pod) {
        Runtime__V1__ImageStatusRequest sreq = RUNTIME__V1__IMAGE_STATUS_REQUEST__INIT;
        sreq.image = image;
        Runtime__V1__ImageStatusResponse *st = NULL;
        if (crioctl_call(ctx, true, "ImageStatus", &sreq.base, &runtime__v1__image_status_response__descriptor,
                         (ProtobufCMessage **) &st) < 0)
                return -1;
        bool present = st->image != NULL;
        protobuf_c_message_free_unpacked(&st->base, NULL);
        if (present)
                return 0;
        if (ctx->debug)
                fprintf(stderr, "DEBU pulling image %s\n", image->image);
        Runtime__V1__PullImageRequest preq = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
        preq.image = image;
        preq.sandbox_config = pod;
        Runtime__V1__PullImageResponse *pr = NULL;
        if (crioctl_call(ctx, true, "PullImage", &preq.base, &runtime__v1__pull_image_response__descriptor,
                         (ProtobufCMessage **) &pr) < 0)
                return -1;
        protobuf_c_message_free_unpacked(&pr->base, NULL);
        return 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "no-pull", no_argument, NULL, 'P' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        bool pull = true;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl create [FLAGS] POD-ID CONTAINER_CONFIG.json POD_CONFIG.json\n%s", usage);
                        return 0;
                } else if (c == 'P')
                        pull = false;
                else
                        return crioctl_usage_error(&crioctl_cmd_create, "invalid flag");
        }
        if (argc - optind != 3)
                return crioctl_usage_error(&crioctl_cmd_create, "name a pod ID, a container config and a pod config");
        Runtime__V1__ContainerConfig *cfg = NULL;
        Runtime__V1__PodSandboxConfig *pod = NULL;
        if (crioctl_load_container_config(argv[optind + 1], &cfg) < 0)
                return 1;
        if (crioctl_load_pod_config(argv[optind + 2], &pod) < 0) {
                protobuf_c_message_free_unpacked(&cfg->base, NULL);
                return 1;
        }
        /* as crictl: the name the user gave is the user-specified image */
        char *user_image = NULL;
        if (!cfg->image->user_specified_image[0]) {
                user_image = cfg->image->user_specified_image;
                cfg->image->user_specified_image = cfg->image->image;
        }
        if (!ctx->timeout_given)
                ctx->timeout_ms = CRIOCTL_SLOW_TIMEOUT_MS;
        int ret = 1;
        if (!pull || ensure_image(ctx, cfg->image, pod) >= 0) {
                Runtime__V1__CreateContainerRequest req = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
                req.pod_sandbox_id = argv[optind];
                req.config = cfg;
                req.sandbox_config = pod;
                Runtime__V1__CreateContainerResponse *resp = NULL;
                if (crioctl_call(ctx, false, "CreateContainer", &req.base,
                                 &runtime__v1__create_container_response__descriptor, (ProtobufCMessage **) &resp) >= 0) {
                        printf("%s\n", resp->container_id);
                        protobuf_c_message_free_unpacked(&resp->base, NULL);
                        ret = 0;
                }
        }
        if (user_image)
                cfg->image->user_specified_image = user_image; /* not a second owner of image */
        protobuf_c_message_free_unpacked(&cfg->base, NULL);
        protobuf_c_message_free_unpacked(&pod->base, NULL);
        return ret;
}
