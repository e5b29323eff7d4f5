/*
 * kernel/manager.c - guest and VCPU lifetimes and the operations of
 * figure 3 (manager.h): create, destroy, kick, pause, resume, halt, reset,
 * for single VCPUs and whole guests. The state changes themselves, with
 * their run-queue updates, are the scheduler's (vmm_scheduler_state_change);
 * this file adds what each operation means for the guest's resources.
 *
 * VCPU and guest slots are reused after a destroy; a VCPU structure is
 * never freed (a slot keeps it for the next VCPU), so a stale pointer read
 * on another CPU never points into freed memory.
 */
#include <string.h>
#include "kernel/manager.h"
#include "kernel/vserial.h"
#include "kernel/aspace.h"
#include "kernel/scheduler.h"
#include "kernel/threads.h"
#include "kernel/waitqueue.h"
#include "kernel/heap.h"
#include "kernel/host_mem.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_vcpu.h"
#include "kernel/arch_cpu.h"
#include "devemu/devemu.h"

static struct vmm_guest *guests[VMM_MAX_GUESTS];
static u32 nr_guest_slots;
static struct vmm_vcpu *vcpus[VMM_MAX_VCPUS];
static u32 nr_vcpu_slots;
/* guards the slot tables (creation, destruction) */
static vmm_spinlock_t manager_lock = VMM_SPINLOCK_INIT;

#define READY VMM_VCPU_STATE_READY
#define RUNNING VMM_VCPU_STATE_RUNNING
#define PAUSED VMM_VCPU_STATE_PAUSED
#define HALTED VMM_VCPU_STATE_HALTED
#define RESET VMM_VCPU_STATE_RESET
#define UNKNOWN VMM_VCPU_STATE_UNKNOWN

struct vmm_guest *vmm_manager_guest(u32 index)
{
	return index < nr_guest_slots ? guests[index] : NULL;
}

u32 vmm_manager_guest_count(void)
{
	return nr_guest_slots;
}

struct vmm_vcpu *vmm_manager_vcpu(u32 id)
{
	return id < nr_vcpu_slots && vcpus[id] && vcpus[id]->in_use ? vcpus[id] : NULL;
}

u32 vmm_manager_vcpu_count(void)
{
	return nr_vcpu_slots;
}

struct vmm_guest *vmm_manager_guest_find(const char *name)
{
	for (u32 i = 0; i < nr_guest_slots; i++)
		if (guests[i] && !strcmp(guests[i]->name, name))
			return guests[i];
	return NULL;
}

struct vmm_vcpu *vmm_manager_vcpu_find(const char *name)
{
	for (u32 i = 0; i < nr_vcpu_slots; i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);

		if (v && !strcmp(v->name, name))
			return v;
	}
	return NULL;
}

/* A VCPU in a free slot (reused structure, or a new one), state UNKNOWN. */
static struct vmm_vcpu *vcpu_alloc(void)
{
	struct vmm_vcpu *v = NULL, *fresh = NULL;
	void *regs;
	unsigned long f;
	u32 id = VMM_MAX_VCPUS;

	fresh = vmm_zalloc(sizeof(*fresh));
	regs = vmm_zalloc(arch_regs_size());
	if (!fresh || !regs) {
		vmm_free(fresh);
		vmm_free(regs);
		return NULL;
	}
	f = vmm_spin_lock_irqsave(&manager_lock);
	for (u32 i = 0; i < nr_vcpu_slots && id == VMM_MAX_VCPUS; i++)
		if (!vcpus[i]->in_use)
			id = i;
	if (id == VMM_MAX_VCPUS && nr_vcpu_slots < VMM_MAX_VCPUS) {
		id = nr_vcpu_slots;
		vcpus[id] = fresh;
		fresh = NULL;
		nr_vcpu_slots++;
	}
	if (id < VMM_MAX_VCPUS) {
		v = vcpus[id];
		v->in_use = true;	/* reserved; filled in below */
	}
	vmm_spin_unlock_irqrestore(&manager_lock, f);
	vmm_free(fresh);
	if (!v) {
		vmm_free(regs);
		vmm_err("manager: more than %d VCPUs\n", VMM_MAX_VCPUS);
		return NULL;
	}
	{
		/* everything starts over but the slot's own structure */
		void *old_regs = v->regs;

		memset(v, 0, sizeof(*v));
		vmm_free(old_regs);
	}
	v->in_use = true;
	v->regs = regs;
	v->id = id;
	v->state = UNKNOWN;
	v->last_cpu = ~0u;
	v->host_cpu = arch_cpu_id();
	vmm_vcpu_irq_init(v);
	return v;
}

