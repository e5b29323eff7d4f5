/*
 * kernel/cmd_heap.c - the "heap" command: "heap info" reports the kernel
 * heap (live objects, bytes, pages it holds from the page allocator).
 */
#include <string.h>
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/heap.h"

/* "heap info": one line on the kernel heap. */
static int cmd_heap(int argc, char **argv)
{
	struct vmm_heap *h = vmm_kernel_heap();

	if (argc != 2 || strcmp(argv[1], "info")) {
		vmm_printk(VMM_LOG_EMERG, "usage: heap info\n");
		return -VMM_EINVALID;
	}
	vmm_printk(VMM_LOG_EMERG, "heap: %llu objects, %llu bytes in use, %llu pages held (%llu KiB)\n",
		   (unsigned long long)h->objects_in_use, (unsigned long long)h->bytes_in_use,
		   (unsigned long long)h->pages_taken,
		   (unsigned long long)(h->pages_taken * PAGE_SIZE / KiB));
	return VMM_OK;
}

VMM_CMD(heap, "heap info", "kernel heap usage", cmd_heap);
