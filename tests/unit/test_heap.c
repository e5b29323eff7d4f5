/*
 * tests/unit/test_heap.c - the kernel heap (kernel/heap.c) with its pages
 * coming from a buddy allocator over a host buffer: sizes from 1 byte to
 * 64 KiB, 16-byte alignment, no overlap, NULL for size 0 and out of memory,
 * refusal of double frees and foreign pointers, large objects giving their
 * pages back, and the statistics. Also vmm_malloc/vmm_zalloc/vmm_free on
 * the kernel heap over the host page allocator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/heap.h"
#include "kernel/buddy.h"
#include "kernel/host_mem.h"
#include "kernel/error.h"

#define BUF_SIZE (8 * MiB)

static u8 *buf;
static struct vmm_buddy pages;		/* the heap's page source */
static struct vmm_heap heap;
static int page_alloc_calls, page_free_calls;
static unsigned int last_alloc_order;

static physical_addr_t test_page_alloc(unsigned int order)
{
	page_alloc_calls++;
	last_alloc_order = order;
	return vmm_buddy_alloc(&pages, order);
}

static int test_page_free(physical_addr_t pa)
{
	page_free_calls++;
	return vmm_buddy_free(&pages, pa);
}

/* A heap over 'npages' pages of the buffer (plus one for the buddy's state). */
static void heap_over_pages(u64 npages)
{
	vmm_buddy_init(&pages);
	assert_int_equal(vmm_buddy_add_range(&pages, (uintptr_t)buf,
					     (uintptr_t)buf + (npages + 1) * PAGE_SIZE), VMM_OK);
	assert_int_equal(pages.total_pages, npages);
	vmm_heap_init(&heap, test_page_alloc, test_page_free);
}

static int setup(void **state)
{
	(void)state;
	buf = aligned_alloc(4 * MiB, BUF_SIZE);
	if (!buf)
		return -1;
	memset(buf, 0, BUF_SIZE);
	page_alloc_calls = page_free_calls = 0;
	fake_arch_reset();
	heap_over_pages(1023);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(buf);
	buf = NULL;
	return 0;
}

static bool in_buffer(const void *p, size_t size)
{
	return (const u8 *)p >= buf && (const u8 *)p + size <= buf + BUF_SIZE;
}

struct obj {
	u8 *p;
	size_t size;
};

static int cmp_obj(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* Sizes 1..64 KiB: all class boundaries and then some. */
static size_t test_sizes(size_t *out, size_t max)
{
	size_t n = 0;

	for (size_t s = 1; s <= 300 && n < max; s++)
		out[n++] = s;
	for (unsigned int sh = 9; sh <= 16 && n + 3 <= max; sh++) {
		out[n++] = (1u << sh) - 17;
		out[n++] = (1u << sh) - 16;	/* exactly fills a class with its header */
		out[n++] = (1u << sh) - 15;
	}
	for (size_t s = 4096; s <= 65536 && n < max; s += 4093)
		out[n++] = s;
	if (n < max)
		out[n++] = 65536;
	return n;
}

static void test_sizes_alignment_no_overlap(void **state)
{
	size_t sizes[400];
	size_t n = test_sizes(sizes, ARRAY_SIZE(sizes));
	struct obj *objs = calloc(n, sizeof(*objs));
	u64 bytes = 0;

	(void)state;
	assert_non_null(objs);
	for (size_t i = 0; i < n; i++) {
		u8 *p = vmm_heap_alloc(&heap, sizes[i]);

		if (!p)
			fail_msg("allocation %zu of %zu bytes failed", i, sizes[i]);
		if ((uintptr_t)p % 16)
			fail_msg("%zu-byte object at %p is not 16-byte aligned", sizes[i], (void *)p);
		assert_true(in_buffer(p - 16, sizes[i] + 16));
		memset(p, (int)(i & 0xff) | 1, sizes[i]);
		objs[i].p = p;
		objs[i].size = sizes[i];
		bytes += sizes[i];
		assert_int_equal(heap.objects_in_use, i + 1);
		assert_int_equal(heap.bytes_in_use, bytes);
	}
	/* every object kept its contents: nobody else wrote into it */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < objs[i].size; k++)
			if (objs[i].p[k] != ((i & 0xff) | 1))
				fail_msg("object %zu (%zu bytes) overwritten at +%zu", i,
					 objs[i].size, k);
	/* no two objects (with their 16-byte headers) overlap */
	qsort(objs, n, sizeof(*objs), cmp_obj);
	for (size_t i = 1; i < n; i++)
		if (objs[i - 1].p + objs[i - 1].size > objs[i].p - 16)
			fail_msg("objects at %p (+%zu) and %p overlap", (void *)objs[i - 1].p,
				 objs[i - 1].size, (void *)objs[i].p);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vmm_heap_free(&heap, objs[i].p), VMM_OK);
	assert_int_equal(heap.objects_in_use, 0);
	assert_int_equal(heap.bytes_in_use, 0);
	assert_true(fake_irq_enabled());
	assert_int_equal(fake_console_len(), 0);	/* no complaints */
	free(objs);
}

