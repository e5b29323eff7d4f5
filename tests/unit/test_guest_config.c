/*
 * tests/unit/test_guest_config.c - vmm_config_validate() (kernel/guest_config.c):
 * one case per semantic rule of /vmm and /guests/<name> (trees built with the
 * devtree API), each checking that the guest is rejected with ONE message
 * naming the guest, the full node path and the problem, listing every
 * problem of that guest, while the good guests next to it are accepted.
 * The acpi_tables flag of a ROM. Also the RAM budget, max_guest_count / max_vcpu_count, the claim callback
 * (a recording fake, and the real buddy allocator over a host buffer), /vmm
 * defaults, missing nodes, problems handed over from unflattening, out of
 * memory, the summary, and the real dts/ configurations. The scheduling
 * attributes: a VCPU's affinity = <cpus> and a guest's start = "boot"|"all",
 * from trees built here and from DTS text through dtc and the unflattener.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "tests/unit/fake_heap.h"
#include "tests/unit/dtb_fixture.h"
#include "kernel/guest_config.h"
#include "kernel/devtree_fdt.h"
#include "kernel/buddy.h"
#include "kernel/printk.h"
#include "kernel/error.h"

/* ---- the host the checks see ---- */

/* RAM below 636 KiB and from 1 MiB to 256 MiB, like a small PC */
static const struct vmm_phys_range host_ram[] = {
	{ 0x0, 0x9F000, "RAM" },
	{ 0x100000, 0x10000000, "RAM" },
};
static const struct vmm_phys_range host_used[] = {
	{ 0x0, 0x100000, "low memory" },
	{ 0x100000, 0x400000, "kernel image" },
	{ 0x8000000, 0x8100000, "modules" },
};

/* what the hypervisor itself uses, as arch_host_owned() reports it on a PC
 * (Bochs: PM1a control 0xb004, PM timer 0xb008) */
static const struct vmm_host_owned host_owned[] = {
	{ true, 0x3F8, 0x400, "console UART" },
	{ true, 0x20, 0x22, "master 8259A PIC (masked by it)" },
	{ true, 0xA0, 0xA2, "slave 8259A PIC (masked by it)" },
	{ true, 0x70, 0x72, "CMOS/RTC ports (host clock, NMI mask)" },
	{ true, 0x80, 0x81, "I/O delay port" },
	{ true, 0xCF8, 0xD00, "PCI configuration ports" },
	{ true, 0xB004, 0xB006, "ACPI PM1a control block (power-off)" },
	{ true, 0xB008, 0xB00C, "ACPI PM timer (clock calibration)" },
	{ true, 0x8900, 0x8901, "emulator shutdown port (power-off)" },
	{ true, 0x501, 0x503, "QEMU debug exit port (power-off)" },
	{ false, 0xFEE00000, 0xFEE01000, "local APIC window" },
	{ false, 0xFEC00000, 0xFEC01000, "IO-APIC window" },
	{ false, 0x10000000, 0x10000024, "ACPI table RSDP" },
	{ false, 0x10001000, 0x10001100, "ACPI table FACP" },
};

#define MAX_CLAIMS 32
static struct { u64 start, end; } claims[MAX_CLAIMS];
static int nr_claims;
static u64 claim_fail_start;	/* a claim starting here fails ... */
static int claim_fail_rc;	/* ... with this code */

static int fake_claim(u64 start, u64 end)
{
	if (nr_claims < MAX_CLAIMS) {
		claims[nr_claims].start = start;
		claims[nr_claims].end = end;
	}
	nr_claims++;
	return start == claim_fail_start ? claim_fail_rc : VMM_OK;
}

static struct vmm_host_view host;
static struct vmm_devtree_node *root, *guests;
static struct vmm_problems probs;
static struct vmm_config cfg;

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_heap_reset();
	memset(&host, 0, sizeof(host));
	host.ram = host_ram;
	host.nr_ram = ARRAY_SIZE(host_ram);
	host.used = host_used;
	host.nr_used = ARRAY_SIZE(host_used);
	host.free_bytes = 200 * MiB;
	host.claim = fake_claim;
	host.owned = host_owned;
	host.nr_owned = ARRAY_SIZE(host_owned);
	nr_claims = 0;
	claim_fail_start = ~0ULL;
	claim_fail_rc = VMM_OK;
	vmm_problems_init(&probs);
	memset(&cfg, 0, sizeof(cfg));
	root = vmm_devtree_node_new(NULL, "");
	guests = vmm_devtree_node_new(root, "guests");
	return root && guests ? 0 : -1;
}

/* Free what a test kept in the globals above. */
static void release(void)
{
	vmm_config_free(&cfg);
	vmm_devtree_node_free(root);
	root = NULL;
	vmm_problems_free(&probs);
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

/* ---- building trees ---- */

static struct vmm_devtree_node *node(struct vmm_devtree_node *parent, const char *name)
{
	struct vmm_devtree_node *n = vmm_devtree_child(parent, name);

	if (!n)
		n = vmm_devtree_node_new(parent, name);
	assert_non_null(n);
	return n;
}

static void set_str(struct vmm_devtree_node *n, const char *name, const char *s)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_STRING, s, strlen(s) + 1), VMM_OK);
}

static void set_strs(struct vmm_devtree_node *n, const char *name, const char *s, u32 len)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_STRINGS, s, len), VMM_OK);
}

static void set_u64(struct vmm_devtree_node *n, const char *name, u64 v)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_U64, &v, 8), VMM_OK);
}

static void set_u32(struct vmm_devtree_node *n, const char *name, u32 v)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_U32, &v, 4), VMM_OK);
}

/* cells <v[0] ... v[n-1]> (n may be 0: an empty list) */
static void set_cells(struct vmm_devtree_node *n, const char *name, const u32 *v, u32 count)
{
	assert_int_equal(vmm_devtree_setattr(n, name, VMM_DEVTREE_CELLS, v, count * 4), VMM_OK);
}

static struct vmm_devtree_node *vmm_node(void)
{
	return node(root, "vmm");
}

/* A VCPU with the required attributes. */
static struct vmm_devtree_node *vcpu(struct vmm_devtree_node *g, const char *name)
{
	struct vmm_devtree_node *v = node(node(g, "vcpus"), name);

	set_str(v, "device_type", "vcpu");
	set_u64(v, "start_pc", 0xFFFF0);
	return v;
}

/* A region; 'dtype' may be NULL. */
static struct vmm_devtree_node *region(struct vmm_devtree_node *g, const char *name,
				       const char *manifest, const char *atype,
				       const char *dtype, u64 gpa, u64 size)
{
	struct vmm_devtree_node *r = node(node(g, "aspace"), name);

	set_str(r, "manifest_type", manifest);
	set_str(r, "address_type", atype);
	if (dtype)
		set_str(r, "device_type", dtype);
	set_u64(r, "guest_physical_addr", gpa);
	set_u64(r, "physical_size", size);
	return r;
}

static struct vmm_devtree_node *ram(struct vmm_devtree_node *g, const char *name, u64 gpa, u64 size)
{
	return region(g, name, "real", "memory", "ram", gpa, size);
}

static struct vmm_devtree_node *fixed_ram(struct vmm_devtree_node *g, const char *name,
					  u64 gpa, u64 size, u64 hpa)
{
	struct vmm_devtree_node *r = ram(g, name, gpa, size);

	set_u64(r, "host_physical_addr", hpa);
	return r;
}

static struct vmm_devtree_node *virt(struct vmm_devtree_node *g, const char *name,
				     const char *atype, u64 gpa, u64 size, const char *compat)
{
	struct vmm_devtree_node *r = region(g, name, "virtual", atype, NULL, gpa, size);

	set_strs(r, "compatible", compat, strlen(compat) + 1);
	return r;
}

/* A guest with one VCPU and 'ram_size' bytes of allocated RAM at 0 (none if 0). */
static struct vmm_devtree_node *guest(const char *name, u64 ram_size)
{
	struct vmm_devtree_node *g = node(guests, name);

	set_str(g, "device_type", "guest");
	vcpu(g, "vcpu0");
	node(g, "aspace");
	if (ram_size)
		ram(g, "ram", 0, ram_size);
	return g;
}

/* ---- running and looking at the verdict ---- */

static void validate(void)
{
	vmm_config_free(&cfg);
	fake_console_reset();
	assert_int_equal(vmm_config_validate(root, &probs, &host, &cfg), VMM_OK);
}

static const struct vmm_guest_config *accepted(const char *name)
{
	for (u32 i = 0; i < cfg.nr_guests; i++)
		if (!strcmp(cfg.guests[i].name, name))
			return &cfg.guests[i];
	return NULL;
}

static void expect_accepted(const char *name)
{
	char head[96];

	snprintf(head, sizeof(head), "guest '%s' rejected", name);
	if (!accepted(name) || fake_console_contains(head))
		fail_msg("guest '%s' not accepted; console:\n%s", name, fake_console_text());
}

/*
 * The rejection of guest 'name' must be one message: a header naming the
 * guest and the number of problems, then exactly that many problem lines.
 * Returns the problem lines (a static copy).
 */
