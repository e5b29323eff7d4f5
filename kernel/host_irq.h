/*
 * kernel/host_irq.h - host interrupts (the design's vmm_host_irq_exec):
 * handlers registered per host vector, called from the trap path for
 * interrupts taken in root mode and from the VM-exit path for interrupts
 * that arrive while a guest runs.
 */
#ifndef KERNEL_HOST_IRQ_H
#define KERNEL_HOST_IRQ_H

#include "kernel/types.h"

struct arch_regs;
typedef void (*vmm_host_irq_handler_t)(u32 vector, struct arch_regs *regs, void *data);

int vmm_host_irq_register(u32 vector, vmm_host_irq_handler_t handler, void *data);
/* Run the handler of 'vector'; an unexpected vector is reported once. */
void vmm_host_irq_exec(u32 vector, struct arch_regs *regs);
/* How often 'vector' was taken: on all CPUs / on host CPU 'cpu'. */
u64 vmm_host_irq_count(u32 vector);
u64 vmm_host_irq_count_cpu(u32 vector, u32 cpu);
/* "host irq stats": every vector with a handler (or taken anyway), its
 * handler's name and its count on each online CPU. */
int vmm_host_irq_stats_print(void);

#endif
