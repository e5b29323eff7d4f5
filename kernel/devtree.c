/*
 * kernel/devtree.c - the configuration tree in memory: nodes, attributes,
 * lookups, typed getters, setters, deletion and the printer (devtree.h).
 */
#include <string.h>
#include "kernel/devtree.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"

static struct vmm_devtree_node *live_root;

struct vmm_devtree_node *vmm_devtree_root(void)
{
	return live_root;
}

void vmm_devtree_set_root(struct vmm_devtree_node *root)
{
	live_root = root;
}

static bool name_char_ok(char c, bool hash_ok)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || (hash_ok && c == '#');
}

static bool valid_name(const char *name, bool hash_ok)
{
	size_t n = 0;

	if (!name || !*name)
		return false;
	for (; name[n]; n++)
		if (n >= VMM_DEVTREE_NAME_MAX - 1 || !name_char_ok(name[n], hash_ok))
			return false;
	return true;
}

bool vmm_devtree_valid_node_name(const char *name)
{
	return valid_name(name, false);
}

bool vmm_devtree_valid_attr_name(const char *name)
{
	return valid_name(name, true);
}

static char *dup_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = vmm_malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

struct vmm_devtree_node *vmm_devtree_node_new(struct vmm_devtree_node *parent, const char *name)
{
	struct vmm_devtree_node *n, **link;

	if (!name || (parent && !vmm_devtree_valid_node_name(name)))
		return NULL;
	if (parent && vmm_devtree_child(parent, name))
		return NULL;
	n = vmm_zalloc(sizeof(*n));
	if (!n)
		return NULL;
	n->name = dup_string(name);
	if (!n->name) {
		vmm_free(n);
		return NULL;
	}
	n->parent = parent;
	if (parent) {	/* keep children in insertion order */
		for (link = &parent->child; *link; link = &(*link)->sibling)
			;
		*link = n;
	}
	return n;
}

static void free_attr(struct vmm_devtree_attr *a)
{
	vmm_free(a->name);
	vmm_free(a->value);
	vmm_free(a);
}

void vmm_devtree_node_free(struct vmm_devtree_node *node)
{
	if (!node)
		return;
	if (node->parent) {
		struct vmm_devtree_node **link = &node->parent->child;

		while (*link && *link != node)
			link = &(*link)->sibling;
		if (*link)
			*link = node->sibling;
		node->parent = NULL;
	}
	while (node->child)
		vmm_devtree_node_free(node->child);
	while (node->attrs) {
		struct vmm_devtree_attr *a = node->attrs;

		node->attrs = a->next;
		free_attr(a);
	}
	if (node == live_root)
		live_root = NULL;
	vmm_free(node->name);
	vmm_free(node);
}

struct vmm_devtree_node *vmm_devtree_child(const struct vmm_devtree_node *node, const char *name)
{
	struct vmm_devtree_node *c;

	vmm_devtree_for_each_child(c, node)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

struct vmm_devtree_node *vmm_devtree_find(struct vmm_devtree_node *from, const char *path)
{
	struct vmm_devtree_node *n = from;
	char part[VMM_DEVTREE_NAME_MAX];

	if (!from || !path)
		return NULL;
	if (*path == '/') {
		while (n->parent)
			n = n->parent;
	}
	while (*path) {
		size_t len;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		len = strcspn(path, "/");
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, path, len);
		part[len] = 0;
		path += len;
		if (!strcmp(part, "."))
			continue;
		if (!strcmp(part, "..")) {
			n = n->parent ? n->parent : n;
			continue;
		}
		n = vmm_devtree_child(n, part);
		if (!n)
			return NULL;
	}
	return n;
}

char *vmm_devtree_path(const struct vmm_devtree_node *node, char *buf, size_t size)
{
	const struct vmm_devtree_node *chain[32];
	int depth = 0;
	size_t off = 0;

	if (!size)
		return buf;
	buf[0] = 0;
	for (; node && node->parent && depth < 32; node = node->parent)
		chain[depth++] = node;
	if (!depth) {
		vmm_snprintf(buf, size, "/");
		return buf;
	}
	while (depth-- > 0 && off < size)
		off += vmm_snprintf(buf + off, size - off, "/%s", chain[depth]->name);
	return buf;
}

u32 vmm_devtree_child_count(const struct vmm_devtree_node *node)
{
	struct vmm_devtree_node *c;
	u32 n = 0;

	vmm_devtree_for_each_child(c, node)
		n++;
	return n;
}

