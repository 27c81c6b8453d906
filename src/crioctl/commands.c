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
extern const CrioctlCommand crioctl_cmd_runp;
extern const CrioctlCommand crioctl_cmd_stopp;
extern const CrioctlCommand crioctl_cmd_rmp;
extern const CrioctlCommand crioctl_cmd_pods;
extern const CrioctlCommand crioctl_cmd_inspectp;
extern const CrioctlCommand crioctl_cmd_create;
extern const CrioctlCommand crioctl_cmd_start;
extern const CrioctlCommand crioctl_cmd_stop;
extern const CrioctlCommand crioctl_cmd_rm;
extern const CrioctlCommand crioctl_cmd_ps;
extern const CrioctlCommand crioctl_cmd_inspect;
extern const CrioctlCommand crioctl_cmd_logs;
extern const CrioctlCommand crioctl_cmd_exec;
extern const CrioctlCommand crioctl_cmd_stats;
extern const CrioctlCommand crioctl_cmd_statsp;
extern const CrioctlCommand crioctl_cmd_events;
extern const CrioctlCommand crioctl_cmd_update;

const CrioctlCommand *const crioctl_commands[] = {
        &crioctl_cmd_version,
        &crioctl_cmd_info,
        &crioctl_cmd_images,
        &crioctl_cmd_inspecti,
        &crioctl_cmd_pull,
        &crioctl_cmd_rmi,
        &crioctl_cmd_imagefsinfo,
        &crioctl_cmd_runp,
        &crioctl_cmd_stopp,
        &crioctl_cmd_rmp,
        &crioctl_cmd_pods,
        &crioctl_cmd_inspectp,
        &crioctl_cmd_create,
        &crioctl_cmd_start,
        &crioctl_cmd_stop,
        &crioctl_cmd_rm,
        &crioctl_cmd_ps,
        &crioctl_cmd_inspect,
        &crioctl_cmd_logs,
        &crioctl_cmd_exec,
        &crioctl_cmd_stats,
        &crioctl_cmd_statsp,
        &crioctl_cmd_events,
        &crioctl_cmd_update,
        NULL,
};
