#!/usr/bin/env bats
# conmon on its own, with real runc and a busybox-static bundle: detaching, the sync-pipe
# report, the CRI log file (format, partial and empty lines, size limit, reopen through the
# control FIFO), the exit file, the terminal (console socket, resize), the attach socket
# (output packets, stdin, stdin once), OOM kills and exec-sync. crio's part (`runc start`)
# is done by the test.

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
        for a in sh echo printf sleep cat true false test stty head tail; do ln -s busybox "$b/rootfs/bin/$a"; done
        (cd "$b" && "$RUNC" spec)
        local args
        args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
        jq --argjson a "$args" '.process.args = $a | .process.terminal = false' "$b/config.json" >"$b/config.json.new"
        mv "$b/config.json.new" "$b/config.json"
}

# edit_config NAME JQ-FILTER: changes the bundle's config.json
edit_config() {
        local c=$T/$1/bundle/config.json
        jq "$2" "$c" >"$c.new"
        mv "$c.new" "$c"
}

# An attach client: attach_client SOCKET OUTDIR [--send TEXT]... [--half-close] [--close]
#   [--until TEXT] [--timeout S]. Connects (through /proc/self/fd/<dirfd>/NAME when the path
# is too long for sun_path), touches OUTDIR/connected, sends each TEXT (backslash escapes
# allowed) as one packet, then half-closes (shutdown SHUT_WR) or closes, and reads packets
# until end-of-file, TEXT seen or the timeout: OUTDIR/stdout and OUTDIR/stderr get the
# bytes of stream 1 and 2, OUTDIR/bad the count of packets with another stream byte.
ATTACH_PY='
import os, socket, sys, time
path, out = sys.argv[1], sys.argv[2]
a = sys.argv[3:]
sends, half, close, until, timeout = [], False, False, None, 20.0
while a:
    o = a.pop(0)
    if o == "--send": sends.append(a.pop(0).encode().decode("unicode_escape").encode("latin-1"))
    elif o == "--half-close": half = True
    elif o == "--close": close = True
    elif o == "--until": until = a.pop(0).encode()
    elif o == "--timeout": timeout = float(a.pop(0))
    else: sys.exit("bad option " + o)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
if len(path.encode()) >= 108:
    d = os.open(os.path.dirname(path), os.O_PATH)
    s.connect("/proc/self/fd/%d/%s" % (d, os.path.basename(path)))
else:
    s.connect(path)
open(os.path.join(out, "connected"), "w").close()
for b in sends:
    s.send(b)
if close:
    sys.exit(0)
if half:
    s.shutdown(socket.SHUT_WR)
got, bad = {1: b"", 2: b""}, 0
end = time.time() + timeout
try:
    while time.time() < end:
        s.settimeout(max(end - time.time(), 0.01))
        p = s.recv(65536)
        if not p:
            break
        if p[0] in got:
            got[p[0]] += p[1:]
        else:
            bad += 1
        if until and until in got[1] + got[2]:
            break
except socket.timeout:
    pass
