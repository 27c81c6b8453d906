/* store-tool: drives the store library from tests and benchmarks.
 *
 *   store-tool ROOT RUNROOT import-oci LAYOUT NAME   import an OCI layout's image under NAME
 *   store-tool ROOT RUNROOT images                   "<id> <name>..." per image
 *   store-tool ROOT RUNROOT layers                   "<id> <diff-digest> [incomplete]" per layer
 *   store-tool ROOT RUNROOT create-container IMAGE NAME   prints the new container's ID
 *   store-tool ROOT RUNROOT mount CONTAINER          mounts its root filesystem, prints the path
 *   store-tool ROOT RUNROOT unmount CONTAINER        drops one mount reference
 *
 * --opt=DRIVER-OPTION before ROOT (repeatable) passes a storage option (overlay.mountopt=...).
 *
 * import-oci does what a pull will do with the blobs once fetched: each layer is created
 * with the ID containers/image gives it (skipped when present), the image recorded with its
 * manifest and config. The crio-untar helper is found in $CRIO_BUILDDIR or build/. */
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/chainid.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

#define BLOB_MAX (8u << 20) /* manifests, configs, index */

static int read_blob(const char *layout, const char *digest, char **ret, size_t *len, CrioError *err) {
        if (!store_digest_valid(digest))
                return crio_error_set(err, EINVAL, "invalid digest %s", digest);
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/blobs/sha256/%s", layout, digest + 7) < 0)
                return -ENOMEM;
        return read_file(p, BLOB_MAX, ret, len, err);
}

static JsonNode *parse(const char *data, size_t len, CrioError *err) {
        g_autoptr(JsonParser) p = json_parser_new();
        if (!json_parser_load_from_data(p, data, (gssize) len, NULL)) {
                crio_error_set(err, EINVAL, "invalid JSON");
                return NULL;
        }
        return json_node_copy(json_parser_get_root(p));
}

static const char *str_at(JsonObject *o, const char *k) {
        JsonNode *n = o ? json_object_get_member(o, k) : NULL;
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n)
                                                                                          : NULL;
}

