/*
 * tests/fuzz/fuzz_devemu.c - libFuzzer harness for the device models'
 * register interface: each input is a program of guest port accesses
 * (vmm_devemu_io_read/io_write, widths 1, 2 and 4, as the VMX I/O exit
 * handler makes them), interrupt lines (vmm_devemu_set_irq/pulse_irq),
 * interrupt acknowledges (vmm_vcpu_irq_acknowledge on the guest's VCPU, as
 * the VCPU's injection does) and guest resets, run on a fresh guest with the PC's
 * i8259A pair, ELCR and 16550A UART (tests/unit/devemu_fixture.h).
 *
 * After every step the harness checks, besides ASan/UBSan:
 *  - reads fit their width; PIC registers and the UART's are 8-bit, the
 *    ELCR 16-bit at most with no bit for the edge-only IRQ0-2, 8, 13; the
 *    UART's IIR/IER/MCR/LSR have only legal bits;
 *  - INTR is the ExtINT pending bit of the guest's VCPU (the PIC routes its
 *    output there; no other request bit is ever set), is not changed by
 *    reading IRR/ISR/IMR, and equals "the master has an unmasked request of
 *    higher priority than the levels in service" (rotation, special mask
 *    and special fully nested mode applied);
 *  - an acknowledge gives a vector within the programmed bases: exactly the
 *    master's base + level, the slave's base + level through IR2, or
 *    base + 7 for a default (spurious) IR7/IR15, and sets the IS bit unless
 *    in automatic EOI; a poll read is 0 or 0x80 | level;
 *  - IRR follows the lines: a level-triggered input's bit is its level, an
 *    edge-triggered one latches on low-to-high only (IRQ4 as the UART
 *    drives it);
 *  - every UART read is the value a register-by-register reference of the
 *    16550A predicts (below, within the model's documented scope);
 *  - every byte reaching the console is printable (a guest cannot drive the
 *    host terminal through its UART).
 * IRR, ISR and IMR are read through OCW3 as a guest would; what cannot be
 * read (vector bases, rotation, modes, poll, status-read selection) is
 * followed from the commands written, per the 8259A datasheet. When a step
 * makes the rotation unknowable (e.g. a rotating EOI while a poll is
 * pending), the priority checks pause until a command sets it again.
 *
 * Input format, one operation after another (see tests/fuzz/fuzz.mk for the
 * seeds): op byte b, then
 *   b&7 = 0  write 8-bit: port index, value
 *         1  write 16/32-bit (b bit 3): port index, 2 or 4 value bytes (LE)
 *         2  read 8-bit: port index
 *         3  read 16/32-bit (b bit 3): port index
 *         4  set line: line byte (0-15; any value if b bit 7), level b bit 3
 *         5  pulse line: line byte & 15
 *         6  acknowledge: when INTR is up, or always if b bit 3 (a spurious one)
 *         7  b>>3: 0x1F guest reset, 0-7 write any port (2 bytes LE, value),
 *            8-15 read any port (2 bytes LE), 16-23 time passes ((byte + 1)
 *            << (10 + 2 * (b>>3 - 16)) ns, then timer events run), 24-27 the
 *            host sends 1-4 bytes to the UART (vmm_vserial_send), else nothing
 * Port indexes: 0x20 0x21 0xA0 0xA1 0x4D0 0x4D1 0x3F8-0x3FF 0x22 (modulo 15).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/devemu_fixture.h"
#include "kernel/printk.h"
#include "kernel/arch_console.h"
#include "kernel/arch_cpu.h"
#include "kernel/host_mem.h"
#include "kernel/boot_info.h"
#include "kernel/timer.h"
#include "kernel/vserial.h"

/* ---- the host contracts the code above needs ---- */

/* Everything printed is checked: guest text must have been made harmless. */
void arch_console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t')) {
			fprintf(stderr, "fuzz_devemu: byte 0x%02x reached the console\n", c);
			abort();
		}
	}
}

#include "tests/fuzz/fuzz_host.h"

/* ---- the program ---- */

static const u16 ports[] = {
	0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1,
	0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FE, 0x3FF,
	0x22,	/* nothing there */
};
#define NR_PORTS (sizeof(ports) / sizeof(ports[0]))
#define CASCADE 2	/* the slave's `interrupts` in the fixture */

