/*
 * tests/guests/ioapic.c - the IO-APIC test kernel: the IO-APIC of the MADT
 * (ID register against the MADT, version and 24 pins, every pin masked at
 * reset, redirection entries read back with their read-only bits), an
 * edge line (the PIT on ISA IRQ0, through the MADT's override) delivered,
 * masked and unmasked, the same line sent to another CPU by physical and
 * by logical (flat) destination, and a level line: COM1's transmitter-empty
 * interrupt (ISA IRQ4) held asserted until serviced: nothing while masked,
 * delivery on unmask with remote IRR and the TMR bit set, re-delivery after
 * an EOI while still asserted, silence once the UART is serviced, remote
 * IRR clear. Ends with a summary, S5 on "poweroff", isa-debug-exit.
 *
 * Platform: COM1 0x3F8 (IER, MCR; IRQ4), PIT 0x40/0x43 on ISA IRQ0, 8259s
 * masked through 0x21/0xA1, isa-debug-exit 0xF4, ACPI tables, xAPIC MMIO,
 * the IO-APIC at the MADT's address, RAM at 0x8000 for the SMP trampoline.
 */
#include "lib/tlib.h"
#include "lib/cpu.h"
#include "lib/apic.h"
#include "lib/acpi.h"
#include "lib/ioapic.h"
#include "lib/smp.h"
#include "lib/time.h"

#define V_PIT 0x60
#define V_UART 0x61

static u32 base;
static volatile u32 pit_irqs[T_MAX_CPUS], pit_tmr;
static volatile u32 uart_irqs, uart_remote_irr, uart_tmr, uart_isr;
static int uart_pin = -1;

/* the PIT through the IO-APIC: counted per CPU, its TMR bit noted */
static void on_pit(struct t_frame *f)
{
	int i = t_cpu_index();

	(void)f;
	pit_irqs[i < 0 ? 0 : i]++;
	pit_tmr |= t_lapic_bit(LAPIC_TMR, V_PIT);
	t_lapic_eoi();
}

/* The first entry leaves the UART asserted (the EOI must bring it back);
 * the second services it (IER's THRE enable off: the line drops). */
static void on_uart(struct t_frame *f)
{
	(void)f;
	uart_irqs++;
	if (uart_irqs == 1) {
		uart_remote_irr = !!(t_ioapic_rte_lo(base, uart_pin) & RTE_REMOTE_IRR);
		uart_tmr = t_lapic_bit(LAPIC_TMR, V_UART);
		uart_isr = t_lapic_bit(LAPIC_ISR, V_UART);
	} else {
		outb(T_COM1 + 1, 0);
		inb(T_COM1 + 2);
	}
	t_lapic_eoi();
}

/* wait up to ms for *v >= want */
static int wait_count(volatile u32 *v, u32 want, u32 ms)
{
	for (u32 i = 0; i < ms * 10 && *v < want; i++)
		t_delay_us(100);
	return *v >= want;
}

/* ID, version, ID write, reset masking, a redirection entry read back. */
static void check_registers(void)
{
	u32 id = t_ioapic_read(base, IOAPIC_REG_ID), ver = t_ioapic_read(base, IOAPIC_REG_VER);
	int pins = t_ioapic_pins(base), unmasked = 0;
	u32 lo, hi, want_lo, nid;

	t_printf("ioapic: at 0x%x id 0x%08x version 0x%08x arb 0x%08x\n", base, id, ver,
		 t_ioapic_read(base, IOAPIC_REG_ARB));
	t_check(((id >> 24) & 0xF) == t_acpi.ioapics[0].id, "ioapic-id-madt", "ID %u, MADT %u",
		(id >> 24) & 0xF, t_acpi.ioapics[0].id);
	t_check(((ver & 0xFF) == 0x11 || (ver & 0xFF) == 0x20) && pins == 24, "ioapic-version",
		"version 0x%08x: %d pins", ver, pins);
	nid = ((id >> 24) + 1) & 0xF;
	t_ioapic_write(base, IOAPIC_REG_ID, nid << 24);
	t_check(((t_ioapic_read(base, IOAPIC_REG_ID) >> 24) & 0xF) == nid, "ioapic-id-write",
		"wrote ID %u, read 0x%08x", nid, t_ioapic_read(base, IOAPIC_REG_ID));
	t_ioapic_write(base, IOAPIC_REG_ID, id);
	for (int p = 0; p < pins; p++)
		unmasked += !(t_ioapic_rte_lo(base, p) & RTE_MASKED);
	t_check(!unmasked, "ioapic-reset-masked", "%d pins unmasked at start", unmasked);
	/* every writable field, and the read-only ones written as 1 */
	want_lo = 0x7A | RTE_LOWEST | RTE_LOGICAL | RTE_ACTIVE_LOW | RTE_LEVEL | RTE_MASKED;
	t_ioapic_write(base, IOAPIC_REG_RTE(10) + 1, 0x5Au << 24);
	t_ioapic_write(base, IOAPIC_REG_RTE(10), want_lo | RTE_PENDING | RTE_REMOTE_IRR);
	lo = t_ioapic_rte_lo(base, 10);
	hi = t_ioapic_rte_hi(base, 10);
	t_check(lo == want_lo && hi >> 24 == 0x5A, "ioapic-rte-readback",
		"pin 10 reads 0x%08x:%08x, wrote 0x%08x:%08x", hi, lo, 0x5Au << 24, want_lo);
	t_ioapic_route(base, 10, RTE_MASKED, 0);
}

