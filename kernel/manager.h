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
#include "kernel/vcpu_irq.h"

#define VMM_MAX_GUESTS 16
#define VMM_MAX_VCPUS 64
#define VMM_VCPU_NAME_MAX 80
#define VMM_HALT_REASON_MAX 256

struct arch_regs;
struct vmm_guest;
struct vmm_aspace;

struct vmm_vcpu {
	u32 id;				/* unique over all VCPUs */
	u32 subid;			/* index within its guest */
	char name[VMM_VCPU_NAME_MAX];	/* "guest0/vcpu0", or an orphan's name */
	bool is_normal;			/* false: orphan VCPU */
	struct vmm_guest *guest;	/* NULL for orphans */
	const struct vmm_vcpu_config *config;
	enum vmm_vcpu_state state;
	u32 host_cpu;			/* host CPU it runs on */
	u64 time_slice_ns;
	u32 priority;
	struct arch_regs *regs;		/* user registers while not running */
	void *arch_priv;		/* arch VCPU context (VMCS, ...) */
	struct vmm_vcpu *next_ready;	/* scheduler's ready queue */
	bool queued;
	char halt_reason[VMM_HALT_REASON_MAX];
	struct vmm_vcpu_irq irq;	/* virtual interrupts (kernel/vcpu_irq.h) */
	/* orphan VCPUs: entry point and stack */
	void (*orphan_entry)(void);
	u64 stack_base, stack_size;
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
};

/* Create a guest (VCPUs in RESET) from its validated configuration. */
int vmm_manager_guest_create(const struct vmm_guest_config *cfg, struct vmm_guest **out);
/* Create an orphan VCPU running 'entry' on its own stack, in RESET. */
struct vmm_vcpu *vmm_manager_orphan_create(const char *name, void (*entry)(void),
					   u64 stack_size, u64 time_slice_ns);
struct vmm_guest *vmm_manager_guest_find(const char *name);
struct vmm_guest *vmm_manager_guest(u32 index);
u32 vmm_manager_guest_count(void);
struct vmm_vcpu *vmm_manager_vcpu(u32 id);
u32 vmm_manager_vcpu_count(void);

/* State changes; -VMM_EILLEGAL when figure 3 has no such arrow. */
int vmm_vcpu_set_state(struct vmm_vcpu *vcpu, enum vmm_vcpu_state to);
int vmm_manager_vcpu_kick(struct vmm_vcpu *vcpu);
/* PAUSED from READY or RUNNING, and READY again from PAUSED. */
int vmm_manager_vcpu_pause(struct vmm_vcpu *vcpu);
int vmm_manager_vcpu_resume(struct vmm_vcpu *vcpu);
/* Halt a VCPU for good with a reason that is printed with its name. */
int vmm_manager_vcpu_halt(struct vmm_vcpu *vcpu, const char *fmt, ...) __printf(2, 3);
int vmm_manager_guest_kick(struct vmm_guest *guest);
int vmm_manager_guest_halt(struct vmm_guest *guest, const char *reason);
/* Reset every VCPU and device of a guest and start it again (RAM is kept). */
int vmm_manager_guest_reset(struct vmm_guest *guest);
/*
 * true when no VCPU of any guest is READY or RUNNING. PAUSED VCPUs are
 * counted in *paused, and those an interrupt can wake (HLT with interrupts
 * on) in *waiting.
 */
bool vmm_manager_all_guests_idle(u32 *paused, u32 *waiting);

#endif
