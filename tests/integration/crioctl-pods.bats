#!/usr/bin/env bats
# crioctl's pod and container commands against the real crio (conmon, runc, overlay): crictl's
# own example config files, its table/json/yaml output shapes, filters, and `logs` reading the
# CRI log file (partial lines, streams, --tail, -f until exit, -f across a rotation).

bats_require_minimum_version 1.5.0

load helpers
load pods

setup_file() { pods_setup_file; }
teardown_file() { pods_teardown_file; }
setup() {
        pods_setup
        start_crio
        # crictl's docs/examples/podsandbox-config.json and container-config.json, with the
        # log directory, the image and the command (our busybox image has no top) this test's
        cat >"$TESTDIR/pod-config.json" <<EOF
{
  "metadata": {
    "name": "busybox-sandbox",
    "namespace": "default",
    "attempt": 1,
    "uid": "hdishd83djaidwnduwk28bcsb"
  },
  "log_directory": "$TESTDIR/pods/busybox-sandbox",
  "linux": {}
}
EOF
        cat >"$TESTDIR/container-config.json" <<'EOF'
{
  "metadata": {
    "name": "busybox"
  },
  "image": {
    "image": "busybox:1"
  },
  "command": ["sleep", "1000"],
  "log_path": "busybox.0.log",
  "linux": {}
}
EOF
}
teardown() { teardown_crio_env; }

# ctr_config NAME COMMAND-JSON [EXTRA-MEMBERS]: a container config file; prints its path.
ctr_config() {
        local f=$TESTDIR/ctr-$1.json
        echo "{\"metadata\":{\"name\":\"$1\"},\"image\":{\"image\":\"busybox:1\"},\"command\":$2,\"log_path\":\"$1.log\"${3:+,$3}}" >"$f"
        echo "$f"
}

# crioctl_run NAME COMMAND-JSON [EXTRA]: create + start in the example pod ($POD); prints the ID.
crioctl_run() {
        local id
        id=$(crioctl create "$POD" "$(ctr_config "$@")" "$TESTDIR/pod-config.json") || return 1
        crioctl start "$id" >/dev/null || return 1
        echo "$id"
}

wait_state() { # wait_state CTR STATE
        local i
        for i in $(seq 1 100); do
                [ "$(crioctl inspect -q "$1" | jq -r .status.state)" = "$2" ] && return 0
                sleep 0.1
        done
        echo "container $1 never reached $2" >&2
        return 1
}

