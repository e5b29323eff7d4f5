/*
 * kernel/devtree_fdt.h - unflattening a DTB into vmm_devtree.
 */
#ifndef KERNEL_DEVTREE_FDT_H
#define KERNEL_DEVTREE_FDT_H

#include "kernel/devtree.h"
#include "kernel/problems.h"

/*
 * Check the blob (header, structure, size <= 'size') and unflatten it.
 * Chapter 2's rules are enforced item by item: a node or attribute that
 * breaks one is left out and recorded in 'problems' under its full path.
 * Returns the root, or NULL with a message when the blob itself is unusable.
 */
struct vmm_devtree_node *vmm_devtree_unflatten(const void *blob, size_t size,
					       struct vmm_problems *problems);

/* Type the schema gives an attribute name, or -1 when the schema is silent. */
int vmm_devtree_schema_type(const char *attr_name);

#endif
