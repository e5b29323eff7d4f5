/*
 * devemu/uart8250.c - 16550A UART emulator (compatible "ns16550a",
 * "ns16550", "ns8250"), transmit side and register file.
 *
 * Every register with DLAB; the scratch register; the 16-byte receive FIFO
 * (FCR bit 0) with trigger levels 1/4/8/14, FIFO resets, overrun (LSR.OE)
 * and the character-timeout interrupt (four character times at the
 * programmed baud rate, at least 347 us, from a timer event that never
 * fires closer than VMM_TIMER_MIN_PERIOD_NS to its previous firing, see
 * kernel/timer.h); 16450 mode with a one-byte
 * RBR when FIFOs are off; LSR and MSR (with deltas; loopback maps the
 * modem outputs to the inputs); interrupts in the 16550's priority order
 * (line status, received data / timeout, THR empty, modem status) on the
 * region's `interrupts` line, gated by MCR.OUT2 as on a PC (loopback
 * forces OUT2 inactive). Transmit goes to the guest's vserial endpoint at
 * once (THR and the transmitter are empty again immediately); bytes from
 * the endpoint (the host side, e.g. `vserial send`) are received as the
 * receiver has room: the host side is flow-controlled through the
 * endpoint's input queue (kernel/vserial.h), so it never overruns the
 * FIFO; an overrun happens only in loopback.
 * Not emulated: parity/framing errors and break (nothing on the host side
 * makes them), the transmit FIFO's timing.
 */
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/vserial.h"
#include "kernel/heap.h"
#include "kernel/error.h"
#include "kernel/timer.h"
#include "kernel/spinlock.h"

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3,
       MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define IER_RDA 0x01	/* received data available */
#define IER_THRE 0x02	/* transmitter holding register empty */
#define IER_RLS 0x04	/* receiver line status */
#define IER_MSI 0x08	/* modem status */
#define MCR_OUT2 0x08
#define IIR_NONE 0x01

#define FIFO_SIZE 16

struct uart8250 {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	u8 msr_delta;		/* MSR bits 0-3: changes since the last MSR read */
	u8 rx[FIFO_SIZE];	/* receive FIFO (one byte deep in 16450 mode) */
	u8 rx_head, rx_count;
	u8 last_rx;		/* what RBR reads when nothing is there */
	bool overrun;		/* LSR.OE until LSR is read */
	bool timeout;		/* character timeout (FIFO mode) */
	bool thre_pending;	/* the THR-empty interrupt condition */
	int irq;		/* guest line, -1 for none */
	int line_level;
	struct vmm_vserial *vs;
	struct vmm_emudev *ed;
	struct vmm_timer_event timeout_ev;
	u64 last_timeout_ns;	/* when the timeout last fired (0: never); the next
				 * is at least VMM_TIMER_MIN_PERIOD_NS later */
	vmm_spinlock_t lock;
	bool removed;		/* uart_remove ran: the timeout is never armed again */
};

static const u8 trigger_levels[4] = { 1, 4, 8, 14 };

static bool fifo_on(const struct uart8250 *u)
{
	return u->fcr & 1;
}

/* Received-data condition: the trigger level in FIFO mode, a byte otherwise. */
static bool rx_ready(const struct uart8250 *u)
{
	return u->rx_count >= (fifo_on(u) ? trigger_levels[u->fcr >> 6] : 1);
}

/* IIR in the 16550's priority order. */
static u8 uart_iir(struct uart8250 *u)
{
	if ((u->ier & IER_RLS) && u->overrun)
		return 0x06;
	if ((u->ier & IER_RDA) && rx_ready(u))
		return 0x04;
	if ((u->ier & IER_RDA) && u->timeout && u->rx_count)
		return 0x0C;
	if ((u->ier & IER_THRE) && u->thre_pending)
		return 0x02;
	if ((u->ier & IER_MSI) && u->msr_delta)
		return 0x00;
	return IIR_NONE;
}

/* Nanoseconds of one character (start, 8 data, stop) at the programmed rate. */
static u64 char_time_ns(const struct uart8250 *u)
{
	u32 divisor = ((u32)u->dlm << 8) | u->dll;

	if (!divisor)
		divisor = 1;
	return 10ULL * 1000000000ULL * divisor / 115200;
}

/* FIFO mode with data below the trigger: a timeout after 4 characters of quiet. */
static void arm_timeout(struct uart8250 *u)
{
	u->timeout = false;
	if (!u->removed && fifo_on(u) && u->rx_count && !rx_ready(u))
		vmm_timer_event_start(&u->timeout_ev,
				      vmm_timer_guest_expiry(vmm_timer_now_ns() + 4 * char_time_ns(u),
							     u->last_timeout_ns));
	else
		vmm_timer_event_stop(&u->timeout_ev);
}

