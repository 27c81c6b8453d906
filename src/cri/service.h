/* The state every CRI handler works on, and the handler signature.
 *
 * A handler translates one CRI request into calls on the lower layers and builds the
 * response. It follows the error convention: it returns 0, or a negative errno with err
 * filled; cri_status_from_errno() turns that into the gRPC status the client sees
 * (-EINVAL -> INVALID_ARGUMENT, -ENOENT -> NOT_FOUND, -ENOSYS -> UNIMPLEMENTED, ...).
 *
 * Responses are built on the heap so that protobuf_c_message_free_unpacked() frees them:
 * every string is malloc'd (or left at its default), every sub-message and array malloc'd. */
#pragma once

#include <protobuf-c/protobuf-c.h>
#include <pthread.h>
#include <stdbool.h>

#include "config/config.h"
#include "storage/store.h"
#include "util/error.h"

typedef struct CriService {
        pthread_mutex_t lock; /* guards config; never held across I/O or a child */
        CrioConfig *config;   /* owned; replaced pieces on SIGHUP (config_reload) */
        Store *store;         /* owned; thread-safe on its own (no need for lock) */
        volatile int cancel;  /* set when shutdown gives up waiting: long work stops (-ECANCELED) */
        struct PullShared *pulls; /* owned; what concurrent pulls share (image/pull.h) */
        struct Rt *rt;        /* owned; pods and containers (runtime/state.h); NULL in some tests */
        char *pod_cidr;       /* owned; from UpdateRuntimeConfig (under lock); NULL until given */
        struct Cni *cni;      /* owned; pod networking (network/cni.h); NULL in some tests */
        bool apparmor;        /* the host has AppArmor enabled: containers get profiles (oci/apparmor.h) */
        bool selinux;         /* crio.conf's selinux on a host with SELinux: pods and containers get
                               * labels (oci/selinux.h); read at start only, as CRI-O */
} CriService;

typedef int (*CriHandler)(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                          CrioError *err);

/* Looks up the handler for a full method path ("/runtime.v1.RuntimeService/Version").
 * NULL means the RPC is not implemented yet: the server answers UNIMPLEMENTED. */
CriHandler cri_handler_lookup(const char *path);
/* The same, also saying whether the handler is slow (pull, create, stop, exec...): slow
 * handlers run on their own threads so that they never hold up the queue workers. */
CriHandler cri_handler_lookup_full(const char *path, bool *ret_slow);

/* Server-streaming RPCs (GetContainerEvents). The handler runs on a thread of its own for
 * the life of the stream: it sends messages one at a time with cri_stream_send(), which
 * returns only once gRPC has taken the message (a client that reads slowly slows the
 * handler down; nothing piles up in crio), and it returns when cri_stream_send() says
 * -ECANCELED or cri_stream_over() turns true: the client went away, or the server is
 * stopping. A handler that waits for something to send checks cri_stream_over() at least
 * every CRI_STREAM_POLL_MS, so that shutdown is never held up for longer. Returning 0 ends
 * the stream with OK (UNAVAILABLE when the server is stopping); a negative errno ends it
 * with that status and err's message. */
#define CRI_STREAM_POLL_MS 100

typedef struct CriStream CriStream;
typedef int (*CriStreamHandler)(CriService *svc, const ProtobufCMessage *req, CriStream *stream, CrioError *err);

/* Sends msg (not taken; the caller frees it) and waits until gRPC has taken it. 0, or
 * -ECANCELED (err filled) once the stream is over. */
int cri_stream_send(CriStream *stream, const ProtobufCMessage *msg, CrioError *err);
/* True once the client cancelled the call (or its deadline passed) or the server is stopping. */
bool cri_stream_over(CriStream *stream);

/* The streaming handler for a full method path; NULL when the method is not a stream crio
 * serves (cri_handler_lookup then says whether it has a unary handler). */
CriStreamHandler cri_stream_handler_lookup(const char *path);

/* Inside a slow handler: a flag that becomes non-zero when the client cancels the call or its
 * deadline passes (also when shutdown gives up waiting). NULL outside a slow call. */
const volatile int *cri_call_cancel_flag(void);

/* Service state: takes ownership of config and store (either may be NULL in tests). */
int cri_service_init(CriService *svc, CrioConfig *config, Store *store, CrioError *err);
void cri_service_done(CriService *svc);

/* Allocation helpers for building responses (NULL-safe, abort-free: return NULL on ENOMEM). */
char *cri_strdup(const char *s);
