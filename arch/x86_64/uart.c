/*
 * arch/x86_64/uart.c - the host's 16550 UART on COM1 (115200 8N1), one
 * of the hypervisor console's devices (arch/x86_64/console.c joins them
 * behind the kernel/arch_console.h contract). At first it is polled both
 * ways; uart_tx_start() and uart_rx_start() put output and input on the
 * UART's interrupt (ISA IRQ 4 through the IO-APIC to the boot CPU):
 *
 *  - input goes into a ring that uart_getc() reads. Flow control
 *    instead of loss: when the ring is full the driver stops reading the
 *    UART, turns its receive interrupt off and drops RTS. The bytes wait in
 *    the UART's FIFO, and behind it in the sender (a terminal with RTS/CTS
 *    flow control; QEMU's and Bochs' socket and pty back ends simply stop
 *    reading). When the reader has emptied half the ring, the driver reads
 *    again and turns the interrupt and RTS back on. Bytes the UART itself
 *    lost (LSR overrun: a sender that ignores RTS) are counted.
 *  - output, from uart_tx_start() (kernel/main.c: before the boot
 *    commands), goes into a 64 KiB ring that the transmit interrupt empties 16
 *    bytes (one FIFO) at a time, so a writer - a VM exit handler printing a
 *    guest's line - does not wait for the line at 115200 baud (87 us a
 *    byte). A writer that finds the ring full waits for the UART as before:
 *    nothing is dropped. uart_flush() (power-off, reboot) empties
 *    it; after uart_sync() (panic) every write is polled again.
 */
#include "kernel/host_irq.h"
#include "kernel/spinlock.h"
#include "kernel/error.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/uart.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/host_ioapic.h"

#define COM1 0x3F8
#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_IIR 2
#define UART_SCR 7
#define IER_RDA 0x01		/* interrupt when received data is available */
#define IER_THRI 0x02		/* interrupt when the transmitter is empty */
#define MCR_DTR 0x01
#define MCR_RTS 0x02		/* request to send: the sender may go on */
#define MCR_OUT2 0x08		/* gates the UART's interrupt line on a PC */
#define LSR_DR 0x01
#define LSR_OE 0x02		/* overrun: a byte was lost in the UART */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

/* bounded spin, so an absent or stuck UART cannot hang the hypervisor */
#define UART_SPIN_LIMIT 1000000

static u16 uart_base = COM1;

u16 arch_uart_port(void)
{
	return uart_base;
}
static bool uart_present;
static int uart_fifo_bytes = 1;		/* bytes the transmitter takes when THRE is set */

bool arch_uart_init(void)
{
	/* scratch register round trip tells whether a UART answers at all */
	outb(uart_base + UART_SCR, 0x5A);
	uart_present = inb(uart_base + UART_SCR) == 0x5A;
	outb(uart_base + UART_IER, 0x00);
	outb(uart_base + UART_LCR, 0x80);	/* DLAB */
	outb(uart_base + UART_DLL, 1);		/* 115200 baud */
	outb(uart_base + UART_DLM, 0);
	outb(uart_base + UART_LCR, 0x03);	/* 8N1 */
	outb(uart_base + UART_FCR, 0xC7);	/* FIFOs on, cleared, 14-byte trigger */
	/* a 16550A says so in IIR bits 7:6; a 16450 has a one-byte holding register */
	uart_fifo_bytes = (inb(uart_base + UART_IIR) & 0xC0) == 0xC0 ? 16 : 1;
	outb(uart_base + UART_MCR, 0x03);	/* DTR, RTS */
	return uart_present;
}

static void uart_putc(char c)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(uart_base + UART_LSR) & LSR_THRE)
			break;
	outb(uart_base + UART_THR, (u8)c);
}

