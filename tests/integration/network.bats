#!/usr/bin/env bats
# Pod networking through CNI, with Debian's containernetworking-plugins (bridge, host-local,
# portmap), real network namespaces, veths and iptables: addresses, pod-to-pod traffic, host
# ports, teardown, a restart of crio, broken and hanging plugins, concurrent pods.

load helpers
load pods

setup_file() { pods_setup_file; }
teardown_file() { pods_teardown_file; }

setup() {
        pods_setup
        # a bridge and a subnet of this test's own
        BR=crt$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
        NET3=10.86.$((RANDOM % 250)).
        IPAM=$TESTDIR/cni/ipam
        REC=$TESTDIR/rec
        mkdir -p "$TESTDIR/cni/bin" "$REC"
        sed -i "s|^plugin_dirs = .*|plugin_dirs = [\"$TESTDIR/cni/bin\", \"/usr/lib/cni\"]|" "$TESTDIR/crio.conf"
}

teardown() {
        teardown_crio_env
        ip link del "$BR" 2>/dev/null || true
}

# write_bridge_config [EXTRA-PLUGIN-JSON]: network "crio-it" (bridge, host-local, portmap,
# and a plugin chained after them when given), first in lexical order.
write_bridge_config() {
        cat >"$TESTDIR/cni/net.d/10-bridge.conflist" <<EOC
{
  "cniVersion": "1.0.0",
  "name": "crio-it",
  "plugins": [
    { "type": "bridge", "bridge": "$BR", "isGateway": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$IPAM",
                "routes": [{ "dst": "0.0.0.0/0" }], "ranges": [[{ "subnet": "${NET3}0/24" }]] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }${1:+,
    $1}
  ]
}
EOC
}

# A chained plugin that records each call (command, environment, stdin) and passes the
# previous result on.
write_recorder() {
        cat >"$TESTDIR/cni/bin/recorder" <<'EOS'
#!/bin/sh
in=$(cat)
dir=$(printf '%s' "$in" | jq -r .recordDir)
n=$(ls "$dir" | wc -l)
printf '%s' "$in" >"$dir/$n-$CNI_COMMAND.json"
env >"$dir/$n-$CNI_COMMAND.env"
[ "$CNI_COMMAND" = ADD ] && printf '%s' "$in" | jq -c .prevResult
exit 0
EOS
        chmod +x "$TESTDIR/cni/bin/recorder"
        RECORDER="{ \"type\": \"recorder\", \"recordDir\": \"$REC\", \"capabilities\": { \"portMappings\": true, \"ipRanges\": true, \"bandwidth\": true } }"
}

pod_ip() {
        rt PodSandboxStatus "{\"podSandboxId\":\"$1\"}" | jq -r '.status.network.ip // ""'
}

veths() {
        ip -o link show master "$BR" 2>/dev/null | wc -l
}

pinned() {
        awk -v p="$TESTDIR/run/ns/netns/$1" '$5 == p' /proc/self/mountinfo | wc -l
}

@test "CNI: two pods get addresses on the bridge and reach each other (busybox wget against httpd)" {
        write_bridge_config
        start_crio
        pa=$(runp a)
        pb=$(runp b)
        ipa=$(pod_ip "$pa")
        ipb=$(pod_ip "$pb")
        echo "a $ipa b $ipb"
        [[ "$ipa" == "$NET3"* ]]
        [[ "$ipb" == "$NET3"* ]]
        [ "$ipa" != "$ipb" ]
        # the address is the one on eth0 inside the pod's namespace
        nsenter --net="$TESTDIR/run/ns/netns/$pa" ip -o -4 addr show eth0 | grep -q "inet $ipa/24"
        [ "$(veths)" -eq 2 ]
        # lo is up in the pod too
        nsenter --net="$TESTDIR/run/ns/netns/$pa" ip -o link show lo | grep -q "UP"
        run_ctr "$pa" web '["/bin/sh","-c","mkdir -p /www && echo hello-from-a >/www/index.html && exec httpd -f -p 8080 -h /www"]' >/dev/null
        cli=$(run_ctr "$pb" get "[\"/bin/sh\",\"-c\",\"for i in \$(seq 1 40); do wget -q -O - http://$ipa:8080/ && exit 0; sleep 0.25; done; exit 1\"]")
        wait_exited "$cli" 30
        cat "$TESTDIR/pods/a/web.log" "$TESTDIR/pods/b/get.log" || true
        [ "$(cstatus "$cli" | jq -r .exit_code)" = 0 ]
        log_text b get | grep -qx hello-from-a
}

