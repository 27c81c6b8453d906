/* crioctl update [--cpu-period N] [--cpu-quota N] [--cpu-share N] [--cpuset-cpus S]
 * [--cpuset-mems S] [--memory BYTES] [--oom-score-adj N] CONTAINER...: update the Linux
 * resources of containers (UpdateContainerResources), printing each ID. Flags left out are
 * sent as 0 / "" ("not specified"), as crictl does. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "crioctl.h"

static const char usage[] = "      --cpu-period N      CFS period (microseconds)\n"
                            "      --cpu-quota N       CFS quota (microseconds per period)\n"
                            "      --cpu-share N       CPU shares (relative weight)\n"
                            "      --cpuset-cpus CPUS  CPUs to use (0-3, 0,1)\n"
                            "      --cpuset-mems MEMS  memory nodes to use\n"
                            "      --memory BYTES      memory limit\n"
                            "      --oom-score-adj N   OOM killer score adjustment\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_update = {
        .name = "update",
        .summary = "Update one or more running containers",
        .usage = usage,
        .run = run,
};

static int parse_i64(const char *s, int64_t *ret) {
        char *end = NULL;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end)
                return -1;
        *ret = v;
        return 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "cpu-period", required_argument, NULL, 'P' },
                                              { "cpu-quota", required_argument, NULL, 'Q' },
                                              { "cpu-share", required_argument, NULL, 'S' },
                                              { "cpuset-cpus", required_argument, NULL, 'C' },
                                              { "cpuset-mems", required_argument, NULL, 'M' },
                                              { "memory", required_argument, NULL, 'm' },
                                              { "oom-score-adj", required_argument, NULL, 'O' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        Runtime__V1__LinuxContainerResources res = RUNTIME__V1__LINUX_CONTAINER_RESOURCES__INIT;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                int bad = 0;
                switch (c) {
                case 'h':
                        printf("Usage: crioctl update [FLAGS] CONTAINER-ID [CONTAINER-ID...]\n%s", usage);
                        return 0;
                case 'P':
                        bad = parse_i64(optarg, &res.cpu_period);
                        break;
                case 'Q':
                        bad = parse_i64(optarg, &res.cpu_quota);
                        break;
                case 'S':
                        bad = parse_i64(optarg, &res.cpu_shares);
                        break;
                case 'm':
                        bad = parse_i64(optarg, &res.memory_limit_in_bytes);
                        break;
                case 'O':
                        bad = parse_i64(optarg, &res.oom_score_adj);
                        break;
                case 'C':
                        res.cpuset_cpus = optarg;
                        break;
                case 'M':
                        res.cpuset_mems = optarg;
                        break;
                default:
                        return crioctl_usage_error(&crioctl_cmd_update, "invalid flag");
                }
                if (bad)
                        return crioctl_usage_error(&crioctl_cmd_update, "\"%s\" is not an integer", optarg);
        }
        if (optind >= argc)
                return crioctl_usage_error(&crioctl_cmd_update, "no container named");
        if (!ctx->timeout_given)
                ctx->timeout_ms = CRIOCTL_SLOW_TIMEOUT_MS;
        for (int i = optind; i < argc; i++) {
                Runtime__V1__UpdateContainerResourcesRequest req = RUNTIME__V1__UPDATE_CONTAINER_RESOURCES_REQUEST__INIT;
                req.container_id = argv[i];
                req.linux = &res;
                Runtime__V1__UpdateContainerResourcesResponse *resp = NULL;
                if (crioctl_call(ctx, false, "UpdateContainerResources", &req.base,
                                 &runtime__v1__update_container_resources_response__descriptor,
                                 (ProtobufCMessage **) &resp) < 0)
                        return 1;
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                printf("%s\n", argv[i]);
        }
        return 0;
}
