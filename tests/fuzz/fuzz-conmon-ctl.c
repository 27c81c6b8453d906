/* libFuzzer target for conmon's control-FIFO line reader (conmon/ctl.c): any bytes, as crio
 * (or anyone able to open the FIFO) could write them. Beyond not crashing or hanging, it
 * checks what ctl.h promises and aborts otherwise:
 *
 *   - feeding the input in arbitrary pieces gives the same messages as feeding it whole;
 *   - a message comes only from a complete line of at most CTL_LINE_MAX bytes, so there
 *     are never more messages than such lines;
 *   - every message has type > 0 and reads back the same from its own "%d %d %d" form;
 *   - ctl_parse_line on the raw input leaves its output alone when it refuses.
 *
 * conmon links only src/util, so its source is included directly.
 * Build: make fuzz; run: build-fuzz/fuzz-conmon-ctl tests/fuzz/corpus/conmon-ctl.
 * make check replays the corpus. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../conmon/ctl.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MESSAGES_MAX 4096

typedef struct Collected {
        CtlMessage m[FUZZ_MESSAGES_MAX];
        size_t n;
} Collected;

static void check(bool ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "fuzz-conmon-ctl: %s\n", what);
                abort();
        }
}

static void collect(const CtlMessage *m, void *userdata) {
        Collected *c = userdata;
        check(m->type > 0, "message with type <= 0");
        char line[64];
        int n = snprintf(line, sizeof line, "%d %d %d", m->type, m->a, m->b);
        CtlMessage back = { .type = -7 };
        check(ctl_parse_line(line, (size_t) n, &back) == 0, "a message does not read back");
        check(back.type == m->type && back.a == m->a && back.b == m->b, "a message reads back different");
        if (c->n < FUZZ_MESSAGES_MAX)
                c->m[c->n++] = *m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *) data;
        static Collected whole, pieces;
        whole.n = pieces.n = 0;

        CtlReader r = CTL_READER_INIT;
        ctl_feed(&r, text, size, collect, &whole);

        /* the same bytes in pieces whose sizes come from the bytes themselves */
        CtlReader r2 = CTL_READER_INIT;
        for (size_t off = 0; off < size;) {
                size_t step = 1 + data[off] % 7;
                if (step > size - off)
                        step = size - off;
                ctl_feed(&r2, text + off, step, collect, &pieces);
                off += step;
        }
        check(whole.n == pieces.n, "pieces give a different number of messages");
        for (size_t i = 0; i < whole.n; i++)
                check(memcmp(&whole.m[i], &pieces.m[i], sizeof whole.m[i]) == 0, "pieces give different messages");

        /* complete lines short enough to be read */
        size_t lines = 0, start = 0;
        for (size_t i = 0; i < size; i++)
                if (data[i] == '\n') {
                        if (i - start <= CTL_LINE_MAX)
                                lines++;
                        start = i + 1;
                }
        check(whole.n <= lines, "more messages than readable lines");

        CtlMessage m = { .type = -7, .a = 5, .b = 6 };
        if (ctl_parse_line(text, size, &m) < 0)
                check(m.type == -7 && m.a == 5 && m.b == 6, "a refused line changed the output");
        else
                check(m.type > 0, "parsed type <= 0");
        return 0;
}
