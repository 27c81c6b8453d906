#!/usr/bin/env bats
# What a container's spec gives it, seen from inside the container and from its cgroup files:
# capabilities, read-only root, privileged, sysctls, host network, resources and their update,
# devices, hugepage limits, unified, log reopening, the crun runtime handler, and a pause_image
# pulled from a registry.

load helpers
load pods
load registry
load pull

setup_file() { pods_setup_file; }
teardown_file() { pods_teardown_file; }
setup() { pods_setup; }
teardown() {
        registry_teardown
        teardown_crio_env
}

# out POD NAME: what the container printed (after it exited).
out() {
        local id
        id=$(rt ListContainers "{\"filter\":{\"podSandboxId\":\"$1\"}}" | jq -r ".containers[] | select(.metadata.name == \"$2\") | .id")
        wait_exited "$id" && cut -d' ' -f4- "$(cstatus "$id" | jq -r .log_path)"
}

caps_of() { # caps_of POD NAME: the CapEff line printed by the container
        out "$1" "$2" | grep CapEff | awk '{print $2}'
}

@test "capabilities: the defaults, add and drop, drop ALL, privileged gets all crio holds" {
        start_crio
        pod=$(runp caps)
        run_ctr "$pod" dflt '["grep","Cap","/proc/self/status"]' >/dev/null
        run_ctr "$pod" added '["grep","Cap","/proc/self/status"]' '"linux":{"securityContext":{"capabilities":{"addCapabilities":["NET_ADMIN"],"dropCapabilities":["KILL"]}}}' >/dev/null
        run_ctr "$pod" none '["grep","Cap","/proc/self/status"]' '"linux":{"securityContext":{"capabilities":{"dropCapabilities":["ALL"]}}}' >/dev/null
        run_ctr "$pod" priv '["grep","Cap","/proc/self/status"]' '"linux":{"securityContext":{"privileged":true}}' >/dev/null
        # CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE = 0x5fb
        [ "$(caps_of "$pod" dflt)" = 00000000000005fb ]
        # + NET_ADMIN (12) - KILL (5)
        [ "$(caps_of "$pod" added)" = 00000000000015db ]
        [ "$(caps_of "$pod" none)" = 0000000000000000 ]
        own=$(grep CapBnd /proc/$CRIO_PID/status | awk '{print $2}')
        [ "$(caps_of "$pod" priv)" = "$own" ]
}

@test "read-only root filesystem, masked /proc paths, and a writable mount from the CRI" {
        start_crio
        pod=$(runp ro)
        mkdir -p "$TESTDIR/vol"
        echo host-data >"$TESTDIR/vol/file"
        run_ctr "$pod" ro '["/bin/sh","-c","touch /x 2>&1 || echo ROOT-RO; cat /data/file; echo w >/data/new && echo DATA-RW; /bin/busybox cat /proc/kcore 2>&1 | head -c 40; echo; cat /ro/file; touch /ro/y 2>/dev/null || echo MOUNT-RO"]' \
                "\"mounts\":[{\"containerPath\":\"/data\",\"hostPath\":\"$TESTDIR/vol\"},{\"containerPath\":\"/ro\",\"hostPath\":\"$TESTDIR/vol\",\"readonly\":true}],\"linux\":{\"securityContext\":{\"readonlyRootfs\":true}}" >/dev/null
        text=$(out "$pod" ro)
        echo "$text"
        grep -qx ROOT-RO <<<"$text"
        [ "$(grep -c '^host-data$' <<<"$text")" = 2 ]
        grep -qx DATA-RW <<<"$text"
        grep -qx MOUNT-RO <<<"$text"
        [ "$(cat "$TESTDIR/vol/new")" = w ]
        # /proc/kcore is masked (bind of /dev/null): reading it gives nothing
        [ "$(grep -c 'ELF' <<<"$text")" = 0 ]
}

