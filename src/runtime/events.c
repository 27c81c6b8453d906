/* See events.h. */
#include "runtime/events.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/state.h"

struct RtEventSub {
        RtEventSub *next;
        RtEvent ring[RT_EVENTS_QUEUE_MAX];
        unsigned head, len;
        uint64_t dropped;
};

struct RtEventQueue {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        RtEventSub *subs;
};

RtEventQueue *rt_events_new(void) {
        RtEventQueue *q = calloc(1, sizeof *q);
        if (!q)
                return NULL;
        pthread_mutex_init(&q->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&q->cond, &ca);
        pthread_condattr_destroy(&ca);
        return q;
}

void rt_events_free(RtEventQueue *q) {
        if (!q)
                return;
        while (q->subs) {
                RtEventSub *s = q->subs;
                q->subs = s->next;
                free(s);
        }
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->cond);
        free(q);
}

static void copy_id(char dst[65], const char *src) {
        snprintf(dst, 65, "%s", src ? src : "");
}

void rt_events_emit(RtEventQueue *q, const char *container_id, const char *sandbox_id, RtEventType type) {
        RtEvent e = { .type = type, .created_at = rt_now() };
        copy_id(e.container_id, container_id);
        copy_id(e.sandbox_id, sandbox_id);
        pthread_mutex_lock(&q->lock);
        for (RtEventSub *s = q->subs; s; s = s->next) {
                if (s->len == RT_EVENTS_QUEUE_MAX) {
                        s->head = (s->head + 1) % RT_EVENTS_QUEUE_MAX;
                        s->len--;
                        s->dropped++;
                }
                s->ring[(s->head + s->len) % RT_EVENTS_QUEUE_MAX] = e;
                s->len++;
        }
        pthread_cond_broadcast(&q->cond);
        pthread_mutex_unlock(&q->lock);
}

RtEventSub *rt_events_subscribe(RtEventQueue *q) {
        RtEventSub *s = calloc(1, sizeof *s);
        if (!s)
                return NULL;
        pthread_mutex_lock(&q->lock);
        s->next = q->subs;
        q->subs = s;
        pthread_mutex_unlock(&q->lock);
        return s;
}

void rt_events_unsubscribe(RtEventQueue *q, RtEventSub *s) {
        if (!s)
                return;
        pthread_mutex_lock(&q->lock);
        for (RtEventSub **p = &q->subs; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        pthread_mutex_unlock(&q->lock);
        free(s);
}

int rt_events_next(RtEventQueue *q, RtEventSub *s, int timeout_ms, RtEvent *ret, uint64_t *dropped) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&q->lock);
        while (s->len == 0)
                if (pthread_cond_timedwait(&q->cond, &q->lock, &until) == ETIMEDOUT)
                        break;
        int r = 0;
        if (s->len > 0) {
                *ret = s->ring[s->head];
                s->head = (s->head + 1) % RT_EVENTS_QUEUE_MAX;
                s->len--;
                r = 1;
        }
        if (dropped) {
                *dropped = s->dropped;
                s->dropped = 0;
        }
        pthread_mutex_unlock(&q->lock);
        return r;
}
