/* Images: records in overlay-images/images.json, big-data items in overlay-images/<id>/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/rmrf.h"
#include "util/strv.h"

/* Keys containers/image stores an image's items under (storage_dest.go, storage_image.go). */
#define KEY_MANIFEST "manifest"

void store_image_free(StoreImage *i) {
        if (!i)
                return;
        free(i->id);
        strv_free(i->names);
        strv_free(i->names_history);
        free(i->digest);
        strv_free(i->digests);
        free(i->top_layer);
        free(i->metadata);
        free(i->created);
        strv_free(i->big_data_names);
        free(i->big_data_sizes);
        free(i);
}

void store_image_list_free(StoreImage **v) {
        for (StoreImage **p = v; p && *p; p++)
                store_image_free(*p);
        free(v);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(StoreImage *, store_image_free);

static bool dup_opt(char **dst, const char *src) {
        *dst = src ? strdup(src) : NULL;
        return !src || *dst;
}

/* The image's digest, then those of its "manifest*" items (containers/storage's
 * recomputeDigests). */
static char **image_digests(JsonObject *o) {
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        _cleanup_strv_free_ char **keys = jobj_strv(o, "big-data-names");
        if (!v || !keys)
                return NULL;
        const char *d = jobj_str(o, "digest");
        if (d && strv_push(&v, d) < 0)
                return NULL;
        for (char **k = keys; *k; k++) {
                const char *md = jobj_map_str(o, "big-data-digests", *k);
                if (!str_startswith(*k, KEY_MANIFEST) || !md || strv_contains(v, md))
                        continue;
                if (strv_push(&v, md) < 0)
                        return NULL;
        }
        return TAKE_PTR(v);
}

static int image_from_json(JsonObject *o, StoreImage **ret, CrioError *err) {
        _cleanup_(store_image_freep) StoreImage *i = calloc(1, sizeof(StoreImage));
        if (!i || !dup_opt(&i->id, jobj_str(o, "id")) || !(i->names = jobj_strv(o, "names")) ||
            !(i->names_history = jobj_strv(o, "names-history")) || !(i->digests = image_digests(o)) ||
            !dup_opt(&i->top_layer, jobj_str(o, "layer")) || !dup_opt(&i->metadata, jobj_str(o, "metadata")) ||
            !dup_opt(&i->created, jobj_str(o, "created")) || !(i->big_data_names = jobj_strv(o, "big-data-names")))
                return crio_error_set(err, ENOMEM, "out of memory");
        if (i->digests[0] && !(i->digest = strdup(i->digests[0])))
                return crio_error_set(err, ENOMEM, "out of memory");
        size_t n = strv_length(i->big_data_names);
        if (!(i->big_data_sizes = calloc(n + 1, sizeof(int64_t))))
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t k = 0; k < n; k++)
                i->big_data_sizes[k] = jobj_map_int(o, "big-data-sizes", i->big_data_names[k]);
        *ret = TAKE_PTR(i);
        return 0;
}

/* By digest first (any of its manifests), then ID, name or unique ID prefix. */
int images_lookup_locked(Store *s, const char *key, JsonObject **ret, CrioError *err) {
        if (store_digest_valid(key))
                for (size_t i = 0; i < substore_count(&s->images); i++) {
                        JsonObject *o = substore_at(&s->images, i);
                        _cleanup_strv_free_ char **d = image_digests(o);
                        if (d && strv_contains(d, key)) {
                                *ret = o;
                                return 0;
                        }
                }
        return substore_lookup(&s->images, key, ret, err);
}

int store_images(Store *s, StoreImage ***ret, CrioError *err) {
        _cleanup_substore_ SubStore *held = NULL;
        int r = substore_lock(s, &s->images, false, err);
        if (r < 0)
                return r;
        held = &s->images;
        size_t n = substore_count(&s->images);
        StoreImage **v = calloc(n + 1, sizeof(StoreImage *));
        if (!v)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                if ((r = image_from_json(substore_at(&s->images, i), &v[i], err)) < 0) {
                        store_image_list_free(v);
                        return r;
                }
        *ret = v;
        return 0;
}

int store_image_get(Store *s, const char *key, StoreImage **ret, CrioError *err) {
        _cleanup_substore_ SubStore *held = NULL;
        int r = substore_lock(s, &s->images, false, err);
        if (r < 0)
                return r;
        held = &s->images;
        JsonObject *o;
        if ((r = images_lookup_locked(s, key, &o, err)) < 0)
                return r;
        return image_from_json(o, ret, err);
}

