#!/usr/bin/env bats
# The image RPCs on a real containers/storage store, filled by skopeo from OCI layouts that
# tests/lib/make-oci-images.py builds from busybox-static.

load helpers

setup_file() {
        export OCI_DIR=$(mktemp -d /tmp/crio-oci.XXXXXX)
        "$PY" "$REPO/tests/lib/make-oci-images.py" "$OCI_DIR" >"$OCI_DIR/images.json"
}

teardown_file() {
        rm -rf "$OCI_DIR"
}

setup() {
        setup_crio_env
        STORE="overlay@$TESTDIR/lib/storage+$TESTDIR/run/storage"
}

teardown() {
        teardown_crio_env
}

img() { # img NAME FIELD: a value from the generator's summary
        jq -r ".$1.$2" "$OCI_DIR/images.json"
}

copy_image() { # copy_image NAME [TARGET-NAME]
        skopeo copy -q "oci:$OCI_DIR/$1:1" "containers-storage:[$STORE]${2:-docker.io/library/$1:1}"
}

podman_store() {
        podman --root "$TESTDIR/lib/storage" --runroot "$TESTDIR/run/storage" --storage-driver overlay "$@"
}

@test "images copied by skopeo are listed with their tags, IDs, digests and sizes" {
        copy_image busybox
        copy_image layered
        copy_image sibling
        start_crio
        run crioctl images
        [ "$status" -eq 0 ]
        [[ "$output" == *"docker.io/library/busybox"*"1"*"$(img busybox id | cut -c1-13)"* ]]
        [[ "$output" == *"docker.io/library/layered"* ]]
        [[ "$output" == *"docker.io/library/sibling"* ]]
        run crioctl images -q
        [ "${#lines[@]}" -eq 3 ]
        run crioctl images -o json
        local j=$output
        for name in busybox layered sibling; do
                local id; id=$(img $name id)
                [ "$(echo "$j" | jq -r --arg id "$id" '.images[] | select(.id == $id) | .repoTags[0]')" = "docker.io/library/$name:1" ]
                [ "$(echo "$j" | jq -r --arg id "$id" '.images[] | select(.id == $id) | .repoDigests[0]')" = "docker.io/library/$name@$(img $name manifest_digest)" ]
                # the size podman reports for the same store
                [ "$(echo "$j" | jq -r --arg id "$id" '.images[] | select(.id == $id) | .size')" = "$(podman_store image inspect --format '{{.Size}}' "$id")" ]
        done
        run crioctl images --digests
        [[ "$output" == *"DIGEST"*"$(img layered manifest_digest | cut -c8-20)"* ]]
}

@test "ImageStatus finds an image by short name, full name, ID, ID prefix and digest" {
        copy_image busybox
        start_crio
        local id; id=$(img busybox id)
        for name in busybox:1 docker.io/library/busybox:1 "$id" "sha256:$id" "${id:0:12}" \
                "busybox@$(img busybox manifest_digest)"; do
                run cri_client call ImageService ImageStatus "{\"image\": {\"image\": \"$name\"}}"
                [ "$status" -eq 0 ]
                [ "$(echo "$output" | jq -r .image.id)" = "$id" ]
        done
        run crioctl inspecti busybox:1
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .info.info.imageSpec.rootfs.diff_ids[0])" = "$(img busybox diff_ids[0])" ]
}

@test "ImageStatus of an absent image is an empty answer; a malformed name is INVALID_ARGUMENT" {
        start_crio
        run cri_client call ImageService ImageStatus '{"image": {"image": "busybox:nope"}}'
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .image)" = "null" ]
        run cri_client call ImageService ImageStatus '{"image": {"image": "Busybox"}}'
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR INVALID_ARGUMENT:"*"repository name must be lowercase"* ]]
        run cri_client call ImageService ImageStatus '{"image": {"image": ""}}'
        [ "$status" -eq 3 ]
        [[ "$output" == "ERROR INVALID_ARGUMENT:"* ]]
}

@test "the user of an image comes from its config; pinned_images marks images" {
        copy_image busybox
        copy_image sibling
        start_crio --pinned-images 'docker.io/library/sib*'
        run cri_client call ImageService ImageStatus '{"image": {"image": "sibling:1"}}'
        [ "$(echo "$output" | jq -r .image.username)" = "app" ]
        [ "$(echo "$output" | jq -r .image.pinned)" = "true" ]
        run cri_client call ImageService ImageStatus '{"image": {"image": "busybox:1"}}'
        [ "$(echo "$output" | jq -r ".image.pinned // false")" = "false" ]
        [ "$(echo "$output" | jq -r .image.id)" = "$(img busybox id)" ]
}

@test "ListImages with a filter returns only that image" {
        copy_image busybox
        copy_image layered
        start_crio
        run cri_client call ImageService ListImages '{"filter": {"image": {"image": "layered:1"}}}'
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq '.images | length')" = "1" ]
        [ "$(echo "$output" | jq -r '.images[0].id')" = "$(img layered id)" ]
        run cri_client call ImageService ListImages '{"filter": {"image": {"image": "absent:1"}}}'
        [ "$(echo "$output" | jq '.images | length')" = "0" ]
}

