/*
 * devemu/devemu.h - the device-emulation framework: emulators register an
 * ops table and are matched by the `compatible` strings of a guest's virtual
 * regions; one instance (struct vmm_emudev) per region. The VMX exit
 * handlers route I/O-port and MMIO accesses here.
 */
#ifndef DEVEMU_DEVEMU_H
#define DEVEMU_DEVEMU_H

#include "kernel/types.h"

struct vmm_guest;
struct vmm_region;
struct vmm_emudev;

struct vmm_emulator {
	const char *name;
	/* the device_type its regions have ("pic", "timer", "serial", ...); a
	 * region stating another one is not given this emulator */
	const char *device_type;
	const char *const *compatible;	/* NULL-terminated */
	int (*probe)(struct vmm_emudev *edev);
	int (*reset)(struct vmm_emudev *edev);
	/*
	 * Undo probe (guest destroy, or a creation that failed later): stop
	 * the instance's timers, unregister its endpoints, free its private
	 * data. Blocks from vmm_devemu_guest_shared() are not the instance's:
	 * devemu frees them after every remove. NULL: nothing to undo. A
	 * probe that fails must undo what it did itself.
	 */
	void (*remove)(struct vmm_emudev *edev);
	/* offset within the region; width 1, 2, 4 or 8 bytes */
	int (*read)(struct vmm_emudev *edev, u64 offset, u32 width, u64 *value);
	int (*write)(struct vmm_emudev *edev, u64 offset, u32 width, u64 value);
};

/*
 * Declare an emulator, once, after its definition in the model's file:
 *     const struct vmm_emulator foo_emulator = { ... };
 *     VMM_EMULATOR(foo_emulator);
 * puts a pointer to it into the section vmm_emulators, which
 * vmm_devemu_find_emulator() walks (__start_/__stop_vmm_emulators, from
 * linker.ld in the kernel and from the linker on the host). No list to
 * edit: adding a model touches its own file only.
 *
 * Host programs that link devemu/ from a static archive (unit tests) only
 * get the models they refer to: a test that has devemu match a compatible
 * string names the model with VMM_EMULATOR_USE(foo_emulator) at file scope
 * (naming a model twice, e.g. in a fixture and in the test, is fine).
 */
#define VMM_EMULATOR(emu_)							\
	static const struct vmm_emulator *const vmm_emulator_entry_##emu_	\
	__attribute__((used, section("vmm_emulators"), aligned(sizeof(void *)))) = &emu_
#define VMM_EMULATOR_USE(emu_) VMM_EMULATOR_USE_(emu_, __COUNTER__)
#define VMM_EMULATOR_USE_(emu_, n_) VMM_EMULATOR_USE__(emu_, n_)
#define VMM_EMULATOR_USE__(emu_, n_)						\
	extern const struct vmm_emulator emu_;					\
	static const struct vmm_emulator *const vmm_emulator_use_##emu_##_##n_	\
	__attribute__((used)) = &emu_

struct vmm_emudev {
	struct vmm_guest *guest;
	struct vmm_region *region;
	const struct vmm_emulator *emu;
	void *priv;
};

/*
 * A guest's interrupt controller (the i8259A pair on a PC guest; later the
 * IO-APIC). It registers for a range of the guest's interrupt lines
 * (0..VMM_DEVEMU_IRQ_LINES-1); device models drive those lines through
 * vmm_devemu_set_irq(), which passes every change to each controller
 * registered for the line (at most DEVEMU_LINE_CHIPS: a PC's ISA lines go
 * to the PIC and to the IO-APIC). The controller decides which VCPU its
 * output goes to and drives that VCPU's line or posts the vector there
 * (kernel/vcpu_irq.h). Neither device models nor devemu talk to the
 * manager about interrupts.
 */
#define VMM_DEVEMU_IRQ_LINES 32

struct vmm_irqchip {
	const char *name;
	void *priv;
	u32 first_line, nr_lines;	/* the guest lines it takes */
	/* guest line irq (first_line..) is now at 'level' (1 asserted, 0 not) */
	void (*set_line)(void *priv, u32 irq, int level);
	/* optional: line irq goes high and back low, with the same effect as
	 * set_line 1 then 0 (in one step: a periodic timer's edge is hot);
	 * NULL: devemu makes the two set_line calls */
	void (*pulse_line)(void *priv, u32 irq);
	/* the chip calls vmm_devemu_irq_taken() whenever an input's latched
	 * request goes away (INTA, poll, re-initialisation, a level line
	 * dropping), so edge sources may wait for it (see below) */
	bool reports_taken;
};

