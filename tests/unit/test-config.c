/* The configuration model: defaults, files and drop-ins, messages, flags, printing, reload.
 * Run from the repository root (tests/run does): one test reads contrib/crio.conf. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include "test.h"
#include "test-tmp.h"
#include "config/config.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"

#define _cleanup_config_ _cleanup_(config_freep)


static CrioConfig *defaults(void) {
        CrioConfig *c = NULL;
        CrioError err = {};
        if (config_new_default(&c, &err) < 0)
                test_fail(__FILE__, __LINE__, "config_new_default: %s", err.msg);
        return c;
}

/* Applies text as a file over the defaults; fails the test on error. */
static CrioConfig *load_text(const char *text, char ***warnings) {
        CrioConfig *c = defaults();
        CrioError err = {};
        if (config_apply_file(c, test_tmp_write("t.conf", text), warnings, &err) < 0)
                test_fail(__FILE__, __LINE__, "config_apply_file: %s", err.msg);
        return c;
}

/* Applies text expecting an error; returns the message (caller frees) and checks cfg is unchanged. */
static char *load_error(const char *text, const char **ret_path) {
        _cleanup_config_ CrioConfig *c = defaults(), *d = defaults();
        CrioError err = {};
        const char *p = test_tmp_write("bad.conf", text);
        if (ret_path)
                *ret_path = p;
        int r = config_apply_file(c, p, NULL, &err);
        if (r >= 0)
                test_fail(__FILE__, __LINE__, "config_apply_file accepted:\n%s", text);
        ASSERT_TRUE(config_equal(c, d)); /* a bad file changes nothing */
        ASSERT_TRUE(err.msg != NULL);
        return err.msg;
}

static char *expect_msg(const char *fmt, const char *path) {
        char *m = NULL;
        ASSERT_TRUE(asprintf(&m, fmt, path) > 0);
        return m;
}

TEST(defaults_are_valid) {
        _cleanup_config_ CrioConfig *c = defaults();
        CrioError err = {};
        ASSERT_OK(config_validate(c, &err));
        ASSERT_EQ_STR(c->root, "/var/lib/containers/storage");
        ASSERT_EQ_STR(c->runroot, "/var/run/containers/storage");
        ASSERT_EQ_STR(c->storage_driver, "overlay");
        ASSERT_EQ_STR(c->listen, "/var/run/crio/crio.sock");
        ASSERT_EQ_STR(c->stream_port, "0");
        ASSERT_EQ_STR(c->stream_idle_timeout, "");
        ASSERT_EQ_INT(c->grpc_max_send_msg_size, 16777216);
        ASSERT_EQ_INT(c->grpc_max_recv_msg_size, 16777216);
        ASSERT_EQ_STR(c->default_runtime, "runc");
        ASSERT_EQ_INT(c->n_runtimes, 1);
        const CrioRuntimeHandler *h = config_find_runtime(c, "runc");
        ASSERT_TRUE(h != NULL);
        ASSERT_EQ_STR(h->runtime_path, "");
        ASSERT_EQ_STR(h->runtime_type, "oci");
        ASSERT_EQ_STR(h->runtime_root, "/run/runc");
        ASSERT_EQ_INT(strv_length(h->allowed_annotations), 0);
        ASSERT_EQ_STR(c->conmon, CRIO_LIBEXECDIR "/crio/conmon");
        ASSERT_EQ_STR(c->conmon_cgroup, "pod");
        ASSERT_EQ_INT(strv_length(c->conmon_env), 1);
        struct stat st;
        bool systemd = lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
        ASSERT_EQ_STR(c->cgroup_manager, systemd ? "systemd" : "cgroupfs");
        ASSERT_EQ_STR(c->apparmor_profile, "crio-default");
        ASSERT_EQ_INT(strv_length(c->default_capabilities), 9);
        ASSERT_EQ_STR(c->default_capabilities[8], "KILL");
        ASSERT_EQ_INT(c->pids_limit, 0);
        ASSERT_EQ_INT(c->log_size_max, -1);
        ASSERT_EQ_INT(c->ctr_stop_timeout, 30);
        ASSERT_EQ_STR(c->log_level, "info");
        ASSERT_TRUE(c->drop_infra_ctr);
        ASSERT_TRUE(!c->selinux && !c->read_only && !c->enable_metrics && !c->stream_enable_tls);
        ASSERT_EQ_STR(c->hooks_dir[0], "/usr/share/containers/oci/hooks.d");
        ASSERT_EQ_STR(c->default_transport, "docker://");
        ASSERT_EQ_STR(c->pause_image, "");
        ASSERT_EQ_STR(c->pause_command, "/pause");
        ASSERT_EQ_STR(c->image_volumes, "mkdir");
        ASSERT_EQ_STR(c->network_dir, "/etc/cni/net.d/");
        ASSERT_EQ_INT(strv_length(c->plugin_dirs), 2);
        ASSERT_EQ_STR(c->plugin_dirs[1], "/usr/lib/cni/");
        ASSERT_EQ_INT(c->metrics_port, 9090);

        _cleanup_config_ CrioConfig *d = config_dup(c);
        ASSERT_TRUE(d != NULL);
        ASSERT_TRUE(config_equal(c, d));
        free(d->log_level);
        d->log_level = strdup("debug");
        ASSERT_TRUE(!config_equal(c, d));
}

