/*
 * kernel/devtree_fdt.c - DTB to vmm_devtree, with chapter 2 of the Xvisor
 * design enforced: node names [0-9a-zA-Z_-], attribute names
 * [0-9a-zA-Z_#-], strings NUL-terminated, string lists separated by exactly
 * one NUL, u32/u64 attributes of exactly 4/8 bytes where the schema says so.
 * Values are converted from the blob's big-endian to host order here, once.
 * Uses libfdt (Debian's libfdt.a in the kernel, the host's in unit tests).
 */
#include <string.h>
#include <libfdt.h>
#include "kernel/devtree_fdt.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define MAX_DEPTH 16

/* The attribute schema: names whose type is fixed (see dts/README). */
static const struct {
	const char *name;
	enum vmm_devtree_type type;
} schema[] = {
	{ "device_type", VMM_DEVTREE_STRING },
	{ "compatible", VMM_DEVTREE_STRINGS },
	{ "model", VMM_DEVTREE_STRING },
	{ "manifest_type", VMM_DEVTREE_STRING },
	{ "address_type", VMM_DEVTREE_STRING },
	{ "guest_physical_addr", VMM_DEVTREE_U64 },
	{ "host_physical_addr", VMM_DEVTREE_U64 },
	{ "physical_size", VMM_DEVTREE_U64 },
	{ "start_pc", VMM_DEVTREE_U64 },
	{ "time_slice", VMM_DEVTREE_U64 },
	{ "default_time_slice", VMM_DEVTREE_U64 },
	{ "priority", VMM_DEVTREE_U32 },
	{ "max_guest_count", VMM_DEVTREE_U32 },
	{ "max_vcpu_count", VMM_DEVTREE_U32 },
	{ "cpu_count", VMM_DEVTREE_U32 },
	{ "reg", VMM_DEVTREE_CELLS },
	{ "interrupts", VMM_DEVTREE_CELLS },
	{ "baudrate", VMM_DEVTREE_U32 },
	{ "io_port", VMM_DEVTREE_U32 },
	{ "console", VMM_DEVTREE_STRING },
	{ "bootcmd", VMM_DEVTREE_STRINGS },
	{ "image", VMM_DEVTREE_STRING },
	{ "load_offset", VMM_DEVTREE_U64 },
	{ "cpu_mode", VMM_DEVTREE_STRING },
	{ "page_table_addr", VMM_DEVTREE_U64 },
	{ "on_triple_fault", VMM_DEVTREE_STRING },
	{ "unassigned_io", VMM_DEVTREE_STRING },
	{ "start", VMM_DEVTREE_STRING },
	{ "affinity", VMM_DEVTREE_CELLS },
	{ "apic_id", VMM_DEVTREE_U32 },
	{ "status", VMM_DEVTREE_STRING },
	{ "#address-cells", VMM_DEVTREE_U32 },
	{ "#size-cells", VMM_DEVTREE_U32 },
};

int vmm_devtree_schema_type(const char *attr_name)
{
	for (size_t i = 0; i < ARRAY_SIZE(schema); i++)
		if (!strcmp(schema[i].name, attr_name))
			return schema[i].type;
	return -1;
}

/* Type of an attribute the schema does not know, judged by its bytes. */
static enum vmm_devtree_type guess_type(const u8 *v, u32 len)
{
	bool printable = len > 0 && v[len - 1] == 0 && v[0] != 0;

	if (!len)
		return VMM_DEVTREE_EMPTY;
	for (u32 i = 0; printable && i < len; i++) {
		if (v[i] == 0) {
			if (i && v[i - 1] == 0)
				printable = false;
		} else if (v[i] < 0x20 || v[i] > 0x7e) {
			printable = false;
		}
	}
	if (printable)
		return memchr(v, 0, len - 1) ? VMM_DEVTREE_STRINGS : VMM_DEVTREE_STRING;
	return len % 4 == 0 ? VMM_DEVTREE_CELLS : VMM_DEVTREE_BYTES;
}

