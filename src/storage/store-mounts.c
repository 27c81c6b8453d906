/* Mount bookkeeping in <run_root>/overlay-layers/mountpoints.json, as containers/storage's
 * layer store keeps it: [{"id": layer, "path": mount point, "count": references}], only
 * layers with a count above zero, guarded by mountpoints.lock. The file is small and read
 * afresh under its lock each time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

static int mounts_load(Store *s, JsonArray **ret, CrioError *err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_file(s->mounts_path, STORE_MOUNTS_MAX, &data, &len, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                *ret = json_array_new();
                return 0;
        }
        if (r < 0)
                return r;
        JsonArray *a = NULL;
        JsonParser *p = json_parser_new();
        if (len > 0 && json_parser_load_from_data(p, data, (gssize) len, NULL)) {
                JsonNode *root = json_parser_get_root(p);
                if (root && JSON_NODE_HOLDS_ARRAY(root))
                        a = json_node_dup_array(root);
        }
        g_object_unref(p);
        /* containers/storage treats an unreadable file as "nothing mounted"; so do we. */
        *ret = a ? a : json_array_new();
        return 0;
}

static JsonObject *mounts_find(JsonArray *a, const char *id, guint *ret_index) {
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *n = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(n))
                        continue;
                JsonObject *o = json_node_get_object(n);
                if (streq_null(jobj_str(o, "id"), id)) {
                        if (ret_index)
                                *ret_index = i;
                        return o;
                }
        }
        return NULL;
}

static int mounts_save(Store *s, JsonArray *a, CrioError *err) {
        int r = store_json_save(s->mounts_path, a, err);
        int k = lockfile_touch(s->mounts_lock, NULL, r < 0 ? NULL : err);
        return r < 0 ? r : k;
}

int mounts_count(Store *s, const char *layer_id, int *ret, CrioError *err) {
        int r = lockfile_lock(s->mounts_lock, false, err);
        if (r < 0)
                return r;
        JsonArray *a = NULL;
        r = mounts_load(s, &a, err);
        lockfile_unlock(s->mounts_lock);
        if (r < 0)
                return r;
        JsonObject *o = mounts_find(a, layer_id, NULL);
        int64_t c = o ? jobj_int(o, "count") : 0;
        json_array_unref(a);
        *ret = c > 0 ? (int) c : 0;
        return 0;
}

/* With layers write-locked. delta > 0 mounts (or adds a reference); delta < 0 drops one
 * reference (all with force) and unmounts at zero. Returns the references left. */
/* mount_label (NULL: none) labels a fresh mount as a whole: context="<label>" (SELinux). */
static int mounts_update(Store *s, const char *id, int delta, bool force, const char *mount_label, char **ret_path,
                         CrioError *err) {
        int r = lockfile_lock(s->mounts_lock, true, err);
        if (r < 0)
                return r;
        JsonArray *a = NULL;
        if ((r = mounts_load(s, &a, err)) < 0) {
                lockfile_unlock(s->mounts_lock);
                return r;
        }
        guint idx = 0;
        JsonObject *o = mounts_find(a, id, &idx);
        int64_t count = o ? jobj_int(o, "count") : 0;
        const char *path = o ? jobj_str(o, "path") : NULL;
        if (count < 0)
                count = 0;
        int left = 0;
        if (delta > 0) {
                _cleanup_free_ char *mp = NULL;
                if (count > 0 && path && overlay_mounted(path)) {
                        count++;
                        mp = strdup(path);
                } else {
                        /* Not mounted (the kernel may have dropped it): mount afresh. */
                        count = 1;
                        _cleanup_free_ char *opts = NULL;
                        const char *base = s->overlay.mount_options;
                        if (mount_label && (base && base[0] ? asprintf(&opts, "%s,context=\"%s\"", base, mount_label)
                                                           : asprintf(&opts, "context=\"%s\"", mount_label)) < 0)
                                r = crio_error_set(err, ENOMEM, "out of memory");
                        else
                                r = overlay_mount(s->home, id, opts ? opts : base, &mp, err);
                }
                if (r >= 0 && !mp)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                if (r >= 0) {
                        if (!o) {
                                o = json_object_new();
                                json_object_set_string_member(o, "id", id);
                                json_array_add_object_element(a, o);
                        }
                        json_object_set_string_member(o, "path", mp);
                        jobj_set_int(o, "count", count);
                        if (ret_path)
                                *ret_path = TAKE_PTR(mp);
                        left = (int) count;
                }
        } else {
                if (force || count <= 1) {
                        r = overlay_unmount(s->home, id, err);
                        if (r >= 0 && o)
                                json_array_remove_element(a, idx);
                        left = 0;
                } else {
                        jobj_set_int(o, "count", count - 1);
                        left = (int) count - 1;
                }
        }
        if (r >= 0)
                r = mounts_save(s, a, err);
        json_array_unref(a);
        lockfile_unlock(s->mounts_lock);
        if (r >= 0)
                log_debug("storage: layer %s mount count %d", id, left);
        return r < 0 ? r : left;
}

int mounts_force_unmount(Store *s, const char *layer_id, CrioError *err) {
        int r = mounts_update(s, layer_id, -1, true, NULL, NULL, err);
        return r < 0 ? r : 0;
}

static int layer_mount_op(Store *s, const char *key, int delta, bool force, const char *mount_label, char **ret_path,
                          CrioError *err) {
        /* containers/storage mounts under storage.lock and the layers lock. */
        int r = lockfile_lock(s->graph_lock, true, err);
        if (r < 0)
                return r;
        if ((r = substore_lock(s, &s->layers, true, err)) < 0) {
                lockfile_unlock(s->graph_lock);
                return r;
        }
        JsonObject *o;
        r = substore_lookup(&s->layers, key, &o, err);
        if (r >= 0 && jobj_flag(o, STORE_INCOMPLETE_FLAG))
                r = crio_error_set(err, EBUSY, "layer %s is incomplete", key);
        _cleanup_free_ char *id = r >= 0 ? strdup(jobj_str(o, "id")) : NULL;
        if (r >= 0 && !id)
                r = crio_error_set(err, ENOMEM, "out of memory");
        if (r >= 0)
                r = mounts_update(s, id, delta, force, mount_label, ret_path, err);
        substore_unlock(&s->layers);
        lockfile_unlock(s->graph_lock);
        return r;
}

int store_layer_mount(Store *s, const char *layer_id, char **ret_path, CrioError *err) {
        return layers_mount_labelled(s, layer_id, NULL, ret_path, err);
}

int layers_mount_labelled(Store *s, const char *layer_id, const char *mount_label, char **ret_path, CrioError *err) {
        int r = layer_mount_op(s, layer_id, 1, false, mount_label, ret_path, err);
        return r < 0 ? r : 0;
}

int store_layer_unmount(Store *s, const char *layer_id, bool force, CrioError *err) {
        return layer_mount_op(s, layer_id, -1, force, NULL, NULL, err);
}

int store_layer_mount_count(Store *s, const char *layer_id, int *ret, CrioError *err) {
        int r = substore_lock(s, &s->layers, false, err);
        if (r < 0)
                return r;
        JsonObject *o;
        _cleanup_free_ char *id = NULL;
        if ((r = substore_lookup(&s->layers, layer_id, &o, err)) >= 0 && !(id = strdup(jobj_str(o, "id"))))
                r = crio_error_set(err, ENOMEM, "out of memory");
        if (r >= 0)
                r = mounts_count(s, id, ret, err);
        substore_unlock(&s->layers);
        return r;
}