static const char *rejection(const char *name, int nproblems)
{
	static char block[8192];
	char head[128], again[96];
	const char *text = fake_console_text(), *p, *line;
	size_t len = 0;
	int lines = 0;

	snprintf(head, sizeof(head), "config: guest '%s' rejected, %d problem%s:\n", name,
		 nproblems, nproblems == 1 ? "" : "s");
	p = strstr(text, head);
	if (!p)
		fail_msg("no \"%s\" in:\n%s", head, text);
	snprintf(again, sizeof(again), "guest '%s' rejected", name);
	if (strstr(p + strlen(head), again))
		fail_msg("guest '%s' rejected twice:\n%s", name, text);
	if (accepted(name))
		fail_msg("guest '%s' both rejected and accepted", name);
	for (line = p + strlen(head); !strncmp(line, "config:   ", 10); lines++) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);

		assert_true(len + n < sizeof(block));
		memcpy(block + len, line, n);
		len += n;
		line += n;
	}
	block[len] = 0;
	if (lines != nproblems)
		fail_msg("guest '%s': %d problem lines follow the header, expected %d:\n%s", name,
			 lines, nproblems, text);
	return block;
}

/* A line "config:   <path>: ..." in 'block' containing 'words'. */
static void expect_line(const char *block, const char *path, const char *words)
{
	char prefix[VMM_DEVTREE_PATH_MAX + 16];
	const char *line = block;

	snprintf(prefix, sizeof(prefix), "config:   %s: ", path);
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
		if (!strncmp(buf, prefix, strlen(prefix)) && strstr(buf, words))
			return;
		line = nl ? nl + 1 : NULL;
	}
	fail_msg("no problem at '%s' with '%s' in:\n%s", path, words, block);
}

/* a guest rejected for one problem at 'path' */
static void expect_one(const char *name, const char *path, const char *words)
{
	expect_line(rejection(name, 1), path, words);
}

/* ---- accepted configurations ---- */

static void test_good_guests_accepted(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *v1;
	const struct vmm_guest_config *c;

	(void)state;
	v1 = vcpu(g0, "vcpu1");
	set_u64(v1, "time_slice", 5000000);
	set_u32(v1, "priority", 3);
	virt(g0, "uart0", "io", 0x3F8, 8, "ns16550a");
	region(g0, "bios", "real", "memory", "rom", 0xFFFF0000, 64 * KiB);
	guest("g1", 4 * MiB);
	validate();
	assert_int_equal(cfg.nr_guests, 2);
	assert_int_equal(cfg.nr_rejected, 0);
	assert_false(fake_console_contains("rejected"));
	assert_int_equal(nr_claims, 0);

	c = accepted("g0");
	assert_non_null(c);
	assert_ptr_equal(c->node, g0);
	assert_int_equal(c->nr_vcpus, 2);
	assert_string_equal(c->vcpus[0].name, "vcpu0");
	assert_true(c->vcpus[0].start_pc == 0xFFFF0);
	assert_true(c->vcpus[0].time_slice_ns == VMM_DEFAULT_TIME_SLICE_NS);
	assert_int_equal(c->vcpus[0].priority, 0);
	assert_true(c->vcpus[1].time_slice_ns == 5000000);
	assert_int_equal(c->vcpus[1].priority, 3);
	assert_int_equal(c->nr_regions, 3);
	assert_int_equal(c->regions[0].kind, VMM_REGION_RAM);
	assert_false(c->regions[0].io);
	assert_false(c->regions[0].fixed_hpa);
	assert_int_equal(c->regions[1].kind, VMM_REGION_VIRTUAL);
	assert_true(c->regions[1].io);
	assert_string_equal(c->regions[1].compatible, "ns16550a");
	assert_true(c->regions[1].gpa == 0x3F8 && c->regions[1].size == 8);
	assert_int_equal(c->regions[2].kind, VMM_REGION_ROM);
	assert_string_equal(c->regions[2].device_type, "rom");
	assert_true(c->alloc_bytes == 2 * MiB + 64 * KiB);
	assert_true(accepted("g1")->alloc_bytes == 4 * MiB);
}

/* ---- one case per rule ---- */

static void test_guest_device_type(void **state)
{
	struct vmm_devtree_node *g1;

	(void)state;
	guest("g0", 2 * MiB);
	assert_int_equal(vmm_devtree_delattr(vmm_devtree_child(guests, "g0"), "device_type"), VMM_OK);
	g1 = guest("g1", 2 * MiB);
	set_str(g1, "device_type", "vm");
	guest("ok", 2 * MiB);
	validate();
	expect_one("g0", "/guests/g0", "device_type must be \"guest\"");
	expect_one("g1", "/guests/g1", "device_type must be \"guest\"");
	expect_accepted("ok");
	assert_int_equal(cfg.nr_guests, 1);
	assert_int_equal(cfg.nr_rejected, 2);
}

static void test_vcpus_missing_or_empty(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *g1 = guest("g1", 2 * MiB);

	(void)state;
	vmm_devtree_node_free(vmm_devtree_child(g0, "vcpus"));
	vmm_devtree_node_free(vmm_devtree_find(g1, "vcpus/vcpu0"));
	guest("ok", 2 * MiB);
	validate();
	expect_one("g0", "/guests/g0", "required node 'vcpus' is missing");
	expect_one("g1", "/guests/g1/vcpus", "a guest needs at least one VCPU");
	expect_accepted("ok");
}

static void test_vcpu_attributes(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *g1 = guest("ok", 2 * MiB), *v;
	const char *b;

	(void)state;
	set_str(vmm_devtree_find(g0, "vcpus/vcpu0"), "device_type", "cpu");
	assert_int_equal(vmm_devtree_delattr(vcpu(g0, "v_nopc"), "start_pc"), VMM_OK);
	set_str(vcpu(g0, "v_pcstr"), "start_pc", "0x1000");
	set_u64(vcpu(g0, "v_small"), "time_slice", 99999);
	set_u64(vcpu(g0, "v_big"), "time_slice", 10000000001ULL);
	set_str(vcpu(g0, "v_tstype"), "time_slice", "10ms");
	set_u32(vcpu(g0, "v_prio"), "priority", 8);
	set_u64(vcpu(g0, "v_priotype"), "priority", 1);
	/* the limits themselves are fine */
	set_u64(vmm_devtree_find(g1, "vcpus/vcpu0"), "time_slice", 100000);
	v = vcpu(g1, "vcpu1");
	set_u64(v, "time_slice", 10000000000ULL);
	set_u32(v, "priority", 7);
	set_u32(vcpu(g1, "vcpu2"), "time_slice", 200000);	/* a u32 is a u64 too */
	validate();
	b = rejection("g0", 8);
	expect_line(b, "/guests/g0/vcpus/vcpu0", "device_type must be \"vcpu\"");
	expect_line(b, "/guests/g0/vcpus/v_nopc", "required attribute 'start_pc' is missing");
	expect_line(b, "/guests/g0/vcpus/v_pcstr", "attribute 'start_pc' must be a 64-bit value");
	expect_line(b, "/guests/g0/vcpus/v_small", "time_slice 99999 ns is outside 100000..10000000000 ns");
	expect_line(b, "/guests/g0/vcpus/v_big", "time_slice 10000000001 ns is outside");
	expect_line(b, "/guests/g0/vcpus/v_tstype", "attribute 'time_slice' must be a 64-bit value");
	expect_line(b, "/guests/g0/vcpus/v_prio", "priority 8 is above 7");
	expect_line(b, "/guests/g0/vcpus/v_priotype", "attribute 'priority' must be a 32-bit value");
	expect_accepted("ok");
	assert_int_equal(accepted("ok")->vcpus[1].priority, 7);
	assert_true(accepted("ok")->vcpus[2].time_slice_ns == 200000);
}

