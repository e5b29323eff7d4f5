/*
 * tests/unit/test_vcpu_irq.c - per-VCPU virtual interrupts
 * (kernel/vcpu_irq.c) on real guests and VCPUs (tests/unit/sched_fixture.h:
 * the real manager, scheduler and state table over the fake arch): the HLT
 * wait and what ends it, the kick of the CPU a VCPU runs on, deassert
 * before entry, a user's pause that an interrupt must not undo, posted
 * vectors highest first, ExtINT through the controller that drives the
 * line, and the i8259A pair of a two-VCPU guest routing its INTR to VCPU 0
 * only (the real devemu/i8259.c, ports written as the guest does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/sched_fixture.h"
#include "kernel/vcpu_irq.h"
#include "kernel/devtree.h"
#include "devemu/devemu.h"

/* the models this test has devemu match by compatible string (devemu.h) */
VMM_EMULATOR_USE(i8259_emulator);
VMM_EMULATOR_USE(elcr_emulator);

#define READY VMM_VCPU_STATE_READY
#define RUNNING VMM_VCPU_STATE_RUNNING
#define PAUSED VMM_VCPU_STATE_PAUSED
#define EXTINT VMM_VCPU_IRQ_EXTINT
#define LOCAL VMM_VCPU_IRQ_LOCAL

static struct vmm_guest *g1;	/* one VCPU, no devices */
static struct vmm_guest *pc;	/* two VCPUs and the i8259A pair */

/* ---- a fake controller driving a VCPU's ExtINT line ---- */

static int fake_vector = 0x68, fake_acks;

static int fake_ack(void *priv)
{
	(void)priv;
	fake_acks++;
	return fake_vector;
}

/* ---- the PC guest: the i8259A pair and the ELCR as in pc-guest.dtsi ---- */

static int setattr_str(struct vmm_devtree_node *n, const char *a, const char *s)
{
	return vmm_devtree_setattr(n, a, VMM_DEVTREE_STRING, s, (u32)strlen(s) + 1);
}

static struct vmm_guest *pc_guest(const char *name)
{
	static const struct { const char *name; u64 port, count; const char *compat; int irq; } r[] = {
		{ "pic_master", 0x20, 2, "i8259a", -1 },
		{ "pic_slave", 0xA0, 2, "i8259a", 2 },
		{ "elcr", 0x4D0, 2, "intel,elcr", -1 },
	};
	static struct vmm_guest_config cfg;
	struct vmm_devtree_node *root = vmm_devtree_node_new(NULL, "");
	struct vmm_devtree_node *gn = vmm_devtree_node_new(vmm_devtree_node_new(root, "guests"), name);
	struct vmm_devtree_node *as = vmm_devtree_node_new(gn, "aspace");
	struct vmm_guest *g = NULL;

	assert_non_null(as);
	setattr_str(gn, "device_type", "guest");
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	cfg.node = gn;
	cfg.nr_vcpus = 2;
	for (u32 i = 0; i < 2; i++) {
		snprintf(cfg.vcpus[i].name, sizeof(cfg.vcpus[i].name), "vcpu%u", i);
		cfg.vcpus[i].time_slice_ns = FX_SLICE_NS;
	}
	cfg.nr_regions = 3;
	for (u32 i = 0; i < 3; i++) {
		struct vmm_region_config *rc = &cfg.regions[i];
		struct vmm_devtree_node *n = vmm_devtree_node_new(as, r[i].name);
		u32 cell = (u32)r[i].irq;

		assert_non_null(n);
		setattr_str(n, "manifest_type", "virtual");
		setattr_str(n, "address_type", "io");
		setattr_str(n, "compatible", r[i].compat);
		vmm_devtree_setattr(n, "guest_physical_addr", VMM_DEVTREE_U64, &r[i].port, 8);
		vmm_devtree_setattr(n, "physical_size", VMM_DEVTREE_U64, &r[i].count, 8);
		if (r[i].irq >= 0)
			vmm_devtree_setattr(n, "interrupts", VMM_DEVTREE_CELLS, &cell, 4);
		snprintf(rc->name, sizeof(rc->name), "%s", r[i].name);
		rc->node = n;
		rc->kind = VMM_REGION_VIRTUAL;
		rc->io = true;
		rc->gpa = r[i].port;
		rc->size = r[i].count;
		snprintf(rc->compatible, sizeof(rc->compatible), "%s", r[i].compat);
	}
	assert_int_equal(vmm_manager_guest_create(&cfg, &g), VMM_OK);
	return g;
}

