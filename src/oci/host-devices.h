/* Host device nodes given to a container (the CRI's ContainerConfig.devices), as CRI-O adds
 * them: the device node at host_path becomes a node at container_path (linux.devices: its
 * type, major and minor, permission bits, owner and group from stat of host_path) with a
 * cgroup rule allowing the access in permissions (linux.resources.devices). A host_path that
 * is a directory adds every device node below it, at container_path plus the same relative
 * path; symbolic links inside it are skipped, directories are followed at most
 * HOST_DEVICES_DEPTH_MAX levels deep, and at most HOST_DEVICES_MAX nodes are added.
 *
 * permissions: letters of "rwm" in any order, each at most once; "" is "rwm" (as Docker and
 * podman take an omitted mode).
 *
 * Errors (-EINVAL, the message naming the path): a host_path that does not exist or cannot
 * be read, one that is neither a device node nor a directory, a directory without device
 * nodes or with too many, a container_path that is not a clean absolute path, bad
 * permissions. The spec is unchanged on failure only for the checks made before the first
 * node is added; callers discard the spec on any error. */
#pragma once

#include "oci/spec.h"
#include "util/error.h"

#define HOST_DEVICES_DEPTH_MAX 8
#define HOST_DEVICES_MAX 1024
#define HOST_DEVICES_DIR_ENTRIES_MAX 65536
/* Nodes a privileged container may get from the host's /dev. */
#define HOST_DEVICES_PRIVILEGED_MAX 16384
#define HOST_DEVICES_DEV "/dev"

int oci_spec_add_host_devices(OciSpec *spec, const char *host_path, const char *container_path,
                              const char *permissions, CrioError *err);

/* A privileged container's devices, as CRI-O (runc's HostDevices) gives them: every device
 * node under dev_dir (HOST_DEVICES_DEV; tests pass another) at the same path, owner and
 * mode, skipping the directories pts, shm, fd, mqueue, .lxc, .lxd-mounts and .udev, the
 * node "console", symbolic links and nodes 0:0. No cgroup rule is added: the caller has
 * allowed every device. More than HOST_DEVICES_PRIVILEGED_MAX nodes is -EINVAL. */
int oci_spec_add_privileged_devices(OciSpec *spec, const char *dev_dir, CrioError *err);

/* One additional_devices entry of crio.conf, as CRI-O reads it: "host[:container][:mode]"
 * or "host:mode" (the container path defaults to the host path and must lie below /dev/,
 * the mode, letters of "rwm", to "rwm"), added as oci_spec_add_host_devices does. -EINVAL
 * naming the entry when it is malformed. */
int oci_spec_add_config_device(OciSpec *spec, const char *entry, CrioError *err);
