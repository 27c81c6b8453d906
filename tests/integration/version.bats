#!/usr/bin/env bats
# crio --version, Version over the CRI, crioctl version in every output format.

load helpers

setup() { setup_crio_env; }
teardown() { teardown_crio_env; }

@test "crio --version names the version, the commit and the libraries" {
        run "$CRIO" --version
        [ "$status" -eq 0 ]
        [[ "$output" == *"crio version 0.1.0"* ]]
        [[ "$output" =~ GitCommit:\ +[0-9a-f]{7,}|GitCommit:\ +unknown ]]
        [[ "$output" == *"gRPC:"* ]]
        [[ "$output" == *"protobuf-c:"* ]]
        [[ "$output" == *"GLib:"* ]]
        [[ "$output" == *"json-glib:"* ]]
        run "$CRIO" version
        [ "$status" -eq 0 ]
        [[ "$output" == *"crio version 0.1.0"* ]]
}

@test "crioctl version prints RuntimeApiVersion v1 from a running crio" {
        start_crio
        run crioctl version
        [ "$status" -eq 0 ]
        [[ "$output" == *"RuntimeName:  cri-o"* ]]
        [[ "$output" == *"RuntimeVersion:  0.1.0"* ]]
        [[ "$output" == *"RuntimeApiVersion:  v1"* ]]
}

@test "crioctl version -o json and -o yaml" {
        start_crio
        run crioctl version -o json
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .runtimeName)" = "cri-o" ]
        [ "$(echo "$output" | jq -r .runtimeApiVersion)" = "v1" ]
        run crioctl version -o yaml
        [ "$status" -eq 0 ]
        [[ "$output" == *"runtimeName: cri-o"* ]]
        run crioctl version -o xml
        [ "$status" -eq 2 ]
}

@test "crioctl finds the endpoint in CONTAINER_RUNTIME_ENDPOINT" {
        start_crio
        CONTAINER_RUNTIME_ENDPOINT="unix://$SOCK" run "$CRIOCTL" version
        [ "$status" -eq 0 ]
        [[ "$output" == *"RuntimeApiVersion:  v1"* ]]
}

@test "crioctl reports an unreachable endpoint clearly" {
        run "$CRIOCTL" -r "unix://$TESTDIR/nothing.sock" -t 1s version
        [ "$status" -eq 1 ]
        [[ "$output" == *"Version: rpc error: code = Unavailable"* || "$output" == *"Version: rpc error: code = DeadlineExceeded"* ]]
}
