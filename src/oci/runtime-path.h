/* Finding the OCI runtime binary of a runtime handler. */
#pragma once

#include "config/config.h"
#include "util/error.h"

#define OCI_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The executable for handler h: runtime_path if set (it must be executable), else the
 * handler's name looked up in search_path (OCI_DEFAULT_PATH when NULL).
 * *ret_path is malloc'd (caller frees). Fails with -ENOENT naming what was looked for. */
int oci_runtime_find(const CrioRuntimeHandler *h, const char *search_path, char **ret_path, CrioError *err);
/* Looks up name in a colon-separated path list; -ENOENT if no executable file is found. */
int find_executable(const char *name, const char *search_path, char **ret_path);
