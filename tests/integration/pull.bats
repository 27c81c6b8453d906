#!/usr/bin/env bats
# PullImage through the real crio against Debian's docker-registry on loopback (filled by
# skopeo), a token service, TLS with a test CA, mirrors, and tests/lib/fake-registry.py for
# the hostile answers a real registry would never give.

load helpers
load registry
load pull

setup_file() {
        export OCI_DIR=$(mktemp -d /tmp/crio-pull-oci.XXXXXX)
        "$PY" "$REPO/tests/lib/make-oci-images.py" "$OCI_DIR" >"$OCI_DIR/images.json"
        "$PY" "$REPO/tests/lib/make-hostile-images.py" "$OCI_DIR/hostile" >"$OCI_DIR/hostile.json"
        registry_start main
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_MAIN_ADDR/library/busybox:1"
        registry_push "oci:$OCI_DIR/layered:1" "$REG_MAIN_ADDR/test/layered:1"
        registry_push "oci:$OCI_DIR/sibling:1" "$REG_MAIN_ADDR/test/sibling:1"
        registry_push "oci:$OCI_DIR/multiarch:1" "$REG_MAIN_ADDR/multi/oci:1" --all
        registry_push "oci:$OCI_DIR/multiarch:1" "$REG_MAIN_ADDR/multi/docker:1" --all --format v2s2
}

teardown_file() {
        registry_teardown
        rm -rf "$OCI_DIR"
}

setup() {
        pull_setup
        registry_write_registries_conf "$TESTDIR/registries.conf" main
}

teardown() {
        stop_fake
        registry_teardown
        teardown_crio_env
}

img() { # img NAME JQ-PATH: a value from the generator's summary
        jq -r ".$1.$2" "$OCI_DIR/images.json"
}

@test "PullImage validates its request: no image, a malformed name, a digest of the wrong form" {
        start_pull_crio
        run cri_client call ImageService PullImage '{}'
        echo "$output"
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR INVALID_ARGUMENT:"*"image.image is empty"* ]]
        run cri_client call ImageService PullImage '{"image": {"image": "Busy/Box"}}'
        echo "$output"
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR INVALID_ARGUMENT:"*lowercase* ]]
        run cri_client call ImageService PullImage "{\"image\": {\"image\": \"$REG_MAIN_ADDR/x@sha256:12\"}}"
        echo "$output"
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR INVALID_ARGUMENT:"*digest* ]]
        run crioctl pull
        [ "$status" -eq 2 ]
}

@test "pull by tag: the config digest is the ID; tags and digests as podman records them" {
        start_pull_crio
        run crioctl pull "$REG_MAIN_ADDR/library/busybox:1"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "Image is up to date for $(img busybox id)" ]
        run crioctl inspecti -o json "$REG_MAIN_ADDR/library/busybox:1"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .status.id)" = "$(img busybox id)" ]
        [ "$(echo "$output" | jq -r '.status.repoTags[]')" = "$REG_MAIN_ADDR/library/busybox:1" ]
        [ "$(echo "$output" | jq -r '.status.repoDigests[]')" = \
                "$REG_MAIN_ADDR/library/busybox@$(img busybox manifest_digest)" ]
        # the layer records carry what was checked
        local layers=$TESTDIR/lib/storage/overlay-layers/layers.json
        [ "$(jq -r '.[0]."diff-digest"' "$layers")" = "$(img busybox 'diff_ids[0]')" ]
        [ "$(jq -r '.[0]."compressed-diff-digest"' "$layers")" = "$(img busybox 'layer_digests[0]')" ]
        # podman reads the same store
        run podman_store images --format '{{.ID}} {{.Digest}}' --no-trunc
        [ "$status" -eq 0 ]
        [[ "$output" == *"$(img busybox id) $(img busybox manifest_digest)"* ]]
        # a second pull is a no-op with the same answer
        run crioctl pull "$REG_MAIN_ADDR/library/busybox:1"
        [ "$output" = "Image is up to date for $(img busybox id)" ]
}

