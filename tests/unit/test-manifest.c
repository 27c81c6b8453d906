/* Manifests, manifest lists / indexes, image configs and platform selection. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "test.h"
#include "util/strv.h"

#define H1 "6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b"
#define H2 "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
#define H3 "e7d88de73db3d3fd9b2d63aa7f447a10fd0220b7cbf39803c803f2af9ba256b3"
#define H4 "b6f50765242581c887ff1acc2511fa2d885c52d8fb3ac8c4bba131fd86567f2e"
#define H5 "0f3c3a6c4e3b9ad1a6d4f8d0b1e7f1a4c8a1b2c3d4e5f60718293a4b5c6d7e8f"
#define D1 "sha256:" H1
#define D2 "sha256:" H2
#define D3 "sha256:" H3
#define D4 "sha256:" H4
#define D5 "sha256:" H5

static const char docker_v2[] =
        "{\n"
        "   \"schemaVersion\": 2,\n"
        "   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
        "   \"config\": {\n"
        "      \"mediaType\": \"application/vnd.docker.container.image.v1+json\",\n"
        "      \"size\": 1469,\n"
        "      \"digest\": \"" D1 "\"\n"
        "   },\n"
        "   \"layers\": [\n"
        "      {\n"
        "         \"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n"
        "         \"size\": 2814446,\n"
        "         \"digest\": \"" D2 "\"\n"
        "      },\n"
        "      {\n"
        "         \"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n"
        "         \"size\": 0,\n"
        "         \"digest\": \"" D3 "\"\n"
        "      }\n"
        "   ]\n"
        "}\n";

static const char oci_manifest[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1 "\",\"size\":7023},"
        "\"layers\":["
        "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D2 "\",\"size\":32654},"
        "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" D3 "\",\"size\":16724},"
        "{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\"digest\":\"" D4 "\",\"size\":73109,"
        "\"urls\":[\"https://mcr.microsoft.com/v2/windows/blobs/" D4 "\"]}"
        "],\"annotations\":{\"org.opencontainers.image.created\":\"2026-11-01T00:00:00Z\"}}";

static const char docker_list[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\",\"manifests\":["
        "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":528,\"digest\":\"" D1 "\","
        "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
        "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":528,\"digest\":\"" D2 "\","
        "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v6\"}},"
        "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":528,\"digest\":\"" D3 "\","
        "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}},"
        "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":528,\"digest\":\"" D4 "\","
        "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
        "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":1125,\"digest\":\"" D5 "\","
        "\"platform\":{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763.1879\"}}"
        "]}";

static const char oci_index[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D1 "\",\"size\":1234,"
        "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D2 "\",\"size\":1234,"
        "\"platform\":{\"architecture\":\"ppc64le\",\"os\":\"linux\",\"features\":[\"sse4\"]}},"
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D3 "\",\"size\":566,"
        "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"},"
        "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}},"
        "{\"mediaType\":\"application/vnd.in-toto+json\",\"digest\":\"" D4 "\",\"size\":99}"
        "]}";

/* Schema 1: fsLayers top first; the history entries flagged throwaway are empty layers. */
static const char schema1[] =
        "{\"schemaVersion\":1,\"name\":\"library/hello\",\"tag\":\"latest\",\"architecture\":\"amd64\","
        "\"fsLayers\":[{\"blobSum\":\"" D3 "\"},{\"blobSum\":\"" D2 "\"},{\"blobSum\":\"" D1 "\"}],"
        "\"history\":["
        "{\"v1Compatibility\":\"{\\\"id\\\":\\\"c\\\",\\\"parent\\\":\\\"b\\\",\\\"throwaway\\\":true}\"},"
        "{\"v1Compatibility\":\"{\\\"id\\\":\\\"b\\\",\\\"parent\\\":\\\"a\\\"}\"},"
        "{\"v1Compatibility\":\"{\\\"id\\\":\\\"a\\\",\\\"created\\\":\\\"2016-01-01T00:00:00Z\\\"}\"}],"
        "\"signatures\":[{\"header\":{\"alg\":\"ES256\"},\"signature\":\"xx\",\"protected\":\"yy\"}]}";

static ImageManifest *parse_ok(const char *doc, const char *ct) {
        CrioError err = {};
        ImageManifest *m = NULL;
        int r = image_manifest_parse(doc, strlen(doc), ct, &m, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "parse failed: %d %s", r, err.msg ? err.msg : "");
        crio_error_clear(&err);
        return m;
}

