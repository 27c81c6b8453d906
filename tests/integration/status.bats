#!/usr/bin/env bats
# Status: honest RuntimeReady and NetworkReady conditions, and the verbose config info.

load helpers

setup() { setup_crio_env; }
teardown() { teardown_crio_env; }

condition() { # condition JSON TYPE FIELD
        echo "$1" | jq -r --arg t "$2" ".status.conditions[] | select(.type == \$t) | .$3"
}

@test "Status: RuntimeReady true with runc, NetworkReady false without CNI configuration" {
        start_crio
        run crioctl info
        [ "$status" -eq 0 ]
        [ "$(condition "$output" RuntimeReady status)" = "true" ]
        [ "$(condition "$output" NetworkReady status)" = "false" ]
        [ "$(condition "$output" NetworkReady reason)" = "NetworkPluginNotReady" ]
        [[ "$(condition "$output" NetworkReady message)" == *"no CNI configuration file in $TESTDIR/cni/net.d"* ]]
        [ "$(echo "$output" | jq -r '.runtimeHandlers[0].name')" = "runc" ]
}

@test "Status: NetworkReady true once a usable CNI configuration exists" {
        write_cni_config
        start_crio
        run crioctl info
        [ "$status" -eq 0 ]
        [ "$(condition "$output" NetworkReady status)" = "true" ]
        [ "$(condition "$output" NetworkReady reason)" = "" ]
}

@test "Status: NetworkReady false names a missing plugin" {
        write_cni_config
        sed -i 's/"bridge",/"no-such-plugin",/' "$TESTDIR/cni/net.d/10-test.conflist"
        start_crio
        run crioctl info
        [ "$(condition "$output" NetworkReady status)" = "false" ]
        [[ "$(condition "$output" NetworkReady message)" == *'plugin "no-such-plugin" not found'* ]]
}

@test "Status: RuntimeReady false names a runtime binary that is not there" {
        cat >"$TESTDIR/crio.conf.d/10-runtime.conf" <<EOC
[crio.runtime.runtimes.runc]
runtime_path = "$TESTDIR/no/runc"
EOC
        start_crio
        run crioctl info
        [ "$status" -eq 0 ]
        [ "$(condition "$output" RuntimeReady status)" = "false" ]
        [ "$(condition "$output" RuntimeReady reason)" = "RuntimeNotReady" ]
        [[ "$(condition "$output" RuntimeReady message)" == *"$TESTDIR/no/runc is not an executable"* ]]
}

@test "Status verbose: info holds the effective configuration as JSON" {
        start_crio --pause-image registry.example/pause:9
        run crioctl info
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .config.crio.api.listen)" = "$SOCK" ]
        [ "$(echo "$output" | jq -r .config.crio.image.pause_image)" = "registry.example/pause:9" ]
        [ "$(echo "$output" | jq -r .config.crio.runtime.runtimes.runc.runtime_type)" = "oci" ]
        run crioctl info -q
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .config)" = "null" ]
        run crioctl info -o yaml
        [ "$status" -eq 0 ]
        [[ "$output" == *"type: RuntimeReady"* ]]
}
