/* A container's OCI spec from the CRI ContainerConfig, its pod and its image config. */
#pragma once

#include <sys/types.h>

#include "api.pb-c.h"
#include "image/manifest.h"
#include "oci/spec.h"
#include "runtime/state.h"

typedef struct CriCtrSpecInput {
        const Runtime__V1__ContainerConfig *cc;
        const ImageConfig *image;      /* may be NULL */
        /* from crio.conf, copied under the service lock */
        char **default_capabilities;
        char **default_ulimits;
        char **default_mounts;
        char *image_volumes;           /* "mkdir" | "bind" | "ignore" */
        int64_t pids_limit;
        char *seccomp_profile;         /* "" = the built-in profile */
        char **additional_devices;     /* "/dev/host[:/dev/ctr[:rwm]]" */
        bool apparmor;                 /* the host has AppArmor enabled */
        char *apparmor_profile;        /* crio.conf's: the profile of RuntimeDefault */
        /* SELinux (oci/selinux.h), NULL: none. The process and mount labels of the spec
         * (none for a privileged container's process, none at all with the host's PID or IPC
         * namespace), and the label CRI mounts with selinux_relabel get (NULL: left alone). */
        char *process_label, *mount_label, *relabel_label;
        /* pid of the process whose PID namespace the container joins (POD / TARGET), or 0 */
        pid_t pid_ns_pid;
} CriCtrSpecInput;

void cri_ctr_spec_input_clear(CriCtrSpecInput *in);

/* RtContainerSpecFn for rt_container_create (data is a CriCtrSpecInput). */
int cri_ctr_spec_build(void *data, const RtSandbox *s, const RtContainer *c, const char *rootfs, OciSpec **ret,
                       CrioError *err);

/* Applies CRI resources to spec (ctr-resources.c): cpu, cpuset, memory and swap,
 * oom_score_adj clamped to crio's own; hugepage limits (a size the host does not offer is
 * -EINVAL; all are left out when runc has no hugetlb controller to write to); unified (only
 * on cgroup v2: elsewhere -EINVAL naming the key). NULL sets only the oom_score_adj. */
int cri_spec_set_linux_resources(OciSpec *spec, const Runtime__V1__LinuxContainerResources *res, CrioError *err);

/* "SIGTERM", "TERM", "15" -> 15; -EINVAL for anything else. */
int cri_signal_parse(const char *s);
