/*
 * kernel/host_mem.h - the host's physical memory: which RAM the hypervisor
 * may allocate (usable ranges minus the kernel image, the boot information
 * and the modules) and the page allocator over it.
 */
#ifndef KERNEL_HOST_MEM_H
#define KERNEL_HOST_MEM_H

#include "kernel/types.h"
#include "kernel/multiboot.h"
#include "kernel/buddy.h"

struct vmm_phys_range {
	u64 start, end;	/* [start, end) */
	const char *what;
};

#define VMM_MAX_RESERVED 40

/*
 * Compute the free RAM ranges: every usable range of 'bi', clipped to page
 * boundaries, minus every range in 'resv'. Writes at most 'max_out' ranges
 * to 'out' (sorted by address) and returns how many, or -VMM_ENOSPC.
 */
int vmm_host_mem_free_ranges(const struct vmm_boot_info *bi,
			     const struct vmm_phys_range *resv, u32 nr_resv,
			     struct vmm_phys_range *out, u32 max_out);

/* Set up the page allocator from the boot information. */
int vmm_host_mem_init(const struct vmm_boot_info *bi,
		      const struct vmm_phys_range *resv, u32 nr_resv);

physical_addr_t vmm_host_page_alloc(unsigned int order);
int vmm_host_page_free(physical_addr_t pa);
struct vmm_buddy *vmm_host_buddy(void);
/* Take a fixed host range (a guest's host_physical_addr RAM) from the allocator. */
int vmm_host_mem_claim(u64 start, u64 end);
/* The reserved ranges given to vmm_host_mem_init() (kernel, modules, ...). */
const struct vmm_phys_range *vmm_host_mem_reserved(u32 *count);
/* Highest end address of any RAM range (usable or not) in the boot map. */
u64 vmm_host_ram_top(const struct vmm_boot_info *bi);

#endif
