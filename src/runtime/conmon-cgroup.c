/* Where conmon goes once it has reported its container (crio.conf conmon_cgroup), as CRI-O
 * does: under cgroupfs the cgroup "<pod parent>/crio-conmon-<id>" in every hierarchy,
 * removed with the container; under systemd the scope "crio-conmon-<id>.scope" in the pod's
 * slice (conmon_cgroup "pod") or the slice conmon_cgroup names, which systemd removes once
 * conmon is gone. Either way conmon leaves crio's own cgroup, so that stopping crio's
 * service (systemd kills its whole cgroup) never takes the conmons with it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup.h"
#include "runtime/lifecycle.h"
#include "runtime/systemd-scope.h"
#include "util/cleanup.h"
#include "util/log.h"

int rt_conmon_cgroup_join(Rt *rt, const RtSandbox *s, RtContainer *c, CrioError *err) {
        if (c->conmon_pid <= 0)
                return crio_error_set(err, ESRCH, "conmon of %s wrote no pid file: it cannot be put in its cgroup", c->id);
        const char *want = rt->o.conmon_cgroup;
        bool pod = !want || !*want || strcmp(want, "pod") == 0;
        if (cgroup_parent_manager(s->cgroup_parent) == CGROUP_MANAGER_SYSTEMD) {
                _cleanup_free_ char *scope = NULL;
                if (asprintf(&scope, CGROUP_CONMON_PREFIX "%s.scope", c->id) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                return systemd_scope_start(pod ? s->cgroup_parent : want, scope, c->conmon_pid, "crio conmon", err);
        }
        _cleanup_free_ char *dir = NULL;
        int r = cgroup_conmon_dir(s->cgroup_parent, c->id, &dir, err);
        if (r < 0)
                return r;
        /* Recorded first: a failure below leaves a cgroup that removal cleans. */
        free(c->conmon_cgroup);
        c->conmon_cgroup = strdup(dir);
        if (!c->conmon_cgroup)
                return crio_error_set(err, ENOMEM, "out of memory");
        if ((r = cgroup_create(dir, err)) < 0 || (r = cgroup_attach(dir, c->conmon_pid, err)) < 0)
                return crio_error_prefix(err, "putting conmon of %s in its cgroup: ", c->id);
        return 0;
}

void rt_conmon_cgroup_remove(RtContainer *c) {
        if (!c->conmon_cgroup || !*c->conmon_cgroup)
                return;
        _cleanup_(crio_error_clear) CrioError e = { 0 };
        /* conmon exits a moment after the container (it drains the logs first): removal
         * retries a cgroup that is still busy for a while. */
        if (cgroup_remove(c->conmon_cgroup, &e) < 0)
                log_warn("container %s: conmon's cgroup left behind: %s", c->id, e.msg);
}
