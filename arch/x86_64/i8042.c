/*
 * arch/x86_64/i8042.c - the host's keyboard controller (i8042.h): a PS/2
 * keyboard, or a USB keyboard through the firmware's legacy emulation of
 * an i8042 (its SMM code answers the same ports). Input only, for the
 * hypervisor's terminal; no USB stack.
 *
 * The controller is taken as the firmware left it: never reset, nor the
 * keyboard; translation stays as it is (on, on every PC firmware: the
 * keys arrive in scancode set 1, which kernel/kbd_decode.c turns into
 * the bytes a serial terminal sends). The probe reads the status port
 * (0xFF: nothing there) and the configuration byte (command 0x20, a
 * bounded wait). Only two things are changed, and said: a keyboard port
 * the firmware left disabled is enabled (command 0xAE), and the keyboard
 * interrupt is turned on in the configuration byte when the terminal
 * starts (ISA IRQ 1 through the IO-APIC to the boot CPU; IRQ 12, the
 * mouse's, to the same handler when the firmware left it on, so that a
 * mouse byte never blocks the keys behind it).
 *
 * Bytes from the aux (mouse) port are read and dropped (counted). The
 * decoded bytes go into a ring that i8042_getc() reads; when it has no
 * room for one more key the controller is not read, so the key waits in
 * the controller and the keyboard's own buffer instead of being lost.
 */
#include "kernel/host_irq.h"
#include "kernel/spinlock.h"
#include "kernel/error.h"
#include "kernel/printk.h"
#include "kernel/kbd_decode.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/host_ioapic.h"
#include "arch/x86_64/i8042.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64	/* read */
#define I8042_CMD 0x64		/* write */

#define ST_OBF 0x01		/* a byte waits at the data port */
#define ST_IBF 0x02		/* the controller has not taken the last write yet */
#define ST_AUX 0x20		/* the waiting byte is from the aux (mouse) port */
#define ST_ERR 0xC0		/* timeout, parity error: the byte is garbage */

#define CMD_READ_CFG 0x20
#define CMD_WRITE_CFG 0x60
#define CMD_KBD_ENABLE 0xAE

#define CFG_KBD_INT 0x01
#define CFG_AUX_INT 0x02
#define CFG_KBD_OFF 0x10	/* keyboard port's clock disabled */
#define CFG_XLATE 0x40		/* translation to scancode set 1 */
#define CFG_RESERVED 0x80	/* always 0 in a real configuration byte */

#define FADT_BOOT_ARCH_8042 0x0002

#define I8042_IRQ_KBD 1
#define I8042_IRQ_AUX 12
#define I8042_VECTOR_KBD 0x35
#define I8042_VECTOR_AUX 0x36

#define WAIT_US 20000		/* the longest wait for the controller: 20 ms */
#define WAIT_STEP_US 10
#define FLUSH_MAX 32		/* stale bytes dropped at the probe */
#define DRAIN_MAX 32		/* bytes taken per drain */
#define RING_SIZE 256		/* power of two */

static struct {
	vmm_spinlock_t lock;
	bool present;
	u8 cfg;				/* configuration byte as last read/written */
	struct kbd_decoder dec;
	char ring[RING_SIZE];
	u32 head, tail;			/* head - tail bytes waiting */
	u64 received;			/* bytes given to the terminal */
	u64 scancodes, aux_bytes, lost;	/* lost: overrun answers, bad parity */
	bool irq;
	void (*notify)(void *data);
	void *data;
} kbd = { .lock = VMM_SPINLOCK_INIT };

bool i8042_present(void)
{
	return kbd.present;
}

/* Wait (bounded) until the status has all of 'set' and none of 'clear'. */
static bool wait_status(u8 set, u8 clear)
{
	for (u32 t = 0; t < WAIT_US; t += WAIT_STEP_US) {
		u8 st = inb(I8042_STATUS);

		if ((st & set) == set && !(st & clear))
			return true;
		acpi_delay_us(WAIT_STEP_US);
	}
	return false;
}

static bool write_cmd(u8 cmd)
{
	if (!wait_status(0, ST_IBF))
		return false;
	outb(I8042_CMD, cmd);
	return true;
}

static bool write_data(u8 v)
{
	if (!wait_status(0, ST_IBF))
		return false;
	outb(I8042_DATA, v);
	return true;
}

/* Drop what waits in the output buffer (keys typed before, in GRUB). */
static void flush_output(void)
{
	for (int i = 0; i < FLUSH_MAX && (inb(I8042_STATUS) & ST_OBF); i++)
		(void)inb(I8042_DATA);
}

/* Command 0x20: the configuration byte, -1 without an answer. A key
 * pressed just then can come first: a byte with the reserved bit, or two
 * reads that differ, are read again. */
static int read_cfg(void)
{
	int last = -1;

	for (int tries = 0; tries < 4; tries++) {
		int v;

		flush_output();
		if (!write_cmd(CMD_READ_CFG) || !wait_status(ST_OBF, 0))
			return -1;
		v = inb(I8042_DATA);
		if (!(v & CFG_RESERVED) && v == last)
			return v;
		last = v;
	}
	return last;
}

static bool write_cfg(u8 cfg)
{
	return write_cmd(CMD_WRITE_CFG) && write_data(cfg);
}

static bool fadt_says_no_8042(void)
{
	const struct acpi_power_info *pm = acpi_power_info();

	return pm->boot_arch_valid && !(pm->boot_arch & FADT_BOOT_ARCH_8042);
}

