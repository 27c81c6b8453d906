/* containers-registries.d(5) with libyaml: parsing, merging, lookaside lookup
 * (see registries-d.h). */
#include "image/registries-d.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "image/policy.h"
#include "image/reference.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/strv.h"

/* ---- freeing ---- */

static void section_done(RegistriesDSection *s) {
        free(s->lookaside);
        free(s->lookaside_staging);
        free(s->sigstore);
        free(s->sigstore_staging);
        free(s->origin);
        *s = (RegistriesDSection){ .use_sigstore_attachments = -1 };
}

void registries_d_free(RegistriesD *c) {
        if (!c)
                return;
        if (c->default_docker) {
                section_done(c->default_docker);
                free(c->default_docker);
        }
        for (size_t i = 0; i < c->n_docker; i++) {
                free(c->docker[i].name);
                section_done(&c->docker[i].section);
        }
        free(c->docker);
        free(c);
}

/* ---- the event reader ---- */

typedef struct Reader {
        yaml_parser_t parser;
        yaml_event_t ev; /* the current event (owned) */
        bool have_ev;
        const char *name;
        CrioError *err;
} Reader;

static int fail(Reader *r, size_t line0, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(Reader *r, size_t line0, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return crio_error_set(r->err, ENOMEM, "%s: out of memory", r->name);
        return crio_error_set(r->err, EINVAL, "%s:%zu: %s", r->name, line0 + 1, msg);
}

static int oom(Reader *r) {
        return crio_error_set(r->err, ENOMEM, "%s: out of memory", r->name);
}

/* Moves to the next event. */
static int next(Reader *r) {
        if (r->have_ev) {
                yaml_event_delete(&r->ev);
                r->have_ev = false;
        }
        if (!yaml_parser_parse(&r->parser, &r->ev)) {
                if (r->parser.error == YAML_MEMORY_ERROR)
                        return oom(r);
                size_t line = r->parser.problem_mark.line;
                if (r->parser.context)
                        return fail(r, line, "YAML syntax error: %s %s", r->parser.problem ? r->parser.problem : "invalid",
                                    r->parser.context);
                return fail(r, line, "YAML syntax error: %s", r->parser.problem ? r->parser.problem : "invalid");
        }
        r->have_ev = true;
        if (r->ev.type == YAML_ALIAS_EVENT)
                return fail(r, r->ev.start_mark.line, "YAML aliases are not supported");
        return 0;
}

static size_t ev_line(const Reader *r) {
        return r->ev.start_mark.line;
}

static const char *scalar(const Reader *r) {
        return (const char *) r->ev.data.scalar.value;
}

static bool scalar_has_nul(const Reader *r) {
        return strlen(scalar(r)) != r->ev.data.scalar.length;
}

/* A plain null: "", "~", "null", "Null", "NULL" (and no explicit tag). */
static bool scalar_is_null(const Reader *r) {
        if (r->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE || r->ev.data.scalar.tag)
                return false;
        const char *s = scalar(r);
        return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static const char *kind_name(const Reader *r) {
        switch (r->ev.type) {
        case YAML_MAPPING_START_EVENT:
                return "a mapping";
        case YAML_SEQUENCE_START_EVENT:
                return "a sequence";
        default:
                return "a scalar";
        }
}

/* Skips the node whose first event is current (leaves its last event current). */
static int skip_node(Reader *r, unsigned depth) {
        if (r->ev.type != YAML_MAPPING_START_EVENT && r->ev.type != YAML_SEQUENCE_START_EVENT)
                return 0;
        if (depth >= REGISTRIES_D_MAX_DEPTH)
                return fail(r, ev_line(r), "nested more than %d levels deep", REGISTRIES_D_MAX_DEPTH);
        for (;;) {
                int k = next(r);
                if (k < 0)
                        return k;
                if (r->ev.type == YAML_MAPPING_END_EVENT || r->ev.type == YAML_SEQUENCE_END_EVENT)
                        return 0;
                if ((k = skip_node(r, depth + 1)) < 0)
                        return k;
        }
}

/* Mapping keys seen, to refuse a key twice (yaml.v3 does). */
typedef struct Seen {
        char **keys;
        size_t *lines;
        size_t n;
} Seen;

static void seen_done(Seen *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->keys[i]);
        free(s->keys);
        free(s->lines);
        *s = (Seen){};
}

/* The current event must be a scalar key: records it, fails on a repeat. Linear: used for
 * mappings with a handful of keys (scopes are checked by sorting). */
static int seen_add(Reader *r, Seen *s) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->keys[i], scalar(r)) == 0)
                        return fail(r, ev_line(r), "mapping key \"%.200s\" already defined at line %zu", scalar(r), s->lines[i] + 1);
        char **nk = realloc(s->keys, (s->n + 1) * sizeof *nk);
        if (!nk)
                return oom(r);
        s->keys = nk;
        size_t *nl = realloc(s->lines, (s->n + 1) * sizeof *nl);
        if (!nl)
                return oom(r);
        s->lines = nl;
        if (!(s->keys[s->n] = strdup(scalar(r))))
                return oom(r);
        s->lines[s->n++] = ev_line(r);
        return 0;
}

