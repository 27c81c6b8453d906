/* crio-pinns: writing the namespaced sysctls (util/sysctl.h parsed them) inside the
 * namespaces it made. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pinns.h"
#include "util/cleanup.h"

int pinns_sysctl_apply(const Sysctl *s, CrioError *err) {
        char p[sizeof("/proc/sys/") + SYSCTL_KEY_MAX];
        snprintf(p, sizeof p, "/proc/sys/%s", s->path);
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "sysctl %s: opening %s", s->key, p);
        size_t len = strlen(s->value);
        ssize_t n;
        do
                n = write(fd, s->value, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return crio_error_set_errno(err, errno, "sysctl %s: writing \"%s\"", s->key, s->value);
        if ((size_t) n != len)
                return crio_error_set(err, EIO, "sysctl %s: short write of \"%s\"", s->key, s->value);
        return 0;
}
