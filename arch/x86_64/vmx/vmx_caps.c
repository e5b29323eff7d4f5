/*
 * arch/x86_64/vmx/vmx_caps.c - the boot-time VMX probe, done once on the
 * bootstrap CPU: CPUID, the firmware lock in IA32_FEATURE_CONTROL, and the
 * capability MSRs, ending in one verdict line that holds for every CPU
 * (each AP checks its own CPUID, revision and lock in vmx_cpu.c). Nothing
 * here enters VMX operation.
 */
#include <string.h>
#include "arch/x86_64/vmx/vmx_caps.h"
#include "arch/x86_64/cpu.h"
#include "kernel/arch_info.h"
#include "kernel/printk.h"
#include "arch/x86_64/vmx/vmx.h"

static struct vmx_caps boot_caps;

const char *vmx_verdict_text(enum vmx_verdict v)
{
	switch (v) {
	case VMX_USABLE: return "usable";
	case VMX_NO_CPUID: return "no VMX in CPUID";
	case VMX_LOCKED_OFF: return "VT-x disabled in the firmware (IA32_FEATURE_CONTROL locked without VMX)";
	case VMX_SMX_ONLY: return "VT-x enabled by the firmware only inside SMX (Intel TXT)";
	case VMX_NO_SECONDARY: return "no EPT (no secondary processor-based controls)";
	case VMX_NO_EPT: return "no EPT";
	case VMX_NO_EPT_WB_4LEVEL: return "EPT lacks 4-level page walks or write-back memory type";
	case VMX_NO_UNRESTRICTED: return "no unrestricted guest";
	case VMX_NO_VPID: return "no VPID";
	}
	return "unknown";
}

/* allowed-1 settings are the high 32 bits of a control capability MSR */
static inline u32 allowed1(u64 msr_value)
{
	return msr_value >> 32;
}

void vmx_caps_read(struct vmx_caps *c)
{
	u32 a, b, ecx, d;
	char vendor[12];
	u64 v;

	*c = (struct vmx_caps){ 0 };
	cpuid(0, &a, &b, &ecx, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &ecx, 4);
	cpuid(1, &a, &b, &ecx, &d);
	c->cpuid_vmx = ecx & (1u << 5);
	if (c->cpuid_vmx && rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &c->feature_control))
		c->feature_control = 0;
	c->firmware = vmx_fw_decide(vendor, c->cpuid_vmx, c->feature_control);
	switch (c->firmware) {
	case VMX_FW_AMD:	/* the advice line says AMD-V is not supported */
	case VMX_FW_NO_CPUID: c->verdict = VMX_NO_CPUID; return;
	case VMX_FW_LOCKED_OFF: c->verdict = VMX_LOCKED_OFF; return;
	case VMX_FW_SMX_ONLY: c->verdict = VMX_SMX_ONLY; return;
	case VMX_FW_READY:
	case VMX_FW_UNLOCKED:
		break;
	}
	rdmsr_safe(MSR_IA32_VMX_BASIC, &c->basic);
	c->revision = c->basic & 0x7FFFFFFF;
	c->true_ctls = c->basic & (1ULL << 55);
	rdmsr_safe(c->true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS, &c->pinbased);
	rdmsr_safe(c->true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS, &c->procbased);
	rdmsr_safe(c->true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS, &c->exit_ctls);
	rdmsr_safe(c->true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS, &c->entry_ctls);
	rdmsr_safe(MSR_IA32_VMX_MISC, &c->misc);
	rdmsr_safe(MSR_IA32_VMX_CR0_FIXED0, &c->cr0_fixed0);
	rdmsr_safe(MSR_IA32_VMX_CR0_FIXED1, &c->cr0_fixed1);
	rdmsr_safe(MSR_IA32_VMX_CR4_FIXED0, &c->cr4_fixed0);
	rdmsr_safe(MSR_IA32_VMX_CR4_FIXED1, &c->cr4_fixed1);
	if (!(allowed1(c->procbased) & PROC_SECONDARY)) {
		c->verdict = VMX_NO_SECONDARY;
		return;
	}
	rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &c->procbased2);
	v = allowed1(c->procbased2);
	if (v & (PROC2_EPT | PROC2_VPID))
		rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &c->ept_vpid);
	if (!(v & PROC2_EPT))
		c->verdict = VMX_NO_EPT;
	else if (!(c->ept_vpid & EPT_CAP_WALK4) || !(c->ept_vpid & EPT_CAP_WB))
		c->verdict = VMX_NO_EPT_WB_4LEVEL;
	else if (!(v & PROC2_UNRESTRICTED))
		c->verdict = VMX_NO_UNRESTRICTED;
	else if (!(v & PROC2_VPID))
		c->verdict = VMX_NO_VPID;
	else
		c->verdict = VMX_USABLE;
}

