/* Loading: TOML files and drop-in directories onto a configuration, driven by the option
 * table. A file is applied to a scratch copy and swapped in only when all of it is good, so
 * that a bad file changes nothing. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config-internal.h"
#include "toml.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(TomlValue *, toml_value_free);

typedef struct Loader {
        const char *path;
        char **warnings;
} Loader;

static int warn(Loader *l, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int warn(Loader *l, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&m, fmt, ap);
        va_end(ap);
        char *w = NULL;
        if (n < 0 || asprintf(&w, "%s:%u: %s", l->path, line, m) < 0)
                return -ENOMEM;
        return strv_consume(&l->warnings, w);
}

static const char *type_wanted(ConfigType type) {
        switch (type) {
        case CONFIG_STRING:
                return "a string";
        case CONFIG_BOOL:
                return "a boolean";
        case CONFIG_INT:
                return "an integer";
        case CONFIG_STRV:
                return "an array of strings";
        }
        return "?";
}

static int wrong_type(Loader *l, const TomlValue *v, const char *name, const char *wanted, CrioError *err) {
        return crio_error_set(err, EINVAL, "%s:%u: %s: expected %s, got %s", l->path, v->line, name, wanted,
                              toml_type_name(v->type));
}

static int string_from_toml(Loader *l, const TomlValue *v, const char *name, char **ret, CrioError *err) {
        if (v->type != TOML_STRING)
                return wrong_type(l, v, name, "a string", err);
        if (strlen(v->u.string.data) != v->u.string.len)
                return crio_error_set(err, EINVAL, "%s:%u: %s: invalid value (contains a NUL character)", l->path,
                                      v->line, name);
        *ret = strdup(v->u.string.data);
        return *ret ? 0 : crio_error_set(err, ENOMEM, "out of memory");
}

/* Converts a TOML value to the option's type, checks it, and stores it in base. */
static int apply_value(Loader *l, const ConfigOption *o, const char *name, void *base, const TomlValue *v,
                       CrioError *err) {
        ConfigValue val = {};
        int r = 0;
        switch (o->type) {
        case CONFIG_STRING:
                r = string_from_toml(l, v, name, &val.s, err);
                break;
        case CONFIG_BOOL:
                if (v->type != TOML_BOOLEAN)
                        return wrong_type(l, v, name, type_wanted(o->type), err);
                val.b = v->u.boolean;
                break;
        case CONFIG_INT:
                if (v->type != TOML_INTEGER)
                        return wrong_type(l, v, name, type_wanted(o->type), err);
                val.i = v->u.integer;
                break;
        case CONFIG_STRV:
                if (v->type != TOML_ARRAY)
                        return wrong_type(l, v, name, type_wanted(o->type), err);
                val.v = calloc(v->u.array.n + 1, sizeof(char *));
                if (!val.v)
                        return crio_error_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; i < v->u.array.n && r >= 0; i++) {
                        const TomlValue *item = v->u.array.items[i];
                        if (item->type != TOML_STRING)
                                r = crio_error_set(err, EINVAL, "%s:%u: %s: expected an array of strings, got an array "
                                                   "containing %s", l->path, item->line, name,
                                                   toml_type_name(item->type));
                        else
                                r = string_from_toml(l, item, name, &val.v[i], err);
                }
                break;
        }
        if (r >= 0) {
                char where[64 + 4096];
                snprintf(where, sizeof where, "%s:%u: ", l->path, v->line);
                r = config_value_check(o, name, &val, where, err);
        }
        if (r < 0) {
                config_value_free(o->type, &val);
                return r;
        }
        config_value_move(o->type, config_field(o, base), &val);
        return 0;
}

