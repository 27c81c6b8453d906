/* Image reference parsing and normalisation: a hand-written scanner for the
 * docker/distribution reference grammar (see reference.h). */
#include "image/reference.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest piece of the input quoted in an error message. */
#define QUOTE_MAX 160

typedef struct DigestAlgorithm {
        const char *name;
        size_t hex_len;
} DigestAlgorithm;

static const DigestAlgorithm digest_algorithms[] = {
        { "sha256", 64 },
        { "sha384", 96 },
        { "sha512", 128 },
};

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}
static bool is_alnum(char c) {
        return is_alpha(c) || is_digit(c);
}
static bool is_word(char c) {
        return is_alnum(c) || c == '_';
}
static bool is_hex(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static bool is_lower_hex(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Copies up to n bytes of s into buf as printable text for a message: '"' and '\' are
 * escaped, other bytes outside 0x20..0x7e become \xNN; input past QUOTE_MAX becomes "...". */
static const char *quote(char *buf, size_t size, const char *s, size_t n) {
        static const char hex[] = "0123456789abcdef";
        size_t o = 0;
        for (size_t i = 0; i < n && s[i]; i++) {
                if (i >= QUOTE_MAX || o + 8 >= size) {
                        memcpy(buf + o, "...", 3);
                        o += 3;
                        break;
                }
                unsigned char c = (unsigned char) s[i];
                if (c == '"' || c == '\\') {
                        buf[o++] = '\\';
                        buf[o++] = (char) c;
                } else if (c < 0x20 || c > 0x7e) {
                        buf[o++] = '\\';
                        buf[o++] = 'x';
                        buf[o++] = hex[c >> 4];
                        buf[o++] = hex[c & 0xf];
                } else
                        buf[o++] = (char) c;
        }
        buf[o] = '\0';
        return buf;
}

#define QUOTE_BUF_SIZE (QUOTE_MAX * 4 + 8)

/* Sets err to 'invalid <what> "<input>": <problem>' and returns -EINVAL. */
static int invalid(CrioError *err, const char *what, const char *input, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int invalid(CrioError *err, const char *what, const char *input, const char *fmt, ...) {
        char q[QUOTE_BUF_SIZE], problem[256];
        va_list ap;
        va_start(ap, fmt);
        (void) vsnprintf(problem, sizeof problem, fmt, ap);
        va_end(ap);
        return crio_error_set(err, EINVAL, "invalid %s \"%s\": %s", what,
                              quote(q, sizeof q, input, IMAGE_REFERENCE_INPUT_MAX + 1), problem);
}

/* domain-component ("." domain-component)*, each [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]. */
static bool domain_name_valid(const char *s, size_t n) {
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i < n && s[i] != '.') {
                        if (!is_alnum(s[i]) && s[i] != '-')
                                return false;
                        continue;
                }
                /* a component is s[start, i) */
                if (i == start || s[start] == '-' || s[i - 1] == '-')
                        return false;
                start = i + 1;
        }
        return true;
}

/* host [":" port], host a domain name or a bracketed IPv6 address without zone. */
static bool domain_valid(const char *s, size_t n) {
        size_t host_end;
        if (n > 0 && s[0] == '[') {
                const char *close = memchr(s, ']', n);
                if (!close)
                        return false;
                host_end = (size_t) (close - s) + 1;
                if (host_end == 2) /* "[]" */
                        return false;
                for (size_t i = 1; i + 1 < host_end; i++)
                        if (!is_hex(s[i]) && s[i] != ':')
                                return false;
        } else {
                const char *colon = memchr(s, ':', n);
                host_end = colon ? (size_t) (colon - s) : n;
                if (!domain_name_valid(s, host_end))
                        return false;
        }
        if (host_end == n)
                return true;
        if (s[host_end] != ':' || host_end + 1 == n)
                return false;
        for (size_t i = host_end + 1; i < n; i++)
                if (!is_digit(s[i]))
                        return false;
        return true;
}

/* [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)* */
static bool path_component_valid(const char *s, size_t n) {
        size_t i = 0;
        if (n == 0 || !is_lower_alnum(s[0]))
                return false;
        while (i < n) {
                if (is_lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                size_t j = i + 1;
                if (s[i] == '_') {
                        if (j < n && s[j] == '_')
                                j++;
                } else if (s[i] == '-') {
                        while (j < n && s[j] == '-')
                                j++;
                } else if (s[i] != '.')
                        return false;
                if (j >= n || !is_lower_alnum(s[j]))
                        return false;
                i = j;
        }
        return true;
}

/* Returns the first invalid component of the "/"-separated path, or NULL if all are valid;
 * *ret_len is its length. */
static const char *path_invalid_component(const char *s, size_t n, size_t *ret_len) {
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i < n && s[i] != '/')
                        continue;
                if (!path_component_valid(s + start, i - start)) {
                        *ret_len = i - start;
                        return s + start;
                }
                start = i + 1;
        }
        return NULL;
}

