#!/usr/bin/env bats
# The signature policy of PullImage: policy.json scopes, reject, signedBy with GPG keys made
# by the test and simple-signing signatures written by `skopeo copy --sign-by` to a
# lookaside directory that registries.d names; per-namespace policies.

load helpers
load registry

setup_file() {
        export OCI_DIR=$(mktemp -d /tmp/crio-policy-oci.XXXXXX)
        "$PY" "$REPO/tests/lib/make-oci-images.py" "$OCI_DIR" >"$OCI_DIR/images.json"
        export SIGSTORE=$OCI_DIR/sigstore GPGDIR=$OCI_DIR/gnupg
        mkdir -p "$SIGSTORE" "$GPGDIR" "$OCI_DIR/registries.d"
        chmod 700 "$GPGDIR"
        local k
        for k in good other; do
                GNUPGHOME=$GPGDIR gpg --batch --quiet --passphrase '' --quick-gen-key "crio test $k <$k@crio.test>" \
                        ed25519 sign never 2>/dev/null
                GNUPGHOME=$GPGDIR gpg --batch --export "$k@crio.test" >"$OCI_DIR/$k.gpg"
        done
        registry_start main
        cat >"$OCI_DIR/registries.d/test.yaml" <<EOF
docker:
  $REG_MAIN_ADDR:
    lookaside: file://$SIGSTORE
    lookaside-staging: file://$SIGSTORE
EOF
        local push=(--registries.d "$OCI_DIR/registries.d")
        GNUPGHOME=$GPGDIR registry_push "oci:$OCI_DIR/busybox:1" "$REG_MAIN_ADDR/signed/busybox:1" \
                "${push[@]}" --sign-by good@crio.test
        GNUPGHOME=$GPGDIR registry_push "oci:$OCI_DIR/busybox:1" "$REG_MAIN_ADDR/othersigned/busybox:1" \
                "${push[@]}" --sign-by other@crio.test
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_MAIN_ADDR/unsigned/busybox:1"
        registry_push "oci:$OCI_DIR/layered:1" "$REG_MAIN_ADDR/open/layered:1"
        GNUPGHOME=$GPGDIR gpgconf --kill all 2>/dev/null || true
}

teardown_file() {
        registry_teardown
        rm -rf "$OCI_DIR"
}

setup() {
        HTTP_PID=
        setup_crio_env
        registry_write_registries_conf "$TESTDIR/registries.conf" main
        mkdir -p "$TESTDIR/policies" "$TESTDIR/home"
        {
                echo '[crio.image]'
                echo "registries_conf = \"$TESTDIR/registries.conf\""
                echo "signature_policy = \"$TESTDIR/policy.json\""
                echo "signature_policy_dir = \"$TESTDIR/policies\""
                echo "registries_d_dir = \"$OCI_DIR/registries.d\""
        } >"$TESTDIR/crio.conf.d/50-image.conf"
}

teardown() {
        if [ -n "${HTTP_PID:-}" ]; then
                kill "$HTTP_PID" 2>/dev/null || true
                wait "$HTTP_PID" 2>/dev/null || true
        fi
        teardown_crio_env
}

img() {
        jq -r ".$1.$2" "$OCI_DIR/images.json"
}

start_pull_crio() {
        HOME=$TESTDIR/home start_crio "$@"
}

no_images() {
        [ -z "$(crioctl images -q)" ]
}

@test "reject: the pull is refused naming the requirement and its scope; nothing is fetched or kept" {
        echo '{"default": [{"type": "reject"}]}' >"$TESTDIR/policy.json"
        start_pull_crio
        local before
        before=$(wc -l <"$REG_MAIN_LOG")
        run crioctl pull "$REG_MAIN_ADDR/open/layered:1"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *PermissionDenied* ]]
        [[ "$output" == *reject* ]]
        no_images
        [ "$(tail -n +"$((before + 1))" "$REG_MAIN_LOG" | grep -c '/blobs/')" = 0 ]
}

@test "scopes: a repository scope beats the host scope and the default" {
        cat >"$TESTDIR/policy.json" <<EOF
{
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "$REG_MAIN_ADDR": [{"type": "reject"}],
      "$REG_MAIN_ADDR/open": [{"type": "insecureAcceptAnything"}]
    }
  }
}
EOF
        start_pull_crio
        run crioctl pull "$REG_MAIN_ADDR/open/layered:1"
        echo "$output"
        [ "$status" -eq 0 ]
        run crioctl pull "$REG_MAIN_ADDR/unsigned/busybox:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"\"$REG_MAIN_ADDR\""* || "$output" == *"scope $REG_MAIN_ADDR"* || "$output" == *"$REG_MAIN_ADDR\""* ]]
}

@test "signedBy: a signature by the key is accepted; unsigned and other-key images are refused" {
        cat >"$TESTDIR/policy.json" <<EOF
{
  "default": [{"type": "insecureAcceptAnything"}],
  "transports": {
    "docker": {
      "$REG_MAIN_ADDR": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "$OCI_DIR/good.gpg"}]
    }
  }
}
EOF
        start_pull_crio
        run crioctl pull "$REG_MAIN_ADDR/signed/busybox:1"
        echo "signed: $output"
        [ "$status" -eq 0 ]
        [ "$output" = "Image is up to date for $(img busybox id)" ]
        crioctl rmi "$(img busybox id)"
        run crioctl pull "$REG_MAIN_ADDR/unsigned/busybox:1"
        echo "unsigned: $output"
        [ "$status" -ne 0 ]
        [[ "$output" == *signedBy* || "$output" == *signature* ]]
        run crioctl pull "$REG_MAIN_ADDR/othersigned/busybox:1"
        echo "other key: $output"
        [ "$status" -ne 0 ]
        [[ "$output" == *signedBy* || "$output" == *signature* ]]
        no_images
}

