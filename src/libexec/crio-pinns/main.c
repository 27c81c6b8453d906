/* crio-pinns: makes a pod's namespaces and pins them to files, or removes the pins.
 *
 *   crio-pinns --dir DIR --name NAME [--net] [--ipc] [--uts] [--sysctl KEY=VALUE]...
 *   crio-pinns --remove --dir DIR --name NAME [--net] [--ipc] [--uts]
 *
 * Pinning unshares fresh namespaces of the asked types, brings the loopback interface of a
 * new network namespace up (as CRI-O has the loopback CNI plugin do for every pod), sets the
 * sysctls inside them (only
 * namespaced ones, and only in a namespace made here: a net.* sysctl needs --net, an IPC one
 * --ipc, or it would change the host), and bind-mounts /proc/thread-self/ns/<type> onto
 * DIR/<type>ns/NAME (created empty, mode 0444; one that exists already is an error, never
 * reused). The namespaces then outlive this process for as long as the mounts exist. On any
 * failure everything pinned so far is unmounted and removed.
 *
 * Removal detaches (MNT_DETACH) and unlinks DIR/<type>ns/NAME for the types given, or for
 * every type when none is; what is absent already is fine.
 *
 * crio runs it with posix_spawn (src/runtime/sandbox.c): it is a separate program because
 * unshare() changes the calling thread, which gRPC's threads make unusable in the daemon.
 * Exit status: 0 done, 1 failed (one message on stderr, e.g. a refused sysctl), 2 malformed
 * command line (unknown option, missing value or --dir/--name). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pinns.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fileio.h"

const PinnsNs pinns_types[] = {
        { "net", CLONE_NEWNET },
        { "ipc", CLONE_NEWIPC },
        { "uts", CLONE_NEWUTS },
};
const size_t pinns_n_types = ELEMENTSOF(pinns_types);

/* Consecutive mounts stacked on one pin that removal takes off (a pin made twice by hand). */
#define PINNS_UMOUNT_MAX 16

typedef struct Pin {
        char path[PATH_MAX];
        bool created, mounted;
} Pin;

typedef struct Args {
        const char *dir, *name;
        int flags; /* CLONE_NEW* asked for */
        bool remove;
        bool bad_usage; /* the failure was in the form of the command line, not its content */
        Sysctl sysctls[SYSCTL_MAX];
        size_t n_sysctls;
} Args;

static int usage(const char *why) {
        if (why)
                fprintf(stderr, "crio-pinns: %s\n", why);
        fputs("usage: crio-pinns --dir DIR --name NAME [--net] [--ipc] [--uts] [--sysctl KEY=VALUE]...\n"
              "       crio-pinns --remove --dir DIR --name NAME [--net] [--ipc] [--uts]\n",
              stderr);
        return 2;
}

static int fail(CrioError *err) {
        fprintf(stderr, "crio-pinns: %s\n", err->msg ? err->msg : "failed");
        return 1;
}

/* "--opt VALUE" or "--opt=VALUE": the value, advancing *i past it; NULL when a is not opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, bool *missing) {
        size_t n = strlen(opt);
        const char *a = argv[*i];
        if (strncmp(a, opt, n) != 0)
                return NULL;
        if (a[n] == '=')
                return a + n + 1;
        if (a[n] != '\0')
                return NULL;
        if (*i + 1 >= argc) {
                *missing = true;
                return NULL;
        }
        return argv[++*i];
}

static int parse_args(int argc, char **argv, Args *a, CrioError *err) {
        for (int i = 1; i < argc; i++) {
                const char *v;
                bool missing = false;
                if (strcmp(argv[i], "--net") == 0)
                        a->flags |= CLONE_NEWNET;
                else if (strcmp(argv[i], "--ipc") == 0)
                        a->flags |= CLONE_NEWIPC;
                else if (strcmp(argv[i], "--uts") == 0)
                        a->flags |= CLONE_NEWUTS;
                else if (strcmp(argv[i], "--remove") == 0)
                        a->remove = true;
                else if ((v = opt_value(argc, argv, &i, "--dir", &missing)))
                        a->dir = v;
                else if ((v = opt_value(argc, argv, &i, "--name", &missing)))
                        a->name = v;
                else if ((v = opt_value(argc, argv, &i, "--sysctl", &missing))) {
                        if (a->n_sysctls >= SYSCTL_MAX)
                                return crio_error_set(err, E2BIG, "more than %d sysctls", SYSCTL_MAX);
                        int r = sysctl_parse((char *) v, &a->sysctls[a->n_sysctls], err);
                        if (r < 0)
                                return r;
                        a->n_sysctls++;
                } else {
                        a->bad_usage = true;
                        if (missing)
                                return crio_error_set(err, EINVAL, "%s needs a value", argv[i]);
                        return crio_error_set(err, EINVAL, "unknown argument \"%s\"", argv[i]);
                }
        }
        if (!a->dir || !*a->dir || !a->name) {
                a->bad_usage = true;
                return crio_error_set(err, EINVAL, "--dir and --name are required");
        }
        if (!*a->name || strchr(a->name, '/') || strcmp(a->name, ".") == 0 || strcmp(a->name, "..") == 0 ||
            strlen(a->name) > NAME_MAX)
                return crio_error_set(err, EINVAL, "invalid --name \"%s\"", a->name);
        if (strlen(a->dir) + strlen(a->name) + sizeof("/utsns/") > PATH_MAX)
                return crio_error_set(err, ENAMETOOLONG, "--dir and --name make too long a path");
        if (a->remove && a->n_sysctls)
                return crio_error_set(err, EINVAL, "--sysctl makes no sense with --remove");
        if (!a->remove && !a->flags)
                return crio_error_set(err, EINVAL, "no namespace asked for (--net, --ipc, --uts)");
        for (size_t i = 0; i < a->n_sysctls; i++)
                if (!(a->flags & a->sysctls[i].clone_flag))
                        return crio_error_set(err, EINVAL, "sysctl %s needs its namespace made here (%s)",
                                              a->sysctls[i].key,
                                              a->sysctls[i].clone_flag == CLONE_NEWNET ? "--net" : "--ipc");
        return 0;
}

static void pin_path(const Args *a, const PinnsNs *t, char *buf) {
        snprintf(buf, PATH_MAX, "%s/%sns/%s", a->dir, t->name, a->name);
}

/* Unmounts (every stacked mount) and unlinks path; absent is fine. */
static int unpin_path(const char *path, CrioError *err) {
        for (int k = 0; k < PINNS_UMOUNT_MAX; k++) {
                if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
                        continue;
                if (errno == EINVAL || errno == ENOENT)
                        break;
                return crio_error_set_errno(err, errno, "unmounting %s", path);
        }
        if (unlink(path) < 0 && errno != ENOENT)
                return crio_error_set_errno(err, errno, "removing %s", path);
        return 0;
}

