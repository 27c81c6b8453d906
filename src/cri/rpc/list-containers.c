/* RuntimeService/ListContainers: every container (not the pods' infra containers), or those
 * matching the filter (ID or prefix, pod ID or prefix, state, labels), oldest first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/convert.h"
#include "cri/pod-convert.h"
#include "cri/rpc/rpc.h"
#include "runtime/state.h"

static bool matches(const RtContainer *c, const Runtime__V1__ContainerFilter *f) {
        if (c->infra)
                return false;
        if (!f)
                return true;
        if (f->id && f->id[0] && strncmp(c->id, f->id, strlen(f->id)) != 0)
                return false;
        if (f->pod_sandbox_id && f->pod_sandbox_id[0] && strncmp(c->sandbox_id, f->pod_sandbox_id, strlen(f->pod_sandbox_id)) != 0)
                return false;
        if (f->state && (int) f->state->state != (int) c->state)
                return false;
        return cri_labels_match(c->labels, (void *const *) f->label_selector, f->n_label_selector);
}

static int by_created(const void *a, const void *b) {
        const Runtime__V1__Container *x = *(Runtime__V1__Container *const *) a, *y = *(Runtime__V1__Container *const *) b;
        return x->created_at < y->created_at ? -1 : x->created_at > y->created_at;
}

int cri_rpc_list_containers(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        const Runtime__V1__ListContainersRequest *r = (const Runtime__V1__ListContainersRequest *) req;
        if (!svc->rt)
                return crio_error_set(err, ENOSYS, "ListContainers: no pod runtime in this service");
        Runtime__V1__ListContainersResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__list_containers_response__init(resp);
        Rt *rt = svc->rt;
        int k = 0;
        pthread_mutex_lock(&rt->lock);
        resp->containers = calloc(g_hash_table_size(rt->containers) + 1, sizeof(void *));
        if (!resp->containers)
                k = crio_error_set(err, ENOMEM, "out of memory");
        GHashTableIter it;
        gpointer key, v;
        g_hash_table_iter_init(&it, rt->containers);
        while (k >= 0 && g_hash_table_iter_next(&it, &key, &v)) {
                if (!matches(v, r->filter))
                        continue;
                Runtime__V1__Container *c = cri_container_item_new(v);
                if (!c)
                        k = crio_error_set(err, ENOMEM, "out of memory");
                else
                        resp->containers[resp->n_containers++] = c;
        }
        pthread_mutex_unlock(&rt->lock);
        if (k < 0) {
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return k;
        }
        qsort(resp->containers, resp->n_containers, sizeof(void *), by_created);
        *ret_resp = &resp->base;
        return 0;
}
