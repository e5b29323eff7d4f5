/*
 * tests/unit/test_lapic_model.c - the local APIC model (devemu/lapic_model.c)
 * against the Intel SDM vol. 3 chapter 11: reset state, TPR/PPR, accept /
 * ack / EOI with nested priorities, level and edge with the EOI callback,
 * software disable, error status, ICR decoding (every delivery mode,
 * destination mode and shorthand), logical and physical matching, the
 * timer in its three modes, the x2APIC MSR forms, and a little fuzzing of
 * garbage accesses. The model is pure: the callbacks are recorders here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devemu/lapic_model.h"
#include "kernel/error.h"

/* ---- recording callbacks ---- */

#define MAX_REC 16
static struct lapic_ipi ipis[MAX_REC];
static int nr_ipis;
static u8 eois[MAX_REC];
static int nr_eois;

static void rec_ipi(void *ctx, const struct lapic_ipi *ipi)
{
	(void)ctx;
	if (nr_ipis < MAX_REC)
		ipis[nr_ipis] = *ipi;
	nr_ipis++;
}

static void rec_eoi(void *ctx, u8 vector)
{
	(void)ctx;
	if (nr_eois < MAX_REC)
		eois[nr_eois] = vector;
	nr_eois++;
}

static const struct lapic_ops rec_ops = { .send_ipi = rec_ipi, .eoi_level = rec_eoi };

#define NOW 1000000000ULL	/* a guest time well after 0 */
#define TSC_HZ 2000000000ULL	/* 2 GHz guest TSC: 2 ticks per ns */

/* A fresh LAPIC with ID `id`, 1 ns bus ticks, recorders reset. */
static void setup_lapic(struct lapic *l, u32 id)
{
	struct lapic_config cfg = {
		.apic_id = id, .bus_ns = 1, .tsc_hz = TSC_HZ, .ops = &rec_ops,
	};

	assert_int_equal(lapic_init(l, &cfg), VMM_OK);
	nr_ipis = nr_eois = 0;
}

static u32 rd(struct lapic *l, u32 off)
{
	u32 v = 0xDEADBEEF;

	assert_int_equal(lapic_mmio_read(l, off, 4, NOW, &v), VMM_OK);
	return v;
}

static void wr(struct lapic *l, u32 off, u32 val)
{
	assert_int_equal(lapic_mmio_write(l, off, 4, NOW, val), VMM_OK);
}

/* Software-enable with spurious vector 0xFF. */
static void enable(struct lapic *l)
{
	wr(l, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xFF);
}

/* ---- reset ---- */

/* SDM 11.4.7.1 and table 11-1: the power-on values. */
static void test_reset_values(void **state)
{
	struct lapic l;

	setup_lapic(&l, 3);
	assert_int_equal(rd(&l, LAPIC_ID), 3u << 24);
	assert_int_equal(rd(&l, LAPIC_VERSION), 0x00050014);
	assert_int_equal((rd(&l, LAPIC_VERSION) >> 16) & 0xFF, LAPIC_NR_LVT - 1);
	assert_int_equal(rd(&l, LAPIC_TPR), 0);
	assert_int_equal(rd(&l, LAPIC_APR), 0);
	assert_int_equal(rd(&l, LAPIC_PPR), 0);
	assert_int_equal(rd(&l, LAPIC_LDR), 0);
	assert_int_equal(rd(&l, LAPIC_DFR), 0xFFFFFFFF);
	assert_int_equal(rd(&l, LAPIC_SVR), 0xFF);
	for (u32 i = 0; i < 8; i++) {
		assert_int_equal(rd(&l, LAPIC_ISR + i * 16), 0);
		assert_int_equal(rd(&l, LAPIC_TMR + i * 16), 0);
		assert_int_equal(rd(&l, LAPIC_IRR + i * 16), 0);
	}
	assert_int_equal(rd(&l, LAPIC_ESR), 0);
	assert_int_equal(rd(&l, LAPIC_ICR_LO), 0);
	assert_int_equal(rd(&l, LAPIC_ICR_HI), 0);
	for (u32 off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERR; off += 16)
		assert_int_equal(rd(&l, off), 0x00010000);
	assert_int_equal(rd(&l, LAPIC_TIMER_ICR), 0);
	assert_int_equal(rd(&l, LAPIC_TIMER_CCR), 0);
	assert_int_equal(rd(&l, LAPIC_TIMER_DCR), 0);
	assert_false(lapic_sw_enabled(&l));
	assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);

	/* INIT returns there, keeping the ID */
	enable(&l);
	wr(&l, LAPIC_TPR, 0x40);
	assert_int_equal(lapic_accept(&l, 0x50, true, false), VMM_OK);
	lapic_reset(&l);
	assert_int_equal(rd(&l, LAPIC_TPR), 0);
	assert_int_equal(rd(&l, LAPIC_IRR + 0x20), 0);
	assert_int_equal(rd(&l, LAPIC_SVR), 0xFF);
	assert_int_equal(rd(&l, LAPIC_ID), 3u << 24);
}

/* lapic_init refuses a configuration the timer arithmetic cannot use. */
static void test_init_rejects_bad_config(void **state)
{
	struct lapic l;
	struct lapic_config cfg = { .apic_id = 0, .bus_ns = 0, .tsc_hz = TSC_HZ };

	assert_int_equal(lapic_init(&l, &cfg), -VMM_EINVALID);
	cfg.bus_ns = 1;
	cfg.tsc_hz = 0;
	assert_int_equal(lapic_init(&l, &cfg), -VMM_EINVALID);
}

/* ---- priorities ---- */

