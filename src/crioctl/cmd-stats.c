/* crioctl stats [-a] [--id ID] [-p POD] [--label K=V] [-o FMT] [-s SECONDS] [ID]: container
 * resource usage (ListContainerStats). The table, as crictl's, takes two samples SECONDS
 * apart for CPU %: CONTAINER NAME CPU % MEM DISK INODES SWAP; json and yaml print one
 * sample. Without -a, containers using no CPU and no memory are left out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cri/pbjson.h"
#include "crioctl.h"
#include "util/cleanup.h"
#include "util/strv.h"

static const char usage[] = "  -a, --all               also containers that use nothing\n"
                            "      --id ID             this container\n"
                            "  -p, --pod POD-ID        containers of this pod\n"
                            "      --label KEY=VALUE   containers with this label (repeatable)\n"
                            "  -o, --output json|yaml|table\n"
                            "  -s, --seconds N         sample duration for CPU %% (default 1)\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_stats = {
        .name = "stats",
        .summary = "List container(s) resource usage statistics",
        .usage = usage,
        .run = run,
};

static int by_id(const void *a, const void *b) {
        const Runtime__V1__ContainerStats *x = *(Runtime__V1__ContainerStats *const *) a;
        const Runtime__V1__ContainerStats *y = *(Runtime__V1__ContainerStats *const *) b;
        return strcmp(x->attributes ? x->attributes->id : "", y->attributes ? y->attributes->id : "");
}

static int sample(CrioctlContext *ctx, Runtime__V1__ListContainerStatsRequest *req,
                  Runtime__V1__ListContainerStatsResponse **ret) {
        if (crioctl_call(ctx, false, "ListContainerStats", &req->base,
                         &runtime__v1__list_container_stats_response__descriptor, (ProtobufCMessage **) ret) < 0)
                return -1;
        if ((*ret)->n_stats > 1)
                qsort((*ret)->stats, (*ret)->n_stats, sizeof *(*ret)->stats, by_id);
        return 0;
}

#define U64(m, f) ((m) && (m)->f ? (m)->f->value : 0)

static const Runtime__V1__ContainerStats *find(const Runtime__V1__ListContainerStatsResponse *r, const char *id) {
        for (size_t i = 0; i < r->n_stats; i++)
                if (r->stats[i]->attributes && strcmp(r->stats[i]->attributes->id, id) == 0)
                        return r->stats[i];
        return NULL;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "all", no_argument, NULL, 'a' },
                                              { "id", required_argument, NULL, 'I' },
                                              { "pod", required_argument, NULL, 'p' },
                                              { "label", required_argument, NULL, 'L' },
                                              { "output", required_argument, NULL, 'o' },
                                              { "seconds", required_argument, NULL, 's' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        const char *id = "", *pod = "";
        _cleanup_strv_free_ char **labels = NULL;
        bool all = false;
        long seconds = 1;
        OutputFormat fmt = OUTPUT_TABLE;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "ap:o:s:h", opts, NULL)) != -1) {
                char *end = NULL;
                switch (c) {
                case 'h':
                        printf("Usage: crioctl stats [FLAGS] [CONTAINER-ID]\n%s", usage);
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
                case 'L':
                        if (strv_push(&labels, optarg) < 0)
                                return 1;
                        break;
                case 'o':
                        if (output_format_parse(optarg, OUTPUT_TABLE, &fmt) < 0)
                                return crioctl_usage_error(&crioctl_cmd_stats, "unsupported output format \"%s\"", optarg);
                        break;
                case 's':
                        seconds = strtol(optarg, &end, 10);
                        if (!*optarg || *end || seconds < 0 || seconds > 3600)
                                return crioctl_usage_error(&crioctl_cmd_stats, "--seconds wants a number");
                        break;
                default:
                        return crioctl_usage_error(&crioctl_cmd_stats, "invalid flag");
                }
        }
        if (argc - optind > 1)
                return crioctl_usage_error(&crioctl_cmd_stats, "name at most one container");
        if (optind < argc && !id[0])
                id = argv[optind];
        Runtime__V1__ListContainerStatsRequest req = RUNTIME__V1__LIST_CONTAINER_STATS_REQUEST__INIT;
        Runtime__V1__ContainerStatsFilter filter = RUNTIME__V1__CONTAINER_STATS_FILTER__INIT;
        filter.id = (char *) id;
        filter.pod_sandbox_id = (char *) pod;
        if (label_selector_new(labels, &runtime__v1__container_stats_filter__label_selector_entry__descriptor,
                               (void ***) &filter.label_selector, &filter.n_label_selector) < 0)
                return 1;
        req.filter = &filter;
        Runtime__V1__ListContainerStatsResponse *old = NULL, *cur = NULL;
        int ret = 1;
        if (sample(ctx, &req, &old) < 0)
                goto out;
        if (fmt != OUTPUT_TABLE) {
                JsonNode *j = cri_message_to_json(&old->base);
                output_print(j, fmt);
                json_node_unref(j);
                ret = 0;
                goto out;
        }
        nanosleep(&(struct timespec){ seconds, 0 }, NULL);
        if (sample(ctx, &req, &cur) < 0)
                goto out;
        Table *t = table_new();
        table_add_row(t, "CONTAINER", "NAME", "CPU %", "MEM", "DISK", "INODES", "SWAP", NULL);
        for (size_t i = 0; i < cur->n_stats; i++) {
                const Runtime__V1__ContainerStats *s = cur->stats[i];
                if (!s->attributes)
                        continue;
                uint64_t cpu = U64(s->cpu, usage_core_nano_seconds), mem = U64(s->memory, working_set_bytes);
                if (!all && cpu == 0 && mem == 0)
                        continue;
                const Runtime__V1__ContainerStats *o = find(old, s->attributes->id);
                if (!o)
                        continue;
                double pct = 0;
                if (cpu && s->cpu && o->cpu && s->cpu->timestamp > o->cpu->timestamp)
                        pct = (double) (cpu - U64(o->cpu, usage_core_nano_seconds)) /
                              (double) (s->cpu->timestamp - o->cpu->timestamp) * 100.0;
                char idb[14], pb[32], mb[32], db[32], ib[32], sb[32];
                snprintf(pb, sizeof pb, "%.2f", pct);
                format_human_size((double) mem, mb, sizeof mb);
                format_human_size((double) U64(s->writable_layer, used_bytes), db, sizeof db);
                snprintf(ib, sizeof ib, "%llu", (unsigned long long) U64(s->writable_layer, inodes_used));
                format_human_size((double) U64(s->swap, swap_usage_bytes), sb, sizeof sb);
                table_add_row(t, format_id(s->attributes->id, false, idb),
                              s->attributes->metadata ? s->attributes->metadata->name : "", pb, mb, db, ib, sb, NULL);
        }
        table_print(t);
        table_free(t);
        ret = 0;
out:
        label_selector_free((void **) filter.label_selector, filter.n_label_selector);
        if (old)
                protobuf_c_message_free_unpacked(&old->base, NULL);
        if (cur)
                protobuf_c_message_free_unpacked(&cur->base, NULL);
        return ret;
}
