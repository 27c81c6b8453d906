#include "util/sha256.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct Sha256 {
        EVP_MD_CTX *ctx;
};

Sha256 *sha256_new(void) {
        Sha256 *h = calloc(1, sizeof(*h));
        if (!h)
                return NULL;
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
                EVP_MD_CTX_free(h->ctx);
                free(h);
                return NULL;
        }
        return h;
}

void sha256_update(Sha256 *h, const void *data, size_t len) {
        if (len > 0)
                EVP_DigestUpdate(h->ctx, data, len);
}

void sha256_finish(Sha256 *h, char out[SHA256_DIGEST_LEN + 1]) {
        static const char hex[] = "0123456789abcdef";
        unsigned char md[32];
        unsigned int n = 0;
        EVP_DigestFinal_ex(h->ctx, md, &n);
        memcpy(out, "sha256:", 7);
        for (size_t i = 0; i < 32; i++) {
                out[7 + 2 * i] = hex[md[i] >> 4];
                out[7 + 2 * i + 1] = hex[md[i] & 15];
        }
        out[SHA256_DIGEST_LEN] = '\0';
}

void sha256_free(Sha256 *h) {
        if (!h)
                return;
        EVP_MD_CTX_free(h->ctx);
        free(h);
}

void sha256_digest(const void *data, size_t len, char out[SHA256_DIGEST_LEN + 1]) {
        Sha256 *h = sha256_new();
        if (!h) {
                out[0] = '\0';
                return;
        }
        sha256_update(h, data, len);
        sha256_finish(h, out);
        sha256_free(h);
}

bool sha256_matches(const void *data, size_t len, const char *digest) {
        char d[SHA256_DIGEST_LEN + 1];
        sha256_digest(data, len, d);
        return d[0] && digest && strcmp(d, digest) == 0;
}
