#include "args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime-path.h"
#include "util/cleanup.h"
#include "util/strv.h"

static size_t env_key_len(const char *entry) {
        const char *eq = strchr(entry, '=');
        return eq ? (size_t) (eq - entry) : strlen(entry);
}

int oci_env_find(char *const *env, const char *key) {
        size_t n = env_key_len(key);
        for (size_t i = 0; env && env[i]; i++)
                if (env_key_len(env[i]) == n && strncmp(env[i], key, n) == 0)
                        return (int) i;
        return -1;
}

int oci_env_set(char ***env, const char *entry) {
        char *copy = strdup(entry);
        if (!copy)
                return -ENOMEM;
        int i = oci_env_find(*env, entry);
        if (i >= 0) {
                free((*env)[i]);
                (*env)[i] = copy;
                return 0;
        }
        return strv_consume(env, copy);
}

static int append_all(char ***v, char *const *add) {
        for (size_t i = 0; add && add[i]; i++) {
                int r = strv_push(v, add[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_args_resolve(char *const *command, char *const *args, char *const *image_entrypoint,
                     char *const *image_cmd, char ***ret, CrioError *err) {
        _cleanup_strv_free_ char **out = calloc(1, sizeof(char *));
        if (!out)
                return crio_error_set(err, ENOMEM, "out of memory");
        int r;
        if (strv_length(command) > 0) {
                r = append_all(&out, command);
                if (r >= 0)
                        r = append_all(&out, args);
        } else {
                r = append_all(&out, image_entrypoint);
                if (r >= 0)
                        r = append_all(&out, strv_length(args) > 0 ? args : image_cmd);
        }
        if (r < 0)
                return crio_error_set(err, -r, "out of memory");
        if (strv_length(out) == 0)
                return crio_error_set(err, EINVAL,
                                      "no command specified: neither the container nor the image names one");
        if (out[0][0] == '\0')
                return crio_error_set(err, EINVAL, "the container's executable is an empty string");
        *ret = TAKE_PTR(out);
        return 0;
}

int oci_env_merge(char *const *image_env, char *const *cri_env, const char *home, char ***ret, CrioError *err) {
        _cleanup_strv_free_ char **out = calloc(1, sizeof(char *));
        if (!out)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; cri_env && cri_env[i]; i++)
                if (env_key_len(cri_env[i]) == 0)
                        return crio_error_set(err, EINVAL, "environment variable \"%s\" has an empty name", cri_env[i]);
        int r = 0;
        /* Image Env may repeat a key: the later one wins, as Docker reads it. */
        for (size_t i = 0; r >= 0 && image_env && image_env[i]; i++)
                if (env_key_len(image_env[i]) > 0)
                        r = oci_env_set(&out, image_env[i]);
        for (size_t i = 0; r >= 0 && cri_env && cri_env[i]; i++)
                r = oci_env_set(&out, cri_env[i]);
        if (r >= 0 && oci_env_find(out, "PATH") < 0) {
                char *path = strdup("PATH=" OCI_DEFAULT_PATH);
                size_t n = strv_length(out);
                char **nv = path ? realloc(out, (n + 2) * sizeof(char *)) : NULL;
                if (!nv) {
                        free(path);
                        r = -ENOMEM;
                } else {
                        memmove(nv + 1, nv, (n + 1) * sizeof(char *));
                        nv[0] = path;
                        out = nv;
                }
        }
        if (r >= 0 && home && oci_env_find(out, "HOME") < 0) {
                char *h = NULL;
                if (asprintf(&h, "HOME=%s", home) < 0)
                        r = -ENOMEM;
                else
                        r = strv_consume(&out, h);
        }
        if (r < 0)
                return crio_error_set(err, -r, "merging the environment: out of memory");
        *ret = TAKE_PTR(out);
        return 0;
}
