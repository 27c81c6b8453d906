/* The configuration model: defaults, copies, comparison, checks, command-line options and
 * validation, all driven by the option table (config-options.c). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* ---- values ---- */

void config_value_free(ConfigType type, void *field) {
        switch (type) {
        case CONFIG_STRING: {
                char **s = field;
                free(*s);
                *s = NULL;
                break;
        }
        case CONFIG_STRV: {
                char ***v = field;
                strv_free(*v);
                *v = NULL;
                break;
        }
        case CONFIG_BOOL:
        case CONFIG_INT:
                break;
        }
}

int config_value_copy(ConfigType type, void *dst, const void *src) {
        switch (type) {
        case CONFIG_STRING: {
                const char *s = *(char *const *) src;
                char *c = strdup(s ? s : "");
                if (!c)
                        return -ENOMEM;
                *(char **) dst = c;
                return 0;
        }
        case CONFIG_STRV: {
                char **c = strv_copy(*(char **const *) src);
                if (!c)
                        return -ENOMEM;
                *(char ***) dst = c;
                return 0;
        }
        case CONFIG_BOOL:
                *(bool *) dst = *(const bool *) src;
                return 0;
        case CONFIG_INT:
                *(int64_t *) dst = *(const int64_t *) src;
                return 0;
        }
        return -EINVAL;
}

void config_value_move(ConfigType type, void *field, ConfigValue *v) {
        config_value_free(type, field);
        switch (type) {
        case CONFIG_STRING:
                *(char **) field = TAKE_PTR(v->s);
                break;
        case CONFIG_STRV:
                *(char ***) field = TAKE_PTR(v->v);
                break;
        case CONFIG_BOOL:
                *(bool *) field = v->b;
                break;
        case CONFIG_INT:
                *(int64_t *) field = v->i;
                break;
        }
}

bool config_value_equal(ConfigType type, const void *a, const void *b) {
        switch (type) {
        case CONFIG_STRING:
                return streq_null(*(char *const *) a, *(char *const *) b);
        case CONFIG_STRV:
                return strv_equal(*(char **const *) a, *(char **const *) b);
        case CONFIG_BOOL:
                return *(const bool *) a == *(const bool *) b;
        case CONFIG_INT:
                return *(const int64_t *) a == *(const int64_t *) b;
        }
        return false;
}

int config_value_set_default(const ConfigOption *o, void *field) {
        switch (o->type) {
        case CONFIG_STRING: {
                const char *d = o->def_fn ? o->def_fn() : o->def_str;
                char *c = strdup(d ? d : "");
                if (!c)
                        return -ENOMEM;
                *(char **) field = c;
                return 0;
        }
        case CONFIG_STRV: {
                char **c = strv_copy((char *const *) o->def_strv);
                if (!c)
                        return -ENOMEM;
                *(char ***) field = c;
                return 0;
        }
        case CONFIG_BOOL:
                *(bool *) field = o->def_bool;
                return 0;
        case CONFIG_INT:
                *(int64_t *) field = o->def_int;
                return 0;
        }
        return -EINVAL;
}

bool config_utf8_valid(const char *s) {
        const unsigned char *p = (const unsigned char *) s;
        while (*p) {
                unsigned c = *p;
                size_t n;
                uint32_t cp, min;
                if (c < 0x80) {
                        p++;
                        continue;
                } else if ((c & 0xE0) == 0xC0) {
                        n = 1, cp = c & 0x1F, min = 0x80;
                } else if ((c & 0xF0) == 0xE0) {
                        n = 2, cp = c & 0x0F, min = 0x800;
                } else if ((c & 0xF8) == 0xF0) {
                        n = 3, cp = c & 0x07, min = 0x10000;
                } else
                        return false;
                for (size_t i = 1; i <= n; i++) {
                        if ((p[i] & 0xC0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i] & 0x3F);
                }
                if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        return false;
                p += n + 1;
        }
        return true;
}

