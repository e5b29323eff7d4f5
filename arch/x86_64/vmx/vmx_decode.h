/*
 * arch/x86_64/vmx/vmx_decode.h - decoding of the instructions that touch
 * emulated MMIO (after an EPT violation in a virtual region).
 *
 * Supported set: the MOV forms compilers emit for device registers, in
 * 16-, 32- and 64-bit code, with prefixes 66 67 F0 F2 F3, segment
 * overrides and REX:
 *   88 /r   MOV r/m8, r8          89 /r   MOV r/m16/32/64, r
 *   8A /r   MOV r8, r/m8          8B /r   MOV r16/32/64, r/m
 *   C6 /0   MOV r/m8, imm8        C7 /0   MOV r/m16/32/64, imm16/32
 *   A0-A3   MOV AL/eAX <-> moffs
 *   0F B6/B7  MOVZX r, r/m8/16    0F BE/BF  MOVSX r, r/m8/16
 * Anything else is refused (the guest is halted with a message).
 * Pure code: no VMX, unit-tested on the host.
 */
#ifndef ARCH_X86_64_VMX_VMX_DECODE_H
#define ARCH_X86_64_VMX_VMX_DECODE_H

#include "kernel/types.h"

#define X86_MAX_INSN_LEN 15

enum x86_mmio_ext { X86_EXT_NONE, X86_EXT_ZERO, X86_EXT_SIGN };

struct x86_mmio_insn {
	u8 length;		/* bytes of the whole instruction */
	u8 width;		/* bytes of the memory access: 1, 2, 4 or 8 */
	u8 dst_width;		/* loads: bytes written to the register */
	bool is_store;
	bool has_imm;
	u64 imm;		/* stores of an immediate (already sign-extended) */
	u8 reg;			/* register operand, SDM encoding 0 = RAX .. 15 = R15 */
	bool high_byte;		/* AH CH DH BH: bits 15:8 of register reg */
	enum x86_mmio_ext ext;
};

/*
 * Decode bytes[0..n) in a CPU mode of 16, 32 or 64 bits. Returns 0, or
 * -VMM_EINVALID for an unsupported or truncated instruction.
 */
int x86_decode_mmio(const u8 *bytes, size_t n, int mode, struct x86_mmio_insn *out);
/* A loaded value extended from width to dst_width as the instruction says. */
u64 x86_mmio_extend(const struct x86_mmio_insn *insn, u64 value);

#endif
