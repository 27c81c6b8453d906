#!/usr/bin/env bats
# PullImage of Docker schema 1 images: the busybox fixture converted by skopeo
# (`--format v2s1`, which signs it with an ephemeral key: a prettyjws manifest), served by
# tests/lib/fake-registry.py from the "dir:" directory. The image ID crio gives it must be
# the one containers/image gives it (skopeo copying the same directory into a store of its own).

load helpers
load pull

setup_file() {
        export OCI_DIR=$(mktemp -d /tmp/crio-pull-s1.XXXXXX)
        "$PY" "$REPO/tests/lib/make-oci-images.py" "$OCI_DIR" >"$OCI_DIR/images.json"
        skopeo copy -q --format v2s1 "oci:$OCI_DIR/busybox:1" "dir:$OCI_DIR/s1"
        # the same manifest for another architecture (a name of the same length: the JWS
        # payload bounds stay right)
        local other=arm64
        [ "$(uname -m)" = aarch64 ] && other=amd64
        cp -r "$OCI_DIR/s1" "$OCI_DIR/s1-other"
        sed -i "s/\"architecture\":\"[a-z0-9]*\",\"fsLayers\"/\"architecture\":\"$other\",\"fsLayers\"/" \
                "$OCI_DIR/s1-other/manifest.json"
        # a valid layer served under the busybox layer's digest
        cp -r "$OCI_DIR/s1" "$OCI_DIR/s1-wrong"
        local bb other_layer
        bb=$(jq -r '.busybox.layer_digests[0]' "$OCI_DIR/images.json")
        other_layer=$(jq -r '.layered.layer_digests[1]' "$OCI_DIR/images.json")
        cp "$OCI_DIR/layered/blobs/sha256/${other_layer#sha256:}" "$OCI_DIR/s1-wrong/${bb#sha256:}"
        # what containers/image makes of it: its image ID (a vfs store: nothing mounted)
        skopeo copy -q "dir:$OCI_DIR/s1" "containers-storage:[vfs@$OCI_DIR/ref-root+$OCI_DIR/ref-run]ref/s1:1"
        jq -r '.[0].id' "$OCI_DIR/ref-root/vfs-images/images.json" >"$OCI_DIR/ref-id"
}

teardown_file() {
        rm -rf "$OCI_DIR"
}

setup() {
        pull_setup
}

teardown() {
        stop_fake
        teardown_crio_env
}

@test "pull a signed schema 1 image: ID, config, repo digest, layers, podman" {
        start_fake "s1/busybox=dir:$OCI_DIR/s1"
        start_pull_crio
        local id
        id=$(cat "$OCI_DIR/ref-id")
        run crioctl pull "$FAKE/s1/busybox:1"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "Image is up to date for $id" ]

        # the ID is the sha256 of the synthesised config, stored as the image's config
        local img=$TESTDIR/lib/storage/overlay-images
        local key
        key="=$(printf '%s' "sha256:$id" | base64 -w0)"
        [ "$(sha256sum <"$img/$id/$key" | cut -d' ' -f1)" = "$id" ]
        jq -e --arg d "$(jq -r '.busybox.diff_ids[0]' "$OCI_DIR/images.json")" \
                '.rootfs.type == "layers" and .rootfs.diff_ids == [$d] and (.history | length) == 1' "$img/$id/$key"
        # the manifest stored is the one received
        cmp "$img/$id/manifest" "$OCI_DIR/s1/manifest.json"

        # tag and digest: the digest skopeo reports, from the registry and from the directory
        local digest
        digest=$(skopeo inspect --no-tags --tls-verify=false "docker://$FAKE/s1/busybox:1" | jq -r .Digest)
        [ "$digest" = "$(skopeo inspect "dir:$OCI_DIR/s1" | jq -r .Digest)" ]
        [ "$digest" != "sha256:$(sha256sum <"$OCI_DIR/s1/manifest.json" | cut -d' ' -f1)" ]
        run crioctl inspecti -o json "$FAKE/s1/busybox:1"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .status.id)" = "$id" ]
        [ "$(echo "$output" | jq -r '.status.repoTags[]')" = "$FAKE/s1/busybox:1" ]
        [ "$(echo "$output" | jq -r '.status.repoDigests[]')" = "$FAKE/s1/busybox@$digest" ]

        # the layer: recorded with its blob digest, its files in the diff directory
        local layers=$TESTDIR/lib/storage/overlay-layers/layers.json
        [ "$(jq -r '.[0]."compressed-diff-digest"' "$layers")" = "$(jq -r '.busybox.layer_digests[0]' "$OCI_DIR/images.json")" ]
        [ "$(jq -r '.[0]."diff-digest"' "$layers")" = "$(jq -r '.busybox.diff_ids[0]' "$OCI_DIR/images.json")" ]
        [ -x "$TESTDIR/lib/storage/overlay/$(jq -r '.[0].id' "$layers")/diff/bin/busybox" ]

        # podman reads the same store, with the original image's Cmd
        run podman_store images --format '{{.ID}} {{.Digest}}' --no-trunc
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"$id $digest"* ]]
        run podman_store image inspect --format '{{json .Config.Cmd}}' "$id"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "$(skopeo inspect --config "oci:$OCI_DIR/busybox:1" | jq -c .config.Cmd)" ]

        # a second pull is a no-op with the same answer
        run crioctl pull "$FAKE/s1/busybox:1"
        [ "$output" = "Image is up to date for $id" ]
        # by digest: the signed manifest's payload digest names it
        run crioctl pull "$FAKE/s1/busybox@$digest"
        echo "$output"
        [ "$output" = "Image is up to date for $id" ]
}

@test "a schema 1 image whose blob is wrong fails and leaves the store unchanged" {
        # another valid layer under the digest: extracted, then refused by its digest
        start_fake "s1/busybox=dir:$OCI_DIR/s1-wrong"
        start_pull_crio
        local before
        before=$(store_state)
        run crioctl pull "$FAKE/s1/busybox:1"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"$(jq -r '.busybox.layer_digests[0]' "$OCI_DIR/images.json")"* ]]
        [[ "$output" == *digest* ]]
        [ "$(store_state)" = "$before" ]
        kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
        rm -f "$TESTDIR/fake.port"
        # bytes that are not a layer at all
        start_fake "s1/busybox=dir:$OCI_DIR/s1" --wrong-blob
        run crioctl pull "$FAKE/s1/busybox:1"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *digest* || "$output" == *archive* ]]
        [ "$(store_state)" = "$before" ]
}

@test "a schema 1 image for another architecture is refused" {
        start_fake "s1/other=dir:$OCI_DIR/s1-other"
        start_pull_crio
        local before
        before=$(store_state)
        run crioctl pull "$FAKE/s1/other:1"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"schema 1 image for architecture"* ]]
        [ "$(store_state)" = "$before" ]
        # nothing fetched but the manifest
        ! grep -q '/blobs/' "$TESTDIR/fake.log"
}