static char *choices_text(const char *const *choices, bool empty_ok) {
        size_t len = 16;
        for (const char *const *c = choices; *c; c++)
                len += strlen(*c) + 2;
        char *t = malloc(len);
        if (!t)
                return NULL;
        strcpy(t, "one of ");
        for (const char *const *c = choices; *c; c++) {
                if (c != choices)
                        strcat(t, ", ");
                strcat(t, *c);
        }
        if (empty_ok)
                strcat(t, ", \"\"");
        return t;
}

static int check_string(const ConfigOption *o, const char *name, const char *s, const char *where, CrioError *err) {
        if (!s)
                s = "";
        if (!config_utf8_valid(s))
                return crio_error_set(err, EINVAL, "%s%s: invalid value (not valid UTF-8)", where, name);
        bool empty_ok = (o->flags & CONFIG_EMPTY_OK) && !s[0];
        const char *expected = NULL;
        _cleanup_free_ char *choices = NULL;
        if ((o->flags & CONFIG_PATH) && s[0] != '/' && !empty_ok)
                expected = o->flags & CONFIG_EMPTY_OK ? "an absolute path, or \"\"" : "an absolute path";
        if (!expected && o->choices && !empty_ok && !strv_contains((char *const *) o->choices, s)) {
                choices = choices_text(o->choices, o->flags & CONFIG_EMPTY_OK);
                if (!choices)
                        return crio_error_set(err, ENOMEM, "out of memory");
                expected = choices;
        }
        if (!expected && o->check && !empty_ok)
                expected = o->check(s, 0);
        if (!expected)
                return 0;
        _cleanup_free_ char *shown = config_value_to_toml(CONFIG_STRING, &s);
        if (!shown)
                return crio_error_set(err, ENOMEM, "out of memory");
        return crio_error_set(err, EINVAL, "%s%s: invalid value %s (expected %s)", where, name, shown, expected);
}

int config_value_check(const ConfigOption *o, const char *name, const void *field, const char *where, CrioError *err) {
        switch (o->type) {
        case CONFIG_STRING:
                return check_string(o, name, *(char *const *) field, where, err);
        case CONFIG_STRV:
                for (char **v = *(char **const *) field; v && *v; v++) {
                        int r = check_string(o, name, *v, where, err);
                        if (r < 0)
                                return r;
                }
                return 0;
        case CONFIG_INT: {
                int64_t i = *(const int64_t *) field;
                if (o->min < o->max && (i < o->min || i > o->max)) {
                        if (o->max == INT64_MAX)
                                return crio_error_set(err, EINVAL,
                                                      "%s%s: invalid value %" PRId64
                                                      " (expected an integer >= %" PRId64 ")",
                                                      where, name, i, o->min);
                        return crio_error_set(err, EINVAL,
                                              "%s%s: invalid value %" PRId64 " (expected an integer from %" PRId64
                                              " to %" PRId64 ")",
                                              where, name, i, o->min, o->max);
                }
                const char *expected = o->check ? o->check(NULL, i) : NULL;
                if (expected)
                        return crio_error_set(err, EINVAL, "%s%s: invalid value %" PRId64 " (expected %s)", where, name,
                                              i, expected);
                return 0;
        }
        case CONFIG_BOOL:
                return 0;
        }
        return 0;
}

/* ---- runtime handlers ---- */

void config_handler_done(CrioRuntimeHandler *h) {
        if (!h)
                return;
        free(h->name);
        h->name = NULL;
        for (size_t i = 0; i < config_n_handler_options; i++)
                config_value_free(config_handler_options[i].type, config_field(&config_handler_options[i], h));
}

int config_handler_init(CrioRuntimeHandler *h, const char *name) {
        *h = (CrioRuntimeHandler){};
        h->name = strdup(name);
        if (!h->name)
                return -ENOMEM;
        for (size_t i = 0; i < config_n_handler_options; i++) {
                const ConfigOption *o = &config_handler_options[i];
                if (config_value_set_default(o, config_field(o, h)) < 0) {
                        config_handler_done(h);
                        return -ENOMEM;
                }
        }
        return 0;
}

