/*
 * devemu/uart8250.c - 16550A UART emulator (compatible "ns16550a",
 * "ns16550", "ns8250"), transmit side and register file.
 *
 * What works now: every register readable and writable with DLAB, the
 * scratch register, LSR with THR empty / transmitter empty, loopback of
 * written bytes into RBR when MCR.LOOP is set, transmit into the guest's
 * vserial endpoint, and interrupts (IER/IIR: received data, THR empty,
 * modem status, in the 16550's priority order) on the region's
 * `interrupts` line, gated by MCR.OUT2 as on a PC. Still missing: FIFOs
 * with trigger levels, line-status interrupts and receive from the host.
 */
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/vserial.h"
#include "kernel/heap.h"
#include "kernel/error.h"

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3,
       MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define IER_RDA 0x01	/* received data available */
#define IER_THRE 0x02	/* transmitter holding register empty */
#define IER_MSI 0x08	/* modem status */
#define MCR_OUT2 0x08
#define IIR_NONE 0x01

struct uart8250 {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	u8 rbr;
	u8 msr_delta;		/* MSR bits 0-3: changes since the last MSR read */
	bool rx_full;
	bool thre_pending;	/* the THR-empty interrupt condition */
	int irq;		/* guest line, -1 for none */
	int line_level;
	struct vmm_vserial *vs;
};

/* IIR in the 16550's priority order (line status is never raised here). */
static u8 uart_iir(struct uart8250 *u)
{
	if ((u->ier & IER_RDA) && u->rx_full)
		return 0x04;
	if ((u->ier & IER_THRE) && u->thre_pending)
		return 0x02;
	if ((u->ier & IER_MSI) && u->msr_delta)
		return 0x00;
	return IIR_NONE;
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
	ed->priv = u;
	return VMM_OK;
}

static int uart_reset(struct vmm_emudev *ed)
{
	struct uart8250 *u = ed->priv;

	u->ier = u->lcr = u->mcr = u->scr = u->fcr = 0;
	u->dll = 12;	/* 9600 baud, as after a hardware reset */
	u->dlm = 0;
	u->rx_full = false;
	u->thre_pending = false;
	u->msr_delta = 0;
	uart_update_irq(ed, u);
	return VMM_OK;
}

static void uart_remove(struct vmm_emudev *ed)
{
	struct uart8250 *u = ed->priv;

	vmm_vserial_destroy(u->vs);
	vmm_free(u);
}

static int uart_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct uart8250 *u = ed->priv;
	u8 v = 0xFF;

	switch (off) {
	case RBR:
		if (u->lcr & LCR_DLAB) {
			v = u->dll;
		} else {
			v = u->rbr;
			u->rx_full = false;
		}
		break;
	case IER: v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier; break;
	case IIR:
		v = uart_iir(u) | ((u->fcr & 1) ? 0xC0 : 0);
		/* reading IIR with THR empty as its source clears that source */
		if ((v & 0x0F) == 0x02)
			u->thre_pending = false;
		break;
	case LCR: v = u->lcr; break;
	case MCR: v = u->mcr; break;
	case LSR: v = LSR_THRE | LSR_TEMT | (u->rx_full ? LSR_DR : 0); break;
	case MSR:
		/* loopback: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2 */
		if (u->mcr & MCR_LOOP)
			v = ((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5) |
			    ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4);
		else
			v = 0xB0;	/* CTS, DSR, DCD: a cable is there */
		v |= u->msr_delta;
		u->msr_delta = 0;
		break;
	case SCR: v = u->scr; break;
	}
	*value = v;
	(void)width;
	uart_update_irq(ed, u);
	return VMM_OK;
}

static int uart_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct uart8250 *u = ed->priv;
	u8 v = (u8)value;

	(void)width;
	switch (off) {
	case THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else {
			if (u->mcr & MCR_LOOP) {
				u->rbr = v;
				u->rx_full = true;
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
	case FCR: u->fcr = v; break;
	case LCR: u->lcr = v; break;
	case MCR:
		/* in loopback the modem inputs follow the outputs: record changes */
		if ((v & MCR_LOOP) && ((u->mcr ^ v) & 0x0F))
			u->msr_delta |= ((u->mcr ^ v) & 0x01 ? 0x02 : 0) |	/* DTR -> DSR */
					((u->mcr ^ v) & 0x02 ? 0x01 : 0) |	/* RTS -> CTS */
					((u->mcr & 0x04) && !(v & 0x04) ? 0x04 : 0) |	/* RI falling */
					((u->mcr ^ v) & 0x08 ? 0x08 : 0);	/* OUT2 -> DCD */
		u->mcr = v & 0x1F;
		break;
	case SCR: u->scr = v; break;
	default: break;	/* LSR and MSR writes are ignored */
	}
	uart_update_irq(ed, u);
	return VMM_OK;
}

static const char *const uart_compatible[] = { "ns16550a", "ns16550", "ns8250", NULL };

const struct vmm_emulator uart8250_emulator = {
	.name = "uart8250",
	.compatible = uart_compatible,
	.probe = uart_probe,
	.reset = uart_reset,
	.remove = uart_remove,
	.read = uart_read,
	.write = uart_write,
};