static char *big_data_path(Store *s, const char *id, const char *key) {
        _cleanup_free_ char *name = store_big_data_file_name(key);
        char *p = NULL;
        if (!name || asprintf(&p, "%s/%s/%s", s->images.dir, id, name) < 0)
                return NULL;
        return p;
}

int store_image_big_data(Store *s, const char *key_id, const char *key, char **ret, size_t *ret_len, CrioError *err) {
        _cleanup_substore_ SubStore *held = NULL;
        int r = substore_lock(s, &s->images, false, err);
        if (r < 0)
                return r;
        held = &s->images;
        JsonObject *o;
        if ((r = images_lookup_locked(s, key_id, &o, err)) < 0)
                return r;
        if (!jobj_strv_contains(o, "big-data-names", key))
                return crio_error_set(err, ENOENT, "image %s has no item \"%s\"", jobj_str(o, "id"), key);
        _cleanup_free_ char *p = big_data_path(s, jobj_str(o, "id"), key);
        if (!p)
                return crio_error_set(err, EINVAL, "image item name \"%s\" is not valid", key);
        return read_file(p, STORE_BIG_DATA_MAX, ret, ret_len, err);
}

int store_image_size(Store *s, const char *key, uint64_t *ret, CrioError *err) {
        _cleanup_substore_ SubStore *hl = NULL, *hi = NULL;
        int r = substore_lock(s, &s->layers, false, err);
        if (r < 0)
                return r;
        hl = &s->layers;
        if ((r = substore_lock(s, &s->images, false, err)) < 0)
                return r;
        hi = &s->images;
        JsonObject *o;
        if ((r = images_lookup_locked(s, key, &o, err)) < 0)
                return r;
        uint64_t size = 0;
        size_t depth = 0;
        for (const char *l = jobj_str(o, "layer"); l; depth++) {
                JsonObject *lo = substore_find_id(&s->layers, l);
                if (!lo)
                        return crio_error_set(err, ENOENT, "layer %s of image %s not known", l, jobj_str(o, "id"));
                if (depth > substore_count(&s->layers))
                        return crio_error_set(err, ELOOP, "layer chain of image %s loops", jobj_str(o, "id"));
                int64_t n = jobj_int(lo, "diff-size");
                size += n > 0 ? (uint64_t) n : 0;
                l = jobj_str(lo, "parent");
        }
        _cleanup_strv_free_ char **keys = jobj_strv(o, "big-data-names");
        for (char **k = keys; k && *k; k++) {
                int64_t n = jobj_map_int(o, "big-data-sizes", *k);
                size += n > 0 ? (uint64_t) n : 0;
        }
        *ret = size;
        return 0;
}

