/* JSON -> protobuf-c messages (cri_message_from_json): crictl's documented example files,
 * the protojson rules (names, integers, enums, bytes, maps, null), refusals naming the field,
 * the limits, and a round trip through cri_message_to_json. */
#include <errno.h>

#include "api.pb-c.h"
#include "cri/pbjson.h"
#include "test.h"
#include "util/cleanup.h"

/* crictl's docs/examples/podsandbox-config.json and container-config.json, and the
 * pod-config.json of docs/crictl.md (with cgroup_parent), byte for byte. */
static const char pod_config_example[] = "{\n"
                                         "  \"metadata\": {\n"
                                         "    \"name\": \"busybox-sandbox\",\n"
                                         "    \"namespace\": \"default\",\n"
                                         "    \"attempt\": 1,\n"
                                         "    \"uid\": \"hdishd83djaidwnduwk28bcsb\"\n"
                                         "  },\n"
                                         "  \"log_directory\": \"/tmp\",\n"
                                         "  \"linux\": {}\n"
                                         "}\n";
static const char container_config_example[] = "{\n"
                                               "  \"metadata\": {\n"
                                               "    \"name\": \"busybox\"\n"
                                               "  },\n"
                                               "  \"image\": {\n"
                                               "    \"image\": \"docker.io/busybox\"\n"
                                               "  },\n"
                                               "  \"command\": [\"top\"],\n"
                                               "  \"log_path\": \"busybox.0.log\",\n"
                                               "  \"linux\": {}\n"
                                               "}\n";
static const char pod_config_cgroup[] = "{\n"
                                        "    \"metadata\": {\n"
                                        "        \"name\": \"nginx-sandbox\",\n"
                                        "        \"namespace\": \"default\",\n"
                                        "        \"attempt\": 1,\n"
                                        "        \"uid\": \"hdishd83djaidwnduwk28bcsb\"\n"
                                        "    },\n"
                                        "    \"log_directory\": \"/tmp\",\n"
                                        "    \"linux\": {\n"
                                        "      \"cgroup_parent\": \"/test.slice\"\n"
                                        "    }\n"
                                        "}\n";

static ProtobufCMessage *parse_ok(const char *json, const ProtobufCMessageDescriptor *d) {
        CrioError err = {};
        ProtobufCMessage *m = NULL;
        int r = cri_message_from_json_data(json, strlen(json), d, &m, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "parsing %s failed: %s", json, err.msg);
        ASSERT_TRUE(m != NULL);
        ASSERT_TRUE(protobuf_c_message_check(m));
        return m;
}

/* Parsing fails with code; returns the message (caller frees). */
static char *parse_fails(const char *json, const ProtobufCMessageDescriptor *d, int code) {
        CrioError err = {};
        ProtobufCMessage *m = (ProtobufCMessage *) 0x1;
        int r = cri_message_from_json_data(json, strlen(json), d, &m, &err);
        if (r >= 0)
                test_fail(__FILE__, __LINE__, "parsing %s succeeded", json);
        ASSERT_EQ_INT(r, -code);
        ASSERT_TRUE(m == (ProtobufCMessage *) 0x1); /* output untouched */
        ASSERT_TRUE(err.msg != NULL);
        return err.msg;
}

#define POD(json) ((Runtime__V1__PodSandboxConfig *) parse_ok(json, &runtime__v1__pod_sandbox_config__descriptor))
#define CTR(json) ((Runtime__V1__ContainerConfig *) parse_ok(json, &runtime__v1__container_config__descriptor))
#define FREE(m) protobuf_c_message_free_unpacked(&(m)->base, NULL)

