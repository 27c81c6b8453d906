/* crioctl start CONTAINER...: start created containers (StartContainer), printing each ID. */
#include <getopt.h>
#include <stdio.h>

#include "crioctl.h"

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_start = {
        .name = "start",
        .summary = "Start one or more created containers",
        .usage = "",
        .run = run,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, {} };
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl start CONTAINER-ID [CONTAINER-ID...]\n");
                        return 0;
                }
                return crioctl_usage_error(&crioctl_cmd_start, "invalid flag");
        }
        if (optind >= argc)
                return crioctl_usage_error(&crioctl_cmd_start, "no container named");
        if (!ctx->timeout_given)
                ctx->timeout_ms = CRIOCTL_SLOW_TIMEOUT_MS;
        for (int i = optind; i < argc; i++) {
                Runtime__V1__StartContainerRequest req = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
                req.container_id = argv[i];
                Runtime__V1__StartContainerResponse *resp = NULL;
                if (crioctl_call(ctx, false, "StartContainer", &req.base, &runtime__v1__start_container_response__descriptor,
                                 (ProtobufCMessage **) &resp) < 0)
                        return 1;
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                printf("%s\n", argv[i]);
        }
        return 0;
}
