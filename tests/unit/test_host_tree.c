/*
 * tests/unit/test_host_tree.c - vmm_host_tree_fill() (kernel/host_tree.c):
 * /host/cpus/cpuN from the fake arch's host CPUs (online, disabled, no
 * APIC id known), /host/memory from a boot memory map, the merge with what
 * a configuration wrote under /host (kept, overridden with a warning,
 * CPUs not found marked "absent"), the printed tree, a real dts/ file,
 * out of memory at every allocation, and bad arguments.
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
#include "tests/unit/dtb_fixture.h"
#include "kernel/host_tree.h"
#include "kernel/devtree_fdt.h"
#include "kernel/arch_info.h"
#include "kernel/printk.h"
#include "kernel/error.h"

static struct vmm_devtree_node *root;
static struct vmm_boot_info bi;

/* A small PC: low RAM, reserved BIOS area, RAM from 1 MiB, ACPI tables. */
static void boot_map(void)
{
	memset(&bi, 0, sizeof(bi));
	bi.nr_mem = 4;
	bi.mem[0] = (struct vmm_mem_range){ 0x0, 0x9F000, VMM_MEM_USABLE };
	bi.mem[1] = (struct vmm_mem_range){ 0xF0000, 0x10000, VMM_MEM_RESERVED };
	bi.mem[2] = (struct vmm_mem_range){ 0x100000, 0x7EF0000, VMM_MEM_USABLE };
	bi.mem[3] = (struct vmm_mem_range){ 0x7FF0000, 0x10000, VMM_MEM_ACPI_RECLAIM };
}

/* Three CPUs: two online (APIC ids 0 and 2), one listed but not started (id 5). */
static void three_cpus(void)
{
	fake_nr_host_cpus = 3;
	fake_host_cpu_ids[0] = 0;
	fake_host_cpu_online[0] = true;
	fake_host_cpu_ids[1] = 2;
	fake_host_cpu_online[1] = true;
	fake_host_cpu_ids[2] = 5;
	fake_host_cpu_online[2] = false;
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_heap_reset();
	vmm_printk_set_level(VMM_LOG_DEBUG);
	boot_map();
	root = vmm_devtree_node_new(NULL, "");
	return root ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	vmm_devtree_node_free(root);
	root = NULL;
	if (fake_heap_live)
		fail_msg("%ld kernel heap objects leaked", fake_heap_live);
	return 0;
}

static struct vmm_devtree_node *find(const char *path)
{
	struct vmm_devtree_node *n = vmm_devtree_find(root, path);

	if (!n)
		fail_msg("no node %s", path);
	return n;
}

static void want_string(const char *path, const char *attr, const char *want)
{
	const char *s;

	if (vmm_devtree_read_string(find(path), attr, &s))
		fail_msg("%s: no string '%s'", path, attr);
	if (strcmp(s, want))
		fail_msg("%s: %s = \"%s\", expected \"%s\"", path, attr, s, want);
}

static void want_u32(const char *path, const char *attr, u32 want)
{
	u32 v;

	if (vmm_devtree_read_u32(find(path), attr, &v))
		fail_msg("%s: no 32-bit '%s'", path, attr);
	if (v != want)
		fail_msg("%s: %s = %u, expected %u", path, attr, v, want);
}

static void want_u64(const char *path, const char *attr, u64 want)
{
	struct vmm_devtree_attr *a = vmm_devtree_attr(find(path), attr);
	u64 v;

	assert_non_null(a);
	assert_int_equal(a->type, VMM_DEVTREE_U64);
	memcpy(&v, a->value, 8);
	if (v != want)
		fail_msg("%s: %s = 0x%llx, expected 0x%llx", path, attr, (unsigned long long)v,
			 (unsigned long long)want);
}

static void set_str(struct vmm_devtree_node *n, const char *name, const char *s)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_STRING, s, strlen(s) + 1), VMM_OK);
}

static void set_u32(struct vmm_devtree_node *n, const char *name, enum vmm_devtree_type type, u32 v)
{
	assert_int_equal(vmm_devtree_setattr(n, name, type, &v, 4), VMM_OK);
}

/* ---- the fill on an empty tree ---- */

