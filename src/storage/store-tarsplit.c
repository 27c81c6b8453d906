/* The tar-split record containers/storage keeps beside each layer
 * (overlay-layers/<id>.tar-split.gz), so that podman, skopeo and buildah can reproduce the
 * layer's exact tar stream (and so its diff ID) when they copy an image out of the store.
 * Without it they regenerate a tar from the diff directory, its digest differs, and the
 * copy fails ("Digest did not match").
 *
 * Format (github.com/vbatts/tar-split, tar/asm + tar/storage, as containers/storage 1.43
 * writes it): a gzip stream of JSON lines, one per entry, numbered by "position":
 *   {"type":2,"payload":"<base64 raw bytes>","position":N}       headers, padding, trailer
 *   {"type":1,"name":"<path>","size":N,"payload":"<base64 crc64-ISO of the contents, big
 *    endian>","position":N}                                        one per tar entry
 * A segment holds everything the Go tar reader consumed before an entry's contents: the
 * previous entry's padding, PAX/GNU extension headers and data, the header block. Entries
 * without contents have size 0 (omitted) and "payload":null.
 *
 * We compute it from a copy of the layer stream while layer_apply() extracts it (a pump
 * thread tees the input). Anything tar-split itself would refuse (duplicate paths, sparse
 * files, malformed headers) or more than TARSPLIT_MAX bytes just yields no record, as with
 * layers containers/storage got by other means. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "store-internal.h"
#include "util/log.h"

#define TARSPLIT_MAX (256u << 20)  /* compressed record */
#define EXT_DATA_MAX (1u << 20)    /* one PAX or GNU long-name data section */
#define PUMP_BUF (128u * 1024u)

enum { ST_HEADER, ST_EXT, ST_CONTENT, ST_PAD, ST_TRAILER };
enum { COMP_UNKNOWN = -1, COMP_NONE = 0, COMP_GZIP = 2, COMP_ZSTD = 4 };

struct TarSplit {
        bool failed;
        int compression;
        uint8_t magic[4];
        size_t magic_len;
        z_stream in_z, out_z;
        bool in_z_init, out_z_init;
        ZSTD_DStream *zstd;
        GByteArray *out;                 /* gzip'd JSON lines */
        GByteArray *raw;                 /* bytes of the segment being collected */
        GString *line;
        GHashTable *names;               /* cleaned names seen */
        uint64_t position;
        int state;
        uint8_t blk[512];
        size_t blk_len;
        bool zero_seen;
        uint64_t need;                   /* bytes left in ST_EXT / ST_CONTENT / ST_PAD */
        uint64_t pad_after;
        char ext_type;
        GByteArray *ext;                 /* extension data being collected */
        char *pax_path, *gnu_name;
        int64_t pax_size;                /* -1 if none */
        char *name;                      /* the current entry */
        int64_t size;
        uint64_t crc;
};

static uint64_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
        for (unsigned i = 0; i < 256; i++) {
                uint64_t c = i;
                for (int k = 0; k < 8; k++)
                        c = c & 1 ? (c >> 1) ^ 0xD800000000000000ull : c >> 1;
                crc_table[i] = c;
        }
}

static uint64_t crc_update(uint64_t crc, const uint8_t *p, size_t n) {
        crc = ~crc;
        for (size_t i = 0; i < n; i++)
                crc = crc_table[(uint8_t) crc ^ p[i]] ^ (crc >> 8);
        return ~crc;
}

static void fail(TarSplit *t, const char *why) {
        if (!t->failed)
                log_debug("storage: no tar-split record for this layer: %s", why);
        t->failed = true;
}

static void emit(TarSplit *t, const char *data, size_t len) {
        if (t->failed)
                return;
        uint8_t buf[16384];
        t->out_z.next_in = (Bytef *) data;
        t->out_z.avail_in = (uInt) len;
        do {
                t->out_z.next_out = buf;
                t->out_z.avail_out = sizeof(buf);
                deflate(&t->out_z, len ? Z_NO_FLUSH : Z_FINISH);
                g_byte_array_append(t->out, buf, (guint) (sizeof(buf) - t->out_z.avail_out));
        } while (t->out_z.avail_out == 0 || (!len && t->out_z.avail_in > 0));
        if (t->out->len > TARSPLIT_MAX)
                fail(t, "record too large");
}

