/*
 * devemu/uart8250.c - 16550A UART emulator (compatible "ns16550a",
 * "ns16550", "ns8250"), transmit side and register file.
 *
 * What works now: every register readable and writable with DLAB, the
 * scratch register, LSR with THR empty / transmitter empty, loopback of
 * written bytes into RBR when MCR.LOOP is set, and transmit into the guest's
 * vserial endpoint. Still missing (device-emulation issue): FIFOs with
 * trigger levels, receive from the host, and interrupts on the guest's line.
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

struct uart8250 {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	u8 rbr;
	bool rx_full;
	struct vmm_vserial *vs;
};

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
	case IIR: v = 0x01 | ((u->fcr & 1) ? 0xC0 : 0); break;	/* no interrupt pending */
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
		break;
	case SCR: v = u->scr; break;
	}
	*value = v;
	(void)width;
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
		} else if (u->mcr & MCR_LOOP) {
			u->rbr = v;
			u->rx_full = true;
		} else {
			vmm_vserial_putc(u->vs, v);
		}
		break;
	case IER:
		if (u->lcr & LCR_DLAB)
			u->dlm = v;
		else
			u->ier = v & 0x0F;
		break;
	case FCR: u->fcr = v; break;
	case LCR: u->lcr = v; break;
	case MCR: u->mcr = v & 0x1F; break;
	case SCR: u->scr = v; break;
	default: break;	/* LSR and MSR writes are ignored */
	}
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
