"""tests/system/test_harness.py - the boot helpers of conftest.py leave no
emulator behind: after a run that the test ended (hypervisor idling), a run
that timed out, and a run whose emulator exited by itself, nothing of the
run's process group (run-bochs.sh, its stdin holder, bochs; qemu) is alive,
checked with pgrep."""
import subprocess


def pgrep(*args):
    """pgrep's matching processes as text ('' when none)."""
    r = subprocess.run(["pgrep", "-a"] + list(args), capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr     # 1: no process matched
    return r.stdout.strip()


def assert_gone(r):
    assert not pgrep("-g", str(r.pgid)), "process group %d survives:\n%s" % (
        r.pgid, pgrep("-g", str(r.pgid)))
    assert not pgrep("-f", str(r.workdir)), "processes of %s survive:\n%s" % (
        r.workdir, pgrep("-f", str(r.workdir)))


def test_bochs_stopped_by_test_leaves_nothing(default_iso, boot_bochs):
    r = boot_bochs(default_iso, timeout=30, until=r"^xvisor-x86: ready$", linger=0)
    assert r.matched and not r.exited, r
    assert_gone(r)


def test_bochs_timeout_leaves_nothing(default_iso, boot_bochs):
    """A run that never sees its `until` ends at the timeout."""
    r = boot_bochs(default_iso, timeout=2, until=r"never printed")
    assert r.timed_out and not r.matched and not r.exited, r
    assert r.elapsed < 2 + 8, r          # SIGTERM/SIGKILL grace included
    assert_gone(r)


def test_qemu_stopped_by_test_leaves_nothing(default_iso, boot_qemu):
    r = boot_qemu(iso=default_iso, timeout=20, until=r"^xvisor-x86: ready$", linger=0)
    assert r.matched and not r.exited, r
    assert_gone(r)


def test_qemu_exit_by_itself_leaves_nothing(elf, boot_qemu):
    r = boot_qemu(kernel=elf, append="bootcmd=poweroff", timeout=20)
    assert r.exited and not r.timed_out, r
    assert_gone(r)
