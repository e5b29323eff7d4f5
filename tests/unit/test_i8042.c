/*
 * tests/unit/test_i8042.c - the keyboard controller model (devemu/i8042.c):
 * the 8042's status register, configuration byte and RAM, its commands
 * (tests, port enables, output port, pulses of the reset line that reset the
 * guest), the order of controller answers and keyboard bytes in the output
 * buffer, IRQ1 with its edges, the keyboard's commands and answers (with and
 * without translation), port 0x92 and the I/O port sink.
 *
 * The models are driven through their ops tables with the regions of
 * dts/guests/pc-guest.dtsi; the devemu services (interrupt lines, shared
 * state, region IRQ) and vmm_manager_guest_reboot() are fakes in this file,
 * linked before the kernel archive (so devemu/devemu.o and kernel/manager.o
 * are not pulled in). The fake guest reset runs every instance's reset op,
 * as the real one does through vmm_devemu_guest_reset().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "tests/unit/fake_heap.h"
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/error.h"

extern const struct vmm_emulator i8042_emulator;
extern const struct vmm_emulator port92_emulator;
extern const struct vmm_emulator ioport_sink_emulator;

#define ST_OBF 0x01
#define ST_SYS 0x04
#define ST_A2 0x08
#define ST_UNLOCKED 0x10
#define ST_AUXB 0x20

/* ---- fake devemu services and guest reset ---- */

#define NR_DEVS 5
static struct vmm_guest guest;
static struct vmm_region_config cfgs[NR_DEVS];
static struct vmm_region regions[NR_DEVS];
static struct vmm_emudev devs[NR_DEVS];
static int region_irqs[NR_DEVS];
static int nr_devs;

static int line[16];
static int rising[16];
static int resets;
static int reset_rc;

void vmm_devemu_set_irq(struct vmm_guest *g, u32 irq, int level)
{
	assert_ptr_equal(g, &guest);
	assert_true(irq < 16);
	if (level && !line[irq])
		rising[irq]++;
	line[irq] = level;
}

int vmm_devemu_region_irq(struct vmm_emudev *ed)
{
	return region_irqs[ed - devs];
}

static struct { const char *key; void *data; } shared[4];

void *vmm_devemu_guest_shared(struct vmm_guest *g, const char *key, size_t size)
{
	assert_ptr_equal(g, &guest);
	for (size_t i = 0; i < ARRAY_SIZE(shared); i++) {
		if (shared[i].key && !strcmp(shared[i].key, key))
			return shared[i].data;
		if (!shared[i].key) {
			shared[i].data = vmm_zalloc(size);
			if (shared[i].data)
				shared[i].key = key;
			return shared[i].data;
		}
	}
	return NULL;
}

int vmm_manager_guest_reboot(struct vmm_guest *g)
{
	assert_ptr_equal(g, &guest);
	resets++;
	for (int i = 0; i < nr_devs; i++)
		if (devs[i].emu->reset)
			assert_int_equal(devs[i].emu->reset(&devs[i]), VMM_OK);
	return reset_rc;
}

/* ---- the guest's devices ---- */

enum { KBD_DATA, KBD_CTL, PORT92, SINK };

static void add_dev(const char *name, u16 port, u16 count, const struct vmm_emulator *emu, int irq)
{
	int i = nr_devs++;

	snprintf(cfgs[i].name, sizeof(cfgs[i].name), "%s", name);
	cfgs[i].kind = VMM_REGION_VIRTUAL;
	cfgs[i].io = true;
	cfgs[i].gpa = port;
	cfgs[i].size = count;
	snprintf(cfgs[i].compatible, sizeof(cfgs[i].compatible), "%s", emu->compatible[0]);
	regions[i].cfg = &cfgs[i];
	devs[i].guest = &guest;
	devs[i].region = &regions[i];
	devs[i].emu = emu;
	region_irqs[i] = irq;
}

/* Probe and reset every device, as vmm_devemu_guest_init() does. */
static void start_devs(void)
{
	for (int i = 0; i < nr_devs; i++) {
		if (devs[i].emu->probe)
			assert_int_equal(devs[i].emu->probe(&devs[i]), VMM_OK);
		if (devs[i].emu->reset)
			assert_int_equal(devs[i].emu->reset(&devs[i]), VMM_OK);
	}
}

