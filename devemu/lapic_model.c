/*
 * devemu/lapic_model.c - register semantics, interrupt acceptance and timer
 * arithmetic of one virtual local APIC (devemu/lapic_model.h says what it
 * owns and what it leaves to its caller). Built, not yet used by guests.
 *
 * Every access goes through one table indexed by offset / 16 (= MSR -
 * 0x800): which registers exist, which are readable and writable, which
 * exist in one mode only. Nothing outside struct lapic is touched; an
 * index is checked against the table before it selects an array element.
 */
#include <string.h>
#include "devemu/lapic_model.h"
#include "kernel/error.h"

#define NR_REGS 64

/* register flags */
#define R	0x01	/* readable */
#define W	0x02	/* writable */
#define XA	0x04	/* xAPIC only */
#define X2	0x08	/* x2APIC only */

static const u8 reg_flags[NR_REGS] = {
	[LAPIC_ID >> 4]		= R | W,	/* read-only in x2APIC: below */
	[LAPIC_VERSION >> 4]	= R,
	[LAPIC_TPR >> 4]	= R | W,
	[LAPIC_APR >> 4]	= R | XA,
	[LAPIC_PPR >> 4]	= R,
	[LAPIC_EOI >> 4]	= W,
	[LAPIC_RRD >> 4]	= R | XA,
	[LAPIC_LDR >> 4]	= R | W,	/* read-only in x2APIC: below */
	[LAPIC_DFR >> 4]	= R | W | XA,
	[LAPIC_SVR >> 4]	= R | W,
	[0x10 ... 0x17]		= R,		/* ISR */
	[0x18 ... 0x1F]		= R,		/* TMR */
	[0x20 ... 0x27]		= R,		/* IRR */
	[LAPIC_ESR >> 4]	= R | W,
	[LAPIC_ICR_LO >> 4]	= R | W,
	[LAPIC_ICR_HI >> 4]	= R | W | XA,	/* part of MSR 0x830 in x2APIC */
	[0x32 ... 0x37]		= R | W,	/* the six LVTs */
	[LAPIC_TIMER_ICR >> 4]	= R | W,
	[LAPIC_TIMER_CCR >> 4]	= R,
	[LAPIC_TIMER_DCR >> 4]	= R | W,
	[LAPIC_SELF_IPI >> 4]	= W | X2,
};

/* writable bits of each LVT (SDM figure 11-8); delivery status is never set */
static const u32 lvt_mask[LAPIC_NR_LVT] = {
	[LAPIC_LVT_IDX_TIMER]	= 0x000700FF,	/* vector, mask, timer mode */
	[LAPIC_LVT_IDX_THERM]	= 0x000107FF,	/* vector, delivery mode, mask */
	[LAPIC_LVT_IDX_PERF]	= 0x000107FF,
	[LAPIC_LVT_IDX_LINT0]	= 0x0001A7FF,	/* + polarity, trigger mode */
	[LAPIC_LVT_IDX_LINT1]	= 0x0001A7FF,
	[LAPIC_LVT_IDX_ERR]	= 0x000100FF,	/* vector, mask */
};

#define ICR_LO_MASK	0x000CCFFFu	/* vector..dest mode, level, trigger, shorthand */

/* ---- vector bitmaps (8 x 32-bit, as the registers read) ---- */

static bool vec_test(const u32 *map, u8 v)
{
	return map[v >> 5] & (1u << (v & 31));
}

static void vec_set(u32 *map, u8 v)
{
	map[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(u32 *map, u8 v)
{
	map[v >> 5] &= ~(1u << (v & 31));
}

/* The highest vector set in map, or -1. */
static int vec_highest(const u32 *map)
{
	for (int i = 7; i >= 0; i--)
		if (map[i])
			return i * 32 + 31 - __builtin_clz(map[i]);
	return -1;
}

/* ---- reset and mode ---- */

/* The LDR an x2APIC derives from its ID: cluster in 31:16, one bit of 16. */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xF));
}