static void json_escape(GString *s, const char *v) {
        for (const unsigned char *p = (const unsigned char *) v; *p; p++) {
                if (*p == '"' || *p == '\\')
                        g_string_append_printf(s, "\\%c", *p);
                else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
                        g_string_append_printf(s, "\\u%04x", *p);
                else
                        g_string_append_c(s, (char) *p);
        }
}

static void emit_segment(TarSplit *t) {
        if (t->raw->len == 0 || t->failed)
                return;
        gchar *b = g_base64_encode(t->raw->data, t->raw->len);
        g_string_printf(t->line, "{\"type\":2,\"payload\":\"%s\",\"position\":%" PRIu64 "}\n", b, t->position++);
        g_free(b);
        emit(t, t->line->str, t->line->len);
        g_byte_array_set_size(t->raw, 0);
}

/* filepath.Clean, enough to detect two entries for one path. */
static char *clean_name(const char *name) {
        GPtrArray *parts = g_ptr_array_new();
        gchar **v = g_strsplit(name, "/", -1);
        for (gchar **p = v; *p; p++) {
                if (!**p || strcmp(*p, ".") == 0)
                        continue;
                if (strcmp(*p, "..") == 0 && parts->len > 0 && strcmp(parts->pdata[parts->len - 1], "..") != 0)
                        g_ptr_array_remove_index(parts, parts->len - 1);
                else
                        g_ptr_array_add(parts, *p);
        }
        g_ptr_array_add(parts, NULL);
        gchar *joined = g_strjoinv("/", (gchar **) parts->pdata);
        char *r = g_strdup_printf("%s%s", name[0] == '/' ? "/" : "", *joined || name[0] == '/' ? joined : ".");
        g_free(joined);
        g_ptr_array_free(parts, TRUE);
        g_strfreev(v);
        return r;
}

static void emit_file(TarSplit *t, bool has_crc) {
        if (t->failed)
                return;
        char *c = clean_name(t->name);
        if (!g_hash_table_add(t->names, c)) {
                fail(t, "duplicate path in the layer");
                return;
        }
        g_string_assign(t->line, "{\"type\":1,");
        if (g_utf8_validate(t->name, -1, NULL)) {
                g_string_append(t->line, "\"name\":\"");
                json_escape(t->line, t->name);
        } else {
                gchar *b = g_base64_encode((const guchar *) t->name, strlen(t->name));
                g_string_append_printf(t->line, "\"name_raw\":\"%s", b);
                g_free(b);
        }
        g_string_append(t->line, "\",");
        if (t->size != 0)
                g_string_append_printf(t->line, "\"size\":%" PRId64 ",", t->size);
        if (has_crc) {
                uint8_t be[8];
                for (int i = 0; i < 8; i++)
                        be[i] = (uint8_t) (t->crc >> (56 - 8 * i));
                gchar *b = g_base64_encode(be, 8);
                g_string_append_printf(t->line, "\"payload\":\"%s\",", b);
                g_free(b);
        } else
                g_string_append(t->line, "\"payload\":null,");
        g_string_append_printf(t->line, "\"position\":%" PRIu64 "}\n", t->position++);
        emit(t, t->line->str, t->line->len);
}

static int64_t parse_number(const uint8_t *f, size_t n) {
        if (f[0] & 0x80) { /* base-256 */
                if (f[0] & 0x40)
                        return -1;
                int64_t v = f[0] & 0x3f;
                for (size_t i = 1; i < n; i++) {
                        if (v > (INT64_MAX >> 8))
                                return -1;
                        v = (v << 8) | f[i];
                }
                return v;
        }
        int64_t v = 0;
        size_t i = 0;
        while (i < n && (f[i] == ' ' || f[i] == '\0'))
                i++;
        for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
                if (v > (INT64_MAX >> 3))
                        return -1;
                v = v * 8 + (f[i] - '0');
        }
        return v;
}

static char *field_string(const uint8_t *f, size_t n) {
        size_t len = strnlen((const char *) f, n);
        return g_strndup((const char *) f, len);
}

static bool checksum_ok(const uint8_t *b) {
        int64_t want = parse_number(b + 148, 8);
        uint64_t u = 0;
        int64_t s = 0;
        for (int i = 0; i < 512; i++) {
                uint8_t c = i >= 148 && i < 156 ? ' ' : b[i];
                u += c;
                s += (int8_t) c;
        }
        return want >= 0 && ((uint64_t) want == u || want == s);
}

