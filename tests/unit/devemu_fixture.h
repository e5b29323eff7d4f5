/*
 * tests/unit/devemu_fixture.h - a guest with emulated devices for the device
 * model tests (test_i8259.c, test_uart8250.c) and the devemu fuzzer
 * (tests/fuzz/fuzz_devemu.c): a devtree /<guest>/aspace/<region> per
 * virtual I/O region, a vmm_guest_config pointing at those nodes, a real
 * struct vmm_guest, vmm_aspace_init() and vmm_devemu_guest_init(). Accesses
 * then go through vmm_devemu_io_read()/io_write() exactly as the VMX I/O exit
 * handler makes them, and lines through vmm_devemu_set_irq().
 *
 * Include it in exactly one file of a binary: it defines
 *  - vmm_malloc/vmm_zalloc/vmm_free over the host's malloc, every block kept
 *    on a list: fx_destroy() tears the guest down as guest destroy does
 *    (vmm_devemu_guest_deinit(), vmm_aspace_deinit()), counts the blocks
 *    the teardown left behind (a leak: the test fails), then frees the
 *    devtree and whatever else the list still holds (LeakSanitizer cannot
 *    see leaks of listed blocks, AddressSanitizer sees every object);
 *    fx_heap_fail_nth() makes one later allocation fail;
 *  - vmm_manager_vcpu_pause()/_resume() (kernel/vcpu_irq.c's HLT wait) and
 *    vmm_manager_guest_reboot() and vmm_manager_guest_halt(), counted (the real ones are in
 *    kernel/manager.c, which needs the arch VCPU contract), and a still host
 *    clock (arch_timer_*, weak) for the models that use timer events:
 *    devemu.c's emulator table links every model;
 *  - the guest's one VCPU (fx.vcpu, RUNNING on CPU 0), where the PIC's INTR
 *    goes: its ExtINT request is vmm_vcpu_irq_pending(&fx.vcpu->irq), its
 *    INTA vmm_vcpu_irq_acknowledge(fx.vcpu), and every rise of its ExtINT
 *    line counts in fx.vcpu->irq.asserts.
 * No cmocka here: the fuzzer includes it too.
 */
#ifndef UNIT_DEVEMU_FIXTURE_H
#define UNIT_DEVEMU_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/heap.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/devtree.h"
#include "kernel/guest_config.h"
#include "kernel/error.h"
#include "kernel/arch_timer.h"
#include "devemu/devemu.h"
#include "kernel/vcpu_irq.h"

/* ---- tracking heap ---- */

struct fx_block {
	struct fx_block *prev, *next;
	size_t size;
	size_t pad;		/* keeps the payload 16-byte aligned */
};

static struct fx_block fx_heap = { &fx_heap, &fx_heap, 0, 0 };
static long fx_heap_live;	/* blocks handed out and not freed */
static long fx_heap_fail_at;	/* 1 = the next allocation fails, 0 = none */
static long fx_heap_allocs;

static inline void fx_heap_fail_nth(long n)
{
	fx_heap_allocs = 0;
	fx_heap_fail_at = n;
}

void *vmm_malloc(size_t size)
{
	struct fx_block *b;

	if (fx_heap_fail_at && ++fx_heap_allocs == fx_heap_fail_at)
		return NULL;
	b = malloc(sizeof(*b) + (size ? size : 1));
	if (!b)
		return NULL;
	b->size = size;
	b->next = &fx_heap;
	b->prev = fx_heap.prev;
	fx_heap.prev->next = b;
	fx_heap.prev = b;
	fx_heap_live++;
	memset(b + 1, 0xA5, size);	/* the kernel heap does not zero either */
	return b + 1;
}

