/*
 * tests/guests/lib/time.c - PM timer and PIT delays, 64-bit division for
 * the C test guests (time.h).
 */
#include "time.h"
#include "cpu.h"

static u16 pm_port;
static u32 pm_mask;

void t_pm_init(u16 port, int bits32)
{
	pm_port = port;
	pm_mask = bits32 ? 0xFFFFFFFFu : 0x00FFFFFFu;
}

int t_pm_present(void)
{
	return pm_port != 0;
}

u32 t_pm_read(void)
{
	return inl(pm_port) & pm_mask;
}

u32 t_pm_since(u32 then)
{
	return (t_pm_read() - then) & pm_mask;
}

u64 t_udiv64(u64 a, u32 b, u32 *rem)
{
	u64 q = 0, r = 0;

	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((a >> i) & 1);
		if (r >= b) {
			r -= b;
			q |= 1ull << i;
		}
	}
	if (rem)
		*rem = (u32)r;
	return q;
}

u32 t_muldiv(u32 a, u32 b, u32 c)
{
	return (u32)t_udiv64((u64)a * b, c, NULL);
}

u32 t_pm_ticks(u32 us)
{
	return t_muldiv(us, T_PM_HZ, 1000000);
}

void t_pm_delay_us(u32 us)
{
	/* steps of at most 1 s keep each wait well inside the 24-bit wrap (4.6 s) */
	while (us) {
		u32 step = us > 1000000 ? 1000000 : us;
		u32 start = t_pm_read(), want = t_pm_ticks(step);

		while (t_pm_since(start) < want)
			t_pause();
		us -= step;
	}
}

void t_pit_delay_us(u32 us)
{
	while (us) {
		u32 step = us > 50000 ? 50000 : us;
		u32 count = t_muldiv(step, T_PIT_HZ, 1000000);
		u8 b61 = inb(0x61);

		if (count < 2)
			count = 2;
		outb(0x61, (b61 & ~0x02) & ~0x01);	/* gate off, speaker off */
		outb(0x43, 0xB0);			/* channel 2, lo/hi, mode 0 */
		outb(0x42, (u8)count);
		outb(0x42, (u8)(count >> 8));
		outb(0x61, (b61 & ~0x02) | 0x01);	/* gate on: counting starts */
		/* OUT2 (bit 5) goes high at terminal count; bounded by a large spin */
		for (u32 i = 0; i < 200000000u && !(inb(0x61) & 0x20); i++)
			t_pause();
		us -= step;
	}
}

void t_delay_us(u32 us)
{
	if (pm_port)
		t_pm_delay_us(us);
	else
		t_pit_delay_us(us);
}
