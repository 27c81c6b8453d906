#!/usr/bin/env bats
# The registry test infrastructure itself (registry.bash, token-service.py, slow-proxy.py,
# the multi-platform images), proved with skopeo, podman and curl as the clients: what the
# PullImage tests will rely on when they point crio at these registries.

load helpers
load registry

setup_file() {
        export OCI_DIR=$(mktemp -d /tmp/crio-oci.XXXXXX)
        "$PY" "$REPO/tests/lib/make-oci-images.py" "$OCI_DIR" >"$OCI_DIR/images.json"
        # one plain registry for the whole file, filled once
        registry_start main
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_MAIN_ADDR/library/busybox:1"
        registry_push "oci:$OCI_DIR/multiarch:1" "$REG_MAIN_ADDR/multi/oci:1" --all
        registry_push "oci:$OCI_DIR/multiarch:1" "$REG_MAIN_ADDR/multi/docker:1" --all --format v2s2
}

teardown_file() {
        registry_teardown
        rm -rf "$OCI_DIR"
}

setup() {
        setup_crio_env
}

teardown() {
        registry_teardown
        teardown_crio_env
}

img() { # img NAME JQ-PATH: a value from the generator's summary
        jq -r ".$1.$2" "$OCI_DIR/images.json"
}

podman_t() {
        podman --root "$TESTDIR/podman/root" --runroot "$TESTDIR/podman/run" --tmpdir "$TESTDIR/podman/tmp" \
                --storage-driver overlay --events-backend none "$@"
}

# log_has FILE JQ-CONDITION: some line of a JSON-lines log satisfies it
log_has() {
        jq -s -e "any(.[]; $2)" "$1" >/dev/null
}

# jwt_claims TOKEN: the decoded payload
jwt_claims() {
        local p=${1#*.}
        p=${p%%.*}
        p=$(printf '%s' "$p" | tr '_-' '/+')
        while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
        printf '%s' "$p" | base64 -d
}

@test "plain registry: skopeo pushed in setup_file, inspects and copies back; podman pulls" {
        [ -n "$REG_MAIN_PID" ]
        kill -0 "$REG_MAIN_PID"
        [ "$REG_MAIN_ADDR" = "127.0.0.1:$REG_MAIN_PORT" ]
        [ "$REG_MAIN_URL" = "http://$REG_MAIN_ADDR" ]
        [ -z "$REG_MAIN_CERT_DIR" ]
        run curl -s "$REG_MAIN_URL/v2/_catalog"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -c '.repositories | sort')" = '["library/busybox","multi/docker","multi/oci"]' ]
        run skopeo inspect --tls-verify=false "docker://$REG_MAIN_ADDR/library/busybox:1"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .Digest)" = "$(img busybox manifest_digest)" ]
        [ "$(echo "$output" | jq -r '.Layers[0]')" = "$(img busybox 'layer_digests[0]')" ]
        # the same bytes come back
        skopeo copy -q --src-tls-verify=false "docker://$REG_MAIN_ADDR/library/busybox:1" "oci:$TESTDIR/back:1"
        [ "$(jq -r '.manifests[0].digest' "$TESTDIR/back/index.json")" = "$(img busybox manifest_digest)" ]
        # podman pulls it into a store of its own
        run podman_t pull -q --tls-verify=false "$REG_MAIN_ADDR/library/busybox:1"
        [ "$status" -eq 0 ]
        [ "${lines[-1]}" = "$(img busybox id)" ]
        # the registry's access log saw the blob GET
        grep -q "GET /v2/library/busybox/blobs/$(img busybox 'layer_digests[0]')" "$REG_MAIN_LOG"
}

