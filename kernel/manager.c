/*
 * kernel/manager.c - guest and VCPU lifetimes and state changes
 * (manager.h). The scheduler is told about every change that makes a VCPU
 * runnable or takes it away.
 */
#include <string.h>
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/scheduler.h"
#include "kernel/heap.h"
#include "kernel/host_mem.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_vcpu.h"
#include "kernel/arch_cpu.h"
#include "devemu/devemu.h"

static struct vmm_guest *guests[VMM_MAX_GUESTS];
static u32 nr_guests;
static struct vmm_vcpu *vcpus[VMM_MAX_VCPUS];
static u32 nr_vcpus;
static vmm_spinlock_t manager_lock = VMM_SPINLOCK_INIT;

struct vmm_guest *vmm_manager_guest(u32 index)
{
	return index < nr_guests ? guests[index] : NULL;
}

u32 vmm_manager_guest_count(void)
{
	return nr_guests;
}

struct vmm_vcpu *vmm_manager_vcpu(u32 id)
{
	return id < nr_vcpus ? vcpus[id] : NULL;
}

u32 vmm_manager_vcpu_count(void)
{
	return nr_vcpus;
}

struct vmm_guest *vmm_manager_guest_find(const char *name)
{
	for (u32 i = 0; i < nr_guests; i++)
		if (!strcmp(guests[i]->name, name))
			return guests[i];
	return NULL;
}

static struct vmm_vcpu *vcpu_alloc(void)
{
	struct vmm_vcpu *v;

	if (nr_vcpus >= VMM_MAX_VCPUS) {
		vmm_err("manager: more than %d VCPUs\n", VMM_MAX_VCPUS);
		return NULL;
	}
	v = vmm_zalloc(sizeof(*v));
	if (!v)
		return NULL;
	v->regs = vmm_zalloc(arch_regs_size());
	if (!v->regs) {
		vmm_free(v);
		return NULL;
	}
	v->id = nr_vcpus;
	v->state = VMM_VCPU_STATE_UNKNOWN;
	vmm_vcpu_irq_init(v);
	return v;
}

int vmm_vcpu_set_state(struct vmm_vcpu *vcpu, enum vmm_vcpu_state to)
{
	unsigned long flags = vmm_spin_lock_irqsave(&manager_lock);
	enum vmm_vcpu_state from = vcpu->state;

	if (!vmm_vcpu_state_transition_ok(from, to)) {
		vmm_spin_unlock_irqrestore(&manager_lock, flags);
		vmm_err("vcpu %s: state change %s -> %s refused\n", vcpu->name,
			vmm_vcpu_state_name(from), vmm_vcpu_state_name(to));
		return -VMM_EILLEGAL;
	}
	vcpu->state = to;
	vmm_spin_unlock_irqrestore(&manager_lock, flags);
	vmm_scheduler_state_changed(vcpu, from, to);
	return VMM_OK;
}

static int vcpu_create_common(struct vmm_vcpu *v)
{
	int rc = arch_vcpu_init(v);

	if (rc) {
		vmm_err("manager: %s: VCPU set-up failed (%s)\n", v->name, vmm_strerror(rc));
		return rc;
	}
	vcpus[nr_vcpus++] = v;
	return vmm_vcpu_set_state(v, VMM_VCPU_STATE_RESET);
}

struct vmm_vcpu *vmm_manager_orphan_create(const char *name, void (*entry)(void),
					   u64 stack_size, u64 time_slice_ns)
{
	struct vmm_vcpu *v = vcpu_alloc();
	unsigned int order;

	if (!v)
		return NULL;
	strlcpy(v->name, name, sizeof(v->name));
	v->is_normal = false;
	v->orphan_entry = entry;
	v->time_slice_ns = time_slice_ns;
	v->host_cpu = arch_cpu_id();
	if (stack_size) {
		order = vmm_buddy_order_for(stack_size);
		v->stack_base = vmm_host_page_alloc(order);
		v->stack_size = PAGE_SIZE << order;
		if (!v->stack_base) {
			vmm_free(v->regs);
			vmm_free(v);
			return NULL;
		}
	}
	if (vcpu_create_common(v))
		return NULL;
	return v;
}

