/* Unit tests for the TOML reader (src/config/toml.c). The broad conformance check is the
 * differential test against Python's tomllib (tests/toml/difftest.py); these tests cover what
 * it cannot see: the API (lines, normalised datetimes, lengths, ownership), the error
 * messages, the limits and the cost of large documents. */
#include <errno.h>
#include <math.h>
#include <time.h>

#include "config/toml.h"
#include "test.h"
#include "util/cleanup.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(TomlValue *, toml_value_free);
#define _cleanup_toml_ _cleanup_(toml_value_freep)

/* Parses s (copied into a buffer of exactly its length, so that reading past the end is
 * caught under ASAN); fails the test if it does not parse. */
static TomlValue *parse_ok(const char *s) {
        size_t len = strlen(s);
        _cleanup_free_ char *copy = malloc(len ? len : 1);
        ASSERT_TRUE(copy != NULL);
        memcpy(copy, s, len);
        CrioError err = {};
        TomlValue *root = NULL;
        int r = toml_parse(copy, len, &root, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "parse failed: %s", err.msg ? err.msg : "?");
        ASSERT_TRUE(root && root->type == TOML_TABLE);
        return root;
}

/* Parses s, which must fail with code; returns the message (caller frees). */
static char *parse_fail(const char *s, size_t len, int code) {
        _cleanup_free_ char *copy = malloc(len ? len : 1);
        ASSERT_TRUE(copy != NULL);
        memcpy(copy, s, len);
        CrioError err = {};
        TomlValue *sentinel = (TomlValue *) 0x1, *root = sentinel;
        int r = toml_parse(copy, len, &root, &err);
        if (r >= 0)
                test_fail(__FILE__, __LINE__, "\"%s\" parsed, expected an error", s);
        ASSERT_EQ_INT(r, -code);
        ASSERT_EQ_INT(err.code, code);
        ASSERT_TRUE(root == sentinel); /* outputs untouched on failure */
        ASSERT_TRUE(err.msg != NULL);
        return err.msg;
}

static char *fails(const char *s) {
        return parse_fail(s, strlen(s), EINVAL);
}

/* Follows a dotted path of plain (bare) keys; "a.b[1].c" indexes arrays. */
static const TomlValue *get(const TomlValue *t, const char *path) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", path);
        for (char *save = NULL, *part = strtok_r(buf, ".", &save); part && t; part = strtok_r(NULL, ".", &save)) {
                char *idx = strchr(part, '[');
                if (idx)
                        *idx = 0;
                t = toml_table_get(t, part);
                if (idx && t) {
                        size_t i = strtoul(idx + 1, NULL, 10);
                        t = t->type == TOML_ARRAY && i < t->u.array.n ? t->u.array.items[i] : NULL;
                }
        }
        if (!t)
                test_fail(__FILE__, __LINE__, "no value at %s", path);
        return t;
}

static const char *get_str(const TomlValue *t, const char *path) {
        const TomlValue *v = get(t, path);
        ASSERT_EQ_INT(v->type, TOML_STRING);
        return v->u.string.data;
}

static int64_t get_int(const TomlValue *t, const char *path) {
        const TomlValue *v = get(t, path);
        ASSERT_EQ_INT(v->type, TOML_INTEGER);
        return v->u.integer;
}

static const char *CRIO_CONF =
        "# The CRI-O configuration file.\n"                        /* 1 */
        "[crio]\n"                                                 /* 2 */
        "root = \"/var/lib/containers/storage\"\n"                 /* 3 */
        "storage_option = [\n"                                     /* 4 */
        "\t\"overlay.mountopt=nodev\",\n"                          /* 5 */
        "]\n"                                                      /* 6 */
        "\n"                                                       /* 7 */
        "[crio.api]\n"                                             /* 8 */
        "listen = \"/var/run/crio/crio.sock\"\n"                   /* 9 */
        "grpc_max_send_msg_size = 83_886_080\n"                    /* 10 */
        "stream_enable_tls = false\n"                              /* 11 */
        "\n"                                                       /* 12 */
        "[crio.runtime]\n"                                         /* 13 */
        "default_runtime = \"runc\"\n"                             /* 14 */
        "log_size_max = -1\n"                                      /* 15 */
        "\n"                                                       /* 16 */
        "[crio.runtime.runtimes.runc]\n"                           /* 17 */
        "runtime_path = \"\"\n"                                    /* 18 */
        "runtime_type = \"oci\"\n"                                 /* 19 */
        "allowed_annotations = [\"io.containers.trace-syscall\"]\n" /* 20 */
        "\n"                                                       /* 21 */
        "[crio.runtime.runtimes.\"kata.v2\"]\n"                    /* 22 */
        "runtime_type = \"vm\"\n";                                 /* 23 */

