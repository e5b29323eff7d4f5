/*
 * arch/x86_64/acpi_parse.c - the host's ACPI tables read from checked bytes
 * (acpi_parse.h): MADT, FADT, \_S5. Pure computation: built into the kernel
 * and into the unit tests; every read is bounded by the table's length.
 */
#include <string.h>
#include "arch/x86_64/acpi_parse.h"

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC 9
#define MADT_ENABLED (1u << 0)

/* FADT offsets (ACPI 6.x 5.2.9) */
#define FADT_REVISION 8
#define FADT_DSDT 40
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_PM_TMR 76
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT 172
#define FADT_X_PM1B_CNT 184
#define FADT_SLEEP_CONTROL 244

/* little-endian reads that see zeros past the table's end */
static u64 rd(const u8 *t, u32 len, u32 off, u32 bytes)
{
	u64 v = 0;

	for (u32 i = 0; i < bytes; i++)
		if (off + i < len)
			v |= (u64)t[off + i] << (8 * i);
	return v;
}

static void gas(const u8 *t, u32 len, u32 off, struct acpi_gas_reg *g)
{
	g->space = (u8)rd(t, len, off, 1);
	g->bit_width = (u8)rd(t, len, off + 1, 1);
	g->bit_offset = (u8)rd(t, len, off + 2, 1);
	g->access_size = (u8)rd(t, len, off + 3, 1);
	g->addr = rd(t, len, off + 4, 8);
}

static void madt_add_cpu(struct acpi_madt_info *m, u32 apic_id, u32 flags)
{
	if (!(flags & MADT_ENABLED))
		return;
	for (u32 i = 0; i < m->nr_cpus; i++)
		if (m->apic_ids[i] == apic_id)
			return;	/* listed both as LAPIC and x2APIC */
	if (apic_id == 0xFFFFFFFFu || m->nr_cpus >= ACPI_MAX_CPUS) {
		m->nr_skipped++;
		return;
	}
	if (apic_id > 254)
		m->nr_x2apic++;
	m->apic_ids[m->nr_cpus++] = apic_id;
}

void acpi_parse_madt(const u8 *t, u32 len, struct acpi_madt_info *m, struct acpi_tables_info *ti)
{
	u32 off = ACPI_SDT_HEADER_BYTES + 8;

	if (len < off)
		return;
	m->lapic_base = rd(t, len, ACPI_SDT_HEADER_BYTES, 4);
	while (off + 2 <= len && t[off + 1] >= 2 && off + t[off + 1] <= len) {
		const u8 *e = t + off;
		u32 elen = e[1];

		switch (e[0]) {
		case MADT_LAPIC:
			if (elen >= 8)
				madt_add_cpu(m, e[3], (u32)rd(e, elen, 4, 4));
			break;
		case MADT_X2APIC:
			if (elen >= 16)
				madt_add_cpu(m, (u32)rd(e, elen, 4, 4), (u32)rd(e, elen, 8, 4));
			break;
		case MADT_IOAPIC:
			if (elen >= 12 && ti && ti->nr_ioapics < ACPI_MAX_IOAPICS)
				ti->ioapic_base[ti->nr_ioapics++] = rd(e, elen, 4, 4);
			break;
		case MADT_LAPIC_OVERRIDE:
			if (elen >= 12)
				m->lapic_base = rd(e, elen, 4, 8);
			break;
		}
		off += elen;
	}
	m->valid = m->nr_cpus > 0;
}

