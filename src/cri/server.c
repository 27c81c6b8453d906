#include "server.h"

#include <dirent.h>
#include <errno.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api.pb-c.h"
#include "cri/server-call.h"
#include "cri/socket.h"
#include "cri/status.h"
#include "util/cleanup.h"
#include "util/log.h"

/* Requests kept outstanding per registered method, so that a burst of calls to one method
 * does not wait for a worker to re-arm it. */
#define REQUESTS_PER_METHOD 4

/* The slow call this thread is answering (see cri_call_cancel_flag). */
static _Thread_local CallCtx *current_slow_call;

const volatile int *cri_call_cancel_flag(void) {
        return current_slow_call ? &current_slow_call->client_gone : NULL;
}

static void maybe_shutdown_cq_locked(CriServer *srv) {
        if (srv->shutdown_done && srv->live_calls == 0 && !srv->cq_shut) {
                srv->cq_shut = true;
                grpc_completion_queue_shutdown(srv->cq);
        }
}

void cri_call_free(CallCtx *ctx) {
        if (atomic_fetch_sub(&ctx->refs, 1) > 1)
                return; /* the other batch is still out */
        CriServer *srv = ctx->srv;
        if (ctx->call)
                grpc_call_unref(ctx->call);
        grpc_metadata_array_destroy(&ctx->metadata);
        if (!ctx->method)
                grpc_call_details_destroy(&ctx->details);
        if (ctx->payload)
                grpc_byte_buffer_destroy(ctx->payload);
        if (ctx->response)
                grpc_byte_buffer_destroy(ctx->response);
        grpc_slice_unref(ctx->status_details);
        free(ctx);

        pthread_mutex_lock(&srv->lock);
        srv->live_calls--;
        maybe_shutdown_cq_locked(srv);
        pthread_cond_broadcast(&srv->cond);
        pthread_mutex_unlock(&srv->lock);
}

/* Arms one request for method (or the catch-all when method is NULL). */
static void request_call(CriServer *srv, CriMethod *method) {
        pthread_mutex_lock(&srv->lock);
        if (srv->stopping) {
                pthread_mutex_unlock(&srv->lock);
                return;
        }
        srv->live_calls++;
        pthread_mutex_unlock(&srv->lock);

        CallCtx *ctx = calloc(1, sizeof *ctx);
        if (!ctx) {
                pthread_mutex_lock(&srv->lock);
                srv->live_calls--;
                pthread_mutex_unlock(&srv->lock);
                return;
        }
        ctx->srv = srv;
        atomic_init(&ctx->refs, 1);
        ctx->method = method;
        ctx->state = CALL_REQUESTED;
        ctx->status_details = grpc_empty_slice();
        grpc_metadata_array_init(&ctx->metadata);
        grpc_call_error e;
        if (method)
                e = grpc_server_request_registered_call(srv->server, method->registered, &ctx->call, &ctx->deadline,
                                                        &ctx->metadata, &ctx->payload, srv->cq, srv->cq, ctx);
        else {
                grpc_call_details_init(&ctx->details);
                e = grpc_server_request_call(srv->server, &ctx->call, &ctx->details, &ctx->metadata, srv->cq, srv->cq,
                                             ctx);
        }
        if (e != GRPC_CALL_OK) {
                log_debug("requesting a call for %s failed: %d", method ? method->path : "unknown methods", e);
                cri_call_free(ctx);
        }
}

grpc_status_code cri_call_decode(CallCtx *ctx, ProtobufCMessage **ret_req, char **ret_msg) {
        CriMethod *m = ctx->method;
        if (!ctx->payload) {
                asprintf(ret_msg, "%s: the request carries no message", m->path);
                return GRPC_STATUS_INVALID_ARGUMENT;
        }

        grpc_byte_buffer_reader reader;
        if (!grpc_byte_buffer_reader_init(&reader, ctx->payload)) {
                asprintf(ret_msg, "%s: cannot read the request (compressed with an unknown algorithm?)", m->path);
                return GRPC_STATUS_INVALID_ARGUMENT;
        }
        grpc_slice in = grpc_byte_buffer_reader_readall(&reader);
        grpc_byte_buffer_reader_destroy(&reader);
        ProtobufCMessage *req = protobuf_c_message_unpack(m->desc->input, NULL, GRPC_SLICE_LENGTH(in),
                                                          GRPC_SLICE_START_PTR(in));
        grpc_slice_unref(in);
        if (!req) {
                asprintf(ret_msg, "%s: cannot decode the request as %s", m->path, m->desc->input->name);
                return GRPC_STATUS_INVALID_ARGUMENT;
        }
        *ret_req = req;
        return GRPC_STATUS_OK;
}

