/* A TOML 1.0 reader (see toml.h).
 *
 * The document is checked once up front (UTF-8 and control characters), then read by a
 * recursive-descent parser straight into the TomlValue tree: this file reads the structure
 * (keys, headers, tables, arrays, inline tables), toml-scalar.c the strings, numbers and
 * dates, and toml-internal.h holds what the two share.
 *
 * Recursion only follows arrays and inline tables, limited to TOML_MAX_DEPTH levels; the
 * parts of a dotted key inside an inline table count as levels too, so that a parsed tree is
 * at most about 3 x 128 levels deep (a header's parts, a key's parts, then TOML_MAX_DEPTH)
 * and a program may walk it recursively. toml_value_free() does not recurse at all.
 *
 * The rules about which tables may be defined or extended where are kept in a side index,
 * one hash table for the whole document, keyed by (parent table, key). Each slot says how
 * its value came to be (NodeKind), which is all the rules need:
 *
 *   [a.b.c]      a and a.b are IMPLICIT; a.b.c is HEADER. An IMPLICIT table may later be
 *                declared by its own header once; a HEADER table never again.
 *   x.y.z = 1    x and x.y are DOTTED, tagged with the current section (a header starts a
 *                new section). Dotted keys may extend a DOTTED table of the same section and
 *                any IMPLICIT table (which becomes DOTTED); headers may go through a DOTTED
 *                table to define sub-tables, but may not define it.
 *   k = {..}     INLINE (immutable), k = [..] ARRAY (immutable), [[t]] AOT (appendable by
 *                [[t]] only; a header path through it goes to its last element).
 *
 * This is the behaviour of TOML 1.0 as implemented by Python's tomllib, which
 * tests/toml/difftest.py checks us against. The index lives only while parsing; the tree
 * handed back is plain data that toml_value_free() can free without it. */
#include "toml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "toml-internal.h"

/* How much of a key path an error message shows. */
#define PATH_IN_MESSAGE_MAX 200

typedef TomlNodeKind NodeKind;
typedef TomlSlot Slot;
typedef TomlIndex Index;

typedef struct KeyPart {
        char *name;     /* owned until handed to the tree (given), then borrowed from it */
        const char *at; /* where it starts in the document */
        bool given;
} KeyPart;

typedef struct Key {
        KeyPart *parts;
        size_t n, cap;
} Key;

/* Arrays and entry lists grow to 4, 8, 16, ...: room is needed when n is 0 or a power of
 * two from 4 on. */
static bool needs_room(size_t n) {
        return n == 0 || (n >= 4 && (n & (n - 1)) == 0);
}

static int array_push(TomlParser *P, TomlValue *a, TomlValue *item) {
        size_t n = a->u.array.n;
        if (needs_room(n)) {
                TomlValue **items = reallocarray(a->u.array.items, n ? 2 * n : 4, sizeof *items);
                if (!items)
                        return toml_oom(P);
                a->u.array.items = items;
        }
        a->u.array.items[a->u.array.n++] = item;
        return 0;
}

/* ---- the key index --------------------------------------------------------------------- */

static uint64_t mix64(uint64_t h) {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33;
        return h;
}

static uint32_t slot_hash(const TomlValue *parent, const char *key) {
        uint64_t h = mix64((uint64_t) (uintptr_t) parent);
        for (const unsigned char *k = (const unsigned char *) key; *k; k++)
                h = (h ^ *k) * 0x100000001b3ULL;
        return (uint32_t) mix64(h);
}

static Slot *index_find(Index *ix, const TomlValue *parent, const char *key) {
        if (!ix->slots)
                return NULL;
        uint32_t h = slot_hash(parent, key);
        for (size_t i = h & ix->mask;; i = (i + 1) & ix->mask) {
                Slot *s = &ix->slots[i];
                if (!s->parent)
                        return NULL;
                if (s->hash == h && s->parent == parent && strcmp(s->key, key) == 0)
                        return s;
        }
}