@test "sysctls of the pod are set in its namespaces; host network pods share the host's" {
        start_crio
        # a slashed key too (how Kubernetes names keys whose components hold dots)
        pod=$(runp sys '"linux":{"sysctls":{"net.ipv4.ip_unprivileged_port_start":"77","kernel.shmmni":"1234","net/ipv4/conf/lo/forwarding":"1"}}')
        run_ctr "$pod" s '["/bin/sh","-c","cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni; cat /etc/hostname; hostname; cat /proc/sys/net/ipv4/conf/lo/forwarding"]' >/dev/null
        text=$(out "$pod" s)
        [ "$(sed -n 1p <<<"$text")" = 77 ]
        [ "$(sed -n 2p <<<"$text")" = 1234 ]
        [ "$(sed -n 3p <<<"$text")" = sys-host ]
        [ "$(sed -n 4p <<<"$text")" = sys-host ]
        [ "$(sed -n 5p <<<"$text")" = 1 ]
        [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" != 77 ]
        hostpod=$(runp hostnet '"linux":{"securityContext":{"namespaceOptions":{"network":"NODE","pid":"NODE","ipc":"NODE"}}}')
        hc=$(run_ctr "$hostpod" h '["sleep","1000"]')
        pid=$(pid_of "$hc")
        [ "$(stat -L -c %i /proc/$pid/ns/net)" = "$(stat -L -c %i /proc/self/ns/net)" ]
        [ "$(stat -L -c %i /proc/$pid/ns/pid)" = "$(stat -L -c %i /proc/self/ns/pid)" ]
        [ "$(stat -L -c %i /proc/$pid/ns/ipc)" = "$(stat -L -c %i /proc/self/ns/ipc)" ]
        [ -z "$(find "$TESTDIR/run/ns" -name "$hostpod")" ]
}

@test "containers of a pod share its PID namespace (POD) or get their own (CONTAINER)" {
        start_crio
        pod=$(runp pids)
        infra=$(rt PodSandboxStatus "{\"podSandboxId\":\"$pod\",\"verbose\":true}" | jq -r '.info.info | fromjson | .pid')
        shared=$(run_ctr "$pod" shared '["sleep","1000"]')
        own=$(run_ctr "$pod" own '["sleep","1000"]' '"linux":{"securityContext":{"namespaceOptions":{"pid":"CONTAINER"}}}')
        [ "$(stat -L -c %i /proc/$(pid_of "$shared")/ns/pid)" = "$(stat -L -c %i /proc/$infra/ns/pid)" ]
        [ "$(stat -L -c %i /proc/$(pid_of "$own")/ns/pid)" != "$(stat -L -c %i /proc/$infra/ns/pid)" ]
}

@test "cpu and memory limits land in the cgroup files, and UpdateContainerResources changes them" {
        start_crio
        pod=$(runp res)
        ctr=$(run_ctr "$pod" limited '["sleep","1000"]' '"linux":{"resources":{"cpuPeriod":"100000","cpuQuota":"50000","cpuShares":"512","memoryLimitInBytes":"67108864"}}')
        cg=crio/crio-$ctr
        [ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_quota_us)" = 50000 ]
        [ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_period_us)" = 100000 ]
        [ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.shares)" = 512 ]
        [ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 67108864 ]
        # the container's process is in that cgroup
        grep -q ":memory:/$cg\$" /proc/$(pid_of "$ctr")/cgroup
        rt UpdateContainerResources "{\"containerId\":\"$ctr\",\"linux\":{\"cpuPeriod\":\"100000\",\"cpuQuota\":\"20000\",\"cpuShares\":\"256\",\"memoryLimitInBytes\":\"134217728\"}}" >/dev/null
        [ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_quota_us)" = 20000 ]
        [ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.shares)" = 256 ]
        [ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 134217728 ]
        run rt UpdateContainerResources "{\"containerId\":\"$ctr\",\"linux\":{\"oomScoreAdj\":\"5000\"}}"
        [[ "$output" == *INVALID_ARGUMENT*oom_score_adj* ]]
        rt StopContainer "{\"containerId\":\"$ctr\",\"timeout\":1}" >/dev/null
        run rt UpdateContainerResources "{\"containerId\":\"$ctr\",\"linux\":{\"cpuShares\":\"300\"}}"
        [[ "$output" == *FAILED_PRECONDITION*not\ created\ or\ running* ]]
}

@test "conmon_cgroup pod (cgroupfs): conmon leaves crio's cgroup for <parent>/crio-conmon-<id>, removed with the container" {
        start_crio
        pod=$(runp conmoncg '"linux":{"cgroupParent":"/crio-test-pod-'$$'"}')
        ctr=$(run_ctr "$pod" sleeper '["sleep","1000"]')
        cpid=$(cat "$TESTDIR/lib/crio/containers/$ctr/conmon.pid")
        cg=/crio-test-pod-$$/crio-conmon-$ctr
        for h in memory cpu pids; do
                grep -q ":$h:$cg\$" "/proc/$cpid/cgroup"
                grep -qx "$cpid" "/sys/fs/cgroup/$h$cg/cgroup.procs"
        done
        # The infra container's conmon too; crio itself stays where it was.
        [ -d "/sys/fs/cgroup/memory/crio-test-pod-$$/crio-conmon-$pod" ]
        [ -z "$(grep crio-conmon "/proc/$CRIO_PID/cgroup")" ]
        [ "$(jq -r .conmon_cgroup "$TESTDIR/lib/crio/containers/$ctr/state.json")" = "$cg" ]
        rt StopContainer "{\"containerId\":\"$ctr\",\"timeout\":0}" >/dev/null
        rt RemoveContainer "{\"containerId\":\"$ctr\"}" >/dev/null
        for h in memory cpu pids cpuset; do
                [ ! -e "/sys/fs/cgroup/$h$cg" ]
        done
        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        [ ! -e "/sys/fs/cgroup/memory/crio-test-pod-$$/crio-conmon-$pod" ]
        for h in /sys/fs/cgroup/*/crio-test-pod-$$; do rmdir "$h"; done
}

@test "oom_score_adj below crio's own is raised to it (no CAP_SYS_RESOURCE here), and the container runs" {
        start_crio
        pod=$(runp oomadj)
        own=$(cat /proc/$CRIO_PID/oom_score_adj)
        ctr=$(run_ctr "$pod" low '["sleep","1000"]' '"linux":{"resources":{"oomScoreAdj":"-999"}}')
        [ "$(cat /proc/$(pid_of "$ctr")/oom_score_adj)" = "$own" ]
        ctr2=$(run_ctr "$pod" high '["sleep","1000"]' '"linux":{"resources":{"oomScoreAdj":"500"}}')
        [ "$(cat /proc/$(pid_of "$ctr2")/oom_score_adj)" = 500 ]
}

@test "ReopenContainerLog: after the kubelet moves the log away, output goes to a new file" {
        start_crio
        pod=$(runp logs)
        ctr=$(run_ctr "$pod" talker '["/bin/sh","-c","i=0; while :; do echo line$i; i=$((i+1)); sleep 0.1; done"]')
        log=$TESTDIR/pods/logs/talker.log
        sleep 0.5
        mv "$log" "$log.1"
        rt ReopenContainerLog "{\"containerId\":\"$ctr\"}" >/dev/null
        [ -f "$log" ]
        sleep 0.5
        grep -q ' stdout F line' "$log"
        last_old=$(tail -1 "$log.1" | sed 's/.*line//')
        first_new=$(head -1 "$log" | sed 's/.*line//')
        [ "$first_new" -gt "$last_old" ]
        rt StopContainer "{\"containerId\":\"$ctr\",\"timeout\":0}" >/dev/null
        run rt ReopenContainerLog "{\"containerId\":\"$ctr\"}"
        [[ "$output" == *FAILED_PRECONDITION*not\ running* ]]
}

@test "log_size_max: the log starts over when it would pass the limit" {
        echo -e '[crio.runtime]\nlog_size_max = 8192' >"$TESTDIR/crio.conf.d/logmax.conf"
        start_crio
        pod=$(runp big)
        ctr=$(run_ctr "$pod" chatty '["/bin/sh","-c","i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done"]')
        wait_exited "$ctr"
        size=$(stat -c %s "$TESTDIR/pods/big/chatty.log")
        [ "$size" -le 8192 ]
        grep -q ' stdout F line-1999$' "$TESTDIR/pods/big/chatty.log"
}

@test "runtime_handler picks crun from the runtimes table" {
        command -v crun >/dev/null || skip "crun is not installed"
        # crun 1.8 refuses this hybrid cgroup layout; it runs with the unified mount hidden (deps.md)
        cat >"$TESTDIR/crun-wrapper" <<'EOW'
#!/bin/sh
exec unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' crun "$@"
EOW
        chmod +x "$TESTDIR/crun-wrapper"
        export CRUN_WRAPPER=$TESTDIR/crun-wrapper
        cat >"$TESTDIR/crio.conf.d/crun.conf" <<EOC
[crio.runtime.runtimes.crun]
runtime_path = "$TESTDIR/crun-wrapper"
runtime_root = "$TESTDIR/run/crun"
EOC
        start_crio
        run rt RunPodSandbox "{\"config\":$(pod_config crunpod),\"runtimeHandler\":\"crun\"}"
        [ "$status" -eq 0 ]
        pod=$(jq -r .pod_sandbox_id <<<"$output")
        [ "$(rt PodSandboxStatus "{\"podSandboxId\":\"$pod\"}" | jq -r .status.runtime_handler)" = crun ]
        ctr=$(run_ctr "$pod" c '["/bin/sh","-c","echo via-crun; exit 3"]')
        wait_exited "$ctr"
        [ "$(cstatus "$ctr" | jq -r .exit_code)" = 3 ]
        grep -q ' stdout F via-crun$' "$TESTDIR/pods/crunpod/c.log"
        # crun, not runc, holds the state
        [ -d "$TESTDIR/run/crun/$ctr" ]
        [ ! -e "$TESTDIR/run/runc/$ctr" ]
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        [ -z "$(ls "$TESTDIR/run/crun")" ]
}

@test "seccomp: RuntimeDefault (also when the request names none) refuses unshare(CLONE_NEWUSER); Unconfined allows it" {
        start_crio
        pod=$(runp sec)
        cmd='["/bin/sh","-c","/bin/busybox unshare -U /bin/true 2>/dev/null; echo rc=$?; grep Seccomp: /proc/self/status"]'
        run_ctr "$pod" dflt "$cmd" >/dev/null
        run_ctr "$pod" rtdefault "$cmd" '"linux":{"securityContext":{"seccomp":{"profileType":"RuntimeDefault"}}}' >/dev/null
        run_ctr "$pod" unconfined "$cmd" '"linux":{"securityContext":{"seccomp":{"profileType":"Unconfined"}}}' >/dev/null
        [ "$(out "$pod" dflt | tr '\n\t' '  ')" = "rc=1 Seccomp: 2 " ]
        [ "$(out "$pod" rtdefault | tr '\n\t' '  ')" = "rc=1 Seccomp: 2 " ]
        [ "$(out "$pod" unconfined | tr '\n\t' '  ')" = "rc=0 Seccomp: 0 " ]
        # a Localhost profile must exist
        run rt CreateContainer "{\"podSandboxId\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"lh\"},\"image\":{\"image\":\"busybox:1\"},\"linux\":{\"securityContext\":{\"seccomp\":{\"profileType\":\"Localhost\",\"localhostRef\":\"/nonexistent/profile.json\"}}}}}"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*/nonexistent/profile.json* ]]
}

