/* Fuzz target: any bytes as the "key=value" sysctls crio passes to crio-pinns (one per line,
 * at most SYSCTL_MAX of them) are accepted or refused with a message, never a crash, a
 * hang or a leak; nothing is written (sysctl_parse only). An accepted sysctl has a
 * path below /proc/sys that cannot leave it, in a namespace crio-pinns can make, and the key
 * and value it was given. */
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/sysctl.h"
#include "util/cleanup.h"

static void check_path(const char *path) {
        if (!*path || path[0] == '/' || strlen(path) > SYSCTL_KEY_MAX)
                abort();
        for (const char *c = path;;) {
                size_t n = strcspn(c, "/");
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        abort();
                if (!c[n])
                        break;
                c += n + 1;
        }
}

static void check_one(char *arg) {
        CrioError err = {};
        _cleanup_free_ char *orig = strdup(arg);
        if (!orig)
                abort();
        Sysctl s = { .key = "untouched" };
        if (sysctl_parse(arg, &s, &err) < 0) {
                if (!err.msg || strcmp(s.key, "untouched") != 0 || s.path)
                        abort();
                crio_error_clear(&err);
                return;
        }
        size_t klen = strlen(s.key);
        if (err.msg || s.key != arg || (s.clone_flag != CLONE_NEWNET && s.clone_flag != CLONE_NEWIPC) ||
            strncmp(orig, s.key, klen) != 0 || orig[klen] != '=' || strcmp(orig + klen + 1, s.value) != 0 ||
            !*s.value || strlen(s.value) > SYSCTL_VALUE_MAX || strchr(s.value, '\n'))
                abort();
        check_path(s.path);
        if (s.clone_flag == CLONE_NEWNET ? strncmp(s.path, "net/", 4) != 0 && strncmp(s.path, "net.", 4) != 0
                                         : strncmp(s.path, "kernel", 6) != 0 && strncmp(s.path, "fs", 2) != 0)
                abort();
        free(s.path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > SYSCTL_MAX * (SYSCTL_KEY_MAX + SYSCTL_VALUE_MAX + 2))
                return 0;
        _cleanup_free_ char *text = malloc(size + 1);
        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';
        char *line = text;
        for (size_t n = 0; n < SYSCTL_MAX; n++) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                check_one(line);
                if (!nl)
                        break;
                line = nl + 1;
        }
        return 0;
}
