/* See systemd-scope.h: sd-bus calls to systemd's Manager. */
#include "runtime/systemd-scope.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "util/cleanup.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define TIMEOUT_USEC ((uint64_t) SYSTEMD_CALL_TIMEOUT_MS * 1000u)

static void bus_closep(sd_bus **b) {
        if (*b)
                sd_bus_flush_close_unref(*b);
}

static uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static int bus_error(CrioError *err, int r, const sd_bus_error *e, const char *what) {
        int code = r < 0 ? -r : EIO;
        if (e && sd_bus_error_is_set(e))
                return crio_error_set(err, code, "%s: %s", what, e->message ? e->message : e->name);
        return crio_error_set_errno(err, code, "%s", what);
}

static int bus_open(sd_bus **ret, CrioError *err) {
        _cleanup_(bus_closep) sd_bus *b = NULL;
        int r = sd_bus_new(&b);
        if (r >= 0)
                r = sd_bus_set_address(b, "unix:path=" SYSTEMD_PRIVATE_SOCKET);
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(b, TIMEOUT_USEC);
        if (r >= 0)
                r = sd_bus_start(b);
        if (r < 0)
                return crio_error_set(err, ENOTCONN, "systemd does not answer at %s (%s): is systemd running?",
                                      SYSTEMD_PRIVATE_SOCKET, strerror(-r));
        *ret = b;
        b = NULL;
        return 0;
}

int systemd_version(char **ret_version, CrioError *err) {
        _cleanup_(bus_closep) sd_bus *b = NULL;
        int r = bus_open(&b, err);
        if (r < 0)
                return r;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char *v = NULL;
        r = sd_bus_get_property_string(b, SD_DEST, SD_PATH, SD_MANAGER, "Version", &e, &v);
        if (r < 0) {
                r = bus_error(err, r, &e, "asking systemd at " SYSTEMD_PRIVATE_SOCKET " for its version");
                sd_bus_error_free(&e);
                return r;
        }
        *ret_version = v;
        return 0;
}

typedef struct JobWait {
        const char *job; /* the job's object path, once known */
        char *result;    /* its result, once removed */
        bool oom;
} JobWait;

/* JobRemoved(u id, o job, s unit, s result): every job's end goes to every direct client. */
static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        (void) ret_error;
        JobWait *w = userdata;
        uint32_t id;
        const char *job = NULL, *unit = NULL, *result = NULL;
        if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0 || !w->job || w->result)
                return 0;
        if (strcmp(job, w->job) == 0 && !(w->result = strdup(result)))
                w->oom = true;
        return 0;
}

static int append_properties(sd_bus_message *m, const char *slice, pid_t pid, const char *description) {
        int r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Slice", "s", slice);
        if (r >= 0 && description)
                r = sd_bus_message_append(m, "(sv)", "Description", "s", description);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t) pid);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Delegate", "b", 1);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "DefaultDependencies", "b", 0);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0); /* no auxiliary units */
        return r;
}

int systemd_scope_start(const char *slice, const char *scope, pid_t pid, const char *description, CrioError *err) {
        _cleanup_(bus_closep) sd_bus *b = NULL;
        int r = bus_open(&b, err);
        if (r < 0)
                return crio_error_prefix(err, "starting scope %s: ", scope);
        JobWait w = { 0 };
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        /* A direct connection has no bus daemon: the match is local, no AddMatch is sent. */
        r = sd_bus_match_signal(b, NULL, NULL, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, &w);
        if (r >= 0)
                r = sd_bus_message_new_method_call(b, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", scope, "fail");
        if (r >= 0)
                r = append_properties(m, slice, pid, description);
        if (r < 0) {
                r = crio_error_set(err, -r, "starting scope %s: building the D-Bus call: %s", scope, strerror(-r));
                goto out;
        }
        r = sd_bus_call(b, m, TIMEOUT_USEC, &e, &reply);
        if (r < 0) {
                bus_error(err, r, &e, "systemd StartTransientUnit");
                r = crio_error_prefix(err, "starting scope %s in %s: ", scope, slice);
                goto out;
        }
        r = sd_bus_message_read(reply, "o", &w.job);
        if (r < 0) {
                r = crio_error_set(err, EPROTO, "starting scope %s: systemd's reply holds no job", scope);
                goto out;
        }
        uint64_t deadline = mono_usec() + TIMEOUT_USEC;
        while (!w.result && !w.oom) {
                r = sd_bus_process(b, NULL);
                if (r < 0) {
                        r = crio_error_set(err, -r, "starting scope %s: reading from systemd: %s", scope, strerror(-r));
                        goto out;
                }
                if (r > 0)
                        continue;
                uint64_t now = mono_usec();
                if (now >= deadline) {
                        r = crio_error_set(err, ETIMEDOUT, "starting scope %s: systemd's job %s did not end within %d ms",
                                           scope, w.job, SYSTEMD_CALL_TIMEOUT_MS);
                        goto out;
                }
                r = sd_bus_wait(b, deadline - now);
                if (r < 0) {
                        r = crio_error_set(err, -r, "starting scope %s: waiting for systemd: %s", scope, strerror(-r));
                        goto out;
                }
        }
        if (w.oom)
                r = crio_error_set(err, ENOMEM, "out of memory");
        else if (strcmp(w.result, "done") != 0)
                r = crio_error_set(err, EIO, "starting scope %s in %s: systemd's job ended \"%s\"", scope, slice, w.result);
        else
                r = 0;
out:
        free(w.result);
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        return r;
}
