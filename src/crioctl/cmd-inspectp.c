/* crioctl inspectp POD...: the status of pods (PodSandboxStatus, verbose unless -q), printed
 * as crictl does: {"info": ..., "status": {... "createdAt": RFC 3339 ...}}, an array for
 * several pods; -o table prints the short text form. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cri/pbjson.h"
#include "crioctl.h"

static const char usage[] = "  -o, --output json|yaml|table   output format (default json)\n"
                            "  -q, --quiet                    no verbose information\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_inspectp = {
        .name = "inspectp",
        .summary = "Display the status of one or more pods",
        .usage = usage,
        .run = run,
};

static void print_map(const char *title, void *const *entries, size_t n) {
        if (n == 0)
                return;
        printf("%s:\n", title);
        for (size_t i = 0; i < n; i++) {
                const Runtime__V1__PodSandboxStatus__LabelsEntry *e = entries[i];
                printf("\t%s -> %s\n", e->key, e->value);
        }
}

static void print_table(const Runtime__V1__PodSandboxStatusResponse *r) {
        const Runtime__V1__PodSandboxStatus *s = r->status;
        char t[64];
        printf("ID: %s\n", s->id);
        if (s->metadata) {
                if (s->metadata->name[0])
                        printf("Name: %s\n", s->metadata->name);
                if (s->metadata->uid[0])
                        printf("UID: %s\n", s->metadata->uid);
                if (s->metadata->namespace_[0])
                        printf("Namespace: %s\n", s->metadata->namespace_);
                printf("Attempt: %u\n", s->metadata->attempt);
        }
        printf("Status: %s\n", s->state == RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY ? "SANDBOX_READY" : "SANDBOX_NOTREADY");
        format_time_rfc3339(s->created_at, t, sizeof t);
        printf("Created: %s\n", t);
        if (s->network && s->network->ip[0]) {
                printf("IP Addresses: %s\n", s->network->ip);
                for (size_t i = 0; i < s->network->n_additional_ips; i++)
                        printf("Additional IP: %s\n", s->network->additional_ips[i]->ip);
        }
        print_map("Labels", (void *const *) s->labels, s->n_labels);
        print_map("Annotations", (void *const *) s->annotations, s->n_annotations);
        for (size_t i = 0; i < r->n_info; i++)
                printf("Info: %s: %s\n", r->info[i]->key, r->info[i]->value);
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
                                              { "quiet", no_argument, NULL, 'q' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        OutputFormat fmt = OUTPUT_JSON;
        bool quiet = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl inspectp [FLAGS] POD-ID...\n%s", usage);
                        return 0;
                } else if (c == 'q')
                        quiet = true;
                else if (c != 'o' || output_format_parse(optarg, OUTPUT_JSON, &fmt) < 0)
                        return crioctl_usage_error(&crioctl_cmd_inspectp, "invalid flag or output format");
        }
        if (optind >= argc)
                return crioctl_usage_error(&crioctl_cmd_inspectp, "no pod named");
        JsonArray *all = json_array_new();
        int ret = 0;
        for (int i = optind; i < argc; i++) {
                Runtime__V1__PodSandboxStatusRequest req = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
                req.pod_sandbox_id = argv[i];
                req.verbose = !quiet;
                Runtime__V1__PodSandboxStatusResponse *resp = NULL;
                if (crioctl_call(ctx, false, "PodSandboxStatus", &req.base,
                                 &runtime__v1__pod_sandbox_status_response__descriptor, (ProtobufCMessage **) &resp) < 0) {
                        ret = 1;
                        break; /* crictl stops at the first failure */
                }
                if (!resp->status) {
                        fprintf(stderr, "crioctl: no status for pod \"%s\"\n", argv[i]);
                        protobuf_c_message_free_unpacked(&resp->base, NULL);
                        ret = 1;
                        break;
                }
                if (fmt == OUTPUT_TABLE)
                        print_table(resp);
                else {
                        JsonNode *st = cri_message_to_json(&resp->status->base);
                        char t[64];
                        format_time_rfc3339(resp->status->created_at, t, sizeof t);
                        json_object_set_string_member(json_node_get_object(st), "createdAt", t);
                        json_array_add_element(all, crioctl_status_json(st, (void *const *) resp->info, resp->n_info));
                }
                protobuf_c_message_free_unpacked(&resp->base, NULL);
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