TEST(crictl_example_pod_config_converts_exactly) {
        Runtime__V1__PodSandboxConfig *p = POD(pod_config_example);
        ASSERT_TRUE(p->metadata != NULL);
        ASSERT_EQ_STR(p->metadata->name, "busybox-sandbox");
        ASSERT_EQ_STR(p->metadata->namespace_, "default");
        ASSERT_EQ_INT(p->metadata->attempt, 1);
        ASSERT_EQ_STR(p->metadata->uid, "hdishd83djaidwnduwk28bcsb");
        ASSERT_EQ_STR(p->log_directory, "/tmp");
        ASSERT_TRUE(p->linux != NULL);
        ASSERT_EQ_STR(p->linux->cgroup_parent, "");
        ASSERT_TRUE(p->linux->security_context == NULL);
        ASSERT_EQ_STR(p->hostname, "");
        ASSERT_TRUE(p->dns_config == NULL && p->windows == NULL);
        ASSERT_EQ_INT(p->n_labels + p->n_annotations + p->n_port_mappings, 0);
        /* exactly: the same bytes on the wire as the message built by hand */
        Runtime__V1__PodSandboxConfig want = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT;
        Runtime__V1__PodSandboxMetadata md = RUNTIME__V1__POD_SANDBOX_METADATA__INIT;
        Runtime__V1__LinuxPodSandboxConfig lx = RUNTIME__V1__LINUX_POD_SANDBOX_CONFIG__INIT;
        md.name = (char *) "busybox-sandbox";
        md.namespace_ = (char *) "default";
        md.attempt = 1;
        md.uid = (char *) "hdishd83djaidwnduwk28bcsb";
        want.metadata = &md;
        want.log_directory = (char *) "/tmp";
        want.linux = &lx;
        size_t n1 = protobuf_c_message_get_packed_size(&p->base), n2 = protobuf_c_message_get_packed_size(&want.base);
        ASSERT_EQ_INT(n1, n2);
        uint8_t b1[256], b2[256];
        ASSERT_TRUE(n1 <= sizeof b1);
        protobuf_c_message_pack(&p->base, b1);
        protobuf_c_message_pack(&want.base, b2);
        ASSERT_TRUE(memcmp(b1, b2, n1) == 0);
        FREE(p);

        p = POD(pod_config_cgroup);
        ASSERT_EQ_STR(p->metadata->name, "nginx-sandbox");
        ASSERT_EQ_STR(p->linux->cgroup_parent, "/test.slice");
        FREE(p);
}

TEST(crictl_example_container_config_converts_exactly) {
        Runtime__V1__ContainerConfig *c = CTR(container_config_example);
        ASSERT_EQ_STR(c->metadata->name, "busybox");
        ASSERT_EQ_INT(c->metadata->attempt, 0);
        ASSERT_EQ_STR(c->image->image, "docker.io/busybox");
        ASSERT_EQ_INT(c->n_command, 1);
        ASSERT_EQ_STR(c->command[0], "top");
        ASSERT_EQ_INT(c->n_args, 0);
        ASSERT_EQ_STR(c->log_path, "busybox.0.log");
        ASSERT_TRUE(c->linux != NULL && c->linux->resources == NULL && c->linux->security_context == NULL);
        ASSERT_TRUE(!c->tty && !c->stdin);
        Runtime__V1__ContainerConfig want = RUNTIME__V1__CONTAINER_CONFIG__INIT;
        Runtime__V1__ContainerMetadata md = RUNTIME__V1__CONTAINER_METADATA__INIT;
        Runtime__V1__ImageSpec img = RUNTIME__V1__IMAGE_SPEC__INIT;
        Runtime__V1__LinuxContainerConfig lx = RUNTIME__V1__LINUX_CONTAINER_CONFIG__INIT;
        char *cmd[] = { (char *) "top" };
        md.name = (char *) "busybox";
        img.image = (char *) "docker.io/busybox";
        want.metadata = &md;
        want.image = &img;
        want.command = cmd;
        want.n_command = 1;
        want.log_path = (char *) "busybox.0.log";
        want.linux = &lx;
        size_t n1 = protobuf_c_message_get_packed_size(&c->base), n2 = protobuf_c_message_get_packed_size(&want.base);
        ASSERT_EQ_INT(n1, n2);
        uint8_t b1[256], b2[256];
        protobuf_c_message_pack(&c->base, b1);
        protobuf_c_message_pack(&want.base, b2);
        ASSERT_TRUE(memcmp(b1, b2, n1) == 0);
        FREE(c);
}