/* multiboot_kernel, multiboot_cmdline, multiboot_modules (kernel/mb1_guest.c loads them). */
static void test_multiboot_attributes(void **state)
{
	static const char mods[] = "mod1.bin one two\0mod2.bin";
	struct vmm_devtree_node *ok = guest("ok", 2 * MiB), *dflt = guest("dflt", 2 * MiB);
	struct vmm_devtree_node *b1 = guest("b1", 2 * MiB), *b2 = guest("b2", 2 * MiB);
	struct vmm_devtree_node *b3 = guest("b3", 2 * MiB);
	const struct vmm_guest_config *g;
	char many[10 * 4], longs[300];

	(void)state;
	set_str(ok, "multiboot_kernel", "k.elf");
	set_str(ok, "multiboot_cmdline", "k.elf a=1");
	set_strs(ok, "multiboot_modules", mods, sizeof(mods));
	/* start_pc may be left out; cpu_mode "protected" is what it gets anyway */
	assert_int_equal(vmm_devtree_delattr(vmm_devtree_find(ok, "vcpus/vcpu0"), "start_pc"), VMM_OK);
	set_str(dflt, "multiboot_kernel", "k.elf");
	set_str(vmm_devtree_find(dflt, "vcpus/vcpu0"), "cpu_mode", "protected");
	/* refusals */
	set_str(b1, "multiboot_cmdline", "x");
	set_str(b2, "multiboot_kernel", "");
	set_str(vmm_devtree_find(b3, "vcpus/vcpu0"), "cpu_mode", "long");
	set_str(b3, "multiboot_kernel", "k.elf");
	for (int i = 0; i < 9; i++)
		memcpy(many + i * 4, "m.x", 4);
	set_strs(b3, "multiboot_modules", many, 9 * 4);
	memset(longs, 'a', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = 0;
	set_str(b3, "multiboot_cmdline", longs);
	validate();
	expect_accepted("ok");
	g = accepted("ok");
	assert_string_equal(g->mb1.kernel, "k.elf");
	assert_string_equal(g->mb1.cmdline, "k.elf a=1");
	assert_int_equal(g->mb1.nr_modules, 2);
	assert_string_equal(g->mb1.modules[0], "mod1.bin one two");
	assert_string_equal(g->mb1.modules[1], "mod2.bin");
	assert_int_equal(g->vcpus[0].mode, VMM_VCPU_MODE_PROTECTED);
	expect_accepted("dflt");
	assert_string_equal(accepted("dflt")->mb1.cmdline, "k.elf");	/* default: the kernel's name */
	assert_int_equal(accepted("dflt")->mb1.nr_modules, 0);
	expect_one("b1", "/guests/b1", "multiboot_cmdline or multiboot_modules without multiboot_kernel");
	expect_one("b2", "/guests/b2", "attribute 'multiboot_kernel' must be one module name");
	{
		const char *b = rejection("b3", 3);

		expect_line(b, "/guests/b3/vcpus/vcpu0", "cpu_mode \"long\": a Multiboot kernel starts in \"protected\" mode");
		expect_line(b, "/guests/b3", "multiboot_cmdline is longer than 255 characters");
		expect_line(b, "/guests/b3", "attribute 'multiboot_modules' must be 1 to 8 strings");
	}
}

/* linux_kernel, linux_initrd, linux_cmdline (kernel/linux_guest.c loads them). */
static void test_linux_attributes(void **state)
{
	struct vmm_devtree_node *ok = guest("ok", 2 * MiB), *bare = guest("bare", 2 * MiB);
	struct vmm_devtree_node *lng = guest("lng", 2 * MiB), *edge = guest("edge", 2 * MiB);
	struct vmm_devtree_node *b1 = guest("b1", 2 * MiB), *b2 = guest("b2", 2 * MiB);
	struct vmm_devtree_node *b3 = guest("b3", 2 * MiB), *b4 = guest("b4", 2 * MiB);
	struct vmm_devtree_node *b5 = guest("b5", 2 * MiB), *b6 = guest("b6", 2 * MiB);
	struct vmm_devtree_node *b7 = guest("b7", 2 * MiB);
	static char longs[VMM_LINUX_CMDLINE_MAX + 1], edges[VMM_LINUX_CMDLINE_MAX];
	const struct vmm_guest_config *g;

	(void)state;
	set_str(ok, "linux_kernel", "bzImage");
	set_str(ok, "linux_initrd", "initrd.cpio.gz");
	set_str(ok, "linux_cmdline", "console=ttyS0 quiet");
	/* start_pc may be left out: the boot VCPU starts at the kernel's entry */
	assert_int_equal(vmm_devtree_delattr(vmm_devtree_find(ok, "vcpus/vcpu0"), "start_pc"), VMM_OK);
	vcpu(ok, "vcpu1");
	set_str(bare, "linux_kernel", "bzImage");
	set_str(lng, "linux_kernel", "bzImage");
	set_str(vmm_devtree_find(lng, "vcpus/vcpu0"), "cpu_mode", "long");
	set_str(edge, "linux_kernel", "bzImage");
	memset(edges, 'b', sizeof(edges) - 1);		/* 1023 characters: the longest */
	set_str(edge, "linux_cmdline", edges);
	/* refusals */
	set_str(b1, "linux_initrd", "initrd.cpio.gz");
	set_str(b2, "linux_kernel", "bzImage");
	set_str(b2, "multiboot_kernel", "k.elf");
	set_str(b3, "linux_kernel", "bzImage");
	set_str(vmm_devtree_find(b3, "vcpus/vcpu0"), "cpu_mode", "real");
	set_str(b4, "linux_kernel", "bz Image");
	set_str(b5, "linux_kernel", "bzImage");
	set_str(b5, "linux_initrd", "initrd cpio");
	set_str(b6, "linux_kernel", "bzImage");
	memset(longs, 'a', sizeof(longs) - 1);		/* 1024 characters */
	set_str(b6, "linux_cmdline", longs);
	set_str(b7, "linux_cmdline", "console=ttyS0");
	validate();
	expect_accepted("ok");
	g = accepted("ok");
	assert_string_equal(g->linux_boot.kernel, "bzImage");
	assert_string_equal(g->linux_boot.initrd, "initrd.cpio.gz");
	assert_string_equal(g->linux_boot.cmdline, "console=ttyS0 quiet");
	assert_int_equal(g->vcpus[0].mode, VMM_VCPU_MODE_LONG);	/* forced for the boot VCPU */
	assert_int_equal(g->vcpus[0].start_pc, 0);
	assert_int_equal(g->nr_vcpus, 2);
	assert_int_equal(g->vcpus[1].mode, VMM_VCPU_MODE_REAL);	/* the others start with SIPI */
	assert_int_equal(g->mb1.kernel[0], 0);
	expect_accepted("bare");
	g = accepted("bare");
	assert_string_equal(g->linux_boot.initrd, "");		/* none */
	assert_string_equal(g->linux_boot.cmdline, "");		/* default: empty */
	assert_int_equal(g->vcpus[0].mode, VMM_VCPU_MODE_LONG);
	expect_accepted("lng");
	assert_int_equal(accepted("lng")->vcpus[0].mode, VMM_VCPU_MODE_LONG);
	expect_accepted("edge");
	assert_int_equal(strlen(accepted("edge")->linux_boot.cmdline), VMM_LINUX_CMDLINE_MAX - 1);
	expect_one("b1", "/guests/b1", "linux_initrd or linux_cmdline without linux_kernel");
	expect_one("b2", "/guests/b2", "linux_kernel and multiboot_kernel: a guest boots one kernel");
	expect_one("b3", "/guests/b3/vcpus/vcpu0", "cpu_mode \"real\": a Linux kernel starts in \"long\" mode");
	expect_one("b4", "/guests/b4", "attribute 'linux_kernel' must be one module name");
	expect_one("b5", "/guests/b5", "attribute 'linux_initrd' must be one module name");
	expect_one("b6", "/guests/b6", "linux_cmdline is longer than 1023 characters");
	expect_one("b7", "/guests/b7", "linux_initrd or linux_cmdline without linux_kernel");
}

static void test_too_many_vcpus(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *g1 = guest("ok", 2 * MiB);
	char name[16];

	(void)state;
	for (int i = 1; i <= 8; i++) {
		snprintf(name, sizeof(name), "vcpu%d", i);
		vcpu(g0, name);
		if (i < 8)
			vcpu(g1, name);
	}
	validate();
	expect_one("g0", "/guests/g0/vcpus/vcpu8", "more than 8 VCPUs in one guest");
	expect_accepted("ok");
	assert_int_equal(accepted("ok")->nr_vcpus, 8);
}

static void test_aspace_missing_or_without_ram(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *g2;

	(void)state;
	vmm_devtree_node_free(vmm_devtree_child(g0, "aspace"));
	guest("g1", 0);				/* empty aspace */
	g2 = guest("g2", 0);			/* ROM and devices, no RAM */
	region(g2, "bios", "real", "memory", "rom", 0xFFFF0000, 64 * KiB);
	virt(g2, "uart0", "io", 0x3F8, 8, "ns16550a");
	guest("ok", 2 * MiB);
	validate();
	expect_one("g0", "/guests/g0", "required node 'aspace' is missing");
	expect_one("g1", "/guests/g1/aspace", "a guest needs at least one real RAM region");
	expect_one("g2", "/guests/g2/aspace", "a guest needs at least one real RAM region");
	expect_accepted("ok");
}

static void test_region_required_attributes(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *r;
	const char *b;

	(void)state;
	node(node(g0, "aspace"), "empty");
	r = node(node(g0, "aspace"), "types");
	set_u32(r, "manifest_type", 1);
	set_u32(r, "address_type", 1);
	set_str(r, "guest_physical_addr", "0");
	set_str(r, "physical_size", "4096");
	guest("ok", 2 * MiB);
	validate();
	b = rejection("g0", 8);
	expect_line(b, "/guests/g0/aspace/empty", "required attribute 'manifest_type' is missing");
	expect_line(b, "/guests/g0/aspace/empty", "required attribute 'address_type' is missing");
	expect_line(b, "/guests/g0/aspace/empty", "required attribute 'guest_physical_addr' is missing");
	expect_line(b, "/guests/g0/aspace/empty", "required attribute 'physical_size' is missing");
	expect_line(b, "/guests/g0/aspace/types", "attribute 'manifest_type' must be a string");
	expect_line(b, "/guests/g0/aspace/types", "attribute 'address_type' must be a string");
	expect_line(b, "/guests/g0/aspace/types", "attribute 'guest_physical_addr' must be a 64-bit value");
	expect_line(b, "/guests/g0/aspace/types", "attribute 'physical_size' must be a 64-bit value");
	expect_accepted("ok");
}

static void test_region_values(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *g1 = guest("ok", 2 * MiB);
	const char *b;

	(void)state;
	region(g0, "atype", "real", "port", "ram", 0x400000, 0x1000);
	region(g0, "manifest", "emulated", "memory", "ram", 0x500000, 0x1000);
	virt(g0, "size0", "io", 0x60, 0, "i8042");
	virt(g0, "wrap", "memory", 0xFFFFFFFFFFFFF000ULL, 0x2000, "x");
	virt(g0, "ports", "io", 0xFFF0, 0x20, "x");
	virt(g0, "limit", "memory", VMM_GUEST_PHYS_LIMIT - 0x1000, 0x2000, "x");
	/* right at the limits */
	virt(g1, "ports", "io", 0xFFF0, 0x10, "x");
	virt(g1, "limit", "memory", VMM_GUEST_PHYS_LIMIT - 0x1000, 0x1000, "x");
	validate();
	b = rejection("g0", 6);
	expect_line(b, "/guests/g0/aspace/atype", "address_type \"port\" is not \"memory\" or \"io\"");
	expect_line(b, "/guests/g0/aspace/manifest", "manifest_type \"emulated\" is not \"real\" or \"virtual\"");
	expect_line(b, "/guests/g0/aspace/size0", "physical_size is 0");
	expect_line(b, "/guests/g0/aspace/wrap", "region wraps around the address space");
	expect_line(b, "/guests/g0/aspace/ports", "I/O ports 0xfff0+0x20 go beyond port 0xffff");
	expect_line(b, "/guests/g0/aspace/limit", "region ends above the guest physical limit 0x8000000000");
	expect_accepted("ok");
}

static void test_real_region_device_type(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *g1 = guest("ok", 2 * MiB);
	const char *b;

	(void)state;
	region(g0, "nodt", "real", "memory", NULL, 0x400000, 0x1000);
	region(g0, "baddt", "real", "memory", "flash", 0x500000, 0x1000);
	region(g0, "ioram", "real", "io", "ram", 0x80, 4);
	set_u64(region(g0, "iorenum", "real", "io", "device", 0x60, 4), "host_physical_addr", 0x64);
	/* passed-through ports, with and without their own numbers as host address */
	set_u64(region(g1, "kbd", "real", "io", "device", 0x60, 5), "host_physical_addr", 0x60);
	region(g1, "pit", "real", "io", "device", 0x40, 4);
	validate();
	b = rejection("g0", 4);
	expect_line(b, "/guests/g0/aspace/nodt", "a real region needs device_type \"ram\", \"rom\" or \"device\"");
	expect_line(b, "/guests/g0/aspace/baddt", "device_type \"flash\" of a real region is not");
	expect_line(b, "/guests/g0/aspace/ioram", "device_type must be \"device\"");
	expect_line(b, "/guests/g0/aspace/iorenum", "cannot be renumbered");
	expect_accepted("ok");
	assert_int_equal(accepted("ok")->regions[1].kind, VMM_REGION_DEVICE);
	assert_true(accepted("ok")->regions[1].io);
	assert_int_equal(nr_claims, 0);	/* ports are not claimed from the allocator */
}

static void test_page_alignment(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *g1 = guest("ok", 2 * MiB);
	const char *b;

	(void)state;
	ram(g0, "ua_gpa", 0x400800, 0x1000);
	ram(g0, "ua_size", 0x500000, 0x1800);
	fixed_ram(g0, "ua_hpa", 0x600000, 0x1000, 0x2000800);
	region(g0, "ua_rom", "real", "memory", "rom", 0xF0100, 0x1000);
	set_u64(region(g0, "ua_dev", "real", "memory", "device", 0xFEC00000, 0x100),
		"host_physical_addr", 0xE0000000);
	/* virtual regions and ports need no alignment */
	virt(g1, "mmio", "memory", 0xFEC00010, 0x10, "x");
	region(g1, "ports", "real", "io", "device", 0x61, 3);
	validate();
	b = rejection("g0", 5);
	expect_line(b, "/guests/g0/aspace/ua_gpa", "guest_physical_addr 0x400800 is not page-aligned (4 KiB)");
	expect_line(b, "/guests/g0/aspace/ua_size", "physical_size 0x1800 is not a multiple of the page size");
	expect_line(b, "/guests/g0/aspace/ua_hpa", "host_physical_addr 0x2000800 is not page-aligned");
	expect_line(b, "/guests/g0/aspace/ua_rom", "guest_physical_addr 0xf0100 is not page-aligned");
	expect_line(b, "/guests/g0/aspace/ua_dev", "physical_size 0x100 is not a multiple of the page size");
	expect_accepted("ok");
}

static void test_virtual_region_rules(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *r;
	const char *b;

	(void)state;
	region(g0, "nocompat", "virtual", "io", NULL, 0x3F8, 8);
	set_u32(region(g0, "u32compat", "virtual", "io", NULL, 0x2F8, 8), "compatible", 1);
	r = virt(g0, "withhpa", "memory", 0xFEC00000, 0x1000, "ioapic");
	set_u64(r, "host_physical_addr", 0xFEC00000);
	guest("ok", 2 * MiB);
	validate();
	b = rejection("g0", 3);
	expect_line(b, "/guests/g0/aspace/nocompat", "a virtual region needs a 'compatible' string");
	expect_line(b, "/guests/g0/aspace/u32compat", "a virtual region needs a 'compatible' string");
	expect_line(b, "/guests/g0/aspace/withhpa", "a virtual region has no host_physical_addr");
	expect_accepted("ok");
}

/* acpi_tables: a flag on a real ROM in memory without an image; anything else is a problem. */
static void test_acpi_tables_flag(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 0), *ok = guest("ok", 0), *r;
	const struct vmm_guest_config *g;
	u32 one = 1;
	const char *b;

	(void)state;
	ram(g0, "ram", 0x100000, MiB);
	ram(ok, "ram", 0x100000, MiB);
	r = region(ok, "acpi", "real", "memory", "rom", 0xE0000, 0x10000);
	assert_int_equal(vmm_devtree_setattr(r, "acpi_tables", VMM_DEVTREE_EMPTY, NULL, 0), VMM_OK);
	region(ok, "bios", "real", "memory", "rom", 0xF0000, 0x10000);
	r = region(g0, "valued", "real", "memory", "rom", 0xE0000, 0x1000);
	assert_int_equal(vmm_devtree_setattr(r, "acpi_tables", VMM_DEVTREE_U32, &one, 4), VMM_OK);
	r = ram(g0, "inram", 0x400000, 0x1000);
	assert_int_equal(vmm_devtree_setattr(r, "acpi_tables", VMM_DEVTREE_EMPTY, NULL, 0), VMM_OK);
	r = virt(g0, "invirt", "memory", 0xFEC00000, 0x1000, "x86,ioapic");
	assert_int_equal(vmm_devtree_setattr(r, "acpi_tables", VMM_DEVTREE_EMPTY, NULL, 0), VMM_OK);
	r = region(g0, "withimage", "real", "memory", "rom", 0xF0000, 0x10000);
	set_str(r, "image", "bios.bin");
	assert_int_equal(vmm_devtree_setattr(r, "acpi_tables", VMM_DEVTREE_EMPTY, NULL, 0), VMM_OK);
	validate();
	b = rejection("g0", 4);
	expect_line(b, "/guests/g0/aspace/valued", "attribute 'acpi_tables' is a flag: write it without a value");
	expect_line(b, "/guests/g0/aspace/inram", "acpi_tables: only a real ROM memory region");
	expect_line(b, "/guests/g0/aspace/invirt", "acpi_tables: only a real ROM memory region");
	expect_line(b, "/guests/g0/aspace/withimage", "the region's contents are generated, it cannot also have an image");
	expect_accepted("ok");
	g = accepted("ok");
	assert_true(g->regions[1].acpi_tables);
	assert_false(g->regions[0].acpi_tables);
	assert_false(g->regions[2].acpi_tables);
}

