/*
 * tests/unit/test_devtree.c - the configuration tree API (kernel/devtree.c):
 * nodes (new, child, find by absolute and relative path, "..", path, count,
 * free of subtrees), attributes (set, replace, delete, check_value per type),
 * every typed getter with VMM_OK / -VMM_ENOENT / -VMM_EINVALID, string lists,
 * cells, defaults, string_is, chapter 2's name rules character class by
 * character class, and the printer's output for each type.
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
#include "tests/unit/fake_heap.h"
#include "kernel/devtree.h"
#include "kernel/error.h"

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_heap_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmm_devtree_set_root(NULL);
	fake_heap_live = 0;	/* a failed test leaves its objects behind */
	return 0;
}

/* Run the test in *state; then none of the kernel's objects may be left. */
static void run_checked(void **state)
{
	void (*test)(void **) = (void (*)(void **))*state;

	test(state);
	if (fake_heap_live)
		fail_msg("%ld kernel heap objects leaked", fake_heap_live);
}

static void set_u32(struct vmm_devtree_node *n, const char *name, u32 v)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_U32, &v, 4), VMM_OK);
}

static void set_u64(struct vmm_devtree_node *n, const char *name, u64 v)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_U64, &v, 8), VMM_OK);
}

static void set_str(struct vmm_devtree_node *n, const char *name, const char *s)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_STRING, s, strlen(s) + 1),
			 VMM_OK);
}

/* a string list given as "a\0b\0c" with its total size including the last NUL */
static void set_strs(struct vmm_devtree_node *n, const char *name, const char *s, u32 len)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_STRINGS, s, len), VMM_OK);
}

static void set_cells(struct vmm_devtree_node *n, const char *name, const u32 *v, u32 count)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_CELLS, v, count * 4), VMM_OK);
}

/* / { vmm; guests { g0 { vcpus { vcpu0; vcpu1 }; aspace { ram } }; g1 } } */
static struct vmm_devtree_node *sample_tree(void)
{
	struct vmm_devtree_node *root = vmm_devtree_node_new(NULL, "");
	struct vmm_devtree_node *guests, *g0, *vcpus;

	assert_non_null(root);
	assert_non_null(vmm_devtree_node_new(root, "vmm"));
	assert_non_null(guests = vmm_devtree_node_new(root, "guests"));
	assert_non_null(g0 = vmm_devtree_node_new(guests, "g0"));
	assert_non_null(vcpus = vmm_devtree_node_new(g0, "vcpus"));
	assert_non_null(vmm_devtree_node_new(vcpus, "vcpu0"));
	assert_non_null(vmm_devtree_node_new(vcpus, "vcpu1"));
	assert_non_null(vmm_devtree_node_new(vmm_devtree_node_new(g0, "aspace"), "ram"));
	assert_non_null(vmm_devtree_node_new(guests, "g1"));
	return root;
}

/* ---- nodes ---- */

static void test_node_new_links(void **state)
{
	struct vmm_devtree_node *root = vmm_devtree_node_new(NULL, "");
	struct vmm_devtree_node *a, *b, *c;

	(void)state;
	assert_non_null(root);
	assert_null(root->parent);
	assert_string_equal(root->name, "");
	a = vmm_devtree_node_new(root, "a");
	b = vmm_devtree_node_new(root, "b");
	c = vmm_devtree_node_new(root, "c");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	/* children keep insertion order */
	assert_ptr_equal(root->child, a);
	assert_ptr_equal(a->sibling, b);
	assert_ptr_equal(b->sibling, c);
	assert_null(c->sibling);
	assert_ptr_equal(b->parent, root);
	assert_null(a->child);
	assert_null(a->attrs);
	/* the name is copied */
	{
		char name[] = "dd";
		struct vmm_devtree_node *d = vmm_devtree_node_new(a, name);

		name[0] = 'x';
		assert_string_equal(d->name, "dd");
	}
	vmm_devtree_node_free(root);
}

static void test_node_new_refusals(void **state)
{
	struct vmm_devtree_node *root = vmm_devtree_node_new(NULL, "");

	(void)state;
	assert_non_null(vmm_devtree_node_new(root, "a"));
	assert_null(vmm_devtree_node_new(root, "a"));	/* duplicate */
	assert_null(vmm_devtree_node_new(root, "a@1"));	/* chapter 2 name */
	assert_null(vmm_devtree_node_new(root, ""));
	assert_null(vmm_devtree_node_new(root, NULL));
	assert_null(vmm_devtree_node_new(NULL, NULL));
	assert_int_equal(vmm_devtree_child_count(root), 1);
	/* out of memory: for the node, then for its name; nothing leaks */
	fake_heap_fail_nth(1);
	assert_null(vmm_devtree_node_new(root, "b"));
	fake_heap_fail_nth(2);
	assert_null(vmm_devtree_node_new(root, "b"));
	fake_heap_reset();
	assert_int_equal(vmm_devtree_child_count(root), 1);
	vmm_devtree_node_free(root);
}

