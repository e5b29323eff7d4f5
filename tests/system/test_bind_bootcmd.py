"""tests/system/test_bind_bootcmd.py - `vserial bind` in the boot commands
(what dts/linux.dts does for make run-linux): the terminal, which starts
after them, comes up bound to that guest console; a bad endpoint is
refused there with the usual message. Configuration tests/system/dts/
term-ops.dts (echo sends back what its UART receives).
"""
import re
from pathlib import Path

from conftest import boot_bochs_terminal

DTS = Path(__file__).resolve().parent / "dts" / "term-ops.dts"


def test_bind_from_bootcmd(make_dtb, make_iso, guest_bin):
    dtb = make_dtb(DTS)
    iso = make_iso('bootcmd="guest kick all; vserial bind nosuch/uart0; vserial bind echo/uart0"',
                   [dtb, guest_bin("tick"), guest_bin("echo"), guest_bin("hello")])
    t = boot_bochs_terminal(iso, cpus=2)
    try:
        t.expect(r"^vserial: no endpoint 'nosuch/uart0' \(see 'vserial list'\)$", timeout=120)
        t.expect(r"^vserial: the terminal binds to echo/uart0 when it starts \(ESC x q comes back\)$",
                 timeout=20)
        t.expect(r"^xvisor-x86: ready$", timeout=20)
        t.expect(r"^vserial: bound to echo/uart0: keys go to the guest, ESC x q comes back$", timeout=20)
        t.send("typed at boot\r")
        t.expect(r"typed at boot", timeout=20)
        t.send("\x1bxq")
        t.expect(r"^vserial: detached from echo/uart0$", timeout=20)
        out = t.command("vserial list", timeout=20)
        m = re.search(r"^\s+echo/uart0\s+(\d+)\s+(\d+)$", out, re.M)
        assert m and int(m.group(2)) == len("typed at boot\r"), out
    finally:
        t.close()