struct vmm_devtree_attr *vmm_devtree_attr(const struct vmm_devtree_node *node, const char *name)
{
	if (!node)
		return NULL;
	for (struct vmm_devtree_attr *a = node->attrs; a; a = a->next)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

int vmm_devtree_check_value(enum vmm_devtree_type type, const void *value, u32 len)
{
	const char *s = value;

	switch (type) {
	case VMM_DEVTREE_EMPTY:
		return len == 0 ? VMM_OK : -VMM_EINVALID;
	case VMM_DEVTREE_U32:
		return len == 4 ? VMM_OK : -VMM_EINVALID;
	case VMM_DEVTREE_U64:
		return len == 8 ? VMM_OK : -VMM_EINVALID;
	case VMM_DEVTREE_CELLS:
		return len % 4 == 0 ? VMM_OK : -VMM_EINVALID;
	case VMM_DEVTREE_STRING:
		/* exactly one string: NUL at the end and nowhere before */
		if (!len || s[len - 1] || strnlen(s, len) != len - 1)
			return -VMM_EINVALID;
		return VMM_OK;
	case VMM_DEVTREE_STRINGS:
		/* NUL-terminated, and no empty string (two NULs in a row) */
		if (!len || s[len - 1] || s[0] == 0)
			return -VMM_EINVALID;
		for (u32 i = 1; i < len; i++)
			if (!s[i] && !s[i - 1])
				return -VMM_EINVALID;
		return VMM_OK;
	case VMM_DEVTREE_BYTES:
		return VMM_OK;
	}
	return -VMM_EINVALID;
}

int vmm_devtree_setattr(struct vmm_devtree_node *node, const char *name,
			enum vmm_devtree_type type, const void *value, u32 len)
{
	struct vmm_devtree_attr *a, **link;
	void *copy = NULL;
	int rc;

	if (!node || !vmm_devtree_valid_attr_name(name))
		return -VMM_EINVALID;
	rc = vmm_devtree_check_value(type, value, len);
	if (rc)
		return rc;
	if (len) {
		copy = vmm_malloc(len);
		if (!copy)
			return -VMM_ENOMEM;
		memcpy(copy, value, len);
	}
	a = vmm_devtree_attr(node, name);
	if (a) {
		vmm_free(a->value);
	} else {
		a = vmm_zalloc(sizeof(*a));
		if (!a || !(a->name = dup_string(name))) {
			vmm_free(a);
			vmm_free(copy);
			return -VMM_ENOMEM;
		}
		for (link = &node->attrs; *link; link = &(*link)->next)
			;
		*link = a;
	}
	a->type = type;
	a->len = len;
	a->value = copy;
	return VMM_OK;
}

int vmm_devtree_delattr(struct vmm_devtree_node *node, const char *name)
{
	struct vmm_devtree_attr **link;

	if (!node)
		return -VMM_EINVALID;
	for (link = &node->attrs; *link; link = &(*link)->next) {
		if (!strcmp((*link)->name, name)) {
			struct vmm_devtree_attr *a = *link;

			*link = a->next;
			free_attr(a);
			return VMM_OK;
		}
	}
	return -VMM_ENOENT;
}

int vmm_devtree_read_u32(const struct vmm_devtree_node *node, const char *name, u32 *out)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(node, name);

	if (!a)
		return -VMM_ENOENT;
	if ((a->type != VMM_DEVTREE_U32 && a->type != VMM_DEVTREE_CELLS) || a->len != 4)
		return -VMM_EINVALID;
	memcpy(out, a->value, 4);
	return VMM_OK;
}

int vmm_devtree_read_u64(const struct vmm_devtree_node *node, const char *name, u64 *out)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(node, name);
	u32 v32;

	if (!a)
		return -VMM_ENOENT;
	if (a->type == VMM_DEVTREE_U64 && a->len == 8) {
		memcpy(out, a->value, 8);
		return VMM_OK;
	}
	if ((a->type == VMM_DEVTREE_U32 || a->type == VMM_DEVTREE_CELLS) && a->len == 4) {
		memcpy(&v32, a->value, 4);
		*out = v32;
		return VMM_OK;
	}
	return -VMM_EINVALID;
}

int vmm_devtree_read_string(const struct vmm_devtree_node *node, const char *name, const char **out)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(node, name);

	if (!a)
		return -VMM_ENOENT;
	if (a->type != VMM_DEVTREE_STRING && a->type != VMM_DEVTREE_STRINGS)
		return -VMM_EINVALID;
	*out = a->value;
	return VMM_OK;
}

int vmm_devtree_string_count(const struct vmm_devtree_node *node, const char *name)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(node, name);
	int n = 0;

	if (!a)
		return -VMM_ENOENT;
	if (a->type != VMM_DEVTREE_STRING && a->type != VMM_DEVTREE_STRINGS)
		return -VMM_EINVALID;
	for (u32 i = 0; i < a->len; i++)
		n += ((const char *)a->value)[i] == 0;
	return n;
}

int vmm_devtree_read_string_index(const struct vmm_devtree_node *node, const char *name,
				  u32 index, const char **out)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(node, name);
	const char *s;
	u32 off = 0;

	if (!a)
		return -VMM_ENOENT;
	if (a->type != VMM_DEVTREE_STRING && a->type != VMM_DEVTREE_STRINGS)
		return -VMM_EINVALID;
	s = a->value;
	while (index--) {
		off += strlen(s + off) + 1;
		if (off >= a->len)
			return -VMM_ERANGE;
	}
	*out = s + off;
	return VMM_OK;
}

