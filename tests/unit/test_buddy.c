/*
 * tests/unit/test_buddy.c - the buddy page allocator (kernel/buddy.c) over a
 * host buffer: zone layout, natural alignment of every order, split and
 * re-merge, exhaustion, refusal of double frees and stray pointers without
 * any state change, several zones, order_for/block_order, and a randomized
 * stress with invariant checks.
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
#include "kernel/buddy.h"
#include "kernel/error.h"

#define BUF_SIZE (16 * MiB)
#define BUF_ALIGN (8 * MiB)

struct fixture {
	u8 *buf;		/* 8 MiB aligned, 16 MiB */
	physical_addr_t start;	/* buf + 4 MiB: 4 MiB aligned, not 8 MiB aligned */
	struct vmm_buddy b;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->buf = aligned_alloc(BUF_ALIGN, BUF_SIZE);
	if (!f->buf) {
		free(f);
		return -1;
	}
	f->start = (physical_addr_t)(uintptr_t)f->buf + 4 * MiB;
	vmm_buddy_init(&f->b);
	fake_arch_reset();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->buf);
	free(f);
	return 0;
}

#define PA(x) ((physical_addr_t)(uintptr_t)(x))
#define BLOCK(order) (PAGE_SIZE << (order))

/* The 8 MiB range [start, start + 8 MiB) as one zone. */
static void add_main_range(struct fixture *f)
{
	assert_int_equal(vmm_buddy_add_range(&f->b, f->start, f->start + 8 * MiB), VMM_OK);
}

/* ---- snapshots: "no state change" means all of this is identical ---- */

struct snapshot {
	u64 free_pages, total_pages;
	u64 blocks[VMM_BUDDY_ORDERS];
	u64 zone_free[VMM_BUDDY_MAX_ZONES];
	u8 *meta[VMM_BUDDY_MAX_ZONES];
	u64 meta_len[VMM_BUDDY_MAX_ZONES];
};

static void snap_take(struct vmm_buddy *b, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->free_pages = b->free_pages;
	s->total_pages = b->total_pages;
	for (unsigned int o = 0; o < VMM_BUDDY_ORDERS; o++)
		s->blocks[o] = vmm_buddy_free_blocks(b, o);
	for (u32 z = 0; z < b->nr_zones; z++) {
		struct vmm_buddy_zone *zn = &b->zones[z];

		s->zone_free[z] = zn->free_pages;
		s->meta_len[z] = (zn->end - zn->base) >> PAGE_SHIFT;
		s->meta[z] = malloc(s->meta_len[z]);
		assert_non_null(s->meta[z]);
		memcpy(s->meta[z], zn->meta, s->meta_len[z]);
	}
}

static void snap_assert_same(struct vmm_buddy *b, struct snapshot *s)
{
	assert_int_equal(b->free_pages, s->free_pages);
	assert_int_equal(b->total_pages, s->total_pages);
	for (unsigned int o = 0; o < VMM_BUDDY_ORDERS; o++)
		assert_int_equal(vmm_buddy_free_blocks(b, o), s->blocks[o]);
	for (u32 z = 0; z < b->nr_zones; z++) {
		assert_int_equal(b->zones[z].free_pages, s->zone_free[z]);
		assert_memory_equal(b->zones[z].meta, s->meta[z], s->meta_len[z]);
	}
}

static void snap_free(struct snapshot *s)
{
	for (u32 z = 0; z < VMM_BUDDY_MAX_ZONES; z++)
		free(s->meta[z]);
}

/* Free pages counted from the free lists must match the counters. */
static void assert_accounting(struct vmm_buddy *b)
{
	u64 from_lists = 0, zones = 0;

	for (unsigned int o = 0; o < VMM_BUDDY_ORDERS; o++)
		from_lists += vmm_buddy_free_blocks(b, o) << o;
	for (u32 z = 0; z < b->nr_zones; z++)
		zones += b->zones[z].free_pages;
	assert_int_equal(from_lists, b->free_pages);
	assert_int_equal(zones, b->free_pages);
	assert_true(b->free_pages <= b->total_pages);
}

/* ---- tests ---- */

static void test_empty_allocator(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->b.nr_zones, 0);
	assert_int_equal(f->b.total_pages, 0);
	for (unsigned int o = 0; o <= VMM_BUDDY_MAX_ORDER; o++) {
		assert_int_equal(vmm_buddy_alloc(&f->b, o), 0);
		assert_int_equal(vmm_buddy_free_blocks(&f->b, o), 0);
	}
	assert_int_equal(vmm_buddy_free(&f->b, f->start), -VMM_EFAULT);
	assert_true(fake_console_contains("not a page of allocatable RAM"));
}

