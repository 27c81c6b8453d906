/* linux.resources (cpu, memory, pids, device rules, hugepage limits, unified) and
 * linux.devices of the OCI spec builder. See spec.h; the struct is in spec-private.h. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/spec-private.h"
#include "util/cleanup.h"
#include "util/strv.h"

#define OCI_HUGEPAGE_SIZE_MAX 16     /* bytes in "2MB" */
#define OCI_UNIFIED_KEY_MAX 255      /* a cgroup file name */
#define OCI_UNIFIED_VALUE_MAX 4096

static const OciDeviceRule default_devices[] = {
        { false, 'a', -1, -1, "rwm" },
        { true, 'c', -1, -1, "m" },  /* mknod of any char device */
        { true, 'b', -1, -1, "m" },  /* and block device */
        { true, 'c', 1, 3, "rwm" },  /* /dev/null */
        { true, 'c', 1, 5, "rwm" },  /* /dev/zero */
        { true, 'c', 1, 7, "rwm" },  /* /dev/full */
        { true, 'c', 1, 8, "rwm" },  /* /dev/random */
        { true, 'c', 1, 9, "rwm" },  /* /dev/urandom */
        { true, 'c', 5, 0, "rwm" },  /* /dev/tty */
        { true, 'c', 5, 1, "rwm" },  /* /dev/console */
        { true, 'c', 5, 2, "rwm" },  /* /dev/ptmx */
        { true, 'c', 136, -1, "rwm" }, /* /dev/pts/N */
};

int oci_spec_set_cpu_shares(OciSpec *s, uint64_t shares, CrioError *err) {
        if (shares < 2 || shares > 262144)
                return crio_error_set(err, EINVAL, "cpu shares %" PRIu64 " out of range 2..262144", shares);
        s->has_cpu_shares = true;
        s->cpu_shares = shares;
        return 0;
}

int oci_spec_set_cpu_quota(OciSpec *s, int64_t quota, uint64_t period, CrioError *err) {
        if (quota == 0 || quota < -1)
                return crio_error_set(err, EINVAL, "cpu quota %" PRId64 " must be positive or -1", quota);
        if (period < 1000 || period > 1000000)
                return crio_error_set(err, EINVAL, "cpu period %" PRIu64 " out of range 1000..1000000", period);
        s->has_cpu_quota = true;
        s->cpu_quota = quota;
        s->cpu_period = period;
        return 0;
}

static bool cpuset_list_valid(const char *v) {
        /* "0-3,5,7-8": digits, '-', ',' only, non-empty pieces */
        if (!v[0] || strlen(v) > 4096)
                return false;
        for (const char *c = v; *c; c++)
                if (!isdigit((unsigned char) *c) && *c != '-' && *c != ',')
                        return false;
        return v[0] != ',' && v[0] != '-' && !strstr(v, ",,") && !strstr(v, "--");
}

