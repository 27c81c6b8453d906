#include "local.h"

#include <errno.h>
#include <fnmatch.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* Image configs are small; a larger one is not believed. */
#define IMAGE_CONFIG_MAX (4u << 20)

int image_local_find(Store *s, const char *name, StoreImage **ret, CrioError *err) {
        if (!name || !name[0])
                return crio_error_set(err, EINVAL, "no image named");

        /* a full ID, bare or with sha256: */
        if (image_id_like(name)) {
                const char *id = str_startswith(name, "sha256:") ? name + 7 : name;
                int r = store_image_get(s, id, ret, NULL);
                if (r != -ENOENT)
                        return r < 0 ? crio_error_set(err, -r, "looking up image %s failed", id) : r;
                return crio_error_set(err, ENOENT, "image %s not found", name);
        }

        _cleanup_(crio_error_clear) CrioError perr = {};
        _cleanup_image_reference_ ImageReference *ref = NULL;
        int r = image_reference_parse(name, &ref, &perr);
        if (r >= 0) {
                _cleanup_free_ char *key = NULL;
                if (ref->digest) {
                        /* by digest: any image one of whose manifests has that digest, under this name */
                        StoreImage *img = NULL;
                        r = store_image_get(s, ref->digest, &img, NULL);
                        if (r >= 0) {
                                *ret = img;
                                return 0;
                        }
                        if (r != -ENOENT)
                                return crio_error_set(err, -r, "looking up image %s failed", name);
                        return crio_error_set(err, ENOENT, "image %s not found", name);
                }
                key = image_reference_string(ref);
                if (!key)
                        return crio_error_set(err, ENOMEM, "out of memory");
                r = store_image_get(s, key, ret, NULL);
                if (r >= 0)
                        return 0;
                if (r != -ENOENT)
                        return crio_error_set(err, -r, "looking up image %s failed", key);
        }
        /* a short ID prefix ("a1b2c3") also parses as a name: try it as a prefix too */
        if (image_id_prefix_like(name)) {
                r = store_image_get(s, name, ret, NULL);
                if (r >= 0)
                        return 0;
                if (r == -ENOTUNIQ)
                        return crio_error_set(err, ENOTUNIQ, "image ID prefix %s is ambiguous", name);
                if (r != -ENOENT)
                        return crio_error_set(err, -r, "looking up image %s failed", name);
        }
        if (!ref) {
                crio_error_move(err, &perr);
                return -EINVAL;
        }
        return crio_error_set(err, ENOENT, "image %s not found", name);
}

/* "repo:tag" -> "repo" (a port's colon is before the last slash). */
static char *repo_of(const char *name) {
        const char *at = strchr(name, '@');
        size_t n = at ? (size_t) (at - name) : strlen(name);
        const char *slash = memrchr(name, '/', n);
        const char *colon = memrchr(name, ':', n);
        if (colon && (!slash || colon > slash))
                n = (size_t) (colon - name);
        return strndup(name, n);
}

int image_local_repo_names(const StoreImage *img, char ***ret_tags, char ***ret_digests) {
        _cleanup_strv_free_ char **tags = calloc(1, sizeof(char *));
        _cleanup_strv_free_ char **digests = calloc(1, sizeof(char *));
        if (!tags || !digests)
                return -ENOMEM;
        for (char **n = img->names; n && *n; n++) {
                if (strchr(*n, '@')) {
                        if (!strv_contains(digests, *n) && strv_push(&digests, *n) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (strv_push(&tags, *n) < 0)
                        return -ENOMEM;
                if (!img->digest)
                        continue;
                _cleanup_free_ char *repo = repo_of(*n), *d = NULL;
                if (!repo || asprintf(&d, "%s@%s", repo, img->digest) < 0)
                        return -ENOMEM;
                if (!strv_contains(digests, d) && strv_push(&digests, d) < 0)
                        return -ENOMEM;
        }
        *ret_tags = TAKE_PTR(tags);
        *ret_digests = TAKE_PTR(digests);
        return 0;
}

static bool pattern_matches(const char *pattern, const char *name) {
        size_t n = strlen(pattern);
        if (n == 0)
                return false;
        if (n >= 2 && pattern[0] == '*' && pattern[n - 1] == '*') {
                _cleanup_free_ char *kw = strndup(pattern + 1, n - 2);
                return kw && strstr(name, kw) != NULL;
        }
        if (pattern[n - 1] == '*')
                return strncmp(name, pattern, n - 1) == 0;
        if (strcmp(pattern, name) == 0)
                return true;
        /* an exact pattern may be written short ("busybox:1"): compare normalised */
        _cleanup_image_reference_ ImageReference *ref = NULL;
        if (image_reference_parse(pattern, &ref, NULL) < 0)
                return false;
        _cleanup_free_ char *full = image_reference_string(ref);
        return full && strcmp(full, name) == 0;
}

bool image_local_pinned(const StoreImage *img, char *const *patterns) {
        for (char *const *p = patterns; p && *p; p++)
                for (char **n = img->names; n && *n; n++)
                        if (pattern_matches(*p, *n))
                                return true;
        return false;
}

int image_local_config(Store *s, const StoreImage *img, char **ret, CrioError *err) {
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "sha256:%s", img->id) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        char *data = NULL;
        size_t len = 0;
        int r = store_image_big_data(s, img->id, key, &data, &len, err);
        if (r == -ENOENT) {
                crio_error_clear(err);
                *ret = NULL;
                return 0;
        }
        if (r < 0)
                return r;
        if (len > IMAGE_CONFIG_MAX) {
                free(data);
                return crio_error_set(err, EFBIG, "image %s: config larger than %u bytes", img->id, IMAGE_CONFIG_MAX);
        }
        *ret = data;
        return 0;
}

int image_local_user(Store *s, const StoreImage *img, bool *ret_has_uid, int64_t *ret_uid, char **ret_username,
                     CrioError *err) {
        *ret_has_uid = false;
        *ret_username = NULL;
        _cleanup_free_ char *config = NULL;
        int r = image_local_config(s, img, &config, err);
        if (r < 0 || !config)
                return r;
        g_autoptr(JsonParser) p = json_parser_new();
        if (!json_parser_load_from_data(p, config, -1, NULL))
                return crio_error_set(err, EINVAL, "image %s: its config is not valid JSON", img->id);
        JsonNode *root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return 0;
        JsonNode *cfg = json_object_get_member(json_node_get_object(root), "config");
        if (!cfg || !JSON_NODE_HOLDS_OBJECT(cfg))
                return 0;
        JsonNode *u = json_object_get_member(json_node_get_object(cfg), "User");
        if (!u || !JSON_NODE_HOLDS_VALUE(u) || json_node_get_value_type(u) != G_TYPE_STRING)
                return 0;
        const char *user = json_node_get_string(u);
        size_t n = strcspn(user, ":");
        if (n == 0)
                return 0;
        _cleanup_free_ char *part = strndup(user, n);
        if (!part)
                return crio_error_set(err, ENOMEM, "out of memory");
        char *end = NULL;
        errno = 0;
        long long uid = strtoll(part, &end, 10);
        if (errno == 0 && end && *end == '\0' && uid >= 0 && uid <= UINT32_MAX) {
                *ret_has_uid = true;
                *ret_uid = uid;
                return 0;
        }
        *ret_username = TAKE_PTR(part);
        return 0;
}
