/*
 * arch/x86_64/desc.c - descriptor tables: each CPU's GDT and TSS (with its
 * IST stacks) and the IDT shared by all CPUs.
 *
 * IST use: external interrupts (and later VM exits, through HOST_RSP) run on
 * the per-CPU interrupt stack; CPU exceptions, #DF, NMI and #MC each have a
 * stack of their own, so a fault inside an interrupt handler does not
 * overwrite the interrupted frame.
 */
#include <string.h>
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/cpu.h"

#define GDT_CODE64 0x08
#define GDT_DATA 0x10
#define GDT_TSS 0x20

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

extern const u64 trap_stub_table[256];
static struct idt_entry idt[256] __attribute__((aligned(16)));
static u8 bsp_ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));

static u8 ist_for_vector(unsigned int v)
{
	switch (v) {
	case 2: return IST_NMI;
	case 8: return IST_DOUBLE_FAULT;
	case 18: return IST_MACHINE_CHECK;
	default: return v < 32 ? IST_EXCEPTION : IST_IRQ;
	}
}

void arch_idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		u64 off = trap_stub_table[v];

		idt[v].offset_lo = off & 0xFFFF;
		idt[v].selector = GDT_CODE64;
		idt[v].ist = ist_for_vector(v);
		idt[v].type_attr = 0x8E;	/* present, DPL 0, interrupt gate */
		idt[v].offset_mid = (off >> 16) & 0xFFFF;
		idt[v].offset_hi = off >> 32;
		idt[v].reserved = 0;
	}
}

/*
 * IST stacks: the BSP's are static (needed before the allocator exists);
 * smp.c allocates an AP's before it starts it.
 */
static void setup_ist(struct percpu *pc)
{
	for (int i = 1; i <= IST_COUNT; i++) {
		if (!pc->ist_stack[i] && pc == &percpu_bsp_area)
			pc->ist_stack[i] = bsp_ist_stacks[i - 1];
		pc->tss.ist[i - 1] = (u64)(uintptr_t)pc->ist_stack[i] + IST_STACK_SIZE;
	}
}

void arch_desc_init_cpu(struct percpu *pc)
{
	u64 tss = (u64)(uintptr_t)&pc->tss;
	struct desc_ptr gdtr, idtr;
	u64 fs_base = (u64)(uintptr_t)pc;

	memset(&pc->tss, 0, sizeof(pc->tss));
	pc->tss.iomap_base = sizeof(pc->tss);	/* no I/O bitmap */
	setup_ist(pc);

	pc->gdt[0] = 0;
	pc->gdt[1] = 0x00AF9A000000FFFFULL;	/* 64-bit code, DPL 0 */
	pc->gdt[2] = 0x00CF92000000FFFFULL;	/* data */
	pc->gdt[3] = 0;
	pc->gdt[4] = (sizeof(pc->tss) - 1) | ((tss & 0xFFFFFF) << 16) |
		     (0x89ULL << 40) | (((tss >> 24) & 0xFF) << 56);
	pc->gdt[5] = tss >> 32;

	gdtr.limit = 6 * 8 - 1;
	gdtr.base = (u64)(uintptr_t)pc->gdt;
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (u64)(uintptr_t)idt;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 : : "m"(gdtr), "i"(GDT_CODE64), "i"(GDT_DATA) : "rax", "memory");
	/* FS/GS keep selector 0; FS base is the per-CPU pointer (reloaded after lgdt) */
	wrmsr(MSR_FS_BASE, fs_base);
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
	__asm__ volatile("lidt %0" : : "m"(idtr));
}
