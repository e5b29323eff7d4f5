/*
 * arch/x86_64/smp.h - the host's CPUs (smp.c): starting the APs, the
 * cross-CPU call, stopping CPUs at power-off and panic, host NMIs, and the
 * SIPI hand-shake the test signals (smp_test.c) use.
 */
#ifndef ARCH_X86_64_SMP_H
#define ARCH_X86_64_SMP_H

#include "kernel/types.h"

struct arch_regs;
struct vmm_vcpu;

#define SMP_CALL_VECTOR 0xF1		/* cross-CPU call */
#define SMP_NMI_REPORT_VECTOR 0xF2	/* self-IPI: report a root-mode NMI */
#define SMP_KICK_VECTOR 0xF3		/* arch_cpu_kick: end of a trap, nothing else */

/* Pick and reserve the AP trampoline page below 1 MiB (before the allocator). */
struct vmm_boot_info;
u64 smp_trampoline_pick(const struct vmm_boot_info *bi);

/* Number of CPUs online and whether CPU 'cpu' is one of them. */
u32 arch_smp_cpus_online(void);
bool arch_smp_cpu_online(u32 cpu);

/*
 * Run fn(arg) on CPU 'cpu' in interrupt context (interrupts off) through
 * the IPI vector SMP_CALL_VECTOR; on this CPU, directly. With 'wait' it
 * returns when fn has returned. -VMM_ENOTAVAIL: no such CPU online;
 * -VMM_ETIMEDOUT: the CPU did not answer within a second.
 */
int arch_smp_call(u32 cpu, void (*fn)(void *), void *arg, bool wait);
/*
 * Run the call posted to this CPU, if any (interrupts off). The call's IPI
 * runs it; the VMX-preemption-timer exit (the end of every slice) polls as
 * well, so a call reaches a CPU whose guest holds interrupts off even where
 * the IPI makes no exit (Bochs 2.7 with guest IF=0, platform notes).
 */
void arch_smp_call_poll(void);

/* Every AP leaves VMX operation and stops (power-off), through arch_smp_call. */
void arch_smp_stop_others_call(void);

/*
 * A host NMI on this CPU: in root mode from the IDT (regs: its frame,
 * guest NULL) or as a VM exit while 'guest' ran. A stop request halts the
 * CPU here; any other NMI is reported and ignored.
 */
void smp_host_nmi(struct arch_regs *regs, struct vmm_vcpu *guest);

/* APIC id of a CPU (0xFFFFFFFF when it is not online). */
u32 smp_apic_id(u32 cpu);

#endif