open(os.path.join(out, "stdout"), "wb").write(got[1])
open(os.path.join(out, "stderr"), "wb").write(got[2])
open(os.path.join(out, "bad"), "w").write(str(bad))
'
attach_client() {
        mkdir -p "$2"
        /usr/bin/python3 -c "$ATTACH_PY" "$@"
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
        # no OOM here
        [ ! -e "$D/bundle/oom" ]
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

@test "conmon refuses contradictory terminal, stdin and exec-sync options" {
        local common=(--cid x --runtime "$RUNC" --bundle /b --log-path /l --exit-dir /e --pidfile /p --container-pidfile /c)
        run "$CONMON" "${common[@]}" --stdin-once
        [ "$status" -eq 1 ]
        [[ "$output" == *'--stdin-once and --leave-stdin-open need --stdin'* ]]
        run "$CONMON" "${common[@]}" --stdin --stdin-once --leave-stdin-open
        [ "$status" -eq 1 ]
        [[ "$output" == *'contradict'* ]]
        run "$CONMON" "${common[@]}" --timeout 3
        [ "$status" -eq 1 ]
        [[ "$output" == *'need --exec-sync'* ]]
        run "$CONMON" --exec-sync --cid x --runtime "$RUNC"
        [ "$status" -eq 1 ]
        [[ "$output" == *'--exec-process-spec is required'* ]]
        run "$CONMON" --exec-sync --cid x --runtime "$RUNC" --exec-process-spec /p --terminal
        [ "$status" -eq 1 ]
        [[ "$output" == *'--exec-sync takes no --terminal'* ]]
        run "$CONMON" --exec-sync --cid x --runtime "$RUNC" --exec-process-spec /p --timeout -1
        [ "$status" -eq 1 ]
        [[ "$output" == *'--timeout: invalid number'* ]]
}

@test "--terminal: the pty from the console socket is logged as stdout and \"1 rows cols\" resizes it" {
        make_bundle tty /bin/sh -c 'while [ ! -e /go ]; do sleep 0.1; done; stty size; echo to-stderr >&2; test -t 1 && echo is-a-tty'
        edit_config tty '.process.terminal = true'
        start_conmon tty --terminal
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]] || { echo "sync: $SYNC"; cat "$D/conmon.log"; false; }
        # the console socket is gone once the terminal arrived
        [ ! -e "$D/bundle/console.sock" ]
        "$RUNC" --root "$RUNC_ROOT" start "$ID"
        echo "1 30 100" >"$D/bundle/ctl"
        # the resize is handled before the go (one poll round reads the FIFO first)
        sleep 0.3
        touch "$D/bundle/rootfs/go"
        wait_for_file "$T/exits/$ID"
        wait_gone "$CONMON_PID"
        cat -A "$D/ctr.log"
        [ "$(cat "$T/exits/$ID")" = 0 ]
        # the terminal turns \n into \r\n; everything is stdout
        grep -qxE "$TIME_RE stdout F 30 100"$'\r' "$D/ctr.log"
        grep -qxE "$TIME_RE stdout F to-stderr"$'\r' "$D/ctr.log"
        grep -qxE "$TIME_RE stdout F is-a-tty"$'\r' "$D/ctr.log"
        run grep -cE "^[^ ]+ stderr " "$D/ctr.log"
        [ "$output" = 0 ]
}

@test "--terminal --stdin --stdin-once: attach input reaches the pty, and ^D ends it when the client's input ends" {
        make_bundle ttyin /bin/sh -c 'cat; echo got-eof'
        edit_config ttyin '.process.terminal = true'
        start_conmon ttyin --terminal --stdin --stdin-once --attach-socket "$T/ttyin/attach/sock"
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]] || { echo "sync: $SYNC"; cat "$D/conmon.log"; false; }
        [ -S "$D/attach/sock" ]
        [ "$(stat -c %a "$D/attach/sock")" = 600 ]
        "$RUNC" --root "$RUNC_ROOT" start "$ID"
        attach_client "$D/attach/sock" "$D/c1" --send 'hello\n' --half-close --until got-eof
        od -c "$D/c1/stdout"
        grep -q 'hello' "$D/c1/stdout"
        grep -q 'got-eof' "$D/c1/stdout"
        [ ! -s "$D/c1/stderr" ]
        [ "$(cat "$D/c1/bad")" = 0 ]
        wait_for_file "$T/exits/$ID"
        wait_gone "$CONMON_PID"
        [ "$(cat "$T/exits/$ID")" = 0 ]
        grep -qE "$TIME_RE stdout F got-eof" "$D/ctr.log"
        # the socket is removed at exit
        [ ! -e "$D/attach/sock" ]
}

@test "attach: every client gets stdout (1) and stderr (2) packets; --stdin-once closes stdin when the first input ends" {
        make_bundle attach /bin/sh -c 'cat; echo bye >&2'
        start_conmon attach --stdin --stdin-once --attach-socket "$T/attach/sock"
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]] || { echo "sync: $SYNC"; cat "$D/conmon.log"; false; }
        # a second client that only listens, attached before the container starts
        attach_client "$D/sock" "$D/c2" --timeout 20 &
        local listener=$!
        wait_for_file "$D/c2/connected"
        "$RUNC" --root "$RUNC_ROOT" start "$ID"
        attach_client "$D/sock" "$D/c1" --send 'one\n' --send 'two\n' --half-close
        wait "$listener"
        wait_for_file "$T/exits/$ID"
        wait_gone "$CONMON_PID"
        local c
        for c in c1 c2; do
                [ "$(cat "$D/$c/stdout")" = "$(printf 'one\ntwo')" ] || { echo "$c: $(od -c "$D/$c/stdout")"; false; }
                [ "$(cat "$D/$c/stderr")" = bye ]
                [ "$(cat "$D/$c/bad")" = 0 ]
        done
        [ "$(cat "$T/exits/$ID")" = 0 ]
        grep -qxE "$TIME_RE stdout F one" "$D/ctr.log"
        grep -qxE "$TIME_RE stdout F two" "$D/ctr.log"
        grep -qxE "$TIME_RE stderr F bye" "$D/ctr.log"
}