/* The PC layout: kbd_data 0x60 and kbd_ctl 0x64 (IRQ1), port92, port80. */
static void pc_devs(void)
{
	add_dev("kbd_data", 0x60, 1, &i8042_emulator, 1);
	add_dev("kbd_ctl", 0x64, 1, &i8042_emulator, 1);
	add_dev("port92", 0x92, 1, &port92_emulator, -1);
	add_dev("port80", 0x80, 1, &ioport_sink_emulator, -1);
	start_devs();
}

static u8 in(int dev, u64 off)
{
	u64 v = 0xDEAD;

	assert_int_equal(devs[dev].emu->read(&devs[dev], off, 1, &v), VMM_OK);
	assert_true(v <= 0xFF);
	return (u8)v;
}

static int out_rc(int dev, u64 off, u8 v)
{
	return devs[dev].emu->write(&devs[dev], off, 1, v);
}

static void out(int dev, u64 off, u8 v)
{
	assert_int_equal(out_rc(dev, off, v), VMM_OK);
}

static u8 status(void)
{
	return in(KBD_CTL, 0);
}

static void cmd(u8 c)
{
	out(KBD_CTL, 0, c);
}

static void data(u8 v)
{
	out(KBD_DATA, 0, v);
}

/* Read the output buffer, which must be full. */
static u8 read_obf(void)
{
	assert_true(status() & ST_OBF);
	return in(KBD_DATA, 0);
}

/* The next bytes of the output buffer are exactly these. */
#define EXPECT_BYTES(...) do {						\
	static const u8 want_[] = { __VA_ARGS__ };			\
	for (size_t i_ = 0; i_ < sizeof(want_); i_++)			\
		assert_int_equal(read_obf(), want_[i_]);		\
	assert_int_equal(status() & ST_OBF, 0);				\
} while (0)

static u8 config(void)
{
	cmd(0x20);
	return read_obf();
}

static void set_config(u8 v)
{
	cmd(0x60);
	data(v);
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_heap_reset();
	memset(&guest, 0, sizeof(guest));
	snprintf(guest.name, sizeof(guest.name), "g0");
	memset(cfgs, 0, sizeof(cfgs));
	memset(regions, 0, sizeof(regions));
	memset(devs, 0, sizeof(devs));
	memset(shared, 0, sizeof(shared));
	memset(line, 0, sizeof(line));
	memset(rising, 0, sizeof(rising));
	nr_devs = 0;
	resets = 0;
	reset_rc = VMM_OK;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < nr_devs; i++)
		if (devs[i].emu->remove && devs[i].priv)
			devs[i].emu->remove(&devs[i]);
	for (size_t i = 0; i < ARRAY_SIZE(shared); i++)
		vmm_free(shared[i].data);
	assert_int_equal(fake_heap_live, 0);
	return 0;
}

/* ---- status register and configuration byte ---- */

static void test_power_on_status_and_config(void **state)
{
	(void)state;
	pc_devs();
	/* SYS (POST passed) and not inhibited; nothing to read */
	assert_int_equal(status(), ST_SYS | ST_UNLOCKED);
	cmd(0x20);
	/* the answer is there, and the last write was a command (A2) */
	assert_int_equal(status(), ST_OBF | ST_SYS | ST_A2 | ST_UNLOCKED);
	/* keyboard interrupt, SYS, aux port off, translation */
	assert_int_equal(in(KBD_DATA, 0), 0x65);
	assert_int_equal(status(), ST_SYS | ST_A2 | ST_UNLOCKED);
	assert_int_equal(rising[1], 1);
	assert_int_equal(line[1], 0);
}

static void test_write_config_and_sys_flag(void **state)
{
	(void)state;
	pc_devs();
	set_config(0x00);
	/* a data write clears A2; SYS follows configuration bit 2 */
	assert_int_equal(status(), ST_UNLOCKED);
	assert_int_equal(config(), 0x00);
	set_config(0x04);
	assert_int_equal(status() & ST_SYS, ST_SYS);
	assert_int_equal(config(), 0x04);
}

static void test_controller_ram(void **state)
{
	(void)state;
	pc_devs();
	for (u8 i = 1; i < 32; i++) {
		cmd(0x60 + i);
		data(0x80 | i);
	}
	for (u8 i = 1; i < 32; i++) {
		cmd(0x20 + i);
		assert_int_equal(read_obf(), 0x80 | i);
	}
	assert_int_equal(config(), 0x65);
}

