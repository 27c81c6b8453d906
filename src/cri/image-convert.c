#include "image-convert.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/local.h"
#include "util/cleanup.h"
#include "util/strv.h"

int cri_strv_to_repeated(char *const *v, char ***ret, size_t *ret_n) {
        size_t n = strv_length(v);
        char **a = calloc(n ? n : 1, sizeof(char *));
        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                a[i] = strdup(v[i]);
                if (!a[i]) {
                        for (size_t k = 0; k < i; k++)
                                free(a[k]);
                        free(a);
                        return -ENOMEM;
                }
        }
        *ret = a;
        *ret_n = n;
        return 0;
}

char **cri_pinned_images(CriService *svc) {
        pthread_mutex_lock(&svc->lock);
        char **v = strv_copy(svc->config->pinned_images);
        pthread_mutex_unlock(&svc->lock);
        return v;
}

int cri_image_from_store(Store *s, const StoreImage *img, char *const *pinned, Runtime__V1__Image **ret,
                         CrioError *err) {
        uint64_t size = 0;
        int r = store_image_size(s, img->id, &size, err);
        if (r < 0)
                return r;
        bool has_uid = false;
        int64_t uid = 0;
        _cleanup_free_ char *username = NULL;
        r = image_local_user(s, img, &has_uid, &uid, &username, err);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **tags = NULL, **digests = NULL;
        if (image_local_repo_names(img, &tags, &digests) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");

        Runtime__V1__Image *m = malloc(sizeof *m);
        if (!m)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__image__init(m);
        m->id = strdup(img->id);
        m->size = size;
        m->pinned = image_local_pinned(img, pinned);
        r = m->id ? 0 : -ENOMEM;
        if (r >= 0)
                r = cri_strv_to_repeated(tags, &m->repo_tags, &m->n_repo_tags);
        if (r >= 0)
                r = cri_strv_to_repeated(digests, &m->repo_digests, &m->n_repo_digests);
        if (r >= 0 && has_uid) {
                m->uid = malloc(sizeof *m->uid);
                if (m->uid) {
                        runtime__v1__int64_value__init(m->uid);
                        m->uid->value = uid;
                } else
                        r = -ENOMEM;
        }
        if (r >= 0 && username) {
                m->username = TAKE_PTR(username);
        }
        if (r >= 0) {
                m->spec = malloc(sizeof *m->spec);
                if (m->spec) {
                        runtime__v1__image_spec__init(m->spec);
                        m->spec->image = strdup(img->id);
                        if (!m->spec->image)
                                r = -ENOMEM;
                } else
                        r = -ENOMEM;
        }
        if (r < 0) {
                protobuf_c_message_free_unpacked(&m->base, NULL);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret = m;
        return 0;
}
