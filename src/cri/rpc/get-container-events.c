/* RuntimeService/GetContainerEvents: a stream of container lifecycle events (created,
 * started, stopped, deleted; infra containers are not reported), each with the status of its
 * pod and of the container as they are when the message is built (no container status once
 * the container is removed, no pod status once the pod is).
 *
 * The subscription's queue is bounded (RT_EVENTS_QUEUE_MAX in runtime/events.h). A client
 * that falls so far behind that events were dropped gets the stream ended with UNAVAILABLE
 * naming how many: it cannot trust its view any more, and should subscribe again and
 * re-list (the kubelet's evented PLEG then relists). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "cri/pod-convert.h"
#include "cri/rpc/rpc.h"
#include "runtime/events.h"
#include "runtime/state.h"
#include "util/log.h"

/* The message for ev, or NULL on ENOMEM. */
static Runtime__V1__ContainerEventResponse *event_response_new(Rt *rt, const RtEvent *ev) {
        Runtime__V1__ContainerEventResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return NULL;
        runtime__v1__container_event_response__init(resp);
        resp->container_event_type = (Runtime__V1__ContainerEventType) ev->type;
        resp->created_at = ev->created_at;
        bool oom = !(resp->container_id = strdup(ev->container_id));

        pthread_mutex_lock(&rt->lock);
        RtSandbox *s = ev->sandbox_id[0] ? g_hash_table_lookup(rt->sandboxes, ev->sandbox_id) : NULL;
        if (s && !(resp->pod_sandbox_status = cri_pod_status_new(s)))
                oom = true;
        RtContainer *c = g_hash_table_lookup(rt->containers, ev->container_id);
        if (c) {
                resp->containers_statuses = calloc(1, sizeof *resp->containers_statuses);
                if (resp->containers_statuses && (resp->containers_statuses[0] = cri_container_status_new(c)))
                        resp->n_containers_statuses = 1;
                else
                        oom = true;
        }
        pthread_mutex_unlock(&rt->lock);

        if (oom) {
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return NULL;
        }
        return resp;
}

int cri_rpc_get_container_events(CriService *svc, const ProtobufCMessage *req, CriStream *stream, CrioError *err) {
        (void) req; /* GetEventsRequest has no fields */
        if (!svc->rt || !svc->rt->events)
                return crio_error_set(err, ENOSYS, "GetContainerEvents: no pod runtime in this service");
        RtEventQueue *q = svc->rt->events;
        RtEventSub *sub = rt_events_subscribe(q);
        if (!sub)
                return crio_error_set(err, ENOMEM, "GetContainerEvents: out of memory subscribing");
        log_debug("GetContainerEvents: client subscribed");

        int r = 0;
        while (r >= 0 && !cri_stream_over(stream)) {
                RtEvent ev;
                uint64_t dropped = 0;
                int k = rt_events_next(q, sub, CRI_STREAM_POLL_MS, &ev, &dropped);
                if (dropped > 0) {
                        r = crio_error_set(err, EAGAIN,
                                           "GetContainerEvents: the client fell behind and %" PRIu64
                                           " events were dropped: subscribe again and list containers",
                                           dropped);
                        break;
                }
                if (k <= 0)
                        continue;
                Runtime__V1__ContainerEventResponse *resp = event_response_new(svc->rt, &ev);
                if (!resp) {
                        r = crio_error_set(err, ENOMEM, "GetContainerEvents: out of memory building an event");
                        break;
                }
                r = cri_stream_send(stream, &resp->base, err);
                protobuf_c_message_free_unpacked(&resp->base, NULL);
        }
        rt_events_unsubscribe(q, sub);
        log_debug("GetContainerEvents: client unsubscribed");
        return r;
}
