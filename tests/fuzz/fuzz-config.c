/* Fuzz target: any document applied as a crio.conf drop-in must be accepted or rejected with
 * a message, never crash or leak; an accepted one must print, validate and read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/cleanup.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        CrioError err = {};
        CrioConfig *cfg = NULL;
        char **warnings = NULL;
        if (config_new_default(&cfg, &err) < 0)
                abort();
        int r = config_apply_data(cfg, "fuzz.conf", (const char *) data, size, &warnings, &err);
        if (r < 0 && !err.msg)
                abort(); /* every failure says why */
        crio_error_clear(&err);
        if (r >= 0) {
                (void) config_validate(cfg, &err);
                crio_error_clear(&err);
                char *text = NULL;
                if (config_to_toml(cfg, &text, &err) < 0)
                        abort();
                CrioConfig *back = NULL;
                if (config_new_default(&back, &err) < 0)
                        abort();
                if (config_apply_data(back, "printed.conf", text, strlen(text), NULL, &err) < 0)
                        abort(); /* what we print, we read */
                if (!config_equal(cfg, back))
                        abort();
                config_free(back);
                free(text);
        }
        crio_error_clear(&err);
        strv_free(warnings);
        config_free(cfg);
        return 0;
}