@test "ExecSync: output, stderr and exit code, as the container's user; a timeout is DEADLINE_EXCEEDED" {
        start_crio
        pod=$(runp ex)
        ctr=$(run_ctr "$pod" target '["sleep","1000"]' '"envs":[{"key":"GREETING","value":"aGk="}],"linux":{"securityContext":{"runAsUser":{"value":"4321"}}}')
        run rt ExecSync "{\"containerId\":\"$ctr\",\"cmd\":[\"/bin/sh\",\"-c\",\"echo \$GREETING; id -u; echo oops >&2; exit 3\"],\"timeout\":\"10\"}"
        [ "$status" -eq 0 ]
        [ "$(jq -r .stdout <<<"$output" | base64 -d)" = "$(printf 'hi\n4321')" ]
        [ "$(jq -r .stderr <<<"$output" | base64 -d)" = oops ]
        [ "$(jq -r .exit_code <<<"$output")" = 3 ]
        # large output arrives whole (1 MiB)
        run rt ExecSync "{\"containerId\":\"$ctr\",\"cmd\":[\"/bin/sh\",\"-c\",\"head -c 1048576 /dev/zero | tr '\\\\\\\\0' x\"]}"
        [ "$status" -eq 0 ]
        [ "$(jq -r .stdout <<<"$output" | base64 -d | wc -c)" = 1048576 ]
        t0=$(date +%s%N)
        run rt ExecSync "{\"containerId\":\"$ctr\",\"cmd\":[\"sleep\",\"30\"],\"timeout\":\"1\"}"
        elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
        [ "$status" -eq 3 ]
        [[ "$output" == *DEADLINE_EXCEEDED*timed\ out* ]]
        [ "$elapsed" -lt 8000 ]
        run rt ExecSync "{\"containerId\":\"$ctr\",\"cmd\":[]}"
        [[ "$output" == *INVALID_ARGUMENT*cmd* ]]
        rt StopContainer "{\"containerId\":\"$ctr\",\"timeout\":0}" >/dev/null
        run rt ExecSync "{\"containerId\":\"$ctr\",\"cmd\":[\"true\"]}"
        [[ "$output" == *FAILED_PRECONDITION*not\ running* ]]
}

