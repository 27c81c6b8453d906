/* The crio program: flags, version, the daemon loop. */
#pragma once

#include "config/config.h"
#include "crio/flags.h"
#include "util/error.h"

void crio_print_version(void);
/* Loads the configuration as the flags say: defaults, file, drop-ins, flags; validated.
 * Warnings (unknown keys) are appended to *warnings. */
int crio_load_config(const CrioFlags *flags, CrioConfig **ret, char ***warnings, CrioError *err);
/* instance-lock.c: locks <state_dir>/crio.lock for this process (-EBUSY naming the pid of
 * the crio that holds it); *ret_fd stays open, close-on-exec, until crio exits. */
int crio_instance_lock(const char *state_dir, int *ret_fd, CrioError *err);
/* Runs the daemon until SIGTERM/SIGINT; takes ownership of cfg. */
int crio_daemon_run(const CrioFlags *flags, CrioConfig *cfg, CrioError *err);
