#!/usr/bin/env bats
# Pod sandboxes and containers through the CRI: real crio, conmon, runc, overlay, namespaces.

load helpers
load pods

setup_file() { pods_setup_file; }
teardown_file() { pods_teardown_file; }
setup() {
        pods_setup
        start_crio
}
teardown() { teardown_crio_env; }

@test "RunPodSandbox: a ready pod with pinned namespaces, /dev/shm and our pause as its infra process" {
        pod=$(runp web '"labels":{"app":"web"},"annotations":{"a":"1"}')
        [ ${#pod} -eq 64 ]
        run rt PodSandboxStatus "{\"podSandboxId\":\"${pod:0:12}\",\"verbose\":true}"
        [ "$status" -eq 0 ]
        [ "$(jq -r .status.id <<<"$output")" = "$pod" ]
        [ "$(jq -r '.status.state // "SANDBOX_READY"' <<<"$output")" = SANDBOX_READY ]
        [ "$(jq -r .status.metadata.name <<<"$output")" = web ]
        [ "$(jq -r .status.metadata.namespace <<<"$output")" = ns ]
        [ "$(jq -r .status.labels.app <<<"$output")" = web ]
        [ "$(jq -r .status.annotations.a <<<"$output")" = 1 ]
        [ "$(jq -r .status.runtime_handler <<<"$output")" = runc ]
        info=$(jq -r .info.info <<<"$output")
        pid=$(jq -r .pid <<<"$info")
        [ "$pid" -gt 0 ]
        [ "$(cat /proc/$pid/comm)" = pause ]
        # the pause process runs in the pinned network, IPC and UTS namespaces
        for ns in net ipc uts; do
                f=$TESTDIR/run/ns/${ns}ns/$pod
                [ "$(stat -L -c %i "$f")" = "$(stat -L -c %i /proc/$pid/ns/$ns)" ]
                [ "$(stat -L -c %i /proc/self/ns/$ns)" != "$(stat -L -c %i /proc/$pid/ns/$ns)" ]
        done
        [ "$(nsenter --uts=$TESTDIR/run/ns/utsns/$pod hostname)" = web-host ]
        grep -q " $TESTDIR/lib/crio/pods/$pod/shm .* - tmpfs " /proc/self/mountinfo
        # host PID namespace is not the pod's
        [ "$(stat -L -c %i /proc/self/ns/pid)" != "$(stat -L -c %i /proc/$pid/ns/pid)" ]
}

@test "RunPodSandbox refuses bad requests with INVALID_ARGUMENT naming the problem" {
        run rt RunPodSandbox '{"config":{"metadata":{"name":"x","namespace":"ns"}}}'
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*uid* ]]
        run rt RunPodSandbox "{\"config\":$(pod_config x),\"runtimeHandler\":\"nosuch\"}"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*'"nosuch"'* ]]
        run rt RunPodSandbox "{\"config\":$(pod_config x '"linux":{"sysctls":{"vm.swappiness":"1"}}')}"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*vm.swappiness*not\ namespaced* ]]
        # what crio-pinns would refuse is refused before it runs, as it would say it
        run rt RunPodSandbox "{\"config\":$(pod_config x '"linux":{"sysctls":{"net/ipv4/../../../etc":"1"}}')}"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*'sysctl key "net/ipv4/../../../etc" is malformed'* ]]
        run rt RunPodSandbox "{\"config\":$(pod_config x '"linux":{"sysctls":{"net.ipv4.ip_forward":""}}')}"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*'sysctl net.ipv4.ip_forward has an empty value'* ]]
        run rt RunPodSandbox "{\"config\":$(pod_config x '"linux":{"sysctls":{"net.ipv4.ip_forward":"1"},"securityContext":{"namespaceOptions":{"network":"NODE"}}}')}"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*'net.ipv4.ip_forward needs the pod'"'"'s own network namespace'* ]]
        "$PY" -c 'import json,sys; cfg=json.loads(sys.argv[1]); cfg["linux"]={"sysctls":{"net.ipv4.conf.l%d.forwarding" % i: "1" for i in range(257)}}; print(json.dumps({"config": cfg}))' \
                "$(pod_config x)" >"$TESTDIR/many-sysctls.json"
        run rt RunPodSandbox "@$TESTDIR/many-sysctls.json"
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*'257 sysctls'*'more than 256'* ]]
        # nothing was left behind
        [ "$(rt ListPodSandbox | jq '.items | length')" = 0 ]
        [ -z "$(ls "$TESTDIR/lib/crio/pods")" ]
}

