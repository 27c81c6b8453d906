#!/usr/bin/env bats
# Configuration sources and errors as the crio program sees them.

load helpers

setup() { setup_crio_env; }
teardown() { teardown_crio_env; }

crio_cmd() {
        "$CRIO" --config "$TESTDIR/crio.conf" --config-dir "$TESTDIR/crio.conf.d" "$@"
}

@test "crio config | crio --config /dev/stdin config is a fixed point" {
        mkdir -p "$TESTDIR/empty"
        "$CRIO" --config-dir "$TESTDIR/empty" config >"$TESTDIR/a.toml"
        "$CRIO" --config /dev/stdin --config-dir "$TESTDIR/empty" config <"$TESTDIR/a.toml" >"$TESTDIR/b.toml"
        cmp "$TESTDIR/a.toml" "$TESTDIR/b.toml"
        # and with a non-default configuration, including awkward strings
        cat >"$TESTDIR/crio.conf.d/10-odd.conf" <<'EOC'
[crio.image]
pause_image = "quote\" back\\slash tab\t é"
registries = ["a.example", "b.example:5000"]
[crio.runtime.runtimes.crun]
runtime_path = "/usr/bin/crun"
runtime_root = "/run/crun"
EOC
        crio_cmd config >"$TESTDIR/c.toml"
        "$CRIO" --config /dev/stdin --config-dir "$TESTDIR/empty" config <"$TESTDIR/c.toml" >"$TESTDIR/d.toml"
        cmp "$TESTDIR/c.toml" "$TESTDIR/d.toml"
        grep -q '^\[crio.runtime.runtimes.crun\]' "$TESTDIR/c.toml"
        # the output is commented
        grep -q '^# ' "$TESTDIR/c.toml"
        # python's TOML reader agrees it is TOML and sees the same values
        "$PY" -c 'import tomllib,sys; d=tomllib.load(open(sys.argv[1],"rb")); assert d["crio"]["image"]["pause_image"] == "quote\" back\\slash tab\t é", d["crio"]["image"]["pause_image"]; assert d["crio"]["runtime"]["runtimes"]["crun"]["runtime_path"] == "/usr/bin/crun"' "$TESTDIR/c.toml"
}

@test "a bad value stops crio, naming file:line and key" {
        printf '[crio.api]\n\ngrpc_max_recv_msg_size = "big"\n' >"$TESTDIR/crio.conf.d/50-bad.conf"
        run crio_cmd
        [ "$status" -ne 0 ]
        [[ "$output" == *"$TESTDIR/crio.conf.d/50-bad.conf:3"* ]]
        [[ "$output" == *"crio.api.grpc_max_recv_msg_size"* ]]
        [ ! -e "$SOCK" ]
        printf '[crio.runtime]\nlog_level = "loud"\n' >"$TESTDIR/crio.conf.d/50-bad.conf"
        run crio_cmd
        [ "$status" -ne 0 ]
        [[ "$output" == *"50-bad.conf:2"*"crio.runtime.log_level"*"loud"* ]]
        printf '[crio.metrics]\nmetrics_port = 70000\n' >"$TESTDIR/crio.conf.d/50-bad.conf"
        run crio_cmd
        [ "$status" -ne 0 ]
        [[ "$output" == *"50-bad.conf:2"*"crio.metrics.metrics_port"* ]]
}

@test "a TOML syntax error names file and line" {
        printf '[crio]\nroot = "/x"\nroot2 = \n' >"$TESTDIR/crio.conf.d/50-syntax.conf"
        run crio_cmd config
        [ "$status" -ne 0 ]
        [[ "$output" == *"50-syntax.conf"*"line 3"* ]]
}

@test "an unknown key is a warning naming file and line, and crio still starts" {
        printf '[crio.api]\n\nno_such_option = 1\n' >"$TESTDIR/crio.conf.d/40-unknown.conf"
        start_crio
        grep -q "level=warning msg=\"$TESTDIR/crio.conf.d/40-unknown.conf:3: unknown option crio.api.no_such_option\"" "$TESTDIR/crio.log"
        run crioctl version
        [ "$status" -eq 0 ]
}