/* Give a VCPU's slot back (state UNKNOWN, runs nowhere). */
static void vcpu_release(struct vmm_vcpu *v)
{
	unsigned long f = vmm_spin_lock_irqsave(&manager_lock);

	v->in_use = false;
	vmm_spin_unlock_irqrestore(&manager_lock, f);
}

int vmm_vcpu_set_state(struct vmm_vcpu *vcpu, enum vmm_vcpu_state to)
{
	return vmm_scheduler_state_change(vcpu, to, "state change");
}

static int vcpu_create_common(struct vmm_vcpu *v)
{
	int rc = arch_vcpu_init(v);

	if (rc) {
		vmm_err("manager: %s: VCPU set-up failed (%s)\n", v->name, vmm_strerror(rc));
		return rc;
	}
	return vmm_scheduler_state_change(v, RESET, "create");
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
	if (stack_size) {
		order = vmm_buddy_order_for(stack_size);
		v->stack_base = vmm_host_page_alloc(order);
		v->stack_size = PAGE_SIZE << order;
		if (!v->stack_base) {
			vcpu_release(v);
			return NULL;
		}
	}
	if (vcpu_create_common(v)) {
		if (v->stack_base)
			vmm_host_page_free(v->stack_base);
		vcpu_release(v);
		return NULL;
	}
	return v;
}

int vmm_manager_orphan_destroy(struct vmm_vcpu *v)
{
	int rc;

	if (v->is_normal)
		return -VMM_EINVALID;
	if (v->state != RESET) {
		rc = vmm_scheduler_state_change(v, RESET, "destroy");
		if (rc)
			return rc;
	}
	vmm_scheduler_wait_off_cpu(v);
	rc = vmm_scheduler_state_change(v, UNKNOWN, "destroy");
	if (rc)
		return rc;
	arch_vcpu_deinit(v);
	if (v->stack_base)
		vmm_host_page_free(v->stack_base);
	v->stack_base = 0;
	vcpu_release(v);
	return VMM_OK;
}

/* Free what a (possibly half-built) guest holds and its slot. */
static void guest_free(struct vmm_guest *g)
{
	unsigned long f;

	/* devices first: their timers may still raise lines into the VCPUs */
	vmm_devemu_guest_deinit(g);
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		struct vmm_vcpu *v = g->vcpus[i];

		if (!v)
			continue;
		arch_vcpu_deinit(v);
		vcpu_release(v);
	}
	arch_guest_deinit(g);
	vmm_aspace_deinit(g);
	f = vmm_spin_lock_irqsave(&manager_lock);
	if (g->id < VMM_MAX_GUESTS && guests[g->id] == g)
		guests[g->id] = NULL;
	vmm_spin_unlock_irqrestore(&manager_lock, f);
	vmm_free(g);
}

/*
 * The CPUs of a configured affinity that are online: the configuration
 * check allows any CPU index the hypervisor could have; which of them
 * started is known only now. None online: any CPU, said with the reason.
 */
static u64 online_affinity(const struct vmm_vcpu *v, u64 want)
{
	u64 have = 0;

	for (u32 c = 0; c < ARCH_CPU_MAX; c++)
		if ((want & (1ULL << c)) && arch_cpu_online(c))
			have |= 1ULL << c;
	if (want && !have)
		vmm_warn("vcpu %s: no host CPU of its affinity (mask 0x%llx) is online: it may run on any CPU\n",
			 v->name, (unsigned long long)want);
	else if (want != have)
		vmm_warn("vcpu %s: host CPUs 0x%llx of its affinity are not online: it runs on 0x%llx\n",
			 v->name, (unsigned long long)(want & ~have), (unsigned long long)have);
	return have;
}

