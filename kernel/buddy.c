/*
 * kernel/buddy.c - the buddy allocator of host physical pages (see buddy.h).
 */
#include <string.h>
#include "kernel/buddy.h"
#include "kernel/printk.h"
#include "kernel/error.h"

struct vmm_buddy_block {
	struct vmm_buddy_block *next, *prev;
};

/* per-page state byte */
#define META_TAIL 0x00		/* inside a block, not its first page */
#define META_FREE 0x80		/* first page of a free block | order */
#define META_USED 0x40		/* first page of an allocated block | order */
#define META_ORDER(m) ((m) & 0x1F)

#define BLOCK_BYTES(order) (PAGE_SIZE << (order))

static inline struct vmm_buddy_block *to_block(physical_addr_t pa)
{
	return (struct vmm_buddy_block *)(uintptr_t)pa;
}

static inline physical_addr_t to_pa(struct vmm_buddy_block *blk)
{
	return (physical_addr_t)(uintptr_t)blk;
}

static inline u64 page_index(struct vmm_buddy_zone *z, physical_addr_t pa)
{
	return (pa - z->base) >> PAGE_SHIFT;
}

static void list_push(struct vmm_buddy_zone *z, physical_addr_t pa, unsigned int order)
{
	struct vmm_buddy_block *blk = to_block(pa);

	blk->prev = NULL;
	blk->next = z->free[order];
	if (blk->next)
		blk->next->prev = blk;
	z->free[order] = blk;
	z->meta[page_index(z, pa)] = META_FREE | order;
}

static void list_remove(struct vmm_buddy_zone *z, physical_addr_t pa, unsigned int order)
{
	struct vmm_buddy_block *blk = to_block(pa);

	if (blk->prev)
		blk->prev->next = blk->next;
	else
		z->free[order] = blk->next;
	if (blk->next)
		blk->next->prev = blk->prev;
	z->meta[page_index(z, pa)] = META_TAIL;
}

void vmm_buddy_init(struct vmm_buddy *b)
{
	memset(b, 0, sizeof(*b));
}

unsigned int vmm_buddy_order_for(u64 bytes)
{
	unsigned int order = 0;

	while (order < 63 && BLOCK_BYTES(order) < bytes)
		order++;
	return order;
}

int vmm_buddy_add_range(struct vmm_buddy *b, physical_addr_t start, physical_addr_t end)
{
	struct vmm_buddy_zone *z;
	u64 npages, meta_pages;
	physical_addr_t pa;

	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (end <= start || end - start < 2 * PAGE_SIZE)
		return VMM_OK;	/* too small to be worth a zone */
	if (b->nr_zones >= VMM_BUDDY_MAX_ZONES) {
		vmm_err("buddy: more than %u RAM ranges; 0x%llx-0x%llx not used\n",
			VMM_BUDDY_MAX_ZONES, (unsigned long long)start,
			(unsigned long long)end);
		return -VMM_ENOSPC;
	}
	npages = (end - start) >> PAGE_SHIFT;
	meta_pages = (npages + PAGE_SIZE - 1) >> PAGE_SHIFT;

	z = &b->zones[b->nr_zones++];
	memset(z, 0, sizeof(*z));
	z->meta = (u8 *)(uintptr_t)start;
	z->base = start + (meta_pages << PAGE_SHIFT);
	z->end = end;
	memset(z->meta, META_TAIL, npages - meta_pages);
	b->meta_pages += meta_pages;

	/* carve the range into the largest naturally aligned blocks */
	for (pa = z->base; pa < z->end; ) {
		unsigned int order = VMM_BUDDY_MAX_ORDER;

		while (order && (!IS_ALIGNED(pa, BLOCK_BYTES(order)) ||
				 pa + BLOCK_BYTES(order) > z->end))
			order--;
		list_push(z, pa, order);
		z->free_pages += 1ULL << order;
		pa += BLOCK_BYTES(order);
	}
	b->total_pages += z->free_pages;
	b->free_pages += z->free_pages;
	return VMM_OK;
}

physical_addr_t vmm_buddy_alloc(struct vmm_buddy *b, unsigned int order)
{
	if (order > VMM_BUDDY_MAX_ORDER)
		return 0;
	for (u32 i = 0; i < b->nr_zones; i++) {
		struct vmm_buddy_zone *z = &b->zones[i];
		unsigned int o = order;
		physical_addr_t pa;

		while (o <= VMM_BUDDY_MAX_ORDER && !z->free[o])
			o++;
		if (o > VMM_BUDDY_MAX_ORDER)
			continue;
		pa = to_pa(z->free[o]);
		list_remove(z, pa, o);
		while (o > order) {	/* split, keeping the lower half */
			o--;
			list_push(z, pa + BLOCK_BYTES(o), o);
		}
		z->meta[page_index(z, pa)] = META_USED | order;
		z->free_pages -= 1ULL << order;
		b->free_pages -= 1ULL << order;
		return pa;
	}
	return 0;
}