/* PPR = TPR when TPR's class >= ISRV's class, else ISRV & 0xF0. */
static void test_tpr_ppr(void **state)
{
	struct lapic l;

	setup_lapic(&l, 0);
	enable(&l);
	wr(&l, LAPIC_TPR, 0xFFFFFF35);		/* reserved bits masked */
	assert_int_equal(rd(&l, LAPIC_TPR), 0x35);
	assert_int_equal(rd(&l, LAPIC_PPR), 0x35);

	assert_int_equal(lapic_accept(&l, 0x61, true, false), VMM_OK);
	assert_int_equal(lapic_ack(&l, 0x61), VMM_OK);
	assert_int_equal(rd(&l, LAPIC_PPR), 0x60);	/* ISRV class wins */
	wr(&l, LAPIC_TPR, 0x6A);
	assert_int_equal(rd(&l, LAPIC_PPR), 0x6A);	/* same class: TPR */
	wr(&l, LAPIC_TPR, 0x7F);
	assert_int_equal(rd(&l, LAPIC_PPR), 0x7F);
	wr(&l, LAPIC_TPR, 0x00);
	wr(&l, LAPIC_EOI, 0);
	assert_int_equal(rd(&l, LAPIC_PPR), 0);

	/* TPR blocks its class and below */
	wr(&l, LAPIC_TPR, 0x50);
	assert_int_equal(lapic_accept(&l, 0x5F, true, false), VMM_OK);
	assert_int_equal(lapic_highest_pending(&l), -1);
	assert_int_equal(lapic_accept(&l, 0x60, true, false), VMM_OK);
	assert_int_equal(lapic_highest_pending(&l), 0x60);
	wr(&l, LAPIC_TPR, 0x60);
	assert_int_equal(lapic_highest_pending(&l), -1);
	wr(&l, LAPIC_TPR, 0x4F);
	assert_int_equal(lapic_highest_pending(&l), 0x60);
}

/* Nested interrupts: a higher class preempts, a lower/equal one waits,
 * each EOI ends the highest in service. */
static void test_accept_ack_eoi_nesting(void **state)
{
	struct lapic l;

	setup_lapic(&l, 0);
	enable(&l);
	assert_int_equal(lapic_highest_pending(&l), -1);
	assert_int_equal(lapic_accept(&l, 0x41, true, false), VMM_OK);
	assert_int_equal(lapic_accept(&l, 0x30, true, false), VMM_OK);
	assert_int_equal(rd(&l, LAPIC_IRR + 0x20), (1u << 1) | 0);	/* 0x41: IRR[2] bit 1 */
	assert_int_equal(rd(&l, LAPIC_IRR + 0x10), 1u << 16);		/* 0x30: IRR[1] bit 16 */

	assert_int_equal(lapic_highest_pending(&l), 0x41);
	assert_int_equal(lapic_ack(&l, 0x41), VMM_OK);
	assert_int_equal(rd(&l, LAPIC_ISR + 0x20), 1u << 1);
	/* 0x30 is below the in-service class */
	assert_int_equal(lapic_highest_pending(&l), -1);
	/* 0x45 is the same class: waits; 0x90 preempts */
	assert_int_equal(lapic_accept(&l, 0x45, true, false), VMM_OK);
	assert_int_equal(lapic_highest_pending(&l), -1);
	assert_int_equal(lapic_accept(&l, 0x90, true, false), VMM_OK);
	assert_int_equal(lapic_highest_pending(&l), 0x90);
	assert_int_equal(lapic_ack(&l, 0x90), VMM_OK);
	assert_int_equal(rd(&l, LAPIC_PPR), 0x90);

	wr(&l, LAPIC_EOI, 0);			/* ends 0x90 */
	assert_int_equal(rd(&l, LAPIC_ISR + 0x40), 0);
	assert_int_equal(rd(&l, LAPIC_PPR), 0x40);
	assert_int_equal(lapic_highest_pending(&l), -1);
	wr(&l, LAPIC_EOI, 0);			/* ends 0x41 */
	assert_int_equal(lapic_highest_pending(&l), 0x45);
	assert_int_equal(lapic_ack(&l, 0x45), VMM_OK);
	wr(&l, LAPIC_EOI, 0);
	assert_int_equal(lapic_highest_pending(&l), 0x30);
	assert_int_equal(lapic_ack(&l, 0x30), VMM_OK);
	wr(&l, LAPIC_EOI, 0);
	assert_int_equal(lapic_highest_pending(&l), -1);
	assert_int_equal(rd(&l, LAPIC_PPR), 0);

	/* an ack of a vector not pending is refused; EOI with nothing in service is harmless */
	assert_int_equal(lapic_ack(&l, 0x77), -VMM_ENOENT);
	wr(&l, LAPIC_EOI, 0);
	assert_int_equal(nr_eois, 0);
}

/* Level-triggered vectors set TMR and are broadcast at EOI; edge ones are not. */
static void test_level_edge_eoi_callback(void **state)
{
	struct lapic l;

	setup_lapic(&l, 0);
	enable(&l);
	assert_int_equal(lapic_accept(&l, 0x51, true, LAPIC_TRIGGER_LEVEL), VMM_OK);
	assert_int_equal(lapic_accept(&l, 0x52, true, LAPIC_TRIGGER_EDGE), VMM_OK);
	assert_int_equal(rd(&l, LAPIC_TMR + 0x20), 1u << 17);
	/* a level de-assert message changes nothing */
	assert_int_equal(lapic_accept(&l, 0x53, false, LAPIC_TRIGGER_LEVEL), VMM_OK);
	assert_int_equal(rd(&l, LAPIC_IRR + 0x20), (1u << 17) | (1u << 18));

	assert_int_equal(lapic_ack(&l, 0x52), VMM_OK);
	wr(&l, LAPIC_EOI, 0);
	assert_int_equal(nr_eois, 0);
	assert_int_equal(lapic_ack(&l, 0x51), VMM_OK);
	wr(&l, LAPIC_EOI, 0);
	assert_int_equal(nr_eois, 1);
	assert_int_equal(eois[0], 0x51);

	/* a later edge acceptance of the same vector clears its TMR bit */
	assert_int_equal(lapic_accept(&l, 0x51, true, LAPIC_TRIGGER_EDGE), VMM_OK);
	assert_int_equal(rd(&l, LAPIC_TMR + 0x20), 0);
}

