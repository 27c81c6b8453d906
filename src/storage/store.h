/* The image, layer and container store, on disk as containers/storage 1.43 (Debian 12's
 * podman 4.3, skopeo 1.9, buildah) keeps it with the overlay driver, so that crio and those
 * tools can use one store at the same time. docs/storage.md describes every file.
 *
 *   <graph_root>/storage.lock, userns.lock, mounts/, tmp/
 *   <graph_root>/overlay/…                            layer contents (see overlay.h)
 *   <graph_root>/overlay-layers/layers.json, layers.lock
 *   <graph_root>/overlay-images/images.json, images.lock, <id>/<big data files>
 *   <graph_root>/overlay-containers/containers.json, containers.lock, <id>/userdata/
 *   <run_root>/overlay-layers/mountpoints.json, mountpoints.lock
 *   <run_root>/overlay-containers/<id>/userdata/, <run_root>/overlay-locks/, <run_root>/overlay/
 *
 * Every function may be called from any thread. Readers share the lock files, writers take
 * them exclusively, always in the order storage.lock, layers.lock, images.lock,
 * containers.lock, mountpoints.lock (containers/storage's order). Long work (extracting a
 * layer) happens before any lock is taken.
 *
 * Errors follow util/error.h; lookups of something absent return -ENOENT, an ambiguous ID
 * prefix -ENOTUNIQ, something in use -EBUSY. Returned records are copies owned by the
 * caller. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct Store Store;

typedef struct StoreOptions {
        const char *graph_root;      /* absolute; created if missing */
        const char *run_root;        /* absolute; created if missing */
        const char *driver_name;     /* "overlay" (or its alias "overlay2"); NULL or "" means overlay */
        char *const *driver_options; /* NULL-terminated, e.g. "overlay.mountopt=nodev,metacopy=on" */
        const char *untar_helper;    /* the crio-untar program for layer_apply(); NULL: the installed one */
} StoreOptions;

/* Opens (and on first use creates) the store. Removes what a crashed writer left: layers
 * flagged "incomplete" and abandoned extraction directories. */
int store_open(const StoreOptions *o, Store **ret, CrioError *err);
/* Frees the handle. Mounts stay as they are (containers keep running). Accepts NULL. */
void store_close(Store *s);
/* containers/storage's Shutdown: with force, unmounts every layer mounted through the
 * store's bookkeeping; then, if none is left mounted, undoes the private mount of the
 * overlay home. Returns -EBUSY if layers are still mounted. */
int store_shutdown(Store *s, bool force, CrioError *err);

const char *store_graph_root(const Store *s);
const char *store_run_root(const Store *s);
const char *store_driver_name(const Store *s);

/* ---- layers ---- */

typedef struct StoreLayer {
        char *id;
        char **names;              /* NULL-terminated, never NULL */
        char *parent;              /* NULL for a base layer */
        char *metadata;            /* NULL if none */
        char *created;             /* RFC 3339, as stored; NULL if unknown */
        char *compressed_digest;   /* "sha256:…" of the blob as received; NULL if unknown */
        int64_t compressed_size;   /* -1 if unknown */
        char *diff_digest;         /* "sha256:…" of the uncompressed tar (the diff ID); NULL if unknown */
        int64_t diff_size;         /* -1 if unknown */
        bool incomplete;           /* flagged "incomplete" (being written or left by a crash) */
} StoreLayer;

void store_layer_free(StoreLayer *l);
/* Frees a NULL-terminated array of layers and the array. Accepts NULL. */
void store_layer_list_free(StoreLayer **v);

/* All layers, in store order. */
int store_layers(Store *s, StoreLayer ***ret, CrioError *err);
/* A layer by ID, name or unique ID prefix. */
int store_layer_get(Store *s, const char *key, StoreLayer **ret, CrioError *err);

