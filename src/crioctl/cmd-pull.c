/* crioctl pull [--creds USER[:PASS] | --auth BASE64] [--pod-config FILE] IMAGE: pull an image
 * (ImageService/PullImage) and print its reference. Like crictl, no call timeout unless -t. */
#include <getopt.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.pb-c.h"
#include "crioctl.h"
#include "util/cleanup.h"

static const char usage[] = "      --creds USER[:PASSWORD]   registry credentials (the password is asked for if absent)\n"
                            "      --auth AUTH               base64 of USER:PASSWORD\n"
                            "  -p, --pod-config FILE         pod sandbox config (JSON) whose namespace picks the policy\n";

static int run(CrioctlContext *ctx, int argc, char **argv);

const CrioctlCommand crioctl_cmd_pull = {
        .name = "pull",
        .summary = "Pull an image from a registry",
        .usage = usage,
        .run = run,
};

static char *member_str(JsonObject *o, const char *name) {
        if (!o || !json_object_has_member(o, name))
                return NULL;
        JsonNode *n = json_object_get_member(o, name);
        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return strdup(json_node_get_string(n));
}

/* The metadata of a crictl pod config file (the rest is for runp). */
static int load_pod_config(const char *path, Runtime__V1__PodSandboxConfig *cfg, Runtime__V1__PodSandboxMetadata *md) {
        JsonParser *p = json_parser_new();
        GError *e = NULL;
        if (!json_parser_load_from_file(p, path, &e)) {
                fprintf(stderr, "crioctl pull: reading pod config %s: %s\n", path, e->message);
                g_error_free(e);
                g_object_unref(p);
                return -1;
        }
        JsonNode *root = json_parser_get_root(p);
        JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
        JsonObject *m = o && json_object_has_member(o, "metadata") &&
                                        JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "metadata"))
                                ? json_object_get_object_member(o, "metadata")
                                : NULL;
        if (!m) {
                fprintf(stderr, "crioctl pull: pod config %s has no \"metadata\" object\n", path);
                g_object_unref(p);
                return -1;
        }
        /* Owned strings (never the protobuf-c empty-string default), freed by the caller. */
        md->name = member_str(m, "name");
        md->uid = member_str(m, "uid");
        md->namespace_ = member_str(m, "namespace");
        if (!md->name)
                md->name = strdup("");
        if (!md->uid)
                md->uid = strdup("");
        if (!md->namespace_)
                md->namespace_ = strdup("");
        cfg->metadata = md;
        g_object_unref(p);
        return 0;
}

static int run(CrioctlContext *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "creds", required_argument, NULL, 'c' },
                                              { "auth", required_argument, NULL, 'a' },
                                              { "pod-config", required_argument, NULL, 'p' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        const char *creds = NULL, *auth = NULL, *pod_config = NULL;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: crioctl pull [FLAGS] IMAGE\n%s", usage);
                        return 0;
                } else if (c == 'c')
                        creds = optarg;
                else if (c == 'a')
                        auth = optarg;
                else if (c == 'p')
                        pod_config = optarg;
                else
                        return crioctl_usage_error(&crioctl_cmd_pull, "invalid flag");
        }
        if (optind != argc - 1)
                return crioctl_usage_error(&crioctl_cmd_pull, "name exactly one image");
        if (creds && auth)
                return crioctl_usage_error(&crioctl_cmd_pull, "--creds and --auth cannot be combined");

        Runtime__V1__PullImageRequest req = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
        Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
        Runtime__V1__AuthConfig ac = RUNTIME__V1__AUTH_CONFIG__INIT;
        Runtime__V1__PodSandboxConfig pc = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT;
        Runtime__V1__PodSandboxMetadata md = RUNTIME__V1__POD_SANDBOX_METADATA__INIT;
        spec.image = argv[optind];
        req.image = &spec;
        _cleanup_free_ char *user = NULL, *pass = NULL;
        if (creds) {
                const char *colon = strchr(creds, ':');
                user = colon ? strndup(creds, (size_t) (colon - creds)) : strdup(creds);
                if (colon)
                        pass = strdup(colon + 1);
                else {
                        char *pw = getpass("Password: ");
                        pass = strdup(pw ? pw : "");
                }
                if (!user || !pass) {
                        fprintf(stderr, "crioctl pull: out of memory\n");
                        return 1;
                }
                ac.username = user;
                ac.password = pass;
                req.auth = &ac;
        } else if (auth) {
                ac.auth = (char *) auth;
                req.auth = &ac;
        }
        if (pod_config) {
                if (load_pod_config(pod_config, &pc, &md) < 0)
                        return 1;
                req.sandbox_config = &pc;
        }
        if (!ctx->timeout_given)
                ctx->timeout_ms = 0;
        Runtime__V1__PullImageResponse *resp = NULL;
        int r = crioctl_call(ctx, true, "PullImage", &req.base, &runtime__v1__pull_image_response__descriptor,
                             (ProtobufCMessage **) &resp);
        if (pod_config) {
                free(md.name);
                free(md.uid);
                free(md.namespace_);
        }
        if (r < 0)
                return 1;
        printf("Image is up to date for %s\n", resp->image_ref);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        return 0;
}