@test "runp with crictl's example pod config; pods lists it as crictl does; inspectp shows its verbose status" {
        run crioctl runp "$TESTDIR/pod-config.json"
        [ "$status" -eq 0 ]
        pod=$output
        [[ "$pod" =~ ^[0-9a-f]{64}$ ]]

        run crioctl pods
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 2 ]
        # crictl's columns, tabwriter-aligned (at least 20 wide)
        [[ "${lines[0]}" =~ ^POD\ ID\ +CREATED\ +STATE\ +NAME\ +NAMESPACE\ +ATTEMPT\ +RUNTIME$ ]]
        [ "${lines[0]:0:20}" = "POD ID              " ]
        [[ "${lines[1]}" =~ ^${pod:0:13}\ +(Less\ than\ a\ second|[0-9]+\ seconds?)\ ago\ +Ready\ +busybox-sandbox\ +default\ +1\ +(runc|\(default\))$ ]]
        run crioctl pods --no-trunc -q
        [ "$output" = "$pod" ]
        run crioctl pods -o json
        [ "$(jq -r '.items[0].id' <<<"$output")" = "$pod" ]
        [ "$(jq -r '.items[0].metadata.uid' <<<"$output")" = hdishd83djaidwnduwk28bcsb ]
        [ "$(jq -r '.items[0].state' <<<"$output")" = SANDBOX_READY ]
        run crioctl pods -o yaml
        [[ "$output" == "items:"*"id: $pod"*"name: busybox-sandbox"* ]]

        run crioctl inspectp "${pod:0:12}"
        [ "$status" -eq 0 ]
        [ "$(jq -r .status.id <<<"$output")" = "$pod" ]
        [ "$(jq -r .status.state <<<"$output")" = SANDBOX_READY ]
        [ "$(jq -r .status.metadata.name <<<"$output")" = busybox-sandbox ]
        [ "$(jq -r .status.metadata.attempt <<<"$output")" = 1 ]
        # createdAt as RFC 3339, not nanoseconds; the verbose info next to the status
        [[ "$(jq -r .status.createdAt <<<"$output")" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
        [ "$(jq -r '.info.pid' <<<"$output")" -gt 0 ]
        [ "$(jq -r 'keys | join(",")' <<<"$output")" = "info,status" ]
        run crioctl inspectp -q "$pod"
        [ "$(jq -r 'keys | join(",")' <<<"$output")" = "status" ]
        run crioctl inspectp -o table "$pod"
        [[ "$output" == *"ID: $pod"*"Name: busybox-sandbox"*"Namespace: default"*"Status: SANDBOX_READY"* ]]
        run crioctl inspectp -o yaml "$pod"
        [[ "$output" == *"status:"*"  id: $pod"* ]]
}

@test "runp refuses config files crictl would refuse, and unknown fields, naming the problem" {
        echo '{"metadata":{"name":"x","namespace":"ns","uid":"u"},"log_direcotry":"/tmp"}' >"$TESTDIR/typo.json"
        run crioctl runp "$TESTDIR/typo.json"
        [ "$status" -eq 1 ]
        [[ "$output" == *"typo.json: unknown field \"log_direcotry\" in PodSandboxConfig"* ]]
        echo '{"metadata":{"name":"x","uid":"u"}}' >"$TESTDIR/nons.json"
        run crioctl runp "$TESTDIR/nons.json"
        [ "$status" -eq 1 ]
        [[ "$output" == *"name or namespace is not in metadata"* ]]
        echo '{"metadata":{"name":"x","namespace":"ns","attempt":"one"}}' >"$TESTDIR/bad.json"
        run crioctl runp "$TESTDIR/bad.json"
        [ "$status" -eq 1 ]
        [[ "$output" == *'metadata.attempt: "one" is not an unsigned decimal integer'* ]]
        run crioctl runp "$TESTDIR/absent.json"
        [ "$status" -eq 1 ]
        [[ "$output" == *"config at $TESTDIR/absent.json not found"* ]]
        # a runtime handler the runtime does not have
        run crioctl runp --runtime nosuch "$TESTDIR/pod-config.json"
        [ "$status" -eq 1 ]
        [[ "$output" == *"RunPodSandbox: rpc error: code = InvalidArgument"*nosuch* ]]
        # nothing was made; a pod without a uid gets a random one, as crictl gives it
        [ -z "$(crioctl pods -q)" ]
        echo "{\"metadata\":{\"name\":\"nouid\",\"namespace\":\"ns\"},\"log_directory\":\"$TESTDIR/pods/nouid\"}" >"$TESTDIR/nouid.json"
        pod=$(crioctl runp "$TESTDIR/nouid.json")
        [[ "$(crioctl inspectp "$pod" | jq -r .status.metadata.uid)" =~ ^[0-9a-f]{8}-[0-9a-f]{4}- ]]
}

@test "create with crictl's example container config, start, ps, inspect, stop, rm" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        run crioctl create "$POD" "$TESTDIR/container-config.json" "$TESTDIR/pod-config.json"
        [ "$status" -eq 0 ]
        ctr=$output
        [[ "$ctr" =~ ^[0-9a-f]{64}$ ]]
        # created: listed with -a only
        [ -z "$(crioctl ps -q)" ]
        run crioctl ps -a
        [ "${#lines[@]}" -eq 2 ]
        [[ "${lines[0]}" =~ ^CONTAINER\ +IMAGE\ +CREATED\ +STATE\ +NAME\ +ATTEMPT\ +POD\ ID\ +POD\ +NAMESPACE$ ]]
        [[ "${lines[1]}" =~ ^${ctr:0:13}\ +busybox:1\ +.*\ ago\ +Created\ +busybox\ +0\ +${POD:0:13} ]]
        run crioctl inspect "$ctr"
        [ "$(jq -r .status.state <<<"$output")" = CONTAINER_CREATED ]
        [ "$(jq -r .status.startedAt <<<"$output")" = "0001-01-01T00:00:00Z" ]
        [ "$(jq -r .status.finishedAt <<<"$output")" = "0001-01-01T00:00:00Z" ]
        [ "$(jq -r .status.logPath <<<"$output")" = "$TESTDIR/pods/busybox-sandbox/busybox.0.log" ]

        run crioctl start "${ctr:0:12}"
        [ "$status" -eq 0 ]
        [ "$output" = "${ctr:0:12}" ]
        run crioctl ps
        [ "${#lines[@]}" -eq 2 ]
        [[ "${lines[1]}" == *" Running "* ]]
        run crioctl inspect "$ctr"
        [ "$(jq -r .status.state <<<"$output")" = CONTAINER_RUNNING ]
        [[ "$(jq -r .status.startedAt <<<"$output")" =~ ^20[0-9]{2}- ]]
        [ "$(jq -r .info.pid <<<"$output")" -gt 0 ]
        # the command runs in the container
        [ "$(cat /proc/"$(jq -r .info.pid <<<"$output")"/comm)" = sleep ]

        # rm refuses a running container
        run crioctl rm "$ctr"
        [ "$status" -eq 1 ]
        [[ "$output" == *"is running, please stop it first"* ]]
        run crioctl stop -t 1 "$ctr"
        [ "$status" -eq 0 ]
        [ "$output" = "$ctr" ]
        run crioctl inspect -o table "$ctr"
        [[ "$output" == *"State: CONTAINER_EXITED"*"Exit Code: "* ]]
        [[ "$(crioctl inspect "$ctr" | jq -r .status.finishedAt)" =~ ^20[0-9]{2}- ]]
        run crioctl ps -a --state exited -q
        [ "$output" = "$ctr" ]
        log=$TESTDIR/pods/busybox-sandbox/busybox.0.log
        [ -f "$log" ]
        run crioctl rm "$ctr"
        [ "$status" -eq 0 ]
        [ "$output" = "$ctr" ]
        [ ! -e "$log" ] # removed with the container, as crictl does
        [ -z "$(crioctl ps -a -q)" ]
        run crioctl inspect "$ctr"
        [ "$status" -eq 1 ]
        [[ "$output" == *"NotFound"* ]]
}

