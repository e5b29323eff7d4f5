/*
 * kernel/cmd_host.c - the "host" command: "host info" describes the host
 * (CPU model, the CPUs with their hardware ids and whether they run the
 * hypervisor, the memory the page allocator manages); "host cpu stats"
 * where each CPU's time went (kernel/cpu_time.c); "host irq stats" the
 * host interrupts taken per vector and CPU (kernel/host_irq.c); "host
 * reboot" resets the machine.
 */
#include <string.h>
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_info.h"
#include "kernel/arch_console.h"
#include "kernel/host_mem.h"
#include "kernel/host_irq.h"
#include "kernel/cpu_time.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_timer.h"

#define HOST_USAGE "host info | cpu stats | irq stats | reboot"

/* "host info": CPU model, CPUs, memory, what carries the console. */
static int host_info(void)
{
	static struct arch_host_cpu cpus[ARCH_HOST_CPUS_MAX];
	static char line[ARCH_HOST_CPUS_MAX * 12 + 1];
	struct vmm_buddy *b = vmm_host_buddy();
	char model[96], console[192];
	u32 n, online = 0;
	size_t off = 0;

	arch_cpu_describe(model, sizeof(model));
	arch_console_describe(console, sizeof(console));
	n = arch_host_cpus(cpus, ARRAY_SIZE(cpus));
	line[0] = 0;
	for (u32 i = 0; i < n && off < sizeof(line); i++) {
		online += cpus[i].online;
		if (cpus[i].hw_id == ARCH_HOST_CPU_NO_ID)
			off += vmm_snprintf(line + off, sizeof(line) - off, " cpu%u:?%s", i,
					    cpus[i].online ? "" : "(off)");
		else
			off += vmm_snprintf(line + off, sizeof(line) - off, " cpu%u:%u%s", i,
					    cpus[i].hw_id, cpus[i].online ? "" : "(off)");
	}
	/* one printk: another CPU's output never splits the report */
	vmm_printk(VMM_LOG_EMERG, "host: %s\n"
		   "host: %u CPUs, %u online (index:APIC id):%s\n"
		   "host: memory %llu KiB managed, %llu KiB free\n"
		   "host: console %s\n",
		   model, n, online, line,
		   (unsigned long long)(b->total_pages * PAGE_SIZE / KiB),
		   (unsigned long long)(b->free_pages * PAGE_SIZE / KiB), console);
	return VMM_OK;
}

/* Dispatch the subcommands of "host". */
static int cmd_host(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "info"))
		return host_info();
	if (argc == 3 && !strcmp(argv[1], "cpu") && !strcmp(argv[2], "stats"))
		return vmm_cpu_time_print(arch_timer_now_ns());
	if (argc == 3 && !strcmp(argv[1], "irq") && !strcmp(argv[2], "stats"))
		return vmm_host_irq_stats_print();
	if (argc == 2 && !strcmp(argv[1], "reboot")) {
		vmm_printk(VMM_LOG_EMERG, "host: rebooting\n");
		arch_reboot();
	}
	if (argc < 2)
		vmm_printk(VMM_LOG_EMERG, "host: which subcommand?\nusage: " HOST_USAGE "\n");
	else if ((!strcmp(argv[1], "cpu") || !strcmp(argv[1], "irq")) && argc <= 3)
		vmm_printk(VMM_LOG_EMERG, "host %s: expected 'stats', got '%s'\nusage: " HOST_USAGE "\n",
			   argv[1], argc > 2 ? argv[2] : "nothing");
	else if (!strcmp(argv[1], "cpu") || !strcmp(argv[1], "irq"))
		vmm_printk(VMM_LOG_EMERG, "host %s stats: unexpected argument '%s'\nusage: " HOST_USAGE "\n",
			   argv[1], argv[3]);
	else if (!strcmp(argv[1], "info") || !strcmp(argv[1], "reboot"))
		vmm_printk(VMM_LOG_EMERG, "host %s: unexpected argument '%s'\nusage: " HOST_USAGE "\n",
			   argv[1], argv[2]);
	else
		vmm_printk(VMM_LOG_EMERG, "host: unknown subcommand '%s'\nusage: " HOST_USAGE "\n", argv[1]);
	return -VMM_EINVALID;
}

VMM_CMD(host, "host info|cpu stats|irq stats|reboot", "the host: CPUs, memory; CPU time and interrupt counts; reset",
	cmd_host);
