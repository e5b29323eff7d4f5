/*
 * arch/x86_64/vmx/vmx_exit_qual.h - the exit qualifications of control-
 * register, MOV DR and I/O-instruction exits decoded into named fields
 * (SDM vol. 3 28.2.1, tables 28-3, 28-4 and 28-5 in recent editions;
 * 27-3, 27-4 and 27-5 in older ones). Pure bit decoding, no VMCS access:
 * the handlers read the qualification once and decode it here, and
 * tests/unit/test_exit_qual.c checks every field on the host.
 */
#ifndef ARCH_X86_64_VMX_VMX_EXIT_QUAL_H
#define ARCH_X86_64_VMX_VMX_EXIT_QUAL_H

#include "kernel/types.h"

/* Control-register access (table 28-3). */
enum vmx_cr_access_type {
	VMX_CR_MOV_TO = 0,	/* MOV to CR */
	VMX_CR_MOV_FROM = 1,	/* MOV from CR */
	VMX_CR_CLTS = 2,
	VMX_CR_LMSW = 3,
};

struct vmx_cr_qual {
	u8 cr;			/* bits 3:0: the control register (0, 3, 4 or 8) */
	u8 type;		/* bits 5:4: enum vmx_cr_access_type */
	bool lmsw_mem;		/* bit 6: LMSW's operand is in memory (else a register) */
	u8 gpr;			/* bits 11:8: the general register of MOV CR (SDM encoding) */
	u16 lmsw_data;		/* bits 31:16: LMSW's source operand */
};

static inline struct vmx_cr_qual vmx_cr_qual_decode(u64 q)
{
	return (struct vmx_cr_qual){
		.cr = q & 0xF,
		.type = (q >> 4) & 3,
		.lmsw_mem = (q >> 6) & 1,
		.gpr = (q >> 8) & 0xF,
		.lmsw_data = (u16)(q >> 16),
	};
}

/* MOV DR (table 28-4). */
struct vmx_dr_qual {
	u8 dr;			/* bits 2:0: the debug register */
	bool from;		/* bit 4: MOV from DR (read); clear: MOV to DR */
	u8 gpr;			/* bits 11:8: the general register (SDM encoding) */
};

static inline struct vmx_dr_qual vmx_dr_qual_decode(u64 q)
{
	return (struct vmx_dr_qual){
		.dr = q & 7,
		.from = (q >> 4) & 1,
		.gpr = (q >> 8) & 0xF,
	};
}

/* I/O instruction (table 28-5). */
struct vmx_io_qual {
	u8 size;		/* bits 2:0 + 1: bytes accessed, 1, 2 or 4 */
	bool in;		/* bit 3: IN/INS; clear: OUT/OUTS */
	bool string;		/* bit 4: INS/OUTS */
	bool rep;		/* bit 5: REP prefixed */
	bool imm;		/* bit 6: port from an immediate; clear: from DX */
	u16 port;		/* bits 31:16 */
};

static inline struct vmx_io_qual vmx_io_qual_decode(u64 q)
{
	return (struct vmx_io_qual){
		.size = (q & 7) + 1,
		.in = (q >> 3) & 1,
		.string = (q >> 4) & 1,
		.rep = (q >> 5) & 1,
		.imm = (q >> 6) & 1,
		.port = (u16)(q >> 16),
	};
}

#endif
