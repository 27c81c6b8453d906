/* Fuzz target: any bytes as a policy.json are accepted or rejected with a message, never crash
 * or leak. An accepted policy has the shape policy.h promises and answers scope lookups for a
 * few references (no requirement is evaluated: signedBy would run gpg). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/policy.h"
#include "util/cleanup.h"
#include "util/strv.h"

static const char *const refs[] = {
        "docker.io/library/busybox:latest",
        "docker.io/library/busybox@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
        "registry.example.com/team/app:1",
        "a.b.example.com:5000/ns/x:1",
        "localhost:5000/x:1",
};

static void check_requirements(const PolicyRequirements *l) {
        if (l->n < 1 || l->n > POLICY_MAX_REQUIREMENTS || !l->items)
                abort();
        for (size_t i = 0; i < l->n; i++) {
                const PolicyRequirement *r = &l->items[i];
                if (!policy_requirement_type_to_string(r->type) || signature_identity_rule_validate(&r->identity, NULL) < 0)
                        abort();
                if (r->type == POLICY_REQUIREMENT_SIGNED_BY) {
                        bool paths = r->key_source == POLICY_KEY_SOURCE_PATH || r->key_source == POLICY_KEY_SOURCE_PATHS;
                        if (paths != (r->key_paths != NULL) || (r->key_source == POLICY_KEY_SOURCE_DATA) != (r->key_data != NULL))
                                abort();
                        if (r->key_source == POLICY_KEY_SOURCE_PATH && (strv_length(r->key_paths) != 1 || !*r->key_paths[0]))
                                abort();
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 256 * 1024)
                return 0;
        SignaturePolicy *p = NULL;
        CrioError err = {};
        int r = policy_parse((const char *) data, size, "fuzz.json", &p, &err);
        if (r < 0) {
                if (!err.msg || p)
                        abort(); /* every failure says why and leaves the output alone */
                crio_error_clear(&err);
                return 0;
        }
        if (!p || err.msg || !p->origin)
                abort();
        check_requirements(&p->default_requirements);
        size_t scopes = 0;
        for (size_t i = 0; i < p->n_transports; i++) {
                const PolicyTransport *t = &p->transports[i];
                if (!t->name)
                        abort();
                for (size_t j = 0; j < t->n_scopes; j++) {
                        if (!t->scopes[j].name || (j > 0 && strcmp(t->scopes[j - 1].name, t->scopes[j].name) >= 0))
                                abort(); /* sorted, unique */
                        check_requirements(&t->scopes[j].requirements);
                }
                scopes += t->n_scopes;
        }
        if (scopes > POLICY_MAX_SCOPES || p->n_transports > POLICY_MAX_TRANSPORTS)
                abort();
        for (size_t i = 0; i < ELEMENTSOF(refs); i++) {
                const PolicyRequirements *l = NULL;
                const char *scope = NULL;
                if (policy_docker_requirements(p, refs[i], &l, &scope, &err) < 0 || !l || (!scope && l != &p->default_requirements))
                        abort();
        }
        policy_free(p);
        return 0;
}
