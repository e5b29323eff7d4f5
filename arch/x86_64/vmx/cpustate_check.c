/*
 * arch/x86_64/vmx/cpustate_check.c - the #GP(0) rules for guest XCR0, CR0,
 * CR4 and CR8 values (see cpustate_check.h). Pure computation.
 */
#include "arch/x86_64/vmx/cpustate_check.h"

#define CR0_PE (1ULL << 0)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_PCIDE (1ULL << 17)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

const char *xcr0_check(u32 xcr, u64 val, u64 allowed)
{
	/* XSETBV: "#GP(0) if an invalid XCR is specified in ECX"; XCR1
	 * (CPUID 0xD.1 EAX[2]) is read-only through XGETBV, never written */
	if (xcr != 0)
		return "XSETBV to an XCR other than XCR0";
	if (val & ~allowed)
		return "reserved or unsupported XCR0 bit";
	/* SDM vol. 1 13.3: XCR0[0] is always 1 */
	if (!(val & XFEATURE_X87))
		return "XCR0 without x87 (bit 0)";
	/* AVX state needs SSE state */
	if ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE))
		return "XCR0 with AVX but without SSE";
	/* MPX: BNDREGS and BNDCSR both or neither */
	if (!(val & XFEATURE_BNDREGS) != !(val & XFEATURE_BNDCSR))
		return "XCR0 with only one of BNDREGS and BNDCSR";
	/* AVX-512: opmask, ZMM_Hi256 and Hi16_ZMM all or none, and only with AVX */
	if ((val & XFEATURE_AVX512) && (val & XFEATURE_AVX512) != XFEATURE_AVX512)
		return "XCR0 with only part of the AVX-512 state (bits 7:5)";
	if ((val & XFEATURE_AVX512) && !(val & XFEATURE_AVX))
		return "XCR0 with AVX-512 but without AVX";
	/* AMX: TILECFG and TILEDATA both or neither */
	if (!(val & XFEATURE_TILECFG) != !(val & XFEATURE_TILEDATA))
		return "XCR0 with only one of TILECFG and TILEDATA";
	return NULL;
}

const char *cr0_check(u64 val, bool long64, u64 efer, u64 cr4, u64 cr3)
{
	(void)cr3;
	/* MOV CR0, 64-bit mode: a 1 in bits 63:32 */
	if (long64 && (val >> 32))
		return "CR0 bits 63:32 are reserved";
	val &= 0xFFFFFFFFULL;
	/* SDM 2.5 and MOV CR: invalid combinations */
	if ((val & CR0_PG) && !(val & CR0_PE))
		return "CR0.PG without CR0.PE";
	if ((val & CR0_NW) && !(val & CR0_CD))
		return "CR0.NW without CR0.CD";
	/* activating IA-32e mode (SDM 9.8.5) needs PAE */
	if ((val & CR0_PG) && (efer & EFER_LME) && !(cr4 & CR4_PAE))
		return "CR0.PG with EFER.LME but without CR4.PAE";
	/* MOV CR0: clearing PG while CR4.PCIDE = 1; clearing PG in 64-bit mode */
	if (!(val & CR0_PG) && (cr4 & CR4_PCIDE))
		return "clearing CR0.PG with CR4.PCIDE set";
	if (!(val & CR0_PG) && long64)
		return "clearing CR0.PG in 64-bit mode";
	return NULL;
}

const char *cr4_check(u64 val, u64 allowed, u64 old, u64 efer, u64 cr3)
{
	if (val & ~allowed)
		return "reserved or unsupported CR4 bit";
	/* MOV CR4: PCIDE only in IA-32e mode, and set only with CR3[11:0] = 0 */
	if ((val & CR4_PCIDE) && !(old & CR4_PCIDE)) {
		if (!(efer & EFER_LMA))
			return "CR4.PCIDE outside IA-32e mode";
		if (cr3 & 0xFFF)
			return "CR4.PCIDE set with CR3[11:0] not 0";
	}
	/* clearing PAE while IA-32e mode is active */
	if ((efer & EFER_LMA) && !(val & CR4_PAE))
		return "clearing CR4.PAE in IA-32e mode";
	return NULL;
}

const char *cr8_check(u64 val)
{
	return (val >> 4) ? "CR8 bits 63:4 are reserved" : NULL;
}
