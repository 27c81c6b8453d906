#include "rmrf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

/* One directory on the way down. Only the deepest one has an open fd. */
typedef struct Level {
        const char *name; /* name in the parent (borrowed from the parent's subdirs); NULL at the top */
        dev_t dev;
        ino_t ino;
        char **subdirs; /* subdirectories still to empty, found by one scan */
        size_t n_subdirs, next;
        bool scanned;
} Level;

typedef struct Walk {
        const char *top; /* the caller's name, for messages */
        Level *stack;
        size_t depth, allocated;
        struct statx top_stx; /* the mount the removal stays on */
        int r;                /* first failure */
        CrioError *err;
} Walk;

static void level_done(Level *l) {
        for (size_t i = 0; i < l->n_subdirs; i++)
                free(l->subdirs[i]);
        free(l->subdirs);
        l->subdirs = NULL;
        l->n_subdirs = l->next = 0;
}

static void walk_done(Walk *w) {
        for (size_t i = 0; i < w->depth; i++)
                level_done(&w->stack[i]);
        free(w->stack);
        w->stack = NULL;
        w->depth = 0;
}

/* "top/a/b/child" for messages. */
static char *walk_path(const Walk *w, const char *child) {
        size_t len = strlen(w->top) + 1 + (child ? strlen(child) + 1 : 0);
        for (size_t i = 1; i < w->depth; i++)
                len += strlen(w->stack[i].name) + 1;
        char *p = malloc(len);
        if (!p)
                return NULL;
        char *q = stpcpy(p, w->top);
        for (size_t i = 1; i < w->depth; i++)
                q = stpcpy(stpcpy(q, "/"), w->stack[i].name);
        if (child)
                stpcpy(stpcpy(q, "/"), child);
        return p;
}

static void walk_fail(Walk *w, int code, const char *child, const char *what) {
        _cleanup_free_ char *p = walk_path(w, child);
        if (code == EBUSY)
                crio_error_set(w->err, code, "not removing %s: it is a mount point", p ? p : w->top);
        else
                crio_error_set_errno(w->err, code, "removing %s%s%s", p ? p : w->top, what ? ": " : "", what ? what : "");
        if (w->r == 0)
                w->r = -code;
}

static int stat_nofollow(int dirfd, const char *name, int flags, struct statx *ret) {
        if (statx(dirfd, name, flags | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
                  STATX_TYPE | STATX_INO | STATX_MNT_ID, ret) < 0)
                return -errno;
        return 0;
}

static bool same_mount(const struct statx *a, const struct statx *b) {
        if ((a->stx_mask & STATX_MNT_ID) && (b->stx_mask & STATX_MNT_ID))
                return a->stx_mnt_id == b->stx_mnt_id;
        return a->stx_dev_major == b->stx_dev_major && a->stx_dev_minor == b->stx_dev_minor;
}

/* Opens a directory without following a symlink, making it readable and writable for us. */
static int open_dir_nofollow(int dirfd, const char *name) {
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 && errno == EACCES) {
                if (fchmodat(dirfd, name, 0700, AT_SYMLINK_NOFOLLOW) < 0)
                        return -EACCES;
                fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        }
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) == 0 && (st.st_mode & S_IRWXU) != S_IRWXU)
                (void) fchmod(fd, (st.st_mode | S_IRWXU) & 07777);
        return fd;
}

static int push_subdir(Level *l, const char *name) {
        char **v = realloc(l->subdirs, (l->n_subdirs + 1) * sizeof(char *));
        if (!v)
                return -ENOMEM;
        l->subdirs = v;
        if (!(v[l->n_subdirs] = strdup(name)))
                return -ENOMEM;
        l->n_subdirs++;
        return 0;
}

/* Unlinks every non-directory in fd and lists the subdirectories to visit. */
static int scan(Walk *w, int fd, Level *l) {
        int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dfd < 0) {
                walk_fail(w, errno, NULL, "dup");
                return -errno;
        }
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        if (!d) {
                int e = errno;
                close(dfd);
                walk_fail(w, e, NULL, "opendir");
                return -e;
        }
        l->scanned = true;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno != 0) {
                                walk_fail(w, errno, NULL, "readdir");
                                return -EIO;
                        }
                        return 0;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                bool is_dir = de->d_type == DT_DIR;
                struct statx stx;
                if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
                        int r = stat_nofollow(fd, de->d_name, 0, &stx);
                        if (r == -ENOENT)
                                continue;
                        if (r < 0) {
                                walk_fail(w, -r, de->d_name, NULL);
                                continue;
                        }
                        is_dir = S_ISDIR(stx.stx_mode);
                }
                if (!is_dir) {
                        if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
                                walk_fail(w, errno, de->d_name, NULL);
                        continue;
                }
                if (!same_mount(&stx, &w->top_stx)) {
                        walk_fail(w, EBUSY, de->d_name, NULL);
                        continue;
                }
                if (push_subdir(l, de->d_name) < 0) {
                        walk_fail(w, ENOMEM, NULL, NULL);
                        return -ENOMEM;
                }
        }
}

