/*
 * arch/x86_64/acpi.c - RSDP discovery, the tables found through the
 * RSDT/XSDT: FADT, MADT, \_S5 in the DSDT or else an SSDT, the HPET table
 * for hpet.c (see acpi.h; the parsing is acpi_parse.c). Every table is
 * checksum-verified and length-checked before it is read.
 */
#include <string.h>
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/acpi_parse.h"
#include "kernel/printk.h"
#include "arch/x86_64/cpu.h"

struct acpi_sdt_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

static struct acpi_power_info power_info;
static struct acpi_madt_info madt_info;
static struct acpi_tables_info tables_info;

static void note_table(u64 pa, u64 len, const char *sig)
{
	if (tables_info.nr >= ACPI_MAX_TABLES)
		return;
	tables_info.t[tables_info.nr].start = pa;
	tables_info.t[tables_info.nr].end = pa + len;
	memcpy(tables_info.t[tables_info.nr].sig, sig, 4);
	tables_info.t[tables_info.nr].sig[4] = 0;
	tables_info.nr++;
}

const struct acpi_tables_info *acpi_tables_info(void)
{
	return &tables_info;
}

#define ACPI_MAX_SSDTS 16

const void *acpi_table(const char *sig, u32 *len)
{
	for (u32 i = 0; i < tables_info.nr; i++)
		if (!memcmp(tables_info.t[i].sig, sig, 4)) {
			if (len)
				*len = (u32)(tables_info.t[i].end - tables_info.t[i].start);
			return (const void *)(uintptr_t)tables_info.t[i].start;
		}
	return NULL;
}

