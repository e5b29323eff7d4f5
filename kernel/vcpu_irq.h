/*
 * kernel/vcpu_irq.h - virtual interrupts of one VCPU (the design's chapter
 * 1, "virtual interrupt management information" on the VCPU).
 *
 * Owns the interrupt state a VCPU carries between the guest's interrupt
 * controllers and the arch's event injection:
 *  - interrupt LINES into the VCPU (ExtINT: the INTR pin the guest's PIC
 *    drives; LOCAL: the VCPU's own local APIC, asserted while it holds an
 *    interrupt above its processor priority), asserted and deasserted by
 *    the controller that drives them; a line may be GATED (the local
 *    APIC's LVT LINT0 decides whether the PIC's INTR reaches the core);
 *  - the NMI request, and INIT and SIPI: INIT stops the VCPU (PAUSED,
 *    waiting for a SIPI), a SIPI then starts it at the vector's page in
 *    real mode (the arch applies the INIT state and the start when the
 *    VCPU is next switched in: arch_vcpu_sipi());
 *  - POSTED VECTORS, a 256-bit pending bitmap (what a local APIC accepts);
 *  - the pending-request word, one bit per kind of request, that the arch
 *    reads with a single load before every VM entry and turns into an
 *    injection through vmm_vcpu_irq_acknowledge();
 *  - the HLT wait: a VCPU PAUSED by vmm_vcpu_irq_wait() is resumed by the
 *    next request of any kind; a VCPU paused otherwise (the terminal) is not.
 * A request for a VCPU that runs on another host CPU kicks that CPU so the
 * injection happens at once. Generic code: no arch headers.
 *
 * Locking: a per-VCPU spinlock orders requests against the HLT wait; it may
 * be taken with a device model's or controller's lock held, and is held
 * while the manager resumes the VCPU (lock order: controller -> VCPU irq
 * -> scheduler). vmm_vcpu_irq_acknowledge() calls the controller's
 * acknowledge with no VCPU irq lock held (the controller deasserts its line
 * from there).
 */
#ifndef KERNEL_VCPU_IRQ_H
#define KERNEL_VCPU_IRQ_H

#include "kernel/types.h"
#include "kernel/spinlock.h"

struct vmm_vcpu;

/* Lines into a VCPU. */
enum vmm_vcpu_irq_line {
	VMM_VCPU_IRQ_EXTINT = 0,	/* INTR: the vector comes from the driving controller */
	VMM_VCPU_IRQ_LOCAL = 1,		/* the local APIC: its highest deliverable vector */
	VMM_VCPU_IRQ_NR_LINES
};

/* Bits of vmm_vcpu_irq.pending: what the arch must do before entry. */
#define VMM_VCPU_IRQ_REQ_EXTINT	(1u << 0)	/* ExtINT line asserted (and not gated) */
#define VMM_VCPU_IRQ_REQ_LOCAL	(1u << 1)	/* local APIC line asserted */
#define VMM_VCPU_IRQ_REQ_VECTOR	(1u << 2)	/* at least one posted vector */
#define VMM_VCPU_IRQ_REQ_NMI	(1u << 3)	/* an NMI to deliver */
#define VMM_VCPU_IRQ_REQ_LINES	(VMM_VCPU_IRQ_REQ_EXTINT | VMM_VCPU_IRQ_REQ_LOCAL)

/* The controller that drives a line: asked for the vector at INTA. */
typedef int (*vmm_vcpu_irq_ack_fn)(void *priv);

struct vmm_vcpu_irq {
	vmm_spinlock_t lock;
	/* VMM_VCPU_IRQ_REQ_* bits; written under 'lock' with atomics, read
	 * without it (the one test before every VM entry) */
	u32 pending;
	bool waiting;			/* PAUSED by vmm_vcpu_irq_wait() */
	bool wait_sipi;			/* INIT taken (or an AP not started): PAUSED until a SIPI */
	u32 levels;			/* line levels (bit n: line n asserted) */
	u32 gated;			/* lines whose gate is closed (bit n) */
	void *local;			/* the VCPU's local APIC (devemu/lapic.c), NULL without */
	u64 posted[4];			/* vectors posted, not acknowledged yet */
	struct {
		vmm_vcpu_irq_ack_fn ack;
		void *priv;
	} line[VMM_VCPU_IRQ_NR_LINES];
	u64 asserts;			/* requests made (line raised or vector posted) */
	u64 injected;			/* vectors handed out for injection */
	u64 wakeups;			/* HLT waits ended by a request */
	u64 kicks;			/* host CPUs kicked for a request */
	u64 nmis;			/* NMIs requested */
	u64 inits, sipis;		/* INITs that stopped it, SIPIs that started it */
	u64 sipis_lost;			/* SIPIs that found it still on its CPU for too long */
};

