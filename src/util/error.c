#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int crio_error_setv(CrioError *err, int code, const char *fmt, va_list ap) {
        if (code <= 0)
                code = EIO;
        if (!err || err->msg)
                return -code;
        char *m = NULL;
        if (vasprintf(&m, fmt, ap) < 0)
                m = NULL; /* out of memory: keep the code only */
        err->code = code;
        err->msg = m;
        return -code;
}

int crio_error_set(CrioError *err, int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = crio_error_setv(err, code, fmt, ap);
        va_end(ap);
        return r;
}

int crio_error_set_errno(CrioError *err, int code, const char *fmt, ...) {
        if (code <= 0)
                code = EIO;
        if (!err || err->msg)
                return -code;
        char *m = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (n < 0)
                return crio_error_set(err, code, "%s", strerror(code));
        int r = crio_error_set(err, code, "%s: %s", m, strerror(code));
        free(m);
        return r;
}

int crio_error_prefix(CrioError *err, const char *fmt, ...) {
        if (!err)
                return -EIO;
        char *p = NULL, *m = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&p, fmt, ap);
        va_end(ap);
        if (n >= 0 && asprintf(&m, "%s%s", p, err->msg ? err->msg : strerror(err->code ? err->code : EIO)) >= 0) {
                free(err->msg);
                err->msg = m;
        }
        free(p);
        if (!err->code)
                err->code = EIO;
        return -err->code;
}

void crio_error_clear(CrioError *err) {
        if (!err)
                return;
        free(err->msg);
        err->msg = NULL;
        err->code = 0;
}

void crio_error_move(CrioError *dst, CrioError *src) {
        if (!dst) {
                crio_error_clear(src);
                return;
        }
        crio_error_clear(dst);
        *dst = *src;
        src->msg = NULL;
        src->code = 0;
}
