/*
 * tests/unit/test_host_mem.c - host RAM accounting (kernel/host_mem.c):
 * vmm_host_mem_free_ranges() (usable ranges minus reserved ones, clipped to
 * pages, never overlapping, -VMM_ENOSPC when the output is too small),
 * vmm_host_ram_top(), and the page allocator set up by vmm_host_mem_init()
 * over a host buffer.
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
#include "kernel/host_mem.h"
#include "kernel/error.h"

static struct vmm_boot_info *bi;

static int setup(void **state)
{
	(void)state;
	bi = calloc(1, sizeof(*bi));
	fake_arch_reset();
	return bi ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(bi);
	return 0;
}

static void mem(u64 base, u64 length, u32 type)
{
	assert_true(bi->nr_mem < VMM_BOOT_MAX_MEM);
	bi->mem[bi->nr_mem].base = base;
	bi->mem[bi->nr_mem].length = length;
	bi->mem[bi->nr_mem].type = type;
	bi->nr_mem++;
}

#define R(s, e) { (s), (e), "test" }

/* Output must be sorted, page-aligned, non-empty, non-overlapping, "free". */
static void assert_well_formed(const struct vmm_phys_range *out, int n)
{
	for (int i = 0; i < n; i++) {
		assert_true(IS_ALIGNED(out[i].start, PAGE_SIZE));
		assert_true(IS_ALIGNED(out[i].end, PAGE_SIZE));
		assert_true(out[i].start < out[i].end);
		assert_string_equal(out[i].what, "free");
		if (i && out[i - 1].end > out[i].start)
			fail_msg("ranges %d [0x%llx,0x%llx) and %d [0x%llx,0x%llx) overlap or are unsorted",
				 i - 1, (unsigned long long)out[i - 1].start,
				 (unsigned long long)out[i - 1].end, i,
				 (unsigned long long)out[i].start, (unsigned long long)out[i].end);
	}
}

static void assert_range(const struct vmm_phys_range *r, u64 start, u64 end)
{
	if (r->start != start || r->end != end)
		fail_msg("got [0x%llx,0x%llx), expected [0x%llx,0x%llx)",
			 (unsigned long long)r->start, (unsigned long long)r->end,
			 (unsigned long long)start, (unsigned long long)end);
}

static void test_usable_minus_reserved(void **state)
{
	/* low 1 MiB, kernel image, two modules (one unaligned) */
	const struct vmm_phys_range resv[] = {
		{ 0, 1 * MiB, "BIOS and real-mode area" },
		{ 1 * MiB, 3 * MiB + 123, "kernel image" },
		{ 16 * MiB + 5, 16 * MiB + 100 * KiB + 7, "module" },
		{ 20 * MiB, 21 * MiB, "module" },
	};
	struct vmm_phys_range out[16];
	int n;

	(void)state;
	mem(0, 640 * KiB, VMM_MEM_USABLE);
	mem(640 * KiB, 384 * KiB, VMM_MEM_RESERVED);
	mem(1 * MiB, 127 * MiB, VMM_MEM_USABLE);
	n = vmm_host_mem_free_ranges(bi, resv, ARRAY_SIZE(resv), out, ARRAY_SIZE(out));
	assert_int_equal(n, 3);
	assert_well_formed(out, n);
	assert_range(&out[0], 3 * MiB + 4 * KiB, 16 * MiB);	/* kernel end widened */
	assert_range(&out[1], 16 * MiB + 104 * KiB, 20 * MiB);	/* module widened both ways */
	assert_range(&out[2], 21 * MiB, 128 * MiB);
}

static void test_no_reservations(void **state)
{
	struct vmm_phys_range out[4];
	int n;

	(void)state;
	mem(1 * MiB, 15 * MiB, VMM_MEM_USABLE);
	n = vmm_host_mem_free_ranges(bi, NULL, 0, out, ARRAY_SIZE(out));
	assert_int_equal(n, 1);
	assert_range(&out[0], 1 * MiB, 16 * MiB);
	/* no map at all, or nothing usable in it */
	bi->nr_mem = 0;
	assert_int_equal(vmm_host_mem_free_ranges(bi, NULL, 0, out, ARRAY_SIZE(out)), 0);
	mem(0, 1 * GiB, VMM_MEM_RESERVED);
	mem(1 * GiB, 1 * GiB, VMM_MEM_ACPI_NVS);
	mem(2 * GiB, 1 * GiB, VMM_MEM_BAD);
	assert_int_equal(vmm_host_mem_free_ranges(bi, NULL, 0, out, ARRAY_SIZE(out)), 0);
}