/* SVR bit 8 clear: LVTs masked and kept masked, no new fixed interrupts. */
static void test_svr_software_disable(void **state)
{
	struct lapic l;

	setup_lapic(&l, 0);
	/* disabled at reset: unmasking is refused */
	wr(&l, LAPIC_LVT_LINT0, 0x00000030);
	assert_int_equal(rd(&l, LAPIC_LVT_LINT0), LAPIC_LVT_MASKED | 0x30);
	assert_int_equal(lapic_accept(&l, 0x40, true, false), -VMM_ENOTAVAIL);
	assert_int_equal(lapic_highest_pending(&l), -1);

	enable(&l);
	assert_int_equal(rd(&l, LAPIC_SVR), 0x1FF);
	for (u32 off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERR; off += 16)
		wr(&l, off, 0x40);
	for (u32 off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERR; off += 16)
		assert_int_equal(rd(&l, off), 0x40);
	assert_int_equal(lapic_accept(&l, 0x40, true, false), VMM_OK);

	/* disabling masks every LVT; pending IRR stays */
	wr(&l, LAPIC_SVR, 0x2FF);		/* focus-off bit kept, bit 12 reserved */
	assert_int_equal(rd(&l, LAPIC_SVR), 0x2FF);
	for (u32 off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERR; off += 16)
		assert_int_equal(rd(&l, off), LAPIC_LVT_MASKED | 0x40);
	assert_int_equal(lapic_highest_pending(&l), 0x40);
	wr(&l, LAPIC_SVR, 0x10FF);
	assert_int_equal(rd(&l, LAPIC_SVR), 0x0FF);
}

/* LVT reserved bits and delivery status are never set by a write. */
static void test_lvt_masks(void **state)
{
	struct lapic l;

	setup_lapic(&l, 0);
	enable(&l);
	wr(&l, LAPIC_LVT_TIMER, 0xFFFFFFFF);
	assert_int_equal(rd(&l, LAPIC_LVT_TIMER), 0x000700FF);
	wr(&l, LAPIC_LVT_THERM, 0xFFFFFFFF);
	assert_int_equal(rd(&l, LAPIC_LVT_THERM), 0x000107FF);
	wr(&l, LAPIC_LVT_PERF, 0xFFFFFFFF);
	assert_int_equal(rd(&l, LAPIC_LVT_PERF), 0x000107FF);
	wr(&l, LAPIC_LVT_LINT0, 0xFFFFFFFF);
	assert_int_equal(rd(&l, LAPIC_LVT_LINT0), 0x0001A7FF);	/* remote IRR read-only */
	wr(&l, LAPIC_LVT_LINT1, 0xFFFFFFFF);
	assert_int_equal(rd(&l, LAPIC_LVT_LINT1), 0x0001A7FF);
	wr(&l, LAPIC_LVT_ERR, 0xFFFFFFFF);
	assert_int_equal(rd(&l, LAPIC_LVT_ERR), 0x000100FF);
	wr(&l, LAPIC_TIMER_DCR, 0xFFFFFFFF);
	assert_int_equal(rd(&l, LAPIC_TIMER_DCR), 0xB);
}

/* LINT0/1: fixed (edge; level with remote IRR until EOI), NMI and ExtINT returned. */
static void test_lint(void **state)
{
	struct lapic l;

	setup_lapic(&l, 0);
	enable(&l);
	assert_int_equal(lapic_lint(&l, 0), 0);		/* masked: nothing */
	assert_int_equal(lapic_highest_pending(&l), -1);
	wr(&l, LAPIC_LVT_LINT0, LAPIC_DM_EXTINT << 8);
	assert_int_equal(lapic_lint(&l, 0), LAPIC_DM_EXTINT);
	wr(&l, LAPIC_LVT_LINT1, LAPIC_DM_NMI << 8);
	assert_int_equal(lapic_lint(&l, 1), LAPIC_DM_NMI);
	assert_int_equal(lapic_lint(&l, 2), -VMM_EINVALID);

	wr(&l, LAPIC_LVT_LINT0, LAPIC_LVT_LEVEL | 0x70);
	assert_int_equal(lapic_lint(&l, 0), 0);
	assert_int_equal(rd(&l, LAPIC_LVT_LINT0), LAPIC_LVT_LEVEL | LAPIC_LVT_REMOTE_IRR | 0x70);
	assert_int_equal(lapic_ack(&l, 0x70), VMM_OK);
	assert_int_equal(lapic_lint(&l, 0), 0);		/* remote IRR: not again */
	assert_int_equal(lapic_highest_pending(&l), -1);
	wr(&l, LAPIC_EOI, 0);
	assert_int_equal(rd(&l, LAPIC_LVT_LINT0), LAPIC_LVT_LEVEL | 0x70);
	assert_int_equal(nr_eois, 1);
	assert_int_equal(lapic_lint(&l, 0), 0);
	assert_int_equal(lapic_highest_pending(&l), 0x70);
}

/* ---- errors ---- */

