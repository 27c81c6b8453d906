/* Containers: records in overlay-containers/containers.json, a read-write layer each, and
 * userdata directories under both roots. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/rmrf.h"
#include "util/strv.h"

void store_container_free(StoreContainer *c) {
        if (!c)
                return;
        free(c->id);
        strv_free(c->names);
        free(c->image);
        free(c->layer);
        free(c->metadata);
        free(c->created);
        free(c);
}

void store_container_list_free(StoreContainer **v) {
        for (StoreContainer **p = v; p && *p; p++)
                store_container_free(*p);
        free(v);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(StoreContainer *, store_container_free);

static bool dup_opt(char **dst, const char *src) {
        *dst = src ? strdup(src) : NULL;
        return !src || *dst;
}

static int container_from_json(JsonObject *o, StoreContainer **ret, CrioError *err) {
        _cleanup_(store_container_freep) StoreContainer *c = calloc(1, sizeof(StoreContainer));
        const char *image = jobj_str(o, "image");
        if (!c || !dup_opt(&c->id, jobj_str(o, "id")) || !(c->names = jobj_strv(o, "names")) ||
            !(c->image = strdup(image ? image : "")) || !dup_opt(&c->layer, jobj_str(o, "layer")) ||
            !dup_opt(&c->metadata, jobj_str(o, "metadata")) || !dup_opt(&c->created, jobj_str(o, "created")))
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = TAKE_PTR(c);
        return 0;
}

int store_containers(Store *s, StoreContainer ***ret, CrioError *err) {
        _cleanup_substore_ SubStore *held = NULL;
        int r = substore_lock(s, &s->containers, false, err);
        if (r < 0)
                return r;
        held = &s->containers;
        size_t n = substore_count(&s->containers);
        StoreContainer **v = calloc(n + 1, sizeof(StoreContainer *));
        if (!v)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                if ((r = container_from_json(substore_at(&s->containers, i), &v[i], err)) < 0) {
                        store_container_list_free(v);
                        return r;
                }
        *ret = v;
        return 0;
}

int store_container_get(Store *s, const char *key, StoreContainer **ret, CrioError *err) {
        _cleanup_substore_ SubStore *held = NULL;
        int r = substore_lock(s, &s->containers, false, err);
        if (r < 0)
                return r;
        held = &s->containers;
        JsonObject *o;
        if ((r = substore_lookup(&s->containers, key, &o, err)) < 0)
                return r;
        return container_from_json(o, ret, err);
}

static int userdata_path(Store *s, const char *id, bool run, char **ret, CrioError *err) {
        if (asprintf(ret, "%s/overlay-containers/%s/userdata", run ? s->run_root : s->graph_root, id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

static int remove_container_dirs(Store *s, const char *id, CrioError *err) {
        int r = 0;
        for (int run = 0; run < 2 && r >= 0; run++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/overlay-containers/%s", run ? s->run_root : s->graph_root, id) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                r = rm_rf(p, err);
        }
        return r;
}

int store_container_create(Store *s, const StoreContainerCreateOptions *o, StoreContainer **ret, CrioError *err) {
        char id[STORE_ID_LEN + 1], layer[STORE_ID_LEN + 1];
        if (o->id && !store_id_valid(o->id))
                return crio_error_set(err, EINVAL, "container ID \"%s\" is not 64 hex digits", o->id);
        if (!o->image || !*o->image)
                return crio_error_set(err, EINVAL, "a container needs an image");
        for (char *const *n = o->names; n && *n; n++)
                if (!**n)
                        return crio_error_set(err, EINVAL, "empty container name");
        if (o->id)
                memcpy(id, o->id, sizeof(id));
        else
                store_random_id(id);
        store_random_id(layer);

        _cleanup_substore_ SubStore *hl = NULL, *hi = NULL, *hc = NULL;
        int r = substore_lock(s, &s->layers, true, err);
        if (r < 0)
                return r;
        hl = &s->layers;
        if ((r = substore_lock(s, &s->images, false, err)) < 0)
                return r;
        hi = &s->images;
        JsonObject *img;
        if ((r = images_lookup_locked(s, o->image, &img, err)) < 0)
                return r;
        _cleanup_free_ char *image_id = strdup(jobj_str(img, "id"));
        const char *t = jobj_str(img, "layer");
        _cleanup_free_ char *top = t ? strdup(t) : NULL;
        if (!image_id || (t && !top))
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = substore_lock(s, &s->containers, true, err)) < 0)
                return r;
        hc = &s->containers;
        if (substore_find_id(&s->containers, id))
                return crio_error_set(err, EEXIST, "container %s already exists", id);
        for (char *const *n = o->names; n && *n; n++)
                if (substore_find_name(&s->containers, *n))
                        return crio_error_set(err, EEXIST, "container name \"%s\" is already in use", *n);

        if ((r = layers_create_rw_locked(s, layer, top, NULL, err)) < 0)
                return r;
        char now[STORE_TIME_LEN];
        store_now(now);
        JsonObject *rec = json_object_new();
        json_object_set_string_member(rec, "id", id);
        for (char *const *n = o->names; n && *n; n++)
                jobj_strv_add(rec, "names", *n, false);
        json_object_set_string_member(rec, "image", image_id);
        json_object_set_string_member(rec, "layer", layer);
        jobj_set_str(rec, "metadata", o->metadata);
        json_object_set_string_member(rec, "created", now);
        substore_append(&s->containers, rec);
        r = substore_save(&s->containers, err);
        for (int run = 0; run < 2 && r >= 0; run++) {
                _cleanup_free_ char *p = NULL;
                if ((r = userdata_path(s, id, run, &p, err)) >= 0)
                        r = mkdir_p(p, 0700, err);
        }
        if (r >= 0)
                r = container_from_json(rec, ret, err);
        json_object_unref(rec);
        if (r < 0) {
                if (substore_remove(&s->containers, id))
                        (void) substore_save(&s->containers, NULL);
                (void) remove_container_dirs(s, id, NULL);
                (void) layers_delete_locked(s, layer, NULL);
                return r;
        }
        log_debug("storage: container %s created on image %s", id, image_id);
        return 0;
}

int store_container_delete(Store *s, const char *key, CrioError *err) {
        _cleanup_substore_ SubStore *hl = NULL, *hi = NULL, *hc = NULL;
        int r = substore_lock(s, &s->layers, true, err);
        if (r < 0)
                return r;
        hl = &s->layers;
        if ((r = substore_lock(s, &s->images, false, err)) < 0)
                return r;
        hi = &s->images;
        if ((r = substore_lock(s, &s->containers, true, err)) < 0)
                return r;
        hc = &s->containers;
        JsonObject *o;
        if ((r = substore_lookup(&s->containers, key, &o, err)) < 0)
                return r;
        _cleanup_free_ char *id = strdup(jobj_str(o, "id"));
        const char *l = jobj_str(o, "layer");
        _cleanup_free_ char *layer = l ? strdup(l) : NULL;
        if (!id || (l && !layer))
                return crio_error_set(err, ENOMEM, "out of memory");
        if (layer && substore_find_id(&s->layers, layer) && (r = layers_delete_locked(s, layer, err)) < 0)
                return r;
        substore_remove(&s->containers, id);
        if ((r = substore_save(&s->containers, err)) < 0)
                return r;
        return remove_container_dirs(s, id, err);
}

int store_container_dir(Store *s, const char *key, bool run, char **ret, CrioError *err) {
        _cleanup_(store_container_freep) StoreContainer *c = NULL;
        int r = store_container_get(s, key, &c, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *p = NULL;
        if ((r = userdata_path(s, c->id, run, &p, err)) < 0 || (r = mkdir_p(p, 0700, err)) < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

static int container_layer(Store *s, const char *key, char **ret, CrioError *err) {
        _cleanup_(store_container_freep) StoreContainer *c = NULL;
        int r = store_container_get(s, key, &c, err);
        if (r < 0)
                return r;
        if (!c->layer)
                return crio_error_set(err, ENOENT, "container %s has no layer", c->id);
        *ret = TAKE_PTR(c->layer);
        return 0;
}

int store_container_mount(Store *s, const char *key, const char *mount_label, char **ret_path, CrioError *err) {
        _cleanup_free_ char *layer = NULL;
        int r = container_layer(s, key, &layer, err);
        return r < 0 ? r : layers_mount_labelled(s, layer, mount_label, ret_path, err);
}

int store_container_unmount(Store *s, const char *key, bool force, CrioError *err) {
        _cleanup_free_ char *layer = NULL;
        int r = container_layer(s, key, &layer, err);
        return r < 0 ? r : store_layer_unmount(s, layer, force, err);
}
