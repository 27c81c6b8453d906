/* crio --version / crio version: our version, commit, and the libraries we run with. */
#include <glib.h>
#include <grpc/grpc.h>
#include <json-glib/json-glib.h>
#include <protobuf-c/protobuf-c.h>
#include <stdio.h>

#include "crio.h"
#include "util/version.h"

#ifndef CRIO_LIBSYSTEMD_VERSION
#define CRIO_LIBSYSTEMD_VERSION "unknown"
#endif
#ifndef CRIO_GRPC_RELEASE
#define CRIO_GRPC_RELEASE "unknown"
#endif

void crio_print_version(void) {
        printf("crio version %s\n", CRIO_VERSION);
        printf("%-16s %s\n", "GitCommit:", CRIO_GIT_COMMIT);
        printf("%-16s %s\n", "RuntimeName:", CRIO_RUNTIME_NAME);
        printf("%-16s %s\n", "CRI API:", "runtime.v1");
#ifdef __VERSION__
        printf("%-16s %s\n", "Compiler:", __VERSION__);
#endif
        printf("%-16s %s (core %s)\n", "gRPC:", CRIO_GRPC_RELEASE, grpc_version_string());
        printf("%-16s %s\n", "protobuf-c:", protobuf_c_version());
        printf("%-16s %u.%u.%u\n", "GLib:", glib_major_version, glib_minor_version, glib_micro_version);
        printf("%-16s %s\n", "json-glib:", JSON_VERSION_S);
        printf("%-16s %s\n", "libsystemd:", CRIO_LIBSYSTEMD_VERSION);
}