/* After a key: the value must be a string scalar (null leaves *ret NULL). */
static int read_string(Reader *r, const char *key, char **ret) {
        int k = next(r);
        if (k < 0)
                return k;
        if (r->ev.type != YAML_SCALAR_EVENT)
                return fail(r, ev_line(r), "%s must be a string, not %s", key, kind_name(r));
        if (scalar_has_nul(r))
                return fail(r, ev_line(r), "%s must not contain a NUL character", key);
        free(*ret);
        *ret = NULL;
        if (scalar_is_null(r) || !*scalar(r))
                return 0;
        if (r->ev.data.scalar.length > REGISTRIES_D_MAX_URL)
                return fail(r, ev_line(r), "%s is longer than %d bytes", key, REGISTRIES_D_MAX_URL);
        if (!(*ret = strdup(scalar(r))))
                return oom(r);
        return 0;
}

static int read_bool(Reader *r, const char *key, int *ret) {
        static const char *const yes[] = { "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON" };
        static const char *const no[] = { "false", "False", "FALSE", "n", "N", "no", "No", "NO", "off", "Off", "OFF" };
        int k = next(r);
        if (k < 0)
                return k;
        if (r->ev.type != YAML_SCALAR_EVENT)
                return fail(r, ev_line(r), "%s must be a boolean, not %s", key, kind_name(r));
        if (scalar_is_null(r)) {
                *ret = -1;
                return 0;
        }
        if (r->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                        if (strcmp(scalar(r), yes[i]) == 0) {
                                *ret = 1;
                                return 0;
                        }
                for (size_t i = 0; i < ELEMENTSOF(no); i++)
                        if (strcmp(scalar(r), no[i]) == 0) {
                                *ret = 0;
                                return 0;
                        }
        }
        return fail(r, ev_line(r), "%s must be a boolean, not \"%.100s\"", key, scalar(r));
}

/* A section: the current event is its first (a mapping start, or a null scalar); key_line is
 * the line of its key, recorded as its origin. */
static int read_section(Reader *r, size_t key_line, RegistriesDSection *s) {
        _cleanup_(seen_done) Seen seen = {};
        int k;
        *s = (RegistriesDSection){ .use_sigstore_attachments = -1 };
        if (asprintf(&s->origin, "%s:%zu", r->name, key_line + 1) < 0) {
                s->origin = NULL;
                return oom(r);
        }
        if (r->ev.type == YAML_SCALAR_EVENT && scalar_is_null(r))
                return 0;
        if (r->ev.type != YAML_MAPPING_START_EVENT)
                return fail(r, ev_line(r), "a configuration section must be a mapping, not %s", kind_name(r));
        for (;;) {
                if ((k = next(r)) < 0)
                        return k;
                if (r->ev.type == YAML_MAPPING_END_EVENT)
                        return 0;
                if (r->ev.type != YAML_SCALAR_EVENT)
                        return fail(r, ev_line(r), "mapping keys must be scalars");
                if ((k = seen_add(r, &seen)) < 0)
                        return k;
                const char *key = seen.keys[seen.n - 1];
                if (strcmp(key, "lookaside") == 0)
                        k = read_string(r, key, &s->lookaside);
                else if (strcmp(key, "lookaside-staging") == 0)
                        k = read_string(r, key, &s->lookaside_staging);
                else if (strcmp(key, "sigstore") == 0)
                        k = read_string(r, key, &s->sigstore);
                else if (strcmp(key, "sigstore-staging") == 0)
                        k = read_string(r, key, &s->sigstore_staging);
                else if (strcmp(key, "use-sigstore-attachments") == 0)
                        k = read_bool(r, key, &s->use_sigstore_attachments);
                else {
                        log_debug("%s:%zu: unknown key \"%s\" ignored", r->name, ev_line(r) + 1, key);
                        if ((k = next(r)) >= 0)
                                k = skip_node(r, 2);
                }
                if (k < 0)
                        return k;
        }
}