#define EXPECT_FAIL(doc, ct, code, needle)                                                          \
        do {                                                                                      \
                _cleanup_(crio_error_clear) CrioError _err = {};                                  \
                ImageManifest *_m = NULL;                                                         \
                ASSERT_EQ_INT(image_manifest_parse((doc), strlen(doc), (ct), &_m, &_err), -(code)); \
                ASSERT_TRUE(_m == NULL);                                                          \
                ASSERT_CONTAINS(_err.msg, (needle));                                                 \
        } while (0)

TEST(docker_v2_manifest) {
        ImageManifest *m = parse_ok(docker_v2, IMAGE_MEDIA_TYPE_DOCKER_MANIFEST);
        ASSERT_EQ_INT(m->kind, IMAGE_MANIFEST_KIND_MANIFEST);
        ASSERT_EQ_STR(m->media_type, IMAGE_MEDIA_TYPE_DOCKER_MANIFEST);
        ASSERT_EQ_INT(m->schema_version, 2);
        ASSERT_EQ_STR(m->config.media_type, IMAGE_MEDIA_TYPE_DOCKER_CONFIG);
        ASSERT_EQ_STR(m->config.digest, D1);
        ASSERT_EQ_INT(m->config.size, 1469);
        ASSERT_EQ_INT(m->n_layers, 2);
        ASSERT_EQ_STR(m->layers[0].digest, D2);
        ASSERT_EQ_INT(m->layers[0].size, 2814446);
        ASSERT_EQ_STR(m->layers[1].digest, D3);
        ASSERT_EQ_INT(m->layers[1].size, 0);
        ASSERT_TRUE(m->layers[0].urls == NULL);
        ASSERT_EQ_INT(m->n_entries, 0);
        image_manifest_free(m);
        /* No Content-Type, or a generic one: the body decides. */
        m = parse_ok(docker_v2, NULL);
        ASSERT_EQ_STR(m->media_type, IMAGE_MEDIA_TYPE_DOCKER_MANIFEST);
        image_manifest_free(m);
        m = parse_ok(docker_v2, "application/json; charset=utf-8");
        ASSERT_EQ_STR(m->media_type, IMAGE_MEDIA_TYPE_DOCKER_MANIFEST);
        image_manifest_free(m);
}

