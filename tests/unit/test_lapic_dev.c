/*
 * tests/unit/test_lapic_dev.c - the local APIC of each VCPU and the guest's
 * APIC bus (devemu/lapic.c) through devemu, on a real guest of three VCPUs
 * with an "x86,local-apic" region (tests/unit/sched_fixture.h: the real
 * manager, scheduler, timer and vcpu_irq over the fake arch; the VCPU's
 * TSC is fx_tsc at 1 GHz, so the LAPIC's time in ns is fx_tsc). The xAPIC
 * page is accessed with vmm_devemu_mmio_read/write as the EPT-violation
 * exit does, by the VCPU the scheduler has current; MSRs with
 * vmm_lapic_msr_read/write as the WRMSR/RDMSR exits do.
 *
 * Covered: the power-on state (the boot VCPU's virtual wire, the APs'
 * LAPICs software-disabled with LINT0 masked, the ExtINT gates that
 * follow), registers of the current VCPU only, a fixed IPI raising the
 * target's LOCAL line and the acknowledge giving the vector (then EOI),
 * lowest priority, logical flat and cluster destinations, shorthands, the
 * EOI of a level vector reaching the bus listener, INIT and SIPI through
 * the bus, IA32_APIC_BASE transitions (#GP cases), x2APIC MSR access and
 * the timer event armed at the model's expiry (one-shot, divide, periodic
 * with the 200 us floor, TSC deadline).
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
#include "devemu/apic_bus.h"
#include "devemu/lapic.h"
#include "devemu/lapic_model.h"

VMM_EMULATOR_USE(lapic_emulator);

#define NR 3
#define BASE 0xFEE00000ULL
#define LOCAL VMM_VCPU_IRQ_LOCAL
#define EXTINT VMM_VCPU_IRQ_EXTINT
#define REQ_LOCAL VMM_VCPU_IRQ_REQ_LOCAL

static struct vmm_guest *g;
static struct vmm_vcpu *cpu[NR];

/* ---- the guest ---- */

static int setattr_str(struct vmm_devtree_node *n, const char *a, const char *s)
{
	return vmm_devtree_setattr(n, a, VMM_DEVTREE_STRING, s, (u32)strlen(s) + 1);
}

static struct vmm_guest *lapic_guest(const char *name)
{
	static struct vmm_guest_config cfg;
	struct vmm_devtree_node *root = vmm_devtree_node_new(NULL, "");
	struct vmm_devtree_node *gn = vmm_devtree_node_new(vmm_devtree_node_new(root, "guests"), name);
	struct vmm_devtree_node *as = vmm_devtree_node_new(gn, "aspace");
	struct vmm_devtree_node *n = vmm_devtree_node_new(as, "lapic");
	struct vmm_region_config *rc = &cfg.regions[0];
	u64 gpa = BASE, size = 0x1000;
	struct vmm_guest *guest = NULL;

	assert_non_null(n);
	setattr_str(gn, "device_type", "guest");
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	cfg.node = gn;
	cfg.nr_vcpus = NR;
	for (u32 i = 0; i < NR; i++) {
		snprintf(cfg.vcpus[i].name, sizeof(cfg.vcpus[i].name), "vcpu%u", i);
		cfg.vcpus[i].time_slice_ns = FX_SLICE_NS;
	}
	setattr_str(n, "manifest_type", "virtual");
	setattr_str(n, "address_type", "memory");
	setattr_str(n, "device_type", "pic");
	setattr_str(n, "compatible", "x86,local-apic");
	vmm_devtree_setattr(n, "guest_physical_addr", VMM_DEVTREE_U64, &gpa, 8);
	vmm_devtree_setattr(n, "physical_size", VMM_DEVTREE_U64, &size, 8);
	cfg.nr_regions = 1;
	snprintf(rc->name, sizeof(rc->name), "lapic");
	rc->node = n;
	rc->kind = VMM_REGION_VIRTUAL;
	rc->io = false;
	rc->gpa = gpa;
	rc->size = size;
	snprintf(rc->device_type, sizeof(rc->device_type), "pic");
	snprintf(rc->compatible, sizeof(rc->compatible), "x86,local-apic");
	assert_int_equal(vmm_manager_guest_create(&cfg, &guest), VMM_OK);
	return guest;
}

/* ---- access as a VCPU ---- */

/* Make v the VCPU current on its CPU (the one whose exits access the page). */
static void on(struct vmm_vcpu *v)
{
	if (v->state != RUNNING && v->state != READY)
		assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
	fx_run(v);
	assert_ptr_equal(vmm_scheduler_current(), v);
}

static u32 rd(struct vmm_vcpu *v, u32 off)
{
	u64 val = 0xDEAD;

	on(v);
	assert_int_equal(vmm_devemu_mmio_read(g, BASE + off, 4, &val), VMM_OK);
	return (u32)val;
}

static void wr(struct vmm_vcpu *v, u32 off, u32 val)
{
	on(v);
	assert_int_equal(vmm_devemu_mmio_write(g, BASE + off, 4, val), VMM_OK);
}

