/* Leaving the caller: conmon must outlive crio.
 *
 *   caller ── conmon (exits when the monitor is ready, 0, or failed, 1)
 *                └─ setsid() ── fork ── exits
 *                                 └─ the monitor: not a session leader, parent is init
 *                                    (or the caller's subreaper)
 *
 * detach() returns in the monitor with the write end of a readiness pipe; detach_ready()
 * tells the waiting first process to exit 0. If the monitor exits (or closes the fd) first,
 * the first process exits 1: so when `conmon` returns 0, its pid file is written. */
#pragma once

#include "util/error.h"

/* Returns the readiness fd (>= 0) in the monitor; the other processes never return. */
int detach(CrioError *err);
/* Reports readiness on fd and closes it. */
void detach_ready(int fd);
