/* See pod-convert.h. */
#include "cri/pod-convert.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cri/convert.h"
#include "util/strv.h"

#define MAP(pairs, desc, field, nfield, oom)                                                  \
        do {                                                                                    \
                void **_v = NULL;                                                               \
                size_t _n = 0;                                                                  \
                if (cri_pairs_to_map((pairs), (desc), &_v, &_n) < 0)                            \
                        *(oom) = true;                                                          \
                (field) = (void *) _v;                                                          \
                (nfield) = _n;                                                                  \
        } while (0)

static Runtime__V1__PodSandboxMetadata *pod_meta(const RtSandbox *s, bool *oom) {
        Runtime__V1__PodSandboxMetadata *m = cri_msg_new(&runtime__v1__pod_sandbox_metadata__descriptor, oom);
        if (!m)
                return NULL;
        m->name = cri_strdup_oom(s->meta_name, oom);
        m->uid = cri_strdup_oom(s->meta_uid, oom);
        m->namespace_ = cri_strdup_oom(s->meta_namespace, oom);
        m->attempt = s->attempt;
        return m;
}

static void *finish(void *m, bool oom) {
        if (oom && m) {
                protobuf_c_message_free_unpacked(m, NULL);
                return NULL;
        }
        return m;
}

Runtime__V1__PodSandboxStatus *cri_pod_status_new(const RtSandbox *s) {
        bool oom = false;
        Runtime__V1__PodSandboxStatus *st = cri_msg_new(&runtime__v1__pod_sandbox_status__descriptor, &oom);
        if (!st)
                return NULL;
        st->id = cri_strdup_oom(s->id, &oom);
        st->metadata = pod_meta(s, &oom);
        st->state = (Runtime__V1__PodSandboxState) s->state;
        st->created_at = s->created_at;
        st->runtime_handler = cri_strdup_oom(s->runtime_handler, &oom);
        MAP(s->labels, &runtime__v1__pod_sandbox_status__labels_entry__descriptor, st->labels, st->n_labels, &oom);
        MAP(s->annotations, &runtime__v1__pod_sandbox_status__annotations_entry__descriptor, st->annotations,
            st->n_annotations, &oom);
        st->network = cri_msg_new(&runtime__v1__pod_sandbox_network_status__descriptor, &oom);
        if (st->network) {
                size_t n = strv_length(s->ips);
                st->network->ip = cri_strdup_oom(n ? s->ips[0] : "", &oom);
                if (n > 1) {
                        st->network->additional_ips = calloc(n - 1, sizeof(void *));
                        if (!st->network->additional_ips)
                                oom = true;
                        for (size_t i = 1; st->network->additional_ips && i < n; i++) {
                                Runtime__V1__PodIP *ip = cri_msg_new(&runtime__v1__pod_ip__descriptor, &oom);
                                if (!ip)
                                        break;
                                ip->ip = cri_strdup_oom(s->ips[i], &oom);
                                st->network->additional_ips[st->network->n_additional_ips++] = ip;
                        }
                }
        }
        st->linux = cri_msg_new(&runtime__v1__linux_pod_sandbox_status__descriptor, &oom);
        if (st->linux && (st->linux->namespaces = cri_msg_new(&runtime__v1__namespace__descriptor, &oom)) &&
            (st->linux->namespaces->options = cri_msg_new(&runtime__v1__namespace_option__descriptor, &oom))) {
                Runtime__V1__NamespaceOption *o = st->linux->namespaces->options;
                o->network = (Runtime__V1__NamespaceMode) s->ns_network;
                o->pid = (Runtime__V1__NamespaceMode) s->ns_pid;
                o->ipc = (Runtime__V1__NamespaceMode) s->ns_ipc;
                o->target_id = cri_strdup_oom(s->ns_target_id, &oom);
        }
        return finish(st, oom);
}

Runtime__V1__PodSandbox *cri_pod_item_new(const RtSandbox *s) {
        bool oom = false;
        Runtime__V1__PodSandbox *p = cri_msg_new(&runtime__v1__pod_sandbox__descriptor, &oom);
        if (!p)
                return NULL;
        p->id = cri_strdup_oom(s->id, &oom);
        p->metadata = pod_meta(s, &oom);
        p->state = (Runtime__V1__PodSandboxState) s->state;
        p->created_at = s->created_at;
        p->runtime_handler = cri_strdup_oom(s->runtime_handler, &oom);
        MAP(s->labels, &runtime__v1__pod_sandbox__labels_entry__descriptor, p->labels, p->n_labels, &oom);
        MAP(s->annotations, &runtime__v1__pod_sandbox__annotations_entry__descriptor, p->annotations, p->n_annotations,
            &oom);
        return finish(p, oom);
}

