/* Internal to the TOML reader: the parser state shared by toml.c (structure: keys, tables,
 * arrays, the document) and toml-scalar.c (bytes: the UTF-8 check, strings, numbers, dates,
 * error positions). Not part of the API; include only from src/config/toml*.c. */
#pragma once

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "toml.h"

typedef struct TomlBuf {
        char *data; /* NUL-terminated once anything was appended */
        size_t len, cap;
} TomlBuf;

/* How a value in a table came to be; decides what may later extend or redefine it (see
 * the comment at the top of toml.c). */
typedef enum TomlNodeKind {
        KIND_VALUE,    /* string, number, boolean, datetime */
        KIND_IMPLICIT, /* table created as a parent by a header */
        KIND_HEADER,   /* table declared by [header] */
        KIND_DOTTED,   /* table created by a dotted key */
        KIND_INLINE,   /* inline table: immutable */
        KIND_ARRAY,    /* array value: immutable */
        KIND_AOT,      /* array of tables made by [[header]] */
} TomlNodeKind;

/* One (table, key) of the document-wide key index. */
typedef struct TomlSlot {
        const TomlValue *parent; /* NULL: empty slot */
        TomlValue *child;
        const char *key; /* borrowed from the parent's TomlEntry */
        uint32_t hash;
        uint32_t section;
        uint8_t kind; /* TomlNodeKind */
} TomlSlot;

typedef struct TomlIndex {
        TomlSlot *slots;
        size_t mask; /* capacity - 1; capacity is a power of two */
        size_t n;
} TomlIndex;

typedef struct TomlParser {
        const char *start, *end, *p; /* the document (after a byte order mark), and where we are */
        unsigned line;               /* of p */
        unsigned depth;              /* arrays and inline tables open around p */
        uint32_t section, n_sections;
        TomlValue *root, *table; /* the document, and the table of the current section */
        TomlIndex index;
        TomlBuf path; /* key path of the table being filled, for messages */
        locale_t c_locale;
        CrioError *err;
} TomlParser;

/* ---- toml-scalar.c -------------------------------------------------------------------- */

/* Fails with "line L, column C: <fmt>" for the position at; returns -code. */
int toml_fail_at(TomlParser *P, const char *at, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int toml_oom(TomlParser *P);
/* "'x'", "U+00E9", "end of line", "end of document": the character at at, for messages. */
const char *toml_describe(const TomlParser *P, const char *at, char buf[static 16]);
#define DESCRIBE(P, at) toml_describe((P), (at), (char[16]){ 0 })

int toml_buf_reserve(TomlBuf *b, size_t extra);
int toml_buf_append(TomlBuf *b, const char *s, size_t n);
int toml_buf_putc(TomlBuf *b, char c);
void toml_buf_done(TomlBuf *b);

TomlValue *toml_value_new(TomlType type, unsigned line);

/* The whole document: valid UTF-8, no control characters but tab, LF and CRLF. */
int toml_check_text(TomlParser *P);
/* A one-line "basic" or 'literal' string at P->p, unescaped into b. */
int toml_parse_line_string(TomlParser *P, TomlBuf *b);
/* A string, number, boolean or date-time at P->p. */
int toml_parse_scalar(TomlParser *P, TomlValue **ret);

/* ---- small lexing helpers ------------------------------------------------------------- */

static inline void toml_value_freep(TomlValue **v) {
        toml_value_free(*v);
}
#define _cleanup_toml_value_ _cleanup_(toml_value_freep)

static inline bool at_end(const TomlParser *P) {
        return P->p >= P->end;
}

/* A CR is always followed by LF (toml_check_text). */
static inline bool at_newline(const TomlParser *P) {
        return !at_end(P) && (*P->p == '\n' || *P->p == '\r');
}

static inline void eat_newline(TomlParser *P) {
        P->p += *P->p == '\r' ? 2 : 1;
        P->line++;
}

static inline void skip_ws(TomlParser *P) {
        while (!at_end(P) && (*P->p == ' ' || *P->p == '\t'))
                P->p++;
}

static inline bool starts(const TomlParser *P, const char *s) {
        size_t n = strlen(s);
        return (size_t) (P->end - P->p) >= n && memcmp(P->p, s, n) == 0;
}

static inline bool is_bare(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
