/*
 * tests/unit/test_ioapic_model.c - the I/O APIC's pure model
 * (devemu/ioapic_model.c) against the 82093AA datasheet: the registers
 * (ID, version, arbitration, the 24 redirection entries and their writable
 * bits), IOREGSEL/IOWIN access widths, edge pins (rise only, lost while
 * masked, polarity), level pins (remote IRR, EOI, re-delivery while
 * asserted, unmask of an asserted pin, a message nobody took, the
 * edge-rewrite that clears remote IRR), every delivery mode and destination
 * form as the message on the APIC bus, vectors below 16, the bad modes,
 * the "taken" pins and reset.
 *
 * Messages are recorded by the deliver callback, which accepts them on
 * 'accept' LAPICs (default 1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devemu/ioapic_model.h"
#include "kernel/error.h"

#define MAX_MSGS 64

static struct ioapic io;
static struct vmm_apic_msg msgs[MAX_MSGS];
static u32 nr_msgs;
static u32 accept;

static u32 record(void *priv, const struct vmm_apic_msg *m)
{
	assert_ptr_equal(priv, &io);
	if (nr_msgs < MAX_MSGS)
		msgs[nr_msgs] = *m;
	nr_msgs++;
	return accept;
}

static int setup(void **state)
{
	(void)state;
	nr_msgs = 0;
	accept = 1;
	ioapic_init(&io, 3, record, &io);
	return 0;
}

/* Guest-style access: select, then the window. */
static u32 rd(u32 index)
{
	u32 v = 0xDEADBEEF;

	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 4, index), VMM_OK);
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_IOWIN, 4, &v), VMM_OK);
	return v;
}

static void wr(u32 index, u32 v)
{
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 4, index), VMM_OK);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOWIN, 4, v), VMM_OK);
}

/* Program pin's entry: high dword first, as Linux does. */
static void set_rte(u32 pin, u64 rte)
{
	wr(IOAPIC_REG_REDTBL + 2 * pin + 1, (u32)(rte >> 32));
	wr(IOAPIC_REG_REDTBL + 2 * pin, (u32)rte);
}

static u64 get_rte(u32 pin)
{
	return (u64)rd(IOAPIC_REG_REDTBL + 2 * pin + 1) << 32 | rd(IOAPIC_REG_REDTBL + 2 * pin);
}

#define DEST(d) ((u64)(d) << IOAPIC_RTE_DEST_SHIFT)
#define DM(m) ((u64)(m) << IOAPIC_RTE_DM_SHIFT)

/* Power-on: version 0x00170011, the given ID (also as arbitration ID),
 * every entry masked with everything else 0, IOREGSEL 0. */
static void test_reset_state(void **state)
{
	u32 v;

	(void)state;
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_IOREGSEL, 4, &v), VMM_OK);
	assert_int_equal(v, 0);
	assert_int_equal(rd(IOAPIC_REG_VER), 0x00170011);
	assert_int_equal(rd(IOAPIC_REG_ID), 3u << 24);
	assert_int_equal(rd(IOAPIC_REG_ARB), 3u << 24);
	for (u32 p = 0; p < IOAPIC_NR_PINS; p++)
		assert_int_equal(get_rte(p), IOAPIC_RTE_MASKED);
	/* past the table and the gaps: 0 */
	assert_int_equal(rd(0x03), 0);
	assert_int_equal(rd(0x0F), 0);
	assert_int_equal(rd(0x40), 0);
	assert_int_equal(rd(0xFF), 0);
	assert_int_equal(nr_msgs, 0);
	assert_int_equal(ioapic_take_reports(&io), 0);
}

