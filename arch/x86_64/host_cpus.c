/*
 * arch/x86_64/host_cpus.c - the host CPUs as found at boot, for /host/cpus
 * (kernel/arch_info.h arch_host_cpus()): the started CPUs by their index,
 * with the APIC id they run with, then the enabled processors of the ACPI
 * MADT that were not started.
 */
#include "kernel/arch_info.h"
#include "kernel/arch_cpu.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/lapic.h"

/* Is 'apic_id' one of the first n entries of out[]? */
static bool listed(const struct arch_host_cpu *out, u32 n, u32 apic_id)
{
	for (u32 i = 0; i < n; i++)
		if (out[i].hw_id == apic_id)
			return true;
	return false;
}

/* The CPUs by index: online ones where smp.c put them, the rest after. */
u32 arch_host_cpus(struct arch_host_cpu *out, u32 max)
{
	const struct acpi_madt_info *madt = acpi_madt_info();
	u32 n = 0;

	if (!max)
		return 0;
	for (u32 cpu = 0; cpu < ARCH_CPU_MAX && cpu < max; cpu++) {
		out[cpu].online = arch_smp_cpu_online(cpu);
		out[cpu].hw_id = out[cpu].online ? smp_apic_id(cpu) : ARCH_HOST_CPU_NO_ID;
		if (out[cpu].online)
			n = cpu + 1;
	}
	if (!n) {	/* cannot happen: this CPU runs; keep the contract anyway */
		out[0].online = true;
		out[0].hw_id = lapic_id();
		n = 1;
	}
	for (u32 i = 0; madt->valid && i < madt->nr_cpus && n < max; i++) {
		if (listed(out, n, madt->apic_ids[i]))
			continue;
		out[n].hw_id = madt->apic_ids[i];
		out[n].online = false;
		n++;
	}
	return n;
}
