/*
 * tests/guests/lib/acpi.c - ACPI tables walker, S5 and reset for the C
 * test guests (acpi.h).
 */
#include "acpi.h"
#include "cpu.h"
#include "time.h"

struct t_acpi t_acpi;

struct rsdp {
	char sig[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt;
	u32 length;
	u64 xsdt;
	u8 ext_checksum, reserved[3];
} __attribute__((packed));

u8 t_acpi_sum(const void *p, u32 n)
{
	const u8 *b = p;
	u8 s = 0;

	while (n--)
		s += *b++;
	return s;
}

/* An RSDP at a (16-byte aligned) with correct checksums, else NULL. */
static const struct rsdp *rsdp_at(u32 a)
{
	const struct rsdp *r = (const struct rsdp *)(uintptr_t)a;

	if (t_memcmp(r->sig, "RSD PTR ", 8) || t_acpi_sum(r, 20))
		return NULL;
	if (r->revision >= 2 && (r->length < 36 || r->length > 4096 || t_acpi_sum(r, r->length)))
		return NULL;
	return r;
}

static const struct rsdp *scan(u32 from, u32 to)
{
	for (u32 a = from; a + 20 <= to; a += 16) {
		const struct rsdp *r = rsdp_at(a);

		if (r)
			return r;
	}
	return NULL;
}

/* A table header at a whose length is sane and checksum correct; counts and
 * reports a bad checksum. Returns 1 when usable. */
static int table_ok(u32 a, const char *what)
{
	const struct acpi_sdt *t = (const struct acpi_sdt *)(uintptr_t)a;

	if (!a || t->length < sizeof(*t) || t->length > (1u << 20)) {
		t_printf("acpi: %s at 0x%x: bad length %u\n", what, a, a ? t->length : 0);
		t_acpi.bad_checksums++;
		return 0;
	}
	if (t_acpi_sum(t, t->length)) {
		t_printf("acpi: %s at 0x%x: checksum wrong\n", what, a);
		t_acpi.bad_checksums++;
		return 0;
	}
	return 1;
}

#define MAX_SSDTS 8
static u32 ssdts[MAX_SSDTS];
static int nssdt;

/* Walk the RSDT (entry 4 bytes) or XSDT (8 bytes); calls table_ok on each. */
static u32 walk(u32 root, int esize, const char *want)
{
	const struct acpi_sdt *t = (const struct acpi_sdt *)(uintptr_t)root;
	const u8 *e = (const u8 *)(t + 1);
	u32 n = (t->length - sizeof(*t)) / esize, found = 0;

	for (u32 i = 0; i < n; i++) {
		u64 a = esize == 8 ? *(const u64 *)(e + 8 * i) : *(const u32 *)(e + 4 * i);
		const struct acpi_sdt *s = (const struct acpi_sdt *)(uintptr_t)(u32)a;

		if (a >> 32 || !a)
			continue;
		if (!want) {
			char sig[5] = { s->sig[0], s->sig[1], s->sig[2], s->sig[3], 0 };

			if (table_ok((u32)a, sig)) {
				t_printf("acpi: %s: %s at 0x%x length %u rev %u\n",
					 esize == 8 ? "XSDT" : "RSDT", sig, (u32)a, s->length,
					 s->revision);
				if (!t_memcmp(sig, "SSDT", 4) && nssdt < MAX_SSDTS)
					ssdts[nssdt++] = (u32)a;
			}
		} else if (!t_memcmp(s->sig, want, 4) && !found) {
			found = (u32)a;
		}
	}
	return want ? found : n;
}

u32 t_acpi_find(const char *sig)
{
	if (t_acpi.xsdt)
		return walk(t_acpi.xsdt, 8, sig);
	if (t_acpi.rsdt)
		return walk(t_acpi.rsdt, 4, sig);
	return 0;
}

static void parse_madt(u32 a)
{
	const u8 *p = (const u8 *)(uintptr_t)a;
	u32 len = ((const struct acpi_sdt *)p)->length;

	t_acpi.lapic_addr = *(const u32 *)(p + 36);
	t_acpi.madt_flags = *(const u32 *)(p + 40);
	for (u32 off = 44; off + 2 <= len;) {
		u8 type = p[off], l = p[off + 1];
		const u8 *e = p + off;

		if (l < 2 || off + l > len) {
			t_printf("acpi: MADT entry at offset %u has length %u\n", off, l);
			t_acpi.bad_checksums++;
			break;
		}
		if (type == 0 && l >= 8 && t_acpi.ncpus < T_MAX_CPUS) {
			struct t_madt_cpu *c = &t_acpi.cpus[t_acpi.ncpus++];

			c->uid = e[2];
			c->apic_id = e[3];
			c->enabled = *(const u32 *)(e + 4) & 1;
		} else if (type == 9 && l >= 16 && t_acpi.ncpus < T_MAX_CPUS) {
			struct t_madt_cpu *c = &t_acpi.cpus[t_acpi.ncpus++];

			c->apic_id = *(const u32 *)(e + 4);
			c->enabled = *(const u32 *)(e + 8) & 1;
			c->uid = *(const u32 *)(e + 12);
		} else if (type == 1 && l >= 12 && t_acpi.nioapics < T_MAX_IOAPICS) {
			struct t_madt_ioapic *io = &t_acpi.ioapics[t_acpi.nioapics++];

			io->id = e[2];
			io->addr = *(const u32 *)(e + 4);
			io->gsi_base = *(const u32 *)(e + 8);
		} else if (type == 2 && l >= 10 && t_acpi.nisos < T_MAX_ISOS) {
			struct t_madt_iso *s = &t_acpi.isos[t_acpi.nisos++];

			s->bus = e[2];
			s->source = e[3];
			s->gsi = *(const u32 *)(e + 4);
			s->flags = *(const u16 *)(e + 8);
		} else if (type == 4 && l >= 6) {
			t_acpi.nlapic_nmis++;
			t_acpi.lapic_nmi_uid = e[2];
			t_acpi.lapic_nmi_lint = e[5];
		}
		off += l;
	}
}

/* The value of one AML integer at p (ZeroOp, OneOp, OnesOp, Byte/Word/
 * DWordPrefix); *used gets its size. Returns -1 for anything else. */
static int aml_int(const u8 *p, int *used)
{
	switch (p[0]) {
	case 0x00: *used = 1; return 0;
	case 0x01: *used = 1; return 1;
	case 0x0A: *used = 2; return p[1];
	case 0x0B: *used = 3; return p[1] | p[2] << 8;
	case 0x0C: *used = 5; return p[1] | p[2] << 8;	/* SLP_TYP is 3 bits */
	default: return -1;
	}
}

/* \_S5 in the DSDT or an SSDT: NameOp "_S5_" PackageOp PkgLength
 * NumElements int int ... */
static void parse_s5(u32 dsdt)
{
	const u8 *p = (const u8 *)(uintptr_t)dsdt;
	u32 len = ((const struct acpi_sdt *)p)->length;

	for (u32 i = sizeof(struct acpi_sdt) + 1; i + 12 <= len; i++) {
		const u8 *q;
		int a, b, u;

		if (t_memcmp(p + i, "_S5_", 4) || (p[i - 1] != 0x08 && !(p[i - 1] == '\\' && p[i - 2] == 0x08)))
			continue;
		q = p + i + 4;
		if (*q++ != 0x12)
			continue;
		q += 1 + (*q >> 6);	/* PkgLength: lead byte + bits 7:6 more bytes */
		if (*q++ < 1)
			continue;
		a = aml_int(q, &u);
		if (a < 0)
			continue;
		b = aml_int(q + u, &u);
		t_acpi.s5_found = 1;
		t_acpi.s5_typ_a = (u8)a;
		t_acpi.s5_typ_b = (u8)(b < 0 ? 0 : b);
		return;
	}
}

static void parse_fadt(u32 a)
{
	const u8 *p = (const u8 *)(uintptr_t)a;
	u32 len = ((const struct acpi_sdt *)p)->length;
	u32 dsdt = *(const u32 *)(p + 40);

	t_acpi.sci_int = *(const u16 *)(p + 46);
	t_acpi.smi_cmd = *(const u32 *)(p + 48);
	t_acpi.acpi_enable = p[52];
	t_acpi.pm1a_evt = *(const u32 *)(p + 56);
	t_acpi.pm1a_cnt = *(const u32 *)(p + 64);
	t_acpi.pm_tmr = *(const u32 *)(p + 76);
	if (len >= 116)
		t_acpi.fadt_flags = *(const u32 *)(p + 112);
	if (len >= 129) {
		t_acpi.reset_space = p[116];
		t_acpi.reset_width = p[117];
		t_acpi.reset_addr = *(const u64 *)(p + 120);
		t_acpi.reset_value = p[128];
	}
	if (len >= 148 && *(const u64 *)(p + 140) && !(*(const u64 *)(p + 140) >> 32))
		dsdt = (u32)*(const u64 *)(p + 140);
	if (dsdt && table_ok(dsdt, "DSDT")) {
		t_acpi.dsdt = dsdt;
		t_printf("acpi: DSDT at 0x%x length %u\n", dsdt,
			 ((const struct acpi_sdt *)(uintptr_t)dsdt)->length);
		parse_s5(dsdt);
	}
	if (t_acpi.pm_tmr)
		t_pm_init((u16)t_acpi.pm_tmr, !!(t_acpi.fadt_flags & (1u << 8)));
}

int t_acpi_init(void)
{
	const struct rsdp *r = NULL;
	u32 ebda;

	/* the BDA word at 0x40E: the EBDA's segment (read in asm: GCC takes
	 * addresses below 4 KiB for null pointers) */
	__asm__ volatile("movzwl 0x40E, %0" : "=r"(ebda));
	ebda <<= 4;

	if (ebda >= 0x80000 && ebda < 0xA0000)
		r = scan(ebda, ebda + 1024);
	if (!r)
		r = scan(0xE0000, 0x100000);
	if (!r) {
		t_printf("acpi: no RSDP in the EBDA or 0xE0000-0xFFFFF\n");
		return -1;
	}
	t_acpi.rsdp = (u32)(uintptr_t)r;
	t_acpi.rsdp_revision = r->revision;
	t_printf("acpi: RSDP at 0x%x rev %u RSDT 0x%x XSDT 0x%x\n", t_acpi.rsdp, r->revision, r->rsdt,
		 r->revision >= 2 ? (u32)r->xsdt : 0);
	if (r->rsdt && table_ok(r->rsdt, "RSDT")) {
		t_acpi.rsdt = r->rsdt;
		t_acpi.ntables = walk(t_acpi.rsdt, 4, NULL);
	}
	if (r->revision >= 2 && r->xsdt && !(r->xsdt >> 32) && table_ok((u32)r->xsdt, "XSDT")) {
		t_acpi.xsdt = (u32)r->xsdt;
		nssdt = 0;			/* the XSDT lists them again */
		t_acpi.ntables = walk(t_acpi.xsdt, 8, NULL);
	}
	t_acpi.madt = t_acpi_find("APIC");
	t_acpi.fadt = t_acpi_find("FACP");
	if (t_acpi.madt && table_ok(t_acpi.madt, "MADT"))
		parse_madt(t_acpi.madt);
	else
		t_acpi.madt = 0;
	if (t_acpi.fadt && table_ok(t_acpi.fadt, "FADT"))
		parse_fadt(t_acpi.fadt);
	else
		t_acpi.fadt = 0;
	for (int i = 0; i < nssdt && !t_acpi.s5_found; i++)
		parse_s5(ssdts[i]);
	if (t_acpi.s5_found)
		t_printf("acpi: \\_S5 SLP_TYP a %u b %u\n", t_acpi.s5_typ_a, t_acpi.s5_typ_b);
	return 0;
}

u32 t_acpi_isa_gsi(u8 irq, u16 *flags)
{
	for (int i = 0; i < t_acpi.nisos; i++)
		if (t_acpi.isos[i].bus == 0 && t_acpi.isos[i].source == irq) {
			if (flags)
				*flags = t_acpi.isos[i].flags;
			return t_acpi.isos[i].gsi;
		}
	if (flags)
		*flags = 0;
	return irq;
}

void t_acpi_enable(void)
{
	if (!t_acpi.pm1a_cnt || (inw((u16)t_acpi.pm1a_cnt) & 1))
		return;				/* SCI_EN already set */
	if (t_acpi.smi_cmd && t_acpi.acpi_enable) {
		outb((u16)t_acpi.smi_cmd, t_acpi.acpi_enable);
		for (int i = 0; i < 300 && !(inw((u16)t_acpi.pm1a_cnt) & 1); i++)
			t_delay_us(1000);
	}
}

void t_acpi_poweroff(void)
{
	u16 v;

	if (!t_acpi.pm1a_cnt || !t_acpi.s5_found) {
		t_printf("acpi: no PM1a_CNT (0x%x) or no \\_S5 (%d): cannot power off\n", t_acpi.pm1a_cnt,
			 t_acpi.s5_found);
		return;
	}
	t_acpi_enable();
	v = inw((u16)t_acpi.pm1a_cnt);
	v = (u16)((v & ~(7u << 10)) | ((t_acpi.s5_typ_a & 7u) << 10) | (1u << 13));
	t_printf("acpi: S5 power-off: PM1a_CNT 0x%x <- 0x%x (SLP_TYP %u)\n", t_acpi.pm1a_cnt, v,
		 t_acpi.s5_typ_a);
	outw((u16)t_acpi.pm1a_cnt, v);
	t_delay_us(200000);
}

void t_acpi_reset(void)
{
	if (!(t_acpi.fadt_flags & (1u << 10)) || !t_acpi.reset_addr) {
		t_printf("acpi: no reset register (FADT flags 0x%x)\n", t_acpi.fadt_flags);
		return;
	}
	t_printf("acpi: reset: space %u address 0x%llx <- 0x%x\n", t_acpi.reset_space,
		 t_acpi.reset_addr, t_acpi.reset_value);
	if (t_acpi.reset_space == 1)
		outb((u16)t_acpi.reset_addr, t_acpi.reset_value);
	else if (t_acpi.reset_space == 0 && !(t_acpi.reset_addr >> 32))
		*(volatile u8 *)(uintptr_t)(u32)t_acpi.reset_addr = t_acpi.reset_value;
	t_delay_us(200000);
}

void t_end(const char *name, const struct mb_info *info)
{
	t_printf("SUMMARY %s: %d failures\n", name, t_failures);
	if (t_cmdline_has(info, "poweroff")) {
		t_acpi_poweroff();
		t_fail("acpi-s5-poweroff", "still running 200 ms after the S5 request");
	}
	if (t_cmdline_has(info, "reset")) {
		t_acpi_reset();
		t_fail("acpi-reset", "still running 200 ms after the reset register write");
	}
	t_exit((u32)t_failures);
}
