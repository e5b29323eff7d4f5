/*
 * devemu/lapic_model.h - the state and register semantics of one virtual
 * local APIC (Intel SDM vol. 3, chapter 11), as a pure model: no VMX, no
 * devemu registration, no timer events, no locking. The caller (the future
 * LAPIC device and its VMX exits) serialises calls per LAPIC, passes the
 * guest's virtual time "now" in ns, arms real timer events at the expiry
 * the model reports, routes the IPIs the model decodes, and turns the
 * error codes of x2APIC accesses into #GP.
 *
 * One register table serves both forms: xAPIC MMIO offset O (0x000-0x3F0,
 * 16-byte aligned, 32-bit accesses only) is x2APIC MSR 0x800 + O / 16.
 *
 * Choices (where the SDM leaves them to the implementation):
 *   - version register 0x00050014: version 0x14 (integrated APIC), max LVT
 *     entry 5, i.e. six LVTs: timer, thermal, performance counters, LINT0,
 *     LINT1, error. No CMCI LVT (0x2F0 is reserved); no EOI-broadcast
 *     suppression (version bit 24 clear, SVR bit 12 reserved).
 *   - the timer counts at 1 GHz / lapic_config.bus_ns (one tick per bus_ns
 *     ns) divided by the divide configuration; the guest TSC counts at
 *     tsc_hz from 0 at guest time 0 (the caller offsets it if not).
 *   - the xAPIC ID register is writable (bits 31:24); in x2APIC mode ID and
 *     LDR are read-only and LDR is derived from the ID (SDM 11.12.10.2).
 *   - the caller owns IA32_APIC_BASE: it enforces the legal transitions
 *     (x2APIC -> xAPIC only through disabled) and calls lapic_set_x2apic().
 *   - a software-disabled LAPIC (SVR bit 8 clear) refuses new fixed
 *     interrupts (lapic_accept: -VMM_ENOTAVAIL); pending ones stay.
 *   - x2APIC writes: non-zero bits 63:32 (except ICR), a non-zero EOI or ESR
 *     value, or reserved bits of SELF IPI are errors (#GP); other reserved
 *     bits are masked as in xAPIC mode.
 */
#ifndef DEVEMU_LAPIC_MODEL_H
#define DEVEMU_LAPIC_MODEL_H

#include "kernel/types.h"

/* xAPIC register offsets (x2APIC MSR = LAPIC_MSR_BASE + offset / 16) */
#define LAPIC_ID	0x020
#define LAPIC_VERSION	0x030
#define LAPIC_TPR	0x080
#define LAPIC_APR	0x090
#define LAPIC_PPR	0x0A0
#define LAPIC_EOI	0x0B0
#define LAPIC_RRD	0x0C0
#define LAPIC_LDR	0x0D0
#define LAPIC_DFR	0x0E0
#define LAPIC_SVR	0x0F0
#define LAPIC_ISR	0x100	/* 8 registers, 0x100-0x170 */
#define LAPIC_TMR	0x180	/* 8 registers, 0x180-0x1F0 */
#define LAPIC_IRR	0x200	/* 8 registers, 0x200-0x270 */
#define LAPIC_ESR	0x280
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_THERM	0x330
#define LAPIC_LVT_PERF	0x340
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERR	0x370
#define LAPIC_TIMER_ICR	0x380	/* initial count */
#define LAPIC_TIMER_CCR	0x390	/* current count */
#define LAPIC_TIMER_DCR	0x3E0	/* divide configuration */
#define LAPIC_SELF_IPI	0x3F0	/* x2APIC only (MSR 0x83F) */

#define LAPIC_MSR_BASE		0x800
#define LAPIC_MSR_END		0x8FF
#define LAPIC_MSR_TSC_DEADLINE	0x6E0	/* IA32_TSC_DEADLINE */

#define LAPIC_VERSION_VALUE	0x00050014u
#define LAPIC_NR_LVT		6

/* SVR bits */
#define LAPIC_SVR_ENABLE	(1u << 8)
#define LAPIC_SVR_FOCUS_OFF	(1u << 9)

/* LVT bits */
#define LAPIC_LVT_MASKED	(1u << 16)
#define LAPIC_LVT_LEVEL		(1u << 15)
#define LAPIC_LVT_REMOTE_IRR	(1u << 14)
#define LAPIC_TIMER_MODE_SHIFT	17

/* error status bits (SDM 11.5.3) */
#define LAPIC_ESR_SEND_ILLEGAL_VEC	(1u << 5)
#define LAPIC_ESR_RECV_ILLEGAL_VEC	(1u << 6)
#define LAPIC_ESR_ILLEGAL_REG		(1u << 7)

enum lapic_lvt {
	LAPIC_LVT_IDX_TIMER, LAPIC_LVT_IDX_THERM, LAPIC_LVT_IDX_PERF,
	LAPIC_LVT_IDX_LINT0, LAPIC_LVT_IDX_LINT1, LAPIC_LVT_IDX_ERR,
};

enum lapic_timer_mode {
	LAPIC_TIMER_ONESHOT = 0, LAPIC_TIMER_PERIODIC = 1,
	LAPIC_TIMER_TSC_DEADLINE = 2,
};