/* ID: bits 27:24 only; version and arbitration read-only; IOREGSEL keeps 8 bits. */
static void test_id_version_regsel(void **state)
{
	u32 v;

	(void)state;
	wr(IOAPIC_REG_ID, 0xFFFFFFFF);
	assert_int_equal(rd(IOAPIC_REG_ID), 0x0F000000);
	assert_int_equal(rd(IOAPIC_REG_ARB), 0x0F000000);
	wr(IOAPIC_REG_ID, 0x05000000);
	assert_int_equal(rd(IOAPIC_REG_ID), 0x05000000);
	wr(IOAPIC_REG_VER, 0);
	assert_int_equal(rd(IOAPIC_REG_VER), IOAPIC_VERSION);
	wr(IOAPIC_REG_ARB, 0);
	assert_int_equal(rd(IOAPIC_REG_ARB), 0x05000000);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 4, 0x12345611), VMM_OK);
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_IOREGSEL, 4, &v), VMM_OK);
	assert_int_equal(v, 0x11);
	/* a byte write to IOREGSEL works too */
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 1, 0x01), VMM_OK);
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_IOWIN, 4, &v), VMM_OK);
	assert_int_equal(v, IOAPIC_VERSION);
}

/* Access forms other than 32-bit IOREGSEL/IOWIN (and the byte IOREGSEL):
 * refused, read 0, change nothing. */
static void test_bad_accesses(void **state)
{
	u32 v;

	(void)state;
	wr(IOAPIC_REG_REDTBL, 0x30);	/* unmasks pin 0 */
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 4, IOAPIC_REG_REDTBL), VMM_OK);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOWIN, 2, 0x10000), -VMM_EINVALID);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOWIN, 1, 0x10000), -VMM_EINVALID);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOWIN, 8, 0x10000), -VMM_EINVALID);
	assert_int_equal(ioapic_mmio_write(&io, 0x14, 4, 0x10000), -VMM_EINVALID);
	assert_int_equal(ioapic_mmio_write(&io, 0x04, 4, 0x10000), -VMM_EINVALID);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 2, 0x01), -VMM_EINVALID);
	assert_int_equal(rd(IOAPIC_REG_REDTBL), 0x30);
	v = 0xDEAD;
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_IOWIN, 2, &v), -VMM_EINVALID);
	assert_int_equal(v, 0);
	v = 0xDEAD;
	assert_int_equal(ioapic_mmio_read(&io, 0x20, 4, &v), -VMM_EINVALID);
	assert_int_equal(v, 0);
}

/* The writable bits of an entry; delivery status and remote IRR read-only. */
static void test_rte_bits(void **state)
{
	(void)state;
	for (u32 p = 0; p < IOAPIC_NR_PINS; p++) {
		wr(IOAPIC_REG_REDTBL + 2 * p, 0xFFFFFFFF);
		wr(IOAPIC_REG_REDTBL + 2 * p + 1, 0xFFFFFFFF);
		assert_int_equal(get_rte(p), 0xFF0000000001AFFFull);
		wr(IOAPIC_REG_REDTBL + 2 * p + 1, 0x00FFFFFF);
		assert_int_equal(rd(IOAPIC_REG_REDTBL + 2 * p + 1), 0);
		/* each pin has its own entry */
		wr(IOAPIC_REG_REDTBL + 2 * p, 0x10000 | (0x20 + p));
	}
	for (u32 p = 0; p < IOAPIC_NR_PINS; p++)
		assert_int_equal(rd(IOAPIC_REG_REDTBL + 2 * p), 0x10000 | (0x20 + p));
	assert_int_equal(nr_msgs, 0);
}

/* Edge, fixed, physical: a message on each rise of the line, not while it
 * stays high or on the fall; the pin is 'taken' each time. */
