/*
 * kernel/heap.h - the kernel heap: vmm_malloc(), vmm_zalloc(), vmm_free().
 *
 * Small objects come from power-of-two size classes carved out of pages;
 * large ones are whole buddy blocks. Every object carries a header, so
 * vmm_free() refuses pointers it did not hand out and double frees, with a
 * message, instead of corrupting memory. Running out of memory returns NULL
 * and prints what could not be allocated.
 */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include "kernel/types.h"
#include "kernel/spinlock.h"

#define VMM_HEAP_CLASSES 8	/* 32 .. 4096 bytes including the header */

struct vmm_heap_chunk;

struct vmm_heap {
	/* page source: returns a physical (= identity-mapped) address or 0 */
	physical_addr_t (*page_alloc)(unsigned int order);
	int (*page_free)(physical_addr_t pa);
	struct vmm_heap_chunk *free[VMM_HEAP_CLASSES];
	u64 bytes_in_use;	/* requested bytes of live objects */
	u64 objects_in_use;
	u64 pages_taken;	/* pages currently held from the page source */
	vmm_spinlock_t lock;
};

void vmm_heap_init(struct vmm_heap *h, physical_addr_t (*page_alloc)(unsigned int),
		   int (*page_free)(physical_addr_t));
void *vmm_heap_alloc(struct vmm_heap *h, size_t size);
int vmm_heap_free(struct vmm_heap *h, void *ptr);

/* The kernel's heap, backed by the host page allocator. */
void vmm_heap_setup(void);
void *vmm_malloc(size_t size);
void *vmm_zalloc(size_t size);
void vmm_free(void *ptr);
struct vmm_heap *vmm_kernel_heap(void);

#endif
