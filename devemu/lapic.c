/*
 * devemu/lapic.c - the local APIC of every VCPU of a guest, and the guest's
 * APIC bus (devemu/apic_bus.h): the "x86,local-apic" emulator.
 *
 * One virtual region (the xAPIC page, 0xFEE00000) stands for all of a
 * guest's local APICs; an access reaches the LAPIC of the VCPU making it.
 * The register semantics are the pure model's (devemu/lapic_model.c); this
 * file gives each model a lock, a timer event, the VCPU's interrupt lines
 * and the bus:
 *  - the LOCAL line of the VCPU (kernel/vcpu_irq.h) is asserted exactly
 *    while the model has an interrupt above its processor priority; the
 *    arch's acknowledge takes it (IRR -> ISR);
 *  - the PIC's INTR (the ExtINT line) reaches the VCPU only while LVT LINT0
 *    says ExtINT and is unmasked, or while the LAPIC is globally disabled
 *    (IA32_APIC_BASE bit 11 clear), as on a PC; the boot VCPU's LAPIC starts
 *    the way PC firmware leaves it (software-enabled, LINT0 ExtINT, LINT1
 *    NMI: "virtual wire"), so the PIC works before the OS switches;
 *  - the timer counts in the VCPU's TSC time (one bus tick per ns, divided
 *    by the divide configuration; TSC-deadline against the VCPU's TSC) on a
 *    timer event bound to the VCPU, so it fires on the CPU the VCPU runs on
 *    and moves with it (the one model that binds its events to a VCPU other
 *    than the boot VCPU); never closer than VMM_TIMER_MIN_PERIOD_NS to its
 *    previous firing;
 *  - what the model sends (an IPI written to the ICR, an EOI of a level
 *    vector) is collected under the LAPIC's lock and carried out after it
 *    is dropped, so no two LAPIC locks are ever held together.
 * Lock order: a LAPIC's lock, then the VCPU's irq lock (then the scheduler).
 */
#include <string.h>
#include "devemu/devemu.h"
#include "devemu/apic_bus.h"
#include "devemu/lapic.h"
#include "devemu/lapic_model.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/scheduler.h"
#include "kernel/vcpu_irq.h"
#include "kernel/timer.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/arch_vcpu.h"
#include "kernel/error.h"

#define OUTBOX 2

struct lapic_dev;

struct vlapic {
	vmm_spinlock_t lock;
	struct lapic m;
	struct vmm_vcpu *vcpu;
	struct lapic_dev *dev;
	u32 index;			/* the VCPU's index in its guest */
	u64 apic_base;			/* IA32_APIC_BASE */
	struct vmm_timer_event timer;
	u64 armed_gns;			/* the model expiry the event is armed for */
	u64 last_fire_ns;		/* host time the event last fired */
	bool line_up;			/* LOCAL line asserted */
	bool lint0_open;		/* ExtINT reaches the VCPU */
	bool base_reported;		/* a relocation of the page was reported */
	/* what the model sent during the current call (carried out unlocked) */
	struct lapic_ipi ipi[OUTBOX];
	u32 nipi;
	u8 eoi[OUTBOX];
	u32 neoi;
	u64 ipis_sent, ipis_received, timer_irqs, eois;
};

struct apic_bus {
	struct lapic_dev *dev;
	vmm_apic_eoi_fn eoi_fn;
	void *eoi_priv;
};

struct lapic_dev {
	struct vmm_guest *guest;
	struct apic_bus *bus;
	u32 nr;
	struct vlapic cpu[VMM_GUEST_MAX_VCPUS];
};

static struct apic_bus *bus_of(struct vmm_guest *g)
{
	return vmm_devemu_guest_shared(g, "apic-bus", sizeof(struct apic_bus));
}

/* ---- the model's requests --------------------------------------------- */

static void op_send_ipi(void *ctx, const struct lapic_ipi *ipi)
{
	struct vlapic *l = ctx;

	if (l->nipi < OUTBOX)
		l->ipi[l->nipi++] = *ipi;
}

static void op_eoi_level(void *ctx, u8 vector)
{
	struct vlapic *l = ctx;

	if (l->neoi < OUTBOX)
		l->eoi[l->neoi++] = vector;
}

static const struct lapic_ops vlapic_ops = {
	.send_ipi = op_send_ipi,
	.eoi_level = op_eoi_level,
};

/* ---- time -------------------------------------------------------------- */

