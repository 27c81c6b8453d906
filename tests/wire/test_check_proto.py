#!/usr/bin/python3
"""Self-test for check_proto.py: it passes on api.proto and catches mutations.

Usage: /usr/bin/python3 tests/wire/test_check_proto.py [path/to/api.proto]

Compiles the real api.proto with protoc and expects check_proto.py to pass,
then, for each mutation below, compiles a mutated COPY (in a temporary
directory; the real file is never touched) and expects check_proto.py to exit
1 and to name the mutation.  Prints TAP; exits non-zero on any failure.
Needs protoc on PATH.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CHECK = os.path.join(HERE, "check_proto.py")

# (description, old text, new text, substring expected in check_proto output)
MUTATIONS = [
    ("field number changed",
     "    string runtime_api_version = 4;", "    string runtime_api_version = 5;",
     "VersionResponse.runtime_api_version: number 4 in spec, 5 in api.proto"),
    ("repeated dropped",
     "    repeated string servers = 1;", "    string servers = 1;",
     "DNSConfig.servers: label LABEL_REPEATED in spec, LABEL_OPTIONAL in api.proto"),
    ("map turned into repeated message",
     "    map<string, string> sysctls = 3;", "    repeated KeyValue sysctls = 3;",
     "LinuxPodSandboxConfig: nested message SysctlsEntry missing from api.proto"),
    ("bytes turned into string",
     "    bytes value = 2;", "    string value = 2;",
     "KeyValue.value: type TYPE_BYTES in spec, TYPE_STRING in api.proto"),
    ("server streaming dropped",
     "returns (stream ContainerEventResponse)", "returns (ContainerEventResponse)",
     "RuntimeService.GetContainerEvents: server_streaming True in spec, False in api.proto"),
    ("enum value renumbered",
     "    SIGNAL_SIGKILL = 13;", "    SIGNAL_SIGKILL = 99;",
     "Signal: value SIGNAL_SIGKILL is 13 in spec, 99 in api.proto"),
    ("extra field",
     "    string runtime_api_version = 4;",
     "    string runtime_api_version = 4;\n    string extra = 5;",
     "VersionResponse: extra field extra = 5 in api.proto"),
    ("nested enum value removed",
     "        Localhost = 2;\n", "",
     "SecurityProfile.ProfileType: value Localhost = 2 missing from api.proto"),
    ("field renamed",
     "    repeated IDMapping uidMappings = 6;", "    repeated IDMapping uid_mappings = 6;",
     "Mount: field uidMappings = 6 missing from api.proto"),
    ("extra message",
     "message VersionRequest {", "message Bogus {}\n\nmessage VersionRequest {",
     "message Bogus: extra message in api.proto, not in spec"),
]


def compile_and_check(proto_dir, tmp):
    desc = os.path.join(tmp, "api.desc")
    subprocess.check_call(["protoc", "--include_imports", "--descriptor_set_out=" + desc,
                           "--proto_path=" + proto_dir,
                           os.path.join(proto_dir, "api.proto")])
    p = subprocess.run([sys.executable, CHECK, desc], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    return p.returncode, p.stdout


def main():
    proto = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "src", "cri", "api.proto")
    with open(proto) as fh:
        text = fh.read()
    print("1..%d" % (1 + len(MUTATIONS)))
    failed = 0
    tmp = tempfile.mkdtemp(prefix="crio-wire-")
    try:
        rc, out = compile_and_check(os.path.dirname(os.path.abspath(proto)), tmp)
        if rc == 0:
            print("ok 1 - check_proto.py passes on %s" % os.path.relpath(proto))
        else:
            failed += 1
            print("not ok 1 - check_proto.py fails on %s (exit %d)" % (proto, rc))
            for line in out.splitlines():
                if line.startswith("not ok") or line.startswith("#"):
                    print("#   " + line)
        for i, (desc, old, new, expect) in enumerate(MUTATIONS, 2):
            if text.count(old) != 1:
                failed += 1
                print("not ok %d - %s: text to mutate found %d times" % (i, desc, text.count(old)))
                continue
            mdir = os.path.join(tmp, "m%d" % i)
            os.mkdir(mdir)
            with open(os.path.join(mdir, "api.proto"), "w") as fh:
                fh.write(text.replace(old, new))
            try:
                rc, out = compile_and_check(mdir, mdir)
            except subprocess.CalledProcessError as e:
                failed += 1
                print("not ok %d - %s: protoc failed on the mutated copy (%s)" % (i, desc, e))
                continue
            if rc == 1 and expect in out:
                print("ok %d - detects %s" % (i, desc))
            else:
                failed += 1
                print("not ok %d - %s not detected (exit %d, wanted %r)" % (i, desc, rc, expect))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
