/* Host device nodes for a container. See host-devices.h. */
#include "oci/host-devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/cleanup.h"
#include "util/device-entry.h"

typedef struct Walk {
        OciSpec *spec;
        const char *host_path; /* the request's, for messages */
        const char *access;    /* NULL: no cgroup rule (privileged) */
        size_t added, max;
        bool privileged;       /* skip what runc's HostDevices skips */
} Walk;

typedef struct DirList {
        struct dirent **v;
        int n;
} DirList;

static void dir_list_clear(DirList *l) {
        for (int i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
        *l = (DirList){ 0 };
}

/* "rw", "mrw", "" -> "rwm"-ordered letters; -EINVAL for anything else. */
static int access_from(const char *permissions, char ret[4], CrioError *err) {
        bool r = false, w = false, m = false;
        const char *p = permissions ? permissions : "";
        for (const char *c = p; *c; c++) {
                bool *seen = *c == 'r' ? &r : *c == 'w' ? &w : *c == 'm' ? &m : NULL;
                if (!seen || *seen)
                        return crio_error_set(err, EINVAL,
                                              "device permissions \"%s\" are not letters of \"rwm\" (each at most once)", p);
                *seen = true;
        }
        if (!p[0])
                r = w = m = true;
        size_t n = 0;
        if (r)
                ret[n++] = 'r';
        if (w)
                ret[n++] = 'w';
        if (m)
                ret[n++] = 'm';
        ret[n] = '\0';
        return 0;
}

static int add_node(Walk *w, const struct stat *st, const char *container_path, CrioError *err) {
        if (w->added >= w->max)
                return crio_error_set(err, EINVAL, "device host_path %s holds more than %zu device nodes", w->host_path,
                                      w->max);
        OciDevice d = {
                .path = container_path,
                .type = S_ISBLK(st->st_mode) ? 'b' : 'c',
                .major = major(st->st_rdev),
                .minor = minor(st->st_rdev),
                .file_mode = st->st_mode & 07777,
                .uid = st->st_uid,
                .gid = st->st_gid,
        };
        if (w->privileged && d.major == 0 && d.minor == 0)
                return 0;
        int r = oci_spec_add_device(w->spec, &d, err);
        if (r >= 0 && w->access)
                r = oci_spec_add_device_rule(w->spec, true, d.type, d.major, d.minor, w->access, err);
        if (r < 0)
                return crio_error_prefix(err, "device host_path %s: ", w->host_path);
        w->added++;
        return 0;
}

static int skip_dots(const struct dirent *de) {
        return strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
}

/* What a privileged container does not get from the host's /dev (runc's HostDevices). */
static bool privileged_skip(const char *name, bool dir) {
        static const char *const dirs[] = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev" };
        if (!dir)
                return strcmp(name, "console") == 0;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (strcmp(name, dirs[i]) == 0)
                        return true;
        return false;
}

/* Every device node below the directory dfd (host_dir), in name order, at ctr_dir/<name>. */
static int walk(Walk *w, int dfd, const char *host_dir, const char *ctr_dir, unsigned depth, CrioError *err) {
        if (depth > HOST_DEVICES_DEPTH_MAX)
                return crio_error_set(err, EINVAL, "device host_path %s: %s is more than %d directories deep", w->host_path,
                                      host_dir, HOST_DEVICES_DEPTH_MAX);
        _cleanup_(dir_list_clear) DirList l = { 0 };
        l.n = scandirat(dfd, ".", &l.v, skip_dots, alphasort);
        if (l.n < 0) {
                l.n = 0;
                return crio_error_set(err, EINVAL, "device host_path %s: reading %s: %s", w->host_path, host_dir,
                                      strerror(errno));
        }
        if (l.n > HOST_DEVICES_DIR_ENTRIES_MAX)
                return crio_error_set(err, EINVAL, "device host_path %s: %s has more than %d entries", w->host_path,
                                      host_dir, HOST_DEVICES_DIR_ENTRIES_MAX);
        for (int i = 0; i < l.n; i++) {
                const char *name = l.v[i]->d_name;
                struct stat st;
                if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue; /* gone meanwhile */
                if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISDIR(st.st_mode))
                        continue;
                if (w->privileged && privileged_skip(name, S_ISDIR(st.st_mode)))
                        continue;
                _cleanup_free_ char *host = NULL, *ctr = NULL;
                if (asprintf(&host, "%s/%s", host_dir, name) < 0 || asprintf(&ctr, "%s/%s", ctr_dir, name) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                int r;
                if (!S_ISDIR(st.st_mode)) {
                        r = add_node(w, &st, ctr, err);
                } else {
                        _cleanup_close_ int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0)
                                continue; /* replaced by something else meanwhile */
                        r = walk(w, sub, host, ctr, depth + 1, err);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_spec_add_host_devices(OciSpec *spec, const char *host_path, const char *container_path,
                              const char *permissions, CrioError *err) {
        if (!host_path || host_path[0] != '/')
                return crio_error_set(err, EINVAL, "device host_path \"%s\" is not absolute", host_path ? host_path : "");
        /* (oci_spec_add_device refuses ".." components) */
        if (!container_path || container_path[0] != '/' || strspn(container_path, "/") == strlen(container_path))
                return crio_error_set(err, EINVAL, "device container_path \"%s\" (for %s) is not an absolute path below /",
                                      container_path ? container_path : "", host_path);
        Walk w = { .spec = spec, .host_path = host_path, .max = HOST_DEVICES_MAX };
        char access[4];
        int r = access_from(permissions, access, err);
        if (r < 0)
                return crio_error_prefix(err, "device %s: ", host_path);
        w.access = access;
        /* The node itself may be reached through symbolic links (/dev/disk/by-id/...). */
        _cleanup_close_ int fd = open(host_path, O_PATH | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return crio_error_set(err, EINVAL, "device host_path %s: %s", host_path, strerror(errno));
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                return add_node(&w, &st, container_path, err);
        if (!S_ISDIR(st.st_mode))
                return crio_error_set(err, EINVAL, "device host_path %s is neither a device node nor a directory", host_path);
        _cleanup_close_ int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return crio_error_set(err, EINVAL, "device host_path %s: %s", host_path, strerror(errno));
        /* "/dev/x/" and "/dev/x" give the same container paths */
        _cleanup_free_ char *ctr = strdup(container_path);
        if (!ctr)
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t n = strlen(ctr); n > 1 && ctr[n - 1] == '/'; n--)
                ctr[n - 1] = '\0';
        if ((r = walk(&w, dfd, host_path, ctr, 0, err)) < 0)
                return r;
        if (w.added == 0)
                return crio_error_set(err, EINVAL, "device host_path %s is a directory without device nodes", host_path);
        return 0;
}

int oci_spec_add_privileged_devices(OciSpec *spec, const char *dev_dir, CrioError *err) {
        Walk w = { .spec = spec, .host_path = dev_dir, .max = HOST_DEVICES_PRIVILEGED_MAX, .privileged = true };
        _cleanup_close_ int dfd = open(dev_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return crio_error_set_errno(err, errno, "privileged container: opening %s", dev_dir);
        return walk(&w, dfd, dev_dir, dev_dir, 0, err);
}

int oci_spec_add_config_device(OciSpec *spec, const char *entry, CrioError *err) {
        _cleanup_(device_entry_done) DeviceEntry d = { 0 };
        int r = device_entry_parse(entry, &d, err);
        if (r < 0 || (r = oci_spec_add_host_devices(spec, d.host, d.container, d.mode, err)) < 0)
                return crio_error_prefix(err, "additional_devices: ");
        return 0;
}
