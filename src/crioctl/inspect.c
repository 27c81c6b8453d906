/* The inspect commands' loop (see inspect.h). */
#include <stdio.h>

#include "inspect.h"

/* Inspects id: prints it (table, or JSON with spec->each) or adds its JSON to all. 0, or -1
 * (the error printed). */
static int inspect_one(CrioctlContext *ctx, const CrioctlInspect *spec, const char *id, bool verbose, OutputFormat fmt,
                       JsonArray *all) {
        ProtobufCMessage *resp = NULL;
        if (spec->call(ctx, id, verbose, &resp) < 0)
                return -1;
        const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field_by_name(resp->descriptor, spec->status_field);
        int r = 0;
        if (!*(void **) ((char *) resp + f->offset)) {
                fprintf(stderr, spec->missing, id);
                r = -1;
        } else if (fmt == OUTPUT_TABLE)
                spec->print_table(resp);
        else if (spec->each) {
                JsonNode *j = spec->json(resp);
                output_print(j, fmt);
                json_node_unref(j);
        } else
                json_array_add_element(all, spec->json(resp));
        protobuf_c_message_free_unpacked(resp, NULL);
        return r;
}

int crioctl_inspect(CrioctlContext *ctx, const CrioctlInspect *spec, int argc, char **argv) {
        const CrioctlCommand *cmd = spec->command;
        OutputFormat fmt;
        bool quiet;
        int r = crioctl_document_flags(cmd, spec->operands, spec->print_table != NULL, argc, argv, &fmt, &quiet);
        if (r >= 0)
                return r;
        if (optind >= argc)
                return crioctl_usage_error(cmd, "%s", spec->none);
        JsonArray *all = json_array_new();
        int ret = 0;
        for (int i = optind; i < argc; i++)
                if (inspect_one(ctx, spec, argv[i], !quiet, fmt, all) < 0) {
                        ret = 1;
                        if (!spec->each)
                                break; /* crictl stops at the first failure */
                }
        guint n = json_array_get_length(all);
        if (n == 1)
                output_print(json_array_get_element(all, 0), fmt);
        else if (n > 1) {
                JsonNode *root = json_node_new(JSON_NODE_ARRAY);
                json_node_set_array(root, all);
                output_print(root, fmt);
                json_node_unref(root);
        }
        json_array_unref(all);
        return ret;
}
