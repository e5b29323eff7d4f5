/*
 * devemu/i8259.c - the Intel 8259A programmable interrupt controller pair
 * of a PC guest (compatible "i8259a"), and the ELCR edge/level registers at
 * 0x4D0/0x4D1 (compatible "intel,elcr").
 *
 * Following the 8259A datasheet: initialisation with ICW1-ICW4; OCW1 (mask),
 * OCW2 (non-specific, specific and rotating EOI, set priority, rotate in
 * automatic-EOI mode), OCW3 (read IRR/ISR, poll, special mask); IRR, ISR and
 * IMR; fully nested and special fully nested mode; automatic EOI;
 * fixed and rotating priority; edge and level triggering (LTIM, or per line
 * through the ELCR as on PCs); the slave cascaded on master input 2; a
 * spurious IRQ7 (IRQ15 on the slave) when a request goes away before INTA.
 *
 * The master is the virtual region without an `interrupts` attribute, the
 * slave the one whose `interrupts` names the master input it is wired to.
 * Both share one state per guest and together are the guest's interrupt
 * controller for the device-emulation framework. It reports every latched
 * request that goes away (INTA, poll, ICW1, a level line dropping) through
 * vmm_devemu_irq_taken(), so edge sources can coalesce (devemu.h), and
 * takes a pulse (the PIT's tick) in one step (pair_pulse_line()).
 *
 * The master's INTR drives the ExtINT line of the guest's boot VCPU
 * (pic_intr_vcpu(), the one place that says so; kernel/vcpu_irq.h), which
 * takes the INTA cycle through pair_acknowledge().
 */
#include <string.h>
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/vcpu_irq.h"
#include "kernel/aspace.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"

struct pic8259 {
	u8 irr, isr, imr;
	u8 last_level;		/* line levels seen, for edge detection */
	u8 elcr, elcr_mask;	/* level-triggered lines; lines that may be level */
	u8 irq_base;		/* ICW2: vector of line 0 */
	u8 priority_add;	/* line with the highest priority (rotation) */
	u8 init_state;		/* 0 ready, 1 ICW2, 2 ICW3, 3 ICW4 next */
	bool need_icw4, single, ltim;
	u8 icw3;
	bool auto_eoi, rotate_on_aeoi, special_fully_nested;
	bool read_isr, poll, special_mask;
};

struct pic_pair {
	struct pic8259 chip[2];	/* 0 master, 1 slave */
	u8 cascade_line;	/* master input the slave drives (2) */
	struct vmm_guest *guest;
	struct vmm_irqchip irqchip;
	vmm_spinlock_t lock;
	bool registered;
	bool intr;		/* INTR to the CPU, recomputed on every state change */
	struct vmm_vcpu *intr_vcpu;	/* whose ExtINT line INTR drives */
	u16 irr_seen;		/* both IRRs (slave in bits 8-15) at the last change */
	u16 taken;		/* requests gone since, not yet reported */
};

/*
 * Priority (0 = highest) of the highest-priority bit of 'mask', 8 if none:
 * line (p + priority_add) & 7 has priority p, so the mask rotated right by
 * priority_add has it at bit p (no loop: this runs several times per
 * interrupt).
 */
static int get_priority(const struct pic8259 *s, u8 mask)
{
	u32 pa = s->priority_add & 7;
	u32 rot = ((u32)mask >> pa | (u32)mask << (8 - pa)) & 0xFF;

	return rot ? __builtin_ctz(rot) : 8;
}

/* The line the chip would present now, or -1. */
static int chip_output(const struct pic8259 *s, bool is_master, u8 cascade)
{
	u8 mask = s->irr & ~s->imr;
	u8 in_service = s->isr;
	int prio, cur;

	prio = get_priority(s, mask);
	if (prio == 8)
		return -1;
	/* special mask mode: masked in-service lines do not block lower ones */
	if (s->special_mask)
		in_service &= ~s->imr;
	/* special fully nested: a request from the slave passes its own IS bit */
	if (is_master && s->special_fully_nested && ((prio + s->priority_add) & 7) == cascade)
		in_service &= ~(1u << cascade);
	cur = get_priority(s, in_service);
	if (prio < cur)
		return (prio + s->priority_add) & 7;
	return -1;
}

