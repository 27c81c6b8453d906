/* A TOML 1.0 reader.
 *
 * toml_parse() turns a document into a tree of TomlValue. Every value remembers the line it
 * was defined on, so that the configuration layer can name file:line in its messages.
 * Errors name the line (and column) and what is wrong: "line 3, column 7: expected '='".
 *
 * Limits (named, for untrusted input): TOML_MAX_DOCUMENT bytes, TOML_MAX_DEPTH nesting of
 * arrays and inline tables, TOML_MAX_KEY_PARTS dotted parts of one key. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/error.h"

#define TOML_MAX_DOCUMENT (16u * 1024u * 1024u)
#define TOML_MAX_DEPTH 128
#define TOML_MAX_KEY_PARTS 128

typedef enum TomlType {
        TOML_STRING,
        TOML_INTEGER,
        TOML_FLOAT,
        TOML_BOOLEAN,
        TOML_DATETIME, /* kept as its text, normalised (see datetime_kind) */
        TOML_ARRAY,
        TOML_TABLE,
} TomlType;

typedef enum TomlDatetimeKind {
        TOML_OFFSET_DATETIME,
        TOML_LOCAL_DATETIME,
        TOML_LOCAL_DATE,
        TOML_LOCAL_TIME,
} TomlDatetimeKind;

typedef struct TomlValue TomlValue;

typedef struct TomlEntry {
        char *key;        /* one key part, unescaped, NUL-terminated */
        TomlValue *value; /* owned */
} TomlEntry;

struct TomlValue {
        TomlType type;
        unsigned line; /* 1-based line where the value (or table header) was defined */
        union {
                struct {
                        char *data; /* NUL-terminated; may contain NULs (\u0000), see len */
                        size_t len;
                } string;
                int64_t integer;
                double floating;
                bool boolean;
                struct {
                        char *text; /* e.g. "1979-05-27T07:32:00Z" as written, 'T' and 'Z' upper-cased */
                        TomlDatetimeKind kind;
                } datetime;
                struct {
                        TomlValue **items;
                        size_t n;
                } array;
                struct {
                        TomlEntry *entries; /* in document order */
                        size_t n;
                } table;
        } u;
};

/* Parses len bytes of data (need not be NUL-terminated). On success *ret is a TOML_TABLE
 * owned by the caller (free with toml_value_free). On failure returns -EINVAL (or -ENOMEM,
 * -E2BIG past a limit) and err says "line L, column C: <problem>". */
int toml_parse(const char *data, size_t len, TomlValue **ret, CrioError *err);

/* Frees a value and everything below it. Accepts NULL. */
void toml_value_free(TomlValue *v);

/* Looks up key (one part, not dotted) in a table; NULL if absent or t is not a table.
 * The result is borrowed from t. */
const TomlValue *toml_table_get(const TomlValue *t, const char *key);

/* "string", "integer", "float", "boolean", "datetime", "array", "table". */
const char *toml_type_name(TomlType type);
