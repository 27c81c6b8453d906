/* crioctl inspecti IMAGE...: the status of images (ImageService/ImageStatus, verbose):
 * {"status": <Image>, "info": {<key>: <JSON value>}} per image, as crictl prints it. */
#include <string.h>

#include "api.pb-c.h"
#include "cri/pbjson.h"
#include "inspect.h"

static const char usage[] = "  -o, --output json|yaml   output format (default json)\n"
                            "  -q, --quiet              only the status, no verbose info\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_inspecti = {
        .name = "inspecti",
        .summary = "Return the status of one or more images",
        .usage = usage,
        .run = run,
};

int crioctl_image_status(CrioctlContext *ctx, const char *image, bool verbose, ProtobufCMessage **ret) {
        Runtime__V1__ImageStatusRequest req = RUNTIME__V1__IMAGE_STATUS_REQUEST__INIT;
        Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
        spec.image = (char *) image;
        req.image = &spec;
        req.verbose = verbose;
        return crioctl_call(ctx, true, "ImageStatus", &req.base, &runtime__v1__image_status_response__descriptor, ret);
}

char *crioctl_image_id(CrioctlContext *ctx, const char *image) {
        Runtime__V1__ImageStatusResponse *resp = NULL;
        if (crioctl_image_status(ctx, image, false, (ProtobufCMessage **) &resp) < 0)
                return NULL;
        char *id = resp->image ? strdup(resp->image->id) : NULL;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return id;
}

/* {"status": <Image>, "info": {<key>: <JSON value>}} */
static JsonNode *image_json(const ProtobufCMessage *msg) {
        const Runtime__V1__ImageStatusResponse *r = (const Runtime__V1__ImageStatusResponse *) msg;
        JsonObject *out = json_object_new();
        json_object_set_member(out, "status", cri_message_to_json(&r->image->base));
        JsonObject *info = json_object_new();
        for (size_t k = 0; k < r->n_info; k++)
                json_object_set_member(info, r->info[k]->key, output_json_or_string(r->info[k]->value));
        json_object_set_object_member(out, "info", info);
        JsonNode *root = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(root, out);
        return root;
}

static const CrioctlInspect inspecti = {
        .command = &crioctl_cmd_inspecti,
        .operands = "IMAGE...",
        .none = "no image named",
        .missing = "crioctl: no such image \"%s\" present\n",
        .status_field = "image",
        .each = true,
        .call = crioctl_image_status,
        .json = image_json,
};

static int run(CrioctlContext *ctx, int argc, char **argv) {
        return crioctl_inspect(ctx, &inspecti, argc, argv);
}
