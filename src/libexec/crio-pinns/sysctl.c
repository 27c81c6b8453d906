/* crio-pinns: the namespaced sysctls it sets inside the namespaces it made. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pinns.h"
#include "util/cleanup.h"

/* Dotted prefixes of the sysctls that belong to a namespace we can make, and which one. */
static const struct {
        const char *prefix;
        int clone_flag;
} namespaced[] = {
        { "net.", CLONE_NEWNET },
        { "kernel.shm", CLONE_NEWIPC },
        { "kernel.msg", CLONE_NEWIPC },
        { "kernel.sem", CLONE_NEWIPC },
        { "fs.mqueue.", CLONE_NEWIPC },
};

static bool key_char_ok(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-' || c == '.' || c == '/';
}

int pinns_sysctl_parse(char *arg, PinnsSysctl *ret, CrioError *err) {
        char *eq = strchr(arg, '=');
        if (!eq || eq == arg)
                return crio_error_set(err, EINVAL, "sysctl \"%.64s\" is not key=value", arg);
        size_t klen = (size_t) (eq - arg);
        const char *value = eq + 1;
        if (klen > PINNS_SYSCTL_KEY_MAX)
                return crio_error_set(err, EINVAL, "sysctl key \"%.64s...\" is longer than %d bytes", arg,
                                      PINNS_SYSCTL_KEY_MAX);
        if (strlen(value) > PINNS_SYSCTL_VALUE_MAX)
                return crio_error_set(err, EINVAL, "value of sysctl %.*s is longer than %d bytes", (int) klen, arg,
                                      PINNS_SYSCTL_VALUE_MAX);
        if (!*value)
                return crio_error_set(err, EINVAL, "sysctl %.*s has an empty value", (int) klen, arg);
        for (const char *v = value; *v; v++)
                if ((unsigned char) *v < 0x20 && *v != '\t')
                        return crio_error_set(err, EINVAL, "value of sysctl %.*s holds a control character",
                                              (int) klen, arg);
        bool slashed = memchr(arg, '/', klen) != NULL;
        _cleanup_free_ char *path = strndup(arg, klen), *dotted = strndup(arg, klen);
        if (!path || !dotted)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < klen; i++) {
                if (!key_char_ok(arg[i]))
                        return crio_error_set(err, EINVAL, "sysctl key \"%s\" holds an invalid character", path);
                if (!slashed && path[i] == '.')
                        path[i] = '/';
                if (dotted[i] == '/')
                        dotted[i] = '.';
        }
        /* Every component of the path: non-empty, not "." or "..". */
        for (const char *c = path;;) {
                const char *end = strchrnul(c, '/');
                size_t n = (size_t) (end - c);
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return crio_error_set(err, EINVAL, "sysctl key \"%.*s\" is malformed", (int) klen, arg);
                if (!*end)
                        break;
                c = end + 1;
        }
        int flag = 0;
        for (size_t i = 0; i < ELEMENTSOF(namespaced); i++)
                if (strncmp(dotted, namespaced[i].prefix, strlen(namespaced[i].prefix)) == 0) {
                        flag = namespaced[i].clone_flag;
                        break;
                }
        if (!flag)
                return crio_error_set(err, EINVAL,
                                      "sysctl %s is not namespaced (only net.*, kernel.shm*, kernel.msg*, kernel.sem*, "
                                      "fs.mqueue.* can be set for a pod)",
                                      dotted);
        arg[klen] = '\0';
        *ret = (PinnsSysctl){ .path = TAKE_PTR(path), .key = arg, .value = value, .clone_flag = flag };
        return 0;
}

int pinns_sysctl_apply(const PinnsSysctl *s, CrioError *err) {
        char p[sizeof("/proc/sys/") + PINNS_SYSCTL_KEY_MAX];
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
