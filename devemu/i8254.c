/*
 * devemu/i8254.c - the Intel 8254 programmable interval timer of a PC guest
 * (compatible "i8254", ports 0x40-0x43) and its channel 2 controls in port
 * 0x61 (compatible "i8254,port61", shared state).
 *
 * Following the 8254 datasheet: three 16-bit counters at 1.193182 MHz;
 * control words selecting the counter, the access (latch, LSB, MSB, LSB
 * then MSB) and mode 0-5, binary or BCD; counter latch; read-back of count
 * and status (OUT, NULL COUNT, RW, mode, BCD); gates (channels 0 and 1 tied
 * high, channel 2 from port 0x61 bit 0); OUT per mode. The counters run in
 * the guest's virtual time (the host clock of kernel/timer.h), not by
 * counting the guest's exits: a value read is computed from the time since
 * the count was loaded. Channel 0's OUT rising edges pulse IRQ0, each at
 * its exact time through a timer event, but never closer than
 * VMM_TIMER_MIN_PERIOD_NS (200 us) to the previous one: the edges due in
 * between are coalesced into the next (kernel/timer.h), so a guest
 * programming count 1 gets IRQ0 at 5 kHz, not 1.19 MHz. The counter values
 * read and OUT in port 0x61 stay exact. And as on a PC, an edge is lost
 * while IRQ0's previous request is still latched in the 8259A: an edge
 * that finds the previous request not yet taken (the PIC reports taken
 * requests: devemu.h, vmm_devemu_irq_taken) is dropped, and no further
 * edge is armed until the guest takes it. So a guest that does not take
 * its timer interrupts (masked, IF=0, or not running) costs at most two
 * timer events, and one that takes them at most one per 200 us. Channel 2
 * raises no interrupt and uses no timer event (OUT is computed when
 * read). Port 0x61: gate 2 (bit 0), speaker
 * enable (bit 1), bits 2-3 kept, refresh toggle (bit 4, every 15.085 us),
 * channel 2 OUT (bit 5).
 * Not emulated: BCD counting is accepted and reported but counts in
 * binary; the speaker makes no sound.
 */
#include <string.h>
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/timer.h"
#include "kernel/heap.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"
#include "kernel/printk.h"

#define PIT_HZ 1193182ULL
/* ticks = ns * NS_TO_TICKS >> 32; ns = ticks * TICKS_TO_NS >> 32 */
#define NS_TO_TICKS ((PIT_HZ << 32) / 1000000000ULL)
#define TICKS_TO_NS ((1000000000ULL << 32) / PIT_HZ)

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };

struct pit_channel {
	u32 count;		/* initial count, 1..65536 */
	u64 load_ns;		/* when counting (re)started */
	u8 mode, rw, bcd;
	u8 mode_bits;		/* M2-M0 as written (6 and 7 read back as such) */
	bool gate;
	bool counting;		/* a count has been written (and gate allows) */
	bool null_count;	/* count written but not yet loaded */
	u16 frozen;		/* counter value while the gate holds it (modes 0, 4) */
	bool held;
	/* reading */
	u16 latch;
	u8 latch_bytes;		/* bytes of 'latch' still to read: 0, 1 or 2 */
	bool latch_msb_next;
	u8 status;
	bool status_latched;
	bool read_msb_next;	/* RW_WORD reads without latch */
	/* writing */
	bool write_msb_next;
	u8 write_lsb;
};

struct pit {
	struct pit_channel ch[3];
	u8 port61;		/* bits 0-3 as written */
	struct vmm_guest *guest;
	struct vmm_timer_event irq_ev;	/* channel 0's next OUT rising edge */
	vmm_spinlock_t lock;
	u64 irqs;		/* IRQ0 edges raised */
	u64 irq_k;		/* channel 0: index of the next OUT rising edge since the load */
	u32 irq;		/* channel 0's line (the region's `interrupts`, 0 by default) */
	u64 last_edge_ns;	/* when the previous IRQ0 edge was raised (0: none yet) */
	bool latched;		/* IRQ0 raised and not yet reported taken by the PIC */
	bool wait_taken;	/* an edge found it still latched: none armed until taken */
	bool floor_reported;	/* the minimum-period message was printed */
	bool removed;		/* pit_remove ran: channel 0's event is never armed again */
};

