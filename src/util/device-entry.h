/* A device entry as CRI-O reads one in crio.conf's additional_devices (podman's --device
 * syntax): "host[:container][:mode]" or "host:mode". The host path is absolute, the
 * container path (default: the host path) lies below /dev/, the mode is letters of "rwm",
 * each at most once (default "rwm"). One parser for the configuration check and for the
 * containers that get the devices. */
#pragma once

#include "util/error.h"

typedef struct DeviceEntry {
        char *host;
        char *container;
        char *mode;
} DeviceEntry;

/* Fills *ret (owned strings; device_entry_done frees them); -EINVAL naming the entry and
 * what is wrong with it. ret may be NULL to check only. */
int device_entry_parse(const char *entry, DeviceEntry *ret, CrioError *err);
void device_entry_done(DeviceEntry *d);
