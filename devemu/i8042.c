/*
 * devemu/i8042.c - the PC's keyboard controller (Intel 8042, compatible
 * "i8042") with a keyboard that has no keys, the PS/2 system control port A
 * at 0x92 (compatible "port92"), and a sink for ports that must exist but
 * do nothing, such as the POST/delay port 0x80 (compatible "ioport-sink").
 *
 * i8042: the data port is 0x60 and the status/command port 0x64. The 8042's
 * A0 input is wired to address bit 2 on PCs, and so it is here: a port with
 * bit 2 clear is the data port, set the status/command port. The usual DTS
 * has two one-port regions, kbd_data at 0x60 and kbd_ctl at 0x64, both
 * "i8042", sharing one controller (vmm_devemu_guest_shared, key "i8042");
 * one region 0x60-0x64 would also work but would take 0x61, which is not
 * the 8042's. The keyboard interrupt goes to the `interrupts` line of
 * either region (IRQ1 on a PC).
 *
 * What works: the status register (OBF, IBF always 0 since every write is
 * taken at once, SYS = configuration bit 2, A2 = last write was a command,
 * keyboard not inhibited, AUXB for bytes from 0xD3); the controller's 32
 * bytes of RAM, byte 0 the configuration byte (0x20-0x3F read, 0x60-0x7F
 * write); 0xA7/0xA8 disable/enable the aux port and 0xAD/0xAE the keyboard
 * (configuration bits 5 and 4); 0xA9 aux interface test (0x00), 0xAA self
 * test (0x55, sets SYS), 0xAB keyboard interface test (0x00); 0xD0/0xD1
 * read/write the output port (bit 0 system reset, active low: writing 0
 * resets the guest; bit 1 A20 gate; bits 4 and 5 read as the output-buffer
 * interrupt pins); 0xD2/0xD3 put a byte in the output buffer as if from the
 * keyboard / the aux device; 0xD4 sends a byte to the aux device, which is
 * absent: the byte is lost and nothing answers; 0xF0-0xFF pulse output port
 * bits 0-3, and a pulse of bit 0 (0xFE, any even command) resets the guest
 * through vmm_manager_guest_reboot(). Controller answers go to the output
 * buffer ahead of keyboard bytes, which wait in a 16-byte queue while the
 * buffer is full or the keyboard is disabled. IRQ1 is high while the output
 * buffer holds a non-aux byte and configuration bit 0 is set.
 *
 * The keyboard (PS/2, MF2): 0xFF reset (0xFA 0xAA), 0xF2 identify (0xFA
 * 0xAB 0x83; 0x41 instead of 0x83 when the controller translates, config
 * bit 6, as on real PCs), 0xF4/0xF5/0xF6 enable/disable/defaults (0xFA),
 * 0xED LEDs, 0xF3 typematic rate, 0xF0 scan-code set (0xFA, and its
 * argument byte 0xFA; argument 0 reports the set, translated when
 * translation is on), 0xEE echo (0xEE); anything else is answered 0xFE. A
 * command byte sent where an argument was expected starts that command, as
 * keyboards do.
 *
 * Not modelled: keys (no host input yet) and so no scan codes; the aux
 * device (mouse) and IRQ12; the input port (0xC0) and the other vendor
 * commands (ignored, reported once each); controller timeouts and parity
 * errors; the translation of anything but the keyboard's own answers.
 * A20: the state of the gate is recorded (output port bit 1 OR port 0x92
 * bit 1) but the guest's memory is never wrapped at 1 MiB: A20 is always
 * effectively on, and so both report it on after reset.
 *
 * port92: bit 1 is the "fast A20" gate and reads back; writing bit 0 = 1
 * resets the guest; the other bits read 0. ioport-sink: reads all-ones,
 * ignores writes, and unlike an unassigned port is never reported.
 */
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"

#define ST_OBF 0x01		/* output buffer full */
#define ST_SYS 0x04		/* system flag */
#define ST_A2 0x08		/* last write was to the command port */
#define ST_UNLOCKED 0x10	/* keyboard not inhibited (key lock) */
#define ST_AUXB 0x20		/* output buffer holds aux data */

