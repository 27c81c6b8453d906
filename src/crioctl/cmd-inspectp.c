/* crioctl inspectp POD...: the status of pods (PodSandboxStatus, verbose unless -q), printed
 * as crictl does: {"info": ..., "status": {... "createdAt": RFC 3339 ...}}, an array for
 * several pods; -o table prints the short text form. */
#include <stdio.h>
#include <string.h>

#include "cri/pbjson.h"
#include "inspect.h"

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

static void print_pod(const ProtobufCMessage *msg) {
        const Runtime__V1__PodSandboxStatusResponse *r = (const Runtime__V1__PodSandboxStatusResponse *) msg;
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

/* {"info": ..., "status": ...} with createdAt as RFC 3339 */
static JsonNode *pod_json(const ProtobufCMessage *msg) {
        const Runtime__V1__PodSandboxStatusResponse *r = (const Runtime__V1__PodSandboxStatusResponse *) msg;
        JsonNode *st = cri_message_to_json(&r->status->base);
        char t[64];
        format_time_rfc3339(r->status->created_at, t, sizeof t);
        json_object_set_string_member(json_node_get_object(st), "createdAt", t);
        return crioctl_status_json(st, (void *const *) r->info, r->n_info);
}

static int pod_status(CrioctlContext *ctx, const char *id, bool verbose, ProtobufCMessage **ret) {
        Runtime__V1__PodSandboxStatusRequest req = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
        req.pod_sandbox_id = (char *) id;
        req.verbose = verbose;
        return crioctl_call(ctx, false, "PodSandboxStatus", &req.base, &runtime__v1__pod_sandbox_status_response__descriptor,
                            ret);
}

static const CrioctlInspect inspectp = {
        .command = &crioctl_cmd_inspectp,
        .operands = "POD-ID...",
        .none = "no pod named",
        .missing = "crioctl: no status for pod \"%s\"\n",
        .status_field = "status",
        .call = pod_status,
        .json = pod_json,
        .print_table = print_pod,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        return crioctl_inspect(ctx, &inspectp, argc, argv);
}
