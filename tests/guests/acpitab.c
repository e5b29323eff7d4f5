/*
 * tests/guests/acpitab.c - the ACPI tables the hypervisor builds for a
 * guest (kernel/acpi_guest.c), read the way an OS reads them (tests/
 * system/test_acpi_guest.py, dts tests/system/dts/acpi-tables.dts, a
 * pc-guest.dtsi guest with GUEST_APIC): the RSDP by the legacy scan of
 * 0xE0000-0xFFFFF on 16-byte boundaries, every checksum, the RSDT and the
 * XSDT (both naming the same FADT and MADT), the FADT's FACS and DSDT, the
 * MADT's local APICs (as many as "cpus=N" on the command line says, ids
 * 0..N-1), its IO-APIC (id N at 0xFEC00000, GSI base 0), the overrides
 * (IRQ0 -> GSI 2, IRQ9 -> GSI 9 level) and LINT1 NMI, the Multiboot memory
 * map reserving the tables' ROM, the PM timer of the FADT counting; then
 * the S5 power-off: SLP_TYP from the DSDT's \_S5 package and SLP_EN
 * written to the FADT's PM1a_CNT. A line "FAIL acpi-s5" if it returns.
 */
#include "lib/tlib.h"

#define SCAN_LOW 0xE0000u
#define SCAN_END 0x100000u

static inline u16 at_inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 at_inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void at_outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }

static u16 rd16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static u32 rd32(const u8 *p) { return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24; }
static u64 rd64(const u8 *p) { return rd32(p) | (u64)rd32(p + 4) << 32; }

