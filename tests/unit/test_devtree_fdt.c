/*
 * tests/unit/test_devtree_fdt.c - vmm_devtree_unflatten() (kernel/devtree_fdt.c):
 * blobs built with libfdt's sequential-write API, one case per chapter 2
 * rule (each offending node or attribute left out and recorded under its
 * full path, the rest kept), values converted to host order, the schema and
 * the type guessing for unknown attributes, and hostile blobs: truncated,
 * corrupted headers, totalsize beyond the buffer, byte flips everywhere, out
 * of memory at every allocation. Ends with every real dts/<name>.dts, which must
 * unflatten with no problem at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "tests/unit/fake_arch.h"
#include "tests/unit/fake_heap.h"
#include "tests/unit/dtb_fixture.h"
#include "kernel/devtree_fdt.h"
#include "kernel/error.h"

/* ---- building blobs ---- */

#define FB_CAP (256 * 1024)
static char *fb;	/* the blob under construction */

static void fb_begin(void)
{
	if (!fb)
		fb = malloc(FB_CAP);
	assert_non_null(fb);
	assert_int_equal(fdt_create(fb, FB_CAP), 0);
	assert_int_equal(fdt_finish_reservemap(fb), 0);
	assert_int_equal(fdt_begin_node(fb, ""), 0);
}

static void fb_node(const char *name)
{
	assert_int_equal(fdt_begin_node(fb, name), 0);
}

static void fb_end(void)
{
	assert_int_equal(fdt_end_node(fb), 0);
}

static void fb_prop(const char *name, const void *val, int len)
{
	assert_int_equal(fdt_property(fb, name, val, len), 0);
}

static void fb_u32(const char *name, u32 v)
{
	assert_int_equal(fdt_property_u32(fb, name, v), 0);
}

static void fb_u64(const char *name, u64 v)
{
	assert_int_equal(fdt_property_u64(fb, name, v), 0);
}

static void fb_str(const char *name, const char *s)
{
	assert_int_equal(fdt_property_string(fb, name, s), 0);
}

/* Close the root; returns a malloc'ed copy of exactly the blob's size. */
static void *fb_finish(size_t *size)
{
	void *copy;

	fb_end();
	assert_int_equal(fdt_finish(fb), 0);
	*size = fdt_totalsize(fb);
	copy = malloc(*size);
	assert_non_null(copy);
	memcpy(copy, fb, *size);
	return copy;
}

/* ---- unflattening and looking at the result ---- */

static struct vmm_problems probs;
static void *blob;
static size_t blob_size;
static struct vmm_devtree_node *tree;

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_heap_reset();
	vmm_problems_init(&probs);
	blob = NULL;
	tree = NULL;
	return 0;
}

/* Free what a test kept in the globals above. */
static void release(void)
{
	vmm_devtree_node_free(tree);
	tree = NULL;
	vmm_problems_free(&probs);
	free(blob);
	blob = NULL;
}

static int teardown(void **state)
{
	(void)state;
	release();
	fake_heap_live = 0;	/* a failed test leaves its objects behind */
	return 0;
}

/* Run the test in *state; then none of the kernel's objects may be left. */
static void run_checked(void **state)
{
	void (*test)(void **) = (void (*)(void **))*state;

	test(state);
	release();
	if (fake_heap_live)
		fail_msg("%ld kernel heap objects leaked", fake_heap_live);
}

/* Finish the blob under construction and unflatten it (must succeed). */
static struct vmm_devtree_node *build_and_unflatten(void)
{
	blob = fb_finish(&blob_size);
	tree = vmm_devtree_unflatten(blob, blob_size, &probs);
	if (!tree)
		fail_msg("unflatten failed: %s", fake_console_text());
	return tree;
}

static void dump_problems(void)
{
	for (u32 i = 0; i < probs.count; i++)
		fprintf(stderr, "  problem %u: %s: %s\n", i, probs.items[i].path,
			probs.items[i].msg);
}

/* Assert a problem at exactly 'path' whose message contains every 'words'. */
static void expect_problem(const char *path, const char *w1, const char *w2)
{
	for (u32 i = 0; i < probs.count; i++)
		if (!strcmp(probs.items[i].path, path) && strstr(probs.items[i].msg, w1) &&
		    (!w2 || strstr(probs.items[i].msg, w2)))
			return;
	dump_problems();
	fail_msg("no problem at '%s' mentioning '%s'%s%s", path, w1, w2 ? " and " : "",
		 w2 ? w2 : "");
}

static void expect_problem_count(u32 n)
{
	if (probs.count != n) {
		dump_problems();
		fail_msg("%u problems recorded, expected %u", probs.count, n);
	}
}