int oci_spec_set_cpuset(OciSpec *s, const char *cpus, const char *mems, CrioError *err) {
        if (cpus && !cpuset_list_valid(cpus))
                return crio_error_set(err, EINVAL, "invalid cpuset cpus \"%s\"", cpus);
        if (mems && !cpuset_list_valid(mems))
                return crio_error_set(err, EINVAL, "invalid cpuset mems \"%s\"", mems);
        char *c = NULL, *m = NULL;
        if ((cpus && !(c = strdup(cpus))) || (mems && !(m = strdup(mems)))) {
                free(c);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        free(s->cpus);
        free(s->mems);
        s->cpus = c;
        s->mems = m;
        return 0;
}

int oci_spec_set_memory(OciSpec *s, int64_t limit, int64_t swap, CrioError *err) {
        if (limit <= 0)
                return crio_error_set(err, EINVAL, "memory limit %" PRId64 " must be positive", limit);
        if (swap != 0 && swap != -1 && swap < limit)
                return crio_error_set(err, EINVAL, "memory+swap limit %" PRId64 " below the memory limit %" PRId64, swap,
                                      limit);
        s->memory_limit = limit;
        s->memory_swap = swap;
        return 0;
}

int oci_spec_set_pids_limit(OciSpec *s, int64_t limit, CrioError *err) {
        if (limit == 0 || limit < -1)
                return crio_error_set(err, EINVAL, "pids limit %" PRId64 " must be positive or -1", limit);
        s->pids_limit = limit;
        return 0;
}

int oci_spec_add_device_rule(OciSpec *s, bool allow, char type, int64_t major, int64_t minor, const char *access,
                             CrioError *err) {
        if (type != 'a' && type != 'c' && type != 'b')
                return crio_error_set(err, EINVAL, "device rule type '%c' is not a, c or b", type);
        if (major < -1 || minor < -1 || major > UINT32_MAX || minor > UINT32_MAX)
                return crio_error_set(err, EINVAL, "device rule %" PRId64 ":%" PRId64 " out of range", major, minor);
        if (!access || !access[0] || strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
                return crio_error_set(err, EINVAL, "device access \"%s\" is not a subset of \"rwm\"", access ? access : "");
        OciDeviceRule *n = realloc(s->device_rules, (s->n_device_rules + 1) * sizeof(OciDeviceRule));
        if (!n)
                return crio_error_set(err, ENOMEM, "out of memory");
        s->device_rules = n;
        OciDeviceRule *d = &s->device_rules[s->n_device_rules++];
        *d = (OciDeviceRule){ allow, type, major, minor, "" };
        snprintf(d->access, sizeof d->access, "%s", access);
        return 0;
}

void oci_spec_clear_device_rules(OciSpec *s) {
        s->n_device_rules = 0;
}

int oci_spec_resources_init(OciSpec *s) {
        s->device_rules = malloc(sizeof default_devices);
        s->unified_keys = calloc(1, sizeof(char *));
        s->unified_values = calloc(1, sizeof(char *));
        if (!s->device_rules || !s->unified_keys || !s->unified_values)
                return -ENOMEM;
        memcpy(s->device_rules, default_devices, sizeof default_devices);
        s->n_device_rules = ELEMENTSOF(default_devices);
        return 0;
}

void oci_spec_resources_free(OciSpec *s) {
        free(s->cpus);
        free(s->mems);
        free(s->device_rules);
        for (size_t i = 0; i < s->n_device_nodes; i++)
                free(s->device_nodes[i].path);
        free(s->device_nodes);
        for (size_t i = 0; i < s->n_hugepages; i++)
                free(s->hugepages[i].page_size);
        free(s->hugepages);
        strv_free(s->unified_keys);
        strv_free(s->unified_values);
}

int oci_spec_add_device(OciSpec *s, const OciDevice *d, CrioError *err) {
        if (!oci_path_is_absolute_clean(d->path))
                return crio_error_set(err, EINVAL, "device path \"%s\" is not a clean absolute path", d->path ? d->path : "");
        if (d->type != 'c' && d->type != 'b' && d->type != 'u')
                return crio_error_set(err, EINVAL, "device %s: type '%c' is not c, b or u", d->path, d->type);
        if (d->major < 0 || d->minor < 0 || d->major > UINT32_MAX || d->minor > UINT32_MAX)
                return crio_error_set(err, EINVAL, "device %s: %" PRId64 ":%" PRId64 " out of range", d->path, d->major,
                                      d->minor);
        if (d->file_mode > 07777)
                return crio_error_set(err, EINVAL, "device %s: file mode %#o has more than permission bits", d->path,
                                      d->file_mode);
        char *path = strdup(d->path);
        if (!path)
                return crio_error_set(err, ENOMEM, "out of memory");
        OciDeviceNode n = { path, d->type, d->major, d->minor, d->file_mode, d->uid, d->gid };
        for (size_t i = 0; i < s->n_device_nodes; i++)
                if (strcmp(s->device_nodes[i].path, d->path) == 0) {
                        free(s->device_nodes[i].path);
                        s->device_nodes[i] = n;
                        return 0;
                }
        OciDeviceNode *v = realloc(s->device_nodes, (s->n_device_nodes + 1) * sizeof(OciDeviceNode));
        if (!v) {
                free(path);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        s->device_nodes = v;
        s->device_nodes[s->n_device_nodes++] = n;
        return 0;
}

/* "2MB", "1GB", "64KB": a positive number without leading zeros, then KB, MB or GB. */
static bool page_size_valid(const char *p) {
        size_t digits = strspn(p, "0123456789");
        if (digits == 0 || digits > 10 || p[0] == '0')
                return false;
        return strcmp(p + digits, "KB") == 0 || strcmp(p + digits, "MB") == 0 || strcmp(p + digits, "GB") == 0;
}

int oci_spec_add_hugepage_limit(OciSpec *s, const char *page_size, uint64_t limit, CrioError *err) {
        if (!page_size || strlen(page_size) > OCI_HUGEPAGE_SIZE_MAX || !page_size_valid(page_size))
                return crio_error_set(err, EINVAL, "hugepage size \"%s\" is not a size like \"2MB\" or \"1GB\"",
                                      page_size ? page_size : "");
        if (limit > INT64_MAX)
                return crio_error_set(err, EINVAL, "hugepage limit %" PRIu64 " for %s is too large", limit, page_size);
        for (size_t i = 0; i < s->n_hugepages; i++)
                if (strcmp(s->hugepages[i].page_size, page_size) == 0) {
                        s->hugepages[i].limit = limit;
                        return 0;
                }
        char *copy = strdup(page_size);
        OciHugepageLimit *v = copy ? realloc(s->hugepages, (s->n_hugepages + 1) * sizeof(OciHugepageLimit)) : NULL;
        if (!v) {
                free(copy);
                return crio_error_set(err, ENOMEM, "out of memory");
        }
        s->hugepages = v;
        s->hugepages[s->n_hugepages++] = (OciHugepageLimit){ copy, limit };
        return 0;
}

int oci_spec_set_unified(OciSpec *s, const char *key, const char *value, CrioError *err) {
        /* a file of a cgroup v2 directory: "<controller>.<name>" */
        bool ok = key && key[0] && key[0] != '.' && strlen(key) <= OCI_UNIFIED_KEY_MAX && strchr(key, '.') &&
                  !strchr(key, '/');
        for (const char *c = key; ok && *c; c++)
                ok = isgraph((unsigned char) *c);
        if (!ok)
                return crio_error_set(err, EINVAL, "unified resource \"%s\" is not a cgroup file name", key ? key : "");
        if (!value || strlen(value) > OCI_UNIFIED_VALUE_MAX)
                return crio_error_set(err, EINVAL, "unified resource %s: the value is missing or longer than %d bytes", key,
                                      OCI_UNIFIED_VALUE_MAX);
        if (oci_kv_set(&s->unified_keys, &s->unified_values, key, value) < 0)
                return crio_error_set(err, ENOMEM, "out of memory");
        return 0;
}

void oci_spec_build_resources(JsonBuilder *b, const OciSpec *s) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "devices");
        json_builder_begin_array(b);
        for (size_t i = 0; i < s->n_device_rules; i++) {
                const OciDeviceRule *d = &s->device_rules[i];
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "allow");
                json_builder_add_boolean_value(b, d->allow);
                oci_json_add_str(b, "type", (char[]){ d->type, '\0' });
                if (d->major >= 0)
                        oci_json_add_int(b, "major", d->major);
                if (d->minor >= 0)
                        oci_json_add_int(b, "minor", d->minor);
                oci_json_add_str(b, "access", d->access);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        if (s->memory_limit > 0) {
                json_builder_set_member_name(b, "memory");
                json_builder_begin_object(b);
                oci_json_add_int(b, "limit", s->memory_limit);
                if (s->memory_swap != 0)
                        oci_json_add_int(b, "swap", s->memory_swap);
                json_builder_end_object(b);
        }
        if (s->has_cpu_shares || s->has_cpu_quota || s->cpus || s->mems) {
                json_builder_set_member_name(b, "cpu");
                json_builder_begin_object(b);
                if (s->has_cpu_shares)
                        oci_json_add_int(b, "shares", (int64_t) s->cpu_shares);
                if (s->has_cpu_quota) {
                        oci_json_add_int(b, "quota", s->cpu_quota);
                        oci_json_add_int(b, "period", (int64_t) s->cpu_period);
                }
                if (s->cpus)
                        oci_json_add_str(b, "cpus", s->cpus);
                if (s->mems)
                        oci_json_add_str(b, "mems", s->mems);
                json_builder_end_object(b);
        }
        if (s->pids_limit != 0) {
                json_builder_set_member_name(b, "pids");
                json_builder_begin_object(b);
                oci_json_add_int(b, "limit", s->pids_limit);
                json_builder_end_object(b);
        }
        if (s->n_hugepages > 0) {
                json_builder_set_member_name(b, "hugepageLimits");
                json_builder_begin_array(b);
                for (size_t i = 0; i < s->n_hugepages; i++) {
                        json_builder_begin_object(b);
                        oci_json_add_str(b, "pageSize", s->hugepages[i].page_size);
                        oci_json_add_int(b, "limit", (int64_t) s->hugepages[i].limit);
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
        }
        if (s->unified_keys[0])
                oci_json_add_kv_object(b, "unified", s->unified_keys, s->unified_values);
        json_builder_end_object(b);
}

void oci_spec_build_device_nodes(JsonBuilder *b, const OciSpec *s) {
        if (s->n_device_nodes == 0)
                return;
        json_builder_set_member_name(b, "devices");
        json_builder_begin_array(b);
        for (size_t i = 0; i < s->n_device_nodes; i++) {
                const OciDeviceNode *d = &s->device_nodes[i];
                json_builder_begin_object(b);
                oci_json_add_str(b, "path", d->path);
                oci_json_add_str(b, "type", (char[]){ d->type, '\0' });
                oci_json_add_int(b, "major", d->major);
                oci_json_add_int(b, "minor", d->minor);
                oci_json_add_int(b, "fileMode", d->file_mode);
                oci_json_add_int(b, "uid", d->uid);
                oci_json_add_int(b, "gid", d->gid);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

char *oci_spec_resources_json(const OciSpec *s) {
        JsonBuilder *b = json_builder_new();
        oci_spec_build_resources(b, s);
        JsonNode *root = json_builder_get_root(b);
        g_object_unref(b);
        JsonGenerator *g = json_generator_new();
        json_generator_set_root(g, root);
        /* g_malloc'd; glib's allocator is malloc, so callers free() it. */
        gchar *text = json_generator_to_data(g, NULL);
        g_object_unref(g);
        json_node_unref(root);
        return text;
}
