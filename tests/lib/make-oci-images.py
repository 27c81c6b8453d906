#!/usr/bin/python3
"""Builds the test images as OCI image layouts, from the machine's busybox-static.

    make-oci-images.py OUTDIR [--busybox /bin/busybox]

Writes OUTDIR/<name>/ (an OCI layout, tag "1") for:
  busybox   one layer: busybox, its applet links, /etc/passwd, /etc/group, /tmp
  layered   three layers: the busybox layer; a layer adding /data/{keep,gone} and
            /opq/{a,b}; a layer whiting out /data/gone and making /opq opaque (adds /opq/c)
  sibling   two layers: the busybox layer (shared with the others) and one adding /sibling

and prints a JSON summary on stdout: per image the manifest digest, config digest (= image
ID), layer digests (compressed), diff IDs (uncompressed) and sizes. Layers are built
deterministically (fixed times, owners and order), so digests are stable for one busybox.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

MTIME = 1700000000
APPLETS = ["sh", "ls", "cat", "echo", "true", "false", "sleep", "id", "wget", "httpd",
           "ps", "env", "mkdir", "rm", "touch", "test", "grep", "stat", "head", "hostname"]


def add_dir(tar, name, mode=0o755):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE
    ti.mode = mode
    ti.mtime = MTIME
    tar.addfile(ti)


def add_file(tar, name, data, mode=0o644, uid=0, gid=0):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = mode
    ti.mtime = MTIME
    ti.uid, ti.gid = uid, gid
    tar.addfile(ti, io.BytesIO(data))


def add_symlink(tar, name, target):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.SYMTYPE
    ti.linkname = target
    ti.mtime = MTIME
    ti.mode = 0o777
    tar.addfile(ti)


def make_layer(build):
    """Returns (uncompressed tar bytes, gzip bytes)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        build(tar)
    data = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, compresslevel=6) as f:
        f.write(data)
    return data, gz.getvalue()


def base_layer(busybox):
    def build(tar):
        for d in ("bin", "etc", "tmp", "root", "var"):
            add_dir(tar, d, 0o1777 if d == "tmp" else 0o755)
        add_file(tar, "bin/busybox", busybox, 0o755)
        for a in APPLETS:
            add_symlink(tar, "bin/" + a, "busybox")
        add_file(tar, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
                 b"daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                 b"app:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
        add_file(tar, "etc/group", b"root:x:0:\ndaemon:x:1:\napp:x:1000:\nnogroup:x:65534:\n")
    return make_layer(build)


def data_layer():
    def build(tar):
        add_dir(tar, "data")
        add_file(tar, "data/keep", b"keep\n")
        add_file(tar, "data/gone", b"this file is deleted by the next layer\n")
        add_dir(tar, "opq")
        add_file(tar, "opq/a", b"a\n")
        add_file(tar, "opq/b", b"b\n")
        add_file(tar, "data/owned", b"owned by app\n", 0o640, 1000, 1000)
    return make_layer(build)


def whiteout_layer():
    def build(tar):
        add_dir(tar, "data")
        add_file(tar, "data/.wh.gone", b"")
        add_dir(tar, "opq")
        add_file(tar, "opq/.wh..wh..opq", b"")
        add_file(tar, "opq/c", b"c\n")
    return make_layer(build)


def sibling_layer():
    def build(tar):
        add_dir(tar, "sibling")
        add_file(tar, "sibling/hello", b"from the sibling image\n")
    return make_layer(build)


def sha256(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def write_blob(layout, data):
    d = sha256(data)
    p = os.path.join(layout, "blobs", "sha256", d.split(":", 1)[1])
    with open(p, "wb") as f:
        f.write(data)
    return d


def write_image(outdir, name, layers, cmd, user=""):
    layout = os.path.join(outdir, name)
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    descs, diff_ids = [], []
    for raw, gz in layers:
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": write_blob(layout, gz), "size": len(gz)})
        diff_ids.append(sha256(raw))
    config = {
        "created": "2023-11-14T22:13:20Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": cmd, "WorkingDir": "/", "User": user,
                   "Labels": {"crio.test.image": name}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "make-oci-images.py layer %d" % i}
                    for i in range(len(layers))],
    }
    cbytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    cdesc = {"mediaType": "application/vnd.oci.image.config.v1+json",
             "digest": write_blob(layout, cbytes), "size": len(cbytes)}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cdesc, "layers": descs}
    mbytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    mdigest = write_blob(layout, mbytes)
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest,
        "size": len(mbytes), "annotations": {"org.opencontainers.image.ref.name": "1"}}]}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(index, f)
    return {"layout": layout, "manifest_digest": mdigest, "manifest_size": len(mbytes),
            "config_digest": cdesc["digest"], "id": cdesc["digest"].split(":", 1)[1],
            "layer_digests": [d["digest"] for d in descs], "layer_sizes": [d["size"] for d in descs],
            "diff_ids": diff_ids, "diff_sizes": [len(r) for r, _ in layers]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--busybox", default="/bin/busybox")
    a = ap.parse_args()
    with open(a.busybox, "rb") as f:
        busybox = f.read()
    base = base_layer(busybox)
    images = {
        "busybox": write_image(a.outdir, "busybox", [base], ["/bin/sh"]),
        "layered": write_image(a.outdir, "layered", [base, data_layer(), whiteout_layer()], ["/bin/sh"]),
        "sibling": write_image(a.outdir, "sibling", [base, sibling_layer()], ["/bin/sh"], user="app"),
    }
    json.dump(images, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