static void test_self_tests(void **state)
{
	(void)state;
	pc_devs();
	set_config(0x61);			/* SYS off */
	cmd(0xAA);
	EXPECT_BYTES(0x55);
	assert_int_equal(status() & ST_SYS, ST_SYS);	/* self test sets SYS */
	assert_int_equal(config(), 0x65);
	cmd(0xAB);
	EXPECT_BYTES(0x00);
	cmd(0xA9);
	EXPECT_BYTES(0x00);
}

static void test_port_enable_commands(void **state)
{
	(void)state;
	pc_devs();
	cmd(0xAD);
	assert_int_equal(config(), 0x75);
	cmd(0xAE);
	assert_int_equal(config(), 0x65);
	cmd(0xA8);
	assert_int_equal(config(), 0x45);
	cmd(0xA7);
	assert_int_equal(config(), 0x65);
	assert_int_equal(resets, 0);
}

/* ---- output port, reset, pulses ---- */

static void test_output_port(void **state)
{
	(void)state;
	pc_devs();
	/* keyboard clock and data high, A20 on, reset line high */
	cmd(0xD0);
	EXPECT_BYTES(0xC3);
	cmd(0xD1);
	data(0xC1);				/* A20 off, no reset */
	assert_int_equal(resets, 0);
	cmd(0xD0);
	EXPECT_BYTES(0xC1);
	/* bits 4 and 5 show the output-buffer interrupt pins */
	cmd(0xD2);
	data(0x12);
	cmd(0xD0);
	assert_int_equal(read_obf(), 0x12);
	assert_int_equal(read_obf(), 0xD1);
	cmd(0xD3);
	data(0x34);
	cmd(0xD0);
	assert_int_equal(read_obf(), 0x34);
	assert_int_equal(read_obf(), 0xE1);
	/* writes to bits 4 and 5 are not kept */
	cmd(0xD1);
	data(0xF3);
	cmd(0xD0);
	EXPECT_BYTES(0xC3);
}

static void test_output_port_reset_bit(void **state)
{
	(void)state;
	pc_devs();
	set_config(0x44);
	cmd(0xD1);
	data(0xC2);				/* bit 0 = 0: system reset */
	assert_int_equal(resets, 1);
	/* the controller came back as after power-on */
	assert_int_equal(config(), 0x65);
	cmd(0xD0);
	EXPECT_BYTES(0xC3);
	assert_true(fake_console_contains("guest g0: reset through the keyboard controller's output port"));
}

static void test_pulse_commands(void **state)
{
	static const struct { u8 cmd; int resets; } pulses[] = {
		{ 0xFF, 0 }, { 0xFD, 0 }, { 0xF1, 0 }, { 0xFE, 1 }, { 0xFC, 1 }, { 0xF0, 1 },
	};

	(void)state;
	pc_devs();
	for (size_t i = 0; i < ARRAY_SIZE(pulses); i++) {
		resets = 0;
		cmd(pulses[i].cmd);
		assert_int_equal(resets, pulses[i].resets);
		assert_int_equal(status() & ST_OBF, 0);
	}
	assert_true(fake_console_contains("guest g0: reset through the keyboard controller (pulse of the reset line)"));
}

static void test_reset_error_passed_up(void **state)
{
	(void)state;
	pc_devs();
	reset_rc = -VMM_EILLEGAL;
	assert_int_equal(out_rc(KBD_CTL, 0, 0xFE), -VMM_EILLEGAL);
	assert_int_equal(out_rc(PORT92, 0, 0x01), -VMM_EILLEGAL);
}

static void test_guest_reset_restores_power_on_state(void **state)
{
	(void)state;
	pc_devs();
	set_config(0x30);
	data(0xFF);				/* keyboard bytes waiting (keyboard off) */
	cmd(0xD2);
	data(0x99);
	assert_int_equal(line[1], 0);
	set_config(0x01);
	assert_int_equal(line[1], 1);
	assert_int_equal(vmm_manager_guest_reboot(&guest), VMM_OK);
	assert_int_equal(line[1], 0);
	assert_int_equal(status(), ST_SYS | ST_UNLOCKED);
	assert_int_equal(config(), 0x65);
	assert_int_equal(status() & ST_OBF, 0);
}