@test "create pulls an absent image unless --no-pull; a present image is not pulled" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        run crioctl -D create "$POD" "$TESTDIR/container-config.json" "$TESTDIR/pod-config.json"
        [ "$status" -eq 0 ]
        [[ "$output" != *PullImage* ]]
        sed 's/busybox:1/127.0.0.1:9\/absent:1/; s/"busybox"/"absent"/' "$TESTDIR/container-config.json" >"$TESTDIR/absent.json"
        run crioctl -D create "$POD" "$TESTDIR/absent.json" "$TESTDIR/pod-config.json"
        [ "$status" -eq 1 ]
        [[ "$output" == *"calling /runtime.v1.ImageService/PullImage"* ]]
        [[ "$output" == *"crioctl: PullImage: rpc error"* ]]
        [[ "$output" != *CreateContainer* ]]
        run crioctl -D create --no-pull "$POD" "$TESTDIR/absent.json" "$TESTDIR/pod-config.json"
        [ "$status" -eq 1 ]
        [[ "$output" != *PullImage* ]]
        [[ "$output" == *"crioctl: CreateContainer: rpc error: code = NotFound"* ]]
}

@test "ps filters: name, pod, label, state, image, latest, last; json and yaml" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        a=$(crioctl_run alpha '["sleep","1000"]' '"labels":{"tier":"a"}')
        b=$(crioctl_run beta '["sleep","1000"]' '"labels":{"tier":"b"}')
        c=$(crioctl create "$POD" "$(ctr_config gamma '["sleep","1000"]')" "$TESTDIR/pod-config.json")
        # running ones by default, newest first
        run crioctl ps -q
        [ "${lines[0]}" = "$b" ] && [ "${lines[1]}" = "$a" ] && [ "${#lines[@]}" -eq 2 ] || false
        run crioctl ps -a -q
        [ "${#lines[@]}" -eq 3 ]
        [ "${lines[0]}" = "$c" ]
        [ "$(crioctl ps -a -q --name '^(alpha|gamma)$' | sort | tr '\n' ' ')" = "$(printf '%s\n' "$a" "$c" | sort | tr '\n' ' ')" ]
        [ "$(crioctl ps -q --label tier=b)" = "$b" ]
        [ "$(crioctl ps -q --state created)" = "$c" ]
        [ "$(crioctl ps -q --id "${a:0:8}")" = "$a" ]
        [ "$(crioctl ps -a -q --pod "$POD" | wc -l)" = 3 ]
        [ -z "$(crioctl ps -a -q --pod ffffffffffff)" ]
        [ "$(crioctl ps -q --latest)" = "$c" ]
        [ "$(crioctl ps -q --last 2 | tr '\n' ' ')" = "$c $b " ]
        [ "$(crioctl ps -a -q --image busybox:1 | wc -l)" = 3 ]
        run crioctl ps -o json
        [ "$(jq -r '.containers | length' <<<"$output")" = 2 ]
        [ "$(jq -r '.containers[0].metadata.name' <<<"$output")" = beta ]
        [ "$(jq -r '.containers[0].labels.tier' <<<"$output")" = b ]
        [ "$(jq -r '.containers[0].state' <<<"$output")" = CONTAINER_RUNNING ]
        run crioctl ps -o yaml --latest
        [[ "$output" == "containers:"*"id: $c"* ]]
        [[ "$output" != *"id: $a"* ]]
        run crioctl ps --state bogus
        [ "$status" -eq 2 ]
        [[ "$output" == *"--state should be one of created, running, exited or unknown"* ]]
        run crioctl ps --label novalue
        [ "$status" -eq 1 ]
        [[ "$output" == *"incorrectly specified label: novalue"* ]]
        # pods filters too
        [ "$(crioctl pods -q --name '^busybox-' --namespace '^default$')" = "$POD" ]
        [ -z "$(crioctl pods -q --name nomatch)" ]
        [ -z "$(crioctl pods -q --state notready)" ]
}