/* Check the configuration and put the LAPIC in its power-on state (xAPIC). */
int lapic_init(struct lapic *l, const struct lapic_config *cfg)
{
	if (!cfg->bus_ns || !cfg->tsc_hz || cfg->tsc_hz < 1000)
		return -VMM_EINVALID;
	memset(l, 0, sizeof(*l));
	l->cfg = *cfg;
	l->id = cfg->apic_id;
	/* tsc_hz >= 1000 keeps (1e9 << 32) / tsc_hz within 64 bits */
	l->tsc_mult = (1000000000ULL << 32) / cfg->tsc_hz;
	lapic_reset(l);
	return VMM_OK;
}

/* The state after power-on or INIT (SDM 11.4.7.1); keeps the ID and mode. */
void lapic_reset(struct lapic *l)
{
	l->tpr = 0;
	l->ldr = l->x2apic ? x2apic_ldr(l->id) : 0;
	l->dfr = 0xFFFFFFFF;
	l->svr = 0xFF;
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	memset(l->irr, 0, sizeof(l->irr));
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (int i = 0; i < LAPIC_NR_LVT; i++)
		l->lvt[i] = LAPIC_LVT_MASKED;
	l->timer_initial = 0;
	l->timer_dcr = 0;
	l->timer_start_ns = 0;
	l->timer_next_ns = LAPIC_TIMER_NONE;
	l->tsc_deadline = 0;
}

/* Enter or leave x2APIC mode: the ID becomes 32-bit, LDR read-only. */
void lapic_set_x2apic(struct lapic *l, bool on)
{
	if (l->x2apic == on)
		return;
	l->x2apic = on;
	if (on) {
		l->ldr = x2apic_ldr(l->id);
	} else {
		l->ldr = 0;
		l->icr_hi &= 0xFF000000;
	}
}

/* Software enabled: SVR bit 8. While clear, every LVT stays masked. */
bool lapic_sw_enabled(const struct lapic *l)
{
	return l->svr & LAPIC_SVR_ENABLE;
}

/* ---- priorities and interrupt acceptance (SDM 11.8) ---- */

/* Processor priority: TPR if its class is at least that of the highest
 * in-service vector, else that vector's class. */
