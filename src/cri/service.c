#include "service.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "image/pull.h"
#include "network/cni.h"
#include "runtime/state.h"

int cri_service_init(CriService *svc, CrioConfig *config, Store *store, CrioError *err) {
        int r = pthread_mutex_init(&svc->lock, NULL);
        if (r != 0)
                return crio_error_set_errno(err, r, "initialising service lock");
        svc->config = config;
        svc->store = store;
        svc->cancel = 0;
        svc->pulls = pull_shared_new();
        if (!svc->pulls) {
                pthread_mutex_destroy(&svc->lock);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

void cri_service_done(CriService *svc) {
        if (!svc)
                return;
        rt_free(svc->rt);
        svc->rt = NULL;
        cni_free(svc->cni);
        svc->cni = NULL;
        free(svc->pod_cidr);
        svc->pod_cidr = NULL;
        config_free(svc->config);
        svc->config = NULL;
        store_close(svc->store);
        svc->store = NULL;
        pull_shared_free(svc->pulls);
        svc->pulls = NULL;
        pthread_mutex_destroy(&svc->lock);
}

char *cri_strdup(const char *s) {
        return strdup(s ? s : "");
}