int vmm_manager_guest_create(const struct vmm_guest_config *cfg, struct vmm_guest **out)
{
	struct vmm_guest *g;
	unsigned long f;
	u32 slot = VMM_MAX_GUESTS;
	int rc;

	if (vmm_manager_guest_find(cfg->name)) {
		vmm_err("guest %s: already exists\n", cfg->name);
		return -VMM_EEXIST;
	}
	g = vmm_zalloc(sizeof(*g));
	if (!g)
		return -VMM_ENOMEM;
	f = vmm_spin_lock_irqsave(&manager_lock);
	for (u32 i = 0; i < nr_guest_slots && slot == VMM_MAX_GUESTS; i++)
		if (!guests[i])
			slot = i;
	if (slot == VMM_MAX_GUESTS && nr_guest_slots < VMM_MAX_GUESTS)
		slot = nr_guest_slots++;
	if (slot < VMM_MAX_GUESTS)
		guests[slot] = g;
	vmm_spin_unlock_irqrestore(&manager_lock, f);
	if (slot == VMM_MAX_GUESTS) {
		vmm_free(g);
		vmm_err("guest %s: not created (more than %d guests)\n", cfg->name, VMM_MAX_GUESTS);
		return -VMM_ENOSPC;
	}
	g->id = slot;
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
		vmm_snprintf(v->name, sizeof(v->name), "%s/%s", g->name, cfg->vcpus[i].name);
		v->affinity = online_affinity(v, cfg->vcpus[i].affinity);
		g->vcpus[g->nr_vcpus++] = v;
		rc = vcpu_create_common(v);
		if (rc)
			goto fail;
	}
	/* the devices last: interrupt controllers connect to the VCPUs */
	rc = vmm_devemu_guest_init(g);
	if (rc)
		goto fail;
	*out = g;
	return VMM_OK;
fail:
	vmm_err("guest %s: not created (%s)\n", cfg->name, vmm_strerror(rc));
	guest_free(g);
	return rc;
}

/* ---- operations on one VCPU ------------------------------------------ */

int vmm_manager_vcpu_kick(struct vmm_vcpu *vcpu)
{
	enum vmm_vcpu_state s = __atomic_load_n(&vcpu->state, __ATOMIC_ACQUIRE);

	/* already runnable: nothing to do, and nothing to report */
	if (s == READY || s == RUNNING)
		return VMM_OK;
	return vmm_scheduler_state_change_from(vcpu, 1u << RESET, READY, "kick");
}

int vmm_manager_vcpu_pause(struct vmm_vcpu *vcpu)
{
	return vmm_scheduler_state_change(vcpu, PAUSED, "pause");
}

/* A pause from the terminal: also one in the HLT wait stays paused. */
int vmm_manager_vcpu_user_pause(struct vmm_vcpu *vcpu)
{
	vmm_vcpu_irq_wait_cancel(vcpu);
	if (vcpu->state == PAUSED)
		return VMM_OK;
	return vmm_manager_vcpu_pause(vcpu);
}

int vmm_manager_vcpu_resume(struct vmm_vcpu *vcpu)
{
	/*
	 * Entered in wait-for-SIPI it would hold its CPU until a SIPI comes
	 * (neither interrupts nor the preemption timer end that state, SDM
	 * 25.5.1): only the SIPI's sender starts it (vmx_sipi_expect).
	 */
	if (arch_vcpu_waits_for_sipi(vcpu)) {
		vmm_err("vcpu %s: resume refused: it waits for a start-up IPI (INIT-SIPI from its guest)\n",
			vcpu->name);
		return -VMM_EILLEGAL;
	}
	return vmm_scheduler_state_change_from(vcpu, 1u << PAUSED, READY, "resume");
}

/* No VCPU of the guest runs, waits to run or waits in HLT any more. */
static bool guest_stopped(const struct vmm_guest *g)
{
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		enum vmm_vcpu_state st = __atomic_load_n(&g->vcpus[i]->state, __ATOMIC_ACQUIRE);

		if (st == READY || st == RUNNING || st == PAUSED)
			return false;
	}
	return true;
}

