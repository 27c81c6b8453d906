/* Server-streaming calls (see cri/service.h for the handler's side).
 *
 * A stream gets a detached thread of its own, so that it never occupies a queue worker for
 * its lifetime. The thread watches RECV_CLOSE_ON_SERVER like a slow call, sends the initial
 * metadata, runs the handler and finally starts the status batch, whose completion the queue
 * workers handle like any answer (they free the context). Each message is one batch tagged
 * SEND_TAG: the thread waits for a worker to report its completion before the handler may
 * send the next one, so at most one message per stream is in gRPC's hands. While it waits it
 * wakes every CRI_STREAM_POLL_MS to see whether the server is stopping; if so it cancels the
 * call, which fails the pending batch at once (a client that stops reading cannot hold up
 * shutdown). */
#include <errno.h>
#include <grpc/byte_buffer.h>
#include <grpc/grpc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cri/server-call.h"
#include "cri/status.h"
#include "util/cleanup.h"
#include "util/log.h"

struct CriStream {
        CallCtx *ctx;
        pthread_mutex_t lock;
        pthread_cond_t cond; /* CLOCK_MONOTONIC */
        bool pending;        /* a SEND_TAG batch is out */
        bool ok;             /* how the last one completed */
        bool failed;         /* a send failed: the call is over */
        bool cancelled;      /* we cancelled the call (shutdown) */
};

static bool server_stopping(CriServer *srv) {
        pthread_mutex_lock(&srv->lock);
        bool r = srv->stopping;
        pthread_mutex_unlock(&srv->lock);
        return r || (srv->svc && srv->svc->cancel);
}

static void set_stuck(CriServer *srv, bool stuck) {
        pthread_mutex_lock(&srv->lock);
        if (stuck)
                srv->stuck_calls++;
        else
                srv->stuck_calls--;
        pthread_cond_broadcast(&srv->cond);
        pthread_mutex_unlock(&srv->lock);
}

bool cri_stream_over(CriStream *st) {
        return st->failed || st->ctx->client_gone || server_stopping(st->ctx->srv);
}

void cri_stream_sent(CallCtx *ctx, bool ok) {
        CriStream *st = ctx->stream;
        pthread_mutex_lock(&st->lock);
        st->pending = false;
        st->ok = ok;
        pthread_cond_broadcast(&st->cond);
        pthread_mutex_unlock(&st->lock);
}

/* Starts one batch of a single op tagged SEND_TAG and waits for its completion; cancels the
 * call if the server stops meanwhile. Returns whether the op succeeded. */
static bool send_op(CriStream *st, const grpc_op *op) {
        CallCtx *ctx = st->ctx;
        pthread_mutex_lock(&st->lock);
        st->pending = true;
        pthread_mutex_unlock(&st->lock);
        if (grpc_call_start_batch(ctx->call, op, 1, SEND_TAG(ctx), NULL) != GRPC_CALL_OK) {
                st->pending = false;
                st->failed = true;
                return false;
        }
        unsigned polls_since_cancel = 0;
        bool stuck = false;
        pthread_mutex_lock(&st->lock);
        while (st->pending) {
                struct timespec until;
                clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_nsec += CRI_STREAM_POLL_MS * 1000000L;
                if (until.tv_nsec >= 1000000000L) {
                        until.tv_sec++;
                        until.tv_nsec -= 1000000000L;
                }
                if (pthread_cond_timedwait(&st->cond, &st->lock, &until) != ETIMEDOUT)
                        continue;
                if (st->cancelled) {
                        /* The batch should have failed at once; it has not when its bytes sit
                         * in a socket write that a client which stopped reading never lets
                         * finish: tell shutdown, which then forces the connection. */
                        if (!stuck && ++polls_since_cancel * CRI_STREAM_POLL_MS >= SHUTDOWN_CLOSE_MS) {
                                stuck = true;
                                set_stuck(ctx->srv, true);
                        }
                        continue;
                }
                pthread_mutex_unlock(&st->lock);
                if (server_stopping(ctx->srv)) {
                        st->cancelled = true;
                        grpc_call_cancel_with_status(ctx->call, GRPC_STATUS_UNAVAILABLE, "crio is shutting down",
                                                     NULL);
                }
                pthread_mutex_lock(&st->lock);
        }
        bool ok = st->ok;
        pthread_mutex_unlock(&st->lock);
        if (stuck)
                set_stuck(ctx->srv, false);
        if (!ok)
                st->failed = true;
        return ok;
}