/* ICR write (high then low) by v */
static void ipi(struct vmm_vcpu *v, u32 hi, u32 lo)
{
	wr(v, LAPIC_ICR_HI, hi);
	wr(v, LAPIC_ICR_LO, lo);
}

static bool local_up(struct vmm_vcpu *v)
{
	return vmm_vcpu_irq_pending(&v->irq) & REQ_LOCAL;
}

/* Is 'vector' set in the 256-bit register at 'off' (ISR, TMR, IRR) of v? */
static bool bit_in(struct vmm_vcpu *v, u32 off, u8 vector)
{
	return rd(v, off + (vector / 32) * 0x10) & (1u << (vector % 32));
}

/* EOI in v's mode (the page, or WRMSR 0x80B in x2APIC mode) */
static void eoi(struct vmm_vcpu *v)
{
	u64 base;

	assert_int_equal(vmm_lapic_msr_read(v, LAPIC_MSR_APIC_BASE, &base), VMM_OK);
	if (base & LAPIC_BASE_EXTD)
		assert_int_equal(vmm_lapic_msr_write(v, 0x80B, 0), VMM_OK);
	else
		wr(v, LAPIC_EOI, 0);
}

/* Take everything v has pending and EOI it: back to an idle LAPIC. */
static void drain(struct vmm_vcpu *v)
{
	while (vmm_vcpu_irq_acknowledge(v) >= 0)
		eoi(v);
}

static void sw_enable_all(void)
{
	for (u32 i = 0; i < NR; i++)
		wr(cpu[i], LAPIC_SVR, 0x1FF);
}

/* ---- the bus EOI listener ---- */

static u8 eoi_vectors[8];
static int eoi_calls;
static int eoi_priv;

static void eoi_listener(void *priv, u8 vector)
{
	assert_ptr_equal(priv, &eoi_priv);
	if (eoi_calls < 8)
		eoi_vectors[eoi_calls] = vector;
	eoi_calls++;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	(void)state;
	if (fx_init())
		return -1;
	g = lapic_guest("lg");
	for (u32 i = 0; i < NR; i++)
		cpu[i] = g->vcpus[i];
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fx_quiesce();
	fx_tsc = 0;
	memset(fx_sipi_vector, 0, sizeof(fx_sipi_vector));
	/* the LAPICs at power-on, every VCPU READY */
	assert_int_equal(vmm_devemu_guest_reset(g), VMM_OK);
	for (u32 i = 0; i < NR; i++)
		assert_int_equal(vmm_manager_vcpu_kick(cpu[i]), VMM_OK);
	fake_console_reset();
	eoi_calls = 0;
	return 0;
}

/* No timer left armed (fx_quiesce checks), lines down. */
static int teardown(void **state)
{
	(void)state;
	fake_relax_hook = NULL;
	assert_int_equal(vmm_devemu_guest_reset(g), VMM_OK);
	for (u32 i = 0; i < NR; i++)
		vmm_vcpu_irq_reset(cpu[i]);
	fake_cpu_id = 0;
	return 0;
}

/* ---- power-on ---- */

/* vcpu0: BSP, enabled, virtual wire (LINT0 ExtINT, LINT1 NMI), its ExtINT
 * gate open; the APs: SVR 0xFF (software-disabled), LINT0 masked, gate closed. */
static void test_power_on_state(void **state)
{
	u64 base;

	(void)state;
	assert_true(vmm_lapic_present(cpu[0]));
	assert_int_equal(vmm_lapic_msr_read(cpu[0], LAPIC_MSR_APIC_BASE, &base), VMM_OK);
	assert_int_equal(base, BASE | LAPIC_BASE_EN | LAPIC_BASE_BSP);
	assert_int_equal(vmm_lapic_msr_read(cpu[1], LAPIC_MSR_APIC_BASE, &base), VMM_OK);
	assert_int_equal(base, BASE | LAPIC_BASE_EN);
	assert_int_equal(rd(cpu[0], LAPIC_SVR), 0x1FF);
	assert_int_equal(rd(cpu[0], LAPIC_LVT_LINT0), 0x700);
	assert_int_equal(rd(cpu[0], LAPIC_LVT_LINT1), 0x400);
	assert_int_equal(rd(cpu[0], LAPIC_VERSION), LAPIC_VERSION_VALUE);
	assert_int_equal(cpu[0]->irq.gated & (1u << EXTINT), 0);
	for (u32 i = 1; i < NR; i++) {
		assert_int_equal(rd(cpu[i], LAPIC_SVR), 0xFF);
		assert_int_equal(rd(cpu[i], LAPIC_LVT_LINT0), LAPIC_LVT_MASKED);
		assert_int_equal(rd(cpu[i], LAPIC_LVT_TIMER), LAPIC_LVT_MASKED);
		assert_true(cpu[i]->irq.gated & (1u << EXTINT));
	}
	/* the PIC's INTR reaches vcpu0 only while LINT0 lets it */
	wr(cpu[0], LAPIC_LVT_LINT0, 0x700 | LAPIC_LVT_MASKED);
	assert_true(cpu[0]->irq.gated & (1u << EXTINT));
	vmm_vcpu_irq_assert(cpu[0], EXTINT);
	assert_int_equal(vmm_vcpu_irq_pending(&cpu[0]->irq), 0);
	wr(cpu[0], LAPIC_LVT_LINT0, 0x700);
	assert_int_equal(vmm_vcpu_irq_pending(&cpu[0]->irq), VMM_VCPU_IRQ_REQ_EXTINT);
	vmm_vcpu_irq_deassert(cpu[0], EXTINT);
	/* a guest without the region has no LAPIC, no bus */
	assert_true(vmm_apic_bus_present(g));
}