#define CFG_KBD_INT 0x01
#define CFG_AUX_INT 0x02
#define CFG_SYS 0x04
#define CFG_KBD_OFF 0x10
#define CFG_AUX_OFF 0x20
#define CFG_XLATE 0x40

#define OUT_RESET 0x01		/* system reset, active low */
#define OUT_A20 0x02
#define OUT_KBD_IRQ 0x10	/* output-buffer-full interrupt pins */
#define OUT_AUX_IRQ 0x20

#define KBD_ACK 0xFA
#define KBD_RESEND 0xFE
#define KBD_BAT_OK 0xAA
#define KBD_QUEUE 16
#define CTL_QUEUE 4

struct kbc {
	vmm_spinlock_t lock;
	struct vmm_guest *guest;
	int irq;			/* keyboard line, -1 for none */
	bool line;
	u8 ram[32];			/* ram[0]: configuration byte */
	u8 outport;			/* bits 4 and 5 are computed on read */
	bool last_cmd;			/* status A2 */
	u8 obuf;
	bool obf, obuf_aux;
	u8 pending;			/* controller command waiting for its data byte */
	struct { u8 v; bool aux; } ctlq[CTL_QUEUE];	/* controller answers */
	u8 ctl_n;
	u8 kbdq[KBD_QUEUE];		/* bytes the keyboard has to send */
	u8 kbd_head, kbd_n;
	/* the keyboard */
	u8 kbd_pending;			/* command waiting for its argument */
	bool kbd_scanning;
	u8 kbd_leds, kbd_set, kbd_typematic;
	/* port 0x92 */
	u8 port92;
	bool a20;			/* output port bit 1 OR port 0x92 bit 1 */
	bool reported[256];		/* unknown controller commands reported */
};

/* ---- output buffer -------------------------------------------------------- */

/* The translation (config bit 6) of the bytes this keyboard sends: the
 * 8042's set-2-to-set-1 table for the values it can produce. */
static u8 translate(u8 v)
{
	switch (v) {
	case 0x01: return 0x43;
	case 0x02: return 0x41;
	case 0x03: return 0x3F;
	case 0x83: return 0x41;
	default: return v;
	}
}

/* Move the next waiting byte into an empty output buffer. */
static void fill(struct kbc *k)
{
	if (k->obf)
		return;
	if (k->ctl_n) {
		k->obuf = k->ctlq[0].v;
		k->obuf_aux = k->ctlq[0].aux;
		k->ctl_n--;
		for (u8 i = 0; i < k->ctl_n; i++)
			k->ctlq[i] = k->ctlq[i + 1];
		k->obf = true;
	} else if (k->kbd_n && !(k->ram[0] & CFG_KBD_OFF)) {
		u8 v = k->kbdq[k->kbd_head];

		k->kbd_head = (k->kbd_head + 1) % KBD_QUEUE;
		k->kbd_n--;
		k->obuf = (k->ram[0] & CFG_XLATE) ? translate(v) : v;
		k->obuf_aux = false;
		k->obf = true;
	}
}

static void set_line(struct kbc *k, bool level)
{
	if (k->irq >= 0 && level != k->line) {
		k->line = level;
		vmm_devemu_set_irq(k->guest, (u32)k->irq, level);
	}
}

/* Load the next byte if the buffer is empty; IRQ1 follows OBF (non-aux)
 * and configuration bit 0. */
static void update_irq(struct kbc *k)
{
	fill(k);
	set_line(k, k->obf && !k->obuf_aux && (k->ram[0] & CFG_KBD_INT));
}

/* A controller answer (or a byte from 0xD2/0xD3) for the output buffer. */
static void ctl_answer(struct kbc *k, u8 v, bool aux)
{
	if (k->ctl_n < CTL_QUEUE) {
		k->ctlq[k->ctl_n].v = v;
		k->ctlq[k->ctl_n].aux = aux;
		k->ctl_n++;
	}
}