/* ---- output buffer and IRQ1 ---- */

static void test_irq1_edges_per_byte(void **state)
{
	(void)state;
	pc_devs();
	data(0xFF);				/* keyboard reset: FA AA */
	assert_int_equal(line[1], 1);
	assert_int_equal(rising[1], 1);
	assert_int_equal(in(KBD_DATA, 0), 0xFA);
	/* the line dropped with OBF and rose again with the next byte */
	assert_int_equal(line[1], 1);
	assert_int_equal(rising[1], 2);
	assert_int_equal(in(KBD_DATA, 0), 0xAA);
	assert_int_equal(line[1], 0);
	assert_int_equal(rising[1], 2);
}

static void test_irq1_needs_config_bit0(void **state)
{
	(void)state;
	pc_devs();
	set_config(0x64);
	data(0xEE);
	assert_int_equal(status() & ST_OBF, ST_OBF);
	assert_int_equal(line[1], 0);
	set_config(0x65);			/* enabled with a byte waiting */
	assert_int_equal(line[1], 1);
	EXPECT_BYTES(0xEE);
	assert_int_equal(line[1], 0);
}

static void test_empty_buffer_reads_last_byte(void **state)
{
	(void)state;
	pc_devs();
	data(0xEE);
	assert_int_equal(in(KBD_DATA, 0), 0xEE);
	assert_int_equal(in(KBD_DATA, 0), 0xEE);
	assert_int_equal(status() & ST_OBF, 0);
	assert_int_equal(rising[1], 1);
}

static void test_controller_answers_first(void **state)
{
	(void)state;
	pc_devs();
	data(0xFF);				/* FA in the buffer, AA waits */
	cmd(0x20);
	cmd(0xAA);
	EXPECT_BYTES(0xFA, 0x65, 0x55, 0xAA);
}

static void test_keyboard_disabled_holds_bytes(void **state)
{
	(void)state;
	pc_devs();
	cmd(0xAD);
	data(0xF2);
	assert_int_equal(status() & ST_OBF, 0);
	/* controller answers still come */
	cmd(0xAB);
	EXPECT_BYTES(0x00);
	cmd(0xAE);
	EXPECT_BYTES(0xFA, 0xAB, 0x41);
}

static void test_aux_bytes(void **state)
{
	(void)state;
	pc_devs();
	cmd(0xD3);
	data(0x5A);
	/* from the aux side: AUXB, and no keyboard interrupt */
	assert_int_equal(status(), ST_OBF | ST_SYS | ST_UNLOCKED | ST_AUXB);
	assert_int_equal(line[1], 0);
	EXPECT_BYTES(0x5A);
	/* 0xD4: to the absent mouse; its byte does not reach the keyboard */
	cmd(0xD4);
	data(0xF2);
	assert_int_equal(status() & ST_OBF, 0);
	/* 0xD2: as if from the keyboard, not translated */
	cmd(0xD2);
	data(0x83);
	assert_int_equal(status() & (ST_OBF | ST_AUXB), ST_OBF);
	assert_int_equal(line[1], 1);
	EXPECT_BYTES(0x83);
}

static void test_new_command_cancels_pending(void **state)
{
	(void)state;
	pc_devs();
	cmd(0x60);				/* waits for a configuration byte ... */
	cmd(0x20);				/* ... but a command comes */
	EXPECT_BYTES(0x65);
	data(0xEE);				/* so this goes to the keyboard */
	EXPECT_BYTES(0xEE);
	assert_int_equal(config(), 0x65);
}

static void test_unknown_command_reported_once(void **state)
{
	(void)state;
	pc_devs();
	cmd(0xC0);
	cmd(0xC0);
	cmd(0xE0);
	assert_int_equal(status() & ST_OBF, 0);
	assert_int_equal(fake_console_count("keyboard controller command 0xc0 not emulated"), 1);
	assert_int_equal(fake_console_count("keyboard controller command 0xe0 not emulated"), 1);
	assert_int_equal(resets, 0);
}

/* ---- the keyboard ---- */

