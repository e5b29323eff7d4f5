/*
 * arch/x86_64/vmx/vmx_exit_msr.c - RDMSR/WRMSR. Every MSR access exits (the
 * MSR bitmap is all ones); the allow-list below is what a guest OS touches
 * at boot. Any other MSR gets #GP: the first MSR_REPORT_MAX distinct ones
 * are reported once each per VCPU, the rest counted (the count is said
 * every MSR_REPORT_MAX more).
 *
 * A value the CPU would refuse gets #GP(0) as the CPU would give it (SDM
 * vol. 4 MSR descriptions, vol. 3 WRMSR): nothing illegal reaches the
 * hardware or a VMCS guest field (where it would fail the next VM entry).
 *
 *   0x10 TSC                 read/write through the VMCS TSC offset (a write
 *                            moves TSC_ADJUST by as much, SDM vol. 3 18.17.3)
 *   0x3B TSC_ADJUST          per VCPU; a write moves the TSC offset by as much
 *   0x1B APIC_BASE           reads 0xFEE00000 (+BSP on VCPU 0, disabled); writes ignored
 *   0x3A FEATURE_CONTROL     reads 1: locked, VMX off
 *   0x8B BIOS_SIGN_ID        reads 0 (no microcode update); writes ignored
 *   0xFE MTRRCAP             reads 0: no fixed or variable MTRRs
 *   0x174-0x176 SYSENTER_*   the VMCS guest fields
 *   0x1A0 MISC_ENABLE        per VCPU (fast strings on)
 *   0x277 PAT                the VMCS guest field
 *   0x2FF MTRR_DEF_TYPE      per VCPU (type UC/WC/WT/WP/WB, FE, E)
 *   0xC0000080 EFER          the VMCS guest field: SCE LME NXE; LMA read-only
 *                            (follows LME and CR0.PG); LME cannot change
 *                            while CR0.PG = 1 (SDM vol. 3 10.8.5)
 *   0xC0000081-84 STAR LSTAR CSTAR SFMASK, 0xC0000102 KERNEL_GS_BASE,
 *   0xC0000103 TSC_AUX       per VCPU, loaded into the CPU while it runs;
 *                            LSTAR CSTAR KERNEL_GS_BASE canonical, SFMASK and
 *                            TSC_AUX bits 63:32 reserved; TSC_AUX only with
 *                            RDTSCP enabled for the guest (else #GP)
 *   0xC0000100/101 FS/GS base  the VMCS guest fields (canonical)
 * SYSENTER_ESP/EIP must be canonical, PAT entries valid memory types.
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/cpu.h"
#include "kernel/manager.h"
#include "kernel/printk.h"
#include "devemu/lapic.h"
#include "kernel/error.h"

#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1B
#define MSR_TSC_ADJUST 0x3B
#define MSR_BIOS_SIGN_ID 0x8B
#define MSR_MTRRCAP 0xFE
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MISC_ENABLE 0x1A0
#define MSR_MTRR_DEF_TYPE 0x2FF
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_SFMASK 0xC0000084
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_TSC_AUX 0xC0000103
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_VALID ((1ULL << 0) | EFER_LME | EFER_LMA | (1ULL << 11))	/* SCE LME LMA NXE */
#define HIGH32 0xFFFFFFFF00000000ULL

/* MSRs whose guest value lives in the CPU while the VCPU runs */
static u64 *hw_msr_slot(struct vmx_vcpu *vx, u32 msr)
{
	switch (msr) {
	case MSR_STAR: return &vx->msr_star;
	case MSR_LSTAR: return &vx->msr_lstar;
	case MSR_CSTAR: return &vx->msr_cstar;
	case MSR_SFMASK: return &vx->msr_sfmask;
	case MSR_KERNEL_GS_BASE: return &vx->msr_kernel_gs_base;
	case MSR_TSC_AUX: return &vx->msr_tsc_aux;
	default: return NULL;
	}
}

void vmx_msr_save_guest(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;

	vx->msr_kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
}

void vmx_msr_load_guest(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;

	wrmsr(MSR_STAR, vx->msr_star);
	wrmsr(MSR_LSTAR, vx->msr_lstar);
	wrmsr(MSR_CSTAR, vx->msr_cstar);
	wrmsr(MSR_SFMASK, vx->msr_sfmask);
	wrmsr(MSR_KERNEL_GS_BASE, vx->msr_kernel_gs_base);
	if (vmcs_read(VMCS_PROC_CTLS2) & PROC2_RDTSCP)
		wrmsr(MSR_TSC_AUX, vx->msr_tsc_aux);
}

