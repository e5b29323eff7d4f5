/*
 * arch/x86_64/vmx/vmx_exit_cr.c - control-register, debug-register and
 * XCR0 accesses (SDM 28.2.1 tables 28-3 and 28-4 for the qualifications,
 * decoded by vmx_exit_qual.h).
 *
 * CR0/CR4 bits that VMX operation fixes are owned by the host: the guest
 * sees its own values through the read shadows, so CR4.VMXE stays hidden
 * and a guest clearing CR0.NE is remembered but not obeyed. A value the
 * CPU would refuse natively (cpustate_check.c: reserved bits, invalid
 * combinations, CR4 bits of features the guest's CPUID does not show,
 * CR4.VMXE) injects #GP(0) and changes nothing. CR8 is the guest's own:
 * a TPR shadow, or CR8 exiting emulated here; never the host's TPR.
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmx_exit_qual.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/vmx/cpustate_check.h"
#include "arch/x86_64/cpu.h"
#include "kernel/manager.h"
#include "kernel/printk.h"
#include "devemu/lapic.h"

#define CR0_TS (1ULL << 3)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define AR_L (1u << 13)		/* CS.L: 64-bit code segment */
/* CR4 bits a guest may set: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR
 * OSXMMEXCPT, and where its CPUID view shows the feature FSGSBASE PCIDE
 * OSXSAVE SMEP SMAP (not VMXE, SMXE, PKE, LA57, UMIP: hidden in CPUID) */
#define CR4_BASE_OK 0x7FFULL
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_PCIDE (1ULL << 17)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)

/* The CR4 bits a guest may set: the features its CPUID view shows, within
 * what VMX operation allows (IA32_VMX_CR4_FIXED1, SDM A.8). */
u64 vmx_cr4_allowed(void)
{
	static u64 ok;

	if (unlikely(!ok)) {
		u32 a, b, c, d, b7 = 0;
		u64 m = CR4_BASE_OK;

		cpuid(1, &a, &b, &c, &d);
		if (c & (1u << 17))
			m |= CR4_PCIDE;
		if (vmx_xcr0_allowed())
			m |= X86_CR4_OSXSAVE;
		cpuid(0, &a, &b, &c, &d);
		if (a >= 7)
			cpuid_count(7, 0, &a, &b7, &c, &d);
		if (b7 & (1u << 0))
			m |= CR4_FSGSBASE;
		if (b7 & (1u << 7))
			m |= CR4_SMEP;
		if (b7 & (1u << 20))
			m |= CR4_SMAP;
		ok = m & vmx_boot_caps()->cr4_fixed1;
	}
	return ok;
}

/* The guest executes 64-bit code (IA-32e mode and CS.L). */
static bool guest_long64(void)
{
	return (vmcs_read(VMCS_GUEST_EFER) & EFER_LMA) && (vmcs_read(VMCS_GUEST_CS_AR) & AR_L);
}

/*
 * #GP(0) into the guest for a value the CPU would refuse natively; the
 * first refusal of each kind (XSETBV, CR0, CR4, CR8) per VCPU is reported.
 */
enum { REFUSED_XCR0, REFUSED_CR0, REFUSED_CR4, REFUSED_CR8 };
static const char *const refused_what[] = { "XSETBV", "MOV to CR0", "MOV to CR4", "MOV to CR8" };

static int refuse(struct vmm_vcpu *v, u32 kind, u64 val, const char *why)
{
	struct vmx_vcpu *vx = v->arch_priv;

	if (!(vx->cr_reported & (1u << kind))) {
		vx->cr_reported |= 1u << kind;
		vmm_warn("guest %s: %s %s 0x%llx: %s: #GP injected (reported once)\n",
			 v->guest->name, v->name, refused_what[kind], (unsigned long long)val, why);
	}
	vmx_inject_exception(13, true, 0);
	return 0;
}