static void test_zero_and_huge_size(void **state)
{
	u64 free_before = pages.free_pages;

	(void)state;
	assert_null(vmm_heap_alloc(&heap, 0));
	assert_null(vmm_heap_alloc(&heap, SIZE_MAX));		/* size + header wraps */
	assert_null(vmm_heap_alloc(&heap, SIZE_MAX - 8));
	assert_int_equal(heap.objects_in_use, 0);
	assert_int_equal(heap.bytes_in_use, 0);
	assert_int_equal(heap.pages_taken, 0);
	assert_int_equal(pages.free_pages, free_before);
	/* far more than the page source can give: NULL with a message */
	assert_null(vmm_heap_alloc(&heap, 1ULL << 40));
	assert_true(fake_console_contains("heap: out of memory allocating 1099511627776 bytes"));
	assert_int_equal(pages.free_pages, free_before);
	assert_true(fake_irq_enabled());
}

static void test_out_of_memory(void **state)
{
	void *p[64];
	int n = 0;

	(void)state;
	heap_over_pages(9);	/* carved as blocks of 1, 2, 4 and 2 pages */
	/* 8 KiB objects take 4 pages each (8 KiB + header -> order 2): one fits */
	while (n < 64 && (p[n] = vmm_heap_alloc(&heap, 8192)))
		n++;
	assert_int_equal(n, 1);
	assert_true(fake_console_contains("heap: out of memory allocating 8192 bytes"));
	assert_int_equal(heap.objects_in_use, 1);
	assert_int_equal(heap.bytes_in_use, 8192);
	assert_int_equal(heap.pages_taken, 4);
	/* the other 5 pages still serve small objects: 4096-byte chunks, one per page */
	while (n < 64 && (p[n] = vmm_heap_alloc(&heap, 3000)))
		n++;
	assert_int_equal(n, 6);
	assert_int_equal(pages.free_pages, 0);
	assert_int_equal(heap.pages_taken, 9);
	/* a small class with no free chunk and no page left */
	fake_console_reset();
	assert_null(vmm_heap_alloc(&heap, 10));
	assert_true(fake_console_contains("heap: out of memory allocating 10 bytes"));
	assert_null(vmm_heap_alloc(&heap, 3000));
	assert_int_equal(heap.objects_in_use, 6);
	assert_int_equal(heap.bytes_in_use, 8192 + 5 * 3000);
	assert_int_equal(heap.pages_taken, 9);
	assert_true(fake_irq_enabled());
	/* freeing the large object makes room again */
	assert_int_equal(vmm_heap_free(&heap, p[0]), VMM_OK);
	assert_non_null(vmm_heap_alloc(&heap, 10));
	assert_true(fake_irq_enabled());
}

