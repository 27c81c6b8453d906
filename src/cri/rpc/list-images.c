/* ImageService/ListImages: every image in the store, or only the one the filter names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/image-convert.h"
#include "cri/rpc/rpc.h"
#include "image/local.h"
#include "util/cleanup.h"
#include "util/strv.h"

int cri_rpc_list_images(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__ListImagesRequest *r = (const Runtime__V1__ListImagesRequest *) req;
        const char *only = r->filter && r->filter->image && r->filter->image->image && r->filter->image->image[0]
                                   ? r->filter->image->image
                                   : NULL;
        StoreImage **images = NULL;
        int k;
        if (only) {
                StoreImage *one = NULL;
                k = image_local_find(svc->store, only, &one, err);
                if (k == -ENOENT) {
                        crio_error_clear(err);
                        k = 0;
                }
                if (k < 0)
                        return k;
                images = calloc(2, sizeof(StoreImage *));
                if (!images) {
                        store_image_free(one);
                        return crio_error_set(err, ENOMEM, "out of memory");
                }
                images[0] = one; /* NULL when absent: an empty list */
        } else {
                k = store_images(svc->store, &images, err);
                if (k < 0)
                        return k;
        }

        Runtime__V1__ListImagesResponse *resp = malloc(sizeof *resp);
        size_t n = 0;
        while (images[n])
                n++;
        if (resp) {
                runtime__v1__list_images_response__init(resp);
                resp->images = calloc(n ? n : 1, sizeof(Runtime__V1__Image *));
        }
        if (!resp || !resp->images) {
                if (resp)
                        protobuf_c_message_free_unpacked(&resp->base, NULL);
                store_image_list_free(images);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        _cleanup_strv_free_ char **pinned = cri_pinned_images(svc);
        for (size_t i = 0; i < n; i++) {
                k = cri_image_from_store(svc->store, images[i], pinned, &resp->images[resp->n_images], err);
                if (k == -ENOENT) { /* removed meanwhile */
                        crio_error_clear(err);
                        continue;
                }
                if (k < 0)
                        break;
                resp->n_images++;
        }
        store_image_list_free(images);
        if (k < 0) {
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return k;
        }
        *ret_resp = &resp->base;
        return 0;
}