static void test_child_lookup(void **state)
{
	struct vmm_devtree_node *root = sample_tree();
	struct vmm_devtree_node *guests = vmm_devtree_child(root, "guests");

	(void)state;
	assert_non_null(guests);
	assert_string_equal(vmm_devtree_child(guests, "g1")->name, "g1");
	assert_null(vmm_devtree_child(guests, "g"));	/* no prefix match */
	assert_null(vmm_devtree_child(guests, "g00"));
	assert_null(vmm_devtree_child(guests, "vcpus"));	/* grandchildren are not children */
	assert_null(vmm_devtree_child(NULL, "g0"));
	vmm_devtree_node_free(root);
}

static void test_find_absolute(void **state)
{
	struct vmm_devtree_node *root = sample_tree();
	struct vmm_devtree_node *v1, *ram;

	(void)state;
	v1 = vmm_devtree_find(root, "/guests/g0/vcpus/vcpu1");
	assert_non_null(v1);
	assert_string_equal(v1->name, "vcpu1");
	ram = vmm_devtree_find(root, "/guests/g0/aspace/ram");
	assert_non_null(ram);
	/* absolute paths start at the root whatever node they are given */
	assert_ptr_equal(vmm_devtree_find(ram, "/guests/g0/vcpus/vcpu1"), v1);
	assert_ptr_equal(vmm_devtree_find(v1, "/"), root);
	assert_ptr_equal(vmm_devtree_find(ram, "/vmm"), vmm_devtree_child(root, "vmm"));
	/* repeated and trailing slashes are harmless */
	assert_ptr_equal(vmm_devtree_find(root, "//guests///g0/vcpus/vcpu1/"), v1);
	/* missing nodes */
	assert_null(vmm_devtree_find(root, "/guests/g2"));
	assert_null(vmm_devtree_find(root, "/guests/g0/vcpus/vcpu2"));
	assert_null(vmm_devtree_find(root, "/nothing/at/all"));
	assert_null(vmm_devtree_find(root, "/guests/g0/vcpus/vcpu1/deeper"));
	assert_null(vmm_devtree_find(NULL, "/guests"));
	assert_null(vmm_devtree_find(root, NULL));
	vmm_devtree_node_free(root);
}

static void test_find_relative_and_dotdot(void **state)
{
	struct vmm_devtree_node *root = sample_tree();
	struct vmm_devtree_node *g0 = vmm_devtree_find(root, "/guests/g0");
	struct vmm_devtree_node *v0 = vmm_devtree_find(root, "/guests/g0/vcpus/vcpu0");

	(void)state;
	assert_non_null(g0);
	assert_ptr_equal(vmm_devtree_find(g0, "vcpus/vcpu0"), v0);
	assert_ptr_equal(vmm_devtree_find(g0, "./vcpus/./vcpu0"), v0);
	assert_ptr_equal(vmm_devtree_find(g0, ""), g0);
	assert_ptr_equal(vmm_devtree_find(g0, "."), g0);
	assert_ptr_equal(vmm_devtree_find(v0, ".."), v0->parent);
	assert_ptr_equal(vmm_devtree_find(v0, "../vcpu1"), vmm_devtree_find(g0, "vcpus/vcpu1"));
	assert_ptr_equal(vmm_devtree_find(v0, "../../aspace/ram"),
			 vmm_devtree_find(root, "/guests/g0/aspace/ram"));
	assert_ptr_equal(vmm_devtree_find(v0, "../../../g1"), vmm_devtree_find(root, "/guests/g1"));
	/* ".." at the root stays at the root */
	assert_ptr_equal(vmm_devtree_find(root, ".."), root);
	assert_ptr_equal(vmm_devtree_find(v0, "../../../../../../vmm"),
			 vmm_devtree_child(root, "vmm"));
	/* relative lookups do not search from the root */
	assert_null(vmm_devtree_find(g0, "guests"));
	assert_null(vmm_devtree_find(g0, "vcpus/missing"));
	vmm_devtree_node_free(root);
}

static void test_find_long_component(void **state)
{
	struct vmm_devtree_node *root = vmm_devtree_node_new(NULL, "");
	char name63[64], path[80];

	(void)state;
	memset(name63, 'n', 63);
	name63[63] = 0;
	assert_non_null(vmm_devtree_node_new(root, name63));
	snprintf(path, sizeof(path), "/%s", name63);
	assert_non_null(vmm_devtree_find(root, path));
	assert_non_null(vmm_devtree_find(root, name63));
	/* a 64-character component cannot be a node name: not found, no overflow */
	snprintf(path, sizeof(path), "/%sn", name63);
	assert_null(vmm_devtree_find(root, path));
	vmm_devtree_node_free(root);
}