int cri_stream_send(CriStream *st, const ProtobufCMessage *msg, CrioError *err) {
        if (cri_stream_over(st))
                return crio_error_set(err, ECANCELED, "%s: the stream is over", st->ctx->method->path);
        size_t len = protobuf_c_message_get_packed_size(msg);
        grpc_slice out = grpc_slice_malloc(len);
        protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(out));
        grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&out, 1);
        grpc_slice_unref(out);
        grpc_op op = { .op = GRPC_OP_SEND_MESSAGE };
        op.data.send_message.send_message = bb;
        bool ok = send_op(st, &op);
        grpc_byte_buffer_destroy(bb);
        if (!ok)
                return crio_error_set(err, ECANCELED, "%s: sending failed: the client is gone", st->ctx->method->path);
        return 0;
}

/* Ends the call with its status; the queue worker that sees the batch complete frees ctx, so
 * ctx must not be touched after this. */
static void finish(CallCtx *ctx, bool metadata_sent, grpc_status_code code, const char *msg) {
        if (msg)
                ctx->status_details = grpc_slice_from_copied_string(msg);
        grpc_op ops[3];
        memset(ops, 0, sizeof ops);
        size_t n = 0;
        if (!metadata_sent)
                ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
        if (!ctx->early_close) {
                ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
                ops[n].data.recv_close_on_server.cancelled = &ctx->cancelled;
                n++;
        }
        ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
        ops[n].data.send_status_from_server.status = code;
        ops[n].data.send_status_from_server.status_details = &ctx->status_details;
        n++;
        ctx->state = CALL_ANSWERING;
        ctx->stream = NULL;
        grpc_call_error e = grpc_call_start_batch(ctx->call, ops, n, ctx, NULL);
        if (e != GRPC_CALL_OK) {
                log_debug("%s: ending the stream failed to start: %d", ctx->method->path, e);
                cri_call_free(ctx);
        }
}

static void serve(CriStream *st) {
        CallCtx *ctx = st->ctx;
        CriMethod *m = ctx->method;
        _cleanup_free_ char *msg = NULL;
        ProtobufCMessage *req = NULL;
        grpc_status_code code = cri_call_decode(ctx, &req, &msg);
        if (code != GRPC_STATUS_OK) {
                log_debug("%s: %s: %s", m->path, cri_status_name(code), msg ? msg : "");
                finish(ctx, false, code, msg);
                return;
        }
        grpc_op md = { .op = GRPC_OP_SEND_INITIAL_METADATA };
        _cleanup_(crio_error_clear) CrioError err = {};
        int r = send_op(st, &md) ? m->stream(ctx->srv->svc, req, st, &err) : 0;
        protobuf_c_message_free_unpacked(req, NULL);

        if (server_stopping(ctx->srv)) {
                code = GRPC_STATUS_UNAVAILABLE;
                msg = strdup("crio is shutting down");
        } else if (r < 0 && r != -ECANCELED) {
                code = cri_status_from_errno(r);
                msg = err.msg ? TAKE_PTR(err.msg) : strdup(strerror(-r));
        } else if (st->failed || ctx->client_gone) {
                code = GRPC_STATUS_CANCELLED; /* nobody is listening */
        } else
                code = GRPC_STATUS_OK;
        log_debug("%s: stream ended: %s%s%s", m->path, cri_status_name(code), msg ? ": " : "", msg ? msg : "");
        finish(ctx, true, code, msg);
}

static void *stream_main(void *userdata) {
        CallCtx *ctx = userdata;
        CriStream st = { .ctx = ctx };
        pthread_mutex_init(&st.lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&st.cond, &ca);
        pthread_condattr_destroy(&ca);
        ctx->stream = &st;
        serve(&st); /* ctx is gone after this */
        pthread_cond_destroy(&st.cond);
        pthread_mutex_destroy(&st.lock);
        return NULL;
}

void cri_stream_start(CallCtx *ctx) {
        cri_call_watch_close(ctx);
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int e = pthread_create(&t, &attr, stream_main, ctx);
        pthread_attr_destroy(&attr);
        if (e != 0) {
                _cleanup_free_ char *msg = NULL;
                asprintf(&msg, "%s: cannot start a thread for the stream: %s", ctx->method->path, strerror(e));
                log_debug("%s", msg ? msg : "cannot start a thread for a stream");
                finish(ctx, false, GRPC_STATUS_RESOURCE_EXHAUSTED, msg);
        }
}
