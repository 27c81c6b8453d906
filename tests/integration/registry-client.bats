#!/usr/bin/env bats
# The registry client (src/image/registry.h) through build/tests/registry-get, against
# tests/lib/fake-registry.py on 127.0.0.1 serving OCI layouts from make-oci-images.py:
# manifests and blobs, token/basic/identity/registry-token auth, redirects, retries and
# resume, stalls and cancellation, size and digest checks, TLS with certs.d, the insecure
# http fallback. The registry's request log is how the tests see what the client sent.

load helpers

RG=$BUILD/tests/registry-get
FAKE=$REPO/tests/lib/fake-registry.py

# make_cert NAME CN EXT: a key and certificate signed by the test CA in $PKI.
make_cert() {
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$2" \
                -keyout "$PKI/$1.key" -out "$PKI/$1.csr" 2>/dev/null
        printf '%b' "$3" >"$PKI/$1.ext"
        openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "$RANDOM$RANDOM" \
                -days 2 -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2>/dev/null
}

setup_file() {
        export OCI_DIR PKI
        OCI_DIR=$(mktemp -d /tmp/crio-regoci.XXXXXX)
        "$PY" "$REPO/tests/lib/make-oci-images.py" "$OCI_DIR" >"$OCI_DIR/images.json"
        # a test CA, a server certificate for 127.0.0.1 and localhost, a client certificate
        PKI=$OCI_DIR/pki
        mkdir -p "$PKI"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
                -subj "/CN=crio test CA" -keyout "$PKI/ca.key" -out "$PKI/ca.crt" \
                -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
        make_cert server 127.0.0.1 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
        make_cert client crio-client 'extendedKeyUsage=clientAuth\n'
}

teardown_file() {
        rm -rf "$OCI_DIR"
}

setup() {
        unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
        TESTDIR=$(mktemp -d /tmp/crio-reg.XXXXXX)
        CERTS=$TESTDIR/certs.d
        mkdir -p "$CERTS"
        REG_PID=
}

teardown() {
        stop_registry
        [ -n "${TESTDIR:-}" ] && rm -rf "$TESTDIR"
}

# start_registry [--http] [FAKE-REGISTRY FLAGS...]: starts the fake registry (https with the
# test CA's certificate unless --http), sets PORT, SPORT (storage server) and HOST, and
# trusts the CA in certs.d/HOST.
start_registry() {
        local tls=(--tls-cert "$PKI/server.crt" --tls-key "$PKI/server.key")
        if [ "${1:-}" = --http ]; then
                tls=()
                shift
        fi
        "$PY" "$FAKE" --port-file "$TESTDIR/port" --log "$TESTDIR/requests.log" \
                --repo library/busybox="$OCI_DIR/busybox" --repo layered="$OCI_DIR/layered" "${tls[@]}" "$@" \
                </dev/null >"$TESTDIR/registry.out" 2>&1 &
        REG_PID=$!
        local i
        for i in $(seq 1 100); do
                [ -s "$TESTDIR/port" ] && break
                if ! kill -0 "$REG_PID" 2>/dev/null; then
                        cat "$TESTDIR/registry.out" >&2
                        return 1
                fi
                sleep 0.1
        done
        read -r PORT SPORT <"$TESTDIR/port"
        HOST=127.0.0.1:$PORT
        touch "$TESTDIR/requests.log"
        mkdir -p "$CERTS/$HOST"
        cp "$PKI/ca.crt" "$CERTS/$HOST/ca.crt"
}

stop_registry() {
        if [ -n "${REG_PID:-}" ]; then
                kill "$REG_PID" 2>/dev/null || true
                wait "$REG_PID" 2>/dev/null || true
                REG_PID=
        fi
}

rg() {
        "$RG" --certs-dir "$CERTS" "$@"
}

img() { # img NAME FIELD: a value from the generator's summary
        jq -r ".$1.$2" "$OCI_DIR/images.json"
}

# requests JQ-CONDITION: the logged requests matching it, one compact JSON object a line.
requests() {
        jq -c "select($1)" "$TESTDIR/requests.log"
}

count() {
        requests "$1" | wc -l
}

