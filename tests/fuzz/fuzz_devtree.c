/*
 * tests/fuzz/fuzz_devtree.c - libFuzzer harness for the configuration path:
 * input bytes -> vmm_devtree_unflatten() (kernel/devtree_fdt.c) ->
 * vmm_config_validate() (kernel/guest_config.c) against a fake host, then the
 * printers, then everything is freed so LeakSanitizer checks the frees.
 * Built by tests/fuzz/fuzz.mk with ASan and UBSan; the kernel's heap is
 * replaced by malloc so every object is checked on its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/devtree_fdt.h"
#include "kernel/guest_config.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_console.h"
#include "kernel/arch_cpu.h"

/* ---- the host contracts the code above needs ---- */

void *vmm_malloc(size_t size)
{
	return malloc(size ? size : 1);
}

void *vmm_zalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void vmm_free(void *ptr)
{
	free(ptr);
}

/* The console output is formatted (vsprintf runs) and dropped. */
void arch_console_write(const char *s, size_t n)
{
	(void)s;
	(void)n;
}

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

void arch_cpu_relax(void)
{
	abort();	/* single-threaded: a held lock is a bug */
}

/* One CPU (the console writer keeps unfinished lines per CPU). */
unsigned int arch_cpu_id(void)
{
	return 0;
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

/* ---- a fake host: 256 MiB of RAM with the hypervisor in the low 4 MiB ---- */

static const struct vmm_phys_range host_ram[] = {
	{ 0x0, 0x9F000, "RAM" },
	{ 0x100000, 0x10000000, "RAM" },
};
static const struct vmm_phys_range host_used[] = {
	{ 0x0, 0x100000, "low memory" },
	{ 0x100000, 0x400000, "kernel image" },
	{ 0x8000000, 0x8100000, "modules" },
};

/* Claims of ranges with bit 24 set fail, so both outcomes are reached. */
static int fake_claim(u64 start, u64 end)
{
	if (start >= end)
		abort();	/* the validator must never ask for an empty range */
	return (start & (1ULL << 24)) ? -VMM_EBUSY : VMM_OK;
}

static const struct vmm_host_view host = {
	.ram = host_ram,
	.nr_ram = 2,
	.used = host_used,
	.nr_used = 3,
	.free_bytes = 200ULL << 20,
	.claim = fake_claim,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmm_problems problems;
	struct vmm_devtree_node *root;
	struct vmm_config cfg;

	vmm_printk_set_level(VMM_LOG_DEBUG);	/* format every message */
	vmm_problems_init(&problems);
	root = vmm_devtree_unflatten(data, size, &problems);
	if (root) {
		if (vmm_config_validate(root, &problems, &host, &cfg) == VMM_OK) {
			vmm_config_print_summary(&cfg, VMM_LOG_INFO);
			/* every accepted guest was built from nodes of this tree */
			for (u32 i = 0; i < cfg.nr_guests; i++)
				if (!vmm_config_uses_node(&cfg, cfg.guests[i].node))
					abort();
		}
		vmm_devtree_print(root, 0);
		vmm_config_free(&cfg);
		vmm_devtree_node_free(root);
	}
	vmm_problems_free(&problems);
	return 0;
}