static Slot *index_place(Slot *slots, size_t mask, uint32_t hash) {
        size_t i = hash & mask;
        while (slots[i].parent)
                i = (i + 1) & mask;
        return &slots[i];
}

/* Makes room for one more slot (load factor at most 3/4). */
static int index_reserve(Index *ix) {
        size_t cap = ix->slots ? ix->mask + 1 : 0;
        if ((ix->n + 1) * 4 <= cap * 3)
                return 0;
        size_t ncap = cap ? cap * 2 : 64;
        Slot *slots = calloc(ncap, sizeof *slots);
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < cap; i++)
                if (ix->slots[i].parent)
                        *index_place(slots, ncap - 1, ix->slots[i].hash) = ix->slots[i];
        free(ix->slots);
        ix->slots = slots;
        ix->mask = ncap - 1;
        return 0;
}

/* Adds key = child to table t and to the index. On success the table owns key and child;
 * on failure the caller still does. */
static int table_add(TomlParser *P, TomlValue *t, char *key, TomlValue *child, NodeKind kind, uint32_t section) {
        size_t n = t->u.table.n;
        if (index_reserve(&P->index) < 0)
                return toml_oom(P);
        if (needs_room(n)) {
                TomlEntry *e = reallocarray(t->u.table.entries, n ? 2 * n : 4, sizeof *e);
                if (!e)
                        return toml_oom(P);
                t->u.table.entries = e;
        }
        t->u.table.entries[t->u.table.n++] = (TomlEntry){ .key = key, .value = child };
        uint32_t h = slot_hash(t, key);
        *index_place(P->index.slots, P->index.mask, h) = (Slot){
                .parent = t, .child = child, .key = key, .hash = h, .section = section, .kind = (uint8_t) kind,
        };
        P->index.n++;
        return 0;
}

/* ---- key paths for messages ------------------------------------------------------------ */

static int path_append(TomlBuf *b, const char *name) {
        bool bare = *name != 0;
        for (const char *c = name; *c && bare; c++)
                bare = is_bare(*c);
        if (b->len > 0 && toml_buf_putc(b, '.') < 0)
                return -ENOMEM;
        if (bare)
                return toml_buf_append(b, name, strlen(name));
        if (toml_buf_putc(b, '"') < 0)
                return -ENOMEM;
        for (const unsigned char *c = (const unsigned char *) name; *c; c++) {
                char esc[8];
                if (*c == '"' || *c == '\\')
                        snprintf(esc, sizeof esc, "\\%c", *c);
                else if (*c < 0x20 || *c == 0x7F)
                        snprintf(esc, sizeof esc, "\\u%04X", *c);
                else
                        snprintf(esc, sizeof esc, "%c", *c);
                if (toml_buf_append(b, esc, strlen(esc)) < 0)
                        return -ENOMEM;
        }
        return toml_buf_putc(b, '"');
}

/* The path of the current table followed by parts [0, n] of key, clipped for a message.
 * NULL when out of memory (print PATH_OR_UNKNOWN(path)). */
static char *render_path(const TomlParser *P, const Key *key, size_t upto) {
        TomlBuf b = {};
        if (toml_buf_append(&b, P->path.data ? P->path.data : "", P->path.len) < 0)
                goto fail;
        for (size_t i = 0; key && i <= upto && i < key->n; i++)
                if (path_append(&b, key->parts[i].name) < 0)
                        goto fail;
        if (b.len > PATH_IN_MESSAGE_MAX) {
                size_t cut = PATH_IN_MESSAGE_MAX;
                while (cut > 0 && ((unsigned char) b.data[cut] & 0xC0) == 0x80)
                        cut--;
                b.len = cut;
                if (toml_buf_append(&b, "...", 3) < 0)
                        goto fail;
        }
        return b.data;
fail:
        toml_buf_done(&b);
        return NULL;
}