@test "sources: drop-ins in lexical order over the file, flags over both" {
        printf '[crio.image]\npause_image = "from-10"\n' >"$TESTDIR/crio.conf.d/10-a.conf"
        printf '[crio.image]\npause_image = "from-20"\n' >"$TESTDIR/crio.conf.d/20-b.conf"
        printf '[crio.image]\npause_image = "ignored"\n' >"$TESTDIR/crio.conf.d/30-c.conf.disabled"
        run crio_cmd config
        [ "$status" -eq 0 ]
        [[ "$output" == *'pause_image = "from-20"'* ]]
        run crio_cmd --pause-image from-flag --cni-plugin-dir /a --cni-plugin-dir /b --log-level warn config
        [ "$status" -eq 0 ]
        [[ "$output" == *'pause_image = "from-flag"'* ]]
        [[ "$output" == *'log_level = "warn"'* ]]
        echo "$output" | "$PY" -c 'import tomllib,sys; d=tomllib.loads(sys.stdin.read()); assert d["crio"]["network"]["plugin_dirs"] == ["/a", "/b"], d["crio"]["network"]["plugin_dirs"]'
}

@test "flags: --root, --runroot, --listen, --storage-driver, --runtime, --conmon, --cni-config-dir" {
        run crio_cmd --root /r --runroot /rr --listen /l.sock --storage-driver overlay --runtime /opt/runc \
                --conmon /c --cni-config-dir /cni config
        [ "$status" -eq 0 ]
        echo "$output" | "$PY" -c '
import tomllib,sys
d = tomllib.loads(sys.stdin.read())["crio"]
assert d["root"] == "/r" and d["runroot"] == "/rr" and d["api"]["listen"] == "/l.sock"
assert d["storage_driver"] == "overlay" and d["runtime"]["conmon"] == "/c"
assert d["runtime"]["runtimes"]["runc"]["runtime_path"] == "/opt/runc"
assert d["network"]["network_dir"] == "/cni"'
}

@test "an unsupported storage driver or unknown flag is a clear error" {
        run crio_cmd --storage-driver zfs config
        [ "$status" -ne 0 ]
        [[ "$output" == *"crio.storage_driver"*"zfs"* ]]
        run crio_cmd --no-such-flag
        [ "$status" -eq 2 ]
        [[ "$output" == *"unknown flag: --no-such-flag"* ]]
}

@test "a missing --config file is an error, a missing default one is not" {
        run "$CRIO" --config "$TESTDIR/absent.conf" --config-dir "$TESTDIR/crio.conf.d" config
        [ "$status" -ne 0 ]
        [[ "$output" == *"$TESTDIR/absent.conf"* ]]
}

@test "default_runtime must name a configured handler" {
        printf '[crio.runtime]\ndefault_runtime = "kata"\n' >"$TESTDIR/crio.conf.d/10-rt.conf"
        run crio_cmd config
        [ "$status" -ne 0 ]
        [[ "$output" == *"kata"* ]]
        [[ "$output" == *"runc"* ]]
}

@test "contrib/crio.conf loads without warnings and equals the defaults" {
        mkdir -p "$TESTDIR/empty"
        run "$CRIO" --config "$REPO/contrib/crio.conf" --config-dir "$TESTDIR/empty" config
        [ "$status" -eq 0 ]
        [[ "$output" != *"level=warning"* ]]
        "$CRIO" --config "$REPO/contrib/crio.conf" --config-dir "$TESTDIR/empty" config 2>/dev/null >"$TESTDIR/a.toml"
        "$CRIO" --config "$TESTDIR/empty/none.conf" --config-dir "$TESTDIR/empty" config 2>/dev/null >"$TESTDIR/b.toml" || \
                "$CRIO" --config-dir "$TESTDIR/empty" config >"$TESTDIR/b.toml"
        cmp "$TESTDIR/a.toml" "$TESTDIR/b.toml"
}

@test "storage: an unsupported driver or option stops crio with a clear error" {
        run crio_cmd --storage-driver ostree
        [ "$status" -eq 1 ]
        [[ "$output" == *'storage driver '*ostree*' is not supported'* ]]
        [ ! -e "$SOCK" ]
        run crio_cmd --storage-opt overlay.nosuch=1
        [ "$status" -eq 1 ]
        [[ "$output" == *"unknown storage option overlay.nosuch"* ]]
        # a supported option is accepted and the daemon serves
        start_crio --storage-opt overlay.mountopt=nodev
        run crioctl version
        [ "$status" -eq 0 ]
}