void *vmm_zalloc(size_t size)
{
	void *p = vmm_malloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void vmm_free(void *ptr)
{
	struct fx_block *b;

	if (!ptr)
		return;
	b = (struct fx_block *)ptr - 1;
	b->prev->next = b->next;
	b->next->prev = b->prev;
	fx_heap_live--;
	free(b);
}

/* Free every block still on the list. */
static inline void fx_heap_free_all(void)
{
	while (fx_heap.next != &fx_heap)
		vmm_free(fx_heap.next + 1);
	fx_heap_fail_at = 0;
}

/* ---- what the device models call outside devemu/ ---- */

static long fx_vcpu_pauses, fx_vcpu_resumes;	/* the manager calls of kernel/vcpu_irq.c */
static long fx_guest_resets;	/* vmm_manager_guest_reboot() calls */
static long fx_guest_halts;	/* vmm_manager_guest_halt() calls */
static char fx_halt_reason[256];	/* the reason of the last one */

/* kernel/manager.c's needs the arch VCPU contract: the state and a count. */
int vmm_manager_vcpu_pause(struct vmm_vcpu *vcpu)
{
	vcpu->state = VMM_VCPU_STATE_PAUSED;
	fx_vcpu_pauses++;
	return VMM_OK;
}

int vmm_manager_vcpu_resume(struct vmm_vcpu *vcpu)
{
	vcpu->state = VMM_VCPU_STATE_READY;
	fx_vcpu_resumes++;
	return VMM_OK;
}

/* A device asking for a guest reset (keyboard controller, port 0x92). */
int vmm_manager_guest_reboot(struct vmm_guest *guest)
{
	(void)guest;
	fx_guest_resets++;
	return VMM_OK;
}

/* A device ending its guest (isa-debug-exit): every VCPU HALTED, counted. */
int vmm_manager_guest_halt(struct vmm_guest *guest, const char *reason)
{
	for (u32 i = 0; i < guest->nr_vcpus; i++)
		guest->vcpus[i]->state = VMM_VCPU_STATE_HALTED;
	snprintf(fx_halt_reason, sizeof(fx_halt_reason), "%s", reason);
	fx_guest_halts++;
	return VMM_OK;
}

/*
 * The host clock for the timer-driven models (kernel/timer.c): time stands
 * still at fx_now_ns unless a test moves it. Weak, so that a fake arch that
 * gains these later wins without a clash.
 */
static u64 fx_now_ns;

__attribute__((weak)) u64 arch_timer_now_ns(void)
{
	return fx_now_ns;
}

__attribute__((weak)) void arch_timer_program(u64 expiry_ns)
{
	(void)expiry_ns;
}

__attribute__((weak)) u64 arch_timer_boot_wallclock_sec(void)
{
	return 0;
}

/* ---- the guest ---- */

struct fx_region {
	const char *name;
	u32 port, count;	/* ports; above 0xFFFF: a guest physical (MMIO) address */
	const char *compatible;
	int irq;		/* `interrupts` cell, -1 for none */
};

static inline bool fx_region_mmio(const struct fx_region *r)
{
	return r->port > 0xFFFF;
}

/* The PC guest's interrupt controller and first UART (dts/guests/pc-guest.dtsi). */
static const struct fx_region fx_pc_regions[] = {
	{ "pic_master", 0x20, 2, "i8259a", -1 },
	{ "pic_slave", 0xA0, 2, "i8259a", 2 },
	{ "elcr", 0x4D0, 2, "intel,elcr", -1 },
	{ "uart0", 0x3F8, 8, "ns16550a", 4 },
};
#define FX_PC_NR_REGIONS (sizeof(fx_pc_regions) / sizeof(fx_pc_regions[0]))
/* their models: linked into every test that includes this fixture (the
 * unit tests take devemu/ from an archive; see VMM_EMULATOR_USE) */
VMM_EMULATOR_USE(i8259_emulator);
VMM_EMULATOR_USE(elcr_emulator);
VMM_EMULATOR_USE(uart8250_emulator);

struct fx {
	struct vmm_devtree_node *root;
	struct vmm_guest_config *cfg;	/* host malloc */
	struct vmm_guest *guest;	/* host malloc */
	struct vmm_vcpu *vcpu;		/* host malloc: the guest's vcpus[0] */
	long tree_blocks;		/* heap blocks live before the guest was built */
	bool built;			/* vmm_aspace_init() was called */
};

static inline int fx_setattr_string(struct vmm_devtree_node *n, const char *name, const char *s)
{
	return vmm_devtree_setattr(n, name, VMM_DEVTREE_STRING, s, (u32)strlen(s) + 1);
}

/*
 * Build guest 'name' with the given virtual I/O regions and instantiate
 * their emulators. Returns what failed (VMM_OK, or the first error: that of
 * vmm_devemu_guest_init() when the devices do not come up); f is usable
 * for fx_destroy() either way.
 */
static inline int fx_create(struct fx *f, const char *name, const struct fx_region *regions,
			    u32 nr)
{
	struct vmm_devtree_node *gnode, *aspace;
	long fail_at = fx_heap_fail_at;
	int rc;

	memset(f, 0, sizeof(*f));
	if (nr > VMM_GUEST_MAX_REGIONS)
		return -VMM_EINVALID;
	f->cfg = calloc(1, sizeof(*f->cfg));
	f->guest = calloc(1, sizeof(*f->guest));
	f->vcpu = calloc(1, sizeof(*f->vcpu));
	if (!f->cfg || !f->guest || !f->vcpu)
		return -VMM_ENOMEM;
	/* the tree is built without injected failures: they are for devemu */
	fx_heap_fail_at = 0;
	f->root = vmm_devtree_node_new(NULL, "");
	gnode = f->root ? vmm_devtree_node_new(vmm_devtree_node_new(f->root, "guests"), name) : NULL;
	aspace = gnode ? vmm_devtree_node_new(gnode, "aspace") : NULL;
	if (!aspace)
		return -VMM_ENOMEM;
	fx_setattr_string(gnode, "device_type", "guest");
	snprintf(f->cfg->name, sizeof(f->cfg->name), "%s", name);
	f->cfg->node = gnode;
	f->cfg->nr_regions = nr;
	for (u32 i = 0; i < nr; i++) {
		const struct fx_region *r = &regions[i];
		struct vmm_region_config *rc_ = &f->cfg->regions[i];
		struct vmm_devtree_node *n = vmm_devtree_node_new(aspace, r->name);
		u64 gpa = r->port, size = r->count;
		u32 cell = (u32)r->irq;

		if (!n)
			return -VMM_ENOMEM;
		fx_setattr_string(n, "manifest_type", "virtual");
		fx_setattr_string(n, "address_type", fx_region_mmio(r) ? "memory" : "io");
		fx_setattr_string(n, "compatible", r->compatible);
		vmm_devtree_setattr(n, "guest_physical_addr", VMM_DEVTREE_U64, &gpa, 8);
		vmm_devtree_setattr(n, "physical_size", VMM_DEVTREE_U64, &size, 8);
		if (r->irq >= 0)
			vmm_devtree_setattr(n, "interrupts", VMM_DEVTREE_CELLS, &cell, 4);
		snprintf(rc_->name, sizeof(rc_->name), "%s", r->name);
		rc_->node = n;
		rc_->kind = VMM_REGION_VIRTUAL;
		rc_->io = !fx_region_mmio(r);
		rc_->gpa = gpa;
		rc_->size = size;
		snprintf(rc_->compatible, sizeof(rc_->compatible), "%s", r->compatible);
	}
	snprintf(f->guest->name, sizeof(f->guest->name), "%s", name);
	f->guest->config = f->cfg;
	snprintf(f->vcpu->name, sizeof(f->vcpu->name), "%s/vcpu0", name);
	f->vcpu->is_normal = true;
	f->vcpu->guest = f->guest;
	f->vcpu->state = VMM_VCPU_STATE_RUNNING;
	f->guest->vcpus[0] = f->vcpu;
	f->guest->nr_vcpus = 1;
	f->tree_blocks = fx_heap_live;
	f->built = true;
	rc = vmm_aspace_init(f->guest);
	if (rc)
		return rc;
	fx_heap_fail_nth(fail_at);
	return vmm_devemu_guest_init(f->guest);
}

/*
 * Tear the guest down as guest destroy does (devices, then the aspace),
 * then free the devtree and the rest. Returns the heap blocks the teardown
 * left behind (0: none) and aborts with a message when there are any, so
 * every test that builds a guest - half-built ones after an injected
 * allocation failure too - checks the teardown.
 */
static inline long fx_destroy(struct fx *f)
{
	long leaked = 0;

	fx_heap_fail_at = 0;
	if (f->guest && f->built) {
		vmm_devemu_guest_deinit(f->guest);
		vmm_aspace_deinit(f->guest);
		leaked = fx_heap_live - f->tree_blocks;
		if (leaked || f->guest->devemu_priv || f->guest->aspace) {
			fprintf(stderr, "fx_destroy: guest %s: %ld heap blocks left after the teardown\n",
				f->guest->name, leaked);
			abort();
		}
	}
	fx_heap_free_all();
	free(f->cfg);
	free(f->guest);
	free(f->vcpu);
	memset(f, 0, sizeof(*f));
	return leaked;
}

#endif
