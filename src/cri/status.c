#include "status.h"

#include <errno.h>

grpc_status_code cri_status_from_errno(int r) {
        switch (r < 0 ? -r : r) {
        case 0:
                return GRPC_STATUS_OK;
        case EINVAL:
        case EBADMSG:
                return GRPC_STATUS_INVALID_ARGUMENT;
        case ENOENT:
        case ESRCH:
                return GRPC_STATUS_NOT_FOUND;
        case EEXIST:
                return GRPC_STATUS_ALREADY_EXISTS;
        case EPERM:
        case EACCES:
                return GRPC_STATUS_PERMISSION_DENIED;
        case ENOSYS:
        case EOPNOTSUPP:
                return GRPC_STATUS_UNIMPLEMENTED;
        case ETIMEDOUT:
                return GRPC_STATUS_DEADLINE_EXCEEDED;
        case ECANCELED:
                return GRPC_STATUS_CANCELLED;
        case ENOMEM:
        case ENOSPC:
        case E2BIG:
        case EMSGSIZE:
                return GRPC_STATUS_RESOURCE_EXHAUSTED;
        case EBUSY:
                return GRPC_STATUS_FAILED_PRECONDITION;
        case EAGAIN:
                return GRPC_STATUS_UNAVAILABLE;
        default:
                return GRPC_STATUS_UNKNOWN;
        }
}

const char *cri_status_name(grpc_status_code code) {
        static const char *const names[] = {
                "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                "UNAUTHENTICATED",
        };
        if ((unsigned) code < sizeof names / sizeof names[0])
                return names[code];
        return "UNKNOWN";
}

int cri_errno_from_status(grpc_status_code code) {
        switch (code) {
        case GRPC_STATUS_OK:
                return 0;
        case GRPC_STATUS_CANCELLED:
                return -ECANCELED;
        case GRPC_STATUS_INVALID_ARGUMENT:
        case GRPC_STATUS_OUT_OF_RANGE:
                return -EINVAL;
        case GRPC_STATUS_DEADLINE_EXCEEDED:
                return -ETIMEDOUT;
        case GRPC_STATUS_NOT_FOUND:
                return -ENOENT;
        case GRPC_STATUS_ALREADY_EXISTS:
                return -EEXIST;
        case GRPC_STATUS_PERMISSION_DENIED:
        case GRPC_STATUS_UNAUTHENTICATED:
                return -EACCES;
        case GRPC_STATUS_RESOURCE_EXHAUSTED:
                return -ENOMEM;
        case GRPC_STATUS_FAILED_PRECONDITION:
        case GRPC_STATUS_ABORTED:
                return -EBUSY;
        case GRPC_STATUS_UNIMPLEMENTED:
                return -ENOSYS;
        case GRPC_STATUS_UNAVAILABLE:
                return -ECONNREFUSED;
        default:
                return -EIO;
        }
}

const char *cri_status_go_name(grpc_status_code code) {
        static const char *const names[] = {
                "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
                "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
                "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
        };
        if ((unsigned) code < sizeof names / sizeof names[0])
                return names[code];
        return "Unknown";
}