@test "a pod name is reserved: the same metadata twice is ALREADY_EXISTS" {
        runp dup >/dev/null
        run rt RunPodSandbox "{\"config\":$(pod_config dup)}"
        [ "$status" -eq 3 ]
        [[ "$output" == *ALREADY_EXISTS*k8s_dup_ns_uid-dup_0* ]]
}

@test "a container runs with the CRI's command, env, working dir and user; its log has the CRI format" {
        pod=$(runp app)
        ctr=$(run_ctr "$pod" main '["/bin/sh","-c","echo out; echo err >&2; echo \"FOO=$FOO\"; pwd; id -u; id -g; printf partial"]' \
                '"envs":[{"key":"FOO","value":"YmFy"}],"workingDir":"/tmp","linux":{"securityContext":{"runAsUser":{"value":"1234"},"runAsGroup":{"value":"99"}}}')
        wait_exited "$ctr"
        st=$(cstatus "$ctr")
        [ "$(jq -r .exit_code <<<"$st")" = 0 ]
        [ "$(jq -r .reason <<<"$st")" = Completed ]
        [ "$(jq -r .log_path <<<"$st")" = "$TESTDIR/pods/app/main.log" ]
        log=$TESTDIR/pods/app/main.log
        grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}[+-][0-9]{2}:[0-9]{2} stdout F out$' "$log"
        grep -q ' stderr F err$' "$log"
        grep -q ' stdout F FOO=bar$' "$log"
        grep -q ' stdout F /tmp$' "$log"
        grep -q ' stdout F 1234$' "$log"
        grep -q ' stdout F 99$' "$log"
        grep -q ' stdout P partial$' "$log"
        [ "$(jq -r .started_at <<<"$st")" -ge "$(jq -r .created_at <<<"$st")" ]
        [ "$(jq -r .finished_at <<<"$st")" -ge "$(jq -r .started_at <<<"$st")" ]
}

@test "exit codes and reasons: Error with the code, and the image's entrypoint/cmd when the CRI gives none" {
        pod=$(runp codes)
        ctr=$(run_ctr "$pod" fail '["/bin/sh","-c","exit 42"]')
        wait_exited "$ctr"
        [ "$(cstatus "$ctr" | jq -r .exit_code)" = 42 ]
        [ "$(cstatus "$ctr" | jq -r .reason)" = Error ]
        # args only: the image's entrypoint (none for busybox) + args
        ctr2=$(run_ctr "$pod" argsonly '[]' '"args":["/bin/echo","from-args"]')
        wait_exited "$ctr2"
        grep -q ' stdout F from-args$' "$TESTDIR/pods/codes/argsonly.log"
}

