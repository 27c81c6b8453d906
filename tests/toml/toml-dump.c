/* toml-dump FILE: parses FILE with our TOML reader and prints the tree as JSON in the
 * toml-test "tagged" form ({"type": "integer", "value": "42"}; tables as objects, arrays as
 * arrays). On a parse error prints "FILE: message" to stderr and exits 1; on any other
 * failure exits 2. Driven by tests/toml/difftest.py. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/toml.h"
#include "util/cleanup.h"
#include "util/fileio.h"

static void put_json_string(FILE *f, const char *s, size_t len) {
        fputc('"', f);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                switch (c) {
                case '"': fputs("\\\"", f); break;
                case '\\': fputs("\\\\", f); break;
                case '\n': fputs("\\n", f); break;
                case '\t': fputs("\\t", f); break;
                case '\r': fputs("\\r", f); break;
                case '\b': fputs("\\b", f); break;
                case '\f': fputs("\\f", f); break;
                default:
                        if (c < 0x20 || c == 0x7F)
                                fprintf(f, "\\u%04x", c);
                        else
                                fputc(c, f);
                }
        }
        fputc('"', f);
}

static void put_tagged(FILE *f, const char *type, const char *value) {
        fprintf(f, "{\"type\": \"%s\", \"value\": ", type);
        put_json_string(f, value, strlen(value));
        fputc('}', f);
}

/* Parsed trees are at most a few hundred levels deep (see toml.h), so recursion is fine. */
static void dump(FILE *f, const TomlValue *v) {
        char num[64];
        switch (v->type) {
        case TOML_STRING:
                fputs("{\"type\": \"string\", \"value\": ", f);
                put_json_string(f, v->u.string.data, v->u.string.len);
                fputc('}', f);
                break;
        case TOML_INTEGER:
                snprintf(num, sizeof num, "%" PRId64, v->u.integer);
                put_tagged(f, "integer", num);
                break;
        case TOML_FLOAT:
                if (isnan(v->u.floating))
                        snprintf(num, sizeof num, "nan");
                else if (isinf(v->u.floating))
                        snprintf(num, sizeof num, "%sinf", v->u.floating < 0 ? "-" : "");
                else
                        snprintf(num, sizeof num, "%.17g", v->u.floating);
                put_tagged(f, "float", num);
                break;
        case TOML_BOOLEAN:
                put_tagged(f, "bool", v->u.boolean ? "true" : "false");
                break;
        case TOML_DATETIME: {
                static const char *const kinds[] = {
                        [TOML_OFFSET_DATETIME] = "datetime",
                        [TOML_LOCAL_DATETIME] = "datetime-local",
                        [TOML_LOCAL_DATE] = "date-local",
                        [TOML_LOCAL_TIME] = "time-local",
                };
                put_tagged(f, kinds[v->u.datetime.kind], v->u.datetime.text);
                break;
        }
        case TOML_ARRAY:
                fputc('[', f);
                for (size_t i = 0; i < v->u.array.n; i++) {
                        if (i > 0)
                                fputs(", ", f);
                        dump(f, v->u.array.items[i]);
                }
                fputc(']', f);
                break;
        case TOML_TABLE:
                fputc('{', f);
                for (size_t i = 0; i < v->u.table.n; i++) {
                        if (i > 0)
                                fputs(", ", f);
                        put_json_string(f, v->u.table.entries[i].key, strlen(v->u.table.entries[i].key));
                        fputs(": ", f);
                        dump(f, v->u.table.entries[i].value);
                }
                fputc('}', f);
                break;
        }
}

int main(int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: %s FILE.toml\n", argv[0]);
                return 2;
        }
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        /* Read a little past the limit so that the parser, not the reader, reports it. */
        if (read_file(argv[1], TOML_MAX_DOCUMENT + 1, &data, &len, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return 2;
        }
        TomlValue *root = NULL;
        if (toml_parse(data, len, &root, &err) < 0) {
                fprintf(stderr, "%s: %s\n", argv[1], err.msg ? err.msg : "out of memory");
                return 1;
        }
        dump(stdout, root);
        fputc('\n', stdout);
        toml_value_free(root);
        return fflush(stdout) == 0 ? 0 : 2;
}
