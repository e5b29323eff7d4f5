/*
 * tests/unit/test_vserial.c - virtual serial endpoints (kernel/vserial.c):
 * creation and lookup, unregistering (out of the list, a bound sink told
 * and detached, the partial line written out, the memory freed), a sink
 * taking the output instead of the console, and the host-to-device path by
 * name (vmm_vserial_send_name) refusing an endpoint that is gone or takes
 * no input. The heap is the fixture's counting one (devemu_fixture.h).
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
#include "tests/unit/devemu_fixture.h"
#include "kernel/vserial.h"

struct rec_sink {
	struct vmm_vserial_sink sink;
	char out[64];
	u32 n;
	int detached;
	struct vmm_vserial *detached_from;
};

static void rec_putc(struct vmm_vserial_sink *s, u8 c)
{
	struct rec_sink *r = s->priv;

	if (r->n < sizeof(r->out) - 1)
		r->out[r->n++] = (char)c;
}

static void rec_detached(struct vmm_vserial_sink *s, struct vmm_vserial *vs)
{
	struct rec_sink *r = s->priv;

	r->detached++;
	r->detached_from = vs;
}

static void rec_init(struct rec_sink *r)
{
	memset(r, 0, sizeof(*r));
	r->sink = (struct vmm_vserial_sink){ rec_putc, rec_detached, r };
}

static u8 received[16];
static u32 nr_received;

static void dev_input(void *priv, u8 c)
{
	(void)priv;
	if (nr_received < sizeof(received))
		received[nr_received++] = c;
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	nr_received = 0;
	return 0;
}

static void test_create_find_unregister(void **state)
{
	long live = fx_heap_live;
	u32 count = vmm_vserial_count();
	struct vmm_vserial *a = vmm_vserial_create("ga", "uart0");
	struct vmm_vserial *b = vmm_vserial_create("gb", "uart0");

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(vmm_vserial_count(), count + 2);
	assert_ptr_equal(vmm_vserial_find("ga/uart0"), a);
	assert_ptr_equal(vmm_vserial_find("gb/uart0"), b);
	vmm_vserial_unregister(a);
	assert_null(vmm_vserial_find("ga/uart0"));
	assert_ptr_equal(vmm_vserial_find("gb/uart0"), b);
	assert_int_equal(vmm_vserial_count(), count + 1);
	vmm_vserial_unregister(b);
	assert_int_equal(vmm_vserial_count(), count);
	assert_int_equal(fx_heap_live, live);
	vmm_vserial_unregister(NULL);	/* ignored */
}

/* The line the guest had not finished is written out at unregister. */
static void test_unregister_flushes(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gx", "uart0");

	(void)state;
	vmm_vserial_putc(a, 'h');
	vmm_vserial_putc(a, 'i');
	assert_false(fake_console_contains("gx: hi"));
	vmm_vserial_unregister(a);
	assert_true(fake_console_contains("gx: hi\n"));
}

/* A bound sink gets the bytes instead of the console, and is told when
 * the endpoint goes away; nothing goes to it afterwards. */
static void test_sink_detached_at_unregister(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gs", "uart0");
	struct rec_sink r, other;

	(void)state;
	rec_init(&r);
	rec_init(&other);
	assert_int_equal(vmm_vserial_attach(a, &r.sink), VMM_OK);
	assert_int_equal(vmm_vserial_attach(a, &other.sink), -VMM_EBUSY);
	vmm_vserial_putc(a, 'o');
	vmm_vserial_putc(a, 'k');
	vmm_vserial_putc(a, '\n');
	assert_string_equal(r.out, "ok\n");
	assert_false(fake_console_contains("gs: ok"));
	assert_int_equal(a->bytes_out, 3);
	vmm_vserial_unregister(a);
	assert_int_equal(r.detached, 1);
	assert_ptr_equal(r.detached_from, a);
	assert_int_equal(other.detached, 0);
}

/* Detached by its owner: the console gets the output again, and the sink
 * is not told at unregister. */
static void test_sink_detach(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gd", "uart0");
	struct rec_sink r;

	(void)state;
	rec_init(&r);
	assert_int_equal(vmm_vserial_attach(a, &r.sink), VMM_OK);
	vmm_vserial_putc(a, 'x');
	vmm_vserial_detach(a, &r.sink);
	vmm_vserial_putc(a, 'y');
	vmm_vserial_putc(a, '\n');
	assert_string_equal(r.out, "x");
	assert_true(fake_console_contains("gd: y\n"));
	vmm_vserial_unregister(a);
	assert_int_equal(r.detached, 0);
}

/* Host bytes by name: to the device's input; refused once it is gone. */
static void test_send_name(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gn", "uart0");
	struct vmm_vserial *b = vmm_vserial_create("gn", "hvc");

	(void)state;
	vmm_vserial_set_input(a, dev_input, NULL);
	assert_int_equal(vmm_vserial_send_name("gn/uart0", (const u8 *)"abc", 3), 3);
	assert_int_equal(nr_received, 3);
	assert_memory_equal(received, "abc", 3);
	assert_int_equal(a->bytes_in, 3);
	assert_int_equal(vmm_vserial_send_name("gn/hvc", (const u8 *)"a", 1), -VMM_ENOSYS);
	assert_int_equal(vmm_vserial_send_name("gn/nothing", (const u8 *)"a", 1), -VMM_ENOENT);
	vmm_vserial_unregister(a);
	assert_int_equal(vmm_vserial_send_name("gn/uart0", (const u8 *)"d", 1), -VMM_ENOENT);
	assert_int_equal(nr_received, 3);
	vmm_vserial_unregister(b);
}

static void count_one(struct vmm_vserial *vs, void *arg)
{
	(void)vs;
	(*(u32 *)arg)++;
}

static void test_for_each(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("ge", "a");
	struct vmm_vserial *b = vmm_vserial_create("ge", "b");
	u32 seen = 0;

	(void)state;
	assert_int_equal(vmm_vserial_for_each(count_one, &seen), vmm_vserial_count());
	assert_int_equal(seen, vmm_vserial_count());
	vmm_vserial_unregister(a);
	vmm_vserial_unregister(b);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_find_unregister),
		T(test_unregister_flushes),
		T(test_sink_detached_at_unregister),
		T(test_sink_detach),
		T(test_send_name),
		T(test_for_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
