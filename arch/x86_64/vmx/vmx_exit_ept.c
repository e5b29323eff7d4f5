/*
 * arch/x86_64/vmx/vmx_exit_ept.c - EPT violations (SDM 28.3.3.2): accesses
 * to virtual memory regions are decoded and emulated; writes to ROM are
 * dropped (like real ROM) and reported once; reads of memory no region
 * covers give all-ones and writes there are dropped, as on a PC (reported
 * by devemu; unassigned_io = "halt" stops the guest instead; below 4 GiB
 * reads do not exit at all: ept_map_open_bus); anything
 * else halts the guest with what it did, where, and from which
 * instruction: an instruction fetch from such memory, an access that
 * crosses the end of a virtual region, and an access made by the CPU
 * itself rather than by the instruction at RIP - delivering an interrupt
 * or exception (IDT, GDT, TSS, stack: IDT-vectoring information valid,
 * SDM 27.2.4) or walking the guest's page tables (exit qualification bit 7
 * set and 8 clear, SDM 28.3.3.2 table 28-7).
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmx_decode.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/cpu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "devemu/devemu.h"

static const char *access_name(u64 q)
{
	return (q & 4) ? "instruction fetch" : (q & 2) ? "write" : "read";
}

/* The copying fetch, for an instruction that may cross a page. */
static __attribute__((noinline)) int decode_copy(struct vmm_vcpu *v, u64 rip, int mode,
						 struct x86_mmio_insn *insn)
{
	u8 bytes[X86_MAX_INSN_LEN];
	size_t n = vmx_read_guest_linear(v, rip, bytes, sizeof(bytes));

	if (!n)
		return -VMM_EFAULT;
	return x86_decode_mmio(bytes, n, mode, insn);
}

/*
 * The instruction bytes at host address p as two overlapping 8-byte words
 * (bytes 0-7 and 7-14): what the decode cache compares.
 */
static inline void insn_words(const u8 *p, u64 w[2])
{
	__builtin_memcpy(&w[0], p, 8);
	__builtin_memcpy(&w[1], p + 7, 8);
}

/*
 * Decode the instruction at the guest's RIP. When its 15 possible bytes
 * lie in one page of guest RAM/ROM they are decoded where they are (this
 * is every MMIO exit's path: make bench counts it); otherwise from a copy.
 *
 * The VCPU keeps the last instruction decoded in place: its guest
 * physical address, its host address and its 15 bytes. The next exit at
 * the same guest physical address (a driver's polling loop) whose bytes
 * are still the same takes the decoded form without decoding again. The
 * guest-physical to host mapping of a guest never changes, and the bytes
 * are compared, so a changed instruction is decoded afresh.
 */
static inline __attribute__((always_inline)) int decode_current(struct vmm_vcpu *v, u64 guest_rip, struct x86_mmio_insn *scratch,
			  const struct x86_mmio_insn **out)
{
	struct vmx_decode_cache *dc = &((struct vmx_vcpu *)v->arch_priv)->decode_cache;
	u64 rip = vmcs_read(VMCS_GUEST_CS_BASE) + guest_rip;
	u64 cr0 = vmcs_read(VMCS_GUEST_CR0);	/* read once for the mode and the walk */
	int mode = vmx_guest_cpu_mode_cr0(cr0);
	u64 gpa, hpa, avail, w[2];
	int rc;

	*out = scratch;
	if (mode != 64)
		rip &= 0xFFFFFFFFULL;
	if (!(cr0 & X86_CR0_PG))
		gpa = rip;	/* no paging: linear = physical (vmx_gva_to_gpa) */
	else if (vmx_gva_walk(v, rip, false, &gpa))
		return decode_copy(v, rip, mode, scratch);
	if (PAGE_SIZE - (rip & (PAGE_SIZE - 1)) < X86_MAX_INSN_LEN)
		return decode_copy(v, rip, mode, scratch);
	if (dc->host && dc->gpa == gpa && dc->mode == mode) {
		insn_words(dc->host, w);
		if (w[0] == dc->words[0] && w[1] == dc->words[1]) {
			*out = &dc->insn;	/* the cached decode, not a copy */
			return VMM_OK;
		}
	}
	hpa = vmm_guest_phys_to_host(v->guest, gpa, &avail);
	if (!hpa || avail < X86_MAX_INSN_LEN)
		return decode_copy(v, rip, mode, scratch);
	rc = x86_decode_mmio((const u8 *)(uintptr_t)hpa, X86_MAX_INSN_LEN, mode, scratch);
	dc->host = NULL;
	if (!rc) {
		dc->gpa = gpa;
		dc->mode = mode;
		insn_words((const u8 *)(uintptr_t)hpa, dc->words);
		dc->insn = *scratch;
		dc->host = (const u8 *)(uintptr_t)hpa;
	}
	return rc;
}

