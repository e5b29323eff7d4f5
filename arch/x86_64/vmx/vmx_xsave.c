/*
 * arch/x86_64/vmx/vmx_xsave.c - the guests' extended processor state
 * (x87, SSE, AVX, AVX-512: XFEATURE_GUEST_SWITCHED of cpustate_check.h):
 * which XCR0 bits a guest may enable, the per-VCPU XSAVE area (sized from
 * CPUID 0xD for exactly those bits, initialised to the architectural init
 * state at VCPU reset) and its switch between VCPUs.
 *
 * XCR0 in root operation: while a VCPU is loaded on a CPU, XCR0 holds that
 * VCPU's value (VM exits do not switch XCR0, and the hypervisor, built with
 * -mgeneral-regs-only, executes no instruction that depends on it); only
 * the VCPU switch below uses XSAVE, and it sets XCR0 to every switched
 * component first, so that all of them are saved and all of the next
 * VCPU's are restored (components it never used come back in their init
 * state, as XSTATE_BV says), then loads the next VCPU's XCR0. A guest's
 * XCR0 and register contents therefore never reach another guest, even a
 * component the other guest has disabled and enables later.
 *
 * Supervisor state (IA32_XSS, XSAVES/XRSTORS) is not offered: the "enable
 * XSAVES/XRSTORS" VM-execution control stays 0, so the guest gets #UD for
 * them, CPUID 0xD.1 EAX hides XSAVES and reports no XSS bits, and IA32_XSS
 * is an unknown MSR (#GP). Without XSAVE in the CPU, FXSAVE/FXRSTOR switch
 * x87 and SSE in the same area.
 */
#include <string.h>
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/cpustate_check.h"
#include "arch/x86_64/cpu.h"
#include "kernel/host_mem.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define XSAVE_LEGACY_SIZE 512
#define XSAVE_HEADER_SIZE 64
#define XSAVE_MIN_SIZE (XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE)

static u64 xcr0_allowed;	/* 0: no XSAVE, FXSAVE only */
static u32 area_size = XSAVE_LEGACY_SIZE;
static bool probed;

/*
 * Size of the XSAVE area for the components in 'mask' (CPUID 0xD subleaf
 * i: EAX size, EBX standard offset, ECX bit 1 64-byte alignment): standard
 * format, each component at its offset; compacted (SDM 13.4.3), the
 * components in order, aligned where ECX bit 1 says so.
 */
static u32 xsave_area_size(u64 mask, bool compacted)
{
	u32 size = XSAVE_MIN_SIZE;

	for (u32 i = 2; i < 63; i++) {
		u32 a, b, c, d;

		if (!(mask & (1ULL << i)))
			continue;
		cpuid_count(0xD, i, &a, &b, &c, &d);
		if (compacted)
			size = ((c & 2) ? ALIGN_UP(size, 64u) : size) + a;
		else if (b + a > size)
			size = b + a;
	}
	return size;
}

u32 vmx_xsave_size(u64 mask)
{
	return xsave_area_size(mask, false);
}

u32 vmx_xsave_compacted_size(u64 mask)
{
	return xsave_area_size(mask, true);
}

/* Decide once what guests may enable (CPUID.1:ECX.XSAVE, CPUID 0xD.0). */
static void probe(void)
{
	u32 a, b, c, d;

	probed = true;
	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 26)) || !(read_cr4() & X86_CR4_OSXSAVE))
		return;
	cpuid_count(0xD, 0, &a, &b, &c, &d);
	xcr0_allowed = (((u64)d << 32) | a) & XFEATURE_GUEST_SWITCHED;
	/* an AVX-512 part the CPU lacks: none of it (XSETBV needs all three) */
	if ((xcr0_allowed & XFEATURE_AVX512) != XFEATURE_AVX512)
		xcr0_allowed &= ~XFEATURE_AVX512;
	if (!(xcr0_allowed & XFEATURE_AVX))
		xcr0_allowed &= ~XFEATURE_AVX512;
	area_size = vmx_xsave_size(xcr0_allowed);
	if (area_size > PAGE_SIZE) {	/* cannot happen for these components */
		vmm_warn("vmx: XSAVE area of %u bytes for XCR0 0x%llx exceeds a page; x87/SSE only\n",
			 area_size, (unsigned long long)xcr0_allowed);
		xcr0_allowed &= XFEATURE_X87 | XFEATURE_SSE;
		area_size = XSAVE_MIN_SIZE;
	}
	vmm_info("vmx: guest XCR0 may enable 0x%llx, switched with XSAVE (%u bytes per VCPU)\n",
		 (unsigned long long)xcr0_allowed, area_size);
}

u64 vmx_xcr0_allowed(void)
{
	if (unlikely(!probed))
		probe();
	return xcr0_allowed;
}

int vmx_xsave_alloc(struct vmx_vcpu *vx)
{
	vmx_xcr0_allowed();
	/* a host page: 64-byte aligned as XSAVE demands, larger than any area here */
	vx->xsave = vmm_host_page_alloc(0);
	return vx->xsave ? VMM_OK : -VMM_ENOMEM;
}

/*
 * The architectural init state (SDM vol. 1 13.6): XSTATE_BV = 0 makes
 * XRSTOR initialise every component; MXCSR (loaded whatever XSTATE_BV
 * says when SSE or AVX is restored) gets its reset value 0x1F80, FCW
 * FNINIT's 0x037F for the FXRSTOR-only case. XCR0 = 1.
 */
void vmx_xsave_reset(struct vmx_vcpu *vx)
{
	u8 *area = (u8 *)(uintptr_t)vx->xsave;

	memset(area, 0, PAGE_SIZE);
	*(u16 *)&area[0] = 0x037F;
	*(u32 *)&area[24] = 0x1F80;
	vx->xcr0 = XFEATURE_X87;
}

static inline void xsetbv0(u64 v)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((u32)v), "d"((u32)(v >> 32)));
}

/* Save the VCPU's state leaving the CPU. */
void vmx_xsave_save(struct vmx_vcpu *vx)
{
	void *area = (void *)(uintptr_t)vx->xsave;

	if (!xcr0_allowed) {
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
		return;
	}
	if (vx->xcr0 != xcr0_allowed)
		xsetbv0(xcr0_allowed);
	__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"((u32)xcr0_allowed),
			 "d"((u32)(xcr0_allowed >> 32)) : "memory");
}

/* Load the VCPU's state, every switched component, then its XCR0. */
void vmx_xsave_load(struct vmx_vcpu *vx, bool after_save)
{
	void *area = (void *)(uintptr_t)vx->xsave;

	if (!xcr0_allowed) {
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
		return;
	}
	/* after vmx_xsave_save XCR0 is xcr0_allowed already; else it is unknown */
	if (!after_save)
		xsetbv0(xcr0_allowed);
	__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"((u32)xcr0_allowed),
			 "d"((u32)(xcr0_allowed >> 32)) : "memory");
	if (vx->xcr0 != xcr0_allowed)
		xsetbv0(vx->xcr0);
}