TEST(oci_manifest) {
        ImageManifest *m = parse_ok(oci_manifest, "application/vnd.oci.image.manifest.v1+json; charset=utf-8");
        ASSERT_EQ_INT(m->kind, IMAGE_MANIFEST_KIND_MANIFEST);
        ASSERT_EQ_STR(m->config.media_type, IMAGE_MEDIA_TYPE_OCI_CONFIG);
        ASSERT_EQ_INT(m->config.size, 7023);
        ASSERT_EQ_INT(m->n_layers, 3);
        ASSERT_EQ_STR(m->layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
        ASSERT_EQ_STR(m->layers[2].media_type, "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
        ASSERT_EQ_INT(strv_length(m->layers[2].urls), 1);
        ASSERT_EQ_STR(m->layers[2].urls[0], "https://mcr.microsoft.com/v2/windows/blobs/" D4);
        image_manifest_free(m);
}

TEST(oci_manifest_without_media_type) {
        const char doc[] = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                           "\"digest\":\"" D1 "\",\"size\":2},\"layers\":[]}";
        ImageManifest *m = parse_ok(doc, NULL);
        ASSERT_EQ_STR(m->media_type, IMAGE_MEDIA_TYPE_OCI_MANIFEST);
        ASSERT_EQ_INT(m->n_layers, 0);
        image_manifest_free(m);
        /* The Content-Type names it when the body does not. */
        m = parse_ok(doc, IMAGE_MEDIA_TYPE_DOCKER_MANIFEST);
        ASSERT_EQ_STR(m->media_type, IMAGE_MEDIA_TYPE_DOCKER_MANIFEST);
        image_manifest_free(m);
        const char idx[] = "{\"schemaVersion\":2,\"manifests\":[]}";
        m = parse_ok(idx, "text/plain");
        ASSERT_EQ_INT(m->kind, IMAGE_MANIFEST_KIND_INDEX);
        ASSERT_EQ_STR(m->media_type, IMAGE_MEDIA_TYPE_OCI_INDEX);
        image_manifest_free(m);
}

TEST(docker_manifest_list) {
        ImageManifest *m = parse_ok(docker_list, IMAGE_MEDIA_TYPE_DOCKER_LIST);
        ASSERT_EQ_INT(m->kind, IMAGE_MANIFEST_KIND_INDEX);
        ASSERT_EQ_INT(m->n_entries, 5);
        ASSERT_EQ_INT(m->n_layers, 0);
        ASSERT_EQ_STR(m->entries[0].platform.os, "linux");
        ASSERT_EQ_STR(m->entries[0].platform.architecture, "amd64");
        ASSERT_TRUE(m->entries[0].platform.variant == NULL);
        ASSERT_EQ_STR(m->entries[2].platform.variant, "v7");
        ASSERT_EQ_STR(m->entries[4].platform.os_version, "10.0.17763.1879");
        ASSERT_EQ_INT(m->entries[4].size, 1125);
        ASSERT_EQ_STR(m->entries[4].digest, D5);
        image_manifest_free(m);
}

TEST(oci_index) {
        ImageManifest *m = parse_ok(oci_index, IMAGE_MEDIA_TYPE_OCI_INDEX);
        ASSERT_EQ_INT(m->kind, IMAGE_MANIFEST_KIND_INDEX);
        ASSERT_EQ_INT(m->n_entries, 4);
        ASSERT_EQ_STR(m->entries[1].platform.features[0], "sse4");
        ASSERT_EQ_STR(m->entries[3].media_type, "application/vnd.in-toto+json");
        ASSERT_TRUE(m->entries[3].platform.os == NULL);
        image_manifest_free(m);
}

TEST(schema1) {
        ImageManifest *m = parse_ok(schema1, IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED);
        ASSERT_EQ_INT(m->kind, IMAGE_MANIFEST_KIND_MANIFEST);
        ASSERT_EQ_INT(m->schema_version, 1);
        ASSERT_TRUE(m->config.digest == NULL);
        ASSERT_EQ_INT(m->n_layers, 2); /* the throwaway top layer is dropped */
        ASSERT_EQ_STR(m->layers[0].digest, D1);
        ASSERT_EQ_STR(m->layers[1].digest, D2);
        ASSERT_EQ_INT(m->layers[0].size, -1);
        ASSERT_EQ_STR(m->layers[0].media_type, IMAGE_MEDIA_TYPE_DOCKER_LAYER);
        image_manifest_free(m);
        m = parse_ok(schema1, NULL); /* guessed from schemaVersion 1 */
        ASSERT_EQ_STR(m->media_type, IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1);
        image_manifest_free(m);
        m = parse_ok(schema1, IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1);
        image_manifest_free(m);
}

TEST(schema1_rejections) {
        EXPECT_FAIL("{\"schemaVersion\":1,\"fsLayers\":[]}", NULL, EINVAL, "fsLayers is empty");
        EXPECT_FAIL("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"" D1 "\"}],\"history\":[]}", NULL, EINVAL,
                    "1 fsLayers but 0 history entries");
        EXPECT_FAIL("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"md5:00\"}]}", NULL, EINVAL,
                    "fsLayers[0].blobSum: invalid digest");
        EXPECT_FAIL("{\"schemaVersion\":1,\"fsLayers\":[{}]}", NULL, EINVAL, "fsLayers[0].blobSum is missing");
        EXPECT_FAIL("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"" D1 "\"}],\"history\":[{\"v1Compatibility\":\"[\"}]}",
                    NULL, EINVAL, "v1Compatibility is not valid JSON");
        EXPECT_FAIL(schema1, IMAGE_MEDIA_TYPE_DOCKER_MANIFEST, EINVAL, "unsupported schemaVersion 1");
}

TEST(media_type_rejections) {
        EXPECT_FAIL(docker_v2, IMAGE_MEDIA_TYPE_OCI_MANIFEST, EINVAL,
                    "manifest mediaType \"application/vnd.docker.distribution.manifest.v2+json\" does not match its "
                    "Content-Type \"application/vnd.oci.image.manifest.v1+json\"");
        EXPECT_FAIL(docker_list, IMAGE_MEDIA_TYPE_DOCKER_MANIFEST, EINVAL, "does not match its Content-Type");
        EXPECT_FAIL(docker_v2, "application/vnd.example.thing+json", EINVAL,
                    "unsupported manifest content type \"application/vnd.example.thing+json\"");
        EXPECT_FAIL("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example+json\"}", NULL, EINVAL,
                    "unsupported manifest media type \"application/vnd.example+json\"");
        EXPECT_FAIL("{\"schemaVersion\":2,\"mediaType\":7}", NULL, EINVAL, "manifest: mediaType is not a string");
        EXPECT_FAIL("{\"schemaVersion\":2,\"foo\":1}", NULL, EINVAL, "not recognisable as a manifest or index");
        EXPECT_FAIL("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_INDEX "\",\"manifests\":[],\"layers\":[]}",
                    NULL, EINVAL, "has config or layers");
        EXPECT_FAIL("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_MANIFEST "\",\"manifests\":[]}", NULL,
                    EINVAL, "has a manifests list");
}

TEST(json_rejections) {
        EXPECT_FAIL("", NULL, EINVAL, "manifest is empty");
        EXPECT_FAIL("  ", NULL, EINVAL, "manifest is not a JSON object");
        EXPECT_FAIL("{\"schemaVersion\":2,", NULL, EINVAL, "manifest is not valid JSON");
        EXPECT_FAIL("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_INDEX "\\u0000x\",\"manifests\":[]}", NULL,
                    EINVAL, "manifest contains an escaped NUL character");
        EXPECT_FAIL("[1,2]", NULL, EINVAL, "manifest is not a JSON object");
        EXPECT_FAIL("\"x\"", NULL, EINVAL, "manifest is not a JSON object");
        {
                _cleanup_(crio_error_clear) CrioError err = {};
                ImageManifest *m = NULL;
                ASSERT_EQ_INT(image_manifest_parse("{}\0{}", 5, NULL, &m, &err), -EINVAL);
                ASSERT_CONTAINS(err.msg, "manifest contains a NUL byte");
        }
        {
                char deep[200] = "{\"a\":";
                for (int i = 0; i < 100; i++)
                        strcat(deep, "[");
                EXPECT_FAIL(deep, NULL, EINVAL, "manifest is nested more than 64 levels deep");
        }
        {
                size_t n = IMAGE_MANIFEST_MAX_SIZE + 1;
                char *big = malloc(n + 1);
                ASSERT_TRUE(big);
                memset(big, ' ', n);
                big[0] = '{';
                big[n - 1] = '}';
                big[n] = '\0';
                EXPECT_FAIL(big, NULL, EFBIG, "manifest is 4194305 bytes, more than the limit of 4194304");
                free(big);
        }
}

TEST(schema_version_rejections) {
        EXPECT_FAIL("{\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_INDEX "\",\"manifests\":[]}", NULL, EINVAL,
                    "manifest: schemaVersion is missing");
        EXPECT_FAIL("{\"schemaVersion\":\"2\",\"manifests\":[]}", NULL, EINVAL, "manifest: schemaVersion is not an integer");
        EXPECT_FAIL("{\"schemaVersion\":2.0,\"manifests\":[]}", NULL, EINVAL, "manifest: schemaVersion is not an integer");
        EXPECT_FAIL("{\"schemaVersion\":3,\"manifests\":[]}", NULL, EINVAL,
                    "manifest: unsupported schemaVersion 3 for application/vnd.oci.image.index.v1+json (expected 2)");
}

/* A docker v2 manifest with one layer whose descriptor is LAYER (a JSON object body). */
#define MANIFEST_WITH_LAYER(LAYER)                                                                        \
        "{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MEDIA_TYPE_DOCKER_MANIFEST "\",\"config\":{\"mediaType\":\"" \
        IMAGE_MEDIA_TYPE_DOCKER_CONFIG "\",\"digest\":\"" D1 "\",\"size\":10},\"layers\":[" LAYER "]}"
#define LAYER_GZ "\"mediaType\":\"" IMAGE_MEDIA_TYPE_DOCKER_LAYER "\""

TEST(descriptor_rejections) {
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1,\"digest\":\"sha512:" H1 H1 "\"}"), NULL, EINVAL,
                    "manifest: layers[0].digest: unsupported digest algorithm sha512");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1,\"digest\":\"sha384:" H1 "\"}"), NULL, EINVAL,
                    "unsupported digest algorithm sha384");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1,\"digest\":\"md5:d41d8cd98f00b204e9800998ecf8427e\"}"),
                    NULL, EINVAL, "layers[0].digest: invalid digest \"md5:d41d8cd98f00b204e9800998ecf8427e\": unknown algorithm");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1,\"digest\":\"" H1 "\"}"), NULL, EINVAL, "no algorithm");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1,\"digest\":\"sha256:abc\"}"), NULL, EINVAL,
                    "3 hex characters, expected 64");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1,\"digest\":\"sha256:"
                                        "6C3C624B58DBBCD3C0DD82B4C53F04194D1247C6EEBDAAB7C610CF7D66709B3B\"}"),
                    NULL, EINVAL, "not lowercase hex");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":-1,\"digest\":\"" D2 "\"}"), NULL, EINVAL,
                    "manifest: layers[0].size is negative (-1)");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1.5,\"digest\":\"" D2 "\"}"), NULL, EINVAL,
                    "manifest: layers[0].size is not an integer");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"digest\":\"" D2 "\"}"), NULL, EINVAL,
                    "manifest: layers[0].size is missing");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1}"), NULL, EINVAL, "manifest: layers[0].digest is missing");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{\"size\":1,\"digest\":\"" D2 "\"}"), NULL, EINVAL,
                    "manifest: layers[0].mediaType is missing");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+bzip2\",\"size\":1,"
                                        "\"digest\":\"" D2 "\"}"),
                    NULL, EINVAL,
                    "manifest: layers[0].mediaType: unsupported layer media type \"application/vnd.oci.image.layer.v1.tar+bzip2\"");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1,\"digest\":\"" D2 "\",\"urls\":\"x\"}"), NULL, EINVAL,
                    "layers[0].urls is not an array");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("{" LAYER_GZ ",\"size\":1,\"digest\":\"" D2 "\",\"urls\":[1]}"), NULL, EINVAL,
                    "layers[0].urls[0] is not a string");
        EXPECT_FAIL(MANIFEST_WITH_LAYER("7"), NULL, EINVAL, "manifest: layers[0] is not an object");
        EXPECT_FAIL("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MEDIA_TYPE_DOCKER_MANIFEST "\",\"layers\":[]}", NULL, EINVAL,
                    "manifest: config is missing");
        EXPECT_FAIL("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MEDIA_TYPE_DOCKER_MANIFEST "\",\"config\":{\"mediaType\":\""
                    IMAGE_MEDIA_TYPE_DOCKER_CONFIG "\",\"digest\":\"" D1 "\",\"size\":10},\"layers\":{}}",
                    NULL, EINVAL, "manifest: layers is not an array");
        EXPECT_FAIL("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_MANIFEST "\",\"config\":{\"mediaType\":"
                    "\"application/vnd.example.helm.config+json\",\"digest\":\"" D1 "\",\"size\":10},\"layers\":[]}",
                    NULL, EINVAL,
                    "manifest: config.mediaType: unsupported config media type \"application/vnd.example.helm.config+json\"");
        EXPECT_FAIL("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_MANIFEST "\",\"digest\":\"" D1
                    "\",\"size\":1,\"platform\":{\"architecture\":\"amd64\"}}]}",
                    NULL, EINVAL, "manifest list: manifests[0].platform.os is missing");
        EXPECT_FAIL("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_MANIFEST "\",\"digest\":\"" D1
                    "\",\"size\":1,\"platform\":[]}]}",
                    NULL, EINVAL, "manifest list: manifests[0].platform is not an object");
        EXPECT_FAIL("{\"schemaVersion\":2,\"manifests\":{}}", NULL, EINVAL, "manifest list: manifests is not an array");
}

