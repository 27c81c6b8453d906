/* What RunPodSandbox hands to CNI from the request: host port mappings (for the portmap
 * plugin), the kubernetes.io/{ingress,egress}-bandwidth annotations (for the bandwidth
 * plugin) and the pod CIDR from UpdateRuntimeConfig (ipRanges). */
#pragma once

#include <stdint.h>

#include "api.pb-c.h"
#include "cri/service.h"
#include "network/cni.h"

#define CRI_MAX_PORT_MAPPINGS 1024

typedef struct CriPodNetwork {
        CniPortMapping *ports; /* strings point into the request */
        size_t n_ports;
        uint64_t ingress_rate, egress_rate; /* bits per second, 0: none */
        char *pod_cidr;
} CriPodNetwork;

/* -EINVAL names a bad port or bandwidth value. */
int cri_pod_network_from_config(CriService *svc, const Runtime__V1__PodSandboxConfig *pc, CriPodNetwork *ret,
                                CrioError *err);
void cri_pod_network_clear(CriPodNetwork *n);

/* A Kubernetes quantity as the bandwidth annotations hold it ("10M", "1Gi", "500k", "1e6"):
 * 0 and *ret, or -EINVAL. Decimal suffixes k M G T P E, binary Ki Mi Gi Ti Pi Ei. */
int cri_parse_quantity(const char *s, uint64_t *ret);
