/* Opening the store, the JSON-backed record lists with containers/storage's reload protocol,
 * and disk usage. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-internal.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

/* ---- record lists ---- */

static int substore_init(SubStore *ss, const char *what, const char *dir, const char *file, const char *lock,
                         CrioError *err) {
        ss->what = what;
        pthread_mutex_init(&ss->mutex, NULL);
        _cleanup_free_ char *lock_path = NULL;
        if (!(ss->dir = strdup(dir)) || asprintf(&ss->paths[STORE_LOC_STABLE], "%s/%s.json", dir, file) < 0 ||
            asprintf(&ss->paths[STORE_LOC_VOLATILE], "%s/volatile-%s.json", dir, file) < 0 ||
            asprintf(&lock_path, "%s/%s", dir, lock) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        int r = mkdir_p(dir, 0700, err);
        if (r < 0)
                return r;
        return lockfile_get(lock_path, &ss->lock, err);
}

static void substore_done(SubStore *ss) {
        for (int i = 0; i < STORE_LOC_MAX; i++) {
                if (ss->recs[i])
                        json_array_unref(ss->recs[i]);
                free(ss->paths[i]);
        }
        free(ss->dir);
        lockfile_unref(ss->lock);
        if (ss->what)
                pthread_mutex_destroy(&ss->mutex);
        *ss = (SubStore){};
}

static FileId file_id(const char *path) {
        struct stat st;
        if (stat(path, &st) < 0)
                return (FileId){};
        return (FileId){ .ino = st.st_ino, .mtime = st.st_mtim, .size = st.st_size, .exists = true };
}

static bool file_id_equal(const FileId *a, const FileId *b) {
        return a->exists == b->exists && a->ino == b->ino && a->size == b->size &&
               a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static int substore_load(SubStore *ss, CrioError *err) {
        JsonArray *recs[STORE_LOC_MAX] = {};
        FileId ids[STORE_LOC_MAX];
        int r = 0;
        for (int i = 0; i < STORE_LOC_MAX && r >= 0; i++) {
                ids[i] = file_id(ss->paths[i]);
                r = store_json_load(ss->paths[i], &recs[i], err);
        }
        if (r < 0) {
                for (int i = 0; i < STORE_LOC_MAX; i++)
                        if (recs[i])
                                json_array_unref(recs[i]);
                return r;
        }
        for (int i = 0; i < STORE_LOC_MAX; i++) {
                if (ss->recs[i])
                        json_array_unref(ss->recs[i]);
                ss->recs[i] = recs[i];
                ss->ids[i] = ids[i];
        }
        ss->loaded = true;
        ss->has_incomplete = false;
        for (size_t i = 0; i < substore_count(ss); i++)
                if (jobj_flag(substore_at(ss, i), STORE_INCOMPLETE_FLAG))
                        ss->has_incomplete = true;
        log_debug("storage: loaded %zu %s records from %s", substore_count(ss), ss->what, ss->dir);
        return 0;
}

/* Names must be unique within a list: containers/storage keeps the last record's claim. */
static bool substore_dedupe_names(SubStore *ss) {
        bool changed = false;
        for (size_t i = substore_count(ss); i-- > 0;) {
                _cleanup_strv_free_ char **names = jobj_strv(substore_at(ss, i), "names");
                for (char **n = names; n && *n; n++)
                        for (size_t j = 0; j < i; j++)
                                changed |= jobj_strv_remove(substore_at(ss, j), "names", *n);
        }
        return changed;
}

int substore_lock(Store *s, SubStore *ss, bool write, CrioError *err) {
        int r = lockfile_lock(ss->lock, write, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&ss->mutex);
        ss->write_locked = write;
        bool modified = false;
        r = lockfile_modified(ss->lock, ss->last_seen, &modified, err);
        for (int i = 0; i < STORE_LOC_MAX && r >= 0 && !modified; i++) {
                FileId id = file_id(ss->paths[i]);
                modified = !file_id_equal(&id, &ss->ids[i]);
        }
        if (r >= 0 && (modified || !ss->loaded))
                r = substore_load(ss, err);
        if (r >= 0 && write) {
                bool save = substore_dedupe_names(ss);
                if (ss == &s->layers && ss->has_incomplete) {
                        r = layers_remove_incomplete(s, err);
                        save = false; /* saved already */
                }
                if (r >= 0 && save)
                        r = substore_save(ss, err);
        }
        if (r < 0) {
                ss->loaded = false; /* reload next time */
                substore_unlock(ss);
                return r;
        }
        return 0;
}

void substore_unlock(SubStore *ss) {
        ss->write_locked = false;
        pthread_mutex_unlock(&ss->mutex);
        lockfile_unlock(ss->lock);
}

int substore_save(SubStore *ss, CrioError *err) {
        if (!ss->write_locked)
                return crio_error_set(err, EPERM, "saving %s records in %s: not locked for writing", ss->what, ss->dir);
        int r = 0;
        for (int i = 0; i < STORE_LOC_MAX && r >= 0; i++) {
                if (i == STORE_LOC_VOLATILE && json_array_get_length(ss->recs[i]) == 0 && !ss->ids[i].exists)
                        continue; /* containers/storage 1.43 has no such file: do not create one */
                r = store_json_save(ss->paths[i], ss->recs[i], err);
                ss->ids[i] = file_id(ss->paths[i]);
        }
        /* Touch even after a failure: other readers must not trust their copy now. */
        int k = lockfile_touch(ss->lock, ss->last_seen, r < 0 ? NULL : err);
        if (r >= 0 && k < 0)
                r = k;
        if (r < 0)
                ss->loaded = false;
        return r;
}

size_t substore_count(SubStore *ss) {
        size_t n = 0;
        for (int i = 0; i < STORE_LOC_MAX; i++)
                n += ss->recs[i] ? json_array_get_length(ss->recs[i]) : 0;
        return n;
}

JsonObject *substore_at(SubStore *ss, size_t i) {
        for (int l = 0; l < STORE_LOC_MAX; l++) {
                size_t n = ss->recs[l] ? json_array_get_length(ss->recs[l]) : 0;
                if (i < n)
                        return json_array_get_object_element(ss->recs[l], (guint) i);
                i -= n;
        }
        return NULL;
}

JsonObject *substore_find_id(SubStore *ss, const char *id) {
        for (size_t i = 0; id && i < substore_count(ss); i++) {
                JsonObject *o = substore_at(ss, i);
                if (streq_null(jobj_str(o, "id"), id))
                        return o;
        }
        return NULL;
}

JsonObject *substore_find_name(SubStore *ss, const char *name) {
        JsonObject *found = NULL;
        for (size_t i = 0; name && i < substore_count(ss); i++) {
                JsonObject *o = substore_at(ss, i);
                if (jobj_strv_contains(o, "names", name))
                        found = o; /* the last claim wins, as on load */
        }
        return found;
}

int substore_lookup(SubStore *ss, const char *key, JsonObject **ret, CrioError *err) {
        if (!key || !*key)
                return crio_error_set(err, EINVAL, "empty %s ID or name", ss->what);
        JsonObject *o = substore_find_id(ss, key);
        if (!o)
                o = substore_find_name(ss, key);
        if (!o && strlen(key) < STORE_ID_LEN) {
                size_t len = strlen(key);
                for (size_t i = 0; i < substore_count(ss); i++) {
                        JsonObject *c = substore_at(ss, i);
                        if (strncmp(jobj_str(c, "id"), key, len) != 0)
                                continue;
                        if (o)
                                return crio_error_set(err, ENOTUNIQ, "%s ID prefix \"%s\" is ambiguous", ss->what, key);
                        o = c;
                }
        }
        if (!o)
                return crio_error_set(err, ENOENT, "%s \"%s\" not known", ss->what, key);
        *ret = o;
        return 0;
}

void substore_append(SubStore *ss, JsonObject *o) {
        json_array_add_object_element(ss->recs[STORE_LOC_STABLE], json_object_ref(o));
}

bool substore_remove(SubStore *ss, const char *id) {
        for (int l = 0; l < STORE_LOC_MAX; l++)
                for (guint i = 0; ss->recs[l] && i < json_array_get_length(ss->recs[l]); i++)
                        if (streq_null(jobj_str(json_array_get_object_element(ss->recs[l], i), "id"), id)) {
                                json_array_remove_element(ss->recs[l], i);
                                return true;
                        }
        return false;
}

bool substore_take_name(SubStore *ss, const char *name, JsonObject *keep) {
        bool changed = false;
        for (size_t i = 0; i < substore_count(ss); i++) {
                JsonObject *o = substore_at(ss, i);
                if (o != keep)
                        changed |= jobj_strv_remove(o, "names", name);
        }
        return changed;
}

/* ---- open / close ---- */

void store_close(Store *s) {
        if (!s)
                return;
        substore_done(&s->layers);
        substore_done(&s->images);
        substore_done(&s->containers);
        lockfile_unref(s->graph_lock);
        lockfile_unref(s->userns_lock);
        lockfile_unref(s->mounts_lock);
        overlay_options_done(&s->overlay);
        free(s->graph_root);
        free(s->run_root);
        free(s->driver_name);
        free(s->untar_helper);
        free(s->home);
        free(s->runhome);
        free(s->mounts_path);
        free(s);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_close);

/* Creates a root directory and returns its canonical path, so that one store opened under
 * two spellings still shares one lock object per file. */
static int make_root(const char *p, char **ret, CrioError *err) {
        int r = mkdir_p(p, 0700, err);
        if (r < 0)
                return r;
        char *c = realpath(p, NULL);
        if (!c)
                return crio_error_set_errno(err, errno, "resolving %s", p);
        *ret = c;
        return 0;
}

int store_open(const StoreOptions *o, Store **ret, CrioError *err) {
        if (!o->graph_root || o->graph_root[0] != '/')
                return crio_error_set(err, EINVAL, "storage root \"%s\" is not an absolute path",
                                      o->graph_root ? o->graph_root : "");
        if (!o->run_root || o->run_root[0] != '/')
                return crio_error_set(err, EINVAL, "storage run root \"%s\" is not an absolute path",
                                      o->run_root ? o->run_root : "");
        const char *driver = o->driver_name && *o->driver_name ? o->driver_name : "overlay";
        if (strcmp(driver, "overlay") != 0 && strcmp(driver, "overlay2") != 0)
                return crio_error_set(err, EINVAL, "storage driver \"%s\" is not supported (crio supports \"overlay\")",
                                      driver);
        _cleanup_(store_closep) Store *s = calloc(1, sizeof(Store));
        if (!s)
                return crio_error_set(err, ENOMEM, "out of memory");
        int r = overlay_options_parse(o->driver_options, &s->overlay, err);
        if (r < 0)
                return r;
        /* "overlay2" is an alias: containers/storage names the directories after "overlay". */
        if ((r = make_root(o->graph_root, &s->graph_root, err)) < 0 || (r = make_root(o->run_root, &s->run_root, err)) < 0)
                return r;
        s->driver_name = strdup("overlay");
        s->untar_helper = o->untar_helper ? strdup(o->untar_helper) : NULL;
        if (!s->driver_name || (o->untar_helper && !s->untar_helper) ||
            asprintf(&s->home, "%s/overlay", s->graph_root) < 0 || asprintf(&s->runhome, "%s/overlay", s->run_root) < 0 ||
            asprintf(&s->mounts_path, "%s/overlay-layers/mountpoints.json", s->run_root) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");

        /* The layout containers/storage's store creates on first use. */
        static const char *const graph_dirs[] = { "", "mounts", "tmp", "overlay" };
        static const char *const run_dirs[] = { "", "overlay-containers", "overlay-locks", "overlay-layers" };
        for (size_t i = 0; i < ELEMENTSOF(graph_dirs) + ELEMENTSOF(run_dirs); i++) {
                _cleanup_free_ char *p = NULL;
                bool g = i < ELEMENTSOF(graph_dirs);
                const char *sub = g ? graph_dirs[i] : run_dirs[i - ELEMENTSOF(graph_dirs)];
                if (asprintf(&p, "%s%s%s", g ? s->graph_root : s->run_root, *sub ? "/" : "", sub) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                if ((r = mkdir_p(p, 0700, err)) < 0)
                        return r;
        }
        _cleanup_free_ char *p1 = NULL, *p2 = NULL, *p3 = NULL;
        if (asprintf(&p1, "%s/storage.lock", s->graph_root) < 0 || asprintf(&p2, "%s/userns.lock", s->graph_root) < 0 ||
            asprintf(&p3, "%s/overlay-layers/mountpoints.lock", s->run_root) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = lockfile_get(p1, &s->graph_lock, err)) < 0 || (r = lockfile_get(p2, &s->userns_lock, err)) < 0 ||
            (r = lockfile_get(p3, &s->mounts_lock, err)) < 0)
                return r;
        if ((r = overlay_init(s->home, s->runhome, &s->overlay, err)) < 0)
                return crio_error_prefix(err, "setting up the overlay driver in %s: ", s->home);

        _cleanup_free_ char *ld = NULL, *id = NULL, *cd = NULL;
        if (asprintf(&ld, "%s/overlay-layers", s->graph_root) < 0 || asprintf(&id, "%s/overlay-images", s->graph_root) < 0 ||
            asprintf(&cd, "%s/overlay-containers", s->graph_root) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = substore_init(&s->layers, "layer", ld, "layers", "layers.lock", err)) < 0 ||
            (r = substore_init(&s->images, "image", id, "images", "images.lock", err)) < 0 ||
            (r = substore_init(&s->containers, "container", cd, "containers", "containers.lock", err)) < 0)
                return r;

        /* Load everything once with the write locks, as containers/storage does at start-up:
         * this removes incomplete layers and duplicate names left behind. */
        SubStore *all[] = { &s->layers, &s->images, &s->containers };
        for (size_t i = 0; i < ELEMENTSOF(all); i++) {
                if ((r = substore_lock(s, all[i], true, err)) < 0)
                        return r;
                if (all[i] == &s->layers)
                        r = overlay_staging_cleanup(s->home, err);
                substore_unlock(all[i]);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

const char *store_graph_root(const Store *s) {
        return s->graph_root;
}
const char *store_run_root(const Store *s) {
        return s->run_root;
}
const char *store_driver_name(const Store *s) {
        return s->driver_name;
}

int store_shutdown(Store *s, bool force, CrioError *err) {
        int r = lockfile_lock(s->graph_lock, true, err);
        if (r < 0)
                return r;
        _cleanup_substore_ SubStore *held = NULL;
        if ((r = substore_lock(s, &s->layers, true, err)) >= 0) {
                held = &s->layers;
                size_t mounted = 0;
                for (size_t i = 0; i < substore_count(&s->layers) && r >= 0; i++) {
                        const char *id = jobj_str(substore_at(&s->layers, i), "id");
                        int count = 0;
                        r = mounts_count(s, id, &count, err);
                        if (r >= 0 && count > 0 && force)
                                r = mounts_force_unmount(s, id, err);
                        else if (r >= 0 && count > 0)
                                mounted++;
                }
                if (r >= 0 && mounted > 0)
                        r = crio_error_set(err, EBUSY, "%zu layers in %s are still mounted", mounted, s->graph_root);
                if (r >= 0 && !s->overlay.skip_mount_home)
                        r = overlay_release_home(s->home, err);
                if (r >= 0)
                        r = lockfile_touch(s->graph_lock, NULL, err);
        }
        if (held) {
                substore_unlock(held);
                held = NULL;
        }
        lockfile_unlock(s->graph_lock);
        return r;
}

/* ---- usage ---- */

typedef struct InodeSet {
        GHashTable *seen;
        uint64_t bytes, inodes;
} InodeSet;

static int usage_walk(int dfd, dev_t dev, InodeSet *u, unsigned depth, CrioError *err) {
        if (depth > 4096)
                return crio_error_set(err, ELOOP, "measuring the store: directories nested too deeply");
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return crio_error_set_errno(err, errno, "measuring the store: reading a directory");
        }
        struct dirent *de;
        int r = 0;
        while (r >= 0 && (de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue; /* removed meanwhile */
                if (st.st_dev != dev)
                        continue; /* a mount point (a container's rootfs): not ours to count */
                if (st.st_nlink > 1 && !S_ISDIR(st.st_mode)) {
                        guint64 key = ((guint64) st.st_dev << 40) ^ (guint64) st.st_ino;
                        if (g_hash_table_contains(u->seen, &key))
                                continue;
                        guint64 *k = g_new(guint64, 1);
                        *k = key;
                        g_hash_table_add(u->seen, k);
                }
                u->inodes++;
                u->bytes += (uint64_t) st.st_blocks * 512;
                if (S_ISDIR(st.st_mode)) {
                        int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd >= 0)
                                r = usage_walk(fd, dev, u, depth + 1, err);
                }
        }
        closedir(d);
        return r;
}

int store_usage(Store *s, uint64_t *ret_bytes, uint64_t *ret_inodes, CrioError *err) {
        int fd = open(s->graph_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "opening %s", s->graph_root);
        struct stat st;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return crio_error_set_errno(err, errno, "checking %s", s->graph_root);
        }
        InodeSet u = { .seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL), .inodes = 1,
                       .bytes = (uint64_t) st.st_blocks * 512 };
        int r = usage_walk(fd, st.st_dev, &u, 0, err);
        g_hash_table_destroy(u.seen);
        if (r < 0)
                return crio_error_prefix(err, "%s: ", s->graph_root);
        *ret_bytes = u.bytes;
        *ret_inodes = u.inodes;
        return 0;
}
