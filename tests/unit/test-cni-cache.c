/* What a CNI plugin is given (stdin: injected name, version, prevResult, only the declared
 * capabilities; the environment, exactly), and the libcni-compatible result cache: written
 * and read back, entries libcni writes, a pod found by ID whatever its network, and damaged
 * or foreign entries refused. */
#include <errno.h>
#include <sys/stat.h>

#include "test.h"
#include "test-tmp.h"
#include "network/cni-attach.h"
#include "network/cni-cache.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

static const char *const LIST =
        "{\"cniVersion\":\"1.0.0\",\"name\":\"podnet\",\"plugins\":["
        "{\"type\":\"bridge\",\"bridge\":\"cni0\",\"runtimeConfig\":{\"static\":1},\"ipam\":{\"type\":\"host-local\"}},"
        "{\"type\":\"portmap\",\"name\":\"ignored\",\"cniVersion\":\"0.1.0\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":false}},"
        "{\"type\":\"all\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":true,\"ipRanges\":true,\"cgroupPath\":true}}]}";

static const CniPortMapping PORTS[] = { { 8080, 80, "TCP", NULL }, { 5353, 53, "udp", "127.0.0.1" } };
static const CniPod POD = { .id = "0123abcd", .name = "web", .namespace_ = "prod", .uid = "u-1",
                            .netns = "/var/run/netns/p", .ports = PORTS, .n_ports = 2, .ingress_rate = 1000,
                            .ip_range = "10.2.0.0/16", .cgroup_parent = "/kubepods/pod1" };

static CniNetwork *network(const char *text) {
        _cleanup_(crio_error_clear) CrioError err = {};
        CniNetwork *n = NULL;
        if (cni_network_parse("test.conflist", text, strlen(text), true, &n, &err) < 0)
                test_fail(__FILE__, __LINE__, "parse: %s", err.msg);
        return n;
}

static CniAttachment *attachment(const CniPod *pod) {
        _cleanup_(crio_error_clear) CrioError err = {};
        CniAttachment *a = NULL;
        if (cni_attachment_from_pod(pod, &a, &err) < 0)
                test_fail(__FILE__, __LINE__, "attachment: %s", err.msg);
        return a;
}

static JsonNode *parse_json(const char *text) {
        return json_from_string(text, NULL);
}

/* The stdin of plugin i, as a JSON object node. */
static JsonNode *stdin_of(CniNetwork *n, size_t i, CniAttachment *a, JsonNode *prev) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        ASSERT_OK(cni_plugin_stdin(n, &n->plugins[i], a, prev, &text, &len, &err));
        ASSERT_EQ_INT(len, strlen(text));
        JsonNode *node = parse_json(text);
        ASSERT_TRUE(node && JSON_NODE_HOLDS_OBJECT(node));
        return node;
}

static char *member_json(JsonNode *o, const char *name) {
        JsonNode *m = json_object_get_member(json_node_get_object(o), name);
        return m ? json_to_string(m, FALSE) : g_strdup("(none)");
}

#define ASSERT_MEMBER(o, name, want)                            \
        do {                                                    \
                g_autofree char *_j = member_json(o, name);     \
                ASSERT_EQ_STR(_j, want);                        \
        } while (0)

TEST(stdin_injects_list_name_version_and_prev_result) {
        _cleanup_(cni_network_unrefp) CniNetwork *n = network(LIST);
        _cleanup_(cni_attachment_freep) CniAttachment *a = attachment(&POD);
        g_autoptr(JsonNode) prev = parse_json("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/8\"}]}");
        g_autoptr(JsonNode) first = stdin_of(n, 0, a, NULL);
        ASSERT_MEMBER(first, "cniVersion", "\"1.0.0\"");
        ASSERT_MEMBER(first, "name", "\"podnet\"");
        ASSERT_MEMBER(first, "bridge", "\"cni0\"");
        ASSERT_MEMBER(first, "ipam", "{\"type\":\"host-local\"}");
        ASSERT_MEMBER(first, "prevResult", "(none)");
        /* no capability declared: a configured runtimeConfig stays as it is */
        ASSERT_MEMBER(first, "runtimeConfig", "{\"static\":1}");
        g_autoptr(JsonNode) second = stdin_of(n, 1, a, prev);
        ASSERT_MEMBER(second, "name", "\"podnet\"");
        ASSERT_MEMBER(second, "cniVersion", "\"1.0.0\"");
        ASSERT_MEMBER(second, "prevResult", "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/8\"}]}");
}

