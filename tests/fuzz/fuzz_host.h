/*
 * tests/fuzz/fuzz_host.h - the host side of the kernel contracts that the
 * device harnesses (fuzz_devemu.c, fuzz_devices.c) share: no interrupts, a
 * spinning lock is a bug (one thread), no RAM and no boot modules. Each
 * harness defines arch_console_write() itself. Include once, in one file.
 */
#ifndef TESTS_FUZZ_FUZZ_HOST_H
#define TESTS_FUZZ_FUZZ_HOST_H

#include <stdlib.h>
#include <string.h>
#include "kernel/arch_console.h"
#include "kernel/arch_cpu.h"
#include "kernel/host_mem.h"
#include "kernel/boot_info.h"
#include "kernel/error.h"

void arch_console_flush(void)
{
}

void arch_console_sync(void)
{
}

int arch_console_tx_start(void)
{
	return -VMM_ENOTAVAIL;
}

unsigned long arch_cpu_irq_save(void)
{
	return 0;
}

void arch_cpu_irq_restore(unsigned long flags)
{
	(void)flags;
}

bool arch_cpu_irq_enabled(void)
{
	return false;	/* like a trap handler: nothing yields here */
}

void arch_cpu_relax(void)
{
	abort();	/* single-threaded: a held lock is a bug */
}

/* One host CPU: every timer list is CPU0's, nobody to kick. */
unsigned int arch_cpu_id(void)
{
	return 0;
}

void arch_cpu_kick(unsigned int cpu)
{
	if (cpu != 0)
		abort();	/* a VCPU on a CPU that does not exist */
}

/* No RAM regions and no images here. */
physical_addr_t vmm_host_page_alloc(unsigned int order)
{
	(void)order;
	return 0;
}

int vmm_host_page_free(physical_addr_t pa)
{
	(void)pa;
	return -VMM_EINVALID;
}

const struct vmm_boot_module *vmm_boot_module_find(const char *name)
{
	(void)name;
	return NULL;
}

/*
 * What devemu/lapic.c needs of the arch, the scheduler and kernel/
 * vcpu_sipi.c: the fuzzers' guests have no "x86,local-apic" region, so
 * none of these is reached (a call aborts the run: that would be a bug).
 */
u64 arch_vcpu_tsc(struct vmm_vcpu *v)
{
	(void)v;
	abort();
}

u64 arch_vcpu_tsc_hz(void)
{
	abort();
}

struct vmm_vcpu *vmm_scheduler_current(void)
{
	abort();
}

void vmm_vcpu_irq_init_signal(struct vmm_vcpu *v)
{
	(void)v;
	abort();
}

bool vmm_vcpu_irq_startup(struct vmm_vcpu *v, u8 vector)
{
	(void)v;
	(void)vector;
	abort();
}

#ifdef UNIT_NEED_STRLCPY
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}
#endif

#endif
