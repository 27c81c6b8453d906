/* Slices and scopes of the systemd cgroup manager: naming and expansion. See cgroup.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/strv.h"

#define SLICE_SUFFIX ".slice"

static bool unit_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
               c == '.' || c == '-' || c == '\\';
}

int cgroup_systemd_slice_check(const char *slice, CrioError *err) {
        size_t len = slice ? strlen(slice) : 0;
        if (len > CGROUP_UNIT_NAME_MAX)
                return crio_error_set(err, EINVAL, "slice \"%.64s...\" is longer than %d bytes", slice,
                                      CGROUP_UNIT_NAME_MAX);
        if (len <= strlen(SLICE_SUFFIX) || !str_endswith(slice, SLICE_SUFFIX))
                return crio_error_set(err, EINVAL, "\"%s\" is not a systemd slice (\"<name>.slice\")", slice ? slice : "");
        if (strcmp(slice, "-" SLICE_SUFFIX) == 0)
                return 0;
        size_t n = len - strlen(SLICE_SUFFIX);
        for (size_t i = 0; i < n; i++)
                if (!unit_char(slice[i]))
                        return crio_error_set(err, EINVAL, "slice \"%s\" holds a character systemd refuses in a unit name",
                                              slice);
        if (slice[0] == '-' || slice[n - 1] == '-' || memmem(slice, n, "--", 2))
                return crio_error_set(err, EINVAL,
                                      "slice \"%s\": a '-' may not start or end the name, nor follow another '-'", slice);
        return 0;
}

int cgroup_systemd_slice_expand(const char *slice, char **ret, CrioError *err) {
        int r = cgroup_systemd_slice_check(slice, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *out = NULL;
        if (strcmp(slice, "-" SLICE_SUFFIX) == 0) {
                if (!(out = strdup("/")))
                        return crio_error_set(err, ENOMEM, "out of memory");
                *ret = TAKE_PTR(out);
                return 0;
        }
        /* One component per '-'-separated prefix: "a-b.slice" -> "/a.slice/a-b.slice". */
        size_t n = strlen(slice) - strlen(SLICE_SUFFIX), cap = 0;
        for (size_t i = 0; i <= n; i++)
                if (i == n || slice[i] == '-')
                        cap += 1 + i + strlen(SLICE_SUFFIX);
        if (cap > CGROUP_PATH_MAX)
                return crio_error_set(err, EINVAL, "slice \"%s\" expands to more than %d bytes", slice, CGROUP_PATH_MAX);
        if (!(out = malloc(cap + 1)))
                return crio_error_set(err, ENOMEM, "out of memory");
        size_t o = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i != n && slice[i] != '-')
                        continue;
                out[o++] = '/';
                memcpy(out + o, slice, i);
                o += i;
                memcpy(out + o, SLICE_SUFFIX, strlen(SLICE_SUFFIX));
                o += strlen(SLICE_SUFFIX);
        }
        out[o] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

int cgroup_systemd_parent_normalize(const char *cgroup_parent, char **ret, CrioError *err) {
        if (!cgroup_parent || !*cgroup_parent)
                cgroup_parent = CGROUP_SYSTEMD_DEFAULT_SLICE;
        /* The kubelet's systemd driver names the pod's slice; CRI-O also takes a path to it. */
        const char *slash = strrchr(cgroup_parent, '/');
        const char *base = slash ? slash + 1 : cgroup_parent;
        _cleanup_free_ char *expanded = NULL;
        int r = cgroup_systemd_slice_expand(base, &expanded, err);
        if (r < 0)
                return crio_error_prefix(err,
                                         "cgroup_parent \"%s\": crio's cgroup_manager is systemd, which needs a slice "
                                         "(the kubelet's cgroup driver must match): ",
                                         cgroup_parent);
        char *d = strdup(base);
        if (!d)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = d;
        return 0;
}

int cgroup_conmon_check(CgroupManager m, const char *conmon_cgroup, CrioError *err) {
        if (!conmon_cgroup || !*conmon_cgroup || strcmp(conmon_cgroup, "pod") == 0)
                return 0;
        if (m == CGROUP_MANAGER_CGROUPFS)
                return crio_error_set(err, EINVAL,
                                      "conmon_cgroup \"%s\": with cgroup_manager \"cgroupfs\" conmon goes to the pod's "
                                      "cgroup: only \"pod\" is accepted",
                                      conmon_cgroup);
        int r = cgroup_systemd_slice_check(conmon_cgroup, err);
        return r < 0 ? crio_error_prefix(err, "conmon_cgroup: ") : 0;
}
