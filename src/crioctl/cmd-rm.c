/* crioctl rm [-f] [-a] [-k] CONTAINER...: remove containers (RemoveContainer), printing each
 * ID. A running container is refused unless -f (which stops it first, without a grace
 * period). As crictl, the container's log file and its rotations (<log>.*) are deleted
 * afterwards unless -k. */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crioctl.h"
#include "util/cleanup.h"

static const char usage[] = "  -f, --force       stop a running container first\n"
                            "  -a, --all         remove every container\n"
                            "  -k, --keep-logs   keep the container's log files\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_rm = {
        .name = "rm",
        .summary = "Remove one or more containers",
        .usage = usage,
        .run = run,
};

static void remove_logs(const char *log_path, const char *id) {
        if (!log_path || log_path[0] != '/')
                return;
        _cleanup_free_ char *pattern = NULL;
        if (asprintf(&pattern, "%s.*", log_path) < 0)
                return;
        glob_t g = {};
        if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0)
                for (size_t i = 0; i < g.gl_pathc; i++)
                        if (unlink(g.gl_pathv[i]) < 0 && errno != ENOENT)
                                fprintf(stderr, "crioctl: removing log file %s for container \"%s\": %m\n",
                                        g.gl_pathv[i], id);
        globfree(&g);
        if (unlink(log_path) < 0 && errno != ENOENT)
                fprintf(stderr, "crioctl: removing log file %s for container \"%s\": %m\n", log_path, id);
}

static int remove_one(CrioctlContext *ctx, const char *id, bool force, bool keep_logs) {
        Runtime__V1__ContainerStatusRequest sreq = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
        sreq.container_id = (char *) id;
        Runtime__V1__ContainerStatusResponse *st = NULL;
        if (crioctl_call(ctx, false, "ContainerStatus", &sreq.base, &runtime__v1__container_status_response__descriptor,
                         (ProtobufCMessage **) &st) < 0)
                return -1;
        bool running = st->status && st->status->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
        _cleanup_free_ char *log_path = st->status ? strdup(st->status->log_path) : NULL;
        protobuf_c_message_free_unpacked(&st->base, NULL);
        if (running) {
                if (!force) {
                        fprintf(stderr, "crioctl: container \"%s\" is running, please stop it first\n", id);
                        return -1;
                }
                if (crioctl_stop_container(ctx, id, 0) < 0)
                        return -1;
        }
        Runtime__V1__RemoveContainerRequest req = RUNTIME__V1__REMOVE_CONTAINER_REQUEST__INIT;
        req.container_id = (char *) id;
        Runtime__V1__RemoveContainerResponse *resp = NULL;
        if (crioctl_call(ctx, false, "RemoveContainer", &req.base, &runtime__v1__remove_container_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return -1;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        if (!keep_logs)
                remove_logs(log_path, id);
        printf("%s\n", id);
        return 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
                                              { "all", no_argument, NULL, 'a' },
                                              { "keep-logs", no_argument, NULL, 'k' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        bool force = false, all = false, keep = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "fakh", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl rm [FLAGS] CONTAINER-ID [CONTAINER-ID...]\n%s", usage);
                        return 0;
                } else if (c == 'f')
                        force = true;
                else if (c == 'a')
                        all = true;
                else if (c == 'k')
                        keep = true;
                else
                        return crioctl_usage_error(&crioctl_cmd_rm, "invalid flag");
        }
        if (all && optind < argc)
                return crioctl_usage_error(&crioctl_cmd_rm, "container IDs cannot be combined with --all");
        if (!all && optind >= argc)
                return crioctl_usage_error(&crioctl_cmd_rm, "no container named (or --all)");
        if (!ctx->timeout_given)
                ctx->timeout_ms = CRIOCTL_SLOW_TIMEOUT_MS;
        int ret = 0;
        if (all) {
                Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
                Runtime__V1__ListContainersResponse *resp = NULL;
                if (crioctl_call(ctx, false, "ListContainers", &req.base, &runtime__v1__list_containers_response__descriptor,
                                 (ProtobufCMessage **) &resp) < 0)
                        return 1;
                for (size_t i = 0; i < resp->n_containers; i++)
                        if (remove_one(ctx, resp->containers[i]->id, force, keep) < 0)
                                ret = 1;
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return ret;
        }
        for (int i = optind; i < argc; i++)
                if (remove_one(ctx, argv[i], force, keep) < 0)
                        ret = 1;
        return ret;
}