static void free_pathp(char **p) {
        free(*p);
}
#define _cleanup_path_ _cleanup_(free_pathp)
#define PATH_OR_UNKNOWN(s) ((s) ? (s) : "?")

/* Pushes the parts of key onto P->path; returns the length to restore. */
static size_t path_push_key(TomlParser *P, const Key *key) {
        size_t mark = P->path.len;
        for (size_t i = 0; i < key->n; i++)
                if (path_append(&P->path, key->parts[i].name) < 0)
                        break; /* only messages suffer */
        return mark;
}

static void path_push_index(TomlParser *P, size_t i) {
        char s[32];
        snprintf(s, sizeof s, "[%zu]", i);
        (void) toml_buf_append(&P->path, s, strlen(s));
}

static void path_pop(TomlParser *P, size_t mark) {
        if (mark <= P->path.len) {
                P->path.len = mark;
                if (P->path.data)
                        P->path.data[mark] = 0;
        }
}

/* ---- whitespace and comments ------------------------------------------------------------ */

static void skip_comment(TomlParser *P) {
        const char *nl = memchr(P->p, '\n', (size_t) (P->end - P->p));
        if (!nl)
                P->p = P->end;
        else
                P->p = nl > P->p && nl[-1] == '\r' ? nl - 1 : nl;
}

/* Whitespace, newlines and comments, as allowed between array elements. */
static void skip_ws_lines(TomlParser *P) {
        for (;;) {
                skip_ws(P);
                if (at_newline(P))
                        eat_newline(P);
                else if (!at_end(P) && *P->p == '#')
                        skip_comment(P);
                else
                        return;
        }
}

/* ---- keys ------------------------------------------------------------------------------ */

static void key_done(Key *k) {
        for (size_t i = 0; i < k->n; i++)
                if (!k->parts[i].given)
                        free(k->parts[i].name);
        free(k->parts);
        *k = (Key){};
}

static int parse_key_part(TomlParser *P, Key *key) {
        const char *at = P->p;
        _cleanup_(toml_buf_done) TomlBuf b = {};
        if (key->n >= TOML_MAX_KEY_PARTS)
                return toml_fail_at(P, at, E2BIG, "key has more than %d dotted parts", TOML_MAX_KEY_PARTS);
        if (!at_end(P) && is_bare(*P->p)) {
                while (!at_end(P) && is_bare(*P->p))
                        P->p++;
                if (toml_buf_append(&b, at, (size_t) (P->p - at)) < 0)
                        return toml_oom(P);
        } else if (!at_end(P) && (*P->p == '"' || *P->p == '\'')) {
                int r = toml_parse_line_string(P, &b);
                if (r < 0)
                        return r;
                if (toml_buf_reserve(&b, 0) < 0)
                        return toml_oom(P);
                b.data[b.len] = 0;
                if (strlen(b.data) != b.len)
                        return toml_fail_at(P, at, EINVAL, "a key may not contain U+0000");
        } else
                return toml_fail_at(P, at, EINVAL, "expected a key, found %s", DESCRIBE(P, at));
        if (key->n == key->cap) {
                size_t cap = key->cap ? key->cap * 2 : 4;
                KeyPart *parts = reallocarray(key->parts, cap, sizeof *parts);
                if (!parts)
                        return toml_oom(P);
                key->parts = parts;
                key->cap = cap;
        }
        key->parts[key->n++] = (KeyPart){ .name = TAKE_PTR(b.data), .at = at };
        return 0;
}

/* A key, dotted or not, with whitespace around the dots and after it. */
static int parse_key(TomlParser *P, Key *key) {
        for (;;) {
                int r = parse_key_part(P, key);
                if (r < 0)
                        return r;
                skip_ws(P);
                if (at_end(P) || *P->p != '.')
                        return 0;
                P->p++;
                skip_ws(P);
        }
}

/* ---- tables ---------------------------------------------------------------------------- */