/* The VCPU's TSC as ns (the model's time base). */
static u64 now_gns(struct vlapic *l)
{
	unsigned __int128 ns = (unsigned __int128)arch_vcpu_tsc(l->vcpu) * l->m.tsc_mult;

	return (u64)(ns >> 32);
}

/* Arm or stop the timer event for the model's next expiry (lock held). */
static void timer_sync_locked(struct vlapic *l, u64 gns)
{
	u64 exp = lapic_timer_next_expiry(&l->m), host;

	if (exp == l->armed_gns)
		return;
	l->armed_gns = exp;
	if (exp == LAPIC_TIMER_NONE) {
		vmm_timer_event_stop(&l->timer);
		return;
	}
	host = vmm_timer_now_ns() + (exp > gns ? exp - gns : 0);
	vmm_timer_event_start(&l->timer, vmm_timer_guest_expiry(host, l->last_fire_ns));
}

/* ---- lines into the VCPU ---------------------------------------------- */

static bool globally_enabled(const struct vlapic *l)
{
	return l->apic_base & LAPIC_BASE_EN;
}

/* After any change of the model (lock held): the LOCAL line, the ExtINT
 * gate and the timer follow it. */
static void sync_locked(struct vlapic *l, u64 gns)
{
	bool up = globally_enabled(l) && lapic_highest_pending(&l->m) >= 0;
	u32 lint0 = l->m.lvt[LAPIC_LVT_IDX_LINT0];
	bool open = !globally_enabled(l) ||
		    (lapic_sw_enabled(&l->m) && !(lint0 & LAPIC_LVT_MASKED) &&
		     ((lint0 >> 8) & 7) == LAPIC_DM_EXTINT);

	if (up != l->line_up) {
		l->line_up = up;
		if (up)
			vmm_vcpu_irq_assert(l->vcpu, VMM_VCPU_IRQ_LOCAL);
		else
			vmm_vcpu_irq_deassert(l->vcpu, VMM_VCPU_IRQ_LOCAL);
	}
	if (open != l->lint0_open) {
		l->lint0_open = open;
		vmm_vcpu_irq_line_gate(l->vcpu, VMM_VCPU_IRQ_EXTINT, open);
	}
	timer_sync_locked(l, gns);
}

static u32 bus_deliver(struct lapic_dev *d, const struct vmm_apic_msg *msg);
static int lapic_intack(void *priv);

/* Carry out what the model sent while the lock was held (lock dropped). */
static void flush_outbox(struct vlapic *l, struct lapic_ipi *ipi, u32 nipi, u8 *eoi, u32 neoi)
{
	struct apic_bus *bus = l->dev->bus;

	for (u32 i = 0; i < nipi; i++) {
		struct vmm_apic_msg msg = {
			.vector = ipi[i].vector,
			.delivery = ipi[i].delivery,
			.shorthand = ipi[i].shorthand,
			.logical = ipi[i].logical,
			.level_trigger = ipi[i].level_trigger,
			.level_assert = ipi[i].level_assert,
			.dest = ipi[i].dest,
			.x2apic_dest = ipi[i].x2apic,
			.sender = l->index,
		};

		bus_deliver(l->dev, &msg);
	}
	for (u32 i = 0; i < neoi; i++) {
		vmm_apic_eoi_fn fn = __atomic_load_n(&bus->eoi_fn, __ATOMIC_ACQUIRE);

		if (fn)
			fn(bus->eoi_priv, eoi[i]);
	}
}

/* Lock, and start collecting what the model sends. */
static u64 lapic_lock(struct vlapic *l, unsigned long *f)
{
	*f = vmm_spin_lock_irqsave(&l->lock);
	l->nipi = l->neoi = 0;
	return now_gns(l);
}

/* Sync the lines, unlock, and send what was collected. */
static void lapic_unlock(struct vlapic *l, unsigned long f, u64 gns)
{
	struct lapic_ipi ipi[OUTBOX];
	u8 eoi[OUTBOX];
	u32 nipi = l->nipi, neoi = l->neoi;

	sync_locked(l, gns);
	memcpy(ipi, l->ipi, sizeof(ipi[0]) * nipi);
	memcpy(eoi, l->eoi, neoi);
	l->ipis_sent += nipi;
	l->eois += neoi;
	vmm_spin_unlock_irqrestore(&l->lock, f);
	if (nipi || neoi)
		flush_outbox(l, ipi, nipi, eoi, neoi);
}

