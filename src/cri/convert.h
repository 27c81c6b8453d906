/* Small conversions shared by the pod and container handlers: CRI maps <-> "key", "value"
 * pairs (runtime/state.h keeps labels and annotations that way), label selectors, and the
 * runtime handler a request names. */
#pragma once

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

#include "cri/service.h"
#include "oci/runtime.h"

/* Every string->string map entry of the CRI has this layout. */
typedef struct CriMapEntry {
        ProtobufCMessage base;
        char *key;
        char *value;
} CriMapEntry;

/* A new message of type d, initialised; NULL and *oom set on ENOMEM. The response builders
 * collect allocation failures in one flag and check it once. */
void *cri_msg_new(const ProtobufCMessageDescriptor *d, bool *oom);
/* strdup of s ("" for NULL); NULL and *oom set on ENOMEM. */
char *cri_strdup_oom(const char *s, bool *oom);

/* The entries as NULL-terminated pairs (a later duplicate key replaces the earlier value).
 * NULL on ENOMEM. */
char **cri_map_to_pairs(void *const *entries, size_t n);
/* Builds map entries of type desc from pairs; 0 or -ENOMEM. */
int cri_pairs_to_map(char *const *pairs, const ProtobufCMessageDescriptor *desc, void ***ret, size_t *ret_n);
/* True if every selector entry is among the pairs with the same value. */
bool cri_labels_match(char *const *pairs, void *const *selector, size_t n);

/* The runtime handler named (empty: the default) from the configuration, copied into
 * *ret (strings owned by *ret_store, freed with free()). -EINVAL names an unknown handler. */
typedef struct CriRuntimeChoice {
        OciRuntime rt;
        char *name, *path, *root;
} CriRuntimeChoice;
int cri_runtime_choose(CriService *svc, const char *handler, CriRuntimeChoice *ret, CrioError *err);
void cri_runtime_choice_clear(CriRuntimeChoice *c);
