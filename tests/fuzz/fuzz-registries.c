/* Fuzz target: any bytes as a registries.conf are accepted or rejected with a message, never
 * crash or leak. An accepted configuration answers lookups, pull sources and short names
 * for a few references without crashing. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/registries.h"
#include "util/cleanup.h"
#include "util/strv.h"

static const char *const refs[] = {
        "docker.io/library/busybox:latest",
        "docker.io/library/busybox@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
        "example.com/foo/bar:1",
        "a.b.example.com/x:1",
        "localhost:5000/x:1",
        "quay.io/a/b:1",
};
static const char *const names[] = { "busybox", "fedora:38", "x", "quay.io/a/b", "ubi8@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 256 * 1024)
                return 0;
        RegistriesConf *c = NULL;
        CrioError err = {};
        int r = registries_parse((const char *) data, size, "fuzz.conf", &c, &err);
        if (r < 0) {
                if (!err.msg || c)
                        abort(); /* every failure says why and leaves the output alone */
                crio_error_clear(&err);
                return 0;
        }
        if (!c || err.msg || !c->unqualified_search_registries)
                abort();
        for (size_t i = 0; i < c->n_registries; i++)
                if (!c->registries[i].prefix || !c->registries[i].location || !c->registries[i].origin)
                        abort();
        for (size_t i = 0; i < ELEMENTSOF(refs); i++) {
                const RegistryEntry *e = NULL;
                int m = registries_find(c, refs[i], &e);
                if ((m == 1) != (e != NULL))
                        abort();
                for (int d = 0; d < 2; d++) {
                        PullSource *s = NULL;
                        size_t n = 0;
                        r = registries_pull_sources(c, refs[i], d, &s, &n, &err);
                        if (r < 0) {
                                if (!err.msg || s)
                                        abort();
                                crio_error_clear(&err);
                        } else if (n < 1 || !s[n - 1].reference)
                                abort();
                        pull_sources_free(s, n);
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char **cand = NULL;
                r = registries_resolve_short_name(c, names[i], &cand, &err);
                if (r < 0) {
                        if (!err.msg || cand)
                                abort();
                        crio_error_clear(&err);
                }
                strv_free(cand);
        }
        registries_conf_free(c);
        return 0;
}
