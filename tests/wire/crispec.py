"""Build the Kubernetes CRI (package runtime.v1) from the plain-text listing.

This module is deliberately independent of src/cri/api.proto: it parses
tests/wire/cri-runtime-v1.txt (a listing of every service, RPC, message,
enum and field of the upstream CRI) and builds a
google.protobuf.descriptor_pb2.FileDescriptorProto from it directly, the way
protoc would have built it from the upstream api.proto.  Clients built from
this descriptor therefore speak the upstream wire format, not ours.

Listing format (indentation is two spaces per nesting level):

    package runtime.v1
    service RuntimeService
      rpc Version(VersionRequest) -> VersionResponse
      rpc GetContainerEvents(GetEventsRequest) -> stream ContainerEventResponse
    enum Protocol: TCP=0, UDP=1, SCTP=2
    message SecurityProfile
      1 profile_type: ProfileType
      2 localhost_ref: string
      enum ProfileType: RuntimeDefault=0, Unconfined=1, Localhost=2
    message PodSandboxConfig
      5 port_mappings: repeated PortMapping
      6 labels: map<string,string>

Lines starting with '#' and blank lines are ignored.

Public helpers:

    load_spec(path=None)          -> Spec (parsed listing)
    build_file_descriptor(path)   -> FileDescriptorProto
    CRI(path=None)                -> message classes and gRPC callables
    open_channel(socket_path)     -> grpc.Channel to unix:<socket_path>

Runs with Debian's /usr/bin/python3 (python3-protobuf 3.21, python3-grpcio).
"""

import os
import re

from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf import message_factory

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "cri-runtime-v1.txt")
SPEC_FILE_NAME = "cri-runtime-v1.spec.proto"

FDP = descriptor_pb2.FieldDescriptorProto

SCALAR_TYPES = {
    "double": FDP.TYPE_DOUBLE,
    "float": FDP.TYPE_FLOAT,
    "int64": FDP.TYPE_INT64,
    "uint64": FDP.TYPE_UINT64,
    "int32": FDP.TYPE_INT32,
    "fixed64": FDP.TYPE_FIXED64,
    "fixed32": FDP.TYPE_FIXED32,
    "bool": FDP.TYPE_BOOL,
    "string": FDP.TYPE_STRING,
    "bytes": FDP.TYPE_BYTES,
    "uint32": FDP.TYPE_UINT32,
    "sfixed32": FDP.TYPE_SFIXED32,
    "sfixed64": FDP.TYPE_SFIXED64,
    "sint32": FDP.TYPE_SINT32,
    "sint64": FDP.TYPE_SINT64,
}

# Valid map key types (proto3 language guide: any integral or string type).
MAP_KEY_TYPES = {"int32", "int64", "uint32", "uint64", "sint32", "sint64",
                 "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string"}


class SpecError(Exception):
    pass


# ---------------------------------------------------------------------------
# Parsed model
# ---------------------------------------------------------------------------

class Field(object):
    def __init__(self, number, name, type_, repeated=False,
                 map_key=None, map_value=None, line=0):
        self.number = number
        self.name = name
        self.type = type_            # None for map fields
        self.repeated = repeated
        self.map_key = map_key       # set only for map<k,v>
        self.map_value = map_value
        self.line = line

    @property
    def is_map(self):
        return self.map_key is not None


class Enum(object):
    def __init__(self, name, values, line=0):
        self.name = name
        self.values = values         # list of (name, number)
        self.line = line


class Message(object):
    def __init__(self, name, line=0):
        self.name = name
        self.fields = []
        self.messages = []
        self.enums = []
        self.line = line


class Method(object):
    def __init__(self, name, input_type, output_type,
                 client_streaming=False, server_streaming=False, line=0):
        self.name = name
        self.input_type = input_type
        self.output_type = output_type
        self.client_streaming = client_streaming
        self.server_streaming = server_streaming
        self.line = line


class Service(object):
    def __init__(self, name, line=0):
        self.name = name
        self.methods = []
        self.line = line


class Spec(object):
    def __init__(self):
        self.package = None
        self.services = []
        self.messages = []
        self.enums = []


_RE_PACKAGE = re.compile(r"^package\s+([A-Za-z_][\w.]*)$")
_RE_SERVICE = re.compile(r"^service\s+([A-Za-z_]\w*)$")
_RE_RPC = re.compile(r"^rpc\s+([A-Za-z_]\w*)\s*\(\s*(stream\s+)?([A-Za-z_][\w.]*)\s*\)"
                     r"\s*->\s*(stream\s+)?([A-Za-z_][\w.]*)$")