static void test_double_free_small(void **state)
{
	u8 *a = vmm_heap_alloc(&heap, 40), *b = vmm_heap_alloc(&heap, 40);
	u64 bytes, objs;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(vmm_heap_free(&heap, a), VMM_OK);
	bytes = heap.bytes_in_use;
	objs = heap.objects_in_use;
	fake_console_reset();
	assert_int_equal(vmm_heap_free(&heap, a), -VMM_EINVALID);
	assert_true(fake_console_contains("heap: free of"));
	assert_true(fake_console_contains("refused: already freed"));
	assert_int_equal(heap.bytes_in_use, bytes);
	assert_int_equal(heap.objects_in_use, objs);
	assert_true(fake_irq_enabled());
	/* the free list is intact: the next two allocations are distinct */
	{
		u8 *c = vmm_heap_alloc(&heap, 40), *d = vmm_heap_alloc(&heap, 40);

		assert_non_null(c);
		assert_non_null(d);
		assert_ptr_not_equal(c, d);
		assert_ptr_not_equal(c, b);
		assert_ptr_not_equal(d, b);
	}
}

static void test_double_free_large(void **state)
{
	u8 *a = vmm_heap_alloc(&heap, 20000);
	u64 free_pages;

	(void)state;
	assert_non_null(a);
	assert_int_equal(vmm_heap_free(&heap, a), VMM_OK);
	free_pages = pages.free_pages;
	fake_console_reset();
	page_free_calls = 0;
	assert_true(vmm_heap_free(&heap, a) < 0);
	assert_true(fake_console_contains("refused"));
	assert_int_equal(page_free_calls, 0);		/* never reaches the page source */
	assert_int_equal(pages.free_pages, free_pages);
	assert_int_equal(heap.objects_in_use, 0);
	assert_int_equal(heap.bytes_in_use, 0);
	assert_true(fake_irq_enabled());
}

static void test_foreign_pointers(void **state)
{
	u8 *host = aligned_alloc(16, 256);
	u8 *obj = vmm_heap_alloc(&heap, 100);
	u64 bytes = heap.bytes_in_use, objs = heap.objects_in_use;

	(void)state;
	assert_non_null(host);
	assert_non_null(obj);
	memset(host, 0, 256);
	memset(obj, 0, 100);
	/* memory the heap never handed out */
	fake_console_reset();
	assert_int_equal(vmm_heap_free(&heap, host + 64), -VMM_EFAULT);
	assert_true(fake_console_contains("refused: not a heap pointer"));
	/* not 16-byte aligned */
	fake_console_reset();
	assert_int_equal(vmm_heap_free(&heap, obj + 1), -VMM_EFAULT);
	assert_true(fake_console_contains("not a heap pointer"));
	/* inside a live object */
	fake_console_reset();
	assert_int_equal(vmm_heap_free(&heap, obj + 32), -VMM_EFAULT);
	assert_true(fake_console_contains("not a heap pointer"));
	/* an untouched page of the page source */
	assert_int_equal(vmm_heap_free(&heap, buf + 2 * MiB + 16), -VMM_EFAULT);
	assert_int_equal(heap.bytes_in_use, bytes);
	assert_int_equal(heap.objects_in_use, objs);
	/* NULL is fine and silent */
	fake_console_reset();
	assert_int_equal(vmm_heap_free(&heap, NULL), VMM_OK);
	assert_int_equal(fake_console_len(), 0);
	/* the real object still frees */
	assert_int_equal(vmm_heap_free(&heap, obj), VMM_OK);
	assert_int_equal(heap.objects_in_use, 0);
	assert_true(fake_irq_enabled());
	free(host);
}

