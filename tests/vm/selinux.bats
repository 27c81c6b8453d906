#!/usr/bin/env bats
# SELinux labels, in a machine whose kernel has SELinux (tests/lib/lsm-vm boots it with
# LSM_VM_LSM=selinux, permissive, Debian's refpolicy loaded; this machine's kernel has no
# SELinux). Debian's policy has no container types (container_t is not in it: crio refuses
# its lxc_contexts, tested below), so the tests bind-mount an lxc_contexts naming types the
# policy has, svirt_t and svirt_image_t. Permissive: nothing is denied, but every label crio
# and runc set is checked by the kernel and can be read back.

load ../integration/helpers
load ../integration/pods

CONTEXTS=/etc/selinux/default/contexts/lxc_contexts
PROC=system_u:system_r:svirt_t
FILE=system_u:object_r:svirt_image_t

setup_file() {
        selinuxenabled || {
                echo "SELinux is not enabled here: run this file through tests/lib/lsm-vm (LSM_VM_LSM=selinux)" >&2
                return 1
        }
        pods_setup_file
        export TEST_CONTEXTS=$OCI_DIR/lxc_contexts
        printf 'process = "%s:s0"\nfile = "%s:s0"\n' "$PROC" "$FILE" >"$TEST_CONTEXTS"
}
teardown_file() { pods_teardown_file; }
setup() {
        pods_setup
        mount --bind "$TEST_CONTEXTS" "$CONTEXTS"
        printf '[crio.runtime]\nselinux = true\n' >"$TESTDIR/crio.conf.d/50-selinux.conf"
}
teardown() {
        teardown_crio_env
        while grep -q " $CONTEXTS " /proc/self/mountinfo; do umount "$CONTEXTS"; done
}

spec() { # spec ID JQ: a member of the container's (or pod's infra) config.json
        jq -r "$2 // \"none\"" "$TESTDIR/lib/crio/containers/$1/config.json"
}

out() { # out POD NAME: the container's output once it has exited
        local id
        id=$(rt ListContainers "{\"filter\":{\"podSandboxId\":\"$1\"}}" | jq -r ".containers[] | select(.metadata.name == \"$2\") | .id")
        wait_exited "$id" 60 && cut -d' ' -f4- "$(cstatus "$id" | jq -r .log_path)"
}

SHOW='["/bin/sh","-c","cat /proc/self/attr/current; echo; grep -E \" / | /dev/shm | /dev \" /proc/self/mountinfo"]'

