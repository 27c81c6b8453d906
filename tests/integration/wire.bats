#!/usr/bin/env bats
# Wire compatibility: a client built from the CRI listing alone (tests/wire/crispec.py, which
# never reads our .proto) gets the same answers crioctl does, and concurrency holds.

load helpers

setup() { setup_crio_env; }
teardown() { teardown_crio_env; }

@test "independent client: Version answers match" {
        start_crio
        run cri_client call RuntimeService Version '{"version": "v1"}'
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .runtime_name)" = "cri-o" ]
        [ "$(echo "$output" | jq -r .runtime_api_version)" = "v1" ]
        [ "$(echo "$output" | jq -r .runtime_version)" = "$(crioctl version -o json | jq -r .runtimeVersion)" ]
        [ "$(echo "$output" | jq -r .version)" = "$(crioctl version -o json | jq -r .version)" ]
}

@test "independent client: Status answers match, info map and handlers included" {
        write_cni_config
        start_crio
        run cri_client call RuntimeService Status '{"verbose": true}'
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r '.status.conditions[0].type')" = "RuntimeReady" ]
        [ "$(echo "$output" | jq -r '.status.conditions[0].status')" = "true" ]
        [ "$(echo "$output" | jq -r '.status.conditions[1].type')" = "NetworkReady" ]
        [ "$(echo "$output" | jq -r '.status.conditions[1].status')" = "true" ]
        [ "$(echo "$output" | jq -r '.runtime_handlers[0].name')" = "runc" ]
        [ "$(echo "$output" | jq -r '.info.config' | jq -r .crio.api.listen)" = "$SOCK" ]
}

@test "2000 Version calls from 50 concurrent client threads all succeed" {
        start_crio --log-level info
        run cri_client hammer --threads 50 --calls 2000
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"ok=2000 failed=0"* ]]
        # and the daemon is still healthy afterwards
        run crioctl version
        [ "$status" -eq 0 ]
}
