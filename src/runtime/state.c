/* The index of pods and containers, their references, names, IDs and records (state.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "runtime/events.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

int64_t rt_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const char *rt_pairs_get(char *const *pairs, const char *key) {
        for (size_t i = 0; pairs && pairs[i] && pairs[i + 1]; i += 2)
                if (strcmp(pairs[i], key) == 0)
                        return pairs[i + 1];
        return NULL;
}

RtContainer *rt_container_new(void) {
        RtContainer *c = calloc(1, sizeof *c);
        if (c)
                c->refs = 1;
        return c;
}

RtSandbox *rt_sandbox_new(void) {
        RtSandbox *s = calloc(1, sizeof *s);
        if (s)
                s->refs = 1;
        return s;
}

/* References are changed with rt->lock held or on records no other thread can see. */
RtContainer *rt_container_ref(RtContainer *c) {
        if (c)
                __atomic_add_fetch(&c->refs, 1, __ATOMIC_SEQ_CST);
        return c;
}

void rt_container_unref(RtContainer *c) {
        if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_SEQ_CST) > 0)
                return;
        rt_container_free_fields(c);
        free(c);
}

RtSandbox *rt_sandbox_ref(RtSandbox *s) {
        if (s)
                __atomic_add_fetch(&s->refs, 1, __ATOMIC_SEQ_CST);
        return s;
}

void rt_sandbox_unref(RtSandbox *s) {
        if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_SEQ_CST) > 0)
                return;
        rt_sandbox_free_fields(s);
        free(s);
}

/* Finds by exact key, else by unique prefix. */
static int find_locked(GHashTable *t, const char *what, const char *key, bool (*skip)(void *), void **ret,
                       CrioError *err) {
        if (!key || !key[0])
                return crio_error_set(err, EINVAL, "no %s ID given", what);
        void *v = g_hash_table_lookup(t, key);
        if (v && (!skip || !skip(v))) {
                *ret = v;
                return 0;
        }
        size_t len = strlen(key);
        void *found = NULL;
        GHashTableIter it;
        gpointer k, val;
        g_hash_table_iter_init(&it, t);
        while (g_hash_table_iter_next(&it, &k, &val)) {
                if (strncmp(k, key, len) != 0 || (skip && skip(val)))
                        continue;
                if (found)
                        return crio_error_set(err, ENOTUNIQ, "%s ID prefix %s is ambiguous", what, key);
                found = val;
        }
        if (!found)
                return crio_error_set(err, ENOENT, "%s %s not found", what, key);
        *ret = found;
        return 0;
}

static bool is_infra(void *c) {
        return ((RtContainer *) c)->infra;
}

int rt_find_sandbox_locked(Rt *rt, const char *key, RtSandbox **ret, CrioError *err) {
        return find_locked(rt->sandboxes, "pod sandbox", key, NULL, (void **) ret, err);
}

int rt_find_container_locked(Rt *rt, const char *key, bool with_infra, RtContainer **ret, CrioError *err) {
        return find_locked(rt->containers, "container", key, with_infra ? NULL : is_infra, (void **) ret, err);
}

int rt_op_begin_locked(Rt *rt, bool *busy, const bool *removed, const char *what, const char *id, CrioError *err) {
        while (*busy && !*removed)
                pthread_cond_wait(&rt->changed, &rt->lock);
        if (*removed)
                return crio_error_set(err, ENOENT, "%s %s not found (removed)", what, id);
        *busy = true;
        return 0;
}

void rt_op_end(Rt *rt, bool *busy) {
        pthread_mutex_lock(&rt->lock);
        *busy = false;
        pthread_cond_broadcast(&rt->changed);
        pthread_mutex_unlock(&rt->lock);
}

int rt_name_reserve_locked(Rt *rt, const char *name, const char *id, CrioError *err) {
        const char *holder = g_hash_table_lookup(rt->names, name);
        if (holder && strcmp(holder, id) != 0)
                return crio_error_set(err, EEXIST, "the name %s is reserved for %s", name, holder);
        g_hash_table_replace(rt->names, g_strdup(name), g_strdup(id));
        return 0;
}

void rt_name_release_locked(Rt *rt, const char *name, const char *id) {
        const char *holder = name ? g_hash_table_lookup(rt->names, name) : NULL;
        if (holder && strcmp(holder, id) == 0)
                g_hash_table_remove(rt->names, name);
}