@test "attach without --stdin-once: a client leaving leaves stdin open; a socket path longer than sun_path" {
        make_bundle keep /bin/sh -c 'while read l; do echo "read:$l"; [ "$l" = quit ] && exit 5; done; echo eof'
        # 200 bytes: bound as /proc/self/fd/<dirfd>/sock, and clients connect likewise
        local long=$T/keep/$(printf 'd%.0s' $(seq 1 80))/$(printf 'e%.0s' $(seq 1 80))
        mkdir -p "$(dirname "$long")"
        [ "${#long}" -gt 108 ]
        start_conmon keep --stdin --attach-socket "$long/sock"
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]] || { echo "sync: $SYNC"; cat "$D/conmon.log"; false; }
        [ -S "$long/sock" ]
        "$RUNC" --root "$RUNC_ROOT" start "$ID"
        # the first client writes a line and goes away at once
        attach_client "$long/sock" "$D/c1" --send 'first\n' --close
        wait_for_file "$D/ctr.log" "stdout F read:first"
        sleep 0.3
        kill -0 "$(cat "$D/ctr.pid")"
        [ ! -e "$T/exits/$ID" ]
        # a later client still reaches the same stdin
        attach_client "$long/sock" "$D/c2" --send 'quit\n' --until 'read:quit'
        grep -q 'read:quit' "$D/c2/stdout"
        wait_for_file "$T/exits/$ID"
        wait_gone "$CONMON_PID"
        [ "$(cat "$T/exits/$ID")" = 5 ]
        ! grep -q 'eof' "$D/ctr.log"
        [ ! -e "$long/sock" ]
}

@test "OOM: a container past its 32 MiB memory limit gets <bundle>/oom (as it happens) and exit code 137" {
        [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || [ -e /sys/fs/cgroup/cgroup.controllers ] ||
                skip "no swap accounting in the memory cgroup"
        # busybox tail keeps its whole input when it has no newline: one process grows. The
        # first kill leaves init running (the file must come from the live event), the
        # second ends the container with tail's 137.
        # Every process starts at oom_score_adj 500; head and tail of the first pipeline raise
        # theirs to 1000, so that the OOM killer picks one of them, never init, also when a
        # second kill comes before the first victim's memory is back (seen on a slow machine).
        make_bundle oom /bin/sh -c '(echo 1000 >/proc/self/oom_score_adj; exec head -c 200m /dev/zero) | (echo 1000 >/proc/self/oom_score_adj; exec tail); while [ ! -e /go ]; do sleep 0.1; done; head -c 200m /dev/zero | tail'
        edit_config oom '.linux.resources.memory = {"limit": 33554432, "swap": 33554432} | .process.oomScoreAdj = 500'
        start_conmon oom
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]] || { echo "sync: $SYNC"; cat "$D/conmon.log"; false; }
        [ ! -e "$D/bundle/oom" ]
        "$RUNC" --root "$RUNC_ROOT" start "$ID"
        wait_for_file "$D/bundle/oom"
        kill -0 "$(cat "$D/ctr.pid")"
        [ ! -e "$T/exits/$ID" ]
        touch "$D/bundle/rootfs/go"
        wait_for_file "$T/exits/$ID"
        wait_gone "$CONMON_PID"
        cat "$D/conmon.log"
        [ "$(cat "$T/exits/$ID")" = 137 ]
        [ -f "$D/bundle/oom" ]
        [ ! -s "$D/bundle/oom" ]
        grep -q 'OOM-killed' "$D/conmon.log"
        [ -z "$(ls "$D/bundle" | grep tmp)" ]
}

@test "OOM: when the kill ends the container, <bundle>/oom is older than the exit file" {
        make_bundle oom2 /bin/sh -c 'head -c 200m /dev/zero | tail'
        edit_config oom2 '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
        start_conmon oom2
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]] || { echo "sync: $SYNC"; cat "$D/conmon.log"; false; }
        run_to_exit
        [ "$(cat "$T/exits/$ID")" = 137 ]
        local t_oom t_exit
        t_oom=$(stat -c %.9Y "$D/bundle/oom")
        t_exit=$(stat -c %.9Y "$T/exits/$ID")
        echo "oom $t_oom exit $t_exit"
        [ "$(echo "$t_oom <= $t_exit" | bc)" = 1 ]
}

# process_spec FILE ARG...: a runtime-spec "process" object, as crio writes for exec
process_spec() {
        local f=$1
        shift
        jq -n --argjson a "$(printf '%s\n' "$@" | jq -R . | jq -s .)" \
                '{terminal: false, user: {uid: 0, gid: 0}, args: $a, env: ["PATH=/bin"], cwd: "/"}' >"$f"
}