static void test_large_objects_return_pages(void **state)
{
	u64 free0 = pages.free_pages;
	u8 *a, *b, *c;

	(void)state;
	/* 4081 bytes + header no longer fits the 4096 class: two pages */
	a = vmm_heap_alloc(&heap, 4081);
	assert_non_null(a);
	assert_int_equal(last_alloc_order, 1);
	assert_int_equal(heap.pages_taken, 2);
	assert_int_equal(pages.free_pages, free0 - 2);
	/* 64 KiB + header: order 5 */
	b = vmm_heap_alloc(&heap, 65536);
	assert_non_null(b);
	assert_int_equal(last_alloc_order, 5);
	assert_int_equal(heap.pages_taken, 2 + 32);
	memset(b, 0x5a, 65536);
	/* 20000 bytes: order 3 */
	c = vmm_heap_alloc(&heap, 20000);
	assert_non_null(c);
	assert_int_equal(last_alloc_order, 3);
	assert_int_equal(heap.pages_taken, 2 + 32 + 8);
	assert_int_equal(pages.free_pages, free0 - 42);
	/* the object header sits at the start of its pages */
	assert_true(IS_ALIGNED((uintptr_t)(b - 16), PAGE_SIZE));
	assert_int_equal(vmm_buddy_block_order(&pages, (uintptr_t)(b - 16)), 5);

	assert_int_equal(vmm_heap_free(&heap, b), VMM_OK);
	assert_int_equal(page_free_calls, 1);
	assert_int_equal(heap.pages_taken, 10);
	assert_int_equal(pages.free_pages, free0 - 10);
	assert_int_equal(vmm_heap_free(&heap, a), VMM_OK);
	assert_int_equal(vmm_heap_free(&heap, c), VMM_OK);
	assert_int_equal(page_free_calls, 3);
	assert_int_equal(heap.pages_taken, 0);
	assert_int_equal(pages.free_pages, free0);
	assert_int_equal(heap.objects_in_use, 0);
}

static void test_small_objects_share_pages(void **state)
{
	void *p[129];

	(void)state;
	/* 16 bytes + header = the 32-byte class: 128 objects per page */
	for (int i = 0; i < 128; i++) {
		p[i] = vmm_heap_alloc(&heap, 16);
		assert_non_null(p[i]);
	}
	assert_int_equal(page_alloc_calls, 1);
	assert_int_equal(last_alloc_order, 0);
	assert_int_equal(heap.pages_taken, 1);
	p[128] = vmm_heap_alloc(&heap, 16);
	assert_non_null(p[128]);
	assert_int_equal(heap.pages_taken, 2);
	/* another size class gets its own page */
	assert_non_null(vmm_heap_alloc(&heap, 17));
	assert_int_equal(heap.pages_taken, 3);
	/* a freed chunk is reused before any new page is taken */
	assert_int_equal(vmm_heap_free(&heap, p[5]), VMM_OK);
	assert_ptr_equal(vmm_heap_alloc(&heap, 1), p[5]);
	assert_int_equal(heap.pages_taken, 3);
	assert_int_equal(heap.objects_in_use, 130);
	assert_int_equal(heap.bytes_in_use, 128 * 16 + 16 + 17 + 1 - 16);
}

static void test_stats(void **state)
{
	void *a, *b, *c;

	(void)state;
	assert_int_equal(heap.bytes_in_use, 0);
	assert_int_equal(heap.objects_in_use, 0);
	a = vmm_heap_alloc(&heap, 1);
	b = vmm_heap_alloc(&heap, 1000);
	c = vmm_heap_alloc(&heap, 50000);
	assert_int_equal(heap.objects_in_use, 3);
	assert_int_equal(heap.bytes_in_use, 51001);
	assert_int_equal(vmm_heap_free(&heap, b), VMM_OK);
	assert_int_equal(heap.objects_in_use, 2);
	assert_int_equal(heap.bytes_in_use, 50001);
	/* refused frees change nothing */
	assert_true(vmm_heap_free(&heap, b) < 0);
	assert_int_equal(heap.objects_in_use, 2);
	assert_int_equal(heap.bytes_in_use, 50001);
	assert_int_equal(vmm_heap_free(&heap, c), VMM_OK);
	assert_int_equal(vmm_heap_free(&heap, a), VMM_OK);
	assert_int_equal(heap.objects_in_use, 0);
	assert_int_equal(heap.bytes_in_use, 0);
}

