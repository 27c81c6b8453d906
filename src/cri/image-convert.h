/* Building CRI Image messages from the store's records (shared by ListImages and ImageStatus). */
#pragma once

#include "api.pb-c.h"
#include "cri/service.h"
#include "storage/store.h"
#include "util/error.h"

/* A heap Runtime__V1__Image for img (free with protobuf_c_message_free_unpacked), with size,
 * repo tags and digests, user and pinned (against the pinned_images patterns). */
int cri_image_from_store(Store *s, const StoreImage *img, char *const *pinned, Runtime__V1__Image **ret,
                         CrioError *err);
/* Copies a NULL-terminated string array into a repeated string field. */
int cri_strv_to_repeated(char *const *v, char ***ret, size_t *ret_n);
/* The pinned_images patterns, copied under the service lock (caller strv_free). */
char **cri_pinned_images(CriService *svc);