static void out8(struct vmm_guest *g, u16 port, u8 v)
{
	assert_int_equal(vmm_devemu_io_write(g, port, 1, v), VMM_OK);
}

/* ICW1-4 as a PC BIOS does (bases 0x20/0x28, cascade on IR2), all unmasked. */
static void pic_init(struct vmm_guest *g)
{
	out8(g, 0x20, 0x11);
	out8(g, 0x21, 0x20);
	out8(g, 0x21, 0x04);
	out8(g, 0x21, 0x01);
	out8(g, 0xA0, 0x11);
	out8(g, 0xA1, 0x28);
	out8(g, 0xA1, 0x02);
	out8(g, 0xA1, 0x01);
	out8(g, 0x21, 0x00);
	out8(g, 0xA1, 0x00);
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	(void)state;
	if (fx_init())
		return -1;
	g1 = fx_guest("g1", 1, NULL, NULL);
	pc = pc_guest("pc");
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fx_quiesce();
	fake_acks = 0;
	fake_vector = 0x68;
	return 0;
}

/* Lines down again, nothing posted (the fixture keeps the VCPUs between tests). */
static int teardown(void **state)
{
	(void)state;
	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);

		if (v->guest != pc)
			vmm_vcpu_irq_deassert(v, EXTINT);
		vmm_vcpu_irq_deassert(v, LOCAL);
		vmm_vcpu_irq_line_gate(v, EXTINT, true);
		vmm_vcpu_irq_line_gate(v, LOCAL, true);
		vmm_vcpu_irq_nmi_taken(v);
		vmm_vcpu_irq_reset(v);
	}
	fake_cpu_id = 0;
	return 0;
}

/* ---- the HLT wait ---- */

/* HLT with nothing pending pauses the VCPU; an assert ends the wait. */
static void test_assert_wakes_hlt_wait(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];
	u64 wakeups = v->irq.wakeups;

	(void)state;
	fx_to_state(v, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(v), 1);
	assert_int_equal(v->state, PAUSED);
	assert_true(vmm_vcpu_irq_waiting(v));
	vmm_vcpu_irq_assert(v, EXTINT);
	assert_int_equal(v->state, READY);
	assert_true(v->queued);
	assert_false(vmm_vcpu_irq_waiting(v));
	assert_int_equal(v->irq.wakeups, wakeups + 1);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), VMM_VCPU_IRQ_REQ_EXTINT);
	/* a posted vector ends it too */
	fx_to_state(v, RUNNING);
	vmm_vcpu_irq_deassert(v, EXTINT);
	assert_int_equal(vmm_vcpu_irq_wait(v), 1);
	vmm_vcpu_irq_post(v, 0x31);
	assert_int_equal(v->state, READY);
	assert_int_equal(v->irq.wakeups, wakeups + 2);
}

/* HLT with a request already pending: back into the guest, no pause. */
static void test_wait_with_request_pending(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];

	(void)state;
	fx_to_state(v, RUNNING);
	vmm_vcpu_irq_assert(v, EXTINT);
	assert_int_equal(vmm_vcpu_irq_wait(v), 0);
	assert_int_equal(v->state, RUNNING);
	assert_false(vmm_vcpu_irq_waiting(v));
	vmm_vcpu_irq_deassert(v, EXTINT);
	vmm_vcpu_irq_post(v, 0x20);
	assert_int_equal(vmm_vcpu_irq_wait(v), 0);
	assert_int_equal(v->state, RUNNING);
}