/* Set up a new VCPU's interrupt state (no lines connected, nothing pending). */
void vmm_vcpu_irq_init(struct vmm_vcpu *vcpu);
/*
 * VCPU or guest reset: drop the posted vectors and the HLT wait. Line
 * levels and line connections stay: they belong to the controllers, which
 * the guest reset resets (and which then deassert).
 */
void vmm_vcpu_irq_reset(struct vmm_vcpu *vcpu);

/*
 * A controller declares that it drives 'line' of 'vcpu'; 'ack' gives the
 * vector at INTA. -VMM_EINVALID for no such line, -VMM_EEXIST when another
 * controller drives it already.
 */
int vmm_vcpu_irq_line_connect(struct vmm_vcpu *vcpu, u32 line, vmm_vcpu_irq_ack_fn ack,
			      void *priv);
/* The controller raises / lowers its line (level semantics; repeats are harmless). */
void vmm_vcpu_irq_assert(struct vmm_vcpu *vcpu, u32 line);
void vmm_vcpu_irq_deassert(struct vmm_vcpu *vcpu, u32 line);
/* Post 'vector' (a local APIC accepting an interrupt): pending until acknowledged. */
void vmm_vcpu_irq_post(struct vmm_vcpu *vcpu, u8 vector);
/*
 * Open or close the gate of 'line': while closed, the line's level is kept
 * but makes no request (the local APIC masking LINT0, which the PIC's INTR
 * reaches). Lines start open.
 */
void vmm_vcpu_irq_line_gate(struct vmm_vcpu *vcpu, u32 line, bool open);
/* An NMI for the VCPU (edge: requests while one is pending are one). */
void vmm_vcpu_irq_nmi(struct vmm_vcpu *vcpu);
/* The arch injects the pending NMI now: clears the request. */
void vmm_vcpu_irq_nmi_taken(struct vmm_vcpu *vcpu);
/*
 * INIT: the VCPU stops (PAUSED wherever it runs, its HLT wait, posted
 * vectors and NMI dropped) and waits for a SIPI; one already waiting stays
 * so. A VCPU in RESET or HALTED ignores it. The caller resets the VCPU's
 * local APIC itself.
 */
void vmm_vcpu_irq_init_signal(struct vmm_vcpu *vcpu);
/*
 * SIPI with 'vector': a VCPU waiting for a SIPI starts at vector << 12 in
 * real mode with the INIT state (arch_vcpu_sipi()); true when it did. One
 * not waiting ignores it (the second SIPI of INIT-SIPI-SIPI). Waits, a
 * bounded time, for the VCPU to leave the CPU its INIT stopped it on.
 */
bool vmm_vcpu_irq_startup(struct vmm_vcpu *vcpu, u8 vector);
/* An application processor at its guest's start: PAUSED waiting for a SIPI
 * (the VCPU is in RESET or READY; the caller makes it PAUSED). */
void vmm_vcpu_irq_await_sipi(struct vmm_vcpu *vcpu);
/* Does the VCPU wait for a SIPI (INIT taken, or an AP not started)? */
bool vmm_vcpu_irq_awaits_sipi(struct vmm_vcpu *vcpu);

/* The request bits: one load, for the check before every VM entry. */
static inline u32 vmm_vcpu_irq_pending(const struct vmm_vcpu_irq *irq)
{
	return __atomic_load_n(&irq->pending, __ATOMIC_RELAXED);
}

/*
 * The guest takes an interrupt now (the arch found it can): the vector to
 * inject, or -VMM_ENOENT when nothing is pending any more. ExtINT first
 * (the driving controller's INTA cycle, which may give its spurious
 * vector), then the highest posted vector, which is consumed.
 */
int vmm_vcpu_irq_acknowledge(struct vmm_vcpu *vcpu);

/*
 * HLT with interrupts enabled, called by the VCPU's own exit path: returns
 * 0 with the VCPU left as it is when a request is pending, else PAUSES the
 * VCPU (vmm_manager_vcpu_pause) until the next request of any kind resumes
 * it (vmm_manager_vcpu_resume); 1 when it paused, or a negative error of
 * the pause. The check and the pause are one step against requests made on
 * other CPUs.
 */
int vmm_vcpu_irq_wait(struct vmm_vcpu *vcpu);
/* The VCPU no longer waits in HLT (a pause from the terminal, INIT, a
 * halt): an interrupt must not resume it. */
void vmm_vcpu_irq_wait_cancel(struct vmm_vcpu *vcpu);
/* Is the VCPU PAUSED in its HLT wait (an interrupt would resume it)? */
bool vmm_vcpu_irq_waiting(struct vmm_vcpu *vcpu);

#endif
