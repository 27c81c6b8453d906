#!/usr/bin/env bats
# RuntimeService/GetContainerEvents: the server-streaming RPC, its events, and what streams do
# to the server (threads, shutdown).

load helpers
load pods

setup_file() { pods_setup_file; }
teardown_file() { pods_teardown_file; }
setup() {
        pods_setup
        start_crio
}
teardown() {
        local p
        for p in ${SUBS:-}; do kill -KILL "$p" 2>/dev/null || true; done
        teardown_crio_env
}

# subscribe OUT [MAX]: a GetContainerEvents client in the background writing one JSON line per
# event to OUT (status to OUT.rc when it ends); sets SUB_PID (python's own PID).
subscribe() {
        local max=${2:-0}
        "$PY" "$CRI_CLIENT" --socket "$SOCK" --timeout 120 call RuntimeService GetContainerEvents '{}' \
                --max-messages "$max" >"$1" 2>"$1.err" 3>&- &
        SUB_PID=$!
        SUBS="${SUBS:-} $SUB_PID"
}

# count_log TEXT: how many crio log lines carry TEXT.
count_log() {
        grep -c -F -- "$1" "$TESTDIR/crio.log" || true
}

# wait_log_count TEXT N: until crio logged TEXT at least N times (10 s).
wait_log_count() {
        local i
        for i in $(seq 1 100); do
                [ "$(count_log "$1")" -ge "$2" ] && return 0
                sleep 0.1
        done
        echo "crio did not log '$1' $2 times:" >&2
        cat "$TESTDIR/crio.log" >&2
        return 1
}

wait_subscribed() { wait_log_count 'msg="GetContainerEvents: client subscribed"' "$1"; }
wait_unsubscribed() { wait_log_count 'msg="GetContainerEvents: client unsubscribed"' "$1"; }

# wait_lines FILE N: until FILE has N lines (10 s).
wait_lines() {
        local i
        for i in $(seq 1 100); do
                [ "$(wc -l <"$1")" -ge "$2" ] && return 0
                sleep 0.1
        done
        echo "$1 has $(wc -l <"$1") lines, not $2:" >&2
        cat "$1" "$1.err" >&2
        return 1
}

# running PID: whether PID runs (a zombie does not).
running() {
        local st
        st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
        [ -n "$st" ] && [ "$st" != Z ]
}

# wait_pid PID SECONDS: until PID (a child of this shell) ended; its status in WAIT_STATUS.
wait_pid() {
        local i
        for i in $(seq 1 $(($2 * 10))); do
                if ! running "$1"; then
                        WAIT_STATUS=0
                        wait "$1" || WAIT_STATUS=$?
                        return 0
                fi
                sleep 0.1
        done
        echo "process $1 still runs after $2 s" >&2
        return 1
}

# ev FILE LINE FILTER: jq FILTER on the LINE-th event (1-based).
ev() {
        sed -n "$2p" "$1" | jq -r "$3"
}

TYPE='.container_event_type // "CONTAINER_CREATED_EVENT"'
CSTATE='.containers_statuses[0].state // "CONTAINER_CREATED"'

tasks() {
        ls "/proc/$CRIO_PID/task" | wc -l
}

# wait_tasks N: until crio runs at most N threads (5 s).
wait_tasks() {
        local i
        for i in $(seq 1 50); do
                [ "$(tasks)" -le "$1" ] && return 0
                sleep 0.1
        done
        echo "crio runs $(tasks) threads, more than $1" >&2
        return 1
}

