/* SHA-256 through OpenSSL's libcrypto (about 8x faster here than GLib's GChecksum, which
 * matters when every pulled byte is hashed twice: compressed and uncompressed). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SHA256_HEX_LEN 64
#define SHA256_DIGEST_LEN (7 + SHA256_HEX_LEN) /* "sha256:" + hex */

typedef struct Sha256 Sha256;

/* NULL on allocation failure. */
Sha256 *sha256_new(void);
void sha256_update(Sha256 *h, const void *data, size_t len);
/* Writes "sha256:<64 hex>" and a NUL into out (SHA256_DIGEST_LEN + 1 bytes). The context
 * may not be updated afterwards. */
void sha256_finish(Sha256 *h, char out[SHA256_DIGEST_LEN + 1]);
void sha256_free(Sha256 *h);
static inline void sha256_freep(Sha256 **h) {
        sha256_free(*h);
}

/* One-shot: "sha256:<hex>" of data into out. */
void sha256_digest(const void *data, size_t len, char out[SHA256_DIGEST_LEN + 1]);
/* True when data hashes to digest ("sha256:<hex>"). */
bool sha256_matches(const void *data, size_t len, const char *digest);