static int guest_write_cr0(struct vmm_vcpu *v, u64 val)
{
	const struct vmx_caps *c = vmx_boot_caps();
	u64 efer = vmcs_read(VMCS_GUEST_EFER);
	u32 entry = (u32)vmcs_read(VMCS_ENTRY_CTLS);
	const char *bad = cr0_check(val, guest_long64(), efer, vmx_guest_cr4(),
				    vmcs_read(VMCS_GUEST_CR3));

	if (bad)
		return refuse(v, REFUSED_CR0, val, bad);
	val &= 0xFFFFFFFFULL;
	/* the guest reads what it wrote; the CPU runs it with the bits VMX
	 * forces (but PE and PG, the guest's under unrestricted guest) */
	vmcs_write(VMCS_CR0_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, vmx_cr0_for_hw(c, val));
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

static int guest_write_cr4(struct vmm_vcpu *v, u64 val)
{
	const struct vmx_caps *c = vmx_boot_caps();
	const char *bad = cr4_check(val, vmx_cr4_allowed(), vmx_guest_cr4(),
				    vmcs_read(VMCS_GUEST_EFER), vmcs_read(VMCS_GUEST_CR3));

	if (bad)
		return refuse(v, REFUSED_CR4, val, bad);
	vmcs_write(VMCS_CR4_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, (val | c->cr4_fixed0) & c->cr4_fixed1);
	return 1;
}

/*
 * CR8 under CR8-load/store exiting (or, should the CPU force those exits
 * on, next to a TPR shadow: then the VTPR of the virtual-APIC page,
 * bits 7:4, SDM 29.3). 64-bit mode only: the only mode with CR8. A VCPU
 * with a local APIC always has CR8 exiting: CR8 is its TPR's bits 7:4.
 */
static void guest_set_cr8(struct vmm_vcpu *v, u64 val)
{
	struct vmx_vcpu *vx = v->arch_priv;

	if (vmm_lapic_present(v)) {
		vmm_lapic_cr8_write(v, val);	/* the TPR of its local APIC */
		return;
	}
	vx->tpr = (u8)val;
	if (vx->vapic)
		*(volatile u32 *)(uintptr_t)(vx->vapic + 0x80) = (u32)val << 4;
}

static u64 guest_get_cr8(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;

	if (vmm_lapic_present(v))
		return vmm_lapic_cr8_read(v);
	if (vx->vapic)
		return (*(volatile u32 *)(uintptr_t)(vx->vapic + 0x80) >> 4) & 0xF;
	return vx->tpr;
}

/*
 * Defensive (vmx_exit_handler, every exit): the host's TPR is 0 and no
 * guest can reach it (CR8 is virtualised above); should it ever be found
 * changed, it is put back and said once, naming the VCPU that ran.
 */
void vmx_host_tpr_restore(struct vmm_vcpu *v)
{
	static bool said;
	u64 tpr;

	__asm__ volatile("mov %%cr8, %0" : "=r"(tpr));
	__asm__ volatile("mov %0, %%cr8" : : "r"(0ULL) : "memory");
	if (!said) {
		said = true;
		vmm_err("vmx: host TPR found at %llu after an exit of %s; reset to 0\n",
			(unsigned long long)tpr, v ? v->name : "no VCPU");
	}
}

int vmx_exit_cr_access(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmx_cr_qual q = vmx_cr_qual_decode(vmcs_read(VMCS_EXIT_QUALIFICATION));
	u32 cr = q.cr, gpr = q.gpr;
	int done = 1;

	switch (q.type) {
	case VMX_CR_MOV_TO:
		if (cr == 0)
			done = guest_write_cr0(v, vmx_gpr_get(r, gpr));
		else if (cr == 4)
			done = guest_write_cr4(v, vmx_gpr_get(r, gpr));
		else if (cr == 3)
			vmcs_write(VMCS_GUEST_CR3, vmx_gpr_get(r, gpr));
		else if (cr == 8) {
			u64 val = vmx_gpr_get(r, gpr);

			if (cr8_check(val))
				done = refuse(v, REFUSED_CR8, val, cr8_check(val));
			else
				guest_set_cr8(v, val);
		} else
			return vmx_halt_vcpu(v, "MOV to CR%u is not virtualised", cr);
		break;
	case VMX_CR_MOV_FROM:	/* only CR3 and CR8 can exit here */
		if (cr == 3)
			vmx_gpr_set(r, gpr, vmcs_read(VMCS_GUEST_CR3));
		else if (cr == 8)
			vmx_gpr_set(r, gpr, guest_get_cr8(v));
		else
			return vmx_halt_vcpu(v, "MOV from CR%u is not virtualised", cr);
		break;
	case VMX_CR_CLTS:
		vmcs_write(VMCS_CR0_SHADOW, vmcs_read(VMCS_CR0_SHADOW) & ~CR0_TS);
		vmcs_write(VMCS_GUEST_CR0, vmcs_read(VMCS_GUEST_CR0) & ~CR0_TS);
		break;
	case VMX_CR_LMSW:	/* only PE MP EM TS, and PE cannot be cleared */
		{
			u64 old = vmx_guest_cr0(), src = q.lmsw_data & 0xF;

			done = guest_write_cr0(v, (old & ~0xEULL) | src | (old & 1));
		}
		break;
	}
	return done ? VMX_EXIT_NEXT_INSN : 0;
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
	struct vmx_dr_qual q = vmx_dr_qual_decode(vmcs_read(VMCS_EXIT_QUALIFICATION));
	u32 dr = q.dr, gpr = q.gpr;

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
	if (q.from) {
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
	return VMX_EXIT_NEXT_INSN;
}

/*
 * XSETBV (SDM vol. 2 XSETBV, vol. 1 13.3): #UD without CR4.OSXSAVE, #GP(0)
 * at CPL > 0 and for any value xcr0_check() refuses, among the bits the
 * hypervisor switches per VCPU (vmx_xsave.c). Only a checked value reaches
 * the CPU: it is this VCPU's XCR0 while it is loaded.
 */
int vmx_exit_xsetbv(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u64 val = ((r->rdx & 0xFFFFFFFFULL) << 32) | (r->rax & 0xFFFFFFFFULL);
	u64 allowed = vmx_xcr0_allowed();
	const char *bad;

	if (!(vmx_guest_cr4() & X86_CR4_OSXSAVE) || !allowed) {
		vmx_inject_exception(6, false, 0);
		return 0;
	}

	if (vmx_guest_cpl() != 0)
		return refuse(v, REFUSED_XCR0, val, "XSETBV at CPL > 0");
	bad = xcr0_check((u32)r->rcx, val, allowed);
	if (bad)
		return refuse(v, REFUSED_XCR0, val, bad);
	vx->xcr0 = val;
	__asm__ volatile("xsetbv" : : "c"(0), "a"((u32)val), "d"((u32)(val >> 32)));
	return VMX_EXIT_NEXT_INSN;
}
