/* Internals shared by store*.c. Not for use outside src/storage/. */
#pragma once

#include <json-glib/json-glib.h>
#include <pthread.h>
#include <sys/stat.h>

#include "chainid.h"
#include "util/cleanup.h"
#include "lockfile.h"
#include "overlay.h"
#include "store.h"

/* Named limits on what we read back from disk (other processes write these files too). */
#define STORE_JSON_MAX (256u << 20)     /* layers.json, images.json, containers.json */
#define STORE_MOUNTS_MAX (16u << 20)    /* mountpoints.json */
#define STORE_BIG_DATA_MAX (64u << 20)  /* one big-data item read back */
#define STORE_IDSET_MAX 65536u          /* distinct uids (gids) recorded per layer */

/* The flag containers/storage sets on a layer while it is being written or deleted. */
#define STORE_INCOMPLETE_FLAG "incomplete"

enum { STORE_LOC_STABLE, STORE_LOC_VOLATILE, STORE_LOC_MAX };

typedef struct FileId {
        ino_t ino;
        struct timespec mtime;
        off_t size;
        bool exists;
} FileId;

/* One JSON-backed record list (layers, images or containers) and the lock guarding it.
 * The records are kept as parsed JSON objects, so that fields we do not know (uidmap,
 * flags, mapped-layers, …) survive our rewrites. containers/storage 1.45 may keep records
 * in a second, "volatile-*.json" file beside the first: both are read and each record is
 * written back to the file it came from. */
typedef struct SubStore {
        const char *what;                /* "layer", "image", "container": for messages */
        char *dir;                       /* e.g. <graph_root>/overlay-layers */
        char *paths[STORE_LOC_MAX];      /* layers.json, volatile-layers.json */
        LockFile *lock;
        pthread_mutex_t mutex;           /* guards everything below; held while locked */
        JsonArray *recs[STORE_LOC_MAX];
        FileId ids[STORE_LOC_MAX];
        uint8_t last_seen[LOCKFILE_TOKEN_SIZE];
        bool loaded;
        bool write_locked;
        bool has_incomplete;             /* a loaded record carries the incomplete flag */
} SubStore;

struct Store {
        char *graph_root, *run_root, *driver_name, *untar_helper;
        char *home, *runhome;            /* <graph_root>/overlay, <run_root>/overlay */
        OverlayOptions overlay;
        LockFile *graph_lock;            /* <graph_root>/storage.lock */
        LockFile *userns_lock;           /* <graph_root>/userns.lock (created, never taken) */
        LockFile *mounts_lock;           /* <run_root>/overlay-layers/mountpoints.lock */
        char *mounts_path;               /* <run_root>/overlay-layers/mountpoints.json */
        SubStore layers, images, containers;
};

/* ---- store.c: record lists ---- */

/* Takes ss's lock (shared or exclusive) and brings the records up to date. With the write
 * lock, the layer list also drops layers a crashed writer left incomplete. */
int substore_lock(Store *s, SubStore *ss, bool write, CrioError *err);
void substore_unlock(SubStore *ss);
static inline void substore_unlockp(SubStore **ss) {
        if (*ss)
                substore_unlock(*ss);
}
#define _cleanup_substore_ _cleanup_(substore_unlockp)

/* With the write lock: writes the JSON files atomically and touches the lock file. */
int substore_save(SubStore *ss, CrioError *err);

size_t substore_count(SubStore *ss);
/* The i-th record over both files (borrowed). */
JsonObject *substore_at(SubStore *ss, size_t i);
JsonObject *substore_find_id(SubStore *ss, const char *id);
JsonObject *substore_find_name(SubStore *ss, const char *name);
/* By ID, then name, then unique ID prefix: 0, -ENOENT or -ENOTUNIQ (err says which). */
int substore_lookup(SubStore *ss, const char *key, JsonObject **ret, CrioError *err);
/* Appends a record to the stable file (takes a reference). */
void substore_append(SubStore *ss, JsonObject *o);
/* Removes the record with that ID. Returns true if there was one. */
bool substore_remove(SubStore *ss, const char *id);
/* Removes name from every record but keep (containers/storage moves names). Returns true if
 * something changed. */
