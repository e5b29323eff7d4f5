/*
 * kernel/spinlock.h - spinlocks for the SMP host, built on compiler atomics
 * and the arch contract for the local interrupt flag.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "kernel/types.h"
#include "kernel/arch_cpu.h"

typedef struct {
	volatile int locked;
} vmm_spinlock_t;

#define VMM_SPINLOCK_INIT { 0 }

static inline void vmm_spin_lock(vmm_spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
}

static inline void vmm_spin_unlock(vmm_spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline unsigned long vmm_spin_lock_irqsave(vmm_spinlock_t *l)
{
	unsigned long flags = arch_cpu_irq_save();

	vmm_spin_lock(l);
	return flags;
}

static inline void vmm_spin_unlock_irqrestore(vmm_spinlock_t *l, unsigned long flags)
{
	vmm_spin_unlock(l);
	arch_cpu_irq_restore(flags);
}

#endif
