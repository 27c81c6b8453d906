/* CNI configuration: parsing (.conf made into a list, .conflist, .json), every refusal with its
 * message, capabilities, loading a directory (lexical order, the default network, invalid files
 * and missing plugins skipped), cni_status, and the inotify watch picking up changes. */
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>
#include <time.h>

#include "test.h"
#include "test-tmp.h"
#include "network/cni-private.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strv.h"

#define BRIDGE_CONF "{\"cniVersion\":\"0.4.0\",\"name\":\"net1\",\"type\":\"bridge\",\"bridge\":\"cni0\",\"ipam\":{\"type\":\"host-local\"}}"
#define LIST(name, type) "{\"cniVersion\":\"1.0.0\",\"name\":\"" name "\",\"plugins\":[{\"type\":\"" type "\"}]}"

static CniNetwork *parse_ok(const char *text, bool is_list) {
        CniNetwork *n = NULL;
        CrioError err = {};
        if (cni_network_parse("/etc/cni/net.d/t.conf", text, strlen(text), is_list, &n, &err) < 0)
                test_fail(__FILE__, __LINE__, "cni_network_parse: %s", err.msg);
        ASSERT_TRUE(n != NULL && n->refs == 1 && n->n_plugins >= 1);
        return n;
}

static char *parse_bad(const char *text, bool is_list) {
        CniNetwork *n = NULL;
        CrioError err = {};
        int r = cni_network_parse("/etc/cni/net.d/bad.conf", text, strlen(text), is_list, &n, &err);
        if (r >= 0)
                test_fail(__FILE__, __LINE__, "accepted: %s", text);
        ASSERT_EQ_INT(r, -EINVAL);
        ASSERT_TRUE(n == NULL && err.msg != NULL);
        static char msg[1024];
        snprintf(msg, sizeof msg, "%s", err.msg);
        crio_error_clear(&err);
        ASSERT_TRUE(str_startswith(msg, "/etc/cni/net.d/bad.conf: "));
        return msg;
}

static const char *member_string(JsonObject *o, const char *name) {
        return json_object_has_member(o, name) ? json_object_get_string_member(o, name) : NULL;
}

TEST(conf_becomes_a_list_of_one) {
        _cleanup_(cni_network_unrefp) CniNetwork *n = parse_ok(" \n" BRIDGE_CONF "\n", false);
        ASSERT_EQ_STR(n->name, "net1");
        ASSERT_EQ_STR(n->cni_version, "0.4.0");
        ASSERT_EQ_STR(n->file, "/etc/cni/net.d/t.conf");
        ASSERT_EQ_INT(n->n_plugins, 1);
        ASSERT_EQ_STR(n->plugins[0].type, "bridge");
        ASSERT_EQ_STR(member_string(n->plugins[0].conf, "bridge"), "cni0");
        ASSERT_TRUE(n->plugins[0].caps == NULL && !n->disable_check);
        ASSERT_EQ_STR(member_string(n->list, "name"), "net1");

        /* bytes: the list form, which parses back as a list holding the plugin as it was */
        ASSERT_EQ_INT(strlen(n->bytes), n->len);
        _cleanup_(cni_network_unrefp) CniNetwork *again = parse_ok(n->bytes, true);
        ASSERT_EQ_STR(again->name, "net1");
        ASSERT_EQ_STR(again->cni_version, "0.4.0");
        ASSERT_EQ_INT(again->n_plugins, 1);
        JsonObject *p = again->plugins[0].conf;
        ASSERT_EQ_STR(member_string(p, "type"), "bridge");
        ASSERT_EQ_STR(member_string(p, "bridge"), "cni0");
        ASSERT_EQ_STR(member_string(p, "name"), "net1");
        ASSERT_EQ_STR(member_string(p, "cniVersion"), "0.4.0");
        ASSERT_EQ_STR(member_string(json_object_get_object_member(p, "ipam"), "type"), "host-local");
        ASSERT_EQ_INT(json_object_get_size(again->list), 3); /* cniVersion, name, plugins */
        /* the plugin's own text, numbers as written */
        ASSERT_EQ_STR(n->bytes, "{\"cniVersion\":\"0.4.0\",\"name\":\"net1\",\"plugins\":[" BRIDGE_CONF "]}");
        _cleanup_(cni_network_unrefp) CniNetwork *num = parse_ok("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"x\",\"r\":1.50e20}", false);
        ASSERT_CONTAINS(num->bytes, "\"r\":1.50e20}]}");
}