static void test_random_alloc_free(void **state)
{
	struct obj live[256];
	int nlive = 0;
	u64 bytes = 0;

	(void)state;
	srand(777);
	for (int step = 0; step < 20000; step++) {
		if (nlive < 256 && (nlive == 0 || rand() % 2)) {
			size_t size = rand() % 8 ? (size_t)(rand() % 600) + 1 : (size_t)(rand() % 40000) + 1;
			u8 *p = vmm_heap_alloc(&heap, size);

			assert_non_null(p);
			assert_true((uintptr_t)p % 16 == 0);
			memset(p, (u8)(uintptr_t)p | 1, size);
			live[nlive].p = p;
			live[nlive].size = size;
			nlive++;
			bytes += size;
		} else {
			int i = rand() % nlive;
			u8 tag = (u8)(uintptr_t)live[i].p | 1;

			for (size_t k = 0; k < live[i].size; k++)
				if (live[i].p[k] != tag)
					fail_msg("step %d: object %p corrupted at +%zu", step,
						 (void *)live[i].p, k);
			assert_int_equal(vmm_heap_free(&heap, live[i].p), VMM_OK);
			bytes -= live[i].size;
			live[i] = live[--nlive];
		}
		assert_int_equal(heap.bytes_in_use, bytes);
		assert_int_equal(heap.objects_in_use, (u64)nlive);
	}
	while (nlive)
		assert_int_equal(vmm_heap_free(&heap, live[--nlive].p), VMM_OK);
	assert_int_equal(heap.bytes_in_use, 0);
	assert_int_equal(fake_console_len(), 0);
	assert_true(fake_irq_enabled());
}

/* vmm_malloc() and friends on the kernel heap over the host page allocator. */
static void test_kernel_heap_api(void **state)
{
	struct vmm_boot_info *bi = calloc(1, sizeof(*bi));
	struct vmm_heap *kh = vmm_kernel_heap();
	struct vmm_phys_range none[1] = { { 0, 0, "nothing" } };
	u8 *p, *q;

	(void)state;
	assert_non_null(bi);
	bi->nr_mem = 1;
	bi->mem[0].base = (uintptr_t)buf + 4 * MiB;
	bi->mem[0].length = 4 * MiB;
	bi->mem[0].type = VMM_MEM_USABLE;
	assert_int_equal(vmm_host_mem_init(bi, none, 0), VMM_OK);
	vmm_heap_setup();
	assert_ptr_equal(kh->page_alloc, vmm_host_page_alloc);
	assert_int_equal(kh->objects_in_use, 0);

	p = vmm_malloc(200);
	assert_non_null(p);
	assert_true(in_buffer(p, 200));
	assert_true((u8 *)p >= buf + 4 * MiB);
	memset(p, 0xEE, 200);
	assert_int_equal(kh->objects_in_use, 1);
	assert_int_equal(kh->bytes_in_use, 200);
	vmm_free(p);
	assert_int_equal(kh->objects_in_use, 0);
	/* zalloc of the same, dirty chunk comes back zeroed */
	q = vmm_zalloc(200);
	assert_ptr_equal(q, p);
	for (int i = 0; i < 200; i++)
		assert_int_equal(q[i], 0);
	vmm_free(q);
	assert_null(vmm_malloc(0));
	assert_null(vmm_zalloc(0));
	/* large objects come from and go back to the host page allocator */
	{
		u64 free0 = vmm_host_buddy()->free_pages;

		p = vmm_zalloc(100000);
		assert_non_null(p);
		assert_int_equal(vmm_host_buddy()->free_pages, free0 - 32);
		vmm_free(p);
		assert_int_equal(vmm_host_buddy()->free_pages, free0);
	}
	/* vmm_free() refuses with a message too */
	fake_console_reset();
	vmm_free(q);
	assert_true(fake_console_contains("already freed"));
	vmm_free(NULL);
	/* out of host memory: both layers say so */
	fake_console_reset();
	assert_null(vmm_malloc(64 * MiB));
	assert_true(fake_console_contains("mem: out of host memory"));
	assert_true(fake_console_contains("heap: out of memory allocating 67108864 bytes"));
	assert_true(fake_irq_enabled());
	free(bi);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sizes_alignment_no_overlap),
		T(test_zero_and_huge_size),
		T(test_out_of_memory),
		T(test_double_free_small),
		T(test_double_free_large),
		T(test_foreign_pointers),
		T(test_large_objects_return_pages),
		T(test_small_objects_share_pages),
		T(test_stats),
		T(test_random_alloc_free),
		T(test_kernel_heap_api),
	};

	return cmocka_run_group_tests_name("heap", tests, NULL, NULL);
}
