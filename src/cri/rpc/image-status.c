/* ImageService/ImageStatus: the image a client names, or no image (not an error) when it is
 * not in the store; with verbose, info["info"] holds the image config as JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/image-convert.h"
#include "cri/rpc/rpc.h"
#include "image/local.h"
#include "util/cleanup.h"
#include "util/strv.h"

int cri_rpc_image_status(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__ImageStatusRequest *r = (const Runtime__V1__ImageStatusRequest *) req;
        if (!r->image || !r->image->image || !r->image->image[0])
                return crio_error_set(err, EINVAL, "ImageStatus: no image named (image.image is empty)");

        Runtime__V1__ImageStatusResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__image_status_response__init(resp);

        _cleanup_strv_free_ char **pinned = NULL;
        StoreImage *img = NULL;
        int k = image_local_find(svc->store, r->image->image, &img, err);
        if (k == -ENOENT) {
                crio_error_clear(err);
                *ret_resp = &resp->base; /* absent: an empty status, as the kubelet expects */
                return 0;
        }
        if (k < 0)
                goto fail;

        pinned = cri_pinned_images(svc);
        k = cri_image_from_store(svc->store, img, pinned, &resp->image, err);
        if (k >= 0 && r->verbose) {
                _cleanup_free_ char *config = NULL;
                k = image_local_config(svc->store, img, &config, err);
                if (k >= 0 && config) {
                        Runtime__V1__ImageStatusResponse__InfoEntry *e = malloc(sizeof *e);
                        resp->info = calloc(1, sizeof(*resp->info));
                        if (!e || !resp->info) {
                                free(e);
                                k = crio_error_set(err, ENOMEM, "out of memory");
                        } else {
                                runtime__v1__image_status_response__info_entry__init(e);
                                resp->info[resp->n_info++] = e;
                                e->key = strdup("info");
                                e->value = NULL;
                                if (e->key && asprintf(&e->value, "{\"id\":\"%s\",\"imageSpec\":%s}", img->id, config) < 0)
                                        e->value = NULL;
                                if (!e->key || !e->value)
                                        k = crio_error_set(err, ENOMEM, "out of memory");
                        }
                }
        }
        store_image_free(img);
        if (k < 0)
                goto fail;
        *ret_resp = &resp->base;
        return 0;
fail:
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return k;
}
