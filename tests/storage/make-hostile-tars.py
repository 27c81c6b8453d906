#!/usr/bin/python3
"""Writes small layer tarballs, valid and hostile, for the fuzz-tar seed corpus.

    /usr/bin/python3 tests/storage/make-hostile-tars.py tests/fuzz/corpus/tar

Every file is deterministic (fixed mtimes, no user names), so re-running it leaves the
corpus unchanged. gzip members are written with mtime 0; zstd ones with the zstd program if it
is installed (Python 3.11 has no zstd module), else skipped.

The corpus's found-* files are not made here: they are small inputs that reached new code
in libFuzzer runs of build-fuzz/fuzz-tar (kept after -merge=1), replayed by make check.
"""
import gzip
import io
import os
import shutil
import subprocess
import sys
import tarfile

MTIME = 1234567890


def info(name, type=tarfile.REGTYPE, mode=0o644, **kw):
    ti = tarfile.TarInfo(name)
    ti.type = type
    ti.mode = mode
    ti.mtime = MTIME
    ti.uname = ti.gname = ""
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti


def build(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for e in entries:
            ti, data = e if isinstance(e, tuple) else (e, None)
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
        end = t.offset
    # Keep the two zero blocks that end the archive, not tarfile's padding to 10 KiB records.
    return buf.getvalue()[:end + 1024]


def reg(name, data=b"data", **kw):
    return (info(name, **kw), data)


def gz(data):
    return gzip.compress(data, mtime=0)


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = {
        # valid layers
        "valid-ustar.tar": build([info("etc/", tarfile.DIRTYPE, 0o755), reg("etc/hosts", b"127.0.0.1 localhost\n"),
                                  info("etc/link", tarfile.SYMTYPE, 0o777, linkname="hosts"),
                                  info("etc/hard", tarfile.LNKTYPE, linkname="etc/hosts")], tarfile.USTAR_FORMAT),
        "valid-pax-xattrs.tar": build([reg("f", b"x", pax_headers={"SCHILY.xattr.user.foo": "bar",
                                                                    "SCHILY.xattr.trusted.x": "y"}),
                                       reg("bin/su", b"su", mode=0o4755, uid=1000, gid=1000)]),
        "valid-gnu-longname.tar": build([reg("d/" + "n" * 200, b"long")], tarfile.GNU_FORMAT),
        "valid-devices.tar": build([info("dev/null", tarfile.CHRTYPE, 0o666, devmajor=1, devminor=3),
                                    info("dev/loop0", tarfile.BLKTYPE, 0o660, devmajor=7, devminor=0),
                                    info("fifo", tarfile.FIFOTYPE, 0o600)]),
        "valid-whiteouts.tar": build([info("d/", tarfile.DIRTYPE, 0o755), reg("d/.wh.gone", b""),
                                      info("o/", tarfile.DIRTYPE, 0o750), reg("o/.wh..wh..opq", b""),
                                      reg("o/new", b"n"), reg(".wh..wh.plnk", b""), reg("x/y/.wh.z", b"")]),
        "valid-root-entry.tar": build([info("./", tarfile.DIRTYPE, 0o700), reg("./a", b"a")]),
        "empty-layer.tar": b"\0" * 1024,
        # hostile layers
        "escape-dotdot.tar": build([reg("../x")]),
        "escape-absolute.tar": build([reg("/tmp/crio-fuzz-escaped")]),
        "escape-inner-dotdot.tar": build([reg("a/../../x")]),
        "escape-symlink-root.tar": build([info("l", tarfile.SYMTYPE, 0o777, linkname="/"),
                                          reg("l/tmp/crio-fuzz-escaped")]),
        "escape-symlink-parent.tar": build([info("l", tarfile.SYMTYPE, 0o777, linkname=".."), reg("l/x")]),
        "escape-hardlink-dotdot.tar": build([info("h", tarfile.LNKTYPE, linkname="../../etc/passwd")]),
        "escape-hardlink-absolute.tar": build([info("h", tarfile.LNKTYPE, linkname="/etc/passwd")]),
        "escape-hardlink-via-symlink.tar": build([info("l", tarfile.SYMTYPE, 0o777, linkname="/etc"),
                                                  info("h", tarfile.LNKTYPE, linkname="l/passwd")]),
        "escape-dir-then-symlink.tar": build([info("d/", tarfile.DIRTYPE, 0o700),
                                              info("d", tarfile.SYMTYPE, 0o777, linkname="/tmp")]),
        "whiteout-dotdot.tar": build([reg(".wh.../x", b"")]),
        "whiteout-dot.tar": build([reg("d/.wh..", b"")]),
        "whiteout-dir.tar": build([info(".wh.d/", tarfile.DIRTYPE, 0o755), reg(".wh.d/f")]),
        "whiteout-through-symlink.tar": build([info("l", tarfile.SYMTYPE, 0o777, linkname="/tmp"),
                                               reg("l/.wh..wh..opq", b"")]),
        "overlay-xattr.tar": build([reg("f", b"x", pax_headers={"SCHILY.xattr.trusted.overlay.opaque": "y"})]),
        "fifo-hardlink-with-data.tar": build([info("p", tarfile.FIFOTYPE, 0o644),
                                              (info("q", tarfile.LNKTYPE, linkname="p", size=5, pax_headers={"comment": "pax"}), b"hello")],
                                             tarfile.PAX_FORMAT),
    }
    big = build([reg("big", bytes(range(256)) * 400)])
    cases["truncated.tar"] = big[:512 + 30000]
    cases["valid.tar.gz"] = gz(cases["valid-ustar.tar"])
    cases["whiteouts.tar.gz"] = gz(cases["valid-whiteouts.tar"])
    cases["multi-member.tar.gz"] = gz(big[:700]) + gz(big[700:])
    corrupt = bytearray(gz(big))
    corrupt[len(corrupt) // 2] ^= 0x55
    cases["corrupt.tar.gz"] = bytes(corrupt)
    cases["truncated.tar.gz"] = gz(big)[:-20]
    if shutil.which("zstd"):
        zst = subprocess.run(["zstd", "-q", "-c", "-3"], input=cases["valid-whiteouts.tar"], check=True,
                             stdout=subprocess.PIPE).stdout
        cases["whiteouts.tar.zst"] = zst
        cases["truncated.tar.zst"] = zst[:-10]
    for name, data in sorted(cases.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(cases)} files to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/tar")
