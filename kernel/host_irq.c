/*
 * kernel/host_irq.c - host interrupt handlers by vector (host_irq.h).
 */
#include "kernel/host_irq.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define HOST_IRQ_VECTORS 256

static struct {
	vmm_host_irq_handler_t handler;
	void *data;
	u64 count;
	bool reported;
} irqs[HOST_IRQ_VECTORS];

int vmm_host_irq_register(u32 vector, vmm_host_irq_handler_t handler, void *data)
{
	if (vector < 32 || vector >= HOST_IRQ_VECTORS)
		return -VMM_EINVALID;
	if (irqs[vector].handler)
		return -VMM_EBUSY;
	irqs[vector].data = data;
	irqs[vector].handler = handler;
	return VMM_OK;
}

void vmm_host_irq_exec(u32 vector, struct arch_regs *regs)
{
	if (vector >= HOST_IRQ_VECTORS)
		return;
	irqs[vector].count++;
	if (irqs[vector].handler) {
		irqs[vector].handler(vector, regs, irqs[vector].data);
	} else if (!irqs[vector].reported) {
		irqs[vector].reported = true;
		vmm_warn("irq: unexpected host interrupt vector %u ignored (reported once)\n", vector);
	}
}

u64 vmm_host_irq_count(u32 vector)
{
	return vector < HOST_IRQ_VECTORS ? irqs[vector].count : 0;
}