/* A byte the keyboard sends; it waits in the keyboard's queue. */
static void kbd_send(struct kbc *k, u8 v)
{
	if (k->kbd_n < KBD_QUEUE) {
		k->kbdq[(k->kbd_head + k->kbd_n) % KBD_QUEUE] = v;
		k->kbd_n++;
	}
}

/* ---- the keyboard ----------------------------------------------------------- */

/* The keyboard's defaults (0xF5, 0xF6): LEDs off, set 2, typematic. */
static void kbd_defaults(struct kbc *k)
{
	k->kbd_leds = 0;
	k->kbd_set = 2;
	k->kbd_typematic = 0x2B;	/* 10.9 characters/s, 500 ms */
	k->kbd_pending = 0;
}

static void kbd_power_on(struct kbc *k)
{
	kbd_defaults(k);
	k->kbd_scanning = true;
	k->kbd_head = k->kbd_n = 0;
}

/* A byte from the controller to the keyboard. */
static void kbd_write(struct kbc *k, u8 v)
{
	u8 cmd = k->kbd_pending;

	if (cmd && v < 0xED) {			/* the argument of cmd */
		k->kbd_pending = 0;
		switch (cmd) {
		case 0xED:
			k->kbd_leds = v & 7;
			kbd_send(k, KBD_ACK);
			break;
		case 0xF3:
			k->kbd_typematic = v & 0x7F;
			kbd_send(k, KBD_ACK);
			break;
		case 0xF0:
			if (v > 3) {
				kbd_send(k, KBD_RESEND);
				break;
			}
			kbd_send(k, KBD_ACK);
			if (v)
				k->kbd_set = v;
			else
				kbd_send(k, k->kbd_set);
			break;
		}
		return;
	}
	k->kbd_pending = 0;
	switch (v) {
	case 0xED:				/* set LEDs */
	case 0xF3:				/* typematic rate/delay */
	case 0xF0:				/* scan-code set */
		kbd_send(k, KBD_ACK);
		k->kbd_pending = v;
		break;
	case 0xEE:				/* echo */
		kbd_send(k, 0xEE);
		break;
	case 0xF2:				/* identify: MF2 keyboard */
		kbd_send(k, KBD_ACK);
		kbd_send(k, 0xAB);
		kbd_send(k, 0x83);
		break;
	case 0xF4:				/* enable scanning */
		k->kbd_scanning = true;
		kbd_send(k, KBD_ACK);
		break;
	case 0xF5:				/* disable scanning, defaults */
		kbd_defaults(k);
		k->kbd_scanning = false;
		kbd_send(k, KBD_ACK);
		break;
	case 0xF6:				/* defaults */
		kbd_defaults(k);
		kbd_send(k, KBD_ACK);
		break;
	case 0xFF:				/* reset and self test (BAT) */
		kbd_power_on(k);
		kbd_send(k, KBD_ACK);
		kbd_send(k, KBD_BAT_OK);
		break;
	default:
		kbd_send(k, KBD_RESEND);
		break;
	}
}

/* ---- the controller ---------------------------------------------------------- */

/* Record the A20 gate after a change of either of its two sources. */
static void note_a20(struct kbc *k)
{
	bool on = (k->outport & OUT_A20) || (k->port92 & 0x02);

	if (on != k->a20) {
		k->a20 = on;
		vmm_debug("guest %s: A20 gate %s (recorded only: guest memory is never wrapped at 1 MiB)\n",
			  k->guest->name, on ? "on" : "off");
	}
}

/* The output port as 0xD0 reads it: bits 4/5 are the OBF interrupt pins. */
static u8 outport_read(const struct kbc *k)
{
	u8 v = k->outport & ~(OUT_KBD_IRQ | OUT_AUX_IRQ);

	if (k->obf)
		v |= k->obuf_aux ? OUT_AUX_IRQ : OUT_KBD_IRQ;
	return v;
}