static struct fx fx;
static struct vmm_vserial *uart_vs;	/* the UART's endpoint ("fuzz/uart0") */
static const uint8_t *in_data;
static size_t in_size, in_pos;
static size_t step;

static int next_byte(void)
{
	return in_pos < in_size ? in_data[in_pos++] : -1;
}

static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_devemu: step %zu (input offset %zu): ", step, in_pos);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

/* ---- what the guest has told each 8259A (datasheet semantics) ---- */

struct shadow {
	u8 base;		/* ICW2 & 0xF8 */
	int init;		/* 0 ready, 1 ICW2, 2 ICW3, 3 ICW4 next */
	bool single, need_icw4, ltim;
	bool aeoi, rotate_aeoi, sfnm, smm;
	u8 top;			/* the highest-priority level */
	bool top_known;
	bool poll;		/* the next read is a poll */
	bool read_isr;		/* status read selection */
};

/* IRR/ISR/IMR as read through the ports after a step */
struct snap {
	bool ok;		/* not readable while a poll is pending */
	u8 irr, isr, imr;
};

static struct shadow sh[2];
static struct snap cur[2];
static u16 cur_elcr;		/* 0x4D0 | 0x4D1 << 8 after the last step */

/*
 * The input lines as the harness drove them (line 2 is left out: the
 * slave's INT drives it; line 4 is the UART's unless the input drives it
 * too, then it is left out as well). lvl: the last level, -1
 * unknown. synced: in level mode IRR must follow lvl; cleared where the
 * model is known not to re-evaluate a high level line (ICW1, ELCR writes,
 * reset: see the i8259 known deviations in tests/unit/test_i8259.c).
 */
static int lvl[16];
static bool synced[16];
static bool uart_line_shared;	/* the input drove line 4 itself */

/* Lines whose level the harness knows (line 4: from the UART reference). */
static bool own_line(u32 l)
{
	return l < 16 && l != 2 && (l != 4 || !uart_line_shared);
}

static bool level_mode(u32 l)
{
	return ((cur_elcr >> l) & 1) || sh[l / 8].ltim;
}

static void shadow_reset(struct shadow *s)
{
	memset(s, 0, sizeof(*s));
	s->top_known = true;
}

static u16 cmd_port(int i)
{
	return i ? 0xA0 : 0x20;
}

static int chip_of_port(u16 port)
{
	if (port == 0x20 || port == 0x21)
		return 0;
	if (port == 0xA0 || port == 0xA1)
		return 1;
	return -1;
}

/* The level of 'bits' first in the order starting at 'top', or -1. */
static int highest(u8 bits, u8 top)
{
	for (int p = 0; p < 8; p++) {
		int l = (p + top) & 7;

		if (bits & (1u << l))
			return l;
	}
	return -1;
}

static int rank(int level, u8 top)
{
	return (level - top) & 7;
}

/* The level chip i presents (INT), or -1: the highest unmasked request if
 * it ranks above everything in service (masked IS bits do not count in
 * special mask mode; with SFNM a request from the slave passes IS2). */
static int expected_output(int i, const struct snap *r)
{
	const struct shadow *s = &sh[i];
	u8 req = r->irr & ~r->imr, ins = r->isr;
	int hp = highest(req, s->top), cur_l;

	if (hp < 0)
		return -1;
	if (s->smm)
		ins &= ~r->imr;
	if (i == 0 && s->sfnm && hp == CASCADE)
		ins &= ~(1u << CASCADE);
	cur_l = highest(ins, s->top);
	return cur_l < 0 || rank(hp, s->top) < rank(cur_l, s->top) ? hp : -1;
}

/*
 * ---- the 16550A, followed register by register ----
 * The UART is small enough to follow completely, so every read of it is
 * predicted. This follows devemu/uart8250.c's documented scope: a 16-byte
 * receive FIFO with trigger levels 1/4/8/14 (one byte in 16450 mode),
 * overrun, the character timeout 4 character times after the last FIFO
 * activity (below the trigger level), no parity/framing/break, transmit at
 * once, modem inputs of a cable (CTS, DSR, DCD) outside loopback, deltas
 * whenever an input changes, OUT2 gating the line (closed in loopback).
 * Host bytes wait in the endpoint's input queue (VMM_VSERIAL_INQ) and enter
 * the receiver as it has room: at the send, and after a guest's RBR read or
 * FCR/MCR write; in loopback a byte from the queue is dropped. So host
 * input never overruns; only loopback does. Update it with the model.
 */
