/* Fuzz target: the registry client's parsers of response pieces (registry-internal.h). The
 * first byte picks one: 'R' a Content-Range value, anything else an error body. A parsed
 * range is ordered and within its total; an error message is bounded and printable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/registry-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0 || size > REGISTRY_ERROR_BODY_MAX + 64)
                return 0;
        char *s = malloc(size);
        if (!s)
                return 0;
        memcpy(s, data + 1, size - 1);
        s[size - 1] = '\0';
        if (data[0] == 'R') {
                uint64_t first = 0, last = 0;
                int64_t total = 0;
                if (registry_content_range_parse(s, &first, &last, &total) == 0) {
                        if (last < first || total < -1 || (total >= 0 && (uint64_t) total <= last))
                                abort();
                }
        } else {
                char *m = registry_error_message(s, size - 1);
                if (m) {
                        size_t n = strlen(m);
                        if (n == 0 || n > REGISTRY_ERROR_MESSAGE_MAX)
                                abort();
                        for (size_t i = 0; i < n; i++)
                                if ((unsigned char) m[i] < 0x20 || (unsigned char) m[i] >= 0x7f)
                                        abort();
                }
                free(m);
        }
        free(s);
        return 0;
}
