/* crioctl: a crictl-style CRI client.
 *
 * Each subcommand is one file, cmd-<name>.c, defining a CrioctlCommand, and one line in
 * commands.c. A command parses its own flags (getopt_long from argv[0] = its name), makes
 * calls through crioctl_call(), prints with output.c, and returns the exit code. The list
 * commands (ps, pods, stats, statsp) fill in the skeleton of list.h, the inspect commands
 * (inspect, inspectp, inspecti) that of inspect.h. */
#pragma once

#include <json-glib/json-glib.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>

#include "api.pb-c.h"
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
/* --help: prints "Usage: crioctl NAME [FLAGS] OPERANDS" (no OPERANDS for "") and c's usage. */
void crioctl_help(const CrioctlCommand *c, const char *operands);
/* The flags of a command that prints one document (info, inspect*): -o json|yaml (and
 * table if table; default json) into *ret_fmt, -q into *ret_quiet, -h. Returns -1 to go on
 * (optind at the operands), or the exit code (--help, a usage error). */
int crioctl_document_flags(const CrioctlCommand *c, const char *operands, bool table, int argc, char **argv,
                           OutputFormat *ret_fmt, bool *ret_quiet);

/* ---- pods and containers (table.c, config-file.c) ---- */

/* Calls that may take long (run a pod, create with a pull, stop, exec) get this deadline
 * unless -t was given. */
#define CRIOCTL_SLOW_TIMEOUT_MS (4 * 60 * 1000)

/* A table printed like crictl's (Go tabwriter: columns at least 20 wide, 3 spaces apart). */
typedef struct Table Table;
Table *table_new(void);
void table_free(Table *t);
/* Adds a row of strings (copied), NULL-terminated. */
void table_add_row(Table *t, const char *first, ...) __attribute__((sentinel));
void table_add_rowv(Table *t, const char *const *cells);
void table_print(const Table *t);

/* "5 seconds", "About a minute", "3 hours" (Docker's HumanDuration). */
void format_human_duration(int64_t ns, char *buf, size_t len);
/* "<duration> ago" since created_ns (nanoseconds since the epoch). */
void format_created_ago(int64_t created_ns, char *buf, size_t len);
/* Decimal units, 4 significant digits: "1.234MB" (Docker's HumanSize). */
void format_human_size(double n, char *buf, size_t len);
/* The first 13 characters of id unless no_trunc (returns id or buf). */
const char *format_id(const char *id, bool no_trunc, char buf[static 14]);
/* Nanoseconds since the epoch as Go's RFC3339Nano in local time; INT64_MIN is Go's zero time. */
void format_time_rfc3339(int64_t ns, char *buf, size_t len);
/* KEY=VALUE strings (modified in place: the entries point into them) as map entries of
 * entry_desc (a filter's LabelSelectorEntry). Prints the error and returns -EINVAL on a bad
 * label. Free with label_selector_free. */
int label_selector_new(char **labels, const ProtobufCMessageDescriptor *entry_desc, void ***ret, size_t *ret_n);
void label_selector_free(void **v, size_t n);
/* The value of key in a string map (an array of n map entries), or NULL. */
const char *map_lookup(void *const *entries, size_t n, const char *key);

/* Reads a crictl pod-config or container-config file (JSON, see cri/pbjson.h) and checks
 * what crictl checks: a pod needs metadata with name and namespace (an empty uid becomes a
 * random UUID); a container needs metadata.name and image.image. Prints the error (naming
 * the file) and returns a negative errno. Caller frees *ret (protobuf_c_message_free_unpacked). */
int crioctl_load_pod_config(const char *path, Runtime__V1__PodSandboxConfig **ret);
int crioctl_load_container_config(const char *path, Runtime__V1__ContainerConfig **ret);
/* The output of crictl's inspect commands for one object: {"info": <value>, "status":
 * status} (every info key beside "status", keys sorted; a value that starts with '{' is
 * parsed as a JSON object, others are strings). Takes status (the status message's JSON with
 * its timestamps already as RFC 3339); returns a new node. */
JsonNode *crioctl_status_json(JsonNode *status, void *const *info_entries, size_t n_info);
/* StopPodSandbox for id, printing "Stopped sandbox <id>" (cmd-stopp.c). 0 or -1 (printed). */
int crioctl_stop_pod(CrioctlContext *ctx, const char *id);
/* ImageService/ImageStatus for image (cmd-inspecti.c); on failure prints the error and
 * returns a negative errno. Caller frees *ret (protobuf_c_message_free_unpacked). */
int crioctl_image_status(CrioctlContext *ctx, const char *image, bool verbose, ProtobufCMessage **ret);
/* The ID ImageStatus gives for image, or NULL (not present, or the call failed and printed
 * its error). Caller frees. */
char *crioctl_image_id(CrioctlContext *ctx, const char *image);
/* StopContainer with the grace period timeout (seconds), printing the ID (cmd-stop.c). */
int crioctl_stop_container(CrioctlContext *ctx, const char *id, int64_t timeout);
