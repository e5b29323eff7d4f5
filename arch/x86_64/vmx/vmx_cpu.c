/*
 * arch/x86_64/vmx/vmx_cpu.c - VMX operation of one host CPU (each CPU calls
 * it for itself): the CPU's own CPUID and VMCS revision against the
 * bootstrap CPU's probe, the firmware lock in this CPU's
 * IA32_FEATURE_CONTROL (set and locked here when the firmware left it
 * unlocked), CR0/CR4 fixed bits (SDM 23.8), a VMXON region per CPU, VMXOFF.
 */
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/host_mem.h"
#include "kernel/printk.h"
#include "kernel/error.h"

static u64 vmxon_region[ARCH_MAX_CPUS];
static bool vmx_on[ARCH_MAX_CPUS];

bool vmx_cpu_enabled(void)
{
	return vmx_on[this_cpu()->cpu_id];
}

int vmx_cpu_enable(void)
{
	const struct vmx_caps *c = vmx_boot_caps();
	u32 cpu = this_cpu()->cpu_id;
	u32 a, b, ecx, d;
	u64 fc, pa, basic;
	u8 fail;

	if (vmx_on[cpu])
		return VMM_OK;
	if (c->verdict != VMX_USABLE) {
		vmm_err("vmx: CPU%u: cannot enable VMX: %s\n", cpu, vmx_verdict_text(c->verdict));
		return -VMM_ENOTAVAIL;
	}
	/* the verdict is the BSP's: this CPU must be the same kind */
	cpuid(1, &a, &b, &ecx, &d);
	if (!(ecx & (1u << 5))) {
		vmm_err("vmx: CPU%u: no VMX in this CPU's CPUID; VMX not enabled on it\n", cpu);
		return -VMM_ENOTAVAIL;
	}
	if (rdmsr_safe(MSR_IA32_VMX_BASIC, &basic) || (basic & 0x7FFFFFFF) != c->revision) {
		vmm_err("vmx: CPU%u: VMCS revision 0x%llx differs from CPU0's 0x%x; VMX not enabled on it\n",
			cpu, (unsigned long long)(basic & 0x7FFFFFFF), c->revision);
		return -VMM_ENOTAVAIL;
	}
	/* SDM 23.7: VMXON needs the lock bit and "VMX outside SMX" (per CPU) */
	if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc))
		fc = 0;
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
		vmm_info("vmx: CPU%u: IA32_FEATURE_CONTROL was unlocked; set to 0x%llx and locked\n",
			 cpu, (unsigned long long)fc);
	} else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		vmm_err("vmx: CPU%u: the firmware locked VMX off (IA32_FEATURE_CONTROL 0x%llx); enable VT-x in its setup\n",
			cpu, (unsigned long long)fc);
		return -VMM_ENOTAVAIL;
	}
	/* SDM 23.8: CR0 and CR4 fixed bits in VMX operation */
	write_cr0((read_cr0() | c->cr0_fixed0) & c->cr0_fixed1);
	write_cr4((read_cr4() | c->cr4_fixed0 | X86_CR4_VMXE) & c->cr4_fixed1);

	pa = vmxon_region[cpu];
	if (!pa) {
		pa = vmm_host_page_alloc(0);
		if (!pa)
			return -VMM_ENOMEM;
		vmxon_region[cpu] = pa;
	}
	*(volatile u32 *)(uintptr_t)pa = c->revision;	/* SDM 24.11.5 */
	__asm__ volatile("vmxon %[pa]\n\tsetbe %[fail]"
			 : [fail] "=rm"(fail) : [pa] "m"(pa) : "cc", "memory");
	if (fail) {
		vmm_err("vmx: CPU%u: VMXON failed\n", cpu);
		write_cr4(read_cr4() & ~X86_CR4_VMXE);
		return -VMM_EFAIL;
	}
	vmx_on[cpu] = true;
	vmm_info("vmx: CPU%u: VMX operation entered (VMXON region 0x%llx, VMCS revision 0x%x)\n",
		 cpu, (unsigned long long)pa, c->revision);
	return VMM_OK;
}

void vmx_cpu_disable(void)
{
	u32 cpu = this_cpu()->cpu_id;

	if (!vmx_on[cpu])
		return;
	__asm__ volatile("vmxoff" : : : "cc", "memory");
	write_cr4(read_cr4() & ~X86_CR4_VMXE);
	vmx_on[cpu] = false;
}
