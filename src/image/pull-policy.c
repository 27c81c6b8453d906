/* The signature policy for a pull: policy.json (image/policy.h) applied to the top-level
 * manifest, with simple-signing signatures read from the lookaside storage that
 * registries.d names for the source (image/registries-d.h): file:// or http(s)://. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/policy.h"
#include "image/pull-internal.h"
#include "image/registries-d.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"

typedef struct SigFetch {
        const PullTarget *t;
        char *base; /* lookaside base URL for the source */
} SigFetch;

static int fetch_signature(void *userdata, const char *manifest_digest, size_t index, char **ret_sig, size_t *ret_len,
                           CrioError *err) {
        SigFetch *f = userdata;
        if (index >= PULL_MAX_SIGNATURES)
                return 0;
        _cleanup_free_ char *url = NULL;
        int r = registries_d_signature_url(f->base, manifest_digest, index, &url, err);
        if (r < 0)
                return r;
        char *data = NULL;
        size_t len = 0;
        if (strncmp(url, "file://", 7) == 0) {
                r = read_file(url + 7, PULL_SIGNATURE_MAX_SIZE, &data, &len, err);
                if (r == -ENOENT) {
                        crio_error_clear(err);
                        return 0;
                }
        } else if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) {
                r = registry_http_get(NULL, url, PULL_SIGNATURE_MAX_SIZE, &data, &len, err);
                if (r == -ENOENT) {
                        crio_error_clear(err);
                        return 0;
                }
        } else
                return crio_error_set(err, EINVAL, "signature lookaside %s: only file://, http:// and https:// are supported",
                                      url);
        if (r < 0)
                return crio_error_prefix(err, "reading signature %zu: ", index + 1);
        log_debug("pull: signature %zu of %s read from %s", index + 1, manifest_digest, url);
        *ret_sig = data;
        *ret_len = len;
        return 1;
}

int pull_check_policy(const PullTarget *t, const char *manifest, size_t manifest_len, const char *manifest_digest,
                      CrioError *err) {
        (void) manifest_digest; /* the policy computes the digest a signature names itself */
        _cleanup_(policy_freep) SignaturePolicy *p = NULL;
        int r = policy_load(t->o->policy_path, &p, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *logical = image_reference_string(t->logical);
        if (!logical)
                return crio_error_set(err, ENOMEM, "out of memory");
        _cleanup_registries_d_ RegistriesD *rd = NULL;
        if (t->o->registries_d_dir && (r = registries_d_load(t->o->registries_d_dir, &rd, err)) < 0)
                return r;
        SigFetch f = { .t = t };
        if ((r = registries_d_lookaside_base(rd, t->source_ref, false, &f.base, err)) < 0)
                return r;
        PolicyImage img = { .docker_reference = logical, .manifest = manifest, .manifest_len = manifest_len };
        r = policy_check_docker_image(p, &img, fetch_signature, &f, err);
        free(f.base);
        if (r >= 0)
                log_debug("pull: %s accepted by %s", logical, t->o->policy_path);
        return r;
}