@test "pull by digest; layers shared with an image already there are not fetched again" {
        start_pull_crio
        crioctl pull "$REG_MAIN_ADDR/library/busybox:1"
        : >"$REG_MAIN_LOG.mark"
        local before
        before=$(wc -l <"$REG_MAIN_LOG")
        run crioctl pull "$REG_MAIN_ADDR/test/sibling@$(img sibling manifest_digest)"
        [ "$status" -eq 0 ]
        [ "$output" = "Image is up to date for $(img sibling id)" ]
        run crioctl inspecti -o json "$(img sibling id)"
        [ "$(echo "$output" | jq -r '.status.repoDigests[]')" = "$REG_MAIN_ADDR/test/sibling@$(img sibling manifest_digest)" ]
        [ "$(echo "$output" | jq -r '.status.repoTags | length')" = 0 ]
        # the shared base layer was not downloaded again
        [ "$(tail -n +"$((before + 1))" "$REG_MAIN_LOG" | grep -c "blobs/$(img sibling 'layer_digests[0]')")" = 0 ]
        tail -n +"$((before + 1))" "$REG_MAIN_LOG" | grep -q "blobs/$(img sibling 'layer_digests[1]')"
        # a digest that is not there
        run crioctl pull "$REG_MAIN_ADDR/test/sibling@sha256:$(printf '%064d' 7)"
        [ "$status" -ne 0 ]
        [[ "$output" == *NotFound* || "$output" == *NOT_FOUND* || "$output" == *"not found"* || "$output" == *unknown* ]]
}

@test "short names: unqualified-search-registries in order, aliases, crio.conf registries" {
        {
                echo "unqualified-search-registries = [\"127.0.0.1:1\", \"$REG_MAIN_ADDR\"]"
                echo '[aliases]'
                echo "\"bb\" = \"$REG_MAIN_ADDR/library/busybox\""
                printf '[[registry]]\nlocation = "127.0.0.1:1"\ninsecure = true\n'
                printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG_MAIN_ADDR"
        } >"$TESTDIR/registries.conf"
        start_pull_crio
        run crioctl pull library/busybox:1
        echo "$output"
        [ "$status" -eq 0 ]
        run crioctl inspecti -o json "$(img busybox id)"
        [ "$(echo "$output" | jq -r '.status.repoTags[]')" = "$REG_MAIN_ADDR/library/busybox:1" ]
        run crioctl pull test/layered:1
        [ "$status" -eq 0 ]
        run crioctl pull bb:1
        [ "$status" -eq 0 ]
        [ "$output" = "Image is up to date for $(img busybox id)" ]
        stop_crio
        # crio.conf's registries, no search list in registries.conf
        registry_write_registries_conf "$TESTDIR/registries.conf" main
        image_conf "registries = [\"$REG_MAIN_ADDR\"]"
        start_pull_crio
        run crioctl pull test/sibling:1
        [ "$status" -eq 0 ]
        [ "$output" = "Image is up to date for $(img sibling id)" ]
        # no search registry at all: a clear error
        stop_crio
        image_conf
        start_pull_crio
        run crioctl pull test/sibling:1
        [ "$status" -ne 0 ]
        [[ "$output" == *"unqualified-search-registries"* || "$output" == *"short name"* ]]
        # short-name-mode = "enforcing": an ambiguous short name is refused (no one to ask),
        # an alias or a single search registry is fine
        {
                echo 'short-name-mode = "enforcing"'
                echo "unqualified-search-registries = [\"127.0.0.1:1\", \"$REG_MAIN_ADDR\"]"
                echo '[aliases]'
                echo "\"bb\" = \"$REG_MAIN_ADDR/library/busybox\""
                printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG_MAIN_ADDR"
        } >"$TESTDIR/registries.conf"
        run crioctl pull test/layered:1
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *enforc* ]]
        run crioctl pull bb:1
        [ "$status" -eq 0 ]
        sed -i "s|\"127.0.0.1:1\", ||" "$TESTDIR/registries.conf"
        run crioctl pull test/layered:1
        [ "$status" -eq 0 ]
}

