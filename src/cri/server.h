/* The CRI gRPC server: gRPC C core on a unix socket, a pool of worker threads on one
 * completion queue, every RuntimeService and ImageService method registered by path.
 *
 *   cri_server_start()  binds the socket (refusing if a live crio holds it, replacing a stale
 *                       one), starts the workers and returns once calls are accepted.
 *   cri_server_stop()   stops accepting, lets calls in flight finish (up to grace_ms, then
 *                       cancels them), joins the workers and removes the socket. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "cri/service.h"
#include "util/error.h"

#define CRI_SERVER_DEFAULT_WORKERS 8

typedef struct CriServerOptions {
        const char *socket_path;  /* absolute path of the unix socket */
        int64_t max_recv_msg_size;
        int64_t max_send_msg_size;
        unsigned workers;         /* 0: CRI_SERVER_DEFAULT_WORKERS */
} CriServerOptions;

typedef struct CriServer CriServer;

int cri_server_start(const CriServerOptions *opts, CriService *svc, CriServer **ret, CrioError *err);
/* Stops and frees the server; NULL is accepted. */
void cri_server_stop(CriServer *srv, unsigned grace_ms);
