/* Layers: records in overlay-layers/layers.json, contents in the overlay driver's home. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layer-apply.h"
#include "store-internal.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/rmrf.h"
#include "util/strv.h"

void store_layer_free(StoreLayer *l) {
        if (!l)
                return;
        free(l->id);
        strv_free(l->names);
        free(l->parent);
        free(l->metadata);
        free(l->created);
        free(l->compressed_digest);
        free(l->diff_digest);
        free(l);
}

void store_layer_list_free(StoreLayer **v) {
        for (StoreLayer **p = v; p && *p; p++)
                store_layer_free(*p);
        free(v);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(StoreLayer *, store_layer_free);

static bool dup_opt(char **dst, const char *src) {
        *dst = src ? strdup(src) : NULL;
        return !src || *dst;
}

int store_layer_from_json(JsonObject *o, StoreLayer **ret, CrioError *err) {
        _cleanup_(store_layer_freep) StoreLayer *l = calloc(1, sizeof(StoreLayer));
        if (!l || !dup_opt(&l->id, jobj_str(o, "id")) || !(l->names = jobj_strv(o, "names")) ||
            !dup_opt(&l->parent, jobj_str(o, "parent")) || !dup_opt(&l->metadata, jobj_str(o, "metadata")) ||
            !dup_opt(&l->created, jobj_str(o, "created")) ||
            !dup_opt(&l->compressed_digest, jobj_str(o, "compressed-diff-digest")) ||
            !dup_opt(&l->diff_digest, jobj_str(o, "diff-digest")))
                return crio_error_set(err, ENOMEM, "out of memory");
        /* Sizes are omitted when zero (Go's omitempty); they are meaningful with a digest only. */
        int64_t cs = jobj_int(o, "compressed-size"), ds = jobj_int(o, "diff-size");
        l->compressed_size = cs >= 0 ? cs : l->compressed_digest ? 0 : -1;
        l->diff_size = ds >= 0 ? ds : l->diff_digest ? 0 : -1;
        l->incomplete = jobj_flag(o, STORE_INCOMPLETE_FLAG);
        *ret = TAKE_PTR(l);
        return 0;
}

int store_layers(Store *s, StoreLayer ***ret, CrioError *err) {
        _cleanup_substore_ SubStore *held = NULL;
        int r = substore_lock(s, &s->layers, false, err);
        if (r < 0)
                return r;
        held = &s->layers;
        size_t n = substore_count(&s->layers);
        StoreLayer **v = calloc(n + 1, sizeof(StoreLayer *));
        if (!v)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                if ((r = store_layer_from_json(substore_at(&s->layers, i), &v[i], err)) < 0) {
                        store_layer_list_free(v);
                        return r;
                }
        *ret = v;
        return 0;
}

int store_layer_get(Store *s, const char *key, StoreLayer **ret, CrioError *err) {
        _cleanup_substore_ SubStore *held = NULL;
        int r = substore_lock(s, &s->layers, false, err);
        if (r < 0)
                return r;
        held = &s->layers;
        JsonObject *o;
        if ((r = substore_lookup(&s->layers, key, &o, err)) < 0)
                return r;
        return store_layer_from_json(o, ret, err);
}