/* ESR: errors collect internally, a write publishes them and clears. */
static void test_esr_illegal_vectors(void **state)
{
	struct lapic l;

	setup_lapic(&l, 0);
	enable(&l);
	for (int v = 0; v < 16; v++)
		assert_int_equal(lapic_accept(&l, (u8)v, true, false), -VMM_EINVALID);
	assert_int_equal(rd(&l, LAPIC_IRR), 0);
	assert_int_equal(rd(&l, LAPIC_ESR), 0);		/* not yet published */
	wr(&l, LAPIC_ESR, 0);
	assert_int_equal(rd(&l, LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL_VEC);
	wr(&l, LAPIC_ESR, 0);
	assert_int_equal(rd(&l, LAPIC_ESR), 0);

	/* sending an illegal fixed vector: send error, nothing sent */
	wr(&l, LAPIC_ICR_LO, 0x0F);
	assert_int_equal(nr_ipis, 0);
	/* a reserved register: illegal register address */
	assert_int_equal(rd(&l, 0x3A0), 0);
	wr(&l, 0x040, 1);
	wr(&l, LAPIC_ESR, 0);
	assert_int_equal(rd(&l, LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL_VEC | LAPIC_ESR_ILLEGAL_REG);

	/* an unmasked error LVT interrupts on each error */
	wr(&l, LAPIC_LVT_ERR, 0xEE);
	assert_int_equal(lapic_accept(&l, 3, true, false), -VMM_EINVALID);
	assert_int_equal(lapic_highest_pending(&l), 0xEE);
	/* an error LVT with an illegal vector records, does not loop */
	wr(&l, LAPIC_LVT_ERR, 0x05);
	assert_int_equal(lapic_accept(&l, 3, true, false), -VMM_EINVALID);
	wr(&l, LAPIC_ESR, 0);
	assert_int_equal(rd(&l, LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL_VEC);
}

/* ---- ICR ---- */

static u32 icr(u8 vec, u32 dm, bool logical, bool assert_, bool level, u32 sh)
{
	return vec | dm << 8 | (u32)logical << 11 | (u32)assert_ << 14 |
	       (u32)level << 15 | sh << 18;
}

/* Every delivery mode, both destination modes, every shorthand. */
static void test_icr_decode(void **state)
{
	static const u32 modes[] = { LAPIC_DM_FIXED, LAPIC_DM_LOWEST, LAPIC_DM_SMI,
				     LAPIC_DM_NMI, LAPIC_DM_INIT, LAPIC_DM_STARTUP };
	struct lapic l;

	setup_lapic(&l, 7);
	enable(&l);
	for (u32 m = 0; m < ARRAY_SIZE(modes); m++)
		for (int logical = 0; logical < 2; logical++)
			for (u32 sh = 0; sh < 4; sh++) {
				bool valid = sh != LAPIC_SH_SELF || modes[m] == LAPIC_DM_FIXED;

				nr_ipis = 0;
				wr(&l, LAPIC_ICR_HI, 0x23000000 | 0x00FFFFFF);
				assert_int_equal(rd(&l, LAPIC_ICR_HI), 0x23000000);
				wr(&l, LAPIC_ICR_LO, icr(0x9A, modes[m], logical, true, false, sh) | 0x1000);
				assert_int_equal(rd(&l, LAPIC_ICR_LO) & 0x1000, 0);	/* idle */
				assert_int_equal(nr_ipis, valid);
				if (!valid)
					continue;
				assert_int_equal(ipis[0].vector, 0x9A);
				assert_int_equal(ipis[0].delivery, modes[m]);
				assert_int_equal(ipis[0].logical, logical);
				assert_int_equal(ipis[0].shorthand, sh);
				assert_int_equal(ipis[0].dest, 0x23);
				assert_int_equal(ipis[0].src_id, 7);
				assert_true(ipis[0].level_assert);
				assert_false(ipis[0].x2apic);
			}

	/* INIT level de-assert is passed on as such */
	nr_ipis = 0;
	wr(&l, LAPIC_ICR_LO, icr(0, LAPIC_DM_INIT, false, false, true, LAPIC_SH_ALL_INCL));
	assert_int_equal(nr_ipis, 1);
	assert_false(ipis[0].level_assert);
	assert_true(ipis[0].level_trigger);
	/* NMI's trigger mode is edge whatever was written */
	wr(&l, LAPIC_ICR_LO, icr(0, LAPIC_DM_NMI, false, true, true, 0));
	assert_false(ipis[1].level_trigger);
	/* reserved delivery modes 3 and 7 send nothing */
	wr(&l, LAPIC_ICR_LO, icr(0x40, 3, false, true, false, 0));
	wr(&l, LAPIC_ICR_LO, icr(0x40, 7, false, true, false, 0));
	assert_int_equal(nr_ipis, 2);
	/* the high half alone sends nothing */
	wr(&l, LAPIC_ICR_HI, 0x01000000);
	assert_int_equal(nr_ipis, 2);
}

/* Flat and cluster logical matching, physical matching and broadcast. */
static void test_destination_matching(void **state)
{
	struct lapic l;
	struct lapic_ipi ipi = { .src_id = 1 };

	setup_lapic(&l, 2);
	enable(&l);
	assert_true(lapic_match_physical(&l, 2));
	assert_false(lapic_match_physical(&l, 3));
	assert_true(lapic_match_physical(&l, 0xFF));

	/* flat: LDR bit set in an 8-bit mask */
	wr(&l, LAPIC_LDR, 0x04FFFFFF);
	assert_int_equal(rd(&l, LAPIC_LDR), 0x04000000);
	assert_true(lapic_match_logical(&l, 0x04));
	assert_true(lapic_match_logical(&l, 0x0C));
	assert_false(lapic_match_logical(&l, 0x08));
	assert_true(lapic_match_logical(&l, 0xFF));

	/* cluster: high nibble selects the cluster, low nibble is a mask */
	wr(&l, LAPIC_DFR, 0x0);
	assert_int_equal(rd(&l, LAPIC_DFR), 0x0FFFFFFF);
	wr(&l, LAPIC_LDR, 0x32000000);		/* cluster 3, member bit 1 */
	assert_true(lapic_match_logical(&l, 0x32));
	assert_true(lapic_match_logical(&l, 0x3F));
	assert_false(lapic_match_logical(&l, 0x31));
	assert_false(lapic_match_logical(&l, 0x22));
	assert_true(lapic_match_logical(&l, 0xFF));

	/* shorthands */
	ipi.shorthand = LAPIC_SH_SELF;
	assert_false(lapic_match_ipi(&l, &ipi));
	ipi.shorthand = LAPIC_SH_ALL_INCL;
	assert_true(lapic_match_ipi(&l, &ipi));
	ipi.shorthand = LAPIC_SH_ALL_EXCL;
	assert_true(lapic_match_ipi(&l, &ipi));
	ipi.src_id = 2;
	assert_false(lapic_match_ipi(&l, &ipi));
	ipi.shorthand = LAPIC_SH_SELF;
	assert_true(lapic_match_ipi(&l, &ipi));
	ipi.shorthand = LAPIC_SH_NONE;
	ipi.logical = true;
	ipi.dest = 0x32;
	assert_true(lapic_match_ipi(&l, &ipi));
	ipi.logical = false;
	assert_false(lapic_match_ipi(&l, &ipi));
	ipi.dest = 2;
	assert_true(lapic_match_ipi(&l, &ipi));

	/* x2APIC: LDR derived, cluster 16:16 */
	setup_lapic(&l, 0x25);
	lapic_set_x2apic(&l, true);
	assert_int_equal(l.ldr, (2u << 16) | (1u << 5));
	assert_true(lapic_match_logical(&l, (2u << 16) | 0x20));
	assert_false(lapic_match_logical(&l, (3u << 16) | 0x20));
	assert_false(lapic_match_logical(&l, (2u << 16) | 0x10));
	assert_true(lapic_match_physical(&l, 0x25));
	assert_false(lapic_match_physical(&l, 0x125));
	assert_true(lapic_match_physical(&l, 0xFFFFFFFF));
}

/* ---- timer ---- */

/* Divide configuration encoding (SDM figure 11-10). */
static void test_timer_divide(void **state)
{
	static const u32 want[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };

	for (u32 code = 0; code < 8; code++) {
		u32 dcr = (code & 3) | ((code & 4) << 1);

		assert_int_equal(lapic_timer_divide(dcr), want[code]);
	}
}

/* One-shot countdown at several divide values, and the expiry. */
static void test_timer_oneshot(void **state)
{
	static const u32 dcrs[] = { 0xB, 0x0, 0x3, 0xA };	/* 1, 2, 16, 128 */
	struct lapic l;

	for (u32 i = 0; i < ARRAY_SIZE(dcrs); i++) {
		u32 div = lapic_timer_divide(dcrs[i]);

		setup_lapic(&l, 0);
		enable(&l);
		wr(&l, LAPIC_LVT_TIMER, 0x80);
		wr(&l, LAPIC_TIMER_DCR, dcrs[i]);
		assert_int_equal(lapic_mmio_write(&l, LAPIC_TIMER_ICR, 4, NOW, 1000), VMM_OK);
		assert_true(lapic_timer_next_expiry(&l) == NOW + 1000ULL * div);
		assert_int_equal(lapic_timer_current(&l, NOW), 1000);
		assert_int_equal(lapic_timer_current(&l, NOW + div - 1), 1000);
		assert_int_equal(lapic_timer_current(&l, NOW + div), 999);
		assert_int_equal(lapic_timer_current(&l, NOW + 400ULL * div), 600);
		assert_int_equal(lapic_timer_current(&l, NOW + 1000ULL * div), 0);
		assert_int_equal(lapic_timer_current(&l, NOW + 5000ULL * div), 0);

		/* firing early does nothing; at the expiry pends the vector, once */
		lapic_timer_fire(&l, NOW + 999ULL * div);
		assert_int_equal(lapic_highest_pending(&l), -1);
		lapic_timer_fire(&l, NOW + 1000ULL * div);
		assert_int_equal(lapic_highest_pending(&l), 0x80);
		assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);
		assert_int_equal(lapic_timer_current(&l, NOW + 2000ULL * div), 0);
	}

	/* writing 0 stops the timer */
	setup_lapic(&l, 0);
	enable(&l);
	wr(&l, LAPIC_TIMER_ICR, 50);
	wr(&l, LAPIC_TIMER_ICR, 0);
	assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);
	assert_int_equal(rd(&l, LAPIC_TIMER_CCR), 0);
	/* a masked timer still counts and expires, without an interrupt */
	wr(&l, LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | 0x80);
	wr(&l, LAPIC_TIMER_ICR, 10);
	lapic_timer_fire(&l, NOW + 1000);
	assert_int_equal(lapic_highest_pending(&l), -1);
	assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);
}

