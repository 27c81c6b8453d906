/* crioctl exec [-s] [--timeout SECONDS] CONTAINER COMMAND [ARG...]: run a command in a
 * container through ExecSync: its stdout and stderr are printed when it ends, and crioctl
 * exits with its exit code. Without -s the same happens (non-interactive commands only):
 * streaming exec (-i, -t: the Exec RPC and its streaming server) is not supported yet. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "crioctl.h"

static const char usage[] = "  -s, --sync              run the command synchronously (ExecSync)\n"
                            "      --timeout SECONDS   kill the command after this long (default 0: no limit)\n"
                            "  -i, --interactive       (streaming exec: not supported yet)\n"
                            "  -t, --tty               (streaming exec: not supported yet)\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_exec = {
        .name = "exec",
        .summary = "Run a command in a running container",
        .usage = usage,
        .run = run,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "sync", no_argument, NULL, 's' },
                                              { "timeout", required_argument, NULL, 'T' },
                                              { "interactive", no_argument, NULL, 'i' },
                                              { "tty", no_argument, NULL, 't' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        long long timeout = 0;
        bool streaming = false;
        int c;
        optind = 1;
        /* '+': flags end at the container ID; what follows is the command's own */
        while ((c = getopt_long(argc, argv, "+sith", opts, NULL)) != -1) {
                char *end = NULL;
                if (c == 'h') {
                        printf("Usage: crioctl exec [FLAGS] CONTAINER-ID COMMAND [ARG...]\n%s", usage);
                        return 0;
                } else if (c == 's')
                        ;
                else if (c == 'T') {
                        timeout = strtoll(optarg, &end, 10);
                        if (!*optarg || *end || timeout < 0 || timeout > 86400 * 365)
                                return crioctl_usage_error(&crioctl_cmd_exec, "--timeout wants seconds");
                } else if (c == 'i' || c == 't')
                        streaming = true;
                else
                        return crioctl_usage_error(&crioctl_cmd_exec, "invalid flag");
        }
        if (streaming) {
                fprintf(stderr, "crioctl exec: interactive and tty exec need streaming exec, which is not supported yet; "
                                "use --sync\n");
                return 1;
        }
        if (argc - optind < 2)
                return crioctl_usage_error(&crioctl_cmd_exec, "name a container and a command");
        Runtime__V1__ExecSyncRequest req = RUNTIME__V1__EXEC_SYNC_REQUEST__INIT;
        req.container_id = argv[optind];
        req.cmd = argv + optind + 1;
        req.n_cmd = (size_t) (argc - optind - 1);
        req.timeout = timeout;
        if (!ctx->timeout_given)
                ctx->timeout_ms = timeout > 0 ? timeout * 1000 + 10000 : 0;
        Runtime__V1__ExecSyncResponse *resp = NULL;
        if (crioctl_call(ctx, false, "ExecSync", &req.base, &runtime__v1__exec_sync_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return 1;
        if (resp->stdout.len)
                fwrite(resp->stdout.data, 1, resp->stdout.len, stdout);
        if (resp->stderr.len)
                fwrite(resp->stderr.data, 1, resp->stderr.len, stderr);
        fflush(stdout);
        int code = resp->exit_code;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        if (code < 0 || code > 255)
                code = 255;
        return code;
}