int vmm_manager_vcpu_halt(struct vmm_vcpu *vcpu, const char *fmt, ...)
{
	char reason[VMM_HALT_REASON_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vmm_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	rc = vmm_scheduler_state_change(vcpu, HALTED, "halt");
	if (rc)
		return rc;	/* refused: the reason is not the VCPU's */
	strlcpy(vcpu->halt_reason, reason, sizeof(vcpu->halt_reason));
	/* the unassigned accesses only counted so far: their count now */
	if (vcpu->guest)
		vmm_devemu_guest_report(vcpu->guest);
	if (vcpu->guest && guest_stopped(vcpu->guest))
		vmm_vserial_flush_guest(vcpu->guest->name);	/* its last unfinished line */
	vmm_printk(VMM_LOG_ERR, "%s%s %s halted: %s\n", vcpu->guest ? "guest " : "",
		   vcpu->guest ? vcpu->guest->name : "orphan", vcpu->name, vcpu->halt_reason);
	return VMM_OK;
}

/* Can the caller wait for VCPUs to stop (a thread), or not (exit, IRQ)? */
static bool can_wait(void)
{
	return vmm_thread_current() != NULL;
}

int vmm_manager_vcpu_reset(struct vmm_vcpu *vcpu)
{
	int rc;

	if (!can_wait()) {
		vmm_err("vcpu %s: reset refused: only a thread (the terminal, bootcmd) can reset a VCPU\n",
			vcpu->name);
		return -VMM_EINVALID;
	}
	if (vcpu->state != RESET) {
		rc = vmm_scheduler_state_change(vcpu, RESET, "reset");
		if (rc)
			return rc;
	}
	vmm_scheduler_wait_off_cpu(vcpu);
	vcpu->halt_reason[0] = 0;
	vmm_vcpu_irq_reset(vcpu);
	return vcpu->is_normal ? arch_vcpu_reset(vcpu) : arch_vcpu_init(vcpu);
}

/* ---- operations on a guest ------------------------------------------- */

static bool is_boot_vcpu(const struct vmm_vcpu *v)
{
	return v->subid == 0;
}

int vmm_manager_guest_kick(struct vmm_guest *guest)
{
	int rc = VMM_OK;

	for (u32 i = 0; i < guest->nr_vcpus; i++) {
		struct vmm_vcpu *v = guest->vcpus[i];
		int r;

		if (is_boot_vcpu(v) || guest->config->start_all) {
			r = vmm_manager_vcpu_kick(v);
		} else if (v->state == RESET) {
			/* an application processor waits for its SIPI: from its
			 * guest's local APIC (kernel/vcpu_irq.c), else a physical
			 * one (the arch's wait-for-SIPI activity state) */
			if (vmm_guest_config_has_lapic(guest->config))
				vmm_vcpu_irq_await_sipi(v);
			else
				arch_vcpu_wait_for_sipi(v);
			r = vmm_scheduler_state_change2(v, READY, PAUSED, "kick");
		} else {
			r = VMM_OK;
		}
		if (r)
			rc = r;
	}
	return rc;
}

int vmm_manager_guest_pause(struct vmm_guest *guest)
{
	int rc = VMM_OK;

	for (u32 i = 0; i < guest->nr_vcpus; i++) {
		struct vmm_vcpu *v = guest->vcpus[i];

		if (v->state == READY || v->state == RUNNING || vmm_vcpu_irq_waiting(v)) {
			int r = vmm_manager_vcpu_user_pause(v);

			if (r)
				rc = r;
		}
	}
	return rc;
}

int vmm_manager_guest_resume(struct vmm_guest *guest)
{
	int rc = VMM_OK;

	for (u32 i = 0; i < guest->nr_vcpus; i++) {
		struct vmm_vcpu *v = guest->vcpus[i];

		if (v->state == PAUSED && !arch_vcpu_waits_for_sipi(v) && !vmm_vcpu_irq_waiting(v)) {
			int r = vmm_manager_vcpu_resume(v);

			if (r)
				rc = r;
		}
	}
	return rc;
}

int vmm_manager_guest_halt(struct vmm_guest *guest, const char *reason)
{
	for (u32 i = 0; i < guest->nr_vcpus; i++) {
		struct vmm_vcpu *v = guest->vcpus[i];

		vmm_vcpu_irq_wait_cancel(v);
		/* figure 3 has no PAUSED -> HALTED arrow: through READY, at once */
		if (v->state == PAUSED &&
		    vmm_scheduler_state_change2(v, READY, HALTED, "halt") == VMM_OK) {
			strlcpy(v->halt_reason, reason, sizeof(v->halt_reason));
			if (guest_stopped(guest))
				vmm_vserial_flush_guest(guest->name);
			vmm_printk(VMM_LOG_ERR, "guest %s %s halted: %s\n", guest->name, v->name, reason);
		} else if (v->state == READY || v->state == RUNNING) {
			vmm_manager_vcpu_halt(v, "%s", reason);
		}
	}
	return VMM_OK;
}

/* Every VCPU of the guest to RESET (stopped wherever it runs). */
static int guest_stop(struct vmm_guest *g, const char *op)
{
	int rc = VMM_OK;

	for (u32 i = 0; i < g->nr_vcpus; i++) {
		struct vmm_vcpu *v = g->vcpus[i];

		vmm_vcpu_irq_wait_cancel(v);
		if (v->state != RESET && v->state != UNKNOWN) {
			int r = vmm_scheduler_state_change(v, RESET, op);

			if (r)
				rc = r;
		}
	}
	return rc;
}

/*
 * The part of a reset that waits and rebuilds (thread context). 'cold':
 * a power cycle (RAM cleared, images reloaded: the terminal's reset);
 * else the CPU reset a guest asks for (the 8042's reset line, port 0x92, a
 * triple fault), which keeps RAM as on a PC; a kernel the hypervisor
 * loads (Multiboot, Linux) is loaded again, as a PC's firmware would.
 */
static int guest_reset_work(struct vmm_guest *g, bool cold)
{
	int rc = VMM_OK;

	for (u32 i = 0; i < g->nr_vcpus; i++) {
		vmm_scheduler_wait_off_cpu(g->vcpus[i]);
		vmm_vcpu_irq_reset(g->vcpus[i]);
	}
	/* RAM first: a long-mode VCPU's reset writes its page tables there */
	if (cold)
		rc = vmm_aspace_reload(g);
	else
		rc = vmm_aspace_load_kernel(g);	/* what the boot loader would do again */
	for (u32 i = 0; !rc && i < g->nr_vcpus; i++) {
		rc = arch_vcpu_reset(g->vcpus[i]);
		g->vcpus[i]->halt_reason[0] = 0;
	}
	if (!rc)
		rc = vmm_devemu_guest_reset(g);
	if (rc) {
		vmm_err("guest %s: reset failed (%s); it stays in RESET\n", g->name, vmm_strerror(rc));
		return rc;
	}
	if (cold)
		vmm_info("guest %s: reset (RAM cleared, images reloaded)\n", g->name);
	return vmm_manager_guest_kick(g);
}

/* ---- the manager thread: resets a guest asked for from a VM exit ------ */

static struct vmm_waitqueue mgr_wq = VMM_WAITQUEUE_INIT;
/* resets asked for from VM exits, by guest slot (mgr_wq.lock) */
static struct vmm_guest *reset_pending[VMM_MAX_GUESTS];
/* resets asked for and not finished (the guest will run again) */
static volatile u32 resets_owed;
/* one whole-guest operation at a time (reset, destroy): a destroy never
 * frees a guest the manager thread is resetting or is about to */
static struct vmm_mutex guest_ops = VMM_MUTEX_INIT;

/* The next pending reset, taken off the list (mgr_wq.lock held), or NULL. */
static struct vmm_guest *take_pending_locked(void)
{
	for (u32 i = 0; i < VMM_MAX_GUESTS; i++) {
		struct vmm_guest *g = reset_pending[i];

		if (g) {
			reset_pending[i] = NULL;
			return g;
		}
	}
	return NULL;
}

static bool any_pending_locked(void)
{
	for (u32 i = 0; i < VMM_MAX_GUESTS; i++)
		if (reset_pending[i])
			return true;
	return false;
}

int vmm_manager_do_pending_resets(void)
{
	unsigned long f;
	int done = 0;

	if (!can_wait())
		return -VMM_EINVALID;
	/* taken only with guest_ops held: a destroy clears its entry first */
	vmm_mutex_lock(&guest_ops);
	for (;;) {
		struct vmm_guest *g;

		f = vmm_spin_lock_irqsave(&mgr_wq.lock);
		g = take_pending_locked();
		vmm_spin_unlock_irqrestore(&mgr_wq.lock, f);
		if (!g)
			break;
		guest_reset_work(g, false);
		__atomic_fetch_sub(&resets_owed, 1, __ATOMIC_ACQ_REL);
		done++;
	}
	vmm_mutex_unlock(&guest_ops);
	return done;
}

static int manager_thread(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned long f = vmm_spin_lock_irqsave(&mgr_wq.lock);

		while (!any_pending_locked())
			vmm_waitqueue_sleep_locked(&mgr_wq, 0, &f);
		vmm_spin_unlock_irqrestore(&mgr_wq.lock, f);
		vmm_manager_do_pending_resets();
	}
	return 0;
}