TEST(conflist_with_capabilities) {
        const char *text = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"disableCheck\":true,\"plugins\":["
                           "{\"type\":\"bridge\",\"capabilities\":{\"ips\":false}},"
                           "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":false,\"ipRanges\":true}},"
                           "{\"type\":\"tuning\",\"capabilities\":{}}]}";
        _cleanup_(cni_network_unrefp) CniNetwork *n = parse_ok(text, true);
        ASSERT_EQ_STR(n->name, "k8s-pod-network");
        ASSERT_EQ_STR(n->cni_version, "1.0.0");
        ASSERT_TRUE(n->disable_check);
        ASSERT_EQ_INT(n->n_plugins, 3);
        ASSERT_EQ_STR(n->plugins[1].type, "portmap");
        ASSERT_EQ_STR(n->plugins[2].type, "tuning");
        ASSERT_TRUE(n->plugins[0].caps == NULL && n->plugins[2].caps == NULL);
        ASSERT_EQ_INT(strv_length(n->plugins[1].caps), 2);
        ASSERT_TRUE(strv_contains(n->plugins[1].caps, "portMappings") && strv_contains(n->plugins[1].caps, "ipRanges"));
        /* a list's bytes are the file's own */
        ASSERT_EQ_INT(n->len, strlen(text));
        ASSERT_TRUE(memcmp(n->bytes, text, n->len) == 0);
}

TEST(json_file_either_form) {
        _cleanup_(cni_network_unrefp) CniNetwork *list = parse_ok(LIST("l", "bridge"), false);
        ASSERT_EQ_STR(list->name, "l");
        ASSERT_EQ_STR(list->plugins[0].type, "bridge");
        ASSERT_EQ_STR(list->bytes, LIST("l", "bridge"));
        _cleanup_(cni_network_unrefp) CniNetwork *conf = parse_ok(BRIDGE_CONF, false);
        ASSERT_TRUE(json_object_has_member(conf->list, "plugins"));
        /* a .conflist without "plugins" is not taken for a .conf */
        ASSERT_CONTAINS(parse_bad(BRIDGE_CONF, true), "no \"plugins\"");
}

TEST(versions_and_disable_check) {
        static const char *const ok[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0" };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                char text[256];
                snprintf(text, sizeof text, "{\"cniVersion\":\"%s\",\"name\":\"n\",\"type\":\"x\"}", ok[i]);
                _cleanup_(cni_network_unrefp) CniNetwork *n = parse_ok(text, false);
                ASSERT_EQ_STR(n->cni_version, ok[i]);
        }
        /* cniVersions (1.1.0): the newest we speak */
        _cleanup_(cni_network_unrefp) CniNetwork *v = parse_ok(
                "{\"cniVersion\":\"1.1.0\",\"cniVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"],\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}]}", true);
        ASSERT_EQ_STR(v->cni_version, "1.0.0");
        /* disableCheck as libcni reads it: a boolean or the strings true/false */
        _cleanup_(cni_network_unrefp) CniNetwork *d = parse_ok(
                "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"disableCheck\":\"TRUE\",\"plugins\":[{\"type\":\"x\"}]}", true);
        ASSERT_TRUE(d->disable_check);
        _cleanup_(cni_network_unrefp) CniNetwork *f = parse_ok(
                "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"disableCheck\":\"false\",\"plugins\":[{\"type\":\"x\"}]}", true);
        ASSERT_TRUE(!f->disable_check);
        /* names as libcni accepts them */
        _cleanup_(cni_network_unrefp) CniNetwork *nm = parse_ok("{\"cniVersion\":\"0.4.0\",\"name\":\"0a_b.c-D\",\"type\":\"x\"}", false);
        ASSERT_EQ_STR(nm->name, "0a_b.c-D");
}

