/* The inspect commands (inspect, inspectp, inspecti): one loop over the IDs named.
 *
 * crioctl_inspect() takes -o json|yaml[|table] (default json) and -q (not verbose), calls
 * the command's status RPC for each operand and prints {"info": ..., "status": ...} as its
 * json callback makes it: one object, or an array of them for several IDs. An ID whose call
 * fails or whose response has no status stops the loop (unless each); what came before is
 * still printed. The exit code is 1 if an ID failed. */
#pragma once

#include "crioctl.h"

typedef struct CrioctlInspect {
        const CrioctlCommand *command; /* its usage and name for errors and --help */
        const char *operands;          /* the operands in --help: "CONTAINER-ID..." */
        const char *none;              /* the usage error without an operand */
        /* the error (printf format; %s the ID) for a response without status_field */
        const char *missing;
        const char *status_field; /* the response's status field ("status", "image") */
        /* crictl inspecti: each ID printed on its own as it comes, and a failed one does not
         * stop the others */
        bool each;
        /* The status RPC for id, verbose unless -q. 0, or prints the error and returns a
         * negative errno. */
        int (*call)(CrioctlContext *ctx, const char *id, bool verbose, ProtobufCMessage **ret);
        /* The JSON of a response (with its status) (transfer full). */
        JsonNode *(*json)(const ProtobufCMessage *resp);
        /* -o table: prints a response's short text form. NULL: no table output. */
        void (*print_table)(const ProtobufCMessage *resp);
} CrioctlInspect;

/* Runs inspect command spec with its argv (argv[0] its name); returns the exit code. */
int crioctl_inspect(CrioctlContext *ctx, const CrioctlInspect *spec, int argc, char **argv);
