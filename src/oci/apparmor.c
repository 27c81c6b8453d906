#include "oci/apparmor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/spawn.h"

static const char *sys_root(void) {
        const char *r = getenv("CRIO_APPARMOR_ROOT");
        return r && r[0] ? r : "/sys";
}

bool apparmor_enabled(void) {
        _cleanup_free_ char *path = NULL, *v = NULL;
        if (asprintf(&path, "%s/module/apparmor/parameters/enabled", sys_root()) < 0)
                return false;
        /* sysfs says 4096 bytes for every attribute */
        return read_file(path, 4096, &v, NULL, NULL) >= 0 && v[0] == 'Y';
}

/* A profile name from a request or crio.conf: printable, no spaces, bounded. */
static int name_check(const char *name, CrioError *err) {
        size_t n = strlen(name);
        if (n == 0)
                return crio_error_set(err, EINVAL, "an empty localhost AppArmor profile is forbidden");
        if (n > APPARMOR_NAME_MAX)
                return crio_error_set(err, EINVAL, "AppArmor profile name \"%.64s...\" is longer than %d bytes", name,
                                      APPARMOR_NAME_MAX);
        for (const char *c = name; *c; c++)
                if ((unsigned char) *c <= ' ' || *c == 0x7f)
                        return crio_error_set(err, EINVAL, "AppArmor profile name \"%s\" holds a space or control character",
                                              name);
        return 0;
}

int apparmor_profile_select(const AppArmorRequest *req, const char *default_profile, char **ret, CrioError *err) {
        const char *def = default_profile && default_profile[0] ? default_profile : APPARMOR_DEFAULT_PROFILE;
        const char *name = NULL;
        if (req->has_profile) {
                switch (req->type) {
                case APPARMOR_RUNTIME_DEFAULT:
                        name = def;
                        break;
                case APPARMOR_TYPE_UNCONFINED:
                        name = APPARMOR_UNCONFINED;
                        break;
                case APPARMOR_LOCALHOST:
                        name = req->localhost_ref ? req->localhost_ref : "";
                        if (strncmp(name, "localhost/", 10) == 0)
                                name += 10;
                        break;
                default:
                        return crio_error_set(err, EINVAL, "AppArmor profile type %d is not one of RuntimeDefault, "
                                                           "Unconfined, Localhost", (int) req->type);
                }
        } else {
                const char *d = req->deprecated ? req->deprecated : "";
                if (!d[0] || strcmp(d, "runtime/default") == 0)
                        name = def;
                else if (strcmp(d, APPARMOR_UNCONFINED) == 0)
                        name = APPARMOR_UNCONFINED;
                else if (strncmp(d, "localhost/", 10) == 0)
                        name = d + 10;
                else
                        return crio_error_set(err, EINVAL,
                                              "AppArmor profile \"%s\" is not runtime/default, unconfined or localhost/<name>",
                                              d);
        }
        int r = name_check(name, err);
        if (r < 0)
                return r;
        char *p = strdup(name);
        if (!p)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = p;
        return 0;
}