static inline __attribute__((always_inline)) void complete_load(struct arch_regs *r, const struct x86_mmio_insn *insn, u64 val)
{
	u64 cur = vmx_gpr_get(r, insn->reg);

	val = x86_mmio_extend(insn, val);
	if (insn->dst_width == 4)
		cur = val & 0xFFFFFFFFULL;	/* 32-bit destinations zero-extend */
	else if (insn->dst_width == 8)
		cur = val;
	else if (insn->high_byte)
		cur = (cur & ~0xFF00ULL) | ((val & 0xFF) << 8);
	else
		cur = (cur & ~((1ULL << (insn->dst_width * 8)) - 1)) | (val & ((1ULL << (insn->dst_width * 8)) - 1));
	vmx_gpr_set(r, insn->reg, cur);
}

/* An access that cannot be emulated: halt the VCPU saying what, where and why. */
static __attribute__((noinline, cold)) int access_failed(struct vmm_vcpu *v, u64 q, u64 gpa, u64 rip,
							  const char *why, const char *detail, const char *tail)
{
	return vmx_halt_vcpu(v, "%s at GPA 0x%llx RIP 0x%llx: %s%s%s", access_name(q),
			     (unsigned long long)gpa, (unsigned long long)rip, why, detail, tail);
}

static const char *const event_type[8] = {
	"external interrupt", "?", "NMI", "hardware exception", "software interrupt",
	"privileged software exception", "software exception", "?",
};

/*
 * The access was the CPU's own, made while delivering an event (reading
 * the IDT entry or a descriptor, pushing the frame): the instruction at
 * RIP did not make it and must not be emulated. The event cannot be
 * delivered through an emulated region: halt the VCPU, saying so.
 */
static __attribute__((noinline, cold)) int event_delivery_failed(struct vmm_vcpu *v, u64 q, u64 gpa, u64 rip,
								 struct vmm_region *reg, u32 idt)
{
	return vmx_halt_vcpu(v, "%s at GPA 0x%llx (%s%s) by the CPU while delivering %s vector %u "
			     "(IDT, descriptor or stack in that memory), RIP 0x%llx: event delivery through "
			     "an emulated or unassigned region is not emulated",
			     access_name(q), (unsigned long long)gpa, reg ? "region " : "outside every region",
			     reg ? reg->cfg->name : "", event_type[(idt >> 8) & 7], idt & 0xFF,
			     (unsigned long long)rip);
}

/* An access that does not end in the region it starts in. */
static __attribute__((noinline, cold)) int straddle_failed(struct vmm_vcpu *v, u64 q, u64 gpa, u64 rip,
							   struct vmm_region *reg, u32 width)
{
	return vmx_halt_vcpu(v, "%s of %u bytes at GPA 0x%llx RIP 0x%llx crosses the end of region %s "
			     "(0x%llx-0x%llx): not emulated", access_name(q), width,
			     (unsigned long long)gpa, (unsigned long long)rip, reg->cfg->name,
			     (unsigned long long)reg->cfg->gpa,
			     (unsigned long long)(reg->cfg->gpa + reg->cfg->size - 1));
}

/* Memory no region covers: all-ones, writes dropped (devemu reports). */
static __attribute__((noinline)) int unassigned_access(struct vmm_vcpu *v, struct arch_regs *r,
						       const struct x86_mmio_insn *insn, u64 gpa)
{
	u64 val = 0;

	if (insn->is_store)
		return vmm_devemu_unassigned_write(v->guest, gpa);
	if (vmm_devemu_unassigned_read(v->guest, gpa, insn->width, &val))
		return -VMM_EACCESS;
	complete_load(r, insn, val);
	return VMM_OK;
}

/*
 * The access the instruction at RIP made to gpa (q: bit 0 read, bit 1
 * write, bit 2 fetch, as in an EPT violation's qualification), in region
 * reg or none: decoded and carried out.
 */
static inline __attribute__((always_inline)) int emulate_access(struct vmm_vcpu *v, struct arch_regs *r,
								 u64 q, u64 gpa, u64 rip,
								 struct vmm_region *reg)
{
	struct x86_mmio_insn scratch;
	const struct x86_mmio_insn *insn;
	bool rom;
	int rc;