static void test_path(void **state)
{
	struct vmm_devtree_node *root = sample_tree();
	char buf[VMM_DEVTREE_PATH_MAX], small[12];

	(void)state;
	assert_string_equal(vmm_devtree_path(root, buf, sizeof(buf)), "/");
	assert_string_equal(vmm_devtree_path(vmm_devtree_child(root, "vmm"), buf, sizeof(buf)),
			    "/vmm");
	assert_string_equal(vmm_devtree_path(vmm_devtree_find(root, "/guests/g0/vcpus/vcpu1"),
					     buf, sizeof(buf)),
			    "/guests/g0/vcpus/vcpu1");
	assert_ptr_equal(vmm_devtree_path(root, buf, sizeof(buf)), buf);
	/* a short buffer gets a NUL-terminated prefix */
	memset(small, 'X', sizeof(small));
	vmm_devtree_path(vmm_devtree_find(root, "/guests/g0/vcpus/vcpu1"), small, sizeof(small));
	assert_string_equal(small, "/guests/g0/");
	/* size 0: nothing written */
	buf[0] = 'Q';
	vmm_devtree_path(root, buf, 0);
	assert_int_equal(buf[0], 'Q');
	/* NULL node: the root's path */
	assert_string_equal(vmm_devtree_path(NULL, buf, sizeof(buf)), "/");
	vmm_devtree_node_free(root);
}

static void test_child_count(void **state)
{
	struct vmm_devtree_node *root = sample_tree();

	(void)state;
	assert_int_equal(vmm_devtree_child_count(root), 2);
	assert_int_equal(vmm_devtree_child_count(vmm_devtree_child(root, "guests")), 2);
	assert_int_equal(vmm_devtree_child_count(vmm_devtree_find(root, "/guests/g0/vcpus")), 2);
	assert_int_equal(vmm_devtree_child_count(vmm_devtree_child(root, "vmm")), 0);
	assert_int_equal(vmm_devtree_child_count(NULL), 0);
	vmm_devtree_node_free(root);
}

static void test_node_free_subtree(void **state)
{
	struct vmm_devtree_node *root = sample_tree();
	struct vmm_devtree_node *guests = vmm_devtree_child(root, "guests");
	struct vmm_devtree_node *g0 = vmm_devtree_child(guests, "g0");
	long before;

	(void)state;
	set_u32(g0, "x", 1);
	set_str(vmm_devtree_find(g0, "vcpus/vcpu0"), "device_type", "vcpu");
	before = fake_heap_live;
	/* freeing the first child relinks its sibling and frees the whole subtree */
	vmm_devtree_node_free(g0);
	assert_ptr_equal(guests->child, vmm_devtree_child(guests, "g1"));
	assert_int_equal(vmm_devtree_child_count(guests), 1);
	assert_null(vmm_devtree_find(root, "/guests/g0"));
	/* g0, vcpus, vcpu0, vcpu1, aspace, ram: 6 nodes with names, 2 attributes
	 * with names and values */
	assert_int_equal(before - fake_heap_live, 6 * 2 + 2 * 3);
	/* the name is free again */
	assert_non_null(vmm_devtree_node_new(guests, "g0"));
	/* a middle and a last child */
	assert_non_null(vmm_devtree_node_new(guests, "g2"));
	vmm_devtree_node_free(vmm_devtree_child(guests, "g0"));
	assert_string_equal(guests->child->name, "g1");
	assert_string_equal(guests->child->sibling->name, "g2");
	vmm_devtree_node_free(vmm_devtree_child(guests, "g2"));
	assert_null(guests->child->sibling);
	vmm_devtree_node_free(NULL);
	/* the live root is forgotten when it is freed */
	vmm_devtree_set_root(root);
	assert_ptr_equal(vmm_devtree_root(), root);
	vmm_devtree_node_free(root);
	assert_null(vmm_devtree_root());
}

/* ---- attributes ---- */