int apparmor_profile_loaded(const char *name, CrioError *err) {
        _cleanup_free_ char *path = NULL, *list = NULL;
        if (asprintf(&path, "%s/kernel/security/apparmor/profiles", sys_root()) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        size_t len = 0;
        int r = read_file(path, APPARMOR_PROFILES_MAX, &list, &len, err);
        if (r < 0)
                return r;
        /* one "name (mode)" per line */
        size_t n = strlen(name);
        for (char *line = list; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                if (strncmp(line, name, n) == 0 && strncmp(line + n, " (", 2) == 0)
                        return 1;
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

char *apparmor_default_profile_text(void) {
        return strdup(
                "# crio's default AppArmor profile: what a container normally does, without mounts,\n"
                "# writes to the kernel's knobs in /proc and /sys, or raw kernel memory.\n"
                "profile " APPARMOR_DEFAULT_PROFILE " flags=(attach_disconnected,mediate_deleted) {\n"
                "  network,\n"
                "  capability,\n"
                "  file,\n"
                "  umount,\n"
                "  # signals from the host and the runtimes, and among the container's processes\n"
                "  signal (receive) peer=unconfined,\n"
                "  signal (receive) peer=runc,\n"
                "  signal (receive) peer=crun,\n"
                "  signal (send,receive) peer=" APPARMOR_DEFAULT_PROFILE ",\n"
                "  ptrace (trace,read,tracedby,readby) peer=" APPARMOR_DEFAULT_PROFILE ",\n"
                "\n"
                "  deny mount,\n"
                "  # /proc: no writes but to processes' own files and /proc/sys/kernel/shm*\n"
                "  deny /proc/* w,\n"
                "  deny /proc/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9]*}/** w,\n"
                "  deny /proc/sys/[^k]** w,\n"
                "  deny /proc/sys/kernel/{?,??,[^s][^h][^m]**} w,\n"
                "  deny /proc/sysrq-trigger rwklx,\n"
                "  deny /proc/kcore rwklx,\n"
                "  deny /proc/kmem rwklx,\n"
                "  deny /proc/mem rwklx,\n"
                "  # /sys: no writes but to the cgroup filesystem; nothing of firmware or security\n"
                "  deny /sys/[^f]*/** wklx,\n"
                "  deny /sys/f[^s]*/** wklx,\n"
                "  deny /sys/fs/[^c]*/** wklx,\n"
                "  deny /sys/fs/c[^g]*/** wklx,\n"
                "  deny /sys/fs/cg[^r]*/** wklx,\n"
                "  deny /sys/firmware/** rwklx,\n"
                "  deny /sys/kernel/security/** rwklx,\n"
                "}\n");
}

static const char *parser_path(void) {
        static const char *const paths[] = { "/usr/sbin/apparmor_parser", "/sbin/apparmor_parser" };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (access(paths[i], X_OK) == 0)
                        return paths[i];
        return NULL;
}

int apparmor_install_default(CrioError *err) {
        const char *parser = parser_path();
        if (!parser)
                return crio_error_set(err, ENOENT, "installing AppArmor profile " APPARMOR_DEFAULT_PROFILE
                                                   ": apparmor_parser not found (package apparmor)");
        _cleanup_free_ char *text = apparmor_default_profile_text();
        if (!text)
                return crio_error_set(err, ENOMEM, "out of memory");
        /* the text reaches apparmor_parser on its stdin, from memory */
        _cleanup_close_ int fd = memfd_create("crio-default.apparmor", MFD_CLOEXEC);
        size_t len = strlen(text);
        if (fd < 0 || write(fd, text, len) != (ssize_t) len || lseek(fd, 0, SEEK_SET) != 0)
                return crio_error_set_errno(err, errno, "installing AppArmor profile " APPARMOR_DEFAULT_PROFILE);
        char *argv[] = { (char *) parser, "--replace", "--skip-cache", NULL };
        _cleanup_(spawn_result_clear) SpawnResult res = { 0 };
        SpawnOptions o = { .argv = argv, .stdin_fd = fd, .timeout_ms = APPARMOR_PARSER_TIMEOUT_MS };
        int r = spawn_run(&o, &res, err);
        if (r < 0)
                return crio_error_prefix(err, "installing AppArmor profile " APPARMOR_DEFAULT_PROFILE ": ");
        if (res.status != 0)
                return crio_error_set(err, EIO, "installing AppArmor profile " APPARMOR_DEFAULT_PROFILE ": %s failed: %s",
                                      parser, spawn_result_message(&res));
        return 0;
}

int apparmor_ensure(const char *profile, CrioError *err) {
        if (strcmp(profile, APPARMOR_UNCONFINED) == 0)
                return 0;
        int r = apparmor_profile_loaded(profile, err);
        if (r < 0)
                return r;
        if (r > 0)
                return 0;
        if (strcmp(profile, APPARMOR_DEFAULT_PROFILE) == 0)
                return apparmor_install_default(err);
        return crio_error_set(err, ENOENT, "AppArmor profile \"%s\" is not loaded on this host", profile);
}

int apparmor_prepare(const char *configured, CrioError *err) {
        const char *name = configured && configured[0] ? configured : APPARMOR_DEFAULT_PROFILE;
        int r = name_check(name, err);
        if (r < 0)
                return crio_error_prefix(err, "apparmor_profile: ");
        if (strcmp(name, APPARMOR_DEFAULT_PROFILE) == 0)
                r = apparmor_install_default(err);
        else
                r = apparmor_ensure(name, err);
        return r < 0 ? crio_error_prefix(err, "apparmor_profile: ") : 0;
}
