# A real registry for the pull tests: Debian's docker-registry (2.8) on 127.0.0.1, with TLS,
# client certificates, htpasswd or token auth on request, a token service
# (tests/lib/token-service.py) and a throttling TCP proxy (tests/lib/slow-proxy.py).
# Sourced after helpers.bash (`load helpers` then `load registry`); bench/pull sources it too.
#
#   registry_start NAME [--tls] [--client-ca] [--htpasswd] [--token]
#                       [--user NAME:PASSWORD[:ACTIONS[:REPO-GLOB]]]... [--token-header x5c|kid|both]
#                       [--token-expires SECONDS]
#   registry_push SRC DEST [skopeo copy args...]     e.g. registry_push oci:$OCI_DIR/busybox:1 $REG_MAIN_ADDR/busybox:1
#   registry_stop NAME
#   slow_proxy_start NAME TARGET-ADDR [BYTES-PER-SECOND]   (0 or none: unlimited)
#   slow_proxy_rate NAME BYTES-PER-SECOND | slow_proxy_stall NAME | slow_proxy_resume NAME
#   slow_proxy_stall_after NAME BYTES | slow_proxy_reset NAME | slow_proxy_stat NAME KEY
#   slow_proxy_bytes NAME | slow_proxy_wait_bytes NAME BYTES [SECONDS] | slow_proxy_wait_idle NAME
#   slow_proxy_stop NAME
#   registry_write_registries_conf FILE NAME...   [[registry]] entries for crio (insecure for plain http)
#   registry_write_auth_json FILE NAME [USER:PASSWORD | --identity-token TOKEN]
#   registry_skopeo_args NAME src|dest     skopeo's TLS flags for NAME, one a line
#   registry_pki                           the per-file PKI (registry_start calls it)
#   registry_teardown                      stops everything started in this shell (teardown,
#                                          teardown_file): call it before teardown_crio_env
#
# NAME is a short word; its variables are REG_<NAME>_* with NAME upper-cased ("main" ->
# REG_MAIN_*), exported so that tests see what setup_file started:
#   REG_<N>_PORT REG_<N>_ADDR (127.0.0.1:PORT) REG_<N>_URL (http[s]://ADDR) REG_<N>_PID
#   REG_<N>_DIR (config.yml, data/, registry.log) REG_<N>_CONFIG REG_<N>_LOG REG_<N>_TLS (0/1)
#   REG_<N>_CERT_DIR   (TLS) ca.crt [+ client.cert, client.key]: skopeo/podman --cert-dir;
#                      it is $REG_CERTS_D/ADDR, so REG_CERTS_D is crio's certs_dir
#   REG_<N>_USER REG_<N>_PASSWORD   (auth) the pull-only user: tester / secret
#   REG_<N>_PUSH_CREDS              (auth) pusher:pushpw, pull+push, used by registry_push
#   REG_<N>_TOKEN_PORT REG_<N>_TOKEN_PID REG_<N>_TOKEN_URL (the realm) REG_<N>_TOKEN_LOG
#   REG_<N>_SERVICE                 (token) the "service" of the challenge
#   REG_<N>_REFRESH_TOKEN           (token) an identity token of tester, valid from the start
# and per file (generated once per bats file, openssl CLI):
#   REG_PKI (dir) REG_CA (CA certificate) REG_CERTS_D (containers certs.d root)
#   REG_CLIENT_CERT REG_CLIENT_KEY (a client pair signed by the CA) REG_HTPASSWD
# A proxy's variables: PROXY_<N>_PORT PROXY_<N>_ADDR PROXY_<N>_PID PROXY_<N>_DIR
# PROXY_<N>_CTL (control file) PROXY_<N>_STATS PROXY_<N>_LOG PROXY_<N>_TLS, and for a proxy to
# a TLS registry PROXY_<N>_CERT_DIR (a certs.d entry under the proxy's address).
#
# Directories go under $REG_BASEDIR, else the test's $TESTDIR, else /tmp; the PKI under bats's
# $BATS_FILE_TMPDIR. Processes are ended by the PIDs recorded here, never by name; temporary
# directories are removed by registry_stop / slow_proxy_stop / registry_teardown. Servers
# listen on 127.0.0.1 only.

