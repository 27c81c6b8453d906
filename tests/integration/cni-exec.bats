#!/usr/bin/env bats
# CNI plugin invocation, results and the result cache (src/network/cni-exec.c, cni-cache.c),
# driven by tests/tools/cni-tool with the real plugins of containernetworking-plugins, and with
# small fake plugins that record the stdin and environment they get.
#
# Each test gets its own "host" network namespace, where the tool runs: the bridge, the host
# ends of the veths and portmap's iptables rules live there, and go with it in teardown (no
# rule or link is ever made in the real host's namespace). The pod's namespace is a second
# one. Both are nsfs bind mounts on files in the test's directory.

load helpers

TOOL=$BUILD/tests/cni-tool
PLUGINS=/usr/lib/cni

setup() {
        [ -x "$TOOL" ] || skip "cni-tool not built (make unit)"
        [ -x "$PLUGINS/bridge" ] && [ -x "$PLUGINS/host-local" ] || skip "no CNI plugins in $PLUGINS"
        D=$(mktemp -d /tmp/crio-cni.XXXXXX)
        HOSTNS=$D/hostns
        PODNS=$D/podns
        touch "$HOSTNS" "$PODNS"
        unshare --net="$HOSTNS" true
        unshare --net="$PODNS" true
        nsenter --net="$HOSTNS" ip link set lo up
        BR=cnit$(printf '%04x%02x' $RANDOM $((RANDOM % 256)))
        NET3=$((RANDOM % 250 + 1))
        SUBNET=10.199.$NET3.0/24
        ID=pod$(printf '%04x%04x' $RANDOM $RANDOM)
        CONF=$D/net.conflist
        FAKE=$D/fake
        mkdir -p "$FAKE"
        make_fakes
}

teardown() {
        [ -n "${D:-}" ] || return 0
        local f
        for f in "$D/podns2" "$PODNS" "$HOSTNS"; do
                umount "$f" 2>/dev/null || umount -l "$f" 2>/dev/null || true
        done
        rm -rf "$D"
}

# cni CMD [ARGS...]: the tool in this test's host namespace, for pod $ID in $PODNS.
cni() {
        local cmd=$1
        shift
        nsenter --net="$HOSTNS" "$TOOL" "$cmd" --conf "$CONF" --cache "$D/cache" --plugin-dir "$FAKE" \
                --plugin-dir "$PLUGINS" --id "$ID" --netns "$PODNS" "$@"
}

# write_conf VERSION [MORE-PLUGINS]: bridge + host-local (this test's bridge, subnet and
# dataDir), then MORE-PLUGINS (",{...},{...}").
write_conf() {
        cat >"$CONF" <<EOF
{"cniVersion": "$1", "name": "cnitest", "plugins": [
  {"type": "bridge", "bridge": "$BR", "isGateway": true,
   "ipam": {"type": "host-local", "subnet": "$SUBNET", "dataDir": "$D/ipam"}}${2:-}]}
EOF
}

