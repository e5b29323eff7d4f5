/*
 * devemu/devemu.c - emulator matching, per-guest instances and the routing
 * of guest port and MMIO accesses (devemu.h).
 */
#include <string.h>
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/devtree.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/timer.h"
#include "kernel/error.h"

/*
 * Every emulator linked in: each model declares itself with VMM_EMULATOR()
 * (devemu.h). The bounds come from linker.ld in the kernel and from the
 * linker on the host; weak so that a host program with no model links.
 */
extern const struct vmm_emulator *const __start_vmm_emulators[] __attribute__((weak));
extern const struct vmm_emulator *const __stop_vmm_emulators[] __attribute__((weak));

#define DEVEMU_SHARED_MAX 8
#define DEVEMU_TAKEN_MAX 4
/* controllers one guest line may go to */
#define DEVEMU_LINE_CHIPS 2

/* Unassigned ports reported one by one; later ones only counted. */
#define PORT_REPORT_MAX 16
/* A count of the ports not reported one by one, at most this often. */
#define PORT_SUMMARY_NS 1000000000ULL

struct devemu_guest {
	u8 *port_reported;	/* bitmap: unassigned ports already seen */
	u32 ports_reported;	/* reported one by one (at most PORT_REPORT_MAX) */
	u32 ports_unsaid;	/* further ports seen, not in a summary yet */
	u64 ports_quiet;	/* all further ports seen */
	u64 summary_ns;		/* when the last summary was printed */
	u64 mem_accesses;	/* all accesses to unassigned memory (the first reported) */
	u64 mem_said;		/* of which already in a message */
	/* the controllers of each guest line; any that reports taken requests */
	const struct vmm_irqchip *line_chip[VMM_DEVEMU_IRQ_LINES][DEVEMU_LINE_CHIPS];
	bool reports_taken;
	struct {
		u32 irq;
		vmm_devemu_irq_taken_fn fn;
		void *priv;
	} taken[DEVEMU_TAKEN_MAX];
	u32 nr_taken;
	struct {
		const char *key;
		void *data;
	} shared[DEVEMU_SHARED_MAX];
};

void *vmm_devemu_guest_shared(struct vmm_guest *g, const char *key, size_t size)
{
	struct devemu_guest *dg = g->devemu_priv;

	for (u32 i = 0; i < DEVEMU_SHARED_MAX; i++) {
		if (dg->shared[i].key && !strcmp(dg->shared[i].key, key))
			return dg->shared[i].data;
		if (!dg->shared[i].key) {
			dg->shared[i].data = vmm_zalloc(size);
			if (dg->shared[i].data)
				dg->shared[i].key = key;
			return dg->shared[i].data;
		}
	}
	return NULL;
}

void vmm_devemu_timer_init(struct vmm_guest *guest, struct vmm_timer_event *ev,
			   void (*handler)(struct vmm_timer_event *ev), void *priv)
{
	vmm_timer_event_init(ev, handler, priv);
	/* the slot, not the VCPU: devices are made before the guest's VCPUs */
	vmm_timer_event_bind_vcpu_slot(ev, (struct vmm_vcpu *const *)&guest->vcpus[0]);
}

int vmm_devemu_region_irq(struct vmm_emudev *ed)
{
	u32 cell;

	if (vmm_devtree_read_cells(ed->region->cfg->node, "interrupts", &cell, 1) < 1)
		return -1;
	return (int)cell;
}

int vmm_devemu_irqchip_register(struct vmm_guest *g, const struct vmm_irqchip *chip)
{
	struct devemu_guest *dg = g->devemu_priv;
	u32 end = chip->first_line + chip->nr_lines;

	if (!chip->nr_lines || end > VMM_DEVEMU_IRQ_LINES || end < chip->first_line) {
		vmm_err("guest %s: interrupt controller %s: lines %u-%u are not guest lines 0-%u\n",
			g->name, chip->name, chip->first_line, end - 1, VMM_DEVEMU_IRQ_LINES - 1);
		return -VMM_EINVALID;
	}
	/* every line first: a refused controller leaves nothing behind */
	for (u32 l = chip->first_line; l < end; l++) {
		const struct vmm_irqchip **c = dg->line_chip[l];

		if (c[0] == chip || c[1] == chip)
			continue;
		if (c[0] && c[1]) {
			vmm_err("guest %s: interrupt controller %s refused: line %u goes to %s and %s already\n",
				g->name, chip->name, l, c[0]->name, c[1]->name);
			return -VMM_EEXIST;
		}
	}
	for (u32 l = chip->first_line; l < end; l++) {
		const struct vmm_irqchip **c = dg->line_chip[l];

		if (c[0] != chip && c[1] != chip)
			c[c[0] ? 1 : 0] = chip;
	}
	if (chip->reports_taken)
		dg->reports_taken = true;
	return VMM_OK;
}

