#!/usr/bin/env bats
# crioctl stats and statsp (ListContainerStats, ListPodSandboxStats). Pending: crio answers
# these RPCs UNIMPLEMENTED so far; rename to crioctl-stats.bats once it implements them.

bats_require_minimum_version 1.5.0

load helpers
load pods

setup_file() { pods_setup_file; }
teardown_file() { pods_teardown_file; }
setup() {
        pods_setup
        start_crio
}
teardown() { teardown_crio_env; }

@test "stats: crictl's table with CPU % from two samples, memory, disk; json; filters" {
        pod=$(runp statpod '"labels":{"app":"s"}')
        busy=$(run_ctr "$pod" busy '["/bin/sh","-c","while :; do :; done"]' '"labels":{"load":"yes"}')
        idle=$(run_ctr "$pod" idle '["sleep","1000"]')
        run crioctl stats -a
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^CONTAINER\ +NAME\ +CPU\ %\ +MEM\ +DISK\ +INODES\ +SWAP$ ]]
        row=$(grep "^${busy:0:13} " <<<"$output")
        [[ "$row" =~ ^${busy:0:13}\ +busy\ +([0-9.]+)\ +[0-9.]+[kMG]?B\ +[0-9.]+[kMG]?B\ +[0-9]+\ +[0-9.]+[kMG]?B$ ]]
        # a busy loop uses most of a CPU
        [ "${BASH_REMATCH[1]%.*}" -ge 50 ]
        grep -q "^${idle:0:13} " <<<"$output"
        run crioctl stats -o json
        [ "$(jq -r '.stats | length' <<<"$output")" -ge 1 ]
        [ "$(jq -r --arg id "$busy" '.stats[] | select(.attributes.id == $id) | .attributes.metadata.name' <<<"$output")" = busy ]
        [ "$(jq -r --arg id "$busy" '.stats[] | select(.attributes.id == $id) | .cpu.usageCoreNanoSeconds.value | tonumber > 0' <<<"$output")" = true ]
        run crioctl stats -a --label load=yes -o json
        [ "$(jq -r '[.stats[].attributes.id] | join(",")' <<<"$output")" = "$busy" ]
        run crioctl stats -a --id "${idle:0:10}" -o json
        [ "$(jq -r '[.stats[].attributes.id] | join(",")' <<<"$output")" = "$idle" ]
        run crioctl stats -a -p ffffffffffff -o json
        [ "$(jq -r '.stats | length' <<<"$output")" = 0 ]
}

@test "statsp: crictl's table POD POD ID CPU % MEM; json" {
        pod=$(runp statpod2)
        run_ctr "$pod" busy '["/bin/sh","-c","while :; do :; done"]' >/dev/null
        run crioctl statsp
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^POD\ +POD\ ID\ +CPU\ %\ +MEM$ ]]
        [[ "${lines[1]}" =~ ^statpod2\ +${pod:0:13}\ +([0-9.]+)\ +[0-9.]+[kMG]?B$ ]]
        [ "${BASH_REMATCH[1]%.*}" -ge 50 ]
        run crioctl statsp -o json --id "$pod"
        [ "$(jq -r '.stats[0].attributes.id' <<<"$output")" = "$pod" ]
        [ "$(jq -r '.stats[0].linux.memory.workingSetBytes.value | tonumber > 0' <<<"$output")" = true ]
}
