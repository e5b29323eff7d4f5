/*
 * kernel/arch_cpu.h - arch contract: the current CPU's basic controls.
 * Implemented by arch/x86_64/cpu.c; faked by the unit tests.
 */
#ifndef KERNEL_ARCH_CPU_H
#define KERNEL_ARCH_CPU_H

#include "kernel/types.h"

/* Disable local interrupts and return the previous state. */
unsigned long arch_cpu_irq_save(void);
/* Restore the local interrupt state returned by arch_cpu_irq_save(). */
void arch_cpu_irq_restore(unsigned long flags);
void arch_cpu_irq_enable(void);
/* Are local interrupts on? (Off in every trap handler; on in threads.) */
bool arch_cpu_irq_enabled(void);
/* Spin-wait hint. */
void arch_cpu_relax(void);
/* Wait for an interrupt (with interrupts enabled). */
void arch_cpu_wait_for_irq(void);
/* Stop this CPU for good: interrupts off, halted. */
void arch_cpu_stop(void) __attribute__((noreturn));
/* Index of the executing host CPU (0 = bootstrap CPU). */
unsigned int arch_cpu_id(void);
/* Highest CPU index + 1 the hypervisor may use (a compile-time bound). */
#define ARCH_CPU_MAX 8
/* Whether host CPU 'cpu' is started and running the hypervisor. */
bool arch_cpu_online(unsigned int cpu);
/*
 * Make CPU 'cpu' leave guest mode or its idle HLT and pass through the end
 * of a trap (vmm_scheduler_irq_process, then the VM-entry checks) soon:
 * an IPI whose handler does nothing else. On this CPU: nothing to do.
 */
void arch_cpu_kick(unsigned int cpu);
/* Start the other host CPUs: at most 'maxcpus' CPUs in all (0: no limit). */
void arch_smp_init(u32 maxcpus);
/* Stop every other host CPU at once, whatever it is doing (panic). */
void arch_cpu_stop_others(void);
/* Power the machine off (emulator exit); stops the CPU if that fails. */
void arch_power_off(void) __attribute__((noreturn));
/*
 * Reset the machine: the console flushed, the other CPUs stopped, then
 * each way the platform offers until one works (each printed before it is
 * tried); stops the CPU if none does.
 */
void arch_reboot(void) __attribute__((noreturn));
/* Time host CPU 'cpu' spent in guest mode since boot, in ns (up to its
 * last VM exit; 0 where guests never ran). */
u64 arch_cpu_guest_ns(unsigned int cpu);

#endif