/* Periodic: reloads from the initial count; late firing coalesces. */
static void test_timer_periodic(void **state)
{
	static const u32 dcrs[] = { 0xB, 0x1, 0x9 };	/* 1, 4, 64 */
	struct lapic l;

	for (u32 i = 0; i < ARRAY_SIZE(dcrs); i++) {
		u64 period = 100ULL * lapic_timer_divide(dcrs[i]);

		setup_lapic(&l, 0);
		enable(&l);
		wr(&l, LAPIC_LVT_TIMER, (LAPIC_TIMER_PERIODIC << LAPIC_TIMER_MODE_SHIFT) | 0x81);
		wr(&l, LAPIC_TIMER_DCR, dcrs[i]);
		wr(&l, LAPIC_TIMER_ICR, 100);
		assert_true(lapic_timer_next_expiry(&l) == NOW + period);
		assert_int_equal(lapic_timer_current(&l, NOW + period / 2), 50);
		assert_int_equal(lapic_timer_current(&l, NOW + period), 100);	/* reloaded */
		assert_int_equal(lapic_timer_current(&l, NOW + period + period / 4), 75);

		lapic_timer_fire(&l, NOW + period);
		assert_int_equal(lapic_highest_pending(&l), 0x81);
		assert_true(lapic_timer_next_expiry(&l) == NOW + 2 * period);
		/* three and a half periods late: the next one is the 6th */
		lapic_timer_fire(&l, NOW + 5 * period + period / 2);
		assert_true(lapic_timer_next_expiry(&l) == NOW + 6 * period);
	}
}

