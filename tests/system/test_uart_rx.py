"""tests/system/test_uart_rx.py - the UART's receive side from the host:
`vserial send` puts bytes into the guest's 16550 (tests/guests/uartrx.asm):
a line through the FIFO trigger interrupt, two bytes through the character
timeout, and 20 bytes through the 16-byte FIFO and the endpoint's input queue
(none lost); the bootcmd runs while a guest
busy-polls with interrupts off, so the hypervisor's own commands get their
turn (the idle orphan is not starved)."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BOOTCMD = ("guest kick all; sleep 20; vserial send uartrx/uart0 hello\\n; sleep 20; "
           "vserial send uartrx/uart0 ab; sleep 20; "
           "vserial send uartrx/uart0 0123456789ABCDEFGHIJ; guest wait; vserial list; poweroff")


def test_uart_receive_fifo_timeout_queue(make_iso, boot_bochs, make_dtb, guest_bin):
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-uartrx.dts")
    iso = make_iso('bootcmd="%s"' % BOOTCMD, [dtb, guest_bin("uartrx")])
    r = boot_bochs(iso, timeout=90)
    src = REPO / "tests" / "guests" / "uartrx.asm"
    names = re.findall(r"^\s*T_EQ .*'([a-z0-9-]+)'\s*$", src.read_text(), re.M)
    assert len(names) >= 8, names
    for name in names:
        r.expect(r"^uartrx: PASS %s$" % re.escape(name))
    r.refute(r"^uartrx: FAIL")
    r.expect(r"^guest uartrx: uartrx/vcpu0 shut down with status 0$")
    r.expect(r"^  uartrx/uart0 +\d+ +28$")      # 6 + 2 + 20 bytes received
    assert r.exited


def test_hypercall_console_input(make_iso, boot_bochs, make_dtb, guest_bin):
    """The hypercall console takes input too: bytes sent to <guest>/hvc wait
    in its queue until the guest asks with CONSOLE_GETC (tests/guests/hvcecho.asm
    echoes them and stops at 'q')."""
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-hvcecho.dts")
    cmd = ("guest kick all; sleep 20; vserial send hvcecho/hvc abc\\n; sleep 20; "
           "vserial send hvcecho/hvc xyzq; guest wait; vserial list; poweroff")
    iso = make_iso('bootcmd="%s"' % cmd, [dtb, guest_bin("hvcecho")])
    r = boot_bochs(iso, timeout=90)
    r.expect(r"^hvcecho: hvc ready$", r"^hvcecho: abc$", r"^hvcecho: xyzq$",
             r"^guest hvcecho: hvcecho/vcpu0 shut down with status 0$")
    r.expect(r"^  hvcecho/hvc +\d+ +8$")      # 4 + 4 bytes received
    assert r.exited


def test_vserial_command_errors(build, boot_qemu):
    r = boot_qemu(kernel=build, append='bootcmd="vserial send nosuch/uart0 x; vserial bogus; poweroff"',
                  timeout=30)
    r.expect(r"vserial: no endpoint 'nosuch/uart0' \(see 'vserial list'\)",
             r"usage: vserial list \| send <endpoint> <text>")
    assert r.exited
