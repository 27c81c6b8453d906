/* Private to the CRI server (server.c, server-stream.c): the server, its methods and the
 * context of one call. Handlers never see these. */
#pragma once

#include <grpc/grpc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "api.pb-c.h"
#include "cri/server.h"

typedef struct CriMethod {
        char *path; /* "/runtime.v1.RuntimeService/Version" */
        const ProtobufCMethodDescriptor *desc;
        CriHandler handler;      /* NULL (and stream NULL): UNIMPLEMENTED */
        CriStreamHandler stream; /* a server-streaming RPC (server-stream.c) */
        bool slow;               /* run on a thread of its own (see cri_handler_lookup_full) */
        void *registered;        /* grpc's handle */
} CriMethod;

typedef enum CallState { CALL_REQUESTED, CALL_ANSWERING } CallState;

typedef struct CallCtx {
        CriServer *srv;
        CriMethod *method; /* NULL: the catch-all request for unknown methods */
        CallState state;
        grpc_call *call;
        gpr_timespec deadline;
        grpc_metadata_array metadata;
        grpc_call_details details; /* catch-all only */
        grpc_byte_buffer *payload;
        grpc_byte_buffer *response;
        grpc_slice status_details;
        int cancelled;
        /* Slow calls and streams: RECV_CLOSE_ON_SERVER is a batch of its own, started with the
         * call, whose tag is the context's address with the low bit set (CLOSE_TAG). It
         * completes when the call is over: at once when the client cancels or its deadline
         * passes, which client_gone tells the handler. The context lives until both batches
         * are done. */
        bool early_close;
        atomic_int refs;
        volatile int client_gone;
        /* Streams: the stream's state, owned by its thread; each message (and the initial
         * metadata) is a batch tagged SEND_TAG, completed by a queue worker, which hands the
         * result to the stream thread (cri_stream_sent). */
        struct CriStream *stream;
} CallCtx;

/* Tags on the queue: a CallCtx (malloc'd, so at least 8-aligned) is a request or the final
 * answer; with bit 0 set, the RECV_CLOSE_ON_SERVER batch; with bit 1, a stream's send. */
#define CLOSE_TAG(ctx) ((void *) ((uintptr_t) (ctx) | 1u))
#define SEND_TAG(ctx) ((void *) ((uintptr_t) (ctx) | 2u))
#define IS_CLOSE_TAG(tag) (((uintptr_t) (tag) & 3u) == 1u)
#define IS_SEND_TAG(tag) (((uintptr_t) (tag) & 3u) == 2u)
#define CTX_OF_TAG(tag) ((CallCtx *) ((uintptr_t) (tag) & ~(uintptr_t) 3u))

struct CriServer {
        grpc_server *server;
        grpc_completion_queue *cq;
        CriService *svc;
        char *socket_path;
        CriMethod *methods;
        size_t n_methods;
        pthread_t *threads;
        unsigned n_threads;

        pthread_mutex_t lock; /* guards the fields below; held only for bookkeeping */
        pthread_cond_t cond;
        unsigned live_calls;   /* CallCtx alive (requested or answering) */
        bool stopping;         /* shutdown_and_notify called: no new requests, streams end */
        unsigned stuck_calls;  /* streams whose send outlived their cancellation (server-stream.c) */
        bool shutdown_done;    /* grpc's shutdown tag arrived */
        bool cq_shut;          /* grpc_completion_queue_shutdown called */
        int shutdown_tag;      /* its address is the tag */
        bool grpc_inited;
};

/* server.c: decodes the request of ctx as its method's input type. GRPC_STATUS_OK with
 * *ret_req (free with protobuf_c_message_free_unpacked), or the status to answer with and a
 * malloc'd message in *ret_msg. */
grpc_status_code cri_call_decode(CallCtx *ctx, ProtobufCMessage **ret_req, char **ret_msg);
/* After cancelling every call at shutdown: how long gRPC may take to close the connections
 * before the server forces them (server.c); a stream whose send is still out that long after
 * it cancelled its call counts as stuck (server-stream.c). */
#define SHUTDOWN_CLOSE_MS 500

/* server.c: drops one reference to ctx (the answer's or the close batch's), freeing it with
 * the last. */
void cri_call_free(CallCtx *ctx);
/* server.c: starts the RECV_CLOSE_ON_SERVER batch of a slow call or stream (early_close). */
void cri_call_watch_close(CallCtx *ctx);

/* server-stream.c: serves a streaming call on a thread of its own (called by a queue worker
 * instead of answering). */
void cri_stream_start(CallCtx *ctx);
/* server-stream.c: a queue worker hands over the completion of a SEND_TAG batch. */
void cri_stream_sent(CallCtx *ctx, bool ok);
