/* CRI LinuxContainerResources -> linux.resources of the OCI spec, for CreateContainer and
 * UpdateContainerResources alike (cri_spec_set_linux_resources in ctr-spec.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cri/ctr-spec.h"
#include "cri/spec-common.h"
#include "runtime/cgroup.h"
#include "util/log.h"

#define CPU_PERIOD_DEFAULT 100000
#define HUGEPAGES_SYSFS "/sys/kernel/mm/hugepages"

static bool memsw_available(void) {
        return access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0;
}

/* "2MB" -> 2048, "1GB" -> 1048576, "64KB" -> 64 (kB, as sysfs names the sizes); 0 for
 * anything else. */
static uint64_t page_size_kb(const char *s) {
        size_t digits = strspn(s, "0123456789");
        if (digits == 0 || digits > 7 || s[0] == '0')
                return 0;
        uint64_t n = strtoull(s, NULL, 10);
        const char *unit = s + digits;
        return strcmp(unit, "KB") == 0 ? n : strcmp(unit, "MB") == 0 ? n << 10 : strcmp(unit, "GB") == 0 ? n << 20 : 0;
}

/* Each size must be one the host offers. Without a hugetlb controller for runc to write to,
 * the limits are left out (as CRI-O does: the kubelet sends a limit for every size the node
 * has, so refusing would refuse every container there). */
static int set_hugepages(OciSpec *spec, const Runtime__V1__LinuxContainerResources *res, CgroupMode mode,
                         CrioError *err) {
        if (res->n_hugepage_limits == 0)
                return 0;
        bool controller = cgroup_has_controller(mode, "hugetlb");
        int r;
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                const Runtime__V1__HugepageLimit *h = res->hugepage_limits[i];
                const char *size = h->page_size ? h->page_size : "";
                uint64_t kb = page_size_kb(size);
                if (kb == 0)
                        return crio_error_set(err, EINVAL, "hugepage size \"%s\" is not a size like \"2MB\" or \"1GB\"", size);
                char path[sizeof(HUGEPAGES_SYSFS) + 48];
                snprintf(path, sizeof path, "%s/hugepages-%" PRIu64 "kB", HUGEPAGES_SYSFS, kb);
                if (access(path, F_OK) < 0)
                        return crio_error_set(err, EINVAL, "hugepage size %s is not offered by this host (no %s)", size, path);
                if (controller && (r = oci_spec_add_hugepage_limit(spec, size, h->limit, err)) < 0)
                        return r;
        }
        if (!controller)
                log_debug("no hugetlb cgroup controller (cgroup %s): hugepage limits left out", cgroup_mode_to_string(mode));
        return 0;
}

/* unified holds cgroup v2 files: runc refuses them on v1 (and in hybrid mode, where it
 * drives the v1 hierarchies), so they are refused here, naming the first key. */
static int set_unified(OciSpec *spec, const Runtime__V1__LinuxContainerResources *res, CgroupMode mode,
                       CrioError *err) {
        int r;
        if (res->n_unified == 0)
                return 0;
        if (mode != CGROUP_MODE_UNIFIED)
                return crio_error_set(err, EINVAL,
                                      "unified resource \"%s\" needs cgroup v2, and containers on this node get cgroup v1 "
                                      "(%s mode)",
                                      res->unified[0]->key ? res->unified[0]->key : "", cgroup_mode_to_string(mode));
        for (size_t i = 0; i < res->n_unified; i++)
                if ((r = oci_spec_set_unified(spec, res->unified[i]->key, res->unified[i]->value, err)) < 0)
                        return r;
        return 0;
}

int cri_spec_set_linux_resources(OciSpec *spec, const Runtime__V1__LinuxContainerResources *res, CrioError *err) {
        int r;
        if (!res)
                return oci_spec_set_oom_score_adj(spec, cri_oom_score_adj_clamp(0), err);
        if (res->cpu_shares < 0 || res->cpu_quota < -1 || res->cpu_period < 0 || res->memory_limit_in_bytes < 0)
                return crio_error_set(err, EINVAL, "negative cpu or memory resources");
        if (res->cpu_shares > 0 && (r = oci_spec_set_cpu_shares(spec, (uint64_t) res->cpu_shares, err)) < 0)
                return r;
        if (res->cpu_quota > 0 &&
            (r = oci_spec_set_cpu_quota(spec, res->cpu_quota, res->cpu_period > 0 ? (uint64_t) res->cpu_period : CPU_PERIOD_DEFAULT,
                                        err)) < 0)
                return r;
        if (((res->cpuset_cpus && res->cpuset_cpus[0]) || (res->cpuset_mems && res->cpuset_mems[0])) &&
            (r = oci_spec_set_cpuset(spec, res->cpuset_cpus && res->cpuset_cpus[0] ? res->cpuset_cpus : NULL,
                                     res->cpuset_mems && res->cpuset_mems[0] ? res->cpuset_mems : NULL, err)) < 0)
                return r;
        if (res->memory_limit_in_bytes > 0) {
                int64_t swap = 0;
                if (memsw_available())
                        swap = res->memory_swap_limit_in_bytes > 0 ? res->memory_swap_limit_in_bytes : res->memory_limit_in_bytes;
                if ((r = oci_spec_set_memory(spec, res->memory_limit_in_bytes, swap, err)) < 0)
                        return r;
        }
        if (res->n_hugepage_limits > 0 || res->n_unified > 0) {
                CgroupMode mode;
                if ((r = cgroup_mode_detect(&mode, err)) < 0 || (r = set_hugepages(spec, res, mode, err)) < 0 ||
                    (r = set_unified(spec, res, mode, err)) < 0)
                        return r;
        }
        if (res->oom_score_adj < -1000 || res->oom_score_adj > 1000)
                return crio_error_set(err, EINVAL, "oom_score_adj %" PRId64 " is outside -1000..1000", res->oom_score_adj);
        return oci_spec_set_oom_score_adj(spec, cri_oom_score_adj_clamp((int) res->oom_score_adj), err);
}
