/* cni-tool: runs CNI ADD, DEL or CHECK for a pod through src/network/, for the tests.
 *
 *   cni-tool add|del|check --conf FILE --cache DIR --plugin-dir DIR... --id ID [--netns PATH]
 *            [--port HOST:CONTAINER/PROTO[@HOSTIP]]... [--name N] [--namespace NS] [--uid U]
 *            [--ingress-rate BPS] [--egress-rate BPS] [--ip-range CIDR] [--cgroup-parent P]
 *            [--timeout-ms MS]
 *
 * add prints the pod's IPs, one a line. A missing --conf file means "no network" (what a
 * directory without configuration gives). Exit status 0, or 1 with the error on stderr. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/cni-private.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/strv.h"

#define MAX_PORTS 64

static int parse_port(char *s, CniPortMapping *p) {
        char *at = strchr(s, '@'), *slash = strchr(s, '/'), *colon = strchr(s, ':');
        if (at)
                *at = '\0', p->host_ip = at + 1;
        if (!slash || !colon || colon > slash)
                return -EINVAL;
        *slash = '\0';
        p->protocol = slash + 1;
        p->host_port = atoi(s);
        p->container_port = atoi(colon + 1);
        return 0;
}

/* What cni_new fills, by hand: these tests drive one network file, not a directory. */
static int load(Cni *c, const char *conf, CrioError *err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (!conf || access(conf, F_OK) < 0)
                return 0;
        int r = read_file(conf, CNI_MAX_CONFIG_SIZE, &data, &len, err);
        if (r < 0)
                return r;
        return cni_network_parse(conf, data, len, str_endswith(conf, ".conflist"), &c->network, err);
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "conf", required_argument, NULL, 'c' },         { "cache", required_argument, NULL, 'C' },
                { "plugin-dir", required_argument, NULL, 'p' },   { "id", required_argument, NULL, 'i' },
                { "netns", required_argument, NULL, 'n' },        { "port", required_argument, NULL, 'P' },
                { "name", required_argument, NULL, 'N' },         { "namespace", required_argument, NULL, 'S' },
                { "uid", required_argument, NULL, 'u' },          { "timeout-ms", required_argument, NULL, 't' },
                { "ingress-rate", required_argument, NULL, 'I' }, { "egress-rate", required_argument, NULL, 'E' },
                { "ip-range", required_argument, NULL, 'r' },     { "cgroup-parent", required_argument, NULL, 'g' },
                { 0 },
        };
        _cleanup_strv_free_ char **dirs = calloc(1, sizeof(char *));
        _cleanup_(crio_error_clear) CrioError err = {};
        CniPortMapping ports[MAX_PORTS];
        CniPod pod = { .ports = ports, .name = "pod", .namespace_ = "default", .uid = "uid-1" };
        Cni c = { .cache_dir = "/var/lib/cni", .lock = PTHREAD_MUTEX_INITIALIZER };
        const char *conf = NULL;
        int o;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                switch (o) {
                case 'c': conf = optarg; break;
                case 'C': c.cache_dir = optarg; break;
                case 'p': strv_push(&dirs, optarg); break;
                case 'i': pod.id = optarg; break;
                case 'n': pod.netns = optarg; break;
                case 'N': pod.name = optarg; break;
                case 'S': pod.namespace_ = optarg; break;
                case 'u': pod.uid = optarg; break;
                case 't': c.timeout_ms = strtoll(optarg, NULL, 10); break;
                case 'I': pod.ingress_rate = strtoull(optarg, NULL, 10); break;
                case 'E': pod.egress_rate = strtoull(optarg, NULL, 10); break;
                case 'r': pod.ip_range = optarg; break;
                case 'g': pod.cgroup_parent = optarg; break;
                case 'P':
                        if (pod.n_ports == MAX_PORTS || parse_port(optarg, &ports[pod.n_ports++]) < 0) {
                                fprintf(stderr, "cni-tool: bad --port %s\n", optarg);
                                return 2;
                        }
                        break;
                default: return 2;
                }
        }
        if (optind + 1 != argc || !pod.id || !dirs) {
                fprintf(stderr, "usage: cni-tool add|del|check --conf FILE --cache DIR --plugin-dir DIR --id ID ...\n");
                return 2;
        }
        c.plugin_dirs = dirs;
        const char *cmd = argv[optind];
        int r = load(&c, conf, &err);
        if (r >= 0 && strcmp(cmd, "add") == 0) {
                _cleanup_strv_free_ char **ips = NULL;
                r = cni_add(&c, &pod, &ips, &err);
                for (size_t i = 0; r >= 0 && ips[i]; i++)
                        printf("%s\n", ips[i]);
        } else if (r >= 0 && strcmp(cmd, "del") == 0)
                r = cni_del(&c, &pod, &err);
        else if (r >= 0 && strcmp(cmd, "check") == 0)
                r = cni_check(&c, &pod, &err);
        else if (r >= 0)
                r = crio_error_set(&err, EINVAL, "unknown command %s", cmd);
        cni_network_unref(c.network);
        if (r < 0) {
                fprintf(stderr, "cni-tool: %s\n", err.msg ? err.msg : strerror(-r));
                return 1;
        }
        return 0;
}
