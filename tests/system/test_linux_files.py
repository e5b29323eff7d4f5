"""tests/system/test_linux_files.py - the pieces of the Linux guest's
initramfs that scripts/fetch-linux.sh builds, checked on the host with no
network, no kernel package and no emulator:

- scripts/mkcpio.py: the archive it writes is read back by a newc parser
  written here (magic, fields, 4-byte alignment, trailer): directories before
  their contents, regular files with their modes and bytes, symbolic links,
  the --node device (dev/console c 5:1), every entry owned by root and dated
  0; a malformed --node and a missing directory are refused with a message.
- tests/guests/linux/tscmark.c: built with the flags of fetch-linux.sh, it is
  a static program with no libc that prints exactly one
  "XVX-LINUX-INIT tsc=<decimal>" line, and a later run prints a larger TSC.
- tests/guests/linux/init: /bin/sh -n accepts it; it names both markers and
  both power-off words.
"""
import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MKCPIO = REPO / "scripts" / "mkcpio.py"
PY = "/usr/bin/python3"


def parse_newc(data):
    """[(name, mode, uid, gid, mtime, rdev, bytes)] of a newc archive; asserts its framing."""
    out, pos = [], 0
    while True:
        assert data[pos:pos + 6] == b"070701", "bad magic at %d" % pos
        f = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        _ino, mode, uid, gid, _nlink, mtime, size, _maj, _min, rmaj, rmin, namesize, check = f
        assert check == 0
        name = data[pos + 110:pos + 110 + namesize]
        assert name.endswith(b"\0")
        pos += 110 + namesize
        pos += -pos % 4
        body = data[pos:pos + size]
        pos += size
        pos += -pos % 4
        name = name[:-1].decode()
        if name == "TRAILER!!!":
            assert pos == len(data) or not data[pos:].strip(b"\0")
            return out
        out.append((name, mode, uid, gid, mtime, (rmaj, rmin), body))


def test_mkcpio_round_trip(tmp_path):
    top = tmp_path / "tree"
    (top / "bin").mkdir(parents=True)
    (top / "proc").mkdir()
    (top / "init").write_text("#!/bin/sh\necho hi\n")
    (top / "init").chmod(0o755)
    (top / "bin" / "data").write_bytes(b"x" * 5)
    (top / "bin" / "data").chmod(0o640)
    (top / "bin" / "sh").symlink_to("busybox")
    out = tmp_path / "a.cpio.gz"
    subprocess.run([PY, str(MKCPIO), str(out), str(top), "--node", "dev/console:c:5:1:600"], check=True)
    entries = parse_newc(gzip.decompress(out.read_bytes()))
    by_name = {e[0]: e for e in entries}
    assert sorted(by_name) == ["bin", "bin/data", "bin/sh", "dev/console", "init", "proc"]
    names = [e[0] for e in entries]
    assert names.index("bin") < names.index("bin/data")
    assert by_name["bin"][1] == 0o040755
    assert by_name["init"][1] == 0o100755 and by_name["init"][6] == b"#!/bin/sh\necho hi\n"
    assert by_name["bin/data"][1] == 0o100640 and by_name["bin/data"][6] == b"xxxxx"
    assert by_name["bin/sh"][1] == 0o120777 and by_name["bin/sh"][6] == b"busybox"
    assert by_name["dev/console"][1] == 0o020600 and by_name["dev/console"][5] == (5, 1)
    assert all(e[2] == 0 and e[3] == 0 and e[4] == 0 for e in entries)
    # the same tree gives the same bytes (no dates, no owners in the archive)
    again = tmp_path / "b.cpio.gz"
    subprocess.run([PY, str(MKCPIO), str(again), str(top), "--node", "dev/console:c:5:1:600"], check=True)
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--node", "dev/console:x:5:1:600"], "want PATH:c|b:MAJOR:MINOR:MODE"),
    (["--node", "dev/console:c:five:1:600"], "MAJOR and MINOR must be decimal"),
])
def test_mkcpio_refuses_bad_node(tmp_path, args, message):
    (tmp_path / "t").mkdir()
    r = subprocess.run([PY, str(MKCPIO), str(tmp_path / "o.gz"), str(tmp_path / "t")] + args,
                       capture_output=True, text=True)
    assert r.returncode == 1 and message in r.stderr, r.stderr
    assert not (tmp_path / "o.gz").exists()


def test_mkcpio_refuses_missing_dir(tmp_path):
    r = subprocess.run([PY, str(MKCPIO), str(tmp_path / "o.gz"), str(tmp_path / "nope")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "nope: not a directory" in r.stderr, r.stderr


def test_tscmark(tmp_path):
    if not shutil.which("gcc"):
        pytest.fail("gcc missing: tscmark cannot be built (scripts/deps.sh)")
    exe = tmp_path / "tscmark"
    flags = (REPO / "scripts" / "fetch-linux.sh").read_text()
    m = re.search(r"gcc (-static -nostdlib[^\n]*)\\\n\s*([^\n]*?) \\\n", flags)
    assert m, "fetch-linux.sh: the gcc line of tscmark not found"
    cmd = "gcc %s %s %s -o %s" % (m.group(1), m.group(2), REPO / "tests/guests/linux/tscmark.c", exe)
    subprocess.run(cmd, shell=True, check=True)
    info = subprocess.run(["file", str(exe)], capture_output=True, text=True).stdout \
        if shutil.which("file") else "statically linked"
    assert "statically linked" in info, info
    assert b"GLIBC" not in exe.read_bytes()
    values = []
    for _ in range(2):
        r = subprocess.run([str(exe)], capture_output=True)
        assert r.returncode == 0
        m = re.fullmatch(rb"XVX-LINUX-INIT tsc=([1-9][0-9]*)\n", r.stdout)
        assert m, r.stdout
        values.append(int(m.group(1)))
    assert values[1] > values[0]


def test_init_script():
    init = REPO / "tests" / "guests" / "linux" / "init"
    subprocess.run(["/bin/sh", "-n", str(init)], check=True)
    text = init.read_text()
    for word in ("/bin/tscmark", "XVX-LINUX-CPUS", "xvx.poweroff", "xvx.bench", "poweroff -f",
                 "cttyhack", "mount -t devtmpfs"):
        assert word in text, word
