/* crioctl stopp POD...: stop pod sandboxes (StopPodSandbox). */
#include <getopt.h>
#include <stdio.h>

#include "crioctl.h"

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_stopp = {
        .name = "stopp",
        .summary = "Stop one or more running pods",
        .usage = "",
        .run = run,
};

int crioctl_stop_pod(CrioctlContext *ctx, const char *id) {
        Runtime__V1__StopPodSandboxRequest req = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
        req.pod_sandbox_id = (char *) id;
        Runtime__V1__StopPodSandboxResponse *resp = NULL;
        if (crioctl_call(ctx, false, "StopPodSandbox", &req.base, &runtime__v1__stop_pod_sandbox_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return -1;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        printf("Stopped sandbox %s\n", id);
        return 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, {} };
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl stopp POD-ID [POD-ID...]\n");
                        return 0;
                }
                return crioctl_usage_error(&crioctl_cmd_stopp, "invalid flag");
        }
        if (optind >= argc)
                return crioctl_usage_error(&crioctl_cmd_stopp, "no pod named");
        if (!ctx->timeout_given)
                ctx->timeout_ms = CRIOCTL_SLOW_TIMEOUT_MS;
        for (int i = optind; i < argc; i++)
                if (crioctl_stop_pod(ctx, argv[i]) < 0)
                        return 1; /* crictl stops at the first failure */
        return 0;
}