struct uart_ref {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr, delta;
	u8 rx[16], head, count, last_rx;
	bool overrun, timeout, thre;
	bool tmo_armed;		/* the character-timeout timer */
	u64 tmo_expiry;
	int line;		/* the level the UART drives on IRQ4 */
};

static struct uart_ref ur;
/* the endpoint's input queue (kernel/vserial.h): not part of the UART,
 * so a guest reset keeps it */
static struct {
	u8 q[VMM_VSERIAL_INQ];
	u32 head, tail;
} urq;
static const u8 uart_trigger[4] = { 1, 4, 8, 14 };

static bool uart_ref_fifo(void)
{
	return ur.fcr & 1;
}

static bool uart_ref_rx_ready(void)
{
	return ur.count >= (uart_ref_fifo() ? uart_trigger[ur.fcr >> 6] : 1);
}

static void uart_ref_arm(void)
{
	u32 divisor = ((u32)ur.dlm << 8) | ur.dll;
	u64 char_ns = 10ULL * 1000000000ULL * (divisor ? divisor : 1) / 115200;

	ur.timeout = false;
	ur.tmo_armed = uart_ref_fifo() && ur.count && !uart_ref_rx_ready();
	ur.tmo_expiry = fx_now_ns + 4 * char_ns;
}

static void uart_ref_rx_clear(void)
{
	ur.count = 0;
	ur.timeout = false;
	ur.tmo_armed = false;
}

static void uart_ref_push(u8 c)
{
	if (ur.count >= (uart_ref_fifo() ? 16 : 1)) {
		ur.overrun = true;
		if (!uart_ref_fifo())		/* 16450: overwrites RBR */
			ur.rx[ur.head] = c;
		return;
	}
	ur.rx[(ur.head + ur.count) % 16] = c;
	ur.count++;
	uart_ref_arm();
}

static u8 uart_ref_pop(void)
{
	if (!ur.count)
		return ur.last_rx;
	ur.last_rx = ur.rx[ur.head];
	ur.head = (ur.head + 1) % 16;
	ur.count--;
	uart_ref_arm();
	return ur.last_rx;
}

static void uart_ref_reset(void)
{
	u8 head = ur.head;	/* where the FIFO is is not visible */
	int line = ur.line;

	memset(&ur, 0, sizeof(ur));
	ur.dll = 12;
	ur.head = head;
	ur.line = line;
}

static u8 uart_ref_iir(void)
{
	if ((ur.ier & 0x04) && ur.overrun)
		return 0x06;
	if ((ur.ier & 0x01) && uart_ref_rx_ready())
		return 0x04;
	if ((ur.ier & 0x01) && ur.timeout && ur.count)
		return 0x0C;
	if ((ur.ier & 0x02) && ur.thre)
		return 0x02;
	if ((ur.ier & 0x08) && ur.delta)
		return 0x00;
	return 0x01;
}

/* MSR bits 4-7: the cable's CTS, DSR, DCD; in loopback RTS, DTR, OUT1, OUT2. */
static u8 uart_ref_inputs(u8 mcr)
{
	if (!(mcr & 0x10))
		return 0xB0;
	return ((mcr & 0x02) << 3) | ((mcr & 0x01) << 5) | ((mcr & 0x04) << 4) |
	       ((mcr & 0x08) << 4);
}

static void uart_ref_write(u32 off, u8 v)
{
	bool dlab = ur.lcr & 0x80;
	u8 before, after;

	switch (off) {
	case 0:
		if (dlab) {
			ur.dll = v;
			break;
		}
		if (ur.mcr & 0x10)
			uart_ref_push(v);
		ur.thre = true;
		break;
	case 1:
		if (dlab) {
			ur.dlm = v;
			break;
		}
		if ((v & 0x02) && !(ur.ier & 0x02))
			ur.thre = true;
		ur.ier = v & 0x0F;
		break;
	case 2:
		if (((ur.fcr ^ v) & 1) || (v & 0x02))	/* FIFO on/off or RCVR reset */
			uart_ref_rx_clear();
		ur.fcr = (v & 1) ? (v & 0xC1) : 0;
		uart_ref_arm();
		break;
	case 3:
		ur.lcr = v;
		break;
	case 4:
		before = uart_ref_inputs(ur.mcr);
		after = uart_ref_inputs(v);
		ur.delta |= (((before ^ after) & 0x10) ? 0x01 : 0) |
			    (((before ^ after) & 0x20) ? 0x02 : 0) |
			    (((before & 0x40) && !(after & 0x40)) ? 0x04 : 0) |	/* TERI */
			    (((before ^ after) & 0x80) ? 0x08 : 0);
		ur.mcr = v & 0x1F;
		break;
	case 7:
		ur.scr = v;
		break;
	default:
		break;
	}
}