TEST(crio_conf) {
        _cleanup_toml_ TomlValue *root = parse_ok(CRIO_CONF);
        ASSERT_EQ_INT(root->u.table.n, 1);
        ASSERT_EQ_STR(get_str(root, "crio.root"), "/var/lib/containers/storage");
        ASSERT_EQ_STR(get_str(root, "crio.storage_option[0]"), "overlay.mountopt=nodev");
        ASSERT_EQ_STR(get_str(root, "crio.api.listen"), "/var/run/crio/crio.sock");
        ASSERT_EQ_INT(get_int(root, "crio.api.grpc_max_send_msg_size"), 83886080);
        ASSERT_EQ_INT(get(root, "crio.api.stream_enable_tls")->type, TOML_BOOLEAN);
        ASSERT_TRUE(!get(root, "crio.api.stream_enable_tls")->u.boolean);
        ASSERT_EQ_INT(get_int(root, "crio.runtime.log_size_max"), -1);
        ASSERT_EQ_STR(get_str(root, "crio.runtime.runtimes.runc.runtime_type"), "oci");
        ASSERT_EQ_STR(get_str(root, "crio.runtime.runtimes.runc.allowed_annotations[0]"), "io.containers.trace-syscall");
        const TomlValue *runtimes = get(root, "crio.runtime.runtimes");
        ASSERT_EQ_INT(runtimes->u.table.n, 2);
        ASSERT_EQ_STR(runtimes->u.table.entries[0].key, "runc"); /* document order */
        ASSERT_EQ_STR(runtimes->u.table.entries[1].key, "kata.v2");
        ASSERT_EQ_STR(get_str(runtimes->u.table.entries[1].value, "runtime_type"), "vm");

        /* Lines: values where defined, tables at their header. */
        ASSERT_EQ_INT(root->line, 1);
        ASSERT_EQ_INT(get(root, "crio")->line, 2);
        ASSERT_EQ_INT(get(root, "crio.root")->line, 3);
        ASSERT_EQ_INT(get(root, "crio.storage_option")->line, 4);
        ASSERT_EQ_INT(get(root, "crio.storage_option[0]")->line, 5);
        ASSERT_EQ_INT(get(root, "crio.api")->line, 8);
        ASSERT_EQ_INT(get(root, "crio.api.stream_enable_tls")->line, 11);
        ASSERT_EQ_INT(get(root, "crio.runtime.runtimes")->line, 17); /* implicit: first header through it */
        ASSERT_EQ_INT(get(root, "crio.runtime.runtimes.runc")->line, 17);
        ASSERT_EQ_INT(runtimes->u.table.entries[1].value->line, 22);
        ASSERT_EQ_INT(get(runtimes->u.table.entries[1].value, "runtime_type")->line, 23);
}

TEST(lines_of_tables) {
        _cleanup_toml_ TomlValue *root = parse_ok(
                "[a.b.c]\n"     /* 1 */
                "x = 1\n"       /* 2 */
                "[a]\n"         /* 3: a was implicit; now defined here */
                "d.e = 2\n"     /* 4 */
                "[[f]]\n"       /* 5 */
                "[[f]]\n"       /* 6 */
                "g = [\n"       /* 7 */
                "  1,\n"        /* 8 */
                "  { h = 2 },\n" /* 9 */
                "]\n"           /* 10 */
                "s = \"\"\"\n"  /* 11 */
                "two\n"         /* 12 */
                "lines\"\"\"\n" /* 13 */
                "t = 3\n");     /* 14 */
        ASSERT_EQ_INT(get(root, "a")->line, 3);
        ASSERT_EQ_INT(get(root, "a.b")->line, 1);
        ASSERT_EQ_INT(get(root, "a.b.c")->line, 1);
        ASSERT_EQ_INT(get(root, "a.b.c.x")->line, 2);
        ASSERT_EQ_INT(get(root, "a.d")->line, 4);
        ASSERT_EQ_INT(get(root, "a.d.e")->line, 4);
        ASSERT_EQ_INT(get(root, "f")->line, 5);
        ASSERT_EQ_INT(get(root, "f[0]")->line, 5);
        ASSERT_EQ_INT(get(root, "f[1]")->line, 6);
        ASSERT_EQ_INT(get(root, "f[1].g")->line, 7);
        ASSERT_EQ_INT(get(root, "f[1].g[0]")->line, 8);
        ASSERT_EQ_INT(get(root, "f[1].g[1]")->line, 9);
        ASSERT_EQ_INT(get(root, "f[1].g[1].h")->line, 9);
        ASSERT_EQ_INT(get(root, "f[1].s")->line, 11);
        ASSERT_EQ_STR(get_str(root, "f[1].s"), "two\nlines");
        ASSERT_EQ_INT(get(root, "f[1].t")->line, 14);
}

