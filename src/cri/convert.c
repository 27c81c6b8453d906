/* See convert.h. */
#include "cri/convert.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/runtime-path.h"
#include "util/cleanup.h"
#include "util/strv.h"

char **cri_map_to_pairs(void *const *entries, size_t n) {
        char **v = calloc(2 * n + 1, sizeof(char *));
        if (!v)
                return NULL;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const CriMapEntry *e = entries[i];
                const char *key = e->key ? e->key : "", *val = e->value ? e->value : "";
                size_t j;
                for (j = 0; j < k; j += 2)
                        if (strcmp(v[j], key) == 0)
                                break;
                char *nv = strdup(val);
                if (!nv) {
                        strv_free(v);
                        return NULL;
                }
                if (j < k) {
                        free(v[j + 1]);
                        v[j + 1] = nv;
                        continue;
                }
                if (!(v[k] = strdup(key))) {
                        free(nv);
                        strv_free(v);
                        return NULL;
                }
                v[k + 1] = nv;
                k += 2;
        }
        return v;
}

int cri_pairs_to_map(char *const *pairs, const ProtobufCMessageDescriptor *desc, void ***ret, size_t *ret_n) {
        size_t n = strv_length(pairs) / 2;
        *ret = NULL;
        *ret_n = 0;
        if (n == 0)
                return 0;
        void **v = calloc(n, sizeof(void *));
        if (!v)
                return -ENOMEM;
        *ret = v;
        for (size_t i = 0; i < n; i++) {
                CriMapEntry *e = malloc(desc->sizeof_message);
                if (!e)
                        return -ENOMEM;
                protobuf_c_message_init(desc, e);
                e->key = strdup(pairs[2 * i]);
                e->value = strdup(pairs[2 * i + 1]);
                v[i] = e;
                *ret_n = i + 1;
                if (!e->key || !e->value)
                        return -ENOMEM;
        }
        return 0;
}

bool cri_labels_match(char *const *pairs, void *const *selector, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const CriMapEntry *e = selector[i];
                bool found = false;
                for (size_t j = 0; pairs && pairs[j] && pairs[j + 1]; j += 2)
                        if (strcmp(pairs[j], e->key ? e->key : "") == 0) {
                                found = strcmp(pairs[j + 1], e->value ? e->value : "") == 0;
                                break;
                        }
                if (!found)
                        return false;
        }
        return true;
}

void cri_runtime_choice_clear(CriRuntimeChoice *c) {
        free(c->name);
        free(c->path);
        free(c->root);
        *c = (CriRuntimeChoice){ 0 };
}

int cri_runtime_choose(CriService *svc, const char *handler, CriRuntimeChoice *ret, CrioError *err) {
        pthread_mutex_lock(&svc->lock);
        const char *name = handler && handler[0] ? handler : svc->config->default_runtime;
        const CrioRuntimeHandler *h = config_find_runtime(svc->config, name);
        CrioRuntimeHandler copy = { 0 };
        int r = 0;
        if (!h)
                r = crio_error_set(err, EINVAL, "runtime handler \"%s\" is not configured ([crio.runtime.runtimes])", name);
        else {
                copy.name = strdup(h->name);
                copy.runtime_path = strdup(h->runtime_path ? h->runtime_path : "");
                copy.runtime_root = strdup(h->runtime_root ? h->runtime_root : "");
                copy.runtime_type = strdup(h->runtime_type ? h->runtime_type : "oci");
                if (!copy.name || !copy.runtime_path || !copy.runtime_root || !copy.runtime_type)
                        r = crio_error_set(err, ENOMEM, "out of memory");
        }
        pthread_mutex_unlock(&svc->lock);
        if (r >= 0 && strcmp(copy.runtime_type, "oci") != 0)
                r = crio_error_set(err, EOPNOTSUPP, "runtime handler \"%s\" has runtime_type \"%s\": only \"oci\" is supported",
                                   copy.name, copy.runtime_type);
        char *path = NULL;
        if (r >= 0)
                r = oci_runtime_find(&copy, NULL, &path, err);
        if (r >= 0) {
                ret->name = TAKE_PTR(copy.name);
                ret->path = path;
                ret->root = TAKE_PTR(copy.runtime_root);
                ret->rt = (OciRuntime){ .name = ret->name, .path = ret->path, .root = ret->root };
        }
        free(copy.name);
        free(copy.runtime_path);
        free(copy.runtime_root);
        free(copy.runtime_type);
        return r;
}

void *cri_msg_new(const ProtobufCMessageDescriptor *d, bool *oom) {
        void *m = malloc(d->sizeof_message);
        if (!m) {
                *oom = true;
                return NULL;
        }
        protobuf_c_message_init(d, m);
        return m;
}

char *cri_strdup_oom(const char *s, bool *oom) {
        char *r = strdup(s ? s : "");
        if (!r)
                *oom = true;
        return r;
}