/* Removes a layer's contents: the overlay directory, the tar-split file, the big-data dir. */
static int remove_layer_files(Store *s, const char *id, CrioError *err) {
        int r = overlay_layer_remove(s->home, id, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *ts = NULL, *data = NULL;
        if (asprintf(&ts, "%s/%s.tar-split.gz", s->layers.dir, id) < 0 || asprintf(&data, "%s/%s", s->layers.dir, id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (unlink(ts) < 0 && errno != ENOENT)
                return crio_error_set_errno(err, errno, "removing %s", ts);
        return rm_rf(data, err);
}

int layers_remove_incomplete(Store *s, CrioError *err) {
        SubStore *ss = &s->layers;
        bool changed = false;
        int r = 0;
        for (size_t i = substore_count(ss); i-- > 0 && r >= 0;) {
                JsonObject *o = substore_at(ss, i);
                if (!jobj_flag(o, STORE_INCOMPLETE_FLAG))
                        continue;
                _cleanup_free_ char *id = strdup(jobj_str(o, "id"));
                if (!id)
                        return crio_error_set(err, ENOMEM, "out of memory");
                log_debug("storage: removing incomplete layer %s", id);
                int count = 0;
                if ((r = mounts_count(s, id, &count, err)) >= 0 && count > 0)
                        r = mounts_force_unmount(s, id, err);
                if (r >= 0 && (r = remove_layer_files(s, id, err)) >= 0) {
                        substore_remove(ss, id);
                        changed = true;
                }
        }
        if (changed) {
                int k = substore_save(ss, r < 0 ? NULL : err);
                if (r >= 0)
                        r = k;
        }
        if (r >= 0)
                ss->has_incomplete = false;
        return r < 0 ? crio_error_prefix(err, "removing incomplete layers: ") : 0;
}

int layers_delete_locked(Store *s, const char *id, CrioError *err) {
        SubStore *ss = &s->layers;
        JsonObject *o = substore_find_id(ss, id);
        if (!o)
                return crio_error_set(err, ENOENT, "layer \"%s\" not known", id);
        int count = 0, r = mounts_count(s, id, &count, err);
        if (r >= 0 && count > 0)
                r = mounts_force_unmount(s, id, err);
        if (r < 0)
                return r;
        /* Flag it first, so that an interrupted deletion is finished by the next opener. */
        if (!jobj_flag(o, STORE_INCOMPLETE_FLAG)) {
                jobj_set_flag(o, STORE_INCOMPLETE_FLAG, true);
                if ((r = substore_save(ss, err)) < 0)
                        return r;
        }
        if ((r = remove_layer_files(s, id, err)) < 0)
                return r;
        substore_remove(ss, id);
        return substore_save(ss, err);
}

/* A new record, fields in the order containers/storage's Layer struct has them. */
static JsonObject *new_layer_record(const char *id, char *const *names, const char *parent) {
        char now[STORE_TIME_LEN];
        store_now(now);
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "id", id);
        for (char *const *n = names; n && *n; n++)
                jobj_strv_add(o, "names", *n, false);
        jobj_set_str(o, "parent", parent);
        json_object_set_string_member(o, "created", now);
        return o;
}

static int names_free_in(SubStore *ss, char *const *names, CrioError *err) {
        for (char *const *n = names; n && *n; n++)
                if (substore_find_name(ss, *n))
                        return crio_error_set(err, EEXIST, "%s name \"%s\" is already in use", ss->what, *n);
        return 0;
}

/* Writes the record flagged incomplete, creates the directory, then clears the flag. */
static int add_layer_locked(Store *s, JsonObject *o, const char *parent, const char *staged_diff, const void *ts,
                            size_t ts_len, CrioError *err) {
        SubStore *ss = &s->layers;
        const char *id = jobj_str(o, "id");
        jobj_set_flag(o, STORE_INCOMPLETE_FLAG, true);
        substore_append(ss, o);
        int r = substore_save(ss, err);
        if (r >= 0)
                r = overlay_layer_create(s->home, id, parent, staged_diff, err);
        if (r >= 0 && ts) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s.tar-split.gz", ss->dir, id) < 0)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                else
                        r = write_file_atomic(p, ts, ts_len, 0600, err);
        }
        if (r >= 0 && staged_diff) {
                /* The contents must be on disk before the record says they are complete. */
                _cleanup_close_ int fd = open(s->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0 || syncfs(fd) < 0)
                        r = crio_error_set_errno(err, errno, "syncing %s", s->home);
        }
        if (r >= 0) {
                jobj_set_flag(o, STORE_INCOMPLETE_FLAG, false);
                r = substore_save(ss, err);
        }
        if (r < 0) {
                (void) remove_layer_files(s, id, NULL);
                if (substore_remove(ss, id))
                        (void) substore_save(ss, NULL);
        }
        return r;
}

/* With layers locked: checks that parent can carry a new layer (containers/storage refuses
 * a container's layer as parent). */
static int check_parent_locked(Store *s, const char *parent, bool containers_held, CrioError *err) {
        if (!parent)
                return 0;
        JsonObject *p = substore_find_id(&s->layers, parent);
        if (!p)
                return crio_error_set(err, ENOENT, "parent layer %s not known", parent);
        if (jobj_flag(p, STORE_INCOMPLETE_FLAG))
                return crio_error_set(err, EBUSY, "parent layer %s is incomplete", parent);
        _cleanup_substore_ SubStore *held = NULL;
        if (!containers_held) {
                int r = substore_lock(s, &s->containers, false, err);
                if (r < 0)
                        return r;
                held = &s->containers;
        }
        for (size_t i = 0; i < substore_count(&s->containers); i++)
                if (streq_null(jobj_str(substore_at(&s->containers, i), "layer"), parent))
                        return crio_error_set(err, EINVAL, "layer %s is a container's layer and cannot be a parent", parent);
        return 0;
}

int layers_create_rw_locked(Store *s, const char *id, const char *parent, char *const *names, CrioError *err) {
        int r = check_parent_locked(s, parent, true, err);
        if (r < 0)
                return r;
        if (substore_find_id(&s->layers, id))
                return crio_error_set(err, EEXIST, "layer %s already exists", id);
        if ((r = names_free_in(&s->layers, names, err)) < 0)
                return r;
        JsonObject *o = new_layer_record(id, names, parent);
        r = add_layer_locked(s, o, parent, NULL, NULL, 0, err);
        json_object_unref(o);
        return r;
}

/* ---- creating a layer from a tarball ---- */

typedef struct IdSet {
        GHashTable *uids, *gids;
} IdSet;

static int collect_ids(int dfd, IdSet *ids, unsigned depth, CrioError *err) {
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return crio_error_set_errno(err, errno, "reading an extracted layer");
        }
        struct dirent *de;
        int r = 0;
        while (r >= 0 && (de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISCHR(st.st_mode) && st.st_rdev == 0)
                        continue; /* a whiteout: containers/storage does not count those */
                if (g_hash_table_size(ids->uids) < STORE_IDSET_MAX)
                        g_hash_table_add(ids->uids, GUINT_TO_POINTER(st.st_uid + 1));
                if (g_hash_table_size(ids->gids) < STORE_IDSET_MAX)
                        g_hash_table_add(ids->gids, GUINT_TO_POINTER(st.st_gid + 1));
                if (S_ISDIR(st.st_mode) && depth < 4096) {
                        int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd >= 0)
                                r = collect_ids(fd, ids, depth + 1, err);
                }
        }
        closedir(d);
        return r;
}

