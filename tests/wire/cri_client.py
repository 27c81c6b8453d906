#!/usr/bin/python3
"""Minimal CRI client for crio's integration tests.

Message classes and stubs come from crispec.py, i.e. from the upstream CRI
listing (tests/wire/cri-runtime-v1.txt), never from our api.proto, so this
client checks the server against the upstream wire contract.

Usage (always run with /usr/bin/python3):

  cri_client.py --socket PATH call SERVICE RPC ['<json request>']
      Send one request (JSON in proto3 JSON mapping; proto field names or
      lowerCamel names both accepted; default '{}') and print the response as
      json_format.MessageToJson(..., preserving_proto_field_name=True).
      Server-streaming RPCs print one compact JSON object per line per
      message; stop after --max-messages N (useful for GetContainerEvents).

  cri_client.py --socket PATH raw SERVICE RPC HEXBYTES
      Send HEXBYTES verbatim as the request body (no encoding; '' for an
      empty body), e.g. to check that undecodable requests are rejected.
      The response is decoded and printed as for 'call'.

  cri_client.py --socket PATH hammer [--threads 50] [--calls 2000]
      RuntimeService/Version CALLS times spread over THREADS concurrent
      threads sharing ONE channel (--channel-per-thread gives each thread
      its own).  Prints "ok=N failed=M"; exits 1 if any call failed.

  cri_client.py list
      Build every message class and a callable for every RPC (no server
      needed) and print "Service/Rpc Request -> [stream] Response" lines.

SERVICE is RuntimeService or ImageService (a 'runtime.v1.' prefix is allowed).
On a gRPC error 'call' and 'raw' print "ERROR <StatusCode name>: <details>"
to stdout and exit 3.  Usage / bad input errors exit 2.  Note that the
proto3 JSON mapping prints 64-bit integers as strings and omits fields that
have their default value.

Options: --timeout SECS (per call, default 30; 0 = none), --wait (wait for the
socket to become ready instead of failing fast with UNAVAILABLE).
"""

import argparse
import os
import sys
import threading

sys.dont_write_bytecode = True  # keep tests/wire free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

import crispec  # noqa: E402

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_RPC_ERROR = 0, 1, 2, 3

CHANNEL_OPTIONS = [
    # The kubelet allows 16 MiB messages both ways; do the same.
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    ("grpc.max_send_message_length", 16 * 1024 * 1024),
]


def _usage_error(msg):
    print("cri_client: %s" % msg, file=sys.stderr)
    return EXIT_USAGE


def _service_name(name):
    prefix = "runtime.v1."
    return name[len(prefix):] if name.startswith(prefix) else name


def _rpc_error(e):
    code = e.code()
    name = code.name if code is not None else "UNKNOWN"
    print("ERROR %s: %s" % (name, e.details() or ""))
    sys.stdout.flush()
    return EXIT_RPC_ERROR


def _to_json(msg, compact=False):
    return json_format.MessageToJson(msg, preserving_proto_field_name=True,
                                     indent=None if compact else 2)


def _timeout(args):
    return args.timeout if args.timeout and args.timeout > 0 else None


def _invoke(args, cri, raw):
    service = _service_name(args.service)
    try:
        path, req_cls, resp_cls, streaming = cri.method(service, args.rpc)
    except KeyError as e:
        if not raw:
            return _usage_error(str(e).strip("'\""))
        # raw bytes to a method the CRI does not have: for testing unknown methods
        path, req_cls, resp_cls, streaming = None, None, None, False

    if raw:
        hexstr = "".join(args.request.split()).replace(":", "")
        try:
            request = bytes.fromhex(hexstr)
        except ValueError as e:
            return _usage_error("bad hex bytes: %s" % e)
    else:
        request = req_cls()
        try:
            text = args.request or "{}"
            if text.startswith("@"):  # @FILE: a request too big for a command line
                with open(text[1:]) as f:
                    text = f.read()
            json_format.Parse(text, request)
        except json_format.ParseError as e:
            return _usage_error("bad %s JSON: %s" % (req_cls.DESCRIPTOR.name, e))

    channel = crispec.open_channel(args.socket, CHANNEL_OPTIONS)
    try:
        if path is None:
            stub = channel.unary_unary("/runtime.v1.%s/%s" % (service, args.rpc),
                                       request_serializer=None,
                                       response_deserializer=None)
        else:
            stub = cri.stub(channel, service, args.rpc, raw=raw)
        kwargs = {"timeout": _timeout(args)}
        if args.wait:
            kwargs["wait_for_ready"] = True
        if not streaming:
            try:
                resp = stub(request, **kwargs)
            except grpc.RpcError as e:
                return _rpc_error(e)
            print(_to_json(resp))
            return EXIT_OK
        call = stub(request, **kwargs)
        n = 0
        try:
            for resp in call:
                print(_to_json(resp, compact=True))
                sys.stdout.flush()
                n += 1
                if args.max_messages and n >= args.max_messages:
                    call.cancel()
                    break
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.CANCELLED and args.max_messages and \
                    n >= args.max_messages:
                return EXIT_OK
            return _rpc_error(e)
        return EXIT_OK
    finally:
        channel.close()


