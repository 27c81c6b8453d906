/* The attach socket: a unix SOCK_SEQPACKET socket (crio passes <attach_dir>/<cid>/attach)
 * through which any number of clients (at most ATTACH_CLIENTS_MAX at once) see the
 * container's output and feed its stdin.
 *
 *   conmon -> client   one packet per chunk read from the container: 1 byte stream
 *                      (1 stdout, 2 stderr; a terminal's output is 1), then the bytes
 *   client -> conmon   each packet's bytes go to the container's stdin as they are
 *                      (packets over ATTACH_INPUT_MAX bytes are cut); with no stdin they
 *                      are read and dropped. A client that half-closes (shutdown SHUT_WR)
 *                      or goes away has ended its input; it keeps receiving output until
 *                      it closes.
 *
 * A client is never allowed to stall the container or the log: output is sent without
 * blocking into a send buffer of ATTACH_SNDBUF bytes, and a client that falls that far
 * behind is disconnected. A path longer than sun_path allows is bound as
 * /proc/self/fd/<dirfd>/<name> with dirfd the socket's directory (clients connect the same
 * way); the directory's last component is created (0700) if missing; the socket is 0600 and
 * removed at exit. */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define ATTACH_CLIENTS_MAX 64
#define ATTACH_INPUT_MAX 32768
#define ATTACH_SNDBUF (1024 * 1024)

typedef enum AttachStream {
        ATTACH_STDOUT = 1,
        ATTACH_STDERR = 2,
} AttachStream;

typedef struct AttachClient {
        int fd;
        bool input_open; /* has not ended its input yet */
} AttachClient;

typedef struct AttachServer {
        int fd;     /* listening, non-blocking; -1: no attach socket */
        int dir_fd; /* the socket's directory */
        char *name; /* the socket's name in it */
        AttachClient clients[ATTACH_CLIENTS_MAX];
        size_t n_clients;
} AttachServer;

#define ATTACH_SERVER_INIT { .fd = -1, .dir_fd = -1 }

int attach_listen(const char *path, AttachServer *ret, CrioError *err);
/* Disconnects every client, closes and removes the socket. Accepts a closed server. */
void attach_close(AttachServer *s);

/* Sends one chunk of output to every client. */
void attach_broadcast(AttachServer *s, AttachStream stream, const char *buf, size_t len);

typedef struct AttachHandlers {
        void (*input)(const char *buf, size_t len, void *userdata);
        void (*input_end)(void *userdata); /* once per client, when its input ends */
} AttachHandlers;

/* Fills p (room for 1 + ATTACH_CLIENTS_MAX) with the listener and the clients; clients are
 * polled for input only when want_input. Returns how many were filled. */
size_t attach_pollfds(const AttachServer *s, struct pollfd *p, bool want_input);
/* Acts on the revents of the n entries attach_pollfds filled: accepts, reads, drops. */
void attach_dispatch(AttachServer *s, const struct pollfd *p, size_t n, const AttachHandlers *h, void *userdata);