@test "selinux: each pod a level of its own; its containers, their root, /dev, /dev/shm and the pod's files carry its labels" {
        start_crio
        grep -q 'SELinux: pods and containers get labels' "$TESTDIR/crio.log"
        pod1=$(runp one)
        pod2=$(runp two)
        p1=$(spec "$pod1" .process.selinuxLabel)
        p2=$(spec "$pod2" .process.selinuxLabel)
        echo "$p1 / $p2"
        [[ "$p1" =~ ^$PROC:s0:c[0-9]+,c[0-9]+$ ]]
        [[ "$p2" =~ ^$PROC:s0:c[0-9]+,c[0-9]+$ ]]
        [ "${p1#$PROC:}" != "${p2#$PROC:}" ]
        level=${p1#$PROC:}
        m1="$FILE:$level"
        [ "$(spec "$pod1" .linux.mountLabel)" = "$m1" ]
        # the pod's /dev/shm and its files
        grep -F " $TESTDIR/lib/crio/pods/$pod1/shm " /proc/self/mountinfo | grep -qF "context=\"$m1\""
        [ "$(stat -c %C "$TESTDIR/lib/crio/pods/$pod1/hostname")" = "$m1" ]
        [ "$(stat -c %C "$TESTDIR/lib/crio/pods/$pod1/resolv.conf")" = "$m1" ]

        ctr=$(run_ctr "$pod1" show "$SHOW")
        text=$(out "$pod1" show)
        echo "$text"
        [ "$(sed -n 1p <<<"$text" | tr -d '\0')" = "$p1" ]
        [ "$(spec "$ctr" .process.selinuxLabel)" = "$p1" ]
        [ "$(spec "$ctr" .linux.mountLabel)" = "$m1" ]
        # the root file system (overlay), /dev (runc's tmpfs) and /dev/shm, all with the pod's file label
        [ "$(grep -c "context=\"$m1\"" <<<"$text")" -ge 3 ]
        grep ' / ' <<<"$text" | grep -q overlay
        # ExecSync runs with the container's label
        sleeper=$(run_ctr "$pod1" sleeper '["sleep","1000"]')
        run rt ExecSync "{\"containerId\":\"$sleeper\",\"cmd\":[\"cat\",\"/proc/self/attr/current\"],\"timeout\":\"60\"}"
        [ "$status" -eq 0 ]
        [ "$(jq -r .stdout <<<"$output" | base64 -d | tr -d '\0')" = "$p1" ]
}

@test "selinux: options of pod and container replace parts; volumes relabelled; privileged, host PID and network; bad options refused" {
        start_crio
        pod=$(runp opts '"linux":{"securityContext":{"selinuxOptions":{"level":"s0:c5,c6"}}}')
        [ "$(spec "$pod" .process.selinuxLabel)" = "$PROC:s0:c5,c6" ]
        [ "$(spec "$pod" .linux.mountLabel)" = "$FILE:s0:c5,c6" ]
        vol=$TESTDIR/vol
        plain=$TESTDIR/plain
        mkdir -p "$vol/sub" "$plain"
        echo x >"$vol/sub/f"
        before=$(stat -c %C "$plain")
        mounts="\"mounts\":[{\"containerPath\":\"/vol\",\"hostPath\":\"$vol\",\"selinuxRelabel\":true},{\"containerPath\":\"/plain\",\"hostPath\":\"$plain\"}]"
        ctr=$(create "$pod" typed '["cat","/proc/self/attr/current"]' "\"linux\":{\"securityContext\":{\"selinuxOptions\":{\"type\":\"unconfined_t\"}}},$mounts")
        # the volume and all in it carry the container's file label (its pod's level); the other is untouched
        for f in "$vol" "$vol/sub" "$vol/sub/f"; do
                [ "$(stat -c %C "$f")" = "$FILE:s0:c5,c6" ]
        done
        [ "$(stat -c %C "$plain")" = "$before" ]
        start "$ctr"
        [ "$(out "$pod" typed | tr -d '\0')" = "system_u:system_r:unconfined_t:s0:c5,c6" ]
        # privileged: no process label (it runs as crio does), the mount label stays
        priv=$(create "$pod" priv '["true"]' '"linux":{"securityContext":{"privileged":true}}')
        [ "$(spec "$priv" .process.selinuxLabel)" = none ]
        [ "$(spec "$priv" .linux.mountLabel)" = "$FILE:s0:c5,c6" ]
        # system directories are never relabelled
        run create "$pod" etc '["true"]' '"mounts":[{"containerPath":"/x","hostPath":"/etc","selinuxRelabel":true}]'
        echo "$output"
        [[ "$output" == *INVALID_ARGUMENT*'SELinux relabeling of /etc is not allowed'* ]]
        run create "$pod" colon '["true"]' '"linux":{"securityContext":{"selinuxOptions":{"type":"a:b"}}}'
        echo "$output"
        [[ "$output" == *INVALID_ARGUMENT*'SELinux type "a:b" has characters a label cannot have'* ]]
        [ "$(rt ListContainers | jq '.containers | length')" = 2 ]
        # a type the policy does not have: no pod
        run runp badtype '"linux":{"securityContext":{"selinuxOptions":{"type":"crio_no_such_t"}}}'
        echo "$output"
        [[ "$output" == *INVALID_ARGUMENT*'SELinux label "system_u:system_r:crio_no_such_t:s0:c'*'" (process) is not valid in the loaded policy'* ]]
        [ "$(rt ListPodSandbox | jq '.items | length')" = 1 ]
        # the host's PID namespace: no labels for the infra container (as CRI-O)
        hpod=$(runp hostpid '"linux":{"securityContext":{"namespaceOptions":{"pid":2}}}')
        [ "$(spec "$hpod" .process.selinuxLabel)" = none ]
        [ "$(spec "$hpod" .linux.mountLabel)" = none ]
        # the host's network: the infra container keeps its labels, containers get no process
        # label (hostnetwork_disable_selinux, true by default as in CRI-O) but a mount label
        npod=$(runp hostnet '"linux":{"securityContext":{"namespaceOptions":{"network":2}}}')
        np=$(spec "$npod" .process.selinuxLabel)
        [[ "$np" =~ ^$PROC:s0:c[0-9]+,c[0-9]+$ ]]
        nctr=$(create "$npod" c '["true"]' '"linux":{"securityContext":{"namespaceOptions":{"network":2}}}')
        [ "$(spec "$nctr" .process.selinuxLabel)" = none ]
        [ "$(spec "$nctr" .linux.mountLabel)" = "$FILE:${np#$PROC:}" ]
}

@test "selinux: a pod keeps its labels over a restart; hostnetwork_disable_selinux = false; Debian's own container contexts stop crio; selinux = false labels nothing" {
        start_crio
        pod=$(runp keep)
        p=$(spec "$pod" .process.selinuxLabel)
        stop_crio KILL
        start_crio
        ctr=$(run_ctr "$pod" after '["cat","/proc/self/attr/current"]')
        [ "$(out "$pod" after | tr -d '\0')" = "$p" ]
        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        stop_crio
        # hostnetwork_disable_selinux = false: host-network containers are labelled like others
        printf '[crio.runtime]\nselinux = true\nhostnetwork_disable_selinux = false\n' >"$TESTDIR/crio.conf.d/50-selinux.conf"
        start_crio
        npod=$(runp hostnet '"linux":{"securityContext":{"namespaceOptions":{"network":2}}}')
        nctr=$(create "$npod" c '["true"]' '"linux":{"securityContext":{"namespaceOptions":{"network":2}}}')
        [ "$(spec "$nctr" .process.selinuxLabel)" = "$(spec "$npod" .process.selinuxLabel)" ]
        stop_crio
        # Debian's policy has no container_t: crio stops, naming the label and the file
        umount "$CONTEXTS"
        run timeout 60 "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *'selinux: SELinux label \"system_u:system_r:container_t:s0\" ('"$CONTEXTS"') is not valid in the loaded policy'* ]]
        # selinux = false: no labels at all, whatever the policy
        printf '[crio.runtime]\nselinux = false\n' >"$TESTDIR/crio.conf.d/50-selinux.conf"
        start_crio
        pod=$(runp off '"linux":{"securityContext":{"selinuxOptions":{"type":"crio_no_such_t"}}}')
        [ "$(spec "$pod" .process.selinuxLabel)" = none ]
        [ "$(spec "$pod" .linux.mountLabel)" = none ]
}
