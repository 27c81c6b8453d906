/* Any protobuf-c message as JSON, the way protojson (and so crictl) prints it:
 * lowerCamelCase names, 64-bit integers as strings, enums by upstream name (see
 * cri_pb_enum_prefix_len), bytes in base64 (but
 * KeyValue.value as text, see cri_pb_bytes_as_text), maps as objects, absent messages as
 * null, every field present (defaults included). */
#pragma once

#include <json-glib/json-glib.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* Returns a new JsonNode (caller owns: json_node_unref). */
JsonNode *cri_message_to_json(const ProtobufCMessage *m);
/* "runtime_api_version" -> "runtimeApiVersion" (caller frees). */
char *cri_json_name(const char *field_name);
/* Shared by both directions: whether d is a map's entry type (key, value), and the size of
 * one element of a repeated field of type t. */
bool cri_pb_is_map_entry(const ProtobufCMessageDescriptor *d);
size_t cri_pb_type_size(ProtobufCType t);
/* Whether bytes field f of owner is text in JSON rather than base64: KeyValue.value, as
 * crictl reads and prints it (see below). Printed as text when it is valid UTF-8 without
 * NUL bytes, else as base64. */
bool cri_pb_bytes_as_text(const ProtobufCMessageDescriptor *owner, const ProtobufCFieldDescriptor *f);
/* Our api.proto prefixes the values of one enum with its name where upstream does not
 * (Signal: SIGNAL_SIGTERM is upstream's SIGTERM). JSON uses upstream's names: this returns
 * the length of such a prefix ("SIGNAL_") of value_name, or 0. Both names are accepted. */
size_t cri_pb_enum_prefix_len(const ProtobufCEnumDescriptor *ed, const char *value_name);

/* ---- JSON -> message, the way protojson parses (crictl's pod-config.json and
 * container-config.json are PodSandboxConfig and ContainerConfig in this form) ----
 *
 * Field names: the lowerCamelCase JSON name or the original proto name ("logPath" or
 * "log_path"), exactly (not case-folded); one field given under both names is refused.
 * Unknown fields are refused, naming the field and where it is (crictl's own Go decoding
 * would ignore them; a typo in a config file then silently changes nothing, so we say so).
 * Scalars: 32- and 64-bit integers as JSON numbers or as decimal strings ("123"), range
 * checked; integral doubles (1e3) are accepted; bools only as true/false; floats as numbers or
 * "NaN"/"Infinity"/"-Infinity"/numeric strings; enums by name or by number; null means
 * "not set" for every field.
 * bytes: base64, standard or URL alphabet, padded or not (strict: no whitespace, no stray
 * characters), except KeyValue.value (ContainerConfig.envs): crictl's files give it as
 * plain text ({"key": "FOO", "value": "bar"} means FOO=bar, and "bar" would also decode as
 * base64), so that one field takes the string's UTF-8 bytes as they are.
 * Maps: JSON objects (keys as strings, also for integer and bool keys); repeated: arrays.
 * Limits: message nesting CRI_JSON_MAX_DEPTH, CRI_JSON_MAX_REPEATED elements in one repeated
 * field or map; from text, CRI_JSON_MAX_SIZE bytes of strict RFC 8259 JSON (no duplicate
 * keys, nesting at most CRI_JSON_MAX_DEPTH) checked before json-glib reads it. */
#define CRI_JSON_MAX_SIZE (1024u * 1024u)
#define CRI_JSON_MAX_DEPTH 32u
#define CRI_JSON_MAX_REPEATED 16384u

/* Builds a new message of type desc from node (a JSON object). On success *ret is the
 * message (caller frees: protobuf_c_message_free_unpacked(m, NULL)); on failure -EINVAL
 * (-E2BIG past a limit, -ENOMEM) and err says what and where ("envs[1].key: expected a
 * string"); *ret untouched. */
int cri_message_from_json(JsonNode *node, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **ret,
                          CrioError *err);
/* The same from len bytes of JSON text (at most CRI_JSON_MAX_SIZE, else -EFBIG). */
int cri_message_from_json_data(const char *data, size_t len, const ProtobufCMessageDescriptor *desc,
                               ProtobufCMessage **ret, CrioError *err);
