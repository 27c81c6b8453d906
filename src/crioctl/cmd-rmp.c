/* crioctl rmp [-f] [-a] POD...: remove pod sandboxes (RemovePodSandbox); a ready pod is
 * refused unless -f, which stops it first. */
#include <getopt.h>
#include <stdio.h>

#include "crioctl.h"

static const char usage[] = "  -f, --force   stop a ready pod first\n"
                            "  -a, --all     remove every pod\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_rmp = {
        .name = "rmp",
        .summary = "Remove one or more pods",
        .usage = usage,
        .run = run,
};

static int remove_one(CrioctlContext *ctx, const char *id, bool force) {
        Runtime__V1__PodSandboxStatusRequest sreq = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
        sreq.pod_sandbox_id = (char *) id;
        Runtime__V1__PodSandboxStatusResponse *st = NULL;
        if (crioctl_call(ctx, false, "PodSandboxStatus", &sreq.base, &runtime__v1__pod_sandbox_status_response__descriptor,
                         (ProtobufCMessage **) &st) < 0)
                return -1;
        bool ready = st->status && st->status->state == RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY;
        protobuf_c_message_free_unpacked(&st->base, NULL);
        if (ready) {
                if (!force) {
                        fprintf(stderr, "crioctl: pod sandbox \"%s\" is running, please stop it first\n", id);
                        return -1;
                }
                if (crioctl_stop_pod(ctx, id) < 0)
                        return -1;
        }
        Runtime__V1__RemovePodSandboxRequest req = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
        req.pod_sandbox_id = (char *) id;
        Runtime__V1__RemovePodSandboxResponse *resp = NULL;
        if (crioctl_call(ctx, false, "RemovePodSandbox", &req.base, &runtime__v1__remove_pod_sandbox_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return -1;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        printf("Removed sandbox %s\n", id);
        return 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
                                              { "all", no_argument, NULL, 'a' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        bool force = false, all = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "fah", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl rmp [FLAGS] POD-ID [POD-ID...]\n%s", usage);
                        return 0;
                } else if (c == 'f')
                        force = true;
                else if (c == 'a')
                        all = true;
                else
                        return crioctl_usage_error(&crioctl_cmd_rmp, "invalid flag");
        }
        if (all && optind < argc)
                return crioctl_usage_error(&crioctl_cmd_rmp, "pod IDs cannot be combined with --all");
        if (!all && optind >= argc)
                return crioctl_usage_error(&crioctl_cmd_rmp, "no pod named (or --all)");
        if (!ctx->timeout_given)
                ctx->timeout_ms = CRIOCTL_SLOW_TIMEOUT_MS;
        int ret = 0;
        if (all) {
                Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
                Runtime__V1__ListPodSandboxResponse *resp = NULL;
                if (crioctl_call(ctx, false, "ListPodSandbox", &req.base, &runtime__v1__list_pod_sandbox_response__descriptor,
                                 (ProtobufCMessage **) &resp) < 0)
                        return 1;
                for (size_t i = 0; i < resp->n_items; i++)
                        if (remove_one(ctx, resp->items[i]->id, force) < 0)
                                ret = 1;
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return ret;
        }
        for (int i = optind; i < argc; i++)
                if (remove_one(ctx, argv[i], force) < 0)
                        ret = 1;
        return ret;
}
