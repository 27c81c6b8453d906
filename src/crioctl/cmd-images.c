/* crioctl images [REPOSITORY[:TAG]]: list images (ImageService/ListImages), as crictl does. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/pbjson.h"
#include "crioctl.h"

static const char usage[] = "  -q, --quiet              only image IDs\n"
                            "      --digests            show digests\n"
                            "      --no-trunc           full image IDs\n"
                            "  -o, --output json|yaml|table\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_images = {
        .name = "images",
        .summary = "List images",
        .usage = usage,
        .run = run,
};

/* Docker's HumanSizeWithPrecision(size, 3): decimal units, 3 significant digits. */
static void human_size(uint64_t n, char *buf, size_t len) {
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
        double v = (double) n;
        size_t u = 0;
        while (v >= 1000.0 && u + 1 < sizeof units / sizeof units[0]) {
                v /= 1000.0;
                u++;
        }
        snprintf(buf, len, "%.3g%s", v, units[u]);
}

/* "docker.io/library/busybox:latest" -> repo "docker.io/library/busybox", tag "latest". */
static void split_tag(const char *name, char *repo, size_t rlen, const char **tag) {
        const char *slash = strrchr(name, '/');
        const char *colon = strrchr(name, ':');
        if (colon && (!slash || colon > slash)) {
                snprintf(repo, rlen, "%.*s", (int) (colon - name), name);
                *tag = colon + 1;
        } else {
                snprintf(repo, rlen, "%s", name);
                *tag = "<none>";
        }
}

static const char *digest_of(const Runtime__V1__Image *img, const char *repo) {
        size_t rl = strlen(repo);
        for (size_t i = 0; i < img->n_repo_digests; i++)
                if (strncmp(img->repo_digests[i], repo, rl) == 0 && img->repo_digests[i][rl] == '@')
                        return img->repo_digests[i] + rl + 1;
        return img->n_repo_digests ? strchr(img->repo_digests[0], '@') + 1 : "<none>";
}

static void print_row(const Runtime__V1__Image *img, const char *repo, const char *tag, bool digests, bool no_trunc) {
        char size[32], id[80], dg[80];
        human_size(img->size, size, sizeof size);
        snprintf(id, sizeof id, "%s", img->id + (strncmp(img->id, "sha256:", 7) == 0 ? 7 : 0));
        if (!no_trunc && strlen(id) > 13)
                id[13] = '\0';
        if (digests) {
                const char *d = digest_of(img, repo);
                snprintf(dg, sizeof dg, "%s", d + (strncmp(d, "sha256:", 7) == 0 ? 7 : 0));
                if (!no_trunc && strlen(dg) > 13)
                        dg[13] = '\0';
                printf("%-40s %-20s %-16s %-16s %s\n", repo, tag, dg, id, size);
        } else
                printf("%-40s %-20s %-16s %s\n", repo, tag, id, size);
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "quiet", no_argument, NULL, 'q' },
                                              { "digests", no_argument, NULL, 'D' },
                                              { "no-trunc", no_argument, NULL, 'N' },
                                              { "output", required_argument, NULL, 'o' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        OutputFormat fmt = OUTPUT_TABLE;
        bool quiet = false, digests = false, no_trunc = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "qo:h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl images [FLAGS] [REPOSITORY[:TAG]]\n%s", usage);
                        return 0;
                } else if (c == 'q')
                        quiet = true;
                else if (c == 'D')
                        digests = true;
                else if (c == 'N')
                        no_trunc = true;
                else if (c != 'o' || output_format_parse(optarg, OUTPUT_TABLE, &fmt) < 0)
                        return crioctl_usage_error(&crioctl_cmd_images, "invalid flag or output format");
        }
        if (argc - optind > 1)
                return crioctl_usage_error(&crioctl_cmd_images, "too many arguments");

        Runtime__V1__ListImagesRequest req = RUNTIME__V1__LIST_IMAGES_REQUEST__INIT;
        Runtime__V1__ImageFilter filter = RUNTIME__V1__IMAGE_FILTER__INIT;
        Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
        if (optind < argc) {
                spec.image = argv[optind];
                filter.image = &spec;
                req.filter = &filter;
        }
        Runtime__V1__ListImagesResponse *resp = NULL;
        if (crioctl_call(ctx, true, "ListImages", &req.base, &runtime__v1__list_images_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return 1;
        if (quiet) {
                for (size_t i = 0; i < resp->n_images; i++)
                        printf("%s\n", resp->images[i]->id);
        } else if (fmt != OUTPUT_TABLE) {
                JsonNode *n = cri_message_to_json(&resp->base);
                output_print(n, fmt);
                json_node_unref(n);
        } else {
                if (digests)
                        printf("%-40s %-20s %-16s %-16s %s\n", "IMAGE", "TAG", "DIGEST", "IMAGE ID", "SIZE");
                else
                        printf("%-40s %-20s %-16s %s\n", "IMAGE", "TAG", "IMAGE ID", "SIZE");
                for (size_t i = 0; i < resp->n_images; i++) {
                        const Runtime__V1__Image *img = resp->images[i];
                        char repo[512];
                        const char *tag;
                        if (img->n_repo_tags == 0) {
                                if (img->n_repo_digests > 0) {
                                        snprintf(repo, sizeof repo, "%.*s",
                                                 (int) (strchr(img->repo_digests[0], '@') - img->repo_digests[0]),
                                                 img->repo_digests[0]);
                                } else
                                        snprintf(repo, sizeof repo, "<none>");
                                print_row(img, repo, "<none>", digests, no_trunc);
                                continue;
                        }
                        for (size_t t = 0; t < img->n_repo_tags; t++) {
                                split_tag(img->repo_tags[t], repo, sizeof repo, &tag);
                                print_row(img, repo, tag, digests, no_trunc);
                        }
                }
        }
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return 0;
}
