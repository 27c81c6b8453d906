/* Whether pod networking can work: a usable CNI network configuration exists.
 *
 * A configuration is usable when it parses, names its network and every plugin it uses is
 * an executable in one of plugin_dirs. Files are read in lexical order: *.conf, *.conflist,
 * *.json. With default_network set, only that network counts. */
#pragma once

#include <stdbool.h>

#include "util/error.h"

#define CNI_MAX_CONFIG_SIZE (1u << 20)

/* Returns 1 when ready (and *ret_network is the network's name), 0 when not (and *ret_message
 * says why, e.g. "no CNI configuration file in /etc/cni/net.d/"), negative on allocation failure.
 * Both outputs are malloc'd; either may be NULL if not wanted. */
int cni_network_ready(const char *dir, char *const *plugin_dirs, const char *default_network, char **ret_network,
                      char **ret_message);
