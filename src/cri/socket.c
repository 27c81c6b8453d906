#include "socket.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"

int cri_socket_prepare(const char *path, CrioError *err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (path[0] != '/')
                return crio_error_set(err, EINVAL, "listen socket %s: not an absolute path", path);
        if (strlen(path) >= sizeof sa.sun_path)
                return crio_error_set(err, ENAMETOOLONG, "listen socket %s: path longer than %zu bytes", path,
                                      sizeof sa.sun_path - 1);
        strcpy(sa.sun_path, path);

        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return crio_error_set(err, ENOMEM, "out of memory");
        char *slash = strrchr(dir, '/');
        if (slash != dir) {
                *slash = '\0';
                int r = mkdir_p(dir, 0755, err);
                if (r < 0)
                        return r;
        }

        struct stat st;
        if (lstat(path, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                return crio_error_set_errno(err, errno, "listen socket %s", path);
        }
        if (!S_ISSOCK(st.st_mode))
                return crio_error_set(err, EEXIST, "listen socket %s: exists and is not a socket", path);

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "creating probe socket");
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0)
                return crio_error_set(err, EADDRINUSE,
                                      "listen socket %s is in use by a running process (is another crio running?)",
                                      path);
        if (errno != ECONNREFUSED)
                return crio_error_set_errno(err, errno, "probing listen socket %s", path);
        /* nobody listens: a stale socket from a crio that died */
        if (unlink(path) < 0 && errno != ENOENT)
                return crio_error_set_errno(err, errno, "removing stale socket %s", path);
        return 0;
}

int cri_socket_secure(const char *path, CrioError *err) {
        if (geteuid() == 0 && chown(path, 0, 0) < 0)
                return crio_error_set_errno(err, errno, "chown %s", path);
        if (chmod(path, 0660) < 0)
                return crio_error_set_errno(err, errno, "chmod %s", path);
        return 0;
}
