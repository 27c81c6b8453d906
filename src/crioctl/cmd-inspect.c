/* crioctl inspect CONTAINER...: the status of containers (ContainerStatus, verbose unless
 * -q), printed as crictl does: {"info": ..., "status": {...}} with createdAt, startedAt and
 * finishedAt as RFC 3339 (Go's zero time for a container not started or not finished), an
 * array for several; -o table prints the short text form. */
#include <stdio.h>

#include "cri/pbjson.h"
#include "inspect.h"

static const char usage[] = "  -o, --output json|yaml|table   output format (default json)\n"
                            "  -q, --quiet                    no verbose information\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_inspect = {
        .name = "inspect",
        .summary = "Display the status of one or more containers",
        .usage = usage,
        .run = run,
};

static const char *const states[] = { "CONTAINER_CREATED", "CONTAINER_RUNNING", "CONTAINER_EXITED", "CONTAINER_UNKNOWN" };

static void print_container(const ProtobufCMessage *msg) {
        const Runtime__V1__ContainerStatusResponse *r = (const Runtime__V1__ContainerStatusResponse *) msg;
        const Runtime__V1__ContainerStatus *s = r->status;
        char t[80];
        printf("ID: %s\n", s->id);
        if (s->metadata) {
                if (s->metadata->name[0])
                        printf("Name: %s\n", s->metadata->name);
                printf("Attempt: %u\n", s->metadata->attempt);
        }
        printf("State: %s\n", (unsigned) s->state < 4 ? states[s->state] : "CONTAINER_UNKNOWN");
        format_created_ago(s->created_at, t, sizeof t);
        printf("Created: %s\n", t);
        if (s->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED) {
                format_created_ago(s->started_at, t, sizeof t);
                printf("Started: %s\n", t);
        }
        if (s->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED) {
                if (s->finished_at > 0) {
                        format_created_ago(s->finished_at, t, sizeof t);
                        printf("Finished: %s\n", t);
                }
                printf("Exit Code: %d\n", s->exit_code);
        }
        if (s->n_labels) {
                printf("Labels:\n");
                for (size_t i = 0; i < s->n_labels; i++)
                        printf("\t%s -> %s\n", s->labels[i]->key, s->labels[i]->value);
        }
        if (s->n_annotations) {
                printf("Annotations:\n");
                for (size_t i = 0; i < s->n_annotations; i++)
                        printf("\t%s -> %s\n", s->annotations[i]->key, s->annotations[i]->value);
        }
        for (size_t i = 0; i < r->n_info; i++)
                printf("Info: %s: %s\n", r->info[i]->key, r->info[i]->value);
}

static JsonNode *status_json(const Runtime__V1__ContainerStatus *s) {
        JsonNode *n = cri_message_to_json(&s->base);
        JsonObject *o = json_node_get_object(n);
        char t[64];
        format_time_rfc3339(s->created_at, t, sizeof t);
        json_object_set_string_member(o, "createdAt", t);
        bool started = s->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED;
        bool finished = s->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED ||
                        (s->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN && s->finished_at > 0);
        format_time_rfc3339(started ? s->started_at : INT64_MIN, t, sizeof t);
        json_object_set_string_member(o, "startedAt", t);
        format_time_rfc3339(finished ? s->finished_at : INT64_MIN, t, sizeof t);
        json_object_set_string_member(o, "finishedAt", t);
        return n;
}

static JsonNode *container_json(const ProtobufCMessage *msg) {
        const Runtime__V1__ContainerStatusResponse *r = (const Runtime__V1__ContainerStatusResponse *) msg;
        return crioctl_status_json(status_json(r->status), (void *const *) r->info, r->n_info);
}

static int container_status(CrioctlContext *ctx, const char *id, bool verbose, ProtobufCMessage **ret) {
        Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
        req.container_id = (char *) id;
        req.verbose = verbose;
        return crioctl_call(ctx, false, "ContainerStatus", &req.base, &runtime__v1__container_status_response__descriptor, ret);
}

static const CrioctlInspect inspect = {
        .command = &crioctl_cmd_inspect,
        .operands = "CONTAINER-ID...",
        .none = "no container named",
        .missing = "crioctl: no status for container \"%s\"\n",
        .status_field = "status",
        .call = container_status,
        .json = container_json,
        .print_table = print_container,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        return crioctl_inspect(ctx, &inspect, argc, argv);
}