@test "GetContainerEvents: created, started, stopped, deleted in order, with IDs and the pod's status" {
        pod=$(runp evpod)
        out=$TESTDIR/events
        subscribe "$out" 4
        wait_subscribed 1
        before=$(date +%s%N)
        ctr=$(create "$pod" c1 '["/bin/sh","-c","trap \"exit 3\" TERM; while :; do sleep 0.1; done"]')
        wait_lines "$out" 1
        start "$ctr"
        wait_lines "$out" 2
        run rt StopContainer "{\"containerId\":\"$ctr\",\"timeout\":5}"
        [ "$status" -eq 0 ]
        wait_lines "$out" 3
        run rt RemoveContainer "{\"containerId\":\"$ctr\"}"
        [ "$status" -eq 0 ]
        wait_pid "$SUB_PID" 10
        [ "$WAIT_STATUS" -eq 0 ]
        after=$(date +%s%N)
        cat "$out"
        [ "$(wc -l <"$out")" -eq 4 ]

        types=$(jq -r "$TYPE" <"$out" | tr '\n' ' ')
        [ "$types" = "CONTAINER_CREATED_EVENT CONTAINER_STARTED_EVENT CONTAINER_STOPPED_EVENT CONTAINER_DELETED_EVENT " ]
        prev=$before
        for i in 1 2 3 4; do
                [ "$(ev "$out" $i .container_id)" = "$ctr" ]
                [ "$(ev "$out" $i .pod_sandbox_status.id)" = "$pod" ]
                [ "$(ev "$out" $i .pod_sandbox_status.metadata.name)" = evpod ]
                [ "$(ev "$out" $i .pod_sandbox_status.metadata.namespace)" = ns ]
                [ "$(ev "$out" $i '.pod_sandbox_status.state // "SANDBOX_READY"')" = SANDBOX_READY ]
                # created_at: nanoseconds, in order, within the test
                t=$(ev "$out" $i .created_at)
                [ "$t" -ge "$prev" ]
                [ "$t" -le "$after" ]
                prev=$t
        done
        # the container's status as it was at each step; none once it is removed
        for i in 1 2 3; do
                [ "$(ev "$out" $i '.containers_statuses | length')" -eq 1 ]
                [ "$(ev "$out" $i .containers_statuses[0].id)" = "$ctr" ]
                [ "$(ev "$out" $i .containers_statuses[0].metadata.name)" = c1 ]
        done
        [ "$(ev "$out" 1 "$CSTATE")" = CONTAINER_CREATED ]
        [ "$(ev "$out" 2 "$CSTATE")" = CONTAINER_RUNNING ]
        [ "$(ev "$out" 3 "$CSTATE")" = CONTAINER_EXITED ]
        [ "$(ev "$out" 3 .containers_statuses[0].exit_code)" = 3 ]
        [ "$(ev "$out" 4 '.containers_statuses | length')" -eq 0 ]
        # the pod's infra container makes no events: nothing but these four went out
        wait_unsubscribed 1
}