/*
 * Coalescing of edges (issue 10, finding 2): an edge on a PIC input whose
 * previous request is still latched (IRR set: the guest has not taken it,
 * has it masked or runs with interrupts off) is lost on real hardware. A
 * periodic edge source (the PIT) therefore raises one edge, then waits
 * until the controller reports the request taken before it arms the next:
 * a guest that does not take its timer interrupts costs the hypervisor no
 * timer events at all while other guests run.
 */
typedef void (*vmm_devemu_irq_taken_fn)(void *priv);
/* Call fn(priv) whenever the request on input irq is taken; at most
 * DEVEMU_TAKEN_MAX listeners per guest. */
int vmm_devemu_irq_taken_listen(struct vmm_guest *guest, u32 irq, vmm_devemu_irq_taken_fn fn,
				void *priv);
/* Does a controller of the guest report taken requests (else: do not wait)? */
bool vmm_devemu_irq_reports_taken(struct vmm_guest *guest);
/* From the controller, holding none of its locks: the requests of the
 * inputs in 'mask' (bit n = input n) were taken or dropped. */
void vmm_devemu_irq_taken(struct vmm_guest *guest, u32 mask);

/* An interrupt controller registers for its lines (again: no change). */
int vmm_devemu_irqchip_register(struct vmm_guest *guest, const struct vmm_irqchip *chip);
/* Drive a guest interrupt line (level 1/0); a no-op for a line no controller takes. */
void vmm_devemu_set_irq(struct vmm_guest *guest, u32 irq, int level);
/* An edge: the line goes high and back low. */
void vmm_devemu_pulse_irq(struct vmm_guest *guest, u32 irq);
/*
 * State shared by several emulator instances of one guest (the master and
 * slave PIC and the ELCR): zeroed memory created on the first call for a
 * key, returned again to every later caller with the same key.
 */
void *vmm_devemu_guest_shared(struct vmm_guest *guest, const char *key, size_t size);
/*
 * Initialise a device model's timer event for 'guest': it fires on the
 * host CPU of the VCPU that takes the guest's PIC interrupts (its boot
 * VCPU, also when that VCPU is created after the device) and moves with
 * it. Models use this, never vmm_timer_event_init(), for guest timers.
 */
struct vmm_timer_event;
void vmm_devemu_timer_init(struct vmm_guest *guest, struct vmm_timer_event *ev,
			   void (*handler)(struct vmm_timer_event *ev), void *priv);
/* The first cell of a virtual region's `interrupts` attribute, or -1. */
int vmm_devemu_region_irq(struct vmm_emudev *edev);

/* Instantiate the emulators of a guest's virtual regions. */
int vmm_devemu_guest_init(struct vmm_guest *guest);
int vmm_devemu_guest_reset(struct vmm_guest *guest);
/*
 * Undo vmm_devemu_guest_init(), also a half-done one: every instance's
 * remove (timers stopped, vserial endpoints unregistered, private data
 * freed), then the shared blocks and the guest's devemu context. The
 * guest's VCPUs must be stopped; its aspace is still there (freed after
 * this by vmm_aspace_deinit()). Safe to call twice.
 */
void vmm_devemu_guest_deinit(struct vmm_guest *guest);
/*
 * Accesses from the guest. Unassigned ports and addresses read as all-ones
 * and ignore writes (the first 16 ports reported once each, then a count;
 * memory: the first access, then a count); the return value is an error
 * only when the guest must be stopped (unassigned_io = "halt").
 */
int vmm_devemu_io_read(struct vmm_guest *guest, u16 port, u32 width, u32 *value);
int vmm_devemu_io_write(struct vmm_guest *guest, u16 port, u32 width, u32 value);
int vmm_devemu_mmio_read(struct vmm_guest *guest, u64 gpa, u32 width, u64 *value);
int vmm_devemu_mmio_write(struct vmm_guest *guest, u64 gpa, u32 width, u64 value);
/* Guest-physical memory no region covers (VMX exit path): the same rules. */
int vmm_devemu_unassigned_read(struct vmm_guest *guest, u64 gpa, u32 width, u64 *value);
int vmm_devemu_unassigned_write(struct vmm_guest *guest, u64 gpa);
/* Print the counts of unassigned accesses not reported yet (guest halt, shutdown). */
void vmm_devemu_guest_report(struct vmm_guest *guest);
/* The same for a region the caller already looked up (VMX exit paths). */
int vmm_devemu_region_read(struct vmm_region *region, u64 addr, u32 width, u64 *value);
int vmm_devemu_region_write(struct vmm_region *region, u64 addr, u32 width, u64 value);
/* Emulator matching 'compatible', or NULL. */
const struct vmm_emulator *vmm_devemu_find_emulator(const char *compatible);

#endif