static void test_overlaps_per_address_space(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *g1 = guest("ok", 2 * MiB);
	const char *b;

	(void)state;
	ram(g0, "ram2", 1 * MiB, 2 * MiB);
	virt(g0, "pic", "io", 0x20, 2, "i8259a");
	virt(g0, "pic2", "io", 0x21, 2, "i8259a");
	/* adjacent regions, and memory and ports with the same numbers, are fine */
	virt(g1, "mmio", "memory", 2 * MiB, 0x1000, "x");
	virt(g1, "ports", "io", 0x0, 0x20, "x");
	virt(g1, "pic", "io", 0x20, 2, "i8259a");
	virt(g1, "pic2", "io", 0x22, 2, "i8259a");
	validate();
	b = rejection("g0", 2);
	expect_line(b, "/guests/g0/aspace/ram2",
		    "guest physical range 0x100000-0x2fffff overlaps region 'ram' (0x0-0x1fffff)");
	expect_line(b, "/guests/g0/aspace/pic2", "ports 0x21-0x22 overlaps region 'pic' (0x20-0x21)");
	expect_accepted("ok");
}

static void test_too_many_regions(void **state)
{
	struct vmm_devtree_node *g0 = guest("g0", 2 * MiB), *g1 = guest("ok", 2 * MiB);
	char name[16];

	(void)state;
	for (int i = 1; i <= 32; i++) {
		snprintf(name, sizeof(name), "dev%d", i);
		virt(g0, name, "io", 0x100 + i, 1, "x");
		if (i < 32)
			virt(g1, name, "io", 0x100 + i, 1, "x");
	}
	validate();
	expect_one("g0", "/guests/g0/aspace/dev32", "more than 32 regions in one guest");
	expect_accepted("ok");
	assert_int_equal(accepted("ok")->nr_regions, 32);
}