static u32 be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

static const char *type_rule(enum vmm_devtree_type t)
{
	switch (t) {
	case VMM_DEVTREE_U32: return "must be one 32-bit value (exactly 4 bytes)";
	case VMM_DEVTREE_U64: return "must be one 64-bit value (exactly 8 bytes: /bits/ 64 <v> or <hi lo>)";
	case VMM_DEVTREE_CELLS: return "must be 32-bit cells (a multiple of 4 bytes)";
	case VMM_DEVTREE_STRING: return "must be one NUL-terminated string";
	case VMM_DEVTREE_STRINGS: return "must be NUL-terminated strings separated by exactly one NUL";
	default: return "is malformed";
	}
}

struct unflatten_ctx {
	const void *fdt;
	struct vmm_problems *problems;
	bool out_of_memory;
};

static int add_attr(struct unflatten_ctx *ctx, struct vmm_devtree_node *node,
		    const char *path, const char *name, const u8 *raw, u32 len)
{
	int st = vmm_devtree_schema_type(name);
	enum vmm_devtree_type type = st >= 0 ? (enum vmm_devtree_type)st : guess_type(raw, len);
	u8 stackbuf[64];
	u8 *val = stackbuf;
	int rc;

	if (!vmm_devtree_valid_attr_name(name)) {
		vmm_problem_add(ctx->problems, path,
				"attribute name '%s' breaks chapter 2 rules (only 0-9 a-z A-Z _ - # allowed, at most %d characters)",
				name, VMM_DEVTREE_NAME_MAX - 1);
		return -VMM_EINVALID;
	}
	if (vmm_devtree_check_value(type, raw, len)) {
		vmm_problem_add(ctx->problems, path, "attribute '%s' %s; it has %u bytes",
				name, type_rule(type), len);
		return -VMM_EINVALID;
	}
	if (len > sizeof(stackbuf)) {
		val = vmm_malloc(len);
		if (!val) {
			ctx->out_of_memory = true;
			return -VMM_ENOMEM;
		}
	}
	/* convert to host order once */
	if (type == VMM_DEVTREE_U32 || type == VMM_DEVTREE_CELLS) {
		for (u32 i = 0; i < len / 4; i++) {
			u32 v = be32(raw + i * 4);

			memcpy(val + i * 4, &v, 4);
		}
	} else if (type == VMM_DEVTREE_U64) {
		u64 v = ((u64)be32(raw) << 32) | be32(raw + 4);

		memcpy(val, &v, 8);
	} else if (len) {
		memcpy(val, raw, len);
	}
	rc = vmm_devtree_setattr(node, name, type, val, len);
	if (val != stackbuf)
		vmm_free(val);
	if (rc == -VMM_ENOMEM)
		ctx->out_of_memory = true;
	return rc;
}

static void unflatten_node(struct unflatten_ctx *ctx, int offset,
			   struct vmm_devtree_node *node, int depth)
{
	char path[VMM_DEVTREE_PATH_MAX];
	int prop, sub;