static Runtime__V1__ContainerMetadata *ctr_meta(const RtContainer *c, bool *oom) {
        Runtime__V1__ContainerMetadata *m = cri_msg_new(&runtime__v1__container_metadata__descriptor, oom);
        if (!m)
                return NULL;
        m->name = cri_strdup_oom(c->meta_name, oom);
        m->attempt = c->attempt;
        return m;
}

static Runtime__V1__ImageSpec *image_spec(const RtContainer *c, bool *oom) {
        Runtime__V1__ImageSpec *i = cri_msg_new(&runtime__v1__image_spec__descriptor, oom);
        if (!i)
                return NULL;
        i->image = cri_strdup_oom(c->image, oom);
        i->user_specified_image = cri_strdup_oom(c->image, oom);
        return i;
}

Runtime__V1__ContainerStatus *cri_container_status_new(const RtContainer *c) {
        bool oom = false;
        Runtime__V1__ContainerStatus *st = cri_msg_new(&runtime__v1__container_status__descriptor, &oom);
        if (!st)
                return NULL;
        st->id = cri_strdup_oom(c->id, &oom);
        st->metadata = ctr_meta(c, &oom);
        st->state = (Runtime__V1__ContainerState) c->state;
        st->created_at = c->created_at;
        st->started_at = c->state == RT_CTR_CREATED ? 0 : c->started_at;
        st->finished_at = c->state == RT_CTR_EXITED ? c->finished_at : 0;
        st->exit_code = c->state == RT_CTR_EXITED ? c->exit_code : 0;
        st->image = image_spec(c, &oom);
        st->image_ref = cri_strdup_oom(c->image_ref, &oom);
        st->image_id = cri_strdup_oom(c->image_id, &oom);
        st->reason = cri_strdup_oom(c->state == RT_CTR_EXITED ? c->reason : "", &oom);
        st->message = cri_strdup_oom(c->state == RT_CTR_EXITED ? c->message : "", &oom);
        st->log_path = cri_strdup_oom(c->log_path, &oom);
        MAP(c->labels, &runtime__v1__container_status__labels_entry__descriptor, st->labels, st->n_labels, &oom);
        MAP(c->annotations, &runtime__v1__container_status__annotations_entry__descriptor, st->annotations,
            st->n_annotations, &oom);
        if (c->n_mounts) {
                st->mounts = calloc(c->n_mounts, sizeof(void *));
                if (!st->mounts)
                        oom = true;
                for (size_t i = 0; st->mounts && i < c->n_mounts; i++) {
                        Runtime__V1__Mount *m = cri_msg_new(&runtime__v1__mount__descriptor, &oom);
                        if (!m)
                                break;
                        m->container_path = cri_strdup_oom(c->mounts[i].container_path, &oom);
                        m->host_path = cri_strdup_oom(c->mounts[i].host_path, &oom);
                        m->readonly = c->mounts[i].readonly;
                        m->selinux_relabel = c->mounts[i].selinux_relabel;
                        m->propagation = (Runtime__V1__MountPropagation) c->mounts[i].propagation;
                        st->mounts[st->n_mounts++] = m;
                }
        }
        return finish(st, oom);
}

Runtime__V1__Container *cri_container_item_new(const RtContainer *c) {
        bool oom = false;
        Runtime__V1__Container *it = cri_msg_new(&runtime__v1__container__descriptor, &oom);
        if (!it)
                return NULL;
        it->id = cri_strdup_oom(c->id, &oom);
        it->pod_sandbox_id = cri_strdup_oom(c->sandbox_id, &oom);
        it->metadata = ctr_meta(c, &oom);
        it->image = image_spec(c, &oom);
        it->image_ref = cri_strdup_oom(c->image_ref, &oom);
        it->image_id = cri_strdup_oom(c->image_id, &oom);
        it->state = (Runtime__V1__ContainerState) c->state;
        it->created_at = c->created_at;
        MAP(c->labels, &runtime__v1__container__labels_entry__descriptor, it->labels, it->n_labels, &oom);
        MAP(c->annotations, &runtime__v1__container__annotations_entry__descriptor, it->annotations, it->n_annotations,
            &oom);
        return finish(it, oom);
}