/* Is input 'line' level triggered (ELCR bit, or LTIM for the whole chip)? */
static bool line_is_level(const struct pic8259 *s, u32 line)
{
	return (s->elcr | (s->ltim ? 0xFF : 0)) & (1u << line);
}

static void chip_set_line(struct pic8259 *s, u32 line, int level)
{
	u8 bit = 1u << line;

	if (line_is_level(s, line)) {	/* level triggered */
		if (level)
			s->irr |= bit;
		else
			s->irr &= ~bit;
	} else if (level) {			/* edge: low-to-high transition */
		if (!(s->last_level & bit))
			s->irr |= bit;
	}
	if (level)
		s->last_level |= bit;
	else
		s->last_level &= ~bit;
}

/* Propagate the slave's output to the master's cascade input, and the
 * master's to INTR: a change of INTR is a change of the VCPU's ExtINT line
 * (its pending bit is read on every VM entry). */
static void update_cascade(struct pic_pair *pp)
{
	int out = chip_output(&pp->chip[1], false, 0);
	bool intr;
	u16 irr;

	chip_set_line(&pp->chip[0], pp->cascade_line, out >= 0);
	intr = chip_output(&pp->chip[0], true, pp->cascade_line) >= 0;
	if (intr != pp->intr && pp->intr_vcpu) {
		if (intr)
			vmm_vcpu_irq_assert(pp->intr_vcpu, VMM_VCPU_IRQ_EXTINT);
		else
			vmm_vcpu_irq_deassert(pp->intr_vcpu, VMM_VCPU_IRQ_EXTINT);
	}
	pp->intr = intr;
	/* requests that went away (taken, dropped): reported once unlocked */
	irr = pp->chip[0].irr | (u16)pp->chip[1].irr << 8;
	pp->taken |= pp->irr_seen & ~irr;
	pp->irr_seen = irr;
}

/* Release the pair's lock, then tell devemu which requests were taken
 * (vmm_irqchip.reports_taken): the listeners take their own locks. */
static void unlock_and_report(struct pic_pair *pp, unsigned long f)
{
	u16 t = pp->taken;

	pp->taken = 0;
	vmm_spin_unlock_irqrestore(&pp->lock, f);
	if (t && pp->guest)
		vmm_devemu_irq_taken(pp->guest, t);
}

static void chip_intack(struct pic8259 *s, int line)
{
	if (s->auto_eoi) {
		if (s->rotate_on_aeoi)
			s->priority_add = (line + 1) & 7;
	} else {
		s->isr |= 1u << line;
	}
	/* an edge request is consumed; a level one stays while the line is high */
	if (!line_is_level(s, line))
		s->irr &= ~(1u << line);
}

/* INTA cycle: the vector the pair delivers (spurious IRQ7/15 if none). */
static u8 pair_acknowledge_locked(struct pic_pair *pp)
{
	struct pic8259 *m = &pp->chip[0], *sl = &pp->chip[1];
	int line = chip_output(m, true, pp->cascade_line), sline;
	u8 vector;

	if (line < 0)
		return m->irq_base + 7;		/* spurious on the master */
	chip_intack(m, line);
	if (line == pp->cascade_line) {
		sline = chip_output(sl, false, 0);
		if (sline >= 0) {
			chip_intack(sl, sline);
			vector = sl->irq_base + sline;
		} else {
			vector = sl->irq_base + 7;	/* spurious on the slave */
		}
	} else {
		vector = m->irq_base + line;
	}
	update_cascade(pp);
	return vector;
}

/* ICW1 (datasheet "Initialization command words"): IMR cleared, IR7 lowest
 * priority, special mask off, status read set to IRR, ICW4 functions off. */
static void chip_reset(struct pic8259 *s, u8 elcr_mask)
{
	u8 elcr = s->elcr, level = s->last_level;

	memset(s, 0, sizeof(*s));
	s->elcr = elcr & elcr_mask;	/* the ELCR is not part of the 8259A */
	s->elcr_mask = elcr_mask;
	s->last_level = level;		/* the lines themselves do not change */
	s->irr = level & s->elcr;	/* a level request still high stays requested */
}