int vmm_devtree_read_cells(const struct vmm_devtree_node *node, const char *name,
			   u32 *out, u32 max)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(node, name);
	u32 n;

	if (!a)
		return -VMM_ENOENT;
	if (a->type != VMM_DEVTREE_CELLS && a->type != VMM_DEVTREE_U32)
		return -VMM_EINVALID;
	n = a->len / 4;
	if (MIN(n, max))	/* out may be NULL to count, value NULL when empty */
		memcpy(out, a->value, MIN(n, max) * 4);
	return (int)n;
}

u32 vmm_devtree_u32_default(const struct vmm_devtree_node *node, const char *name, u32 def)
{
	u32 v;

	return vmm_devtree_read_u32(node, name, &v) ? def : v;
}

u64 vmm_devtree_u64_default(const struct vmm_devtree_node *node, const char *name, u64 def)
{
	u64 v;

	return vmm_devtree_read_u64(node, name, &v) ? def : v;
}

const char *vmm_devtree_string_default(const struct vmm_devtree_node *node, const char *name,
				       const char *def)
{
	const char *s;

	return vmm_devtree_read_string(node, name, &s) ? def : s;
}

bool vmm_devtree_string_is(const struct vmm_devtree_node *node, const char *name, const char *value)
{
	const char *s;

	return !vmm_devtree_read_string(node, name, &s) && !strcmp(s, value);
}

const char *vmm_devtree_type_name(enum vmm_devtree_type type)
{
	static const char *const names[] = {
		[VMM_DEVTREE_BYTES] = "bytes", [VMM_DEVTREE_EMPTY] = "empty",
		[VMM_DEVTREE_U32] = "u32", [VMM_DEVTREE_U64] = "u64",
		[VMM_DEVTREE_CELLS] = "cells", [VMM_DEVTREE_STRING] = "string",
		[VMM_DEVTREE_STRINGS] = "string list",
	};

	return (unsigned int)type < ARRAY_SIZE(names) ? names[type] : "?";
}

static void print_value(const struct vmm_devtree_attr *a, char *buf, size_t size)
{
	size_t off = 0;
	const u8 *b = a->value;

	buf[0] = 0;
	switch (a->type) {
	case VMM_DEVTREE_EMPTY:
		break;
	case VMM_DEVTREE_U32:
	case VMM_DEVTREE_CELLS:
		off += vmm_snprintf(buf + off, size - off, " = <");
		for (u32 i = 0; i < a->len / 4 && off < size; i++) {
			u32 v;

			memcpy(&v, b + i * 4, 4);
			off += vmm_snprintf(buf + off, size - off, "%s0x%x", i ? " " : "", v);
		}
		if (off < size)
			vmm_snprintf(buf + off, size - off, ">");
		break;
	case VMM_DEVTREE_U64: {
		u64 v;

		memcpy(&v, b, 8);
		vmm_snprintf(buf, size, " = /bits/ 64 <0x%llx>", (unsigned long long)v);
		break;
	}
	case VMM_DEVTREE_STRING:
	case VMM_DEVTREE_STRINGS:
		off += vmm_snprintf(buf + off, size - off, " = \"");
		for (u32 i = 0; i + 1 < a->len && off < size; i++)
			off += b[i] ? vmm_snprintf(buf + off, size - off, "%c", b[i])
				    : vmm_snprintf(buf + off, size - off, "\", \"");
		if (off < size)
			vmm_snprintf(buf + off, size - off, "\"");
		break;
	case VMM_DEVTREE_BYTES:
		off += vmm_snprintf(buf + off, size - off, " = [");
		for (u32 i = 0; i < a->len && off < size; i++)
			off += vmm_snprintf(buf + off, size - off, "%s%02x", i ? " " : "", b[i]);
		if (off < size)
			vmm_snprintf(buf + off, size - off, "]");
		break;
	}
}

void vmm_devtree_print(const struct vmm_devtree_node *node, int depth)
{
	char value[200];
	struct vmm_devtree_node *c;
	int ind = depth * 4;

	if (!node)
		return;
	vmm_printk(VMM_LOG_EMERG, "%*s%s {\n", ind, "", node->parent ? node->name : "/");
	for (struct vmm_devtree_attr *a = node->attrs; a; a = a->next) {
		print_value(a, value, sizeof(value));
		vmm_printk(VMM_LOG_EMERG, "%*s%s%s;\n", ind + 4, "", a->name, value);
	}
	vmm_devtree_for_each_child(c, node)
		vmm_devtree_print(c, depth + 1);
	vmm_printk(VMM_LOG_EMERG, "%*s};\n", ind, "");
}
