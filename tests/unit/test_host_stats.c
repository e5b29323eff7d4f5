/*
 * tests/unit/test_host_stats.c - "host cpu stats" and "host irq stats":
 * the per-CPU time split of kernel/cpu_time.c (idle stretches as the
 * scheduler reports them, guest time from the fake arch, the hypervisor
 * the rest, per mille shares adding up to 1000, the caps when the clocks
 * disagree, no overflow after months) and the per-CPU interrupt counts of
 * kernel/host_irq.c, through the "host" command.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/cmd.h"
#include "kernel/cpu_time.h"
#include "kernel/host_irq.h"
#include "kernel/error.h"

VMM_CMD_USE(host);

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	return 0;
}

static int run(const char *line)
{
	char buf[VMM_CMD_LINE_MAX];

	snprintf(buf, sizeof(buf), "%s", line);
	return vmm_cmd_exec_line(buf);
}

static void test_split_arithmetic(void **state)
{
	struct vmm_cpu_time t;

	(void)state;
	vmm_cpu_time_split(1000000, 250000, 500000, &t);
	assert_int_equal(t.idle_ns, 250000);
	assert_int_equal(t.guest_ns, 500000);
	assert_int_equal(t.hyp_ns, 250000);
	assert_int_equal(t.guest_pm, 500);
	assert_int_equal(t.idle_pm, 250);
	assert_int_equal(t.hyp_pm, 250);
	/* thirds: rounded shares still add up to 1000 */
	vmm_cpu_time_split(3, 1, 1, &t);
	assert_int_equal(t.guest_pm + t.idle_pm + t.hyp_pm, 1000);
	assert_int_equal(t.guest_pm, 333);
	/* 0.5 + 0.5 per mille rounded up twice: still 1000 in all */
	vmm_cpu_time_split(2000, 1001, 999, &t);
	assert_int_equal(t.hyp_ns, 0);
	assert_int_equal(t.guest_pm + t.idle_pm + t.hyp_pm, 1000);
	/* guest time beyond what idle leaves: capped, hypervisor 0, not negative */
	vmm_cpu_time_split(1000, 600, 700, &t);
	assert_int_equal(t.idle_ns, 600);
	assert_int_equal(t.guest_ns, 400);
	assert_int_equal(t.hyp_ns, 0);
	/* idle beyond the total: capped */
	vmm_cpu_time_split(1000, 5000, 0, &t);
	assert_int_equal(t.idle_ns, 1000);
	assert_int_equal(t.idle_pm, 1000);
	/* nothing elapsed */
	vmm_cpu_time_split(0, 0, 0, &t);
	assert_int_equal(t.guest_pm + t.idle_pm + t.hyp_pm, 0);
	/* a year of ns: no overflow in the shares */
	vmm_cpu_time_split(365ULL * 86400 * 1000000000ULL, 0, 365ULL * 86400 * 1000000000ULL / 4, &t);
	assert_int_equal(t.guest_pm, 250);
	assert_int_equal(t.hyp_pm, 750);
}

/* The scheduler's reports on CPU1: idle from start, busy, idle again. */
static void test_idle_stretches(void **state)
{
	struct vmm_cpu_time t;

	(void)state;
	vmm_cpu_time_get(1, 100, &t);
	assert_false(t.up);			/* never started */
	vmm_cpu_time_start(1, 1000);
	assert_int_equal(vmm_cpu_time_idle_ns(1, 1500), 500);	/* current stretch counted */
	vmm_cpu_time_idle_leave(1, 2000);
	vmm_cpu_time_idle_leave(1, 2500);	/* a repeat changes nothing */
	assert_int_equal(vmm_cpu_time_idle_ns(1, 9000), 1000);
	vmm_cpu_time_idle_enter(1, 6000);
	vmm_cpu_time_idle_enter(1, 6500);	/* a repeat keeps the first start */
	assert_int_equal(vmm_cpu_time_idle_ns(1, 7000), 2000);
	vmm_cpu_time_idle_leave(1, 8000);
	fake_guest_ns[1] = 3000;
	vmm_cpu_time_get(1, 11000, &t);
	assert_true(t.up);
	assert_int_equal(t.total_ns, 10000);
	assert_int_equal(t.idle_ns, 3000);
	assert_int_equal(t.guest_ns, 3000);
	assert_int_equal(t.hyp_ns, 4000);
	assert_int_equal(t.hyp_pm, 400);
}

/* "host cpu stats" prints every started CPU's split. */
static void test_cpu_stats_command(void **state)
{
	(void)state;
	vmm_cpu_time_start(0, 0);
	vmm_cpu_time_idle_leave(0, 0);
	vmm_cpu_time_idle_enter(0, 600000);	/* idle from 0.6 ms on */
	fake_guest_ns[0] = 300000;
	fake_now_ns = 1000000;
	assert_int_equal(run("host cpu stats"), VMM_OK);
	assert_true(fake_console_contains("total-ns"));
	assert_true(fake_console_contains(
		"  cpu0         1000000       300000 ( 30.0)       300000 ( 30.0)       400000 ( 40.0)\n"));
	assert_false(fake_console_contains("cpu2"));	/* never started */
}

static int irq_calls;

static void count_irq(u32 vector, struct arch_regs *regs, void *data)
{
	(void)vector;
	(void)regs;
	(void)data;
	irq_calls++;
}

/* Counts per CPU and vector; a vector without a handler shows once taken. */
static void test_irq_stats(void **state)
{
	(void)state;
	assert_int_equal(vmm_host_irq_register(0x41, count_irq, NULL), VMM_OK);
	assert_int_equal(vmm_host_irq_register(0x41, count_irq, NULL), -VMM_EBUSY);
	fake_cpus_online = 2;
	for (int i = 0; i < 3; i++)
		vmm_host_irq_exec(0x41, NULL);
	fake_cpu_id = 1;
	vmm_host_irq_exec(0x41, NULL);
	vmm_host_irq_exec(0x55, NULL);		/* no handler: counted, reported once */
	fake_cpu_id = 0;
	assert_int_equal(irq_calls, 4);
	assert_int_equal(vmm_host_irq_count_cpu(0x41, 0), 3);
	assert_int_equal(vmm_host_irq_count_cpu(0x41, 1), 1);
	assert_int_equal(vmm_host_irq_count(0x41), 4);
	assert_int_equal(vmm_host_irq_count(0x42), 0);
	fake_console_reset();
	assert_int_equal(run("host irq stats"), VMM_OK);
	assert_true(fake_console_contains("  vector handler                           cpu0          cpu1\n"));
	/* the fake arch has no symbols: the handler's address stands in */
	assert_true(fake_console_contains("  0x41   handler@0x"));
	assert_true(fake_console_contains("             3             1\n"));
	assert_true(fake_console_contains("  0x55   (no handler)                         0             1\n"));
	assert_false(fake_console_contains("0x42"));
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_split_arithmetic),
		T(test_idle_stretches),
		T(test_cpu_stats_command),
		T(test_irq_stats),
	};

	return cmocka_run_group_tests_name("host_stats", tests, NULL, NULL);
}