/* ---- the per-VCPU LAPIC's lifetime -------------------------------------- */

/* Power-on state; the boot VCPU's as PC firmware leaves it (virtual wire). */
static void vlapic_power_on(struct vlapic *l)
{
	struct lapic_config cfg = {
		.apic_id = l->index,
		.bus_ns = 1,
		.tsc_hz = arch_vcpu_tsc_hz(),
		.ops = &vlapic_ops,
		.ctx = l,
	};

	lapic_init(&l->m, &cfg);
	l->apic_base = LAPIC_BASE_DEFAULT | LAPIC_BASE_EN | (l->index == 0 ? LAPIC_BASE_BSP : 0);
	if (l->index == 0) {
		l->m.svr = LAPIC_SVR_ENABLE | 0xFF;
		l->m.lvt[LAPIC_LVT_IDX_LINT0] = LAPIC_DM_EXTINT << 8;
		l->m.lvt[LAPIC_LVT_IDX_LINT1] = LAPIC_DM_NMI << 8;
	}
	l->armed_gns = LAPIC_TIMER_NONE;
	l->last_fire_ns = 0;
	l->base_reported = false;
}

static void vlapic_timer_fired(struct vmm_timer_event *ev)
{
	struct vlapic *l = ev->priv;
	unsigned long f;
	u64 gns = lapic_lock(l, &f);

	l->last_fire_ns = vmm_timer_now_ns();
	l->armed_gns = LAPIC_TIMER_NONE;	/* the event ran: armed for nothing */
	if (gns >= lapic_timer_next_expiry(&l->m)) {
		if (!(l->m.lvt[LAPIC_LVT_IDX_TIMER] & LAPIC_LVT_MASKED))
			l->timer_irqs++;
		lapic_timer_fire(&l->m, gns);
	}
	lapic_unlock(l, f, gns);
}

/* The LAPIC of the VCPU now on this CPU, for an access to the xAPIC page. */
static struct vlapic *current_lapic(struct vmm_emudev *edev)
{
	struct lapic_dev *d = edev->priv;
	struct vmm_vcpu *v = vmm_scheduler_current();

	if (!d || !v || v->guest != d->guest || v->subid >= d->nr)
		return NULL;
	return &d->cpu[v->subid];
}

static int lapic_probe(struct vmm_emudev *edev)
{
	struct vmm_guest *g = edev->guest;
	struct apic_bus *bus = bus_of(g);
	struct lapic_dev *d;

	if (!bus)
		return -VMM_ENOMEM;
	if (bus->dev) {
		vmm_err("guest %s: region %s: a second local-APIC region (one stands for every VCPU's)\n",
			g->name, edev->region->cfg->name);
		return -VMM_EEXIST;
	}
	if (edev->region->cfg->io || edev->region->cfg->gpa != LAPIC_BASE_DEFAULT ||
	    edev->region->cfg->size != 0x1000) {
		vmm_err("guest %s: region %s: the local APIC is a memory region of 0x1000 bytes at 0x%llx\n",
			g->name, edev->region->cfg->name, (unsigned long long)LAPIC_BASE_DEFAULT);
		return -VMM_EINVALID;
	}
	d = vmm_zalloc(sizeof(*d));
	if (!d)
		return -VMM_ENOMEM;
	d->guest = g;
	d->bus = bus;
	d->nr = g->nr_vcpus;
	for (u32 i = 0; i < d->nr; i++) {
		struct vlapic *l = &d->cpu[i];

		l->vcpu = g->vcpus[i];
		l->dev = d;
		l->index = i;
		vmm_timer_event_init(&l->timer, vlapic_timer_fired, l);
		vmm_timer_event_bind_vcpu(&l->timer, l->vcpu);
		vlapic_power_on(l);
		l->lint0_open = true;		/* vcpu_irq lines start open */
		l->vcpu->irq.local = l;
		vmm_vcpu_irq_line_connect(l->vcpu, VMM_VCPU_IRQ_LOCAL, lapic_intack, l);
	}
	edev->priv = d;
	__atomic_store_n(&bus->dev, d, __ATOMIC_RELEASE);
	for (u32 i = 0; i < d->nr; i++) {
		unsigned long f;
		u64 gns = lapic_lock(&d->cpu[i], &f);

		lapic_unlock(&d->cpu[i], f, gns);
	}
	return VMM_OK;
}