# exec_sync ARGS...: conmon --exec-sync against the running container $ID; sets status,
# output (stdout only) and ERR (stderr)
exec_sync() {
        run --separate-stderr "$CONMON" --exec-sync --cid "$ID" --runtime "$RUNC" \
                --runtime-arg --root --runtime-arg "$RUNC_ROOT" "$@"
        ERR=$stderr
        echo "status $status, stdout: $output, stderr: $ERR"
}

start_sleeper() {
        make_bundle "$1" /bin/sleep 300
        start_conmon "$1"
        [[ "$SYNC" =~ ^\{\"pid\":\ [0-9]+\}$ ]] || { echo "sync: $SYNC"; cat "$D/conmon.log"; false; }
        "$RUNC" --root "$RUNC_ROOT" start "$ID"
}

@test "exec-sync: exit code, stdout and stderr (base64) as one JSON object" {
        bats_require_minimum_version 1.5.0
        start_sleeper es
        process_spec "$D/p.json" /bin/sh -c 'echo out; printf "e\001rr" >&2; exit 7'
        exec_sync --exec-process-spec "$D/p.json" --timeout 0
        [ "$status" -eq 0 ]
        [ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
        [ "$(jq -r .exit_code <<<"$output")" = 7 ]
        [ "$(jq -r .timed_out <<<"$output")" = false ]
        [ "$(jq -r .truncated <<<"$output")" = false ]
        [ "$(jq -r .stdout <<<"$output" | base64 -d)" = out ]
        [ "$(jq -r .stderr <<<"$output" | base64 -d | od -An -c | tr -s ' ')" = " e 001 r r" ]
        [ ! -e "$D/p.json.pid" ]
        # a second one, exit 0, no output
        process_spec "$D/p.json" /bin/true
        exec_sync --exec-process-spec "$D/p.json" --timeout 10
        [ "$status" -eq 0 ]
        [ "$output" = '{"exit_code": 0, "timed_out": false, "stdout": "", "stderr": "", "truncated": false}' ]
}

@test "exec-sync: --timeout kills the process and reports timed_out" {
        bats_require_minimum_version 1.5.0
        start_sleeper et
        process_spec "$D/p.json" /bin/sh -c 'echo started; exec sleep 60'
        local t0=$SECONDS
        exec_sync --exec-process-spec "$D/p.json" --timeout 1
        [ "$status" -eq 0 ]
        [ $((SECONDS - t0)) -le 5 ]
        [ "$(jq -r .timed_out <<<"$output")" = true ]
        [ "$(jq -r .exit_code <<<"$output")" = 137 ]
        [ "$(jq -r .stdout <<<"$output" | base64 -d)" = started ]
        # only the container's init is left in it
        run "$RUNC" --root "$RUNC_ROOT" ps --format json "$ID"
        [ "$status" -eq 0 ]
        [ "$(jq length <<<"$output")" = 1 ]
}

@test "exec-sync: output past --exec-output-max is read, dropped and noted as truncated" {
        bats_require_minimum_version 1.5.0
        start_sleeper eo
        process_spec "$D/p.json" /bin/sh -c 'head -c 300000 /dev/zero; echo small >&2'
        exec_sync --exec-process-spec "$D/p.json" --exec-output-max 1000
        [ "$status" -eq 0 ]
        [ "$(jq -r .exit_code <<<"$output")" = 0 ]
        [ "$(jq -r .truncated <<<"$output")" = true ]
        [ "$(jq -r .stdout <<<"$output" | base64 -d | wc -c)" = 1000 ]
        [ "$(jq -r .stderr <<<"$output" | base64 -d)" = small ]
        # the default keeps it all
        exec_sync --exec-process-spec "$D/p.json"
        [ "$(jq -r .truncated <<<"$output")" = false ]
        [ "$(jq -r .stdout <<<"$output" | base64 -d | wc -c)" = 300000 ]
}

@test "exec-sync: an exec that cannot run is exit 1 with the runtime's message" {
        bats_require_minimum_version 1.5.0
        start_sleeper ef
        process_spec "$D/p.json" /bin/true
        ID=cbats-no-such-container
        exec_sync --exec-process-spec "$D/p.json"
        [ "$status" -eq 1 ]
        [ -z "$output" ]
        [[ "$ERR" == *"container does not exist"* ]]
        ID=cbats-ef-$$
        process_spec "$D/p.json" /bin/no-such-program
        exec_sync --exec-process-spec "$D/p.json"
        [ "$status" -eq 1 ]
        [ -z "$output" ]
        [[ "$ERR" == *"no-such-program"* ]]
        exec_sync --exec-process-spec "$D/missing.json"
        [ "$status" -eq 1 ]
        [[ "$ERR" == *"missing.json: No such file or directory"* ]]
}