TEST(refusals_say_why) {
        static const struct {
                bool is_list;
                const char *text, *msg;
        } cases[] = {
                { false, "", "empty document" },
                { false, "[1]", "not a JSON object" },
                { false, "{\"name\":\"n\"", "line 1 column" },
                { false, "{\"name\":\"n\", /* c */ \"type\":\"x\"}", "line 1 column 14: expected a string key" },
                { false, "{'name':'n'}", "expected a string key" },
                { false, "{\"cniVersion\":\"0.4.0\",\"type\":\"x\"}", "no network name" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"\",\"type\":\"x\"}", "no network name" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":7,\"type\":\"x\"}", "\"name\" is not a string" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"-n\",\"type\":\"x\"}", "invalid network name \"-n\"" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"a b\",\"type\":\"x\"}", "invalid network name \"a b\"" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"a/b\",\"type\":\"x\"}", "invalid network name" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"a\\nb\",\"type\":\"x\"}", "invalid network name \"a?b\"" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"a\\u0000b\",\"type\":\"x\"}", "NUL" },
                { false, "{\"name\":\"n\",\"type\":\"x\"}", "no \"cniVersion\" (it would mean 0.1.0; supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0)" },
                { false, "{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"x\"}", "CNI version \"0.2.0\" is not supported" },
                { false, "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"x\"}", "CNI version \"1.1.0\" is not supported" },
                { false, "{\"cniVersion\":1,\"name\":\"n\",\"type\":\"x\"}", "\"cniVersion\" is not a string" },
                { false, "{\"cniVersion\":\"9\",\"cniVersions\":[\"2.0.0\"],\"name\":\"n\",\"type\":\"x\"}", "none of the CNI versions" },
                { false, "{\"cniVersion\":\"0.4.0\",\"cniVersions\":\"1.0.0\",\"name\":\"n\",\"type\":\"x\"}", "\"cniVersions\" is not an array" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\"}", "no plugin \"type\"" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"\"}", "no plugin \"type\"" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":5}", "\"type\" is not a string" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"../../bin/sh\"}", "plugin type \"../../bin/sh\" is not a file name" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\".\"}", "is not a file name" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"..\"}", "is not a file name" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"x\",\"capabilities\":[\"a\"]}", "\"capabilities\" is not an object" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"x\",\"capabilities\":{\"a\":1}}", "capability \"a\" is not true or false" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\"}", "no \"plugins\"" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":{}}", "\"plugins\" is not an array" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[]}", "no plugins in \"plugins\"" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[1]}", "plugins[0]: not an object" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"a\"},{}]}", "plugins[1]: no plugin \"type\"" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"a/b\"}]}", "plugins[0]: plugin type \"a/b\" is not a file name" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"a\",\"capabilities\":{\"x\":\"yes\"}}]}", "plugins[0]: capability \"x\"" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"disableCheck\":1,\"plugins\":[{\"type\":\"a\"}]}", "\"disableCheck\" is not true or false" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"disableCheck\":\"yes\",\"plugins\":[{\"type\":\"a\"}]}", "\"disableCheck\" is not true or false" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"mtu\":99999999999999999999,\"plugins\":[{\"type\":\"a\"}]}", "integer out of range" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"x\":1e999,\"plugins\":[{\"type\":\"a\"}]}", "number out of range" },
                { false, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"x\",\"rate\":[0.5e21]}", "the number 5e+20 cannot be passed on to a plugin as valid JSON" },
                { true, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"x\":0x10,\"plugins\":[{\"type\":\"a\"}]}", "invalid number" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *msg = parse_bad(cases[i].text, cases[i].is_list);
                if (!strstr(msg, cases[i].msg))
                        test_fail(__FILE__, __LINE__, "%s: \"%s\" does not say \"%s\"", cases[i].text, msg, cases[i].msg);
        }
}