int config_handler_copy(CrioRuntimeHandler *dst, const CrioRuntimeHandler *src) {
        *dst = (CrioRuntimeHandler){};
        dst->name = strdup(src->name ? src->name : "");
        if (!dst->name)
                return -ENOMEM;
        for (size_t i = 0; i < config_n_handler_options; i++) {
                const ConfigOption *o = &config_handler_options[i];
                if (config_value_copy(o->type, config_field(o, dst), config_field(o, src)) < 0) {
                        config_handler_done(dst);
                        return -ENOMEM;
                }
        }
        return 0;
}

bool config_handler_equal(const CrioRuntimeHandler *a, const CrioRuntimeHandler *b) {
        if (!streq_null(a->name, b->name))
                return false;
        for (size_t i = 0; i < config_n_handler_options; i++) {
                const ConfigOption *o = &config_handler_options[i];
                if (!config_value_equal(o->type, config_field(o, a), config_field(o, b)))
                        return false;
        }
        return true;
}

int config_handler_get_or_add(CrioConfig *cfg, const char *name, CrioRuntimeHandler **ret) {
        size_t pos = 0;
        for (; pos < cfg->n_runtimes; pos++) {
                int c = strcmp(cfg->runtimes[pos].name, name);
                if (c == 0) {
                        *ret = &cfg->runtimes[pos];
                        return 0;
                }
                if (c > 0)
                        break;
        }
        if (cfg->n_runtimes >= CONFIG_MAX_RUNTIMES)
                return -E2BIG;
        CrioRuntimeHandler h;
        if (config_handler_init(&h, name) < 0)
                return -ENOMEM;
        CrioRuntimeHandler *n = realloc(cfg->runtimes, (cfg->n_runtimes + 1) * sizeof(*n));
        if (!n) {
                config_handler_done(&h);
                return -ENOMEM;
        }
        memmove(n + pos + 1, n + pos, (cfg->n_runtimes - pos) * sizeof(*n));
        n[pos] = h;
        cfg->runtimes = n;
        cfg->n_runtimes++;
        *ret = &n[pos];
        return 0;
}

const CrioRuntimeHandler *config_find_runtime(const CrioConfig *cfg, const char *name) {
        if (!cfg || !name)
                return NULL;
        for (size_t i = 0; i < cfg->n_runtimes; i++)
                if (streq_null(cfg->runtimes[i].name, name))
                        return &cfg->runtimes[i];
        return NULL;
}

/* ---- whole configurations ---- */

void config_free(CrioConfig *cfg) {
        if (!cfg)
                return;
        for (size_t i = 0; i < config_n_options; i++)
                config_value_free(config_options[i].type, config_field(&config_options[i], cfg));
        for (size_t i = 0; i < cfg->n_runtimes; i++)
                config_handler_done(&cfg->runtimes[i]);
        free(cfg->runtimes);
        free(cfg);
}

int config_new_default(CrioConfig **ret, CrioError *err) {
        _cleanup_(config_freep) CrioConfig *cfg = calloc(1, sizeof(*cfg));
        if (!cfg)
                return crio_error_set(err, ENOMEM, "creating the default configuration: out of memory");
        for (size_t i = 0; i < config_n_options; i++)
                if (config_value_set_default(&config_options[i], config_field(&config_options[i], cfg)) < 0)
                        return crio_error_set(err, ENOMEM, "creating the default configuration: out of memory");
        /* The one built-in handler: runc, found in PATH, with its usual state directory. */
        CrioRuntimeHandler *runc = NULL;
        if (config_handler_get_or_add(cfg, "runc", &runc) < 0)
                return crio_error_set(err, ENOMEM, "creating the default configuration: out of memory");
        char *root = strdup("/run/runc");
        if (!root)
                return crio_error_set(err, ENOMEM, "creating the default configuration: out of memory");
        free(runc->runtime_root);
        runc->runtime_root = root;
        *ret = TAKE_PTR(cfg);
        return 0;
}

