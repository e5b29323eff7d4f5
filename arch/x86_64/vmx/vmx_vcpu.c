/*
 * arch/x86_64/vmx/vmx_vcpu.c - the kernel/arch_vcpu.h contract on VT-x:
 * a guest's EPT and I/O bitmap, a normal VCPU's VMCS (controls computed
 * from the capability MSRs, host state, the guest's reset state), orphan
 * VCPU frames, and arch_vcpu_regs_switch().
 */
#include <string.h>
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/ept.h"
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "kernel/arch_vcpu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/host_mem.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/timer.h"
#include "kernel/vserial.h"
#include "kernel/spinlock.h"

#define GDT_CODE64 0x08
#define GDT_DATA 0x10
#define GDT_TSS 0x20
#define TRAP_VECTOR_YIELD 0x81

extern void vmx_exit_entry(void);
static u64 msr_bitmap;		/* shared by all VCPUs: every MSR access exits */
u32 vmx_preemption_shift = 0xFF;	/* TSC >> shift = preemption ticks; 0xFF: none */
bool vmx_preemption_saved;		/* the timer value is saved at VM exits */

/*
 * VPIDs 1..65535 for normal VCPUs (0 tags the host's own translations). A
 * freed VPID is invalidated (INVVPID) on the CPU that frees it, and handed
 * out next-fit, so it comes back only after every other one has been used.
 */
#define VPID_COUNT 65536
static u64 vpid_used[VPID_COUNT / 64] = { 1 };	/* bit 0: the host's */
static u32 vpid_next = 1;
static vmm_spinlock_t vpid_lock = VMM_SPINLOCK_INIT;

/* A free VPID, or 0 when all 65535 are in use. */
static u16 vpid_alloc(void)
{
	unsigned long f = vmm_spin_lock_irqsave(&vpid_lock);
	u16 vpid = 0;

	for (u32 n = 0; n < VPID_COUNT; n++) {
		u32 i = (vpid_next + n) % VPID_COUNT;

		if (!(vpid_used[i / 64] & (1ULL << (i % 64)))) {
			vpid_used[i / 64] |= 1ULL << (i % 64);
			vpid_next = (i + 1) % VPID_COUNT;
			vpid = (u16)i;
			break;
		}
	}
	vmm_spin_unlock_irqrestore(&vpid_lock, f);
	return vpid;
}

/* Give a VPID back, its translations on this CPU invalidated first. */
static void vpid_free(u16 vpid)
{
	unsigned long f;

	if (!vpid)
		return;
	if (vmx_invvpid_context(vpid))
		vmm_warn("vmx: INVVPID of freed VPID %u failed\n", vpid);
	f = vmm_spin_lock_irqsave(&vpid_lock);
	vpid_used[vpid / 64] &= ~(1ULL << (vpid % 64));
	vmm_spin_unlock_irqrestore(&vpid_lock, f);
}

size_t arch_regs_size(void)
{
	return sizeof(struct arch_regs);
}

/* ---- guests ---------------------------------------------------------- */

/*
 * A guest with local APICs, on a CPU that can "virtualize APIC accesses":
 * its xAPIC page maps to an APIC-access page of its own, so that every
 * access is an APIC-access exit naming the register (SDM 29.4) rather
 * than an EPT violation. The page itself is never read or written by the
 * guest (every access exits); it is zeroed all the same.
 */
static int apic_access_map(struct vmm_guest *g, struct vmx_guest *vg)
{
	const struct vmm_region_config *lapic = vmm_guest_config_find_compatible(g->config, "x86,local-apic");
	int rc;

	if (!lapic || lapic->gpa != 0xFEE00000ULL ||
	    !((vmx_boot_caps()->procbased2 >> 32) & PROC2_VIRT_APIC_ACCESS))
		return VMM_OK;
	vg->apic_access = vmm_host_page_alloc(0);
	if (!vg->apic_access)
		return -VMM_ENOMEM;
	memset((void *)(uintptr_t)vg->apic_access, 0, PAGE_SIZE);
	rc = ept_map(vg, lapic->gpa, vg->apic_access, PAGE_SIZE, EPT_R | EPT_W, EPT_MT_WB);
	if (rc)
		vmm_err("guest %s: EPT mapping of the APIC-access page failed (%s)\n", g->name,
			vmm_strerror(rc));
	return rc;
}

