/* Fuzz target: any bytes as a label and the four SELinuxOptions parts a CRI request gives
 * (five lines: label, user, role, type, level) are combined or refused with a message, never
 * a crash or a leak (selinux_label_with only: no policy is needed). A combined label has no
 * quote, space or control character (it goes into a mount option as context="..."), and
 * holds every part given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/selinux.h"
#include "util/cleanup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 5 * (SELINUX_PART_MAX + 2) + 4096)
                return 0;
        _cleanup_free_ char *text = malloc(size + 1);
        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';
        char *f[5] = { 0 };
        char *p = text;
        for (int i = 0; i < 5 && p; i++) {
                f[i] = p;
                char *nl = strchr(p, '\n');
                if (nl)
                        *nl = '\0';
                p = nl ? nl + 1 : NULL;
        }
        if (!f[0])
                return 0;
        SelinuxOptions o = { .user = f[1], .role = f[2], .type = f[3], .level = f[4] };
        CrioError err = {};
        char *out = (char *) "untouched";
        if (selinux_label_with(f[0], &o, &out, &err) < 0) {
                if (!err.msg || strcmp(out, "untouched") != 0)
                        abort();
                crio_error_clear(&err);
                return 0;
        }
        if (err.msg)
                abort();
        for (int i = 1; i < 5; i++)
                if (f[i] && f[i][0] && !strstr(out, f[i]))
                        abort();
        for (const char *c = out; *c; c++)
                if (*c == '"' || (unsigned char) *c <= ' ' || *c == 0x7f)
                        if (!strchr(f[0], *c)) /* only what the base label itself had */
                                abort();
        free(out);
        return 0;
}