BLOB_SEL='.method == "GET" and (.path | test("/blobs/"))'

blob_args() { # the busybox layer: REPO DIGEST SIZE
        echo "library/busybox $(img busybox 'layer_digests[0]') $(img busybox 'layer_sizes[0]')"
}

check_blob() { # check_blob FILE: FILE is the busybox layer
        [ "$(stat -c %s "$1")" -eq "$(img busybox 'layer_sizes[0]')" ]
        [ "sha256:$(sha256sum "$1" | cut -d' ' -f1)" = "$(img busybox 'layer_digests[0]')" ]
}

# ---- manifests and blobs ----

@test "manifest by tag and by digest: Accept list, Content-Type, Docker-Content-Digest, body" {
        start_registry
        local digest; digest=$(img busybox manifest_digest)
        run rg manifest "$HOST" library/busybox 1 "$digest"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Content-Type: application/vnd.oci.image.manifest.v1+json" ]
        [ "${lines[1]}" = "Digest: $digest" ]
        # (bats drops blank lines from $lines)
        [ "${lines[2]}" = "$(cat "$OCI_DIR/busybox/blobs/sha256/${digest#sha256:}")" ]
        [ "${lines[3]}" = "Content-Type: application/vnd.oci.image.manifest.v1+json" ]
        [ "${lines[4]}" = "Digest: $digest" ]
        [ "${lines[5]}" = "${lines[2]}" ]
        [ "$(count '.path == "/v2/library/busybox/manifests/1"')" -eq 1 ]
        [ "$(count ".path == \"/v2/library/busybox/manifests/$digest\"")" -eq 1 ]
        local accept; accept=$(requests '.path == "/v2/library/busybox/manifests/1"' | jq -r .accept)
        for t in application/vnd.oci.image.index.v1+json application/vnd.docker.distribution.manifest.list.v2+json \
                application/vnd.oci.image.manifest.v1+json application/vnd.docker.distribution.manifest.v2+json; do
                [[ "$accept" == *"$t"* ]]
        done
        [ "$(requests '.path == "/v2/library/busybox/manifests/1"' | jq -r .user_agent)" = "crio/0.1.0" ]
}

@test "manifest by digest whose body does not match is EBADMSG; unknown tag, repository and blob are ENOENT" {
        start_registry --wrong-manifest
        local digest; digest=$(img busybox manifest_digest)
        run rg manifest "$HOST" library/busybox "$digest"
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/manifests/$digest: manifest digest is sha256:"*", expected $digest (EBADMSG)"* ]]
        run rg manifest "$HOST" library/busybox nope
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/manifests/nope: 404 manifest unknown (ENOENT)"* ]]
        run rg manifest "$HOST" library/other 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/other/manifests/1: 404 repository name not known to registry (ENOENT)"* ]]
        run rg blob "$HOST" library/busybox "sha256:$(printf '%064d' 0)" -1 "$TESTDIR/out"
        [ "$status" -eq 1 ]
        [[ "$output" == *": 404 blob unknown to registry (ENOENT)"* ]]
        # references that could leave the path are refused before any request
        run rg manifest "$HOST" library/busybox "../../x"
        [ "$status" -eq 1 ]
        [[ "$output" == *"invalid manifest reference"*"(EINVAL)"* ]]
        run rg manifest "$HOST" "library/../busybox" 1
        [[ "$output" == *"invalid repository name"*"(EINVAL)"* ]]
}

@test "blobs stream to a file and into memory with size and digest verified" {
        start_registry
        run rg blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        run rg --memory blob "$HOST" $(blob_args) "$TESTDIR/layer2"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer2"
        # size unchecked (-1): still digest-verified
        run rg blob "$HOST" library/busybox "$(img busybox 'layer_digests[0]')" -1 "$TESTDIR/layer3"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer3"
        [ "$(count "$BLOB_SEL")" -eq 3 ]
        [ "$(count "$BLOB_SEL and .range != null")" -eq 0 ]
}

@test "a reader that goes away is EPIPE, not a SIGPIPE" {
        start_registry
        local rc=0
        "$RG" --certs-dir "$CERTS" blob "$HOST" $(blob_args) /dev/stdout 2>"$TESTDIR/err" | head -c 100 >/dev/null ||
                true
        rc=${PIPESTATUS[0]}
        [ "$rc" -eq 1 ]
        [[ "$(cat "$TESTDIR/err")" == *"GET https://$HOST/v2/library/busybox/blobs/"*": writing the blob to its output: Broken pipe (EPIPE)"* ]]
}

# ---- authentication ----

@test "token auth: anonymous first, 401, token with basic credentials, then the Bearer token; cached per scope" {
        start_registry --auth token --creds alice:s3cret
        run rg --user alice:s3cret manifest "$HOST" library/busybox 1 "$(img busybox manifest_digest)"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Digest: $(img busybox manifest_digest)"* ]]
        local log; log=$(requests '.path != "/v2/"' | jq -r '[.path, .auth_scheme // "none"] | join(" ")')
        [ "$(echo "$log" | sed -n 1p)" = "/v2/library/busybox/manifests/1 none" ]
        [ "$(echo "$log" | sed -n 2p)" = "/token Basic" ]
        [ "$(echo "$log" | sed -n 3p)" = "/v2/library/busybox/manifests/1 Bearer" ]
        # the second manifest reuses the token: no 401, no second token request
        [ "$(echo "$log" | sed -n 4p)" = "/v2/library/busybox/manifests/$(img busybox manifest_digest) Bearer" ]
        [ "$(count '.path == "/token"')" -eq 1 ]
        [[ "$(requests '.path == "/token"' | jq -r .query)" == *"service=fake-registry"*"scope=repository%3Alibrary%2Fbusybox%3Apull"* ]]
        # the blob too, with the token of its scope
        run rg --user alice:s3cret blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
}

@test "token auth: wrong credentials are EACCES naming the registry; no credentials are refused access" {
        start_registry --auth token --creds alice:s3cret
        run rg --user alice:wrong manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"registry $HOST refused the credentials: GET https://$HOST/token?service=fake-registry&scope="*": 401 invalid username or password (EACCES)"* ]]
        [[ "$output" != *wrong* ]]
        [ "$(count '.path == "/token"')" -eq 1 ] # a refusal is not retried
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"registry $HOST: access denied (no credentials given): GET https://$HOST/v2/library/busybox/manifests/1: 401 authentication required (EACCES)"* ]]
}