static void test_unaligned_usable_clipped(void **state)
{
	struct vmm_phys_range out[8];
	int n;

	(void)state;
	mem(0x101234, 0x5678 - 0x1234, VMM_MEM_USABLE);	/* [0x101234, 0x105678) */
	mem(0x201001, 0xffe, VMM_MEM_USABLE);		/* no whole page inside */
	mem(0x300800, 0x1000, VMM_MEM_USABLE);		/* straddles: no whole page */
	mem(0x400000, 0x2fff, VMM_MEM_USABLE);		/* two whole pages */
	n = vmm_host_mem_free_ranges(bi, NULL, 0, out, ARRAY_SIZE(out));
	assert_int_equal(n, 2);
	assert_well_formed(out, n);
	assert_range(&out[0], 0x102000, 0x105000);
	assert_range(&out[1], 0x400000, 0x402000);
}

static void test_overlapping_usable_entries(void **state)
{
	struct vmm_phys_range out[16];
	u64 total = 0;
	int n;

	(void)state;
	/* overlapping, contained, duplicated and adjacent usable entries */
	mem(1 * MiB, 7 * MiB, VMM_MEM_USABLE);		/* [1M, 8M) */
	mem(4 * MiB, 8 * MiB, VMM_MEM_USABLE);		/* [4M, 12M) */
	mem(2 * MiB, 1 * MiB, VMM_MEM_USABLE);		/* inside */
	mem(1 * MiB, 7 * MiB, VMM_MEM_USABLE);		/* duplicate */
	mem(12 * MiB, 1 * MiB, VMM_MEM_USABLE);		/* adjacent */
	mem(0x500800, 0x100000, VMM_MEM_USABLE);	/* unaligned, inside */
	n = vmm_host_mem_free_ranges(bi, NULL, 0, out, ARRAY_SIZE(out));
	assert_true(n > 0);
	assert_well_formed(out, n);
	for (int i = 0; i < n; i++)
		total += out[i].end - out[i].start;
	/* exactly the union [1M, 13M), each page once */
	assert_int_equal(total, 12 * MiB);
	assert_int_equal(out[0].start, 1 * MiB);
	assert_int_equal(out[n - 1].end, 13 * MiB);
	for (int i = 1; i < n; i++)
		assert_int_equal(out[i - 1].end, out[i].start);
}

static void test_usable_overlapped_by_map_reserved(void **state)
{
	struct vmm_phys_range out[16];
	int n;

	(void)state;
	/* the reserved entries come first in the map: order must not matter */
	mem(10 * MiB, 1, VMM_MEM_RESERVED);			/* one byte: one page */
	mem(60 * MiB, 4 * MiB, VMM_MEM_ACPI_RECLAIM);
	mem(30 * MiB + 100, 8 * KiB, VMM_MEM_BAD);		/* widened to 3 pages */
	mem(1 * MiB, 63 * MiB, VMM_MEM_USABLE);
	mem(40 * MiB, 2 * MiB, VMM_MEM_ACPI_NVS);
	mem(99, 7, 42);						/* unknown type */
	n = vmm_host_mem_free_ranges(bi, NULL, 0, out, ARRAY_SIZE(out));
	assert_int_equal(n, 4);
	assert_well_formed(out, n);
	assert_range(&out[0], 1 * MiB, 10 * MiB);
	assert_range(&out[1], 10 * MiB + 4 * KiB, 30 * MiB);
	assert_range(&out[2], 30 * MiB + 12 * KiB, 40 * MiB);
	assert_range(&out[3], 42 * MiB, 60 * MiB);
}

static void test_reservations_at_edges(void **state)
{
	const struct vmm_phys_range resv[] = {
		R(1 * MiB, 2 * MiB),		/* the whole first range */
		R(3 * MiB, 3 * MiB + 4 * KiB),	/* first page of the second */
		R(4 * MiB - 1, 4 * MiB),	/* its last byte -> last page */
		R(50 * MiB, 60 * MiB),		/* outside any RAM */
		R(0, 0),			/* empty */
	};
	struct vmm_phys_range out[8];
	int n;

	(void)state;
	mem(1 * MiB, 1 * MiB, VMM_MEM_USABLE);
	mem(3 * MiB, 1 * MiB, VMM_MEM_USABLE);
	n = vmm_host_mem_free_ranges(bi, resv, ARRAY_SIZE(resv), out, ARRAY_SIZE(out));
	assert_int_equal(n, 1);
	assert_range(&out[0], 3 * MiB + 4 * KiB, 4 * MiB - 4 * KiB);
	/* a reservation covering everything leaves nothing */
	{
		const struct vmm_phys_range all[] = { R(0, 1 * GiB) };

		assert_int_equal(vmm_host_mem_free_ranges(bi, all, 1, out, ARRAY_SIZE(out)), 0);
	}
}

