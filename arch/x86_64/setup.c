/*
 * arch/x86_64/setup.c - bring-up of the bootstrap CPU, from the first C
 * instruction to the generic vmm_main(): console, descriptors, legacy PIC
 * masked, boot information parsed, memory handed to the allocator, host
 * page tables, ACPI; the AP trampoline page is chosen and reserved here,
 * before the allocator exists. Also the test-only fault provocation
 * (testfault=).
 */
#include <string.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/uart.h"
#include "arch/x86_64/console.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/setup.h"
#include "kernel/cmdline.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/smp.h"
#include "kernel/multiboot.h"
#include "kernel/host_mem.h"
#include "kernel/main.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/error.h"
#include "kernel/arch_cpu.h"

struct percpu percpu_bsp_area __attribute__((aligned(64)));
static struct vmm_boot_info boot_info;

extern char _kernel_start[], _kernel_end[];

/* Remap the 8259 pair to vectors 0x20-0x2F and mask every line. */
static void legacy_pic_mask(void)
{
	outb(0x20, 0x11); io_delay();
	outb(0xA0, 0x11); io_delay();
	outb(0x21, 0x20); io_delay();
	outb(0xA1, 0x28); io_delay();
	outb(0x21, 0x04); io_delay();
	outb(0xA1, 0x02); io_delay();
	outb(0x21, 0x01); io_delay();
	outb(0xA1, 0x01); io_delay();
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
}

/*
 * CR4.OSFXSR/OSXMMEXCPT and, when the CPU has XSAVE, CR4.OSXSAVE: the VCPU
 * switch saves and restores guests' x87/SSE/AVX/AVX-512 state with
 * XSAVE/XRSTOR (FXSAVE/FXRSTOR without XSAVE) and loads each guest's
 * checked XCR0 (arch/x86_64/vmx/vmx_xsave.c). The hypervisor itself never
 * uses FPU or vector registers (-mgeneral-regs-only).
 */
void arch_cpu_enable_fpu_state(void)
{
	u32 a, b, c, d;
	u64 cr4 = read_cr4() | X86_CR4_OSFXSR | (1UL << 10);

	cpuid(1, &a, &b, &c, &d);
	if (c & (1u << 26))
		cr4 |= X86_CR4_OSXSAVE;
	write_cr4(cr4);
	write_cr0(read_cr0() & ~((1UL << 2) | (1UL << 3)));	/* EM, TS off */
}

/* Multiboot(1) addresses are physical and must lie in the boot map (4 GiB). */
static void *mb1_phys_to_ptr(u64 addr, size_t len)
{
	if (!addr || addr + len < addr || addr + len > 4 * GiB)
		return NULL;
	return (void *)(uintptr_t)addr;
}

void vmm_boot_entry(u32 magic, u32 info);
void vmm_boot_entry(u32 magic, u32 info)
{
	struct percpu *pc = &percpu_bsp_area;
	struct vmm_phys_range resv[VMM_MAX_RESERVED];
	u32 nr = 0;
	u64 rsdp_bios, tramp;
	bool have_uart;
	int rc;

	pc->self = pc;
	pc->cpu_id = 0;
	have_uart = arch_uart_init();
	vmm_print_version();
	arch_idt_init();
	arch_desc_init_cpu(pc);
	legacy_pic_mask();
	arch_cpu_enable_fpu_state();
	rsdp_bios = acpi_find_rsdp_bios();	/* page 0 is still mapped */

	if (magic == MB2_BOOTLOADER_MAGIC)
		rc = vmm_multiboot2_parse((const void *)(uintptr_t)info,
					  VMM_BOOT_INFO_MAX, &boot_info);
	else
		rc = vmm_multiboot1_parse((const void *)(uintptr_t)info,
					  mb1_phys_to_ptr, &boot_info);
	if (rc) {
		vmm_emerg("boot: cannot use the boot information (%s)\n", vmm_strerror(rc));
		vmm_fatal_stop();
	}
	vmm_main_early_cmdline(&boot_info);

	resv[nr++] = (struct vmm_phys_range){ 0, 1 * MiB, "BIOS and real-mode area" };
	resv[nr++] = (struct vmm_phys_range){ (u64)(uintptr_t)_kernel_start,
					      (u64)(uintptr_t)_kernel_end, "kernel image" };
	resv[nr++] = (struct vmm_phys_range){ boot_info.info_start, boot_info.info_end,
					      "boot information" };
	/* inside the first MiB already; named so that it is never taken for anything else */
	tramp = smp_trampoline_pick(&boot_info);
	if (tramp)
		resv[nr++] = (struct vmm_phys_range){ tramp, tramp + PAGE_SIZE, "AP trampoline" };
	for (u32 i = 0; i < boot_info.nr_modules && nr < VMM_MAX_RESERVED; i++)
		resv[nr++] = (struct vmm_phys_range){ boot_info.modules[i].start,
						      boot_info.modules[i].end, "module" };
	rc = vmm_host_mem_init(&boot_info, resv, nr);
	if (rc) {
		vmm_emerg("boot: no memory for the hypervisor (%s)\n", vmm_strerror(rc));
		vmm_fatal_stop();
	}
	rc = arch_paging_init(&boot_info);
	if (rc) {
		vmm_emerg("boot: cannot build the host page tables (%s)\n", vmm_strerror(rc));
		vmm_fatal_stop();
	}
	console_screen_start(&boot_info);
	acpi_init(boot_info.rsdp_addr ? boot_info.rsdp_addr : rsdp_bios);
	/* the terminal's input: COM1, the keyboard (its interrupt from the terminal's start) */
	console_input_start(have_uart);
	vmm_info("lapic: %s mode\n", lapic_init_mode(vmm_cmdline_has(boot_info.cmdline, "x2apic")));
	arch_timer_init(boot_info.cmdline);
	vmm_main(&boot_info);
}

/* Deliberately raise a CPU exception (testfault= on the command line). */
int arch_test_fault(const char *kind)
{
	if (!strcmp(kind, "pf")) {
		volatile u64 *p = (volatile u64 *)(uintptr_t)0x0000007FDEAD0000ULL;

		return (int)*p;
	} else if (!strcmp(kind, "null")) {
		volatile u64 *p = NULL;

		return (int)*p;
	} else if (!strcmp(kind, "ud")) {
		__asm__ volatile("ud2");
	} else if (!strcmp(kind, "gp")) {
		/* a non-canonical address: #GP on every x86-64 CPU and emulator */
		volatile u64 *p = (volatile u64 *)(uintptr_t)0x8000000000000000ULL;

		return (int)*p;
	} else if (!strcmp(kind, "de")) {
		u32 zero = 0, q;

		__asm__ volatile("xor %%edx, %%edx\n\tdiv %2" : "=a"(q) : "a"(1), "r"(zero) : "rdx");
		return (int)q;
	} else if (!strcmp(kind, "bp")) {
		__asm__ volatile("int3");
	} else if (!strcmp(kind, "stack")) {
		volatile char buf[8];

		/* overrun a protected buffer: __stack_chk_fail must catch it */
		for (volatile int i = 0; i < 64; i++)
			buf[i] = 0x41;
		return buf[0];
	} else {
		return -VMM_EINVALID;
	}
	return VMM_OK;
}
