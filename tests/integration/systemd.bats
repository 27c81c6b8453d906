#!/usr/bin/env bats
# cgroup_manager = "systemd" against a real systemd: each test boots systemd as PID 1 of new
# PID, mount, cgroup, UTS and IPC namespaces (tests/lib/systemd-ns-init; it starts no unit
# of the host) and runs crio there as a transient service (systemd-run, Type=notify), the way
# an operator's unit runs it. Containers then live in scopes "crio-<id>.scope" in the pod's
# slice, conmons in "crio-conmon-<id>.scope"; everything is checked from inside the
# namespaces (systemctl, /proc/<pid>/cgroup, cgroup files). Ending systemd (SIGKILL) ends
# the namespaces with everything in them.

load helpers
load pods

setup_file() { pods_setup_file; }
teardown_file() { pods_teardown_file; }

HIER=

# The v1 controller hierarchies of this host (the namespace mounts the same ones).
v1_controllers() {
        local d
        for d in /sys/fs/cgroup/*/; do
                d=${d%/}
                [ -L "$d" ] && continue
                [ "$(stat -f -c %T "$d")" = cgroupfs ] || continue
                case "${d##*/}" in systemd | unified) continue ;; esac
                echo "${d##*/}"
        done
}

setup() {
        [ -x /lib/systemd/systemd ] || skip "systemd is not installed"
        [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] && [ -d /sys/fs/cgroup/systemd ] ||
                skip "the namespace harness needs a v1 (or hybrid) cgroup layout with a name=systemd hierarchy"
        pods_setup
        SDCG=crio-systemd-test-$$-$BATS_TEST_NUMBER
        HIER="$(v1_controllers | tr '\n' ' ')"
        local h
        for h in $HIER systemd unified; do
                mkdir -p "/sys/fs/cgroup/$h/$SDCG"
                if [ -f "/sys/fs/cgroup/$h/cpuset.cpus" ]; then
                        cat "/sys/fs/cgroup/$h/cpuset.cpus" >"/sys/fs/cgroup/$h/$SDCG/cpuset.cpus"
                        cat "/sys/fs/cgroup/$h/cpuset.mems" >"/sys/fs/cgroup/$h/$SDCG/cpuset.mems"
                fi
        done
        # The launcher joins the new cgroups, then unshare makes them the namespace's root.
        sh -c 'for h in $0; do echo $$ >/sys/fs/cgroup/$h/'"$SDCG"'/cgroup.procs; done
                exec env CGROUP_V1="$1" unshare --pid --fork --mount --cgroup --uts --ipc --propagation private \
                        "$2"' "$HIER systemd unified" "$HIER" "$REPO/tests/lib/systemd-ns-init" \
                </dev/null >"$TESTDIR/systemd.log" 2>&1 &
        LAUNCHER=$!
        SD_PID=
        local i
        for i in $(seq 1 100); do
                SD_PID=$(ps -o pid= --ppid "$LAUNCHER" 2>/dev/null | head -n1 | tr -d ' ')
                if [ -n "$SD_PID" ] && [ "$(cat /proc/"$SD_PID"/comm 2>/dev/null)" = systemd ] &&
                        [ "$(in_ns systemctl is-system-running 2>/dev/null)" = running ]; then
                        break
                fi
                sleep 0.1
        done
        [ "$(in_ns systemctl is-system-running)" = running ] || { cat "$TESTDIR/systemd.log"; false; }
        cat >"$TESTDIR/crio.conf.d/50-systemd.conf" <<EOC
[crio.runtime]
cgroup_manager = "systemd"
EOC
}

teardown() {
        if [ -n "${SD_PID:-}" ]; then
                kill -KILL "$SD_PID" 2>/dev/null || true
                wait "$LAUNCHER" 2>/dev/null || true
        fi
        local h i
        for h in $HIER systemd unified; do
                [ -n "${SDCG:-}" ] && [ -d "/sys/fs/cgroup/$h/$SDCG" ] || continue
                for i in $(seq 1 50); do
                        find "/sys/fs/cgroup/$h/$SDCG" -depth -type d -exec rmdir {} + 2>/dev/null
                        [ -d "/sys/fs/cgroup/$h/$SDCG" ] || break
                        sleep 0.1
                done
        done
        teardown_crio_env
}

