/* Fuzz target: any bytes, given as a manifest under each Content-Type we know (and none), or
 * as an image config, are accepted or rejected with a message, never crash or leak. An
 * accepted manifest is internally consistent, and an accepted index answers platform
 * selection for a few platforms. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "util/cleanup.h"
#include "util/strv.h"

static const char *const content_types[] = {
        NULL,
        "application/json",
        IMAGE_MEDIA_TYPE_DOCKER_MANIFEST,
        IMAGE_MEDIA_TYPE_DOCKER_LIST,
        IMAGE_MEDIA_TYPE_OCI_MANIFEST,
        IMAGE_MEDIA_TYPE_OCI_INDEX,
        IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1,
        IMAGE_MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
};

static void check_digest_shape(const char *d) {
        if (!d || strlen(d) != 71 || strncmp(d, "sha256:", 7) != 0)
                abort();
}

static void check_manifest(const ImageManifest *m) {
        if (!m->media_type)
                abort();
        if (m->kind == IMAGE_MANIFEST_KIND_INDEX) {
                if (!image_media_type_is_index(m->media_type) || m->n_layers != 0 ||
                    m->n_entries > IMAGE_INDEX_MAX_ENTRIES)
                        abort();
                for (size_t i = 0; i < m->n_entries; i++) {
                        check_digest_shape(m->entries[i].digest);
                        if (m->entries[i].size < 0 || !m->entries[i].media_type)
                                abort();
                }
                static const char *const plats[][3] = {
                        { "linux", "amd64", NULL }, { "linux", "aarch64", NULL }, { "linux", "arm", "v6" },
                        { "windows", "amd64", NULL }, { NULL, NULL, NULL },
                };
                for (size_t i = 0; i < ELEMENTSOF(plats); i++) {
                        CrioError err = {};
                        const ImageDescriptor *d = NULL;
                        int r = image_index_select(m, plats[i][0], plats[i][1], plats[i][2], &d, &err);
                        if (r < 0 && (r != -ENOENT || !err.msg))
                                abort();
                        if (r >= 0 && (d < m->entries || d >= m->entries + m->n_entries))
                                abort();
                        crio_error_clear(&err);
                }
        } else {
                if (!image_media_type_is_manifest(m->media_type) || m->n_entries != 0 ||
                    m->n_layers > IMAGE_MANIFEST_MAX_LAYERS)
                        abort();
                if (m->schema_version == 2)
                        check_digest_shape(m->config.digest);
                for (size_t i = 0; i < m->n_layers; i++) {
                        check_digest_shape(m->layers[i].digest);
                        if (!m->layers[i].media_type)
                                abort();
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > IMAGE_MANIFEST_MAX_SIZE + 16)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(content_types); i++) {
                CrioError err = {};
                ImageManifest *m = NULL;
                int r = image_manifest_parse((const char *) data, size, content_types[i], &m, &err);
                if (r < 0 && (!err.msg || m))
                        abort(); /* every failure says why, and leaves the output alone */
                if (r >= 0)
                        check_manifest(m);
                image_manifest_free(m);
                crio_error_clear(&err);
        }
        CrioError err = {};
        ImageConfig *c = NULL;
        int r = image_config_parse((const char *) data, size, &c, &err);
        if (r < 0 && (!err.msg || c))
                abort();
        if (r >= 0 && (!c->os || !c->architecture || !c->diff_ids ||
                       strv_length(c->label_keys) != strv_length(c->label_values)))
                abort();
        image_config_free(c);
        crio_error_clear(&err);
        return 0;
}
