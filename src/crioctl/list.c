/* The list commands' skeleton (see list.h): flags, the request's filter, the call, keeping,
 * sorting, --latest/--last, and the IDs, JSON/YAML or table output. */
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cri/pbjson.h"
#include "list.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* What a flag does: sets a string or a bool of CrioctlListOptions, or is parsed on its own. */
typedef enum ListOptionKind { OPTION_SPECIAL, OPTION_STRING, OPTION_TRUE } ListOptionKind;
#define SETS_STRING(field) OPTION_STRING, offsetof(CrioctlListOptions, field)
#define SETS_TRUE(field) OPTION_TRUE, offsetof(CrioctlListOptions, field)

/* Every flag a list command may take, in the order of their getopt table (which orders
 * getopt's "ambiguous option" message), with the CrioctlListFlags that enable it (0: every
 * list command takes it). */
static const struct ListOption {
        struct option option;
        const char *short_opt;
        unsigned flags;
        ListOptionKind kind;
        size_t offset;
} list_options[] = {
        { { "all", no_argument, NULL, 'a' }, "a", CRIOCTL_LIST_ALL, SETS_TRUE(all) },
        { { "id", required_argument, NULL, 'I' }, NULL, 0, SETS_STRING(id) },
        { { "pod", required_argument, NULL, 'p' }, "p:", CRIOCTL_LIST_POD, SETS_STRING(pod) },
        { { "name", required_argument, NULL, 'N' }, NULL, CRIOCTL_LIST_NAMES, SETS_STRING(name) },
        { { "namespace", required_argument, NULL, 'S' }, NULL, CRIOCTL_LIST_NAMES, SETS_STRING(ns) },
        { { "state", required_argument, NULL, 's' }, "s:", CRIOCTL_LIST_STATE, SETS_STRING(state) },
        { { "label", required_argument, NULL, 'L' }, NULL, 0, OPTION_SPECIAL, 0 },
        { { "image", required_argument, NULL, 'M' }, NULL, CRIOCTL_LIST_IMAGE, SETS_STRING(image) },
        { { "quiet", no_argument, NULL, 'q' }, "q", CRIOCTL_LIST_QUIET, SETS_TRUE(quiet) },
        { { "output", required_argument, NULL, 'o' }, "o:", 0, OPTION_SPECIAL, 0 },
        { { "no-trunc", no_argument, NULL, 'T' }, NULL, CRIOCTL_LIST_NO_TRUNC, SETS_TRUE(no_trunc) },
        { { "latest", no_argument, NULL, 'l' }, "l", CRIOCTL_LIST_LATEST, SETS_TRUE(latest) },
        { { "last", required_argument, NULL, 'n' }, "n:", CRIOCTL_LIST_LATEST, OPTION_SPECIAL, 0 },
        { { "seconds", required_argument, NULL, 's' }, "s:", CRIOCTL_LIST_SECONDS, OPTION_SPECIAL, 0 },
        { { "help", no_argument, NULL, 'h' }, "h", 0, OPTION_SPECIAL, 0 },
};

static bool takes(const CrioctlList *l, const struct ListOption *lo) {
        return (lo->flags & l->flags) == lo->flags;
}

/* l's flag c (getopt's answer), or NULL for '?'. */
static const struct ListOption *option_of(const CrioctlList *l, int c) {
        for (size_t i = 0; i < ELEMENTSOF(list_options); i++)
                if (list_options[i].option.val == c && takes(l, &list_options[i]))
                        return &list_options[i];
        return NULL;
}

/* A number flag's value in 0..max, or -1. */
static long parse_count(const char *s, long max) {
        char *end = NULL;
        long v = strtol(s, &end, 10);
        return !*s || *end || v < 0 || v > max ? -1 : v;
}

static void list_options_done(CrioctlListOptions *o) {
        strv_free(o->labels);
        crioctl_regex_freep(&o->name_re);
        crioctl_regex_freep(&o->ns_re);
        free(o->image_id);
}

