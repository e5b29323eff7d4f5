/*
 * kernel/acpi_tables.c - the ACPI tables of a PC guest (acpi_tables.h):
 * the layout of the block, then each table written field by field
 * (little-endian, through bounds-checked writers) and its checksum.
 */
#include <string.h>
#include "kernel/acpi_tables.h"
#include "kernel/error.h"

#define FOUR_GIB (1ULL << 32)

#define OEM_ID "XVISOR"		/* 6 bytes */
#define OEM_TABLE_ID "XVX86VM "	/* 8 bytes */
#define OEM_REVISION 1
#define CREATOR_ID "XVSR"	/* 4 bytes */
#define CREATOR_REVISION 1

#define RSDT_REVISION 1
#define XSDT_REVISION 1
#define FADT_REVISION 6		/* ACPI 6.0 */
#define FADT_MINOR 0
#define MADT_REVISION 4		/* ACPI 6.0 */
#define DSDT_REVISION 2		/* 64-bit AML integers */
#define FACS_VERSION 2

#define MADT_LAPIC_BYTES 8
#define MADT_IOAPIC_BYTES 12
#define MADT_ISO_BYTES 10
#define MADT_NMI_BYTES 6
#define MADT_FIXED_BYTES (ACPI_HEADER_BYTES + 8)	/* + LAPIC address, flags */
#define MADT_PCAT_COMPAT (1u << 0)
#define LAPIC_ENABLED (1u << 0)

/*
 * The DSDT's AML, written by hand (ACPI 6.0 section 20):
 *   08              NameOp
 *   5F 53 35 5F     NameSeg "_S5_" (in the root scope: the DSDT's)
 *   12              PackageOp
 *   08              PkgLength: 8 bytes from here to the package's end
 *   04              NumElements
 *   0A tt           BytePrefix, SLP_TYP for PM1a_CNT
 *   0A tt           BytePrefix, SLP_TYP for PM1b_CNT
 *   00 00           ZeroOp, ZeroOp (reserved)
 * i.e. Name (_S5, Package () { tt, tt, 0, 0 }). Bytes 10 and 12 are tt.
 */
static const u8 dsdt_aml[] = {
	0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x08, 0x04,
	0x0A, 0x00, 0x0A, 0x00, 0x00, 0x00,
};
#define AML_S5_TYP_A 9
#define AML_S5_TYP_B 11

/* A bounded view of the caller's buffer; any write outside it sets 'bad'. */
struct wbuf {
	u8 *buf;
	u64 len;
	bool bad;
};

static void wr(struct wbuf *w, u64 off, const void *src, u64 n)
{
	if (off > w->len || n > w->len - off) {
		w->bad = true;
		return;
	}
	memcpy(w->buf + off, src, n);
}

static void wr8(struct wbuf *w, u64 off, u8 v)
{
	wr(w, off, &v, 1);
}

/* The little-endian writers: the host (x86-64, or a unit-test host) is. */
static void wr16(struct wbuf *w, u64 off, u16 v)
{
	u8 b[2] = { (u8)v, (u8)(v >> 8) };

	wr(w, off, b, 2);
}

static void wr32(struct wbuf *w, u64 off, u32 v)
{
	u8 b[4] = { (u8)v, (u8)(v >> 8), (u8)(v >> 16), (u8)(v >> 24) };

	wr(w, off, b, 4);
}

static void wr64(struct wbuf *w, u64 off, u64 v)
{
	wr32(w, off, (u32)v);
	wr32(w, off + 4, (u32)(v >> 32));
}

/* Set byte 'at' so that bytes [off, off+n) sum to 0 (mod 256). */
static void checksum(struct wbuf *w, u64 off, u64 n, u64 at)
{
	u8 sum = 0;

	if (off > w->len || n > w->len - off || at < off || at >= off + n) {
		w->bad = true;
		return;
	}
	w->buf[at] = 0;
	for (u64 i = 0; i < n; i++)
		sum += w->buf[off + i];
	w->buf[at] = (u8)-sum;
}

/* The 36-byte System Description Table header, without its checksum. */
static void header(struct wbuf *w, u64 off, const char sig[4], u32 len, u8 rev)
{
	wr(w, off, sig, 4);
	wr32(w, off + 4, len);
	wr8(w, off + 8, rev);
	wr8(w, off + 9, 0);
	wr(w, off + 10, OEM_ID, 6);
	wr(w, off + 16, OEM_TABLE_ID, 8);
	wr32(w, off + 24, OEM_REVISION);
	wr(w, off + 28, CREATOR_ID, 4);
	wr32(w, off + 32, CREATOR_REVISION);
}

