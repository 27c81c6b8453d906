/* Docker schema 1: manifest digests and the image config made from the history. The known-good
 * configs are those containers/image makes: their sha256 is the image ID skopeo 1.9 gave the
 * same manifests copied into containers-storage. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "image/schema1.h"
#include "test.h"
#include "util/sha256.h"

#define BUSYBOX_BLOB "sha256:a5e3786722916a0ff4d0d1590874406cdbee60daeb29690338bb2f1ed0e035ce"
#define BUSYBOX_DIFF "sha256:28c1b67380fdd704a560c186c287485a8b0fb5d3254b3e39099f5d9674ba9130"

/* What `skopeo copy --format v2s1` wrote for tests/lib/make-oci-images.py's busybox. */
static const char signed_busybox[] =
        "{\"name\":\"\",\"tag\":\"\",\"architecture\":\"amd64\",\"fsLayers\":[{\"blobSum\":\"sha256:a5e3786722916a0ff4d0d1590874406cdbee60daeb29690338bb2f1ed0e035ce"
        "\"}],\"history\":[{\"v1Compatibility\":\"{\\\"architecture\\\":\\\"amd64\\\",\\\"config\\\":{\\\""
        "Cmd\\\":[\\\"/bin/sh\\\"],\\\"Env\\\":[\\\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/b"
        "in:/sbin:/bin\\\"],\\\"Labels\\\":{\\\"crio.test.image\\\":\\\"busybox\\\"},\\\"User\\\":\\\"\\\""
        ",\\\"WorkingDir\\\":\\\"/\\\"},\\\"created\\\":\\\"2023-11-14T22:13:20Z\\\",\\\"id\\\":\\\"d248b50d10147c04f27a6634fde2be5229e3173112e9b6992432ea5768d4b706"
        "\\\",\\\"os\\\":\\\"linux\\\"}\"}],\"schemaVersion\":1,\"signatures\":[{\"header\":{\"jwk\":{\"c"
        "rv\":\"P-256\",\"kid\":\"B2BK:4ECP:UXYP:FALR:6OCG:BSEV:74KW:3YAA:GI4Q:Q6NP:ZB7B:WTVC\",\"kty\":"
        "\"EC\",\"x\":\"puNpt_JxkYfT1NYC597ANPJLtftl9RJIWr1h1vHQFxM\",\"y\":\"esrGZHLykfRTtp5uASM5o8_tcb"
        "RQ5vWqjeWInmMXY3I\"},\"alg\":\"ES256\"},\"signature\":\"RUXSmeo1U-hDD5ohhwf8JCPVteeOFHo2hCzI0XC"
        "iS16TjJ_Tg5IdEbRYHBMfG1fksWot1hGP5ryT-yYpbflc0g\",\"protected\":\"eyJmb3JtYXRMZW5ndGgiOjU0NywiZ"
        "m9ybWF0VGFpbCI6ImZRIiwidGltZSI6IjIwMjYtMTEtMjhUMTI6Mzk6MTJaIn0\"}]}";

static const char top_compat[] =
        "{\"id\":\"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\",\"parent\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
        "\",\"created\":\"2024-02-03T04:05:06.120000000+00:00\",\"author\":\"A <a@b> & co\",\"comment\":"
        "\"c\xe2\x80\xa8""d\",\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) \",\"CMD [\\\"s"
        "h\\\"]\"]},\"config\":{\"Cmd\":[\"sh\"],\"Labels\":{\"x\":\"<y>\"}},\"architecture\":\"amd64\","
        "\"os\":\"linux\",\"Size\":12, \"zeta\": [1, 2.50, {\"b\" : null}], \"Alpha\":true, \"docker_ver"
        "sion\":\"20.10.0\", \"layer_id\":\"x\", \"parent_id\":\"y\"}";
static const char throwaway_compat[] =
        "{\"id\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"parent\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "\",\"created\":\"2024-02-03T04:05:05+01:00\",\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\","
        "\"#(nop) ENV X=1\\ttab\"]},\"throwaway\":true}";
static const char base_compat[] =
        "{\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"created\":\"2024"
        "-02-03T04:05:04.5Z\",\"author\":\"\",\"container_config\":{\"Cmd\":null}}";

static void check_config(const char *config, size_t len, const char *expected, const char *expected_id) {
        ASSERT_EQ_INT(len, strlen(config));
        ASSERT_EQ_STR(config, expected);
        char d[SHA256_DIGEST_LEN + 1];
        sha256_digest(config, len, d);
        ASSERT_EQ_STR(d + 7, expected_id);
}