_RE_MESSAGE = re.compile(r"^message\s+([A-Za-z_]\w*)$")
_RE_ENUM = re.compile(r"^enum\s+([A-Za-z_]\w*)\s*:\s*(.*)$")
_RE_ENUM_VALUE = re.compile(r"^([A-Za-z_]\w*)\s*=\s*(-?\d+)$")
_RE_FIELD = re.compile(r"^(\d+)\s+([A-Za-z_]\w*)\s*:\s*(repeated\s+)?"
                       r"(?:map\s*<\s*(\w+)\s*,\s*([\w.]+)\s*>|([A-Za-z_][\w.]*))$")


def parse_spec(text, filename="<spec>"):
    """Parse the listing text into a Spec.  Raises SpecError on anything odd."""
    spec = Spec()
    # Stack of (indent, object); object is Spec, Service or Message.
    stack = [(-1, spec)]

    def fail(lineno, msg):
        raise SpecError("%s:%d: %s" % (filename, lineno, msg))

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if "\t" in line:
            fail(lineno, "tab in indentation")
        indent = len(line) - len(stripped)
        if indent % 2:
            fail(lineno, "indentation is not a multiple of two spaces")
        while stack[-1][0] >= indent:
            stack.pop()
        parent_indent, parent = stack[-1]
        if indent != parent_indent + 2 and not (parent is spec and indent == 0):
            fail(lineno, "unexpected indentation")

        m = _RE_PACKAGE.match(stripped)
        if m:
            if parent is not spec or spec.package is not None:
                fail(lineno, "misplaced or repeated package line")
            spec.package = m.group(1)
            continue

        m = _RE_SERVICE.match(stripped)
        if m:
            if parent is not spec:
                fail(lineno, "service must be at top level")
            svc = Service(m.group(1), lineno)
            spec.services.append(svc)
            stack.append((indent, svc))
            continue

        m = _RE_RPC.match(stripped)
        if m:
            if not isinstance(parent, Service):
                fail(lineno, "rpc outside a service")
            parent.methods.append(Method(m.group(1), m.group(3), m.group(5),
                                         bool(m.group(2)), bool(m.group(4)),
                                         lineno))
            continue

        m = _RE_MESSAGE.match(stripped)
        if m:
            if isinstance(parent, Service):
                fail(lineno, "message inside a service")
            msg = Message(m.group(1), lineno)
            parent.messages.append(msg)
            stack.append((indent, msg))
            continue

        m = _RE_ENUM.match(stripped)
        if m:
            if isinstance(parent, Service):
                fail(lineno, "enum inside a service")
            values = []
            for item in m.group(2).split(","):
                vm = _RE_ENUM_VALUE.match(item.strip())
                if not vm:
                    fail(lineno, "bad enum value %r" % item.strip())
                values.append((vm.group(1), int(vm.group(2))))
            if not values:
                fail(lineno, "enum without values")
            parent.enums.append(Enum(m.group(1), values, lineno))
            continue

        m = _RE_FIELD.match(stripped)
        if m:
            if not isinstance(parent, Message):
                fail(lineno, "field outside a message")
            number, name, repeated = int(m.group(1)), m.group(2), bool(m.group(3))
            if m.group(4):
                if repeated:
                    fail(lineno, "a map field cannot be repeated")
                if m.group(4) not in MAP_KEY_TYPES:
                    fail(lineno, "invalid map key type %r" % m.group(4))
                fld = Field(number, name, None, True, m.group(4), m.group(5), lineno)
            else:
                fld = Field(number, name, m.group(6), repeated, line=lineno)
            parent.fields.append(fld)
            continue

        fail(lineno, "unrecognised line: %r" % stripped)

    if not spec.package:
        raise SpecError("%s: no package line" % filename)
    _validate(spec, filename)
    return spec


def _validate(spec, filename):
    def check_msg(msg, where):
        numbers, names = {}, {}
        for f in msg.fields:
            if f.number in numbers:
                raise SpecError("%s:%d: %s: field number %d reused (%s, %s)" % (
                    filename, f.line, where, f.number, numbers[f.number], f.name))
            if not (1 <= f.number <= 536870911) or 19000 <= f.number <= 19999:
                raise SpecError("%s:%d: %s: invalid field number %d" % (
                    filename, f.line, where, f.number))
            if f.name in names:
                raise SpecError("%s:%d: %s: field name %s reused" % (
                    filename, f.line, where, f.name))
            numbers[f.number] = f.name
            names[f.name] = f.number
        for e in msg.enums:
            check_enum(e, where + "." + e.name)
        for sub in msg.messages:
            check_msg(sub, where + "." + sub.name)

    def check_enum(enum, where):
        if enum.values[0][1] != 0:
            raise SpecError("%s:%d: proto3 enum %s must start with 0" % (
                filename, enum.line, where))
        seen = set()
        for name, _ in enum.values:
            if name in seen:
                raise SpecError("%s:%d: enum %s: value %s repeated" % (
                    filename, enum.line, where, name))
            seen.add(name)

    for m in spec.messages:
        check_msg(m, m.name)
    for e in spec.enums:
        check_enum(e, e.name)


