/* NULL-terminated string arrays and small string helpers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"

size_t strv_length(char *const *v);
/* Returns a deep copy (NULL on allocation failure; a NULL input gives an empty array). */
char **strv_copy(char *const *v);
/* Appends a copy of s; returns 0 or -ENOMEM (v unchanged on failure). */
int strv_push(char ***v, const char *s);
/* Takes ownership of s (freed on failure). */
int strv_consume(char ***v, char *s);
bool strv_contains(char *const *v, const char *s);
bool strv_equal(char *const *a, char *const *b);

bool str_startswith(const char *s, const char *prefix);
bool str_endswith(const char *s, const char *suffix);
/* Returns true if a and b are equal strings, treating NULL as "". */
bool streq_null(const char *a, const char *b);
/* strdup that aborts the request path cleanly: returns NULL only if s is NULL or on ENOMEM. */
char *strdup_or_null(const char *s);
