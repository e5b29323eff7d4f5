/*
 * arch/x86_64/vmx/vmx_exit_cr.c - control-register, debug-register and
 * XCR0 accesses (SDM 27.2.1 tables 27-3 and 27-4 for the qualifications).
 *
 * CR0/CR4 bits that VMX operation fixes are owned by the host: the guest
 * sees its own values through the read shadows, so CR4.VMXE stays hidden
 * and a guest clearing CR0.NE is remembered but not obeyed. Setting
 * CR4.VMXE (VMX is not offered) or reserved bits injects #GP.
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/cpu.h"
#include "kernel/manager.h"
#include "kernel/printk.h"

#define CR0_CD (1ULL << 30)
#define CR0_NW (1ULL << 29)
#define CR0_TS (1ULL << 3)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
/* CR4 bits a guest may set: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR
 * OSXMMEXCPT UMIP FSGSBASE PCIDE OSXSAVE SMEP SMAP (not VMXE, SMXE, PKE, LA57) */
#define CR4_GUEST_OK (0x7FFULL | (1ULL << 11) | (1ULL << 16) | (1ULL << 17) | \
		      (1ULL << 18) | (1ULL << 20) | (1ULL << 21))

static int guest_write_cr0(struct vmm_vcpu *v, u64 val)
{
	const struct vmx_caps *c = vmx_boot_caps();
	u64 efer = vmcs_read(VMCS_GUEST_EFER);
	u32 entry = (u32)vmcs_read(VMCS_ENTRY_CTLS);

	(void)v;
	val &= 0xFFFFFFFFULL;
	/* SDM 2.5: PG without PE, or NW without CD, is #GP */
	if (((val & X86_CR0_PG) && !(val & X86_CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD))) {
		vmx_inject_exception(13, true, 0);
		return 0;
	}
	if ((val & X86_CR0_PG) && (efer & EFER_LME) && !(vmcs_read(VMCS_GUEST_CR4) & X86_CR4_PAE)) {
		vmx_inject_exception(13, true, 0);	/* long mode needs PAE */
		return 0;
	}
	vmcs_write(VMCS_CR0_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, ((val | c->cr0_fixed0) & c->cr0_fixed1 &
				    ~(X86_CR0_PE | X86_CR0_PG)) | (val & (X86_CR0_PE | X86_CR0_PG)));
	/* entering or leaving long mode (SDM 9.8.5) */
	if ((val & X86_CR0_PG) && (efer & EFER_LME)) {
		vmcs_write(VMCS_GUEST_EFER, efer | EFER_LMA);
		vmcs_write(VMCS_ENTRY_CTLS, entry | ENTRY_IA32E_GUEST);
	} else if (efer & EFER_LMA) {
		vmcs_write(VMCS_GUEST_EFER, efer & ~EFER_LMA);
		vmcs_write(VMCS_ENTRY_CTLS, entry & ~ENTRY_IA32E_GUEST);
	}
	return 1;
}

static int guest_write_cr4(u64 val)
{
	const struct vmx_caps *c = vmx_boot_caps();

	if (val & ~CR4_GUEST_OK) {
		vmx_inject_exception(13, true, 0);
		return 0;
	}
	vmcs_write(VMCS_CR4_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, (val | c->cr4_fixed0) & c->cr4_fixed1);
	return 1;
}

int vmx_exit_cr_access(struct vmm_vcpu *v, struct arch_regs *r)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	u32 cr = q & 15, type = (q >> 4) & 3, gpr = (q >> 8) & 15;
	int done = 1;

	switch (type) {
	case 0:	/* MOV to CR */
		if (cr == 0)
			done = guest_write_cr0(v, vmx_gpr_get(r, gpr));
		else if (cr == 4)
			done = guest_write_cr4(vmx_gpr_get(r, gpr));
		else if (cr == 3)
			vmcs_write(VMCS_GUEST_CR3, vmx_gpr_get(r, gpr));
		else
			return vmx_halt_vcpu(v, "MOV to CR%u is not virtualised", cr);
		break;
	case 1:	/* MOV from CR (only CR3 can exit here) */
		if (cr == 3)
			vmx_gpr_set(r, gpr, vmcs_read(VMCS_GUEST_CR3));
		else
			return vmx_halt_vcpu(v, "MOV from CR%u is not virtualised", cr);
		break;
	case 2:	/* CLTS */
		vmcs_write(VMCS_CR0_SHADOW, vmcs_read(VMCS_CR0_SHADOW) & ~CR0_TS);
		vmcs_write(VMCS_GUEST_CR0, vmcs_read(VMCS_GUEST_CR0) & ~CR0_TS);
		break;
	case 3:	/* LMSW: only PE MP EM TS, and PE cannot be cleared */
		{
			u64 old = vmx_guest_cr0(), src = (q >> 16) & 0xF;

			done = guest_write_cr0(v, (old & ~0xEULL) | src | (old & 1));
		}
		break;
	}
	if (done)
		vmx_advance_rip();
	return 0;
}