/* The value a read must give, with its side effects. */
static u8 uart_ref_read(u32 off)
{
	bool dlab = ur.lcr & 0x80;
	u8 v;

	switch (off) {
	case 0:
		return dlab ? ur.dll : uart_ref_pop();
	case 1:
		return dlab ? ur.dlm : ur.ier;
	case 2:
		v = uart_ref_iir() | (uart_ref_fifo() ? 0xC0 : 0);
		if ((v & 0x0F) == 0x02)
			ur.thre = false;
		return v;
	case 3:
		return ur.lcr;
	case 4:
		return ur.mcr;
	case 5:
		v = 0x60 | (ur.count ? 0x01 : 0) | (ur.overrun ? 0x02 : 0);
		ur.overrun = false;
		return v;
	case 6:
		v = uart_ref_inputs(ur.mcr) | ur.delta;
		ur.delta = 0;
		return v;
	default:
		return ur.scr;
	}
}

/* Time passes: the character timeout fires once it is due. */
static void uart_ref_time(void)
{
	if (ur.tmo_armed && ur.tmo_expiry <= fx_now_ns) {
		ur.tmo_armed = false;
		ur.timeout = true;
	}
}

/* A byte from the host side; loopback disconnects the receiver input. */
/* Queued host bytes into the receiver while it has room. */
static void uart_ref_pull(void)
{
	while (urq.head != urq.tail) {
		if (!(ur.mcr & 0x10)) {
			if (ur.count >= (uart_ref_fifo() ? 16 : 1))
				return;
			uart_ref_push(urq.q[urq.tail % VMM_VSERIAL_INQ]);
		}
		urq.tail++;	/* taken (in loopback: gone, the input is cut off) */
	}
}

/* A host byte: false when the queue is full (the send takes fewer). */
static bool uart_ref_host(u8 c)
{
	if (urq.head - urq.tail >= VMM_VSERIAL_INQ)
		return false;
	urq.q[urq.head++ % VMM_VSERIAL_INQ] = c;
	uart_ref_pull();
	return true;
}

/* IRQ4 as the UART drives it: a source pending, OUT2 on, not in loopback. */
static int uart_ref_line(void)
{
	return uart_ref_iir() != 0x01 && (ur.mcr & 0x18) == 0x08;
}

/* ---- port access ---- */

static u32 io_read(u16 port, u32 width)
{
	u32 v = 0xA5A5A5A5u;
	int rc = vmm_devemu_io_read(fx.guest, port, width, &v);

	CHECK(rc == VMM_OK, "read of port 0x%x failed (%d)", port, rc);
	CHECK(width == 4 || v < (1u << (width * 8)), "read of port 0x%x width %u gave 0x%x",
	      port, width, v);
	return v;
}

static void io_write(u16 port, u32 width, u32 v)
{
	int rc = vmm_devemu_io_write(fx.guest, port, width, v);

	CHECK(rc == VMM_OK, "write of port 0x%x failed (%d)", port, rc);
}

/* Read IRR, ISR, IMR of chip i as a guest would, then restore its status-
 * read selection. Not while a poll is pending: that read is an INTA. */
static void take_snap(int i, struct snap *s)
{
	u16 cmd = cmd_port(i);
	u32 v;

	s->ok = false;
	if (sh[i].poll)
		return;
	io_write(cmd, 1, 0x0A);
	v = io_read(cmd, 1);
	CHECK(v <= 0xFF, "IRR 0x%x", v);
	s->irr = (u8)v;
	io_write(cmd, 1, 0x0B);
	v = io_read(cmd, 1);
	CHECK(v <= 0xFF, "ISR 0x%x", v);
	s->isr = (u8)v;
	v = io_read(cmd + 1, 1);
	CHECK(v <= 0xFF, "IMR 0x%x", v);
	s->imr = (u8)v;
	io_write(cmd, 1, sh[i].read_isr ? 0x0B : 0x0A);
	s->ok = true;
}