static void test_fixed_host_ram(void **state)
{
	(void)state;
	fixed_ram(guest("out", 2 * MiB), "fixed", 4 * MiB, 1 * MiB, 0x20000000);
	fixed_ram(guest("across", 2 * MiB), "fixed", 4 * MiB, 0x2000, 0x9E000);
	fixed_ram(guest("kernel", 2 * MiB), "fixed", 4 * MiB, 1 * MiB, 0x200000);
	set_u64(region(guest("modules", 2 * MiB), "bios", "real", "memory", "rom", 0xFFFF0000, 0x10000),
		"host_physical_addr", 0x80F0000);
	fixed_ram(guest("wrap", 2 * MiB), "fixed", 4 * MiB, 0x2000, 0xFFFFFFFFFFFFF000ULL);
	fixed_ram(guest("ok", 2 * MiB), "fixed", 4 * MiB, 2 * MiB, 0x1000000);
	validate();
	expect_one("out", "/guests/out/aspace/fixed", "host range 0x20000000-0x200fffff is not inside host RAM");
	expect_one("across", "/guests/across/aspace/fixed", "host range 0x9e000-0x9ffff is not inside host RAM");
	expect_one("kernel", "/guests/kernel/aspace/fixed",
		   "host range 0x200000-0x2fffff overlaps the hypervisor's kernel image (0x100000-0x3fffff)");
	expect_one("modules", "/guests/modules/aspace/bios",
		   "overlaps the hypervisor's modules (0x8000000-0x80fffff)");
	expect_one("wrap", "/guests/wrap/aspace/fixed", "host range wraps around");
	expect_accepted("ok");
	/* fixed RAM is claimed, not allocated */
	assert_true(accepted("ok")->alloc_bytes == 2 * MiB);
	assert_true(accepted("ok")->regions[1].fixed_hpa);
	assert_int_equal(nr_claims, 1);
	assert_true(claims[0].start == 0x1000000 && claims[0].end == 0x1200000);
}

static void test_device_windows(void **state)
{
	(void)state;
	region(guest("nohpa", 2 * MiB), "lapic", "real", "memory", "device", 0xFEE00000, 0x1000);
	set_u64(region(guest("inram", 2 * MiB), "fb", "real", "memory", "device", 0xE0000000, 0x2000),
		"host_physical_addr", 0x100000);
	set_u64(region(guest("ok", 2 * MiB), "fb", "real", "memory", "device", 0xE0000000, 0x1000),
		"host_physical_addr", 0xE0000000);
	validate();
	expect_one("nohpa", "/guests/nohpa/aspace/lapic", "a device window needs host_physical_addr");
	expect_one("inram", "/guests/inram/aspace/fb",
		   "device window 0x100000-0x101fff overlaps host RAM 0x100000-0xfffffff");
	expect_accepted("ok");
	assert_int_equal(accepted("ok")->regions[1].kind, VMM_REGION_DEVICE);
	assert_int_equal(nr_claims, 0);	/* device windows are not RAM to claim */
}

/*
 * Issue 10, finding 5: a real region over anything the hypervisor itself
 * uses (host->owned, arch_host_owned() at boot) is refused, naming the
 * guest, the region and the resource; the guests next to it go on. Before,
 * the LAPIC page, port 0x8900 and the console ports were all accepted.
 */
static void ports(const char *gname, u64 port, u64 n)
{
	region(guest(gname, 2 * MiB), "pt", "real", "io", "device", port, n);
}

static void window(const char *gname, const char *dtype, u64 hpa, u64 size)
{
	set_u64(region(guest(gname, 2 * MiB), "pt", "real", "memory", dtype, 0xC0000000, size),
		"host_physical_addr", hpa);
}

static void test_host_owned_resources(void **state)
{
	static const struct {
		const char *guest;
		bool io;
		u64 start, size;
		const char *words;
	} cases[] = {
		{ "com1", true, 0x3F8, 8, "ports 0x3f8-0x3ff include the hypervisor's own console UART (0x3f8-0x3ff)" },
		{ "com1lsr", true, 0x3FD, 1, "the hypervisor's own console UART" },
		{ "pic", true, 0x20, 2, "the hypervisor's own master 8259A PIC" },
		{ "pic2", true, 0xA0, 2, "the hypervisor's own slave 8259A PIC" },
		{ "cmos", true, 0x70, 2, "the hypervisor's own CMOS/RTC ports" },
		{ "post", true, 0x80, 1, "the hypervisor's own I/O delay port" },
		{ "pci", true, 0xCFC, 4, "the hypervisor's own PCI configuration ports (0xcf8-0xcff)" },
		{ "pm1a", true, 0xB000, 8, "the hypervisor's own ACPI PM1a control block" },
		{ "pmtmr", true, 0xB008, 4, "the hypervisor's own ACPI PM timer" },
		{ "shutdown", true, 0x8900, 1, "ports 0x8900-0x8900 include the hypervisor's own emulator shutdown port" },
		{ "dbgexit", true, 0x500, 4, "the hypervisor's own QEMU debug exit port" },
		{ "lapic", false, 0xFEE00000, 0x1000,
		  "host range 0xfee00000-0xfee00fff overlaps the hypervisor's own local APIC window (0xfee00000-0xfee00fff)" },
		{ "ioapic", false, 0xFEC00000, 0x1000, "the hypervisor's own IO-APIC window" },
		{ "apicbig", false, 0xFEC00000, 0x200000, "the hypervisor's own IO-APIC window" },
		{ "acpi", false, 0x10001000, 0x1000, "the hypervisor's own ACPI table FACP (0x10001000-0x100010ff)" },
		{ "rsdp", false, 0x10000000, 0x1000, "the hypervisor's own ACPI table RSDP" },
	};
	char path[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].io)
			ports(cases[i].guest, cases[i].start, cases[i].size);
		else
			window(cases[i].guest, "device", cases[i].start, cases[i].size);
	}
	/* RAM pinned over the LAPIC: the precise reason, not "not in RAM" */
	window("ramlapic", "ram", 0xFEE00000, 0x1000);
	/* neighbours of host-owned resources are fine */
	ports("ok", 0x3F0, 8);				/* floppy, below COM1 */
	region(node(guests, "ok"), "kbd", "real", "io", "device", 0x60, 5);
	region(node(guests, "ok"), "com2", "real", "io", "device", 0x2F8, 8);
	set_u64(region(node(guests, "ok"), "hpet", "real", "memory", "device", 0xD0000000, 0x1000),
		"host_physical_addr", 0xFED00000);
	/* emulated devices may sit on the same numbers */
	virt(node(guests, "ok"), "uart", "io", 0x3F8, 8, "ns16550a");
	virt(node(guests, "ok"), "lapicemu", "memory", 0xFEE00000, 0x1000, "x");
	validate();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(path, sizeof(path), "/guests/%s/aspace/pt", cases[i].guest);
		expect_one(cases[i].guest, path, cases[i].words);
	}
	expect_one("ramlapic", "/guests/ramlapic/aspace/pt", "the hypervisor's own local APIC window");
	expect_accepted("ok");
	assert_int_equal(nr_claims, 0);
}

/* Host-owned ranges are checked only against what passes through. */
static void test_host_owned_none(void **state)
{
	(void)state;
	host.nr_owned = 0;
	ports("com1", 0x3F8, 8);
	validate();
	expect_accepted("com1");
}

static void test_two_guests_same_host_range(void **state)
{
	struct vmm_devtree_node *g;

	(void)state;
	fixed_ram(guest("a", 2 * MiB), "fixed", 4 * MiB, 2 * MiB, 0x1000000);
	set_u64(region(guest("b", 2 * MiB), "bios", "real", "memory", "rom", 0xFFFF0000, 0x1000),
		"host_physical_addr", 0x1100000);
	set_u64(region(guest("c", 2 * MiB), "ioapic", "real", "memory", "device", 0xE0000000, 0x1000),
		"host_physical_addr", 0xE0000000);
	set_u64(region(guest("d", 2 * MiB), "ioapic", "real", "memory", "device", 0x10000000, 0x1000),
		"host_physical_addr", 0xE0000000);
	/* passed-through ports: the host ports are the guest's port numbers */
	region(guest("e", 2 * MiB), "kbd", "real", "io", "device", 0x60, 5);
	region(guest("f", 2 * MiB), "kbd", "real", "io", "device", 0x64, 1);
	set_u64(region(guest("g", 2 * MiB), "kbd", "real", "io", "device", 0x64, 1),
		"host_physical_addr", 0x64);
	/* emulated ports and a rejected guest's ranges take nothing from anyone */
	virt(guest("h", 2 * MiB), "kbd", "io", 0x60, 5, "i8042");
	g = guest("i", 2 * MiB);
	set_str(g, "device_type", "bad");
	fixed_ram(g, "fixed", 4 * MiB, 1 * MiB, 0x2000000);
	fixed_ram(guest("j", 2 * MiB), "fixed", 4 * MiB, 1 * MiB, 0x2000000);
	validate();
	expect_accepted("a");
	expect_one("b", "/guests/b/aspace/bios", "host range 0x1100000-0x1100fff already belong to guest 'a' (fixed)");
	expect_accepted("c");
	expect_one("d", "/guests/d/aspace/ioapic", "host range 0xe0000000-0xe0000fff already belong to guest 'c' (ioapic)");
	expect_accepted("e");
	expect_one("f", "/guests/f/aspace/kbd", "host ports 0x64-0x64 already belong to guest 'e' (kbd)");
	expect_one("g", "/guests/g/aspace/kbd", "host ports 0x64-0x64 already belong to guest 'e' (kbd)");
	expect_accepted("h");
	expect_one("i", "/guests/i", "device_type must be \"guest\"");
	expect_accepted("j");
	assert_int_equal(nr_claims, 2);
	assert_true(claims[0].start == 0x1000000 && claims[0].end == 0x1200000);
	assert_true(claims[1].start == 0x2000000 && claims[1].end == 0x2100000);
}