# in_ns CMD...: runs CMD in the test machine's namespaces.
in_ns() {
        nsenter -t "$SD_PID" -a "$@"
}

# start_crio_unit: crio as the transient service crio-test.service (Type=notify: systemd-run
# returns once crio said READY=1, or fails with the unit). No default dependencies: they
# would pull in the host's boot (masked in the test machine, see systemd-ns-init).
start_crio_unit() {
        in_ns systemd-run --unit=crio-test --service-type=notify -p DefaultDependencies=no -p TimeoutStartSec=60 \
                -p StandardOutput=append:"$TESTDIR/crio.out" -p StandardError=append:"$TESTDIR/crio.log" \
                "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d" "$@"
        "$CRIOCTL" -r "unix://$SOCK" -t 5s version >/dev/null
}

# unit_prop UNIT PROPERTY: a property of a unit, as systemctl shows it.
unit_prop() {
        in_ns systemctl show -p "$2" --value "$1"
}

# cgroup_of PID CONTROLLER: the process's cgroup path in that hierarchy (inside the namespace).
cgroup_of() {
        in_ns cat "/proc/$1/cgroup" | awk -F: -v c="$2" '$2 == c { print $3 }'
}

# conmon_pid ID: the pid conmon recorded (a pid of the namespace).
conmon_pid() {
        cat "$TESTDIR/lib/crio/containers/$1/conmon.pid"
}

# wait_gone UNIT: until systemd no longer knows the unit (a transient scope goes once empty).
wait_gone() {
        local i
        for i in $(seq 1 50); do
                [ "$(unit_prop "$1" LoadState)" = not-found ] && return 0
                sleep 0.1
        done
        echo "$1 is still there: $(unit_prop "$1" ActiveState)" >&2
        return 1
}

SLICE=kubepods-besteffort-podabc.slice
SLICE_DIR=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podabc.slice
MB=$((1024 * 1024))

@test "systemd: a pod's containers and conmons run in scopes of the pod's slice, with their limits" {
        start_crio_unit
        [ "$(unit_prop crio-test.service ActiveState)" = active ]
        grep -q "cgroup manager systemd (systemd " "$TESTDIR/crio.log"
        pod=$(runp sdpod "\"linux\":{\"cgroupParent\":\"$SLICE\"}")
        ctr=$(run_ctr "$pod" sleeper '["sleep","1000"]' "\"linux\":{\"resources\":{\"memoryLimitInBytes\":$((64 * MB)),\"cpuShares\":512}}")
        pid=$(pid_of "$ctr")
        # The container: its scope, in the slice, holding its process.
        [ "$(unit_prop "crio-$ctr.scope" ActiveState)" = active ]
        [ "$(unit_prop "crio-$ctr.scope" Slice)" = "$SLICE" ]
        [ "$(cgroup_of "$pid" memory)" = "$SLICE_DIR/crio-$ctr.scope" ]
        [ "$(cgroup_of "$pid" name=systemd)" = "$SLICE_DIR/crio-$ctr.scope" ]
        [ "$(in_ns cat "/sys/fs/cgroup/memory$SLICE_DIR/crio-$ctr.scope/memory.limit_in_bytes")" = $((64 * MB)) ]
        [ "$(in_ns cat "/sys/fs/cgroup/cpu$SLICE_DIR/crio-$ctr.scope/cpu.shares")" = 512 ]
        # Its conmon: out of crio's service, in a scope of its own in the same slice.
        cpid=$(conmon_pid "$ctr")
        [ "$(unit_prop "crio-conmon-$ctr.scope" ActiveState)" = active ]
        [ "$(unit_prop "crio-conmon-$ctr.scope" Slice)" = "$SLICE" ]
        [ "$(cgroup_of "$cpid" name=systemd)" = "$SLICE_DIR/crio-conmon-$ctr.scope" ]
        [ "$(cgroup_of "$cpid" memory)" = "$SLICE_DIR/crio-conmon-$ctr.scope" ]
        # The infra container and its conmon too: two container scopes, two conmon scopes.
        in_ns systemctl list-units --no-legend --plain 'crio-*.scope' >"$TESTDIR/scopes"
        cat "$TESTDIR/scopes"
        [ "$(grep -c '^crio-conmon-' "$TESTDIR/scopes")" = 2 ]
        [ "$(grep -vc '^crio-conmon-' "$TESTDIR/scopes")" = 2 ]
        # Stats read the scope's cgroup; an update changes its files.
        [ "$(rt ContainerStats "{\"containerId\":\"$ctr\"}" | jq -r '.stats.memory.working_set_bytes.value | tonumber > 0')" = true ]
        rt UpdateContainerResources "{\"containerId\":\"$ctr\",\"linux\":{\"memoryLimitInBytes\":$((128 * MB)),\"cpuShares\":256}}"
        [ "$(in_ns cat "/sys/fs/cgroup/memory$SLICE_DIR/crio-$ctr.scope/memory.limit_in_bytes")" = $((128 * MB)) ]
        [ "$(in_ns cat "/sys/fs/cgroup/cpu$SLICE_DIR/crio-$ctr.scope/cpu.shares")" = 256 ]
        # ExecSync runs in the container's cgroup.
        out=$(rt ExecSync "{\"containerId\":\"$ctr\",\"cmd\":[\"cat\",\"/proc/self/cgroup\"],\"timeout\":10}" | jq -r '.stdout | @base64d')
        grep -q ":memory:$SLICE_DIR/crio-$ctr.scope\$" <<<"$out" || grep -q ":memory:/\$" <<<"$out"
        # Removal: the scopes and their cgroups go.
        rt StopContainer "{\"containerId\":\"$ctr\",\"timeout\":0}"
        rt RemoveContainer "{\"containerId\":\"$ctr\"}"
        wait_gone "crio-$ctr.scope"
        wait_gone "crio-conmon-$ctr.scope"
        in_ns test ! -e "/sys/fs/cgroup/memory$SLICE_DIR/crio-$ctr.scope"
        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}"
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}"
        for i in $(seq 1 50); do
                [ -z "$(in_ns systemctl list-units --no-legend --plain 'crio-*.scope')" ] && break
                sleep 0.1
        done
        [ -z "$(in_ns systemctl list-units --no-legend --plain 'crio-*.scope')" ]
}