@test "ListContainers and ListPodSandbox filter by id prefix, pod, state and labels; infra containers are not listed" {
        p1=$(runp one '"labels":{"tier":"a"}')
        p2=$(runp two '"labels":{"tier":"b"}')
        c1=$(run_ctr "$p1" sleeper '["sleep","1000"]' '"labels":{"k":"v"}')
        c2=$(create "$p2" idle '["sleep","1000"]')
        [ "$(rt ListContainers | jq '.containers | length')" = 2 ]
        [ "$(rt ListContainers "{\"filter\":{\"podSandboxId\":\"${p1:0:10}\"}}" | jq -r '.containers[0].id')" = "$c1" ]
        [ "$(rt ListContainers '{"filter":{"state":{"state":"CONTAINER_CREATED"}}}' | jq -r '.containers[].id')" = "$c2" ]
        [ "$(rt ListContainers '{"filter":{"labelSelector":{"k":"v"}}}' | jq -r '.containers[].id')" = "$c1" ]
        [ "$(rt ListContainers "{\"filter\":{\"id\":\"${c2:0:8}\"}}" | jq -r '.containers[].id')" = "$c2" ]
        [ "$(rt ListPodSandbox '{"filter":{"labelSelector":{"tier":"b"}}}' | jq -r '.items[].id')" = "$p2" ]
        [ "$(rt ListPodSandbox "{\"filter\":{\"id\":\"${p1:0:6}\"}}" | jq -r '.items[].id')" = "$p1" ]
        rt StopPodSandbox "{\"podSandboxId\":\"$p2\"}" >/dev/null
        [ "$(rt ListPodSandbox '{"filter":{"state":{"state":"SANDBOX_NOTREADY"}}}' | jq -r '.items[].id')" = "$p2" ]
        [ "$(rt ListPodSandbox '{"filter":{"state":{"state":"SANDBOX_READY"}}}' | jq -r '.items[].id')" = "$p1" ]
}

@test "container requests naming nothing that exists are NOT_FOUND; a second start is FAILED_PRECONDITION" {
        run rt CreateContainer '{"podSandboxId":"ffff","config":{"metadata":{"name":"x"},"image":{"image":"busybox:1"}}}'
        [ "$status" -eq 3 ]
        [[ "$output" == *NOT_FOUND*ffff* ]]
        pod=$(runp nf)
        run rt CreateContainer "{\"podSandboxId\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"x\"},\"image\":{\"image\":\"nosuch:1\"}}}"
        [ "$status" -eq 3 ]
        [[ "$output" == *NOT_FOUND*nosuch* ]]
        run rt StartContainer '{"containerId":"abcdef"}'
        [[ "$output" == *NOT_FOUND*abcdef* ]]
        run rt ContainerStatus '{"containerId":"abcdef"}'
        [[ "$output" == *NOT_FOUND* ]]
        run rt StopContainer '{"containerId":""}'
        [[ "$output" == *INVALID_ARGUMENT*container_id* ]]
        ctr=$(run_ctr "$pod" once '["sleep","1000"]')
        run rt StartContainer "{\"containerId\":\"$ctr\"}"
        [ "$status" -eq 3 ]
        [[ "$output" == *FAILED_PRECONDITION*not\ in\ the\ created\ state* ]]
        # a container name is reserved within the pod
        run rt CreateContainer "{\"podSandboxId\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"once\"},\"image\":{\"image\":\"busybox:1\"}}}"
        [[ "$output" == *ALREADY_EXISTS*k8s_once_nf_ns_uid-nf_0* ]]
        # nothing half-made is left by the failures
        [ "$(ls "$TESTDIR/lib/crio/containers" | wc -l)" = 2 ]
}

@test "StopContainer: SIGTERM first; a container that ignores it is killed at the timeout" {
        pod=$(runp stopper)
        polite=$(run_ctr "$pod" polite '["sleep","1000"]')
        start_s=$(date +%s%N)
        rt StopContainer "{\"containerId\":\"$polite\",\"timeout\":10}" >/dev/null
        elapsed=$(( ($(date +%s%N) - start_s) / 1000000 ))
        [ "$elapsed" -lt 5000 ]
        [ "$(cstatus "$polite" | jq -r .exit_code)" = 143 ]
        stubborn=$(run_ctr "$pod" stubborn '["/bin/sh","-c","trap \"\" TERM; echo ready; while :; do sleep 0.1; done"]')
        for i in $(seq 1 50); do grep -q ready "$TESTDIR/pods/stopper/stubborn.log" 2>/dev/null && break; sleep 0.1; done
        start_s=$(date +%s%N)
        rt StopContainer "{\"containerId\":\"$stubborn\",\"timeout\":2}" >/dev/null
        elapsed=$(( ($(date +%s%N) - start_s) / 1000000 ))
        [ "$elapsed" -ge 1900 ]
        [ "$elapsed" -lt 8000 ]
        [ "$(cstatus "$stubborn" | jq -r .exit_code)" = 137 ]
        # stopping again is fine
        rt StopContainer "{\"containerId\":\"$stubborn\",\"timeout\":2}" >/dev/null
}

@test "a slow StopContainer does not hold up ListContainers or Status" {
        pod=$(runp busy)
        ctr=$(run_ctr "$pod" stubborn '["/bin/sh","-c","trap \"\" TERM; while :; do sleep 0.1; done"]')
        calls() {
                local t0=$(date +%s%N)
                for i in 1 2 3; do rt ListContainers >/dev/null; rt Status >/dev/null; done
                echo $(( ($(date +%s%N) - t0) / 1000000 ))
        }
        idle=$(calls)
        rt StopContainer "{\"containerId\":\"$ctr\",\"timeout\":10}" >/dev/null &
        stopper=$!
        sleep 2 # the stop call is in crio, waiting out its 10 s
        busy=$(calls)
        kill -0 "$stopper" # the stop is still waiting for its timeout
        wait "$stopper"
        echo "idle ${idle} ms, during the stop ${busy} ms" >&2
        # a call held up by the stop would wait for its timeout (8 s more)
        [ "$busy" -lt $((idle * 3 / 2 + 1000)) ]
}

@test "RemovePodSandbox removes containers, namespaces, mounts, conmons and records; both calls are idempotent" {
        pod=$(runp gone)
        ctr=$(run_ctr "$pod" worker '["sleep","1000"]')
        pid=$(pid_of "$ctr")
        conmon=$(cat "$TESTDIR/lib/crio/containers/$ctr/conmon.pid")
        kill -0 "$pid"
        kill -0 "$conmon"
        [ -d /sys/fs/cgroup/memory/crio/crio-$ctr ]
        [ -d /sys/fs/cgroup/pids/crio/crio-$pod ]
        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        [ "$(pstate "$pod")" = SANDBOX_NOTREADY ]
        [ "$(cstatus "$ctr" | jq -r .state)" = CONTAINER_EXITED ]
        run kill -0 "$pid"
        [ "$status" -ne 0 ]
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        [ "$(rt ListPodSandbox | jq '.items | length')" = 0 ]
        [ "$(rt ListContainers | jq '.containers | length')" = 0 ]
        for i in $(seq 1 20); do kill -0 "$conmon" 2>/dev/null || break; sleep 0.1; done
        run kill -0 "$conmon"
        [ "$status" -ne 0 ]
        [ -z "$(find "$TESTDIR/lib/crio/pods" "$TESTDIR/lib/crio/containers" "$TESTDIR/run/exits" -mindepth 1)" ]
        [ -z "$(find "$TESTDIR/run/ns" -mindepth 2)" ]
        [ "$(grep -c "$TESTDIR/lib/crio\|$TESTDIR/run/ns\|overlay-containers\|$TESTDIR/lib/storage/overlay/.*/merged" /proc/self/mountinfo)" = 0 ]
        [ -z "$(ls "$TESTDIR/run/runc")" ]
        [ ! -e /sys/fs/cgroup/memory/crio/crio-$ctr ]
        [ ! -e /sys/fs/cgroup/pids/crio/crio-$pod ]
        # the store has no container left either
        [ "$(jq length "$TESTDIR/lib/storage/overlay-containers/containers.json")" = 0 ]
}

@test "RemoveContainer of a running container kills it and frees its name" {
        pod=$(runp rm)
        ctr=$(run_ctr "$pod" again '["sleep","1000"]')
        rt RemoveContainer "{\"containerId\":\"$ctr\"}" >/dev/null
        rt RemoveContainer "{\"containerId\":\"$ctr\"}" >/dev/null
        run rt ContainerStatus "{\"containerId\":\"$ctr\"}"
        [[ "$output" == *NOT_FOUND* ]]
        ctr2=$(run_ctr "$pod" again '["true"]')
        [ "$ctr2" != "$ctr" ]
}

@test "kill -9 of crio: running containers are untouched, exits while it was down are reported, everything is back" {
        pod=$(runp survivor)
        long=$(run_ctr "$pod" long '["sleep","1000"]')
        short=$(run_ctr "$pod" short '["/bin/sh","-c","sleep 2; exit 5"]')
        created=$(create "$pod" created '["true"]')
        pid=$(pid_of "$long")
        stop_crio KILL
        sleep 3
        start_crio
        [ "$(cat /proc/$pid/comm)" = sleep ]
        [ "$(cstatus "$long" | jq -r .state)" = CONTAINER_RUNNING ]
        [ "$(pid_of "$long")" = "$pid" ]
        [ "$(cstatus "$short" | jq -r .state)" = CONTAINER_EXITED ]
        [ "$(cstatus "$short" | jq -r .exit_code)" = 5 ]
        [ "$(cstatus "$created" | jq -r .state)" = CONTAINER_CREATED ]
        [ "$(pstate "$pod")" = SANDBOX_READY ]
        # names stay reserved after the restart
        run rt CreateContainer "{\"podSandboxId\":\"$pod\",\"config\":{\"metadata\":{\"name\":\"long\"},\"image\":{\"image\":\"busybox:1\"}}}"
        [[ "$output" == *ALREADY_EXISTS* ]]
        # and the restored ones work: start the created one, stop the running one
        start "$created"
        wait_exited "$created"
        rt StopContainer "{\"containerId\":\"$long\",\"timeout\":5}" >/dev/null
        [ "$(cstatus "$long" | jq -r .exit_code)" = 143 ]
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        [ -z "$(ls "$TESTDIR/lib/crio/containers")" ]
}

@test "a crash between steps leaves nothing: an unrecorded container directory is cleaned at start-up" {
        pod=$(runp crashy)
        mkdir -p "$TESTDIR/lib/crio/containers/$(printf 'a%.0s' {1..64})"
        stop_crio KILL
        start_crio
        [ ! -e "$TESTDIR/lib/crio/containers/$(printf 'a%.0s' {1..64})" ]
        [ "$(pstate "$pod")" = SANDBOX_READY ]
}

@test "UpdateRuntimeConfig keeps the pod CIDR (Status verbose shows it) and refuses a malformed one" {
        rt UpdateRuntimeConfig '{"runtimeConfig":{"networkConfig":{"podCidr":"10.88.0.0/16,fd00:10::/64"}}}' >/dev/null
        [ "$(rt Status '{"verbose":true}' | jq -r .info.podCIDR)" = "10.88.0.0/16,fd00:10::/64" ]
        run rt UpdateRuntimeConfig '{"runtimeConfig":{"networkConfig":{"podCidr":"10.88.0.0/33"}}}'
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*10.88.0.0/33* ]]
        [ "$(rt Status '{"verbose":true}' | jq -r .info.podCIDR)" = "10.88.0.0/16,fd00:10::/64" ]
        rt UpdateRuntimeConfig '{}' >/dev/null
}

@test "a pod whose record crio could not read back is refused (INVALID_ARGUMENT), leaving nothing" {
        # 40000 labels: a list of 80000 strings, past the reader's RT_RECORD_MAX_LIST (65536)
        "$PY" -c 'import json,sys; cfg=json.loads(sys.argv[1]); cfg["labels"]={"l%d" % i: "v" for i in range(40000)}; print(json.dumps({"config": cfg}))' \
                "$(pod_config many)" >"$TESTDIR/many.json"
        run rt RunPodSandbox "@$TESTDIR/many.json"
        echo "$output" | cut -c1-300
        [ "$status" -ne 0 ]
        [[ "$output" == *INVALID_ARGUMENT*"could not be read back"*"more than 65536 entries"* ]]
        # an annotation of 1.1 MB: past RT_RECORD_MAX_SIZE
        "$PY" -c 'import json,sys; cfg=json.loads(sys.argv[1]); cfg["annotations"]={"big": "x" * 1100000}; print(json.dumps({"config": cfg}))' \
                "$(pod_config big)" >"$TESTDIR/big.json"
        run rt RunPodSandbox "@$TESTDIR/big.json"
        echo "$output" | cut -c1-300
        [ "$status" -ne 0 ]
        [[ "$output" == *INVALID_ARGUMENT*"more than 1048576"* ]]
        [ "$(rt ListPodSandbox | jq '.items | length')" = 0 ]
        [ "$(ls "$TESTDIR/lib/crio/pods" | wc -l)" = 0 ]
        [ "$(ls "$TESTDIR/lib/crio/containers" | wc -l)" = 0 ]
        # and crio still works
        pod=$(runp fine)
        [ "$(pstate "$pod")" = SANDBOX_READY ]
}