static void test_edge_fixed(void **state)
{
	(void)state;
	set_rte(4, DEST(1) | 0x34);
	assert_int_equal(ioapic_take_reports(&io), 1u << 4);	/* unmasked */
	ioapic_set_pin(&io, 4, 1);
	assert_int_equal(nr_msgs, 1);
	assert_int_equal(msgs[0].vector, 0x34);
	assert_int_equal(msgs[0].delivery, APIC_BUS_DM_FIXED);
	assert_int_equal(msgs[0].shorthand, APIC_BUS_SH_NONE);
	assert_false(msgs[0].logical);
	assert_false(msgs[0].level_trigger);
	assert_true(msgs[0].level_assert);
	assert_int_equal(msgs[0].dest, 1);
	assert_false(msgs[0].x2apic_dest);
	assert_int_equal(msgs[0].sender, APIC_BUS_NO_SENDER);
	assert_int_equal(ioapic_take_reports(&io), 1u << 4);
	ioapic_set_pin(&io, 4, 1);
	ioapic_set_pin(&io, 4, 0);
	assert_int_equal(nr_msgs, 1);
	assert_int_equal(ioapic_take_reports(&io), 0);
	ioapic_set_pin(&io, 4, 1);
	assert_int_equal(nr_msgs, 2);
	assert_int_equal(get_rte(4) & (IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS), 0);
	/* other pins untouched */
	ioapic_set_pin(&io, 5, 1);
	assert_int_equal(nr_msgs, 2);
	assert_int_equal(io.sent, 2);
}

/* A masked edge is lost (not held pending): unmasking sends nothing, but
 * the pin is reported able to take a request again. */
static void test_edge_masked_lost(void **state)
{
	(void)state;
	set_rte(2, IOAPIC_RTE_MASKED | 0x30);
	(void)ioapic_take_reports(&io);
	ioapic_set_pin(&io, 2, 1);
	ioapic_set_pin(&io, 2, 0);
	assert_int_equal(nr_msgs, 0);
	assert_int_equal(ioapic_take_reports(&io), 0);
	set_rte(2, 0x30);
	assert_int_equal(nr_msgs, 0);
	assert_int_equal(ioapic_take_reports(&io), 1u << 2);
	/* masking again reports nothing; an unmasked entry rewritten neither */
	set_rte(2, IOAPIC_RTE_MASKED | 0x30);
	set_rte(2, 0x30);
	set_rte(2, 0x31);
	assert_int_equal(ioapic_take_reports(&io), 1u << 2);
	ioapic_set_pin(&io, 2, 1);
	assert_int_equal(nr_msgs, 1);
	assert_int_equal(msgs[0].vector, 0x31);
}

/* Active low: the fall of the line is the edge; rewriting the polarity is
 * no edge. */
static void test_edge_active_low(void **state)
{
	(void)state;
	ioapic_set_pin(&io, 7, 1);	/* idle high */
	set_rte(7, IOAPIC_RTE_ACTIVE_LOW | 0x47);
	assert_int_equal(nr_msgs, 0);
	assert_false(ioapic_pin_asserted(&io, 7));
	ioapic_set_pin(&io, 7, 0);
	assert_int_equal(nr_msgs, 1);
	assert_true(ioapic_pin_asserted(&io, 7));
	ioapic_set_pin(&io, 7, 1);
	assert_int_equal(nr_msgs, 1);
	set_rte(7, 0x47);		/* active high now: asserted, but no edge */
	assert_true(ioapic_pin_asserted(&io, 7));
	assert_int_equal(nr_msgs, 1);
}

/* Level, fixed: sent while asserted, remote IRR until the EOI of its
 * vector; re-sent at the EOI if still asserted; a dropped line after the
 * EOI sends nothing more. */
