/*
 * arch/x86_64/setup.h - CPU set-up steps shared by the bootstrap CPU
 * (setup.c) and the APs (smp.c).
 */
#ifndef ARCH_X86_64_SETUP_H
#define ARCH_X86_64_SETUP_H

/* CR4.OSFXSR/OSXMMEXCPT (and OSXSAVE when present), CR0.EM/TS off. */
void arch_cpu_enable_fpu_state(void);

#endif