TEST(limits) {
        /* a name one byte too long, and one just right */
        char name[200];
        memset(name, 'a', sizeof name);
        char text[512];
        snprintf(text, sizeof text, "{\"cniVersion\":\"0.4.0\",\"name\":\"%.129s\",\"type\":\"x\"}", name);
        ASSERT_CONTAINS(parse_bad(text, false), "network name longer than 128 bytes");
        snprintf(text, sizeof text, "{\"cniVersion\":\"0.4.0\",\"name\":\"%.128s\",\"type\":\"x\"}", name);
        cni_network_unref(parse_ok(text, false));

        /* CNI_MAX_PLUGINS plugins, then one more */
        char big[8192] = "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}";
        for (int i = 1; i < CNI_MAX_PLUGINS; i++)
                strcat(big, ",{\"type\":\"x\"}");
        strcat(big, "]}");
        _cleanup_(cni_network_unrefp) CniNetwork *n = parse_ok(big, true);
        ASSERT_EQ_INT(n->n_plugins, CNI_MAX_PLUGINS);
        big[strlen(big) - 2] = '\0';
        strcat(big, ",{\"type\":\"x\"}]}");
        ASSERT_CONTAINS(parse_bad(big, true), "more than 64 plugins");

        /* nesting, and the size of a file */
        char deep[256];
        snprintf(deep, sizeof deep, "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"x\",\"d\":%.40s1%.40s}",
                 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
        ASSERT_CONTAINS(parse_bad(deep, false), "nested more than 32 levels deep");
        size_t len = CNI_MAX_CONFIG_SIZE + 1;
        _cleanup_free_ char *huge = malloc(len + 1);
        memset(huge, ' ', len);
        huge[len] = '\0';
        ASSERT_CONTAINS(parse_bad(huge, false), "larger than 1048576 bytes");
}

TEST(file_less_message_and_refs) {
        CniNetwork *n = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        ASSERT_EQ_INT(cni_network_parse(NULL, "{}", 2, true, &n, &err), -EINVAL);
        ASSERT_EQ_STR(err.msg, "CNI configuration: no network name");
        n = parse_ok(BRIDGE_CONF, false);
        ASSERT_TRUE(cni_network_ref(n) == n);
        ASSERT_EQ_INT(n->refs, 2);
        cni_network_unref(n);
        ASSERT_EQ_INT(n->refs, 1);
        cni_network_unref(n);
        cni_network_unref(NULL);
        ASSERT_TRUE(cni_network_ref(NULL) == NULL);
}

/* ---- directories ---- */

/* A formatted path (a ring of 16: each stays valid for 15 more calls). */
static const char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *pathf(const char *fmt, ...) {
        static char *ring[16];
        static unsigned next;
        char **slot = &ring[next++ % 16];
        free(*slot);
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(slot, fmt, ap) < 0)
                test_fail(__FILE__, __LINE__, "out of memory");
        va_end(ap);
        return *slot;
}

static void write_text(const char *path, const char *text, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                test_fail(__FILE__, __LINE__, "open %s: %s", path, strerror(errno));
        ASSERT_EQ_INT(write(fd, text, strlen(text)), strlen(text));
        close(fd);
        ASSERT_OK(chmod(path, mode)); /* whatever the umask */
}

/* A test directory with net.d/ and bin/ holding the plugins named (executables). */
static const char *setup(char *const *plugins) {
        const char *d = test_tmp_dir();
        ASSERT_OK(mkdir(pathf("%s/net.d", d), 0755));
        ASSERT_OK(mkdir(pathf("%s/bin", d), 0755));
        for (char *const *t = plugins; t && *t; t++)
                write_text(pathf("%s/bin/%s", d, *t), "#!/bin/sh\n", 0755);
        return d;
}

static void put(const char *d, const char *name, const char *text) {
        write_text(pathf("%s/net.d/%s", d, name), text, 0644);
}

