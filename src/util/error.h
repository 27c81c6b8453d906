/* The one error convention (see README "Errors").
 *
 * A function that can fail returns int: 0 (or a non-negative result) on success,
 * a negative errno on failure. Its last parameter is a CrioError *err, which it fills
 * with a message saying what failed and on what. Outputs are left untouched on failure.
 * Only the top of a program (main, an RPC handler) prints or reports the message.
 *
 *   _cleanup_(crio_error_clear) CrioError err = {};
 *   r = config_load(path, &cfg, &err);
 *   if (r < 0) { log_error("%s", err.msg); ... }
 *
 * err may be NULL when the caller does not want the message. */
#pragma once

#include <stdarg.h>

typedef struct CrioError {
        int code;  /* positive errno of the first failure */
        char *msg; /* owned; NULL until set */
} CrioError;

/* Sets err (if err has no message yet) and returns -code. code is a positive errno. */
int crio_error_set(CrioError *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int crio_error_setv(CrioError *err, int code, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/* Like crio_error_set, appending ": <strerror(code)>". */
int crio_error_set_errno(CrioError *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prepends context ("loading /etc/x: ") to an existing message; returns -err->code. */
int crio_error_prefix(CrioError *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees the message and resets err. Accepts NULL. */
void crio_error_clear(CrioError *err);
/* Moves src into dst (dst must be empty); src is reset. */
void crio_error_move(CrioError *dst, CrioError *src);
