/* crioctl ps: list containers (ListContainers), newest first, running ones unless -a or
 * --state, as crictl does. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cri/pbjson.h"
#include "crioctl.h"
#include "util/cleanup.h"
#include "util/strv.h"

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

static const char *const state_names[] = { "Created", "Running", "Exited", "Unknown" };
static const char *const state_flags[] = { "created", "running", "exited", "unknown" };

static int newest_first(const void *a, const void *b) {
        const Runtime__V1__Container *x = *(Runtime__V1__Container *const *) a, *y = *(Runtime__V1__Container *const *) b;
        return x->created_at < y->created_at ? 1 : x->created_at > y->created_at ? -1 : 0;
}

/* The image ID ImageStatus gives for name, or NULL (not present, or the call failed). */
static char *image_id(CrioctlContext *ctx, const char *name) {
        Runtime__V1__ImageStatusRequest req = RUNTIME__V1__IMAGE_STATUS_REQUEST__INIT;
        Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
        spec.image = (char *) name;
        req.image = &spec;
        Runtime__V1__ImageStatusResponse *resp = NULL;
        if (crioctl_call(ctx, true, "ImageStatus", &req.base, &runtime__v1__image_status_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return NULL;
        char *id = resp->image ? strdup(resp->image->id) : NULL;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return id;
}

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
        _cleanup_free_ char *id = image_id(ctx, c->image->image);
        return same_id(want_id, id);
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },       { "id", required_argument, NULL, 'I' },
                { "pod", required_argument, NULL, 'p' }, { "name", required_argument, NULL, 'N' },
                { "namespace", required_argument, NULL, 'S' }, { "state", required_argument, NULL, 's' },
                { "label", required_argument, NULL, 'L' }, { "image", required_argument, NULL, 'M' },
                { "quiet", no_argument, NULL, 'q' },     { "output", required_argument, NULL, 'o' },
                { "no-trunc", no_argument, NULL, 'T' },  { "latest", no_argument, NULL, 'l' },
                { "last", required_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *id = "", *pod = "", *name = NULL, *ns = NULL, *state = NULL, *image = NULL;
        _cleanup_strv_free_ char **labels = NULL;
        bool all = false, quiet = false, no_trunc = false, latest = false;
        long last = 0;
        OutputFormat fmt = OUTPUT_TABLE;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "ap:s:qo:ln:h", opts, NULL)) != -1) {
                char *end = NULL;
                switch (c) {
                case 'h':
                        printf("Usage: crioctl ps [FLAGS]\n%s", usage);
                        return 0;
                case 'a':
                        all = true;
                        break;
                case 'I':
                        id = optarg;
                        break;
                case 'p':
                        pod = optarg;
                        break;
                case 'N':
                        name = optarg;
                        break;
                case 'S':
                        ns = optarg;
                        break;
                case 's':
                        state = optarg;
                        break;
                case 'L':
                        if (strv_push(&labels, optarg) < 0)
                                return 1;
                        break;
                case 'M':
                        image = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'o':
                        if (output_format_parse(optarg, OUTPUT_TABLE, &fmt) < 0)
                                return crioctl_usage_error(&crioctl_cmd_ps, "unsupported output format \"%s\"", optarg);
                        break;
                case 'T':
                        no_trunc = true;
                        break;
                case 'l':
                        latest = true;
                        break;
                case 'n':
                        last = strtol(optarg, &end, 10);
                        if (!*optarg || *end || last < 0)
                                return crioctl_usage_error(&crioctl_cmd_ps, "--last wants a number");
                        break;
                default:
                        return crioctl_usage_error(&crioctl_cmd_ps, "invalid flag");
                }
        }
        if (optind < argc)
                return crioctl_usage_error(&crioctl_cmd_ps, "unexpected argument \"%s\"", argv[optind]);

        Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
        Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
        Runtime__V1__ContainerStateValue sv = RUNTIME__V1__CONTAINER_STATE_VALUE__INIT;
        filter.id = (char *) id;
        filter.pod_sandbox_id = (char *) pod;
        if (state) {
                size_t k = 0;
                while (k < ELEMENTSOF(state_flags) && strcasecmp(state, state_flags[k]) != 0)
                        k++;
                if (k == ELEMENTSOF(state_flags))
                        return crioctl_usage_error(&crioctl_cmd_ps,
                                                   "--state should be one of created, running, exited or unknown");
                sv.state = (Runtime__V1__ContainerState) k;
                filter.state = &sv;
        } else if (!all) {
                sv.state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
                filter.state = &sv;
        }
        if (latest || last > 0) /* as crictl: any state then */
                filter.state = NULL;
        if (label_selector_new(labels, &runtime__v1__container_filter__label_selector_entry__descriptor,
                               (void ***) &filter.label_selector, &filter.n_label_selector) < 0)
                return 1;
        req.filter = &filter;
        _cleanup_(crioctl_regex_freep) regex_t *name_re = NULL;
        _cleanup_(crioctl_regex_freep) regex_t *ns_re = NULL;
        _cleanup_free_ char *want_image = NULL;
        int r = 0;
        if (crioctl_regex_compile(name, &name_re) < 0 || crioctl_regex_compile(ns, &ns_re) < 0)
                r = -1;
        if (r >= 0 && image && !(want_image = image_id(ctx, image))) {
                fprintf(stderr, "crioctl: no such image \"%s\"\n", image);
                r = -1;
        }
        Runtime__V1__ListContainersResponse *resp = NULL;
        if (r >= 0)
                r = crioctl_call(ctx, false, "ListContainers", &req.base, &runtime__v1__list_containers_response__descriptor,
                                 (ProtobufCMessage **) &resp);
        label_selector_free((void **) filter.label_selector, filter.n_label_selector);
        if (r < 0)
                return 1;

        size_t total = resp->n_containers, n = 0;
        Runtime__V1__Container **items = resp->containers;
        for (size_t i = 0; i < total; i++) {
                Runtime__V1__Container *ct = items[i];
                const char *pns = map_lookup((void *const *) ct->labels, ct->n_labels, "io.kubernetes.pod.namespace");
                if (!ct->metadata || !crioctl_regex_match(name_re, ct->metadata->name) ||
                    !crioctl_regex_match(ns_re, pns) || (want_image && !image_matches(ctx, want_image, ct)))
                        continue;
                items[i] = items[n];
                items[n++] = ct;
        }
        if (n > 1)
                qsort(items, n, sizeof *items, newest_first);
        size_t show = latest ? 1 : n;
        if (last > 0)
                show = (size_t) last;
        if (show > n)
                show = n;

        if (quiet) {
                for (size_t i = 0; i < show; i++)
                        printf("%s\n", items[i]->id);
        } else if (fmt != OUTPUT_TABLE) {
                resp->n_containers = show;
                JsonNode *j = cri_message_to_json(&resp->base);
                resp->n_containers = total;
                output_print(j, fmt);
                json_node_unref(j);
        } else {
                Table *t = table_new();
                table_add_row(t, "CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD", "NAMESPACE",
                              NULL);
                for (size_t i = 0; i < show; i++) {
                        const Runtime__V1__Container *ct = items[i];
                        char idb[14], podb[14], imgb[14], created[80], attempt[16];
                        const char *img = ct->image ? ct->image->image : "";
                        /* an image given by digest (as the kubelet does) is shortened like an ID */
                        if (!no_trunc && strncmp(img, "sha256:", 7) == 0 && strlen(img) == 71)
                                img = format_id(img + 7, false, imgb);
                        format_created_ago(ct->created_at, created, sizeof created);
                        snprintf(attempt, sizeof attempt, "%u", ct->metadata->attempt);
                        const char *pname = map_lookup((void *const *) ct->labels, ct->n_labels, "io.kubernetes.pod.name");
                        const char *pns = map_lookup((void *const *) ct->labels, ct->n_labels,
                                                     "io.kubernetes.pod.namespace");
                        table_add_row(t, format_id(ct->id, no_trunc, idb), img, created,
                                      (unsigned) ct->state < ELEMENTSOF(state_names) ? state_names[ct->state] : "Unknown",
                                      ct->metadata->name, attempt, format_id(ct->pod_sandbox_id, no_trunc, podb),
                                      pname ? pname : "", pns ? pns : "", NULL);
                }
                table_print(t);
                table_free(t);
        }
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return 0;
}