u32 lapic_ppr(const struct lapic *l)
{
	int isrv = vec_highest(l->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xF0;

	return (l->tpr & 0xF0) >= isr_class ? l->tpr & 0xFF : isr_class;
}

static void deliver_local(struct lapic *l, u32 lvt_value);

/* Record errors (ESR bits); the error LVT, if unmasked, interrupts. */
void lapic_set_error(struct lapic *l, u32 esr_bits)
{
	l->esr_pending |= esr_bits & 0xEF;
	deliver_local(l, l->lvt[LAPIC_LVT_IDX_ERR]);
}

/* Set a vector pending without the checks of a message (local sources). */
static void set_irr(struct lapic *l, u8 vector, bool level_trigger)
{
	vec_set(l->irr, vector);
	if (level_trigger)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
}

/* A local interrupt of an LVT with fixed delivery: pend its vector unless
 * masked. An illegal vector records a receive error but, for the error LVT
 * itself, raises no further error interrupt. */
static void deliver_local(struct lapic *l, u32 lvt_value)
{
	u8 vector = lvt_value & 0xFF;

	if (lvt_value & LAPIC_LVT_MASKED)
		return;
	if (vector < 16) {
		l->esr_pending |= LAPIC_ESR_RECV_ILLEGAL_VEC;
		return;
	}
	set_irr(l, vector, false);
}

/*
 * Accept a fixed (or lowest-priority) interrupt message: pend the vector,
 * and note its trigger mode in TMR. Vectors 0-15 are refused with the
 * receive-illegal-vector error. A level-triggered de-assert carries nothing
 * for the LAPIC. While software-disabled the LAPIC accepts no new fixed
 * interrupts (those already pending stay).
 */
int lapic_accept(struct lapic *l, u8 vector, bool level, bool level_trigger)
{
	if (level_trigger && !level)
		return VMM_OK;
	if (vector < 16) {
		lapic_set_error(l, LAPIC_ESR_RECV_ILLEGAL_VEC);
		return -VMM_EINVALID;
	}
	if (!lapic_sw_enabled(l))
		return -VMM_ENOTAVAIL;
	set_irr(l, vector, level_trigger);
	return VMM_OK;
}

/* The vector the LAPIC would deliver now (its class above PPR's), or -1. */
int lapic_highest_pending(const struct lapic *l)
{
	int irrv = vec_highest(l->irr);

	if (irrv < 0 || ((u32)irrv & 0xF0) <= (lapic_ppr(l) & 0xF0))
		return -1;
	return irrv;
}

/* The CPU took `vector` (the caller injected it): IRR -> ISR. */
int lapic_ack(struct lapic *l, u8 vector)
{
	if (!vec_test(l->irr, vector))
		return -VMM_ENOENT;
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
	return VMM_OK;
}

/* End of interrupt: clear the highest in-service vector; a level-triggered
 * one is broadcast through ops->eoi_level, and clears the remote IRR of a
 * level LINT that delivered it. An EOI with nothing in service does nothing. */
void lapic_eoi(struct lapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_clear(l->isr, (u8)v);
	if (!vec_test(l->tmr, (u8)v))
		return;
	for (int i = LAPIC_LVT_IDX_LINT0; i <= LAPIC_LVT_IDX_LINT1; i++)
		if ((l->lvt[i] & 0xFF) == (u32)v)
			l->lvt[i] &= ~LAPIC_LVT_REMOTE_IRR;
	if (l->cfg.ops && l->cfg.ops->eoi_level)
		l->cfg.ops->eoi_level(l->cfg.ctx, (u8)v);
}

/* LINT0/LINT1 asserted. Fixed delivery is carried out here (level-triggered:
 * once, until the EOI clears remote IRR); other modes are returned. */
int lapic_lint(struct lapic *l, int pin)
{
	u32 *lvt;
	u32 dm;

	if (pin != 0 && pin != 1)
		return -VMM_EINVALID;
	lvt = &l->lvt[LAPIC_LVT_IDX_LINT0 + pin];
	if (*lvt & LAPIC_LVT_MASKED)
		return 0;
	dm = (*lvt >> 8) & 7;
	if (dm != LAPIC_DM_FIXED)
		return (int)dm;
	if (*lvt & LAPIC_LVT_LEVEL) {
		if (*lvt & LAPIC_LVT_REMOTE_IRR)
			return 0;
		if ((*lvt & 0xFF) >= 16)
			*lvt |= LAPIC_LVT_REMOTE_IRR;
	}
	if ((*lvt & 0xFF) < 16)
		lapic_set_error(l, LAPIC_ESR_RECV_ILLEGAL_VEC);
	else
		set_irr(l, *lvt & 0xFF, *lvt & LAPIC_LVT_LEVEL);
	return 0;
}

/* ---- destinations (SDM 11.6.2) ---- */

/* Physical destination: this ID, or the broadcast ID of the mode. */
bool lapic_match_physical(const struct lapic *l, u32 dest)
{
	if (l->x2apic)
		return dest == 0xFFFFFFFF || dest == l->id;
	dest &= 0xFF;
	return dest == 0xFF || dest == (l->id & 0xFF);
}

/* Logical destination against LDR, per DFR's model (flat or cluster) in
 * xAPIC mode, always cluster (16 + 16 bits) in x2APIC mode. */
bool lapic_match_logical(const struct lapic *l, u32 dest)
{
	u32 ldr8;

	if (l->x2apic) {
		if (dest == 0xFFFFFFFF)
			return true;
		return (dest >> 16) == (l->ldr >> 16) && (dest & l->ldr & 0xFFFF);
	}
	dest &= 0xFF;
	if (dest == 0xFF)
		return true;
	ldr8 = l->ldr >> 24;
	if ((l->dfr >> 28) == 0xF)		/* flat */
		return dest & ldr8;
	if ((l->dfr >> 28) == 0x0)		/* cluster */
		return (dest >> 4) == (ldr8 >> 4) && (dest & ldr8 & 0xF);
	return false;				/* reserved model */
}

/* Whether this LAPIC is a destination of `ipi` (shorthands included). For
 * lowest priority the caller picks one among the matches. */
bool lapic_match_ipi(const struct lapic *l, const struct lapic_ipi *ipi)
{
	bool self = ipi->src_id == l->id;

	switch (ipi->shorthand) {
	case LAPIC_SH_SELF:
		return self;
	case LAPIC_SH_ALL_INCL:
		return true;
	case LAPIC_SH_ALL_EXCL:
		return !self;
	default:
		return ipi->logical ? lapic_match_logical(l, ipi->dest)
				    : lapic_match_physical(l, ipi->dest);
	}
}

/* ---- IPIs ---- */

/* Decode an ICR value into an IPI and hand it to ops->send_ipi. Illegal vectors
 * of fixed/lowest-priority sends set the send error; reserved delivery
 * modes and non-fixed self shorthands are dropped. */
static int send_icr(struct lapic *l, u32 lo, u32 hi)
{
	struct lapic_ipi ipi = {
		.vector = lo & 0xFF,
		.delivery = (lo >> 8) & 7,
		.logical = lo & (1u << 11),
		.level_assert = lo & (1u << 14),
		.level_trigger = lo & (1u << 15),
		.shorthand = (lo >> 18) & 3,
		.dest = l->x2apic ? hi : hi >> 24,
		.src_id = l->id,
		.x2apic = l->x2apic,
	};

	switch (ipi.delivery) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		if (ipi.vector < 16) {
			lapic_set_error(l, LAPIC_ESR_SEND_ILLEGAL_VEC);
			return -VMM_EINVALID;
		}
		break;
	case LAPIC_DM_SMI:
	case LAPIC_DM_NMI:
	case LAPIC_DM_INIT:
	case LAPIC_DM_STARTUP:
		break;
	default:
		return -VMM_EINVALID;
	}
	if (ipi.shorthand == LAPIC_SH_SELF && ipi.delivery != LAPIC_DM_FIXED)
		return -VMM_EINVALID;
	if (ipi.delivery != LAPIC_DM_FIXED && ipi.delivery != LAPIC_DM_LOWEST &&
	    ipi.delivery != LAPIC_DM_INIT)
		ipi.level_trigger = false;	/* edge, whatever was written */
	if (l->cfg.ops && l->cfg.ops->send_ipi)
		l->cfg.ops->send_ipi(l->cfg.ctx, &ipi);
	return VMM_OK;
}