static void test_cpus_and_memory_on_empty_tree(void **state)
{
	(void)state;
	three_cpus();
	fake_console_reset();
	assert_int_equal(vmm_host_tree_fill(root, &bi), VMM_OK);
	assert_int_equal(vmm_devtree_child_count(find("/host/cpus")), 3);
	for (u32 i = 0; i < 3; i++) {
		char path[32];
		const struct vmm_devtree_attr *reg;

		snprintf(path, sizeof(path), "/host/cpus/cpu%u", i);
		want_string(path, "device_type", "cpu");
		reg = vmm_devtree_attr(find(path), "reg");
		assert_non_null(reg);
		assert_int_equal(reg->type, VMM_DEVTREE_CELLS);
		want_u32(path, "reg", i);
		want_u32(path, "apic_id", fake_host_cpu_ids[i]);
		want_string(path, "status", i < 2 ? "okay" : "disabled");
	}
	want_string("/host/memory", "device_type", "memory");
	assert_int_equal(vmm_devtree_child_count(find("/host/memory")), 4);
	want_u64("/host/memory/range0", "base", 0);
	want_u64("/host/memory/range0", "size", 0x9F000);
	want_string("/host/memory/range0", "type", "usable");
	want_string("/host/memory/range1", "type", "reserved");
	want_u64("/host/memory/range2", "base", 0x100000);
	want_u64("/host/memory/range2", "size", 0x7EF0000);
	want_string("/host/memory/range3", "type", "ACPI reclaimable");
	want_u64("/host/memory", "usable_size", 0x9F000 + 0x7EF0000);
	assert_true(fake_console_contains("host: /host/cpus: 3 CPUs, 2 online\n"));
	assert_false(fake_console_contains("replaced"));
	assert_false(fake_console_contains("absent"));
}

/* One CPU (the default fake), no memory map entries: still well formed. */
static void test_one_cpu_no_memory(void **state)
{
	(void)state;
	bi.nr_mem = 0;
	fake_console_reset();
	assert_int_equal(vmm_host_tree_fill(root, &bi), VMM_OK);
	assert_int_equal(vmm_devtree_child_count(find("/host/cpus")), 1);
	want_string("/host/cpus/cpu0", "status", "okay");
	assert_int_equal(vmm_devtree_child_count(find("/host/memory")), 0);
	want_u64("/host/memory", "usable_size", 0);
	assert_true(fake_console_contains("host: /host/cpus: 1 CPU, 1 online\n"));
}

/* A CPU index the arch knows but with no APIC id: no apic_id attribute. */
static void test_cpu_without_hw_id(void **state)
{
	(void)state;
	fake_nr_host_cpus = 2;
	fake_host_cpu_ids[1] = ARCH_HOST_CPU_NO_ID;
	fake_host_cpu_online[1] = false;
	assert_int_equal(vmm_host_tree_fill(root, &bi), VMM_OK);
	assert_null(vmm_devtree_attr(find("/host/cpus/cpu1"), "apic_id"));
	want_string("/host/cpus/cpu1", "status", "disabled");
	want_u32("/host/cpus/cpu1", "reg", 1);
}

/* ---- merging with what the configuration wrote ---- */

static void test_merge_with_configuration(void **state)
{
	struct vmm_devtree_node *host = vmm_devtree_node_new(root, "host");
	struct vmm_devtree_node *cpus = vmm_devtree_node_new(host, "cpus");
	struct vmm_devtree_node *c0 = vmm_devtree_node_new(cpus, "cpu0");
	struct vmm_devtree_node *c1 = vmm_devtree_node_new(cpus, "cpu1");
	struct vmm_devtree_node *c7 = vmm_devtree_node_new(cpus, "cpu7");
	struct vmm_devtree_node *serial = vmm_devtree_node_new(host, "serial0");
	struct vmm_devtree_node *mem = vmm_devtree_node_new(host, "memory");

	(void)state;
	three_cpus();
	/* what the DTS says and agrees with: no message */
	set_str(c0, "device_type", "cpu");
	set_u32(c0, "reg", VMM_DEVTREE_CELLS, 0);
	set_u32(c0, "clock_mhz", VMM_DEVTREE_U32, 1000);	/* the user's own: kept */
	/* what the DTS says and is wrong: replaced, reported */
	set_u32(c1, "apic_id", VMM_DEVTREE_U32, 9);
	set_str(c1, "status", "disabled");
	set_str(c7, "device_type", "cpu");			/* no such CPU */
	set_str(serial, "device_type", "serial");
	set_u32(serial, "io_port", VMM_DEVTREE_U32, 0x3F8);
	assert_non_null(vmm_devtree_node_new(mem, "bogus"));
	set_u32(cpus, "note", VMM_DEVTREE_U32, 1);
	fake_console_reset();
	assert_int_equal(vmm_host_tree_fill(root, &bi), VMM_OK);

	/* the same nodes are kept, the found values written into them */
	assert_ptr_equal(find("/host/cpus/cpu0"), c0);
	assert_ptr_equal(find("/host/cpus/cpu1"), c1);
	want_u32("/host/cpus/cpu0", "clock_mhz", 1000);
	want_u32("/host/cpus/cpu0", "apic_id", 0);
	want_u32("/host/cpus/cpu1", "apic_id", 2);
	want_string("/host/cpus/cpu1", "status", "okay");
	want_string("/host/cpus/cpu2", "status", "disabled");
	want_u32("/host/cpus", "note", 1);
	assert_false(fake_console_contains("/host/cpus/cpu0:"));
	assert_true(fake_console_contains(
		"host: /host/cpus/cpu1: the configuration's 'apic_id' is replaced by the value found at boot\n"));
	assert_true(fake_console_contains(
		"host: /host/cpus/cpu1: the configuration's 'status' is replaced by the value found at boot\n"));
	assert_int_equal(fake_console_count("replaced by the value found"), 2);
	/* a CPU the configuration invents is kept, marked and reported */
	assert_ptr_equal(find("/host/cpus/cpu7"), c7);
	want_string("/host/cpus/cpu7", "status", "absent");
	want_string("/host/cpus/cpu7", "device_type", "cpu");
	assert_true(fake_console_contains(
		"host: /host/cpus/cpu7: no such CPU was found (3 CPUs known): marked status = \"absent\"\n"));
	/* other host hardware untouched */
	assert_ptr_equal(find("/host/serial0"), serial);
	want_u32("/host/serial0", "io_port", 0x3F8);
	assert_null(vmm_devtree_attr(serial, "status"));
	/* /host/memory is the boot map's */
	assert_null(vmm_devtree_find(root, "/host/memory/bogus"));
	assert_int_equal(vmm_devtree_child_count(find("/host/memory")), 4);
	assert_true(fake_console_contains(
		"host: /host/memory: the configuration's node is replaced by the boot memory map\n"));
}

