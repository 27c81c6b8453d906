/* crioctl pods: list pod sandboxes (ListPodSandbox), newest first, as crictl does. */
#include <stdio.h>
#include <strings.h>

#include "list.h"

static const char usage[] = "      --id ID              pods whose ID starts with ID\n"
                            "      --name REGEX         pods whose name matches\n"
                            "      --namespace REGEX    pods whose namespace matches\n"
                            "  -s, --state STATE        ready or notready\n"
                            "      --label KEY=VALUE    pods with this label (repeatable)\n"
                            "  -q, --quiet              only pod IDs\n"
                            "  -o, --output json|yaml|table\n"
                            "      --no-trunc           full pod IDs\n"
                            "  -l, --latest             only the newest pod\n"
                            "  -n, --last N             only the N newest pods\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_pods = {
        .name = "pods",
        .summary = "List pods",
        .usage = usage,
        .run = run,
};

CRIOCTL_LIST_RESPONSE_CHECK(Runtime__V1__ListPodSandboxResponse, items);

static int pod_state(const CrioctlListOptions *o, int *ret) {
        *ret = -1;
        if (!o->state)
                return 0;
        if (strcasecmp(o->state, "ready") == 0)
                *ret = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY;
        else if (strcasecmp(o->state, "notready") == 0)
                *ret = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
        else
                return crioctl_usage_error(&crioctl_cmd_pods, "--state should be ready or notready");
        return 0;
}

static bool keep_pod(CrioctlContext *ctx, const CrioctlListOptions *o, const void *item) {
        (void) ctx;
        const Runtime__V1__PodSandbox *p = item;
        return p->metadata && crioctl_regex_match(o->name_re, p->metadata->name) &&
               crioctl_regex_match(o->ns_re, p->metadata->namespace_);
}

static int64_t pod_created(const void *item) {
        return ((const Runtime__V1__PodSandbox *) item)->created_at;
}

static const char *pod_id(const void *item) {
        return ((const Runtime__V1__PodSandbox *) item)->id;
}

static void pod_row(Table *t, const CrioctlListOptions *o, const void *item, const void *before) {
        (void) before;
        const Runtime__V1__PodSandbox *p = item;
        char idb[14], created[80], attempt[16];
        format_created_ago(p->created_at, created, sizeof created);
        snprintf(attempt, sizeof attempt, "%u", p->metadata->attempt);
        table_add_row(t, format_id(p->id, o->no_trunc, idb), created,
                      p->state == RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY ? "Ready" : "NotReady", p->metadata->name,
                      p->metadata->namespace_, attempt, p->runtime_handler[0] ? p->runtime_handler : "(default)", NULL);
}

static const CrioctlList pods = {
        .command = &crioctl_cmd_pods,
        .flags = CRIOCTL_LIST_NAMES | CRIOCTL_LIST_STATE | CRIOCTL_LIST_QUIET | CRIOCTL_LIST_NO_TRUNC | CRIOCTL_LIST_LATEST,
        .rpc = "ListPodSandbox",
        .request = &runtime__v1__list_pod_sandbox_request__descriptor,
        .response = &runtime__v1__list_pod_sandbox_response__descriptor,
        .columns = (const char *const[]){ "POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME", NULL },
        .state = pod_state,
        .keep = keep_pod,
        .created = pod_created,
        .id = pod_id,
        .row = pod_row,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        return crioctl_list(ctx, &pods, argc, argv);
}
