#!/usr/bin/python3
"""OCI layouts a registry must not be trusted with, for the pull tests (served by
fake-registry.py, tag "1"):

  escape      a gzip layer whose tar writes "../../escaped" (and an absolute /etc path)
  badtype     a manifest whose mediaType is not one crio knows
  badlayer    a manifest whose layer mediaType is not one crio knows
  diffid      a config whose diff ID does not match the layer's uncompressed bytes

    make-hostile-images.py OUTDIR   (prints a JSON summary: name -> manifest digest)
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def sha256(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def layer(entries):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o644
            ti.mtime = 1700000000
            t.addfile(ti, io.BytesIO(data))
    tar = raw.getvalue()
    return gzip.compress(tar, mtime=0), tar


def write_layout(outdir, name, manifest_type, layer_type, entries, diff_id=None):
    layout = os.path.join(outdir, name)
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def blob(data):
        d = sha256(data)
        with open(os.path.join(layout, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return d

    gz, tar = layer(entries)
    ld = blob(gz)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id or sha256(tar)]}},
                        sort_keys=True).encode()
    cd = blob(config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": manifest_type,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": cd, "size": len(config)},
                           "layers": [{"mediaType": layer_type, "digest": ld, "size": len(gz)}]},
                          sort_keys=True).encode()
    md = blob(manifest)
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": manifest_type, "digest": md, "size": len(manifest),
            "annotations": {"org.opencontainers.image.ref.name": "1"}}]}, f)
    return md


def main():
    out = sys.argv[1]
    oci_m = "application/vnd.oci.image.manifest.v1+json"
    oci_l = "application/vnd.oci.image.layer.v1.tar+gzip"
    ok = [("hello", b"hello\n")]
    summary = {
        "escape": write_layout(out, "escape", oci_m, oci_l, [("../../escaped", b"x\n"), ("/etc/crio-escaped", b"x\n")]),
        "badtype": write_layout(out, "badtype", "application/vnd.example.unknown+json", oci_l, ok),
        "badlayer": write_layout(out, "badlayer", oci_m, "application/x-example-unknown", ok),
        "diffid": write_layout(out, "diffid", oci_m, oci_l, ok, diff_id="sha256:" + "1" * 64),
    }
    json.dump(summary, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
