/* crioctl statsp [--id ID] [--label K=V] [-o FMT] [-s SECONDS]: pod resource usage
 * (ListPodSandboxStats). The table, as crictl's, takes two samples SECONDS apart for CPU %:
 * POD POD ID CPU % MEM; json and yaml print one sample. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cri/pbjson.h"
#include "crioctl.h"
#include "util/cleanup.h"
#include "util/strv.h"

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

static const char *pod_id(const Runtime__V1__PodSandboxStats *s) {
        return s->attributes ? s->attributes->id : "";
}

static int by_id(const void *a, const void *b) {
        return strcmp(pod_id(*(Runtime__V1__PodSandboxStats *const *) a), pod_id(*(Runtime__V1__PodSandboxStats *const *) b));
}

static int sample(CrioctlContext *ctx, Runtime__V1__ListPodSandboxStatsRequest *req,
                  Runtime__V1__ListPodSandboxStatsResponse **ret) {
        if (crioctl_call(ctx, false, "ListPodSandboxStats", &req->base,
                         &runtime__v1__list_pod_sandbox_stats_response__descriptor, (ProtobufCMessage **) ret) < 0)
                return -1;
        if ((*ret)->n_stats > 1)
                qsort((*ret)->stats, (*ret)->n_stats, sizeof *(*ret)->stats, by_id);
        return 0;
}

static uint64_t cpu_of(const Runtime__V1__PodSandboxStats *s, int64_t *ret_ts) {
        const Runtime__V1__CpuUsage *c = s->linux ? s->linux->cpu : NULL;
        *ret_ts = c ? c->timestamp : 0;
        return c && c->usage_core_nano_seconds ? c->usage_core_nano_seconds->value : 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "id", required_argument, NULL, 'I' },
                                              { "label", required_argument, NULL, 'L' },
                                              { "output", required_argument, NULL, 'o' },
                                              { "seconds", required_argument, NULL, 's' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        const char *id = "";
        _cleanup_strv_free_ char **labels = NULL;
        long seconds = 1;
        OutputFormat fmt = OUTPUT_TABLE;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
                char *end = NULL;
                if (c == 'h') {
                        printf("Usage: crioctl statsp [FLAGS]\n%s", usage);
                        return 0;
                } else if (c == 'I')
                        id = optarg;
                else if (c == 'L') {
                        if (strv_push(&labels, optarg) < 0)
                                return 1;
                } else if (c == 'o') {
                        if (output_format_parse(optarg, OUTPUT_TABLE, &fmt) < 0)
                                return crioctl_usage_error(&crioctl_cmd_statsp, "unsupported output format \"%s\"", optarg);
                } else if (c == 's') {
                        seconds = strtol(optarg, &end, 10);
                        if (!*optarg || *end || seconds < 0 || seconds > 3600)
                                return crioctl_usage_error(&crioctl_cmd_statsp, "--seconds wants a number");
                } else
                        return crioctl_usage_error(&crioctl_cmd_statsp, "invalid flag");
        }
        if (optind < argc)
                return crioctl_usage_error(&crioctl_cmd_statsp, "unexpected argument \"%s\"", argv[optind]);
        Runtime__V1__ListPodSandboxStatsRequest req = RUNTIME__V1__LIST_POD_SANDBOX_STATS_REQUEST__INIT;
        Runtime__V1__PodSandboxStatsFilter filter = RUNTIME__V1__POD_SANDBOX_STATS_FILTER__INIT;
        filter.id = (char *) id;
        if (label_selector_new(labels, &runtime__v1__pod_sandbox_stats_filter__label_selector_entry__descriptor,
                               (void ***) &filter.label_selector, &filter.n_label_selector) < 0)
                return 1;
        req.filter = &filter;
        Runtime__V1__ListPodSandboxStatsResponse *old = NULL, *cur = NULL;
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
        table_add_row(t, "POD", "POD ID", "CPU %", "MEM", NULL);
        for (size_t i = 0; i < cur->n_stats; i++) {
                const Runtime__V1__PodSandboxStats *s = cur->stats[i];
                const Runtime__V1__PodSandboxStats *o = NULL;
                for (size_t k = 0; k < old->n_stats && !o; k++)
                        if (strcmp(pod_id(old->stats[k]), pod_id(s)) == 0)
                                o = old->stats[k];
                if (!o)
                        continue;
                int64_t ts, ots;
                uint64_t cpu = cpu_of(s, &ts), ocpu = cpu_of(o, &ots);
                const Runtime__V1__MemoryUsage *m = s->linux ? s->linux->memory : NULL;
                uint64_t mem = m && m->working_set_bytes ? m->working_set_bytes->value : 0;
                double pct = cpu && ts > ots ? (double) (cpu - ocpu) / (double) (ts - ots) * 100.0 : 0;
                char idb[14], pb[32], mb[32];
                snprintf(pb, sizeof pb, "%.2f", pct);
                format_human_size((double) mem, mb, sizeof mb);
                table_add_row(t, s->attributes && s->attributes->metadata ? s->attributes->metadata->name : "",
                              format_id(pod_id(s), false, idb), pb, mb, NULL);
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
