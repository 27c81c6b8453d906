#!/usr/bin/env bats
# The gRPC server: socket handling, error statuses, signals, sd_notify, logging.

load helpers

setup() { setup_crio_env; }
teardown() { teardown_crio_env; }

@test "socket: parent directory created, mode 0660, owned by root" {
        rm -rf "$TESTDIR/run"
        start_crio
        [ -d "$TESTDIR/run" ]
        [ "$(stat -c '%a %u %g %F' "$SOCK")" = "660 0 0 socket" ]
}

@test "socket: a live crio makes a second one refuse to start" {
        start_crio
        # its own state_dir: only the socket is shared
        cp -r "$TESTDIR/crio.conf.d" "$TESTDIR/other.d"
        printf '[crio]\nstate_dir = "%s"\n' "$TESTDIR/lib/other" >"$TESTDIR/other.d/99-state.conf"
        run timeout 10 "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/other.d"
        [ "$status" -eq 1 ]
        [[ "$output" == *"is in use by a running process"* ]]
        # the first one still serves
        run crioctl version
        [ "$status" -eq 0 ]
}

@test "state_dir: a second crio on the same state refuses before reading it, naming the first" {
        start_crio
        ls -la --time-style=full-iso "$TESTDIR/lib/crio" >"$TESTDIR/before"
        # another socket, the same state_dir
        run timeout 10 "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d" \
                --listen "$TESTDIR/other.sock"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"another crio (pid $CRIO_PID) is running with state_dir $TESTDIR/lib/crio"* ]]
        [ ! -e "$TESTDIR/other.sock" ]
        ls -la --time-style=full-iso "$TESTDIR/lib/crio" | diff "$TESTDIR/before" -
        run crioctl version
        [ "$status" -eq 0 ]
        # the lock goes with its holder, kill -9 included
        stop_crio KILL
        start_crio
        [ "$(cat "$TESTDIR/lib/crio/crio.lock")" = "$CRIO_PID" ]
}

@test "socket: a stale socket from a killed crio is replaced" {
        start_crio
        stop_crio KILL
        [ -S "$SOCK" ]
        start_crio
        run crioctl version
        [ "$status" -eq 0 ]
}

@test "socket: a non-socket file at the listen path is not removed" {
        echo precious >"$SOCK"
        run timeout 10 "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d"
        [ "$status" -eq 1 ]
        [[ "$output" == *"exists and is not a socket"* ]]
        [ "$(cat "$SOCK")" = "precious" ]
}

@test "SIGTERM and SIGINT: crio exits 0 and removes its socket" {
        start_crio
        stop_crio TERM
        [ "$CRIO_STATUS" -eq 0 ]
        [ ! -e "$SOCK" ]
        grep -q 'level=info msg="crio stopped"' "$TESTDIR/crio.log"
        start_crio
        stop_crio INT
        [ "$CRIO_STATUS" -eq 0 ]
        [ ! -e "$SOCK" ]
}

@test "an RPC without a handler answers UNIMPLEMENTED with a message" {
        start_crio
        run cri_client call RuntimeService Attach '{}'
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR UNIMPLEMENTED: /runtime.v1.RuntimeService/Attach is not implemented by crio yet" ]]
        run cri_client call RuntimeService PortForward '{"podSandboxId": "x"}'
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR UNIMPLEMENTED:"* ]]
        run cri_client call RuntimeService CheckpointContainer '{}'
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR UNIMPLEMENTED:"* ]]
}

@test "an unknown method answers UNIMPLEMENTED" {
        start_crio
        run cri_client raw RuntimeService NoSuchMethod ""
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR UNIMPLEMENTED: unknown method /runtime.v1.RuntimeService/NoSuchMethod" ]]
        run cri_client raw NoSuchService Version ""
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR UNIMPLEMENTED:"* ]]
}

@test "an undecodable request answers INVALID_ARGUMENT" {
        start_crio
        # field 1 (string) claiming 100 bytes with 1 present
        run cri_client raw RuntimeService Version "0a6441"
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR INVALID_ARGUMENT: /runtime.v1.RuntimeService/Version: cannot decode the request"* ]]
        # and the server keeps serving
        run crioctl version
        [ "$status" -eq 0 ]
}