static int apply_handler(Loader *l, CrioConfig *cfg, const char *hname, const TomlValue *t, CrioError *err) {
        if (!hname[0] || !config_utf8_valid(hname))
                return crio_error_set(err, EINVAL, "%s:%u: crio.runtime.runtimes: invalid runtime handler name \"%s\"",
                                      l->path, t->line, hname);
        CrioRuntimeHandler *h = NULL;
        int r = config_handler_get_or_add(cfg, hname, &h);
        if (r == -E2BIG)
                return crio_error_set(err, E2BIG, "%s:%u: crio.runtime.runtimes: more than %d runtime handlers",
                                      l->path, t->line, CONFIG_MAX_RUNTIMES);
        if (r < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < t->u.table.n; i++) {
                const TomlEntry *e = &t->u.table.entries[i];
                _cleanup_free_ char *name = NULL;
                if (asprintf(&name, "crio.runtime.runtimes.%s.%s", hname, e->key) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                const ConfigOption *o = config_handler_option_find(e->key);
                if (o)
                        r = apply_value(l, o, name, h, e->value, err);
                else if (warn(l, e->value->line, "unknown option %s", name) < 0)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int apply_runtimes(Loader *l, CrioConfig *cfg, const TomlValue *t, CrioError *err) {
        for (size_t i = 0; i < t->u.table.n; i++) {
                const TomlEntry *e = &t->u.table.entries[i];
                if (e->value->type != TOML_TABLE)
                        return crio_error_set(err, EINVAL, "%s:%u: crio.runtime.runtimes.%s: expected a table, got %s",
                                              l->path, e->value->line, e->key, toml_type_name(e->value->type));
                int r = apply_handler(l, cfg, e->key, e->value, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Applies the entries of one section's table ("crio", "crio.api", ...). */
static int apply_section(Loader *l, CrioConfig *cfg, const char *section, const TomlValue *t, CrioError *err) {
        for (size_t i = 0; i < t->u.table.n; i++) {
                const TomlEntry *e = &t->u.table.entries[i];
                const TomlValue *v = e->value;
                _cleanup_free_ char *name = NULL;
                if (asprintf(&name, "%s.%s", section, e->key) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                const ConfigOption *o = config_option_find(section, e->key);
                bool runtimes = strcmp(name, "crio.runtime.runtimes") == 0;
                int r = 0;
                if (o)
                        r = apply_value(l, o, name, cfg, v, err);
                else if ((runtimes || config_section_known(name)) && v->type != TOML_TABLE)
                        r = wrong_type(l, v, name, "a table", err);
                else if (runtimes)
                        r = apply_runtimes(l, cfg, v, err);
                else if (config_section_known(name))
                        r = apply_section(l, cfg, name, v, err);
                else if (config_section_unsupported(name) && v->type == TOML_TABLE) {
                        if (warn(l, v->line, "[%s] is not supported by crio yet; ignored", name) < 0)
                                r = crio_error_set(err, ENOMEM, "out of memory");
                } else if (warn(l, v->line, "unknown %s %s", v->type == TOML_TABLE ? "table" : "option", name) < 0)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int apply_document(Loader *l, CrioConfig *cfg, const TomlValue *root, CrioError *err) {
        for (size_t i = 0; i < root->u.table.n; i++) {
                const TomlEntry *e = &root->u.table.entries[i];
                const TomlValue *v = e->value;
                int r = 0;
                if (strcmp(e->key, "crio") == 0) {
                        if (v->type != TOML_TABLE)
                                return wrong_type(l, v, "crio", "a table", err);
                        r = apply_section(l, cfg, "crio", v, err);
                } else if (warn(l, v->line, "unknown %s %s", v->type == TOML_TABLE ? "table" : "option", e->key) < 0)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Swaps the contents of two configurations. */
static void config_swap(CrioConfig *a, CrioConfig *b) {
        CrioConfig t = *a;
        *a = *b;
        *b = t;
}

/* Appends the loader's warnings to *warnings (if wanted); -ENOMEM leaves *warnings as it was. */
static int hand_over_warnings(char ***warnings, char **add) {
        if (!warnings || !add)
                return 0;
        _cleanup_strv_free_ char **all = NULL;
        if (config_strv_append_all(&all, *warnings) < 0 || config_strv_append_all(&all, add) < 0)
                return -ENOMEM;
        strv_free(*warnings);
        *warnings = TAKE_PTR(all);
        return 0;
}

/* Applies one document (named path in messages) to scratch, collecting warnings in l. */
static int apply_data_to(CrioConfig *scratch, const char *path, const char *data, size_t len, Loader *l,
                         CrioError *err) {
        _cleanup_(crio_error_clear) CrioError e = {};
        _cleanup_(toml_value_freep) TomlValue *root = NULL;
        int r = toml_parse(data, len, &root, &e);
        if (r < 0)
                return crio_error_set(err, -r, "%s: %s", path, e.msg ? e.msg : "invalid TOML");
        if (root->type != TOML_TABLE)
                return crio_error_set(err, EINVAL, "%s: invalid TOML document", path);
        l->path = path;
        return apply_document(l, scratch, root, err);
}

/* Applies one file to scratch, collecting warnings in l. A missing file is skipped when missing_ok. */
static int apply_file_to(CrioConfig *scratch, const char *path, bool missing_ok, Loader *l, CrioError *err) {
        _cleanup_(crio_error_clear) CrioError e = {};
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_file(path, CONFIG_MAX_FILE_SIZE, &data, &len, &e);
        if (r == -ENOENT && missing_ok)
                return 0;
        if (r < 0) {
                crio_error_move(err, &e);
                return r;
        }
        return apply_data_to(scratch, path, data, len, l, err);
}

int config_apply_data(CrioConfig *cfg, const char *name, const char *data, size_t len, char ***warnings,
                      CrioError *err) {
        if (len > CONFIG_MAX_FILE_SIZE)
                return crio_error_set(err, EFBIG, "%s: larger than %u bytes", name, CONFIG_MAX_FILE_SIZE);
        _cleanup_(config_freep) CrioConfig *scratch = config_dup(cfg);
        if (!scratch)
                return crio_error_set(err, ENOMEM, "loading %s: out of memory", name);
        _cleanup_strv_free_ char **w = NULL;
        Loader l = {};
        int r = apply_data_to(scratch, name, data, len, &l, err);
        w = l.warnings;
        if (r < 0)
                return r;
        if (hand_over_warnings(warnings, w) < 0)
                return crio_error_set(err, ENOMEM, "loading %s: out of memory", name);
        config_swap(cfg, scratch);
        return 0;
}

static int apply_file(CrioConfig *cfg, const char *path, bool missing_ok, char ***warnings, CrioError *err) {
        _cleanup_(config_freep) CrioConfig *scratch = config_dup(cfg);
        if (!scratch)
                return crio_error_set(err, ENOMEM, "loading %s: out of memory", path);
        _cleanup_strv_free_ char **w = NULL;
        Loader l = {};
        int r = apply_file_to(scratch, path, missing_ok, &l, err);
        w = l.warnings;
        if (r < 0)
                return r;
        if (hand_over_warnings(warnings, w) < 0)
                return crio_error_set(err, ENOMEM, "loading %s: out of memory", path);
        config_swap(cfg, scratch);
        return 0;
}

int config_apply_file(CrioConfig *cfg, const char *path, char ***warnings, CrioError *err) {
        return apply_file(cfg, path, false, warnings, err);
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int config_apply_dir(CrioConfig *cfg, const char *dir, char ***warnings, CrioError *err) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return crio_error_set_errno(err, errno, "opening %s", dir);
        }
        _cleanup_strv_free_ char **paths = NULL, **w = NULL;
        Loader l = {};
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return crio_error_set_errno(err, errno, "reading %s", dir);
                        break;
                }
                /* Hidden files (editor and package manager leftovers) and non-.conf files are skipped. */
                if (de->d_name[0] == '.' || !str_endswith(de->d_name, ".conf"))
                        continue;
                char *p = NULL;
                if (asprintf(&p, "%s/%s", dir, de->d_name) < 0 || strv_consume(&paths, p) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        size_t n = strv_length(paths);
        if (n > 1)
                qsort(paths, n, sizeof(char *), cmp_names);

        _cleanup_(config_freep) CrioConfig *scratch = config_dup(cfg);
        if (!scratch)
                return crio_error_set(err, ENOMEM, "loading %s: out of memory", dir);
        int r = 0;
        for (char **p = paths; p && *p && r >= 0; p++) {
                struct stat st;
                if (stat(*p, &st) < 0) {
                        if (errno == ENOENT) { /* a dangling symlink */
                                char *m = NULL;
                                if (asprintf(&m, "%s: dangling symbolic link, skipped", *p) < 0 ||
                                    strv_consume(&l.warnings, m) < 0)
                                        r = crio_error_set(err, ENOMEM, "out of memory");
                                continue;
                        }
                        r = crio_error_set_errno(err, errno, "checking %s", *p);
                        break;
                }
                if (!S_ISREG(st.st_mode))
                        continue;
                r = apply_file_to(scratch, *p, false, &l, err);
        }
        w = l.warnings;
        if (r < 0)
                return r;
        if (hand_over_warnings(warnings, w) < 0)
                return crio_error_set(err, ENOMEM, "loading %s: out of memory", dir);
        config_swap(cfg, scratch);
        return 0;
}

int config_load(const char *file, bool file_required, const char *dir, CrioConfig **ret, char ***warnings,
                CrioError *err) {
        _cleanup_(config_freep) CrioConfig *cfg = NULL;
        _cleanup_strv_free_ char **w = NULL;
        int r = config_new_default(&cfg, err);
        if (r < 0)
                return r;
        if (file) {
                r = apply_file(cfg, file, !file_required, &w, err);
                if (r < 0)
                        return r;
        }
        if (dir) {
                r = config_apply_dir(cfg, dir, &w, err);
                if (r < 0)
                        return r;
        }
        r = config_validate(cfg, err);
        if (r < 0)
                return r;
        if (hand_over_warnings(warnings, w) < 0)
                return crio_error_set(err, ENOMEM, "loading the configuration: out of memory");
        *ret = TAKE_PTR(cfg);
        return 0;
}
