#include "client.h"

#include <errno.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cri/status.h"
#include "util/cleanup.h"

struct CriClient {
        grpc_channel *channel;
        grpc_completion_queue *cq;
        char *target;
};

int cri_client_new(const char *endpoint, int64_t max_msg_size, CriClient **ret, CrioError *err) {
        _cleanup_free_ char *target = NULL;
        if (strncmp(endpoint, "unix://", 7) == 0)
                target = strdup(endpoint);
        else if (strncmp(endpoint, "unix:", 5) == 0)
                target = strdup(endpoint);
        else if (endpoint[0] == '/') {
                if (asprintf(&target, "unix:%s", endpoint) < 0)
                        target = NULL;
        } else
                return crio_error_set(err, EINVAL, "endpoint %s: only unix sockets are supported (unix:///path)",
                                      endpoint);
        if (!target)
                return crio_error_set(err, ENOMEM, "out of memory");

        CriClient *c = calloc(1, sizeof *c);
        if (!c)
                return crio_error_set(err, ENOMEM, "out of memory");
        grpc_init();
        int size = max_msg_size <= 0 || max_msg_size > INT_MAX ? INT_MAX : (int) max_msg_size;
        grpc_arg args[2] = {
                { .type = GRPC_ARG_INTEGER, .key = (char *) GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, .value.integer = size },
                { .type = GRPC_ARG_INTEGER, .key = (char *) GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, .value.integer = size },
        };
        grpc_channel_args chargs = { .num_args = 2, .args = args };
        grpc_channel_credentials *creds = grpc_insecure_credentials_create();
        c->channel = grpc_channel_create(target, creds, &chargs);
        grpc_channel_credentials_release(creds);
        c->cq = grpc_completion_queue_create_for_pluck(NULL);
        c->target = TAKE_PTR(target);
        *ret = c;
        return 0;
}

