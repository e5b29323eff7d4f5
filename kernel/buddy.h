/*
 * kernel/buddy.h - buddy allocator of host physical pages.
 *
 * Blocks are 2^order pages, naturally aligned in physical address space (so
 * a 2 MiB block is 2 MiB aligned and can back a large EPT page). Each zone is
 * one contiguous range of usable RAM; its first pages hold one state byte per
 * page, which lets free() refuse a pointer that is not an allocated block
 * (double free, stray pointer) instead of corrupting the lists.
 * The kernel runs identity-mapped, so a physical address is also a pointer.
 */
#ifndef KERNEL_BUDDY_H
#define KERNEL_BUDDY_H

#include "kernel/types.h"

#define VMM_BUDDY_MAX_ORDER 18	/* 2^18 pages = 1 GiB */
#define VMM_BUDDY_ORDERS (VMM_BUDDY_MAX_ORDER + 1)
#define VMM_BUDDY_MAX_ZONES 32

struct vmm_buddy_block;

struct vmm_buddy_zone {
	physical_addr_t base;	/* first managed page */
	physical_addr_t end;	/* end of managed pages (exclusive) */
	u8 *meta;		/* one state byte per managed page */
	struct vmm_buddy_block *free[VMM_BUDDY_ORDERS];
	u64 free_pages;
};

struct vmm_buddy {
	u32 nr_zones;
	struct vmm_buddy_zone zones[VMM_BUDDY_MAX_ZONES];
	u64 total_pages;	/* managed pages (without state bytes) */
	u64 free_pages;
	u64 meta_pages;		/* pages used for state bytes */
};

void vmm_buddy_init(struct vmm_buddy *b);
/* Hand [start, end) over to the allocator; returns 0 or a negative VMM_E*. */
int vmm_buddy_add_range(struct vmm_buddy *b, physical_addr_t start, physical_addr_t end);
/* Allocate 2^order pages; returns the physical address or 0 when out of memory. */
physical_addr_t vmm_buddy_alloc(struct vmm_buddy *b, unsigned int order);
/* Free a block returned by vmm_buddy_alloc(); refuses anything else. */
int vmm_buddy_free(struct vmm_buddy *b, physical_addr_t addr);
/*
 * Take the exact range [start, end) (page-aligned) out of the free lists, as
 * allocated blocks that vmm_buddy_free() can return one by one. Fails with
 * -VMM_EBUSY, changing nothing, if any page is not free.
 */
int vmm_buddy_claim(struct vmm_buddy *b, physical_addr_t start, physical_addr_t end);
/* Order of an allocated block, or a negative VMM_E* if addr is not one. */
int vmm_buddy_block_order(struct vmm_buddy *b, physical_addr_t addr);
/* Number of free blocks of the given order (statistics and tests). */
u64 vmm_buddy_free_blocks(struct vmm_buddy *b, unsigned int order);

/* Smallest order whose block holds 'bytes'. */
unsigned int vmm_buddy_order_for(u64 bytes);

#endif