int vmm_manager_init(void)
{
	/* the default priority: a guest resetting itself in a loop gets its
	 * resets done in the manager's turn, not ahead of everybody */
	struct vmm_thread *t = vmm_thread_create("manager", manager_thread, NULL,
						 VMM_THREAD_DEF_PRIORITY, 0, 0);

	return t ? vmm_thread_start(t) : -VMM_ENOMEM;
}

int vmm_manager_guest_reset(struct vmm_guest *guest)
{
	int rc;

	if (!can_wait()) {
		vmm_err("guest %s: reset refused: only a thread (the terminal, bootcmd) can reset a guest\n",
			guest->name);
		return -VMM_EINVALID;
	}
	vmm_mutex_lock(&guest_ops);
	rc = guest_stop(guest, "reset");
	if (!rc)
		rc = guest_reset_work(guest, true);
	vmm_mutex_unlock(&guest_ops);
	return rc;
}

int vmm_manager_guest_reboot(struct vmm_guest *guest)
{
	unsigned long f;
	int rc = guest_stop(guest, "reset");

	if (rc)
		return rc;
	if (can_wait()) {
		vmm_mutex_lock(&guest_ops);
		rc = guest_reset_work(guest, false);
		vmm_mutex_unlock(&guest_ops);
		return rc;
	}
	/* from the guest itself (a VM exit) or an interrupt: the manager thread */
	f = vmm_spin_lock_irqsave(&mgr_wq.lock);
	if (reset_pending[guest->id] != guest)
		__atomic_fetch_add(&resets_owed, 1, __ATOMIC_ACQ_REL);
	reset_pending[guest->id] = guest;
	vmm_waitqueue_wake_first_locked(&mgr_wq);
	vmm_spin_unlock_irqrestore(&mgr_wq.lock, f);
	return VMM_OK;
}

