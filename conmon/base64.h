/* Standard base64 (RFC 4648, with padding), for exec-sync's JSON answer. */
#pragma once

#include <stddef.h>

/* Bytes base64_encode writes for len input bytes, with the terminating NUL. */
size_t base64_size(size_t len);
/* Encodes into out (base64_size(len) bytes); returns the length without the NUL. */
size_t base64_encode(const unsigned char *in, size_t len, char *out);