int arch_guest_init(struct vmm_guest *g)
{
	struct vmx_guest *vg;
	struct vmm_aspace *as = g->aspace;
	u64 holes = 0;
	int rc;

	if (!vmx_cpu_enabled()) {
		vmm_err("guest %s: VMX is not in operation on this CPU; the guest cannot run\n", g->name);
		return -VMM_ENOTAVAIL;
	}
	vg = vmm_zalloc(sizeof(*vg));
	if (!vg)
		return -VMM_ENOMEM;
	g->arch_priv = vg;
	rc = ept_init(vg);
	if (rc)
		return rc;
	vg->io_bitmap = vmm_host_page_alloc(1);
	if (!vg->io_bitmap)
		return -VMM_ENOMEM;
	memset((void *)(uintptr_t)vg->io_bitmap, 0xFF, 2 * PAGE_SIZE);
	for (u32 i = 0; i < as->nr_regions; i++) {
		struct vmm_region *r = &as->regions[i];
		const struct vmm_region_config *c = r->cfg;
		u32 perms, mt;

		if (c->kind == VMM_REGION_VIRTUAL)
			continue;
		if (c->io) {	/* passed-through ports: clear their exit bits */
			u8 *bm = (u8 *)(uintptr_t)vg->io_bitmap;

			for (u64 p = c->gpa; p < c->gpa + c->size; p++)
				bm[p / 8] &= ~(1u << (p % 8));
			continue;
		}
		switch (c->kind) {
		case VMM_REGION_ROM: perms = EPT_R | EPT_X; mt = EPT_MT_WB; break;
		case VMM_REGION_DEVICE: perms = EPT_R | EPT_W; mt = EPT_MT_UC; break;
		default: perms = EPT_R | EPT_W | EPT_X; mt = EPT_MT_WB; break;
		}
		for (u32 k = 0; k < r->nr_chunks; k++) {
			rc = ept_map(vg, r->chunks[k].gpa, r->chunks[k].hpa, r->chunks[k].size, perms, mt);
			if (rc) {
				vmm_err("guest %s: region %s: EPT mapping failed (%s)\n", g->name,
					c->name, vmm_strerror(rc));
				return rc;
			}
		}
	}
	rc = apic_access_map(g, vg);
	if (rc)
		return rc;
	ept_testopt_apply(g, vg);	/* test only: testept= (before the open bus: regions only) */
	rc = ept_map_open_bus(vg, g, &holes);
	if (rc) {
		vmm_err("guest %s: EPT mapping of unassigned memory failed (%s)\n", g->name,
			vmm_strerror(rc));
		return rc;
	}
	/* no stale translations of this EPTP may survive (SDM 28.4.3.1) */
	if (vmx_invept_context(vg->eptp))
		vmm_warn("guest %s: INVEPT failed\n", g->name);
	vmm_info("guest %s: EPT 0x%llx: %llu x 4K, %llu x 2M, %llu x 1G pages, %llu tables; "
		 "unassigned memory %s\n",
		 g->name, (unsigned long long)vg->eptp, (unsigned long long)vg->ept_maps[0],
		 (unsigned long long)vg->ept_maps[1], (unsigned long long)vg->ept_maps[2],
		 (unsigned long long)vg->ept_pages,
		 holes ? "below 4 GiB reads the open bus (all-ones page, read-only)" : "exits");
	return VMM_OK;
}

/*
 * Free a guest's arch context, also a half-built one: its hypercall
 * console, every EPT table (after an INVEPT, so no CPU keeps translations
 * into memory about to be freed), the I/O bitmap and the vmx_guest. The
 * guest's VCPUs are gone (arch_vcpu_deinit) or never ran.
 */
void arch_guest_deinit(struct vmm_guest *g)
{
	struct vmx_guest *vg = g->arch_priv;

	if (!vg)
		return;
	g->arch_priv = NULL;
	vmm_vserial_unregister(vg->hvc);
	if (vg->ept_pml4) {
		if (vmx_invept_context(vg->eptp))
			vmm_warn("guest %s: INVEPT before freeing the EPT failed\n", g->name);
		if (ept_deinit(vg))
			vmm_err("guest %s: EPT tables not all accounted for\n", g->name);
	}
	if (vg->apic_access && vmm_host_page_free(vg->apic_access))
		vmm_err("guest %s: APIC-access page 0x%llx refused by the page allocator\n", g->name,
			(unsigned long long)vg->apic_access);
	if (vg->io_bitmap && vmm_host_page_free(vg->io_bitmap))
		vmm_err("guest %s: I/O bitmap 0x%llx refused by the page allocator\n", g->name,
			(unsigned long long)vg->io_bitmap);
	vmm_free(vg);
}

/* ---- VMCS set-up ------------------------------------------------------ */

/* Combine wanted control bits with what the CPU allows (SDM 31.5.1). */
static int adjust_ctls(u64 cap, u32 want, u32 must, const char *what, u32 *out)
{
	u32 allowed0 = (u32)cap, allowed1 = (u32)(cap >> 32);
	u32 v = (want | allowed0) & allowed1;

	if ((v & must) != must) {
		vmm_err("vmx: required %s controls 0x%x are not supported by this CPU\n",
			what, must & ~v);
		return -VMM_ENOTAVAIL;
	}
	*out = v;
	return VMM_OK;
}