static bool canonical(u64 a)
{
	return ((s64)(a << 16) >> 16) == (s64)a;
}

/*
 * An MSR outside the allow-list: #GP(0). The first MSR_REPORT_MAX distinct
 * MSRs of a VCPU are reported once each (an exact list, so the promise
 * holds); later ones are counted, and the count said every MSR_REPORT_MAX.
 */
static void unknown_msr(struct vmm_vcpu *v, u32 msr, bool write)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u32 i;

	for (i = 0; i < vx->msr_reported_n; i++)
		if (vx->msr_reported[i] == msr)
			goto inject;
	if (vx->msr_reported_n < MSR_REPORT_MAX) {
		vx->msr_reported[vx->msr_reported_n++] = msr;
		vmm_warn("guest %s: %s %s of unknown MSR 0x%x: #GP injected (reported once%s)\n",
			 v->guest->name, v->name, write ? "WRMSR" : "RDMSR", msr,
			 vx->msr_reported_n == MSR_REPORT_MAX ? "; further unknown MSRs only counted" : "");
	} else if (++vx->msr_unreported % MSR_REPORT_MAX == 0) {
		vmm_warn("guest %s: %s: %llu more accesses of unknown MSRs beyond the first %u (last: %s 0x%x): "
			 "#GP injected, not reported one by one\n",
			 v->guest->name, v->name, (unsigned long long)vx->msr_unreported, MSR_REPORT_MAX,
			 write ? "WRMSR" : "RDMSR", msr);
	}
inject:
	vmx_inject_exception(13, true, 0);
}

/* TSC_AUX exists for the guest only with RDTSCP (CPUID 0x80000001 EDX 27). */
static bool tsc_aux_off(u32 msr)
{
	return msr == MSR_TSC_AUX && !(vmcs_read(VMCS_PROC_CTLS2) & PROC2_RDTSCP);
}

/* A value WRMSR refuses with #GP for one of the MSRs held in the CPU. */
static bool hw_msr_bad(u32 msr, u64 val)
{
	switch (msr) {
	case MSR_LSTAR: case MSR_CSTAR: case MSR_KERNEL_GS_BASE:
		return !canonical(val);
	case MSR_SFMASK: case MSR_TSC_AUX:
		return val & HIGH32;	/* bits 63:32 reserved (SDM vol. 4 table 2-2) */
	default:
		return false;		/* STAR: every bit defined */
	}
}

/*
 * EFER (SDM vol. 3 10.8.5, vol. 4 IA32_EFER): reserved bits #GP; LME may
 * not change while paging is on (that would switch modes under the
 * running code, and the VM entry would fail: LMA and the IA-32e mode guest
 * control would disagree); LMA is read-only and keeps its value.
 */