@test "a container killed by the OOM killer is reported OOMKilled with 137" {
        start_crio
        pod=$(runp oom)
        ctr=$(run_ctr "$pod" hog '["/bin/sh","-c","head -c 200m /dev/zero | tail"]' '"linux":{"resources":{"memoryLimitInBytes":"33554432"}}')
        wait_exited "$ctr" 30
        st=$(cstatus "$ctr")
        echo "$st"
        [ "$(jq -r .reason <<<"$st")" = OOMKilled ]
        [ "$(jq -r .exit_code <<<"$st")" = 137 ]
        ok=$(run_ctr "$pod" fine '["true"]')
        wait_exited "$ok"
        [ "$(cstatus "$ok" | jq -r .reason)" = Completed ]
}

# free_char_major: a character major no driver of this host has (from the LOCAL/EXPERIMENTAL
# ranges, which the kernel never hands out dynamically): opening such a node is ENXIO once the
# device cgroup let it through, EPERM when the cgroup refused it.
free_char_major() {
        local m
        for m in 60 61 62 63 120 121 122 123; do
                sed '/^Block/q' /proc/devices | awk '{print $1}' | grep -qx "$m" || { echo "$m"; return 0; }
        done
        return 1
}

# config_json ID: the container's OCI spec as crio wrote it.
config_json() {
        cat "$TESTDIR/lib/crio/containers/$1/config.json"
}

