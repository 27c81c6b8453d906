/* libFuzzer target for the TOML reader: parses any input and frees the result. Beyond not
 * crashing, leaking or hanging, it checks what the API promises and aborts otherwise:
 *
 *   - a failure returns -EINVAL, -E2BIG or -ENOMEM with a message, "line L, column C: ..."
 *     with L and C inside the document, in valid UTF-8;
 *   - a success gives a table whose every value has a line inside the document, strings
 *     whose len matches their NUL terminator position or exceeds it only through U+0000,
 *     datetimes with text, and keys that toml_table_get finds.
 *
 * Build: make fuzz (or clang -fsanitize=fuzzer,address,undefined ... as in the Makefile);
 * run: build-fuzz/fuzz-toml tests/fuzz/corpus/toml. make check replays the corpus. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"
#include "util/cleanup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "fuzz-toml: %s\n", what);
                abort();
        }
}

static bool valid_utf8(const char *s) {
        const unsigned char *u = (const unsigned char *) s;
        while (*u) {
                size_t n = *u < 0x80 ? 1 : (*u & 0xE0) == 0xC0 ? 2 : (*u & 0xF0) == 0xE0 ? 3 : (*u & 0xF8) == 0xF0 ? 4 : 0;
                if (n == 0)
                        return false;
                for (size_t i = 1; i < n; i++)
                        if ((u[i] & 0xC0) != 0x80)
                                return false;
                u += n;
        }
        return true;
}

/* Walks the tree without recursion (an explicit stack of values still to visit). */
static void check_tree(const TomlValue *root, unsigned max_line) {
        size_t cap = 64, n = 0;
        _cleanup_free_ const TomlValue **stack = malloc(cap * sizeof *stack);
        if (!stack)
                return;
        check(root->type == TOML_TABLE, "the root is not a table");
        stack[n++] = root;
        while (n > 0) {
                const TomlValue *v = stack[--n];
                check(v->line >= 1 && v->line <= max_line, "a value's line is outside the document");
                size_t children = 0;
                switch (v->type) {
                case TOML_STRING:
                        check(v->u.string.data && v->u.string.data[v->u.string.len] == 0, "string not NUL-terminated at len");
                        check(strlen(v->u.string.data) == v->u.string.len || memchr(v->u.string.data, 0, v->u.string.len),
                              "string len does not match");
                        break;
                case TOML_DATETIME:
                        check(v->u.datetime.text && *v->u.datetime.text, "datetime without text");
                        break;
                case TOML_ARRAY:
                        children = v->u.array.n;
                        break;
                case TOML_TABLE:
                        children = v->u.table.n;
                        for (size_t i = 0; i < v->u.table.n; i++) {
                                check(v->u.table.entries[i].key != NULL, "entry without key");
                                /* The first entry with this key is the only one. */
                                check(toml_table_get(v, v->u.table.entries[i].key) == v->u.table.entries[i].value, "duplicate key in a table");
                        }
                        break;
                default:
                        break;
                }
                check(strcmp(toml_type_name(v->type), "unknown") != 0, "unknown type");
                if (n + children > cap) {
                        while (n + children > cap)
                                cap *= 2;
                        const TomlValue **s = realloc(stack, cap * sizeof *s);
                        if (!s)
                                return;
                        stack = s;
                }
                for (size_t i = 0; i < children; i++)
                        stack[n++] = v->type == TOML_ARRAY ? v->u.array.items[i] : v->u.table.entries[i].value;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        unsigned lines = 1;
        for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';

        CrioError err = {};
        TomlValue *root = NULL;
        int r = toml_parse((const char *) data, size, &root, &err);
        if (r < 0) {
                check(r == -EINVAL || r == -E2BIG || r == -ENOMEM, "unexpected error code");
                check(root == NULL, "output set on failure");
                check(err.msg != NULL, "failure without a message");
                unsigned line = 0, col = 0;
                int used = 0;
                if (r != -ENOMEM) {
                        check(sscanf(err.msg, "line %u, column %u: %n", &line, &col, &used) == 2 && used > 0, "message without a position");
                        check(line >= 1 && line <= lines && col >= 1 && col <= size + 1, "position outside the document");
                }
                check(valid_utf8(err.msg), "message is not UTF-8");
                crio_error_clear(&err);
                return 0;
        }
        check(root != NULL && err.msg == NULL, "success without a tree, or with a message");
        check_tree(root, lines);
        toml_value_free(root);
        return 0;
}