static int import_oci(Store *s, const char *layout, const char *name, CrioError *err) {
        _cleanup_free_ char *index = NULL, *manifest = NULL, *config = NULL, *ipath = NULL;
        size_t ilen = 0, mlen = 0, clen = 0;
        if (asprintf(&ipath, "%s/index.json", layout) < 0)
                return -ENOMEM;
        int r = read_file(ipath, BLOB_MAX, &index, &ilen, err);
        if (r < 0)
                return r;
        g_autoptr(JsonNode) in = parse(index, ilen, err);
        if (!in)
                return -EINVAL;
        JsonArray *ms = json_object_get_array_member(json_node_get_object(in), "manifests");
        if (!ms || json_array_get_length(ms) < 1)
                return crio_error_set(err, EINVAL, "%s: no manifests", ipath);
        const char *mdigest = str_at(json_array_get_object_element(ms, 0), "digest");
        r = read_blob(layout, mdigest ? mdigest : "", &manifest, &mlen, err);
        if (r < 0)
                return r;
        g_autoptr(JsonNode) mn = parse(manifest, mlen, err);
        if (!mn)
                return -EINVAL;
        JsonObject *mo = json_node_get_object(mn);
        const char *cdigest = str_at(json_object_get_object_member(mo, "config"), "digest");
        r = read_blob(layout, cdigest ? cdigest : "", &config, &clen, err);
        if (r < 0)
                return r;
        g_autoptr(JsonNode) cn = parse(config, clen, err);
        if (!cn)
                return -EINVAL;
        JsonObject *co = json_node_get_object(cn);
        JsonArray *diffs = json_object_get_array_member(json_object_get_object_member(co, "rootfs"), "diff_ids");
        JsonArray *layers = json_object_get_array_member(mo, "layers");
        if (!diffs || !layers || json_array_get_length(diffs) != json_array_get_length(layers))
                return crio_error_set(err, EINVAL, "manifest and config disagree on the layers");

        char parent[STORE_ID_LEN + 1] = "";
        for (guint i = 0; i < json_array_get_length(layers); i++) {
                const char *ldigest = str_at(json_array_get_object_element(layers, i), "digest");
                const char *diff = json_array_get_string_element(diffs, i);
                char id[STORE_ID_LEN + 1];
                r = store_layer_id_for(parent[0] ? parent : NULL, diff, id, err);
                if (r < 0)
                        return r;
                _cleanup_free_ char *bp = NULL;
                if (!store_digest_valid(ldigest ? ldigest : "") ||
                    asprintf(&bp, "%s/blobs/sha256/%s", layout, ldigest + 7) < 0)
                        return crio_error_set(err, EINVAL, "layer %u: invalid digest", i);
                _cleanup_close_ int fd = open(bp, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return crio_error_set_errno(err, errno, "opening %s", bp);
                StoreLayerCreateOptions lo = { .id = id, .parent = parent[0] ? parent : NULL, .expected_diff_digest = diff };
                StoreLayer *l = NULL;
                r = store_layer_create(s, fd, &lo, &l, err);
                if (r < 0)
                        return r;
                if (r == 0 && l->compressed_digest && strcmp(l->compressed_digest, ldigest) != 0) {
                        store_layer_free(l);
                        return crio_error_set(err, EINVAL, "layer %u: blob digest %s does not match the manifest", i,
                                              ldigest);
                }
                store_layer_free(l);
                memcpy(parent, id, sizeof parent);
        }
        char *names[] = { (char *) name, NULL };
        StoreImageCreateOptions o = {
                .id = cdigest + 7,
                .names = names,
                .top_layer = parent[0] ? parent : NULL,
                .created = str_at(co, "created"),
                .manifest = manifest,
                .manifest_len = mlen,
                .manifest_digest = mdigest,
                .config = config,
                .config_len = clen,
        };
        StoreImage *img = NULL;
        r = store_image_create(s, &o, &img, err);
        if (r < 0)
                return r;
        printf("%s\n", img->id);
        store_image_free(img);
        return 0;
}

int main(int argc, char **argv) {
        char *opts[8] = {};
        size_t n_opts = 0;
        while (argc > 1 && strncmp(argv[1], "--opt=", 6) == 0 && n_opts + 1 < ELEMENTSOF(opts)) {
                opts[n_opts++] = argv[1] + 6;
                argv++;
                argc--;
        }
        if (argc < 4) {
                fprintf(stderr, "usage: store-tool ROOT RUNROOT import-oci LAYOUT NAME | images | layers\n");
                return 2;
        }
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *helper = NULL;
        const char *b = getenv("CRIO_BUILDDIR");
        if (asprintf(&helper, "%s/crio-untar", b && b[0] ? b : "build") < 0)
                return 1;
        StoreOptions so = { .graph_root = argv[1], .run_root = argv[2], .driver_name = "overlay", .untar_helper = helper,
                           .driver_options = opts };
        Store *s = NULL;
        if (store_open(&so, &s, &err) < 0) {
                fprintf(stderr, "store-tool: %s\n", err.msg);
                return 1;
        }
        int r = 0;
        if (strcmp(argv[3], "import-oci") == 0 && argc == 6)
                r = import_oci(s, argv[4], argv[5], &err);
        else if (strcmp(argv[3], "images") == 0) {
                StoreImage **v = NULL;
                r = store_images(s, &v, &err);
                for (size_t i = 0; r >= 0 && v[i]; i++) {
                        printf("%s", v[i]->id);
                        for (char **n = v[i]->names; *n; n++)
                                printf(" %s", *n);
                        printf("\n");
                }
                store_image_list_free(v);
        } else if (strcmp(argv[3], "layers") == 0) {
                StoreLayer **v = NULL;
                r = store_layers(s, &v, &err);
                for (size_t i = 0; r >= 0 && v[i]; i++)
                        printf("%s %s%s\n", v[i]->id, v[i]->diff_digest ? v[i]->diff_digest : "-",
                               v[i]->incomplete ? " incomplete" : "");
                store_layer_list_free(v);
        } else if (strcmp(argv[3], "create-container") == 0 && argc == 6) {
                char *names[] = { argv[5], NULL };
                StoreContainerCreateOptions co = { .names = names, .image = argv[4] };
                StoreContainer *c = NULL;
                r = store_container_create(s, &co, &c, &err);
                if (r >= 0)
                        printf("%s\n", c->id);
                store_container_free(c);
        } else if (strcmp(argv[3], "mount") == 0 && argc == 5) {
                _cleanup_free_ char *path = NULL;
                r = store_container_mount(s, argv[4], NULL, &path, &err);
                if (r >= 0)
                        printf("%s\n", path);
        } else if (strcmp(argv[3], "unmount") == 0 && argc == 5) {
                r = store_container_unmount(s, argv[4], false, &err);
        } else {
                fprintf(stderr, "store-tool: unknown command %s\n", argv[3]);
                r = -EINVAL;
        }
        if (r < 0 && err.msg)
                fprintf(stderr, "store-tool: %s\n", err.msg);
        store_shutdown(s, false, NULL);
        store_close(s);
        return r < 0 ? 1 : 0;
}
