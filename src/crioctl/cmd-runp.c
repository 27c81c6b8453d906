/* crioctl runp [-r HANDLER] POD_CONFIG.json: run a pod sandbox (RunPodSandbox) and print its ID. */
#include <getopt.h>
#include <stdio.h>

#include "crioctl.h"

static const char usage[] = "  -r, --runtime HANDLER   runtime handler (default: the runtime's default)\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_runp = {
        .name = "runp",
        .summary = "Run a new pod",
        .usage = usage,
        .run = run,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "runtime", required_argument, NULL, 'r' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        const char *handler = "";
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl runp [FLAGS] POD_CONFIG.json\n%s", usage);
                        return 0;
                } else if (c == 'r')
                        handler = optarg;
                else
                        return crioctl_usage_error(&crioctl_cmd_runp, "invalid flag");
        }
        if (optind != argc - 1)
                return crioctl_usage_error(&crioctl_cmd_runp, "name exactly one pod config file");
        Runtime__V1__PodSandboxConfig *cfg = NULL;
        if (crioctl_load_pod_config(argv[optind], &cfg) < 0)
                return 1;
        Runtime__V1__RunPodSandboxRequest req = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
        req.config = cfg;
        req.runtime_handler = (char *) handler;
        if (!ctx->timeout_given)
                ctx->timeout_ms = CRIOCTL_SLOW_TIMEOUT_MS;
        Runtime__V1__RunPodSandboxResponse *resp = NULL;
        int r = crioctl_call(ctx, false, "RunPodSandbox", &req.base, &runtime__v1__run_pod_sandbox_response__descriptor,
                             (ProtobufCMessage **) &resp);
        protobuf_c_message_free_unpacked(&cfg->base, NULL);
        if (r < 0)
                return 1;
        printf("%s\n", resp->pod_sandbox_id);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return 0;
}