static int setup_controls(struct vmm_vcpu *v)
{
	const struct vmx_caps *c = vmx_boot_caps();
	struct vmx_guest *vg = v->guest->arch_priv;
	struct vmx_vcpu *vx = v->arch_priv;
	u32 pin, proc, proc2, exit, entry;
	/*
	 * CR8 is the guest's (SDM 29.3): with a TPR shadow its MOV CR8 reads
	 * and writes the VTPR of its virtual-APIC page; without one, CR8-load
	 * and CR8-store exiting, emulated in vmx_exit_cr.c. Never the host's TPR.
	 */
	u32 cr8 = vx->vapic ? PROC_TPR_SHADOW : PROC_CR8_LOAD | PROC_CR8_STORE;
	int rc;

	rc = adjust_ctls(c->pinbased, PIN_EXTINT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS |
			 PIN_PREEMPTION_TIMER,
			 PIN_EXTINT_EXITING | PIN_NMI_EXITING, "pin-based", &pin);
	rc = rc ? rc : adjust_ctls(c->procbased,
				   PROC_HLT_EXITING | PROC_MWAIT_EXITING | PROC_RDPMC_EXITING |
				   PROC_TSC_OFFSET | PROC_MOV_DR_EXITING | PROC_IO_BITMAPS |
				   PROC_MSR_BITMAPS | PROC_MONITOR_EXITING | PROC_SECONDARY | cr8,
				   PROC_HLT_EXITING | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY |
				   cr8, "processor-based", &proc);
	/* with EPT the guest owns CR3: no CR3 exits where the CPU lets us */
	proc &= ~((PROC_CR3_LOAD | PROC_CR3_STORE) & ~(u32)c->procbased);
	rc = rc ? rc : adjust_ctls(c->procbased2,
				   PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED | PROC2_RDTSCP |
				   PROC2_WBINVD_EXITING | PROC2_INVPCID | PROC2_PAUSE_LOOP |
				   (vg->apic_access ? PROC2_VIRT_APIC_ACCESS : 0),
				   PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED, "secondary", &proc2);
	rc = rc ? rc : adjust_ctls(c->exit_ctls,
				   EXIT_HOST_64 | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
				   EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_PREEMPT,
				   EXIT_HOST_64 | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
				   "VM-exit", &exit);
	rc = rc ? rc : adjust_ctls(c->entry_ctls, ENTRY_LOAD_EFER | ENTRY_LOAD_PAT,
				   ENTRY_LOAD_EFER, "VM-entry", &entry);
	if (rc)
		return rc;
	entry &= ~ENTRY_IA32E_GUEST;	/* the guest starts outside long mode */

	if (proc2 & PROC2_PAUSE_LOOP) {
		/* a PAUSE loop longer than ~4096 ticks exits (SDM 25.1.3) */
		vmcs_write(VMCS_PLE_GAP, 128);
		vmcs_write(VMCS_PLE_WINDOW, 4096);
	}
	vmx_preemption_shift = (pin & PIN_PREEMPTION_TIMER) ? (u32)(c->misc & 0x1F) : 0xFF;
	vmx_preemption_saved = exit & EXIT_SAVE_PREEMPT;
	vmcs_write(VMCS_PIN_CTLS, pin);
	vmcs_write(VMCS_PROC_CTLS, proc);
	vmcs_write(VMCS_PROC_CTLS2, proc2);
	vmcs_write(VMCS_EXIT_CTLS, exit);
	vmcs_write(VMCS_ENTRY_CTLS, entry);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 1u << 18);	/* #MC comes to the host */
	vmcs_write(VMCS_PF_ERR_MASK, 0);
	vmcs_write(VMCS_PF_ERR_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_IO_BITMAP_A, vg->io_bitmap);
	vmcs_write(VMCS_IO_BITMAP_B, vg->io_bitmap + PAGE_SIZE);
	vmcs_write(VMCS_MSR_BITMAP, msr_bitmap);
	vmcs_write(VMCS_EPTP, vg->eptp);
	vmcs_write(VMCS_VPID, vx->vpid);
	vmcs_write(VMCS_TSC_OFFSET, vx->tsc_offset);	/* 0 after reset, kept by INIT */
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	if (proc & PROC_TPR_SHADOW) {
		/* threshold 0: no TPR-below-threshold exits (SDM 29.1.2) */
		vmcs_write(VMCS_VIRTUAL_APIC, vx->vapic);
		vmcs_write(VMCS_TPR_THRESHOLD, 0);
	}
	if (proc2 & PROC2_VIRT_APIC_ACCESS)
		vmcs_write(VMCS_APIC_ACCESS, vg->apic_access);
	/*
	 * CR0/CR4 bits the CPU fixes in VMX operation are owned by the host;
	 * the guest reads its own values from the shadows (SDM 25.3). Under
	 * unrestricted guest PE and PG are the guest's (SDM 26.3.1.1).
	 */
	vmcs_write(VMCS_CR0_MASK, (c->cr0_fixed0 | ~c->cr0_fixed1) &
				  ~(X86_CR0_PE | X86_CR0_PG) & 0xFFFFFFFFULL);
	/* CR4 bits the guest may not set exit too (vmx_cr4_allowed(): the
	 * features its CPUID shows), so that setting one gets #GP(0) */
	vmcs_write(VMCS_CR4_MASK, c->cr4_fixed0 | ~c->cr4_fixed1 | ~vmx_cr4_allowed());
	return VMM_OK;
}