@test "systemd: crio killed and its service stopped leaves containers and conmons running; a new crio takes them back" {
        start_crio_unit
        pod=$(runp sdpod "\"linux\":{\"cgroupParent\":\"$SLICE\"}")
        ctr=$(run_ctr "$pod" sleeper '["sleep","1000"]')
        pid=$(pid_of "$ctr")
        cpid=$(conmon_pid "$ctr")
        crio_pid=$(unit_prop crio-test.service MainPID)
        [ "$crio_pid" -gt 0 ]
        # A crash: SIGKILL to crio alone; systemd then stops the rest of the service's cgroup.
        in_ns systemctl kill --kill-who=main -s KILL crio-test.service
        for i in $(seq 1 50); do
                [ "$(unit_prop crio-test.service ActiveState)" = failed ] && break
                sleep 0.1
        done
        [ "$(unit_prop crio-test.service ActiveState)" = failed ]
        in_ns kill -0 "$pid"
        in_ns kill -0 "$cpid"
        [ "$(unit_prop "crio-$ctr.scope" ActiveState)" = active ]
        [ "$(unit_prop "crio-conmon-$ctr.scope" ActiveState)" = active ]
        in_ns systemctl reset-failed crio-test.service
        start_crio_unit
        [ "$(cstatus "$ctr" | jq -r .state)" = CONTAINER_RUNNING ]
        # A clean stop of the service (systemd ends its whole cgroup) spares them too.
        in_ns systemctl stop crio-test.service
        in_ns kill -0 "$pid"
        in_ns kill -0 "$cpid"
        start_crio_unit
        [ "$(cstatus "$ctr" | jq -r .state)" = CONTAINER_RUNNING ]
        [ "$(rt ContainerStats "{\"containerId\":\"$ctr\"}" | jq -r '.stats.memory.working_set_bytes.value | tonumber > 0')" = true ]
        rt StopContainer "{\"containerId\":\"$ctr\",\"timeout\":0}"
        [ "$(cstatus "$ctr" | jq -r .exit_code)" = 137 ]
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}"
        wait_gone "crio-$ctr.scope"
        wait_gone "crio-conmon-$ctr.scope"
}

