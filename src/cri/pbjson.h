/* Any protobuf-c message as JSON, the way protojson (and so crictl) prints it:
 * lowerCamelCase names, 64-bit integers as strings, enums by name, bytes in base64,
 * maps as objects, absent messages as null, every field present (defaults included). */
#pragma once

#include <json-glib/json-glib.h>
#include <protobuf-c/protobuf-c.h>

/* Returns a new JsonNode (caller owns: json_node_unref). */
JsonNode *cri_message_to_json(const ProtobufCMessage *m);
/* "runtime_api_version" -> "runtimeApiVersion" (caller frees). */
char *cri_json_name(const char *field_name);