/* The 8259A's command port: ICW1, OCW2, OCW3. */
static void pic_command(int i, u8 v)
{
	struct shadow *s = &sh[i];
	const struct snap *r = &cur[i];

	if (v & 0x10) {				/* ICW1 */
		shadow_reset(s);
		s->init = 1;
		s->need_icw4 = v & 0x01;
		s->single = v & 0x02;
		s->ltim = v & 0x08;
		for (int l = 8 * i; l < 8 * i + 8; l++)
			synced[l] = synced[l] && lvl[l] == 0;
		return;
	}
	if (v & 0x08) {				/* OCW3 */
		if (v & 0x04)
			s->poll = true;
		if (v & 0x02)
			s->read_isr = v & 0x01;
		if (v & 0x40)
			s->smm = (v >> 5) & 1;
		return;
	}
	switch (v >> 5) {			/* OCW2 */
	case 0:
	case 4:
		s->rotate_aeoi = v >> 7;
		break;
	case 5:					/* rotate on non-specific EOI */
		if (!r->ok || !s->top_known) {
			s->top_known = false;
		} else {
			int l = highest(s->smm ? r->isr & ~r->imr : r->isr, s->top);

			if (l >= 0)
				s->top = (l + 1) & 7;
		}
		break;
	case 6:					/* set priority */
	case 7:					/* rotate on specific EOI */
		s->top = ((v & 7) + 1) & 7;
		s->top_known = true;
		break;
	default:
		break;
	}
}

static void pic_data(int i, u8 v)
{
	struct shadow *s = &sh[i];

	switch (s->init) {
	case 1:
		s->base = v & 0xF8;
		s->init = s->single ? (s->need_icw4 ? 3 : 0) : 2;
		break;
	case 2:
		s->init = s->need_icw4 ? 3 : 0;
		break;
	case 3:
		s->sfnm = (v >> 4) & 1;
		s->aeoi = (v >> 1) & 1;
		s->init = 0;
		break;
	default:
		break;
	}
}

/* An INTA (or poll) accepted level l of chip i. */
static void accepted(int i, int l)
{
	if (sh[i].aeoi && sh[i].rotate_aeoi)
		sh[i].top = (l + 1) & 7;
}

/* IS bits the next snapshot must show: -1 for none. */
static int expect_is[2];

static void do_write(u16 port, u32 width, u32 v)
{
	int i = chip_of_port(port);

	io_write(port, width, v);
	if (port == 0x4D0 || port == 0x4D1)	/* the trigger modes may change */
		memset(synced, 0, sizeof(synced));
	if (port >= 0x3F8 && port <= 0x3FF) {	/* the model takes the low byte */
		uart_ref_write(port - 0x3F8, (u8)v);
		if (port == 0x3FA || port == 0x3FC)	/* FCR, MCR: room again? */
			uart_ref_pull();
	}
	if (i >= 0) {
		if (port & 1)
			pic_data(i, (u8)v);
		else
			pic_command(i, (u8)v);
	}
}

/* Datasheet bit rules for a UART register read (independent of the
 * reference below them). */
static void check_uart_read(u16 off, u32 v)
{
	CHECK(v <= 0xFF, "UART register %u read 0x%x", off, v);
	switch (off) {
	case 1:
		if (!(ur.lcr & 0x80))	/* IER, not DLM */
			CHECK(v <= 0x0F, "IER 0x%x", v);
		break;
	case 2:
		CHECK((v & 0x30) == 0 && ((v & 0xC0) == 0 || (v & 0xC0) == 0xC0),
		      "IIR 0x%x", v);
		CHECK((v & 0x0F) == 0x01 || (v & 0x0F) == 0x06 || (v & 0x0F) == 0x04 ||
		      (v & 0x0F) == 0x0C || (v & 0x0F) == 0x02 || (v & 0x0F) == 0x00,
		      "IIR 0x%x: no such source", v);
		CHECK((v & 0x0F) != 0x0C || (v & 0xC0), "IIR 0x%x: timeout without FIFOs", v);
		break;
	case 4:
		CHECK(v <= 0x1F, "MCR 0x%x", v);
		break;
	case 5:
		CHECK((v & 0x60) == 0x60, "LSR 0x%x without THRE/TEMT", v);
		break;
	default:
		break;
	}
}

