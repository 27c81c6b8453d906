#!/usr/bin/python3
"""Check that our src/cri/api.proto is wire-identical to the upstream CRI.

Usage:
    protoc --include_imports --descriptor_set_out=/tmp/api.desc \
           --proto_path=src/cri src/cri/api.proto
    /usr/bin/python3 tests/wire/check_proto.py [--spec LISTING] /tmp/api.desc

The reference is the FileDescriptorProto that crispec.py builds straight from
tests/wire/cri-runtime-v1.txt (it never reads api.proto).  The descriptor set
must contain exactly one file of package runtime.v1; it is compared with the
reference:

  * file:     proto3, package runtime.v1, no imports, no extensions
  * messages: every message (nested ones and map entries included), every
              field (name, number, label, type, type_name, json_name, oneof,
              proto3 optional, default, options), message options (map_entry)
  * enums:    every value name and number, enum options
  * services: every method, input/output type, client/server streaming,
              method options

Nothing may be missing from, or extra in, either side.  Output is TAP: one
test per top-level message, enum and service of the listing (plus one per
unexpected extra top-level definition in api.proto).  Exit status is 0 when
everything matches, 1 on any mismatch, 2 on usage or input errors.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # keep tests/wire free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crispec  # noqa: E402
from google.protobuf import descriptor_pb2  # noqa: E402
from google.protobuf import descriptor_pool  # noqa: E402

FDP = descriptor_pb2.FieldDescriptorProto


def _type_name(t):
    return FDP.Type.Name(t) if t in FDP.Type.values() else str(t)


def _label_name(l):
    return FDP.Label.Name(l) if l in FDP.Label.values() else str(l)


def _by_name(items, what, where, reasons):
    out = {}
    for it in items:
        if it.name in out:
            reasons.append("%s: duplicate %s %s" % (where, what, it.name))
        out[it.name] = it
    return out


def _opts(o):
    return o.SerializeToString(deterministic=True)


def compare_field(sf, of, where):
    r = []
    if sf.number != of.number:
        r.append("%s: number %d in spec, %d in api.proto" % (where, sf.number, of.number))
    if sf.label != of.label:
        r.append("%s: label %s in spec, %s in api.proto" % (
            where, _label_name(sf.label), _label_name(of.label)))
    if sf.type != of.type:
        r.append("%s: type %s in spec, %s in api.proto" % (
            where, _type_name(sf.type), _type_name(of.type)))
    if sf.type_name != of.type_name:
        r.append("%s: type_name %r in spec, %r in api.proto" % (
            where, sf.type_name, of.type_name))
    # protoc always fills json_name in descriptor sets; compare when present.
    if of.HasField("json_name") and sf.json_name != of.json_name:
        r.append("%s: json_name %r in spec, %r in api.proto" % (
            where, sf.json_name, of.json_name))
    if of.HasField("oneof_index"):
        r.append("%s: is in a oneof in api.proto, not in spec" % where)
    if of.proto3_optional:
        r.append("%s: declared 'optional' in api.proto, not in spec" % where)
    if of.HasField("default_value"):
        r.append("%s: has a default value in api.proto" % where)
    if of.HasField("extendee"):
        r.append("%s: is an extension in api.proto" % where)
    if _opts(sf.options) != _opts(of.options):
        r.append("%s: field options differ (spec %s, api.proto %s)" % (
            where, str(sf.options).strip() or "none", str(of.options).strip() or "none"))
    return r


def compare_enum(se, oe, where):
    r = []
    sv = _by_name(se.value, "value", where, r)
    ov = _by_name(oe.value, "value", where, r)
    for name, v in sv.items():
        if name not in ov:
            r.append("%s: value %s = %d missing from api.proto" % (where, name, v.number))
        elif ov[name].number != v.number:
            r.append("%s: value %s is %d in spec, %d in api.proto" % (
                where, name, v.number, ov[name].number))
    for name, v in ov.items():
        if name not in sv:
            r.append("%s: extra value %s = %d in api.proto" % (where, name, v.number))
    if _opts(se.options) != _opts(oe.options):
        r.append("%s: enum options differ" % where)
    return r


def compare_message(sm, om, where):
    r = []
    sf = _by_name(sm.field, "field", where, r)
    of = _by_name(om.field, "field", where, r)
    for name, f in sf.items():
        if name not in of:
            r.append("%s: field %s = %d missing from api.proto" % (where, name, f.number))
        else:
            r.extend(compare_field(f, of[name], "%s.%s" % (where, name)))
    for name, f in of.items():
        if name not in sf:
            r.append("%s: extra field %s = %d in api.proto" % (where, name, f.number))

    sn = _by_name(sm.nested_type, "nested message", where, r)
    on = _by_name(om.nested_type, "nested message", where, r)
    for name, m in sn.items():
        if name not in on:
            r.append("%s: nested message %s missing from api.proto" % (where, name))
        else:
            r.extend(compare_message(m, on[name], "%s.%s" % (where, name)))
    for name in on:
        if name not in sn:
            r.append("%s: extra nested message %s in api.proto" % (where, name))

    se = _by_name(sm.enum_type, "nested enum", where, r)
    oe = _by_name(om.enum_type, "nested enum", where, r)
    for name, e in se.items():
        if name not in oe:
            r.append("%s: nested enum %s missing from api.proto" % (where, name))
        else:
            r.extend(compare_enum(e, oe[name], "%s.%s" % (where, name)))
    for name in oe:
        if name not in se:
            r.append("%s: extra nested enum %s in api.proto" % (where, name))

    if len(om.oneof_decl):
        r.append("%s: api.proto declares oneofs %s" % (
            where, ", ".join(o.name for o in om.oneof_decl)))
    if len(om.extension) or len(om.extension_range):
        r.append("%s: api.proto declares extensions" % where)
    if sm.options.map_entry != om.options.map_entry:
        r.append("%s: map_entry is %s in spec, %s in api.proto" % (
            where, sm.options.map_entry, om.options.map_entry))
    elif _opts(sm.options) != _opts(om.options):
        r.append("%s: message options differ" % where)
    return r


def compare_service(ss, os_, where):
    r = []
    sm = _by_name(ss.method, "method", where, r)
    om = _by_name(os_.method, "method", where, r)
    for name, m in sm.items():
        if name not in om:
            r.append("%s: rpc %s missing from api.proto" % (where, name))
            continue
        o = om[name]
        w = "%s.%s" % (where, name)
        if m.input_type != o.input_type:
            r.append("%s: input %s in spec, %s in api.proto" % (w, m.input_type, o.input_type))
        if m.output_type != o.output_type:
            r.append("%s: output %s in spec, %s in api.proto" % (w, m.output_type, o.output_type))
        if m.client_streaming != o.client_streaming:
            r.append("%s: client_streaming %s in spec, %s in api.proto" % (
                w, m.client_streaming, o.client_streaming))
        if m.server_streaming != o.server_streaming:
            r.append("%s: server_streaming %s in spec, %s in api.proto" % (
                w, m.server_streaming, o.server_streaming))
        if _opts(m.options) != _opts(o.options):
            r.append("%s: method options differ" % w)
    for name in om:
        if name not in sm:
            r.append("%s: extra rpc %s in api.proto" % (where, name))
    if _opts(ss.options) != _opts(os_.options):
        r.append("%s: service options differ" % where)
    return r


def _loads(fdp, deps=()):
    """Return None if the descriptor(s) load into a fresh pool, else the error."""
    pool = descriptor_pool.DescriptorPool()
    try:
        for d in deps:
            pool.Add(d)
        pool.Add(fdp)
        pool.FindFileByName(fdp.name)
    except Exception as e:  # pragma: no cover - message text varies by backend
        return str(e)
    return None


def run(spec_path, desc_path):
    spec_fdp = crispec.build_file_descriptor(spec_path)

    with open(desc_path, "rb") as fh:
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(fh.read())
    ours = [f for f in fds.file if f.package == spec_fdp.package]
    if len(ours) != 1:
        raise SystemExit("check_proto: %s holds %d files of package %s, expected 1"
                         % (desc_path, len(ours), spec_fdp.package))
    our = ours[0]
    others = [f for f in fds.file if f is not our]

    results = []  # (description, [reasons])

    # File-level checks.
    r = []
    if our.syntax != "proto3":
        r.append("syntax is %r, expected proto3" % (our.syntax or "proto2"))
    if len(our.dependency):
        r.append("imports %s (the CRI needs none)" % ", ".join(our.dependency))
    if len(our.extension):
        r.append("declares top-level extensions")
    err = _loads(spec_fdp)
    if err:
        r.append("spec-built descriptor does not load: %s" % err)
    err = _loads(our, others)
    if err:
        r.append("api.proto descriptor does not load: %s" % err)
    results.append(("file %s: proto3, package %s, no imports" % (our.name, our.package), r))

    our_enums = _by_name(our.enum_type, "enum", "file", [])
    our_msgs = _by_name(our.message_type, "message", "file", [])
    our_svcs = _by_name(our.service, "service", "file", [])

    for e in spec_fdp.enum_type:
        if e.name not in our_enums:
            results.append(("enum %s" % e.name, ["missing from api.proto"]))
        else:
            results.append(("enum %s" % e.name, compare_enum(e, our_enums[e.name], e.name)))
    for m in spec_fdp.message_type:
        if m.name not in our_msgs:
            results.append(("message %s" % m.name, ["missing from api.proto"]))
        else:
            results.append(("message %s" % m.name,
                            compare_message(m, our_msgs[m.name], m.name)))
    for s in spec_fdp.service:
        if s.name not in our_svcs:
            results.append(("service %s" % s.name, ["missing from api.proto"]))
        else:
            results.append(("service %s" % s.name,
                            compare_service(s, our_svcs[s.name], s.name)))

    spec_enums = {e.name for e in spec_fdp.enum_type}
    spec_msgs = {m.name for m in spec_fdp.message_type}
    spec_svcs = {s.name for s in spec_fdp.service}
    for name in our_enums:
        if name not in spec_enums:
            results.append(("enum %s" % name, ["extra enum in api.proto, not in spec"]))
    for name in our_msgs:
        if name not in spec_msgs:
            results.append(("message %s" % name, ["extra message in api.proto, not in spec"]))
    for name in our_svcs:
        if name not in spec_svcs:
            results.append(("service %s" % name, ["extra service in api.proto, not in spec"]))
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", default=crispec.SPEC_PATH,
                    help="CRI listing (default: %(default)s)")
    ap.add_argument("descriptor_set",
                    help="output of protoc --include_imports --descriptor_set_out")
    args = ap.parse_args(argv)
    try:
        results = run(args.spec, args.descriptor_set)
    except (IOError, OSError, crispec.SpecError) as e:
        print("check_proto: %s" % e, file=sys.stderr)
        return 2
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2

    print("1..%d" % len(results))
    failed = 0
    for i, (desc, reasons) in enumerate(results, 1):
        if not reasons:
            print("ok %d - %s" % (i, desc))
            continue
        failed += 1
        head = reasons[0] if len(reasons) == 1 else "%s (+%d more)" % (reasons[0], len(reasons) - 1)
        print("not ok %d - %s: %s" % (i, desc, head))
        for reason in reasons:
            print("#   %s" % reason)
    if failed:
        print("# %d of %d failed: api.proto is NOT wire-identical to the CRI listing"
              % (failed, len(results)))
        return 1
    print("# all %d passed: api.proto is wire-identical to the CRI listing" % len(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
