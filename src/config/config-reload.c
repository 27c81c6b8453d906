/* SIGHUP: copy the reloadable options of a freshly loaded configuration into the live one.
 *
 * Two phases, so that a failure (out of memory) leaves the live configuration and the
 * caller's lists untouched: first every new value and message is prepared, then the
 * prepared values are swapped in, which cannot fail. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "util/cleanup.h"
#include "util/strv.h"

typedef struct Staged {
        ConfigValue *values; /* one per option; set where has[i] */
        bool *has;
        CrioRuntimeHandler *runtimes; /* the fresh handlers, copied, when they differ */
        size_t n_runtimes;
        bool has_runtimes;
} Staged;

static void staged_done(Staged *s) {
        for (size_t i = 0; s->has && i < config_n_options; i++)
                if (s->has[i])
                        config_value_free(config_options[i].type, &s->values[i]);
        free(s->values);
        free(s->has);
        for (size_t i = 0; i < s->n_runtimes; i++)
                config_handler_done(&s->runtimes[i]);
        free(s->runtimes);
}

static int push_change(char ***list, const char *name, ConfigType type, const void *old, const void *new) {
        _cleanup_free_ char *a = config_value_to_display(type, old), *b = config_value_to_display(type, new);
        if (!a || !b)
                return -ENOMEM;
        char *m = NULL;
        if (asprintf(&m, "%s: %s -> %s", name, a, b) < 0)
                return -ENOMEM;
        return strv_consume(list, m);
}

static int push_fmt(char ***list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int push_fmt(char ***list, const char *fmt, ...) {
        char *m = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        return strv_consume(list, m);
}

/* Describes how the handlers differ: added, removed, and changed keys. */
static int diff_runtimes(const CrioConfig *live, const CrioConfig *fresh, char ***list) {
        for (size_t i = 0; i < live->n_runtimes; i++) {
                const CrioRuntimeHandler *a = &live->runtimes[i], *b = config_find_runtime(fresh, a->name);
                if (!b) {
                        if (push_fmt(list, "crio.runtime.runtimes.%s: removed", a->name) < 0)
                                return -ENOMEM;
                        continue;
                }
                for (size_t j = 0; j < config_n_handler_options; j++) {
                        const ConfigOption *o = &config_handler_options[j];
                        if (config_value_equal(o->type, config_field(o, a), config_field(o, b)))
                                continue;
                        _cleanup_free_ char *name = NULL;
                        if (asprintf(&name, "crio.runtime.runtimes.%s.%s", a->name, o->key) < 0 ||
                            push_change(list, name, o->type, config_field(o, a), config_field(o, b)) < 0)
                                return -ENOMEM;
                }
        }
        for (size_t i = 0; i < fresh->n_runtimes; i++)
                if (!config_find_runtime(live, fresh->runtimes[i].name) &&
                    push_fmt(list, "crio.runtime.runtimes.%s: added", fresh->runtimes[i].name) < 0)
                        return -ENOMEM;
        return 0;
}

static bool runtimes_equal(const CrioConfig *a, const CrioConfig *b) {
        if (a->n_runtimes != b->n_runtimes)
                return false;
        for (size_t i = 0; i < a->n_runtimes; i++)
                if (!config_handler_equal(&a->runtimes[i], &b->runtimes[i]))
                        return false;
        return true;
}

/* A copy of *old followed by add (NULL when both are empty). */
static int joined(char **old, char **add, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        if (config_strv_append_all(&v, old) < 0 || config_strv_append_all(&v, add) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

static int prepare(CrioConfig *live, const CrioConfig *fresh, Staged *s, char ***ch, char ***ig) {
        s->values = calloc(config_n_options, sizeof(*s->values));
        s->has = calloc(config_n_options, sizeof(*s->has));
        if (!s->values || !s->has)
                return -ENOMEM;
        for (size_t i = 0; i < config_n_options; i++) {
                const ConfigOption *o = &config_options[i];
                const void *a = config_field(o, live), *b = config_field(o, fresh);
                if (config_value_equal(o->type, a, b))
                        continue;
                char name[128];
                snprintf(name, sizeof name, "%s.%s", o->section, o->key);
                if (!(o->flags & CONFIG_RELOADABLE)) {
                        if (push_fmt(ig, "%s (needs a restart)", name) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (push_change(ch, name, o->type, a, b) < 0 || config_value_copy(o->type, &s->values[i], b) < 0)
                        return -ENOMEM;
                s->has[i] = true;
        }
        if (!runtimes_equal(live, fresh)) {
                if (diff_runtimes(live, fresh, ch) < 0)
                        return -ENOMEM;
                if (fresh->n_runtimes > 0) {
                        s->runtimes = calloc(fresh->n_runtimes, sizeof(*s->runtimes));
                        if (!s->runtimes)
                                return -ENOMEM;
                }
                for (size_t i = 0; i < fresh->n_runtimes; i++) {
                        if (config_handler_copy(&s->runtimes[i], &fresh->runtimes[i]) < 0)
                                return -ENOMEM;
                        s->n_runtimes++;
                }
                s->has_runtimes = true;
        }
        return 0;
}

int config_reload(CrioConfig *live, const CrioConfig *fresh, char ***changed, char ***ignored, CrioError *err) {
        Staged s = {};
        _cleanup_strv_free_ char **ch = NULL, **ig = NULL, **all_ch = NULL, **all_ig = NULL;
        int r = prepare(live, fresh, &s, &ch, &ig);
        if (r >= 0 && changed && ch)
                r = joined(*changed, ch, &all_ch);
        if (r >= 0 && ignored && ig)
                r = joined(*ignored, ig, &all_ig);
        if (r < 0) {
                staged_done(&s);
                return crio_error_set(err, ENOMEM, "reloading the configuration: out of memory");
        }

        /* Commit: nothing below can fail. */
        for (size_t i = 0; i < config_n_options; i++)
                if (s.has[i]) {
                        config_value_move(config_options[i].type, config_field(&config_options[i], live), &s.values[i]);
                        s.has[i] = false;
                }
        if (s.has_runtimes) {
                for (size_t i = 0; i < live->n_runtimes; i++)
                        config_handler_done(&live->runtimes[i]);
                free(live->runtimes);
                live->runtimes = TAKE_PTR(s.runtimes);
                live->n_runtimes = s.n_runtimes;
                s.n_runtimes = 0;
        }
        staged_done(&s);
        if (all_ch) {
                strv_free(*changed);
                *changed = TAKE_PTR(all_ch);
        }
        if (all_ig) {
                strv_free(*ignored);
                *ignored = TAKE_PTR(all_ig);
        }
        return 0;
}