def load_spec(path=None):
    path = path or SPEC_PATH
    with open(path, "r") as fh:
        return parse_spec(fh.read(), path)


# ---------------------------------------------------------------------------
# FileDescriptorProto construction
# ---------------------------------------------------------------------------

def json_name(name):
    """protoc's default json_name: drop '_' and upper-case the next char."""
    out, upper = [], False
    for c in name:
        if c == "_":
            upper = True
        elif upper:
            out.append(c.upper())
            upper = False
        else:
            out.append(c)
    return "".join(out)


def map_entry_name(field_name):
    """protoc's name for the synthesized map entry message (labels -> LabelsEntry)."""
    out, upper = [], True
    for c in field_name:
        if c == "_":
            upper = True
        elif upper:
            out.append(c.upper())
            upper = False
        else:
            out.append(c)
    return "".join(out) + "Entry"


class _Symbols(object):
    """Fully-qualified names ('.runtime.v1.Foo.Bar') -> 'message' | 'enum'."""

    def __init__(self, spec):
        self.kinds = {}
        prefix = "." + spec.package
        for e in spec.enums:
            self._add(prefix + "." + e.name, "enum")
        for m in spec.messages:
            self._add_msg(prefix, m)

    def _add(self, fq, kind):
        if fq in self.kinds:
            raise SpecError("duplicate definition of %s" % fq[1:])
        self.kinds[fq] = kind

    def _add_msg(self, scope, msg):
        fq = scope + "." + msg.name
        self._add(fq, "message")
        for e in msg.enums:
            self._add(fq + "." + e.name, "enum")
        for sub in msg.messages:
            self._add_msg(fq, sub)
        for f in msg.fields:
            if f.is_map:
                self._add(fq + "." + map_entry_name(f.name), "message")

    def resolve(self, scope, name, line=0):
        """Resolve a type reference the way protoc does: innermost scope first."""
        if name.startswith("."):
            if name in self.kinds:
                return name, self.kinds[name]
            raise SpecError("line %d: unknown type %s" % (line, name))
        first = name.split(".")[0]
        parts = scope.split(".")  # scope like '.runtime.v1.Msg'
        while True:
            base = ".".join(parts)
            cand_first = base + "." + first
            if cand_first in self.kinds:
                full = base + "." + name
                if full in self.kinds:
                    return full, self.kinds[full]
                raise SpecError("line %d: %s resolves to %s which has no %s" % (
                    line, name, cand_first[1:], name))
            if not base:
                break
            parts.pop()
        raise SpecError("line %d: unknown type %s" % (line, name))


def _set_type(fp, symbols, scope, type_name, line):
    if type_name in SCALAR_TYPES:
        fp.type = SCALAR_TYPES[type_name]
        return
    fq, kind = symbols.resolve(scope, type_name, line)
    fp.type = FDP.TYPE_MESSAGE if kind == "message" else FDP.TYPE_ENUM
    fp.type_name = fq


def _build_enum(enum):
    ep = descriptor_pb2.EnumDescriptorProto(name=enum.name)
    for name, number in enum.values:
        ep.value.add(name=name, number=number)
    return ep


def _build_message(msg, scope, symbols):
    fq = scope + "." + msg.name
    mp = descriptor_pb2.DescriptorProto(name=msg.name)
    for f in msg.fields:
        fp = mp.field.add(name=f.name, number=f.number, json_name=json_name(f.name))
        if f.is_map:
            entry_name = map_entry_name(f.name)
            entry_fq = fq + "." + entry_name
            entry = mp.nested_type.add(name=entry_name)
            entry.options.map_entry = True
            kp = entry.field.add(name="key", number=1, json_name="key",
                                 label=FDP.LABEL_OPTIONAL)
            _set_type(kp, symbols, entry_fq, f.map_key, f.line)
            vp = entry.field.add(name="value", number=2, json_name="value",
                                 label=FDP.LABEL_OPTIONAL)
            _set_type(vp, symbols, entry_fq, f.map_value, f.line)
            fp.label = FDP.LABEL_REPEATED
            fp.type = FDP.TYPE_MESSAGE
            fp.type_name = entry_fq
        else:
            fp.label = FDP.LABEL_REPEATED if f.repeated else FDP.LABEL_OPTIONAL
            _set_type(fp, symbols, fq, f.type, f.line)
    for sub in msg.messages:
        mp.nested_type.add().CopyFrom(_build_message(sub, fq, symbols))
    for e in msg.enums:
        mp.enum_type.add().CopyFrom(_build_enum(e))
    return mp


