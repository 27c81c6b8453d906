/* crioctl: a crictl-style CRI client.
 *
 * Each subcommand is one file, cmd-<name>.c, defining a CrioctlCommand, and one line in
 * commands.c. A command parses its own flags (getopt_long from argv[0] = its name), makes
 * calls through crioctl_call(), prints with output.c, and returns the exit code. */
#pragma once

#include <json-glib/json-glib.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>

#include "cri/client.h"
#include "util/error.h"

typedef enum OutputFormat { OUTPUT_TABLE, OUTPUT_JSON, OUTPUT_YAML } OutputFormat;

typedef struct CrioctlContext {
        const char *runtime_endpoint;
        const char *image_endpoint;
        int64_t timeout_ms;
        bool timeout_given; /* -t on the command line (long calls such as pull have none by default) */
        bool debug;
        CriClient *runtime; /* connected lazily */
        CriClient *image;
} CrioctlContext;

typedef struct CrioctlCommand {
        const char *name;
        const char *summary;
        const char *usage; /* flags, one per line */
        int (*run)(CrioctlContext *ctx, int argc, char **argv);
} CrioctlCommand;

extern const CrioctlCommand *const crioctl_commands[];

/* A unary RuntimeService ("Runtime") or ImageService ("Image") call by RPC name. On failure
 * prints the error to stderr and returns a negative errno. */
int crioctl_call(CrioctlContext *ctx, bool image_service, const char *rpc, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **ret_resp);

/* "json", "yaml", "table" (and "" = def). Returns -EINVAL for anything else. */
int output_format_parse(const char *s, OutputFormat def, OutputFormat *ret);
/* Prints node as pretty JSON or as YAML. */
void output_print_json(JsonNode *node);
void output_print_yaml(JsonNode *node);
void output_print(JsonNode *node, OutputFormat fmt);
/* A CRI info map value: parsed when it is a JSON document (as CRI-O's are), else a string. */
JsonNode *output_json_or_string(const char *value);
/* Prints a usage error for command c and returns 2. */
int crioctl_usage_error(const CrioctlCommand *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
