/* Printing: the configuration as commented TOML ("crio config") and as JSON (Status verbose),
 * both driven by the option table. The TOML reads back to the same configuration, and
 * printing that again gives the same bytes. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* ---- TOML text ---- */

void config_toml_write_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++)
                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\b':
                        fputs("\\b", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\f':
                        fputs("\\f", f);
                        break;
                case '\r':
                        fputs("\\r", f);
                        break;
                default:
                        /* Other control characters are escaped; UTF-8 text goes out as it is. */
                        if (*p < 0x20 || *p == 0x7f)
                                fprintf(f, "\\u%04X", *p);
                        else
                                fputc(*p, f);
                }
        fputc('"', f);
}

static bool bare_key(const char *k) {
        if (!k[0])
                return false;
        for (; *k; k++)
                if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_' ||
                      *k == '-'))
                        return false;
        return true;
}

void config_toml_write_key(FILE *f, const char *key) {
        if (bare_key(key))
                fputs(key, f);
        else
                config_toml_write_string(f, key);
}

/* Arrays of two or more strings go one element a line when multiline. */
static void write_value(FILE *f, ConfigType type, const void *field, bool multiline) {
        switch (type) {
        case CONFIG_STRING:
                config_toml_write_string(f, *(char *const *) field);
                break;
        case CONFIG_BOOL:
                fputs(*(const bool *) field ? "true" : "false", f);
                break;
        case CONFIG_INT:
                fprintf(f, "%" PRId64, *(const int64_t *) field);
                break;
        case CONFIG_STRV: {
                char **v = *(char **const *) field;
                size_t n = strv_length(v);
                if (multiline && n > 1) {
                        fputs("[\n", f);
                        for (size_t i = 0; i < n; i++) {
                                fputs("        ", f);
                                config_toml_write_string(f, v[i]);
                                fputs(",\n", f);
                        }
                        fputc(']', f);
                        break;
                }
                fputc('[', f);
                for (size_t i = 0; i < n; i++) {
                        if (i > 0)
                                fputs(", ", f);
                        config_toml_write_string(f, v[i]);
                }
                fputc(']', f);
                break;
        }
        }
}

char *config_value_to_toml(ConfigType type, const void *field) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        write_value(f, type, field, false);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

char *config_value_to_display(ConfigType type, const void *field) {
        if (type == CONFIG_STRING) {
                const char *s = *(char *const *) field;
                return strdup(s && s[0] ? s : "\"\"");
        }
        return config_value_to_toml(type, field);
}

static void write_option(FILE *f, const ConfigOption *o, const void *base) {
        fprintf(f, "\n# %s%s\n", o->doc, o->flags & CONFIG_RELOADABLE ? " (reloadable)" : "");
        config_toml_write_key(f, o->key);
        fputs(" = ", f);
        write_value(f, o->type, config_field(o, base), true);
        fputc('\n', f);
}

static bool strings_valid(const ConfigOption *opts, size_t n, const void *base) {
        for (size_t i = 0; i < n; i++) {
                const ConfigOption *o = &opts[i];
                const void *field = config_field(o, base);
                if (o->type == CONFIG_STRING) {
                        const char *s = *(char *const *) field;
                        if (s && !config_utf8_valid(s))
                                return false;
                } else if (o->type == CONFIG_STRV)
                        for (char **v = *(char **const *) field; v && *v; v++)
                                if (!config_utf8_valid(*v))
                                        return false;
        }
        return true;
}

/* TOML and JSON are UTF-8: a string that is not cannot be written (config_validate refuses it too). */
static bool config_strings_valid(const CrioConfig *cfg) {
        if (!strings_valid(config_options, config_n_options, cfg))
                return false;
        for (size_t i = 0; i < cfg->n_runtimes; i++)
                if (!config_utf8_valid(cfg->runtimes[i].name ? cfg->runtimes[i].name : "") ||
                    !strings_valid(config_handler_options, config_n_handler_options, &cfg->runtimes[i]))
                        return false;
        return true;
}