static Cni *open_cni(const char *d, const char *default_network) {
        char *dirs[] = { (char *) pathf("%s/bin", d), NULL };
        CniOptions o = { .network_dir = pathf("%s/net.d", d), .plugin_dirs = dirs, .default_network = default_network };
        Cni *c = NULL;
        _cleanup_(crio_error_clear) CrioError err = {};
        if (cni_new(&o, &c, &err) < 0)
                test_fail(__FILE__, __LINE__, "cni_new: %s", err.msg);
        return c;
}

/* cni_status: its result, and the network's name or the message (until the next call). */
static int status(Cni *c, const char **text) {
        _cleanup_free_ char *name = NULL, *message = NULL;
        int r = cni_status(c, &name, &message);
        ASSERT_TRUE(r == 0 || r == 1);
        ASSERT_TRUE(r == 1 ? name && !message : message && !name);
        if (text)
                *text = pathf("%s", r == 1 ? name : message);
        return r;
}

TEST(defaults_of_cni_new) {
        /* not started on the host's directories: only the copies are looked at */
        CniOptions o = { .network_dir = "/nonexistent/crio-test/net.d" };
        Cni *c = NULL;
        ASSERT_OK(cni_new(&o, &c, NULL));
        ASSERT_EQ_STR(c->network_dir, "/nonexistent/crio-test/net.d");
        ASSERT_EQ_INT(strv_length(c->plugin_dirs), 2);
        ASSERT_EQ_STR(c->plugin_dirs[0], "/opt/cni/bin");
        ASSERT_EQ_STR(c->plugin_dirs[1], "/usr/lib/cni");
        ASSERT_EQ_STR(c->cache_dir, "/var/lib/cni");
        ASSERT_TRUE(c->default_network == NULL);
        ASSERT_EQ_INT(c->timeout_ms, CNI_DEFAULT_TIMEOUT_MS);
        ASSERT_TRUE(c->watching);
        const char *msg;
        ASSERT_EQ_INT(status(c, &msg), 0);
        ASSERT_EQ_STR(msg, "no CNI configuration file in /nonexistent/crio-test/net.d");
        ASSERT_TRUE(cni_current_network(c) == NULL);
        cni_free(c);
        cni_free(NULL);
}

TEST(lexical_order_and_default_network) {
        const char *d = setup((char *[]){ "bridge", "portmap", NULL });
        put(d, "5-a.conf", "{\"cniVersion\":\"0.4.0\",\"name\":\"a\",\"type\":\"bridge\"}");
        put(d, "10-b.conflist", LIST("b", "portmap"));
        put(d, "20-c.json", LIST("c", "bridge"));
        put(d, "README", "not a configuration");

        Cni *c = open_cni(d, NULL);
        const char *text;
        ASSERT_EQ_INT(status(c, &text), 1);
        ASSERT_EQ_STR(text, "b"); /* "10-b.conflist" < "20-c.json" < "5-a.conf" */
        CniNetwork *n = cni_current_network(c);
        ASSERT_TRUE(n && n->refs == 2);
        ASSERT_EQ_STR(n->file, pathf("%s/net.d/10-b.conflist", d));
        cni_network_unref(n);
        cni_free(c);

        c = open_cni(d, "a");
        ASSERT_EQ_INT(status(c, &text), 1);
        ASSERT_EQ_STR(text, "a");
        n = cni_current_network(c);
        ASSERT_EQ_INT(n->n_plugins, 1);
        ASSERT_EQ_STR(n->plugins[0].type, "bridge");
        cni_network_unref(n);
        cni_free(c);

        c = open_cni(d, "zzz");
        ASSERT_EQ_INT(status(c, &text), 0);
        ASSERT_EQ_STR(text, pathf("no usable CNI configuration for network \"zzz\" in %s/net.d", d));
        cni_free(c);
}

/* Removes net.d/name, and returns the status message of a new Cni on d (there is no network). */
static const char *message_without(const char *d, const char *name) {
        ASSERT_OK(unlink(pathf("%s/net.d/%s", d, name)));
        Cni *c = open_cni(d, NULL);
        const char *text;
        ASSERT_EQ_INT(status(c, &text), 0);
        cni_free(c);
        return text;
}