/* ---- the kick ---- */

/* A request for a VCPU running on another CPU kicks that CPU; on this CPU none. */
static void test_assert_kicks_other_cpu(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];
	u32 home = v->host_cpu;
	u64 kicks = v->irq.kicks;

	(void)state;
	fx_to_state(v, RUNNING);
	vmm_vcpu_irq_assert(v, EXTINT);		/* same CPU: the entry checks it */
	assert_int_equal(fake_kicks[home], 0);
	vmm_vcpu_irq_deassert(v, EXTINT);
	v->host_cpu = 1;			/* it runs on CPU1, we are CPU0 */
	vmm_vcpu_irq_assert(v, EXTINT);
	assert_int_equal(fake_kicks[1], 1);
	vmm_vcpu_irq_assert(v, EXTINT);		/* already up: no new request */
	assert_int_equal(fake_kicks[1], 1);
	vmm_vcpu_irq_post(v, 0x50);
	assert_int_equal(fake_kicks[1], 2);
	assert_int_equal(v->irq.kicks, kicks + 2);
	/* the same seen from CPU1, the VCPU's own CPU: no kick */
	fake_cpu_id = 1;
	vmm_vcpu_irq_post(v, 0x51);
	assert_int_equal(fake_kicks[1], 2);
	assert_int_equal(fake_kicks[0], 0);
	fake_cpu_id = 0;
	v->host_cpu = home;
}

/* A VCPU paused by the user on another CPU is not kicked. */
static void test_no_kick_for_paused_vcpu(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];
	u32 home = v->host_cpu;

	(void)state;
	fx_to_state(v, PAUSED);
	v->host_cpu = 1;
	vmm_vcpu_irq_assert(v, EXTINT);
	assert_int_equal(fake_kicks[1], 0);
	assert_int_equal(v->state, PAUSED);
	v->host_cpu = home;
}

/* ---- deassert, pause ---- */

/* A line that drops before the VM entry leaves nothing to inject. */
static void test_deassert_before_entry(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];
	u64 injected = v->irq.injected;

	(void)state;
	assert_int_equal(vmm_vcpu_irq_line_connect(v, EXTINT, fake_ack, NULL), VMM_OK);
	fx_to_state(v, RUNNING);
	vmm_vcpu_irq_assert(v, EXTINT);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), VMM_VCPU_IRQ_REQ_EXTINT);
	vmm_vcpu_irq_deassert(v, EXTINT);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), 0);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), -VMM_ENOENT);
	assert_int_equal(fake_acks, 0);
	assert_int_equal(v->irq.injected, injected);
}

/* A VCPU the user paused stays PAUSED whatever interrupt comes. */
static void test_user_pause_not_undone(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];
	u64 wakeups = v->irq.wakeups;

	(void)state;
	/* paused from READY: never in the HLT wait */
	fx_to_state(v, PAUSED);
	vmm_vcpu_irq_assert(v, EXTINT);
	vmm_vcpu_irq_post(v, 0x30);
	assert_int_equal(v->state, PAUSED);
	vmm_vcpu_irq_deassert(v, EXTINT);
	vmm_vcpu_irq_reset(v);
	/* paused by the user while it waited in HLT */
	fx_to_state(v, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(v), 1);
	vmm_vcpu_irq_wait_cancel(v);		/* what the terminal's pause does */
	assert_false(vmm_vcpu_irq_waiting(v));
	vmm_vcpu_irq_assert(v, EXTINT);
	vmm_vcpu_irq_post(v, 0x31);
	assert_int_equal(v->state, PAUSED);
	assert_int_equal(v->irq.wakeups, wakeups);
	/* the request is kept for when it runs again */
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq),
			 VMM_VCPU_IRQ_REQ_EXTINT | VMM_VCPU_IRQ_REQ_VECTOR);
	/* a VCPU that left PAUSED another way is not "resumed" later */
	assert_int_equal(vmm_manager_vcpu_resume(v), VMM_OK);
	fx_run(v);				/* HLT is executed by a running VCPU */
	assert_int_equal(vmm_vcpu_irq_wait(v), 0);	/* pending: no wait */
	assert_false(fake_console_contains("refused"));
}

