/* ImageService/PullImage: pulls image.image from its registry (cri/image-pull.h) with the
 * request's credentials or the auth files, under the signature policy for the pod's
 * namespace, and answers the image ID. Runs on a slow-call thread. */
#include <errno.h>
#include <stdlib.h>

#include "api.pb-c.h"
#include "cri/image-pull.h"
#include "cri/rpc/rpc.h"
#include "util/cleanup.h"

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
        CriPullRequest pr = { .name = name, .pod_namespace = ns, .creds = k > 0 ? &creds : NULL };
        _cleanup_free_ char *id = NULL;
        k = cri_image_pull(svc, cfg, &pr, &id, err);
        if (k < 0)
                return k;

        Runtime__V1__PullImageResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__pull_image_response__init(resp);
        resp->image_ref = TAKE_PTR(id);
        *ret_resp = &resp->base;
        return 0;
}