@test "registries.conf and the policy move with --registries-conf, CONTAINERS_REGISTRIES_CONF and --signature-policy" {
        {
                echo '[crio.image]'
                echo "certs_dir = \"$TESTDIR/certs.d\""
        } >"$TESTDIR/crio.conf.d/50-image.conf"
        mkdir -p "$TESTDIR/elsewhere"
        printf 'unqualified-search-registries = ["%s"]\n[[registry]]\nlocation = "%s"\ninsecure = true\n' \
                "$REG_MAIN_ADDR" "$REG_MAIN_ADDR" >"$TESTDIR/elsewhere/registries.conf"
        mv "$TESTDIR/policy.json" "$TESTDIR/elsewhere/policy.json"
        start_pull_crio --registries-conf "$TESTDIR/elsewhere/registries.conf" \
                --signature-policy "$TESTDIR/elsewhere/policy.json"
        run crioctl pull library/busybox:1
        echo "$output"
        [ "$status" -eq 0 ]
        stop_crio
        # the environment variable, and a policy that refuses
        echo '{"default": [{"type": "reject"}]}' >"$TESTDIR/elsewhere/reject.json"
        CONTAINERS_REGISTRIES_CONF=$TESTDIR/elsewhere/registries.conf start_pull_crio \
                --signature-policy "$TESTDIR/elsewhere/reject.json"
        run crioctl pull test/layered:1
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *reject* ]]
        [[ "$output" == *"$REG_MAIN_ADDR/test/layered:1"* ]]
}

@test "manifest list and OCI index: the node's platform is picked, wherever it stands in the list" {
        [ "$(uname -m)" = x86_64 ] || skip "the fixtures' node platform is linux/amd64"
        # the same index with its entries reversed, so amd64 is last
        skopeo copy -q --all --dest-tls-verify=false "oci:$OCI_DIR/multiarch:1" "docker://$REG_MAIN_ADDR/multi/rev:1"
        curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "$REG_MAIN_URL/v2/multi/oci/manifests/1" |
                jq -c '.manifests |= reverse' >"$TESTDIR/rev.json"
        [ "$(jq -r '.manifests[-1].platform.architecture' "$TESTDIR/rev.json")" = amd64 ]
        curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary @"$TESTDIR/rev.json" \
                "$REG_MAIN_URL/v2/multi/rev/manifests/rev"
        start_pull_crio
        local want
        want=$(img multiarch 'manifests["linux/amd64"].id')
        for ref in multi/oci:1 multi/docker:1 multi/rev:rev; do
                run crioctl pull "$REG_MAIN_ADDR/$ref"
                echo "$ref: $output"
                [ "$status" -eq 0 ]
        done
        run crioctl pull "$REG_MAIN_ADDR/multi/oci:1"
        [ "$output" = "Image is up to date for $want" ]
        run crioctl pull "$REG_MAIN_ADDR/multi/rev:rev"
        [ "$output" = "Image is up to date for $want" ]
        # the image is known by the digest of the list it was first pulled through, as
        # containers/image records it; every list's manifest is kept
        run crioctl inspecti -o json "$REG_MAIN_ADDR/multi/rev:rev"
        echo "$output" | jq -e --arg d "$REG_MAIN_ADDR/multi/oci@$(img multiarch index_digest)" \
                '.status.repoDigests | index($d) != null'
        jq -e --arg k "manifest-sha256:$(sha256sum "$TESTDIR/rev.json" | cut -c1-64)" \
                '.[0]."big-data-names" | index($k) != null' "$TESTDIR/lib/storage/overlay-images/images.json"
        # the layer says which platform it was built for
        run podman_store image inspect --format '{{.Architecture}}' "$want"
        [ "$output" = amd64 ]
        local layer
        layer=$(img multiarch 'manifests["linux/amd64"].diff_ids[1]')
        [ "$(cat "$TESTDIR/lib/storage/overlay/$(jq -r --arg d "$layer" '.[] | select(."diff-digest" == $d) | .id' \
                "$TESTDIR/lib/storage/overlay-layers/layers.json")/diff/platform")" = linux/amd64 ]
}

