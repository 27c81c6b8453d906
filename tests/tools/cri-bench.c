/* cri-bench: times pod and container lifecycle RPCs against any CRI runtime (crio,
 * containerd's CRI plugin), in-process, through our client (src/cri/client.h), so that no
 * client start-up is measured. Used by bench/lifecycle.
 *
 *   cri-bench [OPTIONS] version          prints "runtime NAME VERSION"
 *   cri-bench [OPTIONS] lifecycle ROUNDS  per round: RunPodSandbox (host network), Create+Start
 *                                         of IMAGE running `sleep 3600`, Stop (timeout 0) +
 *                                         Remove, StopPodSandbox + RemovePodSandbox; prints one
 *                                         line per round of "KEY MS" pairs (see below)
 *   cri-bench [OPTIONS] burst PODS [THREADS]
 *                                         starts PODS pods with one such container each from
 *                                         THREADS threads (default PODS: all at once; thread k
 *                                         does pods k, k+THREADS, ...), each thread with its own
 *                                         connection, warmed up before a barrier; prints
 *                                         "wall MS" (first RunPodSandbox sent to last
 *                                         StartContainer answered) and the median latency of
 *                                         each RPC under that load. The pods are left running.
 *   cri-bench [OPTIONS] podnet ROUNDS     per round: RunPodSandbox of a pod with a network
 *                                         namespace of its own (CNI ADD), StopPodSandbox +
 *                                         RemovePodSandbox (CNI DEL); prints "run_pod_net MS
 *                                         pod_down_net MS" per round
 *   cri-bench [OPTIONS] teardown [THREADS] stops and removes every container, then every pod
 *                                         (THREADS at a time, default 10); prints "teardown MS
 *                                         containers N pods N"
 *
 * Options: -r ENDPOINT (unix socket, required), -i IMAGE (default docker.io/library/busybox:1),
 * -l LOGDIR (pod log directories are made under it; default /tmp), -p PREFIX (pod names,
 * default "bench<pid>"), -t TIMEOUT_MS per RPC (default 120000), -s SECCOMP: the seccomp
 * profile type asked for the pod and the container, "runtime-default" (default) or
 * "unconfined" (always explicit: runtimes differ on an absent one, CRI-O applying its default
 * profile, containerd none).
 *
 * lifecycle keys: run_pod create start create_start stop remove stop_remove pod_stop pod_remove
 * pod_down. Exit 0 on success; 1 with "cri-bench: <message>" on stderr. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.pb-c.h"
#include "cri/client.h"
#include "util/cleanup.h"

#define BENCH_MAX_PODS 1000
#define BENCH_MAX_ROUNDS 10000
#define RPC_PREFIX "/runtime.v1.RuntimeService/"

typedef struct {
        const char *endpoint;
        const char *image;
        const char *log_root;
        char prefix[64];
        int64_t timeout_ms;
        Runtime__V1__SecurityProfile__ProfileType seccomp;
} Opts;

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One unary RuntimeService call; the response (if wanted) is the caller's to free. */
static int rpc(CriClient *c, const Opts *o, const char *name, const void *req, const ProtobufCMessageDescriptor *desc,
               ProtobufCMessage **ret, CrioError *err) {
        char method[128];
        snprintf(method, sizeof method, RPC_PREFIX "%s", name);
        ProtobufCMessage *resp = NULL;
        int r = cri_client_call(c, method, req, desc, o->timeout_ms, &resp, err);
        if (r < 0)
                return r;
        if (ret)
                *ret = resp;
        else
                protobuf_c_message_free_unpacked(resp, NULL);
        return 0;
}