static int lapic_dev_reset(struct vmm_emudev *edev)
{
	struct lapic_dev *d = edev->priv;

	for (u32 i = 0; d && i < d->nr; i++) {
		struct vlapic *l = &d->cpu[i];
		unsigned long f;
		u64 gns = lapic_lock(l, &f);

		vlapic_power_on(l);
		vmm_timer_event_stop(&l->timer);
		lapic_unlock(l, f, gns);
	}
	return VMM_OK;
}

static void lapic_remove(struct vmm_emudev *edev)
{
	struct lapic_dev *d = edev->priv;

	if (!d)
		return;
	__atomic_store_n(&d->bus->dev, NULL, __ATOMIC_RELEASE);
	for (u32 i = 0; i < d->nr; i++) {
		vmm_timer_event_stop_sync(&d->cpu[i].timer);
		d->cpu[i].vcpu->irq.local = NULL;
	}
	vmm_free(d);
	edev->priv = NULL;
}

/* ---- the xAPIC page ----------------------------------------------------- */

static int lapic_read(struct vmm_emudev *edev, u64 offset, u32 width, u64 *value)
{
	struct vlapic *l = current_lapic(edev);
	unsigned long f;
	u32 val = 0;
	u64 gns;

	*value = 0;
	if (!l)
		return VMM_OK;
	gns = lapic_lock(l, &f);
	if (!globally_enabled(l) || (l->apic_base & LAPIC_BASE_EXTD))
		val = 0xFFFFFFFF;	/* the page is not decoded in these modes */
	else
		lapic_mmio_read(&l->m, (u32)offset, width, gns, &val);	/* errors: the model's ESR */
	lapic_unlock(l, f, gns);
	*value = val;
	return VMM_OK;
}

static int lapic_write(struct vmm_emudev *edev, u64 offset, u32 width, u64 value)
{
	struct vlapic *l = current_lapic(edev);
	unsigned long f;
	u64 gns;

	if (!l)
		return VMM_OK;
	gns = lapic_lock(l, &f);
	if (globally_enabled(l) && !(l->apic_base & LAPIC_BASE_EXTD))
		lapic_mmio_write(&l->m, (u32)offset, width, gns, (u32)value);
	lapic_unlock(l, f, gns);
	return VMM_OK;
}

static const char *const lapic_compat[] = { "x86,local-apic", NULL };

const struct vmm_emulator lapic_emulator = {
	.name = "lapic",
	.device_type = "pic",
	.compatible = lapic_compat,
	.probe = lapic_probe,
	.reset = lapic_dev_reset,
	.remove = lapic_remove,
	.read = lapic_read,
	.write = lapic_write,
};
VMM_EMULATOR(lapic_emulator);

/* ---- the VCPU's side: MSRs, CR8, interrupt acknowledge ------------------- */

static struct vlapic *vcpu_lapic(const struct vmm_vcpu *v)
{
	return v->irq.local;
}

bool vmm_lapic_present(const struct vmm_vcpu *v)
{
	return v->irq.local != NULL;
}

/* The arch takes the LOCAL line's interrupt: the highest deliverable vector. */
static int lapic_intack(void *priv)
{
	struct vlapic *l = priv;
	unsigned long f;
	u64 gns = lapic_lock(l, &f);
	int v = globally_enabled(l) ? lapic_highest_pending(&l->m) : -1;

	if (v >= 0)
		lapic_ack(&l->m, (u8)v);
	lapic_unlock(l, f, gns);
	return v >= 0 ? v : -VMM_ENOENT;
}

/* IA32_APIC_BASE written (SDM 10.12.5's legal transitions). */
static int write_apic_base(struct vlapic *l, u64 val)
{
	u64 old = l->apic_base;
	bool en = val & LAPIC_BASE_EN, extd = val & LAPIC_BASE_EXTD;

	if (val & ~(0xFFFFFF000ULL | LAPIC_BASE_EN | LAPIC_BASE_EXTD | LAPIC_BASE_BSP))
		return -VMM_EACCESS;			/* reserved bits */
	if (extd && !en)
		return -VMM_EACCESS;			/* x2APIC while disabled */
	if ((old & LAPIC_BASE_EXTD) && en && !extd)
		return -VMM_EACCESS;			/* x2APIC -> xAPIC directly */
	if (!(old & LAPIC_BASE_EN) && extd)
		return -VMM_EACCESS;			/* disabled -> x2APIC directly */
	if ((val & ~0xFFFULL) != LAPIC_BASE_DEFAULT && !l->base_reported) {
		l->base_reported = true;
		vmm_warn("guest %s: vcpu%u: IA32_APIC_BASE moves the xAPIC page to 0x%llx: not emulated, it stays at 0x%llx\n",
			 l->dev->guest->name, l->index, (unsigned long long)(val & ~0xFFFULL),
			 (unsigned long long)LAPIC_BASE_DEFAULT);
	}
	l->apic_base = LAPIC_BASE_DEFAULT | (old & LAPIC_BASE_BSP) | (en ? LAPIC_BASE_EN : 0) |
		       (extd ? LAPIC_BASE_EXTD : 0);
	if (!en && (old & LAPIC_BASE_EN)) {
		/* disabled: back to the reset state, interrupts pending lost */
		lapic_set_x2apic(&l->m, false);
		lapic_reset(&l->m);
	} else if (en) {
		lapic_set_x2apic(&l->m, extd);
	}
	return VMM_OK;
}

