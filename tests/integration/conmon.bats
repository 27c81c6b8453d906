#!/usr/bin/env bats
# conmon on its own, with real runc and a busybox-static bundle: detaching, the sync-pipe
# report, the CRI log file (format, partial and empty lines, size limit, reopen through the
# control FIFO) and the exit file. crio's part (`runc start`) is done by the test.

load helpers

CONMON=$BUILD/conmon
RUNC=/usr/sbin/runc
TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}[+-][0-9]{2}:[0-9]{2}'

setup() {
        [ -x "$CONMON" ] || skip "no $CONMON"
        [ -x /usr/bin/busybox ] || skip "no busybox-static"
        T=$(mktemp -d /tmp/conmon-it.XXXXXX)
        RUNC_ROOT=$T/runc
        mkdir -p "$T/exits" "$RUNC_ROOT"
        IDS=()
        CONMON_PID=
}

teardown() {
        [ -n "${T:-}" ] || return 0
        local id pid
        for id in "${IDS[@]}"; do
                "$RUNC" --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1 || true
        done
        for pid in $(cat "$T"/*/conmon.pid 2>/dev/null); do
                # only a conmon this test started (its pid file is in our temp dir)
                [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = conmon ] && kill -KILL "$pid" 2>/dev/null || true
        done
        unmount_under "$T"
        rm -rf "$T"
}

# make_bundle NAME ARG...: a bundle $T/NAME with a busybox rootfs running ARG...
make_bundle() {
        local name=$1
        shift
        local b=$T/$name/bundle
        mkdir -p "$b/rootfs/bin"
        cp /usr/bin/busybox "$b/rootfs/bin/busybox"
        for a in sh echo printf sleep cat true false test; do ln -s busybox "$b/rootfs/bin/$a"; done
        (cd "$b" && "$RUNC" spec)
        local args
        args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
        jq --argjson a "$args" '.process.args = $a | .process.terminal = false' "$b/config.json" >"$b/config.json.new"
        mv "$b/config.json.new" "$b/config.json"
}

# start_conmon NAME [CONMON-ARGS...]: runs conmon for container "<NAME>-<pid>" on bundle
# $T/NAME; sets ID, D (its directory), CONMON_STATUS, SYNC (the sync-pipe line) and CONMON_PID.
start_conmon() {
        local name=$1
        shift
        D=$T/$name
        ID=cbats-$name-$$
        IDS+=("$ID")
        mkfifo "$D/sync"
        local fd
        exec {fd}<>"$D/sync"
        CONMON_STATUS=0
        "$CONMON" --cid "$ID" --runtime "$RUNC" --runtime-arg --root --runtime-arg "$RUNC_ROOT" \
                --bundle "$D/bundle" --log-path "$D/ctr.log" --exit-dir "$T/exits" \
                --pidfile "$D/conmon.pid" --container-pidfile "$D/ctr.pid" --sync-pipe-fd "$fd" \
                --conmon-log "$D/conmon.log" --log-level debug "$@" \
                </dev/null >"$D/conmon.out" 2>"$D/conmon.err" 3>&- || CONMON_STATUS=$?
        SYNC=
        read -t 20 -r SYNC <&"$fd" || true
        exec {fd}>&-
        CONMON_PID=$(cat "$D/conmon.pid" 2>/dev/null || true)
}

# wait_gone PID: waits up to 20 s for a process to end.
wait_gone() {
        local i
        for i in $(seq 1 200); do
                kill -0 "$1" 2>/dev/null || return 0
                sleep 0.1
        done
        echo "process $1 still there" >&2
        return 1
}

# wait_for_file FILE [PATTERN]: waits up to 20 s for FILE to exist (and hold PATTERN).
wait_for_file() {
        local i
        for i in $(seq 1 200); do
                if [ -e "$1" ] && { [ -z "${2:-}" ] || grep -qE -- "$2" "$1"; }; then
                        return 0
                fi
                sleep 0.1
        done
        echo "$1 did not appear${2:+ with $2}" >&2
        [ -e "$1" ] && cat "$1" >&2
        return 1
}

# run_to_exit: starts the created container and waits for conmon to record its exit.
run_to_exit() {
        "$RUNC" --root "$RUNC_ROOT" start "$ID"
        wait_for_file "$T/exits/$ID"
        wait_gone "$CONMON_PID"
}

@test "conmon detaches, reports the container pid and records stdout, stderr and exit code 3" {
        make_bundle basic /bin/sh -c 'echo hello; echo oops >&2; exit 3'
        start_conmon basic
        [ "$CONMON_STATUS" -eq 0 ] || { cat "$D/conmon.err"; false; }
        [[ "$SYNC" =~ ^\{\"pid\":\ ([0-9]+)\}$ ]] || { echo "sync: $SYNC"; cat "$D/conmon.log"; false; }
        local cpid=${BASH_REMATCH[1]}
        [ "$cpid" = "$(cat "$D/ctr.pid")" ]
        # detached: not our child, in a session of its own that it does not lead, and
        # the container's init is its child (conmon is the subreaper)
        [ -n "$CONMON_PID" ] && kill -0 "$CONMON_PID"
        local ppid sid
        ppid=$(awk '{print $4}' /proc/"$CONMON_PID"/stat)
        sid=$(awk '{print $6}' /proc/"$CONMON_PID"/stat)
        [ "$ppid" != "$$" ] && [ "$ppid" != "$BASHPID" ]
        [ "$sid" != "$CONMON_PID" ] && [ "$sid" != "$(awk '{print $6}' /proc/$BASHPID/stat)" ]
        [ "$(awk '{print $4}' /proc/"$cpid"/stat)" = "$CONMON_PID" ]
        [ -p "$D/bundle/ctl" ]
        # no stray fds: stdio on /dev/null (or its own log), nothing else of ours
        [ "$(readlink /proc/"$CONMON_PID"/fd/0)" = /dev/null ]
        [ "$(readlink /proc/"$CONMON_PID"/fd/1)" = /dev/null ]
        ! ls -l /proc/"$CONMON_PID"/fd | grep -q "$D/sync"

        run_to_exit
        [ "$(cat "$T/exits/$ID")" = 3 ]
        # decimal, no newline
        [ "$(stat -c %s "$T/exits/$ID")" = 1 ]
        grep -qxE "$TIME_RE stdout F hello" "$D/ctr.log"
        grep -qxE "$TIME_RE stderr F oops" "$D/ctr.log"
        [ "$(wc -l <"$D/ctr.log")" = 2 ]
        [ ! -e "$D/bundle/ctl" ]
        [ -z "$(ls "$T/exits" | grep -v "^$ID\$")" ]
}

@test "conmon tags a partial line P and keeps the space of an empty line" {
        make_bundle partial /bin/sh -c 'printf part; sleep 0.3; echo ial; echo; echo end'
        start_conmon partial
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]]
        run_to_exit
        [ "$(cat "$T/exits/$ID")" = 0 ]
        cat -A "$D/ctr.log"
        run sed -E "s/^$TIME_RE //" "$D/ctr.log"
        [ "${lines[0]}" = "stdout P part" ]
        [ "${lines[1]}" = "stdout F ial" ]
        [ "${lines[3]}" = "stdout F end" ]
        # bats trims nothing inside lines, but check the raw bytes of the empty record
        sed -n 3p "$D/ctr.log" | grep -qxE "$TIME_RE stdout F "
        [ "${#lines[@]}" = 4 ]
}

@test "conmon records 137 for a container killed by SIGKILL" {
        make_bundle killed /bin/sleep 300
        start_conmon killed
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]]
        "$RUNC" --root "$RUNC_ROOT" start "$ID"
        "$RUNC" --root "$RUNC_ROOT" kill "$ID" KILL
        wait_for_file "$T/exits/$ID"
        wait_gone "$CONMON_PID"
        [ "$(cat "$T/exits/$ID")" = 137 ]
}

@test "conmon starts a new log file at --log-size-max" {
        make_bundle sized /bin/sh -c 'i=10; while [ $i -lt 40 ]; do echo line-$i; i=$((i+1)); done'
        start_conmon sized --log-size-max 300
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]]
        run_to_exit
        cat "$D/ctr.log"
        [ "$(stat -c %s "$D/ctr.log")" -le 300 ]
        grep -qxE "$TIME_RE stdout F line-39" "$D/ctr.log"
        ! grep -q "line-10" "$D/ctr.log"
        [ ! -e "$D/ctr.log.tmp" ]
}

@test "conmon reopens its log on \"2 0 0\" from the control FIFO after the file was moved" {
        make_bundle reopen /bin/sh -c 'echo first; while [ ! -e /go ]; do sleep 0.1; done; echo second'
        start_conmon reopen
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]]
        "$RUNC" --root "$RUNC_ROOT" start "$ID"
        wait_for_file "$D/ctr.log" "stdout F first"
        mv "$D/ctr.log" "$D/ctr.log.1"
        echo "2 0 0" >"$D/bundle/ctl"
        wait_for_file "$D/ctr.log"
        touch "$D/bundle/rootfs/go"
        wait_for_file "$T/exits/$ID"
        wait_gone "$CONMON_PID"
        grep -qxE "$TIME_RE stdout F first" "$D/ctr.log.1"
        ! grep -q second "$D/ctr.log.1"
        grep -qxE "$TIME_RE stdout F second" "$D/ctr.log"
        ! grep -q first "$D/ctr.log"
}

@test "a failing create is reported as pid -1 with the runtime's message" {
        make_bundle broken /bin/true
        rm "$T/broken/bundle/config.json"
        start_conmon broken
        [ "$CONMON_STATUS" -eq 0 ]
        echo "sync: $SYNC"
        [[ "$SYNC" =~ ^\{\"pid\":\ -1,\ \"message\":\ \"(.*)\"\}$ ]]
        [[ "${BASH_REMATCH[1]}" == *config.json* ]]
        # the line is valid JSON
        [ "$(printf '%s' "$SYNC" | jq -r .pid)" = -1 ]
        printf '%s' "$SYNC" | jq -r .message | grep -q "config.json"
        wait_gone "$CONMON_PID"
        [ ! -e "$T/exits/$ID" ]
}

@test "a runtime that cannot be executed is reported as pid -1" {
        make_bundle noexec /bin/true
        start_conmon noexec --runtime "$T/no-such-runtime"
        echo "sync: $SYNC"
        [ "$(printf '%s' "$SYNC" | jq -r .pid)" = -1 ]
        printf '%s' "$SYNC" | jq -r .message | grep -q "executing runtime $T/no-such-runtime: No such file or directory"
        wait_gone "$CONMON_PID"
}

@test "conmon refuses bad arguments before detaching" {
        run "$CONMON" --cid ../x --runtime "$RUNC" --bundle /b --log-path /l --exit-dir /e --pidfile /p --container-pidfile /c
        [ "$status" -eq 1 ]
        [[ "$output" == *'invalid container id'* ]]
        run "$CONMON" --cid x --runtime "$RUNC"
        [ "$status" -eq 1 ]
        [[ "$output" == *'--bundle is required'* ]]
        run "$CONMON" --cid x --runtime "$RUNC" --bundle /b --log-path /l --exit-dir /e --pidfile /p --container-pidfile /c --log-size-max lots
        [ "$status" -eq 1 ]
        [[ "$output" == *'--log-size-max: invalid number'* ]]
}