CrioConfig *config_dup(const CrioConfig *cfg) {
        _cleanup_(config_freep) CrioConfig *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        for (size_t i = 0; i < config_n_options; i++) {
                const ConfigOption *o = &config_options[i];
                if (config_value_copy(o->type, config_field(o, c), config_field(o, cfg)) < 0)
                        return NULL;
        }
        if (cfg->n_runtimes > 0) {
                c->runtimes = calloc(cfg->n_runtimes, sizeof(*c->runtimes));
                if (!c->runtimes)
                        return NULL;
                for (size_t i = 0; i < cfg->n_runtimes; i++) {
                        if (config_handler_copy(&c->runtimes[i], &cfg->runtimes[i]) < 0)
                                return NULL;
                        c->n_runtimes++;
                }
        }
        return TAKE_PTR(c);
}

bool config_equal(const CrioConfig *a, const CrioConfig *b) {
        for (size_t i = 0; i < config_n_options; i++) {
                const ConfigOption *o = &config_options[i];
                if (!config_value_equal(o->type, config_field(o, a), config_field(o, b)))
                        return false;
        }
        if (a->n_runtimes != b->n_runtimes)
                return false;
        for (size_t i = 0; i < a->n_runtimes; i++)
                if (!config_handler_equal(&a->runtimes[i], &b->runtimes[i]))
                        return false;
        return true;
}

/* ---- command-line options ---- */

/* Parses a flag's text into a new value of the option's type. */
static int parse_flag_value(const ConfigOption *o, const char *name, const char *text, ConfigValue *ret,
                            CrioError *err) {
        switch (o->type) {
        case CONFIG_STRING:
                ret->s = strdup(text);
                return ret->s ? 0 : crio_error_set(err, ENOMEM, "out of memory");
        case CONFIG_BOOL:
                if (strcmp(text, "true") == 0)
                        ret->b = true;
                else if (strcmp(text, "false") == 0)
                        ret->b = false;
                else
                        return crio_error_set(err, EINVAL, "%s: invalid value \"%s\" (expected true or false)", name,
                                              text);
                return 0;
        case CONFIG_INT: {
                char *end = NULL;
                errno = 0;
                long long v = strtoll(text, &end, 10);
                if (!((text[0] >= '0' && text[0] <= '9') || text[0] == '-') || *end != '\0' || errno != 0)
                        return crio_error_set(err, EINVAL, "%s: invalid value \"%s\" (expected a decimal integer)",
                                              name, text);
                ret->i = v;
                return 0;
        }
        case CONFIG_STRV: {
                _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
                if (!v)
                        return crio_error_set(err, ENOMEM, "out of memory");
                /* "" is the empty list; "a,,b" has an empty middle element. */
                for (const char *p = text; text[0];) {
                        const char *comma = strchr(p, ',');
                        size_t n = comma ? (size_t) (comma - p) : strlen(p);
                        if (strv_consume(&v, strndup(p, n)) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                        if (!comma)
                                break;
                        p = comma + 1;
                }
                ret->v = TAKE_PTR(v);
                return 0;
        }
        }
        return -EINVAL;
}

int config_set_option(CrioConfig *cfg, const char *key, const char *value, CrioError *err) {
        static const char prefix[] = "crio.runtime.runtimes.";
        const ConfigOption *o = NULL;
        _cleanup_free_ char *handler = NULL;
        if (str_startswith(key, prefix)) {
                const char *rest = key + strlen(prefix), *dot = strrchr(rest, '.');
                if (dot && dot != rest)
                        o = config_handler_option_find(dot + 1);
                if (o) {
                        handler = strndup(rest, (size_t) (dot - rest));
                        if (!handler)
                                return crio_error_set(err, ENOMEM, "out of memory");
                        if (!config_utf8_valid(handler))
                                return crio_error_set(err, EINVAL, "%s: invalid runtime handler name", key);
                }
        } else
                o = config_option_find_name(key);
        if (!o)
                return crio_error_set(err, EINVAL, "unknown option %s", key);

        ConfigValue v = {};
        int r = parse_flag_value(o, key, value, &v, err);
        if (r < 0)
                return r;
        r = config_value_check(o, key, &v, "", err);
        if (r < 0) {
                config_value_free(o->type, &v);
                return r;
        }
        void *base = cfg;
        if (handler) {
                CrioRuntimeHandler *h = NULL;
                r = config_handler_get_or_add(cfg, handler, &h);
                if (r < 0) {
                        config_value_free(o->type, &v);
                        return crio_error_set(err, -r, "%s: %s", key,
                                              r == -E2BIG ? "too many runtime handlers" : "out of memory");
                }
                base = h;
        }
        config_value_move(o->type, config_field(o, base), &v);
        return 0;
}

/* ---- validation ---- */

static int handler_names_text(const CrioConfig *cfg, char **ret) {
        size_t len = 1;
        for (size_t i = 0; i < cfg->n_runtimes; i++)
                len += strlen(cfg->runtimes[i].name) + 2;
        char *t = calloc(1, len);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < cfg->n_runtimes; i++) {
                if (i > 0)
                        strcat(t, ", ");
                strcat(t, cfg->runtimes[i].name);
        }
        *ret = t;
        return 0;
}

