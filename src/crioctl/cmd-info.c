/* crioctl info: the runtime's status (RuntimeService/Status, verbose), as crictl prints it:
 * {"status": {...}, "runtimeHandlers": [...], "features": {...}, <each info key>: <its JSON>} */
#include <stdio.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/pbjson.h"
#include "crioctl.h"

static const char usage[] = "  -o, --output json|yaml   output format (default json)\n"
                            "  -q, --quiet              do not ask for (or print) the verbose info\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_info = {
        .name = "info",
        .summary = "Display information of the container runtime",
        .usage = usage,
        .run = run,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        OutputFormat fmt;
        bool quiet;
        int r = crioctl_document_flags(&crioctl_cmd_info, "", false, argc, argv, &fmt, &quiet);
        if (r >= 0)
                return r;
        if (optind < argc)
                return crioctl_usage_error(&crioctl_cmd_info, "unexpected argument \"%s\"", argv[optind]);

        Runtime__V1__StatusRequest req = RUNTIME__V1__STATUS_REQUEST__INIT;
        req.verbose = !quiet;
        Runtime__V1__StatusResponse *resp = NULL;
        if (crioctl_call(ctx, false, "Status", &req.base, &runtime__v1__status_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return 1;

        JsonObject *out = json_object_new();
        json_object_set_member(out, "status",
                               resp->status ? cri_message_to_json(&resp->status->base) : json_node_new(JSON_NODE_NULL));
        JsonArray *handlers = json_array_new();
        for (size_t i = 0; i < resp->n_runtime_handlers; i++)
                json_array_add_element(handlers, cri_message_to_json(&resp->runtime_handlers[i]->base));
        json_object_set_array_member(out, "runtimeHandlers", handlers);
        json_object_set_member(out, "features", resp->features ? cri_message_to_json(&resp->features->base)
                                                                : json_node_new(JSON_NODE_NULL));
        for (size_t i = 0; i < resp->n_info; i++) {
                json_object_set_member(out, resp->info[i]->key, output_json_or_string(resp->info[i]->value));
        }
        JsonNode *root = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(root, out);
        output_print(root, fmt);
        json_node_unref(root);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return 0;
}