static void rx_clear(struct uart8250 *u)
{
	u->rx_count = 0;
	u->timeout = false;
	vmm_timer_event_stop(&u->timeout_ev);
}

/* A byte arrives at the receiver (from the host side or loopback). */
static void rx_push(struct uart8250 *u, u8 c)
{
	u8 cap = fifo_on(u) ? FIFO_SIZE : 1;

	if (u->rx_count >= cap) {
		u->overrun = true;
		if (!fifo_on(u))	/* 16450: the new byte overwrites RBR */
			u->rx[u->rx_head] = c;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % FIFO_SIZE] = c;
	u->rx_count++;
	arm_timeout(u);
}

static u8 rx_pop(struct uart8250 *u)
{
	if (!u->rx_count)
		return u->last_rx;
	u->last_rx = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
	u->rx_count--;
	arm_timeout(u);
	return u->last_rx;
}

/* Drive the guest line: an interrupt pending and OUT2 on (loopback forces
 * the OUT2 pin inactive, closing the PC's IRQ gate). */
static void uart_update_irq(struct vmm_emudev *ed, struct uart8250 *u)
{
	int level = uart_iir(u) != IIR_NONE && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	if (u->irq < 0 || level == u->line_level)
		return;
	u->line_level = level;
	vmm_devemu_set_irq(ed->guest, (u32)u->irq, level);
}

/* MSR bits 4-7: CTS DSR RI DCD. In loopback CTS=RTS, DSR=DTR, RI=OUT1,
 * DCD=OUT2; otherwise a cable with CTS, DSR and DCD up. */
static u8 msr_status(const struct uart8250 *u)
{
	if (u->mcr & MCR_LOOP)
		return ((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5) |
		       ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4);
	return 0xB0;
}

static void timeout_expired(struct vmm_timer_event *ev)
{
	struct uart8250 *u = ev->priv;
	unsigned long f = vmm_spin_lock_irqsave(&u->lock);

	u->timeout = true;
	u->last_timeout_ns = vmm_timer_now_ns();
	uart_update_irq(u->ed, u);
	vmm_spin_unlock_irqrestore(&u->lock, f);
}

/*
 * A byte from the host side of the vserial endpoint: false while the
 * receiver is full (the byte waits in the endpoint's input queue, which
 * vmm_vserial_input_ready() moves on after the guest read). Loopback
 * disconnects the receiver input: the byte is gone, as on the wire.
 */
static bool uart_host_input(void *priv, u8 c)
{
	struct uart8250 *u = priv;
	unsigned long f = vmm_spin_lock_irqsave(&u->lock);
	bool taken = true;

	if (!(u->mcr & MCR_LOOP)) {
		if (u->rx_count >= (fifo_on(u) ? FIFO_SIZE : 1))
			taken = false;
		else
			rx_push(u, c);
	}
	uart_update_irq(u->ed, u);
	vmm_spin_unlock_irqrestore(&u->lock, f);
	return taken;
}

/* After a register access (device lock released): the receiver may have
 * room for bytes waiting in the endpoint's queue. */
static void uart_pull(struct uart8250 *u)
{
	if (u->vs)
		vmm_vserial_input_ready(u->vs);
}

static int uart_probe(struct vmm_emudev *ed)
{
	struct uart8250 *u = vmm_zalloc(sizeof(*u));

	if (!u)
		return -VMM_ENOMEM;
	u->vs = vmm_vserial_create(ed->guest->name, ed->region->cfg->name);
	if (!u->vs) {
		vmm_free(u);
		return -VMM_ENOMEM;
	}
	u->irq = vmm_devemu_region_irq(ed);
	u->ed = ed;
	vmm_devemu_timer_init(ed->guest, &u->timeout_ev, timeout_expired, u);
	vmm_vserial_set_input(u->vs, uart_host_input, u);
	ed->priv = u;
	return VMM_OK;
}

static int uart_reset(struct vmm_emudev *ed)
{
	struct uart8250 *u = ed->priv;

	u->ier = u->lcr = u->mcr = u->scr = u->fcr = 0;
	u->dll = 12;	/* 9600 baud, as after a hardware reset */
	u->dlm = 0;
	rx_clear(u);
	u->overrun = false;
	u->last_rx = 0;
	u->thre_pending = false;
	u->msr_delta = 0;
	uart_update_irq(ed, u);
	if (u->vs)
		vmm_vserial_flush(u->vs);	/* a line left open (a prompt) ends here */
	return VMM_OK;	/* queued host bytes come when the guest reads (uart_pull) */
}