extern const struct vmm_emulator i8254_emulator;

static u64 ns_to_ticks(u64 ns)
{
	return (u64)(((unsigned __int128)ns * NS_TO_TICKS) >> 32);
}

static u64 ticks_to_ns(u64 t)
{
	return (u64)(((unsigned __int128)t * TICKS_TO_NS) >> 32);
}

/* Ticks counted since the count was loaded. */
static u64 elapsed(const struct pit_channel *c, u64 now)
{
	return now > c->load_ns ? ns_to_ticks(now - c->load_ns) : 0;
}

static u16 counter_value(const struct pit_channel *c, u64 now)
{
	u64 d;

	if (!c->counting)
		return (u16)c->count;
	if (c->held)
		return c->frozen;
	d = elapsed(c, now);
	switch (c->mode) {
	case 2:
		return (u16)(c->count - (d % c->count));
	case 3:
		/* counts down by two, twice per period */
		return (u16)((c->count - ((2 * d) % c->count)) & 0xFFFE);
	default:	/* 0, 1, 4, 5: down, wrapping after zero */
		return (u16)(c->count - d);
	}
}

static bool out_level(const struct pit_channel *c, u64 now)
{
	u64 d;

	if (!c->counting)
		return c->mode != 0;	/* after the control word: mode 0 low, others high */
	if (c->held)		/* gate low: mode 0/1 stay as they are (low before
				 * terminal count), modes 2-5 hold OUT high */
		return c->mode >= 2 || c->frozen == 0;
	d = elapsed(c, now);
	switch (c->mode) {
	case 0:
	case 1:
		return d >= c->count;
	case 2:
		return (d % c->count) != c->count - 1;	/* low for one clock */
	case 3:
		return (d % c->count) < (c->count + 1) / 2;
	default:	/* 4, 5: low for one clock at terminal count */
		return d != c->count;
	}
}

/*
 * Time of channel 0's rising edge number k (1 = the first after the load),
 * or ~0 when the mode has no such edge. Edges are counted by index, not
 * found again from the clock, so each is raised exactly once whatever the
 * rounding of the time conversions.
 */
static u64 rising_edge_time(const struct pit_channel *c, u64 k)
{
	if (!c->counting || c->held)
		return ~0ULL;
	switch (c->mode) {
	case 0:
	case 1:		/* terminal count, once */
		return k == 1 ? c->load_ns + ticks_to_ns(c->count) : ~0ULL;
	case 2:		/* rises again one clock after reaching 1 */
	case 3:		/* rises at each period start */
		return c->load_ns + ticks_to_ns(k * c->count);
	default:	/* 4, 5: back high one clock after terminal count */
		return k == 1 ? c->load_ns + ticks_to_ns(c->count + 1) : ~0ULL;
	}
}

static void arm_irq(struct pit *p)
{
	struct pit_channel *c = &p->ch[0];
	/* never closer than VMM_TIMER_MIN_PERIOD_NS to the previous edge */
	u64 t = vmm_timer_guest_expiry(rising_edge_time(c, p->irq_k), p->last_edge_ns);

	if (t == ~0ULL || p->removed)
		vmm_timer_event_stop(&p->irq_ev);
	else
		vmm_timer_event_start(&p->irq_ev, t);
}

/* Modes 2 and 3: the edges whose time has passed are one edge (IRQ0 is
 * edge-triggered: they coalesce in the PIC). */
static void skip_missed_edges(struct pit *p, u64 now)
{
	if (p->ch[0].mode == 2 || p->ch[0].mode == 3) {
		u64 done = elapsed(&p->ch[0], now) / p->ch[0].count;

		if (p->irq_k <= done)
			p->irq_k = done + 1;
	}
}

