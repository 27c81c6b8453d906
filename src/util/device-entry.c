#include "util/device-entry.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

/* Letters of "rwm", each at most once. */
static bool is_mode(const char *s, size_t len) {
        if (len == 0 || len > 3)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!strchr("rwm", s[i]) || memchr(s, s[i], i))
                        return false;
        return true;
}

int device_entry_parse(const char *entry, DeviceEntry *ret, CrioError *err) {
        const char *f[3] = { entry };
        size_t len[3] = { 0 }, n = 1;
        for (const char *c = entry; *c; c++) {
                if (*c != ':')
                        continue;
                if (n == 3)
                        return crio_error_set(err, EINVAL, "device \"%s\" has more than three fields", entry);
                f[n++] = c + 1;
        }
        for (size_t i = 0; i < n; i++)
                len[i] = i + 1 < n ? (size_t) (f[i + 1] - f[i] - 1) : strlen(f[i]);
        const char *ctr = f[0], *mode = "rwm";
        size_t ctr_len = len[0], mode_len = 3;
        if (n == 3) {
                if (!is_mode(f[2], len[2]))
                        return crio_error_set(err, EINVAL,
                                              "device \"%s\": invalid mode \"%s\" (letters of rwm, each at most once)", entry,
                                              f[2]);
                mode = f[2], mode_len = len[2];
        }
        if (n >= 2) {
                if (is_mode(f[1], len[1]))
                        mode = f[1], mode_len = len[1];
                else if (f[1][0] == '/')
                        ctr = f[1], ctr_len = len[1];
                else
                        return crio_error_set(err, EINVAL, "device \"%s\": \"%.*s\" is neither a path nor a mode", entry,
                                              (int) len[1], f[1]);
                if (n == 3 && ctr == f[0])
                        return crio_error_set(err, EINVAL, "device \"%s\": the second of three fields must be a path",
                                              entry);
        }
        if (len[0] == 0 || f[0][0] != '/')
                return crio_error_set(err, EINVAL, "device \"%s\": the host path must be absolute", entry);
        if (ctr_len <= 5 || strncmp(ctr, "/dev/", 5) != 0)
                return crio_error_set(err, EINVAL, "device \"%s\": the container path \"%.*s\" is not below /dev/", entry,
                                      (int) ctr_len, ctr);
        if (!ret)
                return 0;
        DeviceEntry d = { strndup(f[0], len[0]), strndup(ctr, ctr_len), strndup(mode, mode_len) };
        if (!d.host || !d.container || !d.mode) {
                device_entry_done(&d);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret = d;
        return 0;
}

void device_entry_done(DeviceEntry *d) {
        free(d->host);
        free(d->container);
        free(d->mode);
        *d = (DeviceEntry){ 0 };
}