static void parse_pax(TarSplit *t) {
        const char *p = (const char *) t->ext->data, *end = p + t->ext->len;
        while (p < end) {
                char *sp = memchr(p, ' ', (size_t) (end - p));
                if (!sp)
                        return fail(t, "bad PAX record");
                long len = strtol(p, NULL, 10);
                if (len <= sp - p + 1 || len > end - p || p[len - 1] != '\n')
                        return fail(t, "bad PAX record");
                const char *kv = sp + 1, *eq = memchr(kv, '=', (size_t) (p + len - 1 - kv));
                if (!eq)
                        return fail(t, "bad PAX record");
                size_t klen = (size_t) (eq - kv), vlen = (size_t) (p + len - 1 - eq - 1);
                if (klen == 4 && memcmp(kv, "path", 4) == 0) {
                        g_free(t->pax_path);
                        t->pax_path = g_strndup(eq + 1, vlen);
                } else if (klen == 4 && memcmp(kv, "size", 4) == 0) {
                        char *v = g_strndup(eq + 1, vlen);
                        t->pax_size = g_ascii_strtoll(v, NULL, 10);
                        g_free(v);
                } else if (klen > 11 && memcmp(kv, "GNU.sparse.", 11) == 0)
                        return fail(t, "sparse files");
                p += len;
        }
}

static void on_header(TarSplit *t) {
        const uint8_t *b = t->blk;
        bool zero = true;
        for (int i = 0; i < 512 && zero; i++)
                zero = b[i] == 0;
        if (zero) {
                if (t->zero_seen) {
                        emit_segment(t); /* as the Go reader's RawBytes() at io.EOF */
                        t->state = ST_TRAILER; /* the rest is padding, in segments of its own */
                        return;
                }
                t->zero_seen = true;
                return;
        }
        if (t->zero_seen || !checksum_ok(b))
                return fail(t, "malformed tar header");
        char flag = (char) b[156];
        int64_t size = parse_number(b + 124, 12);
        if (size < 0)
                return fail(t, "bad size");
        if (flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K') {
                if ((uint64_t) size > EXT_DATA_MAX)
                        return fail(t, "extension header too large");
                t->ext_type = flag;
                g_byte_array_set_size(t->ext, 0);
                t->need = (uint64_t) size;
                t->pad_after = (512 - (uint64_t) size % 512) % 512;
                t->state = ST_EXT;
                if (flag == 'g') {
                        g_free(t->name);
                        t->name = field_string(b, 100);
                }
                return;
        }
        if (flag == 'S')
                return fail(t, "sparse files");
        g_free(t->name);
        bool ustar = memcmp(b + 257, "ustar\0" "00", 8) == 0;
        if (t->pax_path)
                t->name = g_strdup(t->pax_path);
        else if (t->gnu_name)
                t->name = g_strdup(t->gnu_name);
        else {
                char *n = field_string(b, 100), *prefix = ustar ? field_string(b + 345, 155) : g_strdup("");
                t->name = *prefix ? g_strdup_printf("%s/%s", prefix, n) : g_strdup(n);
                g_free(n);
                g_free(prefix);
        }
        if (t->pax_size >= 0)
                size = t->pax_size;
        g_clear_pointer(&t->pax_path, g_free);
        g_clear_pointer(&t->gnu_name, g_free);
        t->pax_size = -1;
        t->size = size;
        bool header_only = strchr("123456", flag) != NULL || (flag == '\0' && g_str_has_suffix(t->name, "/"));
        uint64_t nb = header_only ? 0 : (uint64_t) size;
        emit_segment(t);
        t->crc = 0;
        t->need = nb;
        t->pad_after = (512 - nb % 512) % 512;
        if (nb == 0) {
                emit_file(t, size > 0);
                t->need = t->pad_after;
                t->state = ST_PAD;
        } else
                t->state = ST_CONTENT;
}

static void on_ext_done(TarSplit *t) {
        if (t->ext_type == 'x' || t->ext_type == 'g')
                parse_pax(t);
        else if (t->ext_type == 'L') {
                g_free(t->gnu_name);
                t->gnu_name = g_strndup((const char *) t->ext->data, strnlen((const char *) t->ext->data, t->ext->len));
        }
        t->need = t->pad_after;
        t->state = ST_PAD;
        if (t->ext_type == 'g') { /* the Go reader hands global headers out as entries */
                emit_segment(t);
                t->size = 0;
                emit_file(t, false);
                g_clear_pointer(&t->pax_path, g_free);
                t->pax_size = -1;
        }
}

