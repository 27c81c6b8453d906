#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/log.h"

/* One of /etc/passwd, /etc/group as read from the rootfs. */
typedef struct DbFile {
        const char *name;   /* "etc/passwd" */
        char *data;         /* NULL when absent */
        size_t len;
        const char *absent; /* why data is NULL: "missing", "a symlink, not followed", ... */
} DbFile;

static void db_file_clear(DbFile *f) {
        free(f->data);
        f->data = NULL;
}

/* Opens etc/<name> below rootfs_fd without following any symlink. Absence (or a symlink, or
 * a non-regular file) is not an error: f->absent says why. */
static int db_file_read(int rootfs_fd, const char *name, DbFile *f, CrioError *err) {
        *f = (DbFile){ .name = name };
        _cleanup_close_ int etc = openat(rootfs_fd, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (etc < 0) {
                if (errno == ENOENT) {
                        f->absent = "missing";
                        return 0;
                }
                if (errno == ELOOP || errno == ENOTDIR) {
                        f->absent = "not read: /etc is a symlink or not a directory";
                        return 0;
                }
                return crio_error_set_errno(err, errno, "opening /etc of the container");
        }
        const char *base = strchr(name, '/') + 1;
        _cleanup_close_ int fd = openat(etc, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT) {
                        f->absent = "missing";
                        return 0;
                }
                if (errno == ELOOP) {
                        f->absent = "a symlink, not followed";
                        return 0;
                }
                return crio_error_set_errno(err, errno, "opening /%s of the container", name);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return crio_error_set_errno(err, errno, "stat of /%s of the container", name);
        if (!S_ISREG(st.st_mode)) {
                f->absent = "not a regular file";
                return 0;
        }
        if (st.st_size > (off_t) OCI_USER_FILE_MAX)
                return crio_error_set(err, EFBIG, "/%s of the container is %jd bytes, more than the %u allowed", name,
                                      (intmax_t) st.st_size, OCI_USER_FILE_MAX);
        /* The size may change under us: read up to the limit, never past it. */
        size_t cap = (size_t) st.st_size + 4096;
        if (cap > OCI_USER_FILE_MAX + 1)
                cap = OCI_USER_FILE_MAX + 1;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (!buf)
                return crio_error_set(err, ENOMEM, "out of memory");
        size_t len = 0;
        for (;;) {
                if (len == cap) {
                        if (cap > OCI_USER_FILE_MAX)
                                return crio_error_set(err, EFBIG, "/%s of the container is more than %u bytes", name,
                                                      OCI_USER_FILE_MAX);
                        size_t ncap = cap * 2 > OCI_USER_FILE_MAX + 1 ? OCI_USER_FILE_MAX + 1 : cap * 2;
                        char *nb = realloc(buf, ncap + 1);
                        if (!nb)
                                return crio_error_set(err, ENOMEM, "out of memory");
                        buf = nb;
                        cap = ncap;
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return crio_error_set_errno(err, errno, "reading /%s of the container", name);
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        if (len > OCI_USER_FILE_MAX)
                return crio_error_set(err, EFBIG, "/%s of the container is more than %u bytes", name, OCI_USER_FILE_MAX);
        buf[len] = '\0';
        f->data = TAKE_PTR(buf);
        f->len = len;
        return 0;
}

#define DB_FIELDS_MAX 7

typedef struct Field {
        const char *p;
        size_t n;
} Field;

typedef struct DbLine {
        Field f[DB_FIELDS_MAX];
        size_t n_fields;
} DbLine;

/* Iterates over the lines of f: fills *line with the ':'-separated fields of the next
 * well-formed-looking line (trimmed, not blank, not a comment, no NUL). Returns 1, 0 at the
 * end, or -EFBIG past OCI_USER_LINES_MAX lines. */
static int db_next(const DbFile *f, size_t *pos, size_t *count, DbLine *line, CrioError *err) {
        while (*pos < f->len) {
                const char *s = f->data + *pos;
                const char *nl = memchr(s, '\n', f->len - *pos);
                size_t n = nl ? (size_t) (nl - s) : f->len - *pos;
                *pos += n + (nl ? 1 : 0);
                if (++*count > OCI_USER_LINES_MAX)
                        return crio_error_set(err, EFBIG, "/%s of the container has more than %u lines", f->name,
                                              OCI_USER_LINES_MAX);
                while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r'))
                        s++, n--;
                while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
                        n--;
                if (n == 0 || *s == '#' || memchr(s, '\0', n))
                        continue;
                *line = (DbLine){};
                const char *end = s + n;
                for (const char *p = s;; ) {
                        const char *colon = memchr(p, ':', (size_t) (end - p));
                        const char *fe = colon ? colon : end;
                        if (line->n_fields < DB_FIELDS_MAX)
                                line->f[line->n_fields++] = (Field){ p, (size_t) (fe - p) };
                        if (!colon)
                                break;
                        p = colon + 1;
                }
                return 1;
        }
        return 0;
}

/* A decimal id 0..OCI_USER_ID_MAX, nothing else (no sign, no spaces). */
static bool parse_id(const char *p, size_t n, uint32_t *ret) {
        if (n == 0 || n > 10)
                return false;
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) {
                if (p[i] < '0' || p[i] > '9')
                        return false;
                v = v * 10 + (uint64_t) (p[i] - '0');
        }
        if (v > OCI_USER_ID_MAX)
                return false;
        *ret = (uint32_t) v;
        return true;
}

static bool parse_id_str(const char *s, uint32_t *ret) {
        return parse_id(s, strlen(s), ret);
}

static bool field_eq(Field f, const char *s) {
        return f.n == strlen(s) && memcmp(f.p, s, f.n) == 0;
}

typedef struct PasswdMatch {
        bool found;
        char *name;
        uint32_t uid, gid;
        char *home;
} PasswdMatch;

static int passwd_find(const DbFile *f, const char *arg, PasswdMatch *ret, CrioError *err) {
        uint32_t want = 0;
        bool numeric = parse_id_str(arg, &want);
        size_t pos = 0, count = 0;
        DbLine l;
        int r;
        while (f->data && (r = db_next(f, &pos, &count, &l, err)) != 0) {
                if (r < 0)
                        return r;
                uint32_t uid, gid;
                /* name:password:uid:gid[:gecos[:home[:shell]]] */
                if (l.n_fields < 4 || l.f[0].n == 0 || !parse_id(l.f[2].p, l.f[2].n, &uid) ||
                    !parse_id(l.f[3].p, l.f[3].n, &gid))
                        continue;
                if (!field_eq(l.f[0], arg) && !(numeric && uid == want))
                        continue;
                ret->found = true;
                ret->uid = uid;
                ret->gid = gid;
                ret->name = strndup(l.f[0].p, l.f[0].n);
                ret->home = l.n_fields >= 6 && l.f[5].n > 0 ? strndup(l.f[5].p, l.f[5].n) : strdup("/");
                if (!ret->name || !ret->home)
                        return crio_error_set(err, ENOMEM, "out of memory");
                return 0;
        }
        return 0;
}

static int gids_add(gid_t **gids, size_t *n, gid_t g, CrioError *err) {
        for (size_t i = 0; i < *n; i++)
                if ((*gids)[i] == g)
                        return 0;
        if (*n >= OCI_USER_GROUPS_MAX)
                return crio_error_set(err, E2BIG, "more than %u supplementary groups", OCI_USER_GROUPS_MAX);
        gid_t *ng = realloc(*gids, (*n + 1) * sizeof(gid_t));
        if (!ng)
                return crio_error_set(err, ENOMEM, "out of memory");
        ng[(*n)++] = g;
        *gids = ng;
        return 0;
}

static bool member_list_has(Field members, const char *name) {
        const char *p = members.p, *end = members.p + members.n;
        while (p < end) {
                const char *comma = memchr(p, ',', (size_t) (end - p));
                const char *me = comma ? comma : end;
                Field m = { p, (size_t) (me - p) };
                while (m.n > 0 && (*m.p == ' ' || *m.p == '\t'))
                        m.p++, m.n--;
                while (m.n > 0 && (m.p[m.n - 1] == ' ' || m.p[m.n - 1] == '\t'))
                        m.n--;
                if (m.n > 0 && field_eq(m, name))
                        return true;
                p = me + 1;
        }
        return false;
}

/* With group_arg: finds that group (by name or number, first line wins) into *ret_gid,
 * *ret_found. Without: appends every group listing member to *gids. */
static int group_scan(const DbFile *f, const char *group_arg, const char *member, uint32_t *ret_gid, bool *ret_found,
                      gid_t **gids, size_t *n_gids, CrioError *err) {
        uint32_t want = 0;
        bool numeric = group_arg && parse_id_str(group_arg, &want);
        size_t pos = 0, count = 0;
        DbLine l;
        int r;
        while (f->data && (r = db_next(f, &pos, &count, &l, err)) != 0) {
                if (r < 0)
                        return r;
                uint32_t gid;
                /* name:password:gid[:members] */
                if (l.n_fields < 3 || l.f[0].n == 0 || !parse_id(l.f[2].p, l.f[2].n, &gid))
                        continue;
                if (group_arg) {
                        if (field_eq(l.f[0], group_arg) || (numeric && gid == want)) {
                                *ret_gid = gid;
                                *ret_found = true;
                                return 0;
                        }
                } else if (member && l.n_fields >= 4 && member_list_has(l.f[3], member)) {
                        r = gids_add(gids, n_gids, gid, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

void oci_user_clear(OciUser *u) {
        if (!u)
                return;
        free(u->home);
        free(u->additional_gids);
        *u = (OciUser){};
}

static int lookup(int rootfs_fd, const char *user, const int64_t *extra, size_t n_extra, OciUser *ret,
                  CrioError *err) {
        _cleanup_free_ char *copy = strdup(user ? user : "");
        if (!copy)
                return crio_error_set(err, ENOMEM, "out of memory");
        char *group_arg = strchr(copy, ':');
        if (group_arg)
                *group_arg++ = '\0';
        if (group_arg && !*group_arg)
                group_arg = NULL;
        const char *user_arg = copy[0] ? copy : "0";

        _cleanup_(db_file_clear) DbFile passwd = {}, group = {};
        int r = db_file_read(rootfs_fd, "etc/passwd", &passwd, err);
        if (r < 0)
                return r;

        PasswdMatch pw = {};
        r = passwd_find(&passwd, user_arg, &pw, err);
        _cleanup_free_ char *pw_name = pw.name, *pw_home = pw.home;
        if (r < 0)
                return r;
        uint32_t uid = 0, gid = 0;
        if (pw.found) {
                uid = pw.uid;
                gid = pw.gid;
        } else if (!parse_id_str(user_arg, &uid)) {
                if (passwd.data)
                        return crio_error_set(err, ENOENT, "unable to find user %s: no matching entries in /etc/passwd",
                                              user_arg);
                return crio_error_set(err, ENOENT, "unable to find user %s: /etc/passwd of the container is %s",
                                      user_arg, passwd.absent);
        }
        log_debug("container user %s: uid %" PRIu32 ", gid %" PRIu32, user_arg, uid, gid);

        r = db_file_read(rootfs_fd, "etc/group", &group, err);
        if (r < 0)
                return r;
        _cleanup_free_ gid_t *gids = NULL;
        size_t n_gids = 0;
        if (group_arg) {
                bool found = false;
                uint32_t g = 0;
                r = group_scan(&group, group_arg, NULL, &g, &found, NULL, NULL, err);
                if (r < 0)
                        return r;
                if (found)
                        gid = g;
                else if (parse_id_str(group_arg, &g))
                        gid = g;
                else if (group.data)
                        return crio_error_set(err, ENOENT, "unable to find group %s: no matching entries in /etc/group",
                                              group_arg);
                else
                        return crio_error_set(err, ENOENT, "unable to find group %s: /etc/group of the container is %s",
                                              group_arg, group.absent);
        } else if (pw.found) {
                r = group_scan(&group, NULL, pw_name, NULL, NULL, &gids, &n_gids, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n_extra; i++) {
                if (extra[i] < 0 || extra[i] > OCI_USER_ID_MAX)
                        return crio_error_set(err, EINVAL, "supplemental group %" PRId64 " out of range", extra[i]);
                r = gids_add(&gids, &n_gids, (gid_t) extra[i], err);
                if (r < 0)
                        return r;
        }
        char *home = pw_home ? TAKE_PTR(pw_home) : strdup("/");
        if (!home)
                return crio_error_set(err, ENOMEM, "out of memory");
        *ret = (OciUser){ .uid = uid, .gid = gid, .home = home, .additional_gids = TAKE_PTR(gids),
                          .n_additional_gids = n_gids };
        return 0;
}

int oci_user_lookup(int rootfs_fd, const char *user, OciUser *ret, CrioError *err) {
        return lookup(rootfs_fd, user, NULL, 0, ret, err);
}

int oci_user_resolve(int rootfs_fd, const OciUserRequest *req, OciUser *ret, CrioError *err) {
        _cleanup_free_ char *user = NULL;
        int r;
        if (req->has_run_as_user) {
                if (req->run_as_user < 0 || req->run_as_user > OCI_USER_ID_MAX)
                        return crio_error_set(err, EINVAL, "run_as_user %" PRId64 " out of range", req->run_as_user);
                r = asprintf(&user, "%" PRId64, req->run_as_user);
        } else if (req->run_as_username && req->run_as_username[0]) {
                if (strchr(req->run_as_username, ':'))
                        return crio_error_set(err, EINVAL, "run_as_username \"%s\" contains ':'", req->run_as_username);
                r = asprintf(&user, "%s", req->run_as_username);
        } else
                r = asprintf(&user, "%s", req->image_user ? req->image_user : "");
        if (r < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        if (req->has_run_as_group) {
                if (req->run_as_group < 0 || req->run_as_group > OCI_USER_ID_MAX)
                        return crio_error_set(err, EINVAL, "run_as_group %" PRId64 " out of range", req->run_as_group);
                char *colon = strchr(user, ':');
                if (colon)
                        *colon = '\0';
                char *with_group = NULL;
                if (asprintf(&with_group, "%s:%" PRId64, user, req->run_as_group) < 0)
                        return crio_error_set(err, ENOMEM, "out of memory");
                free(user);
                user = with_group;
        }
        return lookup(rootfs_fd, user, req->supplemental_groups, req->n_supplemental_groups, ret, err);
}