@test "mirrors are tried in order before the registry; mirror-by-digest-only; a blocked registry is refused" {
        cat >"$TESTDIR/registries.conf" <<EOF
[[registry]]
prefix = "primary.example/lib"
location = "127.0.0.1:1/library"
insecure = true
[[registry.mirror]]
location = "127.0.0.1:2/nowhere"
insecure = true
[[registry.mirror]]
location = "$REG_MAIN_ADDR/library"
insecure = true

[[registry]]
prefix = "fallback.example/lib"
location = "$REG_MAIN_ADDR/library"
insecure = true
[[registry.mirror]]
location = "127.0.0.1:3/nowhere"
insecure = true

[[registry]]
prefix = "digestonly.example/lib"
location = "127.0.0.1:1/library"
insecure = true
mirror-by-digest-only = true
[[registry.mirror]]
location = "$REG_MAIN_ADDR/library"
insecure = true

[[registry]]
location = "$REG_MAIN_ADDR"
insecure = true
blocked = true
EOF
        start_pull_crio
        run crioctl pull primary.example/lib/busybox:1
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "Image is up to date for $(img busybox id)" ]
        run crioctl inspecti -o json "$(img busybox id)"
        [ "$(echo "$output" | jq -r '.status.repoTags[]')" = "primary.example/lib/busybox:1" ]
        grep -q 'pulling primary.example/lib/busybox:1 from 127.0.0.1:2/nowhere/busybox:1' "$TESTDIR/crio.log"
        run crioctl pull fallback.example/lib/busybox:1
        [ "$status" -eq 0 ]
        run crioctl pull digestonly.example/lib/busybox:1
        [ "$status" -ne 0 ]
        run crioctl pull "digestonly.example/lib/busybox@$(img busybox manifest_digest)"
        [ "$status" -eq 0 ]
        run crioctl pull "$REG_MAIN_ADDR/test/layered:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *blocked* ]]
}

@test "TLS: a test CA in certs.d is trusted, a registry without it is refused, insecure skips verification" {
        registry_start secure --tls
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_SECURE_ADDR/library/busybox:1"
        registry_write_registries_conf "$TESTDIR/registries.conf" secure
        # without the CA
        start_pull_crio
        run crioctl pull "$REG_SECURE_ADDR/library/busybox:1"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *certificate* || "$output" == *verif* ]]
        stop_crio
        # with the CA in certs_dir
        IMG_CERTS=$REG_CERTS_D image_conf
        start_pull_crio
        run crioctl pull "$REG_SECURE_ADDR/library/busybox:1"
        echo "$output"
        [ "$status" -eq 0 ]
        stop_crio
        # insecure: no CA needed, and still TLS (the registry speaks nothing else)
        image_conf
        printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG_SECURE_ADDR" >"$TESTDIR/registries.conf"
        start_pull_crio
        run crioctl pull "$REG_SECURE_ADDR/test/none:1"
        [[ "$output" != *certificate* ]]
        run crioctl rmi "$(img busybox id)"
        run crioctl pull "$REG_SECURE_ADDR/library/busybox:1"
        [ "$status" -eq 0 ]
}

@test "TLS client certificates from certs.d; Basic auth (htpasswd) with right and wrong credentials" {
        registry_start mtls --client-ca
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_MTLS_ADDR/library/busybox:1"
        registry_start basic --htpasswd
        registry_push "oci:$OCI_DIR/layered:1" "$REG_BASIC_ADDR/test/layered:1"
        registry_write_registries_conf "$TESTDIR/registries.conf" mtls basic
        [ -e "$REG_CERTS_D/$REG_MTLS_ADDR/client.cert" ]
        # the CA alone is not enough for a registry that wants a client certificate
        mkdir -p "$TESTDIR/ca-only/$REG_MTLS_ADDR"
        cp "$REG_CA" "$TESTDIR/ca-only/$REG_MTLS_ADDR/ca.crt"
        IMG_CERTS=$TESTDIR/ca-only image_conf
        start_pull_crio
        run crioctl pull "$REG_MTLS_ADDR/library/busybox:1"
        echo "no client cert: $output"
        [ "$status" -ne 0 ]
        stop_crio
        IMG_CERTS=$REG_CERTS_D image_conf
        start_pull_crio
        run crioctl pull "$REG_MTLS_ADDR/library/busybox:1"
        echo "client cert: $output"
        [ "$status" -eq 0 ]
        run crioctl pull "$REG_BASIC_ADDR/test/layered:1"
        [ "$status" -ne 0 ]
        run crioctl pull --creds "$REG_BASIC_USER:wrong" "$REG_BASIC_ADDR/test/layered:1"
        echo "basic, wrong: $output"
        [ "$status" -ne 0 ]
        [[ "$output" == *PermissionDenied* ]]
        run crioctl pull --creds "$REG_BASIC_USER:$REG_BASIC_PASSWORD" "$REG_BASIC_ADDR/test/layered:1"
        echo "basic: $output"
        [ "$status" -eq 0 ]
}