static void test_zone_layout(void **state)
{
	struct fixture *f = *state;
	struct vmm_buddy_zone *z = &f->b.zones[0];

	add_main_range(f);
	/* 2048 pages: one page of state bytes, 2047 managed */
	assert_int_equal(f->b.nr_zones, 1);
	assert_int_equal(f->b.meta_pages, 1);
	assert_int_equal(f->b.total_pages, 2047);
	assert_int_equal(f->b.free_pages, 2047);
	assert_ptr_equal(z->meta, f->buf + 4 * MiB);
	assert_int_equal(z->base, f->start + PAGE_SIZE);
	assert_int_equal(z->end, f->start + 8 * MiB);
	assert_int_equal(z->free_pages, 2047);
	/* carved into the largest aligned blocks: 4K,8K,...,2M then one 4M */
	for (unsigned int o = 0; o <= 10; o++)
		assert_int_equal(vmm_buddy_free_blocks(&f->b, o), 1);
	for (unsigned int o = 11; o <= VMM_BUDDY_MAX_ORDER; o++)
		assert_int_equal(vmm_buddy_free_blocks(&f->b, o), 0);
	assert_int_equal(vmm_buddy_free_blocks(&f->b, VMM_BUDDY_MAX_ORDER + 1), 0);
	assert_accounting(&f->b);
}

static void test_awkward_range_carving(void **state)
{
	struct fixture *f = *state;
	/* [start+12K, start+76K): meta page at +12K, managed +16K..+76K */
	physical_addr_t s = f->start + 12 * KiB, e = f->start + 76 * KiB;

	assert_int_equal(vmm_buddy_add_range(&f->b, s, e), VMM_OK);
	assert_int_equal(f->b.total_pages, 15);
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 0), 1);	/* +72K */
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 1), 1);	/* +64K */
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 2), 1);	/* +16K */
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 3), 1);	/* +32K */
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 4), 0);
	assert_int_equal(vmm_buddy_alloc(&f->b, 3), f->start + 32 * KiB);
	assert_int_equal(vmm_buddy_alloc(&f->b, 2), f->start + 16 * KiB);
	assert_int_equal(vmm_buddy_alloc(&f->b, 1), f->start + 64 * KiB);
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), f->start + 72 * KiB);
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), 0);
	assert_int_equal(f->b.free_pages, 0);
}

static void test_unaligned_range_clipped(void **state)
{
	struct fixture *f = *state;
	struct vmm_buddy_zone *z = &f->b.zones[0];
	physical_addr_t s = f->start + 100, e = f->start + 1 * MiB + 5000;

	assert_int_equal(vmm_buddy_add_range(&f->b, s, e), VMM_OK);
	assert_int_equal(f->b.nr_zones, 1);
	assert_int_equal(PA(z->meta), f->start + PAGE_SIZE);
	assert_int_equal(z->base, f->start + 2 * PAGE_SIZE);
	assert_int_equal(z->end, f->start + 1 * MiB + PAGE_SIZE);
	/* pages [start+4K, start+1M+4K): 256 pages, 1 of them state bytes */
	assert_int_equal(f->b.total_pages, 255);
	assert_accounting(&f->b);
	/* nothing below or above the clipped range is ever handed out */
	for (;;) {
		physical_addr_t pa = vmm_buddy_alloc(&f->b, 0);

		if (!pa)
			break;
		assert_true(pa >= z->base && pa + PAGE_SIZE <= z->end);
	}
	assert_int_equal(f->b.free_pages, 0);
}

static void test_tiny_ranges_ignored(void **state)
{
	struct fixture *f = *state;

	/* empty, reversed, and less than two whole pages: no zone, no error */
	assert_int_equal(vmm_buddy_add_range(&f->b, f->start, f->start), VMM_OK);
	assert_int_equal(vmm_buddy_add_range(&f->b, f->start + 8192, f->start), VMM_OK);
	assert_int_equal(vmm_buddy_add_range(&f->b, f->start, f->start + PAGE_SIZE), VMM_OK);
	assert_int_equal(vmm_buddy_add_range(&f->b, f->start + 1, f->start + 3 * PAGE_SIZE - 1),
			 VMM_OK);
	assert_int_equal(f->b.nr_zones, 0);
	assert_int_equal(f->b.total_pages, 0);
	/* exactly two pages: one state page, one managed page */
	assert_int_equal(vmm_buddy_add_range(&f->b, f->start, f->start + 2 * PAGE_SIZE), VMM_OK);
	assert_int_equal(f->b.nr_zones, 1);
	assert_int_equal(f->b.total_pages, 1);
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), f->start + PAGE_SIZE);
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), 0);
}