@test "logs: stdout and stderr records to their streams, partial lines joined, --tail, -t, --since, --stream" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        ctr=$(crioctl_run talker '["/bin/sh","-c","echo one; echo two >&2; printf par; sleep 0.2; printf tial; sleep 0.2; echo \" end\"; echo three"]')
        wait_state "$ctr" CONTAINER_EXITED
        log=$TESTDIR/pods/busybox-sandbox/talker.log
        grep -q ' stdout P par$' "$log" # the runtime wrote a partial record
        run --separate-stderr crioctl logs "$ctr"
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'one\npartial end\nthree')" ]
        [ "$stderr" = "two" ]
        run --separate-stderr crioctl logs --tail 2 "$ctr"
        [ "$output" = "$(printf 'partial end\nthree')" ]
        [ -z "$stderr" ]
        run --separate-stderr crioctl logs --tail 0 "$ctr"
        [ -z "$output" ] && [ -z "$stderr" ] || false
        run --separate-stderr crioctl logs --stream stderr "$ctr"
        [ -z "$output" ]
        [ "$stderr" = "two" ]
        run --separate-stderr crioctl logs -t "$ctr"
        first=$(head -n1 "$log" | cut -d' ' -f1)
        [ "${lines[0]}" = "$first one" ]
        # the joined line carries the time of its first record
        [ "${lines[1]}" = "$(grep ' stdout P par$' "$log" | cut -d' ' -f1) partial end" ]
        run --separate-stderr crioctl logs --since 1h "$ctr"
        [ "${#lines[@]}" -eq 3 ]
        run --separate-stderr crioctl logs --since 2099-01-01T00:00:00Z "$ctr"
        [ -z "$output" ]
        # a malformed record is skipped with a warning
        echo "garbage line" >>"$log"
        run --separate-stderr crioctl logs "$ctr"
        [ "${#lines[@]}" -eq 3 ]
        [[ "$stderr" == *"1 malformed record skipped"* ]]
}

