/* Fuzz target: any bytes as a registries.d YAML file are accepted or rejected with a message
 * (file:line), never crash or leak. An accepted file answers lookaside lookups and builds
 * signature URLs for a few references. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/registries-d.h"
#include "util/cleanup.h"

static const char *const refs[] = {
        "docker.io/library/busybox:latest",
        "registry.example.com/team/app@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
        "a.b.example.com:5000/ns/x:1",
        "localhost:5000/x:1",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 256 * 1024)
                return 0;
        RegistriesD *c = NULL;
        CrioError err = {};
        int r = registries_d_parse((const char *) data, size, "fuzz.yaml", &c, &err);
        if (r < 0) {
                if (!err.msg || c || strncmp(err.msg, "fuzz.yaml", 9) != 0)
                        abort();
                crio_error_clear(&err);
                return 0;
        }
        if (!c || err.msg || c->n_docker > REGISTRIES_D_MAX_SCOPES)
                abort();
        for (size_t i = 0; i < c->n_docker; i++)
                if (!c->docker[i].name || !c->docker[i].section.origin ||
                    (i > 0 && strcmp(c->docker[i - 1].name, c->docker[i].name) >= 0))
                        abort();
        for (size_t i = 0; i < ELEMENTSOF(refs); i++)
                for (int w = 0; w < 2; w++) {
                        char *base = NULL, *url = NULL;
                        r = registries_d_lookaside_base(c, refs[i], w, &base, &err);
                        if (r < 0) {
                                if (!err.msg || base)
                                        abort();
                                crio_error_clear(&err);
                                continue;
                        }
                        if (registries_d_signature_url(base, "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", 3,
                                                       &url, &err) < 0 || !strstr(url, "/signature-4"))
                                abort();
                        free(url);
                        free(base);
                        (void) registries_d_use_sigstore_attachments(c, refs[i]);
                }
        registries_d_free(c);
        return 0;
}