@test "devices: host nodes at the container's paths with the cgroup access of their permissions, directories of nodes, privileged" {
        major=$(free_char_major) || skip "no free character major here"
        mknod "$TESTDIR/nodev" c "$major" 0
        mkdir -p "$TESTDIR/devdir/sub"
        mknod "$TESTDIR/devdir/n" c 1 3
        mknod "$TESTDIR/devdir/sub/z" c 1 5
        ln -s /dev/null "$TESTDIR/devdir/link"
        start_crio
        pod=$(runp dev)
        cmd='["/bin/sh","-c","ls -l /dev/mynull; echo x >/dev/mynull && echo WROTE-NULL; echo x >/dev/nodev; cat /dev/nodev"]'
        run_ctr "$pod" rw "$cmd" "\"devices\":[{\"containerPath\":\"/dev/mynull\",\"hostPath\":\"/dev/null\",\"permissions\":\"rw\"},{\"containerPath\":\"/dev/nodev\",\"hostPath\":\"$TESTDIR/nodev\",\"permissions\":\"rw\"}]" >/dev/null
        run_ctr "$pod" ro "$cmd" "\"devices\":[{\"containerPath\":\"/dev/nodev\",\"hostPath\":\"$TESTDIR/nodev\",\"permissions\":\"r\"}]" >/dev/null
        run_ctr "$pod" dir '["/bin/sh","-c","stat -c \"%t:%T %n\" /dev/dd/n /dev/dd/sub/z; ls /dev/dd; echo x >/dev/dd/n && echo WROTE-DD; head -c 3 /dev/dd/sub/z >/dev/null && echo READ-DD"]' \
                "\"devices\":[{\"containerPath\":\"/dev/dd\",\"hostPath\":\"$TESTDIR/devdir\",\"permissions\":\"rw\"}]" >/dev/null
        run_ctr "$pod" priv "$cmd" "\"devices\":[{\"containerPath\":\"/dev/mynull\",\"hostPath\":\"/dev/null\",\"permissions\":\"r\"},{\"containerPath\":\"/dev/nodev\",\"hostPath\":\"$TESTDIR/nodev\",\"permissions\":\"r\"}],\"linux\":{\"securityContext\":{\"privileged\":true}}" >/dev/null
        text=$(out "$pod" rw)
        echo "$text"
        grep -Eq '^crw-rw-rw- +1 root +root +1, +3 .*/dev/mynull$' <<<"$text"
        grep -qx WROTE-NULL <<<"$text"
        # the cgroup let both through: the node has no driver
        [ "$(grep -c 'No such device or address' <<<"$text")" = 2 ]
        text=$(out "$pod" ro)
        echo "$text"
        grep -q "can't create /dev/nodev: Operation not permitted" <<<"$text"
        grep -q "can't open '/dev/nodev': No such device or address" <<<"$text"
        text=$(out "$pod" dir)
        echo "$text"
        grep -qx '1:3 /dev/dd/n' <<<"$text"
        grep -qx '1:5 /dev/dd/sub/z' <<<"$text"
        [ "$(grep -c link <<<"$text")" = 0 ] # symbolic links inside are skipped
        grep -qx WROTE-DD <<<"$text"
        grep -qx READ-DD <<<"$text"
        # privileged allows every device; the nodes are made all the same
        text=$(out "$pod" priv)
        echo "$text"
        grep -Eq '^crw-rw-rw- +1 root +root +1, +3 .*/dev/mynull$' <<<"$text"
        grep -qx WROTE-NULL <<<"$text"
        [ "$(grep -c 'No such device or address' <<<"$text")" = 2 ]
        # what is not a device, and bad permissions, are refused naming them
        for dev in "/nonexistent/dev|rw|/nonexistent/dev" "$TESTDIR/crio.conf|rw|neither a device node nor a directory" \
                "$TESTDIR/crio.conf.d|rw|directory without device nodes" "/dev/null|rwx|\"rwx\""; do
                IFS='|' read -r host perm says <<<"$dev"
                run rt CreateContainer "{\"podSandboxId\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"bad\"},\"image\":{\"image\":\"busybox:1\"},\"devices\":[{\"containerPath\":\"/dev/x\",\"hostPath\":\"$host\",\"permissions\":\"$perm\"}]}}"
                echo "$output"
                [ "$status" -eq 3 ]
                [[ "$output" == *INVALID_ARGUMENT*"$says"* ]]
        done
        [ "$(rt ListContainers "{\"filter\":{\"podSandboxId\":\"$pod\"}}" | jq '.containers | length')" = 4 ]
}

# host_node: a character device node of this host's /dev that runc does not make itself.
host_node() {
        local n
        for n in loop-control fuse kmsg autofs tty0 tty1 hwrng btrfs-control cpu_dma_latency; do
                [ -c "/dev/$n" ] && { echo "/dev/$n"; return 0; }
        done
        return 1
}

@test "additional_devices go to every container (not the infra one); privileged containers get the host's /dev nodes" {
        major=$(free_char_major) || skip "no free character major here"
        node=$(host_node) || skip "no device node to look for in /dev"
        mknod "$TESTDIR/nodev" c "$major" 7
        cat >"$TESTDIR/crio.conf.d/60-devices.conf" <<EOC
[crio.runtime]
additional_devices = ["$TESTDIR/nodev:/dev/extra:rw", "/dev/null:/dev/cfgnull", "/dev/zero:r"]
EOC
        start_crio
        pod=$(runp cfgdev)
        cmd='["/bin/sh","-c","stat -c \"%t:%T %n\" /dev/extra /dev/cfgnull /dev/zero; echo x >/dev/extra; echo x >/dev/cfgnull && echo WROTE; ls '"$node"' /dev/console /dev/pts/ptmx 2>&1"]'
        plain=$(run_ctr "$pod" plain "$cmd")
        priv=$(run_ctr "$pod" priv "$cmd" '"linux":{"securityContext":{"privileged":true}}')
        text=$(out "$pod" plain)
        echo "$text"
        grep -qx "$(printf '%x' "$major"):7 /dev/extra" <<<"$text"
        grep -qx '1:3 /dev/cfgnull' <<<"$text"
        grep -qx '1:5 /dev/zero' <<<"$text"
        grep -q "can't create /dev/extra: No such device or address" <<<"$text" # the cgroup let it through
        grep -qx WROTE <<<"$text"
        grep -q "$node: No such file or directory" <<<"$text"
        # the rules of the configured permissions
        config_json "$plain" | jq -e --argjson m "$major" '.linux.resources.devices[] | select(.major == $m and .minor == 7 and .access == "rw" and .allow)'
        # "/dev/zero:r" is the host path and the mode, as CRI-O reads it (the default rules
        # still allow /dev/zero rwm, so only the spec tells)
        config_json "$plain" | jq -e '.linux.resources.devices[] | select(.major == 1 and .minor == 5 and .access == "r" and .allow)'
        config_json "$plain" | jq -e '.linux.devices[] | select(.path == "/dev/zero" and .major == 1 and .minor == 5)'
        # the infra container gets none of them
        [ "$(config_json "$pod" | jq '[.linux.devices[]? | select(.path == "/dev/extra" or .path == "/dev/cfgnull")] | length')" = 0 ]
        text=$(out "$pod" priv)
        echo "$text"
        grep -qx "$(printf '%x' "$major"):7 /dev/extra" <<<"$text"
        [ -z "$(grep "$node: No such file" <<<"$text")" ]
        grep -qx "$node" <<<"$text"
        # the host's nodes at their paths, but not its console, pts, shm or mqueue
        spec=$(config_json "$priv")
        jq -e --arg n "$node" '.linux.devices[] | select(.path == $n)' <<<"$spec"
        [ "$(jq '[.linux.devices[] | select(.path == "/dev/console" or (.path | test("^/dev/(pts|shm|mqueue|fd)/")))] | length' <<<"$spec")" = 0 ]
        [ "$(jq '[.linux.devices[] | select(.major == 0 and .minor == 0)] | length' <<<"$spec")" = 0 ]
        [ "$(config_json "$plain" | jq --arg n "$node" '[.linux.devices[]? | select(.path == $n)] | length')" = 0 ]
        stop_crio
        # a configured device the host lacks stops crio at start, naming it
        echo 'additional_devices = ["/dev/crio-test-missing:/dev/x:rw"]' >>"$TESTDIR/crio.conf.d/60-devices.conf"
        sed -i '/nodev:/d' "$TESTDIR/crio.conf.d/60-devices.conf"
        run timeout 10 "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *'additional_devices: device host_path /dev/crio-test-missing: No such file or directory'* ]]
        printf '[crio.runtime]\nadditional_devices = ["/dev/null:/dev/x:rwr"]\n' >"$TESTDIR/crio.conf.d/60-devices.conf"
        run timeout 10 "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d"
        [ "$status" -ne 0 ]
        [[ "$output" == *'each once'* ]]
        # as CRI-O: a container path outside /dev/ is refused
        printf '[crio.runtime]\nadditional_devices = ["/dev/null:/tmp/null"]\n' >"$TESTDIR/crio.conf.d/60-devices.conf"
        run timeout 10 "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *'additional_devices'*'/dev/null:/tmp/null'* ]]
}

@test "hugepage limits: a size the host offers lands in the hugetlb cgroup (left out without one); another size is INVALID_ARGUMENT" {
        start_crio
        pod=$(runp huge)
        for size in 3MB 2mb; do
                run rt CreateContainer "{\"podSandboxId\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"h$size\"},\"image\":{\"image\":\"busybox:1\"},\"linux\":{\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"$size\",\"limit\":\"4194304\"}]}}}}"
                echo "$output"
                [ "$status" -eq 3 ]
                [[ "$output" == *INVALID_ARGUMENT*"$size"* ]]
        done
        [[ "$output" == *'"2mb" is not a size like "2MB"'* ]]
        [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "this host has no 2MB hugepages"
        ctr=$(run_ctr "$pod" huge '["sleep","1000"]' '"linux":{"resources":{"hugepageLimits":[{"pageSize":"2MB","limit":"4194304"}]}}')
        [ "$(cstatus "$ctr" | jq -r .state)" = CONTAINER_RUNNING ]
        # UpdateContainerResources goes through the same builder
        run rt UpdateContainerResources "{\"containerId\":\"$ctr\",\"linux\":{\"hugepageLimits\":[{\"pageSize\":\"3MB\",\"limit\":\"1\"}]}}"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*3MB* ]]
        if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
                [ "$(cat /sys/fs/cgroup/crio/crio-$ctr/hugetlb.2MB.max)" = 4194304 ]
        elif [ "$(stat -f -c %T /sys/fs/cgroup/hugetlb 2>/dev/null)" = cgroupfs ]; then
                [ "$(cat /sys/fs/cgroup/hugetlb/crio/crio-$ctr/hugetlb.2MB.limit_in_bytes)" = 4194304 ]
        else
                # no v1 hugetlb hierarchy for runc to write to: the limits are left out (as
                # CRI-O does), else runc would refuse every container the kubelet asks for
                config_json "$ctr" | jq -e '.linux.resources.hugepageLimits == null'
                return 0
        fi
        config_json "$ctr" | jq -e '.linux.resources.hugepageLimits == [{"pageSize":"2MB","limit":4194304}]'
}