/* Feeds the uncompressed tar stream. */
static void parse(TarSplit *t, const uint8_t *p, size_t n) {
        while (n > 0 && !t->failed) {
                size_t k;
                switch (t->state) {
                case ST_HEADER:
                        k = MIN(n, 512 - t->blk_len);
                        memcpy(t->blk + t->blk_len, p, k);
                        g_byte_array_append(t->raw, p, (guint) k);
                        t->blk_len += k;
                        if (t->blk_len == 512) {
                                t->blk_len = 0;
                                on_header(t);
                        }
                        break;
                case ST_EXT:
                        k = (size_t) MIN((uint64_t) n, t->need);
                        g_byte_array_append(t->ext, p, (guint) k);
                        g_byte_array_append(t->raw, p, (guint) k);
                        t->need -= k;
                        if (t->need == 0)
                                on_ext_done(t);
                        break;
                case ST_CONTENT:
                        k = (size_t) MIN((uint64_t) n, t->need);
                        t->crc = crc_update(t->crc, p, k);
                        t->need -= k;
                        if (t->need == 0) {
                                emit_file(t, true);
                                t->need = t->pad_after;
                                t->state = ST_PAD;
                        }
                        break;
                case ST_PAD:
                        k = (size_t) MIN((uint64_t) n, t->need);
                        g_byte_array_append(t->raw, p, (guint) k);
                        t->need -= k;
                        break;
                default: /* ST_TRAILER */
                        k = n;
                        g_byte_array_append(t->raw, p, (guint) k);
                        if (t->raw->len >= (1u << 20))
                                emit_segment(t);
                        break;
                }
                if (t->state == ST_PAD && t->need == 0)
                        t->state = ST_HEADER;
                p += k;
                n -= k;
        }
}

static void decompress(TarSplit *t, const uint8_t *p, size_t n) {
        uint8_t buf[65536];
        if (t->compression == COMP_NONE) {
                parse(t, p, n);
                return;
        }
        if (t->compression == COMP_GZIP) {
                t->in_z.next_in = (Bytef *) p;
                t->in_z.avail_in = (uInt) n;
                while (t->in_z.avail_in > 0 && !t->failed) {
                        t->in_z.next_out = buf;
                        t->in_z.avail_out = sizeof(buf);
                        int zr = inflate(&t->in_z, Z_NO_FLUSH);
                        parse(t, buf, sizeof(buf) - t->in_z.avail_out);
                        if (zr == Z_STREAM_END)
                                inflateReset(&t->in_z); /* concatenated members */
                        else if (zr != Z_OK && zr != Z_BUF_ERROR)
                                return fail(t, "gzip data is corrupt");
                }
                return;
        }
        ZSTD_inBuffer in = { p, n, 0 };
        while (in.pos < in.size && !t->failed) {
                ZSTD_outBuffer out = { buf, sizeof(buf), 0 };
                if (ZSTD_isError(ZSTD_decompressStream(t->zstd, &out, &in)))
                        return fail(t, "zstd data is corrupt");
                parse(t, buf, out.pos);
        }
}

static void feed(TarSplit *t, const uint8_t *p, size_t n) {
        if (t->failed)
                return;
        if (t->compression == COMP_UNKNOWN) {
                while (t->magic_len < 4 && n > 0) { /* the first bytes decide */
                        t->magic[t->magic_len++] = *p++;
                        n--;
                }
                if (t->magic_len < 4)
                        return;
                if (t->magic[0] == 0x1f && t->magic[1] == 0x8b) {
                        t->compression = COMP_GZIP;
                        t->in_z_init = inflateInit2(&t->in_z, 16 + MAX_WBITS) == Z_OK;
                        if (!t->in_z_init)
                                return fail(t, "inflateInit failed");
                } else if (memcmp(t->magic, "\x28\xb5\x2f\xfd", 4) == 0) {
                        t->compression = COMP_ZSTD;
                        if (!(t->zstd = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(t->zstd)))
                                return fail(t, "zstd init failed");
                } else
                        t->compression = COMP_NONE;
                decompress(t, t->magic, 4);
        }
        decompress(t, p, n);
}