static void test_check_value_per_type(void **state)
{
	static const u8 four[4], eight[8], six[6];

	(void)state;
	/* empty */
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_EMPTY, NULL, 0), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_EMPTY, four, 1), -VMM_EINVALID);
	/* u32: exactly 4 bytes */
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_U32, four, 4), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_U32, eight, 8), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_U32, four, 3), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_U32, NULL, 0), -VMM_EINVALID);
	/* u64: exactly 8 bytes */
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_U64, eight, 8), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_U64, four, 4), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_U64, six, 6), -VMM_EINVALID);
	/* cells: multiples of 4 (none is allowed) */
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_CELLS, eight, 8), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_CELLS, NULL, 0), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_CELLS, six, 6), -VMM_EINVALID);
	/* one string */
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRING, "abc", 4), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRING, "", 1), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRING, "abc", 3), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRING, "a\0b", 4), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRING, NULL, 0), -VMM_EINVALID);
	/* string list: one NUL between strings, none empty */
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRINGS, "a\0bc", 5), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRINGS, "abc", 4), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRINGS, "a\0\0b", 5), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRINGS, "\0a", 3), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRINGS, "a\0", 3), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRINGS, "a\0b", 3), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRINGS, "", 1), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_STRINGS, NULL, 0), -VMM_EINVALID);
	/* bytes: anything */
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_BYTES, six, 6), VMM_OK);
	assert_int_equal(vmm_devtree_check_value(VMM_DEVTREE_BYTES, NULL, 0), VMM_OK);
	/* unknown type */
	assert_int_equal(vmm_devtree_check_value((enum vmm_devtree_type)42, four, 4),
			 -VMM_EINVALID);
}

static void test_setattr_replace_delattr(void **state)
{
	struct vmm_devtree_node *root = vmm_devtree_node_new(NULL, "");
	struct vmm_devtree_attr *a;
	u32 v32 = 7;
	u64 v64;

	(void)state;
	set_u32(root, "first", 1);
	set_u32(root, "second", 2);
	set_u32(root, "third", 3);
	a = vmm_devtree_attr(root, "second");
	assert_non_null(a);
	assert_int_equal(a->type, VMM_DEVTREE_U32);
	assert_int_equal(a->len, 4);
	/* the value is copied */
	assert_int_equal(vmm_devtree_setattr(root, "copy", VMM_DEVTREE_U32, &v32, 4), VMM_OK);
	v32 = 8;
	assert_int_equal(vmm_devtree_u32_default(root, "copy", 0), 7);
	/* replace in place: type and size change, order and count stay */
	set_u64(root, "second", 0x123456789ULL);
	assert_ptr_equal(vmm_devtree_attr(root, "second"), a);
	assert_int_equal(a->type, VMM_DEVTREE_U64);
	assert_int_equal(a->len, 8);
	assert_int_equal(vmm_devtree_read_u64(root, "second", &v64), VMM_OK);
	assert_true(v64 == 0x123456789ULL);
	assert_string_equal(root->attrs->name, "first");
	assert_string_equal(root->attrs->next->name, "second");
	assert_string_equal(root->attrs->next->next->name, "third");
	/* a flag has no value */
	assert_int_equal(vmm_devtree_setattr(root, "flag", VMM_DEVTREE_EMPTY, NULL, 0), VMM_OK);
	assert_null(vmm_devtree_attr(root, "flag")->value);
	assert_int_equal(vmm_devtree_attr(root, "flag")->len, 0);
	/* refused: bad name, bad value (the old value stays), no node */
	assert_int_equal(vmm_devtree_setattr(root, "bad name", VMM_DEVTREE_U32, &v32, 4),
			 -VMM_EINVALID);
	assert_int_equal(vmm_devtree_setattr(root, "", VMM_DEVTREE_U32, &v32, 4), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_setattr(root, "third", VMM_DEVTREE_U32, &v64, 8),
			 -VMM_EINVALID);
	assert_int_equal(vmm_devtree_u32_default(root, "third", 0), 3);
	assert_int_equal(vmm_devtree_setattr(NULL, "x", VMM_DEVTREE_U32, &v32, 4), -VMM_EINVALID);
	assert_null(vmm_devtree_attr(root, "bad name"));
	assert_null(vmm_devtree_attr(NULL, "first"));
	/* out of memory: for the value, the attribute, its name; nothing changes */
	for (int n = 1; n <= 3; n++) {
		fake_heap_fail_nth(n);
		assert_int_equal(vmm_devtree_setattr(root, "new", VMM_DEVTREE_U32, &v32, 4),
				 -VMM_ENOMEM);
		assert_null(vmm_devtree_attr(root, "new"));
	}
	fake_heap_fail_nth(1);
	assert_int_equal(vmm_devtree_setattr(root, "third", VMM_DEVTREE_U32, &v32, 4), -VMM_ENOMEM);
	fake_heap_reset();
	assert_int_equal(vmm_devtree_u32_default(root, "third", 0), 3);
	/* delete: first, middle, last; then it is gone */
	assert_int_equal(vmm_devtree_delattr(root, "second"), VMM_OK);
	assert_null(vmm_devtree_attr(root, "second"));
	assert_int_equal(vmm_devtree_delattr(root, "second"), -VMM_ENOENT);
	assert_int_equal(vmm_devtree_delattr(root, "first"), VMM_OK);
	assert_string_equal(root->attrs->name, "third");
	assert_int_equal(vmm_devtree_delattr(root, "flag"), VMM_OK);
	assert_int_equal(vmm_devtree_delattr(root, "missing"), -VMM_ENOENT);
	assert_int_equal(vmm_devtree_delattr(NULL, "third"), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u32(root, "second", &v32), -VMM_ENOENT);
	assert_int_equal(vmm_devtree_u32_default(root, "third", 0), 3);
	vmm_devtree_node_free(root);
}

