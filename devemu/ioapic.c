/*
 * devemu/ioapic.c - the I/O APIC of a PC guest (compatible "x86,ioapic",
 * device_type "pic"): a memory region of at least 0x20 bytes (0x1000 at
 * 0xFEC00000 in dts/guests/pc-guest.dtsi), IOREGSEL at 0x00 and IOWIN at
 * 0x10, with the registers and pin logic of devemu/ioapic_model.c.
 *
 * Wiring, as on a PC (and as the MADT of kernel/acpi_tables.c says): it is
 * an interrupt controller for the guest's ISA lines 0-15 next to the 8259A
 * pair (devemu.h: a line goes to both); ISA line n drives pin n, except
 * line 0 (the PIT), which drives pin 2 (the MADT's interrupt source
 * override). Pin 0 (the 8259A's ExtINT output on a PC) and line 2 (the
 * cascade, no ISA device) are not connected; pins 16-23 have no line.
 *
 * Messages go out through the guest's APIC bus (devemu/apic_bus.h) while
 * the device's lock is held; EOIs of level-triggered vectors come back
 * through the bus's EOI listener, registered at probe.
 *
 * "Taken" reports (devemu.h, the PIT's coalescing): once its lock is
 * released the device reports, through vmm_devemu_irq_taken(), the lines
 * of the pins that became able to take a new request - a message sent for
 * the pin (edge: the moment its message is delivered), its mask cleared by
 * the guest, its remote IRR cleared by an EOI. A masked pin reports
 * nothing: a PIT whose edges only reach masked inputs waits (costs no
 * timer events) until the guest unmasks one.
 *
 * Reset: every pin masked; the ID is the guest's number of VCPUs (the
 * first APIC ID after the local APICs', as the MADT says).
 */
#include "devemu/devemu.h"
#include "devemu/apic_bus.h"
#include "devemu/ioapic_model.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/guest_config.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"
#include "kernel/printk.h"

#define IOAPIC_MIN_SIZE		0x20
#define IOAPIC_ISA_LINES	16

struct ioapic_dev {
	struct ioapic model;
	struct vmm_guest *guest;
	const char *region;	/* the region's name, for messages */
	struct vmm_irqchip irqchip;
	vmm_spinlock_t lock;
	bool probed;		/* a region of this guest is the IO-APIC */
	bool removed;		/* remove ran: lines change nothing any more */
	bool warned_access;	/* a bad MMIO access was reported */
	u32 warned_mode;	/* pins whose bad delivery mode was reported */
};

/* The pin guest line 'line' drives, or -1. */
static int line_pin(u32 line)
{
	if (line == 0)
		return 2;
	if (line == 2 || line >= IOAPIC_ISA_LINES)
		return -1;
	return (int)line;
}

/* The guest lines of the pins in 'pins' (devemu's taken mask). */
static u32 pins_to_lines(u32 pins)
{
	u32 lines = 0;

	for (u32 l = 0; l < IOAPIC_ISA_LINES; l++) {
		int p = line_pin(l);

		if (p >= 0 && (pins & (1u << p)))
			lines |= 1u << l;
	}
	return lines;
}

/* The reset ID: the guest's VCPU count (from its configuration: the
 * devices exist before the VCPUs), in the register's 4 bits. */
static u8 default_id(struct vmm_guest *g)
{
	u32 n = g->config ? g->config->nr_vcpus : g->nr_vcpus;

	return (u8)(n & 0xF);
}

/* The model's way out: the guest's APIC bus. */
static u32 bus_deliver(void *priv, const struct vmm_apic_msg *msg)
{
	struct ioapic_dev *d = priv;

	return vmm_apic_bus_deliver(d->guest, msg);
}

/* Release the lock, then say what the model collected: taken requests to
 * devemu, bad delivery modes once per pin (until reset) to the console. */
