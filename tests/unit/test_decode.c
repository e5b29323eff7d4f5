/*
 * tests/unit/test_decode.c - the MMIO instruction decoder
 * (arch/x86_64/vmx/vmx_decode.c): every supported form in 16-, 32- and
 * 64-bit code, with its length, access width, register, immediate and
 * extension; ModRM/SIB/displacement lengths; prefixes and REX; refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/vmx/vmx_decode.h"
#include "kernel/error.h"

struct dcase {
	const char *what;
	int mode;
	u8 bytes[16];
	size_t n;
	int rc;
	u8 length, width, dst_width;
	bool store, has_imm;
	u64 imm;
	u8 reg;
	bool high;
	enum x86_mmio_ext ext;
};

#define OK(w, m, ...) { w, m, { __VA_ARGS__ }, sizeof((u8[]){ __VA_ARGS__ }), 0
#define BAD(w, m, ...) { w, m, { __VA_ARGS__ }, sizeof((u8[]){ __VA_ARGS__ }), -VMM_EINVALID

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct dcase cases[] = {
	/* what, mode, bytes -> rc, length, width, dst_width, store, has_imm, imm, reg, high, ext */
	OK("mov [rax], ecx", 64, 0x89, 0x08), 2, 4, 4, true, false, 0, 1, false, X86_EXT_NONE },
	OK("mov [rax], rcx", 64, 0x48, 0x89, 0x08), 3, 8, 8, true, false, 0, 1, false, X86_EXT_NONE },
	OK("mov [rax], r9", 64, 0x4C, 0x89, 0x08), 3, 8, 8, true, false, 0, 9, false, X86_EXT_NONE },
	OK("mov [rax], cx", 64, 0x66, 0x89, 0x08), 3, 2, 2, true, false, 0, 1, false, X86_EXT_NONE },
	OK("mov ecx, [rax]", 64, 0x8B, 0x08), 2, 4, 4, false, false, 0, 1, false, X86_EXT_NONE },
	OK("mov [rax], cl", 64, 0x88, 0x08), 2, 1, 1, true, false, 0, 1, false, X86_EXT_NONE },
	OK("mov [rax], ch", 64, 0x88, 0x28), 2, 1, 1, true, false, 0, 1, true, X86_EXT_NONE },
	OK("mov [rax], bpl (REX)", 64, 0x40, 0x88, 0x28), 3, 1, 1, true, false, 0, 5, false, X86_EXT_NONE },
	OK("mov ah, [rax]", 64, 0x8A, 0x20), 2, 1, 1, false, false, 0, 0, true, X86_EXT_NONE },
	OK("mov byte [rax], 0x5a", 64, 0xC6, 0x00, 0x5A), 3, 1, 1, true, true, 0x5A, 0, false, X86_EXT_NONE },
	OK("mov dword [rax], imm32", 64, 0xC7, 0x00, 0x78, 0x56, 0x34, 0x12), 6, 4, 4, true, true, 0x12345678, 0, false, X86_EXT_NONE },
	OK("mov qword [rax], -1 (sign-extended)", 64, 0x48, 0xC7, 0x00, 0xFF, 0xFF, 0xFF, 0xFF), 7, 8, 8, true, true, ~0ULL, 0, false, X86_EXT_NONE },
	OK("mov word [rax], imm16", 64, 0x66, 0xC7, 0x00, 0x34, 0x12), 5, 2, 2, true, true, 0x1234, 0, false, X86_EXT_NONE },
	OK("mov [rip+disp32], eax", 64, 0x89, 0x05, 1, 2, 3, 4), 6, 4, 4, true, false, 0, 0, false, X86_EXT_NONE },
	OK("mov [rsp+8], eax (SIB, disp8)", 64, 0x89, 0x44, 0x24, 0x08), 4, 4, 4, true, false, 0, 0, false, X86_EXT_NONE },
	OK("mov [disp32 via SIB], eax", 64, 0x89, 0x04, 0x25, 0, 0, 0xD0, 0xFE), 7, 4, 4, true, false, 0, 0, false, X86_EXT_NONE },
	OK("mov [rbx+disp32], edx", 64, 0x89, 0x93, 0x00, 0x10, 0, 0), 6, 4, 4, true, false, 0, 2, false, X86_EXT_NONE },
	OK("movzx eax, byte [rbx]", 64, 0x0F, 0xB6, 0x03), 3, 1, 4, false, false, 0, 0, false, X86_EXT_ZERO },
	OK("movzx eax, word [rbx]", 64, 0x0F, 0xB7, 0x03), 3, 2, 4, false, false, 0, 0, false, X86_EXT_ZERO },
	OK("movsx rax, byte [rbx]", 64, 0x48, 0x0F, 0xBE, 0x03), 4, 1, 8, false, false, 0, 0, false, X86_EXT_SIGN },
	OK("movsx ecx, word [rbx]", 64, 0x0F, 0xBF, 0x0B), 3, 2, 4, false, false, 0, 1, false, X86_EXT_SIGN },
	OK("mov eax, moffs64", 64, 0xA1, 0, 0, 0xD0, 0xFE, 0, 0, 0, 0), 9, 4, 4, false, false, 0, 0, false, X86_EXT_NONE },
	OK("mov moffs64, al", 64, 0xA2, 0, 0, 0xD0, 0xFE, 0, 0, 0, 0), 9, 1, 1, true, false, 0, 0, false, X86_EXT_NONE },
	OK("mov eax, moffs32 (0x67)", 64, 0x67, 0xA1, 0, 0, 0xD0, 0xFE), 6, 4, 4, false, false, 0, 0, false, X86_EXT_NONE },
	OK("fs: mov [rax], ecx", 64, 0x64, 0x89, 0x08), 3, 4, 4, true, false, 0, 1, false, X86_EXT_NONE },
	/* 32-bit code */
	OK("mov [eax], ecx (32)", 32, 0x89, 0x08), 2, 4, 4, true, false, 0, 1, false, X86_EXT_NONE },
	OK("mov [disp32], eax (32)", 32, 0x89, 0x05, 0, 0, 0xD0, 0xFE), 6, 4, 4, true, false, 0, 0, false, X86_EXT_NONE },
	OK("mov [eax], cx (32, 0x66)", 32, 0x66, 0x89, 0x08), 3, 2, 2, true, false, 0, 1, false, X86_EXT_NONE },
	OK("mov eax, moffs32 (32)", 32, 0xA1, 0, 0, 0xD0, 0xFE), 5, 4, 4, false, false, 0, 0, false, X86_EXT_NONE },
	OK("0x48 is DEC eax in 32-bit code, not REX", 32, 0x48, 0x89, 0x08), 0, 0, 0, false, false, 0, 0, false, X86_EXT_NONE },
	/* 16-bit code: 16-bit ModRM forms */
	OK("mov [bx+si], ax (16)", 16, 0x89, 0x00), 2, 2, 2, true, false, 0, 0, false, X86_EXT_NONE },
	OK("mov [disp16], ax (16)", 16, 0x89, 0x06, 0x07, 0x00), 4, 2, 2, true, false, 0, 0, false, X86_EXT_NONE },
	OK("mov [bp+disp8], al (16)", 16, 0x88, 0x46, 0x07), 3, 1, 1, true, false, 0, 0, false, X86_EXT_NONE },
	OK("mov [bx+disp16], eax (16, 0x66)", 16, 0x66, 0x89, 0x87, 0x00, 0x10), 5, 4, 4, true, false, 0, 0, false, X86_EXT_NONE },
	OK("mov byte [es:7], 0x5a (16)", 16, 0x26, 0xC6, 0x06, 0x07, 0x00, 0x5A), 6, 1, 1, true, true, 0x5A, 0, false, X86_EXT_NONE },
	OK("mov al, [es:7] (16)", 16, 0x26, 0xA0, 0x07, 0x00), 4, 1, 1, false, false, 0, 0, false, X86_EXT_NONE },
	OK("mov [ebx], eax (16, 0x66 0x67: 32-bit ModRM)", 16, 0x66, 0x67, 0x89, 0x03), 4, 4, 4, true, false, 0, 0, false, X86_EXT_NONE },
	/* refusals */
	BAD("add [rax], ecx", 64, 0x01, 0x08) },
	BAD("mov ecx, eax (register form)", 64, 0x89, 0xC1) },
	BAD("mov r/m imm with /1", 64, 0xC7, 0x08, 0, 0, 0, 0) },
	BAD("truncated imm32", 64, 0xC7, 0x00, 0x78, 0x56) },
	BAD("truncated disp32", 64, 0x89, 0x05, 1, 2) },
	BAD("truncated SIB", 64, 0x89, 0x04) },
	BAD("prefixes only", 64, 0x66, 0x67) },
	BAD("0F 0B (UD2)", 64, 0x0F, 0x0B) },
	BAD("truncated moffs", 64, 0xA1, 0, 0, 0) },
	BAD("mode 8 does not exist", 8, 0x89, 0x08) },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dcase *c = &cases[i];
		struct x86_mmio_insn d;
		int rc = x86_decode_mmio(c->bytes, c->n, c->mode, &d);

		/* the 32-bit "DEC eax" case: 0x48 is not a prefix there, so the opcode is unsupported */
		if (!strncmp(c->what, "0x48 is DEC", 11)) {
			if (rc != -VMM_EINVALID)
				fail_msg("%s: decoded as an instruction", c->what);
			continue;
		}
		if (rc != c->rc)
			fail_msg("%s: rc %d, expected %d", c->what, rc, c->rc);
		if (rc)
			continue;
		if (d.length != c->length || d.width != c->width || d.dst_width != c->dst_width ||
		    d.is_store != c->store || d.has_imm != c->has_imm || d.reg != c->reg ||
		    d.high_byte != c->high || d.ext != c->ext || (c->has_imm && d.imm != c->imm))
			fail_msg("%s: got len %u width %u dst %u store %d imm %d/0x%llx reg %u high %d ext %d",
				 c->what, d.length, d.width, d.dst_width, d.is_store, d.has_imm,
				 (unsigned long long)d.imm, d.reg, d.high_byte, d.ext);
	}
}