: "${PY:=/usr/bin/python3}"
: "${REPO:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
REG_DOCKER_REGISTRY=${REG_DOCKER_REGISTRY:-docker-registry}
REG_TOKEN_SERVICE="$REPO/tests/lib/token-service.py"
REG_SLOW_PROXY="$REPO/tests/lib/slow-proxy.py"
REG_DEFAULT_USERS=("tester:secret:pull" "pusher:pushpw:pull,push")
# what this shell started (not exported: a test's teardown ends only the test's own)
REG_STARTED=()
PROXY_STARTED=()
REG_OWN_PKI=

_reg_var() { # _reg_var PREFIX NAME FIELD: the variable name, e.g. REG_MAIN_PORT
        local n=${2^^}
        n=${n//[^A-Z0-9_]/_}
        printf '%s_%s_%s' "$1" "$n" "$3"
}

_reg_get() { # _reg_get PREFIX NAME FIELD: its value
        local v
        v=$(_reg_var "$1" "$2" "$3")
        printf '%s' "${!v:-}"
}

_reg_set() { # _reg_set PREFIX NAME FIELD VALUE: sets and exports
        local v
        v=$(_reg_var "$1" "$2" "$3")
        printf -v "$v" '%s' "$4"
        export "${v?}"
}

_reg_free_port() {
        "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _reg_kill PID: TERM, up to 5 s, then KILL; reaps it when it is our child.
_reg_kill() {
        local pid=$1
        [ -n "$pid" ] || return 0
        kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                # a zombie child of ours still answers kill -0: reap it
                if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then break; fi
                sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
}

# registry_pki: the test CA, a server certificate (SAN IP:127.0.0.1, DNS:localhost), a client
# pair and the token signer, made once per bats file.
registry_pki() {
        if [ -z "${REG_PKI:-}" ]; then
                if [ -n "${BATS_FILE_TMPDIR:-}" ]; then
                        REG_PKI=$BATS_FILE_TMPDIR/registry-pki
                else
                        REG_PKI=$(mktemp -d "${REG_BASEDIR:-/tmp}/crio-reg-pki.XXXXXX")
                        REG_OWN_PKI=$REG_PKI
                        rmdir "$REG_PKI"
                fi
        fi
        export REG_PKI REG_CA=$REG_PKI/ca.crt REG_CERTS_D=$REG_PKI/certs.d
        export REG_CLIENT_CERT=$REG_PKI/client.cert REG_CLIENT_KEY=$REG_PKI/client.key
        export REG_HTPASSWD=$REG_PKI/htpasswd
        [ -f "$REG_PKI/done" ] && return 0
        local t
        t=$(mktemp -d "${REG_PKI%/*}/pki-gen.XXXXXX")
        (
                set -e
                cd "$t"
                ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                # shellcheck disable=SC2086
                openssl req -x509 $ec -keyout ca.key -out ca.crt -days 7 -subj "/CN=crio test CA" \
                        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
                # shellcheck disable=SC2086
                openssl req -new $ec -keyout server.key -out server.csr -subj "/CN=localhost"
                printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth' \
                        'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' >server.ext
                openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 \
                        -extfile server.ext -out server.crt
                # shellcheck disable=SC2086
                openssl req -new $ec -keyout client.key -out client.csr -subj "/CN=crio-test-client"
                printf '%s\n' 'extendedKeyUsage=clientAuth' 'basicConstraints=critical,CA:FALSE' \
                        'keyUsage=critical,digitalSignature' >client.ext
                openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 \
                        -extfile client.ext -out client.cert
                # the token signer: self-signed RSA, the registry's rootcertbundle
                openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key -out token.crt -days 7 \
                        -subj "/CN=crio test token signer"
                rm -f ./*.csr ./*.ext ./*.srl
                chmod 600 ./*.key
                mkdir certs.d
                touch ./done
        ) >"$t/gen.log" 2>&1 || { cat "$t/gen.log" >&2; rm -rf "$t"; return 1; }
        mkdir -p "${REG_PKI%/*}"
        mv -T "$t" "$REG_PKI" 2>/dev/null || rm -rf "$t" # another shell won the race: theirs is as good
        [ -f "$REG_PKI/done" ]
}

# _reg_cert_entry ADDR CLIENT(0/1): a certs.d directory for ADDR (also under localhost:PORT).
_reg_cert_entry() {
        local addr=$1 client=$2 d
        for d in "$REG_CERTS_D/$addr" "$REG_CERTS_D/localhost:${addr##*:}"; do
                rm -rf "$d"
                mkdir -p "$d"
                cp "$REG_CA" "$d/ca.crt"
                if [ "$client" = 1 ]; then
                        cp "$REG_CLIENT_CERT" "$d/client.cert"
                        cp "$REG_CLIENT_KEY" "$d/client.key"
                fi
        done
}

# _reg_wait_http URL PID LOG [CURL ARGS...]: until URL answers any HTTP status (10 s).
_reg_wait_http() {
        local url=$1 pid=$2 log=$3 code
        shift 3
        for _ in $(seq 1 100); do
                if ! kill -0 "$pid" 2>/dev/null; then
                        return 2
                fi
                code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null) || true
                case "$code" in 2??|401|403|404) return 0 ;; esac
                sleep 0.1
        done
        echo "$url did not answer within 10s" >&2
        tail -n 20 "$log" >&2
        return 1
}

registry_start() {
        local name=${1:?registry_start NAME [options]}
        shift
        local tls=0 client=0 token=0 htp=0 header=x5c expires=300 users=()
        while [ $# -gt 0 ]; do
                case "$1" in
                --tls) tls=1 ;;
                --client-ca) tls=1 client=1 ;;
                --token) token=1 ;;
                --htpasswd) htp=1 ;;
                --user) users+=("$2"); shift ;;
                --token-header) header=$2; shift ;;
                --token-expires) expires=$2; shift ;;
                *) echo "registry_start: unknown option $1" >&2; return 2 ;;
                esac
                shift
        done
        if [ $token = 1 ] && [ $htp = 1 ]; then
                echo "registry_start: --token and --htpasswd exclude each other" >&2
                return 2
        fi
        [ -n "$(_reg_get REG "$name" PID)" ] && { echo "registry_start: $name is running" >&2; return 2; }
        registry_pki || return 1
        [ ${#users[@]} -gt 0 ] || users=("${REG_DEFAULT_USERS[@]}")

        local dir
        dir=$(mktemp -d "${REG_BASEDIR:-${TESTDIR:-/tmp}}/crio-reg-$name.XXXXXX")
        mkdir -p "$dir/data"
        local scheme=http
        [ $tls = 1 ] && scheme=https

        # auth: htpasswd (own file when users differ from the defaults) or token service
        local auth=""
        if [ $htp = 1 ]; then
                # bcrypt entries (what docker-registry accepts), from apache2-utils' htpasswd;
                # the default users' file is made once per bats file
                local hp=$REG_HTPASSWD u uname upw
                if [ "${users[*]}" != "${REG_DEFAULT_USERS[*]}" ]; then
                        hp=$dir/htpasswd
                fi
                if [ ! -s "$hp" ]; then
                        : >"$hp.tmp"
                        for u in "${users[@]}"; do
                                IFS=: read -r uname upw _ <<<"$u"
                                htpasswd -B -C 5 -b "$hp.tmp" "$uname" "$upw" 2>/dev/null ||
                                        { echo "registry_start: htpasswd failed (apt-get install apache2-utils)" >&2; rm -rf "$dir"; return 1; }
                        done
                        mv "$hp.tmp" "$hp"
                fi
                auth="auth:
  htpasswd:
    realm: crio-test-registry
    path: $hp"
        fi
        if [ $token = 1 ]; then
                local targs=() u refresh
                for u in "${users[@]}"; do targs+=(--user "$u"); done
                refresh="refresh-$name-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
                "$PY" "$REG_TOKEN_SERVICE" --key "$REG_PKI/token.key" --cert "$REG_PKI/token.crt" \
                        --port-file "$dir/token.port" --service crio-test-registry --issuer crio-test-token-service \
                        --header "$header" --expires-in "$expires" --log "$dir/token.log" \
                        --refresh-token "$refresh=${users[0]%%:*}" "${targs[@]}" \
                        </dev/null >"$dir/token.out" 2>&1 3>&- &
                local tpid=$!
                _reg_set REG "$name" TOKEN_PID "$tpid"
                REG_STARTED+=("$name")
                for _ in $(seq 1 100); do
                        [ -s "$dir/token.port" ] && break
                        kill -0 "$tpid" 2>/dev/null || break
                        sleep 0.05
                done
                if [ ! -s "$dir/token.port" ]; then
                        echo "token service did not start:" >&2
                        cat "$dir/token.out" >&2
                        registry_stop "$name"
                        return 1
                fi
                local tport
                tport=$(cat "$dir/token.port")
                _reg_set REG "$name" TOKEN_PORT "$tport"
                _reg_set REG "$name" TOKEN_URL "http://127.0.0.1:$tport/token"
                _reg_set REG "$name" TOKEN_LOG "$dir/token.log"
                _reg_set REG "$name" SERVICE crio-test-registry
                _reg_set REG "$name" REFRESH_TOKEN "$refresh"
                auth="auth:
  token:
    realm: http://127.0.0.1:$tport/token
    service: crio-test-registry
    issuer: crio-test-token-service
    rootcertbundle: $REG_PKI/token.crt"
        fi

        local port pid rc
        for _ in 1 2 3; do
                port=$(_reg_free_port)
                {
                        cat <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$port
  secret: crio-test-$name
  draintimeout: 1s
EOF
                        if [ $tls = 1 ]; then
                                printf '  tls:\n    certificate: %s\n    key: %s\n' "$REG_PKI/server.crt" "$REG_PKI/server.key"
                                [ $client = 1 ] && printf '    clientcas:\n      - %s\n' "$REG_CA"
                        fi
                        [ -n "$auth" ] && printf '%s\n' "$auth"
                } >"$dir/config.yml"
                "$REG_DOCKER_REGISTRY" serve "$dir/config.yml" </dev/null >>"$dir/registry.log" 2>&1 3>&- &
                pid=$!
                _reg_set REG "$name" PID "$pid"
                [[ " ${REG_STARTED[*]} " == *" $name "* ]] || REG_STARTED+=("$name")
                local wargs=(-k)
                [ $client = 1 ] && wargs+=(--cert "$REG_CLIENT_CERT" --key "$REG_CLIENT_KEY")
                rc=0
                _reg_wait_http "$scheme://127.0.0.1:$port/v2/" "$pid" "$dir/registry.log" "${wargs[@]}" || rc=$?
                [ $rc = 0 ] && break
                wait "$pid" 2>/dev/null || true
                _reg_set REG "$name" PID ""
                # exited: the port was taken meanwhile? try another one
                [ $rc = 2 ] && grep -q 'address already in use' "$dir/registry.log" && continue
                echo "docker-registry did not start:" >&2
                tail -n 20 "$dir/registry.log" >&2
                _reg_set REG "$name" DIR "$dir"
                registry_stop "$name"
                return 1
        done
        if [ -z "$(_reg_get REG "$name" PID)" ]; then
                echo "docker-registry: no free port after 3 tries" >&2
                _reg_set REG "$name" DIR "$dir"
                registry_stop "$name"
                return 1
        fi
        _reg_set REG "$name" PORT "$port"
        _reg_set REG "$name" ADDR "127.0.0.1:$port"
        _reg_set REG "$name" URL "$scheme://127.0.0.1:$port"
        _reg_set REG "$name" DIR "$dir"
        _reg_set REG "$name" CONFIG "$dir/config.yml"
        _reg_set REG "$name" LOG "$dir/registry.log"
        _reg_set REG "$name" TLS "$tls"
        if [ $tls = 1 ]; then
                _reg_cert_entry "127.0.0.1:$port" "$client"
                _reg_set REG "$name" CERT_DIR "$REG_CERTS_D/127.0.0.1:$port"
        else
                _reg_set REG "$name" CERT_DIR ""
        fi
        if [ $token = 1 ] || [ $htp = 1 ]; then
                # the pull user: the first; the pusher: the first whose actions include push
                local u uname upw uact pusher=
                IFS=: read -r uname upw _ <<<"${users[0]}"
                _reg_set REG "$name" USER "$uname"
                _reg_set REG "$name" PASSWORD "$upw"
                for u in "${users[@]}"; do
                        IFS=: read -r uname upw uact _ <<<"$u"
                        if [[ ",$uact," == *,push,* || ",$uact," == *,\*,* ]]; then
                                pusher=$uname:$upw
                                break
                        fi
                done
                # htpasswd knows no actions: any user may push
                [ -z "$pusher" ] && [ $htp = 1 ] && pusher=$(cut -d: -f1,2 <<<"${users[0]}")
                _reg_set REG "$name" PUSH_CREDS "$pusher"
        else
                _reg_set REG "$name" USER ""
                _reg_set REG "$name" PASSWORD ""
                _reg_set REG "$name" PUSH_CREDS ""
        fi
}

registry_stop() {
        local name=${1:?registry_stop NAME} f
        _reg_kill "$(_reg_get REG "$name" PID)"
        _reg_kill "$(_reg_get REG "$name" TOKEN_PID)"
        local port dir
        port=$(_reg_get REG "$name" PORT)
        dir=$(_reg_get REG "$name" DIR)
        if [ -n "$port" ] && [ -n "${REG_CERTS_D:-}" ]; then
                rm -rf "$REG_CERTS_D/127.0.0.1:$port" "$REG_CERTS_D/localhost:$port"
        fi
        [ -n "$dir" ] && rm -rf "$dir"
        for f in PID TOKEN_PID PORT ADDR URL DIR CONFIG LOG TLS CERT_DIR USER PASSWORD PUSH_CREDS \
                TOKEN_PORT TOKEN_URL TOKEN_LOG SERVICE REFRESH_TOKEN; do
                unset "$(_reg_var REG "$name" "$f")"
        done
        local keep=() n
        for n in "${REG_STARTED[@]}"; do [ "$n" = "$name" ] || keep+=("$n"); done
        REG_STARTED=("${keep[@]}")
}

# _reg_by_addr HOST:PORT: the name (upper case) of the registry serving it.
_reg_by_addr() {
        local want=${1/#localhost:/127.0.0.1:} v
        for v in $(compgen -v REG_); do
                case "$v" in
                REG_*_ADDR)
                        if [ "${!v}" = "$want" ]; then
                                v=${v#REG_}
                                printf '%s' "${v%_ADDR}"
                                return 0
                        fi
                        ;;
                esac
        done
        return 1
}

# registry_push SRC DEST [skopeo copy args...]: skopeo copy SRC (any skopeo transport, e.g.
# oci:DIR:TAG) to docker://DEST, DEST being ADDR/repo:tag of a registry started here;
# TLS material and the pusher's credentials are passed as that registry needs them.
registry_push() {
        local src=${1:?registry_push SRC DEST [skopeo args]} dest=${2:?registry_push SRC DEST [skopeo args]}
        shift 2
        dest=${dest#docker://}
        local n args=()
        n=$(_reg_by_addr "${dest%%/*}") || { echo "registry_push: no registry here serves ${dest%%/*}" >&2; return 2; }
        local cd=REG_${n}_CERT_DIR creds=REG_${n}_PUSH_CREDS
        if [ -n "${!cd:-}" ]; then
                args+=(--dest-cert-dir "${!cd}")
        else
                args+=(--dest-tls-verify=false)
        fi
        [ -n "${!creds:-}" ] && args+=(--dest-creds "${!creds}")
        skopeo copy -q "${args[@]}" "$@" "$src" "docker://$dest"
}

# registry_skopeo_args NAME src|dest: the skopeo flags for reading (src) or writing (dest)
# NAME's registry without credentials (TLS material or tls-verify=false), one a line.
registry_skopeo_args() {
        local name=$1 side=${2:-src} cd
        cd=$(_reg_get REG "$name" CERT_DIR)
        if [ -n "$cd" ]; then
                printf -- '--%s-cert-dir\n%s\n' "$side" "$cd"
        else
                printf -- '--%s-tls-verify=false\n' "$side"
        fi
}

# registry_write_registries_conf FILE NAME...: a registries.conf (v2) with one [[registry]]
# per named registry or proxy (its ADDR): insecure = true for plain http, false for TLS.
registry_write_registries_conf() {
        local file=${1:?registry_write_registries_conf FILE NAME...} name addr tls
        shift
        {
                echo 'unqualified-search-registries = []'
                for name in "$@"; do
                        addr=$(_reg_get REG "$name" ADDR)
                        tls=$(_reg_get REG "$name" TLS)
                        if [ -z "$addr" ]; then
                                addr=$(_reg_get PROXY "$name" ADDR)
                                tls=$(_reg_get PROXY "$name" TLS)
                        fi
                        [ -n "$addr" ] || { echo "registry_write_registries_conf: unknown $name" >&2; return 2; }
                        printf '\n[[registry]]\nlocation = "%s"\ninsecure = %s\n' "$addr" \
                                "$([ "$tls" = 1 ] && echo false || echo true)"
                done
        } >"$file"
}

# registry_write_auth_json FILE NAME [USER:PASSWORD | --identity-token TOKEN]: an auth.json
# (containers-auth.json) entry for NAME's ADDR (default: its pull user).
registry_write_auth_json() {
        local file=${1:?} name=${2:?} addr entry
        addr=$(_reg_get REG "$name" ADDR)
        [ -n "$addr" ] || addr=$(_reg_get PROXY "$name" ADDR)
        if [ "${3:-}" = --identity-token ]; then
                entry=$(jq -n --arg t "$4" '{auth: ("<token>:" | @base64), identitytoken: $t}')
        else
                local cred=${3:-$(_reg_get REG "$name" USER):$(_reg_get REG "$name" PASSWORD)}
                entry=$(jq -n --arg c "$cred" '{auth: ($c | @base64)}')
        fi
        if [ -s "$file" ]; then
                jq --arg a "$addr" --argjson e "$entry" '.auths[$a] = $e' "$file" >"$file.tmp" && mv "$file.tmp" "$file"
        else
                jq -n --arg a "$addr" --argjson e "$entry" '{auths: {($a): $e}}' >"$file"
        fi
}

# slow_proxy_start NAME TARGET-ADDR [BYTES-PER-SECOND]: a TCP proxy on 127.0.0.1 to TARGET
# (host:port) whose downloads are limited to the rate (0: unlimited); see slow-proxy.py.
slow_proxy_start() {
        local name=${1:?slow_proxy_start NAME TARGET [RATE]} target=${2:?slow_proxy_start NAME TARGET [RATE]} rate=${3:-0}
        [ -n "$(_reg_get PROXY "$name" PID)" ] && { echo "slow_proxy_start: $name is running" >&2; return 2; }
        local dir
        dir=$(mktemp -d "${REG_BASEDIR:-${TESTDIR:-/tmp}}/crio-proxy-$name.XXXXXX")
        echo "rate=$rate" >"$dir/control"
        "$PY" "$REG_SLOW_PROXY" --target "$target" --port-file "$dir/port" --control "$dir/control" \
                --stats "$dir/stats" --log "$dir/proxy.log" </dev/null >"$dir/proxy.out" 2>&1 3>&- &
        local pid=$!
        _reg_set PROXY "$name" PID "$pid"
        _reg_set PROXY "$name" DIR "$dir"
        PROXY_STARTED+=("$name")
        for _ in $(seq 1 100); do
                [ -s "$dir/port" ] && break
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.05
        done
        if [ ! -s "$dir/port" ]; then
                echo "slow-proxy did not start:" >&2
                cat "$dir/proxy.out" >&2
                slow_proxy_stop "$name"
                return 1
        fi
        local port n tls=0
        port=$(cat "$dir/port")
        _reg_set PROXY "$name" PORT "$port"
        _reg_set PROXY "$name" ADDR "127.0.0.1:$port"
        _reg_set PROXY "$name" CTL "$dir/control"
        _reg_set PROXY "$name" STATS "$dir/stats"
        _reg_set PROXY "$name" LOG "$dir/proxy.log"
        # through to a TLS registry: the same TLS material under the proxy's address
        if n=$(_reg_by_addr "$target"); then
                local cdv=REG_${n}_CERT_DIR
                if [ -n "${!cdv:-}" ]; then
                        tls=1
                        _reg_cert_entry "127.0.0.1:$port" "$([ -e "${!cdv}/client.cert" ] && echo 1 || echo 0)"
                        _reg_set PROXY "$name" CERT_DIR "$REG_CERTS_D/127.0.0.1:$port"
                fi
        fi
        _reg_set PROXY "$name" TLS "$tls"
}

_proxy_ctl() { # _proxy_ctl NAME key=value...: appended; the proxy applies the last of each key
        local ctl
        ctl=$(_reg_get PROXY "$1" CTL)
        [ -n "$ctl" ] || { echo "no proxy $1" >&2; return 2; }
        shift
        printf '%s\n' "$@" >>"$ctl"
}
slow_proxy_rate() { _proxy_ctl "$1" "rate=${2:?slow_proxy_rate NAME BYTES-PER-SECOND}"; }
slow_proxy_stall() { _proxy_ctl "$1" stall=1; }
# slow_proxy_stall_after NAME BYTES: stall once BYTES in all went to clients (since the start).
slow_proxy_stall_after() { _proxy_ctl "$1" "stall_after=${2:?slow_proxy_stall_after NAME BYTES}"; }
slow_proxy_resume() { _proxy_ctl "$1" stall_after=0 stall=0; }
# slow_proxy_reset NAME: closes every open connection abruptly (RST); new ones are accepted.
slow_proxy_reset() { _proxy_ctl "$1" reset=1; }

# slow_proxy_stat NAME KEY: bytes_down (to clients), bytes_up, connections, active, stalled.
slow_proxy_stat() {
        local stats
        stats=$(_reg_get PROXY "$1" STATS)
        awk -v k="$2" -F= '$1 == k { print $2 }' "$stats" 2>/dev/null | tail -n 1
}
slow_proxy_bytes() { slow_proxy_stat "$1" bytes_down; }

# slow_proxy_wait_bytes NAME BYTES [SECONDS]: until the proxy has sent BYTES to clients.
slow_proxy_wait_bytes() {
        local name=$1 want=$2 secs=${3:-30} n
        for _ in $(seq 1 $((secs * 20))); do
                n=$(slow_proxy_bytes "$name")
                [ "${n:-0}" -ge "$want" ] && return 0
                sleep 0.05
        done
        echo "proxy $name sent ${n:-0} bytes, not $want, within ${secs}s" >&2
        return 1
}

# slow_proxy_wait_idle NAME [SECONDS]: until no connection is open through the proxy.
slow_proxy_wait_idle() {
        local name=$1 secs=${2:-10}
        for _ in $(seq 1 $((secs * 20))); do
                [ "$(slow_proxy_stat "$name" active)" = 0 ] && return 0
                sleep 0.05
        done
        echo "proxy $name still has $(slow_proxy_stat "$name" active) connections after ${secs}s" >&2
        return 1
}

slow_proxy_stop() {
        local name=${1:?slow_proxy_stop NAME} f port dir
        _reg_kill "$(_reg_get PROXY "$name" PID)"
        port=$(_reg_get PROXY "$name" PORT)
        dir=$(_reg_get PROXY "$name" DIR)
        if [ -n "$port" ] && [ -n "${REG_CERTS_D:-}" ]; then
                rm -rf "$REG_CERTS_D/127.0.0.1:$port" "$REG_CERTS_D/localhost:$port"
        fi
        [ -n "$dir" ] && rm -rf "$dir"
        for f in PID DIR PORT ADDR CTL STATS LOG CERT_DIR TLS; do
                unset "$(_reg_var PROXY "$name" "$f")"
        done
        local keep=() n
        for n in "${PROXY_STARTED[@]}"; do [ "$n" = "$name" ] || keep+=("$n"); done
        PROXY_STARTED=("${keep[@]}")
}

# registry_teardown: stops every proxy, registry and token service this shell started, and
# removes the PKI when it is not bats's (outside bats).
registry_teardown() {
        local n
        for n in "${PROXY_STARTED[@]}"; do slow_proxy_stop "$n"; done
        for n in "${REG_STARTED[@]}"; do registry_stop "$n"; done
        if [ -n "$REG_OWN_PKI" ]; then
                rm -rf "$REG_OWN_PKI"
                REG_OWN_PKI=
                unset REG_PKI
        fi
        return 0
}