/* PIT channel 0 in mode 2 at 1 kHz */
static void pit_start(void)
{
	outb(0x43, 0x34);			/* channel 0, mode 2, 1 kHz */
	outb(0x40, (u8)(T_PIT_HZ / 1000));
	outb(0x40, (u8)((T_PIT_HZ / 1000) >> 8));
}

/* PIT channel 0 stopped (mode 0, no count) */
static void pit_stop(void)
{
	outb(0x43, 0x30);
}

/* PIT interrupts on each CPU while routed with lo/dest for ms */
static void pit_run(int pin, u32 lo, u8 dest, u32 ms, u32 counts[T_MAX_CPUS])
{
	u32 before[T_MAX_CPUS];

	for (int i = 0; i < T_MAX_CPUS; i++)
		before[i] = pit_irqs[i];
	t_ioapic_route(base, pin, lo, dest);
	t_delay_us(ms * 1000);
	t_ioapic_mask(base, pin, 1);
	t_delay_us(2000);
	for (int i = 0; i < T_MAX_CPUS; i++)
		counts[i] = pit_irqs[i] - before[i];
}

/* The PIT line: to the BSP, masked, unmasked, to every AP, logical destination. */
static void check_edge(void)
{
	u16 flags;
	u32 gsi = t_acpi_isa_gsi(0, &flags), c[T_MAX_CPUS], before;
	int pin = t_ioapic_for_gsi(gsi, &base);

	t_printf("ioapic: ISA IRQ0 -> GSI %u, pin %d\n", gsi, pin);
	if (!t_check(pin >= 0, "ioapic-irq0-pin", "GSI %u on no IO-APIC", gsi))
		return;
	t_irq_set(V_PIT, on_pit);
	pit_start();
	pit_run(pin, RTE_FIXED | V_PIT, (u8)t_cpus[0].apic_id, 100, c);
	t_check(c[0] >= 30 && !pit_tmr, "ioapic-edge-bsp", "%u PIT interrupts in 100 ms (want >= 30), TMR %u",
		c[0], pit_tmr);
	/* masked: nothing; unmasked again: interrupts again */
	before = pit_irqs[0];
	t_delay_us(50000);
	t_check(pit_irqs[0] == before, "ioapic-edge-masked", "%u interrupts while masked",
		pit_irqs[0] - before);
	t_ioapic_mask(base, pin, 0);
	wait_count(&pit_irqs[0], before + 10, 500);
	t_ioapic_mask(base, pin, 1);
	t_check(pit_irqs[0] - before >= 10, "ioapic-edge-unmask", "%u interrupts after unmask",
		pit_irqs[0] - before);
	if (t_ncpus < 2)
		return;
	for (int t = 1; t < t_ncpus; t++) {
		u32 others = 0;

		pit_run(pin, RTE_FIXED | V_PIT, (u8)t_cpus[t].apic_id, 60, c);
		for (int i = 0; i < t_ncpus; i++)
			others += i != t ? c[i] : 0;
		t_check(c[t] >= 15 && !others, "ioapic-dest-physical", "CPU %d (APIC ID %u): %u, others %u",
			t, t_cpus[t].apic_id, c[t], others);
	}
	/* logical flat: LDR bit i on CPU i */
	{
		int t = t_ncpus - 1;
		u32 others = 0;

		pit_run(pin, RTE_FIXED | RTE_LOGICAL | V_PIT, (u8)(1u << t), 60, c);
		for (int i = 0; i < t_ncpus; i++)
			others += i != t ? c[i] : 0;
		t_check(c[t] >= 15 && !others, "ioapic-dest-logical", "CPU %d (LDR 0x%x): %u, others %u",
			t, 1u << t, c[t], others);
	}
	pit_stop();
}

