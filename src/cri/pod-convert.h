/* Pods and containers of runtime/state.h as CRI messages. Called with rt->lock held (they
 * only copy). Every function returns NULL on ENOMEM (nothing leaks). */
#pragma once

#include "api.pb-c.h"
#include "runtime/state.h"

Runtime__V1__PodSandboxStatus *cri_pod_status_new(const RtSandbox *s);
Runtime__V1__PodSandbox *cri_pod_item_new(const RtSandbox *s);
Runtime__V1__ContainerStatus *cri_container_status_new(const RtContainer *c);
Runtime__V1__Container *cri_container_item_new(const RtContainer *c);