void vmm_devemu_set_irq(struct vmm_guest *g, u32 irq, int level)
{
	struct devemu_guest *dg = g->devemu_priv;

	if (!dg || irq >= VMM_DEVEMU_IRQ_LINES)
		return;
	for (u32 i = 0; i < DEVEMU_LINE_CHIPS && dg->line_chip[irq][i]; i++)
		dg->line_chip[irq][i]->set_line(dg->line_chip[irq][i]->priv, irq, level);
}

void vmm_devemu_pulse_irq(struct vmm_guest *g, u32 irq)
{
	struct devemu_guest *dg = g->devemu_priv;

	if (!dg || irq >= VMM_DEVEMU_IRQ_LINES)
		return;
	/* the controllers of a line are independent: one pulse each */
	for (u32 i = 0; i < DEVEMU_LINE_CHIPS && dg->line_chip[irq][i]; i++) {
		const struct vmm_irqchip *c = dg->line_chip[irq][i];

		if (c->pulse_line) {
			c->pulse_line(c->priv, irq);
		} else {
			c->set_line(c->priv, irq, 1);
			c->set_line(c->priv, irq, 0);
		}
	}
}

int vmm_devemu_irq_taken_listen(struct vmm_guest *g, u32 irq, vmm_devemu_irq_taken_fn fn,
				void *priv)
{
	struct devemu_guest *dg = g->devemu_priv;

	if (!dg || dg->nr_taken >= DEVEMU_TAKEN_MAX || irq >= 32)
		return -VMM_ENOSPC;
	dg->taken[dg->nr_taken].irq = irq;
	dg->taken[dg->nr_taken].fn = fn;
	dg->taken[dg->nr_taken].priv = priv;
	dg->nr_taken++;
	return VMM_OK;
}

bool vmm_devemu_irq_reports_taken(struct vmm_guest *g)
{
	struct devemu_guest *dg = g->devemu_priv;

	return dg && dg->reports_taken;
}

void vmm_devemu_irq_taken(struct vmm_guest *g, u32 mask)
{
	struct devemu_guest *dg = g->devemu_priv;

	if (!dg)
		return;
	for (u32 i = 0; i < dg->nr_taken; i++)
		if (mask & (1u << dg->taken[i].irq))
			dg->taken[i].fn(dg->taken[i].priv);
}

const struct vmm_emulator *vmm_devemu_find_emulator(const char *compatible)
{
	for (const struct vmm_emulator *const *e = __start_vmm_emulators; e < __stop_vmm_emulators; e++)
		for (const char *const *c = (*e)->compatible; *c; c++)
			if (!strcmp(*c, compatible))
				return *e;
	return NULL;
}

int vmm_devemu_guest_init(struct vmm_guest *g)
{
	struct devemu_guest *dg = vmm_zalloc(sizeof(*dg));
	struct vmm_aspace *as = g->aspace;

	if (!dg)
		return -VMM_ENOMEM;
	g->devemu_priv = dg;
	for (u32 i = 0; as && i < as->nr_regions; i++) {
		struct vmm_region *r = &as->regions[i];
		const struct vmm_emulator *emu;
		struct vmm_emudev *ed;
		int rc;

		if (r->cfg->kind != VMM_REGION_VIRTUAL)
			continue;
		emu = vmm_devemu_find_emulator(r->cfg->compatible);
		/* matched by compatible and, where the region states one, device_type */
		if (emu && emu->device_type && r->cfg->device_type[0] &&
		    strcmp(emu->device_type, r->cfg->device_type)) {
			vmm_warn("guest %s: region %s: device_type \"%s\" does not match the \"%s\" emulator (a %s); no emulator attached\n",
				 g->name, r->cfg->name, r->cfg->device_type, r->cfg->compatible,
				 emu->device_type);
			continue;
		}
		if (!emu) {
			vmm_warn("guest %s: region %s: no emulator for \"%s\" yet; its accesses read all-ones\n",
				 g->name, r->cfg->name, r->cfg->compatible);
			continue;
		}
		ed = vmm_zalloc(sizeof(*ed));
		if (!ed)
			return -VMM_ENOMEM;
		ed->guest = g;
		ed->region = r;
		ed->emu = emu;
		/* a probe that fails undoes itself; one that succeeded is
		 * undone by its remove (vmm_devemu_guest_deinit), also when
		 * its reset then fails */
		rc = emu->probe ? emu->probe(ed) : VMM_OK;
		if (rc) {
			vmm_free(ed);
		} else {
			r->emudev = ed;
			if (emu->reset)
				rc = emu->reset(ed);
		}
		if (rc) {
			vmm_err("guest %s: region %s: emulator %s failed (%s)\n", g->name,
				r->cfg->name, emu->name, vmm_strerror(rc));
			return rc;
		}
	}
	return VMM_OK;
}

