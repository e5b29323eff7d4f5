/*
 * tests/unit/test_exit_table.c - the list of VM-exit reasons that makes
 * the dispatch table (arch/x86_64/vmx/vmx_exit_reasons.h): every basic
 * reason from 0 to VMX_EXIT_REASONS - 1 has exactly one descriptor, with a
 * name and a handler and a known kind; the enum agrees with the numbers;
 * the instruction exits are the ones SDM 27.2.4 / appendix C make so, and
 * the exits that can end an event's delivery are not marked as such.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/types.h"
#include "arch/x86_64/vmx/vmx_exit_reasons.h"

struct row {
	int number;
	const char *id;		/* the SDM name of the constant */
	const char *name;	/* printed */
	const char *handler;
	unsigned flags;
	int constant;		/* EXIT_REASON_<id> */
};

#define ROW(n, id, nm, fn, fl) { n, #id, nm, #fn, VMX_EXIT_##fl, EXIT_REASON_##id },
static const struct row rows[] = { VMX_EXIT_REASON_LIST(ROW) };
#undef ROW
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static void test_one_per_reason(void **state)
{
	int seen[VMX_EXIT_REASONS] = { 0 };

	(void)state;
	assert_int_equal(NROWS, VMX_EXIT_REASONS);
	for (size_t i = 0; i < NROWS; i++) {
		assert_true(rows[i].number >= 0 && rows[i].number < VMX_EXIT_REASONS);
		seen[rows[i].number]++;
		assert_int_equal(rows[i].constant, rows[i].number);
		assert_non_null(rows[i].name);
		assert_true(strlen(rows[i].name) > 0);
		assert_true(strlen(rows[i].handler) > 0);
		assert_true(rows[i].flags == VMX_EXIT_EVT || rows[i].flags == VMX_EXIT_INSN ||
			    rows[i].flags == VMX_EXIT_OWNV);
		/* a name is unique */
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(rows[i].name, rows[j].name);
			assert_string_not_equal(rows[i].id, rows[j].id);
		}
	}
	for (int r = 0; r < VMX_EXIT_REASONS; r++)
		assert_int_equal(seen[r], 1);
}

/* The numbers of appendix C for the reasons the hypervisor handles. */
static void test_sdm_numbers(void **state)
{
	(void)state;
	assert_int_equal(EXIT_REASON_EXCEPTION_NMI, 0);
	assert_int_equal(EXIT_REASON_EXTERNAL_INTERRUPT, 1);
	assert_int_equal(EXIT_REASON_TRIPLE_FAULT, 2);
	assert_int_equal(EXIT_REASON_INIT_SIGNAL, 3);
	assert_int_equal(EXIT_REASON_SIPI, 4);
	assert_int_equal(EXIT_REASON_INTERRUPT_WINDOW, 7);
	assert_int_equal(EXIT_REASON_TASK_SWITCH, 9);
	assert_int_equal(EXIT_REASON_CPUID, 10);
	assert_int_equal(EXIT_REASON_HLT, 12);
	assert_int_equal(EXIT_REASON_VMCALL, 18);
	assert_int_equal(EXIT_REASON_CR_ACCESS, 28);
	assert_int_equal(EXIT_REASON_MOV_DR, 29);
	assert_int_equal(EXIT_REASON_IO_INSTRUCTION, 30);
	assert_int_equal(EXIT_REASON_RDMSR, 31);
	assert_int_equal(EXIT_REASON_WRMSR, 32);
	assert_int_equal(EXIT_REASON_INVALID_GUEST_STATE, 33);
	assert_int_equal(EXIT_REASON_PAUSE, 40);
	assert_int_equal(EXIT_REASON_EPT_VIOLATION, 48);
	assert_int_equal(EXIT_REASON_EPT_MISCONFIG, 49);
	assert_int_equal(EXIT_REASON_PREEMPTION_TIMER, 52);
	assert_int_equal(EXIT_REASON_WBINVD, 54);
	assert_int_equal(EXIT_REASON_XSETBV, 55);
	assert_int_equal(EXIT_REASON_LOADIWKEY, 69);
}

/*
 * Exits that may happen while an event is delivered (SDM 27.2.4: their
 * IDT-vectoring information may be valid) must not be marked INSN, or the
 * dispatcher would drop the event: exceptions, external interrupts,
 * triple fault, task switch, EPT violation (which reads it itself: OWNV)
 * and misconfiguration, APIC access, the preemption timer.
 */
static void test_vectoring(void **state)
{
	static const int event_exits[] = {
		EXIT_REASON_EXCEPTION_NMI, EXIT_REASON_EXTERNAL_INTERRUPT, EXIT_REASON_TRIPLE_FAULT,
		EXIT_REASON_TASK_SWITCH, EXIT_REASON_EPT_VIOLATION, EXIT_REASON_EPT_MISCONFIG,
		EXIT_REASON_APIC_ACCESS, EXIT_REASON_PREEMPTION_TIMER, EXIT_REASON_NMI_WINDOW,
		EXIT_REASON_INTERRUPT_WINDOW, EXIT_REASON_PML_FULL, EXIT_REASON_SPP_EVENT,
	};
	static const int insn_exits[] = {
		EXIT_REASON_CPUID, EXIT_REASON_HLT, EXIT_REASON_VMCALL, EXIT_REASON_CR_ACCESS,
		EXIT_REASON_MOV_DR, EXIT_REASON_IO_INSTRUCTION, EXIT_REASON_RDMSR, EXIT_REASON_WRMSR,
		EXIT_REASON_PAUSE, EXIT_REASON_XSETBV, EXIT_REASON_INVD, EXIT_REASON_WBINVD,
		EXIT_REASON_RDPMC, EXIT_REASON_VMXON, EXIT_REASON_INVEPT, EXIT_REASON_VMFUNC,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(event_exits) / sizeof(event_exits[0]); i++)
		assert_int_not_equal(rows[event_exits[i]].flags, VMX_EXIT_INSN);
	assert_int_equal(rows[EXIT_REASON_EPT_VIOLATION].flags, VMX_EXIT_OWNV);
	for (size_t i = 0; i < sizeof(insn_exits) / sizeof(insn_exits[0]); i++)
		assert_int_equal(rows[insn_exits[i]].flags, VMX_EXIT_INSN);
	/* the handlers the hypervisor has are where they belong */
	assert_string_equal(rows[EXIT_REASON_CPUID].handler, "vmx_exit_cpuid");
	assert_string_equal(rows[EXIT_REASON_VMCALL].handler, "vmx_exit_vmcall");
	assert_string_equal(rows[EXIT_REASON_IO_INSTRUCTION].handler, "vmx_exit_io");
	assert_string_equal(rows[EXIT_REASON_EPT_VIOLATION].handler, "vmx_exit_ept_violation");
	assert_string_equal(rows[EXIT_REASON_PREEMPTION_TIMER].handler, "vmx_exit_preemption_timer");
	assert_string_equal(rows[EXIT_REASON_IO_SMI].handler, "vmx_exit_unhandled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_per_reason),
		cmocka_unit_test(test_sdm_numbers),
		cmocka_unit_test(test_vectoring),
	};

	return cmocka_run_group_tests_name("exit_table", tests, NULL, NULL);
}