	rom = reg && reg->cfg->kind == VMM_REGION_ROM;
	if (unlikely(!reg || (reg->cfg->kind != VMM_REGION_VIRTUAL && !(rom && (q & 2))) || (q & 4))) {
		if (reg || (q & 4))
			return access_failed(v, q, gpa, rip,
					     reg ? "not allowed in this region" : "outside every region", "", "");
	}
	rc = decode_current(v, rip, &scratch, &insn);
	if (unlikely(rc))
		return access_failed(v, q, gpa, rip, "instruction not emulated ",
				     rc == -VMM_EFAULT ? "(unreadable; see the supported MOV forms in vmx_decode.h)"
						       : "(unsupported; see the supported MOV forms in vmx_decode.h)", "");
	if (unlikely(!reg)) {
		if (unassigned_access(v, r, insn, gpa))
			return access_failed(v, q, gpa, rip, "outside every region, and the guest is strict "
					     "(unassigned_io = \"halt\")", "", "");
	} else if (unlikely(!rom && gpa + insn->width - reg->cfg->gpa > reg->cfg->size)) {
		return straddle_failed(v, q, gpa, rip, reg, insn->width);
	} else if (rom) {
		struct vmx_guest *vg = v->guest->arch_priv;

		if (!vg->rom_write_reported) {
			vg->rom_write_reported = true;
			vmm_warn("guest %s: write to ROM region %s at GPA 0x%llx RIP 0x%llx ignored (reported once)\n",
				 v->guest->name, reg->cfg->name, (unsigned long long)gpa,
				 (unsigned long long)rip);
		}
	} else if (insn->is_store) {
		u64 val = insn->has_imm ? insn->imm : vmx_gpr_get(r, insn->reg);

		if (insn->high_byte)
			val >>= 8;
		rc = vmm_devemu_region_write(reg, gpa, insn->width,
					     val & ((insn->width == 8) ? ~0ULL : ((1ULL << (insn->width * 8)) - 1)));
	} else {
		u64 val = 0;

		rc = vmm_devemu_region_read(reg, gpa, insn->width, &val);
		if (!rc)
			complete_load(r, insn, val);
	}
	if (unlikely(rc))
		return access_failed(v, q, gpa, rip, "no device answers there (", vmm_strerror(rc), ")");
	return VMX_EXIT_NEXT_INSN_LEN(insn->length);
}

int vmx_exit_ept_violation(struct vmm_vcpu *v, struct arch_regs *r)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	u64 gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	u64 rip = vmcs_read(VMCS_GUEST_RIP);
	u32 idt = (u32)vmcs_read(VMCS_IDT_VECTORING_INFO);
	struct vmm_region *reg = vmm_aspace_lookup(v->guest->aspace, gpa, false);

	/* the dispatcher left this exit's IDT-vectoring information to us */
	if (unlikely(idt & INTR_INFO_VALID))
		return event_delivery_failed(v, q, gpa, rip, reg, idt);
	/* bit 7: linear address valid; bit 8 clear: a paging-structure access */
	if (unlikely((q & 0x180) == 0x80))
		return access_failed(v, q, gpa, rip, "made by the CPU walking the guest's page tables, which lie in ",
				     reg ? "an emulated region" : "unassigned memory", " (not emulated)");
	return emulate_access(v, r, q, gpa, rip, reg);
}

/*
 * An APIC-access exit (SDM 27.2.1 table 27-1, 29.4): the guest touched its
 * xAPIC page, which maps to the guest's APIC-access page (vmx_vcpu.c). A
 * linear read or write of the instruction at RIP is emulated like any
 * MMIO access, at the offset the qualification names (the local APIC
 * device, devemu/lapic.c, answers for the VCPU); an instruction fetch
 * from the page or an access while delivering an event is not emulated:
 * the VCPU is halted, saying so.
 */
int vmx_exit_apic_access(struct vmm_vcpu *v, struct arch_regs *r)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	u32 type = (q >> 12) & 0xF;
	u64 gpa = 0xFEE00000ULL + (q & 0xFFF);
	u64 rip = vmcs_read(VMCS_GUEST_RIP);
	u32 idt = (u32)vmcs_read(VMCS_IDT_VECTORING_INFO);
	struct vmm_region *reg = vmm_aspace_lookup(v->guest->aspace, gpa, false);

	if (unlikely((idt & INTR_INFO_VALID) || type > 1))
		return vmx_halt_vcpu(v, "%s of the local APIC page at GPA 0x%llx RIP 0x%llx (APIC-access type %u): not emulated",
				     type == 2 || type == 15 ? "instruction fetch" : "access while delivering an event",
				     (unsigned long long)gpa, (unsigned long long)rip, type);
	return emulate_access(v, r, type == 1 ? 2 : 1, gpa, rip, reg);
}