int vmm_manager_guest_create(const struct vmm_guest_config *cfg, struct vmm_guest **out)
{
	struct vmm_guest *g;
	int rc;

	if (nr_guests >= VMM_MAX_GUESTS)
		return -VMM_ENOSPC;
	g = vmm_zalloc(sizeof(*g));
	if (!g)
		return -VMM_ENOMEM;
	g->id = nr_guests;
	g->config = cfg;
	strlcpy(g->name, cfg->name, sizeof(g->name));
	rc = vmm_aspace_init(g);
	if (rc)
		goto fail;
	rc = arch_guest_init(g);
	if (rc) {
		vmm_err("guest %s: arch set-up failed (%s)\n", g->name, vmm_strerror(rc));
		goto fail;
	}
	for (u32 i = 0; i < cfg->nr_vcpus; i++) {
		struct vmm_vcpu *v = vcpu_alloc();

		if (!v) {
			rc = -VMM_ENOMEM;
			goto fail;
		}
		v->subid = i;
		v->is_normal = true;
		v->guest = g;
		v->config = &cfg->vcpus[i];
		v->time_slice_ns = cfg->vcpus[i].time_slice_ns;
		v->priority = cfg->vcpus[i].priority;
		v->host_cpu = arch_cpu_id();
		vmm_snprintf(v->name, sizeof(v->name), "%s/%s", g->name, cfg->vcpus[i].name);
		g->vcpus[g->nr_vcpus++] = v;
		rc = vcpu_create_common(v);
		if (rc)
			goto fail;
	}
	/* after the VCPUs: interrupt controllers route their outputs to them */
	rc = vmm_devemu_guest_init(g);
	if (rc)
		goto fail;
	guests[nr_guests++] = g;
	*out = g;
	return VMM_OK;
fail:
	/* a half-built guest keeps its memory: freeing it is the destroy path
	 * of the manager issue; it is never run */
	vmm_err("guest %s: not created (%s)\n", cfg->name, vmm_strerror(rc));
	return rc;
}

int vmm_manager_vcpu_kick(struct vmm_vcpu *vcpu)
{
	return vmm_vcpu_set_state(vcpu, VMM_VCPU_STATE_READY);
}

int vmm_manager_vcpu_pause(struct vmm_vcpu *vcpu)
{
	return vmm_vcpu_set_state(vcpu, VMM_VCPU_STATE_PAUSED);
}

int vmm_manager_vcpu_resume(struct vmm_vcpu *vcpu)
{
	return vmm_vcpu_set_state(vcpu, VMM_VCPU_STATE_READY);
}

int vmm_manager_vcpu_halt(struct vmm_vcpu *vcpu, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmm_vsnprintf(vcpu->halt_reason, sizeof(vcpu->halt_reason), fmt, ap);
	va_end(ap);
	/* the unassigned accesses only counted so far: their count now */
	vmm_devemu_guest_report(vcpu->guest);
	vmm_printk(VMM_LOG_ERR, "%s%s %s halted: %s\n", vcpu->guest ? "guest " : "",
		   vcpu->guest ? vcpu->guest->name : "orphan", vcpu->name, vcpu->halt_reason);
	return vmm_vcpu_set_state(vcpu, VMM_VCPU_STATE_HALTED);
}

int vmm_manager_guest_kick(struct vmm_guest *guest)
{
	int rc = VMM_OK;

	for (u32 i = 0; i < guest->nr_vcpus; i++) {
		int r = vmm_manager_vcpu_kick(guest->vcpus[i]);

		if (r)
			rc = r;
	}
	return rc;
}

int vmm_manager_guest_halt(struct vmm_guest *guest, const char *reason)
{
	for (u32 i = 0; i < guest->nr_vcpus; i++) {
		struct vmm_vcpu *v = guest->vcpus[i];

		/* figure 3 has no PAUSED -> HALTED arrow: resume first */
		if (v->state == VMM_VCPU_STATE_PAUSED)
			vmm_vcpu_set_state(v, VMM_VCPU_STATE_READY);
		if (v->state == VMM_VCPU_STATE_READY || v->state == VMM_VCPU_STATE_RUNNING)
			vmm_manager_vcpu_halt(v, "%s", reason);
	}
	return VMM_OK;
}

int vmm_manager_guest_reset(struct vmm_guest *guest)
{
	int rc;

	for (u32 i = 0; i < guest->nr_vcpus; i++) {
		struct vmm_vcpu *v = guest->vcpus[i];

		if (v->state != VMM_VCPU_STATE_RESET) {
			rc = vmm_vcpu_set_state(v, VMM_VCPU_STATE_RESET);
			if (rc)
				return rc;
		}
		rc = arch_vcpu_reset(v);
		if (rc)
			return rc;
		vmm_vcpu_irq_reset(v);
		v->halt_reason[0] = 0;
	}
	rc = vmm_devemu_guest_reset(guest);
	if (rc)
		return rc;
	return vmm_manager_guest_kick(guest);
}

bool vmm_manager_all_guests_idle(u32 *paused, u32 *waiting)
{
	u32 n = 0, w = 0;

	for (u32 i = 0; i < nr_vcpus; i++) {
		struct vmm_vcpu *v = vcpus[i];

		if (!v->is_normal)
			continue;
		if (v->state == VMM_VCPU_STATE_READY || v->state == VMM_VCPU_STATE_RUNNING)
			return false;
		n += v->state == VMM_VCPU_STATE_PAUSED;
		w += vmm_vcpu_irq_waiting(v);
	}
	if (paused)
		*paused = n;
	if (waiting)
		*waiting = w;
	return true;
}