TEST(invalid_files_and_missing_plugins_are_skipped) {
        const char *d = setup((char *[]){ "bridge", NULL });
        put(d, "01-bad.conf", "{\"cniVersion\":\"0.4.0\"");
        put(d, "02-old.conf", "{\"cniVersion\":\"0.2.0\",\"name\":\"old\",\"type\":\"bridge\"}");
        put(d, "03-missing.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"m\",\"plugins\":[{\"type\":\"bridge\"},{\"type\":\"flannel\"}]}");
        ASSERT_OK(mkdir(pathf("%s/net.d/04-dir.conf", d), 0755));
        ASSERT_OK(mkfifo(pathf("%s/net.d/05-fifo.conf", d), 0644));
        put(d, "06-good.conflist", LIST("good", "bridge"));

        Cni *c = open_cni(d, NULL);
        const char *text;
        ASSERT_EQ_INT(status(c, &text), 1);
        ASSERT_EQ_STR(text, "good");
        cni_free(c);

        /* each removed in turn: the last problem is in the message (the FIFO did not block) */
        ASSERT_EQ_STR(message_without(d, "06-good.conflist"),
                      pathf("no usable CNI configuration in %s/net.d: %s/net.d/05-fifo.conf: not a regular file", d, d));
        ASSERT_EQ_STR(message_without(d, "05-fifo.conf"),
                      pathf("no usable CNI configuration in %s/net.d: %s/net.d/03-missing.conflist: plugin \"flannel\" "
                            "not found in the plugin directories (%s/bin)", d, d, d));
        ASSERT_CONTAINS(message_without(d, "03-missing.conflist"), "/02-old.conf: CNI version \"0.2.0\" is not supported");
        ASSERT_CONTAINS(message_without(d, "02-old.conf"), "/01-bad.conf: line 1 column 22: expected ',' or '}' in an object");
}

TEST(plugin_find) {
        const char *d = setup((char *[]){ "bridge", NULL });
        const char *bin = pathf("%s/bin", d), *other = pathf("%s/other/", d);
        ASSERT_OK(mkdir(other, 0755));
        write_text(pathf("%s/noexec", bin), "", 0644);
        ASSERT_OK(mkdir(pathf("%sdir", other), 0755));
        write_text(pathf("%sloopback", other), "", 0755);
        char *dirs[] = { (char *) bin, (char *) other, NULL };
        _cleanup_free_ char *exe = NULL, *exe2 = NULL;
        ASSERT_OK(cni_plugin_find(dirs, "bridge", &exe));
        ASSERT_EQ_STR(exe, pathf("%s/bridge", bin));
        ASSERT_OK(cni_plugin_find(dirs, "loopback", &exe2));
        ASSERT_EQ_STR(exe2, pathf("%sloopback", other));
        char *none = NULL;
        ASSERT_EQ_INT(cni_plugin_find(dirs, "noexec", &none), -ENOENT);
        ASSERT_EQ_INT(cni_plugin_find(dirs, "dir", &none), -ENOENT);
        ASSERT_EQ_INT(cni_plugin_find(dirs, "missing", &none), -ENOENT);
        ASSERT_EQ_INT(cni_plugin_find(dirs, "../bin/bridge", &none), -ENOENT);
        ASSERT_EQ_INT(cni_plugin_find(dirs, "..", &none), -ENOENT);
        ASSERT_EQ_INT(cni_plugin_find(dirs, "", &none), -ENOENT);
        ASSERT_EQ_INT(cni_plugin_find(NULL, "bridge", &none), -ENOENT);
        ASSERT_TRUE(none == NULL);
}

/* ---- the watch ---- */

