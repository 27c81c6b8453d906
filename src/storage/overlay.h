/* The overlay graph driver, laid out as containers/storage's drivers/overlay (1.43) does:
 *
 *   <graph_root>/overlay/                 "home": a private bind mount of itself (MakePrivate)
 *       .has-mount-program                "false" (native overlay) or "true" (fuse-overlayfs)
 *       l/<LINK>  -> ../<id>/diff          26-character base32 short names, for short mount data
 *       <id>/diff                         the layer's files (upper dir of a container layer)
 *       <id>/link                         LINK (no newline)
 *       <id>/lower                        "l/<parent LINK>:l/<grandparent LINK>:…" (not for base layers)
 *       <id>/empty                        base layers only: the lowerdir used to mount them alone
 *       <id>/work, <id>/merged            overlay workdir and mount point
 *   <run_root>/overlay/                   "runhome": cached feature checks ("overlay-true", …)
 *
 * Our own staging directories ("crio-staging-*", a layer being extracted) also live in home,
 * because a rename into <id>/diff cannot cross the home bind mount. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

#define OVERLAY_MAX_LOWERS 500 /* the new mount API's practical limit (deps.md) */

typedef struct OverlayOptions {
        char *mount_options; /* "overlay.mountopt": comma-separated; NULL for none */
        bool skip_mount_home;
} OverlayOptions;

void overlay_options_done(OverlayOptions *o);
/* Parses storage driver options ("overlay.mountopt=nodev", "overlay2.skip_mount_home=true",
 * …) as containers/storage does. Options that need what we do not implement (a mount
 * program, quotas, additional image stores, force_mask) fail with -ENOTSUP; unknown ones
 * with -EINVAL. */
int overlay_options_parse(char *const *driver_options, OverlayOptions *ret, CrioError *err);

/* Creates home and runhome, checks that the backing file system supports native overlay
 * (cached in runhome as containers/storage caches it), records ".has-mount-program", and
 * makes home a private mount unless skip_mount_home. */
int overlay_init(const char *home, const char *runhome, const OverlayOptions *o, CrioError *err);
/* Undoes the private bind mount of home (containers/storage's driver Cleanup). */
int overlay_release_home(const char *home, CrioError *err);

/* A directory to extract a layer into before it gets an ID. */
typedef struct OverlayStaging {
        char *dir;   /* home/crio-staging-XXXXXX */
        char *diff;  /* dir/diff: the extraction target */
        int lock_fd; /* flock'd while in use, so that cleanup leaves it alone */
} OverlayStaging;

int overlay_staging_new(const char *home, mode_t diff_mode, OverlayStaging *ret, CrioError *err);
/* Removes what is left of the staging directory and releases it. Accepts a zeroed one. */
void overlay_staging_done(OverlayStaging *st);
/* Removes staging directories no live process holds (left by a crash). */
int overlay_staging_cleanup(const char *home, CrioError *err);

/* The mode a new layer's diff gets: the parent's diff mode, or 0555 for a base layer. */
int overlay_diff_mode(const char *home, const char *parent, mode_t *ret, CrioError *err);

/* Creates layer id's directory: diff (moved from staged_diff, or new and empty), link and
 * l/ symlink, work, merged, and lower (or empty for a base layer). A pre-existing directory
 * for id is removed first, as containers/storage does. */
int overlay_layer_create(const char *home, const char *id, const char *parent, const char *staged_diff, CrioError *err);
/* Removes layer id's directory and its l/ link. Absent is not an error. */
int overlay_layer_remove(const char *home, const char *id, CrioError *err);

/* Mounts layer id read-write (its diff as upperdir over its lowers) on home/id/merged and
 * returns that path (caller frees). mount_options: extra options ("nodev,metacopy=on"). */
int overlay_mount(const char *home, const char *id, const char *mount_options, char **ret_path, CrioError *err);
/* Unmounts home/id/merged (lazily) and removes the directory, as the driver's Put does. */
int overlay_unmount(const char *home, const char *id, CrioError *err);
/* True if path is the root of an overlay mount. */
bool overlay_mounted(const char *path);
