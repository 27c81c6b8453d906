/* crioctl logs [-f] [--tail N] [-t] [--since T] [--stream S] [-r] CONTAINER: the container's log,
 * read from its CRI log file (ContainerStatus.log_path) as crictl does: stdout lines to
 * stdout, stderr lines to stderr, partial records joined. -f follows the file (polling every
 * 0.2 s, reopening it when it is rotated or truncated) until the container is no longer
 * running. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crioctl.h"
#include "criolog.h"
#include "util/cleanup.h"

#define FOLLOW_POLL_NS (200 * 1000 * 1000)
#define FOLLOW_STATUS_EVERY 5 /* polls between ContainerStatus calls (1 s) */
#define TAIL_MAX 1000000

static const char usage[] = "  -f, --follow           follow the log until the container stops\n"
                            "      --tail N           only the last N lines (default: all)\n"
                            "  -t, --timestamps       show each line's time\n"
                            "      --since TIME       lines since an RFC 3339 time or a duration ago (42m)\n"
                            "  -s, --stream STREAM    only stdout or stderr\n"
                            "  -r, --reopen           first have the runtime reopen the log file (ReopenContainerLog)\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_logs = {
        .name = "logs",
        .summary = "Fetch the logs of a container",
        .usage = usage,
        .run = run,
};

typedef struct SavedLine {
        CriLogLine line;
        char *buf; /* time then text */
} SavedLine;

typedef struct LogsState {
        bool timestamps;
        int64_t since_ns;
        int stream; /* 0: both */
        long tail;  /* -1: all */
        bool tailing;
        SavedLine *ring;
        size_t ring_next, ring_count;
} LogsState;

static void print_line(const LogsState *s, const CriLogLine *l) {
        FILE *f = l->stream == CRI_LOG_STDERR ? stderr : stdout;
        if (s->timestamps)
                fprintf(f, "%.*s ", (int) l->time_len, l->time);
        fwrite(l->text, 1, l->len, f);
        if (l->newline)
                fputc('\n', f);
}

static int on_line(const CriLogLine *l, void *userdata) {
        LogsState *s = userdata;
        if (l->time_ns < s->since_ns || (s->stream && (int) l->stream != s->stream))
                return 0;
        if (!s->tailing) {
                print_line(s, l);
                return 0;
        }
        if (s->tail == 0)
                return 0;
        SavedLine *sl = &s->ring[s->ring_next];
        free(sl->buf);
        sl->buf = malloc(l->time_len + l->len + 1);
        if (!sl->buf)
                return -ENOMEM;
        memcpy(sl->buf, l->time, l->time_len);
        memcpy(sl->buf + l->time_len, l->text, l->len);
        sl->line = *l;
        sl->line.time = sl->buf;
        sl->line.text = sl->buf + l->time_len;
        s->ring_next = (s->ring_next + 1) % (size_t) s->tail;
        if (s->ring_count < (size_t) s->tail)
                s->ring_count++;
        return 0;
}

/* Prints and frees the lines kept for --tail; later lines print directly. */
static void end_tail(LogsState *s) {
        if (!s->tailing)
                return;
        size_t start = s->ring_count < (size_t) s->tail ? 0 : s->ring_next;
        for (size_t i = 0; i < s->ring_count; i++)
                print_line(s, &s->ring[(start + i) % (size_t) s->tail].line);
        for (long i = 0; i < s->tail; i++)
                free(s->ring[i].buf);
        free(s->ring);
        s->ring = NULL;
        s->tailing = false;
}

/* Reads fd to its end through the reader. */
static int drain(int fd, CriLogReader *rd, LogsState *s) {
        char buf[65536];
        for (;;) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                int r = criolog_reader_feed(rd, buf, (size_t) n, on_line, s);
                if (r < 0)
                        return r;
        }
}