static gint cmp_uint(gconstpointer a, gconstpointer b) {
        guint x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);
        return x < y ? -1 : x > y;
}

static void set_id_array(JsonObject *o, const char *member, GHashTable *set) {
        GList *keys = g_list_sort(g_hash_table_get_keys(set), cmp_uint);
        JsonArray *a = json_array_new();
        for (GList *k = keys; k; k = k->next)
                json_array_add_int_element(a, (gint64) GPOINTER_TO_UINT(k->data) - 1);
        g_list_free(keys);
        if (json_array_get_length(a) > 0)
                json_object_set_array_member(o, member, a);
        else
                json_array_unref(a);
}

static int existing_layer(Store *s, const char *id, StoreLayer **ret, CrioError *err) {
        JsonObject *o = substore_find_id(&s->layers, id);
        if (!o || jobj_flag(o, STORE_INCOMPLETE_FLAG))
                return 0;
        int r = store_layer_from_json(o, ret, err);
        return r < 0 ? r : 1;
}

struct StoreStagedLayer {
        OverlayStaging st;
        LayerApplyResult res;
        TarSplit *ts;
        IdSet ids;
};

void store_staged_layer_free(StoreStagedLayer *l) {
        if (!l)
                return;
        overlay_staging_done(&l->st);
        layer_apply_result_done(&l->res);
        tarsplit_free(l->ts);
        if (l->ids.uids)
                g_hash_table_destroy(l->ids.uids);
        if (l->ids.gids)
                g_hash_table_destroy(l->ids.gids);
        free(l);
}

const char *store_staged_layer_diff_digest(const StoreStagedLayer *l) {
        return l->res.diff_digest;
}

const char *store_staged_layer_compressed_digest(const StoreStagedLayer *l) {
        return l->res.compressed_digest;
}

/* The staged diff directory starts with this mode; a tar without a root entry leaves it, and
 * the commit then gives the directory its parent's mode, as containers/storage does. */
#define STAGED_ROOT_MODE 01700