static const char *article_type(const TomlValue *v) {
        switch (v->type) {
        case TOML_STRING: return "a string";
        case TOML_INTEGER: return "an integer";
        case TOML_FLOAT: return "a float";
        case TOML_BOOLEAN: return "a boolean";
        case TOML_DATETIME: return "a date-time";
        case TOML_ARRAY: return "an array";
        case TOML_TABLE: return "a table";
        }
        return "a value";
}

/* A dotted key may not go through s (part i of key). */
static int fail_dotted(TomlParser *P, const Key *key, size_t i, const Slot *s) {
        _cleanup_path_ char *path = render_path(P, key, i);
        const char *at = key->parts[i].at, *ps = PATH_OR_UNKNOWN(path);
        unsigned line = s->child->line;
        switch ((NodeKind) s->kind) {
        case KIND_HEADER:
                return toml_fail_at(P, at, EINVAL, "cannot add to table '%s' with a dotted key: it is defined by a header on line %u", ps, line);
        case KIND_DOTTED:
        case KIND_IMPLICIT:
                /* Not reached: walk_dotted takes over IMPLICIT tables, and the dotted keys of
                 * a section only ever meet DOTTED tables of that same section. */
                return toml_fail_at(P, at, EINVAL, "cannot add to table '%s' here: it was defined by dotted keys on line %u", ps, line);
        case KIND_INLINE:
                return toml_fail_at(P, at, EINVAL, "cannot add to inline table '%s' (defined on line %u): inline tables are immutable", ps, line);
        case KIND_AOT:
                return toml_fail_at(P, at, EINVAL, "cannot add to array of tables '%s' (defined on line %u) with a dotted key", ps, line);
        case KIND_ARRAY:
        case KIND_VALUE:
                break;
        }
        return toml_fail_at(P, at, EINVAL, "cannot use '%s' as a table: it is %s defined on line %u", ps, article_type(s->child), line);
}

/* Walks (creating DOTTED tables) through parts [0, n) of key below t. */
static int walk_dotted(TomlParser *P, TomlValue *t, Key *key, size_t n, unsigned line, TomlValue **ret) {
        for (size_t i = 0; i < n; i++) {
                Slot *s = index_find(&P->index, t, key->parts[i].name);
                if (!s) {
                        _cleanup_toml_value_ TomlValue *child = toml_value_new(TOML_TABLE, line);
                        if (!child)
                                return toml_oom(P);
                        int r = table_add(P, t, key->parts[i].name, child, KIND_DOTTED, P->section);
                        if (r < 0)
                                return r;
                        key->parts[i].given = true;
                        t = TAKE_PTR(child);
                        continue;
                }
                if (s->kind == KIND_IMPLICIT) {
                        s->kind = KIND_DOTTED;
                        s->section = P->section;
                } else if (s->kind != KIND_DOTTED || s->section != P->section)
                        return fail_dotted(P, key, i, s);
                t = s->child;
        }
        *ret = t;
        return 0;
}

static int parse_value(TomlParser *P, TomlValue **ret);