/* Parses argv into o. -1 to go on, or the exit code (--help, a usage error). */
static int parse_flags(const CrioctlList *l, int argc, char **argv, CrioctlListOptions *o) {
        const CrioctlCommand *cmd = l->command;
        struct option opts[ELEMENTSOF(list_options) + 1] = {};
        char short_opts[2 * ELEMENTSOF(list_options) + 1] = "";
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(list_options); i++)
                if (takes(l, &list_options[i])) {
                        opts[n++] = list_options[i].option;
                        if (list_options[i].short_opt)
                                strcat(short_opts, list_options[i].short_opt);
                }
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, short_opts, opts, NULL)) != -1) {
                const struct ListOption *lo = option_of(l, c);
                if (lo && lo->kind == OPTION_STRING)
                        *(const char **) ((char *) o + lo->offset) = optarg;
                else if (lo && lo->kind == OPTION_TRUE)
                        *(bool *) ((char *) o + lo->offset) = true;
                else if (c == 'h') {
                        crioctl_help(cmd, l->flags & CRIOCTL_LIST_OPERAND ? "[CONTAINER-ID]" : "");
                        return 0;
                } else if (c == 'L') {
                        if (strv_push(&o->labels, optarg) < 0)
                                return 1;
                } else if (c == 'o') {
                        if (output_format_parse(optarg, OUTPUT_TABLE, &o->fmt) < 0)
                                return crioctl_usage_error(cmd, "unsupported output format \"%s\"", optarg);
                } else if (c == 'n') {
                        if ((o->last = parse_count(optarg, LONG_MAX)) < 0)
                                return crioctl_usage_error(cmd, "--last wants a number");
                } else if (c == 's') {
                        if ((o->seconds = parse_count(optarg, 3600)) < 0)
                                return crioctl_usage_error(cmd, "--seconds wants a number");
                } else
                        return crioctl_usage_error(cmd, "invalid flag");
        }
        if (l->flags & CRIOCTL_LIST_OPERAND) {
                if (argc - optind > 1)
                        return crioctl_usage_error(cmd, "name at most one container");
                if (optind < argc && !o->id[0])
                        o->id = argv[optind];
        } else if (optind < argc)
                return crioctl_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
        return -1;
}

/* ---- the request: a List* request and its filter, built through their descriptors ---- */

static ProtobufCMessage *message_new(const ProtobufCMessageDescriptor *d) {
        ProtobufCMessage *m = calloc(1, d->sizeof_message);
        if (m)
                protobuf_c_message_init(d, m);
        return m;
}

/* The address of msg's field name (and its descriptor in *ret_f), or NULL if it has none. */
static void *field_at(ProtobufCMessage *msg, const char *name, const ProtobufCFieldDescriptor **ret_f) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
        if (ret_f)
                *ret_f = f;
        return f ? (char *) msg + f->offset : NULL;
}

/* The element count of msg's repeated field f. */
static size_t *count_at(ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f) {
        return (size_t *) ((char *) msg + f->quantifier_offset);
}

/* Frees a request of request_new() (the strings it points to are not its own). */
static void request_free(ProtobufCMessage *req) {
        if (!req)
                return;
        ProtobufCMessage *filter = *(ProtobufCMessage **) field_at(req, "filter", NULL);
        if (filter) {
                const ProtobufCFieldDescriptor *f;
                void ***labels = field_at(filter, "label_selector", &f);
                label_selector_free(*labels, *count_at(filter, f));
                ProtobufCMessage **state = field_at(filter, "state", NULL);
                if (state)
                        free(*state);
                free(filter);
        }
        free(req);
}

static void request_freep(ProtobufCMessage **req) {
        request_free(*req);
}

/* l's request with its filter from o. 0, or the exit code (the error printed). */
static int request_new(const CrioctlList *l, const CrioctlListOptions *o, ProtobufCMessage **ret) {
        _cleanup_(request_freep) ProtobufCMessage *req = message_new(l->request);
        const ProtobufCFieldDescriptor *f;
        ProtobufCMessage **filter = req ? field_at(req, "filter", &f) : NULL;
        if (!filter || !(*filter = message_new(f->descriptor))) {
                fprintf(stderr, "crioctl: out of memory\n");
                return 1;
        }
        *(const char **) field_at(*filter, "id", NULL) = o->id;
        if (l->flags & CRIOCTL_LIST_POD)
                *(const char **) field_at(*filter, "pod_sandbox_id", NULL) = o->pod;
        int state = -1;
        if (l->state) {
                int r = l->state(o, &state);
                if (r != 0)
                        return r;
        }
        if (state >= 0) {
                ProtobufCMessage **sv = field_at(*filter, "state", &f);
                if (!(*sv = message_new(f->descriptor))) {
                        fprintf(stderr, "crioctl: out of memory\n");
                        return 1;
                }
                *(int *) field_at(*sv, "state", NULL) = state;
        }
        void ***labels = field_at(*filter, "label_selector", &f);
        if (label_selector_new(o->labels, f->descriptor, labels, count_at(*filter, f)) < 0)
                return 1;
        *ret = TAKE_PTR(req);
        return 0;
}

/* ---- the call, and the items it lists ---- */

static void response_freep(CrioctlListResponse **r) {
        if (*r)
                protobuf_c_message_free_unpacked(&(*r)->base, NULL);
}