static void test_natural_alignment_every_order(void **state)
{
	struct fixture *f = *state;
	struct vmm_buddy_zone *z = &f->b.zones[0];

	add_main_range(f);
	for (unsigned int order = 0; order <= 10; order++) {
		physical_addr_t got[2048];
		unsigned int n = 0;

		/* take every block of this order the zone can give */
		for (;;) {
			physical_addr_t pa = vmm_buddy_alloc(&f->b, order);

			if (!pa)
				break;
			assert_true(n < ARRAY_SIZE(got));
			if (!IS_ALIGNED(pa, BLOCK(order)))
				fail_msg("order %u block at 0x%llx is not %llu-aligned", order,
					 (unsigned long long)pa, (unsigned long long)BLOCK(order));
			assert_true(pa >= z->base && pa + BLOCK(order) <= z->end);
			assert_int_equal(vmm_buddy_block_order(&f->b, pa), order);
			memset((void *)(uintptr_t)pa, 0xA5, BLOCK(order));	/* ASan checks bounds */
			got[n++] = pa;
		}
		assert_true(n >= 1);
		assert_accounting(&f->b);
		for (unsigned int i = 0; i < n; i++)
			assert_int_equal(vmm_buddy_free(&f->b, got[i]), VMM_OK);
		assert_int_equal(f->b.free_pages, 2047);
	}
	/* an order-10 block is 4 MiB: exactly one fits */
	assert_int_equal(vmm_buddy_alloc(&f->b, 10), f->start + 4 * MiB);
	assert_int_equal(vmm_buddy_alloc(&f->b, 10), 0);
}

static void test_split_keeps_lower_half(void **state)
{
	struct fixture *f = *state;
	physical_addr_t base = f->start + PAGE_SIZE;

	add_main_range(f);
	/* the lone order-0 block first */
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), base);
	/* then the order-1 block at +8K is split: lower half out, upper half free */
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), f->start + 8 * KiB);
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 0), 1);
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 1), 0);
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), f->start + 12 * KiB);
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 0), 0);
	/* splitting the 4M block down to one page leaves one free block per order */
	for (unsigned int o = 2; o <= 9; o++)
		assert_non_null((void *)(uintptr_t)vmm_buddy_alloc(&f->b, o));
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), f->start + 4 * MiB);
	for (unsigned int o = 0; o <= 9; o++)
		assert_int_equal(vmm_buddy_free_blocks(&f->b, o), 1);
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 10), 0);
	/* freeing that page merges all the way back to 4M */
	assert_int_equal(vmm_buddy_free(&f->b, f->start + 4 * MiB), VMM_OK);
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 10), 1);
	for (unsigned int o = 0; o <= 9; o++)
		assert_int_equal(vmm_buddy_free_blocks(&f->b, o), 0);
	assert_accounting(&f->b);
}

static void test_full_remerge(void **state)
{
	struct fixture *f = *state;
	static physical_addr_t pages[2047];
	struct snapshot before;
	unsigned int n = 0;

	add_main_range(f);
	snap_take(&f->b, &before);
	/* every page, one at a time */
	for (;;) {
		physical_addr_t pa = vmm_buddy_alloc(&f->b, 0);

		if (!pa)
			break;
		assert_true(n < ARRAY_SIZE(pages));
		pages[n++] = pa;
	}
	assert_int_equal(n, 2047);
	assert_int_equal(f->b.free_pages, 0);
	for (unsigned int o = 0; o <= VMM_BUDDY_MAX_ORDER; o++) {
		assert_int_equal(vmm_buddy_free_blocks(&f->b, o), 0);
		assert_int_equal(vmm_buddy_alloc(&f->b, o), 0);
	}
	/* free in a shuffled order: everything merges back */
	srand(12345);
	for (unsigned int i = n - 1; i > 0; i--) {
		unsigned int j = (unsigned int)rand() % (i + 1);
		physical_addr_t t = pages[i];

		pages[i] = pages[j];
		pages[j] = t;
	}
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(vmm_buddy_free(&f->b, pages[i]), VMM_OK);
	snap_assert_same(&f->b, &before);
	snap_free(&before);
	/* and the whole 4M block is available again */
	assert_int_equal(vmm_buddy_alloc(&f->b, 10), f->start + 4 * MiB);
}

static void test_exhaustion(void **state)
{
	struct fixture *f = *state;
	struct snapshot s;

	add_main_range(f);
	snap_take(&f->b, &s);
	/* larger than any block, and beyond the largest order */
	assert_int_equal(vmm_buddy_alloc(&f->b, 11), 0);
	assert_int_equal(vmm_buddy_alloc(&f->b, VMM_BUDDY_MAX_ORDER), 0);
	assert_int_equal(vmm_buddy_alloc(&f->b, VMM_BUDDY_MAX_ORDER + 1), 0);
	assert_int_equal(vmm_buddy_alloc(&f->b, 1000), 0);
	snap_assert_same(&f->b, &s);
	snap_free(&s);
	/* 2047 pages: three 2M blocks (one split from the 4M block), then none */
	assert_int_not_equal(vmm_buddy_alloc(&f->b, 9), 0);
	assert_int_not_equal(vmm_buddy_alloc(&f->b, 9), 0);
	assert_int_not_equal(vmm_buddy_alloc(&f->b, 9), 0);
	assert_int_equal(vmm_buddy_alloc(&f->b, 9), 0);
	assert_int_equal(f->b.free_pages, 2047 - 3 * 512);
	/* smaller orders still work until the very last page */
	while (vmm_buddy_alloc(&f->b, 0))
		;
	assert_int_equal(f->b.free_pages, 0);
	assert_accounting(&f->b);
}