TEST(file_overrides_defaults) {
        test_tmp_dir();
        _cleanup_strv_free_ char **w = NULL;
        _cleanup_config_ CrioConfig *c = load_text("# a comment\n"
                                                   "[crio]\n"
                                                   "root = \"/srv/storage\"\n"
                                                   "storage_option = [\"overlay.mountopt=nodev\"]\n"
                                                   "[crio.api]\n"
                                                   "grpc_max_recv_msg_size = 1024\n"
                                                   "stream_port = \"10010\"\n"
                                                   "[crio.runtime]\n"
                                                   "log_level = \"debug\"\n"
                                                   "selinux = true\n"
                                                   "default_ulimits = [\"nofile=1024:2048\"]\n"
                                                   "[crio.image]\n"
                                                   "registries = [\"quay.io\", \"docker.io\"]\n"
                                                   "[crio.network]\n"
                                                   "plugin_dirs = []\n"
                                                   "[crio.metrics]\n"
                                                   "enable_metrics = true\n"
                                                   "metrics_port = 9537\n",
                                                   &w);
        ASSERT_TRUE(w == NULL);
        ASSERT_EQ_STR(c->root, "/srv/storage");
        ASSERT_EQ_STR(c->storage_option[0], "overlay.mountopt=nodev");
        ASSERT_EQ_INT(c->grpc_max_recv_msg_size, 1024);
        ASSERT_EQ_INT(c->grpc_max_send_msg_size, 16777216);
        ASSERT_EQ_STR(c->stream_port, "10010");
        ASSERT_EQ_STR(c->log_level, "debug");
        ASSERT_TRUE(c->selinux);
        ASSERT_EQ_STR(c->default_ulimits[0], "nofile=1024:2048");
        ASSERT_EQ_INT(strv_length(c->registries), 2);
        ASSERT_EQ_INT(strv_length(c->plugin_dirs), 0);
        ASSERT_TRUE(c->enable_metrics);
        ASSERT_EQ_INT(c->metrics_port, 9537);
        ASSERT_EQ_STR(c->runroot, "/var/run/containers/storage"); /* untouched */

        /* Dotted keys and inline tables are the same tables. */
        _cleanup_config_ CrioConfig *d = load_text("[crio]\n"
                                                   "api.listen = \"/x.sock\"\n"
                                                   "runtime = { log_level = \"warn\" }\n",
                                                   NULL);
        ASSERT_EQ_STR(d->listen, "/x.sock");
        ASSERT_EQ_STR(d->log_level, "warn");
}

TEST(dropins_apply_in_lexical_order) {
        const char *dir = test_tmp_dir();
        char sub[256], outside[256], link[256];
        snprintf(sub, sizeof sub, "%s/crio.conf.d", dir);
        ASSERT_OK(mkdir(sub, 0755));
        test_tmp_write("crio.conf.d/20-b.conf", "[crio.image]\npause_image = \"from-20\"\n");
        test_tmp_write("crio.conf.d/100-a.conf", "[crio.image]\npause_image = \"from-100\"\n"
                                             "pause_command = \"/from-100\"\n");
        test_tmp_write("crio.conf.d/30-c.conf.disabled", "[crio.image]\npause_image = \"disabled\"\n");
        test_tmp_write("crio.conf.d/.99-hidden.conf", "[crio.image]\npause_image = \"hidden\"\n");
        test_tmp_write("crio.conf.d/05-syntax-error.txt", "this is not toml [[[");
        snprintf(outside, sizeof outside, "%s/crio.conf.d/40-dir.conf", dir);
        ASSERT_OK(mkdir(outside, 0755)); /* a directory named *.conf is not a file */
        snprintf(outside, sizeof outside, "%s/elsewhere.toml", dir);
        test_tmp_write("elsewhere.toml", "[crio.runtime]\nlog_level = \"error\"\n");
        snprintf(link, sizeof link, "%s/crio.conf.d/25-link.conf", dir);
        ASSERT_OK(symlink(outside, link));
        snprintf(link, sizeof link, "%s/crio.conf.d/26-dangling.conf", dir);
        ASSERT_OK(symlink("/nonexistent/x.conf", link));

        const char *main_file = test_tmp_write("crio.conf", "[crio.image]\npause_image = \"from-main\"\n"
                                                       "[crio.runtime]\nlog_level = \"debug\"\n");
        _cleanup_config_ CrioConfig *c = NULL;
        _cleanup_strv_free_ char **w = NULL;
        CrioError err = {};
        ASSERT_OK(config_load(main_file, true, sub, &c, &w, &err));
        /* "100-a" < "20-b" < "25-link": strcmp order, not numeric */
        ASSERT_EQ_STR(c->pause_image, "from-20");
        ASSERT_EQ_STR(c->pause_command, "/from-100");
        ASSERT_EQ_STR(c->log_level, "error"); /* through the symlink, over the main file */
        ASSERT_EQ_INT(strv_length(w), 1);
        ASSERT_CONTAINS(w[0], "26-dangling.conf: dangling symbolic link");

        /* A missing directory is fine; a missing default file is fine; a missing --config is not. */
        _cleanup_config_ CrioConfig *d = defaults(), *e = defaults();
        snprintf(sub, sizeof sub, "%s/absent.d", dir);
        ASSERT_OK(config_apply_dir(d, sub, NULL, &err));
        ASSERT_TRUE(config_equal(d, e));
        snprintf(sub, sizeof sub, "%s/absent.conf", dir);
        _cleanup_config_ CrioConfig *f = NULL, *g = NULL;
        ASSERT_OK(config_load(sub, false, NULL, &f, NULL, &err));
        ASSERT_TRUE(config_equal(f, e));
        ASSERT_EQ_INT(config_load(sub, true, NULL, &g, NULL, &err), -ENOENT);
        ASSERT_CONTAINS(err.msg, sub);
        ASSERT_TRUE(g == NULL);
        crio_error_clear(&err);
}

