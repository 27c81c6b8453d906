/* RuntimeService/ListPodSandbox: every pod, or those matching the filter (ID or ID prefix,
 * state, labels), oldest first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/convert.h"
#include "cri/pod-convert.h"
#include "cri/rpc/rpc.h"
#include "runtime/state.h"

static bool matches(const RtSandbox *s, const Runtime__V1__PodSandboxFilter *f) {
        if (!f)
                return true;
        if (f->id && f->id[0] && strncmp(s->id, f->id, strlen(f->id)) != 0)
                return false;
        if (f->state && (int) f->state->state != (int) s->state)
                return false;
        return cri_labels_match(s->labels, (void *const *) f->label_selector, f->n_label_selector);
}

static int by_created(const void *a, const void *b) {
        const Runtime__V1__PodSandbox *x = *(Runtime__V1__PodSandbox *const *) a, *y = *(Runtime__V1__PodSandbox *const *) b;
        return x->created_at < y->created_at ? -1 : x->created_at > y->created_at;
}

int cri_rpc_list_pod_sandbox(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__ListPodSandboxRequest *r = (const Runtime__V1__ListPodSandboxRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "ListPodSandbox: no pod runtime in this service");
        Runtime__V1__ListPodSandboxResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__list_pod_sandbox_response__init(resp);
        Rt *rt = svc->rt;
        int k = 0;
        pthread_mutex_lock(&rt->lock);
        resp->items = calloc(g_hash_table_size(rt->sandboxes) + 1, sizeof(void *));
        if (!resp->items)
                k = crio_error_set(err, ENOMEM, "out of memory");
        GHashTableIter it;
        gpointer key, v;
        g_hash_table_iter_init(&it, rt->sandboxes);
        while (k >= 0 && g_hash_table_iter_next(&it, &key, &v)) {
                if (!matches(v, r->filter))
                        continue;
                Runtime__V1__PodSandbox *p = cri_pod_item_new(v);
                if (!p)
                        k = crio_error_set(err, ENOMEM, "out of memory");
                else
                        resp->items[resp->n_items++] = p;
        }
        pthread_mutex_unlock(&rt->lock);
        if (k < 0) {
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return k;
        }
        qsort(resp->items, resp->n_items, sizeof(void *), by_created);
        *ret_resp = &resp->base;
        return 0;
}