static void irq_edge(struct vmm_timer_event *ev)
{
	struct pit *p = ev->priv;
	unsigned long f = vmm_spin_lock_irqsave(&p->lock);
	u64 now = vmm_timer_now_ns();

	if (p->removed) {	/* fired while being removed */
		vmm_spin_unlock_irqrestore(&p->lock, f);
		return;
	}
	p->irq_k++;
	if (p->latched && vmm_devemu_irq_reports_taken(p->guest)) {
		/* IRQ0's previous request is still latched in the PIC: this
		 * edge is lost there, and so are the next ones until the guest
		 * takes it; the next edge is armed then (irq_taken) */
		p->wait_taken = true;
		vmm_timer_event_stop(&p->irq_ev);
		vmm_spin_unlock_irqrestore(&p->lock, f);
		return;
	}
	p->irqs++;
	p->latched = true;
	p->last_edge_ns = now;
	/* edges missed while the host was late, or held back by the minimum
	 * period, are one edge */
	skip_missed_edges(p, now);
	arm_irq(p);
	vmm_spin_unlock_irqrestore(&p->lock, f);
	vmm_devemu_pulse_irq(p->guest, p->irq);
}

/* The PIC took IRQ0's request (INTA) or dropped it: a waiting channel 0
 * arms its next edge, the ones due in the meantime coalesced into it. */
static void irq_taken(void *priv)
{
	struct pit *p = priv;
	unsigned long f = vmm_spin_lock_irqsave(&p->lock);

	p->latched = false;
	if (p->wait_taken) {
		p->wait_taken = false;
		skip_missed_edges(p, vmm_timer_now_ns());
		arm_irq(p);
	}
	vmm_spin_unlock_irqrestore(&p->lock, f);
}

static void load_count(struct pit *p, int n, u32 value, u64 now)
{
	struct pit_channel *c = &p->ch[n];

	c->count = value ? value : 0x10000;
	c->null_count = false;
	c->counting = true;
	c->held = false;
	/* modes 1 and 5 wait for a gate trigger; channels 0 and 1 have gate high */
	if ((c->mode == 1 || c->mode == 5) && n == 2 && !c->gate)
		c->counting = false;
	c->load_ns = now;
	/* gate low (channel 2): modes 0, 2, 3 and 4 do not count until it rises */
	if (!c->gate && (c->mode == 0 || c->mode == 2 || c->mode == 3 || c->mode == 4)) {
		c->held = true;
		c->frozen = (u16)c->count;
	}
	if (n == 0) {
		p->irq_k = 1;
		p->wait_taken = false;
		if ((c->mode == 2 || c->mode == 3) && !p->floor_reported &&
		    ticks_to_ns(c->count) < VMM_TIMER_MIN_PERIOD_NS) {
			p->floor_reported = true;
			vmm_warn("guest %s: PIT channel 0 period %llu ns (count %u) is below the %llu us minimum: IRQ%u at most every %llu us, the edges between coalesced (reported once)\n",
				 p->guest->name, (unsigned long long)ticks_to_ns(c->count), c->count,
				 VMM_TIMER_MIN_PERIOD_NS / 1000, p->irq,
				 VMM_TIMER_MIN_PERIOD_NS / 1000);
		}
		arm_irq(p);
	}
}

static void set_gate(struct pit *p, int n, bool gate, u64 now)
{
	struct pit_channel *c = &p->ch[n];
	bool rising = gate && !c->gate;

	if (!gate && c->gate && c->counting && !c->held && c->mode != 1 && c->mode != 5) {
		c->frozen = counter_value(c, now);	/* counting is suspended */
		c->held = true;				/* (modes 2, 3: OUT goes high) */
	}
	if (rising && c->counting && c->held && (c->mode == 0 || c->mode == 4)) {
		c->load_ns = now - ticks_to_ns(c->count - c->frozen);	/* resume */
		c->held = false;
	} else if (rising && c->count && (c->mode == 1 || c->mode == 2 || c->mode == 3 ||
					  c->mode == 5)) {
		c->load_ns = now;	/* (re)trigger: counting starts over */
		c->counting = true;
		c->held = false;
	}
	c->gate = gate;
	if (n == 0) {
		p->irq_k = 1;
		p->wait_taken = false;
		arm_irq(p);
	}
}

