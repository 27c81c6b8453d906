#include "cri/pod-network.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

#define INGRESS_ANNOTATION "kubernetes.io/ingress-bandwidth"
#define EGRESS_ANNOTATION "kubernetes.io/egress-bandwidth"
/* kubelet's own bounds for these annotations: 1 kbit/s to 1 Pbit/s */
#define BANDWIDTH_MIN 1000ull
#define BANDWIDTH_MAX 1000000000000000ull

int cri_parse_quantity(const char *s, uint64_t *ret) {
        static const struct {
                const char *suffix;
                double mult;
        } suffixes[] = {
                { "Ki", 1024.0 }, { "Mi", 1048576.0 }, { "Gi", 1073741824.0 }, { "Ti", 1099511627776.0 },
                { "Pi", 1125899906842624.0 }, { "Ei", 1152921504606846976.0 }, { "k", 1e3 }, { "M", 1e6 },
                { "G", 1e9 }, { "T", 1e12 }, { "P", 1e15 }, { "E", 1e18 }, { "", 1.0 },
        };
        if (!s || !s[0] || strlen(s) > 64 || !(s[0] >= '0' && s[0] <= '9'))
                return -EINVAL;
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || !isfinite(v) || v < 0)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (strcmp(end, suffixes[i].suffix) == 0) {
                        double x = v * suffixes[i].mult;
                        if (x >= 18446744073709551615.0)
                                return -EINVAL;
                        *ret = (uint64_t) x;
                        return 0;
                }
        return -EINVAL;
}

static int bandwidth(const Runtime__V1__PodSandboxConfig *pc, const char *key, uint64_t *ret, CrioError *err) {
        const char *v = NULL;
        for (size_t i = 0; i < pc->n_annotations; i++)
                if (strcmp(pc->annotations[i]->key, key) == 0)
                        v = pc->annotations[i]->value;
        *ret = 0;
        if (!v)
                return 0;
        uint64_t x = 0;
        if (cri_parse_quantity(v, &x) < 0)
                return crio_error_set(err, EINVAL, "annotation %s: \"%s\" is not a quantity", key, v);
        if (x < BANDWIDTH_MIN || x > BANDWIDTH_MAX)
                return crio_error_set(err, EINVAL, "annotation %s: %s is outside 1k..1P bits per second", key, v);
        *ret = x;
        return 0;
}

static const char *protocol_name(int p) {
        switch (p) {
        case RUNTIME__V1__PROTOCOL__TCP:
                return "tcp";
        case RUNTIME__V1__PROTOCOL__UDP:
                return "udp";
        case RUNTIME__V1__PROTOCOL__SCTP:
                return "sctp";
        }
        return NULL;
}

int cri_pod_network_from_config(CriService *svc, const Runtime__V1__PodSandboxConfig *pc, CriPodNetwork *ret,
                                CrioError *err) {
        *ret = (CriPodNetwork){ 0 };
        if (pc->n_port_mappings > CRI_MAX_PORT_MAPPINGS)
                return crio_error_set(err, EINVAL, "%zu port mappings: at most %u", pc->n_port_mappings,
                                      CRI_MAX_PORT_MAPPINGS);
        if (pc->n_port_mappings && !(ret->ports = calloc(pc->n_port_mappings, sizeof *ret->ports)))
                return crio_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < pc->n_port_mappings; i++) {
                const Runtime__V1__PortMapping *m = pc->port_mappings[i];
                const char *proto = protocol_name(m->protocol);
                if (!proto)
                        return crio_error_set(err, EINVAL, "port mapping %zu: protocol %d is unknown", i, m->protocol);
                if (m->container_port <= 0 || m->container_port > 65535 || m->host_port < 0 || m->host_port > 65535)
                        return crio_error_set(err, EINVAL, "port mapping %zu: ports %d:%d are out of range", i,
                                              m->host_port, m->container_port);
                /* only host ports need the portmap plugin, as CRI-O passes them */
                if (m->host_port == 0)
                        continue;
                ret->ports[ret->n_ports++] = (CniPortMapping){ .host_port = m->host_port,
                                                               .container_port = m->container_port,
                                                               .protocol = proto,
                                                               .host_ip = m->host_ip };
        }
        int r = bandwidth(pc, INGRESS_ANNOTATION, &ret->ingress_rate, err);
        if (r < 0 || (r = bandwidth(pc, EGRESS_ANNOTATION, &ret->egress_rate, err)) < 0)
                return r;
        pthread_mutex_lock(&svc->lock);
        if (svc->pod_cidr && !(ret->pod_cidr = strdup(svc->pod_cidr)))
                r = crio_error_set(err, ENOMEM, "out of memory");
        pthread_mutex_unlock(&svc->lock);
        return r;
}

void cri_pod_network_clear(CriPodNetwork *n) {
        free(n->ports);
        free(n->pod_cidr);
        *n = (CriPodNetwork){ 0 };
}