static char *repeat_doc(const char *head, const char *item, size_t n, const char *tail) {
        size_t len = strlen(head) + n * (strlen(item) + 1) + strlen(tail) + 1;
        char *s = malloc(len);
        if (!s)
                abort();
        strcpy(s, head);
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strcat(s, ",");
                strcat(s, item);
        }
        strcat(s, tail);
        return s;
}

TEST(limits) {
        const char *head = "{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MEDIA_TYPE_DOCKER_MANIFEST
                           "\",\"config\":{\"mediaType\":\"" IMAGE_MEDIA_TYPE_DOCKER_CONFIG "\",\"digest\":\"" D1
                           "\",\"size\":10},\"layers\":[";
        const char *layer = "{" LAYER_GZ ",\"size\":1,\"digest\":\"" D2 "\"}";
        char *doc = repeat_doc(head, layer, IMAGE_MANIFEST_MAX_LAYERS, "]}");
        ImageManifest *m = parse_ok(doc, NULL);
        ASSERT_EQ_INT(m->n_layers, IMAGE_MANIFEST_MAX_LAYERS);
        image_manifest_free(m);
        free(doc);
        doc = repeat_doc(head, layer, IMAGE_MANIFEST_MAX_LAYERS + 1, "]}");
        EXPECT_FAIL(doc, NULL, E2BIG, "manifest has 1001 layers, more than the limit of 1000");
        free(doc);

        const char *entry = "{\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_MANIFEST "\",\"size\":1,\"digest\":\"" D2 "\"}";
        doc = repeat_doc("{\"schemaVersion\":2,\"manifests\":[", entry, IMAGE_INDEX_MAX_ENTRIES + 1, "]}");
        EXPECT_FAIL(doc, NULL, E2BIG, "manifest list has 1001 entries, more than the limit of 1000");
        free(doc);
}

