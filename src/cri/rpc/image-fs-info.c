/* ImageService/ImageFsInfo: bytes and inodes used under the graph root. Images and container
 * layers share that file system; each list names its part of the store as the mountpoint,
 * as CRI-O does (<root>/<driver>-images, <root>/<driver>-containers). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.pb-c.h"
#include "cri/rpc/rpc.h"
#include "util/cleanup.h"

static Runtime__V1__FilesystemUsage *usage_new(const char *mountpoint, int64_t now, uint64_t bytes, uint64_t inodes) {
        Runtime__V1__FilesystemUsage *u = malloc(sizeof *u);
        if (!u)
                return NULL;
        runtime__v1__filesystem_usage__init(u);
        u->timestamp = now;
        u->fs_id = malloc(sizeof *u->fs_id);
        u->used_bytes = malloc(sizeof *u->used_bytes);
        u->inodes_used = malloc(sizeof *u->inodes_used);
        if (u->fs_id)
                runtime__v1__filesystem_identifier__init(u->fs_id);
        if (u->used_bytes)
                runtime__v1__uint64_value__init(u->used_bytes);
        if (u->inodes_used)
                runtime__v1__uint64_value__init(u->inodes_used);
        if (!u->fs_id || !u->used_bytes || !u->inodes_used || !(u->fs_id->mountpoint = strdup(mountpoint))) {
                protobuf_c_message_free_unpacked(&u->base, NULL);
                return NULL;
        }
        u->used_bytes->value = bytes;
        u->inodes_used->value = inodes;
        return u;
}

int cri_rpc_image_fs_info(CriService *svc, const ProtobufCMessage *req, ProtobufCMessage **ret_resp, CrioError *err) {
        (void) req;
        uint64_t bytes = 0, inodes = 0;
        int k = store_usage(svc->store, &bytes, &inodes, err);
        if (k < 0)
                return k;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now = (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;

        _cleanup_free_ char *images = NULL, *containers = NULL;
        const char *root = store_graph_root(svc->store), *driver = store_driver_name(svc->store);
        if (asprintf(&images, "%s/%s-images", root, driver) < 0 ||
            asprintf(&containers, "%s/%s-containers", root, driver) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");

        Runtime__V1__ImageFsInfoResponse *resp = malloc(sizeof *resp);
        if (!resp)
                return crio_error_set(err, ENOMEM, "out of memory");
        runtime__v1__image_fs_info_response__init(resp);
        resp->image_filesystems = calloc(1, sizeof(Runtime__V1__FilesystemUsage *));
        resp->container_filesystems = calloc(1, sizeof(Runtime__V1__FilesystemUsage *));
        if (resp->image_filesystems && (resp->image_filesystems[0] = usage_new(images, now, bytes, inodes)))
                resp->n_image_filesystems = 1;
        if (resp->container_filesystems &&
            (resp->container_filesystems[0] = usage_new(containers, now, bytes, inodes)))
                resp->n_container_filesystems = 1;
        if (resp->n_image_filesystems != 1 || resp->n_container_filesystems != 1) {
                protobuf_c_message_free_unpacked(&resp->base, NULL);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        *ret_resp = &resp->base;
        return 0;
}