int vmm_lapic_msr_read(struct vmm_vcpu *v, u32 msr, u64 *val)
{
	struct vlapic *l = vcpu_lapic(v);
	unsigned long f;
	u64 gns;
	int rc = VMM_OK;

	*val = 0;
	if (!l)
		return -VMM_ENOENT;
	gns = lapic_lock(l, &f);
	if (msr == LAPIC_MSR_APIC_BASE)
		*val = l->apic_base;
	else if (msr >= LAPIC_MSR_BASE && msr <= LAPIC_MSR_END && !globally_enabled(l))
		rc = -VMM_EACCESS;
	else
		rc = lapic_msr_read(&l->m, msr, gns, val);
	lapic_unlock(l, f, gns);
	return rc;
}

int vmm_lapic_msr_write(struct vmm_vcpu *v, u32 msr, u64 val)
{
	struct vlapic *l = vcpu_lapic(v);
	unsigned long f;
	u64 gns;
	int rc;

	if (!l)
		return -VMM_ENOENT;
	gns = lapic_lock(l, &f);
	if (msr == LAPIC_MSR_APIC_BASE)
		rc = write_apic_base(l, val);
	else if (msr >= LAPIC_MSR_BASE && msr <= LAPIC_MSR_END && !globally_enabled(l))
		rc = -VMM_EACCESS;
	else
		rc = lapic_msr_write(&l->m, msr, gns, val);
	lapic_unlock(l, f, gns);
	return rc;
}

u64 vmm_lapic_cr8_read(struct vmm_vcpu *v)
{
	struct vlapic *l = vcpu_lapic(v);

	return l ? (__atomic_load_n(&l->m.tpr, __ATOMIC_RELAXED) >> 4) & 0xF : 0;
}

void vmm_lapic_cr8_write(struct vmm_vcpu *v, u64 cr8)
{
	struct vlapic *l = vcpu_lapic(v);
	unsigned long f;
	u64 gns;

	if (!l)
		return;
	gns = lapic_lock(l, &f);
	l->m.tpr = (u32)(cr8 & 0xF) << 4;
	lapic_unlock(l, f, gns);
}

void vmm_lapic_stats_get(struct vmm_vcpu *v, struct vmm_lapic_stats *out)
{
	struct vlapic *l = vcpu_lapic(v);

	memset(out, 0, sizeof(*out));
	if (!l)
		return;
	out->present = true;
	out->x2apic = l->m.x2apic;
	out->enabled = globally_enabled(l) && lapic_sw_enabled(&l->m);
	out->id = l->m.id;
	out->ipis_sent = l->ipis_sent;
	out->ipis_received = l->ipis_received;
	out->timer_irqs = l->timer_irqs;
	out->eois = l->eois;
	out->bad_accesses = l->m.bad_accesses;
}

/* ---- the APIC bus -------------------------------------------------------- */

/* Is LAPIC l a destination of msg (lock held)? */
static bool msg_matches(const struct vlapic *l, const struct vmm_apic_msg *msg)
{
	u32 dest = msg->dest;

	switch (msg->shorthand) {
	case APIC_BUS_SH_SELF:
		return l->index == msg->sender;
	case APIC_BUS_SH_ALL_INCL:
		return true;
	case APIC_BUS_SH_ALL_EXCL:
		return l->index != msg->sender;
	}
	if (!globally_enabled(l))
		return false;
	/* an 8-bit broadcast reaches x2APIC-mode LAPICs too */
	if (l->m.x2apic && !msg->x2apic_dest && (dest & 0xFF) == 0xFF)
		dest = 0xFFFFFFFF;
	return msg->logical ? lapic_match_logical(&l->m, dest) : lapic_match_physical(&l->m, dest);
}