int vmm_manager_guest_destroy(struct vmm_guest *guest)
{
	unsigned long f;
	int rc;

	if (!can_wait()) {
		vmm_err("guest %s: destroy refused: only a thread (the terminal, bootcmd) can destroy a guest\n",
			guest->name);
		return -VMM_EINVALID;
	}
	vmm_mutex_lock(&guest_ops);
	rc = guest_stop(guest, "destroy");
	/* a reset it asked for from a VM exit is moot now */
	f = vmm_spin_lock_irqsave(&mgr_wq.lock);
	if (reset_pending[guest->id] == guest) {
		reset_pending[guest->id] = NULL;
		__atomic_fetch_sub(&resets_owed, 1, __ATOMIC_ACQ_REL);
	}
	vmm_spin_unlock_irqrestore(&mgr_wq.lock, f);
	for (u32 i = 0; !rc && i < guest->nr_vcpus; i++) {
		struct vmm_vcpu *v = guest->vcpus[i];

		vmm_scheduler_wait_off_cpu(v);
		if (v->state == RESET)
			rc = vmm_scheduler_state_change(v, UNKNOWN, "destroy");
	}
	if (rc) {
		vmm_mutex_unlock(&guest_ops);
		return rc;
	}
	{
		char name[VMM_DEVTREE_NAME_MAX];

		strlcpy(name, guest->name, sizeof(name));
		guest_free(guest);
		vmm_mutex_unlock(&guest_ops);
		vmm_info("guest %s: destroyed\n", name);
	}
	return VMM_OK;
}

bool vmm_manager_all_guests_idle(u32 *paused, u32 *waiting)
{
	u32 n = 0, w = 0;

	/* a guest whose reset is owed runs again soon */
	if (__atomic_load_n(&resets_owed, __ATOMIC_ACQUIRE))
		return false;
	for (u32 i = 0; i < nr_vcpu_slots; i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);

		if (!v || !v->is_normal)
			continue;
		if (v->state == READY || v->state == RUNNING)
			return false;
		n += v->state == PAUSED;
		w += vmm_vcpu_irq_waiting(v);
	}
	if (paused)
		*paused = n;
	if (waiting)
		*waiting = w;
	return true;
}