@test "token auth: anonymous tokens for a public repository" {
        start_registry --auth token --anonymous
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 0 ]
        [ "$(requests '.path == "/token"' | jq -r .auth)" = false ]
        [ "$(count '.path == "/v2/library/busybox/manifests/1" and .auth_scheme == "Bearer"')" -eq 1 ]
}

@test "identity token: OAuth2 refresh-token POST to the realm; a wrong one is EACCES" {
        start_registry --auth token --refresh-token refresh-me
        run rg --identity-token refresh-me blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        local t; t=$(requests '.path == "/token"')
        [ "$(echo "$t" | jq -r .method)" = POST ]
        [ "$(echo "$t" | jq -r .grant_type)" = refresh_token ]
        [ "$(echo "$t" | jq -r .client_id)" = crio ]
        [ "$(echo "$t" | jq -r .service)" = fake-registry ]
        [ "$(echo "$t" | jq -r .scope)" = repository:library/busybox:pull ]
        [ "$(echo "$t" | jq -r .refresh_token_ok)" = true ]
        [ "$(echo "$t" | jq -r .query)" = "" ]
        [ "$(count "$BLOB_SEL and .auth_scheme == \"Bearer\"")" -eq 1 ]
        run rg --identity-token not-it manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"registry $HOST refused the credentials: POST https://$HOST/token: 400 refresh token not valid (EACCES)"* ]]
        [[ "$output" != *not-it* ]]
}

@test "registry token: sent as the Bearer token without a token request; a wrong one is EACCES" {
        start_registry --auth token --registry-token given-token
        run rg --registry-token given-token manifest "$HOST" library/busybox 1
        [ "$status" -eq 0 ]
        [ "$(count '.path == "/token"')" -eq 0 ]
        [ "$(count '.path == "/v2/library/busybox/manifests/1" and .auth_scheme == "Bearer"')" -eq 1 ]
        run rg --registry-token other-token manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"registry $HOST refused the credentials: GET https://$HOST/v2/library/busybox/manifests/1: 401 authentication required (EACCES)"* ]]
        [[ "$output" != *other-token* ]]
        [ "$(count '.path == "/token"')" -eq 0 ]
}