static void test_double_free_refused(void **state)
{
	struct fixture *f = *state;
	physical_addr_t a, keep;
	struct snapshot s;

	add_main_range(f);
	a = vmm_buddy_alloc(&f->b, 3);
	keep = vmm_buddy_alloc(&f->b, 3);	/* keeps the freed block from merging away */
	assert_int_not_equal(a, 0);
	assert_int_not_equal(keep, 0);
	assert_int_equal(vmm_buddy_free(&f->b, a), VMM_OK);
	snap_take(&f->b, &s);
	fake_console_reset();
	assert_int_equal(vmm_buddy_free(&f->b, a), -VMM_EINVALID);
	assert_true(fake_console_contains("buddy: free of 0x"));
	assert_true(fake_console_contains("freed twice"));
	snap_assert_same(&f->b, &s);
	assert_int_equal(vmm_buddy_block_order(&f->b, a), -VMM_EINVALID);
	/* a double free after the block merged away is refused too */
	assert_int_equal(vmm_buddy_free(&f->b, keep), VMM_OK);
	snap_free(&s);
	snap_take(&f->b, &s);
	fake_console_reset();
	assert_int_equal(vmm_buddy_free(&f->b, keep), -VMM_EINVALID);
	assert_true(fake_console_contains("freed twice"));
	snap_assert_same(&f->b, &s);
	snap_free(&s);
	assert_int_equal(f->b.free_pages, 2047);
	assert_true(fake_irq_enabled());
}

static void test_stray_pointers_refused(void **state)
{
	struct fixture *f = *state;
	struct vmm_buddy_zone *z = &f->b.zones[0];
	physical_addr_t a;
	struct snapshot s;
	char hex[32];

	add_main_range(f);
	a = vmm_buddy_alloc(&f->b, 2);		/* 4 pages */
	assert_int_not_equal(a, 0);
	snap_take(&f->b, &s);

	/* a page inside the block but not its first */
	fake_console_reset();
	assert_int_equal(vmm_buddy_free(&f->b, a + PAGE_SIZE), -VMM_EINVALID);
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)(a + PAGE_SIZE));
	assert_true(fake_console_contains(hex));
	assert_true(fake_console_contains("not an allocated block"));
	assert_int_equal(vmm_buddy_block_order(&f->b, a + PAGE_SIZE), -VMM_EINVALID);
	/* not page-aligned */
	fake_console_reset();
	assert_int_equal(vmm_buddy_free(&f->b, a + 8), -VMM_EFAULT);
	assert_true(fake_console_contains("not a page of allocatable RAM"));
	assert_int_equal(vmm_buddy_block_order(&f->b, a + 8), -VMM_EFAULT);
	/* the state-byte page, below and above the zone, and 0 */
	assert_int_equal(vmm_buddy_free(&f->b, PA(z->meta)), -VMM_EFAULT);
	assert_int_equal(vmm_buddy_free(&f->b, z->base - PAGE_SIZE), -VMM_EFAULT);
	assert_int_equal(vmm_buddy_free(&f->b, z->end), -VMM_EFAULT);
	assert_int_equal(vmm_buddy_free(&f->b, f->start + 12 * MiB), -VMM_EFAULT);
	assert_int_equal(vmm_buddy_free(&f->b, 0), -VMM_EFAULT);
	/* the head of a free block */
	fake_console_reset();
	assert_int_equal(vmm_buddy_free(&f->b, f->start + 4 * MiB), -VMM_EINVALID);
	assert_true(fake_console_contains("not an allocated block"));
	snap_assert_same(&f->b, &s);
	snap_free(&s);
	/* the real block still frees fine */
	assert_int_equal(vmm_buddy_free(&f->b, a), VMM_OK);
	assert_int_equal(f->b.free_pages, 2047);
}

