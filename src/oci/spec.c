/* The OCI spec builder: process, root, mounts, annotations, namespaces, paths, and the JSON
 * document. linux.resources and linux.devices are in spec-resources.c. See spec.h. */
#include "oci/spec.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "runtime-path.h"
#include "spec-private.h"
#include "util/fileio.h"
#include "util/strv.h"

#define OCI_HOSTNAME_MAX 64

/* --- names --- */

static const char *const cap_names[OCI_CAP_LAST + 1] = {
        "CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
        "CAP_FSETID",          "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
        "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",       "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
        "CAP_LEASE",           "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
};

int oci_cap_from_name(const char *name) {
        if (!name)
                return -EINVAL;
        const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
        for (int i = 0; i <= OCI_CAP_LAST; i++)
                if (strcasecmp(bare, cap_names[i] + 4) == 0)
                        return i;
        return -EINVAL;
}

const char *oci_cap_to_name(int cap) {
        return cap >= 0 && cap <= OCI_CAP_LAST ? cap_names[cap] : NULL;
}

static const char *const ns_names[_OCI_NS_MAX] = {
        [OCI_NS_PID] = "pid",   [OCI_NS_NETWORK] = "network", [OCI_NS_IPC] = "ipc",
        [OCI_NS_UTS] = "uts",   [OCI_NS_MOUNT] = "mount",     [OCI_NS_USER] = "user",
        [OCI_NS_CGROUP] = "cgroup",
};

const char *oci_namespace_to_string(OciNamespace ns) {
        return ns >= 0 && ns < _OCI_NS_MAX ? ns_names[ns] : NULL;
}

int oci_namespace_from_string(const char *s, OciNamespace *ret) {
        for (int i = 0; i < _OCI_NS_MAX; i++)
                if (s && strcmp(s, ns_names[i]) == 0) {
                        *ret = (OciNamespace) i;
                        return 0;
                }
        return -EINVAL;
}

static const char *const rlimit_names[] = {
        "AS",     "CORE",  "CPU",   "DATA",   "FSIZE",  "LOCKS",      "MEMLOCK", "MSGQUEUE",
        "NICE",   "NOFILE", "NPROC", "RSS",   "RTPRIO", "RTTIME",     "SIGPENDING", "STACK",
};

/* --- defaults --- */