static int do_remove(const Args *a, CrioError *err) {
        int r = 0;
        for (size_t i = 0; i < pinns_n_types; i++) {
                if (a->flags && !(a->flags & pinns_types[i].clone_flag))
                        continue;
                char path[PATH_MAX];
                pin_path(a, &pinns_types[i], path);
                int q = unpin_path(path, err); /* the first error is kept; the others are still tried */
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

static void undo(Pin *pins) {
        for (size_t i = 0; i < pinns_n_types; i++) {
                if (pins[i].mounted)
                        umount2(pins[i].path, MNT_DETACH | UMOUNT_NOFOLLOW);
                if (pins[i].created)
                        unlink(pins[i].path);
        }
}

/* Sets "lo" of the current network namespace up. */
static int loopback_up(CrioError *err) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return crio_error_set_errno(err, errno, "socket for the loopback interface");
        struct ifreq ifr = { 0 };
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
        int r = 0;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                r = crio_error_set_errno(err, errno, "reading the flags of lo");
        ifr.ifr_flags |= IFF_UP;
        if (r >= 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                r = crio_error_set_errno(err, errno, "setting lo up");
        close(fd);
        return r;
}

static int do_pin(const Args *a, Pin *pins, CrioError *err) {
        /* The files first: a name in use fails before any namespace is made. */
        for (size_t i = 0; i < pinns_n_types; i++) {
                const PinnsNs *t = &pinns_types[i];
                if (!(a->flags & t->clone_flag))
                        continue;
                char d[PATH_MAX];
                snprintf(d, sizeof d, "%s/%sns", a->dir, t->name);
                int r = mkdir_p(d, 0755, err);
                if (r < 0)
                        return r;
                pin_path(a, t, pins[i].path);
                int fd = open(pins[i].path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0444);
                if (fd < 0)
                        return crio_error_set_errno(err, errno, "creating %s", pins[i].path);
                pins[i].created = true;
                close(fd);
        }
        if (unshare(a->flags) < 0)
                return crio_error_set_errno(err, errno, "unshare of the %s%s%snamespaces",
                                            a->flags & CLONE_NEWNET ? "network " : "",
                                            a->flags & CLONE_NEWIPC ? "IPC " : "", a->flags & CLONE_NEWUTS ? "UTS " : "");
        if (a->flags & CLONE_NEWNET) {
                int r = loopback_up(err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < a->n_sysctls; i++) {
                int r = pinns_sysctl_apply(&a->sysctls[i], err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < pinns_n_types; i++) {
                const PinnsNs *t = &pinns_types[i];
                if (!(a->flags & t->clone_flag))
                        continue;
                char src[64];
                snprintf(src, sizeof src, "/proc/thread-self/ns/%s", t->name);
                if (mount(src, pins[i].path, NULL, MS_BIND, NULL) < 0)
                        return crio_error_set_errno(err, errno, "bind-mounting %s on %s", src, pins[i].path);
                pins[i].mounted = true;
        }
        return 0;
}

int main(int argc, char **argv) {
        static Args a; /* large (the sysctl table): not on the stack */
        _cleanup_(crio_error_clear) CrioError err = {};
        int r = parse_args(argc, argv, &a, &err);
        if (r < 0 && a.bad_usage)
                r = usage(err.msg);
        else if (r < 0)
                r = fail(&err);
        if (r != 0) {
                for (size_t i = 0; i < a.n_sysctls; i++)
                        free(a.sysctls[i].path);
                return r;
        }
        if (a.remove)
                r = do_remove(&a, &err);
        else {
                Pin pins[ELEMENTSOF(pinns_types)] = {};
                r = do_pin(&a, pins, &err);
                if (r < 0)
                        undo(pins);
        }
        for (size_t i = 0; i < a.n_sysctls; i++)
                free(a.sysctls[i].path);
        return r < 0 ? fail(&err) : 0;
}