/* ---- timer (SDM 11.5.4) ---- */

/* The divisor of a divide configuration value (bits 3, 1:0). */
u32 lapic_timer_divide(u32 dcr)
{
	u32 code = ((dcr >> 1) & 4) | (dcr & 3);

	return code == 7 ? 1 : 2u << code;
}

/* The count a timer loaded with `initial` at start_ns shows at now_ns when
 * it ticks every tick_ns: down to 0 (one-shot) or reloading (periodic). */
u32 lapic_timer_count_at(u32 initial, bool periodic, u64 start_ns, u64 tick_ns, u64 now_ns)
{
	u64 ticks;

	if (!initial || !tick_ns || now_ns < start_ns)
		return initial;
	ticks = (now_ns - start_ns) / tick_ns;
	if (periodic)
		return initial - (u32)(ticks % initial);
	return ticks >= initial ? 0 : initial - (u32)ticks;
}

enum lapic_timer_mode lapic_timer_mode(const struct lapic *l)
{
	u32 m = (l->lvt[LAPIC_LVT_IDX_TIMER] >> LAPIC_TIMER_MODE_SHIFT) & 3;

	return m == 3 ? LAPIC_TIMER_ONESHOT : m;	/* 3 is reserved */
}

static u64 tick_ns(const struct lapic *l)
{
	return (u64)l->cfg.bus_ns * lapic_timer_divide(l->timer_dcr);
}

/* The current-count register at now_ns (0 in TSC-deadline mode). */
u32 lapic_timer_current(const struct lapic *l, u64 now_ns)
{
	enum lapic_timer_mode m = lapic_timer_mode(l);

	if (m == LAPIC_TIMER_TSC_DEADLINE)
		return 0;
	if (m == LAPIC_TIMER_ONESHOT && l->timer_next_ns == LAPIC_TIMER_NONE)
		return 0;
	return lapic_timer_count_at(l->timer_initial, m == LAPIC_TIMER_PERIODIC,
				    l->timer_start_ns, tick_ns(l), now_ns);
}