/* [A-Za-z0-9_][A-Za-z0-9_.-]* (the length is checked separately) */
static bool tag_chars_valid(const char *s, size_t n) {
        if (n == 0 || !is_word(s[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
                        return false;
        return true;
}

/* [A-Za-z][A-Za-z0-9]* ([-_+.] [A-Za-z][A-Za-z0-9]*)* */
static bool digest_algorithm_valid(const char *s, size_t n) {
        bool need_alpha = true;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (need_alpha) {
                        if (!is_alpha(c))
                                return false;
                        need_alpha = false;
                } else if (c == '-' || c == '_' || c == '+' || c == '.')
                        need_alpha = true;
                else if (!is_alnum(c))
                        return false;
        }
        return n > 0 && !need_alpha;
}

/* Checks the digest s[0, n); returns NULL if valid, else the problem (a static string or,
 * for an unsupported algorithm, one written into buf). */
static const char *digest_problem(const char *s, size_t n, char *buf, size_t size) {
        if (n == 0)
                return "empty digest";
        const char *colon = memchr(s, ':', n);
        if (!colon)
                return "invalid digest format: missing \":\" between algorithm and hex";
        size_t alg_len = (size_t) (colon - s), hex_len = n - alg_len - 1;
        const char *hex = colon + 1;
        if (!digest_algorithm_valid(s, alg_len))
                return "invalid digest format: malformed algorithm";
        if (hex_len == 0)
                return "invalid digest format: empty hex";
        bool lower = true;
        for (size_t i = 0; i < hex_len; i++) {
                if (!is_hex(hex[i]))
                        return "invalid digest format: not hexadecimal";
                if (!is_lower_hex(hex[i]))
                        lower = false;
        }
        const DigestAlgorithm *alg = NULL;
        for (size_t i = 0; i < ELEMENTSOF(digest_algorithms); i++)
                if (strlen(digest_algorithms[i].name) == alg_len &&
                    memcmp(digest_algorithms[i].name, s, alg_len) == 0)
                        alg = &digest_algorithms[i];
        if (!alg) {
                /* the algorithm passed digest_algorithm_valid: printable, no quoting needed,
                 * but it may be long */
                (void) snprintf(buf, size, "unsupported digest algorithm \"%.*s\"",
                                (int) (alg_len > 64 ? 64 : alg_len), s);
                return buf;
        }
        if (hex_len != alg->hex_len)
                return "invalid digest length";
        if (!lower)
                return "invalid digest format: hex must be lowercase";
        return NULL;
}

int image_digest_validate(const char *digest, CrioError *err) {
        char buf[128];
        if (!digest)
                return crio_error_set(err, EINVAL, "invalid digest: none given");
        size_t n = strnlen(digest, IMAGE_REFERENCE_INPUT_MAX + 1);
        if (n > IMAGE_REFERENCE_INPUT_MAX)
                return invalid(err, "digest", digest, "longer than %d bytes", IMAGE_REFERENCE_INPUT_MAX);
        const char *problem = digest_problem(digest, n, buf, sizeof buf);
        if (problem)
                return invalid(err, "digest", digest, "%s", problem);
        return 0;
}

static bool all_lower_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!is_lower_hex(s[i]))
                        return false;
        return true;
}

bool image_id_like(const char *s) {
        if (!s)
                return false;
        if (strncmp(s, "sha256:", 7) == 0)
                s += 7;
        return strnlen(s, IMAGE_ID_LENGTH + 1) == IMAGE_ID_LENGTH && all_lower_hex(s, IMAGE_ID_LENGTH);
}

bool image_id_prefix_like(const char *s) {
        if (!s)
                return false;
        size_t n = strnlen(s, IMAGE_ID_LENGTH + 1);
        return n >= IMAGE_ID_PREFIX_MIN && n <= IMAGE_ID_LENGTH && all_lower_hex(s, n);
}

void image_reference_free(ImageReference *r) {
        if (!r)
                return;
        free(r->domain);
        free(r->path);
        free(r->tag);
        free(r->digest);
        free(r);
}