TEST(lines_with_crlf_and_bom) {
        _cleanup_toml_ TomlValue *root = parse_ok("\xEF\xBB\xBF# bom\r\na = 1\r\n\r\nb = '''\r\nx\r\ny'''\r\nc = 2");
        ASSERT_EQ_INT(get(root, "a")->line, 2);
        ASSERT_EQ_INT(get(root, "b")->line, 4);
        ASSERT_EQ_STR(get_str(root, "b"), "x\ny"); /* CRLF in a multi-line string reads as LF */
        ASSERT_EQ_INT(get(root, "c")->line, 7);
        _cleanup_free_ char *m = fails("\xEF\xBB\xBF" "a = ?");
        ASSERT_EQ_STR(m, "line 1, column 5: expected a value, found '?'"); /* the BOM is no column */
}

TEST(integers) {
        _cleanup_toml_ TomlValue *root = parse_ok(
                "max = 9223372036854775807\nmin = -9223372036854775808\nhex = 0xDEAD_beef\n"
                "oct = 0o755\nbin = 0b1101\nplus = +17\nzero = -0\nhexmax = 0x7fffffffffffffff\n");
        ASSERT_TRUE(get_int(root, "max") == INT64_MAX);
        ASSERT_TRUE(get_int(root, "min") == INT64_MIN);
        ASSERT_EQ_INT(get_int(root, "hex"), 0xDEADBEEF);
        ASSERT_EQ_INT(get_int(root, "oct"), 0755);
        ASSERT_EQ_INT(get_int(root, "bin"), 13);
        ASSERT_EQ_INT(get_int(root, "plus"), 17);
        ASSERT_EQ_INT(get_int(root, "zero"), 0);
        ASSERT_TRUE(get_int(root, "hexmax") == INT64_MAX);

        _cleanup_free_ char *m1 = fails("a = 9223372036854775808");
        ASSERT_EQ_STR(m1, "line 1, column 5: integer '9223372036854775808' does not fit in 64 bits");
        _cleanup_free_ char *m2 = fails("a = -9223372036854775809");
        ASSERT_CONTAINS(m2, "does not fit in 64 bits");
        _cleanup_free_ char *m3 = fails("a = 0x8000000000000000");
        ASSERT_CONTAINS(m3, "does not fit in 64 bits");
        _cleanup_free_ char *m4 = fails("a = 012");
        ASSERT_EQ_STR(m4, "line 1, column 5: leading zeros are not allowed in '012'");
        _cleanup_free_ char *m5 = fails("a = 1__2");
        ASSERT_EQ_STR(m5, "line 1, column 5: invalid integer '1__2'");
}

TEST(floats) {
        _cleanup_toml_ TomlValue *root = parse_ok(
                "a = 3.14\nb = -2E-2\nc = 224_617.445_991\nd = inf\ne = -inf\nf = nan\ng = -0.0\nh = 5e+22\ni = 1e400\n");
        ASSERT_TRUE(get(root, "a")->type == TOML_FLOAT && get(root, "a")->u.floating == 3.14);
        ASSERT_TRUE(get(root, "b")->u.floating == -0.02);
        ASSERT_TRUE(get(root, "c")->u.floating == 224617.445991);
        ASSERT_TRUE(isinf(get(root, "d")->u.floating) && get(root, "d")->u.floating > 0);
        ASSERT_TRUE(isinf(get(root, "e")->u.floating) && get(root, "e")->u.floating < 0);
        ASSERT_TRUE(isnan(get(root, "f")->u.floating));
        ASSERT_TRUE(get(root, "g")->u.floating == 0 && signbit(get(root, "g")->u.floating));
        ASSERT_TRUE(get(root, "h")->u.floating == 5e22);
        ASSERT_TRUE(isinf(get(root, "i")->u.floating));
        _cleanup_free_ char *m = fails("a = 1.");
        ASSERT_EQ_STR(m, "line 1, column 5: a digit must follow the '.' in '1.'");
        _cleanup_free_ char *m2 = fails("a = .5");
        ASSERT_EQ_STR(m2, "line 1, column 5: expected a value, found '.'");
}

