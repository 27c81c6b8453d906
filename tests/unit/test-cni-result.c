/* CNI plugin output: results of every version the specification has had, the addresses a
 * pod gets from them (order, duplicates, the sandbox's interface preferred), hostile and
 * malformed results refused with a reason, error objects, versions and names. */
#include <errno.h>

#include "test.h"
#include "network/cni-result.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"

/* Parses text expecting success; returns the addresses joined with ' '. */
static char *ips_of(const char *text) {
        _cleanup_(crio_error_clear) CrioError err = {};
        _cleanup_strv_free_ char **ips = NULL;
        g_autoptr(JsonNode) result = NULL;
        if (cni_result_parse(text, strlen(text), &result, &ips, &err) < 0)
                test_fail(__FILE__, __LINE__, "parse: %s\n%s", err.msg, text);
        ASSERT_TRUE(result && JSON_NODE_HOLDS_OBJECT(result));
        return g_strjoinv(" ", ips);
}

#define ASSERT_IPS(text, want)                          \
        do {                                            \
                g_autofree char *_got = ips_of(text);   \
                ASSERT_EQ_STR(_got, want);              \
        } while (0)

/* Parses text expecting failure with code and a message containing needle; outputs untouched. */
#define ASSERT_RESULT_FAILS(text, len, code, needle)                                          \
        do {                                                                                  \
                _cleanup_(crio_error_clear) CrioError _e = {};                                \
                char **_ips = (char **) 0x1;                                                  \
                JsonNode *_res = (JsonNode *) 0x1;                                            \
                ASSERT_EQ_INT(cni_result_parse(text, len, &_res, &_ips, &_e), -(code));       \
                ASSERT_CONTAINS(_e.msg, needle);                                              \
                ASSERT_TRUE(_ips == (char **) 0x1 && _res == (JsonNode *) 0x1);               \
        } while (0)
#define ASSERT_FAILS(text, code, needle) ASSERT_RESULT_FAILS(text, strlen(text), code, needle)

TEST(bridge_result_1_0_0_gives_the_sandbox_address) {
        ASSERT_IPS("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cni0\",\"mac\":\"16:05:10:cb:ea:3d\"},"
                   "{\"name\":\"veth8f20d1ed\",\"mac\":\"66:f8:6c:be:e4:1b\"},"
                   "{\"name\":\"eth0\",\"mac\":\"ce:bf:c6:48:fd:5f\",\"sandbox\":\"/var/run/netns/x\"}],"
                   "\"ips\":[{\"interface\":2,\"address\":\"10.199.250.2/24\",\"gateway\":\"10.199.250.1\"}],"
                   "\"dns\":{}}",
                   "10.199.250.2");
}

TEST(result_0_3_1_with_versions) {
        ASSERT_IPS("{\"cniVersion\":\"0.3.1\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/proc/1/ns/net\"}],"
                   "\"ips\":[{\"version\":\"6\",\"interface\":0,\"address\":\"fd00::5/64\"},"
                   "{\"version\":\"4\",\"interface\":0,\"address\":\"10.1.2.3/16\",\"gateway\":\"10.1.0.1\"}],"
                   "\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{\"nameservers\":[\"10.1.0.1\"]}}",
                   "10.1.2.3 fd00::5");
        ASSERT_FAILS("{\"cniVersion\":\"0.3.0\",\"ips\":[{\"version\":\"4\",\"address\":\"fd00::5/64\"}]}", EINVAL,
                     "version \"4\" does not match fd00::5/64");
}

TEST(result_0_4_0_and_1_1_0) {
        ASSERT_IPS("{\"cniVersion\":\"0.4.0\",\"ips\":[{\"address\":\"192.168.9.9/24\"}]}", "192.168.9.9");
        ASSERT_IPS("{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"192.168.9.9/32\"}]}", "192.168.9.9");
}

TEST(legacy_0_2_0_ip4_ip6) {
        ASSERT_IPS("{\"cniVersion\":\"0.2.0\",\"ip6\":{\"ip\":\"fd00::7/64\"},\"ip4\":{\"ip\":\"10.0.0.7/8\","
                   "\"gateway\":\"10.0.0.1\"},\"dns\":{}}",
                   "10.0.0.7 fd00::7");
        ASSERT_FAILS("{\"cniVersion\":\"0.1.0\",\"ip4\":{\"ip\":\"fd00::7/64\"}}", EINVAL, "ip4");
}