/* A divide change goes on from the current count at the new rate. */
static void test_timer_divide_change(void **state)
{
	struct lapic l;

	setup_lapic(&l, 0);
	enable(&l);
	wr(&l, LAPIC_LVT_TIMER, 0x80);
	wr(&l, LAPIC_TIMER_DCR, 0xB);		/* 1 */
	wr(&l, LAPIC_TIMER_ICR, 1000);
	assert_int_equal(lapic_mmio_write(&l, LAPIC_TIMER_DCR, 4, NOW + 400, 0x1), VMM_OK);	/* 4 */
	assert_int_equal(lapic_timer_current(&l, NOW + 400), 600);
	assert_int_equal(lapic_timer_current(&l, NOW + 800), 500);
	assert_true(lapic_timer_next_expiry(&l) == NOW + 400 + 600 * 4);
}

/* TSC-deadline: arm, disarm by 0, fire clears the MSR, mode switches disarm. */
static void test_timer_tsc_deadline(void **state)
{
	struct lapic l;
	u64 v;

	setup_lapic(&l, 0);
	enable(&l);
	/* outside the mode, writes are ignored and reads are 0 */
	assert_int_equal(lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, NOW, 12345), VMM_OK);
	assert_int_equal(lapic_msr_read(&l, LAPIC_MSR_TSC_DEADLINE, NOW, &v), VMM_OK);
	assert_int_equal(v, 0);
	assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);

	wr(&l, LAPIC_TIMER_ICR, 500);		/* one-shot armed ... */
	wr(&l, LAPIC_LVT_TIMER, (LAPIC_TIMER_TSC_DEADLINE << LAPIC_TIMER_MODE_SHIFT) | 0x90);
	assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);	/* ... disarmed */
	assert_int_equal(rd(&l, LAPIC_TIMER_ICR), 0);
	wr(&l, LAPIC_TIMER_ICR, 500);		/* ignored in this mode */
	assert_int_equal(rd(&l, LAPIC_TIMER_ICR), 0);
	assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);

	/* 2 GHz TSC: deadline 2 * (NOW + 300) is guest time NOW + 300 */
	assert_int_equal(lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, NOW, 2 * (NOW + 300)), VMM_OK);
	assert_int_equal(lapic_msr_read(&l, LAPIC_MSR_TSC_DEADLINE, NOW, &v), VMM_OK);
	assert_int_equal(v, 2 * (NOW + 300));
	assert_true(lapic_timer_next_expiry(&l) == NOW + 300);
	assert_int_equal(rd(&l, LAPIC_TIMER_CCR), 0);
	/* disarm by 0 */
	assert_int_equal(lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, NOW, 0), VMM_OK);
	assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);
	/* rearm, fire */
	assert_int_equal(lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, NOW, 2 * NOW + 1000), VMM_OK);
	assert_true(lapic_timer_next_expiry(&l) == NOW + 500);
	lapic_timer_fire(&l, NOW + 500);
	assert_int_equal(lapic_highest_pending(&l), 0x90);
	assert_int_equal(lapic_msr_read(&l, LAPIC_MSR_TSC_DEADLINE, NOW, &v), VMM_OK);
	assert_int_equal(v, 0);
	assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);
	/* a deadline in the past expires at once (at or before now) */
	assert_int_equal(lapic_msr_write(&l, LAPIC_MSR_TSC_DEADLINE, NOW, 2), VMM_OK);
	assert_true(lapic_timer_next_expiry(&l) <= NOW);
	/* leaving the mode disarms and clears the deadline */
	wr(&l, LAPIC_LVT_TIMER, 0x90);
	assert_true(lapic_timer_next_expiry(&l) == LAPIC_TIMER_NONE);
	wr(&l, LAPIC_LVT_TIMER, (LAPIC_TIMER_TSC_DEADLINE << LAPIC_TIMER_MODE_SHIFT) | 0x90);
	assert_int_equal(lapic_msr_read(&l, LAPIC_MSR_TSC_DEADLINE, NOW, &v), VMM_OK);
	assert_int_equal(v, 0);
}

/* ---- x2APIC ---- */

/* MSR forms: 32-bit ID, derived read-only LDR, 64-bit ICR, SELF IPI,
 * #GP (-VMM_EACCESS) for write-only reads, read-only writes, reserved MSRs. */
