/* The list commands (ps, pods, stats, statsp): one skeleton over a List* RuntimeService call.
 *
 * A command describes itself in a CrioctlList (which flags it takes, the RPC, and callbacks
 * for --state, filtering, sorting and one table row); crioctl_list() parses the flags, fills
 * the request's filter (id, pod_sandbox_id, state, label_selector, found by field name),
 * calls, keeps and sorts the items, applies --latest/--last, and prints the IDs (-q), the
 * response with the kept items (-o json|yaml) or the table. With CRIOCTL_LIST_SECONDS the
 * table compares two samples taken --seconds apart, and each row gets the item's earlier
 * sample. Every list command takes --id, --label, -o and -h. */
#pragma once

#include <regex.h>
#include <stddef.h>

#include "crioctl.h"

typedef enum CrioctlListFlag {
        CRIOCTL_LIST_ALL = 1 << 0,      /* -a, --all */
        CRIOCTL_LIST_POD = 1 << 1,      /* -p, --pod POD-ID: filter.pod_sandbox_id */
        CRIOCTL_LIST_NAMES = 1 << 2,    /* --name REGEX, --namespace REGEX (compiled for keep) */
        CRIOCTL_LIST_STATE = 1 << 3,    /* -s, --state STATE (read by the state callback) */
        CRIOCTL_LIST_IMAGE = 1 << 4,    /* --image IMAGE (resolved to an image ID for keep) */
        CRIOCTL_LIST_QUIET = 1 << 5,    /* -q, --quiet: only the IDs */
        CRIOCTL_LIST_NO_TRUNC = 1 << 6, /* --no-trunc */
        CRIOCTL_LIST_LATEST = 1 << 7,   /* -l, --latest and -n, --last N */
        CRIOCTL_LIST_SECONDS = 1 << 8,  /* -s, --seconds N (0 to 3600, default 1) between two samples */
        CRIOCTL_LIST_OPERAND = 1 << 9,  /* one CONTAINER-ID operand, for --id when it is not given */
} CrioctlListFlag;

/* The flags as parsed; what a command does not take keeps its default. */
typedef struct CrioctlListOptions {
        const char *id;  /* "" when not given */
        const char *pod; /* "" when not given */
        const char *name, *ns, *state, *image;
        char **labels;
        bool all, quiet, no_trunc, latest;
        long last, seconds;
        OutputFormat fmt;
        /* set by crioctl_list() before the call: --name and --namespace compiled (NULL
         * matches everything), and the ID of the --image image */
        regex_t *name_re, *ns_re;
        char *image_id;
} CrioctlListOptions;

typedef struct CrioctlList {
        const CrioctlCommand *command; /* its usage and name for errors and --help */
        unsigned flags;                /* the CrioctlListFlags it takes */
        const char *rpc;               /* a RuntimeService List* call */
        /* Its request has a filter with id and label_selector (pod_sandbox_id with
         * CRIOCTL_LIST_POD, state with a state callback); its response is a
         * CrioctlListResponse. */
        const ProtobufCMessageDescriptor *request, *response;
        const char *const *columns; /* the table's header, NULL-terminated */
        /* The state enum value to filter on, or -1 for none, in *ret. 0, or prints the usage
         * error and returns its exit code. NULL: the filter has no state. */
        int (*state)(const CrioctlListOptions *o, int *ret);
        /* Whether an item is listed (--name, --namespace, --image). NULL: every item. */
        bool (*keep)(CrioctlContext *ctx, const CrioctlListOptions *o, const void *item);
        /* Sorting: newest first by created (nanoseconds) when set, else by id. */
        int64_t (*created)(const void *item);
        /* The item's ID (for -q and to pair samples), NULL if it has none. */
        const char *(*id)(const void *item);
        /* Adds the item's row to t (or leaves it out); before is its earlier sample with
         * CRIOCTL_LIST_SECONDS, else NULL. */
        void (*row)(Table *t, const CrioctlListOptions *o, const void *item, const void *before);
} CrioctlList;

/* The List* responses have this layout: base, then their one repeated field. A command
 * checks its response type with CRIOCTL_LIST_RESPONSE_CHECK(type, field). */
typedef struct CrioctlListResponse {
        ProtobufCMessage base;
        size_t n_items;
        void **items;
} CrioctlListResponse;

#define CRIOCTL_LIST_RESPONSE_CHECK(type, field)                                                           \
        _Static_assert(sizeof(type) == sizeof(CrioctlListResponse) &&                                      \
                               offsetof(type, n_##field) == offsetof(CrioctlListResponse, n_items) &&      \
                               offsetof(type, field) == offsetof(CrioctlListResponse, items),             \
                       #type " is a CrioctlListResponse")

/* Runs list command l with its argv (argv[0] its name); returns the exit code. */
int crioctl_list(CrioctlContext *ctx, const CrioctlList *l, int argc, char **argv);

/* Extended regular expressions for --name/--namespace: "" or NULL is no filter (*ret NULL,
 * matches everything). A bad pattern is printed, -1. */
int crioctl_regex_compile(const char *pattern, regex_t **ret);
bool crioctl_regex_match(const regex_t *re, const char *s);
/* Frees *re (a cleanup function; accepts NULL). */
void crioctl_regex_freep(regex_t **re);
