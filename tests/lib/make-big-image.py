#!/usr/bin/python3
"""Writes an OCI layout OUTDIR with one image (tag "1") of one large gzip layer:
COUNT files of SIZE_KB random kilobytes (incompressible), in 20 directories.

    make-big-image.py OUTDIR [--count 2000] [--size-kb 100]
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import tarfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--size-kb", type=int, default=100)
    a = ap.parse_args()
    blobs = os.path.join(a.outdir, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    tmp = os.path.join(a.outdir, "layer.tmp")
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
                for d in range(20):
                    ti = tarfile.TarInfo("d%02d" % d)
                    ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 1700000000
                    tar.addfile(ti)
                for i in range(a.count):
                    data = os.urandom(a.size_kb * 1024)
                    ti = tarfile.TarInfo("d%02d/f%05d" % (i % 20, i))
                    ti.size, ti.mode, ti.mtime = len(data), 0o644, 1700000000
                    tar.addfile(ti, io.BytesIO(data))
    h = hashlib.sha256()
    with open(tmp, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    ldigest = "sha256:" + h.hexdigest()
    lsize = os.path.getsize(tmp)
    os.rename(tmp, os.path.join(blobs, h.hexdigest()))

    def blob(obj):
        b = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
        d = hashlib.sha256(b).hexdigest()
        with open(os.path.join(blobs, d), "wb") as f:
            f.write(b)
        return "sha256:" + d, len(b)

    cd, cs = blob({"architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
                   "config": {}, "rootfs": {"type": "layers", "diff_ids": ["sha256:" + raw_hash.hexdigest()]}})
    md, ms = blob({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                   "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                               "digest": ldigest, "size": lsize}]})
    with open(os.path.join(a.outdir, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(a.outdir, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
            "annotations": {"org.opencontainers.image.ref.name": "1"}}]}, f)
    print(json.dumps({"layer_size": lsize, "layer_digest": ldigest, "id": cd[7:]}))


if __name__ == "__main__":
    main()
