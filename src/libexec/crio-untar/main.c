/* crio-untar: applies one image layer read from stdin to an empty directory.
 *
 *   crio-untar [--max-diff-size=BYTES] [--] TARGET_DIR  <layer  >result
 *
 * Spawned by layer_apply() (src/storage/layer-apply.c), one process per layer: libarchive
 * uses the process-wide cwd and umask, which the threaded daemon cannot lend it. As root it
 * chroots into TARGET_DIR first. It prints one result line (see untar.h) and exits 0 on
 * success, 1 on failure, 2 on a usage error. */
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/untar.h"
#include "util/cleanup.h"

static ssize_t read_fd(void *userdata, void *buf, size_t size) {
        ssize_t n = read(*(int *) userdata, buf, size);
        return n < 0 ? -errno : n;
}

static int write_all(int fd, const char *p, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

static int usage(void) {
        fputs("usage: crio-untar [--max-diff-size=BYTES] [--] TARGET_DIR <layer >result\n", stderr);
        return 2;
}

int main(int argc, char **argv) {
        UntarOptions opts = { .try_chroot = true };
        const char *target = NULL;
        bool options = true;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (options && strcmp(a, "--") == 0)
                        options = false;
                else if (options && strncmp(a, "--max-diff-size=", 16) == 0) {
                        char *end = NULL;
                        errno = 0;
                        unsigned long long v = strtoull(a + 16, &end, 10);
                        if (errno || !end || *end || end == a + 16)
                                return usage();
                        opts.max_diff_size = v;
                } else if ((options && a[0] == '-') || target)
                        return usage();
                else
                        target = a;
        }
        if (!target)
                return usage();
        /* UTF-8 names (pax) pass through unchanged, without a conversion warning. */
        if (!setlocale(LC_ALL, "C.UTF-8"))
                setlocale(LC_ALL, "C");
        signal(SIGPIPE, SIG_IGN);

        _cleanup_(crio_error_clear) CrioError err = {};
        UntarResult res = {};
        int in_fd = STDIN_FILENO;
        int r = untar_extract(read_fd, &in_fd, target, &opts, &res, &err);
        _cleanup_free_ char *line = NULL;
        if (untar_report_format(r, &res, &err, &line) < 0 || write_all(STDOUT_FILENO, line, strlen(line)) < 0)
                return 1;
        return r < 0 ? 1 : 0;
}
