#include "overlay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "chainid.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/rmrf.h"
#include "util/strv.h"

#define OVERLAYFS_MAGIC 0x794c7630
#define STAGING_PREFIX "crio-staging-"

void overlay_options_done(OverlayOptions *o) {
        if (!o)
                return;
        free(o->mount_options);
        o->mount_options = NULL;
}

static int parse_bool(const char *v, bool *ret) {
        static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcmp(v, yes[i]) == 0)
                        return *ret = true, 0;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcmp(v, no[i]) == 0)
                        return *ret = false, 0;
        return -EINVAL;
}

int overlay_options_parse(char *const *driver_options, OverlayOptions *ret, CrioError *err) {
        OverlayOptions o = {};
        for (char *const *p = driver_options; p && *p; p++) {
                const char *eq = strchr(*p, '=');
                if (!eq) {
                        overlay_options_done(&o);
                        return crio_error_set(err, EINVAL, "storage option \"%s\" is not key=value", *p);
                }
                _cleanup_free_ char *key = strndup(*p, (size_t) (eq - *p));
                if (!key) {
                        overlay_options_done(&o);
                        return crio_error_set(err, ENOMEM, "parsing storage options: out of memory");
                }
                for (char *c = key; *c; c++)
                        *c = (char) (*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
                const char *k = key;
                if (str_startswith(k, "overlay."))
                        k += strlen("overlay.");
                else if (str_startswith(k, "overlay2."))
                        k += strlen("overlay2.");
                if (*k == '.')
                        k++;
                const char *val = eq + 1;
                int r = 0;
                if (strcmp(k, "mountopt") == 0) {
                        free(o.mount_options);
                        o.mount_options = *val ? strdup(val) : NULL;
                        if (*val && !o.mount_options)
                                r = crio_error_set(err, ENOMEM, "parsing storage options: out of memory");
                } else if (strcmp(k, "skip_mount_home") == 0) {
                        if (parse_bool(val, &o.skip_mount_home) < 0)
                                r = crio_error_set(err, EINVAL, "storage option %s: \"%s\" is not a boolean", key, val);
                } else if (strcmp(k, "ignore_chown_errors") == 0) {
                        bool b;
                        if (parse_bool(val, &b) < 0)
                                r = crio_error_set(err, EINVAL, "storage option %s: \"%s\" is not a boolean", key, val);
                } else if (strcmp(k, "override_kernel_check") == 0) {
                        /* no longer necessary, ignored (as containers/storage does) */
                } else if (strcmp(k, "mount_program") == 0 || strcmp(k, "force_mask") == 0 ||
                           strcmp(k, "size") == 0 || strcmp(k, "inodes") == 0 || strcmp(k, "imagestore") == 0 ||
                           strcmp(k, "additionalimagestore") == 0 || strcmp(k, "additionallayerstore") == 0) {
                        if (*val)
                                r = crio_error_set(err, ENOTSUP, "storage option %s is not supported by crio's overlay driver",
                                                   key);
                } else
                        r = crio_error_set(err, EINVAL, "overlay: unknown storage option %s", key);
                if (r < 0) {
                        overlay_options_done(&o);
                        return r;
                }
        }
        *ret = o;
        return 0;
}

static int mkdir_mode(const char *path, mode_t mode, bool exist_ok, CrioError *err) {
        if (mkdir(path, mode) < 0) {
                if (errno == EEXIST && exist_ok)
                        return 0;
                return crio_error_set_errno(err, errno, "creating %s", path);
        }
        if (chmod(path, mode) < 0) /* not subject to the umask */
                return crio_error_set_errno(err, errno, "setting the mode of %s", path);
        return 0;
}

static int write_small(const char *path, const char *data, mode_t mode, CrioError *err) {
        return write_file_atomic(path, data, strlen(data), mode, err);
}

/* ---- mounting ---- */

typedef struct MountOpts {
        unsigned attrs;         /* MOUNT_ATTR_* for the new API */
        unsigned long flags;    /* MS_* for mount(2) */
        char **keys, **values;  /* fs options; values[i] NULL for a flag */
        size_t n;
} MountOpts;

static void mount_opts_done(MountOpts *m) {
        for (size_t i = 0; i < m->n; i++) {
                free(m->keys[i]);
                free(m->values[i]);
        }
        free(m->keys);
        free(m->values);
        *m = (MountOpts){};
}

static int mount_opts_parse(const char *s, MountOpts *ret, CrioError *err) {
        static const struct {
                const char *name;
                unsigned attr;
                unsigned long flag;
        } table[] = {
                { "nodev", MOUNT_ATTR_NODEV, MS_NODEV },       { "nosuid", MOUNT_ATTR_NOSUID, MS_NOSUID },
                { "noexec", MOUNT_ATTR_NOEXEC, MS_NOEXEC },    { "ro", MOUNT_ATTR_RDONLY, MS_RDONLY },
                { "noatime", MOUNT_ATTR_NOATIME, MS_NOATIME }, { "nodiratime", MOUNT_ATTR_NODIRATIME, MS_NODIRATIME },
                { "relatime", MOUNT_ATTR_RELATIME, MS_RELATIME }, { "strictatime", MOUNT_ATTR_STRICTATIME, MS_STRICTATIME },
                { "rw", 0, 0 }, { "dev", 0, 0 }, { "suid", 0, 0 }, { "exec", 0, 0 },
        };
        MountOpts m = {};
        _cleanup_free_ char *copy = s ? strdup(s) : NULL;
        if (s && !copy)
                return crio_error_set(err, ENOMEM, "parsing mount options: out of memory");
        /* Options are split at commas outside double quotes (context="u:r:t:s0:c1,c2"). */
        for (char *next = copy; next && *next;) {
                char *tok = next;
                bool quoted = false;
                char *p = tok;
                for (; *p && (quoted || *p != ','); p++)
                        if (*p == '"')
                                quoted = !quoted;
                next = *p ? p + 1 : NULL;
                *p = '\0';
                if (!*tok)
                        continue;
                bool known = false;
                for (size_t i = 0; i < ELEMENTSOF(table); i++)
                        if (strcmp(tok, table[i].name) == 0) {
                                m.attrs |= table[i].attr;
                                m.flags |= table[i].flag;
                                known = true;
                        }
                if (known)
                        continue;
                if (str_startswith(tok, "lowerdir") || str_startswith(tok, "upperdir") || str_startswith(tok, "workdir")) {
                        mount_opts_done(&m);
                        return crio_error_set(err, EINVAL, "mount option \"%s\" is set by the overlay driver itself", tok);
                }
                char **k = realloc(m.keys, (m.n + 1) * sizeof(char *));
                if (k)
                        m.keys = k;
                char **v = realloc(m.values, (m.n + 1) * sizeof(char *));
                if (v)
                        m.values = v;
                char *eq = strchr(tok, '=');
                if (!k || !v || !(m.keys[m.n] = eq ? strndup(tok, (size_t) (eq - tok)) : strdup(tok))) {
                        mount_opts_done(&m);
                        return crio_error_set(err, ENOMEM, "parsing mount options: out of memory");
                }
                /* A quoted value is kept without its quotes (fsconfig takes it so). */
                size_t vlen = eq ? strlen(eq + 1) : 0;
                m.values[m.n] = !eq ? NULL
                                : vlen >= 2 && eq[1] == '"' && eq[vlen] == '"' ? strndup(eq + 2, vlen - 2)
                                                                               : strdup(eq + 1);
                m.n++;
                if (eq && !m.values[m.n - 1]) {
                        mount_opts_done(&m);
                        return crio_error_set(err, ENOMEM, "parsing mount options: out of memory");
                }
        }
        *ret = m;
        return 0;
}

/* Appends the kernel's messages from an fs context ("e overlay: …") to buf. */
static void read_fs_messages(int fsfd, char *buf, size_t size) {
        size_t used = strlen(buf);
        char line[512];
        for (;;) {
                ssize_t n = read(fsfd, line, sizeof(line) - 1);
                if (n <= 0)
                        break;
                line[n] = '\0';
                if (used + 3 < size) {
                        int w = snprintf(buf + used, size - used, "%s%s", used ? "; " : "", line);
                        if (w > 0)
                                used += (size_t) w < size - used ? (size_t) w : size - used - 1;
                }
        }
}

static int mount_new_api(char *const *lowers, const char *upper, const char *work, const MountOpts *o,
                         const char *target, CrioError *err) {
        _cleanup_close_ int fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return -errno;
        char msg[1024] = "";
        const char *what = NULL;
        int e = 0;
        for (char *const *l = lowers; *l && !e; l++)
                if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", *l, 0) < 0) {
                        e = errno;
                        if (l == lowers && e == EINVAL) {
                                /* "lowerdir+" is new in Linux 6.8: let the caller fall back. */
                                read_fs_messages(fsfd, msg, sizeof(msg));
                                return -ENOSYS;
                        }
                        what = *l;
                }
        if (!e && upper) {
                if (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0)
                        e = errno, what = upper;
                else if (fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", work, 0) < 0)
                        e = errno, what = work;
        }
        for (size_t i = 0; i < o->n && !e; i++) {
                int r = o->values[i] ? fsconfig(fsfd, FSCONFIG_SET_STRING, o->keys[i], o->values[i], 0)
                                     : fsconfig(fsfd, FSCONFIG_SET_FLAG, o->keys[i], NULL, 0);
                if (r < 0)
                        e = errno, what = o->keys[i];
        }
        if (!e && fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                e = errno, what = "creating the file system";
                /* Before Linux 6.5 overlay had no parameters of its own: fsconfig took
                 * "lowerdir+" as a legacy option and only the creation refuses it (Debian
                 * 12's kernel 6.1). mount(2) says for itself what is wrong. */
                if (e == EINVAL)
                        return -ENOSYS;
        }
        if (e) {
                read_fs_messages(fsfd, msg, sizeof(msg));
                return crio_error_set(err, e, "mounting overlay on %s: %s: %s%s%s", target, what, strerror(e),
                                      *msg ? ": " : "", msg);
        }
        _cleanup_close_ int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, o->attrs);
        if (mfd < 0)
                return crio_error_set_errno(err, errno, "mounting overlay on %s: fsmount", target);
        if (move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return crio_error_set_errno(err, errno, "mounting overlay on %s: move_mount", target);
        return 0;
}

/* mount(2) with absolute paths: for kernels before 6.8, while the options fit in a page. */
static int mount_legacy(char *const *lowers, const char *upper, const char *work, const MountOpts *o,
                        const char *target, CrioError *err) {
        _cleanup_free_ char *lower = NULL;
        size_t len = 0;
        for (char *const *l = lowers; *l; l++)
                len += strlen(*l) + 1;
        lower = malloc(len + 1);
        if (!lower)
                return crio_error_set(err, ENOMEM, "mounting overlay on %s: out of memory", target);
        lower[0] = '\0';
        for (char *const *l = lowers; *l; l++) {
                if (l != lowers)
                        strcat(lower, ":");
                strcat(lower, *l);
        }
        _cleanup_free_ char *data = NULL;
        if (upper ? asprintf(&data, "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work) < 0
                  : asprintf(&data, "lowerdir=%s", lower) < 0)
                return crio_error_set(err, ENOMEM, "mounting overlay on %s: out of memory", target);
        for (size_t i = 0; i < o->n; i++) {
                char *d = NULL;
                const char *v = o->values[i];
                bool q = v && strchr(v, ',');
                if (asprintf(&d, "%s,%s%s%s%s%s", data, o->keys[i], v ? "=" : "", q ? "\"" : "", v ? v : "", q ? "\"" : "") < 0)
                        return crio_error_set(err, ENOMEM, "mounting overlay on %s: out of memory", target);
                free(data);
                data = d;
        }
        if (strlen(data) >= (size_t) sysconf(_SC_PAGESIZE))
                return crio_error_set(err, E2BIG, "mounting overlay on %s: %zu layers do not fit the mount options of this kernel",
                                      target, strv_length(lowers));
        if (mount("overlay", target, "overlay", o->flags, data) < 0)
                return crio_error_set_errno(err, errno, "mounting overlay on %s", target);
        return 0;
}

static int mount_overlay(char *const *lowers, const char *upper, const char *work, const char *options,
                         const char *target, CrioError *err) {
        MountOpts o = {};
        int r = mount_opts_parse(options, &o, err);
        if (r < 0)
                return r;
        r = mount_new_api(lowers, upper, work, &o, target, err);
        if (r == -ENOSYS || r == -EPERM)
                r = mount_legacy(lowers, upper, work, &o, target, err);
        else if (r < 0 && !(err && err->msg))
                r = crio_error_set_errno(err, -r, "mounting overlay on %s: fsopen", target);
        mount_opts_done(&o);
        return r;
}

bool overlay_mounted(const char *path) {
        struct statfs sfs;
        struct statx stx;
        if (statfs(path, &sfs) < 0 || (unsigned long) sfs.f_type != OVERLAYFS_MAGIC)
                return false;
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
                return false;
        return !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) || (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* ---- driver set-up ---- */

static int check_native_overlay(const char *home, const char *runhome, CrioError *err) {
        _cleanup_free_ char *yes = NULL, *no = NULL;
        if (asprintf(&yes, "%s/overlay-true", runhome) < 0 || asprintf(&no, "%s/overlay-false", runhome) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (access(yes, F_OK) == 0)
                return 0;
        _cleanup_free_ char *cached = NULL;
        if (read_file(no, 65536, &cached, NULL, NULL) == 0)
                return crio_error_set(err, ENOTSUP, "%s: the kernel does not support overlay here (cached in %s): %s",
                                      home, no, cached);
        /* Mount a small overlay with two lowers, as containers/storage's supportsOverlay does. */
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s/compatXXXXXX", home) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (!mkdtemp(dir))
                return crio_error_set_errno(err, errno, "creating a test directory in %s", home);
        char l1[4096], l2[4096], up[4096], wk[4096], mg[4096];
        snprintf(l1, sizeof(l1), "%s/lower1", dir);
        snprintf(l2, sizeof(l2), "%s/lower2", dir);
        snprintf(up, sizeof(up), "%s/upper", dir);
        snprintf(wk, sizeof(wk), "%s/work", dir);
        snprintf(mg, sizeof(mg), "%s/merged", dir);
        int r = 0;
        const char *dirs[] = { l1, l2, up, wk, mg };
        for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++)
                r = mkdir_mode(dirs[i], 0700, false, err);
        char *lowers[] = { l2, l1, NULL };
        if (r >= 0)
                r = mount_overlay(lowers, up, wk, NULL, mg, err);
        if (r >= 0) {
                umount2(mg, MNT_DETACH);
                /* d_type is required to tell whiteouts from files. */
                _cleanup_closedir_ DIR *d = opendir(dir);
                struct dirent *de;
                while (d && (de = readdir(d)))
                        if (de->d_type == DT_UNKNOWN)
                                r = crio_error_set(err, ENOTSUP, "%s: the backing file system does not report d_type",
                                                   home);
        }
        (void) rm_rf(dir, NULL);
        if (r < 0)
                return crio_error_prefix(err, "checking native overlay support: ");
        _cleanup_close_ int fd = open(yes, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "recording overlay support in %s", yes);
        return 0;
}

static int make_private(const char *home, CrioError *err) {
        struct statx stx;
        if (statx(AT_FDCWD, home, AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
                return crio_error_set_errno(err, errno, "checking %s", home);
        bool is_mount = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
        if (!is_mount && mount(home, home, NULL, MS_BIND, NULL) < 0)
                return crio_error_set_errno(err, errno, "bind-mounting %s onto itself", home);
        if (mount(NULL, home, NULL, MS_PRIVATE, NULL) < 0)
                return crio_error_set_errno(err, errno, "making %s a private mount", home);
        return 0;
}

int overlay_init(const char *home, const char *runhome, const OverlayOptions *o, CrioError *err) {
        int r = mkdir_p(home, 0700, err);
        if (r < 0)
                return r;
        struct statfs sfs;
        if (statfs(home, &sfs) < 0)
                return crio_error_set_errno(err, errno, "checking the file system of %s", home);
        static const struct {
                unsigned long magic;
                const char *name;
        } bad[] = { { OVERLAYFS_MAGIC, "overlay" }, { 0x61756673, "aufs" }, { 0x2fc12fc1, "zfs" }, { 0xf15f, "ecryptfs" } };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if ((unsigned long) sfs.f_type == bad[i].magic)
                        return crio_error_set(err, ENOTSUP, "%s: the overlay driver is not supported over %s", home,
                                              bad[i].name);
        _cleanup_free_ char *links = NULL, *flag = NULL;
        if (asprintf(&links, "%s/l", home) < 0 || asprintf(&flag, "%s/.has-mount-program", home) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = mkdir_mode(links, 0755, true, err)) < 0 || (r = mkdir_p(runhome, 0700, err)) < 0)
                return r;
        _cleanup_free_ char *mp = NULL;
        if (read_file(flag, 64, &mp, NULL, NULL) == 0) {
                if (str_startswith(mp, "true"))
                        return crio_error_set(err, ENOTSUP,
                                              "%s was set up for a mount program (fuse-overlayfs), which crio does not support", home);
        } else if ((r = write_small(flag, "false", 0600, err)) < 0)
                return r;
        if (geteuid() == 0 && (r = check_native_overlay(home, runhome, err)) < 0)
                return r;
        if (!o->skip_mount_home && (r = make_private(home, err)) < 0)
                return r;
        return 0;
}

int overlay_release_home(const char *home, CrioError *err) {
        if (umount2(home, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return crio_error_set_errno(err, errno, "unmounting %s", home);
        return 0;
}

/* ---- staging ---- */

int overlay_staging_new(const char *home, mode_t diff_mode, OverlayStaging *ret, CrioError *err) {
        OverlayStaging st = { .lock_fd = -1 };
        if (asprintf(&st.dir, "%s/" STAGING_PREFIX "XXXXXX", home) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (!mkdtemp(st.dir)) {
                int e = errno;
                free(st.dir);
                return crio_error_set_errno(err, e, "creating a staging directory in %s", home);
        }
        _cleanup_free_ char *lock = NULL;
        int r = 0;
        if (asprintf(&lock, "%s/lock", st.dir) < 0 || asprintf(&st.diff, "%s/diff", st.dir) < 0)
                r = crio_error_set(err, ENOMEM, "out of memory");
        if (r >= 0) {
                st.lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
                if (st.lock_fd < 0 || flock(st.lock_fd, LOCK_EX | LOCK_NB) < 0)
                        r = crio_error_set_errno(err, errno, "locking %s", lock);
        }
        if (r >= 0)
                r = mkdir_mode(st.diff, diff_mode, false, err);
        if (r < 0) {
                overlay_staging_done(&st);
                return r;
        }
        *ret = st;
        return 0;
}

void overlay_staging_done(OverlayStaging *st) {
        if (!st)
                return;
        if (st->dir)
                (void) rm_rf(st->dir, NULL);
        if (st->lock_fd >= 0)
                close(st->lock_fd);
        free(st->dir);
        free(st->diff);
        *st = (OverlayStaging){ .lock_fd = -1 };
}

int overlay_staging_cleanup(const char *home, CrioError *err) {
        _cleanup_closedir_ DIR *d = opendir(home);
        if (!d)
                return errno == ENOENT ? 0 : crio_error_set_errno(err, errno, "reading %s", home);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!str_startswith(de->d_name, STAGING_PREFIX))
                        continue;
                _cleanup_free_ char *lock = NULL;
                if (asprintf(&lock, "%s/%s/lock", home, de->d_name) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                _cleanup_close_ int fd = open(lock, O_RDONLY | O_CLOEXEC);
                if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
                        continue; /* a live extraction */
                int r = rm_rf_at(dirfd(d), de->d_name, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- layers ---- */

int overlay_diff_mode(const char *home, const char *parent, mode_t *ret, CrioError *err) {
        if (!parent || !*parent) {
                *ret = 0555;
                return 0;
        }
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s/diff", home, parent) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        struct stat st;
        if (stat(p, &st) < 0)
                return crio_error_set_errno(err, errno, "checking parent layer directory %s", p);
        *ret = st.st_mode & 07777;
        return 0;
}

static int read_link_id(const char *home, const char *id, char **ret, CrioError *err) {
        _cleanup_free_ char *p = NULL, *data = NULL;
        if (asprintf(&p, "%s/%s/link", home, id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        int r = read_file(p, 256, &data, NULL, err);
        if (r < 0)
                return r;
        data[strcspn(data, "\n")] = '\0';
        if (!*data || strchr(data, '/') || strcmp(data, ".") == 0 || strcmp(data, "..") == 0)
                return crio_error_set(err, EBADMSG, "%s does not hold a link name", p);
        *ret = TAKE_PTR(data);
        return 0;
}

int overlay_layer_remove(const char *home, const char *id, CrioError *err) {
        _cleanup_free_ char *lid = NULL, *dir = NULL;
        if (asprintf(&dir, "%s/%s", home, id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (read_link_id(home, id, &lid, NULL) == 0) {
                _cleanup_free_ char *l = NULL;
                if (asprintf(&l, "%s/l/%s", home, lid) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                (void) unlink(l);
        }
        return rm_rf(dir, err);
}

int overlay_layer_create(const char *home, const char *id, const char *parent, const char *staged_diff, CrioError *err) {
        _cleanup_free_ char *dir = NULL, *diff = NULL, *sub = NULL, *lower = NULL;
        if (asprintf(&dir, "%s/%s", home, id) < 0 || asprintf(&diff, "%s/diff", dir) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        struct stat st;
        int r;
        if (lstat(dir, &st) == 0 && (r = overlay_layer_remove(home, id, err)) < 0)
                return crio_error_prefix(err, "removing a pre-existing layer directory: ");
        if (parent && *parent) {
                _cleanup_free_ char *plink = NULL, *plower_path = NULL, *plower = NULL;
                if ((r = read_link_id(home, parent, &plink, err)) < 0)
                        return r;
                if (asprintf(&plower_path, "%s/%s/lower", home, parent) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                r = read_file(plower_path, 1 << 20, &plower, NULL, NULL);
                if (asprintf(&lower, "l/%s%s%s", plink, r >= 0 && *plower ? ":" : "", r >= 0 ? plower : "") < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        mode_t mode;
        if ((r = overlay_diff_mode(home, parent, &mode, err)) < 0 || (r = mkdir_mode(dir, 0700, false, err)) < 0)
                return r;
        char lid[STORE_LINK_ID_LEN + 1] = "";
        if (staged_diff) {
                if (rename(staged_diff, diff) < 0)
                        r = crio_error_set_errno(err, errno, "moving %s to %s", staged_diff, diff);
        } else
                r = mkdir_mode(diff, mode, false, err);
        _cleanup_free_ char *target = NULL;
        if (r >= 0 && asprintf(&target, "../%s/diff", id) < 0)
                r = crio_error_set(err, ENOMEM, "out of memory");
        for (int tries = 0; r >= 0; tries++) {
                store_random_link_id(lid);
                free(sub);
                if (asprintf(&sub, "%s/l/%s", home, lid) < 0) {
                        r = crio_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                if (symlink(target, sub) == 0)
                        break;
                if (errno != EEXIST || tries > 8)
                        r = crio_error_set_errno(err, errno, "creating link %s", sub);
        }
        static const char *const subdirs[] = { "work", "merged", "empty" };
        for (size_t i = 0; i < ELEMENTSOF(subdirs) && r >= 0; i++) {
                if (i == 2 && lower)
                        break; /* "empty" only for base layers */
                free(sub);
                sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, subdirs[i]) < 0)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                else
                        r = mkdir_mode(sub, 0700, false, err);
        }
        if (r >= 0) {
                free(sub);
                sub = NULL;
                if (asprintf(&sub, "%s/link", dir) < 0)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                else
                        r = write_small(sub, lid, 0644, err);
        }
        if (r >= 0 && lower) {
                free(sub);
                sub = NULL;
                if (asprintf(&sub, "%s/lower", dir) < 0)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                else
                        r = write_small(sub, lower, 0644, err);
        }
        if (r < 0) {
                if (staged_diff && access(diff, F_OK) == 0)
                        (void) rename(diff, staged_diff); /* hand the extraction back for cleanup */
                (void) overlay_layer_remove(home, id, NULL);
                return r;
        }
        return 0;
}

/* The absolute lowerdirs of layer id, top first. */
static int lower_dirs(const char *home, const char *id, char ***ret, CrioError *err) {
        _cleanup_free_ char *p = NULL, *data = NULL;
        _cleanup_strv_free_ char **v = NULL;
        if (asprintf(&p, "%s/%s/lower", home, id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        int r = read_file(p, 1 << 20, &data, NULL, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                char *empty = NULL;
                if (asprintf(&empty, "%s/%s/empty", home, id) < 0 || strv_consume(&v, empty) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                *ret = TAKE_PTR(v);
                return 0;
        }
        if (r < 0)
                return r;
        data[strcspn(data, "\n")] = '\0';
        char *save = NULL;
        for (char *tok = strtok_r(data, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
                if (tok[0] == '/' || strstr(tok, "..") || strv_length(v) >= OVERLAY_MAX_LOWERS)
                        return crio_error_set(err, EBADMSG, "%s: bad or too many lower layers", p);
                char *abs = NULL;
                if (asprintf(&abs, "%s/%s", home, tok) < 0 || strv_consume(&v, abs) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        if (!v)
                return crio_error_set(err, EBADMSG, "%s lists no layers", p);
        *ret = TAKE_PTR(v);
        return 0;
}

int overlay_mount(const char *home, const char *id, const char *mount_options, char **ret_path, CrioError *err) {
        _cleanup_free_ char *dir = NULL, *diff = NULL, *work = NULL, *merged = NULL, *volatile_dir = NULL;
        if (asprintf(&dir, "%s/%s", home, id) < 0 || asprintf(&diff, "%s/diff", dir) < 0 ||
            asprintf(&work, "%s/work", dir) < 0 || asprintf(&merged, "%s/merged", dir) < 0 ||
            asprintf(&volatile_dir, "%s/work/incompat/volatile", work) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_strv_free_ char **lowers = NULL;
        int r = lower_dirs(home, id, &lowers, err);
        if (r < 0)
                return r;
        if ((r = mkdir_mode(merged, 0700, true, err)) < 0)
                return r;
        /* overlay refuses a second mount over a workdir left "volatile" (as the driver does). */
        (void) rm_rf(volatile_dir, NULL);
        if ((r = mount_overlay(lowers, diff, work, mount_options, merged, err)) < 0)
                return r;
        *ret_path = TAKE_PTR(merged);
        return 0;
}

int overlay_unmount(const char *home, const char *id, CrioError *err) {
        _cleanup_free_ char *merged = NULL;
        if (asprintf(&merged, "%s/%s/merged", home, id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (umount2(merged, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return crio_error_set_errno(err, errno, "unmounting %s", merged);
        if (rmdir(merged) < 0 && errno != ENOENT && errno != EBUSY)
                return crio_error_set_errno(err, errno, "removing %s", merged);
        return 0;
}
