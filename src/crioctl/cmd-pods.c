/* crioctl pods: list pod sandboxes (ListPodSandbox), newest first, as crictl does. */
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cri/pbjson.h"
#include "crioctl.h"
#include "util/cleanup.h"
#include "util/strv.h"

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

static int newest_first(const void *a, const void *b) {
        const Runtime__V1__PodSandbox *x = *(Runtime__V1__PodSandbox *const *) a, *y = *(Runtime__V1__PodSandbox *const *) b;
        return x->created_at < y->created_at ? 1 : x->created_at > y->created_at ? -1 : 0;
}

/* NULL for "" (no filter); prints the error for a bad pattern. */
int crioctl_regex_compile(const char *pattern, regex_t **ret) {
        *ret = NULL;
        if (!pattern || !pattern[0])
                return 0;
        regex_t *re = malloc(sizeof *re);
        if (!re)
                return -1;
        int r = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
        if (r != 0) {
                char msg[256];
                regerror(r, re, msg, sizeof msg);
                fprintf(stderr, "crioctl: invalid regular expression \"%s\": %s\n", pattern, msg);
                free(re);
                return -1;
        }
        *ret = re;
        return 0;
}

void crioctl_regex_freep(regex_t **re) {
        if (*re) {
                regfree(*re);
                free(*re);
                *re = NULL;
        }
}

bool crioctl_regex_match(const regex_t *re, const char *s) {
        return !re || regexec(re, s ? s : "", 0, NULL, 0) == 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "id", required_argument, NULL, 'I' },
                                              { "name", required_argument, NULL, 'N' },
                                              { "namespace", required_argument, NULL, 'S' },
                                              { "state", required_argument, NULL, 's' },
                                              { "label", required_argument, NULL, 'L' },
                                              { "quiet", no_argument, NULL, 'q' },
                                              { "output", required_argument, NULL, 'o' },
                                              { "no-trunc", no_argument, NULL, 'T' },
                                              { "latest", no_argument, NULL, 'l' },
                                              { "last", required_argument, NULL, 'n' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        const char *id = "", *name = NULL, *ns = NULL, *state = NULL;
        _cleanup_strv_free_ char **labels = NULL;
        bool quiet = false, no_trunc = false, latest = false;
        long last = 0;
        OutputFormat fmt = OUTPUT_TABLE;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "s:qo:ln:h", opts, NULL)) != -1) {
                char *end = NULL;
                switch (c) {
                case 'h':
                        printf("Usage: crioctl pods [FLAGS]\n%s", usage);
                        return 0;
                case 'I':
                        id = optarg;
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
                case 'q':
                        quiet = true;
                        break;
                case 'o':
                        if (output_format_parse(optarg, OUTPUT_TABLE, &fmt) < 0)
                                return crioctl_usage_error(&crioctl_cmd_pods, "unsupported output format \"%s\"", optarg);
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
                                return crioctl_usage_error(&crioctl_cmd_pods, "--last wants a number");
                        break;
                default:
                        return crioctl_usage_error(&crioctl_cmd_pods, "invalid flag");
                }
        }
        if (optind < argc)
                return crioctl_usage_error(&crioctl_cmd_pods, "unexpected argument \"%s\"", argv[optind]);

        Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
        Runtime__V1__PodSandboxFilter filter = RUNTIME__V1__POD_SANDBOX_FILTER__INIT;
        Runtime__V1__PodSandboxStateValue sv = RUNTIME__V1__POD_SANDBOX_STATE_VALUE__INIT;
        filter.id = (char *) id;
        if (state) {
                if (strcasecmp(state, "ready") == 0)
                        sv.state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY;
                else if (strcasecmp(state, "notready") == 0)
                        sv.state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
                else
                        return crioctl_usage_error(&crioctl_cmd_pods, "--state should be ready or notready");
                filter.state = &sv;
        }
        if (label_selector_new(labels, &runtime__v1__pod_sandbox_filter__label_selector_entry__descriptor,
                               (void ***) &filter.label_selector, &filter.n_label_selector) < 0)
                return 1;
        req.filter = &filter;
        _cleanup_(crioctl_regex_freep) regex_t *name_re = NULL;
        _cleanup_(crioctl_regex_freep) regex_t *ns_re = NULL;
        if (crioctl_regex_compile(name, &name_re) < 0 || crioctl_regex_compile(ns, &ns_re) < 0) {
                label_selector_free((void **) filter.label_selector, filter.n_label_selector);
                return 1;
        }
        Runtime__V1__ListPodSandboxResponse *resp = NULL;
        int r = crioctl_call(ctx, false, "ListPodSandbox", &req.base, &runtime__v1__list_pod_sandbox_response__descriptor,
                             (ProtobufCMessage **) &resp);
        label_selector_free((void **) filter.label_selector, filter.n_label_selector);
        if (r < 0)
                return 1;

        /* filter by name/namespace, newest first, --latest/--last; the dropped ones are
         * kept aside so that the response frees them all */
        size_t all = resp->n_items, n = 0;
        Runtime__V1__PodSandbox **items = resp->items;
        for (size_t i = 0; i < all; i++) {
                Runtime__V1__PodSandbox *p = items[i];
                if (p->metadata && crioctl_regex_match(name_re, p->metadata->name) &&
                    crioctl_regex_match(ns_re, p->metadata->namespace_)) {
                        items[i] = items[n];
                        items[n++] = p;
                }
        }
        if (n > 1)
                qsort(items, n, sizeof *items, newest_first);
        size_t show = n;
        if (latest)
                show = 1;
        if (last > 0)
                show = (size_t) last;
        if (show > n)
                show = n;

        if (quiet) {
                for (size_t i = 0; i < show; i++)
                        printf("%s\n", items[i]->id);
        } else if (fmt != OUTPUT_TABLE) {
                resp->n_items = show;
                JsonNode *j = cri_message_to_json(&resp->base);
                resp->n_items = all;
                output_print(j, fmt);
                json_node_unref(j);
        } else {
                Table *t = table_new();
                table_add_row(t, "POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME", NULL);
                for (size_t i = 0; i < show; i++) {
                        const Runtime__V1__PodSandbox *p = items[i];
                        char idb[14], created[80], attempt[16];
                        format_created_ago(p->created_at, created, sizeof created);
                        snprintf(attempt, sizeof attempt, "%u", p->metadata->attempt);
                        table_add_row(t, format_id(p->id, no_trunc, idb), created,
                                      p->state == RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY ? "Ready" : "NotReady",
                                      p->metadata->name, p->metadata->namespace_, attempt,
                                      p->runtime_handler[0] ? p->runtime_handler : "(default)", NULL);
                }
                table_print(t);
                table_free(t);
        }
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return 0;
}