@test "basic auth: the credentials after a Basic challenge; wrong or missing ones are EACCES" {
        start_registry --auth basic --creds bob:pw
        run rg --user bob:pw manifest "$HOST" library/busybox 1 "$(img busybox manifest_digest)"
        [ "$status" -eq 0 ]
        [ "$(count '.auth_scheme == "Basic"')" -eq 2 ] # after one 401, sent upfront
        [ "$(count '.auth == false')" -eq 1 ]
        run rg --user bob:nope manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"registry $HOST refused the credentials: GET https://$HOST/v2/library/busybox/manifests/1: 401 authentication required (EACCES)"* ]]
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"basic authentication needs a username and password"*"(EACCES)"* ]]
}

# ---- redirects ----

@test "a blob redirected to another host gets no Authorization; a same-origin redirect keeps it" {
        start_registry --auth token --creds alice:s3cret --redirect-blobs other --redirect-host localhost
        run rg --user alice:s3cret blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        [ "$(count ".server == \"registry\" and $BLOB_SEL and .auth_scheme == \"Bearer\"")" -eq 1 ]
        [ "$(count '.server == "storage"')" -eq 1 ]
        [ "$(count '.server == "storage" and .auth == false')" -eq 1 ]
        stop_registry
        rm -f "$TESTDIR/port" "$TESTDIR/requests.log"

        start_registry --auth token --creds alice:s3cret --redirect-blobs same
        run rg --user alice:s3cret blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        [ "$(count '.path | startswith("/storage/")')" -eq 1 ]
        [ "$(count '(.path | startswith("/storage/")) and .auth_scheme == "Bearer"')" -eq 1 ]
}

@test "an error at the redirect target names both URLs without the target's query" {
        start_registry --redirect-blobs other --wrong-blob
        run rg blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/blobs/$(img busybox 'layer_digests[0]') (redirected to https://127.0.0.1:$SPORT/storage/library/busybox/blobs/$(img busybox 'layer_digests[0]')): blob digest is"*"(EBADMSG)"* ]]
        [[ "$output" != *sig=* ]]
}

# ---- retries and resume ----

@test "retries: two 500s on a blob and on a manifest are recovered; too few retries give up with the status" {
        start_registry --fail 2 --fail-mode 500
        run rg blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        [ "$(count "$BLOB_SEL")" -eq 3 ]
        stop_registry
        rm -f "$TESTDIR/port" "$TESTDIR/requests.log"

        start_registry --fail 2 --fail-mode 500 --fail-what manifests
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 0 ]
        [[ "$output" == *"Digest: $(img busybox manifest_digest)"* ]]
        [ "$(count '.path == "/v2/library/busybox/manifests/1"')" -eq 3 ]
        stop_registry
        rm -f "$TESTDIR/port" "$TESTDIR/requests.log"

        start_registry --fail 5 --fail-mode 500
        run rg --retries 1 blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/blobs/"*": 500 injected failure (after 1 retry) (EIO)"* ]]
        [ "$(count "$BLOB_SEL")" -eq 2 ]
}

@test "a connection reset mid-body resumes with Range (206), or skips what it has when the server answers 200" {
        local size; size=$(img busybox 'layer_sizes[0]')
        start_registry --fail 1 --fail-mode reset
        run rg blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        [ "$(count "$BLOB_SEL")" -eq 2 ]
        local range; range=$(requests "$BLOB_SEL" | sed -n 2p | jq -r .range)
        [[ "$range" =~ ^bytes=([0-9]+)-$ ]]
        [ "${BASH_REMATCH[1]}" -gt 0 ] && [ "${BASH_REMATCH[1]}" -lt "$size" ]
        [ "$(requests "$BLOB_SEL" | sed -n 1p | jq -r .range)" = null ]
        stop_registry
        rm -f "$TESTDIR/port" "$TESTDIR/requests.log"

        start_registry --fail 1 --fail-mode reset --no-range
        run rg --memory blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        [[ "$(requests "$BLOB_SEL" | sed -n 2p | jq -r .range)" =~ ^bytes=[1-9][0-9]*-$ ]]
}