static bool checksum_ok(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static u64 scan_rsdp(u64 start, u64 end)
{
	for (u64 a = start; a + 20 <= end; a += 16)
		if (!memcmp((const void *)(uintptr_t)a, "RSD PTR ", 8) &&
		    checksum_ok((const void *)(uintptr_t)a, 20))
			return a;
	return 0;
}

u64 acpi_find_rsdp_bios(void)
{
	u16 ebda_seg = phys_read16(0x40E);
	u64 ebda = (u64)ebda_seg << 4;
	u64 r = 0;

	if (ebda >= 0x80000 && ebda < 0xA0000)
		r = scan_rsdp(ebda, ebda + 1024);
	if (!r)
		r = scan_rsdp(0xE0000, 0x100000);
	return r;
}

static const struct acpi_sdt_header *table_at(u64 pa, const char *sig)
{
	const struct acpi_sdt_header *h = (const void *)(uintptr_t)pa;

	if (!pa || pa >= 4 * GiB * 128)
		return NULL;
	if (memcmp(h->signature, sig, 4) || h->length < sizeof(*h) ||
	    h->length > 16 * MiB || !checksum_ok(h, h->length)) {
		vmm_warn("acpi: table %.4s at 0x%llx is malformed; ignored\n", sig,
			 (unsigned long long)pa);
		return NULL;
	}
	note_table(pa, h->length, sig);
	return h;
}

static const char *s5_text(void)
{
	switch (power_info.s5) {
	case ACPI_S5_FOUND:
		return power_info.s5_table[0] == 'D' ? "\\_S5 in the DSDT" : "\\_S5 in an SSDT";
	case ACPI_S5_NOT_PACKAGE:
		return "\\_S5 is not a plain package: SLP_TYP 0 assumed";
	}
	return "no \\_S5 in the DSDT or SSDTs: SLP_TYP 0 assumed";
}

/* \_S5 in one DSDT or SSDT; true once found (or found unusable). */
static bool s5_in(const struct acpi_sdt_header *h, const char *sig)
{
	int r = acpi_find_s5((const u8 *)h + sizeof(*h), h->length - (u32)sizeof(*h),
			     &power_info.s5_typa, &power_info.s5_typb);

	if (r == ACPI_S5_ABSENT)
		return false;
	power_info.s5 = r;
	memcpy(power_info.s5_table, sig, 4);
	power_info.s5_table[4] = 0;
	return true;
}

void acpi_init(u64 rsdp_pa)
{
	const u8 *rsdp = (const u8 *)(uintptr_t)rsdp_pa;
	const struct acpi_sdt_header *root = NULL, *fadt = NULL, *dsdt;
	bool xsdt = false;
	u32 rsdt_pa;
	u64 xsdt_pa = 0, dsdt_pa;

	if (!rsdp_pa || !checksum_ok(rsdp, 20)) {
		vmm_info("acpi: no RSDP found\n");
		return;
	}
	memcpy(&rsdt_pa, rsdp + 16, 4);
	note_table(rsdp_pa, 20, "RSDP");
	if (rsdp[15] >= 2) {
		u32 len;

		memcpy(&len, rsdp + 20, 4);
		if (len >= 36 && len <= 64)
			tables_info.t[tables_info.nr - 1].end = rsdp_pa + len;
		memcpy(&xsdt_pa, rsdp + 24, 8);
		if (len >= 36 && len <= 64 && checksum_ok(rsdp, len) && xsdt_pa)
			root = table_at(xsdt_pa, "XSDT");
		xsdt = root != NULL;
	}
	if (!root)
		root = table_at(rsdt_pa, "RSDT");
	if (!root)
		return;
	size_t esize = xsdt ? 8 : 4;
	size_t n = (root->length - sizeof(*root)) / esize;

	u64 ssdt[ACPI_MAX_SSDTS];
	u32 nr_ssdt = 0;

	for (size_t i = 0; i < n; i++) {
		u64 pa = 0;

		memcpy(&pa, (const u8 *)root + sizeof(*root) + i * esize, esize);
		const struct acpi_sdt_header *h = (const void *)(uintptr_t)pa;

		if (!pa || pa >= 512 * GiB)
			continue;
		if (!fadt && !memcmp(h->signature, "FACP", 4))
			fadt = table_at(pa, "FACP");
		else if (!madt_info.valid && !memcmp(h->signature, "APIC", 4)) {
			const struct acpi_sdt_header *madt = table_at(pa, "APIC");

			if (madt)
				acpi_parse_madt((const u8 *)madt, madt->length, &madt_info, &tables_info);
		} else if (!acpi_table("HPET", NULL) && !memcmp(h->signature, "HPET", 4)) {
			table_at(pa, "HPET");	/* read by hpet.c */
		} else if (!memcmp(h->signature, "SSDT", 4) && nr_ssdt < ACPI_MAX_SSDTS) {
			ssdt[nr_ssdt++] = pa;
		}
	}
	if (!fadt || fadt->length < 76) {
		vmm_info("acpi: no usable FADT: no ACPI power-off or reset register\n");
		return;
	}
	dsdt_pa = acpi_parse_fadt((const u8 *)fadt, fadt->length, &power_info);
	power_info.s5 = ACPI_S5_ABSENT;
	dsdt = table_at(dsdt_pa, "DSDT");
	if (!dsdt || !s5_in(dsdt, "DSDT")) {
		for (u32 i = 0; i < nr_ssdt; i++) {
			const struct acpi_sdt_header *h = table_at(ssdt[i], "SSDT");

			if (h && s5_in(h, "SSDT"))
				break;
		}
	}
	if (power_info.hw_reduced)
		vmm_info("acpi: RSDP 0x%llx, hardware-reduced ACPI: sleep control register %s 0x%llx, %s\n",
			 (unsigned long long)rsdp_pa, acpi_gas_space_name(power_info.sleep_control.space),
			 (unsigned long long)power_info.sleep_control.addr, s5_text());
	else
		vmm_info("acpi: RSDP 0x%llx, PM1a control 0x%x, S5 type %u (%s)\n",
			 (unsigned long long)rsdp_pa, power_info.pm1a_cnt, power_info.s5_typa, s5_text());
	if (!power_info.reset_sup)
		vmm_info("acpi: the FADT offers no reset register (RESET_REG_SUP clear)\n");
	else
		vmm_info("acpi: reset register: %s 0x%llx, value 0x%x%s\n",
			 acpi_gas_space_name(power_info.reset_space),
			 (unsigned long long)power_info.reset_addr, power_info.reset_value,
			 power_info.reset_valid ? "" : " (not usable)");
}

void acpi_delay_us(u32 us)
{
	u64 ticks = (u64)us * 3579545 / 1000000, waited = 0;
	u32 last;

	if (!power_info.pm_timer) {
		for (volatile u64 i = 0; i < (u64)us * 100; i++)
			;
		return;
	}
	last = inl(power_info.pm_timer) & 0xFFFFFF;
	while (waited < ticks) {
		u32 now = inl(power_info.pm_timer) & 0xFFFFFF;

		waited += (now - last) & 0xFFFFFF;	/* 24-bit counter wraps */
		last = now;
	}
}

const struct acpi_power_info *acpi_power_info(void)
{
	return &power_info;
}

const struct acpi_madt_info *acpi_madt_info(void)
{
	return &madt_info;
}
