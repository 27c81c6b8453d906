/* The terminal: a unix socket the runtime connects to (`--console-socket`) to hand over the
 * pty master of the container's terminal (SCM_RIGHTS, one fd), and resizing that master.
 *
 * The socket is <bundle>/console.sock when that path fits in sun_path (107 bytes), else
 * console.sock in a new directory /tmp/conmon-console-XXXXXX; the runtime connects to the
 * path itself, so the /proc/self/fd trick of the attach socket cannot be used here. The
 * socket (and that directory) is removed as soon as the master has arrived, or on failure. */
#pragma once

#include "util/error.h"

typedef struct ConsoleSocket {
        int fd;     /* listening, non-blocking: poll it for the runtime's connection */
        char *path; /* the socket */
        char *dir;  /* a directory made for it, or NULL */
} ConsoleSocket;

#define CONSOLE_SOCKET_INIT { .fd = -1 }

int console_socket_open(const char *bundle, ConsoleSocket *ret, CrioError *err);
/* Accepts the runtime's connection and receives the master (close-on-exec, non-blocking).
 * Returns 0 with *ret_master set, -EAGAIN if nobody has connected yet, or an error. */
int console_socket_receive(ConsoleSocket *s, int *ret_master, CrioError *err);
/* Closes the socket and removes it (and its directory). Accepts a closed one. */
void console_socket_close(ConsoleSocket *s);

/* TIOCSWINSZ on the master: rows x cols. */
int console_resize(int master, int rows, int cols, CrioError *err);
