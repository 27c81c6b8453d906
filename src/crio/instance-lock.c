/* One crio per state directory: an exclusive flock on <state_dir>/crio.lock, taken before
 * the storage or any record is read and held until crio exits (the kernel drops it when the
 * process ends, kill -9 included). A second crio given the same state_dir stops at once,
 * naming the first one's pid, instead of restoring (and cleaning) the records of pods the
 * first one is running. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "crio/crio.h"
#include "util/cleanup.h"
#include "util/fileio.h"

/* The pid written in the lock file: a short decimal number. */
#define INSTANCE_LOCK_PID_MAX 32

int crio_instance_lock(const char *state_dir, int *ret_fd, CrioError *err) {
        int r = mkdir_p(state_dir, 0700, err);
        if (r < 0)
                return crio_error_prefix(err, "state_dir: ");
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/crio.lock", state_dir) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "opening %s", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK)
                        return crio_error_set_errno(err, errno, "locking %s", path);
                char pid[INSTANCE_LOCK_PID_MAX + 1] = "";
                ssize_t n = pread(fd, pid, INSTANCE_LOCK_PID_MAX, 0);
                if (n > 0)
                        pid[strspn(pid, "0123456789")] = '\0';
                return crio_error_set(err, EBUSY, "another crio (pid %s) is running with state_dir %s (%s is locked)",
                                      pid[0] ? pid : "unknown", state_dir, path);
        }
        char pid[INSTANCE_LOCK_PID_MAX];
        int len = snprintf(pid, sizeof pid, "%ld\n", (long) getpid());
        if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t) len, 0) != len)
                return crio_error_set_errno(err, errno, "writing %s", path);
        *ret_fd = fd;
        fd = -1;
        return 0;
}