typedef struct StoreLayerCreateOptions {
        const char *id;                   /* NULL: the ID containers/image gives it (chainid.h) */
        const char *parent;               /* parent layer ID, NULL for a base layer */
        char *const *names;               /* optional */
        const char *expected_diff_digest; /* verified while extracting, if set */
        const char *expected_compressed_digest; /* the blob's digest, verified, if set */
        int64_t expected_compressed_size; /* the blob's size, verified when > 0 */
        uint64_t max_diff_size;           /* uncompressed bytes; 0: no limit */
} StoreLayerCreateOptions;

/* Reads a layer (tar, tar+gzip or tar+zstd) from input_fd to its end, extracts it with
 * layer_apply() and adds it. Returns 0 with the new layer, or 1 with the existing layer
 * when a layer with that ID already exists (identical layers are stored once: if opts->id
 * is given and exists, input_fd is not read at all). */
int store_layer_create(Store *s, int input_fd, const StoreLayerCreateOptions *opts, StoreLayer **ret, CrioError *err);
/* Two steps of store_layer_create for callers that extract layers in parallel and add them in
 * order: store_layer_stage() extracts (no lock held; the parent need not exist yet; id,
 * parent and names of opts are ignored) and verifies the digests and size; store_layer_commit()
 * records it under id (NULL: derived from parent and the diff digest), returning 0 with the
 * new layer or 1 with an identical existing one. A staged layer not committed is removed by
 * store_staged_layer_free (and by the next store_open after a crash). */
typedef struct StoreStagedLayer StoreStagedLayer;
int store_layer_stage(Store *s, int input_fd, const StoreLayerCreateOptions *opts, StoreStagedLayer **ret,
                      CrioError *err);
int store_layer_commit(Store *s, StoreStagedLayer *l, const char *id, const char *parent, char *const *names,
                       StoreLayer **ret, CrioError *err);
const char *store_staged_layer_diff_digest(const StoreStagedLayer *l);
const char *store_staged_layer_compressed_digest(const StoreStagedLayer *l);
void store_staged_layer_free(StoreStagedLayer *l);
static inline void store_staged_layer_freep(StoreStagedLayer **l) {
        store_staged_layer_free(*l);
}

/* Deletes a layer: -EBUSY if it has children or an image or container uses it. A mounted
 * layer is unmounted first. */
int store_layer_delete(Store *s, const char *id, CrioError *err);

/* ---- images ---- */

typedef struct StoreImage {
        char *id;
        char **names;           /* never NULL */
        char **names_history;   /* never NULL; newest first */
        char *digest;           /* "sha256:…" of its manifest; NULL if unknown */
        char **digests;         /* digest plus the digests of every "manifest*" big-data item */
        char *top_layer;        /* NULL for an image without layers */
        char *metadata;
        char *created;
        char **big_data_names;  /* never NULL */
        int64_t *big_data_sizes; /* parallel to big_data_names; -1 if unknown */
} StoreImage;

void store_image_free(StoreImage *i);
void store_image_list_free(StoreImage **v);

int store_images(Store *s, StoreImage ***ret, CrioError *err);
/* An image by ID, name (exact, as stored: "docker.io/library/busybox:latest"), digest
 * ("sha256:…" of one of its manifests) or unique ID prefix. */
int store_image_get(Store *s, const char *key, StoreImage **ret, CrioError *err);
/* Bytes an image occupies: its layers' diff sizes plus its big-data items, as
 * containers/storage's ImageSize counts them. */
int store_image_size(Store *s, const char *id, uint64_t *ret, CrioError *err);
/* Reads one big-data item (e.g. "manifest", or the config under its digest). */
int store_image_big_data(Store *s, const char *id, const char *key, char **ret, size_t *ret_len, CrioError *err);