	vmm_devtree_path(node, path, sizeof(path));
	fdt_for_each_property_offset(prop, ctx->fdt, offset) {
		const char *name;
		int len;
		const void *v = fdt_getprop_by_offset(ctx->fdt, prop, &name, &len);

		if (!v || !name || len < 0) {
			vmm_problem_add(ctx->problems, path, "unreadable attribute");
			continue;
		}
		if (vmm_devtree_attr(node, name)) {
			vmm_problem_add(ctx->problems, path, "attribute '%s' appears twice", name);
			continue;
		}
		add_attr(ctx, node, path, name, v, (u32)len);
		if (ctx->out_of_memory)
			return;
	}
	fdt_for_each_subnode(sub, ctx->fdt, offset) {
		int nlen;
		const char *name = fdt_get_name(ctx->fdt, sub, &nlen);
		struct vmm_devtree_node *child;

		if (!name) {
			vmm_problem_add(ctx->problems, path, "unreadable child node");
			continue;
		}
		if (!vmm_devtree_valid_node_name(name)) {
			char bad[VMM_DEVTREE_PATH_MAX];

			vmm_snprintf(bad, sizeof(bad), "%s/%s", node->parent ? path : "", name);
			if (nlen >= VMM_DEVTREE_NAME_MAX)	/* the path shows it; keep the reason */
				vmm_problem_add(ctx->problems, bad,
						"node name of %d characters breaks chapter 2 rules (at most %d); node and its subtree left out",
						nlen, VMM_DEVTREE_NAME_MAX - 1);
			else
				vmm_problem_add(ctx->problems, bad,
						"node name '%s' breaks chapter 2 rules (only 0-9 a-z A-Z _ - allowed, no unit address, at most %d characters); node and its subtree left out",
						name, VMM_DEVTREE_NAME_MAX - 1);
			continue;
		}
		if (vmm_devtree_child(node, name)) {
			vmm_problem_add(ctx->problems, path, "child node '%s' appears twice", name);
			continue;
		}
		if (depth + 1 >= MAX_DEPTH) {
			vmm_problem_add(ctx->problems, path,
					"nodes nested deeper than %d levels left out", MAX_DEPTH);
			continue;
		}
		child = vmm_devtree_node_new(node, name);
		if (!child) {
			ctx->out_of_memory = true;
			return;
		}
		unflatten_node(ctx, sub, child, depth + 1);
		if (ctx->out_of_memory)
			return;
	}
}

struct vmm_devtree_node *vmm_devtree_unflatten(const void *blob, size_t size,
					       struct vmm_problems *problems)
{
	struct unflatten_ctx ctx = { blob, problems, false };
	struct vmm_devtree_node *root;
	int rc;

	if (!blob || size < sizeof(struct fdt_header)) {
		vmm_err("devtree: blob of %zu bytes is too small for a DTB header\n", size);
		return NULL;
	}
	rc = fdt_check_header(blob);
	if (rc) {
		vmm_err("devtree: not a valid DTB: %s\n", fdt_strerror(rc));
		return NULL;
	}
	/* before 16, node names were paths: libfdt 1.6.1's check of them can crash */
	if (fdt_version(blob) < 16) {
		vmm_err("devtree: DTB version %u is not supported (16 or later; dtc writes 17)\n",
			fdt_version(blob));
		return NULL;
	}
	/* libfdt reads these blocks as aligned structures (the DT spec aligns them) */
	if (fdt_off_dt_struct(blob) % 4 || fdt_off_mem_rsvmap(blob) % 8) {
		vmm_err("devtree: DTB blocks misaligned: structure at 0x%x (needs 4), memory reservations at 0x%x (needs 8)\n",
			fdt_off_dt_struct(blob), fdt_off_mem_rsvmap(blob));
		return NULL;
	}
	if (fdt_totalsize(blob) > size) {
		vmm_err("devtree: DTB says it has %u bytes but only %zu are there (truncated)\n",
			fdt_totalsize(blob), size);
		return NULL;
	}
	rc = fdt_check_full(blob, size);
	if (rc) {
		vmm_err("devtree: DTB structure is corrupt: %s\n", fdt_strerror(rc));
		return NULL;
	}
	/* fdt_check_full() accepts a structure block with no node at all */
	if (!fdt_get_name(blob, 0, &rc)) {
		vmm_err("devtree: DTB structure is corrupt: no root node (%s)\n", fdt_strerror(rc));
		return NULL;
	}
	root = vmm_devtree_node_new(NULL, "");
	if (!root) {
		vmm_err("devtree: out of memory\n");
		return NULL;
	}
	unflatten_node(&ctx, 0, root, 0);
	if (ctx.out_of_memory) {
		vmm_err("devtree: out of memory while unflattening\n");
		vmm_devtree_node_free(root);
		return NULL;
	}
	return root;
}