@test "systemd: the default parent is system.slice, conmon_cgroup may name a slice, a cgroupfs parent is refused" {
        cat >>"$TESTDIR/crio.conf.d/50-systemd.conf" <<EOC
conmon_cgroup = "conmons.slice"
EOC
        start_crio_unit
        pod=$(runp plain)
        ctr=$(run_ctr "$pod" sleeper '["sleep","1000"]')
        [ "$(unit_prop "crio-$ctr.scope" Slice)" = system.slice ]
        [ "$(cgroup_of "$(pid_of "$ctr")" memory)" = "/system.slice/crio-$ctr.scope" ]
        [ "$(unit_prop "crio-conmon-$ctr.scope" Slice)" = conmons.slice ]
        [ "$(cgroup_of "$(conmon_pid "$ctr")" name=systemd)" = "/conmons.slice/crio-conmon-$ctr.scope" ]
        [ "$(cgroup_of "$(conmon_pid "$ctr")" memory)" = "/conmons.slice/crio-conmon-$ctr.scope" ]
        run rt RunPodSandbox "{\"config\":$(pod_config bad '"linux":{"cgroupParent":"/kubepods/podx"}')}"
        [ "$status" -ne 0 ]
        echo "$output"
        [[ "$output" == *INVALID_ARGUMENT* ]]
        [[ "$output" == *'cgroup_parent "/kubepods/podx": crio'"'"'s cgroup_manager is systemd, which needs a slice'* ]]
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}"
}

@test "systemd: crun through runtime_handler puts its containers in scopes too" {
        command -v crun >/dev/null || skip "crun is not installed"
        # crun talks to systemd over the system bus (runc uses systemd's private socket).
        in_ns systemctl start dbus.service
        for i in $(seq 1 50); do
                in_ns busctl --system status org.freedesktop.systemd1 >/dev/null 2>&1 && break
                sleep 0.1
        done
        cat >>"$TESTDIR/crio.conf.d/50-systemd.conf" <<EOC
[crio.runtime.runtimes.crun]
runtime_path = "$(command -v crun)"
runtime_root = "$TESTDIR/run/crun"
EOC
        start_crio_unit
        out=$(rt RunPodSandbox "{\"config\":$(pod_config cpod "\"linux\":{\"cgroupParent\":\"$SLICE\"}"),\"runtimeHandler\":\"crun\"}") ||
                { echo "$out"; false; }
        pod=$(jq -r .pod_sandbox_id <<<"$out")
        ctr=$(run_ctr "$pod" sleeper '["sleep","1000"]' "\"linux\":{\"resources\":{\"memoryLimitInBytes\":$((64 * MB))}}")
        [ "$(unit_prop "crio-$ctr.scope" Slice)" = "$SLICE" ]
        # crun puts the process (and the limits) in a "container" cgroup below the scope.
        mem=$(cgroup_of "$(pid_of "$ctr")" memory)
        [[ "$mem" == "$SLICE_DIR/crio-$ctr.scope"* ]]
        [ "$(in_ns cat "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes")" = $((64 * MB)) ]
        [ "$(rt ContainerStats "{\"containerId\":\"$ctr\"}" | jq -r '.stats.memory.working_set_bytes.value | tonumber > 0')" = true ]
        rt UpdateContainerResources "{\"containerId\":\"$ctr\",\"linux\":{\"memoryLimitInBytes\":$((128 * MB))}}"
        [ "$(in_ns cat "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes")" = $((128 * MB)) ]
        [ "$(unit_prop "crio-conmon-$ctr.scope" Slice)" = "$SLICE" ]
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}"
        wait_gone "crio-$ctr.scope"
        wait_gone "crio-conmon-$ctr.scope"
}

@test "systemd: cgroup_manager = systemd where systemd does not run stops crio at start with the reason" {
        # Outside the test machine: this host's PID 1 is not systemd.
        [ ! -S /run/systemd/private ] || skip "systemd runs on this host"
        run "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d"
        [ "$status" -ne 0 ]
        echo "$output"
        [[ "$output" == *'cgroup_manager = \"systemd\": systemd does not answer at /run/systemd/private ('*'is systemd running?'* ]]
        run "$CRIO" --config "$TESTDIR/crio.conf" --cgroup-manager cgroupfs --conmon-cgroup system.slice
        [ "$status" -ne 0 ]
        [[ "$output" == *'conmon_cgroup \"system.slice\": with cgroup_manager \"cgroupfs\"'* ]]
}