static void do_read(u16 port, u32 width)
{
	int i = chip_of_port(port);
	u32 v = io_read(port, width);

	if (i >= 0) {
		CHECK(v <= 0xFF, "PIC port 0x%x read 0x%x", port, v);
		if (sh[i].poll) {
			sh[i].poll = false;
			CHECK(v == 0 || (v & 0xF8) == 0x80,
			      "poll read 0x%x", v);
			if (v & 0x80) {
				accepted(i, v & 7);
				if (!sh[i].aeoi)
					expect_is[i] = v & 7;
			}
		}
	} else if (port == 0x4D0 || port == 0x4D1) {
		/* IRQ0-2, 8 and 13 are edge only */
		u32 legal = width > 1 ? 0xDEF8 : port == 0x4D0 ? 0xF8 : 0xDE;

		CHECK(!(v & ~legal), "ELCR port 0x%x width %u read 0x%x", port, width, v);
	} else if (port >= 0x3F8 && port <= 0x3FF) {
		u8 want = uart_ref_read(port - 0x3F8);

		check_uart_read(port - 0x3F8, v);
		if (port == 0x3F8)
			uart_ref_pull();	/* after the read, as the model pulls */
		CHECK(v == want, "UART register %u read 0x%x, expected 0x%x (IER 0x%x LCR 0x%x "
		      "MCR 0x%x FCR 0x%x, %u received%s%s%s)", port - 0x3F8, v, want, ur.ier,
		      ur.lcr, ur.mcr, ur.fcr, ur.count, ur.overrun ? ", overrun" : "",
		      ur.timeout ? ", timeout" : "", ur.thre ? ", THRE pending" : "");
	} else if (width == 1) {
		CHECK(v == 0xFF, "unassigned port 0x%x read 0x%x", port, v);
	}
}

/* The PIC's INTR as the VCPU sees it: its ExtINT request bit. */
static bool vcpu_intr(void)
{
	return vmm_vcpu_irq_pending(&fx.vcpu->irq) & VMM_VCPU_IRQ_REQ_EXTINT;
}

/*
 * The VCPU takes the interrupt. With INTR down the VCPU has nothing to take
 * (checked), and the INTA cycle is made on the PIC directly: what happens
 * when the request goes away between the VCPU's look at its pending bit
 * and its acknowledge (another CPU drops the line): a spurious vector.
 */
static void do_acknowledge(void)
{
	bool was_up = vcpu_intr();
	int v = vmm_vcpu_irq_acknowledge(fx.vcpu);
	u8 mb = sh[0].base, sb = sh[1].base;
	int l, ls;

	if (!was_up) {
		CHECK(v == -VMM_ENOENT, "acknowledge without a request returned %d", v);
		CHECK(fx.vcpu->irq.line[VMM_VCPU_IRQ_EXTINT].ack, "the PIC drives no ExtINT line");
		v = fx.vcpu->irq.line[VMM_VCPU_IRQ_EXTINT].ack(fx.vcpu->irq.line[VMM_VCPU_IRQ_EXTINT].priv);
	}
	CHECK(v >= 0 && v <= 0xFF, "acknowledge returned %d", v);
	CHECK((v >= mb && v <= mb + 7) || (v >= sb && v <= sb + 7),
	      "vector 0x%x outside the bases 0x%x and 0x%x", v, mb, sb);
	if (!cur[0].ok || !sh[0].top_known) {
		/* what was accepted cannot be predicted: the rotation may move */
		if (sh[0].aeoi && sh[0].rotate_aeoi)
			sh[0].top_known = false;
		if (sh[1].aeoi && sh[1].rotate_aeoi)
			sh[1].top_known = false;
		return;
	}
	l = expected_output(0, &cur[0]);
	if (l < 0) {
		CHECK(v == mb + 7, "nothing to deliver but vector 0x%x (not the master's IR7 0x%x)",
		      v, mb + 7);
		return;
	}
	accepted(0, l);
	if (!sh[0].aeoi)
		expect_is[0] = l;
	if (l != CASCADE) {
		CHECK(v == mb + l, "master level %d expected (vector 0x%x), got 0x%x", l, mb + l, v);
		return;
	}
	if (!cur[1].ok || !sh[1].top_known) {
		CHECK(v >= sb && v <= sb + 7, "through IR2 but vector 0x%x is not the slave's", v);
		if (sh[1].aeoi && sh[1].rotate_aeoi)
			sh[1].top_known = false;
		return;
	}
	ls = expected_output(1, &cur[1]);
	CHECK(v == sb + (ls >= 0 ? ls : 7), "slave level %d expected, got vector 0x%x", ls, v);
	if (ls >= 0) {
		accepted(1, ls);
		if (!sh[1].aeoi)
			expect_is[1] = ls;
	}
}