int image_reference_parse(const char *s, ImageReference **ret, CrioError *err) {
        char buf[128];
        const char *input = s;

        if (!s)
                return crio_error_set(err, EINVAL, "invalid reference: none given");
        size_t len = strnlen(s, IMAGE_REFERENCE_INPUT_MAX + 1);
        if (len > IMAGE_REFERENCE_INPUT_MAX)
                return invalid(err, "reference", input, "longer than %d bytes", IMAGE_REFERENCE_INPUT_MAX);
        if (strncmp(s, IMAGE_REFERENCE_TRANSPORT_PREFIX, strlen(IMAGE_REFERENCE_TRANSPORT_PREFIX)) == 0) {
                s += strlen(IMAGE_REFERENCE_TRANSPORT_PREFIX);
                len -= strlen(IMAGE_REFERENCE_TRANSPORT_PREFIX);
        }
        if (len == 0)
                return invalid(err, "reference", input, "repository name must have at least one component");
        if (len == IMAGE_ID_LENGTH && all_lower_hex(s, len))
                return invalid(err, "reference", input,
                               "a 64-character hexadecimal string is ambiguous with an image ID and cannot be a repository name");

        /* name [":" tag] ["@" digest]: the digest starts at the first "@" (no other part may
         * hold one); the tag at the first ":" after the last "/" of what precedes it (a ":"
         * before a "/" belongs to the domain's port). */
        const char *at = memchr(s, '@', len);
        size_t rest_len = at ? (size_t) (at - s) : len;
        const char *digest = at ? at + 1 : NULL;
        size_t digest_len = at ? len - rest_len - 1 : 0;

        const char *slash = memrchr(s, '/', rest_len);
        size_t tail = slash ? (size_t) (slash - s) + 1 : 0;
        const char *colon = memchr(s + tail, ':', rest_len - tail);
        size_t name_len = colon ? (size_t) (colon - s) : rest_len;
        const char *tag = colon ? colon + 1 : NULL;
        size_t tag_len = colon ? rest_len - name_len - 1 : 0;

        if (name_len == 0)
                return invalid(err, "reference", input, "repository name must have at least one component");

        /* Split the domain off (containers/image SplitDockerDomain). */
        const char *domain = IMAGE_REFERENCE_DEFAULT_DOMAIN, *path = s;
        size_t domain_len = strlen(IMAGE_REFERENCE_DEFAULT_DOMAIN), path_len = name_len;
        const char *first_slash = memchr(s, '/', name_len);
        if (first_slash) {
                size_t n = (size_t) (first_slash - s);
                if (memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && memcmp(s, "localhost", 9) == 0)) {
                        domain = s;
                        domain_len = n;
                        path = first_slash + 1;
                        path_len = name_len - n - 1;
                }
        }
        if (domain_len == strlen(IMAGE_REFERENCE_LEGACY_DOMAIN) &&
            memcmp(domain, IMAGE_REFERENCE_LEGACY_DOMAIN, domain_len) == 0) {
                domain = IMAGE_REFERENCE_DEFAULT_DOMAIN;
                domain_len = strlen(IMAGE_REFERENCE_DEFAULT_DOMAIN);
        }
        bool official = domain_len == strlen(IMAGE_REFERENCE_DEFAULT_DOMAIN) &&
                        memcmp(domain, IMAGE_REFERENCE_DEFAULT_DOMAIN, domain_len) == 0 &&
                        !memchr(path, '/', path_len);
        size_t prefix_len = official ? strlen(IMAGE_REFERENCE_OFFICIAL_PREFIX) : 0;

        for (size_t i = 0; i < path_len; i++)
                if (path[i] >= 'A' && path[i] <= 'Z')
                        return invalid(err, "reference", input, "repository name must be lowercase");
        if (!domain_valid(domain, domain_len))
                return invalid(err, "reference", input, "invalid domain \"%s\"",
                               quote(buf, sizeof buf, domain, domain_len > 64 ? 64 : domain_len));
        size_t bad_len = 0;
        const char *bad = path_invalid_component(path, path_len, &bad_len);
        if (bad) {
                if (bad_len == 0)
                        return invalid(err, "reference", input, "empty repository name component");
                return invalid(err, "reference", input, "invalid repository name component \"%s\"",
                               quote(buf, sizeof buf, bad, bad_len > 64 ? 64 : bad_len));
        }
        if (domain_len + 1 + prefix_len + path_len > IMAGE_REFERENCE_NAME_MAX)
                return invalid(err, "reference", input, "repository name must not be more than %d characters",
                               IMAGE_REFERENCE_NAME_MAX);
        if (tag) {
                if (tag_len == 0)
                        return invalid(err, "reference", input, "empty tag");
                if (!tag_chars_valid(tag, tag_len))
                        return invalid(err, "reference", input, "invalid tag format");
                if (tag_len > IMAGE_REFERENCE_TAG_MAX)
                        return invalid(err, "reference", input, "tag must not be more than %d characters",
                                       IMAGE_REFERENCE_TAG_MAX);
        }
        if (digest) {
                const char *problem = digest_problem(digest, digest_len, buf, sizeof buf);
                if (problem)
                        return invalid(err, "reference", input, "%s", problem);
        }

        _cleanup_image_reference_ ImageReference *r = calloc(1, sizeof *r);
        if (!r)
                return crio_error_set(err, ENOMEM, "parsing reference: out of memory");
        r->domain = strndup(domain, domain_len);
        r->path = malloc(prefix_len + path_len + 1);
        if (r->path) {
                memcpy(r->path, IMAGE_REFERENCE_OFFICIAL_PREFIX, prefix_len);
                memcpy(r->path + prefix_len, path, path_len);
                r->path[prefix_len + path_len] = '\0';
        }
        if (tag)
                r->tag = strndup(tag, tag_len);
        else if (!digest)
                r->tag = strdup(IMAGE_REFERENCE_DEFAULT_TAG);
        if (digest)
                r->digest = strndup(digest, digest_len);
        if (!r->domain || !r->path || (!r->tag && (tag || !digest)) || (digest && !r->digest))
                return crio_error_set(err, ENOMEM, "parsing reference: out of memory");
        *ret = TAKE_PTR(r);
        return 0;
}