static void assert_datetime(const TomlValue *root, const char *key, TomlDatetimeKind kind, const char *text) {
        const TomlValue *v = get(root, key);
        ASSERT_EQ_INT(v->type, TOML_DATETIME);
        ASSERT_EQ_INT(v->u.datetime.kind, kind);
        ASSERT_EQ_STR(v->u.datetime.text, text);
}

TEST(datetimes) {
        _cleanup_toml_ TomlValue *root = parse_ok(
                "a = 1979-05-27T07:32:00Z\n"
                "b = 1979-05-27 07:32:00.999999-07:00\n"
                "c = 1979-05-27t07:32:00z\n"
                "d = 1979-05-27T07:32:00.5\n"
                "e = 2000-02-29\n"
                "f = 07:32:00.123456789\n"
                "g = [1979-05-27 ]\n");
        assert_datetime(root, "a", TOML_OFFSET_DATETIME, "1979-05-27T07:32:00Z");
        assert_datetime(root, "b", TOML_OFFSET_DATETIME, "1979-05-27T07:32:00.999999-07:00");
        assert_datetime(root, "c", TOML_OFFSET_DATETIME, "1979-05-27T07:32:00Z");
        assert_datetime(root, "d", TOML_LOCAL_DATETIME, "1979-05-27T07:32:00.5");
        assert_datetime(root, "e", TOML_LOCAL_DATE, "2000-02-29");
        assert_datetime(root, "f", TOML_LOCAL_TIME, "07:32:00.123456789");
        assert_datetime(root, "g[0]", TOML_LOCAL_DATE, "1979-05-27");
        _cleanup_free_ char *m1 = fails("a = 2023-02-29");
        ASSERT_EQ_STR(m1, "line 1, column 5: invalid date-time '2023-02-29': day out of range for the month");
        _cleanup_free_ char *m2 = fails("a = 1979-05-27T07:32");
        ASSERT_CONTAINS(m2, "expected a time as HH:MM:SS");
        _cleanup_free_ char *m3 = fails("a = 07:32:00Z");
        ASSERT_EQ_STR(m3, "line 1, column 5: invalid date-time '07:32:00Z'");
}

TEST(strings) {
        _cleanup_toml_ TomlValue *root = parse_ok(
                "a = \"tab\\there \\\"q\\\" \\\\ \\u00e9 \\U0001F600\"\n"
                "b = 'C:\\path\\'\n"
                "c = \"\"\"\n  first\\\n     second\\\n\n   \"\"\"\n"
                "d = '''\nraw \\n ''''\n"
                "e = \"nul\\u0000inside\"\n"
                "f = \"\"\"a\"\"\"\"\"\n");
        ASSERT_EQ_STR(get_str(root, "a"), "tab\there \"q\" \\ \xC3\xA9 \xF0\x9F\x98\x80");
        ASSERT_EQ_STR(get_str(root, "b"), "C:\\path\\");
        ASSERT_EQ_STR(get_str(root, "c"), "  firstsecond");
        ASSERT_EQ_STR(get_str(root, "d"), "raw \\n '");
        const TomlValue *e = get(root, "e");
        ASSERT_EQ_INT(e->u.string.len, 10);
        ASSERT_TRUE(memcmp(e->u.string.data, "nul\0inside", 11) == 0);
        ASSERT_EQ_STR(get_str(root, "f"), "a\"\"");

        _cleanup_free_ char *m1 = fails("a = \"\\x41\"");
        ASSERT_EQ_STR(m1, "line 1, column 6: invalid escape sequence '\\x'");
        _cleanup_free_ char *m2 = fails("a = \"\\uD800\"");
        ASSERT_EQ_STR(m2, "line 1, column 6: escape \\uD800 is not a Unicode scalar value");
        _cleanup_free_ char *m3 = fails("\n\na = \"open\nb = 1\n");
        ASSERT_EQ_STR(m3, "line 3, column 5: unterminated string (a basic string ends on the line it starts)");
        _cleanup_free_ char *m4 = fails("a = \"\"\"never closed\n\n");
        ASSERT_EQ_STR(m4, "line 1, column 5: unterminated multi-line string");
}

