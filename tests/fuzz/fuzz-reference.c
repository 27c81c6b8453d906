/* Fuzz target: any string given as an image reference is accepted or rejected with a message,
 * never crashes or leaks. An accepted one prints in full, and that string parses back to the
 * same reference; so do its familiar form and its name with the digest replaced. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "util/cleanup.h"
#include "util/strv.h"

static const char some_digest[] = "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";

/* Parses s, which must succeed, and returns its full string. */
static char *reparse(const char *s) {
        CrioError err = {};
        ImageReference *r = NULL;
        if (image_reference_parse(s, &r, &err) < 0)
                abort(); /* what we print, we read */
        char *out = image_reference_string(r);
        if (!out)
                abort();
        image_reference_free(r);
        crio_error_clear(&err);
        return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 4 * IMAGE_REFERENCE_INPUT_MAX)
                return 0;
        char *s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0'; /* an embedded NUL ends the string, as it would in a request */

        bool id = image_id_like(s), prefix = image_id_prefix_like(s);
        if (id && !prefix && strncmp(s, "sha256:", 7) != 0)
                abort(); /* a full ID is also an ID prefix */
        if (image_digest_validate(s, NULL) >= 0 && str_startswith(s, "sha256:") && !id)
                abort(); /* a valid sha256 digest is an image ID */

        CrioError err = {};
        ImageReference *r = NULL;
        int rc = image_reference_parse(s, &r, &err);
        if (rc < 0) {
                if (rc != -EINVAL || !err.msg || r)
                        abort(); /* every failure says why and leaves the output alone */
        } else {
                if (!r || err.msg || !r->domain || !r->path || (!r->tag && !r->digest))
                        abort();
                if (image_digest_validate(r->digest ? r->digest : some_digest, NULL) < 0)
                        abort();
                char *full = image_reference_string(r);
                char *name = image_reference_name(r);
                char *familiar = image_reference_familiar(r);
                char *with_digest = image_reference_with_digest(r, some_digest);
                if (!full || !name || !familiar || !with_digest)
                        abort();
                if (strlen(name) > IMAGE_REFERENCE_NAME_MAX || strncmp(full, name, strlen(name)) != 0)
                        abort();

                char *again = reparse(full);
                if (strcmp(again, full) != 0)
                        abort(); /* normalising is idempotent */
                char *from_familiar = reparse(familiar);
                if (strcmp(from_familiar, full) != 0)
                        abort(); /* the short form means the same image */
                char *digested = reparse(with_digest);
                if (strcmp(digested, with_digest) != 0)
                        abort();

                free(again);
                free(from_familiar);
                free(digested);
                free(full);
                free(name);
                free(familiar);
                free(with_digest);
        }
        image_reference_free(r);
        crio_error_clear(&err);
        free(s);
        return 0;
}