static void test_too_many_ranges(void **state)
{
	struct vmm_phys_range out[4];
	const struct vmm_phys_range mid[] = { R(2 * MiB, 3 * MiB) };
	const struct vmm_phys_range holes[] = {
		R(1 * MiB, 1 * MiB + 4 * KiB), R(2 * MiB, 2 * MiB + 4 * KiB),
		R(3 * MiB, 3 * MiB + 4 * KiB), R(4 * MiB, 4 * MiB + 4 * KiB),
	};

	(void)state;
	for (int i = 0; i < 5; i++)
		mem((u64)(2 * i + 1) * MiB, 1 * MiB, VMM_MEM_USABLE);
	assert_int_equal(vmm_host_mem_free_ranges(bi, NULL, 0, out, 4), -VMM_ENOSPC);
	assert_int_equal(vmm_host_mem_free_ranges(bi, NULL, 0, out, 5 - 1), -VMM_ENOSPC);
	{
		struct vmm_phys_range out5[5];

		assert_int_equal(vmm_host_mem_free_ranges(bi, NULL, 0, out5, 5), 5);
	}
	assert_int_equal(vmm_host_mem_free_ranges(bi, NULL, 0, out, 0), -VMM_ENOSPC);
	/* a reservation that splits the only range needs a second slot */
	bi->nr_mem = 0;
	mem(1 * MiB, 4 * MiB, VMM_MEM_USABLE);
	assert_int_equal(vmm_host_mem_free_ranges(bi, mid, 1, out, 1), -VMM_ENOSPC);
	assert_int_equal(vmm_host_mem_free_ranges(bi, mid, 1, out, 2), 2);
	/* four holes cut [1M, 5M) into 4 pieces (the first hole is at its start) */
	assert_int_equal(vmm_host_mem_free_ranges(bi, holes, 4, out, 4), 4);
	assert_well_formed(out, 4);
	assert_int_equal(vmm_host_mem_free_ranges(bi, holes, 4, out, 3), -VMM_ENOSPC);
	/* a split by a reserved map entry needs the slot too */
	mem(2 * MiB, 4 * KiB, VMM_MEM_RESERVED);
	assert_int_equal(vmm_host_mem_free_ranges(bi, NULL, 0, out, 1), -VMM_ENOSPC);
	assert_int_equal(vmm_host_mem_free_ranges(bi, NULL, 0, out, 2), 2);
}

/*
 * Random maps checked page by page against a direct model: a page is free
 * when one usable entry contains it whole and no non-usable entry and no
 * reservation touches it.
 */
#define MODEL_PAGES 5120	/* 20 MiB: entries start below 16 MiB, span up to 3 MiB */

static u64 rnd_addr(void)
{
	return (u64)rand() % (16 * MiB);
}

static void test_random_maps_against_model(void **state)
{
	static u8 expect[MODEL_PAGES], got[MODEL_PAGES];
	struct vmm_phys_range resv[8], out[256];

	(void)state;
	srand(4242);
	for (int round = 0; round < 400; round++) {
		int nresv = rand() % 8, n;

		bi->nr_mem = 0;
		for (int i = 0, m = 1 + rand() % 12; i < m; i++) {
			u64 a = rnd_addr(), len = 1 + (u64)rand() % (3 * MiB);
			u32 type = rand() % 3 ? VMM_MEM_USABLE : (u32)(2 + rand() % 4);

			if (rand() % 2)
				a = ALIGN_DOWN(a, PAGE_SIZE);
			mem(a, len, type);
		}
		for (int i = 0; i < nresv; i++) {
			u64 a = rnd_addr();

			resv[i] = (struct vmm_phys_range){ a, a + 1 + (u64)rand() % (1 * MiB), "r" };
		}
		memset(expect, 0, sizeof(expect));
		for (u64 p = 0; p < MODEL_PAGES; p++) {
			u64 ps = p * PAGE_SIZE, pe = ps + PAGE_SIZE;
			bool usable = false, touched = false;

			for (u32 i = 0; i < bi->nr_mem; i++) {
				u64 s = bi->mem[i].base, e = s + bi->mem[i].length;

				if (bi->mem[i].type == VMM_MEM_USABLE && s <= ps && pe <= e)
					usable = true;
				if (bi->mem[i].type != VMM_MEM_USABLE && s < pe && ps < e)
					touched = true;
			}
			for (int i = 0; i < nresv; i++)
				if (resv[i].start < pe && ps < resv[i].end)
					touched = true;
			expect[p] = usable && !touched;
		}
		n = vmm_host_mem_free_ranges(bi, resv, nresv, out, ARRAY_SIZE(out));
		assert_true(n >= 0);
		assert_well_formed(out, n);
		memset(got, 0, sizeof(got));
		for (int i = 0; i < n; i++)
			for (u64 a = out[i].start; a < out[i].end; a += PAGE_SIZE) {
				u64 p = a / PAGE_SIZE;

				if (p >= MODEL_PAGES)
					fail_msg("round %d: page 0x%llx beyond the map", round,
						 (unsigned long long)a);
				if (got[p])
					fail_msg("round %d: page 0x%llx handed out twice", round,
						 (unsigned long long)a);
				got[p] = 1;
			}
		for (u64 p = 0; p < MODEL_PAGES; p++)
			if (got[p] != expect[p])
				fail_msg("round %d: page 0x%llx is %s but should be %s", round,
					 (unsigned long long)(p * PAGE_SIZE), got[p] ? "free" : "not free",
					 expect[p] ? "free" : "not free");
	}
}