TEST(tables_and_arrays) {
        _cleanup_toml_ TomlValue *root = parse_ok(
                "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n"
                "[fruit.apple.texture]\nsmooth = true\n"
                "[[fruit.variety]]\nname = \"x\"\n[[fruit.variety]]\nname = \"y\"\n[fruit.variety.sub]\nk = 1\n"
                "[other]\narr = [1, \"two\", [3], {four = 4}, 1979-05-27]\nempty = []\ninline = { a.b = 1, c = {} }\n");
        ASSERT_TRUE(get(root, "fruit.apple.taste.sweet")->u.boolean);
        ASSERT_TRUE(get(root, "fruit.apple.texture.smooth")->u.boolean);
        ASSERT_EQ_INT(get(root, "fruit.variety")->u.array.n, 2);
        ASSERT_EQ_STR(get_str(root, "fruit.variety[1].name"), "y");
        ASSERT_EQ_INT(get_int(root, "fruit.variety[1].sub.k"), 1);
        const TomlValue *arr = get(root, "other.arr");
        ASSERT_EQ_INT(arr->u.array.n, 5);
        ASSERT_EQ_INT(arr->u.array.items[0]->type, TOML_INTEGER);
        ASSERT_EQ_INT(arr->u.array.items[1]->type, TOML_STRING);
        ASSERT_EQ_INT(arr->u.array.items[2]->type, TOML_ARRAY);
        ASSERT_EQ_INT(arr->u.array.items[3]->type, TOML_TABLE);
        ASSERT_EQ_INT(arr->u.array.items[4]->type, TOML_DATETIME);
        ASSERT_EQ_INT(get(root, "other.empty")->u.array.n, 0);
        ASSERT_EQ_INT(get_int(root, "other.inline.a.b"), 1);
        ASSERT_EQ_INT(get(root, "other.inline.c")->u.table.n, 0);
}

TEST(lookup_and_type_names) {
        _cleanup_toml_ TomlValue *root = parse_ok("a = 1\n\"\" = 2\n[t]\n");
        ASSERT_TRUE(toml_table_get(root, "missing") == NULL);
        ASSERT_TRUE(toml_table_get(NULL, "a") == NULL);
        ASSERT_TRUE(toml_table_get(get(root, "a"), "a") == NULL); /* not a table */
        ASSERT_EQ_INT(toml_table_get(root, "")->u.integer, 2);
        ASSERT_EQ_STR(toml_type_name(TOML_STRING), "string");
        ASSERT_EQ_STR(toml_type_name(TOML_INTEGER), "integer");
        ASSERT_EQ_STR(toml_type_name(TOML_FLOAT), "float");
        ASSERT_EQ_STR(toml_type_name(TOML_BOOLEAN), "boolean");
        ASSERT_EQ_STR(toml_type_name(TOML_DATETIME), "datetime");
        ASSERT_EQ_STR(toml_type_name(TOML_ARRAY), "array");
        ASSERT_EQ_STR(toml_type_name(TOML_TABLE), "table");
        toml_value_free(NULL);
}

TEST(empty_documents) {
        const char *docs[] = { "", "\n", "# only a comment", "\xEF\xBB\xBF", "  \t\r\n\n" };
        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                _cleanup_toml_ TomlValue *root = parse_ok(docs[i]);
                ASSERT_EQ_INT(root->u.table.n, 0);
        }
        TomlValue *root = NULL;
        ASSERT_OK(toml_parse(NULL, 0, &root, NULL));
        toml_value_free(root);
}