/* A Generic Address Structure for an I/O port block. */
static void gas_io(struct wbuf *w, u64 off, u16 port, u8 bits, u8 access)
{
	wr8(w, off, ACPI_GAS_SPACE_IO);
	wr8(w, off + 1, bits);
	wr8(w, off + 2, 0);
	wr8(w, off + 3, access);
	wr64(w, off + 4, port);
}

static u32 madt_bytes(const struct acpi_tables_in *in)
{
	return MADT_FIXED_BYTES + in->nr_cpus * MADT_LAPIC_BYTES + MADT_IOAPIC_BYTES +
	       in->nr_isos * MADT_ISO_BYTES + MADT_NMI_BYTES;
}

/* Whether the description can be turned into tables. */
static bool valid(const struct acpi_tables_in *in)
{
	if (!in || !in->nr_cpus || in->nr_cpus > ACPI_GUEST_MAX_CPUS || in->nr_isos > ACPI_GUEST_MAX_ISOS)
		return false;
	if (in->sci_irq > 15 || in->s5_slp_typ > 7 || !in->pm1a_evt_port || !in->pm1a_cnt_port ||
	    !in->pm_tmr_port)
		return false;
	for (u32 i = 0; i < in->nr_cpus; i++) {
		if (in->apic_ids[i] == 0xFF || in->apic_ids[i] == in->ioapic_id)
			return false;	/* 0xFF is the broadcast id */
		for (u32 j = 0; j < i; j++)
			if (in->apic_ids[i] == in->apic_ids[j])
				return false;
	}
	for (u32 i = 0; i < in->nr_isos; i++) {
		const struct acpi_iso *o = &in->isos[i];

		if (o->irq > 15 || (o->flags & ~0xFu) || (o->flags & 3) == 2 || (o->flags & 0xC) == 8)
			return false;	/* 2 is reserved in both MPS fields */
		for (u32 j = 0; j < i; j++)
			if (in->isos[j].irq == o->irq)
				return false;
	}
	return true;
}

/* Place each table; false if 'in' is invalid. */
static bool layout(const struct acpi_tables_in *in, struct acpi_tables_out *o)
{
	u64 off = 0;

	if (!valid(in))
		return false;
	o->rsdp = 0;
	off = ALIGN_UP((u64)ACPI_RSDP_BYTES, 8);
	o->rsdt = (u32)off;
	off = ALIGN_UP(off + ACPI_HEADER_BYTES + 2 * 4, 8);
	o->xsdt = (u32)off;
	off = ALIGN_UP(off + ACPI_HEADER_BYTES + 2 * 8, 8);
	o->fadt = (u32)off;
	off = ALIGN_UP(off + ACPI_FADT_BYTES, 8);
	o->madt = (u32)off;
	off = ALIGN_UP(off + madt_bytes(in), 64);
	o->facs = (u32)off;
	off = ALIGN_UP(off + ACPI_FACS_BYTES, 8);
	o->dsdt = (u32)off;
	o->size = off + ACPI_HEADER_BYTES + sizeof(dsdt_aml);
	return true;
}

void acpi_tables_pc_defaults(struct acpi_tables_in *in, u32 nr_cpus)
{
	memset(in, 0, sizeof(*in));
	in->nr_cpus = nr_cpus;
	for (u32 i = 0; i < nr_cpus && i < ACPI_GUEST_MAX_CPUS; i++)
		in->apic_ids[i] = (u8)i;
	in->ioapic_id = (u8)nr_cpus;
	in->ioapic_addr = 0xFEC00000u;
	in->ioapic_gsi_base = 0;
	in->isos[0] = (struct acpi_iso){ 0, 2, ACPI_MPS_POLARITY_BUS | ACPI_MPS_TRIGGER_BUS };
	in->isos[1] = (struct acpi_iso){ 9, 9, ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_LEVEL };
	in->nr_isos = 2;
	in->pm1a_evt_port = 0x600;
	in->pm1a_cnt_port = 0x604;
	in->pm_tmr_port = 0x608;
	in->sci_irq = 9;
	in->reset_port = 0xCF9;
	in->reset_value = 0x06;
	in->s5_slp_typ = 5;
	in->iapc_boot_arch = ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_8042;
}

u64 acpi_tables_size(const struct acpi_tables_in *in)
{
	struct acpi_tables_out o;

	return layout(in, &o) ? o.size : 0;
}