/* name [":" tag] ["@" digest] */
static char *format_reference(const char *domain, const char *path, const char *tag, const char *digest) {
        char *s = NULL;
        if (asprintf(&s, "%s%s%s%s%s%s%s", domain ? domain : "", domain ? "/" : "", path, tag ? ":" : "",
                     tag ? tag : "", digest ? "@" : "", digest ? digest : "") < 0) {
                errno = ENOMEM;
                return NULL;
        }
        return s;
}

char *image_reference_string(const ImageReference *r) {
        if (!r) {
                errno = EINVAL;
                return NULL;
        }
        return format_reference(r->domain, r->path, r->tag, r->digest);
}

char *image_reference_name(const ImageReference *r) {
        if (!r) {
                errno = EINVAL;
                return NULL;
        }
        return format_reference(r->domain, r->path, NULL, NULL);
}

char *image_reference_with_digest(const ImageReference *r, const char *digest) {
        if (!r || image_digest_validate(digest, NULL) < 0) {
                errno = EINVAL;
                return NULL;
        }
        return format_reference(r->domain, r->path, NULL, digest);
}

/* Would "path" without a domain be read back with its first component as a domain? */
static bool first_component_looks_like_domain(const char *path) {
        size_t n = strcspn(path, "/");
        if (path[n] != '/')
                return false;
        return memchr(path, '.', n) || memchr(path, ':', n) || (n == 9 && memcmp(path, "localhost", 9) == 0);
}

char *image_reference_familiar(const ImageReference *r) {
        if (!r) {
                errno = EINVAL;
                return NULL;
        }
        if (strcmp(r->domain, IMAGE_REFERENCE_DEFAULT_DOMAIN) != 0 || first_component_looks_like_domain(r->path))
                return format_reference(r->domain, r->path, r->tag, r->digest);
        const char *path = r->path;
        if (strncmp(path, IMAGE_REFERENCE_OFFICIAL_PREFIX, strlen(IMAGE_REFERENCE_OFFICIAL_PREFIX)) == 0 &&
            !strchr(path + strlen(IMAGE_REFERENCE_OFFICIAL_PREFIX), '/'))
                path += strlen(IMAGE_REFERENCE_OFFICIAL_PREFIX);
        /* A bare 64-hex name would read back as an image ID: keep the full name then. */
        if (!r->tag && !r->digest && strlen(path) == IMAGE_ID_LENGTH && all_lower_hex(path, IMAGE_ID_LENGTH))
                return format_reference(r->domain, r->path, NULL, NULL);
        return format_reference(NULL, path, r->tag, r->digest);
}
