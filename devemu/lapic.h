/*
 * devemu/lapic.h - the local APIC of each VCPU of a guest (devemu/lapic.c):
 * what the arch's exit handlers call. The xAPIC page itself is the
 * guest's "x86,local-apic" virtual region (0xFEE00000): its accesses reach
 * the LAPIC of the VCPU that makes them through devemu. Every function here
 * is called by the VCPU's own exit path (on the CPU it runs on).
 */
#ifndef DEVEMU_LAPIC_H
#define DEVEMU_LAPIC_H

#include "kernel/types.h"

struct vmm_vcpu;

#define LAPIC_MSR_APIC_BASE	0x1B
#define LAPIC_BASE_BSP		(1ULL << 8)
#define LAPIC_BASE_EXTD		(1ULL << 10)	/* x2APIC mode */
#define LAPIC_BASE_EN		(1ULL << 11)	/* globally enabled */
#define LAPIC_BASE_DEFAULT	0xFEE00000ULL

/* Does the VCPU have a local APIC? */
bool vmm_lapic_present(const struct vmm_vcpu *vcpu);
/*
 * RDMSR / WRMSR of IA32_APIC_BASE (0x1B), IA32_TSC_DEADLINE (0x6E0) and the
 * x2APIC range 0x800-0x8FF: 0; -VMM_ENOENT when the VCPU has no local APIC
 * (the caller's usual handling applies); another negative code when the
 * access raises #GP (the caller injects it).
 */
int vmm_lapic_msr_read(struct vmm_vcpu *vcpu, u32 msr, u64 *val);
int vmm_lapic_msr_write(struct vmm_vcpu *vcpu, u32 msr, u64 val);
/* Is 'msr' one of those? */
static inline bool vmm_lapic_msr(u32 msr)
{
	return msr == LAPIC_MSR_APIC_BASE || msr == 0x6E0 || (msr >= 0x800 && msr <= 0x8FF);
}
/* MOV from / to CR8: the task-priority class (TPR bits 7:4). */
u64 vmm_lapic_cr8_read(struct vmm_vcpu *vcpu);
void vmm_lapic_cr8_write(struct vmm_vcpu *vcpu, u64 cr8);

/* Statistics of one VCPU's local APIC (vcpu stats). */
struct vmm_lapic_stats {
	bool present, x2apic, enabled;
	u32 id;
	u64 ipis_sent, ipis_received, timer_irqs, eois, bad_accesses;
};
void vmm_lapic_stats_get(struct vmm_vcpu *vcpu, struct vmm_lapic_stats *out);

#endif