static void write_polled(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

/* ---- the interrupt, receive and transmit state (rx.lock is the UART's lock) ---- */

#define UART_IRQ_PIN 4		/* ISA IRQ 4 (COM1); no interrupt source override assumed */
#define UART_IRQ_VECTOR 0x34
#define RX_RING_SIZE 512	/* power of two */
#define RX_DRAIN_MAX 64		/* bytes taken per drain: a babbling line cannot pin a CPU */
#define TX_RING_SIZE 65536	/* power of two */

static struct {
	vmm_spinlock_t lock;		/* the UART's lock: receive and transmit */
	u8 ring[RX_RING_SIZE];
	u32 head, tail;			/* head - tail bytes waiting */
	u64 received, overruns;
	bool irq;			/* the receive interrupt is on */
	bool throttled;			/* ring full: UART not read, IER and RTS off */
	void (*notify)(void *data);
	void *data;
} rx = { .lock = VMM_SPINLOCK_INIT };

static struct {
	char ring[TX_RING_SIZE];
	u32 head, tail;			/* head - tail bytes queued */
	volatile bool irq;		/* writes are queued (after uart_tx_start) */
	volatile bool sync;		/* panic: every write polled (uart_sync) */
} tx;

/* The interrupts the UART should raise now (lock held): received data
 * unless throttled, the empty transmitter while the ring holds bytes. */
static void ier_update_locked(void)
{
	u8 ier = 0;

	if (rx.irq && !rx.throttled)
		ier |= IER_RDA;
	if (tx.irq && tx.head != tx.tail)
		ier |= IER_THRI;
	outb(uart_base + UART_IER, ier);
}

/* ---- transmit ---- */

/* Send one FIFO of the ring (lock held; the transmitter is empty). */
static void tx_send_fifo_locked(void)
{
	for (int i = 0; i < uart_fifo_bytes && tx.head != tx.tail; i++)
		outb(uart_base + UART_THR, (u8)tx.ring[tx.tail++ % TX_RING_SIZE]);
}

/* Fill the UART's transmit FIFO from the ring when it is empty (lock held). */
static void tx_push_locked(void)
{
	if (tx.head != tx.tail && (inb(uart_base + UART_LSR) & LSR_THRE))
		tx_send_fifo_locked();
}

/* Wait for the UART (a bounded time, as uart_putc) and send one FIFO of
 * the ring (lock held). */
static void tx_push_polled_locked(void)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(uart_base + UART_LSR) & LSR_THRE)
			break;
	tx_send_fifo_locked();
}

/* Send everything queued, waiting for the UART (lock held, or a panic). */
static void tx_drain_polled_locked(void)
{
	while (tx.head != tx.tail)
		tx_push_polled_locked();
}

/* Queue one byte; a full ring first waits for the UART to take some. */
static void tx_put_locked(char c)
{
	while (tx.head - tx.tail >= TX_RING_SIZE)
		tx_push_polled_locked();
	tx.ring[tx.head++ % TX_RING_SIZE] = c;
}

void uart_write(const char *s, size_t n)
{
	unsigned long f;

	if (!tx.irq || tx.sync) {
		if (tx.sync)		/* panic: what is queued first, no lock */
			tx_drain_polled_locked();
		write_polled(s, n);
		return;
	}
	f = vmm_spin_lock_irqsave(&rx.lock);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			tx_put_locked('\r');
		tx_put_locked(s[i]);
	}
	tx_push_locked();
	ier_update_locked();
	vmm_spin_unlock_irqrestore(&rx.lock, f);
}

void uart_flush(void)
{
	unsigned long f = 0;
	bool locked = tx.irq && !tx.sync;	/* after a panic no lock is trusted */

	if (locked)
		f = vmm_spin_lock_irqsave(&rx.lock);
	tx_drain_polled_locked();
	if (locked) {
		ier_update_locked();
		vmm_spin_unlock_irqrestore(&rx.lock, f);
	}
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(uart_base + UART_LSR) & LSR_TEMT)
			break;
}

void uart_sync(void)
{
	tx.sync = true;
}

/* ---- receive ---- */

/* Read the UART's line status, counting an overrun it reports (rx.lock held). */
static u8 rx_lsr_locked(void)
{
	u8 lsr = inb(uart_base + UART_LSR);

	if (lsr & LSR_OE)
		rx.overruns++;
	return lsr;
}

/*
 * Stop taking bytes (ring full; rx.lock held): the UART keeps them, its
 * receive interrupt is off, RTS tells the sender to wait.
 */
static void rx_throttle_locked(void)
{
	rx.throttled = true;
	if (rx.irq) {
		ier_update_locked();
		outb(uart_base + UART_MCR, MCR_DTR | MCR_OUT2);
	}
}

