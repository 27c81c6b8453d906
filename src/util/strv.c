#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strv_free(char **v) {
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

size_t strv_length(char *const *v) {
        size_t n = 0;
        if (v)
                while (v[n])
                        n++;
        return n;
}

char **strv_copy(char *const *v) {
        size_t n = strv_length(v);
        char **c = calloc(n + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(v[i]);
                if (!c[i]) {
                        strv_free(c);
                        return NULL;
                }
        }
        return c;
}

int strv_consume(char ***v, char *s) {
        if (!s)
                return -ENOMEM;
        size_t n = strv_length(*v);
        char **nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

int strv_push(char ***v, const char *s) {
        return strv_consume(v, strdup(s));
}

bool strv_contains(char *const *v, const char *s) {
        if (v)
                for (; *v; v++)
                        if (strcmp(*v, s) == 0)
                                return true;
        return false;
}

bool strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);
        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return true;
}

bool str_startswith(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool streq_null(const char *a, const char *b) {
        return strcmp(a ? a : "", b ? b : "") == 0;
}

char *strdup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}
