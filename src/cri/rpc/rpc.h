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
int cri_rpc_run_pod_sandbox(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_stop_pod_sandbox(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_remove_pod_sandbox(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_pod_sandbox_status(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_list_pod_sandbox(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_create_container(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_start_container(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_stop_container(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_remove_container(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_container_status(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_list_containers(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_update_container_resources(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_reopen_container_log(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_get_container_events(CriService *svc, const ProtobufCMessage *req, CriStream *stream, CrioError *err);
int cri_rpc_exec_sync(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_update_runtime_config(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_container_stats(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_list_container_stats(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_pod_sandbox_stats(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
int cri_rpc_list_pod_sandbox_stats(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err);
