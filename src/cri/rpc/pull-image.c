/* ImageService/PullImage: pulls image.image from its registry (image/pull.h) with the
 * request's credentials or the auth files, under the signature policy for the pod's
 * namespace, and answers the image ID. Runs on a slow-call thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "image/pull.h"
#include "image/registry.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(CrioConfig *, config_free)

#define DEFAULT_POLICY "/etc/containers/policy.json"

static bool valid_namespace(const char *ns) {
        /* A Kubernetes namespace is a DNS label: it must not walk out of the policy directory. */
        if (!*ns || strlen(ns) > 253 || strcmp(ns, ".") == 0 || strcmp(ns, "..") == 0)
                return false;
        return strchr(ns, '/') == NULL;
}

/* <signature_policy_dir>/<namespace>.json if it exists, else signature_policy, else the
 * system's policy.json. */
static int policy_for(const CrioConfig *cfg, const char *ns, char **ret, CrioError *err) {
        char *p = NULL;
        if (ns && *ns) {
                if (!valid_namespace(ns))
                        return crio_error_set(err, EINVAL, "PullImage: invalid pod namespace \"%s\"", ns);
                if (cfg->signature_policy_dir && *cfg->signature_policy_dir) {
                        if (asprintf(&p, "%s/%s.json", cfg->signature_policy_dir, ns) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                        if (access(p, F_OK) == 0) {
                                *ret = p;
                                return 0;
                        }
                        free(p);
                }
        }
        p = strdup(cfg->signature_policy && *cfg->signature_policy ? cfg->signature_policy : DEFAULT_POLICY);
        if (!p)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = p;
        return 0;
}

static char **auth_files(const CrioConfig *cfg) {
        _cleanup_strv_free_ char **def = auth_default_files();
        char **v = calloc(1, sizeof(char *));
        if (!def || !v) {
                free(v);
                return NULL;
        }
        if (cfg->global_auth_file && *cfg->global_auth_file) {
                char *g = strdup(cfg->global_auth_file);
                if (!g || strv_consume(&v, g) < 0) {
                        strv_free(v);
                        return NULL;
                }
        }
        for (char **d = def; *d; d++) {
                char *c = strdup(*d);
                if (!c || strv_consume(&v, c) < 0) {
                        strv_free(v);
                        return NULL;
                }
        }
        return v;
}

static int request_credentials(const Runtime__V1__AuthConfig *a, AuthCredentials *ret, CrioError *err) {
        if (!a)
                return 0;
        int r = auth_from_cri(a->username, a->password, a->auth, a->identity_token, a->registry_token, ret, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                return 0;
        }
        return r < 0 ? r : 1;
}

int cri_rpc_pull_image(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__PullImageRequest *r = (const Runtime__V1__PullImageRequest *) req;
        if (!r->image || !r->image->image || !r->image->image[0])
                return crio_error_set(err, EINVAL, "PullImage: no image named (image.image is empty)");
        const char *name = r->image->image;

        pthread_mutex_lock(&svc->lock);
        _cleanup_(config_freep) CrioConfig *cfg = config_dup(svc->config);
        pthread_mutex_unlock(&svc->lock);
        if (!cfg)
                return crio_error_set(err, ENOMEM, "out of memory");

        _cleanup_(auth_credentials_clear) AuthCredentials creds = {};
        int k = request_credentials(r->auth, &creds, err);
        if (k < 0)
                return crio_error_prefix(err, "PullImage %s: ", name);
        const char *ns = r->sandbox_config && r->sandbox_config->metadata ? r->sandbox_config->metadata->namespace_ : NULL;
        _cleanup_free_ char *policy = NULL;
        int q = policy_for(cfg, ns, &policy, err);
        if (q < 0)
                return q;
        _cleanup_strv_free_ char **files = auth_files(cfg);
        if (!files)
                return crio_error_set(err, ENOMEM, "out of memory");
        int64_t stall_ns = 0;
        if (config_parse_duration(cfg->pull_progress_timeout, &stall_ns) < 0)
                stall_ns = 0;

        PullOptions o = { .store = svc->store,
                          .shared = svc->pulls,
                          .registries_conf = cfg->registries_conf,
                          .registries_conf_dir = cfg->registries_conf_dir,
                          .search_registries = cfg->registries,
                          .insecure_registries = cfg->insecure_registries,
                          .policy_path = policy,
                          .registries_d_dir = cfg->registries_d_dir,
                          .certs_dir = cfg->certs_dir,
                          .creds = k > 0 ? &creds : NULL,
                          .auth_files = files,
                          .max_parallel = (unsigned) cfg->max_parallel_downloads,
                          /* "0s" means never: a year is as good */
                          .stall_timeout = stall_ns > 0 ? (unsigned) ((stall_ns + 999999999) / 1000000000) : 365u * 86400u,
                          .max_retries = REGISTRY_DEFAULT_RETRIES,
                          .max_layer_size = (uint64_t) cfg->max_layer_size,
                          /* the call's own flag: set when the client gives up, and by shutdown */
                          .cancel = cri_call_cancel_flag() ? cri_call_cancel_flag() : &svc->cancel };
        _cleanup_free_ char *id = NULL;
        q = image_pull(name, &o, &id, err);
        if (q < 0) {
                /* Bad data from a registry is not the client's invalid argument. */
                if (q == -EBADMSG || q == -EOPNOTSUPP || q == -EFBIG) {
                        err->code = EIO;
                        q = -EIO;
                }
                return q;
        }

        Runtime__V1__PullImageResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__pull_image_response__init(resp);
        resp->image_ref = TAKE_PTR(id);
        *ret_resp = &resp->base;
        return 0;
}