static void setup_host_state(struct vmx_vcpu *vx)
{
	struct percpu *pc = this_cpu();
	struct { u16 limit; u64 base; } __packed gdtr, idtr;

	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SEL, GDT_CODE64);
	vmcs_write(VMCS_HOST_SS_SEL, GDT_DATA);
	vmcs_write(VMCS_HOST_DS_SEL, GDT_DATA);
	vmcs_write(VMCS_HOST_ES_SEL, GDT_DATA);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, GDT_TSS);
	/* FS base is the per-CPU pointer (and the stack canary's home) */
	vmcs_write(VMCS_HOST_FS_BASE, (u64)(uintptr_t)pc);
	vmcs_write(VMCS_HOST_GS_BASE, 0);
	vmcs_write(VMCS_HOST_TR_BASE, (u64)(uintptr_t)&pc->tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	/* the frame lands where an interrupt frame on IST_IRQ would */
	vmcs_write(VMCS_HOST_RSP, pc->tss.ist[IST_IRQ - 1] - 5 * 8);
	vmcs_write(VMCS_HOST_RIP, (u64)(uintptr_t)vmx_exit_entry);
	vx->host_state_cpu = pc->cpu_id;
}

#define AR_CODE16 0x9B	/* present, code, read, accessed */
#define AR_DATA16 0x93	/* present, data, write, accessed */
#define AR_LDT 0x82
#define AR_TSS_BUSY 0x8B

static void set_segment(u32 sel_field, u16 sel, u64 base, u32 limit, u32 ar)
{
	/* selector, limit, AR and base fields are laid out at fixed strides */
	u32 idx = (sel_field - VMCS_GUEST_ES_SEL) / 2;

	vmcs_write(sel_field, sel);
	vmcs_write(VMCS_GUEST_ES_LIMIT + idx * 2, limit);
	vmcs_write(VMCS_GUEST_ES_AR + idx * 2, ar);
	vmcs_write(VMCS_GUEST_ES_BASE + idx * 2, base);
}

#define AR_CODE32 0xC09B	/* + G, D */
#define AR_DATA32 0xC093
#define AR_CODE64 0xA09B	/* + G, L */
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

/*
 * Long mode needs paging: identity-map the first 4 GiB with 2 MiB pages in
 * 6 pages of guest RAM at 'pt' (PML4, PDPT, 4 page directories).
 */
static int write_identity_tables(struct vmm_guest *g, u64 pt)
{
	u64 e;

	e = (pt + PAGE_SIZE) | 3;
	if (vmm_guest_memory_write(g, pt, &e, 8) != 8)
		return -VMM_EFAULT;
	for (u64 i = 0; i < 4; i++) {
		e = (pt + (2 + i) * PAGE_SIZE) | 3;
		vmm_guest_memory_write(g, pt + PAGE_SIZE + i * 8, &e, 8);
		for (u64 j = 0; j < 512; j++) {
			e = ((i * 512 + j) << 21) | 0x83;	/* present, writable, 2 MiB */
			vmm_guest_memory_write(g, pt + (2 + i) * PAGE_SIZE + j * 8, &e, 8);
		}
	}
	return VMM_OK;
}

/* 32-bit or 64-bit flat segments for a directly started kernel. */
static void setup_flat_state(struct vmm_vcpu *v, const struct vmx_caps *c, bool longmode)
{
	u64 cr0 = X86_CR0_PE | (1ULL << 4) | (longmode ? X86_CR0_PG : 0);
	u64 cr4 = longmode ? X86_CR4_PAE : 0;

	vmcs_write(VMCS_CR0_SHADOW, cr0);
	vmcs_write(VMCS_GUEST_CR0, vmx_cr0_for_hw(c, cr0));
	vmcs_write(VMCS_CR4_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_CR4, (cr4 | c->cr4_fixed0) & c->cr4_fixed1);
	vmcs_write(VMCS_GUEST_CR3, longmode ? v->config->page_table_addr : 0);
	vmcs_write(VMCS_GUEST_RIP, v->config->start_pc);
	set_segment(VMCS_GUEST_CS_SEL, 0x10, 0, 0xFFFFFFFF, longmode ? AR_CODE64 : AR_CODE32);
	set_segment(VMCS_GUEST_DS_SEL, 0x18, 0, 0xFFFFFFFF, AR_DATA32);
	set_segment(VMCS_GUEST_ES_SEL, 0x18, 0, 0xFFFFFFFF, AR_DATA32);
	set_segment(VMCS_GUEST_FS_SEL, 0x18, 0, 0xFFFFFFFF, AR_DATA32);
	set_segment(VMCS_GUEST_GS_SEL, 0x18, 0, 0xFFFFFFFF, AR_DATA32);
	set_segment(VMCS_GUEST_SS_SEL, 0x18, 0, 0xFFFFFFFF, AR_DATA32);
	if (longmode) {
		vmcs_write(VMCS_GUEST_EFER, EFER_LME | EFER_LMA);
		vmcs_write(VMCS_ENTRY_CTLS, vmcs_read(VMCS_ENTRY_CTLS) | ENTRY_IA32E_GUEST);
	}
}

