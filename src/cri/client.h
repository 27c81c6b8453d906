/* A CRI client over gRPC C core, for crioctl and tests. Unary calls with a deadline. */
#pragma once

#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

#include "util/error.h"

#define CRI_DEFAULT_ENDPOINT "unix:///var/run/crio/crio.sock"

typedef struct CriClient CriClient;

/* endpoint: "unix:///path", "unix:/path" or "/path". Connection happens on the first call. */
int cri_client_new(const char *endpoint, int64_t max_msg_size, CriClient **ret, CrioError *err);
void cri_client_free(CriClient *c);

/* Calls method ("/runtime.v1.RuntimeService/Version"); on success *ret_resp is unpacked with
 * resp_desc (free with protobuf_c_message_free_unpacked). A gRPC error becomes a negative
 * errno (cri_errno_from_status) and "rpc error: code = NotFound desc = ..." in err. */
int cri_client_call(CriClient *c, const char *method, const ProtobufCMessage *req,
                    const ProtobufCMessageDescriptor *resp_desc, int64_t timeout_ms, ProtobufCMessage **ret_resp,
                    CrioError *err);

/* Receives one message of a server stream. msg is owned by the callee (free with
 * protobuf_c_message_free_unpacked). Return 0 to go on, a negative errno to stop the stream
 * (the call is cancelled and cri_client_stream returns that value). */
typedef int (*CriStreamFn)(ProtobufCMessage *msg, void *userdata);

/* A server-streaming call (GetContainerEvents): sends req, then calls fn for each message
 * as it arrives, until the server ends the stream (returns 0 for status OK), the deadline
 * passes (timeout_ms <= 0: none) or fn stops it. Errors as cri_client_call. */
int cri_client_stream(CriClient *c, const char *method, const ProtobufCMessage *req,
                      const ProtobufCMessageDescriptor *resp_desc, int64_t timeout_ms, CriStreamFn fn, void *userdata,
                      CrioError *err);
