/* Pods and containers: the records, the index, and where they live on disk.
 *
 * One Rt per daemon holds every pod sandbox (RtSandbox) and container (RtContainer), each
 * with a record under state_dir (pods/<id>/state.json, containers/<id>/state.json) written
 * atomically whenever it changes, so that a restarted crio finds them all (restore.c).
 *
 * Locking: rt->lock guards the index and every field of every record. It is held only for
 * quick work in memory: never across a child process, a wait for a container, or a disk
 * write (records are written under rt->persist_lock, which nothing else waits on while
 * holding rt->lock). Lifecycle operations on one object are serialised by its busy flag
 * (rt_op_begin/rt_op_end wait on a condition variable, holding no lock while they wait).
 * Readers (Status, List) take rt->lock, copy what they need and let go.
 *
 * Records live as long as the index holds them; a caller that needs one after unlocking
 * takes a reference (rt_container_ref). */
#pragma once

#include <glib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "storage/store.h"
#include "runtime/cgroup.h"
#include "util/error.h"

#define RT_ID_LEN 64
#define RT_NAME_MAX 1024

/* CRI ContainerState values. */
typedef enum RtCtrState { RT_CTR_CREATED = 0, RT_CTR_RUNNING = 1, RT_CTR_EXITED = 2, RT_CTR_UNKNOWN = 3 } RtCtrState;
/* CRI PodSandboxState values. */
typedef enum RtPodState { RT_POD_READY = 0, RT_POD_NOTREADY = 1 } RtPodState;
/* CRI NamespaceMode values. */
typedef enum RtNsMode { RT_NS_POD = 0, RT_NS_CONTAINER = 1, RT_NS_NODE = 2, RT_NS_TARGET = 3 } RtNsMode;

typedef struct RtMount {
        char *container_path;
        char *host_path;
        bool readonly;
        bool selinux_relabel;
        int propagation; /* CRI MountPropagation */
} RtMount;

typedef struct RtContainer {
        int refs;
        char *id;
        char *name;       /* k8s_<container>_<pod>_<namespace>_<uid>_<attempt> */
        char *sandbox_id;
        bool infra;       /* the pod's infra container (not listed by ListContainers) */
        char *meta_name;
        uint32_t attempt;
        char *image;      /* the image as the request named it */
        char *image_id;   /* store image ID ("" for the built-in pause) */
        char *image_ref;  /* the image's repo digest, or its ID */
        char **labels;    /* "key", "value", ... (NULL-terminated) */
        char **annotations;
        char *log_path;
        char *runtime_handler; /* handler name */
        char *runtime_path;
        char *runtime_root;
        char *bundle;     /* state_dir/containers/<id> */
        bool has_layer;   /* a store container (read-write layer) exists under id */
        bool terminal;
        bool stdin_open, stdin_once;
        int stop_signal;
        RtMount *mounts;
        size_t n_mounts;
        char *resources;  /* linux.resources of the spec as JSON, for status and update */
        int64_t created_at, started_at, finished_at; /* ns since the epoch; 0 = not yet */
        RtCtrState state;
        int exit_code;
        bool oom;
        char *reason;
        char *message;
        pid_t pid;
        pid_t conmon_pid;
        char *conmon_cgroup; /* cgroupfs: the cgroup path conmon was put in, removed with the
                              * container; NULL under systemd (its scope goes by itself) */
        /* not recorded */
        bool busy;
        bool removed;
        bool starting;    /* StartContainer is between "runtime start" and RUNNING */
} RtContainer;

typedef struct RtSandbox {
        int refs;
        char *id;          /* also the infra container's ID */
        char *name;        /* k8s_<pod>_<namespace>_<uid>_<attempt> */
        char *meta_name, *meta_uid, *meta_namespace;
        uint32_t attempt;
        char **labels, **annotations;
        char *runtime_handler;
        char *hostname;
        char *log_dir;
        char *cgroup_parent;
        char *dir;         /* state_dir/pods/<id> */
        char *netns_path, *ipcns_path, *utsns_path; /* pinned namespaces, NULL when the host's */
        char *shm_path;    /* tmpfs for /dev/shm, NULL with the host's IPC */
        char *resolv_path, *hostname_path, *hosts_path;
        int ns_network, ns_pid, ns_ipc; /* RtNsMode */
        char *ns_target_id;
        char **ips;        /* pod IPs (CNI), NULL-terminated */
        int64_t created_at;
        RtPodState state;
        bool network_stopped; /* the network was torn down (StopPodSandbox ran) */
        /* SELinux (oci/selinux.h; NULL: none): the pod's labels, which its containers start
         * from. The level of process_label stays reserved while the record lives. */
        char *process_label, *mount_label;
        /* not recorded */
        bool busy;
        bool removed;
} RtSandbox;

typedef struct RtOptions {
        const char *state_dir;
        const char *exits_dir;
        const char *attach_dir;
        const char *namespaces_dir;
        const char *conmon;
        char *const *conmon_env;
        const char *pinns;      /* crio-pinns */
        const char *pause;      /* the built-in pause binary */
        int64_t log_size_max;
        const char *log_level;  /* passed to conmon */
        CgroupManager cgroup_manager; /* for new pods; a pod's record tells its own (cgroup.h) */
        const char *conmon_cgroup;    /* "pod", or (systemd) a slice; NULL: "pod" */
} RtOptions;

typedef struct RtEventQueue RtEventQueue;

