#!/usr/bin/python3
"""A registry (OCI distribution API, pull side) on 127.0.0.1 for the registry client's tests.

    fake-registry.py --port-file F --log F --repo NAME=LAYOUT [--repo ...] [behaviours]

Serves GET /v2/, /v2/<name>/manifests/<tag|digest> and /v2/<name>/blobs/<digest> from OCI
image layouts (tests/lib/make-oci-images.py builds them; a tag is an index.json entry's
org.opencontainers.image.ref.name). A LAYOUT written "dir:PATH" is a skopeo "dir:" directory
(manifest.json, blobs named by their hex digest): its manifest answers every tag and its
digest, a schema 1 one with its schema 1 Content-Type (the digest of a signed one being that
of its JWS payload, as registries give it). Two servers are started: the registry and a "storage"
server on another port, the target of --redirect-blobs other. Both ports are written as
"PORT STORAGE_PORT" to the port file once listening. Every request is logged as one JSON
line: server, method, path, query, auth (Authorization present), auth_scheme, range,
accept, and for POST /token the form's grant_type, client_id, service, scope and whether
the refresh token was right.

Behaviours:
  --auth none|token|basic   token: Bearer challenge, its own /token (GET with Basic or
                            anonymous; POST grant_type=refresh_token); basic: Basic challenge
  --creds USER:PASS         the accepted username and password
  --refresh-token T         the accepted OAuth2 refresh token
  --registry-token T        a bearer token the registry accepts as is
  --anonymous               anonymous tokens may pull (else the registry refuses them)
  --redirect-blobs same|other  blob GETs answered 307 to /storage/... (with a "sig" query) on
                            this server (auth still required) or on the storage server
  --redirect-host H         host name in the redirect to the storage server (127.0.0.1)
  --fail N --fail-mode 500|reset [--fail-what blobs|manifests]
                            the first N GETs fail: a 500, or a reset after half the body
  --no-range                ignore Range: answer 200 with the whole blob
  --stall N [--stall-seconds S]  the first N blob GETs send headers and part of the body,
                            then nothing for S seconds (60)
  --truncate                blobs: half the body, with a matching Content-Length
  --wrong-blob              blobs: the right size, other bytes
  --too-long BYTES          blobs: BYTES more than the blob (Content-Length included)
  --no-length               blobs and manifests: no Content-Length, the body ends at close
  --big-manifest BYTES      manifests: padded with spaces to BYTES
  --wrong-manifest          manifests: a space appended (so not matching their digest)
  --tls-cert C --tls-key K  https with this certificate (both servers)
  --client-ca CA            require a client certificate signed by CA
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import secrets
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

SERVICE = "fake-registry"


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.tokens = {}  # token -> {"anonymous": bool, "scope": str}
        self.fail_left = args.fail
        self.stall_left = args.stall
        self.repos = {}
        for spec in args.repo:
            name, _, layout = spec.partition("=")
            self.repos[name] = layout
        self.storage_port = 0
        self.scheme = "https" if args.tls_cert else "http"

    def take(self, attr):
        with self.lock:
            left = getattr(self, attr)
            if left > 0:
                setattr(self, attr, left - 1)
                return True
            return False

    def log(self, entry):
        with self.log_lock:
            with open(self.args.log, "a") as f:
                f.write(json.dumps(entry, sort_keys=True) + "\n")


def error_body(code, message):
    return json.dumps({"errors": [{"code": code, "message": message, "detail": None}]}).encode()


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jws_payload(data, doc):
    """A signed schema 1 manifest without its signatures (libtrust's formatLength/formatTail)."""
    prot = json.loads(b64url(doc["signatures"][0]["protected"]))
    return data[:prot["formatLength"]] + b64url(prot["formatTail"])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-registry/1"

    def log_message(self, fmt, *a):  # quiet
        pass

    # ---- helpers ----
    def send_body(self, code, body, ctype="application/json", extra=None, length=True):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.close_connection = True
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def state(self):
        return self.server.state

    def reset_connection(self):
        """Ends the connection with a TCP RST (no TLS close_notify either)."""
        try:
            self.wfile.flush()
        except OSError:
            pass
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            os.close(sock.detach())  # detach: the makefile()d rfile/wfile would keep it open
        except OSError:
            pass
        self.close_connection = True
        self.connection_was_reset = True

    def finish(self):
        if getattr(self, "connection_was_reset", False):
            return
        try:
            super().finish()
        except OSError:
            pass

    def log_request_entry(self, form=None):
        u = urllib.parse.urlsplit(self.path)
        auth = self.headers.get("Authorization")
        entry = {"server": self.server.role, "method": self.command, "path": u.path, "query": u.query,
                 "auth": auth is not None, "auth_scheme": auth.split(" ", 1)[0] if auth else None,
                 "range": self.headers.get("Range"), "accept": self.headers.get("Accept"),
                 "user_agent": self.headers.get("User-Agent")}
        if form is not None:
            entry.update(form)
        self.state().log(entry)

    # ---- auth ----
    def check_auth(self, repo):
        """True when the request may pull repo; else a 401 has been sent."""
        st = self.state()
        mode = st.args.auth
        if mode == "none":
            return True
        auth = self.headers.get("Authorization", "")
        if mode == "basic":
            if auth.startswith("Basic ") and st.args.creds:
                try:
                    if base64.b64decode(auth[6:]).decode() == st.args.creds:
                        return True
                except ValueError:
                    pass
            self.send_body(401, error_body("UNAUTHORIZED", "authentication required"),
                           extra={"WWW-Authenticate": 'Basic realm="fake-registry"'})
            return False
        if auth.startswith("Bearer "):
            tok = auth[7:]
            if st.args.registry_token and tok == st.args.registry_token:
                return True
            info = st.tokens.get(tok)
            if info and (not info["anonymous"] or st.args.anonymous) and info["scope"] == "repository:%s:pull" % repo:
                return True
        realm = "%s://127.0.0.1:%d/token" % (st.scheme, self.server.server_address[1])
        challenge = 'Bearer realm="%s",service="%s",scope="repository:%s:pull"' % (realm, SERVICE, repo)
        if auth:
            challenge += ',error="invalid_token"'
        self.send_body(401, error_body("UNAUTHORIZED", "authentication required"), extra={"WWW-Authenticate": challenge})
        return False

    def issue_token(self, anonymous, scope, oauth):
        tok = "tok-" + secrets.token_hex(16)
        self.state().tokens[tok] = {"anonymous": anonymous, "scope": scope}
        body = {"access_token": tok, "scope": scope} if oauth else {"token": tok}
        body["expires_in"] = 300
        self.send_body(200, json.dumps(body).encode())

    def do_token_get(self, query):
        st = self.state()
        q = urllib.parse.parse_qs(query)
        scope = q.get("scope", [""])[0]
        if q.get("service", [""])[0] != SERVICE:
            self.send_body(400, error_body("INVALID", "wrong service"))
            return
        auth = self.headers.get("Authorization")
        if auth is None:
            self.issue_token(True, scope, False)
            return
        ok = False
        if auth.startswith("Basic ") and st.args.creds:
            try:
                ok = base64.b64decode(auth[6:]).decode() == st.args.creds
            except ValueError:
                ok = False
        if not ok:
            self.send_body(401, error_body("UNAUTHORIZED", "invalid username or password"))
            return
        self.issue_token(False, scope, False)

    def do_token_post(self, form):
        st = self.state()
        get = lambda k: form.get(k, [""])[0]
        if get("grant_type") != "refresh_token" or get("client_id") != "crio" or get("service") != SERVICE:
            self.send_body(400, json.dumps({"error": "invalid_request", "error_description": "bad form"}).encode())
            return
        if not st.args.refresh_token or get("refresh_token") != st.args.refresh_token:
            self.send_body(400, json.dumps({"error": "invalid_grant",
                                            "error_description": "refresh token not valid"}).encode())
            return
        self.issue_token(False, get("scope"), True)

    # ---- content ----
    def layout(self, repo):
        return self.state().repos.get(repo)

    def read_blob(self, layout, digest):
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            return None
        p = os.path.join(layout, "blobs", "sha256", digest[7:])
        try:
            with open(p, "rb") as f:
                return f.read()
        except OSError:
            return None

    def read_dir_blob(self, layout, digest):
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            return None
        try:
            with open(os.path.join(layout, digest[7:]), "rb") as f:
                return f.read()
        except OSError:
            return None

    def serve_dir_manifest(self, layout, ref):
        with open(os.path.join(layout, "manifest.json"), "rb") as f:
            data = f.read()
        doc = json.loads(data)
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        ctype = doc.get("mediaType", "application/vnd.oci.image.manifest.v1+json")
        if doc.get("schemaVersion") == 1:
            ctype = "application/vnd.docker.distribution.manifest.v1+json"
            if doc.get("signatures"):
                ctype = "application/vnd.docker.distribution.manifest.v1+prettyjws"
                digest = "sha256:" + hashlib.sha256(jws_payload(data, doc)).hexdigest()
        if ref.startswith("sha256:") and ref != digest:
            self.send_body(404, error_body("MANIFEST_UNKNOWN", "manifest unknown"))
            return
        self.send_body(200, data, ctype, {"Docker-Content-Digest": digest})

    def serve_manifest(self, repo, ref):
        st = self.state()
        layout = self.layout(repo)
        if layout is None:
            self.send_body(404, error_body("NAME_UNKNOWN", "repository name not known to registry"))
            return
        if layout.startswith("dir:"):
            self.serve_dir_manifest(layout[4:], ref)
            return
        digest = ref
        if not ref.startswith("sha256:"):
            with open(os.path.join(layout, "index.json")) as f:
                index = json.load(f)
            digest = None
            for m in index.get("manifests", []):
                if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref:
                    digest = m["digest"]
        data = self.read_blob(layout, digest) if digest else None
        if data is None:
            self.send_body(404, error_body("MANIFEST_UNKNOWN", "manifest unknown"))
            return
        if st.args.fail_what == "manifests" and st.take("fail_left"):
            self.fail(data, 0, 200)
            return
        ctype = json.loads(data).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
        if st.args.wrong_manifest:
            data = data + b" "
        if st.args.big_manifest and len(data) < st.args.big_manifest:
            data = data + b" " * (st.args.big_manifest - len(data))
        self.send_body(200, data, ctype, {"Docker-Content-Digest": digest}, length=not st.args.no_length)

    def fail(self, data, start, code, extra=None):
        st = self.state()
        if st.args.fail_mode == "500":
            self.send_body(500, error_body("UNKNOWN", "injected failure"))
            return
        # reset: the headers of the full answer, half of it, then a TCP RST
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) - start))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data[start:start + (len(data) - start) // 2])
        self.wfile.flush()
        time.sleep(0.3)
        self.reset_connection()

    def serve_blob(self, repo, digest):
        st = self.state()
        a = st.args
        layout = self.layout(repo)
        if layout and layout.startswith("dir:"):
            data = self.read_dir_blob(layout[4:], digest)
        else:
            data = self.read_blob(layout, digest) if layout else None
        if data is None:
            self.send_body(404, error_body("BLOB_UNKNOWN", "blob unknown to registry"))
            return
        if a.wrong_blob:
            data = data.translate(bytes((i + 1) % 256 for i in range(256)))
        if a.truncate:
            data = data[:len(data) // 2]
        if a.too_long:
            data = data + b"\0" * a.too_long
        start, code, extra = 0, 200, {"Docker-Content-Digest": digest}
        rng = self.headers.get("Range")
        if rng and not a.no_range:
            m = re.fullmatch(r"bytes=(\d+)-", rng)
            if not m:
                self.send_body(400, error_body("RANGE_INVALID", "unsupported range"))
                return
            start = int(m.group(1))
            if start >= len(data):
                self.send_body(416, b"", extra={"Content-Range": "bytes */%d" % len(data)})
                return
            code = 206
            extra["Content-Range"] = "bytes %d-%d/%d" % (start, len(data) - 1, len(data))
        if a.fail_what == "blobs" and st.take("fail_left"):
            self.fail(data, start, code, extra)
            return
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        if a.no_length:
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(data) - start))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        if st.take("stall_left"):
            part = data[start:start + min(65536, (len(data) - start) // 2)]
            self.wfile.write(part)
            self.wfile.flush()
            time.sleep(a.stall_seconds)
            self.close_connection = True
            return
        try:
            for off in range(start, len(data), 65536):
                self.wfile.write(data[off:off + 65536])
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    # ---- dispatch ----
    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode() if n else ""
        form = urllib.parse.parse_qs(raw)
        st = self.state()
        u = urllib.parse.urlsplit(self.path)
        if self.server.role == "registry" and u.path == "/token":
            self.log_request_entry({k: form.get(k, [None])[0] for k in ("grant_type", "client_id", "service", "scope")}
                                   | {"refresh_token_ok": form.get("refresh_token", [""])[0] == st.args.refresh_token})
            self.do_token_post(form)
            return
        self.log_request_entry()
        self.send_body(405, error_body("UNSUPPORTED", "method not allowed"))

    def dispatch(self):
        st = self.state()
        u = urllib.parse.urlsplit(self.path)
        self.log_request_entry()
        if self.server.role == "storage":
            m = re.fullmatch(r"/storage/(.+)/blobs/(sha256:[0-9a-f]{64})", u.path)
            if m and "sig=" in u.query:
                self.serve_blob(m.group(1), m.group(2))
            else:
                self.send_body(403, error_body("DENIED", "no signature"))
            return
        if u.path == "/token":
            self.do_token_get(u.query)
            return
        if u.path == "/v2/" or u.path == "/v2":
            if st.args.auth == "none" or self.check_auth(""):
                self.send_body(200, b"{}")
            return
        m = re.fullmatch(r"/storage/(.+)/blobs/(sha256:[0-9a-f]{64})", u.path)
        if m:
            if self.check_auth(m.group(1)):
                self.serve_blob(m.group(1), m.group(2))
            return
        m = re.fullmatch(r"/v2/(.+)/(manifests|blobs)/([^/]+)", u.path)
        if not m:
            self.send_body(404, error_body("NOT_FOUND", "no such endpoint"))
            return
        repo, kind, ref = m.groups()
        if not self.check_auth(repo):
            return
        if kind == "manifests":
            self.serve_manifest(repo, ref)
            return
        if st.args.redirect_blobs:
            sig = "sig=" + secrets.token_hex(8)
            if st.args.redirect_blobs == "same":
                loc = "/storage/%s/blobs/%s?%s" % (repo, ref, sig)
            else:
                loc = "%s://%s:%d/storage/%s/blobs/%s?%s" % (st.scheme, st.args.redirect_host, st.storage_port,
                                                             repo, ref, sig)
            self.send_body(307, b"", extra={"Location": loc})
            return
        self.serve_blob(repo, ref)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, role, state, ctx):
        self.role = role
        self.state = state
        self.ssl_ctx = ctx
        super().__init__(("127.0.0.1", 0), Handler)

    def finish_request(self, request, client_address):
        if self.ssl_ctx:
            request.settimeout(10)
            try:
                request = self.ssl_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                self.state.log({"server": self.role, "tls_error": str(e)})
                return
            request.settimeout(None)
        self.RequestHandlerClass(request, client_address, self)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--repo", action="append", default=[])
    ap.add_argument("--auth", choices=["none", "token", "basic"], default="none")
    ap.add_argument("--creds")
    ap.add_argument("--refresh-token")
    ap.add_argument("--registry-token")
    ap.add_argument("--anonymous", action="store_true")
    ap.add_argument("--redirect-blobs", choices=["same", "other"])
    ap.add_argument("--redirect-host", default="127.0.0.1")
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--fail-mode", choices=["500", "reset"], default="500")
    ap.add_argument("--fail-what", choices=["blobs", "manifests"], default="blobs")
    ap.add_argument("--no-range", action="store_true")
    ap.add_argument("--stall", type=int, default=0)
    ap.add_argument("--stall-seconds", type=float, default=60)
    ap.add_argument("--truncate", action="store_true")
    ap.add_argument("--wrong-blob", action="store_true")
    ap.add_argument("--too-long", type=int, default=0)
    ap.add_argument("--no-length", action="store_true")
    ap.add_argument("--big-manifest", type=int, default=0)
    ap.add_argument("--wrong-manifest", action="store_true")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--client-ca")
    args = ap.parse_args()

    ctx = None
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        if args.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args.client_ca)
    state = State(args)
    registry = Server("registry", state, ctx)
    storage = Server("storage", state, ctx)
    state.storage_port = storage.server_address[1]
    for s in (registry, storage):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % (registry.server_address[1], storage.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