int config_to_toml(const CrioConfig *cfg, char **ret, CrioError *err) {
        if (!config_strings_valid(cfg))
                return crio_error_set(err, EINVAL, "printing the configuration: a value is not valid UTF-8");

        char *buf = NULL;
        size_t size = 0;
        _cleanup_(fclosep) FILE *f = open_memstream(&buf, &size);
        if (!f)
                return crio_error_set_errno(err, errno, "printing the configuration");
        fputs("# The crio configuration: every option with its effective value.\n"
              "#\n"
              "# crio reads its built-in defaults, then " CRIO_DEFAULT_CONFIG_FILE ", then every *.conf file\n"
              "# in " CRIO_DEFAULT_CONFIG_DIR " in lexical order (later files win, option by option),\n"
              "# then its command-line flags. Options marked (reloadable) take effect on SIGHUP;\n"
              "# the others need a restart. See crio.conf(5).\n",
              f);
        for (size_t s = 0; s < config_n_sections; s++) {
                const ConfigSection *sec = &config_sections[s];
                fprintf(f, "\n# %s\n[%s]\n", sec->doc, sec->name);
                for (size_t i = 0; i < config_n_options; i++)
                        if (strcmp(config_options[i].section, sec->name) == 0)
                                write_option(f, &config_options[i], cfg);
                if (strcmp(sec->name, "crio.runtime") != 0)
                        continue;
                for (size_t i = 0; i < cfg->n_runtimes; i++) {
                        const CrioRuntimeHandler *h = &cfg->runtimes[i];
                        fputs("\n# A runtime handler: a pod's runtime_handler (its RuntimeClass) names it.\n"
                              "[crio.runtime.runtimes.",
                              f);
                        config_toml_write_key(f, h->name ? h->name : "");
                        fputs("]\n", f);
                        for (size_t j = 0; j < config_n_handler_options; j++)
                                write_option(f, &config_handler_options[j], h);
                }
        }
        int r = fclose(TAKE_PTR(f));
        if (r != 0) {
                free(buf);
                return crio_error_set(err, ENOMEM, "printing the configuration: out of memory");
        }
        *ret = buf;
        return 0;
}

/* ---- JSON ---- */

static void json_add_value(JsonBuilder *b, const ConfigOption *o, const void *base) {
        const void *field = config_field(o, base);
        json_builder_set_member_name(b, o->key);
        switch (o->type) {
        case CONFIG_STRING: {
                const char *s = *(char *const *) field;
                json_builder_add_string_value(b, s ? s : "");
                break;
        }
        case CONFIG_BOOL:
                json_builder_add_boolean_value(b, *(const bool *) field);
                break;
        case CONFIG_INT:
                json_builder_add_int_value(b, *(const int64_t *) field);
                break;
        case CONFIG_STRV:
                json_builder_begin_array(b);
                for (char **v = *(char **const *) field; v && *v; v++)
                        json_builder_add_string_value(b, *v);
                json_builder_end_array(b);
                break;
        }
}

int config_to_json(const CrioConfig *cfg, char **ret, CrioError *err) {
        if (!config_strings_valid(cfg))
                return crio_error_set(err, EINVAL, "printing the configuration: a value is not valid UTF-8");
        JsonBuilder *b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "crio");
        json_builder_begin_object(b);
        for (size_t s = 0; s < config_n_sections; s++) {
                const char *section = config_sections[s].name;
                bool top = strcmp(section, "crio") == 0;
                if (!top) {
                        json_builder_set_member_name(b, section + strlen("crio."));
                        json_builder_begin_object(b);
                }
                for (size_t i = 0; i < config_n_options; i++)
                        if (strcmp(config_options[i].section, section) == 0)
                                json_add_value(b, &config_options[i], cfg);
                if (strcmp(section, "crio.runtime") == 0) {
                        json_builder_set_member_name(b, "runtimes");
                        json_builder_begin_object(b);
                        for (size_t i = 0; i < cfg->n_runtimes; i++) {
                                const CrioRuntimeHandler *h = &cfg->runtimes[i];
                                json_builder_set_member_name(b, h->name ? h->name : "");
                                json_builder_begin_object(b);
                                for (size_t j = 0; j < config_n_handler_options; j++)
                                        json_add_value(b, &config_handler_options[j], h);
                                json_builder_end_object(b);
                        }
                        json_builder_end_object(b);
                }
                if (!top)
                        json_builder_end_object(b);
        }
        json_builder_end_object(b);
        json_builder_end_object(b);

        JsonNode *root = json_builder_get_root(b);
        JsonGenerator *g = json_generator_new();
        json_generator_set_root(g, root);
        gchar *text = json_generator_to_data(g, NULL);
        char *s = text ? strdup(text) : NULL;
        g_free(text);
        g_object_unref(g);
        json_node_unref(root);
        g_object_unref(b);
        if (!s)
                return crio_error_set(err, ENOMEM, "printing the configuration as JSON: out of memory");
        *ret = s;
        return 0;
}
