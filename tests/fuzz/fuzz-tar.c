/* Fuzz target: any bytes applied as a layer by the untar engine (in this process, without
 * chroot, as a helper lacking CAP_SYS_CHROOT runs it) into a fresh directory under /tmp must be
 * accepted or rejected with a message, never crash, leak, or put anything beside the target;
 * the directory is removed after each input. FUZZ_TAR_VERBOSE=1 prints each outcome. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "storage/untar.h"
#include "util/cleanup.h"
#include "util/rmrf.h"

typedef struct Input {
        const uint8_t *data;
        size_t size, off;
} Input;

/* Hands the input out in uneven pieces, as a pipe would. */
static ssize_t input_read(void *userdata, void *buf, size_t size) {
        Input *in = userdata;
        size_t n = in->size - in->off;
        if (n > size)
                n = size;
        if (n > 7000)
                n = 7000 + (in->off % 3);
        memcpy(buf, in->data + in->off, n);
        in->off += n;
        return (ssize_t) n;
}

/* The sandbox holds only "root": nothing was written beside the target. */
static void check_only_root(const char *dir) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                abort();
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "root")) {
                        fprintf(stderr, "fuzz-tar: %s/%s appeared outside the target\n", dir, de->d_name);
                        abort();
                }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char dir[] = "/tmp/crio-fuzz-tar.XXXXXX";
        if (!mkdtemp(dir))
                abort();
        char target[sizeof(dir) + 8];
        snprintf(target, sizeof(target), "%s/root", dir);
        if (mkdir(target, 0755) < 0)
                abort();

        Input in = { data, size, 0 };
        UntarOptions opts = { .max_diff_size = 64u << 20, .max_entries = 10000 };
        UntarResult res = {};
        CrioError err = {};
        int r = untar_extract(input_read, &in, target, &opts, &res, &err);
        if (r < 0 && !err.msg)
                abort(); /* every failure says why */
        if (r >= 0 && (strlen(res.diff_digest) != UNTAR_DIGEST_LEN || in.off != in.size))
                abort(); /* a success read the whole input */
        if (getenv("FUZZ_TAR_VERBOSE"))
                fprintf(stderr, "%s\n", r < 0 ? err.msg : res.diff_digest);
        /* The record the helper would print must parse back. */
        char *line = NULL;
        if (untar_report_format(r, &res, &err, &line) < 0)
                abort();
        UntarResult back = {};
        CrioError perr = {};
        int pr = untar_report_parse(line, strlen(line), &back, &perr);
        if ((r >= 0) != (pr >= 0) || pr == -EPROTO)
                abort();
        free(line);
        crio_error_clear(&perr);
        crio_error_clear(&err);

        check_only_root(dir);
        if (rm_rf(dir, &err) < 0) {
                fprintf(stderr, "fuzz-tar: %s\n", err.msg);
                abort();
        }
        return 0;
}