/* ---- the irqchip interface -------------------------------------------- */

static void pair_set_line(void *priv, u32 irq, int level)
{
	struct pic_pair *pp = priv;
	unsigned long f;

	if (irq >= 16)
		return;
	f = vmm_spin_lock_irqsave(&pp->lock);
	if (irq >= 8)
		chip_set_line(&pp->chip[1], irq - 8, level);
	else
		chip_set_line(&pp->chip[0], irq, level);
	update_cascade(pp);
	unlock_and_report(pp, f);
}

/*
 * An edge on input irq (the PIT's IRQ0 every tick): the same as
 * pair_set_line 1 then 0, under one lock. On an edge-triggered input the
 * rise latches the request and the fall changes no output, so one update
 * of the outputs after both is the same as one after each; a
 * level-triggered input sees a request that comes and goes, so the rise
 * is propagated (INTR, taken reports) before the fall, as two calls would.
 */
static void pair_pulse_line(void *priv, u32 irq)
{
	struct pic_pair *pp = priv;
	struct pic8259 *s;
	unsigned long f;
	u32 line;

	if (irq >= 16)
		return;
	s = &pp->chip[irq >= 8];
	line = irq & 7;
	f = vmm_spin_lock_irqsave(&pp->lock);
	chip_set_line(s, line, 1);
	if (line_is_level(s, line))
		update_cascade(pp);
	chip_set_line(s, line, 0);
	update_cascade(pp);
	unlock_and_report(pp, f);
}

/* The VCPU takes the interrupt INTR presents (its ExtINT acknowledge). */
static int pair_acknowledge(void *priv)
{
	struct pic_pair *pp = priv;
	unsigned long f = vmm_spin_lock_irqsave(&pp->lock);
	u8 v = pair_acknowledge_locked(pp);

	unlock_and_report(pp, f);
	return v;
}

/* ---- register interface ------------------------------------------------ */

struct pic_dev {
	struct pic_pair *pp;
	int index;		/* 0 master, 1 slave */
};

static void write_command(struct pic_pair *pp, struct pic8259 *s, u8 val)
{
	int prio, line;

	if (val & 0x10) {			/* ICW1 */
		chip_reset(s, s->elcr_mask);
		s->init_state = 1;
		s->need_icw4 = val & 0x01;
		s->single = val & 0x02;
		s->ltim = val & 0x08;
		/* in level-triggered mode a line held high is a request at once */
		if (s->ltim)
			s->irr |= s->last_level;
		return;
	}
	if (val & 0x08) {			/* OCW3 */
		if (val & 0x04)
			s->poll = true;
		if (val & 0x02)
			s->read_isr = val & 0x01;
		if (val & 0x40)
			s->special_mask = (val >> 5) & 1;
		return;
	}
	switch (val >> 5) {			/* OCW2 */
	case 0:					/* rotate in automatic EOI mode: clear */
	case 4:					/* ... set */
		s->rotate_on_aeoi = val >> 7;
		break;
	case 1:					/* non-specific EOI */
	case 5:					/* rotate on non-specific EOI */
		prio = get_priority(s, s->special_mask ? s->isr & ~s->imr : s->isr);
		if (prio != 8) {
			line = (prio + s->priority_add) & 7;
			s->isr &= ~(1u << line);
			if ((val >> 5) == 5)
				s->priority_add = (line + 1) & 7;
		}
		break;
	case 3:					/* specific EOI */
		s->isr &= ~(1u << (val & 7));
		break;
	case 6:					/* set priority: line val&7 lowest */
		s->priority_add = ((val & 7) + 1) & 7;
		break;
	case 7:					/* rotate on specific EOI */
		s->isr &= ~(1u << (val & 7));
		s->priority_add = ((val & 7) + 1) & 7;
		break;
	default:				/* 2: no operation */
		break;
	}
	(void)pp;
}