static void test_multiple_zones(void **state)
{
	struct fixture *f = *state;
	/* three disjoint ranges with holes between them */
	physical_addr_t r[3][2] = {
		{ f->start, f->start + 64 * KiB },
		{ f->start + 1 * MiB, f->start + 3 * MiB },
		{ f->start + 4 * MiB + 8 * KiB, f->start + 8 * MiB },
	};
	u64 zone_pages[3];
	physical_addr_t pa;

	for (int i = 0; i < 3; i++)
		assert_int_equal(vmm_buddy_add_range(&f->b, r[i][0], r[i][1]), VMM_OK);
	assert_int_equal(f->b.nr_zones, 3);
	assert_int_equal(f->b.meta_pages, 3);
	for (int i = 0; i < 3; i++) {
		zone_pages[i] = ((r[i][1] - r[i][0]) >> PAGE_SHIFT) - 1;
		assert_int_equal(f->b.zones[i].free_pages, zone_pages[i]);
		assert_int_equal(f->b.zones[i].base, r[i][0] + PAGE_SIZE);
	}
	assert_int_equal(f->b.total_pages, zone_pages[0] + zone_pages[1] + zone_pages[2]);
	assert_accounting(&f->b);

	/* a 1M block never spans the hole: it comes from zone 1 or 2 */
	pa = vmm_buddy_alloc(&f->b, 8);
	assert_true(IS_ALIGNED(pa, 1 * MiB));
	assert_true((pa >= f->b.zones[1].base && pa + MiB <= f->b.zones[1].end) ||
		    (pa >= f->b.zones[2].base && pa + MiB <= f->b.zones[2].end));
	assert_int_equal(vmm_buddy_free(&f->b, pa), VMM_OK);

	/* drain zone 0 with single pages, the next page comes from zone 1 */
	for (u64 i = 0; i < zone_pages[0]; i++) {
		pa = vmm_buddy_alloc(&f->b, 0);
		assert_true(pa >= f->b.zones[0].base && pa < f->b.zones[0].end);
	}
	assert_int_equal(f->b.zones[0].free_pages, 0);
	pa = vmm_buddy_alloc(&f->b, 0);
	assert_true(pa >= f->b.zones[1].base && pa < f->b.zones[1].end);
	assert_int_equal(f->b.zones[1].free_pages, zone_pages[1] - 1);
	/* freeing returns the page to its own zone */
	assert_int_equal(vmm_buddy_free(&f->b, pa), VMM_OK);
	assert_int_equal(f->b.zones[1].free_pages, zone_pages[1]);
	assert_int_equal(vmm_buddy_free(&f->b, f->b.zones[0].base), VMM_OK);
	assert_int_equal(f->b.zones[0].free_pages, 1);
	assert_accounting(&f->b);
}

static void test_too_many_zones(void **state)
{
	struct fixture *f = *state;
	struct snapshot s;
	physical_addr_t extra;

	/* 32 two-page zones, each followed by a one-page hole */
	for (int i = 0; i < VMM_BUDDY_MAX_ZONES; i++) {
		physical_addr_t s0 = f->start + (u64)i * 3 * PAGE_SIZE;

		assert_int_equal(vmm_buddy_add_range(&f->b, s0, s0 + 2 * PAGE_SIZE), VMM_OK);
	}
	assert_int_equal(f->b.nr_zones, VMM_BUDDY_MAX_ZONES);
	assert_int_equal(f->b.total_pages, VMM_BUDDY_MAX_ZONES);
	snap_take(&f->b, &s);
	extra = f->start + 2 * MiB;
	fake_console_reset();
	assert_int_equal(vmm_buddy_add_range(&f->b, extra, extra + 64 * KiB), -VMM_ENOSPC);
	assert_true(fake_console_contains("more than 32 RAM ranges"));
	assert_true(fake_console_contains("not used"));
	assert_int_equal(f->b.nr_zones, VMM_BUDDY_MAX_ZONES);
	snap_assert_same(&f->b, &s);
	snap_free(&s);
	/* every zone hands out its one page */
	for (int i = 0; i < VMM_BUDDY_MAX_ZONES; i++)
		assert_int_equal(vmm_buddy_alloc(&f->b, 0),
				 f->start + (u64)i * 3 * PAGE_SIZE + PAGE_SIZE);
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), 0);
}

static void test_order_for(void **state)
{
	(void)state;
	assert_int_equal(vmm_buddy_order_for(0), 0);
	assert_int_equal(vmm_buddy_order_for(1), 0);
	assert_int_equal(vmm_buddy_order_for(PAGE_SIZE), 0);
	assert_int_equal(vmm_buddy_order_for(PAGE_SIZE + 1), 1);
	assert_int_equal(vmm_buddy_order_for(2 * PAGE_SIZE), 1);
	assert_int_equal(vmm_buddy_order_for(3 * PAGE_SIZE), 2);
	assert_int_equal(vmm_buddy_order_for(64 * KiB), 4);
	assert_int_equal(vmm_buddy_order_for(2 * MiB), 9);
	assert_int_equal(vmm_buddy_order_for(2 * MiB + 1), 10);
	assert_int_equal(vmm_buddy_order_for(1 * GiB), VMM_BUDDY_MAX_ORDER);
	assert_int_equal(vmm_buddy_order_for(1 * GiB + 1), VMM_BUDDY_MAX_ORDER + 1);
	assert_int_equal(vmm_buddy_order_for(1ULL << 63), 51);
	assert_true(vmm_buddy_order_for(UINT64_MAX) > VMM_BUDDY_MAX_ORDER);
	/* the order is always big enough and minimal */
	for (u64 bytes = 1; bytes < 64 * MiB; bytes = bytes * 3 + 1) {
		unsigned int o = vmm_buddy_order_for(bytes);

		assert_true(BLOCK(o) >= bytes);
		if (o)
			assert_true(BLOCK(o - 1) < bytes);
	}
}