@test "signedBy with signatures on an http lookaside server" {
        cat >"$TESTDIR/policy.json" <<EOF
{
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "$REG_MAIN_ADDR": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "$OCI_DIR/good.gpg"}]
    }
  }
}
EOF
        "$PY" -m http.server --bind 127.0.0.1 --directory "$SIGSTORE" 0 >"$TESTDIR/http.out" 2>&1 3>&- &
        HTTP_PID=$!
        local port="" i
        for i in $(seq 1 100); do
                port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$TESTDIR/http.out" | head -n 1)
                [ -n "$port" ] && break
                sleep 0.05
        done
        [ -n "$port" ]
        mkdir -p "$TESTDIR/registries.d"
        printf 'docker:\n  %s:\n    lookaside: http://127.0.0.1:%s\n' "$REG_MAIN_ADDR" "$port" >"$TESTDIR/registries.d/http.yaml"
        sed -i "s|^registries_d_dir = .*|registries_d_dir = \"$TESTDIR/registries.d\"|" "$TESTDIR/crio.conf.d/50-image.conf"
        start_pull_crio
        run crioctl pull "$REG_MAIN_ADDR/signed/busybox:1"
        echo "signed over http: $output"
        [ "$status" -eq 0 ]
        grep -q "GET /signed/busybox@sha256=" "$TESTDIR/http.out"
        run crioctl pull "$REG_MAIN_ADDR/othersigned/busybox:1"
        [ "$status" -ne 0 ]
}

@test "signedBy identity: a signature for one repository does not vouch for a copy under another name" {
        # the signature made for signed/busybox, copied to where copy/busybox's would be
        skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
                "docker://$REG_MAIN_ADDR/signed/busybox:1" "docker://$REG_MAIN_ADDR/copy/busybox:1"
        local d
        d=$(img busybox manifest_digest)
        mkdir -p "$SIGSTORE/copy/busybox@sha256=${d#sha256:}"
        cp "$SIGSTORE/signed/busybox@sha256=${d#sha256:}/signature-1" "$SIGSTORE/copy/busybox@sha256=${d#sha256:}/"
        cat >"$TESTDIR/policy.json" <<EOF
{
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "$REG_MAIN_ADDR/copy": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": "$(base64 -w0 "$OCI_DIR/good.gpg")"}]
    }
  }
}
EOF
        start_pull_crio
        run crioctl pull "$REG_MAIN_ADDR/copy/busybox:1"
        echo "default identity: $output"
        [ "$status" -ne 0 ]
        stop_crio
        # ... unless the policy says which signed name it accepts
        cat >"$TESTDIR/policy.json" <<EOF
{
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "$REG_MAIN_ADDR/copy": [{"type": "signedBy", "keyType": "GPGKeys", "keyPaths": ["$OCI_DIR/other.gpg", "$OCI_DIR/good.gpg"],
        "signedIdentity": {"type": "remapIdentity", "prefix": "$REG_MAIN_ADDR/copy", "signedPrefix": "$REG_MAIN_ADDR/signed"}}]
    }
  }
}
EOF
        start_pull_crio
        run crioctl pull "$REG_MAIN_ADDR/copy/busybox:1"
        echo "remapped: $output"
        [ "$status" -eq 0 ]
}

@test "per-namespace policy: <signature_policy_dir>/<namespace>.json for a pod's namespace, else the default" {
        echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$TESTDIR/policy.json"
        echo '{"default": [{"type": "reject"}]}' >"$TESTDIR/policies/locked.json"
        echo '{"metadata": {"name": "p", "namespace": "locked", "uid": "u1"}}' >"$TESTDIR/locked-pod.json"
        echo '{"metadata": {"name": "p", "namespace": "free", "uid": "u2"}}' >"$TESTDIR/free-pod.json"
        echo '{"metadata": {"name": "p", "namespace": "../policies/locked", "uid": "u3"}}' >"$TESTDIR/evil-pod.json"
        start_pull_crio
        run crioctl pull --pod-config "$TESTDIR/locked-pod.json" "$REG_MAIN_ADDR/open/layered:1"
        echo "locked: $output"
        [ "$status" -ne 0 ]
        [[ "$output" == *reject* ]]
        run crioctl pull --pod-config "$TESTDIR/evil-pod.json" "$REG_MAIN_ADDR/open/layered:1"
        echo "evil: $output"
        [ "$status" -ne 0 ]
        [[ "$output" == *InvalidArgument* ]]
        no_images
        run crioctl pull --pod-config "$TESTDIR/free-pod.json" "$REG_MAIN_ADDR/open/layered:1"
        [ "$status" -eq 0 ]
        run crioctl pull "$REG_MAIN_ADDR/unsigned/busybox:1"
        [ "$status" -eq 0 ]
}

@test "a missing or broken policy file fails the pull with a message naming it" {
        start_pull_crio
        run crioctl pull "$REG_MAIN_ADDR/open/layered:1"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"$TESTDIR/policy.json"* ]]
        echo '{"default": [{"type": "rejekt"}]}' >"$TESTDIR/policy.json"
        run crioctl pull "$REG_MAIN_ADDR/open/layered:1"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *rejekt* ]]
        no_images
}