/*
 * Drive line l (a pulse: high, then low at once) and check the IRR bit:
 * level mode follows the line; edge mode latches a low-to-high transition
 * (a pulse included: vmm_devemu_pulse_irq's contract) and nothing else.
 */
static void drive_line(u32 l, int level, bool pulse)
{
	int i = l < 16 ? (int)(l / 8) : -1, before;
	u8 bit = 1u << (l & 7);
	struct snap after;

	if (pulse)
		vmm_devemu_pulse_irq(fx.guest, l);
	else
		vmm_devemu_set_irq(fx.guest, l, level);
	if (l == 4)
		uart_line_shared = true;
	if (!own_line(l))
		return;
	before = lvl[l];
	lvl[l] = pulse ? 0 : level;
	synced[l] = level_mode(l);
	if (synced[l] || !cur[i].ok)
		return;		/* level lines: checked after every step */
	take_snap(i, &after);
	if (level && before == 0)
		CHECK(after.irr & bit, "line %u: rising edge not latched (IRR 0x%x)", l, after.irr);
	else if (!(level && before == 0) && before >= 0 && !pulse)
		CHECK((after.irr & bit) == (cur[i].irr & bit), "line %u: IRR bit changed without "
		      "a rising edge (0x%x -> 0x%x)", l, cur[i].irr, after.irr);
}

/* Run one operation; false at the end of the input. */
static bool run_op(void)
{
	int b = next_byte(), x, y, z;
	u32 width, v;

	if (b < 0)
		return false;
	switch (b & 7) {
	case 0:
		if ((x = next_byte()) < 0 || (y = next_byte()) < 0)
			return false;
		do_write(ports[x % NR_PORTS], 1, (u32)y);
		break;
	case 1:
		width = (b & 8) ? 4 : 2;
		if ((x = next_byte()) < 0)
			return false;
		v = 0;
		for (u32 k = 0; k < width; k++) {
			if ((y = next_byte()) < 0)
				return false;
			v |= (u32)y << (8 * k);
		}
		do_write(ports[x % NR_PORTS], width, v);
		break;
	case 2:
	case 3:
		if ((x = next_byte()) < 0)
			return false;
		do_read(ports[x % NR_PORTS], (b & 7) == 2 ? 1 : ((b & 8) ? 4 : 2));
		break;
	case 4:
		if ((x = next_byte()) < 0)
			return false;
		drive_line((b & 0x80) ? (u32)x : (u32)(x & 15), (b >> 3) & 1, false);
		break;
	case 5:
		if ((x = next_byte()) < 0)
			return false;
		drive_line((u32)(x & 15), 1, true);
		break;
	case 6:
		if ((b & 8) || vcpu_intr())
			do_acknowledge();
		break;
	case 7:
		x = b >> 3;
		if (x == 0x1F) {
			CHECK(vmm_devemu_guest_reset(fx.guest) == VMM_OK, "guest reset failed");
			shadow_reset(&sh[0]);
			shadow_reset(&sh[1]);
			uart_ref_reset();
			for (u32 l = 0; l < 16; l++) {
				lvl[l] = -1;	/* the model forgets the levels */
				synced[l] = false;
			}
		} else if (x >= 16 && x < 24) {	/* time passes: 1 us .. 4 s */
			if ((y = next_byte()) < 0)
				return false;
			fx_now_ns += (u64)(y + 1) << (10 + 2 * (x - 16));
			vmm_timer_process();
			uart_ref_time();
		} else if (x >= 24 && x < 28) {	/* the host sends 1-4 bytes */
			u8 buf[4];
			int n = x - 23;

			for (int k = 0; k < n; k++) {
				if ((y = next_byte()) < 0)
					return false;
				buf[k] = (u8)y;
			}
			size_t want = 0, got;

			for (int k = 0; k < n; k++)
				want += uart_ref_host(buf[k]);
			got = uart_vs ? vmm_vserial_send(uart_vs, buf, (size_t)n) : 0;
			CHECK(got == want, "the UART's endpoint took %zu of %d host bytes, expected %zu",
			      got, n, want);
		} else if (x < 16) {
			if ((y = next_byte()) < 0 || (z = next_byte()) < 0)
				return false;
			if (x < 8) {
				int w = next_byte();

				if (w < 0)
					return false;
				do_write((u16)(y | z << 8), 1, (u32)w);
			} else {
				do_read((u16)(y | z << 8), 1);
			}
		}
		break;
	}
	return true;
}