static void write_data(struct pic8259 *s, u8 val)
{
	switch (s->init_state) {
	case 0:					/* OCW1 */
		s->imr = val;
		break;
	case 1:					/* ICW2 */
		s->irq_base = val & 0xF8;
		s->init_state = s->single ? (s->need_icw4 ? 3 : 0) : 2;
		break;
	case 2:					/* ICW3 */
		s->icw3 = val;
		s->init_state = s->need_icw4 ? 3 : 0;
		break;
	case 3:					/* ICW4 */
		s->special_fully_nested = (val >> 4) & 1;
		s->auto_eoi = (val >> 1) & 1;
		s->init_state = 0;
		break;
	}
}

/* Poll command: the next read is an acknowledge (datasheet, "Poll command"). */
static u8 poll_read(struct pic_pair *pp, int index)
{
	struct pic8259 *s = &pp->chip[index];
	int line = chip_output(s, index == 0, pp->cascade_line);

	s->poll = false;
	if (line < 0)
		return 0;
	chip_intack(s, line);
	update_cascade(pp);
	return 0x80 | line;
}

static int pic_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct pic_dev *d = ed->priv;
	struct pic_pair *pp = d->pp;
	struct pic8259 *s = &pp->chip[d->index];
	unsigned long f = vmm_spin_lock_irqsave(&pp->lock);

	(void)width;
	if (s->poll)
		*value = poll_read(pp, d->index);
	else if (off == 0)
		*value = s->read_isr ? s->isr : s->irr;
	else
		*value = s->imr;
	unlock_and_report(pp, f);
	return VMM_OK;
}

static int pic_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct pic_dev *d = ed->priv;
	struct pic_pair *pp = d->pp;
	struct pic8259 *s = &pp->chip[d->index];
	unsigned long f = vmm_spin_lock_irqsave(&pp->lock);

	(void)width;
	if (off == 0)
		write_command(pp, s, (u8)value);
	else
		write_data(s, (u8)value);
	/* unmasking or EOI can make a waiting request deliverable: INTR rises */
	update_cascade(pp);
	unlock_and_report(pp, f);
	return VMM_OK;
}

/*
 * Where the pair's INTR goes: the ExtINT line of the guest's boot VCPU (on
 * a PC the 8259A is wired to the BSP's LINT0), NULL for a guest without
 * VCPUs.
 */
static struct vmm_vcpu *pic_intr_vcpu(struct vmm_guest *g)
{
	return g->nr_vcpus ? g->vcpus[0] : NULL;
}

static struct pic_pair *pair_of(struct vmm_guest *g)
{
	struct pic_pair *pp = vmm_devemu_guest_shared(g, "i8259", sizeof(*pp));

	if (pp && !pp->guest) {
		pp->guest = g;
		pp->cascade_line = 2;
		pp->chip[0].elcr_mask = 0xF8;	/* IRQ0-2 are always edge on a PC */
		pp->chip[1].elcr_mask = 0xDE;	/* IRQ8 and IRQ13 too */
		pp->irqchip = (struct vmm_irqchip){ .name = "i8259a", .priv = pp,
						    .first_line = 0, .nr_lines = 16,
						    .set_line = pair_set_line,
						    .pulse_line = pair_pulse_line,
						    .reports_taken = true };
	}
	return pp;
}

static int pic_probe(struct vmm_emudev *ed)
{
	int rc;
	struct pic_pair *pp = pair_of(ed->guest);
	struct pic_dev *d;
	int cascade = vmm_devemu_region_irq(ed);

	if (!pp)
		return -VMM_ENOMEM;
	d = vmm_zalloc(sizeof(*d));
	if (!d)
		return -VMM_ENOMEM;
	d->pp = pp;
	d->index = cascade >= 0 ? 1 : 0;
	if (cascade >= 0) {
		if (cascade > 7) {
			vmm_err("guest %s: region %s: a slave 8259A must be wired to a master input 0-7, not %d\n",
				ed->guest->name, ed->region->cfg->name, cascade);
			vmm_free(d);
			return -VMM_EINVALID;
		}
		pp->cascade_line = (u8)cascade;
	}
	ed->priv = d;
	if (!pp->registered) {
		struct vmm_vcpu *v = pic_intr_vcpu(ed->guest);

		if (!v) {
			vmm_err("guest %s: region %s: the 8259A's INTR needs a VCPU to go to; the guest has none\n",
				ed->guest->name, ed->region->cfg->name);
			rc = -VMM_EINVALID;
			goto undo;
		}
		rc = vmm_vcpu_irq_line_connect(v, VMM_VCPU_IRQ_EXTINT, pair_acknowledge, pp);
		if (rc) {
			vmm_err("guest %s: region %s: %s's ExtINT line is driven by another controller\n",
				ed->guest->name, ed->region->cfg->name, v->name);
			goto undo;
		}
		rc = vmm_devemu_irqchip_register(ed->guest, &pp->irqchip);
		if (rc)
			goto undo;
		pp->intr_vcpu = v;
		pp->registered = true;
	}
	return VMM_OK;
undo:	/* a failed probe undoes itself (devemu.h) */
	ed->priv = NULL;
	vmm_free(d);
	return rc;
}

