/* Start-up: every pod and container recorded under state_dir comes back, with exits that
 * conmon recorded while crio was down. Running containers are not touched. Directories
 * without a record (a create or remove cut short by a crash) are cleaned up. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/selinux.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/rmrf.h"
#include "util/spawn.h"

int rt_restore(Rt *rt, CrioError *err);

static bool is_id(const char *s) {
        if (strlen(s) != RT_ID_LEN)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

/* A container directory without a record: whatever runtime state, layer and exit file it
 * may have had goes. The runtime is unknown here: runc's default root is tried. */
static void clean_orphan_container(Rt *rt, const char *id, const char *dir) {
        log_info("removing the remains of container %s (no record: a create or remove was cut short)", id);
        StoreContainer *sc = NULL;
        if (store_container_get(rt->store, id, &sc, NULL) >= 0) {
                store_container_free(sc);
                (void) store_container_unmount(rt->store, id, true, NULL);
                (void) store_container_delete(rt->store, id, NULL);
        }
        (void) rm_rf(dir, NULL);
        _cleanup_free_ char *exit_file = NULL;
        if (asprintf(&exit_file, "%s/%s", rt->o.exits_dir, id) >= 0)
                (void) unlink(exit_file);
}

static void clean_orphan_pod(Rt *rt, const char *id, const char *dir) {
        log_info("removing the remains of pod %s (no record)", id);
        _cleanup_free_ char *shm = NULL;
        if (asprintf(&shm, "%s/shm", dir) >= 0)
                (void) umount2(shm, MNT_DETACH);
        char *argv[] = { (char *) rt->o.pinns, "--remove", "--dir", (char *) rt->o.namespaces_dir, "--name", (char *) id,
                         NULL };
        _cleanup_(spawn_result_clear) SpawnResult res = { 0 };
        SpawnOptions o = { .argv = argv, .stdin_fd = -1, .timeout_ms = 30000 };
        (void) spawn_run(&o, &res, NULL);
        (void) rm_rf(dir, NULL);
}

typedef int (*LoadFn)(Rt *rt, const char *id, const char *dir, const char *data, size_t len, CrioError *err);

static int scan(Rt *rt, const char *base, LoadFn load, void (*orphan)(Rt *, const char *, const char *)) {
        _cleanup_closedir_ DIR *d = opendir(base);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (!is_id(e->d_name))
                        continue;
                _cleanup_free_ char *dir = NULL, *rec = NULL, *data = NULL;
                if (asprintf(&dir, "%s/%s", base, e->d_name) < 0 || asprintf(&rec, "%s/state.json", dir) < 0)
                        return -ENOMEM;
                size_t len = 0;
                _cleanup_(crio_error_clear) CrioError e2 = { 0 };
                int r = read_file(rec, RT_RECORD_MAX_SIZE, &data, &len, &e2);
                if (r == -ENOENT) {
                        orphan(rt, e->d_name, dir);
                        continue;
                }
                if (r >= 0)
                        r = load(rt, e->d_name, dir, data, len, &e2);
                if (r < 0)
                        log_error("cannot restore %s: %s (left in place)", dir, e2.msg ? e2.msg : strerror(-r));
        }
        return 0;
}

static int load_sandbox(Rt *rt, const char *id, const char *dir, const char *data, size_t len, CrioError *err) {
        (void) dir;
        RtSandbox *s = NULL;
        int r = rt_sandbox_from_json(data, len, &s, err);
        if (r < 0)
                return r;
        if (strcmp(s->id, id) != 0) {
                rt_sandbox_unref(s);
                return crio_error_set(err, EINVAL, "the record names pod %s", s->id);
        }
        pthread_mutex_lock(&rt->lock);
        r = rt_name_reserve_locked(rt, s->name, s->id, err);
        if (r >= 0)
                rt_add_sandbox_locked(rt, s);
        pthread_mutex_unlock(&rt->lock);
        if (r >= 0) /* its SELinux level stays the pod's own */
                selinux_level_reserve(s->process_label);
        rt_sandbox_unref(s);
        return r;
}

static int load_container(Rt *rt, const char *id, const char *dir, const char *data, size_t len, CrioError *err) {
        RtContainer *c = NULL;
        int r = rt_container_from_json(data, len, &c, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&rt->lock);
        if (strcmp(c->id, id) != 0)
                r = crio_error_set(err, EINVAL, "the record names container %s", c->id);
        else if (!g_hash_table_contains(rt->sandboxes, c->sandbox_id)) {
                /* Its pod's creation or removal was cut short: the container goes too. */
                pthread_mutex_unlock(&rt->lock);
                OciRuntime ort = rt_container_runtime(c);
                (void) oci_runtime_delete(&ort, c->id, true, NULL);
                clean_orphan_container(rt, id, dir);
                rt_container_unref(c);
                return 0;
        }
        if (r >= 0)
                r = rt_name_reserve_locked(rt, c->name, c->id, err);
        if (r >= 0)
                rt_add_container_locked(rt, c);
        pthread_mutex_unlock(&rt->lock);
        rt_container_unref(c);
        return r;
}

/* A created or running container whose exit file is not there: alive if conmon is. */
static void check_alive(Rt *rt) {
        pthread_mutex_lock(&rt->lock);
        GPtrArray *lost = g_ptr_array_new();
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, rt->containers);
        while (g_hash_table_iter_next(&it, &k, &v)) {
                RtContainer *c = v;
                if (c->state == RT_CTR_EXITED)
                        continue;
                if (c->conmon_pid > 0 && kill(c->conmon_pid, 0) == 0)
                        continue;
                g_ptr_array_add(lost, rt_container_ref(c));
        }
        pthread_mutex_unlock(&rt->lock);
        for (guint i = 0; i < lost->len; i++) {
                RtContainer *c = lost->pdata[i];
                if (rt_container_check_exit(rt, c->id) > 0) {
                        rt_container_unref(c);
                        continue;
                }
                pthread_mutex_lock(&rt->lock);
                bool changed = rt_container_set_exited_locked(rt, c, 255, rt_now(), false);
                if (changed) {
                        free(c->message);
                        c->message = strdup("conmon is gone and recorded no exit code (was the node rebooted?)");
                }
                pthread_mutex_unlock(&rt->lock);
                if (changed) {
                        log_info("container %s: conmon is gone, no exit code: marked exited", c->id);
                        (void) rt_container_save(rt, c, NULL);
                }
                rt_container_unref(c);
        }
        g_ptr_array_free(lost, TRUE);
}

int rt_restore(Rt *rt, CrioError *err) {
        int r = scan(rt, rt->pods_dir, load_sandbox, clean_orphan_pod);
        if (r >= 0)
                r = scan(rt, rt->ctrs_dir, load_container, clean_orphan_container);
        if (r < 0)
                return crio_error_set_errno(err, -r, "restoring pods and containers from %s", rt->o.state_dir);
        rt_check_all_exits(rt);
        check_alive(rt);
        log_info("restored %u pods and %u containers", g_hash_table_size(rt->sandboxes),
                 g_hash_table_size(rt->containers));
        return 0;
}