/* Writes one item and records its size and digest; the caller saves the record. */
static int set_big_data(Store *s, JsonObject *o, const char *key, const void *data, size_t len, const char *digest,
                        CrioError *err) {
        const char *id = jobj_str(o, "id");
        _cleanup_free_ char *dir = NULL, *p = big_data_path(s, id, key);
        if (!p || asprintf(&dir, "%s/%s", s->images.dir, id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        int r = mkdir_p(dir, 0700, err);
        if (r < 0 || (r = write_file_atomic(p, data, len, 0600, err)) < 0)
                return r;
        char d[STORE_DIGEST_LEN + 1];
        if (!digest) {
                store_sha256_digest(data, len, d);
                digest = d;
        }
        jobj_strv_add(o, "big-data-names", key, false);
        jobj_map_set_int(o, "big-data-sizes", key, (int64_t) len);
        jobj_map_set_str(o, "big-data-digests", key, digest);
        return 0;
}

static void add_names(Store *s, JsonObject *o, char *const *names) {
        for (char *const *n = names; n && *n; n++) {
                substore_take_name(&s->images, *n, o);
                jobj_strv_add(o, "names", *n, false);
                jobj_strv_add(o, "names-history", *n, true);
        }
}

int store_image_create(Store *s, const StoreImageCreateOptions *o, StoreImage **ret, CrioError *err) {
        if (!store_id_valid(o->id))
                return crio_error_set(err, EINVAL, "image ID \"%s\" is not 64 hex digits", o->id ? o->id : "");
        if (o->top_layer && !store_id_valid(o->top_layer))
                return crio_error_set(err, EINVAL, "top layer ID \"%s\" is not 64 hex digits", o->top_layer);
        if (!o->manifest || o->manifest_len == 0)
                return crio_error_set(err, EINVAL, "image %s: a manifest is required", o->id);
        if (o->manifest_digest && !store_digest_valid(o->manifest_digest))
                return crio_error_set(err, EINVAL, "manifest digest \"%s\" is not a sha256 digest", o->manifest_digest);
        for (char *const *n = o->names; n && *n; n++)
                if (!**n)
                        return crio_error_set(err, EINVAL, "image %s: empty name", o->id);
        char mdigest[STORE_DIGEST_LEN + 1], config_key[STORE_DIGEST_LEN + 1];
        if (o->manifest_digest)
                snprintf(mdigest, sizeof(mdigest), "%s", o->manifest_digest);
        else
                store_sha256_digest(o->manifest, o->manifest_len, mdigest);
        snprintf(config_key, sizeof(config_key), "sha256:%s", o->id);
        _cleanup_free_ char *manifest_key = NULL, *toplevel_key = NULL;
        if (asprintf(&manifest_key, KEY_MANIFEST "-%s", mdigest) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (o->toplevel_manifest) {
                if (!store_digest_valid(o->toplevel_digest))
                        return crio_error_set(err, EINVAL, "image %s: the top-level manifest needs a sha256 digest", o->id);
                if (strcmp(o->toplevel_digest, mdigest) != 0 &&
                    asprintf(&toplevel_key, KEY_MANIFEST "-%s", o->toplevel_digest) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }

        _cleanup_substore_ SubStore *hl = NULL, *hi = NULL;
        int r = substore_lock(s, &s->layers, false, err);
        if (r < 0)
                return r;
        hl = &s->layers;
        if (o->top_layer) {
                JsonObject *l = substore_find_id(&s->layers, o->top_layer);
                if (!l || jobj_flag(l, STORE_INCOMPLETE_FLAG))
                        return crio_error_set(err, ENOENT, "image %s: top layer %s not known", o->id, o->top_layer);
        }
        if ((r = substore_lock(s, &s->images, true, err)) < 0)
                return r;
        hi = &s->images;

        char now[STORE_TIME_LEN];
        store_now(now);
        JsonObject *rec = substore_find_id(&s->images, o->id);
        bool existed = rec != NULL;
        if (existed) {
                if (!streq_null(jobj_str(rec, "layer"), o->top_layer))
                        return crio_error_set(err, EEXIST, "image %s already exists with another top layer", o->id);
                json_object_ref(rec);
        } else {
                /* Members in the order of containers/storage's Image struct. */
                rec = json_object_new();
                json_object_set_string_member(rec, "id", o->id);
                /* Pulled through a list or index, the image is known by the list's digest (as
                 * containers/image records it); else by its manifest's. */
                json_object_set_string_member(rec, "digest", o->toplevel_manifest ? o->toplevel_digest : mdigest);
                add_names(s, rec, o->names);
                jobj_set_str(rec, "layer", o->top_layer);
                jobj_set_str(rec, "metadata", o->metadata);
        }
        /* The items in containers/image's order: config, manifest-<list digest>, manifest-<digest>,
         * manifest. */
        if (o->config && !jobj_strv_contains(rec, "big-data-names", config_key))
                r = set_big_data(s, rec, config_key, o->config, o->config_len, NULL, err);
        if (r >= 0 && toplevel_key && !jobj_strv_contains(rec, "big-data-names", toplevel_key))
                r = set_big_data(s, rec, toplevel_key, o->toplevel_manifest, o->toplevel_len, o->toplevel_digest, err);
        if (r >= 0 && !jobj_strv_contains(rec, "big-data-names", manifest_key))
                r = set_big_data(s, rec, manifest_key, o->manifest, o->manifest_len, mdigest, err);
        if (r >= 0 && (!existed || !jobj_strv_contains(rec, "big-data-names", KEY_MANIFEST)))
                r = set_big_data(s, rec, KEY_MANIFEST, o->manifest, o->manifest_len, mdigest, err);
        if (r >= 0) {
                if (existed)
                        add_names(s, rec, o->names);
                else {
                        json_object_set_string_member(rec, "created", o->created && *o->created ? o->created : now);
                        substore_append(&s->images, rec);
                }
                r = substore_save(&s->images, err);
                if (r < 0 && !existed)
                        substore_remove(&s->images, o->id);
        }
        if (r >= 0)
                r = image_from_json(rec, ret, err);
        if (r < 0 && !existed) {
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "%s/%s", s->images.dir, o->id) >= 0)
                        (void) rm_rf(dir, NULL);
        }
        json_object_unref(rec);
        if (r < 0)
                return r;
        log_debug("storage: image %s %s", o->id, existed ? "updated" : "added");
        return existed ? 1 : 0;
}

static int update_names(Store *s, const char *key, char *const *names, bool add, CrioError *err) {
        _cleanup_substore_ SubStore *held = NULL;
        int r = substore_lock(s, &s->images, true, err);
        if (r < 0)
                return r;
        held = &s->images;
        JsonObject *o;
        if ((r = images_lookup_locked(s, key, &o, err)) < 0)
                return r;
        if (add)
                add_names(s, o, names);
        else
                for (char *const *n = names; n && *n; n++)
                        jobj_strv_remove(o, "names", *n);
        return substore_save(&s->images, err);
}

int store_image_add_names(Store *s, const char *id, char *const *names, CrioError *err) {
        for (char *const *n = names; n && *n; n++)
                if (!**n)
                        return crio_error_set(err, EINVAL, "image %s: empty name", id);
        return update_names(s, id, names, true, err);
}

int store_image_remove_names(Store *s, const char *id, char *const *names, CrioError *err) {
        return update_names(s, id, names, false, err);
}

/* Whether another image than except_id has layer as its top (or mapped top) layer. */
static bool layer_is_image_top(Store *s, const char *layer, const char *except_id) {
        for (size_t i = 0; i < substore_count(&s->images); i++) {
                JsonObject *o = substore_at(&s->images, i);
                if (streq_null(jobj_str(o, "id"), except_id))
                        continue;
                if (streq_null(jobj_str(o, "layer"), layer) || jobj_strv_contains(o, "mapped-layers", layer))
                        return true;
        }
        return false;
}

static bool layer_has_other_children(Store *s, const char *layer, char *const *removing) {
        for (size_t i = 0; i < substore_count(&s->layers); i++) {
                JsonObject *l = substore_at(&s->layers, i);
                if (streq_null(jobj_str(l, "parent"), layer) && !strv_contains(removing, jobj_str(l, "id")))
                        return true;
        }
        return false;
}

int store_image_delete(Store *s, const char *key, CrioError *err) {
        _cleanup_substore_ SubStore *hl = NULL, *hi = NULL, *hc = NULL;
        int r = substore_lock(s, &s->layers, true, err);
        if (r < 0)
                return r;
        hl = &s->layers;
        if ((r = substore_lock(s, &s->images, true, err)) < 0)
                return r;
        hi = &s->images;
        if ((r = substore_lock(s, &s->containers, false, err)) < 0)
                return r;
        hc = &s->containers;
        JsonObject *o;
        if ((r = images_lookup_locked(s, key, &o, err)) < 0)
                return r;
        _cleanup_free_ char *id = strdup(jobj_str(o, "id"));
        _cleanup_strv_free_ char **mapped = jobj_strv(o, "mapped-layers");
        if (!id || !mapped)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < substore_count(&s->containers); i++) {
                JsonObject *c = substore_at(&s->containers, i);
                if (streq_null(jobj_str(c, "image"), id))
                        return crio_error_set(err, EBUSY, "image %s is used by container %s", id, jobj_str(c, "id"));
        }
        /* Layers that go with it: from the top down, while nothing else needs them. */
        _cleanup_strv_free_ char **removing = strv_copy(mapped);
        if (!removing)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (const char *l = jobj_str(o, "layer"); l && strv_length(removing) <= substore_count(&s->layers);) {
                JsonObject *lo = substore_find_id(&s->layers, l);
                bool used_by_container = false;
                for (size_t i = 0; i < substore_count(&s->containers); i++)
                        used_by_container |= streq_null(jobj_str(substore_at(&s->containers, i), "layer"), l);
                if (!lo || used_by_container || layer_is_image_top(s, l, id) || layer_has_other_children(s, l, removing))
                        break;
                if (strv_push(&removing, l) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                l = jobj_str(lo, "parent");
        }
        substore_remove(&s->images, id);
        if ((r = substore_save(&s->images, err)) < 0)
                return r;
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s/%s", s->images.dir, id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = rm_rf(dir, err)) < 0)
                return r;
        for (char **l = removing; *l; l++)
                if (substore_find_id(&s->layers, *l) && (r = layers_delete_locked(s, *l, err)) < 0)
                        return crio_error_prefix(err, "deleting image %s: ", id);
        log_debug("storage: image %s deleted with %zu layers", id, strv_length(removing));
        return 0;
}
