/*
 * arch/x86_64/vmx/vmx_exit_ept.c - EPT violations (SDM 28.3.3.2): accesses
 * to virtual memory regions are decoded and emulated; writes to ROM are
 * dropped (like real ROM) and reported once; anything else halts the guest
 * with what it did, where, and from which instruction.
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

/* Fetch and decode the instruction at the guest's RIP. */
static int decode_current(struct vmm_vcpu *v, struct x86_mmio_insn *insn)
{
	u8 bytes[X86_MAX_INSN_LEN];
	u64 rip = vmcs_read(VMCS_GUEST_CS_BASE) + vmcs_read(VMCS_GUEST_RIP);
	int mode = vmx_guest_cpu_mode();
	size_t n;

	if (mode != 64)
		rip &= 0xFFFFFFFFULL;
	n = vmx_read_guest_linear(v, rip, bytes, sizeof(bytes));
	if (!n)
		return -VMM_EFAULT;
	return x86_decode_mmio(bytes, n, mode, insn);
}

static void complete_load(struct arch_regs *r, const struct x86_mmio_insn *insn, u64 val)
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

int vmx_exit_ept_violation(struct vmm_vcpu *v, struct arch_regs *r)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	u64 gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	u64 rip = vmcs_read(VMCS_GUEST_RIP);
	struct vmm_region *reg = vmm_aspace_find(v->guest, gpa, false);
	struct x86_mmio_insn insn;
	bool rom = reg && reg->cfg->kind == VMM_REGION_ROM;
	int rc;

	if (!reg || (reg->cfg->kind != VMM_REGION_VIRTUAL && !(rom && (q & 2))) || (q & 4))
		return vmx_halt_vcpu(v, "%s at GPA 0x%llx RIP 0x%llx: %s",
				     access_name(q), (unsigned long long)gpa,
				     (unsigned long long)rip,
				     reg ? "not allowed in this region" : "outside every region");
	rc = decode_current(v, &insn);
	if (rc)
		return vmx_halt_vcpu(v, "%s at GPA 0x%llx RIP 0x%llx: instruction not emulated (%s; see the supported MOV forms in vmx_decode.h)",
				     access_name(q), (unsigned long long)gpa,
				     (unsigned long long)rip,
				     rc == -VMM_EFAULT ? "unreadable" : "unsupported");
	if (rom) {
		struct vmx_guest *vg = v->guest->arch_priv;

		if (!vg->rom_write_reported) {
			vg->rom_write_reported = true;
			vmm_warn("guest %s: write to ROM region %s at GPA 0x%llx RIP 0x%llx ignored (reported once)\n",
				 v->guest->name, reg->cfg->name, (unsigned long long)gpa,
				 (unsigned long long)rip);
		}
	} else if (insn.is_store) {
		u64 val = insn.has_imm ? insn.imm : vmx_gpr_get(r, insn.reg);

		if (insn.high_byte)
			val >>= 8;
		rc = vmm_devemu_region_write(reg, gpa, insn.width,
					     val & ((insn.width == 8) ? ~0ULL : ((1ULL << (insn.width * 8)) - 1)));
	} else {
		u64 val = 0;

		rc = vmm_devemu_region_read(reg, gpa, insn.width, &val);
		if (!rc)
			complete_load(r, &insn, val);
	}
	if (rc)
		return vmx_halt_vcpu(v, "%s at GPA 0x%llx RIP 0x%llx: no device answers there (%s)",
				     access_name(q), (unsigned long long)gpa,
				     (unsigned long long)rip, vmm_strerror(rc));
	if (!vmx_vcpu_was_reset())
		vmcs_write(VMCS_GUEST_RIP, rip + insn.length);
	return 0;
}
