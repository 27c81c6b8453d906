/* Fuzz target: any bytes as the text of /proc/<pid>/cgroup, and as a CRI cgroup_parent or a
 * slice name, are accepted or refused with a message, never a crash, a hang or a leak.
 * A parsed list has at most CGROUP_PROC_ENTRIES_MAX entries, each path starting with '/';
 * a normalized parent passes the checks of its manager, and normalizing it again changes
 * nothing (cgroupfs) or it expands within CGROUP_PATH_MAX (systemd). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup.h"

static void check_proc(const char *text) {
        CrioError err = {};
        CgroupProcList l = { .n = 12345 };
        if (cgroup_proc_parse(text, &l, &err) < 0) {
                if (!err.msg || l.n != 12345 || l.entries)
                        abort();
                crio_error_clear(&err);
                return;
        }
        if (err.msg || l.n > CGROUP_PROC_ENTRIES_MAX || (l.n > 0 && !l.entries))
                abort();
        for (size_t i = 0; i < l.n; i++)
                if (!l.entries[i].controllers || !l.entries[i].path || l.entries[i].path[0] != '/' ||
                    strchr(l.entries[i].path, '\n'))
                        abort();
        (void) cgroup_proc_list_find(&l, "");
        (void) cgroup_proc_list_find(&l, "memory");
        (void) cgroup_proc_list_find(&l, "name=systemd");
        cgroup_proc_list_clear(&l);
}

/* Whether the call that returned r succeeded; a failure must say why and leave *ret alone. */
static bool outcome(int r, char *const *ret, CrioError *err) {
        if (r < 0) {
                if (!err->msg || *ret)
                        abort();
                crio_error_clear(err);
                return false;
        }
        if (err->msg || !*ret)
                abort();
        return true;
}

static void check_string(const char *s) {
        CrioError err = {};
        if (cgroup_path_check(s, &err) < 0) {
                if (!err.msg)
                        abort();
                crio_error_clear(&err);
        }

        char *expanded = NULL;
        int r = cgroup_systemd_slice_expand(s, &expanded, &err);
        if (outcome(r, &expanded, &err)) {
                if (expanded[0] != '/' || strlen(expanded) > CGROUP_PATH_MAX || cgroup_path_check(expanded, NULL) < 0)
                        abort();
                free(expanded);
        }

        char *parent = NULL;
        r = cgroup_parent_normalize(CGROUP_MANAGER_CGROUPFS, s, &parent, &err);
        if (outcome(r, &parent, &err)) {
                if (cgroup_path_check(parent, NULL) < 0 || cgroup_parent_manager(parent) != CGROUP_MANAGER_CGROUPFS)
                        abort();
                char *again = NULL;
                if (cgroup_parent_normalize(CGROUP_MANAGER_CGROUPFS, parent, &again, NULL) < 0 || strcmp(again, parent) != 0)
                        abort(); /* normalizing is idempotent */
                free(again);
                free(parent);
        }

        parent = NULL;
        r = cgroup_parent_normalize(CGROUP_MANAGER_SYSTEMD, s, &parent, &err);
        if (outcome(r, &parent, &err)) {
                if (cgroup_systemd_slice_check(parent, NULL) < 0 || strchr(parent, '/') ||
                    cgroup_parent_manager(parent) != CGROUP_MANAGER_SYSTEMD)
                        abort();
                char *dir = NULL; /* may be too long with the scope added: refused, not truncated */
                r = cgroup_container_dir(parent, "0123456789abcdef", &dir, &err);
                if (outcome(r, &dir, &err) && cgroup_path_check(dir, NULL) < 0)
                        abort();
                free(dir);
                free(parent);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > CGROUP_PROC_FILE_MAX)
                return 0;
        char *text = malloc(size + 1);
        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';
        check_proc(text);
        if (size <= 2 * CGROUP_PATH_MAX)
                check_string(text);
        free(text);
        return 0;
}