TEST(env_values_are_plain_text_as_crictl_writes_them) {
        Runtime__V1__ContainerConfig *c = CTR("{\"envs\": [{\"key\": \"FOO\", \"value\": \"bar\"},"
                                              " {\"key\": \"EMPTY\", \"value\": \"\"}, {\"key\": \"U\", \"value\": \"é=1\"}]}");
        ASSERT_EQ_INT(c->n_envs, 3);
        ASSERT_EQ_STR(c->envs[0]->key, "FOO");
        ASSERT_EQ_INT(c->envs[0]->value.len, 3);
        ASSERT_TRUE(memcmp(c->envs[0]->value.data, "bar", 3) == 0);
        ASSERT_EQ_INT(c->envs[1]->value.len, 0);
        ASSERT_EQ_INT(c->envs[2]->value.len, strlen("é=1"));
        FREE(c);
        _cleanup_free_ char *e = parse_fails("{\"envs\": [{\"key\": \"FOO\", \"value\": 1}]}",
                                             &runtime__v1__container_config__descriptor, EINVAL);
        ASSERT_CONTAINS(e, "envs[0].value: expected a text string, got a number");
}

TEST(other_bytes_are_strict_base64) {
        const ProtobufCMessageDescriptor *d = &runtime__v1__exec_sync_response__descriptor;
        Runtime__V1__ExecSyncResponse *r = (Runtime__V1__ExecSyncResponse *) parse_ok(
                "{\"stdout\": \"aGVsbG8=\", \"stderr\": \"aGVsbG8\", \"exitCode\": 3}", d);
        ASSERT_EQ_INT(r->stdout.len, 5);
        ASSERT_TRUE(memcmp(r->stdout.data, "hello", 5) == 0);
        ASSERT_EQ_INT(r->stderr.len, 5);
        ASSERT_EQ_INT(r->exit_code, 3);
        FREE(r);
        r = (Runtime__V1__ExecSyncResponse *) parse_ok("{\"stdout\": \"-_8=\", \"stderr\": \"+/8=\"}", d);
        ASSERT_EQ_INT(r->stdout.len, 2);
        ASSERT_EQ_INT(r->stdout.data[0], 0xfb);
        ASSERT_EQ_INT(r->stdout.data[1], 0xff);
        ASSERT_TRUE(memcmp(r->stdout.data, r->stderr.data, 2) == 0);
        FREE(r);
        const char *bad[] = { "{\"stdout\": \"a\"}", "{\"stdout\": \"aGVsbG8 =\"}", "{\"stdout\": \"aG!s\"}",
                              "{\"stdout\": \"aGVsbG9=\"}", "{\"stdout\": \"a===\"}" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *e = parse_fails(bad[i], d, EINVAL);
                ASSERT_CONTAINS(e, "stdout: ");
                ASSERT_CONTAINS(e, "is not base64");
        }
}

TEST(camel_case_and_proto_names_both_work_but_not_together) {
        Runtime__V1__ContainerConfig *a = CTR("{\"logPath\": \"a.log\", \"workingDir\": \"/w\", \"stdinOnce\": true,"
                                              " \"CDIDevices\": [{\"name\": \"x\"}], \"mounts\": [{\"containerPath\": \"/c\","
                                              " \"host_path\": \"/h\", \"uidMappings\": [{\"containerId\": 1}]}]}");
        ASSERT_EQ_STR(a->log_path, "a.log");
        ASSERT_EQ_STR(a->working_dir, "/w");
        ASSERT_TRUE(a->stdin_once);
        ASSERT_EQ_INT(a->n_cdi_devices, 1);
        ASSERT_EQ_STR(a->cdi_devices[0]->name, "x");
        ASSERT_EQ_STR(a->mounts[0]->container_path, "/c");
        ASSERT_EQ_STR(a->mounts[0]->host_path, "/h");
        ASSERT_EQ_INT(a->mounts[0]->n_uidmappings, 1);
        FREE(a);
        Runtime__V1__ContainerConfig *b = CTR("{\"CDI_devices\": [{\"name\": \"y\"}]}");
        ASSERT_EQ_STR(b->cdi_devices[0]->name, "y");
        FREE(b);
        _cleanup_free_ char *e = parse_fails("{\"metadata\": {\"name\": \"a\"}, \"log_path\": \"x\", \"logPath\": \"y\"}",
                                             &runtime__v1__container_config__descriptor, EINVAL);
        ASSERT_CONTAINS(e, "\"log_path\" of ContainerConfig is given twice");
}

