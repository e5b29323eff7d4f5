/*
 * kernel/cmdline.h - the kernel command line: "key=value" and bare "flag"
 * words separated by spaces; a value may be double-quoted to hold spaces.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "kernel/types.h"

/*
 * Find the last occurrence of 'key' and copy its value (quotes removed) to
 * 'val'. Returns the value's length, -VMM_ENOENT when absent, -VMM_ERANGE
 * when it does not fit (then 'val' holds the cut value).
 */
int vmm_cmdline_get(const char *cmdline, const char *key, char *val, size_t size);
/* true when 'key' appears, bare or with a value */
bool vmm_cmdline_has(const char *cmdline, const char *key);
/*
 * Call fn(key, keylen, user) for every word; used to warn about options the
 * kernel does not know.
 */
void vmm_cmdline_foreach(const char *cmdline,
			 void (*fn)(const char *key, size_t keylen, void *user), void *user);

#endif