void cri_client_free(CriClient *c) {
        if (!c)
                return;
        if (c->channel)
                grpc_channel_destroy(c->channel);
        if (c->cq) {
                grpc_completion_queue_shutdown(c->cq);
                while (grpc_completion_queue_pluck(c->cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
                       GRPC_QUEUE_SHUTDOWN)
                        ;
                grpc_completion_queue_destroy(c->cq);
        }
        free(c->target);
        free(c);
        grpc_shutdown();
}

int cri_client_call(CriClient *c, const char *method, const ProtobufCMessage *req,
                    const ProtobufCMessageDescriptor *resp_desc, int64_t timeout_ms, ProtobufCMessage **ret_resp,
                    CrioError *err) {
        gpr_timespec deadline = timeout_ms > 0 ? gpr_time_add(gpr_now(GPR_CLOCK_REALTIME),
                                                              gpr_time_from_millis(timeout_ms, GPR_TIMESPAN))
                                               : gpr_inf_future(GPR_CLOCK_REALTIME);
        grpc_slice mslice = grpc_slice_from_copied_string(method);
        grpc_call *call = grpc_channel_create_call(c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, c->cq, mslice, NULL,
                                                   deadline, NULL);
        grpc_slice_unref(mslice);
        if (!call)
                return crio_error_set(err, ENOMEM, "creating a call to %s failed", method);

        size_t len = protobuf_c_message_get_packed_size(req);
        grpc_slice out = grpc_slice_malloc(len);
        protobuf_c_message_pack(req, GRPC_SLICE_START_PTR(out));
        grpc_byte_buffer *send = grpc_raw_byte_buffer_create(&out, 1);
        grpc_slice_unref(out);

        grpc_metadata_array initial_md, trailing_md;
        grpc_metadata_array_init(&initial_md);
        grpc_metadata_array_init(&trailing_md);
        grpc_byte_buffer *recv = NULL;
        grpc_status_code status = GRPC_STATUS_UNKNOWN;
        grpc_slice details = grpc_empty_slice();

        grpc_op ops[6];
        memset(ops, 0, sizeof ops);
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[1].op = GRPC_OP_SEND_MESSAGE;
        ops[1].data.send_message.send_message = send;
        ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
        ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial_md;
        ops[4].op = GRPC_OP_RECV_MESSAGE;
        ops[4].data.recv_message.recv_message = &recv;
        ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
        ops[5].data.recv_status_on_client.trailing_metadata = &trailing_md;
        ops[5].data.recv_status_on_client.status = &status;
        ops[5].data.recv_status_on_client.status_details = &details;

        int r = 0;
        int tag;
        if (grpc_call_start_batch(call, ops, 6, &tag, NULL) != GRPC_CALL_OK)
                r = crio_error_set(err, EIO, "starting the call to %s failed", method);
        else {
                grpc_event ev = grpc_completion_queue_pluck(c->cq, &tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
                if (ev.type != GRPC_OP_COMPLETE || !ev.success)
                        r = crio_error_set(err, EIO, "the call to %s did not complete", method);
        }
        if (r >= 0 && status != GRPC_STATUS_OK) {
                char *d = grpc_slice_to_c_string(details);
                r = crio_error_set(err, -cri_errno_from_status(status), "rpc error: code = %s desc = %s",
                                   cri_status_go_name(status), d ? d : "");
                if (r == 0)
                        r = -EIO;
                gpr_free(d);
        } else if (r >= 0) {
                ProtobufCMessage *m = NULL;
                if (recv) {
                        grpc_byte_buffer_reader reader;
                        if (grpc_byte_buffer_reader_init(&reader, recv)) {
                                grpc_slice in = grpc_byte_buffer_reader_readall(&reader);
                                grpc_byte_buffer_reader_destroy(&reader);
                                m = protobuf_c_message_unpack(resp_desc, NULL, GRPC_SLICE_LENGTH(in),
                                                              GRPC_SLICE_START_PTR(in));
                                grpc_slice_unref(in);
                        }
                }
                if (!m)
                        r = crio_error_set(err, EBADMSG, "%s: cannot decode the response as %s", method, resp_desc->name);
                else
                        *ret_resp = m;
        }
        grpc_byte_buffer_destroy(send);
        if (recv)
                grpc_byte_buffer_destroy(recv);
        grpc_slice_unref(details);
        grpc_metadata_array_destroy(&initial_md);
        grpc_metadata_array_destroy(&trailing_md);
        grpc_call_unref(call);
        return r;
}

/* Runs one batch of ops on call and waits for it. */
static int run_batch(CriClient *c, grpc_call *call, const grpc_op *ops, size_t n) {
        int tag;
        if (grpc_call_start_batch(call, ops, n, &tag, NULL) != GRPC_CALL_OK)
                return -EIO;
        grpc_event ev = grpc_completion_queue_pluck(c->cq, &tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        return ev.type == GRPC_OP_COMPLETE && ev.success ? 0 : -EIO;
}

int cri_client_stream(CriClient *c, const char *method, const ProtobufCMessage *req,
                      const ProtobufCMessageDescriptor *resp_desc, int64_t timeout_ms, CriStreamFn fn, void *userdata,
                      CrioError *err) {
        gpr_timespec deadline = timeout_ms > 0 ? gpr_time_add(gpr_now(GPR_CLOCK_REALTIME),
                                                              gpr_time_from_millis(timeout_ms, GPR_TIMESPAN))
                                               : gpr_inf_future(GPR_CLOCK_REALTIME);
        grpc_slice mslice = grpc_slice_from_copied_string(method);
        grpc_call *call = grpc_channel_create_call(c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, c->cq, mslice, NULL,
                                                   deadline, NULL);
        grpc_slice_unref(mslice);
        if (!call)
                return crio_error_set(err, ENOMEM, "creating a call to %s failed", method);

        size_t len = protobuf_c_message_get_packed_size(req);
        grpc_slice out = grpc_slice_malloc(len);
        protobuf_c_message_pack(req, GRPC_SLICE_START_PTR(out));
        grpc_byte_buffer *send = grpc_raw_byte_buffer_create(&out, 1);
        grpc_slice_unref(out);
        grpc_metadata_array initial_md, trailing_md;
        grpc_metadata_array_init(&initial_md);
        grpc_metadata_array_init(&trailing_md);
        grpc_status_code status = GRPC_STATUS_UNKNOWN;
        grpc_slice details = grpc_empty_slice();

        /* The status op goes first, on its own tag, so that it completes whenever the call
         * ends; messages are then read one batch at a time. */
        grpc_op sops[1];
        memset(sops, 0, sizeof sops);
        sops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
        sops[0].data.recv_status_on_client.trailing_metadata = &trailing_md;
        sops[0].data.recv_status_on_client.status = &status;
        sops[0].data.recv_status_on_client.status_details = &details;
        int status_tag;
        int r = 0;
        if (grpc_call_start_batch(call, sops, 1, &status_tag, NULL) != GRPC_CALL_OK)
                r = crio_error_set(err, EIO, "starting the call to %s failed", method);

        grpc_op ops[4];
        memset(ops, 0, sizeof ops);
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[1].op = GRPC_OP_SEND_MESSAGE;
        ops[1].data.send_message.send_message = send;
        ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
        ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial_md;
        if (r >= 0 && run_batch(c, call, ops, 4) < 0)
                r = crio_error_set(err, EIO, "the call to %s did not start", method);

        while (r >= 0) {
                grpc_byte_buffer *recv = NULL;
                grpc_op rop;
                memset(&rop, 0, sizeof rop);
                rop.op = GRPC_OP_RECV_MESSAGE;
                rop.data.recv_message.recv_message = &recv;
                if (run_batch(c, call, &rop, 1) < 0 || !recv)
                        break; /* the stream ended (the status says how) */
                ProtobufCMessage *m = NULL;
                grpc_byte_buffer_reader reader;
                if (grpc_byte_buffer_reader_init(&reader, recv)) {
                        grpc_slice in = grpc_byte_buffer_reader_readall(&reader);
                        grpc_byte_buffer_reader_destroy(&reader);
                        m = protobuf_c_message_unpack(resp_desc, NULL, GRPC_SLICE_LENGTH(in), GRPC_SLICE_START_PTR(in));
                        grpc_slice_unref(in);
                }
                grpc_byte_buffer_destroy(recv);
                if (!m) {
                        r = crio_error_set(err, EBADMSG, "%s: cannot decode a message as %s", method, resp_desc->name);
                        break;
                }
                int k = fn(m, userdata);
                if (k < 0) {
                        r = k;
                        break;
                }
        }
        if (r < 0)
                grpc_call_cancel(call, NULL);
        /* wait for the status (it always completes, also after a cancel) */
        grpc_event ev = grpc_completion_queue_pluck(c->cq, &status_tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (r >= 0 && (ev.type != GRPC_OP_COMPLETE || !ev.success))
                r = crio_error_set(err, EIO, "the call to %s did not complete", method);
        else if (r >= 0 && status != GRPC_STATUS_OK) {
                char *d = grpc_slice_to_c_string(details);
                r = crio_error_set(err, -cri_errno_from_status(status), "rpc error: code = %s desc = %s",
                                   cri_status_go_name(status), d ? d : "");
                if (r == 0)
                        r = -EIO;
                gpr_free(d);
        }
        grpc_byte_buffer_destroy(send);
        grpc_slice_unref(details);
        grpc_metadata_array_destroy(&initial_md);
        grpc_metadata_array_destroy(&trailing_md);
        grpc_call_unref(call);
        return r;
}