TEST(syntax_error_messages) {
        struct {
                const char *doc, *msg;
        } cases[] = {
                { "a = 1\nb = 2\nkey    x = 3\n", "line 3, column 8: expected '=' after the key, found 'x'" },
                { "a = 1 b = 2", "line 1, column 7: unexpected 'b' after the value; expected a newline" },
                { "a =\n1", "line 1, column 4: expected a value, found end of line" },
                { "a = [1 2]", "line 1, column 8: expected ',' or ']' after an array element, found '2'" },
                { "a = [1,\n2,\n", "line 3, column 1: unterminated array (opened on line 1)" },
                { "a = {b = 1,}", "line 1, column 12: trailing comma in an inline table" },
                { "a = {b = 1,\nc = 2}", "line 1, column 12: expected a key, found end of line (an inline table must be on one line)" },
                { "[a b]", "line 1, column 4: expected ']' at the end of the table header, found 'b'" },
                { "[[a]", "line 1, column 4: expected ']]' at the end of the array of tables header, found ']'" },
                { "\"\u00e9\u00e9\" = 1 x", "line 1, column 10: unexpected 'x' after the value; expected a newline" }, /* columns count characters */
                { "a = 1\n\xEF\xBB\xBF" "b = 2", "line 2, column 1: expected a key, a [table] header or a comment, found U+FEFF" },
                { "a = \"x\x01\"", "line 1, column 7: control character U+0001 is not allowed" },
                { "# comment\r", "line 1, column 10: carriage return not followed by a line feed" },
                { "a = \"\xC0\xAF\"", "line 1, column 6: invalid UTF-8: overlong encoding (byte 0xC0)" },
                { "a = \"\xED\xA0\x80\"", "line 1, column 6: invalid UTF-8: encoded surrogate (bytes 0xED 0xA0)" },
                { "a = \"\xF4\x90\x80\x80\"", "line 1, column 6: invalid UTF-8: code point beyond U+10FFFF (bytes 0xF4 0x90)" },
                { "\"a\\u0000\" = 1", "line 1, column 1: a key may not contain U+0000" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *m = fails(cases[i].doc);
                ASSERT_EQ_STR(m, cases[i].msg);
        }
}

TEST(redefinition_messages) {
        struct {
                const char *doc, *msg;
        } cases[] = {
                { "name = 1\n\nname = 2\n", "line 3, column 1: duplicate key 'name' (first defined on line 1)" },
                { "[crio.api]\nlisten = 'a'\n# x\nlisten = 'b'\n", "line 4, column 1: duplicate key 'crio.api.listen' (first defined on line 2)" },
                { "a = 1\n\"a\" = 2", "line 2, column 1: duplicate key 'a' (first defined on line 1)" },
                { "x = {a = 1, a = 2}", "line 1, column 13: duplicate key 'x.a' (first defined on line 1)" },
                { "x = [{}, {a = 1, a = 2}]", "line 1, column 18: duplicate key 'x[1].a' (first defined on line 1)" },
                { "[t]\n\"a.b\" = 1\n\"a.b\" = 2", "line 3, column 1: duplicate key 't.\"a.b\"' (first defined on line 2)" },
                { "[a]\n[b]\n[a]\n", "line 3, column 2: table 'a' is already defined on line 1" },
                { "a.b = 1\n[a]\n", "line 2, column 2: table 'a' is already defined by dotted keys on line 1" },
                { "[a.b]\n[a]\nb.c = 1\n", "line 3, column 1: cannot add to table 'a.b' with a dotted key: it is defined by a header on line 1" },
                { "a = {b = 1}\n[a]\n", "line 2, column 2: table 'a' is already defined as an inline table on line 1" },
                { "a = {}\na.b = 1\n", "line 2, column 1: cannot add to inline table 'a' (defined on line 1): inline tables are immutable" },
                { "a = 1\n[a.b]\n", "line 2, column 2: cannot use 'a' as a table: it is an integer defined on line 1" },
                { "a = []\n[[a]]\n", "line 2, column 3: cannot append to 'a' with [[a]]: it is an array value defined on line 1, not an array of tables" },
                { "[[a]]\n[a]\n", "line 2, column 2: 'a' is already defined as an array of tables on line 1" },
                { "[[t.a]]\n[t]\na.x = 1\n", "line 3, column 1: cannot add to array of tables 't.a' (defined on line 1) with a dotted key" },
                { "a.b = 1\na.b.c = 2\n", "line 2, column 3: cannot use 'a.b' as a table: it is an integer defined on line 1" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *m = fails(cases[i].doc);
                ASSERT_EQ_STR(m, cases[i].msg);
        }
}

TEST(limit_document_size) {
        size_t len = TOML_MAX_DOCUMENT + 1;
        _cleanup_free_ char *doc = malloc(len);
        ASSERT_TRUE(doc != NULL);
        memset(doc, '\n', len);
        _cleanup_free_ char *m = parse_fail(doc, len, E2BIG);
        ASSERT_EQ_STR(m, "document is 16777217 bytes, more than the limit of 16777216 bytes");
        /* At the limit it parses. */
        TomlValue *root = NULL;
        ASSERT_OK(toml_parse(doc, TOML_MAX_DOCUMENT, &root, NULL));
        toml_value_free(root);
}

static char *nested(size_t n, const char *head, const char *middle, const char *tail) {
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);
        ASSERT_TRUE(f != NULL);
        fputs("a = ", f);
        for (size_t i = 0; i < n; i++)
                fputs(head, f);
        fputs(middle, f);
        for (size_t i = 0; i < n; i++)
                fputs(tail, f);
        fclose(f);
        return s;
}

TEST(limit_depth) {
        _cleanup_free_ char *ok1 = nested(TOML_MAX_DEPTH, "[", "1", "]");
        _cleanup_free_ char *ok2 = nested(TOML_MAX_DEPTH, "{b = ", "1", "}");
        _cleanup_free_ char *bad1 = nested(TOML_MAX_DEPTH + 1, "[", "1", "]");
        _cleanup_free_ char *bad2 = nested(TOML_MAX_DEPTH + 1, "{b = ", "1", "}");
        _cleanup_free_ char *bad3 = nested(100000, "[", "", "]"); /* no stack overflow either */
        TomlValue *root = parse_ok(ok1);
        toml_value_free(root);
        root = parse_ok(ok2);
        toml_value_free(root);
        _cleanup_free_ char *m1 = parse_fail(bad1, strlen(bad1), E2BIG);
        ASSERT_EQ_STR(m1, "line 1, column 133: arrays and inline tables nested more than 128 deep");
        _cleanup_free_ char *m2 = parse_fail(bad2, strlen(bad2), E2BIG);
        ASSERT_CONTAINS(m2, "nested more than 128 deep");
        _cleanup_free_ char *m3 = parse_fail(bad3, strlen(bad3), E2BIG);
        ASSERT_CONTAINS(m3, "nested more than 128 deep");
        /* Dotted keys inside inline tables nest too, and count. */
        char deep[2048];
        int n = snprintf(deep, sizeof deep, "a = {");
        for (int i = 0; i < 100; i++)
                n += snprintf(deep + n, sizeof deep - (size_t) n, "k.");
        n += snprintf(deep + n, sizeof deep - (size_t) n, "z = {");
        for (int i = 0; i < 30; i++)
                n += snprintf(deep + n, sizeof deep - (size_t) n, "j.");
        snprintf(deep + n, sizeof deep - (size_t) n, "z = 1}}");
        _cleanup_free_ char *m5 = parse_fail(deep, strlen(deep), E2BIG);
        ASSERT_CONTAINS(m5, "nested more than 128 deep");
}

TEST(limit_key_parts) {
        char key[1024];
        int n = 0;
        for (int i = 0; i < TOML_MAX_KEY_PARTS; i++)
                n += snprintf(key + n, sizeof key - (size_t) n, "%sk", i ? "." : "");
        char doc[1100];
        snprintf(doc, sizeof doc, "%s = 1", key);
        TomlValue *root = parse_ok(doc);
        toml_value_free(root);
        snprintf(doc, sizeof doc, "[%s]", key);
        root = parse_ok(doc);
        toml_value_free(root);
        snprintf(doc, sizeof doc, "%s.x = 1", key);
        _cleanup_free_ char *m = parse_fail(doc, strlen(doc), E2BIG);
        ASSERT_EQ_STR(m, "line 1, column 257: key has more than 128 dotted parts");
        snprintf(doc, sizeof doc, "[%s.x]", key);
        _cleanup_free_ char *m2 = parse_fail(doc, strlen(doc), E2BIG);
        ASSERT_CONTAINS(m2, "key has more than 128 dotted parts");
}

/* Every prefix of a document (cut anywhere, not NUL-terminated) parses or fails cleanly. */
TEST(truncated_documents) {
        const char *docs[] = {
                CRIO_CONF,
                "a = \"\"\"x\\\n y\"\"\"\nb = '''z'''\nc = 1979-05-27T07:32:00.5+01:00\nd = [1, {e = -inf}]\nf = 0x1F\n",
                "[[x.y]]\n\"q\\u00e9\" . 'k' = { a = [ 1.5e3 , 0b1 ] }\n# \xE2\x9C\x93\n",
        };
        for (size_t d = 0; d < ELEMENTSOF(docs); d++)
                for (size_t len = 0; len <= strlen(docs[d]); len++) {
                        _cleanup_free_ char *copy = malloc(len ? len : 1);
                        ASSERT_TRUE(copy != NULL);
                        memcpy(copy, docs[d], len);
                        _cleanup_(crio_error_clear) CrioError err = {};
                        TomlValue *root = NULL;
                        int r = toml_parse(copy, len, &root, &err);
                        if (r < 0)
                                ASSERT_TRUE(err.msg && strncmp(err.msg, "line ", 5) == 0);
                        toml_value_free(root);
                }
}

/* toml_value_free does not recurse: a tree built by hand far deeper than any stack. */
TEST(free_deep_tree) {
        TomlValue *top = NULL;
        for (int i = 0; i < 1000000; i++) {
                TomlValue *v = calloc(1, sizeof *v);
                ASSERT_TRUE(v != NULL);
                if (i % 2) {
                        v->type = TOML_ARRAY;
                        v->u.array.items = malloc(2 * sizeof *v->u.array.items);
                        ASSERT_TRUE(v->u.array.items != NULL);
                        v->u.array.items[0] = top;
                        v->u.array.items[1] = calloc(1, sizeof(TomlValue));
                        ASSERT_TRUE(v->u.array.items[1] != NULL);
                        v->u.array.items[1]->type = TOML_INTEGER;
                        v->u.array.n = top ? 2 : 1;
                        if (!top)
                                v->u.array.items[0] = v->u.array.items[1];
                } else {
                        v->type = TOML_TABLE;
                        v->u.table.entries = malloc(sizeof *v->u.table.entries);
                        ASSERT_TRUE(v->u.table.entries != NULL);
                        v->u.table.entries[0] = (TomlEntry){ .key = strdup("k"), .value = top };
                        v->u.table.n = top ? 1 : 0;
                        if (!top)
                                free(v->u.table.entries[0].key);
                }
                top = v;
        }
        toml_value_free(top);
}

static double seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Large documents cost linear time: a quadratic step at these sizes would take minutes. */
static void parse_big(const char *what, const char *head, void (*item)(FILE *f, int i), int n, const char *tail) {
        char *doc = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&doc, &len);
        ASSERT_TRUE(f != NULL);
        fputs(head, f);
        for (int i = 0; i < n; i++)
                item(f, i);
        fputs(tail, f);
        fclose(f);
        double t0 = seconds();
        TomlValue *root = NULL;
        CrioError err = {};
        int r = toml_parse(doc, len, &root, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "%s: %s", what, err.msg);
        double t = seconds() - t0;
        printf("# %s: %zu bytes in %.3f s\n", what, len, t);
        ASSERT_TRUE(t < 20);
        toml_value_free(root);
        free(doc);
}

