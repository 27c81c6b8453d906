# Shared by the bats files: a real crio on a temporary socket, with temporary directories.
# Every test gets its own TESTDIR; teardown ends the crio it started (by PID) and removes it.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD=${CRIO_BUILDDIR:-$REPO/build}
CRIO=$BUILD/crio
CRIOCTL=$BUILD/crioctl
PY=/usr/bin/python3
CRI_CLIENT="$REPO/tests/wire/cri_client.py"

setup_crio_env() {
        TESTDIR=$(mktemp -d /tmp/crio-it.XXXXXX)
        SOCK=$TESTDIR/run/crio.sock
        mkdir -p "$TESTDIR/crio.conf.d" "$TESTDIR/cni/net.d" "$TESTDIR/lib" "$TESTDIR/run"
        cat >"$TESTDIR/crio.conf" <<EOC
[crio]
root = "$TESTDIR/lib/storage"
runroot = "$TESTDIR/run/storage"
version_file = "$TESTDIR/run/version"
state_dir = "$TESTDIR/lib/crio"
log_dir = "$TESTDIR/pods"

[crio.api]
listen = "$SOCK"

[crio.runtime]
conmon = "$BUILD/conmon"
container_exits_dir = "$TESTDIR/run/exits"
container_attach_socket_dir = "$TESTDIR/run"
namespaces_dir = "$TESTDIR/run/ns"
log_level = "debug"

[crio.runtime.runtimes.runc]
runtime_root = "$TESTDIR/run/runc"

[crio.network]
network_dir = "$TESTDIR/cni/net.d"
plugin_dirs = ["/usr/lib/cni"]
cni_cache_dir = "$TESTDIR/lib/cni"
EOC
        CRIO_PID=
}

# start_crio [FLAGS...]: starts crio in the background and waits until it answers.
start_crio() {
        # a second crio would leave the first running past teardown (holding bats' output)
        if [ -n "${CRIO_PID:-}" ] && kill -0 "$CRIO_PID" 2>/dev/null; then
                echo "start_crio: this test's crio (pid $CRIO_PID) is already running" >&2
                return 1
        fi
        "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d" "$@" \
                </dev/null >>"$TESTDIR/crio.out" 2>>"$TESTDIR/crio.log" &
        CRIO_PID=$!
        wait_for_crio
}

wait_for_crio() {
        local i
        for i in $(seq 1 100); do
                if ! kill -0 "$CRIO_PID" 2>/dev/null; then
                        echo "crio exited early:" >&2
                        cat "$TESTDIR/crio.log" >&2
                        return 1
                fi
                if [ -S "$SOCK" ] && "$CRIOCTL" -r "unix://$SOCK" -t 1s version >/dev/null 2>&1; then
                        return 0
                fi
                sleep 0.1
        done
        echo "crio did not answer within 10s" >&2
        cat "$TESTDIR/crio.log" >&2
        return 1
}

# stop_crio [SIGNAL]: signals our crio and waits for it; sets CRIO_STATUS.
stop_crio() {
        local sig=${1:-TERM}
        [ -n "$CRIO_PID" ] || return 0
        kill -"$sig" "$CRIO_PID" 2>/dev/null || true
        CRIO_STATUS=0
        wait "$CRIO_PID" || CRIO_STATUS=$?
        CRIO_PID=
}

teardown_crio_env() {
        if [ -n "${CRIO_PID:-}" ] && kill -0 "$CRIO_PID" 2>/dev/null; then
                kill -TERM "$CRIO_PID" 2>/dev/null
                for _ in $(seq 1 50); do kill -0 "$CRIO_PID" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$CRIO_PID" 2>/dev/null || true
                wait "$CRIO_PID" 2>/dev/null || true
        fi
        end_containers "${TESTDIR:-}"
        unmount_under "${TESTDIR:-}"
        [ -n "${TESTDIR:-}" ] && rm -rf "$TESTDIR"
}

# end_containers DIR: kills and deletes the containers a test's crio left in the runtime
# state roots under DIR/run (runc, crun), and the conmons watching them (by the PID each
# recorded).
end_containers() {
        [ -n "$1" ] || return 0
        local root id rt
        for root in "$1"/run/runc "$1"/run/crun; do
                [ -d "$root" ] || continue
                rt=runc
                case "$root" in */crun) rt=${CRUN_WRAPPER:-crun} ;; esac
                for id in $(ls "$root" 2>/dev/null); do
                        "$rt" --root "$root" kill "$id" KILL >/dev/null 2>&1 || true
                        "$rt" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
                done
        done
        local f pid
        for f in "$1"/lib/crio/containers/*/conmon.pid; do
                [ -f "$f" ] || continue
                pid=$(cat "$f")
                [ -n "$pid" ] && grep -qs "$1" "/proc/$pid/cmdline" && kill -KILL "$pid" 2>/dev/null || true
        done
        for f in "$1"/run/ns/*/*; do
                [ -e "$f" ] && umount -l "$f" 2>/dev/null || true
        done
        # conmons' cgroups (conmon_cgroup "pod"), once the conmons killed above are gone.
        local cg h i
        for f in "$1"/lib/crio/containers/*/state.json; do
                [ -f "$f" ] || continue
                cg=$(jq -r '.conmon_cgroup // empty' "$f" 2>/dev/null)
                [ -n "$cg" ] || continue
                for h in /sys/fs/cgroup/*/; do
                        for i in 1 2 3 4 5 6 7 8 9 10; do
                                [ -d "$h${cg#/}" ] || break
                                rmdir "$h${cg#/}" 2>/dev/null && break
                                sleep 0.1
                        done
                done
        done
        return 0
}

# unmount_under DIR: unmounts every mount below DIR, deepest first (what a killed crio or a
# failed test left).
unmount_under() {
        [ -n "$1" ] || return 0
        awk -v d="$1/" 'index($5 "/", d) == 1 { print length($5), $5 }' /proc/self/mountinfo |
                sort -rn | cut -d' ' -f2- | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

crioctl() {
        "$CRIOCTL" -r "unix://$SOCK" "$@"
}

cri_client() {
        "$PY" "$CRI_CLIENT" --socket "$SOCK" "$@"
}

# A network of the loopback plugin only: pods get their own namespace with lo up and touch
# nothing on the host (what the pod tests that are not about networking use).
write_loopback_cni_config() {
        cat >"$TESTDIR/cni/net.d/99-loopback.conf" <<'EOC'
{ "cniVersion": "1.0.0", "name": "crio-lo", "type": "loopback" }
EOC
}

# A minimal usable CNI configuration (the bridge plugin from containernetworking-plugins).
write_cni_config() {
        cat >"$TESTDIR/cni/net.d/10-test.conflist" <<'EOC'
{
  "cniVersion": "1.0.0",
  "name": "crio-test",
  "plugins": [
    { "type": "bridge", "bridge": "cni-test0", "ipam": { "type": "host-local", "subnet": "10.250.0.0/24" } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOC
}