static struct vmm_buddy_zone *zone_of(struct vmm_buddy *b, physical_addr_t pa)
{
	for (u32 i = 0; i < b->nr_zones; i++)
		if (pa >= b->zones[i].base && pa < b->zones[i].end)
			return &b->zones[i];
	return NULL;
}

int vmm_buddy_block_order(struct vmm_buddy *b, physical_addr_t pa)
{
	struct vmm_buddy_zone *z = zone_of(b, pa);
	u8 m;

	if (!z || !IS_ALIGNED(pa, PAGE_SIZE))
		return -VMM_EFAULT;
	m = z->meta[page_index(z, pa)];
	if (!(m & META_USED))
		return -VMM_EINVALID;
	return META_ORDER(m);
}

int vmm_buddy_free(struct vmm_buddy *b, physical_addr_t pa)
{
	struct vmm_buddy_zone *z = zone_of(b, pa);
	unsigned int order;
	int rc = vmm_buddy_block_order(b, pa);

	if (rc < 0) {
		vmm_err("buddy: free of 0x%llx refused: %s\n", (unsigned long long)pa,
			rc == -VMM_EFAULT ? "not a page of allocatable RAM"
					  : "not an allocated block (freed twice?)");
		return rc;
	}
	order = rc;
	z->meta[page_index(z, pa)] = META_TAIL;
	z->free_pages += 1ULL << order;
	b->free_pages += 1ULL << order;
	while (order < VMM_BUDDY_MAX_ORDER) {
		physical_addr_t buddy = pa ^ BLOCK_BYTES(order);

		if (buddy < z->base || buddy + BLOCK_BYTES(order) > z->end ||
		    z->meta[page_index(z, buddy)] != (META_FREE | order))
			break;
		list_remove(z, buddy, order);
		pa = MIN(pa, buddy);
		order++;
	}
	list_push(z, pa, order);
	return VMM_OK;
}

u64 vmm_buddy_free_blocks(struct vmm_buddy *b, unsigned int order)
{
	u64 n = 0;

	if (order > VMM_BUDDY_MAX_ORDER)
		return 0;
	for (u32 i = 0; i < b->nr_zones; i++)
		for (struct vmm_buddy_block *blk = b->zones[i].free[order]; blk; blk = blk->next)
			n++;
	return n;
}

/* Find the free block containing page pa: returns its head, order in *order. */
static bool free_block_of(struct vmm_buddy_zone *z, physical_addr_t pa, unsigned int *order)
{
	for (unsigned int o = 0; o <= VMM_BUDDY_MAX_ORDER; o++) {
		physical_addr_t head = ALIGN_DOWN(pa, BLOCK_BYTES(o));

		if (head < z->base || head + BLOCK_BYTES(o) > z->end)
			continue;
		if (z->meta[page_index(z, head)] == (META_FREE | o)) {
			*order = o;
			return true;
		}
	}
	return false;
}

int vmm_buddy_claim(struct vmm_buddy *b, physical_addr_t start, physical_addr_t end)
{
	struct vmm_buddy_zone *z = zone_of(b, start);
	physical_addr_t pa;
	unsigned int o;

	if (!IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) || end <= start)
		return -VMM_EINVALID;
	if (!z || end > z->end)
		return -VMM_EFAULT;
	/* first make sure every page is free, so a failure changes nothing */
	for (pa = start; pa < end; pa += PAGE_SIZE)
		if (!free_block_of(z, pa, &o))
			return -VMM_EBUSY;
	for (pa = start; pa < end; ) {
		physical_addr_t head;

		free_block_of(z, pa, &o);
		head = ALIGN_DOWN(pa, BLOCK_BYTES(o));
		list_remove(z, head, o);
		/* split until the block starts at pa and fits in the range */
		while (head != pa || head + BLOCK_BYTES(o) > end) {
			o--;
			if (pa >= head + BLOCK_BYTES(o)) {
				list_push(z, head, o);
				head += BLOCK_BYTES(o);
			} else {
				list_push(z, head + BLOCK_BYTES(o), o);
			}
		}
		z->meta[page_index(z, pa)] = META_USED | o;
		z->free_pages -= 1ULL << o;
		b->free_pages -= 1ULL << o;
		pa += BLOCK_BYTES(o);
	}
	return VMM_OK;
}