static int cmp_scope(const void *a, const void *b) {
        return strcmp(((const RegistriesDScope *) a)->name, ((const RegistriesDScope *) b)->name);
}

/* The "docker" mapping: the current event is its first. */
static int read_docker(Reader *r, RegistriesD *c) {
        int k;
        if (r->ev.type == YAML_SCALAR_EVENT && scalar_is_null(r))
                return 0;
        if (r->ev.type != YAML_MAPPING_START_EVENT)
                return fail(r, ev_line(r), "docker must be a mapping of scopes, not %s", kind_name(r));
        for (;;) {
                if ((k = next(r)) < 0)
                        return k;
                if (r->ev.type == YAML_MAPPING_END_EVENT)
                        break;
                if (r->ev.type != YAML_SCALAR_EVENT)
                        return fail(r, ev_line(r), "mapping keys must be scalars");
                if (scalar_has_nul(r))
                        return fail(r, ev_line(r), "a scope must not contain a NUL character");
                if (c->n_docker >= REGISTRIES_D_MAX_SCOPES)
                        return crio_error_set(r->err, E2BIG, "%s:%zu: more than %d docker scopes", r->name, ev_line(r) + 1,
                                              REGISTRIES_D_MAX_SCOPES);
                RegistriesDScope *n = realloc(c->docker, (c->n_docker + 1) * sizeof *n);
                if (!n)
                        return oom(r);
                c->docker = n;
                RegistriesDScope *s = &c->docker[c->n_docker++];
                *s = (RegistriesDScope){ .section.use_sigstore_attachments = -1 };
                if (!(s->name = strdup(scalar(r))))
                        return oom(r);
                size_t key_line = ev_line(r);
                if ((k = next(r)) < 0 || (k = read_section(r, key_line, &s->section)) < 0)
                        return k;
        }
        if (c->n_docker > 1) {
                qsort(c->docker, c->n_docker, sizeof *c->docker, cmp_scope);
                for (size_t i = 1; i < c->n_docker; i++)
                        if (strcmp(c->docker[i].name, c->docker[i - 1].name) == 0)
                                return crio_error_set(r->err, EINVAL, "%s: docker scope \"%.200s\" defined twice (%s and %s)", r->name,
                                                      c->docker[i].name, c->docker[i - 1].section.origin, c->docker[i].section.origin);
        }
        return 0;
}

static int read_document(Reader *r, RegistriesD *c) {
        _cleanup_(seen_done) Seen seen = {};
        int k;
        if (r->ev.type == YAML_SCALAR_EVENT && scalar_is_null(r))
                return 0; /* an empty document */
        if (r->ev.type != YAML_MAPPING_START_EVENT)
                return fail(r, ev_line(r), "the configuration must be a mapping, not %s", kind_name(r));
        for (;;) {
                if ((k = next(r)) < 0)
                        return k;
                if (r->ev.type == YAML_MAPPING_END_EVENT)
                        return 0;
                if (r->ev.type != YAML_SCALAR_EVENT)
                        return fail(r, ev_line(r), "mapping keys must be scalars");
                if ((k = seen_add(r, &seen)) < 0)
                        return k;
                const char *key = seen.keys[seen.n - 1];
                size_t key_line = ev_line(r);
                if ((k = next(r)) < 0)
                        return k;
                if (strcmp(key, "default-docker") == 0) {
                        if (r->ev.type == YAML_SCALAR_EVENT && scalar_is_null(r))
                                continue;
                        if (!(c->default_docker = calloc(1, sizeof *c->default_docker)))
                                return oom(r);
                        k = read_section(r, key_line, c->default_docker);
                } else if (strcmp(key, "docker") == 0)
                        k = read_docker(r, c);
                else {
                        log_debug("%s:%zu: unknown key \"%s\" ignored", r->name, ev_line(r) + 1, key);
                        k = skip_node(r, 1);
                }
                if (k < 0)
                        return k;
        }
}