TEST(ipv4_first_then_ipv6_each_once_in_canonical_form) {
        ASSERT_IPS("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"FD00:0::0001/64\"},{\"address\":\"10.0.0.2/8\"},"
                   "{\"address\":\"fd00::1/128\"},{\"address\":\"10.0.0.1/8\"},{\"address\":\"10.0.0.2/24\"}]}",
                   "10.0.0.2 10.0.0.1 fd00::1");
}

TEST(sandbox_interface_preferred) {
        /* an address on the host side and one on a second sandbox interface lose to eth0's */
        ASSERT_IPS("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br0\"},{\"name\":\"net1\",\"sandbox\":\"/x\"},"
                   "{\"name\":\"eth0\",\"sandbox\":\"/x\"}],\"ips\":[{\"interface\":0,\"address\":\"10.9.0.1/24\"},"
                   "{\"interface\":1,\"address\":\"10.8.0.5/24\"},{\"interface\":2,\"address\":\"10.7.0.5/24\"},"
                   "{\"address\":\"10.6.0.5/24\"}]}",
                   "10.7.0.5");
        /* no eth0: any interface in the sandbox */
        ASSERT_IPS("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br0\"},{\"name\":\"net1\",\"sandbox\":\"/x\"}],"
                   "\"ips\":[{\"interface\":0,\"address\":\"10.9.0.1/24\"},{\"interface\":1,\"address\":\"10.8.0.5/24\"}]}",
                   "10.8.0.5");
        /* no interface in the sandbox (or no indices): all of them */
        ASSERT_IPS("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br0\",\"sandbox\":\"\"}],"
                   "\"ips\":[{\"interface\":0,\"address\":\"10.9.0.1/24\"},{\"address\":\"10.8.0.5/24\"}]}",
                   "10.9.0.1 10.8.0.5");
}

TEST(no_addresses_is_an_empty_list) {
        ASSERT_IPS("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"lo\",\"sandbox\":\"/x\"}],\"dns\":{}}", "");
        ASSERT_IPS("{\"cniVersion\":\"1.0.0\",\"ips\":null}", "");
}

TEST(malformed_results_are_refused_with_a_reason) {
        ASSERT_FAILS("", EINVAL, "result is empty");
        ASSERT_FAILS("not json", EINVAL, "not valid JSON");
        ASSERT_FAILS("[1,2]", EINVAL, "not a JSON object");
        ASSERT_FAILS("{\"ips\":[]}", EINVAL, "no cniVersion");
        ASSERT_FAILS("{\"cniVersion\":\"9.9.9\"}", EINVAL, "unsupported cniVersion \"9.9.9\"");
        ASSERT_FAILS("{\"cniVersion\":100}", EINVAL, "\"cniVersion\" is not a string");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":{}}", EINVAL, "\"ips\" is not an array");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":[1]}", EINVAL, "ips[0] is not an object");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":[{}]}", EINVAL, "ips[0] has no address");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.1\"}]}", EINVAL, "invalid address");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.1/33\"}]}", EINVAL, "invalid address");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.256/8\"}]}", EINVAL, "invalid address");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"fd00::1/129\"}]}", EINVAL, "invalid address");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.1/-1\"}]}", EINVAL, "invalid address");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.1/8\",\"gateway\":\"fd00::1\"}]}", EINVAL,
                     "invalid gateway");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":0}]}", EINVAL,
                     "interface 0 is not in \"interfaces\"");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"a\"}],"
                     "\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":-1}]}",
                     EINVAL, "interface -1");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"a\"}],"
                     "\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":\"0\"}]}",
                     EINVAL, "\"interface\" is not an integer");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"mac\":\"x\"}]}", EINVAL, "interfaces[0] has no name");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":7}]}", EINVAL, "\"name\" is not a string");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"dns\":[]}", EINVAL, "\"dns\" is not an object");
        ASSERT_FAILS("{\"cniVersion\":\"1.0.0\",\"routes\":7}", EINVAL, "\"routes\" is not an array");
}

