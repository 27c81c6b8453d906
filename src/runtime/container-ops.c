/* Container operations besides the lifecycle: resource updates and log reopening. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/fileio.h"

#define REOPEN_WAIT_MS 5000

int rt_container_update(Rt *rt, const char *id, const char *resources, CrioError *err) {
        RtContainer *c = NULL;
        int r = rt_container_begin(rt, id, RT_WANT_LIVE, &c, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *path = NULL, *copy = strdup(resources);
        if (!copy || asprintf(&path, "%s/resources.json", c->bundle) < 0) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        if ((r = write_file_atomic(path, resources, strlen(resources), 0600, err)) < 0)
                goto out;
        OciRuntime ort = rt_container_runtime(c);
        r = oci_runtime_update(&ort, c->id, path, err);
        (void) unlink(path);
        if (r < 0)
                goto out;
        pthread_mutex_lock(&rt->lock);
        free(c->resources);
        c->resources = TAKE_PTR(copy);
        pthread_mutex_unlock(&rt->lock);
        r = rt_container_save(rt, c, err);
out:
        rt_container_end(rt, c);
        return r;
}

int rt_container_reopen_log(Rt *rt, const char *id, CrioError *err) {
        RtContainer *c = NULL;
        int r = rt_container_begin(rt, id, RT_WANT_RUNNING, &c, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *ctl = NULL;
        _cleanup_close_ int fd = -1;
        if (asprintf(&ctl, "%s/ctl", c->bundle) < 0) {
                r = crio_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        fd = open(ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                r = crio_error_set_errno(err, errno, "container %s: its conmon does not listen on %s", c->id, ctl);
                goto out;
        }
        if (write(fd, "2 0 0\n", 6) != 6) {
                r = crio_error_set_errno(err, errno, "container %s: asking conmon to reopen the log", c->id);
                goto out;
        }
        for (int waited = 0;; waited += 10) {
                if (access(c->log_path, F_OK) == 0)
                        break;
                if (waited >= REOPEN_WAIT_MS) {
                        r = crio_error_set(err, ETIMEDOUT, "container %s: conmon did not reopen %s within %d ms", c->id,
                                           c->log_path, REOPEN_WAIT_MS);
                        break;
                }
                struct timespec ts = { 0, 10 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
out:
        rt_container_end(rt, c);
        return r;
}