/* A controller command; returns true when it resets the guest. */
static bool ctl_command(struct kbc *k, u8 cmd)
{
	k->pending = 0;
	if (cmd >= 0x20 && cmd <= 0x3F) {
		ctl_answer(k, k->ram[cmd & 0x1F], false);
		return false;
	}
	if (cmd >= 0x60 && cmd <= 0x7F) {
		k->pending = cmd;
		return false;
	}
	if (cmd >= 0xF0)			/* pulse output port bits 0-3 low */
		return !(cmd & OUT_RESET);
	switch (cmd) {
	case 0xA7: k->ram[0] |= CFG_AUX_OFF; break;
	case 0xA8: k->ram[0] &= ~CFG_AUX_OFF; break;
	case 0xA9: ctl_answer(k, 0x00, false); break;
	case 0xAA:
		k->ram[0] |= CFG_SYS;
		ctl_answer(k, 0x55, false);
		break;
	case 0xAB: ctl_answer(k, 0x00, false); break;
	case 0xAD: k->ram[0] |= CFG_KBD_OFF; break;
	case 0xAE: k->ram[0] &= ~CFG_KBD_OFF; break;
	case 0xD0: ctl_answer(k, outport_read(k), false); break;
	case 0xD1: case 0xD2: case 0xD3: case 0xD4:
		k->pending = cmd;
		break;
	default:
		if (!k->reported[cmd]) {
			k->reported[cmd] = true;
			vmm_warn("guest %s: keyboard controller command 0x%02x not emulated (ignored; reported once)\n",
				 k->guest->name, cmd);
		}
		break;
	}
	return false;
}

/* A byte written to the data port; returns true when it resets the guest. */
static bool ctl_data(struct kbc *k, u8 v)
{
	u8 cmd = k->pending;

	k->pending = 0;
	if (cmd >= 0x60 && cmd <= 0x7F) {
		k->ram[cmd & 0x1F] = v;
		return false;
	}
	switch (cmd) {
	case 0xD1:
		k->outport = v & ~(OUT_KBD_IRQ | OUT_AUX_IRQ);
		note_a20(k);
		return !(v & OUT_RESET);
	case 0xD2: ctl_answer(k, v, false); break;
	case 0xD3: ctl_answer(k, v, true); break;
	case 0xD4: break;			/* to the absent aux device */
	default: kbd_write(k, v); break;
	}
	return false;
}

/* Controller and keyboard as a PC BIOS leaves them (also a guest reset). */
static void kbc_power_on(struct kbc *k)
{
	for (u32 i = 0; i < ARRAY_SIZE(k->ram); i++)
		k->ram[i] = 0;
	/* as a PC BIOS leaves it: keyboard interrupt on, POST passed, no
	 * mouse (aux port off), translation on; A20 and reset lines high */
	k->ram[0] = CFG_KBD_INT | CFG_SYS | CFG_AUX_OFF | CFG_XLATE;
	k->outport = 0xC0 | OUT_A20 | OUT_RESET;
	k->last_cmd = false;
	k->obuf = 0;
	k->obf = k->obuf_aux = false;
	k->pending = 0;
	k->ctl_n = 0;
	k->port92 = 0;
	k->a20 = true;
	kbd_power_on(k);
}

/* The guest's one controller, shared by its i8042 and port92 regions. */
static struct kbc *kbc_of(struct vmm_emudev *ed)
{
	struct kbc *k = vmm_devemu_guest_shared(ed->guest, "i8042", sizeof(*k));

	if (k && !k->guest) {
		k->guest = ed->guest;
		k->irq = -1;
		kbc_power_on(k);
	}
	return k;
}

/* The reset line: the whole guest starts again (not under our lock). */
static int guest_reset(struct vmm_emudev *ed, const char *how)
{
	vmm_info("guest %s: reset through %s\n", ed->guest->name, how);
	return vmm_manager_guest_reboot(ed->guest);
}

static int kbc_probe(struct vmm_emudev *ed)
{
	struct kbc *k = kbc_of(ed);
	int irq = vmm_devemu_region_irq(ed);

	if (!k)
		return -VMM_ENOMEM;
	if (irq >= 0)
		k->irq = irq;
	ed->priv = k;
	return VMM_OK;
}

static int kbc_reset(struct vmm_emudev *ed)
{
	struct kbc *k = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&k->lock);

	kbc_power_on(k);
	update_irq(k);
	vmm_spin_unlock_irqrestore(&k->lock, f);
	return VMM_OK;
}