/* When the timer next expires (guest ns), or LAPIC_TIMER_NONE. A time at
 * or before "now" means: fire at once. */
u64 lapic_timer_next_expiry(const struct lapic *l)
{
	return l->timer_next_ns;
}

/* Guest TSC value -> guest ns (saturating). */
static u64 tsc_to_ns(const struct lapic *l, u64 tsc)
{
	unsigned __int128 ns = ((unsigned __int128)tsc * l->tsc_mult) >> 32;

	return ns >= LAPIC_TIMER_NONE ? LAPIC_TIMER_NONE - 1 : (u64)ns;
}

/* (Re)start the count modes at now_ns with the current initial count. */
static void timer_load(struct lapic *l, u64 now_ns)
{
	u64 period = tick_ns(l) * l->timer_initial;

	l->timer_start_ns = now_ns;
	if (!l->timer_initial || lapic_timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
		l->timer_next_ns = LAPIC_TIMER_NONE;
	else
		l->timer_next_ns = now_ns + period;
}

/* The caller's timer event for lapic_timer_next_expiry() ran at now_ns:
 * pend the timer vector unless masked, then reload (periodic: the next
 * period after now, missed ones coalesced) or disarm. */
void lapic_timer_fire(struct lapic *l, u64 now_ns)
{
	u64 period;

	if (l->timer_next_ns == LAPIC_TIMER_NONE || now_ns < l->timer_next_ns)
		return;
	deliver_local(l, l->lvt[LAPIC_LVT_IDX_TIMER]);
	switch (lapic_timer_mode(l)) {
	case LAPIC_TIMER_PERIODIC:
		period = tick_ns(l) * l->timer_initial;
		l->timer_next_ns += ((now_ns - l->timer_next_ns) / period + 1) * period;
		break;
	case LAPIC_TIMER_TSC_DEADLINE:
		l->tsc_deadline = 0;
		/* fall through */
	default:
		l->timer_next_ns = LAPIC_TIMER_NONE;
	}
}

/* LVT timer written: a change between the count modes and TSC-deadline
 * mode disarms the timer and clears both the initial count and deadline. */
static void write_lvt_timer(struct lapic *l, u32 val)
{
	bool was_deadline = lapic_timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE;
	bool is_deadline;

	l->lvt[LAPIC_LVT_IDX_TIMER] = val;
	is_deadline = lapic_timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE;
	if (was_deadline != is_deadline) {
		l->timer_initial = 0;
		l->tsc_deadline = 0;
		l->timer_next_ns = LAPIC_TIMER_NONE;
	}
}

/* Divide configuration written: a running count goes on from its current
 * value at the new rate. */
static void write_dcr(struct lapic *l, u32 val, u64 now_ns)
{
	u32 cur = lapic_timer_current(l, now_ns);
	bool armed = l->timer_next_ns != LAPIC_TIMER_NONE;
	u64 elapsed;

	l->timer_dcr = val & 0xB;
	if (!armed || lapic_timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
		return;
	/* pretend the count started (initial - cur) new ticks ago (at guest
	 * time 0 at the earliest: a count then reads slightly high) */
	elapsed = (u64)(l->timer_initial - cur) * tick_ns(l);
	l->timer_start_ns = elapsed > now_ns ? 0 : now_ns - elapsed;
	l->timer_next_ns = now_ns + (u64)cur * tick_ns(l);
}

/* ---- registers ---- */

/* Read register `idx` (offset / 16) in the current mode; 64-bit in x2APIC
 * for the ICR only. The caller checked the table. */
static u64 reg_read(struct lapic *l, u32 idx, u64 now_ns)
{
	switch (idx << 4) {
	case LAPIC_ID:		return l->x2apic ? l->id : l->id << 24;
	case LAPIC_VERSION:	return LAPIC_VERSION_VALUE;
	case LAPIC_TPR:		return l->tpr;
	case LAPIC_PPR:		return lapic_ppr(l);
	case LAPIC_LDR:		return l->ldr;
	case LAPIC_DFR:		return l->dfr;
	case LAPIC_SVR:		return l->svr;
	case LAPIC_ESR:		return l->esr;
	case LAPIC_ICR_LO:
		return l->x2apic ? ((u64)l->icr_hi << 32) | l->icr_lo : l->icr_lo;
	case LAPIC_ICR_HI:	return l->icr_hi;
	case LAPIC_TIMER_ICR:	return l->timer_initial;
	case LAPIC_TIMER_CCR:	return lapic_timer_current(l, now_ns);
	case LAPIC_TIMER_DCR:	return l->timer_dcr;
	}
	if (idx >= 0x10 && idx < 0x18)
		return l->isr[idx - 0x10];
	if (idx >= 0x18 && idx < 0x20)
		return l->tmr[idx - 0x18];
	if (idx >= 0x20 && idx < 0x28)
		return l->irr[idx - 0x20];
	if (idx >= 0x32 && idx < 0x32 + LAPIC_NR_LVT)
		return l->lvt[idx - 0x32];
	return 0;			/* APR, RRD: read as 0 */
}

/* Write register `idx` (checked writable in this mode). */
static void reg_write(struct lapic *l, u32 idx, u64 val, u64 now_ns)
{
	u32 v = (u32)val;

	switch (idx << 4) {
	case LAPIC_ID:
		l->id = v >> 24;
		return;
	case LAPIC_TPR:
		l->tpr = v & 0xFF;
		return;
	case LAPIC_EOI:
		lapic_eoi(l);
		return;
	case LAPIC_LDR:
		l->ldr = v & 0xFF000000;
		return;
	case LAPIC_DFR:
		l->dfr = v | 0x0FFFFFFF;
		return;
	case LAPIC_SVR:
		l->svr = v & 0x3FF;
		if (!lapic_sw_enabled(l))
			for (int i = 0; i < LAPIC_NR_LVT; i++)
				l->lvt[i] |= LAPIC_LVT_MASKED;
		return;
	case LAPIC_ESR:
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return;
	case LAPIC_ICR_LO:
		l->icr_lo = v & ICR_LO_MASK;
		if (l->x2apic)
			l->icr_hi = (u32)(val >> 32);
		send_icr(l, l->icr_lo, l->icr_hi);
		return;
	case LAPIC_ICR_HI:
		l->icr_hi = v & 0xFF000000;
		return;
	case LAPIC_TIMER_ICR:
		if (lapic_timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
			return;
		l->timer_initial = v;
		timer_load(l, now_ns);
		return;
	case LAPIC_TIMER_DCR:
		write_dcr(l, v, now_ns);
		return;
	case LAPIC_SELF_IPI:
		/* a fixed, edge self-IPI; the ICR keeps its value */
		send_icr(l, (v & 0xFF) | (LAPIC_SH_SELF << 18), 0);
		return;
	}
	if (idx >= 0x32 && idx < 0x32 + LAPIC_NR_LVT) {
		u32 i = idx - 0x32;

		/* remote IRR (LINT) is kept; software-disabled forces the mask */
		v = (v & lvt_mask[i]) | (l->lvt[i] & LAPIC_LVT_REMOTE_IRR);
		if (!lapic_sw_enabled(l))
			v |= LAPIC_LVT_MASKED;
		if (i == LAPIC_LVT_IDX_TIMER)
			write_lvt_timer(l, v);
		else
			l->lvt[i] = v;
	}
}

/* The table entry of `idx` in the current mode, 0 when it does not exist. */
static u8 reg_lookup(const struct lapic *l, u32 idx)
{
	u8 f;

	if (idx >= NR_REGS)
		return 0;
	f = reg_flags[idx];
	if ((f & XA) && l->x2apic)
		return 0;
	if ((f & X2) && !l->x2apic)
		return 0;
	if (l->x2apic && ((idx << 4) == LAPIC_ID || (idx << 4) == LAPIC_LDR))
		f &= ~W;
	return f;
}

/* xAPIC accesses are defined only as 32-bit, 16-byte aligned, in-page. */
static int mmio_check(struct lapic *l, u32 offset, u32 size)
{
	if (l->x2apic || size != 4 || (offset & 0xF) || offset >= 0x1000) {
		l->bad_accesses++;
		return -VMM_EINVALID;
	}
	return VMM_OK;
}

/* xAPIC MMIO read at `offset` in the APIC page. Reserved registers read 0
 * and set the illegal-register error; an undefined access reads 0. */
int lapic_mmio_read(struct lapic *l, u32 offset, u32 size, u64 now_ns, u32 *val)
{
	int rc = mmio_check(l, offset, size);
	u8 f;

	*val = 0;
	if (rc)
		return rc;
	f = reg_lookup(l, offset >> 4);
	if (!(f & R)) {
		if (!(f & W))
			lapic_set_error(l, LAPIC_ESR_ILLEGAL_REG);
		return VMM_OK;		/* write-only (EOI) reads 0 */
	}
	*val = (u32)reg_read(l, offset >> 4, now_ns);
	return VMM_OK;
}

/* xAPIC MMIO write; writes to read-only registers are ignored, to reserved
 * ones set the illegal-register error. */
int lapic_mmio_write(struct lapic *l, u32 offset, u32 size, u64 now_ns, u32 val)
{
	int rc = mmio_check(l, offset, size);
	u8 f;

	if (rc)
		return rc;
	f = reg_lookup(l, offset >> 4);
	if (!(f & W)) {
		if (!(f & R))
			lapic_set_error(l, LAPIC_ESR_ILLEGAL_REG);
		return VMM_OK;
	}
	reg_write(l, offset >> 4, val, now_ns);
	return VMM_OK;
}

/* x2APIC RDMSR of 0x800-0x8FF or IA32_TSC_DEADLINE; -VMM_EACCESS (#GP) for
 * reserved and write-only registers or when not in x2APIC mode. */
int lapic_msr_read(struct lapic *l, u32 msr, u64 now_ns, u64 *val)
{
	*val = 0;
	if (msr == LAPIC_MSR_TSC_DEADLINE) {
		if (lapic_timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
			*val = l->tsc_deadline;
		return VMM_OK;
	}
	if (!l->x2apic || msr < LAPIC_MSR_BASE || msr > LAPIC_MSR_END)
		return -VMM_EACCESS;
	if (!(reg_lookup(l, msr - LAPIC_MSR_BASE) & R))
		return -VMM_EACCESS;
	*val = reg_read(l, msr - LAPIC_MSR_BASE, now_ns);
	return VMM_OK;
}

/* x2APIC WRMSR; -VMM_EACCESS (#GP) for reserved or read-only registers,
 * bits 63:32 set (except ICR), a non-zero EOI/ESR value, reserved SELF IPI
 * bits, or when not in x2APIC mode. IA32_TSC_DEADLINE works in both modes
 * and is ignored outside TSC-deadline mode; 0 disarms. */
int lapic_msr_write(struct lapic *l, u32 msr, u64 now_ns, u64 val)
{
	u32 idx = msr - LAPIC_MSR_BASE;

	if (msr == LAPIC_MSR_TSC_DEADLINE) {
		if (lapic_timer_mode(l) != LAPIC_TIMER_TSC_DEADLINE)
			return VMM_OK;
		l->tsc_deadline = val;
		l->timer_next_ns = val ? tsc_to_ns(l, val) : LAPIC_TIMER_NONE;
		return VMM_OK;
	}
	if (!l->x2apic || msr < LAPIC_MSR_BASE || msr > LAPIC_MSR_END)
		return -VMM_EACCESS;
	if (!(reg_lookup(l, idx) & W))
		return -VMM_EACCESS;
	if ((idx << 4) != LAPIC_ICR_LO && (val >> 32))
		return -VMM_EACCESS;
	if (((idx << 4) == LAPIC_EOI || (idx << 4) == LAPIC_ESR) && val)
		return -VMM_EACCESS;
	if ((idx << 4) == LAPIC_SELF_IPI && (val & ~0xFFULL))
		return -VMM_EACCESS;
	reg_write(l, idx, val, now_ns);
	return VMM_OK;
}
