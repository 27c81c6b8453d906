/* containers-registries.conf(5) v2: loading, merging, matching and short-name resolution.
 * The rules follow containers/image pkg/sysregistriesv2 (see registries.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/toml.h"
#include "image/reference.h"
#include "image/registries.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(TomlValue *, toml_value_free)

const char *registries_default_path(void) {
        const char *e = getenv(REGISTRIES_ENV);
        return e && *e ? e : REGISTRIES_DEFAULT_PATH;
}

const char *short_name_mode_to_string(ShortNameMode m) {
        switch (m) {
        case SHORT_NAME_MODE_ENFORCING:
                return "enforcing";
        case SHORT_NAME_MODE_DISABLED:
                return "disabled";
        default:
                return "permissive";
        }
}

static void registry_entry_done(RegistryEntry *e) {
        free(e->prefix);
        free(e->location);
        free(e->origin);
        for (size_t i = 0; i < e->n_mirrors; i++)
                free(e->mirrors[i].location);
        free(e->mirrors);
        *e = (RegistryEntry){};
}

static void alias_done(RegistryAlias *a) {
        free(a->name);
        free(a->value);
        free(a->origin);
        *a = (RegistryAlias){};
}

void registries_conf_free(RegistriesConf *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n_registries; i++)
                registry_entry_done(&c->registries[i]);
        free(c->registries);
        for (size_t i = 0; i < c->n_aliases; i++)
                alias_done(&c->aliases[i]);
        free(c->aliases);
        strv_free(c->unqualified_search_registries);
        free(c);
}

void pull_sources_free(PullSource *s, size_t n) {
        if (!s)
                return;
        for (size_t i = 0; i < n; i++)
                free(s[i].reference);
        free(s);
}

/* One file, before merging: what it set, and aliases set to "" (removals). */
typedef struct Partial {
        RegistriesConf c;
        bool search_set;
        bool mode_set;
} Partial;

static void partial_done(Partial *p) {
        for (size_t i = 0; i < p->c.n_registries; i++)
                registry_entry_done(&p->c.registries[i]);
        free(p->c.registries);
        for (size_t i = 0; i < p->c.n_aliases; i++)
                alias_done(&p->c.aliases[i]);
        free(p->c.aliases);
        strv_free(p->c.unqualified_search_registries);
        *p = (Partial){};
}

/* "name:line: <message>" with -EINVAL. */
static int bad(CrioError *err, const char *name, unsigned line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(CrioError *err, const char *name, unsigned line, const char *fmt, ...) {
        if (!err || err->msg)
                return -EINVAL; /* the first message stays */
        va_list ap;
        va_start(ap, fmt);
        crio_error_setv(err, EINVAL, fmt, ap);
        va_end(ap);
        crio_error_prefix(err, "%s:%u: ", name, line);
        return -EINVAL;
}

static int oom(CrioError *err) {
        return crio_error_set(err, ENOMEM, "registries.conf: out of memory");
}

/* A string key: absent gives 0 and *ret NULL; a string with an embedded NUL is refused. */
static int get_string(const TomlValue *t, const char *key, const char *name, const char **ret, CrioError *err) {
        const TomlValue *v = toml_table_get(t, key);
        *ret = NULL;
        if (!v)
                return 0;
        if (v->type != TOML_STRING)
                return bad(err, name, v->line, "%s must be a string, not %s", key, toml_type_name(v->type));
        if (strlen(v->u.string.data) != v->u.string.len)
                return bad(err, name, v->line, "%s must not contain a NUL character", key);
        *ret = v->u.string.data;
        return 1;
}

static int get_bool(const TomlValue *t, const char *key, const char *name, bool *ret, CrioError *err) {
        const TomlValue *v = toml_table_get(t, key);
        if (!v)
                return 0;
        if (v->type != TOML_BOOLEAN)
                return bad(err, name, v->line, "%s must be a boolean, not %s", key, toml_type_name(v->type));
        *ret = v->u.boolean;
        return 1;
}

/* containers/image parseLocation: trailing '/' dropped, URI schemes refused. */
static int parse_location(const char *in, const char *name, unsigned line, char **ret, CrioError *err) {
        if (str_startswith(in, "http://") || str_startswith(in, "https://"))
                return bad(err, name, line, "invalid location \"%s\": URI schemes are not supported", in);
        char *s = strdup(in);
        if (!s)
                return oom(err);
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == '/')
                s[--n] = '\0';
        *ret = s;
        return 0;
}

