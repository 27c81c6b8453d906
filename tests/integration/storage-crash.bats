#!/usr/bin/env bats
# kill -9 of a process in the middle of writing a layer leaves a store that crio's store and
# podman both open cleanly, and the same import then succeeds.

load helpers

setup() {
        TESTDIR=$(mktemp -d /tmp/crio-it.XXXXXX)
        ROOT=$TESTDIR/root
        RUN=$TESTDIR/run
        "$PY" "$REPO/tests/lib/make-big-image.py" "$TESTDIR/oci" --count 1500 --size-kb 100 >"$TESTDIR/big.json"
        "$PY" "$REPO/tests/lib/make-oci-images.py" "$TESTDIR/small" >/dev/null
}

teardown() {
        unmount_under "$TESTDIR"
        rm -rf "$TESTDIR"
}

store_tool() {
        "$BUILD/tests/store-tool" "$ROOT" "$RUN" "$@"
}

podman_store() {
        podman --root "$ROOT" --runroot "$RUN" --storage-driver overlay "$@"
}

# waits until no process is chrooted below $TESTDIR (the orphaned crio-untar exits once its
# input socket is closed)
wait_helpers_gone() {
        for _ in $(seq 1 100); do
                ls -l /proc/[0-9]*/root 2>/dev/null | grep -q "$TESTDIR" || return 0
                sleep 0.1
        done
        return 1
}

@test "kill -9 while a layer is being written: the store opens cleanly for us and podman" {
        store_tool import-oci "$TESTDIR/small/busybox" docker.io/library/busybox:1
        local killed=0
        for attempt in 1 2 3 4 5; do
                # the binary itself, not the shell function: $! must be its PID
                "$BUILD/tests/store-tool" "$ROOT" "$RUN" import-oci "$TESTDIR/oci" docker.io/library/big:1 >/dev/null 2>&1 &
                local pid=$!
                # kill it once extraction is under way
                for _ in $(seq 1 200); do
                        compgen -G "$ROOT/overlay/crio-staging-*" >/dev/null && break
                        sleep 0.02
                done
                sleep 0.3
                kill -KILL "$pid" 2>/dev/null || true
                local st=0
                wait "$pid" || st=$?
                wait_helpers_gone
                # killed before the image was recorded (not merely reaped after finishing)?
                if [ "$st" -eq 137 ] && ! store_tool images | grep -q big:1; then
                        killed=1
                        break
                fi
                # it finished first: start over with an empty store
                unmount_under "$TESTDIR/root"
                rm -rf "$ROOT" "$RUN"
                store_tool import-oci "$TESTDIR/small/busybox" docker.io/library/busybox:1
        done
        [ "$killed" -eq 1 ]
        # our store opens, cleans what the dead writer left, and lists only complete things
        run store_tool layers
        [ "$status" -eq 0 ]
        [[ "$output" != *incomplete* ]]
        [ -z "$(compgen -G "$ROOT/overlay/crio-staging-*")" ]
        run store_tool images
        [ "$status" -eq 0 ]
        [[ "$output" == *"docker.io/library/busybox:1"* ]]
        echo "images after the crash: $output"
        [[ "$output" != *"big:1"* ]]
        # podman opens it too
        run podman_store images --format '{{.Repository}}:{{.Tag}}'
        [ "$status" -eq 0 ]
        [[ "$output" == *"docker.io/library/busybox:1"* ]]
        # and the same import now succeeds, and podman sees it
        run store_tool import-oci "$TESTDIR/oci" docker.io/library/big:1
        [ "$status" -eq 0 ]
        [ "$output" = "$(jq -r .id "$TESTDIR/big.json")" ]
        run podman_store images --format '{{.Repository}}:{{.Tag}}'
        [[ "$output" == *"docker.io/library/big:1"* ]]
}