@test "GetContainerEvents: two subscribers both get every event; a container that ends at once is started before it stops" {
        pod=$(runp two)
        subscribe "$TESTDIR/a" 9
        a=$SUB_PID
        subscribe "$TESTDIR/b" 9
        b=$SUB_PID
        wait_subscribed 2
        # containers that exit at once: the exit watcher can see the end before StartContainer
        # has marked the start, and STARTED must still come first
        ids=()
        for n in one two three; do
                ids+=("$(run_ctr "$pod" "$n" '["/bin/true"]')")
        done
        wait_pid "$a" 10
        [ "$WAIT_STATUS" -eq 0 ]
        wait_pid "$b" 10
        [ "$WAIT_STATUS" -eq 0 ]
        for f in a b; do
                cat "$TESTDIR/$f"
                [ "$(wc -l <"$TESTDIR/$f")" -eq 9 ]
                for id in "${ids[@]}"; do
                        [ "$(jq -r "select(.container_id == \"$id\") | $TYPE" <"$TESTDIR/$f" | tr '\n' ' ')" = "CONTAINER_CREATED_EVENT CONTAINER_STARTED_EVENT CONTAINER_STOPPED_EVENT " ]
                done
        done
        # the same events: same times
        [ "$(jq -r .created_at <"$TESTDIR/a")" = "$(jq -r .created_at <"$TESTDIR/b")" ]
}

@test "GetContainerEvents: clients that cancel or vanish leave no thread behind and crio serves on" {
        pod=$(runp gone)
        # warm up gRPC's own threads with one stream, then take the baseline
        subscribe "$TESTDIR/warm" 1
        wait_subscribed 1
        ctr=$(create "$pod" warm '["/bin/true"]')
        wait_pid "$SUB_PID" 10
        [ "$WAIT_STATUS" -eq 0 ]
        wait_unsubscribed 1
        sleep 0.5
        base=$(tasks)

        # one cancels after its first message; one is killed; one is stopped and then killed
        subscribe "$TESTDIR/cancel" 1
        cancel=$SUB_PID
        subscribe "$TESTDIR/kill" 0
        killed=$SUB_PID
        subscribe "$TESTDIR/stop" 0
        stopped=$SUB_PID
        wait_subscribed 4
        [ "$(tasks)" -ge $((base + 3)) ]
        kill -STOP "$stopped"
        ctr2=$(create "$pod" second '["/bin/sleep","1"]')
        wait_pid "$cancel" 10
        [ "$WAIT_STATUS" -eq 0 ]
        [ "$(jq -r .container_id <"$TESTDIR/cancel")" = "$ctr2" ]
        wait_lines "$TESTDIR/kill" 1
        kill -KILL "$killed" "$stopped"
        wait_unsubscribed 4
        wait_tasks "$base"

        # crio serves on: unary calls, and a new subscriber gets new events
        run crioctl version
        [ "$status" -eq 0 ]
        subscribe "$TESTDIR/again" 2
        wait_subscribed 5
        start "$ctr2"
        wait_pid "$SUB_PID" 10
        [ "$WAIT_STATUS" -eq 0 ]
        [ "$(jq -r "$TYPE" <"$TESTDIR/again" | tr '\n' ' ')" = "CONTAINER_STARTED_EVENT CONTAINER_STOPPED_EVENT " ]
        wait_unsubscribed 5
        wait_tasks "$base"
        grep -q 'GetContainerEvents: stream ended' "$TESTDIR/crio.log"
        kill -0 "$CRIO_PID"
}

@test "GetContainerEvents: SIGTERM with subscribers connected: crio exits 0 within 5 s, streams end UNAVAILABLE" {
        subscribe "$TESTDIR/a" 0
        a=$SUB_PID
        subscribe "$TESTDIR/b" 0
        b=$SUB_PID
        wait_subscribed 2
        kill -STOP "$b" # one that does not read
        t0=$(date +%s%N)
        kill -TERM "$CRIO_PID"
        wait_pid "$CRIO_PID" 5
        t1=$(date +%s%N)
        CRIO_PID=
        echo "crio took $(((t1 - t0) / 1000000)) ms"
        [ "$WAIT_STATUS" -eq 0 ]
        [ $(((t1 - t0) / 1000000)) -lt 5000 ]
        grep -q 'msg="crio stopped"' "$TESTDIR/crio.log"
        wait_pid "$a" 10
        cat "$TESTDIR/a"
        [ "$WAIT_STATUS" -eq 3 ]
        grep -q '^ERROR UNAVAILABLE' "$TESTDIR/a"
        kill -KILL "$b"
}

@test "GetContainerEvents ignores unknown request fields; StreamPodSandboxMetrics is UNIMPLEMENTED" {
        # field 1 (varint 1) is not in GetEventsRequest: ignored, the stream starts
        "$PY" "$CRI_CLIENT" --socket "$SOCK" --timeout 2 raw RuntimeService GetContainerEvents 0801 \
                >"$TESTDIR/raw" 2>&1 3>&- &
        raw=$!
        wait_subscribed 1
        wait_pid "$raw" 10
        cat "$TESTDIR/raw"
        grep -q '^ERROR DEADLINE_EXCEEDED' "$TESTDIR/raw"
        wait_unsubscribed 1
        run cri_client call RuntimeService StreamPodSandboxMetrics '{}'
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR UNIMPLEMENTED: "*StreamPodSandboxMetrics* ]]
}

@test "GetContainerEvents: a client that stops reading holds up neither crio nor its SIGTERM" {
        # 64 KiB of annotation in every pod status: a few events fill the HTTP/2 window and the
        # socket buffers, and the stream waits on its send, which gRPC cannot cancel (the
        # server shuts the connection down). Bound: gRPC's backup poller, which watches the
        # blocked write, may hold grpc_shutdown() for up to 10 s more (usually 1-5 s).
        big=$(head -c 49152 /dev/zero | base64 -w0)
        pod=$(runp big "\"annotations\":{\"big\":\"$big\"}")
        subscribe "$TESTDIR/slow" 0
        slow=$SUB_PID
        wait_subscribed 1
        kill -STOP "$slow"
        for i in $(seq 1 12); do
                create "$pod" "c$i" '["/bin/true"]' >/dev/null
        done
        # crio serves on meanwhile
        run crioctl version
        [ "$status" -eq 0 ]
        t0=$(date +%s%N)
        kill -TERM "$CRIO_PID"
        wait_pid "$CRIO_PID" 15
        t1=$(date +%s%N)
        CRIO_PID=
        echo "crio took $(((t1 - t0) / 1000000)) ms"
        cat "$TESTDIR/crio.log" | grep -E 'stuck|shut down a connection|stream ended'
        [ "$WAIT_STATUS" -eq 0 ]
        # the stream's send was stuck, and only ended when crio shut the connection down
        grep -q 'msg="no call left (1 stuck): closing the connections"' "$TESTDIR/crio.log"
        grep -q 'msg="shut down a connection that gRPC could not close' "$TESTDIR/crio.log"
        grep -q 'GetContainerEvents: stream ended: UNAVAILABLE' "$TESTDIR/crio.log"
        kill -KILL "$slow"
}
