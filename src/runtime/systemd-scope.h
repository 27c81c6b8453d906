/* Talking to systemd (the systemd cgroup manager): transient scope units, as CRI-O does for
 * conmon. crio runs as root, so it uses systemd's private socket (SYSTEMD_PRIVATE_SOCKET, a
 * direct D-Bus connection that needs no bus daemon, as systemctl does as root); one
 * connection per call, no lock held.
 *
 * Errors follow util/error.h; systemd's own D-Bus error message is passed on. */
#pragma once

#include <sys/types.h>

#include "util/error.h"

#define SYSTEMD_PRIVATE_SOCKET "/run/systemd/private"
/* How long a D-Bus call, and the wait for the scope's start job, may take. */
#define SYSTEMD_CALL_TIMEOUT_MS 10000

/* Asks systemd who it is: *ret_version its Version property ("252.39-1~deb12u2"); -ENOTCONN
 * (message naming the socket) when systemd does not answer. *ret_version is the caller's. */
int systemd_version(char **ret_version, CrioError *err);

/* Starts the transient scope unit `scope` ("crio-conmon-<id>.scope") in `slice` holding
 * pid (Delegate=yes, DefaultDependencies=no; systemd removes the scope once its processes
 * are gone) and waits for its start job: when it returns 0 the process is in the scope's
 * cgroup in every hierarchy. A job that ends other than "done" is -EIO naming its result. */
int systemd_scope_start(const char *slice, const char *scope, pid_t pid, const char *description, CrioError *err);
