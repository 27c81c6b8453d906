/* Fuzz target: any bytes as an image's /etc/passwd and /etc/group (the first half each),
 * looked up by name, by uid and with a group: found or refused with a message, never a crash,
 * a hang or a leak; a user that is found has sane ids. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/user.h"

static int rootfs_fd = -1;
static char dir[64];

static void write_all(const char *path, const uint8_t *data, size_t size) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                abort();
        while (size > 0) {
                ssize_t n = write(fd, data, size);
                if (n <= 0)
                        abort();
                data += n;
                size -= (size_t) n;
        }
        close(fd);
}

static void cleanup(void) {
        char p[128];
        snprintf(p, sizeof p, "%s/etc/passwd", dir);
        unlink(p);
        snprintf(p, sizeof p, "%s/etc/group", dir);
        unlink(p);
        snprintf(p, sizeof p, "%s/etc", dir);
        rmdir(p);
        rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (rootfs_fd < 0) {
                atexit(cleanup);
                snprintf(dir, sizeof dir, "/tmp/fuzz-oci-user-%d", (int) getpid());
                char etc[96];
                snprintf(etc, sizeof etc, "%s/etc", dir);
                if ((mkdir(dir, 0755) < 0 && access(dir, F_OK) < 0) || (mkdir(etc, 0755) < 0 && access(etc, F_OK) < 0))
                        abort();
                rootfs_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (rootfs_fd < 0)
                        abort();
        }
        char p[128];
        size_t half = size / 2;
        snprintf(p, sizeof p, "%s/etc/passwd", dir);
        write_all(p, data, half);
        snprintf(p, sizeof p, "%s/etc/group", dir);
        write_all(p, data + half, size - half);
        static const char *const users[] = { "root", "tester", "1000", "tester:tester", "0:wheel", "nobody:65534", "" };
        for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
                CrioError err = {};
                OciUser u = {};
                int r = oci_user_lookup(rootfs_fd, users[i], &u, &err);
                if (r < 0 && !err.msg)
                        abort();
                if (r >= 0 && u.n_additional_gids > 0 && !u.additional_gids)
                        abort();
                oci_user_clear(&u);
                crio_error_clear(&err);
        }
        return 0;
}
