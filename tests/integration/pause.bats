#!/usr/bin/env bats
# build/pause: static and small, -v, exit 0 on SIGTERM/SIGINT, and as PID 1 of a PID
# namespace it reaps the orphans re-parented to it.

load helpers

PAUSE=$BUILD/pause

setup() {
        [ -x "$PAUSE" ] || skip "pause not built"
        PIDS=()
}

teardown() {
        local p
        # Only what is still ours: a pid of a process that ended may have been reused.
        for p in "${PIDS[@]}"; do
                case "$(readlink "/proc/$p/exe" 2>/dev/null)" in
                "$PAUSE" | */unshare) kill -KILL "$p" 2>/dev/null || true ;;
                esac
        done
}

@test "pause is a small static binary that prints its version" {
        run file -L "$PAUSE"
        [[ "$output" == *"statically linked"* ]]
        [ "$(stat -c %s "$PAUSE")" -lt 1048576 ]
        run "$PAUSE" -v
        [ "$status" -eq 0 ]
        [[ "$output" == "pause (crio) 0.1.0" ]]
        run "$PAUSE" --bogus
        [ "$status" -eq 2 ]
}

@test "SIGTERM and SIGINT end pause with status 0" {
        for sig in TERM INT; do
                "$PAUSE" &
                p=$!
                PIDS+=("$p")
                sleep 0.2
                kill -0 "$p"
                kill -"$sig" "$p"
                rc=0
                wait "$p" || rc=$?
                [ "$rc" -eq 0 ]
        done
}

@test "as PID 1 of a PID namespace, pause reaps orphans and exits 0 on SIGTERM" {
        unshare --fork --pid "$PAUSE" &
        u=$!
        PIDS+=("$u")
        # (teardown kills pause too: killing unshare would orphan it, not end it)
        p=
        for _ in $(seq 50); do
                p=$(xargs </proc/$u/task/$u/children 2>/dev/null || true)
                [ -n "$p" ] && break
                sleep 0.05
        done
        [ -n "$p" ]
        PIDS+=("$p")
        [ "$(awk '/^NSpid:/ { print $NF }' /proc/$p/status)" = "1" ]
        # An orphan: sh starts sleep and exits; sleep is re-parented to pause.
        nsenter --target "$p" --pid -- /bin/sh -c '/bin/sleep 0.5 & exit 0'
        sleep 0.2
        kids=$(xargs </proc/$p/task/$p/children)
        [ -n "$kids" ]
        [[ "$(cat /proc/$kids/comm)" == "sleep" ]]
        # Once it exited it is reaped: no zombie left below pause.
        sleep 0.8
        kids=$(xargs </proc/$p/task/$p/children)
        for k in $kids; do
                state=$(awk '/^State:/ { print $2 }' /proc/$k/status)
                [ "$state" != "Z" ]
        done
        [ -z "$kids" ]
        kill -TERM "$p"
        rc=0
        wait "$u" || rc=$?
        [ "$rc" -eq 0 ]
}
