/* TLS material of a registry from the containers certs.d layout (containers-certs.d(5)):
 *
 *   <certs_dir>/<host[:port]>/<name>.crt       extra CA certificates (PEM), added to the system CAs
 *   <certs_dir>/<host[:port]>/<name>.cert      a client certificate (PEM) ...
 *   <certs_dir>/<host[:port]>/<name>.key       ... and its key; one without the other is an error
 *
 * With OpenSSL, CURLOPT_CAINFO (or _BLOB) replaces the default bundle instead of adding to
 * it, so the extra certificates are appended to the system bundle into one PEM blob. Without
 * extra CAs curl keeps its defaults. Several client certificates: the first by name is used
 * (curl presents one). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/registry-internal.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

typedef struct DirentList {
        struct dirent **v;
        int n;
} DirentList;

static void dirent_list_free(DirentList *l) {
        for (int i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
}

static bool has_entry(const DirentList *l, const char *name) {
        for (int i = 0; i < l->n; i++)
                if (strcmp(l->v[i]->d_name, name) == 0)
                        return true;
        return false;
}

/* Appends data to the growing PEM blob, with a newline between files. */
static int blob_append(char **blob, size_t *len, const char *data, size_t n) {
        char *nb = realloc(*blob, *len + n + 2);
        if (!nb)
                return -ENOMEM;
        memcpy(nb + *len, data, n);
        *len += n;
        if (n && data[n - 1] != '\n')
                nb[(*len)++] = '\n';
        nb[*len] = '\0';
        *blob = nb;
        return 0;
}

static const char *system_ca_bundle(CURL *curl) {
#if LIBCURL_VERSION_NUM >= 0x075400 /* 7.84.0: CURLINFO_CAINFO */
        char *p = NULL;
        if (curl_easy_getinfo(curl, CURLINFO_CAINFO, &p) == CURLE_OK && p && *p)
                return p;
#else
        (void) curl;
#endif
        return REGISTRY_SYSTEM_CA_BUNDLE;
}

int registry_tls_load(RegistryClient *c, const char *certs_dir, CrioError *err) {
        if (!c->registry[0])
                return 0;
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s/%s", certs_dir, c->registry) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_(dirent_list_free) DirentList l = {};
        l.n = scandir(dir, &l.v, NULL, alphasort);
        if (l.n < 0) {
                l.n = 0;
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;
                return crio_error_set_errno(err, errno, "reading certificates directory %s", dir);
        }
        if (l.n > REGISTRY_CERTS_DIR_MAX)
                return crio_error_set(err, EINVAL, "certificates directory %s has more than %d entries", dir,
                                      REGISTRY_CERTS_DIR_MAX);

        _cleanup_free_ char *extra = NULL, *cert = NULL, *key = NULL;
        size_t extra_len = 0;
        for (int i = 0; i < l.n; i++) {
                const char *name = l.v[i]->d_name;
                size_t n = strlen(name);
                _cleanup_free_ char *path = NULL, *other = NULL;
                if (asprintf(&path, "%s/%s", dir, name) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                if (str_endswith(name, ".crt") && n > 4) {
                        _cleanup_free_ char *data = NULL;
                        size_t len = 0;
                        int r = read_file(path, REGISTRY_CA_FILE_MAX, &data, &len, err);
                        if (r < 0)
                                return crio_error_prefix(err, "loading CA certificates for %s: ", c->registry);
                        if (blob_append(&extra, &extra_len, data, len) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                } else if (str_endswith(name, ".cert") && n > 5) {
                        if (asprintf(&other, "%.*s.key", (int) (n - 5), name) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                        if (!has_entry(&l, other))
                                return crio_error_set(err, EINVAL, "missing key %s for client certificate %s", other, path);
                        if (cert) {
                                log_debug("registry %s: using client certificate %s, ignoring %s", c->registry, cert, path);
                                continue;
                        }
                        cert = TAKE_PTR(path);
                        if (asprintf(&key, "%s/%s", dir, other) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                } else if (str_endswith(name, ".key") && n > 4) {
                        if (asprintf(&other, "%.*s.cert", (int) (n - 4), name) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                        if (!has_entry(&l, other))
                                return crio_error_set(err, EINVAL, "missing client certificate %s for key %s", other, path);
                }
        }

        if (extra) {
                const char *bundle = system_ca_bundle(c->curl);
                _cleanup_free_ char *sys = NULL;
                size_t sys_len = 0;
                _cleanup_(crio_error_clear) CrioError e = {};
                int r = read_file(bundle, REGISTRY_CA_FILE_MAX, &sys, &sys_len, &e);
                if (r < 0 && r != -ENOENT)
                        return crio_error_set(err, -r, "loading the system CA certificates: %s", e.msg ? e.msg : bundle);
                _cleanup_free_ char *blob = NULL;
                size_t blob_len = 0;
                if ((sys && blob_append(&blob, &blob_len, sys, sys_len) < 0) ||
                    blob_append(&blob, &blob_len, extra, extra_len) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                log_debug("registry %s: CA certificates from %s and %s", c->registry, sys ? bundle : "(none)", dir);
                c->ca_blob = TAKE_PTR(blob);
                c->ca_blob_len = blob_len;
        }
        c->client_cert = TAKE_PTR(cert);
        c->client_key = TAKE_PTR(key);
        return 0;
}
