/*
 * arch/x86_64/cpu.c - the kernel/arch_cpu.h contract on x86-64.
 */
#include "kernel/arch_cpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"

unsigned long arch_cpu_irq_save(void)
{
	unsigned long flags = read_rflags();

	__asm__ volatile("cli" : : : "memory");
	return flags;
}

void arch_cpu_irq_restore(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

void arch_cpu_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

bool arch_cpu_irq_enabled(void)
{
	return read_rflags() & X86_RFLAGS_IF;
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

void arch_cpu_wait_for_irq(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

void arch_cpu_stop(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}

unsigned int arch_cpu_id(void)
{
	return this_cpu()->cpu_id;
}