/* key = value, into table t (the current section's table, or an inline table). */
static int parse_keyval(TomlParser *P, TomlValue *t, bool in_inline) {
        _cleanup_(key_done) Key key = {};
        unsigned line = P->line;
        int r = parse_key(P, &key);
        if (r < 0)
                return r;
        if (at_end(P) || *P->p != '=')
                return toml_fail_at(P, P->p, EINVAL, "expected '=' after the key, found %s", DESCRIBE(P, P->p));
        P->p++;
        skip_ws(P);

        TomlValue *parent = NULL;
        r = walk_dotted(P, t, &key, key.n - 1, line, &parent);
        if (r < 0)
                return r;
        KeyPart *last = &key.parts[key.n - 1];
        const Slot *s = index_find(&P->index, parent, last->name);
        if (s) {
                _cleanup_path_ char *path = render_path(P, &key, key.n - 1);
                return toml_fail_at(P, last->at, EINVAL, "duplicate key '%s' (first defined on line %u)", PATH_OR_UNKNOWN(path), s->child->line);
        }

        /* Inside inline tables the dotted parts nest too, and count towards the depth. */
        unsigned saved_depth = P->depth;
        if (in_inline) {
                if (P->depth + key.n - 1 > TOML_MAX_DEPTH)
                        return toml_fail_at(P, key.parts[0].at, E2BIG, "arrays, inline tables and their dotted keys nested more than %d deep", TOML_MAX_DEPTH);
                P->depth += (unsigned) key.n - 1;
        }
        _cleanup_toml_value_ TomlValue *v = NULL;
        bool nested = !at_end(P) && (*P->p == '[' || *P->p == '{');
        size_t mark = nested ? path_push_key(P, &key) : 0;
        r = parse_value(P, &v);
        if (nested)
                path_pop(P, mark);
        P->depth = saved_depth;
        if (r < 0)
                return r;
        NodeKind kind = v->type == TOML_TABLE ? KIND_INLINE : v->type == TOML_ARRAY ? KIND_ARRAY : KIND_VALUE;
        r = table_add(P, parent, last->name, v, kind, P->section);
        if (r < 0)
                return r;
        last->given = true;
        v = NULL;
        return 0;
}

/* A header may not go through s (part i of key). */
static int fail_header_path(TomlParser *P, const Key *key, size_t i, const Slot *s) {
        _cleanup_path_ char *path = render_path(P, key, i);
        if (s->kind == KIND_INLINE)
                return toml_fail_at(P, key->parts[i].at, EINVAL, "cannot add to inline table '%s' (defined on line %u): inline tables are immutable",
                               PATH_OR_UNKNOWN(path), s->child->line);
        return toml_fail_at(P, key->parts[i].at, EINVAL, "cannot use '%s' as a table: it is %s defined on line %u",
                       PATH_OR_UNKNOWN(path), article_type(s->child), s->child->line);
}

/* A header may not define s (the last part of key). */
static int fail_header_last(TomlParser *P, const Key *key, const Slot *s, bool aot) {
        size_t i = key->n - 1;
        _cleanup_path_ char *path = render_path(P, key, i);
        const char *at = key->parts[i].at, *ps = PATH_OR_UNKNOWN(path);
        unsigned line = s->child->line;
        switch ((NodeKind) s->kind) {
        case KIND_HEADER:
                return toml_fail_at(P, at, EINVAL, "table '%s' is already defined on line %u", ps, line);
        case KIND_DOTTED:
                return toml_fail_at(P, at, EINVAL, "table '%s' is already defined by dotted keys on line %u", ps, line);
        case KIND_IMPLICIT: /* only [[header]] gets here: [header] may define an implicit table */
                return toml_fail_at(P, at, EINVAL, "'%s' is already defined as a table on line %u", ps, line);
        case KIND_INLINE:
                return toml_fail_at(P, at, EINVAL, "table '%s' is already defined as an inline table on line %u", ps, line);
        case KIND_AOT:
                return toml_fail_at(P, at, EINVAL, "'%s' is already defined as an array of tables on line %u", ps, line);
        case KIND_ARRAY:
                if (aot)
                        return toml_fail_at(P, at, EINVAL, "cannot append to '%s' with [[%s]]: it is an array value defined on line %u, "
                                       "not an array of tables", ps, ps, line);
                break;
        case KIND_VALUE:
                break;
        }
        return toml_fail_at(P, at, EINVAL, "'%s' is already defined as %s on line %u", ps, article_type(s->child), line);
}