TEST(unknown_keys_are_warnings_with_file_and_line) {
        test_tmp_dir();
        _cleanup_strv_free_ char **w = NULL;
        ASSERT_OK(strv_push(&w, "earlier warning"));
        _cleanup_config_ CrioConfig *c = load_text("[crio.api]\n"
                                                   "\n"
                                                   "no_such_option = 1\n"
                                                   "[crio.foo]\n"
                                                   "x = 1\n"
                                                   "[crio.tracing]\n"
                                                   "enable_tracing = true\n"
                                                   "[crio.runtime.runtimes.runc]\n"
                                                   "monitor_path = \"/usr/bin/conmon\"\n"
                                                   "[other]\n"
                                                   "[crio.image]\n"
                                                   "pause_image = \"still applied\"\n",
                                                   &w);
        const char *p = test_tmp_write("t.conf", ""); /* the same path */
        ASSERT_EQ_INT(strv_length(w), 6);
        ASSERT_EQ_STR(w[0], "earlier warning");
        _cleanup_free_ char *m1 = expect_msg("%s:3: unknown option crio.api.no_such_option", p);
        _cleanup_free_ char *m2 = expect_msg("%s:4: unknown table crio.foo", p);
        _cleanup_free_ char *m3 = expect_msg("%s:6: [crio.tracing] is not supported by crio yet; ignored", p);
        _cleanup_free_ char *m4 = expect_msg("%s:9: unknown option crio.runtime.runtimes.runc.monitor_path", p);
        _cleanup_free_ char *m5 = expect_msg("%s:10: unknown table other", p);
        ASSERT_EQ_STR(w[1], m1);
        ASSERT_EQ_STR(w[2], m2);
        ASSERT_EQ_STR(w[3], m3);
        ASSERT_EQ_STR(w[4], m4);
        ASSERT_EQ_STR(w[5], m5);
        ASSERT_EQ_STR(c->pause_image, "still applied");
}