void vmm_devemu_guest_deinit(struct vmm_guest *g)
{
	struct devemu_guest *dg = g->devemu_priv;
	struct vmm_aspace *as = g->aspace;

	/* every instance first: each stops its timers and lets go of its
	 * endpoints, so no timer handler reaches the shared state below */
	for (u32 i = 0; as && as->regions && i < as->nr_regions; i++) {
		struct vmm_region *r = &as->regions[i];
		struct vmm_emudev *ed = r->emudev;

		if (!ed)
			continue;
		r->emudev = NULL;
		if (ed->emu->remove)
			ed->emu->remove(ed);
		vmm_free(ed);
	}
	if (!dg)
		return;
	g->devemu_priv = NULL;
	for (u32 i = 0; i < DEVEMU_SHARED_MAX; i++)
		vmm_free(dg->shared[i].data);
	vmm_free(dg->port_reported);
	vmm_free(dg);
}

int vmm_devemu_guest_reset(struct vmm_guest *g)
{
	struct vmm_aspace *as = g->aspace;
	int rc = VMM_OK;

	for (u32 i = 0; i < as->nr_regions; i++) {
		struct vmm_emudev *ed = as->regions[i].emudev;

		if (ed && ed->emu->reset) {
			int r = ed->emu->reset(ed);

			if (r)
				rc = r;
		}
	}
	return rc;
}

/*
 * A summary of the unassigned accesses not reported one by one: at most
 * once a PORT_SUMMARY_NS (force: at guest halt or shutdown).
 */
static void report_summary(struct vmm_guest *g, struct devemu_guest *dg, bool force)
{
	u64 now = vmm_timer_now_ns();

	if (dg->ports_unsaid && (force || now - dg->summary_ns >= PORT_SUMMARY_NS)) {
		vmm_warn("guest %s: %u more unassigned ports accessed (%llu in all after the first %u; "
			 "reads all-ones, writes ignored; not reported one by one)\n",
			 g->name, dg->ports_unsaid, (unsigned long long)dg->ports_quiet, PORT_REPORT_MAX);
		dg->ports_unsaid = 0;
		dg->summary_ns = now;
	}
	if (force && dg->mem_accesses > dg->mem_said) {
		vmm_warn("guest %s: %llu accesses to unassigned memory in all (reads all-ones, writes ignored)\n",
			 g->name, (unsigned long long)dg->mem_accesses);
		dg->mem_said = dg->mem_accesses;
	}
}

void vmm_devemu_guest_report(struct vmm_guest *g)
{
	if (g && g->devemu_priv)
		report_summary(g, g->devemu_priv, true);
}

/*
 * An access nothing answers. It reads all-ones and writes are ignored, as
 * on a PC; a strict guest (unassigned_io = "halt") is stopped instead
 * (-VMM_EACCESS to the exit handler). Ports: the first PORT_REPORT_MAX
 * distinct ports are reported one by one, each once; further ones are
 * counted and summed up (report_summary). Memory: the first access is
 * reported, the rest counted (the count at guest halt or shutdown).
 */
static __attribute__((noinline, cold)) int report_unassigned(struct vmm_guest *g, bool io, u64 addr, bool write)
{
	struct devemu_guest *dg = g->devemu_priv;

	if (g->config && g->config->strict_io) {
		vmm_err("guest %s: %s of unassigned %s 0x%llx: the guest is strict (unassigned_io = \"halt\")\n",
			g->name, write ? "write" : "read", io ? "port" : "memory at GPA",
			(unsigned long long)addr);
		return -VMM_EACCESS;
	}
	if (!dg)
		return VMM_OK;
	if (!io) {
		if (dg->mem_accesses++)
			return VMM_OK;
		dg->mem_said = 1;
		vmm_warn("guest %s: %s of unassigned memory at GPA 0x%llx (reads all-ones, writes ignored; "
			 "reported once, the count at guest halt)\n",
			 g->name, write ? "write" : "read", (unsigned long long)addr);
		return VMM_OK;
	}
	if (!dg->port_reported)
		dg->port_reported = vmm_zalloc(0x10000 / 8);
	if (dg->port_reported) {
		if (dg->port_reported[addr / 8] & (1u << (addr % 8)))
			return VMM_OK;
		dg->port_reported[addr / 8] |= 1u << (addr % 8);
	}
	if (dg->ports_reported >= PORT_REPORT_MAX) {
		dg->ports_unsaid++;
		dg->ports_quiet++;
		report_summary(g, dg, false);
		return VMM_OK;
	}
	dg->ports_reported++;
	dg->summary_ns = vmm_timer_now_ns();
	vmm_warn("guest %s: %s of unassigned port 0x%llx (reads all-ones, writes ignored; reported once%s)\n",
		 g->name, write ? "write" : "read", (unsigned long long)addr,
		 dg->ports_reported == PORT_REPORT_MAX ? "; further ports only counted" : "");
	return VMM_OK;
}

