/* crioctl imagefsinfo: usage of the image file system (ImageService/ImageFsInfo), printed as
 * crictl does: {"status": {"imageFilesystems": [...], "containerFilesystems": [...]}}. */
#include <getopt.h>
#include <stdio.h>

#include "api.pb-c.h"
#include "cri/pbjson.h"
#include "crioctl.h"

static const char usage[] = "  -o, --output json|yaml   output format (default json)\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_imagefsinfo = {
        .name = "imagefsinfo",
        .summary = "Return image filesystem info",
        .usage = usage,
        .run = run,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        OutputFormat fmt = OUTPUT_JSON;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl imagefsinfo [FLAGS]\n%s", usage);
                        return 0;
                }
                if (c != 'o' || output_format_parse(optarg, OUTPUT_JSON, &fmt) < 0 || fmt == OUTPUT_TABLE)
                        return crioctl_usage_error(&crioctl_cmd_imagefsinfo, "invalid flag or output format");
        }
        if (optind < argc)
                return crioctl_usage_error(&crioctl_cmd_imagefsinfo, "unexpected argument \"%s\"", argv[optind]);
        Runtime__V1__ImageFsInfoRequest req = RUNTIME__V1__IMAGE_FS_INFO_REQUEST__INIT;
        Runtime__V1__ImageFsInfoResponse *resp = NULL;
        if (crioctl_call(ctx, true, "ImageFsInfo", &req.base, &runtime__v1__image_fs_info_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return 1;
        JsonObject *out = json_object_new();
        json_object_set_member(out, "status", cri_message_to_json(&resp->base));
        JsonNode *root = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(root, out);
        output_print(root, fmt);
        json_node_unref(root);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return 0;
}
