"""tests/system/test_threads.py - hypervisor threads on two host CPUs
(issue 11, items 7 and 9): the lead's `thread test` command makes threads
sleep, wake, wait on wait queues (with and without timeout) and take a
mutex from both CPUs, and prints "thread test: PASS ..." lines (one per
check) or "thread test: FAIL ...". Run once on an idle host and once with
four CPU-bound guests on the two CPUs (tests/system/dts/smp-four.dts), where
the threads compete with VCPUs for both CPUs. Waits for the lead.
"""
from smp_lib import ALIVE, assert_alive, smp_boot, ticks


def check_thread_test(r):
    """PASS said, no FAIL, the hypervisor alive afterwards."""
    assert_alive(r)
    r.expect(r"^bootcmd> thread test$", r"^thread test: PASS")
    r.refute(r"^thread test: FAIL|^error: |^usage: ")


def test_threads_on_idle_host(make_iso, boot_bochs):
    """thread test on two CPUs with no guest running."""
    r = boot_bochs(make_iso('bootcmd="thread test; echo %s; poweroff"' % ALIVE),
                   timeout=120, cpus=2, until=r"^powering off$|CPU\d+: stopped|PANIC")
    check_thread_test(r)


def test_threads_under_guest_load(make_dtb, make_iso, boot_bochs, guest_bin):
    """thread test while four CPU-bound guests keep both CPUs busy: it
    still passes and the guests still tick while it runs."""
    r = smp_boot(make_dtb, make_iso, boot_bochs, guest_bin, "smp-four", ["tick"],
                 "guest kick all; sleep 100; thread test; echo %s; poweroff" % ALIVE)
    check_thread_test(r)
    start = r.search(r"^bootcmd> thread test$").start()
    for g in ("t1", "t2", "t3", "t4"):
        assert ticks(r, g, start), "%s stopped while the thread test ran\n%s" % (g, r)