static bool efer_write(u64 val)
{
	u64 old = vmcs_read(VMCS_GUEST_EFER);

	if (val & ~EFER_VALID)
		return false;
	if ((vmcs_read(VMCS_GUEST_CR0) & X86_CR0_PG) && ((val ^ old) & EFER_LME))
		return false;
	vmcs_write(VMCS_GUEST_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
	return true;
}

/* MTRR_DEF_TYPE: bits 7:0 type (UC WC WT WP WB), 10 FE, 11 E; the rest reserved. */
static bool mtrr_def_type_valid(u64 val)
{
	u8 t = val & 0xFF;

	return !(val & ~0xCFFULL) && (t == 0 || t == 1 || t == 4 || t == 5 || t == 6);
}

int vmx_exit_rdmsr(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u32 msr = (u32)r->rcx;
	u64 val, *slot = hw_msr_slot(vx, msr);

	if (unlikely(tsc_aux_off(msr))) {
		unknown_msr(v, msr, false);
		return 0;
	}
	if (slot) {
		/* SWAPGS changes KERNEL_GS_BASE without an exit: the CPU has the truth */
		val = msr == MSR_KERNEL_GS_BASE ? rdmsr(msr) : *slot;
	} else if (vmm_lapic_msr(msr) && vmm_lapic_present(v)) {
		/* the VCPU's local APIC: IA32_APIC_BASE, TSC deadline, x2APIC */
		if (vmm_lapic_msr_read(v, msr, &val)) {
			vmx_inject_exception(13, true, 0);
			return 0;
		}
	} else {
		switch (msr) {
		case MSR_TSC: val = rdtsc() + vmcs_read(VMCS_TSC_OFFSET); break;
		case MSR_TSC_ADJUST: val = vx->msr_tsc_adjust; break;
		case MSR_APIC_BASE: val = 0xFEE00000ULL | (v->subid == 0 ? 0x100 : 0); break;
		case MSR_IA32_FEATURE_CONTROL: val = 1; break;
		case MSR_BIOS_SIGN_ID: val = 0; break;
		case MSR_MTRRCAP: val = 0; break;
		case MSR_SYSENTER_CS: val = vmcs_read(VMCS_GUEST_SYSENTER_CS); break;
		case MSR_SYSENTER_ESP: val = vmcs_read(VMCS_GUEST_SYSENTER_ESP); break;
		case MSR_SYSENTER_EIP: val = vmcs_read(VMCS_GUEST_SYSENTER_EIP); break;
		case MSR_MISC_ENABLE: val = vx->msr_misc_enable | 1; break;
		case MSR_IA32_PAT: val = vmcs_read(VMCS_GUEST_PAT); break;
		case MSR_MTRR_DEF_TYPE: val = vx->msr_mtrr_def_type; break;
		case MSR_EFER: val = vmcs_read(VMCS_GUEST_EFER); break;
		case MSR_FS_BASE: val = vmcs_read(VMCS_GUEST_FS_BASE); break;
		case MSR_GS_BASE: val = vmcs_read(VMCS_GUEST_GS_BASE); break;
		default:
			unknown_msr(v, msr, false);
			return 0;
		}
	}
	r->rax = (u32)val;
	r->rdx = val >> 32;
	return VMX_EXIT_NEXT_INSN;
}

static bool pat_valid(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u8 t = (pat >> (i * 8)) & 0xFF;

		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

int vmx_exit_wrmsr(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u32 msr = (u32)r->rcx;
	u64 val = ((r->rdx & 0xFFFFFFFFULL) << 32) | (r->rax & 0xFFFFFFFFULL);
	u64 *slot = hw_msr_slot(vx, msr);
	bool gp = false;

	if (unlikely(tsc_aux_off(msr))) {
		unknown_msr(v, msr, true);
		return 0;
	}
	if (slot) {
		if (hw_msr_bad(msr, val)) {
			gp = true;
		} else {
			*slot = val;
			wrmsr(msr, val);
		}
	} else if (vmm_lapic_msr(msr) && vmm_lapic_present(v)) {
		gp = vmm_lapic_msr_write(v, msr, val) != VMM_OK;
	} else {
		switch (msr) {
		case MSR_TSC: {
			u64 offset = val - rdtsc();

			vx->msr_tsc_adjust += offset - vx->tsc_offset;
			vx->tsc_offset = offset;
			vmcs_write(VMCS_TSC_OFFSET, vx->tsc_offset);
			break;
		}
		case MSR_TSC_ADJUST:
			vx->tsc_offset += val - vx->msr_tsc_adjust;
			vx->msr_tsc_adjust = val;
			vmcs_write(VMCS_TSC_OFFSET, vx->tsc_offset);
			break;
		case MSR_APIC_BASE: case MSR_BIOS_SIGN_ID: break;
		case MSR_SYSENTER_CS: vmcs_write(VMCS_GUEST_SYSENTER_CS, val); break;
		case MSR_SYSENTER_ESP: gp = !canonical(val); if (!gp) vmcs_write(VMCS_GUEST_SYSENTER_ESP, val); break;
		case MSR_SYSENTER_EIP: gp = !canonical(val); if (!gp) vmcs_write(VMCS_GUEST_SYSENTER_EIP, val); break;
		case MSR_MISC_ENABLE: vx->msr_misc_enable = val; break;
		case MSR_IA32_PAT: gp = !pat_valid(val); if (!gp) vmcs_write(VMCS_GUEST_PAT, val); break;
		case MSR_MTRR_DEF_TYPE:
			gp = !mtrr_def_type_valid(val);
			if (!gp)
				vx->msr_mtrr_def_type = val;
			break;
		case MSR_EFER: gp = !efer_write(val); break;
		case MSR_FS_BASE: gp = !canonical(val); if (!gp) vmcs_write(VMCS_GUEST_FS_BASE, val); break;
		case MSR_GS_BASE: gp = !canonical(val); if (!gp) vmcs_write(VMCS_GUEST_GS_BASE, val); break;
		case MSR_IA32_FEATURE_CONTROL: gp = true; break;	/* locked */
		default:
			unknown_msr(v, msr, true);
			return 0;
		}
	}
	if (gp) {
		vmx_inject_exception(13, true, 0);
		return 0;
	}
	return VMX_EXIT_NEXT_INSN;
}