@test "plain http only where the registry is insecure" {
        printf '[[registry]]\nlocation = "%s"\ninsecure = false\n' "$REG_MAIN_ADDR" >"$TESTDIR/registries.conf"
        start_pull_crio
        run crioctl pull "$REG_MAIN_ADDR/library/busybox:1"
        echo "$output"
        [ "$status" -ne 0 ]
        [ "$(grep -c "GET http://$REG_MAIN_ADDR" "$TESTDIR/crio.log")" = 0 ]
        stop_crio
        # crio.conf's insecure_registries is enough too
        image_conf "insecure_registries = [\"$REG_MAIN_ADDR\"]"
        start_pull_crio
        run crioctl pull "$REG_MAIN_ADDR/library/busybox:1"
        [ "$status" -eq 0 ]
}

@test "token auth: right credentials pull (--creds, --auth, auth.json, identity token); wrong and none are refused" {
        registry_start auth --token
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_AUTH_ADDR/library/busybox:1"
        registry_write_registries_conf "$TESTDIR/registries.conf" auth
        start_pull_crio
        local ref=$REG_AUTH_ADDR/library/busybox:1
        run crioctl pull "$ref"
        echo "anonymous: $output"
        [ "$status" -ne 0 ]
        run crioctl pull --creds "tester:wrong" "$ref"
        echo "wrong: $output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"$REG_AUTH_ADDR"* ]]
        [ -z "$(jq -r '.[]?.id' "$TESTDIR/lib/storage/overlay-images/images.json" 2>/dev/null)" ]
        run crioctl pull --creds "tester:secret" "$ref"
        echo "right: $output"
        [ "$status" -eq 0 ]
        crioctl rmi "$ref"
        run crioctl pull --auth "$(printf 'tester:secret' | base64)" "$ref"
        [ "$status" -eq 0 ]
        crioctl rmi "$ref"
        stop_crio
        # the global auth file, then an identity (refresh) token in it
        registry_write_auth_json "$TESTDIR/auth.json" auth
        image_conf "global_auth_file = \"$TESTDIR/auth.json\""
        start_pull_crio
        run crioctl pull "$ref"
        [ "$status" -eq 0 ]
        crioctl rmi "$ref"
        rm "$TESTDIR/auth.json"
        registry_write_auth_json "$TESTDIR/auth.json" auth --identity-token "$REG_AUTH_REFRESH_TOKEN"
        run crioctl pull "$ref"
        echo "identity token: $output"
        [ "$status" -eq 0 ]
        # the machine user's docker config.json, when nothing else has credentials
        stop_crio
        image_conf
        mkdir -p "$TESTDIR/home/.docker"
        registry_write_auth_json "$TESTDIR/home/.docker/config.json" auth
        start_pull_crio
        crioctl rmi "$ref"
        run crioctl pull "$ref"
        echo "docker config.json: $output"
        [ "$status" -eq 0 ]
        # no credential ever reached the log
        [ "$(grep -c secret "$TESTDIR/crio.log")" = 0 ]
        [ "$(grep -cF "$REG_AUTH_REFRESH_TOKEN" "$TESTDIR/crio.log")" = 0 ]
}

# pull_refused FLAG... -- WORDS: a pull from the fake registry with these behaviours fails,
# its message has one of WORDS, and the store is as it was.
pull_refused() {
        local flags=() words=()
        while [ "$1" != -- ]; do flags+=("$1"); shift; done
        shift
        words=("$@")
        local before after
        before=$(store_state)
        run crioctl pull "$FAKE/$REPO_NAME${REF_SUFFIX:-:1}"
        echo "${flags[*]}: $output" >&3
        [ "$status" -ne 0 ] || return 1
        local w found=0
        for w in "${words[@]}"; do [[ "$output" == *"$w"* ]] && found=1; done
        [ $found = 1 ] || { echo "none of ${words[*]} in: $output"; return 1; }
        after=$(store_state)
        [ "$before" = "$after" ] || { echo "store changed: $before -> $after"; return 1; }
}

@test "a hostile registry: wrong digest, wrong size, truncated, huge manifest, stall; the store is unchanged" {
        image_conf 'pull_progress_timeout = "2s"'
        start_pull_crio
        REPO_NAME=test/layered
        local mode
        for mode in "--wrong-blob -- digest" "--too-long 100 -- bytes size long" "--truncate -- bytes size truncated short" \
                "--big-manifest 5000000 -- large limit big"; do
                start_fake "$REPO_NAME=$OCI_DIR/layered" ${mode%% -- *}
                pull_refused ${mode%% -- *} -- ${mode#* -- }
                kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
                registry_write_registries_conf "$TESTDIR/registries.conf" main
                rm -f "$TESTDIR/fake.port"
        done
        # a manifest that is not the one its digest names
        start_fake "$REPO_NAME=$OCI_DIR/layered" --wrong-manifest
        REF_SUFFIX=@$(img layered manifest_digest) pull_refused --wrong-manifest -- digest
        kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
        registry_write_registries_conf "$TESTDIR/registries.conf" main
        rm -f "$TESTDIR/fake.port"
        # a stall: the pull fails within a few seconds of the progress timeout
        start_fake "$REPO_NAME=$OCI_DIR/layered" --stall 10 --stall-seconds 60
        local t0=$SECONDS
        pull_refused --stall -- stall timed progress
        [ $((SECONDS - t0)) -lt 30 ]
        # nothing escaped and no staging directory is left
        [ ! -e "$TESTDIR/lib/storage/overlay/escaped" ]
        [ "$(ls "$TESTDIR/lib/storage/overlay" | grep -c staging)" = 0 ]
}

@test "hostile images: a layer escaping its root, unknown media types, a wrong diff ID, layer blobs with wrong bytes or size" {
        start_pull_crio
        local name
        for name in escape badtype badlayer diffid layerbytes layersize layercut; do
                start_fake "hostile/$name=$OCI_DIR/hostile/$name"
                REPO_NAME=hostile/$name
                case $name in
                escape) pull_refused -- escapes "../" ;;
                badtype | badlayer) pull_refused -- "media type" "content type" mediaType ;;
                diffid) pull_refused -- "does not match" ;;
                layerbytes) pull_refused -- "does not match" digest ;;
                layersize) pull_refused -- bytes size ;;
                layercut) pull_refused -- bytes size truncated ;;
                esac
                kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
                registry_write_registries_conf "$TESTDIR/registries.conf" main
                rm -f "$TESTDIR/fake.port"
        done
        [ ! -e "$TESTDIR/lib/escaped" ]
        [ ! -e "$TESTDIR/lib/storage/escaped" ]
        [ ! -e /etc/crio-escaped ]
}