/* host[:port], host a DNS name or a bracketed IPv6 address (docker reference domain). */
static bool domain_valid(const char *s) {
        const char *p = s;
        if (*p == '[') {
                p++;
                const char *start = p;
                while (*p && (strchr("0123456789abcdefABCDEF:", *p)))
                        p++;
                if (p == start || *p != ']')
                        return false;
                p++;
        } else {
                for (;;) {
                        const char *start = p;
                        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-')
                                p++;
                        if (p == start || *start == '-' || p[-1] == '-')
                                return false;
                        if (*p != '.')
                                break;
                        p++;
                }
        }
        if (*p == ':') {
                p++;
                if (!(*p >= '0' && *p <= '9'))
                        return false;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        return *p == '\0';
}

/* True if the text before the first '/' of s names a registry (docker's rule). */
bool registries_name_has_registry(const char *s) {
        const char *slash = strchr(s, '/');
        if (!slash)
                return false;
        size_t n = (size_t) (slash - s);
        return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && strncmp(s, "localhost", 9) == 0);
}

/* Offset of the ":tag" of a name (after its last '/'), or strlen when there is none. */
static size_t tag_offset(const char *s) {
        const char *slash = strrchr(s, '/');
        const char *colon = strchr(slash ? slash : s, ':');
        return colon ? (size_t) (colon - s) : strlen(s);
}

static int parse_mirror(const TomlValue *t, const RegistryEntry *reg, const char *name, RegistryMirror *m, CrioError *err) {
        const char *loc = NULL, *pfm = NULL;
        int r;
        if (t->type != TOML_TABLE)
                return bad(err, name, t->line, "registry.mirror must be a table, not %s", toml_type_name(t->type));
        if ((r = get_string(t, "location", name, &loc, err)) < 0 || (r = get_bool(t, "insecure", name, &m->insecure, err)) < 0 ||
            (r = get_string(t, "pull-from-mirror", name, &pfm, err)) < 0)
                return r;
        if (!loc || !*loc)
                return bad(err, name, t->line, "invalid condition: mirror location is unset");
        if ((r = parse_location(loc, name, t->line, &m->location, err)) < 0)
                return r;
        if (!*m->location)
                return bad(err, name, t->line, "invalid condition: mirror location is unset");
        if (pfm && *pfm) {
                if (reg->mirror_by_digest_only)
                        return bad(err, name, t->line,
                                   "cannot set mirror usage mirror-by-digest-only for the registry (\"%s\") and pull-from-mirror for per-mirror (\"%s\") at the same time",
                                   reg->location, m->location);
                if (strcmp(pfm, "all") == 0)
                        m->pull_from_mirror = PULL_FROM_MIRROR_ALL;
                else if (strcmp(pfm, "digest-only") == 0)
                        m->pull_from_mirror = PULL_FROM_MIRROR_DIGEST_ONLY;
                else if (strcmp(pfm, "tag-only") == 0)
                        m->pull_from_mirror = PULL_FROM_MIRROR_TAG_ONLY;
                else
                        return bad(err, name, t->line, "unsupported pull-from-mirror value \"%s\" for mirror \"%s\"", pfm, m->location);
        }
        return 0;
}