static u8 sum(const u8 *p, u32 n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* A pointer to guest-physical address a (paging is off, segments flat). */
static const u8 *phys(u64 a)
{
	return (const u8 *)(uintptr_t)a;
}

/* The table at a: signature sig, a sane length, checksum 0; NULL if not. */
static const u8 *table(u64 a, const char *sig)
{
	const u8 *t = phys(a);
	u32 len;

	if (!a || a >= 0xFFFFFFFFu) {
		t_fail(sig, "table address 0x%llx", a);
		return NULL;
	}
	len = rd32(t + 4);
	if (t_memcmp(t, sig, 4) || len < 36 || len > 0x10000) {
		t_fail(sig, "at 0x%x: signature '%c%c%c%c', length %u", (u32)a, t[0], t[1], t[2], t[3], len);
		return NULL;
	}
	if (sum(t, len)) {
		t_fail(sig, "at 0x%x: checksum off by 0x%x", (u32)a, sum(t, len));
		return NULL;
	}
	return t;
}

static u32 want_cpus(const struct mb_info *mi)
{
	const char *s = (mi->flags & MB_INFO_CMDLINE) ? (const char *)(uintptr_t)mi->cmdline : "";
	u32 n = 0;

	for (; *s; s++)
		if (!t_memcmp(s, "cpus=", 5)) {
			for (s += 5; *s >= '0' && *s <= '9'; s++)
				n = n * 10 + (u32)(*s - '0');
			return n;
		}
	return 1;
}

static const u8 *find_rsdp(void)
{
	for (u32 a = SCAN_LOW; a + 36 <= SCAN_END; a += 16) {
		const u8 *p = phys(a);

		if (!t_memcmp(p, "RSD PTR ", 8) && !sum(p, 20))
			return p;
	}
	return NULL;
}

/* The MADT against 'n' VCPUs. */
static void check_madt(const u8 *m, u32 n)
{
	u32 len = rd32(m + 4), lapics = 0, bad_lapic = 0, ioapics = 0, nmi = 0;
	int irq0 = 0, irq9 = 0;

	t_check(rd32(m + 36) == 0xFEE00000u && (rd32(m + 40) & 1), "acpi-madt-header",
		"local APIC address 0x%x, flags 0x%x", rd32(m + 36), rd32(m + 40));
	for (u32 e = 44; e + 2 <= len; e += m[e + 1]) {
		const u8 *p = m + e;

		if (p[1] < 2 || e + p[1] > len) {
			t_fail("acpi-madt-entries", "entry at +%u: length %u", e, p[1]);
			return;
		}
		switch (p[0]) {
		case 0:		/* Processor Local APIC */
			t_printf("MADT: CPU uid %u APIC id %u flags 0x%x\n", p[2], p[3], rd32(p + 4));
			if (p[2] != lapics || p[3] != lapics || !(rd32(p + 4) & 1))
				bad_lapic++;
			lapics++;
			break;
		case 1:		/* IO-APIC */
			t_printf("MADT: IO-APIC id %u at 0x%x GSI base %u\n", p[2], rd32(p + 4), rd32(p + 8));
			t_check(p[2] == n && rd32(p + 4) == 0xFEC00000u && rd32(p + 8) == 0, "acpi-madt-ioapic",
				"IO-APIC id %u at 0x%x GSI base %u", p[2], rd32(p + 4), rd32(p + 8));
			ioapics++;
			break;
		case 2:		/* Interrupt Source Override */
			t_printf("MADT: ISA IRQ %u -> GSI %u flags 0x%x\n", p[3], rd32(p + 4), rd16(p + 8));
			if (p[2] == 0 && p[3] == 0 && rd32(p + 4) == 2 && (rd16(p + 8) & 0xF) != 0xF)
				irq0 = (rd16(p + 8) & 3) != 3 && ((rd16(p + 8) >> 2) & 3) != 3;
			if (p[2] == 0 && p[3] == 9 && rd32(p + 4) == 9 && rd16(p + 8) == 0xD)
				irq9 = 1;
			break;
		case 4:		/* Local APIC NMI */
			if (p[2] == 0xFF && p[5] == 1)
				nmi = 1;
			break;
		}
	}
	t_check(lapics == n && !bad_lapic, "acpi-madt-lapics", "%u local APICs (want %u, uid = id = 0..%u, enabled), %u wrong",
		lapics, n, n - 1, bad_lapic);
	t_check(ioapics == 1, "acpi-madt-ioapic-count", "%u IO-APICs", ioapics);
	t_check(irq0 && irq9, "acpi-madt-overrides", "IRQ0 -> GSI 2 edge high %d, IRQ9 -> GSI 9 level high %d",
		irq0, irq9);
	t_check(nmi, "acpi-madt-nmi", "no LINT1 NMI entry for all processors");
}

/* SLP_TYP of \_S5 in the DSDT's AML: Name(_S5_, Package(){a, ...}); -1 if absent. */
static int s5_slp_typ(const u8 *d)
{
	u32 len = rd32(d + 4);

	for (u32 i = 36; i + 8 <= len; i++) {
		const u8 *p = d + i;
		u32 pkglen_bytes;

		if (t_memcmp(p, "_S5_", 4) || p[4] != 0x12)	/* PackageOp */
			continue;
		pkglen_bytes = 1 + (p[5] >> 6);
		p += 5 + pkglen_bytes + 1;			/* PkgLength, NumElements */
		if (p[0] == 0x0A)
			return p[1];				/* BytePrefix */
		if (p[0] == 0x00 || p[0] == 0x01)
			return p[0];				/* ZeroOp, OneOp */
		return -1;
	}
	return -1;
}

/* The Multiboot memory map must keep the tables' ROM away from the OS. */
static void check_mmap(const struct mb_info *mi)
{
	int reserved = 0;

	for (const struct mb_mmap_entry *e = mb_mmap_next(mi, NULL); e; e = mb_mmap_next(mi, e))
		if (e->base_addr <= SCAN_LOW && e->base_addr + e->length >= SCAN_LOW + 0x10000 &&
		    e->type != 1)
			reserved = 1;
	t_check((mi->flags & MB_INFO_MMAP) && reserved, "acpi-mmap-reserved",
		"0xE0000-0xEFFFF is not reserved in the memory map");
}

/* The PM timer must count (24 bits, wraps): wait for it to move, twice. */
static void check_pm_timer(u16 port)
{
	u32 a = at_inl(port) & 0xFFFFFF, b = a, c, spins = 0;

	while (b == a && spins++ < 10000000)
		b = at_inl(port) & 0xFFFFFF;
	c = b;
	while (c == b && spins++ < 20000000)
		c = at_inl(port) & 0xFFFFFF;
	t_check(b != a && c != b && ((b - a) & 0xFFFFFF) < 0x800000 && ((c - b) & 0xFFFFFF) < 0x800000,
		"acpi-pm-timer", "port 0x%x read 0x%x 0x%x 0x%x after %u reads", port, a, b, c, spins);
}

int t_main(u32 magic, const struct mb_info *mi)
{
	const u8 *rsdp, *rsdt, *xsdt, *fadt = NULL, *madt = NULL, *dsdt, *facs, *xfadt = NULL, *xmadt = NULL;
	u32 n = want_cpus(mi), nr, nx;
	u16 pm1a_cnt, pm_tmr;
	int typ;

	t_check(magic == MB_BOOT_MAGIC, "acpi-multiboot", "EAX 0x%08x", magic);
	check_mmap(mi);
	rsdp = find_rsdp();
	if (!t_check(rsdp != NULL, "acpi-rsdp-found", "no RSDP in 0xE0000-0xFFFFF"))
		return t_failures;
	t_printf("RSDP at %p, revision %u, RSDT 0x%x, XSDT 0x%llx\n", rsdp, rsdp[15], rd32(rsdp + 16),
		 rd64(rsdp + 24));
	t_check(rsdp[15] >= 2 && rd32(rsdp + 20) == 36 && !sum(rsdp, 36), "acpi-rsdp",
		"revision %u, length %u, extended checksum 0x%x", rsdp[15], rd32(rsdp + 20), sum(rsdp, 36));
	rsdt = table(rd32(rsdp + 16), "RSDT");
	xsdt = table(rd64(rsdp + 24), "XSDT");
	if (!rsdt || !xsdt)
		return t_failures;
	nr = (rd32(rsdt + 4) - 36) / 4;
	nx = (rd32(xsdt + 4) - 36) / 8;
	for (u32 i = 0; i < nr; i++) {
		const u8 *t = phys(rd32(rsdt + 36 + 4 * i));

		if (!t_memcmp(t, "FACP", 4))
			fadt = table((uintptr_t)t, "FACP");
		else if (!t_memcmp(t, "APIC", 4))
			madt = table((uintptr_t)t, "APIC");
	}
	for (u32 i = 0; i < nx; i++) {
		u64 a = rd64(xsdt + 36 + 8 * i);

		if (a < 0x100000000ULL && !t_memcmp(phys(a), "FACP", 4))
			xfadt = phys(a);
		else if (a < 0x100000000ULL && !t_memcmp(phys(a), "APIC", 4))
			xmadt = phys(a);
	}
	t_check(nr == 2 && nx == 2 && fadt && madt, "acpi-rsdt", "%u RSDT entries, FADT %p, MADT %p", nr, fadt, madt);
	t_check(fadt && fadt == xfadt && madt == xmadt, "acpi-xsdt", "%u XSDT entries, FADT %p, MADT %p", nx,
		xfadt, xmadt);
	if (!fadt || !madt)
		return t_failures;
	check_madt(madt, n);
	/* X_FIRMWARE_CTRL: 0 (the FACS is below 4 GiB; ACPI 6: when it is set,
	 * FIRMWARE_CTRL is ignored) or the same address */
	t_check(rd32(fadt + 40) == rd64(fadt + 140) && rd32(fadt + 36) &&
		(!rd64(fadt + 132) || rd32(fadt + 36) == rd64(fadt + 132)), "acpi-fadt-pointers",
		"DSDT 0x%x / X_DSDT 0x%llx, FACS 0x%x / X_FACS 0x%llx", rd32(fadt + 40), rd64(fadt + 140),
		rd32(fadt + 36), rd64(fadt + 132));
	facs = phys(rd32(fadt + 36));
	t_check(!t_memcmp(facs, "FACS", 4) && rd32(facs + 4) >= 64 && !((uintptr_t)facs & 63), "acpi-facs",
		"FACS at %p", facs);
	dsdt = table(rd32(fadt + 40), "DSDT");
	if (!dsdt)
		return t_failures;
	typ = s5_slp_typ(dsdt);
	t_check(typ >= 0 && typ <= 7, "acpi-dsdt-s5", "\\_S5 SLP_TYP %d", typ);
	pm1a_cnt = (u16)rd32(fadt + 64);
	pm_tmr = (u16)rd32(fadt + 76);
	t_printf("FADT: PM1a_EVT 0x%x PM1a_CNT 0x%x PM_TMR 0x%x SCI %u, reset port 0x%llx value 0x%x\n",
		 rd32(fadt + 56), pm1a_cnt, pm_tmr, rd16(fadt + 46), rd64(fadt + 120), fadt[128]);
	t_check(pm1a_cnt && pm_tmr && fadt[91] == 4 && rd16(fadt + 46) == 9, "acpi-fadt-pm",
		"PM1a_CNT 0x%x, PM_TMR 0x%x (length %u), SCI %u", pm1a_cnt, pm_tmr, fadt[91], rd16(fadt + 46));
	t_check((rd32(fadt + 112) & (1u << 10)) && fadt[116] == 1 && rd64(fadt + 120) == 0xCF9 && fadt[128] == 6,
		"acpi-fadt-reset", "flags 0x%x, reset register space %u port 0x%llx value 0x%x", rd32(fadt + 112),
		fadt[116], rd64(fadt + 120), fadt[128]);
	t_check(at_inw(pm1a_cnt) & 1, "acpi-sci-en", "PM1a_CNT 0x%x: SCI_EN clear", at_inw(pm1a_cnt));
	check_pm_timer(pm_tmr);
	t_printf("%d failures; S5 through PM1a_CNT 0x%x, SLP_TYP %d\n", t_failures, pm1a_cnt, typ);
	if (typ >= 0)
		at_outw(pm1a_cnt, (u16)((typ << 10) | (1u << 13)));
	t_fail("acpi-s5", "still running after SLP_EN with SLP_TYP %d", typ);
	return t_failures;
}