/* Hand a fixed interrupt to one LAPIC. */
static void accept_fixed(struct vlapic *l, const struct vmm_apic_msg *msg)
{
	unsigned long f;
	u64 gns = lapic_lock(l, &f);

	if (globally_enabled(l) &&
	    lapic_accept(&l->m, msg->vector, msg->level_assert || !msg->level_trigger,
			 msg->level_trigger) == VMM_OK)
		l->ipis_received++;
	lapic_unlock(l, f, gns);
}

/* INIT reaching a VCPU: its LAPIC back to the INIT state (ID and mode
 * kept), the VCPU stopped until a SIPI. */
static void init_target(struct vlapic *l)
{
	unsigned long f;
	u64 gns = lapic_lock(l, &f);

	lapic_reset(&l->m);
	lapic_unlock(l, f, gns);
	vmm_vcpu_irq_init_signal(l->vcpu);
}

static u32 bus_deliver(struct lapic_dev *d, const struct vmm_apic_msg *msg)
{
	bool match[VMM_GUEST_MAX_VCPUS];
	u32 n = 0, best = ~0u, best_ppr = ~0u;

	if (!d)
		return 0;
	for (u32 i = 0; i < d->nr; i++) {
		struct vlapic *l = &d->cpu[i];
		unsigned long f = vmm_spin_lock_irqsave(&l->lock);

		match[i] = msg_matches(l, msg);
		/* lowest priority: the lowest processor priority, ties to the first */
		if (match[i] && msg->delivery == APIC_BUS_DM_LOWEST && lapic_ppr(&l->m) < best_ppr) {
			best_ppr = lapic_ppr(&l->m);
			best = i;
		}
		vmm_spin_unlock_irqrestore(&l->lock, f);
	}
	for (u32 i = 0; i < d->nr; i++) {
		struct vlapic *l = &d->cpu[i];

		if (!match[i] || (msg->delivery == APIC_BUS_DM_LOWEST && i != best))
			continue;
		n++;
		switch (msg->delivery) {
		case APIC_BUS_DM_FIXED:
		case APIC_BUS_DM_LOWEST:
			accept_fixed(l, msg);
			break;
		case APIC_BUS_DM_NMI:
			vmm_vcpu_irq_nmi(l->vcpu);
			break;
		case APIC_BUS_DM_INIT:
			/* the level-triggered de-assert INIT of old MP start-up code does nothing */
			if (msg->level_trigger && !msg->level_assert)
				n--;
			else
				init_target(l);
			break;
		case APIC_BUS_DM_STARTUP:
			vmm_vcpu_irq_startup(l->vcpu, msg->vector);
			break;
		default:
			/* SMI (no SMM here) and ExtINT (the PIC drives the boot
			 * VCPU's INTR itself): nothing to carry out */
			break;
		}
	}
	return n;
}

/* The bus block is made at probe time (the LAPIC's, the IO-APIC's EOI
 * listener), never here: this may run with interrupts off. */
u32 vmm_apic_bus_deliver(struct vmm_guest *g, const struct vmm_apic_msg *msg)
{
	struct apic_bus *bus = g ? bus_of(g) : NULL;

	return bus ? bus_deliver(__atomic_load_n(&bus->dev, __ATOMIC_ACQUIRE), msg) : 0;
}

int vmm_apic_bus_eoi_listen(struct vmm_guest *g, vmm_apic_eoi_fn fn, void *priv)
{
	struct apic_bus *bus = bus_of(g);

	if (!bus)
		return -VMM_ENOMEM;
	if (bus->eoi_fn)
		return -VMM_EEXIST;
	bus->eoi_priv = priv;
	__atomic_store_n(&bus->eoi_fn, fn, __ATOMIC_RELEASE);
	return VMM_OK;
}

void vmm_apic_bus_eoi_unlisten(struct vmm_guest *g, void *priv)
{
	struct apic_bus *bus = bus_of(g);

	if (bus && bus->eoi_priv == priv)
		__atomic_store_n(&bus->eoi_fn, NULL, __ATOMIC_RELEASE);
}

bool vmm_apic_bus_present(struct vmm_guest *g)
{
	struct apic_bus *bus = bus_of(g);

	return bus && __atomic_load_n(&bus->dev, __ATOMIC_ACQUIRE);
}