/*
 * A guest reset resets the pair as a whole (the order in which the two
 * regions are reset must not leave the slave's old INT latched in the
 * master), with no line high and the ELCR cleared.
 */
static int pic_reset(struct vmm_emudev *ed)
{
	struct pic_dev *d = ed->priv;
	struct pic_pair *pp = d->pp;
	unsigned long f = vmm_spin_lock_irqsave(&pp->lock);

	for (int i = 0; i < 2; i++) {
		u8 mask = pp->chip[i].elcr_mask;

		memset(&pp->chip[i], 0, sizeof(pp->chip[i]));
		pp->chip[i].elcr_mask = mask;
	}
	update_cascade(pp);
	unlock_and_report(pp, f);
	return VMM_OK;
}

/* The register window's handle; the pair itself is a shared block that
 * devemu frees after every remove (no timers: nothing to stop). */
static void pic_remove(struct vmm_emudev *ed)
{
	vmm_free(ed->priv);
	ed->priv = NULL;
}

static const char *const pic_compatible[] = { "i8259a", "intel,8259a", NULL };

const struct vmm_emulator i8259_emulator = {
	.name = "i8259a",
	.device_type = "pic",
	.compatible = pic_compatible,
	.probe = pic_probe,
	.reset = pic_reset,
	.remove = pic_remove,
	.read = pic_read,
	.write = pic_write,
};
VMM_EMULATOR(i8259_emulator);

/* ---- ELCR: 0x4D0 master, 0x4D1 slave ---------------------------------- */

static int elcr_probe(struct vmm_emudev *ed)
{
	ed->priv = pair_of(ed->guest);
	return ed->priv ? VMM_OK : -VMM_ENOMEM;
}

static int elcr_reset(struct vmm_emudev *ed)
{
	struct pic_pair *pp = ed->priv;

	pp->chip[0].elcr = pp->chip[1].elcr = 0;
	return VMM_OK;
}

static int elcr_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct pic_pair *pp = ed->priv;

	*value = pp->chip[0].elcr;
	if (width >= 2)
		*value |= (u64)pp->chip[1].elcr << 8;
	else if (off == 1)
		*value = pp->chip[1].elcr;
	return VMM_OK;
}

static int elcr_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct pic_pair *pp = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&pp->lock);

	if (off == 0) {
		pp->chip[0].elcr = value & pp->chip[0].elcr_mask;
		if (width >= 2)
			pp->chip[1].elcr = (value >> 8) & pp->chip[1].elcr_mask;
	} else {
		pp->chip[1].elcr = value & pp->chip[1].elcr_mask;
	}
	/* a line now level-triggered and high is a request (datasheet: level
	 * mode recognises the level, not an edge) */
	for (int i = 0; i < 2; i++)
		pp->chip[i].irr |= pp->chip[i].last_level & pp->chip[i].elcr;
	update_cascade(pp);
	unlock_and_report(pp, f);
	return VMM_OK;
}

static const char *const elcr_compatible[] = { "intel,elcr", NULL };

const struct vmm_emulator elcr_emulator = {
	.name = "elcr",
	.device_type = "pic",
	.compatible = elcr_compatible,
	.probe = elcr_probe,
	.reset = elcr_reset,
	.read = elcr_read,
	.write = elcr_write,
};
VMM_EMULATOR(elcr_emulator);