@test "CNI: a hostPort is reachable from the host on loopback through portmap, and gone after StopPodSandbox" {
        write_bridge_config
        start_crio
        hp=$((30000 + RANDOM % 20000))
        pod=$(runp web "\"portMappings\":[{\"protocol\":\"TCP\",\"containerPort\":8080,\"hostPort\":$hp}]")
        run_ctr "$pod" web '["/bin/sh","-c","mkdir -p /www && echo via-hostport >/www/index.html && exec httpd -f -p 8080 -h /www"]' >/dev/null
        ok=
        for _ in $(seq 1 40); do
                if out=$(timeout 3 busybox wget -q -O - "http://127.0.0.1:$hp/" 2>/dev/null); then ok=1; break; fi
                sleep 0.25
        done
        [ -n "$ok" ]
        [ "$out" = via-hostport ]
        iptables -t nat -S | grep -q -- "--dport $hp"
        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        [ -z "$(iptables -t nat -S | grep -- "--dport $hp")" ]
        run timeout 3 busybox wget -q -O - "http://127.0.0.1:$hp/"
        [ "$status" -ne 0 ]
}

@test "CNI: StopPodSandbox runs DEL once: no veth, no address reservation, no pinned namespace, no cache entry" {
        write_recorder
        write_bridge_config "$RECORDER"
        start_crio
        rt UpdateRuntimeConfig '{"runtimeConfig":{"networkConfig":{"podCidr":"10.244.7.0/24"}}}' >/dev/null
        pod=$(runp one '"annotations":{"kubernetes.io/ingress-bandwidth":"10M"},"portMappings":[{"protocol":"UDP","containerPort":53,"hostPort":5353,"hostIp":"127.0.0.1"},{"containerPort":80}]')
        ip=$(pod_ip "$pod")
        [ -f "$IPAM/crio-it/$ip" ]
        [ "$(veths)" -eq 1 ]
        [ "$(pinned "$pod")" -eq 1 ]
        [ -f "$TESTDIR/lib/cni/results/crio-it-$pod-eth0" ]
        # what the chained plugin was given
        add=$REC/0-ADD.json
        [ "$(jq -r .name "$add")" = crio-it ]
        [ "$(jq -r .cniVersion "$add")" = 1.0.0 ]
        [ "$(jq -r '.prevResult.ips[0].address' "$add")" = "$ip/24" ]
        [ "$(jq -cS .runtimeConfig.portMappings "$add")" = '[{"containerPort":53,"hostIP":"127.0.0.1","hostPort":5353,"protocol":"udp"}]' ]
        [ "$(jq -r '.runtimeConfig.ipRanges[0][0].subnet' "$add")" = 10.244.7.0/24 ]
        [ "$(jq -r .runtimeConfig.bandwidth.ingressRate "$add")" = 10000000 ]
        env=$REC/0-ADD.env
        grep -qx "CNI_CONTAINERID=$pod" "$env"
        grep -qx "CNI_IFNAME=eth0" "$env"
        grep -qx "CNI_NETNS=$TESTDIR/run/ns/netns/$pod" "$env"
        grep -qx "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=one;K8S_POD_INFRA_CONTAINER_ID=$pod;K8S_POD_UID=uid-one" "$env"
        grep -q "^CNI_PATH=$TESTDIR/cni/bin" "$env"

        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        [ ! -e "$IPAM/crio-it/$ip" ]
        [ "$(veths)" -eq 0 ]
        [ "$(pinned "$pod")" -eq 0 ]
        [ ! -e "$TESTDIR/lib/cni/results/crio-it-$pod-eth0" ]
        # again, then remove: no second DEL
        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        ls "$REC"
        [ "$(ls "$REC" | grep -c 'DEL.json$')" -eq 1 ]
        # DEL got the cached ADD result as prevResult
        [ "$(jq -r '.prevResult.ips[0].address' "$REC"/*-DEL.json)" = "$ip/24" ]
        [ ! -e "$TESTDIR/run/ns/netns/$pod" ]
}

@test "CNI: after kill -9 of crio and a restart, DEL of an old pod uses the cache, even with its configuration gone" {
        write_bridge_config
        start_crio
        pod=$(runp old)
        ip=$(pod_ip "$pod")
        [ -f "$IPAM/crio-it/$ip" ]
        kill -KILL "$CRIO_PID"
        wait "$CRIO_PID" 2>/dev/null || true
        rm "$TESTDIR/cni/net.d/10-bridge.conflist"
        start_crio
        [ "$(pod_ip "$pod")" = "$ip" ]
        rt StopPodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        [ ! -e "$IPAM/crio-it/$ip" ]
        [ "$(veths)" -eq 0 ]
        rt RemovePodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
        [ "$(pinned "$pod")" -eq 0 ]
}