/* Runs the handler; fills *ret_response or returns the status and message to send. */
static grpc_status_code run_handler(CallCtx *ctx, char **ret_msg) {
        CriMethod *m = ctx->method;
        if (!m->handler) {
                asprintf(ret_msg, "%s is not implemented by crio yet", m->path);
                return GRPC_STATUS_UNIMPLEMENTED;
        }
        ProtobufCMessage *req = NULL;
        grpc_status_code code = cri_call_decode(ctx, &req, ret_msg);
        if (code != GRPC_STATUS_OK)
                return code;

        _cleanup_(crio_error_clear) CrioError err = {};
        ProtobufCMessage *resp = NULL;
        int r = m->handler(ctx->srv->svc, req, &resp, &err);
        protobuf_c_message_free_unpacked(req, NULL);
        if (r < 0) {
                *ret_msg = err.msg ? TAKE_PTR(err.msg) : strdup(strerror(-r));
                return cri_status_from_errno(r);
        }
        if (!resp) {
                asprintf(ret_msg, "%s: handler returned no response", m->path);
                return GRPC_STATUS_INTERNAL;
        }
        size_t len = protobuf_c_message_get_packed_size(resp);
        grpc_slice out = grpc_slice_malloc(len);
        protobuf_c_message_pack(resp, GRPC_SLICE_START_PTR(out));
        protobuf_c_message_free_unpacked(resp, NULL);
        ctx->response = grpc_raw_byte_buffer_create(&out, 1);
        grpc_slice_unref(out);
        return GRPC_STATUS_OK;
}

static void answer_call(CallCtx *ctx) {
        _cleanup_free_ char *msg = NULL;
        grpc_status_code code;
        if (ctx->method)
                code = run_handler(ctx, &msg);
        else {
                char *name = grpc_slice_to_c_string(ctx->details.method);
                asprintf(&msg, "unknown method %s", name ? name : "?");
                gpr_free(name);
                code = GRPC_STATUS_UNIMPLEMENTED;
        }
        if (code == GRPC_STATUS_OK)
                log_debug("%s: OK", ctx->method->path);
        else
                log_debug("%s: %s: %s", ctx->method ? ctx->method->path : "?", cri_status_name(code), msg ? msg : "");

        if (msg)
                ctx->status_details = grpc_slice_from_copied_string(msg);

        grpc_op ops[4];
        memset(ops, 0, sizeof ops);
        size_t n = 0;
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        n++;
        if (!ctx->early_close) {
                ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
                ops[n].data.recv_close_on_server.cancelled = &ctx->cancelled;
                n++;
        }
        if (ctx->response) {
                ops[n].op = GRPC_OP_SEND_MESSAGE;
                ops[n].data.send_message.send_message = ctx->response;
                n++;
        }
        ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
        ops[n].data.send_status_from_server.status = code;
        ops[n].data.send_status_from_server.status_details = &ctx->status_details;
        ops[n].data.send_status_from_server.trailing_metadata_count = 0;
        n++;

        ctx->state = CALL_ANSWERING;
        grpc_call_error e = grpc_call_start_batch(ctx->call, ops, n, ctx, NULL);
        if (e != GRPC_CALL_OK) {
                log_debug("answering a call failed to start: %d", e);
                cri_call_free(ctx);
        }
}

static void *slow_call_main(void *userdata) {
        current_slow_call = userdata;
        answer_call(userdata);
        current_slow_call = NULL;
        return NULL;
}

