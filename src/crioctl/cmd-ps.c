/* crioctl ps: list containers (ListContainers), newest first, running ones unless -a or
 * --state, as crictl does. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "list.h"
#include "util/cleanup.h"

static const char usage[] = "  -a, --all                all containers (default: running ones)\n"
                            "      --id ID              containers whose ID starts with ID\n"
                            "  -p, --pod POD-ID         containers of this pod\n"
                            "      --name REGEX         containers whose name matches\n"
                            "      --namespace REGEX    containers whose pod namespace matches\n"
                            "  -s, --state STATE        created, running, exited or unknown\n"
                            "      --label KEY=VALUE    containers with this label (repeatable)\n"
                            "      --image IMAGE        containers of this image\n"
                            "  -q, --quiet              only container IDs\n"
                            "  -o, --output json|yaml|table\n"
                            "      --no-trunc           full IDs\n"
                            "  -l, --latest             only the newest container (any state)\n"
                            "  -n, --last N             only the N newest containers (any state)\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_ps = {
        .name = "ps",
        .summary = "List containers",
        .usage = usage,
        .run = run,
};

CRIOCTL_LIST_RESPONSE_CHECK(Runtime__V1__ListContainersResponse, containers);

static const char *const state_names[] = { "Created", "Running", "Exited", "Unknown" };
static const char *const state_flags[] = { "created", "running", "exited", "unknown" };

static bool same_id(const char *a, const char *b) {
        if (!a || !b || !a[0] || !b[0])
                return false;
        if (strncmp(a, "sha256:", 7) == 0)
                a += 7;
        if (strncmp(b, "sha256:", 7) == 0)
                b += 7;
        return strcmp(a, b) == 0;
}

static bool image_matches(CrioctlContext *ctx, const char *want_id, const Runtime__V1__Container *c) {
        if (same_id(want_id, c->image_id) || same_id(want_id, c->image_ref) ||
            (c->image && same_id(want_id, c->image->image)))
                return true;
        if (!c->image || !c->image->image[0])
                return false;
        _cleanup_free_ char *id = crioctl_image_id(ctx, c->image->image);
        return same_id(want_id, id);
}

/* --state; without it running ones unless -a; any state with --latest or --last (as crictl) */
static int container_state(const CrioctlListOptions *o, int *ret) {
        *ret = o->all ? -1 : RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
        if (o->state) {
                size_t k = 0;
                while (k < ELEMENTSOF(state_flags) && strcasecmp(o->state, state_flags[k]) != 0)
                        k++;
                if (k == ELEMENTSOF(state_flags))
                        return crioctl_usage_error(&crioctl_cmd_ps,
                                                   "--state should be one of created, running, exited or unknown");
                *ret = (int) k;
        }
        if (o->latest || o->last > 0)
                *ret = -1;
        return 0;
}

static bool keep_container(CrioctlContext *ctx, const CrioctlListOptions *o, const void *item) {
        const Runtime__V1__Container *ct = item;
        const char *pns = map_lookup((void *const *) ct->labels, ct->n_labels, "io.kubernetes.pod.namespace");
        return ct->metadata && crioctl_regex_match(o->name_re, ct->metadata->name) && crioctl_regex_match(o->ns_re, pns) &&
               (!o->image_id || image_matches(ctx, o->image_id, ct));
}

static int64_t container_created(const void *item) {
        return ((const Runtime__V1__Container *) item)->created_at;
}

static const char *container_id(const void *item) {
        return ((const Runtime__V1__Container *) item)->id;
}

static void container_row(Table *t, const CrioctlListOptions *o, const void *item, const void *before) {
        (void) before;
        const Runtime__V1__Container *ct = item;
        char idb[14], podb[14], imgb[14], created[80], attempt[16];
        const char *img = ct->image ? ct->image->image : "";
        /* an image given by digest (as the kubelet does) is shortened like an ID */
        if (!o->no_trunc && strncmp(img, "sha256:", 7) == 0 && strlen(img) == 71)
                img = format_id(img + 7, false, imgb);
        format_created_ago(ct->created_at, created, sizeof created);
        snprintf(attempt, sizeof attempt, "%u", ct->metadata->attempt);
        const char *pname = map_lookup((void *const *) ct->labels, ct->n_labels, "io.kubernetes.pod.name");
        const char *pns = map_lookup((void *const *) ct->labels, ct->n_labels, "io.kubernetes.pod.namespace");
        table_add_row(t, format_id(ct->id, o->no_trunc, idb), img, created,
                      (unsigned) ct->state < ELEMENTSOF(state_names) ? state_names[ct->state] : "Unknown", ct->metadata->name,
                      attempt, format_id(ct->pod_sandbox_id, o->no_trunc, podb), pname ? pname : "", pns ? pns : "", NULL);
}

static const CrioctlList ps = {
        .command = &crioctl_cmd_ps,
        .flags = CRIOCTL_LIST_ALL | CRIOCTL_LIST_POD | CRIOCTL_LIST_NAMES | CRIOCTL_LIST_STATE | CRIOCTL_LIST_IMAGE |
                 CRIOCTL_LIST_QUIET | CRIOCTL_LIST_NO_TRUNC | CRIOCTL_LIST_LATEST,
        .rpc = "ListContainers",
        .request = &runtime__v1__list_containers_request__descriptor,
        .response = &runtime__v1__list_containers_response__descriptor,
        .columns = (const char *const[]){ "CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD",
                                          "NAMESPACE", NULL },
        .state = container_state,
        .keep = keep_container,
        .created = container_created,
        .id = container_id,
        .row = container_row,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        return crioctl_list(ctx, &ps, argc, argv);
}