/* on one CPU: flat model, LDR bit = its index */
static void set_ldr(void *arg)
{
	(void)arg;
	t_lapic_write(LAPIC_DFR, 0xFFFFFFFFu);
	t_lapic_write(LAPIC_LDR, (1u << t_cpu_index()) << 24);
}

/* COM1's THRE line as a level interrupt: masked, remote IRR, re-delivery. */
static void check_level(void)
{
	u16 flags;
	u32 gsi = t_acpi_isa_gsi(4, &flags), b;

	uart_pin = t_ioapic_for_gsi(gsi, &b);
	t_printf("ioapic: ISA IRQ4 (COM1) -> GSI %u, pin %d\n", gsi, uart_pin);
	if (!t_check(uart_pin >= 0 && b == base, "ioapic-irq4-pin", "GSI %u", gsi))
		return;
	t_irq_set(V_UART, on_uart);
	t_ioapic_route(base, uart_pin, RTE_FIXED | RTE_LEVEL | RTE_MASKED | V_UART, (u8)t_cpus[0].apic_id);
	/* the transmitter is empty: THRE enabled asserts IRQ4 (OUT2 gates it on a PC) */
	outb(T_COM1 + 4, inb(T_COM1 + 4) | 0x08);
	outb(T_COM1 + 1, 0x02);
	t_delay_us(20000);
	b = uart_irqs;
	t_ioapic_mask(base, uart_pin, 0);	/* still asserted: delivered now */
	wait_count(&uart_irqs, 2, 500);
	t_delay_us(20000);
	t_ioapic_mask(base, uart_pin, 1);
	outb(T_COM1 + 1, 0);			/* in case the handler never ran */
	t_check(b == 0, "ioapic-level-masked", "%u interrupts while masked", b);
	t_check(uart_irqs == 2, "ioapic-level-redeliver",
		"%u interrupts (want 2: one left asserted over its EOI, one serviced)", uart_irqs);
	t_check(uart_remote_irr && uart_tmr && uart_isr, "ioapic-level-remote-irr",
		"in the handler: remote IRR %u, TMR %u, ISR %u (want 1 1 1)", uart_remote_irr, uart_tmr,
		uart_isr);
	t_check(!(t_ioapic_rte_lo(base, uart_pin) & RTE_REMOTE_IRR), "ioapic-level-eoi",
		"remote IRR still set after the EOI: 0x%08x", t_ioapic_rte_lo(base, uart_pin));
}

/* the checks in order; ends through t_end */
int t_main(u32 magic, const struct mb_info *mi)
{
	t_printf("ioapic: magic 0x%08x\n", magic);
	t_cpu_setup();
	t_pic_mask_all();
	if (!t_check(!t_acpi_init() && t_acpi.nioapics >= 1 && t_pm_present(), "ioapic-acpi",
		     "ACPI: %d IO-APICs, PM timer %d", t_acpi.nioapics, t_pm_present()))
		t_end("ioapic", mi);
	base = t_acpi.ioapics[0].addr;
	t_lapic_init();
	t_smp_init();
	t_smp_start_all();
	for (int i = 0; i < t_ncpus; i++)
		t_smp_call(i, set_ldr, NULL, 1);
	t_printf("ioapic: %d CPUs online\n", t_ncpus);
	t_sti();
	check_registers();
	check_edge();
	check_level();
	t_check(!t_spurious, "ioapic-no-spurious", "%u spurious interrupts", t_spurious);
	t_end("ioapic", mi);
}
