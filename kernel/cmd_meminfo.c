/*
 * kernel/cmd_meminfo.c - the "meminfo" command: host pages, heap, and the
 * leak-check line of guest destroy.
 */
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/host_mem.h"
#include "kernel/heap.h"
#include "kernel/vserial.h"

/*
 * Host memory and heap. The last line is the leak check of guest destroy:
 * the pages in use that the heap does not hold (its small-object pages stay
 * with it after a free, so "KiB free" alone drops once without a leak), the
 * live heap objects and the vserial endpoints; after destroying a guest it
 * reads as before the guest was created.
 */
static int cmd_meminfo(int argc __unused, char **argv __unused)
{
	struct vmm_buddy *b = vmm_host_buddy();
	struct vmm_heap *h = vmm_kernel_heap();
	u64 used = b->total_pages - b->free_pages;

	/* one printk: another CPU's output never splits the report */
	vmm_printk(VMM_LOG_EMERG, "pages: %llu KiB managed, %llu KiB free, %u zones\n"
		   "heap: %llu objects, %llu bytes in use, %llu pages held\n"
		   "in use: %llu pages outside the heap, %llu heap objects, %u vserial endpoints\n",
		   (unsigned long long)(b->total_pages * PAGE_SIZE / KiB),
		   (unsigned long long)(b->free_pages * PAGE_SIZE / KiB), b->nr_zones,
		   (unsigned long long)h->objects_in_use,
		   (unsigned long long)h->bytes_in_use, (unsigned long long)h->pages_taken,
		   (unsigned long long)(used > h->pages_taken ? used - h->pages_taken : 0),
		   (unsigned long long)h->objects_in_use, vmm_vserial_count());
	return VMM_OK;
}

VMM_CMD(meminfo, "meminfo", "host page allocator and heap usage", cmd_meminfo);