static void test_keyboard_reset_and_identify(void **state)
{
	(void)state;
	pc_devs();
	data(0xFF);
	EXPECT_BYTES(0xFA, 0xAA);
	/* translation on (the default): the 8042 turns 0x83 into 0x41 */
	data(0xF2);
	EXPECT_BYTES(0xFA, 0xAB, 0x41);
	set_config(0x25);
	data(0xF2);
	EXPECT_BYTES(0xFA, 0xAB, 0x83);
}

static void test_keyboard_simple_commands(void **state)
{
	(void)state;
	pc_devs();
	data(0xF4);
	EXPECT_BYTES(0xFA);
	data(0xF5);
	EXPECT_BYTES(0xFA);
	data(0xF6);
	EXPECT_BYTES(0xFA);
	data(0xEE);
	EXPECT_BYTES(0xEE);
	data(0x55);				/* not a command */
	EXPECT_BYTES(0xFE);
	data(0xFE);				/* resend: not emulated */
	EXPECT_BYTES(0xFE);
}

static void test_keyboard_commands_with_argument(void **state)
{
	(void)state;
	pc_devs();
	data(0xED);
	EXPECT_BYTES(0xFA);
	data(0x07);
	EXPECT_BYTES(0xFA);
	data(0xF3);
	data(0x20);
	EXPECT_BYTES(0xFA, 0xFA);
	/* a command where the argument belongs starts that command */
	data(0xED);
	data(0xF2);
	EXPECT_BYTES(0xFA, 0xFA, 0xAB, 0x41);
}

static void test_keyboard_scan_code_set(void **state)
{
	(void)state;
	pc_devs();
	set_config(0x25);			/* no translation */
	data(0xF0);
	data(0x00);
	EXPECT_BYTES(0xFA, 0xFA, 0x02);
	data(0xF0);
	data(0x03);
	EXPECT_BYTES(0xFA, 0xFA);
	data(0xF0);
	data(0x00);
	EXPECT_BYTES(0xFA, 0xFA, 0x03);
	data(0xF0);
	data(0x05);
	EXPECT_BYTES(0xFA, 0xFE);
	/* translated: set 3 reads 0x3F, and defaults bring set 2 (0x41) back */
	set_config(0x65);
	data(0xF0);
	data(0x00);
	EXPECT_BYTES(0xFA, 0xFA, 0x3F);
	data(0xF6);
	data(0xF0);
	data(0x00);
	EXPECT_BYTES(0xFA, 0xFA, 0xFA, 0x41);
	data(0xF0);
	data(0x01);
	data(0xF0);
	data(0x00);
	EXPECT_BYTES(0xFA, 0xFA, 0xFA, 0xFA, 0x43);
	data(0xFF);
	data(0xF0);
	data(0x00);
	EXPECT_BYTES(0xFA, 0xAA, 0xFA, 0xFA, 0x41);
}

static void test_keyboard_queue_limit(void **state)
{
	(void)state;
	pc_devs();
	cmd(0xAD);
	for (int i = 0; i < 10; i++)
		data(0xF2);			/* 30 bytes for a 16-byte queue */
	cmd(0xAE);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(read_obf(), 0xFA);
		assert_int_equal(read_obf(), 0xAB);
		assert_int_equal(read_obf(), 0x41);
	}
	assert_int_equal(read_obf(), 0xFA);
	assert_int_equal(status() & ST_OBF, 0);
}

/* ---- layouts ---- */

static void test_one_region_layout(void **state)
{
	(void)state;
	/* one region 0x60-0x64: address bit 2 selects the command port */
	add_dev("kbd", 0x60, 5, &i8042_emulator, 1);
	start_devs();
	out(0, 4, 0x20);
	assert_int_equal(in(0, 4) & (ST_OBF | ST_A2), ST_OBF | ST_A2);
	assert_int_equal(in(0, 0), 0x65);
	assert_int_equal(line[1], 0);
	assert_int_equal(rising[1], 1);
}

static void test_irq_from_either_region(void **state)
{
	(void)state;
	add_dev("kbd_data", 0x60, 1, &i8042_emulator, -1);
	add_dev("kbd_ctl", 0x64, 1, &i8042_emulator, 1);
	start_devs();
	data(0xEE);
	assert_int_equal(line[1], 1);
}