/* 1 while the container runs (or is created), 0 once it has stopped or is gone. */
static int container_running(CrioctlContext *ctx, const char *id) {
        Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
        req.container_id = (char *) id;
        Runtime__V1__ContainerStatusResponse *resp = NULL;
        if (crioctl_call(ctx, false, "ContainerStatus", &req.base, &runtime__v1__container_status_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return 0;
        int running = resp->status && (resp->status->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING ||
                                       resp->status->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return running;
}

/* Whether path is now another file than fd (rotated), or fd was truncated below offset. */
static bool rotated(int fd, const char *path, bool *ret_truncated) {
        struct stat a, b;
        *ret_truncated = false;
        if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
                return false; /* not (yet) recreated: keep reading the old one */
        if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                return true;
        off_t off = lseek(fd, 0, SEEK_CUR);
        *ret_truncated = off > a.st_size;
        return false;
}

static int follow(CrioctlContext *ctx, const char *id, const char *path, int fd, CriLogReader *rd, LogsState *s) {
        _cleanup_close_ int cur = fd;
        unsigned polls = 0;
        bool last_round = false;
        for (;;) {
                int r = drain(cur, rd, s);
                if (r < 0)
                        return r;
                fflush(stdout);
                fflush(stderr);
                bool trunc;
                if (rotated(cur, path, &trunc)) {
                        int nfd = open(path, O_RDONLY | O_CLOEXEC);
                        if (nfd >= 0) {
                                if (ctx->debug)
                                        fprintf(stderr, "DEBU log %s was rotated: reopened\n", path);
                                safe_close(cur);
                                cur = nfd;
                                continue;
                        }
                } else if (trunc) {
                        if (lseek(cur, 0, SEEK_SET) < 0)
                                return -errno;
                        continue;
                }
                if (last_round)
                        return 0;
                if (++polls % FOLLOW_STATUS_EVERY == 0 && !container_running(ctx, id)) {
                        last_round = true; /* one more drain for what was written before the exit */
                        continue;
                }
                nanosleep(&(struct timespec){ 0, FOLLOW_POLL_NS }, NULL);
        }
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "follow", no_argument, NULL, 'f' },
                                              { "tail", required_argument, NULL, 'T' },
                                              { "timestamps", no_argument, NULL, 't' },
                                              { "since", required_argument, NULL, 'S' },
                                              { "stream", required_argument, NULL, 's' },
                                              { "reopen", no_argument, NULL, 'r' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        LogsState s = { .tail = -1, .since_ns = INT64_MIN };
        bool follow_flag = false, reopen = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "fts:rh", opts, NULL)) != -1) {
                char *end = NULL;
                struct timespec now;
                switch (c) {
                case 'h':
                        printf("Usage: crioctl logs [FLAGS] CONTAINER-ID\n%s", usage);
                        return 0;
                case 'f':
                        follow_flag = true;
                        break;
                case 'T':
                        s.tail = strtol(optarg, &end, 10);
                        if (!*optarg || *end || s.tail < -1 || s.tail > TAIL_MAX)
                                return crioctl_usage_error(&crioctl_cmd_logs, "--tail wants a number of lines");
                        break;
                case 't':
                        s.timestamps = true;
                        break;
                case 'r':
                        reopen = true;
                        break;
                case 'S':
                        clock_gettime(CLOCK_REALTIME, &now);
                        if (criolog_parse_since(optarg, (int64_t) now.tv_sec * 1000000000 + now.tv_nsec, &s.since_ns) < 0)
                                return crioctl_usage_error(&crioctl_cmd_logs, "--since wants a time or a duration");
                        break;
                case 's':
                        if (strcmp(optarg, "stdout") == 0)
                                s.stream = CRI_LOG_STDOUT;
                        else if (strcmp(optarg, "stderr") == 0)
                                s.stream = CRI_LOG_STDERR;
                        else
                                return crioctl_usage_error(&crioctl_cmd_logs, "--stream must be stdout or stderr");
                        break;
                default:
                        return crioctl_usage_error(&crioctl_cmd_logs, "invalid flag");
                }
        }
        if (optind != argc - 1)
                return crioctl_usage_error(&crioctl_cmd_logs, "name exactly one container");
        const char *id = argv[optind];
        if (reopen) {
                Runtime__V1__ReopenContainerLogRequest rreq = RUNTIME__V1__REOPEN_CONTAINER_LOG_REQUEST__INIT;
                rreq.container_id = (char *) id;
                Runtime__V1__ReopenContainerLogResponse *rresp = NULL;
                if (crioctl_call(ctx, false, "ReopenContainerLog", &rreq.base,
                                 &runtime__v1__reopen_container_log_response__descriptor, (ProtobufCMessage **) &rresp) < 0)
                        return 1;
                protobuf_c_message_free_unpacked(&rresp->base, NULL);
        }

        Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
        req.container_id = (char *) id;
        Runtime__V1__ContainerStatusResponse *resp = NULL;
        if (crioctl_call(ctx, false, "ContainerStatus", &req.base, &runtime__v1__container_status_response__descriptor,
                         (ProtobufCMessage **) &resp) < 0)
                return 1;
        _cleanup_free_ char *path = resp->status ? strdup(resp->status->log_path) : NULL;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        if (!path || !path[0]) {
                fprintf(stderr, "crioctl: the container has not set log path\n");
                return 1;
        }
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "crioctl: opening the log %s: %m\n", path);
                return 1;
        }
        CriLogReader *rd = criolog_reader_new();
        if (!rd)
                return 1;
        if (s.tail >= 0) {
                s.tailing = true;
                s.ring = calloc(s.tail > 0 ? (size_t) s.tail : 1, sizeof *s.ring);
                if (!s.ring) {
                        criolog_reader_free(rd);
                        return 1;
                }
        }
        int r = drain(fd, rd, &s);
        if (r >= 0 && !follow_flag)
                r = criolog_reader_flush(rd, on_line, &s);
        end_tail(&s);
        if (r >= 0 && follow_flag)
                r = follow(ctx, id, path, TAKE_FD(fd), rd, &s);
        if (r >= 0 && follow_flag)
                r = criolog_reader_flush(rd, on_line, &s);
        const char *why = NULL;
        size_t bad = criolog_reader_malformed(rd, &why);
        if (bad)
                fprintf(stderr, "crioctl: %zu malformed record%s skipped in %s (last: %s)\n", bad, bad == 1 ? "" : "s", path,
                        why ? why : "?");
        criolog_reader_free(rd);
        if (r < 0) {
                fprintf(stderr, "crioctl: reading the log %s: %s\n", path, strerror(-r));
                return 1;
        }
        return 0;
}
