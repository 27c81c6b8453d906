/* crioctl rmi IMAGE... | --all: remove images (ImageService/RemoveImage). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "crioctl.h"

static const char usage[] = "  -a, --all   remove every image\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_rmi = {
        .name = "rmi",
        .summary = "Remove one or more images",
        .usage = usage,
        .run = run,
};

static int remove_one(CrioctlContext *ctx, const char *name) {
        Runtime__V1__RemoveImageRequest req = RUNTIME__V1__REMOVE_IMAGE_REQUEST__INIT;
        Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
        spec.image = (char *) name;
        req.image = &spec;
        Runtime__V1__RemoveImageResponse *resp = NULL;
        if (crioctl_call(ctx, true, "RemoveImage", &req.base, &runtime__v1__remove_image_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return 1;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        printf("Deleted: %s\n", name);
        return 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "all", no_argument, NULL, 'a' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        bool all = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl rmi [FLAGS] IMAGE...\n%s", usage);
                        return 0;
                } else if (c == 'a')
                        all = true;
                else
                        return crioctl_usage_error(&crioctl_cmd_rmi, "invalid flag");
        }
        if (!all && optind >= argc)
                return crioctl_usage_error(&crioctl_cmd_rmi, "no image named (or --all)");
        int ret = 0;
        if (all) {
                Runtime__V1__ListImagesRequest req = RUNTIME__V1__LIST_IMAGES_REQUEST__INIT;
                Runtime__V1__ListImagesResponse *resp = NULL;
                if (crioctl_call(ctx, true, "ListImages", &req.base, &runtime__v1__list_images_response__descriptor,
                                 (ProtobufCMessage **) &resp) < 0)
                        return 1;
                for (size_t i = 0; i < resp->n_images; i++)
                        ret |= remove_one(ctx, resp->images[i]->id);
                protobuf_c_message_free_unpacked(&resp->base, NULL);
        }
        for (int i = optind; i < argc; i++)
                ret |= remove_one(ctx, argv[i]);
        return ret;
}