/* The page is the current VCPU's LAPIC: IDs, TPR written by one seen only there. */
static void test_mmio_current_vcpu(void **state)
{
	u64 val = 0;

	(void)state;
	for (u32 i = 0; i < NR; i++)
		assert_int_equal(rd(cpu[i], LAPIC_ID), i << 24);
	wr(cpu[1], LAPIC_TPR, 0x50);
	assert_int_equal(rd(cpu[1], LAPIC_TPR), 0x50);
	assert_int_equal(rd(cpu[1], LAPIC_PPR), 0x50);
	assert_int_equal(rd(cpu[0], LAPIC_TPR), 0);
	assert_int_equal(rd(cpu[2], LAPIC_TPR), 0);
	assert_int_equal(vmm_lapic_cr8_read(cpu[1]), 5);
	vmm_lapic_cr8_write(cpu[2], 3);
	assert_int_equal(rd(cpu[2], LAPIC_TPR), 0x30);
	/* no VCPU of the guest current (the idle orphan): reads 0, writes nothing */
	fx_quiesce();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	assert_int_equal(vmm_devemu_mmio_read(g, BASE + LAPIC_TPR, 4, &val), VMM_OK);
	assert_int_equal(val, 0);
	assert_int_equal(vmm_devemu_mmio_write(g, BASE + LAPIC_TPR, 4, 0x80), VMM_OK);
	assert_int_equal(rd(cpu[0], LAPIC_TPR), 0);
}

/* ---- IPIs ---- */

/* A fixed IPI from vcpu0 to vcpu1: vcpu1's LOCAL line, the acknowledge
 * gives the vector (IRR -> ISR, line down), the EOI clears the ISR. */
static void test_fixed_ipi(void **state)
{
	struct vmm_lapic_stats st;

	(void)state;
	/* software-disabled: refused */
	ipi(cpu[0], 1u << 24, 0x31);
	assert_false(local_up(cpu[1]));
	wr(cpu[1], LAPIC_SVR, 0x1FF);
	ipi(cpu[0], 1u << 24, 0x31);
	assert_true(local_up(cpu[1]));
	assert_false(local_up(cpu[0]));
	assert_false(local_up(cpu[2]));
	assert_true(bit_in(cpu[1], LAPIC_IRR, 0x31));
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), 0x31);
	assert_false(local_up(cpu[1]));
	assert_false(bit_in(cpu[1], LAPIC_IRR, 0x31));
	assert_true(bit_in(cpu[1], LAPIC_ISR, 0x31));
	assert_false(bit_in(cpu[1], LAPIC_TMR, 0x31));
	/* a lower vector waits for the EOI (PPR 0x30), a higher one does not */
	ipi(cpu[0], 1u << 24, 0x32);
	assert_false(local_up(cpu[1]));
	ipi(cpu[0], 1u << 24, 0x41);
	assert_true(local_up(cpu[1]));
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), 0x41);
	wr(cpu[1], LAPIC_EOI, 0);
	wr(cpu[1], LAPIC_EOI, 0);
	assert_false(bit_in(cpu[1], LAPIC_ISR, 0x31));
	assert_true(local_up(cpu[1]));
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), 0x32);
	wr(cpu[1], LAPIC_EOI, 0);
	assert_false(local_up(cpu[1]));
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), -VMM_ENOENT);
	vmm_lapic_stats_get(cpu[0], &st);
	assert_true(st.present && st.enabled && !st.x2apic);
	assert_int_equal(st.ipis_sent, 4);
	vmm_lapic_stats_get(cpu[1], &st);
	assert_int_equal(st.id, 1);
	assert_int_equal(st.ipis_received, 3);
	/* no LAPIC with that ID: nothing, and the bus says so */
	ipi(cpu[0], 7u << 24, 0x33);
	for (u32 i = 0; i < NR; i++)
		assert_false(local_up(cpu[i]));
	{
		struct vmm_apic_msg m = { .vector = 0x33, .dest = 7, .sender = APIC_BUS_NO_SENDER };

		assert_int_equal(vmm_apic_bus_deliver(g, &m), 0);
		m.dest = 2;
		/* vcpu2 software-disabled: it matches (the count), refuses the vector */
		assert_int_equal(vmm_apic_bus_deliver(g, &m), 1);
		assert_false(local_up(cpu[2]));
		wr(cpu[2], LAPIC_SVR, 0x1FF);
		assert_int_equal(vmm_apic_bus_deliver(g, &m), 1);
		assert_true(local_up(cpu[2]));
	}
	/* physical broadcast 0xFF */
	drain(cpu[2]);
	wr(cpu[0], LAPIC_SVR, 0x1FF);
	ipi(cpu[0], 0xFFu << 24, 0x34);
	assert_true(local_up(cpu[0]) && local_up(cpu[1]) && local_up(cpu[2]));
	for (u32 i = 0; i < NR; i++)
		drain(cpu[i]);
}