bool i8042_init(void)
{
	bool fadt_none = fadt_says_no_8042();
	const char *fadt_note = fadt_none ?
		" (the FADT's IAPC_BOOT_ARCH says this machine has no 8042)" : "";
	u8 st = inb(I8042_STATUS);
	int cfg;

	if (st == 0xFF) {
		vmm_info("console: keyboard: no i8042 keyboard controller: port 0x64 reads 0xff%s\n",
			 fadt_note);
		return false;
	}
	cfg = read_cfg();
	if (cfg < 0) {
		vmm_info("console: keyboard: no i8042 keyboard controller: status 0x%02x, but no answer to the read-configuration command (0x20) in %u ms%s\n",
			 st, WAIT_US / 1000, fadt_note);
		return false;
	}
	if (!(cfg & CFG_XLATE)) {
		vmm_warn("console: keyboard: i8042 configuration 0x%02x has translation off: the keys would come in scancode set 2, which this hypervisor does not read; the keyboard is not used\n",
			 cfg);
		return false;
	}
	if (cfg & CFG_KBD_OFF) {
		if (write_cmd(CMD_KBD_ENABLE)) {
			vmm_info("console: keyboard: the firmware left the keyboard port disabled: enabled it\n");
			cfg &= ~CFG_KBD_OFF;
		} else {
			vmm_warn("console: keyboard: the firmware left the keyboard port disabled and the controller did not take the enable command\n");
		}
	}
	kbd.cfg = (u8)cfg;
	kbd_decode_init(&kbd.dec);
	kbd.present = true;
	vmm_info("console: keyboard: i8042 (PS/2 or USB legacy emulation), configuration 0x%02x, US layout, IRQ %u once the terminal starts%s\n",
		 cfg, I8042_IRQ_KBD,
		 fadt_none ? " (the FADT's IAPC_BOOT_ARCH says there is no 8042, but one answered)" : "");
	return true;
}

/*
 * Move what the controller holds into the ring while it has room for a
 * key's bytes (lock held); true if any byte came for the terminal.
 */
static bool drain_locked(void)
{
	bool got = false;

	for (int i = 0; i < DRAIN_MAX; i++) {
		u8 st = inb(I8042_STATUS);
		char out[KBD_DECODE_MAX];
		size_t n;
		u8 sc;

		if (!(st & ST_OBF))
			break;
		if (RING_SIZE - (kbd.head - kbd.tail) < KBD_DECODE_MAX)
			break;		/* full: the key waits in the controller */
		sc = inb(I8042_DATA);
		if (st & ST_AUX) {
			kbd.aux_bytes++;
			continue;
		}
		if (st & ST_ERR) {
			kbd.lost++;
			continue;
		}
		kbd.scancodes++;
		if (sc == 0x00 || sc == 0xFF)	/* the keyboard's buffer overran */
			kbd.lost++;
		n = kbd_decode(&kbd.dec, sc, out, sizeof(out));
		for (size_t k = 0; k < n; k++)
			kbd.ring[kbd.head++ % RING_SIZE] = out[k];
		kbd.received += n;
		got |= n > 0;
	}
	return got;
}

/* IRQ 1 (a key) or IRQ 12 (the mouse): interrupt context, interrupts off. */
static void i8042_irq(u32 vector, struct arch_regs *regs, void *data)
{
	bool got;

	(void)vector; (void)regs; (void)data;
	vmm_spin_lock(&kbd.lock);
	got = drain_locked();
	vmm_spin_unlock(&kbd.lock);
	lapic_eoi();
	if (got && kbd.notify)
		kbd.notify(kbd.data);
}

int i8042_rx_start(void (*notify)(void *data), void *data)
{
	unsigned long flags;
	int rc;

	if (!kbd.present)
		return -VMM_ENOTAVAIL;
	if (kbd.irq)
		return VMM_OK;
	kbd.notify = notify;
	kbd.data = data;
	rc = vmm_host_irq_register(I8042_VECTOR_KBD, i8042_irq, NULL);
	if (rc)
		return rc;
	if ((kbd.cfg & CFG_AUX_INT) &&
	    vmm_host_irq_register(I8042_VECTOR_AUX, i8042_irq, NULL) == VMM_OK)
		host_ioapic_route_isa(I8042_IRQ_AUX, I8042_VECTOR_AUX);
	flags = vmm_spin_lock_irqsave(&kbd.lock);
	host_ioapic_route_isa(I8042_IRQ_KBD, I8042_VECTOR_KBD);
	if (!(kbd.cfg & CFG_KBD_INT)) {
		/* a key typed between the read and this write is taken below */
		if (write_cfg(kbd.cfg | CFG_KBD_INT))
			kbd.cfg |= CFG_KBD_INT;
		else
			vmm_warn("console: keyboard: the controller did not take the configuration byte: keys are polled\n");
	}
	kbd.irq = (kbd.cfg & CFG_KBD_INT) != 0;
	drain_locked();		/* what came before; its edge is gone */
	vmm_spin_unlock_irqrestore(&kbd.lock, flags);
	return kbd.irq ? VMM_OK : -VMM_ENOTAVAIL;
}

int i8042_getc(void)
{
	unsigned long flags;
	int c = -1;

	if (!kbd.present)
		return -1;
	flags = vmm_spin_lock_irqsave(&kbd.lock);
	/* also the fallback when an interrupt went missing, or before the
	 * start, or after a full ring stopped the reading */
	if (kbd.head == kbd.tail)
		drain_locked();
	if (kbd.head != kbd.tail)
		c = (u8)kbd.ring[kbd.tail++ % RING_SIZE];
	vmm_spin_unlock_irqrestore(&kbd.lock, flags);
	return c;
}

void i8042_rx_stats(u64 *received, u64 *lost, bool *irq)
{
	*received = kbd.received;
	*lost = kbd.lost;
	*irq = kbd.irq;
}