TEST(signed_manifest_digest_is_the_payload_digest) {
        CrioError err = {};
        char *d = NULL;
        ASSERT_EQ_INT(schema1_manifest_digest(signed_busybox, strlen(signed_busybox), &d, &err), 0);
        /* what `skopeo inspect` reports for it */
        ASSERT_EQ_STR(d, "sha256:d0aa8fa2930167269d6f58191f72e2c7fa38fbeef230a1b61673ec559b46e810");
        free(d);
}

TEST(unsigned_manifest_digest_is_the_body_digest) {
        static const char body[] = "{\"schemaVersion\":1,\"signatures\":null}";
        CrioError err = {};
        char *d = NULL, want[SHA256_DIGEST_LEN + 1];
        ASSERT_EQ_INT(schema1_manifest_digest(body, strlen(body), &d, &err), 0);
        sha256_digest(body, strlen(body), want);
        ASSERT_EQ_STR(d, want);
        free(d);
}

TEST(bad_signatures) {
        static const char *const bad[] = {
                "{\"signatures\":[]}",
                "{\"signatures\":{}}",
                "{\"signatures\":[{\"protected\":\"!!\"}]}",
                "{\"signatures\":[{}]}",
                /* {"formatLength":999,"formatTail":"fQ"}: past the end */
                "{\"signatures\":[{\"protected\":\"eyJmb3JtYXRMZW5ndGgiOjk5OSwiZm9ybWF0VGFpbCI6ImZRIn0\"}]}",
                /* {"formatTail":"fQ"} */
                "{\"signatures\":[{\"protected\":\"eyJmb3JtYXRUYWlsIjoiZlEifQ\"}]}",
                /* {"formatLength":2,"formatTail":"fQ"} then {"formatLength":1,"formatTail":"fQ"} */
                "{\"signatures\":[{\"protected\":\"eyJmb3JtYXRMZW5ndGgiOjIsImZvcm1hdFRhaWwiOiJmUSJ9\"},"
                "{\"protected\":\"eyJmb3JtYXRMZW5ndGgiOjEsImZvcm1hdFRhaWwiOiJmUSJ9\"}]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                CrioError err = {};
                char *d = NULL;
                ASSERT_EQ_INT(schema1_manifest_digest(bad[i], strlen(bad[i]), &d, &err), -EINVAL);
                ASSERT_TRUE(err.msg != NULL);
                ASSERT_TRUE(d == NULL);
                crio_error_clear(&err);
        }
}

TEST(busybox_config) {
        CrioError err = {};
        ImageManifest *m = NULL;
        ASSERT_EQ_INT(image_manifest_parse(signed_busybox, strlen(signed_busybox),
                                           IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED, &m, &err), 0);
        ASSERT_EQ_STR(m->schema1_architecture, "amd64");
        ASSERT_EQ_INT(m->n_layers, 1);
        ASSERT_EQ_STR(m->layers[0].digest, BUSYBOX_BLOB);
        ASSERT_TRUE(m->v1_compat && m->v1_compat[0] && !m->v1_compat[1]);
        char *diff_ids[] = { BUSYBOX_DIFF, NULL };
        char *config = NULL;
        size_t len = 0;
        ASSERT_EQ_INT(schema1_config_synthesize(m, diff_ids, &config, &len, &err), 0);
        check_config(config, len,
                     "{\"architecture\":\"amd64\",\"config\":{\"Cmd\":[\"/bin/sh\"],\"Env\":[\"PATH=/usr/local/s"
                     "bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Labels\":{\"crio.test.image\":\"busy"
                     "box\"},\"User\":\"\",\"WorkingDir\":\"/\"},\"created\":\"2023-11-14T22:13:20Z\",\"history\":"
                     "[{\"created\":\"2023-11-14T22:13:20Z\"}],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                     "\"diff_ids\":[\"sha256:28c1b67380fdd704a560c186c287485a8b0fb5d3254b3e39099f5d9674ba9130\"]"
                     "}}",
                     "37bf9280182f5432e90139f9e9e753b0bb65a7d982d173c4b5524d51fd44a362");
        ImageConfig *c = NULL;
        ASSERT_EQ_INT(image_config_parse(config, len, &c, &err), 0);
        ASSERT_EQ_STR(c->cmd[0], "/bin/sh");
        ASSERT_EQ_STR(c->diff_ids[0], BUSYBOX_DIFF);
        image_config_free(c);
        free(config);
        image_manifest_free(m);
}

