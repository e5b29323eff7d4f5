/*
 * tests/fuzz/fuzz_ioapic.c - libFuzzer harness of the I/O APIC model
 * (devemu/ioapic_model.c), checked step by step against a reference written
 * here from the 82093AA datasheet and the model's documented choices
 * (devemu/ioapic_model.h): every MMIO read gives the reference's value,
 * every message on the APIC bus is the reference's (same order, vector,
 * mode, destination, trigger), no reserved bit of an entry is ever set,
 * remote IRR only on level fixed/lowest entries, taken pins only below 24.
 *
 * Input: one operation after another, op byte b, then
 *   b&7 = 0  MMIO write: offset byte (0x00, 0x10 or the byte itself when
 *            b&8), width 1 << (b >> 4 & 3), 4 value bytes
 *         1  MMIO read: offset byte as above, width as above
 *         2  pin: pin byte (any: >= 24 is ignored), level b&8
 *         3  EOI: vector byte
 *         4  reset: ID byte
 *         5  register write through IOREGSEL/IOWIN: index byte, 4 value bytes
 *         6  a LAPIC count byte: how many accept the next messages (0-2)
 *         7  nothing
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devemu/ioapic_model.h"
#include "kernel/error.h"

#define CHECK(cond, ...) do {							\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz_ioapic: " __VA_ARGS__);		\
			fprintf(stderr, "\n");					\
			abort();						\
		}								\
	} while (0)

/* ---- the reference ---- */

struct ref {
	u64 rte[24];
	u32 line, id, regsel;
};

struct msg {
	u8 vector, dm;
	bool logical, level;
	u32 dest;
};

#define MAX_Q 256
static struct msg want[MAX_Q], got[MAX_Q];
static u32 nr_want, nr_got, accept;

static bool ref_level(u64 e)
{
	u32 dm = (e >> 8) & 7;

	return (e >> 15 & 1) && dm <= 1;
}

static bool ref_asserted(const struct ref *r, u32 p)
{
	return ((r->line >> p) & 1) ^ ((r->rte[p] >> 13) & 1);
}

static void ref_fire(struct ref *r, u32 p)
{
	u64 e = r->rte[p];
	u32 dm = (e >> 8) & 7;

	if (dm == 2 || dm == 3 || dm == 6)
		return;
	if (nr_want < MAX_Q)
		want[nr_want] = (struct msg){ (u8)e, (u8)dm, (e >> 11) & 1, ref_level(e),
					      (u32)(e >> 56) };
	nr_want++;
	if (ref_level(e) && accept)
		r->rte[p] |= 1ull << 14;
}

static void ref_level_check(struct ref *r, u32 p)
{
	u64 e = r->rte[p];

	if (ref_level(e) && !(e >> 16 & 1) && !(e >> 14 & 1) && ref_asserted(r, p))
		ref_fire(r, p);
}

static void ref_reset(struct ref *r, u8 id)
{
	for (u32 p = 0; p < 24; p++)
		r->rte[p] = 1ull << 16;
	r->id = (u32)(id & 15) << 24;
	r->regsel = 0;
}

static u32 ref_reg(const struct ref *r, u32 i)
{
	if (i == 0 || i == 2)
		return r->id;
	if (i == 1)
		return 0x00170011;
	if (i >= 0x10 && i < 0x40)
		return (i & 1) ? (u32)(r->rte[(i - 0x10) / 2] >> 32) : (u32)r->rte[(i - 0x10) / 2];
	return 0;
}

static void ref_reg_write(struct ref *r, u32 i, u32 v)
{
	u32 p;
	u64 e;

	if (i == 0)
		r->id = v & 0x0F000000;
	if (i < 0x10 || i >= 0x40)
		return;
	p = (i - 0x10) / 2;
	e = r->rte[p];
	if (i & 1)
		e = (e & 0xFFFFFFFFull) | ((u64)(v & 0xFF000000) << 32);
	else
		e = (e & ~0xFFFFFFFFull) | (v & 0x1AFFF) | (e & (1ull << 14));
	if (!ref_level(e))
		e &= ~(1ull << 14);
	r->rte[p] = e;
	ref_level_check(r, p);
}

static void ref_pin(struct ref *r, u32 p, bool level)
{
	bool was, now;

	if (p >= 24)
		return;
	was = ref_asserted(r, p);
	r->line = level ? r->line | 1u << p : r->line & ~(1u << p);
	now = ref_asserted(r, p);
	if (ref_level(r->rte[p]))
		ref_level_check(r, p);
	else if (!was && now && !(r->rte[p] >> 16 & 1))
		ref_fire(r, p);
}

static void ref_eoi(struct ref *r, u8 v)
{
	for (u32 p = 0; p < 24; p++)
		if ((r->rte[p] >> 14 & 1) && (u8)r->rte[p] == v) {
			r->rte[p] &= ~(1ull << 14);
			ref_level_check(r, p);
		}
}

/* ---- the model's bus ---- */