/* After each step: INTR consistent, and what the acknowledge promised. */
static void check_state(void)
{
	bool intr = vcpu_intr();
	int uline = uart_ref_line();

	CHECK(!(vmm_vcpu_irq_pending(&fx.vcpu->irq) & ~VMM_VCPU_IRQ_REQ_EXTINT),
	      "the PIC made a VCPU request other than ExtINT (0x%x)",
	      vmm_vcpu_irq_pending(&fx.vcpu->irq));
	take_snap(0, &cur[0]);
	take_snap(1, &cur[1]);
	cur_elcr = (u16)io_read(0x4D0, 2);
	CHECK(vcpu_intr() == intr, "reading IRR/ISR/IMR changed INTR");
	if (uline != ur.line) {		/* the UART moved IRQ4 */
		ur.line = uline;
		if (own_line(4)) {
			lvl[4] = uline;
			synced[4] = level_mode(4);
		}
	}
	for (u32 l = 0; l < 16; l++)
		if (own_line(l) && synced[l] && level_mode(l) && cur[l / 8].ok)
			CHECK(((cur[l / 8].irr >> (l & 7)) & 1) == lvl[l], "level line %u is %d "
			      "but IRR is 0x%x", l, lvl[l], cur[l / 8].irr);
	for (int i = 0; i < 2; i++) {
		if (expect_is[i] >= 0 && cur[i].ok)
			CHECK(cur[i].isr & (1u << expect_is[i]), "chip %d: IS%d not set after INTA "
			      "(ISR 0x%x)", i, expect_is[i], cur[i].isr);
		expect_is[i] = -1;
	}
	if (!cur[0].ok)
		return;
	if (intr)
		CHECK(cur[0].irr & ~cur[0].imr, "INTR up without an unmasked request "
		      "(IRR 0x%x IMR 0x%x)", cur[0].irr, cur[0].imr);
	if (sh[0].top_known) {
		int l = expected_output(0, &cur[0]);

		CHECK(intr == (l >= 0), "INTR %d but the master %s (IRR 0x%x ISR 0x%x IMR 0x%x, "
		      "top %d%s%s)", intr, l >= 0 ? "has a deliverable request" : "has nothing "
		      "deliverable", cur[0].irr, cur[0].isr, cur[0].imr, sh[0].top,
		      sh[0].smm ? ", special mask" : "", sh[0].sfnm ? ", SFNM" : "");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vmm_printk_set_level(VMM_LOG_DEBUG);	/* format every message */
	fx_now_ns = 0;
	if (fx_create(&fx, "fuzz", fx_pc_regions, FX_PC_NR_REGIONS) != VMM_OK)
		abort();
	uart_vs = vmm_vserial_find("fuzz/uart0");
	in_data = data;
	in_size = size;
	in_pos = 0;
	step = 0;
	shadow_reset(&sh[0]);
	shadow_reset(&sh[1]);
	expect_is[0] = expect_is[1] = -1;
	for (u32 l = 0; l < 16; l++) {
		lvl[l] = 0;
		synced[l] = false;
	}
	cur_elcr = 0;
	uart_line_shared = false;
	memset(&ur, 0, sizeof(ur));
	memset(&urq, 0, sizeof(urq));
	uart_ref_reset();
	check_state();
	while (run_op()) {
		step++;
		check_state();
	}
	fx_destroy(&fx);
	if (fx_heap_live)
		abort();
	return 0;
}
