#include "chainid.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/sha256.h"

static bool is_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return s[n] == '\0';
}

bool store_id_valid(const char *id) {
        return id && strlen(id) == STORE_ID_LEN && is_hex(id, STORE_ID_LEN);
}

bool store_digest_valid(const char *digest) {
        return digest && strncmp(digest, "sha256:", 7) == 0 && store_id_valid(digest + 7);
}

static void sha256_hex(const void *data, size_t len, char ret[STORE_ID_LEN + 1]) {
        char d[SHA256_DIGEST_LEN + 1];
        sha256_digest(data, len, d);
        memcpy(ret, d + 7, STORE_ID_LEN);
        ret[STORE_ID_LEN] = '\0';
}

void store_sha256_digest(const void *data, size_t len, char ret[STORE_DIGEST_LEN + 1]) {
        memcpy(ret, "sha256:", 7);
        sha256_hex(data, len, ret + 7);
}

int store_layer_id_for(const char *parent_id, const char *diff_digest, char ret[STORE_ID_LEN + 1], CrioError *err) {
        if (!store_digest_valid(diff_digest))
                return crio_error_set(err, EINVAL, "diff ID \"%s\" is not a sha256 digest", diff_digest ? diff_digest : "");
        if (!parent_id || !*parent_id) {
                memcpy(ret, diff_digest + 7, STORE_ID_LEN + 1);
                return 0;
        }
        if (!store_id_valid(parent_id))
                return crio_error_set(err, EINVAL, "parent layer ID \"%s\" is not 64 hex digits", parent_id);
        char buf[STORE_ID_LEN * 2 + 2];
        snprintf(buf, sizeof(buf), "%s+%s", parent_id, diff_digest + 7);
        sha256_hex(buf, strlen(buf), ret);
        return 0;
}

int store_oci_chain_id(const char *parent_chain, const char *diff_digest, char ret[STORE_DIGEST_LEN + 1], CrioError *err) {
        if (!store_digest_valid(diff_digest))
                return crio_error_set(err, EINVAL, "diff ID \"%s\" is not a sha256 digest", diff_digest ? diff_digest : "");
        if (!parent_chain) {
                memcpy(ret, diff_digest, STORE_DIGEST_LEN + 1);
                return 0;
        }
        if (!store_digest_valid(parent_chain))
                return crio_error_set(err, EINVAL, "chain ID \"%s\" is not a sha256 digest", parent_chain);
        char buf[STORE_DIGEST_LEN * 2 + 2];
        snprintf(buf, sizeof(buf), "%s %s", parent_chain, diff_digest);
        store_sha256_digest(buf, strlen(buf), ret);
        return 0;
}

static void random_bytes(void *p, size_t n) {
        uint8_t *b = p;
        size_t off = 0;
        while (off < n) {
                ssize_t r = getrandom(b + off, n - off, 0);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        /* getrandom(2) does not fail on a booted system; keep going with glib's PRNG. */
                        for (; off < n; off++)
                                b[off] = (uint8_t) g_random_int();
                        return;
                }
                off += (size_t) r;
        }
}

void store_random_id(char ret[STORE_ID_LEN + 1]) {
        static const char hex[] = "0123456789abcdef";
        for (;;) {
                uint8_t b[STORE_ID_LEN / 2];
                random_bytes(b, sizeof(b));
                for (size_t i = 0; i < sizeof(b); i++) {
                        ret[2 * i] = hex[b[i] >> 4];
                        ret[2 * i + 1] = hex[b[i] & 15];
                }
                ret[STORE_ID_LEN] = '\0';
                /* A short ID that parses as a number would be mistaken for one: draw again. */
                if (strspn(ret, "0123456789") < 12)
                        return;
        }
}

void store_random_link_id(char ret[STORE_LINK_ID_LEN + 1]) {
        static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        uint8_t b[(STORE_LINK_ID_LEN * 5 + 7) / 8];
        random_bytes(b, sizeof(b));
        /* Standard base32 of the bytes, first 26 characters. */
        for (size_t i = 0; i < STORE_LINK_ID_LEN; i++) {
                size_t bit = i * 5, byte = bit / 8, shift = bit % 8;
                unsigned v = (unsigned) b[byte] << 8;
                if (byte + 1 < sizeof(b))
                        v |= b[byte + 1];
                ret[i] = b32[(v >> (11 - shift)) & 31];
        }
        ret[STORE_LINK_ID_LEN] = '\0';
}

char *store_big_data_file_name(const char *key) {
        if (!key || !*key || strcmp(key, ".") == 0 || strcmp(key, "..") == 0)
                return NULL;
        bool plain = true;
        for (const char *p = key; *p; p++)
                if (!(*p == '.' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'))) {
                        plain = false;
                        break;
                }
        if (plain)
                return strdup(key);
        gchar *b = g_base64_encode((const guchar *) key, strlen(key));
        char *name = NULL;
        if (b && asprintf(&name, "=%s", b) < 0)
                name = NULL;
        g_free(b);
        return name;
}

void store_format_time(const struct timespec *t, char ret[STORE_TIME_LEN]) {
        struct tm tm;
        time_t sec = t->tv_sec;
        gmtime_r(&sec, &tm);
        size_t n = strftime(ret, STORE_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
        long ns = t->tv_nsec;
        if (ns > 0 && ns < 1000000000L) {
                char frac[16];
                snprintf(frac, sizeof(frac), ".%09ld", ns);
                size_t len = strlen(frac);
                while (len > 1 && frac[len - 1] == '0')
                        frac[--len] = '\0';
                snprintf(ret + n, STORE_TIME_LEN - n, "%sZ", frac);
        } else
                snprintf(ret + n, STORE_TIME_LEN - n, "Z");
}

void store_now(char ret[STORE_TIME_LEN]) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        store_format_time(&t, ret);
}