@test "CNI: a broken configuration: NetworkReady false naming the file, RunPodSandbox refused; fixed without a restart" {
        rm "$TESTDIR/cni/net.d/99-loopback.conf"
        echo '{ "cniVersion": "1.0.0", "name": "crio-it", "plugins": [ { "type": ' >"$TESTDIR/cni/net.d/10-bridge.conflist"
        start_crio
        run crioctl info
        net=$(echo "$output" | jq -c '.status.conditions[] | select(.type == "NetworkReady")')
        echo "$net"
        [ "$(jq -r .status <<<"$net")" = false ]
        [ "$(jq -r .reason <<<"$net")" = NetworkPluginNotReady ]
        [[ "$(jq -r .message <<<"$net")" == *"10-bridge.conflist"* ]]
        run rt RunPodSandbox "{\"config\":$(pod_config broken)}"
        [ "$status" -ne 0 ]
        [[ "$output" == *"10-bridge.conflist"* ]] || [[ "$output" == *"no usable CNI"* ]]
        [ -z "$(ls "$TESTDIR/run/ns/netns" 2>/dev/null)" ]
        # the directory is watched: a good file turns the network ready, no restart
        write_bridge_config
        for _ in $(seq 1 50); do
                [ "$(crioctl info | jq -r '.status.conditions[] | select(.type == "NetworkReady") | .status')" = true ] && break
                sleep 0.1
        done
        [ "$(crioctl info | jq -r '.status.conditions[] | select(.type == "NetworkReady") | .status')" = true ]
        pod=$(runp fixed)
        [[ "$(pod_ip "$pod")" == "$NET3"* ]]
}

@test "CNI: a plugin that hangs is killed at cni_plugin_timeout; the error names it; nothing is left" {
        printf '#!/bin/sh\nexec sleep 1000\n' >"$TESTDIR/cni/bin/hang"
        chmod +x "$TESTDIR/cni/bin/hang"
        write_bridge_config '{ "type": "hang" }'
        printf '[crio.network]\ncni_plugin_timeout = "2s"\n' >"$TESTDIR/crio.conf.d/10-timeout.conf"
        start_crio
        t0=$(date +%s)
        run rt RunPodSandbox "{\"config\":$(pod_config slow)}"
        t1=$(date +%s)
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *hang* ]]
        [[ "$output" == *"did not finish within 2000 ms"* ]]
        [ $((t1 - t0)) -lt 20 ]
        # the ADD was undone: no veth, no reservation, no namespace, no sleeping plugin
        [ "$(veths)" -eq 0 ]
        [ -z "$(ls "$IPAM/crio-it" 2>/dev/null | grep -v lock | grep -v last_reserved)" ]
        [ -z "$(ls "$TESTDIR/run/ns/netns" 2>/dev/null)" ]
        [ -z "$(pgrep -f "$TESTDIR/cni/bin/hang")" ]
        [ "$(rt ListPodSandbox '{}' | jq '.items | length')" -eq 0 ]
}

@test "CNI: a dual-stack network: the IPv4 address is network.ip, the IPv6 one in additional_ips" {
        [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null || echo 1)" = 0 ] || skip "IPv6 is disabled on this host"
        write_bridge_config
        jq --arg v6 "fd86:$((RANDOM % 9000 + 1000))::/64" '.plugins[0].ipam.ranges += [[{ subnet: $v6 }]]' \
                "$TESTDIR/cni/net.d/10-bridge.conflist" >"$TESTDIR/dual" && mv "$TESTDIR/dual" "$TESTDIR/cni/net.d/10-bridge.conflist"
        start_crio
        pod=$(runp dual)
        st=$(rt PodSandboxStatus "{\"podSandboxId\":\"$pod\"}")
        echo "$st" | jq .status.network
        [[ "$(jq -r .status.network.ip <<<"$st")" == "$NET3"* ]]
        v6=$(jq -r '.status.network.additional_ips[0].ip' <<<"$st")
        [[ "$v6" == fd86:* ]]
        [ "$(jq '.status.network.additional_ips | length' <<<"$st")" -eq 1 ]
        nsenter --net="$TESTDIR/run/ns/netns/$pod" ip -o -6 addr show eth0 | grep -q "inet6 $v6/64"
}

@test "CNI: 20 pods started at once all get distinct addresses" {
        write_bridge_config
        start_crio
        pids=()
        for i in $(seq 1 20); do
                rt RunPodSandbox "{\"config\":$(pod_config "p$i")}" >"$TESTDIR/run-$i.json" &
                pids+=($!)
        done
        for p in "${pids[@]}"; do
                wait "$p"
        done
        ips=()
        for i in $(seq 1 20); do
                id=$(jq -r .pod_sandbox_id "$TESTDIR/run-$i.json")
                ip=$(pod_ip "$id")
                [[ "$ip" == "$NET3"* ]]
                ips+=("$ip")
        done
        [ "$(printf '%s\n' "${ips[@]}" | sort -u | wc -l)" -eq 20 ]
        [ "$(veths)" -eq 20 ]
}
