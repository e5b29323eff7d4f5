/*
 * tests/fuzz/fuzz_devices.c - libFuzzer harness for the device models that
 * keep time: the 8254 PIT (with port 0x61), the MC146818 RTC, the i8042
 * keyboard controller, port 0x92, a port sink and the VGA text screen (its
 * CRTC ports and the MMIO buffer at 0xB8000), on a guest built by
 * tests/unit/devemu_fixture.h with the PIC pair their interrupt lines go to.
 * (The PIC, ELCR and UART have their own, checking harness: fuzz_devemu.c.)
 *
 * Each input is a program, one operation after another: op byte b, then
 *   b&3 = 0  write: port index byte, value byte (8-bit), or 2 bytes when b&4
 *         1  read: port index byte (16-bit read when b&4)
 *         2  time passes: (byte + 1) << (b >> 2 & 15) ns, then due timer
 *            events run, as the host timer would run them
 *         3  guest reset of every device (b&4); else, b&8: an MMIO access to
 *            the VGA buffer (2 offset bytes, read if b&16 else a value byte
 *            written; width 1 << (b >> 5 & 3)), else an INTA if INTR is up
 * After every step: reads fit their width; no timer event is left due
 * after the events ran (a model that re-arms in the past is caught);
 * besides ASan/UBSan. After the program, the devices are removed and every
 * allocation must have been freed.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/devemu_fixture.h"
#include "kernel/timer.h"
#include "kernel/printk.h"
#include "kernel/arch_console.h"
#include "kernel/arch_cpu.h"

static const struct fx_region regions[] = {
	{ "pic_master", 0x20, 2, "i8259a", -1 },
	{ "pic_slave", 0xA0, 2, "i8259a", 2 },
	{ "pit", 0x40, 4, "i8254", 0 },
	{ "port61", 0x61, 1, "i8254,port61", -1 },
	{ "rtc", 0x70, 2, "mc146818", 8 },
	{ "kbd_data", 0x60, 1, "i8042", 1 },
	{ "kbd_ctl", 0x64, 1, "i8042", 1 },
	{ "port92", 0x92, 1, "port92", -1 },
	{ "port80", 0x80, 1, "ioport-sink", -1 },
	{ "vga_crtc", 0x3D4, 2, "vga-crtc", -1 },
	{ "vga_text", 0xB8000, 0x8000, "vga-text", -1 },	/* MMIO */
};

static const u16 ports[] = {
	0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x60, 0x64, 0x92, 0x80, 0x20, 0x21, 0xA0, 0xA1,
	0x3D4, 0x3D5,
};

#define CHECK(cond, ...) do {							\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz_devices: " __VA_ARGS__);		\
			fprintf(stderr, "\n");					\
			abort();						\
		}								\
	} while (0)

static struct fx fx;

/* Console output is dropped here (fuzz_devemu.c checks its bytes). */
void arch_console_write(const char *s, size_t n)
{
	(void)s;
	(void)n;
}

#include "tests/fuzz/fuzz_host.h"

static void run_timers(void)
{
	vmm_timer_process();
	CHECK(vmm_timer_next_expiry() > fx_now_ns,
	      "a timer event is still due at %llu after the events ran (expiry %llu)",
	      (unsigned long long)fx_now_ns, (unsigned long long)vmm_timer_next_expiry());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = 0;

	vmm_printk_set_level(VMM_LOG_DEBUG);	/* format every message */
	fx_now_ns = 1000000;
	if (fx_create(&fx, "fuzz", regions, sizeof(regions) / sizeof(regions[0])) != VMM_OK)
		abort();
	while (i < size) {
		u8 b = data[i++];
		u16 port;
		u32 v = 0;

		switch (b & 3) {
		case 0:
			if (i + 2 > size)
				goto out;
			port = ports[data[i++] % (sizeof(ports) / sizeof(ports[0]))];
			v = data[i++];
			if ((b & 4) && i < size)
				v |= (u32)data[i++] << 8;
			vmm_devemu_io_write(fx.guest, port, (b & 4) ? 2 : 1, v);
			break;
		case 1:
			if (i + 1 > size)
				goto out;
			port = ports[data[i++] % (sizeof(ports) / sizeof(ports[0]))];
			vmm_devemu_io_read(fx.guest, port, (b & 4) ? 2 : 1, &v);
			CHECK(v <= ((b & 4) ? 0xFFFFu : 0xFFu), "read of port 0x%x gave 0x%x, wider than %d bytes",
			      port, v, (b & 4) ? 2 : 1);
			break;
		case 2:
			if (i + 1 > size)
				goto out;
			fx_now_ns += ((u64)data[i++] + 1) << ((b >> 2) & 15);
			run_timers();
			break;
		case 3:
			if (b & 4) {
				vmm_devemu_guest_reset(fx.guest);
			} else if (b & 8) {
				u32 width = 1u << ((b >> 5) & 3);
				u64 gpa, mv = 0;

				if (i + 3 > size)
					goto out;
				gpa = 0xB8000 + ((data[i] | (u32)data[i + 1] << 8) & 0x7FFF);
				i += 2;
				if (b & 16) {
					vmm_devemu_mmio_read(fx.guest, gpa, width, &mv);
					CHECK(width == 8 || mv < (1ULL << (width * 8)),
					      "MMIO read at 0x%llx gave 0x%llx, wider than %u bytes",
					      (unsigned long long)gpa, (unsigned long long)mv, width);
				} else {
					vmm_devemu_mmio_write(fx.guest, gpa, width, data[i++] * 0x0101010101010101ULL);
				}
			} else if (vmm_vcpu_irq_pending(&fx.vcpu->irq)) {
				vmm_vcpu_irq_acknowledge(fx.vcpu);
			}
			break;
		}
	}
out:
	fx_destroy(&fx);
	CHECK(fx_heap_live == 0, "%ld allocations not freed after the devices were removed",
	      fx_heap_live);
	return 0;
}