static int parse_registry(const TomlValue *t, const char *name, RegistryEntry *e, CrioError *err) {
        const char *prefix = NULL, *loc = NULL, *pfm = NULL;
        int r;
        if (t->type != TOML_TABLE)
                return bad(err, name, t->line, "registry must be a table, not %s", toml_type_name(t->type));
        if ((r = get_string(t, "prefix", name, &prefix, err)) < 0 || (r = get_string(t, "location", name, &loc, err)) < 0 ||
            (r = get_bool(t, "insecure", name, &e->insecure, err)) < 0 || (r = get_bool(t, "blocked", name, &e->blocked, err)) < 0 ||
            (r = get_bool(t, "mirror-by-digest-only", name, &e->mirror_by_digest_only, err)) < 0 ||
            (r = get_string(t, "pull-from-mirror", name, &pfm, err)) < 0)
                return r;
        if (asprintf(&e->origin, "%s:%u", name, t->line) < 0) {
                e->origin = NULL;
                return oom(err);
        }
        if ((r = parse_location(loc ? loc : "", name, t->line, &e->location, err)) < 0)
                return r;
        if (!prefix || !*prefix) {
                if (!*e->location)
                        return bad(err, name, t->line, "invalid condition: both location and prefix are unset");
                e->prefix = strdup(e->location);
                if (!e->prefix)
                        return oom(err);
        } else {
                if ((r = parse_location(prefix, name, t->line, &e->prefix, err)) < 0)
                        return r;
                if (!str_startswith(e->prefix, "*.") && !*e->location)
                        return bad(err, name, t->line, "invalid condition: location is unset and prefix \"%s\" is not in the format: *.example.com", e->prefix);
                if (!*e->prefix)
                        return bad(err, name, t->line, "invalid prefix \"%s\"", prefix);
        }
        if (strchr(e->prefix + (str_startswith(e->prefix, "*.") ? 2 : 0), '*'))
                return bad(err, name, t->line, "invalid prefix \"%s\": a wildcard is only allowed as a leading \"*.\"", e->prefix);
        if (pfm && *pfm)
                return bad(err, name, t->line, "pull-from-mirror is not supported by the primary registry");

        const TomlValue *mirrors = toml_table_get(t, "mirror");
        if (mirrors) {
                if (mirrors->type != TOML_ARRAY)
                        return bad(err, name, mirrors->line, "registry.mirror must be an array of tables, not %s", toml_type_name(mirrors->type));
                if (mirrors->u.array.n > REGISTRIES_MAX_ENTRIES)
                        return crio_error_set(err, E2BIG, "%s:%u: more than %d mirrors", name, mirrors->line, REGISTRIES_MAX_ENTRIES);
                if (mirrors->u.array.n > 0) {
                        e->mirrors = calloc(mirrors->u.array.n, sizeof *e->mirrors);
                        if (!e->mirrors)
                                return oom(err);
                }
                for (size_t i = 0; i < mirrors->u.array.n; i++) {
                        r = parse_mirror(mirrors->u.array.items[i], e, name, &e->mirrors[e->n_mirrors], err);
                        e->n_mirrors++; /* counted even when half-filled, so it is freed */
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* An alias key must be a short name: no registry, tag or digest. */
static int check_alias_name(const char *key, const char *name, unsigned line, CrioError *err) {
        _cleanup_image_reference_ ImageReference *ref = NULL;
        if (strchr(key, '@'))
                return bad(err, name, line, "invalid short name \"%s\": must not contain digest", key);
        if (key[tag_offset(key)] == ':')
                return bad(err, name, line, "invalid short name \"%s\": must not contain a tag", key);
        if (registries_name_has_registry(key))
                return bad(err, name, line, "invalid short name \"%s\": must not contain registry", key);
        if (str_startswith(key, IMAGE_REFERENCE_TRANSPORT_PREFIX) || image_reference_parse(key, &ref, NULL) < 0)
                return bad(err, name, line, "invalid short name \"%s\"", key);
        return 0;
}

static int check_alias_value(const char *v, const char *name, unsigned line, CrioError *err) {
        _cleanup_image_reference_ ImageReference *ref = NULL;
        if (strchr(v, '@'))
                return bad(err, name, line, "invalid short-name alias \"%s\": must not contain digest", v);
        if (v[tag_offset(v)] == ':')
                return bad(err, name, line, "invalid short-name alias \"%s\": must not contain tag", v);
        if (!registries_name_has_registry(v))
                return bad(err, name, line, "invalid alias \"%s\": must contain registry and repository", v);
        if (str_startswith(v, IMAGE_REFERENCE_TRANSPORT_PREFIX) || image_reference_parse(v, &ref, NULL) < 0)
                return bad(err, name, line, "invalid short-name alias \"%s\"", v);
        return 0;
}

static int parse_partial(const char *data, size_t len, const char *name, Partial *p, CrioError *err) {
        _cleanup_(toml_value_freep) TomlValue *doc = NULL;
        const TomlValue *v;
        int r;

        r = toml_parse(data, len, &doc, err);
        if (r < 0)
                return crio_error_prefix(err, "%s: ", name);

        v = toml_table_get(doc, "registries");
        if (v)
                return bad(err, name, v->line, "registries.conf v1 format is not supported; use [[registry]] tables (v2)");

        v = toml_table_get(doc, "unqualified-search-registries");
        if (v) {
                if (v->type != TOML_ARRAY)
                        return bad(err, name, v->line, "unqualified-search-registries must be an array of strings, not %s", toml_type_name(v->type));
                if (v->u.array.n > REGISTRIES_MAX_ENTRIES)
                        return crio_error_set(err, E2BIG, "%s:%u: more than %d unqualified-search-registries", name, v->line, REGISTRIES_MAX_ENTRIES);
                p->c.unqualified_search_registries = calloc(v->u.array.n + 1, sizeof(char *));
                if (!p->c.unqualified_search_registries)
                        return oom(err);
                for (size_t i = 0; i < v->u.array.n; i++) {
                        const TomlValue *it = v->u.array.items[i];
                        char *loc = NULL;
                        if (it->type != TOML_STRING || strlen(it->u.string.data) != it->u.string.len)
                                return bad(err, name, it->line, "unqualified-search-registries must be an array of strings");
                        if ((r = parse_location(it->u.string.data, name, it->line, &loc, err)) < 0)
                                return r;
                        p->c.unqualified_search_registries[i] = loc;
                        if (!domain_valid(loc))
                                return bad(err, name, it->line, "invalid unqualified-search-registries entry \"%s\"", loc);
                }
                p->search_set = true;
        }

        const char *mode = NULL;
        if ((r = get_string(doc, "short-name-mode", name, &mode, err)) < 0)
                return r;
        if (mode && *mode) {
                if (strcmp(mode, "enforcing") == 0)
                        p->c.short_name_mode = SHORT_NAME_MODE_ENFORCING;
                else if (strcmp(mode, "permissive") == 0)
                        p->c.short_name_mode = SHORT_NAME_MODE_PERMISSIVE;
                else if (strcmp(mode, "disabled") == 0)
                        p->c.short_name_mode = SHORT_NAME_MODE_DISABLED;
                else
                        return bad(err, name, toml_table_get(doc, "short-name-mode")->line, "invalid short name mode \"%s\"", mode);
                p->mode_set = true;
        }

        v = toml_table_get(doc, "aliases");
        if (v) {
                if (v->type != TOML_TABLE)
                        return bad(err, name, v->line, "aliases must be a table, not %s", toml_type_name(v->type));
                if (v->u.table.n > REGISTRIES_MAX_ENTRIES)
                        return crio_error_set(err, E2BIG, "%s:%u: more than %d aliases", name, v->line, REGISTRIES_MAX_ENTRIES);
                if (v->u.table.n > 0) {
                        p->c.aliases = calloc(v->u.table.n, sizeof *p->c.aliases);
                        if (!p->c.aliases)
                                return oom(err);
                }
                for (size_t i = 0; i < v->u.table.n; i++) {
                        const TomlEntry *en = &v->u.table.entries[i];
                        const TomlValue *val = en->value;
                        if (val->type != TOML_STRING || strlen(val->u.string.data) != val->u.string.len)
                                return bad(err, name, val->line, "alias \"%s\" must be a string", en->key);
                        if ((r = check_alias_name(en->key, name, val->line, err)) < 0)
                                return r;
                        if (*val->u.string.data && (r = check_alias_value(val->u.string.data, name, val->line, err)) < 0)
                                return r;
                        RegistryAlias *a = &p->c.aliases[p->c.n_aliases++];
                        a->name = strdup(en->key);
                        a->value = strdup(val->u.string.data);
                        if (asprintf(&a->origin, "%s:%u", name, val->line) < 0)
                                a->origin = NULL;
                        if (!a->name || !a->value || !a->origin)
                                return oom(err);
                }
        }

        v = toml_table_get(doc, "registry");
        if (v) {
                if (v->type != TOML_ARRAY)
                        return bad(err, name, v->line, "registry must be an array of tables ([[registry]]), not %s", toml_type_name(v->type));
                if (v->u.array.n > REGISTRIES_MAX_ENTRIES)
                        return crio_error_set(err, E2BIG, "%s:%u: more than %d registries", name, v->line, REGISTRIES_MAX_ENTRIES);
                if (v->u.array.n > 0) {
                        p->c.registries = calloc(v->u.array.n, sizeof *p->c.registries);
                        if (!p->c.registries)
                                return oom(err);
                }
                for (size_t i = 0; i < v->u.array.n; i++) {
                        RegistryEntry e = {};
                        r = parse_registry(v->u.array.items[i], name, &e, err);
                        if (r < 0) {
                                registry_entry_done(&e);
                                return r;
                        }
                        /* The same location must not be insecure or blocked one time and not another. */
                        const char *key = *e.location ? e.location : e.prefix;
                        bool dup = false;
                        for (size_t j = 0; j < p->c.n_registries; j++) {
                                const RegistryEntry *o = &p->c.registries[j];
                                const char *okey = *o->location ? o->location : o->prefix;
                                if (strcmp(key, okey) == 0) {
                                        if (o->insecure != e.insecure)
                                                r = bad(err, name, v->u.array.items[i]->line, "registry '%s' is defined multiple times with conflicting 'insecure' setting", key);
                                        else if (o->blocked != e.blocked)
                                                r = bad(err, name, v->u.array.items[i]->line, "registry '%s' is defined multiple times with conflicting 'blocked' setting", key);
                                }
                                if (strcmp(o->prefix, e.prefix) == 0)
                                        dup = true;
                                if (r < 0)
                                        break;
                        }
                        if (r < 0 || dup) {
                                /* the first registry with a prefix wins, as in containers/image */
                                registry_entry_done(&e);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        p->c.registries[p->c.n_registries++] = e;
                }
        }
        return 0;
}

static int cmp_registry(const void *a, const void *b) {
        return strcmp(((const RegistryEntry *) a)->prefix, ((const RegistryEntry *) b)->prefix);
}
static int cmp_alias(const void *a, const void *b) {
        return strcmp(((const RegistryAlias *) a)->name, ((const RegistryAlias *) b)->name);
}

/* Moves what src sets into dst (containers/image updateWithConfigurationFrom). src is
 * emptied either way. */
static int merge(RegistriesConf *dst, Partial *src, CrioError *err) {
        int r = 0;
        size_t need = dst->n_registries + src->c.n_registries;
        if (need > REGISTRIES_MAX_ENTRIES) {
                r = crio_error_set(err, E2BIG, "registries.conf: more than %d registries in all", REGISTRIES_MAX_ENTRIES);
                goto out;
        }
        if (src->c.n_registries > 0) {
                RegistryEntry *n = realloc(dst->registries, need * sizeof *n);
                if (!n) {
                        r = oom(err);
                        goto out;
                }
                dst->registries = n;
        }
        for (size_t i = 0; i < src->c.n_registries; i++) {
                RegistryEntry *e = &src->c.registries[i];
                size_t j;
                for (j = 0; j < dst->n_registries; j++)
                        if (strcmp(dst->registries[j].prefix, e->prefix) == 0)
                                break;
                if (j < dst->n_registries)
                        registry_entry_done(&dst->registries[j]);
                else
                        dst->n_registries++;
                dst->registries[j] = *e;
                *e = (RegistryEntry){};
        }
        src->c.n_registries = 0;
        if (dst->n_registries > 1)
                qsort(dst->registries, dst->n_registries, sizeof *dst->registries, cmp_registry);

        if (src->search_set) {
                strv_free(dst->unqualified_search_registries);
                dst->unqualified_search_registries = TAKE_PTR(src->c.unqualified_search_registries);
        }
        if (src->mode_set)
                dst->short_name_mode = src->c.short_name_mode;

        for (size_t i = 0; i < src->c.n_aliases; i++) {
                RegistryAlias *a = &src->c.aliases[i];
                size_t j;
                for (j = 0; j < dst->n_aliases; j++)
                        if (strcmp(dst->aliases[j].name, a->name) == 0)
                                break;
                if (j < dst->n_aliases) {
                        alias_done(&dst->aliases[j]);
                        if (!*a->value) { /* "" removes the alias */
                                dst->aliases[j] = dst->aliases[--dst->n_aliases];
                                continue;
                        }
                } else {
                        if (!*a->value)
                                continue;
                        if (dst->n_aliases >= REGISTRIES_MAX_ENTRIES) {
                                r = crio_error_set(err, E2BIG, "registries.conf: more than %d aliases in all", REGISTRIES_MAX_ENTRIES);
                                goto out;
                        }
                        RegistryAlias *n = realloc(dst->aliases, (dst->n_aliases + 1) * sizeof *n);
                        if (!n) {
                                r = oom(err);
                                goto out;
                        }
                        dst->aliases = n;
                        dst->n_aliases++;
                }
                dst->aliases[j] = *a;
                *a = (RegistryAlias){};
        }
        if (dst->n_aliases > 1)
                qsort(dst->aliases, dst->n_aliases, sizeof *dst->aliases, cmp_alias);
out:
        partial_done(src);
        return r;
}

static RegistriesConf *conf_new(void) {
        RegistriesConf *c = calloc(1, sizeof *c);
        if (!c)
                return NULL;
        c->unqualified_search_registries = calloc(1, sizeof(char *));
        if (!c->unqualified_search_registries) {
                free(c);
                return NULL;
        }
        return c;
}

static int apply(RegistriesConf *c, const char *data, size_t len, const char *name, CrioError *err) {
        Partial p = {};
        int r = parse_partial(data, len, name, &p, err);
        if (r < 0) {
                partial_done(&p);
                return r;
        }
        return merge(c, &p, err);
}

int registries_parse(const char *data, size_t len, const char *name, RegistriesConf **ret, CrioError *err) {
        _cleanup_registries_conf_ RegistriesConf *c = conf_new();
        if (!c)
                return oom(err);
        if (len > REGISTRIES_CONF_MAX_SIZE)
                return crio_error_set(err, EFBIG, "%s: larger than %u bytes", name, REGISTRIES_CONF_MAX_SIZE);
        int r = apply(c, data, len, name, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

static int apply_file(RegistriesConf *c, const char *path, bool missing_ok, CrioError *err) {
        _cleanup_(crio_error_clear) CrioError e = {};
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_file(path, REGISTRIES_CONF_MAX_SIZE, &data, &len, &e);
        if (r == -ENOENT && missing_ok) {
                log_debug("registries: %s does not exist, skipped", path);
                return 0;
        }
        if (r < 0) {
                crio_error_move(err, &e);
                return r;
        }
        return apply(c, data, len, path, err);
}

static int cmp_dirent(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int filter_conf(const struct dirent *d) {
        return str_endswith(d->d_name, ".conf") && strlen(d->d_name) > 5;
}

int registries_load(const char *path, const char *dropin_dir, RegistriesConf **ret, CrioError *err) {
        _cleanup_registries_conf_ RegistriesConf *c = conf_new();
        int r;
        if (!c)
                return oom(err);
        if (path && (r = apply_file(c, path, true, err)) < 0)
                return r;
        if (dropin_dir) {
                struct dirent **list = NULL;
                int n = scandir(dropin_dir, &list, filter_conf, cmp_dirent);
                if (n < 0) {
                        if (errno != ENOENT)
                                return crio_error_set_errno(err, errno, "reading drop-in directory %s", dropin_dir);
                        n = 0;
                }
                r = 0;
                for (int i = 0; i < n; i++) {
                        if (r >= 0) {
                                _cleanup_free_ char *p = NULL;
                                struct stat st;
                                if (asprintf(&p, "%s/%s", dropin_dir, list[i]->d_name) < 0) {
                                        p = NULL;
                                        r = oom(err);
                                } else if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
                                        r = apply_file(c, p, false, err);
                        }
                        free(list[i]);
                }
                free(list);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

/* containers/image refMatchingPrefix: the length of ref matched by prefix, or -1. */
static long ref_matching_prefix(const char *ref, const char *prefix) {
        size_t rl = strlen(ref);
        if (str_startswith(prefix, "*.")) {
                const char *sub = prefix + 1; /* ".example.com" */
                const char *at = strstr(ref, sub);
                if (!at || memchr(ref, '/', (size_t) (at - ref)))
                        return -1;
                size_t end = (size_t) (at - ref) + strlen(sub);
                if (end == rl || strchr(":/@", ref[end]))
                        return (long) end;
                return -1;
        }
        size_t pl = strlen(prefix);
        if (rl < pl || strncmp(ref, prefix, pl) != 0)
                return -1;
        if (rl == pl || (ref[pl] && strchr(":/@", ref[pl])))
                return (long) pl;
        return -1;
}

int registries_find(const RegistriesConf *c, const char *ref, const RegistryEntry **ret) {
        const RegistryEntry *best = NULL;
        size_t best_len = 0;
        for (size_t i = 0; c && ref && i < c->n_registries; i++) {
                const RegistryEntry *e = &c->registries[i];
                if (ref_matching_prefix(ref, e->prefix) < 0)
                        continue;
                size_t l = strlen(e->prefix);
                if (l > best_len) {
                        best = e;
                        best_len = l;
                }
        }
        *ret = best;
        return best ? 1 : 0;
}

/* location + the part of ref after the prefix, normalised. */
static int rewrite(const char *ref, const char *prefix, const char *location, char **ret, CrioError *err) {
        long m = ref_matching_prefix(ref, prefix);
        _cleanup_free_ char *s = NULL;
        _cleanup_image_reference_ ImageReference *r = NULL;
        if (m < 0)
                return crio_error_set(err, EINVAL, "invalid prefix '%s' for reference '%s'", prefix, ref);
        if (asprintf(&s, "%s%s", *location ? location : "", *location ? ref + m : ref) < 0) {
                s = NULL;
                return oom(err);
        }
        int k = image_reference_parse(s, &r, err);
        if (k < 0)
                return crio_error_prefix(err, "rewriting reference %s with prefix %s to %s: ", ref, prefix, location);
        char *out = image_reference_string(r);
        if (!out)
                return oom(err);
        *ret = out;
        return 0;
}

int registries_pull_sources(const RegistriesConf *c, const char *normalised_ref, bool by_digest, PullSource **ret, size_t *n,
                            CrioError *err) {
        const RegistryEntry *e = NULL;
        PullSource *out = NULL;
        size_t k = 0;
        int r;

        registries_find(c, normalised_ref, &e);
        if (!e) {
                out = calloc(1, sizeof *out);
                if (!out || !(out[0].reference = strdup(normalised_ref))) {
                        free(out);
                        return oom(err);
                }
                *ret = out;
                *n = 1;
                return 0;
        }
        if (e->blocked)
                return crio_error_set(err, EACCES, "registry %s is blocked in %s (pulling %s)", *e->location ? e->location : e->prefix, e->origin,
                                      normalised_ref);

        out = calloc(e->n_mirrors + 1, sizeof *out);
        if (!out)
                return oom(err);
        for (size_t i = 0; i < e->n_mirrors; i++) {
                const RegistryMirror *m = &e->mirrors[i];
                if (e->mirror_by_digest_only && !by_digest)
                        continue;
                if (m->pull_from_mirror == PULL_FROM_MIRROR_DIGEST_ONLY && !by_digest)
                        continue;
                if (m->pull_from_mirror == PULL_FROM_MIRROR_TAG_ONLY && by_digest)
                        continue;
                if ((r = rewrite(normalised_ref, e->prefix, m->location, &out[k].reference, err)) < 0)
                        goto fail;
                out[k++].insecure = m->insecure;
        }
        if ((r = rewrite(normalised_ref, e->prefix, e->location, &out[k].reference, err)) < 0)
                goto fail;
        out[k++].insecure = e->insecure;
        *ret = out;
        *n = k;
        return 0;
fail:
        pull_sources_free(out, k);
        return r;
}

static int normalised(const char *s, char **ret, CrioError *err) {
        _cleanup_image_reference_ ImageReference *ref = NULL;
        int r = image_reference_parse(s, &ref, err);
        if (r < 0)
                return r;
        char *o = image_reference_string(ref);
        if (!o)
                return oom(err);
        *ret = o;
        return 0;
}

int registries_resolve_short_name(const RegistriesConf *c, const char *name, char ***ret_candidates, CrioError *err) {
        _cleanup_strv_free_ char **out = calloc(1, sizeof(char *));
        _cleanup_image_reference_ ImageReference *check = NULL;
        char *s = NULL;
        int r;

        if (!out)
                return oom(err);
        if (str_startswith(name, IMAGE_REFERENCE_TRANSPORT_PREFIX))
                name += strlen(IMAGE_REFERENCE_TRANSPORT_PREFIX);
        if ((r = image_reference_parse(name, &check, err)) < 0)
                return r;

        if (registries_name_has_registry(name)) {
                if ((r = normalised(name, &s, err)) < 0 || (r = strv_consume(&out, s)) < 0)
                        return r == -ENOMEM ? oom(err) : r;
                *ret_candidates = TAKE_PTR(out);
                return 0;
        }

        /* The repository without tag or digest, and what follows it. */
        size_t end = strcspn(name, "@");
        size_t t = tag_offset(name);
        if (t < end)
                end = t;
        _cleanup_free_ char *repo = strndup(name, end);
        if (!repo)
                return oom(err);
        const char *suffix = name + end;

        for (size_t i = 0; c && i < c->n_aliases; i++)
                if (strcmp(c->aliases[i].name, repo) == 0) {
                        _cleanup_free_ char *full = NULL;
                        if (asprintf(&full, "%s%s", c->aliases[i].value, suffix) < 0) {
                                full = NULL;
                                return oom(err);
                        }
                        if ((r = normalised(full, &s, err)) < 0)
                                return crio_error_prefix(err, "alias %s (%s): ", repo, c->aliases[i].origin);
                        if (strv_consume(&out, s) < 0)
                                return oom(err);
                        *ret_candidates = TAKE_PTR(out);
                        return 0;
                }

        if (!c || !c->unqualified_search_registries || !c->unqualified_search_registries[0])
                return crio_error_set(err, ENOENT,
                                      "short name \"%s\" did not resolve to an alias and no unqualified-search registries are defined", name);
        for (char **reg = c->unqualified_search_registries; *reg; reg++) {
                _cleanup_free_ char *full = NULL;
                if (asprintf(&full, "%s/%s", *reg, name) < 0) {
                        full = NULL;
                        return oom(err);
                }
                if ((r = normalised(full, &s, err)) < 0)
                        return r;
                if (strv_contains(out, s)) {
                        free(s);
                        continue;
                }
                if (strv_consume(&out, s) < 0)
                        return oom(err);
        }
        *ret_candidates = TAKE_PTR(out);
        return 0;
}
