/*
 * devemu/ioapic_model.c - the I/O APIC's registers, redirection table and
 * pin logic as a pure model (devemu/ioapic_model.h says what it does and
 * where it chooses).
 */
#include <string.h>
#include "devemu/ioapic_model.h"
#include "kernel/error.h"

/* The entry's delivery mode (APIC_BUS_DM_*). */
static u32 rte_mode(u64 rte)
{
	return (u32)((rte & IOAPIC_RTE_DM_MASK) >> IOAPIC_RTE_DM_SHIFT);
}

/* Does the entry have level semantics (remote IRR, EOI)? Only fixed and
 * lowest-priority messages do: NMI, INIT and ExtINT are edge on hardware. */
static bool rte_is_level(u64 rte)
{
	u32 dm = rte_mode(rte);

	return (rte & IOAPIC_RTE_LEVEL) && (dm == APIC_BUS_DM_FIXED || dm == APIC_BUS_DM_LOWEST);
}

/* Can the mode be sent at all (SMI and the reserved 3 and 6 cannot)? */
static bool mode_ok(u32 dm)
{
	return dm == APIC_BUS_DM_FIXED || dm == APIC_BUS_DM_LOWEST || dm == APIC_BUS_DM_NMI ||
	       dm == APIC_BUS_DM_INIT || dm == APIC_BUS_DM_EXTINT;
}

bool ioapic_pin_asserted(const struct ioapic *a, u32 pin)
{
	bool high;

	if (pin >= IOAPIC_NR_PINS)
		return false;
	high = (a->line >> pin) & 1;
	return high != !!(a->rte[pin] & IOAPIC_RTE_ACTIVE_LOW);
}

/*
 * Send pin's message now (the caller has checked mask and remote IRR).
 * Either way the pin can take a new request afterwards: 'taken'.
 */
static void fire(struct ioapic *a, u32 pin)
{
	u64 rte = a->rte[pin];
	u32 dm = rte_mode(rte);
	struct vmm_apic_msg msg;
	u32 accepted;

	a->taken |= 1u << pin;
	if (!mode_ok(dm)) {
		a->bad_mode |= 1u << pin;
		return;
	}
	memset(&msg, 0, sizeof(msg));
	msg.vector = (u8)(rte & IOAPIC_RTE_VECTOR);
	msg.delivery = (u8)dm;
	msg.shorthand = APIC_BUS_SH_NONE;
	msg.logical = rte & IOAPIC_RTE_LOGICAL;
	msg.level_trigger = rte_is_level(rte);
	msg.level_assert = true;
	msg.dest = (u32)(rte >> IOAPIC_RTE_DEST_SHIFT);
	msg.x2apic_dest = false;
	msg.sender = APIC_BUS_NO_SENDER;
	a->sent++;
	accepted = a->deliver ? a->deliver(a->priv, &msg) : 0;
	if (msg.level_trigger && accepted)
		a->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
}

/* A level pin is sent whenever it is asserted, unmasked and not waiting for
 * its EOI. */
static void level_check(struct ioapic *a, u32 pin)
{
	u64 rte = a->rte[pin];

	if (!rte_is_level(rte) || (rte & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)))
		return;
	if (ioapic_pin_asserted(a, pin))
		fire(a, pin);
}

void ioapic_reset(struct ioapic *a, u8 id)
{
	a->id = (u32)(id & 0xF) << 24;
	a->regsel = 0;
	for (u32 i = 0; i < IOAPIC_NR_PINS; i++)
		a->rte[i] = IOAPIC_RTE_MASKED;
	a->taken = 0;
	a->bad_mode = 0;
}

void ioapic_init(struct ioapic *a, u8 id, ioapic_deliver_fn deliver, void *priv)
{
	memset(a, 0, sizeof(*a));
	a->deliver = deliver;
	a->priv = priv;
	ioapic_reset(a, id);
}

