/* What the infra container's spec and a container's spec share: cgroup paths, the OOM score
 * clamp, the io.kubernetes annotations, seccomp and capability choices. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "api.pb-c.h"
#include "cri/service.h"
#include "oci/spec.h"
#include "runtime/state.h"

/* runc's cgroupsPath for a container of the pod whose record holds the normalized parent:
 * "<parent>/crio-<id>" (cgroupfs; "" is "/crio", records of earlier versions) or
 * "<slice>:crio:<id>" (systemd), the manager told by the parent (runtime/cgroup.h). */
int cri_cgroups_path(const char *parent, const char *id, char **ret, CrioError *err);
/* The lowest oom_score_adj crio may give (its own: without CAP_SYS_RESOURCE nothing lower can
 * be set), and adj raised to it. */
int cri_oom_score_adj_floor(void);
int cri_oom_score_adj_clamp(int adj);
/* The capabilities crio holds (CapBnd), for privileged containers. */
uint64_t cri_own_capabilities(void);
/* Makes the spec privileged: every capability crio holds, no masked or read-only paths,
 * every device allowed, /sys read-write. */
int cri_spec_make_privileged(OciSpec *spec, CrioError *err);
/* Sets the annotations: the request's, then the io.kubernetes.* ones CRI-O sets. */
int cri_spec_annotate(OciSpec *spec, const RtSandbox *s, const RtContainer *c, CrioError *err);
/* The pod's pinned network, UTS (with its hostname) and IPC namespaces, or the host's. */
int cri_spec_join_pod_namespaces(OciSpec *spec, const RtSandbox *s, CrioError *err);
