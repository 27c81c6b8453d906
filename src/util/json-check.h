/* Strict JSON: checks a document before json-glib reads it.
 *
 * json-glib accepts comments, single quotes, hex numbers, bad escapes and duplicated keys,
 * wraps integers beyond 64 bits, turns 1e999 into an infinity and recurses once per nesting
 * level. json_check makes sure that data (len bytes, not necessarily NUL-terminated) is exactly
 * one RFC 8259 JSON value with optional whitespace around it: valid UTF-8, no raw control
 * characters or NUL (also not as \u0000) in strings, valid escapes and surrogate pairs, strict
 * number syntax, nesting at most max_depth; and, with flags, no object with a key twice and no
 * number that json-glib cannot hold. -EINVAL "<what>: line L column C: <problem>". */
#pragma once

#include <stddef.h>

#include "util/error.h"

typedef enum JsonCheckFlags {
        JSON_CHECK_UNIQUE_KEYS = 1u << 0,   /* refuse an object with a key twice */
        JSON_CHECK_NUMBER_RANGE = 1u << 1,  /* refuse integers outside int64_t, numbers beyond a double */
} JsonCheckFlags;

int json_check(const char *what, const char *data, size_t len, unsigned max_depth, unsigned flags, CrioError *err);

/* json_check with JSON_CHECK_UNIQUE_KEYS (as containers/image reads policy.json and signatures). */
int json_check_strict(const char *what, const char *data, size_t len, unsigned max_depth, CrioError *err);