TEST(wrong_types_are_errors_with_file_line_and_key) {
        test_tmp_dir();
        const char *p = NULL;
        struct {
                const char *text, *expected;
        } cases[] = {
                { "[crio.api]\n\ngrpc_max_recv_msg_size = \"big\"\n",
                  "%s:3: crio.api.grpc_max_recv_msg_size: expected an integer, got string" },
                { "[crio]\nroot = 5\n", "%s:2: crio.root: expected a string, got integer" },
                { "[crio.runtime]\nselinux = \"yes\"\n", "%s:2: crio.runtime.selinux: expected a boolean, got string" },
                { "[crio.network]\nplugin_dirs = \"/opt/cni/bin\"\n",
                  "%s:2: crio.network.plugin_dirs: expected an array of strings, got string" },
                { "[crio.network]\nplugin_dirs = [\n\"/a\",\n3,\n]\n",
                  "%s:4: crio.network.plugin_dirs: expected an array of strings, got an array containing integer" },
                { "[crio.metrics]\nmetrics_port = 1.5\n", "%s:2: crio.metrics.metrics_port: expected an integer, got float" },
                { "crio = 1\n", "%s:1: crio: expected a table, got integer" },
                { "[crio]\napi = \"x\"\n", "%s:2: crio.api: expected a table, got string" },
                { "[crio.runtime]\nruntimes = []\n", "%s:2: crio.runtime.runtimes: expected a table, got array" },
                { "[crio.runtime.runtimes]\ncrun = \"/usr/bin/crun\"\n",
                  "%s:2: crio.runtime.runtimes.crun: expected a table, got string" },
                { "[crio.runtime.runtimes.crun]\nruntime_path = true\n",
                  "%s:2: crio.runtime.runtimes.crun.runtime_path: expected a string, got boolean" },
                { "[crio.image]\npause_image = \"a\\u0000b\"\n",
                  "%s:2: crio.image.pause_image: invalid value (contains a NUL character)" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *msg = load_error(cases[i].text, &p);
                _cleanup_free_ char *want = expect_msg(cases[i].expected, p);
                ASSERT_EQ_STR(msg, want);
        }
}

TEST(bad_values_are_errors_with_file_line_and_key) {
        test_tmp_dir();
        const char *p = NULL;
        struct {
                const char *text, *expected;
        } cases[] = {
                { "[crio.runtime]\nlog_level = \"loud\"\n",
                  "%s:2: crio.runtime.log_level: invalid value \"loud\" (expected one of trace, debug, info, warn, "
                  "error, fatal, panic)" },
                { "[crio.metrics]\nmetrics_port = 70000\n",
                  "%s:2: crio.metrics.metrics_port: invalid value 70000 (expected an integer from 1 to 65535)" },
                { "[crio.api]\ngrpc_max_send_msg_size = 0\n",
                  "%s:2: crio.api.grpc_max_send_msg_size: invalid value 0 (expected an integer from 1 to 2147483647)" },
                { "[crio.api]\ngrpc_max_send_msg_size = 2147483648\n",
                  "%s:2: crio.api.grpc_max_send_msg_size: invalid value 2147483648 (expected an integer from 1 to "
                  "2147483647)" },
                { "[crio.api]\nstream_port = \"65536\"\n",
                  "%s:2: crio.api.stream_port: invalid value \"65536\" (expected a port number from 0 to 65535, as a "
                  "string)" },
                { "[crio.runtime]\nlog_size_max = 100\n",
                  "%s:2: crio.runtime.log_size_max: invalid value 100 (expected -1 (no limit) or at least 8192)" },
                { "[crio.runtime]\nctr_stop_timeout = -1\n",
                  "%s:2: crio.runtime.ctr_stop_timeout: invalid value -1 (expected an integer >= 0)" },
                { "[crio.runtime]\npids_limit = -2\n",
                  "%s:2: crio.runtime.pids_limit: invalid value -2 (expected an integer >= -1)" },
                { "[crio.runtime]\ncgroup_manager = \"cgroupsv2\"\n",
                  "%s:2: crio.runtime.cgroup_manager: invalid value \"cgroupsv2\" (expected one of systemd, cgroupfs)" },
                { "[crio]\nstorage_driver = \"zfs\"\n",
                  "%s:2: crio.storage_driver: invalid value \"zfs\" (expected one of overlay, ostree)" },
                { "[crio.image]\nimage_volumes = \"copy\"\n",
                  "%s:2: crio.image.image_volumes: invalid value \"copy\" (expected one of mkdir, bind, ignore)" },
                { "[crio]\nroot = \"var/lib/x\"\n",
                  "%s:2: crio.root: invalid value \"var/lib/x\" (expected an absolute path)" },
                { "[crio.api]\nlisten = \"\"\n", "%s:2: crio.api.listen: invalid value \"\" (expected an absolute path)" },
                { "[crio.runtime]\nhooks_dir = [\"/ok\", \"relative\"]\n",
                  "%s:2: crio.runtime.hooks_dir: invalid value \"relative\" (expected an absolute path)" },
                { "[crio.image]\nsignature_policy = \"policy.json\"\n",
                  "%s:2: crio.image.signature_policy: invalid value \"policy.json\" (expected an absolute path, or "
                  "\"\")" },
                { "[crio.api]\nstream_idle_timeout = \"4 hours\"\n",
                  "%s:2: crio.api.stream_idle_timeout: invalid value \"4 hours\" (expected a duration such as \"4h\", "
                  "\"30m\" or \"1h30m\", or \"\")" },
                { "[crio.runtime.runtimes.kata]\nruntime_type = \"vmm\"\n",
                  "%s:2: crio.runtime.runtimes.kata.runtime_type: invalid value \"vmm\" (expected one of oci, vm, pod)" },
                { "[crio.runtime]\ndefault_sysctls = [\"net.ipv4.ip_forward\"]\n",
                  "%s:2: crio.runtime.default_sysctls: invalid value \"net.ipv4.ip_forward\" (expected \"NAME=value\")" },
                { "[crio.runtime]\ndefault_capabilities = [\"CHOWN, KILL\"]\n",
                  "%s:2: crio.runtime.default_capabilities: invalid value \"CHOWN, KILL\" (expected a capability name "
                  "such as \"CHOWN\")" },
                { "[crio.image]\npause_image = \"bad\\ttab\"\n[crio.runtime]\nlog_level = \"a\\\"b\\n\"\n",
                  "%s:4: crio.runtime.log_level: invalid value \"a\\\"b\\n\" (expected one of trace, debug, info, warn, "
                  "error, fatal, panic)" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *msg = load_error(cases[i].text, &p);
                _cleanup_free_ char *want = expect_msg(cases[i].expected, p);
                ASSERT_EQ_STR(msg, want);
        }
        /* Values at the edges are fine. */
        _cleanup_config_ CrioConfig *c = load_text("[crio.api]\nstream_port = \"65535\"\n"
                                                   "grpc_max_send_msg_size = 2147483647\n"
                                                   "stream_idle_timeout = \"1h30m0.5s\"\n"
                                                   "[crio.runtime]\nlog_size_max = 8192\npids_limit = -1\n"
                                                   "ctr_stop_timeout = 0\n"
                                                   "default_ulimits = [\"nofile=1024:2048\", \"core=-1\"]\n"
                                                   "additional_devices = [\"/dev/sdc:/dev/xvdc:rwm\", \"/dev/fuse\"]\n"
                                                   "default_mounts = [\"/usr/share/rhel/secrets:/run/secrets\"]\n"
                                                   "[crio.metrics]\nmetrics_port = 1\n",
                                                   NULL);
        ASSERT_EQ_INT(c->log_size_max, 8192);
        ASSERT_EQ_INT(c->pids_limit, -1);
}

TEST(syntax_errors_name_file_line_and_column) {
        test_tmp_dir();
        const char *p = NULL;
        _cleanup_free_ char *msg = load_error("[crio]\nroot = \"/x\"\nroot2 = \n", &p);
        _cleanup_free_ char *want = expect_msg("%s: line 3, column ", p);
        ASSERT_TRUE(strncmp(msg, want, strlen(want)) == 0 || (printf("# %s\n", msg), false));
}

TEST(oversized_file_is_refused) {
        test_tmp_dir();
        size_t n = CONFIG_MAX_FILE_SIZE + 100;
        char *big = malloc(n + 1);
        ASSERT_TRUE(big != NULL);
        memset(big, '#', n);
        big[n] = '\0';
        const char *p = test_tmp_write("big.conf", big);
        free(big);
        _cleanup_config_ CrioConfig *c = defaults();
        CrioError err = {};
        ASSERT_EQ_INT(config_apply_file(c, p, NULL, &err), -EFBIG);
        ASSERT_CONTAINS(err.msg, p);
        crio_error_clear(&err);
}

TEST(runtime_handlers_merge_key_by_key) {
        const char *dir = test_tmp_dir();
        char d[256];
        snprintf(d, sizeof d, "%s/conf.d", dir);
        ASSERT_OK(mkdir(d, 0755));
        test_tmp_write("conf.d/10-crun.conf", "[crio.runtime.runtimes.crun]\n"
                                         "runtime_path = \"/usr/bin/crun\"\n"
                                         "runtime_root = \"/run/crun\"\n");
        test_tmp_write("conf.d/20-runc.conf", "[crio.runtime.runtimes.runc]\n"
                                         "runtime_path = \"/usr/sbin/runc\"\n"
                                         "[crio.runtime.runtimes.crun]\n"
                                         "allowed_annotations = [\"io.kubernetes.cri-o.Devices\"]\n");
        test_tmp_write("conf.d/30-default.conf", "[crio.runtime]\ndefault_runtime = \"crun\"\n"
                                            "[crio.runtime.runtimes.kata]\nruntime_type = \"vm\"\n");
        _cleanup_config_ CrioConfig *c = NULL;
        CrioError err = {};
        ASSERT_OK(config_load(NULL, false, d, &c, NULL, &err));
        ASSERT_EQ_INT(c->n_runtimes, 3);
        ASSERT_EQ_STR(c->runtimes[0].name, "crun"); /* sorted by name */
        ASSERT_EQ_STR(c->runtimes[1].name, "kata");
        ASSERT_EQ_STR(c->runtimes[2].name, "runc");
        const CrioRuntimeHandler *crun = config_find_runtime(c, "crun"), *runc = config_find_runtime(c, "runc"),
                                 *kata = config_find_runtime(c, "kata");
        ASSERT_EQ_STR(crun->runtime_path, "/usr/bin/crun");
        ASSERT_EQ_STR(crun->runtime_root, "/run/crun");
        ASSERT_EQ_STR(crun->runtime_type, "oci");
        ASSERT_EQ_STR(crun->allowed_annotations[0], "io.kubernetes.cri-o.Devices");
        ASSERT_EQ_STR(runc->runtime_path, "/usr/sbin/runc");
        ASSERT_EQ_STR(runc->runtime_root, "/run/runc"); /* kept from the defaults */
        ASSERT_EQ_STR(kata->runtime_type, "vm");
        ASSERT_EQ_STR(kata->runtime_path, "");
        ASSERT_EQ_STR(c->default_runtime, "crun");
}

TEST(validate_checks_default_runtime_and_tls) {
        test_tmp_dir();
        _cleanup_config_ CrioConfig *c = load_text("[crio.runtime]\ndefault_runtime = \"kata\"\n"
                                                   "[crio.runtime.runtimes.crun]\n",
                                                   NULL);
        CrioError err = {};
        ASSERT_EQ_INT(config_validate(c, &err), -EINVAL);
        ASSERT_EQ_STR(err.msg, "crio.runtime.default_runtime: invalid value \"kata\" (expected a configured runtime "
                               "handler: crun, runc)");
        crio_error_clear(&err);

        _cleanup_config_ CrioConfig *t = load_text("[crio.api]\nstream_enable_tls = true\n", NULL);
        ASSERT_EQ_INT(config_validate(t, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "crio.api.stream_enable_tls");
        crio_error_clear(&err);

        /* config_load validates too */
        const char *p = test_tmp_write("k.conf", "[crio.runtime]\ndefault_runtime = \"kata\"\n");
        _cleanup_config_ CrioConfig *l = NULL;
        ASSERT_EQ_INT(config_load(p, true, NULL, &l, NULL, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "kata");
        ASSERT_CONTAINS(err.msg, "runc");
        crio_error_clear(&err);

        /* no handler at all */
        _cleanup_config_ CrioConfig *n = defaults();
        for (size_t i = 0; i < n->n_runtimes; i++) {
                free(n->runtimes[i].name);
                free(n->runtimes[i].runtime_path);
                free(n->runtimes[i].runtime_type);
                free(n->runtimes[i].runtime_root);
                strv_free(n->runtimes[i].allowed_annotations);
        }
        n->n_runtimes = 0;
        ASSERT_EQ_INT(config_validate(n, &err), -EINVAL);
        ASSERT_CONTAINS(err.msg, "no runtime handler");
        crio_error_clear(&err);
}

TEST(set_option_as_flags_do) {
        _cleanup_config_ CrioConfig *c = defaults();
        CrioError err = {};
        ASSERT_OK(config_set_option(c, "crio.root", "/r", &err));
        ASSERT_OK(config_set_option(c, "crio.network.plugin_dirs", "/a,/b", &err));
        ASSERT_OK(config_set_option(c, "crio.image.registries", "", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.selinux", "true", &err));
        ASSERT_OK(config_set_option(c, "crio.metrics.metrics_port", "9537", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.log_size_max", "-1", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.runtimes.runc.runtime_path", "/opt/runc", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.runtimes.crun.runtime_path", "/usr/bin/crun", &err));
        ASSERT_EQ_STR(c->root, "/r");
        ASSERT_EQ_INT(strv_length(c->plugin_dirs), 2);
        ASSERT_EQ_STR(c->plugin_dirs[1], "/b");
        ASSERT_EQ_INT(strv_length(c->registries), 0);
        ASSERT_TRUE(c->selinux);
        ASSERT_EQ_INT(c->metrics_port, 9537);
        ASSERT_EQ_STR(config_find_runtime(c, "runc")->runtime_path, "/opt/runc");
        ASSERT_EQ_STR(config_find_runtime(c, "runc")->runtime_root, "/run/runc");
        ASSERT_EQ_STR(config_find_runtime(c, "crun")->runtime_type, "oci");
        ASSERT_EQ_STR(c->runtimes[0].name, "crun");
        ASSERT_OK(config_validate(c, &err));

        _cleanup_config_ CrioConfig *before = config_dup(c);
        struct {
                const char *key, *value, *expected;
        } bad[] = {
                { "crio.nope", "x", "unknown option crio.nope" },
                { "crio.api", "x", "unknown option crio.api" },
                { "crio.runtime.runtimes.runc.nope", "x", "unknown option crio.runtime.runtimes.runc.nope" },
                { "crio.runtime.runtimes.runtime_path", "x", "unknown option crio.runtime.runtimes.runtime_path" },
                { "crio.metrics.metrics_port", "0",
                  "crio.metrics.metrics_port: invalid value 0 (expected an integer from 1 to 65535)" },
                { "crio.metrics.metrics_port", "12ab",
                  "crio.metrics.metrics_port: invalid value \"12ab\" (expected a decimal integer)" },
                { "crio.metrics.metrics_port", "",
                  "crio.metrics.metrics_port: invalid value \"\" (expected a decimal integer)" },
                { "crio.runtime.selinux", "yes",
                  "crio.runtime.selinux: invalid value \"yes\" (expected true or false)" },
                { "crio.runtime.log_level", "loud",
                  "crio.runtime.log_level: invalid value \"loud\" (expected one of trace, debug, info, warn, error, "
                  "fatal, panic)" },
                { "crio.storage_driver", "zfs",
                  "crio.storage_driver: invalid value \"zfs\" (expected one of overlay, ostree)" },
                { "crio.runtime.runtimes.kata.runtime_path", "kata-runtime",
                  "crio.runtime.runtimes.kata.runtime_path: invalid value \"kata-runtime\" (expected an absolute path, "
                  "or \"\")" },
                { "crio.image.pause_image", "\xff\xfe", "crio.image.pause_image: invalid value (not valid UTF-8)" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_EQ_INT(config_set_option(c, bad[i].key, bad[i].value, &err), -EINVAL);
                ASSERT_EQ_STR(err.msg, bad[i].expected);
                crio_error_clear(&err);
        }
        ASSERT_TRUE(config_equal(c, before)); /* nothing changed, not even a new handler */
}

/* Prints c, reads the text back over the defaults, checks the result equals c and prints the same. */
static void check_round_trip(const CrioConfig *c) {
        CrioError err = {};
        _cleanup_free_ char *a = NULL, *b = NULL;
        ASSERT_OK(config_to_toml(c, &a, &err));
        _cleanup_strv_free_ char **w = NULL;
        _cleanup_config_ CrioConfig *back = load_text(a, &w);
        if (w)
                test_fail(__FILE__, __LINE__, "warning reading the printed configuration: %s", w[0]);
        if (!config_equal(c, back))
                test_fail(__FILE__, __LINE__, "printed configuration reads back different:\n%s", a);
        ASSERT_OK(config_to_toml(back, &b, &err));
        ASSERT_EQ_STR(a, b);
}

TEST(toml_output_round_trips) {
        test_tmp_dir();
        _cleanup_config_ CrioConfig *c = defaults();
        check_round_trip(c);
        _cleanup_free_ char *text = NULL;
        CrioError err = {};
        ASSERT_OK(config_to_toml(c, &text, &err));
        ASSERT_TRUE(strncmp(text, "# ", 2) == 0);
        ASSERT_CONTAINS(text, "\n[crio]\n");
        ASSERT_CONTAINS(text, "\n[crio.api]\n");
        ASSERT_CONTAINS(text, "\n[crio.runtime.runtimes.runc]\n");
        ASSERT_CONTAINS(text, "\nlog_level = \"info\"\n");
        ASSERT_CONTAINS(text, "\n# Log level: trace, debug, info, warn, error, fatal or panic. (reloadable)\n");
        ASSERT_CONTAINS(text, "\nplugin_dirs = [\n        \"/opt/cni/bin/\",\n        \"/usr/lib/cni/\",\n]\n");
        ASSERT_CONTAINS(text, "\nmetrics_port = 9090\n");

        /* Awkward values: quotes, backslashes, control characters, non-ASCII, odd handler names. */
        ASSERT_OK(config_set_option(c, "crio.image.pause_image", "quote\" back\\slash tab\t \xc3\xa9 \xf0\x9f\x90\xb3", &err));
        ASSERT_OK(config_set_option(c, "crio.image.pause_command", "line1\nline2\r\x01\x1f\x7f\b\f'''\"\"\"", &err));
        ASSERT_OK(config_set_option(c, "crio.image.default_transport", "", &err));
        ASSERT_OK(config_set_option(c, "crio.image.registries", ",a.example,,\\u0041,", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.conmon_env", "A=# not a comment,B=]", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.runtimes.my.handler x\"\xc3\xa9.runtime_root", "/run/x y", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.runtimes.crun.allowed_annotations", "io.kubernetes.cri-o.Devices", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.log_size_max", "8192", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.pids_limit", "-1", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.drop_infra_ctr", "false", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.cgroup_manager", "systemd", &err));
        ASSERT_OK(config_set_option(c, "crio.network.plugin_dirs", "", &err));
        ASSERT_OK(config_set_option(c, "crio.api.grpc_max_recv_msg_size", "2147483647", &err));
        check_round_trip(c);

        /* The other cgroup manager too (the default depends on the machine). */
        ASSERT_OK(config_set_option(c, "crio.runtime.cgroup_manager", "cgroupfs", &err));
        check_round_trip(c);
}

TEST(contrib_crio_conf_loads_cleanly_and_equals_the_defaults) {
        _cleanup_config_ CrioConfig *c = defaults(), *d = defaults();
        _cleanup_strv_free_ char **w = NULL;
        CrioError err = {};
        if (access("contrib/crio.conf", R_OK) < 0)
                test_fail(__FILE__, __LINE__, "contrib/crio.conf: %s (run from the repository root)", strerror(errno));
        ASSERT_OK(config_apply_file(c, "contrib/crio.conf", &w, &err));
        if (w)
                test_fail(__FILE__, __LINE__, "warning: %s", w[0]);
        ASSERT_TRUE(config_equal(c, d));
        ASSERT_OK(config_validate(c, &err));
}

static JsonObject *member_object(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                test_fail(__FILE__, __LINE__, "no object member %s", name);
        return json_node_get_object(n);
}

TEST(json_output_parses_and_holds_the_values) {
        _cleanup_config_ CrioConfig *c = defaults();
        CrioError err = {};
        ASSERT_OK(config_set_option(c, "crio.image.pause_image", "q\"\\\n\xc3\xa9", &err));
        ASSERT_OK(config_set_option(c, "crio.runtime.runtimes.crun.runtime_path", "/usr/bin/crun", &err));
        _cleanup_free_ char *json = NULL;
        ASSERT_OK(config_to_json(c, &json, &err));
        JsonParser *p = json_parser_new();
        GError *gerr = NULL;
        if (!json_parser_load_from_data(p, json, -1, &gerr))
                test_fail(__FILE__, __LINE__, "JSON does not parse: %s\n%s", gerr->message, json);
        JsonNode *root = json_parser_get_root(p);
        ASSERT_TRUE(JSON_NODE_HOLDS_OBJECT(root));
        JsonObject *crio = member_object(json_node_get_object(root), "crio");
        ASSERT_EQ_STR(json_object_get_string_member(crio, "root"), "/var/lib/containers/storage");
        JsonObject *api = member_object(crio, "api");
        ASSERT_EQ_INT(json_object_get_int_member(api, "grpc_max_send_msg_size"), 16777216);
        ASSERT_EQ_STR(json_object_get_string_member(api, "listen"), "/var/run/crio/crio.sock");
        JsonObject *rt = member_object(crio, "runtime");
        ASSERT_TRUE(json_object_get_boolean_member(rt, "drop_infra_ctr"));
        ASSERT_EQ_INT(json_object_get_int_member(rt, "log_size_max"), -1);
        JsonArray *caps = json_object_get_array_member(rt, "default_capabilities");
        ASSERT_EQ_INT(json_array_get_length(caps), 9);
        ASSERT_EQ_STR(json_array_get_string_element(caps, 0), "CHOWN");
        JsonObject *runtimes = member_object(rt, "runtimes");
        ASSERT_EQ_STR(json_object_get_string_member(member_object(runtimes, "runc"), "runtime_root"), "/run/runc");
        ASSERT_EQ_STR(json_object_get_string_member(member_object(runtimes, "crun"), "runtime_path"), "/usr/bin/crun");
        JsonObject *image = member_object(crio, "image");
        ASSERT_EQ_STR(json_object_get_string_member(image, "pause_image"), "q\"\\\n\xc3\xa9");
        JsonArray *dirs = json_object_get_array_member(member_object(crio, "network"), "plugin_dirs");
        ASSERT_EQ_STR(json_array_get_string_element(dirs, 1), "/usr/lib/cni/");
        ASSERT_EQ_INT(json_object_get_int_member(member_object(crio, "metrics"), "metrics_port"), 9090);
        g_object_unref(p);
}

TEST(reload_applies_reloadable_options_and_names_the_rest) {
        test_tmp_dir();
        _cleanup_config_ CrioConfig *live = defaults();
        _cleanup_config_ CrioConfig *fresh = load_text("[crio]\nroot = \"/elsewhere\"\n"
                                                       "[crio.api]\nlisten = \"/other.sock\"\n"
                                                       "[crio.runtime]\nlog_level = \"debug\"\n"
                                                       "conmon_env = [\"PATH=/bin\", \"X=1\"]\n"
                                                       "[crio.runtime.runtimes.runc]\nruntime_path = \"/opt/runc\"\n"
                                                       "[crio.runtime.runtimes.crun]\n"
                                                       "[crio.image]\npause_image = \"registry.k8s.io/pause:3.9\"\n",
                                                       NULL);
        _cleanup_strv_free_ char **changed = NULL, **ignored = NULL;
        CrioError err = {};
        ASSERT_OK(config_reload(live, fresh, &changed, &ignored, &err));
        ASSERT_EQ_INT(strv_length(changed), 5);
        ASSERT_EQ_STR(changed[0], "crio.runtime.conmon_env: [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"] -> [\"PATH=/bin\", \"X=1\"]");
        ASSERT_EQ_STR(changed[1], "crio.runtime.log_level: info -> debug");
        ASSERT_EQ_STR(changed[2], "crio.image.pause_image: \"\" -> registry.k8s.io/pause:3.9");
        ASSERT_EQ_STR(changed[3], "crio.runtime.runtimes.runc.runtime_path: \"\" -> /opt/runc");
        ASSERT_EQ_STR(changed[4], "crio.runtime.runtimes.crun: added");
        ASSERT_EQ_INT(strv_length(ignored), 2);
        ASSERT_EQ_STR(ignored[0], "crio.root (needs a restart)");
        ASSERT_EQ_STR(ignored[1], "crio.api.listen (needs a restart)");
        ASSERT_EQ_STR(live->log_level, "debug");
        ASSERT_EQ_STR(live->pause_image, "registry.k8s.io/pause:3.9");
        ASSERT_EQ_STR(live->root, "/var/lib/containers/storage");
        ASSERT_EQ_STR(live->listen, "/var/run/crio/crio.sock");
        ASSERT_EQ_INT(live->n_runtimes, 2);
        ASSERT_EQ_STR(config_find_runtime(live, "runc")->runtime_path, "/opt/runc");

        /* Again: the reloadable part is now the same; only the restart-bound options differ. */
        _cleanup_strv_free_ char **changed2 = NULL, **ignored2 = NULL;
        ASSERT_OK(config_reload(live, fresh, &changed2, &ignored2, &err));
        ASSERT_TRUE(changed2 == NULL);
        ASSERT_EQ_INT(strv_length(ignored2), 2);

        /* A handler that disappears from the files goes away on reload. */
        _cleanup_config_ CrioConfig *third = defaults();
        _cleanup_strv_free_ char **changed3 = NULL;
        ASSERT_OK(config_reload(live, third, &changed3, NULL, &err));
        ASSERT_EQ_INT(live->n_runtimes, 1);
        ASSERT_TRUE(strv_contains(changed3, "crio.runtime.runtimes.crun: removed"));
        ASSERT_TRUE(strv_contains(changed3, "crio.runtime.log_level: debug -> info"));
}

TEST(durations) {
        int64_t ns = -1;
        ASSERT_OK(config_parse_duration("", &ns));
        ASSERT_EQ_INT(ns, 0);
        ASSERT_OK(config_parse_duration("0", &ns));
        ASSERT_EQ_INT(ns, 0);
        ASSERT_OK(config_parse_duration("4h", &ns));
        ASSERT_EQ_INT(ns, INT64_C(4) * 3600 * 1000000000);
        ASSERT_OK(config_parse_duration("1h30m0.5s", &ns));
        ASSERT_EQ_INT(ns, INT64_C(5400500000000));
        ASSERT_OK(config_parse_duration("300ms", &ns));
        ASSERT_EQ_INT(ns, 300000000);
        ASSERT_OK(config_parse_duration("1.5\xc2\xb5s", &ns));
        ASSERT_EQ_INT(ns, 1500);
        ASSERT_EQ_INT(config_parse_duration("4", &ns), -EINVAL);
        ASSERT_EQ_INT(config_parse_duration("-4h", &ns), -EINVAL);
        ASSERT_EQ_INT(config_parse_duration("4d", &ns), -EINVAL);
        ASSERT_EQ_INT(config_parse_duration(".s", &ns), -EINVAL);
        ASSERT_EQ_INT(config_parse_duration("3000000h", &ns), -ERANGE);
}

int main(void) {
        return test_tmp_run("/tmp/crio-test-config-XXXXXX");
}