#define DEFINE_DR(n) \
	static u64 get_dr##n(void) { u64 v; __asm__ volatile("mov %%db" #n ", %0" : "=r"(v)); return v; } \
	static void set_dr##n(u64 v) { __asm__ volatile("mov %0, %%db" #n : : "r"(v)); }
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)

/*
 * The hypervisor uses no debug registers, so a guest's DR0-3 and DR6 live in
 * the CPU while its VCPU is loaded (DR7 is in the VMCS): its breakpoints
 * work, and are saved and restored when VCPUs switch.
 */
void vmx_dr_load_guest(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;

	set_dr0(vx->dr[0]);
	set_dr1(vx->dr[1]);
	set_dr2(vx->dr[2]);
	set_dr3(vx->dr[3]);
	set_dr6(vx->dr[6]);
}

void vmx_dr_save_guest(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;

	vx->dr[0] = get_dr0();
	vx->dr[1] = get_dr1();
	vx->dr[2] = get_dr2();
	vx->dr[3] = get_dr3();
	vx->dr[6] = get_dr6();
}

static void set_dr(u32 n, u64 v)
{
	switch (n) {
	case 0: set_dr0(v); break;
	case 1: set_dr1(v); break;
	case 2: set_dr2(v); break;
	case 3: set_dr3(v); break;
	case 6: set_dr6(v); break;
	}
}

static u64 get_dr(u32 n)
{
	switch (n) {
	case 0: return get_dr0();
	case 1: return get_dr1();
	case 2: return get_dr2();
	case 3: return get_dr3();
	default: return get_dr6();
	}
}

/* MOV DR: DR0-3 and DR6 in the CPU (see above), DR7 in the VMCS. */
int vmx_exit_mov_dr(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	u32 dr = q & 7, from = (q >> 4) & 1, gpr = (q >> 8) & 15;

	if (vmx_guest_cpl() != 0) {
		vmx_inject_exception(13, true, 0);
		return 0;
	}
	if (dr == 4 || dr == 5) {
		if (vmx_guest_cr4() & (1u << 3)) {	/* CR4.DE: #UD */
			vmx_inject_exception(6, false, 0);
			return 0;
		}
		dr += 2;
	}
	if (from) {
		u64 val = dr == 7 ? vmcs_read(VMCS_GUEST_DR7)
				  : dr == 6 ? (get_dr(6) | 0xFFFF0FF0ULL) : get_dr(dr);

		vmx_gpr_set(r, gpr, val);
	} else {
		u64 val = vmx_gpr_get(r, gpr);

		if ((dr == 6 || dr == 7) && (val >> 32)) {
			vmx_inject_exception(13, true, 0);
			return 0;
		}
		if (dr == 7) {
			vmcs_write(VMCS_GUEST_DR7, (val & ~0xD800ULL) | 0x400);
		} else {
			vx->dr[dr] = val;
			set_dr(dr, val);
		}
	}
	vmx_advance_rip();
	return 0;
}

/* XSETBV (SDM 13.3): XCR0 only, within what the host supports. */
int vmx_exit_xsetbv(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u64 val = ((r->rdx & 0xFFFFFFFFULL) << 32) | (r->rax & 0xFFFFFFFFULL);
	u32 a, b, c, d;
	u64 host_ok;

	if (!(vmx_guest_cr4() & X86_CR4_OSXSAVE)) {
		vmx_inject_exception(6, false, 0);
		return 0;
	}
	cpuid_count(0xD, 0, &a, &b, &c, &d);
	host_ok = ((u64)d << 32) | a;
	if ((u32)r->rcx != 0 || vmx_guest_cpl() != 0 || !(val & 1) || (val & ~host_ok) ||
	    ((val & 4) && !(val & 2))) {
		vmx_inject_exception(13, true, 0);
		return 0;
	}
	vx->xcr0 = val;
	if (read_cr4() & X86_CR4_OSXSAVE)
		__asm__ volatile("xsetbv" : : "c"(0), "a"((u32)val), "d"((u32)(val >> 32)));
	vmx_advance_rip();
	return 0;
}