/* Lowest priority: the target with the lowest PPR; ties to the lowest index. */
static void test_lowest_priority(void **state)
{
	const u32 lo = 0x55 | (LAPIC_DM_LOWEST << 8) | (1u << 11);	/* logical */

	(void)state;
	sw_enable_all();
	for (u32 i = 0; i < NR; i++)
		wr(cpu[i], LAPIC_LDR, (1u << i) << 24);	/* flat: bit i */
	wr(cpu[1], LAPIC_TPR, 0x20);
	wr(cpu[2], LAPIC_TPR, 0x10);
	ipi(cpu[0], 0x06u << 24, lo);			/* vcpu1 | vcpu2 */
	assert_false(local_up(cpu[1]));
	assert_true(bit_in(cpu[2], LAPIC_IRR, 0x55));
	assert_false(bit_in(cpu[1], LAPIC_IRR, 0x55));
	drain(cpu[2]);
	wr(cpu[2], LAPIC_TPR, 0x30);
	ipi(cpu[0], 0x06u << 24, lo);
	assert_true(bit_in(cpu[1], LAPIC_IRR, 0x55));
	assert_false(bit_in(cpu[2], LAPIC_IRR, 0x55));
	drain(cpu[1]);
	/* equal priorities: the lowest index */
	wr(cpu[1], LAPIC_TPR, 0);
	wr(cpu[2], LAPIC_TPR, 0);
	ipi(cpu[0], 0x06u << 24, lo);
	assert_true(bit_in(cpu[1], LAPIC_IRR, 0x55));
	assert_false(bit_in(cpu[2], LAPIC_IRR, 0x55));
	drain(cpu[1]);
	/* PPR counts the ISR too: vcpu1 serving 0x90 loses to vcpu2 */
	ipi(cpu[0], 1u << 24, 0x90);
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), 0x90);
	ipi(cpu[0], 0x06u << 24, lo);
	assert_true(bit_in(cpu[2], LAPIC_IRR, 0x55));
	drain(cpu[1]);
	drain(cpu[2]);
}

/* Logical destinations: flat (DFR all ones: LDR bits), cluster (DFR
 * 0x0FFFFFFF: LDR 31:28 cluster, 27:24 members). */
static void test_logical_flat_cluster(void **state)
{
	(void)state;
	sw_enable_all();
	for (u32 i = 0; i < NR; i++)
		wr(cpu[i], LAPIC_LDR, (1u << i) << 24);
	ipi(cpu[0], 0x05u << 24, 0x60 | (1u << 11));	/* vcpu0 | vcpu2 */
	assert_true(local_up(cpu[0]));
	assert_false(local_up(cpu[1]));
	assert_true(local_up(cpu[2]));
	drain(cpu[0]);
	drain(cpu[2]);
	/* cluster: vcpu1 = cluster 1 member 0, vcpu2 = cluster 1 member 1, vcpu0 = cluster 2 member 0 */
	for (u32 i = 0; i < NR; i++)
		wr(cpu[i], LAPIC_DFR, 0x0FFFFFFF);
	wr(cpu[0], LAPIC_LDR, 0x21u << 24);
	wr(cpu[1], LAPIC_LDR, 0x11u << 24);
	wr(cpu[2], LAPIC_LDR, 0x12u << 24);
	assert_int_equal(rd(cpu[1], LAPIC_DFR), 0x0FFFFFFF);
	ipi(cpu[0], 0x13u << 24, 0x61 | (1u << 11));
	assert_false(local_up(cpu[0]));
	assert_true(local_up(cpu[1]));
	assert_true(local_up(cpu[2]));
	drain(cpu[1]);
	drain(cpu[2]);
	ipi(cpu[1], 0x21u << 24, 0x62 | (1u << 11));
	assert_true(local_up(cpu[0]));
	assert_false(local_up(cpu[1]) || local_up(cpu[2]));
	drain(cpu[0]);
	/* member bits of another cluster: nobody */
	ipi(cpu[0], 0x32u << 24, 0x63 | (1u << 11));
	for (u32 i = 0; i < NR; i++)
		assert_false(local_up(cpu[i]));
}