@test "unified resources need cgroup v2: on v1 CreateContainer and UpdateContainerResources refuse them naming the key" {
        [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || skip "a cgroup v2 host"
        start_crio
        pod=$(runp uni)
        run rt CreateContainer "{\"podSandboxId\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"u\"},\"image\":{\"image\":\"busybox:1\"},\"linux\":{\"resources\":{\"unified\":{\"memory.high\":\"max\"}}}}}"
        echo "$output"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*'"memory.high" needs cgroup v2'* ]]
        [ "$(rt ListContainers | jq '.containers | length')" = 0 ]
        ctr=$(run_ctr "$pod" plain '["sleep","1000"]')
        run rt UpdateContainerResources "{\"containerId\":\"$ctr\",\"linux\":{\"cpuShares\":\"300\",\"unified\":{\"pids.max\":\"10\"}}}"
        echo "$output"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*'"pids.max" needs cgroup v2'* ]]
        [ "$(cat /sys/fs/cgroup/cpu/crio/crio-$ctr/cpu.shares)" != 300 ]
}

@test "pause_image not in the store is pulled (with pause_image_auth_file) before the pod runs; a failing pull names it and leaves nothing" {
        registry_start infra --htpasswd
        registry_push "oci:$OCI_DIR/pause:1" "$REG_INFRA_ADDR/infra/pause:1"
        pull_conf_setup
        registry_write_registries_conf "$TESTDIR/registries.conf" infra
        registry_write_auth_json "$TESTDIR/pause-auth.json" infra
        image_conf "pause_image = \"$REG_INFRA_ADDR/infra/pause:1\"" "pause_image_auth_file = \"$TESTDIR/pause-auth.json\""
        start_pull_crio
        pause_id=$(jq -r .pause.id "$OCI_DIR/images.json")
        run cri_client call ImageService ImageStatus "{\"image\":{\"image\":\"$REG_INFRA_ADDR/infra/pause:1\"}}"
        [ "$(jq -r '.image.id // empty' <<<"$output")" = "" ]
        pod=$(runp paused)
        [ "$(pstate "$pod")" = SANDBOX_READY ]
        run cri_client call ImageService ImageStatus "{\"image\":{\"image\":\"$REG_INFRA_ADDR/infra/pause:1\"}}"
        [ "$(jq -r .image.id <<<"$output")" = "$pause_id" ]
        # the infra process is the image's /pause
        pid=$(rt PodSandboxStatus "{\"podSandboxId\":\"$pod\",\"verbose\":true}" | jq -r '.info.info | fromjson | .pid')
        [ "$(cat /proc/$pid/comm)" = pause ]
        cmp "$BUILD/pause" "/proc/$pid/root/pause"

        # an image the registry does not have: the error names it, and nothing is left
        stop_crio
        image_conf "pause_image = \"$REG_INFRA_ADDR/infra/nosuch:1\"" "pause_image_auth_file = \"$TESTDIR/pause-auth.json\""
        start_pull_crio
        before=$(store_state)
        run rt RunPodSandbox "{\"config\":$(pod_config nopause)}"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"RunPodSandbox: pulling pause_image $REG_INFRA_ADDR/infra/nosuch:1"* ]]
        [ "$(store_state)" = "$before" ]
        [ "$(rt ListPodSandbox | jq -r '[.items[].id] | join(" ")')" = "$pod" ]
        [ "$(ls "$TESTDIR/lib/crio/pods")" = "$pod" ]
        [ "$(ls "$TESTDIR/run/ns/netns")" = "$pod" ]
}
