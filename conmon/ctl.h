/* The control FIFO: crio writes one line per request.
 *
 *   <type> <a> <b>\n        three decimal integers separated by spaces, at most CTL_LINE_MAX bytes
 *
 *   type 1  resize the terminal to a rows, b columns (ignored without a terminal)
 *   type 2  reopen the log file (a and b ignored; "2 0 0")
 *
 * The numbering is conmon's (WIN_RESIZE_EVENT 1, REOPEN_LOGS_EVENT 2). Lines that do not
 * parse, and lines longer than CTL_LINE_MAX, are skipped whole. The FIFO lives at
 * <bundle>/ctl; conmon holds a writer of its own on it, so it never sees end-of-file. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define CTL_LINE_MAX 64

typedef enum CtlType {
        CTL_RESIZE = 1,
        CTL_REOPEN_LOG = 2,
} CtlType;

typedef struct CtlMessage {
        int type;
        int a, b;
} CtlMessage;

/* Parses one line (without its '\n'). Returns 0 or -EINVAL; *ret untouched on failure. */
int ctl_parse_line(const char *line, size_t len, CtlMessage *ret);

typedef struct CtlReader {
        int fd;       /* read end, non-blocking: poll it */
        int keep_fd;  /* our own writer, so that the FIFO never reports end-of-file */
        char buf[CTL_LINE_MAX];
        size_t len;
        bool skipping; /* inside an over-long line */
} CtlReader;

#define CTL_READER_INIT { .fd = -1, .keep_fd = -1 }

/* Creates the FIFO at path (replacing a stale FIFO) and opens it. */
int ctl_open(const char *path, CtlReader *ret, CrioError *err);

typedef void (*ctl_handler)(const CtlMessage *m, void *userdata);
/* Reads what is there and calls handler for every complete valid line. Returns 0 or a
 * negative errno. */
int ctl_read(CtlReader *r, ctl_handler handler, void *userdata, CrioError *err);
/* Feeds bytes as if read (for ctl_read and tests). */
void ctl_feed(CtlReader *r, const char *data, size_t len, ctl_handler handler, void *userdata);
void ctl_close(CtlReader *r);
