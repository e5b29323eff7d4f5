/*
 * tests/unit/fake_heap.h - vmm_malloc()/vmm_zalloc()/vmm_free() (kernel/heap.h)
 * over the host's malloc, so that AddressSanitizer sees every kernel object
 * on its own (overflows, use after free, leaks), plus what tests need:
 * the number of live objects and an injected allocation failure.
 *
 * Include it in exactly one file of a test binary (it defines the three
 * functions, so kernel/heap.c is not pulled from the kernel archive).
 */
#ifndef UNIT_FAKE_HEAP_H
#define UNIT_FAKE_HEAP_H

#include <stdlib.h>
#include <string.h>

#include "kernel/heap.h"

/* objects handed out and not yet freed */
static long fake_heap_live;
/* the allocation that fails: 1 = the next one, 0 = none */
static long fake_heap_fail_at;
/* allocations made since the last fake_heap_reset() */
static long fake_heap_allocs;

static inline void fake_heap_reset(void)
{
	fake_heap_fail_at = 0;
	fake_heap_allocs = 0;
}

/* Make the n-th allocation from now fail (and only that one). */
static inline void fake_heap_fail_nth(long n)
{
	fake_heap_allocs = 0;
	fake_heap_fail_at = n;
}

void *vmm_malloc(size_t size)
{
	void *p;

	if (fake_heap_fail_at && ++fake_heap_allocs == fake_heap_fail_at)
		return NULL;
	p = malloc(size ? size : 1);
	if (p) {
		memset(p, 0xA5, size);	/* the kernel heap does not zero either */
		fake_heap_live++;
	}
	return p;
}

void *vmm_zalloc(size_t size)
{
	void *p = vmm_malloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void vmm_free(void *ptr)
{
	if (ptr)
		fake_heap_live--;
	free(ptr);
}

#endif
