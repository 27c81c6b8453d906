/* The container's stdin, fed by attach clients (--stdin).
 *
 * Without a terminal it is the write end of a pipe whose read end the runtime hands to the
 * container; with one it is a copy of the pty master. Writes never block: what the
 * container does not take yet waits in one buffer, and while it waits conmon reads no more
 * input (the clients' sockets fill and their writers wait). When the container stops reading
 * for good (EPIPE), the input is dropped.
 *
 * Closing (stdin_once, when the first attach client's input ends): a pipe is closed, so the
 * container reads end-of-file; a terminal gets its EOF character (VEOF, ^D: end-of-file for
 * a reader in canonical mode) once. Later input is dropped. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct CtrStdin {
        int fd;          /* -1: none (no --stdin, or closed) */
        bool tty;
        bool once;       /* close at the first input end */
        bool closing;    /* close once what is queued is written */
        char *pending;   /* bytes not yet written */
        size_t pending_len;
} CtrStdin;

#define CTR_STDIN_INIT { .fd = -1 }

/* Writes buf, or queues what does not fit now (dropped once closing). */
void ctr_stdin_write(CtrStdin *in, const char *buf, size_t len);
/* Writes what is queued (call when fd is writable). */
void ctr_stdin_flush(CtrStdin *in);
/* True while bytes wait: poll fd for POLLOUT and read no more input. */
bool ctr_stdin_blocked(const CtrStdin *in);
/* An attach client's input ended: with once, closes stdin. */
void ctr_stdin_input_end(CtrStdin *in);
void ctr_stdin_close(CtrStdin *in);