def _hammer(args, cri):
    if args.threads < 1 or args.calls < 0:
        return _usage_error("--threads must be >= 1 and --calls >= 0")
    shared = None if args.channel_per_thread else \
        crispec.open_channel(args.socket, CHANNEL_OPTIONS)
    VersionRequest = cri.message_class("VersionRequest")
    lock = threading.Lock()
    counts = {"ok": 0, "failed": 0}
    errors = {}
    start = threading.Barrier(args.threads)
    per, extra = divmod(args.calls, args.threads)

    def worker(index, ncalls):
        channel = shared or crispec.open_channel(args.socket, CHANNEL_OPTIONS)
        stub = cri.stub(channel, "RuntimeService", "Version")
        ok = failed = 0
        errs = {}
        try:
            start.wait()
            for _ in range(ncalls):
                try:
                    resp = stub(VersionRequest(version="v1"), timeout=_timeout(args),
                                wait_for_ready=args.wait or None)
                    if resp.runtime_api_version:
                        ok += 1
                    else:
                        failed += 1
                        key = "empty runtime_api_version in VersionResponse"
                        errs[key] = errs.get(key, 0) + 1
                except grpc.RpcError as e:
                    failed += 1
                    key = "%s: %s" % (e.code().name if e.code() else "UNKNOWN", e.details())
                    errs[key] = errs.get(key, 0) + 1
        finally:
            if channel is not shared:
                channel.close()
            with lock:
                counts["ok"] += ok
                counts["failed"] += failed
                for k, v in errs.items():
                    errors[k] = errors.get(k, 0) + v

    threads = [threading.Thread(target=worker, args=(i, per + (1 if i < extra else 0)))
               for i in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if shared is not None:
        shared.close()
    # Any call that neither succeeded nor failed (e.g. a thread died) is a failure.
    lost = args.calls - counts["ok"] - counts["failed"]
    if lost:
        counts["failed"] += lost
        errors["calls lost (worker thread died)"] = lost
    print("ok=%d failed=%d" % (counts["ok"], counts["failed"]))
    for k, v in sorted(errors.items(), key=lambda kv: -kv[1])[:10]:
        print("cri_client: hammer: %d x %s" % (v, k), file=sys.stderr)
    return EXIT_FAIL if counts["failed"] else EXIT_OK


def _list(cri):
    # Build every message class (nested and map entries included) ...
    for name in cri.all_message_names():
        cri.message_class(name)()
    # ... and a callable for every RPC on an (unconnected, lazy) channel.
    channel = grpc.insecure_channel("unix:/nonexistent/cri_client-list.sock")
    try:
        for service in cri.services():
            for rpc in cri.methods(service):
                path, req, resp, streaming = cri.method(service, rpc)
                cri.stub(channel, service, rpc)
                cri.stub(channel, service, rpc, raw=True)
                print("%s %s -> %s%s" % (path, req.DESCRIPTOR.name,
                                         "stream " if streaming else "",
                                         resp.DESCRIPTOR.name))
    finally:
        channel.close()
    return EXIT_OK


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="CRI (runtime.v1) test client built from the upstream listing.",
        epilog="See the module docstring for details.")
    ap.add_argument("--socket", default=os.environ.get("CRI_SOCKET"),
                    help="CRI unix socket path (default: $CRI_SOCKET)")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="per-call deadline in seconds, 0 for none (default 30)")
    ap.add_argument("--wait", action="store_true",
                    help="wait for the server to become ready (wait_for_ready)")
    ap.add_argument("--spec", default=None, help=argparse.SUPPRESS)
    sub = ap.add_subparsers(dest="cmd")

    p = sub.add_parser("call", help="send a JSON request, print the JSON response")
    p.add_argument("service")
    p.add_argument("rpc")
    p.add_argument("request", nargs="?", default="{}")
    p.add_argument("--max-messages", type=int, default=0,
                   help="server-streaming RPCs: stop after N messages")

    p = sub.add_parser("raw", help="send raw (hex) request bytes")
    p.add_argument("service")
    p.add_argument("rpc")
    p.add_argument("request", metavar="hexbytes")
    p.add_argument("--max-messages", type=int, default=0)

    p = sub.add_parser("hammer", help="concurrent RuntimeService/Version calls")
    p.add_argument("--threads", type=int, default=50)
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--channel-per-thread", action="store_true",
                   help="one channel per thread instead of one shared channel")

    sub.add_parser("list", help="build all classes/callables and list the RPCs")

    args = ap.parse_args(argv)
    if not args.cmd:
        ap.print_usage(sys.stderr)
        return EXIT_USAGE
    cri = crispec.CRI(args.spec)
    if args.cmd == "list":
        return _list(cri)
    if not args.socket:
        return _usage_error("--socket PATH is required")
    if args.cmd == "call":
        return _invoke(args, cri, raw=False)
    if args.cmd == "raw":
        return _invoke(args, cri, raw=True)
    if args.cmd == "hammer":
        return _hammer(args, cri)
    return _usage_error("unknown command %s" % args.cmd)


if __name__ == "__main__":
    sys.exit(main())
