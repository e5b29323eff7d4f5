/*
 * arch/x86_64/acpi.c - RSDP discovery, FADT and \_S5 lookup, the MADT's
 * local APICs, the HPET table for hpet.c (see acpi.h). Every table is checksum-verified and
 * length-checked before it is read.
 */
#include <string.h>
#include "arch/x86_64/acpi.h"
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

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC 9
#define MADT_ENABLED (1u << 0)

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

/* \_S5 package: NameOp "_S5_" PackageOp PkgLength NumElements typa typb */
static void find_s5(const struct acpi_sdt_header *dsdt)
{
	const u8 *p = (const u8 *)dsdt + sizeof(*dsdt);
	const u8 *end = (const u8 *)dsdt + dsdt->length;
	u8 vals[2] = { 0, 0 };

	for (; p + 4 < end; p++) {
		if (memcmp(p, "_S5_", 4))
			continue;
		const u8 *q = p + 4;

		if (q >= end || *q != 0x12)	/* PackageOp */
			continue;
		q++;
		if (q >= end)
			break;
		q += ((*q >> 6) & 3) + 1;	/* PkgLength */
		q++;				/* NumElements */
		for (int i = 0; i < 2 && q < end; i++) {
			if (*q == 0x0A && q + 1 < end) {	/* BytePrefix */
				vals[i] = q[1];
				q += 2;
			} else {			/* ZeroOp / OneOp / small constant */
				vals[i] = *q == 0x01 ? 1 : (*q == 0xFF ? 0xFF : 0);
				q++;
			}
		}
		power_info.s5_typa = vals[0] & 7;
		power_info.s5_typb = vals[1] & 7;
		return;
	}
}

static void madt_add_cpu(u32 apic_id, u32 flags)
{
	if (!(flags & MADT_ENABLED))
		return;
	for (u32 i = 0; i < madt_info.nr_cpus; i++)
		if (madt_info.apic_ids[i] == apic_id)
			return;	/* listed both as LAPIC and x2APIC */
	if (apic_id >= 0xFF) {
		madt_info.nr_skipped++;	/* needs x2APIC mode, which we do not use */
		return;
	}
	if (madt_info.nr_cpus < ACPI_MAX_CPUS)
		madt_info.apic_ids[madt_info.nr_cpus++] = apic_id;
	else
		madt_info.nr_skipped++;
}

/* MADT ("APIC", ACPI 6.x 5.2.12): LAPIC address and the enabled processors. */
static void parse_madt(const struct acpi_sdt_header *madt)
{
	const u8 *p = (const u8 *)madt + sizeof(*madt) + 8;
	const u8 *end = (const u8 *)madt + madt->length;
	u32 base32;

	if (madt->length < sizeof(*madt) + 8)
		return;
	memcpy(&base32, (const u8 *)madt + sizeof(*madt), 4);
	madt_info.lapic_base = base32;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		u32 flags, id;

		switch (p[0]) {
		case MADT_LAPIC:
			if (p[1] >= 8) {
				memcpy(&flags, p + 4, 4);
				madt_add_cpu(p[3], flags);
			}
			break;
		case MADT_X2APIC:
			if (p[1] >= 16) {
				memcpy(&id, p + 4, 4);
				memcpy(&flags, p + 8, 4);
				madt_add_cpu(id, flags);
			}
			break;
		case MADT_IOAPIC:
			if (p[1] >= 12 && tables_info.nr_ioapics < ACPI_MAX_IOAPICS) {
				u32 base;

				memcpy(&base, p + 4, 4);
				tables_info.ioapic_base[tables_info.nr_ioapics++] = base;
			}
			break;
		case MADT_LAPIC_OVERRIDE:
			if (p[1] >= 12)
				memcpy(&madt_info.lapic_base, p + 4, 8);
			break;
		}
		p += p[1];
	}
	madt_info.valid = madt_info.nr_cpus > 0;
}

void acpi_init(u64 rsdp_pa)
{
	const u8 *rsdp = (const u8 *)(uintptr_t)rsdp_pa;
	const struct acpi_sdt_header *root = NULL, *fadt = NULL, *dsdt;
	bool xsdt = false;
	u32 rsdt_pa;
	u64 xsdt_pa = 0;

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
				parse_madt(madt);
		} else if (!acpi_table("HPET", NULL) && !memcmp(h->signature, "HPET", 4))
			table_at(pa, "HPET");	/* read by hpet.c */
	}
	if (!fadt || fadt->length < 76) {
		vmm_info("acpi: no usable FADT\n");
		return;
	}
	u32 pm1a, pm1b, dsdt32;
	u64 dsdt_pa;

	memcpy(&dsdt32, (const u8 *)fadt + 40, 4);
	memcpy(&pm1a, (const u8 *)fadt + 64, 4);
	memcpy(&pm1b, (const u8 *)fadt + 68, 4);
	dsdt_pa = dsdt32;
	if (fadt->length >= 148) {
		u64 x;

		memcpy(&x, (const u8 *)fadt + 140, 8);
		if (x)
			dsdt_pa = x;
	}
	if (fadt->length >= 80) {
		u32 tmr;

		memcpy(&tmr, (const u8 *)fadt + 76, 4);
		power_info.pm_timer = (u16)tmr;
	}
	if (fadt->length >= 129) {
		u32 flags;

		memcpy(&flags, (const u8 *)fadt + 112, 4);
		power_info.reset_space = *((const u8 *)fadt + 116);
		memcpy(&power_info.reset_addr, (const u8 *)fadt + 120, 8);
		power_info.reset_value = *((const u8 *)fadt + 128);
		power_info.reset_valid = (flags & (1u << 10)) && power_info.reset_addr &&
					 power_info.reset_space <= 1;
	}
	power_info.pm1a_cnt = pm1a;
	power_info.pm1b_cnt = pm1b;
	dsdt = table_at(dsdt_pa, "DSDT");
	if (dsdt)
		find_s5(dsdt);
	power_info.valid = pm1a != 0;
	vmm_info("acpi: RSDP 0x%llx, PM1a control 0x%x, S5 type %u\n",
		 (unsigned long long)rsdp_pa, pm1a, power_info.s5_typa);
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
