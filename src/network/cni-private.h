/* Inside the CNI module: the parsed network configuration (cni-config.c), the Cni object with
 * its directory watch (cni.c), plugin invocation (cni-exec.c), results (cni-result.c) and the
 * libcni-compatible cache (cni-cache.c). */
#pragma once

#include <json-glib/json-glib.h>
#include <pthread.h>

#include "network/cni.h"

typedef struct CniPlugin {
        char *type;        /* the executable's name, checked: no '/', not "." or ".." */
        JsonObject *conf;  /* the plugin's object from the list (owned, a reference) */
        char **caps;       /* names whose "capabilities" value is true, NULL-terminated */
} CniPlugin;

/* One network: a .conflist, or a .conf made into a list of one plugin. Immutable once
 * parsed, shared by reference (the watch replaces Cni.network; users hold a reference). */
typedef struct CniNetwork {
        int refs; /* atomic */
        char *name;
        char *cni_version; /* the list's "cniVersion" */
        char *file;        /* the path it came from ("" when rebuilt from a cache entry) */
        char *bytes;       /* the list-form JSON document, as stored in a cache entry's "config" */
        size_t len;
        JsonObject *list;  /* the parsed list form */
        bool disable_check;
        size_t n_plugins;  /* 1..CNI_MAX_PLUGINS */
        CniPlugin *plugins;
} CniNetwork;

/* Parses a configuration document (is_list: .conflist form; else a single plugin's .conf
 * form, or a .json file in either form, told by the "plugins" member). Names the problem in
 * err with file in front (EINVAL). */
int cni_network_parse(const char *file, const char *data, size_t len, bool is_list, CniNetwork **ret, CrioError *err);
CniNetwork *cni_network_ref(CniNetwork *n);
void cni_network_unref(CniNetwork *n);
static inline void cni_network_unrefp(CniNetwork **n) {
        if (*n)
                cni_network_unref(*n);
}

/* The executable of type in plugin_dirs: 0 and *ret (malloc'd), or -ENOENT. */
int cni_plugin_find(char *const *plugin_dirs, const char *type, char **ret);

struct Cni {
        /* copies of the options, fixed after cni_new */
        char *network_dir;
        char **plugin_dirs;
        char *default_network;
        char *cache_dir;
        int64_t timeout_ms;

        pthread_mutex_t lock; /* guards the fields below; never held across a plugin call */
        CniNetwork *network;  /* the default network, NULL when none is usable */
        char *message;        /* why there is none */

        int inotify_fd, stop_fd;
        pthread_t watch_thread;
        bool watching;
};

/* The default network (a reference, unref when done), or NULL when there is none. */
CniNetwork *cni_current_network(Cni *c);
/* Loads network_dir again (the watch thread calls this; tests may too). */
void cni_reload(Cni *c);
