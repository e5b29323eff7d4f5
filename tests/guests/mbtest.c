/*
 * tests/guests/mbtest.c - the Multiboot (v1) guest kernel test (tests/
 * system/test_mboot.py, dts tests/system/dts/mboot-mbtest.dts): started
 * by the hypervisor's loader (kernel/mb1_guest.c) it checks the machine
 * state of Multiboot 0.6.96 section 3.2 (EAX magic, protected mode without
 * paging, flat segments, interrupts off), its zeroed BSS, and the
 * information: flags, mem_lower/mem_upper and the memory map against the
 * DTS (RAM 0-640 KiB and 1 MiB-4 MiB, ROM at 0xF0000 and VGA at 0xB8000
 * reserved), the command line, the loader's name and the two modules
 * (page-aligned, contents and strings as in tests/guests/mbmod1.txt and
 * mbmod2.txt). Ends through isa-debug-exit with the number of failures.
 */
#include "lib/tlib.h"

#define RAM_BYTES (4u << 20)	/* GUEST_RAM of the DTS */
#define CMDLINE "mbtest.elf answer=42 mode=check"
static const char mod1_text[] = "xvisor-x86 multiboot module one\n";
static const char mod2_text[] = "second module: 0123456789abcdef\n";
static const char *const mod_strings[2] = { "mbmod1.txt first", "mbmod2.txt" };

static u32 big_bss[4096];	/* 16 KiB the loader must have zeroed */

static void check_cpu(void)
{
	u32 cr0, eflags;
	u16 cs, ds, ss;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("pushf; pop %0" : "=r"(eflags));
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%ds, %0" : "=r"(ds));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	t_check((cr0 & 1) && !(cr0 & 0x80000000u), "mb-cpu-cr0", "CR0 0x%08x (want PE=1, PG=0)", cr0);
	t_check(!(eflags & (1u << 9)) && !(eflags & (1u << 17)), "mb-cpu-eflags",
		"EFLAGS 0x%08x (want IF=0, VM=0)", eflags);
	/* flat: a write through DS at a high address reads back through SS */
	big_bss[100] = 0x5A5AA5A5;
	t_check(*(volatile u32 *)((uintptr_t)&big_bss[100]) == 0x5A5AA5A5 && cs && ds && ss,
		"mb-cpu-segments", "cs 0x%x ds 0x%x ss 0x%x", cs, ds, ss);
	big_bss[100] = 0;
}

static void check_bss(void)
{
	u32 bad = 0;

	for (u32 i = 0; i < sizeof(big_bss) / 4; i++)
		if (big_bss[i])
			bad++;
	t_check(!bad, "mb-bss", "%u words of the BSS not zero", bad);
}

/* The map must hold both RAM regions as available and the ROM/VGA as reserved. */
static void check_mmap(const struct mb_info *mi)
{
	int low = 0, high = 0, rom = 0, vga = 0, n = 0, wrong = 0;

	for (const struct mb_mmap_entry *e = mb_mmap_next(mi, NULL); e; e = mb_mmap_next(mi, e)) {
		n++;
		t_printf("mmap 0x%08llx len 0x%08llx type %u\n", e->base_addr, e->length, e->type);
		if (e->base_addr == 0 && e->length == 0xA0000 && e->type == 1)
			low = 1;
		else if (e->base_addr == 0x100000 && e->length == RAM_BYTES - 0x100000 && e->type == 1)
			high = 1;
		else if (e->base_addr == 0xF0000 && e->length == 0x10000 && e->type == 2)
			rom = 1;
		else if (e->base_addr == 0xB8000 && e->length == 0x8000 && e->type == 2)
			vga = 1;
		else if (e->type == 1)
			wrong++;	/* no other RAM in this guest */
	}
	t_check(low && high && rom && vga && !wrong, "mb-mmap",
		"%d entries: low RAM %d, high RAM %d, ROM %d, VGA %d, other RAM %d", n, low, high, rom,
		vga, wrong);
}

static void check_module(const struct mb_module *m, int i, const char *want, const char *name)
{
	u32 len = t_strlen(want);
	const char *s = (const char *)(uintptr_t)m->string;

	t_check(!(m->mod_start & 0xFFF) && m->mod_end - m->mod_start == len &&
		!t_memcmp((const void *)(uintptr_t)m->mod_start, want, len) &&
		m->mod_start >= 0x100000 && m->mod_end <= RAM_BYTES &&
		s && !t_strcmp(s, mod_strings[i]),
		name, "module %d at 0x%x-0x%x, string '%s'", i, m->mod_start, m->mod_end, s ? s : "");
}

int t_main(u32 magic, const struct mb_info *mi)
{
	extern char _start[];
	u32 want = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP | MB_INFO_LOADER_NAME;

	t_printf("magic 0x%08x info %p\n", magic, mi);
	if (!t_check(magic == MB_BOOT_MAGIC, "mb-magic", "EAX 0x%08x", magic))
		return t_failures;
	check_cpu();
	check_bss();
	t_check((mi->flags & want) == want, "mb-flags", "flags 0x%08x (want 0x%08x)", mi->flags, want);
	t_check(mi->mem_lower == 640 && mi->mem_upper == (RAM_BYTES >> 10) - 1024, "mb-mem",
		"mem_lower %u mem_upper %u KiB", mi->mem_lower, mi->mem_upper);
	check_mmap(mi);
	t_check(mi->cmdline && !t_strcmp((const char *)(uintptr_t)mi->cmdline, CMDLINE), "mb-cmdline",
		"'%s'", mi->cmdline ? (const char *)(uintptr_t)mi->cmdline : "");
	t_check(mi->boot_loader_name &&
		!t_strcmp((const char *)(uintptr_t)mi->boot_loader_name, "xvisor-x86"),
		"mb-loader-name", "flags 0x%x", mi->flags);
	if (t_check(mi->mods_count == 2, "mb-mods-count", "%u modules", mi->mods_count)) {
		const struct mb_module *m = (const struct mb_module *)(uintptr_t)mi->mods_addr;

		check_module(&m[0], 0, mod1_text, "mb-mod1");
		check_module(&m[1], 1, mod2_text, "mb-mod2");
		t_check(m[1].mod_start >= m[0].mod_end && m[0].mod_start > (u32)(uintptr_t)_start,
			"mb-mods-placed", "mod1 0x%x mod2 0x%x kernel 0x%x", m[0].mod_start,
			m[1].mod_start, (u32)(uintptr_t)_start);
	}
	t_check((u32)(uintptr_t)mi >= 0x100000 && (u32)(uintptr_t)mi < RAM_BYTES, "mb-info-place",
		"info at %p", mi);
	t_printf("%d failures\n", t_failures);
	return t_failures;
}
