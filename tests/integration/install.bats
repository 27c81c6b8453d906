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
        # an existing configuration is never overwritten
        echo '# mine' >"$STAGE/etc/crio/crio.conf"
        make -C "$REPO" -s install BUILDDIR="$BUILD" DESTDIR="$STAGE" PREFIX=/usr SYSCONFDIR=/etc
        [ "$(cat "$STAGE/etc/crio/crio.conf")" = "# mine" ]
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
