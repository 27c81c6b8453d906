#!/usr/bin/env bats
# crio-pinns seen from outside, with the host's own tools: nsfs mounts in mountinfo, an empty
# network namespace (ip link), sysctls set inside and not on the host (nsenter), removal
# leaving nothing mounted, a refused sysctl leaving nothing pinned.

load helpers

PINNS=$BUILD/crio-pinns

setup() {
        [ -x "$PINNS" ] || skip "crio-pinns not built"
        NSDIR=$(mktemp -d /tmp/crio-pinns.XXXXXX)
}

teardown() {
        # Whatever a failed test left mounted, then the directory.
        local m
        for m in $(awk -v d="$NSDIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo); do
                umount -l "$m" || true
        done
        rm -rf "$NSDIR"
}

mounts_under() {
        awk -v d="$NSDIR/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l
}

@test "pinned namespaces are nsfs mounts holding a fresh network (lo up), IPC and UTS namespace" {
        host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
        want=$((1 - host_fwd))
        run "$PINNS" --dir "$NSDIR" --name pod --net --ipc --uts --sysctl "net.ipv4.ip_forward=$want" \
                --sysctl "kernel.msgmax=12345"
        [ "$status" -eq 0 ]
        for t in net ipc uts; do
                run awk -v p="$NSDIR/${t}ns/pod" '$5 == p { for (i = 6; i <= NF; i++) if ($i == "-") print $(i + 1) }' /proc/self/mountinfo
                [ "$output" = "nsfs" ]
                [ "$(stat -f -c %T "$NSDIR/${t}ns/pod")" = "nsfs" ]
                [ "$(readlink /proc/self/ns/$t)" != "$(nsenter --$t="$NSDIR/${t}ns/pod" readlink /proc/self/ns/$t)" ]
        done
        run nsenter --net="$NSDIR/netns/pod" ip -o link show
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "${lines[0]}" == "1: lo:"* ]]
        # lo is up (pods reach their own 127.0.0.1)
        [[ "${lines[0]}" == *"<LOOPBACK,UP,LOWER_UP>"* ]]
        nsenter --net="$NSDIR/netns/pod" ping -c1 -W2 127.0.0.1 >/dev/null 2>&1 || nsenter --net="$NSDIR/netns/pod" ip -o addr show lo | grep -q 'inet 127.0.0.1'
        [ "$(nsenter --net="$NSDIR/netns/pod" cat /proc/sys/net/ipv4/ip_forward)" = "$want" ]
        [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
        [ "$(nsenter --ipc="$NSDIR/ipcns/pod" cat /proc/sys/kernel/msgmax)" = "12345" ]
        [ "$(cat /proc/sys/kernel/msgmax)" != "12345" ]
        # The UTS namespace is its own: a hostname set there stays there.
        nsenter --uts="$NSDIR/utsns/pod" hostname pinned-pod
        [ "$(nsenter --uts="$NSDIR/utsns/pod" hostname)" = "pinned-pod" ]
        [ "$(hostname)" != "pinned-pod" ]

        run "$PINNS" --remove --dir "$NSDIR" --name pod
        [ "$status" -eq 0 ]
        [ "$(mounts_under)" -eq 0 ]
        [ -z "$(find "$NSDIR" -mindepth 1 -not -type d)" ]
        run "$PINNS" --remove --dir "$NSDIR" --name pod
        [ "$status" -eq 0 ]
}

@test "a sysctl that is not namespaced is refused and nothing is pinned" {
        before=$(cat /proc/sys/vm/swappiness)
        run "$PINNS" --dir "$NSDIR" --name pod --net --ipc --uts --sysctl vm.swappiness=1
        [ "$status" -eq 1 ]
        [[ "$output" == *"vm.swappiness is not namespaced"* ]]
        [ "$(mounts_under)" -eq 0 ]
        [ -z "$(ls -A "$NSDIR")" ]
        [ "$(cat /proc/sys/vm/swappiness)" = "$before" ]
}

@test "a sysctl that cannot be written undoes the pins" {
        run "$PINNS" --dir "$NSDIR" --name pod --net --ipc --uts --sysctl net.core.no_such_knob=1
        [ "$status" -eq 1 ]
        [[ "$output" == *"net.core.no_such_knob"* ]]
        [ "$(mounts_under)" -eq 0 ]
        [ -z "$(find "$NSDIR" -mindepth 1 -not -type d)" ]
}
