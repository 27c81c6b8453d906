/* The subcommands, in the order --help lists them. Add a command: write cmd-<name>.c
 * defining crioctl_cmd_<name>, declare it here, list it below. */
#include <stddef.h>

#include "crioctl.h"

extern const CrioctlCommand crioctl_cmd_version;
extern const CrioctlCommand crioctl_cmd_info;

const CrioctlCommand *const crioctl_commands[] = {
        &crioctl_cmd_version,
        &crioctl_cmd_info,
        NULL,
};
