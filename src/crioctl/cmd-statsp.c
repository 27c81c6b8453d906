/* crioctl statsp [--id ID] [--label K=V] [-o FMT] [-s SECONDS]: pod resource usage
 * (ListPodSandboxStats). The table, as crictl's, takes two samples SECONDS apart for CPU %:
 * POD POD ID CPU % MEM; json and yaml print one sample. */
#include <stdio.h>

#include "list.h"

static const char usage[] = "      --id ID             this pod\n"
                            "      --label KEY=VALUE   pods with this label (repeatable)\n"
                            "  -o, --output json|yaml|table\n"
                            "  -s, --seconds N         sample duration for CPU %% (default 1)\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_statsp = {
        .name = "statsp",
        .summary = "List pod(s) resource usage statistics",
        .usage = usage,
        .run = run,
};

CRIOCTL_LIST_RESPONSE_CHECK(Runtime__V1__ListPodSandboxStatsResponse, stats);

static const char *pod_id(const void *item) {
        const Runtime__V1__PodSandboxStats *s = item;
        return s->attributes ? s->attributes->id : "";
}

static uint64_t cpu_of(const Runtime__V1__PodSandboxStats *s, int64_t *ret_ts) {
        const Runtime__V1__CpuUsage *c = s->linux ? s->linux->cpu : NULL;
        *ret_ts = c ? c->timestamp : 0;
        return c && c->usage_core_nano_seconds ? c->usage_core_nano_seconds->value : 0;
}

static void pod_stats_row(Table *t, const CrioctlListOptions *o, const void *item, const void *before) {
        (void) o;
        const Runtime__V1__PodSandboxStats *s = item;
        int64_t ts, ots;
        uint64_t cpu = cpu_of(s, &ts), ocpu = cpu_of(before, &ots);
        const Runtime__V1__MemoryUsage *m = s->linux ? s->linux->memory : NULL;
        uint64_t mem = m && m->working_set_bytes ? m->working_set_bytes->value : 0;
        double pct = cpu && ts > ots ? (double) (cpu - ocpu) / (double) (ts - ots) * 100.0 : 0;
        char idb[14], pb[32], mb[32];
        snprintf(pb, sizeof pb, "%.2f", pct);
        format_human_size((double) mem, mb, sizeof mb);
        table_add_row(t, s->attributes && s->attributes->metadata ? s->attributes->metadata->name : "",
                      format_id(pod_id(s), false, idb), pb, mb, NULL);
}

static const CrioctlList statsp = {
        .command = &crioctl_cmd_statsp,
        .flags = CRIOCTL_LIST_SECONDS,
        .rpc = "ListPodSandboxStats",
        .request = &runtime__v1__list_pod_sandbox_stats_request__descriptor,
        .response = &runtime__v1__list_pod_sandbox_stats_response__descriptor,
        .columns = (const char *const[]){ "POD", "POD ID", "CPU %", "MEM", NULL },
        .id = pod_id,
        .row = pod_stats_row,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        return crioctl_list(ctx, &statsp, argc, argv);
}