static void test_ram_budget(void **state)
{
	struct vmm_devtree_node *g;

	(void)state;
	host.free_bytes = VMM_HOST_RESERVE_BYTES + 6 * MiB;
	guest("a", 4 * MiB);
	g = guest("b", 2 * MiB);
	region(g, "bios", "real", "memory", "rom", 0xFFFF0000, 64 * KiB);
	guest("c", 2 * MiB);
	fixed_ram(guest("d", 0), "fixed", 0, 2 * MiB, 0x1000000);	/* needs nothing */
	guest("e", 4 * KiB);
	validate();
	expect_accepted("a");
	expect_one("b", "/guests/b", "needs 2112 KiB of host RAM, only 2048 KiB left for guests");
	expect_accepted("c");
	expect_accepted("d");
	expect_one("e", "/guests/e", "needs 4 KiB of host RAM, only 0 KiB left for guests");
}

static void test_ram_budget_host_below_reserve(void **state)
{
	(void)state;
	host.free_bytes = VMM_HOST_RESERVE_BYTES - PAGE_SIZE;
	guest("a", 4 * KiB);
	validate();
	expect_one("a", "/guests/a", "needs 4 KiB of host RAM, only 0 KiB left for guests");
}

static void test_max_guest_count(void **state)
{
	(void)state;
	set_u32(vmm_node(), "max_guest_count", 2);
	set_str(guest("bad", 2 * MiB), "device_type", "x");	/* rejected: does not count */
	guest("a", 2 * MiB);
	guest("b", 2 * MiB);
	guest("c", 2 * MiB);
	validate();
	expect_one("bad", "/guests/bad", "device_type must be \"guest\"");
	expect_accepted("a");
	expect_accepted("b");
	expect_one("c", "/guests/c", "more guests than /vmm max_guest_count (2)");
	assert_int_equal(cfg.vmm.max_guests, 2);
	assert_int_equal(cfg.nr_guests, 2);
	assert_int_equal(cfg.nr_rejected, 2);
}

static void test_max_vcpu_count(void **state)
{
	(void)state;
	set_u32(vmm_node(), "max_vcpu_count", 3);
	vcpu(guest("a", 2 * MiB), "vcpu1");
	vcpu(guest("b", 2 * MiB), "vcpu1");
	guest("c", 2 * MiB);
	validate();
	expect_accepted("a");
	expect_one("b", "/guests/b", "its 2 VCPUs exceed /vmm max_vcpu_count (3, 2 used)");
	expect_accepted("c");
	assert_int_equal(cfg.vmm.max_vcpus, 3);
}

static void test_claim_calls_and_failure(void **state)
{
	struct vmm_devtree_node *g;
	const char *b;

	(void)state;
	g = guest("a", 2 * MiB);
	fixed_ram(g, "fixed", 4 * MiB, 1 * MiB, 0x1000000);
	set_u64(region(g, "bios", "real", "memory", "rom", 0xFFFF0000, 0x10000), "host_physical_addr", 0x1200000);
	set_u64(region(g, "ioapic", "real", "memory", "device", 0xE0000000, 0x1000),
		"host_physical_addr", 0xE0000000);
	region(g, "kbd", "real", "io", "device", 0x60, 5);
	virt(g, "uart", "io", 0x3F8, 8, "ns16550a");
	fixed_ram(guest("busy", 2 * MiB), "fixed", 4 * MiB, 1 * MiB, 0x3000000);
	fixed_ram(guest("c", 2 * MiB), "fixed", 4 * MiB, 1 * MiB, 0x4000000);
	g = guest("rejected", 2 * MiB);
	fixed_ram(g, "fixed", 4 * MiB, 1 * MiB, 0x5000000);
	set_u32(vmm_devtree_find(g, "vcpus/vcpu0"), "priority", 9);
	claim_fail_start = 0x3000000;
	claim_fail_rc = -VMM_EBUSY;
	validate();
	expect_accepted("a");
	b = rejection("busy", 1);
	expect_line(b, "/guests/busy/aspace/fixed",
		    "host range 0x3000000-0x30fffff is already in use by the hypervisor (EBUSY)");
	expect_accepted("c");
	expect_one("rejected", "/guests/rejected/vcpus/vcpu0", "priority 9 is above 7");
	/* RAM and ROM with a fixed host address only, in order; none for a guest
	 * rejected before */
	assert_int_equal(nr_claims, 4);
	assert_true(claims[0].start == 0x1000000 && claims[0].end == 0x1100000);
	assert_true(claims[1].start == 0x1200000 && claims[1].end == 0x1210000);
	assert_true(claims[2].start == 0x3000000 && claims[2].end == 0x3100000);
	assert_true(claims[3].start == 0x4000000 && claims[3].end == 0x4100000);
}

static void test_claim_callback_absent(void **state)
{
	(void)state;
	host.claim = NULL;
	fixed_ram(guest("a", 2 * MiB), "fixed", 4 * MiB, 1 * MiB, 0x1000000);
	validate();
	expect_accepted("a");
}

/* The kernel's real claim: vmm_buddy_claim() over a host buffer. */
static struct vmm_buddy buddy;

static int buddy_claim(u64 start, u64 end)
{
	return vmm_buddy_claim(&buddy, start, end);
}

static void test_claim_with_real_buddy(void **state)
{
	u8 *buf = aligned_alloc(8 * MiB, 8 * MiB);
	u64 base = (u64)(uintptr_t)buf, free_before, taken;
	struct vmm_phys_range r[1] = { { base, base + 8 * MiB, "RAM" } };
	physical_addr_t pa;

	(void)state;
	assert_non_null(buf);
	vmm_buddy_init(&buddy);
	assert_int_equal(vmm_buddy_add_range(&buddy, base, base + 8 * MiB), VMM_OK);
	host.ram = r;
	host.nr_ram = 1;
	host.nr_used = 0;
	host.claim = buddy_claim;
	/* something the hypervisor allocated: the 1 MiB block at base + 1 MiB */
	pa = vmm_buddy_alloc(&buddy, 8);
	assert_true(pa == base + 1 * MiB);
	free_before = buddy.free_pages;

	fixed_ram(guest("a", 2 * MiB), "fixed", 4 * MiB, 1 * MiB + 4 * KiB, base + 2 * MiB);
	fixed_ram(guest("b", 2 * MiB), "fixed", 4 * MiB, 1 * MiB, pa);
	validate();
	expect_accepted("a");
	expect_one("b", "/guests/b/aspace/fixed", "is already in use by the hypervisor (EBUSY)");
	/* exactly a's range left the allocator, in blocks it can give back */
	taken = free_before - buddy.free_pages;
	assert_true(taken == (1 * MiB + 4 * KiB) / PAGE_SIZE);
	assert_int_equal(vmm_buddy_block_order(&buddy, base + 2 * MiB), 8);
	assert_int_equal(vmm_buddy_block_order(&buddy, base + 3 * MiB), 0);
	assert_int_equal(vmm_buddy_free(&buddy, base + 2 * MiB), VMM_OK);
	assert_int_equal(vmm_buddy_free(&buddy, base + 3 * MiB), VMM_OK);
	assert_true(buddy.free_pages == free_before);
	free(buf);
}

/* ---- /vmm, missing nodes, problems from unflattening ---- */

static void test_vmm_defaults_and_values(void **state)
{
	struct vmm_devtree_node *v;

	(void)state;
	guest("a", 2 * MiB);
	validate();
	assert_true(fake_console_contains("config: no /vmm node; using defaults\n"));
	assert_int_equal(cfg.vmm.max_guests, VMM_DEFAULT_MAX_GUESTS);
	assert_int_equal(cfg.vmm.max_vcpus, VMM_DEFAULT_MAX_VCPUS);
	assert_true(cfg.vmm.default_time_slice_ns == VMM_DEFAULT_TIME_SLICE_NS);
	assert_string_equal(cfg.vmm.console, "");
	assert_string_equal(cfg.vmm.bootcmd, "");

	v = vmm_node();
	set_u32(v, "max_guest_count", 3);
	set_u32(v, "max_vcpu_count", 5);
	set_u64(v, "default_time_slice", 20000000);
	set_str(v, "console", "/host/serial0");
	set_strs(v, "bootcmd", "guest start a\0guest list", 25);
	validate();
	assert_false(fake_console_contains("/vmm"));
	assert_int_equal(cfg.vmm.max_guests, 3);
	assert_int_equal(cfg.vmm.max_vcpus, 5);
	assert_true(cfg.vmm.default_time_slice_ns == 20000000);
	assert_string_equal(cfg.vmm.console, "/host/serial0");
	assert_string_equal(cfg.vmm.bootcmd, "guest start a");
	/* every string, in order, for the bootcmd thread */
	assert_int_equal(cfg.vmm.nr_bootcmds, 2);
	assert_string_equal(cfg.vmm.bootcmds[0], "guest start a");
	assert_string_equal(cfg.vmm.bootcmds[1], "guest list");
	/* VCPUs without time_slice get the /vmm default */
	assert_true(accepted("a")->vcpus[0].time_slice_ns == 20000000);
}

static void test_bad_default_time_slice(void **state)
{
	static const u64 bad[] = { 0, 99999, 10000000001ULL };

	(void)state;
	guest("a", 2 * MiB);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char msg[128];

		set_u64(vmm_node(), "default_time_slice", bad[i]);
		validate();
		snprintf(msg, sizeof(msg),
			 "config: /vmm: default_time_slice %llu ns out of range; using 10000000\n",
			 (unsigned long long)bad[i]);
		assert_true(fake_console_contains(msg));
		assert_true(cfg.vmm.default_time_slice_ns == VMM_DEFAULT_TIME_SLICE_NS);
		assert_true(accepted("a")->vcpus[0].time_slice_ns == VMM_DEFAULT_TIME_SLICE_NS);
	}
	/* a value of the wrong type counts as absent */
	set_str(vmm_node(), "default_time_slice", "10ms");
	validate();
	assert_true(cfg.vmm.default_time_slice_ns == VMM_DEFAULT_TIME_SLICE_NS);
	expect_accepted("a");
	/* the limits are in range */
	set_u64(vmm_node(), "default_time_slice", 100000);
	validate();
	assert_true(cfg.vmm.default_time_slice_ns == 100000);
	set_u64(vmm_node(), "default_time_slice", 10000000000ULL);
	validate();
	assert_true(cfg.vmm.default_time_slice_ns == 10000000000ULL);
	assert_false(fake_console_contains("out of range"));
}