/* RSDP: revision 2, both checksums. */
static void build_rsdp(struct wbuf *w, const struct acpi_tables_out *o, u64 gpa)
{
	wr(w, o->rsdp, "RSD PTR ", 8);
	wr(w, o->rsdp + 9, OEM_ID, 6);
	wr8(w, o->rsdp + 15, 2);
	wr32(w, o->rsdp + 16, (u32)(gpa + o->rsdt));
	wr32(w, o->rsdp + 20, ACPI_RSDP_BYTES);
	wr64(w, o->rsdp + 24, gpa + o->xsdt);
	checksum(w, o->rsdp, 20, o->rsdp + 8);
	checksum(w, o->rsdp, ACPI_RSDP_BYTES, o->rsdp + 32);
}

/* RSDT and XSDT: the FADT, then the MADT. */
static void build_sdts(struct wbuf *w, const struct acpi_tables_out *o, u64 gpa)
{
	u32 rlen = ACPI_HEADER_BYTES + 2 * 4, xlen = ACPI_HEADER_BYTES + 2 * 8;

	header(w, o->rsdt, "RSDT", rlen, RSDT_REVISION);
	wr32(w, o->rsdt + 36, (u32)(gpa + o->fadt));
	wr32(w, o->rsdt + 40, (u32)(gpa + o->madt));
	checksum(w, o->rsdt, rlen, o->rsdt + 9);
	header(w, o->xsdt, "XSDT", xlen, XSDT_REVISION);
	wr64(w, o->xsdt + 36, gpa + o->fadt);
	wr64(w, o->xsdt + 44, gpa + o->madt);
	checksum(w, o->xsdt, xlen, o->xsdt + 9);
}

/*
 * FADT, ACPI 6.0 layout. Without a reset port (0) the reset register is
 * all zeros and RESET_REG_SUP clear. SMI_CMD is 0: no SMM handover, the platform is
 * always in ACPI mode (the PM1a control block's SCI_EN reads 1). No C2/C3
 * (latencies above the limits), no GPE blocks, no century byte.
 */
static void build_fadt(struct wbuf *w, const struct acpi_tables_in *in,
		       const struct acpi_tables_out *o, u64 gpa)
{
	u64 f = o->fadt;
	u32 flags = ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON |
		    ACPI_FADT_SLP_BUTTON;

	if (in->pm_tmr_32bit)
		flags |= ACPI_FADT_TMR_VAL_EXT;
	header(w, f, "FACP", ACPI_FADT_BYTES, FADT_REVISION);
	wr32(w, f + ACPI_FADT_FIRMWARE_CTRL, (u32)(gpa + o->facs));
	wr32(w, f + ACPI_FADT_DSDT, (u32)(gpa + o->dsdt));
	wr16(w, f + ACPI_FADT_SCI_INT, in->sci_irq);
	wr32(w, f + ACPI_FADT_SMI_CMD, 0);
	wr32(w, f + ACPI_FADT_PM1A_EVT_BLK, in->pm1a_evt_port);
	wr32(w, f + ACPI_FADT_PM1A_CNT_BLK, in->pm1a_cnt_port);
	wr32(w, f + ACPI_FADT_PM_TMR_BLK, in->pm_tmr_port);
	wr8(w, f + ACPI_FADT_PM1_EVT_LEN, 4);
	wr8(w, f + ACPI_FADT_PM1_CNT_LEN, 2);
	wr8(w, f + ACPI_FADT_PM_TMR_LEN, 4);
	wr16(w, f + ACPI_FADT_P_LVL2_LAT, 101);		/* > 100: no C2 */
	wr16(w, f + ACPI_FADT_P_LVL3_LAT, 1001);	/* > 1000: no C3 */
	wr16(w, f + ACPI_FADT_IAPC_BOOT_ARCH, in->iapc_boot_arch);
	if (in->reset_port) {	/* else RESET_REG and RESET_VALUE stay 0 */
		flags |= ACPI_FADT_RESET_REG_SUP;
		gas_io(w, f + ACPI_FADT_RESET_REG, in->reset_port, 8, ACPI_GAS_ACCESS_BYTE);
		wr8(w, f + ACPI_FADT_RESET_VALUE, in->reset_value);
	}
	wr32(w, f + ACPI_FADT_FLAGS, flags);
	wr8(w, f + ACPI_FADT_MINOR_VERSION, FADT_MINOR);
	/* X_FIRMWARE_CTRL stays 0: the FACS is below 4 GiB, and with both set
	 * an OS takes the FACS twice (Linux lists it twice) */
	wr64(w, f + ACPI_FADT_X_DSDT, gpa + o->dsdt);
	gas_io(w, f + ACPI_FADT_X_PM1A_EVT_BLK, in->pm1a_evt_port, 32, ACPI_GAS_ACCESS_WORD);
	gas_io(w, f + ACPI_FADT_X_PM1A_CNT_BLK, in->pm1a_cnt_port, 16, ACPI_GAS_ACCESS_WORD);
	gas_io(w, f + ACPI_FADT_X_PM_TMR_BLK, in->pm_tmr_port, 32, ACPI_GAS_ACCESS_DWORD);
	checksum(w, f, ACPI_FADT_BYTES, f + 9);
}