/* [table] or [[array.of.tables]] at P->p. */
static int parse_header(TomlParser *P) {
        bool aot = P->end - P->p >= 2 && P->p[1] == '[';
        unsigned line = P->line;
        P->p += aot ? 2 : 1;
        skip_ws(P);
        _cleanup_(key_done) Key key = {};
        path_pop(P, 0);
        int r = parse_key(P, &key);
        if (r < 0)
                return r;
        if (aot ? !starts(P, "]]") : !starts(P, "]"))
                return toml_fail_at(P, P->p, EINVAL, "expected '%s' at the end of the %s header, found %s", aot ? "]]" : "]",
                               aot ? "array of tables" : "table", DESCRIBE(P, P->p));
        P->p += aot ? 2 : 1;

        TomlValue *t = P->root;
        for (size_t i = 0; i + 1 < key.n; i++) {
                Slot *s = index_find(&P->index, t, key.parts[i].name);
                if (!s) {
                        _cleanup_toml_value_ TomlValue *child = toml_value_new(TOML_TABLE, line);
                        if (!child)
                                return toml_oom(P);
                        r = table_add(P, t, key.parts[i].name, child, KIND_IMPLICIT, 0);
                        if (r < 0)
                                return r;
                        key.parts[i].given = true;
                        t = TAKE_PTR(child);
                        continue;
                }
                switch ((NodeKind) s->kind) {
                case KIND_IMPLICIT:
                case KIND_HEADER:
                case KIND_DOTTED:
                        t = s->child;
                        break;
                case KIND_AOT:
                        t = s->child->u.array.items[s->child->u.array.n - 1];
                        break;
                default:
                        return fail_header_path(P, &key, i, s);
                }
        }

        KeyPart *last = &key.parts[key.n - 1];
        Slot *s = index_find(&P->index, t, last->name);
        TomlValue *table;
        if (!aot && s && s->kind == KIND_IMPLICIT) {
                s->kind = KIND_HEADER;
                s->child->line = line;
                table = s->child;
        } else if (aot && s && s->kind == KIND_AOT) {
                _cleanup_toml_value_ TomlValue *elem = toml_value_new(TOML_TABLE, line);
                if (!elem)
                        return toml_oom(P);
                r = array_push(P, s->child, elem);
                if (r < 0)
                        return r;
                table = TAKE_PTR(elem);
        } else if (s)
                return fail_header_last(P, &key, s, aot);
        else if (!aot) {
                _cleanup_toml_value_ TomlValue *child = toml_value_new(TOML_TABLE, line);
                if (!child)
                        return toml_oom(P);
                r = table_add(P, t, last->name, child, KIND_HEADER, 0);
                if (r < 0)
                        return r;
                last->given = true;
                table = TAKE_PTR(child);
        } else {
                _cleanup_toml_value_ TomlValue *array = toml_value_new(TOML_ARRAY, line);
                _cleanup_toml_value_ TomlValue *elem = toml_value_new(TOML_TABLE, line);
                if (!array || !elem)
                        return toml_oom(P);
                r = array_push(P, array, elem);
                if (r < 0)
                        return r;
                table = TAKE_PTR(elem);
                r = table_add(P, t, last->name, array, KIND_AOT, 0);
                if (r < 0)
                        return r;
                last->given = true;
                array = NULL;
        }
        P->table = table;
        P->section = ++P->n_sections;
        path_push_key(P, &key);
        return 0;
}

/* ---- arrays, inline tables, values ----------------------------------------------------- */

static int enter(TomlParser *P) {
        if (P->depth >= TOML_MAX_DEPTH)
                return toml_fail_at(P, P->p, E2BIG, "arrays and inline tables nested more than %d deep", TOML_MAX_DEPTH);
        P->depth++;
        return 0;
}