int rt_new_id_locked(Rt *rt, char ret[RT_ID_LEN + 1]) {
        for (;;) {
                unsigned char b[RT_ID_LEN / 2];
                if (getrandom(b, sizeof b, 0) != (ssize_t) sizeof b)
                        return -errno;
                for (size_t i = 0; i < sizeof b; i++)
                        snprintf(ret + 2 * i, 3, "%02x", b[i]);
                if (!g_hash_table_contains(rt->sandboxes, ret) && !g_hash_table_contains(rt->containers, ret))
                        return 0;
        }
}

void rt_add_container_locked(Rt *rt, RtContainer *c) {
        g_hash_table_replace(rt->containers, c->id, rt_container_ref(c));
}

void rt_add_sandbox_locked(Rt *rt, RtSandbox *s) {
        g_hash_table_replace(rt->sandboxes, s->id, rt_sandbox_ref(s));
}

void rt_remove_container_locked(Rt *rt, RtContainer *c) {
        if (g_hash_table_lookup(rt->containers, c->id) == c) {
                c->removed = true;
                g_hash_table_steal(rt->containers, c->id);
                rt_name_release_locked(rt, c->name, c->id);
                pthread_cond_broadcast(&rt->changed);
                rt_container_unref(c);
        }
}

void rt_remove_sandbox_locked(Rt *rt, RtSandbox *s) {
        if (g_hash_table_lookup(rt->sandboxes, s->id) == s) {
                s->removed = true;
                g_hash_table_steal(rt->sandboxes, s->id);
                rt_name_release_locked(rt, s->name, s->id);
                pthread_cond_broadcast(&rt->changed);
                rt_sandbox_unref(s);
        }
}

/* A record is written only if the reader takes it back (RT_RECORD_MAX_SIZE, RT_RECORD_MAX_LIST):
 * else a restart would lose the pod or container. -EINVAL naming what is too big. */
static int check_readable(const char *json, const char *id, bool container, CrioError *err) {
        size_t len = strlen(json);
        if (len > RT_RECORD_MAX_SIZE)
                return crio_error_set(err, EINVAL,
                                      "the record of %s %s would be %zu bytes, more than %u: too many or too large "
                                      "labels, annotations or mounts",
                                      container ? "container" : "pod", id, len, RT_RECORD_MAX_SIZE);
        _cleanup_(crio_error_clear) CrioError e = { 0 };
        int r;
        if (container) {
                RtContainer *c = NULL;
                if ((r = rt_container_from_json(json, len, &c, &e)) >= 0)
                        rt_container_unref(c);
        } else {
                RtSandbox *s = NULL;
                if ((r = rt_sandbox_from_json(json, len, &s, &e)) >= 0)
                        rt_sandbox_unref(s);
        }
        if (r < 0)
                return crio_error_set(err, EINVAL, "the record of %s %s could not be read back: %s",
                                      container ? "container" : "pod", id, e.msg ? e.msg : "invalid");
        return 0;
}

/* Serialises under rt->lock, writes under persist_lock only: the last writer always writes
 * the state current when it took the lock. A removed record is not written again. */
static int save(Rt *rt, const char *dir, const char *id, void *rec, bool container, CrioError *err) {
        pthread_mutex_lock(&rt->persist_lock);
        pthread_mutex_lock(&rt->lock);
        bool removed = container ? ((RtContainer *) rec)->removed : ((RtSandbox *) rec)->removed;
        char *json = removed ? NULL : container ? rt_container_to_json(rec) : rt_sandbox_to_json(rec);
        pthread_mutex_unlock(&rt->lock);
        int r = 0;
        if (!removed) {
                _cleanup_free_ char *path = NULL;
                if (!json || asprintf(&path, "%s/%s/state.json", dir, id) < 0)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                else if ((r = check_readable(json, id, container, err)) >= 0)
                        r = write_file_atomic(path, json, strlen(json), 0600, err);
        }
        pthread_mutex_unlock(&rt->persist_lock);
        free(json);
        return r;
}

int rt_container_save(Rt *rt, RtContainer *c, CrioError *err) {
        return save(rt, rt->ctrs_dir, c->id, c, true, err);
}