typedef struct StoreImageCreateOptions {
        const char *id;              /* the config digest's hex; required */
        char *const *names;          /* taken from any other image that has them */
        const char *top_layer;       /* NULL for no layers */
        const char *metadata;        /* NULL for none */
        const char *created;         /* RFC 3339 (the config's "created"); NULL: now */
        const void *manifest;        /* required */
        size_t manifest_len;
        const char *manifest_digest; /* NULL: sha256 of manifest */
        const void *config;          /* optional; stored under the key "sha256:<id>" */
        size_t config_len;
        const void *toplevel_manifest; /* optional: the manifest list / index it was pulled through, */
        size_t toplevel_len;           /* stored as "manifest-<toplevel_digest>" (its digest joins */
        const char *toplevel_digest;   /* the image's digests, as containers/image records it) */
} StoreImageCreateOptions;

/* Adds an image as containers/image's storage destination does: the manifest stored under
 * "manifest-<digest>" and "manifest", the config under its digest, "digest" set to the
 * manifest digest. An image with that ID and top layer already there gets the names (and any
 * missing big data) and the call returns 1; with another top layer it fails with -EEXIST. */
int store_image_create(Store *s, const StoreImageCreateOptions *o, StoreImage **ret, CrioError *err);
int store_image_add_names(Store *s, const char *id, char *const *names, CrioError *err);
int store_image_remove_names(Store *s, const char *id, char *const *names, CrioError *err);
/* Deletes an image and those of its layers no other image or container needs. -EBUSY if a
 * container uses it. */
int store_image_delete(Store *s, const char *id, CrioError *err);

/* ---- containers ---- */

typedef struct StoreContainer {
        char *id;
        char **names;
        char *image;    /* image ID ("" for none) */
        char *layer;    /* its read-write layer */
        char *metadata;
        char *created;
} StoreContainer;

void store_container_free(StoreContainer *c);
void store_container_list_free(StoreContainer **v);

typedef struct StoreContainerCreateOptions {
        const char *id;        /* NULL: random */
        char *const *names;    /* must not be in use */
        const char *image;     /* image ID, name or digest; required */
        const char *metadata;  /* NULL for none */
} StoreContainerCreateOptions;

/* Records a container with a new read-write layer on top of the image's top layer, and
 * creates its userdata directories under the graph and run roots. */
int store_container_create(Store *s, const StoreContainerCreateOptions *o, StoreContainer **ret, CrioError *err);
int store_containers(Store *s, StoreContainer ***ret, CrioError *err);
int store_container_get(Store *s, const char *key, StoreContainer **ret, CrioError *err);
/* Deletes the record, its layer (unmounted first) and its userdata directories. */
int store_container_delete(Store *s, const char *id, CrioError *err);
/* <graph_root>/overlay-containers/<id>/userdata (or under the run root if run). */
int store_container_dir(Store *s, const char *id, bool run, char **ret, CrioError *err);

/* Mounts the container's layer (overlay over the image's layers) and returns the mount
 * point; reference-counted in mountpoints.json, as containers/storage counts. mount_label
 * (NULL: none) is the SELinux label the whole file system gets when it is mounted afresh
 * (the overlay option context="<label>", as containers/storage's MountLabel). */
int store_container_mount(Store *s, const char *id, const char *mount_label, char **ret_path, CrioError *err);
/* Drops one reference (all with force) and unmounts at zero. Returns the references left. */
int store_container_unmount(Store *s, const char *id, bool force, CrioError *err);
/* The same for any layer. */
int store_layer_mount(Store *s, const char *layer_id, char **ret_path, CrioError *err);
int store_layer_unmount(Store *s, const char *layer_id, bool force, CrioError *err);
/* Current mount count of a layer (0 if not mounted). */
int store_layer_mount_count(Store *s, const char *layer_id, int *ret, CrioError *err);

/* ---- usage ---- */

/* Bytes (allocated blocks) and inodes used under the graph root, each inode counted once,
 * not crossing into other file systems (container mounts). For ImageFsInfo. */
int store_usage(Store *s, uint64_t *ret_bytes, uint64_t *ret_inodes, CrioError *err);