/*
 * Architectural state after reset: real mode at start_pc, or a flat start.
 * After INIT ('init'): real mode at the architectural reset vector, CS
 * selector 0xF000 with base 0xFFFF0000 and IP 0xFFF0 (SDM 9.1.4), whatever
 * the configured start; the SIPI that follows moves it.
 */
static void setup_guest_state(struct vmm_vcpu *v, bool init)
{
	const struct vmx_caps *c = vmx_boot_caps();
	u64 pc = v->config && !init ? v->config->start_pc : 0xFFFF0;
	u64 cs_base = pc & ~0xFFFFULL;
	u64 cr0 = 0x60000010ULL;	/* CD, NW, ET: the reset value */

	vmcs_write(VMCS_CR0_SHADOW, cr0);
	vmcs_write(VMCS_GUEST_CR0, vmx_cr0_for_hw(c, cr0));
	vmcs_write(VMCS_CR4_SHADOW, 0);
	vmcs_write(VMCS_GUEST_CR4, c->cr4_fixed0 & c->cr4_fixed1);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmcs_write(VMCS_GUEST_DR7, 0x400);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_RIP, pc - cs_base);
	vmcs_write(VMCS_GUEST_RFLAGS, 0x2);
	set_segment(VMCS_GUEST_CS_SEL, (u16)(cs_base >> 4), cs_base, 0xFFFF, AR_CODE16);
	set_segment(VMCS_GUEST_DS_SEL, 0, 0, 0xFFFF, AR_DATA16);
	set_segment(VMCS_GUEST_ES_SEL, 0, 0, 0xFFFF, AR_DATA16);
	set_segment(VMCS_GUEST_FS_SEL, 0, 0, 0xFFFF, AR_DATA16);
	set_segment(VMCS_GUEST_GS_SEL, 0, 0, 0xFFFF, AR_DATA16);
	set_segment(VMCS_GUEST_SS_SEL, 0, 0, 0xFFFF, AR_DATA16);
	set_segment(VMCS_GUEST_LDTR_SEL, 0, 0, 0xFFFF, AR_LDT);
	set_segment(VMCS_GUEST_TR_SEL, 0, 0, 0xFFFF, AR_TSS_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xFFFF);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xFFFF);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_EFER, 0);
	vmcs_write(VMCS_GUEST_PAT, 0x0007040600070406ULL);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	if (init) {
		set_segment(VMCS_GUEST_CS_SEL, 0xF000, 0xFFFF0000ULL, 0xFFFF, AR_CODE16);
		return;
	}
	if (v->config && v->config->mode != VMM_VCPU_MODE_REAL)
		setup_flat_state(v, c, v->config->mode == VMM_VCPU_MODE_LONG);
}

int vmx_vmcs_load(u64 vmcs)
{
	struct percpu *pc = this_cpu();
	int rc;

	if (pc->current_vmcs == vmcs)
		return VMM_OK;
	rc = vmx_vmptrld(vmcs);
	if (!rc)
		pc->current_vmcs = vmcs;
	return rc;
}

static int normal_vcpu_init(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = vmm_zalloc(sizeof(*vx));
	int rc;

	if (!vx)
		return -VMM_ENOMEM;
	v->arch_priv = vx;
	if (!msr_bitmap) {
		msr_bitmap = vmm_host_page_alloc(0);
		if (!msr_bitmap)
			return -VMM_ENOMEM;
		memset((void *)(uintptr_t)msr_bitmap, 0xFF, PAGE_SIZE);
	}
	vx->vmcs = vmm_host_page_alloc(0);
	if (!vx->vmcs)
		return -VMM_ENOMEM;
	memset((void *)(uintptr_t)vx->vmcs, 0, PAGE_SIZE);
	*(u32 *)(uintptr_t)vx->vmcs = vmx_boot_caps()->revision;	/* SDM 24.2 */
	vx->vpid = vpid_alloc();
	if (!vx->vpid) {
		vmm_err("vcpu %s: all 65535 VPIDs are in use\n", v->name);
		return -VMM_ENOSPC;
	}
	rc = vmx_xsave_alloc(vx);
	if (rc)
		return rc;
	/*
	 * a virtual-APIC page for the TPR shadow where the CPU offers one; a
	 * VCPU with a local APIC (devemu/lapic.c) has CR8 exiting instead, so
	 * that its TPR lives in the LAPIC model alone (CR8 = TPR[7:4])
	 */
	if (((vmx_boot_caps()->procbased >> 32) & PROC_TPR_SHADOW) &&
	    !vmm_guest_config_has_lapic(v->guest->config)) {
		vx->vapic = vmm_host_page_alloc(0);
		if (!vx->vapic)
			return -VMM_ENOMEM;
	}
	return arch_vcpu_reset(v);
}