def build_file_descriptor(spec=None, name=SPEC_FILE_NAME):
    """FileDescriptorProto (proto3) for the listing.  `spec` may be a Spec or a path."""
    if spec is None or isinstance(spec, str):
        spec = load_spec(spec)
    symbols = _Symbols(spec)
    pkg = "." + spec.package
    fdp = descriptor_pb2.FileDescriptorProto(name=name, package=spec.package,
                                             syntax="proto3")
    for e in spec.enums:
        fdp.enum_type.add().CopyFrom(_build_enum(e))
    for m in spec.messages:
        fdp.message_type.add().CopyFrom(_build_message(m, pkg, symbols))
    for s in spec.services:
        sp = fdp.service.add(name=s.name)
        for meth in s.methods:
            in_fq, in_kind = symbols.resolve(pkg, meth.input_type, meth.line)
            out_fq, out_kind = symbols.resolve(pkg, meth.output_type, meth.line)
            if in_kind != "message" or out_kind != "message":
                raise SpecError("line %d: rpc %s must use message types" % (
                    meth.line, meth.name))
            mp = sp.method.add(name=meth.name, input_type=in_fq, output_type=out_fq)
            if meth.client_streaming:
                mp.client_streaming = True
            if meth.server_streaming:
                mp.server_streaming = True
    return fdp


# ---------------------------------------------------------------------------
# Message classes and gRPC callables
# ---------------------------------------------------------------------------

def _prototype(factory, desc):
    get = getattr(factory, "GetPrototype", None)
    if get is not None:                      # protobuf 3.21 / 4.21
        return get(desc)
    return message_factory.GetMessageClass(desc)   # newer protobuf


class CRI(object):
    """Message classes and gRPC stubs for runtime.v1, built from the listing."""

    def __init__(self, spec_path=None):
        self.spec = load_spec(spec_path)
        self.file_proto = build_file_descriptor(self.spec)
        self.package = self.spec.package
        self.pool = descriptor_pool.DescriptorPool()
        self.file = self.pool.Add(self.file_proto) or \
            self.pool.FindFileByName(self.file_proto.name)
        self.factory = message_factory.MessageFactory(self.pool)
        self._classes = {}

    # -- messages ---------------------------------------------------------
    def message_class(self, name):
        """Class for 'VersionRequest', 'SecurityProfile' or 'runtime.v1.X'."""
        full = name if name.startswith(self.package + ".") else self.package + "." + name
        cls = self._classes.get(full)
        if cls is None:
            desc = self.pool.FindMessageTypeByName(full)
            cls = _prototype(self.factory, desc)
            self._classes[full] = cls
        return cls

    def all_message_names(self):
        """Fully-qualified names of every message, nested ones included."""
        names = []

        def walk(desc):
            names.append(desc.full_name)
            for sub in desc.nested_types:
                walk(sub)
        fdesc = self.pool.FindFileByName(self.file_proto.name)
        for desc in fdesc.message_types_by_name.values():
            walk(desc)
        return names

    # -- services ---------------------------------------------------------
    def services(self):
        return [s.name for s in self.spec.services]

    def methods(self, service):
        return [m.name for m in self._service(service).methods]

    def _service(self, service):
        for s in self.spec.services:
            if s.name == service:
                return s
        raise KeyError("no service %s in %s" % (service, self.package))

    def method(self, service, rpc):
        """(path, request class, response class, server_streaming)."""
        sdesc = self.pool.FindServiceByName(self.package + "." + service)
        mdesc = sdesc.methods_by_name.get(rpc)
        if mdesc is None:
            raise KeyError("no rpc %s in service %s" % (rpc, service))
        req = _prototype(self.factory, mdesc.input_type)
        resp = _prototype(self.factory, mdesc.output_type)
        streaming = False
        for m in self._service(service).methods:
            if m.name == rpc:
                streaming = m.server_streaming
                if m.client_streaming:
                    raise NotImplementedError("client streaming rpc %s" % rpc)
        path = "/%s.%s/%s" % (self.package, service, rpc)
        return path, req, resp, streaming

    def stub(self, channel, service, rpc, raw=False):
        """gRPC callable for /runtime.v1.<service>/<rpc>.

        Unary RPCs get channel.unary_unary, server-streaming ones
        channel.unary_stream.  With raw=True the request is sent as the given
        bytes, unencoded (for feeding undecodable requests to a server);
        responses are still decoded with the response class.
        """
        path, req, resp, streaming = self.method(service, rpc)
        serializer = None if raw else req.SerializeToString
        make = channel.unary_stream if streaming else channel.unary_unary
        return make(path, request_serializer=serializer,
                    response_deserializer=resp.FromString)


def socket_target(socket_path):
    """gRPC target for a unix socket path ('unix:' prefix added if missing)."""
    if socket_path.startswith("unix:"):
        return socket_path
    return "unix:" + os.path.abspath(socket_path)


def open_channel(socket_path, options=None):
    import grpc
    return grpc.insecure_channel(socket_target(socket_path), options=options or [])
