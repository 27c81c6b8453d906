/* Pulling an image the way PullImage does (image/pull.h), from the daemon's configuration:
 * registries.conf and crio.conf's registries, the signature policy, certificates, auth
 * files, parallelism, stall timeout, layer size limit and cancellation. PullImage and
 * RunPodSandbox (a missing pause_image) both pull through here. */
#pragma once

#include "config/config.h"
#include "cri/service.h"
#include "image/auth.h"
#include "util/error.h"

typedef struct CriPullRequest {
        const char *name;             /* the image, as a client names it */
        const char *pod_namespace;    /* NULL or "": the global policy, else
                                       * <signature_policy_dir>/<namespace>.json when it exists */
        const AuthCredentials *creds; /* from the request; NULL: the auth files */
        const char *auth_file;        /* NULL or "": global_auth_file, then the default files;
                                       * else only this file (pause_image_auth_file) */
} CriPullRequest;

/* Pulls req->name under cfg (a copy the caller owns: no lock is held during the pull) and
 * returns the image ID (64 hex, caller frees) in *ret_id. Errors as image_pull's, except that
 * bad data from a registry (-EBADMSG, -EOPNOTSUPP, -EFBIG) is -EIO: it is not the client's
 * invalid argument. */
int cri_image_pull(CriService *svc, const CrioConfig *cfg, const CriPullRequest *req, char **ret_id, CrioError *err);