/* Shorthands: self, all including self, all excluding self. */
static void test_shorthands(void **state)
{
	(void)state;
	sw_enable_all();
	ipi(cpu[1], 0, 0x70 | (LAPIC_SH_SELF << 18));
	assert_true(local_up(cpu[1]));
	assert_false(local_up(cpu[0]) || local_up(cpu[2]));
	drain(cpu[1]);
	ipi(cpu[1], 0, 0x71 | (LAPIC_SH_ALL_INCL << 18));
	for (u32 i = 0; i < NR; i++) {
		assert_true(local_up(cpu[i]));
		drain(cpu[i]);
	}
	ipi(cpu[1], 0, 0x72 | (LAPIC_SH_ALL_EXCL << 18));
	assert_true(local_up(cpu[0]));
	assert_false(local_up(cpu[1]));
	assert_true(local_up(cpu[2]));
	drain(cpu[0]);
	drain(cpu[2]);
}

/* An EOI of a level-triggered vector reaches the bus listener (once);
 * an edge one does not. One listener per guest. */
static void test_level_eoi_listener(void **state)
{
	struct vmm_apic_msg m = {
		.vector = 0x61, .delivery = APIC_BUS_DM_FIXED, .level_trigger = true,
		.level_assert = true, .dest = 1, .sender = APIC_BUS_NO_SENDER,
	};

	(void)state;
	assert_int_equal(vmm_apic_bus_eoi_listen(g, eoi_listener, &eoi_priv), VMM_OK);
	assert_int_equal(vmm_apic_bus_eoi_listen(g, eoi_listener, &eoi_priv), -VMM_EEXIST);
	wr(cpu[1], LAPIC_SVR, 0x1FF);
	assert_int_equal(vmm_apic_bus_deliver(g, &m), 1);
	assert_true(bit_in(cpu[1], LAPIC_TMR, 0x61));
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), 0x61);
	wr(cpu[1], LAPIC_EOI, 0);
	assert_int_equal(eoi_calls, 1);
	assert_int_equal(eoi_vectors[0], 0x61);
	assert_false(bit_in(cpu[1], LAPIC_ISR, 0x61));
	/* edge */
	m.level_trigger = false;
	m.vector = 0x62;
	assert_int_equal(vmm_apic_bus_deliver(g, &m), 1);
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), 0x62);
	wr(cpu[1], LAPIC_EOI, 0);
	assert_int_equal(eoi_calls, 1);
	/* a level IPI from the ICR (trigger bit 15, assert bit 14) as well, x2APIC EOI too */
	ipi(cpu[0], 1u << 24, 0x63 | (1u << 15) | (1u << 14));
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), 0x63);
	assert_int_equal(vmm_lapic_msr_write(cpu[1], LAPIC_MSR_APIC_BASE,
					     BASE | LAPIC_BASE_EN | LAPIC_BASE_EXTD), VMM_OK);
	assert_int_equal(vmm_lapic_msr_write(cpu[1], 0x80B, 0), VMM_OK);
	assert_int_equal(eoi_calls, 2);
	assert_int_equal(eoi_vectors[1], 0x63);
	/* gone: no more calls */
	vmm_apic_bus_eoi_unlisten(g, &eoi_priv);
	assert_int_equal(vmm_apic_bus_deliver(g, &(struct vmm_apic_msg){ .vector = 0x64,
		.level_trigger = true, .level_assert = true, .dest = 1,
		.sender = APIC_BUS_NO_SENDER }), 1);
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), 0x64);
	assert_int_equal(vmm_lapic_msr_write(cpu[1], 0x80B, 0), VMM_OK);
	assert_int_equal(eoi_calls, 2);
}

/* ---- INIT, SIPI ---- */

/* INIT-SIPI-SIPI from vcpu0's ICR: vcpu1 stops, its LAPIC back to the INIT
 * state (ID kept), the SIPI starts it at the vector, the second does nothing. */
static void test_init_sipi_through_bus(void **state)
{
	struct vmm_apic_msg deassert = {
		.delivery = APIC_BUS_DM_INIT, .level_trigger = true, .level_assert = false,
		.dest = 1, .sender = 0,
	};

	(void)state;
	wr(cpu[1], LAPIC_SVR, 0x1FF);
	wr(cpu[1], LAPIC_TPR, 0x40);
	ipi(cpu[0], 1u << 24, 0x4500);			/* INIT, assert */
	assert_int_equal(cpu[1]->state, PAUSED);
	assert_true(vmm_vcpu_irq_awaits_sipi(cpu[1]));
	assert_int_equal(cpu[0]->state, RUNNING);
	/* the INIT de-assert of old MP code: nothing */
	assert_int_equal(vmm_apic_bus_deliver(g, &deassert), 0);
	ipi(cpu[0], 1u << 24, 0x4608);			/* SIPI 0x08 */
	assert_int_equal(fx_sipi_vector[cpu[1]->id], 0x08 + 1);
	assert_int_equal(cpu[1]->state, READY);
	fx_sipi_vector[cpu[1]->id] = 0;
	ipi(cpu[0], 1u << 24, 0x4608);			/* SIPI again */
	assert_int_equal(fx_sipi_vector[cpu[1]->id], 0);
	assert_int_equal(cpu[1]->state, READY);
	/* INIT state of its LAPIC */
	assert_int_equal(rd(cpu[1], LAPIC_SVR), 0xFF);
	assert_int_equal(rd(cpu[1], LAPIC_TPR), 0);
	assert_int_equal(rd(cpu[1], LAPIC_ID), 1u << 24);
	/* INIT to all excluding self: vcpu1 and vcpu2 stop, vcpu0 runs on */
	ipi(cpu[0], 0, 0x4500 | (LAPIC_SH_ALL_EXCL << 18));
	assert_int_equal(cpu[0]->state, RUNNING);
	assert_int_equal(cpu[1]->state, PAUSED);
	assert_int_equal(cpu[2]->state, PAUSED);
	ipi(cpu[0], 0, 0x4610 | (LAPIC_SH_ALL_EXCL << 18));
	assert_int_equal(fx_sipi_vector[cpu[1]->id], 0x10 + 1);
	assert_int_equal(fx_sipi_vector[cpu[2]->id], 0x10 + 1);
	assert_int_equal(fx_sipi_vector[cpu[0]->id], 0);
	/* an NMI through the ICR: the target's NMI request */
	ipi(cpu[0], 2u << 24, 0x400);
	assert_true(vmm_vcpu_irq_pending(&cpu[2]->irq) & VMM_VCPU_IRQ_REQ_NMI);
	vmm_vcpu_irq_nmi_taken(cpu[2]);
}