# ---- stalls and cancellation ----

@test "a stall is ETIMEDOUT after stall-timeout, retried once only, within a few seconds" {
        start_registry --stall 100 --stall-seconds 60
        local t0=$SECONDS
        run rg --retries 5 --stall-timeout 2 blob "$HOST" $(blob_args) "$TESTDIR/layer"
        local took=$((SECONDS - t0))
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/blobs/"*": timed out: no data received for 2 seconds (after 1 retry) (ETIMEDOUT)"* ]]
        [ "$took" -ge 4 ] && [ "$took" -le 9 ]
        [ "$(count "$BLOB_SEL")" -eq 2 ]
        # the retry resumed from the bytes of the stalled transfer
        [[ "$(requests "$BLOB_SEL" | sed -n 2p | jq -r .range)" =~ ^bytes=[1-9][0-9]*-$ ]]
}

@test "one stall is recovered by a resumed retry" {
        start_registry --stall 1 --stall-seconds 60
        run rg --stall-timeout 2 blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        [ "$(count "$BLOB_SEL")" -eq 2 ]
}

@test "cancellation stops a stalled transfer with ECANCELED" {
        start_registry --stall 100 --stall-seconds 60
        local t0=$SECONDS
        run rg --stall-timeout 30 --cancel-after 1 blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *": canceled (ECANCELED)"* ]]
        [ $((SECONDS - t0)) -le 4 ]
}

# ---- sizes and digests ----

@test "a truncated blob, a wrong blob and a blob longer than its size are EBADMSG" {
        local digest size
        digest=$(img busybox 'layer_digests[0]')
        size=$(img busybox 'layer_sizes[0]')
        start_registry --truncate
        run rg blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/blobs/$digest: blob ended after $((size / 2)) of $size bytes (EBADMSG)"* ]]
        [ "$(count "$BLOB_SEL")" -eq 1 ]
        stop_registry
        rm -f "$TESTDIR/port" "$TESTDIR/requests.log"

        start_registry --wrong-blob
        run rg blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/blobs/$digest: blob digest is sha256:"*", expected $digest (EBADMSG)"* ]]
        run rg --no-verify blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ] # the caller hashes the stream itself
        stop_registry
        rm -f "$TESTDIR/port" "$TESTDIR/requests.log"

        # 64 MiB too many: refused from the Content-Length, nothing written
        start_registry --too-long 67108864
        run rg blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *"Content-Length $((size + 67108864)) is more than the expected size $size (EBADMSG)"* ]]
        [ "$(stat -c %s "$TESTDIR/layer")" -eq 0 ]
        stop_registry
        rm -f "$TESTDIR/port" "$TESTDIR/requests.log"

        # without a Content-Length: stopped as the bytes arrive, never more than the size written
        start_registry --too-long 67108864 --no-length
        local t0=$SECONDS
        run rg blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/blobs/$digest: more than the expected $size bytes (EBADMSG)"* ]]
        [ "$(stat -c %s "$TESTDIR/layer")" -le "$size" ]
        [ $((SECONDS - t0)) -le 3 ]
        run rg --memory blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *"more than the expected $size bytes (EBADMSG)"* ]]
}

@test "an oversized manifest or in-memory blob is EFBIG" {
        start_registry --big-manifest 5000000
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/manifests/1: Content-Length 5000000 is larger than the limit of 4194304 bytes (EFBIG)"* ]]
        run rg --max-size 1000 manifest "$HOST" library/busybox 1
        [[ "$output" == *"larger than the limit of 1000 bytes (EFBIG)"* ]]
        stop_registry
        rm -f "$TESTDIR/port" "$TESTDIR/requests.log"

        start_registry --big-manifest 5000000 --no-length
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/manifests/1: larger than the limit of 4194304 bytes (EFBIG)"* ]]
        run rg --memory --max-size 1000 blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *"larger than the limit of 1000 (EFBIG)"* ]]
        [ "$(count "$BLOB_SEL")" -eq 0 ] # refused from the expected size, before asking
        run rg --memory --max-size 1000 blob "$HOST" library/busybox "$(img busybox 'layer_digests[0]')" -1 "$TESTDIR/layer"
        [ "$status" -eq 1 ]
        [[ "$output" == *"larger than the limit of 1000 bytes (EFBIG)"* ]]
}

