/*
 * kernel/heap.c - the kernel heap (see heap.h).
 */
#include <string.h>
#include "kernel/heap.h"
#include "kernel/host_mem.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define HEAP_MAGIC_USED 0x48454150u	/* "HEAP" */
#define HEAP_MAGIC_FREE 0x46524545u	/* "FREE" */
#define HEAP_MIN_SHIFT 5		/* 32-byte class */
#define HEAP_LARGE 0xFFu

struct vmm_heap_hdr {
	u32 magic;
	u8 class_idx;	/* size class, or HEAP_LARGE with order below */
	u8 order;
	u16 pad;
	u64 size;	/* bytes the caller asked for */
};

struct vmm_heap_chunk {
	struct vmm_heap_hdr hdr;
	struct vmm_heap_chunk *next;
};

_Static_assert(sizeof(struct vmm_heap_hdr) == 16, "heap header keeps 16-byte alignment");

void vmm_heap_init(struct vmm_heap *h, physical_addr_t (*page_alloc)(unsigned int),
		   int (*page_free)(physical_addr_t))
{
	memset(h, 0, sizeof(*h));
	h->page_alloc = page_alloc;
	h->page_free = page_free;
}

static int class_for(size_t total)
{
	for (int c = 0; c < VMM_HEAP_CLASSES; c++)
		if (total <= (1ULL << (HEAP_MIN_SHIFT + c)))
			return c;
	return -1;
}

/* Carve a fresh page into chunks of class c. */
static int refill(struct vmm_heap *h, int c)
{
	size_t csize = 1ULL << (HEAP_MIN_SHIFT + c);
	physical_addr_t pa = h->page_alloc(0);

	if (!pa)
		return -VMM_ENOMEM;
	h->pages_taken++;
	for (size_t off = 0; off + csize <= PAGE_SIZE; off += csize) {
		struct vmm_heap_chunk *ch = (void *)(uintptr_t)(pa + off);

		ch->hdr.magic = HEAP_MAGIC_FREE;
		ch->hdr.class_idx = c;
		ch->next = h->free[c];
		h->free[c] = ch;
	}
	return VMM_OK;
}

void *vmm_heap_alloc(struct vmm_heap *h, size_t size)
{
	size_t total = size + sizeof(struct vmm_heap_hdr);
	struct vmm_heap_hdr *hdr;
	unsigned long flags;
	int c;

	if (size == 0 || total < size)
		return NULL;
	flags = vmm_spin_lock_irqsave(&h->lock);
	c = class_for(total);
	if (c >= 0) {
		if (!h->free[c] && refill(h, c)) {
			vmm_spin_unlock_irqrestore(&h->lock, flags);
			vmm_err("heap: out of memory allocating %zu bytes\n", size);
			return NULL;
		}
		hdr = &h->free[c]->hdr;
		h->free[c] = h->free[c]->next;
		hdr->class_idx = c;
		hdr->order = 0;
	} else {
		unsigned int order = 0;
		physical_addr_t pa;

		while (order < 40 && (PAGE_SIZE << order) < total)
			order++;
		pa = h->page_alloc(order);
		if (!pa) {
			vmm_spin_unlock_irqrestore(&h->lock, flags);
			vmm_err("heap: out of memory allocating %zu bytes\n", size);
			return NULL;
		}
		h->pages_taken += 1ULL << order;
		hdr = (void *)(uintptr_t)pa;
		hdr->class_idx = HEAP_LARGE;
		hdr->order = order;
	}
	hdr->magic = HEAP_MAGIC_USED;
	hdr->size = size;
	h->bytes_in_use += size;
	h->objects_in_use++;
	vmm_spin_unlock_irqrestore(&h->lock, flags);
	return hdr + 1;
}

int vmm_heap_free(struct vmm_heap *h, void *ptr)
{
	struct vmm_heap_hdr *hdr;
	unsigned long flags;

	if (!ptr)
		return VMM_OK;
	if (!IS_ALIGNED((uintptr_t)ptr, 16)) {
		vmm_err("heap: free of %p refused: not a heap pointer\n", ptr);
		return -VMM_EFAULT;
	}
	hdr = (struct vmm_heap_hdr *)ptr - 1;
	flags = vmm_spin_lock_irqsave(&h->lock);
	if (hdr->magic != HEAP_MAGIC_USED ||
	    (hdr->class_idx >= VMM_HEAP_CLASSES && hdr->class_idx != HEAP_LARGE)) {
		bool twice = hdr->magic == HEAP_MAGIC_FREE;

		vmm_spin_unlock_irqrestore(&h->lock, flags);
		vmm_err("heap: free of %p refused: %s\n", ptr,
			twice ? "already freed" : "not a heap pointer");
		return twice ? -VMM_EINVALID : -VMM_EFAULT;
	}
	h->bytes_in_use -= hdr->size;
	h->objects_in_use--;
	if (hdr->class_idx == HEAP_LARGE) {
		unsigned int order = hdr->order;

		hdr->magic = HEAP_MAGIC_FREE;
		h->pages_taken -= 1ULL << order;
		vmm_spin_unlock_irqrestore(&h->lock, flags);
		return h->page_free((physical_addr_t)(uintptr_t)hdr);
	} else {
		struct vmm_heap_chunk *ch = (struct vmm_heap_chunk *)hdr;

		hdr->magic = HEAP_MAGIC_FREE;
		ch->next = h->free[hdr->class_idx];
		h->free[hdr->class_idx] = ch;
	}
	vmm_spin_unlock_irqrestore(&h->lock, flags);
	return VMM_OK;
}

static struct vmm_heap kernel_heap;

void vmm_heap_setup(void)
{
	vmm_heap_init(&kernel_heap, vmm_host_page_alloc, vmm_host_page_free);
}

struct vmm_heap *vmm_kernel_heap(void)
{
	return &kernel_heap;
}

void *vmm_malloc(size_t size)
{
	return vmm_heap_alloc(&kernel_heap, size);
}

void *vmm_zalloc(size_t size)
{
	void *p = vmm_heap_alloc(&kernel_heap, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void vmm_free(void *ptr)
{
	vmm_heap_free(&kernel_heap, ptr);
}
