/* crioctl version: the runtime's name and versions (RuntimeService/Version). */
#include <getopt.h>
#include <stdio.h>

#include "api.pb-c.h"
#include "cri/pbjson.h"
#include "crioctl.h"

static const char usage[] = "  -o, --output json|yaml   print the response in that format\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_version = {
        .name = "version",
        .summary = "Display runtime version information",
        .usage = usage,
        .run = run,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        OutputFormat fmt = OUTPUT_TABLE;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl version [FLAGS]\n%s", usage);
                        return 0;
                }
                if (c != 'o' || output_format_parse(optarg, OUTPUT_TABLE, &fmt) < 0)
                        return crioctl_usage_error(&crioctl_cmd_version, "invalid flag or output format");
        }
        if (optind < argc)
                return crioctl_usage_error(&crioctl_cmd_version, "unexpected argument \"%s\"", argv[optind]);

        Runtime__V1__VersionRequest req = RUNTIME__V1__VERSION_REQUEST__INIT;
        req.version = (char *) "v1";
        Runtime__V1__VersionResponse *resp = NULL;
        if (crioctl_call(ctx, false, "Version", &req.base, &runtime__v1__version_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return 1;
        if (fmt == OUTPUT_TABLE) {
                printf("Version:  %s\n", resp->version);
                printf("RuntimeName:  %s\n", resp->runtime_name);
                printf("RuntimeVersion:  %s\n", resp->runtime_version);
                printf("RuntimeApiVersion:  %s\n", resp->runtime_api_version);
        } else {
                JsonNode *n = cri_message_to_json(&resp->base);
                output_print(n, fmt);
                json_node_unref(n);
        }
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return 0;
}