# ---- TLS ----

@test "TLS: without the CA in certs.d verification fails (not retried); insecure works without it" {
        start_registry
        rm -rf "${CERTS:?}/$HOST"
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/manifests/1: SSL certificate problem: unable to get local issuer certificate (EIO)"* ]]
        [ "$(count '.tls_error != null')" -eq 1 ]
        [ "$(count '.method != null')" -eq 0 ]
        run rg --insecure manifest "$HOST" library/busybox 1
        [ "$status" -eq 0 ]
        [ "$(count '.path == "/v2/library/busybox/manifests/1"')" -eq 1 ]
}

@test "TLS: a client certificate from <name>.cert/<name>.key in certs.d; without it the server refuses" {
        start_registry --client-ca "$PKI/ca.crt"
        run rg --retries 0 manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/manifests/1: "*"certificate required"*"(EIO)"* ]]
        [ "$(count '.method != null')" -eq 0 ]
        cp "$PKI/client.crt" "$CERTS/$HOST/client.cert"
        cp "$PKI/client.key" "$CERTS/$HOST/client.key"
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 0 ]
        [ "$(count '.path == "/v2/library/busybox/manifests/1"')" -eq 1 ]
        # a certificate without its key, or a key without its certificate, is a configuration error
        mv "$CERTS/$HOST/client.key" "$TESTDIR/client.key"
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"missing key client.key for client certificate $CERTS/$HOST/client.cert (EINVAL)"* ]]
        mv "$TESTDIR/client.key" "$CERTS/$HOST/client.key"
        rm "$CERTS/$HOST/client.cert"
        run rg manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"missing client certificate client.cert for key $CERTS/$HOST/client.key (EINVAL)"* ]]
}

@test "insecure falls back to plain http when https does not connect; a secure registry never does" {
        start_registry --http
        run rg --insecure manifest "$HOST" library/busybox 1
        [ "$status" -eq 0 ]
        [[ "$output" == *"Digest: $(img busybox manifest_digest)"* ]]
        run rg --insecure blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        [ "$(count '.path == "/v2/library/busybox/manifests/1"')" -eq 1 ]
        : >"$TESTDIR/requests.log"
        run rg --retries 0 manifest "$HOST" library/busybox 1
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/manifests/1: "*"(EIO)"* ]]
        [ "$(count '.method != null')" -eq 0 ]
}

@test "insecure with token auth over plain http" {
        start_registry --http --auth token --creds alice:s3cret
        run rg --insecure --user alice:s3cret blob "$HOST" $(blob_args) "$TESTDIR/layer"
        [ "$status" -eq 0 ]
        check_blob "$TESTDIR/layer"
        [ "$(count '.path == "/token" and .auth_scheme == "Basic"')" -eq 1 ]
}

# ---- plain GETs ----

@test "a plain GET of a URL uses the host's certs.d; 404 is ENOENT" {
        start_registry
        local digest; digest=$(img busybox 'layer_digests[0]')
        "$RG" --certs-dir "$CERTS" get "https://$HOST/v2/library/busybox/blobs/$digest" >"$TESTDIR/body"
        check_blob "$TESTDIR/body"
        run rg get "https://$HOST/v2/library/busybox/blobs/sha256:$(printf '%064d' 0)"
        [ "$status" -eq 1 ]
        [[ "$output" == *"GET https://$HOST/v2/library/busybox/blobs/sha256:"*": 404 blob unknown to registry (ENOENT)"* ]]
        run "$RG" --certs-dir "$TESTDIR/none" get "https://$HOST/v2/"
        [ "$status" -eq 1 ]
        [[ "$output" == *"SSL certificate problem"* ]]
}