int store_layer_stage(Store *s, int input_fd, const StoreLayerCreateOptions *opts, StoreStagedLayer **ret,
                      CrioError *err) {
        if (opts->expected_diff_digest && !store_digest_valid(opts->expected_diff_digest))
                return crio_error_set(err, EINVAL, "diff ID \"%s\" is not a sha256 digest", opts->expected_diff_digest);
        if (opts->expected_compressed_digest && !store_digest_valid(opts->expected_compressed_digest))
                return crio_error_set(err, EINVAL, "layer digest \"%s\" is not a sha256 digest",
                                      opts->expected_compressed_digest);
        StoreStagedLayer *l = calloc(1, sizeof(*l));
        if (!l)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_(store_staged_layer_freep) StoreStagedLayer *staged = l;
        l->st = (OverlayStaging){ .lock_fd = -1 };
        int r = overlay_staging_new(s->home, STAGED_ROOT_MODE, &l->st, err);
        if (r < 0)
                return r;
        LayerApplyOptions lo = { .helper_path = s->untar_helper,
                                 .expected_diff_digest = opts->expected_diff_digest,
                                 .max_diff_size = opts->max_diff_size };
        /* The input goes through a thread that also records the tar-split for it. */
        TarSplitPump *pump = NULL;
        int apply_fd = -1, read_error = 0;
        if ((r = tarsplit_pump_start(input_fd, &pump, &apply_fd, err)) < 0)
                return r;
        r = layer_apply(apply_fd, l->st.diff, &lo, &l->res, err);
        close(apply_fd);
        l->ts = tarsplit_pump_finish(pump, &read_error);
        if (r < 0)
                return r;
        if (read_error)
                return crio_error_set_errno(err, read_error, "reading the layer");
        if (opts->expected_compressed_digest && strcmp(opts->expected_compressed_digest, l->res.compressed_digest) != 0)
                return crio_error_set(err, EBADMSG, "layer digest %s does not match the expected %s",
                                      l->res.compressed_digest, opts->expected_compressed_digest);
        if (opts->expected_compressed_size > 0 && (uint64_t) opts->expected_compressed_size != l->res.compressed_size)
                return crio_error_set(err, EBADMSG, "layer %s is %" PRIu64 " bytes, expected %" PRId64,
                                      l->res.compressed_digest, l->res.compressed_size, opts->expected_compressed_size);
        l->ids = (IdSet){ g_hash_table_new(g_direct_hash, g_direct_equal), g_hash_table_new(g_direct_hash, g_direct_equal) };
        int dfd = open(l->st.diff, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        r = dfd < 0 ? crio_error_set_errno(err, errno, "opening %s", l->st.diff) : collect_ids(dfd, &l->ids, 0, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(staged);
        return 0;
}

static int fix_staged_root_mode(Store *s, StoreStagedLayer *l, const char *parent, CrioError *err) {
        struct stat st;
        if (stat(l->st.diff, &st) < 0)
                return crio_error_set_errno(err, errno, "checking %s", l->st.diff);
        if ((st.st_mode & 07777) != STAGED_ROOT_MODE)
                return 0;
        mode_t mode;
        int r = overlay_diff_mode(s->home, parent, &mode, err);
        if (r < 0)
                return r;
        if (chmod(l->st.diff, mode) < 0)
                return crio_error_set_errno(err, errno, "setting the mode of %s", l->st.diff);
        return 0;
}

int store_layer_commit(Store *s, StoreStagedLayer *l, const char *id_opt, const char *parent_opt, char *const *names,
                       StoreLayer **ret, CrioError *err) {
        const char *parent = parent_opt && *parent_opt ? parent_opt : NULL;
        if (id_opt && !store_id_valid(id_opt))
                return crio_error_set(err, EINVAL, "layer ID \"%s\" is not 64 hex digits", id_opt);
        if (parent && !store_id_valid(parent))
                return crio_error_set(err, EINVAL, "parent layer ID \"%s\" is not 64 hex digits", parent);
        if (!l->st.diff)
                return crio_error_set(err, EINVAL, "staged layer was already committed");
        char id[STORE_ID_LEN + 1];
        int r;
        if (id_opt)
                memcpy(id, id_opt, sizeof(id));
        else if ((r = store_layer_id_for(parent, l->res.diff_digest, id, err)) < 0)
                return r;
        if ((r = fix_staged_root_mode(s, l, parent, err)) < 0)
                return r;
        const void *ts_data = NULL;
        size_t ts_len = 0;
        if (!l->ts || !tarsplit_result(l->ts, &ts_data, &ts_len))
                ts_data = NULL;
        int compression = l->ts ? tarsplit_compression(l->ts) : 0;

        JsonObject *o = new_layer_record(id, names, parent);
        json_object_set_string_member(o, "compressed-diff-digest", l->res.compressed_digest);
        if (l->res.compressed_size > 0)
                jobj_set_int(o, "compressed-size", (int64_t) l->res.compressed_size);
        json_object_set_string_member(o, "diff-digest", l->res.diff_digest);
        if (l->res.diff_size > 0)
                jobj_set_int(o, "diff-size", (int64_t) l->res.diff_size);
        if (compression > 0)
                jobj_set_int(o, "compression", compression);
        set_id_array(o, "uidset", l->ids.uids);
        set_id_array(o, "gidset", l->ids.gids);

        _cleanup_substore_ SubStore *held = NULL;
        if ((r = substore_lock(s, &s->layers, true, err)) >= 0) {
                held = &s->layers;
                r = existing_layer(s, id, ret, err); /* someone else was faster */
                if (r == 0)
                        r = check_parent_locked(s, parent, false, err);
                if (r == 0)
                        r = names_free_in(&s->layers, names, err);
                if (r == 0 && substore_find_id(&s->layers, id))
                        r = crio_error_set(err, EBUSY, "layer %s is being written by another process", id);
                if (r == 0 && (r = add_layer_locked(s, o, parent, l->st.diff, ts_data, ts_len, err)) >= 0)
                        r = store_layer_from_json(o, ret, err);
        }
        json_object_unref(o);
        if (r >= 0)
                log_debug("storage: layer %s %s", id, r == 1 ? "already present" : "added");
        return r;
}

int store_layer_create(Store *s, int input_fd, const StoreLayerCreateOptions *opts, StoreLayer **ret, CrioError *err) {
        const char *parent = opts->parent && *opts->parent ? opts->parent : NULL;
        if (opts->id && !store_id_valid(opts->id))
                return crio_error_set(err, EINVAL, "layer ID \"%s\" is not 64 hex digits", opts->id);
        if (parent && !store_id_valid(parent))
                return crio_error_set(err, EINVAL, "parent layer ID \"%s\" is not 64 hex digits", parent);

        /* Cheap checks first: an existing layer needs no extraction. */
        int r = substore_lock(s, &s->layers, false, err);
        if (r < 0)
                return r;
        if (opts->id)
                r = existing_layer(s, opts->id, ret, err);
        if (r == 0 && parent && !substore_find_id(&s->layers, parent))
                r = crio_error_set(err, ENOENT, "parent layer %s not known", parent);
        substore_unlock(&s->layers);
        if (r != 0)
                return r;
        _cleanup_(store_staged_layer_freep) StoreStagedLayer *l = NULL;
        if ((r = store_layer_stage(s, input_fd, opts, &l, err)) < 0)
                return r;
        return store_layer_commit(s, l, opts->id, parent, opts->names, ret, err);
}

int store_layer_delete(Store *s, const char *key, CrioError *err) {
        _cleanup_substore_ SubStore *hl = NULL, *hi = NULL, *hc = NULL;
        int r = substore_lock(s, &s->layers, true, err);
        if (r < 0)
                return r;
        hl = &s->layers;
        if ((r = substore_lock(s, &s->images, false, err)) < 0)
                return r;
        hi = &s->images;
        if ((r = substore_lock(s, &s->containers, false, err)) < 0)
                return r;
        hc = &s->containers;
        JsonObject *o;
        if ((r = substore_lookup(&s->layers, key, &o, err)) < 0)
                return r;
        _cleanup_free_ char *id = strdup(jobj_str(o, "id"));
        if (!id)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < substore_count(&s->layers); i++)
                if (streq_null(jobj_str(substore_at(&s->layers, i), "parent"), id))
                        return crio_error_set(err, EBUSY, "layer %s has child layers", id);
        for (size_t i = 0; i < substore_count(&s->images); i++) {
                JsonObject *img = substore_at(&s->images, i);
                if (streq_null(jobj_str(img, "layer"), id) || jobj_strv_contains(img, "mapped-layers", id))
                        return crio_error_set(err, EBUSY, "layer %s is used by image %s", id, jobj_str(img, "id"));
        }
        for (size_t i = 0; i < substore_count(&s->containers); i++) {
                JsonObject *c = substore_at(&s->containers, i);
                if (streq_null(jobj_str(c, "layer"), id))
                        return crio_error_set(err, EBUSY, "layer %s is used by container %s", id, jobj_str(c, "id"));
        }
        return layers_delete_locked(s, id, err);
}
