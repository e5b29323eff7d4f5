/*
 * kernel/problems.h - a list of configuration problems, each tied to the
 * device-tree path it concerns, so that a rejected guest can be reported
 * with every problem found in it in one message.
 */
#ifndef KERNEL_PROBLEMS_H
#define KERNEL_PROBLEMS_H

#include "kernel/types.h"
#include "kernel/devtree.h"

#define VMM_PROBLEM_MSG_MAX 160

struct vmm_problem {
	char path[VMM_DEVTREE_PATH_MAX];
	char msg[VMM_PROBLEM_MSG_MAX];
};

struct vmm_problems {
	u32 count;
	u32 cap;
	u32 dropped;	/* problems that found no memory to be recorded */
	struct vmm_problem *items;
};

void vmm_problems_init(struct vmm_problems *p);
void vmm_problems_free(struct vmm_problems *p);
void vmm_problem_add(struct vmm_problems *p, const char *path, const char *fmt, ...) __printf(3, 4);
/* Number of problems whose path is 'prefix' or lies below it. */
u32 vmm_problems_under(const struct vmm_problems *p, const char *prefix);
bool vmm_path_is_under(const char *path, const char *prefix);

#endif
