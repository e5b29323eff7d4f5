/*
 * tests/unit/test_vmx_firmware.c - the firmware's say over VT-x
 * (arch/x86_64/vmx/vmx_firmware.c): vendor, CPUID.1:ECX.VMX and the
 * IA32_FEATURE_CONTROL lock (bit 0), VMX inside SMX (bit 1) and outside SMX
 * (bit 2) in every combination, and the advice line a PC user reads: the
 * firmware setting is named where the firmware is the cause, both causes
 * are named where CPUID hides VMX, AMD is told SVM is not supported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/vmx/vmx_firmware.h"

static const char intel[12] = "GenuineIntel";
static const char amd[12] = "AuthenticAMD";
static const char other[12] = "GenuineIotel";	/* any other vendor */

/* all eight lock/SMX/outside-SMX combinations on an Intel CPU with VMX */
static void test_feature_control_combinations(void **state)
{
	static const struct {
		u64 fc;
		enum vmx_fw want;
	} cases[] = {
		{ 0, VMX_FW_UNLOCKED },
		{ 2, VMX_FW_UNLOCKED },
		{ 4, VMX_FW_UNLOCKED },
		{ 6, VMX_FW_UNLOCKED },
		{ 1, VMX_FW_LOCKED_OFF },	/* what a "VT-x disabled" firmware leaves */
		{ 3, VMX_FW_SMX_ONLY },
		{ 5, VMX_FW_READY },		/* what an "enabled" firmware leaves */
		{ 7, VMX_FW_READY },
		{ 0xFF01, VMX_FW_LOCKED_OFF },	/* other bits (SGX, LMCE) do not matter */
		{ 0xFF05, VMX_FW_READY },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum vmx_fw got = vmx_fw_decide(intel, true, cases[i].fc);

		if (got != cases[i].want)
			fail_msg("IA32_FEATURE_CONTROL 0x%llx: got %d, want %d",
				 (unsigned long long)cases[i].fc, got, cases[i].want);
	}
}

static void test_no_vmx_in_cpuid(void **state)
{
	(void)state;
	/* the MSR's value is not looked at without VMX in CPUID */
	assert_int_equal(vmx_fw_decide(intel, false, 5), VMX_FW_NO_CPUID);
	assert_int_equal(vmx_fw_decide(intel, false, 0), VMX_FW_NO_CPUID);
	assert_int_equal(vmx_fw_decide(other, false, 0), VMX_FW_NO_CPUID);
	/* another vendor with VMX (e.g. a VIA/Zhaoxin CPU) is judged by the MSR */
	assert_int_equal(vmx_fw_decide(other, true, 1), VMX_FW_LOCKED_OFF);
}

static void test_amd(void **state)
{
	(void)state;
	assert_int_equal(vmx_fw_decide(amd, false, 0), VMX_FW_AMD);
	assert_int_equal(vmx_fw_decide(amd, true, 5), VMX_FW_AMD);
}

static void test_ok(void **state)
{
	(void)state;
	assert_true(vmx_fw_ok(VMX_FW_READY));
	assert_true(vmx_fw_ok(VMX_FW_UNLOCKED));
	assert_false(vmx_fw_ok(VMX_FW_AMD));
	assert_false(vmx_fw_ok(VMX_FW_NO_CPUID));
	assert_false(vmx_fw_ok(VMX_FW_LOCKED_OFF));
	assert_false(vmx_fw_ok(VMX_FW_SMX_ONLY));
}

static void has(const char *text, const char *part)
{
	if (!text || !strstr(text, part))
		fail_msg("advice \"%s\" lacks \"%s\"", text ? text : "(null)", part);
}

static void test_advice(void **state)
{
	const char *a;

	(void)state;
	assert_null(vmx_fw_advice(VMX_FW_READY));
	assert_null(vmx_fw_advice(VMX_FW_UNLOCKED));

	a = vmx_fw_advice(VMX_FW_LOCKED_OFF);
	has(a, "vmx: VT-x is disabled in the firmware");
	has(a, "IA32_FEATURE_CONTROL locked without VMX");
	has(a, "firmware setup (often F2, Del or F10 at power-on)");
	has(a, "'Intel Virtualization Technology' (VT-x)");
	has(a, "power the machine off and on");

	a = vmx_fw_advice(VMX_FW_SMX_ONLY);
	has(a, "only inside SMX");
	has(a, "Intel TXT");
	has(a, "'Intel Virtualization Technology'");

	a = vmx_fw_advice(VMX_FW_NO_CPUID);
	has(a, "not an Intel CPU with VT-x");
	has(a, "a hypervisor or the firmware hides it");

	a = vmx_fw_advice(VMX_FW_AMD);
	has(a, "AMD");
	has(a, "SVM");
	has(a, "not supported");

	/* one console line each: no newline inside, every one starts "vmx: " */
	for (int f = VMX_FW_AMD; f <= VMX_FW_SMX_ONLY; f++) {
		a = vmx_fw_advice(f);
		assert_non_null(a);
		assert_null(strchr(a, '\n'));
		assert_int_equal(strncmp(a, "vmx: ", 5), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feature_control_combinations),
		cmocka_unit_test(test_no_vmx_in_cpuid),
		cmocka_unit_test(test_amd),
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_advice),
	};

	return cmocka_run_group_tests_name("vmx_firmware", tests, NULL, NULL);
}
