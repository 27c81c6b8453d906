/* One handler per RPC, named cri_rpc_<rpc>, each in src/cri/rpc/<rpc>.c.
 * See cri/service.h for the contract. */
#pragma once

#include "cri/service.h"

int cri_rpc_version(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_status(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_list_images(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_image_status(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_remove_image(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_image_fs_info(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_pull_image(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