/* Status/command port: port address bit 2 set. */
static bool is_ctl_port(struct vmm_emudev *ed, u64 off)
{
	return (ed->region->cfg->gpa + off) & 4;
}

static int kbc_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct kbc *k = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&k->lock);

	(void)width;
	fill(k);
	if (is_ctl_port(ed, off)) {
		*value = (k->obf ? ST_OBF : 0) | ((k->ram[0] & CFG_SYS) ? ST_SYS : 0) |
			 (k->last_cmd ? ST_A2 : 0) | ST_UNLOCKED |
			 (k->obf && k->obuf_aux ? ST_AUXB : 0);
	} else {
		*value = k->obuf;	/* an empty buffer reads its last byte again */
		k->obf = false;
		/* the line drops with OBF; the next byte raises it again */
		set_line(k, false);
	}
	update_irq(k);
	vmm_spin_unlock_irqrestore(&k->lock, f);
	return VMM_OK;
}

static int kbc_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct kbc *k = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&k->lock);
	bool ctl = is_ctl_port(ed, off), reset;
	u8 cmd = (u8)value;

	(void)width;
	k->last_cmd = ctl;
	reset = ctl ? ctl_command(k, cmd) : ctl_data(k, cmd);
	update_irq(k);
	vmm_spin_unlock_irqrestore(&k->lock, f);
	/* the reset runs every emulator's reset, ours too: not under the lock */
	if (reset)
		return guest_reset(ed, ctl ? "the keyboard controller (pulse of the reset line)"
				       : "the keyboard controller's output port (reset bit 0)");
	return VMM_OK;
}

static const char *const kbc_compatible[] = { "i8042", "intel,8042", NULL };

const struct vmm_emulator i8042_emulator = {
	.name = "i8042",
	.device_type = "keyboard",
	.compatible = kbc_compatible,
	.probe = kbc_probe,
	.reset = kbc_reset,
	.read = kbc_read,
	.write = kbc_write,
};
VMM_EMULATOR(i8042_emulator);

/* ---- port 0x92 ------------------------------------------------------------------ */

static int port92_probe(struct vmm_emudev *ed)
{
	ed->priv = kbc_of(ed);
	return ed->priv ? VMM_OK : -VMM_ENOMEM;
}

static int port92_reset(struct vmm_emudev *ed)
{
	struct kbc *k = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&k->lock);

	k->port92 = 0;
	note_a20(k);
	vmm_spin_unlock_irqrestore(&k->lock, f);
	return VMM_OK;
}

static int port92_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct kbc *k = ed->priv;

	(void)off;
	(void)width;
	*value = k->port92 & 0x02;
	return VMM_OK;
}

static int port92_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct kbc *k = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&k->lock);

	(void)off;
	(void)width;
	k->port92 = value & 0x02;
	note_a20(k);
	vmm_spin_unlock_irqrestore(&k->lock, f);
	if (value & 0x01)
		return guest_reset(ed, "port 0x92 (fast reset)");
	return VMM_OK;
}

static const char *const port92_compatible[] = { "port92", NULL };

const struct vmm_emulator port92_emulator = {
	.name = "port92",
	.device_type = "system",
	.compatible = port92_compatible,
	.probe = port92_probe,
	.reset = port92_reset,
	.read = port92_read,
	.write = port92_write,
};
VMM_EMULATOR(port92_emulator);

/* ---- ioport-sink ------------------------------------------------------------------- */

static int sink_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	(void)ed;
	(void)off;
	*value = width >= 8 ? ~0ULL : (1ULL << (width * 8)) - 1;
	return VMM_OK;
}

static int sink_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	(void)ed;
	(void)off;
	(void)width;
	(void)value;
	return VMM_OK;
}

static const char *const sink_compatible[] = { "ioport-sink", NULL };

const struct vmm_emulator ioport_sink_emulator = {
	.name = "ioport-sink",
	.device_type = "sink",
	.compatible = sink_compatible,
	.read = sink_read,
	.write = sink_write,
};
VMM_EMULATOR(ioport_sink_emulator);
