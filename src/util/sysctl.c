/* Pod sysctls: the keys a pod may set (those of a network or IPC namespace), in the one
 * form crio checks them in and crio-pinns writes them. */
#include "util/sysctl.h"

#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

int sysctl_parse(char *arg, Sysctl *ret, CrioError *err) {
        char *eq = strchr(arg, '=');
        if (!eq || eq == arg)
                return crio_error_set(err, EINVAL, "sysctl \"%.64s\" is not key=value", arg);
        size_t klen = (size_t) (eq - arg);
        const char *value = eq + 1;
        if (klen > SYSCTL_KEY_MAX)
                return crio_error_set(err, EINVAL, "sysctl key \"%.64s...\" is longer than %d bytes", arg,
                                      SYSCTL_KEY_MAX);
        if (strlen(value) > SYSCTL_VALUE_MAX)
                return crio_error_set(err, EINVAL, "value of sysctl %.*s is longer than %d bytes", (int) klen, arg,
                                      SYSCTL_VALUE_MAX);
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
        *ret = (Sysctl){ .path = TAKE_PTR(path), .key = arg, .value = value, .clone_flag = flag };
        return 0;
}