static int vcpu_reset(struct vmm_vcpu *v, bool init)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u64 vmcs = vx->vmcs, xsave = vx->xsave, vapic = vx->vapic;
	u16 vpid = vx->vpid;
	int rc;

	if (init) {
		/*
		 * INIT keeps (SDM table 9-1) the x87/SSE state, XCR0 and the
		 * MSRs (but EFER, a VMCS guest field); the exit statistics and
		 * the reported-MSR bitmap are ours and kept too. CR2 and the
		 * debug registers are cleared.
		 */
		vx->launched = false;
		vx->cr2 = 0;
		memset(vx->dr, 0, sizeof(vx->dr));
		vx->dr[6] = 0xFFFF0FF0;
	} else {
		/* everything but the VMCS, XSAVE and virtual-APIC pages and the VPID starts over */
		memset(vx, 0, sizeof(*vx));
		vx->vmcs = vmcs;
		vx->vpid = vpid;
		vx->xsave = xsave;
		vx->vapic = vapic;
		vx->msr_misc_enable = 1;
		/*
		 * x87/SSE/AVX/AVX-512 in their init state, XCR0 = 1. A VCPU loaded
		 * on this CPU (reset from its own exit) gets it in the CPU now; one
		 * loaded elsewhere must not save its old registers over it when it
		 * leaves that CPU (fresh_xsave, like fresh_regs for the GPRs).
		 */
		vmx_xsave_reset(vx);
		if (this_cpu()->guest_vcpu == v)
			vmx_xsave_load(vx, false);
		else
			vx->fresh_xsave = true;
	}
	/* the TPR is 0 after reset and INIT (SDM 10.4.7.1) */
	vx->tpr = 0;
	if (vx->vapic)
		memset((void *)(uintptr_t)vx->vapic, 0, PAGE_SIZE);
	vx->fresh_regs = true;
	rc = vmx_vmclear(vx->vmcs);
	if (!rc) {
		this_cpu()->current_vmcs = 0;
		rc = vmx_vmcs_load(vx->vmcs);
	}
	if (rc) {
		vmm_err("vcpu %s: VMCLEAR/VMPTRLD of its VMCS failed\n", v->name);
		return -VMM_EFAIL;
	}
	rc = setup_controls(v);
	if (rc)
		return rc;
	setup_host_state(vx);
	setup_guest_state(v, init);
	if (!init && v->config && v->config->mode == VMM_VCPU_MODE_LONG) {
		rc = write_identity_tables(v->guest, v->config->page_table_addr);
		if (rc) {
			vmm_err("vcpu %s: cannot write long-mode page tables at 0x%llx\n", v->name,
				(unsigned long long)v->config->page_table_addr);
			return rc;
		}
	}
	memset(v->regs, 0, sizeof(struct arch_regs));
	/* RDX after reset holds the CPU signature (family/model/stepping) */
	{
		u32 a, b, c, d;

		cpuid(1, &a, &b, &c, &d);
		v->regs->rdx = a;
	}
	/* a directly started kernel's boot VCPU (kernel/mb1_guest.c: Multiboot
	 * 0.6.96 section 3.2, kernel/linux_guest.c: the 64-bit boot protocol)
	 * on top of the flat start of its mode */
	if (!init && v->guest && v->subid == 0 && v->guest->boot_start.valid) {
		const struct vmm_guest_boot_start *bs = &v->guest->boot_start;

		vmcs_write(VMCS_GUEST_RIP, bs->entry);
		v->regs->rax = bs->rax;
		v->regs->rbx = bs->rbx;
		v->regs->rsi = bs->rsi;
		if (bs->gdt_limit) {
			vmcs_write(VMCS_GUEST_GDTR_BASE, bs->gdt_base);
			vmcs_write(VMCS_GUEST_GDTR_LIMIT, bs->gdt_limit);
		}
	}
	if (vmx_invvpid_context(vx->vpid))
		vmm_warn("vcpu %s: INVVPID failed\n", v->name);
	/*
	 * A VCPU that does not run here leaves its VMCS clear, so that any CPU
	 * may load it next (SDM 24.1: a VMCS is active on one CPU at a time,
	 * 24.11.1: VMCLEAR before it moves).
	 */
	if (this_cpu()->guest_vcpu != v) {
		vmx_vmclear(vx->vmcs);
		this_cpu()->current_vmcs = 0;
		vx->launched = false;
	}
	return VMM_OK;
}

