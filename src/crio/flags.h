/* crio's command line: CRI-O's flag names, each mapped to a configuration key. */
#pragma once

#include <stdbool.h>

#include "config/config.h"
#include "util/error.h"

typedef struct CrioFlags {
        char *config_file;  /* --config; NULL: the default path */
        char *config_dir;   /* --config-dir; NULL: the default directory */
        char **overrides;   /* "key=value" in the order given (array flags joined by commas) */
        char *runtime_path; /* --runtime: runtime_path of the default handler */
        const char *command; /* NULL (run the daemon), "config" or "version" */
        bool show_version;
        bool show_help;
} CrioFlags;

int crio_flags_parse(int argc, char **argv, CrioFlags *ret, CrioError *err);
void crio_flags_done(CrioFlags *f);
/* Applies the overrides to cfg (after the files were loaded). */
int crio_flags_apply(const CrioFlags *f, CrioConfig *cfg, CrioError *err);
void crio_flags_usage(const char *prog);