int registries_d_parse(const char *data, size_t len, const char *name, RegistriesD **ret, CrioError *err) {
        _cleanup_registries_d_ RegistriesD *c = calloc(1, sizeof *c);
        Reader r = { .name = name ? name : "registries.d", .err = err };
        int k;

        if (!c)
                return crio_error_set(err, ENOMEM, "%s: out of memory", r.name);
        if (len > REGISTRIES_D_MAX_FILE_SIZE)
                return crio_error_set(err, EFBIG, "%s: larger than %u bytes", r.name, REGISTRIES_D_MAX_FILE_SIZE);
        if (memchr(data, '\0', len))
                return crio_error_set(err, EINVAL, "%s: contains a NUL byte", r.name);
        if (!yaml_parser_initialize(&r.parser))
                return crio_error_set(err, ENOMEM, "%s: out of memory", r.name);
        yaml_parser_set_input_string(&r.parser, (const unsigned char *) data, len);

        if ((k = next(&r)) < 0)
                goto out;
        if (r.ev.type != YAML_STREAM_START_EVENT) {
                k = fail(&r, ev_line(&r), "YAML stream expected");
                goto out;
        }
        if ((k = next(&r)) < 0)
                goto out;
        if (r.ev.type == YAML_DOCUMENT_START_EVENT) {
                if ((k = next(&r)) < 0 || (k = read_document(&r, c)) < 0 || (k = next(&r)) < 0)
                        goto out;
                if (r.ev.type != YAML_DOCUMENT_END_EVENT) {
                        k = fail(&r, ev_line(&r), "end of document expected");
                        goto out;
                }
                if ((k = next(&r)) < 0)
                        goto out;
        }
        if (r.ev.type == YAML_DOCUMENT_START_EVENT) {
                k = fail(&r, ev_line(&r), "more than one YAML document");
                goto out;
        }
        if (r.ev.type != YAML_STREAM_END_EVENT)
                k = fail(&r, ev_line(&r), "end of stream expected");
out:
        if (r.have_ev)
                yaml_event_delete(&r.ev);
        yaml_parser_delete(&r.parser);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(c);
        return 0;
}

/* ---- loading and merging ---- */

/* Moves src into dst; a scope or default-docker in both is an error. */
static int merge(RegistriesD *dst, RegistriesD *src, CrioError *err) {
        if (src->default_docker) {
                if (dst->default_docker)
                        return crio_error_set(err, EINVAL, "\"default-docker\" defined both in %s and %s", dst->default_docker->origin,
                                              src->default_docker->origin);
                dst->default_docker = TAKE_PTR(src->default_docker);
        }
        for (size_t i = 0; i < src->n_docker; i++) {
                RegistriesDScope key = { .name = src->docker[i].name };
                const RegistriesDScope *found =
                        dst->n_docker ? bsearch(&key, dst->docker, dst->n_docker, sizeof *dst->docker, cmp_scope) : NULL;
                if (found)
                        return crio_error_set(err, EINVAL, "\"docker\" scope \"%.200s\" defined both in %s and %s", key.name,
                                              found->section.origin, src->docker[i].section.origin);
        }
        if (src->n_docker == 0)
                return 0;
        if (dst->n_docker + src->n_docker > REGISTRIES_D_MAX_SCOPES)
                return crio_error_set(err, E2BIG, "registries.d: more than %d docker scopes in all", REGISTRIES_D_MAX_SCOPES);
        RegistriesDScope *n = realloc(dst->docker, (dst->n_docker + src->n_docker) * sizeof *n);
        if (!n)
                return crio_error_set(err, ENOMEM, "registries.d: out of memory");
        dst->docker = n;
        memcpy(dst->docker + dst->n_docker, src->docker, src->n_docker * sizeof *n);
        dst->n_docker += src->n_docker;
        free(src->docker);
        src->docker = NULL;
        src->n_docker = 0;
        qsort(dst->docker, dst->n_docker, sizeof *dst->docker, cmp_scope);
        return 0;
}

static int filter_yaml(const struct dirent *d) {
        return str_endswith(d->d_name, ".yaml");
}

