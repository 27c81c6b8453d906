/* Container lifecycle events for GetContainerEvents: a broadcast to every subscriber.
 *
 * Each subscriber has its own bounded queue (RT_EVENTS_QUEUE_MAX); a subscriber that falls
 * that far behind loses the oldest events and is told how many (dropped). Emitting never
 * blocks. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define RT_EVENTS_QUEUE_MAX 1024

/* CRI ContainerEventType values. */
typedef enum RtEventType {
        RT_EVENT_CREATED = 0,
        RT_EVENT_STARTED = 1,
        RT_EVENT_STOPPED = 2,
        RT_EVENT_DELETED = 3,
} RtEventType;

typedef struct RtEvent {
        char container_id[65];
        char sandbox_id[65];
        RtEventType type;
        int64_t created_at; /* ns */
} RtEvent;

typedef struct RtEventQueue RtEventQueue;
typedef struct RtEventSub RtEventSub;

RtEventQueue *rt_events_new(void);
void rt_events_free(RtEventQueue *q);
void rt_events_emit(RtEventQueue *q, const char *container_id, const char *sandbox_id, RtEventType type);

RtEventSub *rt_events_subscribe(RtEventQueue *q);
void rt_events_unsubscribe(RtEventQueue *q, RtEventSub *s);
/* Waits up to timeout_ms for the next event: 1 with *ret filled, 0 on timeout. *dropped
 * gets the number of events lost since the last call. */
int rt_events_next(RtEventQueue *q, RtEventSub *s, int timeout_ms, RtEvent *ret, uint64_t *dropped);
