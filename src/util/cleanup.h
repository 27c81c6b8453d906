/* Cleanup attributes for owned resources, and explicit hand-over.
 *
 *   _cleanup_free_ char *s = strdup("x");      freed at scope exit
 *   _cleanup_close_ int fd = open(...);        closed at scope exit
 *   return TAKE_PTR(s);                        ownership leaves the scope
 *
 * Every free function used with these accepts NULL (or -1 for fds). */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p) {
        free(*(void **) p);
}
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}
/* Frees a NULL-terminated array of strings. */
void strv_free(char **v);
static inline void strv_freep(char ***v) {
        strv_free(*v);
}

/* Closes fd if it is open (keeping errno) and returns -1: fd = safe_close(fd). */
static inline int safe_close(int fd) {
        closep(&fd);
        return -1;
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* Declares a scope cleanup helper for a type with a NULL-accepting destructor. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                 \
        static inline void func##p(type *p) {                   \
                if (*p)                                         \
                        func(*p);                               \
        }

#define TAKE_PTR(p)                             \
        ({                                      \
                __typeof__(p) _took = (p);      \
                (p) = NULL;                     \
                _took;                          \
        })

#define TAKE_FD(fd)                             \
        ({                                      \
                int _took = (fd);               \
                (fd) = -1;                      \
                _took;                          \
        })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