void arch_vcpu_wait_for_sipi(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;

	if (!v->is_normal || !vx)
		return;
	vx->wait_sipi = true;
	vx->enter_wait_sipi = true;
}

void arch_vcpu_sipi(struct vmm_vcpu *v, u8 vector)
{
	struct vmx_vcpu *vx = v->arch_priv;

	if (!v->is_normal || !vx)
		return;
	vx->sipi_vector = vector;
	vx->sipi_start = true;
}

u64 arch_vcpu_tsc(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;

	/* the host TSCs run in step; the VCPU's offset is its own */
	return rdtsc() + (vx ? __atomic_load_n(&vx->tsc_offset, __ATOMIC_RELAXED) : 0);
}

u64 arch_vcpu_tsc_hz(void)
{
	return arch_timer_tsc_hz();
}

bool arch_vcpu_waits_for_sipi(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;

	return v->is_normal && vx && vx->wait_sipi;
}

int arch_vcpu_reset(struct vmm_vcpu *v)
{
	return vcpu_reset(v, false);
}

/*
 * The INIT state for a VCPU loaded on this CPU (the INIT exit handler):
 * vcpu_reset(init) keeps what INIT keeps in our VCPU state; the VMCS
 * fields INIT keeps (the TSC offset, PAT, SYSENTER MSRs) are carried over
 * the VMCS rebuild, and CR2 and DR0-3/DR6, which live in the CPU while the
 * VCPU is loaded, are cleared there.
 */
int vmx_vcpu_init_signal(struct vmm_vcpu *v)
{
	u64 tsc_offset = vmcs_read(VMCS_TSC_OFFSET), pat = vmcs_read(VMCS_GUEST_PAT);
	u64 se_cs = vmcs_read(VMCS_GUEST_SYSENTER_CS), se_esp = vmcs_read(VMCS_GUEST_SYSENTER_ESP);
	u64 se_eip = vmcs_read(VMCS_GUEST_SYSENTER_EIP);
	int rc = vcpu_reset(v, true);

	/* at a SIPI's switch-in v is not yet this CPU's guest_vcpu: vcpu_reset left its VMCS clear */
	if (!rc)
		rc = vmx_vmcs_load(((struct vmx_vcpu *)v->arch_priv)->vmcs);
	if (rc)
		return rc;
	vmx_dr_load_guest(v);
	write_cr2(0);
	vmcs_write(VMCS_TSC_OFFSET, tsc_offset);
	vmcs_write(VMCS_GUEST_PAT, pat);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, se_cs);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, se_esp);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, se_eip);
	return VMM_OK;
}

int arch_vcpu_init(struct vmm_vcpu *v)
{
	struct arch_regs *r = v->regs;

	if (v->is_normal)
		return normal_vcpu_init(v);
	/* orphan: a root-mode frame that "returns" into its entry function */
	if (v->orphan_entry) {
		memset(r, 0, sizeof(*r));
		r->rip = (u64)(uintptr_t)v->orphan_entry;
		r->cs = GDT_CODE64;
		r->rflags = X86_RFLAGS_IF | 0x2;
		r->rsp = v->stack_base + v->stack_size - 8;	/* ABI: as after a call */
		r->ss = GDT_DATA;
	}
	return VMM_OK;
}

/* Free a host page of a VCPU, naming it when the allocator refuses it. */
static void vcpu_page_free(struct vmm_vcpu *v, u64 pa, const char *what)
{
	if (pa && vmm_host_page_free(pa))
		vmm_err("vcpu %s: %s page 0x%llx refused by the page allocator\n", v->name, what,
			(unsigned long long)pa);
}

/*
 * Free a stopped normal VCPU's arch state, also a half-built one: its
 * VMCS (VMCLEARed here: the scheduler cleared it when it left its last
 * CPU, but a reset on this CPU loads it again), XSAVE area, virtual-APIC
 * page and VPID, and the vmx_vcpu. Orphans have no arch state.
 */
void arch_vcpu_deinit(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;
	struct percpu *pc = this_cpu();

	if (!v->is_normal || !vx)
		return;
	v->arch_priv = NULL;
	if (pc->guest_vcpu == v)
		pc->guest_vcpu = NULL;
	if (vx->vmcs) {
		if (pc->current_vmcs == vx->vmcs) {
			if (vmx_vmclear(vx->vmcs))
				vmm_err("vcpu %s: VMCLEAR of its VMCS failed\n", v->name);
			pc->current_vmcs = 0;
		}
		vcpu_page_free(v, vx->vmcs, "VMCS");
	}
	vcpu_page_free(v, vx->xsave, "XSAVE");
	vcpu_page_free(v, vx->vapic, "virtual-APIC");
	vpid_free(vx->vpid);
	vmm_free(vx);
}

/* ---- switching -------------------------------------------------------- */

