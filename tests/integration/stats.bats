#!/usr/bin/env bats
# ContainerStats, ListContainerStats, PodSandboxStats, ListPodSandboxStats: cpu from the cgroup
# (and usage_nano_cores from the previous sample), memory, the writable layer's usage, pod sums,
# filters and errors. See src/cri/stats-convert.h.

load helpers
load pods

setup_file() { pods_setup_file; }
teardown_file() { pods_teardown_file; }
setup() {
        pods_setup
        start_crio
}
teardown() { teardown_crio_env; }

# cstats ID: the ContainerStats response (stats part).
cstats() {
        rt ContainerStats "{\"containerId\":\"$1\"}" | jq .stats
}

# num JSON PATH: a uint64 field (a string in proto3 JSON) as a number, 0 when absent.
num() {
        jq -r "($2 // \"0\") | tonumber" <<<"$1"
}

MB=$((1024 * 1024))

@test "ContainerStats: a busy container's cpu grows, usage_nano_cores from the previous sample, memory, attributes" {
        pod=$(runp statpod)
        busy=$(run_ctr "$pod" busy '["/bin/sh","-c","while :; do :; done"]' '"labels":{"load":"yes"},"annotations":{"an":"1"}')
        sleep 0.5
        run rt ContainerStats "{\"containerId\":\"${busy:0:12}\"}"
        [ "$status" -eq 0 ]
        first=$(jq .stats <<<"$output")
        echo "$first"
        [ "$(jq -r .attributes.id <<<"$first")" = "$busy" ]
        [ "$(jq -r .attributes.metadata.name <<<"$first")" = busy ]
        [ "$(jq -r .attributes.labels.load <<<"$first")" = yes ]
        [ "$(jq -r .attributes.annotations.an <<<"$first")" = 1 ]
        cpu1=$(num "$first" .cpu.usage_core_nano_seconds.value)
        [ "$cpu1" -gt 0 ]
        [ "$(jq -r '.cpu.timestamp | tonumber > 0' <<<"$first")" = true ]
        [ "$(num "$first" .memory.working_set_bytes.value)" -gt 0 ]
        [ "$(num "$first" .memory.usage_bytes.value)" -gt 0 ]
        sleep 1
        second=$(cstats "$busy")
        echo "$second"
        cpu2=$(num "$second" .cpu.usage_core_nano_seconds.value)
        # about one core for one second: at least a tenth of it
        [ "$cpu2" -gt $((cpu1 + 100000000)) ]
        cores=$(num "$second" .cpu.usage_nano_cores.value)
        [ "$cores" -gt 100000000 ]
        [ "$cores" -le $(($(nproc) * 1100000000)) ]
}

@test "ContainerStats: memory a container holds is in its working set" {
        pod=$(runp mempod)
        # 16 MB in the pod's /dev/shm (tmpfs: charged to the writer's cgroup, never inactive file)
        ctr=$(run_ctr "$pod" mem '["/bin/sh","-c","dd if=/dev/zero of=/dev/shm/fill bs=1M count=16 && touch /tmp/done && sleep 1000"]')
        for _ in $(seq 1 100); do
                ws=$(num "$(cstats "$ctr")" .memory.working_set_bytes.value)
                [ "$ws" -ge $((16 * MB)) ] && break
                sleep 0.1
        done
        echo "working set $ws"
        [ "$ws" -ge $((16 * MB)) ]
        idle=$(run_ctr "$pod" idle '["sleep","1000"]')
        ws_idle=$(num "$(cstats "$idle")" .memory.working_set_bytes.value)
        echo "idle working set $ws_idle"
        [ "$ws_idle" -gt 0 ]
        [ "$ws_idle" -lt $((16 * MB)) ]
}

@test "ContainerStats: the writable layer counts what the container wrote to its root" {
        pod=$(runp diskpod)
        small=$(run_ctr "$pod" small '["sleep","1000"]')
        ctr=$(run_ctr "$pod" big '["/bin/sh","-c","dd if=/dev/urandom of=/big bs=1M count=5 && sync && sleep 1000"]')
        for _ in $(seq 1 100); do
                st=$(cstats "$ctr")
                used=$(num "$st" .writable_layer.used_bytes.value)
                [ "$used" -ge $((5 * MB)) ] && break
                sleep 0.1
        done
        echo "$st"
        [ "$used" -ge $((5 * MB)) ]
        [ "$used" -lt $((7 * MB)) ]
        [ "$(num "$st" .writable_layer.inodes_used.value)" -ge 2 ]
        [ "$(jq -r .writable_layer.fs_id.mountpoint <<<"$st")" = "$TESTDIR/lib/storage" ]
        [ "$(jq -r '.writable_layer.timestamp | tonumber > 0' <<<"$st")" = true ]
        # the other container's layer did not get the file
        st=$(cstats "$small")
        echo "$st"
        [ "$(num "$st" .writable_layer.used_bytes.value)" -lt $((1 * MB)) ]
        [ "$(num "$st" .writable_layer.inodes_used.value)" -ge 1 ]
}