/* Take bytes again (rx.lock held). */
static void rx_unthrottle_locked(void)
{
	rx.throttled = false;
	if (rx.irq) {
		outb(uart_base + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
		ier_update_locked();
	}
}

/*
 * Move what the UART holds into the ring while it has room (rx.lock held);
 * true if any byte came. A full ring throttles the receiver.
 */
static bool rx_drain_locked(void)
{
	bool got = false;

	for (int i = 0; i < RX_DRAIN_MAX; i++) {
		if (!(rx_lsr_locked() & LSR_DR))
			break;
		if (rx.head - rx.tail >= RX_RING_SIZE) {
			rx_throttle_locked();
			break;
		}
		rx.ring[rx.head++ % RX_RING_SIZE] = inb(uart_base + UART_RBR);
		rx.received++;
		got = true;
	}
	return got;
}

/* The UART's interrupt: received bytes, an empty transmitter (interrupt
 * context, interrupts off). */
static void uart_irq(u32 vector, struct arch_regs *regs, void *data)
{
	bool got;

	(void)vector; (void)regs; (void)data;
	vmm_spin_lock(&rx.lock);
	(void)inb(uart_base + UART_IIR);
	got = rx_drain_locked();
	tx_push_locked();
	ier_update_locked();	/* THRI off once the ring is empty; on again re-arms it */
	vmm_spin_unlock(&rx.lock);
	lapic_eoi();
	if (got && rx.notify)
		rx.notify(rx.data);
}

/* The UART's interrupt vector and IO-APIC route, once (either start). */
static int uart_irq_setup(void)
{
	static bool done;
	static int refused;	/* the IO-APIC cannot reach this CPU: said once */
	unsigned long flags;
	int rc;

	if (!uart_present)
		return -VMM_ENOTAVAIL;
	if (done)
		return VMM_OK;
	if (refused)
		return refused;
	rc = vmm_host_irq_register(UART_IRQ_VECTOR, uart_irq, NULL);
	if (rc)
		return rc;
	/* outside the lock: a refusal is said on the console, which takes it;
	 * the UART raises nothing before OUT2 below */
	rc = host_ioapic_route_isa(UART_IRQ_PIN, UART_IRQ_VECTOR);
	if (rc) {		/* no route to this CPU: stays polled */
		refused = rc;
		return rc;
	}
	flags = vmm_spin_lock_irqsave(&rx.lock);
	outb(uart_base + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	vmm_spin_unlock_irqrestore(&rx.lock, flags);
	done = true;
	return VMM_OK;
}

int uart_tx_start(void)
{
	unsigned long flags;
	int rc = uart_irq_setup();

	if (rc)
		return rc;
	flags = vmm_spin_lock_irqsave(&rx.lock);
	tx.irq = true;			/* output is queued from now on */
	ier_update_locked();
	vmm_spin_unlock_irqrestore(&rx.lock, flags);
	return VMM_OK;
}

int uart_rx_start(void (*notify)(void *data), void *data)
{
	unsigned long flags;
	int rc;

	rx.notify = notify;
	rx.data = data;
	rc = uart_irq_setup();
	if (rc)
		return rc;
	flags = vmm_spin_lock_irqsave(&rx.lock);
	rx.irq = true;
	rx_unthrottle_locked();
	rx_drain_locked();		/* what came before; its edge may be gone */
	vmm_spin_unlock_irqrestore(&rx.lock, flags);
	return VMM_OK;
}

int uart_getc(void)
{
	unsigned long flags;
	int c = -1;

	if (!uart_present)	/* no UART: its ports read 0xff, "data ready" forever */
		return -1;
	flags = vmm_spin_lock_irqsave(&rx.lock);
	/* also the fallback when an interrupt went missing, or before the start */
	if (rx.head == rx.tail)
		rx_drain_locked();
	if (tx.irq && tx.head != tx.tail) {	/* the same for output */
		tx_push_locked();
		ier_update_locked();
	}
	if (rx.head != rx.tail)
		c = rx.ring[rx.tail++ % RX_RING_SIZE];
	/* half the ring free again: take what waited in the UART, let it send */
	if (rx.throttled && rx.head - rx.tail <= RX_RING_SIZE / 2) {
		rx_unthrottle_locked();
		rx_drain_locked();
	}
	vmm_spin_unlock_irqrestore(&rx.lock, flags);
	return c;
}

void uart_rx_stats(u64 *received, u64 *lost, bool *irq)
{
	*received = rx.received;
	*lost = rx.overruns;
	*irq = rx.irq;
}
