/* crioctl stats [-a] [--id ID] [-p POD] [--label K=V] [-o FMT] [-s SECONDS] [ID]: container
 * resource usage (ListContainerStats). The table, as crictl's, takes two samples SECONDS
 * apart for CPU %: CONTAINER NAME CPU % MEM DISK INODES SWAP; json and yaml print one
 * sample. Without -a, containers using no CPU and no memory are left out. */
#include <stdio.h>

#include "list.h"

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

CRIOCTL_LIST_RESPONSE_CHECK(Runtime__V1__ListContainerStatsResponse, stats);

#define U64(m, f) ((m) && (m)->f ? (m)->f->value : 0)

static const char *stats_id(const void *item) {
        const Runtime__V1__ContainerStats *s = item;
        return s->attributes ? s->attributes->id : NULL;
}

static void stats_row(Table *t, const CrioctlListOptions *o, const void *item, const void *before) {
        const Runtime__V1__ContainerStats *s = item, *old = before;
        uint64_t cpu = U64(s->cpu, usage_core_nano_seconds), mem = U64(s->memory, working_set_bytes);
        if (!o->all && cpu == 0 && mem == 0)
                return;
        double pct = 0;
        if (cpu && s->cpu && old->cpu && s->cpu->timestamp > old->cpu->timestamp)
                pct = (double) (cpu - U64(old->cpu, usage_core_nano_seconds)) /
                      (double) (s->cpu->timestamp - old->cpu->timestamp) * 100.0;
        char idb[14], pb[32], mb[32], db[32], ib[32], sb[32];
        snprintf(pb, sizeof pb, "%.2f", pct);
        format_human_size((double) mem, mb, sizeof mb);
        format_human_size((double) U64(s->writable_layer, used_bytes), db, sizeof db);
        snprintf(ib, sizeof ib, "%llu", (unsigned long long) U64(s->writable_layer, inodes_used));
        format_human_size((double) U64(s->swap, swap_usage_bytes), sb, sizeof sb);
        table_add_row(t, format_id(s->attributes->id, false, idb),
                      s->attributes->metadata ? s->attributes->metadata->name : "", pb, mb, db, ib, sb, NULL);
}

static const CrioctlList stats = {
        .command = &crioctl_cmd_stats,
        .flags = CRIOCTL_LIST_ALL | CRIOCTL_LIST_POD | CRIOCTL_LIST_SECONDS | CRIOCTL_LIST_OPERAND,
        .rpc = "ListContainerStats",
        .request = &runtime__v1__list_container_stats_request__descriptor,
        .response = &runtime__v1__list_container_stats_response__descriptor,
        .columns = (const char *const[]){ "CONTAINER", "NAME", "CPU %", "MEM", "DISK", "INODES", "SWAP", NULL },
        .id = stats_id,
        .row = stats_row,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        return crioctl_list(ctx, &stats, argc, argv);
}