static struct vmm_devtree_attr *attr_at(const char *path, const char *name)
{
	return vmm_devtree_attr(vmm_devtree_find(tree, path), name);
}

/* ---- well-formed blobs: values in host order, schema types ---- */

static void test_values_in_host_order(void **state)
{
	static const u8 cells_be[] = { 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78, 0xff, 0, 0, 0 };
	static const u8 hilo_be[] = { 0, 0, 0, 1, 0, 0, 0, 2 };	/* <0x1 0x2> */
	struct vmm_devtree_node *n;
	u32 v32, cells[4];
	u64 v64;
	const char *s;

	(void)state;
	fb_begin();
	fb_str("model", "test");
	fb_node("guests");
	fb_node("g0");
	fb_str("device_type", "guest");
	fb_node("vcpus");
	fb_node("vcpu0");
	fb_u64("start_pc", 0xFFFF0);
	fb_u64("time_slice", 0x1122334455667788ULL);
	fb_u32("priority", 0x12345678);
	fb_end();
	fb_end();
	fb_node("aspace");
	fb_node("ram");
	fb_prop("guest_physical_addr", hilo_be, 8);
	fb_prop("reg", cells_be, sizeof(cells_be));
	fb_prop("compatible", "ns16550a\0uart", 14);
	fb_prop("flag", NULL, 0);
	fb_end();
	fb_end();
	fb_end();
	fb_end();
	build_and_unflatten();
	expect_problem_count(0);

	assert_string_equal(vmm_devtree_string_default(tree, "model", NULL), "test");
	n = vmm_devtree_find(tree, "/guests/g0/vcpus/vcpu0");
	assert_non_null(n);
	assert_int_equal(vmm_devtree_read_u64(n, "start_pc", &v64), VMM_OK);
	assert_true(v64 == 0xFFFF0);
	assert_int_equal(vmm_devtree_read_u64(n, "time_slice", &v64), VMM_OK);
	assert_true(v64 == 0x1122334455667788ULL);
	assert_int_equal(vmm_devtree_read_u32(n, "priority", &v32), VMM_OK);
	assert_int_equal(v32, 0x12345678);
	assert_int_equal(vmm_devtree_attr(n, "priority")->type, VMM_DEVTREE_U32);
	assert_int_equal(vmm_devtree_attr(n, "start_pc")->type, VMM_DEVTREE_U64);

	n = vmm_devtree_find(tree, "/guests/g0/aspace/ram");
	/* a u64 written as two cells <hi lo> */
	assert_int_equal(vmm_devtree_read_u64(n, "guest_physical_addr", &v64), VMM_OK);
	assert_true(v64 == 0x100000002ULL);
	assert_int_equal(vmm_devtree_read_cells(n, "reg", cells, 4), 3);
	assert_int_equal(cells[0], 1);
	assert_int_equal(cells[1], 0x12345678);
	assert_int_equal(cells[2], 0xff000000);
	assert_int_equal(vmm_devtree_attr(n, "compatible")->type, VMM_DEVTREE_STRINGS);
	assert_int_equal(vmm_devtree_string_count(n, "compatible"), 2);
	assert_int_equal(vmm_devtree_read_string_index(n, "compatible", 1, &s), VMM_OK);
	assert_string_equal(s, "uart");
	assert_int_equal(vmm_devtree_attr(n, "flag")->type, VMM_DEVTREE_EMPTY);
	/* attribute and child order follow the blob */
	assert_string_equal(n->attrs->name, "guest_physical_addr");
	assert_string_equal(vmm_devtree_find(tree, "/guests/g0")->child->name, "vcpus");
}

