/* See image-pull.h. */
#include "cri/image-pull.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cri/service.h"
#include "image/pull.h"
#include "image/registry.h"
#include "util/cleanup.h"
#include "util/strv.h"

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
                        return crio_error_set(err, EINVAL, "invalid pod namespace \"%s\"", ns);
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

/* only (pause_image_auth_file), or global_auth_file then the default files. NULL on ENOMEM. */
static char **auth_files(const CrioConfig *cfg, const char *only) {
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return NULL;
        if (only && *only)
                return strv_push(&v, only) < 0 ? NULL : TAKE_PTR(v);
        _cleanup_strv_free_ char **def = auth_default_files();
        if (!def || (cfg->global_auth_file && *cfg->global_auth_file && strv_push(&v, cfg->global_auth_file) < 0))
                return NULL;
        for (char **d = def; *d; d++)
                if (strv_push(&v, *d) < 0)
                        return NULL;
        return TAKE_PTR(v);
}

int cri_image_pull(CriService *svc, const CrioConfig *cfg, const CriPullRequest *req, char **ret_id, CrioError *err) {
        _cleanup_free_ char *policy = NULL;
        int r = policy_for(cfg, req->pod_namespace, &policy, err);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **files = auth_files(cfg, req->auth_file);
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
                          .creds = req->creds,
                          .auth_files = files,
                          .max_parallel = (unsigned) cfg->max_parallel_downloads,
                          /* "0s" means never: a year is as good */
                          .stall_timeout = stall_ns > 0 ? (unsigned) ((stall_ns + 999999999) / 1000000000) : 365u * 86400u,
                          .max_retries = REGISTRY_DEFAULT_RETRIES,
                          .max_layer_size = (uint64_t) cfg->max_layer_size,
                          /* the call's own flag: set when the client gives up, and by shutdown */
                          .cancel = cri_call_cancel_flag() ? cri_call_cancel_flag() : &svc->cancel };
        r = image_pull(req->name, &o, ret_id, err);
        /* Bad data from a registry is not the client's invalid argument. */
        if (r == -EBADMSG || r == -EOPNOTSUPP || r == -EFBIG) {
                if (err)
                        err->code = EIO;
                r = -EIO;
        }
        return r;
}