static int push_level(Walk *w, const char *name, int fd) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (w->depth == w->allocated) {
                size_t n = w->allocated ? w->allocated * 2 : 16;
                Level *s = realloc(w->stack, n * sizeof(Level));
                if (!s)
                        return -ENOMEM;
                w->stack = s;
                w->allocated = n;
        }
        w->stack[w->depth++] = (Level){ .name = name, .dev = st.st_dev, .ino = st.st_ino };
        return 0;
}

/* Empties the directory open as fd (which is consumed). Returns <0 only when the walk
 * had to stop (out of memory, the tree moved); other failures are recorded in w. */
static int empty_tree(Walk *w, int fd) {
        _cleanup_close_ int cur = fd;
        int r = push_level(w, NULL, cur);
        if (r < 0) {
                walk_fail(w, -r, NULL, NULL);
                return r;
        }
        for (;;) {
                Level *l = &w->stack[w->depth - 1];
                if (!l->scanned && (r = scan(w, cur, l)) < 0)
                        return r;
                if (l->next < l->n_subdirs) {
                        const char *child = l->subdirs[l->next++];
                        int nfd = open_dir_nofollow(cur, child);
                        if (nfd == -ENOENT)
                                continue;
                        if (nfd < 0) {
                                walk_fail(w, -nfd, child, NULL);
                                continue;
                        }
                        r = push_level(w, child, nfd);
                        if (r < 0) {
                                close(nfd);
                                walk_fail(w, -r, NULL, NULL);
                                return r;
                        }
                        close(cur);
                        cur = nfd;
                        continue;
                }
                if (w->depth == 1)
                        return 0;
                /* Back up one level through "..", checking it is the directory we came from. */
                int pfd = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
                struct stat st;
                if (pfd < 0 || fstat(pfd, &st) < 0) {
                        int e = errno;
                        if (pfd >= 0)
                                close(pfd);
                        walk_fail(w, e, NULL, "opening ..");
                        return -e;
                }
                const Level *parent = &w->stack[w->depth - 2];
                if (st.st_dev != parent->dev || st.st_ino != parent->ino) {
                        close(pfd);
                        walk_fail(w, ESTALE, NULL, "directory moved during removal");
                        return -ESTALE;
                }
                close(cur);
                cur = pfd;
                const char *name = l->name;
                level_done(l);
                w->depth--;
                if (unlinkat(cur, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                        walk_fail(w, errno, name, NULL);
        }
}

int rm_rf_at(int dirfd, const char *name, CrioError *err) {
        if (!name)
                return crio_error_set(err, EINVAL, "refusing to remove an unnamed path");
        /* Split off the last component: the removal works below its parent. */
        _cleanup_free_ char *copy = strdup(name);
        if (!copy)
                return crio_error_set(err, ENOMEM, "removing %s: out of memory", name);
        size_t len = strlen(copy);
        while (len > 1 && copy[len - 1] == '/')
                copy[--len] = '\0';
        char *slash = strrchr(copy, '/');
        const char *base = slash ? slash + 1 : copy;
        if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return crio_error_set(err, EINVAL, "refusing to remove \"%s\"", name);
        _cleanup_close_ int pfd = -1;
        int parent_fd = dirfd;
        if (slash) {
                *slash = '\0';
                pfd = openat(dirfd, slash == copy ? "/" : copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
                if (pfd < 0) {
                        if (errno == ENOENT)
                                return 0;
                        return crio_error_set_errno(err, errno, "removing %s", name);
                }
                parent_fd = pfd;
        }

        Walk w = { .top = name, .err = err };
        int r = stat_nofollow(parent_fd, base, 0, &w.top_stx);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return crio_error_set_errno(err, -r, "removing %s", name);
        if (!S_ISDIR(w.top_stx.stx_mode)) {
                if (unlinkat(parent_fd, base, 0) < 0 && errno != ENOENT)
                        return crio_error_set_errno(err, errno, "removing %s", name);
                return 0;
        }
        struct statx parent_stx;
        if (stat_nofollow(parent_fd, "", AT_EMPTY_PATH, &parent_stx) == 0 && !same_mount(&parent_stx, &w.top_stx))
                return crio_error_set(err, EBUSY, "not removing %s: it is a mount point", name);

        int fd = open_dir_nofollow(parent_fd, base);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return crio_error_set_errno(err, -fd, "removing %s", name);
        r = empty_tree(&w, fd);
        walk_done(&w);
        if (r < 0)
                return w.r ? w.r : r;
        if (unlinkat(parent_fd, base, AT_REMOVEDIR) < 0 && errno != ENOENT && w.r == 0)
                return crio_error_set_errno(err, errno, "removing %s", name);
        return w.r;
}

int rm_rf(const char *path, CrioError *err) {
        return rm_rf_at(AT_FDCWD, path, err);
}
