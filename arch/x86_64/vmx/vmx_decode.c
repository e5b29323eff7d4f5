/*
 * arch/x86_64/vmx/vmx_decode.c - MMIO instruction decoder (vmx_decode.h;
 * encodings from SDM Vol. 2 chapter 2 and the MOV/MOVZX/MOVSX pages).
 */
#include <string.h>
#include "arch/x86_64/vmx/vmx_decode.h"
#include "kernel/error.h"

/* Bytes of ModRM + SIB + displacement, or -1 when it names a register. */
static int modrm_length(const u8 *p, size_t left, int asize)
{
	u8 modrm, mod, rm;
	int len = 1;

	if (!left)
		return -2;
	modrm = p[0];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -1;
	if (asize == 2) {	/* 16-bit addressing: no SIB */
		if (mod == 0 && rm == 6)
			return 3;
		return 1 + (mod == 1 ? 1 : mod == 2 ? 2 : 0);
	}
	if (rm == 4) {
		if (left < 2)
			return -2;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;
	} else if (mod == 0 && rm == 5) {
		len += 4;	/* disp32, RIP-relative in 64-bit mode */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

static u64 read_le(const u8 *p, int bytes)
{
	u64 v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Legacy prefixes: 1 operand size, 2 address size, 3 ignored (segment, LOCK, REP). */
static const u8 prefix_kind[256] = {
	[0x66] = 1, [0x67] = 2,
	[0x2E] = 3, [0x36] = 3, [0x3E] = 3, [0x26] = 3, [0x64] = 3, [0x65] = 3,
	[0xF0] = 3, [0xF2] = 3, [0xF3] = 3,
};

int x86_decode_mmio(const u8 *b, size_t n, int mode, struct x86_mmio_insn *out)
{
	size_t i = 0;
	bool opsize_prefix = false, asize_prefix = false;
	u8 rex = 0, op, modrm;
	int opsize, asize, mlen;

	*out = (struct x86_mmio_insn){ 0 };
	if (mode != 16 && mode != 32 && mode != 64)
		return -VMM_EINVALID;
	if (n > X86_MAX_INSN_LEN)
		n = X86_MAX_INSN_LEN;
	for (; i < n; i++) {
		u8 kind = prefix_kind[b[i]];

		if (!kind)
			break;
		if (kind == 1)
			opsize_prefix = true;
		else if (kind == 2)
			asize_prefix = true;
	}
	if (mode == 64 && i < n && (b[i] & 0xF0) == 0x40)
		rex = b[i++];
	if (i >= n)
		return -VMM_EINVALID;

	if (mode == 16)
		opsize = opsize_prefix ? 4 : 2;
	else
		opsize = opsize_prefix ? 2 : 4;
	if (rex & 8)
		opsize = 8;
	if (mode == 16)
		asize = asize_prefix ? 4 : 2;
	else if (mode == 32)
		asize = asize_prefix ? 2 : 4;
	else
		asize = asize_prefix ? 4 : 8;

	op = b[i++];
	if (op >= 0xA0 && op <= 0xA3) {		/* MOV with moffs */
		if (i + asize > n)
			return -VMM_EINVALID;
		out->width = (op & 1) ? opsize : 1;
		out->dst_width = out->width;
		out->is_store = op >= 0xA2;
		out->reg = 0;
		out->length = i + asize;
		return VMM_OK;
	}
	if (op == 0x0F) {
		if (i >= n)
			return -VMM_EINVALID;
		op = b[i++];
		if (op != 0xB6 && op != 0xB7 && op != 0xBE && op != 0xBF)
			return -VMM_EINVALID;
		out->width = (op & 1) ? 2 : 1;
		out->dst_width = opsize;
		out->ext = (op >= 0xBE) ? X86_EXT_SIGN : X86_EXT_ZERO;
		out->is_store = false;
	} else if (op == 0x88 || op == 0x8A || op == 0xC6) {
		out->width = out->dst_width = 1;
		out->is_store = op != 0x8A;
	} else if (op == 0x89 || op == 0x8B || op == 0xC7) {
		out->width = out->dst_width = opsize;
		out->is_store = op != 0x8B;
	} else {
		return -VMM_EINVALID;
	}
	if (i >= n)
		return -VMM_EINVALID;
	modrm = b[i];
	mlen = modrm_length(b + i, n - i, asize);
	if (mlen < 0)
		return -VMM_EINVALID;	/* register operand or truncated */
	out->reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
	if ((op == 0xC6 || op == 0xC7) && (modrm & 0x38))
		return -VMM_EINVALID;	/* only /0 is MOV */
	/* 8-bit registers 4-7 without REX are AH CH DH BH */
	if (out->width == 1 && out->ext == X86_EXT_NONE && !rex && out->reg >= 4 && out->reg < 8 &&
	    op != 0xC6) {
		out->reg -= 4;
		out->high_byte = true;
	}
	i += mlen;
	if (op == 0xC6 || op == 0xC7) {
		int ib = op == 0xC6 ? 1 : (opsize == 2 ? 2 : 4);

		if (i + ib > n)
			return -VMM_EINVALID;
		out->imm = read_le(b + i, ib);
		if (ib == 4 && opsize == 8)
			out->imm = (u64)(s64)(s32)out->imm;
		out->has_imm = true;
		i += ib;
	}
	if (i > n)
		return -VMM_EINVALID;
	out->length = (u8)i;
	return VMM_OK;
}

u64 x86_mmio_extend(const struct x86_mmio_insn *insn, u64 v)
{
	u64 mask = insn->width == 8 ? ~0ULL : (1ULL << (insn->width * 8)) - 1;

	v &= mask;
	if (insn->ext == X86_EXT_SIGN && (v & (1ULL << (insn->width * 8 - 1))))
		v |= ~mask;
	return v;
}
