/* image_pull: names -> candidates -> sources -> manifest, policy, config, layers, image. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/pull-internal.h"
#include "image/registries.h"
#include "image/schema1.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/strv.h"

/* Messages of the failed attempts, joined for the final error. */
#define PULL_ERRORS_MAX 4096

/* Adds crio.conf's search registries after those of registries.conf. */
static int add_search_registries(RegistriesConf *c, char *const *extra, CrioError *err) {
        for (char *const *e = extra; e && *e; e++) {
                if (strv_contains(c->unqualified_search_registries, *e))
                        continue;
                char *d = strdup(*e);
                if (!d || strv_consume(&c->unqualified_search_registries, d) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

/* crio.conf's insecure_registries: "host[:port]" or "host[:port]/path" prefixes. */
static bool insecure_by_config(char *const *list, const ImageReference *ref) {
        _cleanup_free_ char *name = image_reference_name(ref);
        if (!name)
                return false;
        for (char *const *p = list; p && *p; p++) {
                size_t n = strlen(*p);
                while (n > 0 && (*p)[n - 1] == '/')
                        n--;
                if (n > 0 && strncmp(name, *p, n) == 0 && (name[n] == '\0' || name[n] == '/'))
                        return true;
        }
        return false;
}

static int resolve_credentials(const PullOptions *o, const ImageReference *src, AuthCredentials *ret, CrioError *err) {
        if (o->creds)
                return auth_credentials_copy(o->creds, ret) < 0 ? crio_error_set(err, ENOMEM, "out of memory") : 1;
        if (!o->auth_files)
                return 0;
        _cleanup_free_ char *key = image_reference_name(src);
        if (!key)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_(crio_error_clear) CrioError e = {};
        int r = auth_lookup((const char *const *) o->auth_files, key, ret, &e);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                crio_error_move(err, &e);
                return r;
        }
        return 1;
}

typedef struct Fetched {
        char *body;
        size_t len;
        char *content_type;
        char *digest;
} Fetched;

static void fetched_done(Fetched *f) {
        free(f->body);
        free(f->content_type);
        free(f->digest);
        *f = (Fetched){};
}

static int fetch_manifest(RegistryClient *c, const char *repo, const char *reference, Fetched *ret, CrioError *err) {
        Fetched f = {};
        int r = registry_get_manifest(c, repo, reference, IMAGE_MANIFEST_MAX_SIZE, &f.body, &f.len, &f.content_type,
                                      NULL, err);
        if (r < 0)
                return r;
        char d[SHA256_DIGEST_LEN + 1];
        sha256_digest(f.body, f.len, d);
        if (!(f.digest = strdup(d))) {
                fetched_done(&f);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret = f;
        return 0;
}

/* The image's name in the store: "repo:tag", or "repo@digest" for a pull by digest. */
static char *store_name(const ImageReference *logical) {
        _cleanup_free_ char *name = image_reference_name(logical);
        char *s = NULL;
        if (!name)
                return NULL;
        if (logical->tag) {
                if (asprintf(&s, "%s:%s", name, logical->tag) < 0)
                        return NULL;
        } else if (asprintf(&s, "%s@%s", name, logical->digest) < 0)
                return NULL;
        return s;
}

/* Schema 1 (no config blob): refuses another architecture, and gives the manifest the digest
 * containers/image gives it (that of a signed manifest's payload). */
static int schema1_check(const PullOptions *o, const ImageManifest *m, const char *source, Fetched *f, CrioError *err) {
        if (m->schema1_architecture) {
                _cleanup_free_ char *host_os = NULL, *host_arch = NULL, *host_variant = NULL;
                if (!o->arch)
                        image_platform_host(&host_os, &host_arch, &host_variant);
                const char *want = o->arch ? o->arch : host_arch;
                if (!want)
                        return crio_error_set(err, ENOMEM, "out of memory");
                if (strcmp(image_architecture_normalize(m->schema1_architecture), image_architecture_normalize(want)) != 0)
                        return crio_error_set(err, ENOENT, "%s is a Docker schema 1 image for architecture %.60s, not %s",
                                              source, m->schema1_architecture, image_architecture_normalize(want));
        }
        _cleanup_free_ char *digest = NULL;
        int r = schema1_manifest_digest(f->body, f->len, &digest, err);
        if (r < 0)
                return r;
        free(f->digest);
        f->digest = TAKE_PTR(digest);
        return 0;
}

/* The schema 1 image's config, made once its layers are in the store: their diff digests,
 * base first, are read back from the layer records, below top. */
static int schema1_config(Store *s, const ImageManifest *m, const char *top, char **ret_config, size_t *ret_len,
                          CrioError *err) {
        size_t n = m->n_layers;
        _cleanup_strv_free_ char **diff_ids = calloc(n + 1, sizeof(char *));
        if (!diff_ids)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_free_ char *id = top ? strdup(top) : NULL;
        for (size_t k = n; k-- > 0;) {
                StoreLayer *l = NULL;
                int r = id ? store_layer_get(s, id, &l, err) : crio_error_set(err, ENOENT, "a layer of the image is missing");
                if (r < 0)
                        return crio_error_prefix(err, "schema 1 image: ");
                free(id);
                id = l->parent ? strdup(l->parent) : NULL;
                diff_ids[k] = l->diff_digest ? strdup(l->diff_digest) : NULL;
                bool ok = diff_ids[k] && (!l->parent || id);
                store_layer_free(l);
                if (!ok)
                        return crio_error_set(err, ENOMEM, "schema 1 image: out of memory or a layer without diff digest");
        }
        return schema1_config_synthesize(m, diff_ids, ret_config, ret_len, err);
}

/* Pulls from one source. */
static int pull_from(const PullOptions *o, const ImageReference *logical, const PullSource *src, char **ret_id,
                     CrioError *err) {
        _cleanup_image_reference_ ImageReference *sref = NULL;
        int r = image_reference_parse(src->reference, &sref, err);
        if (r < 0)
                return r;
        _cleanup_(auth_credentials_clear) AuthCredentials creds = {};
        if ((r = resolve_credentials(o, sref, &creds, err)) < 0)
                return r;
        PullTarget t = { .o = o, .logical = logical, .source_ref = src->reference, .repo = sref->path };
        t.client = (RegistryClientOptions){ .registry = sref->domain,
                                            .insecure = src->insecure || insecure_by_config(o->insecure_registries, sref),
                                            .certs_dir = o->certs_dir,
                                            .creds = r > 0 ? &creds : NULL,
                                            .max_retries = o->max_retries,
                                            .stall_timeout = o->stall_timeout,
                                            .cancel = o->cancel };
        _cleanup_registry_client_ RegistryClient *client = NULL;
        if ((r = registry_client_new(&t.client, &client, err)) < 0)
                return r;
        t.parent = client;

        /* The manifest the name points at, then the node's entry if that is an index. */
        _cleanup_(fetched_done) Fetched top = {}, inst = {};
        const char *reference = sref->digest ? sref->digest : sref->tag;
        if ((r = fetch_manifest(client, t.repo, reference, &top, err)) < 0)
                return r;
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        if ((r = image_manifest_parse(top.body, top.len, top.content_type, &m, err)) < 0)
                return crio_error_prefix(err, "manifest %s: ", reference);
        if (m->kind == IMAGE_MANIFEST_KIND_INDEX) {
                const ImageDescriptor *d = NULL;
                if ((r = image_index_select(m, o->os, o->arch, o->variant, &d, err)) < 0)
                        return r;
                log_debug("pull: %s: index entry %s for %s/%s%s%s", src->reference, d->digest, d->platform.os,
                          d->platform.architecture, d->platform.variant ? "/" : "", d->platform.variant ? d->platform.variant : "");
                if ((r = fetch_manifest(client, t.repo, d->digest, &inst, err)) < 0)
                        return r;
                image_manifest_free(TAKE_PTR(m));
                if ((r = image_manifest_parse(inst.body, inst.len, inst.content_type, &m, err)) < 0)
                        return crio_error_prefix(err, "manifest %s: ", d->digest);
                if (m->kind != IMAGE_MANIFEST_KIND_MANIFEST)
                        return crio_error_set(err, EBADMSG, "index entry %s is itself an index", d->digest);
        }
        const Fetched *im = inst.body ? &inst : &top;
        bool schema1 = !m->config.digest;
        if (schema1 && (r = schema1_check(o, m, src->reference, inst.body ? &inst : &top, err)) < 0)
                return r;

        /* The policy judges what the name points at: the top-level manifest. */
        if ((r = pull_check_policy(&t, top.body, top.len, top.digest, err)) < 0)
                return r;

        _cleanup_free_ char *config = NULL;
        size_t config_len = 0;
        _cleanup_(image_config_freep) ImageConfig *cfg = NULL;
        if (!schema1) {
                if ((r = registry_get_blob(client, t.repo, m->config.digest, m->config.size, IMAGE_CONFIG_MAX_SIZE,
                                           &config, &config_len, err)) < 0)
                        return crio_error_prefix(err, "config %s: ", m->config.digest);
                if ((r = image_config_parse(config, config_len, &cfg, err)) < 0)
                        return crio_error_prefix(err, "config %s: ", m->config.digest);
        }

        /* Schema 1: the diff IDs are learnt from the layers, and the config made from them. */
        _cleanup_free_ char *top_layer = NULL;
        _cleanup_strv_free_ char **created = NULL;
        if ((r = pull_layers(&t, m, schema1 ? NULL : cfg->diff_ids, &top_layer, &created, err)) < 0)
                return r;
        char config_digest[SHA256_DIGEST_LEN + 1];
        if (schema1) {
                if ((r = schema1_config(o->store, m, top_layer, &config, &config_len, err)) < 0 ||
                    (r = image_config_parse(config, config_len, &cfg, err)) < 0) {
                        pull_remove_layers(o->store, created);
                        return crio_error_prefix(err, "%s: ", src->reference);
                }
                sha256_digest(config, config_len, config_digest);
        }

        _cleanup_free_ char *name = store_name(logical);
        char *names[] = { name, NULL };
        const char *id = schema1 ? config_digest + 7 : m->config.digest + 7;
        StoreImageCreateOptions io = { .id = id,
                                       .names = names,
                                       .top_layer = top_layer,
                                       .created = cfg->created,
                                       .manifest = im->body,
                                       .manifest_len = im->len,
                                       .manifest_digest = im->digest,
                                       .config = config,
                                       .config_len = config_len };
        if (im != &top) {
                io.toplevel_manifest = top.body;
                io.toplevel_len = top.len;
                io.toplevel_digest = top.digest;
        }
        StoreImage *img = NULL;
        if (!name)
                r = crio_error_set(err, ENOMEM, "out of memory");
        else
                r = store_image_create(o->store, &io, &img, err);
        store_image_free(img);
        if (r < 0) {
                pull_remove_layers(o->store, created);
                return r;
        }
        if (!(*ret_id = strdup(id)))
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* Keeps the most telling failure: anything beats "not found". */
static void note_failure(int r, CrioError *e, int *best, char *msgs, size_t *used) {
        if (*best == 0 || *best == -ENOENT || (r != -ENOENT && *best == -EIO))
                *best = r;
        int n = snprintf(msgs + *used, PULL_ERRORS_MAX - *used, "%s%s", *used ? "; " : "", e->msg ? e->msg : strerror(-r));
        if (n > 0)
                *used = *used + (size_t) n < PULL_ERRORS_MAX ? *used + (size_t) n : PULL_ERRORS_MAX - 1;
}


int image_pull(const char *name, const PullOptions *o, char **ret_id, CrioError *err) {
        if (!name || !*name)
                return crio_error_set(err, EINVAL, "no image name given");
        if (!o->policy_path || !*o->policy_path)
                return crio_error_set(err, EINVAL, "no signature policy configured");
        _cleanup_registries_conf_ RegistriesConf *conf = NULL;
        const char *path = o->registries_conf && *o->registries_conf ? o->registries_conf : registries_default_path();
        int r = registries_load(path, o->registries_conf_dir, &conf, err);
        if (r < 0)
                return r;
        if ((r = add_search_registries(conf, o->search_registries, err)) < 0)
                return r;
        _cleanup_strv_free_ char **candidates = NULL;
        if ((r = registries_resolve_short_name(conf, name, &candidates, err)) < 0) {
                if (r == -ENOENT)
                        return crio_error_prefix(err, "pulling %s: ", name);
                return r;
        }

        /* containers/image's enforcing mode: an ambiguous short name needs a prompt, and a
         * daemon has no terminal to ask on. */
        const char *bare = str_startswith(name, IMAGE_REFERENCE_TRANSPORT_PREFIX) ? name + strlen(IMAGE_REFERENCE_TRANSPORT_PREFIX) : name;
        if (conf->short_name_mode == SHORT_NAME_MODE_ENFORCING && !registries_name_has_registry(bare) &&
            strv_length(candidates) > 1)
                return crio_error_set(err, EINVAL,
                                      "pulling %s: short-name resolution is enforced (short-name-mode = \"enforcing\" in %s) "
                                      "and the name is ambiguous (%zu search registries): use a fully qualified name or an alias",
                                      name, path, strv_length(candidates));

        char msgs[PULL_ERRORS_MAX] = "";
        size_t used = 0;
        int best = 0;
        for (char **cand = candidates; *cand; cand++) {
                _cleanup_image_reference_ ImageReference *logical = NULL;
                CrioError e = {};
                if ((r = image_reference_parse(*cand, &logical, &e)) < 0) {
                        note_failure(r, &e, &best, msgs, &used);
                        crio_error_clear(&e);
                        continue;
                }
                PullSource *sources = NULL;
                size_t n_sources = 0;
                if ((r = registries_pull_sources(conf, *cand, logical->digest != NULL, &sources, &n_sources, &e)) < 0) {
                        note_failure(r, &e, &best, msgs, &used);
                        crio_error_clear(&e);
                        continue;
                }
                for (size_t i = 0; i < n_sources; i++) {
                        log_info("pulling %s from %s", *cand, sources[i].reference);
                        r = pull_from(o, logical, &sources[i], ret_id, &e);
                        if (r >= 0) {
                                log_info("pulled %s: image %.12s", *cand, *ret_id);
                                crio_error_clear(&e);
                                pull_sources_free(sources, n_sources);
                                return 0;
                        }
                        log_info("pulling %s from %s failed: %s", *cand, sources[i].reference, e.msg ? e.msg : "");
                        crio_error_prefix(&e, "%s: ", sources[i].reference);
                        note_failure(r, &e, &best, msgs, &used);
                        crio_error_clear(&e);
                        if (r == -ECANCELED)
                                break;
                }
                pull_sources_free(sources, n_sources);
                if (r == -ECANCELED)
                        break;
        }
        return crio_error_set(err, -best, "pulling %s: %s", name, msgs);
}
