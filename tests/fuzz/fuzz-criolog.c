/* Fuzz target: any bytes as a CRI container log file, fed to the reader behind
 * `crioctl logs` whole and in small pieces. Both ways give the same lines; each line is
 * within CRIOLOG_MAX_LINE, from a known stream, with a time that parses; never a crash or a
 * leak. criolog.c is crioctl's (not in libcrio), so it is included here directly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/crioctl/criolog.c"

typedef struct Digest {
        uint64_t hash;
        size_t lines;
} Digest;

static int on_line(const CriLogLine *l, void *userdata) {
        Digest *d = userdata;
        int64_t ns;
        if (l->len > CRIOLOG_MAX_LINE || (l->stream != CRI_LOG_STDOUT && l->stream != CRI_LOG_STDERR) ||
            criolog_parse_time(l->time, l->time_len, false, &ns) < 0 || ns != l->time_ns)
                abort();
        uint64_t h = d->hash ^ (uint64_t) l->stream ^ ((uint64_t) l->newline << 8);
        for (size_t i = 0; i < l->len; i++)
                h = (h ^ (unsigned char) l->text[i]) * 1099511628211u;
        d->hash = h;
        d->lines++;
        return 0;
}

static Digest run(const uint8_t *data, size_t size, size_t chunk) {
        Digest d = { .hash = 14695981039346656037u };
        CriLogReader *r = criolog_reader_new();
        if (!r)
                abort();
        for (size_t off = 0; off < size; off += chunk)
                if (criolog_reader_feed(r, (const char *) data + off, size - off < chunk ? size - off : chunk, on_line, &d) < 0)
                        abort();
        if (criolog_reader_flush(r, on_line, &d) < 0)
                abort();
        criolog_reader_free(r);
        return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 4 * 1024 * 1024)
                return 0;
        Digest a = run(data, size, size ? size : 1);
        Digest b = run(data, size, 7);
        if (a.hash != b.hash || a.lines != b.lines)
                abort();
        return 0;
}