/* ---- acknowledge ---- */

/* Posted vectors come out highest first, each once; the bit clears with the last. */
static void test_posted_highest_first(void **state)
{
	static const u8 post[] = { 0x30, 0xFE, 0x41, 0x80, 0x41, 0x00, 0xFF, 0x7F, 0x3F };
	static const int want[] = { 0xFF, 0xFE, 0x80, 0x7F, 0x41, 0x3F, 0x30, 0x00 };
	struct vmm_vcpu *v = g1->vcpus[0];
	u64 injected = v->irq.injected;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(post); i++)
		vmm_vcpu_irq_post(v, post[i]);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(vmm_vcpu_irq_pending(&v->irq), VMM_VCPU_IRQ_REQ_VECTOR);
		assert_int_equal(vmm_vcpu_irq_acknowledge(v), want[i]);
	}
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), 0);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), -VMM_ENOENT);
	assert_int_equal(v->irq.injected, injected + ARRAY_SIZE(want));
}

/* ExtINT asks the controller driving the line, before any posted vector. */
static void test_extint_from_its_controller(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];

	(void)state;
	assert_int_equal(vmm_vcpu_irq_line_connect(v, EXTINT, fake_ack, NULL), VMM_OK);
	assert_int_equal(vmm_vcpu_irq_line_connect(v, EXTINT, fake_ack, NULL), VMM_OK);
	assert_int_equal(vmm_vcpu_irq_line_connect(v, EXTINT, fake_ack, &fake_vector),
			 -VMM_EEXIST);
	assert_int_equal(vmm_vcpu_irq_line_connect(v, VMM_VCPU_IRQ_NR_LINES, fake_ack, NULL),
			 -VMM_EINVALID);
	vmm_vcpu_irq_post(v, 0x90);
	vmm_vcpu_irq_assert(v, EXTINT);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x68);
	assert_int_equal(fake_acks, 1);
	/* the controller keeps its line up until its INTA lowers it */
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x68);
	vmm_vcpu_irq_deassert(v, EXTINT);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x90);
	/* a controller with nothing left (spurious INTA): the posted vector next */
	vmm_vcpu_irq_post(v, 0x91);
	vmm_vcpu_irq_assert(v, EXTINT);
	fake_vector = -VMM_ENOENT;
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x91);
}

/* ---- the PIC of a two-VCPU guest ---- */