static void test_missing_guests(void **state)
{
	(void)state;
	vmm_devtree_node_free(guests);
	guests = NULL;
	validate();
	assert_true(fake_console_contains("config: no /guests node: no guests configured\n"));
	assert_int_equal(cfg.nr_guests, 0);
	assert_int_equal(cfg.nr_rejected, 0);
	assert_null(cfg.guests);
	/* an empty /guests is fine too */
	guests = node(root, "guests");
	validate();
	assert_int_equal(cfg.nr_guests, 0);
	assert_false(fake_console_contains("no /guests"));
}

static void test_unflatten_problems_attributed(void **state)
{
	const char *b;

	(void)state;
	guest("g1", 2 * MiB);
	guest("g10", 2 * MiB);
	guest("g2", 2 * MiB);
	vmm_problem_add(&probs, "/guests/g1/aspace/ram", "attribute 'reg' is bad");
	vmm_problem_add(&probs, "/guests/g10/vcpus", "child node 'vcpu0' appears twice");
	vmm_problem_add(&probs, "/guests/g10", "attribute 'x,y' breaks chapter 2 rules");
	vmm_problem_add(&probs, "/vmm", "attribute 'max_guest_count' is bad");
	vmm_problem_add(&probs, "/host/serial0", "attribute 'baudrate' is bad");
	vmm_problem_add(&probs, "/guests", "child node 'g2' appears twice");
	vmm_problem_add(&probs, "/guests/bad@1", "node name 'bad@1' breaks chapter 2 rules");
	vmm_problem_add(&probs, "/", "attribute 'model' is bad");
	validate();
	b = rejection("g1", 1);
	expect_line(b, "/guests/g1/aspace/ram", "attribute 'reg' is bad");
	b = rejection("g10", 2);
	expect_line(b, "/guests/g10/vcpus", "child node 'vcpu0' appears twice");
	expect_line(b, "/guests/g10", "attribute 'x,y' breaks chapter 2 rules");
	expect_accepted("g2");
	/* the rest is printed once, and rejects nobody */
	assert_int_equal(fake_console_count("config: /vmm: attribute 'max_guest_count' is bad\n"), 1);
	assert_int_equal(fake_console_count("config: /host/serial0: attribute 'baudrate' is bad\n"), 1);
	assert_int_equal(fake_console_count("config: /guests: child node 'g2' appears twice\n"), 1);
	assert_int_equal(fake_console_count("config: /: attribute 'model' is bad\n"), 1);
	/* a guest left out of the tree has no rejection to go into */
	assert_int_equal(fake_console_count(
		"config: /guests/bad@1: node name 'bad@1' breaks chapter 2 rules\n"), 1);
	assert_int_equal(cfg.nr_rejected, 2);
	assert_int_equal(probs.count, 8);	/* the caller's list is left as it was */
}

static void test_all_problems_in_one_message(void **state)
{
	struct vmm_devtree_node *g0;
	const char *b;

	(void)state;
	/* "first" needs no allocated RAM and takes the only guest slot */
	set_u32(vmm_node(), "max_guest_count", 1);
	host.free_bytes = VMM_HOST_RESERVE_BYTES;
	fixed_ram(guest("first", 0), "fixed", 0, 2 * MiB, 0x1000000);
	g0 = guest("g0", 2 * MiB);
	vmm_problem_add(&probs, "/guests/g0/vcpus/vcpu0", "attribute 'cpu,x' breaks chapter 2 rules");
	assert_int_equal(vmm_devtree_delattr(g0, "device_type"), VMM_OK);
	assert_int_equal(vmm_devtree_delattr(vmm_devtree_find(g0, "vcpus/vcpu0"), "start_pc"), VMM_OK);
	ram(g0, "r1", 0x400800, 0x1000);
	ram(g0, "r2", 1 * MiB, 2 * MiB);
	fixed_ram(g0, "r3", 8 * MiB, 1 * MiB, 0x200000);
	validate();
	expect_accepted("first");
	b = rejection("g0", 8);
	expect_line(b, "/guests/g0/vcpus/vcpu0", "attribute 'cpu,x' breaks chapter 2 rules");
	expect_line(b, "/guests/g0", "device_type must be \"guest\"");
	expect_line(b, "/guests/g0/vcpus/vcpu0", "required attribute 'start_pc' is missing");
	expect_line(b, "/guests/g0/aspace/r1", "is not page-aligned");
	expect_line(b, "/guests/g0/aspace/r2", "overlaps region 'ram'");
	expect_line(b, "/guests/g0/aspace/r3", "overlaps the hypervisor's kernel image");
	expect_line(b, "/guests/g0", "more guests than /vmm max_guest_count (1)");
	expect_line(b, "/guests/g0", "needs 4096 KiB of host RAM, only 0 KiB left");
	assert_int_equal(nr_claims, 1);	/* "first" only */
}

static void test_out_of_memory(void **state)
{
	(void)state;
	guest("a", 2 * MiB);
	set_str(guest("b", 2 * MiB), "device_type", "x");
	/* the guest table */
	fake_console_reset();
	fake_heap_fail_nth(1);
	assert_int_equal(vmm_config_validate(root, &probs, &host, &cfg), -VMM_ENOMEM);
	vmm_config_free(&cfg);
	/* a problem that cannot be recorded still rejects its guest */
	fake_heap_fail_nth(2);
	validate();
	fake_heap_reset();
	assert_true(fake_console_contains("config: guest 'b': 1 more problems not recorded (out of memory)\n"));
	assert_true(fake_console_contains("config: guest 'b' rejected, 0 problems:\n"));
	expect_accepted("a");
	assert_int_equal(cfg.nr_rejected, 1);
}

static void test_summary(void **state)
{
	struct vmm_devtree_node *g;

	(void)state;
	g = guest("g0", 2 * MiB);
	set_u32(vmm_devtree_find(g, "vcpus/vcpu0"), "priority", 2);
	virt(g, "uart0", "io", 0x3F8, 8, "ns16550a");
	fixed_ram(g, "fixed", 4 * MiB, 1 * MiB, 0x1000000);
	region(g, "kbd", "real", "io", "device", 0x60, 5);
	validate();
	fake_console_reset();
	vmm_config_print_summary(&cfg, VMM_LOG_INFO);
	assert_string_equal(fake_console_text(),
		"config: 1 guest accepted, 0 rejected; max 8 guests, 32 VCPUs, time slice 10000 us\n"
		"guest g0: 1 VCPU, 4 regions, 2048 KiB RAM/ROM to allocate\n"
		"  g0/vcpu0: start_pc 0xffff0, time slice 10000 us, priority 2\n"
		"  g0/ram: ram memory 0x0-0x1fffff allocated\n"
		"  g0/uart0: virtual io 0x3f8-0x3ff \"ns16550a\"\n"
		"  g0/fixed: ram memory 0x400000-0x4fffff host 0x1000000\n"
		"  g0/kbd: device io 0x60-0x64 host ports\n");
	/* filtered like any message */
	fake_console_reset();
	vmm_config_print_summary(&cfg, VMM_LOG_DEBUG);
	assert_string_equal(fake_console_text(), "");
	assert_string_equal(vmm_region_kind_name(VMM_REGION_ROM), "rom");
	assert_string_equal(vmm_region_kind_name((enum vmm_region_kind)9), "?");
}

static void test_uses_node(void **state)
{
	struct vmm_devtree_node *a = guest("a", 2 * MiB), *b = guest("b", 2 * MiB);

	(void)state;
	set_str(b, "device_type", "x");
	validate();
	assert_true(vmm_config_uses_node(&cfg, a));
	assert_true(vmm_config_uses_node(&cfg, vmm_devtree_find(a, "vcpus/vcpu0")));
	assert_true(vmm_config_uses_node(&cfg, vmm_devtree_find(a, "aspace/ram")));
	/* an ancestor of a used node is in use too */
	assert_true(vmm_config_uses_node(&cfg, guests));
	assert_true(vmm_config_uses_node(&cfg, root));
	/* a rejected guest's nodes are not */
	assert_false(vmm_config_uses_node(&cfg, b));
	assert_false(vmm_config_uses_node(&cfg, vmm_devtree_find(b, "aspace/ram")));
	assert_false(vmm_config_uses_node(&cfg, vmm_node()));
}


/* ---- scheduling attributes: affinity, start ---- */