/* ICR / LVT delivery modes (bits 10:8) */
enum lapic_delivery {
	LAPIC_DM_FIXED = 0, LAPIC_DM_LOWEST = 1, LAPIC_DM_SMI = 2,
	LAPIC_DM_NMI = 4, LAPIC_DM_INIT = 5, LAPIC_DM_STARTUP = 6,
	LAPIC_DM_EXTINT = 7,
};

/* ICR destination shorthands (bits 19:18) */
enum lapic_shorthand {
	LAPIC_SH_NONE = 0, LAPIC_SH_SELF = 1, LAPIC_SH_ALL_INCL = 2,
	LAPIC_SH_ALL_EXCL = 3,
};

#define LAPIC_TRIGGER_EDGE	false
#define LAPIC_TRIGGER_LEVEL	true

/* An interprocessor interrupt as decoded from an ICR (or SELF IPI) write. */
struct lapic_ipi {
	u8 vector;
	enum lapic_delivery delivery;
	bool logical;			/* destination mode: logical, else physical */
	bool level_assert;		/* level bit (14): INIT de-assert has it clear */
	bool level_trigger;		/* trigger mode bit (15) */
	enum lapic_shorthand shorthand;
	u32 dest;			/* 8-bit xAPIC or 32-bit x2APIC destination */
	u32 src_id;			/* the sender's APIC ID */
	bool x2apic;			/* the sender was in x2APIC mode */
};

/* What the model asks of its caller. */
struct lapic_ops {
	/* route an IPI (including shorthand self) to its destinations */
	void (*send_ipi)(void *ctx, const struct lapic_ipi *ipi);
	/* EOI of a level-triggered vector: broadcast it to the IO-APIC(s) */
	void (*eoi_level)(void *ctx, u8 vector);
};

struct lapic_config {
	u32 apic_id;
	u32 bus_ns;		/* ns per timer bus tick, >= 1 (1: 1 GHz) */
	u64 tsc_hz;		/* guest TSC frequency, for the TSC deadline */
	const struct lapic_ops *ops;	/* may be NULL, as may each op */
	void *ctx;
};

#define LAPIC_TIMER_NONE	UINT64_MAX	/* no expiry armed */

struct lapic {
	struct lapic_config cfg;
	u64 tsc_mult;		/* ns = tsc * tsc_mult >> 32 */
	bool x2apic;
	u32 id;			/* the full APIC ID (xAPIC reads it << 24) */
	u32 tpr, ldr, dfr, svr;
	u32 isr[8], tmr[8], irr[8];
	u32 esr;		/* what ESR reads */
	u32 esr_pending;	/* errors since the last ESR write */
	u32 icr_lo, icr_hi;
	u32 lvt[LAPIC_NR_LVT];
	u32 timer_initial, timer_dcr;
	u64 timer_start_ns;	/* when the current count was (re)loaded */
	u64 timer_next_ns;	/* next expiry, LAPIC_TIMER_NONE when disarmed */
	u64 tsc_deadline;
	u64 bad_accesses;	/* illegal accesses reported (statistics) */
};

/* set up at power-on / INIT state (SDM 11.4.7.1) */
int lapic_init(struct lapic *l, const struct lapic_config *cfg);
void lapic_reset(struct lapic *l);
/* switch between xAPIC and x2APIC (IA32_APIC_BASE bit 10, decided by the caller) */
void lapic_set_x2apic(struct lapic *l, bool on);

/* register accesses: 0, or a negative VMM_E* code (illegal access / #GP) */
int lapic_mmio_read(struct lapic *l, u32 offset, u32 size, u64 now_ns, u32 *val);
int lapic_mmio_write(struct lapic *l, u32 offset, u32 size, u64 now_ns, u32 val);
int lapic_msr_read(struct lapic *l, u32 msr, u64 now_ns, u64 *val);
int lapic_msr_write(struct lapic *l, u32 msr, u64 now_ns, u64 val);

/* interrupts */
int lapic_accept(struct lapic *l, u8 vector, bool level, bool level_trigger);
int lapic_highest_pending(const struct lapic *l);
int lapic_ack(struct lapic *l, u8 vector);
void lapic_eoi(struct lapic *l);
u32 lapic_ppr(const struct lapic *l);
void lapic_set_error(struct lapic *l, u32 esr_bits);
bool lapic_sw_enabled(const struct lapic *l);

/* LINT0/LINT1 asserted: 0 when the LVT handled it (fixed: accepted) or is
 * masked; else the delivery mode the caller carries out (NMI, ExtINT, ...) */
int lapic_lint(struct lapic *l, int pin);

/* destination matching the caller's router uses */
bool lapic_match_physical(const struct lapic *l, u32 dest);
bool lapic_match_logical(const struct lapic *l, u32 dest);
bool lapic_match_ipi(const struct lapic *l, const struct lapic_ipi *ipi);

/* timer: pure helpers, and the state's view of them */
u32 lapic_timer_divide(u32 dcr);
u32 lapic_timer_count_at(u32 initial, bool periodic, u64 start_ns, u64 tick_ns, u64 now_ns);
u32 lapic_timer_current(const struct lapic *l, u64 now_ns);
u64 lapic_timer_next_expiry(const struct lapic *l);
enum lapic_timer_mode lapic_timer_mode(const struct lapic *l);
void lapic_timer_fire(struct lapic *l, u64 now_ns);

#endif