static void write_control(struct pit *p, u8 val, u64 now)
{
	int sel = val >> 6;

	if (sel == 3) {		/* read-back: bit 5 = !count, bit 4 = !status */
		for (int n = 0; n < 3; n++) {
			struct pit_channel *c = &p->ch[n];

			if (!(val & (2u << n)))
				continue;
			if (!(val & 0x10) && !c->status_latched) {
				c->status = (out_level(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
					    (c->rw << 4) | (c->mode_bits << 1) | c->bcd;
				c->status_latched = true;
			}
			if (!(val & 0x20) && !c->latch_bytes) {
				c->latch = counter_value(c, now);
				c->latch_bytes = c->rw == RW_WORD ? 2 : 1;
				c->latch_msb_next = c->rw == RW_MSB;
			}
		}
		return;
	}
	struct pit_channel *c = &p->ch[sel];

	if (((val >> 4) & 3) == RW_LATCH) {	/* counter latch command */
		if (!c->latch_bytes) {
			c->latch = counter_value(c, now);
			c->latch_bytes = c->rw == RW_WORD ? 2 : 1;
			c->latch_msb_next = c->rw == RW_MSB;
		}
		return;
	}
	c->rw = (val >> 4) & 3;
	c->mode = (val >> 1) & 7;
	c->mode_bits = c->mode;
	if (c->mode > 5)
		c->mode -= 4;	/* 6 and 7 are modes 2 and 3 */
	c->bcd = val & 1;
	c->counting = false;
	c->held = false;
	c->null_count = true;
	c->write_msb_next = false;
	c->read_msb_next = false;
	if (sel == 0) {
		vmm_timer_event_stop(&p->irq_ev);
		p->wait_taken = false;
	}
}

static void write_counter(struct pit *p, int n, u8 val, u64 now)
{
	struct pit_channel *c = &p->ch[n];

	switch (c->rw) {
	case RW_LSB:
		load_count(p, n, val, now);
		break;
	case RW_MSB:
		load_count(p, n, (u32)val << 8, now);
		break;
	case RW_WORD:
		if (!c->write_msb_next) {
			c->write_lsb = val;
			c->write_msb_next = true;
			if (c->mode == 0)
				c->counting = false;	/* writing the first byte stops mode 0 */
		} else {
			c->write_msb_next = false;
			load_count(p, n, ((u32)val << 8) | c->write_lsb, now);
		}
		break;
	}
}

static u8 read_counter(struct pit *p, int n, u64 now)
{
	struct pit_channel *c = &p->ch[n];
	u16 v;
	u8 b;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_bytes) {
		b = c->latch_msb_next ? c->latch >> 8 : c->latch & 0xFF;
		c->latch_msb_next = !c->latch_msb_next;
		c->latch_bytes--;
		return b;
	}
	v = counter_value(c, now);
	switch (c->rw) {
	case RW_MSB:
		return v >> 8;
	case RW_WORD:
		b = c->read_msb_next ? v >> 8 : v & 0xFF;
		c->read_msb_next = !c->read_msb_next;
		return b;
	default:
		return v & 0xFF;
	}
}

static struct pit *pit_of(struct vmm_guest *g)
{
	struct pit *p = vmm_devemu_guest_shared(g, "i8254", sizeof(*p));

	if (p && !p->guest) {
		p->guest = g;
		vmm_devemu_timer_init(g, &p->irq_ev, irq_edge, p);
	}
	return p;
}

static void pit_reset_state(struct pit *p)
{
	vmm_timer_event_stop(&p->irq_ev);
	p->wait_taken = false;
	memset(p->ch, 0, sizeof(p->ch));
	for (int n = 0; n < 3; n++) {
		p->ch[n].gate = n != 2;	/* channel 2's gate is port 0x61 bit 0 */
		p->ch[n].count = 0x10000;
	}
	p->port61 = 0;
}

static int pit_probe(struct vmm_emudev *ed)
{
	struct pit *p = pit_of(ed->guest);
	int irq = vmm_devemu_region_irq(ed);

	if (!p)
		return -VMM_ENOMEM;
	if (irq >= 0 && ed->emu == &i8254_emulator)
		p->irq = (u32)irq;
	if (ed->emu == &i8254_emulator) {
		int rc = vmm_devemu_irq_taken_listen(ed->guest, p->irq, irq_taken, p);

		if (rc)
			return rc;
	}
	ed->priv = p;
	return VMM_OK;
}

static int pit_reset(struct vmm_emudev *ed)
{
	struct pit *p = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&p->lock);

	pit_reset_state(p);
	vmm_spin_unlock_irqrestore(&p->lock, f);
	return VMM_OK;
}

