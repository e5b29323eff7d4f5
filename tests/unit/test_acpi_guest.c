/*
 * tests/unit/test_acpi_guest.c - a guest's ACPI tables placed into its ROM
 * (kernel/acpi_guest.c): the plan read from configurations (VCPU count,
 * IO-APIC address, PM block and reset ports, 8042), each refusal with its
 * reason (no or two ROMs, a ROM outside 0xE0000-0xFFFFF or too small, no
 * IO-APIC, a local APIC elsewhere, no or a short PM block); then the
 * loader through the real aspace: the tables found by the RSDP scan of
 * the guest's 0xE0000-0xFFFFF, checksummed, the MADT listing the VCPUs,
 * rebuilt by a cold reset (vmm_aspace_reload) after the guest scribbled
 * over them, and a refused plan failing guest creation with a message
 * naming the guest and the reason.
 *
 * The real host page allocator and heap over 16 MiB of test RAM, as in
 * tests/unit/test_aspace.c.
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
#include "kernel/acpi_guest.h"
#include "kernel/aspace.h"
#include "kernel/manager.h"
#include "kernel/boot_info.h"
#include "kernel/host_mem.h"
#include "kernel/heap.h"
#include "kernel/error.h"

#define HOST_RAM (16 * MiB)

static u8 *ram;
static struct vmm_boot_info bi;
static struct vmm_guest_config cfg;
static struct vmm_guest guest;
static char err[192];

static int group_setup(void **state)
{
	static const struct vmm_phys_range resv[] = { { 0, 0, "none" } };

	(void)state;
	ram = aligned_alloc(2 * MiB, HOST_RAM);
	if (!ram)
		return -1;
	bi.nr_mem = 1;
	bi.mem[0] = (struct vmm_mem_range){ (uintptr_t)ram, HOST_RAM, VMM_MEM_USABLE };
	if (vmm_host_mem_init(&bi, resv, 0))
		return -1;
	vmm_heap_setup();
	vmm_boot_info_set(&bi);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	vmm_boot_info_set(NULL);
	free(ram);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmm_aspace_deinit(&guest);
	return 0;
}

static struct vmm_region_config *add(const char *name, enum vmm_region_kind kind, bool io, u64 gpa,
				     u64 size, const char *compat)
{
	struct vmm_region_config *r = &cfg.regions[cfg.nr_regions++];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->kind = kind;
	r->io = io;
	r->gpa = gpa;
	r->size = size;
	if (compat)
		snprintf(r->compatible, sizeof(r->compatible), "%s", compat);
	return r;
}

static struct vmm_region_config *dev(const char *name, bool io, u64 gpa, u64 size, const char *compat)
{
	return add(name, VMM_REGION_VIRTUAL, io, gpa, size, compat);
}

/* A pc-guest.dtsi guest with GUEST_APIC and nr VCPUs (no devtree nodes: none is read). */
static void pc_config(u32 nr)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(&guest, 0, sizeof(guest));
	snprintf(cfg.name, sizeof(cfg.name), "g");
	cfg.nr_vcpus = nr;
	add("lowmem", VMM_REGION_RAM, false, 0, 640 * KiB, NULL);
	add("highmem", VMM_REGION_RAM, false, MiB, MiB, NULL);
	add("acpi", VMM_REGION_ROM, false, 0xE0000, 64 * KiB, NULL)->acpi_tables = true;
	add("bios", VMM_REGION_ROM, false, 0xF0000, 64 * KiB, NULL);
	dev("pic_master", true, 0x20, 2, "i8259a");
	dev("kbd_data", true, 0x60, 1, "i8042");
	dev("lapic", false, 0xFEE00000, 0x1000, "x86,local-apic");
	dev("ioapic", false, 0xFEC00000, 0x1000, "x86,ioapic");
	dev("acpi_pm", true, 0x600, 12, "acpi,pm1");
	dev("reset_port", true, 0xCF9, 1, "pc,reset-port");
	snprintf(guest.name, sizeof(guest.name), "g");
	guest.config = &cfg;
}

static struct vmm_region_config *region(const char *name)
{
	for (u32 i = 0; i < cfg.nr_regions; i++)
		if (!strcmp(cfg.regions[i].name, name))
			return &cfg.regions[i];
	fail_msg("no region %s", name);
	return NULL;
}

/* Remove region 'name' from cfg. */
static void drop(const char *name)
{
	struct vmm_region_config *r = region(name);
	u32 i = (u32)(r - cfg.regions);

	memmove(r, r + 1, (cfg.nr_regions - i - 1) * sizeof(*r));
	cfg.nr_regions--;
}

static void expect_refused(const char *reason)
{
	struct acpi_guest_plan plan;

	assert_int_equal(vmm_acpi_guest_plan(&cfg, &plan, err, sizeof(err)), -VMM_EINVALID);
	if (!strstr(err, reason))
		fail_msg("refusal \"%s\" does not say \"%s\"", err, reason);
}