/* The devtree command's printer shows what was filled. */
static void test_printed(void **state)
{
	(void)state;
	three_cpus();
	assert_int_equal(vmm_host_tree_fill(root, &bi), VMM_OK);
	fake_console_reset();
	vmm_devtree_print(find("/host/cpus"), 0);
	assert_true(fake_console_contains(
		"    cpu1 {\n"
		"        device_type = \"cpu\";\n"
		"        reg = <0x1>;\n"
		"        apic_id = <0x2>;\n"
		"        status = \"okay\";\n"
		"    };\n"));
	fake_console_reset();
	vmm_devtree_print(find("/host/memory/range2"), 0);
	assert_string_equal(fake_console_text(),
		"range2 {\n"
		"    base = /bits/ 64 <0x100000>;\n"
		"    size = /bits/ 64 <0x7ef0000>;\n"
		"    type = \"usable\";\n"
		"};\n");
}

/* bochs.dts's hand-written /host/cpus/cpu0 agrees with a one-CPU host. */
static void test_real_dts_merges_quietly(void **state)
{
	struct dtb_fixture fx[16];
	int nfx = dtb_fixture_load_all(fx, ARRAY_SIZE(fx));
	bool seen = false;

	(void)state;
	assert_true(nfx >= 3);
	for (int f = 0; f < nfx; f++) {
		struct vmm_problems probs;
		struct vmm_devtree_node *t;

		vmm_problems_init(&probs);
		t = vmm_devtree_unflatten(fx[f].blob, fx[f].size, &probs);
		assert_non_null(t);
		fake_console_reset();
		assert_int_equal(vmm_host_tree_fill(t, &bi), VMM_OK);
		if (fake_console_contains("replaced") || fake_console_contains("absent"))
			fail_msg("%s:\n%s", fx[f].name, fake_console_text());
		assert_non_null(vmm_devtree_find(t, "/host/cpus/cpu0"));
		if (vmm_devtree_find(t, "/host/serial0")) {
			assert_true(vmm_devtree_string_is(vmm_devtree_find(t, "/host/serial0"),
							  "device_type", "serial"));
			seen = true;
		}
		vmm_devtree_node_free(t);
		vmm_problems_free(&probs);
	}
	assert_true(seen);
	dtb_fixture_free_all(fx, nfx);
}

/* Every allocation of the fill failing in turn: an error, no leak, no crash. */
static void test_out_of_memory(void **state)
{
	long n;

	(void)state;
	three_cpus();
	for (n = 1; n < 200; n++) {
		struct vmm_devtree_node *t = vmm_devtree_node_new(NULL, "");
		int rc;

		assert_non_null(t);
		fake_console_reset();
		fake_heap_fail_nth(n);
		rc = vmm_host_tree_fill(t, &bi);
		fake_heap_reset();
		vmm_devtree_node_free(t);
		if (rc == VMM_OK)
			break;
		assert_int_equal(rc, -VMM_ENOMEM);
		assert_true(fake_console_contains("host: cannot fill /host: "));
	}
	assert_true(n > 20 && n < 200);	/* it did allocate, and finally succeeded */
}

static void test_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(vmm_host_tree_fill(NULL, &bi), -VMM_EINVALID);
	assert_int_equal(vmm_host_tree_fill(root, NULL), -VMM_EINVALID);
	assert_null(root->child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cpus_and_memory_on_empty_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_cpu_no_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_without_hw_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_with_configuration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_printed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_dts_merges_quietly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests_name("host_tree", tests, NULL, NULL);
}
