#!/usr/bin/python3
"""OCI layouts a registry must not be trusted with, for the pull tests (served by
fake-registry.py, tag "1"):

  escape      a gzip layer whose tar writes "../../escaped" (and an absolute /etc path)
  badtype     a manifest whose mediaType is not one crio knows
  badlayer    a manifest whose layer mediaType is not one crio knows
  diffid      a config whose diff ID does not match the layer's uncompressed bytes
  layerbytes  a layer blob whose bytes are not those its digest names (another valid layer,
              its size in the manifest)
  layersize   a manifest whose layer size is one byte more than the blob
  layercut    a layer blob cut to half its size (the manifest has the right digest and size)

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


def write_layout(outdir, name, manifest_type, layer_type, entries, diff_id=None, tamper=None):
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
    other = None
    if tamper == "bytes":  # a valid layer of other content is served under this digest
        other, _ = layer([(n, d.upper()) for n, d in entries])
    lsize = len(other) if other else len(gz) + (1 if tamper == "size" else 0)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": manifest_type,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": cd, "size": len(config)},
                           "layers": [{"mediaType": layer_type, "digest": ld, "size": lsize}]},
                          sort_keys=True).encode()
    path = os.path.join(layout, "blobs", "sha256", ld[7:])
    if tamper == "bytes":
        with open(path, "wb") as f:
            f.write(other)
    elif tamper == "cut":
        with open(path, "wb") as f:
            f.write(gz[:len(gz) // 2])
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
    big = [("data%d" % i, os.urandom(2048).hex().encode()) for i in range(64)]
    summary = {
        "escape": write_layout(out, "escape", oci_m, oci_l, [("../../escaped", b"x\n"), ("/etc/crio-escaped", b"x\n")]),
        "badtype": write_layout(out, "badtype", "application/vnd.example.unknown+json", oci_l, ok),
        "badlayer": write_layout(out, "badlayer", oci_m, "application/x-example-unknown", ok),
        "diffid": write_layout(out, "diffid", oci_m, oci_l, ok, diff_id="sha256:" + "1" * 64),
        "layerbytes": write_layout(out, "layerbytes", oci_m, oci_l, big, tamper="bytes"),
        "layersize": write_layout(out, "layersize", oci_m, oci_l, big, tamper="size"),
        "layercut": write_layout(out, "layercut", oci_m, oci_l, big, tamper="cut"),
    }
    json.dump(summary, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