/*
 * Guest destroy: channel 0's event stopped for good (the PIC's "taken"
 * report or a handler running meanwhile sees 'removed' under the lock and
 * arms nothing). The state is a shared block, freed by devemu afterwards.
 */
static void pit_remove(struct vmm_emudev *ed)
{
	struct pit *p = ed->priv;
	unsigned long f;

	if (!p)
		return;
	f = vmm_spin_lock_irqsave(&p->lock);
	p->removed = true;
	vmm_timer_event_stop(&p->irq_ev);
	vmm_spin_unlock_irqrestore(&p->lock, f);
	ed->priv = NULL;
}

static int pit_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct pit *p = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&p->lock);

	(void)width;
	*value = off < 3 ? read_counter(p, (int)off, vmm_timer_now_ns()) : 0xFF;
	vmm_spin_unlock_irqrestore(&p->lock, f);
	return VMM_OK;
}

static int pit_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct pit *p = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&p->lock);
	u64 now = vmm_timer_now_ns();

	(void)width;
	if (off == 3)
		write_control(p, (u8)value, now);
	else
		write_counter(p, (int)off, (u8)value, now);
	vmm_spin_unlock_irqrestore(&p->lock, f);
	return VMM_OK;
}

static const char *const pit_compatible[] = { "i8254", "intel,8254", NULL };

const struct vmm_emulator i8254_emulator = {
	.name = "i8254",
	.device_type = "timer",
	.compatible = pit_compatible,
	.probe = pit_probe,
	.reset = pit_reset,
	.remove = pit_remove,
	.read = pit_read,
	.write = pit_write,
};
VMM_EMULATOR(i8254_emulator);

/* ---- port 0x61 ---------------------------------------------------------- */

static int port61_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct pit *p = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&p->lock);
	u64 now = vmm_timer_now_ns();

	(void)off;
	(void)width;
	*value = (p->port61 & 0x0F) |
		 (((now / 15085) & 1) ? 0x10 : 0) |		/* refresh toggle */
		 (out_level(&p->ch[2], now) ? 0x20 : 0);
	vmm_spin_unlock_irqrestore(&p->lock, f);
	return VMM_OK;
}

static int port61_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct pit *p = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&p->lock);

	(void)off;
	(void)width;
	p->port61 = value & 0x0F;
	set_gate(p, 2, value & 1, vmm_timer_now_ns());
	vmm_spin_unlock_irqrestore(&p->lock, f);
	return VMM_OK;
}

static const char *const port61_compatible[] = { "i8254,port61", NULL };

const struct vmm_emulator i8254_port61_emulator = {
	.name = "i8254-port61",
	.device_type = "timer",
	.compatible = port61_compatible,
	.probe = pit_probe,
	.remove = pit_remove,
	.read = port61_read,
	.write = port61_write,
};
VMM_EMULATOR(i8254_port61_emulator);