TEST(runtime_config_holds_only_declared_capabilities) {
        _cleanup_(cni_network_unrefp) CniNetwork *n = network(LIST);
        _cleanup_(cni_attachment_freep) CniAttachment *a = attachment(&POD);
        g_autoptr(JsonNode) portmap = stdin_of(n, 1, a, NULL);
        ASSERT_MEMBER(portmap, "runtimeConfig",
                      "{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"\"},"
                      "{\"hostPort\":5353,\"containerPort\":53,\"protocol\":\"udp\",\"hostIP\":\"127.0.0.1\"}]}");
        g_autoptr(JsonNode) all = stdin_of(n, 2, a, NULL);
        g_autofree char *rc = member_json(all, "runtimeConfig");
        ASSERT_CONTAINS(rc, "\"bandwidth\":{\"ingressRate\":1000,\"ingressBurst\":2147483647}");
        ASSERT_CONTAINS(rc, "\"ipRanges\":[[{\"subnet\":\"10.2.0.0/16\"}]]");
        ASSERT_CONTAINS(rc, "\"cgroupPath\":\"/kubepods/pod1\"");
        ASSERT_CONTAINS(rc, "\"portMappings\":[");

        /* a pod without ports, bandwidth, range or cgroup gives the plugin no runtimeConfig */
        CniPod bare = { .id = "p2", .netns = "/x" };
        _cleanup_(cni_attachment_freep) CniAttachment *b = attachment(&bare);
        g_autoptr(JsonNode) none = stdin_of(n, 2, b, NULL);
        ASSERT_MEMBER(none, "runtimeConfig", "(none)");
}

