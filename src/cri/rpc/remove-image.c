/* ImageService/RemoveImage: by ID, ID prefix, tag or digest. Removing an absent image is
 * success (as CRI-O and containerd answer). Removing by one tag of several drops that tag
 * only. An image a container uses is not deleted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "image/local.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(StoreImage *, store_image_free)

/* The normalised tag name when name is a tag reference (not an ID or a digest), else NULL. */
static char *tag_name(const char *name) {
        if (image_id_like(name))
                return NULL;
        _cleanup_image_reference_ ImageReference *ref = NULL;
        if (image_reference_parse(name, &ref, NULL) < 0 || ref->digest)
                return NULL;
        return image_reference_string(ref);
}

int cri_rpc_remove_image(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__RemoveImageRequest *r = (const Runtime__V1__RemoveImageRequest *) req;
        if (!r->image || !r->image->image || !r->image->image[0])
                return crio_error_set(err, EINVAL, "RemoveImage: no image named (image.image is empty)");
        const char *name = r->image->image;

        _cleanup_(store_image_freep) StoreImage *img = NULL;
        int k = image_local_find(svc->store, name, &img, err);
        if (k == -ENOENT) {
                crio_error_clear(err);
                log_debug("RemoveImage %s: not present", name);
        } else if (k < 0)
                return k;
        else {
                _cleanup_free_ char *tag = tag_name(name);
                size_t tagged = 0;
                for (char **n = img->names; n && *n; n++)
                        if (!strchr(*n, '@'))
                                tagged++;
                if (tag && strv_contains(img->names, tag) && tagged > 1) {
                        char *names[] = { tag, NULL };
                        k = store_image_remove_names(svc->store, img->id, names, err);
                } else {
                        k = store_image_delete(svc->store, img->id, err);
                        if (k == -EBUSY) {
                                crio_error_clear(err);
                                return crio_error_set(err, EBUSY, "image %s (%s) is in use by a container", name,
                                                      img->id);
                        }
                        if (k == -ENOENT) { /* removed meanwhile */
                                crio_error_clear(err);
                                k = 0;
                        }
                }
                if (k < 0)
                        return k;
        }
        Runtime__V1__RemoveImageResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__remove_image_response__init(resp);
        *ret_resp = &resp->base;
        return 0;
}
