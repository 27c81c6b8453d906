/* The subcommands, in the order --help lists them. Add a command: write cmd-<name>.c
 * defining crioctl_cmd_<name>, declare it here, list it below. */
#include <stddef.h>

#include "crioctl.h"

extern const CrioctlCommand crioctl_cmd_version;
extern const CrioctlCommand crioctl_cmd_info;
extern const CrioctlCommand crioctl_cmd_images;
extern const CrioctlCommand crioctl_cmd_inspecti;
extern const CrioctlCommand crioctl_cmd_rmi;
extern const CrioctlCommand crioctl_cmd_pull;
extern const CrioctlCommand crioctl_cmd_imagefsinfo;

const CrioctlCommand *const crioctl_commands[] = {
        &crioctl_cmd_version,
        &crioctl_cmd_info,
        &crioctl_cmd_images,
        &crioctl_cmd_inspecti,
        &crioctl_cmd_pull,
        &crioctl_cmd_rmi,
        &crioctl_cmd_imagefsinfo,
        NULL,
};
