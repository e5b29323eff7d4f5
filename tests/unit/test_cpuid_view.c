/*
 * tests/unit/test_cpuid_view.c - the guest's curated CPUID view
 * (arch/x86_64/vmx/cpuid_view.c) with a host that sets every bit: what the
 * guest sees must be exactly what works (issue 10: DS was shown while
 * IA32_DS_AREA is #GP; XSAVES was shown while it is #UD; AVX-512 state
 * was not switched), leaf by leaf, and the view follows the context
 * (XCR0 bits switched, RDTSCP/INVPCID controls, CR4.OSXSAVE).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/vmx/cpuid_view.h"
#include "arch/x86_64/vmx/cpustate_check.h"

#define BIT(n) (1u << (n))
#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3

static const struct cpuid_view_ctx skylake_x = {
	.xcr0_allowed = 0xE7, .xsave_size_cur = 576, .xsave_size_max = 2688,
	.xsave_size_compacted = 2432,
	.vcpu_index = 2, .guest_osxsave = false, .rdtscp = true, .invpcid = true,
	.tsc_hz = 50000000,
};

/* the view of leaf/sub for a host that returns all ones */
static void view(const struct cpuid_view_ctx *ctx, u32 leaf, u32 sub, u32 r[4])
{
	r[0] = r[1] = r[2] = r[3] = 0xFFFFFFFFu;
	cpuid_view_curate(ctx, leaf, sub, r);
}

static void test_leaf1_hidden_features(void **state)
{
	u32 r[4];

	(void)state;
	view(&skylake_x, 1, 0, r);
	/* EDX: MCE APIC MCA PSN DS ACPI HTT TM PBE */
	for (u32 b = 0; b < 32; b++) {
		bool hidden = b == 7 || b == 9 || b == 14 || b == 18 || b == 21 || b == 22 ||
			      b == 28 || b == 29 || b == 31;
		assert_int_equal(!!(r[EDX] & BIT(b)), !hidden);
	}
	/* ECX: DTES64 MONITOR DS-CPL VMX SMX EST TM2 CNXT-ID SDBG xTPR PDCM DCA
	 * x2APIC TSC-deadline, OSXSAVE (CR4.OSXSAVE is clear) */
	for (u32 b = 0; b < 31; b++) {
		bool hidden = b == 2 || b == 3 || b == 4 || b == 5 || b == 6 || b == 7 || b == 8 ||
			      b == 10 || b == 11 || b == 14 || b == 15 || b == 18 || b == 21 ||
			      b == 24 || b == 27;
		assert_int_equal(!!(r[ECX] & BIT(b)), !hidden);
	}
	assert_true(r[ECX] & BIT(31));			/* hypervisor */
	assert_int_equal(r[EBX] >> 16, (2u << 8) | 1);	/* APIC id 2, one logical CPU */
	assert_int_equal(r[EBX] & 0xFFFF, 0xFFFF);	/* CLFLUSH size, brand index */
}

static void test_leaf1_follows_context(void **state)
{
	struct cpuid_view_ctx ctx = skylake_x;
	u32 r[4];

	(void)state;
	ctx.guest_osxsave = true;
	view(&ctx, 1, 0, r);
	assert_true(r[ECX] & BIT(27));
	assert_true(r[ECX] & BIT(26));			/* XSAVE */
	assert_true(r[ECX] & BIT(28));			/* AVX */
	ctx.xcr0_allowed = XFEATURE_X87 | XFEATURE_SSE;	/* no AVX state switched */
	view(&ctx, 1, 0, r);
	assert_true(r[ECX] & BIT(26));
	assert_false(r[ECX] & (BIT(12) | BIT(28) | BIT(29)));	/* FMA AVX F16C */
	ctx.xcr0_allowed = 0;				/* no XSAVE: FXSAVE only */
	view(&ctx, 1, 0, r);
	assert_false(r[ECX] & BIT(26));
}

static void test_leaf7(void **state)
{
	struct cpuid_view_ctx ctx = skylake_x;
	u32 show = BIT(0) | BIT(1) | BIT(3) | BIT(5) | BIT(7) | BIT(8) | BIT(9) | BIT(10) | BIT(18) |
		   BIT(19) | BIT(20) | BIT(23) | BIT(24) | BIT(29);
	u32 avx512 = BIT(16) | BIT(17) | BIT(21) | BIT(28) | BIT(30) | BIT(31);
	u32 r[4];

	(void)state;
	view(&ctx, 7, 0, r);
	assert_int_equal(r[EAX], 0);		/* no subleaf 1 */
	assert_int_equal(r[EBX], show | avx512);	/* no TSX, MPX, PT, SGX, RDT ... */
	assert_int_equal(r[ECX], 0);		/* no PKU/OSPKE, WAITPKG, RDPID, UMIP */
	assert_int_equal(r[EDX], 0);
	ctx.xcr0_allowed = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX;
	view(&ctx, 7, 0, r);
	assert_int_equal(r[EBX], show);
	ctx.xcr0_allowed = XFEATURE_X87 | XFEATURE_SSE;
	ctx.invpcid = false;
	view(&ctx, 7, 0, r);
	assert_int_equal(r[EBX], show & ~(BIT(5) | BIT(10)));	/* AVX2, INVPCID */
	view(&ctx, 7, 1, r);
	assert_int_equal(r[EAX] | r[EBX] | r[ECX] | r[EDX], 0);
}