static void test_no_irq_line(void **state)
{
	(void)state;
	add_dev("kbd_data", 0x60, 1, &i8042_emulator, -1);
	add_dev("kbd_ctl", 0x64, 1, &i8042_emulator, -1);
	start_devs();
	data(0xEE);
	EXPECT_BYTES(0xEE);
	for (int i = 0; i < 16; i++)
		assert_int_equal(rising[i], 0);
}

static void test_probe_out_of_memory(void **state)
{
	(void)state;
	add_dev("kbd_data", 0x60, 1, &i8042_emulator, 1);
	add_dev("port92", 0x92, 1, &port92_emulator, -1);
	fake_heap_fail_nth(1);
	assert_int_equal(i8042_emulator.probe(&devs[0]), -VMM_ENOMEM);
	fake_heap_fail_nth(1);
	assert_int_equal(port92_emulator.probe(&devs[1]), -VMM_ENOMEM);
}

/* ---- port 0x92 and the sink ---- */

static void test_port92(void **state)
{
	(void)state;
	pc_devs();
	assert_int_equal(in(PORT92, 0), 0x00);
	out(PORT92, 0, 0x02);			/* fast A20 on */
	assert_int_equal(in(PORT92, 0), 0x02);
	out(PORT92, 0, 0xFE);			/* only bit 1 reads back */
	assert_int_equal(in(PORT92, 0), 0x02);
	assert_int_equal(resets, 0);
	out(PORT92, 0, 0x03);			/* fast reset */
	assert_int_equal(resets, 1);
	assert_int_equal(in(PORT92, 0), 0x00);	/* after the reset */
	assert_true(fake_console_contains("guest g0: reset through port 0x92"));
	/* it shares the controller's state but not its registers */
	assert_int_equal(config(), 0x65);
}

static void test_port92_alone(void **state)
{
	(void)state;
	add_dev("port92", 0x92, 1, &port92_emulator, -1);
	start_devs();
	out(0, 0, 0x02);
	assert_int_equal(in(0, 0), 0x02);
}

static void test_ioport_sink(void **state)
{
	u64 v;

	(void)state;
	pc_devs();
	fake_console_reset();
	assert_int_equal(in(SINK, 0), 0xFF);
	assert_int_equal(ioport_sink_emulator.read(&devs[SINK], 0, 2, &v), VMM_OK);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(ioport_sink_emulator.read(&devs[SINK], 0, 4, &v), VMM_OK);
	assert_int_equal(v, 0xFFFFFFFFULL);
	out(SINK, 0, 0x12);
	assert_int_equal(ioport_sink_emulator.write(&devs[SINK], 0, 4, 0x12345678), VMM_OK);
	assert_int_equal(in(SINK, 0), 0xFF);
	assert_int_equal(fake_console_len(), 0);	/* silent */
}

static void test_emulator_table_entries(void **state)
{
	(void)state;
	assert_string_equal(i8042_emulator.compatible[0], "i8042");
	assert_string_equal(port92_emulator.compatible[0], "port92");
	assert_string_equal(ioport_sink_emulator.compatible[0], "ioport-sink");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_power_on_status_and_config),
		T(test_write_config_and_sys_flag),
		T(test_controller_ram),
		T(test_self_tests),
		T(test_port_enable_commands),
		T(test_output_port),
		T(test_output_port_reset_bit),
		T(test_pulse_commands),
		T(test_reset_error_passed_up),
		T(test_guest_reset_restores_power_on_state),
		T(test_irq1_edges_per_byte),
		T(test_irq1_needs_config_bit0),
		T(test_empty_buffer_reads_last_byte),
		T(test_controller_answers_first),
		T(test_keyboard_disabled_holds_bytes),
		T(test_aux_bytes),
		T(test_new_command_cancels_pending),
		T(test_unknown_command_reported_once),
		T(test_keyboard_reset_and_identify),
		T(test_keyboard_simple_commands),
		T(test_keyboard_commands_with_argument),
		T(test_keyboard_scan_code_set),
		T(test_keyboard_queue_limit),
		T(test_one_region_layout),
		T(test_irq_from_either_region),
		T(test_no_irq_line),
		T(test_probe_out_of_memory),
		T(test_port92),
		T(test_port92_alone),
		T(test_ioport_sink),
		T(test_emulator_table_entries),
	};

	return cmocka_run_group_tests_name("i8042", tests, NULL, NULL);
}