TEST(limits) {
        /* CNI_RESULT_MAX_IPS addresses pass, one more does not */
        GString *s = g_string_new("{\"cniVersion\":\"1.0.0\",\"ips\":[");
        for (int i = 0; i < CNI_RESULT_MAX_IPS; i++)
                g_string_append_printf(s, "%s{\"address\":\"10.0.%d.%d/8\"}", i ? "," : "", i / 200, i % 200 + 1);
        g_autofree char *ok = g_strdup_printf("%s]}", s->str);
        g_autofree char *got = ips_of(ok);
        size_t words = 1;
        for (const char *c = got; *c; c++)
                words += *c == ' ';
        ASSERT_EQ_INT(words, CNI_RESULT_MAX_IPS);
        g_string_append(s, ",{\"address\":\"10.1.0.1/8\"}]}");
        ASSERT_FAILS(s->str, EINVAL, "more than 64 \"ips\"");
        g_string_free(s, TRUE);

        /* nesting: refused before json-glib recurses */
        GString *deep = g_string_new("{\"cniVersion\":\"1.0.0\",\"x\":");
        for (int i = 0; i < 100000; i++)
                g_string_append_c(deep, '[');
        ASSERT_FAILS(deep->str, EINVAL, "nested more than 32 levels deep");
        g_string_free(deep, TRUE);
        /* brackets inside strings do not count */
        GString *str = g_string_new("{\"cniVersion\":\"1.0.0\",\"x\":\"");
        for (int i = 0; i < 1000; i++)
                g_string_append(str, "[{\\\"");
        g_string_append(str, "\"}");
        ASSERT_IPS(str->str, "");
        g_string_free(str, TRUE);

        /* size and NUL bytes */
        size_t big = CNI_MAX_RESULT_SIZE + 1;
        _cleanup_free_ char *huge = malloc(big);
        memset(huge, ' ', big);
        ASSERT_RESULT_FAILS(huge, big, EFBIG, "larger than");
        ASSERT_RESULT_FAILS("{\"cniVersion\":\"1.0.0\"}\0", 23, EINVAL, "NUL byte");

        /* a very long interface name */
        g_autofree char *longname = g_strdup_printf("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"%0100d\"}]}", 0);
        ASSERT_FAILS(longname, EINVAL, "longer than 64 bytes");
}

TEST(error_objects) {
#define ERR(text) cni_error_message(text, strlen(text))
        _cleanup_free_ char *m1 = ERR("{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"boom\",\"details\":\"x\"}");
        _cleanup_free_ char *m2 = ERR("{\"code\": 999, \"msg\": \"Required prevResult missing\"}");
        _cleanup_free_ char *m3 = ERR("{\"code\":11}");
        _cleanup_free_ char *m5 = NULL;
        ASSERT_EQ_STR(m1, "boom: x (code 7)");
        ASSERT_EQ_STR(m2, "Required prevResult missing (code 999)");
        ASSERT_EQ_STR(m3, "(no message) (code 11)");
        ASSERT_TRUE(ERR("{\"msg\":\"no code\"}") == NULL);
        ASSERT_TRUE(ERR("{\"code\":\"7\",\"msg\":\"x\"}") == NULL);
        ASSERT_TRUE(ERR("plain text") == NULL);
        ASSERT_TRUE(ERR("") == NULL);
        /* a long message is cut, at a character boundary */
        GString *s = g_string_new("{\"code\":1,\"msg\":\"");
        for (int i = 0; i < CNI_ERROR_MAX_MESSAGE; i++)
                g_string_append(s, "\xc3\xa9");
        g_string_append(s, "\"}");
        m5 = cni_error_message(s->str, s->len);
        ASSERT_TRUE(m5 && strlen(m5) <= CNI_ERROR_MAX_MESSAGE + 16);
        ASSERT_TRUE(g_utf8_validate(m5, -1, NULL));
        g_string_free(s, TRUE);
}

TEST(versions) {
        ASSERT_TRUE(cni_version_at_least("0.4.0", 0, 4, 0));
        ASSERT_TRUE(cni_version_at_least("1.0.0", 0, 4, 0));
        ASSERT_TRUE(cni_version_at_least("0.10.0", 0, 4, 0));
        ASSERT_TRUE(!cni_version_at_least("0.3.1", 0, 4, 0));
        ASSERT_TRUE(!cni_version_at_least("0.3", 0, 3, 0));
        ASSERT_TRUE(!cni_version_at_least("1.0.0-rc1", 0, 3, 0));
        ASSERT_TRUE(!cni_version_at_least("", 0, 0, 0));
        ASSERT_TRUE(!cni_version_at_least(NULL, 0, 0, 0));
}

TEST(names) {
        ASSERT_TRUE(cni_name_valid("crio"));
        ASSERT_TRUE(cni_name_valid("0123abcdef"));
        ASSERT_TRUE(cni_name_valid("my_net.v1-2"));
        ASSERT_TRUE(!cni_name_valid(""));
        ASSERT_TRUE(!cni_name_valid(NULL));
        ASSERT_TRUE(!cni_name_valid("-x"));
        ASSERT_TRUE(!cni_name_valid(".."));
        ASSERT_TRUE(!cni_name_valid("a/b"));
        ASSERT_TRUE(!cni_name_valid("a b"));
}

int main(void) {
        return test_main();
}
