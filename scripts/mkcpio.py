#!/usr/bin/python3
"""scripts/mkcpio.py OUT.cpio.gz DIR [--node PATH:c|b:MAJOR:MINOR:MODE]...

Write a gzip-compressed cpio archive in the "newc" format the Linux kernel
unpacks as its initramfs (Documentation/driver-api/early-userspace/
buffer-format.rst): every directory, regular file and symbolic link under DIR
(paths relative to DIR, parents before children), then one device node for
each --node (e.g. dev/console:c:5:1:600; the kernel opens /dev/console for
/init before anything is mounted). Every entry is owned by root and dated 0,
so the archive depends only on the files' contents and modes, and no root
rights are needed to make device nodes. Owns only the archive format.
"""
import gzip
import os
import stat
import sys


def die(msg):
    sys.stderr.write("mkcpio.py: %s\n" % msg)
    sys.exit(1)


class Writer:
    def __init__(self, out):
        self.out = out
        self.ino = 1
        self.pos = 0

    def _put(self, data):
        self.out.write(data)
        self.pos += len(data)

    def _pad(self):
        self._put(b"\0" * (-self.pos % 4))

    def entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        encoded = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(encoded), 0)
        self.ino += 1
        self._put(b"070701" + b"".join(b"%08X" % f for f in fields))
        self._put(encoded)
        self._pad()
        self._put(data)
        self._pad()


def parse_node(spec):
    parts = spec.split(":")
    if len(parts) != 5 or parts[1] not in ("c", "b"):
        die("--node %r: want PATH:c|b:MAJOR:MINOR:MODE (e.g. dev/console:c:5:1:600)" % spec)
    try:
        major, minor, perm = int(parts[2]), int(parts[3]), int(parts[4], 8)
    except ValueError:
        die("--node %r: MAJOR and MINOR must be decimal, MODE octal" % spec)
    kind = stat.S_IFCHR if parts[1] == "c" else stat.S_IFBLK
    return parts[0].strip("/"), kind | perm, (major, minor)


def main(argv):
    args, nodes = [], []
    i = 0
    while i < len(argv):
        if argv[i] == "--node" and i + 1 < len(argv):
            nodes.append(parse_node(argv[i + 1]))
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 2:
        die("usage: mkcpio.py OUT.cpio.gz DIR [--node PATH:c|b:MAJOR:MINOR:MODE]...")
    out_path, top = args
    if not os.path.isdir(top):
        die("%s: not a directory" % top)

    tmp = out_path + ".tmp"
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        w = Writer(gz)
        for root, dirs, files in os.walk(top):
            dirs.sort()
            rel_root = os.path.relpath(root, top)
            if rel_root != ".":
                w.entry(rel_root, stat.S_IFDIR | 0o755, nlink=2)
            for f in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                path = os.path.join(root, f)
                rel = os.path.normpath(os.path.join(rel_root, f))
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    w.entry(rel, stat.S_IFLNK | 0o777, os.readlink(path).encode())
                elif stat.S_ISREG(st.st_mode):
                    with open(path, "rb") as fh:
                        w.entry(rel, stat.S_IFREG | stat.S_IMODE(st.st_mode), fh.read())
                else:
                    die("%s: neither a directory, a regular file nor a symbolic link" % path)
        for name, mode, rdev in nodes:
            w.entry(name, mode, rdev=rdev)
        w.entry("TRAILER!!!", 0)
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main(sys.argv[1:])
