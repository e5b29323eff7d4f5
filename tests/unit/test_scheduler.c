/*
 * tests/unit/test_scheduler.c - the idle orphan's wait and the scheduler's
 * flag word (kernel/scheduler.c), on the fake arch layer.
 *
 * The idle orphan runs commands such as `sleep`, which check a condition
 * and then wait for an interrupt. A wakeup (vmm_scheduler_idle_wakeup,
 * called by the interrupt that ends the wait) that comes between the check
 * and the HLT must not be lost: the wait then does not halt at all. The
 * check inside the wait is made with interrupts off, right before STI;HLT.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "tests/unit/fake_heap.h"
#include "kernel/scheduler.h"
#include "kernel/manager.h"
#include "kernel/arch_vcpu.h"

/* The arch VCPU contract: nothing of it runs in these tests but the
 * switch and the yield, which only count. */
static int regs_switches, yields;

int arch_guest_init(struct vmm_guest *g) { (void)g; return 0; }
size_t arch_regs_size(void) { return 256; }
int arch_vcpu_init(struct vmm_vcpu *v) { (void)v; return 0; }
int arch_vcpu_reset(struct vmm_vcpu *v) { (void)v; return 0; }
void arch_vcpu_regs_switch(struct vmm_vcpu *from, struct vmm_vcpu *to, struct arch_regs *regs)
{
	(void)from;
	(void)to;
	(void)regs;
	regs_switches++;
}
void arch_vcpu_yield(void) { yields++; }

/* The arch timer contract: time stands still; a time slice is armed only
 * when a guest VCPU runs, which none does here. */
u64 arch_timer_now_ns(void) { return 1000; }
u64 arch_timer_boot_wallclock_sec(void) { return 0; }
void arch_timer_program(u64 expiry_ns) { (void)expiry_ns; }

static int setup_once(void **state)
{
	(void)state;
	fake_arch_reset();
	/* the code running now becomes CPU0's idle orphan */
	return vmm_scheduler_init_cpu();
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	regs_switches = yields = 0;
	/* no kick left over from an earlier test */
	vmm_scheduler_idle_wait();
	fake_wait_for_irq_calls = 0;
	return 0;
}

static void test_wait_halts_with_the_check_made_interrupts_off(void **state)
{
	(void)state;
	vmm_scheduler_idle_wait();
	assert_int_equal(fake_wait_for_irq_calls, 1);
	/* the wakeup flag was read with interrupts off, then STI;HLT */
	assert_false(fake_wait_for_irq_irq_was_on);
	assert_true(fake_irq_enabled());
}

static void test_wakeup_before_the_wait_is_not_lost(void **state)
{
	(void)state;
	/* a timer interrupt ends `sleep` after the command checked its flag,
	 * before it waits: the wait must not halt */
	vmm_scheduler_idle_wakeup();
	vmm_scheduler_idle_wait();
	assert_int_equal(fake_wait_for_irq_calls, 0);
	/* the kick is used up: the next wait halts */
	vmm_scheduler_idle_wait();
	assert_int_equal(fake_wait_for_irq_calls, 1);
}

static void test_idle_current_wakeup_asks_no_switch(void **state)
{
	(void)state;
	/* the idle orphan is current: a wakeup leaves no reschedule pending */
	vmm_scheduler_idle_wakeup();
	assert_int_equal(vmm_scheduler_resched_cpus, 0);
	vmm_scheduler_idle_wait();
}

static void test_flag_word_set_and_cleared(void **state)
{
	struct arch_regs *regs = (struct arch_regs *)0x1000;	/* never touched */

	(void)state;
	vmm_scheduler_preempt();
	assert_int_equal(vmm_scheduler_resched_cpus, 1u << 0);
	/* nothing else to run: the decision keeps the idle orphan */
	vmm_scheduler_irq_process(regs);
	assert_int_equal(vmm_scheduler_resched_cpus, 0);
	assert_int_equal(regs_switches, 0);
	/* with no flag set the end of a trap does nothing */
	vmm_scheduler_irq_process(regs);
	assert_int_equal(regs_switches, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_wait_halts_with_the_check_made_interrupts_off, setup),
		cmocka_unit_test_setup(test_wakeup_before_the_wait_is_not_lost, setup),
		cmocka_unit_test_setup(test_idle_current_wakeup_asks_no_switch, setup),
		cmocka_unit_test_setup(test_flag_word_set_and_cleared, setup),
	};

	return cmocka_run_group_tests(tests, setup_once, NULL);
}