static void test_plan_none(void **state)
{
	struct acpi_guest_plan plan;

	(void)state;
	pc_config(1);
	region("acpi")->acpi_tables = false;
	drop("ioapic");		/* nothing else is looked at */
	assert_int_equal(vmm_acpi_guest_plan(&cfg, &plan, err, sizeof(err)), VMM_OK);
	assert_null(plan.rom);
	assert_string_equal(err, "");
}

static void test_plan_pc(void **state)
{
	struct acpi_guest_plan plan;
	const struct acpi_tables_in *in = &plan.in;

	(void)state;
	for (u32 nr = 1; nr <= VMM_GUEST_MAX_VCPUS; nr++) {
		pc_config(nr);
		assert_int_equal(vmm_acpi_guest_plan(&cfg, &plan, err, sizeof(err)), VMM_OK);
		assert_ptr_equal(plan.rom, region("acpi"));
		assert_int_equal(in->nr_cpus, nr);
		for (u32 i = 0; i < nr; i++)
			assert_int_equal(in->apic_ids[i], i);
		assert_int_equal(in->ioapic_id, nr);
		assert_int_equal(in->ioapic_addr, 0xFEC00000);
		assert_int_equal(in->ioapic_gsi_base, 0);
		assert_int_equal(in->nr_isos, 2);
		assert_int_equal(in->isos[0].irq, 0);
		assert_int_equal(in->isos[0].gsi, 2);
		assert_int_equal(in->isos[0].flags, ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_EDGE);
		assert_int_equal(in->isos[1].irq, 9);
		assert_int_equal(in->isos[1].gsi, 9);
		assert_int_equal(in->isos[1].flags, ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_LEVEL);
		assert_int_equal(in->sci_irq, 9);
		assert_int_equal(in->pm1a_evt_port, 0x600);
		assert_int_equal(in->pm1a_cnt_port, 0x604);
		assert_int_equal(in->pm_tmr_port, 0x608);
		assert_false(in->pm_tmr_32bit);
		assert_int_equal(in->reset_port, 0xCF9);
		assert_int_equal(in->reset_value, 0x06);
		assert_int_equal(in->s5_slp_typ, 5);
		assert_int_equal(in->iapc_boot_arch, ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_8042);
		assert_int_equal(plan.size, acpi_tables_size(in));
		assert_true(plan.size > 0 && plan.size <= 64 * KiB);
	}
}

/* Where the devices are is read from their regions; absent optional ones are left out. */
static void test_plan_from_regions(void **state)
{
	struct acpi_guest_plan plan;

	(void)state;
	pc_config(2);
	region("ioapic")->gpa = 0xFEC01000;
	region("acpi_pm")->gpa = 0xB000;
	region("acpi")->gpa = 0xFF000;
	region("acpi")->size = 0x1000;
	drop("reset_port");
	drop("kbd_data");
	drop("lapic");
	assert_int_equal(vmm_acpi_guest_plan(&cfg, &plan, err, sizeof(err)), VMM_OK);
	assert_ptr_equal(plan.rom, region("acpi"));
	assert_int_equal(plan.in.ioapic_addr, 0xFEC01000);
	assert_int_equal(plan.in.pm1a_evt_port, 0xB000);
	assert_int_equal(plan.in.pm1a_cnt_port, 0xB004);
	assert_int_equal(plan.in.pm_tmr_port, 0xB008);
	assert_int_equal(plan.in.reset_port, 0);
	assert_int_equal(plan.in.iapc_boot_arch, ACPI_BOOT_LEGACY_DEVICES);
}

static void test_plan_refusals(void **state)
{
	(void)state;
	pc_config(2);
	region("acpi")->gpa = 0xD0000;
	expect_refused("region acpi (0xd0000-0xdffff) is not inside 0xe0000-0xfffff");
	pc_config(2);
	region("acpi")->gpa = 0xF8000;	/* runs past 1 MiB */
	expect_refused("region acpi (0xf8000-0x107fff) is not inside 0xe0000-0xfffff");
	pc_config(2);
	region("acpi")->gpa = 0xFFFFFFFFF000ULL;
	expect_refused("is not inside 0xe0000-0xfffff");
	pc_config(8);
	region("acpi")->size = 0x100;
	expect_refused("region acpi holds 256 bytes, the tables for 8 VCPUs need ");
	pc_config(2);
	region("bios")->acpi_tables = true;
	expect_refused("regions acpi and bios both ask for acpi_tables");
	pc_config(2);
	region("bios")->acpi_tables = false;
	region("lowmem")->acpi_tables = true;	/* only the config check keeps this out */
	expect_refused("regions lowmem and acpi both ask");
	pc_config(2);
	drop("ioapic");
	expect_refused("no \"x86,ioapic\" memory region");
	pc_config(2);
	dev("ioapic2", false, 0xFEC10000, 0x1000, "x86,ioapic");
	expect_refused("regions ioapic and ioapic2 are both \"x86,ioapic\"");
	pc_config(2);
	region("ioapic")->gpa = 0x100000000ULL;
	expect_refused("IO-APIC region ioapic at 0x100000000: the MADT holds a 32-bit address");
	pc_config(2);
	region("lapic")->gpa = 0xFED00000;
	expect_refused("local APIC region lapic at 0xfed00000: the MADT says 0xfee00000");
	pc_config(2);
	drop("acpi_pm");
	expect_refused("no PM block: the FADT needs the 12 ports of an \"acpi,pm1\" io region");
	pc_config(2);
	region("acpi_pm")->size = 8;
	expect_refused("region acpi_pm: the FADT needs the 12 ports");
	pc_config(2);
	region("acpi_pm")->io = false;		/* in memory: not the PM block */
	expect_refused("no PM block");
	pc_config(2);
	cfg.nr_vcpus = 0;
	expect_refused("0 VCPUs: the MADT describes 1 to 64");
}