int rt_sandbox_save(Rt *rt, RtSandbox *s, CrioError *err) {
        return save(rt, rt->pods_dir, s->id, s, false, err);
}

static void container_unref_v(gpointer p) {
        rt_container_unref(p);
}
static void sandbox_unref_v(gpointer p) {
        rt_sandbox_unref(p);
}

static void options_free(RtOptions *o) {
        free((char *) o->state_dir);
        free((char *) o->exits_dir);
        free((char *) o->attach_dir);
        free((char *) o->namespaces_dir);
        free((char *) o->conmon);
        strv_free((char **) o->conmon_env);
        free((char *) o->pinns);
        free((char *) o->pause);
        free((char *) o->log_level);
        free((char *) o->conmon_cgroup);
}

static int options_copy(RtOptions *d, const RtOptions *o) {
        *d = (RtOptions){
                .state_dir = strdup_or_null(o->state_dir),
                .exits_dir = strdup_or_null(o->exits_dir),
                .attach_dir = strdup_or_null(o->attach_dir),
                .namespaces_dir = strdup_or_null(o->namespaces_dir),
                .conmon = strdup_or_null(o->conmon),
                .conmon_env = o->conmon_env ? strv_copy(o->conmon_env) : NULL,
                .pinns = strdup_or_null(o->pinns),
                .pause = strdup_or_null(o->pause),
                .log_size_max = o->log_size_max,
                .log_level = strdup_or_null(o->log_level),
                .cgroup_manager = o->cgroup_manager,
                .conmon_cgroup = strdup_or_null(o->conmon_cgroup),
        };
        if (!d->state_dir || !d->exits_dir || !d->attach_dir || !d->namespaces_dir || !d->conmon || !d->pinns ||
            !d->pause || (o->conmon_env && !d->conmon_env) || (o->log_level && !d->log_level) ||
            (o->conmon_cgroup && !d->conmon_cgroup))
                return -ENOMEM;
        return 0;
}

int rt_restore(Rt *rt, CrioError *err);
int rt_exit_watch_start(Rt *rt, CrioError *err);
void rt_exit_watch_stop(Rt *rt);

int rt_new(const RtOptions *o, Store *store, Rt **ret, CrioError *err) {
        Rt *rt = calloc(1, sizeof *rt);
        if (!rt)
                return crio_error_set(err, ENOMEM, "out of memory");
        pthread_mutex_init(&rt->lock, NULL);
        pthread_mutex_init(&rt->persist_lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&rt->changed, &ca);
        pthread_condattr_destroy(&ca);
        rt->exit_watch_fd = rt->exit_stop_fd = -1;
        rt->store = store;
        rt->sandboxes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, sandbox_unref_v);
        rt->containers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, container_unref_v);
        rt->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        int r = options_copy(&rt->o, o);
        if (r < 0 || asprintf(&rt->pods_dir, "%s/pods", o->state_dir) < 0 ||
            asprintf(&rt->ctrs_dir, "%s/containers", o->state_dir) < 0 || !(rt->events = rt_events_new())) {
                rt_free(rt);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        if ((r = mkdir_p(rt->pods_dir, 0700, err)) < 0 || (r = mkdir_p(rt->ctrs_dir, 0700, err)) < 0 ||
            (r = mkdir_p(o->exits_dir, 0700, err)) < 0 || (r = mkdir_p(o->attach_dir, 0700, err)) < 0 ||
            (r = rt_exit_watch_start(rt, err)) < 0 || (r = rt_restore(rt, err)) < 0) {
                rt_free(rt);
                return r;
        }
        *ret = rt;
        return 0;
}

void rt_free(Rt *rt) {
        if (!rt)
                return;
        rt_exit_watch_stop(rt);
        if (rt->containers)
                g_hash_table_destroy(rt->containers);
        if (rt->sandboxes)
                g_hash_table_destroy(rt->sandboxes);
        if (rt->names)
                g_hash_table_destroy(rt->names);
        rt_events_free(rt->events);
        options_free(&rt->o);
        free(rt->pods_dir);
        free(rt->ctrs_dir);
        pthread_mutex_destroy(&rt->lock);
        pthread_mutex_destroy(&rt->persist_lock);
        pthread_cond_destroy(&rt->changed);
        free(rt);
}
