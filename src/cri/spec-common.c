/* See spec-common.h. */
#include "cri/spec-common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

int cri_cgroups_path(const char *parent, const char *id, char **ret, CrioError *err) {
        return cgroup_container_path(cgroup_parent_manager(parent), parent, id, ret, err);
}

int cri_oom_score_adj_floor(void) {
        _cleanup_free_ char *s = NULL;
        if (read_file("/proc/self/oom_score_adj", 64, &s, NULL, NULL) < 0)
                return -1000;
        return (int) strtol(s, NULL, 10);
}

int cri_oom_score_adj_clamp(int adj) {
        int floor = cri_oom_score_adj_floor();
        return adj < floor ? floor : adj;
}

uint64_t cri_own_capabilities(void) {
        _cleanup_free_ char *s = NULL;
        if (read_file("/proc/self/status", 64 * 1024, &s, NULL, NULL) < 0)
                return 0;
        const char *p = strstr(s, "\nCapBnd:");
        if (!p)
                return 0;
        return strtoull(p + 8, NULL, 16) & OCI_CAP_ALL_MASK;
}

int cri_spec_make_privileged(OciSpec *spec, CrioError *err) {
        oci_spec_set_caps(spec, cri_own_capabilities());
        oci_spec_clear_masked_paths(spec);
        oci_spec_clear_readonly_paths(spec);
        oci_spec_clear_device_rules(spec);
        int r = oci_spec_add_device_rule(spec, true, 'a', -1, -1, "rwm", err);
        if (r < 0)
                return r;
        char *const opts[] = { "nosuid", "noexec", "nodev", "rw", NULL };
        return oci_spec_add_mount(spec, "/sys", "sysfs", "sysfs", opts, err);
}

static int annotate(OciSpec *spec, const char *k, const char *v, CrioError *err) {
        return oci_spec_set_annotation(spec, k, v ? v : "", err);
}

int cri_spec_annotate(OciSpec *spec, const RtSandbox *s, const RtContainer *c, CrioError *err) {
        char *const *user = c ? c->annotations : s->annotations;
        for (size_t i = 0; user && user[i] && user[i + 1]; i += 2) {
                int r = annotate(spec, user[i], user[i + 1], err);
                if (r < 0)
                        return r;
        }
        char attempt[16];
        snprintf(attempt, sizeof attempt, "%u", c ? c->attempt : s->attempt);
        const char *kv[][2] = {
                { "io.kubernetes.cri-o.ContainerType", c ? "container" : "sandbox" },
                { "io.kubernetes.cri-o.SandboxID", s->id },
                { "io.kubernetes.cri-o.SandboxName", s->name },
                { "io.kubernetes.cri-o.ContainerID", c ? c->id : s->id },
                { "io.kubernetes.cri-o.ContainerName", c ? c->name : s->name },
                { "io.kubernetes.cri-o.Namespace", s->meta_namespace },
                { "io.kubernetes.cri-o.HostName", s->hostname },
                { "io.kubernetes.cri-o.LogPath", c ? c->log_path : NULL },
                { "io.kubernetes.cri-o.Image", c ? c->image : NULL },
                { "io.kubernetes.cri-o.ImageRef", c ? c->image_ref : NULL },
                { "io.kubernetes.cri-o.RuntimeHandler", s->runtime_handler },
                { "io.kubernetes.cri-o.Attempt", attempt },
                { "io.kubernetes.pod.name", s->meta_name },
                { "io.kubernetes.pod.namespace", s->meta_namespace },
                { "io.kubernetes.pod.uid", s->meta_uid },
                { "io.kubernetes.container.name", c ? c->meta_name : "POD" },
        };
        for (size_t i = 0; i < ELEMENTSOF(kv); i++) {
                if (!kv[i][1])
                        continue;
                int r = annotate(spec, kv[i][0], kv[i][1], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cri_spec_join_pod_namespaces(OciSpec *spec, const RtSandbox *s, CrioError *err) {
        int r = 0;
        if (s->netns_path) {
                if ((r = oci_spec_set_namespace(spec, OCI_NS_NETWORK, s->netns_path, err)) < 0 ||
                    (r = oci_spec_set_namespace(spec, OCI_NS_UTS, s->utsns_path, err)) < 0 ||
                    (r = oci_spec_set_hostname(spec, s->hostname, err)) < 0)
                        return r;
        } else {
                oci_spec_remove_namespace(spec, OCI_NS_NETWORK);
                oci_spec_remove_namespace(spec, OCI_NS_UTS);
        }
        if (s->ipcns_path)
                return oci_spec_set_namespace(spec, OCI_NS_IPC, s->ipcns_path, err);
        oci_spec_remove_namespace(spec, OCI_NS_IPC);
        return 0;
}