/* CRI-O's masked and read-only paths. */
static const char *const default_masked_paths[] = {
        "/proc/acpi",       "/proc/kcore",       "/proc/keys",       "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
        "/sys/firmware",    "/sys/devices/virtual/powercap",
};
static const char *const default_readonly_paths[] = {
        "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static const struct {
        const char *destination, *type, *source;
        const char *options[8];
} default_mounts[] = {
        { "/proc", "proc", "proc", { "nosuid", "noexec", "nodev" } },
        { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
        { "/dev/pts", "devpts", "devpts", { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
        { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
        { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
        { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
        { "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro" } },
};

static void mount_clear(OciMount *m) {
        free(m->destination);
        free(m->type);
        free(m->source);
        strv_free(m->options);
}

void oci_spec_free(OciSpec *s) {
        if (!s)
                return;
        strv_free(s->args);
        strv_free(s->env);
        free(s->cwd);
        free(s->apparmor_profile);
        free(s->selinux_label);
        free(s->mount_label);
        free(s->gids);
        for (size_t i = 0; i < s->n_rlimits; i++)
                free(s->rlimits[i].type);
        free(s->rlimits);
        free(s->root_path);
        free(s->hostname);
        for (size_t i = 0; i < s->n_mounts; i++)
                mount_clear(&s->mounts[i]);
        free(s->mounts);
        strv_free(s->annotation_keys);
        strv_free(s->annotation_values);
        for (int i = 0; i < _OCI_NS_MAX; i++)
                free(s->ns_path[i]);
        strv_free(s->masked_paths);
        strv_free(s->readonly_paths);
        oci_spec_resources_free(s);
        free(s->cgroups_path);
        strv_free(s->sysctl_keys);
        strv_free(s->sysctl_values);
        if (s->seccomp)
                json_node_unref(s->seccomp);
        free(s);
}

static char **strv_new_empty(void) {
        return calloc(1, sizeof(char *));
}

static int strv_from_const(const char *const *v, size_t n, char ***ret) {
        char **out = calloc(n + 1, sizeof(char *));
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n && v[i]; i++)
                if (!(out[i] = strdup(v[i]))) {
                        strv_free(out);
                        return -ENOMEM;
                }
        *ret = out;
        return 0;
}

int oci_spec_new(OciSpec **ret, CrioError *err) {
        _cleanup_(oci_spec_freep) OciSpec *s = calloc(1, sizeof(OciSpec));
        if (!s)
                return crio_error_set(err, ENOMEM, "out of memory");
        static const char *const def_caps[] = { OCI_SPEC_DEFAULT_CAPS };
        for (size_t i = 0; i < ELEMENTSOF(def_caps); i++)
                s->caps |= UINT64_C(1) << oci_cap_from_name(def_caps[i]);
        s->args = strv_new_empty();
        s->env = strv_new_empty();
        s->cwd = strdup("/");
        s->root_path = strdup("rootfs");
        s->annotation_keys = strv_new_empty();
        s->annotation_values = strv_new_empty();
        s->sysctl_keys = strv_new_empty();
        s->sysctl_values = strv_new_empty();
        s->mounts = calloc(ELEMENTSOF(default_mounts), sizeof(OciMount));
        if (!s->args || !s->env || !s->cwd || !s->root_path || !s->annotation_keys || !s->annotation_values ||
            !s->sysctl_keys || !s->sysctl_values || !s->mounts || oci_spec_resources_init(s) < 0 ||
            oci_env_set(&s->env, "PATH=" OCI_DEFAULT_PATH) < 0 ||
            strv_from_const(default_masked_paths, ELEMENTSOF(default_masked_paths), &s->masked_paths) < 0 ||
            strv_from_const(default_readonly_paths, ELEMENTSOF(default_readonly_paths), &s->readonly_paths) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < ELEMENTSOF(default_mounts); i++) {
                OciMount *m = &s->mounts[s->n_mounts++];
                m->destination = strdup(default_mounts[i].destination);
                m->type = strdup(default_mounts[i].type);
                m->source = strdup(default_mounts[i].source);
                if (!m->destination || !m->type || !m->source ||
                    strv_from_const(default_mounts[i].options, ELEMENTSOF(default_mounts[i].options), &m->options) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        for (int i = OCI_NS_PID; i <= OCI_NS_MOUNT; i++)
                s->ns_on[i] = true;
        *ret = TAKE_PTR(s);
        return 0;
}

/* --- validation helpers --- */

bool oci_path_is_absolute_clean(const char *p) {
        if (!p || p[0] != '/' || strlen(p) >= OCI_PATH_MAX)
                return false;
        for (const char *c = p; *c; c++)
                if (*c == '\n')
                        return false;
        /* no ".." component */
        for (const char *c = p; (c = strstr(c, "..")); c += 2)
                if (c[-1] == '/' && (c[2] == '/' || c[2] == '\0'))
                        return false;
        return true;
}

static int replace_str(char **slot, const char *value, CrioError *err) {
        char *c = NULL;
        if (value && !(c = strdup(value)))
                return crio_error_set(err, ENOMEM, "out of memory");
        free(*slot);
        *slot = c;
        return 0;
}

/* --- process --- */

int oci_spec_set_args(OciSpec *s, char *const *args, CrioError *err) {
        if (strv_length(args) == 0 || args[0][0] == '\0')
                return crio_error_set(err, EINVAL, "the process needs at least one argument, the executable");
        char **c = strv_copy(args);
        if (!c)
                return crio_error_set(err, ENOMEM, "out of memory");
        strv_free(s->args);
        s->args = c;
        return 0;
}

int oci_spec_set_env(OciSpec *s, char *const *env, CrioError *err) {
        _cleanup_strv_free_ char **c = strv_new_empty();
        if (!c)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; env && env[i]; i++) {
                if (env[i][0] == '=' || env[i][0] == '\0')
                        return crio_error_set(err, EINVAL, "environment entry \"%s\" has no name", env[i]);
                if (oci_env_set(&c, env[i]) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
        }
        strv_free(s->env);
        s->env = TAKE_PTR(c);
        return 0;
}

int oci_spec_add_env(OciSpec *s, const char *entry, CrioError *err) {
        if (!entry || entry[0] == '=' || entry[0] == '\0')
                return crio_error_set(err, EINVAL, "environment entry \"%s\" has no name", entry ? entry : "");
        if (oci_env_set(&s->env, entry) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

const char *oci_spec_get_env(const OciSpec *s, const char *key) {
        if (!key || strchr(key, '='))
                return NULL;
        int i = oci_env_find(s->env, key);
        if (i < 0)
                return NULL;
        const char *eq = strchr(s->env[i], '=');
        return eq ? eq + 1 : "";
}

int oci_spec_set_cwd(OciSpec *s, const char *cwd, CrioError *err) {
        if (!cwd || cwd[0] != '/' || strlen(cwd) >= OCI_PATH_MAX)
                return crio_error_set(err, EINVAL, "working directory \"%s\" is not an absolute path", cwd ? cwd : "");
        return replace_str(&s->cwd, cwd, err);
}

void oci_spec_set_terminal(OciSpec *s, bool terminal) {
        s->terminal = terminal;
}

int oci_spec_set_user(OciSpec *s, uid_t uid, gid_t gid, const gid_t *gids, size_t n, CrioError *err) {
        if (n > 65536)
                return crio_error_set(err, EINVAL, "%zu supplementary groups: at most 65536", n);
        gid_t *c = NULL;
        size_t m = 0;
        if (n > 0) {
                c = calloc(n, sizeof(gid_t));
                if (!c)
                        return crio_error_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; i < n; i++) {
                        bool dup = false;
                        for (size_t j = 0; j < m && !dup; j++)
                                dup = c[j] == gids[i];
                        if (!dup)
                                c[m++] = gids[i];
                }
        }
        free(s->gids);
        s->gids = c;
        s->n_gids = m;
        s->uid = uid;
        s->gid = gid;
        return 0;
}

static bool is_all(const char *name) {
        return name && strcasecmp(name, "ALL") == 0;
}

int oci_spec_cap_add(OciSpec *s, const char *name, CrioError *err) {
        if (is_all(name)) {
                s->caps = OCI_CAP_ALL_MASK;
                return 0;
        }
        int c = oci_cap_from_name(name);
        if (c < 0)
                return crio_error_set(err, EINVAL, "unknown capability \"%s\" to add", name ? name : "");
        s->caps |= UINT64_C(1) << c;
        return 0;
}

int oci_spec_cap_drop(OciSpec *s, const char *name, CrioError *err) {
        if (is_all(name)) {
                s->caps = 0;
                return 0;
        }
        int c = oci_cap_from_name(name);
        if (c < 0)
                return crio_error_set(err, EINVAL, "unknown capability \"%s\" to drop", name ? name : "");
        s->caps &= ~(UINT64_C(1) << c);
        return 0;
}

uint64_t oci_spec_get_caps(const OciSpec *s) {
        return s->caps;
}

void oci_spec_set_caps(OciSpec *s, uint64_t mask) {
        s->caps = mask & OCI_CAP_ALL_MASK;
}

int oci_spec_apply_capabilities(OciSpec *s, char *const *defaults, char *const *add, char *const *drop,
                                CrioError *err) {
        uint64_t saved = s->caps;
        bool add_all = false, drop_all = false;
        for (size_t i = 0; add && add[i]; i++)
                add_all = add_all || is_all(add[i]);
        for (size_t i = 0; drop && drop[i]; i++)
                drop_all = drop_all || is_all(drop[i]);
        int r = 0;
        s->caps = add_all ? OCI_CAP_ALL_MASK : 0;
        if (drop_all)
                s->caps = 0;
        else
                for (size_t i = 0; r >= 0 && defaults && defaults[i]; i++)
                        r = oci_spec_cap_add(s, defaults[i], err);
        for (size_t i = 0; r >= 0 && add && add[i]; i++)
                if (!is_all(add[i]))
                        r = oci_spec_cap_add(s, add[i], err);
        for (size_t i = 0; r >= 0 && drop && drop[i]; i++)
                if (!is_all(drop[i]))
                        r = oci_spec_cap_drop(s, drop[i], err);
        if (r < 0)
                s->caps = saved;
        return r;
}

int oci_spec_add_rlimit(OciSpec *s, const char *type, uint64_t soft, uint64_t hard, CrioError *err) {
        const char *bare = type && strncasecmp(type, "RLIMIT_", 7) == 0 ? type + 7 : type;
        const char *known = NULL;
        for (size_t i = 0; bare && i < ELEMENTSOF(rlimit_names); i++)
                if (strcasecmp(bare, rlimit_names[i]) == 0)
                        known = rlimit_names[i];
        if (!known)
                return crio_error_set(err, EINVAL, "unknown rlimit \"%s\"", type ? type : "");
        if (soft > hard)
                return crio_error_set(err, EINVAL, "rlimit %s: soft limit %" PRIu64 " above hard limit %" PRIu64, known,
                                      soft, hard);
        char name[32];
        snprintf(name, sizeof name, "RLIMIT_%s", known);
        for (size_t i = 0; i < s->n_rlimits; i++)
                if (strcmp(s->rlimits[i].type, name) == 0) {
                        s->rlimits[i].soft = soft;
                        s->rlimits[i].hard = hard;
                        return 0;
                }
        char *t = strdup(name);
        OciRlimit *n = t ? realloc(s->rlimits, (s->n_rlimits + 1) * sizeof(OciRlimit)) : NULL;
        if (!n) {
                free(t);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        s->rlimits = n;
        s->rlimits[s->n_rlimits++] = (OciRlimit){ t, soft, hard };
        return 0;
}

void oci_spec_set_no_new_privileges(OciSpec *s, bool on) {
        s->no_new_privileges = on;
}

int oci_spec_set_apparmor_profile(OciSpec *s, const char *profile, CrioError *err) {
        char *p = NULL;
        if (profile && !(p = strdup(profile)))
                return crio_error_set(err, ENOMEM, "out of memory");
        free(s->apparmor_profile);
        s->apparmor_profile = p;
        return 0;
}

int oci_spec_set_selinux_labels(OciSpec *s, const char *process_label, const char *mount_label, CrioError *err) {
        char *p = NULL, *m = NULL;
        if ((process_label && !(p = strdup(process_label))) || (mount_label && !(m = strdup(mount_label)))) {
                free(p);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        free(s->selinux_label);
        free(s->mount_label);
        s->selinux_label = p;
        s->mount_label = m;
        return 0;
}

int oci_spec_set_oom_score_adj(OciSpec *s, int adj, CrioError *err) {
        if (adj < -1000 || adj > 1000)
                return crio_error_set(err, EINVAL, "oom_score_adj %d out of range -1000..1000", adj);
        s->has_oom_score_adj = true;
        s->oom_score_adj = adj;
        return 0;
}

void oci_spec_clear_oom_score_adj(OciSpec *s) {
        s->has_oom_score_adj = false;
}

/* --- root, hostname, mounts, annotations --- */

int oci_spec_set_root(OciSpec *s, const char *path, bool readonly, CrioError *err) {
        if (!path || !path[0] || strlen(path) >= OCI_PATH_MAX)
                return crio_error_set(err, EINVAL, "the root path must not be empty");
        int r = replace_str(&s->root_path, path, err);
        if (r >= 0)
                s->root_readonly = readonly;
        return r;
}

int oci_spec_set_hostname(OciSpec *s, const char *hostname, CrioError *err) {
        if (!hostname || !hostname[0])
                return replace_str(&s->hostname, NULL, err);
        if (strlen(hostname) > OCI_HOSTNAME_MAX)
                return crio_error_set(err, EINVAL, "hostname \"%s\" longer than %d bytes", hostname, OCI_HOSTNAME_MAX);
        for (const char *c = hostname; *c; c++)
                if (*c == '/' || isspace((unsigned char) *c) || iscntrl((unsigned char) *c))
                        return crio_error_set(err, EINVAL, "invalid hostname \"%s\"", hostname);
        return replace_str(&s->hostname, hostname, err);
}

int oci_spec_add_mount(OciSpec *s, const char *destination, const char *type, const char *source,
                       char *const *options, CrioError *err) {
        if (!oci_path_is_absolute_clean(destination))
                return crio_error_set(err, EINVAL, "mount destination \"%s\" is not a clean absolute path",
                                      destination ? destination : "");
        OciMount m = {};
        m.destination = strdup(destination);
        m.type = strdup(type ? type : "bind");
        m.source = strdup(source ? source : "");
        m.options = options ? strv_copy(options) : strv_new_empty();
        if (!m.destination || !m.type || !m.source || !m.options) {
                mount_clear(&m);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < s->n_mounts; i++)
                if (strcmp(s->mounts[i].destination, destination) == 0) {
                        mount_clear(&s->mounts[i]);
                        s->mounts[i] = m;
                        return 0;
                }
        OciMount *n = realloc(s->mounts, (s->n_mounts + 1) * sizeof(OciMount));
        if (!n) {
                mount_clear(&m);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        s->mounts = n;
        s->mounts[s->n_mounts++] = m;
        return 0;
}

bool oci_spec_remove_mount(OciSpec *s, const char *destination) {
        for (size_t i = 0; destination && i < s->n_mounts; i++)
                if (strcmp(s->mounts[i].destination, destination) == 0) {
                        mount_clear(&s->mounts[i]);
                        memmove(&s->mounts[i], &s->mounts[i + 1], (s->n_mounts - i - 1) * sizeof(OciMount));
                        s->n_mounts--;
                        return true;
                }
        return false;
}

int oci_kv_set(char ***keys, char ***values, const char *key, const char *value) {
        for (size_t i = 0; (*keys)[i]; i++)
                if (strcmp((*keys)[i], key) == 0) {
                        char *v = strdup(value);
                        if (!v)
                                return -ENOMEM;
                        free((*values)[i]);
                        (*values)[i] = v;
                        return 0;
                }
        int r = strv_push(keys, key);
        if (r < 0)
                return r;
        r = strv_push(values, value);
        if (r < 0) { /* undo the key */
                size_t n = strv_length(*keys);
                free((*keys)[n - 1]);
                (*keys)[n - 1] = NULL;
        }
        return r;
}

int oci_spec_set_annotation(OciSpec *s, const char *key, const char *value, CrioError *err) {
        if (!key || !key[0])
                return crio_error_set(err, EINVAL, "annotation key must not be empty");
        if (oci_kv_set(&s->annotation_keys, &s->annotation_values, key, value ? value : "") < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* --- linux --- */

int oci_spec_set_namespace(OciSpec *s, OciNamespace ns, const char *path, CrioError *err) {
        if (ns < 0 || ns >= _OCI_NS_MAX)
                return crio_error_set(err, EINVAL, "unknown namespace type %d", (int) ns);
        if (path && !oci_path_is_absolute_clean(path))
                return crio_error_set(err, EINVAL, "%s namespace path \"%s\" is not a clean absolute path",
                                      ns_names[ns], path);
        int r = replace_str(&s->ns_path[ns], path, err);
        if (r >= 0)
                s->ns_on[ns] = true;
        return r;
}

void oci_spec_remove_namespace(OciSpec *s, OciNamespace ns) {
        if (ns < 0 || ns >= _OCI_NS_MAX)
                return;
        s->ns_on[ns] = false;
        free(s->ns_path[ns]);
        s->ns_path[ns] = NULL;
}

static int add_path(char ***list, const char *what, const char *path, CrioError *err) {
        if (!oci_path_is_absolute_clean(path))
                return crio_error_set(err, EINVAL, "%s path \"%s\" is not a clean absolute path", what, path ? path : "");
        if (strv_contains(*list, path))
                return 0;
        if (strv_push(list, path) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

int oci_spec_add_masked_path(OciSpec *s, const char *path, CrioError *err) {
        return add_path(&s->masked_paths, "masked", path, err);
}

int oci_spec_add_readonly_path(OciSpec *s, const char *path, CrioError *err) {
        return add_path(&s->readonly_paths, "read-only", path, err);
}

void oci_spec_clear_masked_paths(OciSpec *s) {
        for (size_t i = 0; s->masked_paths[i]; i++)
                free(TAKE_PTR(s->masked_paths[i]));
}

void oci_spec_clear_readonly_paths(OciSpec *s) {
        for (size_t i = 0; s->readonly_paths[i]; i++)
                free(TAKE_PTR(s->readonly_paths[i]));
}

int oci_spec_set_cgroups_path(OciSpec *s, const char *path, CrioError *err) {
        if (path && path[0]) {
                if (strlen(path) >= OCI_PATH_MAX || strchr(path, '\n'))
                        return crio_error_set(err, EINVAL, "invalid cgroups path \"%s\"", path);
                /* cgroupfs paths are absolute and must not climb out of the hierarchy. */
                if (path[0] == '/' && !oci_path_is_absolute_clean(path))
                        return crio_error_set(err, EINVAL, "cgroups path \"%s\" has \"..\" components", path);
        }
        return replace_str(&s->cgroups_path, path && path[0] ? path : NULL, err);
}

int oci_spec_add_sysctl(OciSpec *s, const char *key, const char *value, CrioError *err) {
        if (!key || !key[0] || strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") !=
                                       strlen(key) || key[0] == '.' || key[0] == '/' || strstr(key, ".."))
                return crio_error_set(err, EINVAL, "invalid sysctl name \"%s\"", key ? key : "");
        if (!value || strchr(value, '\n'))
                return crio_error_set(err, EINVAL, "invalid value for sysctl %s", key);
        if (oci_kv_set(&s->sysctl_keys, &s->sysctl_values, key, value) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* --- output --- */

static void add_strv(JsonBuilder *b, const char *member, char *const *v) {
        json_builder_set_member_name(b, member);
        json_builder_begin_array(b);
        for (size_t i = 0; v && v[i]; i++)
                json_builder_add_string_value(b, v[i]);
        json_builder_end_array(b);
}

static void add_caps(JsonBuilder *b, const char *member, uint64_t mask) {
        json_builder_set_member_name(b, member);
        json_builder_begin_array(b);
        for (int i = 0; i <= OCI_CAP_LAST; i++)
                if (mask & (UINT64_C(1) << i))
                        json_builder_add_string_value(b, cap_names[i]);
        json_builder_end_array(b);
}

void oci_json_add_int(JsonBuilder *b, const char *member, int64_t v) {
        json_builder_set_member_name(b, member);
        json_builder_add_int_value(b, v);
}

void oci_json_add_str(JsonBuilder *b, const char *member, const char *v) {
        json_builder_set_member_name(b, member);
        json_builder_add_string_value(b, v);
}

static void build_process(JsonBuilder *b, const OciSpec *s) {
        json_builder_set_member_name(b, "process");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "terminal");
        json_builder_add_boolean_value(b, s->terminal);
        json_builder_set_member_name(b, "user");
        json_builder_begin_object(b);
        oci_json_add_int(b, "uid", s->uid);
        oci_json_add_int(b, "gid", s->gid);
        if (s->n_gids > 0) {
                json_builder_set_member_name(b, "additionalGids");
                json_builder_begin_array(b);
                for (size_t i = 0; i < s->n_gids; i++)
                        json_builder_add_int_value(b, s->gids[i]);
                json_builder_end_array(b);
        }
        json_builder_end_object(b);
        add_strv(b, "args", s->args);
        add_strv(b, "env", s->env);
        oci_json_add_str(b, "cwd", s->cwd);
        json_builder_set_member_name(b, "capabilities");
        json_builder_begin_object(b);
        add_caps(b, "bounding", s->caps);
        add_caps(b, "effective", s->caps);
        add_caps(b, "inheritable", 0);
        add_caps(b, "permitted", s->caps);
        add_caps(b, "ambient", 0);
        json_builder_end_object(b);
        if (s->n_rlimits > 0) {
                json_builder_set_member_name(b, "rlimits");
                json_builder_begin_array(b);
                for (size_t i = 0; i < s->n_rlimits; i++) {
                        json_builder_begin_object(b);
                        oci_json_add_str(b, "type", s->rlimits[i].type);
                        /* json-glib has no unsigned ints: values above INT64_MAX (RLIM_INFINITY)
                         * come out negative here and are rewritten by fix_unsigned_rlimits. */
                        oci_json_add_int(b, "hard", (int64_t) s->rlimits[i].hard);
                        oci_json_add_int(b, "soft", (int64_t) s->rlimits[i].soft);
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
        }
        json_builder_set_member_name(b, "noNewPrivileges");
        json_builder_add_boolean_value(b, s->no_new_privileges);
        if (s->apparmor_profile)
                oci_json_add_str(b, "apparmorProfile", s->apparmor_profile);
        if (s->selinux_label)
                oci_json_add_str(b, "selinuxLabel", s->selinux_label);
        if (s->has_oom_score_adj)
                oci_json_add_int(b, "oomScoreAdj", s->oom_score_adj);
        json_builder_end_object(b);
}

static size_t path_depth(const char *p) {
        size_t n = 0;
        for (const char *c = p; *c; c++)
                if (*c == '/' && c[1] && c[1] != '/')
                        n++;
        return n;
}

static void build_mounts(JsonBuilder *b, const OciSpec *s) {
        json_builder_set_member_name(b, "mounts");
        json_builder_begin_array(b);
        size_t max_depth = 0;
        for (size_t i = 0; i < s->n_mounts; i++)
                if (path_depth(s->mounts[i].destination) > max_depth)
                        max_depth = path_depth(s->mounts[i].destination);
        /* stable: by depth, then in insertion order */
        for (size_t d = 0; d <= max_depth; d++)
                for (size_t i = 0; i < s->n_mounts; i++) {
                        const OciMount *m = &s->mounts[i];
                        if (path_depth(m->destination) != d)
                                continue;
                        json_builder_begin_object(b);
                        oci_json_add_str(b, "destination", m->destination);
                        oci_json_add_str(b, "type", m->type);
                        oci_json_add_str(b, "source", m->source);
                        add_strv(b, "options", m->options);
                        json_builder_end_object(b);
                }
        json_builder_end_array(b);
}

void oci_json_add_kv_object(JsonBuilder *b, const char *member, char *const *keys, char *const *values) {
        json_builder_set_member_name(b, member);
        json_builder_begin_object(b);
        for (size_t i = 0; keys[i]; i++)
                oci_json_add_str(b, keys[i], values[i]);
        json_builder_end_object(b);
}

static void build_linux(JsonBuilder *b, const OciSpec *s) {
        json_builder_set_member_name(b, "linux");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "namespaces");
        json_builder_begin_array(b);
        for (int i = 0; i < _OCI_NS_MAX; i++) {
                if (!s->ns_on[i])
                        continue;
                json_builder_begin_object(b);
                oci_json_add_str(b, "type", ns_names[i]);
                if (s->ns_path[i])
                        oci_json_add_str(b, "path", s->ns_path[i]);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        oci_spec_build_device_nodes(b, s);
        json_builder_set_member_name(b, "resources");
        oci_spec_build_resources(b, s);
        if (s->cgroups_path)
                oci_json_add_str(b, "cgroupsPath", s->cgroups_path);
        if (s->mount_label)
                oci_json_add_str(b, "mountLabel", s->mount_label);
        if (s->sysctl_keys[0])
                oci_json_add_kv_object(b, "sysctl", s->sysctl_keys, s->sysctl_values);
        add_strv(b, "maskedPaths", s->masked_paths);
        add_strv(b, "readonlyPaths", s->readonly_paths);
        if (s->seccomp) {
                json_builder_set_member_name(b, "seccomp");
                json_builder_add_value(b, json_node_copy(s->seccomp));
        }
        json_builder_end_object(b);
}

/* Rewrites "soft" : -N and "hard" : -N (our int64 casts of uint64 rlimits) as the unsigned
 * values runc expects (Go's uint64 refuses negatives). The pattern cannot occur inside a
 * JSON string: there every quote is escaped, so none follows a bare "soft". */
static char *fix_unsigned_rlimits(char *text) {
        static const char *const keys[] = { "\"soft\" : -", "\"hard\" : -" };
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                char *at;
                while ((at = strstr(text, keys[k]))) {
                        char *num = at + strlen(keys[k]) - 1; /* at '-' */
                        char *end = NULL;
                        errno = 0;
                        long long v = strtoll(num, &end, 10);
                        if (errno != 0 || end == num)
                                return text; /* cannot happen: we wrote it */
                        char repl[24];
                        int n = snprintf(repl, sizeof repl, "%" PRIu64, (uint64_t) (int64_t) v);
                        size_t head = (size_t) (num - text), tail = strlen(end);
                        char *nt = malloc(head + (size_t) n + tail + 1);
                        if (!nt) {
                                free(text);
                                return NULL;
                        }
                        memcpy(nt, text, head);
                        memcpy(nt + head, repl, (size_t) n);
                        memcpy(nt + head + (size_t) n, end, tail + 1);
                        free(text);
                        text = nt;
                }
        }
        return text;
}

char *oci_spec_to_json(const OciSpec *s) {
        JsonBuilder *b = json_builder_new();
        json_builder_begin_object(b);
        oci_json_add_str(b, "ociVersion", OCI_SPEC_VERSION);
        build_process(b, s);
        json_builder_set_member_name(b, "root");
        json_builder_begin_object(b);
        oci_json_add_str(b, "path", s->root_path);
        json_builder_set_member_name(b, "readonly");
        json_builder_add_boolean_value(b, s->root_readonly);
        json_builder_end_object(b);
        if (s->hostname)
                oci_json_add_str(b, "hostname", s->hostname);
        build_mounts(b, s);
        if (s->annotation_keys[0])
                oci_json_add_kv_object(b, "annotations", s->annotation_keys, s->annotation_values);
        build_linux(b, s);
        json_builder_end_object(b);

        JsonNode *root = json_builder_get_root(b);
        g_object_unref(b);
        JsonGenerator *g = json_generator_new();
        json_generator_set_pretty(g, TRUE);
        json_generator_set_indent(g, 2);
        json_generator_set_root(g, root);
        gchar *text = json_generator_to_data(g, NULL);
        g_object_unref(g);
        json_node_unref(root);
        /* g_malloc'd; glib's allocator is malloc, so callers free() it. */
        return s->n_rlimits > 0 ? fix_unsigned_rlimits(text) : text;
}

int oci_spec_write(const OciSpec *s, const char *path, CrioError *err) {
        if (strv_length(s->args) == 0)
                return crio_error_set(err, EINVAL, "writing %s: the spec has no process args", path);
        if (!s->root_path)
                return crio_error_set(err, EINVAL, "writing %s: the spec has no root path", path);
        _cleanup_free_ char *text = oci_spec_to_json(s);
        if (!text)
                return crio_error_set(err, ENOMEM, "writing %s: out of memory", path);
        return write_file_replace(path, text, strlen(text), 0600, err);
}

int oci_spec_set_seccomp(OciSpec *s, JsonNode *seccomp, CrioError *err) {
        if (seccomp && !JSON_NODE_HOLDS_OBJECT(seccomp))
                return crio_error_set(err, EINVAL, "the seccomp configuration is not a JSON object");
        if (s->seccomp)
                json_node_unref(s->seccomp);
        s->seccomp = seccomp ? json_node_ref(seccomp) : NULL;
        return 0;
}