# Fake plugins: "recorder" keeps its stdin, exact environment and the commands it saw, and
# answers ADD with its prevResult; "failer" answers ADD with a CNI error object; "textfail"
# with plain text; "hang" never answers ADD. All succeed at DEL and CHECK.
make_fakes() {
        cat >"$FAKE/recorder" <<'EOF'
#!/bin/sh
d=$(dirname "$0")
cat >"$d/stdin.$CNI_COMMAND"
tr '\0' '\n' </proc/$$/environ | sort >"$d/env.$CNI_COMMAND"
echo "$CNI_COMMAND" >>"$d/calls"
[ "$CNI_COMMAND" = ADD ] && jq -c .prevResult "$d/stdin.ADD"
exit 0
EOF
        cat >"$FAKE/failer" <<'EOF'
#!/bin/sh
[ "$CNI_COMMAND" = ADD ] || exit 0
echo '{"cniVersion":"1.0.0","code":7,"msg":"boom","details":"x"}'
exit 1
EOF
        cat >"$FAKE/textfail" <<'EOF'
#!/bin/sh
[ "$CNI_COMMAND" = ADD ] || exit 0
echo "something broke" >&2
exit 2
EOF
        cat >"$FAKE/hang" <<'EOF'
#!/bin/sh
[ "$CNI_COMMAND" = ADD ] || exit 0
echo $$ >"$(dirname "$0")/hang.pid"
exec sleep 30
EOF
        chmod +x "$FAKE"/*
}

veths() {
        nsenter --net="$HOSTNS" ip -o link show type veth | wc -l
}

pod_ipv4() {
        nsenter --net="$PODNS" ip -4 -o addr show dev eth0 | awk '{ print $4 }'
}

reservations() {
        ls "$D/ipam/cnitest" 2>/dev/null | grep -c '^10\.' || true
}

cache_file() {
        echo "$D/cache/results/${1:-cnitest}-$ID-eth0"
}

# assert_nothing_left: no veth, no address reserved, no cache entry.
assert_nothing_left() {
        [ "$(veths)" -eq 0 ]
        [ "$(reservations)" -eq 0 ]
        [ -z "$(ls "$D/cache/results" 2>/dev/null)" ]
}

@test "ADD puts the address on eth0 in the pod's namespace and caches it as libcni does" {
        write_conf 1.0.0
        run cni add --name web --namespace prod --uid u-42
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^10\.199\.$NET3\.[0-9]+$ ]]
        [ "$(pod_ipv4)" = "$output/24" ]
        [ "$(veths)" -eq 1 ]
        [ -e "$D/ipam/cnitest/$output" ]

        local f
        f=$(cache_file)
        [ "$(stat -c %a "$f")" = 600 ]
        [ "$(stat -c %a "$D/cache/results")" = 700 ]
        [ "$(jq -r .kind "$f")" = cniCacheV1 ]
        [ "$(jq -r .containerId "$f")" = "$ID" ]
        [ "$(jq -r .ifName "$f")" = eth0 ]
        [ "$(jq -r .networkName "$f")" = cnitest ]
        [ "$(jq -r .netns "$f")" = "$PODNS" ]
        jq -r .config "$f" | base64 -d | cmp - "$CONF"
        [ "$(jq -c .cniArgs "$f")" = '[["IgnoreUnknown","1"],["K8S_POD_NAMESPACE","prod"],["K8S_POD_NAME","web"],["K8S_POD_INFRA_CONTAINER_ID","'"$ID"'"],["K8S_POD_UID","u-42"]]' ]
        [ "$(jq -r '.result.ips[0].address' "$f")" = "$output/24" ]
        [ "$(jq -r '.result.interfaces[.result.ips[0].interface].sandbox' "$f")" = "$PODNS" ]
}

@test "DEL removes the veth, the reservation and the cache entry; a second DEL succeeds" {
        write_conf 1.0.0
        run cni add
        [ "$status" -eq 0 ]
        [ "$(veths)" -eq 1 ]
        [ "$(reservations)" -eq 1 ]
        [ -e "$(cache_file)" ]
        run cni del
        echo "$output"
        [ "$status" -eq 0 ]
        assert_nothing_left
        run nsenter --net="$PODNS" ip link show eth0
        [ "$status" -ne 0 ]
        run cni del
        echo "$output"
        [ "$status" -eq 0 ]
        assert_nothing_left
}

@test "DEL uses the cache alone once the configuration file is gone" {
        write_conf 1.0.0
        run cni add
        [ "$status" -eq 0 ]
        rm "$CONF"
        run cni del
        echo "$output"
        [ "$status" -eq 0 ]
        assert_nothing_left
}

@test "DEL finds the pod's entry whatever the network is called now" {
        write_conf 0.4.0
        run cni add
        [ "$status" -eq 0 ]
        sed -i 's/"name": "cnitest"/"name": "renamed"/' "$CONF"
        run cni del
        echo "$output"
        [ "$status" -eq 0 ]
        assert_nothing_left
        [ ! -e "$D/ipam/renamed" ]
}

@test "a pod never added, with no network configured, is deleted without error; ADD says there is no network" {
        run cni del
        echo "$output"
        [ "$status" -eq 0 ]
        run cni add
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"no CNI network for pod $ID"* ]]
}

@test "chained plugins get prevResult, the list's name and version, and only their declared capabilities" {
        write_conf 1.0.0 ',
  {"type": "recorder", "name": "ignored", "capabilities": {"portMappings": true, "bandwidth": false}},
  {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}'
        run cni add --port 18080:80/TCP --port 15353:53/udp@127.0.0.1 --ingress-rate 100000 --name web
        echo "$output"
        [ "$status" -eq 0 ]
        local ip=$output in=$FAKE/stdin.ADD
        [ "$(jq -r .name "$in")" = cnitest ]
        [ "$(jq -r .cniVersion "$in")" = 1.0.0 ]
        [ "$(jq -r '.prevResult.ips[0].address' "$in")" = "$ip/24" ]
        [ "$(jq -c .runtimeConfig "$in")" = '{"portMappings":[{"hostPort":18080,"containerPort":80,"protocol":"tcp","hostIP":""},{"hostPort":15353,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"}]}' ]
        # the environment, exactly
        diff -u - "$FAKE/env.ADD" <<EOF
CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=$ID;K8S_POD_UID=uid-1
CNI_COMMAND=ADD
CNI_CONTAINERID=$ID
CNI_IFNAME=eth0
CNI_NETNS=$PODNS
CNI_PATH=$FAKE:$PLUGINS
PATH=$PATH
EOF
        # the real portmap got them too
        if ! command -v iptables >/dev/null; then
                skip "no iptables: portmap's rule not checked"
        fi
        run nsenter --net="$HOSTNS" iptables -t nat -S
        echo "$output"
        [[ "$output" == *"--dport 18080 -j DNAT --to-destination $ip:80"* ]]
        [[ "$output" == *"-d 127.0.0.1/32 -p udp -m udp --dport 15353 -j DNAT --to-destination $ip:53"* ]]

        # DEL: reverse order, the cached result as prevResult, the cached capabilities
        run cni del
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(jq -r '.prevResult.ips[0].address' "$FAKE/stdin.DEL")" = "$ip/24" ]
        [ "$(jq -r '.runtimeConfig.portMappings[0].hostPort' "$FAKE/stdin.DEL")" = 18080 ]
        [ "$(cat "$FAKE/calls")" = "ADD
DEL" ]
        run nsenter --net="$HOSTNS" iptables -t nat -S
        [[ "$output" != *"18080"* ]]
        assert_nothing_left
}

@test "a plugin's error object is reported verbatim, and the failed ADD leaves nothing" {
        write_conf 1.0.0 ', {"type": "failer"}'
        run cni add
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"plugin failer (ADD) failed: boom: x (code 7)"* ]]
        assert_nothing_left
}

@test "a real plugin's error object: host-local with its one address taken" {
        cat >"$CONF" <<EOF
{"cniVersion": "1.0.0", "name": "cnitest", "plugins": [
  {"type": "bridge", "bridge": "$BR", "ipam": {"type": "host-local", "dataDir": "$D/ipam",
   "ranges": [[{"subnet": "$SUBNET", "rangeStart": "10.199.$NET3.10", "rangeEnd": "10.199.$NET3.10"}]]}}]}
EOF
        run cni add
        [ "$status" -eq 0 ]
        [ "$output" = "10.199.$NET3.10" ]
        local first=$ID
        ID=${ID}b
        touch "$D/podns2"
        unshare --net="$D/podns2" true
        run cni add --netns "$D/podns2"
        umount "$D/podns2"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"plugin bridge (ADD) failed: failed to allocate for range 0: no IP addresses available in range set: 10.199.$NET3.10-10.199.$NET3.10 (code "* ]]
        # the first pod keeps its address, the second left nothing
        [ "$(reservations)" -eq 1 ]
        [ "$(veths)" -eq 1 ]
        [ ! -e "$(cache_file)" ]
        ID=$first
        run cni del
        [ "$status" -eq 0 ]
        assert_nothing_left
}

@test "plain-text failure output is passed up with the exit status" {
        write_conf 1.0.0 ', {"type": "textfail"}'
        run cni add
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"plugin textfail (ADD) failed with status 2: something broke"* ]]
        assert_nothing_left
}

@test "a hanging plugin is killed at the timeout and the failed ADD leaves nothing" {
        write_conf 1.0.0 ', {"type": "hang"}'
        local start=$SECONDS
        run cni add --timeout-ms 1500
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"plugin hang (ADD) did not finish within 1500 ms and was killed"* ]]
        [ $((SECONDS - start)) -lt 15 ]
        local pid
        pid=$(cat "$FAKE/hang.pid")
        [ -n "$pid" ]
        run kill -0 "$pid"
        [ "$status" -ne 0 ]
        assert_nothing_left
}

@test "CHECK runs for cniVersion 0.4.0 and 1.0.0, not for 0.3.1 or with disableCheck" {
        local v
        for v in 0.4.0 1.0.0 0.3.1 disable; do
                rm -f "$FAKE/calls"
                if [ "$v" = disable ]; then
                        write_conf 1.0.0 ', {"type": "recorder"}'
                        sed -i 's/"name": "cnitest",/"name": "cnitest", "disableCheck": true,/' "$CONF"
                else
                        write_conf "$v" ', {"type": "recorder"}'
                fi
                run cni add
                [ "$status" -eq 0 ]
                run cni check
                echo "$v: $output"
                [ "$status" -eq 0 ]
                if [ "$v" = 0.4.0 ] || [ "$v" = 1.0.0 ]; then
                        grep -qx CHECK "$FAKE/calls"
                        [ "$(jq -r '.prevResult.ips[0].address' "$FAKE/stdin.CHECK")" != null ]
                else
                        [ "$(grep -cx CHECK "$FAKE/calls")" -eq 0 ]
                fi
                run cni del
                [ "$status" -eq 0 ]
                assert_nothing_left
        done
}

@test "configurations of cniVersion 0.3.1, 0.4.0 and 1.0.0 all give an address" {
        local v
        for v in 0.3.1 0.4.0 1.0.0; do
                write_conf "$v"
                run cni add
                echo "$v: $output"
                [ "$status" -eq 0 ]
                [[ "$output" =~ ^10\.199\.$NET3\.[0-9]+$ ]]
                [ "$(pod_ipv4)" = "$output/24" ]
                [ "$(jq -r .result.cniVersion "$(cache_file)")" = "$v" ]
                run cni del
                [ "$status" -eq 0 ]
                assert_nothing_left
        done
}

@test "DEL after the pod's namespace is gone still calls the plugins, with an empty CNI_NETNS" {
        write_conf 1.0.0 ', {"type": "recorder"}'
        run cni add
        [ "$status" -eq 0 ]
        umount "$PODNS"
        run nsenter --net="$HOSTNS" "$TOOL" del --conf "$CONF" --cache "$D/cache" --plugin-dir "$FAKE" \
                --plugin-dir "$PLUGINS" --id "$ID"
        echo "$output"
        [ "$status" -eq 0 ]
        grep -qx 'CNI_NETNS=' "$FAKE/env.DEL"
        assert_nothing_left
}
