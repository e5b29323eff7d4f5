/*
 * kernel/manager.h - guests and VCPUs (the design's chapter 1 and 4).
 *
 * A guest is made of normal VCPUs and an address space (kernel/aspace.h); an
 * orphan VCPU belongs to no guest and runs hypervisor code in root mode
 * (the idle loop now; the terminal and background threads later). Every
 * state change goes through vmm_vcpu_set_state(), which enforces the
 * transition table of kernel/vcpu_state.c.
 */
#ifndef KERNEL_MANAGER_H
#define KERNEL_MANAGER_H

#include "kernel/types.h"
#include "kernel/vcpu_state.h"
#include "kernel/guest_config.h"
#include "kernel/spinlock.h"
#include "kernel/arch_cpu.h"
#include "kernel/vcpu_irq.h"

#define VMM_MAX_GUESTS 16
#define VMM_MAX_VCPUS 64
#define VMM_VCPU_NAME_MAX 80
#define VMM_HALT_REASON_MAX 256

struct arch_regs;
struct vmm_guest;
struct vmm_aspace;
struct vmm_thread;

struct vmm_vcpu {
	u32 id;				/* unique over all VCPUs */
	u32 subid;			/* index within its guest */
	char name[VMM_VCPU_NAME_MAX];	/* "guest0/vcpu0", or an orphan's name */
	bool is_normal;			/* false: orphan VCPU */
	struct vmm_guest *guest;	/* NULL for orphans */
	const struct vmm_vcpu_config *config;
	bool in_use;			/* the slot holds a VCPU (destroyed: false) */
	enum vmm_vcpu_state state;	/* written only by kernel/scheduler.c */
	/* scheduling (kernel/scheduler.c, under its lock) */
	u32 host_cpu;			/* CPU it is queued on, runs on or ran on last */
	u32 last_cpu;			/* CPU it last ran on (~0: never ran) */
	bool on_cpu;			/* a CPU executes it (registers not saved) */
	u64 affinity;			/* host CPUs it may run on (bit n = CPU n); 0: any */
	u64 time_slice_ns;
	u32 priority;			/* 0..VMM_MAX_PRIORITY, higher runs first */
	u64 run_ns[ARCH_CPU_MAX];	/* time it ran on each host CPU */
	u64 migrations;			/* times it ran on another CPU than the time before */
	u64 switches;			/* times the scheduler gave it a CPU */
	u64 stop_asked_ns;		/* stopped from another CPU at this time, not yet switched out */
	struct arch_regs *regs;		/* user registers while not running */
	void *arch_priv;		/* arch VCPU context (VMCS, ...) */
	struct vmm_vcpu *next_ready;	/* scheduler's ready queue */
	bool queued;
	char halt_reason[VMM_HALT_REASON_MAX];
	struct vmm_vcpu_irq irq;	/* virtual interrupts (kernel/vcpu_irq.h) */
	/* orphan VCPUs: entry point and stack; the thread it carries */
	void (*orphan_entry)(void);
	u64 stack_base, stack_size;
	struct vmm_thread *thread;
};

struct vmm_guest {
	u32 id;
	char name[VMM_DEVTREE_NAME_MAX];
	const struct vmm_guest_config *config;
	struct vmm_aspace *aspace;
	u32 nr_vcpus;
	struct vmm_vcpu *vcpus[VMM_GUEST_MAX_VCPUS];
	void *arch_priv;		/* arch guest context (EPT, ...) */
	void *devemu_priv;		/* device emulation context */
	/*
	 * A directly started kernel's boot VCPU, set when the kernel is loaded
	 * (kernel/mb1_guest.c, kernel/linux_guest.c): it starts at 'entry'
	 * with these registers on top of the flat start of its cpu_mode, and
	 * with GDTR = gdt_base/gdt_limit when gdt_limit is not 0 (Multiboot:
	 * EAX = 0x2BADB002, EBX = the information; Linux: RSI = the zero page).
	 */
	struct vmm_guest_boot_start {
		bool valid;
		u64 entry;
		u64 rax, rbx, rsi;
		u64 gdt_base;
		u16 gdt_limit;
	} boot_start;
};

