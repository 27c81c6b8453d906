/* Output formats shared by the subcommands: JSON (pretty, 2 spaces) and YAML. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "crioctl.h"

int output_format_parse(const char *s, OutputFormat def, OutputFormat *ret) {
        if (!s || !s[0])
                *ret = def;
        else if (strcmp(s, "json") == 0)
                *ret = OUTPUT_JSON;
        else if (strcmp(s, "yaml") == 0)
                *ret = OUTPUT_YAML;
        else if (strcmp(s, "table") == 0)
                *ret = OUTPUT_TABLE;
        else
                return -EINVAL;
        return 0;
}

int crioctl_document_flags(const CrioctlCommand *c, const char *operands, bool table, int argc, char **argv,
                           OutputFormat *ret_fmt, bool *ret_quiet) {
        static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
                                              { "quiet", no_argument, NULL, 'q' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        int opt;
        *ret_fmt = OUTPUT_JSON;
        *ret_quiet = false;
        optind = 1;
        while ((opt = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
                if (opt == 'h') {
                        crioctl_help(c, operands);
                        return 0;
                } else if (opt == 'q')
                        *ret_quiet = true;
                else if (opt != 'o' || output_format_parse(optarg, OUTPUT_JSON, ret_fmt) < 0 ||
                         (*ret_fmt == OUTPUT_TABLE && !table))
                        return crioctl_usage_error(c, "invalid flag or output format");
        }
        return -1;
}

void output_print_json(JsonNode *node) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        json_generator_set_pretty(gen, TRUE);
        json_generator_set_indent(gen, 2);
        json_generator_set_root(gen, node);
        g_autofree gchar *s = json_generator_to_data(gen, NULL);
        printf("%s\n", s);
}

/* A YAML scalar: plain when unambiguous, else double-quoted with JSON escapes. */
static void yaml_string(const char *s) {
        bool plain = s[0] != '\0' && strcspn(s, ":#{}[],&*!|>'\"%@`\n\t\\") == strlen(s) && s[0] != ' ' &&
                     s[0] != '-' && s[0] != '?' && s[strlen(s) - 1] != ' ' && strcmp(s, "true") != 0 &&
                     strcmp(s, "false") != 0 && strcmp(s, "null") != 0 && strcmp(s, "~") != 0 &&
                     strspn(s, "0123456789.+-eE") != strlen(s);
        if (plain) {
                fputs(s, stdout);
                return;
        }
        putchar('"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        printf("\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", stdout);
                else if (*p == '\t')
                        fputs("\\t", stdout);
                else if (*p < 0x20)
                        printf("\\x%02x", *p);
                else
                        putchar(*p);
        }
        putchar('"');
}

static void yaml_value(JsonNode *n) {
        switch (json_node_get_node_type(n)) {
        case JSON_NODE_NULL:
                fputs("null", stdout);
                break;
        case JSON_NODE_VALUE: {
                GType t = json_node_get_value_type(n);
                if (t == G_TYPE_STRING)
                        yaml_string(json_node_get_string(n));
                else if (t == G_TYPE_BOOLEAN)
                        fputs(json_node_get_boolean(n) ? "true" : "false", stdout);
                else if (t == G_TYPE_DOUBLE)
                        printf("%g", json_node_get_double(n));
                else
                        printf("%" G_GINT64_FORMAT, json_node_get_int(n));
                break;
        }
        default:
                break;
        }
}

static bool is_empty_container(JsonNode *n) {
        if (JSON_NODE_HOLDS_OBJECT(n))
                return json_object_get_size(json_node_get_object(n)) == 0;
        if (JSON_NODE_HOLDS_ARRAY(n))
                return json_array_get_length(json_node_get_array(n)) == 0;
        return false;
}

static void yaml_node(JsonNode *n, int indent);

/* After "key:" or "- ": prints the value inline or on the following lines. */
static void yaml_after_key(JsonNode *v, int indent) {
        if (is_empty_container(v))
                printf(" %s\n", JSON_NODE_HOLDS_OBJECT(v) ? "{}" : "[]");
        else if (JSON_NODE_HOLDS_OBJECT(v) || JSON_NODE_HOLDS_ARRAY(v)) {
                putchar('\n');
                yaml_node(v, indent + 2);
        } else {
                putchar(' ');
                yaml_value(v);
                putchar('\n');
        }
}

static void yaml_node(JsonNode *n, int indent) {
        if (JSON_NODE_HOLDS_OBJECT(n)) {
                JsonObject *o = json_node_get_object(n);
                g_autoptr(GList) members = json_object_get_members(o);
                for (GList *l = members; l; l = l->next) {
                        printf("%*s", indent, "");
                        yaml_string(l->data);
                        putchar(':');
                        yaml_after_key(json_object_get_member(o, l->data), indent);
                }
        } else if (JSON_NODE_HOLDS_ARRAY(n)) {
                JsonArray *a = json_node_get_array(n);
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        printf("%*s-", indent, "");
                        yaml_after_key(json_array_get_element(a, i), indent);
                }
        } else {
                printf("%*s", indent, "");
                yaml_value(n);
                putchar('\n');
        }
}

void output_print_yaml(JsonNode *node) {
        if (is_empty_container(node))
                printf("%s\n", JSON_NODE_HOLDS_OBJECT(node) ? "{}" : "[]");
        else
                yaml_node(node, 0);
}

void output_print(JsonNode *node, OutputFormat fmt) {
        if (fmt == OUTPUT_YAML)
                output_print_yaml(node);
        else
                output_print_json(node);
}

JsonNode *output_json_or_string(const char *value) {
        JsonNode *v = json_from_string(value, NULL);
        if (!v) {
                v = json_node_new(JSON_NODE_VALUE);
                json_node_set_string(v, value);
        }
        return v;
}