static int compare_items(const void *a, const void *b, void *userdata) {
        const CrioctlList *l = userdata;
        const void *x = *(void *const *) a, *y = *(void *const *) b;
        if (l->created) {
                int64_t cx = l->created(x), cy = l->created(y);
                return cx < cy ? 1 : cx > cy ? -1 : 0;
        }
        const char *ix = l->id(x), *iy = l->id(y);
        return strcmp(ix ? ix : "", iy ? iy : "");
}

/* Calls l's RPC: the items l keeps first (the others stay behind them, for the response to
 * free), sorted; their number in *ret_n. */
static int fetch(CrioctlContext *ctx, const CrioctlList *l, const CrioctlListOptions *o, const ProtobufCMessage *req,
                 CrioctlListResponse **ret, size_t *ret_n) {
        CrioctlListResponse *resp = NULL;
        if (crioctl_call(ctx, false, l->rpc, req, l->response, (ProtobufCMessage **) &resp) < 0)
                return -1;
        void **items = resp->items;
        size_t n = 0;
        for (size_t i = 0; i < resp->n_items; i++) {
                void *item = items[i];
                if (l->keep && !l->keep(ctx, o, item))
                        continue;
                items[i] = items[n];
                items[n++] = item;
        }
        if (n > 1)
                qsort_r(items, n, sizeof *items, compare_items, (void *) l);
        *ret = resp;
        *ret_n = n;
        return 0;
}

/* item's sample in the earlier response (the same ID), or NULL. */
static const void *find_before(const CrioctlList *l, const CrioctlListResponse *before, const char *id) {
        for (size_t i = 0; i < before->n_items; i++) {
                const char *other = l->id(before->items[i]);
                if (other && strcmp(other, id) == 0)
                        return before->items[i];
        }
        return NULL;
}

/* The table of the first show items of first; with CRIOCTL_LIST_SECONDS, of a second sample
 * taken --seconds later, each row with its item's sample in first. */
static int print_table(CrioctlContext *ctx, const CrioctlList *l, const CrioctlListOptions *o, const ProtobufCMessage *req,
                       const CrioctlListResponse *first, size_t show) {
        _cleanup_(response_freep) CrioctlListResponse *second = NULL;
        const CrioctlListResponse *rows = first, *before = NULL;
        if (l->flags & CRIOCTL_LIST_SECONDS) {
                nanosleep(&(struct timespec){ o->seconds, 0 }, NULL);
                if (fetch(ctx, l, o, req, &second, &show) < 0)
                        return 1;
                rows = second;
                before = first;
        }
        Table *t = table_new();
        table_add_rowv(t, l->columns);
        for (size_t i = 0; i < show; i++) {
                const void *item = rows->items[i], *earlier = NULL;
                if (before) {
                        const char *id = l->id(item);
                        if (!id || !(earlier = find_before(l, before, id)))
                                continue;
                }
                l->row(t, o, item, earlier);
        }
        table_print(t);
        table_free(t);
        return 0;
}

int crioctl_list(CrioctlContext *ctx, const CrioctlList *l, int argc, char **argv) {
        _cleanup_(list_options_done) CrioctlListOptions o = { .id = "", .pod = "", .seconds = 1, .fmt = OUTPUT_TABLE };
        int r = parse_flags(l, argc, argv, &o);
        if (r >= 0)
                return r;
        _cleanup_(request_freep) ProtobufCMessage *req = NULL;
        r = request_new(l, &o, &req);
        if (r != 0)
                return r;
        if (crioctl_regex_compile(o.name, &o.name_re) < 0 || crioctl_regex_compile(o.ns, &o.ns_re) < 0)
                return 1;
        if (o.image && !(o.image_id = crioctl_image_id(ctx, o.image))) {
                fprintf(stderr, "crioctl: no such image \"%s\"\n", o.image);
                return 1;
        }
        _cleanup_(response_freep) CrioctlListResponse *resp = NULL;
        size_t n;
        if (fetch(ctx, l, &o, req, &resp, &n) < 0)
                return 1;
        size_t show = o.latest ? 1 : n;
        if (o.last > 0)
                show = (size_t) o.last;
        if (show > n)
                show = n;

        if (o.quiet) {
                for (size_t i = 0; i < show; i++)
                        printf("%s\n", l->id(resp->items[i]));
        } else if (o.fmt != OUTPUT_TABLE) {
                size_t total = resp->n_items;
                resp->n_items = show;
                JsonNode *j = cri_message_to_json(&resp->base);
                resp->n_items = total;
                output_print(j, o.fmt);
                json_node_unref(j);
        } else
                return print_table(ctx, l, &o, req, resp, show);
        return 0;
}

/* ---- --name and --namespace ---- */

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
