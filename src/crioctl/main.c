/* crioctl: global flags, then one subcommand from commands.c. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cri/status.h"
#include "crioctl.h"
#include "util/cleanup.h"
#include "util/version.h"

#define DEFAULT_TIMEOUT_MS 2000

static void usage(void) {
        printf("Usage: crioctl [GLOBAL FLAGS] COMMAND [FLAGS]\n\n"
               "A client for the Kubernetes CRI (crictl-compatible subset).\n\n"
               "Global flags:\n"
               "  -r, --runtime-endpoint ENDPOINT  runtime socket (env CONTAINER_RUNTIME_ENDPOINT,\n"
               "                                   default " CRI_DEFAULT_ENDPOINT ")\n"
               "  -i, --image-endpoint ENDPOINT    image socket (env IMAGE_SERVICE_ENDPOINT, default: the runtime's)\n"
               "  -t, --timeout DURATION           per-call timeout: 2s, 500ms, 1m (default 2s; 0 = none)\n"
               "  -D, --debug                      print each call\n"
               "  -h, --help                       this help\n"
               "      --version                    crioctl's version\n\n"
               "Commands:\n");
        for (const CrioctlCommand *const *c = crioctl_commands; *c; c++)
                printf("  %-12s %s\n", (*c)->name, (*c)->summary);
        printf("\nRun 'crioctl COMMAND --help' for a command's flags.\n");
}

/* "2s", "500ms", "1m", "1.5s", "10" (seconds) -> milliseconds. */
static int parse_duration_ms(const char *s, int64_t *ret) {
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || v < 0)
                return -EINVAL;
        double mult;
        if (*end == '\0' || strcmp(end, "s") == 0)
                mult = 1000;
        else if (strcmp(end, "ms") == 0)
                mult = 1;
        else if (strcmp(end, "m") == 0)
                mult = 60000;
        else if (strcmp(end, "h") == 0)
                mult = 3600000;
        else
                return -EINVAL;
        if (v * mult > 1e15)
                return -ERANGE;
        *ret = (int64_t) (v * mult);
        return 0;
}

int crioctl_usage_error(const CrioctlCommand *c, const char *fmt, ...) {
        va_list ap;
        fprintf(stderr, "crioctl %s: ", c->name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nUsage: crioctl %s [FLAGS]\n%s", c->name, c->usage ? c->usage : "");
        return 2;
}

void crioctl_help(const CrioctlCommand *c, const char *operands) {
        printf("Usage: crioctl %s [FLAGS]%s%s\n%s", c->name, operands[0] ? " " : "", operands, c->usage ? c->usage : "");
}

int crioctl_call(CrioctlContext *ctx, bool image_service, const char *rpc, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **ret_resp) {
        _cleanup_(crio_error_clear) CrioError err = {};
        CriClient **cp = image_service ? &ctx->image : &ctx->runtime;
        const char *endpoint = image_service ? ctx->image_endpoint : ctx->runtime_endpoint;
        int r = 0;
        if (!*cp)
                r = cri_client_new(endpoint, 0, cp, &err);
        _cleanup_free_ char *method = NULL;
        if (r >= 0 && asprintf(&method, "/runtime.v1.%s/%s", image_service ? "ImageService" : "RuntimeService", rpc) < 0)
                r = crio_error_set(&err, ENOMEM, "out of memory");
        if (r >= 0) {
                if (ctx->debug)
                        fprintf(stderr, "DEBU calling %s on %s\n", method, endpoint);
                r = cri_client_call(*cp, method, req, resp_desc, ctx->timeout_ms, ret_resp, &err);
        }
        if (r < 0)
                fprintf(stderr, "crioctl: %s: %s\n", rpc, err.msg ? err.msg : strerror(-r));
        return r;
}

int main(int argc, char **argv) {
        CrioctlContext ctx = {
                .runtime_endpoint = getenv("CONTAINER_RUNTIME_ENDPOINT"),
                .image_endpoint = getenv("IMAGE_SERVICE_ENDPOINT"),
                .timeout_ms = DEFAULT_TIMEOUT_MS,
        };
        static const struct option opts[] = {
                { "runtime-endpoint", required_argument, NULL, 'r' },
                { "image-endpoint", required_argument, NULL, 'i' },
                { "timeout", required_argument, NULL, 't' },
                { "debug", no_argument, NULL, 'D' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        int c;
        /* '+': stop at the first non-flag, the command */
        while ((c = getopt_long(argc, argv, "+r:i:t:Dh", opts, NULL)) != -1) {
                switch (c) {
                case 'r':
                        ctx.runtime_endpoint = optarg;
                        break;
                case 'i':
                        ctx.image_endpoint = optarg;
                        break;
                case 't':
                        ctx.timeout_given = true;
                        if (parse_duration_ms(optarg, &ctx.timeout_ms) < 0) {
                                fprintf(stderr, "crioctl: invalid --timeout \"%s\" (e.g. 2s, 500ms)\n", optarg);
                                return 2;
                        }
                        break;
                case 'D':
                        ctx.debug = true;
                        break;
                case 'h':
                        usage();
                        return 0;
                case 'V':
                        printf("crioctl version %s (%s)\n", CRIO_VERSION, CRIO_GIT_COMMIT);
                        return 0;
                default:
                        fprintf(stderr, "crioctl: unknown flag (see crioctl --help)\n");
                        return 2;
                }
        }
        if (!ctx.runtime_endpoint || !ctx.runtime_endpoint[0])
                ctx.runtime_endpoint = CRI_DEFAULT_ENDPOINT;
        if (!ctx.image_endpoint || !ctx.image_endpoint[0])
                ctx.image_endpoint = ctx.runtime_endpoint;
        if (optind >= argc) {
                usage();
                return 2;
        }
        const char *name = argv[optind];
        for (const CrioctlCommand *const *cmd = crioctl_commands; *cmd; cmd++)
                if (strcmp((*cmd)->name, name) == 0) {
                        int ret = (*cmd)->run(&ctx, argc - optind, argv + optind);
                        cri_client_free(ctx.runtime);
                        cri_client_free(ctx.image);
                        return ret;
                }
        fprintf(stderr, "crioctl: unknown command \"%s\" (see crioctl --help)\n", name);
        return 2;
}