/* ---- IA32_APIC_BASE ---- */

static void test_apic_base_transitions(void **state)
{
	struct vmm_vcpu *v = cpu[1];
	u64 base, val;

	(void)state;
	/* reserved bits, x2APIC without enable: #GP */
	assert_true(vmm_lapic_msr_write(v, 0x1B, BASE | LAPIC_BASE_EN | 1) < 0);
	assert_true(vmm_lapic_msr_write(v, 0x1B, BASE | LAPIC_BASE_EN | (1ULL << 40)) < 0);
	assert_true(vmm_lapic_msr_write(v, 0x1B, BASE | LAPIC_BASE_EXTD) < 0);
	/* xAPIC -> x2APIC */
	assert_int_equal(vmm_lapic_msr_write(v, 0x1B, BASE | LAPIC_BASE_EN | LAPIC_BASE_EXTD), VMM_OK);
	assert_int_equal(vmm_lapic_msr_read(v, 0x1B, &base), VMM_OK);
	assert_int_equal(base, BASE | LAPIC_BASE_EN | LAPIC_BASE_EXTD);
	/* the page no longer decodes */
	assert_int_equal(rd(v, LAPIC_ID), 0xFFFFFFFF);
	/* x2APIC -> xAPIC directly: #GP, unchanged */
	assert_true(vmm_lapic_msr_write(v, 0x1B, BASE | LAPIC_BASE_EN) < 0);
	assert_int_equal(vmm_lapic_msr_read(v, 0x1B, &base), VMM_OK);
	assert_true(base & LAPIC_BASE_EXTD);
	/* -> disabled: allowed; the x2APIC MSRs #GP, the page reads all ones,
	 * the PIC's INTR reaches the VCPU whatever LINT0 said */
	assert_true(v->irq.gated & (1u << EXTINT));
	assert_int_equal(vmm_lapic_msr_write(v, 0x1B, BASE), VMM_OK);
	assert_true(vmm_lapic_msr_read(v, 0x802, &val) < 0);
	assert_true(vmm_lapic_msr_write(v, 0x808, 0) < 0);
	assert_int_equal(rd(v, LAPIC_VERSION), 0xFFFFFFFF);
	assert_int_equal(v->irq.gated & (1u << EXTINT), 0);
	/* no fixed interrupt reaches a disabled LAPIC */
	ipi(cpu[0], 1u << 24, 0x40);
	assert_false(local_up(v));
	/* disabled -> x2APIC directly: #GP */
	assert_true(vmm_lapic_msr_write(v, 0x1B, BASE | LAPIC_BASE_EN | LAPIC_BASE_EXTD) < 0);
	/* disabled -> xAPIC: the reset state */
	assert_int_equal(vmm_lapic_msr_write(v, 0x1B, BASE | LAPIC_BASE_EN), VMM_OK);
	assert_int_equal(rd(v, LAPIC_SVR), 0xFF);
	assert_int_equal(rd(v, LAPIC_ID), 1u << 24);
	assert_true(v->irq.gated & (1u << EXTINT));
	/* the BSP flag is the hypervisor's: a write cannot set or clear it */
	assert_int_equal(vmm_lapic_msr_write(v, 0x1B, BASE | LAPIC_BASE_EN | LAPIC_BASE_BSP), VMM_OK);
	assert_int_equal(vmm_lapic_msr_read(v, 0x1B, &base), VMM_OK);
	assert_int_equal(base, BASE | LAPIC_BASE_EN);
	assert_int_equal(vmm_lapic_msr_write(cpu[0], 0x1B, BASE | LAPIC_BASE_EN), VMM_OK);
	assert_int_equal(vmm_lapic_msr_read(cpu[0], 0x1B, &base), VMM_OK);
	assert_int_equal(base, BASE | LAPIC_BASE_EN | LAPIC_BASE_BSP);
	/* relocating the page: reported once, not emulated */
	assert_int_equal(vmm_lapic_msr_write(v, 0x1B, 0xFEF00000ULL | LAPIC_BASE_EN), VMM_OK);
	assert_int_equal(vmm_lapic_msr_read(v, 0x1B, &base), VMM_OK);
	assert_int_equal(base, BASE | LAPIC_BASE_EN);
	assert_int_equal(vmm_lapic_msr_write(v, 0x1B, 0xFEF00000ULL | LAPIC_BASE_EN), VMM_OK);
	assert_int_equal(fake_console_count("moves the xAPIC page"), 1);
}

