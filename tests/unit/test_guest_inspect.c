/*
 * tests/unit/test_guest_inspect.c - "guest dumpmem|region_list|stats"
 * (kernel/guest_inspect.c) on a guest built by hand: an aspace of RAM in
 * two chunks, ROM, an emulated device and a gap. The dump's format (16
 * bytes a line, hex and ASCII), its default and maximum length, a range
 * that crosses chunks and regions, and every refusal: a device, a gap, a
 * range running into either (nothing printed then), an overflow of
 * address + length, bad numbers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/guest_inspect.h"
#include "kernel/aspace.h"
#include "kernel/manager.h"
#include "kernel/arch_vcpu.h"
#include "kernel/error.h"

void arch_vcpu_stats_get(struct vmm_vcpu *v, struct arch_vcpu_stats *out)
{
	*out = (struct arch_vcpu_stats){ .exits = 42 + v->subid, .handler_ns = 7000, .guest_ns = 90000 };
}

static u8 ram_lo[0x1000], ram_hi[0x1000], rom[0x100];
static struct vmm_region_config cfgs[4];
static struct vmm_region_chunk chunks[3];
static struct vmm_region regions[4];
static struct vmm_aspace as;
static struct vmm_guest g;

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	for (size_t i = 0; i < sizeof(ram_lo); i++) {
		ram_lo[i] = (u8)i;
		ram_hi[i] = (u8)(0xFF - i);
	}
	memcpy(ram_lo, "Hello, guest!\n\x01\x7f", 16);
	memset(rom, 0xEA, sizeof(rom));
	/* ram: 0x0000-0x1fff in two chunks; rom: 0x2000-0x20ff; gap; uart at 0x3000 */
	cfgs[0] = (struct vmm_region_config){ .name = "ram", .kind = VMM_REGION_RAM, .gpa = 0, .size = 0x2000 };
	cfgs[1] = (struct vmm_region_config){ .name = "bios", .kind = VMM_REGION_ROM, .gpa = 0x2000, .size = 0x100 };
	cfgs[2] = (struct vmm_region_config){ .name = "uart0", .kind = VMM_REGION_VIRTUAL, .gpa = 0x3000,
					      .size = 0x1000, .compatible = "ns16550a" };
	cfgs[3] = (struct vmm_region_config){ .name = "com1", .kind = VMM_REGION_VIRTUAL, .io = true,
					      .gpa = 0x3f8, .size = 8, .compatible = "ns16550a" };
	chunks[0] = (struct vmm_region_chunk){ 0, (uintptr_t)ram_lo, 0x1000, true };
	chunks[1] = (struct vmm_region_chunk){ 0x1000, (uintptr_t)ram_hi, 0x1000, true };
	chunks[2] = (struct vmm_region_chunk){ 0x2000, (uintptr_t)rom, 0x100, true };
	regions[0] = (struct vmm_region){ .cfg = &cfgs[0], .nr_chunks = 2, .chunks = &chunks[0] };
	regions[1] = (struct vmm_region){ .cfg = &cfgs[1], .nr_chunks = 1, .chunks = &chunks[2] };
	regions[2] = (struct vmm_region){ .cfg = &cfgs[2] };
	regions[3] = (struct vmm_region){ .cfg = &cfgs[3] };
	as = (struct vmm_aspace){ .nr_regions = 4, .regions = regions };
	memset(&g, 0, sizeof(g));
	strcpy(g.name, "g0");
	g.aspace = &as;
	return 0;
}