static u8 sum(const u8 *b, u64 n)
{
	u8 s = 0;

	for (u64 i = 0; i < n; i++)
		s += b[i];
	return s;
}

static u32 r32(const u8 *b) { u32 v; memcpy(&v, b, 4); return v; }

/*
 * Read the guest's 0xE0000-0xFFFFF as an OS does: the RSDP by the 16-byte
 * scan, both its checksums, the RSDT's tables checksummed, and the MADT's
 * local APIC entries counted. Returns that count (-1 when no RSDP).
 */
static int guest_scan(void)
{
	static u8 img[0x20000];
	u32 rsdt, n, lapics = 0;
	long rsdp = -1;

	memset(img, 0x55, sizeof(img));
	assert_int_equal(vmm_guest_memory_read(&guest, 0xE0000, img, sizeof(img)), sizeof(img));
	for (u32 off = 0; off + 36 <= sizeof(img); off += 16)
		if (!memcmp(img + off, "RSD PTR ", 8) && !sum(img + off, 20)) {
			rsdp = off;
			break;
		}
	if (rsdp < 0)
		return -1;
	assert_int_equal(sum(img + rsdp, 36), 0);
	rsdt = r32(img + rsdp + 16) - 0xE0000;
	assert_memory_equal(img + rsdt, "RSDT", 4);
	assert_int_equal(sum(img + rsdt, r32(img + rsdt + 4)), 0);
	n = (r32(img + rsdt + 4) - 36) / 4;
	for (u32 i = 0; i < n; i++) {
		u32 t = r32(img + rsdt + 36 + 4 * i) - 0xE0000, len = r32(img + t + 4);

		assert_true(t + len <= sizeof(img));
		assert_int_equal(sum(img + t, len), 0);
		if (memcmp(img + t, "APIC", 4))
			continue;
		for (u32 e = t + 44; e < t + len; e += img[e + 1]) {
			assert_true(img[e + 1] >= 2);
			if (img[e] == ACPI_MADT_LAPIC)
				lapics++;
		}
	}
	return (int)lapics;
}

static void test_load_and_reload(void **state)
{
	u8 junk[256];

	(void)state;
	pc_config(4);
	fake_console_reset();
	assert_int_equal(vmm_aspace_init(&guest), VMM_OK);
	assert_int_equal(guest_scan(), 4);
	assert_true(fake_console_contains("guest g: ACPI tables in acpi, RSDP at 0xe0000 ("));
	assert_true(fake_console_contains("4 CPUs, IO-APIC at 0xfec00000, PM1 at port 0x600, reset port 0xcf9\n"));
	/* wiped by the host side of the guest (the ROM rule is the guest's) */
	memset(junk, 0, sizeof(junk));
	assert_int_equal(vmm_guest_memory_write(&guest, 0xE0000, junk, sizeof(junk)), sizeof(junk));
	assert_int_equal(guest_scan(), -1);
	assert_int_equal(vmm_aspace_reload(&guest), VMM_OK);
	assert_int_equal(guest_scan(), 4);
}

static void test_load_none(void **state)
{
	(void)state;
	pc_config(2);
	region("acpi")->acpi_tables = false;
	fake_console_reset();
	assert_int_equal(vmm_aspace_init(&guest), VMM_OK);
	assert_int_equal(guest_scan(), -1);
	assert_false(fake_console_contains("ACPI"));
}

static void test_load_refused(void **state)
{
	(void)state;
	pc_config(2);
	drop("acpi_pm");
	fake_console_reset();
	assert_int_equal(vmm_aspace_init(&guest), -VMM_EINVALID);
	assert_true(fake_console_contains("guest g: ACPI tables refused: no PM block: the FADT needs the 12 ports of an \"acpi,pm1\" io region (PM1 block, PM timer)\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_none),
		cmocka_unit_test(test_plan_pc),
		cmocka_unit_test(test_plan_from_regions),
		cmocka_unit_test(test_plan_refusals),
		cmocka_unit_test_teardown(test_load_and_reload, teardown),
		cmocka_unit_test_teardown(test_load_none, teardown),
		cmocka_unit_test_teardown(test_load_refused, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