static TarSplit *tarsplit_new(void) {
        pthread_once(&crc_once, crc_init);
        TarSplit *t = g_new0(TarSplit, 1);
        t->compression = COMP_UNKNOWN;
        t->out = g_byte_array_new();
        t->raw = g_byte_array_new();
        t->ext = g_byte_array_new();
        t->line = g_string_new(NULL);
        t->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        t->pax_size = -1;
        t->out_z_init = deflateInit2(&t->out_z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK;
        if (!t->out_z_init)
                fail(t, "deflateInit failed");
        return t;
}

void tarsplit_free(TarSplit *t) {
        if (!t)
                return;
        if (t->in_z_init)
                inflateEnd(&t->in_z);
        if (t->out_z_init)
                deflateEnd(&t->out_z);
        ZSTD_freeDStream(t->zstd);
        g_byte_array_unref(t->out);
        g_byte_array_unref(t->raw);
        g_byte_array_unref(t->ext);
        g_string_free(t->line, TRUE);
        g_hash_table_destroy(t->names);
        g_free(t->pax_path);
        g_free(t->gnu_name);
        g_free(t->name);
        g_free(t);
}

int tarsplit_compression(const TarSplit *t) {
        return t->compression < 0 ? COMP_NONE : t->compression;
}

bool tarsplit_result(TarSplit *t, const void **ret, size_t *ret_len) {
        if (!t->failed && t->state != ST_TRAILER)
                fail(t, "the tar stream did not end properly");
        emit_segment(t);
        emit(t, "", 0); /* finish the gzip stream */
        if (t->failed)
                return false;
        *ret = t->out->data;
        *ret_len = t->out->len;
        return true;
}

/* ---- the pump: input fd -> (socket for layer_apply, tar-split) ---- */

struct TarSplitPump {
        pthread_t thread;
        int in_fd, out_fd;
        int error;  /* errno reading the input, 0 if fine */
        TarSplit *ts;
};

static void *pump_main(void *arg) {
        TarSplitPump *p = arg;
        uint8_t *buf = g_malloc(PUMP_BUF);
        for (;;) {
                /* Wait for input, but stop when the extraction side went away (it failed and
                 * reports why), so that a stalled input cannot keep us here. */
                struct pollfd pfd[2] = { { .fd = p->in_fd, .events = POLLIN }, { .fd = p->out_fd, .events = 0 } };
                if (poll(pfd, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        p->error = errno;
                        break;
                }
                if (pfd[1].revents & (POLLHUP | POLLERR)) {
                        fail(p->ts, "extraction stopped");
                        break;
                }
                ssize_t n = read(p->in_fd, buf, PUMP_BUF);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0) {
                        p->error = errno;
                        break;
                }
                if (n == 0)
                        break;
                feed(p->ts, buf, (size_t) n);
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = send(p->out_fd, buf + off, (size_t) (n - off), MSG_NOSIGNAL);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0) { /* the extraction stopped: it reports why */
                                fail(p->ts, "extraction stopped");
                                goto out;
                        }
                        off += w;
                }
        }
out:
        g_free(buf);
        if (p->error)
                fail(p->ts, "reading the layer failed");
        shutdown(p->out_fd, SHUT_WR);
        close(p->out_fd);
        p->out_fd = -1;
        return NULL;
}

int tarsplit_pump_start(int input_fd, TarSplitPump **ret, int *ret_read_fd, CrioError *err) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return crio_error_set_errno(err, errno, "creating a socket pair for the layer");
        TarSplitPump *p = g_new0(TarSplitPump, 1);
        p->in_fd = input_fd;
        p->out_fd = sv[1];
        p->ts = tarsplit_new();
        int r = pthread_create(&p->thread, NULL, pump_main, p);
        if (r != 0) {
                close(sv[0]);
                close(sv[1]);
                tarsplit_free(p->ts);
                g_free(p);
                return crio_error_set_errno(err, r, "starting the layer reader");
        }
        *ret = p;
        *ret_read_fd = sv[0];
        return 0;
}

TarSplit *tarsplit_pump_finish(TarSplitPump *p, int *ret_read_error) {
        pthread_join(p->thread, NULL);
        TarSplit *t = p->ts;
        *ret_read_error = p->error;
        g_free(p);
        return t;
}