typedef struct Rt {
        pthread_mutex_t lock;
        pthread_cond_t changed;   /* broadcast on every state change (exits, busy flags) */
        pthread_mutex_t persist_lock;
        GHashTable *sandboxes;  /* id -> RtSandbox* */
        GHashTable *containers; /* id -> RtContainer* (infra containers too) */
        GHashTable *names;      /* reserved name -> id (pods and containers) */
        Store *store;
        RtOptions o;             /* strings owned */
        char *pods_dir, *ctrs_dir;
        int exit_watch_fd;       /* inotify on exits_dir */
        int exit_stop_fd;        /* eventfd that ends the watcher */
        pthread_t exit_thread;
        bool exit_thread_running;
        RtEventQueue *events;
        struct Cni *cni;         /* pod networking (not owned); NULL: pods get no CNI network */
} Rt;

/* Creates the directories, restores the records found under state_dir (restore.c) and starts
 * the exit watcher. */
int rt_new(const RtOptions *o, Store *store, Rt **ret, CrioError *err);
void rt_free(Rt *rt);

/* Lookups by full ID or unique ID prefix, with rt->lock held. -ENOENT names the ID,
 * -ENOTUNIQ an ambiguous prefix. Containers: infra containers are not found unless
 * with_infra. */
int rt_find_sandbox_locked(Rt *rt, const char *key, RtSandbox **ret, CrioError *err);
int rt_find_container_locked(Rt *rt, const char *key, bool with_infra, RtContainer **ret, CrioError *err);

RtContainer *rt_container_ref(RtContainer *c);
void rt_container_unref(RtContainer *c);
RtSandbox *rt_sandbox_ref(RtSandbox *s);
void rt_sandbox_unref(RtSandbox *s);
static inline void rt_container_unrefp(RtContainer **c) {
        if (*c)
                rt_container_unref(*c);
}
/* SELinux, as CRI-O: a pod sharing the host's PID or IPC namespace gets no labels on its infra
 * container, /dev/shm and files (its record keeps them for its containers). */
static inline bool rt_sandbox_unlabelled(const RtSandbox *s) {
        return s->ns_pid == RT_NS_NODE || s->ns_ipc == RT_NS_NODE;
}
static inline void rt_sandbox_unrefp(RtSandbox **s) {
        if (*s)
                rt_sandbox_unref(*s);
}

/* Marks an object busy for one lifecycle operation, waiting (no lock held) while another
 * operation runs on it. Called with rt->lock held; returns with it held. -ENOENT if the
 * object was removed meanwhile. */
int rt_op_begin_locked(Rt *rt, bool *busy, const bool *removed, const char *what, const char *id, CrioError *err);
void rt_op_end(Rt *rt, bool *busy);

/* Names: reserve (-EEXIST naming the holder), release. With rt->lock held. */
int rt_name_reserve_locked(Rt *rt, const char *name, const char *id, CrioError *err);
void rt_name_release_locked(Rt *rt, const char *name, const char *id);

/* A fresh random 64-hex ID not used by any pod or container. */
int rt_new_id_locked(Rt *rt, char ret[RT_ID_LEN + 1]);

/* Writes the record of c / s (re-read under rt->lock, so the latest state is written). */
int rt_container_save(Rt *rt, RtContainer *c, CrioError *err);
int rt_sandbox_save(Rt *rt, RtSandbox *s, CrioError *err);

/* Index insertions/removals, with rt->lock held (the index holds one reference). */
void rt_add_container_locked(Rt *rt, RtContainer *c);
void rt_add_sandbox_locked(Rt *rt, RtSandbox *s);
void rt_remove_container_locked(Rt *rt, RtContainer *c);
void rt_remove_sandbox_locked(Rt *rt, RtSandbox *s);

/* Fresh records (refs = 1, state CREATED / READY). */
RtContainer *rt_container_new(void);
RtSandbox *rt_sandbox_new(void);

/* Nanoseconds since the epoch. */
int64_t rt_now(void);

/* Pairs helpers for labels/annotations ("k", "v", ... NULL). */
const char *rt_pairs_get(char *const *pairs, const char *key);

/* Records as JSON (state-json.c). to_json: malloc'd document. from_json: a new record
 * (refs = 1) or -EINVAL naming the bad field; unknown fields are ignored (newer crio).
 * A record read back is untrusted (a damaged or hand-edited file): strict JSON
 * (util/json-check.h), at most RT_RECORD_MAX_SIZE bytes nested RT_RECORD_MAX_DEPTH deep,
 * at most RT_RECORD_MAX_LIST entries in a list (labels, annotations, IPs, mounts): -E2BIG
 * past a limit; integers in the range of their field (-ERANGE), labels and annotations in
 * pairs, states and namespace modes known. */
#define RT_RECORD_MAX_SIZE (1024u * 1024u)
#define RT_RECORD_MAX_DEPTH 8u   /* the record, a mount list, a mount: 3 */
#define RT_RECORD_MAX_LIST 65536u
char *rt_container_to_json(const RtContainer *c);
char *rt_sandbox_to_json(const RtSandbox *s);
int rt_container_from_json(const char *data, size_t len, RtContainer **ret, CrioError *err);
int rt_sandbox_from_json(const char *data, size_t len, RtSandbox **ret, CrioError *err);
void rt_container_free_fields(RtContainer *c);
void rt_sandbox_free_fields(RtSandbox *s);
