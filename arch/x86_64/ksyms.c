/*
 * arch/x86_64/ksyms.c - symbol names for backtraces.
 *
 * The table lives in section .ksyms, generated from the first link of the
 * kernel by scripts/gen-ksyms.sh and linked in on the second pass (see
 * GNUmakefile). Entries are sorted by address.
 */
#include "kernel/arch_debug.h"
#include "kernel/types.h"

struct ksym {
	u64 addr;
	u64 name;	/* address of a NUL-terminated name */
};

extern const u64 ksyms_count __attribute__((weak));
extern const struct ksym ksyms_table[] __attribute__((weak));
extern char _text_start[], _text_end[];

const char *arch_symbol_lookup(unsigned long addr, unsigned long *offset)
{
	u64 lo = 0, hi;

	if (!&ksyms_count || !ksyms_count)
		return NULL;
	if (addr < (unsigned long)_text_start || addr >= (unsigned long)_text_end)
		return NULL;
	hi = ksyms_count;
	/* last entry with addr <= target */
	while (hi - lo > 1) {
		u64 mid = (lo + hi) / 2;

		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_table[lo].addr > addr)
		return NULL;
	*offset = addr - ksyms_table[lo].addr;
	return (const char *)(uintptr_t)ksyms_table[lo].name;
}