/* ---- x2APIC ---- */

static void test_x2apic_msrs(void **state)
{
	u64 val;

	(void)state;
	/* in xAPIC mode the x2APIC range #GPs */
	assert_true(vmm_lapic_msr_read(cpu[1], 0x802, &val) < 0);
	assert_true(vmm_lapic_msr_write(cpu[1], 0x808, 0) < 0);
	/* not a LAPIC MSR at all */
	assert_true(vmm_lapic_msr(0x1B) && vmm_lapic_msr(0x6E0) && vmm_lapic_msr(0x800) &&
		    vmm_lapic_msr(0x8FF));
	assert_false(vmm_lapic_msr(0x7FF) || vmm_lapic_msr(0x900) || vmm_lapic_msr(0x1A));
	for (u32 i = 0; i < NR; i++) {
		assert_int_equal(vmm_lapic_msr_write(cpu[i], 0x1B,
						     BASE | LAPIC_BASE_EN | LAPIC_BASE_EXTD), VMM_OK);
		assert_int_equal(vmm_lapic_msr_write(cpu[i], 0x80F, 0x1FF), VMM_OK);	/* SVR */
	}
	assert_int_equal(vmm_lapic_msr_read(cpu[2], 0x802, &val), VMM_OK);
	assert_int_equal(val, 2);					/* ID, not << 24 */
	assert_int_equal(vmm_lapic_msr_read(cpu[2], 0x80D, &val), VMM_OK);
	assert_int_equal(val, 1u << 2);					/* LDR: cluster 0, bit 2 */
	assert_int_equal(vmm_lapic_msr_read(cpu[2], 0x803, &val), VMM_OK);
	assert_int_equal(val, LAPIC_VERSION_VALUE);
	/* read-only ID and LDR, non-zero EOI: #GP */
	assert_true(vmm_lapic_msr_write(cpu[2], 0x802, 5) < 0);
	assert_true(vmm_lapic_msr_write(cpu[2], 0x80D, 5) < 0);
	assert_true(vmm_lapic_msr_write(cpu[2], 0x80B, 1) < 0);
	/* ICR: one 64-bit write, 32-bit destination */
	assert_int_equal(vmm_lapic_msr_write(cpu[0], 0x830, (2ULL << 32) | 0x48), VMM_OK);
	assert_true(local_up(cpu[2]));
	assert_false(local_up(cpu[1]));
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[2]), 0x48);
	assert_int_equal(vmm_lapic_msr_write(cpu[2], 0x80B, 0), VMM_OK);
	/* logical cluster x2APIC destination: cluster 0, bits 0 and 1 */
	assert_int_equal(vmm_lapic_msr_write(cpu[2], 0x830, (3ULL << 32) | 0x49 | (1u << 11)), VMM_OK);
	assert_true(local_up(cpu[0]) && local_up(cpu[1]));
	assert_false(local_up(cpu[2]));
	drain(cpu[0]);
	drain(cpu[1]);
	/* SELF IPI */
	assert_int_equal(vmm_lapic_msr_write(cpu[1], 0x83F, 0x4A), VMM_OK);
	assert_true(local_up(cpu[1]));
	assert_int_equal(vmm_vcpu_irq_acknowledge(cpu[1]), 0x4A);
	assert_int_equal(vmm_lapic_msr_read(cpu[1], 0x810 + 0x4A / 32, &val), VMM_OK);	/* ISR */
	assert_true(val & (1u << (0x4A % 32)));
	assert_int_equal(vmm_lapic_msr_write(cpu[1], 0x80B, 0), VMM_OK);
	/* TPR through MSR and CR8 */
	assert_int_equal(vmm_lapic_msr_write(cpu[1], 0x808, 0x70), VMM_OK);
	assert_int_equal(vmm_lapic_cr8_read(cpu[1]), 7);
	/* a VCPU without a LAPIC: ENOENT (the caller's usual handling) */
	assert_false(vmm_lapic_present(fx_idle));
	assert_int_equal(vmm_lapic_msr_read(fx_idle, 0x802, &val), -VMM_ENOENT);
	assert_int_equal(vmm_lapic_msr_write(fx_idle, 0x802, 0), -VMM_ENOENT);
}

/* ---- the timer ---- */

/* The timer event is armed, on the VCPU's CPU, at the model's expiry
 * (VCPU TSC time -> host time), fires the LVT vector into the IRR; the
 * divide stretches it; a periodic re-arm keeps the 200 us floor; the TSC
 * deadline arms at the deadline, one in the past at once. */
