/* crioctl inspecti IMAGE...: the status of images (ImageService/ImageStatus, verbose):
 * {"status": <Image>, "info": {<key>: <JSON value>}} per image, as crictl prints it. */
#include <getopt.h>
#include <stdio.h>

#include "api.pb-c.h"
#include "cri/pbjson.h"
#include "crioctl.h"

static const char usage[] = "  -o, --output json|yaml   output format (default json)\n"
                            "  -q, --quiet              only the status, no verbose info\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_inspecti = {
        .name = "inspecti",
        .summary = "Return the status of one or more images",
        .usage = usage,
        .run = run,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
                                              { "quiet", no_argument, NULL, 'q' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        OutputFormat fmt = OUTPUT_JSON;
        bool quiet = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl inspecti [FLAGS] IMAGE...\n%s", usage);
                        return 0;
                } else if (c == 'q')
                        quiet = true;
                else if (c != 'o' || output_format_parse(optarg, OUTPUT_JSON, &fmt) < 0 || fmt == OUTPUT_TABLE)
                        return crioctl_usage_error(&crioctl_cmd_inspecti, "invalid flag or output format");
        }
        if (optind >= argc)
                return crioctl_usage_error(&crioctl_cmd_inspecti, "no image named");
        int ret = 0;
        for (int i = optind; i < argc; i++) {
                Runtime__V1__ImageStatusRequest req = RUNTIME__V1__IMAGE_STATUS_REQUEST__INIT;
                Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
                spec.image = argv[i];
                req.image = &spec;
                req.verbose = !quiet;
                Runtime__V1__ImageStatusResponse *resp = NULL;
                if (crioctl_call(ctx, true, "ImageStatus", &req.base, &runtime__v1__image_status_response__descriptor,
                                 (ProtobufCMessage **) &resp) < 0) {
                        ret = 1;
                        continue;
                }
                if (!resp->image) {
                        fprintf(stderr, "crioctl: no such image \"%s\" present\n", argv[i]);
                        protobuf_c_message_free_unpacked(&resp->base, NULL);
                        ret = 1;
                        continue;
                }
                JsonObject *out = json_object_new();
                json_object_set_member(out, "status", cri_message_to_json(&resp->image->base));
                JsonObject *info = json_object_new();
                for (size_t k = 0; k < resp->n_info; k++) {
                        json_object_set_member(info, resp->info[k]->key, output_json_or_string(resp->info[k]->value));
                }
                json_object_set_object_member(out, "info", info);
                JsonNode *root = json_node_new(JSON_NODE_OBJECT);
                json_node_take_object(root, out);
                output_print(root, fmt);
                json_node_unref(root);
                protobuf_c_message_free_unpacked(&resp->base, NULL);
        }
        return ret;
}
