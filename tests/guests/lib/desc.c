/*
 * tests/guests/lib/desc.c - the descriptor tables of C test guests
 * (cpu.h): a flat GDT (32-bit code and data, 16-bit code and data for the
 * SMP trampoline), an IDT of 32-bit interrupt gates to the stubs of
 * lib/isr.S, and t_irq_dispatch, which runs the handler of a vector or
 * reports an unexpected one (FAIL with the vector, EIP and error code) and
 * ends the test with isa-debug-exit.
 */
#include "cpu.h"

static u64 gdt[5] = {
	0,
	0x00CF9A000000FFFFull,	/* 0x08 code, 32-bit, 4 GiB */
	0x00CF92000000FFFFull,	/* 0x10 data, 32-bit, 4 GiB */
	0x00009A000000FFFFull,	/* 0x18 code, 16-bit, 64 KiB */
	0x000092000000FFFFull,	/* 0x20 data, 16-bit, 64 KiB */
};
u8 t_gdt_desc[6];
static u64 idt[256];
static u8 idt_desc[6];
static volatile t_irq_fn handlers[256];
extern const u32 t_isr_table[256];

/* Fill a 6-byte (limit, base) descriptor for lgdt/lidt. */
static void set_desc(u8 *d, const void *base, u32 bytes)
{
	u32 b = (u32)(uintptr_t)base;
	u16 lim = (u16)(bytes - 1);

	d[0] = (u8)lim;
	d[1] = (u8)(lim >> 8);
	for (int i = 0; i < 4; i++)
		d[2 + i] = (u8)(b >> (8 * i));
}

void t_cpu_setup(void)
{
	if (!t_gdt_desc[0]) {
		for (int v = 0; v < 256; v++) {
			u32 a = t_isr_table[v];

			idt[v] = (a & 0xFFFF) | ((u64)T_SEL_CODE32 << 16) | (0x8Eull << 40) |
				 ((u64)(a >> 16) << 48);
		}
		set_desc(idt_desc, idt, sizeof(idt));
		set_desc(t_gdt_desc, gdt, sizeof(gdt));
	}
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\tmov %2, %%eax\n\t"
			 "mov %%eax, %%ds\n\tmov %%eax, %%es\n\tmov %%eax, %%ss\n\t"
			 "mov %%eax, %%fs\n\tmov %%eax, %%gs\n\t"
			 "lidt %3"
			 : : "m"(t_gdt_desc), "i"(T_SEL_CODE32), "i"(T_SEL_DATA32), "m"(idt_desc)
			 : "eax", "memory");
}

void t_irq_set(u8 v, t_irq_fn fn)
{
	handlers[v] = fn;
}

void t_irq_dispatch(struct t_frame *f);
void t_irq_dispatch(struct t_frame *f)
{
	t_irq_fn fn = handlers[f->vector & 0xFF];

	if (fn) {
		fn(f);
		return;
	}
	t_fail("unexpected-interrupt", "vector %u at eip 0x%x, error 0x%x", f->vector, f->eip,
	       f->error);
	t_printf("%d failures\n", t_failures);
	t_exit(t_failures);
}