static int parse_array(TomlParser *P, TomlValue **ret) {
        unsigned open_line = P->line;
        int r = enter(P);
        if (r < 0)
                return r;
        _cleanup_toml_value_ TomlValue *a = toml_value_new(TOML_ARRAY, open_line);
        if (!a)
                return toml_oom(P);
        P->p++;
        for (;;) {
                skip_ws_lines(P);
                if (at_end(P))
                        return toml_fail_at(P, P->p, EINVAL, "unterminated array (opened on line %u)", open_line);
                if (*P->p == ']')
                        break;
                _cleanup_toml_value_ TomlValue *item = NULL;
                bool nested = *P->p == '[' || *P->p == '{';
                size_t mark = P->path.len;
                if (nested)
                        path_push_index(P, a->u.array.n);
                r = parse_value(P, &item);
                if (nested)
                        path_pop(P, mark);
                if (r < 0)
                        return r;
                r = array_push(P, a, item);
                if (r < 0)
                        return r;
                item = NULL;
                skip_ws_lines(P);
                if (!at_end(P) && *P->p == ',') {
                        P->p++;
                        continue;
                }
                if (!at_end(P) && *P->p == ']')
                        break;
                if (at_end(P))
                        return toml_fail_at(P, P->p, EINVAL, "unterminated array (opened on line %u)", open_line);
                return toml_fail_at(P, P->p, EINVAL, "expected ',' or ']' after an array element, found %s", DESCRIBE(P, P->p));
        }
        P->p++;
        P->depth--;
        *ret = TAKE_PTR(a);
        return 0;
}

static int parse_inline_table(TomlParser *P, TomlValue **ret) {
        int r = enter(P);
        if (r < 0)
                return r;
        _cleanup_toml_value_ TomlValue *t = toml_value_new(TOML_TABLE, P->line);
        if (!t)
                return toml_oom(P);
        uint32_t saved_section = P->section;
        P->section = ++P->n_sections; /* dotted keys inside extend only this inline table */
        P->p++;
        skip_ws(P);
        if (!at_end(P) && *P->p == '}')
                P->p++;
        else
                for (;;) {
                        skip_ws(P);
                        if (at_end(P) || at_newline(P))
                                return toml_fail_at(P, P->p, EINVAL, "expected a key, found %s (an inline table must be on one line)", DESCRIBE(P, P->p));
                        r = parse_keyval(P, t, true);
                        if (r < 0)
                                return r;
                        skip_ws(P);
                        if (!at_end(P) && *P->p == '}') {
                                P->p++;
                                break;
                        }
                        if (at_end(P) || *P->p != ',')
                                return toml_fail_at(P, P->p, EINVAL, "expected ',' or '}' after a value in an inline table, found %s", DESCRIBE(P, P->p));
                        P->p++;
                        skip_ws(P);
                        if (!at_end(P) && *P->p == '}')
                                return toml_fail_at(P, P->p, EINVAL, "trailing comma in an inline table");
                }
        P->section = saved_section;
        P->depth--;
        *ret = TAKE_PTR(t);
        return 0;
}

static int parse_value(TomlParser *P, TomlValue **ret) {
        if (!at_end(P) && *P->p == '[')
                return parse_array(P, ret);
        if (!at_end(P) && *P->p == '{')
                return parse_inline_table(P, ret);
        return toml_parse_scalar(P, ret);
}

/* ---- the document ---------------------------------------------------------------------- */

/* After a statement: optional whitespace and comment, then a newline or the end. */
static int end_statement(TomlParser *P, const char *what) {
        skip_ws(P);
        if (!at_end(P) && *P->p == '#')
                skip_comment(P);
        if (at_end(P))
                return 0;
        if (!at_newline(P))
                return toml_fail_at(P, P->p, EINVAL, "unexpected %s after the %s; expected a newline", DESCRIBE(P, P->p), what);
        eat_newline(P);
        return 0;
}

static int parse_document(TomlParser *P) {
        for (;;) {
                skip_ws(P);
                if (at_end(P))
                        return 0;
                int r;
                char c = *P->p;
                if (at_newline(P)) {
                        eat_newline(P);
                        continue;
                }
                if (c == '#')
                        r = end_statement(P, "comment");
                else if (c == '[') {
                        r = parse_header(P);
                        if (r >= 0)
                                r = end_statement(P, "table header");
                } else if (is_bare(c) || c == '"' || c == '\'') {
                        r = parse_keyval(P, P->table, false);
                        if (r >= 0)
                                r = end_statement(P, "value");
                } else
                        r = toml_fail_at(P, P->p, EINVAL, "expected a key, a [table] header or a comment, found %s", DESCRIBE(P, P->p));
                if (r < 0)
                        return r;
        }
}