static const char *select_digest(const ImageManifest *m, const char *os, const char *arch, const char *variant) {
        _cleanup_(crio_error_clear) CrioError err = {};
        const ImageDescriptor *d = NULL;
        int r = image_index_select(m, os, arch, variant, &d, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "select %s/%s/%s failed: %s", os, arch, variant ? variant : "", err.msg);
        return d->digest;
}

TEST(select_platform) {
        ImageManifest *m = parse_ok(docker_list, NULL);
        ASSERT_EQ_STR(select_digest(m, "linux", "amd64", NULL), D1);
        ASSERT_EQ_STR(select_digest(m, "linux", "x86_64", NULL), D1);
        ASSERT_EQ_STR(select_digest(m, "linux", "arm64", NULL), D4);
        ASSERT_EQ_STR(select_digest(m, "linux", "aarch64", NULL), D4);
        ASSERT_EQ_STR(select_digest(m, "linux", "arm64", "8"), D4);
        ASSERT_EQ_STR(select_digest(m, "linux", "arm", NULL), D3); /* default v7 */
        ASSERT_EQ_STR(select_digest(m, "linux", "arm", "v6"), D2);
        ASSERT_EQ_STR(select_digest(m, "linux", "armv7l", NULL), D3);
        ASSERT_EQ_STR(select_digest(m, "windows", "amd64", NULL), D5);
        /* The host's platform is the default. */
        char *os, *arch, *variant;
        image_platform_host(&os, &arch, &variant);
        const ImageDescriptor *d = NULL;
        if (strcmp(arch, "amd64") == 0) {
                ASSERT_OK(image_index_select(m, NULL, NULL, NULL, &d, NULL));
                ASSERT_EQ_STR(d->digest, D1);
        }
        free(os);
        free(arch);
        free(variant);
        image_manifest_free(m);

        /* An arm64 entry without a variant is v8; attestation and in-toto entries are skipped. */
        m = parse_ok(oci_index, NULL);
        ASSERT_EQ_STR(select_digest(m, "linux", "arm64", "v8"), D1);
        ASSERT_EQ_STR(select_digest(m, "linux", "ppc64le", NULL), D2);
        ASSERT_EQ_STR(select_digest(m, "linux", "arm64", "v9"), D1); /* no exact match: the entry without variant */
        image_manifest_free(m);
}