static void unlock_and_report(struct ioapic_dev *d, unsigned long f)
{
	u32 lines = pins_to_lines(ioapic_take_reports(&d->model));
	u32 bad = d->model.bad_mode & ~d->warned_mode;
	u8 mode[IOAPIC_NR_PINS];

	for (u32 p = 0; bad && p < IOAPIC_NR_PINS; p++)
		mode[p] = (u8)((d->model.rte[p] & IOAPIC_RTE_DM_MASK) >> IOAPIC_RTE_DM_SHIFT);
	d->model.bad_mode = 0;
	d->warned_mode |= bad;
	vmm_spin_unlock_irqrestore(&d->lock, f);
	for (u32 p = 0; bad && p < IOAPIC_NR_PINS; p++)
		if (bad & (1u << p))
			vmm_warn("guest %s: %s: pin %u fired with delivery mode %u (SMI or reserved): not delivered\n",
				 d->guest->name, d->region, p, mode[p]);
	if (lines)
		vmm_devemu_irq_taken(d->guest, lines);
}

/* ---- the irqchip interface -------------------------------------------- */

static void ioapic_set_line(void *priv, u32 irq, int level)
{
	struct ioapic_dev *d = priv;
	int pin = line_pin(irq);
	unsigned long f;

	if (pin < 0)
		return;
	f = vmm_spin_lock_irqsave(&d->lock);
	if (!d->removed)
		ioapic_set_pin(&d->model, (u32)pin, level);
	unlock_and_report(d, f);
}

/* An edge (the PIT's tick): rise and fall under one lock. */
static void ioapic_pulse_line(void *priv, u32 irq)
{
	struct ioapic_dev *d = priv;
	int pin = line_pin(irq);
	unsigned long f;

	if (pin < 0)
		return;
	f = vmm_spin_lock_irqsave(&d->lock);
	if (!d->removed) {
		ioapic_set_pin(&d->model, (u32)pin, 1);
		ioapic_set_pin(&d->model, (u32)pin, 0);
	}
	unlock_and_report(d, f);
}

/* The APIC bus: a local APIC EOIed level-triggered 'vector'. */
static void ioapic_eoi_listener(void *priv, u8 vector)
{
	struct ioapic_dev *d = priv;
	unsigned long f = vmm_spin_lock_irqsave(&d->lock);

	if (!d->removed)
		ioapic_eoi(&d->model, vector);
	unlock_and_report(d, f);
}

/* ---- the emulator ------------------------------------------------------ */

/* A guest access that is not a 32-bit one to IOREGSEL/IOWIN (or a byte to
 * IOREGSEL): reported once per guest, then silent. */
static void bad_access(struct ioapic_dev *d, const char *what, u64 off, u32 width)
{
	unsigned long f = vmm_spin_lock_irqsave(&d->lock);
	bool report = !d->warned_access;

	d->warned_access = true;
	vmm_spin_unlock_irqrestore(&d->lock, f);
	if (report)
		vmm_warn("guest %s: %s: %u-byte %s at offset 0x%llx ignored (only 32-bit IOREGSEL 0x00 / IOWIN 0x10); later ones silently\n",
			 d->guest->name, d->region, width, what, (unsigned long long)off);
}

/* Guest MMIO read of the window (devemu's read op). */
static int ioapic_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct ioapic_dev *d = ed->priv;
	unsigned long f;
	u32 v = 0;
	int rc = -VMM_EINVALID;

	if (off <= IOAPIC_IOWIN) {
		f = vmm_spin_lock_irqsave(&d->lock);
		rc = ioapic_mmio_read(&d->model, (u32)off, width, &v);
		vmm_spin_unlock_irqrestore(&d->lock, f);
	}
	*value = v;
	if (rc)
		bad_access(d, "read", off, width);
	return VMM_OK;
}

