#include "runtime-path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

static int is_executable_file(const char *p) {
        struct stat st;
        return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

int find_executable(const char *name, const char *search_path, char **ret_path) {
        if (strchr(name, '/')) {
                if (!is_executable_file(name))
                        return -ENOENT;
                char *p = strdup(name);
                if (!p)
                        return -ENOMEM;
                *ret_path = p;
                return 0;
        }
        _cleanup_free_ char *dirs = strdup(search_path ? search_path : OCI_DEFAULT_PATH);
        if (!dirs)
                return -ENOMEM;
        char *save = NULL;
        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", d, name) < 0)
                        return -ENOMEM;
                if (is_executable_file(p)) {
                        *ret_path = TAKE_PTR(p);
                        return 0;
                }
        }
        return -ENOENT;
}

int oci_runtime_find(const CrioRuntimeHandler *h, const char *search_path, char **ret_path, CrioError *err) {
        if (h->runtime_path && h->runtime_path[0]) {
                if (!is_executable_file(h->runtime_path))
                        return crio_error_set(err, ENOENT, "runtime handler \"%s\": runtime_path %s is not an executable file",
                                              h->name, h->runtime_path);
                char *p = strdup(h->runtime_path);
                if (!p)
                        return crio_error_set(err, ENOMEM, "out of memory");
                *ret_path = p;
                return 0;
        }
        int r = find_executable(h->name, search_path, ret_path);
        if (r == -ENOENT)
                return crio_error_set(err, ENOENT, "runtime handler \"%s\": no executable \"%s\" in %s", h->name, h->name,
                                      search_path ? search_path : OCI_DEFAULT_PATH);
        if (r < 0)
                return crio_error_set(err, -r, "out of memory");
        return 0;
}
