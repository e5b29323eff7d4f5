/*
 * tests/unit/test_exit_qual.c - the exit-qualification decoders of
 * arch/x86_64/vmx/vmx_exit_qual.h: every field of the control-register,
 * MOV DR and I/O-instruction qualifications (SDM vol. 3 tables 28-3, 28-4,
 * 28-5), with values built bit by bit from the tables, reserved bits set
 * around them, and every field at its extremes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "arch/x86_64/vmx/vmx_exit_qual.h"

/* the bits the tables leave reserved (and 63:32) */
#define CR_RESERVED (0x80ULL | 0xF000ULL | ~0xFFFFFFFFULL)
#define DR_RESERVED (0x8ULL | 0xE0ULL | 0xF000ULL | ~0xFFFFULL)
#define IO_RESERVED (0xFF80ULL | ~0xFFFFFFFFULL)

/* MOV to CR0 from RAX, MOV from CR8 to R15, CLTS, LMSW from memory */
static void test_cr(void **state)
{
	struct vmx_cr_qual q;

	(void)state;
	q = vmx_cr_qual_decode(0x0);	/* mov cr0, rax */
	assert_int_equal(q.cr, 0);
	assert_int_equal(q.type, VMX_CR_MOV_TO);
	assert_int_equal(q.gpr, 0);
	assert_false(q.lmsw_mem);
	assert_int_equal(q.lmsw_data, 0);

	q = vmx_cr_qual_decode(8 | (1 << 4) | (15 << 8));	/* mov r15, cr8 */
	assert_int_equal(q.cr, 8);
	assert_int_equal(q.type, VMX_CR_MOV_FROM);
	assert_int_equal(q.gpr, 15);

	q = vmx_cr_qual_decode(3 | (4 << 8) | CR_RESERVED);	/* mov cr3, rsp; reserved bits set */
	assert_int_equal(q.cr, 3);
	assert_int_equal(q.type, VMX_CR_MOV_TO);
	assert_int_equal(q.gpr, 4);
	assert_false(q.lmsw_mem);
	assert_int_equal(q.lmsw_data, 0);

	q = vmx_cr_qual_decode(0 | (2 << 4));	/* clts */
	assert_int_equal(q.type, VMX_CR_CLTS);

	/* lmsw [mem] with source 0xFFFF: type 3, bit 6, bits 31:16 */
	q = vmx_cr_qual_decode(0 | (3 << 4) | (1 << 6) | (0xFFFFULL << 16));
	assert_int_equal(q.type, VMX_CR_LMSW);
	assert_true(q.lmsw_mem);
	assert_int_equal(q.lmsw_data, 0xFFFF);
	assert_int_equal(q.cr, 0);

	/* lmsw ax with source 0x000B */
	q = vmx_cr_qual_decode((3 << 4) | (0xBULL << 16));
	assert_false(q.lmsw_mem);
	assert_int_equal(q.lmsw_data, 0xB);

	/* every CR number and GPR round-trips */
	for (unsigned cr = 0; cr < 16; cr++)
		for (unsigned gpr = 0; gpr < 16; gpr++) {
			q = vmx_cr_qual_decode(cr | (gpr << 8) | CR_RESERVED);
			assert_int_equal(q.cr, cr);
			assert_int_equal(q.gpr, gpr);
		}
}

static void test_dr(void **state)
{
	struct vmx_dr_qual q;

	(void)state;
	q = vmx_dr_qual_decode(7 | (3 << 8));	/* mov dr7, rbx */
	assert_int_equal(q.dr, 7);
	assert_false(q.from);
	assert_int_equal(q.gpr, 3);

	q = vmx_dr_qual_decode(6 | (1 << 4) | (9 << 8) | DR_RESERVED);	/* mov r9, dr6 */
	assert_int_equal(q.dr, 6);
	assert_true(q.from);
	assert_int_equal(q.gpr, 9);

	q = vmx_dr_qual_decode(DR_RESERVED);	/* only reserved bits: mov dr0, rax */
	assert_int_equal(q.dr, 0);
	assert_false(q.from);
	assert_int_equal(q.gpr, 0);

	for (unsigned dr = 0; dr < 8; dr++)
		for (unsigned gpr = 0; gpr < 16; gpr++) {
			q = vmx_dr_qual_decode(dr | (1 << 4) | (gpr << 8));
			assert_int_equal(q.dr, dr);
			assert_true(q.from);
			assert_int_equal(q.gpr, gpr);
		}
}

static void test_io(void **state)
{
	struct vmx_io_qual q;

	(void)state;
	q = vmx_io_qual_decode((0x3F8ULL << 16));	/* out dx, al to 0x3F8 */
	assert_int_equal(q.size, 1);
	assert_false(q.in);
	assert_false(q.string);
	assert_false(q.rep);
	assert_false(q.imm);
	assert_int_equal(q.port, 0x3F8);

	q = vmx_io_qual_decode(1 | (1 << 3) | (1 << 6) | (0x80ULL << 16));	/* in ax, 0x80 */
	assert_int_equal(q.size, 2);
	assert_true(q.in);
	assert_true(q.imm);
	assert_int_equal(q.port, 0x80);

	/* rep insd from 0xFFFF, reserved bits set */
	q = vmx_io_qual_decode(3 | (1 << 3) | (1 << 4) | (1 << 5) | (0xFFFFULL << 16) | IO_RESERVED);
	assert_int_equal(q.size, 4);
	assert_true(q.in);
	assert_true(q.string);
	assert_true(q.rep);
	assert_false(q.imm);
	assert_int_equal(q.port, 0xFFFF);

	/* outsb without REP */
	q = vmx_io_qual_decode((1 << 4) | (0x92ULL << 16));
	assert_int_equal(q.size, 1);
	assert_false(q.in);
	assert_true(q.string);
	assert_false(q.rep);
	assert_int_equal(q.port, 0x92);

	/* every port survives, whatever the low bits */
	for (u32 port = 0; port < 0x10000; port += 0x101) {
		q = vmx_io_qual_decode(((u64)port << 16) | 0x3F);
		assert_int_equal(q.port, port);
		assert_int_equal(q.size, 8);	/* bits 2:0 = 7 (never reported): 8, bounded */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr),
		cmocka_unit_test(test_dr),
		cmocka_unit_test(test_io),
	};

	return cmocka_run_group_tests_name("exit_qual", tests, NULL, NULL);
}