static void test_block_order(void **state)
{
	struct fixture *f = *state;
	physical_addr_t pa[11];

	add_main_range(f);
	for (unsigned int o = 0; o <= 9; o++) {
		pa[o] = vmm_buddy_alloc(&f->b, o);
		assert_int_not_equal(pa[o], 0);
		assert_int_equal(vmm_buddy_block_order(&f->b, pa[o]), o);
		if (o)	/* the last page of the block is not a block */
			assert_int_equal(vmm_buddy_block_order(&f->b, pa[o] + BLOCK(o) - PAGE_SIZE),
					 -VMM_EINVALID);
	}
	for (unsigned int o = 0; o <= 9; o++) {
		assert_int_equal(vmm_buddy_free(&f->b, pa[o]), VMM_OK);
		assert_int_equal(vmm_buddy_block_order(&f->b, pa[o]), -VMM_EINVALID);
	}
	assert_int_equal(vmm_buddy_block_order(&f->b, f->start), -VMM_EFAULT);
	assert_int_equal(vmm_buddy_block_order(&f->b, 0), -VMM_EFAULT);
	assert_int_equal(f->b.free_pages, 2047);
}

/* Randomized alloc/free with a page-ownership map and content patterns. */
static void test_random_stress(void **state)
{
	struct fixture *f = *state;
	struct vmm_buddy_zone *z;
	struct live { physical_addr_t pa; unsigned int order; u8 tag; } *live;
	u16 *owner;		/* per managed page: 0 free, else 1 + live index */
	unsigned int nlive = 0, allocs = 0, frees = 0, fails = 0;
	u64 live_pages = 0, npages;
	struct snapshot start;

	add_main_range(f);
	z = &f->b.zones[0];
	npages = (z->end - z->base) >> PAGE_SHIFT;
	live = calloc(npages, sizeof(*live));
	owner = calloc(npages, sizeof(*owner));
	assert_non_null(live);
	assert_non_null(owner);
	snap_take(&f->b, &start);
	srand(20240611);

	for (int step = 0; step < 30000; step++) {
		bool do_alloc = nlive == 0 || (rand() % 100) < 55;

		if (do_alloc) {
			unsigned int order = (unsigned int)(rand() % 100 < 70 ? rand() % 3 : rand() % 8);
			physical_addr_t pa = vmm_buddy_alloc(&f->b, order);
			u64 first;

			if (!pa) {
				/* only allowed when no free block is large enough */
				for (unsigned int o = order; o <= VMM_BUDDY_MAX_ORDER; o++)
					assert_int_equal(vmm_buddy_free_blocks(&f->b, o), 0);
				fails++;
				continue;
			}
			allocs++;
			assert_true(IS_ALIGNED(pa, BLOCK(order)));
			assert_true(pa >= z->base && pa + BLOCK(order) <= z->end);
			first = (pa - z->base) >> PAGE_SHIFT;
			for (u64 p = first; p < first + (1ULL << order); p++)
				if (owner[p])
					fail_msg("step %d: block 0x%llx order %u overlaps live block %u",
						 step, (unsigned long long)pa, order, owner[p] - 1);
			for (u64 p = first; p < first + (1ULL << order); p++)
				owner[p] = (u16)(nlive + 1);
			live[nlive].pa = pa;
			live[nlive].order = order;
			live[nlive].tag = (u8)(step | 1);
			memset((void *)(uintptr_t)pa, live[nlive].tag, BLOCK(order));
			nlive++;
			live_pages += 1ULL << order;
		} else {
			unsigned int i = (unsigned int)rand() % nlive;
			struct live l = live[i];
			const u8 *mem = (const u8 *)(uintptr_t)l.pa;
			u64 first = (l.pa - z->base) >> PAGE_SHIFT;

			/* nobody wrote into a live block (e.g. free-list pointers) */
			for (u64 k = 0; k < BLOCK(l.order); k++)
				if (mem[k] != l.tag)
					fail_msg("step %d: live block 0x%llx corrupted at +%llu",
						 step, (unsigned long long)l.pa, (unsigned long long)k);
			assert_int_equal(vmm_buddy_block_order(&f->b, l.pa), l.order);
			assert_int_equal(vmm_buddy_free(&f->b, l.pa), VMM_OK);
			frees++;
			for (u64 p = first; p < first + (1ULL << l.order); p++)
				owner[p] = 0;
			live_pages -= 1ULL << l.order;
			/* move the last live block into slot i */
			nlive--;
			if (i != nlive) {
				u64 lf = (live[nlive].pa - z->base) >> PAGE_SHIFT;

				live[i] = live[nlive];
				for (u64 p = lf; p < lf + (1ULL << live[i].order); p++)
					owner[p] = (u16)(i + 1);
			}
		}
		assert_int_equal(f->b.free_pages + live_pages, f->b.total_pages);
		if (step % 500 == 0)
			assert_accounting(&f->b);
	}
	assert_true(allocs > 5000);
	assert_true(frees > 5000);
	assert_true(fails > 0);		/* the run did reach exhaustion */
	while (nlive) {
		nlive--;
		assert_int_equal(vmm_buddy_free(&f->b, live[nlive].pa), VMM_OK);
	}
	/* everything merged back into the initial blocks */
	snap_assert_same(&f->b, &start);
	snap_free(&start);
	free(live);
	free(owner);
}


