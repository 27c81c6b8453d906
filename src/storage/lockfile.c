#include "lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"

struct LockFile {
        char *path;
        unsigned refs;             /* guarded by registry_mutex */
        LockFile *next;            /* registry list */
        pthread_rwlock_t rw;       /* threads of this process */
        pthread_mutex_t state;     /* guards the fields below */
        unsigned holders;          /* threads holding the lock now */
        int fd;                    /* open while holders > 0 */
        bool write;                /* mode of the current holders */
};

static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static LockFile *registry;
static atomic_uint_fast64_t token_counter;

static void put_le(uint8_t *p, uint64_t v, size_t n) {
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

void lockfile_new_token(uint8_t token[LOCKFILE_TOKEN_SIZE]) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t ns = (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
        put_le(token, ns, 8);
        put_le(token + 8, atomic_fetch_add(&token_counter, 1) + 1, 8);
        put_le(token + 16, (uint64_t) getpid(), 4);
        size_t off = 20;
        while (off < LOCKFILE_TOKEN_SIZE) {
                ssize_t n = getrandom(token + off, LOCKFILE_TOKEN_SIZE - off, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        /* No randomness: time, counter and pid still make the token unique here. */
                        memset(token + off, 0x5a, LOCKFILE_TOKEN_SIZE - off);
                        break;
                }
                off += (size_t) n;
        }
}

static int open_lock(const char *path, CrioError *err) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0 && errno == ENOENT) {
                _cleanup_free_ char *copy = strdup(path);
                if (!copy)
                        return crio_error_set(err, ENOMEM, "opening lock file %s: out of memory", path);
                int r = mkdir_p(dirname(copy), 0700, err);
                if (r < 0)
                        return r;
                fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        }
        if (fd < 0)
                return crio_error_set_errno(err, errno, "opening lock file %s", path);
        return fd;
}

int lockfile_get(const char *path, LockFile **ret, CrioError *err) {
        if (!path || path[0] != '/')
                return crio_error_set(err, EINVAL, "lock file path \"%s\" is not absolute", path ? path : "");
        pthread_mutex_lock(&registry_mutex);
        for (LockFile *l = registry; l; l = l->next)
                if (strcmp(l->path, path) == 0) {
                        l->refs++;
                        pthread_mutex_unlock(&registry_mutex);
                        *ret = l;
                        return 0;
                }
        /* Create the file now, as containers/storage does, so that a bad path fails early. */
        int fd = open_lock(path, err);
        if (fd < 0) {
                pthread_mutex_unlock(&registry_mutex);
                return fd;
        }
        close(fd);
        LockFile *l = calloc(1, sizeof(*l));
        if (!l || !(l->path = strdup(path))) {
                free(l);
                pthread_mutex_unlock(&registry_mutex);
                return crio_error_set(err, ENOMEM, "lock file %s: out of memory", path);
        }
        pthread_rwlockattr_t attr;
        pthread_rwlockattr_init(&attr);
        /* Writers must not starve behind a stream of readers (ListImages every few seconds). */
        pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        pthread_rwlock_init(&l->rw, &attr);
        pthread_rwlockattr_destroy(&attr);
        pthread_mutex_init(&l->state, NULL);
        l->fd = -1;
        l->refs = 1;
        l->next = registry;
        registry = l;
        pthread_mutex_unlock(&registry_mutex);
        *ret = l;
        return 0;
}

void lockfile_unref(LockFile *l) {
        if (!l)
                return;
        pthread_mutex_lock(&registry_mutex);
        if (--l->refs > 0) {
                pthread_mutex_unlock(&registry_mutex);
                return;
        }
        for (LockFile **p = &registry; *p; p = &(*p)->next)
                if (*p == l) {
                        *p = l->next;
                        break;
                }
        pthread_mutex_unlock(&registry_mutex);
        if (l->fd >= 0)
                close(l->fd);
        pthread_rwlock_destroy(&l->rw);
        pthread_mutex_destroy(&l->state);
        free(l->path);
        free(l);
}

const char *lockfile_path(const LockFile *l) {
        return l->path;
}

int lockfile_lock(LockFile *l, bool write, CrioError *err) {
        if (write)
                pthread_rwlock_wrlock(&l->rw);
        else
                pthread_rwlock_rdlock(&l->rw);
        pthread_mutex_lock(&l->state);
        if (l->holders == 0) {
                int fd = open_lock(l->path, err);
                if (fd < 0) {
                        pthread_mutex_unlock(&l->state);
                        pthread_rwlock_unlock(&l->rw);
                        return fd;
                }
                struct flock fl = { .l_type = write ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET };
                while (fcntl(fd, F_SETLKW, &fl) < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EDEADLK || errno == ENOLCK) {
                                /* containers/storage retries every 10 ms; so do we. */
                                usleep(10000);
                                continue;
                        }
                        int e = errno;
                        close(fd);
                        pthread_mutex_unlock(&l->state);
                        pthread_rwlock_unlock(&l->rw);
                        return crio_error_set_errno(err, e, "locking %s", l->path);
                }
                l->fd = fd;
        }
        l->holders++;
        l->write = write;
        pthread_mutex_unlock(&l->state);
        return 0;
}

void lockfile_unlock(LockFile *l) {
        pthread_mutex_lock(&l->state);
        if (l->holders > 0 && --l->holders == 0) {
                /* Closing the fd releases the fcntl lock. */
                close(l->fd);
                l->fd = -1;
        }
        pthread_mutex_unlock(&l->state);
        pthread_rwlock_unlock(&l->rw);
}

int lockfile_touch(LockFile *l, uint8_t ret_token[LOCKFILE_TOKEN_SIZE], CrioError *err) {
        uint8_t token[LOCKFILE_TOKEN_SIZE];
        lockfile_new_token(token);
        pthread_mutex_lock(&l->state);
        if (l->holders == 0 || !l->write) {
                pthread_mutex_unlock(&l->state);
                return crio_error_set(err, EPERM, "updating %s: the write lock is not held", l->path);
        }
        ssize_t n = pwrite(l->fd, token, sizeof(token), 0);
        int e = errno;
        pthread_mutex_unlock(&l->state);
        if (n < 0)
                return crio_error_set_errno(err, e, "writing last-writer token to %s", l->path);
        if ((size_t) n != sizeof(token))
                return crio_error_set(err, ENOSPC, "writing last-writer token to %s: short write", l->path);
        if (ret_token)
                memcpy(ret_token, token, sizeof(token));
        return 0;
}

int lockfile_modified(LockFile *l, uint8_t last_seen[LOCKFILE_TOKEN_SIZE], bool *ret_modified, CrioError *err) {
        uint8_t cur[LOCKFILE_TOKEN_SIZE];
        pthread_mutex_lock(&l->state);
        if (l->holders == 0) {
                pthread_mutex_unlock(&l->state);
                return crio_error_set(err, EPERM, "reading %s: the lock is not held", l->path);
        }
        ssize_t n = pread(l->fd, cur, sizeof(cur), 0);
        int e = errno;
        pthread_mutex_unlock(&l->state);
        if (n < 0)
                return crio_error_set_errno(err, e, "reading last-writer token from %s", l->path);
        if ((size_t) n != sizeof(cur)) {
                /* No token yet (a fresh file): as containers/storage, treat as modified. */
                *ret_modified = true;
                return 0;
        }
        *ret_modified = memcmp(cur, last_seen, sizeof(cur)) != 0;
        memcpy(last_seen, cur, sizeof(cur));
        return 0;
}
