/* Fuzz target: any bytes taken as a Docker schema 1 manifest. When it parses, the digest
 * containers/image gives it (the signed payload's) and the image config made from its
 * history are computed: each accepted or rejected with a message, never a crash or a leak;
 * a config that is made parses as an image config with one diff ID per layer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "image/schema1.h"
#include "util/strv.h"

#define FAKE_DIFF_ID "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > IMAGE_MANIFEST_MAX_SIZE + 16)
                return 0;
        CrioError err = {};
        ImageManifest *m = NULL;
        if (image_manifest_parse((const char *) data, size, IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED, &m, &err) < 0) {
                if (!err.msg)
                        abort();
                crio_error_clear(&err);
                return 0;
        }
        char *digest = NULL;
        int r = schema1_manifest_digest((const char *) data, size, &digest, &err);
        if ((r < 0 && (!err.msg || digest)) || (r >= 0 && (!digest || strncmp(digest, "sha256:", 7) != 0)))
                abort();
        free(digest);
        crio_error_clear(&err);
        if (m->v1_compat) {
                char **ids = calloc(m->n_layers + 1, sizeof(char *));
                for (size_t i = 0; ids && i < m->n_layers; i++)
                        ids[i] = (char *) FAKE_DIFF_ID;
                char *config = NULL;
                size_t len = 0;
                r = ids ? schema1_config_synthesize(m, ids, &config, &len, &err) : -1;
                if (r < 0 && ids && !err.msg)
                        abort();
                if (r >= 0) {
                        ImageConfig *c = NULL;
                        CrioError e2 = {};
                        if (image_config_parse(config, len, &c, &e2) >= 0 && strv_length(c->diff_ids) != m->n_layers)
                                abort();
                        image_config_free(c);
                        crio_error_clear(&e2);
                }
                free(config);
                free(ids);
                crio_error_clear(&err);
        }
        image_manifest_free(m);
        return 0;
}