/* Waits up to 2 s for cni_status to return want. */
static bool status_becomes(Cni *c, int want) {
        for (int i = 0; i < 200; i++) {
                if (status(c, NULL) == want)
                        return true;
                nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
        return false;
}

TEST(watch_sees_files_come_and_go) {
        const char *d = setup((char *[]){ "bridge", NULL });
        Cni *c = open_cni(d, NULL);
        ASSERT_EQ_INT(status(c, NULL), 0);

        /* written to a temporary name, then renamed into place */
        const char *tmp = pathf("%s/net.d/.10-net.tmp", d), *final = pathf("%s/net.d/10-net.conflist", d);
        write_text(tmp, LIST("net", "bridge"), 0644);
        ASSERT_OK(rename(tmp, final));
        ASSERT_TRUE(status_becomes(c, 1));
        ASSERT_OK(unlink(final));
        ASSERT_TRUE(status_becomes(c, 0));

        /* written in place */
        put(d, "20-net.conf", "{\"cniVersion\":\"0.4.0\",\"name\":\"net2\",\"type\":\"bridge\"}");
        ASSERT_TRUE(status_becomes(c, 1));
        const char *text;
        status(c, &text);
        ASSERT_EQ_STR(text, "net2");
        /* replaced by an invalid one */
        put(d, "20-net.conf", "{\"cniVersion\":\"0.4.0\",\"name\":\"net2\"}");
        ASSERT_TRUE(status_becomes(c, 0));
        status(c, &text);
        ASSERT_CONTAINS(text, "20-net.conf: no plugin \"type\"");
        cni_free(c);
}

TEST(watch_network_dir_created_later) {
        const char *d = setup((char *[]){ "bridge", NULL });
        const char *net = pathf("%s/a/b/net.d", d);
        char *dirs[] = { (char *) pathf("%s/bin", d), NULL };
        CniOptions o = { .network_dir = net, .plugin_dirs = dirs };
        Cni *c = NULL;
        ASSERT_OK(cni_new(&o, &c, NULL));
        ASSERT_EQ_INT(status(c, NULL), 0);

        ASSERT_OK(mkdir(pathf("%s/a", d), 0755));
        ASSERT_OK(mkdir(pathf("%s/a/b", d), 0755));
        ASSERT_OK(mkdir(net, 0755));
        write_text(pathf("%s/10-net.conflist", net), LIST("net", "bridge"), 0644);
        ASSERT_TRUE(status_becomes(c, 1));

        /* the directory goes away, and comes back */
        ASSERT_OK(unlink(pathf("%s/10-net.conflist", net)));
        ASSERT_OK(rmdir(net));
        ASSERT_TRUE(status_becomes(c, 0));
        ASSERT_OK(mkdir(net, 0755));
        write_text(pathf("%s/10-net.conflist", net), LIST("net", "bridge"), 0644);
        ASSERT_TRUE(status_becomes(c, 1));
        cni_free(c);
}

TEST(watch_plugin_installed_later) {
        const char *d = setup(NULL);
        put(d, "10-net.conflist", LIST("net", "bridge"));
        Cni *c = open_cni(d, NULL);
        const char *text;
        ASSERT_EQ_INT(status(c, &text), 0);
        ASSERT_CONTAINS(text, "plugin \"bridge\" not found");

        /* touch, then chmod +x */
        const char *plugin = pathf("%s/bin/bridge", d);
        write_text(plugin, "", 0644);
        nanosleep(&(struct timespec){ .tv_nsec = 300 * 1000 * 1000 }, NULL);
        ASSERT_EQ_INT(status(c, NULL), 0);
        ASSERT_OK(chmod(plugin, 0755));
        ASSERT_TRUE(status_becomes(c, 1));
        cni_free(c);

        /* a plugin directory that does not exist yet */
        const char *later = pathf("%s/later/bin", d);
        char *dirs[] = { (char *) later, NULL };
        CniOptions o = { .network_dir = pathf("%s/net.d", d), .plugin_dirs = dirs };
        ASSERT_OK(cni_new(&o, &c, NULL));
        ASSERT_EQ_INT(status(c, NULL), 0);
        ASSERT_OK(mkdir(pathf("%s/later", d), 0755));
        ASSERT_OK(mkdir(later, 0755));
        write_text(pathf("%s/bridge", later), "", 0755);
        ASSERT_TRUE(status_becomes(c, 1));
        cni_free(c);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-cni-XXXXXX");
}