@test "logs -f follows the log until the container exits" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        ctr=$(crioctl_run ticker '["/bin/sh","-c","for i in 1 2 3 4 5; do echo tick $i; sleep 0.4; done"]')
        start_ns=$(date +%s%N)
        run --separate-stderr timeout 20 "$CRIOCTL" -r "unix://$SOCK" logs -f "$ctr"
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'tick %s\n' 1 2 3 4 5 | head -c -1)" ]
        # it waited for the container (about 2 s), not for the timeout
        elapsed=$(( ($(date +%s%N) - start_ns) / 1000000 ))
        [ "$elapsed" -ge 1000 ]
        [ "$elapsed" -lt 15000 ]
}

@test "logs -f reopens a rotated log file and stops when the container is stopped" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        ctr=$(crioctl_run quiet '["/bin/sh","-c","echo before; sleep 1000"]')
        log=$TESTDIR/pods/busybox-sandbox/quiet.log
        for i in $(seq 1 50); do grep -q before "$log" 2>/dev/null && break; sleep 0.1; done
        "$CRIOCTL" -r "unix://$SOCK" logs -f "$ctr" >"$TESTDIR/follow.out" 2>"$TESTDIR/follow.err" &
        follower=$!
        sleep 0.6
        # rotate as the kubelet does: rename, then a new file at the log path
        mv "$log" "$log.20250101-000000"
        echo "2025-01-01T00:00:00.000000000Z stdout F after rotation" >"$log"
        echo "2025-01-01T00:00:00.100000000Z stderr P to std" >>"$log"
        echo "2025-01-01T00:00:00.200000000Z stderr F err" >>"$log"
        for i in $(seq 1 50); do grep -q "after rotation" "$TESTDIR/follow.out" && break; sleep 0.1; done
        crioctl stop "$ctr" >/dev/null
        for i in $(seq 1 100); do kill -0 "$follower" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$follower" 2>/dev/null; then
                kill "$follower"
                echo "logs -f did not end after the container stopped" >&2
                false
        fi
        wait "$follower"
        [ "$(cat "$TESTDIR/follow.out")" = "$(printf 'before\nafter rotation')" ]
        [ "$(cat "$TESTDIR/follow.err")" = "to stderr" ]
}