u32 ioapic_reg_read(const struct ioapic *a, u32 index)
{
	u32 pin;

	switch (index) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return a->id;
	case IOAPIC_REG_VER:
		return IOAPIC_VERSION;
	}
	if (index < IOAPIC_REG_REDTBL || index >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NR_PINS)
		return 0;
	pin = (index - IOAPIC_REG_REDTBL) / 2;
	if (index & 1)
		return (u32)(a->rte[pin] >> 32);
	return (u32)a->rte[pin];
}

/* Write half of pin's entry ('high': bits 63:32). */
static void rte_write(struct ioapic *a, u32 pin, bool high, u32 value)
{
	u64 old = a->rte[pin], v, keep;

	if (high) {
		v = (u64)value << 32;
		keep = 0xFFFFFFFFull;
	} else {
		v = value;
		keep = ~0xFFFFFFFFull;
	}
	v = (old & keep) | (v & ~keep & IOAPIC_RTE_WRITABLE) |
	    (old & IOAPIC_RTE_REMOTE_IRR);
	/* remote IRR belongs to level entries: an entry written as edge (or to
	 * a mode without EOI) drops it */
	if (!rte_is_level(v))
		v &= ~IOAPIC_RTE_REMOTE_IRR;
	a->rte[pin] = v;
	/* unmasked now: a new edge is delivered again ('taken') */
	if ((old & IOAPIC_RTE_MASKED) && !(v & IOAPIC_RTE_MASKED))
		a->taken |= 1u << pin;
	level_check(a, pin);
}

void ioapic_reg_write(struct ioapic *a, u32 index, u32 value)
{
	if (index == IOAPIC_REG_ID) {
		a->id = value & 0x0F000000u;
		return;
	}
	if (index < IOAPIC_REG_REDTBL || index >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NR_PINS)
		return;		/* version, arbitration, unimplemented: read-only */
	rte_write(a, (index - IOAPIC_REG_REDTBL) / 2, index & 1, value);
}

int ioapic_mmio_read(struct ioapic *a, u32 offset, u32 width, u32 *value)
{
	*value = 0;
	if (offset == IOAPIC_IOREGSEL && (width == 4 || width == 1)) {
		*value = a->regsel;
		return VMM_OK;
	}
	if (offset == IOAPIC_IOWIN && width == 4) {
		*value = ioapic_reg_read(a, a->regsel);
		return VMM_OK;
	}
	return -VMM_EINVALID;
}

int ioapic_mmio_write(struct ioapic *a, u32 offset, u32 width, u32 value)
{
	if (offset == IOAPIC_IOREGSEL && (width == 4 || width == 1)) {
		a->regsel = value & 0xFF;
		return VMM_OK;
	}
	if (offset == IOAPIC_IOWIN && width == 4) {
		ioapic_reg_write(a, a->regsel, value);
		return VMM_OK;
	}
	return -VMM_EINVALID;
}

void ioapic_set_pin(struct ioapic *a, u32 pin, int level)
{
	bool was, now;

	if (pin >= IOAPIC_NR_PINS)
		return;
	was = ioapic_pin_asserted(a, pin);
	if (level)
		a->line |= 1u << pin;
	else
		a->line &= ~(1u << pin);
	now = ioapic_pin_asserted(a, pin);
	if (rte_is_level(a->rte[pin])) {
		level_check(a, pin);
		return;
	}
	/* edge: the rise of the asserted state; lost while masked */
	if (!was && now && !(a->rte[pin] & IOAPIC_RTE_MASKED))
		fire(a, pin);
}

void ioapic_eoi(struct ioapic *a, u8 vector)
{
	for (u32 pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		u64 rte = a->rte[pin];

		if (!(rte & IOAPIC_RTE_REMOTE_IRR) || (u8)(rte & IOAPIC_RTE_VECTOR) != vector)
			continue;
		a->rte[pin] = rte & ~IOAPIC_RTE_REMOTE_IRR;
		a->taken |= 1u << pin;
		level_check(a, pin);
	}
}

u32 ioapic_take_reports(struct ioapic *a)
{
	u32 t = a->taken;

	a->taken = 0;
	return t;
}