static void item_key(FILE *f, int i) {
        fprintf(f, "key%d = %d\n", i, i);
}
static void item_table(FILE *f, int i) {
        fprintf(f, "[t%d]\nk = %d\n", i, i);
}
static void item_aot(FILE *f, int i) {
        fprintf(f, "[[a]]\nb = %d\n[a.c]\nd = 1\n", i);
}
static void item_dotted(FILE *f, int i) {
        fprintf(f, "x.y%d.z = %d\n", i, i);
}
static void item_inline(FILE *f, int i) {
        fprintf(f, "%sk%d = %d", i ? ", " : "", i, i);
}
static void item_array(FILE *f, int i) {
        fprintf(f, "%s%d", i ? "," : "", i);
}
static void item_escape(FILE *f, int i) {
        (void) i;
        fputs("\\u00e9", f);
}

TEST(large_documents) {
        parse_big("200000 keys in one table", "", item_key, 200000, "");
        parse_big("100000 tables", "", item_table, 100000, "");
        parse_big("100000 array-of-tables elements", "", item_aot, 100000, "");
        parse_big("100000 dotted keys in one table", "", item_dotted, 100000, "");
        parse_big("100000 keys in one inline table", "t = {", item_inline, 100000, "}\n");
        parse_big("a 1000000-element array", "a = [", item_array, 1000000, "]\n");
        parse_big("a 3 MB string of escapes", "s = \"", item_escape, 500000, "\"\n");
}

int main(void) {
        return test_main();
}
