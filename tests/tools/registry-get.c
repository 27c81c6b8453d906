/* registry-get: drives the registry client (src/image/registry.h) from the tests.
 *
 *   registry-get [OPTIONS] manifest HOST REPO REF [REF...]   per REF: "Content-Type: ...",
 *                                                          "Digest: ...", a blank line, the body
 *   registry-get [OPTIONS] blob HOST REPO DIGEST SIZE OUTFILE  streams the blob to OUTFILE
 *                                                          (SIZE -1: unchecked)
 *   registry-get [OPTIONS] get URL                         prints the body
 *
 * Options: --insecure, --certs-dir D, --user U:P, --identity-token T, --registry-token T,
 * --retries N (default REGISTRY_DEFAULT_RETRIES), --stall-timeout S, --max-size BYTES (manifest,
 * in-memory blob and get; default IMAGE_MANIFEST_MAX_SIZE), --memory (blob: registry_get_blob,
 * then written out), --no-verify (blob: no digest check), --cancel-after SECONDS.
 *
 * Exit 0 on success; 1 with "registry-get: <message> (<ERRNO NAME>)" on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "image/manifest.h"
#include "image/registry.h"
#include "util/cleanup.h"

static volatile int cancel_flag;

static void on_alarm(int sig) {
        (void) sig;
        cancel_flag = 1;
}

static int fail(CrioError *err, int r) {
        const char *name = strerrorname_np(-r);
        fprintf(stderr, "registry-get: %s (%s)\n", err->msg ? err->msg : strerror(-r), name ? name : "?");
        crio_error_clear(err);
        return 1;
}

static int usage(void) {
        fprintf(stderr, "usage: registry-get [OPTIONS] manifest HOST REPO REF... | blob HOST REPO DIGEST SIZE OUTFILE | "
                        "get URL\n");
        return 2;
}

static int write_out(const char *path, const char *data, size_t len) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        while (len > 0) {
                ssize_t w = write(fd, data, len);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                data += w;
                len -= (size_t) w;
        }
        return 0;
}

/* "host[:port]" of an http(s) URL. */
static char *url_authority(const char *url) {
        const char *p = strstr(url, "://");
        if (!p)
                return NULL;
        p += 3;
        return strndup(p, strcspn(p, "/?#"));
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "insecure", no_argument, NULL, 'k' },
                { "certs-dir", required_argument, NULL, 'c' },
                { "user", required_argument, NULL, 'u' },
                { "identity-token", required_argument, NULL, 'i' },
                { "registry-token", required_argument, NULL, 't' },
                { "retries", required_argument, NULL, 'r' },
                { "stall-timeout", required_argument, NULL, 's' },
                { "max-size", required_argument, NULL, 'm' },
                { "memory", no_argument, NULL, 'M' },
                { "no-verify", no_argument, NULL, 'n' },
                { "cancel-after", required_argument, NULL, 'C' },
                {},
        };
        RegistryClientOptions o = { .max_retries = REGISTRY_DEFAULT_RETRIES, .cancel = &cancel_flag };
        _cleanup_(auth_credentials_clear) AuthCredentials creds = {};
        size_t max_size = IMAGE_MANIFEST_MAX_SIZE;
        bool memory = false, verify = true;
        double cancel_after = 0;
        int ch;
        while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                switch (ch) {
                case 'k':
                        o.insecure = true;
                        break;
                case 'c':
                        o.certs_dir = optarg;
                        break;
                case 'u': {
                        const char *colon = strchr(optarg, ':');
                        if (!colon)
                                return usage();
                        creds.username = strndup(optarg, (size_t) (colon - optarg));
                        creds.password = strdup(colon + 1);
                        o.creds = &creds;
                        break;
                }
                case 'i':
                        creds.identity_token = strdup(optarg);
                        o.creds = &creds;
                        break;
                case 't':
                        creds.registry_token = strdup(optarg);
                        o.creds = &creds;
                        break;
                case 'r':
                        o.max_retries = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 's':
                        o.stall_timeout = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'm':
                        max_size = (size_t) strtoull(optarg, NULL, 10);
                        break;
                case 'M':
                        memory = true;
                        break;
                case 'n':
                        verify = false;
                        break;
                case 'C':
                        cancel_after = strtod(optarg, NULL);
                        break;
                default:
                        return usage();
                }
        }
        if (optind >= argc)
                return usage();
        const char *cmd = argv[optind];
        char **args = argv + optind + 1;
        int nargs = argc - optind - 1;

        if (cancel_after > 0) {
                struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
                sigaction(SIGALRM, &sa, NULL);
                time_t sec = (time_t) cancel_after;
                suseconds_t usec = (suseconds_t) ((cancel_after - (double) sec) * 1e6);
                struct itimerval it = { .it_value = { .tv_sec = sec, .tv_usec = usec } };
                setitimer(ITIMER_REAL, &it, NULL);
        }

        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *authority = NULL;
        if (strcmp(cmd, "get") == 0) {
                if (nargs != 1 || !(authority = url_authority(args[0])))
                        return usage();
                o.registry = authority;
        } else if ((strcmp(cmd, "manifest") == 0 && nargs >= 3) || (strcmp(cmd, "blob") == 0 && nargs == 5))
                o.registry = args[0];
        else
                return usage();

        _cleanup_registry_client_ RegistryClient *c = NULL;
        int r = registry_client_new(&o, &c, &err);
        if (r < 0)
                return fail(&err, r);

        if (strcmp(cmd, "get") == 0) {
                _cleanup_free_ char *body = NULL;
                size_t len = 0;
                r = registry_http_get(c, args[0], max_size, &body, &len, &err);
                if (r < 0)
                        return fail(&err, r);
                fwrite(body, 1, len, stdout);
                return 0;
        }
        if (strcmp(cmd, "manifest") == 0) {
                for (int i = 2; i < nargs; i++) {
                        _cleanup_free_ char *body = NULL, *ct = NULL, *digest = NULL;
                        size_t len = 0;
                        r = registry_get_manifest(c, args[1], args[i], max_size, &body, &len, &ct, &digest, &err);
                        if (r < 0)
                                return fail(&err, r);
                        printf("Content-Type: %s\nDigest: %s\n\n", ct ? ct : "", digest ? digest : "");
                        fwrite(body, 1, len, stdout);
                        printf("\n");
                }
                return 0;
        }
        /* blob HOST REPO DIGEST SIZE OUTFILE */
        char *end = NULL;
        errno = 0;
        long long size = strtoll(args[3], &end, 10);
        if (errno || !end || *end || size < -1)
                return usage();
        if (memory) {
                _cleanup_free_ char *body = NULL;
                size_t len = 0;
                r = registry_get_blob(c, args[1], args[2], size, max_size, &body, &len, &err);
                if (r < 0)
                        return fail(&err, r);
                r = write_out(args[4], body, len);
                if (r < 0) {
                        fprintf(stderr, "registry-get: writing %s: %s\n", args[4], strerror(-r));
                        return 1;
                }
                return 0;
        }
        _cleanup_close_ int fd = open(args[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
                fprintf(stderr, "registry-get: opening %s: %m\n", args[4]);
                return 1;
        }
        r = registry_get_blob_to_fd(c, args[1], args[2], size, verify, fd, &err);
        if (r < 0)
                return fail(&err, r);
        return 0;
}