/* MADT: one enabled local APIC per VCPU, the IO-APIC, overrides, LINT1 NMI. */
static void build_madt(struct wbuf *w, const struct acpi_tables_in *in,
		       const struct acpi_tables_out *o)
{
	u32 len = madt_bytes(in);
	u64 e = o->madt + MADT_FIXED_BYTES;

	header(w, o->madt, "APIC", len, MADT_REVISION);
	wr32(w, o->madt + 36, ACPI_LAPIC_ADDR);
	wr32(w, o->madt + 40, MADT_PCAT_COMPAT);
	for (u32 i = 0; i < in->nr_cpus; i++, e += MADT_LAPIC_BYTES) {
		wr8(w, e, ACPI_MADT_LAPIC);
		wr8(w, e + 1, MADT_LAPIC_BYTES);
		wr8(w, e + 2, (u8)i);			/* ACPI processor UID */
		wr8(w, e + 3, in->apic_ids[i]);
		wr32(w, e + 4, LAPIC_ENABLED);
	}
	wr8(w, e, ACPI_MADT_IOAPIC);
	wr8(w, e + 1, MADT_IOAPIC_BYTES);
	wr8(w, e + 2, in->ioapic_id);
	wr8(w, e + 3, 0);
	wr32(w, e + 4, in->ioapic_addr);
	wr32(w, e + 8, in->ioapic_gsi_base);
	e += MADT_IOAPIC_BYTES;
	for (u32 i = 0; i < in->nr_isos; i++, e += MADT_ISO_BYTES) {
		wr8(w, e, ACPI_MADT_ISO);
		wr8(w, e + 1, MADT_ISO_BYTES);
		wr8(w, e + 2, 0);			/* bus: ISA */
		wr8(w, e + 3, in->isos[i].irq);
		wr32(w, e + 4, in->isos[i].gsi);
		wr16(w, e + 8, in->isos[i].flags);
	}
	wr8(w, e, ACPI_MADT_LAPIC_NMI);
	wr8(w, e + 1, MADT_NMI_BYTES);
	wr8(w, e + 2, 0xFF);				/* every processor */
	wr16(w, e + 3, ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_EDGE);
	wr8(w, e + 5, 1);				/* LINT1 */
	checksum(w, o->madt, len, o->madt + 9);
}

/* FACS: no checksum field; no global lock, no firmware waking vector. */
static void build_facs(struct wbuf *w, const struct acpi_tables_out *o)
{
	wr(w, o->facs, "FACS", 4);
	wr32(w, o->facs + 4, ACPI_FACS_BYTES);
	wr8(w, o->facs + 32, FACS_VERSION);
}

static void build_dsdt(struct wbuf *w, const struct acpi_tables_in *in,
		       const struct acpi_tables_out *o)
{
	u32 len = ACPI_HEADER_BYTES + sizeof(dsdt_aml);

	header(w, o->dsdt, "DSDT", len, DSDT_REVISION);
	wr(w, o->dsdt + ACPI_HEADER_BYTES, dsdt_aml, sizeof(dsdt_aml));
	wr8(w, o->dsdt + ACPI_HEADER_BYTES + AML_S5_TYP_A, in->s5_slp_typ);
	wr8(w, o->dsdt + ACPI_HEADER_BYTES + AML_S5_TYP_B, in->s5_slp_typ);
	checksum(w, o->dsdt, len, o->dsdt + 9);
}

int acpi_tables_build(const struct acpi_tables_in *in, u64 gpa, u8 *buf, u64 len,
		      struct acpi_tables_out *out)
{
	struct acpi_tables_out o;
	struct wbuf w = { buf, len, false };

	if (!buf || !out || !layout(in, &o) || !IS_ALIGNED(gpa, 16) || gpa >= FOUR_GIB ||
	    o.size > FOUR_GIB - gpa)
		return -VMM_EINVALID;
	if (o.size > len)
		return -VMM_ENOSPC;
	memset(buf, 0, o.size);
	build_rsdp(&w, &o, gpa);
	build_sdts(&w, &o, gpa);
	build_fadt(&w, in, &o, gpa);
	build_madt(&w, in, &o);
	build_facs(&w, &o);
	build_dsdt(&w, in, &o);
	if (w.bad)
		return -VMM_EFAIL;	/* a layout bug: a write fell outside the block */
	*out = o;
	return VMM_OK;
}