static void parser_done(TomlParser *P) {
        free(P->index.slots);
        toml_buf_done(&P->path);
        if (P->c_locale)
                freelocale(P->c_locale);
        toml_value_free(P->root);
}

int toml_parse(const char *data, size_t len, TomlValue **ret, CrioError *err) {
        if (len > TOML_MAX_DOCUMENT)
                return crio_error_set(err, E2BIG, "document is %zu bytes, more than the limit of %u bytes", len, TOML_MAX_DOCUMENT);
        if (!data) {
                if (len > 0)
                        return crio_error_set(err, EINVAL, "no document (NULL data of length %zu)", len);
                data = "";
        }
        _cleanup_(parser_done) TomlParser P = {
                .start = data,
                .end = data + len,
                .line = 1,
                .err = err,
        };
        if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
                P.start += 3; /* a byte order mark at the start is allowed and ignored */
        P.p = P.start;
        int r = toml_check_text(&P);
        if (r < 0)
                return r;
        P.root = P.table = toml_value_new(TOML_TABLE, 1);
        if (!P.root)
                return toml_oom(&P);
        r = parse_document(&P);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(P.root);
        return 0;
}

/* ---- the tree -------------------------------------------------------------------------- */

/* Iterative, so that no tree is too deep to free: going down, the slot of the child being
 * freed holds the link back up to the container's own parent. */
void toml_value_free(TomlValue *v) {
        TomlValue *up = NULL;
        while (v) {
                TomlValue *child = NULL, **link = NULL;
                if (v->type == TOML_ARRAY && v->u.array.n > 0) {
                        link = &v->u.array.items[v->u.array.n - 1];
                        child = *link;
                } else if (v->type == TOML_TABLE && v->u.table.n > 0) {
                        TomlEntry *e = &v->u.table.entries[v->u.table.n - 1];
                        free(e->key);
                        e->key = NULL;
                        link = &e->value;
                        child = *link;
                }
                if (link) {
                        if (!child) {
                                if (v->type == TOML_ARRAY)
                                        v->u.array.n--;
                                else
                                        v->u.table.n--;
                                continue;
                        }
                        *link = up;
                        up = v;
                        v = child;
                        continue;
                }
                switch (v->type) {
                case TOML_STRING: free(v->u.string.data); break;
                case TOML_DATETIME: free(v->u.datetime.text); break;
                case TOML_ARRAY: free(v->u.array.items); break;
                case TOML_TABLE: free(v->u.table.entries); break;
                default: break;
                }
                free(v);
                v = up;
                if (!v)
                        break;
                /* Back in the container: its last slot holds the link further up. */
                if (v->type == TOML_ARRAY)
                        up = v->u.array.items[--v->u.array.n];
                else
                        up = v->u.table.entries[--v->u.table.n].value;
        }
}

const TomlValue *toml_table_get(const TomlValue *t, const char *key) {
        if (!t || t->type != TOML_TABLE || !key)
                return NULL;
        for (size_t i = 0; i < t->u.table.n; i++)
                if (t->u.table.entries[i].key && strcmp(t->u.table.entries[i].key, key) == 0)
                        return t->u.table.entries[i].value;
        return NULL;
}

const char *toml_type_name(TomlType type) {
        switch (type) {
        case TOML_STRING: return "string";
        case TOML_INTEGER: return "integer";
        case TOML_FLOAT: return "float";
        case TOML_BOOLEAN: return "boolean";
        case TOML_DATETIME: return "datetime";
        case TOML_ARRAY: return "array";
        case TOML_TABLE: return "table";
        }
        return "unknown";
}