/* ---- vmm_buddy_claim(): a fixed range taken out of the free lists ---- */

/* The claimed range must be tiled exactly by allocated, aligned blocks. */
static unsigned int assert_tiled_by_blocks(struct vmm_buddy *b, physical_addr_t s,
					   physical_addr_t e, physical_addr_t *heads)
{
	unsigned int n = 0;

	for (physical_addr_t pa = s; pa < e; ) {
		int o = vmm_buddy_block_order(b, pa);

		if (o < 0)
			fail_msg("0x%llx in the claimed range is not an allocated block (%d)",
				 (unsigned long long)pa, o);
		assert_true(IS_ALIGNED(pa, BLOCK(o)));
		assert_true(pa + BLOCK(o) <= e);
		if (heads)
			heads[n] = pa;
		n++;
		pa += BLOCK(o);
	}
	return n;
}

static void test_claim_range(void **state)
{
	struct fixture *f = *state;
	physical_addr_t s = f->start + 12 * KiB, e = f->start + 1 * MiB + 20 * KiB;
	physical_addr_t heads[64], pa;
	struct snapshot before;
	unsigned int n;
	u64 claimed = (e - s) >> PAGE_SHIFT;

	add_main_range(f);
	snap_take(&f->b, &before);
	assert_int_equal(vmm_buddy_claim(&f->b, s, e), VMM_OK);
	assert_int_equal(f->b.free_pages, 2047 - claimed);
	assert_accounting(&f->b);
	n = assert_tiled_by_blocks(&f->b, s, e, heads);
	assert_true(n > 1 && n < ARRAY_SIZE(heads));
	/* the pages around the range are still free */
	assert_int_equal(vmm_buddy_block_order(&f->b, s - PAGE_SIZE), -VMM_EINVALID);
	assert_int_equal(vmm_buddy_block_order(&f->b, e), -VMM_EINVALID);
	/* nothing in the range is ever allocated again */
	while ((pa = vmm_buddy_alloc(&f->b, 0)))
		assert_false(pa >= s && pa < e);
	assert_int_equal(f->b.free_pages, 0);
	/* free everything: first the claimed blocks, one by one, then the rest */
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(vmm_buddy_free(&f->b, heads[i]), VMM_OK);
	assert_int_equal(f->b.free_pages, claimed);
	for (pa = f->b.zones[0].base; pa < f->b.zones[0].end; pa += PAGE_SIZE)
		if (vmm_buddy_block_order(&f->b, pa) == 0)
			assert_int_equal(vmm_buddy_free(&f->b, pa), VMM_OK);
	snap_assert_same(&f->b, &before);
	snap_free(&before);
}

static void test_claim_whole_zone_and_single_page(void **state)
{
	struct fixture *f = *state;
	struct vmm_buddy_zone *z = &f->b.zones[0];
	physical_addr_t heads[32];
	unsigned int n;

	add_main_range(f);
	assert_int_equal(vmm_buddy_claim(&f->b, z->base, z->end), VMM_OK);
	assert_int_equal(f->b.free_pages, 0);
	n = assert_tiled_by_blocks(&f->b, z->base, z->end, heads);
	assert_int_equal(n, 11);	/* exactly the initial blocks, none split */
	assert_int_equal(vmm_buddy_alloc(&f->b, 0), 0);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(vmm_buddy_free(&f->b, heads[i]), VMM_OK);
	assert_int_equal(f->b.free_pages, 2047);
	/* one page in the middle of the 4M block */
	assert_int_equal(vmm_buddy_claim(&f->b, f->start + 6 * MiB, f->start + 6 * MiB + PAGE_SIZE),
			 VMM_OK);
	assert_int_equal(vmm_buddy_block_order(&f->b, f->start + 6 * MiB), 0);
	assert_int_equal(f->b.free_pages, 2046);
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 10), 0);
	assert_accounting(&f->b);
	assert_int_equal(vmm_buddy_free(&f->b, f->start + 6 * MiB), VMM_OK);
	assert_int_equal(vmm_buddy_free_blocks(&f->b, 10), 1);
}

