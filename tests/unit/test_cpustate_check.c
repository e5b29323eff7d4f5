/*
 * tests/unit/test_cpustate_check.c - the #GP rules for guest XCR0, CR0, CR4
 * and CR8 values (arch/x86_64/vmx/cpustate_check.c): every XCR0 rule of
 * SDM vol. 1 13.3 and the XSETBV reference (issue 10 finding 1: 0x27 once
 * reached the hardware and panicked the host), the MOV CR0/CR4/CR8 rules
 * of the MOV CR reference, and values that must pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/vmx/cpustate_check.h"

/* Bochs' Skylake-X: x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM */
#define ALL XFEATURE_GUEST_SWITCHED
#define BAD(expr, text) do { \
	const char *why_ = (expr); \
	assert_non_null(why_); \
	assert_non_null(strstr(why_, text)); \
} while (0)

static void test_xcr0_valid_values(void **state)
{
	(void)state;
	assert_int_equal(ALL, 0xE7);
	assert_null(xcr0_check(0, 0x1, ALL));
	assert_null(xcr0_check(0, 0x3, ALL));
	assert_null(xcr0_check(0, 0x7, ALL));
	assert_null(xcr0_check(0, 0xE7, ALL));
	/* MPX and AMX pairs are fine where supported */
	assert_null(xcr0_check(0, 0x1F, 0x1F));
	assert_null(xcr0_check(0, 0x60003, 0x60003));
}

static void test_xcr0_rules(void **state)
{
	(void)state;
	BAD(xcr0_check(1, 0x1, ALL), "XCR other than XCR0");
	BAD(xcr0_check(0xFFFFFFFF, 0x1, ALL), "XCR other than XCR0");
	BAD(xcr0_check(0, 0x0, ALL), "without x87");
	BAD(xcr0_check(0, 0x2, ALL), "without x87");
	BAD(xcr0_check(0, 0x5, ALL), "AVX but without SSE");
	/* finding 1: AVX-512 bits without the rest of their group */
	BAD(xcr0_check(0, 0x27, ALL), "part of the AVX-512");
	BAD(xcr0_check(0, 0x47, ALL), "part of the AVX-512");
	BAD(xcr0_check(0, 0x87, ALL), "part of the AVX-512");
	BAD(xcr0_check(0, 0x67, ALL), "part of the AVX-512");
	BAD(xcr0_check(0, 0xE3, ALL), "AVX-512 but without AVX");
	BAD(xcr0_check(0, 0x0B, 0x1F), "BNDREGS and BNDCSR");
	BAD(xcr0_check(0, 0x13, 0x1F), "BNDREGS and BNDCSR");
	BAD(xcr0_check(0, 0x20003, 0x60003), "TILECFG and TILEDATA");
	/* bits the hypervisor does not switch, reserved bits */
	BAD(xcr0_check(0, 0x1B, ALL), "unsupported");	/* MPX */
	BAD(xcr0_check(0, 0x203, ALL), "unsupported");	/* PKRU */
	BAD(xcr0_check(0, 0x103, ALL), "unsupported");	/* bit 8: supervisor PT */
	BAD(xcr0_check(0, 0x8000000000000003ULL, ALL), "unsupported");
	BAD(xcr0_check(0, 0x7, 0x3), "unsupported");	/* no AVX on this CPU */
}

#define PE (1ULL << 0)
#define NW (1ULL << 29)
#define CD (1ULL << 30)
#define PG (1ULL << 31)
#define PAE (1ULL << 5)
#define PCIDE (1ULL << 17)
#define LME (1ULL << 8)
#define LMA (1ULL << 10)

static void test_cr0(void **state)
{
	(void)state;
	assert_null(cr0_check(0x60000010, false, 0, 0, 0));	/* reset value */
	assert_null(cr0_check(PE | 0x10, false, 0, 0, 0));
	assert_null(cr0_check(PE | PG | 0x10, false, 0, 0, 0));
	assert_null(cr0_check(PE | PG | 0x10, false, LME, PAE, 0));
	assert_null(cr0_check(PE | PG | 0x10, true, LME | LMA, PAE, 0));
	/* outside 64-bit mode the upper half of the register is not written */
	assert_null(cr0_check(0xFFFFFFFF00000011ULL, false, 0, 0, 0));
	BAD(cr0_check(PG | 0x10, false, 0, 0, 0), "PG without CR0.PE");
	BAD(cr0_check(PE | NW, false, 0, 0, 0), "NW without CR0.CD");
	BAD(cr0_check(PE | PG, false, LME, 0, 0), "without CR4.PAE");
	BAD(cr0_check(PE, false, 0, PCIDE, 0), "PCIDE");
	BAD(cr0_check(PE | 0x10, true, LME | LMA, PAE, 0), "64-bit mode");
	BAD(cr0_check((1ULL << 32) | PE | PG, true, LME | LMA, PAE, 0), "63:32");
}

static void test_cr4(void **state)
{
	u64 ok = 0x7FF | PCIDE | (1ULL << 18);

	(void)state;
	assert_null(cr4_check(0, ok, 0, 0, 0));
	assert_null(cr4_check(PAE | (1ULL << 9), ok, 0, 0, 0));
	assert_null(cr4_check(PAE | PCIDE, ok, PAE, LME | LMA, 0x1000));
	BAD(cr4_check(1ULL << 13, ok, 0, 0, 0), "unsupported CR4 bit");	/* VMXE */
	BAD(cr4_check(1ULL << 22, ok, 0, 0, 0), "unsupported CR4 bit");	/* PKE */
	BAD(cr4_check(1ULL << 32, ok, 0, 0, 0), "unsupported CR4 bit");
	BAD(cr4_check(PCIDE, ok, 0, 0, 0), "outside IA-32e");
	BAD(cr4_check(PAE | PCIDE, ok, PAE, LME | LMA, 0x1001), "CR3[11:0]");
	BAD(cr4_check(0, ok, PAE, LME | LMA, 0), "clearing CR4.PAE");
}

static void test_cr8(void **state)
{
	(void)state;
	assert_null(cr8_check(0));
	assert_null(cr8_check(15));
	BAD(cr8_check(16), "63:4");
	BAD(cr8_check(1ULL << 63), "63:4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xcr0_valid_values),
		cmocka_unit_test(test_xcr0_rules),
		cmocka_unit_test(test_cr0),
		cmocka_unit_test(test_cr4),
		cmocka_unit_test(test_cr8),
	};

	return cmocka_run_group_tests_name("cpustate_check", tests, NULL, NULL);
}
