/*
 * kernel/devtree.h - the hypervisor's configuration tree (vmm_devtree).
 *
 * Chapter 2 of the Xvisor design: one tree with /vmm (general settings),
 * /host (CPUs and host hardware) and /guests/<name> (vcpus/, aspace/).
 * It is unflattened from a DTB (kernel/devtree_fdt.c) with chapter 2's rules
 * enforced, and every attribute value is held in host byte order, converted
 * once at unflatten time according to its type.
 */
#ifndef KERNEL_DEVTREE_H
#define KERNEL_DEVTREE_H

#include "kernel/types.h"

#define VMM_DEVTREE_PATH_MAX 256
#define VMM_DEVTREE_NAME_MAX 64

enum vmm_devtree_type {
	VMM_DEVTREE_BYTES = 0,	/* raw bytes (no type known) */
	VMM_DEVTREE_EMPTY,	/* present, no value (a flag) */
	VMM_DEVTREE_U32,	/* exactly one 32-bit value */
	VMM_DEVTREE_U64,	/* exactly one 64-bit value */
	VMM_DEVTREE_CELLS,	/* array of 32-bit values */
	VMM_DEVTREE_STRING,	/* one NUL-terminated string */
	VMM_DEVTREE_STRINGS,	/* strings, each NUL-terminated, one NUL between */
};

struct vmm_devtree_attr {
	char *name;
	enum vmm_devtree_type type;
	u32 len;		/* bytes of value */
	void *value;		/* host byte order for U32/U64/CELLS */
	struct vmm_devtree_attr *next;
};

struct vmm_devtree_node {
	char *name;
	struct vmm_devtree_node *parent;
	struct vmm_devtree_node *child;		/* first child */
	struct vmm_devtree_node *sibling;	/* next sibling */
	struct vmm_devtree_attr *attrs;
};

#define vmm_devtree_for_each_child(c, node) \
	for ((c) = (node) ? (node)->child : NULL; (c); (c) = (c)->sibling)

/* Chapter 2 name rules */
bool vmm_devtree_valid_node_name(const char *name);
bool vmm_devtree_valid_attr_name(const char *name);

/* Tree building and lookup */
struct vmm_devtree_node *vmm_devtree_node_new(struct vmm_devtree_node *parent, const char *name);
/* Free a node, its attributes and its whole subtree (unlinks it first). */
void vmm_devtree_node_free(struct vmm_devtree_node *node);
struct vmm_devtree_node *vmm_devtree_child(const struct vmm_devtree_node *node, const char *name);
/* Find by absolute ("/guests/g0") or relative ("vcpus/vcpu0") path. */
struct vmm_devtree_node *vmm_devtree_find(struct vmm_devtree_node *from, const char *path);
/* Full path of a node into buf; returns buf. */
char *vmm_devtree_path(const struct vmm_devtree_node *node, char *buf, size_t size);
u32 vmm_devtree_child_count(const struct vmm_devtree_node *node);

/* Attributes */
struct vmm_devtree_attr *vmm_devtree_attr(const struct vmm_devtree_node *node, const char *name);
/* Create or replace; 'value' (len bytes, host order) is copied. */
int vmm_devtree_setattr(struct vmm_devtree_node *node, const char *name,
			enum vmm_devtree_type type, const void *value, u32 len);
int vmm_devtree_delattr(struct vmm_devtree_node *node, const char *name);
/* Check a value against its type's rules (sizes, string termination). */
int vmm_devtree_check_value(enum vmm_devtree_type type, const void *value, u32 len);

/*
 * Typed getters: VMM_OK, -VMM_ENOENT (absent) or -VMM_EINVALID (present with
 * another type or size). A U32 attribute is also readable as u64.
 */
int vmm_devtree_read_u32(const struct vmm_devtree_node *node, const char *name, u32 *out);
int vmm_devtree_read_u64(const struct vmm_devtree_node *node, const char *name, u64 *out);
int vmm_devtree_read_string(const struct vmm_devtree_node *node, const char *name, const char **out);
/* Number of strings in a STRING/STRINGS attribute, or a negative error. */
int vmm_devtree_string_count(const struct vmm_devtree_node *node, const char *name);
int vmm_devtree_read_string_index(const struct vmm_devtree_node *node, const char *name,
				  u32 index, const char **out);
/* Cells: copies up to max values, returns how many the attribute has. */
int vmm_devtree_read_cells(const struct vmm_devtree_node *node, const char *name,
			   u32 *out, u32 max);
/* Getters that fall back to a default when the attribute is absent or bad. */
u32 vmm_devtree_u32_default(const struct vmm_devtree_node *node, const char *name, u32 def);
u64 vmm_devtree_u64_default(const struct vmm_devtree_node *node, const char *name, u64 def);
const char *vmm_devtree_string_default(const struct vmm_devtree_node *node, const char *name,
				       const char *def);
/* true when a string attribute holds exactly 'value' */
bool vmm_devtree_string_is(const struct vmm_devtree_node *node, const char *name, const char *value);

/* Print a subtree in DTS syntax through vmm_printk (used by the terminal). */
void vmm_devtree_print(const struct vmm_devtree_node *node, int depth);
const char *vmm_devtree_type_name(enum vmm_devtree_type type);

/* The live configuration tree (NULL before it is loaded). */
struct vmm_devtree_node *vmm_devtree_root(void);
void vmm_devtree_set_root(struct vmm_devtree_node *root);

#endif