static void test_level_remote_irr_eoi(void **state)
{
	(void)state;
	set_rte(9, DEST(2) | IOAPIC_RTE_LEVEL | 0x59);
	(void)ioapic_take_reports(&io);
	ioapic_set_pin(&io, 9, 1);
	assert_int_equal(nr_msgs, 1);
	assert_true(msgs[0].level_trigger);
	assert_int_equal(msgs[0].vector, 0x59);
	assert_true(get_rte(9) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(ioapic_take_reports(&io), 1u << 9);
	/* the line toggling while remote IRR is set sends nothing */
	ioapic_set_pin(&io, 9, 0);
	ioapic_set_pin(&io, 9, 1);
	assert_int_equal(nr_msgs, 1);
	/* an EOI of another vector changes nothing */
	ioapic_eoi(&io, 0x58);
	assert_int_equal(nr_msgs, 1);
	assert_true(get_rte(9) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(ioapic_take_reports(&io), 0);
	/* EOI while still asserted: sent again, remote IRR again */
	ioapic_eoi(&io, 0x59);
	assert_int_equal(nr_msgs, 2);
	assert_true(get_rte(9) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(ioapic_take_reports(&io), 1u << 9);
	/* the device is serviced: line low, then the EOI */
	ioapic_set_pin(&io, 9, 0);
	ioapic_eoi(&io, 0x59);
	assert_int_equal(nr_msgs, 2);
	assert_false(get_rte(9) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(ioapic_take_reports(&io), 1u << 9);
	/* and the next assertion is a new message */
	ioapic_set_pin(&io, 9, 1);
	assert_int_equal(nr_msgs, 3);
}

/* Two level pins sharing a vector: one EOI serves both. */
static void test_level_shared_vector(void **state)
{
	(void)state;
	set_rte(10, IOAPIC_RTE_LEVEL | 0x60);
	set_rte(11, IOAPIC_RTE_LEVEL | 0x60);
	ioapic_set_pin(&io, 10, 1);
	ioapic_set_pin(&io, 11, 1);
	assert_int_equal(nr_msgs, 2);
	ioapic_set_pin(&io, 10, 0);
	ioapic_eoi(&io, 0x60);
	assert_int_equal(nr_msgs, 3);	/* 11 again, 10 not */
	assert_false(get_rte(10) & IOAPIC_RTE_REMOTE_IRR);
	assert_true(get_rte(11) & IOAPIC_RTE_REMOTE_IRR);
}

/* A masked level pin asserts nothing; unmasked while asserted it is sent. */
static void test_level_masked_then_unmasked(void **state)
{
	(void)state;
	set_rte(3, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x43);
	ioapic_set_pin(&io, 3, 1);
	assert_int_equal(nr_msgs, 0);
	assert_false(get_rte(3) & IOAPIC_RTE_REMOTE_IRR);
	set_rte(3, IOAPIC_RTE_LEVEL | 0x43);
	assert_int_equal(nr_msgs, 1);
	assert_true(get_rte(3) & IOAPIC_RTE_REMOTE_IRR);
	/* masked with remote IRR set: the EOI clears it, nothing is sent */
	set_rte(3, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x43);
	assert_true(get_rte(3) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_eoi(&io, 0x43);
	assert_false(get_rte(3) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(nr_msgs, 1);
}

/* A level message no LAPIC took leaves remote IRR clear, and the pin is
 * tried again at the next entry write. */
static void test_level_not_accepted(void **state)
{
	(void)state;
	accept = 0;
	set_rte(12, IOAPIC_RTE_LEVEL | 0x70);
	ioapic_set_pin(&io, 12, 1);
	assert_int_equal(nr_msgs, 1);
	assert_false(get_rte(12) & IOAPIC_RTE_REMOTE_IRR);
	accept = 2;
	wr(IOAPIC_REG_REDTBL + 2 * 12 + 1, 0x01000000);
	assert_int_equal(nr_msgs, 2);
	assert_int_equal(msgs[1].dest, 1);
	assert_true(get_rte(12) & IOAPIC_RTE_REMOTE_IRR);
	/* now waiting for the EOI: more writes send nothing */
	wr(IOAPIC_REG_REDTBL + 2 * 12 + 1, 0x02000000);
	assert_int_equal(nr_msgs, 2);
}

/* Linux's remote-IRR clearing for version 0x11 (no EOI register): the
 * entry rewritten as edge (masked) then level again. */
static void test_edge_rewrite_clears_remote_irr(void **state)
{
	(void)state;
	set_rte(14, IOAPIC_RTE_LEVEL | 0x80);
	ioapic_set_pin(&io, 14, 1);
	assert_int_equal(nr_msgs, 1);
	assert_true(get_rte(14) & IOAPIC_RTE_REMOTE_IRR);
	set_rte(14, IOAPIC_RTE_MASKED | 0x80);
	assert_false(get_rte(14) & IOAPIC_RTE_REMOTE_IRR);
	set_rte(14, IOAPIC_RTE_LEVEL | 0x80);
	/* still asserted, no remote IRR, unmasked: sent */
	assert_int_equal(nr_msgs, 2);
	assert_true(get_rte(14) & IOAPIC_RTE_REMOTE_IRR);
	/* writing a remote IRR bit does nothing */
	set_rte(15, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | IOAPIC_RTE_REMOTE_IRR | 0x81);
	assert_false(get_rte(15) & IOAPIC_RTE_REMOTE_IRR);
}

/* Active-low level pin: asserted while the line is low. */
static void test_level_active_low(void **state)
{
	(void)state;
	ioapic_set_pin(&io, 16, 1);
	set_rte(16, IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW | 0x90);
	assert_int_equal(nr_msgs, 0);
	ioapic_set_pin(&io, 16, 0);
	assert_int_equal(nr_msgs, 1);
	ioapic_set_pin(&io, 16, 1);
	ioapic_eoi(&io, 0x90);
	assert_int_equal(nr_msgs, 1);
	/* polarity flipped to active high while the line is high: asserted, sent */
	set_rte(16, IOAPIC_RTE_LEVEL | 0x90);
	assert_int_equal(nr_msgs, 2);
}

/* Every delivery mode and destination form as the message says them. */
static void test_delivery_modes(void **state)
{
	static const struct {
		u32 dm;
		bool level;
	} sendable[] = {
		{ APIC_BUS_DM_FIXED, true }, { APIC_BUS_DM_LOWEST, true },
		{ APIC_BUS_DM_NMI, false }, { APIC_BUS_DM_INIT, false },
		{ APIC_BUS_DM_EXTINT, false },
	};

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(sendable); i++) {
		u32 pin = 17 + i;

		nr_msgs = 0;
		/* trigger bit level for all: only fixed and lowest keep it */
		set_rte(pin, DEST(0x0F) | IOAPIC_RTE_LOGICAL | IOAPIC_RTE_LEVEL |
			DM(sendable[i].dm) | 0x2A);
		ioapic_set_pin(&io, pin, 1);
		assert_int_equal(nr_msgs, 1);
		assert_int_equal(msgs[0].delivery, sendable[i].dm);
		assert_true(msgs[0].logical);
		assert_int_equal(msgs[0].dest, 0x0F);
		assert_int_equal(msgs[0].vector, 0x2A);
		assert_int_equal(msgs[0].level_trigger, sendable[i].level);
		assert_true(msgs[0].level_assert);
		assert_int_equal(!!(get_rte(pin) & IOAPIC_RTE_REMOTE_IRR), sendable[i].level);
		/* edge-sensitive ones: high and low again, the next rise sends */
		ioapic_set_pin(&io, pin, 0);
		ioapic_set_pin(&io, pin, 1);
		assert_int_equal(nr_msgs, sendable[i].level ? 1 : 2);
	}
	/* broadcast destination passes as is */
	nr_msgs = 0;
	set_rte(4, DEST(0xFF) | 0x33);
	ioapic_set_pin(&io, 4, 1);
	assert_int_equal(msgs[0].dest, 0xFF);
	assert_false(msgs[0].logical);
}

/* SMI and the reserved modes send nothing, are recorded in bad_mode, and
 * free the pin (taken). */
static void test_bad_modes(void **state)
{
	static const u32 bad[] = { APIC_BUS_DM_SMI, 3, APIC_BUS_DM_STARTUP };

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(bad); i++) {
		io.bad_mode = 0;
		set_rte(5, DM(bad[i]) | 0x35);
		(void)ioapic_take_reports(&io);
		ioapic_set_pin(&io, 5, 1);
		ioapic_set_pin(&io, 5, 0);
		assert_int_equal(nr_msgs, 0);
		assert_int_equal(io.bad_mode, 1u << 5);
		assert_int_equal(ioapic_take_reports(&io), 1u << 5);
		/* level bit with a bad mode: edge-sensitive, no remote IRR */
		set_rte(5, IOAPIC_RTE_LEVEL | DM(bad[i]) | 0x35);
		ioapic_set_pin(&io, 5, 1);
		ioapic_set_pin(&io, 5, 0);
		assert_false(get_rte(5) & IOAPIC_RTE_REMOTE_IRR);
	}
}

/* Vectors below 16 are sent anyway (the LAPIC flags them). */
static void test_low_vector_sent(void **state)
{
	(void)state;
	set_rte(6, 0x05);
	ioapic_set_pin(&io, 6, 1);
	assert_int_equal(nr_msgs, 1);
	assert_int_equal(msgs[0].vector, 0x05);
}

/* Pins beyond 23 do not exist. */
static void test_pins_out_of_range(void **state)
{
	(void)state;
	for (u32 p = 0; p < IOAPIC_NR_PINS; p++)
		set_rte(p, 0x40 + p);
	ioapic_set_pin(&io, 24, 1);
	ioapic_set_pin(&io, 31, 1);
	ioapic_set_pin(&io, 0xFFFFFFFF, 1);
	assert_int_equal(nr_msgs, 0);
	assert_int_equal(io.line, 0);
	assert_false(ioapic_pin_asserted(&io, 24));
	ioapic_set_pin(&io, 23, 1);
	assert_int_equal(nr_msgs, 1);
	assert_int_equal(msgs[0].vector, 0x40 + 23);
}

/* Reset: entries masked, remote IRR gone, ID as given, line levels kept
 * (an edge after the reset needs a new rise). */
static void test_reset(void **state)
{
	(void)state;
	set_rte(9, IOAPIC_RTE_LEVEL | 0x59);
	set_rte(4, 0x34);
	wr(IOAPIC_REG_ID, 0x0A000000);
	ioapic_set_pin(&io, 9, 1);
	ioapic_set_pin(&io, 4, 1);
	assert_int_equal(nr_msgs, 2);
	ioapic_reset(&io, 1);
	assert_int_equal(get_rte(9), IOAPIC_RTE_MASKED);
	assert_int_equal(get_rte(4), IOAPIC_RTE_MASKED);
	assert_int_equal(rd(IOAPIC_REG_ID), 0x01000000);
	assert_int_equal(ioapic_take_reports(&io), 0);
	assert_int_equal(io.line, (1u << 9) | (1u << 4));
	set_rte(4, 0x34);
	assert_int_equal(nr_msgs, 2);
	ioapic_set_pin(&io, 4, 1);
	assert_int_equal(nr_msgs, 2);
	/* the level line is still high: unmasked, it is sent */
	set_rte(9, IOAPIC_RTE_LEVEL | 0x59);
	assert_int_equal(nr_msgs, 3);
	/* IDs wider than 4 bits are cut */
	ioapic_reset(&io, 0x13);
	assert_int_equal(rd(IOAPIC_REG_ID), 0x03000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_id_version_regsel, setup),
		cmocka_unit_test_setup(test_bad_accesses, setup),
		cmocka_unit_test_setup(test_rte_bits, setup),
		cmocka_unit_test_setup(test_edge_fixed, setup),
		cmocka_unit_test_setup(test_edge_masked_lost, setup),
		cmocka_unit_test_setup(test_edge_active_low, setup),
		cmocka_unit_test_setup(test_level_remote_irr_eoi, setup),
		cmocka_unit_test_setup(test_level_shared_vector, setup),
		cmocka_unit_test_setup(test_level_masked_then_unmasked, setup),
		cmocka_unit_test_setup(test_level_not_accepted, setup),
		cmocka_unit_test_setup(test_edge_rewrite_clears_remote_irr, setup),
		cmocka_unit_test_setup(test_level_active_low, setup),
		cmocka_unit_test_setup(test_delivery_modes, setup),
		cmocka_unit_test_setup(test_bad_modes, setup),
		cmocka_unit_test_setup(test_low_vector_sent, setup),
		cmocka_unit_test_setup(test_pins_out_of_range, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