static void test_claim_refused(void **state)
{
	struct fixture *f = *state;
	struct vmm_buddy_zone *z = &f->b.zones[0];
	physical_addr_t used;
	struct snapshot s;

	add_main_range(f);
	used = vmm_buddy_alloc(&f->b, 0);	/* the page at base */
	assert_int_equal(used, z->base);
	assert_int_equal(vmm_buddy_claim(&f->b, f->start + 2 * MiB, f->start + 3 * MiB), VMM_OK);
	snap_take(&f->b, &s);
	/* not page-aligned, empty or reversed */
	assert_int_equal(vmm_buddy_claim(&f->b, z->base + 1, z->base + 2 * PAGE_SIZE), -VMM_EINVALID);
	assert_int_equal(vmm_buddy_claim(&f->b, z->base + 4 * PAGE_SIZE, z->base + 5 * PAGE_SIZE + 8),
			 -VMM_EINVALID);
	assert_int_equal(vmm_buddy_claim(&f->b, z->base + PAGE_SIZE, z->base + PAGE_SIZE), -VMM_EINVALID);
	assert_int_equal(vmm_buddy_claim(&f->b, z->base + 2 * PAGE_SIZE, z->base + PAGE_SIZE),
			 -VMM_EINVALID);
	/* outside the zone, or running past its end */
	assert_int_equal(vmm_buddy_claim(&f->b, PA(z->meta), z->base + PAGE_SIZE), -VMM_EFAULT);
	assert_int_equal(vmm_buddy_claim(&f->b, z->end, z->end + PAGE_SIZE), -VMM_EFAULT);
	assert_int_equal(vmm_buddy_claim(&f->b, z->end - PAGE_SIZE, z->end + PAGE_SIZE), -VMM_EFAULT);
	/* a page in the range is allocated: all or nothing */
	assert_int_equal(vmm_buddy_claim(&f->b, z->base, z->base + 64 * KiB), -VMM_EBUSY);
	assert_int_equal(vmm_buddy_claim(&f->b, f->start + 1 * MiB, f->start + 5 * MiB), -VMM_EBUSY);
	/* already claimed */
	assert_int_equal(vmm_buddy_claim(&f->b, f->start + 2 * MiB + 8 * KiB,
					 f->start + 2 * MiB + 12 * KiB), -VMM_EBUSY);
	snap_assert_same(&f->b, &s);
	snap_free(&s);
}

static void test_claim_random_against_alloc(void **state)
{
	struct fixture *f = *state;
	struct vmm_buddy_zone *z;
	struct snapshot start;
	static u8 used[2047];
	physical_addr_t pa;

	add_main_range(f);
	z = &f->b.zones[0];
	snap_take(&f->b, &start);
	srand(99);
	for (int round = 0; round < 60; round++) {
		u64 a = (u64)rand() % 2047, len = 1 + (u64)rand() % 64;
		physical_addr_t s = z->base + a * PAGE_SIZE, e = MIN(s + len * PAGE_SIZE, z->end);
		bool free_all = true;
		int rc;

		for (u64 p = a; p < a + ((e - s) >> PAGE_SHIFT); p++)
			if (used[p])
				free_all = false;
		rc = vmm_buddy_claim(&f->b, s, e);
		assert_int_equal(rc, free_all ? VMM_OK : -VMM_EBUSY);
		if (rc == VMM_OK) {
			assert_tiled_by_blocks(&f->b, s, e, NULL);
			for (u64 p = a; p < a + ((e - s) >> PAGE_SHIFT); p++)
				used[p] = 1;
		}
		assert_accounting(&f->b);
	}
	/* what is left to allocate is exactly the unclaimed pages */
	while ((pa = vmm_buddy_alloc(&f->b, 0))) {
		u64 p = (pa - z->base) >> PAGE_SHIFT;

		assert_int_equal(used[p], 0);
		used[p] = 2;
	}
	for (u64 p = 0; p < 2047; p++)
		assert_int_not_equal(used[p], 0);
	/* and everything frees back into the original blocks */
	for (pa = z->base; pa < z->end; ) {
		int o = vmm_buddy_block_order(&f->b, pa);

		assert_true(o >= 0);
		assert_int_equal(vmm_buddy_free(&f->b, pa), VMM_OK);
		pa += BLOCK(o);
	}
	snap_assert_same(&f->b, &start);
	snap_free(&start);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty_allocator),
		T(test_zone_layout),
		T(test_awkward_range_carving),
		T(test_unaligned_range_clipped),
		T(test_tiny_ranges_ignored),
		T(test_natural_alignment_every_order),
		T(test_split_keeps_lower_half),
		T(test_full_remerge),
		T(test_exhaustion),
		T(test_double_free_refused),
		T(test_stray_pointers_refused),
		T(test_multiple_zones),
		T(test_too_many_zones),
		cmocka_unit_test(test_order_for),
		T(test_block_order),
		T(test_random_stress),
		T(test_claim_range),
		T(test_claim_whole_zone_and_single_page),
		T(test_claim_refused),
		T(test_claim_random_against_alloc),
	};

	return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
