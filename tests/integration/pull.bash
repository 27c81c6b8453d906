# Shared by the PullImage bats files (load after helpers): crio configured for pull tests,
# the fake registry (tests/lib/fake-registry.py), and views of the store.

# pull_setup: a crio environment whose [crio.image] points into TESTDIR (an accept-anything
# policy, an empty registries.conf, certs.d, registries.d) and a HOME without credentials.
pull_setup() {
        setup_crio_env
        pull_conf_setup
}

# pull_conf_setup: pull_setup's [crio.image] part, for an environment set up otherwise (after
# pods_setup, for a test that pulls).
pull_conf_setup() {
        unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
        FAKE_PID=
        echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$TESTDIR/policy.json"
        mkdir -p "$TESTDIR/certs.d" "$TESTDIR/registries.d" "$TESTDIR/home"
        : >"$TESTDIR/registries.conf"
        image_conf
}

# stop_fake: ends the fake registry this test started, if any.
stop_fake() {
        if [ -n "${FAKE_PID:-}" ]; then
                kill "$FAKE_PID" 2>/dev/null || true
                wait "$FAKE_PID" 2>/dev/null || true
                FAKE_PID=
        fi
}

# image_conf [LINE...]: crio's [crio.image] for these tests, plus the given lines.
image_conf() {
        {
                echo '[crio.image]'
                echo "registries_conf = \"$TESTDIR/registries.conf\""
                echo "registries_conf_dir = \"$TESTDIR/registries.conf.d\""
                echo "signature_policy = \"$TESTDIR/policy.json\""
                echo "registries_d_dir = \"$TESTDIR/registries.d\""
                echo "certs_dir = \"${IMG_CERTS:-$TESTDIR/certs.d}\""
                printf '%s\n' "$@"
        } >"$TESTDIR/crio.conf.d/50-image.conf"
}

# Starts crio with a HOME of its own (no credentials of the machine's user leak in).
start_pull_crio() {
        HOME=$TESTDIR/home XDG_RUNTIME_DIR=$TESTDIR/run REGISTRY_AUTH_FILE= start_crio "$@"
}

# store_state: layers, images and anything half-written, for before/after comparisons.
store_state() {
        local s=$TESTDIR/lib/storage
        jq -c '[.[] | .id] | sort' "$s/overlay-layers/layers.json" 2>/dev/null || echo '[]'
        jq -c '[.[] | .id] | sort' "$s/overlay-images/images.json" 2>/dev/null || echo '[]'
        ls "$s/overlay" 2>/dev/null | grep -v '^l$' | sort | tr '\n' ' '
        echo
}

podman_store() {
        podman --root "$TESTDIR/lib/storage" --runroot "$TESTDIR/run/storage" --storage-driver overlay \
                --events-backend none "$@"
}

# start_fake LAYOUT-REPO=DIR [FLAGS...]: tests/lib/fake-registry.py on plain http; sets FAKE.
start_fake() {
        "$PY" "$REPO/tests/lib/fake-registry.py" --port-file "$TESTDIR/fake.port" --log "$TESTDIR/fake.log" \
                --repo "$@" </dev/null >"$TESTDIR/fake.out" 2>&1 &
        FAKE_PID=$!
        local i
        for i in $(seq 1 100); do
                [ -s "$TESTDIR/fake.port" ] && break
                kill -0 "$FAKE_PID" 2>/dev/null || { cat "$TESTDIR/fake.out" >&2; return 1; }
                sleep 0.05
        done
        FAKE=127.0.0.1:$(cut -d' ' -f1 "$TESTDIR/fake.port")
        printf '\n[[registry]]\nlocation = "%s"\ninsecure = true\n' "$FAKE" >>"$TESTDIR/registries.conf"
}