/* One node with an attribute of every type. */
static struct vmm_devtree_node *typed_node(void)
{
	static const u32 cells3[] = { 1, 2, 0xdeadbeef };
	static const u32 cell1[] = { 0x55 };
	static const u8 bytes[] = { 0x01, 0xab, 0x00 };
	struct vmm_devtree_node *n = vmm_devtree_node_new(NULL, "");

	set_u32(n, "u32", 0xfedcba98);
	set_u64(n, "u64", 0x0123456789abcdefULL);
	set_u64(n, "u64small", 5);
	set_cells(n, "cells", cells3, 3);
	set_cells(n, "cell1", cell1, 1);
	set_cells(n, "nocells", NULL, 0);
	set_str(n, "str", "vcpu");
	set_str(n, "emptystr", "");
	set_strs(n, "list", "ns16550a\0uart\0x", 16);
	assert_int_equal(vmm_devtree_setattr(n, "bytes", VMM_DEVTREE_BYTES, bytes, 3), VMM_OK);
	assert_int_equal(vmm_devtree_setattr(n, "flag", VMM_DEVTREE_EMPTY, NULL, 0), VMM_OK);
	return n;
}

static void test_read_u32(void **state)
{
	struct vmm_devtree_node *n = typed_node();
	u32 v = 0;

	(void)state;
	assert_int_equal(vmm_devtree_read_u32(n, "u32", &v), VMM_OK);
	assert_int_equal(v, 0xfedcba98);
	/* one cell is a u32 too */
	assert_int_equal(vmm_devtree_read_u32(n, "cell1", &v), VMM_OK);
	assert_int_equal(v, 0x55);
	assert_int_equal(vmm_devtree_read_u32(n, "absent", &v), -VMM_ENOENT);
	v = 0x1111;
	assert_int_equal(vmm_devtree_read_u32(n, "u64", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u32(n, "u64small", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u32(n, "cells", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u32(n, "nocells", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u32(n, "str", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u32(n, "list", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u32(n, "bytes", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u32(n, "flag", &v), -VMM_EINVALID);
	assert_int_equal(v, 0x1111);	/* untouched on error */
	assert_int_equal(vmm_devtree_read_u32(NULL, "u32", &v), -VMM_ENOENT);
	vmm_devtree_node_free(n);
}

static void test_read_u64(void **state)
{
	struct vmm_devtree_node *n = typed_node();
	u64 v = 0;

	(void)state;
	assert_int_equal(vmm_devtree_read_u64(n, "u64", &v), VMM_OK);
	assert_true(v == 0x0123456789abcdefULL);
	assert_int_equal(vmm_devtree_read_u64(n, "u64small", &v), VMM_OK);
	assert_true(v == 5);
	/* a u32 (and a single cell) is read as u64, zero-extended */
	assert_int_equal(vmm_devtree_read_u64(n, "u32", &v), VMM_OK);
	assert_true(v == 0xfedcba98ULL);
	assert_int_equal(vmm_devtree_read_u64(n, "cell1", &v), VMM_OK);
	assert_true(v == 0x55);
	assert_int_equal(vmm_devtree_read_u64(n, "absent", &v), -VMM_ENOENT);
	v = 77;
	assert_int_equal(vmm_devtree_read_u64(n, "cells", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u64(n, "nocells", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u64(n, "str", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u64(n, "bytes", &v), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_u64(n, "flag", &v), -VMM_EINVALID);
	assert_true(v == 77);
	vmm_devtree_node_free(n);
}

static void test_read_string(void **state)
{
	struct vmm_devtree_node *n = typed_node();
	const char *s = "untouched";

	(void)state;
	assert_int_equal(vmm_devtree_read_string(n, "str", &s), VMM_OK);
	assert_string_equal(s, "vcpu");
	assert_int_equal(vmm_devtree_read_string(n, "emptystr", &s), VMM_OK);
	assert_string_equal(s, "");
	/* a list reads as its first string */
	assert_int_equal(vmm_devtree_read_string(n, "list", &s), VMM_OK);
	assert_string_equal(s, "ns16550a");
	assert_int_equal(vmm_devtree_read_string(n, "absent", &s), -VMM_ENOENT);
	s = "untouched";
	assert_int_equal(vmm_devtree_read_string(n, "u32", &s), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_string(n, "bytes", &s), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_string(n, "flag", &s), -VMM_EINVALID);
	assert_string_equal(s, "untouched");
	vmm_devtree_node_free(n);
}

static void test_string_lists(void **state)
{
	struct vmm_devtree_node *n = typed_node();
	const char *s = NULL;

	(void)state;
	assert_int_equal(vmm_devtree_string_count(n, "list"), 3);
	assert_int_equal(vmm_devtree_string_count(n, "str"), 1);
	assert_int_equal(vmm_devtree_string_count(n, "emptystr"), 1);
	assert_int_equal(vmm_devtree_string_count(n, "absent"), -VMM_ENOENT);
	assert_int_equal(vmm_devtree_string_count(n, "u32"), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_string_count(n, "bytes"), -VMM_EINVALID);

	assert_int_equal(vmm_devtree_read_string_index(n, "list", 0, &s), VMM_OK);
	assert_string_equal(s, "ns16550a");
	assert_int_equal(vmm_devtree_read_string_index(n, "list", 1, &s), VMM_OK);
	assert_string_equal(s, "uart");
	assert_int_equal(vmm_devtree_read_string_index(n, "list", 2, &s), VMM_OK);
	assert_string_equal(s, "x");
	s = "untouched";
	assert_int_equal(vmm_devtree_read_string_index(n, "list", 3, &s), -VMM_ERANGE);
	assert_int_equal(vmm_devtree_read_string_index(n, "list", 1000, &s), -VMM_ERANGE);
	assert_int_equal(vmm_devtree_read_string_index(n, "list", 0xffffffffu, &s), -VMM_ERANGE);
	assert_string_equal(s, "untouched");
	assert_int_equal(vmm_devtree_read_string_index(n, "str", 0, &s), VMM_OK);
	assert_string_equal(s, "vcpu");
	assert_int_equal(vmm_devtree_read_string_index(n, "str", 1, &s), -VMM_ERANGE);
	assert_int_equal(vmm_devtree_read_string_index(n, "emptystr", 1, &s), -VMM_ERANGE);
	assert_int_equal(vmm_devtree_read_string_index(n, "absent", 0, &s), -VMM_ENOENT);
	assert_int_equal(vmm_devtree_read_string_index(n, "cells", 0, &s), -VMM_EINVALID);
	vmm_devtree_node_free(n);
}

static void test_read_cells(void **state)
{
	struct vmm_devtree_node *n = typed_node();
	u32 out[5];

	(void)state;
	memset(out, 0xee, sizeof(out));
	assert_int_equal(vmm_devtree_read_cells(n, "cells", out, 5), 3);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 0xdeadbeef);
	assert_int_equal(out[3], 0xeeeeeeee);
	/* fewer slots than cells: copies 'max', still says how many there are */
	memset(out, 0xee, sizeof(out));
	assert_int_equal(vmm_devtree_read_cells(n, "cells", out, 2), 3);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 0xeeeeeeee);
	/* just counting */
	assert_int_equal(vmm_devtree_read_cells(n, "cells", NULL, 0), 3);
	/* a u32 is one cell; an empty cells attribute has none */
	assert_int_equal(vmm_devtree_read_cells(n, "u32", out, 5), 1);
	assert_int_equal(out[0], 0xfedcba98);
	assert_int_equal(vmm_devtree_read_cells(n, "nocells", out, 5), 0);
	assert_int_equal(vmm_devtree_read_cells(n, "absent", out, 5), -VMM_ENOENT);
	assert_int_equal(vmm_devtree_read_cells(n, "u64", out, 5), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_cells(n, "str", out, 5), -VMM_EINVALID);
	assert_int_equal(vmm_devtree_read_cells(n, "bytes", out, 5), -VMM_EINVALID);
	vmm_devtree_node_free(n);
}

static void test_defaults_and_string_is(void **state)
{
	struct vmm_devtree_node *n = typed_node();

	(void)state;
	assert_int_equal(vmm_devtree_u32_default(n, "u32", 9), 0xfedcba98);
	assert_int_equal(vmm_devtree_u32_default(n, "absent", 9), 9);
	assert_int_equal(vmm_devtree_u32_default(n, "u64", 9), 9);	/* bad type */
	assert_true(vmm_devtree_u64_default(n, "u64", 9) == 0x0123456789abcdefULL);
	assert_true(vmm_devtree_u64_default(n, "u32", 9) == 0xfedcba98ULL);
	assert_true(vmm_devtree_u64_default(n, "absent", 9) == 9);
	assert_true(vmm_devtree_u64_default(n, "str", 9) == 9);
	assert_string_equal(vmm_devtree_string_default(n, "str", "d"), "vcpu");
	assert_string_equal(vmm_devtree_string_default(n, "absent", "d"), "d");
	assert_string_equal(vmm_devtree_string_default(n, "u32", "d"), "d");
	assert_null(vmm_devtree_string_default(n, "absent", NULL));
	assert_int_equal(vmm_devtree_u32_default(NULL, "u32", 4), 4);

	assert_true(vmm_devtree_string_is(n, "str", "vcpu"));
	assert_false(vmm_devtree_string_is(n, "str", "vcp"));
	assert_false(vmm_devtree_string_is(n, "str", "vcpu0"));
	assert_false(vmm_devtree_string_is(n, "str", "VCPU"));
	assert_true(vmm_devtree_string_is(n, "emptystr", ""));
	assert_true(vmm_devtree_string_is(n, "list", "ns16550a"));	/* first string */
	assert_false(vmm_devtree_string_is(n, "list", "uart"));
	assert_false(vmm_devtree_string_is(n, "absent", "vcpu"));
	assert_false(vmm_devtree_string_is(n, "u32", ""));
	assert_false(vmm_devtree_string_is(NULL, "str", "vcpu"));
	vmm_devtree_node_free(n);
}

/* ---- chapter 2 name rules ---- */

static void test_valid_node_name(void **state)
{
	char name[80];

	(void)state;
	/* each allowed class */
	assert_true(vmm_devtree_valid_node_name("0123456789"));
	assert_true(vmm_devtree_valid_node_name("abcdefghijklmnopqrstuvwxyz"));
	assert_true(vmm_devtree_valid_node_name("ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
	assert_true(vmm_devtree_valid_node_name("_"));
	assert_true(vmm_devtree_valid_node_name("-"));
	assert_true(vmm_devtree_valid_node_name("guest_0-A"));
	/* each forbidden one, alone and inside a name */
	static const char *const bad[] = {
		"@", "bad@1", ",", "a,b", ".", "a.b", " ", "a b", "#", "#address",
		"a/b", "a:b", "a\tb", "a\nb", "a\x7f", "caf\xc3\xa9", "a=b", "\"a\"",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (vmm_devtree_valid_node_name(bad[i]))
			fail_msg("node name \"%s\" accepted", bad[i]);
	assert_false(vmm_devtree_valid_node_name(""));
	assert_false(vmm_devtree_valid_node_name(NULL));
	/* at most VMM_DEVTREE_NAME_MAX - 1 = 63 characters */
	memset(name, 'n', sizeof(name));
	name[63] = 0;
	assert_true(vmm_devtree_valid_node_name(name));
	name[63] = 'n';
	name[64] = 0;
	assert_false(vmm_devtree_valid_node_name(name));
	name[79] = 0;
	assert_false(vmm_devtree_valid_node_name(name));
}

static void test_valid_attr_name(void **state)
{
	char name[80];

	(void)state;
	assert_true(vmm_devtree_valid_attr_name("0123456789"));
	assert_true(vmm_devtree_valid_attr_name("abcdefghijklmnopqrstuvwxyz"));
	assert_true(vmm_devtree_valid_attr_name("ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
	assert_true(vmm_devtree_valid_attr_name("_"));
	assert_true(vmm_devtree_valid_attr_name("-"));
	/* the hash is allowed in attribute names only */
	assert_true(vmm_devtree_valid_attr_name("#"));
	assert_true(vmm_devtree_valid_attr_name("#address-cells"));
	assert_true(vmm_devtree_valid_attr_name("guest_physical_addr"));
	static const char *const bad[] = {
		"@", "a@b", ",", "linux,phandle", ".", "a.b", " ", "a b", "a/b", "a\tb",
		"a\x80", "a=b", "a;b",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (vmm_devtree_valid_attr_name(bad[i]))
			fail_msg("attribute name \"%s\" accepted", bad[i]);
	assert_false(vmm_devtree_valid_attr_name(""));
	assert_false(vmm_devtree_valid_attr_name(NULL));
	memset(name, '#', sizeof(name));
	name[63] = 0;
	assert_true(vmm_devtree_valid_attr_name(name));
	name[63] = '#';
	name[64] = 0;
	assert_false(vmm_devtree_valid_attr_name(name));
}

/* ---- printer ---- */

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(vmm_devtree_type_name(VMM_DEVTREE_BYTES), "bytes");
	assert_string_equal(vmm_devtree_type_name(VMM_DEVTREE_EMPTY), "empty");
	assert_string_equal(vmm_devtree_type_name(VMM_DEVTREE_U32), "u32");
	assert_string_equal(vmm_devtree_type_name(VMM_DEVTREE_U64), "u64");
	assert_string_equal(vmm_devtree_type_name(VMM_DEVTREE_CELLS), "cells");
	assert_string_equal(vmm_devtree_type_name(VMM_DEVTREE_STRING), "string");
	assert_string_equal(vmm_devtree_type_name(VMM_DEVTREE_STRINGS), "string list");
	assert_string_equal(vmm_devtree_type_name((enum vmm_devtree_type)99), "?");
	assert_string_equal(vmm_devtree_type_name((enum vmm_devtree_type)-1), "?");
}

static void test_print_each_type(void **state)
{
	struct vmm_devtree_node *n = typed_node();

	(void)state;
	fake_console_reset();
	vmm_devtree_print(n, 0);
	assert_string_equal(fake_console_text(),
		"/ {\n"
		"    u32 = <0xfedcba98>;\n"
		"    u64 = /bits/ 64 <0x123456789abcdef>;\n"
		"    u64small = /bits/ 64 <0x5>;\n"
		"    cells = <0x1 0x2 0xdeadbeef>;\n"
		"    cell1 = <0x55>;\n"
		"    nocells = <>;\n"
		"    str = \"vcpu\";\n"
		"    emptystr = \"\";\n"
		"    list = \"ns16550a\", \"uart\", \"x\";\n"
		"    bytes = [01 ab 00];\n"
		"    flag;\n"
		"};\n");
	vmm_devtree_node_free(n);
}

static void test_print_nesting(void **state)
{
	struct vmm_devtree_node *root = sample_tree();

	(void)state;
	set_str(vmm_devtree_find(root, "/guests/g0"), "device_type", "guest");
	set_u32(vmm_devtree_find(root, "/guests/g0/vcpus/vcpu1"), "priority", 3);
	fake_console_reset();
	vmm_devtree_print(root, 0);
	assert_string_equal(fake_console_text(),
		"/ {\n"
		"    vmm {\n"
		"    };\n"
		"    guests {\n"
		"        g0 {\n"
		"            device_type = \"guest\";\n"
		"            vcpus {\n"
		"                vcpu0 {\n"
		"                };\n"
		"                vcpu1 {\n"
		"                    priority = <0x3>;\n"
		"                };\n"
		"            };\n"
		"            aspace {\n"
		"                ram {\n"
		"                };\n"
		"            };\n"
		"        };\n"
		"        g1 {\n"
		"        };\n"
		"    };\n"
		"};\n");
	/* a subtree prints with its own name at the given depth */
	fake_console_reset();
	vmm_devtree_print(vmm_devtree_find(root, "/guests/g0/vcpus/vcpu1"), 1);
	assert_string_equal(fake_console_text(),
		"    vcpu1 {\n"
		"        priority = <0x3>;\n"
		"    };\n");
	fake_console_reset();
	vmm_devtree_print(NULL, 0);
	assert_string_equal(fake_console_text(), "");
	vmm_devtree_node_free(root);
}

static void test_print_long_values_cut(void **state)
{
	struct vmm_devtree_node *n = vmm_devtree_node_new(NULL, "");
	u32 cells[200];
	u8 bytes[300];
	char str[400];
	const char *text;

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(cells); i++)
		cells[i] = 0x10000000 + i;
	memset(bytes, 0x5a, sizeof(bytes));
	memset(str, 's', sizeof(str) - 1);
	str[sizeof(str) - 1] = 0;
	set_cells(n, "cells", cells, ARRAY_SIZE(cells));
	assert_int_equal(vmm_devtree_setattr(n, "bytes", VMM_DEVTREE_BYTES, bytes, sizeof(bytes)),
			 VMM_OK);
	set_str(n, "str", str);
	fake_console_reset();
	vmm_devtree_print(n, 0);
	text = fake_console_text();
	/* every line is printed, cut but terminated; nothing overflows */
	assert_non_null(strstr(text, "    cells = <0x10000000 0x10000001 "));
	assert_non_null(strstr(text, "    bytes = [5a 5a 5a "));
	assert_non_null(strstr(text, "    str = \"ssss"));
	assert_int_equal(fake_console_count(";\n"), 4);
	assert_true(strlen(text) < 3 * 220 + 10);
	vmm_devtree_node_free(n);
}

#define T(fn) { #fn, run_checked, setup, teardown, (void *)fn }

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_node_new_links),
		T(test_node_new_refusals),
		T(test_child_lookup),
		T(test_find_absolute),
		T(test_find_relative_and_dotdot),
		T(test_find_long_component),
		T(test_path),
		T(test_child_count),
		T(test_node_free_subtree),
		T(test_check_value_per_type),
		T(test_setattr_replace_delattr),
		T(test_read_u32),
		T(test_read_u64),
		T(test_read_string),
		T(test_string_lists),
		T(test_read_cells),
		T(test_defaults_and_string_is),
		T(test_valid_node_name),
		T(test_valid_attr_name),
		T(test_type_names),
		T(test_print_each_type),
		T(test_print_nesting),
		T(test_print_long_values_cut),
	};

	return cmocka_run_group_tests_name("devtree", tests, NULL, NULL);
}