#define GPR_BYTES (15 * 8)	/* r15 .. rax, the first fields of arch_regs */

u64 vmx_cpu_guest_ticks(unsigned int cpu)
{
	struct percpu *p = cpu < ARCH_MAX_CPUS ? arch_percpu[cpu] : NULL;
	u64 t;

	if (!p)
		return 0;
	t = __atomic_load_n(&p->guest_ticks, __ATOMIC_RELAXED);
	if ((s64)t < 0)		/* in guest mode now: minus the entry's TSC */
		t += rdtsc();
	return (s64)t < 0 ? 0 : t;
}

u64 vmx_vcpu_guest_ticks(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u32 cpu = __atomic_load_n(&v->host_cpu, __ATOMIC_RELAXED);
	u64 t = __atomic_load_n(&vx->guest_ticks, __ATOMIC_RELAXED), now;

	/* running on a CPU now: what that CPU counted since its switch-in */
	if (cpu < ARCH_MAX_CPUS && arch_percpu[cpu] &&
	    __atomic_load_n(&arch_percpu[cpu]->guest_vcpu, __ATOMIC_RELAXED) == v) {
		now = vmx_cpu_guest_ticks(cpu);
		if (now > vx->guest_base)
			t += now - vx->guest_base;
	}
	return t;
}

void arch_vcpu_regs_switch(struct vmm_vcpu *cur, struct vmm_vcpu *next, struct arch_regs *regs)
{
	struct percpu *pc = this_cpu();
	bool xsaved = false;

	if (cur) {
		if (cur->is_normal) {
			struct vmx_vcpu *vx = cur->arch_priv;

			/* after a reset the VCPU's registers are the reset ones */
			if (!vx->fresh_regs)
				memcpy(cur->regs, regs, GPR_BYTES);
			vx->cr2 = read_cr2();
			if (!vx->fresh_xsave) {
				vmx_xsave_save(vx);
				xsaved = true;
			}
			vmx_msr_save_guest(cur);
			vmx_dr_save_guest(cur);
			/*
			 * Its VMCS leaves this CPU clear (SDM 24.11.1), so that the
			 * next CPU to run it - this one or another - loads it
			 * with VMPTRLD and enters it with VMLAUNCH.
			 */
			if (vmx_vmclear(vx->vmcs))
				vmm_err("vcpu %s: VMCLEAR failed\n", cur->name);
			vx->guest_ticks += pc->guest_ticks - vx->guest_base;
			pc->current_vmcs = 0;
			vx->launched = false;
		} else {
			memcpy(cur->regs, regs, sizeof(*regs));
		}
	}
	if (next->is_normal) {
		struct vmx_vcpu *vx = next->arch_priv;

		if (unlikely(vx->sipi_start))
			vmx_vcpu_sipi_start(next);	/* INIT state + start (fresh regs) */
		memcpy(regs, next->regs, GPR_BYTES);
		regs->vector = VMX_EXIT_VECTOR;
		vx->guest_base = pc->guest_ticks;
		vx->fresh_regs = false;
		vx->fresh_xsave = false;
		if (vmx_vmcs_load(vx->vmcs))
			vmm_err("vcpu %s: VMPTRLD failed\n", next->name);
		if (vx->host_state_cpu != pc->cpu_id) {
			/*
			 * It comes from another CPU: this CPU's host state (per-CPU
			 * area, TSS, GDT, interrupt stack), and no translations of
			 * its VPID or EPTP cached here from an earlier stay may
			 * survive (SDM 28.4.3). The TSC offset is the VCPU's own
			 * and the host TSCs run in step, so its TSC goes on.
			 */
			setup_host_state(vx);
			vmx_invvpid_context(vx->vpid);
			vmx_invept_context(vmcs_read(VMCS_EPTP));
		}
		if (vx->enter_wait_sipi) {
			vmcs_write(VMCS_GUEST_ACTIVITY, 3);	/* wait-for-SIPI (SDM 24.4.2) */
			vx->enter_wait_sipi = false;
		}
		write_cr2(vx->cr2);
		/* every switched component and XCR0 (vmx_xsave.c) */
		vmx_xsave_load(vx, xsaved);
		vmx_msr_load_guest(next);
		vmx_dr_load_guest(next);
		pc->vmx_launch = !vx->launched;
		vx->launched = true;
		if (unlikely(!vx->first_entry_tsc))
			vx->first_entry_tsc = rdtsc();	/* vcpu stats: the boot benchmark's start */
		pc->return_to_guest = 1;
		pc->guest_vcpu = next;
		vmx_timer_vcpu_in(pc);	/* time passed elsewhere */
	} else {
		memcpy(regs, next->regs, sizeof(*regs));
		pc->return_to_guest = 0;
		pc->guest_vcpu = NULL;
	}
}

void arch_vcpu_yield(void)
{
	__asm__ volatile("int %0" : : "i"(TRAP_VECTOR_YIELD) : "memory");
}
