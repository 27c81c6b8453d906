#!/usr/bin/python3
"""Builds the test images as OCI image layouts, from the machine's busybox-static.

    make-oci-images.py OUTDIR [--busybox /bin/busybox] [--pause build/pause]
                       [--big [--big-layers 5] [--big-mb 40]]

Writes OUTDIR/<name>/ (an OCI layout, tag "1") for:
  busybox   one layer: busybox, its applet links, /etc/passwd, /etc/group, /tmp
  layered   three layers: the busybox layer; a layer adding /data/{keep,gone} and
            /opq/{a,b}; a layer whiting out /data/gone and making /opq opaque (adds /opq/c)
  sibling   two layers: the busybox layer (shared with the others) and one adding /sibling
  multiarch an OCI image index for linux/amd64, linux/arm64/v8 and linux/arm/v7: each image
            the busybox layer plus a layer with /platform holding its platform string
            (busybox itself is the machine's in all three: only metadata and /platform differ)
  pause     (with --pause PATH) one layer holding PATH as /pause (crio's static pause), for
            pause_image tests
  big       (with --big) BIG_LAYERS (5) gzip layers of BIG_MB (40) MB of random data, from
            make-big-image.py (no busybox: for pull benchmarks)

and prints a JSON summary on stdout: per image the manifest digest, config digest (= image
ID), layer digests (compressed), diff IDs (uncompressed) and sizes; for multiarch the index
digest and, under "manifests", that summary per platform. A Docker manifest list of the same
images is what `skopeo copy --all --format v2s2` pushes. Layers are built
deterministically (fixed times, owners and order), so digests are stable for one busybox.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

MTIME = 1700000000
PLATFORMS = ("linux/amd64", "linux/arm64/v8", "linux/arm/v7")
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


def pause_layer(pause):
    def build(tar):
        add_file(tar, "pause", pause, 0o755)
    return make_layer(build)


def sha256(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def write_blob(layout, data):
    d = sha256(data)
    p = os.path.join(layout, "blobs", "sha256", d.split(":", 1)[1])
    with open(p, "wb") as f:
        f.write(data)
    return d


def init_layout(outdir, name):
    layout = os.path.join(outdir, name)
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    return layout


def write_manifest(layout, name, layers, cmd, user="", arch="amd64", variant=None):
    """Writes the layers, config and manifest blobs of one image; returns its summary."""
    descs, diff_ids = [], []
    for raw, gz in layers:
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": write_blob(layout, gz), "size": len(gz)})
        diff_ids.append(sha256(raw))
    config = {
        "created": "2023-11-14T22:13:20Z",
        "architecture": arch,
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": cmd, "WorkingDir": "/", "User": user,
                   "Labels": {"crio.test.image": name}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "make-oci-images.py layer %d" % i}
                    for i in range(len(layers))],
    }
    if variant:
        config["variant"] = variant
    cbytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    cdesc = {"mediaType": "application/vnd.oci.image.config.v1+json",
             "digest": write_blob(layout, cbytes), "size": len(cbytes)}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cdesc, "layers": descs}
    mbytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    mdigest = write_blob(layout, mbytes)
    return {"layout": layout, "manifest_digest": mdigest, "manifest_size": len(mbytes),
            "config_digest": cdesc["digest"], "id": cdesc["digest"].split(":", 1)[1],
            "layer_digests": [d["digest"] for d in descs], "layer_sizes": [d["size"] for d in descs],
            "diff_ids": diff_ids, "diff_sizes": [len(r) for r, _ in layers]}


def write_index_json(layout, media_type, digest, size):
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": media_type, "digest": digest,
        "size": size, "annotations": {"org.opencontainers.image.ref.name": "1"}}]}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(index, f)


def write_image(outdir, name, layers, cmd, user=""):
    layout = init_layout(outdir, name)
    info = write_manifest(layout, name, layers, cmd, user)
    write_index_json(layout, "application/vnd.oci.image.manifest.v1+json", info["manifest_digest"],
                     info["manifest_size"])
    return info


def platform_layer(platform):
    def build(tar):
        add_file(tar, "platform", (platform + "\n").encode())
    return make_layer(build)


def write_multiarch(outdir, name, base):
    """An OCI index (the layout's tag "1") of one image per PLATFORMS entry: the busybox layer
    (the machine's busybox for all: only the metadata and /platform differ) plus a layer with
    /platform holding the platform string, e.g. "linux/arm64/v8"."""
    layout = init_layout(outdir, name)
    entries, images = [], {}
    for plat in PLATFORMS:
        _, arch, *rest = plat.split("/")
        variant = rest[0] if rest else None
        info = write_manifest(layout, name, [base, platform_layer(plat)], ["/bin/sh"], arch=arch, variant=variant)
        p = {"architecture": arch, "os": "linux"}
        if variant:
            p["variant"] = variant
        entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": info["manifest_digest"], "size": info["manifest_size"], "platform": p})
        del info["layout"]
        images[plat] = info
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
    ibytes = json.dumps(index, sort_keys=True, separators=(",", ":")).encode()
    idigest = write_blob(layout, ibytes)
    write_index_json(layout, "application/vnd.oci.image.index.v1+json", idigest, len(ibytes))
    return {"layout": layout, "index_digest": idigest, "index_size": len(ibytes),
            "platforms": list(PLATFORMS), "manifests": images}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--busybox", default="/bin/busybox")
    ap.add_argument("--pause", help="also the pause image: this file as its /pause")
    ap.add_argument("--big", action="store_true",
                    help="also the big image (make-big-image.py): BIG_LAYERS layers of BIG_MB MB of random data")
    ap.add_argument("--big-layers", type=int, default=5)
    ap.add_argument("--big-mb", type=int, default=40)
    a = ap.parse_args()
    with open(a.busybox, "rb") as f:
        busybox = f.read()
    base = base_layer(busybox)
    images = {
        "busybox": write_image(a.outdir, "busybox", [base], ["/bin/sh"]),
        "layered": write_image(a.outdir, "layered", [base, data_layer(), whiteout_layer()], ["/bin/sh"]),
        "sibling": write_image(a.outdir, "sibling", [base, sibling_layer()], ["/bin/sh"], user="app"),
        "multiarch": write_multiarch(a.outdir, "multiarch", base),
    }
    if a.pause:
        with open(a.pause, "rb") as f:
            images["pause"] = write_image(a.outdir, "pause", [pause_layer(f.read())], ["/pause"])
    if a.big:
        out = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-big-image.py"),
                              os.path.join(a.outdir, "big"), "--layers", str(a.big_layers),
                              "--count", str(a.big_mb * 10), "--size-kb", "100"],
                             check=True, stdout=subprocess.PIPE).stdout
        images["big"] = json.loads(out)
    json.dump(images, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
