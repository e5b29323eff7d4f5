/*
 * kernel/host_irq.c - host interrupt handlers by vector (host_irq.h), how
 * often each vector was taken on each host CPU, and the report of those
 * counts ("host irq stats").
 */
#include <string.h>
#include "kernel/host_irq.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_debug.h"

#define HOST_IRQ_VECTORS 256

static struct {
	vmm_host_irq_handler_t handler;
	void *data;
	bool reported;
} irqs[HOST_IRQ_VECTORS];

/*
 * Counts per CPU and vector: each CPU writes only its own row (no lock,
 * no atomic on the dispatch path); readers on other CPUs may see a count
 * one interrupt old.
 */
static u64 counts[ARCH_CPU_MAX][HOST_IRQ_VECTORS];

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
	unsigned int cpu = arch_cpu_id();

	if (vector >= HOST_IRQ_VECTORS)
		return;
	if (cpu < ARCH_CPU_MAX)
		counts[cpu][vector]++;
	if (irqs[vector].handler) {
		irqs[vector].handler(vector, regs, irqs[vector].data);
	} else if (!irqs[vector].reported) {
		irqs[vector].reported = true;
		vmm_warn("irq: unexpected host interrupt vector %u ignored (reported once)\n", vector);
	}
}

u64 vmm_host_irq_count_cpu(u32 vector, u32 cpu)
{
	if (vector >= HOST_IRQ_VECTORS || cpu >= ARCH_CPU_MAX)
		return 0;
	return __atomic_load_n(&counts[cpu][vector], __ATOMIC_RELAXED);
}

u64 vmm_host_irq_count(u32 vector)
{
	u64 n = 0;

	for (u32 c = 0; c < ARCH_CPU_MAX; c++)
		n += vmm_host_irq_count_cpu(vector, c);
	return n;
}

/* The name of a vector's handler (its symbol), or what stands for it. */
static void handler_name(u32 vector, char *buf, size_t size)
{
	unsigned long off;
	const char *sym;

	if (!irqs[vector].handler) {
		strlcpy(buf, "(no handler)", size);
		return;
	}
	sym = arch_symbol_lookup((unsigned long)irqs[vector].handler, &off);
	if (sym)
		strlcpy(buf, sym, size);
	else
		vmm_snprintf(buf, size, "handler@%p", (void *)irqs[vector].handler);
}

int vmm_host_irq_stats_print(void)
{
	char head[16 + ARCH_CPU_MAX * 14], line[16 + ARCH_CPU_MAX * 14], name[40];
	u32 ncpu = 0, shown = 0;
	size_t off = 0;

	for (u32 c = 0; c < ARCH_CPU_MAX; c++)
		if (arch_cpu_online(c))
			ncpu = c + 1;
	if (!ncpu)
		ncpu = 1;
	for (u32 c = 0; c < ncpu; c++) {
		char col[8];

		vmm_snprintf(col, sizeof(col), "cpu%u", c);
		off += vmm_snprintf(head + off, sizeof(head) - off, " %13s", col);
	}
	vmm_printk(VMM_LOG_EMERG, "  %-6s %-24s%s\n", "vector", "handler", head);
	for (u32 v = 0; v < HOST_IRQ_VECTORS; v++) {
		if (!irqs[v].handler && !vmm_host_irq_count(v))
			continue;
		off = 0;
		for (u32 c = 0; c < ncpu; c++)
			off += vmm_snprintf(line + off, sizeof(line) - off, " %13llu",
					    (unsigned long long)vmm_host_irq_count_cpu(v, c));
		handler_name(v, name, sizeof(name));
		vmm_printk(VMM_LOG_EMERG, "  0x%02x   %-24s%s\n", v, name, line);
		shown++;
	}
	if (!shown)
		vmm_printk(VMM_LOG_EMERG, "  no host interrupt vector has a handler or was taken\n");
	return VMM_OK;
}