static inline struct vmm_emudev *route(struct vmm_guest *g, u64 addr, bool io, u64 *offset)
{
	struct vmm_region *r = vmm_aspace_lookup(g->aspace, addr, io);

	if (!r || !r->emudev)
		return NULL;
	*offset = addr - r->cfg->gpa;
	return r->emudev;
}

/* A port outside the cache, or without an emulator (all-ones or the
 * guest's strict policy): the whole way. */
static __attribute__((noinline)) int io_read_slow(struct vmm_guest *g, u16 port, u32 width, u32 *value)
{
	u64 off, v = 0;
	struct vmm_emudev *ed = route(g, port, true, &off);
	int rc;

	if (!ed || !ed->emu->read) {
		*value = width == 4 ? 0xFFFFFFFFu : (1u << (width * 8)) - 1;
		return report_unassigned(g, true, port, false);
	}
	rc = ed->emu->read(ed, off, width, &v);
	*value = (u32)v;
	return rc;
}

static __attribute__((noinline)) int io_write_slow(struct vmm_guest *g, u16 port, u32 width, u32 value)
{
	u64 off;
	struct vmm_emudev *ed = route(g, port, true, &off);

	if (!ed || !ed->emu->write)
		return report_unassigned(g, true, port, true);
	return ed->emu->write(ed, off, width, value);
}

/*
 * Port accesses, on every I/O exit: a port in one of the two regions of
 * the lookup cache, with an emulator, goes straight to it (no call on the
 * way, so no register saving); anything else takes the slow function.
 * 'v' is a scalar the emulator writes once, hence no stack-protector
 * canary here.
 */
__attribute__((no_stack_protector))
int vmm_devemu_io_read(struct vmm_guest *g, u16 port, u32 width, u32 *value)
{
	struct vmm_region *r = vmm_aspace_cached(g->aspace, port, true);
	struct vmm_emudev *ed;
	u64 v = 0;
	int rc;

	if (unlikely(!r || !(ed = r->emudev) || !ed->emu->read))
		return io_read_slow(g, port, width, value);
	rc = ed->emu->read(ed, port - r->cfg->gpa, width, &v);
	*value = (u32)v;
	return rc;
}

int vmm_devemu_io_write(struct vmm_guest *g, u16 port, u32 width, u32 value)
{
	struct vmm_region *r = vmm_aspace_cached(g->aspace, port, true);
	struct vmm_emudev *ed;

	if (unlikely(!r || !(ed = r->emudev) || !ed->emu->write))
		return io_write_slow(g, port, width, value);
	return ed->emu->write(ed, port - r->cfg->gpa, width, value);
}

int vmm_devemu_region_read(struct vmm_region *r, u64 addr, u32 width, u64 *value)
{
	struct vmm_emudev *ed = r->emudev;

	if (!ed || !ed->emu->read)
		return -VMM_ENOENT;
	return ed->emu->read(ed, addr - r->cfg->gpa, width, value);
}

int vmm_devemu_region_write(struct vmm_region *r, u64 addr, u32 width, u64 value)
{
	struct vmm_emudev *ed = r->emudev;

	if (!ed || !ed->emu->write)
		return -VMM_ENOENT;
	return ed->emu->write(ed, addr - r->cfg->gpa, width, value);
}

/* Unassigned memory: all-ones and writes ignored, or the strict halt. */
int vmm_devemu_unassigned_read(struct vmm_guest *g, u64 gpa, u32 width, u64 *value)
{
	*value = width >= 8 ? ~0ULL : (1ULL << (width * 8)) - 1;
	return report_unassigned(g, false, gpa, false);
}

int vmm_devemu_unassigned_write(struct vmm_guest *g, u64 gpa)
{
	return report_unassigned(g, false, gpa, true);
}

int vmm_devemu_mmio_read(struct vmm_guest *g, u64 gpa, u32 width, u64 *value)
{
	struct vmm_region *r = vmm_aspace_find(g, gpa, false);

	return r ? vmm_devemu_region_read(r, gpa, width, value) : vmm_devemu_unassigned_read(g, gpa, width, value);
}

int vmm_devemu_mmio_write(struct vmm_guest *g, u64 gpa, u32 width, u64 value)
{
	struct vmm_region *r = vmm_aspace_find(g, gpa, false);

	return r ? vmm_devemu_region_write(r, gpa, width, value) : vmm_devemu_unassigned_write(g, gpa);
}
