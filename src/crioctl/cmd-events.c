/* crioctl events [-o json|yaml]: stream container events (GetContainerEvents), printing each
 * as it arrives until the runtime ends the stream or crioctl is interrupted. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cri/pbjson.h"
#include "crioctl.h"
#include "util/cleanup.h"

static const char usage[] = "  -o, --output json|yaml   output format (default json)\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_events = {
        .name = "events",
        .summary = "Stream the events of containers",
        .usage = usage,
        .run = run,
};

static int on_event(ProtobufCMessage *m, void *userdata) {
        OutputFormat fmt = *(OutputFormat *) userdata;
        JsonNode *j = cri_message_to_json(m);
        output_print(j, fmt);
        json_node_unref(j);
        fflush(stdout);
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        OutputFormat fmt = OUTPUT_JSON;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl events [FLAGS]\n%s", usage);
                        return 0;
                } else if (c != 'o' || output_format_parse(optarg, OUTPUT_JSON, &fmt) < 0 || fmt == OUTPUT_TABLE)
                        return crioctl_usage_error(&crioctl_cmd_events, "invalid flag or output format");
        }
        if (optind < argc)
                return crioctl_usage_error(&crioctl_cmd_events, "unexpected argument \"%s\"", argv[optind]);
        _cleanup_(crio_error_clear) CrioError err = {};
        int r = 0;
        if (!ctx->runtime)
                r = cri_client_new(ctx->runtime_endpoint, 0, &ctx->runtime, &err);
        if (r >= 0) {
                if (ctx->debug)
                        fprintf(stderr, "DEBU streaming GetContainerEvents from %s\n", ctx->runtime_endpoint);
                Runtime__V1__GetEventsRequest req = RUNTIME__V1__GET_EVENTS_REQUEST__INIT;
                /* a stream has no deadline unless -t was given */
                r = cri_client_stream(ctx->runtime, "/runtime.v1.RuntimeService/GetContainerEvents", &req.base,
                                      &runtime__v1__container_event_response__descriptor,
                                      ctx->timeout_given ? ctx->timeout_ms : 0, on_event, &fmt, &err);
        }
        if (r < 0) {
                fprintf(stderr, "crioctl: GetContainerEvents: %s\n", err.msg ? err.msg : strerror(-r));
                return 1;
        }
        return 0;
}