static void test_x2apic_msrs(void **state)
{
	struct lapic l;
	u64 v;
	u32 v32;

	setup_lapic(&l, 0x123);
	/* MSRs are #GP in xAPIC mode */
	assert_int_equal(lapic_msr_read(&l, 0x802, NOW, &v), -VMM_EACCESS);
	lapic_set_x2apic(&l, true);
	/* and MMIO is not defined in x2APIC mode */
	assert_int_equal(lapic_mmio_read(&l, LAPIC_ID, 4, NOW, &v32), -VMM_EINVALID);

	assert_int_equal(lapic_msr_read(&l, 0x802, NOW, &v), VMM_OK);
	assert_int_equal(v, 0x123);
	assert_int_equal(lapic_msr_write(&l, 0x802, NOW, 5), -VMM_EACCESS);
	assert_int_equal(lapic_msr_read(&l, 0x803, NOW, &v), VMM_OK);
	assert_int_equal(v, 0x00050014);
	assert_int_equal(lapic_msr_read(&l, 0x80D, NOW, &v), VMM_OK);
	assert_int_equal(v, (0x12u << 16) | (1u << 3));
	assert_int_equal(lapic_msr_write(&l, 0x80D, NOW, 1), -VMM_EACCESS);
	/* reserved in x2APIC: APR, RRD, DFR, ICR high, CMCI, 0x8FF */
	assert_int_equal(lapic_msr_read(&l, 0x809, NOW, &v), -VMM_EACCESS);
	assert_int_equal(lapic_msr_read(&l, 0x80C, NOW, &v), -VMM_EACCESS);
	assert_int_equal(lapic_msr_read(&l, 0x80E, NOW, &v), -VMM_EACCESS);
	assert_int_equal(lapic_msr_write(&l, 0x80E, NOW, 0), -VMM_EACCESS);
	assert_int_equal(lapic_msr_read(&l, 0x831, NOW, &v), -VMM_EACCESS);
	assert_int_equal(lapic_msr_read(&l, 0x82F, NOW, &v), -VMM_EACCESS);
	assert_int_equal(lapic_msr_read(&l, 0x8FF, NOW, &v), -VMM_EACCESS);
	assert_int_equal(lapic_msr_read(&l, 0x900, NOW, &v), -VMM_EACCESS);
	/* write-only registers cannot be read */
	assert_int_equal(lapic_msr_read(&l, 0x80B, NOW, &v), -VMM_EACCESS);
	assert_int_equal(lapic_msr_read(&l, 0x83F, NOW, &v), -VMM_EACCESS);
	/* read-only ones cannot be written */
	assert_int_equal(lapic_msr_write(&l, 0x803, NOW, 0), -VMM_EACCESS);
	assert_int_equal(lapic_msr_write(&l, 0x80A, NOW, 0), -VMM_EACCESS);
	assert_int_equal(lapic_msr_write(&l, 0x810, NOW, 0), -VMM_EACCESS);
	assert_int_equal(lapic_msr_write(&l, 0x839, NOW, 0), -VMM_EACCESS);
	/* reserved value bits */
	assert_int_equal(lapic_msr_write(&l, 0x808, NOW, 1ULL << 32), -VMM_EACCESS);
	assert_int_equal(lapic_msr_write(&l, 0x80B, NOW, 1), -VMM_EACCESS);
	assert_int_equal(lapic_msr_write(&l, 0x828, NOW, 1), -VMM_EACCESS);
	assert_int_equal(lapic_msr_write(&l, 0x83F, NOW, 0x100), -VMM_EACCESS);

	/* TPR, SVR and EOI through MSRs */
	assert_int_equal(lapic_msr_write(&l, 0x80F, NOW, 0x1FF), VMM_OK);
	assert_int_equal(lapic_msr_write(&l, 0x808, NOW, 0x20), VMM_OK);
	assert_int_equal(lapic_msr_read(&l, 0x80A, NOW, &v), VMM_OK);
	assert_int_equal(v, 0x20);
	assert_int_equal(lapic_accept(&l, 0x80, true, true), VMM_OK);
	assert_int_equal(lapic_msr_read(&l, 0x824, NOW, &v), VMM_OK);	/* IRR[4] */
	assert_int_equal(v, 1);
	assert_int_equal(lapic_msr_read(&l, 0x81C, NOW, &v), VMM_OK);	/* TMR[4] */
	assert_int_equal(v, 1);
	assert_int_equal(lapic_ack(&l, 0x80), VMM_OK);
	assert_int_equal(lapic_msr_read(&l, 0x814, NOW, &v), VMM_OK);	/* ISR[4] */
	assert_int_equal(v, 1);
	assert_int_equal(lapic_msr_write(&l, 0x80B, NOW, 0), VMM_OK);
	assert_int_equal(nr_eois, 1);

	/* ICR: one 64-bit MSR, 32-bit destination */
	assert_int_equal(lapic_msr_write(&l, 0x830, NOW, (0xABCDEFULL << 32) |
					 icr(0x44, LAPIC_DM_FIXED, true, true, false, 0)), VMM_OK);
	assert_int_equal(nr_ipis, 1);
	assert_int_equal(ipis[0].dest, 0xABCDEF);
	assert_true(ipis[0].logical);
	assert_true(ipis[0].x2apic);
	assert_int_equal(ipis[0].src_id, 0x123);
	assert_int_equal(lapic_msr_read(&l, 0x830, NOW, &v), VMM_OK);
	assert_int_equal(v, (0xABCDEFULL << 32) | 0x4844);

	/* SELF IPI: a fixed edge self shorthand; the ICR is unchanged */
	assert_int_equal(lapic_msr_write(&l, 0x83F, NOW, 0x66), VMM_OK);
	assert_int_equal(nr_ipis, 2);
	assert_int_equal(ipis[1].vector, 0x66);
	assert_int_equal(ipis[1].shorthand, LAPIC_SH_SELF);
	assert_int_equal(ipis[1].delivery, LAPIC_DM_FIXED);
	assert_false(ipis[1].level_trigger);
	assert_int_equal(lapic_msr_read(&l, 0x830, NOW, &v), VMM_OK);
	assert_int_equal(v, (0xABCDEFULL << 32) | 0x4844);
	/* SELF IPI does not exist in xAPIC mode */
	lapic_set_x2apic(&l, false);
	assert_int_equal(rd(&l, LAPIC_SELF_IPI), 0);
	wr(&l, LAPIC_ESR, 0);
	assert_int_equal(rd(&l, LAPIC_ESR), LAPIC_ESR_ILLEGAL_REG);
}

/* ---- garbage ---- */