/* The pair's INTR is VCPU 0's ExtINT line, never VCPU 1's. */
static void test_pic_routes_to_vcpu0(void **state)
{
	struct vmm_vcpu *b = pc->vcpus[0], *ap = pc->vcpus[1];

	(void)state;
	pic_init(pc);
	assert_int_equal(vmm_vcpu_irq_pending(&b->irq), 0);
	fx_to_state(b, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(b), 1);
	fx_to_state(ap, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(ap), 1);
	vmm_devemu_pulse_irq(pc, 3);
	assert_int_equal(vmm_vcpu_irq_pending(&b->irq), VMM_VCPU_IRQ_REQ_EXTINT);
	assert_int_equal(b->state, READY);	/* the boot VCPU's HLT ended */
	assert_int_equal(vmm_vcpu_irq_pending(&ap->irq), 0);
	assert_int_equal(ap->state, PAUSED);	/* the other one still waits */
	assert_true(vmm_vcpu_irq_waiting(ap));
	assert_int_equal(vmm_vcpu_irq_acknowledge(ap), -VMM_ENOENT);
	assert_int_equal(vmm_vcpu_irq_acknowledge(b), 0x23);
	assert_int_equal(vmm_vcpu_irq_pending(&b->irq), 0);	/* in service: INTR down */
	out8(pc, 0x20, 0x20);			/* EOI */
	vmm_devemu_pulse_irq(pc, 12);		/* through the slave */
	assert_int_equal(vmm_vcpu_irq_pending(&ap->irq), 0);
	assert_int_equal(vmm_vcpu_irq_acknowledge(b), 0x2C);
	out8(pc, 0xA0, 0x20);
	out8(pc, 0x20, 0x20);
	assert_int_equal(ap->irq.asserts, 0);
	assert_int_equal(ap->state, PAUSED);
	/* masked and unmasked again: INTR rises on VCPU 0 only */
	out8(pc, 0x21, 0x10);
	vmm_devemu_pulse_irq(pc, 4);
	assert_int_equal(vmm_vcpu_irq_pending(&b->irq), 0);
	out8(pc, 0x21, 0x00);
	assert_int_equal(vmm_vcpu_irq_pending(&b->irq), VMM_VCPU_IRQ_REQ_EXTINT);
	assert_int_equal(vmm_vcpu_irq_pending(&ap->irq), 0);
	/* a guest reset resets the pair: INTR down */
	assert_int_equal(vmm_devemu_guest_reset(pc), VMM_OK);
	assert_int_equal(vmm_vcpu_irq_pending(&b->irq), 0);
}


/* ---- line gates, NMI, the LOCAL line (the local APIC's) ---- */

static int local_vector = 0x45, local_acks;

static int local_ack(void *priv)
{
	(void)priv;
	local_acks++;
	return local_vector;
}

/* A closed gate keeps the line's level but makes no request; opening it
 * with the level up requests again (and ends an HLT wait). */
static void test_gate_keeps_level(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];
	u64 asserts = v->irq.asserts, wakeups = v->irq.wakeups;

	(void)state;
	fx_to_state(v, RUNNING);
	vmm_vcpu_irq_line_gate(v, EXTINT, false);
	vmm_vcpu_irq_assert(v, EXTINT);
	assert_true(v->irq.levels & (1u << EXTINT));
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), 0);
	assert_int_equal(v->irq.asserts, asserts);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), -VMM_ENOENT);
	/* nothing pending: HLT waits although the (gated) line is up */
	assert_int_equal(vmm_vcpu_irq_wait(v), 1);
	assert_int_equal(v->state, PAUSED);
	/* open: requested again, the wait ends */
	vmm_vcpu_irq_line_gate(v, EXTINT, true);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), VMM_VCPU_IRQ_REQ_EXTINT);
	assert_int_equal(v->irq.asserts, asserts + 1);
	assert_int_equal(v->state, READY);
	assert_int_equal(v->irq.wakeups, wakeups + 1);
	/* opening an open gate: no second request */
	vmm_vcpu_irq_line_gate(v, EXTINT, true);
	assert_int_equal(v->irq.asserts, asserts + 1);
	/* closed again: the request goes, the level stays */
	vmm_vcpu_irq_line_gate(v, EXTINT, false);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), 0);
	assert_true(v->irq.levels & (1u << EXTINT));
	/* lowered while closed: opening requests nothing */
	vmm_vcpu_irq_deassert(v, EXTINT);
	assert_int_equal(v->irq.levels & (1u << EXTINT), 0);
	vmm_vcpu_irq_line_gate(v, EXTINT, true);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), 0);
	assert_int_equal(v->irq.asserts, asserts + 1);
	/* a gate is per line: LOCAL is unaffected by EXTINT's */
	vmm_vcpu_irq_line_gate(v, EXTINT, false);
	vmm_vcpu_irq_assert(v, LOCAL);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), VMM_VCPU_IRQ_REQ_LOCAL);
	/* no such line: ignored */
	vmm_vcpu_irq_line_gate(v, VMM_VCPU_IRQ_NR_LINES, false);
	vmm_vcpu_irq_assert(v, VMM_VCPU_IRQ_NR_LINES);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), VMM_VCPU_IRQ_REQ_LOCAL);
}

