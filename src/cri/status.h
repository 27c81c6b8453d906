/* Mapping between the error convention (negative errno) and gRPC status codes. */
#pragma once

#include <grpc/status.h>

/* -EINVAL -> INVALID_ARGUMENT, -ENOENT -> NOT_FOUND, -EEXIST -> ALREADY_EXISTS,
 * -EPERM/-EACCES -> PERMISSION_DENIED, -ENOSYS/-EOPNOTSUPP -> UNIMPLEMENTED,
 * -ETIMEDOUT -> DEADLINE_EXCEEDED, -ECANCELED -> CANCELLED, -ENOMEM/-ENOSPC/-E2BIG/-EMSGSIZE
 * -> RESOURCE_EXHAUSTED, -EBUSY -> FAILED_PRECONDITION, -EAGAIN -> UNAVAILABLE, else UNKNOWN. */
grpc_status_code cri_status_from_errno(int r);
const char *cri_status_name(grpc_status_code code);
/* The reverse: a negative errno for a status (UNKNOWN -> -EIO). */
int cri_errno_from_status(grpc_status_code code);
/* Go-style names as crictl prints them: "NotFound", "Unimplemented", ... */
const char *cri_status_go_name(grpc_status_code code);