static int cmp_dirent(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

int registries_d_load(const char *dir, RegistriesD **ret, CrioError *err) {
        _cleanup_registries_d_ RegistriesD *c = calloc(1, sizeof *c);
        struct dirent **list = NULL;
        int r = 0;
        if (!c)
                return crio_error_set(err, ENOMEM, "registries.d: out of memory");
        if (!dir)
                dir = REGISTRIES_D_DEFAULT_DIR;
        int n = scandir(dir, &list, filter_yaml, cmp_dirent);
        if (n < 0) {
                if (errno != ENOENT)
                        return crio_error_set_errno(err, errno, "reading %s", dir);
                n = 0;
        }
        if (n > REGISTRIES_D_MAX_FILES)
                r = crio_error_set(err, E2BIG, "%s: more than %d files", dir, REGISTRIES_D_MAX_FILES);
        for (int i = 0; i < n; i++) {
                if (r >= 0) {
                        _cleanup_free_ char *path = NULL, *data = NULL;
                        _cleanup_registries_d_ RegistriesD *one = NULL;
                        size_t len = 0;
                        struct stat st;
                        if (asprintf(&path, "%s/%s", dir, list[i]->d_name) < 0) {
                                path = NULL;
                                r = crio_error_set(err, ENOMEM, "registries.d: out of memory");
                        } else if (stat(path, &st) < 0) {
                                if (errno != ENOENT) /* removed meanwhile, or a dangling symlink: skipped */
                                        r = crio_error_set_errno(err, errno, "reading %s", path);
                        } else if (!S_ISREG(st.st_mode))
                                log_debug("registries.d: %s is not a regular file, skipped", path);
                        else if ((r = read_file(path, REGISTRIES_D_MAX_FILE_SIZE, &data, &len, err)) == -ENOENT) {
                                crio_error_clear(err);
                                r = 0;
                        } else if (r >= 0 && (r = registries_d_parse(data, len, path, &one, err)) >= 0)
                                r = merge(c, one, err);
                }
                free(list[i]);
        }
        free(list);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

/* ---- lookup ---- */

static const char *section_url(const RegistriesDSection *s, bool write) {
        if (write) {
                if (s->lookaside_staging)
                        return s->lookaside_staging;
                if (s->sigstore_staging)
                        return s->sigstore_staging;
        }
        return s->lookaside ? s->lookaside : s->sigstore;
}

static const RegistriesDSection *find_section(const RegistriesD *c, const char *scope) {
        RegistriesDScope key = { .name = (char *) scope };
        const RegistriesDScope *s = c && c->n_docker ? bsearch(&key, c->docker, c->n_docker, sizeof *c->docker, cmp_scope) : NULL;
        return s ? &s->section : NULL;
}

int registries_d_lookaside_base(const RegistriesD *c, const char *reference, bool write, char **ret, CrioError *err) {
        _cleanup_strv_free_ char **cand = NULL;
        _cleanup_image_reference_ ImageReference *ref = NULL;
        const char *top = NULL;
        int r;
        if ((r = policy_docker_scope_candidates(reference, &cand, err)) < 0 || (r = image_reference_parse(reference, &ref, err)) < 0)
                return r;
        for (char **s = cand; *s && !top; s++) {
                const RegistriesDSection *sec = find_section(c, *s);
                if (sec)
                        top = section_url(sec, write);
        }
        if (!top && c && c->default_docker)
                top = section_url(c->default_docker, write);
        if (!top)
                top = REGISTRIES_D_DEFAULT_LOOKASIDE;
        if (strpbrk(top, "?#"))
                return crio_error_set(err, EINVAL, "lookaside URL %s: a query or fragment is not supported", top);
        char *out = NULL;
        if (asprintf(&out, "%s/%s", top, ref->path) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = out;
        return 0;
}

int registries_d_signature_url(const char *base, const char *manifest_digest, size_t index, char **ret, CrioError *err) {
        int r = image_digest_validate(manifest_digest, err);
        if (r < 0)
                return r;
        const char *colon = strchr(manifest_digest, ':');
        char *out = NULL;
        if (asprintf(&out, "%s@%.*s=%s/signature-%zu", base, (int) (colon - manifest_digest), manifest_digest, colon + 1, index + 1) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = out;
        return 0;
}

bool registries_d_use_sigstore_attachments(const RegistriesD *c, const char *reference) {
        _cleanup_strv_free_ char **cand = NULL;
        if (!c || policy_docker_scope_candidates(reference, &cand, NULL) < 0)
                return false;
        for (char **s = cand; *s; s++) {
                const RegistriesDSection *sec = find_section(c, *s);
                if (sec && sec->use_sigstore_attachments >= 0)
                        return sec->use_sigstore_attachments == 1;
        }
        return c->default_docker && c->default_docker->use_sigstore_attachments == 1;
}
