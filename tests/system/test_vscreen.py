"""tests/system/test_vscreen.py - 'vserial dump' and 'vscreen show' on a
guest that prints (tests/guests/vscreen.asm, Bochs): the dump shows the
most recent 4 KiB of the UART's output, oldest line first, the line cut by
the ring dropped, control bytes as '.', the unfinished last line included;
the screen shows the guest's two VGA lines in a frame with the cursor
marked; unknown endpoints and guests, and a wrong subcommand, get one line
each. The guest's live console lines keep their "<guest>: <text>" form."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BOOTCMD = ("guest kick all; guest wait; vserial dump vscreen/uart0; vscreen show vscreen; "
           "vserial dump nosuch/uart0; vscreen show nosuch; vscreen bogus; poweroff")


def test_vserial_dump_and_vscreen_show(make_iso, boot_bochs, make_dtb, guest_bin):
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-vscreen.dts")
    iso = make_iso('bootcmd="%s"' % BOOTCMD, [dtb, guest_bin("vscreen")])
    r = boot_bochs(iso, timeout=120)
    # live output, line by line with the guest's name, control bytes as '.'
    r.expect(r"^vscreen: vscreen line 0000$", r"^vscreen: vscreen line 012B$",
             r"^vscreen: ctl:\.\[2J\.end$",
             r"^guest vscreen: vscreen/vcpu0 shut down with status 0$")
    # the dump: 5400 + 14 + 12 bytes sent, the last 4096 kept; line 0x49 was
    # cut by the ring (dropped), 0x4A..0x12B whole, then the last two lines
    total = 300 * 18 + 14 + 12
    head = r.expect(r"^vserial dump vscreen/uart0: last 4096 of %d bytes$" % total)[0]
    dump = re.findall(r"^vscreen/uart0\| (.*)$", r.output[head.end():], re.M)
    want = ["vscreen line %04X" % i for i in range(0x4A, 300)] + ["ctl:.[2J.end", "PASS vscreen"]
    assert dump == want, r
    # the screen: header, frame with the cursor at row 3 column 10
    m = r.expect(r"^vscreen vscreen: 80x25, cursor at row 3 column 10$")[0]
    lines = r.output[m.end():].splitlines()[1:28]
    assert lines[0] == "+" + "-" * 10 + "v" + "-" * 69 + "+", r
    assert lines[1] == "|" + "xvisor vscreen guest: VGA row 0".ljust(80) + "|", r
    assert lines[2] == "|" + " " * 80 + "|", r
    assert lines[3] == "|" + ("    row 2 from column 4").ljust(80) + "|", r
    assert lines[4] == ">" + " " * 80 + "<", r
    assert all(l == "|" + " " * 80 + "|" for l in lines[5:26]), r
    assert lines[26] == "+" + "-" * 10 + "^" + "-" * 69 + "+", r
    # bad input: one clear line each
    r.expect(r"^vserial: no endpoint 'nosuch/uart0' \(see 'vserial list'\)$",
             r"^vscreen: no guest 'nosuch' \(see 'guest list'\)$",
             r"^usage: vscreen show <guest>$")
    assert r.exited
