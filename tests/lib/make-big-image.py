#!/usr/bin/python3
"""Writes an OCI layout OUTDIR with one image (tag "1") of LAYERS large gzip layers (default
one): each COUNT files of SIZE_KB random kilobytes (incompressible), in 20 directories
(d00..d19 with one layer; l<N>/d00..d19 in layer N with several).

    make-big-image.py OUTDIR [--count 2000] [--size-kb 100] [--layers 1]

Prints a JSON summary: layer_size and layer_digest (the first layer), layer_sizes,
layer_digests, diff_ids, total_size, manifest_digest, id (the config digest's hex).
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import tarfile


def write_layer(blobs, prefix, count, size_kb, tmp):
    """One layer; returns (compressed digest, compressed size, diff ID)."""
    raw_hash = hashlib.sha256()

    class Tee(io.RawIOBase):
        def __init__(self, f):
            self.f = f

        def writable(self):
            return True

        def write(self, b):
            raw_hash.update(b)
            self.f.write(b)
            return len(b)

    with open(tmp, "wb") as out:
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=1) as gz:
            with tarfile.open(fileobj=Tee(gz), mode="w|", format=tarfile.PAX_FORMAT) as tar:
                if prefix:
                    ti = tarfile.TarInfo(prefix.rstrip("/"))
                    ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 1700000000
                    tar.addfile(ti)
                for d in range(20):
                    ti = tarfile.TarInfo(prefix + "d%02d" % d)
                    ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 1700000000
                    tar.addfile(ti)
                for i in range(count):
                    data = os.urandom(size_kb * 1024)
                    ti = tarfile.TarInfo(prefix + "d%02d/f%05d" % (i % 20, i))
                    ti.size, ti.mode, ti.mtime = len(data), 0o644, 1700000000
                    tar.addfile(ti, io.BytesIO(data))
    h = hashlib.sha256()
    with open(tmp, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    size = os.path.getsize(tmp)
    os.rename(tmp, os.path.join(blobs, h.hexdigest()))
    return "sha256:" + h.hexdigest(), size, "sha256:" + raw_hash.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--size-kb", type=int, default=100)
    ap.add_argument("--layers", type=int, default=1)
    a = ap.parse_args()
    blobs = os.path.join(a.outdir, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    tmp = os.path.join(a.outdir, "layer.tmp")
    layers = [write_layer(blobs, "l%d/" % n if a.layers > 1 else "", a.count, a.size_kb, tmp)
              for n in range(a.layers)]

    def blob(obj):
        b = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
        d = hashlib.sha256(b).hexdigest()
        with open(os.path.join(blobs, d), "wb") as f:
            f.write(b)
        return "sha256:" + d, len(b)

    cd, cs = blob({"architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
                   "config": {}, "rootfs": {"type": "layers", "diff_ids": [l[2] for l in layers]}})
    md, ms = blob({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                   "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                               "digest": l[0], "size": l[1]} for l in layers]})
    with open(os.path.join(a.outdir, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(a.outdir, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
            "annotations": {"org.opencontainers.image.ref.name": "1"}}]}, f)
    print(json.dumps({"layout": a.outdir, "layer_size": layers[0][1], "layer_digest": layers[0][0],
                      "layer_sizes": [l[1] for l in layers], "layer_digests": [l[0] for l in layers],
                      "diff_ids": [l[2] for l in layers], "total_size": sum(l[1] for l in layers),
                      "manifest_digest": md, "id": cd[7:]}))


if __name__ == "__main__":
    main()
