#!/usr/bin/env bats
# AppArmor, in a machine whose kernel has it (tests/lib/lsm-vm runs this file there; this
# machine's kernel has no AppArmor): crio loads its crio-default profile and puts every
# container that is not privileged under it, or under the profile the request names.

load ../integration/helpers
load ../integration/pods

TEST_PROFILE=crio-test-profile

setup_file() {
        [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] || {
                echo "AppArmor is not enabled here: run this file through tests/lib/lsm-vm" >&2
                return 1
        }
        pods_setup_file
}
teardown_file() { pods_teardown_file; }
setup() { pods_setup; }
teardown() {
        teardown_crio_env
        echo "profile $TEST_PROFILE {}" | apparmor_parser --remove >/dev/null 2>&1 || true
}

# out POD NAME: the container's output once it has exited.
out() {
        local id
        id=$(rt ListContainers "{\"filter\":{\"podSandboxId\":\"$1\"}}" | jq -r ".containers[] | select(.metadata.name == \"$2\") | .id")
        wait_exited "$id" 60 && cut -d' ' -f4- "$(cstatus "$id" | jq -r .log_path)"
}

loaded() {
        grep -q "^$1 (enforce)\$" /sys/kernel/security/apparmor/profiles
}

load_test_profile() {
        apparmor_parser --replace --skip-cache <<EOP
profile $TEST_PROFILE flags=(attach_disconnected,mediate_deleted) {
  file,
  network,
  capability,
  umount,
  mount,
  signal,
  ptrace,
}
EOP
}

SHOW='["/bin/sh","-c","cat /proc/self/attr/current; echo; mkdir -p /mnt/t && mount -t tmpfs t /mnt/t && echo MOUNTED"]'
SYSADMIN='"capabilities":{"addCapabilities":["SYS_ADMIN"]}'

@test "apparmor: crio-default by default and for RuntimeDefault; Unconfined, Localhost and the deprecated field pick others; privileged gets none" {
        start_crio
        grep -qF 'AppArmor: containers run under \"crio-default\"' "$TESTDIR/crio.log"
        loaded crio-default
        load_test_profile
        pod=$(runp aa)
        run_ctr "$pod" dflt "$SHOW" "\"linux\":{\"securityContext\":{$SYSADMIN}}" >/dev/null
        run_ctr "$pod" rtdefault "$SHOW" "\"linux\":{\"securityContext\":{$SYSADMIN,\"apparmor\":{\"profileType\":\"RuntimeDefault\"}}}" >/dev/null
        run_ctr "$pod" unconfined "$SHOW" "\"linux\":{\"securityContext\":{$SYSADMIN,\"apparmor\":{\"profileType\":\"Unconfined\"}}}" >/dev/null
        run_ctr "$pod" local "$SHOW" "\"linux\":{\"securityContext\":{$SYSADMIN,\"apparmor\":{\"profileType\":\"Localhost\",\"localhostRef\":\"$TEST_PROFILE\"}}}" >/dev/null
        run_ctr "$pod" olddefault "$SHOW" "\"linux\":{\"securityContext\":{$SYSADMIN,\"apparmorProfile\":\"runtime/default\"}}" >/dev/null
        run_ctr "$pod" oldlocal "$SHOW" "\"linux\":{\"securityContext\":{$SYSADMIN,\"apparmorProfile\":\"localhost/$TEST_PROFILE\"}}" >/dev/null
        run_ctr "$pod" priv "$SHOW" '"linux":{"securityContext":{"privileged":true}}' >/dev/null
        for c in dflt rtdefault olddefault; do
                text=$(out "$pod" "$c")
                echo "$c: $text"
                [ "$(sed -n 1p <<<"$text")" = "crio-default (enforce)" ]
                # the profile denies the mount that CAP_SYS_ADMIN would allow
                grep -q 'Permission denied' <<<"$text"
                ! grep -q MOUNTED <<<"$text" || false
        done
        for c in unconfined priv; do
                text=$(out "$pod" "$c")
                echo "$c: $text"
                [ "$(sed -n 1p <<<"$text")" = unconfined ]
                grep -qx MOUNTED <<<"$text"
        done
        for c in local oldlocal; do
                text=$(out "$pod" "$c")
                echo "$c: $text"
                [ "$(sed -n 1p <<<"$text")" = "$TEST_PROFILE (enforce)" ]
                grep -qx MOUNTED <<<"$text"
        done
        # ExecSync runs under the container's profile
        ctr=$(run_ctr "$pod" sleeper '["sleep","1000"]')
        run rt ExecSync "{\"containerId\":\"$ctr\",\"cmd\":[\"cat\",\"/proc/self/attr/current\"],\"timeout\":\"60\"}"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(jq -r .stdout <<<"$output" | base64 -d | tr -d '\0')" = "crio-default (enforce)" ]
        # the spec says it too
        [ "$(jq -r .process.apparmorProfile "$TESTDIR/lib/crio/containers/$ctr/config.json")" = crio-default ]
}

@test "apparmor: a Localhost profile the host has not loaded is NOT_FOUND, an empty or malformed one INVALID_ARGUMENT" {
        start_crio
        pod=$(runp aabad)
        run create "$pod" nosuch '["true"]' '"linux":{"securityContext":{"apparmor":{"profileType":"Localhost","localhostRef":"crio-no-such-profile"}}}'
        echo "$output"
        [[ "$output" == *NOT_FOUND*'AppArmor profile "crio-no-such-profile" is not loaded'* ]]
        run create "$pod" empty '["true"]' '"linux":{"securityContext":{"apparmor":{"profileType":"Localhost"}}}'
        [[ "$output" == *INVALID_ARGUMENT*'empty localhost AppArmor profile'* ]]
        run create "$pod" old '["true"]' '"linux":{"securityContext":{"apparmorProfile":"docker-default"}}'
        [[ "$output" == *INVALID_ARGUMENT*'"docker-default" is not runtime/default, unconfined or localhost/<name>'* ]]
        [ "$(rt ListContainers | jq '.containers | length')" = 0 ]
}

@test "apparmor: crio-default is loaded again when the host lost it; apparmor_profile = unconfined or an unloaded name" {
        start_crio
        pod=$(runp aaload)
        echo "profile crio-default {}" | apparmor_parser --remove
        ! loaded crio-default || false
        run_ctr "$pod" again '["cat","/proc/self/attr/current"]' >/dev/null
        [ "$(out "$pod" again)" = "crio-default (enforce)" ]
        loaded crio-default
        stop_crio
        printf '[crio.runtime]\napparmor_profile = "crio-no-such-profile"\n' >"$TESTDIR/crio.conf.d/50-aa.conf"
        run timeout 60 "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *'apparmor_profile: AppArmor profile \"crio-no-such-profile\" is not loaded on this host'* ]]
        printf '[crio.runtime]\napparmor_profile = "unconfined"\n' >"$TESTDIR/crio.conf.d/50-aa.conf"
        start_crio
        pod2=$(runp aaunconf)
        run_ctr "$pod2" u '["cat","/proc/self/attr/current"]' >/dev/null
        [ "$(out "$pod2" u)" = unconfined ]
}