@test "concurrent pulls of one image share each download; different images pull side by side" {
        slow_proxy_start p "$REG_MAIN_ADDR" 1500000
        registry_write_registries_conf "$TESTDIR/registries.conf" p
        start_pull_crio
        local before pids=() i
        before=$(wc -l <"$REG_MAIN_LOG")
        for i in 1 2 3 4; do
                crioctl pull "$PROXY_P_ADDR/test/layered:1" >"$TESTDIR/pull.$i" 2>&1 &
                pids+=($!)
        done
        crioctl pull "$PROXY_P_ADDR/library/busybox:1" >"$TESTDIR/pull.bb" 2>&1 &
        pids+=($!)
        crioctl pull "$PROXY_P_ADDR/test/sibling:1" >"$TESTDIR/pull.sib" 2>&1 &
        pids+=($!)
        for i in "${pids[@]}"; do wait "$i"; done
        for i in 1 2 3 4; do
                [ "$(cat "$TESTDIR/pull.$i")" = "Image is up to date for $(img layered id)" ]
        done
        [ "$(cat "$TESTDIR/pull.bb")" = "Image is up to date for $(img busybox id)" ]
        [ "$(cat "$TESTDIR/pull.sib")" = "Image is up to date for $(img sibling id)" ]
        # each layer blob went over the wire once (the base layer is in all three images)
        local d n
        for d in $(jq -r '.layered.layer_digests[], .sibling.layer_digests[1]' "$OCI_DIR/images.json"); do
                n=$(tail -n +"$((before + 1))" "$REG_MAIN_LOG" | grep -c "GET /v2/[^ ]*/blobs/$d")
                echo "$d: $n"
                [ "$n" = 1 ]
        done
        run crioctl images -q
        [ "${#lines[@]}" = 3 ]
}