/* Create a guest (VCPUs in RESET) from its validated configuration. */
int vmm_manager_guest_create(const struct vmm_guest_config *cfg, struct vmm_guest **out);
/*
 * Destroy a guest: every VCPU reset (stopped wherever it runs) and then
 * RESET -> UNKNOWN, its memory, VMCS, EPT and device state freed, its
 * slots reused. Thread context only (it waits for the VCPUs to stop).
 */
int vmm_manager_guest_destroy(struct vmm_guest *guest);
/* Create an orphan VCPU running 'entry' on its own stack, in RESET. */
struct vmm_vcpu *vmm_manager_orphan_create(const char *name, void (*entry)(void),
					   u64 stack_size, u64 time_slice_ns);
/* Destroy an orphan VCPU in RESET or HALTED that runs on no CPU. */
int vmm_manager_orphan_destroy(struct vmm_vcpu *vcpu);
struct vmm_guest *vmm_manager_guest_find(const char *name);
/* Guests and VCPUs by slot; NULL for a free slot (destroyed). */
struct vmm_guest *vmm_manager_guest(u32 index);
u32 vmm_manager_guest_count(void);
struct vmm_vcpu *vmm_manager_vcpu(u32 id);
u32 vmm_manager_vcpu_count(void);
struct vmm_vcpu *vmm_manager_vcpu_find(const char *name);

/*
 * The operations of figure 3 on one VCPU, from any CPU and any context
 * (they never wait). Arrows the figure does not draw are refused with
 * -VMM_EILLEGAL and a message naming the VCPU, the states and the
 * operation. Kicking a READY or RUNNING VCPU is a no-op.
 */
int vmm_vcpu_set_state(struct vmm_vcpu *vcpu, enum vmm_vcpu_state to);
int vmm_manager_vcpu_kick(struct vmm_vcpu *vcpu);
/* PAUSED from READY or RUNNING, and READY again from PAUSED. */
int vmm_manager_vcpu_pause(struct vmm_vcpu *vcpu);
int vmm_manager_vcpu_resume(struct vmm_vcpu *vcpu);
/* The terminal's pause: a VCPU waiting in HLT stays paused when an
 * interrupt comes (kernel/vcpu_irq.h), unlike the HLT wait's own pause. */
int vmm_manager_vcpu_user_pause(struct vmm_vcpu *vcpu);
/* Halt a VCPU for good with a reason that is printed with its name. */
int vmm_manager_vcpu_halt(struct vmm_vcpu *vcpu, const char *fmt, ...) __printf(2, 3);
/* Reset one VCPU to its start state (thread context: it waits for it to stop). */
int vmm_manager_vcpu_reset(struct vmm_vcpu *vcpu);

/* The same on every VCPU of a guest. Kick: the boot VCPU, or all with
 * start_all; the others wait for a SIPI (PAUSED). */
int vmm_manager_guest_kick(struct vmm_guest *guest);
int vmm_manager_guest_pause(struct vmm_guest *guest);
int vmm_manager_guest_resume(struct vmm_guest *guest);
int vmm_manager_guest_halt(struct vmm_guest *guest, const char *reason);
/*
 * Reset a guest and start it again, as a power cycle: VCPUs stopped and
 * back in their start state, RAM cleared, images reloaded, devices reset.
 * Thread context only (it waits for the VCPUs to stop).
 */
int vmm_manager_guest_reset(struct vmm_guest *guest);
/*
 * The reset a guest asks for itself (the 8042's reset line, port 0x92, a
 * triple fault with on_triple_fault = "reset"): as a PC's CPU reset, RAM
 * is kept; VCPUs and devices start over. From a VM exit the VCPUs are
 * stopped at once and the rest is done by the manager thread.
 */
int vmm_manager_guest_reboot(struct vmm_guest *guest);
/* Start the manager thread (deferred guest resets); after the scheduler. */
int vmm_manager_init(void);
/* The manager thread's work: do the guest resets asked for from VM exits
 * (thread context); the number done. */
int vmm_manager_do_pending_resets(void);
/*
 * true when no VCPU of any guest is READY or RUNNING and no guest's own
 * reset is still to be done by the manager thread. PAUSED VCPUs are
 * counted in *paused, and those an interrupt can wake (HLT with interrupts
 * on) in *waiting.
 */
bool vmm_manager_all_guests_idle(u32 *paused, u32 *waiting);

#endif
