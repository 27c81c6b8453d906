/* The listening socket's file: stale-socket detection and permissions. */
#pragma once

#include "util/error.h"

/* Prepares path for a new listener: creates its parent directory (0755), fails with -EADDRINUSE
 * if a live process accepts connections there, removes a stale socket left by a dead one, and
 * refuses to remove anything that is not a socket. */
int cri_socket_prepare(const char *path, CrioError *err);
/* After binding: mode 0660, owned by root:root (when we are root). */
int cri_socket_secure(const char *path, CrioError *err);
