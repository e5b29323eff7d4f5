/*
 * kernel/problems.c - the configuration problem list (problems.h).
 */
#include <string.h>
#include "kernel/problems.h"
#include "kernel/heap.h"
#include "kernel/printk.h"

void vmm_problems_init(struct vmm_problems *p)
{
	memset(p, 0, sizeof(*p));
}

void vmm_problems_free(struct vmm_problems *p)
{
	vmm_free(p->items);
	memset(p, 0, sizeof(*p));
}

void vmm_problem_add(struct vmm_problems *p, const char *path, const char *fmt, ...)
{
	struct vmm_problem *it;
	va_list ap;

	if (p->count == p->cap) {
		u32 cap = p->cap ? p->cap * 2 : 8;
		struct vmm_problem *n = vmm_malloc(cap * sizeof(*n));

		if (!n) {
			p->dropped++;
			return;
		}
		if (p->items)
			memcpy(n, p->items, p->count * sizeof(*n));
		vmm_free(p->items);
		p->items = n;
		p->cap = cap;
	}
	it = &p->items[p->count++];
	strlcpy(it->path, path, sizeof(it->path));
	va_start(ap, fmt);
	vmm_vsnprintf(it->msg, sizeof(it->msg), fmt, ap);
	va_end(ap);
}

bool vmm_path_is_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(path, prefix, n) && (path[n] == 0 || path[n] == '/');
}

u32 vmm_problems_under(const struct vmm_problems *p, const char *prefix)
{
	u32 n = 0;

	for (u32 i = 0; i < p->count; i++)
		n += vmm_path_is_under(p->items[i].path, prefix);
	return n;
}