static void test_vcpu_affinity(void **state)
{
	struct vmm_devtree_node *ok = guest("ok", 2 * MiB), *bad = guest("bad", 2 * MiB);
	static const u32 two[] = { 0, 1 }, all[] = { 7, 0, 3, 1, 6, 2, 5, 4 };
	static const u32 dup[] = { 1, 2, 1 }, range[] = { 8 }, both[] = { 64, 0, 0 };
	const struct vmm_guest_config *g;
	const char *b;

	(void)state;
	set_cells(vmm_devtree_find(ok, "vcpus/vcpu0"), "affinity", two, 2);
	vcpu(ok, "vcpu1");					/* absent: any CPU */
	set_u32(vcpu(ok, "vcpu2"), "affinity", 7);		/* one CPU as a u32 */
	set_cells(vcpu(ok, "vcpu3"), "affinity", all, 8);	/* every CPU, any order */
	set_cells(vmm_devtree_find(bad, "vcpus/vcpu0"), "affinity", NULL, 0);
	set_cells(vcpu(bad, "v_dup"), "affinity", dup, 3);
	set_cells(vcpu(bad, "v_range"), "affinity", range, 1);
	set_cells(vcpu(bad, "v_both"), "affinity", both, 3);
	set_str(vcpu(bad, "v_str"), "affinity", "0 1");
	set_u64(vcpu(bad, "v_u64"), "affinity", 1);
	validate();
	g = accepted("ok");
	assert_non_null(g);
	assert_true(g->vcpus[0].affinity == 0x3);
	assert_true(g->vcpus[1].affinity == 0);
	assert_true(g->vcpus[2].affinity == 0x80);
	assert_true(g->vcpus[3].affinity == 0xFF);
	b = rejection("bad", 7);
	expect_line(b, "/guests/bad/vcpus/vcpu0",
		    "affinity is empty: list at least one host CPU (or leave it out: any CPU)");
	expect_line(b, "/guests/bad/vcpus/v_dup", "affinity: host CPU 1 is listed twice");
	expect_line(b, "/guests/bad/vcpus/v_range", "affinity: host CPU 8 is out of range (0..7)");
	expect_line(b, "/guests/bad/vcpus/v_both", "affinity: host CPU 64 is out of range (0..7)");
	expect_line(b, "/guests/bad/vcpus/v_both", "affinity: host CPU 0 is listed twice");
	expect_line(b, "/guests/bad/vcpus/v_str",
		    "attribute 'affinity' must be a list of host CPU indices, like <0 1>");
	expect_line(b, "/guests/bad/vcpus/v_u64",
		    "attribute 'affinity' must be a list of host CPU indices, like <0 1>");
}

static void test_guest_start(void **state)
{
	struct vmm_devtree_node *all = guest("all", 2 * MiB), *boot = guest("boot", 2 * MiB);
	struct vmm_devtree_node *bad_word = guest("bad_word", 2 * MiB);
	struct vmm_devtree_node *bad_type = guest("bad_type", 2 * MiB);
	struct vmm_devtree_node *bad_list = guest("bad_list", 2 * MiB);

	(void)state;
	vcpu(all, "vcpu1");
	set_str(all, "start", "all");
	set_str(boot, "start", "boot");
	guest("dflt", 2 * MiB);
	set_str(bad_word, "start", "every");
	set_u32(bad_type, "start", 1);
	set_strs(bad_list, "start", "all\0boot", 9);
	validate();
	assert_true(accepted("all")->start_all);
	assert_false(accepted("boot")->start_all);
	assert_false(accepted("dflt")->start_all);
	expect_one("bad_word", "/guests/bad_word", "start \"every\" is not \"boot\" or \"all\"");
	expect_one("bad_type", "/guests/bad_type",
		   "attribute 'start' must be one string, \"boot\" or \"all\"");
	expect_one("bad_list", "/guests/bad_list",
		   "attribute 'start' must be one string, \"boot\" or \"all\"");
	assert_int_equal(cfg.nr_guests, 3);
}

/* Write 'text' to a temporary .dts and compile it like the build does. */
static void *compile_dts(const char *text, size_t *size)
{
	char path[] = "/tmp/test_guest_config_XXXXXX.dts";
	int fd = mkstemps(path, 4);
	FILE *f;
	void *blob;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	blob = dtb_fixture_compile(path, size);
	unlink(path);
	assert_non_null(blob);
	return blob;
}

/* The attributes as a user writes them: dtc, the schema, the checks. */
static void test_affinity_and_start_from_dts(void **state)
{
	static const char dts[] =
		"/dts-v1/;\n#include \"xvisor.h\"\n"
		"/ { guests {\n"
		"  g0 { device_type = \"guest\"; start = \"all\";\n"
		"    vcpus { vcpu0 { device_type = \"vcpu\"; start_pc = U64(0xFFFF0); affinity = <1>; };\n"
		"            vcpu1 { device_type = \"vcpu\"; start_pc = U64(0xFFFF0); affinity = <0 2>; priority = <7>; }; };\n"
		"    aspace { ram { REAL_RAM(0, MiB(2)); }; }; };\n"
		"  g1 { device_type = \"guest\"; start = <1>;\n"
		"    vcpus { vcpu0 { device_type = \"vcpu\"; start_pc = U64(0xFFFF0); affinity; }; };\n"
		"    aspace { ram { REAL_RAM(0, MiB(2)); }; }; };\n"
		"}; };\n";
	struct vmm_devtree_node *t;
	const struct vmm_guest_config *g;
	size_t size;
	void *blob = compile_dts(dts, &size);
	const char *b;

	(void)state;
	vmm_devtree_node_free(root);
	root = NULL;
	t = vmm_devtree_unflatten(blob, size, &probs);
	free(blob);
	assert_non_null(t);
	fake_console_reset();
	assert_int_equal(vmm_config_validate(t, &probs, &host, &cfg), VMM_OK);
	g = accepted("g0");
	if (!g)
		fail_msg("g0 rejected:\n%s", fake_console_text());
	assert_true(g->start_all);
	assert_true(g->vcpus[0].affinity == 0x2);
	assert_true(g->vcpus[1].affinity == 0x5);
	assert_int_equal(g->vcpus[1].priority, 7);
	b = rejection("g1", 2);
	expect_line(b, "/guests/g1", "attribute 'start' must be one NUL-terminated string");
	expect_line(b, "/guests/g1/vcpus/vcpu0", "affinity is empty");
	root = t;	/* released by the fixture */
}

static void test_summary_affinity_and_start(void **state)
{
	struct vmm_devtree_node *g = guest("g0", 2 * MiB);
	static const u32 cpus[] = { 3, 1 };

	(void)state;
	set_str(g, "start", "all");
	set_cells(vcpu(g, "vcpu1"), "affinity", cpus, 2);
	validate();
	fake_console_reset();
	vmm_config_print_summary(&cfg, VMM_LOG_INFO);
	assert_true(fake_console_contains(
		"guest g0: 2 VCPUs, 1 regions, 2048 KiB RAM/ROM to allocate, all VCPUs start\n"
		"  g0/vcpu0: start_pc 0xffff0, time slice 10000 us, priority 0\n"
		"  g0/vcpu1: start_pc 0xffff0, time slice 10000 us, priority 0, host CPUs 1 3\n"));
}

/* ---- the real configurations ---- */

static void test_real_configurations_accepted(void **state)
{
	struct dtb_fixture fx[16];
	int nfx;

	(void)state;
	nfx = dtb_fixture_load_all(fx, ARRAY_SIZE(fx));
	assert_true(nfx >= 3);
	vmm_devtree_node_free(root);
	root = NULL;
	for (int f = 0; f < nfx; f++) {
		struct vmm_devtree_node *t;

		vmm_problems_init(&probs);
		t = vmm_devtree_unflatten(fx[f].blob, fx[f].size, &probs);
		assert_non_null(t);
		fake_console_reset();
		assert_int_equal(vmm_config_validate(t, &probs, &host, &cfg), VMM_OK);
		if (cfg.nr_rejected || cfg.nr_guests != vmm_devtree_child_count(vmm_devtree_child(t, "guests")) ||
		    fake_console_contains("config: /"))
			fail_msg("%s: %u accepted, %u rejected:\n%s", fx[f].name, cfg.nr_guests,
				 cfg.nr_rejected, fake_console_text());
		assert_true(cfg.nr_guests >= 1);
		vmm_config_free(&cfg);
		vmm_devtree_node_free(t);
		vmm_problems_free(&probs);
	}
	dtb_fixture_free_all(fx, nfx);
}

#define T(fn) { #fn, run_checked, setup, teardown, (void *)fn }

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_guests_accepted),
		T(test_guest_device_type),
		T(test_vcpus_missing_or_empty),
		T(test_vcpu_attributes),
		T(test_multiboot_attributes),
		T(test_linux_attributes),
		T(test_too_many_vcpus),
		T(test_aspace_missing_or_without_ram),
		T(test_region_required_attributes),
		T(test_region_values),
		T(test_real_region_device_type),
		T(test_page_alignment),
		T(test_virtual_region_rules),
		T(test_acpi_tables_flag),
		T(test_overlaps_per_address_space),
		T(test_too_many_regions),
		T(test_fixed_host_ram),
		T(test_device_windows),
		T(test_host_owned_resources),
		T(test_host_owned_none),
		T(test_two_guests_same_host_range),
		T(test_ram_budget),
		T(test_ram_budget_host_below_reserve),
		T(test_max_guest_count),
		T(test_max_vcpu_count),
		T(test_claim_calls_and_failure),
		T(test_claim_callback_absent),
		T(test_claim_with_real_buddy),
		T(test_vmm_defaults_and_values),
		T(test_bad_default_time_slice),
		T(test_missing_guests),
		T(test_unflatten_problems_attributed),
		T(test_all_problems_in_one_message),
		T(test_out_of_memory),
		T(test_summary),
		T(test_uses_node),
		T(test_vcpu_affinity),
		T(test_guest_start),
		T(test_affinity_and_start_from_dts),
		T(test_summary_affinity_and_start),
		T(test_real_configurations_accepted),
	};

	return cmocka_run_group_tests_name("guest_config", tests, NULL, NULL);
}
