/* Inside the configuration model: the option table and the helpers that the loader
 * (config-load.c), the printers (config-print.c) and the model (config.c) share.
 *
 * Every option of crio.conf is one ConfigOption in config_options[] (config-options.c):
 * where it lives (section, key), its type, where it is stored (offset into CrioConfig),
 * its default, how its value is checked, whether SIGHUP reloads it, and a one-line doc.
 * The keys of a [crio.runtime.runtimes.NAME] table are a second, smaller table of the same
 * shape, config_handler_options[], whose offsets point into CrioRuntimeHandler. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

/* Named limit for untrusted input: runtime handlers in one configuration. */
#define CONFIG_MAX_RUNTIMES 256

typedef enum ConfigType {
        CONFIG_STRING, /* char *, never NULL in a loaded configuration */
        CONFIG_BOOL,   /* bool */
        CONFIG_INT,    /* int64_t */
        CONFIG_STRV,   /* char **, NULL-terminated; NULL means empty */
} ConfigType;

enum {
        CONFIG_RELOADABLE = 1u << 0, /* SIGHUP copies it into the running configuration */
        CONFIG_PATH = 1u << 1,       /* an absolute path (each element, for arrays) */
        CONFIG_EMPTY_OK = 1u << 2,   /* with CONFIG_PATH or choices: "" is allowed too */
};

/* A value of any option type, as stored in the configuration. */
typedef union ConfigValue {
        char *s;
        bool b;
        int64_t i;
        char **v;
} ConfigValue;

typedef struct ConfigOption ConfigOption;

/* An extra check of one string (or array element) or integer. Returns NULL when the value is
 * fine, else what was expected ("an absolute path"), for the message. */
typedef const char *(*ConfigCheckFn)(const char *s, int64_t i);

struct ConfigOption {
        const char *section; /* "crio", "crio.api", ... ("crio.runtime.runtimes" for handler keys) */
        const char *key;
        ConfigType type;
        size_t offset; /* into CrioConfig, or CrioRuntimeHandler for handler keys */
        unsigned flags;
        int64_t min, max;             /* CONFIG_INT: inclusive range, when min < max */
        const char *const *choices;   /* CONFIG_STRING: the allowed values, NULL-terminated */
        ConfigCheckFn check;          /* any further check */
        const char *doc;              /* one line, for "crio config" */

        /* The default; def_fn (if set) computes a string default at run time. */
        const char *def_str;
        int64_t def_int;
        bool def_bool;
        const char *const *def_strv;
        const char *(*def_fn)(void);
};

typedef struct ConfigSection {
        const char *name; /* "crio.api" */
        const char *doc;  /* one line, for "crio config" */
} ConfigSection;

extern const ConfigOption config_options[];
extern const size_t config_n_options;
extern const ConfigOption config_handler_options[];
extern const size_t config_n_handler_options;
/* The sections in the order they are printed; config_sections[0] is "crio". */
extern const ConfigSection config_sections[];
extern const size_t config_n_sections;
/* Tables CRI-O knows that crio does not model yet ("crio.tracing", ...): a warning, not an error. */
extern const char *const config_unsupported_sections[];

/* The address of an option's storage in a configuration (or a handler, for handler keys). */
static inline void *config_field(const ConfigOption *o, const void *base) {
        return (char *) base + o->offset;
}

/* Field helpers driven by the option's type. All accept the address of the field. */
void config_value_free(ConfigType type, void *field);
/* Deep copy of *src into *dst (which must hold nothing owned); -ENOMEM on failure. */
int config_value_copy(ConfigType type, void *dst, const void *src);
/* Frees what field holds and moves *v into it (v no longer owns anything). */
void config_value_move(ConfigType type, void *field, ConfigValue *v);
bool config_value_equal(ConfigType type, const void *a, const void *b);
/* Stores the option's default into field (which must hold nothing owned). */
int config_value_set_default(const ConfigOption *o, void *field);

/* Checks a value against the option's type-independent rules (choices, range, path, check
 * function, valid UTF-8). On failure sets err to "<where><name>: invalid value ... (expected
 * ...)" and returns -EINVAL; where is "FILE:LINE: " or "". */
int config_value_check(const ConfigOption *o, const char *name, const void *field, const char *where, CrioError *err);

/* Handlers: defaults, copy, compare, free. */
int config_handler_init(CrioRuntimeHandler *h, const char *name);
void config_handler_done(CrioRuntimeHandler *h);
int config_handler_copy(CrioRuntimeHandler *dst, const CrioRuntimeHandler *src);
bool config_handler_equal(const CrioRuntimeHandler *a, const CrioRuntimeHandler *b);
/* Returns the handler called name, adding one with the handler defaults (kept sorted by name)
 * if there is none. -ENOMEM, or -E2BIG past CONFIG_MAX_RUNTIMES. */
int config_handler_get_or_add(CrioConfig *cfg, const char *name, CrioRuntimeHandler **ret);

/* Finds an option by section and key, or by its full name ("crio.api.listen"). */
const ConfigOption *config_option_find(const char *section, const char *key);
const ConfigOption *config_option_find_name(const char *name);
const ConfigOption *config_handler_option_find(const char *key);
bool config_section_known(const char *name);
bool config_section_unsupported(const char *name);

/* Text helpers. */
bool config_utf8_valid(const char *s);
/* Writes s as a TOML basic string (with quotes) to f; any UTF-8 string round-trips. */
void config_toml_write_string(FILE *f, const char *s);
/* Writes a key part bare if it can be, else quoted. */
void config_toml_write_key(FILE *f, const char *key);
/* The value as TOML text (strings quoted and escaped, arrays as [..]) in a new string. */
char *config_value_to_toml(ConfigType type, const void *field);
/* The value for log messages: strings unquoted ("" when empty), the rest as TOML. */
char *config_value_to_display(ConfigType type, const void *field);
/* strv helpers that treat NULL as empty. */
int config_strv_append_all(char ***dst, char **src);
