/*
 * kernel/host_mem.c - host RAM accounting and the global page allocator.
 */
#include <string.h>
#include "kernel/host_mem.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"

static struct vmm_buddy host_buddy;
static struct vmm_phys_range host_reserved[VMM_MAX_RESERVED];
static u32 nr_host_reserved;
static vmm_spinlock_t host_buddy_lock = VMM_SPINLOCK_INIT;

/* Insert [s,e) into the sorted, non-overlapping list 'out'. */
static int push_range(struct vmm_phys_range *out, u32 *n, u32 max, u64 s, u64 e)
{
	u32 i;

	if (e <= s)
		return VMM_OK;
	if (*n >= max)
		return -VMM_ENOSPC;
	for (i = *n; i > 0 && out[i - 1].start > s; i--)
		out[i] = out[i - 1];
	out[i].start = s;
	out[i].end = e;
	out[i].what = "free";
	(*n)++;
	return VMM_OK;
}

/* Remove [rs,re) (widened to whole pages) from every range in 'out'. */
static int subtract_range(struct vmm_phys_range *out, u32 *n, u32 max, u64 rs, u64 re)
{
	rs = ALIGN_DOWN(rs, PAGE_SIZE);
	re = ALIGN_UP(re, PAGE_SIZE);
	for (u32 i = 0; i < *n; ) {
		u64 s = out[i].start, e = out[i].end;

		if (re <= s || rs >= e) {
			i++;
			continue;
		}
		memmove(&out[i], &out[i + 1], (*n - i - 1) * sizeof(*out));
		(*n)--;
		if (push_range(out, n, max, s, MIN(rs, e)) ||
		    push_range(out, n, max, MAX(re, s), e))
			return -VMM_ENOSPC;
		i = 0;	/* the list was re-sorted: start over */
	}
	return VMM_OK;
}

int vmm_host_mem_free_ranges(const struct vmm_boot_info *bi,
			     const struct vmm_phys_range *resv, u32 nr_resv,
			     struct vmm_phys_range *out, u32 max_out)
{
	u32 n = 0;

	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct vmm_mem_range *m = &bi->mem[i];

		u64 s = ALIGN_UP(m->base, PAGE_SIZE);
		u64 e = ALIGN_DOWN(m->base + m->length, PAGE_SIZE);

		if (m->type != VMM_MEM_USABLE || e <= s)
			continue;
		/* overlapping usable entries must not hand out a page twice */
		if (subtract_range(out, &n, max_out, s, e) ||
		    push_range(out, &n, max_out, s, e))
			return -VMM_ENOSPC;
	}
	/* a range the map also calls reserved is never handed out */
	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct vmm_mem_range *m = &bi->mem[i];

		if (m->type != VMM_MEM_USABLE &&
		    subtract_range(out, &n, max_out, m->base, m->base + m->length))
			return -VMM_ENOSPC;
	}
	for (u32 r = 0; r < nr_resv; r++)
		if (subtract_range(out, &n, max_out, resv[r].start, resv[r].end))
			return -VMM_ENOSPC;
	return (int)n;
}

int vmm_host_mem_init(const struct vmm_boot_info *bi,
		      const struct vmm_phys_range *resv, u32 nr_resv)
{
	struct vmm_phys_range ranges[VMM_BUDDY_MAX_ZONES];
	int n = vmm_host_mem_free_ranges(bi, resv, nr_resv, ranges, ARRAY_SIZE(ranges));

	if (n < 0) {
		vmm_err("mem: too many free RAM ranges for the allocator\n");
		return n;
	}
	nr_host_reserved = MIN(nr_resv, (u32)VMM_MAX_RESERVED);
	if (nr_host_reserved)	/* resv may be NULL when there are none */
		memcpy(host_reserved, resv, nr_host_reserved * sizeof(*resv));
	vmm_buddy_init(&host_buddy);
	for (int i = 0; i < n; i++) {
		int rc = vmm_buddy_add_range(&host_buddy, ranges[i].start, ranges[i].end);

		if (rc)
			return rc;
	}
	if (!host_buddy.total_pages) {
		vmm_err("mem: no free RAM left for the page allocator\n");
		return -VMM_ENOMEM;
	}
	return VMM_OK;
}

physical_addr_t vmm_host_page_alloc(unsigned int order)
{
	unsigned long flags = vmm_spin_lock_irqsave(&host_buddy_lock);
	physical_addr_t pa = vmm_buddy_alloc(&host_buddy, order);

	vmm_spin_unlock_irqrestore(&host_buddy_lock, flags);
	if (!pa)
		vmm_err("mem: out of host memory allocating %llu KiB (order %u); %llu KiB free\n",
			(unsigned long long)((PAGE_SIZE << order) / KiB), order,
			(unsigned long long)(host_buddy.free_pages * PAGE_SIZE / KiB));
	return pa;
}

int vmm_host_page_free(physical_addr_t pa)
{
	unsigned long flags = vmm_spin_lock_irqsave(&host_buddy_lock);
	int rc = vmm_buddy_free(&host_buddy, pa);

	vmm_spin_unlock_irqrestore(&host_buddy_lock, flags);
	return rc;
}

struct vmm_buddy *vmm_host_buddy(void)
{
	return &host_buddy;
}

u64 vmm_host_ram_top(const struct vmm_boot_info *bi)
{
	u64 top = 0;

	for (u32 i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type != VMM_MEM_RESERVED && bi->mem[i].type != VMM_MEM_BAD)
			top = MAX(top, bi->mem[i].base + bi->mem[i].length);
	return top;
}

int vmm_host_mem_claim(u64 start, u64 end)
{
	unsigned long flags = vmm_spin_lock_irqsave(&host_buddy_lock);
	int rc = vmm_buddy_claim(&host_buddy, start, end);

	vmm_spin_unlock_irqrestore(&host_buddy_lock, flags);
	return rc;
}

const struct vmm_phys_range *vmm_host_mem_reserved(u32 *count)
{
	*count = nr_host_reserved;
	return host_reserved;
}
