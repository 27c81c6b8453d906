/* crio: parse the command line, load the configuration, run the daemon (or a command). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crio.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"

int main(int argc, char **argv) {
        _cleanup_(crio_error_clear) CrioError err = {};
        CrioFlags flags = {};
        log_open();

        if (crio_flags_parse(argc, argv, &flags, &err) < 0) {
                fprintf(stderr, "crio: %s (see crio --help)\n", err.msg);
                return 2;
        }
        int ret = 0;
        if (flags.show_help) {
                crio_flags_usage("crio");
                goto out;
        }
        if (flags.show_version || (flags.command && strcmp(flags.command, "version") == 0)) {
                crio_print_version();
                goto out;
        }

        CrioConfig *cfg = NULL;
        _cleanup_strv_free_ char **warnings = NULL;
        int r = crio_load_config(&flags, &cfg, &warnings, &err);
        for (char **w = warnings; w && *w; w++)
                log_warn("%s", *w);
        if (r < 0) {
                log_error("invalid configuration: %s", err.msg);
                ret = 1;
                goto out;
        }

        if (flags.command && strcmp(flags.command, "config") == 0) {
                _cleanup_free_ char *text = NULL;
                if (config_to_toml(cfg, &text, &err) < 0) {
                        log_error("%s", err.msg);
                        ret = 1;
                } else
                        fputs(text, stdout);
                config_free(cfg);
                goto out;
        }

        if (crio_daemon_run(&flags, cfg, &err) < 0) {
                log_error("%s", err.msg);
                ret = 1;
        }
out:
        crio_flags_done(&flags);
        return ret;
}