/* Guest MMIO write: a register write may send messages and report taken pins. */
static int ioapic_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct ioapic_dev *d = ed->priv;
	unsigned long f;
	int rc = -VMM_EINVALID;

	if (off <= IOAPIC_IOWIN) {
		f = vmm_spin_lock_irqsave(&d->lock);
		rc = ioapic_mmio_write(&d->model, (u32)off, width, (u32)value);
		unlock_and_report(d, f);
	}
	if (rc)
		bad_access(d, "write", off, width);
	return VMM_OK;
}

/*
 * One IO-APIC per guest, on a memory region: the state in a shared block,
 * the EOI listener on the APIC bus, the irqchip for ISA lines 0-15.
 */
static int ioapic_probe(struct vmm_emudev *ed)
{
	struct vmm_guest *g = ed->guest;
	const struct vmm_region_config *rc_ = ed->region->cfg;
	/* a shared block: devemu keeps the irqchip's lines pointing at it
	 * until every device is removed, and frees it after that */
	struct ioapic_dev *d = vmm_devemu_guest_shared(g, "ioapic", sizeof(*d));
	int rc;

	if (!d)
		return -VMM_ENOMEM;
	if (d->probed) {
		vmm_err("guest %s: region %s: the guest has an IO-APIC already (%s); one is supported\n",
			g->name, rc_->name, d->region);
		return -VMM_EEXIST;
	}
	if (rc_->io || rc_->size < IOAPIC_MIN_SIZE) {
		vmm_err("guest %s: region %s: an IO-APIC is a memory region of at least 0x%x bytes\n",
			g->name, rc_->name, IOAPIC_MIN_SIZE);
		return -VMM_EINVALID;
	}
	d->guest = g;
	d->region = rc_->name;
	d->lock = (vmm_spinlock_t)VMM_SPINLOCK_INIT;
	ioapic_init(&d->model, default_id(g), bus_deliver, d);
	d->irqchip = (struct vmm_irqchip){ .name = "ioapic", .priv = d,
					   .first_line = 0, .nr_lines = IOAPIC_ISA_LINES,
					   .set_line = ioapic_set_line,
					   .pulse_line = ioapic_pulse_line,
					   .reports_taken = true };
	rc = vmm_apic_bus_eoi_listen(g, ioapic_eoi_listener, d);
	if (rc) {
		vmm_err("guest %s: region %s: the APIC bus has an EOI listener already (rc %d)\n",
			g->name, rc_->name, rc);
		return rc;
	}
	rc = vmm_devemu_irqchip_register(g, &d->irqchip);
	if (rc) {
		vmm_apic_bus_eoi_unlisten(g, d);
		return rc;
	}
	d->probed = true;
	ed->priv = d;
	return VMM_OK;
}

/* Guest reset: every pin masked, the default ID. */
static int ioapic_reset_dev(struct vmm_emudev *ed)
{
	struct ioapic_dev *d = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&d->lock);

	ioapic_reset(&d->model, default_id(d->guest));
	d->warned_mode = 0;
	d->warned_access = false;
	unlock_and_report(d, f);
	return VMM_OK;
}

/* Off the bus; the block itself is devemu's to free (after every remove). */
static void ioapic_remove(struct vmm_emudev *ed)
{
	struct ioapic_dev *d = ed->priv;
	unsigned long f;

	if (!d)
		return;
	f = vmm_spin_lock_irqsave(&d->lock);
	d->removed = true;
	vmm_spin_unlock_irqrestore(&d->lock, f);
	vmm_apic_bus_eoi_unlisten(d->guest, d);
	ed->priv = NULL;
}

static const char *const ioapic_compatible[] = { "x86,ioapic", NULL };

const struct vmm_emulator ioapic_emulator = {
	.name = "ioapic",
	.device_type = "pic",
	.compatible = ioapic_compatible,
	.probe = ioapic_probe,
	.reset = ioapic_reset_dev,
	.remove = ioapic_remove,
	.read = ioapic_read,
	.write = ioapic_write,
};
VMM_EMULATOR(ioapic_emulator);