@test "ContainerStats of an exited container: attributes and writable layer, no cpu or memory; not listed" {
        pod=$(runp donepod)
        ctr=$(run_ctr "$pod" done '["/bin/sh","-c","echo x >/f"]')
        wait_exited "$ctr"
        run rt ContainerStats "{\"containerId\":\"$ctr\"}"
        [ "$status" -eq 0 ]
        echo "$output"
        [ "$(jq -r .stats.attributes.id <<<"$output")" = "$ctr" ]
        [ "$(jq -r '.stats | has("cpu") or has("memory")' <<<"$output")" = false ]
        [ "$(jq -r '.stats.writable_layer.inodes_used.value | tonumber >= 2' <<<"$output")" = true ]
        run rt ListContainerStats "{\"filter\":{\"podSandboxId\":\"$pod\"}}"
        [ "$status" -eq 0 ]
        [ "$(jq -r '.stats | length' <<<"$output")" = 0 ]
}

@test "ListContainerStats: every running container, or those of a pod, with a label, or an ID prefix" {
        p1=$(runp lp1)
        p2=$(runp lp2)
        a=$(run_ctr "$p1" a '["sleep","1000"]' '"labels":{"tier":"front"}')
        b=$(run_ctr "$p1" b '["sleep","1000"]' '"labels":{"tier":"back"}')
        c=$(run_ctr "$p2" c '["sleep","1000"]' '"labels":{"tier":"front"}')
        ids() { jq -r '[.stats[].attributes.id] | sort | join(",")' <<<"$1"; }
        sorted() { printf '%s\n' "$@" | sort | paste -sd,; }
        run rt ListContainerStats '{}'
        [ "$status" -eq 0 ]
        # the pods' infra containers are not listed
        [ "$(ids "$output")" = "$(sorted "$a" "$b" "$c")" ]
        [ "$(jq -r '[.stats[] | select(.cpu.usage_core_nano_seconds.value | tonumber > 0)] | length' <<<"$output")" = 3 ]
        run rt ListContainerStats "{\"filter\":{\"podSandboxId\":\"${p1:0:10}\"}}"
        [ "$status" -eq 0 ]
        [ "$(ids "$output")" = "$(sorted "$a" "$b")" ]
        run rt ListContainerStats '{"filter":{"labelSelector":{"tier":"front"}}}'
        [ "$status" -eq 0 ]
        [ "$(ids "$output")" = "$(sorted "$a" "$c")" ]
        run rt ListContainerStats "{\"filter\":{\"podSandboxId\":\"$p1\",\"labelSelector\":{\"tier\":\"front\"}}}"
        [ "$status" -eq 0 ]
        [ "$(ids "$output")" = "$a" ]
        run rt ListContainerStats "{\"filter\":{\"id\":\"${c:0:8}\"}}"
        [ "$status" -eq 0 ]
        [ "$(ids "$output")" = "$c" ]
        run rt ListContainerStats '{"filter":{"podSandboxId":"ffffffffffff"}}'
        [ "$status" -eq 0 ]
        [ "$(jq -r '.stats | length' <<<"$output")" = 0 ]
}