/* A slow call gets a detached thread of its own: it answers the call itself (which
 * grpc_call_start_batch allows from any thread) and the queue workers free it as usual.
 * live_calls counts it, so shutdown waits for it. */
void cri_call_watch_close(CallCtx *ctx) {
        grpc_op close = { .op = GRPC_OP_RECV_CLOSE_ON_SERVER };
        close.data.recv_close_on_server.cancelled = &ctx->cancelled;
        atomic_store(&ctx->refs, 2);
        ctx->early_close = true;
        if (grpc_call_start_batch(ctx->call, &close, 1, CLOSE_TAG(ctx), NULL) != GRPC_CALL_OK) {
                atomic_store(&ctx->refs, 1);
                ctx->early_close = false;
        }
}

static void start_slow_call(CallCtx *ctx) {
        cri_call_watch_close(ctx);
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int e = pthread_create(&t, &attr, slow_call_main, ctx);
        pthread_attr_destroy(&attr);
        if (e != 0) {
                log_warn("cannot start a thread for %s (%s): answering on the queue worker", ctx->method->path,
                            strerror(e));
                answer_call(ctx);
        }
}

static void *worker_main(void *userdata) {
        CriServer *srv = userdata;
        for (;;) {
                grpc_event ev = grpc_completion_queue_next(srv->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
                if (ev.type == GRPC_QUEUE_SHUTDOWN)
                        break;
                if (ev.type != GRPC_OP_COMPLETE)
                        continue;
                if (ev.tag == &srv->shutdown_tag) {
                        pthread_mutex_lock(&srv->lock);
                        srv->shutdown_done = true;
                        maybe_shutdown_cq_locked(srv);
                        pthread_cond_broadcast(&srv->cond);
                        pthread_mutex_unlock(&srv->lock);
                        continue;
                }
                if (IS_SEND_TAG(ev.tag)) {
                        cri_stream_sent(CTX_OF_TAG(ev.tag), ev.success);
                        continue;
                }
                if (IS_CLOSE_TAG(ev.tag)) {
                        CallCtx *c = CTX_OF_TAG(ev.tag);
                        if (c->cancelled)
                                log_debug("%s: the client cancelled the call (or its deadline passed)", c->method->path);
                        c->client_gone = c->cancelled;
                        cri_call_free(c);
                        continue;
                }
                CallCtx *ctx = ev.tag;
                if (ctx->state == CALL_ANSWERING || !ev.success) {
                        /* answered, or a request cancelled by shutdown */
                        cri_call_free(ctx);
                        continue;
                }
                request_call(srv, ctx->method); /* re-arm before the work */
                if (ctx->method && ctx->method->stream)
                        cri_stream_start(ctx);
                else if (ctx->method && ctx->method->slow && ctx->method->handler)
                        start_slow_call(ctx);
                else
                        answer_call(ctx);
        }
        return NULL;
}

static int register_service(CriServer *srv, const ProtobufCServiceDescriptor *sd, CrioError *err) {
        CriMethod *nm = realloc(srv->methods, (srv->n_methods + sd->n_methods) * sizeof *nm);
        if (!nm)
                return crio_error_set(err, ENOMEM, "out of memory");
        srv->methods = nm;
        for (unsigned i = 0; i < sd->n_methods; i++) {
                CriMethod *m = &srv->methods[srv->n_methods];
                memset(m, 0, sizeof *m);
                if (asprintf(&m->path, "/%s/%s", sd->name, sd->methods[i].name) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                srv->n_methods++;
                m->desc = &sd->methods[i];
                m->handler = cri_handler_lookup_full(m->path, &m->slow);
                m->stream = cri_stream_handler_lookup(m->path);
                m->registered = grpc_server_register_method(srv->server, m->path, NULL,
                                                            GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
                if (!m->registered)
                        return crio_error_set(err, EINVAL, "registering gRPC method %s failed", m->path);
        }
        return 0;
}

static int clamp_size(int64_t v) {
        return v <= 0 || v > INT_MAX ? INT_MAX : (int) v;
}

static void server_free(CriServer *srv) {
        if (!srv)
                return;
        if (srv->server)
                grpc_server_destroy(srv->server);
        if (srv->cq)
                grpc_completion_queue_destroy(srv->cq);
        for (size_t i = 0; i < srv->n_methods; i++)
                free(srv->methods[i].path);
        free(srv->methods);
        free(srv->threads);
        free(srv->socket_path);
        pthread_mutex_destroy(&srv->lock);
        pthread_cond_destroy(&srv->cond);
        if (srv->grpc_inited)
                grpc_shutdown();
        free(srv);
}

/* Waits until the shutdown tag arrived or, with or_idle, no call is left but stuck streams
 * (then only connections gRPC cannot close on its own hold shutdown up); returns false on
 * timeout (ms < 0: forever). */
static bool wait_shutdown_done(CriServer *srv, long ms, bool or_idle) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        if (ms >= 0) {
                until.tv_sec += ms / 1000;
                until.tv_nsec += (ms % 1000) * 1000000L;
                if (until.tv_nsec >= 1000000000L) {
                        until.tv_sec++;
                        until.tv_nsec -= 1000000000L;
                }
        }
        pthread_mutex_lock(&srv->lock);
        while (!srv->shutdown_done && !(or_idle && srv->live_calls <= srv->stuck_calls)) {
                if (ms < 0)
                        pthread_cond_wait(&srv->cond, &srv->lock);
                else if (pthread_cond_timedwait(&srv->cond, &srv->lock, &until) == ETIMEDOUT)
                        break;
        }
        bool done = srv->shutdown_done || (or_idle && srv->live_calls <= srv->stuck_calls);
        pthread_mutex_unlock(&srv->lock);
        return done;
}

/* gRPC defers closing a connection until the write in progress on it finishes, and a client
 * that stops reading (hung, stopped) never lets it finish: neither cancelling its calls nor
 * closing the server ends them, and shutdown would wait forever. Once every call has been
 * cancelled this ends such writes: shutdown(2) on each connection accepted on path (their
 * local name is the listening path) makes the write fail, and gRPC then closes the connection
 * itself (the fds stay gRPC's: they are not closed here). */
static void shutdown_connections(const char *path) {
        _cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end;
                long fd = strtol(de->d_name, &end, 10);
                struct stat st;
                if (*end || end == de->d_name || fd == dirfd(d) || fstat((int) fd, &st) < 0 || !S_ISSOCK(st.st_mode))
                        continue;
                struct sockaddr_un sa;
                socklen_t len = sizeof sa;
                if (getsockname((int) fd, (struct sockaddr *) &sa, &len) < 0 || sa.sun_family != AF_UNIX ||
                    len <= offsetof(struct sockaddr_un, sun_path))
                        continue;
                size_t n = strnlen(sa.sun_path, len - offsetof(struct sockaddr_un, sun_path));
                if (n == strlen(path) && memcmp(sa.sun_path, path, n) == 0 && shutdown((int) fd, SHUT_RDWR) == 0)
                        log_debug("shut down a connection that gRPC could not close (fd %ld)", fd);
        }
}

void cri_server_stop(CriServer *srv, unsigned grace_ms) {
        if (!srv)
                return;
        if (srv->server && srv->n_threads > 0) {
                pthread_mutex_lock(&srv->lock);
                srv->stopping = true;
                pthread_mutex_unlock(&srv->lock);
                grpc_server_shutdown_and_notify(srv->server, srv->cq, &srv->shutdown_tag);
                /* Streams notice `stopping` and end within CRI_STREAM_POLL_MS. Once no call is
                 * left, grpc would still wait for every connection to close, and a client that
                 * does not answer the GOAWAY (hung, stopped) would hold shutdown for the whole
                 * grace: cancelling then only closes connections that carry no call (or a
                 * stuck stream, see shutdown_connections). */
                if (!wait_shutdown_done(srv, (long) grace_ms, true)) {
                        log_debug("calls still in flight after %u ms: cancelling them", grace_ms);
                        if (srv->svc)
                                srv->svc->cancel = 1;
                        grpc_server_cancel_all_calls(srv->server);
                } else if (!wait_shutdown_done(srv, 0, false)) {
                        log_debug("no call left (%u stuck): closing the connections", srv->stuck_calls);
                        grpc_server_cancel_all_calls(srv->server);
                }
                if (!wait_shutdown_done(srv, SHUTDOWN_CLOSE_MS, false) && srv->socket_path) {
                        shutdown_connections(srv->socket_path);
                        wait_shutdown_done(srv, -1, false);
                }
                for (unsigned i = 0; i < srv->n_threads; i++)
                        pthread_join(srv->threads[i], NULL);
                srv->n_threads = 0;
        }
        if (srv->socket_path)
                (void) unlink(srv->socket_path);
        server_free(srv);
}

int cri_server_start(const CriServerOptions *opts, CriService *svc, CriServer **ret, CrioError *err) {
        CriServer *srv = calloc(1, sizeof *srv);
        if (!srv)
                return crio_error_set(err, ENOMEM, "out of memory");
        pthread_mutex_init(&srv->lock, NULL);
        pthread_cond_init(&srv->cond, NULL);
        srv->svc = svc;
        srv->socket_path = strdup(opts->socket_path);
        _cleanup_free_ char *target = NULL; /* declared before the first goto */
        int r = 0;
        if (!srv->socket_path) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto fail;
        }
        r = cri_socket_prepare(opts->socket_path, err);
        if (r < 0)
                goto fail;

        grpc_init();
        srv->grpc_inited = true;

        grpc_arg args[2] = {
                { .type = GRPC_ARG_INTEGER, .key = (char *) GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                  .value.integer = clamp_size(opts->max_recv_msg_size) },
                { .type = GRPC_ARG_INTEGER, .key = (char *) GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
                  .value.integer = clamp_size(opts->max_send_msg_size) },
        };
        grpc_channel_args chargs = { .num_args = 2, .args = args };
        srv->server = grpc_server_create(&chargs, NULL);
        srv->cq = grpc_completion_queue_create_for_next(NULL);
        grpc_server_register_completion_queue(srv->server, srv->cq, NULL);

        r = register_service(srv, &runtime__v1__runtime_service__descriptor, err);
        if (r >= 0)
                r = register_service(srv, &runtime__v1__image_service__descriptor, err);
        if (r < 0)
                goto fail;

        if (asprintf(&target, "unix:%s", opts->socket_path) < 0) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto fail;
        }
        grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
        int port = grpc_server_add_http2_port(srv->server, target, creds);
        grpc_server_credentials_release(creds);
        if (port == 0) {
                r = crio_error_set(err, EADDRNOTAVAIL, "cannot listen on %s", opts->socket_path);
                goto fail;
        }
        grpc_server_start(srv->server);
        r = cri_socket_secure(opts->socket_path, err);
        if (r < 0)
                goto fail_started;

        for (size_t i = 0; i < srv->n_methods; i++)
                for (int k = 0; k < REQUESTS_PER_METHOD; k++)
                        request_call(srv, &srv->methods[i]);
        request_call(srv, NULL);

        unsigned n = opts->workers ? opts->workers : CRI_SERVER_DEFAULT_WORKERS;
        srv->threads = calloc(n, sizeof(pthread_t));
        if (!srv->threads) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto fail_started;
        }
        for (unsigned i = 0; i < n; i++) {
                int e = pthread_create(&srv->threads[i], NULL, worker_main, srv);
                if (e != 0) {
                        r = crio_error_set_errno(err, e, "starting worker thread");
                        break;
                }
                srv->n_threads++;
        }
        if (r < 0)
                goto fail_started;
        *ret = srv;
        return 0;

fail_started:
        if (srv->n_threads == 0) {
                /* no worker drains the queue: drain it here */
                pthread_t t;
                if (pthread_create(&t, NULL, worker_main, srv) == 0) {
                        srv->threads = srv->threads ? srv->threads : calloc(1, sizeof(pthread_t));
                        if (srv->threads) {
                                srv->threads[0] = t;
                                srv->n_threads = 1;
                        }
                }
        }
        cri_server_stop(srv, 0);
        return r;
fail:
        if (srv->socket_path && srv->server)
                (void) unlink(srv->socket_path);
        server_free(srv);
        return r;
}
