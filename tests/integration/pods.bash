# Shared by the pod and container bats files: a crio with busybox in its store, and short
# wrappers around the CRI calls (through tests/wire/cri_client.py, which speaks the upstream
# CRI wire format).

# pods_setup_file: the test images (make-oci-images.py) in OCI_DIR, with a pause image made
# from build/pause.
pods_setup_file() {
        export OCI_DIR=$(mktemp -d /tmp/crio-oci.XXXXXX)
        "$PY" "$REPO/tests/lib/make-oci-images.py" "$OCI_DIR" --pause "$BUILD/pause" >"$OCI_DIR/images.json"
}

pods_teardown_file() {
        rm -rf "$OCI_DIR"
}

# pods_setup: a crio with docker.io/library/busybox:1 in its store.
pods_setup() {
        setup_crio_env
        write_loopback_cni_config
        STORE="overlay@$TESTDIR/lib/storage+$TESTDIR/run/storage"
        skopeo copy -q "oci:$OCI_DIR/busybox:1" "containers-storage:[$STORE]docker.io/library/busybox:1"
}

# rt RPC [JSON]: a RuntimeService call; prints the response JSON.
rt() {
        cri_client call RuntimeService "$@"
}

# pod_config NAME [EXTRA-JSON-MEMBERS]: a PodSandboxConfig.
pod_config() {
        echo "{\"metadata\":{\"name\":\"$1\",\"uid\":\"uid-$1\",\"namespace\":\"ns\",\"attempt\":0},\"hostname\":\"$1-host\",\"logDirectory\":\"$TESTDIR/pods/$1\"${2:+,$2}}"
}

# runp NAME [EXTRA]: runs a pod; prints its ID.
runp() {
        local out
        out=$(rt RunPodSandbox "{\"config\":$(pod_config "$@")}") || { echo "$out" >&2; return 1; }
        jq -r .pod_sandbox_id <<<"$out"
}

# create POD NAME COMMAND-JSON [EXTRA-CONFIG-MEMBERS]: creates a busybox container; prints its ID.
create() {
        local out
        out=$(rt CreateContainer "{\"podSandboxId\":\"$1\",\"config\":{\"metadata\":{\"name\":\"$2\"},\"image\":{\"image\":\"busybox:1\"},\"command\":$3,\"logPath\":\"$2.log\"${4:+,$4}}}") ||
                { echo "$out" >&2; return 1; }
        jq -r .container_id <<<"$out"
}

start() {
        rt StartContainer "{\"containerId\":\"$1\"}" >/dev/null
}

# run_ctr POD NAME COMMAND-JSON [EXTRA]: create + start; prints the ID.
run_ctr() {
        local id
        id=$(create "$@") || return 1
        start "$id" || return 1
        echo "$id"
}

# status ID: the ContainerStatus JSON (status part).
cstatus() {
        rt ContainerStatus "{\"containerId\":\"$1\"}" | jq '.status | .state //= "CONTAINER_CREATED" | .exit_code //= 0'
}

# wait_exited ID [SECONDS]: until the container has exited.
wait_exited() {
        local i
        for i in $(seq 1 $((${2:-10} * 10))); do
                [ "$(cstatus "$1" | jq -r .state)" = CONTAINER_EXITED ] && return 0
                sleep 0.1
        done
        echo "container $1 did not exit" >&2
        return 1
}

# log_text POD NAME: the text of a container's log records (stream and tag dropped).
log_text() {
        cut -d' ' -f4- "$TESTDIR/pods/$1/$2.log"
}

# pid_of ID: the container's init pid (ContainerStatus verbose info).
pid_of() {
        rt ContainerStatus "{\"containerId\":\"$1\",\"verbose\":true}" | jq -r '.info.info | fromjson | .pid'
}

# pstate ID: the pod's state (proto3 JSON leaves out SANDBOX_READY, the zero value).
pstate() {
        rt PodSandboxStatus "{\"podSandboxId\":\"$1\"}" | jq -r '.status.state // "SANDBOX_READY"'
}
