#include "fileio.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int read_file(const char *path, size_t max_size, char **ret, size_t *ret_len, CrioError *err) {
        _cleanup_close_ int fd = -1;
        int in = -1;
        if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdin") == 0)
                in = STDIN_FILENO;
        else {
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return crio_error_set_errno(err, errno, "opening %s", path);
                in = fd;
        }
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (!buf)
                return crio_error_set(err, ENOMEM, "reading %s: out of memory", path);
        for (;;) {
                if (len == cap) {
                        if (cap > max_size)
                                return crio_error_set(err, EFBIG, "reading %s: larger than %zu bytes", path, max_size);
                        size_t ncap = cap * 2;
                        char *nb = realloc(buf, ncap + 1);
                        if (!nb)
                                return crio_error_set(err, ENOMEM, "reading %s: out of memory", path);
                        buf = nb;
                        cap = ncap;
                }
                ssize_t n = read(in, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return crio_error_set_errno(err, errno, "reading %s", path);
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > max_size)
                        return crio_error_set(err, EFBIG, "reading %s: larger than %zu bytes", path, max_size);
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

static int write_file_renamed(const char *path, const void *data, size_t len, mode_t mode, bool sync, CrioError *err) {
        _cleanup_free_ char *tmp = NULL, *dir = NULL;
        if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
                return crio_error_set(err, ENOMEM, "writing %s: out of memory", path);
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "creating temporary file for %s", path);
        const char *p = data;
        size_t left = len;
        int r = 0;
        while (left > 0) {
                ssize_t n = write(fd, p, left);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = errno;
                        break;
                }
                p += n;
                left -= (size_t) n;
        }
        if (r == 0 && fchmod(fd, mode) < 0)
                r = errno;
        if (r == 0 && sync && fsync(fd) < 0)
                r = errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = errno;
        if (r != 0) {
                unlink(tmp);
                return crio_error_set_errno(err, r, "writing %s", path);
        }
        if (!sync)
                return 0;
        dir = strdup(path);
        if (dir) {
                char *slash = strrchr(dir, '/');
                if (slash == dir)
                        slash[1] = '\0';
                else if (slash)
                        *slash = '\0';
                else
                        strcpy(dir, ".");
                _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd >= 0)
                        (void) fsync(dfd);
        }
        return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, CrioError *err) {
        return write_file_renamed(path, data, len, mode, true, err);
}

int write_file_replace(const char *path, const void *data, size_t len, mode_t mode, CrioError *err) {
        return write_file_renamed(path, data, len, mode, false, err);
}

int mkdir_p(const char *path, mode_t mode, CrioError *err) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return crio_error_set(err, ENOMEM, "creating %s: out of memory", path);
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char c = *s;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return crio_error_set_errno(err, errno, "creating directory %s", p);
                *s = c;
                if (c == '\0')
                        break;
        }
        struct stat st;
        if (stat(path, &st) < 0)
                return crio_error_set_errno(err, errno, "creating directory %s", path);
        if (!S_ISDIR(st.st_mode))
                return crio_error_set(err, ENOTDIR, "creating directory %s: exists and is not a directory", path);
        return 0;
}