static void test_ram_top(void **state)
{
	(void)state;
	assert_int_equal(vmm_host_ram_top(bi), 0);
	mem(0, 640 * KiB, VMM_MEM_USABLE);
	assert_int_equal(vmm_host_ram_top(bi), 640 * KiB);
	mem(1 * MiB, 2 * GiB - 1 * MiB, VMM_MEM_USABLE);
	mem(2 * GiB, 64 * KiB, VMM_MEM_ACPI_NVS);
	mem(4 * GiB - 16 * MiB, 16 * MiB, VMM_MEM_RESERVED);	/* firmware, not RAM */
	mem(3 * GiB, 1 * MiB, VMM_MEM_BAD);
	assert_int_equal(vmm_host_ram_top(bi), 2 * GiB + 64 * KiB);
	mem(2 * GiB + 1 * MiB, 1 * MiB, VMM_MEM_ACPI_RECLAIM);
	assert_int_equal(vmm_host_ram_top(bi), 2 * GiB + 2 * MiB);
	mem(4 * GiB, 2 * GiB, VMM_MEM_USABLE);			/* RAM above 4 GiB */
	assert_int_equal(vmm_host_ram_top(bi), 6 * GiB);
}

/* vmm_host_mem_init() over a host buffer: the reservations are never handed out. */
static void test_host_page_allocator(void **state)
{
	u8 *buf = aligned_alloc(4 * MiB, 8 * MiB);
	u64 b = (uintptr_t)buf;
	const struct vmm_phys_range resv[] = {
		{ b + 1 * MiB, b + 2 * MiB + 100, "kernel image" },
		{ b + 5 * MiB, b + 5 * MiB + 4 * KiB, "module" },
	};
	struct vmm_buddy *hb = vmm_host_buddy();
	u64 pages = 0;
	physical_addr_t pa;

	(void)state;
	assert_non_null(buf);
	mem(b, 8 * MiB, VMM_MEM_USABLE);
	assert_int_equal(vmm_host_mem_init(bi, resv, ARRAY_SIZE(resv)), VMM_OK);
	assert_int_equal(hb->nr_zones, 3);
	/* 2048 pages - 257 + 1 reserved - 1 state page per zone */
	assert_int_equal(hb->total_pages, 2048 - 258 - 3);
	assert_int_equal(hb->free_pages, hb->total_pages);
	while ((pa = vmm_host_page_alloc(0))) {
		assert_true(pa >= b && pa < b + 8 * MiB);
		assert_false(pa >= resv[0].start && pa < ALIGN_UP(resv[0].end, PAGE_SIZE));
		assert_false(pa >= resv[1].start && pa < resv[1].end);
		pages++;
	}
	assert_int_equal(pages, hb->total_pages);
	assert_true(fake_console_contains("mem: out of host memory allocating 4 KiB (order 0); 0 KiB free"));
	assert_int_equal(vmm_host_page_free(b + 8 * MiB - PAGE_SIZE), VMM_OK);
	assert_int_equal(hb->free_pages, 1);
	assert_int_equal(vmm_host_page_free(b + 8 * MiB - PAGE_SIZE), -VMM_EINVALID);
	assert_int_equal(vmm_host_page_free(b + 1 * MiB), -VMM_EFAULT);	/* reserved */
	assert_true(fake_irq_enabled());
	free(buf);
}