@test "stopp, rmp: a ready pod is refused without -f; -f stops it; -a removes every pod" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        ctr=$(crioctl_run sleeper '["sleep","1000"]')
        run crioctl rmp "$POD"
        [ "$status" -eq 1 ]
        [[ "$output" == *"pod sandbox \"$POD\" is running, please stop it first"* ]]
        run crioctl stopp "$POD"
        [ "$status" -eq 0 ]
        [ "$output" = "Stopped sandbox $POD" ]
        [[ "$(crioctl pods)" == *NotReady* ]]
        [ "$(crioctl pods -q --state notready)" = "$POD" ]
        [ "$(crioctl inspect "$ctr" | jq -r .status.state)" = CONTAINER_EXITED ]
        run crioctl rmp "$POD"
        [ "$status" -eq 0 ]
        [ "$output" = "Removed sandbox $POD" ]
        [ -z "$(crioctl pods -q)" ]
        [ -z "$(crioctl ps -a -q)" ]

        p1=$(crioctl runp "$TESTDIR/pod-config.json")
        sed 's/"busybox-sandbox"/"second"/' "$TESTDIR/pod-config.json" >"$TESTDIR/second.json"
        p2=$(crioctl runp "$TESTDIR/second.json")
        run crioctl rmp -f "$p1"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Stopped sandbox $p1" ]
        [ "${lines[1]}" = "Removed sandbox $p1" ]
        run crioctl rmp -a -f
        [ "$status" -eq 0 ]
        [ "${lines[1]}" = "Removed sandbox $p2" ]
        [ -z "$(crioctl pods -q)" ]
        run crioctl rmp ffffffffffff
        [ "$status" -eq 1 ]
        [[ "$output" == *"PodSandboxStatus: rpc error: code = NotFound"* ]]
}

@test "rm -f stops a running container; rm -k keeps the log; rm -a removes every container" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        a=$(crioctl_run a '["sleep","1000"]')
        b=$(crioctl_run b '["/bin/sh","-c","echo b"]')
        c=$(crioctl create "$POD" "$(ctr_config c '["sleep","1000"]')" "$TESTDIR/pod-config.json")
        wait_state "$b" CONTAINER_EXITED
        run crioctl rm -f "$a"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "$a" ]
        [ ! -e "$TESTDIR/pods/busybox-sandbox/a.log" ]
        run crioctl rm -k "$b"
        [ "$status" -eq 0 ]
        [ -f "$TESTDIR/pods/busybox-sandbox/b.log" ]
        run crioctl rm -a
        [ "$status" -eq 0 ]
        [ "$output" = "$c" ]
        [ -z "$(crioctl ps -a -q)" ]
}

@test "logs -f across a real rotation: the log renamed, ReopenContainerLog (logs --reopen), nothing lost" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        ctr=$(crioctl_run counter '["/bin/sh","-c","i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo line $i; sleep 0.1; done"]')
        log=$TESTDIR/pods/busybox-sandbox/counter.log
        "$CRIOCTL" -r "unix://$SOCK" logs -f "$ctr" >"$TESTDIR/follow.out" 2>"$TESTDIR/follow.err" &
        follower=$!
        for i in $(seq 1 50); do grep -q "line 5$" "$log" 2>/dev/null && break; sleep 0.1; done
        mv "$log" "$log.1"
        run crioctl logs --reopen --tail 0 "$ctr"
        [ "$status" -eq 0 ]
        [ -f "$log" ] # conmon writes to a new file at the log path
        for i in $(seq 1 100); do kill -0 "$follower" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$follower" 2>/dev/null; then
                kill "$follower"
                echo "logs -f did not end after the container exited" >&2
                false
        fi
        wait "$follower"
        [ "$(cat "$TESTDIR/follow.out")" = "$(seq 1 30 | sed 's/^/line /')" ]
        [ ! -s "$TESTDIR/follow.err" ]
        # both files hold part of it
        grep -q ' stdout F line 1$' "$log.1"
        grep -q ' stdout F line 30$' "$log"
}