static void test_schema_types(void **state)
{
	static const struct {
		const char *name;
		int type;
	} want[] = {
		{ "device_type", VMM_DEVTREE_STRING }, { "compatible", VMM_DEVTREE_STRINGS },
		{ "manifest_type", VMM_DEVTREE_STRING }, { "address_type", VMM_DEVTREE_STRING },
		{ "guest_physical_addr", VMM_DEVTREE_U64 }, { "host_physical_addr", VMM_DEVTREE_U64 },
		{ "physical_size", VMM_DEVTREE_U64 }, { "start_pc", VMM_DEVTREE_U64 },
		{ "time_slice", VMM_DEVTREE_U64 }, { "default_time_slice", VMM_DEVTREE_U64 },
		{ "priority", VMM_DEVTREE_U32 }, { "max_guest_count", VMM_DEVTREE_U32 },
		{ "max_vcpu_count", VMM_DEVTREE_U32 }, { "reg", VMM_DEVTREE_CELLS },
		{ "interrupts", VMM_DEVTREE_CELLS }, { "bootcmd", VMM_DEVTREE_STRINGS },
		{ "console", VMM_DEVTREE_STRING }, { "#address-cells", VMM_DEVTREE_U32 },
		{ "unknown_thing", -1 }, { "", -1 }, { "Device_type", -1 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (vmm_devtree_schema_type(want[i].name) != want[i].type)
			fail_msg("schema type of '%s' is %d, expected %d", want[i].name,
				 vmm_devtree_schema_type(want[i].name), want[i].type);
}

static void test_unknown_attributes_guessed(void **state)
{
	static const struct {
		const char *name;
		const char *val;
		int len;
		enum vmm_devtree_type type;
	} cases[] = {
		{ "g_empty", "", 0, VMM_DEVTREE_EMPTY },
		{ "g_string", "hello world", 12, VMM_DEVTREE_STRING },
		{ "g_four_char_string", "abc", 4, VMM_DEVTREE_STRING },
		{ "g_list", "a\0bc\0d", 7, VMM_DEVTREE_STRINGS },
		{ "g_double_nul", "a\0\0b", 5, VMM_DEVTREE_BYTES },
		{ "g_double_nul_4", "ab\0", 4, VMM_DEVTREE_CELLS },
		{ "g_lone_nul", "", 1, VMM_DEVTREE_BYTES },
		{ "g_leading_nul", "\0abc\0\0\0", 8, VMM_DEVTREE_CELLS },
		{ "g_control_char", "a\tb", 4, VMM_DEVTREE_CELLS },
		{ "g_high_byte", "caf\xc3\xa9", 6, VMM_DEVTREE_BYTES },
		{ "g_unterminated", "abc", 3, VMM_DEVTREE_BYTES },
		{ "g_u32", "\0\0\0\x05", 4, VMM_DEVTREE_CELLS },
		{ "g_two_cells", "\0\0\0\x01\0\0\0\x02", 8, VMM_DEVTREE_CELLS },
		{ "g_five", "\x01\x02\x03\x04\x05", 5, VMM_DEVTREE_BYTES },
	};
	struct vmm_devtree_attr *a;
	u32 v;

	(void)state;
	fb_begin();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		fb_prop(cases[i].name, cases[i].val, cases[i].len);
	build_and_unflatten();
	expect_problem_count(0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		a = vmm_devtree_attr(tree, cases[i].name);
		assert_non_null(a);
		if (a->type != cases[i].type)
			fail_msg("'%s' guessed as %s, expected %s", cases[i].name,
				 vmm_devtree_type_name(a->type), vmm_devtree_type_name(cases[i].type));
		assert_int_equal(a->len, cases[i].len);
	}
	/* guessed cells are converted to host order like declared ones */
	assert_int_equal(vmm_devtree_read_u32(tree, "g_u32", &v), VMM_OK);
	assert_int_equal(v, 5);
	/* bytes and strings are kept as they are */
	assert_memory_equal(vmm_devtree_attr(tree, "g_high_byte")->value, "caf\xc3\xa9", 6);
	assert_string_equal(vmm_devtree_string_default(tree, "g_string", ""), "hello world");
}

/* ---- chapter 2, rule by rule ---- */

static void test_bad_node_name_left_out(void **state)
{
	(void)state;
	fb_begin();
	fb_node("bad@1");		/* unit address: not allowed */
	fb_u32("priority", 1);
	fb_node("child");
	fb_end();
	fb_end();
	fb_node("guests");
	fb_node("g0");
	fb_node("aspace");
	fb_node("a.b");			/* a dot */
	fb_node("inner");
	fb_end();
	fb_end();
	fb_node("ram");			/* a sibling after the bad node is kept */
	fb_end();
	fb_end();
	fb_end();
	fb_node("g,1");			/* a comma */
	fb_end();
	fb_node("g 2");			/* a space */
	fb_end();
	fb_node("#g3");			/* a hash is for attribute names only */
	fb_end();
	fb_end();
	build_and_unflatten();

	expect_problem("/bad@1", "'bad@1'", "subtree left out");
	expect_problem("/guests/g0/aspace/a.b", "'a.b'", "chapter 2");
	expect_problem("/guests/g,1", "'g,1'", NULL);
	expect_problem("/guests/g 2", "'g 2'", NULL);
	expect_problem("/guests/#g3", "'#g3'", NULL);
	expect_problem_count(5);	/* nothing for the subtrees left out */
	assert_int_equal(vmm_devtree_child_count(tree), 1);
	assert_null(vmm_devtree_find(tree, "/guests/g0/aspace/a.b"));
	assert_non_null(vmm_devtree_find(tree, "/guests/g0/aspace/ram"));
	assert_int_equal(vmm_devtree_child_count(vmm_devtree_find(tree, "/guests/g0/aspace")), 1);
	assert_int_equal(vmm_devtree_child_count(vmm_devtree_find(tree, "/guests")), 1);
}

static void test_node_name_too_long(void **state)
{
	char name[70];

	(void)state;
	memset(name, 'n', sizeof(name));
	name[63] = 0;
	fb_begin();
	fb_node(name);			/* 63 characters: fine */
	fb_end();
	name[63] = 'n';
	name[64] = 0;
	fb_node(name);			/* 64: too long */
	fb_end();
	build_and_unflatten();
	expect_problem_count(1);
	assert_int_equal(vmm_devtree_child_count(tree), 1);
	assert_int_equal(strlen(tree->child->name), 63);
	assert_non_null(strstr(probs.items[0].msg, "node name of 64 characters breaks chapter 2 rules (at most 63)"));
	assert_int_equal(strlen(probs.items[0].path), 65);
}

static void test_bad_attribute_name_left_out(void **state)
{
	(void)state;
	fb_begin();
	fb_node("vmm");
	fb_u32("linux,phandle", 1);
	fb_str("a.b", "x");
	fb_str("with space", "x");
	fb_u32("max_guest_count", 4);
	fb_u32("#address-cells", 2);	/* hash allowed */
	fb_end();
	build_and_unflatten();
	expect_problem("/vmm", "'linux,phandle'", "chapter 2");
	expect_problem("/vmm", "'a.b'", NULL);
	expect_problem("/vmm", "'with space'", NULL);
	expect_problem_count(3);
	assert_null(attr_at("/vmm", "linux,phandle"));
	assert_null(attr_at("/vmm", "a.b"));
	assert_int_equal(vmm_devtree_u32_default(vmm_devtree_find(tree, "/vmm"), "max_guest_count", 0), 4);
	assert_non_null(attr_at("/vmm", "#address-cells"));
}

static void test_string_not_terminated(void **state)
{
	(void)state;
	fb_begin();
	fb_node("guests");
	fb_node("g0");
	fb_prop("device_type", "guest", 5);		/* no NUL */
	fb_prop("model", "a\0b", 4);			/* a NUL inside one string */
	fb_prop("manifest_type", "", 0);		/* no string at all */
	fb_end();
	fb_end();
	build_and_unflatten();
	expect_problem("/guests/g0", "'device_type'", "NUL-terminated string; it has 5 bytes");
	expect_problem("/guests/g0", "'model'", "4 bytes");
	expect_problem("/guests/g0", "'manifest_type'", "0 bytes");
	expect_problem_count(3);
	assert_null(attr_at("/guests/g0", "device_type"));
	assert_null(attr_at("/guests/g0", "model"));
}

static void test_string_list_empty_string(void **state)
{
	(void)state;
	fb_begin();
	fb_node("dev");
	fb_prop("compatible", "a\0\0b", 5);	/* two NULs: an empty string */
	fb_end();
	fb_node("dev2");
	fb_prop("compatible", "\0a", 3);	/* empty first string */
	fb_end();
	fb_node("dev3");
	fb_prop("compatible", "a\0b", 3);	/* last one unterminated */
	fb_end();
	fb_node("dev4");
	fb_prop("compatible", "x\0yz", 5);	/* fine */
	fb_end();
	build_and_unflatten();
	expect_problem("/dev", "'compatible'", "separated by exactly one NUL");
	expect_problem("/dev2", "'compatible'", NULL);
	expect_problem("/dev3", "'compatible'", NULL);
	expect_problem_count(3);
	assert_null(attr_at("/dev", "compatible"));
	assert_int_equal(vmm_devtree_string_count(vmm_devtree_find(tree, "/dev4"), "compatible"), 2);
}

static void test_u64_with_4_bytes(void **state)
{
	(void)state;
	fb_begin();
	fb_node("guests");
	fb_node("g0");
	fb_node("aspace");
	fb_node("ram");
	fb_u32("guest_physical_addr", 0x1000);	/* forgot /bits/ 64 */
	fb_prop("physical_size", "\0\0\0\0\0\0\x10", 7);
	fb_u64("host_physical_addr", 0x200000);
	fb_end();
	fb_end();
	fb_end();
	fb_end();
	build_and_unflatten();
	expect_problem("/guests/g0/aspace/ram", "'guest_physical_addr'", "exactly 8 bytes");
	expect_problem("/guests/g0/aspace/ram", "'guest_physical_addr'", "it has 4 bytes");
	expect_problem("/guests/g0/aspace/ram", "'physical_size'", "it has 7 bytes");
	expect_problem_count(2);
	assert_null(attr_at("/guests/g0/aspace/ram", "guest_physical_addr"));
	assert_non_null(attr_at("/guests/g0/aspace/ram", "host_physical_addr"));
}

static void test_u32_with_8_bytes(void **state)
{
	(void)state;
	fb_begin();
	fb_node("vmm");
	fb_u64("max_guest_count", 4);
	fb_prop("max_vcpu_count", "\0\0", 2);
	fb_end();
	build_and_unflatten();
	expect_problem("/vmm", "'max_guest_count'", "exactly 4 bytes); it has 8 bytes");
	expect_problem("/vmm", "'max_vcpu_count'", "it has 2 bytes");
	expect_problem_count(2);
	assert_null(attr_at("/vmm", "max_guest_count"));
}

static void test_cells_with_6_bytes(void **state)
{
	(void)state;
	fb_begin();
	fb_node("host");
	fb_prop("reg", "\0\0\0\x01\0\x02", 6);
	fb_prop("interrupts", "\0\0\0\x04", 4);
	fb_end();
	build_and_unflatten();
	expect_problem("/host", "'reg'", "multiple of 4 bytes); it has 6 bytes");
	expect_problem_count(1);
	assert_null(attr_at("/host", "reg"));
	assert_non_null(attr_at("/host", "interrupts"));
}

static void test_duplicates(void **state)
{
	u32 v;

	(void)state;
	fb_begin();
	fb_node("vmm");
	fb_u32("max_guest_count", 4);
	fb_u32("max_guest_count", 5);
	fb_end();
	fb_node("guests");
	fb_node("g0");
	fb_str("model", "first");
	fb_node("inner");
	fb_end();
	fb_end();
	fb_node("g0");			/* a second g0: left out with its subtree */
	fb_str("model", "second");
	fb_node("other");
	fb_end();
	fb_end();
	fb_end();
	build_and_unflatten();
	expect_problem("/vmm", "'max_guest_count' appears twice", NULL);
	expect_problem("/guests", "child node 'g0' appears twice", NULL);
	expect_problem_count(2);
	/* the first one wins */
	assert_int_equal(vmm_devtree_read_u32(vmm_devtree_find(tree, "/vmm"), "max_guest_count", &v), VMM_OK);
	assert_int_equal(v, 4);
	assert_string_equal(vmm_devtree_string_default(vmm_devtree_find(tree, "/guests/g0"), "model", ""),
			    "first");
	assert_non_null(vmm_devtree_find(tree, "/guests/g0/inner"));
	assert_null(vmm_devtree_find(tree, "/guests/g0/other"));
	assert_int_equal(vmm_devtree_child_count(vmm_devtree_find(tree, "/guests")), 1);
}

static void test_deep_nesting(void **state)
{
	char path[256] = "";
	struct vmm_devtree_node *n;
	int depth = 0;

	(void)state;
	fb_begin();
	for (int i = 1; i <= 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%d", i);
		fb_node(name);
		fb_u32("level", i);
	}
	for (int i = 1; i <= 40; i++)
		fb_end();
	build_and_unflatten();
	/* 15 levels below the root are kept, the rest left out once */
	for (n = tree; n->child; n = n->child)
		depth++;
	assert_int_equal(depth, 15);
	assert_int_equal(vmm_devtree_u32_default(n, "level", 0), 15);
	for (int i = 1; i <= 15; i++)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/n%d", i);
	expect_problem(path, "nested deeper than", NULL);
	expect_problem_count(1);
}

static void test_problems_at_root_and_everywhere(void **state)
{
	(void)state;
	fb_begin();
	fb_u32("model", 3);		/* a string attribute given a number */
	fb_u32("bad,name", 3);
	fb_node("a");
	fb_node("b");
	fb_prop("reg", "\x01", 1);
	fb_node("c@0");
	fb_end();
	fb_end();
	fb_end();
	build_and_unflatten();
	expect_problem("/", "'model'", "one NUL-terminated string");
	expect_problem("/", "'bad,name'", NULL);
	expect_problem("/a/b", "'reg'", "it has 1 bytes");
	expect_problem("/a/b/c@0", "'c@0'", NULL);
	expect_problem_count(4);
	assert_int_equal(vmm_problems_under(&probs, "/a"), 2);
	assert_int_equal(vmm_problems_under(&probs, "/a/b/c@0"), 1);
}

static void test_root_only_blob(void **state)
{
	(void)state;
	fb_begin();
	build_and_unflatten();
	expect_problem_count(0);
	assert_null(tree->parent);
	assert_null(tree->child);
	assert_null(tree->attrs);
	/* a buffer larger than the blob is fine */
	{
		void *big = calloc(1, blob_size + 100);
		struct vmm_devtree_node *t;

		memcpy(big, blob, blob_size);
		t = vmm_devtree_unflatten(big, blob_size + 100, &probs);
		assert_non_null(t);
		vmm_devtree_node_free(t);
		free(big);
	}
}

/* ---- hostile blobs ---- */

/* A blob with a bit of everything (and a few chapter 2 problems). */
static void *sample_blob(size_t *size)
{
	fb_begin();
	fb_str("model", "sample");
	fb_node("vmm");
	fb_u32("max_guest_count", 2);
	fb_u64("default_time_slice", 10000000);
	fb_prop("bootcmd", "guest start g0\0guest list", 26);
	fb_end();
	fb_node("guests");
	fb_node("g0");
	fb_str("device_type", "guest");
	fb_node("vcpus");
	fb_node("vcpu0");
	fb_str("device_type", "vcpu");
	fb_u64("start_pc", 0x1000);
	fb_end();
	fb_end();
	fb_node("aspace");
	fb_node("ram");
	fb_str("manifest_type", "real");
	fb_str("address_type", "memory");
	fb_str("device_type", "ram");
	fb_u64("guest_physical_addr", 0);
	fb_u64("physical_size", 0x200000);
	fb_prop("reg", "\0\0\0\x01\0\0\0\x02", 8);
	fb_end();
	fb_node("bad@1");
	fb_end();
	fb_end();
	fb_end();
	fb_end();
	return fb_finish(size);
}

/* Unflatten anything: NULL with a message, or a tree; free it. */
static void unflatten_anything(const void *b, size_t size)
{
	struct vmm_problems p;
	struct vmm_devtree_node *t;

	vmm_problems_init(&p);
	fake_console_reset();
	t = vmm_devtree_unflatten(b, size, &p);
	if (!t && !fake_console_contains("devtree: "))
		fail_msg("NULL without a message (size %zu)", size);
	vmm_devtree_node_free(t);
	vmm_problems_free(&p);
}

static void test_truncated_blobs(void **state)
{
	size_t cuts[] = { 0, 1, 4, 27, 39, 40, 41, 56, 100, 0, 0, 0 };

	(void)state;
	blob = sample_blob(&blob_size);
	cuts[9] = blob_size / 2;
	cuts[10] = blob_size - 8;
	cuts[11] = blob_size - 1;
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		/* a copy of exactly the cut length: reading past it is an ASan report */
		void *cut = malloc(cuts[i] ? cuts[i] : 1);

		memcpy(cut, blob, cuts[i]);
		fake_console_reset();
		assert_null(vmm_devtree_unflatten(cut, cuts[i], &probs));
		if (cuts[i] < 40)
			assert_true(fake_console_contains("too small for a DTB header"));
		else
			assert_true(fake_console_contains("(truncated)"));
		free(cut);
	}
	/* every length in between, too */
	for (size_t len = 0; len < blob_size; len++) {
		void *cut = malloc(len ? len : 1);

		memcpy(cut, blob, len);
		unflatten_anything(cut, len);
		free(cut);
	}
	fake_console_reset();
	assert_null(vmm_devtree_unflatten(NULL, 100, &probs));
	assert_true(fake_console_contains("devtree: "));
	expect_problem_count(0);
}

static void put_be32(void *b, size_t off, u32 v)
{
	u8 *p = (u8 *)b + off;

	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* The blob with one header field changed (and last_comp_version too, if
 * 'last_comp' is not 0) must be refused with 'msg'. */
static void expect_refused_lc(size_t hdr_off, u32 value, u32 last_comp, const char *msg)
{
	void *b = malloc(blob_size);

	memcpy(b, blob, blob_size);
	put_be32(b, hdr_off, value);
	if (last_comp)
		put_be32(b, 24, last_comp);
	fake_console_reset();
	if (vmm_devtree_unflatten(b, blob_size, &probs))
		fail_msg("header field at %zu = 0x%x accepted", hdr_off, value);
	if (!fake_console_contains(msg))
		fail_msg("header field at %zu = 0x%x: no '%s' in: %s", hdr_off, value, msg,
			 fake_console_text());
	free(b);
}

static void expect_refused(size_t hdr_off, u32 value, const char *msg)
{
	expect_refused_lc(hdr_off, value, 0, msg);
}

static void test_corrupted_headers(void **state)
{
	u32 total;

	(void)state;
	blob = sample_blob(&blob_size);
	total = blob_size;
	/* magic, version, last compatible version */
	expect_refused(0, 0xd00dfeee, "not a valid DTB: FDT_ERR_BADMAGIC");
	expect_refused(0, 0, "not a valid DTB");
	expect_refused(20, 1, "not a valid DTB: FDT_ERR_BADVERSION");
	expect_refused(24, 0x20, "not a valid DTB: FDT_ERR_BADVERSION");
	/* versions before 16 (node names as paths) are refused before libfdt's
	 * fdt_check_full(), which dereferences NULL on them in libfdt 1.6.1 */
	expect_refused_lc(20, 3, 2, "DTB version 3 is not supported");
	expect_refused_lc(20, 15, 2, "DTB version 15 is not supported");
	expect_refused(20, 3, "not a valid DTB: FDT_ERR_BADVERSION");	/* below last_comp */
	/* offsets and sizes pointing outside the blob */
	expect_refused(8, total + 4, "not a valid DTB");		/* off_dt_struct */
	expect_refused(8, 0xfffffff0, "not a valid DTB");
	expect_refused(12, total + 4, "not a valid DTB");		/* off_dt_strings */
	expect_refused(36, total, "not a valid DTB");			/* size_dt_struct */
	expect_refused(32, 0x7ffffff0, "not a valid DTB");		/* size_dt_strings */
	expect_refused(16, 0xfffffff0, "not a valid DTB");		/* off_mem_rsvmap */
	/* totalsize larger than the buffer: truncated */
	expect_refused(4, total + 1, "(truncated)");
	expect_refused(4, 0xffffffff, "devtree: ");
	/* totalsize smaller than the header */
	expect_refused(4, 8, "not a valid DTB");
	/* the structure block: first tag not BEGIN_NODE, root not empty-named */
	expect_refused(fdt_off_dt_struct(blob), FDT_END, "no root node");
	expect_refused(fdt_off_dt_struct(blob), FDT_NOP, "devtree: ");
	expect_refused(fdt_off_dt_struct(blob) + 4, 0x61000000, "corrupt");
	/* the structure block must be 4-byte aligned, the blob 8-byte (libfdt) */
	expect_refused(8, fdt_off_dt_struct(blob) + 2, "DTB blocks misaligned");
	expect_refused(16, fdt_off_mem_rsvmap(blob) + 4, "DTB blocks misaligned");
	{
		u8 *buf = malloc(blob_size + 1);

		memcpy(buf + 1, blob, blob_size);
		fake_console_reset();
		assert_null(vmm_devtree_unflatten(buf + 1, blob_size, &probs));
		assert_true(fake_console_contains("devtree: not a valid DTB"));
		free(buf);
	}
	/* the intact blob still works */
	tree = vmm_devtree_unflatten(blob, blob_size, &probs);
	assert_non_null(tree);
	expect_problem_count(1);
	expect_problem("/guests/g0/aspace/bad@1", "'bad@1'", NULL);
}

/* Every byte of the blob set to a few values, one at a time. */
static void test_every_byte_changed(void **state)
{
	static const u8 values[] = { 0x00, 0x01, 0x03, 0x09, 0x2c, 0x40, 0x80, 0xff };
	u8 *b;

	(void)state;
	blob = sample_blob(&blob_size);
	b = malloc(blob_size);
	for (size_t off = 0; off < blob_size; off++) {
		for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
			memcpy(b, blob, blob_size);
			if (b[off] == values[v])
				continue;
			b[off] = values[v];
			unflatten_anything(b, blob_size);
		}
		memcpy(b, blob, blob_size);
		b[off] ^= 0xff;
		unflatten_anything(b, blob_size);
	}
	free(b);
}

/* Random flips in the structure and strings blocks of each real blob. */
static void test_random_flips(void **state)
{
	struct dtb_fixture fx[16];
	int nfx;
	unsigned int seed = 12345;

	(void)state;
	nfx = dtb_fixture_load_all(fx, ARRAY_SIZE(fx));
	assert_true(nfx > 0);
	for (int f = 0; f < nfx; f++) {
		u8 *b = malloc(fx[f].size);
		u32 start = fdt_off_dt_struct(fx[f].blob);
		u32 len = fx[f].size - start;

		for (int iter = 0; iter < 3000; iter++) {
			int flips = 1 + rand_r(&seed) % 8;

			memcpy(b, fx[f].blob, fx[f].size);
			for (int i = 0; i < flips; i++) {
				u32 off = start + rand_r(&seed) % len;

				b[off] ^= 1u << (rand_r(&seed) % 8);
			}
			unflatten_anything(b, fx[f].size);
		}
		free(b);
	}
	dtb_fixture_free_all(fx, nfx);
}

/* Out of memory at every single allocation: NULL with a message, or a tree
 * (when only a problem could not be recorded), and nothing leaks. */
static void test_out_of_memory_everywhere(void **state)
{
	long total;
	int nulls = 0;

	(void)state;
	blob = sample_blob(&blob_size);
	fake_heap_fail_nth(0);
	fake_heap_allocs = 0;
	fake_heap_fail_at = -1;	/* count only */
	tree = vmm_devtree_unflatten(blob, blob_size, &probs);
	total = fake_heap_allocs;
	assert_non_null(tree);
	vmm_devtree_node_free(tree);
	tree = NULL;
	vmm_problems_free(&probs);
	assert_true(total > 20);
	for (long n = 1; n <= total; n++) {
		struct vmm_devtree_node *t;

		vmm_problems_init(&probs);
		fake_console_reset();
		fake_heap_fail_nth(n);
		t = vmm_devtree_unflatten(blob, blob_size, &probs);
		if (!t) {
			nulls++;
			assert_true(fake_console_contains("devtree: out of memory"));
		} else {
			/* the only allocation it survives: the problem list's */
			assert_int_equal(probs.count, 0);
			assert_int_equal(probs.dropped, 1);
		}
		vmm_devtree_node_free(t);
		vmm_problems_free(&probs);
		if (fake_heap_live) {
			fprintf(stderr, "allocation %ld failing leaks %ld objects\n", n, fake_heap_live);
			fail();
		}
	}
	fake_heap_reset();
	assert_int_equal(nulls, total - 1);
}

/* ---- the real configurations ---- */

static void test_real_dts_files_clean(void **state)
{
	struct dtb_fixture fx[16];
	int nfx;

	(void)state;
	nfx = dtb_fixture_load_all(fx, ARRAY_SIZE(fx));
	if (nfx < 3)
		fail_msg("expected at least 3 configurations in %s/, compiled %d", dtb_fixture_dir(), nfx);
	for (int f = 0; f < nfx; f++) {
		struct vmm_devtree_node *t;

		vmm_problems_init(&probs);
		fake_console_reset();
		t = vmm_devtree_unflatten(fx[f].blob, fx[f].size, &probs);
		if (!t)
			fail_msg("%s: not unflattened: %s", fx[f].name, fake_console_text());
		if (probs.count) {
			dump_problems();
			fail_msg("%s: %u problems", fx[f].name, probs.count);
		}
		/* the shape chapter 2 describes */
		assert_non_null(vmm_devtree_find(t, "/vmm"));
		/* /host/cpus and /host/memory are filled at boot (host_tree.c) */
		assert_non_null(vmm_devtree_find(t, "/host/serial0"));
		assert_true(vmm_devtree_child_count(vmm_devtree_find(t, "/guests")) >= 1);
		assert_non_null(vmm_devtree_find(vmm_devtree_find(t, "/guests")->child, "vcpus/vcpu0"));
		assert_non_null(vmm_devtree_find(vmm_devtree_find(t, "/guests")->child, "aspace"));
		assert_int_equal(vmm_devtree_attr(vmm_devtree_find(t, "/vmm"),
						  "default_time_slice")->type, VMM_DEVTREE_U64);
		vmm_devtree_node_free(t);
		vmm_problems_free(&probs);
	}
	dtb_fixture_free_all(fx, nfx);
}

#define T(fn) { #fn, run_checked, setup, teardown, (void *)fn }

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_values_in_host_order),
		T(test_schema_types),
		T(test_unknown_attributes_guessed),
		T(test_bad_node_name_left_out),
		T(test_node_name_too_long),
		T(test_bad_attribute_name_left_out),
		T(test_string_not_terminated),
		T(test_string_list_empty_string),
		T(test_u64_with_4_bytes),
		T(test_u32_with_8_bytes),
		T(test_cells_with_6_bytes),
		T(test_duplicates),
		T(test_deep_nesting),
		T(test_problems_at_root_and_everywhere),
		T(test_root_only_blob),
		T(test_truncated_blobs),
		T(test_corrupted_headers),
		T(test_every_byte_changed),
		T(test_random_flips),
		T(test_out_of_memory_everywhere),
		T(test_real_dts_files_clean),
	};
	int rc = cmocka_run_group_tests_name("devtree_fdt", tests, NULL, NULL);

	free(fb);
	return rc;
}
