/* AppArmor, as CRI-O uses it: where the host's kernel has AppArmor enabled, every container
 * that is not privileged runs under a profile: crio's own "crio-default" (written here,
 * loaded with apparmor_parser at start and again when it is missing), a profile the
 * request names that the host has loaded, or none ("unconfined"). Where AppArmor is not
 * enabled, nothing is set and requests' AppArmor fields are ignored (as CRI-O). */
#pragma once

#include <stdbool.h>

#include "util/error.h"

#define APPARMOR_DEFAULT_PROFILE "crio-default"
#define APPARMOR_UNCONFINED "unconfined"
/* Bytes of the kernel's list of loaded profiles read, at most. */
#define APPARMOR_PROFILES_MAX (16u * 1024u * 1024u)
/* Bytes in a profile name a request or crio.conf gives. */
#define APPARMOR_NAME_MAX 1024
#define APPARMOR_PARSER_TIMEOUT_MS 60000

/* The CRI's SecurityProfile.ProfileType values. */
typedef enum AppArmorType {
        APPARMOR_RUNTIME_DEFAULT = 0,
        APPARMOR_TYPE_UNCONFINED = 1,
        APPARMOR_LOCALHOST = 2,
} AppArmorType;

typedef struct AppArmorRequest {
        bool has_profile;          /* the structured field (apparmor) is set */
        AppArmorType type;
        const char *localhost_ref; /* for APPARMOR_LOCALHOST */
        const char *deprecated;    /* apparmor_profile: "runtime/default", "unconfined", "localhost/<name>" */
} AppArmorRequest;

/* The kernel has AppArmor enabled (/sys/module/apparmor/parameters/enabled is "Y"). The
 * environment variable CRIO_APPARMOR_ROOT, when set, replaces "/sys" (tests). */
bool apparmor_enabled(void);

/* The profile a container gets, by CRI-O's rules: the structured field first, then the
 * deprecated one; none of them, or RuntimeDefault, is default_profile (crio.conf's
 * apparmor_profile). -EINVAL naming the problem for an empty or malformed localhost name. */
int apparmor_profile_select(const AppArmorRequest *req, const char *default_profile, char **ret, CrioError *err);

/* 1 if the host has the profile loaded, 0 if not. */
int apparmor_profile_loaded(const char *name, CrioError *err);

/* The text of crio's default profile. */
char *apparmor_default_profile_text(void);

/* Loads (or replaces) crio-default with apparmor_parser, found in the PATH of envp. */
int apparmor_install_default(CrioError *err);

/* What crio does with crio.conf's apparmor_profile at start (and at a reload): "" or
 * "crio-default" installs the default profile; "unconfined" needs nothing; any other name
 * must be loaded already. -ENOENT naming a profile that is not loaded. */
int apparmor_prepare(const char *configured, CrioError *err);

/* A profile a container runs under: crio-default is installed again when the host lost
 * it, "unconfined" is always there, any other must be loaded (-ENOENT naming it). */
int apparmor_ensure(const char *profile, CrioError *err);
