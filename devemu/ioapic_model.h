/*
 * devemu/ioapic_model.h - the registers and pin semantics of one I/O APIC
 * (Intel 82093AA datasheet, 290566) as a pure model: no devemu
 * registration, no locking, no guest. The caller (devemu/ioapic.c)
 * serialises calls, turns guest lines into pin levels, passes EOIs from
 * the APIC bus and reports the pins the model says can take a new request.
 * Messages leave through the 'deliver' callback, which returns how many
 * local APICs accepted the message (devemu/apic_bus.h).
 *
 * Registers (indirect: IOREGSEL at MMIO offset 0x00 selects, IOWIN at 0x10
 * reads and writes the selected 32-bit register):
 *   0x00 IOAPICID  (bits 27:24 writable, 4-bit ID as in version 0x11)
 *   0x01 IOAPICVER 0x00170011: 24 pins (maximum redirection entry 23), version 0x11
 *   0x02 IOAPICARB (reads as the ID: the arbitration ID is loaded from it)
 *   0x10 + 2n, 0x11 + 2n: redirection entry n, low and high dword
 * Other indices read 0 and ignore writes.
 *
 * Choices (where the datasheet leaves room, or where we differ):
 *   - delivery is immediate: the delivery-status bit always reads 0.
 *   - reserved bits 17-55 of an entry read 0 (writes to them are dropped);
 *     delivery status and remote IRR are read-only.
 *   - an edge on a masked pin is lost (datasheet: "not delivered or held
 *     pending"); a masked level pin still asserted is delivered once it is
 *     unmasked (its line is sampled again).
 *   - level semantics (remote IRR, EOI, re-delivery while asserted) apply to
 *     the fixed and lowest-priority modes; NMI, INIT and ExtINT pins are
 *     edge-sensitive whatever their trigger bit says (the datasheet requires
 *     edge for them). SMI and the reserved modes 3 and 6 deliver nothing:
 *     the pin is recorded in 'bad_mode' for the caller to report.
 *   - remote IRR is set only when at least one local APIC accepted a level
 *     message: a message nobody took leaves the pin free, so it is sent
 *     again at the next register write or EOI rather than sticking for ever.
 *   - rewriting an entry (polarity, trigger) is no edge: only a change of
 *     the input line fires an edge-triggered pin.
 *   - writing an entry as edge-triggered clears its remote IRR (what Linux
 *     relies on for version 0x11, which has no EOI register).
 *   - a vector below 16 is sent anyway (the local APIC flags it, as on
 *     hardware).
 *
 * "Taken" (devemu.h's coalescing of edge sources): the model collects in
 * 'taken' every pin that has become able to take a new request - a message
 * was sent for it (or dropped for a bad delivery mode), its mask bit was
 * cleared, or an EOI cleared its remote IRR. The caller reports them with
 * ioapic_take_reports() once it holds no lock.
 */
#ifndef DEVEMU_IOAPIC_MODEL_H
#define DEVEMU_IOAPIC_MODEL_H

#include "kernel/types.h"
#include "devemu/apic_bus.h"

#define IOAPIC_NR_PINS		24
#define IOAPIC_VERSION		0x00170011u

/* MMIO offsets in the 0x1000 region */
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10

/* register indices (IOREGSEL) */
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDTBL	0x10	/* + 2 * pin (low dword), + 1 (high) */

/* redirection entry bits */
#define IOAPIC_RTE_VECTOR	0xFFull
#define IOAPIC_RTE_DM_SHIFT	8
#define IOAPIC_RTE_DM_MASK	(7ull << IOAPIC_RTE_DM_SHIFT)
#define IOAPIC_RTE_LOGICAL	(1ull << 11)
#define IOAPIC_RTE_DELIVS	(1ull << 12)
#define IOAPIC_RTE_ACTIVE_LOW	(1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR	(1ull << 14)
#define IOAPIC_RTE_LEVEL	(1ull << 15)
#define IOAPIC_RTE_MASKED	(1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT	56
/* what a guest can write: vector, mode, destination mode, polarity,
 * trigger, mask (low dword) and the destination (bits 63:56) */
#define IOAPIC_RTE_WRITABLE	(0xFF00000000000000ull | 0x1AFFFull)

/* Send one message; returns how many local APICs accepted it. */
typedef u32 (*ioapic_deliver_fn)(void *priv, const struct vmm_apic_msg *msg);

struct ioapic {
	u32 id;			/* IOAPICID as read: bits 27:24 */
	u32 regsel;		/* IOREGSEL (bits 7:0) */
	u64 rte[IOAPIC_NR_PINS];
	u32 line;		/* input levels (bit n = pin n high), before polarity */
	u32 taken;		/* pins able to take a new request, not yet reported */
	u32 bad_mode;		/* pins that fired with SMI or a reserved mode, not yet reported */
	u64 sent;		/* messages sent (statistics and tests) */
	ioapic_deliver_fn deliver;
	void *priv;
};

/* Set up 'a' with its callback; then ioapic_reset(). */
void ioapic_init(struct ioapic *a, u8 id, ioapic_deliver_fn deliver, void *priv);
/* Power-on / guest reset: every pin masked, edge, active high, vector 0;
 * ID 'id' (4 bits), IOREGSEL 0. The input lines keep their levels. */
void ioapic_reset(struct ioapic *a, u8 id);

/* Guest MMIO access at 'offset' of 'width' bytes: 32-bit at IOREGSEL or
 * IOWIN, or an 8-bit one to IOREGSEL. Anything else reads 0 and writes
 * nothing: -VMM_EINVALID (for the caller to report), else VMM_OK. */
int ioapic_mmio_read(struct ioapic *a, u32 offset, u32 width, u32 *value);
int ioapic_mmio_write(struct ioapic *a, u32 offset, u32 width, u32 value);
/* The indirect registers themselves (index as IOREGSEL holds it). */
u32 ioapic_reg_read(const struct ioapic *a, u32 index);
void ioapic_reg_write(struct ioapic *a, u32 index, u32 value);

/* Input pin 'pin' is now at 'level' (1 high, 0 low): edges and levels as
 * the entry's trigger mode and polarity say. Pins >= 24 are ignored. */
void ioapic_set_pin(struct ioapic *a, u32 pin, int level);
/* A local APIC EOIed level-triggered 'vector': remote IRR cleared on the
 * pins that have it, and those still asserted are sent again. */
void ioapic_eoi(struct ioapic *a, u8 vector);

/* The pins collected in 'taken' since the last call (then cleared). */
u32 ioapic_take_reports(struct ioapic *a);
/* Is the pin asserted now (its line after the polarity of its entry)? */
bool ioapic_pin_asserted(const struct ioapic *a, u32 pin);

#endif