@test "kill -9 of crio mid-pull: the store opens cleanly after a restart and the same pull succeeds" {
        slow_proxy_start p "$REG_MAIN_ADDR" 300000
        registry_write_registries_conf "$TESTDIR/registries.conf" p
        start_pull_crio
        crioctl pull "$PROXY_P_ADDR/library/busybox:1" >"$TESTDIR/pull.out" 2>&1 &
        local cpid=$!
        slow_proxy_wait_bytes p 400000
        stop_crio KILL
        wait "$cpid" || true
        slow_proxy_rate p 0
        start_pull_crio
        run crioctl images -q
        [ -z "$output" ]
        [ "$(jq length "$TESTDIR/lib/storage/overlay-layers/layers.json" 2>/dev/null || echo 0)" = 0 ]
        [ "$(ls "$TESTDIR/lib/storage/overlay" | grep -c staging)" = 0 ]
        run podman_store images -q
        [ "$status" -eq 0 ]
        run crioctl pull "$PROXY_P_ADDR/library/busybox:1"
        [ "$status" -eq 0 ]
        [ "$output" = "Image is up to date for $(img busybox id)" ]
}

@test "a slow pull never delays Status; SIGTERM lets a pull in flight finish" {
        # 250 kB/s: the 1 MB layer takes ~4 s, so the pull is still running after the Status
        # calls (up to 2 s) even on a loaded machine, and ends well within the 10 s grace.
        slow_proxy_start p "$REG_MAIN_ADDR" 250000
        registry_write_registries_conf "$TESTDIR/registries.conf" p
        start_pull_crio
        crioctl pull "$PROXY_P_ADDR/library/busybox:1" >"$TESTDIR/pull.out" 2>&1 &
        local cpid=$!
        slow_proxy_wait_bytes p 200000
        local t0 t1
        t0=$(date +%s%N)
        for i in 1 2 3 4 5 6 7 8 9 10; do crioctl -t 1s info >/dev/null; done
        t1=$(date +%s%N)
        echo "10 Status calls: $(((t1 - t0) / 1000000)) ms"
        [ $(((t1 - t0) / 1000000)) -lt 2000 ]
        kill -0 "$cpid"
        stop_crio TERM
        [ "$CRIO_STATUS" = 0 ]
        wait "$cpid"
        [ "$(cat "$TESTDIR/pull.out")" = "Image is up to date for $(img busybox id)" ]
}

@test "a client that gives up (its deadline passes) cancels its pull; nothing is left behind" {
        slow_proxy_start p "$REG_MAIN_ADDR" 200000
        registry_write_registries_conf "$TESTDIR/registries.conf" p
        start_pull_crio
        local before t0
        before=$(store_state)
        t0=$SECONDS
        run crioctl -t 2s pull "$PROXY_P_ADDR/library/busybox:1"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *DeadlineExceeded* || "$output" == *deadline* ]]
        # crio stops the transfer soon after, and keeps nothing
        local i
        for i in $(seq 1 50); do
                grep -q "pull cancelled\|canceled" "$TESTDIR/crio.log" && break
                sleep 0.1
        done
        grep -q "pull cancelled\|canceled" "$TESTDIR/crio.log"
        slow_proxy_wait_idle p 10
        [ $((SECONDS - t0)) -lt 10 ]
        [ "$(store_state)" = "$before" ]
        # and the same pull, given time, succeeds
        slow_proxy_rate p 0
        run crioctl pull "$PROXY_P_ADDR/library/busybox:1"
        [ "$status" -eq 0 ]
}

@test "a pull stalled past the shutdown grace is cancelled and leaves no image" {
        slow_proxy_start p "$REG_MAIN_ADDR" 0
        registry_write_registries_conf "$TESTDIR/registries.conf" p
        image_conf 'pull_progress_timeout = "0s"'
        start_pull_crio
        slow_proxy_stall_after p 300000
        crioctl pull "$PROXY_P_ADDR/library/busybox:1" >"$TESTDIR/pull.out" 2>&1 &
        local cpid=$!
        slow_proxy_wait_bytes p 250000
        local t0=$SECONDS
        stop_crio TERM
        echo "crio stopped in $((SECONDS - t0)) s with $CRIO_STATUS"
        [ $((SECONDS - t0)) -lt 20 ]
        local pst=0
        wait "$cpid" || pst=$?
        [ "$pst" -ne 0 ]
        slow_proxy_resume p
        start_pull_crio
        run crioctl images -q
        [ -z "$output" ]
        [ "$(ls "$TESTDIR/lib/storage/overlay" | grep -c staging)" = 0 ]
}