static void test_extend(void **state)
{
	struct x86_mmio_insn d;
	const u8 movsx_b[] = { 0x0F, 0xBE, 0x03 }, movzx_w[] = { 0x0F, 0xB7, 0x03 };
	const u8 movsx_w64[] = { 0x48, 0x0F, 0xBF, 0x03 };

	(void)state;
	assert_int_equal(x86_decode_mmio(movsx_b, 3, 32, &d), 0);
	assert_int_equal(x86_mmio_extend(&d, 0x80), 0xFFFFFFFFFFFFFF80ULL);
	assert_int_equal(x86_mmio_extend(&d, 0x17F), 0x7F);	/* only the low byte counts */
	assert_int_equal(x86_decode_mmio(movzx_w, 3, 32, &d), 0);
	assert_int_equal(x86_mmio_extend(&d, 0xFFFF8001ULL), 0x8001);
	assert_int_equal(x86_decode_mmio(movsx_w64, 4, 64, &d), 0);
	assert_int_equal(x86_mmio_extend(&d, 0x8000), 0xFFFFFFFFFFFF8000ULL);
}

/* Never reads past n, whatever the bytes (run under ASan). */
static void test_no_overread(void **state)
{
	u8 buf[X86_MAX_INSN_LEN];
	struct x86_mmio_insn d;
	unsigned int seed = 12345;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = (iter % X86_MAX_INSN_LEN) + 1;
		u8 *p = malloc(n);

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			p[i] = (seed >> 16) & 0xFF;
		}
		if (!x86_decode_mmio(p, n, 16 << (iter % 3) == 64 ? 64 : (iter % 3 == 0 ? 16 : 32), &d))
			assert_true(d.length >= 1 && d.length <= n);
		free(p);
	}
	memset(buf, 0x66, sizeof(buf));
	assert_int_equal(x86_decode_mmio(buf, sizeof(buf), 64, &d), -VMM_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_extend),
		cmocka_unit_test(test_no_overread),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
