/* Replay driver for the fuzz targets: feeds each file named on the command line (or each
 * file in each named directory) to LLVMFuzzerTestOneInput. make check runs the corpora
 * through it, so that a crash once found stays fixed. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/cleanup.h"
#include "util/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        if (read_file(path, 64u << 20, &buf, &len, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return -1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *) buf, len);
        return 0;
}

int main(int argc, char **argv) {
        int n = 0;
        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        return 1;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (run_file(argv[i]) < 0)
                                return 1;
                        n++;
                        continue;
                }
                _cleanup_closedir_ DIR *d = opendir(argv[i]);
                if (!d)
                        return 1;
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        _cleanup_free_ char *p = NULL;
                        if (asprintf(&p, "%s/%s", argv[i], de->d_name) < 0 || run_file(p) < 0)
                                return 1;
                        n++;
                }
        }
        printf("replayed %d inputs\n", n);
        return 0;
}