u64 acpi_parse_fadt(const u8 *t, u32 len, struct acpi_power_info *p)
{
	struct acpi_gas_reg x;
	u64 dsdt, xdsdt;

	p->valid = true;
	p->flags = (u32)rd(t, len, FADT_FLAGS, 4);
	p->hw_reduced = p->flags & ACPI_FADT_F_HW_REDUCED;
	p->smi_cmd = (u32)rd(t, len, FADT_SMI_CMD, 4);
	p->acpi_enable = (u8)rd(t, len, FADT_ACPI_ENABLE, 1);
	p->pm1a_cnt = (u16)rd(t, len, FADT_PM1A_CNT, 4);
	p->pm1b_cnt = (u16)rd(t, len, FADT_PM1B_CNT, 4);
	/* ACPI 2.0+ tables may give the blocks only in the X_ fields */
	gas(t, len, FADT_X_PM1A_CNT, &x);
	if (!p->pm1a_cnt && x.space == ACPI_GAS_IO && x.addr <= 0xFFFF)
		p->pm1a_cnt = (u16)x.addr;
	gas(t, len, FADT_X_PM1B_CNT, &x);
	if (!p->pm1b_cnt && x.space == ACPI_GAS_IO && x.addr <= 0xFFFF)
		p->pm1b_cnt = (u16)x.addr;
	p->pm_timer = (u16)rd(t, len, FADT_PM_TMR, 4);
	gas(t, len, FADT_SLEEP_CONTROL, &p->sleep_control);

	p->reset_sup = (p->flags & ACPI_FADT_F_RESET_REG_SUP) && len >= FADT_RESET_VALUE + 1;
	if (p->reset_sup) {
		gas(t, len, FADT_RESET_REG, &x);
		p->reset_space = x.space;
		p->reset_addr = x.addr;
		p->reset_value = (u8)rd(t, len, FADT_RESET_VALUE, 1);
		p->reset_valid = x.addr && x.space <= ACPI_GAS_PCI_CONFIG;
	}
	/* IAPC_BOOT_ARCH: ACPI 2.0+ (FADT revision 3 and up; reserved before) */
	p->boot_arch_valid = rd(t, len, FADT_REVISION, 1) >= 3 &&
			     len >= FADT_IAPC_BOOT_ARCH + 2;
	if (p->boot_arch_valid)
		p->boot_arch = (u16)rd(t, len, FADT_IAPC_BOOT_ARCH, 2);
	dsdt = rd(t, len, FADT_DSDT, 4);
	xdsdt = len >= FADT_X_DSDT + 8 ? rd(t, len, FADT_X_DSDT, 8) : 0;
	return xdsdt ? xdsdt : dsdt;
}

/* One package element as an integer; false for anything else. */
static bool aml_integer(const u8 **pq, const u8 *end, u64 *v)
{
	const u8 *q = *pq;
	u32 n;

	if (q >= end)
		return false;
	switch (*q) {
	case 0x00: *v = 0; *pq = q + 1; return true;		/* ZeroOp */
	case 0x01: *v = 1; *pq = q + 1; return true;		/* OneOp */
	case 0xFF: *v = ~0ULL; *pq = q + 1; return true;	/* OnesOp */
	case 0x0A: n = 1; break;				/* BytePrefix */
	case 0x0B: n = 2; break;				/* WordPrefix */
	case 0x0C: n = 4; break;				/* DWordPrefix */
	case 0x0E: n = 8; break;				/* QWordPrefix */
	default: return false;
	}
	if (end - q < (long)n + 1)
		return false;
	*v = 0;
	for (u32 i = 0; i < n; i++)
		*v |= (u64)q[1 + i] << (8 * i);
	*pq = q + 1 + n;
	return true;
}

int acpi_find_s5(const u8 *aml, u32 len, u8 *typa, u8 *typb)
{
	const u8 *end = aml + len;
	int result = ACPI_S5_ABSENT;

	for (const u8 *p = aml; p + 4 <= end; p++) {
		const u8 *q = p + 4;
		u64 a, b = 0;
		u32 lead;

		if (memcmp(p, "_S5_", 4))
			continue;
		/* NameOp, optionally with the root prefix: Name(\_S5_, ...) */
		if (!((p > aml && p[-1] == 0x08) ||
		      (p > aml + 1 && p[-1] == 0x5C && p[-2] == 0x08))) {
			result = ACPI_S5_NOT_PACKAGE;	/* a Method, or a reference */
			continue;
		}
		if (q >= end || *q != 0x12) {		/* PackageOp */
			result = ACPI_S5_NOT_PACKAGE;
			continue;
		}
		q++;
		if (q >= end)
			return ACPI_S5_NOT_PACKAGE;
		lead = *q;
		q += 1 + (lead >> 6);			/* PkgLength: 1 to 4 bytes */
		if (q >= end)
			return ACPI_S5_NOT_PACKAGE;
		if (*q == 0)				/* NumElements */
			return ACPI_S5_NOT_PACKAGE;
		q++;
		if (!aml_integer(&q, end, &a))
			return ACPI_S5_NOT_PACKAGE;
		if (!aml_integer(&q, end, &b))
			b = 0;
		*typa = a & 7;
		*typb = b & 7;
		return ACPI_S5_FOUND;
	}
	return result;
}

const char *acpi_gas_space_name(u8 space)
{
	switch (space) {
	case ACPI_GAS_MEMORY: return "memory";
	case ACPI_GAS_IO: return "I/O port";
	case ACPI_GAS_PCI_CONFIG: return "PCI configuration space";
	}
	return "unsupported address space";
}