static void test_timer_event(void **state)
{
	struct vmm_vcpu *v = cpu[0];
	u32 c = v->host_cpu;
	u64 t0 = fx_clock_ns, none;
	struct vmm_lapic_stats st;

	(void)state;
	on(v);
	/* what the CPU's list holds without the LAPIC's event (the slice's) */
	none = fx_next_expiry_on(c);
	assert_true(none > t0 + 2 * VMM_TIMER_MIN_PERIOD_NS + 1400000);
	fx_tsc = 5000000;
	wr(v, LAPIC_TIMER_DCR, 0xB);				/* divide by 1 */
	wr(v, LAPIC_LVT_TIMER, 0x40);				/* one-shot */
	assert_int_equal(fx_next_expiry_on(c), none);
	wr(v, LAPIC_TIMER_ICR, 1000);
	assert_int_equal(fx_next_expiry_on(c), t0 + 1000);
	assert_int_equal(rd(v, LAPIC_TIMER_CCR), 1000);
	fx_tsc += 400;
	assert_int_equal(rd(v, LAPIC_TIMER_CCR), 600);
	assert_false(local_up(v));
	fx_tsc += 600;
	fx_clock_to(t0 + 1000);
	assert_true(local_up(v));
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x40);
	wr(v, LAPIC_EOI, 0);
	assert_int_equal(fx_next_expiry_on(c), none);		/* one-shot: done */
	vmm_lapic_stats_get(v, &st);
	assert_int_equal(st.timer_irqs, 1);
	/* re-armed at once: not sooner than 200 us after that firing */
	t0 = fx_clock_ns;
	wr(v, LAPIC_TIMER_ICR, 1000);
	assert_int_equal(fx_next_expiry_on(c), t0 + VMM_TIMER_MIN_PERIOD_NS);
	wr(v, LAPIC_TIMER_ICR, 0);
	assert_int_equal(fx_next_expiry_on(c), none);
	/* later, divide by 2 (DCR 0): twice as long */
	fx_tsc += 300000;
	fx_clock_to(fx_clock_ns + 300000);
	wr(v, LAPIC_TIMER_DCR, 0x0);
	t0 = fx_clock_ns;
	wr(v, LAPIC_TIMER_ICR, 1000);
	assert_int_equal(fx_next_expiry_on(c), t0 + 2000);
	/* stopped by an initial count of 0 */
	wr(v, LAPIC_TIMER_ICR, 0);
	assert_int_equal(fx_next_expiry_on(c), none);
	/* periodic 1000 ns: after a firing, the next no sooner than 200 us on */
	wr(v, LAPIC_TIMER_DCR, 0xB);
	wr(v, LAPIC_LVT_TIMER, 0x41 | (LAPIC_TIMER_PERIODIC << 17));
	t0 = fx_clock_ns;
	wr(v, LAPIC_TIMER_ICR, 1000);
	assert_int_equal(fx_next_expiry_on(c), t0 + 1000);
	fx_tsc += 1000;
	fx_clock_to(t0 + 1000);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x41);
	wr(v, LAPIC_EOI, 0);
	assert_int_equal(fx_next_expiry_on(c), t0 + 1000 + VMM_TIMER_MIN_PERIOD_NS);
	wr(v, LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	wr(v, LAPIC_TIMER_ICR, 0);
	assert_int_equal(fx_next_expiry_on(c), none);
	/* TSC deadline: at the deadline (fired more than 200 us ago) */
	fx_tsc += 1000000;
	fx_clock_to(fx_clock_ns + 1000000);
	wr(v, LAPIC_LVT_TIMER, 0x42 | (LAPIC_TIMER_TSC_DEADLINE << 17));
	t0 = fx_clock_ns;
	assert_int_equal(vmm_lapic_msr_write(v, 0x6E0, fx_tsc + 3000), VMM_OK);
	assert_int_equal(fx_next_expiry_on(c), t0 + 3000);
	/* in the past: at once (now) */
	assert_int_equal(vmm_lapic_msr_write(v, 0x6E0, fx_tsc - 10), VMM_OK);
	assert_int_equal(fx_next_expiry_on(c), t0);
	fx_clock_to(t0);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), 0x42);
	wr(v, LAPIC_EOI, 0);
	assert_int_equal(fx_next_expiry_on(c), none);
	/* 0 disarms */
	assert_int_equal(vmm_lapic_msr_write(v, 0x6E0, fx_tsc + 500000), VMM_OK);
	assert_int_equal(fx_next_expiry_on(c), fx_clock_ns + 500000);
	assert_int_equal(vmm_lapic_msr_write(v, 0x6E0, 0), VMM_OK);
	assert_int_equal(fx_next_expiry_on(c), none);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_power_on_state),
		T(test_mmio_current_vcpu),
		T(test_fixed_ipi),
		T(test_lowest_priority),
		T(test_logical_flat_cluster),
		T(test_shorthands),
		T(test_level_eoi_listener),
		T(test_init_sipi_through_bus),
		T(test_apic_base_transitions),
		T(test_x2apic_msrs),
		T(test_timer_event),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