/* Members dropped, sorted, compacted, HTML-escaped; history with throwaway entries, Cmd
 * joined, times through Go's formatting ("+00:00" -> "Z", trailing zeros cut). */
TEST(history_config) {
        char *compat[] = { (char *) base_compat, (char *) throwaway_compat, (char *) top_compat, NULL };
        ImageManifest m = { .v1_compat = compat };
        char *diff_ids[] = { BUSYBOX_DIFF, BUSYBOX_DIFF, NULL };
        CrioError err = {};
        char *config = NULL;
        size_t len = 0;
        ASSERT_EQ_INT(schema1_config_synthesize(&m, diff_ids, &config, &len, &err), 0);
        check_config(config, len,
                     "{\"Alpha\":true,\"architecture\":\"amd64\",\"author\":\"A \\u003ca@b\\u003e \\u0026 co\",\"c"
                     "omment\":\"c\\u2028d\",\"config\":{\"Cmd\":[\"sh\"],\"Labels\":{\"x\":\"\\u003cy\\u003e\"}"
                     "},\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) \",\"CMD [\\\"sh\\\"]\"]},\"c"
                     "reated\":\"2024-02-03T04:05:06.120000000+00:00\",\"docker_version\":\"20.10.0\",\"history\":"
                     "[{\"created\":\"2024-02-03T04:05:04.5Z\"},{\"created\":\"2024-02-03T04:05:05+01:00\",\"cre"
                     "ated_by\":\"/bin/sh -c #(nop) ENV X=1\\ttab\",\"empty_layer\":true},{\"created\":\"2024-02"
                     "-03T04:05:06.12Z\",\"author\":\"A \\u003ca@b\\u003e \\u0026 co\",\"created_by\":\"/bin/sh "
                     "-c #(nop)  CMD [\\\"sh\\\"]\",\"comment\":\"c\\u2028d\"}],\"os\":\"linux\",\"rootfs\":{\"t"
                     "ype\":\"layers\",\"diff_ids\":[\"sha256:28c1b67380fdd704a560c186c287485a8b0fb5d3254b3e3909"
                     "9f5d9674ba9130\",\"sha256:28c1b67380fdd704a560c186c287485a8b0fb5d3254b3e39099f5d9674ba9130"
                     "\"]},\"zeta\":[1,2.50,{\"b\":null}]}",
                     "0693f7a5ad3a35427631635b4090b611acc726023ca51958deb34d066d8b797e");
        free(config);

        /* the diff IDs must match the layers of the history */
        char *one[] = { BUSYBOX_DIFF, NULL };
        ASSERT_EQ_INT(schema1_config_synthesize(&m, one, &config, &len, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "2 layers in the history but 1 diff IDs");
        crio_error_clear(&err);
}

TEST(history_rejections) {
        static const char *const bad[] = {
                "{\"created\":\"2024-02-30T00:00:00Z\"}",
                "{\"created\":\"2024-02-03 04:05:06Z\"}",
                "{\"created\":\"2024-02-03T04:05:06\"}",
                "{\"created\":5}",
                "{\"author\":[]}",
                "{\"throwaway\":\"yes\"}",
                "{\"container_config\":{\"Cmd\":\"sh\"}}",
                "{\"container_config\":{\"Cmd\":[1]}}",
                "{\"id\":1}",
        };
        char *diff_ids[] = { BUSYBOX_DIFF, NULL };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *compat[] = { (char *) bad[i], NULL };
                ImageManifest m = { .v1_compat = compat };
                CrioError err = {};
                char *config = NULL;
                size_t len = 0;
                ASSERT_EQ_INT(schema1_config_synthesize(&m, diff_ids, &config, &len, &err), -EINVAL);
                ASSERT_CONTAINS(err.msg, "history[0].v1Compatibility");
                ASSERT_TRUE(config == NULL);
                crio_error_clear(&err);
        }
        ImageManifest none = {};
        CrioError err = {};
        char *config = NULL;
        size_t len = 0;
        ASSERT_EQ_INT(schema1_config_synthesize(&none, diff_ids, &config, &len, &err), -EINVAL);
        crio_error_clear(&err);
}

int main(void) {
        return test_main();
}