/* Run "guest <args>" on g (argv split here as vmm_cmd_exec_line would). */
static int run(const char *args)
{
	char buf[256], *argv[16];
	int argc = 0;

	snprintf(buf, sizeof(buf), "guest %s", args);
	for (char *p = strtok(buf, " "); p && argc < 15; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	fake_console_reset();
	return vmm_guest_inspect(&g, argc, argv);
}

static void test_dump_format(void **state)
{
	(void)state;
	assert_int_equal(run("dumpmem g0 0 20"), VMM_OK);
	assert_true(fake_console_contains("guest g0: 20 bytes at guest-physical 0x0 (region ram, ram)\n"));
	assert_true(fake_console_contains(
		"  0000000000000000  48 65 6c 6c 6f 2c 20 67  75 65 73 74 21 0a 01 7f  |Hello, guest!...|\n"));
	assert_true(fake_console_contains(
		"  0000000000000010  10 11 12 13                                       |....            |\n"));
	assert_int_equal(fake_console_count("\n"), 3);
}

static void test_dump_default_and_max(void **state)
{
	(void)state;
	assert_int_equal(run("dumpmem g0 0x100"), VMM_OK);
	assert_true(fake_console_contains("256 bytes at guest-physical 0x100"));
	assert_int_equal(fake_console_count("\n"), 1 + 16);
	assert_int_equal(run("dumpmem g0 0 4096"), VMM_OK);
	assert_int_equal(fake_console_count("\n"), 1 + 256);
	assert_int_equal(run("dumpmem g0 0 4097"), -VMM_EINVALID);
	assert_true(fake_console_contains("guest dumpmem: length not 1..4096: '4097'\nusage: guest dumpmem"));
	assert_int_equal(run("dumpmem g0 0 0"), -VMM_EINVALID);
}

/* Across the two RAM chunks and on into ROM. */
static void test_dump_across_chunks_and_regions(void **state)
{
	(void)state;
	assert_int_equal(run("dumpmem g0 0xff8 16"), VMM_OK);
	assert_true(fake_console_contains("  0000000000000ff8  f8 f9 fa fb fc fd fe ff  ff fe fd fc fb fa f9 f8"));
	assert_int_equal(run("dumpmem g0 0x1ff8 16"), VMM_OK);
	assert_true(fake_console_contains("07 06 05 04 03 02 01 00  ea ea ea ea ea ea ea ea"));
}

static void test_dump_refusals(void **state)
{
	(void)state;
	assert_int_equal(run("dumpmem g0 0x3000 16"), -VMM_EINVALID);
	assert_true(fake_console_contains(
		"guest dumpmem: guest g0: guest-physical 0x3000 is in virtual region 'uart0', not RAM or ROM\n"));
	assert_int_equal(fake_console_count("\n"), 1);
	assert_int_equal(run("dumpmem g0 0x2800"), -VMM_ENOENT);
	assert_true(fake_console_contains("guest dumpmem: guest g0 has nothing mapped at guest-physical 0x2800\n"));
	/* a range that starts in ROM and runs into the gap: nothing dumped */
	assert_int_equal(run("dumpmem g0 0x20f0 32"), -VMM_ENOENT);
	assert_true(fake_console_contains("nothing mapped at guest-physical 0x2100\n"));
	assert_false(fake_console_contains("|"));
	/* ports are not memory: 0x3f8 is RAM here, not the io region */
	assert_int_equal(run("dumpmem g0 0x3f8 8"), VMM_OK);
	/* address + length past 2^64 */
	assert_int_equal(run("dumpmem g0 0xfffffffffffffff0 32"), -VMM_ERANGE);
	assert_true(fake_console_contains("goes past the end of the address space"));
	assert_int_equal(run("dumpmem g0 0xfffffffffffffff0 16"), -VMM_ENOENT);
	/* numbers */
	assert_int_equal(run("dumpmem g0 12zz"), -VMM_EINVALID);
	assert_true(fake_console_contains("guest dumpmem: not a guest-physical address (decimal or 0x hex): '12zz'\n"
					  "usage: guest dumpmem <guest> <guest-physical-addr> [len]"));
	assert_int_equal(run("dumpmem g0 -1"), -VMM_EINVALID);
	assert_int_equal(run("dumpmem g0 0x1ffffffffffffffff"), -VMM_EINVALID);
	assert_int_equal(run("dumpmem g0"), -VMM_EINVALID);
	assert_true(fake_console_contains("guest dumpmem: needs a guest-physical address after 'g0'\n"));
	assert_int_equal(run("dumpmem g0 0 16 x"), -VMM_EINVALID);
	assert_true(fake_console_contains("guest dumpmem: unexpected argument 'x'\n"));
	assert_int_equal(run("region_list g0 x"), -VMM_EINVALID);
	assert_true(fake_console_contains("guest region_list: unexpected argument 'x'\n"));
}

static void test_region_list(void **state)
{
	(void)state;
	assert_int_equal(run("region_list g0"), VMM_OK);
	assert_true(fake_console_contains("region"));
	char want[160];

	snprintf(want, sizeof(want), "  ram              ram     memory 0x0000000000000000 0x0000000000001fff 0x%016llx+1 0x2000\n",
		 (unsigned long long)(uintptr_t)ram_lo);
	assert_true(fake_console_contains(want));
	snprintf(want, sizeof(want), "  bios             rom     memory 0x0000000000002000 0x00000000000020ff 0x%016llx 0x100\n",
		 (unsigned long long)(uintptr_t)rom);
	assert_true(fake_console_contains(want));
	assert_true(fake_console_contains(
		"  uart0            virtual memory 0x0000000000003000 0x0000000000003fff emulated ns16550a  0x1000\n"));
	assert_true(fake_console_contains(
		"  com1             virtual io     0x00000000000003f8 0x00000000000003ff emulated ns16550a  0x8\n"));
	assert_int_equal(fake_console_count("\n"), 5);
}

static void test_stats(void **state)
{
	static struct vmm_vcpu v0, v1;

	(void)state;
	strcpy(v0.name, "g0/vcpu0");
	v0.is_normal = true;
	v0.state = VMM_VCPU_STATE_RUNNING;
	v0.host_cpu = 1;
	v0.run_ns[0] = 100000;
	v0.run_ns[1] = 23000;
	v0.switches = 5;
	v0.migrations = 2;
	v1 = v0;
	strcpy(v1.name, "g0/vcpu1");
	v1.subid = 1;
	v1.state = VMM_VCPU_STATE_PAUSED;
	g.nr_vcpus = 2;
	g.vcpus[0] = &v0;
	g.vcpus[1] = &v1;
	assert_int_equal(run("stats g0"), VMM_OK);
	assert_true(fake_console_contains("exits"));
	assert_true(fake_console_contains(
		"  g0/vcpu0                 RUNNING  1            42           90            7          123         5          2\n"));
	assert_true(fake_console_contains("  g0/vcpu1                 PAUSED   1            43"));
	g.nr_vcpus = 0;
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dump_format),
		T(test_dump_default_and_max),
		T(test_dump_across_chunks_and_regions),
		T(test_dump_refusals),
		T(test_region_list),
		T(test_stats),
	};

	return cmocka_run_group_tests_name("guest_inspect", tests, NULL, NULL);
}