@test "a registry started in a test is stopped by PID and its directory removed" {
        registry_start extra
        local pid=$REG_EXTRA_PID dir=$REG_EXTRA_DIR port=$REG_EXTRA_PORT
        [[ "$dir" == "$TESTDIR"/* ]]
        [ -f "$REG_EXTRA_CONFIG" ]
        grep -q "addr: 127.0.0.1:$port" "$REG_EXTRA_CONFIG"
        kill -0 "$pid"
        registry_stop extra
        run kill -0 "$pid"
        [ "$status" -ne 0 ]
        [ ! -e "$dir" ]
        [ -z "${REG_EXTRA_PID:-}" ]
        run curl -s --max-time 2 "http://127.0.0.1:$port/v2/"
        [ "$status" -ne 0 ]
        # the file's registry is untouched
        kill -0 "$REG_MAIN_PID"
}

@test "registries.conf written for a plain registry lets skopeo reach it without flags" {
        registry_write_registries_conf "$TESTDIR/registries.conf" main
        grep -q "location = \"$REG_MAIN_ADDR\"" "$TESTDIR/registries.conf"
        grep -q 'insecure = true' "$TESTDIR/registries.conf"
        run skopeo --registries-conf "$TESTDIR/registries.conf" inspect --raw "docker://$REG_MAIN_ADDR/library/busybox:1"
        [ "$status" -eq 0 ]
        # without it: https to a plain http registry fails
        run skopeo --registries-conf /dev/null inspect --raw "docker://$REG_MAIN_ADDR/library/busybox:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"server gave HTTP response to HTTPS client"* ]]
}

@test "TLS: trusted with the test CA (cert dir, curl --cacert, both SANs), refused without it" {
        registry_start tls --tls
        [ "$REG_TLS_URL" = "https://$REG_TLS_ADDR" ]
        [ -f "$REG_TLS_CERT_DIR/ca.crt" ]
        [ "$REG_TLS_CERT_DIR" = "$REG_CERTS_D/$REG_TLS_ADDR" ]
        [ -f "$REG_CERTS_D/localhost:$REG_TLS_PORT/ca.crt" ]
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_TLS_ADDR/busybox:1"
        run skopeo inspect --cert-dir "$REG_TLS_CERT_DIR" "docker://$REG_TLS_ADDR/busybox:1"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .Digest)" = "$(img busybox manifest_digest)" ]
        run skopeo inspect --cert-dir "$REG_CERTS_D/localhost:$REG_TLS_PORT" "docker://localhost:$REG_TLS_PORT/busybox:1"
        [ "$status" -eq 0 ]
        run curl -sf --cacert "$REG_CA" "https://localhost:$REG_TLS_PORT/v2/"
        [ "$status" -eq 0 ]
        # without the CA
        mkdir "$TESTDIR/empty"
        run skopeo inspect --cert-dir "$TESTDIR/empty" "docker://$REG_TLS_ADDR/busybox:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"x509: certificate signed by unknown authority"* ]]
        run curl -s "$REG_TLS_URL/v2/"
        [ "$status" -eq 60 ]
        # podman with the cert dir
        run podman_t pull -q --cert-dir "$REG_TLS_CERT_DIR" "$REG_TLS_ADDR/busybox:1"
        [ "$status" -eq 0 ]
        [ "${lines[-1]}" = "$(img busybox id)" ]
}

@test "client certificates: required by --client-ca, accepted when signed by the CA" {
        registry_start mtls --client-ca
        [ -f "$REG_MTLS_CERT_DIR/client.cert" ]
        [ -f "$REG_MTLS_CERT_DIR/client.key" ]
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_MTLS_ADDR/busybox:1"
        run skopeo inspect --cert-dir "$REG_MTLS_CERT_DIR" "docker://$REG_MTLS_ADDR/busybox:1"
        [ "$status" -eq 0 ]
        # the CA alone is not enough
        mkdir "$TESTDIR/ca-only"
        cp "$REG_CA" "$TESTDIR/ca-only/ca.crt"
        run skopeo inspect --cert-dir "$TESTDIR/ca-only" "docker://$REG_MTLS_ADDR/busybox:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"certificate required"* || "$output" == *"bad certificate"* ]]
        run curl -s --cacert "$REG_CA" "$REG_MTLS_URL/v2/"
        [ "$status" -ne 0 ]
        run curl -sf --cacert "$REG_CA" --cert "$REG_CLIENT_CERT" --key "$REG_CLIENT_KEY" "$REG_MTLS_URL/v2/"
        [ "$status" -eq 0 ]
        # a client certificate from another CA is refused
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=stranger \
                -keyout "$TESTDIR/stranger.key" -out "$TESTDIR/stranger.crt" 2>/dev/null
        run curl -s --cacert "$REG_CA" --cert "$TESTDIR/stranger.crt" --key "$TESTDIR/stranger.key" "$REG_MTLS_URL/v2/"
        [ "$status" -ne 0 ]
}

@test "htpasswd: right credentials pull, wrong or none are refused" {
        registry_start basic --htpasswd
        [ "$REG_BASIC_USER" = tester ]
        [ "$REG_BASIC_PASSWORD" = secret ]
        [ "$REG_BASIC_PUSH_CREDS" = pusher:pushpw ]
        grep -q '^tester:\$2y\$' "$REG_HTPASSWD"
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_BASIC_ADDR/busybox:1"
        run skopeo inspect --tls-verify=false --creds "$REG_BASIC_USER:$REG_BASIC_PASSWORD" "docker://$REG_BASIC_ADDR/busybox:1"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .Digest)" = "$(img busybox manifest_digest)" ]
        run skopeo inspect --tls-verify=false --creds tester:wrong "docker://$REG_BASIC_ADDR/busybox:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* ]]
        run skopeo inspect --tls-verify=false --no-creds "docker://$REG_BASIC_ADDR/busybox:1"
        [ "$status" -ne 0 ]
        run curl -s -o /dev/null -w '%{http_code} %header{www-authenticate}' "$REG_BASIC_URL/v2/"
        [ "$output" = '401 Basic realm="crio-test-registry"' ]
        # an auth.json written by the helper works as skopeo's --authfile
        registry_write_auth_json "$TESTDIR/auth.json" basic
        [ "$(jq -r ".auths[\"$REG_BASIC_ADDR\"].auth" "$TESTDIR/auth.json" | base64 -d)" = tester:secret ]
        run skopeo inspect --tls-verify=false --authfile "$TESTDIR/auth.json" "docker://$REG_BASIC_ADDR/busybox:1"
        [ "$status" -eq 0 ]
        # podman too
        run podman_t pull -q --tls-verify=false --creds tester:secret "$REG_BASIC_ADDR/busybox:1"
        [ "$status" -eq 0 ]
}

@test "token auth: right credentials pull, wrong fail, anonymous is denied; pull-only users cannot push" {
        registry_start tok --token
        [ -n "$REG_TOK_TOKEN_PID" ]
        kill -0 "$REG_TOK_TOKEN_PID"
        [ "$REG_TOK_TOKEN_URL" = "http://127.0.0.1:$REG_TOK_TOKEN_PORT/token" ]
        run curl -s -o /dev/null -w '%{http_code} %header{www-authenticate}' "$REG_TOK_URL/v2/"
        [ "$output" = "401 Bearer realm=\"$REG_TOK_TOKEN_URL\",service=\"$REG_TOK_SERVICE\"" ]
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_TOK_ADDR/lib/busybox:1"
        run skopeo inspect --tls-verify=false --creds tester:secret "docker://$REG_TOK_ADDR/lib/busybox:1"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .Digest)" = "$(img busybox manifest_digest)" ]
        run skopeo inspect --tls-verify=false --creds tester:wrong "docker://$REG_TOK_ADDR/lib/busybox:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"401"* || "$output" == *"unauthorized"* ]]
        run skopeo inspect --tls-verify=false --no-creds "docker://$REG_TOK_ADDR/lib/busybox:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* || "$output" == *"denied"* ]]
        run skopeo copy -q --dest-tls-verify=false --dest-creds tester:secret "oci:$OCI_DIR/sibling:1" "docker://$REG_TOK_ADDR/lib/sibling:1"
        [ "$status" -ne 0 ]
        # the token service logged each kind of request
        log_has "$REG_TOK_TOKEN_LOG" '.user == "tester" and .status == 200 and .access[0].actions == ["pull"]'
        log_has "$REG_TOK_TOKEN_LOG" '.user == "tester" and .status == 401'
        log_has "$REG_TOK_TOKEN_LOG" '.user == null and .status == 200 and .access == []'
        log_has "$REG_TOK_TOKEN_LOG" '.user == "pusher" and (.access[0].actions | index("push"))'
        # podman too
        run podman_t pull -q --tls-verify=false --creds tester:secret "$REG_TOK_ADDR/lib/busybox:1"
        [ "$status" -eq 0 ]
        [ "${lines[-1]}" = "$(img busybox id)" ]
}

@test "token service: JWT claims, scope grants, the OAuth2 POST form and refresh (identity) tokens" {
        registry_start tok --token
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_TOK_ADDR/lib/busybox:1"
        local t
        t=$(curl -sf -u tester:secret "$REG_TOK_TOKEN_URL?service=$REG_TOK_SERVICE&scope=repository:lib/busybox:pull,push" | jq -r .token)
        run jwt_claims "$t"
        echo "$output"
        [ "$(echo "$output" | jq -r .iss)" = crio-test-token-service ]
        [ "$(echo "$output" | jq -r .aud)" = "$REG_TOK_SERVICE" ]
        [ "$(echo "$output" | jq -r .sub)" = tester ]
        [ "$(echo "$output" | jq -c .access)" = '[{"type":"repository","name":"lib/busybox","actions":["pull"]}]' ]
        [ "$(echo "$output" | jq '.exp - .iat')" = 300 ]
        [ "$(echo "$t" | cut -d. -f1 | tr '_-' '/+' | base64 -d 2>/dev/null | jq -r '.alg + " " + (.x5c | length | tostring)')" = "RS256 1" ]
        # the token opens the registry
        [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" \
                -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$REG_TOK_URL/v2/lib/busybox/manifests/1")" = 200 ]
        [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
                "$REG_TOK_URL/v2/lib/busybox/manifests/1")" = 401 ]
        # OAuth2: password grant with access_type=offline gives a refresh token ...
        run curl -sf -d grant_type=password -d username=tester -d password=secret -d service="$REG_TOK_SERVICE" \
                -d scope=repository:lib/busybox:pull -d client_id=test -d access_type=offline "$REG_TOK_TOKEN_URL"
        [ "$status" -eq 0 ]
        local rt
        rt=$(echo "$output" | jq -r .refresh_token)
        [ -n "$rt" ]
        [ "$rt" != null ]
        [ "$(echo "$output" | jq -r .access_token | cut -d. -f2 | wc -c)" -gt 10 ]
        # ... that a refresh_token grant accepts, and a wrong password is 401
        run curl -sf -d grant_type=refresh_token -d refresh_token="$rt" -d service="$REG_TOK_SERVICE" \
                -d scope=repository:lib/busybox:pull -d client_id=test "$REG_TOK_TOKEN_URL"
        [ "$status" -eq 0 ]
        [ "$(jwt_claims "$(echo "$output" | jq -r .access_token)" | jq -r .sub)" = tester ]
        run curl -s -o /dev/null -w '%{http_code}' -d grant_type=password -d username=tester -d password=nope "$REG_TOK_TOKEN_URL"
        [ "$output" = 401 ]
        run curl -s -o /dev/null -w '%{http_code}' -d grant_type=refresh_token -d refresh_token=bogus "$REG_TOK_TOKEN_URL"
        [ "$output" = 401 ]
        # skopeo with an identity token in auth.json (it uses the refresh_token grant): the
        # preset one and the one just issued
        registry_write_auth_json "$TESTDIR/auth.json" tok --identity-token "$REG_TOK_REFRESH_TOKEN"
        run skopeo inspect --tls-verify=false --authfile "$TESTDIR/auth.json" "docker://$REG_TOK_ADDR/lib/busybox:1"
        [ "$status" -eq 0 ]
        log_has "$REG_TOK_TOKEN_LOG" '.grant_type == "refresh_token" and .user == "tester" and .status == 200'
        registry_write_auth_json "$TESTDIR/auth2.json" tok --identity-token "$rt"
        run skopeo inspect --tls-verify=false --authfile "$TESTDIR/auth2.json" "docker://$REG_TOK_ADDR/lib/busybox:1"
        [ "$status" -eq 0 ]
        registry_write_auth_json "$TESTDIR/auth3.json" tok --identity-token bogus
        run skopeo inspect --tls-verify=false --authfile "$TESTDIR/auth3.json" "docker://$REG_TOK_ADDR/lib/busybox:1"
        [ "$status" -ne 0 ]
}

@test "token auth variants: the kid header (libtrust key ID), per-user repository globs, TLS registry" {
        registry_start tk --token --tls --token-header kid \
                --user 'alice:pw1:pull:team/*' --user 'pusher:pushpw:pull,push'
        [ "$REG_TK_USER" = alice ]
        [ "$REG_TK_PUSH_CREDS" = pusher:pushpw ]
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_TK_ADDR/team/busybox:1"
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_TK_ADDR/other/busybox:1"
        local t
        t=$(curl -sf -u alice:pw1 "$REG_TK_TOKEN_URL?service=$REG_TK_SERVICE&scope=repository:team/busybox:pull" | jq -r .token)
        [ "$(echo "$t" | cut -d. -f1 | tr '_-' '/+' | base64 -d 2>/dev/null | jq -r '.kid | test("^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$")')" = true ]
        run skopeo inspect --cert-dir "$REG_TK_CERT_DIR" --creds alice:pw1 "docker://$REG_TK_ADDR/team/busybox:1"
        [ "$status" -eq 0 ]
        run skopeo inspect --cert-dir "$REG_TK_CERT_DIR" --creds alice:pw1 "docker://$REG_TK_ADDR/other/busybox:1"
        [ "$status" -ne 0 ]
}

@test "multi-platform: the OCI index holds 3 manifests, the Docker list too; each platform has its /platform" {
        run skopeo inspect --tls-verify=false --raw "docker://$REG_MAIN_ADDR/multi/oci:1"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .mediaType)" = application/vnd.oci.image.index.v1+json ]
        [ "$(echo "$output" | jq '.manifests | length')" = 3 ]
        [ "$(echo "$output" | jq -c '[.manifests[].platform | [.os, .architecture, .variant // ""] | join("/")]')" = \
                '["linux/amd64/","linux/arm64/v8","linux/arm/v7"]' ]
        run skopeo inspect --tls-verify=false --raw "docker://$REG_MAIN_ADDR/multi/docker:1"
        [ "$(echo "$output" | jq -r .mediaType)" = application/vnd.docker.distribution.manifest.list.v2+json ]
        [ "$(echo "$output" | jq '.manifests | length')" = 3 ]
        [ "$(echo "$output" | jq -r '[.manifests[].mediaType] | unique[]')" = application/vnd.docker.distribution.manifest.v2+json ]
        # the OCI index arrives byte for byte
        [ "$(curl -s -H 'Accept: application/vnd.oci.image.index.v1+json' "$REG_MAIN_URL/v2/multi/oci/manifests/1" | sha256sum | cut -c1-64)" = \
                "$(img multiarch index_digest | cut -c8-)" ]
        local plat arch variant layer
        for plat in linux/amd64 linux/arm64/v8 linux/arm/v7; do
                IFS=/ read -r _ arch variant <<<"$plat"
                # skopeo picks the platform's manifest from the index
                skopeo copy -q --src-tls-verify=false --override-arch "$arch" ${variant:+--override-variant "$variant"} \
                        "docker://$REG_MAIN_ADDR/multi/oci:1" "oci:$TESTDIR/$arch:1"
                [ "$(jq -r '.manifests[0].digest' "$TESTDIR/$arch/index.json")" = \
                        "$(img multiarch "manifests[\"$plat\"].manifest_digest")" ]
                layer=$(img multiarch "manifests[\"$plat\"].layer_digests[1]")
                [ "$(tar -xzOf "$TESTDIR/$arch/blobs/sha256/${layer#sha256:}" platform)" = "$plat" ]
                [ "$(curl -sf "$REG_MAIN_URL/v2/multi/oci/blobs/$layer" | tar -xzO platform)" = "$plat" ]
        done
        # podman picks by --arch/--variant from the Docker list
        run podman_t pull -q --tls-verify=false --arch arm64 --variant v8 "$REG_MAIN_ADDR/multi/docker:1"
        [ "$status" -eq 0 ]
        [ "$(podman_t image inspect --format '{{.Architecture}}' "${lines[-1]}")" = arm64 ]
}

@test "slow-proxy: a blob through it takes at least size/rate; skopeo pulls through it" {
        local size rate layer
        layer=$(img busybox 'layer_digests[0]')
        size=$(img busybox 'layer_sizes[0]')
        rate=$((size / 2 + 1))
        slow_proxy_start slow "$REG_MAIN_ADDR" "$rate"
        [ "$PROXY_SLOW_ADDR" = "127.0.0.1:$PROXY_SLOW_PORT" ]
        local t0 t1
        t0=$(date +%s%N)
        run curl -sf -o "$TESTDIR/blob" "http://$PROXY_SLOW_ADDR/v2/library/busybox/blobs/$layer"
        t1=$(date +%s%N)
        [ "$status" -eq 0 ]
        [ "sha256:$(sha256sum <"$TESTDIR/blob" | cut -c1-64)" = "$layer" ]
        echo "took $(((t1 - t0) / 1000000)) ms for $size bytes at $rate B/s"
        [ $(((t1 - t0) / 1000000)) -ge 1800 ]
        [ $(((t1 - t0) / 1000000)) -lt 6000 ]
        [ "$(slow_proxy_bytes slow)" -ge "$size" ]
        # unlimited again: fast
        slow_proxy_rate slow 0
        sleep 0.1
        t0=$(date +%s%N)
        curl -sf -o /dev/null "http://$PROXY_SLOW_ADDR/v2/library/busybox/blobs/$layer"
        t1=$(date +%s%N)
        [ $(((t1 - t0) / 1000000)) -lt 1000 ]
        # a whole image through the proxy
        run skopeo copy -q --src-tls-verify=false "docker://$PROXY_SLOW_ADDR/library/busybox:1" "oci:$TESTDIR/via:1"
        [ "$status" -eq 0 ]
        [ "$(slow_proxy_stat slow connections)" -ge 3 ]
}

@test "slow-proxy: stall_after holds a download mid-blob until resumed; stall trips a client's stall timeout; reset cuts" {
        local size layer
        layer=$(img busybox 'layer_digests[0]')
        size=$(img busybox 'layer_sizes[0]')
        slow_proxy_start st "$REG_MAIN_ADDR"
        slow_proxy_stall_after st 200000
        curl -sf -o "$TESTDIR/blob" "http://$PROXY_ST_ADDR/v2/library/busybox/blobs/$layer" 3>&- &
        local cpid=$!
        slow_proxy_wait_bytes st 200000 10
        sleep 1
        # held: exactly the bytes allowed went out, the client still waits
        [ "$(slow_proxy_bytes st)" = 200000 ]
        [ "$(slow_proxy_stat st stalled)" = 1 ]
        kill -0 "$cpid"
        slow_proxy_resume st
        wait "$cpid"
        [ "sha256:$(sha256sum <"$TESTDIR/blob" | cut -c1-64)" = "$layer" ]
        [ "$(slow_proxy_stat st stalled)" = 0 ]
        # a stall trips curl's low-speed limit (no byte for 2 s: exit 28)
        slow_proxy_stall st
        run curl -s -o /dev/null --speed-limit 1 --speed-time 2 "http://$PROXY_ST_ADDR/v2/library/busybox/blobs/$layer"
        [ "$status" -eq 28 ]
        slow_proxy_resume st
        slow_proxy_wait_idle st
        # reset: an open, slow download is cut (curl: 56 recv failure or 18 partial)
        slow_proxy_rate st 100000
        curl -s -o /dev/null "http://$PROXY_ST_ADDR/v2/library/busybox/blobs/$layer" 3>&- &
        cpid=$!
        sleep 0.5
        slow_proxy_reset st
        local rc=0
        wait "$cpid" || rc=$?
        echo "curl: $rc"
        [ "$rc" -eq 56 ] || [ "$rc" -eq 18 ]
        # and the proxy serves new connections afterwards
        slow_proxy_rate st 0
        curl -sf -o /dev/null "http://$PROXY_ST_ADDR/v2/"
}

@test "slow-proxy in front of a TLS registry gets the registry's TLS material" {
        registry_start tls --tls
        registry_push "oci:$OCI_DIR/busybox:1" "$REG_TLS_ADDR/busybox:1"
        slow_proxy_start tp "$REG_TLS_ADDR"
        [ "$PROXY_TP_TLS" = 1 ]
        [ -f "$REG_CERTS_D/$PROXY_TP_ADDR/ca.crt" ]
        run skopeo inspect --cert-dir "$PROXY_TP_CERT_DIR" "docker://$PROXY_TP_ADDR/busybox:1"
        [ "$status" -eq 0 ]
        registry_write_registries_conf "$TESTDIR/registries.conf" tls tp
        [ "$(grep -c 'insecure = false' "$TESTDIR/registries.conf")" = 2 ]
        local pid=$PROXY_TP_PID dir=$PROXY_TP_DIR
        slow_proxy_stop tp
        run kill -0 "$pid"
        [ "$status" -ne 0 ]
        [ ! -e "$dir" ]
        [ ! -e "$REG_CERTS_D/127.0.0.1:${PROXY_TP_PORT:-x}" ]
}