@test "exec --sync: output to its streams, the command's exit code, --timeout; exec without -s runs the same way" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        ctr=$(crioctl_run execd '["sleep","1000"]')
        run --separate-stderr crioctl exec --sync "$ctr" sh -c 'echo out; echo err >&2; exit 3'
        [ "$status" -eq 3 ]
        [ "$output" = out ]
        [ "$stderr" = err ]
        # flags after the container ID are the command's
        run --separate-stderr crioctl exec -s "${ctr:0:12}" ls -d /tmp
        [ "$status" -eq 0 ]
        [ "$output" = /tmp ]
        run --separate-stderr crioctl exec "$ctr" id -u
        [ "$status" -eq 0 ]
        [ "$output" = 0 ]
        start_ns=$(date +%s%N)
        run --separate-stderr crioctl exec --sync --timeout 1 "$ctr" sleep 30
        [ "$status" -ne 0 ]
        [ $(( ($(date +%s%N) - start_ns) / 1000000 )) -lt 15000 ]
        run crioctl exec -it "$ctr" sh
        [ "$status" -eq 1 ]
        [[ "$output" == *"streaming exec, which is not supported yet"* ]]
        run crioctl exec --sync ffffffffffff true
        [ "$status" -eq 1 ]
        [[ "$output" == *"ExecSync: rpc error: code = NotFound"* ]]
        run crioctl exec --sync "$ctr"
        [ "$status" -eq 2 ]
}

# cg_file CTR CONTROLLER FILE: a file of the container's cgroup (v1).
cg_file() {
        local pid; pid=$(crioctl inspect "$1" | jq -r .info.pid)
        echo "/sys/fs/cgroup/$2$(grep -E "^[0-9]+:$2:" /proc/"$pid"/cgroup | cut -d: -f3)/$3"
}

@test "update changes a running container's memory and CPU limits" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        ctr=$(crioctl_run limited '["sleep","1000"]')
        run crioctl update --memory 104857600 --cpu-period 100000 --cpu-quota 50000 --cpu-share 512 "$ctr"
        [ "$status" -eq 0 ]
        [ "$output" = "$ctr" ]
        [ "$(cat "$(cg_file "$ctr" memory memory.limit_in_bytes)")" = 104857600 ]
        [ "$(cat "$(cg_file "$ctr" cpu cpu.cfs_quota_us)")" = 50000 ]
        [ "$(cat "$(cg_file "$ctr" cpu cpu.cfs_period_us)")" = 100000 ]
        [ "$(cat "$(cg_file "$ctr" cpu cpu.shares)")" = 512 ]
        run crioctl update --memory lots "$ctr"
        [ "$status" -eq 2 ]
        [[ "$output" == *'"lots" is not an integer'* ]]
        run crioctl update --memory 1 ffffffffffff
        [ "$status" -eq 1 ]
        [[ "$output" == *"UpdateContainerResources: rpc error"* ]]
}

@test "events prints each container event as it happens" {
        POD=$(crioctl runp "$TESTDIR/pod-config.json")
        "$CRIOCTL" -r "unix://$SOCK" events >"$TESTDIR/events.out" 2>"$TESTDIR/events.err" &
        watcher=$!
        sleep 0.5
        ctr=$(crioctl create "$POD" "$(ctr_config watched '["sleep","1000"]')" "$TESTDIR/pod-config.json")
        crioctl start "$ctr" >/dev/null
        crioctl stop "$ctr" >/dev/null
        crioctl rm "$ctr" >/dev/null
        for i in $(seq 1 50); do grep -q CONTAINER_DELETED_EVENT "$TESTDIR/events.out" && break; sleep 0.1; done
        kill "$watcher"
        wait "$watcher" || true
        # a stream of pretty-printed JSON objects, one per event, in order
        run jq -r -s 'map(select(.containerId == "'"$ctr"'") | .containerEventType) | join(",")' "$TESTDIR/events.out"
        [ "$status" -eq 0 ]
        [ "$output" = "CONTAINER_CREATED_EVENT,CONTAINER_STARTED_EVENT,CONTAINER_STOPPED_EVENT,CONTAINER_DELETED_EVENT" ]
        [ "$(jq -r -s '.[0].podSandboxStatus.id' "$TESTDIR/events.out")" = "$POD" ]
        run crioctl events -o table
        [ "$status" -eq 2 ]
}