/*
 * Guest destroy: the endpoint goes first (no more host bytes, so nothing
 * re-arms the timeout; its sink is detached), then the timeout is stopped
 * for good and the state freed.
 */
static void uart_remove(struct vmm_emudev *ed)
{
	struct uart8250 *u = ed->priv;
	unsigned long f;

	if (!u)
		return;
	vmm_vserial_unregister(u->vs);
	f = vmm_spin_lock_irqsave(&u->lock);
	u->vs = NULL;
	u->removed = true;
	vmm_timer_event_stop(&u->timeout_ev);
	vmm_spin_unlock_irqrestore(&u->lock, f);
	ed->priv = NULL;
	vmm_free(u);
}

static int uart_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct uart8250 *u = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&u->lock);
	u8 v = 0xFF;
	bool irq_may_change = true;	/* false: a plain register, no side effect */

	switch (off) {
	case RBR:
		v = (u->lcr & LCR_DLAB) ? u->dll : rx_pop(u);
		break;
	case IER:
		v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		irq_may_change = false;
		break;
	case IIR:
		v = uart_iir(u) | ((u->fcr & 1) ? 0xC0 : 0);
		/* reading IIR with THR empty as its source clears that source */
		if ((v & 0x0F) == 0x02)
			u->thre_pending = false;
		break;
	case LCR: v = u->lcr; irq_may_change = false; break;
	case MCR: v = u->mcr; irq_may_change = false; break;
	case LSR:
		v = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0) | (u->overrun ? LSR_OE : 0);
		u->overrun = false;	/* reading LSR clears the error bits */
		break;
	case MSR:
		v = msr_status(u) | u->msr_delta;
		u->msr_delta = 0;
		break;
	case SCR: v = u->scr; irq_may_change = false; break;
	}
	*value = v;
	(void)width;
	if (irq_may_change)
		uart_update_irq(ed, u);
	vmm_spin_unlock_irqrestore(&u->lock, f);
	if (off == RBR)
		uart_pull(u);
	return VMM_OK;
}

static int uart_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct uart8250 *u = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&u->lock);
	u8 v = (u8)value;
	bool irq_may_change = true;	/* false: a plain register, no side effect */

	(void)width;
	switch (off) {
	case THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else {
			if (u->mcr & MCR_LOOP) {
				rx_push(u, v);
			} else {
				vmm_vserial_putc(u->vs, v);
			}
			/* sent at once: THR is empty again */
			u->thre_pending = true;
		}
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
		} else {
			/* enabling the THR-empty interrupt while THR is empty raises it */
			if ((v & IER_THRE) && !(u->ier & IER_THRE))
				u->thre_pending = true;
			u->ier = v & 0x0F;
		}
		break;
	case FCR:
		/* enabling or disabling the FIFOs, or bit 1, clears the receiver */
		if (((u->fcr ^ v) & 1) || (v & 0x02))
			rx_clear(u);
		u->fcr = (v & 1) ? (v & 0xC1) : 0;
		arm_timeout(u);
		break;
	case LCR: u->lcr = v; irq_may_change = false; break;
	case MCR: {
		/* the modem inputs change when loopback starts or ends, or when
		 * looped-back outputs change: record the deltas (MSR bits 0-3) */
		u8 before = msr_status(u), after;

		u->mcr = v & 0x1F;
		after = msr_status(u);
		u->msr_delta |= (((before ^ after) & 0x10) ? 0x01 : 0) |	/* CTS */
				(((before ^ after) & 0x20) ? 0x02 : 0) |	/* DSR */
				(((before & 0x40) && !(after & 0x40)) ? 0x04 : 0) |	/* RI falling */
				(((before ^ after) & 0x80) ? 0x08 : 0);		/* DCD */
		break;
	}
	case SCR: u->scr = v; irq_may_change = false; break;
	default: irq_may_change = false; break;	/* LSR and MSR writes are ignored */
	}
	if (irq_may_change)
		uart_update_irq(ed, u);
	vmm_spin_unlock_irqrestore(&u->lock, f);
	if (off == FCR || off == MCR)
		uart_pull(u);	/* a cleared or resized FIFO, loopback ended */
	return VMM_OK;
}

static const char *const uart_compatible[] = { "ns16550a", "ns16550", "ns8250", NULL };

const struct vmm_emulator uart8250_emulator = {
	.name = "uart8250",
	.device_type = "serial",
	.compatible = uart_compatible,
	.probe = uart_probe,
	.reset = uart_reset,
	.remove = uart_remove,
	.read = uart_read,
	.write = uart_write,
};
VMM_EMULATOR(uart8250_emulator);