static void test_host_mem_claim_and_reserved(void **state)
{
	u8 *buf = aligned_alloc(4 * MiB, 8 * MiB);
	u64 b = (uintptr_t)buf;
	struct vmm_phys_range resv[] = {
		{ b, b + 1 * MiB, "low" },
		{ b + 5 * MiB, b + 5 * MiB + 100, "module" },
	};
	const struct vmm_phys_range *kept;
	struct vmm_buddy *hb = vmm_host_buddy();
	physical_addr_t pa;
	u32 count = 0;
	u64 free0;

	(void)state;
	assert_non_null(buf);
	mem(b, 8 * MiB, VMM_MEM_USABLE);
	assert_int_equal(vmm_host_mem_init(bi, resv, ARRAY_SIZE(resv)), VMM_OK);
	/* the reservations are kept as a copy */
	resv[1].start = 0;
	kept = vmm_host_mem_reserved(&count);
	assert_int_equal(count, 2);
	assert_int_equal(kept[0].start, b);
	assert_int_equal(kept[0].end, b + 1 * MiB);
	assert_int_equal(kept[1].start, b + 5 * MiB);
	assert_int_equal(kept[1].end, b + 5 * MiB + 100);
	assert_string_equal(kept[1].what, "module");
	/* a guest's fixed RAM: taken out of the allocator */
	free0 = hb->free_pages;
	assert_int_equal(vmm_host_mem_claim(b + 2 * MiB, b + 4 * MiB), VMM_OK);
	assert_int_equal(hb->free_pages, free0 - 512);
	assert_int_equal(vmm_host_mem_claim(b + 3 * MiB, b + 3 * MiB + PAGE_SIZE), -VMM_EBUSY);
	/* a reserved range is not the allocator's to give */
	assert_int_equal(vmm_host_mem_claim(b + 5 * MiB, b + 5 * MiB + PAGE_SIZE), -VMM_EFAULT);
	assert_int_equal(vmm_host_mem_claim(b + 1, b + PAGE_SIZE), -VMM_EINVALID);
	while ((pa = vmm_host_page_alloc(0)))
		assert_false(pa >= b + 2 * MiB && pa < b + 4 * MiB);
	assert_true(fake_irq_enabled());
	free(buf);
}

static void test_host_mem_init_without_reservations(void **state)
{
	u8 *buf = aligned_alloc(4 * MiB, 4 * MiB);
	u32 count = 99;

	(void)state;
	assert_non_null(buf);
	mem((uintptr_t)buf, 4 * MiB, VMM_MEM_USABLE);
	/* no reservations at all: NULL is as good as an empty array */
	assert_int_equal(vmm_host_mem_init(bi, NULL, 0), VMM_OK);
	assert_int_equal(vmm_host_buddy()->total_pages, 1023);
	assert_non_null(vmm_host_mem_reserved(&count));
	assert_int_equal(count, 0);
	free(buf);
}

static void test_host_mem_init_failures(void **state)
{
	u8 *buf = aligned_alloc(4 * MiB, 4 * MiB);
	u64 b = (uintptr_t)buf;
	const struct vmm_phys_range all[] = { { b, b + 4 * MiB, "everything" } };
	struct vmm_phys_range holes[40];

	(void)state;
	assert_non_null(buf);
	mem(b, 4 * MiB, VMM_MEM_USABLE);
	/* nothing left after the reservations */
	assert_int_equal(vmm_host_mem_init(bi, all, 1), -VMM_ENOMEM);
	assert_true(fake_console_contains("mem: no free RAM left for the page allocator"));
	/* more free ranges than the allocator has zones */
	for (int i = 0; i < 40; i++)
		holes[i] = (struct vmm_phys_range){ b + (u64)i * 64 * KiB, b + (u64)i * 64 * KiB + 4 * KiB,
						    "hole" };
	fake_console_reset();
	assert_int_equal(vmm_host_mem_init(bi, holes, 40), -VMM_ENOSPC);
	assert_true(fake_console_contains("mem: too many free RAM ranges for the allocator"));
	free(buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_usable_minus_reserved),
		T(test_no_reservations),
		T(test_unaligned_usable_clipped),
		T(test_overlapping_usable_entries),
		T(test_usable_overlapped_by_map_reserved),
		T(test_reservations_at_edges),
		T(test_too_many_ranges),
		T(test_random_maps_against_model),
		T(test_ram_top),
		T(test_host_page_allocator),
		T(test_host_mem_claim_and_reserved),
		T(test_host_mem_init_without_reservations),
		T(test_host_mem_init_failures),
	};

	return cmocka_run_group_tests_name("host_mem", tests, NULL, NULL);
}