TEST(environment_is_exactly_the_cni_variables_and_path) {
        _cleanup_(cni_attachment_freep) CniAttachment *a = attachment(&POD);
        char *dirs[] = { "/opt/cni/bin", "/usr/lib/cni", NULL };
        setenv("PATH", "/test/bin", 1);
        setenv("SECRET", "no", 1);
        _cleanup_strv_free_ char **env = cni_plugin_env("ADD", a, dirs);
        ASSERT_TRUE(env);
        g_autofree char *all = g_strjoinv("\n", env);
        ASSERT_EQ_STR(all, "CNI_COMMAND=ADD\nCNI_CONTAINERID=0123abcd\nCNI_NETNS=/var/run/netns/p\nCNI_IFNAME=eth0\n"
                           "CNI_PATH=/opt/cni/bin:/usr/lib/cni\nCNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=prod;"
                           "K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=0123abcd;K8S_POD_UID=u-1\nPATH=/test/bin");
        /* DEL without a namespace: CNI_NETNS empty; no PATH: a default one */
        CniPod gone = { .id = "p3" };
        _cleanup_(cni_attachment_freep) CniAttachment *b = attachment(&gone);
        unsetenv("PATH");
        _cleanup_strv_free_ char **env2 = cni_plugin_env("DEL", b, NULL);
        ASSERT_TRUE(strv_contains(env2, "CNI_NETNS="));
        ASSERT_TRUE(strv_contains(env2, "CNI_PATH="));
        ASSERT_TRUE(strv_contains(env2, "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=;K8S_POD_NAME=;"
                                        "K8S_POD_INFRA_CONTAINER_ID=p3;K8S_POD_UID="));
        ASSERT_TRUE(strv_contains(env2, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
}

static const char *const RESULT = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/x\"}],"
                                  "\"ips\":[{\"interface\":0,\"address\":\"10.9.0.4/24\"}]}";

TEST(cache_written_atomically_and_read_back) {
        const char *dir = test_tmp_dir();
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_(cni_network_unrefp) CniNetwork *n = network(LIST);
        _cleanup_(cni_attachment_freep) CniAttachment *a = attachment(&POD);
        g_autoptr(JsonNode) result = parse_json(RESULT);
        g_autofree char *cache = g_strdup_printf("%s/cache", dir);
        ASSERT_OK(cni_cache_write(cache, n, a, result, &err));
        g_autofree char *results = g_strdup_printf("%s/results", cache);
        g_autofree char *path = g_strdup_printf("%s/podnet-0123abcd-eth0", results);
        struct stat st;
        ASSERT_OK(stat(results, &st));
        ASSERT_EQ_INT(st.st_mode & 07777, 0700);
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ_INT(st.st_mode & 07777, 0600);

        /* the fields libcni reads, under libcni's names */
        _cleanup_free_ char *text = NULL;
        ASSERT_OK(read_file(path, 1 << 20, &text, NULL, &err));
        g_autoptr(JsonNode) doc = parse_json(text);
        ASSERT_MEMBER(doc, "kind", "\"cniCacheV1\"");
        ASSERT_MEMBER(doc, "containerId", "\"0123abcd\"");
        ASSERT_MEMBER(doc, "ifName", "\"eth0\"");
        ASSERT_MEMBER(doc, "networkName", "\"podnet\"");
        ASSERT_MEMBER(doc, "netns", "\"/var/run/netns/p\"");
        ASSERT_MEMBER(doc, "cniArgs", "[[\"IgnoreUnknown\",\"1\"],[\"K8S_POD_NAMESPACE\",\"prod\"],[\"K8S_POD_NAME\",\"web\"],"
                                      "[\"K8S_POD_INFRA_CONTAINER_ID\",\"0123abcd\"],[\"K8S_POD_UID\",\"u-1\"]]");
        g_autofree char *config = member_json(doc, "config");
        g_autofree char *want = g_base64_encode((const guchar *) LIST, strlen(LIST));
        g_autofree char *quoted = g_strdup_printf("\"%s\"", want);
        ASSERT_EQ_STR(config, quoted);
        g_autofree char *caps = member_json(doc, "capabilityArgs");
        ASSERT_CONTAINS(caps, "\"portMappings\":[{\"hostPort\":8080");
        ASSERT_CONTAINS(caps, "\"ipRanges\"");

        /* found by pod ID, read back whole */
        _cleanup_strv_free_ char **paths = NULL;
        ASSERT_OK(cni_cache_find(cache, "0123abcd", &paths, &err));
        ASSERT_EQ_INT(strv_length(paths), 1);
        ASSERT_EQ_STR(paths[0], path);
        _cleanup_(cni_attachment_freep) CniAttachment *back = NULL;
        ASSERT_OK(cni_cache_load(path, "0123abcd", &back, &err));
        ASSERT_EQ_STR(back->container_id, "0123abcd");
        ASSERT_EQ_STR(back->network_name, "podnet");
        ASSERT_EQ_STR(back->netns, "/var/run/netns/p");
        ASSERT_EQ_INT(back->config_len, strlen(LIST));
        ASSERT_EQ_STR(back->config, LIST);
        ASSERT_TRUE(strv_equal(back->cni_args, a->cni_args));
        ASSERT_TRUE(back->result && json_node_equal(back->result, result));
        ASSERT_EQ_INT(json_object_get_size(back->capability_args), 4);

        /* removed, twice */
        ASSERT_OK(cni_cache_remove(path, &err));
        ASSERT_OK(cni_cache_remove(path, &err));
        _cleanup_strv_free_ char **none = NULL;
        ASSERT_OK(cni_cache_find(cache, "0123abcd", &none, &err));
        ASSERT_EQ_INT(strv_length(none), 0);
        /* no cache directory at all: nothing found, no error */
        _cleanup_strv_free_ char **nodir = NULL;
        ASSERT_OK(cni_cache_find("/nonexistent/cache", "0123abcd", &nodir, &err));
        ASSERT_EQ_INT(strv_length(nodir), 0);
}

/* An entry as libcni (Go) writes it: encoding/json's base64 for []byte, its key order. */
TEST(entry_written_by_libcni_is_read) {
        const char *conf = "{\"cniVersion\":\"0.4.0\",\"name\":\"crio\",\"type\":\"bridge\"}";
        g_autofree char *b64 = g_base64_encode((const guchar *) conf, strlen(conf));
        g_autofree char *text = g_strdup_printf(
                "{\"kind\":\"cniCacheV1\",\"containerId\":\"abc\",\"config\":\"%s\",\"ifName\":\"eth0\","
                "\"networkName\":\"crio\",\"netns\":\"/var/run/netns/abc\",\"cniArgs\":[[\"IgnoreUnknown\",\"1\"],"
                "[\"K8S_POD_NAME\",\"x\"]],\"capabilityArgs\":{\"portMappings\":[]},\"result\":%s}",
                b64, RESULT);
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_(cni_attachment_freep) CniAttachment *a = NULL;
        ASSERT_OK(cni_cache_parse(text, strlen(text), &a, &err));
        ASSERT_EQ_STR(a->config, conf);
        ASSERT_EQ_STR(a->network_name, "crio");
        ASSERT_EQ_STR(a->cni_args[3], "x");
        ASSERT_TRUE(a->result);
        /* without the optional members */
        g_autofree char *bare = g_strdup_printf("{\"kind\":\"cniCacheV1\",\"containerId\":\"abc\",\"config\":\"%s\","
                                                "\"ifName\":\"eth0\",\"networkName\":\"crio\"}",
                                                b64);
        _cleanup_(cni_attachment_freep) CniAttachment *b = NULL;
        ASSERT_OK(cni_cache_parse(bare, strlen(bare), &b, &err));
        ASSERT_TRUE(!b->result && !b->netns && !b->cni_args[0]);
}

#define ASSERT_ENTRY_FAILS(text, needle)                                                      \
        do {                                                                                  \
                _cleanup_(crio_error_clear) CrioError _e = {};                                \
                CniAttachment *_entry = (CniAttachment *) 0x1;                                    \
                ASSERT_EQ_INT(cni_cache_parse(text, strlen(text), &_entry, &_e), -EINVAL);        \
                ASSERT_CONTAINS(_e.msg, needle);                                              \
                ASSERT_TRUE(_entry == (CniAttachment *) 0x1);                                     \
        } while (0)
#define E(rest) "{\"kind\":\"cniCacheV1\",\"containerId\":\"abc\",\"ifName\":\"eth0\",\"networkName\":\"n\"" rest "}"

TEST(damaged_entries_are_refused) {
        ASSERT_ENTRY_FAILS("{\"kind\":\"cniCacheV2\"}", "kind is not \"cniCacheV1\"");
        ASSERT_ENTRY_FAILS("[]", "not a JSON object");
        ASSERT_ENTRY_FAILS(E(""), "no config");
        ASSERT_ENTRY_FAILS(E(",\"config\":\"e30\""), "config is not base64");
        ASSERT_ENTRY_FAILS(E(",\"config\":\"e3=0\""), "config is not base64");
        ASSERT_ENTRY_FAILS(E(",\"config\":\"e30*\""), "config is not base64");
        ASSERT_ENTRY_FAILS(E(",\"config\":\"e30=\",\"cniArgs\":[[\"a\"]]"), "cniArgs[0] is not a pair");
        ASSERT_ENTRY_FAILS(E(",\"config\":\"e30=\",\"cniArgs\":[[\"a\",1]]"), "not a pair of strings");
        ASSERT_ENTRY_FAILS(E(",\"config\":\"e30=\",\"capabilityArgs\":[]"), "capabilityArgs is not an object");
        ASSERT_ENTRY_FAILS(E(",\"config\":\"e30=\",\"result\":{\"cniVersion\":\"1.0.0\",\"ips\":[{}]}"),
                           "cache entry: result: ips[0] has no address");
        ASSERT_ENTRY_FAILS("{\"kind\":\"cniCacheV1\",\"containerId\":\"../x\",\"ifName\":\"eth0\",\"networkName\":\"n\","
                           "\"config\":\"e30=\"}",
                           "invalid or missing containerId");
        ASSERT_ENTRY_FAILS("{\"kind\":\"cniCacheV1\",\"containerId\":\"a\",\"ifName\":\"eth1\",\"networkName\":\"n\","
                           "\"config\":\"e30=\"}",
                           "ifName is not \"eth0\"");
}

static void write_entry(const char *results, const char *file, const char *net, const char *id) {
        g_autofree char *text = g_strdup_printf("{\"kind\":\"cniCacheV1\",\"containerId\":\"%s\",\"config\":\"e30=\","
                                                "\"ifName\":\"eth0\",\"networkName\":\"%s\"}",
                                                id, net);
        g_autofree char *path = g_strdup_printf("%s/%s", results, file);
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_OK(write_file_atomic(path, text, strlen(text), 0600, &err));
}

TEST(a_pod_is_found_by_id_whatever_its_network_and_only_its_own) {
        const char *dir = test_tmp_dir();
        g_autofree char *results = g_strdup_printf("%s/results", dir);
        ASSERT_OK(mkdir(results, 0700));
        write_entry(results, "old-net-b-eth0", "old-net", "b");    /* pod b, network "old-net" */
        write_entry(results, "net-a-b-eth0", "net", "a-b");        /* pod a-b, network "net" */
        write_entry(results, "x-b-eth0", "y", "b");                /* named for another network */
        write_entry(results, "net-b-eth1", "net", "b");            /* another interface */
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_strv_free_ char **paths = NULL;
        ASSERT_OK(cni_cache_find(dir, "b", &paths, &err));
        ASSERT_EQ_INT(strv_length(paths), 3);
        ASSERT_TRUE(str_endswith(paths[0], "/net-a-b-eth0"));
        ASSERT_TRUE(str_endswith(paths[1], "/old-net-b-eth0"));
        ASSERT_TRUE(str_endswith(paths[2], "/x-b-eth0"));
        CniAttachment *a = NULL;
        ASSERT_EQ_INT(cni_cache_load(paths[0], "b", &a, &err), -ENOENT);
        crio_error_clear(&err);
        ASSERT_OK(cni_cache_load(paths[1], "b", &a, &err));
        ASSERT_EQ_STR(a->network_name, "old-net");
        cni_attachment_free(a);
        ASSERT_EQ_INT(cni_cache_load(paths[2], "b", &a, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "the entry is for network y and pod b");
        crio_error_clear(&err);
        ASSERT_EQ_INT(cni_cache_find(dir, "../b", &paths, &err), -EINVAL);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-cni-cache-XXXXXX");
}