bool substore_take_name(SubStore *ss, const char *name, JsonObject *keep);

/* ---- store-json.c: JSON helpers ---- */

int store_json_load(const char *path, JsonArray **ret, CrioError *err);
int store_json_save(const char *path, JsonArray *a, CrioError *err);
char *store_json_to_data(JsonNode *root, size_t *ret_len);

const char *jobj_str(JsonObject *o, const char *member);
/* -1 if absent or not an integer. */
int64_t jobj_int(JsonObject *o, const char *member);
/* A copy of a string array member (never NULL on success; NULL only on ENOMEM). */
char **jobj_strv(JsonObject *o, const char *member);
bool jobj_strv_contains(JsonObject *o, const char *member, const char *s);
/* Sets a string member, or removes it for NULL or "" (Go's omitempty). */
void jobj_set_str(JsonObject *o, const char *member, const char *s);
void jobj_set_int(JsonObject *o, const char *member, int64_t v);
/* Adds s to a string array member unless present; front puts it first. Returns true if added. */
bool jobj_strv_add(JsonObject *o, const char *member, const char *s, bool front);
/* Removes s from a string array member (the member goes when empty). Returns true if removed. */
bool jobj_strv_remove(JsonObject *o, const char *member, const char *s);
/* flags[flag] == true */
bool jobj_flag(JsonObject *o, const char *flag);
void jobj_set_flag(JsonObject *o, const char *flag, bool on);
/* map member[key] = value */
void jobj_map_set_int(JsonObject *o, const char *member, const char *key, int64_t v);
void jobj_map_set_str(JsonObject *o, const char *member, const char *key, const char *v);
int64_t jobj_map_int(JsonObject *o, const char *member, const char *key);
const char *jobj_map_str(JsonObject *o, const char *member, const char *key);

/* ---- store-layers.c ---- */

int store_layer_from_json(JsonObject *o, StoreLayer **ret, CrioError *err);
/* With layers write-locked: removes every layer flagged incomplete (contents and record). */
int layers_remove_incomplete(Store *s, CrioError *err);
/* With layers write-locked: deletes layer id (unmounting it first), and saves. */
int layers_delete_locked(Store *s, const char *id, CrioError *err);
/* With layers and containers write-locked: creates an empty read-write layer on parent
 * (for a container). */
int layers_create_rw_locked(Store *s, const char *id, const char *parent, char *const *names, CrioError *err);

/* ---- store-tarsplit.c ---- */

typedef struct TarSplit TarSplit;
typedef struct TarSplitPump TarSplitPump;

/* Starts a thread that copies input_fd to *ret_read_fd (to hand to layer_apply()) and
 * builds the layer's tar-split record on the way. Close *ret_read_fd, then call
 * tarsplit_pump_finish() (which returns the record builder and sets the input's read
 * error, 0 if none). */
int tarsplit_pump_start(int input_fd, TarSplitPump **ret, int *ret_read_fd, CrioError *err);
TarSplit *tarsplit_pump_finish(TarSplitPump *p, int *ret_read_error);
/* The gzip'd record (borrowed), or false if this layer gets none. */
bool tarsplit_result(TarSplit *t, const void **ret, size_t *ret_len);
/* containers/storage's "compression" value for what the input was. */
int tarsplit_compression(const TarSplit *t);
void tarsplit_free(TarSplit *t);

/* ---- store-images.c ---- */

/* With images locked: an image by digest, ID, name or unique ID prefix (borrowed). */
int images_lookup_locked(Store *s, const char *key, JsonObject **ret, CrioError *err);

/* ---- store-mounts.c ---- */

/* With layers locked: the layer's mount count per mountpoints.json (takes its lock). */
int mounts_count(Store *s, const char *layer_id, int *ret, CrioError *err);
/* With layers write-locked: unmounts layer_id completely if mounted. */
int mounts_force_unmount(Store *s, const char *layer_id, CrioError *err);
/* store_layer_mount with an SELinux label for a fresh mount (NULL: none). */
int layers_mount_labelled(Store *s, const char *layer_id, const char *mount_label, char **ret_path, CrioError *err);