TEST(unknown_fields_are_refused_with_their_place) {
        _cleanup_free_ char *e1 = parse_fails("{\"metadata\": {\"name\": \"a\", \"nmae\": \"b\"}}",
                                              &runtime__v1__pod_sandbox_config__descriptor, EINVAL);
        ASSERT_EQ_STR(e1, "metadata: unknown field \"nmae\" in PodSandboxMetadata");
        _cleanup_free_ char *e2 = parse_fails("{\"LogDirectory\": \"/tmp\"}", &runtime__v1__pod_sandbox_config__descriptor,
                                              EINVAL);
        ASSERT_EQ_STR(e2, "unknown field \"LogDirectory\" in PodSandboxConfig");
        _cleanup_free_ char *e3 = parse_fails("{\"mounts\": [{}, {\"readOnly\": true}]}",
                                              &runtime__v1__container_config__descriptor, EINVAL);
        ASSERT_EQ_STR(e3, "mounts[1]: unknown field \"readOnly\" in Mount");
}

TEST(integers_as_numbers_or_strings_with_ranges) {
        const ProtobufCMessageDescriptor *d = &runtime__v1__linux_container_resources__descriptor;
        Runtime__V1__LinuxContainerResources *r = (Runtime__V1__LinuxContainerResources *) parse_ok(
                "{\"cpu_period\": 100000, \"cpuQuota\": \"-1\", \"memoryLimitInBytes\": \"9223372036854775807\","
                " \"cpuShares\": 1e3, \"oomScoreAdj\": -1000, \"hugepageLimits\": [{\"pageSize\": \"2MB\","
                " \"limit\": \"18446744073709551615\"}]}",
                d);
        ASSERT_EQ_INT(r->cpu_period, 100000);
        ASSERT_EQ_INT(r->cpu_quota, -1);
        ASSERT_TRUE(r->memory_limit_in_bytes == INT64_MAX);
        ASSERT_EQ_INT(r->cpu_shares, 1000);
        ASSERT_EQ_INT(r->oom_score_adj, -1000);
        ASSERT_TRUE(r->hugepage_limits[0]->limit == UINT64_MAX);
        FREE(r);
        struct {
                const char *json;
                const char *msg;
        } bad[] = {
                { "{\"cpuPeriod\": \"9223372036854775808\"}", "cpuPeriod: \"9223372036854775808\" is not in range" },
                { "{\"cpuPeriod\": \"12a\"}", "cpuPeriod: \"12a\" is not a decimal integer" },
                { "{\"cpuPeriod\": \" 12\"}", "is not a decimal integer" },
                { "{\"cpuPeriod\": 1.5}", "cpuPeriod: 1.5 is not an integer in range" },
                { "{\"cpuPeriod\": true}", "cpuPeriod: expected an integer, got a boolean" },
                { "{\"hugepageLimits\": [{\"limit\": -1}]}", "hugepageLimits[0].limit: -1 is negative" },
                { "{\"hugepageLimits\": [{\"limit\": \"-1\"}]}", "is not an unsigned decimal integer" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *e = parse_fails(bad[i].json, d, EINVAL);
                ASSERT_CONTAINS(e, bad[i].msg);
        }
        _cleanup_free_ char *e = parse_fails("{\"metadata\": {\"attempt\": 4294967296}}",
                                             &runtime__v1__pod_sandbox_config__descriptor, EINVAL);
        ASSERT_CONTAINS(e, "metadata.attempt: 4294967296 is out of range");
        _cleanup_free_ char *e2 = parse_fails("{\"portMappings\": [{\"containerPort\": 2147483648}]}",
                                              &runtime__v1__pod_sandbox_config__descriptor, EINVAL);
        ASSERT_CONTAINS(e2, "portMappings[0].containerPort: 2147483648 is out of range");
}

TEST(enums_by_name_or_number) {
        Runtime__V1__PodSandboxConfig *p = POD("{\"port_mappings\": [{\"protocol\": \"UDP\", \"container_port\": 53},"
                                               " {\"protocol\": 2}, {\"protocol\": 7}]}");
        ASSERT_EQ_INT(p->n_port_mappings, 3);
        ASSERT_EQ_INT(p->port_mappings[0]->protocol, RUNTIME__V1__PROTOCOL__UDP);
        ASSERT_EQ_INT(p->port_mappings[0]->container_port, 53);
        ASSERT_EQ_INT(p->port_mappings[1]->protocol, RUNTIME__V1__PROTOCOL__SCTP);
        ASSERT_EQ_INT(p->port_mappings[2]->protocol, 7); /* open enum: unknown numbers are kept */
        FREE(p);
        _cleanup_free_ char *e = parse_fails("{\"portMappings\": [{\"protocol\": \"udp\"}]}",
                                             &runtime__v1__pod_sandbox_config__descriptor, EINVAL);
        ASSERT_CONTAINS(e, "portMappings[0].protocol: \"udp\" is not a value of Protocol");
        _cleanup_free_ char *e2 = parse_fails("{\"portMappings\": [{\"protocol\": true}]}",
                                              &runtime__v1__pod_sandbox_config__descriptor, EINVAL);
        ASSERT_CONTAINS(e2, "expected a Protocol name or number");
}

TEST(signal_names_are_upstreams) {
        Runtime__V1__ContainerConfig *c = CTR("{\"stopSignal\": \"SIGTERM\"}");
        ASSERT_EQ_INT(c->stop_signal, RUNTIME__V1__SIGNAL__SIGNAL_SIGTERM);
        FREE(c);
        c = CTR("{\"stop_signal\": \"SIGNAL_SIGKILL\"}");
        ASSERT_EQ_INT(c->stop_signal, RUNTIME__V1__SIGNAL__SIGNAL_SIGKILL);
        JsonNode *n = cri_message_to_json(&c->base);
        ASSERT_EQ_STR(json_object_get_string_member(json_node_get_object(n), "stopSignal"), "SIGKILL");
        json_node_unref(n);
        FREE(c);
        c = CTR("{\"stopSignal\": \"RUNTIME_DEFAULT\"}");
        ASSERT_EQ_INT(c->stop_signal, 0);
        FREE(c);
        /* other enums keep their own names: no prefix is guessed for them */
        _cleanup_free_ char *e = parse_fails("{\"mounts\": [{\"propagation\": \"PRIVATE\"}]}",
                                             &runtime__v1__container_config__descriptor, EINVAL);
        ASSERT_CONTAINS(e, "is not a value of MountPropagation");
}

TEST(maps_are_objects_and_null_means_unset) {
        Runtime__V1__PodSandboxConfig *p = POD("{\"labels\": {\"app\": \"web\", \"tier\": \"front\"}, \"annotations\": {},"
                                               " \"linux\": {\"sysctls\": {\"net.ipv4.ip_forward\": \"1\"}},"
                                               " \"hostname\": null, \"dnsConfig\": null, \"portMappings\": null}");
        ASSERT_EQ_INT(p->n_labels, 2);
        ASSERT_EQ_STR(p->labels[0]->key, "app");
        ASSERT_EQ_STR(p->labels[0]->value, "web");
        ASSERT_EQ_STR(p->labels[1]->key, "tier");
        ASSERT_EQ_STR(p->labels[1]->value, "front");
        ASSERT_EQ_INT(p->n_annotations, 0);
        ASSERT_EQ_INT(p->linux->n_sysctls, 1);
        ASSERT_EQ_STR(p->linux->sysctls[0]->key, "net.ipv4.ip_forward");
        ASSERT_EQ_STR(p->hostname, "");
        ASSERT_TRUE(p->dns_config == NULL);
        FREE(p);
        const ProtobufCMessageDescriptor *d = &runtime__v1__pod_sandbox_config__descriptor;
        _cleanup_free_ char *e1 = parse_fails("{\"labels\": [\"a\"]}", d, EINVAL);
        ASSERT_CONTAINS(e1, "labels: expected an object (a map), got an array");
        _cleanup_free_ char *e2 = parse_fails("{\"labels\": {\"a\": 1}}", d, EINVAL);
        ASSERT_CONTAINS(e2, "labels[\"a\"]: expected a string, got a number");
        _cleanup_free_ char *e3 = parse_fails("{\"labels\": {\"a\": null}}", d, EINVAL);
        ASSERT_CONTAINS(e3, "map value cannot be null");
        _cleanup_free_ char *e4 = parse_fails("{\"dnsConfig\": {\"servers\": [\"1.1.1.1\", null]}}", d, EINVAL);
        ASSERT_CONTAINS(e4, "dnsConfig.servers[1]: an array element cannot be null");
        _cleanup_free_ char *e5 = parse_fails("{\"metadata\": \"x\"}", d, EINVAL);
        ASSERT_CONTAINS(e5, "metadata: expected an object (PodSandboxMetadata), got a string");
        _cleanup_free_ char *e6 = parse_fails("[]", d, EINVAL);
        ASSERT_CONTAINS(e6, "expected an object (PodSandboxConfig), got an array");
        _cleanup_free_ char *e7 = parse_fails("{\"linux\": {\"securityContext\": {\"privileged\": \"true\"}}}", d, EINVAL);
        ASSERT_CONTAINS(e7, "linux.securityContext.privileged: expected true or false, got a string");
}

TEST(limits_and_malformed_documents) {
        const ProtobufCMessageDescriptor *d = &runtime__v1__container_config__descriptor;
        /* too many elements in one repeated field */
        GString *s = g_string_new("{\"args\": [");
        for (unsigned i = 0; i <= CRI_JSON_MAX_REPEATED; i++)
                g_string_append(s, i ? ",\"a\"" : "\"a\"");
        g_string_append(s, "]}");
        _cleanup_free_ char *e1 = parse_fails(s->str, d, E2BIG);
        ASSERT_CONTAINS(e1, "args: 16385 elements, more than the 16384 allowed");
        g_string_free(s, TRUE);
        /* just at the limit is fine */
        s = g_string_new("{\"args\": [");
        for (unsigned i = 0; i < CRI_JSON_MAX_REPEATED; i++)
                g_string_append(s, i ? ",\"a\"" : "\"a\"");
        g_string_append(s, "]}");
        Runtime__V1__ContainerConfig *c = CTR(s->str);
        ASSERT_EQ_INT(c->n_args, CRI_JSON_MAX_REPEATED);
        FREE(c);
        g_string_free(s, TRUE);
        /* a document over 1 MiB */
        size_t big = CRI_JSON_MAX_SIZE + 1;
        char *b = malloc(big + 1);
        memset(b, ' ', big);
        b[0] = '{';
        b[big - 1] = '}';
        b[big] = '\0';
        _cleanup_free_ char *e2 = parse_fails(b, d, EFBIG);
        ASSERT_CONTAINS(e2, "more than the 1048576 allowed");
        free(b);
        /* nesting deeper than the limit never reaches json-glib */
        s = g_string_new("{\"labels\": ");
        for (int i = 0; i < 40; i++)
                g_string_append_c(s, '[');
        for (int i = 0; i < 40; i++)
                g_string_append_c(s, ']');
        g_string_append_c(s, '}');
        _cleanup_free_ char *e3 = parse_fails(s->str, d, EINVAL);
        ASSERT_CONTAINS(e3, "JSON: line 1");
        g_string_free(s, TRUE);
        /* not strict JSON: duplicate keys, comments, trailing garbage */
        const char *bad[] = { "{\"args\": [], \"args\": []}", "{/* c */}", "{} x", "", "{\"a\": 'b'}" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *e = parse_fails(bad[i], d, EINVAL);
                ASSERT_CONTAINS(e, "JSON");
        }
        /* the JsonNode entry point with nothing to read */
        CrioError err = {};
        ProtobufCMessage *m = NULL;
        ASSERT_EQ_INT(cri_message_from_json(NULL, d, &m, &err), -EINVAL);
        ASSERT_TRUE(m == NULL);
        crio_error_clear(&err);
}

TEST(round_trip_through_message_to_json) {
        const char *json = "{\"metadata\": {\"name\": \"c\", \"attempt\": 2}, \"image\": {\"image\": \"busybox:1\","
                           " \"annotations\": {\"k\": \"v\"}}, \"command\": [\"/bin/sh\", \"-c\"], \"args\": [\"echo hi\"],"
                           " \"workingDir\": \"/tmp\", \"envs\": [{\"key\": \"A\", \"value\": \"1=2\"}],"
                           " \"mounts\": [{\"containerPath\": \"/m\", \"hostPath\": \"/h\", \"readonly\": true,"
                           " \"propagation\": \"PROPAGATION_HOST_TO_CONTAINER\"}], \"labels\": {\"x\": \"y\"},"
                           " \"logPath\": \"c.log\", \"tty\": true, \"linux\": {\"resources\": {\"cpuQuota\": \"50000\","
                           " \"memoryLimitInBytes\": 268435456, \"unified\": {\"memory.high\": \"1G\"}},"
                           " \"securityContext\": {\"runAsUser\": {\"value\": \"1000\"}, \"readonlyRootfs\": true,"
                           " \"capabilities\": {\"addCapabilities\": [\"NET_ADMIN\"]}, \"namespaceOptions\": {\"pid\": \"CONTAINER\"}}},"
                           " \"stopSignal\": 15}";
        Runtime__V1__ContainerConfig *c = CTR(json);
        JsonNode *n = cri_message_to_json(&c->base);
        CrioError err = {};
        ProtobufCMessage *back = NULL;
        int r = cri_message_from_json(n, &runtime__v1__container_config__descriptor, &back, &err);
        if (r < 0)
                test_fail(__FILE__, __LINE__, "%s", err.msg);
        JsonObject *o = json_node_get_object(n);
        JsonObject *env0 = json_array_get_object_element(json_object_get_array_member(o, "envs"), 0);
        ASSERT_EQ_STR(json_object_get_string_member(env0, "value"), "1=2"); /* text, as crictl prints it */
        json_node_unref(n);
        size_t n1 = protobuf_c_message_get_packed_size(&c->base), n2 = protobuf_c_message_get_packed_size(back);
        ASSERT_EQ_INT(n1, n2);
        uint8_t *b1 = malloc(n1), *b2 = malloc(n2);
        protobuf_c_message_pack(&c->base, b1);
        protobuf_c_message_pack(back, b2);
        ASSERT_TRUE(memcmp(b1, b2, n1) == 0);
        ASSERT_EQ_INT(c->linux->resources->n_unified, 1);
        ASSERT_EQ_INT(c->linux->security_context->run_as_user->value, 1000);
        ASSERT_EQ_INT(c->mounts[0]->propagation, RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER);
        free(b1);
        free(b2);
        protobuf_c_message_free_unpacked(back, NULL);
        FREE(c);
}

int main(void) {
        return test_main();
}
