/*
 * arch/x86_64/vmx/cpustate_check.h - the architectural rules a guest's
 * XCR0 (XSETBV), CR0 and CR4 (MOV to CR, LMSW) and CR8 (MOV to CR8) values
 * must follow before they reach hardware or the VMCS, as pure functions:
 * each returns why the CPU would raise #GP(0) on the value natively, or
 * NULL when the value is acceptable. Pure computation: unit-tested on the
 * host (tests/unit/test_cpustate_check.c).
 */
#ifndef ARCH_X86_64_VMX_CPUSTATE_CHECK_H
#define ARCH_X86_64_VMX_CPUSTATE_CHECK_H

#include "kernel/types.h"

/* XCR0 state components (SDM vol. 1 13.1, 13.3) */
#define XFEATURE_X87 (1ULL << 0)
#define XFEATURE_SSE (1ULL << 1)
#define XFEATURE_AVX (1ULL << 2)
#define XFEATURE_BNDREGS (1ULL << 3)
#define XFEATURE_BNDCSR (1ULL << 4)
#define XFEATURE_OPMASK (1ULL << 5)
#define XFEATURE_ZMM_HI256 (1ULL << 6)
#define XFEATURE_HI16_ZMM (1ULL << 7)
#define XFEATURE_PKRU (1ULL << 9)
#define XFEATURE_TILECFG (1ULL << 17)
#define XFEATURE_TILEDATA (1ULL << 18)
#define XFEATURE_AVX512 (XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM)
/*
 * The user state components the hypervisor switches per VCPU with XSAVE:
 * x87, SSE, AVX and AVX-512. MPX (no IA32_BNDCFGS switching), PKRU (no
 * CR4.PKE for guests), AMX and every supervisor component are not offered.
 */
#define XFEATURE_GUEST_SWITCHED (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512)

/*
 * XSETBV (SDM vol. 2 XSETBV, vol. 1 13.3): 'xcr' is ECX, 'val' EDX:EAX,
 * 'allowed' the XCR0 bits the guest may set (a subset of the CPU's).
 */
const char *xcr0_check(u32 xcr, u64 val, u64 allowed);

/*
 * MOV to CR0 (SDM vol. 2 MOV CR, vol. 3 2.5): 'val' the full operand,
 * 'long64' the guest executes in 64-bit mode, 'efer' and 'cr4' its
 * current values as it sees them.
 */
const char *cr0_check(u64 val, bool long64, u64 efer, u64 cr4, u64 cr3);

/*
 * MOV to CR4: 'allowed' the CR4 bits the guest may set (features it sees,
 * and that VMX operation allows), 'efer' and 'cr0' current values,
 * 'old' the CR4 it sees now, 'cr3' the guest's CR3.
 */
const char *cr4_check(u64 val, u64 allowed, u64 old, u64 efer, u64 cr3);

/* MOV to CR8 in 64-bit mode: bits 63:4 are reserved. */
const char *cr8_check(u64 val);

#endif