@test "RemoveImage: one tag of several, by ID prefix, by digest; absent is success; shared layers stay" {
        copy_image busybox
        copy_image busybox docker.io/library/busybox:other
        copy_image layered
        copy_image sibling
        start_crio
        # a tag of two: only the tag goes
        run crioctl rmi busybox:other
        [ "$status" -eq 0 ]
        run cri_client call ImageService ImageStatus '{"image": {"image": "busybox:1"}}'
        [ "$(echo "$output" | jq -r '.image.repo_tags | length')" = "1" ]
        # by ID prefix
        run crioctl rmi "$(img busybox id | cut -c1-12)"
        [ "$status" -eq 0 ]
        [ "$(crioctl images -q | grep -c "$(img busybox id)")" = "0" ]
        # by digest
        run crioctl rmi "docker.io/library/sibling@$(img sibling manifest_digest)"
        [ "$status" -eq 0 ]
        # absent: success
        run cri_client call ImageService RemoveImage '{"image": {"image": "busybox:1"}}'
        [ "$status" -eq 0 ]
        # the shared base layer is still there for the remaining image, and podman agrees
        [ "$(crioctl images -q)" = "$(img layered id)" ]
        run podman_store images -q --no-trunc
        [ "$status" -eq 0 ]
        [[ "$output" == *"$(img layered id)"* ]]
        [[ "$output" != *"$(img busybox id)"* ]]
        run podman_store image mount "$(img layered id)"
        [ "$status" -eq 0 ]
        local mnt=$output
        [ -x "$mnt/bin/busybox" ]
        [ -f "$mnt/data/keep" ]
        [ ! -e "$mnt/data/gone" ]
        [ ! -e "$mnt/opq/a" ]
        [ -f "$mnt/opq/c" ]
        podman_store image unmount "$(img layered id)"
}

@test "ImageFsInfo reports bytes and inodes under the graph root" {
        copy_image busybox
        start_crio
        run crioctl imagefsinfo
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r '.status.imageFilesystems[0].fsId.mountpoint')" = "$TESTDIR/lib/storage/overlay-images" ]
        [ "$(echo "$output" | jq -r '.status.imageFilesystems[0].usedBytes.value')" -gt 2000000 ]
        [ "$(echo "$output" | jq -r '.status.imageFilesystems[0].inodesUsed.value')" -gt 20 ]
}

@test "RemoveImage refuses an image a container uses, and keeps it" {
        copy_image busybox
        "$BUILD/tests/store-tool" "$TESTDIR/lib/storage" "$TESTDIR/run/storage" create-container docker.io/library/busybox:1 ctr1
        start_crio
        run crioctl rmi busybox:1
        [ "$status" -eq 1 ]
        [[ "$output" == *"FailedPrecondition"*"is in use by a container"* ]]
        run crioctl images -q
        [ "$output" = "$(img busybox id)" ]
        # podman sees the container we recorded
        run podman_store ps -a --external --format '{{.Names}}'
        [[ "$output" == *ctr1* ]]
}

@test "a container root filesystem: overlay over the image's layers, whiteouts applied, overlay.mountopt honoured" {
        copy_image layered
        local st="$BUILD/tests/store-tool --opt=overlay.mountopt=nodev,noatime $TESTDIR/lib/storage $TESTDIR/run/storage"
        local id mnt
        id=$($st create-container docker.io/library/layered:1 ctr2)
        mnt=$($st mount "$id")
        grep -q " $mnt overlay .*nodev" /proc/mounts
        grep -q " $mnt overlay .*noatime" /proc/mounts
        [ -x "$mnt/bin/busybox" ]
        [ -f "$mnt/data/keep" ]
        [ ! -e "$mnt/data/gone" ]
        [ ! -e "$mnt/opq/a" ] && [ ! -e "$mnt/opq/b" ]
        [ "$(cat "$mnt/opq/c")" = "c" ]
        [ "$(stat -c %u:%g "$mnt/data/owned")" = "1000:1000" ]
        # writes land in the container's layer, not the image's
        echo new >"$mnt/data/new"
        $st unmount "$id"
        ! grep -q " $mnt " /proc/mounts
        run podman_store image mount "$(img layered id)"
        [ ! -e "$output/data/new" ]
        podman_store image unmount "$(img layered id)"
}