static void test_leaf_d(void **state)
{
	struct cpuid_view_ctx ctx = skylake_x;
	u32 r[4];

	(void)state;
	view(&ctx, 0xD, 0, r);
	assert_int_equal(r[EAX], 0xE7);
	assert_int_equal(r[EDX], 0);
	assert_int_equal(r[EBX], 576);
	assert_int_equal(r[ECX], 2688);
	view(&ctx, 0xD, 1, r);
	assert_int_equal(r[EAX], 7);		/* XSAVEOPT XSAVEC XGETBV1; no XSAVES, XFD */
	assert_int_equal(r[EBX], 2432);		/* the compacted size, not the CPU's (Bochs: standard) */
	assert_int_equal(r[ECX], 0);		/* no IA32_XSS bits */
	assert_int_equal(r[EDX], 0);
	for (u32 sub = 2; sub < 64; sub++) {
		view(&ctx, 0xD, sub, r);
		if (sub == 2 || sub == 5 || sub == 6 || sub == 7)
			assert_int_equal(r[EAX], 0xFFFFFFFFu);	/* the host's size */
		else
			assert_int_equal(r[EAX] | r[EBX] | r[ECX] | r[EDX], 0);
	}
	ctx.xcr0_allowed = 0;
	view(&ctx, 0xD, 0, r);
	assert_int_equal(r[EAX] | r[EBX] | r[ECX] | r[EDX], 0);
}

static void test_leaves_not_virtualised_are_zero(void **state)
{
	static const u32 zero[] = { 3, 5, 6, 8, 9, 0xA, 0xB, 0xC, 0xE, 0xF, 0x10, 0x11, 0x12,
				    0x13, 0x14, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1D, 0x1E, 0x1F,
				    0x20, 0x80000009 };
	u32 r[4];

	(void)state;
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
		view(&skylake_x, zero[i], 0, r);
		assert_int_equal(r[EAX] | r[EBX] | r[ECX] | r[EDX], 0);
	}
	/* passed on: limits, cache descriptors, brand string */
	view(&skylake_x, 0, 0, r);
	assert_int_equal(r[EAX], 0xFFFFFFFFu);
	view(&skylake_x, 0x80000002, 0, r);
	assert_int_equal(r[ECX], 0xFFFFFFFFu);
}

static void test_extended_leaves(void **state)
{
	struct cpuid_view_ctx ctx = skylake_x;
	u32 r[4];

	(void)state;
	view(&ctx, 0x80000001, 0, r);
	assert_int_equal(r[ECX], BIT(0) | BIT(5) | BIT(8));	/* LAHF LZCNT PREFETCHW; no SVM */
	assert_int_equal(r[EDX], BIT(11) | BIT(20) | BIT(26) | BIT(27) | BIT(29));
	ctx.rdtscp = false;
	view(&ctx, 0x80000001, 0, r);
	assert_false(r[EDX] & BIT(27));
	view(&ctx, 0x80000007, 0, r);
	assert_int_equal(r[EAX] | r[EBX] | r[ECX], 0);
	assert_int_equal(r[EDX], BIT(8));
	view(&ctx, 0x80000008, 0, r);
	assert_int_equal(r[EAX], 0xFFFF);
	assert_int_equal(r[EBX] | r[ECX] | r[EDX], 0);
}

static void test_tsc_leaves(void **state)
{
	struct cpuid_view_ctx ctx = skylake_x;
	u32 r[4];

	(void)state;
	view(&ctx, 0x15, 0, r);
	assert_int_equal((u64)r[ECX] * r[EBX] / r[EAX], 50000000);
	ctx.tsc_hz = 6000000000ULL;		/* above 32 bits: scaled by EBX */
	view(&ctx, 0x15, 0, r);
	assert_int_equal((u64)r[ECX] * r[EBX] / r[EAX], 6000000000ULL);
	view(&ctx, 0x16, 0, r);
	assert_int_equal(r[EAX], 6000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf1_hidden_features),
		cmocka_unit_test(test_leaf1_follows_context),
		cmocka_unit_test(test_leaf7),
		cmocka_unit_test(test_leaf_d),
		cmocka_unit_test(test_leaves_not_virtualised_are_zero),
		cmocka_unit_test(test_extended_leaves),
		cmocka_unit_test(test_tsc_leaves),
	};

	return cmocka_run_group_tests_name("cpuid_view", tests, NULL, NULL);
}
