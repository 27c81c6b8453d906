#!/usr/bin/python3
"""A Docker Registry v2 token service for tests (docker-registry's `auth: token:`).

    token-service.py --key KEY.pem --cert CERT.pem [--port 0] [--port-file F]
                     [--issuer ISS] [--service SVC] [--user NAME:PASSWORD[:ACTIONS[:REPO-GLOB]]]...
                     [--users-file F] [--expires-in SECONDS] [--header x5c|kid|both]
                     [--refresh-token TOKEN=USER]... [--log FILE]

Listens on 127.0.0.1 (port 0: a free one, written to --port-file once listening) and serves
/token (any path works):

  GET  ?service=SVC&scope=repository:NAME:pull,push[&scope=...]   (HTTP Basic auth or none)
  POST form grant_type=password&username=U&password=P&service=SVC&scope=S1 S2[&access_type=offline]
  POST form grant_type=refresh_token&refresh_token=R&service=SVC&scope=...

Answers {"token", "access_token", "expires_in", "issued_at"} (+ "refresh_token" for a GET
with offline_token=true, a POST with access_type=offline, and every refresh_token grant).
A JWT signed RS256 (RSA key) or ES256 (EC P-256 key), its header carrying the signing
certificate as "x5c" (default), the libtrust key ID as "kid", or both; claims iss, sub, aud
(= service), exp, nbf, iat, jti and access: [{type: repository, name, actions}].

Users: ACTIONS is a comma list (default "pull"), REPO-GLOB an fnmatch pattern (default "*")
limiting the repositories the grant covers. Wrong credentials (or an unknown refresh token)
answer 401 {"errors"/"error"}; no credentials get a token whose access is empty, so the
registry answers 401 to the client. The service's own `service` must match the request's
(400 otherwise) when --service is given.

Every request is logged to --log as one JSON object per line: method, path, query, user,
grant_type, scopes asked, access granted, status.
"""
import argparse
import base64
import fnmatch
import hashlib
import http.server
import json
import os
import secrets
import socketserver
import sys
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def libtrust_key_id(public_key):
    """libtrust's KeyID: base32 of the first 240 bits of sha256(DER SubjectPublicKeyInfo),
    in 12 groups of 4 joined by ':' (what docker-registry's TrustedKeys are keyed by)."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, 48, 4))


class Signer:
    def __init__(self, key_path, cert_path, header_mode):
        with open(key_path, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(cert_path, "rb") as f:
            self.cert = x509.load_pem_x509_certificate(f.read())
        if isinstance(self.key, rsa.RSAPrivateKey):
            self.alg = "RS256"
        elif isinstance(self.key, ec.EllipticCurvePrivateKey) and self.key.curve.name == "secp256r1":
            self.alg = "ES256"
        else:
            raise SystemExit("token-service: the key must be RSA or EC P-256")
        self.header = {"typ": "JWT", "alg": self.alg}
        if header_mode in ("x5c", "both"):
            self.header["x5c"] = [base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()]
        if header_mode in ("kid", "both"):
            self.header["kid"] = libtrust_key_id(self.key.public_key())

    def sign(self, claims):
        signing_input = (b64url(json.dumps(self.header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode())).encode()
        if self.alg == "RS256":
            sig = self.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            r, s = decode_dss_signature(self.key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return signing_input.decode() + "." + b64url(sig)


class Users:
    def __init__(self, specs):
        self.users = {}
        for spec in specs:
            parts = spec.split(":", 3)
            if len(parts) < 2:
                raise SystemExit("token-service: bad user %r (NAME:PASSWORD[:ACTIONS[:GLOB]])" % spec)
            name, pw = parts[0], parts[1]
            actions = [a for a in (parts[2] if len(parts) > 2 and parts[2] else "pull").split(",") if a]
            glob = parts[3] if len(parts) > 3 and parts[3] else "*"
            self.users[name] = (pw, set(actions), glob)

    def check(self, name, pw):
        u = self.users.get(name)
        return u is not None and secrets.compare_digest(u[0], pw)

    def grant(self, name, scopes):
        """The access list for an authenticated user (None: anonymous, nothing)."""
        access = []
        for typ, repo, actions in scopes:
            if name is None or typ != "repository":
                continue
            _, allowed, glob = self.users[name]
            if not fnmatch.fnmatchcase(repo, glob):
                continue
            given = [a for a in actions if a in allowed or ("*" in allowed)]
            same = [e for e in access if e["type"] == typ and e["name"] == repo]
            if same:  # clients repeat scopes: one entry per repository
                same[0]["actions"] += [a for a in given if a not in same[0]["actions"]]
            elif given:
                access.append({"type": typ, "name": repo, "actions": given})
        return access


def parse_scopes(values):
    """["repository:a/b:pull,push", ...] (also space-separated in one value) -> [(type, name, [actions])]."""
    out = []
    for v in values:
        for s in v.split():
            typ, sep, rest = s.partition(":")
            name, sep2, actions = rest.rpartition(":")
            if not sep or not sep2 or not name:
                continue
            typ = typ.split("(", 1)[0]  # "repository(plugin)"
            out.append((typ, name, [a for a in actions.split(",") if a]))
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "crio-test-token-service/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet on stderr; requests go to --log
        pass

    def record(self, **kw):
        srv = self.server
        kw.update(method=self.command, path=self.path, time=round(time.time(), 3))
        with srv.log_lock:
            if srv.log:
                srv.log.write(json.dumps(kw, sort_keys=True) + "\n")
                srv.log.flush()

    def reply(self, status, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def deny(self, log, status=401, error="invalid_grant", detail="authentication failed"):
        self.close_connection = status == 400
        log["status"] = status
        self.record(**log)
        self.reply(status, {"error": error, "error_description": detail,
                            "errors": [{"code": "UNAUTHORIZED", "message": detail}]},
                   [("WWW-Authenticate", 'Basic realm="crio-test-token-service"')] if status == 401 else [])

    def issue(self, log, user, service, scopes, refresh):
        srv = self.server
        now = int(time.time())
        access = srv.users.grant(user, scopes)
        claims = {"iss": srv.issuer, "sub": user or "", "aud": service or srv.service,
                  "exp": now + srv.expires_in, "nbf": now - 10, "iat": now,
                  "jti": secrets.token_hex(16), "access": access}
        token = srv.signer.sign(claims)
        out = {"token": token, "access_token": token, "expires_in": srv.expires_in,
               "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        if refresh and user is not None:
            rt = secrets.token_urlsafe(24)
            with srv.log_lock:
                srv.refresh_tokens[rt] = user
            out["refresh_token"] = rt
        log.update(user=user, access=access, status=200, refresh_token_issued="refresh_token" in out)
        self.record(**log)
        self.reply(200, out)

    def check_service(self, log, service):
        srv = self.server
        if srv.service_fixed and service and service != srv.service:
            self.deny(log, 400, "invalid_request", "unknown service %r" % service)
            return False
        return True

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        scopes = parse_scopes(q.get("scope", []))
        service = (q.get("service") or [""])[0]
        log = {"query": q, "grant_type": None, "scopes": [list(s[:2]) + [",".join(s[2])] for s in scopes]}
        if not self.check_service(log, service):
            return
        user = None
        auth = self.headers.get("Authorization", "")
        if auth:
            kind, _, cred = auth.partition(" ")
            if kind.lower() != "basic":
                return self.deny(log, 401, "invalid_request", "only Basic authentication is supported")
            try:
                name, _, pw = base64.b64decode(cred.strip(), validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return self.deny(log, 400, "invalid_request", "malformed Basic credentials")
            if not self.server.users.check(name, pw):
                log["user"] = name
                return self.deny(log)
            user = name
        refresh = (q.get("offline_token") or ["false"])[0] == "true"
        self.issue(log, user, service, scopes, refresh)

    def read_body(self, limit=1 << 20):
        """The request body, Content-Length or chunked (skopeo sends its OAuth2 form chunked)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                line = self.rfile.readline(100)
                try:
                    n = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    return None
                if n == 0:
                    while self.rfile.readline(1000) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return body
                if len(body) + n > limit:
                    return None
                body += self.rfile.read(n)
                self.rfile.readline(10)
        n = int(self.headers.get("Content-Length") or 0)
        if n > limit:
            return None
        return self.rfile.read(n)

    def do_POST(self):
        body = self.read_body()
        if body is None:
            return self.deny({"grant_type": None}, 400, "invalid_request", "body too large or malformed")
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        f = lambda k: (form.get(k) or [""])[0]
        grant = f("grant_type")
        scopes = parse_scopes(form.get("scope", []))
        service = f("service")
        log = {"form": {k: v for k, v in form.items() if k not in ("password", "refresh_token")},
               "grant_type": grant, "scopes": [list(s[:2]) + [",".join(s[2])] for s in scopes]}
        if not self.check_service(log, service):
            return
        if grant == "password":
            name, pw = f("username"), f("password")
            log["user"] = name
            if not self.server.users.check(name, pw):
                return self.deny(log)
            return self.issue(log, name, service, scopes, f("access_type") == "offline")
        if grant == "refresh_token":
            with self.server.log_lock:
                name = self.server.refresh_tokens.get(f("refresh_token"))
            if name is None:
                return self.deny(log, 401, "invalid_grant", "unknown refresh token")
            log["user"] = name
            return self.issue(log, name, service, scopes, True)
        self.deny(log, 400, "unsupported_grant_type", "grant_type must be password or refresh_token")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--issuer", default="crio-test-token-service")
    ap.add_argument("--service", default="")
    ap.add_argument("--user", action="append", default=[])
    ap.add_argument("--users-file", help="one NAME:PASSWORD[:ACTIONS[:GLOB]] a line")
    ap.add_argument("--expires-in", type=int, default=300)
    ap.add_argument("--header", choices=("x5c", "kid", "both"), default="x5c")
    ap.add_argument("--log")
    ap.add_argument("--refresh-token", action="append", default=[],
                    help="TOKEN=USER: a refresh (identity) token valid from the start")
    a = ap.parse_args()
    specs = list(a.user)
    if a.users_file:
        with open(a.users_file) as f:
            specs += [l.strip() for l in f if l.strip() and not l.startswith("#")]
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.signer = Signer(a.key, a.cert, a.header)
    srv.users = Users(specs)
    srv.issuer = a.issuer
    srv.service = a.service or "crio-test-registry"
    srv.service_fixed = bool(a.service)
    srv.expires_in = a.expires_in
    srv.log = open(a.log, "a") if a.log else None
    srv.log_lock = threading.Lock()
    srv.refresh_tokens = {}
    for rt in a.refresh_token:
        tok, _, user = rt.partition("=")
        if not tok or user not in srv.users.users:
            raise SystemExit("token-service: bad --refresh-token %r (TOKEN=USER, a known user)" % rt)
        srv.refresh_tokens[tok] = user
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, a.port_file)
    else:
        print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