/* An NMI request: one pending however many come, ends an HLT wait, kicks
 * another CPU, cleared when taken and by a reset; no vector to acknowledge. */
static void test_nmi_request_taken(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];
	u32 home = v->host_cpu;
	u64 nmis = v->irq.nmis, asserts = v->irq.asserts;

	(void)state;
	fx_to_state(v, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(v), 1);
	vmm_vcpu_irq_nmi(v);
	assert_int_equal(v->state, READY);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), VMM_VCPU_IRQ_REQ_NMI);
	vmm_vcpu_irq_nmi(v);			/* edge: still one request */
	assert_int_equal(v->irq.nmis, nmis + 2);
	assert_int_equal(v->irq.asserts, asserts + 1);
	/* HLT with an NMI pending does not wait */
	fx_run(v);
	assert_int_equal(vmm_vcpu_irq_wait(v), 0);
	/* the NMI is not a vector of the acknowledge */
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), -VMM_ENOENT);
	vmm_vcpu_irq_nmi_taken(v);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), 0);
	/* on another CPU: kicked */
	v->host_cpu = 1;
	vmm_vcpu_irq_nmi(v);
	assert_int_equal(fake_kicks[1], 1);
	v->host_cpu = home;
	/* a reset drops it */
	vmm_vcpu_irq_reset(v);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), 0);
}

/* The acknowledge asks the ExtINT controller first, then the LOCAL line's
 * (the local APIC), then posted vectors; a gated ExtINT is skipped. */
static void test_local_after_extint(void **state)
{
	struct vmm_vcpu *v = g1->vcpus[0];

	(void)state;
	local_acks = 0;
	assert_int_equal(vmm_vcpu_irq_line_connect(v, EXTINT, fake_ack, NULL), VMM_OK);
	assert_int_equal(vmm_vcpu_irq_line_connect(v, LOCAL, local_ack, NULL), VMM_OK);
	assert_int_equal(vmm_vcpu_irq_line_connect(v, LOCAL, fake_ack, NULL), -VMM_EEXIST);
	vmm_vcpu_irq_post(v, 0x99);
	vmm_vcpu_irq_assert(v, LOCAL);
	vmm_vcpu_irq_assert(v, EXTINT);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq),
			 VMM_VCPU_IRQ_REQ_EXTINT | VMM_VCPU_IRQ_REQ_LOCAL | VMM_VCPU_IRQ_REQ_VECTOR);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x68);
	assert_int_equal(fake_acks, 1);
	assert_int_equal(local_acks, 0);
	vmm_vcpu_irq_deassert(v, EXTINT);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x45);
	assert_int_equal(local_acks, 1);
	/* ExtINT up again but gated (LINT0 masked): the LOCAL line's vector */
	vmm_vcpu_irq_assert(v, EXTINT);
	vmm_vcpu_irq_line_gate(v, EXTINT, false);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x45);
	assert_int_equal(fake_acks, 1);
	assert_int_equal(local_acks, 2);
	/* the local APIC has nothing deliverable any more (PPR rose): the posted vector */
	local_vector = -VMM_ENOENT;
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x99);
	vmm_vcpu_irq_deassert(v, LOCAL);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), 0);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), -VMM_ENOENT);
	local_vector = 0x45;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_assert_wakes_hlt_wait),
		T(test_wait_with_request_pending),
		T(test_assert_kicks_other_cpu),
		T(test_no_kick_for_paused_vcpu),
		T(test_deassert_before_entry),
		T(test_user_pause_not_undone),
		T(test_posted_highest_first),
		T(test_extint_from_its_controller),
		T(test_pic_routes_to_vcpu0),
		T(test_gate_keeps_level),
		T(test_nmi_request_taken),
		T(test_local_after_extint),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