static u32 record(void *priv, const struct vmm_apic_msg *m)
{
	CHECK(m->shorthand == APIC_BUS_SH_NONE && m->level_assert && !m->x2apic_dest &&
	      m->sender == APIC_BUS_NO_SENDER && m->dest <= 0xFF, "malformed message");
	if (nr_got < MAX_Q)
		got[nr_got] = (struct msg){ m->vector, m->delivery, m->logical, m->level_trigger,
					    m->dest };
	nr_got++;
	return accept;
}

static void compare(const struct ioapic *a, const struct ref *r)
{
	CHECK(nr_got == nr_want, "%u messages, the reference %u", nr_got, nr_want);
	for (u32 i = 0; i < nr_got && i < MAX_Q; i++)
		CHECK(!memcmp(&got[i], &want[i], sizeof(got[i])),
		      "message %u: vector 0x%x mode %u dest 0x%x level %d, the reference 0x%x %u 0x%x %d",
		      i, got[i].vector, got[i].dm, got[i].dest, got[i].level,
		      want[i].vector, want[i].dm, want[i].dest, want[i].level);
	nr_got = nr_want = 0;
	for (u32 p = 0; p < 24; p++) {
		u64 e = a->rte[p];

		CHECK(e == r->rte[p], "pin %u: entry 0x%llx, the reference 0x%llx", p,
		      (unsigned long long)e, (unsigned long long)r->rte[p]);
		CHECK(!(e & ~(IOAPIC_RTE_WRITABLE | IOAPIC_RTE_REMOTE_IRR)), "pin %u: reserved bits", p);
		CHECK(!(e & IOAPIC_RTE_REMOTE_IRR) || ref_level(e), "pin %u: remote IRR on edge", p);
	}
	CHECK(a->id == r->id && !(a->id & ~0x0F000000u), "ID 0x%x, the reference 0x%x", a->id, r->id);
	CHECK(!(a->taken & ~0xFFFFFFu) && !(a->bad_mode & ~0xFFFFFFu), "taken/bad beyond pin 23");
}

static u32 le32(const uint8_t *d)
{
	return d[0] | (u32)d[1] << 8 | (u32)d[2] << 16 | (u32)d[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct ioapic a;
	static struct ref r;
	size_t i = 0;

	nr_got = nr_want = 0;
	accept = 1;
	ioapic_init(&a, 2, record, NULL);
	memset(&r, 0, sizeof(r));
	ref_reset(&r, 2);
	while (i < n) {
		u8 b = d[i++];
		u32 width = 1u << (b >> 4 & 3), off, v;
		int rc;

		switch (b & 7) {
		case 0:
		case 1:
			if (i + 1 > n)
				return 0;
			off = (b & 8) ? d[i] : (d[i] & 1) ? 0x10 : 0x00;
			i++;
			if ((b & 7) == 0) {
				if (i + 4 > n)
					return 0;
				v = le32(d + i);
				i += 4;
				rc = ioapic_mmio_write(&a, off, width, v);
				if (off == 0 && (width == 4 || width == 1))
					r.regsel = v & 0xFF;
				else if (off == 0x10 && width == 4)
					ref_reg_write(&r, r.regsel, v);
				else
					CHECK(rc == -VMM_EINVALID, "bad write accepted");
			} else {
				u32 want_v = 0;

				rc = ioapic_mmio_read(&a, off, width, &v);
				if (off == 0 && (width == 4 || width == 1))
					want_v = r.regsel;
				else if (off == 0x10 && width == 4)
					want_v = ref_reg(&r, r.regsel);
				else
					CHECK(rc == -VMM_EINVALID, "bad read accepted");
				CHECK(v == want_v, "read 0x%x at 0x%x/%u, the reference 0x%x", v, off,
				      width, want_v);
			}
			break;
		case 2:
			if (i + 1 > n)
				return 0;
			ioapic_set_pin(&a, d[i], b & 8);
			ref_pin(&r, d[i], b & 8);
			i++;
			break;
		case 3:
			if (i + 1 > n)
				return 0;
			ioapic_eoi(&a, d[i]);
			ref_eoi(&r, d[i]);
			i++;
			break;
		case 4:
			if (i + 1 > n)
				return 0;
			ioapic_reset(&a, d[i]);
			ref_reset(&r, d[i]);
			i++;
			break;
		case 5:
			if (i + 5 > n)
				return 0;
			ioapic_reg_write(&a, d[i], le32(d + i + 1));
			ref_reg_write(&r, d[i], le32(d + i + 1));
			CHECK(ioapic_reg_read(&a, d[i]) == ref_reg(&r, d[i]), "register 0x%x", d[i]);
			i += 5;
			break;
		case 6:
			if (i + 1 > n)
				return 0;
			accept = d[i++] % 3;
			break;
		default:
			break;
		}
		compare(&a, &r);
		(void)ioapic_take_reports(&a);
		a.bad_mode = 0;
	}
	return 0;
}