int config_validate(const CrioConfig *cfg, CrioError *err) {
        for (size_t i = 0; i < config_n_options; i++) {
                const ConfigOption *o = &config_options[i];
                char name[128];
                snprintf(name, sizeof name, "%s.%s", o->section, o->key);
                int r = config_value_check(o, name, config_field(o, cfg), "", err);
                if (r < 0)
                        return r;
        }

        if (cfg->n_runtimes == 0)
                return crio_error_set(err, EINVAL,
                                      "crio.runtime.runtimes: no runtime handler is configured "
                                      "(add a [crio.runtime.runtimes.NAME] table)");
        if (cfg->n_runtimes > CONFIG_MAX_RUNTIMES)
                return crio_error_set(err, E2BIG, "crio.runtime.runtimes: more than %d runtime handlers",
                                      CONFIG_MAX_RUNTIMES);
        for (size_t i = 0; i < cfg->n_runtimes; i++) {
                const CrioRuntimeHandler *h = &cfg->runtimes[i];
                if (!h->name || !h->name[0] || !config_utf8_valid(h->name))
                        return crio_error_set(err, EINVAL, "crio.runtime.runtimes: invalid runtime handler name");
                if (i > 0 && strcmp(cfg->runtimes[i - 1].name, h->name) >= 0)
                        return crio_error_set(err, EINVAL,
                                              "crio.runtime.runtimes: handlers are not sorted or not unique at \"%s\"",
                                              h->name);
                for (size_t j = 0; j < config_n_handler_options; j++) {
                        const ConfigOption *o = &config_handler_options[j];
                        _cleanup_free_ char *name = NULL;
                        if (asprintf(&name, "crio.runtime.runtimes.%s.%s", h->name, o->key) < 0)
                                return crio_error_set(err, ENOMEM, "out of memory");
                        int r = config_value_check(o, name, config_field(o, h), "", err);
                        if (r < 0)
                                return r;
                }
        }
        if (!config_find_runtime(cfg, cfg->default_runtime)) {
                _cleanup_free_ char *names = NULL, *shown = NULL;
                shown = config_value_to_toml(CONFIG_STRING, &cfg->default_runtime);
                if (!shown || handler_names_text(cfg, &names) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                return crio_error_set(err, EINVAL,
                                      "crio.runtime.default_runtime: invalid value %s (expected a configured runtime "
                                      "handler: %s)",
                                      shown, names);
        }
        if (cfg->stream_enable_tls && (!cfg->stream_tls_cert || !cfg->stream_tls_cert[0] || !cfg->stream_tls_key ||
                                       !cfg->stream_tls_key[0]))
                return crio_error_set(err, EINVAL,
                                      "crio.api.stream_enable_tls: TLS needs crio.api.stream_tls_cert and "
                                      "crio.api.stream_tls_key");
        return 0;
}

int config_strv_append_all(char ***dst, char **src) {
        for (char **s = src; s && *s; s++) {
                int r = strv_push(dst, *s);
                if (r < 0)
                        return r;
        }
        return 0;
}
