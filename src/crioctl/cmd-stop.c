/* crioctl stop [-t SECONDS] [-a] CONTAINER...: stop containers (StopContainer), printing
 * each ID. -t is the grace period before SIGKILL (default 0, as crictl). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "crioctl.h"

static const char usage[] = "  -t, --timeout SECONDS   grace period before the container is killed (default 0)\n"
                            "  -a, --all               stop every running container\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_stop = {
        .name = "stop",
        .summary = "Stop one or more running containers",
        .usage = usage,
        .run = run,
};

int crioctl_stop_container(CrioctlContext *ctx, const char *id, int64_t timeout) {
        Runtime__V1__StopContainerRequest req = RUNTIME__V1__STOP_CONTAINER_REQUEST__INIT;
        req.container_id = (char *) id;
        req.timeout = timeout;
        Runtime__V1__StopContainerResponse *resp = NULL;
        int64_t saved = ctx->timeout_ms;
        if (!ctx->timeout_given) /* the grace period, and then some */
                ctx->timeout_ms = CRIOCTL_SLOW_TIMEOUT_MS + timeout * 1000;
        int r = crioctl_call(ctx, false, "StopContainer", &req.base, &runtime__v1__stop_container_response__descriptor,
                             (ProtobufCMessage **) &resp);
        ctx->timeout_ms = saved;
        if (r < 0)
                return -1;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        printf("%s\n", id);
        return 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "timeout", required_argument, NULL, 't' },
                                              { "all", no_argument, NULL, 'a' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        long long timeout = 0;
        bool all = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "t:ah", opts, NULL)) != -1) {
                char *end = NULL;
                if (c == 'h') {
                        printf("Usage: crioctl stop [FLAGS] CONTAINER-ID [CONTAINER-ID...]\n%s", usage);
                        return 0;
                } else if (c == 't') {
                        timeout = strtoll(optarg, &end, 10);
                        if (!*optarg || *end || timeout < 0 || timeout > 86400 * 365)
                                return crioctl_usage_error(&crioctl_cmd_stop, "--timeout wants seconds");
                } else if (c == 'a')
                        all = true;
                else
                        return crioctl_usage_error(&crioctl_cmd_stop, "invalid flag");
        }
        if (all && optind < argc)
                return crioctl_usage_error(&crioctl_cmd_stop, "cannot specify CONTAINER-ID(s) when using --all");
        if (!all && optind >= argc)
                return crioctl_usage_error(&crioctl_cmd_stop, "no container named (or --all)");
        if (all) {
                Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
                Runtime__V1__ContainerFilter f = RUNTIME__V1__CONTAINER_FILTER__INIT;
                Runtime__V1__ContainerStateValue sv = RUNTIME__V1__CONTAINER_STATE_VALUE__INIT;
                sv.state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
                f.state = &sv;
                req.filter = &f;
                Runtime__V1__ListContainersResponse *resp = NULL;
                if (crioctl_call(ctx, false, "ListContainers", &req.base, &runtime__v1__list_containers_response__descriptor,
                                 (ProtobufCMessage **) &resp) < 0)
                        return 1;
                int ret = 0;
                if (resp->n_containers == 0)
                        printf("No running containers found.\n");
                for (size_t i = 0; i < resp->n_containers && ret == 0; i++)
                        if (crioctl_stop_container(ctx, resp->containers[i]->id, timeout) < 0)
                                ret = 1;
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return ret;
        }
        for (int i = optind; i < argc; i++)
                if (crioctl_stop_container(ctx, argv[i], timeout) < 0)
                        return 1;
        return 0;
}