@test "PodSandboxStats: sums over the pod's containers, each container listed, process count" {
        pod=$(runp sumpod '"labels":{"app":"sum"}')
        b1=$(run_ctr "$pod" b1 '["/bin/sh","-c","while :; do :; done"]')
        b2=$(run_ctr "$pod" b2 '["/bin/sh","-c","while :; do :; done"]')
        sleep 0.5
        c1=$(num "$(cstats "$b1")" .cpu.usage_core_nano_seconds.value)
        c2=$(num "$(cstats "$b2")" .cpu.usage_core_nano_seconds.value)
        [ "$c1" -gt 0 ]
        [ "$c2" -gt 0 ]
        run rt PodSandboxStats "{\"podSandboxId\":\"${pod:0:12}\"}"
        [ "$status" -eq 0 ]
        echo "$output"
        st=$(jq .stats <<<"$output")
        [ "$(jq -r .attributes.id <<<"$st")" = "$pod" ]
        [ "$(jq -r .attributes.metadata.name <<<"$st")" = sumpod ]
        [ "$(jq -r .attributes.metadata.namespace <<<"$st")" = ns ]
        [ "$(jq -r .attributes.labels.app <<<"$st")" = sum ]
        pcpu=$(num "$st" .linux.cpu.usage_core_nano_seconds.value)
        # read after the containers' own calls, and a sum over them
        [ "$pcpu" -ge "$c1" ]
        [ "$pcpu" -ge "$c2" ]
        [ "$pcpu" -ge $((c1 + c2)) ]
        [ "$(jq -r '[.linux.containers[].attributes.id] | sort | join(",")' <<<"$st")" = "$(printf '%s\n' "$b1" "$b2" | sort | paste -sd,)" ]
        sum=$(jq -r '[.linux.containers[].cpu.usage_core_nano_seconds.value | tonumber] | add' <<<"$st")
        [ "$pcpu" -ge "$sum" ]
        [ "$(num "$st" .linux.memory.working_set_bytes.value)" -ge "$(jq -r '[.linux.containers[].memory.working_set_bytes.value | tonumber] | add' <<<"$st")" ]
        # pause, and one shell in each container
        [ "$(num "$st" .linux.process.process_count.value)" -ge 3 ]
        sleep 1
        st=$(rt PodSandboxStats "{\"podSandboxId\":\"$pod\"}" | jq .stats)
        cores=$(num "$st" .linux.cpu.usage_nano_cores.value)
        echo "pod usage_nano_cores $cores"
        [ "$cores" -gt 100000000 ]
}

@test "ListPodSandboxStats: every pod, or those with a label or an ID prefix" {
        p1=$(runp lsp1 '"labels":{"team":"a"}')
        p2=$(runp lsp2 '"labels":{"team":"b"}')
        run_ctr "$p1" s '["sleep","1000"]' >/dev/null
        ids() { jq -r '[.stats[].attributes.id] | sort | join(",")' <<<"$1"; }
        run rt ListPodSandboxStats '{}'
        [ "$status" -eq 0 ]
        [ "$(ids "$output")" = "$(printf '%s\n' "$p1" "$p2" | sort | paste -sd,)" ]
        run rt ListPodSandboxStats '{"filter":{"labelSelector":{"team":"a"}}}'
        [ "$status" -eq 0 ]
        [ "$(ids "$output")" = "$p1" ]
        [ "$(jq -r '.stats[0].linux.containers | length' <<<"$output")" = 1 ]
        [ "$(jq -r '.stats[0].linux.memory.working_set_bytes.value | tonumber > 0' <<<"$output")" = true ]
        run rt ListPodSandboxStats "{\"filter\":{\"id\":\"${p2:0:10}\"}}"
        [ "$status" -eq 0 ]
        [ "$(ids "$output")" = "$p2" ]
        run rt ListPodSandboxStats '{"filter":{"id":"ffffffffffff"}}'
        [ "$status" -eq 0 ]
        [ "$(jq -r '.stats | length' <<<"$output")" = 0 ]
}

@test "stats requests: an empty ID is INVALID_ARGUMENT naming the field, an unknown one NOT_FOUND" {
        run rt ContainerStats '{}'
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*container_id* ]]
        run rt ContainerStats '{"containerId":"ffffffff"}'
        [ "$status" -eq 3 ]
        [[ "$output" == *NOT_FOUND*ffffffff* ]]
        run rt PodSandboxStats '{}'
        [ "$status" -eq 3 ]
        [[ "$output" == *INVALID_ARGUMENT*pod_sandbox_id* ]]
        run rt PodSandboxStats '{"podSandboxId":"ffffffff"}'
        [ "$status" -eq 3 ]
        [[ "$output" == *NOT_FOUND*ffffffff* ]]
        # a pod's ID is its infra container's, which is no CRI container
        pod=$(runp errpod)
        run rt ContainerStats "{\"containerId\":\"$pod\"}"
        [ "$status" -eq 3 ]
        [[ "$output" == *NOT_FOUND* ]]
        run rt PodSandboxStats "{\"podSandboxId\":\"$pod\"}"
        [ "$status" -eq 0 ]
        [ "$(jq -r '.stats.linux.containers // [] | length' <<<"$output")" = 0 ]
}