/* Undefined xAPIC accesses are reported and change nothing. */
static void test_mmio_undefined_accesses(void **state)
{
	struct lapic l, before;
	u32 v;

	setup_lapic(&l, 1);
	enable(&l);
	before = l;
	assert_int_equal(lapic_mmio_write(&l, LAPIC_TPR + 1, 4, NOW, 0xFF), -VMM_EINVALID);
	assert_int_equal(lapic_mmio_write(&l, LAPIC_TPR + 4, 4, NOW, 0xFF), -VMM_EINVALID);
	assert_int_equal(lapic_mmio_write(&l, LAPIC_TPR, 2, NOW, 0xFF), -VMM_EINVALID);
	assert_int_equal(lapic_mmio_write(&l, LAPIC_TPR, 8, NOW, 0xFF), -VMM_EINVALID);
	assert_int_equal(lapic_mmio_write(&l, 0x1000, 4, NOW, 0xFF), -VMM_EINVALID);
	assert_int_equal(lapic_mmio_read(&l, LAPIC_ID + 2, 1, NOW, &v), -VMM_EINVALID);
	assert_int_equal(v, 0);
	assert_int_equal(l.bad_accesses, 6);
	l.bad_accesses = 0;
	assert_memory_equal(&l, &before, sizeof(l));
	/* read-only registers ignore writes */
	wr(&l, LAPIC_VERSION, 0);
	wr(&l, LAPIC_PPR, 0xFF);
	wr(&l, LAPIC_IRR, 0xFFFFFFFF);
	wr(&l, LAPIC_TIMER_CCR, 5);
	assert_memory_equal(&l, &before, sizeof(l));
}

/* Random offsets, sizes, MSRs and values keep the invariants: no crash
 * (ASan watches memory), bounded registers, consistent priorities. */
static void test_fuzz_invariants(void **state)
{
	static const u32 lvt_bits[LAPIC_NR_LVT] = {	/* SDM figure 11-8 */
		0x000700FF, 0x000107FF, 0x000107FF, 0x0001F7FF, 0x0001F7FF, 0x000100FF,
	};
	/* guards around the state: nothing outside struct lapic is written */
	struct {
		u8 before[64];
		struct lapic lapic;
		u8 after[64];
	} box;
	struct lapic *l = &box.lapic;
	u8 zero[64] = { 0 };
	u32 seed = 12345;

	memset(&box, 0, sizeof(box));
	setup_lapic(l, 4);
	for (int i = 0; i < 200000; i++) {
		u32 r, v32;
		u64 v;
		int hp;

		seed = seed * 1103515245 + 12345;
		r = seed >> 8;
		switch (r % 8) {
		case 0:
			lapic_mmio_write(l, (r >> 3) & 0x1FFF, 1u << ((r >> 16) & 3), NOW + i, seed);
			break;
		case 1:
			lapic_mmio_write(l, ((r >> 3) & 0x3F) << 4, 4, NOW + i, seed ^ (r << 3));
			break;
		case 2:
			lapic_mmio_read(l, (r >> 3) & 0x1FFF, 4, NOW + i, &v32);
			break;
		case 3:
			lapic_msr_write(l, 0x7F0 + ((r >> 3) & 0x11F), NOW + i,
					((u64)seed << 20) ^ r);
			lapic_msr_read(l, 0x7F0 + ((r >> 5) & 0x11F), NOW + i, &v);
			break;
		case 4:
			lapic_accept(l, (u8)(r >> 4), r & 0x100, r & 0x200);
			break;
		case 5:
			hp = lapic_highest_pending(l);
			if (hp >= 0)
				assert_int_equal(lapic_ack(l, (u8)hp), VMM_OK);
			break;
		case 6:
			if ((r >> 3) % 64 == 0)
				lapic_set_x2apic(l, !l->x2apic);
			else
				lapic_timer_fire(l, NOW + i);
			break;
		default:
			lapic_eoi(l);
		}
		/* invariants */
		assert_true(l->tpr <= 0xFF);
		assert_int_equal(l->svr & ~0x3FFu, 0);
		assert_int_equal(l->timer_dcr & ~0xBu, 0);
		for (int k = 0; k < LAPIC_NR_LVT; k++)
			assert_int_equal(l->lvt[k] & ~lvt_bits[k], 0);
		if (!lapic_sw_enabled(l))
			for (int k = 0; k < LAPIC_NR_LVT; k++)
				assert_true(l->lvt[k] & LAPIC_LVT_MASKED);
		assert_int_equal(l->irr[0] & 0xFFFF, 0);		/* vectors 0-15 never pend */
		assert_int_equal(lapic_ppr(l) & ~0xFFu, 0);
		hp = lapic_highest_pending(l);
		assert_true(hp == -1 || (hp >= 16 && (hp & 0xF0) > (int)(lapic_ppr(l) & 0xF0)));
	}
	assert_memory_equal(box.before, zero, sizeof(zero));
	assert_memory_equal(box.after, zero, sizeof(zero));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_init_rejects_bad_config),
		cmocka_unit_test(test_tpr_ppr),
		cmocka_unit_test(test_accept_ack_eoi_nesting),
		cmocka_unit_test(test_level_edge_eoi_callback),
		cmocka_unit_test(test_svr_software_disable),
		cmocka_unit_test(test_lvt_masks),
		cmocka_unit_test(test_lint),
		cmocka_unit_test(test_esr_illegal_vectors),
		cmocka_unit_test(test_icr_decode),
		cmocka_unit_test(test_destination_matching),
		cmocka_unit_test(test_timer_divide),
		cmocka_unit_test(test_timer_oneshot),
		cmocka_unit_test(test_timer_periodic),
		cmocka_unit_test(test_timer_divide_change),
		cmocka_unit_test(test_timer_tsc_deadline),
		cmocka_unit_test(test_x2apic_msrs),
		cmocka_unit_test(test_mmio_undefined_accesses),
		cmocka_unit_test(test_fuzz_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