static int connect_client(const Opts *o, CriClient **ret, CrioError *err) {
        CriClient *c = NULL;
        int r = cri_client_new(o->endpoint, 0, &c, err);
        if (r < 0)
                return r;
        /* the first call connects: keep it out of every measurement */
        Runtime__V1__VersionRequest req = RUNTIME__V1__VERSION_REQUEST__INIT;
        r = rpc(c, o, "Version", &req, &runtime__v1__version_response__descriptor, NULL, err);
        if (r < 0) {
                cri_client_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

/* A host-network pod's config, every part inside the struct (no allocation). */
typedef struct {
        Runtime__V1__PodSandboxMetadata md;
        Runtime__V1__NamespaceOption ns;
        Runtime__V1__SecurityProfile seccomp;
        Runtime__V1__LinuxSandboxSecurityContext sc;
        Runtime__V1__LinuxPodSandboxConfig lx;
        Runtime__V1__PodSandboxConfig cfg;
        char name[128];
        char uid[160];
        char log_dir[PATH_MAX];
} PodSpec;

static int pod_spec_init(PodSpec *p, const Opts *o, const char *tag, int i, CrioError *err) {
        *p = (PodSpec) { .md = RUNTIME__V1__POD_SANDBOX_METADATA__INIT,
                         .ns = RUNTIME__V1__NAMESPACE_OPTION__INIT,
                         .seccomp = RUNTIME__V1__SECURITY_PROFILE__INIT,
                         .sc = RUNTIME__V1__LINUX_SANDBOX_SECURITY_CONTEXT__INIT,
                         .lx = RUNTIME__V1__LINUX_POD_SANDBOX_CONFIG__INIT,
                         .cfg = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT };
        snprintf(p->name, sizeof p->name, "%s-%s-%d", o->prefix, tag, i);
        snprintf(p->uid, sizeof p->uid, "uid-%s", p->name);
        if (snprintf(p->log_dir, sizeof p->log_dir, "%s/%s", o->log_root, p->name) >= (int) sizeof p->log_dir)
                return crio_error_set(err, ENAMETOOLONG, "log directory under %s: name too long", o->log_root);
        /* the kubelet makes the pod's log directory; so do we, outside the timing */
        if (mkdir(p->log_dir, 0755) < 0 && errno != EEXIST)
                return crio_error_set_errno(err, errno, "mkdir %s", p->log_dir);
        p->md.name = p->name;
        p->md.uid = p->uid;
        p->md.namespace_ = (char *) "bench";
        p->ns.network = RUNTIME__V1__NAMESPACE_MODE__NODE;
        p->seccomp.profile_type = o->seccomp;
        p->sc.namespace_options = &p->ns;
        p->sc.seccomp = &p->seccomp;
        p->lx.security_context = &p->sc;
        p->cfg.metadata = &p->md;
        p->cfg.log_directory = p->log_dir;
        p->cfg.linux = &p->lx;
        return 0;
}

typedef struct {
        Runtime__V1__ContainerMetadata md;
        Runtime__V1__ImageSpec img;
        Runtime__V1__SecurityProfile seccomp;
        Runtime__V1__LinuxContainerSecurityContext sc;
        Runtime__V1__LinuxContainerConfig lx;
        Runtime__V1__ContainerConfig cfg;
        char *command[2];
} CtrSpec;

static void ctr_spec_init(CtrSpec *s, const Opts *o) {
        *s = (CtrSpec) { .md = RUNTIME__V1__CONTAINER_METADATA__INIT,
                         .img = RUNTIME__V1__IMAGE_SPEC__INIT,
                         .seccomp = RUNTIME__V1__SECURITY_PROFILE__INIT,
                         .sc = RUNTIME__V1__LINUX_CONTAINER_SECURITY_CONTEXT__INIT,
                         .lx = RUNTIME__V1__LINUX_CONTAINER_CONFIG__INIT,
                         .cfg = RUNTIME__V1__CONTAINER_CONFIG__INIT,
                         .command = { (char *) "/bin/sleep", (char *) "3600" } };
        s->md.name = (char *) "sleeper";
        s->img.image = (char *) o->image;
        s->cfg.metadata = &s->md;
        s->cfg.image = &s->img;
        s->cfg.command = s->command;
        s->cfg.n_command = 2;
        s->cfg.log_path = (char *) "sleeper.log";
        s->seccomp.profile_type = o->seccomp;
        s->sc.seccomp = &s->seccomp;
        s->lx.security_context = &s->sc;
        s->cfg.linux = &s->lx;
}

static int run_pod(CriClient *c, const Opts *o, PodSpec *p, char **ret_id, CrioError *err) {
        Runtime__V1__RunPodSandboxRequest req = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
        req.config = &p->cfg;
        ProtobufCMessage *m = NULL;
        int r = rpc(c, o, "RunPodSandbox", &req, &runtime__v1__run_pod_sandbox_response__descriptor, &m, err);
        if (r < 0)
                return r;
        char *id = strdup(((Runtime__V1__RunPodSandboxResponse *) m)->pod_sandbox_id);
        protobuf_c_message_free_unpacked(m, NULL);
        if (!id)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_id = id;
        return 0;
}

static int create_ctr(CriClient *c, const Opts *o, PodSpec *p, const char *pod_id, char **ret_id, CrioError *err) {
        CtrSpec s;
        ctr_spec_init(&s, o);
        Runtime__V1__CreateContainerRequest req = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
        req.pod_sandbox_id = (char *) pod_id;
        req.config = &s.cfg;
        req.sandbox_config = &p->cfg;
        ProtobufCMessage *m = NULL;
        int r = rpc(c, o, "CreateContainer", &req, &runtime__v1__create_container_response__descriptor, &m, err);
        if (r < 0)
                return r;
        char *id = strdup(((Runtime__V1__CreateContainerResponse *) m)->container_id);
        protobuf_c_message_free_unpacked(m, NULL);
        if (!id)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret_id = id;
        return 0;
}

static int start_ctr(CriClient *c, const Opts *o, const char *id, CrioError *err) {
        Runtime__V1__StartContainerRequest req = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
        req.container_id = (char *) id;
        return rpc(c, o, "StartContainer", &req, &runtime__v1__start_container_response__descriptor, NULL, err);
}

static int stop_ctr(CriClient *c, const Opts *o, const char *id, CrioError *err) {
        Runtime__V1__StopContainerRequest req = RUNTIME__V1__STOP_CONTAINER_REQUEST__INIT;
        req.container_id = (char *) id;
        req.timeout = 0;
        return rpc(c, o, "StopContainer", &req, &runtime__v1__stop_container_response__descriptor, NULL, err);
}

static int remove_ctr(CriClient *c, const Opts *o, const char *id, CrioError *err) {
        Runtime__V1__RemoveContainerRequest req = RUNTIME__V1__REMOVE_CONTAINER_REQUEST__INIT;
        req.container_id = (char *) id;
        return rpc(c, o, "RemoveContainer", &req, &runtime__v1__remove_container_response__descriptor, NULL, err);
}

static int stop_pod(CriClient *c, const Opts *o, const char *id, CrioError *err) {
        Runtime__V1__StopPodSandboxRequest req = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
        req.pod_sandbox_id = (char *) id;
        return rpc(c, o, "StopPodSandbox", &req, &runtime__v1__stop_pod_sandbox_response__descriptor, NULL, err);
}

static int remove_pod(CriClient *c, const Opts *o, const char *id, CrioError *err) {
        Runtime__V1__RemovePodSandboxRequest req = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
        req.pod_sandbox_id = (char *) id;
        return rpc(c, o, "RemovePodSandbox", &req, &runtime__v1__remove_pod_sandbox_response__descriptor, NULL, err);
}

static int cmd_version(const Opts *o, CrioError *err) {
        CriClient *c = NULL;
        int r = cri_client_new(o->endpoint, 0, &c, err);
        if (r < 0)
                return r;
        Runtime__V1__VersionRequest req = RUNTIME__V1__VERSION_REQUEST__INIT;
        ProtobufCMessage *m = NULL;
        r = rpc(c, o, "Version", &req, &runtime__v1__version_response__descriptor, &m, err);
        if (r >= 0) {
                Runtime__V1__VersionResponse *v = (Runtime__V1__VersionResponse *) m;
                printf("runtime %s %s\n", v->runtime_name, v->runtime_version);
                protobuf_c_message_free_unpacked(m, NULL);
        }
        cri_client_free(c);
        return r;
}

/* One lifecycle round; prints its timings on one line. */
static int lifecycle_round(CriClient *c, const Opts *o, int round, CrioError *err) {
        PodSpec p;
        int r = pod_spec_init(&p, o, "life", round, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *pod = NULL, *ctr = NULL;
        double t0 = now_ms();
        r = run_pod(c, o, &p, &pod, err);
        double t1 = now_ms();
        if (r >= 0)
                r = create_ctr(c, o, &p, pod, &ctr, err);
        double t2 = now_ms();
        if (r >= 0)
                r = start_ctr(c, o, ctr, err);
        double t3 = now_ms();
        if (r >= 0)
                r = stop_ctr(c, o, ctr, err);
        double t4 = now_ms();
        if (r >= 0)
                r = remove_ctr(c, o, ctr, err);
        double t5 = now_ms();
        if (r >= 0)
                r = stop_pod(c, o, pod, err);
        double t6 = now_ms();
        if (r >= 0)
                r = remove_pod(c, o, pod, err);
        double t7 = now_ms();
        if (r < 0)
                return r;
        printf("run_pod %.3f create %.3f start %.3f create_start %.3f stop %.3f remove %.3f stop_remove %.3f "
               "pod_stop %.3f pod_remove %.3f pod_down %.3f\n",
               t1 - t0, t2 - t1, t3 - t2, t3 - t1, t4 - t3, t5 - t4, t5 - t3, t6 - t5, t7 - t6, t7 - t5);
        fflush(stdout);
        return 0;
}

static int cmd_lifecycle(const Opts *o, int rounds, CrioError *err) {
        CriClient *c = NULL;
        int r = connect_client(o, &c, err);
        if (r < 0)
                return r;
        for (int i = 0; i < rounds && r >= 0; i++)
                r = lifecycle_round(c, o, i, err);
        cri_client_free(c);
        return r;
}

static int cmd_podnet(const Opts *o, int rounds, CrioError *err) {
        CriClient *c = NULL;
        int r = connect_client(o, &c, err);
        if (r < 0)
                return r;
        for (int i = 0; i < rounds && r >= 0; i++) {
                PodSpec p;
                if ((r = pod_spec_init(&p, o, "net", i, err)) < 0)
                        break;
                p.ns.network = RUNTIME__V1__NAMESPACE_MODE__POD;
                _cleanup_free_ char *pod = NULL;
                double t0 = now_ms();
                r = run_pod(c, o, &p, &pod, err);
                double t1 = now_ms();
                if (r >= 0)
                        r = stop_pod(c, o, pod, err);
                if (r >= 0)
                        r = remove_pod(c, o, pod, err);
                double t2 = now_ms();
                if (r >= 0) {
                        printf("run_pod_net %.3f pod_down_net %.3f\n", t1 - t0, t2 - t1);
                        fflush(stdout);
                }
        }
        cri_client_free(c);
        return r;
}

/* --- burst: PODS pods from THREADS threads */

typedef struct {
        const Opts *o;
        int first, stride, n_pods;
        pthread_barrier_t *barrier;
        double t_begin, t_end;       /* first request sent, last answer received */
        double *runp, *create, *start; /* per pod latencies, indexed by pod */
        int r;
        CrioError err;
} Worker;

static void *burst_worker(void *arg) {
        Worker *w = arg;
        CriClient *c = NULL;
        w->r = connect_client(w->o, &c, &w->err);
        pthread_barrier_wait(w->barrier);
        if (w->r < 0)
                return NULL;
        w->t_begin = now_ms();
        for (int i = w->first; i < w->n_pods && w->r >= 0; i += w->stride) {
                PodSpec p;
                _cleanup_free_ char *pod = NULL, *ctr = NULL;
                w->r = pod_spec_init(&p, w->o, "burst", i, &w->err);
                if (w->r < 0)
                        break;
                double t0 = now_ms();
                w->r = run_pod(c, w->o, &p, &pod, &w->err);
                double t1 = now_ms();
                if (w->r >= 0)
                        w->r = create_ctr(c, w->o, &p, pod, &ctr, &w->err);
                double t2 = now_ms();
                if (w->r >= 0)
                        w->r = start_ctr(c, w->o, ctr, &w->err);
                double t3 = now_ms();
                w->runp[i] = t1 - t0;
                w->create[i] = t2 - t1;
                w->start[i] = t3 - t2;
        }
        w->t_end = now_ms();
        cri_client_free(c);
        return NULL;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
        qsort(v, n, sizeof *v, cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int cmd_burst(const Opts *o, int n_pods, int n_threads, CrioError *err) {
        _cleanup_free_ Worker *w = calloc(n_threads, sizeof *w);
        _cleanup_free_ pthread_t *th = calloc(n_threads, sizeof *th);
        _cleanup_free_ double *lat = calloc(3 * (size_t) n_pods, sizeof *lat);
        if (!w || !th || !lat)
                return crio_error_set(err, ENOMEM, "out of memory");
        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, NULL, n_threads);
        int started = 0, r = 0;
        for (; started < n_threads; started++) {
                w[started] = (Worker) { .o = o, .first = started, .stride = n_threads, .n_pods = n_pods,
                                        .barrier = &barrier, .runp = lat, .create = lat + n_pods,
                                        .start = lat + 2 * n_pods };
                int k = pthread_create(&th[started], NULL, burst_worker, &w[started]);
                if (k != 0) {
                        r = crio_error_set(err, k, "pthread_create failed: %s", strerror(k));
                        break;
                }
        }
        if (started < n_threads) {
                /* the barrier would never open: a thread-start failure is fatal here */
                fprintf(stderr, "cri-bench: %s\n", err->msg);
                _exit(1);
        }
        for (int i = 0; i < n_threads; i++)
                pthread_join(th[i], NULL);
        pthread_barrier_destroy(&barrier);
        double begin = 0, end = 0;
        for (int i = 0; i < n_threads; i++) {
                if (w[i].r < 0 && r >= 0) {
                        r = w[i].r;
                        crio_error_move(err, &w[i].err);
                }
                crio_error_clear(&w[i].err);
                if (i == 0 || w[i].t_begin < begin)
                        begin = w[i].t_begin;
                if (i == 0 || w[i].t_end > end)
                        end = w[i].t_end;
        }
        if (r < 0)
                return r;
        printf("wall %.3f run_pod %.3f create %.3f start %.3f\n", end - begin, median(lat, n_pods),
               median(lat + n_pods, n_pods), median(lat + 2 * n_pods, n_pods));
        return 0;
}

/* --- teardown: everything the runtime lists, THREADS at a time */

typedef struct {
        const Opts *o;
        char **ids;
        size_t n;
        atomic_size_t next;
        int pods; /* 0: containers, 1: pods */
        int r;
        CrioError err;
        pthread_mutex_t lock;
} Sweep;

static void *sweep_worker(void *arg) {
        Sweep *s = arg;
        CriClient *c = NULL;
        CrioError err = {};
        int r = connect_client(s->o, &c, &err);
        for (size_t i; r >= 0 && (i = atomic_fetch_add(&s->next, 1)) < s->n;) {
                if (s->pods) {
                        r = stop_pod(c, s->o, s->ids[i], &err);
                        if (r >= 0)
                                r = remove_pod(c, s->o, s->ids[i], &err);
                } else {
                        r = stop_ctr(c, s->o, s->ids[i], &err);
                        if (r >= 0)
                                r = remove_ctr(c, s->o, s->ids[i], &err);
                }
        }
        cri_client_free(c);
        pthread_mutex_lock(&s->lock);
        if (r < 0 && s->r >= 0) {
                s->r = r;
                crio_error_move(&s->err, &err);
        }
        pthread_mutex_unlock(&s->lock);
        crio_error_clear(&err);
        return NULL;
}

static int sweep(const Opts *o, char **ids, size_t n, int pods, int n_threads, CrioError *err) {
        if (n == 0)
                return 0;
        Sweep s = { .o = o, .ids = ids, .n = n, .pods = pods };
        atomic_init(&s.next, 0);
        pthread_mutex_init(&s.lock, NULL);
        pthread_t th[64];
        int started = 0;
        if (n_threads > 64)
                n_threads = 64;
        for (; started < n_threads && (size_t) started < n; started++)
                if (pthread_create(&th[started], NULL, sweep_worker, &s) != 0)
                        break;
        if (started == 0)
                sweep_worker(&s);
        for (int i = 0; i < started; i++)
                pthread_join(th[i], NULL);
        pthread_mutex_destroy(&s.lock);
        if (s.r < 0) {
                crio_error_move(err, &s.err);
                return s.r;
        }
        return 0;
}

static int cmd_teardown(const Opts *o, int n_threads, CrioError *err) {
        CriClient *c = NULL;
        int r = connect_client(o, &c, err);
        if (r < 0)
                return r;
        double t0 = now_ms();
        ProtobufCMessage *m = NULL;
        Runtime__V1__ListContainersRequest lc = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
        r = rpc(c, o, "ListContainers", &lc, &runtime__v1__list_containers_response__descriptor, &m, err);
        size_t n_ctrs = 0, n_pods = 0;
        if (r >= 0) {
                Runtime__V1__ListContainersResponse *l = (Runtime__V1__ListContainersResponse *) m;
                _cleanup_free_ char **ids = calloc(l->n_containers + 1, sizeof *ids);
                if (!ids)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; ids && i < l->n_containers; i++)
                        ids[i] = l->containers[i]->id;
                n_ctrs = l->n_containers;
                if (r >= 0)
                        r = sweep(o, ids, n_ctrs, 0, n_threads, err);
                protobuf_c_message_free_unpacked(m, NULL);
        }
        Runtime__V1__ListPodSandboxRequest lp = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
        if (r >= 0)
                r = rpc(c, o, "ListPodSandbox", &lp, &runtime__v1__list_pod_sandbox_response__descriptor, &m, err);
        if (r >= 0) {
                Runtime__V1__ListPodSandboxResponse *l = (Runtime__V1__ListPodSandboxResponse *) m;
                _cleanup_free_ char **ids = calloc(l->n_items + 1, sizeof *ids);
                if (!ids)
                        r = crio_error_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; ids && i < l->n_items; i++)
                        ids[i] = l->items[i]->id;
                n_pods = l->n_items;
                if (r >= 0)
                        r = sweep(o, ids, n_pods, 1, n_threads, err);
                protobuf_c_message_free_unpacked(m, NULL);
        }
        double t1 = now_ms();
        cri_client_free(c);
        if (r >= 0)
                printf("teardown %.3f containers %zu pods %zu\n", t1 - t0, n_ctrs, n_pods);
        return r;
}

static int parse_count(const char *s, int max, int *ret) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || *end || end == s || v < 1 || v > max)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

static int usage(void) {
        fprintf(stderr, "usage: cri-bench -r ENDPOINT [-i IMAGE] [-l LOGDIR] [-p PREFIX] [-t TIMEOUT_MS] [-s runtime-default|unconfined] "
                        "version | lifecycle ROUNDS | podnet ROUNDS | burst PODS [THREADS] | teardown [THREADS]\n");
        return 2;
}

int main(int argc, char **argv) {
        Opts o = { .image = "docker.io/library/busybox:1", .log_root = "/tmp", .timeout_ms = 120000,
                   .seccomp = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault };
        snprintf(o.prefix, sizeof o.prefix, "bench%d", (int) getpid());
        int opt;
        while ((opt = getopt(argc, argv, "+r:i:l:p:t:s:")) != -1) {
                switch (opt) {
                case 'r':
                        o.endpoint = optarg;
                        break;
                case 'i':
                        o.image = optarg;
                        break;
                case 'l':
                        o.log_root = optarg;
                        break;
                case 'p':
                        snprintf(o.prefix, sizeof o.prefix, "%s", optarg);
                        break;
                case 't':
                        o.timeout_ms = strtoll(optarg, NULL, 10);
                        break;
                case 's':
                        if (strcmp(optarg, "runtime-default") == 0)
                                o.seccomp = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault;
                        else if (strcmp(optarg, "unconfined") == 0)
                                o.seccomp = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined;
                        else
                                return usage();
                        break;
                default:
                        return usage();
                }
        }
        if (!o.endpoint || optind >= argc)
                return usage();
        const char *cmd = argv[optind];
        int nargs = argc - optind - 1;
        char **args = argv + optind + 1;
        _cleanup_(crio_error_clear) CrioError err = {};
        int r, a = 0, b = 0;
        if (strcmp(cmd, "version") == 0 && nargs == 0)
                r = cmd_version(&o, &err);
        else if (strcmp(cmd, "lifecycle") == 0 && nargs == 1) {
                if (parse_count(args[0], BENCH_MAX_ROUNDS, &a) < 0)
                        return usage();
                r = cmd_lifecycle(&o, a, &err);
        } else if (strcmp(cmd, "podnet") == 0 && nargs == 1) {
                if (parse_count(args[0], BENCH_MAX_ROUNDS, &a) < 0)
                        return usage();
                r = cmd_podnet(&o, a, &err);
        } else if (strcmp(cmd, "burst") == 0 && (nargs == 1 || nargs == 2)) {
                if (parse_count(args[0], BENCH_MAX_PODS, &a) < 0)
                        return usage();
                b = a;
                if (nargs == 2 && parse_count(args[1], BENCH_MAX_PODS, &b) < 0)
                        return usage();
                r = cmd_burst(&o, a, b > a ? a : b, &err);
        } else if (strcmp(cmd, "teardown") == 0 && nargs <= 1) {
                a = 10;
                if (nargs == 1 && parse_count(args[0], 64, &a) < 0)
                        return usage();
                r = cmd_teardown(&o, a, &err);
        } else
                return usage();
        if (r < 0) {
                fprintf(stderr, "cri-bench: %s\n", err.msg ? err.msg : strerror(-r));
                return 1;
        }
        return 0;
}
