/* Version strings. CRIO_VERSION and CRIO_GIT_COMMIT come from the Makefile. */
#pragma once

#ifndef CRIO_VERSION
#define CRIO_VERSION "0.0.0-dev"
#endif
#ifndef CRIO_GIT_COMMIT
#define CRIO_GIT_COMMIT "unknown"
#endif

#define CRIO_RUNTIME_NAME "cri-o"
/* The CRI API version we serve (runtime.v1). */
#define CRI_API_VERSION "v1"
/* VersionResponse.version: the kubelet-facing API version string, as CRI-O answers it. */
#define CRI_KUBELET_API_VERSION "0.1.0"