int arch_virt_init(void)
{
	return vmx_cpu_enable();
}

const char *vmx_boot_advice(void)
{
	return vmx_fw_advice(boot_caps.firmware);
}

const char *arch_virt_advice(void)
{
	return boot_caps.verdict == VMX_USABLE ? NULL : vmx_boot_advice();
}

const struct vmx_caps *vmx_boot_caps(void)
{
	return &boot_caps;
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

bool arch_virt_probe(void)
{
	struct vmx_caps *c = &boot_caps;
	u32 p2;

	vmx_caps_read(c);
	vmm_info("vmx: CPUID VMX %s\n", yn(c->cpuid_vmx));
	if (c->cpuid_vmx) {
		vmm_info("vmx: IA32_FEATURE_CONTROL 0x%llx (%s, VMX outside SMX %s, inside SMX %s)%s\n",
			 (unsigned long long)c->feature_control,
			 (c->feature_control & FEATURE_CONTROL_LOCKED) ? "locked" : "unlocked",
			 (c->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX) ? "enabled" : "disabled",
			 (c->feature_control & FEATURE_CONTROL_VMX_IN_SMX) ? "enabled" : "disabled",
			 c->firmware == VMX_FW_UNLOCKED ?
			 ": the hypervisor enables VMX and locks it" : "");
	}
	if (c->basic) {
		p2 = allowed1(c->procbased2);
		vmm_info("vmx: VMCS revision 0x%x, TRUE controls %s, CR0 fixed0 0x%llx, CR4 fixed0 0x%llx\n",
			 c->revision, yn(c->true_ctls), (unsigned long long)c->cr0_fixed0,
			 (unsigned long long)c->cr4_fixed0);
		vmm_info("vmx: EPT %s (4-level %s, WB %s, 2M %s, 1G %s, INVEPT %s), VPID %s (INVVPID %s)\n",
			 yn(p2 & PROC2_EPT), yn(c->ept_vpid & EPT_CAP_WALK4),
			 yn(c->ept_vpid & EPT_CAP_WB), yn(c->ept_vpid & EPT_CAP_2M),
			 yn(c->ept_vpid & EPT_CAP_1G), yn(c->ept_vpid & EPT_CAP_INVEPT),
			 yn(p2 & PROC2_VPID), yn(c->ept_vpid & EPT_CAP_INVVPID));
		vmm_info("vmx: unrestricted guest %s, preemption timer %s (rate TSC/%u), wait-for-SIPI state %s\n",
			 yn(p2 & PROC2_UNRESTRICTED),
			 yn(allowed1(c->pinbased) & PIN_PREEMPTION_TIMER),
			 1u << (c->misc & 0x1F), yn(c->misc & (1ULL << 8)));
	}
	if (c->verdict == VMX_USABLE)
		vmm_info("vmx: verdict: VMX usable\n");
	else
		vmm_info("vmx: verdict: VMX not available: %s\n", vmx_verdict_text(c->verdict));
	if (vmx_boot_advice())
		vmm_warn("%s\n", vmx_boot_advice());
	return c->verdict == VMX_USABLE;
}
