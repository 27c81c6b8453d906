#!/usr/bin/env bats
# make install lays out what packages and the quickstart rely on; the systemd unit verifies.

load helpers

setup() {
        STAGE=$(mktemp -d /tmp/crio-install.XXXXXX)
}
teardown() {
        rm -rf "$STAGE"
}

@test "make install DESTDIR PREFIX places crio, crioctl, the config, the unit and the man pages" {
        run make -C "$REPO" -s install BUILDDIR="$BUILD" DESTDIR="$STAGE" PREFIX=/usr SYSCONFDIR=/etc
        [ "$status" -eq 0 ]
        [ -x "$STAGE/usr/bin/crio" ]
        [ -x "$STAGE/usr/bin/crioctl" ]
        [ -d "$STAGE/usr/libexec/crio" ]
        [ -f "$STAGE/etc/crio/crio.conf" ]
        [ -d "$STAGE/etc/crio/crio.conf.d" ]
        [ -f "$STAGE/usr/share/man/man8/crio.8.md" ]
        [ -f "$STAGE/usr/share/man/man5/crio.conf.5.md" ]
        grep -q "^ExecStart=/usr/bin/crio " "$STAGE/usr/lib/systemd/system/crio.service"
        # the CNI networks: the bridge on 10.85.0.0/16 with portmap, and loopback
        [ "$(jq -r '.plugins[0].type, .plugins[0].bridge, .plugins[0].ipam.type, .plugins[0].ipam.ranges[0][0].subnet, .plugins[0].ipam.routes[0].dst, .plugins[1].type' \
                "$STAGE/etc/cni/net.d/100-crio-bridge.conflist" | tr '\n' ' ')" = "bridge cni0 host-local 10.85.0.0/16 0.0.0.0/0 portmap " ]
        [ "$(jq -r .type "$STAGE/etc/cni/net.d/200-loopback.conf")" = loopback ]
        # an existing configuration is never overwritten
        echo '# mine' >"$STAGE/etc/crio/crio.conf"
        echo '{}' >"$STAGE/etc/cni/net.d/100-crio-bridge.conflist"
        make -C "$REPO" -s install BUILDDIR="$BUILD" DESTDIR="$STAGE" PREFIX=/usr SYSCONFDIR=/etc
        [ "$(cat "$STAGE/etc/crio/crio.conf")" = "# mine" ]
        [ "$(cat "$STAGE/etc/cni/net.d/100-crio-bridge.conflist")" = "{}" ]
}

@test "the systemd unit passes systemd-analyze verify" {
        command -v systemd-analyze || skip "systemd-analyze not installed"
        mkdir -p "$STAGE/unit"
        sed "s|@BINDIR@|$BUILD|g" "$REPO/contrib/systemd/crio.service.in" >"$STAGE/unit/crio.service"
        run systemd-analyze verify --man=no "$STAGE/unit/crio.service"
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" != *"crio.service:"* ]]
}