TEST(select_prefers_exact_variant) {
        const char doc[] =
                "{\"schemaVersion\":2,\"manifests\":["
                "{\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":1,"
                "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\"}},"
                "{\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":1,"
                "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v5\"}},"
                "{\"mediaType\":\"" IMAGE_MEDIA_TYPE_OCI_MANIFEST "\",\"digest\":\"" D3 "\",\"size\":1,"
                "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v6\"}}]}";
        ImageManifest *m = parse_ok(doc, NULL);
        ASSERT_EQ_STR(select_digest(m, "linux", "arm", "v6"), D3);  /* exact, though listed last */
        ASSERT_EQ_STR(select_digest(m, "linux", "arm", "v5"), D2);
        ASSERT_EQ_STR(select_digest(m, "linux", "arm", "v8"), D1);  /* no exact: the entry without variant */
        ASSERT_EQ_STR(select_digest(m, "linux", "arm", NULL), D1);  /* v7 by default; no-variant is v7 */
        image_manifest_free(m);
}

TEST(select_failures) {
        ImageManifest *m = parse_ok(oci_index, NULL);
        _cleanup_(crio_error_clear) CrioError err = {};
        const ImageDescriptor *d = NULL;
        ASSERT_EQ_INT(image_index_select(m, "linux", "x86_64", NULL, &d, &err), -ENOENT);
        ASSERT_TRUE(d == NULL);
        ASSERT_EQ_STR(err.msg, "no image for linux/amd64 in the manifest list (available: linux/arm64, linux/ppc64le, "
                               "unknown/unknown)");
        crio_error_clear(&err);
        ASSERT_EQ_INT(image_index_select(m, "linux", "arm", "v6", &d, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "no image for linux/arm/v6 in the manifest list");
        crio_error_clear(&err);
        ASSERT_EQ_INT(image_index_select(m, "windows", "arm64", NULL, &d, &err), -ENOENT);
        crio_error_clear(&err);
        image_manifest_free(m);

        m = parse_ok(docker_v2, NULL);
        ASSERT_EQ_INT(image_index_select(m, "linux", "amd64", NULL, &d, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "needs a manifest list");
        image_manifest_free(m);

        m = parse_ok("{\"schemaVersion\":2,\"manifests\":[]}", NULL);
        crio_error_clear(&err);
        ASSERT_EQ_INT(image_index_select(m, "linux", "amd64", NULL, &d, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, "(available: none)");
        image_manifest_free(m);
}

TEST(platform_host) {
        char *os = NULL, *arch = NULL, *variant = NULL;
        image_platform_host(&os, &arch, &variant);
        ASSERT_EQ_STR(os, "linux");
        ASSERT_TRUE(arch && *arch);
        ASSERT_TRUE(strcmp(arch, "x86_64") != 0 && strcmp(arch, "aarch64") != 0);
        if (strcmp(arch, "arm64") == 0)
                ASSERT_EQ_STR(variant, "v8");
        if (strcmp(arch, "amd64") == 0)
                ASSERT_TRUE(variant == NULL);
        free(os);
        free(arch);
        free(variant);
}

TEST(accept_types) {
        const char *const *t = image_manifest_accept_types();
        size_t n = 0;
        bool oci_index_seen = false, docker_v2_seen = false;
        for (; t[n]; n++) {
                if (strcmp(t[n], IMAGE_MEDIA_TYPE_OCI_INDEX) == 0)
                        oci_index_seen = true;
                if (strcmp(t[n], IMAGE_MEDIA_TYPE_DOCKER_MANIFEST) == 0)
                        docker_v2_seen = true;
        }
        ASSERT_EQ_INT(n, 6);
        ASSERT_TRUE(oci_index_seen && docker_v2_seen);
}

/* ---- image configs ---- */

static const char docker_config[] =
        "{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"\",\"User\":\"nginx:nginx\",\"ExposedPorts\":{\"80/tcp\":{},"
        "\"443/tcp\":{}},\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
        "\"NGINX_VERSION=1.25.3\"],\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"],\"Image\":\"sha256:" H5 "\","
        "\"Volumes\":{\"/var/cache/nginx\":{}},\"WorkingDir\":\"/srv\",\"Entrypoint\":[\"/docker-entrypoint.sh\"],"
        "\"OnBuild\":null,\"Labels\":{\"maintainer\":\"NGINX Docker Maintainers\",\"a=b\":\"c\"},\"StopSignal\":\"SIGQUIT\"},"
        "\"container\":\"d0e5d9e2\",\"created\":\"2023-11-01T05:14:05.123456789Z\",\"docker_version\":\"20.10.23\","
        "\"history\":[{\"created\":\"2023-11-01T01:00:00Z\",\"created_by\":\"/bin/sh -c #(nop) ADD file:x in / \"}],"
        "\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}";

static ImageConfig *config_ok(const char *doc) {
        CrioError err = {};
        ImageConfig *c = NULL;
        int r = image_config_parse(doc, strlen(doc), &c, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "config parse failed: %d %s", r, err.msg ? err.msg : "");
        crio_error_clear(&err);
        return c;
}

#define EXPECT_CONFIG_FAIL(doc, code, needle)                                                       \
        do {                                                                                      \
                _cleanup_(crio_error_clear) CrioError _err = {};                                  \
                ImageConfig *_c = NULL;                                                           \
                ASSERT_EQ_INT(image_config_parse((doc), strlen(doc), &_c, &_err), -(code));       \
                ASSERT_TRUE(_c == NULL);                                                          \
                ASSERT_CONTAINS(_err.msg, (needle));                                                 \
        } while (0)

TEST(config_docker) {
        ImageConfig *c = config_ok(docker_config);
        ASSERT_EQ_STR(c->created, "2023-11-01T05:14:05.123456789Z");
        ASSERT_EQ_STR(c->os, "linux");
        ASSERT_EQ_STR(c->architecture, "amd64");
        ASSERT_TRUE(c->variant == NULL);
        ASSERT_EQ_INT(strv_length(c->diff_ids), 2);
        ASSERT_EQ_STR(c->diff_ids[1], D2);
        ASSERT_EQ_STR(c->user, "nginx:nginx");
        ASSERT_EQ_INT(strv_length(c->env), 2);
        ASSERT_EQ_STR(c->env[1], "NGINX_VERSION=1.25.3");
        ASSERT_EQ_STR(c->entrypoint[0], "/docker-entrypoint.sh");
        ASSERT_EQ_INT(strv_length(c->cmd), 3);
        ASSERT_EQ_STR(c->cmd[2], "daemon off;");
        ASSERT_EQ_STR(c->working_dir, "/srv");
        ASSERT_EQ_INT(strv_length(c->label_keys), 2);
        ASSERT_EQ_INT(strv_length(c->label_values), 2);
        ASSERT_TRUE(strv_contains(c->label_keys, "a=b"));
        for (size_t i = 0; c->label_keys[i]; i++)
                if (strcmp(c->label_keys[i], "maintainer") == 0)
                        ASSERT_EQ_STR(c->label_values[i], "NGINX Docker Maintainers");
        ASSERT_EQ_INT(strv_length(c->volumes), 1);
        ASSERT_EQ_STR(c->volumes[0], "/var/cache/nginx");
        ASSERT_EQ_STR(c->stop_signal, "SIGQUIT");
        ASSERT_EQ_INT(strv_length(c->exposed_ports), 2);
        ASSERT_TRUE(strv_contains(c->exposed_ports, "443/tcp"));
        image_config_free(c);
}

TEST(config_minimal_oci) {
        ImageConfig *c = config_ok("{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\","
                                   "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Env\":null}}");
        ASSERT_EQ_STR(c->variant, "v8");
        ASSERT_TRUE(c->diff_ids != NULL);
        ASSERT_EQ_INT(strv_length(c->diff_ids), 0);
        ASSERT_TRUE(c->env == NULL && c->cmd == NULL && c->user == NULL && c->created == NULL);
        image_config_free(c);
        c = config_ok("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D3
                      "\"]}}");
        ASSERT_TRUE(c->label_keys == NULL && c->exposed_ports == NULL);
        image_config_free(c);
}

#define CFG(ROOTFS, CONFIG) "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":" ROOTFS ",\"config\":" CONFIG "}"
#define GOOD_ROOTFS "{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]}"

TEST(config_rejections) {
        EXPECT_CONFIG_FAIL("{}x", EINVAL, "image config is not valid JSON");
        EXPECT_CONFIG_FAIL("null", EINVAL, "image config is not a JSON object");
        EXPECT_CONFIG_FAIL("{\"os\":\"linux\",\"rootfs\":" GOOD_ROOTFS "}", EINVAL, "image config: architecture is missing");
        EXPECT_CONFIG_FAIL("{\"architecture\":\"amd64\",\"rootfs\":" GOOD_ROOTFS "}", EINVAL, "image config: os is missing");
        EXPECT_CONFIG_FAIL("{\"architecture\":\"amd64\",\"os\":\"linux\"}", EINVAL, "image config: rootfs is missing");
        EXPECT_CONFIG_FAIL(CFG("{\"type\":\"tarballs\",\"diff_ids\":[]}", "{}"), EINVAL,
                           "image config: rootfs.type is \"tarballs\", expected \"layers\"");
        EXPECT_CONFIG_FAIL(CFG("{\"diff_ids\":[]}", "{}"), EINVAL, "image config: rootfs.type is missing");
        EXPECT_CONFIG_FAIL(CFG("{\"type\":\"layers\"}", "{}"), EINVAL, "image config: rootfs.diff_ids is missing");
        EXPECT_CONFIG_FAIL(CFG("{\"type\":\"layers\",\"diff_ids\":[\"sha256:12\"]}", "{}"), EINVAL,
                           "image config: rootfs.diff_ids[0]: invalid digest");
        EXPECT_CONFIG_FAIL(CFG("{\"type\":\"layers\",\"diff_ids\":[\"sha512:" H1 H1 "\"]}", "{}"), EINVAL,
                           "unsupported digest algorithm sha512");
        EXPECT_CONFIG_FAIL(CFG(GOOD_ROOTFS, "[]"), EINVAL, "image config: config is not an object");
        EXPECT_CONFIG_FAIL(CFG(GOOD_ROOTFS, "{\"Env\":\"A=1\"}"), EINVAL, "image config: config.Env is not an array");
        EXPECT_CONFIG_FAIL(CFG(GOOD_ROOTFS, "{\"Cmd\":[\"a\",1]}"), EINVAL, "image config: config.Cmd[1] is not a string");
        EXPECT_CONFIG_FAIL(CFG(GOOD_ROOTFS, "{\"User\":0}"), EINVAL, "image config: config.User is not a string");
        EXPECT_CONFIG_FAIL(CFG(GOOD_ROOTFS, "{\"Labels\":{\"a\":1}}"), EINVAL,
                           "image config: config.Labels[\"a\"] is not a string");
        EXPECT_CONFIG_FAIL(CFG(GOOD_ROOTFS, "{\"ExposedPorts\":[\"80/tcp\"]}"), EINVAL,
                           "image config: config.ExposedPorts is not an object");
        {
                size_t n = IMAGE_CONFIG_MAX_SIZE + 1;
                char *big = malloc(n + 1);
                ASSERT_TRUE(big);
                memset(big, ' ', n);
                big[0] = '{';
                big[n - 1] = '}';
                big[n] = '\0';
                EXPECT_CONFIG_FAIL(big, EFBIG, "image config is 4194305 bytes, more than the limit of 4194304");
                free(big);
        }
        char *doc = repeat_doc("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[",
                               "\"" D1 "\"", IMAGE_MANIFEST_MAX_LAYERS + 1, "]}}");
        EXPECT_CONFIG_FAIL(doc, E2BIG, "image config has 1001 diff_ids, more than the limit of 1000");
        free(doc);
}

int main(void) {
        return test_main();
}
