/*
 * kernel/arch_info.h - arch contract: descriptions of the host for the boot
 * banner and for /host in the device tree (the CPUs found), the verdict on
 * hardware virtualization support, the host resources the hypervisor owns.
 */
#ifndef KERNEL_ARCH_INFO_H
#define KERNEL_ARCH_INFO_H

#include "kernel/types.h"

/* One line naming the host CPU: vendor, family/model/stepping, brand. */
void arch_cpu_describe(char *buf, size_t size);

/*
 * One host CPU as found at boot, for /host/cpus (kernel/host_tree.c).
 * Index i of arch_host_cpus()'s array is the CPU index: the CPUs that were
 * started keep the index arch_cpu_id() returns on them; the CPUs the
 * firmware lists that were not started (maxcpus=, more than ARCH_CPU_MAX,
 * a failed start) follow in firmware order, never online.
 */
struct arch_host_cpu {
	u32 hw_id;	/* hardware id (x86: local APIC id); ARCH_HOST_CPU_NO_ID if unknown */
	bool online;	/* started and running the hypervisor */
};
#define ARCH_HOST_CPU_NO_ID 0xFFFFFFFFu
#define ARCH_HOST_CPUS_MAX 64
/* Fill out[0..max) with the host CPUs by index; returns how many (>= 1:
 * the CPU running this). Call after arch_smp_init(). */
u32 arch_host_cpus(struct arch_host_cpu *out, u32 max);

/*
 * Probe hardware virtualization (VT-x on x86) without enabling it; prints
 * what was found and one verdict line. Returns true when guests can run.
 */
bool arch_virt_probe(void);
/*
 * When the probe found no usable hardware virtualization: the line (no
 * newline) telling the user why and what to change (e.g. the firmware
 * setting), repeated at the end of the boot; NULL when guests can run.
 */
const char *arch_virt_advice(void);
/* Enter hardware virtualization on this CPU (VMXON); needs a usable probe. */
int arch_virt_init(void);

/*
 * A host resource the hypervisor itself uses (issue 10, finding 5): its
 * console UART, the interrupt controllers, the power-off and exit ports,
 * the PCI configuration ports, the ACPI tables it reads. The configuration
 * check refuses any real (pass-through) region over one of them.
 */
struct vmm_host_owned {
	bool io;		/* I/O ports; else host physical addresses */
	u64 start, end;		/* [start, end) */
	char what[48];		/* what it is (for the refusal message) */
};
#define VMM_HOST_OWNED_MAX 48
/* Fill out[0..max) with the host resources in use, as found at boot (call
 * after the arch set-up); returns how many. */
u32 arch_host_owned(struct vmm_host_owned *out, u32 max);

#endif