@test "grpc_max_recv_msg_size limits requests" {
        printf '[crio.api]\ngrpc_max_recv_msg_size = 1024\n' >"$TESTDIR/crio.conf.d/10-size.conf"
        start_crio
        run cri_client call RuntimeService Version "{\"version\": \"$(head -c 2000 /dev/zero | tr '\0' v)\"}"
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR RESOURCE_EXHAUSTED:"* ]]
        run cri_client call RuntimeService Version '{"version": "v1"}'
        [ "$status" -eq 0 ]
}

@test "sd_notify: READY=1 once the socket accepts" {
        "$PY" - "$TESTDIR/notify.sock" "$TESTDIR/notify.out" <<'EOP' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
data = s.recv(4096).decode()
open(sys.argv[2], "w").write(data)
EOP
        local listener=$!
        for _ in $(seq 1 50); do [ -S "$TESTDIR/notify.sock" ] && break; sleep 0.1; done
        NOTIFY_SOCKET="$TESTDIR/notify.sock" start_crio
        wait "$listener"
        grep -q '^READY=1$' "$TESTDIR/notify.out"
}

@test "logging: leveled lines on stderr; --log-level filters" {
        start_crio --log-level info
        crioctl version >/dev/null
        grep -Eq '^time="[0-9T:.-]+Z" level=info msg="crio 0.1.0 serving the CRI on '"$SOCK"'"$' "$TESTDIR/crio.log"
        ! grep -q 'level=debug' "$TESTDIR/crio.log"
        stop_crio
        : >"$TESTDIR/crio.log"
        start_crio --log-level debug
        crioctl version >/dev/null
        grep -q 'level=debug msg="/runtime.v1.RuntimeService/Version: OK"' "$TESTDIR/crio.log"
}

@test "logging: syslog priority prefixes when stderr is the journal" {
        touch "$TESTDIR/crio.log"
        JOURNAL_STREAM="$(stat -c '%d:%i' "$TESTDIR/crio.log")" start_crio
        stop_crio
        grep -q '^<6>level=info msg="crio stopped"' "$TESTDIR/crio.log"
}

@test "SIGHUP reloads log_level and pause_image, and names what needs a restart" {
        start_crio --log-level info
        cat >"$TESTDIR/crio.conf.d/20-reload.conf" <<EOC
[crio]
root = "$TESTDIR/lib/other"
[crio.image]
pause_image = "registry.example/pause:reloaded"
EOC
        sed -i 's/log_level = "debug"/log_level = "error"/' "$TESTDIR/crio.conf"
        # the command line still wins over the files after a reload
        kill -HUP "$CRIO_PID"
        for _ in $(seq 1 50); do grep -q 'not reloaded' "$TESTDIR/crio.log" && break; sleep 0.1; done
        grep -q 'reloaded crio.image.pause_image' "$TESTDIR/crio.log"
        grep -q "not reloaded: crio.root" "$TESTDIR/crio.log"
        run crioctl info
        [ "$(echo "$output" | jq -r .config.crio.image.pause_image)" = "registry.example/pause:reloaded" ]
        [ "$(echo "$output" | jq -r .config.crio.root)" = "$TESTDIR/lib/storage" ]
        [ "$(echo "$output" | jq -r .config.crio.runtime.log_level)" = "info" ]
}

@test "SIGHUP with a broken configuration keeps the running one" {
        start_crio
        echo 'log_level = ' >"$TESTDIR/crio.conf.d/30-broken.conf"
        kill -HUP "$CRIO_PID"
        for _ in $(seq 1 50); do grep -q 'reload failed' "$TESTDIR/crio.log" && break; sleep 0.1; done
        grep -q "reload failed, keeping the running configuration: $TESTDIR/crio.conf.d/30-broken.conf" "$TESTDIR/crio.log"
        run crioctl version
        [ "$status" -eq 0 ]
}
